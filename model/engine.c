/*
** engine.c — loading a model (hyperparameters, tensors, each checked against the
** architecture's rules), the KV cache and scratch space, routing settings, and the
** figures about memory and speed. The forward pass is in forward.c.
*/
#include "model/engine_impl.h"
#include "base/time.h"
#include "model/sample.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Bounds on what a file may ask for; beyond them it is refused, not attempted. */
enum {
    MAX_WIDTH = 1 << 16, MAX_LAYERS = 1024, MAX_HEADS = 1024, MAX_HEAD = 4096,
    MAX_CONTEXT = 1 << 24, MAX_EXPERTS = 1024, MAX_FF = 1 << 20, MAX_BATCH = 4096,
    MAX_THREADS = 256
};

static const struct {
    const char *name;
    enum arch   arch;
} arches[] = {
    { "llama", ARCH_LLAMA }, { "qwen2moe", ARCH_QWEN2MOE }, { "qwen3moe", ARCH_QWEN3MOE },
    { "olmoe", ARCH_OLMOE }, { "granitemoe", ARCH_GRANITEMOE },
};

/* ---- hyperparameters ---------------------------------------------------------------- */

static const char *hp_key(const engine *e, const char *suffix, char *key, size_t size)
{
    snprintf(key, size, "%s.%s", e->shape.arch, suffix);
    return key;
}

/* The integer at ARCH.suffix: dflt when absent (or an error when dflt < 0),
** and an error outside [lo, hi]. */
static int hp_int(const engine *e, const char *suffix, int64_t dflt, int64_t lo, int64_t hi,
                  int *out, augur_err *err)
{
    char key[128];
    const gguf_value *v = gguf_find(e->g, hp_key(e, suffix, key, sizeof key));
    int64_t n = dflt;

    if (!v && dflt < 0)
        return augur_err_set(err, AUGUR_EINVAL, "metadata '%s' is missing", key);
    if (v && gguf_get_int(v, &n) != AUGUR_OK)
        return augur_err_set(err, AUGUR_EINVAL, "metadata '%s' is not an integer", key);
    if (n < lo || n > hi)
        return augur_err_set(err, AUGUR_EINVAL, "metadata '%s' is %lld (expected %lld to %lld)",
                             key, (long long)n, (long long)lo, (long long)hi);
    *out = (int)n;
    return AUGUR_OK;
}

/* A positive finite float at ARCH.suffix, or dflt when absent. */
static int hp_float(const engine *e, const char *suffix, double dflt, float *out, augur_err *err)
{
    char key[128];
    const gguf_value *v = gguf_find(e->g, hp_key(e, suffix, key, sizeof key));
    double f = dflt;

    if (v && gguf_get_float(v, &f) != AUGUR_OK)
        return augur_err_set(err, AUGUR_EINVAL, "metadata '%s' is not a number", key);
    if (!(f > 0) || !isfinite(f) || f > 1e30)
        return augur_err_set(err, AUGUR_EINVAL, "metadata '%s' is %g (expected a positive "
                             "number)", key, f);
    *out = (float)f;
    return AUGUR_OK;
}

static int load_arch(engine *e, augur_err *err)
{
    gguf_str a = gguf_find_str(e->g, "general.architecture");

    for (size_t i = 0; a.ptr && i < sizeof arches / sizeof arches[0]; i++)
        if (strlen(arches[i].name) == a.len && memcmp(arches[i].name, a.ptr, a.len) == 0) {
            e->arch = arches[i].arch;
            e->shape.arch = arches[i].name;
            return AUGUR_OK;
        }
    if (!a.ptr)
        return augur_err_set(err, AUGUR_EINVAL, "unsupported architecture: general.architecture "
                             "is missing");
    return augur_err_set(err, AUGUR_EINVAL, "unsupported architecture '%.*s' (the engine runs "
                         "llama, qwen2moe, qwen3moe, olmoe, granitemoe)",
                         (int)(a.len > 64 ? 64 : a.len), a.ptr);
}

static int load_rope_scaling(engine *e, augur_err *err)
{
    char key[128];
    gguf_str type = gguf_find_str(e->g, hp_key(e, "rope.scaling.type", key, sizeof key));
    float factor = 1;
    int rc;

    e->rope_scale = 1;
    if (!type.ptr || (type.len == 4 && memcmp(type.ptr, "none", 4) == 0))
        return AUGUR_OK;
    if (type.len != 6 || memcmp(type.ptr, "linear", 6) != 0)
        return augur_err_set(err, AUGUR_EINVAL, "%s '%.*s' is not supported (none, linear)", key,
                             (int)(type.len > 32 ? 32 : type.len), type.ptr);
    if ((rc = hp_float(e, "rope.scaling.factor", 1, &factor, err)) != AUGUR_OK)
        return rc;
    e->rope_scale = 1 / factor;
    return AUGUR_OK;
}

static int load_hparams(engine *e, augur_err *err)
{
    engine_shape *s = &e->shape;
    int rc;

    if ((rc = load_arch(e, err)) != AUGUR_OK ||
        (rc = hp_int(e, "embedding_length", -1, 1, MAX_WIDTH, &s->width, err)) != AUGUR_OK ||
        (rc = hp_int(e, "block_count", -1, 1, MAX_LAYERS, &s->layers, err)) != AUGUR_OK ||
        (rc = hp_int(e, "attention.head_count", -1, 1, MAX_HEADS, &s->heads, err)) != AUGUR_OK ||
        (rc = hp_int(e, "attention.head_count_kv", s->heads, 1, s->heads, &s->heads_kv,
                     err)) != AUGUR_OK ||
        (rc = hp_int(e, "attention.key_length", s->width / s->heads, 1, MAX_HEAD, &s->head_k,
                     err)) != AUGUR_OK ||
        (rc = hp_int(e, "attention.value_length", s->head_k, 1, MAX_HEAD, &s->head_v,
                     err)) != AUGUR_OK ||
        (rc = hp_int(e, "rope.dimension_count", s->head_k, 0, s->head_k, &e->n_rot,
                     err)) != AUGUR_OK ||
        (rc = hp_int(e, "context_length", 4096, 1, MAX_CONTEXT, &s->context, err)) != AUGUR_OK ||
        (rc = hp_int(e, "expert_count", 0, 0, MAX_EXPERTS, &s->experts, err)) != AUGUR_OK ||
        (rc = hp_int(e, "expert_used_count", 0, 0, s->experts, &s->experts_used,
                     err)) != AUGUR_OK ||
        (rc = hp_float(e, "attention.layer_norm_rms_epsilon", 1e-5, &e->eps, err)) != AUGUR_OK ||
        (rc = hp_float(e, "rope.freq_base", 10000, &e->rope_base, err)) != AUGUR_OK ||
        (rc = load_rope_scaling(e, err)) != AUGUR_OK)
        return rc;
    if (s->heads % s->heads_kv)
        return augur_err_set(err, AUGUR_EINVAL, "%d heads cannot share %d key/value heads",
                             s->heads, s->heads_kv);
    if (e->n_rot % 2)
        return augur_err_set(err, AUGUR_EINVAL, "rope.dimension_count %d is odd", e->n_rot);
    if (e->arch != ARCH_LLAMA && s->experts == 0)
        return augur_err_set(err, AUGUR_EINVAL, "%s needs %s.expert_count", s->arch, s->arch);
    if (s->experts > 0 && s->experts_used == 0)
        return augur_err_set(err, AUGUR_EINVAL, "%s.expert_used_count is missing or 0", s->arch);
    e->rope_neox = e->arch == ARCH_QWEN2MOE || e->arch == ARCH_QWEN3MOE || e->arch == ARCH_OLMOE;
    e->renorm = e->arch == ARCH_LLAMA || e->arch == ARCH_QWEN3MOE || e->arch == ARCH_GRANITEMOE;
    e->embd_scale = e->resid_scale = e->logit_scale = 1;
    e->attn_scale = 1.0f / sqrtf((float)s->head_k);
    if (e->arch == ARCH_GRANITEMOE &&
        ((rc = hp_float(e, "embedding_scale", 1, &e->embd_scale, err)) != AUGUR_OK ||
         (rc = hp_float(e, "residual_scale", 1, &e->resid_scale, err)) != AUGUR_OK ||
         (rc = hp_float(e, "logit_scale", 1, &e->logit_scale, err)) != AUGUR_OK ||
         (rc = hp_float(e, "attention.scale", e->attn_scale, &e->attn_scale, err)) != AUGUR_OK))
        return rc;
    return AUGUR_OK;
}

/* ---- tensors --------------------------------------------------------------------------- */

static const char *tname(char *buf, size_t size, int layer, const char *name)
{
    if (layer < 0)
        snprintf(buf, size, "%s", name);
    else
        snprintf(buf, size, "blk.%d.%s", layer, name);
    return buf;
}

/* Bind m to the tensor {cols, rows, n_mat} called name; rows < 0 takes the tensor's
** (within 1..MAX_FF). A missing optional tensor leaves m empty. */
static int bind_mat(engine *e, mat *m, const char *name, int cols, int rows, int n_mat,
                    int required, augur_err *err)
{
    const gguf_tensor *t = gguf_tensor_find(e->g, name);

    memset(m, 0, sizeof *m);
    if (!t)
        return required ? augur_err_set(err, AUGUR_EINVAL, "tensor '%s' is missing", name)
                        : AUGUR_OK;
    if (!quant_supported(t->type))
        return augur_err_set(err, AUGUR_EINVAL, "tensor '%s' has type %s, which the engine does "
                             "not run (it runs %s)", name, ggml_type_get(t->type)->name,
                             quant_supported_list());
    if ((uintptr_t)t->data % (t->type == GGML_TYPE_F32 ? 4 : 2))
        return augur_err_set(err, AUGUR_EINVAL, "tensor '%s' is not aligned to its type", name);
    if (rows < 0 && t->ne[1] <= MAX_FF)
        rows = (int)t->ne[1];
    if (t->ne[0] != (uint64_t)cols || t->ne[1] != (uint64_t)rows || t->ne[2] != (uint64_t)n_mat ||
        t->ne[3] != 1)
        return augur_err_set(err, AUGUR_EINVAL, "tensor '%s' is {%llu, %llu, %llu, %llu}, "
                             "expected {%d, %d, %d}", name, (unsigned long long)t->ne[0],
                             (unsigned long long)t->ne[1], (unsigned long long)t->ne[2],
                             (unsigned long long)t->ne[3], cols, rows, n_mat);
    m->data = t->data;
    m->type = t->type;
    m->cols = cols;
    m->rows = rows;
    m->n_mat = n_mat;
    m->row_bytes = (size_t)ggml_type_bytes(t->type, (uint64_t)cols);
    m->mat_bytes = m->row_bytes * (size_t)rows;
    if (quant_act_fmt(t->type) != QFMT_F32)      /* f32 weights read activations as they are */
        e->fmts |= 1u << quant_act_fmt(t->type);
    return AUGUR_OK;
}

/* A vector of n f32 values, or NULL when optional and absent. */
static int bind_vec(engine *e, const float **v, const char *name, int n, int required,
                    augur_err *err)
{
    const gguf_tensor *t = gguf_tensor_find(e->g, name);

    *v = NULL;
    if (!t)
        return required ? augur_err_set(err, AUGUR_EINVAL, "tensor '%s' is missing", name)
                        : AUGUR_OK;
    if (t->type != GGML_TYPE_F32 || t->n_elements != (uint64_t)n || t->ne[0] != (uint64_t)n)
        return augur_err_set(err, AUGUR_EINVAL, "tensor '%s' is %s {%llu, ...}, expected f32 {%d}",
                             name, ggml_type_get(t->type)->name ? ggml_type_get(t->type)->name
                                                                : "?",
                             (unsigned long long)t->ne[0], n);
    if ((uintptr_t)t->data % sizeof(float))
        return augur_err_set(err, AUGUR_EINVAL, "tensor '%s' is not aligned to 4 bytes", name);
    *v = t->data;
    return AUGUR_OK;
}

/* The FFN of layer l: dense, or a router and experts (and qwen2moe's shared expert). */
static int bind_ffn(engine *e, layer *L, int l, augur_err *err)
{
    engine_shape *s = &e->shape;
    char n[GGUF_NAME_MAX + 32];
    int d = s->width, E = s->experts, rc;

    if (E == 0) {
        if ((rc = bind_mat(e, &L->gate, tname(n, sizeof n, l, "ffn_gate.weight"), d,
                           s->ff ? s->ff : -1, 1, 1, err)) != AUGUR_OK)
            return rc;
        s->ff = L->gate.rows;
        if ((rc = bind_mat(e, &L->up, tname(n, sizeof n, l, "ffn_up.weight"), d, s->ff, 1, 1,
                           err)) != AUGUR_OK ||
            (rc = bind_mat(e, &L->down, tname(n, sizeof n, l, "ffn_down.weight"), s->ff, d, 1, 1,
                           err)) != AUGUR_OK)
            return rc;
        return AUGUR_OK;
    }
    if ((rc = bind_mat(e, &L->router, tname(n, sizeof n, l, "ffn_gate_inp.weight"), d, E, 1, 1,
                       err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->gate_exps, tname(n, sizeof n, l, "ffn_gate_exps.weight"), d,
                       s->ff_expert ? s->ff_expert : -1, E, 1, err)) != AUGUR_OK)
        return rc;
    s->ff_expert = L->gate_exps.rows;
    if ((rc = bind_mat(e, &L->up_exps, tname(n, sizeof n, l, "ffn_up_exps.weight"), d,
                       s->ff_expert, E, 1, err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->down_exps, tname(n, sizeof n, l, "ffn_down_exps.weight"),
                       s->ff_expert, d, E, 1, err)) != AUGUR_OK)
        return rc;
    if (e->arch != ARCH_QWEN2MOE)
        return AUGUR_OK;
    if ((rc = bind_mat(e, &L->gate_sh, tname(n, sizeof n, l, "ffn_gate_shexp.weight"), d,
                       s->ff_shared ? s->ff_shared : -1, 1, 1, err)) != AUGUR_OK)
        return rc;
    s->ff_shared = L->gate_sh.rows;
    if ((rc = bind_mat(e, &L->up_sh, tname(n, sizeof n, l, "ffn_up_shexp.weight"), d,
                       s->ff_shared, 1, 1, err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->down_sh, tname(n, sizeof n, l, "ffn_down_shexp.weight"),
                       s->ff_shared, d, 1, 1, err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->sh_gate, tname(n, sizeof n, l, "ffn_gate_inp_shexp.weight"), d, 1,
                       1, 1, err)) != AUGUR_OK)
        return rc;
    return AUGUR_OK;
}

static int bind_layer(engine *e, layer *L, int l, augur_err *err)
{
    const engine_shape *s = &e->shape;
    char n[GGUF_NAME_MAX + 32];
    int d = s->width, qdim = s->heads * s->head_k, kdim = s->heads_kv * s->head_k;
    int vdim = s->heads_kv * s->head_v, odim = s->heads * s->head_v, rc;
    int qk_norm = e->arch == ARCH_OLMOE || e->arch == ARCH_QWEN3MOE;
    int qn = e->arch == ARCH_OLMOE ? qdim : s->head_k;
    int kn = e->arch == ARCH_OLMOE ? kdim : s->head_k;

    if ((rc = bind_vec(e, &L->attn_norm, tname(n, sizeof n, l, "attn_norm.weight"), d, 1,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &L->ffn_norm, tname(n, sizeof n, l, "ffn_norm.weight"), d, 1,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &L->q_norm, tname(n, sizeof n, l, "attn_q_norm.weight"), qn, qk_norm,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &L->k_norm, tname(n, sizeof n, l, "attn_k_norm.weight"), kn, qk_norm,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &L->bq, tname(n, sizeof n, l, "attn_q.bias"), qdim, 0,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &L->bk, tname(n, sizeof n, l, "attn_k.bias"), kdim, 0,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &L->bv, tname(n, sizeof n, l, "attn_v.bias"), vdim, 0,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &L->bo, tname(n, sizeof n, l, "attn_output.bias"), d, 0,
                       err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->wq, tname(n, sizeof n, l, "attn_q.weight"), d, qdim, 1, 1,
                       err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->wk, tname(n, sizeof n, l, "attn_k.weight"), d, kdim, 1, 1,
                       err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->wv, tname(n, sizeof n, l, "attn_v.weight"), d, vdim, 1, 1,
                       err)) != AUGUR_OK ||
        (rc = bind_mat(e, &L->wo, tname(n, sizeof n, l, "attn_output.weight"), odim, d, 1, 1,
                       err)) != AUGUR_OK)
        return rc;
    if (!qk_norm && L->q_norm)
        return augur_err_set(err, AUGUR_EINVAL, "tensor '%s': %s has no q/k norms",
                             tname(n, sizeof n, l, "attn_q_norm.weight"), s->arch);
    return bind_ffn(e, L, l, err);
}

static int bind_tensors(engine *e, augur_err *err)
{
    engine_shape *s = &e->shape;
    const gguf_tensor *embd = gguf_tensor_find(e->g, "token_embd.weight");
    int rc;

    if (!embd)
        return augur_err_set(err, AUGUR_EINVAL, "tensor 'token_embd.weight' is missing");
    if (embd->ne[1] < 1 || embd->ne[1] > INT32_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "tensor 'token_embd.weight' has %llu rows",
                             (unsigned long long)embd->ne[1]);
    s->vocab = (int)embd->ne[1];
    if ((rc = bind_mat(e, &e->embd, "token_embd.weight", s->width, s->vocab, 1, 1,
                       err)) != AUGUR_OK ||
        (rc = bind_mat(e, &e->output, "output.weight", s->width, s->vocab, 1, 0,
                       err)) != AUGUR_OK ||
        (rc = bind_vec(e, &e->out_norm, "output_norm.weight", s->width, 1, err)) != AUGUR_OK)
        return rc;
    if (!e->output.rows)
        e->output = e->embd;                  /* tied to the embedding */
    if (!(e->layers = calloc((size_t)s->layers, sizeof *e->layers)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (int l = 0; l < s->layers; l++)
        if ((rc = bind_layer(e, &e->layers[l], l, err)) != AUGUR_OK)
            return rc;
    return AUGUR_OK;
}

/* ---- memory ------------------------------------------------------------------------------ */

static void *alloc_floats(size_t n, int *failed)
{
    void *p = calloc(n ? n : 1, sizeof(float));
    *failed |= !p;
    return p;
}

static int alloc_kv(engine *e, augur_err *err)
{
    const engine_shape *s = &e->shape;
    size_t elem = e->kv == ENGINE_KV_F16 ? 2 : 4;
    uint64_t per_pos = (uint64_t)s->layers * s->heads_kv * ((uint64_t)s->head_k + s->head_v);
    uint64_t bytes = per_pos * (uint64_t)e->n_ctx * elem;

    if (bytes / elem / (uint64_t)e->n_ctx != per_pos || bytes > SIZE_MAX / 2)
        return augur_err_set(err, AUGUR_ELIMIT, "a KV cache of %d positions is too large",
                             e->n_ctx);
    e->kv_bytes = (size_t)bytes;
    /* calloc'd pages become resident only as positions are filled */
    e->kcache = calloc((size_t)e->n_ctx, (size_t)s->layers * s->heads_kv * s->head_k * elem);
    e->vcache = calloc((size_t)e->n_ctx, (size_t)s->layers * s->heads_kv * s->head_v * elem);
    if (!e->kcache || !e->vcache)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory for a KV cache of %.1f MiB "
                             "(%d positions; set a shorter context)", (double)bytes / (1 << 20),
                             e->n_ctx);
    return AUGUR_OK;
}

static int alloc_scratch(engine *e, augur_err *err)
{
    const engine_shape *s = &e->shape;
    size_t B = (size_t)e->batch, d = (size_t)s->width, E = (size_t)(s->experts ? s->experts : 1);
    size_t ff = (size_t)(s->ff > s->ff_shared ? s->ff : s->ff_shared);
    int failed = 0;

    e->x = alloc_floats(B * d, &failed);
    e->xb = alloc_floats(B * d, &failed);
    e->moe = alloc_floats(B * d, &failed);
    e->shared = alloc_floats(B * d, &failed);
    e->q = alloc_floats(B * s->heads * s->head_k, &failed);
    e->kx = alloc_floats(B * s->heads_kv * s->head_k, &failed);
    e->vx = alloc_floats(B * s->heads_kv * s->head_v, &failed);
    e->att = alloc_floats(B * s->heads * s->head_v, &failed);
    e->hb = alloc_floats(B * ff, &failed);
    e->router = alloc_floats(B * E, &failed);
    e->rope = alloc_floats(B * (size_t)e->n_rot, &failed);
    e->scores = alloc_floats((size_t)tpool_threads(e->pool) * e->n_ctx, &failed);
    e->picks = calloc(B * E, sizeof *e->picks);
    e->n_picks = calloc(B, sizeof *e->n_picks);
    e->active = calloc(E, sizeof *e->active);
    e->group = calloc(E + 1, sizeof *e->group);
    e->taken = calloc(E, sizeof *e->taken);
    e->stat_experts = calloc((size_t)s->layers, sizeof *e->stat_experts);
    if (failed || !e->picks || !e->n_picks || !e->active || !e->group || !e->taken ||
        !e->stat_experts ||
        act_reserve(&e->a_xb, e->batch, s->width, e->fmts) != AUGUR_OK ||
        act_reserve(&e->a_att, e->batch, s->heads * s->head_v, e->fmts) != AUGUR_OK ||
        act_reserve(&e->a_hb, e->batch, (int)ff, e->fmts) != AUGUR_OK ||
        (s->experts && forward_reserve(e, e->batch * s->experts_used) != AUGUR_OK))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory for the engine's scratch space");
    return AUGUR_OK;
}

static int engine_setup(engine *e, const engine_opts *o, augur_err *err)
{
    int threads = o->threads > 0 ? o->threads : tpool_physical_cores(), rc;

    if (o->threads < 0 || o->threads > MAX_THREADS || o->context < 0 || o->batch < 0 ||
        o->batch > MAX_BATCH)
        return augur_err_set(err, AUGUR_EINVAL, "engine options out of range (threads %d, "
                             "context %d, batch %d)", o->threads, o->context, o->batch);
    if ((rc = load_hparams(e, err)) != AUGUR_OK || (rc = bind_tensors(e, err)) != AUGUR_OK)
        return rc;
    e->k = o->scalar ? quant_kernels_scalar() : quant_kernels_best();
    e->kv = o->kv;
    e->n_ctx = o->context > 0 ? (o->context < MAX_CONTEXT ? o->context : MAX_CONTEXT)
                              : e->shape.context;
    e->batch = o->batch > 0 ? o->batch : ENGINE_BATCH;
    if (e->shape.experts == 0)
        e->shape.ff_expert = 0;
    if ((rc = tpool_new(&e->pool, threads, err)) != AUGUR_OK ||
        (rc = alloc_kv(e, err)) != AUGUR_OK || (rc = alloc_scratch(e, err)) != AUGUR_OK)
        return rc;
    return AUGUR_OK;
}

int engine_open_gguf(engine **out, const gguf *g, const char *name, const engine_opts *opts,
                     augur_err *err)
{
    static const engine_opts defaults = ENGINE_OPTS_DEFAULT;
    static const engine_routing routing = ENGINE_ROUTING_DEFAULT;
    engine *e = calloc(1, sizeof *e);
    int rc;

    *out = NULL;
    if (!e)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    e->g = g;
    e->routing = routing;
    if ((rc = engine_setup(e, opts ? opts : &defaults, err)) != AUGUR_OK) {
        augur_err_prefix(err, "%s: ", name);
        engine_free(e);
        return rc;
    }
    *out = e;
    return AUGUR_OK;
}

/* ---- loading the weights ------------------------------------------------------------------ */

enum { HUGE_PAGE = 2 << 20, READ_CHUNK = 64 << 20 };

/* Whether anonymous memory that asks for huge pages gets them (THP not "never"). */
static int huge_pages_enabled(void)
{
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    char line[128];
    int on = f && fgets(line, sizeof line, f) && strchr(line, '[') && !strstr(line, "[never]");

    if (f)
        fclose(f);
    return on;
}

/* /proc/meminfo's MemAvailable in bytes; 0 when unknown. */
static uint64_t memory_available(void)
{
    FILE *f = fopen("/proc/meminfo", "r");
    unsigned long long kb = 0;
    char line[128];

    while (f && fgets(line, sizeof line, f) && sscanf(line, "MemAvailable: %llu kB", &kb) != 1)
        ;
    if (f)
        fclose(f);
    return (uint64_t)kb << 10;
}

/* n rounded up to whole huge pages. */
static size_t huge_round(size_t n)
{
    return (n + HUGE_PAGE - 1) & ~(size_t)(HUGE_PAGE - 1);
}

/* Anonymous memory of len bytes (a multiple of HUGE_PAGE) on a HUGE_PAGE boundary, so
** that all of it can be huge pages; NULL when there is none. */
static void *huge_alloc(size_t len)
{
    uint8_t *raw = mmap(NULL, len + HUGE_PAGE, PROT_READ | PROT_WRITE,
                        MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    uint8_t *p;

    if (raw == MAP_FAILED)
        return NULL;
    p = (uint8_t *)(((uintptr_t)raw + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
    if (p > raw)
        munmap(raw, (size_t)(p - raw));
    munmap(p + len, (size_t)(raw + HUGE_PAGE - p));
    madvise(p, len, MADV_HUGEPAGE);
    return p;
}

/* Read size bytes of fd into p. */
static int read_all(int fd, uint8_t *p, size_t size, const char *path, augur_err *err)
{
    size_t at = 0;

    while (at < size) {
        size_t want = size - at < READ_CHUNK ? (size_t)(size - at) : READ_CHUNK;
        ssize_t n = read(fd, p + at, want);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return augur_err_set(err, AUGUR_EIO, "%s: reading the weights at byte %llu: %s",
                                 path, (unsigned long long)at, strerror(errno));
        if (n == 0)
            return augur_err_set(err, AUGUR_EIO, "%s: the file ended at byte %llu while its "
                                 "%llu bytes were read (did it change?)", path,
                                 (unsigned long long)at, (unsigned long long)size);
        at += (size_t)n;
    }
    return AUGUR_OK;
}

/* A file read into memory: size bytes at data, in a mapping of len bytes. */
typedef struct loaded_file {
    uint8_t *data;
    size_t   size, len;
} loaded_file;

/* Read the file at path into huge-page memory when the system has huge pages and the
** file takes at most half the memory available. f->data is NULL when the file is
** better mapped, or cannot be opened (gguf_open then says why). */
static int weights_load(const char *path, loaded_file *f, augur_err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
    struct stat st;

    memset(f, 0, sizeof *f);
    if (fd < 0)
        return AUGUR_OK;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size <= memory_available() / 2 && huge_pages_enabled()) {
        f->size = (size_t)st.st_size;
        f->len = huge_round(f->size);
        f->data = huge_alloc(f->len);
    }
    if (!f->data) {
        close(fd);
        return AUGUR_OK;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    rc = read_all(fd, f->data, f->size, path, err);
    close(fd);
    if (rc != AUGUR_OK) {
        munmap(f->data, f->len);
        f->data = NULL;
    }
    return rc;
}

int engine_open(engine **out, const char *path, const engine_opts *opts, augur_err *err)
{
    loaded_file f = { NULL, 0, 0 };
    gguf *g;
    int rc;

    *out = NULL;
    if (!(opts && opts->weights == ENGINE_WEIGHTS_MAP) &&
        (rc = weights_load(path, &f, err)) != AUGUR_OK)
        return rc;
    rc = f.data ? gguf_open_memory(&g, f.data, f.size, path, err) : gguf_open(&g, path, err);
    if (rc == AUGUR_OK && (rc = engine_open_gguf(out, g, path, opts, err)) != AUGUR_OK)
        gguf_close(g);
    if (rc != AUGUR_OK) {
        if (f.data)
            munmap(f.data, f.len);
        return rc;
    }
    (*out)->owned = g;
    (*out)->loaded = f.data;
    (*out)->loaded_len = f.len;
    return AUGUR_OK;
}

void engine_free(engine *e)
{
    if (!e)
        return;
    tpool_free(e->pool);
    free(e->layers);
    free(e->kcache);
    free(e->vcache);
    free(e->x);
    free(e->xb);
    free(e->moe);
    free(e->shared);
    free(e->q);
    free(e->kx);
    free(e->vx);
    free(e->att);
    free(e->hb);
    free(e->router);
    free(e->rope);
    free(e->scores);
    free(e->picks);
    free(e->n_picks);
    free(e->active);
    free(e->group);
    free(e->taken);
    free(e->hidden);
    free(e->down);
    free(e->row_token);
    free(e->row_weight);
    free(e->stat_experts);
    act_free(&e->a_xb);
    act_free(&e->a_att);
    act_free(&e->a_hb);
    act_free(&e->a_hidden);
    gguf_close(e->owned);
    if (e->loaded)
        munmap(e->loaded, e->loaded_len);
    free(e);
}

const engine_shape *engine_shape_of(const engine *e) { return &e->shape; }
const gguf *engine_gguf(const engine *e) { return e->g; }
const char *engine_kernels(const engine *e) { return e->k->name; }
int engine_threads(const engine *e) { return tpool_threads(e->pool); }
int engine_context(const engine *e) { return e->n_ctx; }
int engine_loaded(const engine *e) { return e->loaded != NULL; }
int engine_pos(const engine *e) { return e->pos; }

void engine_rewind(engine *e, int pos)
{
    if (pos >= 0 && pos < e->pos)
        e->pos = pos;
}

/* Whether tokens[n] may be evaluated now: some, all in the vocabulary, room left. */
static int engine_eval_check(const engine *e, const int32_t *tokens, int n, augur_err *err)
{
    if (n <= 0)
        return augur_err_set(err, AUGUR_EINVAL, "no tokens to evaluate");
    if (n > e->n_ctx - e->pos)
        return augur_err_set(err, AUGUR_ELIMIT, "the context is full: %d positions, %d used, "
                             "%d more asked for", e->n_ctx, e->pos, n);
    for (int i = 0; i < n; i++)
        if (tokens[i] < 0 || tokens[i] >= e->shape.vocab)
            return augur_err_set(err, AUGUR_EINVAL, "token %ld at %d is outside the vocabulary "
                                 "(0 to %d)", (long)tokens[i], i, e->shape.vocab - 1);
    return AUGUR_OK;
}

int engine_eval(engine *e, const int32_t *tokens, int n, float *logits, int all, augur_err *err)
{
    int rc;

    if ((rc = engine_eval_check(e, tokens, n, err)) != AUGUR_OK)
        return rc;
    for (int at = 0; at < n; at += e->batch) {
        int m = n - at < e->batch ? n - at : e->batch, last = at + m == n;
        float *out = all ? (logits ? logits + (size_t)at * e->shape.vocab : NULL)
                         : (last ? logits : NULL);
        if ((rc = forward(e, tokens + at, m, out, all, err)) != AUGUR_OK)
            return rc;
    }
    return AUGUR_OK;
}

int engine_embed(engine *e, const int32_t *tokens, int n, float *out, augur_err *err)
{
    int rc = engine_eval_check(e, tokens, n, err);

    memset(out, 0, (size_t)e->shape.width * sizeof *out);
    for (int at = 0; rc == AUGUR_OK && at < n; at += e->batch) {
        int m = n - at < e->batch ? n - at : e->batch;
        if ((rc = forward(e, tokens + at, m, NULL, 0, err)) == AUGUR_OK)
            forward_hidden_add(e, m, out);
    }
    for (int i = 0; rc == AUGUR_OK && i < e->shape.width; i++)
        out[i] /= (float)n;
    return rc;
}

/* ---- routing ----------------------------------------------------------------------------- */

static const char *const mode_names[] = { "top-k", "top-p", "skip" };

const char *engine_route_mode_name(enum route_mode mode)
{
    return (unsigned)mode < 3 ? mode_names[mode] : "?";
}

int engine_route_mode_parse(const char *name, enum route_mode *mode)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, mode_names[i]) == 0) {
            *mode = (enum route_mode)i;
            return AUGUR_OK;
        }
    return AUGUR_EINVAL;
}

static int routing_check(const engine_routing *r, augur_err *err)
{
    if ((unsigned)r->mode > ROUTE_SKIP)
        return augur_err_set(err, AUGUR_EINVAL, "routing: unknown mode");
    if (r->k < 0 || r->k > MAX_EXPERTS)
        return augur_err_set(err, AUGUR_EINVAL, "routing: k must be 0 (the model's) to %d",
                             MAX_EXPERTS);
    if (!(r->p > 0 && r->p <= 1))
        return augur_err_set(err, AUGUR_EINVAL, "routing: p must be above 0 and at most 1");
    if (r->min_experts < 1 || r->max_experts < 0 ||
        (r->max_experts && r->max_experts < r->min_experts))
        return augur_err_set(err, AUGUR_EINVAL, "routing: need 1 <= min_experts <= max_experts "
                             "(max 0: no bound)");
    if (!(r->beta >= 0 && r->beta <= 1))
        return augur_err_set(err, AUGUR_EINVAL, "routing: beta must be within 0 and 1");
    return AUGUR_OK;
}

/* The numbers after "MODE:", separated by ':'; how many were read, or -1. */
static int spec_numbers(const char *s, double *v, int max)
{
    int n = 0;

    while (*s == ':' && n < max) {
        char *end;
        errno = 0;
        v[n] = strtod(s + 1, &end);
        if (end == s + 1 || errno || !isfinite(v[n]))
            return -1;
        n++;
        s = end;
    }
    return *s ? -1 : n;
}

static int whole(double v)
{
    return v >= 0 && v <= MAX_EXPERTS && v == floor(v);
}

int engine_routing_parse(const char *spec, engine_routing *out, augur_err *err)
{
    engine_routing r = *out;
    double v[3];
    int n = -1, rc;

    if (strncmp(spec, "top-k", 5) == 0 && (n = spec_numbers(spec + 5, v, 1)) >= 0 &&
        (n == 0 || (whole(v[0]) && v[0] >= 1))) {
        r.mode = ROUTE_TOP_K;
        r.k = n ? (int)v[0] : 0;
    } else if (strncmp(spec, "top-p", 5) == 0 && ((n = spec_numbers(spec + 5, v, 3)) == 1 ||
                                                  (n == 3 && whole(v[1]) && whole(v[2])))) {
        r.mode = ROUTE_TOP_P;
        r.p = v[0];
        if (n == 3) {
            r.min_experts = (int)v[1];
            r.max_experts = (int)v[2];
        }
    } else if (strncmp(spec, "skip", 4) == 0 && (n = spec_numbers(spec + 4, v, 1)) == 1) {
        r.mode = ROUTE_SKIP;
        r.beta = v[0];
    } else {
        return augur_err_set(err, AUGUR_EINVAL, "routing '%s': expected top-k[:K], "
                             "top-p:P[:MIN:MAX] or skip:BETA", spec);
    }
    if ((rc = routing_check(&r, err)) != AUGUR_OK) {
        augur_err_prefix(err, "'%s': ", spec);
        return rc;
    }
    *out = r;
    return AUGUR_OK;
}

void engine_routing_format(const engine_routing *r, char *out, size_t size)
{
    if (r->mode == ROUTE_TOP_K && r->k == 0)
        snprintf(out, size, "top-k");
    else if (r->mode == ROUTE_TOP_K)
        snprintf(out, size, "top-k:%d", r->k);
    else if (r->mode == ROUTE_TOP_P)
        snprintf(out, size, "top-p:%g:%d:%d", r->p, r->min_experts, r->max_experts);
    else
        snprintf(out, size, "skip:%g", r->beta);
}

int engine_set_routing(engine *e, const engine_routing *r, augur_err *err)
{
    int rc = routing_check(r, err);

    if (rc == AUGUR_OK)
        e->routing = *r;
    return rc;
}

const engine_routing *engine_routing_of(const engine *e)
{
    return &e->routing;
}

void engine_routing_name(const engine *e, char *out, size_t size)
{
    if (e->shape.experts == 0)
        snprintf(out, size, "dense");
    else if (e->routing.mode == ROUTE_TOP_K)
        snprintf(out, size, "top-k:%d", e->routing.k ? e->routing.k : e->shape.experts_used);
    else
        engine_routing_format(&e->routing, out, size);
}

double engine_experts_mean(const engine *e, int layer)
{
    uint64_t sum = 0;

    if (e->stat_tokens == 0 || e->shape.experts == 0 || layer >= e->shape.layers)
        return 0;
    if (layer >= 0)
        return (double)e->stat_experts[layer] / (double)e->stat_tokens;
    for (int l = 0; l < e->shape.layers; l++)
        sum += e->stat_experts[l];
    return (double)sum / (double)e->stat_tokens / e->shape.layers;
}

void engine_stats_reset(engine *e)
{
    memset(e->stat_experts, 0, (size_t)e->shape.layers * sizeof *e->stat_experts);
    e->stat_tokens = 0;
}

/* ---- figures ----------------------------------------------------------------------------- */

double engine_active_bytes(const engine *e, double experts_per_token)
{
    double bytes = 0;

    for (size_t i = 0; i < gguf_tensor_count(e->g); i++) {
        const gguf_tensor *t = gguf_tensor_at(e->g, i);
        size_t len = strlen(t->name);
        if (len > 12 && strcmp(t->name + len - 12, "_exps.weight") == 0)
            bytes += (double)t->size * experts_per_token / e->shape.experts;
        else if (strcmp(t->name, "token_embd.weight") == 0)
            bytes += (double)e->embd.row_bytes + (e->output.data == e->embd.data ? (double)t->size
                                                                                 : 0);
        else
            bytes += (double)t->size;
    }
    return bytes;
}

double engine_kv_read_bytes(const engine *e, int pos)
{
    const engine_shape *s = &e->shape;
    return (double)s->layers * (pos + 1) * s->heads_kv * (s->head_k + s->head_v) *
           (e->kv == ENGINE_KV_F16 ? 2 : 4);
}

/* The first and one-past-last bytes of the tensor data in the mapping. */
static void weights_span(const engine *e, const uint8_t **lo, const uint8_t **hi)
{
    *lo = *hi = NULL;
    for (size_t i = 0; i < gguf_tensor_count(e->g); i++) {
        const gguf_tensor *t = gguf_tensor_at(e->g, i);
        const uint8_t *p = t->data;
        if (!*lo || p < *lo)
            *lo = p;
        if (!*hi || p + t->size > *hi)
            *hi = p + t->size;
    }
}

/* Pages of [lo, hi) in memory, by mincore. */
static uint64_t resident_bytes(const uint8_t *lo, const uint8_t *hi)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE), n;
    uintptr_t start = (uintptr_t)lo & ~(uintptr_t)(page - 1);
    unsigned char *vec;
    uint64_t bytes = 0;

    if (!lo || hi <= lo)
        return 0;
    n = ((uintptr_t)hi - start + page - 1) / page;
    if (!(vec = malloc(n)))
        return 0;
    if (mincore((void *)start, n * page, vec) == 0)
        for (size_t i = 0; i < n; i++)
            bytes += vec[i] & 1 ? page : 0;
    free(vec);
    return bytes;
}

/* /proc/self/smaps_rollup's Rss and Anonymous lines. */
int engine_memory_get(const engine *e, engine_memory *m, augur_err *err)
{
    FILE *f = fopen("/proc/self/smaps_rollup", "r");
    const uint8_t *lo, *hi;
    char line[256];

    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < gguf_tensor_count(e->g); i++)
        m->weights += gguf_tensor_at(e->g, i)->size;
    weights_span(e, &lo, &hi);
    m->weights_resident = resident_bytes(lo, hi);
    m->kv = e->kv_bytes;
    if (!f)
        return augur_err_set(err, AUGUR_EIO, "/proc/self/smaps_rollup: %s", strerror(errno));
    while (fgets(line, sizeof line, f)) {
        unsigned long long kb;
        if (sscanf(line, "Rss: %llu kB", &kb) == 1)
            m->rss = kb << 10;
        else if (sscanf(line, "Anonymous: %llu kB", &kb) == 1)
            m->rss_anon = kb << 10;
    }
    fclose(f);
    return AUGUR_OK;
}

typedef struct touch_job {
    const uint8_t   *base;
    size_t           len, page;
    atomic_uint_fast64_t sum;
} touch_job;

static void touch_pages(void *ctx, int lo, int hi, int thread)
{
    touch_job *j = ctx;
    uint64_t sum = 0;

    (void)thread;
    for (size_t p = (size_t)lo; p < (size_t)hi; p++)
        for (size_t at = p << 24; at < ((p + 1) << 24) && at < j->len; at += j->page)
            sum += j->base[at];
    atomic_fetch_add(&j->sum, sum);
}

void engine_prefault(engine *e)
{
    const uint8_t *lo, *hi;
    touch_job j;

    weights_span(e, &lo, &hi);
    if (!lo)
        return;
    j.base = lo;
    j.len = (size_t)(hi - lo);
    j.page = (size_t)sysconf(_SC_PAGESIZE);
    atomic_init(&j.sum, 0);
    /* one item per 16 MiB, each reading a byte of every page */
    tpool_for(e->pool, (int)((j.len + (1u << 24) - 1) >> 24), 1, touch_pages, &j);
}

typedef struct stream_job {
    const engine        *e;
    const uint8_t       *data;
    atomic_uint_fast64_t sink;
} stream_job;

enum { STREAM_CHUNK = 1 << 20 };   /* bytes per item */

static void stream_read(void *ctx, int lo, int hi, int thread)
{
    stream_job *j = ctx;

    (void)thread;
    atomic_fetch_add(&j->sink, j->e->k->stream(j->data + (size_t)lo * STREAM_CHUNK,
                                              (size_t)(hi - lo) * STREAM_CHUNK));
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of s[0..n), n > 0 (sorts s). */
static double median(double *s, int n)
{
    qsort(s, (size_t)n, sizeof *s, cmp_double);
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

int engine_read_bandwidth(engine *e, size_t bytes, int reps, double *out, augur_err *err)
{
    stream_job j;
    double *secs;
    uint8_t *data;
    size_t len;
    int items;

    bytes -= bytes % STREAM_CHUNK;
    if (bytes == 0 || reps < 1 || bytes / STREAM_CHUNK > INT32_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "bandwidth: %zu bytes, %d passes", bytes, reps);
    /* huge pages where the system gives them, as loaded weights have them, so the
    ** probe is not slowed by page walks */
    len = huge_round(bytes);
    data = huge_alloc(len);
    secs = calloc((size_t)reps, sizeof *secs);
    if (!data || !secs) {
        if (data)
            munmap(data, len);
        free(secs);
        return augur_err_set(err, AUGUR_ENOMEM, "bandwidth: no memory for %zu bytes", bytes);
    }
    memset(data, 0x5a, bytes);            /* real pages, not the shared zero page */
    j.e = e;
    j.data = data;
    atomic_init(&j.sink, 0);
    items = (int)(bytes / STREAM_CHUNK);
    for (int r = 0; r < reps; r++) {
        uint64_t t0 = time_mono_ns();
        tpool_for(e->pool, items, 4, stream_read, &j);
        secs[r] = (double)(time_mono_ns() - t0) / 1e9;
    }
    *out = (double)bytes / median(secs, reps);
    munmap(data, len);
    free(secs);
    return AUGUR_OK;
}

size_t engine_stream_bytes(void)
{
    long l3 = sysconf(_SC_LEVEL3_CACHE_SIZE), pages = sysconf(_SC_PHYS_PAGES);
    size_t bytes = (size_t)1 << 30;
    size_t ram = pages > 0 ? (size_t)pages * (size_t)sysconf(_SC_PAGESIZE) : (size_t)8 << 30;

    if (l3 > 0 && (size_t)l3 * 4 > bytes)
        bytes = (size_t)l3 * 4;
    return bytes < ram / 4 ? bytes : ram / 4;
}

int engine_speed_measure(engine *e, const int32_t *prompt, int n_prompt, int n_gen, int reps,
                         engine_speed *out, augur_err *err)
{
    int V = e->shape.vocab, rc = AUGUR_OK;
    double *pp, *tg;
    float *logits;

    if (n_prompt < 1 || n_gen < 1 || reps < 1)
        return augur_err_set(err, AUGUR_EINVAL, "speed: %d prompt tokens, %d generated, %d runs",
                             n_prompt, n_gen, reps);
    pp = calloc((size_t)reps, sizeof *pp);
    tg = calloc((size_t)reps, sizeof *tg);
    logits = malloc((size_t)V * sizeof *logits);
    if (!pp || !tg || !logits)
        rc = augur_err_set(err, AUGUR_ENOMEM, "speed: out of memory");
    for (int r = 0; r < reps && rc == AUGUR_OK; r++) {
        uint64_t t0;
        engine_rewind(e, 0);
        t0 = time_mono_ns();
        if ((rc = engine_eval(e, prompt, n_prompt, logits, 0, err)) != AUGUR_OK)
            break;
        pp[r] = (double)n_prompt * 1e9 / (double)(time_mono_ns() - t0);
        engine_stats_reset(e);
        t0 = time_mono_ns();
        for (int i = 0; i < n_gen && rc == AUGUR_OK; i++) {
            int32_t next = sample_argmax(logits, V);
            rc = engine_eval(e, &next, 1, logits, 0, err);
        }
        tg[r] = (double)n_gen * 1e9 / (double)(time_mono_ns() - t0);
    }
    if (rc == AUGUR_OK) {
        out->pp = median(pp, reps);
        out->tg = median(tg, reps);
        out->experts = engine_experts_mean(e, -1);
        out->bytes = engine_active_bytes(e, out->experts) +
                     engine_kv_read_bytes(e, n_prompt + n_gen / 2);
    }
    engine_rewind(e, 0);
    free(pp);
    free(tg);
    free(logits);
    return rc;
}
