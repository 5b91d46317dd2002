/* test_sample.c — the sampler's rules and draws, and generation on a synthesized
** model: greedy text, stop strings held back, the streaming callback, cancelling
** from another thread. */
#include "test.h"

#include "model/engine.h"
#include "model/generate.h"
#include "model/sample.h"
#include "model/synth.h"
#include "model/tokenizer.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static sampler *make(int n, sampler_params p)
{
    augur_err err = { 0 };
    sampler *s;

    if (sampler_new(&s, n, &p, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    return s;
}

/* How often each of n tokens is drawn from logits in draws tries. */
static void histogram(sampler_params p, const float *logits, int n, int draws, int *count)
{
    sampler *s = make(n, p);

    memset(count, 0, (size_t)n * sizeof *count);
    for (int i = 0; i < draws; i++)
        count[sampler_sample(s, logits, NULL, 0)]++;
    sampler_free(s);
}

static void test_greedy(void **state)
{
    const float logits[] = { 0.5f, 2.0f, -1.0f, 2.0f, 1.9f };
    sampler_params g = SAMPLER_PARAMS_GREEDY, k1 = SAMPLER_PARAMS_DEFAULT;
    sampler *s = make(5, g);

    (void)state;
    assert_int_equal(sampler_sample(s, logits, NULL, 0), 1);   /* the lower id of a tie */
    sampler_free(s);
    k1.top_k = 1;
    for (uint64_t seed = 0; seed < 20; seed++) {
        k1.seed = seed;
        s = make(5, k1);
        assert_int_equal(sampler_sample(s, logits, NULL, 0), 1);
        sampler_free(s);
    }
}

/* Probabilities 0.25 and 0.75: 4000 draws land within 4 standard deviations. */
static void test_draws_follow_probabilities(void **state)
{
    const float logits[] = { 0.0f, logf(3.0f) };
    sampler_params p = { 1, 0, 1, 0, 1, 0, 42 };
    int count[2];

    (void)state;
    histogram(p, logits, 2, 4000, count);
    assert_true(abs(count[1] - 3000) < 4 * 28);
    p.temperature = 0.5;          /* sharper: 0.1 and 0.9 */
    histogram(p, logits, 2, 4000, count);
    assert_true(abs(count[1] - 3600) < 4 * 19);
}

/* Probabilities 0.5, 0.3, 0.15, 0.05: min-p 0.2 keeps those at least 0.1; top-p 0.6
** keeps the first two; top-k 3 the first three. */
static void test_filters(void **state)
{
    const float logits[] = { logf(0.5f), logf(0.3f), logf(0.15f), logf(0.05f) };
    sampler_params p = { 1, 0, 1, 0.2, 1, 0, 7 };
    int count[4];

    (void)state;
    histogram(p, logits, 4, 3000, count);
    assert_true(count[0] > 0 && count[1] > 0 && count[2] > 0 && count[3] == 0);
    p.min_p = 0;
    p.top_p = 0.6;
    histogram(p, logits, 4, 3000, count);
    assert_true(count[0] > 0 && count[1] > 0 && count[2] == 0 && count[3] == 0);
    p.top_p = 1;
    p.top_k = 3;
    histogram(p, logits, 4, 3000, count);
    assert_true(count[2] > 0 && count[3] == 0);
    p.top_k = 0;
    histogram(p, logits, 4, 3000, count);
    assert_true(count[3] > 0);
}

static void test_repeat_penalty(void **state)
{
    const float pos[] = { 1.0f, 1.05f }, neg[] = { -1.0f, -1.05f };
    const int32_t once[] = { 1 }, twice[] = { 0, 0 }, old[] = { 1, 0, 0, 0 };
    sampler_params p = SAMPLER_PARAMS_GREEDY;
    sampler *s;

    (void)state;
    p.repeat_penalty = 1.1;
    p.repeat_last_n = 2;
    s = make(2, p);
    assert_int_equal(sampler_sample(s, pos, NULL, 0), 1);
    assert_int_equal(sampler_sample(s, pos, once, 1), 0);      /* 1.05 / 1.1 < 1 */
    assert_int_equal(sampler_sample(s, neg, twice, 2), 1);     /* -1 * 1.1 < -1.05, once */
    assert_int_equal(sampler_sample(s, pos, old, 4), 1);       /* token 1 is too far back */
    sampler_free(s);
}

static void test_seeds(void **state)
{
    float logits[50];
    sampler_params p = SAMPLER_PARAMS_DEFAULT;
    int32_t a[40], b[40], c[40];
    sampler *s;

    (void)state;
    for (int i = 0; i < 50; i++)
        logits[i] = (float)(i % 7) * 0.1f;
    p.top_k = 0;
    p.min_p = 0;
    for (int run = 0; run < 3; run++) {
        int32_t *out = run == 0 ? a : run == 1 ? b : c;
        p.seed = run == 2 ? 99 : 5;
        s = make(50, p);
        for (int i = 0; i < 40; i++)
            out[i] = sampler_sample(s, logits, NULL, 0);
        sampler_free(s);
    }
    assert_memory_equal(a, b, sizeof a);
    assert_memory_not_equal(a, c, sizeof a);
}

static void test_bad_params(void **state)
{
    static const sampler_params bad[] = {
        { -1, 0, 1, 0, 1, 0, 0 }, { 1, -1, 1, 0, 1, 0, 0 }, { 1, 0, 1.5, 0, 1, 0, 0 },
        { 1, 0, 1, -0.1, 1, 0, 0 }, { 1, 0, 1, 0, 0, 0, 0 }, { 1, 0, 1, 0, 1, -2, 0 },
    };
    augur_err err = { 0 };
    sampler *s;

    (void)state;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sampler_new(&s, 10, &bad[i], &err), AUGUR_EINVAL);
        assert_null(s);
    }
}

/* ---- generation ------------------------------------------------------------------------- */

static char *dir, *path;

typedef struct collect {
    buf         text;
    int         pieces, stop_after;
    atomic_int *cancel;
    atomic_int  seen;
} collect;

static int on_text(void *ctx, const char *text, size_t len)
{
    collect *c = ctx;

    buf_add(&c->text, text, len);
    c->pieces++;
    atomic_store(&c->seen, c->pieces);
    /* hold the generator here until the other thread has asked it to stop */
    while (c->cancel && c->pieces == 3 && !atomic_load(c->cancel)) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    return c->stop_after && c->pieces >= c->stop_after;
}

static generate_result gen(const generate_params *p)
{
    augur_err err = { 0 };
    engine_opts o = ENGINE_OPTS_DEFAULT;
    generate_result r;
    tokenizer *tok;
    engine *e;

    if (engine_open(&e, path, &o, &err) != AUGUR_OK ||
        tokenizer_new(&tok, engine_gguf(e), &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    if (generate(e, tok, "a cat sat", 9, p, &r, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    assert_true(r.prompt_tokens > 1);
    tokenizer_free(tok);
    engine_free(e);
    return r;
}

static generate_params greedy_params(collect *c, int n)
{
    generate_params p = GENERATE_PARAMS_DEFAULT;
    sampler_params g = SAMPLER_PARAMS_GREEDY;

    p.sampling = g;
    p.max_tokens = n;
    p.on_text = on_text;
    p.ctx = c;
    return p;
}

static void test_generate_greedy(void **state)
{
    collect a = { BUF_INIT, 0, 0, NULL, 0 }, b = { BUF_INIT, 0, 0, NULL, 0 };
    generate_params p = greedy_params(&a, 20);
    generate_result r = gen(&p);

    (void)state;
    assert_int_equal(r.end, GENERATE_LENGTH);
    assert_int_equal(r.tokens, 20);
    assert_true(a.text.len > 0);
    p.ctx = &b;
    gen(&p);
    assert_string_equal(buf_str(&a.text), buf_str(&b.text));
    buf_free(&a.text);
    buf_free(&b.text);
}

/* A stop string taken from the middle of the free-running text: generation ends
** there, everything before it is passed on, none of it after. */
static void test_stop_strings(void **state)
{
    collect full = { BUF_INIT, 0, 0, NULL, 0 }, cut = { BUF_INIT, 0, 0, NULL, 0 };
    generate_params p = greedy_params(&full, 30);
    const char *stops[2];
    char stop[4];
    size_t at;
    generate_result r;

    (void)state;
    gen(&p);
    assert_true(full.text.len > 10);
    at = full.text.len / 2;
    memcpy(stop, full.text.data + at, 3);
    stop[3] = 0;
    at = (size_t)(strstr(full.text.data, stop) - full.text.data);
    stops[0] = "never appears \x01";
    stops[1] = stop;
    p.stops = stops;
    p.n_stops = 2;
    p.ctx = &cut;
    r = gen(&p);
    assert_int_equal(r.end, GENERATE_STOP);
    assert_int_equal(cut.text.len, at);
    assert_memory_equal(cut.text.data, full.text.data, at);
    buf_free(&full.text);
    buf_free(&cut.text);
}

static void test_callback_stops(void **state)
{
    collect c = { BUF_INIT, 0, 2, NULL, 0 };
    generate_params p = greedy_params(&c, 30);
    generate_result r = gen(&p);

    (void)state;
    assert_int_equal(r.end, GENERATE_CALLBACK);
    assert_int_equal(c.pieces, 2);
    assert_true(r.tokens < 30);
    buf_free(&c.text);
}

static void *canceller(void *arg)
{
    collect *c = arg;

    while (atomic_load(&c->seen) < 3) {
        struct timespec ts = { 0, 1000000 };
        nanosleep(&ts, NULL);
    }
    atomic_store(c->cancel, 1);
    return NULL;
}

/* Another thread sets the flag once three pieces are out: the generator stops
** before its next token. */
static void test_cancel_from_thread(void **state)
{
    atomic_int flag = 0;
    collect c = { BUF_INIT, 0, 0, &flag, 0 };
    generate_params p = greedy_params(&c, 50);
    generate_result r;
    pthread_t th;

    (void)state;
    p.cancel = &flag;
    assert_int_equal(pthread_create(&th, NULL, canceller, &c), 0);
    r = gen(&p);
    pthread_join(th, NULL);
    assert_int_equal(r.end, GENERATE_CANCELLED);
    assert_int_equal(c.pieces, 3);
    assert_true(r.tokens < 50);
    buf_free(&c.text);
}

static void test_sampled_generation(void **state)
{
    collect a = { BUF_INIT, 0, 0, NULL, 0 }, b = { BUF_INIT, 0, 0, NULL, 0 };
    collect d = { BUF_INIT, 0, 0, NULL, 0 };
    generate_params p = GENERATE_PARAMS_DEFAULT;

    (void)state;
    p.max_tokens = 24;
    p.on_text = on_text;
    p.sampling.temperature = 1.5;
    p.sampling.top_k = 0;
    p.sampling.seed = 3;
    p.ctx = &a;
    gen(&p);
    p.ctx = &b;
    gen(&p);
    p.sampling.seed = 4;
    p.ctx = &d;
    gen(&p);
    assert_string_equal(buf_str(&a.text), buf_str(&b.text));
    assert_string_not_equal(buf_str(&a.text), buf_str(&d.text));
    buf_free(&a.text);
    buf_free(&b.text);
    buf_free(&d.text);
}

static int setup(void **state)
{
    synth_opts o = SYNTH_OPTS_DEFAULT;
    augur_err err = { 0 };

    (void)state;
    dir = test_tmpdir();
    if (asprintf(&path, "%s/words.gguf", dir) < 0)
        return -1;
    o.vocab = 600;
    o.context = 128;
    o.seed = 11;
    return synth_write(&o, path, &err) == AUGUR_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(dir);
    free(dir);
    free(path);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_greedy),
        cmocka_unit_test(test_draws_follow_probabilities),
        cmocka_unit_test(test_filters),
        cmocka_unit_test(test_repeat_penalty),
        cmocka_unit_test(test_seeds),
        cmocka_unit_test(test_bad_params),
        cmocka_unit_test(test_generate_greedy),
        cmocka_unit_test(test_stop_strings),
        cmocka_unit_test(test_callback_stops),
        cmocka_unit_test(test_cancel_from_thread),
        cmocka_unit_test(test_sampled_generation),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
