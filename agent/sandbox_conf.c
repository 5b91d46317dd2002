/* sandbox_conf.c — the [sandbox] section of the configuration, made into a sandbox. */
#include "agent/sandbox_conf.h"
#include "base/xdg.h"
#include "sandbox/caps.h"

#include <stdlib.h>

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
    if ((rc = sandbox_conf_int(c, "sandbox.instructions", 0, INT64_MAX, &v[0], err)) ||
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

/* sandbox.http_allow, which must hold only strings. */
static int sandbox_conf_allow(const config *c, const char ***out, size_t *n, augur_err *err)
{
    const toml_value *list = config_get(c, "sandbox.http_allow");
    char where[512];

    *n = list ? toml_len(list) : 0;
    if (!(*out = calloc(*n + 1, sizeof **out)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (size_t i = 0; i < *n; i++) {
        if (toml_kind(toml_at(list, i)) != TOML_STRING) {
            sandbox_conf_where(c, "sandbox.http_allow", where, sizeof where);
            free(*out);
            return augur_err_set(err, AUGUR_ECONFIG, "%s: sandbox.http_allow must hold host "
                                 "names (strings)", where);
        }
        (*out)[i] = toml_str(toml_at(list, i), NULL);
    }
    return AUGUR_OK;
}

static int sandbox_conf_caps(const config *c, sandbox *sb, const char *workspace, augur_err *err)
{
    sandbox_http_opts http = { 0 };
    const char *kv = config_str(c, "sandbox.kv_file", "");
    buf kvpath = BUF_INIT;
    int64_t fs_max, http_max, http_ms, redirects, kv_max;
    int rc;

    if ((rc = sandbox_conf_int(c, "sandbox.fs_max_bytes", 1, INT32_MAX, &fs_max, err)) ||
        (rc = sandbox_conf_int(c, "sandbox.http_max_bytes", 1, INT32_MAX, &http_max, err)) ||
        (rc = sandbox_conf_int(c, "sandbox.http_timeout_ms", 1, 86400000, &http_ms, err)) ||
        (rc = sandbox_conf_int(c, "sandbox.http_max_redirects", 0, 100, &redirects, err)) ||
        (rc = sandbox_conf_int(c, "sandbox.kv_max_bytes", 1, INT32_MAX, &kv_max, err)))
        return rc;
    if (!*kv && (rc = xdg_path(XDG_DATA, "kv.json", &kvpath, err)) != AUGUR_OK)
        return rc;
    if ((rc = sandbox_conf_allow(c, (const char ***)&http.allow, &http.nallow, err)) != AUGUR_OK) {
        buf_free(&kvpath);
        return rc;
    }
    http.max_bytes = http_max;
    http.timeout_ms = http_ms;
    http.max_redirects = (int)redirects;
    http.ca_file = config_str(c, "sandbox.http_ca_file", "");
    if ((rc = sandbox_fs_add(sb, workspace, fs_max, err)) == AUGUR_OK &&
        (rc = sandbox_http_add(sb, &http, err)) == AUGUR_OK)
        rc = sandbox_kv_add(sb, *kv ? kv : buf_str(&kvpath), kv_max, err);
    free((void *)http.allow);
    buf_free(&kvpath);
    return rc;
}

int sandbox_conf_open(const config *c, const sandbox_config *cfg, const char *workspace,
                      sandbox **out, augur_err *err)
{
    int rc = sandbox_new(out, cfg, err);

    if (rc == AUGUR_OK &&
        (rc = sandbox_conf_caps(c, *out, workspace ? workspace
                                : config_str(c, "sandbox.workspace", "."), err)) != AUGUR_OK) {
        sandbox_free(*out);
        *out = NULL;
    }
    return rc;
}
