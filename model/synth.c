/* synth.c — random-weight models, written with the GGUF writer. */
#include "model/synth.h"
#include "model/gguf.h"
#include "model/tpool.h"
#include "model/quant.h"
#include "base/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SYNTH_MAX_TENSORS = 24, SYNTH_BYTE_TOKENS = 256, SYNTH_FIRST_PIECE = 3 + 256 };

/* How one tensor's values are drawn: uniform in center ± spread. */
typedef struct synth_tensor {
    struct synth *s;
    char          name[GGUF_NAME_MAX + 1];
    uint32_t      type;
    int           cols;
    uint64_t      rows;              /* all rows, experts included */
    float         center, spread;
} synth_tensor;

typedef struct synth {
    const synth_opts *o;
    tpool             *pool;
    float            *scratch;       /* [thread][widest row] */
    int               widest;
    synth_tensor     *tensors;
    size_t            n_tensors, cap;
    uint64_t          made, total;   /* bytes of tensor data */
} synth;

static uint64_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    while (*s)
        h = (h ^ (unsigned char)*s++) * 1099511628211ull;
    return h;
}

typedef struct fill_job {
    synth_tensor *t;
    uint8_t      *out;
    size_t        row_bytes;
} fill_job;

/* Rows lo..hi: each from its own stream, so threads do not change the values. */
static void fill_rows(void *ctx, int lo, int hi, int thread)
{
    fill_job *j = ctx;
    synth_tensor *t = j->t;
    float *x = t->s->scratch + (size_t)thread * t->s->widest;

    for (int r = lo; r < hi; r++) {
        uint64_t state = t->s->o->seed ^ name_hash(t->name) ^ ((uint64_t)r * 0xD1B54A32D192ED03ull);
        for (int i = 0; i < t->cols; i++) {
            double u = rng_splitmix_uniform(&state);
            x[i] = t->center + t->spread * (float)(2 * u - 1);
        }
        quant_quantize(t->type, x, j->out + (size_t)r * j->row_bytes, t->cols);
    }
}

static int synth_fill(void *ctx, const char *name, void *out, uint64_t size)
{
    synth_tensor *t = ctx;
    fill_job j = { t, out, (size_t)ggml_type_bytes(t->type, (uint64_t)t->cols) };

    (void)name;
    tpool_for(t->s->pool, (int)t->rows, 16, fill_rows, &j);
    t->s->made += size;
    if (t->s->o->progress)
        t->s->o->progress(t->s->o->progress_ctx, t->s->made, t->s->total);
    return 0;
}

/* The matrix type: o->type where rows are whole blocks of it, else q8_0, else f16. */
static uint32_t row_type(const synth *s, int cols, int matrix)
{
    uint32_t types[] = { s->o->type, GGML_TYPE_Q8_0, GGML_TYPE_F16 };

    if (!matrix)
        return GGML_TYPE_F32;
    for (int i = 0; i < 3; i++)
        if (cols % (int)ggml_type_get(types[i])->block_size == 0)
            return types[i];
    return GGML_TYPE_F32;
}

/* Add tensor name {cols, rows[, n]} whose values are center ± spread. */
static int add(synth *s, gguf_writer *w, int layer, const char *name, int cols, int rows, int n,
               int matrix, float center, float spread, augur_err *err)
{
    uint64_t ne[3] = { (uint64_t)cols, (uint64_t)rows, (uint64_t)n };
    synth_tensor *t = &s->tensors[s->n_tensors++];

    t->s = s;
    if (layer < 0)
        snprintf(t->name, sizeof t->name, "%s", name);
    else
        snprintf(t->name, sizeof t->name, "blk.%d.%s", layer, name);
    t->type = row_type(s, cols, matrix);
    t->cols = cols;
    t->rows = (uint64_t)rows * (uint64_t)n;
    t->center = center;
    t->spread = spread * sqrtf(3.0f);   /* a uniform of this standard deviation */
    s->total += ggml_type_bytes(t->type, (uint64_t)cols * t->rows);
    if (cols > s->widest)
        s->widest = cols;
    return gguf_writer_add_tensor_fill(w, t->name, (enum ggml_type)t->type,
                                       n > 1 ? 3 : rows > 1 ? 2 : 1, ne, synth_fill, t, err);
}

static int add_layer(synth *s, gguf_writer *w, int l, augur_err *err)
{
    const synth_opts *o = s->o;
    int d = o->width, hd = o->head_dim ? o->head_dim : o->width / o->heads;
    int hkv = o->heads_kv ? o->heads_kv : o->heads, q = o->heads * hd, kv = hkv * hd;
    int sh = o->ff_shared ? o->ff_shared : 2 * o->ff, rc = AUGUR_OK;
    float in = 1 / sqrtf((float)d), mid = 1 / sqrtf((float)o->ff), att = 1 / sqrtf((float)q);

#define ADD(...) if (rc == AUGUR_OK) rc = add(s, w, l, __VA_ARGS__, err)
    ADD("attn_norm.weight", d, 1, 1, 0, 1, 0.06f);
    ADD("attn_q.weight", d, q, 1, 1, 0, in);
    ADD("attn_k.weight", d, kv, 1, 1, 0, in);
    ADD("attn_v.weight", d, kv, 1, 1, 0, in);
    ADD("attn_output.weight", q, d, 1, 1, 0, att);
    if (strcmp(o->arch, "qwen2moe") == 0) {
        ADD("attn_q.bias", q, 1, 1, 0, 0, 0.1f);
        ADD("attn_k.bias", kv, 1, 1, 0, 0, 0.1f);
        ADD("attn_v.bias", kv, 1, 1, 0, 0, 0.1f);
    }
    if (strcmp(o->arch, "olmoe") == 0) {
        ADD("attn_q_norm.weight", q, 1, 1, 0, 1, 0.06f);
        ADD("attn_k_norm.weight", kv, 1, 1, 0, 1, 0.06f);
    } else if (strcmp(o->arch, "qwen3moe") == 0) {
        ADD("attn_q_norm.weight", hd, 1, 1, 0, 1, 0.06f);
        ADD("attn_k_norm.weight", hd, 1, 1, 0, 1, 0.06f);
    }
    ADD("ffn_norm.weight", d, 1, 1, 0, 1, 0.06f);
    if (o->experts == 0) {
        ADD("ffn_gate.weight", d, o->ff, 1, 1, 0, in);
        ADD("ffn_up.weight", d, o->ff, 1, 1, 0, in);
        ADD("ffn_down.weight", o->ff, d, 1, 1, 0, mid);
        return rc;
    }
    ADD("ffn_gate_inp.weight", d, o->experts, 1, 0, 0, 2 * in);
    ADD("ffn_gate_exps.weight", d, o->ff, o->experts, 1, 0, in);
    ADD("ffn_up_exps.weight", d, o->ff, o->experts, 1, 0, in);
    ADD("ffn_down_exps.weight", o->ff, d, o->experts, 1, 0, mid);
    if (strcmp(o->arch, "qwen2moe") == 0) {
        ADD("ffn_gate_inp_shexp.weight", d, 1, 1, 0, 0, in);
        ADD("ffn_gate_shexp.weight", d, sh, 1, 1, 0, in);
        ADD("ffn_up_shexp.weight", d, sh, 1, 1, 0, in);
        ADD("ffn_down_shexp.weight", sh, d, 1, 1, 0, 1 / sqrtf((float)sh));
    }
#undef ADD
    return rc;
}

/* Piece i of the vocabulary after the bytes: "▁", then letter strings in order of
** length ("a" .. "z", "aa", ...), each alone and after "▁". */
static void piece(int i, char *out)
{
    char word[16];
    int n = 0, k;

    if (i == 0) {
        strcpy(out, "\xe2\x96\x81");
        return;
    }
    k = (i - 1) / 2;
    for (int len = 1;; len++) {               /* k-th string of letters, by length */
        long count = 1;
        for (int c = 0; c < len; c++)
            count *= 26;
        if (k < count) {
            for (int c = len - 1; c >= 0; c--, k /= 26)
                word[c] = (char)('a' + k % 26);
            n = len;
            break;
        }
        k -= (int)count;
    }
    word[n] = 0;
    sprintf(out, "%s%s", (i - 1) % 2 ? "\xe2\x96\x81" : "", word);
}

static int add_vocab(const synth_opts *o, gguf_writer *w, augur_err *err)
{
    size_t n = (size_t)o->vocab;
    char **tokens = calloc(n, sizeof *tokens), *text = calloc(n, 24);
    float *scores = calloc(n, sizeof *scores);
    int32_t *types = calloc(n, sizeof *types);
    int rc = AUGUR_ENOMEM;

    if (tokens && text && scores && types) {
        for (size_t i = 0; i < n; i++) {
            tokens[i] = text + 24 * i;
            if (i < 3) {
                strcpy(tokens[i], i == 0 ? "<unk>" : i == 1 ? "<s>" : "</s>");
                types[i] = i == 0 ? 2 : 3;
            } else if (i < SYNTH_FIRST_PIECE) {
                sprintf(tokens[i], "<0x%02X>", (unsigned)(i - 3));
                types[i] = 6;
            } else {
                piece((int)(i - SYNTH_FIRST_PIECE), tokens[i]);
                types[i] = 1;
                scores[i] = -(float)(i - SYNTH_FIRST_PIECE) / 1000;
            }
        }
        if ((rc = gguf_writer_add_str(w, "tokenizer.ggml.model", "llama", 5, err)) == AUGUR_OK &&
            (rc = gguf_writer_add_array(w, "tokenizer.ggml.tokens", GGUF_TYPE_STRING, tokens, n,
                                        err)) == AUGUR_OK &&
            (rc = gguf_writer_add_array(w, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, scores, n,
                                        err)) == AUGUR_OK &&
            (rc = gguf_writer_add_array(w, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, types,
                                        n, err)) == AUGUR_OK &&
            (rc = gguf_writer_add_uint(w, "tokenizer.ggml.bos_token_id", GGUF_TYPE_UINT32, 1,
                                       err)) == AUGUR_OK &&
            (rc = gguf_writer_add_uint(w, "tokenizer.ggml.eos_token_id", GGUF_TYPE_UINT32, 2,
                                       err)) == AUGUR_OK &&
            (rc = gguf_writer_add_uint(w, "tokenizer.ggml.unknown_token_id", GGUF_TYPE_UINT32, 0,
                                       err)) == AUGUR_OK)
            rc = gguf_writer_add_uint(w, "tokenizer.ggml.add_bos_token", GGUF_TYPE_BOOL, 1, err);
    } else {
        augur_err_set(err, AUGUR_ENOMEM, "synth: out of memory");
    }
    free(tokens);
    free(text);
    free(scores);
    free(types);
    return rc;
}

static int add_meta(const synth_opts *o, gguf_writer *w, augur_err *err)
{
    char key[96];
    int hd = o->head_dim ? o->head_dim : o->width / o->heads, rc;
    struct { const char *key; int64_t v; } ints[] = {
        { "context_length", o->context }, { "embedding_length", o->width },
        { "block_count", o->layers }, { "feed_forward_length", o->ff },
        { "attention.head_count", o->heads },
        { "attention.head_count_kv", o->heads_kv ? o->heads_kv : o->heads },
        { "attention.key_length", hd }, { "attention.value_length", hd },
        { "rope.dimension_count", hd }, { "expert_count", o->experts },
        { "expert_used_count", o->experts_used }, { "expert_feed_forward_length", o->ff },
        { "expert_shared_feed_forward_length", o->ff_shared ? o->ff_shared : 2 * o->ff },
    };
    struct { const char *key; double v; } floats[] = {
        { "attention.layer_norm_rms_epsilon", 1e-5 }, { "rope.freq_base", 10000 },
        { "embedding_scale", 12 }, { "residual_scale", 0.22 }, { "logit_scale", 6 },
        { "attention.scale", 1.0 / hd },
    };
    int n_floats = strcmp(o->arch, "granitemoe") == 0 ? 6 : 2;

    snprintf(key, sizeof key, "synth-%s", o->arch);
    if ((rc = gguf_writer_add_str(w, "general.architecture", o->arch, strlen(o->arch),
                                  err)) != AUGUR_OK ||
        (rc = gguf_writer_add_str(w, "general.name", key, strlen(key), err)) != AUGUR_OK)
        return rc;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (o->experts == 0 && i >= 9)
            break;
        snprintf(key, sizeof key, "%s.%s", o->arch, ints[i].key);
        if ((rc = gguf_writer_add_uint(w, key, GGUF_TYPE_UINT32, (uint64_t)ints[i].v,
                                       err)) != AUGUR_OK)
            return rc;
    }
    for (int i = 0; i < n_floats; i++) {
        snprintf(key, sizeof key, "%s.%s", o->arch, floats[i].key);
        if ((rc = gguf_writer_add_float(w, key, GGUF_TYPE_FLOAT32, floats[i].v, err)) != AUGUR_OK)
            return rc;
    }
    return add_vocab(o, w, err);
}

static int synth_check(const synth_opts *o, augur_err *err)
{
    static const char *const arches[] = { "llama", "qwen2moe", "qwen3moe", "olmoe", "granitemoe" };
    int known = 0, hd;

    for (int i = 0; i < 5; i++)
        known |= o->arch && strcmp(o->arch, arches[i]) == 0;
    if (!known)
        return augur_err_set(err, AUGUR_EINVAL, "synth: unsupported architecture '%s' (llama, "
                             "qwen2moe, qwen3moe, olmoe, granitemoe)", o->arch ? o->arch : "");
    if (o->width < 1 || o->width > 1 << 16 || o->layers < 1 || o->layers > 1024 || o->heads < 1 ||
        o->heads > o->width || o->heads_kv < 0 || o->heads_kv > o->heads ||
        (o->heads_kv && o->heads % o->heads_kv) || o->head_dim < 0 || o->head_dim > 4096 ||
        o->ff < 1 || o->ff > 1 << 20 || o->ff_shared < 0 || o->ff_shared > 1 << 20 ||
        o->vocab < SYNTH_FIRST_PIECE + 1 || o->vocab > 1 << 22 || o->context < 1 ||
        o->context > 1 << 24 || o->experts < 0 || o->experts > 1024 || o->experts_used < 0 ||
        o->experts_used > o->experts || o->threads < 0)
        return augur_err_set(err, AUGUR_EINVAL, "synth: a shape out of range (width %d, layers "
                             "%d, heads %d/%d, ff %d, experts %d/%d, vocab %d from %d, context %d)",
                             o->width, o->layers, o->heads, o->heads_kv, o->ff, o->experts_used,
                             o->experts, o->vocab, SYNTH_FIRST_PIECE + 1, o->context);
    hd = o->head_dim ? o->head_dim : o->width / o->heads;
    if (hd < 2 || hd % 2)
        return augur_err_set(err, AUGUR_EINVAL, "synth: heads of %d values (need an even size)",
                             hd);
    if ((o->experts == 0) != (o->experts_used == 0) ||
        (o->experts == 0 && strcmp(o->arch, "llama")))
        return augur_err_set(err, AUGUR_EINVAL, "synth: %s needs experts and experts used",
                             o->arch);
    if (!quant_supported(o->type))
        return augur_err_set(err, AUGUR_EINVAL, "synth: type %s is not one the engine runs (%s)",
                             ggml_type_get(o->type)->name ? ggml_type_get(o->type)->name : "?",
                             quant_supported_list());
    return AUGUR_OK;
}

int synth_write(const synth_opts *o, const char *path, augur_err *err)
{
    synth s = { o, NULL, NULL, 0, NULL, 0, 0, 0, 0 };
    gguf_writer *w = NULL;
    int rc;

    if ((rc = synth_check(o, err)) != AUGUR_OK)
        return rc;
    s.cap = (size_t)o->layers * SYNTH_MAX_TENSORS + 3;
    if (!(s.tensors = calloc(s.cap, sizeof *s.tensors)) || !(w = gguf_writer_new())) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "synth: out of memory");
        goto done;
    }
    if ((rc = add_meta(o, w, err)) != AUGUR_OK ||
        (rc = add(&s, w, -1, "token_embd.weight", o->width, o->vocab, 1, 1, 0, 1,
                  err)) != AUGUR_OK ||
        (rc = add(&s, w, -1, "output_norm.weight", o->width, 1, 1, 0, 1, 0.06f,
                  err)) != AUGUR_OK ||
        (!o->tied && (rc = add(&s, w, -1, "output.weight", o->width, o->vocab, 1, 1, 0,
                               2 / sqrtf((float)o->width), err)) != AUGUR_OK))
        goto done;
    for (int l = 0; l < o->layers; l++)
        if ((rc = add_layer(&s, w, l, err)) != AUGUR_OK)
            goto done;
    if ((rc = tpool_new(&s.pool, o->threads ? o->threads : tpool_physical_cores(), err)) != AUGUR_OK)
        goto done;
    if (!(s.scratch = calloc((size_t)tpool_threads(s.pool) * s.widest, sizeof *s.scratch))) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "synth: out of memory");
        goto done;
    }
    rc = gguf_writer_write(w, path, err);
done:
    tpool_free(s.pool);
    free(s.scratch);
    free(s.tensors);
    gguf_writer_free(w);
    return rc;
}
