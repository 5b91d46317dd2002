/* cli_actions.c — `augur actions`: the action library from the command line. */
#include "actions/library.h"
#include "agent/cli.h"
#include "agent/model_conf.h"
#include "agent/sandbox_conf.h"
#include "base/file.h"
#include "base/json.h"
#include "base/xdg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The options a subcommand takes. */
enum {
    OPT_JSON = 1, OPT_K = 2, OPT_VERSION = 4, OPT_CONFLICT = 8, OPT_PURGE = 16, OPT_GIT = 32,
    OPT_TASK = 64, OPT_ORIGIN = 128, OPT_CONTEXT = 256
};

typedef struct actions_opts {
    const char *db, *task, *context;
    const char *pos[2];
    int         npos, json, purge, git, version, origin;
    long long   k;
    library_conflict conflict;
} actions_opts;

/* Options and positionals (at least min, at most max): -1 to go on, or an exit status. */
static int actions_parse(const cli_command *cmd, const char *path, int argc, char **argv,
                         int allowed, int min, int max, actions_opts *o)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        int rc;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            cli_help(stdout, cmd, path);
            return CLI_OK;
        }
        if (a[0] != '-' || strcmp(a, "-") == 0) {
            if (o->npos == max)
                return cli_usage(path, "unexpected argument '%s'", a);
            o->pos[o->npos++] = a;
            continue;
        }
        if (strcmp(a, "--json") == 0 && (allowed & OPT_JSON)) {
            o->json = 1;
            continue;
        }
        if (strcmp(a, "--purge") == 0 && (allowed & OPT_PURGE)) {
            o->purge = 1;
            continue;
        }
        if (strcmp(a, "--git") == 0 && (allowed & OPT_GIT)) {
            o->git = 1;
            continue;
        }
        if (strcmp(a, "--db") != 0 && !((allowed & OPT_K) && strcmp(a, "--k") == 0) &&
            !((allowed & OPT_VERSION) && strcmp(a, "--version") == 0) &&
            !((allowed & OPT_CONFLICT) && strcmp(a, "--conflict") == 0) &&
            !((allowed & OPT_TASK) && strcmp(a, "--task") == 0) &&
            !((allowed & OPT_ORIGIN) && strcmp(a, "--origin") == 0) &&
            !((allowed & OPT_CONTEXT) && strcmp(a, "--context") == 0))
            return cli_usage(path, "unknown option '%s'", a);
        if (!val)
            return cli_usage(path, "%s needs a value", a);
        i++;
        if (strcmp(a, "--db") == 0) {
            o->db = val;
        } else if (strcmp(a, "--task") == 0) {
            o->task = val;
        } else if (strcmp(a, "--context") == 0) {
            o->context = val;
        } else if (strcmp(a, "--k") == 0) {
            if ((rc = cli_number(path, a, val, 1, 1000, &o->k)) >= 0)
                return rc;
        } else if (strcmp(a, "--version") == 0) {
            long long v;
            if ((rc = cli_number(path, a, val, 1, 1 << 30, &v)) >= 0)
                return rc;
            o->version = (int)v;
        } else if (strcmp(a, "--origin") == 0) {
            if ((o->origin = action_origin_parse(val)) < 0)
                return cli_usage(path, "--origin must be user, generated or builtin, not '%s'",
                                 val);
        } else if ((rc = library_conflict_parse(val)) < 0) {
            return cli_usage(path, "--conflict must be skip, revise or fail, not '%s'", val);
        } else {
            o->conflict = (library_conflict)rc;
        }
    }
    if (o->npos < min)
        return cli_usage(path, "expected %s", cmd->args);
    return -1;
}

/* The library the options and [actions] name, with its mirror; NULL after a message. */
static library *actions_open(cli *c, const char *path, const actions_opts *o, sandbox **sb)
{
    config *cfg = cli_config(c);
    library_options opt = { NULL, NULL, 0, 0, 1 };
    sandbox_config scfg;
    augur_err err = { 0 };
    buf db = BUF_INIT, mirror = BUF_INIT, docs = BUF_INIT;
    library *lib = NULL;
    const char *m;
    int rc;

    if (!cfg)
        return NULL;
    if (o->db)
        rc = buf_puts(&db, o->db);
    else if (*config_str(cfg, "actions.db", ""))
        rc = buf_puts(&db, config_str(cfg, "actions.db", ""));
    else
        rc = xdg_path(XDG_DATA, "actions.db", &db, &err);
    m = config_str(cfg, "actions.mirror", "");
    size_t stem = db.len > 3 && strcmp(buf_str(&db) + db.len - 3, ".db") == 0 ? db.len - 3
                                                                               : db.len;
    if (rc == AUGUR_OK && strcmp(m, "none") != 0) {
        rc = *m ? buf_puts(&mirror, m) : buf_printf(&mirror, "%.*s.git", (int)stem, buf_str(&db));
        opt.mirror = buf_str(&mirror);
    }
    /* host.docs's index sits beside the library, outside the workspace it indexes. */
    if (rc == AUGUR_OK)
        rc = buf_printf(&docs, "%.*s.docs.db", (int)stem, buf_str(&db));
    opt.max_source = config_int(cfg, "actions.max_source", 65536);
    if (rc == AUGUR_OK && (rc = sandbox_conf_read(cfg, &scfg, &err)) == AUGUR_OK &&
        (rc = sandbox_conf_open(cfg, &scfg, NULL, sb, &err)) == AUGUR_OK &&
        (rc = library_git_add(*sb, config_str(cfg, "sandbox.workspace", "."), &err)) == AUGUR_OK &&
        (rc = library_docs_add(*sb, config_str(cfg, "sandbox.workspace", "."), buf_str(&docs),
                               &err)) == AUGUR_OK) {
        opt.sandbox = *sb;
        char *slash = strrchr(db.data, '/');
        if (slash) {
            *slash = '\0';
            rc = file_mkdirs(db.data, &err);
            *slash = '/';
        }
        if (rc == AUGUR_OK)
            rc = library_open(&lib, buf_str(&db), &opt, &err);
    }
    if (rc != AUGUR_OK) {
        sandbox_free(*sb);
        *sb = NULL;
    }
    if (rc != AUGUR_OK)
        fprintf(stderr, "%s: %s\n", path, err.msg[0] ? err.msg : "out of memory");
    buf_free(&db);
    buf_free(&mirror);
    buf_free(&docs);
    return lib;
}

static void actions_json_str(buf *out, const char *key, const char *s, int comma)
{
    buf_printf(out, "%s\"%s\": ", comma ? ", " : "", key);
    json_quote(out, s, strlen(s));
}

/* {"name", "version", "description", "kind"} without the closing brace. */
static void actions_json_head(buf *out, const char *name, int version, const char *desc,
                              const char *kind)
{
    buf_putc(out, '{');
    actions_json_str(out, "name", name, 0);
    buf_printf(out, ", \"version\": %d", version);
    actions_json_str(out, "description", desc, 1);
    actions_json_str(out, "kind", kind, 1);
}

static double actions_rate(const action *a)
{
    return a->uses ? (double)a->successes / (double)a->uses : 0;
}

/* Before item i of a listing: "[" or ",\n " in JSON; after the last (i == n): "]". */
static void actions_item(buf *out, int json, size_t i, size_t n)
{
    if (json)
        buf_puts(out, i == n ? (n ? "]\n" : "[]\n") : i ? ",\n " : "[");
}

static void actions_show_json(buf *out, const action *a)
{
    char when[32];
    time_t t = (time_t)(a->created_ms / 1000);

    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
    actions_json_head(out, a->doc.name, a->version, a->doc.description, a->doc.kind);
    buf_puts(out, ", \"inputs\": [");
    for (int i = 0; i < a->doc.ninputs; i++) {
        buf_puts(out, i ? ", {" : "{");
        actions_json_str(out, "name", a->doc.inputs[i].name, 0);
        actions_json_str(out, "type", a->doc.inputs[i].type, 1);
        buf_putc(out, '}');
    }
    buf_puts(out, "]");
    actions_json_str(out, "output", a->doc.output, 1);
    actions_json_str(out, "origin", action_origin_name(a->origin), 1);
    buf_printf(out, ", \"parent\": %d, \"hash\": \"%s\", \"created\": \"%s\", \"deprecated\": %s",
               a->parent, a->hash, when, a->deprecated ? "true" : "false");
    buf_printf(out, ", \"uses\": %lld, \"success_rate\": %.4g", (long long)a->uses,
               actions_rate(a));
    actions_json_str(out, "last_error", a->last_error ? a->last_error : "", 1);
    buf_puts(out, ", \"source\": ");
    json_quote(out, a->source, a->len);
    buf_putc(out, '}');
}

/* [actions] allow, as the run's capabilities. */
static size_t actions_allow(const config *cfg, const char **names, size_t max)
{
    const toml_value *v = config_get(cfg, "actions.allow");
    size_t n = 0;

    for (size_t i = 0; v && toml_kind(v) == TOML_ARRAY && i < toml_len(v) && n < max; i++) {
        const toml_value *item = toml_at(v, i);
        if (toml_kind(item) == TOML_STRING)
            names[n++] = toml_str(item, NULL);
    }
    return n;
}

/* ---- the commands ------------------------------------------------------------------- */

/* What a command works with: its options, the library, and what it prints. */
typedef struct actions_ctx {
    cli         *c;
    actions_opts o;
    library     *lib;
    sandbox     *sb;
    augur_err    err;
    buf          out;
    int          status;     /* the exit status when the work succeeded */
} actions_ctx;

/* The work of a command: AUGUR_OK with x->out filled, or a failure in x->err. */
typedef int (*actions_work)(actions_ctx *x);

/* Parse (allowed options, min to max arguments), open the library, work, print. */
static int actions_command(cli *c, const cli_command *cmd, const char *path, int argc,
                           char **argv, int allowed, int min, int max, actions_work work)
{
    actions_ctx x = { .c = c, .out = BUF_INIT };
    int rc;

    x.o.origin = ACTION_USER;
    x.o.conflict = LIBRARY_FAIL;
    if ((rc = actions_parse(cmd, path, argc, argv, allowed, min, max, &x.o)) >= 0)
        return rc;
    if (!(x.lib = actions_open(c, path, &x.o, &x.sb)))
        return CLI_FAILED;
    rc = work(&x);
    fwrite(buf_str(&x.out), 1, x.out.len, stdout);
    if (rc != AUGUR_OK)
        fprintf(stderr, "%s: %s\n", path, x.err.msg);
    buf_free(&x.out);
    library_close(x.lib);
    sandbox_free(x.sb);
    /* A work that fails with the status CLI_USAGE was given a malformed argument. */
    return rc != AUGUR_OK && x.status != CLI_USAGE ? CLI_FAILED : x.status;
}

/* When [actions] embed is on, [model] in *m (free it and mc), with the actions that
** lack an embedding embedded; else *m is NULL. */
static int actions_embedder(actions_ctx *x, model_conf *mc, model **m)
{
    size_t count;
    int rc;

    *m = NULL;
    if (!config_bool(cli_config(x->c), "actions.embed", 0))
        return AUGUR_OK;
    if ((rc = model_conf_read(cli_config(x->c), mc, &x->err)) == AUGUR_OK &&
        (rc = model_open(m, &mc->cfg, &x->err)) == AUGUR_OK)
        rc = library_embed_pending(x->lib, *m, &count, &x->err);
    if (rc != AUGUR_OK)
        augur_err_prefix(&x->err, "embeddings (actions.embed): ");
    return rc;
}

/* Embed the actions that lack an embedding, when [actions] embed is on. */
static int actions_embed(actions_ctx *x)
{
    model_conf mc = { 0 };
    model *m;
    int rc = actions_embedder(x, &mc, &m);

    model_close(m);
    model_conf_free(&mc);
    return rc;
}

static int add_work(actions_ctx *x)
{
    char *src = NULL;
    size_t len;
    action a;
    int rc;

    if ((rc = file_read(x->o.pos[0], 16 << 20, &src, &len, &x->err)) ||
        (rc = library_add(x->lib, src, len, x->o.pos[0], (action_origin)x->o.origin, &a,
                          &x->err))) {
        free(src);
        return rc;
    }
    if (x->o.json) {
        actions_json_head(&x->out, a.doc.name, a.version, a.doc.description, a.doc.kind);
        buf_printf(&x->out, ", \"hash\": \"%s\"}\n", a.hash);
    } else {
        buf_printf(&x->out, "%s v%d %s\n", a.doc.name, a.version, a.hash);
    }
    action_free(&a);
    free(src);
    return actions_embed(x);
}

static int list_work(actions_ctx *x)
{
    action *all;
    size_t n;
    int rc = library_list(x->lib, &all, &n, &x->err);

    for (size_t i = 0; rc == AUGUR_OK && i <= n; i++) {
        const action *a = &all[i];
        actions_item(&x->out, x->o.json, i, n);
        if (i == n)
            break;
        if (x->o.json) {
            actions_json_head(&x->out, a->doc.name, a->version, a->doc.description, a->doc.kind);
            buf_printf(&x->out, ", \"uses\": %lld, \"success_rate\": %.4g}", (long long)a->uses,
                       actions_rate(a));
        } else {
            buf_printf(&x->out, "%-28s v%-3d %-6s %5lld uses %3.0f%%  %s\n", a->doc.name,
                       a->version, a->doc.kind, (long long)a->uses, 100 * actions_rate(a),
                       a->doc.description);
        }
    }
    if (rc == AUGUR_OK)
        actions_free(all, n);
    return rc;
}

static int show_work(actions_ctx *x)
{
    action a;
    int rc = library_get(x->lib, x->o.pos[0], x->o.version, &a, &x->err);

    if (rc != AUGUR_OK)
        return rc;
    if (x->o.json) {
        actions_show_json(&x->out, &a);
        buf_putc(&x->out, '\n');
    } else {
        buf_add(&x->out, a.source, a.len);
    }
    action_free(&a);
    return AUGUR_OK;
}

static int search_work(actions_ctx *x)
{
    int k = x->o.k ? (int)x->o.k : (int)config_int(cli_config(x->c), "actions.search_k", 10);
    action_hit *hits;
    model_conf mc = { 0 };
    model *m;
    size_t n;
    int rc = actions_embedder(x, &mc, &m);

    if (rc == AUGUR_OK && m)
        rc = library_search_model(x->lib, m, x->o.pos[0],
                                  config_float(cli_config(x->c), "actions.embed_weight", 0.5), k,
                                  &hits, &n, &x->err);
    else if (rc == AUGUR_OK)
        rc = library_search(x->lib, x->o.pos[0], NULL, 0, 0, k, &hits, &n, &x->err);
    model_close(m);
    model_conf_free(&mc);

    for (size_t i = 0; rc == AUGUR_OK && i <= n; i++) {
        actions_item(&x->out, x->o.json, i, n);
        if (i == n)
            break;
        if (x->o.json) {
            actions_json_head(&x->out, hits[i].name, hits[i].version, hits[i].description,
                              hits[i].kind);
            buf_printf(&x->out, ", \"score\": %.6g}", hits[i].score);
        } else {
            buf_printf(&x->out, "%8.3f  %-28s v%-3d %-6s %s\n", hits[i].score, hits[i].name,
                       hits[i].version, hits[i].kind, hits[i].description);
        }
    }
    if (rc == AUGUR_OK)
        free(hits);
    return rc;
}

static int history_work(actions_ctx *x)
{
    action *all;
    size_t n;
    int rc = library_history(x->lib, x->o.pos[0], &all, &n, &x->err);

    for (size_t i = 0; rc == AUGUR_OK && i <= n; i++) {
        actions_item(&x->out, x->o.json, i, n);
        if (i == n)
            break;
        if (x->o.json) {
            actions_show_json(&x->out, &all[i]);
        } else {
            char when[32];
            time_t t = (time_t)(all[i].created_ms / 1000);
            strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S", gmtime(&t));
            buf_printf(&x->out, "v%-3d %s  %-9s %.10s  %s\n", all[i].version, when,
                       action_origin_name(all[i].origin), all[i].hash, all[i].doc.description);
        }
    }
    if (rc == AUGUR_OK)
        actions_free(all, n);
    return rc;
}

static int run_work(actions_ctx *x)
{
    const config *cfg = cli_config(x->c);
    const char *allow[8];
    sandbox_value *args = NULL;
    sandbox_result res;
    int rc;

    x->status = CLI_USAGE;
    if (x->o.npos == 2 && (rc = sandbox_value_parse(x->o.pos[1], strlen(x->o.pos[1]),
                                                    "ARGS_JSON", &args, &x->err)))
        return rc;
    if (args && args->type != SANDBOX_ARRAY) {
        sandbox_value_free(args);
        return augur_err_set(&x->err, AUGUR_EINVAL, "ARGS_JSON must be a JSON array");
    }
    x->status = CLI_OK;
    library_run_opts run = { x->o.pos[0], args, x->o.task,
                             (int)config_int(cfg, "actions.max_depth", 8), { 0 }, 1, NULL, 0 };
    run.job.allow = allow;
    run.job.nallow = actions_allow(cfg, allow, 8);
    if ((rc = library_run(x->lib, x->sb, &run, &res, &x->err)) == AUGUR_OK) {
        sandbox_result_write(&x->out, &res);
        buf_putc(&x->out, '\n');
        x->status = res.ok ? CLI_OK : CLI_FAILED;
        sandbox_result_free(&res);
    }
    sandbox_value_free(args);
    return rc;
}

static void write_json(buf *out, const library_write_result *w)
{
    buf_printf(out, "{\"ok\": %s, \"attempts\": %d, \"action\": ", w->ok ? "true" : "false",
               w->attempts);
    if (*w->action)
        json_quote(out, w->action, strlen(w->action));
    else
        buf_puts(out, "null");
    buf_printf(out, ", \"version\": %d", w->version);
    actions_json_str(out, "thought", w->thought, 1);
    actions_json_str(out, "code", w->code, 1);
    if (w->error)
        actions_json_str(out, "error", w->error, 1);
    else
        buf_puts(out, ", \"error\": null");
    buf_puts(out, ", \"run\": ");
    sandbox_result_write(out, &w->run);
    buf_puts(out, "}\n");
}

static int write_work(actions_ctx *x)
{
    const config *cfg = cli_config(x->c);
    const char *allow[8];
    library_write_opts opt = { x->o.pos[0], x->o.context,
                               (int)config_int(cfg, "actions.write_k", 5),
                               (int)config_int(cfg, "actions.write_attempts", 3),
                               (size_t)config_int(cfg, "actions.max_error", 2000),
                               (int)config_int(cfg, "actions.max_depth", 8), { 0 },
                               MODEL_OPTIONS_DEFAULT };
    library_write_result w;
    model_conf mc = { 0 };
    model *m = NULL;
    int rc;

    opt.job.isolation = SANDBOX_PROCESS;
    opt.job.allow = allow;
    opt.job.nallow = actions_allow(cfg, allow, 8);
    if ((rc = model_conf_read(cfg, &mc, &x->err)) != AUGUR_OK ||
        (rc = model_open(&m, &mc.cfg, &x->err)) != AUGUR_OK) {
        model_conf_free(&mc);
        return rc;
    }
    rc = library_write(x->lib, m, x->sb, &opt, &w, &x->err);
    if (rc == AUGUR_OK && *w.action && config_bool(cfg, "actions.embed", 0)) {
        size_t count;
        if ((rc = library_embed_pending(x->lib, m, &count, &x->err)) != AUGUR_OK)
            augur_err_prefix(&x->err, "embeddings (actions.embed): ");
    }
    if (rc == AUGUR_OK && x->o.json) {
        write_json(&x->out, &w);
    } else if (rc == AUGUR_OK) {
        if (*w.action)
            buf_printf(&x->out, "stored %s v%d", w.action, w.version);
        else
            buf_puts(&x->out, w.ok ? "no new action" : "failed");
        buf_printf(&x->out, " after %d attempt%s\n", w.attempts, w.attempts == 1 ? "" : "s");
        if (w.error)
            buf_printf(&x->out, "%s\n", w.error);
        sandbox_result_write(&x->out, &w.run);
        buf_putc(&x->out, '\n');
    }
    x->status = w.ok ? CLI_OK : CLI_FAILED;
    library_write_result_free(&w);
    model_close(m);
    model_conf_free(&mc);
    return rc;
}

static int export_work(actions_ctx *x)
{
    size_t n;
    int rc = library_export(x->lib, x->o.pos[0], x->o.git, &n, &x->err);

    if (rc == AUGUR_OK)
        buf_printf(&x->out, "exported %zu actions to %s\n", n, x->o.pos[0]);
    return rc;
}

static int import_work(actions_ctx *x)
{
    size_t added, skipped;
    int rc = library_import(x->lib, x->o.pos[0], x->o.conflict, &added, &skipped, &x->err);

    buf_printf(&x->out, "imported %zu actions from %s, skipped %zu\n", added, x->o.pos[0],
               skipped);
    return rc == AUGUR_OK ? actions_embed(x) : rc;
}

static int rm_work(actions_ctx *x)
{
    return x->o.purge ? library_purge(x->lib, x->o.pos[0], &x->err)
                      : library_deprecate(x->lib, x->o.pos[0], &x->err);
}

static int cmd_add_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_JSON | OPT_ORIGIN, 1, 1, add_work);
}

static int cmd_list_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_JSON, 0, 0, list_work);
}

static int cmd_show_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_JSON | OPT_VERSION, 1, 1, show_work);
}

static int cmd_search_run(cli *c, const cli_command *cmd, const char *path, int argc,
                          char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_JSON | OPT_K, 1, 1, search_work);
}

static int cmd_history_run(cli *c, const cli_command *cmd, const char *path, int argc,
                           char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_JSON, 1, 1, history_work);
}

static int cmd_run_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_TASK, 1, 2, run_work);
}

static int cmd_write_run(cli *c, const cli_command *cmd, const char *path, int argc,
                         char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_JSON | OPT_CONTEXT, 1, 1, write_work);
}

static int cmd_export_run(cli *c, const cli_command *cmd, const char *path, int argc,
                          char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_GIT, 1, 1, export_work);
}

static int cmd_import_run(cli *c, const cli_command *cmd, const char *path, int argc,
                          char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_CONFLICT, 1, 1, import_work);
}

static int cmd_rm_run(cli *c, const cli_command *cmd, const char *path, int argc, char **argv)
{
    return actions_command(c, cmd, path, argc, argv, OPT_PURGE, 1, 1, rm_work);
}

#define DB_HELP "options:\n" \
                "  --db FILE         the library (default: [actions] db, else\n" \
                "                    $XDG_DATA_HOME/augur/actions.db)\n"

static const cli_command cmd_add = {
    "add", "FILE.lua",
    "validate an action file in the sandbox and store it (a changed source is a new version)",
    DB_HELP "  --origin ORIGIN   user (the default), generated or builtin\n"
    "  --json            print {\"name\", \"version\", \"description\", \"kind\", \"hash\"}\n",
    cmd_add_run, NULL,
};
static const cli_command cmd_list = {
    "list", "", "list the actions (latest versions, not deprecated)",
    DB_HELP "  --json            an array of {\"name\", \"version\", \"description\", \"kind\",\n"
    "                    \"uses\", \"success_rate\"}\n",
    cmd_list_run, NULL,
};
static const cli_command cmd_show = {
    "show", "NAME", "print an action's source (or all it records)",
    DB_HELP "  --version N       that version (default: the latest)\n"
    "  --json            the version's record, source included, as JSON\n",
    cmd_show_run, NULL,
};
static const cli_command cmd_search = {
    "search", "QUERY", "the actions best matching QUERY (BM25, mixed with embeddings when actions.embed is on)",
    DB_HELP "  --k N             how many (default actions.search_k)\n"
    "  --json            an array of {\"name\", \"version\", \"description\", \"kind\", \"score\"}\n",
    cmd_search_run, NULL,
};
static const cli_command cmd_history = {
    "history", "NAME", "every version of an action, oldest first",
    DB_HELP "  --json            an array of the versions' records\n",
    cmd_history_run, NULL,
};
static const cli_command cmd_run = {
    "run", "NAME [ARGS_JSON]",
    "run an action in the sandbox, with the actions it calls, and print the result as JSON",
    DB_HELP "  --task ID         the task the use is recorded under\n"
    "ARGS_JSON is a JSON array of arguments. The run has [sandbox]'s limits and isolation and\n"
    "the capabilities [actions] allow names; the output is `augur lua run`'s. Exit status 0\n"
    "when the run succeeded, 1 when it failed.\n",
    cmd_run_run, NULL,
};
static const cli_command cmd_write = {
    "write", "TASK",
    "do TASK with Lua the model writes, repaired from its errors; store a new action that works",
    DB_HELP "  --context TEXT    what the task works on, for the prompt\n"
    "  --json            print {\"ok\", \"attempts\", \"action\", \"version\", \"thought\",\n"
    "                    \"code\", \"error\", \"run\"}\n"
    "The model is [model]'s; the prompt offers the actions.write_k best actions for TASK;\n"
    "the code runs in process isolation with the capabilities [actions] allow names, and a\n"
    "failure (at most actions.max_error bytes of it) goes back for a repair, up to\n"
    "actions.write_attempts replies. Exit status 0 when some code ran without error.\n",
    cmd_write_run, NULL,
};
static const cli_command cmd_export = {
    "export", "DIR", "write the latest actions to DIR/actions/PR/NAME.lua",
    DB_HELP "  --git             commit them (the default when DIR is a git repository)\n",
    cmd_export_run, NULL,
};
static const cli_command cmd_import = {
    "import", "DIR", "add every action file under DIR",
    DB_HELP "  --conflict RULE   a name already here with another source: skip it, revise\n"
    "                    (the file becomes the next version) or fail (the default)\n",
    cmd_import_run, NULL,
};
static const cli_command cmd_rm = {
    "rm", "NAME", "deprecate an action (hidden, history kept), or delete it",
    DB_HELP "  --purge           delete every version, its usage and its mirror file\n",
    cmd_rm_run, NULL,
};

static const cli_command *const actions_commands[] = {
    &cmd_add, &cmd_list, &cmd_show, &cmd_search, &cmd_history, &cmd_run, &cmd_write,
    &cmd_export, &cmd_import, &cmd_rm, NULL,
};

const cli_command cli_actions_command = {
    "actions", "COMMAND", "the action library: add, list, search, run, write, share", NULL, NULL,
    actions_commands,
};
