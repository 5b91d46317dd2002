/*
** sandbox.c — the sandbox handle: configuration, capabilities, runs, results.
*/
#include "sandbox/private.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sandbox_kind_names[] = {
    "none", "syntax", "runtime", "instructions", "memory", "timeout", "output", "denied",
    "crashed", "internal",
};

const char *sandbox_kind_name(sandbox_kind kind)
{
    return (unsigned)kind < sizeof sandbox_kind_names / sizeof *sandbox_kind_names
               ? sandbox_kind_names[kind] : "internal";
}

const char *sandbox_isolation_name(sandbox_isolation iso)
{
    return iso == SANDBOX_PROCESS ? "process" : iso == SANDBOX_INPROC ? "inproc" : "default";
}

int sandbox_isolation_parse(const char *name)
{
    if (strcmp(name, "inproc") == 0)
        return SANDBOX_INPROC;
    if (strcmp(name, "process") == 0)
        return SANDBOX_PROCESS;
    return -1;
}

int sandbox_limits_check(const sandbox_limits *lim, augur_err *err)
{
    const struct { const char *name; int64_t value, min; } fields[] = {
        { "instructions", lim->instructions, 0 },
        { "memory", lim->memory_bytes, 64 * 1024 },
        { "timeout_ms", lim->timeout_ms, 1 },
        { "max_output", lim->max_output, 1 },
        { "max_string", lim->max_string, 1 },
    };

    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (fields[i].value < fields[i].min)
            return augur_err_set(err, AUGUR_EINVAL, "sandbox limit %s must be at least %lld, not %lld",
                                 fields[i].name, (long long)fields[i].min,
                                 (long long)fields[i].value);
    if (lim->timeout_ms > 86400000)
        return augur_err_set(err, AUGUR_EINVAL, "sandbox limit timeout_ms must be at most a day");
    return AUGUR_OK;
}

int sandbox_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? AUGUR_OK : AUGUR_ENOMEM;
}

int sandbox_new(sandbox **out, const sandbox_config *cfg, augur_err *err)
{
    sandbox *sb;
    int rc;

    *out = NULL;
    if ((rc = sandbox_limits_check(&cfg->limits, err)) != AUGUR_OK)
        return rc;
    if (cfg->isolation != SANDBOX_INPROC && cfg->isolation != SANDBOX_PROCESS)
        return augur_err_set(err, AUGUR_EINVAL, "sandbox isolation must be inproc or process");
    if (cfg->workers < 1 || cfg->workers > 64 || cfg->worker_runs < 1 || cfg->worker_cpu_s < 1 ||
        cfg->worker_mem_bytes < 0)
        return augur_err_set(err, AUGUR_EINVAL, "sandbox workers must be 1 to 64, and worker_runs "
                             "and worker_cpu_s positive");
    if (!(sb = calloc(1, sizeof *sb)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    sb->cfg = *cfg;
    *out = sb;
    return AUGUR_OK;
}

void sandbox_free(sandbox *sb)
{
    if (!sb)
        return;
    sandbox_pool_free(sb->pool);
    watchdog_free(sb->dog);
    for (size_t i = 0; i < sb->ncaps; i++) {
        sandbox_cap *c = &sb->caps[i];
        for (sandbox_fn *f = c->fns; f->name; f++)
            free((char *)f->name);
        free(c->fns);
        free(c->name);
        if (c->ud_free)
            c->ud_free(c->ud);
    }
    free(sb->caps);
    free(sb);
}

/* A name scripts can write as host.NAME: a Lua identifier. */
static int sandbox_name_ok(const char *s)
{
    if (!s || !(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
              (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

const sandbox_cap *sandbox_cap_find(const sandbox_cap *caps, size_t n, const char *name,
                                    size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(caps[i].name) == len && memcmp(caps[i].name, name, len) == 0)
            return &caps[i];
    return NULL;
}

int sandbox_job_allows(const sandbox_job *job, const char *cap)
{
    for (size_t i = 0; i < job->nallow; i++)
        if (strcmp(job->allow[i], cap) == 0)
            return 1;
    return 0;
}

int sandbox_capability_add(sandbox *sb, const char *cap, const sandbox_fn *fns, void *ud,
                           void (*ud_free)(void *), augur_err *err)
{
    sandbox_cap *caps, *c;
    size_t n = 0;
    int rc = AUGUR_OK;

    if (!sandbox_name_ok(cap))
        rc = augur_err_set(err, AUGUR_EINVAL, "capability name '%s' is not a Lua name",
                           cap ? cap : "(null)");
    else if (sandbox_cap_find(sb->caps, sb->ncaps, cap, strlen(cap)))
        rc = augur_err_set(err, AUGUR_EINVAL, "capability '%s' is already added", cap);
    for (; rc == AUGUR_OK && fns[n].name; n++)
        if (!sandbox_name_ok(fns[n].name) || !fns[n].fn)
            rc = augur_err_set(err, AUGUR_EINVAL, "capability %s: function name '%s' is not a "
                               "Lua name, or has no function", cap, fns[n].name);
    if (rc == AUGUR_OK && !(caps = realloc(sb->caps, (sb->ncaps + 1) * sizeof *caps)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (rc != AUGUR_OK) {
        if (ud_free)
            ud_free(ud);
        return rc;
    }
    sb->caps = caps;
    c = &caps[sb->ncaps];
    memset(c, 0, sizeof *c);
    c->name = strdup(cap);
    c->fns = calloc(n + 1, sizeof *c->fns);
    for (size_t i = 0; c->fns && i < n; i++) {
        c->fns[i].fn = fns[i].fn;
        if (!(c->fns[i].name = strdup(fns[i].name)))
            break;
    }
    c->ud = ud;
    c->ud_free = ud_free;
    sb->ncaps++;
    if (!c->name || !c->fns || (n && !c->fns[n - 1].name)) {
        /* Keep the entry consistent for sandbox_free, then take it out. */
        sb->ncaps--;
        if (c->fns)
            for (size_t i = 0; i < n && c->fns[i].name; i++)
                free((char *)c->fns[i].name);
        free(c->fns);
        free(c->name);
        if (ud_free)
            ud_free(ud);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    return AUGUR_OK;
}

int sandbox_run(sandbox *sb, const sandbox_job *job, sandbox_result *res, augur_err *err)
{
    const sandbox_limits *lim = job && job->limits ? job->limits : &sb->cfg.limits;
    sandbox_isolation iso;
    int rc;

    memset(res, 0, sizeof *res);
    if (!job || (!job->source && job->len))
        return augur_err_set(err, AUGUR_EINVAL, "sandbox_run: no source");
    if ((rc = sandbox_limits_check(lim, err)) != AUGUR_OK)
        return rc;
    if (job->args && job->args->type != SANDBOX_ARRAY)
        return augur_err_set(err, AUGUR_EINVAL, "sandbox_run: arguments must be an array");
    iso = job->isolation == SANDBOX_DEFAULT ? sb->cfg.isolation : job->isolation;
    if (iso == SANDBOX_INPROC && !lim->instructions && !sb->dog && watchdog_new(&sb->dog))
        rc = sandbox_result_fail(res, SANDBOX_EINTERNAL, "cannot start the thread that keeps "
                                 "the deadline of runs without an instruction budget");
    else if (iso == SANDBOX_PROCESS)
        rc = sandbox_pool_run(sb, job, lim, res);
    else
        rc = vm_run(job, lim, 0, sb->caps, sb->ncaps, sb->dog, res);
    if (rc != AUGUR_OK) {
        sandbox_result_free(res);
        return augur_err_set(err, rc, "sandbox_run: out of memory");
    }
    return AUGUR_OK;
}

int sandbox_result_fail(sandbox_result *res, sandbox_kind kind, const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    sandbox_value_free(res->value);
    free(res->message);
    res->value = NULL;
    res->ok = 0;
    res->kind = kind;
    res->message = strdup(msg);
    if (!res->output)
        res->output = strdup("");
    return res->message && res->output ? AUGUR_OK : AUGUR_ENOMEM;
}

void sandbox_result_free(sandbox_result *res)
{
    if (!res)
        return;
    sandbox_value_free(res->value);
    free(res->output);
    free(res->message);
    free(res->traceback);
    memset(res, 0, sizeof *res);
}

int sandbox_result_write(buf *out, const sandbox_result *res)
{
    int lossy = res->stats.lossy;

    buf_printf(out, "{\"ok\": %s, \"result\": ", res->ok ? "true" : "false");
    sandbox_value_write(out, res->value, &lossy);
    buf_puts(out, ", \"output\": ");
    sandbox_json_string(out, res->output ? res->output : "", res->output_len, &lossy);
    buf_puts(out, ", \"error\": ");
    if (res->ok) {
        buf_puts(out, "null");
    } else {
        const char *msg = res->message ? res->message : "";
        buf_printf(out, "{\"kind\": \"%s\", \"message\": ", sandbox_kind_name(res->kind));
        sandbox_json_string(out, msg, strlen(msg), &lossy);
        if (res->line > 0)
            buf_printf(out, ", \"line\": %d, \"traceback\": ", res->line);
        else
            buf_puts(out, ", \"line\": null, \"traceback\": ");
        if (res->traceback)
            sandbox_json_string(out, res->traceback, strlen(res->traceback), &lossy);
        else
            buf_puts(out, "null");
        buf_putc(out, '}');
    }
    return buf_printf(out, ", \"stats\": {\"instructions\": %lld, \"peak_bytes\": %lld, "
                      "\"wall_ms\": %.3f, \"lossy\": %s}}", (long long)res->stats.instructions,
                      (long long)res->stats.peak_bytes, res->stats.wall_ms,
                      lossy ? "true" : "false");
}
