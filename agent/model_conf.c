/* model_conf.c — the [model] section of the configuration, made into a model_config. */
#include "agent/model_conf.h"
#include "base/xdg.h"

#include <stdlib.h>
#include <string.h>

void model_conf_prices(const config *c, model_config *mc)
{
    buf key = BUF_INIT;
    size_t at;

    buf_puts(&key, "model.prices.");
    toml_key_write(&key, mc->name, strlen(mc->name));
    at = key.len;
    buf_puts(&key, ".input");
    mc->price_input = key.oom ? 0 : config_float(c, buf_str(&key), 0);
    buf_truncate(&key, at);
    buf_puts(&key, ".output");
    mc->price_output = key.oom ? 0 : config_float(c, buf_str(&key), 0);
    buf_free(&key);
}

/* model.http.headers, which must hold only strings. */
static int model_conf_headers(const config *c, model_http_config *h, augur_err *err)
{
    const toml_value *list = config_get(c, "model.http.headers");
    const char **lines;
    char where[512];

    h->n_headers = list ? toml_len(list) : 0;
    if (!(lines = calloc(h->n_headers + 1, sizeof *lines)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (size_t i = 0; i < h->n_headers; i++) {
        if (toml_kind(toml_at(list, i)) != TOML_STRING) {
            free(lines);
            config_where(c, "model.http.headers", where, sizeof where);
            return augur_err_set(err, AUGUR_ECONFIG, "%s: model.http.headers must hold "
                                 "\"Name: value\" strings", where);
        }
        lines[i] = toml_str(toml_at(list, i), NULL);
    }
    h->headers = lines;
    return AUGUR_OK;
}

static int model_conf_http(const config *c, model_http_config *h, augur_err *err)
{
    int64_t v[7];
    int rc;

    h->url = config_str(c, "model.http.url", "");
    h->api_key_env = config_str(c, "model.http.api_key_env", "");
    if ((rc = config_int_in(c, "model.http.connect_timeout_ms", 0, 86400000, &v[0], err)) ||
        (rc = config_int_in(c, "model.http.timeout_ms", 0, 86400000, &v[1], err)) ||
        (rc = config_int_in(c, "model.http.idle_timeout_ms", 0, 86400000, &v[2], err)) ||
        (rc = config_int_in(c, "model.http.retries", 0, 100, &v[3], err)) ||
        (rc = config_int_in(c, "model.http.backoff_ms", 0, 3600000, &v[4], err)) ||
        (rc = config_int_in(c, "model.http.backoff_max_ms", 0, 86400000, &v[5], err)) ||
        (rc = config_int_in(c, "model.http.max_response_bytes", 1, INT32_MAX, &v[6], err)))
        return rc;
    h->connect_timeout_ms = v[0];
    h->timeout_ms = v[1];
    h->idle_timeout_ms = v[2];
    h->retries = (int)v[3];
    h->backoff_ms = v[4];
    h->backoff_max_ms = v[5];
    h->max_response_bytes = (size_t)v[6];
    return model_conf_headers(c, h, err);
}

/* A float at path within [lo, hi]. */
static int model_conf_float(const config *c, const char *path, double lo, double hi, double *out,
                            augur_err *err)
{
    char where[512];

    *out = config_float(c, path, lo - 1);
    if (*out >= lo && *out <= hi)
        return AUGUR_OK;
    config_where(c, path, where, sizeof where);
    return augur_err_set(err, AUGUR_ECONFIG, "%s: %s must be from %g to %g, not %g", where, path,
                         lo, hi, *out);
}

/* A string key that must be one of the names (a NULL-ended list). */
static int model_conf_choice(const config *c, const char *path, const char *const *names,
                             const char **out, augur_err *err)
{
    char where[512];
    buf list = BUF_INIT;

    *out = config_str(c, path, "");
    for (const char *const *n = names; *n; n++)
        if (strcmp(*n, *out) == 0)
            return AUGUR_OK;
    for (const char *const *n = names; *n; n++)
        buf_printf(&list, "%s%s", n == names ? "" : n[1] ? ", " : " or ", *n);
    config_where(c, path, where, sizeof where);
    augur_err_set(err, AUGUR_ECONFIG, "%s: %s is '%s' (%s)", where, path, *out, buf_str(&list));
    buf_free(&list);
    return AUGUR_ECONFIG;
}

static int model_conf_routing(const config *c, engine_routing *r, augur_err *err)
{
    static const char *const modes[] = { "top-k", "top-p", "skip", NULL };
    const char *mode;
    int64_t k, lo, hi;
    int rc;

    if ((rc = model_conf_choice(c, "model.routing.mode", modes, &mode, err)) ||
        (rc = config_int_in(c, "model.routing.k", 0, 1 << 16, &k, err)) ||
        (rc = config_int_in(c, "model.routing.min_experts", 1, 1 << 16, &lo, err)) ||
        (rc = config_int_in(c, "model.routing.max_experts", 0, 1 << 16, &hi, err)) ||
        (rc = model_conf_float(c, "model.routing.p", 0, 1, &r->p, err)) ||
        (rc = model_conf_float(c, "model.routing.beta", 0, 1, &r->beta, err)))
        return rc;
    engine_route_mode_parse(mode, &r->mode);
    r->k = (int)k;
    r->min_experts = (int)lo;
    r->max_experts = (int)hi;
    return AUGUR_OK;
}

static int model_conf_sampling(const config *c, sampler_params *p, augur_err *err)
{
    int64_t top_k, last_n, seed;
    int rc;

    if ((rc = model_conf_float(c, "model.sampling.temperature", 0, 100, &p->temperature, err)) ||
        (rc = model_conf_float(c, "model.sampling.top_p", 0, 1, &p->top_p, err)) ||
        (rc = model_conf_float(c, "model.sampling.min_p", 0, 1, &p->min_p, err)) ||
        (rc = model_conf_float(c, "model.sampling.repeat_penalty", 1e-6, 100, &p->repeat_penalty,
                               err)) ||
        (rc = config_int_in(c, "model.sampling.top_k", 0, INT32_MAX, &top_k, err)) ||
        (rc = config_int_in(c, "model.sampling.repeat_last_n", 0, INT32_MAX, &last_n, err)) ||
        (rc = config_int_in(c, "model.sampling.seed", 0, INT64_MAX, &seed, err)))
        return rc;
    p->top_k = (int)top_k;
    p->repeat_last_n = (int)last_n;
    p->seed = (uint64_t)seed;
    return AUGUR_OK;
}

int model_conf_local(const config *c, model_local_config *out, augur_err *err)
{
    static const char *const kv[] = { "f32", "f16", NULL }, *const kernels[] = { "auto", "scalar",
                                                                                  NULL };
    static const char *const weights[] = { "load", "map", NULL };
    static const char *const templates[] = { "auto", "chatml", "llama3", "mistral", "granite",
                                              "olmoe", NULL };
    static const model_local_config defaults = MODEL_LOCAL_CONFIG_DEFAULT;
    const char *kv_type, *kernel, *weight;
    int64_t threads, context, batch;
    int rc;

    *out = defaults;
    if ((rc = model_conf_choice(c, "model.template", templates, &out->template, err)) ||
        (rc = config_int_in(c, "model.threads", 0, 1024, &threads, err)) ||
        (rc = config_int_in(c, "model.context", 0, 1 << 24, &context, err)) ||
        (rc = config_int_in(c, "model.batch", 0, 1 << 16, &batch, err)) ||
        (rc = model_conf_choice(c, "model.kv_type", kv, &kv_type, err)) ||
        (rc = model_conf_choice(c, "model.kernels", kernels, &kernel, err)) ||
        (rc = model_conf_choice(c, "model.weights", weights, &weight, err)) ||
        (rc = model_conf_routing(c, &out->routing, err)))
        return rc;
    out->engine.threads = (int)threads;
    out->engine.context = (int)context;
    out->engine.batch = (int)batch;
    out->engine.kv = strcmp(kv_type, "f16") == 0 ? ENGINE_KV_F16 : ENGINE_KV_F32;
    out->engine.scalar = strcmp(kernel, "scalar") == 0;
    out->engine.weights = strcmp(weight, "map") == 0 ? ENGINE_WEIGHTS_MAP : ENGINE_WEIGHTS_LOAD;
    return model_conf_sampling(c, &out->sampling, err);
}

int model_conf_read(const config *c, model_conf *mc, augur_err *err)
{
    static const model_config defaults = MODEL_CONFIG_DEFAULT;
    static const char *const backends[] = { "local", "http", "replay", NULL };
    const char *backend;
    model_config *out = &mc->cfg;
    int64_t max_tokens, ttl;
    int rc;

    *out = defaults;
    mc->cache_path = (buf)BUF_INIT;
    if ((rc = model_conf_choice(c, "model.backend", backends, &backend, err)) != AUGUR_OK)
        return rc;
    out->backend = (enum model_backend_kind)model_backend_parse(backend);
    out->name = config_str(c, "model.name", "");
    out->embedding = config_str(c, "model.embedding", "");
    out->record = config_str(c, "model.record", "");
    out->replay = config_str(c, "model.replay", "");
    if ((rc = config_int_in(c, "model.max_tokens", 1, INT32_MAX, &max_tokens, err)) ||
        (rc = config_int_in(c, "model.cache.ttl_s", 0, INT64_MAX, &ttl, err)) ||
        (rc = model_conf_local(c, &out->local, err)))
        return rc;
    out->max_tokens = (int)max_tokens;
    out->temperature = out->local.sampling.temperature;
    out->top_p = out->local.sampling.top_p;
    out->seed = (int64_t)out->local.sampling.seed;
    out->cache_ttl_s = ttl;
    if (config_bool(c, "model.cache.enabled", 0)) {
        out->cache = config_str(c, "model.cache.path", "");
        if (!*out->cache) {
            if ((rc = xdg_path(XDG_CACHE, "model-cache.sqlite", &mc->cache_path, err)))
                return rc;
            out->cache = buf_str(&mc->cache_path);
        }
    }
    model_conf_prices(c, out);
    return model_conf_http(c, &out->http, err);
}

void model_conf_free(model_conf *mc)
{
    free((void *)mc->cfg.http.headers);
    mc->cfg.http.headers = NULL;
    buf_free(&mc->cache_path);
}
