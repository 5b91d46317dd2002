/*
** engine_impl.h — the engine's insides, shared by engine.c (loading, the KV cache,
** memory) and forward.c (the forward pass). Private to model/.
*/
#ifndef AUGUR_ENGINE_IMPL_H
#define AUGUR_ENGINE_IMPL_H

#include <stdint.h>

#include "model/engine.h"
#include "model/tpool.h"
#include "model/quant.h"

enum arch { ARCH_LLAMA, ARCH_QWEN2MOE, ARCH_QWEN3MOE, ARCH_OLMOE, ARCH_GRANITEMOE };

/* A weight matrix in the mapping: rows of cols values of type; a 3-D expert tensor
** is n_mat such matrices, one after the other. rows 0: absent. */
typedef struct mat {
    const uint8_t *data;
    uint32_t       type;
    int            cols, rows, n_mat;
    size_t         row_bytes, mat_bytes;
} mat;

typedef struct layer {
    const float *attn_norm, *ffn_norm;     /* {width} */
    const float *q_norm, *k_norm;          /* olmoe {heads·head_k}, qwen3moe {head_k}; or NULL */
    const float *bq, *bk, *bv, *bo;        /* biases, or NULL */
    mat wq, wk, wv, wo;
    mat gate, up, down;                    /* dense FFN */
    mat router;                            /* ffn_gate_inp {width, experts} */
    mat gate_exps, up_exps, down_exps;     /* {width, ff_expert, experts}, down transposed */
    mat gate_sh, up_sh, down_sh;           /* qwen2moe's shared expert */
    mat sh_gate;                           /* ffn_gate_inp_shexp {width}: one row */
} layer;

/* An activation: rows of cols floats, and their conversions to the formats the
** weights that read it need, made once each. */
typedef struct act {
    const float *x;
    int          rows, cols;
    uint8_t     *q[QFMT_COUNT];
    size_t       cap[QFMT_COUNT];      /* bytes allocated */
    unsigned     ready;                /* bit f: q[f] holds the current rows */
} act;

/* One token's choice of experts in a layer. */
typedef struct route_pick {
    int   expert;
    float weight;
} route_pick;

struct engine {
    const gguf          *g;
    gguf                *owned;            /* g, when the engine opened it */
    void                *loaded;           /* the memory g reads, when the weights were loaded */
    size_t               loaded_len;
    engine_shape         shape;
    enum arch            arch;
    const quant_kernels *k;
    tpool                *pool;
    engine_routing       routing;

    /* hyperparameters the forward pass reads */
    float eps, rope_base, rope_scale;      /* rope_scale multiplies positions */
    int   n_rot, rope_neox, renorm;
    float embd_scale, resid_scale, logit_scale, attn_scale;

    mat          embd, output;
    const float *out_norm;
    layer       *layers;

    /* the KV cache: [layer][position][heads_kv · head] for keys, and for values */
    enum engine_kv kv;
    int            n_ctx, pos;
    void          *kcache, *vcache;
    size_t         kv_bytes;

    /* scratch for a batch of up to `batch` tokens */
    int         batch;
    float      *x, *xb, *q, *kx, *vx, *att, *hb, *moe, *shared, *router, *rope;
    float      *scores;                    /* [thread][n_ctx] */
    route_pick *picks;                     /* [batch][experts] */
    int        *n_picks;                   /* [batch] */
    int        *active;                    /* [experts]: the experts some token chose */
    float      *hidden;                    /* expert hidden rows, grouped by expert */
    float      *down;                      /* [rows][width]: down · each hidden row */
    int        *row_token;                 /* the token of each hidden row */
    float      *row_weight;
    int        *group;                     /* [experts + 1]: first hidden row of each expert */
    int         hidden_cap;
    int        *taken;                     /* [experts]: routing scratch */
    act         a_xb, a_att, a_hb, a_hidden;
    unsigned    fmts;                      /* the activation formats the weights need */

    /* routing statistics since the last reset: experts chosen and tokens, per layer */
    uint64_t *stat_experts, stat_tokens;
};

/* forward.c: tokens[n] (n <= batch) at positions pos.., logits as engine_eval. */
int  forward(engine *e, const int32_t *tokens, int n, float *logits, int all, augur_err *err);

/* forward.c: add the final hidden states of the last forward pass's T tokens, after
** the output norm, to sum[width]. */
void forward_hidden_add(engine *e, int T, float *sum);

/* forward.c: grow the expert hidden rows to hold rows; AUGUR_ENOMEM. */
int  forward_reserve(engine *e, int rows);

/* Room in a for rows of cols values in each format of the mask fmts. */
int  act_reserve(act *a, int rows, int cols, unsigned fmts);
void act_free(act *a);

#endif
