/* cli_config.c — `augur config`: show, get and check the configuration. */
#include "agent/cli.h"
#include "base/file.h"

#include <stdlib.h>
#include <string.h>

static int config_cmd_show(cli *c, const cli_command *cmd, const char *path, int argc,
                          char **argv)
{
    buf out = BUF_INIT;
    config *cfg;
    int rc = cli_simple_args(cmd, path, argc, argv, 0);

    if (rc >= 0)
        return rc;
    if (!(cfg = cli_config(c)))
        return CLI_USAGE;
    if (config_show(cfg, &out) != AUGUR_OK) {
        fprintf(stderr, "%s: out of memory\n", path);
        return CLI_FAILED;
    }
    fwrite(buf_str(&out), 1, out.len, stdout);
    buf_free(&out);
    return CLI_OK;
}

static int config_cmd_get(cli *c, const cli_command *cmd, const char *path, int argc,
                          char **argv)
{
    buf out = BUF_INIT;
    const toml_value *v;
    config *cfg;
    int rc = cli_simple_args(cmd, path, argc, argv, 1);

    if (rc >= 0)
        return rc;
    if (!(cfg = cli_config(c)))
        return CLI_USAGE;
    v = config_get(cfg, argv[1]);
    if (!v)
        return cli_usage(path, "'%s' names no configuration value", argv[1]);
    /* Strings bare, for scripts; everything else as TOML writes it. */
    if (toml_kind(v) == TOML_STRING) {
        size_t len;
        const char *s = toml_str(v, &len);
        buf_add(&out, s, len);
    } else {
        toml_value_write(&out, v);
    }
    buf_putc(&out, '\n');
    fwrite(buf_str(&out), 1, out.len, stdout);
    buf_free(&out);
    return CLI_OK;
}

static int config_cmd_check(cli *c, const cli_command *cmd, const char *path, int argc,
                          char **argv)
{
    augur_err err = { 0 };
    config *cfg = NULL;
    const char *file;
    char *text = NULL;
    size_t len;
    int rc = cli_simple_args(cmd, path, argc, argv, 1);

    (void)c;
    if (rc >= 0)
        return rc;
    file = argv[1];
    rc = config_new(&cfg, &err);
    if (rc == AUGUR_OK && strcmp(file, "-") == 0) {
        rc = file_read_fd(0, "stdin", TOML_FILE_MAX, &text, &len, &err);
        if (rc == AUGUR_OK)
            rc = config_load_text(cfg, text, len, "stdin", &err);
    } else if (rc == AUGUR_OK) {
        rc = config_load_file(cfg, file, &err);
    }
    free(text);
    config_free(cfg);
    if (rc != AUGUR_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return rc == AUGUR_ENOMEM ? CLI_FAILED : CLI_USAGE;
    }
    printf("%s: ok\n", file);
    return CLI_OK;
}

static const cli_command cmd_show = {
    "show", "", "print the effective configuration and the layer each value came from",
    "The output is TOML: it can be saved and edited as a configuration file.\n",
    config_cmd_show, NULL,
};

static const cli_command cmd_get = {
    "get", "KEY", "print the value of one key (a dotted TOML key: log.level)",
    "Strings print without quotes; other values as TOML writes them.\n",
    config_cmd_get, NULL,
};

static const cli_command cmd_check = {
    "check", "FILE", "validate a configuration file (- for stdin): exit 0 valid, 2 invalid",
    "Every error is printed as FILE:LINE: what is wrong, with the closest known key\n"
    "when a key is unknown.\n",
    config_cmd_check, NULL,
};

static const cli_command *const config_commands[] = { &cmd_show, &cmd_get, &cmd_check, NULL };

const cli_command cli_config_command = {
    "config", "COMMAND", "show and check the configuration", NULL, NULL, config_commands,
};
