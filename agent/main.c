/*
** main.c — the augur program: global options, then a command.
**
**     augur [global options] COMMAND [options]
**
** Exit status: 0 success, 1 the job failed, 2 a usage or configuration error.
*/
#include "agent/augur.h"
#include "agent/cli.h"
#include "base/log.h"
#include "base/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char main_help[] =
    "global options:\n"
    "  --config FILE    read FILE after the standard configuration files\n"
    "  -c KEY=VALUE     set a configuration key; VALUE is a TOML value, and any other\n"
    "                   text where a string is expected (-c log.level=debug)\n"
    "  -h, --help       show this help; `augur COMMAND --help` shows a command's\n"
    "  -V, --version    print the version\n"
    "\n"
    "configuration, each layer overriding the one before:\n"
    "  the built-in defaults (agent.toml in the source), $XDG_CONFIG_HOME/augur/agent.toml,\n"
    "  ./agent.toml, --config FILE, -c KEY=VALUE\n"
    "\n"
    "environment:\n"
    "  AUGUR_LOG        what is logged on stderr: debug, info, warn, error or off\n"
    "                   (overrides log.level)\n"
    "\n"
    "exit status: 0 success, 1 the job failed, 2 a usage or configuration error\n";

static const cli_command *const main_commands[] = {
    &cli_config_command,
    &cli_lua_command,
    &cli_play_command,
    &cli_laws_command,
    &cli_model_command,
    NULL,
};

static const cli_command main_command = {
    "augur", "[global options] COMMAND [options]",
    "an agent runtime: plans, acts through Lua actions, learns its world",
    main_help, NULL, main_commands,
};

int cli_usage(const char *path, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", path);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nrun '%s --help' for help\n", path);
    return CLI_USAGE;
}

void cli_help(FILE *out, const cli_command *cmd, const char *path)
{
    fprintf(out, "usage: %s %s\n\n%s\n", path, cmd->args, cmd->summary);
    if (cmd->subs) {
        fprintf(out, "\ncommands:\n");
        for (const cli_command *const *sp = cmd->subs; *sp; sp++) {
            const cli_command *s = *sp;
            char head[64];
            snprintf(head, sizeof head, "%s %s", s->name, s->subs ? "COMMAND" : s->args);
            fprintf(out, "  %-22s %s\n", head, s->summary);
        }
    }
    if (cmd->help && *cmd->help)
        fprintf(out, "\n%s", cmd->help);
}

static int cli_is_help(const char *arg)
{
    return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

int cli_simple_args(const cli_command *cmd, const char *path, int argc, char **argv, int nargs)
{
    int positional = 0;

    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        }
    }
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && argv[i][1] != '\0')
            return cli_usage(path, "unknown option '%s'", argv[i]);
        positional++;
    }
    if (nargs == 0 && positional > 0)
        return cli_usage(path, "takes no arguments");
    if (nargs > 0 && positional != nargs)
        return cli_usage(path, "expected %s, got %d argument%s", cmd->args, positional,
                         positional == 1 ? "" : "s");
    return -1;
}

int cli_number(const char *path, const char *opt, const char *text, long long lo, long long hi,
               long long *out)
{
    char *end;
    long long v;

    errno = 0;
    v = text ? strtoll(text, &end, 10) : 0;
    if (!text || !*text || *end || errno || v < lo || v > hi)
        return cli_usage(path, "%s needs an integer from %lld to %lld", opt, lo, hi);
    *out = v;
    return -1;
}

static const toml_value *cli_world_get(void *ud, const char *key)
{
    const cli_world *wc = ud;
    char path[160];

    snprintf(path, sizeof path, "worlds.%s.%s", wc->name, key);
    return config_get(wc->cfg, path);
}

world_config cli_world_config(cli_world *wc, const config *cfg, const char *name)
{
    world_config w = { cli_world_get, wc };

    wc->cfg = cfg;
    wc->name = name;
    return w;
}

int cli_dispatch(cli *c, const cli_command *group, const char *path, int argc, char **argv)
{
    const cli_command *best = NULL;
    size_t best_distance = 4;
    char sub[256];

    if (argc < 2) {
        cli_help(stderr, group, path);
        return CLI_USAGE;
    }
    if (cli_is_help(argv[1])) {
        cli_help(stdout, group, path);
        return CLI_OK;
    }
    for (const cli_command *const *sp = group->subs; *sp; sp++) {
        const cli_command *s = *sp;
        size_t d = text_distance(argv[1], s->name, best_distance - 1);
        if (strcmp(argv[1], s->name) == 0) {
            snprintf(sub, sizeof sub, "%s %s", path, s->name);
            return s->subs ? cli_dispatch(c, s, sub, argc - 1, argv + 1)
                           : s->run(c, s, sub, argc - 1, argv + 1);
        }
        if (d < best_distance && text_is_close(argv[1], d)) {
            best_distance = d;
            best = s;
        }
    }
    if (best)
        return cli_usage(path, "unknown command '%s' (did you mean '%s'?)", argv[1], best->name);
    return cli_usage(path, "unknown command '%s'", argv[1]);
}

/* log.level applies unless AUGUR_LOG has the say. */
static int cli_apply_log_level(const config *cfg)
{
    const char *level = config_str(cfg, "log.level", "warn");
    const char *env = getenv("AUGUR_LOG");
    int line, n = log_level_parse(level);

    if (n < 0) {
        const char *origin = config_origin(cfg, "log.level", &line);
        fprintf(stderr, "%s:%d: log.level: '%s' is not a level (debug, info, warn, error, off)\n",
                origin, line, level);
        return -1;
    }
    if (!env || !*env)
        log_set_level((enum log_level)n);
    return 0;
}

config *cli_config(cli *c)
{
    augur_err err = { 0 };

    if (c->config)
        return c->config;
    if (config_new(&c->config, &err) != AUGUR_OK ||
        config_load_layers(c->config, c->config_file, c->sets, c->nsets, &err) != AUGUR_OK ||
        cli_apply_log_level(c->config) != 0) {
        if (err.code)
            fprintf(stderr, "%s\n", err.msg);
        config_free(c->config);
        c->config = NULL;
    }
    return c->config;
}

int main(int argc, char **argv)
{
    cli c = { 0 };
    int i, rc;

    if (augur_global_init() != AUGUR_OK)
        log_warn("AUGUR_LOG='%s' names no level (debug, info, warn, error, off)", getenv("AUGUR_LOG"));
    c.sets = calloc((size_t)argc, sizeof *c.sets);
    if (!c.sets) {
        fprintf(stderr, "augur: out of memory\n");
        return CLI_FAILED;
    }
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        } else if (cli_is_help(a)) {
            cli_help(stdout, &main_command, "augur");
            free(c.sets);
            return CLI_OK;
        } else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("augur %s\n", augur_version());
            free(c.sets);
            return CLI_OK;
        } else if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
            if (i + 1 >= argc) {
                free(c.sets);
                return cli_usage("augur", "%s needs a value", a);
            }
            if (a[1] == 'c')
                c.sets[c.nsets++] = argv[++i];
            else
                c.config_file = argv[++i];
        } else if (strncmp(a, "--config=", 9) == 0) {
            c.config_file = a + 9;
        } else if (strncmp(a, "-c", 2) == 0) {
            c.sets[c.nsets++] = a + 2;
        } else {
            free(c.sets);
            return cli_usage("augur", "unknown option '%s'", a);
        }
    }
    if (i == argc) {
        cli_help(stdout, &main_command, "augur");
        rc = CLI_OK;
    } else {
        argv[i - 1] = "augur";
        rc = cli_dispatch(&c, &main_command, "augur", argc - i + 1, argv + i - 1);
    }
    config_free(c.config);
    free(c.sets);
    return rc;
}
