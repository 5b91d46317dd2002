/*
** test_chat_cli.c — `augur chat` and `augur cache` end to end, against a server on
** loopback (libmicrohttpd) that answers every chat the same way, and with the local
** backend on a synthesized model.
*/
#include "test.h"

#include "base/file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static test_server server;
static char url[64];
static int hits;

static const char whole[] =
    "{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"Hello, world\"},"
    "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3}}";
static const char streamed[] =
    "data: {\"choices\":[{\"delta\":{\"content\":\"Hello, \"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"world\"},\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":11,\"completion_tokens\":3}}\n\n"
    "data: [DONE]\n\n";
static const char json_reply[] =
    "{\"choices\":[{\"message\":{\"content\":\"{\\\"n\\\": 4}\"},\"finish_reason\":\"stop\"}]}";

/* Streamed when asked to stream; JSON content when a schema came with the request. */
static enum MHD_Result answer(void *ctx, struct MHD_Connection *conn, const char *u,
                              const char *body, size_t len)
{
    struct MHD_Response *r;
    const char *text, *type;
    enum MHD_Result rc;

    (void)ctx;
    (void)u;
    (void)len;
    __atomic_add_fetch(&hits, 1, __ATOMIC_SEQ_CST);
    if (strstr(body, "\"response_format\"")) {
        text = json_reply;
        type = "application/json";
    } else if (strstr(body, "\"stream\":true")) {
        text = streamed;
        type = "text/event-stream";
    } else {
        text = whole;
        type = "application/json";
    }
    r = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", type);
    rc = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return rc;
}

static int setup(void **state)
{
    cli_setup(state);
    unsetenv("http_proxy");
    setenv("AUGUR_CHAT_KEY", "sk-never-written-down", 1);
    server.answer = answer;
    if (test_server_start(&server) != 0)
        return -1;
    snprintf(url, sizeof url, "http://127.0.0.1:%d/v1", server.port);
    return 0;
}

static int teardown(void **state)
{
    test_server_stop(&server);
    return cli_teardown(state);
}

static void test_chat_http(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "chat", "--url", url, "--model", "m1", "hi", NULL),
                     0);
    assert_string_equal(buf_str(&cli_out), "Hello, world\n");
    assert_string_equal(buf_str(&cli_err), "");
    assert_int_equal(run_augur(NULL, "chat", "--url", url, "--json", "hi", NULL), 0);
    assert_contains(buf_str(&cli_out), "{\"text\":\"Hello, world\",\"tool_calls\":[],\"usage\":"
                                   "{\"prompt_tokens\":11,\"completion_tokens\":3},"
                                   "\"finish_reason\":\"stop\",\"latency_ms\":");
    /* the message from stdin */
    assert_int_equal(run_augur("what is 2 + 2?\n", "chat", "--backend", "http",
                                "--url", url, NULL), 0);
    assert_string_equal(buf_str(&cli_out), "Hello, world\n");
}

static void test_chat_schema(void **state)
{
    char *schema = test_write(cli_scratch, "n.json", "{\"type\":\"object\",\"properties\":{\"n\":"
                                                  "{\"type\":\"integer\"}},\"required\":[\"n\"]}");

    (void)state;
    assert_int_equal(run_augur(NULL, "chat", "--url", url, "--schema", schema,
                                "--json", "two and two", NULL), 0);
    assert_contains(buf_str(&cli_out), "{\"text\":\"{\\\"n\\\": 4}\"");
    free(schema);
    schema = test_write(cli_scratch, "s.json", "{\"type\":\"object\",\"required\":[\"m\"]}");
    assert_int_equal(run_augur(NULL, "chat", "--url", url, "--schema", schema, "x",
                                NULL), 1);
    assert_contains(buf_str(&cli_err), "the reply does not satisfy its schema: $: required property "
                                   "'m' is missing");
    free(schema);
    assert_int_equal(run_augur(NULL, "chat", "--url", url, "--schema", "nope.json",
                                "x", NULL), 2);
    assert_contains(buf_str(&cli_err), "nope.json");
}

static void test_chat_record_replay(void **state)
{
    char *live = NULL, *text = NULL;
    size_t len;
    augur_err e = { 0 };

    (void)state;
    assert_int_equal(run_augur(NULL, "-c", "model.http.api_key_env=AUGUR_CHAT_KEY",
                                "chat", "--url", url, "--model", "m2", "--record", "calls.jsonl",
                                "--json", "hello", NULL), 0);
    live = strdup(buf_str(&cli_out));
    assert_int_equal(run_augur(NULL, "chat", "--replay", "calls.jsonl", "--json",
                                "hello", NULL), 0);
    assert_string_equal(buf_str(&cli_out), live);   /* the same object, latency included */
    assert_int_equal(run_augur(NULL, "chat", "--replay", "calls.jsonl", "hello", NULL),
                     0);
    assert_string_equal(buf_str(&cli_out), "Hello, world\n");
    assert_int_equal(run_augur(NULL, "chat", "--replay", "calls.jsonl", "goodbye",
                                NULL), 1);
    assert_contains(buf_str(&cli_err), "no recorded chat has this request");
    assert_int_equal(file_read("calls.jsonl", 1 << 20, &text, &len, &e), AUGUR_OK);
    assert_null(strstr(text, "never-written"));
    free(text);
    free(live);
}

static void test_chat_usage(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "chat", "--backend", "carrier-pigeon", "hi",
                                NULL), 2);
    assert_contains(buf_str(&cli_err), "--backend must be local, http or replay");
    assert_int_equal(run_augur(NULL, "chat", "--url", url, "two", "words", NULL), 2);
    assert_contains(buf_str(&cli_err), "one MESSAGE only");
    assert_int_equal(run_augur("\n", "chat", "--url", url, NULL), 2);
    assert_contains(buf_str(&cli_err), "the message is empty");
    assert_int_equal(run_augur(NULL, "chat", "--url", "gopher://x", "hi", NULL), 2);
    assert_contains(buf_str(&cli_err), "must begin with http:// or https://");
    assert_int_equal(run_augur(NULL, "chat", "--replay", "missing.jsonl", "hi", NULL),
                     2);
    assert_int_equal(run_augur(NULL, "-c", "model.http.retries=-1", "chat", "hi",
                                NULL), 2);
    assert_contains(buf_str(&cli_err), "model.http.retries must be from 0 to 100, not -1");
    assert_int_equal(run_augur(NULL, "chat", "--json", NULL), 2);
    assert_contains(buf_str(&cli_err), "the message is empty");
}

static void test_chat_local(void **state)
{
    char *schema = test_write(cli_scratch, "ok.json", "{\"type\":\"object\",\"properties\":{\"ok\":"
                                                   "{\"type\":\"boolean\"}},\"required\":[\"ok\"]}");

    (void)state;
    assert_int_equal(run_augur(NULL, "model", "synth", "--arch", "olmoe", "--width",
                                "64", "--layers", "2", "--heads", "4", "--experts", "4",
                                "--experts-used", "2", "--ff", "64", "--type", "q8_0", "--out",
                                "tiny.gguf", NULL), 0);
    assert_int_equal(run_augur(NULL, "chat", "--model", "tiny.gguf", "hi", NULL), 2);
    assert_contains(buf_str(&cli_err), "has no chat template (tokenizer.chat_template): set "
                                   "model.template");
    assert_int_equal(run_augur(NULL, "-c", "model.template=chatml", "chat",
                                "--backend", "local", "--model", "tiny.gguf", "--schema", schema,
                                "--json", "is it?", NULL), 0);
    assert_contains(buf_str(&cli_out), "{\"text\":\"{");
    assert_contains(buf_str(&cli_out), "\"tool_calls\":[],\"usage\":{\"prompt_tokens\":");
    assert_contains(buf_str(&cli_out), "\"finish_reason\":\"stop\"");
    free(schema);
}

static void test_cache_cli(void **state)
{
    int before;

    (void)state;
    assert_int_equal(run_augur(NULL, "cache", "stats", NULL), 0);
    assert_contains(buf_str(&cli_out), "(not made yet)");
    before = __atomic_load_n(&hits, __ATOMIC_SEQ_CST);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(run_augur(NULL, "-c", "model.cache.enabled=true", "chat",
                                    "--url", url, "--model", "cached-model", "cache me", NULL), 0);
        assert_string_equal(buf_str(&cli_out), "Hello, world\n");
    }
    assert_int_equal(__atomic_load_n(&hits, __ATOMIC_SEQ_CST), before + 1);
    assert_int_equal(run_augur(NULL, "cache", "stats", NULL), 0);
    assert_contains(buf_str(&cli_out), "entries: 1, 0 of them older than the time-to-live");
    assert_contains(buf_str(&cli_out), "hits: 1, misses: 1");
    assert_contains(buf_str(&cli_out), "  http cached-model: 1 entries");
    assert_int_equal(run_augur(NULL, "cache", "clear", "--expired", NULL), 0);
    assert_contains(buf_str(&cli_out), "removed 0 entries");
    assert_int_equal(run_augur(NULL, "cache", "clear", NULL), 0);
    assert_contains(buf_str(&cli_out), "removed 1 entries");
    assert_int_equal(run_augur(NULL, "cache", "stats", NULL), 0);
    assert_contains(buf_str(&cli_out), "entries: 0");
    assert_int_equal(run_augur(NULL, "cache", "clear", "--all", NULL), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chat_http),
        cmocka_unit_test(test_chat_schema),
        cmocka_unit_test(test_chat_record_replay),
        cmocka_unit_test(test_chat_usage),
        cmocka_unit_test(test_chat_local),
        cmocka_unit_test(test_cache_cli),
    };

    return cmocka_run_group_tests(tests, setup, teardown);
}
