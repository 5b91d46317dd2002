/* run.c — an action run in the sandbox with the actions it calls, as globals. */
#include "actions/private.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

enum { RUN_ACTIONS_MAX = 256, RUN_DEPTH = 8 };

/* Loads every action's source, wraps each global so that a call counts against the
** depth limit (to-be-closed, so an error unwinding through a call counts it back),
** then calls the entry action with the arguments, or runs the chunk given instead. */
static const char run_lua[] =
    "local max_depth, entry, names, sources, nargs, args, chunk = ...\n"
    "local depth = 0\n"
    "local leave = setmetatable({}, { __close = function() depth = depth - 1 end })\n"
    "local function wrap(name, f)\n"
    "  return function(...)\n"
    "    if depth >= max_depth then\n"
    "      error(string.format('%s: actions nested deeper than %d', name, max_depth), 2)\n"
    "    end\n"
    "    depth = depth + 1\n"
    "    local guard <close> = leave\n"
    "    return f(...)\n"
    "  end\n"
    "end\n"
    "for i = 1, #names do\n"
    "  local f, msg = load(sources[i], '=' .. names[i] .. '.lua', 't', _ENV)\n"
    "  if not f then error(msg, 0) end\n"
    "  f()\n"
    "  local fn = rawget(_ENV, names[i])\n"
    "  if type(fn) ~= 'function' then error(names[i] .. ' defines no function', 0) end\n"
    "  rawset(_ENV, names[i], wrap(names[i], fn))\n"
    "end\n"
    "if chunk then\n"
    "  local f, msg = load(chunk, '=' .. entry, 't', _ENV)\n"
    "  if not f then error(msg, 0) end\n"
    "  return f(table.unpack(args, 1, nargs))\n"
    "end\n"
    "return _ENV[entry](table.unpack(args, 1, nargs))\n";

typedef struct run_set {
    sandbox_value *names, *sources;
    sqlite3_stmt  *lookup;
} run_set;

static int run_has(const run_set *s, const char *name, size_t len)
{
    for (size_t i = 0; i < s->names->n; i++)
        if (s->names->items[i]->len == len && memcmp(s->names->items[i]->str, name, len) == 0)
            return 1;
    return 0;
}

/* Add name when it is a stored action: 1 added, 0 not an action, or an error. */
static int run_add(library *lib, run_set *s, const char *name, size_t len, augur_err *err)
{
    int step;

    if (!ldoc_is_name(name, len) || run_has(s, name, len))
        return 0;
    sqlite3_reset(s->lookup);
    sqlite3_bind_text(s->lookup, 1, name, (int)len, SQLITE_TRANSIENT);
    if ((step = sqlite3_step(s->lookup)) == SQLITE_DONE)
        return 0;
    if (step != SQLITE_ROW)
        return lib_sqlite_fail(lib, "look up an action", err);
    if (s->names->n == RUN_ACTIONS_MAX)
        return augur_err_set(err, AUGUR_ELIMIT, "a run may use at most %d actions",
                             RUN_ACTIONS_MAX);
    if (sandbox_value_push(s->names, NULL, 0, sandbox_value_string(name, len)) ||
        sandbox_value_push(s->sources, NULL, 0, sandbox_value_string(
            (const char *)sqlite3_column_text(s->lookup, 0),
            (size_t)sqlite3_column_bytes(s->lookup, 0))))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    return 1;
}

/* Every name text[len] mentions that is an action, added in turn. */
static int run_scan(library *lib, run_set *s, const char *text, size_t len, augur_err *err)
{
    const char *p = text, *end = p + len;
    int rc;

    while (p < end) {
        const char *start = p;
        if (!(isalpha((unsigned char)*p) || *p == '_')) {
            p++;
            continue;
        }
        while (p < end && (isalnum((unsigned char)*p) || *p == '_'))
            p++;
        /* A field (t.name, t:name) is no global. */
        if (start > text && (start[-1] == '.' || start[-1] == ':'))
            continue;
        if ((rc = run_add(lib, s, start, (size_t)(p - start), err)) < 0)
            return rc;
    }
    return AUGUR_OK;
}

/* The entry action, or the actions the chunk names, and every action they name. */
static int run_collect(library *lib, run_set *s, const library_run_opts *opt, augur_err *err)
{
    int rc = lib_prepare(lib, "SELECT a.source FROM head h JOIN action a ON a.id = h.id"
                              " WHERE h.name = ?1", &s->lookup, err);

    if (rc != AUGUR_OK)
        return rc;
    if (opt->chunk)
        rc = run_scan(lib, s, opt->chunk, opt->chunk_len, err);
    else if ((rc = run_add(lib, s, opt->name, strlen(opt->name), err)) == 0)
        return augur_err_set(err, AUGUR_ENOTFOUND, "no action '%s'", opt->name);
    for (size_t i = 0; rc >= 0 && i < s->names->n; i++)
        rc = run_scan(lib, s, s->sources->items[i]->str, s->sources->items[i]->len, err);
    return rc < 0 ? rc : AUGUR_OK;
}

/* The prelude's arguments: max_depth, entry, names, sources, nargs, args[, chunk].
** args is the caller's array, borrowed: run_args_free gives it back before freeing. */
static sandbox_value *run_args(const library_run_opts *opt, run_set *s)
{
    sandbox_value *a = sandbox_value_new(SANDBOX_ARRAY);
    size_t nargs = opt->args ? opt->args->n : 0;

    if (!a ||
        sandbox_value_push(a, NULL, 0, sandbox_value_int(opt->max_depth > 0 ? opt->max_depth
                                                                             : RUN_DEPTH)) ||
        sandbox_value_push(a, NULL, 0, sandbox_value_string(opt->name, strlen(opt->name))) ||
        sandbox_value_push(a, NULL, 0, s->names) ||
        (s->names = NULL, sandbox_value_push(a, NULL, 0, s->sources)) ||
        (s->sources = NULL, sandbox_value_push(a, NULL, 0, sandbox_value_int((int64_t)nargs))) ||
        sandbox_value_push(a, NULL, 0, sandbox_value_new(SANDBOX_ARRAY)) ||
        (opt->chunk &&
         sandbox_value_push(a, NULL, 0, sandbox_value_string(opt->chunk, opt->chunk_len)))) {
        sandbox_value_free(a);
        return NULL;
    }
    if (opt->args) {
        sandbox_value_free(a->items[5]);
        a->items[5] = (sandbox_value *)opt->args;
    }
    return a;
}

static void run_args_free(sandbox_value *a, const library_run_opts *opt)
{
    if (a && opt->args && a->n >= 6) {
        if (a->n == 7)
            sandbox_value_free(a->items[6]);
        a->n = 5;
    }
    sandbox_value_free(a);
}

static void run_record(library *lib, const library_run_opts *opt, const sandbox_result *res)
{
    action_use use = { opt->name, 0, opt->task, res->ok,
                       res->ok ? NULL : sandbox_kind_name(res->kind), res->message,
                       res->stats.wall_ms };

    library_record_use(lib, &use, NULL);
}

int library_run(library *lib, sandbox *sb, const library_run_opts *opt, sandbox_result *res,
                augur_err *err)
{
    run_set s = { sandbox_value_new(SANDBOX_ARRAY), sandbox_value_new(SANDBOX_ARRAY), NULL };
    sandbox_value *args = NULL;
    sandbox_job job = opt->job;
    int rc;

    memset(res, 0, sizeof *res);
    if (opt->args && opt->args->type != SANDBOX_ARRAY)
        rc = augur_err_set(err, AUGUR_EINVAL, "run %s: the arguments must be an array",
                           opt->name);
    else if (!s.names || !s.sources)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else if ((rc = run_collect(lib, &s, opt, err)) == AUGUR_OK &&
             !(args = run_args(opt, &s)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    sqlite3_finalize(s.lookup);
    sandbox_value_free(s.names);
    sandbox_value_free(s.sources);
    if (rc != AUGUR_OK)
        return rc;
    job.source = run_lua;
    job.len = sizeof run_lua - 1;
    job.name = "actions";
    job.entry = NULL;
    job.args = args;
    rc = sandbox_run(sb, &job, res, err);
    run_args_free(args, opt);
    if (rc == AUGUR_OK && opt->record)
        run_record(lib, opt, res);
    return rc;
}
