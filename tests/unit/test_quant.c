/* test_quant.c — the weight types and kernels: quantizing, dot products against a
** double-precision product of the dequantized values, and the AVX2 kernels
** against the portable ones. */
#include "test.h"

#include "model/quant.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { N = 1024 };

static const uint32_t types[] = { GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16, GGML_TYPE_Q8_0,
                                  GGML_TYPE_Q4_0, GGML_TYPE_Q5_0, GGML_TYPE_Q4_K, GGML_TYPE_Q5_K,
                                  GGML_TYPE_Q6_K };

static uint64_t rng = 88172645463325252ull;

static float uniform(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 9007199254740992.0 * 2 - 1);
}

static void fill(float *x, int n, float scale, float offset)
{
    for (int i = 0; i < n; i++)
        x[i] = offset + scale * uniform();
}

/* The activation format's values, back in floats. */
static void act_values(enum quant_fmt f, const void *q, float *out, int n)
{
    static const uint32_t as_type[] = { GGML_TYPE_F32, GGML_TYPE_F16, GGML_TYPE_BF16,
                                        GGML_TYPE_Q8_0 };
    if (f != QFMT_Q8_K) {
        quant_dequantize(as_type[f], q, out, n);
        return;
    }
    for (int b = 0; b < n / 256; b++) {
        const uint8_t *blk = (const uint8_t *)q + 292 * b;
        float d;
        memcpy(&d, blk, sizeof d);
        for (int j = 0; j < 256; j++)
            out[256 * b + j] = d * (float)(int8_t)blk[4 + j];
    }
}

/* Quantizing and dequantizing keeps each value within what the type can hold. */
static void test_round_trip(void **state)
{
    static const double tolerance[] = {
        [GGML_TYPE_F32] = 0, [GGML_TYPE_F16] = 1e-3, [GGML_TYPE_BF16] = 8e-3,
        [GGML_TYPE_Q8_0] = 5e-3, [GGML_TYPE_Q4_0] = 0.08, [GGML_TYPE_Q5_0] = 0.04,
        [GGML_TYPE_Q4_K] = 0.08, [GGML_TYPE_Q5_K] = 0.04, [GGML_TYPE_Q6_K] = 0.02,
    };
    float x[N], y[N];
    uint8_t q[N * 4];

    (void)state;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        double worst = 0;
        fill(x, N, 1.0f, 0.2f);
        quant_quantize(types[t], x, q, N);
        quant_dequantize(types[t], q, y, N);
        for (int i = 0; i < N; i++)
            worst = fmax(worst, fabs((double)x[i] - y[i]));
        if (worst > tolerance[types[t]])
            fail_msg("%s: worst error %g", ggml_type_get(types[t])->name, worst);
    }
}

/* Each kernel's dot product equals the exact product of the values the two
** operands stand for, up to float rounding. */
static void check_dot(const quant_kernels *k)
{
    float w[N], x[N], wv[N], xv[N];
    uint8_t wq[N * 4], xq[N * 4];

    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        enum quant_fmt f = quant_act_fmt(types[t]);
        double exact = 0, mag = 0;
        float got;
        fill(w, N, 0.5f, 0.05f);
        fill(x, N, 3.0f, -0.3f);
        quant_quantize(types[t], w, wq, N);
        k->act[f](x, xq, N);
        quant_dequantize(types[t], wq, wv, N);
        act_values(f, xq, xv, N);
        for (int i = 0; i < N; i++) {
            exact += (double)wv[i] * xv[i];
            mag += fabs((double)wv[i] * xv[i]);
        }
        k->dot[types[t]](N, wq, xq, &got);
        if (fabs(got - exact) > 1e-5 * mag)
            fail_msg("%s %s: dot %g, exact %g", k->name, ggml_type_get(types[t])->name, got, exact);
    }
}

static void test_dot_scalar(void **state)
{
    (void)state;
    check_dot(quant_kernels_scalar());
}

static void test_dot_avx2(void **state)
{
    (void)state;
    if (!quant_kernels_avx2())
        skip();
    check_dot(quant_kernels_avx2());
}

/* A four-row product gives each row the bits of its own dot product, for an even
** and an odd number of blocks; the rows differ, so a mix-up would show. */
static void test_dot4_matches_dot(void **state)
{
    const quant_kernels *a = quant_kernels_avx2();
    int checked = 0;

    (void)state;
    if (!a)
        skip();
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++) {
        const ggml_type_info *info = ggml_type_get(types[t]);
        enum quant_fmt f = quant_act_fmt(types[t]);
        if (!a->dot4[types[t]])
            continue;
        for (int n = N; n >= N - (int)info->block_size; n -= (int)info->block_size) {
            size_t row_bytes = (size_t)n / info->block_size * info->type_size;
            float w[N], x[N], got[4], want;
            uint8_t wq[4 * N * 4], xq[N * 4];
            for (int r = 0; r < 4; r++) {
                fill(w, n, 0.5f + 0.25f * r, 0.05f * r);
                quant_quantize(types[t], w, wq + r * row_bytes, n);
            }
            fill(x, n, 3.0f, -0.3f);
            a->act[f](x, xq, n);
            a->dot4[types[t]](n, wq, row_bytes, xq, got);
            for (int r = 0; r < 4; r++) {
                a->dot[types[t]](n, wq + r * row_bytes, xq, &want);
                if (memcmp(&got[r], &want, sizeof want) != 0)
                    fail_msg("%s n=%d row %d: dot4 %.9g, dot %.9g", info->name, n, r, got[r],
                             want);
            }
        }
        checked++;
    }
    assert_int_equal(checked, 3);
}

/* The AVX2 conversions give the very bytes of the portable ones, ties and extremes
** included, and the attention kernels agree. */
static void test_avx2_matches_scalar(void **state)
{
    const quant_kernels *s = quant_kernels_scalar(), *a = quant_kernels_avx2();
    float x[N], y[N], ya[N], ys[N];
    uint8_t qs[N * 4], qa[N * 4];
    uint16_t h[N];

    (void)state;
    if (!a)
        skip();
    fill(x, N, 2.0f, 0);
    for (int i = 0; i < 64; i++)
        x[i * 7] = (float)(i % 9) * 0.5f - 2.0f;     /* halves: rounding ties */
    x[5] = 0;
    x[300] = -4.0f;                                  /* a negative extreme in a Q8_K block */
    x[301] = 4.0f;
    memset(x + 512, 0, 256 * sizeof *x);             /* an all-zero block */
    for (int f = 0; f < QFMT_COUNT; f++) {
        memset(qs, 0, sizeof qs);
        memset(qa, 0, sizeof qa);
        s->act[f](x, qs, N);
        a->act[f](x, qa, N);
        if (memcmp(qs, qa, quant_fmt_bytes((enum quant_fmt)f, N)) != 0)
            fail_msg("activation format %d differs", f);
    }
    fill(y, N, 1.0f, 0);
    s->act[QFMT_F16](y, h, N);
    assert_float_equal(s->dot_f32(N, x, y), a->dot_f32(N, x, y), 1e-3);
    assert_float_equal(s->dot_f16(N, x, h), a->dot_f16(N, x, h), 1e-3);
    memset(ys, 0, sizeof ys);
    memset(ya, 0, sizeof ya);
    s->axpy_f32(N, 0.5f, x, ys);
    a->axpy_f32(N, 0.5f, x, ya);
    s->axpy_f16(N, -2.0f, h, ys);
    a->axpy_f16(N, -2.0f, h, ya);
    for (int i = 0; i < N; i++)
        assert_float_equal(ys[i], ya[i], 1e-5);
}

static void test_half_conversions(void **state)
{
    static const float values[] = { 0.0f, -0.0f, 1.0f, -2.5f, 65504.0f, 65520.0f, 1e-7f, 6e-8f,
                                    2e-8f, 0.333333f, -1e30f };
    static const uint16_t want[] = { 0x0000, 0x8000, 0x3c00, 0xc100, 0x7bff, 0x7c00, 0x0002,
                                     0x0001, 0x0000, 0x3555, 0xfc00 };

    (void)state;
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        assert_int_equal(quant_f32_to_f16(values[i]), want[i]);
        if (want[i] != 0x7c00 && want[i] != 0xfc00)
            assert_float_equal(quant_f16_to_f32(want[i]), values[i],
                               fabsf(values[i]) * 1e-3 + 6e-8);
    }
    assert_true(isnan(quant_f16_to_f32(quant_f32_to_f16(NAN))));
}

static void test_supported(void **state)
{
    (void)state;
    for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
        assert_true(quant_supported(types[t]));
    assert_false(quant_supported(GGML_TYPE_Q2_K));
    assert_false(quant_supported(GGML_TYPE_IQ4_XS));
    assert_false(quant_supported(999));
    assert_int_equal(quant_act_fmt(GGML_TYPE_Q4_K), QFMT_Q8_K);
    assert_int_equal(quant_act_fmt(GGML_TYPE_Q5_0), QFMT_Q8_0);
    assert_int_equal(quant_act_fmt(GGML_TYPE_F16), QFMT_F32);
    assert_int_equal(quant_fmt_bytes(QFMT_Q8_K, 512), 584);
}

static void test_type_parse(void **state)
{
    uint32_t t = 999;

    (void)state;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        assert_int_equal(quant_type_parse(ggml_type_get(types[i])->name, &t), 0);
        assert_int_equal(t, types[i]);
    }
    assert_int_equal(quant_type_parse("Q4_k", &t), 0);
    assert_int_equal(t, GGML_TYPE_Q4_K);
    assert_int_equal(quant_type_parse("q2_K", &t), -1);
    assert_int_equal(quant_type_parse("", &t), -1);
    assert_int_equal(t, GGML_TYPE_Q4_K);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_dot_scalar),
        cmocka_unit_test(test_dot_avx2),
        cmocka_unit_test(test_dot4_matches_dot),
        cmocka_unit_test(test_avx2_matches_scalar),
        cmocka_unit_test(test_half_conversions),
        cmocka_unit_test(test_supported),
        cmocka_unit_test(test_type_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
