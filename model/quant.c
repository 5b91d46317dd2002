/*
** quant.c — the portable kernels: activation conversion, dot products of every
** weight type in integers per block, dequantization, and a plain quantizer.
*/
#include "model/quant_impl.h"

#include <float.h>
#include <stddef.h>
#include <stdlib.h>
#include <strings.h>

uint16_t quant_f32_to_f16(float f) { return f32_to_fp16(f); }
float quant_f16_to_f32(uint16_t h) { return fp16_to_f32(h); }

int quant_supported(uint32_t type)
{
    switch (type) {
    case GGML_TYPE_F32: case GGML_TYPE_F16: case GGML_TYPE_BF16: case GGML_TYPE_Q8_0:
    case GGML_TYPE_Q4_0: case GGML_TYPE_Q5_0: case GGML_TYPE_Q4_K: case GGML_TYPE_Q5_K:
    case GGML_TYPE_Q6_K:
        return 1;
    default:
        return 0;
    }
}

const char *quant_supported_list(void)
{
    return "f32, f16, bf16, q8_0, q4_0, q5_0, q4_K, q5_K, q6_K";
}

int quant_type_parse(const char *name, uint32_t *type)
{
    for (uint32_t t = 0; t < GGML_TYPE_COUNT; t++)
        if (quant_supported(t) && strcasecmp(ggml_type_get(t)->name, name) == 0) {
            *type = t;
            return 0;
        }
    return -1;
}

enum quant_fmt quant_act_fmt(uint32_t type)
{
    switch (type) {
    case GGML_TYPE_BF16: return QFMT_BF16;
    case GGML_TYPE_Q8_0: case GGML_TYPE_Q4_0: case GGML_TYPE_Q5_0: return QFMT_Q8_0;
    case GGML_TYPE_Q4_K: case GGML_TYPE_Q5_K: case GGML_TYPE_Q6_K: return QFMT_Q8_K;
    default:             return QFMT_F32;
    }
}

int quant_fmt_block(enum quant_fmt f)
{
    return f == QFMT_Q8_0 ? QK8_0 : f == QFMT_Q8_K ? QK_K : 1;
}

size_t quant_fmt_bytes(enum quant_fmt f, int n)
{
    switch (f) {
    case QFMT_F16: case QFMT_BF16: return (size_t)n * 2;
    case QFMT_Q8_0: return (size_t)n / QK8_0 * sizeof(blk_q8_0);
    case QFMT_Q8_K: return (size_t)n / QK_K * sizeof(blk_q8_k);
    default:        return (size_t)n * 4;
    }
}

/* ---- activation formats --------------------------------------------------------- */

static void act_f32(const float *x, void *out, int n)
{
    memcpy(out, x, (size_t)n * sizeof *x);
}

static void act_f16(const float *x, void *out, int n)
{
    uint16_t *y = out;
    for (int i = 0; i < n; i++)
        y[i] = f32_to_fp16(x[i]);
}

static void act_bf16(const float *x, void *out, int n)
{
    uint16_t *y = out;
    for (int i = 0; i < n; i++)
        y[i] = f32_to_bf16(x[i]);
}

/* d = max|x| / 127, stored in f16; q = x * (127 / max|x|) rounded to nearest even. */
static void act_q8_0(const float *x, void *out, int n)
{
    blk_q8_0 *y = out;

    for (int b = 0; b < n / QK8_0; b++, x += QK8_0) {
        float amax = 0, id;
        for (int j = 0; j < QK8_0; j++)
            amax = fmaxf(amax, fabsf(x[j]));
        id = amax != 0 ? 127.0f / amax : 0.0f;
        y[b].d = f32_to_fp16(amax / 127.0f);
        for (int j = 0; j < QK8_0; j++)
            y[b].qs[j] = (int8_t)nearbyintf(x[j] * id);
    }
}

/* The value of largest magnitude maps to -127 (so its sign is kept in the scale);
** d = 1 / that scale, in f32; bsums hold the sum of each 16 quants. */
static void act_q8_k(const float *x, void *out, int n)
{
    blk_q8_k *y = out;

    for (int b = 0; b < n / QK_K; b++, x += QK_K) {
        float amax = 0, max = 0, iscale;
        for (int j = 0; j < QK_K; j++)
            if (fabsf(x[j]) > amax) {
                amax = fabsf(x[j]);
                max = x[j];
            }
        if (amax == 0) {
            memset(&y[b], 0, sizeof y[b]);
            continue;
        }
        iscale = -127.0f / max;
        for (int j = 0; j < QK_K; j++) {
            int v = (int)nearbyintf(iscale * x[j]);
            y[b].qs[j] = (int8_t)(v < 127 ? v : 127);
        }
        for (int g = 0; g < QK_K / 16; g++) {
            int sum = 0;
            for (int j = 0; j < 16; j++)
                sum += y[b].qs[g * 16 + j];
            y[b].bsums[g] = (int16_t)sum;
        }
        y[b].d = 1 / iscale;
    }
}

/* ---- dot products ------------------------------------------------------------------- */

static void dot_f32_f32(int n, const void *w, const void *x, float *out)
{
    const float *a = w, *b = x;
    float s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    *out = s;
}

static void dot_f16_f32(int n, const void *w, const void *x, float *out)
{
    const uint16_t *a = w;
    const float *b = x;
    float s = 0;
    for (int i = 0; i < n; i++)
        s += fp16_to_f32(a[i]) * b[i];
    *out = s;
}

static void dot_bf16_bf16(int n, const void *w, const void *x, float *out)
{
    const uint16_t *a = w, *b = x;
    float s = 0;
    for (int i = 0; i < n; i++)
        s += bf16_to_f32(a[i]) * bf16_to_f32(b[i]);
    *out = s;
}

static void dot_q8_0(int n, const void *w, const void *x, float *out)
{
    const blk_q8_0 *a = w, *b = x;
    float s = 0;

    for (int i = 0; i < n / QK8_0; i++) {
        int sum = 0;
        for (int j = 0; j < QK8_0; j++)
            sum += a[i].qs[j] * b[i].qs[j];
        s += (float)sum * (fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d));
    }
    *out = s;
}

static void dot_q4_0(int n, const void *w, const void *x, float *out)
{
    const blk_q4_0 *a = w;
    const blk_q8_0 *b = x;
    float s = 0;

    for (int i = 0; i < n / QK8_0; i++) {
        int sum = 0;
        for (int j = 0; j < QK8_0 / 2; j++)
            sum += ((a[i].qs[j] & 0xF) - 8) * b[i].qs[j] +
                   ((a[i].qs[j] >> 4) - 8) * b[i].qs[j + QK8_0 / 2];
        s += (float)sum * (fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d));
    }
    *out = s;
}

static uint32_t q5_0_high(const blk_q5_0 *a)
{
    return (uint32_t)a->qh[0] | (uint32_t)a->qh[1] << 8 | (uint32_t)a->qh[2] << 16 |
           (uint32_t)a->qh[3] << 24;
}

static void dot_q5_0(int n, const void *w, const void *x, float *out)
{
    const blk_q5_0 *a = w;
    const blk_q8_0 *b = x;
    float s = 0;

    for (int i = 0; i < n / QK8_0; i++) {
        uint32_t qh = q5_0_high(&a[i]);
        int sum = 0;
        for (int j = 0; j < QK8_0 / 2; j++) {
            int lo = (int)((a[i].qs[j] & 0xF) | ((qh >> j) & 1) << 4) - 16;
            int hi = (int)((a[i].qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4) - 16;
            sum += lo * b[i].qs[j] + hi * b[i].qs[j + QK8_0 / 2];
        }
        s += (float)sum * (fp16_to_f32(a[i].d) * fp16_to_f32(b[i].d));
    }
    *out = s;
}

/* Sum over the eight sub-blocks of min_j times the sum of the activation there. */
static int k_mins_dot(const uint8_t *scales, const int16_t *bsums)
{
    int sum = 0;
    for (int j = 0; j < 8; j++) {
        int sc, m;
        k_scale_min(scales, j, &sc, &m);
        sum += m * (bsums[2 * j] + bsums[2 * j + 1]);
    }
    return sum;
}

/* q4_K and q5_K (qh_at 0: no fifth bits): d·Σ scale_j·(q·y)_j − dmin·Σ min_j·(Σy)_j. */
static void dot_k45(int n, const uint8_t *w, size_t size, size_t qs_at, size_t qh_at,
                    const blk_q8_k *b, float *out)
{
    float s = 0;

    for (int i = 0; i < n / QK_K; i++, w += size, b++) {
        const uint16_t *dd = (const uint16_t *)w;
        const uint8_t *scales = w + 4, *qs = w + qs_at, *qh = qh_at ? w + qh_at : NULL;
        const int8_t *y = b->qs;
        int sumi = 0;
        for (int c = 0; c < 4; c++, qs += 32, y += 64) {
            int sc0, sc1, m, lo = 0, hi = 0;
            k_scale_min(scales, 2 * c, &sc0, &m);
            k_scale_min(scales, 2 * c + 1, &sc1, &m);
            for (int l = 0; l < 32; l++) {
                int h0 = qh ? ((qh[l] >> (2 * c)) & 1) << 4 : 0;
                int h1 = qh ? ((qh[l] >> (2 * c + 1)) & 1) << 4 : 0;
                lo += ((qs[l] & 0xF) | h0) * y[l];
                hi += ((qs[l] >> 4) | h1) * y[l + 32];
            }
            sumi += sc0 * lo + sc1 * hi;
        }
        s += fp16_to_f32(dd[0]) * b->d * (float)sumi -
             fp16_to_f32(dd[1]) * b->d * (float)k_mins_dot(scales, b->bsums);
    }
    *out = s;
}

static void dot_q4_k(int n, const void *w, const void *x, float *out)
{
    dot_k45(n, w, sizeof(blk_q4_k), offsetof(blk_q4_k, qs), 0, x, out);
}

static void dot_q5_k(int n, const void *w, const void *x, float *out)
{
    dot_k45(n, w, sizeof(blk_q5_k), offsetof(blk_q5_k, qs), offsetof(blk_q5_k, qh), x, out);
}

/* The 6-bit quant (0..63) of value j (0..255) of a q6_K block, and its sub-block. */
static int q6_k_quant(const blk_q6_k *a, int j)
{
    int half = j / 128, k = j % 128, quarter = k / 32, l = k % 32;
    const uint8_t *ql = a->ql + 64 * half, *qh = a->qh + 32 * half;
    int low = quarter & 1 ? ql[l + 32] : ql[l];

    low = quarter < 2 ? low & 0xF : low >> 4;
    return low | ((qh[l] >> (2 * quarter)) & 3) << 4;
}

static void dot_q6_k(int n, const void *w, const void *x, float *out)
{
    const blk_q6_k *a = w;
    const blk_q8_k *b = x;
    float s = 0;

    for (int i = 0; i < n / QK_K; i++) {
        int sumi = 0;
        for (int g = 0; g < QK_K / 16; g++) {
            int sum = 0;
            for (int j = 16 * g; j < 16 * g + 16; j++)
                sum += (q6_k_quant(&a[i], j) - 32) * b[i].qs[j];
            sumi += a[i].scales[g] * sum;
        }
        s += fp16_to_f32(a[i].d) * b[i].d * (float)sumi;
    }
    *out = s;
}

/* ---- attention ------------------------------------------------------------------ */

static float attn_dot_f32(int n, const float *x, const float *y)
{
    float s = 0;
    for (int i = 0; i < n; i++)
        s += x[i] * y[i];
    return s;
}

static float attn_dot_f16(int n, const float *x, const uint16_t *y)
{
    float s = 0;
    for (int i = 0; i < n; i++)
        s += x[i] * fp16_to_f32(y[i]);
    return s;
}

static void attn_axpy_f32(int n, float a, const float *x, float *y)
{
    for (int i = 0; i < n; i++)
        y[i] += a * x[i];
}

static void attn_axpy_f16(int n, float a, const uint16_t *x, float *y)
{
    for (int i = 0; i < n; i++)
        y[i] += a * fp16_to_f32(x[i]);
}

static uint64_t stream_read(const void *p, size_t n)
{
    const uint64_t *w = p;
    uint64_t a = 0, b = 0, c = 0, d = 0;

    for (size_t i = 0; i < n / 8; i += 4) {
        a += w[i];
        b ^= w[i + 1];
        c += w[i + 2];
        d ^= w[i + 3];
    }
    return a + b + c + d;
}

static const quant_kernels scalar_kernels = QUANT_KERNELS("scalar", 0);

const quant_kernels *quant_kernels_scalar(void)
{
    return &scalar_kernels;
}

const quant_kernels *quant_kernels_best(void)
{
    const quant_kernels *k = quant_kernels_avx2();
    return k ? k : &scalar_kernels;
}

/* ---- dequantization ---------------------------------------------------------- */

static void dequant_q8_0(const blk_q8_0 *a, float *y, int nb)
{
    for (int i = 0; i < nb; i++, y += QK8_0)
        for (int j = 0; j < QK8_0; j++)
            y[j] = fp16_to_f32(a[i].d) * a[i].qs[j];
}

static void dequant_q4_0(const blk_q4_0 *a, float *y, int nb)
{
    for (int i = 0; i < nb; i++, y += QK8_0)
        for (int j = 0; j < QK8_0 / 2; j++) {
            y[j] = fp16_to_f32(a[i].d) * ((a[i].qs[j] & 0xF) - 8);
            y[j + QK8_0 / 2] = fp16_to_f32(a[i].d) * ((a[i].qs[j] >> 4) - 8);
        }
}

static void dequant_q5_0(const blk_q5_0 *a, float *y, int nb)
{
    for (int i = 0; i < nb; i++, y += QK8_0) {
        uint32_t qh = q5_0_high(&a[i]);
        for (int j = 0; j < QK8_0 / 2; j++) {
            y[j] = fp16_to_f32(a[i].d) * ((int)((a[i].qs[j] & 0xF) | ((qh >> j) & 1) << 4) - 16);
            y[j + QK8_0 / 2] =
                fp16_to_f32(a[i].d) * ((int)((a[i].qs[j] >> 4) | ((qh >> (j + 16)) & 1) << 4) - 16);
        }
    }
}

/* q4_K and q5_K: value = d * scale * q - dmin * min, sub-block by sub-block. */
static void dequant_k(const uint16_t *dd, const uint8_t *scales, const uint8_t *qs,
                      const uint8_t *qh, float *y)
{
    float d = fp16_to_f32(dd[0]), dmin = fp16_to_f32(dd[1]);

    for (int j = 0; j < 8; j++) {
        int sc, m;
        k_scale_min(scales, j, &sc, &m);
        for (int l = 0; l < 32; l++) {
            int q = j & 1 ? qs[32 * (j / 2) + l] >> 4 : qs[32 * (j / 2) + l] & 0xF;
            if (qh)
                q |= ((qh[l] >> j) & 1) << 4;
            y[32 * j + l] = d * (float)sc * (float)q - dmin * (float)m;
        }
    }
}

void quant_dequantize(uint32_t type, const void *w, float *y, int n)
{
    switch (type) {
    case GGML_TYPE_F32:
        memcpy(y, w, (size_t)n * sizeof *y);
        break;
    case GGML_TYPE_F16:
        for (int i = 0; i < n; i++)
            y[i] = fp16_to_f32(((const uint16_t *)w)[i]);
        break;
    case GGML_TYPE_BF16:
        for (int i = 0; i < n; i++)
            y[i] = bf16_to_f32(((const uint16_t *)w)[i]);
        break;
    case GGML_TYPE_Q8_0: dequant_q8_0(w, y, n / QK8_0); break;
    case GGML_TYPE_Q4_0: dequant_q4_0(w, y, n / QK8_0); break;
    case GGML_TYPE_Q5_0: dequant_q5_0(w, y, n / QK8_0); break;
    case GGML_TYPE_Q4_K:
        for (int i = 0; i < n / QK_K; i++) {
            const blk_q4_k *a = (const blk_q4_k *)w + i;
            dequant_k(&a->d, a->scales, a->qs, NULL, y + QK_K * i);
        }
        break;
    case GGML_TYPE_Q5_K:
        for (int i = 0; i < n / QK_K; i++) {
            const blk_q5_k *a = (const blk_q5_k *)w + i;
            dequant_k(&a->d, a->scales, a->qs, a->qh, y + QK_K * i);
        }
        break;
    case GGML_TYPE_Q6_K:
        for (int i = 0; i < n / QK_K; i++) {
            const blk_q6_k *a = (const blk_q6_k *)w + i;
            for (int j = 0; j < QK_K; j++)
                y[QK_K * i + j] = fp16_to_f32(a->d) * a->scales[j / 16] * (q6_k_quant(a, j) - 32);
        }
        break;
    default:
        memset(y, 0, (size_t)n * sizeof *y);
    }
}

/* ---- quantization ------------------------------------------------------------ */

/* The value of largest magnitude in x[n], with its sign. */
static float signed_max(const float *x, int n)
{
    float amax = 0, max = 0;
    for (int j = 0; j < n; j++)
        if (fabsf(x[j]) > amax) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    return max;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Symmetric blocks of 32 (q4_0, q5_0): the extreme value maps to -half. */
static void quant_sym32(const float *x, int half, float *d, int *q)
{
    float id;
    *d = signed_max(x, QK8_0) / (float)-half;
    id = *d != 0 ? 1 / *d : 0;
    for (int j = 0; j < QK8_0; j++)
        q[j] = clampi((int)nearbyintf(x[j] * id) + half, 0, 2 * half - 1);
}

static void quant_q4_0(const float *x, blk_q4_0 *y, int nb)
{
    for (int i = 0; i < nb; i++, x += QK8_0) {
        int q[QK8_0];
        float d;
        quant_sym32(x, 8, &d, q);
        y[i].d = f32_to_fp16(d);
        for (int j = 0; j < QK8_0 / 2; j++)
            y[i].qs[j] = (uint8_t)(q[j] | q[j + QK8_0 / 2] << 4);
    }
}

static void quant_q5_0(const float *x, blk_q5_0 *y, int nb)
{
    for (int i = 0; i < nb; i++, x += QK8_0) {
        uint32_t qh = 0;
        int q[QK8_0];
        float d;
        quant_sym32(x, 16, &d, q);
        y[i].d = f32_to_fp16(d);
        for (int j = 0; j < QK8_0 / 2; j++) {
            y[i].qs[j] = (uint8_t)((q[j] & 0xF) | (q[j + QK8_0 / 2] & 0xF) << 4);
            qh |= (uint32_t)(q[j] >> 4) << j | (uint32_t)(q[j + QK8_0 / 2] >> 4) << (j + 16);
        }
        for (int b = 0; b < 4; b++)
            y[i].qh[b] = (uint8_t)(qh >> (8 * b));
    }
}

/* q4_K / q5_K: each 32-value sub-block gets a scale and a min (x ≈ scale*q - min,
** 0 <= q <= qmax), both then quantized to 6 bits against the block's d and dmin. */
static void quant_k(const float *x, int qmax, uint16_t *dd, uint8_t *scales, uint8_t *q)
{
    float scale[8], min[8], dmax = 0, mmax = 0, d, dmin;
    int sc[8], m[8];

    for (int j = 0; j < 8; j++) {
        float lo = 0, hi = -FLT_MAX;
        for (int l = 0; l < 32; l++) {
            lo = fminf(lo, x[32 * j + l]);
            hi = fmaxf(hi, x[32 * j + l]);
        }
        scale[j] = (hi - lo) / (float)qmax;
        min[j] = -lo;
        dmax = fmaxf(dmax, scale[j]);
        mmax = fmaxf(mmax, min[j]);
    }
    dd[0] = f32_to_fp16(dmax / 63);
    dd[1] = f32_to_fp16(mmax / 63);
    d = fp16_to_f32(dd[0]);
    dmin = fp16_to_f32(dd[1]);
    for (int j = 0; j < 8; j++) {
        sc[j] = d > 0 ? clampi((int)nearbyintf(scale[j] / d), 0, 63) : 0;
        m[j] = dmin > 0 ? clampi((int)nearbyintf(min[j] / dmin), 0, 63) : 0;
    }
    for (int j = 0; j < 4; j++) {
        scales[j] = (uint8_t)(sc[j] | (sc[j + 4] >> 4) << 6);
        scales[j + 4] = (uint8_t)(m[j] | (m[j + 4] >> 4) << 6);
        scales[j + 8] = (uint8_t)((sc[j + 4] & 0xF) | (m[j + 4] & 0xF) << 4);
    }
    for (int j = 0; j < 8; j++) {
        float step = d * (float)sc[j], off = dmin * (float)m[j];
        for (int l = 0; l < 32; l++)
            q[32 * j + l] = (uint8_t)(step > 0 ? clampi((int)nearbyintf((x[32 * j + l] + off) /
                                                                         step), 0, qmax) : 0);
    }
}

static void quant_q4_k(const float *x, blk_q4_k *y, int nb)
{
    for (int i = 0; i < nb; i++, x += QK_K) {
        uint8_t q[QK_K];
        quant_k(x, 15, &y[i].d, y[i].scales, q);
        for (int c = 0; c < 4; c++)
            for (int l = 0; l < 32; l++)
                y[i].qs[32 * c + l] = (uint8_t)(q[64 * c + l] | q[64 * c + 32 + l] << 4);
    }
}

static void quant_q5_k(const float *x, blk_q5_k *y, int nb)
{
    for (int i = 0; i < nb; i++, x += QK_K) {
        uint8_t q[QK_K];
        quant_k(x, 31, &y[i].d, y[i].scales, q);
        memset(y[i].qh, 0, sizeof y[i].qh);
        for (int c = 0; c < 4; c++)
            for (int l = 0; l < 32; l++) {
                int lo = q[64 * c + l], hi = q[64 * c + 32 + l];
                y[i].qs[32 * c + l] = (uint8_t)((lo & 0xF) | (hi & 0xF) << 4);
                y[i].qh[l] |= (uint8_t)((lo >> 4) << (2 * c) | (hi >> 4) << (2 * c + 1));
            }
    }
}

/* q6_K: sixteen 16-value sub-blocks, each with a signed scale (its extreme value
** maps to -32), quantized to int8 against the block's d. */
static void quant_q6_k(const float *x, blk_q6_k *y, int nb)
{
    for (int i = 0; i < nb; i++, x += QK_K) {
        float scale[16], amax = 0, d;
        uint8_t q[QK_K];
        for (int g = 0; g < 16; g++) {
            scale[g] = signed_max(x + 16 * g, 16) / -32;
            amax = fmaxf(amax, fabsf(scale[g]));
        }
        y[i].d = f32_to_fp16(amax / 127);
        d = fp16_to_f32(y[i].d);
        for (int g = 0; g < 16; g++) {
            float step;
            y[i].scales[g] = (int8_t)(d > 0 ? clampi((int)nearbyintf(scale[g] / d), -127, 127) : 0);
            step = d * y[i].scales[g];
            for (int l = 0; l < 16; l++)
                q[16 * g + l] = (uint8_t)(step != 0 ? clampi((int)nearbyintf(x[16 * g + l] / step),
                                                             -32, 31) + 32 : 32);
        }
        memset(y[i].qh, 0, sizeof y[i].qh);
        for (int j = 0; j < QK_K; j++) {
            int half = j / 128, k = j % 128, quarter = k / 32, l = k % 32;
            uint8_t *ql = y[i].ql + 64 * half + (quarter & 1 ? 32 : 0);
            if (quarter < 2)
                ql[l] = (uint8_t)(q[j] & 0xF);
            else
                ql[l] |= (uint8_t)((q[j] & 0xF) << 4);
            y[i].qh[32 * half + l] |= (uint8_t)((q[j] >> 4) << (2 * quarter));
        }
    }
}

void quant_quantize(uint32_t type, const float *x, void *out, int n)
{
    switch (type) {
    case GGML_TYPE_F32: memcpy(out, x, (size_t)n * sizeof *x); break;
    case GGML_TYPE_F16: act_f16(x, out, n); break;
    case GGML_TYPE_BF16: act_bf16(x, out, n); break;
    case GGML_TYPE_Q8_0: act_q8_0(x, out, n); break;
    case GGML_TYPE_Q4_0: quant_q4_0(x, out, n / QK8_0); break;
    case GGML_TYPE_Q5_0: quant_q5_0(x, out, n / QK8_0); break;
    case GGML_TYPE_Q4_K: quant_q4_k(x, out, n / QK_K); break;
    case GGML_TYPE_Q5_K: quant_q5_k(x, out, n / QK_K); break;
    case GGML_TYPE_Q6_K: quant_q6_k(x, out, n / QK_K); break;
    default: break;
    }
}
