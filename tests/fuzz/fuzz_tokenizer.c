/*
** fuzz_tokenizer.c — libFuzzer target for the tokenizers (make fuzz-tokenizer).
**
** The vocabularies are the fixtures' ($AUGUR_FIXTURES/vocab, default
** ../shared/fixtures). The first byte of an input picks a vocabulary and the flags;
** the rest is the text. Encoding must succeed (or, for a vocabulary that lacks a
** byte, refuse with a message), every id must be in the vocabulary, and decoding
** must succeed. With the byte-level BPE vocabularies, decoding what was encoded
** from valid UTF-8 must give the text back exactly. (Other bytes need not come
** back: a vocabulary may lack tokens for bytes that UTF-8 never uses, and then the
** unknown token stands for them.)
*/
#include "model/gguf.h"
#include "model/tokenizer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

enum { FUZZ_MAX_VOCABS = 16 };

static gguf *fuzz_files[FUZZ_MAX_VOCABS];
static tokenizer *fuzz_vocabs[FUZZ_MAX_VOCABS];
static int fuzz_n;

static int fuzz_name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fuzz_valid_utf8(const uint8_t *p, size_t n)
{
    utf8proc_int32_t c;

    while (n > 0) {
        utf8proc_ssize_t k = utf8proc_iterate(p, (utf8proc_ssize_t)n, &c);
        if (k <= 0)
            return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *fixtures = getenv("AUGUR_FIXTURES");
    char dir[4096], path[8192], *names[FUZZ_MAX_VOCABS];
    struct dirent *e;
    int n = 0;
    DIR *d;

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "%s/vocab", fixtures && *fixtures ? fixtures : "../shared/fixtures");
    d = opendir(dir);
    while (d && (e = readdir(d)) && n < FUZZ_MAX_VOCABS) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".gguf") == 0)
            names[n++] = strdup(e->d_name);
    }
    if (d)
        closedir(d);
    /* In name order, so that an input picks the same vocabulary on every machine. */
    qsort(names, (size_t)n, sizeof names[0], fuzz_name_cmp);
    for (; fuzz_n < n; fuzz_n++) {
        augur_err err = { 0 };
        snprintf(path, sizeof path, "%s/%s", dir, names[fuzz_n]);
        free(names[fuzz_n]);
        if (gguf_open(&fuzz_files[fuzz_n], path, &err) != AUGUR_OK ||
            tokenizer_new(&fuzz_vocabs[fuzz_n], fuzz_files[fuzz_n], &err) != AUGUR_OK) {
            fprintf(stderr, "fuzz_tokenizer: %s\n", err.msg);
            exit(1);
        }
    }
    if (fuzz_n == 0) {
        fprintf(stderr, "fuzz_tokenizer: no vocabularies in %s (set AUGUR_FIXTURES)\n", dir);
        exit(1);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    buf back = BUF_INIT;
    tokenizer *tok;
    unsigned flags;
    int rc;

    if (size < 1)
        return 0;
    tok = fuzz_vocabs[data[0] % fuzz_n];
    flags = (data[0] / fuzz_n) % 4;
    rc = tokenizer_encode(tok, (const char *)data + 1, size - 1, flags, &ids, &err);
    if (rc != AUGUR_OK) {
        if (!strstr(err.msg, "has no token in this vocabulary"))
            abort();
        token_list_free(&ids);
        return 0;
    }
    for (size_t i = 0; i < ids.len; i++)
        if (ids.ids[i] < 0 || (size_t)ids.ids[i] >= tokenizer_vocab_size(tok))
            abort();
    if (tokenizer_decode(tok, ids.ids, ids.len, DETOKENIZE_SPECIAL, &back, &err) != AUGUR_OK)
        abort();
    if (tokenizer_kind(tok) == TOKENIZER_BPE && !(flags & TOKENIZE_ADD_SPECIAL) &&
        fuzz_valid_utf8(data + 1, size - 1) &&
        (back.len != size - 1 || (back.len && memcmp(back.data, data + 1, back.len) != 0)))
        abort();
    token_list_free(&ids);
    buf_free(&back);
    return 0;
}
