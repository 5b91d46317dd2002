/*
** test_model_http.c — the HTTP backend against a real server on loopback
** (libmicrohttpd), scripted per test: whole and streamed replies, retries on 429
** and 5xx, timeouts, cut streams, malformed and oversized bodies, wrong content
** types, tools, schemas, embeddings, proxies; then records, replay and the cache.
*/
#include "test.h"

#include "base/file.h"
#include "base/log.h"
#include "base/time.h"
#include "model/cache.h"
#include "model/model.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- the scripted server ------------------------------------------------------------------ */

enum reply_mode {
    WHOLE,    /* the body at once, after delay_ms */
    PIECES,   /* the body in pieces of 7 bytes, delay_ms apart (chunked) */
    CUT,      /* the first half of the body, then the connection breaks */
    STALL,    /* the headers, then nothing for delay_ms, then the body */
    HUGE      /* a reply whose content is `huge` bytes of 'a' */
};

typedef struct scripted {
    unsigned        status;
    const char     *ctype;
    const char     *body;
    enum reply_mode mode;
    int             delay_ms;
    const char     *header;   /* one more header, "Name: value" */
    size_t          huge;
} scripted;

static test_server server;
static int port;
static char base_url[64];
static char *scratch;

static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static scripted script[8];
static int n_script, hits;
static buf seen_body;                   /* the last request's body */
static char seen_auth[256], seen_extra[256], seen_url[512];

static void serve(const scripted *s, int n)
{
    pthread_mutex_lock(&seen_lock);
    memcpy(script, s, (size_t)n * sizeof *s);
    n_script = n;
    hits = 0;
    buf_clear(&seen_body);
    seen_auth[0] = seen_extra[0] = seen_url[0] = '\0';
    pthread_mutex_unlock(&seen_lock);
}

static int served_count(void)
{
    pthread_mutex_lock(&seen_lock);
    int n = hits;
    pthread_mutex_unlock(&seen_lock);
    return n;
}

static char *seen_request(void)
{
    pthread_mutex_lock(&seen_lock);
    char *copy = strdup(buf_str(&seen_body));
    pthread_mutex_unlock(&seen_lock);
    return copy;
}

static const char huge_head[] = "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"";
static const char huge_tail[] = "\"},\"finish_reason\":\"stop\"}]}";

typedef struct reader {
    scripted s;
} reader;

static ssize_t read_body(void *cls, uint64_t pos, char *out, size_t max)
{
    const scripted *s = &((reader *)cls)->s;
    size_t len = s->body ? strlen(s->body) : 0, n;

    switch (s->mode) {
    case PIECES:
        if (pos >= len)
            return MHD_CONTENT_READER_END_OF_STREAM;
        usleep((useconds_t)s->delay_ms * 1000);
        n = len - pos < 7 ? len - pos : 7;
        break;
    case CUT:
        if (pos >= len / 2) {
            usleep(20 * 1000);
            return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        n = len / 2 - pos;
        break;
    case STALL:
        if (pos == 0)
            usleep((useconds_t)s->delay_ms * 1000);
        if (pos >= len)
            return MHD_CONTENT_READER_END_OF_STREAM;
        n = len - pos;
        break;
    case HUGE: {
        size_t head = sizeof huge_head - 1, total = head + s->huge + sizeof huge_tail - 1;
        size_t i = 0;
        if (pos >= total)
            return MHD_CONTENT_READER_END_OF_STREAM;
        for (; i < max && pos + i < total; i++) {
            size_t at = pos + i;
            out[i] = at < head ? huge_head[at] : at < head + s->huge ? 'a'
                                                                      : huge_tail[at - head - s->huge];
        }
        return (ssize_t)i;
    }
    default:
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (n > max)
        n = max;
    memcpy(out, s->body + pos, n);
    return (ssize_t)n;
}

static enum MHD_Result respond(struct MHD_Connection *conn, const scripted *s)
{
    struct MHD_Response *r;
    enum MHD_Result rc;
    size_t len = s->body ? strlen(s->body) : 0;

    if (s->mode == WHOLE) {
        usleep((useconds_t)s->delay_ms * 1000);
        r = MHD_create_response_from_buffer(len, (void *)s->body, MHD_RESPMEM_MUST_COPY);
    } else {
        reader *rd = malloc(sizeof *rd);
        uint64_t size = s->mode == HUGE ? sizeof huge_head - 1 + s->huge + sizeof huge_tail - 1
                      : s->mode == STALL ? len
                                         : MHD_SIZE_UNKNOWN;
        rd->s = *s;
        r = MHD_create_response_from_callback(size, 64 * 1024, read_body, rd, free);
    }
    if (s->ctype)
        MHD_add_response_header(r, "Content-Type", s->ctype);
    if (s->header) {
        char name[64];
        const char *colon = strchr(s->header, ':');
        snprintf(name, sizeof name, "%.*s", (int)(colon - s->header), s->header);
        MHD_add_response_header(r, name, colon + 2);
    }
    rc = MHD_queue_response(conn, s->status, r);
    MHD_destroy_response(r);
    return rc;
}

static void copy_header(struct MHD_Connection *conn, const char *name, char *out, size_t size)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    snprintf(out, size, "%s", v ? v : "");
}

static enum MHD_Result answer(void *ctx, struct MHD_Connection *conn, const char *url,
                              const char *body, size_t len)
{
    scripted s;

    (void)ctx;
    pthread_mutex_lock(&seen_lock);
    s = script[hits < n_script ? hits : n_script - 1];
    hits++;
    buf_clear(&seen_body);
    buf_add(&seen_body, body, len);
    copy_header(conn, "Authorization", seen_auth, sizeof seen_auth);
    copy_header(conn, "X-Extra", seen_extra, sizeof seen_extra);
    snprintf(seen_url, sizeof seen_url, "%s", url);
    pthread_mutex_unlock(&seen_lock);
    return respond(conn, &s);
}

static int setup(void **state)
{
    (void)state;
    unsetenv("http_proxy");
    unsetenv("HTTP_PROXY");
    unsetenv("https_proxy");
    unsetenv("all_proxy");
    unsetenv("ALL_PROXY");
    setenv("AUGUR_TEST_KEY", "sk-test-5ecret-key", 1);
    log_set_level(LOG_LEVEL_ERROR);
    scratch = test_tmpdir();
    server.answer = answer;
    if (test_server_start(&server) != 0)
        return -1;
    port = server.port;
    snprintf(base_url, sizeof base_url, "http://127.0.0.1:%d/v1", port);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_server_stop(&server);
    buf_free(&seen_body);
    test_rmtree(scratch);
    free(scratch);
    return 0;
}

/* ---- calling it ------------------------------------------------------------------------------ */

static const char ok_body[] =
    "{\"id\":\"c1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
    "{\"role\":\"assistant\",\"content\":\"Hello there.\"},\"finish_reason\":\"stop\"}],"
    "\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15}}";

static const char sse_body[] =
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"Hel\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo, \"}}]}\r\n\r\n"
    ": a comment the client skips\n\n"
    "event: message\ndata: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"world\"}}]}\n\n"
    "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":4}}\n\n"
    "data: [DONE]\n\n";

static const scripted ok = { 200, "application/json", ok_body, WHOLE, 0, NULL, 0 };
static const scripted streamed = { 200, "text/event-stream", sse_body, PIECES, 1, NULL, 0 };

static model_config http_config(void)
{
    model_config mc = MODEL_CONFIG_DEFAULT;

    mc.backend = MODEL_HTTP;
    mc.name = "test-model";
    mc.http.url = base_url;
    mc.http.api_key_env = "AUGUR_TEST_KEY";
    mc.http.backoff_ms = 1;
    mc.http.backoff_max_ms = 2000;
    mc.http.timeout_ms = 5000;
    return mc;
}

static model *open_model(const model_config *mc)
{
    augur_err err = { 0 };
    model *m;

    if (model_open(&m, mc, &err) != AUGUR_OK)
        fail_msg("model_open: %s", err.msg);
    return m;
}

static const model_message hello[] = { { MODEL_SYSTEM, "Be brief.", NULL, 0, NULL },
                                        { MODEL_USER, "Say hello.", NULL, 0, NULL } };

/* One chat with options o (NULL: the defaults); its code, the result in r. */
static int ask(model *m, const model_options *o, model_result *r, augur_err *err)
{
    memset(err, 0, sizeof *err);
    return model_chat(m, hello, 2, o, r, err);
}

typedef struct pieces {
    buf text;
    int calls;
    int stop_after;   /* non-zero: ask to stop after this many pieces */
} pieces;

static int on_piece(void *ctx, const char *text, size_t len)
{
    pieces *p = ctx;

    buf_add(&p->text, text, len);
    return p->stop_after && ++p->calls >= p->stop_after;
}

/* ---- the cases ------------------------------------------------------------------------------ */

static void test_normal(void **state)
{
    const char *headers[] = { "X-Extra: forty-two" };
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    const char *stops[] = { "END" };
    model_result r;
    augur_err err;
    model_totals t;
    char *req;
    model *m;

    (void)state;
    mc.http.headers = headers;
    mc.http.n_headers = 1;
    mc.price_input = 2.5;
    mc.price_output = 10;
    m = open_model(&mc);
    serve(&ok, 1);
    o.max_tokens = 64;
    o.temperature = 0;
    o.seed = 7;
    o.stops = stops;
    o.n_stops = 1;
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_OK);
    assert_string_equal(r.text, "Hello there.");
    assert_int_equal(r.len, 12);
    assert_int_equal(r.finish, MODEL_FINISH_STOP);
    assert_int_equal(r.prompt_tokens, 12);
    assert_int_equal(r.completion_tokens, 3);
    assert_int_equal(r.http_status, 200);
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.n_tool_calls, 0);
    assert_true(r.latency_ms > 0);
    assert_true(r.cost > 0.00005999 && r.cost < 0.00006001);   /* 12 × 2.5 + 3 × 10, per million */
    model_result_free(&r);
    req = seen_request();
    assert_contains(req, "\"model\":\"test-model\"");
    assert_contains(req, "\"messages\":[{\"content\":\"Be brief.\",\"role\":\"system\"},"
                         "{\"content\":\"Say hello.\",\"role\":\"user\"}]");
    assert_contains(req, "\"max_tokens\":64");
    assert_contains(req, "\"temperature\":0");
    assert_contains(req, "\"seed\":7");
    assert_contains(req, "\"stop\":[\"END\"]");
    assert_null(strstr(req, "stream"));
    free(req);
    assert_string_equal(seen_auth, "Bearer sk-test-5ecret-key");
    assert_string_equal(seen_extra, "forty-two");
    assert_string_equal(seen_url, "/v1/chat/completions");
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);   /* the same connection, again */
    model_result_free(&r);
    model_totals_get(m, &t);
    assert_int_equal(t.calls, 2);
    assert_int_equal(t.failed, 0);
    assert_int_equal(t.prompt_tokens, 24);
    assert_int_equal(t.completion_tokens, 6);
    assert_true(t.cost > 0.00011999 && t.cost < 0.00012001);
    model_close(m);
}

static void test_streamed(void **state)
{
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    pieces p = { BUF_INIT, 0, 0 };
    model_result r;
    augur_err err;
    char *req;
    model *m;

    (void)state;
    m = open_model(&mc);
    serve(&streamed, 1);
    o.on_text = on_piece;
    o.ctx = &p;
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_OK);
    assert_string_equal(r.text, "Hello, world");
    assert_string_equal(buf_str(&p.text), "Hello, world");
    assert_int_equal(r.finish, MODEL_FINISH_STOP);
    assert_int_equal(r.prompt_tokens, 9);
    assert_int_equal(r.completion_tokens, 4);
    req = seen_request();
    assert_contains(req, "\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
    free(req);
    model_result_free(&r);
    buf_free(&p.text);

    /* the stream callback asks to stop: cancelled, with the text so far */
    p = (pieces){ BUF_INIT, 0, 1 };
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_ECANCELLED);
    assert_contains(err.msg, "stream callback");
    assert_string_equal(r.text, "Hel");
    model_result_free(&r);
    buf_free(&p.text);
    model_close(m);
}

static void test_tool_calls(void **state)
{
    static const char tool_sse[] =
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"call_1\","
        "\"type\":\"function\",\"function\":{\"name\":\"add\",\"arguments\":\"\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
        "{\"arguments\":\"{\\\"a\\\": 2, \"}}]}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":"
        "{\"arguments\":\"\\\"b\\\": 3}\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
        "data: [DONE]\n\n";
    static const char tool_json[] =
        "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
        "[{\"id\":\"call_9\",\"type\":\"function\",\"function\":{\"name\":\"add\","
        "\"arguments\":\"{\\\"a\\\":1,\\\"b\\\":1}\"}}]},\"finish_reason\":\"tool_calls\"}]}";
    static const char wrong_tool[] =
        "{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[{\"id\":\"x\",\"function\":"
        "{\"name\":\"rm\",\"arguments\":\"{}\"}}]},\"finish_reason\":\"tool_calls\"}]}";
    static const char bad_args[] =
        "{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[{\"id\":\"x\",\"function\":"
        "{\"name\":\"add\",\"arguments\":\"{\\\"a\\\":\\\"two\\\",\\\"b\\\":1}\"}}]}}]}";
    const model_tool tools[] = { { "add", "Add two numbers.",
                                   "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":"
                                   "\"integer\"},\"b\":{\"type\":\"integer\"}},\"required\":"
                                   "[\"a\",\"b\"]}" } };
    const scripted replies[] = { { 200, "text/event-stream", tool_sse, PIECES, 0, NULL, 0 },
                                 { 200, "application/json", tool_json, WHOLE, 0, NULL, 0 },
                                 { 200, "application/json", wrong_tool, WHOLE, 0, NULL, 0 },
                                 { 200, "application/json", bad_args, WHOLE, 0, NULL, 0 } };
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    pieces p = { BUF_INIT, 0, 0 };
    model_result r;
    augur_err err;
    char *req;
    model *m;

    (void)state;
    m = open_model(&mc);
    serve(replies, 4);
    o.tools = tools;
    o.n_tools = 1;
    o.tool_choice = MODEL_TOOLS_REQUIRED;
    o.on_text = on_piece;
    o.ctx = &p;
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_OK);
    assert_int_equal(r.finish, MODEL_FINISH_TOOL_CALLS);
    assert_int_equal(r.n_tool_calls, 1);
    assert_string_equal(r.tool_calls[0].id, "call_1");
    assert_string_equal(r.tool_calls[0].name, "add");
    assert_string_equal(r.tool_calls[0].arguments, "{\"a\": 2, \"b\": 3}");
    assert_string_equal(r.text, "");
    req = seen_request();
    assert_contains(req, "\"tool_choice\":\"required\",\"tools\":[{\"function\":{\"description\":"
                         "\"Add two numbers.\",\"name\":\"add\",\"parameters\":{\"properties\"");
    free(req);
    model_result_free(&r);
    o.on_text = NULL;
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_OK);
    assert_int_equal(r.n_tool_calls, 1);
    assert_string_equal(r.tool_calls[0].id, "call_9");
    assert_string_equal(r.tool_calls[0].arguments, "{\"a\":1,\"b\":1}");
    model_result_free(&r);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "'rm', a tool not offered");
    model_result_free(&r);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "the arguments of 'add' does not satisfy its schema: $.a: expected "
                             "integer");
    model_result_free(&r);
    buf_free(&p.text);
    model_close(m);
}

static void test_schema(void **state)
{
    static const char good[] = "{\"choices\":[{\"message\":{\"content\":\"{\\\"answer\\\": 4}\"}}]}";
    static const char bad[] = "{\"choices\":[{\"message\":{\"content\":\"{\\\"answer\\\": \\\"4\\\"}\"}}]}";
    static const char prose[] = "{\"choices\":[{\"message\":{\"content\":\"four\"}}]}";
    const scripted replies[] = { { 200, "application/json", good, WHOLE, 0, NULL, 0 },
                                 { 200, "application/json", bad, WHOLE, 0, NULL, 0 },
                                 { 200, "application/json", prose, WHOLE, 0, NULL, 0 } };
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    model_result r;
    augur_err err;
    char *req;
    model *m;

    (void)state;
    m = open_model(&mc);
    serve(replies, 3);
    o.schema = "{\"type\": \"object\", \"properties\": {\"answer\": {\"type\": \"integer\"}}, "
               "\"required\": [\"answer\"]}";
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_OK);
    assert_string_equal(r.text, "{\"answer\": 4}");
    model_result_free(&r);
    req = seen_request();
    assert_contains(req, "\"response_format\":{\"json_schema\":{\"name\":\"reply\",\"schema\":"
                         "{\"properties\":{\"answer\":{\"type\":\"integer\"}},\"required\":"
                         "[\"answer\"],\"type\":\"object\"},\"strict\":true},\"type\":"
                         "\"json_schema\"}");
    free(req);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "the reply does not satisfy its schema: $.answer: expected integer");
    assert_string_equal(r.text, "{\"answer\": \"4\"}");   /* what came is kept */
    model_result_free(&r);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "the reply:1:1: invalid JSON");
    model_result_free(&r);
    o.schema = "{\"type\": ";
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "schema:1:9: invalid JSON");
    model_result_free(&r);
    assert_int_equal(served_count(), 3);   /* a bad schema never reaches the server */
    model_close(m);
}

static void test_rate_limited(void **state)
{
    const scripted replies[] = {
        { 429, "application/json", "{\"error\":{\"message\":\"slow down\"}}", WHOLE, 0,
          "Retry-After: 1", 0 },
        ok,
    };
    const scripted quick[] = {
        { 429, "application/json", "{}", WHOLE, 0, "retry-after-ms: 30", 0 },
        { 429, "application/json", "{}", WHOLE, 0, "Retry-After: 0", 0 },
        ok,
    };
    const scripted patient[] = {
        { 429, "application/json", "{\"error\":{\"message\":\"come back tomorrow\"}}", WHOLE, 0,
          "Retry-After: 86400", 0 },
    };
    model_config mc = http_config();
    model_result r;
    augur_err err;
    uint64_t t0;
    model *m;

    (void)state;
    m = open_model(&mc);
    serve(replies, 2);
    t0 = time_mono_ns();
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    assert_true(time_mono_ns() - t0 >= 1000000000u);   /* Retry-After: 1 was honoured */
    assert_int_equal(r.attempts, 2);
    assert_int_equal(r.http_status, 200);
    assert_string_equal(r.text, "Hello there.");
    model_result_free(&r);

    serve(quick, 3);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    assert_int_equal(r.attempts, 3);
    model_result_free(&r);

    serve(patient, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ERATELIMIT);
    assert_contains(err.msg, "asks to wait 86400 s");
    assert_contains(err.msg, "HTTP 429: come back tomorrow");
    assert_int_equal(r.attempts, 1);
    assert_int_equal(r.http_status, 429);
    model_result_free(&r);
    model_close(m);

    mc.http.retries = 2;   /* 429 every time: rate limited after 3 attempts */
    m = open_model(&mc);
    serve(quick, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ERATELIMIT);
    assert_contains(err.msg, "after 3 attempts");
    assert_int_equal(r.attempts, 3);
    assert_int_equal(served_count(), 3);
    model_result_free(&r);
    model_close(m);
}

static void test_server_errors(void **state)
{
    const scripted twice[] = {
        { 500, "text/plain", "boom", WHOLE, 0, NULL, 0 },
        { 500, "application/json", "{\"error\":{\"message\":\"overloaded\"}}", WHOLE, 0, NULL, 0 },
        ok,
    };
    const scripted always[] = { { 502, "text/html", "<h1>Bad gateway</h1>", WHOLE, 0, NULL, 0 } };
    const scripted denied[] = { { 401, "application/json", "{\"error\":{\"message\":\"Incorrect "
                                  "API key provided\",\"code\":\"invalid_api_key\"}}", WHOLE, 0,
                                  NULL, 0 } };
    const scripted too_long[] = {
        { 400, "application/json", "{\"error\":{\"message\":\"This model's maximum context length "
          "is 8192 tokens\",\"code\":\"context_length_exceeded\"}}", WHOLE, 0, NULL, 0 },
        { 400, "application/json", "{\"error\":{\"code\":400,\"message\":\"the request exceeds "
          "the available context size\",\"type\":\"exceed_context_size_error\"}}", WHOLE, 0, NULL,
          0 },
    };
    model_config mc = http_config();
    model_result r;
    augur_err err;
    model_totals t;
    model *m;

    (void)state;
    mc.http.retries = 3;
    m = open_model(&mc);
    serve(twice, 3);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    assert_int_equal(r.attempts, 3);
    assert_string_equal(r.text, "Hello there.");
    model_result_free(&r);

    serve(always, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_EHTTP);
    assert_contains(err.msg, "after 4 attempts: ");
    assert_contains(err.msg, "HTTP 502: <h1>Bad gateway</h1>");
    assert_int_equal(r.attempts, 4);
    model_result_free(&r);

    serve(denied, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_EHTTP);
    assert_contains(err.msg, "HTTP 401: Incorrect API key provided");
    assert_int_equal(r.attempts, 1);   /* not worth retrying */
    model_result_free(&r);

    serve(too_long, 2);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ECONTEXT);
    assert_contains(err.msg, "maximum context length is 8192");
    model_result_free(&r);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ECONTEXT);
    assert_int_equal(r.attempts, 1);
    model_result_free(&r);
    model_totals_get(m, &t);
    assert_int_equal(t.calls, 5);
    assert_int_equal(t.failed, 4);
    model_close(m);
}

static void test_timeouts(void **state)
{
    const scripted late[] = { { 200, "application/json", ok_body, WHOLE, 1500, NULL, 0 } };
    const scripted stalled[] = { { 200, "application/json", ok_body, STALL, 1500, NULL, 0 } };
    model_config mc = http_config();
    model_result r;
    augur_err err;
    uint64_t t0;
    model *m;

    (void)state;
    mc.http.timeout_ms = 300;
    m = open_model(&mc);
    serve(late, 1);
    t0 = time_mono_ns();
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ETIMEOUT);
    assert_true(time_mono_ns() - t0 < 1400000000u);
    assert_contains(err.msg, "model.http.timeout_ms 300");
    assert_int_equal(r.attempts, 1);   /* a timeout is not retried */
    model_result_free(&r);
    model_close(m);

    mc.http.timeout_ms = 0;
    mc.http.idle_timeout_ms = 200;
    m = open_model(&mc);
    serve(stalled, 1);
    t0 = time_mono_ns();
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ETIMEOUT);
    assert_true(time_mono_ns() - t0 < 1400000000u);
    assert_contains(err.msg, "no data for 200 ms");
    model_result_free(&r);
    model_close(m);
}

static void test_broken_replies(void **state)
{
    static const char half_sse[] =
        "data: {\"choices\":[{\"delta\":{\"content\":\"The first half of a long answer \"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"and the second half, which never comes "
        "through\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n";
    static const char bad_event[] =
        "data: {\"choices\":[{\"delta\":{\"content\":\"fine\"}}]}\n\ndata: {\"choices\":[{\n\n";
    static const char unended[] = "data: {\"choices\":[{\"delta\":{\"content\":\"no end\"}}]}\n\n";
    const scripted cut[] = { { 200, "text/event-stream", half_sse, CUT, 0, NULL, 0 } };
    const scripted malformed[] = {
        { 200, "application/json", "{\"choices\": [{\"message\": {\"content\": \"x\"}", WHOLE, 0,
          NULL, 0 },
        { 200, "text/event-stream", bad_event, WHOLE, 0, NULL, 0 },
        { 200, "application/json", "{\"object\":\"chat.completion\"}", WHOLE, 0, NULL, 0 },
        { 200, "text/event-stream", unended, WHOLE, 0, NULL, 0 },
        { 200, "application/json", "{\"choices\":[{\"message\":{\"content\":5}}]}", WHOLE, 0,
          NULL, 0 },
    };
    const scripted html[] = { { 200, "text/html; charset=utf-8", "<html>Sign in</html>", WHOLE, 0,
                                NULL, 0 } };
    const scripted odd_usage[] = {   /* counts no int64_t holds, or below zero: not counted */
        { 200, "application/json", "{\"choices\":[{\"message\":{\"content\":\"x\"}}],"
          "\"usage\":{\"prompt_tokens\":1e300,\"completion_tokens\":-3}}", WHOLE, 0, NULL, 0 },
    };
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    pieces p = { BUF_INIT, 0, 0 };
    model_result r;
    augur_err err;
    model *m;

    (void)state;
    m = open_model(&mc);
    o.on_text = on_piece;
    o.ctx = &p;
    serve(cut, 1);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_ENETWORK);
    assert_string_equal(r.text, "The first half of a long answer ");   /* what came is kept */
    assert_string_equal(buf_str(&p.text), "The first half of a long answer ");
    assert_int_equal(r.attempts, 1);   /* text went out: a retry would repeat it */
    model_result_free(&r);
    buf_free(&p.text);

    serve(malformed, 5);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "not a JSON object");
    model_result_free(&r);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "an event of the stream is not JSON");
    model_result_free(&r);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "has no choices");
    model_result_free(&r);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "the stream ended without finishing");
    model_result_free(&r);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "content is not a string");
    model_result_free(&r);

    serve(html, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "expected application/json, got text/html");
    model_result_free(&r);

    serve(odd_usage, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    assert_string_equal(r.text, "x");
    assert_int_equal(r.prompt_tokens, 0);
    assert_int_equal(r.completion_tokens, 0);
    model_result_free(&r);
    buf_free(&p.text);
    model_close(m);
}

static void test_large_body(void **state)
{
    const size_t fifty = 50u << 20;
    const scripted huge[] = { { 200, "application/json", NULL, HUGE, 0, NULL, 50u << 20 } };
    model_config mc = http_config();
    model_result r;
    augur_err err;
    model *m;

    (void)state;
    m = open_model(&mc);   /* 16 MiB allowed */
    serve(huge, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ELIMIT);
    assert_contains(err.msg, "larger than 16777216 bytes (model.http.max_response_bytes)");
    assert_int_equal(r.attempts, 1);
    model_result_free(&r);
    model_close(m);

    mc.http.max_response_bytes = 64u << 20;
    m = open_model(&mc);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    assert_int_equal(r.len, fifty);
    assert_true(r.text[0] == 'a' && r.text[fifty - 1] == 'a' && r.text[fifty] == '\0');
    model_result_free(&r);
    model_close(m);
}

static void test_network(void **state)
{
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    atomic_int cancel = 1;
    model_result r;
    augur_err err;
    char url[64];
    model *m;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;

    (void)state;
    /* a port that was free a moment ago: nobody listens there */
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", ntohs(a.sin_port));
    mc.http.url = url;
    mc.http.retries = 2;
    m = open_model(&mc);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_ENETWORK);
    assert_contains(err.msg, "after 3 attempts");
    assert_int_equal(r.attempts, 3);
    assert_int_equal(r.http_status, 0);
    model_result_free(&r);
    o.cancel = &cancel;
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_ECANCELLED);
    model_result_free(&r);
    model_close(m);

    mc.http.url = "ftp://example.org/";
    assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "must begin with http:// or https://");
    mc.http.url = base_url;
    {
        const char *bad[] = { "No-Colon-Here" };
        mc.http.headers = bad;
        mc.http.n_headers = 1;
        assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
        assert_contains(err.msg, "\"Name: value\"");
    }
}

typedef struct canceller {
    atomic_int *flag;
    int         after_ms;
} canceller;

static void *cancel_later(void *arg)
{
    canceller *c = arg;

    usleep((useconds_t)c->after_ms * 1000);
    atomic_store(c->flag, 1);
    return NULL;
}

static void test_cancel(void **state)
{
    const scripted slow[] = { { 200, "application/json", ok_body, STALL, 1500, NULL, 0 },
                              { 503, "application/json", "{}", WHOLE, 0, "Retry-After: 1", 0 } };
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    atomic_int flag = 0;
    canceller c = { &flag, 100 };
    pthread_t th;
    model_result r;
    augur_err err;
    uint64_t t0;
    model *m;

    (void)state;
    m = open_model(&mc);
    o.cancel = &flag;
    serve(slow, 1);
    t0 = time_mono_ns();
    pthread_create(&th, NULL, cancel_later, &c);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_ECANCELLED);
    pthread_join(th, NULL);
    assert_true(time_mono_ns() - t0 < 1000000000u);
    model_result_free(&r);

    /* cancelled while waiting to retry */
    atomic_store(&flag, 0);
    serve(slow + 1, 1);
    t0 = time_mono_ns();
    pthread_create(&th, NULL, cancel_later, &c);
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_ECANCELLED);
    pthread_join(th, NULL);
    assert_contains(err.msg, "waiting to retry");
    assert_true(time_mono_ns() - t0 < 2000000000u);
    model_result_free(&r);
    model_close(m);
}

static void test_embeddings(void **state)
{
    static const char vectors[] =
        "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":1,\"embedding\":"
        "[0.5,-0.25,1]},{\"object\":\"embedding\",\"index\":0,\"embedding\":[1,2,3]}],"
        "\"usage\":{\"prompt_tokens\":6,\"total_tokens\":6}}";
    static const char short_answer[] =
        "{\"data\":[{\"index\":0,\"embedding\":[1,2]}]}";
    static const char too_large[] =   /* beyond a float */
        "{\"data\":[{\"index\":0,\"embedding\":[1e300]},{\"index\":1,\"embedding\":[1]}]}";
    const scripted replies[] = { { 200, "application/json", vectors, WHOLE, 0, NULL, 0 },
                                 { 200, "application/json", short_answer, WHOLE, 0, NULL, 0 },
                                 { 200, "application/json", too_large, WHOLE, 0, NULL, 0 } };
    const char *texts[] = { "first", "second" };
    model_config mc = http_config();
    model_vectors v;
    augur_err err = { 0 };
    model_totals t;
    char *req;
    model *m;

    (void)state;
    mc.embedding = "test-embedder";
    m = open_model(&mc);
    serve(replies, 3);
    assert_int_equal(model_embed(m, texts, 2, &v, &err), AUGUR_OK);
    assert_int_equal(v.n, 2);
    assert_int_equal(v.dim, 3);
    assert_true(v.data[0] == 1 && v.data[1] == 2 && v.data[2] == 3);
    assert_true(v.data[3] == 0.5f && v.data[4] == -0.25f && v.data[5] == 1);
    model_vectors_free(&v);
    assert_string_equal(seen_url, "/v1/embeddings");
    req = seen_request();
    assert_string_equal(req, "{\"input\":[\"first\",\"second\"],\"model\":\"test-embedder\"}");
    free(req);
    assert_int_equal(model_embed(m, texts, 2, &v, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "expected 2 embeddings");
    model_vectors_free(&v);
    assert_int_equal(model_embed(m, texts, 2, &v, &err), AUGUR_EBADRESPONSE);
    assert_contains(err.msg, "embedding 0 holds a value that is not a number");
    model_vectors_free(&v);
    model_totals_get(m, &t);
    assert_int_equal(t.calls, 3);
    assert_int_equal(t.prompt_tokens, 6);
    model_close(m);
}

static void test_count_tokens(void **state)
{
    model_config mc = http_config();
    augur_err err = { 0 };
    int64_t n;
    int exact;
    model *m;

    (void)state;
    m = open_model(&mc);
    assert_int_equal(model_count_tokens(m, "twelve bytes", 12, &n, &exact, &err), AUGUR_OK);
    assert_int_equal(n, 3);
    assert_int_equal(exact, 0);
    model_close(m);
}

static void test_proxy(void **state)
{
    model_config mc = http_config();
    model_result r;
    augur_err err;
    char proxy[64];
    model *m;

    (void)state;
    snprintf(proxy, sizeof proxy, "http://127.0.0.1:%d", port);
    setenv("http_proxy", proxy, 1);
    mc.http.url = "http://models.example.test/v1";   /* a name that resolves nowhere */
    m = open_model(&mc);
    serve(&ok, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    unsetenv("http_proxy");
    assert_string_equal(r.text, "Hello there.");
    assert_contains(seen_url, "models.example.test/v1/chat/completions");
    model_result_free(&r);
    model_close(m);
}

/* ---- records, replay, the cache ----------------------------------------------------------- */

typedef struct outcome {
    int    rc;
    char  *json;   /* everything a caller sees, as one string */
} outcome;

static outcome chat_outcome(model *m, const model_options *o, const model_message *msgs, size_t n)
{
    model_result r;
    augur_err err = { 0 };
    outcome out;
    buf b = BUF_INIT;

    out.rc = model_chat(m, msgs, n, o, &r, &err);
    buf_printf(&b, "rc %d [%s] text '%s' finish %s usage %lld/%lld status %d attempts %d calls",
               out.rc, out.rc ? err.msg : "", r.text, model_finish_name(r.finish),
               (long long)r.prompt_tokens, (long long)r.completion_tokens, r.http_status,
               r.attempts);
    for (size_t i = 0; i < r.n_tool_calls; i++)
        buf_printf(&b, " %s:%s(%s)", r.tool_calls[i].id, r.tool_calls[i].name,
                   r.tool_calls[i].arguments);
    out.json = buf_take(&b);
    model_result_free(&r);
    return out;
}

static void test_record_replay(void **state)
{
    static const char tool_json[] =
        "{\"choices\":[{\"message\":{\"content\":null,\"tool_calls\":[{\"id\":\"call_2\","
        "\"function\":{\"name\":\"add\",\"arguments\":\"{\\\"a\\\":1,\\\"b\\\":2}\"}}]},"
        "\"finish_reason\":\"tool_calls\"}],\"usage\":{\"prompt_tokens\":30,"
        "\"completion_tokens\":9}}";
    static const char vectors[] = "{\"data\":[{\"index\":0,\"embedding\":[0.1,0.2]}]}";
    static const char second[] =
        "{\"choices\":[{\"message\":{\"content\":\"Another answer.\"}}]}";
    const scripted replies[] = {
        ok, streamed, { 200, "application/json", tool_json, WHOLE, 0, NULL, 0 },
        { 401, "application/json", "{\"error\":{\"message\":\"no\"}}", WHOLE, 0, NULL, 0 },
        { 200, "application/json", second, WHOLE, 0, NULL, 0 },
        { 200, "application/json", vectors, WHOLE, 0, NULL, 0 },
    };
    const model_tool tools[] = { { "add", "Add.", NULL } };
    const model_message followup[] = {
        { MODEL_USER, "Add 1 and 2.", NULL, 0, NULL },
        { MODEL_ASSISTANT, NULL, (model_tool_call[]){ { "call_2", "add", "{\"a\":1,\"b\":2}" } },
          1, NULL },
        { MODEL_TOOL, "3", NULL, 0, "call_2" },
    };
    const char *texts[] = { "vector me" };
    model_config mc = http_config();
    model_options plain = MODEL_OPTIONS_DEFAULT, stream = MODEL_OPTIONS_DEFAULT;
    model_options tooled = MODEL_OPTIONS_DEFAULT;
    pieces p = { BUF_INIT, 0, 0 };
    outcome live[6], again[6];
    char *path, *text = NULL;
    size_t len;
    model_vectors v;
    augur_err err = { 0 };
    int saved_stderr, log_fd;
    char *log_path;
    model *m;

    (void)state;
    if (asprintf(&path, "%s/calls.jsonl", scratch) < 0 || asprintf(&log_path, "%s/log", scratch) < 0)
        fail_msg("out of memory");
    stream.on_text = on_piece;
    stream.ctx = &p;
    tooled.tools = tools;
    tooled.n_tools = 1;
    mc.record = path;
    /* everything logged while recording goes to a file, which must not hold the key */
    log_set_level(LOG_LEVEL_DEBUG);
    fflush(stderr);
    saved_stderr = dup(2);
    log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(log_fd, 2);
    m = open_model(&mc);
    serve(replies, 6);
    live[0] = chat_outcome(m, &plain, hello, 2);
    live[1] = chat_outcome(m, &stream, hello, 2);
    live[2] = chat_outcome(m, &tooled, followup, 1);
    live[3] = chat_outcome(m, &tooled, followup, 3);
    live[4] = chat_outcome(m, &plain, hello, 2);   /* the same request, another answer */
    assert_int_equal(model_embed(m, texts, 1, &v, &err), AUGUR_OK);
    model_vectors_free(&v);
    model_close(m);
    fflush(stderr);
    dup2(saved_stderr, 2);
    close(saved_stderr);
    close(log_fd);
    log_set_level(LOG_LEVEL_ERROR);
    assert_int_equal(live[0].rc, AUGUR_OK);
    assert_int_equal(live[3].rc, AUGUR_EHTTP);
    assert_contains(live[2].json, "call_2:add({\"a\":1,\"b\":2})");

    assert_int_equal(file_read(path, 1 << 20, &text, &len, &err), AUGUR_OK);
    assert_null(strstr(text, "5ecret"));
    assert_contains(text, "{\"hash\":\"");
    assert_contains(text, "\"kind\":\"embed\"");
    free(text);
    assert_int_equal(file_read(log_path, 1 << 20, &text, &len, &err), AUGUR_OK);
    assert_contains(text, "POST");   /* the log was written ... */
    assert_null(strstr(text, "5ecret"));   /* ... without the key */
    free(text);

    /* replay, with the server answering nothing */
    serve((scripted[]){ { 500, "text/plain", "not me", WHOLE, 0, NULL, 0 } }, 1);
    mc = (model_config)MODEL_CONFIG_DEFAULT;
    mc.backend = MODEL_REPLAY;
    mc.replay = path;
    m = open_model(&mc);
    assert_string_equal(model_name(m), "test-model");   /* taken from the file */
    buf_clear(&p.text);
    again[0] = chat_outcome(m, &plain, hello, 2);
    again[1] = chat_outcome(m, &stream, hello, 2);
    assert_string_equal(buf_str(&p.text), "Hello, world");
    again[2] = chat_outcome(m, &tooled, followup, 1);
    again[3] = chat_outcome(m, &tooled, followup, 3);
    again[4] = chat_outcome(m, &plain, hello, 2);
    again[5] = chat_outcome(m, &plain, hello, 2);   /* past the recorded ones: the last again */
    for (int i = 0; i < 5; i++) {
        assert_int_equal(again[i].rc, live[i].rc);
        assert_string_equal(again[i].json, live[i].json);
    }
    assert_string_equal(again[5].json, live[4].json);
    assert_int_equal(model_embed(m, texts, 1, &v, &err), AUGUR_OK);
    assert_true(v.n == 1 && v.dim == 2 && v.data[0] == 0.1f && v.data[1] == 0.2f);
    model_vectors_free(&v);
    assert_int_equal(served_count(), 0);
    {
        model_options other = plain;
        model_result r;
        other.seed = 99;   /* a setting differs: never recorded */
        assert_int_equal(model_chat(m, hello, 2, &other, &r, &err), AUGUR_ENOTFOUND);
        assert_contains(err.msg, "no recorded chat has this request");
        model_result_free(&r);
    }
    model_close(m);
    for (int i = 0; i < 6; i++) {
        free(again[i].json);
        if (i < 5)
            free(live[i].json);
    }

    mc.replay = log_path;   /* not a record file */
    assert_int_equal(model_open(&m, &mc, &err), AUGUR_ESYNTAX);
    assert_contains(err.msg, "log:1: a line that is not JSON");
    buf_free(&p.text);
    free(path);
    free(log_path);
}

static void test_cache(void **state)
{
    model_config mc = http_config();
    model_options o = MODEL_OPTIONS_DEFAULT;
    pieces p = { BUF_INIT, 0, 0 };
    model_cache_stats st;
    model_cache *c;
    model_result r;
    augur_err err;
    model_totals t;
    char *path;
    sqlite3 *db;
    int64_t removed;
    model *m;

    (void)state;
    if (asprintf(&path, "%s/sub/cache.sqlite", scratch) < 0)
        fail_msg("out of memory");
    mc.cache = path;
    mc.cache_ttl_s = 3600;
    mc.price_input = 1;
    m = open_model(&mc);
    serve(&ok, 1);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    assert_int_equal(r.cached, 0);
    model_result_free(&r);
    o.on_text = on_piece;
    o.ctx = &p;
    assert_int_equal(ask(m, &o, &r, &err), AUGUR_OK);   /* streaming does not change the key */
    assert_int_equal(r.cached, 1);
    assert_true(r.cost == 0);
    assert_string_equal(r.text, "Hello there.");
    assert_string_equal(buf_str(&p.text), "Hello there.");
    assert_int_equal(served_count(), 1);
    model_result_free(&r);
    model_totals_get(m, &t);
    assert_int_equal(t.calls, 2);
    assert_int_equal(t.cached, 1);

    /* an hour and a bit later, the entry has expired */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "UPDATE replies SET created = created - 3700", NULL, NULL,
                                  NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(ask(m, NULL, &r, &err), AUGUR_OK);
    assert_int_equal(r.cached, 0);
    assert_int_equal(served_count(), 2);
    model_result_free(&r);
    model_close(m);

    assert_int_equal(model_cache_open(&c, path, &err), AUGUR_OK);
    assert_int_equal(model_cache_stats_get(c, 3600, &st, NULL, NULL, &err), AUGUR_OK);
    assert_int_equal(st.entries, 1);
    assert_int_equal(st.expired, 0);
    assert_int_equal(st.hits, 1);
    assert_int_equal(st.misses, 2);
    assert_true(st.bytes > 0 && st.oldest > 0 && st.newest >= st.oldest);
    assert_int_equal(model_cache_clear(c, 1, 3600, &removed, &err), AUGUR_OK);
    assert_int_equal(removed, 0);
    assert_int_equal(model_cache_clear(c, 0, 0, &removed, &err), AUGUR_OK);
    assert_int_equal(removed, 1);
    assert_int_equal(model_cache_stats_get(c, 3600, &st, NULL, NULL, &err), AUGUR_OK);
    assert_int_equal(st.entries, 0);
    assert_int_equal(st.hits, 0);
    model_cache_close(c);
    buf_free(&p.text);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_streamed),
        cmocka_unit_test(test_tool_calls),
        cmocka_unit_test(test_schema),
        cmocka_unit_test(test_rate_limited),
        cmocka_unit_test(test_server_errors),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_broken_replies),
        cmocka_unit_test(test_large_body),
        cmocka_unit_test(test_network),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_embeddings),
        cmocka_unit_test(test_count_tokens),
        cmocka_unit_test(test_proxy),
        cmocka_unit_test(test_record_replay),
        cmocka_unit_test(test_cache),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
