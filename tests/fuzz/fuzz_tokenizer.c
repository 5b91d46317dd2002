/*
** fuzz_tokenizer.c — libFuzzer target for the tokenizers (make fuzz-tokenizer).
**
** The vocabularies are the fixtures' ($AUGUR_FIXTURES/vocab, default
** ../shared/fixtures). The first byte of an input picks a vocabulary and the flags;
** the rest is the text. Encoding must succeed (or, for a vocabulary that lacks a
** byte, refuse with a message), every id must be in the vocabulary, and decoding
** must succeed. With the byte-level BPE vocabularies, decoding what was encoded
** must give the text back exactly, whatever its bytes.
*/
#include "model/gguf.h"
#include "model/tokenizer.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FUZZ_MAX_VOCABS = 16 };

static gguf *fuzz_files[FUZZ_MAX_VOCABS];
static tokenizer *fuzz_vocabs[FUZZ_MAX_VOCABS];
static int fuzz_n;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    const char *fixtures = getenv("AUGUR_FIXTURES");
    char dir[4096], path[8192];
    struct dirent *e;
    DIR *d;

    (void)argc;
    (void)argv;
    snprintf(dir, sizeof dir, "%s/vocab", fixtures && *fixtures ? fixtures : "../shared/fixtures");
    d = opendir(dir);
    while (d && (e = readdir(d)) && fuzz_n < FUZZ_MAX_VOCABS) {
        augur_err err = { 0 };
        size_t len = strlen(e->d_name);
        if (len < 5 || strcmp(e->d_name + len - 5, ".gguf") != 0)
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (gguf_open(&fuzz_files[fuzz_n], path, &err) != AUGUR_OK ||
            tokenizer_new(&fuzz_vocabs[fuzz_n], fuzz_files[fuzz_n], &err) != AUGUR_OK) {
            fprintf(stderr, "fuzz_tokenizer: %s\n", err.msg);
            exit(1);
        }
        fuzz_n++;
    }
    if (d)
        closedir(d);
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
        return 0;
    }
    for (size_t i = 0; i < ids.len; i++)
        if (ids.ids[i] < 0 || (size_t)ids.ids[i] >= tokenizer_vocab_size(tok))
            abort();
    if (tokenizer_decode(tok, ids.ids, ids.len, DETOKENIZE_SPECIAL, &back, &err) != AUGUR_OK)
        abort();
    if (tokenizer_kind(tok) == TOKENIZER_BPE && !(flags & TOKENIZE_ADD_SPECIAL) &&
        (back.len != size - 1 || (back.len && memcmp(back.data, data + 1, back.len) != 0)))
        abort();
    token_list_free(&ids);
    buf_free(&back);
    return 0;
}
