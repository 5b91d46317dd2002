/*
** quant_avx2.c — the kernels of quant.h with AVX2, FMA and F16C, compiled for those
** instructions whatever the build's flags and used only when the CPU has them.
**
** The integer products use the usual AVX2 idiom: _mm256_maddubs_epi16 multiplies
** unsigned by signed bytes, so a signed weight lends its sign to the activation
** (_mm256_sign_epi8) and gives its magnitude. Activations are never -128 (both
** activation formats stay within -127..127), so no product saturates.
**
** Activation conversion rounds exactly as the portable code does (to nearest,
** ties to even), so both give the same bytes.
**
** A matrix-vector product streams the weights from memory once, and a core left to
** the hardware prefetcher alone reads them at about two thirds of the speed it can:
** the dot products ask for the weights PREFETCH bytes ahead themselves.
*/
#include "model/quant_impl.h"

#include <stddef.h>

#if defined(__x86_64__) || defined(__i386__)

#include <cpuid.h>
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma,f16c")))

enum { PREFETCH = 2048 };

#define prefetch(p) _mm_prefetch((const char *)(p) + PREFETCH, _MM_HINT_T0)

/* Every cache line of a block of size bytes, PREFETCH ahead. */
AVX2 static inline void prefetch_block(const void *p, size_t size)
{
    for (size_t at = 0; at < size; at += 64)
        prefetch((const uint8_t *)p + at);
}

AVX2 static inline float hsum_ps(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

AVX2 static inline float h2f(uint16_t h)
{
    return _cvtsh_ss(h);
}

/* Eight int32 sums of four products each: signed bytes a times signed bytes b. */
AVX2 static inline __m256i dot_i8(__m256i a, __m256i b)
{
    __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(a, a), _mm256_sign_epi8(b, a));
    return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}

/* Sixteen int16 pair sums: unsigned bytes a (at most 63) times signed bytes b. */
AVX2 static inline __m256i dot_u8(__m256i a, __m256i b)
{
    return _mm256_maddubs_epi16(a, b);
}

AVX2 static inline __m256i load256(const void *p)
{
    return _mm256_loadu_si256((const __m256i *)p);
}

/* 32 int32 in four vectors to 32 bytes in order (values within int8). */
AVX2 static inline __m256i pack_i8(__m256i a, __m256i b, __m256i c, __m256i d)
{
    __m256i ab = _mm256_packs_epi32(a, b), cd = _mm256_packs_epi32(c, d);
    return _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, cd),
                                       _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

AVX2 static inline __m256 abs_ps(__m256 x)
{
    return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x);
}

AVX2 static inline __m256i round_epi32(__m256 x)
{
    return _mm256_cvtps_epi32(_mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

/* ---- activation formats --------------------------------------------------------- */

AVX2 static void act_f32(const float *x, void *out, int n)
{
    memcpy(out, x, (size_t)n * sizeof *x);
}

AVX2 static void act_f16(const float *x, void *out, int n)
{
    uint16_t *y = out;
    int i = 0;

    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), 0));
    for (; i < n; i++)
        y[i] = f32_to_fp16(x[i]);
}

AVX2 static void act_bf16(const float *x, void *out, int n)
{
    const __m256i abs_mask = _mm256_set1_epi32(0x7fffffff), inf = _mm256_set1_epi32(0x7f800000);
    uint16_t *y = out;
    int i = 0;

    for (; i + 16 <= n; i += 16) {
        __m256i h[2];
        for (int k = 0; k < 2; k++) {
            __m256i v = _mm256_castps_si256(_mm256_loadu_ps(x + i + 8 * k));
            __m256i lsb = _mm256_and_si256(_mm256_srli_epi32(v, 16), _mm256_set1_epi32(1));
            __m256i r = _mm256_srli_epi32(
                _mm256_add_epi32(_mm256_add_epi32(v, _mm256_set1_epi32(0x7fff)), lsb), 16);
            __m256i nan = _mm256_or_si256(_mm256_srli_epi32(v, 16), _mm256_set1_epi32(0x40));
            __m256i is_nan = _mm256_cmpgt_epi32(_mm256_and_si256(v, abs_mask), inf);
            h[k] = _mm256_and_si256(_mm256_blendv_epi8(r, nan, is_nan), _mm256_set1_epi32(0xffff));
        }
        _mm256_storeu_si256((__m256i *)(y + i),
                            _mm256_permute4x64_epi64(_mm256_packus_epi32(h[0], h[1]), 0xD8));
    }
    for (; i < n; i++)
        y[i] = f32_to_bf16(x[i]);
}

AVX2 static void act_q8_0(const float *x, void *out, int n)
{
    blk_q8_0 *y = out;

    for (int b = 0; b < n / QK8_0; b++, x += QK8_0) {
        __m256 v[4], m;
        __m128 m4;
        __m256i q[4];
        float amax, id;
        for (int k = 0; k < 4; k++)
            v[k] = _mm256_loadu_ps(x + 8 * k);
        m = _mm256_max_ps(_mm256_max_ps(abs_ps(v[0]), abs_ps(v[1])),
                          _mm256_max_ps(abs_ps(v[2]), abs_ps(v[3])));
        m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        amax = _mm_cvtss_f32(m4);
        id = amax != 0 ? 127.0f / amax : 0.0f;
        y[b].d = f32_to_fp16(amax / 127.0f);
        for (int k = 0; k < 4; k++)
            q[k] = round_epi32(_mm256_mul_ps(v[k], _mm256_set1_ps(id)));
        _mm256_storeu_si256((__m256i *)y[b].qs, pack_i8(q[0], q[1], q[2], q[3]));
    }
}

AVX2 static void act_q8_k(const float *x, void *out, int n)
{
    blk_q8_k *y = out;

    for (int b = 0; b < n / QK_K; b++, x += QK_K) {
        __m256 m = _mm256_setzero_ps();
        __m128 m4;
        float amax, max = 0, iscale;
        int j = 0;
        for (int k = 0; k < QK_K; k += 8)
            m = _mm256_max_ps(m, abs_ps(_mm256_loadu_ps(x + k)));
        m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        amax = _mm_cvtss_f32(m4);
        if (amax == 0) {
            memset(&y[b], 0, sizeof y[b]);
            continue;
        }
        while (fabsf(x[j]) != amax)   /* the first value of largest magnitude, with its sign */
            j++;
        max = x[j];
        iscale = -127.0f / max;
        for (int k = 0; k < QK_K; k += 32) {
            __m256i q[4];
            for (int t = 0; t < 4; t++)
                q[t] = round_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + k + 8 * t),
                                                 _mm256_set1_ps(iscale)));
            q[0] = pack_i8(q[0], q[1], q[2], q[3]);
            q[0] = _mm256_min_epi8(q[0], _mm256_set1_epi8(127));
            _mm256_storeu_si256((__m256i *)(y[b].qs + k), q[0]);
            /* the sums of each 16: widen to int16 and add pairs down to one per group */
            for (int h = 0; h < 2; h++) {
                __m256i w = _mm256_cvtepi8_epi16(h ? _mm256_extracti128_si256(q[0], 1)
                                                   : _mm256_castsi256_si128(q[0]));
                __m256i s = _mm256_madd_epi16(w, _mm256_set1_epi16(1));
                __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s),
                                           _mm256_extracti128_si256(s, 1));
                s4 = _mm_hadd_epi32(s4, s4);
                s4 = _mm_hadd_epi32(s4, s4);
                y[b].bsums[(k + 16 * h) / 16] = (int16_t)_mm_cvtsi128_si32(s4);
            }
        }
        y[b].d = 1 / iscale;
    }
}

/* ---- dot products of half and single precision ------------------------------------ */

AVX2 static inline __m256 load_f32(const float *p)
{
    return _mm256_loadu_ps(p);
}

AVX2 static inline __m256 load_f16(const uint16_t *p)
{
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p));
}

AVX2 static inline __m256 load_bf16(const uint16_t *p)
{
    __m256i v = _mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(v, 16));
}

static inline float f32_value(float x) { return x; }

/* float NAME(n, a, b): Σ a[i]·b[i] over elements of types TA, TB, loaded eight at a
** time by LOADA, LOADB and one at a time (the tail) by VALA, VALB. */
#define DOT_FLOATS(NAME, TA, LOADA, VALA, TB, LOADB, VALB)                                 \
    AVX2 static float NAME(int n, const TA *a, const TB *b)                                 \
    {                                                                                       \
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();                          \
        float s;                                                                            \
        int i = 0;                                                                          \
        for (; i + 16 <= n; i += 16) {                                                      \
            prefetch(a + i);                                                                \
            s0 = _mm256_fmadd_ps(LOADA(a + i), LOADB(b + i), s0);                           \
            s1 = _mm256_fmadd_ps(LOADA(a + i + 8), LOADB(b + i + 8), s1);                   \
        }                                                                                   \
        for (; i + 8 <= n; i += 8)                                                          \
            s0 = _mm256_fmadd_ps(LOADA(a + i), LOADB(b + i), s0);                           \
        s = hsum_ps(_mm256_add_ps(s0, s1));                                                 \
        for (; i < n; i++)                                                                  \
            s += VALA(a[i]) * VALB(b[i]);                                                   \
        return s;                                                                           \
    }

DOT_FLOATS(dot_ps, float, load_f32, f32_value, float, load_f32, f32_value)
DOT_FLOATS(dot_f16_ps, uint16_t, load_f16, fp16_to_f32, float, load_f32, f32_value)
DOT_FLOATS(dot_ps_f16, float, load_f32, f32_value, uint16_t, load_f16, fp16_to_f32)
DOT_FLOATS(dot_bf16, uint16_t, load_bf16, bf16_to_f32, uint16_t, load_bf16, bf16_to_f32)

AVX2 static void dot_f32_f32(int n, const void *w, const void *x, float *out)
{
    *out = dot_ps(n, w, x);
}

AVX2 static void dot_f16_f32(int n, const void *w, const void *x, float *out)
{
    *out = dot_f16_ps(n, w, x);
}

AVX2 static void dot_bf16_bf16(int n, const void *w, const void *x, float *out)
{
    *out = dot_bf16(n, w, x);
}

/* ---- dot products of 32-value blocks ----------------------------------------------- */

/* Q4_0's 32 quants as signed bytes: low nibbles first, then high, minus 8. */
AVX2 static inline __m256i q4_0_bytes(const uint8_t *qs)
{
    __m128i raw = _mm_loadu_si128((const __m128i *)qs);
    __m256i v = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_sub_epi8(_mm256_and_si256(v, _mm256_set1_epi8(0xF)), _mm256_set1_epi8(8));
}

/* Byte j is 0xFF where bit j of bits is set. */
AVX2 static inline __m256i bits_to_bytes(uint32_t bits)
{
    const __m256i pick = _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202,
                                            0x0303030303030303);
    const __m256i mask = _mm256_set1_epi64x((long long)0x8040201008040201ull);
    __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32((int)bits), pick);
    return _mm256_cmpeq_epi8(_mm256_and_si256(v, mask), mask);
}

/* Q5_0's 32 quants as signed bytes: the nibble, less 16 where the fifth bit is 0. */
AVX2 static inline __m256i q5_0_bytes(const blk_q5_0 *a)
{
    __m128i raw = _mm_loadu_si128((const __m128i *)a->qs);
    __m256i v = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw),
                                 _mm256_set1_epi8(0xF));
    uint32_t qh;
    memcpy(&qh, a->qh, sizeof qh);
    return _mm256_or_si256(v, _mm256_andnot_si256(bits_to_bytes(qh), _mm256_set1_epi8((char)0xF0)));
}

/* NAME(n, w, x, out): the product of a row of TYPE and a Q8_0 activation; NAME##_x4(n, w,
** row_bytes, x, out) that of four rows, row_bytes apart, reading each activation block
** once for all four and keeping eight sums in flight. Each row is summed in the same
** order either way, so a row's result does not depend on the rows beside it. Four
** rows prefetch the next four (PREFETCH ahead would only reach a neighbour's bytes,
** already being read). */
#define DOT_BLOCKS32(NAME, TYPE, BYTES)                                                     \
    AVX2 __attribute__((always_inline)) static inline void                                 \
    NAME##_rows(int n, const uint8_t *w, size_t row_bytes, const blk_q8_0 *b, float *out,  \
                int nr)                                                                     \
    {                                                                                       \
        const TYPE *a[4];                                                                   \
        __m256 s0[4], s1[4];                                                                \
        int nb = n / QK8_0, i = 0;                                                          \
        size_t ahead = nr == 1 ? PREFETCH : nr * row_bytes;                                 \
        _Pragma("GCC unroll 4") for (int k = 0; k < nr; k++) {                              \
            a[k] = (const TYPE *)(w + (size_t)k * row_bytes);                               \
            s0[k] = s1[k] = _mm256_setzero_ps();                                            \
        }                                                                                   \
        for (; i + 2 <= nb; i += 2) {                                                       \
            __m256i y0 = load256(b[i].qs), y1 = load256(b[i + 1].qs);                       \
            float d0 = h2f(b[i].d), d1 = h2f(b[i + 1].d);                                   \
            _Pragma("GCC unroll 4") for (int k = 0; k < nr; k++) {                          \
                _mm_prefetch((const char *)&a[k][i] + ahead, _MM_HINT_T0);                  \
                __m256i p0 = dot_i8(BYTES(&a[k][i]), y0);                                   \
                __m256i p1 = dot_i8(BYTES(&a[k][i + 1]), y1);                               \
                s0[k] = _mm256_fmadd_ps(_mm256_set1_ps(h2f(a[k][i].d) * d0),                \
                                        _mm256_cvtepi32_ps(p0), s0[k]);                     \
                s1[k] = _mm256_fmadd_ps(_mm256_set1_ps(h2f(a[k][i + 1].d) * d1),            \
                                        _mm256_cvtepi32_ps(p1), s1[k]);                     \
            }                                                                               \
        }                                                                                   \
        for (; i < nb; i++) {                                                               \
            __m256i y0 = load256(b[i].qs);                                                  \
            float d0 = h2f(b[i].d);                                                         \
            _Pragma("GCC unroll 4") for (int k = 0; k < nr; k++)                            \
                s0[k] = _mm256_fmadd_ps(_mm256_set1_ps(h2f(a[k][i].d) * d0),                \
                                        _mm256_cvtepi32_ps(dot_i8(BYTES(&a[k][i]), y0)),    \
                                        s0[k]);                                             \
        }                                                                                   \
        _Pragma("GCC unroll 4") for (int k = 0; k < nr; k++)                                \
            out[k] = hsum_ps(_mm256_add_ps(s0[k], s1[k]));                                  \
    }                                                                                       \
    AVX2 static void NAME(int n, const void *w, const void *x, float *out)                  \
    {                                                                                       \
        NAME##_rows(n, w, 0, x, out, 1);                                                    \
    }                                                                                       \
    AVX2 static void NAME##_x4(int n, const void *w, size_t row_bytes, const void *x,       \
                               float *out)                                                  \
    {                                                                                       \
        NAME##_rows(n, w, row_bytes, x, out, 4);                                            \
    }

#define Q8_0_BYTES(blk) load256((blk)->qs)
#define Q4_0_BYTES(blk) q4_0_bytes((blk)->qs)

DOT_BLOCKS32(dot_q8_0, blk_q8_0, Q8_0_BYTES)
DOT_BLOCKS32(dot_q4_0, blk_q4_0, Q4_0_BYTES)
DOT_BLOCKS32(dot_q5_0, blk_q5_0, q5_0_bytes)

/* ---- dot products of K-quant blocks ------------------------------------------------- */

/* The eight 6-bit scales of a q4_K/q5_K block in bytes 0..7, its mins in 8..15. */
AVX2 static inline __m128i k_scales_mins(const uint8_t *s)
{
    uint32_t u[3];

    memcpy(u, s, sizeof u);
    return _mm_set_epi32((int)(((u[2] >> 4) & 0x0f0f0f0f) | ((u[1] >> 2) & 0x30303030)),
                         (int)(u[1] & 0x3f3f3f3f),
                         (int)((u[2] & 0x0f0f0f0f) | ((u[0] >> 2) & 0x30303030)),
                         (int)(u[0] & 0x3f3f3f3f));
}

/* Of a vector of eight int16 repeated in both halves, lane j everywhere. */
AVX2 static inline __m256i pick16(__m256i v, int j)
{
    return _mm256_shuffle_epi8(v, _mm256_set1_epi16((short)(2 * j | (2 * j + 1) << 8)));
}

/* q4_K and q5_K (qh_at 0: no fifth bits): per block, d·Σ scale_j·(q·y)_j − dmin·Σ
** min_j·(Σy)_j, kept in vectors across the row and summed once at its end. */
AVX2 static void dot_k45(int n, const uint8_t *w, size_t size, size_t qs_at, size_t qh_at,
                         const blk_q8_k *y, float *out)
{
    const __m256i low4 = _mm256_set1_epi8(0xF), one = _mm256_set1_epi8(1);
    const __m128i twice = _mm_setr_epi8(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    __m256 acc = _mm256_setzero_ps(), accm = _mm256_setzero_ps();

    for (int i = 0; i < n / QK_K; i++, w += size, y++) {
        const uint16_t *dd = (const uint16_t *)w;
        const uint8_t *qs = w + qs_at;
        __m128i sm = k_scales_mins(w + 4);
        __m256i sc = _mm256_broadcastsi128_si256(_mm_cvtepu8_epi16(sm));
        __m256i mins = _mm256_cvtepu8_epi16(_mm_shuffle_epi8(sm, twice));
        __m256i hbits = qh_at ? load256(w + qh_at) : _mm256_setzero_si256();
        __m256i sum = _mm256_setzero_si256();
        prefetch_block(w, size);
        for (int c = 0; c < 4; c++) {
            __m256i q = load256(qs + 32 * c);
            __m256i lo = _mm256_and_si256(q, low4);
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), low4);
            if (qh_at) {
                __m256i b0 = _mm256_and_si256(hbits, one);
                __m256i b1 = _mm256_and_si256(_mm256_srli_epi16(hbits, 1), one);
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(b0, 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(b1, 4));
                hbits = _mm256_srli_epi16(hbits, 2);
            }
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(dot_u8(lo, load256(y->qs + 64 * c)),
                                                          pick16(sc, 2 * c)));
            sum = _mm256_add_epi32(sum, _mm256_madd_epi16(dot_u8(hi, load256(y->qs + 64 * c + 32)),
                                                          pick16(sc, 2 * c + 1)));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(dd[0]) * y->d), _mm256_cvtepi32_ps(sum), acc);
        accm = _mm256_fmadd_ps(_mm256_set1_ps(h2f(dd[1]) * y->d),
                               _mm256_cvtepi32_ps(_mm256_madd_epi16(load256(y->bsums), mins)),
                               accm);
    }
    *out = hsum_ps(acc) - hsum_ps(accm);
}

AVX2 static void dot_q4_k(int n, const void *w, const void *x, float *out)
{
    dot_k45(n, w, sizeof(blk_q4_k), offsetof(blk_q4_k, qs), 0, x, out);
}

AVX2 static void dot_q5_k(int n, const void *w, const void *x, float *out)
{
    dot_k45(n, w, sizeof(blk_q5_k), offsetof(blk_q5_k, qs), offsetof(blk_q5_k, qh), x, out);
}

/* q6_K: quants 0..63 times the activation, per 16-value group times its scale, less
** 32 · scale · (the group's activation sum); kept in a vector across the row. */
AVX2 static void dot_q6_k(int n, const void *w, const void *x, float *out)
{
    const blk_q6_k *a = w;
    const blk_q8_k *b = x;
    const __m256i low4 = _mm256_set1_epi8(0xF), low2 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    __m256i pick[4];

    /* int16 lane 2k of the low half everywhere in it, lane 2k + 1 in the high half */
    for (int k = 0; k < 4; k++) {
        int lo = (4 * k) | (4 * k + 1) << 8, hi = (4 * k + 2) | (4 * k + 3) << 8;
        pick[k] = _mm256_set_m128i(_mm_set1_epi16((short)hi), _mm_set1_epi16((short)lo));
    }
    for (int i = 0; i < n / QK_K; i++) {
        __m256i scales = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)a[i].scales));
        __m256i sum = _mm256_slli_epi32(_mm256_madd_epi16(load256(b[i].bsums), scales), 5);
        sum = _mm256_sub_epi32(_mm256_setzero_si256(), sum);
        prefetch_block(&a[i], sizeof a[i]);
        for (int h = 0; h < 2; h++) {
            const uint8_t *ql = a[i].ql + 64 * h;
            __m256i l0 = load256(ql), l1 = load256(ql + 32), qh = load256(a[i].qh + 32 * h);
            /* the half's eight scales in both lanes: lane 0 takes group 2k, lane 1 2k + 1 */
            __m256i half = h ? _mm256_permute2x128_si256(scales, scales, 0x11)
                             : _mm256_permute2x128_si256(scales, scales, 0x00);
            __m256i q[4];
            q[0] = _mm256_or_si256(_mm256_and_si256(l0, low4),
                                   _mm256_slli_epi16(_mm256_and_si256(qh, low2), 4));
            q[1] = _mm256_or_si256(_mm256_and_si256(l1, low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2),
                                                                      low2), 4));
            q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l0, 4), low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4),
                                                                      low2), 4));
            q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), low4),
                                   _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6),
                                                                      low2), 4));
            for (int k = 0; k < 4; k++) {
                __m256i p = dot_u8(q[k], load256(b[i].qs + 128 * h + 32 * k));
                __m256i sc = _mm256_shuffle_epi8(half, pick[k]);
                sum = _mm256_add_epi32(sum, _mm256_madd_epi16(p, sc));
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(h2f(a[i].d) * b[i].d), _mm256_cvtepi32_ps(sum), acc);
    }
    *out = hsum_ps(acc);
}

/* ---- attention ------------------------------------------------------------------ */

AVX2 static float attn_dot_f32(int n, const float *x, const float *y)
{
    return dot_ps(n, x, y);
}

AVX2 static float attn_dot_f16(int n, const float *x, const uint16_t *y)
{
    return dot_ps_f16(n, x, y);
}

AVX2 static void attn_axpy_f32(int n, float a, const float *x, float *y)
{
    __m256 va = _mm256_set1_ps(a);
    int i = 0;

    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i,
                         _mm256_fmadd_ps(va, _mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++)
        y[i] += a * x[i];
}

AVX2 static void attn_axpy_f16(int n, float a, const uint16_t *x, float *y)
{
    __m256 va = _mm256_set1_ps(a);
    int i = 0;

    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(y + i, _mm256_fmadd_ps(va, load_f16(x + i), _mm256_loadu_ps(y + i)));
    for (; i < n; i++)
        y[i] += a * fp16_to_f32(x[i]);
}

AVX2 static uint64_t stream_read(const void *p, size_t n)
{
    const __m256i *v = p;
    __m256i a = _mm256_setzero_si256(), b = a, c = a, d = a;

    for (size_t i = 0; i < n / 32; i += 4) {
        prefetch(v + i);
        prefetch(v + i + 2);
        a = _mm256_add_epi64(a, _mm256_load_si256(v + i));
        b = _mm256_xor_si256(b, _mm256_load_si256(v + i + 1));
        c = _mm256_add_epi64(c, _mm256_load_si256(v + i + 2));
        d = _mm256_xor_si256(d, _mm256_load_si256(v + i + 3));
    }
    a = _mm256_add_epi64(_mm256_add_epi64(a, b), _mm256_add_epi64(c, d));
    return (uint64_t)_mm256_extract_epi64(a, 0) + (uint64_t)_mm256_extract_epi64(a, 3);
}

static const quant_kernels avx2_kernels = QUANT_KERNELS("avx2", [GGML_TYPE_Q8_0] = dot_q8_0_x4,
                                                       [GGML_TYPE_Q4_0] = dot_q4_0_x4,
                                                       [GGML_TYPE_Q5_0] = dot_q5_0_x4);

/* AVX2, FMA and F16C on the CPU, and the YMM registers saved by the system. */
static int cpu_has_avx2(void)
{
    unsigned a, b, c, d, lo, hi;

    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c >> 27 & 1) || !(c >> 28 & 1) || !(c >> 12 & 1) ||
        !(c >> 29 & 1))
        return 0;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 6) != 6 || !__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    return b >> 5 & 1;
}

const quant_kernels *quant_kernels_avx2(void)
{
    return cpu_has_avx2() ? &avx2_kernels : NULL;
}

#else

const quant_kernels *quant_kernels_avx2(void)
{
    return NULL;
}

#endif
