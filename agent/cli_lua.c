/* cli_lua.c — `augur lua run`: run a Lua file in the sandbox and print the result as JSON. */
#include "agent/cli.h"
#include "agent/sandbox_conf.h"
#include "base/file.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Source files larger than this are refused rather than read. */
enum { LUA_SOURCE_MAX = 16 << 20 };

typedef struct lua_opts {
    const char    *file, *entry, *args, *workspace;
    char          *allow;            /* a copy of --allow, split in place */
    const char    *allowed[8];
    size_t         nallow;
    uint64_t       seed;
    sandbox_config cfg;
    int            isolation;
} lua_opts;

static int lua_number(const char *path, const char *opt, const char *text, int64_t min,
                      int64_t *out)
{
    char *end;
    long long v;

    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min)
        return cli_usage(path, "%s needs an integer of at least %lld, not '%s'", opt,
                         (long long)min, text);
    *out = v;
    return -1;
}

static int lua_allow(const char *path, lua_opts *o, const char *list)
{
    free(o->allow);
    if (!(o->allow = strdup(list)))
        return cli_usage(path, "out of memory");
    o->nallow = 0;
    for (char *save = NULL, *name = strtok_r(o->allow, ",", &save); name;
         name = strtok_r(NULL, ",", &save)) {
        if (strcmp(name, "fs") != 0 && strcmp(name, "http") != 0 && strcmp(name, "kv") != 0)
            return cli_usage(path, "--allow: unknown capability '%s' (fs, http, kv)", name);
        if (o->nallow < sizeof o->allowed / sizeof *o->allowed)
            o->allowed[o->nallow++] = name;
    }
    return -1;
}

/* One option with its value; -1 to go on, or an exit status. */
static int lua_option(const char *path, lua_opts *o, const char *opt, const char *val)
{
    sandbox_limits *lim = &o->cfg.limits;
    int64_t n = 0;
    int rc;

    if (strcmp(opt, "--entry") == 0) {
        o->entry = val;
    } else if (strcmp(opt, "--args") == 0) {
        o->args = val;
    } else if (strcmp(opt, "--workspace") == 0) {
        o->workspace = val;
    } else if (strcmp(opt, "--allow") == 0) {
        return lua_allow(path, o, val);
    } else if (strcmp(opt, "--isolation") == 0) {
        if ((o->isolation = sandbox_isolation_parse(val)) < 0)
            return cli_usage(path, "--isolation must be inproc or process, not '%s'", val);
    } else if (strcmp(opt, "--seed") == 0) {
        if ((rc = lua_number(path, opt, val, 0, &n)) >= 0)
            return rc;
        o->seed = (uint64_t)n;
    } else if (strcmp(opt, "--memory-mb") == 0) {
        if ((rc = lua_number(path, opt, val, 1, &n)) >= 0)
            return rc;
        if (n > 1 << 20)
            return cli_usage(path, "--memory-mb must be at most %d", 1 << 20);
        lim->memory_bytes = n << 20;
    } else {
        static const struct { const char *name; size_t off; } limits[] = {
            { "--instructions", offsetof(sandbox_limits, instructions) },
            { "--timeout-ms", offsetof(sandbox_limits, timeout_ms) },
            { "--max-output", offsetof(sandbox_limits, max_output) },
            { "--max-string", offsetof(sandbox_limits, max_string) },
        };
        for (size_t i = 0; i < sizeof limits / sizeof *limits; i++) {
            if (strcmp(opt, limits[i].name) != 0)
                continue;
            /* 0 instructions: no budget, the deadline alone. */
            int64_t min = limits[i].off == offsetof(sandbox_limits, instructions) ? 0 : 1;
            if ((rc = lua_number(path, opt, val, min, &n)) >= 0)
                return rc;
            *(int64_t *)((char *)lim + limits[i].off) = n;
            return -1;
        }
        return cli_usage(path, "unknown option '%s'", opt);
    }
    return -1;
}

static int lua_parse(const char *path, lua_opts *o, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq;
        int rc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
            return -2;
        if (a[0] != '-' || a[1] == '\0') {
            if (o->file)
                return cli_usage(path, "expected one FILE, got '%s' too", a);
            o->file = a;
            continue;
        }
        if ((eq = strchr(a, '='))) {
            char opt[64];
            snprintf(opt, sizeof opt, "%.*s", (int)(eq - a), a);
            rc = lua_option(path, o, opt, eq + 1);
        } else if (i + 1 < argc) {
            rc = lua_option(path, o, a, argv[++i]);
        } else {
            return cli_usage(path, "%s needs a value", a);
        }
        if (rc >= 0)
            return rc;
    }
    if (!o->file)
        return cli_usage(path, "expected FILE.lua (or - for stdin)");
    return -1;
}

static int lua_read_source(const char *file, char **src, size_t *len, augur_err *err)
{
    if (strcmp(file, "-") == 0 || strcmp(file, "/dev/stdin") == 0)
        return file_read_fd(0, "stdin", LUA_SOURCE_MAX, src, len, err);
    return file_read(file, LUA_SOURCE_MAX, src, len, err);
}

/* Run the job and print its result; the exit status. */
static int lua_execute(const char *path, const config *cfg, lua_opts *o, const char *src,
                       size_t len, const sandbox_value *args)
{
    const char *name = strcmp(o->file, "-") == 0 ? "stdin" : o->file;
    sandbox_job job = { src, len, name, o->entry, args, o->seed, NULL,
                        (sandbox_isolation)o->isolation, o->allowed, o->nallow };
    augur_err err = { 0 };
    sandbox_result res;
    buf out = BUF_INIT;
    sandbox *sb;
    int rc;

    if (sandbox_conf_open(cfg, &o->cfg, o->workspace, &sb, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return err.code == AUGUR_EIO || err.code == AUGUR_ENOMEM ? CLI_FAILED : CLI_USAGE;
    }
    rc = sandbox_run(sb, &job, &res, &err);
    sandbox_free(sb);
    if (rc != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return CLI_FAILED;
    }
    sandbox_result_write(&out, &res);
    buf_putc(&out, '\n');
    fwrite(buf_str(&out), 1, out.len, stdout);
    rc = res.ok ? CLI_OK : CLI_FAILED;
    buf_free(&out);
    sandbox_result_free(&res);
    return rc;
}

static int lua_cmd_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    lua_opts o = { 0 };
    augur_err err = { 0 };
    sandbox_value *args = NULL;
    config *cfg = cli_config(c);
    char *src = NULL;
    size_t len;
    int rc;

    if (!cfg)
        return CLI_USAGE;
    if (sandbox_conf_read(cfg, &o.cfg, &err) != AUGUR_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return CLI_USAGE;
    }
    rc = lua_parse(path, &o, argc, argv);
    if (rc == -2) {
        cli_help(stdout, cmd, path);
        rc = CLI_OK;
    } else if (rc < 0 && o.args &&
               sandbox_value_parse(o.args, strlen(o.args), "--args", &args, &err) != AUGUR_OK) {
        rc = cli_usage(path, "%s", err.msg);
    } else if (rc < 0 && args && args->type != SANDBOX_ARRAY) {
        rc = cli_usage(path, "--args must be a JSON array");
    } else if (rc < 0 && lua_read_source(o.file, &src, &len, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        rc = CLI_FAILED;
    } else if (rc < 0) {
        rc = lua_execute(path, cfg, &o, src, len, args);
    }
    free(src);
    free(o.allow);
    sandbox_value_free(args);
    return rc;
}

static const cli_command cmd_run = {
    "run", "FILE.lua [options]", "run a Lua file in the sandbox and print the result as JSON",
    "options (each overrides [sandbox] in the configuration for this run):\n"
    "  --entry NAME          call the global function NAME after the chunk (default: the\n"
    "                        chunk itself is called with the arguments)\n"
    "  --args JSON_ARRAY     the arguments, as a JSON array\n"
    "  --seed N              math.random's seed (default 0)\n"
    "  --instructions N      Lua VM instructions the run may execute (0: no budget; the\n"
    "                        deadline alone stops the run, which is faster but not\n"
    "                        deterministic)\n"
    "  --memory-mb N         memory the run's Lua state may hold, in MiB\n"
    "  --timeout-ms N        wall-clock deadline\n"
    "  --max-output BYTES    what print may write\n"
    "  --max-string BYTES    the largest string the run may build\n"
    "  --isolation MODE      inproc or process\n"
    "  --allow LIST          capabilities the script may use under `host`: fs,http,kv\n"
    "  --workspace DIR       the root host.fs works in\n"
    "\n"
    "FILE - or /dev/stdin reads the source from standard input. The output is one JSON\n"
    "object: {\"ok\", \"result\", \"output\", \"error\": null | {\"kind\", \"message\", \"line\",\n"
    "\"traceback\"}, \"stats\": {\"instructions\", \"peak_bytes\", \"wall_ms\", \"lossy\"}}. Error\n"
    "kinds: syntax, runtime, instructions, memory, timeout, output, denied, crashed,\n"
    "internal. Exit status 0 when the run succeeded, 1 when it failed, 2 on a usage error.\n",
    lua_cmd_run, NULL,
};

static const cli_command *const lua_commands[] = { &cmd_run, NULL };

const cli_command cli_lua_command = {
    "lua", "COMMAND", "run Lua in the sandbox", NULL, NULL, lua_commands,
};
