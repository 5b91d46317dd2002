/* reply.c — replies and vectors: building them, and their JSON form in records and the cache. */
#include "model/backend.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);

    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int reply_text_set(model_result *r, const char *text, size_t len)
{
    char *t = dup_n(text, len);

    if (!t)
        return AUGUR_ENOMEM;
    free(r->text);
    r->text = t;
    r->len = len;
    return AUGUR_OK;
}

int reply_tool_call_add(model_result *r, const char *id, const char *name, const char *args,
                        size_t args_len)
{
    model_tool_call *calls = realloc(r->tool_calls, (r->n_tool_calls + 1) * sizeof *calls);
    model_tool_call *c;

    if (!calls)
        return AUGUR_ENOMEM;
    r->tool_calls = calls;
    c = &calls[r->n_tool_calls];
    c->id = dup_n(id ? id : "", id ? strlen(id) : 0);
    c->name = dup_n(name, strlen(name));
    c->arguments = dup_n(args, args_len);
    if (!c->id || !c->name || !c->arguments) {
        free(c->id);
        free(c->name);
        free(c->arguments);
        return AUGUR_ENOMEM;
    }
    r->n_tool_calls++;
    return AUGUR_OK;
}

static const char *json_string_at(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int reply_from_message(const cJSON *message, model_result *r, augur_err *err)
{
    const cJSON *content, *calls, *call;
    int i = 0;

    if (!cJSON_IsObject(message))
        return augur_err_set(err, AUGUR_EBADRESPONSE, "the reply has no message object");
    content = cJSON_GetObjectItemCaseSensitive(message, "content");
    if (cJSON_IsString(content)) {
        if (reply_text_set(r, content->valuestring, strlen(content->valuestring)) != AUGUR_OK)
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    } else if (content && !cJSON_IsNull(content)) {
        return augur_err_set(err, AUGUR_EBADRESPONSE, "the reply's content is not a string");
    }
    calls = cJSON_GetObjectItemCaseSensitive(message, "tool_calls");
    if (calls && !cJSON_IsNull(calls) && !cJSON_IsArray(calls))
        return augur_err_set(err, AUGUR_EBADRESPONSE, "the reply's tool_calls is not an array");
    cJSON_ArrayForEach(call, calls) {
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(call, "function");
        const char *name = json_string_at(fn, "name"), *args = json_string_at(fn, "arguments");
        if (!name || !args)
            return augur_err_set(err, AUGUR_EBADRESPONSE, "tool call %d has no function name "
                                 "and arguments", i);
        if (reply_tool_call_add(r, json_string_at(call, "id"), name, args, strlen(args)))
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        i++;
    }
    return AUGUR_OK;
}

/* obj[key] as a whole number in [0, max], or def when it is not one. */
static int64_t json_count(const cJSON *obj, const char *key, int64_t max, int64_t def)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

    return cJSON_IsNumber(v) && v->valuedouble >= 0 && v->valuedouble <= (double)max
               ? (int64_t)v->valuedouble : def;
}

void reply_usage(const cJSON *usage, model_result *r)
{
    r->prompt_tokens = json_count(usage, "prompt_tokens", INT64_C(1) << 53, r->prompt_tokens);
    r->completion_tokens = json_count(usage, "completion_tokens", INT64_C(1) << 53,
                                      r->completion_tokens);
}

/* j with {"error": {"code", "message"}} added when rc failed; NULL (and j freed)
** when building it ran out of memory (ok 0). */
static cJSON *outcome_finish(cJSON *j, int ok, int rc, const augur_err *err)
{
    cJSON *e;

    if (ok && rc != AUGUR_OK)
        ok = (e = cJSON_AddObjectToObject(j, "error")) && cJSON_AddNumberToObject(e, "code", rc) &&
             cJSON_AddStringToObject(e, "message", err ? err->msg : augur_errstr(rc));
    if (!ok) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

/* The code and message of a recorded "error" object; AUGUR_EBADRESPONSE for one
** that is not. */
static int error_from_json(const cJSON *e, augur_err *err)
{
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(e, "code");
    const char *msg = json_string_at(e, "message");

    if (!cJSON_IsNumber(code) || code->valuedouble >= 0 || code->valuedouble < -1000 || !msg)
        return augur_err_set(err, AUGUR_EBADRESPONSE, "a recorded error without a code and "
                             "message");
    return augur_err_set(err, (int)code->valuedouble, "%s", msg);
}

cJSON *reply_to_json(const model_result *r, int rc, const augur_err *err)
{
    cJSON *j = cJSON_CreateObject(), *calls, *usage;
    int ok = j != NULL;

    ok = ok && cJSON_AddStringToObject(j, "text", r->text ? r->text : "");
    ok = ok && (calls = cJSON_AddArrayToObject(j, "tool_calls"));
    for (size_t i = 0; ok && i < r->n_tool_calls; i++) {
        cJSON *c = cJSON_CreateObject();
        ok = c && cJSON_AddItemToArray(calls, c) &&
             cJSON_AddStringToObject(c, "id", r->tool_calls[i].id) &&
             cJSON_AddStringToObject(c, "name", r->tool_calls[i].name) &&
             cJSON_AddStringToObject(c, "arguments", r->tool_calls[i].arguments);
    }
    ok = ok && cJSON_AddStringToObject(j, "finish_reason", model_finish_name(r->finish));
    ok = ok && (usage = cJSON_AddObjectToObject(j, "usage")) &&
         cJSON_AddNumberToObject(usage, "prompt_tokens", (double)r->prompt_tokens) &&
         cJSON_AddNumberToObject(usage, "completion_tokens", (double)r->completion_tokens);
    ok = ok && cJSON_AddNumberToObject(j, "latency_ms", r->latency_ms) &&
         cJSON_AddNumberToObject(j, "http_status", r->http_status) &&
         cJSON_AddNumberToObject(j, "attempts", r->attempts);
    return outcome_finish(j, ok, rc, err);
}

static double json_number_at(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) && isfinite(v->valuedouble) ? v->valuedouble : 0;
}

int reply_from_json(const cJSON *j, model_result *r, augur_err *err)
{
    const char *text = json_string_at(j, "text"), *finish = json_string_at(j, "finish_reason");
    const cJSON *calls = cJSON_GetObjectItemCaseSensitive(j, "tool_calls"), *c;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");

    if (!text || !finish || model_finish_parse(finish) < 0 || !cJSON_IsArray(calls))
        return augur_err_set(err, AUGUR_EBADRESPONSE, "a recorded reply without text, "
                             "finish_reason and tool_calls");
    if (reply_text_set(r, text, strlen(text)) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    cJSON_ArrayForEach(c, calls) {
        const char *name = json_string_at(c, "name"), *args = json_string_at(c, "arguments");
        if (!name || !args)
            return augur_err_set(err, AUGUR_EBADRESPONSE, "a recorded tool call without name "
                                 "and arguments");
        if (reply_tool_call_add(r, json_string_at(c, "id"), name, args, strlen(args)))
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    r->finish = (enum model_finish)model_finish_parse(finish);
    reply_usage(cJSON_GetObjectItemCaseSensitive(j, "usage"), r);
    r->latency_ms = json_number_at(j, "latency_ms");
    r->http_status = (int)json_count(j, "http_status", 999, 0);
    r->attempts = (int)json_count(j, "attempts", 1000, 0);
    return e ? error_from_json(e, err) : AUGUR_OK;
}

int vectors_alloc(model_vectors *v, size_t n, size_t dim)
{
    v->n = v->dim = 0;
    if (n && dim > SIZE_MAX / sizeof *v->data / n)
        return AUGUR_ENOMEM;
    if (!(v->data = calloc(n * dim > 0 ? n * dim : 1, sizeof *v->data)))
        return AUGUR_ENOMEM;
    v->n = n;
    v->dim = dim;
    return AUGUR_OK;
}

cJSON *vectors_to_json(const model_vectors *v, int64_t tokens, int rc, const augur_err *err)
{
    cJSON *j = cJSON_CreateObject(), *rows;
    int ok = j && (rows = cJSON_AddArrayToObject(j, "embeddings")) &&
             cJSON_AddNumberToObject(j, "prompt_tokens", (double)tokens);

    for (size_t i = 0; ok && i < v->n; i++) {
        cJSON *row = cJSON_CreateArray();
        ok = row && cJSON_AddItemToArray(rows, row);
        for (size_t k = 0; ok && k < v->dim; k++) {
            cJSON *x = cJSON_CreateNumber(v->data[i * v->dim + k]);
            ok = x && cJSON_AddItemToArray(row, x);
        }
    }
    return outcome_finish(j, ok, rc, err);
}

int vectors_from_json(const cJSON *j, model_vectors *v, int64_t *tokens, augur_err *err)
{
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(j, "embeddings"), *row, *x;
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
    size_t n = (size_t)cJSON_GetArraySize(rows), dim, i = 0;

    if (!cJSON_IsArray(rows))
        return augur_err_set(err, AUGUR_EBADRESPONSE, "recorded embeddings without vectors");
    dim = n ? (size_t)cJSON_GetArraySize(rows->child) : 0;
    if (vectors_alloc(v, n, dim) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    cJSON_ArrayForEach(row, rows) {
        size_t k = 0;
        if (!cJSON_IsArray(row) || (size_t)cJSON_GetArraySize(row) != dim)
            return augur_err_set(err, AUGUR_EBADRESPONSE, "embedding %zu is not %zu numbers",
                                 i, dim);
        cJSON_ArrayForEach(x, row) {
            if (!cJSON_IsNumber(x) || !(fabs(x->valuedouble) <= FLT_MAX))
                return augur_err_set(err, AUGUR_EBADRESPONSE, "embedding %zu holds a value "
                                     "that is not a number", i);
            v->data[i * dim + k++] = (float)x->valuedouble;
        }
        i++;
    }
    *tokens = json_count(j, "prompt_tokens", INT64_C(1) << 53, 0);
    return e ? error_from_json(e, err) : AUGUR_OK;
}

int model_count_estimate(model_backend *b, const char *text, size_t len, int64_t *n, int *exact,
                         augur_err *err)
{
    (void)b;
    (void)text;
    (void)err;
    *n = (int64_t)((len + 3) / 4);
    *exact = 0;
    return AUGUR_OK;
}
