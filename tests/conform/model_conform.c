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
** SEED must also decode back to themselves: one more case per vocabulary. The last
** line printed is "N passed, N failed", with ", N skipped" when the fixtures are
** missing; AUGUR_REQUIRE_FIXTURES=1 makes missing fixtures a failure.
*/
#include "base/buf.h"
#include "base/file.h"
#include "model/gguf.h"
#include "model/tokenizer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CONFORM_FILE_MAX = 1 << 20, ROUND_TRIPS = 200 };

static const char separator[] = "\n__ggml_vocab_test__\n";

static uint64_t rng_state;

static uint32_t rng_next(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 32);
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
    int n = (int)(rng_next() % 40);

    buf_clear(b);
    for (int i = 0; i < n; i++) {
        const uint32_t *r = ranges[rng_next() % (sizeof ranges / sizeof ranges[0])];
        uint32_t c = r[0] + rng_next() % (r[1] - r[0] + 1);
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

    rng_state = (argc > 1 ? strtoull(argv[1], NULL, 10) : 1) * 2 + 1;
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
    for (size_t i = 0; i < n_models; i++)
        free(models[i]);
    for (size_t i = 0; i < n_vocabs; i++)
        free(vocabs[i]);
    buf_free(&gdir);
    buf_free(&vdir);
    printf("%d passed, %d failed\n", t.passed, t.failed);
    return t.failed ? 1 : 0;
}
