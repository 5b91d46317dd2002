/*
** forward.c — the forward pass, top to bottom.
**
** Shapes in the comments: T tokens in the batch, d the width, H query heads and
** Hkv key/value heads of hk (keys) and hv (values) dimensions, E experts of which
** a token takes n, ff the FFN width, V the vocabulary. A weight {cols, rows} is
** stored as rows rows of cols values (ggml's order), so y = W·x is a dot product per
** row; each such product first converts x to the weight type's activation format.
**
**     forward
**       x[T][d] = embedding rows of the tokens (× embedding scale: granite)
**       for each layer:
**         attention:  x += residual scale × Wo · attention(rmsnorm(x))
**         ffn:        x += residual scale × (dense FFN | mixture of experts)(rmsnorm(x))
**       logits[V] = output · rmsnorm(x) (÷ logit scale: granite)
**
** Every output value is computed by one thread, by the same arithmetic in the same
** order whatever the thread count or the batch: a token's experts are summed in
** expert order, its attention over positions in order.
*/
#include "model/engine_impl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- small pieces ---------------------------------------------------------------------- */

/* out[n] = x / sqrt(mean(x²) + eps) * w */
static void rmsnorm(float *out, const float *x, const float *w, int n, float eps)
{
    double ss = 0;
    float scale;

    for (int i = 0; i < n; i++)
        ss += (double)x[i] * x[i];
    scale = 1.0f / sqrtf((float)(ss / n) + eps);
    for (int i = 0; i < n; i++)
        out[i] = x[i] * scale * w[i];
}

static void softmax(float *x, int n)
{
    float max = x[0];
    double sum = 0;
    float inv;

    for (int i = 1; i < n; i++)
        max = fmaxf(max, x[i]);
    for (int i = 0; i < n; i++) {
        x[i] = expf(x[i] - max);
        sum += x[i];
    }
    inv = (float)(1.0 / sum);
    for (int i = 0; i < n; i++)
        x[i] *= inv;
}

static float silu(float x)
{
    return x / (1.0f + expf(-x));
}

/* Rotate the first n_rot dims of each of the heads of v: pairs (2i, 2i+1) for
** NORM, (i, i + n_rot/2) for NEOX, by the angles whose cos, sin cs holds. */
static void rope(float *v, int heads, int head_dim, int n_rot, int neox, const float *cs)
{
    for (int h = 0; h < heads; h++) {
        float *x = v + (size_t)h * head_dim;
        for (int i = 0; i < n_rot / 2; i++) {
            int a = neox ? i : 2 * i, b = neox ? i + n_rot / 2 : 2 * i + 1;
            float x0 = x[a], x1 = x[b], c = cs[2 * i], s = cs[2 * i + 1];
            x[a] = x0 * c - x1 * s;
            x[b] = x0 * s + x1 * c;
        }
    }
}

/* ---- activations --------------------------------------------------------------------- */

int act_reserve(act *a, int rows, int cols, unsigned fmts)
{
    for (int f = 0; f < QFMT_COUNT; f++) {
        size_t need = (size_t)rows * quant_fmt_bytes((enum quant_fmt)f, cols);
        uint8_t *bigger;
        if (!(fmts >> f & 1) || a->cap[f] >= need)
            continue;
        if (!(bigger = realloc(a->q[f], need)))
            return AUGUR_ENOMEM;
        a->q[f] = bigger;
        a->cap[f] = need;
    }
    return AUGUR_OK;
}

void act_free(act *a)
{
    for (int f = 0; f < QFMT_COUNT; f++)
        free(a->q[f]);
    memset(a, 0, sizeof *a);
}

static void act_set(act *a, const float *x, int rows, int cols)
{
    a->x = x;
    a->rows = rows;
    a->cols = cols;
    a->ready = 0;
}

enum { ACT_PARALLEL = 1 << 16 };   /* values below which a conversion runs on one thread */

typedef struct act_job {
    const engine *e;
    act          *a;
    int           fmt;
} act_job;

static void act_rows(void *ctx, int lo, int hi, int thread)
{
    act_job *j = ctx;
    size_t row = quant_fmt_bytes((enum quant_fmt)j->fmt, j->a->cols);

    (void)thread;
    for (int r = lo; r < hi; r++)
        j->e->k->act[j->fmt](j->a->x + (size_t)r * j->a->cols, j->a->q[j->fmt] + r * row,
                             j->a->cols);
}

/* The rows of a in the activation format of weight type, converted on first use (f32
** weights read the rows as they are). */
static const uint8_t *act_get(engine *e, act *a, uint32_t type)
{
    enum quant_fmt f = quant_act_fmt(type);

    if (f == QFMT_F32)
        return (const uint8_t *)a->x;
    if (!(a->ready >> f & 1)) {
        act_job j = { e, a, f };
        /* a few rows take microseconds: not worth waking the pool for */
        if ((size_t)a->rows * (size_t)a->cols < ACT_PARALLEL)
            act_rows(&j, 0, a->rows, 0);
        else
            tpool_for(e->pool, a->rows, 4, act_rows, &j);
        a->ready |= 1u << f;
    }
    return a->q[f];
}

/* ---- matrix products ------------------------------------------------------------------- */

/* Row r of matrix `expert` of w. */
static const uint8_t *mat_row(const mat *w, int expert, int r)
{
    return w->data + (size_t)expert * w->mat_bytes + (size_t)r * w->row_bytes;
}

/* out[t][r] = W[r] · x[t]: one matrix (an expert's, for a 3-D tensor) of a product. */
typedef struct mm_part {
    const mat     *w;
    int            expert;
    float         *out;
    int            stride;           /* floats between the rows of out */
    const uint8_t *xq;               /* x in w's activation format */
    size_t         xq_row;
} mm_part;

typedef struct mm_job {
    const engine *e;
    mm_part       part[3];
    int           n_parts, T;
} mm_job;

/* out[0..nr) = rows row.. (nr of them, at most 4) of w · x, each row's result the same
** whichever kernel computes it. Four at a time where the kernels can and the rows
** serve several tokens (a prompt): that is compute-bound, and the four-row kernel
** does more per activation load. One token's product is bound by memory, which the
** row-at-a-time kernel streams at least as fast. */
static void dot_rows(const quant_kernels *k, const mat *w, const uint8_t *row, int nr,
                     int tokens, const uint8_t *x, float *out)
{
    if (nr == 4 && tokens > 1 && k->dot4[w->type]) {
        k->dot4[w->type](w->cols, row, w->row_bytes, x, out);
        return;
    }
    for (int i = 0; i < nr; i++)
        k->dot[w->type](w->cols, row + i * w->row_bytes, x, &out[i]);
}

/* Rows are taken four at a time within a part, each group against every token. */
static void mm_rows(void *ctx, int lo, int hi, int thread)
{
    mm_job *j = ctx;

    (void)thread;
    for (int r = lo, nr; r < hi; r += nr) {
        const mm_part *p = j->part;
        int rr = r;
        while (rr >= p->w->rows)
            rr -= p++->w->rows;
        nr = hi - r < 4 ? hi - r : 4;
        if (nr > p->w->rows - rr)
            nr = p->w->rows - rr;
        const uint8_t *row = mat_row(p->w, p->expert, rr);
        for (int t = 0; t < j->T; t++)
            dot_rows(j->e->k, p->w, row, nr, j->T, p->xq + t * p->xq_row,
                     &p->out[(size_t)t * p->stride + rr]);
    }
}

/* The shortest piece of a loop over rows: the pool hands out long runs first and
** pieces this short at the end, where the threads must come out even. */
static int row_chunk(const engine *e, int rows)
{
    int c = rows / (tpool_threads(e->pool) * 16);
    return c < 1 ? 1 : c > 64 ? 64 : c;
}

static void mm_add(engine *e, mm_job *j, act *x, const mat *w, float *out, int stride)
{
    mm_part *p = &j->part[j->n_parts++];

    p->w = w;
    p->expert = 0;
    p->out = out;
    p->stride = stride;
    p->xq = act_get(e, x, w->type);
    p->xq_row = quant_fmt_bytes(quant_act_fmt(w->type), w->cols);
    j->T = x->rows;
}

/* The products queued in j, their rows split across the threads. */
static void mm_run(engine *e, mm_job *j)
{
    int rows = 0;

    for (int i = 0; i < j->n_parts; i++)
        rows += j->part[i].w->rows;
    tpool_for(e->pool, rows, row_chunk(e, rows), mm_rows, j);
}

/* out[T][w.rows] = W · x */
static void matmul(engine *e, act *x, const mat *w, float *out)
{
    mm_job j = { e, { { 0 } }, 0, 0 };

    mm_add(e, &j, x, w, out, w->rows);
    mm_run(e, &j);
}

/* ---- attention --------------------------------------------------------------------------- */

typedef struct attn_job {
    engine *e;
    int     layer, T;
} attn_job;

/* att[t][h] = Σ_p softmax_p(q[t][h] · k[p][h'] · scale) v[p][h'] over p ≤ pos + t, with h'
** the key/value head that query head h shares (h / (H / Hkv)). */
static void attn_heads(void *ctx, int lo, int hi, int thread)
{
    attn_job *j = ctx;
    engine *e = j->e;
    const engine_shape *s = &e->shape;
    int kdim = s->heads_kv * s->head_k, vdim = s->heads_kv * s->head_v;
    int group = s->heads / s->heads_kv;
    size_t kv_elem = e->kv == ENGINE_KV_F16 ? 2 : 4;
    const uint8_t *kc = (const uint8_t *)e->kcache + (size_t)j->layer * e->n_ctx * kdim * kv_elem;
    const uint8_t *vc = (const uint8_t *)e->vcache + (size_t)j->layer * e->n_ctx * vdim * kv_elem;
    float *sc = e->scores + (size_t)thread * e->n_ctx;

    for (int i = lo; i < hi; i++) {
        int t = i / s->heads, h = i % s->heads, kvh = h / group, n = e->pos + t + 1;
        const float *q = e->q + ((size_t)t * s->heads + h) * s->head_k;
        float *out = e->att + ((size_t)t * s->heads + h) * s->head_v;
        for (int p = 0; p < n; p++) {
            const void *k = kc + ((size_t)p * kdim + (size_t)kvh * s->head_k) * kv_elem;
            sc[p] = (e->kv == ENGINE_KV_F16 ? e->k->dot_f16(s->head_k, q, k)
                                            : e->k->dot_f32(s->head_k, q, k)) * e->attn_scale;
        }
        softmax(sc, n);
        memset(out, 0, (size_t)s->head_v * sizeof *out);
        for (int p = 0; p < n; p++) {
            const void *v = vc + ((size_t)p * vdim + (size_t)kvh * s->head_v) * kv_elem;
            if (e->kv == ENGINE_KV_F16)
                e->k->axpy_f16(s->head_v, sc[p], v, out);
            else
                e->k->axpy_f32(s->head_v, sc[p], v, out);
        }
    }
}

/* Write row[n] at position pos of a cache of rows of n values. */
static void kv_store(engine *e, void *cache, size_t at, const float *row, int n)
{
    if (e->kv == ENGINE_KV_F16)
        e->k->act[QFMT_F16](row, (uint16_t *)cache + at, n);
    else
        memcpy((float *)cache + at, row, (size_t)n * sizeof *row);
}

static void add_bias(float *x, const float *b, int T, int n)
{
    for (int t = 0; b && t < T; t++)
        for (int i = 0; i < n; i++)
            x[(size_t)t * n + i] += b[i];
}

/* x[T][d] += residual scale × Wo · attention(rmsnorm(x) × attn_norm) */
static void attention(engine *e, int l, int T)
{
    const engine_shape *s = &e->shape;
    const layer *L = &e->layers[l];
    int d = s->width, qdim = s->heads * s->head_k, kdim = s->heads_kv * s->head_k;
    int vdim = s->heads_kv * s->head_v, odim = s->heads * s->head_v;
    mm_job j = { e, { { 0 } }, 0, 0 };

    /* xb[T][d] = rmsnorm(x) × attn_norm */
    for (int t = 0; t < T; t++)
        rmsnorm(e->xb + (size_t)t * d, e->x + (size_t)t * d, L->attn_norm, d, e->eps);
    act_set(&e->a_xb, e->xb, T, d);

    /* q[T][H·hk] = Wq·xb, k[T][Hkv·hk] = Wk·xb, v[T][Hkv·hv] = Wv·xb, plus biases */
    mm_add(e, &j, &e->a_xb, &L->wq, e->q, qdim);
    mm_add(e, &j, &e->a_xb, &L->wk, e->kx, kdim);
    mm_add(e, &j, &e->a_xb, &L->wv, e->vx, vdim);
    mm_run(e, &j);
    add_bias(e->q, L->bq, T, qdim);
    add_bias(e->kx, L->bk, T, kdim);
    add_bias(e->vx, L->bv, T, vdim);

    for (int t = 0; t < T; t++) {
        float *q = e->q + (size_t)t * qdim, *k = e->kx + (size_t)t * kdim;
        /* q/k norms: olmoe over the whole projected vector, qwen3moe per head */
        if (e->arch == ARCH_OLMOE) {
            rmsnorm(q, q, L->q_norm, qdim, e->eps);
            rmsnorm(k, k, L->k_norm, kdim, e->eps);
        } else if (L->q_norm) {
            for (int h = 0; h < s->heads; h++)
                rmsnorm(q + h * s->head_k, q + h * s->head_k, L->q_norm, s->head_k, e->eps);
            for (int h = 0; h < s->heads_kv; h++)
                rmsnorm(k + h * s->head_k, k + h * s->head_k, L->k_norm, s->head_k, e->eps);
        }
        /* rotary embedding at position pos + t */
        rope(q, s->heads, s->head_k, e->n_rot, e->rope_neox, e->rope + (size_t)t * e->n_rot);
        rope(k, s->heads_kv, s->head_k, e->n_rot, e->rope_neox, e->rope + (size_t)t * e->n_rot);
        /* the cache: k[l][pos+t][Hkv·hk], v[l][pos+t][Hkv·hv] */
        kv_store(e, e->kcache, ((size_t)l * e->n_ctx + e->pos + t) * kdim, k, kdim);
        kv_store(e, e->vcache, ((size_t)l * e->n_ctx + e->pos + t) * vdim,
                 e->vx + (size_t)t * vdim, vdim);
    }

    /* att[T][H·hv]: each (token, head) pair on its own */
    attn_job aj = { e, l, T };
    tpool_for(e->pool, T * s->heads, 1, attn_heads, &aj);

    /* x += residual scale × (Wo·att + bo) */
    act_set(&e->a_att, e->att, T, odim);
    matmul(e, &e->a_att, &L->wo, e->moe);
    add_bias(e->moe, L->bo, T, d);
    for (size_t i = 0; i < (size_t)T * d; i++)
        e->x[i] += e->resid_scale * e->moe[i];
}

/* ---- feed-forward ---------------------------------------------------------------------- */

/* hb[t][r] = silu(gate[r]·x[t]) × (up[r]·x[t]), for rows of a dense FFN or of one
** expert; the tokens of an expert are the hidden rows rows[0..n). */
typedef struct ffn_job {
    const engine  *e;
    const mat     *gate, *up;
    const uint8_t *xg, *xu;          /* x in gate's and up's activation formats */
    size_t         xg_row, xu_row;
    float         *hb;
    int            ff, T;
    /* experts: the active experts, and where their rows are */
    const int     *active;
    int            n_active;
} ffn_job;

/* hb[t][r..r+nr) for nr rows (at most 4) of one expert (0 when dense) and token t. */
static void gate_up_rows(const ffn_job *j, int expert, int r, int nr, int tokens, int t,
                         float *out)
{
    const mat *g = j->gate, *u = j->up;
    float a[4], b[4];

    dot_rows(j->e->k, g, mat_row(g, expert, r), nr, tokens, j->xg + t * j->xg_row, a);
    dot_rows(j->e->k, u, mat_row(u, expert, r), nr, tokens, j->xu + t * j->xu_row, b);
    for (int i = 0; i < nr; i++)
        out[i] = silu(a[i]) * b[i];
}

static void ffn_dense_rows(void *ctx, int lo, int hi, int thread)
{
    const ffn_job *j = ctx;

    (void)thread;
    for (int r = lo, nr; r < hi; r += nr) {
        nr = hi - r < 4 ? hi - r : 4;
        for (int t = 0; t < j->T; t++)
            gate_up_rows(j, 0, r, nr, j->T, t, &j->hb[(size_t)t * j->ff + r]);
    }
}

/* Items are (active expert, row) pairs; the expert's hidden rows hold its tokens. */
static void ffn_expert_rows(void *ctx, int lo, int hi, int thread)
{
    const ffn_job *j = ctx;
    const engine *e = j->e;

    (void)thread;
    for (int i = lo, nr; i < hi; i += nr) {
        int ex = j->active[i / j->ff], r = i % j->ff;
        nr = hi - i < 4 ? hi - i : 4;
        if (nr > j->ff - r)
            nr = j->ff - r;
        for (int row = e->group[ex]; row < e->group[ex + 1]; row++)
            gate_up_rows(j, ex, r, nr, e->group[ex + 1] - e->group[ex], e->row_token[row],
                         &j->hb[(size_t)row * j->ff + r]);
    }
}

static void ffn_job_init(ffn_job *j, engine *e, act *x, const mat *gate, const mat *up, float *hb)
{
    memset(j, 0, sizeof *j);
    j->e = e;
    j->gate = gate;
    j->up = up;
    j->xg = act_get(e, x, gate->type);
    j->xu = act_get(e, x, up->type);
    j->xg_row = quant_fmt_bytes(quant_act_fmt(gate->type), gate->cols);
    j->xu_row = quant_fmt_bytes(quant_act_fmt(up->type), up->cols);
    j->hb = hb;
    j->ff = gate->rows;
    j->T = x->rows;
}

/* out[T][d] = down · (silu(gate·x) ⊙ up·x) */
static void ffn_dense(engine *e, act *x, const mat *gate, const mat *up, const mat *down,
                      float *out)
{
    ffn_job j;

    ffn_job_init(&j, e, x, gate, up, e->hb);
    tpool_for(e->pool, j.ff, row_chunk(e, j.ff), ffn_dense_rows, &j);
    act_set(&e->a_hb, e->hb, x->rows, j.ff);
    matmul(e, &e->a_hb, down, out);
}

/* Token t's experts from its router logits lg[E] (softmaxed in place), by the
** routing mode: picks[n] of (expert, weight); returns n. */
static int route(engine *e, float *lg, route_pick *picks)
{
    const engine_routing *r = &e->routing;
    int E = e->shape.experts, k = r->k > 0 ? r->k : e->shape.experts_used, n = 0;
    int max = r->max_experts > 0 && r->max_experts < E ? r->max_experts : E;
    double cum = 0;
    float sum = 0;

    softmax(lg, E);
    memset(e->taken, 0, (size_t)E * sizeof *e->taken);
    if (r->mode != ROUTE_TOP_P)
        max = k < E ? k : E;
    while (n < max) {
        int best = -1;
        /* the most probable expert not yet taken (the lower index on a tie) */
        for (int i = 0; i < E; i++)
            if (!e->taken[i] && (best < 0 || lg[i] > lg[best]))
                best = i;
        if (r->mode == ROUTE_TOP_P && n >= r->min_experts && r->p < 1 && cum > r->p)
            break;
        if (r->mode == ROUTE_SKIP && n > 0 && lg[best] < (float)r->beta * picks[0].weight)
            break;
        e->taken[best] = 1;
        picks[n].expert = best;
        picks[n++].weight = lg[best];
        cum += lg[best];
    }
    for (int i = 0; i < n; i++)
        sum += picks[i].weight;
    for (int i = 0; e->renorm && i < n; i++)
        picks[i].weight /= sum;
    return n;
}

/* Route every token, then lay out the hidden rows grouped by expert (tokens in
** order within each): group[ex]..group[ex+1] are expert ex's rows. */
static int route_batch(engine *e, int l, int T, int *active, int *n_active)
{
    int E = e->shape.experts, rows = 0;

    memset(e->group, 0, (size_t)(E + 1) * sizeof *e->group);
    for (int t = 0; t < T; t++) {
        route_pick *p = e->picks + (size_t)t * E;
        e->n_picks[t] = route(e, e->router + (size_t)t * E, p);
        for (int i = 0; i < e->n_picks[t]; i++)
            e->group[p[i].expert + 1]++;
        rows += e->n_picks[t];
        e->stat_experts[l] += (uint64_t)e->n_picks[t];
    }
    if (forward_reserve(e, rows) != AUGUR_OK)
        return AUGUR_ENOMEM;
    *n_active = 0;
    for (int ex = 0; ex < E; ex++) {
        if (e->group[ex + 1] > 0)
            active[(*n_active)++] = ex;
        e->group[ex + 1] += e->group[ex];
        e->taken[ex] = e->group[ex];          /* the next free row of expert ex */
    }
    for (int t = 0; t < T; t++)
        for (int i = 0; i < e->n_picks[t]; i++) {
            const route_pick *p = &e->picks[(size_t)t * E + i];
            int row = e->taken[p->expert]++;
            e->row_token[row] = t;
            e->row_weight[row] = p->weight;
        }
    return AUGUR_OK;
}

/* Items are (active expert, output row r) pairs, an expert's rows side by side in
** memory: down[row][r] = down_ex[r] · hidden[row] for each of the expert's hidden rows. */
typedef struct down_job {
    const engine  *e;
    const mat     *w;
    const uint8_t *hq;
    size_t         hq_row;
    const int     *active;
} down_job;

static void ffn_down_rows(void *ctx, int lo, int hi, int thread)
{
    const down_job *j = ctx;
    const engine *e = j->e;
    int d = j->w->rows;

    (void)thread;
    for (int i = lo, nr; i < hi; i += nr) {
        int ex = j->active[i / d], r = i % d, n = e->group[ex + 1] - e->group[ex];
        const uint8_t *row = mat_row(j->w, ex, r);
        nr = hi - i < 4 ? hi - i : 4;
        if (nr > d - r)
            nr = d - r;
        for (int h = e->group[ex]; h < e->group[ex + 1]; h++)
            dot_rows(e->k, j->w, row, nr, n, j->hq + h * j->hq_row, &e->down[(size_t)h * d + r]);
    }
}

/* moe[T][d] = Σ over each token's experts of weight × expert(x), plus qwen2moe's
** shared expert × sigmoid(x · gate_inp_shexp). */
static int ffn_moe(engine *e, const layer *L, int l, act *x, float *moe)
{
    const engine_shape *s = &e->shape;
    int T = x->rows, d = s->width, n_active, *active = e->active;
    ffn_job j;
    down_job dj;

    /* router[T][E] = router · x; picks and the hidden rows grouped by expert */
    matmul(e, x, &L->router, e->router);
    if (route_batch(e, l, T, active, &n_active) != AUGUR_OK)
        return AUGUR_ENOMEM;

    /* hidden[row][ff] = silu(gate_ex · x[t]) ⊙ (up_ex · x[t]) for each expert's rows */
    ffn_job_init(&j, e, x, &L->gate_exps, &L->up_exps, e->hidden);
    j.active = active;
    j.n_active = n_active;
    tpool_for(e->pool, n_active * j.ff, row_chunk(e, n_active * j.ff), ffn_expert_rows, &j);

    /* down[row][d] = down_ex · hidden[row]: each expert's matrix read in long runs,
    ** then moe[t] = Σ_ex weight · down[row of t], in the order of the experts */
    act_set(&e->a_hidden, e->hidden, e->group[s->experts], j.ff);
    dj.e = e;
    dj.w = &L->down_exps;
    dj.hq = act_get(e, &e->a_hidden, L->down_exps.type);
    dj.hq_row = quant_fmt_bytes(quant_act_fmt(L->down_exps.type), L->down_exps.cols);
    dj.active = active;
    tpool_for(e->pool, n_active * d, row_chunk(e, n_active * d), ffn_down_rows, &dj);
    memset(moe, 0, (size_t)T * d * sizeof *moe);
    for (int a = 0; a < n_active; a++)
        for (int h = e->group[active[a]]; h < e->group[active[a] + 1]; h++) {
            float *out = moe + (size_t)e->row_token[h] * d, w = e->row_weight[h];
            const float *y = e->down + (size_t)h * d;
            for (int i = 0; i < d; i++)
                out[i] += w * y[i];
        }

    if (L->gate_sh.rows) {
        /* shared[T][d] = down_sh · (silu(gate_sh·x) ⊙ up_sh·x), gated per token */
        float *shared = e->shared, *gate = e->router;   /* the routing is done with it */
        ffn_dense(e, x, &L->gate_sh, &L->up_sh, &L->down_sh, shared);
        matmul(e, x, &L->sh_gate, gate);
        for (int t = 0; t < T; t++) {
            float g = 1.0f / (1.0f + expf(-gate[t]));
            for (int i = 0; i < d; i++)
                moe[(size_t)t * d + i] += g * shared[(size_t)t * d + i];
        }
    }
    return AUGUR_OK;
}

/* x[T][d] += residual scale × ffn(rmsnorm(x) × ffn_norm) */
static int feed_forward(engine *e, int l, int T)
{
    const layer *L = &e->layers[l];
    int d = e->shape.width;

    for (int t = 0; t < T; t++)
        rmsnorm(e->xb + (size_t)t * d, e->x + (size_t)t * d, L->ffn_norm, d, e->eps);
    act_set(&e->a_xb, e->xb, T, d);
    if (L->router.rows) {
        if (ffn_moe(e, L, l, &e->a_xb, e->moe) != AUGUR_OK)
            return AUGUR_ENOMEM;
    } else {
        ffn_dense(e, &e->a_xb, &L->gate, &L->up, &L->down, e->moe);
    }
    for (size_t i = 0; i < (size_t)T * d; i++)
        e->x[i] += e->resid_scale * e->moe[i];
    return AUGUR_OK;
}

/* ---- the whole pass ------------------------------------------------------------------- */

/* cos and sin of θ_i = position × rope scale × base^(−2i/n_rot), for each token */
static void rope_angles(engine *e, int T)
{
    for (int t = 0; t < T; t++)
        for (int i = 0; i < e->n_rot / 2; i++) {
            double theta = (double)(e->pos + t) * e->rope_scale *
                           pow(e->rope_base, -2.0 * i / e->n_rot);
            e->rope[(size_t)t * e->n_rot + 2 * i] = (float)cos(theta);
            e->rope[(size_t)t * e->n_rot + 2 * i + 1] = (float)sin(theta);
        }
}

int forward(engine *e, const int32_t *tokens, int T, float *logits, int all, augur_err *err)
{
    const engine_shape *s = &e->shape;
    int d = s->width, first = all ? 0 : T - 1, rows = all ? T : 1;

    /* x[T][d] = token_embd[token] × embedding scale */
    for (int t = 0; t < T; t++) {
        float *x = e->x + (size_t)t * d;
        quant_dequantize(e->embd.type, e->embd.data + (size_t)tokens[t] * e->embd.row_bytes, x, d);
        for (int i = 0; e->embd_scale != 1 && i < d; i++)
            x[i] *= e->embd_scale;
    }
    rope_angles(e, T);

    for (int l = 0; l < s->layers; l++) {
        attention(e, l, T);
        if (feed_forward(e, l, T) != AUGUR_OK)
            return augur_err_set(err, AUGUR_ENOMEM, "engine: out of memory for the experts of "
                                 "%d tokens", T);
    }
    e->stat_tokens += (uint64_t)T;
    e->pos += T;
    if (!logits)
        return AUGUR_OK;

    /* logits[rows][V] = output · (rmsnorm(x) × output_norm) × (1 / logit scale) */
    for (int t = 0; t < rows; t++)
        rmsnorm(e->xb + (size_t)t * d, e->x + (size_t)(first + t) * d, e->out_norm, d, e->eps);
    act_set(&e->a_xb, e->xb, rows, d);
    matmul(e, &e->a_xb, &e->output, logits);
    for (size_t i = 0; e->logit_scale != 1 && i < (size_t)rows * s->vocab; i++)
        logits[i] *= 1.0f / e->logit_scale;
    return AUGUR_OK;
}

void forward_hidden_add(engine *e, int T, float *sum)
{
    int d = e->shape.width;

    for (int t = 0; t < T; t++) {
        rmsnorm(e->xb, e->x + (size_t)t * d, e->out_norm, d, e->eps);
        for (int i = 0; i < d; i++)
            sum[i] += e->xb[i];
    }
}

int forward_reserve(engine *e, int rows)
{
    int ff = e->shape.ff_expert;
    float *hidden, *down, *weight;
    int *token;

    if (rows <= e->hidden_cap)
        return AUGUR_OK;
    if (!(hidden = realloc(e->hidden, (size_t)rows * ff * sizeof *hidden)))
        return AUGUR_ENOMEM;
    e->hidden = hidden;
    if (!(down = realloc(e->down, (size_t)rows * e->shape.width * sizeof *down)))
        return AUGUR_ENOMEM;
    e->down = down;
    if (!(token = realloc(e->row_token, (size_t)rows * sizeof *token)))
        return AUGUR_ENOMEM;
    e->row_token = token;
    if (!(weight = realloc(e->row_weight, (size_t)rows * sizeof *weight)))
        return AUGUR_ENOMEM;
    e->row_weight = weight;
    if (act_reserve(&e->a_hidden, rows, ff, e->fmts) != AUGUR_OK)
        return AUGUR_ENOMEM;
    e->hidden_cap = rows;
    return AUGUR_OK;
}
