/* sandbox_conf.c — the [sandbox] section of the configuration, made into a sandbox. */
#include "agent/sandbox_conf.h"

#include <stdio.h>
#include <string.h>

/* Where key was set, as messages name it: "file:line" or "-c key=value". */
static void sandbox_conf_where(const config *c, const char *key, char *out, size_t size)
{
    int line = 0;
    const char *origin = config_origin(c, key, &line);

    if (line > 0)
        snprintf(out, size, "%s:%d", origin, line);
    else
        snprintf(out, size, "%s", origin ? origin : "default");
}

/* An integer key that must lie in [min, max]; names where it was set when not. */
static int sandbox_conf_int(const config *c, const char *key, int64_t min, int64_t max,
                            int64_t *out, augur_err *err)
{
    char where[512];

    *out = config_int(c, key, min - 1);
    if (*out >= min && *out <= max)
        return AUGUR_OK;
    sandbox_conf_where(c, key, where, sizeof where);
    return augur_err_set(err, AUGUR_ECONFIG, "%s: %s must be from %lld to %lld, not %lld", where,
                         key, (long long)min, (long long)max, (long long)*out);
}

int sandbox_conf_read(const config *c, sandbox_config *out, augur_err *err)
{
    const char *iso = config_str(c, "sandbox.isolation", "");
    int64_t v[10];
    char where[512];
    int rc = AUGUR_OK;

    memset(out, 0, sizeof *out);
    if (sandbox_isolation_parse(iso) < 0) {
        sandbox_conf_where(c, "sandbox.isolation", where, sizeof where);
        return augur_err_set(err, AUGUR_ECONFIG, "%s: sandbox.isolation must be inproc or "
                             "process, not '%s'", where, iso);
    }
    out->isolation = (sandbox_isolation)sandbox_isolation_parse(iso);
    if ((rc = sandbox_conf_int(c, "sandbox.instructions", 1, INT64_MAX, &v[0], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.memory_mb", 1, 1 << 20, &v[1], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.timeout_ms", 1, 86400000, &v[2], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.max_output", 1, INT32_MAX, &v[3], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.max_string", 1, INT32_MAX, &v[4], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.workers", 1, 64, &v[5], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.worker_runs", 1, INT32_MAX, &v[6], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.worker_cpu_s", 1, INT32_MAX, &v[7], err)) ||
        (rc = sandbox_conf_int(c, "sandbox.worker_extra_mb", 0, 1 << 20, &v[8], err)))
        return rc;
    out->limits = (sandbox_limits){ v[0], v[1] << 20, v[2], v[3], v[4] };
    out->workers = (int)v[5];
    out->worker_runs = (int)v[6];
    out->worker_cpu_s = (int)v[7];
    out->worker_mem_bytes = v[8] << 20;
    return AUGUR_OK;
}
