/*
** quant_impl.h — the block layouts of the weight types and activation formats, and
** the half-precision conversions, shared by the portable kernels (quant.c) and the
** AVX2 ones (quant_avx2.c). Private to model/.
**
** Layouts are ggml's, byte for byte, as gguf.md describes them: a block is packed
** with no padding, and blocks follow each other with no gaps, so a row of n values
** is n / block_size blocks.
*/
#ifndef AUGUR_QUANT_IMPL_H
#define AUGUR_QUANT_IMPL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "model/quant.h"

enum { QK8_0 = 32, QK_K = 256, K_SCALE_SIZE = 12 };

typedef struct blk_q8_0 {        /* 34 bytes: value = d * qs[j] */
    uint16_t d;
    int8_t   qs[QK8_0];
} blk_q8_0;

typedef struct blk_q4_0 {        /* 18 bytes: value j = ((qs[j] & 15) - 8) * d, j+16 from >> 4 */
    uint16_t d;
    uint8_t  qs[QK8_0 / 2];
} blk_q4_0;

typedef struct blk_q5_0 {        /* 22 bytes: as q4_0 with a fifth bit from qh, minus 16 */
    uint16_t d;
    uint8_t  qh[4];
    uint8_t  qs[QK8_0 / 2];
} blk_q5_0;

typedef struct blk_q4_k {        /* 144 bytes: eight 32-value sub-blocks, 6-bit scale and min */
    uint16_t d, dmin;
    uint8_t  scales[K_SCALE_SIZE];
    uint8_t  qs[QK_K / 2];
} blk_q4_k;

typedef struct blk_q5_k {        /* 176 bytes: q4_k with a fifth bit from qh */
    uint16_t d, dmin;
    uint8_t  scales[K_SCALE_SIZE];
    uint8_t  qh[QK_K / 8];
    uint8_t  qs[QK_K / 2];
} blk_q5_k;

typedef struct blk_q6_k {        /* 210 bytes: sixteen 16-value sub-blocks, int8 scales */
    uint8_t  ql[QK_K / 2];
    uint8_t  qh[QK_K / 4];
    int8_t   scales[QK_K / 16];
    uint16_t d;
} blk_q6_k;

typedef struct blk_q8_k {        /* the activation of K-quant products: 292 bytes */
    float    d;
    int8_t   qs[QK_K];
    int16_t  bsums[QK_K / 16];   /* sums of each 16 qs, for the mins */
} blk_q8_k;

_Static_assert(sizeof(blk_q8_0) == 34, "q8_0 block");
_Static_assert(sizeof(blk_q4_0) == 18, "q4_0 block");
_Static_assert(sizeof(blk_q5_0) == 22, "q5_0 block");
_Static_assert(sizeof(blk_q4_k) == 144, "q4_K block");
_Static_assert(sizeof(blk_q5_k) == 176, "q5_K block");
_Static_assert(sizeof(blk_q6_k) == 210, "q6_K block");
_Static_assert(sizeof(blk_q8_k) == 292, "q8_K block");

static inline float fp16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    uint32_t bits;
    float f;

    if (exp == 0) {                      /* zero and subnormals: mant * 2^-24 */
        f = (float)mant * (1.0f / 16777216.0f);
        return sign ? -f : f;
    }
    bits = sign | (exp == 31 ? 0x7f800000 | mant << 13 : (exp + 112) << 23 | mant << 13);
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* Round to nearest, ties to even, as the F16C instructions do. */
static inline uint16_t f32_to_fp16(float f)
{
    uint32_t x, sign, abs;

    memcpy(&x, &f, sizeof x);
    sign = (x >> 16) & 0x8000;
    abs = x & 0x7fffffff;
    if (abs > 0x7f800000)
        return (uint16_t)(sign | 0x7e00);
    if (abs >= 0x477ff000)               /* 65520 and above round to infinity */
        return (uint16_t)(sign | 0x7c00);
    if (abs < 0x38800000) {              /* below 2^-14: a subnormal in units of 2^-24 */
        float a;
        memcpy(&a, &abs, sizeof a);
        return (uint16_t)(sign | (uint32_t)nearbyintf(a * 16777216.0f));
    }
    return (uint16_t)(sign | (abs + 0xfff + ((abs >> 13) & 1) - (112u << 23)) >> 13);
}

static inline float bf16_to_f32(uint16_t h)
{
    uint32_t bits = (uint32_t)h << 16;
    float f;

    memcpy(&f, &bits, sizeof f);
    return f;
}

static inline uint16_t f32_to_bf16(float f)
{
    uint32_t x;

    memcpy(&x, &f, sizeof x);
    if ((x & 0x7fffffff) > 0x7f800000)
        return (uint16_t)((x >> 16) | 0x40);   /* keep a NaN a NaN */
    return (uint16_t)((x + 0x7fff + ((x >> 16) & 1)) >> 16);
}

/* The 6-bit scale and min of sub-block j of a q4_K or q5_K block. */
static inline void k_scale_min(const uint8_t *s, int j, int *sc, int *m)
{
    if (j < 4) {
        *sc = s[j] & 63;
        *m = s[j + 4] & 63;
    } else {
        *sc = (s[j + 4] & 0xF) | (s[j - 4] >> 6) << 4;
        *m = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
    }
}

/* The table of kernels: each file defines functions of these names; the four-row
** products (quant_kernels.dot4) are listed after the name, 0 for none. */
#define QUANT_KERNELS(NAME, ...) {                                                          \
    .name = NAME, .dot4 = { __VA_ARGS__ },                                                  \
    .dot = {                                                                                \
        [GGML_TYPE_F32] = dot_f32_f32, [GGML_TYPE_F16] = dot_f16_f32,                      \
        [GGML_TYPE_BF16] = dot_bf16_bf16, [GGML_TYPE_Q8_0] = dot_q8_0,                     \
        [GGML_TYPE_Q4_0] = dot_q4_0, [GGML_TYPE_Q5_0] = dot_q5_0,                          \
        [GGML_TYPE_Q4_K] = dot_q4_k, [GGML_TYPE_Q5_K] = dot_q5_k,                          \
        [GGML_TYPE_Q6_K] = dot_q6_k,                                                       \
    },                                                                                      \
    .act = {                                                                                \
        [QFMT_F32] = act_f32, [QFMT_F16] = act_f16, [QFMT_BF16] = act_bf16,                \
        [QFMT_Q8_0] = act_q8_0, [QFMT_Q8_K] = act_q8_k,                                    \
    },                                                                                      \
    .dot_f32 = attn_dot_f32, .dot_f16 = attn_dot_f16,                                      \
    .axpy_f32 = attn_axpy_f32, .axpy_f16 = attn_axpy_f16, .stream = stream_read,            \
}

#endif
