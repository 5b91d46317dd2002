/*
** bench/model.c — what the model interface costs: the HTTP backend's time per call
** beside a plain libcurl request to the same loopback server, and constrained
** sampling per token beside unconstrained sampling, with a 32k-token vocabulary.
**
**     build/bench/model [DIR] [SEED]     (make bench)
**
** The server (libmicrohttpd, on 127.0.0.1) answers every request at once with the
** same small chat completion, whole or as server-sent events. The baseline is one
** libcurl easy handle reusing its connection, POSTing the same request body (checked
** against the one the backend sent) and keeping the reply; the backend does all it
** does per call (the request built and made canonical, its SHA-256, the reply parsed
** and counted). Medians of 400 calls.
**
** Sampling: a random-weight model with a 32000-token SentencePiece vocabulary is
** written to DIR; its tokenizer gives the tokens' texts. Each step's logits (drawn
** from SEED, default 1) are sampled twice, each timed: plainly with the default
** sampler (temperature 0.8, top-k 40, top-p 0.95, min-p 0.05), and under a JSON
** Schema: the sampled token checked against the grammar, the whole vocabulary
** masked and a token sampled again only when it is refused, the token taken. Two
** kinds of logits: a model that mostly writes what the grammar allows (the allowed
** tokens' logits raised by 8, outside the timing), and logits that ignore the
** grammar. Medians of 1000 tokens, and 90th percentiles, where the masks show. One
** full mask is timed apart, inside a string (where nearly every token fits, so the
** walk reaches the whole trie) and between properties.
*/
#include "bench/bench.h"
#include "base/buf.h"
#include "base/rng.h"
#include "base/time.h"
#include "model/grammar.h"
#include "model/model.h"
#include "model/sample.h"
#include "model/synth.h"
#include "tests/unit/server.h"

#include <curl/curl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CALLS = 400, WARMUP = 40, TOKENS = 1000, VOCAB = 32000 };

static const char reply_json[] =
    "{\"id\":\"b\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
    "{\"role\":\"assistant\",\"content\":\"The tree is two steps north; mine it, then craft a "
    "table.\"},\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":48,"
    "\"completion_tokens\":16}}";
static const char reply_sse[] =
    "data: {\"choices\":[{\"delta\":{\"content\":\"The tree is two steps north; \"}}]}\n\n"
    "data: {\"choices\":[{\"delta\":{\"content\":\"mine it, then craft a table.\"},"
    "\"finish_reason\":\"stop\"}]}\n\n"
    "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":48,\"completion_tokens\":16}}\n\n"
    "data: [DONE]\n\n";

/* ---- the server --------------------------------------------------------------------- */

static int answered;   /* requests the server answered, to check that every call reached it */
static buf last_body;  /* the last whole (not streamed) request, to check the baseline's body */

static enum MHD_Result answer(void *ctx, struct MHD_Connection *conn, const char *url,
                              const char *body, size_t len)
{
    struct MHD_Response *r;
    int sse = strstr(body, "\"stream\":true") != NULL;
    enum MHD_Result rc;

    (void)ctx;
    (void)url;
    (void)len;
    __atomic_add_fetch(&answered, 1, __ATOMIC_SEQ_CST);
    if (!sse) {
        buf_clear(&last_body);
        buf_add(&last_body, body, len);
    }
    r = MHD_create_response_from_buffer(sse ? strlen(reply_sse) : strlen(reply_json),
                                        (void *)(sse ? reply_sse : reply_json),
                                        MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", sse ? "text/event-stream" : "application/json");
    rc = MHD_queue_response(conn, 200, r);
    MHD_destroy_response(r);
    return rc;
}

/* ---- per call ------------------------------------------------------------------------ */

static size_t keep_body(char *p, size_t size, size_t n, void *ud)
{
    buf_add(ud, p, size * n);
    return size * n;
}

/* Median milliseconds of a plain libcurl POST of body to url, the connection kept. */
static double curl_call_ms(const char *url, const char *body)
{
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    CURL *c = curl_easy_init();
    double ms[CALLS];
    buf reply = BUF_INIT;

    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &reply);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    for (int i = -WARMUP; i < CALLS; i++) {
        uint64_t t0 = time_mono_ns();
        buf_clear(&reply);
        if (curl_easy_perform(c) != CURLE_OK || reply.len == 0) {
            fprintf(stderr, "bench/model: the plain request failed\n");
            exit(1);
        }
        if (i >= 0)
            ms[i] = (double)(time_mono_ns() - t0) / 1e6;
    }
    curl_easy_cleanup(c);
    curl_slist_free_all(h);
    buf_free(&reply);
    return bench_median(ms, CALLS);
}

static int drop_text(void *ctx, const char *text, size_t len)
{
    (void)ctx;
    (void)text;
    (void)len;
    return 0;
}

/* Median milliseconds of model_chat on the http backend at url. */
static double backend_call_ms(const char *url, int stream)
{
    static const model_message msgs[] = {
        { MODEL_SYSTEM, "You are the planner of a Crafter agent. Answer in one sentence.", NULL,
          0, NULL },
        { MODEL_USER, "Inventory: wood 0, stone 0. Nearby: a tree two steps north, water to "
          "the east. What next?", NULL, 0, NULL },
    };
    model_config mc = MODEL_CONFIG_DEFAULT;
    model_options o = MODEL_OPTIONS_DEFAULT;
    augur_err err = { 0 };
    double ms[CALLS];
    model *m;

    mc.name = "bench-model";
    mc.http.url = url;
    mc.http.api_key_env = "";
    if (model_open(&m, &mc, &err) != AUGUR_OK) {
        fprintf(stderr, "bench/model: %s\n", err.msg);
        exit(1);
    }
    if (stream)
        o.on_text = drop_text;
    for (int i = -WARMUP; i < CALLS; i++) {
        model_result r;
        uint64_t t0 = time_mono_ns();
        if (model_chat(m, msgs, 2, &o, &r, &err) != AUGUR_OK) {
            fprintf(stderr, "bench/model: %s\n", err.msg);
            exit(1);
        }
        if (i >= 0)
            ms[i] = (double)(time_mono_ns() - t0) / 1e6;
        model_result_free(&r);
    }
    model_close(m);
    return bench_median(ms, CALLS);
}

/* The body the backend sends for the call above, for the baseline to send too. */
static const char plain_body[] =
    "{\"max_tokens\":512,\"messages\":[{\"content\":\"You are the planner of a Crafter agent. "
    "Answer in one sentence.\",\"role\":\"system\"},{\"content\":\"Inventory: wood 0, stone 0. "
    "Nearby: a tree two steps north, water to the east. What next?\",\"role\":\"user\"}],"
    "\"model\":\"bench-model\",\"seed\":0,\"temperature\":0.8,\"top_p\":0.95}";

static void bench_http(void)
{
    test_server server = { answer, NULL, NULL, 0 };
    char base[64], chat[96];
    double plain, whole, streamed;

    if (test_server_start(&server) != 0) {
        fprintf(stderr, "bench/model: cannot start the loopback server\n");
        exit(1);
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d/v1", server.port);
    snprintf(chat, sizeof chat, "%s/chat/completions", base);
    plain = curl_call_ms(chat, plain_body);
    whole = backend_call_ms(base, 0);
    if (strcmp(buf_str(&last_body), plain_body) != 0) {
        fprintf(stderr, "bench/model: the baseline sends another body than the backend:\n%s\n",
                buf_str(&last_body));
        exit(1);
    }
    streamed = backend_call_ms(base, 1);
    if (__atomic_load_n(&answered, __ATOMIC_SEQ_CST) != 3 * (CALLS + WARMUP)) {
        fprintf(stderr, "bench/model: the server answered %d requests, not %d\n", answered,
                3 * (CALLS + WARMUP));
        exit(1);
    }
    printf("http backend, per call (loopback, connection kept, median of %d):\n", CALLS);
    printf("  plain libcurl POST (baseline)   %8.3f ms\n", plain);
    printf("  model_chat, whole reply         %8.3f ms   %.2fx, overhead %+.3f ms "
           "(target <= 1 ms)\n", whole, whole / plain, whole - plain);
    printf("  model_chat, streamed (SSE)      %8.3f ms   %.2fx, overhead %+.3f ms\n", streamed,
           streamed / plain, streamed - plain);
    test_server_stop(&server);
    buf_free(&last_body);
}

/* ---- sampling ------------------------------------------------------------------------- */

static rng sample_rng;

static void random_logits(float *logits, int n)
{
    for (int i = 0; i < n; i++)
        logits[i] = (float)(rng_uniform(&sample_rng) * 8 - 4);
}

static const char bench_schema[] =
    "{\"type\":\"object\",\"properties\":{\"thought\":{\"type\":\"string\",\"maxLength\":80},"
    "\"action\":{\"enum\":[\"move_left\",\"move_right\",\"do\",\"place_table\",\"noop\"]},"
    "\"steps\":{\"type\":\"integer\"},\"targets\":{\"type\":\"array\",\"items\":{\"type\":"
    "\"string\",\"maxLength\":12},\"maxItems\":4}},\"required\":[\"thought\",\"action\","
    "\"steps\",\"targets\"]}";

typedef struct sampling {
    tokenizer     *tok;
    grammar_vocab *vocab;
    grammar       *g;
    sampler       *plain, *s;
    float         *logits, *copy;
    uint8_t       *allowed;
} sampling;

typedef struct paired {
    double plain, constrained;       /* medians, ms per token */
    double plain90, constrained90;   /* 90th percentiles: the masks are in the tail */
    double first_ok;                 /* share of tokens taken at the first check */
} paired;

/* TOKENS steps under the schema: each step's logits are sampled twice, timed apart:
** plainly, and under the grammar (sample, check, mask and sample again when refused,
** take the token). follow: the allowed tokens' logits raised first (not timed). */
static paired sample_paired(sampling *b, int follow)
{
    double plain[TOKENS], cons[TOKENS];
    grammar_matcher *m;
    augur_err err = { 0 };
    paired out = { 0, 0, 0, 0, 0 };
    int ok = 0;

    if (grammar_matcher_new(&m, b->g, &err) != AUGUR_OK) {
        fprintf(stderr, "bench/model: %s\n", err.msg);
        exit(1);
    }
    for (int i = 0; i < TOKENS; i++) {
        uint64_t t0;
        int32_t t;
        size_t n;
        const char *text;
        random_logits(b->logits, VOCAB);
        if (follow) {
            grammar_mask(m, b->vocab, SIZE_MAX, b->allowed);
            for (int k = 0; k < VOCAB; k++)
                b->logits[k] += b->allowed[k] ? 8.0f : 0.0f;
        }
        memcpy(b->copy, b->logits, VOCAB * sizeof *b->copy);
        t0 = time_mono_ns();
        sampler_sample(b->plain, b->copy, NULL, 0);
        plain[i] = (double)(time_mono_ns() - t0) / 1e6;
        t0 = time_mono_ns();
        t = sampler_sample(b->s, b->logits, NULL, 0);
        if (grammar_allows_token(m, b->vocab, t, SIZE_MAX)) {
            ok++;
        } else {
            grammar_mask(m, b->vocab, SIZE_MAX, b->allowed);
            for (int k = 0; k < VOCAB; k++)
                if (!b->allowed[k])
                    b->logits[k] = -INFINITY;
            t = sampler_sample(b->s, b->logits, NULL, 0);
        }
        text = grammar_vocab_text(b->vocab, t, &n);
        grammar_matcher_accept(m, text, n);
        cons[i] = (double)(time_mono_ns() - t0) / 1e6;
        if (grammar_matcher_complete(m) || !grammar_mask(m, b->vocab, SIZE_MAX, b->allowed))
            grammar_matcher_reset(m);
    }
    grammar_matcher_free(m);
    out.plain = bench_median(plain, TOKENS);   /* which sorts them */
    out.constrained = bench_median(cons, TOKENS);
    out.plain90 = plain[TOKENS * 9 / 10];
    out.constrained90 = cons[TOKENS * 9 / 10];
    out.first_ok = (double)ok / TOKENS;
    return out;
}

/* Median milliseconds of a full mask after prefix: the most tokens the trie walk
** reaches (inside a string) or few (between properties). */
static double mask_ms(sampling *b, const char *prefix)
{
    double ms[50];
    grammar_matcher *m;
    augur_err err = { 0 };

    if (grammar_matcher_new(&m, b->g, &err) != AUGUR_OK ||
        grammar_matcher_accept(m, prefix, strlen(prefix)) != AUGUR_OK) {
        fprintf(stderr, "bench/model: the schema refuses '%s'\n", prefix);
        exit(1);
    }
    for (int i = 0; i < 50; i++) {
        uint64_t t0 = time_mono_ns();
        grammar_mask(m, b->vocab, SIZE_MAX, b->allowed);
        ms[i] = (double)(time_mono_ns() - t0) / 1e6;
    }
    grammar_matcher_free(m);
    return bench_median(ms, 50);
}

static void paired_print(const char *how, const paired *p)
{
    printf("  logits that %s the schema:  plain %.4f ms/token, constrained %.4f ms/token, "
           "%.2fx (%.0f%% taken at the first check)\n", how, p->plain, p->constrained,
           p->constrained / p->plain, 100 * p->first_ok);
    printf("    90th percentile:              plain %.4f ms/token, constrained %.4f ms/token, "
           "%.2fx\n", p->plain90, p->constrained90, p->constrained90 / p->plain90);
}

static void bench_sampling(const char *dir)
{
    synth_opts so = SYNTH_OPTS_DEFAULT;
    sampler_params sp = SAMPLER_PARAMS_DEFAULT;
    augur_err err = { 0 };
    char path[4096];
    sampling b = { 0 };
    cJSON *schema = cJSON_Parse(bench_schema);
    gguf *g;
    paired follow, ignore;
    uint64_t t0;

    snprintf(path, sizeof path, "%s/vocab32k.gguf", dir);
    so.vocab = VOCAB;
    so.type = 8;   /* q8_0: a small file */
    if (synth_write(&so, path, &err) != AUGUR_OK || gguf_open(&g, path, &err) != AUGUR_OK ||
        tokenizer_new(&b.tok, g, &err) != AUGUR_OK || sampler_new(&b.s, VOCAB, &sp, &err) ||
        grammar_new(&b.g, GRAMMAR_SCHEMA, schema, NULL, &err) != AUGUR_OK) {
        fprintf(stderr, "bench/model: %s\n", err.msg);
        exit(1);
    }
    t0 = time_mono_ns();
    if (grammar_vocab_new(&b.vocab, b.tok, &err) != AUGUR_OK) {
        fprintf(stderr, "bench/model: %s\n", err.msg);
        exit(1);
    }
    b.logits = malloc(VOCAB * sizeof *b.logits);
    b.copy = malloc(VOCAB * sizeof *b.copy);
    b.allowed = malloc(VOCAB);
    if (!b.logits || !b.copy || !b.allowed || sampler_new(&b.plain, VOCAB, &sp, &err)) {
        fprintf(stderr, "bench/model: out of memory\n");
        exit(1);
    }
    printf("\nsampling, %d-token vocabulary (its trie built once in %.1f ms), the same logits "
           "sampled plainly and under a JSON Schema, median of %d tokens:\n", VOCAB,
           (double)(time_mono_ns() - t0) / 1e6, TOKENS);
    follow = sample_paired(&b, 1);
    ignore = sample_paired(&b, 0);
    paired_print("follow", &follow);
    paired_print("ignore", &ignore);
    printf("  one full mask: inside a string %.3f ms (every token walked), between properties "
           "%.3f ms\n", mask_ms(&b, "{\"thought\":\"ab"), mask_ms(&b, "{\"thought\":\"ab\","));
    grammar_vocab_free(b.vocab);
    grammar_free(b.g);
    sampler_free(b.s);
    sampler_free(b.plain);
    tokenizer_free(b.tok);
    gguf_close(g);
    cJSON_Delete(schema);
    free(b.logits);
    free(b.copy);
    free(b.allowed);
    remove(path);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench";
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;

    rng_seed(&sample_rng, seed);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    bench_http();
    bench_sampling(dir);
    curl_global_cleanup();
    return 0;
}
