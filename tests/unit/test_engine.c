/* test_engine.c — the engine on synthesized models: against a reference forward pass
** written here from gguf.md in double precision (every architecture, every weight
** type, both kernel sets), batches against one token at a time, the KV cache,
** thread counts, routing modes, and refused models. */
#include "test.h"

#include "base/file.h"
#include "model/engine.h"
#include "model/gguf.h"
#include "model/quant.h"
#include "model/sample.h"
#include "model/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { T = 12, MAX_T = 24 };

static char *dir;
static const int32_t tokens[MAX_T] = { 1, 17, 300, 42, 5, 260, 99, 3, 7, 311, 128, 64,
                                       200, 8, 19, 250, 2, 77, 101, 31, 160, 14, 270, 55 };

/* ---- a reference forward pass, from the specification -------------------------------- */

/* The values of tensor name as doubles (NULL when absent); *n gets their count. */
static double *ref_tensor(const gguf *g, const char *name)
{
    const gguf_tensor *t = gguf_tensor_find(g, name);
    float *f;
    double *d;

    if (!t)
        return NULL;
    f = malloc(t->n_elements * sizeof *f);
    d = malloc(t->n_elements * sizeof *d);
    quant_dequantize(t->type, t->data, f, (int)t->n_elements);
    for (uint64_t i = 0; i < t->n_elements; i++)
        d[i] = f[i];
    free(f);
    return d;
}

static double *ref_layer_tensor(const gguf *g, int l, const char *name)
{
    char full[96];
    snprintf(full, sizeof full, "blk.%d.%s", l, name);
    return ref_tensor(g, full);
}

/* y[rows] = W x, W stored as rows of cols values. */
static void ref_matvec(const double *w, const double *x, double *y, int cols, int rows)
{
    for (int r = 0; r < rows; r++) {
        double s = 0;
        for (int c = 0; c < cols; c++)
            s += w[(size_t)r * cols + c] * x[c];
        y[r] = s;
    }
}

static void ref_rmsnorm(double *x, const double *w, int n, double eps)
{
    double ss = 0;
    for (int i = 0; i < n; i++)
        ss += x[i] * x[i];
    ss = 1 / sqrt(ss / n + eps);
    for (int i = 0; i < n; i++)
        x[i] *= ss * w[i];
}

static double ref_silu(double x)
{
    return x / (1 + exp(-x));
}

static void ref_rope(double *v, int heads, int hd, int pos, int neox, double base)
{
    for (int h = 0; h < heads; h++)
        for (int i = 0; i < hd / 2; i++) {
            double th = pos * pow(base, -2.0 * i / hd), c = cos(th), s = sin(th);
            double *x = v + h * hd;
            int a = neox ? i : 2 * i, b = neox ? i + hd / 2 : 2 * i + 1;
            double x0 = x[a], x1 = x[b];
            x[a] = x0 * c - x1 * s;
            x[b] = x0 * s + x1 * c;
        }
}

/* The hyperparameters, read here on their own from the metadata. */
typedef struct ref_model {
    const gguf *g;
    char   arch[32];
    int    granite, olmoe, qwen3, qwen2, neox, renorm;
    int    d, L, H, Hkv, hd, E, K, V;
    double eps, base, embd_scale, resid, logit_scale, att_scale;
} ref_model;

static double meta(const ref_model *m, const char *key, double dflt)
{
    char full[96];
    snprintf(full, sizeof full, "%s.%s", m->arch, key);
    return gguf_find_float(m->g, full, dflt);
}

static void ref_model_read(ref_model *m, const gguf *g)
{
    gguf_str a = gguf_find_str(g, "general.architecture");

    m->g = g;
    snprintf(m->arch, sizeof m->arch, "%.*s", (int)a.len, a.ptr);
    m->granite = strcmp(m->arch, "granitemoe") == 0;
    m->olmoe = strcmp(m->arch, "olmoe") == 0;
    m->qwen3 = strcmp(m->arch, "qwen3moe") == 0;
    m->qwen2 = strcmp(m->arch, "qwen2moe") == 0;
    m->neox = m->olmoe || m->qwen3 || m->qwen2;
    m->renorm = !m->olmoe && !m->qwen2;
    m->d = (int)meta(m, "embedding_length", 0);
    m->L = (int)meta(m, "block_count", 0);
    m->H = (int)meta(m, "attention.head_count", 0);
    m->Hkv = (int)meta(m, "attention.head_count_kv", m->H);
    m->hd = m->d / m->H;
    m->E = (int)meta(m, "expert_count", 0);
    m->K = (int)meta(m, "expert_used_count", 0);
    m->V = (int)gguf_tensor_find(g, "token_embd.weight")->ne[1];
    m->eps = meta(m, "attention.layer_norm_rms_epsilon", 1e-5);
    m->base = meta(m, "rope.freq_base", 10000);
    m->embd_scale = m->granite ? meta(m, "embedding_scale", 1) : 1;
    m->resid = m->granite ? meta(m, "residual_scale", 1) : 1;
    m->logit_scale = m->granite ? meta(m, "logit_scale", 1) : 1;
    m->att_scale = m->granite ? meta(m, "attention.scale", 0) : 1 / sqrt(m->hd);
}

/* x[n][d] += resid × Wo · attention(rmsnorm(x)) over all n positions, causally. */
static void ref_attention(const ref_model *m, int l, double *x, int n)
{
    int d = m->d, H = m->H, Hkv = m->Hkv, hd = m->hd;
    double *an = ref_layer_tensor(m->g, l, "attn_norm.weight");
    double *wq = ref_layer_tensor(m->g, l, "attn_q.weight");
    double *wk = ref_layer_tensor(m->g, l, "attn_k.weight");
    double *wv = ref_layer_tensor(m->g, l, "attn_v.weight");
    double *wo = ref_layer_tensor(m->g, l, "attn_output.weight");
    double *bq = ref_layer_tensor(m->g, l, "attn_q.bias");
    double *bk = ref_layer_tensor(m->g, l, "attn_k.bias");
    double *bv = ref_layer_tensor(m->g, l, "attn_v.bias");
    double *qn = ref_layer_tensor(m->g, l, "attn_q_norm.weight");
    double *kn = ref_layer_tensor(m->g, l, "attn_k_norm.weight");
    double *q = calloc((size_t)n * H * hd, sizeof *q), *k = calloc((size_t)n * Hkv * hd, sizeof *k);
    double *v = calloc((size_t)n * Hkv * hd, sizeof *v), *xn = calloc(d, sizeof *xn);
    double *o = calloc(H * hd, sizeof *o), *y = calloc(d, sizeof *y), *sc = calloc(n, sizeof *sc);

    for (int t = 0; t < n; t++) {
        double *qt = q + (size_t)t * H * hd, *kt = k + (size_t)t * Hkv * hd;
        double *vt = v + (size_t)t * Hkv * hd;
        memcpy(xn, x + (size_t)t * d, d * sizeof *xn);
        ref_rmsnorm(xn, an, d, m->eps);
        ref_matvec(wq, xn, qt, d, H * hd);
        ref_matvec(wk, xn, kt, d, Hkv * hd);
        ref_matvec(wv, xn, vt, d, Hkv * hd);
        for (int i = 0; bq && i < H * hd; i++)
            qt[i] += bq[i];
        for (int i = 0; bk && i < Hkv * hd; i++) {
            kt[i] += bk[i];
            vt[i] += bv[i];
        }
        if (m->olmoe) {
            ref_rmsnorm(qt, qn, H * hd, m->eps);
            ref_rmsnorm(kt, kn, Hkv * hd, m->eps);
        }
        for (int h = 0; m->qwen3 && h < H; h++)
            ref_rmsnorm(qt + h * hd, qn, hd, m->eps);
        for (int h = 0; m->qwen3 && h < Hkv; h++)
            ref_rmsnorm(kt + h * hd, kn, hd, m->eps);
        ref_rope(qt, H, hd, t, m->neox, m->base);
        ref_rope(kt, Hkv, hd, t, m->neox, m->base);
    }
    for (int t = 0; t < n; t++) {
        for (int h = 0; h < H; h++) {
            const double *qh = q + ((size_t)t * H + h) * hd;
            int kh = h / (H / Hkv);
            double max = -INFINITY, sum = 0;
            for (int p = 0; p <= t; p++) {
                sc[p] = 0;
                for (int i = 0; i < hd; i++)
                    sc[p] += qh[i] * k[((size_t)p * Hkv + kh) * hd + i];
                sc[p] *= m->att_scale;
                max = fmax(max, sc[p]);
            }
            for (int p = 0; p <= t; p++)
                sum += sc[p] = exp(sc[p] - max);
            for (int i = 0; i < hd; i++) {
                o[h * hd + i] = 0;
                for (int p = 0; p <= t; p++)
                    o[h * hd + i] += sc[p] / sum * v[((size_t)p * Hkv + kh) * hd + i];
            }
        }
        ref_matvec(wo, o, y, H * hd, d);
        for (int i = 0; i < d; i++)
            x[(size_t)t * d + i] += m->resid * y[i];
    }
    free(an); free(wq); free(wk); free(wv); free(wo); free(bq); free(bk); free(bv);
    free(qn); free(kn); free(q); free(k); free(v); free(xn); free(o); free(y); free(sc);
}

/* out[d] = SiLU-gated FFN of x through gate/up {d, ff} and down {ff, d} (expert e). */
static void ref_ffn(const double *gate, const double *up, const double *down, int e, int d,
                    int ff, const double *x, double *out)
{
    double *g = malloc(ff * sizeof *g), *u = malloc(ff * sizeof *u);
    ref_matvec(gate + (size_t)e * ff * d, x, g, d, ff);
    ref_matvec(up + (size_t)e * ff * d, x, u, d, ff);
    for (int i = 0; i < ff; i++)
        g[i] = ref_silu(g[i]) * u[i];
    ref_matvec(down + (size_t)e * ff * d, g, out, ff, d);
    free(g);
    free(u);
}

/* acc[d] = Σ over the top K experts of weight × expert(xn), plus qwen2moe's shared one. */
static void ref_moe(const ref_model *m, int l, const double *xn, double *acc)
{
    int d = m->d, E = m->E, K = m->K, ff = (int)meta(m, "feed_forward_length", 0), chosen[64];
    double *router = ref_layer_tensor(m->g, l, "ffn_gate_inp.weight");
    double *gt = ref_layer_tensor(m->g, l, "ffn_gate_exps.weight");
    double *up = ref_layer_tensor(m->g, l, "ffn_up_exps.weight");
    double *dn = ref_layer_tensor(m->g, l, "ffn_down_exps.weight");
    double p[64], y[1024], max = -INFINITY, sum = 0, wsum = 0;

    ref_matvec(router, xn, p, d, E);
    for (int e = 0; e < E; e++)
        max = fmax(max, p[e]);
    for (int e = 0; e < E; e++)
        sum += p[e] = exp(p[e] - max);
    for (int i = 0; i < K; i++) {
        int best = -1;
        for (int e = 0; e < E; e++) {
            int used = 0;
            for (int j = 0; j < i; j++)
                used |= chosen[j] == e;
            if (!used && (best < 0 || p[e] > p[best]))
                best = e;
        }
        chosen[i] = best;
        wsum += p[best] / sum;
    }
    for (int i = 0; i < K; i++) {
        double w = p[chosen[i]] / sum / (m->renorm ? wsum : 1);
        ref_ffn(gt, up, dn, chosen[i], d, ff, xn, y);
        for (int j = 0; j < d; j++)
            acc[j] += w * y[j];
    }
    if (m->qwen2) {
        double *sg = ref_layer_tensor(m->g, l, "ffn_gate_inp_shexp.weight");
        double *sgt = ref_layer_tensor(m->g, l, "ffn_gate_shexp.weight");
        double *sup = ref_layer_tensor(m->g, l, "ffn_up_shexp.weight");
        double *sdn = ref_layer_tensor(m->g, l, "ffn_down_shexp.weight");
        double gate;
        ref_matvec(sg, xn, &gate, d, 1);
        ref_ffn(sgt, sup, sdn, 0, d, (int)meta(m, "expert_shared_feed_forward_length", 0), xn, y);
        for (int j = 0; j < d; j++)
            acc[j] += y[j] / (1 + exp(-gate));
        free(sg);
        free(sgt);
        free(sup);
        free(sdn);
    }
    free(router);
    free(gt);
    free(up);
    free(dn);
}

/* x[n][d] += resid × ffn(rmsnorm(x)), dense or mixture of experts. */
static void ref_ffn_layer(const ref_model *m, int l, double *x, int n)
{
    double *fn = ref_layer_tensor(m->g, l, "ffn_norm.weight");
    double *xn = calloc(m->d, sizeof *xn), *acc = calloc(m->d, sizeof *acc);

    for (int t = 0; t < n; t++) {
        memcpy(xn, x + (size_t)t * m->d, m->d * sizeof *xn);
        ref_rmsnorm(xn, fn, m->d, m->eps);
        memset(acc, 0, m->d * sizeof *acc);
        if (m->E) {
            ref_moe(m, l, xn, acc);
        } else {
            double *gt = ref_layer_tensor(m->g, l, "ffn_gate.weight");
            double *up = ref_layer_tensor(m->g, l, "ffn_up.weight");
            double *dn = ref_layer_tensor(m->g, l, "ffn_down.weight");
            ref_ffn(gt, up, dn, 0, m->d, (int)meta(m, "feed_forward_length", 0), xn, acc);
            free(gt);
            free(up);
            free(dn);
        }
        for (int i = 0; i < m->d; i++)
            x[(size_t)t * m->d + i] += m->resid * acc[i];
    }
    free(fn);
    free(xn);
    free(acc);
}

/* logits[n][V] of tokens[n], all in double. */
static void ref_forward(const char *path, const int32_t *tok, int n, double *logits)
{
    augur_err err = { 0 };
    ref_model m;
    gguf *g;

    if (gguf_open(&g, path, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    ref_model_read(&m, g);
    double *embd = ref_tensor(g, "token_embd.weight"), *onorm = ref_tensor(g, "output_norm.weight");
    double *output = ref_tensor(g, "output.weight"), *x = calloc((size_t)n * m.d, sizeof *x);
    for (int t = 0; t < n; t++)
        for (int i = 0; i < m.d; i++)
            x[(size_t)t * m.d + i] = embd[(size_t)tok[t] * m.d + i] * m.embd_scale;
    for (int l = 0; l < m.L; l++) {
        ref_attention(&m, l, x, n);
        ref_ffn_layer(&m, l, x, n);
    }
    for (int t = 0; t < n; t++) {
        ref_rmsnorm(x + (size_t)t * m.d, onorm, m.d, m.eps);
        ref_matvec(output ? output : embd, x + (size_t)t * m.d, logits + (size_t)t * m.V, m.d, m.V);
        for (int i = 0; i < m.V; i++)
            logits[(size_t)t * m.V + i] /= m.logit_scale;
    }
    free(embd);
    free(onorm);
    free(output);
    free(x);
    gguf_close(g);
}

/* ---- models ------------------------------------------------------------------------- */

static synth_opts shape(const char *arch, int experts, uint32_t type)
{
    synth_opts o = SYNTH_OPTS_DEFAULT;

    o.arch = arch;
    o.width = 64;
    o.heads = 4;
    o.heads_kv = strcmp(arch, "olmoe") == 0 ? 4 : 2;
    o.experts = experts;
    o.experts_used = experts ? 2 : 0;
    o.ff = 96;
    o.ff_shared = 64;
    o.vocab = 320;
    o.context = 64;
    o.type = type;
    o.seed = 7;
    o.threads = 2;
    return o;
}

/* The path of a model made from o (made on first use). */
static char *model(const synth_opts *o, const char *name)
{
    augur_err err = { 0 };
    char *path;
    FILE *f;

    if (asprintf(&path, "%s/%s.gguf", dir, name) < 0)
        fail_msg("out of memory");
    if ((f = fopen(path, "rb"))) {
        fclose(f);
        return path;
    }
    if (synth_write(o, path, &err) != AUGUR_OK)
        fail_msg("synth %s: %s", name, err.msg);
    return path;
}

static engine *open_engine(const char *path, engine_opts *o)
{
    augur_err err = { 0 };
    engine *e;

    if (engine_open(&e, path, o, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    return e;
}

/* All logits of tokens[n] evaluated as one batch (or one at a time). */
static float *eval_all(engine *e, int n, int one_by_one)
{
    int V = engine_shape_of(e)->vocab;
    float *lg = calloc((size_t)n * V, sizeof *lg);
    augur_err err = { 0 };

    for (int t = 0; one_by_one && t < n; t++)
        if (engine_eval(e, tokens + t, 1, lg + (size_t)t * V, 0, &err) != AUGUR_OK)
            fail_msg("%s", err.msg);
    if (!one_by_one && engine_eval(e, tokens, n, lg, 1, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    return lg;
}

static float *run(const char *path, engine_opts *o, const char *routing, int n, int one_by_one,
                  double *experts)
{
    engine *e = open_engine(path, o);
    augur_err err = { 0 };
    float *lg;

    if (routing) {
        engine_routing r = *engine_routing_of(e);
        if (engine_routing_parse(routing, &r, &err) != AUGUR_OK ||
            engine_set_routing(e, &r, &err) != AUGUR_OK)
            fail_msg("%s", err.msg);
    }
    lg = eval_all(e, n, one_by_one);
    if (experts)
        *experts = engine_experts_mean(e, -1);
    engine_free(e);
    return lg;
}

static const char *const arches[] = { "llama", "llama", "qwen2moe", "qwen3moe", "olmoe",
                                      "granitemoe" };
static const int arch_experts[] = { 0, 4, 4, 8, 8, 4 };
static const char *const arch_names[] = { "llama-dense", "mixtral", "qwen2moe", "qwen3moe",
                                          "olmoe", "granitemoe" };

static char *arch_model(int i)
{
    synth_opts o = shape(arches[i], arch_experts[i], GGML_TYPE_F32);
    return model(&o, arch_names[i]);
}

/* ---- tests ----------------------------------------------------------------------------- */

/* Every architecture, f32: the engine equals the double-precision reference to 1e-4
** at every position (the fixtures' f32 tolerance), on both kernel sets. */
static void test_reference_architectures(void **state)
{
    (void)state;
    for (int i = 0; i < 6; i++) {
        char *path = arch_model(i);
        double *want = calloc((size_t)T * 320, sizeof *want);
        ref_forward(path, tokens, T, want);
        for (int scalar = 0; scalar <= 1; scalar++) {
            engine_opts o = ENGINE_OPTS_DEFAULT;
            float *got;
            double worst = 0;
            o.scalar = scalar;
            got = run(path, &o, NULL, T, 0, NULL);
            for (int j = 0; j < T * 320; j++)
                worst = fmax(worst, fabs(got[j] - want[j]));
            if (worst > 1e-4)
                fail_msg("%s (%s kernels): max |logit - reference| = %g", arch_names[i],
                         scalar ? "scalar" : "best", worst);
            free(got);
        }
        free(want);
        free(path);
    }
}

static int argmax_d(const double *x, int n)
{
    int best = 0;
    for (int i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}

/* Every weight type on a model of width 256 (K-quants need it): against the
** reference run on the same (dequantized) weights, what is left is the rounding of
** the activation to the type's format: nothing for f32 and f16 (they take f32
** activations), bf16's 8-bit mantissa, 8-bit blocks for the rest. A kernel that
** misreads its blocks is off by whole units. */
static void test_reference_types(void **state)
{
    static const struct { uint32_t type; double mean, max; } types[] = {
        { GGML_TYPE_F32, 1e-5, 1e-4 }, { GGML_TYPE_F16, 1e-5, 1e-4 }, { GGML_TYPE_BF16, 0.01, 0.1 },
        { GGML_TYPE_Q8_0, 0.04, 1 }, { GGML_TYPE_Q4_0, 0.04, 1 }, { GGML_TYPE_Q5_0, 0.04, 1 },
        { GGML_TYPE_Q4_K, 0.04, 1 }, { GGML_TYPE_Q5_K, 0.04, 1 }, { GGML_TYPE_Q6_K, 0.04, 1 },
    };

    (void)state;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        synth_opts so = shape("olmoe", 8, types[i].type);
        char name[32];
        char *path;
        double *want = calloc((size_t)T * 320, sizeof *want);
        so.width = 256;
        so.ff = 256;
        snprintf(name, sizeof name, "olmoe-256-%s", ggml_type_get(types[i].type)->name);
        path = model(&so, name);
        ref_forward(path, tokens, T, want);
        for (int scalar = 0; scalar <= 1; scalar++) {
            engine_opts o = ENGINE_OPTS_DEFAULT;
            double worst = 0, mean = 0;
            int top1 = 0;
            float *got;
            o.scalar = scalar;
            got = run(path, &o, NULL, T, 0, NULL);
            for (int j = 0; j < T * 320; j++) {
                worst = fmax(worst, fabs(got[j] - want[j]));
                mean += fabs(got[j] - want[j]) / (T * 320);
            }
            for (int t = 0; t < T; t++)
                top1 += sample_argmax(got + t * 320, 320) == argmax_d(want + t * 320, 320);
            if (worst > types[i].max || mean > types[i].mean || top1 * 10 < T * 9)
                fail_msg("%s (%s kernels): mean |d| %g, max |d| %g, top-1 %d/%d", name,
                         scalar ? "scalar" : "best", mean, worst, top1, T);
            free(got);
        }
        free(want);
        free(path);
    }
}

/* A sequence in one batch, in batches of 5, and one token at a time: the same
** logits, bit for bit. */
static void test_batch_equals_one_by_one(void **state)
{
    (void)state;
    for (int i = 0; i < 6; i++) {
        char *path = arch_model(i);
        engine_opts o = ENGINE_OPTS_DEFAULT, small = ENGINE_OPTS_DEFAULT;
        float *batch, *single, *fives;
        small.batch = 5;
        batch = run(path, &o, NULL, MAX_T, 0, NULL);
        single = run(path, &o, NULL, MAX_T, 1, NULL);
        fives = run(path, &small, NULL, MAX_T, 0, NULL);
        assert_memory_equal(batch, single, (size_t)MAX_T * 320 * sizeof *batch);
        assert_memory_equal(batch, fives, (size_t)MAX_T * 320 * sizeof *batch);
        free(batch);
        free(single);
        free(fives);
        free(path);
    }
}

/* 1, 2 and 3 threads: the same logits, bit for bit. */
static void test_threads_independent(void **state)
{
    (void)state;
    for (int i = 1; i < 6; i += 2) {
        char *path = arch_model(i);
        float *lg[3];
        for (int t = 0; t < 3; t++) {
            engine_opts o = ENGINE_OPTS_DEFAULT;
            o.threads = t + 1;
            lg[t] = run(path, &o, NULL, MAX_T, 0, NULL);
        }
        assert_memory_equal(lg[0], lg[1], (size_t)MAX_T * 320 * sizeof *lg[0]);
        assert_memory_equal(lg[0], lg[2], (size_t)MAX_T * 320 * sizeof *lg[0]);
        for (int t = 0; t < 3; t++)
            free(lg[t]);
        free(path);
    }
}

/* Rewinding the cache and evaluating again, or evaluating in two calls, gives what
** one call gives; an F16 cache stays close to the F32 one. */
static void test_kv_cache(void **state)
{
    char *path = arch_model(2);
    engine_opts o = ENGINE_OPTS_DEFAULT, half = ENGINE_OPTS_DEFAULT;
    float *full, *again = calloc(320, sizeof *again);
    float *split = calloc((size_t)T * 320, sizeof *split);
    augur_err err = { 0 };
    engine *e = open_engine(path, &o);
    double diff = 0;

    (void)state;
    full = eval_all(e, T, 0);
    engine_rewind(e, 5);
    assert_int_equal(engine_pos(e), 5);
    assert_int_equal(engine_eval(e, tokens + 5, T - 5, again, 0, &err), AUGUR_OK);
    assert_memory_equal(again, full + (size_t)(T - 1) * 320, 320 * sizeof *again);
    engine_rewind(e, 0);
    assert_int_equal(engine_eval(e, tokens, 4, split, 1, &err), AUGUR_OK);
    assert_int_equal(engine_eval(e, tokens + 4, T - 4, split + 4 * 320, 1, &err), AUGUR_OK);
    assert_memory_equal(split, full, (size_t)T * 320 * sizeof *split);
    engine_free(e);

    half.kv = ENGINE_KV_F16;
    e = open_engine(path, &half);
    free(split);
    split = eval_all(e, T, 0);
    for (int i = 0; i < T * 320; i++)
        diff = fmax(diff, fabs(split[i] - full[i]));
    assert_true(diff > 0 && diff < 0.02);
    engine_free(e);
    free(full);
    free(again);
    free(split);
    free(path);
}

/* The context holds what it holds: a full cache and unknown tokens are refused
** without changing anything. */
static void test_eval_errors(void **state)
{
    char *path = arch_model(0);
    engine_opts o = ENGINE_OPTS_DEFAULT;
    augur_err err = { 0 };
    int32_t bad = 320;
    engine *e;

    (void)state;
    o.context = 10;
    e = open_engine(path, &o);
    assert_int_equal(engine_context(e), 10);
    assert_int_equal(engine_eval(e, tokens, 11, NULL, 0, &err), AUGUR_ELIMIT);
    assert_contains(err.msg, "context is full");
    assert_int_equal(engine_eval(e, &bad, 1, NULL, 0, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "outside the vocabulary");
    assert_int_equal(engine_pos(e), 0);
    assert_int_equal(engine_eval(e, tokens, 10, NULL, 0, &err), AUGUR_OK);
    assert_int_equal(engine_eval(e, tokens, 1, NULL, 0, &err), AUGUR_ELIMIT);
    engine_free(e);
    free(path);
}

/* top-k with the model's k is the default; top-p with p = 1 takes every expert,
** as top-k with k = all does; skip with beta 0 drops nothing; the mean counts are
** what the modes promise. */
static void test_routing_modes(void **state)
{
    char *path = arch_model(4);                 /* olmoe: 8 experts, top-2 */
    engine_opts o = ENGINE_OPTS_DEFAULT;
    double n_default, n, n_all;
    float *dflt, *lg, *all;

    (void)state;
    dflt = run(path, &o, NULL, T, 0, &n_default);
    assert_true(n_default == 2.0);
    lg = run(path, &o, "top-k:2", T, 0, &n);
    assert_memory_equal(lg, dflt, (size_t)T * 320 * sizeof *lg);
    free(lg);
    lg = run(path, &o, "skip:0", T, 0, &n);
    assert_memory_equal(lg, dflt, (size_t)T * 320 * sizeof *lg);
    free(lg);

    all = run(path, &o, "top-k:8", T, 0, &n_all);
    assert_true(n_all == 8.0);
    lg = run(path, &o, "top-p:1", T, 0, &n);
    assert_true(n == 8.0);
    assert_memory_equal(lg, all, (size_t)T * 320 * sizeof *lg);
    assert_memory_not_equal(lg, dflt, (size_t)T * 320 * sizeof *lg);
    free(lg);

    lg = run(path, &o, "top-p:0.5", T, 0, &n);
    assert_true(n >= 1.0 && n < 8.0);
    free(lg);
    lg = run(path, &o, "top-p:0.999:1:3", T, 0, &n);
    assert_true(n > 1.0 && n <= 3.0);
    free(lg);
    lg = run(path, &o, "top-p:0.01:3:5", T, 0, &n);
    assert_true(n == 3.0);
    free(lg);
    lg = run(path, &o, "skip:1", T, 0, &n);
    assert_true(n == 1.0);
    free(lg);
    lg = run(path, &o, "skip:0.5", T, 0, &n);
    assert_true(n >= 1.0 && n <= 2.0);
    free(lg);
    lg = run(path, &o, "top-k:1", T, 0, &n);
    assert_true(n == 1.0);
    free(lg);
    free(dflt);
    free(all);
    free(path);
}

static void test_routing_parse(void **state)
{
    engine_routing r = ENGINE_ROUTING_DEFAULT;
    augur_err err = { 0 };
    char text[64];

    (void)state;
    assert_int_equal(engine_routing_parse("top-k:4", &r, &err), AUGUR_OK);
    assert_int_equal(r.mode, ROUTE_TOP_K);
    assert_int_equal(r.k, 4);
    assert_int_equal(engine_routing_parse("top-p:0.6:2:6", &r, &err), AUGUR_OK);
    assert_int_equal(r.mode, ROUTE_TOP_P);
    assert_true(r.p == 0.6 && r.min_experts == 2 && r.max_experts == 6);
    engine_routing_format(&r, text, sizeof text);
    assert_string_equal(text, "top-p:0.6:2:6");
    assert_int_equal(engine_routing_parse("skip:0.4", &r, &err), AUGUR_OK);
    assert_true(r.mode == ROUTE_SKIP && r.beta == 0.4);
    assert_int_equal(engine_routing_parse("top-k", &r, &err), AUGUR_OK);
    assert_int_equal(r.k, 0);
    static const char *const bad[] = { "top-q", "top-k:0", "top-k:2.5", "top-p", "top-p:1.5",
                                       "top-p:0.5:3:2", "top-p:0.5:1", "skip", "skip:2",
                                       "top-k:4x", "" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        engine_routing keep = r;
        assert_int_not_equal(engine_routing_parse(bad[i], &r, &err), AUGUR_OK);
        assert_memory_equal(&keep, &r, sizeof r);
    }
}

/* Files the engine cannot run are refused with a message naming what and where. */
static void write_bad(const char *path, const char *arch, int variant)
{
    static float zeros[64 * 320];
    augur_err err = { 0 };
    gguf_writer *w = gguf_writer_new();
    char key[64];

    gguf_writer_add_str(w, "general.architecture", arch, strlen(arch), &err);
    snprintf(key, sizeof key, "%s.embedding_length", arch);
    gguf_writer_add_uint(w, key, GGUF_TYPE_UINT32, variant == 2 ? 256 : 64, &err);
    snprintf(key, sizeof key, "%s.block_count", arch);
    gguf_writer_add_uint(w, key, GGUF_TYPE_UINT32, 1, &err);
    snprintf(key, sizeof key, "%s.attention.head_count", arch);
    gguf_writer_add_uint(w, key, GGUF_TYPE_UINT32, variant == 3 ? 0 : 4, &err);
    gguf_writer_add_tensor(w, "token_embd.weight", variant == 2 ? GGML_TYPE_Q2_K : GGML_TYPE_F32,
                           2, (uint64_t[]){ variant == 2 ? 256 : 64, 20 }, zeros, &err);
    gguf_writer_add_tensor(w, "output_norm.weight", GGML_TYPE_F32, 1,
                           (uint64_t[]){ variant == 1 ? 32 : 64 }, zeros, &err);
    if (gguf_writer_write(w, path, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    gguf_writer_free(w);
}

static void test_refused_models(void **state)
{
    static const struct { const char *arch; int variant; const char *msg; } cases[] = {
        { "gpt2", 0, "unsupported architecture 'gpt2'" },
        { "llama", 1, "tensor 'output_norm.weight' is f32 {32, ...}, expected f32 {64}" },
        { "llama", 2, "tensor 'token_embd.weight' has type q2_K, which the engine does not run "
                      "(it runs f32, f16, bf16, q8_0, q4_0, q5_0, q4_K, q5_K, q6_K)" },
        { "llama", 3, "attention.head_count' is 0" },
        { "llama", 0, "tensor 'blk.0.attn_norm.weight' is missing" },
        { "olmoe", 0, "olmoe needs olmoe.expert_count" },
    };
    char *path;
    augur_err err = { 0 };
    engine *e;

    (void)state;
    if (asprintf(&path, "%s/bad.gguf", dir) < 0)
        fail();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_bad(path, cases[i].arch, cases[i].variant);
        for (int w = 0; w < 2; w++) {
            engine_opts o = ENGINE_OPTS_DEFAULT;
            o.weights = w ? ENGINE_WEIGHTS_MAP : ENGINE_WEIGHTS_LOAD;
            assert_int_not_equal(engine_open(&e, path, &o, &err), AUGUR_OK);
            assert_null(e);
            assert_contains(err.msg, cases[i].msg);
            assert_contains(err.msg, "bad.gguf: ");
        }
    }
    free(path);
}

/* Whether this system gives huge pages to memory that asks for them. */
static int huge_pages_enabled(void)
{
    char *text = NULL;
    size_t len;
    int on = file_read("/sys/kernel/mm/transparent_hugepage/enabled", 4096, &text, &len,
                       NULL) == AUGUR_OK && strchr(text, '[') && !strstr(text, "[never]");

    free(text);
    return on;
}

/* Weights loaded into memory and weights mapped: the same logits, bit for bit, for
** every architecture and a quantized type; loaded where the system has huge pages. */
static void test_weights_loaded_or_mapped(void **state)
{
    (void)state;
    for (int i = 0; i < 6; i++) {
        synth_opts so = shape(arches[i], arch_experts[i], GGML_TYPE_Q8_0);
        char name[64], *path;
        float *lg[2];
        snprintf(name, sizeof name, "%s-q8_0", arch_names[i]);
        path = model(&so, name);
        for (int w = 0; w < 2; w++) {
            engine_opts o = ENGINE_OPTS_DEFAULT;
            engine *e;
            o.weights = w ? ENGINE_WEIGHTS_MAP : ENGINE_WEIGHTS_LOAD;
            e = open_engine(path, &o);
            assert_int_equal(engine_loaded(e), w ? 0 : huge_pages_enabled());
            lg[w] = eval_all(e, MAX_T, 0);
            engine_free(e);
        }
        assert_memory_equal(lg[0], lg[1], (size_t)MAX_T * 320 * sizeof *lg[0]);
        free(lg[0]);
        free(lg[1]);
        free(path);
    }
}

/* A file cut short, a missing file and a directory: the same clear errors whether the
** weights would be loaded or mapped. */
static void test_weights_bad_files(void **state)
{
    synth_opts so = shape("olmoe", 8, GGML_TYPE_Q8_0);
    char *path = model(&so, "olmoe-q8_0"), *cut, *text = NULL;
    static const char *const want[] = { "runs past the end of the data section",
                                        "No such file or directory", "is a directory" };
    const char *paths[3];
    augur_err err = { 0 };
    size_t len;
    engine *e;

    (void)state;
    if (asprintf(&cut, "%s/cut.gguf", dir) < 0)
        fail();
    assert_int_equal(file_read(path, 1 << 26, &text, &len, &err), AUGUR_OK);
    assert_int_equal(file_write_atomic(cut, text, len - 100, &err), AUGUR_OK);
    paths[0] = cut;
    paths[1] = "/nonexistent/model.gguf";
    paths[2] = dir;
    for (int i = 0; i < 3; i++)
        for (int w = 0; w < 2; w++) {
            engine_opts o = ENGINE_OPTS_DEFAULT;
            o.weights = w ? ENGINE_WEIGHTS_MAP : ENGINE_WEIGHTS_LOAD;
            assert_int_not_equal(engine_open(&e, paths[i], &o, &err), AUGUR_OK);
            assert_null(e);
            assert_contains(err.msg, want[i]);
            assert_contains(err.msg, paths[i]);
        }
    free(text);
    free(cut);
    free(path);
}

/* An unsupported weight type is named, with the types the engine runs. */
static void test_refused_type(void **state)
{
    synth_opts so = shape("llama", 0, GGML_TYPE_Q2_K);
    augur_err err = { 0 };

    (void)state;
    assert_int_equal(synth_write(&so, "/nonexistent/x.gguf", &err), AUGUR_EINVAL);
    assert_contains(err.msg, "type q2_K is not one the engine runs");
    so = shape("gpt2", 0, GGML_TYPE_F32);
    assert_int_equal(synth_write(&so, "/nonexistent/x.gguf", &err), AUGUR_EINVAL);
    assert_contains(err.msg, "unsupported architecture 'gpt2'");
}

/* The same options make the same file, whatever the thread count; a seed changes it. */
static void test_synth_deterministic(void **state)
{
    synth_opts a = shape("qwen3moe", 4, GGML_TYPE_Q4_K), b = a;
    char *pa, *pb, *ta = NULL, *tb = NULL;
    size_t la, lb;
    augur_err err = { 0 };

    (void)state;
    a.width = b.width = 256;
    b.threads = 1;
    pa = model(&a, "det-a");
    pb = model(&b, "det-b");
    assert_int_equal(file_read(pa, 1 << 26, &ta, &la, &err), AUGUR_OK);
    assert_int_equal(file_read(pb, 1 << 26, &tb, &lb, &err), AUGUR_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ta, tb, la);
    free(tb);
    free(pb);
    b.seed = 8;
    pb = model(&b, "det-c");
    assert_int_equal(file_read(pb, 1 << 26, &tb, &lb, &err), AUGUR_OK);
    assert_int_equal(la, lb);
    assert_memory_not_equal(ta, tb, la);
    free(ta);
    free(tb);
    free(pa);
    free(pb);
}

/* Figures about memory: mapped weights come into memory as they are touched; loaded
** ones are all there from the start, in memory the process allocated. */
static void test_memory_figures(void **state)
{
    char *path = arch_model(4);
    engine_opts o = ENGINE_OPTS_DEFAULT;
    engine *e;
    engine_memory m;
    augur_err err = { 0 };
    double active, all;

    (void)state;
    o.weights = ENGINE_WEIGHTS_MAP;
    e = open_engine(path, &o);
    active = engine_active_bytes(e, 2);
    all = engine_active_bytes(e, 8);
    assert_int_equal(engine_memory_get(e, &m, &err), AUGUR_OK);
    assert_true(m.rss > 0 && m.rss >= m.rss_anon);
    assert_true(m.weights > 0 && m.weights_resident <= m.weights + 4096);
    engine_prefault(e);
    assert_int_equal(engine_memory_get(e, &m, &err), AUGUR_OK);
    assert_true(m.weights_resident >= m.weights);
    assert_int_equal(m.kv, 2 * 64 * 4 * (16 + 16) * 4); /* layers, positions, heads, K+V, f32 */
    assert_true(active > 0 && active < all && all < (double)m.weights);
    engine_free(e);
    o.weights = ENGINE_WEIGHTS_LOAD;
    e = open_engine(path, &o);
    assert_int_equal(engine_memory_get(e, &m, &err), AUGUR_OK);
    if (engine_loaded(e))
        assert_true(m.weights_resident >= m.weights && m.rss_anon >= m.weights);
    assert_true(engine_active_bytes(e, 8) == all);
    engine_free(e);
    free(path);
}

/* The speed figures: the routing's experts per token, the bytes a token reads at that
** count and position, the cache left empty; nonsense refused. Times are not tested. */
static void test_speed_measure(void **state)
{
    char *path = arch_model(4);                 /* olmoe: 8 experts, top-2 */
    engine_opts o = ENGINE_OPTS_DEFAULT;
    engine_routing r = ENGINE_ROUTING_DEFAULT;
    engine *e;
    engine_speed sp;
    augur_err err = { 0 };
    char name[64];

    (void)state;
    o.context = 16;
    e = open_engine(path, &o);
    engine_routing_name(e, name, sizeof name);
    assert_string_equal(name, "top-k:2");
    assert_int_equal(engine_speed_measure(e, tokens, 6, 4, 1, &sp, &err), AUGUR_OK);
    assert_true(sp.experts == 2.0 && sp.pp > 0 && sp.tg > 0);
    assert_true(sp.bytes == engine_active_bytes(e, 2) + engine_kv_read_bytes(e, 8));
    assert_int_equal(engine_pos(e), 0);
    assert_int_equal(engine_routing_parse("top-k:8", &r, &err), AUGUR_OK);
    assert_int_equal(engine_set_routing(e, &r, &err), AUGUR_OK);
    engine_routing_name(e, name, sizeof name);
    assert_string_equal(name, "top-k:8");
    assert_int_equal(engine_speed_measure(e, tokens, 6, 4, 2, &sp, &err), AUGUR_OK);
    assert_true(sp.experts == 8.0);
    assert_int_equal(engine_speed_measure(e, tokens, 0, 4, 1, &sp, &err), AUGUR_EINVAL);
    assert_int_equal(engine_speed_measure(e, tokens, 12, 8, 1, &sp, &err), AUGUR_ELIMIT);
    assert_int_equal(engine_pos(e), 0);
    assert_contains(err.msg, "context is full");
    engine_free(e);
    free(path);
}

static int setup(void **state)
{
    (void)state;
    dir = test_tmpdir();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(dir);
    free(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reference_architectures),
        cmocka_unit_test(test_reference_types),
        cmocka_unit_test(test_batch_equals_one_by_one),
        cmocka_unit_test(test_threads_independent),
        cmocka_unit_test(test_kv_cache),
        cmocka_unit_test(test_eval_errors),
        cmocka_unit_test(test_routing_modes),
        cmocka_unit_test(test_routing_parse),
        cmocka_unit_test(test_refused_models),
        cmocka_unit_test(test_refused_type),
        cmocka_unit_test(test_weights_loaded_or_mapped),
        cmocka_unit_test(test_weights_bad_files),
        cmocka_unit_test(test_synth_deterministic),
        cmocka_unit_test(test_memory_figures),
        cmocka_unit_test(test_speed_measure),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
