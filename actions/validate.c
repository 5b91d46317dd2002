/* validate.c — an action's source checked before it is stored: in the sandbox, where it
** must compile and define exactly the global function its LDoc header names. */
#include "actions/private.h"

#include <stdio.h>
#include <string.h>

/* Loads the source into an empty environment reading through to the globals, runs
** its top level, and returns {"ok", "name:type", ...} or {"compile"|"run", message}. */
static const char validate_lua[] =
    "local src, chunk = ...\n"
    "local env = setmetatable({}, { __index = _G })\n"
    "local f, msg = load(src, '=' .. chunk, 't', env)\n"
    "if not f then return { 'compile', msg } end\n"
    "local ok, e = pcall(f)\n"
    "if not ok then return { 'run', tostring(e) } end\n"
    "local names = {}\n"
    "for k, v in next, env do names[#names + 1] = tostring(k) .. ':' .. type(v) end\n"
    "table.sort(names)\n"
    "return { 'ok', table.unpack(names) }\n";

static const sandbox_limits validate_limits = { 10000000, 16 << 20, 2000, 4096, 1 << 20 };

static int validate_fail(const char *file, augur_err *err, const char *fmt, const char *a,
                         const char *b)
{
    char what[AUGUR_ERRMSG_MAX];

    snprintf(what, sizeof what, fmt, a, b);
    return augur_err_set(err, AUGUR_EINVAL, "%s: %s", file, what);
}

/* The verdict of the validator's result v on doc. */
static int validate_names(const sandbox_value *v, const ldoc *doc, const char *file,
                          augur_err *err)
{
    char want[LDOC_NAME_MAX + 16];
    buf names = BUF_INIT;
    int rc;

    if (!v || v->type != SANDBOX_ARRAY || v->n == 0 || v->items[0]->type != SANDBOX_STRING)
        return augur_err_set(err, AUGUR_EINVAL, "%s: the validator returned nothing", file);
    if (v->n == 2 && strcmp(v->items[0]->str, "compile") == 0)
        return validate_fail(file, err, "does not compile: %s%s", v->items[1]->str, "");
    if (v->n == 2 && strcmp(v->items[0]->str, "run") == 0)
        return validate_fail(file, err, "its top level fails: %s%s", v->items[1]->str, "");
    if (strcmp(v->items[0]->str, "ok") != 0)
        return augur_err_set(err, AUGUR_EINVAL, "%s: the validator failed", file);
    snprintf(want, sizeof want, "%s:function", doc->name);
    for (size_t i = 1; i < v->n; i++)
        buf_printf(&names, "%s%s", names.len ? ", " : "", v->items[i]->str);
    if (names.oom)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (v->n == 2 && strcmp(buf_str(&names), want) == 0)
        rc = AUGUR_OK;
    else if (v->n == 1)
        rc = validate_fail(file, err, "defines no global function; its LDoc header names '%s'",
                           doc->name, "");
    else
        rc = validate_fail(file, err, "must define exactly the global function '%s' and nothing "
                           "else, but defines %s (make helpers local)", doc->name, buf_str(&names));
    buf_free(&names);
    return rc;
}

static int validate_run(library *lib, const char *src, size_t len, const char *file,
                        const ldoc *doc, augur_err *err)
{
    sandbox_value *args = sandbox_value_new(SANDBOX_ARRAY);
    sandbox_job job = { validate_lua, sizeof validate_lua - 1, "validate", NULL, NULL, 0,
                        &validate_limits, SANDBOX_DEFAULT, NULL, 0 };
    sandbox_result res;
    int rc;

    if (!args || sandbox_value_push(args, NULL, 0, sandbox_value_string(src, len)) ||
        sandbox_value_push(args, NULL, 0, sandbox_value_string(doc->name, strlen(doc->name)))) {
        sandbox_value_free(args);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    job.args = args;
    rc = sandbox_run(lib->sb, &job, &res, err);
    sandbox_value_free(args);
    if (rc != AUGUR_OK)
        return rc;
    if (!res.ok)
        rc = augur_err_set(err, AUGUR_EINVAL, "%s: its top level fails (%s): %s", file,
                           sandbox_kind_name(res.kind), res.message ? res.message : "");
    else
        rc = validate_names(res.value, doc, file, err);
    sandbox_result_free(&res);
    return rc;
}

int validate_source(library *lib, const char *src, size_t len, const char *file, ldoc *doc,
                    augur_err *err)
{
    const char *nul;

    if (!file)
        file = "action";
    if ((int64_t)len > lib->max_source)
        return augur_err_set(err, AUGUR_EINVAL, "%s: the source is %zu bytes, more than the "
                             "%lld an action may have (actions.max_source)", file, len,
                             (long long)lib->max_source);
    if ((nul = memchr(src, '\0', len)))
        return augur_err_set(err, AUGUR_EINVAL, "%s: the source contains a NUL byte at offset "
                             "%zu; an action is Lua text", file, (size_t)(nul - src));
    if (ldoc_parse(src, len, file, doc, err) != AUGUR_OK)
        return AUGUR_EINVAL;
    return validate_run(lib, src, len, file, doc, err);
}
