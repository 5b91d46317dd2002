/*
** http.c — the backend for servers that speak the OpenAI chat API, over libcurl.
**
** One easy handle in one multi handle per backend, so connections are kept alive
** between calls and a transfer can be abandoned between polls (the cancel flag and
** the idle timeout are checked every POLL_MS). Proxies come from libcurl's usual
** environment variables (http_proxy, https_proxy, no_proxy).
*/
#include "base/json.h"
#include "base/log.h"
#include "base/time.h"
#include "model/backend.h"

#include <curl/curl.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum { POLL_MS = 20, TEXT_TAIL = 240 };

typedef struct http_backend {
    model_backend     base;
    model_http_config cfg;        /* its strings belong to the model handle */
    char             *chat_url, *embed_url;
    struct curl_slist *headers;   /* holds the API key: never logged */
    CURL             *easy;
    CURLM            *multi;
} http_backend;

/* Why a transfer was abandoned from our side. */
enum xfer_stop { STOP_NONE, STOP_CANCEL, STOP_CALLBACK, STOP_LIMIT, STOP_IDLE, STOP_ERROR };

typedef struct tool_acc {
    buf id, name, args;
} tool_acc;

typedef struct xfer {
    http_backend        *h;
    const model_options *o;           /* a chat's (callback, cancel); NULL for embeddings */
    long                 status;
    char                 ctype[96];   /* the content type, lowercased, without parameters */
    long                 retry_after_ms;   /* -1: none given */
    size_t               received;
    uint64_t             last_byte_ns;
    enum xfer_stop       stop;
    augur_err            stop_err;    /* STOP_ERROR's code and message */
    int                  decided, sse;     /* the body is an event stream */
    buf                  body;        /* a body that is not a stream */
    buf                  line, data;  /* the stream's current line and event */
    int                  done;        /* the stream said [DONE] */
    int                  events;
    buf                  text;
    tool_acc            *tools;
    size_t               n_tools;
    int                  finish;      /* a model_finish, or -1 before one came */
    model_result        *r;
    int                  delivered;   /* text went to on_text: a retry would repeat it */
    char                 curl_msg[CURL_ERROR_SIZE];
} xfer;

/* ---- responses ------------------------------------------------------------------------- */

static int xfer_fail(xfer *x, int code, const char *fmt, const char *arg)
{
    x->stop = STOP_ERROR;
    augur_err_set(&x->stop_err, code, fmt, arg);
    return code;
}

static tool_acc *tool_at(xfer *x, const cJSON *index)
{
    size_t i = cJSON_IsNumber(index) && index->valuedouble >= 0 && index->valuedouble < 128
                   ? (size_t)index->valuedouble : (x->n_tools ? x->n_tools - 1 : 0);

    if (i >= x->n_tools) {
        tool_acc *grown = realloc(x->tools, (i + 1) * sizeof *grown);
        if (!grown)
            return NULL;
        x->tools = grown;
        for (size_t k = x->n_tools; k <= i; k++)
            x->tools[k] = (tool_acc){ BUF_INIT, BUF_INIT, BUF_INIT };
        x->n_tools = i + 1;
    }
    return &x->tools[i];
}

static void buf_add_string(buf *b, const cJSON *v)
{
    if (cJSON_IsString(v))
        buf_puts(b, v->valuestring);
}

static int tool_deltas(xfer *x, const cJSON *calls)
{
    const cJSON *c;

    cJSON_ArrayForEach(c, calls) {
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(c, "function");
        tool_acc *t = tool_at(x, cJSON_GetObjectItemCaseSensitive(c, "index"));
        if (!t)
            return AUGUR_ENOMEM;
        buf_add_string(&t->id, cJSON_GetObjectItemCaseSensitive(c, "id"));
        buf_add_string(&t->name, cJSON_GetObjectItemCaseSensitive(fn, "name"));
        buf_add_string(&t->args, cJSON_GetObjectItemCaseSensitive(fn, "arguments"));
        if (t->id.oom || t->name.oom || t->args.oom)
            return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

/* An OpenAI finish_reason; a server's own word for stopping counts as stop. */
static int finish_of(const cJSON *reason, int tool_calls)
{
    int f;

    if (!cJSON_IsString(reason))
        return tool_calls ? MODEL_FINISH_TOOL_CALLS : MODEL_FINISH_STOP;
    if (strcmp(reason->valuestring, "function_call") == 0)
        return MODEL_FINISH_TOOL_CALLS;
    f = model_finish_parse(reason->valuestring);
    return f > MODEL_FINISH_NONE ? f : MODEL_FINISH_STOP;
}

/* The server's own words about an error: error.message, message, error or detail. */
static void error_words(const cJSON *doc, const buf *body, char *out, size_t size)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
    const cJSON *cands[] = { cJSON_GetObjectItemCaseSensitive(e, "message"), e,
                             cJSON_GetObjectItemCaseSensitive(doc, "message"),
                             cJSON_GetObjectItemCaseSensitive(doc, "detail") };
    size_t n = 0;

    for (size_t i = 0; i < sizeof cands / sizeof *cands; i++)
        if (cJSON_IsString(cands[i])) {
            snprintf(out, size, "%.*s", TEXT_TAIL, cands[i]->valuestring);
            return;
        }
    for (size_t i = 0; i < body->len && n < TEXT_TAIL && n + 1 < size; i++)
        out[n++] = (unsigned char)body->data[i] < 0x20 ? ' ' : body->data[i];
    out[n] = '\0';
}

/* Whether an error says the prompt did not fit: OpenAI's code, llama.cpp's type,
** or the words servers use. */
static int error_is_context(const cJSON *doc, const char *words)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(doc, "error");
    const char *keys[] = { "code", "type" };

    for (int i = 0; i < 2; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, keys[i]);
        if (cJSON_IsString(v) && (strstr(v->valuestring, "context_length") ||
                                  strstr(v->valuestring, "context_size")))
            return 1;
    }
    return strcasestr(words, "context length") || strcasestr(words, "maximum context") ||
           strcasestr(words, "context window") || strcasestr(words, "context size");
}

/* An error the server reported, as a code and message in x->stop_err. */
static int server_error(xfer *x, const cJSON *doc, const char *url)
{
    char words[TEXT_TAIL + 8];
    int code;

    error_words(doc, &x->body, words, sizeof words);
    code = error_is_context(doc, words) ? AUGUR_ECONTEXT
         : x->status == 429            ? AUGUR_ERATELIMIT
                                       : AUGUR_EHTTP;
    augur_err_set(&x->stop_err, code, "%s: HTTP %ld%s%s", url, x->status, *words ? ": " : "",
                  words);
    return code;
}

static int deliver(xfer *x, const char *s, size_t n)
{
    if (!n)
        return AUGUR_OK;
    if (buf_add(&x->text, s, n) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (x->o && x->o->on_text) {
        x->delivered = 1;
        if (x->o->on_text(x->o->ctx, s, n) != 0) {
            x->stop = STOP_CALLBACK;
            return AUGUR_ECANCELLED;
        }
    }
    return AUGUR_OK;
}

/* One event of a stream: a chunk of the reply, or an error. */
static int sse_event(xfer *x, const char *url)
{
    const cJSON *choice, *delta;
    cJSON *doc;
    int rc = AUGUR_OK;

    if (strcmp(buf_str(&x->data), "[DONE]") == 0) {
        x->done = 1;
        return AUGUR_OK;
    }
    x->events++;
    if (!(doc = cJSON_ParseWithLength(x->data.data, x->data.len)))
        return xfer_fail(x, AUGUR_EBADRESPONSE, "%s: an event of the stream is not JSON", url);
    if (cJSON_GetObjectItemCaseSensitive(doc, "error")) {
        rc = server_error(x, doc, url);
        x->stop = STOP_ERROR;
        cJSON_Delete(doc);
        return rc;
    }
    choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "choices"), 0);
    delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
    reply_usage(cJSON_GetObjectItemCaseSensitive(doc, "usage"), x->r);
    if (tool_deltas(x, cJSON_GetObjectItemCaseSensitive(delta, "tool_calls")) != AUGUR_OK)
        rc = AUGUR_ENOMEM;
    if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(choice, "finish_reason")))
        x->finish = finish_of(cJSON_GetObjectItemCaseSensitive(choice, "finish_reason"),
                              x->n_tools > 0);
    if (rc == AUGUR_OK) {
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(delta, "content");
        if (cJSON_IsString(content))
            rc = deliver(x, content->valuestring, strlen(content->valuestring));
    }
    cJSON_Delete(doc);
    if (rc == AUGUR_ENOMEM)
        return xfer_fail(x, AUGUR_ENOMEM, "%s: out of memory", url);
    return rc;
}

/* A line of the stream: "data: ..." lines join into an event, a blank line ends it,
** comments (":") and other fields are skipped. */
static int sse_line(xfer *x)
{
    const char *l = buf_str(&x->line);
    size_t n = x->line.len;

    if (n && l[n - 1] == '\r')
        n--;
    if (n == 0) {
        int rc = x->data.len ? sse_event(x, x->h->chat_url) : AUGUR_OK;
        buf_clear(&x->data);
        return rc;
    }
    if (n >= 5 && memcmp(l, "data:", 5) == 0) {
        size_t skip = n > 5 && l[5] == ' ' ? 6 : 5;
        if (x->data.len)
            buf_putc(&x->data, '\n');
        if (buf_add(&x->data, l + skip, n - skip) != AUGUR_OK)
            return xfer_fail(x, AUGUR_ENOMEM, "%s: out of memory", x->h->chat_url);
    }
    return AUGUR_OK;
}

static int sse_feed(xfer *x, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *nl = memchr(p + i, '\n', n - i);
        size_t end = nl ? (size_t)(nl - p) : n;
        if (buf_add(&x->line, p + i, end - i) != AUGUR_OK)
            return xfer_fail(x, AUGUR_ENOMEM, "%s: out of memory", x->h->chat_url);
        i = end;
        if (!nl)
            break;
        if (sse_line(x) != AUGUR_OK)
            return AUGUR_EBADRESPONSE;
        buf_clear(&x->line);
    }
    return AUGUR_OK;
}

/* ---- libcurl's callbacks ------------------------------------------------------------ */

static int header_is(const char *p, size_t n, const char *name, const char **value, size_t *vlen)
{
    size_t k = strlen(name);

    if (n <= k || strncasecmp(p, name, k) != 0 || p[k] != ':')
        return 0;
    p += k + 1;
    n -= k + 1;
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && (p[n - 1] == '\r' || p[n - 1] == '\n' || p[n - 1] == ' '))
        n--;
    *value = p;
    *vlen = n;
    return 1;
}

/* Retry-After: seconds or an HTTP date; retry-after-ms: milliseconds. */
static long retry_after_parse(const char *v, size_t n, int ms)
{
    char text[64];
    char *end;
    double d;
    time_t when;

    snprintf(text, sizeof text, "%.*s", (int)n, v);
    d = strtod(text, &end);
    if (end != text && *end == '\0' && d >= 0 && d < 1e9)
        return (long)(ms ? d : d * 1000);
    if (!ms && (when = curl_getdate(text, NULL)) != -1)
        return when > time(NULL) ? (long)(when - time(NULL)) * 1000 : 0;
    return -1;
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb, vlen;
    const char *v;

    if (n > 5 && memcmp(p, "HTTP/", 5) == 0) {
        const char *sp = memchr(p, ' ', n);
        x->status = sp ? strtol(sp + 1, NULL, 10) : 0;
        x->ctype[0] = '\0';
        x->retry_after_ms = -1;
    } else if (header_is(p, n, "content-type", &v, &vlen)) {
        size_t k = 0;
        while (k < vlen && k + 1 < sizeof x->ctype && v[k] != ';' && v[k] != ' ') {
            x->ctype[k] = (char)(v[k] >= 'A' && v[k] <= 'Z' ? v[k] + 32 : v[k]);
            k++;
        }
        x->ctype[k] = '\0';
    } else if (header_is(p, n, "retry-after-ms", &v, &vlen)) {
        x->retry_after_ms = retry_after_parse(v, vlen, 1);
    } else if (header_is(p, n, "retry-after", &v, &vlen) && x->retry_after_ms < 0) {
        x->retry_after_ms = retry_after_parse(v, vlen, 0);
    }
    return n;
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    xfer *x = ud;
    size_t n = size * nmemb;

    x->received += n;
    x->last_byte_ns = time_mono_ns();
    if (x->received > x->h->cfg.max_response_bytes) {
        x->stop = STOP_LIMIT;
        return 0;
    }
    if (!x->decided) {
        x->decided = 1;
        x->sse = x->status >= 200 && x->status < 300 && strcmp(x->ctype, "text/event-stream") == 0;
    }
    if (x->sse)
        return sse_feed(x, p, n) == AUGUR_OK && x->stop == STOP_NONE ? n : 0;
    if (buf_add(&x->body, p, n) != AUGUR_OK) {
        xfer_fail(x, AUGUR_ENOMEM, "%s: out of memory", "the response");
        return 0;
    }
    return n;
}

/* ---- one attempt ----------------------------------------------------------------------- */

static void xfer_reset(xfer *x)
{
    x->status = 0;
    x->ctype[0] = '\0';
    x->retry_after_ms = -1;
    x->received = 0;
    x->stop = STOP_NONE;
    augur_err_clear(&x->stop_err);
    x->decided = x->sse = x->done = x->events = 0;
    buf_clear(&x->body);
    buf_clear(&x->line);
    buf_clear(&x->data);
    buf_clear(&x->text);
    for (size_t i = 0; i < x->n_tools; i++) {
        buf_free(&x->tools[i].id);
        buf_free(&x->tools[i].name);
        buf_free(&x->tools[i].args);
    }
    x->n_tools = 0;
    x->finish = -1;
    x->curl_msg[0] = '\0';
}

static void xfer_free(xfer *x)
{
    xfer_reset(x);
    free(x->tools);
    buf_free(&x->body);
    buf_free(&x->line);
    buf_free(&x->data);
    buf_free(&x->text);
}

static CURLcode xfer_run(xfer *x, const char *url, const char *body, size_t len)
{
    http_backend *h = x->h;
    CURL *c = h->easy;
    CURLcode result = CURLE_OK;
    CURLMsg *msg;
    int running = 1, left;

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h->headers);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, x->curl_msg);
    x->last_byte_ns = time_mono_ns();
    if (curl_multi_add_handle(h->multi, c) != CURLM_OK)
        return CURLE_OUT_OF_MEMORY;
    while (running) {
        if (curl_multi_perform(h->multi, &running) != CURLM_OK) {
            result = CURLE_OUT_OF_MEMORY;
            break;
        }
        if (!running || x->stop != STOP_NONE)
            break;
        if (x->o && x->o->cancel && atomic_load(x->o->cancel)) {
            x->stop = STOP_CANCEL;
            break;
        }
        if (h->cfg.idle_timeout_ms > 0 &&
            time_mono_ns() - x->last_byte_ns > (uint64_t)h->cfg.idle_timeout_ms * 1000000u) {
            x->stop = STOP_IDLE;
            break;
        }
        curl_multi_poll(h->multi, NULL, 0, POLL_MS, NULL);
    }
    while ((msg = curl_multi_info_read(h->multi, &left)))
        if (msg->msg == CURLMSG_DONE)
            result = msg->data.result;
    curl_multi_remove_handle(h->multi, c);
    return result;
}

/* Whether a failed transfer is worth another attempt. */
static int network_retryable(CURLcode cc)
{
    switch (cc) {
    case CURLE_COULDNT_RESOLVE_PROXY: case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_CONNECT: case CURLE_SEND_ERROR: case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING: case CURLE_PARTIAL_FILE: case CURLE_SSL_CONNECT_ERROR:
    case CURLE_HTTP2: case CURLE_HTTP2_STREAM:
        return 1;
    default:
        return 0;
    }
}

/* The outcome of an attempt at the transport level: our own stops, libcurl's
** errors, and error statuses. AUGUR_OK leaves a 2xx body to be read. */
static int attempt_outcome(xfer *x, CURLcode cc, const char *url, int *retry, augur_err *e)
{
    const model_http_config *cfg = &x->h->cfg;

    *retry = 0;
    switch (x->stop) {
    case STOP_CANCEL:
        return augur_err_set(e, AUGUR_ECANCELLED, "%s: cancelled", url);
    case STOP_CALLBACK:
        return augur_err_set(e, AUGUR_ECANCELLED, "%s: cancelled by the stream callback", url);
    case STOP_LIMIT:
        return augur_err_set(e, AUGUR_ELIMIT, "%s: the response is larger than %zu bytes "
                             "(model.http.max_response_bytes)", url, cfg->max_response_bytes);
    case STOP_IDLE:
        return augur_err_set(e, AUGUR_ETIMEOUT, "%s: no data for %ld ms "
                             "(model.http.idle_timeout_ms)", url, cfg->idle_timeout_ms);
    case STOP_ERROR:
        return augur_err_set(e, x->stop_err.code, "%s", x->stop_err.msg);
    case STOP_NONE:
        break;
    }
    if (cc == CURLE_OPERATION_TIMEDOUT)
        return augur_err_set(e, AUGUR_ETIMEOUT, "%s: %s (model.http.timeout_ms %ld, "
                             "connect_timeout_ms %ld)", url, x->curl_msg[0] ? x->curl_msg
                             : curl_easy_strerror(cc), cfg->timeout_ms, cfg->connect_timeout_ms);
    if (cc != CURLE_OK) {
        *retry = network_retryable(cc) && !x->delivered;
        return augur_err_set(e, cc == CURLE_OUT_OF_MEMORY ? AUGUR_ENOMEM : AUGUR_ENETWORK,
                             "%s: %s", url, x->curl_msg[0] ? x->curl_msg : curl_easy_strerror(cc));
    }
    if (x->status >= 200 && x->status < 300)
        return AUGUR_OK;
    {
        cJSON *doc = cJSON_ParseWithLength(buf_str(&x->body), x->body.len);
        int code = server_error(x, doc, url);
        cJSON_Delete(doc);
        *retry = code != AUGUR_ECONTEXT && (x->status == 429 || x->status == 408 ||
                                            x->status >= 500);
        return augur_err_set(e, code, "%s", x->stop_err.msg);
    }
}

/* A 2xx body that is not a stream: JSON, or an error. */
static int json_body(xfer *x, const char *url, cJSON **doc, augur_err *e)
{
    if (x->ctype[0] && strcmp(x->ctype, "application/json") != 0)
        return augur_err_set(e, AUGUR_EBADRESPONSE, "%s: expected application/json, got %s",
                             url, x->ctype);
    if (!(*doc = cJSON_ParseWithLength(buf_str(&x->body), x->body.len)) || !cJSON_IsObject(*doc)) {
        cJSON_Delete(*doc);
        *doc = NULL;
        return augur_err_set(e, AUGUR_EBADRESPONSE, "%s: the response is not a JSON object "
                             "(%zu bytes)", url, x->body.len);
    }
    if (cJSON_GetObjectItemCaseSensitive(*doc, "error")) {
        int code = server_error(x, *doc, url);
        return augur_err_set(e, code, "%s", x->stop_err.msg);
    }
    return AUGUR_OK;
}

/* ---- retries --------------------------------------------------------------------------- */

/* A number in [0, 1) from the request and the attempt: jitter that differs between
** requests (so clients do not retry in step) and is the same for the same request. */
static double jitter(const char *body, size_t len, int attempt)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)attempt;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)body[i]) * 1099511628211ull;
    h ^= h >> 29;
    return (double)(h >> 11) / 9007199254740992.0;
}

/* How long to wait before attempt + 1: the server's Retry-After when it gave one,
** else the backoff doubled per attempt, half of it jittered. -1 when the server
** asks for longer than backoff_max_ms. */
static long retry_wait(const xfer *x, const char *body, size_t len, int attempt)
{
    const model_http_config *cfg = &x->h->cfg;
    double wait = (double)cfg->backoff_ms;

    if (x->retry_after_ms >= 0)
        return x->retry_after_ms <= cfg->backoff_max_ms ? x->retry_after_ms : -1;
    for (int i = 1; i < attempt && wait < (double)cfg->backoff_max_ms; i++)
        wait *= 2;
    wait = wait / 2 + wait / 2 * jitter(body, len, attempt);
    return wait < (double)cfg->backoff_max_ms ? (long)wait : cfg->backoff_max_ms;
}

/* Sleep ms, waking to check the cancel flag; non-zero when it was set. */
static int wait_cancellable(long ms, const model_options *o)
{
    uint64_t end = time_mono_ns() + (uint64_t)ms * 1000000u;

    for (;;) {
        uint64_t now = time_mono_ns(), step;
        struct timespec ts = { 0, 0 };
        if (o && o->cancel && atomic_load(o->cancel))
            return 1;
        if (now >= end)
            return 0;
        step = end - now;
        ts.tv_nsec = (long)(step < POLL_MS * 1000000u ? step : POLL_MS * 1000000u);
        nanosleep(&ts, NULL);
    }
}

/* POST body to url with retries; on AUGUR_OK x holds a 2xx response. */
static int post(xfer *x, const char *url, const char *body, size_t len, int *attempts,
                augur_err *err)
{
    const model_http_config *cfg = &x->h->cfg;
    augur_err e = { 0 };
    int rc, retry;

    for (int attempt = 1;; attempt++) {
        long wait;
        CURLcode cc;
        xfer_reset(x);
        *attempts = attempt;
        cc = xfer_run(x, url, body, len);
        if (x->r)
            x->r->http_status = (int)x->status;
        rc = attempt_outcome(x, cc, url, &retry, &e);
        log_debug("model: POST %s: attempt %d: HTTP %ld, %s", url, attempt, x->status,
                  augur_errstr(rc));
        if (rc == AUGUR_OK || !retry)
            break;
        if (attempt > cfg->retries) {
            if (attempt > 1)
                augur_err_prefix(&e, "after %d attempts: ", attempt);
            break;
        }
        if ((wait = retry_wait(x, body, len, attempt)) < 0) {
            augur_err_prefix(&e, "the server asks to wait %ld s, longer than "
                             "model.http.backoff_max_ms: ", x->retry_after_ms / 1000);
            break;
        }
        log_info("model: %s; retrying in %ld ms", e.msg, wait);
        if (wait_cancellable(wait, x->o)) {
            augur_err_set(&e, AUGUR_ECANCELLED, "%s: cancelled while waiting to retry", url);
            rc = AUGUR_ECANCELLED;
            break;
        }
    }
    return rc == AUGUR_OK ? AUGUR_OK : augur_err_set(err, rc, "%s", e.msg);
}

/* ---- chat and embeddings --------------------------------------------------------------- */

/* The request with "stream" added when the reply is streamed. */
static int chat_body(const model_call *call, buf *out)
{
    const char *c = call->canonical;
    size_t n = strlen(c);

    if (!call->o->on_text)
        return buf_add(out, c, n);
    buf_add(out, c, n - 1);
    return buf_puts(out, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
}

/* The reply of a stream that ran to its end (a last line or event may lack its
** newline). */
static int stream_reply(xfer *x, const char *url, model_result *r, augur_err *err)
{
    if (x->line.len) {
        sse_line(x);
        buf_clear(&x->line);
    }
    if (x->data.len && x->stop == STOP_NONE)
        sse_line(x);
    if (x->stop == STOP_ERROR)
        return augur_err_set(err, x->stop_err.code, "%s", x->stop_err.msg);
    if (!x->done && x->finish < 0)
        return augur_err_set(err, AUGUR_EBADRESPONSE, "%s: the stream ended without finishing "
                             "(no finish_reason, no [DONE]) after %d events", url, x->events);
    for (size_t i = 0; i < x->n_tools; i++)
        if (reply_tool_call_add(r, buf_str(&x->tools[i].id), buf_str(&x->tools[i].name),
                                buf_str(&x->tools[i].args), x->tools[i].args.len) != AUGUR_OK)
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    r->finish = x->finish >= 0 ? (enum model_finish)x->finish
                               : x->n_tools ? MODEL_FINISH_TOOL_CALLS : MODEL_FINISH_STOP;
    return AUGUR_OK;
}

static int whole_reply(xfer *x, const char *url, model_result *r, augur_err *err)
{
    const cJSON *choice;
    cJSON *doc = NULL;
    int rc;

    if ((rc = json_body(x, url, &doc, err)) != AUGUR_OK)
        goto done;
    choice = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(doc, "choices"), 0);
    if (!choice) {
        rc = augur_err_set(err, AUGUR_EBADRESPONSE, "%s: the response has no choices", url);
        goto done;
    }
    if ((rc = reply_from_message(cJSON_GetObjectItemCaseSensitive(choice, "message"), r, err))) {
        augur_err_prefix(err, "%s: ", url);
        goto done;
    }
    r->finish = (enum model_finish)finish_of(cJSON_GetObjectItemCaseSensitive(choice,
                                                                                "finish_reason"),
                                             r->n_tool_calls > 0);
    reply_usage(cJSON_GetObjectItemCaseSensitive(doc, "usage"), r);
    if (x->o->on_text && r->len && x->o->on_text(x->o->ctx, r->text, r->len) != 0)
        rc = augur_err_set(err, AUGUR_ECANCELLED, "%s: cancelled by the stream callback", url);
done:
    cJSON_Delete(doc);
    return rc;
}

static int http_chat(model_backend *b, const model_call *call, model_result *r, augur_err *err)
{
    http_backend *h = (http_backend *)b;
    xfer x = { .h = h, .o = call->o, .r = r, .finish = -1 };
    buf body = BUF_INIT;
    int rc;

    if (chat_body(call, &body) != AUGUR_OK) {
        buf_free(&body);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    rc = post(&x, h->chat_url, body.data, body.len, &r->attempts, err);
    if (rc == AUGUR_OK)
        rc = x.sse ? stream_reply(&x, h->chat_url, r, err) : whole_reply(&x, h->chat_url, r, err);
    if (x.sse && x.text.len && reply_text_set(r, x.text.data, x.text.len) != AUGUR_OK)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    xfer_free(&x);
    buf_free(&body);
    return rc;
}

/* data[i].embedding, placed by data[i].index. */
static int embed_rows(const cJSON *data, size_t n, model_vectors *out, const char *url,
                      augur_err *err)
{
    const cJSON *item, *x;
    size_t i = 0, dim;
    char *seen;

    if (!cJSON_IsArray(data) || (size_t)cJSON_GetArraySize(data) != n)
        return augur_err_set(err, AUGUR_EBADRESPONSE, "%s: expected %zu embeddings", url, n);
    dim = n ? (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(data->child,
                                                                          "embedding")) : 0;
    if (vectors_alloc(out, n, dim) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (!(seen = calloc(n ? n : 1, 1)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    cJSON_ArrayForEach(item, data) {
        const cJSON *vec = cJSON_GetObjectItemCaseSensitive(item, "embedding");
        const cJSON *index = cJSON_GetObjectItemCaseSensitive(item, "index");
        double at = cJSON_IsNumber(index) ? index->valuedouble : (double)i;
        size_t row = at >= 0 && at < (double)n ? (size_t)at : n, k = 0;
        if (!cJSON_IsArray(vec) || (size_t)cJSON_GetArraySize(vec) != dim || dim == 0 ||
            row >= n || seen[row]++) {
            free(seen);
            return augur_err_set(err, AUGUR_EBADRESPONSE, "%s: embedding %zu is not a vector "
                                 "of %zu numbers with its own index", url, i, dim);
        }
        cJSON_ArrayForEach(x, vec) {
            if (!cJSON_IsNumber(x) || !(fabs(x->valuedouble) <= FLT_MAX)) {
                free(seen);
                return augur_err_set(err, AUGUR_EBADRESPONSE, "%s: embedding %zu holds a value "
                                     "that is not a number", url, i);
            }
            out->data[row * dim + k++] = (float)x->valuedouble;
        }
        i++;
    }
    free(seen);
    return AUGUR_OK;
}

static int http_embed(model_backend *b, const cJSON *request, const char *hash,
                      model_vectors *out, int64_t *tokens, augur_err *err)
{
    http_backend *h = (http_backend *)b;
    model_options none = MODEL_OPTIONS_DEFAULT;
    model_result usage = { 0 };
    xfer x = { .h = h, .o = &none, .finish = -1 };
    cJSON *doc = NULL;
    buf body = BUF_INIT;
    int rc, attempts;

    (void)hash;
    if (json_canonical(&body, request) != AUGUR_OK) {
        buf_free(&body);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    rc = post(&x, h->embed_url, body.data, body.len, &attempts, err);
    if (rc == AUGUR_OK && (rc = json_body(&x, h->embed_url, &doc, err)) == AUGUR_OK)
        rc = embed_rows(cJSON_GetObjectItemCaseSensitive(doc, "data"),
                        (size_t)cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(request,
                                                                                    "input")),
                        out, h->embed_url, err);
    reply_usage(cJSON_GetObjectItemCaseSensitive(doc, "usage"), &usage);
    *tokens = usage.prompt_tokens;
    cJSON_Delete(doc);
    buf_free(&body);
    xfer_free(&x);
    return rc;
}

static const char *http_endpoint(const model_backend *b)
{
    return ((const http_backend *)b)->cfg.url;
}

static void http_close(model_backend *b)
{
    http_backend *h = (http_backend *)b;

    if (!h)
        return;
    curl_multi_cleanup(h->multi);
    curl_easy_cleanup(h->easy);
    curl_slist_free_all(h->headers);
    free(h->chat_url);
    free(h->embed_url);
    free(h);
}

static const model_backend_class http_class = {
    "http", http_chat, http_embed, model_count_estimate, http_endpoint, http_close,
};

/* ---- opening --------------------------------------------------------------------------- */

static int header_add(http_backend *h, const char *line)
{
    struct curl_slist *next = curl_slist_append(h->headers, line);

    if (!next)
        return AUGUR_ENOMEM;
    h->headers = next;
    return AUGUR_OK;
}

static int headers_make(http_backend *h, augur_err *err)
{
    const char *env = h->cfg.api_key_env, *key = env && *env ? getenv(env) : NULL;
    int rc = header_add(h, "Content-Type: application/json");

    if (rc == AUGUR_OK)
        rc = header_add(h, "Accept: application/json, text/event-stream");
    if (rc == AUGUR_OK)   /* no Expect: 100-continue round trip before large bodies */
        rc = header_add(h, "Expect:");
    for (size_t i = 0; rc == AUGUR_OK && i < h->cfg.n_headers; i++) {
        const char *line = h->cfg.headers[i], *colon = strchr(line, ':');
        if (!colon || colon == line || strpbrk(line, "\r\n"))
            return augur_err_set(err, AUGUR_EINVAL, "model.http.headers: entry %zu is not "
                                 "\"Name: value\" on one line", i);
        rc = header_add(h, line);
    }
    if (rc == AUGUR_OK && key && *key) {
        buf auth = BUF_INIT;
        if (strpbrk(key, "\r\n"))
            return augur_err_set(err, AUGUR_EINVAL, "$%s holds a line break", env);
        buf_printf(&auth, "Authorization: Bearer %s", key);
        rc = auth.oom ? AUGUR_ENOMEM : header_add(h, auth.data);
        memset(auth.data, 0, auth.len);
        buf_free(&auth);
    } else if (rc == AUGUR_OK && env && *env) {
        log_info("model: $%s is not set: requests carry no API key", env);
    }
    return rc == AUGUR_OK ? rc : augur_err_set(err, rc, "out of memory");
}

static char *url_join(const char *base, const char *path)
{
    size_t n = strlen(base);
    char *u;

    while (n && base[n - 1] == '/')
        n--;
    if (asprintf(&u, "%.*s%s", (int)n, base, path) < 0)
        return NULL;
    return u;
}

int model_http_open(model_backend **out, const model_config *cfg, augur_err *err)
{
    const model_http_config *c = &cfg->http;
    http_backend *h;
    int rc;

    *out = NULL;
    if (strncmp(c->url, "http://", 7) != 0 && strncmp(c->url, "https://", 8) != 0)
        return augur_err_set(err, AUGUR_EINVAL, "model.http.url must begin with http:// or "
                             "https://, not '%s'", c->url);
    if (c->connect_timeout_ms < 0 || c->timeout_ms < 0 || c->idle_timeout_ms < 0 ||
        c->retries < 0 || c->backoff_ms < 0 || c->backoff_max_ms < 0 || !c->max_response_bytes)
        return augur_err_set(err, AUGUR_EINVAL, "model.http: timeouts, retries and backoffs "
                             "must not be negative, max_response_bytes positive");
    if (!(h = calloc(1, sizeof *h)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    h->base.cls = &http_class;
    h->cfg = *c;
    if (!(h->chat_url = url_join(c->url, "/chat/completions")) ||
        !(h->embed_url = url_join(c->url, "/embeddings")) || !(h->easy = curl_easy_init()) ||
        !(h->multi = curl_multi_init())) {
        http_close(&h->base);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    if ((rc = headers_make(h, err)) != AUGUR_OK) {
        http_close(&h->base);
        return rc;
    }
    curl_easy_setopt(h->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h->easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h->easy, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h->easy, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h->easy, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h->easy, CURLOPT_USERAGENT, "augur");
    *out = &h->base;
    return AUGUR_OK;
}
