/* model.c — the handle: requests, their hash, the cache, records, checks and totals. */
#include "model/model.h"
#include "base/json.h"
#include "base/log.h"
#include "base/time.h"
#include "model/backend.h"
#include "model/cache.h"
#include "model/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct model {
    model_config   cfg;       /* its strings owned (below) */
    char         **strings;   /* the copies, freed at close */
    size_t         n_strings;
    model_backend *be;
    model_cache   *cache;
    int            record_fd; /* -1: not recording */
    model_totals   totals;
};

/* ---- names ------------------------------------------------------------------------------ */

static const char *const backend_names[] = { "local", "http", "replay" };
static const char *const role_names[] = { "system", "user", "assistant", "tool" };
static const char *const finish_names[] = { "none", "stop", "length", "tool_calls",
                                            "content_filter" };

#define COUNT(a) (int)(sizeof (a) / sizeof (a)[0])

static int name_find(const char *const *names, int n, const char *name)
{
    for (int i = 0; name && i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *model_backend_name(enum model_backend_kind kind)
{
    return (unsigned)kind < COUNT(backend_names) ? backend_names[kind] : "?";
}

int model_backend_parse(const char *name)
{
    return name_find(backend_names, COUNT(backend_names), name);
}

const char *model_role_name(enum model_role role)
{
    return (unsigned)role < COUNT(role_names) ? role_names[role] : "?";
}

const char *model_finish_name(enum model_finish f)
{
    return (unsigned)f < COUNT(finish_names) ? finish_names[f] : "?";
}

int model_finish_parse(const char *name)
{
    return name_find(finish_names, COUNT(finish_names), name);
}

/* ---- opening ------------------------------------------------------------------------------ */

/* Keep a copy of *s (NULL becomes "") owned by m, and point *s at it. */
static int keep_string(model *m, const char **s)
{
    char **grown = realloc(m->strings, (m->n_strings + 1) * sizeof *grown);
    char *copy;

    if (!grown)
        return AUGUR_ENOMEM;
    m->strings = grown;
    if (!(copy = strdup(*s ? *s : "")))
        return AUGUR_ENOMEM;
    m->strings[m->n_strings++] = copy;
    *s = copy;
    return AUGUR_OK;
}

static int keep_config(model *m, const model_config *cfg)
{
    const char **headers;
    int rc = AUGUR_OK;

    m->cfg = *cfg;
    if (!(headers = calloc(cfg->http.n_headers + 1, sizeof *headers)))
        return AUGUR_ENOMEM;
    for (size_t i = 0; i < cfg->http.n_headers; i++)
        headers[i] = cfg->http.headers[i];
    m->cfg.http.headers = headers;
    for (size_t i = 0; rc == AUGUR_OK && i < cfg->http.n_headers; i++)
        rc = keep_string(m, &headers[i]);
    if (rc == AUGUR_OK && (rc = keep_string(m, &m->cfg.name)) == AUGUR_OK &&
        (rc = keep_string(m, &m->cfg.embedding)) == AUGUR_OK &&
        (rc = keep_string(m, &m->cfg.replay)) == AUGUR_OK &&
        (rc = keep_string(m, &m->cfg.record)) == AUGUR_OK &&
        (rc = keep_string(m, &m->cfg.cache)) == AUGUR_OK &&
        (rc = keep_string(m, &m->cfg.http.url)) == AUGUR_OK &&
        (rc = keep_string(m, &m->cfg.local.template)) == AUGUR_OK)
        rc = keep_string(m, &m->cfg.http.api_key_env);
    return rc;
}

static int config_check(const model_config *c, augur_err *err)
{
    if (c->max_tokens < 1 || !(c->temperature >= 0) || !(c->top_p > 0 && c->top_p <= 1) ||
        c->seed < 0 || c->cache_ttl_s < 0 || !(c->price_input >= 0) || !(c->price_output >= 0))
        return augur_err_set(err, AUGUR_EINVAL, "model: max_tokens must be positive, temperature, "
                             "seed, cache_ttl_s and prices not negative, top_p in (0, 1]");
    return AUGUR_OK;
}

int model_open(model **out, const model_config *cfg, augur_err *err)
{
    model *m;
    const char *name = NULL;
    int rc;

    *out = NULL;
    if ((rc = config_check(cfg, err)) != AUGUR_OK)
        return rc;
    if (!(m = calloc(1, sizeof *m)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    m->record_fd = -1;
    if ((rc = keep_config(m, cfg)) != AUGUR_OK) {
        model_close(m);
        return augur_err_set(err, rc, "out of memory");
    }
    switch (cfg->backend) {
    case MODEL_LOCAL:  rc = model_local_open(&m->be, &m->cfg, err); break;
    case MODEL_HTTP:   rc = model_http_open(&m->be, &m->cfg, err); break;
    case MODEL_REPLAY: rc = model_replay_open(&m->be, &m->cfg, &name, err); break;
    default:
        rc = augur_err_set(err, AUGUR_EINVAL, "model: no backend numbered %d", (int)cfg->backend);
    }
    if (rc == AUGUR_OK && name && (rc = keep_string(m, &name)) == AUGUR_OK)
        m->cfg.name = name;
    if (rc == AUGUR_OK && *m->cfg.record &&
        (m->record_fd = open(m->cfg.record, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0666)) < 0)
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", m->cfg.record, strerror(errno));
    if (rc == AUGUR_OK && *m->cfg.cache)
        rc = model_cache_open(&m->cache, m->cfg.cache, err);
    if (rc != AUGUR_OK) {
        model_close(m);
        return rc;
    }
    *out = m;
    return AUGUR_OK;
}

void model_close(model *m)
{
    if (!m)
        return;
    if (m->be)
        m->be->cls->close(m->be);
    model_cache_close(m->cache);
    if (m->record_fd >= 0)
        close(m->record_fd);
    for (size_t i = 0; i < m->n_strings; i++)
        free(m->strings[i]);
    free(m->strings);
    free((void *)m->cfg.http.headers);
    free(m);
}

enum model_backend_kind model_backend_of(const model *m)
{
    return m->cfg.backend;
}

const char *model_name(const model *m)
{
    return m->cfg.name;
}

void model_totals_get(const model *m, model_totals *out)
{
    *out = m->totals;
}

/* ---- requests -------------------------------------------------------------------------- */

static int sha256_hex(const char *data, size_t len, char out[65])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned n = 0;

    if (!EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) || n != 32)
        return AUGUR_ENOMEM;
    for (unsigned i = 0; i < n; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return AUGUR_OK;
}

/* JSON text the caller gave (a schema, a tool's parameters) as a tree. */
static int parse_schema(const char *text, const char *what, cJSON **out, augur_err *err)
{
    augur_err local = { 0 };

    if (!(*out = json_parse(text, strlen(text), what, &local)))
        return augur_err_set(err, AUGUR_EINVAL, "%s", local.msg);
    if (!cJSON_IsObject(*out) && !cJSON_IsBool(*out)) {
        cJSON_Delete(*out);
        *out = NULL;
        return augur_err_set(err, AUGUR_EINVAL, "%s: a JSON Schema is an object or a boolean",
                             what);
    }
    return AUGUR_OK;
}

static int add_message(cJSON *list, const model_message *msg, size_t i, augur_err *err)
{
    cJSON *j = cJSON_CreateObject(), *calls;

    if (!j || !cJSON_AddItemToArray(list, j))
        return AUGUR_ENOMEM;
    if ((unsigned)msg->role > MODEL_TOOL)
        return augur_err_set(err, AUGUR_EINVAL, "message %zu: no such role", i);
    if (!msg->content && !(msg->role == MODEL_ASSISTANT && msg->n_tool_calls))
        return augur_err_set(err, AUGUR_EINVAL, "message %zu: no content", i);
    if (msg->role == MODEL_TOOL && !msg->tool_call_id)
        return augur_err_set(err, AUGUR_EINVAL, "message %zu: a tool's answer names no call", i);
    if (!cJSON_AddStringToObject(j, "role", model_role_name(msg->role)) ||
        !(msg->content ? cJSON_AddStringToObject(j, "content", msg->content)
                       : cJSON_AddNullToObject(j, "content")))
        return AUGUR_ENOMEM;
    if (msg->role == MODEL_TOOL && !cJSON_AddStringToObject(j, "tool_call_id", msg->tool_call_id))
        return AUGUR_ENOMEM;
    if (msg->role != MODEL_ASSISTANT || !msg->n_tool_calls)
        return AUGUR_OK;
    if (!(calls = cJSON_AddArrayToObject(j, "tool_calls")))
        return AUGUR_ENOMEM;
    for (size_t k = 0; k < msg->n_tool_calls; k++) {
        const model_tool_call *tc = &msg->tool_calls[k];
        cJSON *c = cJSON_CreateObject(), *fn;
        if (!c || !cJSON_AddItemToArray(calls, c) ||
            !cJSON_AddStringToObject(c, "id", tc->id ? tc->id : "") ||
            !cJSON_AddStringToObject(c, "type", "function") ||
            !(fn = cJSON_AddObjectToObject(c, "function")) ||
            !cJSON_AddStringToObject(fn, "name", tc->name ? tc->name : "") ||
            !cJSON_AddStringToObject(fn, "arguments", tc->arguments ? tc->arguments : "{}"))
            return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

static int add_tools(cJSON *req, const model_options *o, augur_err *err)
{
    static const char *const choices[] = { "auto", "required", "none" };
    cJSON *tools;
    int rc;

    if (!o->n_tools)
        return AUGUR_OK;
    if ((unsigned)o->tool_choice > MODEL_TOOLS_NONE)
        return augur_err_set(err, AUGUR_EINVAL, "tool_choice: no such choice");
    if (!(tools = cJSON_AddArrayToObject(req, "tools")) ||
        !cJSON_AddStringToObject(req, "tool_choice", choices[o->tool_choice]))
        return AUGUR_ENOMEM;
    for (size_t i = 0; i < o->n_tools; i++) {
        const model_tool *t = &o->tools[i];
        cJSON *tool = cJSON_CreateObject(), *fn, *params;
        char what[96];
        if (!tool || !cJSON_AddItemToArray(tools, tool))
            return AUGUR_ENOMEM;
        if (!t->name || !*t->name)
            return augur_err_set(err, AUGUR_EINVAL, "tool %zu has no name", i);
        snprintf(what, sizeof what, "tool %zu's parameters", i);
        if (!t->parameters)
            params = cJSON_Parse("{\"type\":\"object\",\"properties\":{}}");
        else if ((rc = parse_schema(t->parameters, what, &params, err)) != AUGUR_OK)
            return rc;
        if (!params)
            return AUGUR_ENOMEM;
        if (!cJSON_AddStringToObject(tool, "type", "function") ||
            !(fn = cJSON_AddObjectToObject(tool, "function")) ||
            !cJSON_AddStringToObject(fn, "name", t->name) ||
            !cJSON_AddStringToObject(fn, "description", t->description ? t->description : "") ||
            !cJSON_AddItemToObject(fn, "parameters", params)) {
            cJSON_Delete(params);
            return AUGUR_ENOMEM;
        }
    }
    return AUGUR_OK;
}

static int add_schema(cJSON *req, const char *schema, augur_err *err)
{
    cJSON *fmt, *js, *s;
    int rc;

    if (!schema)
        return AUGUR_OK;
    if ((rc = parse_schema(schema, "schema", &s, err)) != AUGUR_OK)
        return rc;
    if (!(fmt = cJSON_AddObjectToObject(req, "response_format")) ||
        !cJSON_AddStringToObject(fmt, "type", "json_schema") ||
        !(js = cJSON_AddObjectToObject(fmt, "json_schema")) ||
        !cJSON_AddStringToObject(js, "name", "reply") || !cJSON_AddTrueToObject(js, "strict") ||
        !cJSON_AddItemToObject(js, "schema", s)) {
        cJSON_Delete(s);
        return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

/* The options with the handle's defaults in place of "default". */
static int options_resolve(const model *m, const model_options *in, model_options *o,
                           augur_err *err)
{
    static const model_options none = MODEL_OPTIONS_DEFAULT;

    *o = in ? *in : none;
    if (o->max_tokens == 0)
        o->max_tokens = m->cfg.max_tokens;
    if (o->temperature < 0)
        o->temperature = m->cfg.temperature;
    if (o->top_p < 0)
        o->top_p = m->cfg.top_p;
    if (o->seed < 0)
        o->seed = m->cfg.seed;
    if (o->max_tokens < 0 || !(o->temperature >= 0) || !(o->top_p > 0 && o->top_p <= 1) ||
        (o->n_stops && !o->stops) || (o->n_tools && !o->tools))
        return augur_err_set(err, AUGUR_EINVAL, "model options: max_tokens, temperature or "
                             "top_p out of range, or a list without its items");
    return AUGUR_OK;
}

static int chat_request(const model *m, const model_message *msgs, size_t n,
                        const model_options *o, cJSON **out, augur_err *err)
{
    cJSON *req = cJSON_CreateObject(), *list, *stops;
    int rc = AUGUR_ENOMEM;

    *out = NULL;
    if (n == 0 || !msgs) {
        cJSON_Delete(req);
        return augur_err_set(err, AUGUR_EINVAL, "model: a chat needs at least one message");
    }
    if (!req || !cJSON_AddStringToObject(req, "model", m->cfg.name) ||
        !(list = cJSON_AddArrayToObject(req, "messages")))
        goto fail;
    for (size_t i = 0; i < n; i++)
        if ((rc = add_message(list, &msgs[i], i, err)) != AUGUR_OK)
            goto fail;
    rc = AUGUR_ENOMEM;
    if (!cJSON_AddNumberToObject(req, "max_tokens", o->max_tokens) ||
        !cJSON_AddNumberToObject(req, "temperature", o->temperature) ||
        !cJSON_AddNumberToObject(req, "top_p", o->top_p) ||
        !cJSON_AddNumberToObject(req, "seed", (double)o->seed))
        goto fail;
    if (o->n_stops) {
        if (!(stops = cJSON_AddArrayToObject(req, "stop")))
            goto fail;
        for (size_t i = 0; i < o->n_stops; i++)
            if (!cJSON_AddItemToArray(stops, cJSON_CreateString(o->stops[i])))
                goto fail;
    }
    if ((rc = add_schema(req, o->schema, err)) != AUGUR_OK ||
        (rc = add_tools(req, o, err)) != AUGUR_OK)
        goto fail;
    *out = req;
    return AUGUR_OK;
fail:
    cJSON_Delete(req);
    return rc == AUGUR_ENOMEM ? augur_err_set(err, rc, "out of memory") : rc;
}

/* ---- records and the cache --------------------------------------------------------------- */

/* One line: {"hash", "kind", "request", "response"}, canonical, written in one
** write so that workers appending to one file do not interleave. */
static int record_append(model *m, const char *kind, const char *hash, const char *canonical,
                         const cJSON *response, augur_err *err)
{
    buf line = BUF_INIT;
    int rc = AUGUR_OK;

    if (m->record_fd < 0)
        return AUGUR_OK;
    buf_printf(&line, "{\"hash\":\"%s\",\"kind\":\"%s\",\"request\":%s,\"response\":", hash, kind,
               canonical);
    if (!response || json_canonical(&line, response) != AUGUR_OK || buf_puts(&line, "}\n"))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else if (write(m->record_fd, line.data, line.len) != (ssize_t)line.len)
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", m->cfg.record, strerror(errno));
    buf_free(&line);
    return rc;
}

/* The cache's key: the hash of {"backend", "endpoint", "request"}. */
static int cache_key(const model *m, const char *canonical, char out[65])
{
    buf k = BUF_INIT;
    int rc;

    buf_puts(&k, "{\"backend\":");
    json_quote(&k, model_backend_name(m->cfg.backend), strlen(model_backend_name(m->cfg.backend)));
    buf_puts(&k, ",\"endpoint\":");
    json_quote(&k, m->be->cls->endpoint(m->be), strlen(m->be->cls->endpoint(m->be)));
    buf_printf(&k, ",\"request\":%s}", canonical);
    rc = k.oom ? AUGUR_ENOMEM : sha256_hex(k.data, k.len, out);
    buf_free(&k);
    return rc;
}

/* A cached reply for canonical, into *hit (NULL on a miss). */
static int cache_lookup(model *m, const char *canonical, char key[65], cJSON **hit,
                        augur_err *err)
{
    char *text = NULL;
    int rc;

    *hit = NULL;
    if (!m->cache)
        return AUGUR_OK;
    if (cache_key(m, canonical, key) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if ((rc = model_cache_get(m->cache, key, m->cfg.cache_ttl_s, &text, err)) != AUGUR_OK)
        return rc;
    if (text && !(*hit = cJSON_Parse(text)))
        log_warn("model cache: an entry that does not parse is ignored");
    free(text);
    return AUGUR_OK;
}

static int cache_store(model *m, const char *key, const cJSON *reply, augur_err *err)
{
    buf text = BUF_INIT;
    int rc;

    if (!m->cache)
        return AUGUR_OK;
    if (json_canonical(&text, reply) != AUGUR_OK)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else
        rc = model_cache_put(m->cache, key, model_backend_name(m->cfg.backend), m->cfg.name,
                             buf_str(&text), err);
    buf_free(&text);
    return rc;
}

/* ---- checking a reply ---------------------------------------------------------------- */

static int check_json(const cJSON *schema, const char *text, size_t len, const char *what,
                      augur_err *err)
{
    augur_err local = { 0 };
    buf why = BUF_INIT;
    cJSON *doc = json_parse(text, len, what, &local);
    int rc = AUGUR_OK;

    if (!doc)
        return augur_err_set(err, AUGUR_EBADRESPONSE, "%s", local.msg);
    if (schema && !schema_validate(schema, doc, &why))
        rc = augur_err_set(err, AUGUR_EBADRESPONSE, "%s does not satisfy its schema: %s", what,
                           buf_str(&why));
    cJSON_Delete(doc);
    buf_free(&why);
    return rc;
}

/* A reply under a schema must satisfy it; tool calls must name a tool offered and
** satisfy its parameters. */
static int reply_check(const cJSON *req, const model_result *r, augur_err *err)
{
    const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(req, "response_format");
    const cJSON *tools = cJSON_GetObjectItemCaseSensitive(req, "tools"), *t;
    int rc;

    if (fmt && r->n_tool_calls == 0 && r->finish != MODEL_FINISH_LENGTH &&
        (rc = check_json(cJSON_GetObjectItemCaseSensitive(
                             cJSON_GetObjectItemCaseSensitive(fmt, "json_schema"), "schema"),
                         r->text, r->len, "the reply", err)) != AUGUR_OK)
        return rc;
    for (size_t i = 0; i < r->n_tool_calls; i++) {
        const model_tool_call *c = &r->tool_calls[i];
        const cJSON *params = NULL;
        char what[160];
        cJSON_ArrayForEach(t, tools) {
            const cJSON *fn = cJSON_GetObjectItemCaseSensitive(t, "function");
            const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
            if (cJSON_IsString(name) && strcmp(name->valuestring, c->name) == 0)
                params = cJSON_GetObjectItemCaseSensitive(fn, "parameters");
        }
        if (!params)
            return augur_err_set(err, AUGUR_EBADRESPONSE, "the reply calls '%.100s', a tool not "
                                 "offered", c->name);
        snprintf(what, sizeof what, "the arguments of '%.100s'", c->name);
        if ((rc = check_json(params, c->arguments, strlen(c->arguments), what, err)) != AUGUR_OK)
            return rc;
    }
    return AUGUR_OK;
}

/* ---- calls ----------------------------------------------------------------------------- */

static double ms_since(uint64_t t0)
{
    return (double)(time_mono_ns() - t0) / 1e6;
}

static void result_init(model_result *r)
{
    memset(r, 0, sizeof *r);
    r->text = strdup("");
}

void model_result_free(model_result *r)
{
    if (!r)
        return;
    free(r->text);
    for (size_t i = 0; i < r->n_tool_calls; i++) {
        free(r->tool_calls[i].id);
        free(r->tool_calls[i].name);
        free(r->tool_calls[i].arguments);
    }
    free(r->tool_calls);
    memset(r, 0, sizeof *r);
}

static void totals_add(model *m, int rc, int cached, int64_t prompt, int64_t completion,
                       double cost)
{
    m->totals.calls++;
    m->totals.cached += cached;
    m->totals.failed += rc != AUGUR_OK;
    m->totals.prompt_tokens += prompt;
    m->totals.completion_tokens += completion;
    m->totals.cost += cost;
}

/* The backend's answer, or the cache's; the outcome's code. */
static int chat_answer(model *m, const model_call *call, model_result *r, augur_err *err)
{
    char key[65];
    cJSON *hit = NULL;
    int rc;

    if ((rc = cache_lookup(m, call->canonical, key, &hit, err)) != AUGUR_OK)
        return rc;
    if (hit) {
        rc = reply_from_json(hit, r, err);
        cJSON_Delete(hit);
        r->cached = 1;
        if (rc == AUGUR_OK && call->o->on_text && r->len &&
            call->o->on_text(call->o->ctx, r->text, r->len) != 0)
            rc = augur_err_set(err, AUGUR_ECANCELLED, "cancelled by the stream callback");
        return rc;
    }
    if (call->o->cancel && atomic_load(call->o->cancel))
        return augur_err_set(err, AUGUR_ECANCELLED, "cancelled before the call");
    rc = m->be->cls->chat(m->be, call, r, err);
    if (rc == AUGUR_OK)
        rc = reply_check(call->request, r, err);
    if (rc == AUGUR_OK && m->cache) {
        cJSON *j = reply_to_json(r, rc, err);
        rc = j ? cache_store(m, key, j, err) : augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        cJSON_Delete(j);
    }
    return rc;
}

int model_chat(model *m, const model_message *msgs, size_t n, const model_options *o,
               model_result *r, augur_err *err)
{
    uint64_t t0 = time_mono_ns();
    model_options opts;
    cJSON *req = NULL, *resp;
    buf canon = BUF_INIT;
    char hash[65];
    int rc, rrc;

    result_init(r);
    if (!r->text)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if ((rc = options_resolve(m, o, &opts, err)) != AUGUR_OK ||
        (rc = chat_request(m, msgs, n, &opts, &req, err)) != AUGUR_OK)
        return rc;
    if (json_canonical(&canon, req) != AUGUR_OK || sha256_hex(canon.data, canon.len, hash)) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    } else {
        model_call call = { req, buf_str(&canon), hash, msgs, n, &opts };
        rc = chat_answer(m, &call, r, err);
    }
    if (r->latency_ms == 0)
        r->latency_ms = ms_since(t0);
    if (!r->cached)
        r->cost = ((double)r->prompt_tokens * m->cfg.price_input +
                   (double)r->completion_tokens * m->cfg.price_output) / 1e6;
    totals_add(m, rc, r->cached, r->prompt_tokens, r->completion_tokens, r->cost);
    if (m->record_fd >= 0 && !canon.oom) {
        resp = reply_to_json(r, rc, err);
        rrc = record_append(m, "chat", hash, buf_str(&canon), resp, err);
        cJSON_Delete(resp);
        if (rc == AUGUR_OK)
            rc = rrc;
    }
    log_debug("model: chat %s: %s, %.1f ms", m->cfg.name, augur_errstr(rc), r->latency_ms);
    cJSON_Delete(req);
    buf_free(&canon);
    return rc;
}

/* ---- embeddings and tokens ------------------------------------------------------------- */

static int embed_request(const model *m, const char *const *texts, size_t n, cJSON **out,
                         augur_err *err)
{
    cJSON *req = cJSON_CreateObject(), *input;
    const char *name = *m->cfg.embedding ? m->cfg.embedding : m->cfg.name;

    *out = NULL;
    if (!req || !cJSON_AddStringToObject(req, "model", name) ||
        !(input = cJSON_AddArrayToObject(req, "input"))) {
        cJSON_Delete(req);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (!texts[i]) {
            cJSON_Delete(req);
            return augur_err_set(err, AUGUR_EINVAL, "embed: text %zu is missing", i);
        }
        if (!cJSON_AddItemToArray(input, cJSON_CreateString(texts[i]))) {
            cJSON_Delete(req);
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        }
    }
    *out = req;
    return AUGUR_OK;
}

static int embed_answer(model *m, const cJSON *req, const char *canonical, const char *hash,
                        model_vectors *out, int64_t *tokens, int *cached, augur_err *err)
{
    char key[65];
    cJSON *hit = NULL;
    int rc;

    if ((rc = cache_lookup(m, canonical, key, &hit, err)) != AUGUR_OK)
        return rc;
    if (hit) {
        rc = vectors_from_json(hit, out, tokens, err);
        cJSON_Delete(hit);
        *cached = 1;
        return rc;
    }
    rc = m->be->cls->embed(m->be, req, hash, out, tokens, err);
    if (rc == AUGUR_OK && m->cache) {
        cJSON *j = vectors_to_json(out, *tokens, rc, err);
        rc = j ? cache_store(m, key, j, err) : augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        cJSON_Delete(j);
    }
    return rc;
}

int model_embed(model *m, const char *const *texts, size_t n, model_vectors *out,
                augur_err *err)
{
    cJSON *req = NULL, *resp;
    buf canon = BUF_INIT;
    char hash[65];
    int64_t tokens = 0;
    int rc, rrc, cached = 0;

    memset(out, 0, sizeof *out);
    if (n && !texts)
        return augur_err_set(err, AUGUR_EINVAL, "embed: no texts");
    if ((rc = embed_request(m, texts, n, &req, err)) != AUGUR_OK)
        return rc;
    if (json_canonical(&canon, req) != AUGUR_OK || sha256_hex(canon.data, canon.len, hash))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else
        rc = embed_answer(m, req, buf_str(&canon), hash, out, &tokens, &cached, err);
    if (rc == AUGUR_OK && out->n != n)
        rc = augur_err_set(err, AUGUR_EBADRESPONSE, "embed: %zu vectors for %zu texts", out->n, n);
    totals_add(m, rc, cached, tokens, 0, 0);
    if (m->record_fd >= 0 && !canon.oom) {
        resp = vectors_to_json(out, tokens, rc, err);
        rrc = record_append(m, "embed", hash, buf_str(&canon), resp, err);
        cJSON_Delete(resp);
        if (rc == AUGUR_OK)
            rc = rrc;
    }
    cJSON_Delete(req);
    buf_free(&canon);
    return rc;
}

void model_vectors_free(model_vectors *v)
{
    if (!v)
        return;
    free(v->data);
    memset(v, 0, sizeof *v);
}

int model_count_tokens(model *m, const char *text, size_t len, int64_t *n, int *exact,
                       augur_err *err)
{
    *n = 0;
    *exact = 0;
    if (!text && len)
        return augur_err_set(err, AUGUR_EINVAL, "count: no text");
    return m->be->cls->count(m->be, text ? text : "", len, n, exact, err);
}
