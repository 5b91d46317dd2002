/*
** defaults.S — the repository's agent.toml, built into the library as the
** configuration's first layer, so the file is the one source of the defaults.
*/
    .section .rodata
    .globl  config_defaults_toml
    .type   config_defaults_toml, @object
config_defaults_toml:
    .incbin "agent.toml"
    .byte   0
    .size   config_defaults_toml, . - config_defaults_toml
    .section .note.GNU-stack, "", @progbits
