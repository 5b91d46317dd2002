/*
** macro.c — macros in C, and in Lua through the sandbox.
*/
#include "planner/macro.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct macro {
    char        name[64];
    macro_fn    fn;
    void       *ud;
    char       *source;
    size_t      len;
    sandbox    *sb;
    const world_class *cls;
};

static int macro_alloc(const char *name, macro **out, augur_err *err)
{
    *out = NULL;
    if (!name || !*name || strlen(name) >= sizeof (*out)->name)
        return augur_err_set(err, AUGUR_EINVAL, "macro: a name of 1 to 63 bytes is needed");
    if (!(*out = calloc(1, sizeof **out)))
        return augur_err_set(err, AUGUR_ENOMEM, "macro: out of memory");
    snprintf((*out)->name, sizeof (*out)->name, "%s", name);
    return AUGUR_OK;
}

int macro_new_c(const char *name, macro_fn fn, void *ud, macro **out, augur_err *err)
{
    int rc;

    if (!fn)
        return augur_err_set(err, AUGUR_EINVAL, "macro %s: no function given", name ? name : "?");
    if ((rc = macro_alloc(name, out, err)) != AUGUR_OK)
        return rc;
    (*out)->fn = fn;
    (*out)->ud = ud;
    return AUGUR_OK;
}

int macro_new_lua(const char *name, const char *source, size_t len, sandbox *sb,
                  const world_class *cls, macro **out, augur_err *err)
{
    int rc;

    if (!source || !sb || !cls)
        return augur_err_set(err, AUGUR_EINVAL, "macro %s: a Lua macro needs its source, a "
                             "sandbox and a world", name ? name : "?");
    if ((rc = macro_alloc(name, out, err)) != AUGUR_OK)
        return rc;
    if (!((*out)->source = malloc(len + 1))) {
        macro_free(*out);
        *out = NULL;
        return augur_err_set(err, AUGUR_ENOMEM, "macro: out of memory");
    }
    memcpy((*out)->source, source, len);
    (*out)->source[len] = 0;
    (*out)->len = len;
    (*out)->sb = sb;
    (*out)->cls = cls;
    return AUGUR_OK;
}

void macro_free(macro *m)
{
    if (!m)
        return;
    free(m->source);
    free(m);
}

const char *macro_name(const macro *m)
{
    return m->name;
}

/* The script's answer, a list of action names, as action numbers. */
static int macro_names(const macro *m, const sandbox_value *v, int *out, int max, augur_err *err)
{
    int n = 0;

    if (!v)
        return 0;
    if (v->type != SANDBOX_ARRAY)
        return augur_err_set(err, AUGUR_EINVAL, "macro %s: macro(obs) must return a list of "
                             "action names", m->name);
    for (size_t i = 0; i < v->n; i++) {
        const sandbox_value *a = v->items[i];
        int k = a->type == SANDBOX_STRING ? world_action_find(m->cls, a->str) : -1;
        if (k < 0)
            return augur_err_set(err, AUGUR_EINVAL, "macro %s: item %zu is not an action of %s",
                                 m->name, i + 1, m->cls->name);
        if (n == max)
            return augur_err_set(err, AUGUR_ELIMIT, "macro %s: more than %d actions", m->name,
                                 max);
        out[n++] = k;
    }
    return n;
}

static int macro_run_lua(macro *m, const state *obs, int *out, int max, augur_err *err)
{
    sandbox_value *args = sandbox_value_new(SANDBOX_ARRAY), *o = NULL;
    sandbox_job job;
    sandbox_result res;
    buf json = BUF_INIT;
    int rc;

    if (!args || state_to_json(obs, &json) != AUGUR_OK) {
        sandbox_value_free(args);
        buf_free(&json);
        return augur_err_set(err, AUGUR_ENOMEM, "macro %s: cannot pass the observation", m->name);
    }
    rc = sandbox_value_parse(json.data, json.len, m->name, &o, err);
    buf_free(&json);
    if (rc != AUGUR_OK || (rc = sandbox_value_push(args, NULL, 0, o)) != AUGUR_OK) {
        sandbox_value_free(args);
        return rc;
    }
    memset(&job, 0, sizeof job);
    job.source = m->source;
    job.len = m->len;
    job.name = m->name;
    job.entry = "macro";
    job.args = args;
    rc = sandbox_run(m->sb, &job, &res, err);
    sandbox_value_free(args);
    if (rc != AUGUR_OK)
        return rc;
    if (!res.ok)
        rc = augur_err_set(err, AUGUR_EINVAL, "macro %s: %s: %s", m->name,
                           sandbox_kind_name(res.kind), res.message ? res.message : "failed");
    else
        rc = macro_names(m, res.value, out, max, err);
    sandbox_result_free(&res);
    return rc;
}

int macro_expand(macro *m, const state *obs, int *out, int max, augur_err *err)
{
    int n;

    if (!m->fn)
        return macro_run_lua(m, obs, out, max, err);
    if ((n = m->fn(m->ud, obs, out, max)) < 0)
        return augur_err_set(err, n, "macro %s failed", m->name);
    return n > max ? max : n;
}
