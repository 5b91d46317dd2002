/*
** cli.h — what the command-line program's commands share. Not part of libaugur:
** the agent commands are built on augur.h, the tool commands on the modules.
*/
#ifndef AUGUR_CLI_H
#define AUGUR_CLI_H

#include <stddef.h>
#include <stdio.h>

#include "agent/config.h"
#include "worlds/world.h"

/* Exit statuses. */
enum { CLI_OK = 0, CLI_FAILED = 1, CLI_USAGE = 2 };

typedef struct cli {
    const char  *config_file;   /* --config FILE */
    const char **sets;          /* -c KEY=VALUE, in order */
    size_t       nsets;
    config      *config;        /* loaded on first use */
} cli;

typedef struct cli_command cli_command;
struct cli_command {
    const char *name;
    const char *args;           /* what follows the name in a usage line */
    const char *summary;        /* one line, for lists of commands */
    const char *help;           /* the rest of its --help: options, details */
    /* cmd is the command itself, path its full name ("augur config show"), argv[0]
    ** its name; returns an exit status. */
    int (*run)(cli *c, const cli_command *cmd, const char *path, int argc, char **argv);
    const cli_command *const *subs;   /* a group's commands, ended by NULL */
};

extern const cli_command cli_config_command;
extern const cli_command cli_play_command;
extern const cli_command cli_laws_command;
extern const cli_command cli_model_command;
extern const cli_command cli_lua_command;

/* The layered configuration, loaded the first time it is asked for; NULL (and a
** message on stderr) when a layer is invalid. */
config *cli_config(cli *c);

/* Print "augur PATH: message" and a pointer to --help on stderr; CLI_USAGE. */
int cli_usage(const char *path, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Print a command's help (its usage, summary, commands or options). */
void cli_help(FILE *out, const cli_command *cmd, const char *path);

/* For a command without subcommands: CLI_OK after printing help when argv asks for
** it, CLI_USAGE after a message for an unknown option or a wrong number of
** arguments (nargs: exactly that many, or -1 for any), else -1 to go on. */
int cli_simple_args(const cli_command *cmd, const char *path, int argc, char **argv, int nargs);

/* Read the integer text (an option's value) in [lo, hi] into *out: -1 to go on,
** or CLI_USAGE after a message naming opt. */
int cli_number(const char *path, const char *opt, const char *text, long long lo, long long hi,
               long long *out);

/* The settings of the world called name: the table worlds.NAME of cfg, read
** through wc (which must outlive the returned world_config). */
typedef struct cli_world {
    const config *cfg;
    const char   *name;
} cli_world;
world_config cli_world_config(cli_world *wc, const config *cfg, const char *name);

/* Run the command of group named by argv[0], or say what is wrong. */
int cli_dispatch(cli *c, const cli_command *group, const char *path, int argc, char **argv);

#endif
