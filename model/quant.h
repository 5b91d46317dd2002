/*
** quant.h — the weight types the engine computes with, and the kernels that do it.
**
** A matrix-vector product over quantized weights first converts the activation
** vector to the format the weight type pairs with (quant_act_fmt): Q8_0 blocks for
** Q4_0, Q5_0 and Q8_0 weights, 256-wide Q8_K blocks (with sums of each 16) for the
** K-quants, BF16 for BF16; F16 and F32 weights take the f32 activation as it is. The
** dot product of a weight row and a converted activation is then taken in integers
** per block, scaled in floats, as the format intends.
**
**     const quant_kernels *k = quant_kernels_best();        // AVX2 when the CPU has it
**     k->act[quant_act_fmt(type)](x, xq, n);                 // once per activation
**     k->dot[type](n, row, xq, &out);                        // per weight row
**     k->dot4[type](n, row, row_bytes, xq, out);             // or four rows, if not NULL
**
** Two sets of kernels exist: the portable scalar ones, always there, and AVX2/FMA
** ones chosen at run time. Both convert activations to exactly the same bytes; dot
** products agree to rounding.
*/
#ifndef AUGUR_QUANT_H
#define AUGUR_QUANT_H

#include <stddef.h>
#include <stdint.h>

#include "model/gguf.h"

/* Activation formats (F16 serves the KV cache). */
enum quant_fmt { QFMT_F32, QFMT_F16, QFMT_BF16, QFMT_Q8_0, QFMT_Q8_K, QFMT_COUNT };

/* The dot product of n values: a weight row w of some type with an activation x
** already in that type's activation format. */
typedef void quant_dot_fn(int n, const void *w, const void *x, float *out);

/* The dot products of four weight rows, row_bytes apart from w, with one activation:
** out[0..4), each exactly what quant_dot_fn gives for its row alone. */
typedef void quant_dot4_fn(int n, const void *w, size_t row_bytes, const void *x, float *out);

/* Convert n floats to an activation format (n a multiple of its block). */
typedef void quant_act_fn(const float *x, void *out, int n);

typedef struct quant_kernels {
    const char   *name;                   /* "scalar", "avx2" */
    quant_dot_fn *dot[GGML_TYPE_COUNT];   /* NULL for a type the engine does not run */
    quant_dot4_fn *dot4[GGML_TYPE_COUNT]; /* NULL where four dot calls are as good */
    quant_act_fn *act[QFMT_COUNT];
    /* Attention over the KV cache: q·k for a key stored in f32 or f16, and
    ** y += a * v for a value row. */
    float (*dot_f32)(int n, const float *x, const float *y);
    float (*dot_f16)(int n, const float *x, const uint16_t *y);
    void  (*axpy_f32)(int n, float a, const float *x, float *y);
    void  (*axpy_f16)(int n, float a, const uint16_t *x, float *y);
    /* Read n bytes (a multiple of 128) as fast as the CPU can: the bandwidth probe. */
    uint64_t (*stream)(const void *p, size_t n);
} quant_kernels;

const quant_kernels *quant_kernels_scalar(void);
const quant_kernels *quant_kernels_avx2(void);   /* NULL when the CPU lacks AVX2, FMA, F16C */
const quant_kernels *quant_kernels_best(void);

/* Whether the engine computes with weights of type (F32, F16, BF16, Q8_0, Q4_0,
** Q5_0, Q4_K, Q5_K, Q6_K); "f32, f16, ..." for messages. */
int         quant_supported(uint32_t type);
const char *quant_supported_list(void);

/* The supported type named name ("q4_K", any case): 0, or -1 when there is none. */
int         quant_type_parse(const char *name, uint32_t *type);

enum quant_fmt quant_act_fmt(uint32_t type);
int    quant_fmt_block(enum quant_fmt f);          /* values per block */
size_t quant_fmt_bytes(enum quant_fmt f, int n);   /* bytes of n converted values */

/* Weights: n values (whole blocks of type) from floats and back. Quantizing
** rounds to nearest with one scale per block (and sub-block), for models the
** tools make; it is not tuned for quality. */
void quant_quantize(uint32_t type, const float *x, void *out, int n);
void quant_dequantize(uint32_t type, const void *w, float *out, int n);

/* Half-precision conversions of one value, rounding to nearest even. */
uint16_t quant_f32_to_f16(float f);
float    quant_f16_to_f32(uint16_t h);

#endif
