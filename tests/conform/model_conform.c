/*
** model_conform.c — GGUF files and tokenizers against the reference fixtures.
**
**     model-conform [SEED]
**
** Every .gguf file in $AUGUR_FIXTURES/gguf and $AUGUR_FIXTURES/vocab (default
** ../shared/fixtures) must be read, and written again by the writer from what was
** read (metadata in order, tensors in order), byte for byte the same: one case
** per file. For each ggml-vocab-NAME.gguf in vocab/, every input of NAME.gguf.inp
** is tokenized with no BOS/EOS and special tokens not parsed, and must give
** exactly the ids on its line of NAME.gguf.out: one case per input. For the
** byte-level BPE vocabularies, each input and 200 random UTF-8 texts made from
** SEED must also decode back to themselves: one more case per vocabulary.
**
** Then the forward pass: for each MODEL-TYPE.ref.json in gguf/, the engine
** evaluates the reference tokens in one batch and continues greedily, once with
** the AVX2 kernels (where the CPU has them) and once with the portable ones: one
** case per model, type and kernel set, held to the fixtures' tolerance table
** (f32: max |Δlogit| <= 1e-4 and the same greedy tokens; f16, bf16: mean |Δ| <= 0.01,
** the same top-1 everywhere and the same greedy tokens; quantized: mean |Δ| <=
** 0.25 x quant_error_vs_f32 and the same top-1 at >= 90% of positions).
**
** The last line printed is "N passed, N failed", with ", N skipped" when the
** fixtures are missing; AUGUR_REQUIRE_FIXTURES=1 makes missing fixtures a failure.
*/
#include "base/buf.h"
#include "base/rng.h"
#include "base/file.h"
#include "base/json.h"
#include "model/engine.h"
#include "model/gguf.h"
#include "model/quant.h"
#include "model/sample.h"
#include "model/tokenizer.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CONFORM_FILE_MAX = 1 << 20, ROUND_TRIPS = 200 };

static const char separator[] = "\n__ggml_vocab_test__\n";

static rng conform_rng;

static uint32_t conform_next(void)
{
    return (uint32_t)(rng_next(&conform_rng) >> 32);
}

/* Random valid UTF-8 mixing ASCII, tabs and newlines, digits, Latin, combining marks,
** Cyrillic, CJK, Hangul, emoji (no other control characters: falcon's vocabulary
** has no token for some of them). */
static void random_text(buf *b)
{
    static const uint32_t ranges[][2] = {
        { 0x20, 0x7E }, { 0x20, 0x20 }, { 0x30, 0x39 }, { 0x09, 0x0A }, { 0xA0, 0x17F },
        { 0x400, 0x4FF }, { 0x4E00, 0x4FFF }, { 0x1F600, 0x1F64F }, { 0x300, 0x36F },
        { 0x2000, 0x206F }, { 0xAC00, 0xACFF },
    };
    int n = (int)(conform_next() % 40);

    buf_clear(b);
    for (int i = 0; i < n; i++) {
        const uint32_t *r = ranges[conform_next() % (sizeof ranges / sizeof ranges[0])];
        uint32_t c = r[0] + conform_next() % (r[1] - r[0] + 1);
        if (c < 0x80) {
            buf_putc(b, (int)c);
        } else if (c < 0x800) {
            buf_putc(b, (int)(0xC0 | c >> 6));
            buf_putc(b, (int)(0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            buf_putc(b, (int)(0xE0 | c >> 12));
            buf_putc(b, (int)(0x80 | ((c >> 6) & 0x3F)));
            buf_putc(b, (int)(0x80 | (c & 0x3F)));
        } else {
            buf_putc(b, (int)(0xF0 | c >> 18));
            buf_putc(b, (int)(0x80 | ((c >> 12) & 0x3F)));
            buf_putc(b, (int)(0x80 | ((c >> 6) & 0x3F)));
            buf_putc(b, (int)(0x80 | (c & 0x3F)));
        }
    }
}

static void ids_format(const token_list *ids, buf *out)
{
    for (size_t i = 0; i < ids->len; i++)
        buf_printf(out, "%s%ld", i ? " " : "", (long)ids->ids[i]);
}

/* The expected line, with its spacing normalised to single spaces. */
static void want_format(const char *line, size_t len, buf *out)
{
    char *copy = strndup(line, len), *save = NULL;

    for (char *tok = strtok_r(copy, " \t\r", &save); tok; tok = strtok_r(NULL, " \t\r", &save))
        buf_printf(out, "%s%s", out->len ? " " : "", tok);
    free(copy);
}

static void print_text(const char *s, size_t len)
{
    putchar('"');
    for (size_t i = 0; i < len && i < 120; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n')
            fputs("\\n", stdout);
        else if (c == '\t')
            fputs("\\t", stdout);
        else
            putchar(c);
    }
    fputs(len > 120 ? "...\"" : "\"", stdout);
}

/* decode(encode(s)) == s; on a difference, say so. */
static int round_trip(tokenizer *tok, const char *name, const char *s, size_t len)
{
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    buf back = BUF_INIT;
    int ok = tokenizer_encode(tok, s, len, 0, &ids, &err) == AUGUR_OK &&
             tokenizer_decode(tok, ids.ids, ids.len, 0, &back, &err) == AUGUR_OK &&
             back.len == len && (len == 0 || memcmp(back.data, s, len) == 0);

    if (!ok) {
        printf("FAIL %s round trip of ", name);
        print_text(s, len);
        printf(" gave ");
        print_text(buf_str(&back), back.len);
        printf(" %s\n", err.msg);
    }
    token_list_free(&ids);
    buf_free(&back);
    return ok;
}

typedef struct tally {
    int passed, failed;
} tally;

static void conform_cases(tokenizer *tok, const char *name, const char *inp, size_t inp_len,
                          const char *out, tally *t)
{
    const char *p = inp, *end = inp + inp_len, *line = out;
    int bpe = tokenizer_kind(tok) == TOKENIZER_BPE, trips_ok = 1;
    buf text = BUF_INIT;

    while (p < end) {
        const char *sep = memmem(p, (size_t)(end - p), separator, sizeof separator - 1);
        const char *eol = strchr(line, '\n');
        size_t len = sep ? (size_t)(sep - p) : (size_t)(end - p);
        token_list ids = TOKEN_LIST_INIT;
        buf got = BUF_INIT, want = BUF_INIT;
        augur_err err = { 0 };

        if (!sep)
            break;
        want_format(line, eol ? (size_t)(eol - line) : strlen(line), &want);
        if (tokenizer_encode(tok, p, len, 0, &ids, &err) != AUGUR_OK)
            buf_printf(&got, "error: %s", err.msg);
        else
            ids_format(&ids, &got);
        if (strcmp(buf_str(&got), buf_str(&want)) == 0) {
            t->passed++;
        } else {
            t->failed++;
            printf("FAIL %s ", name);
            print_text(p, len);
            printf("\n  got:  %s\n  want: %s\n", buf_str(&got), buf_str(&want));
        }
        if (bpe)
            trips_ok &= round_trip(tok, name, p, len);
        token_list_free(&ids);
        buf_free(&got);
        buf_free(&want);
        p = sep + sizeof separator - 1;
        line = eol ? eol + 1 : line + strlen(line);
    }
    for (int i = 0; bpe && i < ROUND_TRIPS; i++) {
        random_text(&text);
        trips_ok &= round_trip(tok, name, buf_str(&text), text.len);
    }
    if (bpe) {
        t->passed += trips_ok;
        t->failed += !trips_ok;
    }
    buf_free(&text);
}

static void conform_vocab(const char *dir, const char *file, tally *t)
{
    buf path = BUF_INIT, inp_path = BUF_INIT, out_path = BUF_INIT;
    char *inp = NULL, *out = NULL;
    augur_err err = { 0 };
    tokenizer *tok = NULL;
    size_t inp_len, out_len;
    int before = t->passed + t->failed;
    gguf *g = NULL;

    buf_printf(&path, "%s/%s", dir, file);
    buf_printf(&inp_path, "%s.inp", buf_str(&path));
    buf_printf(&out_path, "%s.out", buf_str(&path));
    if (file_read(buf_str(&inp_path), CONFORM_FILE_MAX, &inp, &inp_len, &err) != AUGUR_OK ||
        file_read(buf_str(&out_path), CONFORM_FILE_MAX, &out, &out_len, &err) != AUGUR_OK ||
        gguf_open(&g, buf_str(&path), &err) != AUGUR_OK ||
        tokenizer_new(&tok, g, &err) != AUGUR_OK) {
        printf("FAIL %s: %s\n", file, err.msg);
        t->failed++;
    } else {
        conform_cases(tok, file, inp, inp_len, out, t);
        printf("%s (%s, %s): %d cases\n", file, tokenizer_kind_name(tokenizer_kind(tok)),
               tokenizer_pre(tok), t->passed + t->failed - before);
    }
    tokenizer_free(tok);
    gguf_close(g);
    free(inp);
    free(out);
    buf_free(&path);
    buf_free(&inp_path);
    buf_free(&out_path);
}

/* Read path, write what was read, and compare. */
static void conform_rewrite(const char *dir, const char *file, tally *t)
{
    augur_err err = { 0 };
    buf path = BUF_INIT, out = BUF_INIT;
    gguf_writer *w = gguf_writer_new();
    char *orig = NULL;
    size_t len = 0;
    gguf *g = NULL;
    int rc;

    buf_printf(&path, "%s/%s", dir, file);
    rc = gguf_open(&g, buf_str(&path), &err);
    for (size_t i = 0; rc == AUGUR_OK && i < gguf_kv_count(g); i++) {
        gguf_str key = gguf_kv_key(g, i);
        char *k = strndup(key.ptr, key.len);
        rc = k ? gguf_writer_add_value(w, k, gguf_kv_value(g, i), &err) : AUGUR_ENOMEM;
        free(k);
    }
    for (size_t i = 0; rc == AUGUR_OK && i < gguf_tensor_count(g); i++) {
        const gguf_tensor *x = gguf_tensor_at(g, i);
        rc = gguf_writer_add_tensor(w, x->name, (enum ggml_type)x->type, x->n_dims, x->ne,
                                    x->data, &err);
    }
    if (rc == AUGUR_OK)
        rc = gguf_writer_to_buf(w, &out, &err);
    if (rc == AUGUR_OK)
        rc = file_read(buf_str(&path), (size_t)1 << 32, &orig, &len, &err);
    if (rc != AUGUR_OK) {
        printf("FAIL %s: %s\n", file, err.msg);
        t->failed++;
    } else if (out.len != len || memcmp(out.data, orig, len) != 0) {
        size_t at = 0;
        while (at < len && at < out.len && out.data[at] == orig[at])
            at++;
        printf("FAIL %s: written again, %zu bytes instead of %zu, first differing at %zu\n",
               file, out.len, len, at);
        t->failed++;
    } else {
        t->passed++;
    }
    free(orig);
    gguf_close(g);
    gguf_writer_free(w);
    buf_free(&out);
    buf_free(&path);
}

/* ---- the forward pass --------------------------------------------------------------- */

enum { GREEDY_MAX = 64 };

typedef struct reference {
    int     n_vocab, n_tokens, n_greedy;
    int32_t *tokens;
    float   *logits;                 /* n_tokens x n_vocab */
    int32_t greedy[GREEDY_MAX];
    double  quant_error;
} reference;

static void reference_free(reference *r)
{
    free(r->tokens);
    free(r->logits);
}

/* The reference in path: every field checked, so a damaged file fails its case. */
static int reference_read(const char *path, reference *r, augur_err *err)
{
    const cJSON *tokens, *logits, *greedy, *v;
    char *text = NULL;
    size_t len;
    cJSON *doc;
    int i = 0;

    memset(r, 0, sizeof *r);
    if (file_read(path, 1 << 26, &text, &len, err) != AUGUR_OK)
        return -1;
    doc = json_parse(text, len, path, err);
    free(text);
    if (!doc)
        return -1;
    tokens = cJSON_GetObjectItem(doc, "tokens");
    logits = cJSON_GetObjectItem(doc, "logits");
    greedy = cJSON_GetObjectItem(doc, "greedy");
    v = cJSON_GetObjectItem(doc, "n_vocab");
    r->n_vocab = cJSON_IsNumber(v) ? v->valueint : 0;
    v = cJSON_GetObjectItem(doc, "quant_error_vs_f32");
    r->quant_error = cJSON_IsNumber(v) ? v->valuedouble : 0;
    r->n_tokens = cJSON_GetArraySize(tokens);
    r->n_greedy = cJSON_GetArraySize(greedy);
    if (r->n_vocab <= 0 || r->n_tokens <= 0 || cJSON_GetArraySize(logits) != r->n_tokens ||
        r->n_greedy > GREEDY_MAX) {
        cJSON_Delete(doc);
        augur_err_set(err, AUGUR_EINVAL, "%s: missing or inconsistent fields", path);
        return -1;
    }
    r->tokens = calloc((size_t)r->n_tokens, sizeof *r->tokens);
    r->logits = calloc((size_t)r->n_tokens * r->n_vocab, sizeof *r->logits);
    cJSON_ArrayForEach(v, tokens) r->tokens[i++] = (int32_t)v->valueint;
    i = 0;
    cJSON_ArrayForEach(v, greedy) r->greedy[i++] = (int32_t)v->valueint;
    i = 0;
    cJSON_ArrayForEach(v, logits) {
        const cJSON *x;
        int j = 0;
        if (cJSON_GetArraySize(v) != r->n_vocab)
            break;
        cJSON_ArrayForEach(x, v) r->logits[(size_t)i * r->n_vocab + j++] = (float)x->valuedouble;
        i++;
    }
    cJSON_Delete(doc);
    if (i != r->n_tokens) {
        augur_err_set(err, AUGUR_EINVAL, "%s: a row of logits is not n_vocab long", path);
        return -1;
    }
    return 0;
}

/* Evaluate r's tokens in one batch and continue greedily; compare by the table. */
static int forward_case(const char *model, const char *name, const reference *r, int scalar,
                        const char *kind, buf *why)
{
    engine_opts o = ENGINE_OPTS_DEFAULT;
    float *logits = calloc((size_t)r->n_tokens * r->n_vocab, sizeof *logits);
    double max = 0, sum = 0;
    augur_err err = { 0 };
    int top1 = 0, greedy = 0, ok, next;
    engine *e = NULL;

    o.scalar = scalar;
    o.threads = 2;
    if (!logits || engine_open(&e, model, &o, &err) != AUGUR_OK ||
        engine_eval(e, r->tokens, r->n_tokens, logits, 1, &err) != AUGUR_OK) {
        buf_printf(why, "%s", err.msg);
        free(logits);
        engine_free(e);
        return 0;
    }
    for (int t = 0; t < r->n_tokens; t++) {
        const float *got = logits + (size_t)t * r->n_vocab;
        const float *want = r->logits + (size_t)t * r->n_vocab;
        for (int v = 0; v < r->n_vocab; v++) {
            double d = fabs((double)got[v] - want[v]);
            max = d > max ? d : max;
            sum += d;
        }
        top1 += sample_argmax(got, r->n_vocab) == sample_argmax(want, r->n_vocab);
    }
    next = sample_argmax(logits + (size_t)(r->n_tokens - 1) * r->n_vocab, r->n_vocab);
    for (int i = 0; i < r->n_greedy; i++) {
        greedy += next == r->greedy[i];
        if (engine_eval(e, &next, 1, logits, 0, &err) != AUGUR_OK)
            break;
        next = sample_argmax(logits, r->n_vocab);
    }
    sum /= (double)r->n_tokens * r->n_vocab;
    if (strcmp(kind, "f32") == 0)
        ok = max <= 1e-4 && greedy == r->n_greedy;
    else if (strcmp(kind, "f16") == 0 || strcmp(kind, "bf16") == 0)
        ok = sum <= 0.01 && top1 == r->n_tokens && greedy == r->n_greedy;
    else
        ok = sum <= 0.25 * r->quant_error && top1 * 10 >= r->n_tokens * 9;
    buf_printf(why, "%-22s %-6s max|d| %.2e  mean|d| %.2e", name, scalar ? "scalar" : "avx2", max,
               sum);
    if (strcmp(kind, "f32") && strcmp(kind, "f16") && strcmp(kind, "bf16"))
        buf_printf(why, " (limit %.2e)", 0.25 * r->quant_error);
    buf_printf(why, "  top-1 %d/%d  greedy %d/%d", top1, r->n_tokens, greedy, r->n_greedy);
    free(logits);
    engine_free(e);
    return ok;
}

/* Every MODEL-TYPE.ref.json of dir, on each kernel set. */
static void conform_forward(const char *dir, char *const *models, size_t n_models, tally *t)
{
    int has_avx2 = quant_kernels_avx2() != NULL, before = t->passed + t->failed;

    for (size_t i = 0; i < n_models; i++) {
        buf ref = BUF_INIT, model = BUF_INIT;
        const char *name = models[i], *kind = strrchr(name, '-');
        size_t len = strlen(name) - 5;
        augur_err err = { 0 };
        reference r;

        buf_printf(&ref, "%s/%.*s.ref.json", dir, (int)len, name);
        buf_printf(&model, "%s/%s", dir, name);
        if (reference_read(buf_str(&ref), &r, &err) != 0) {
            printf("FAIL %s: %s\n", name, err.msg);
            t->failed++;
        } else {
            char k[16];
            snprintf(k, sizeof k, "%.*s", (int)(name + len - kind - 1), kind + 1);
            for (int scalar = has_avx2 ? 0 : 1; scalar <= 1; scalar++) {
                buf why = BUF_INIT;
                int ok = forward_case(buf_str(&model), name, &r, scalar, k, &why);
                printf("%s %s\n", ok ? "ok  " : "FAIL", buf_str(&why));
                ok ? t->passed++ : t->failed++;
                buf_free(&why);
            }
        }
        reference_free(&r);
        buf_free(&ref);
        buf_free(&model);
    }
    printf("forward: %d cases (%s)\n", t->passed + t->failed - before,
           has_avx2 ? "avx2 and scalar kernels" : "scalar kernels; this CPU has no AVX2");
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The .gguf files in dir, sorted; the count, or 0 when there are none. */
static size_t gguf_names(const char *dir, char **names, size_t max)
{
    struct dirent *e;
    DIR *d = opendir(dir);
    size_t n = 0;

    while (d && (e = readdir(d)) && n < max) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".gguf") == 0)
            names[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    qsort(names, n, sizeof names[0], name_cmp);
    return n;
}

int main(int argc, char **argv)
{
    const char *fixtures = getenv("AUGUR_FIXTURES");
    const char *require = getenv("AUGUR_REQUIRE_FIXTURES");
    int required = require && strcmp(require, "1") == 0;
    char *models[64], *vocabs[64];
    size_t n_models, n_vocabs;
    tally t = { 0, 0 }, files;
    buf gdir = BUF_INIT, vdir = BUF_INIT;

    rng_seed(&conform_rng, argc > 1 ? strtoull(argv[1], NULL, 10) : 1);
    if (!fixtures || !*fixtures)
        fixtures = "../shared/fixtures";
    buf_printf(&gdir, "%s/gguf", fixtures);
    buf_printf(&vdir, "%s/vocab", fixtures);
    n_models = gguf_names(buf_str(&gdir), models, 64);
    n_vocabs = gguf_names(buf_str(&vdir), vocabs, 64);
    if (n_models == 0 || n_vocabs == 0) {
        printf("model: %s: no GGUF files at %s or %s (set AUGUR_FIXTURES)\n",
               required ? "FAILED" : "skipped", buf_str(&gdir), buf_str(&vdir));
        printf(required ? "0 passed, 1 failed\n" : "0 passed, 0 failed, 1 skipped\n");
        return required ? 1 : 0;
    }
    for (size_t i = 0; i < n_models; i++)
        conform_rewrite(buf_str(&gdir), models[i], &t);
    for (size_t i = 0; i < n_vocabs; i++)
        conform_rewrite(buf_str(&vdir), vocabs[i], &t);
    files = t;
    printf("gguf: %d/%zu files read and written again byte for byte\n", files.passed,
           n_models + n_vocabs);
    for (size_t i = 0; i < n_vocabs; i++)
        conform_vocab(buf_str(&vdir), vocabs[i], &t);
    printf("vocab: %d/%d tokenizer cases\n", t.passed - files.passed,
           t.passed + t.failed - files.passed - files.failed);
    conform_forward(buf_str(&gdir), models, n_models, &t);
    for (size_t i = 0; i < n_models; i++)
        free(models[i]);
    for (size_t i = 0; i < n_vocabs; i++)
        free(vocabs[i]);
    buf_free(&gdir);
    buf_free(&vdir);
    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed ? 1 : 0;
}
