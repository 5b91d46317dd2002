/*
** fuzz_gguf.c — libFuzzer target for the GGUF reader and writer (make fuzz-gguf).
**
** Any input must be read or refused with a message, never crash, hang or read out
** of bounds. What is read is walked whole (every value, every element, the first
** and last byte of every tensor), written back through the writer, and the copy
** must read back with the same metadata and the same tensor bytes. A file that
** names a tokenizer is loaded as one, which must work or be refused with a
** message, and then tokenize and decode a fixed text. A file the engine accepts as
** a model evaluates a few tokens, in one batch and then one more.
*/
#include "model/engine.h"
#include "model/gguf.h"
#include "model/tokenizer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned fuzz_sink;

static void fuzz_walk(const gguf_value *v)
{
    uint64_t n = gguf_array_len(v);
    int64_t i64;
    uint64_t u64;
    double f;
    gguf_str s;
    int b;

    fuzz_sink += gguf_get_int(v, &i64) + gguf_get_uint(v, &u64) + gguf_get_float(v, &f) +
                 gguf_get_bool(v, &b);
    if (gguf_get_str(v, &s) == AUGUR_OK && s.len)
        fuzz_sink += (unsigned char)s.ptr[0] + (unsigned char)s.ptr[s.len - 1];
    for (uint64_t i = 0; i < n; i++) {
        const gguf_value *item = gguf_array_at(v, i);
        gguf_str e = gguf_array_str(v, i);
        fuzz_sink += gguf_array_int(v, i, &i64) + gguf_array_float(v, i, &f);
        if (e.len)
            fuzz_sink += (unsigned char)e.ptr[e.len - 1];
        if (item)
            fuzz_walk(item);
    }
}

static void fuzz_rewrite(const gguf *g)
{
    gguf_writer *w = gguf_writer_new();
    augur_err err = { 0 };
    buf out = BUF_INIT;
    gguf *again;

    if (!w)
        abort();
    for (size_t i = 0; i < gguf_kv_count(g); i++) {
        gguf_str key = gguf_kv_key(g, i);
        char *k = strndup(key.ptr, key.len);
        /* A key with a NUL byte cannot be named through the C string API. */
        if (!memchr(key.ptr, '\0', key.len) &&
            gguf_writer_add_value(w, k, gguf_kv_value(g, i), &err) != AUGUR_OK)
            abort();
        free(k);
    }
    for (size_t i = 0; i < gguf_tensor_count(g); i++) {
        const gguf_tensor *t = gguf_tensor_at(g, i);
        if (gguf_writer_add_tensor(w, t->name, (enum ggml_type)t->type, t->n_dims, t->ne, t->data,
                                   &err) != AUGUR_OK)
            abort();
    }
    if (gguf_writer_to_buf(w, &out, &err) != AUGUR_OK)
        abort();
    if (gguf_open_memory(&again, out.data, out.len, "rewritten", &err) != AUGUR_OK)
        abort();
    if (gguf_tensor_count(again) != gguf_tensor_count(g))
        abort();
    for (size_t i = 0; i < gguf_tensor_count(g); i++) {
        const gguf_tensor *a = gguf_tensor_at(g, i), *b = gguf_tensor_at(again, i);
        if (a->size != b->size || strcmp(a->name, b->name) != 0 ||
            (a->size && memcmp(a->data, b->data, a->size) != 0))
            abort();
    }
    gguf_close(again);
    gguf_writer_free(w);
    buf_free(&out);
}

static void fuzz_tokenizer(const gguf *g)
{
    static const char text[] = "Hello w\xc3\xb6rld <s> 123  \xe4\xb8\x96\n\xff";
    augur_err err = { 0 };
    tokenizer *tok;

    if (tokenizer_new(&tok, g, &err) != AUGUR_OK) {
        if (err.msg[0] == '\0')
            abort();
        return;
    }
    for (unsigned flags = 0; flags < 4; flags++) {
        token_list ids = TOKEN_LIST_INIT;
        buf out = BUF_INIT;
        if (tokenizer_encode(tok, text, sizeof text - 1, flags, &ids, &err) == AUGUR_OK &&
            tokenizer_decode(tok, ids.ids, ids.len, DETOKENIZE_SPECIAL, &out, &err) != AUGUR_OK)
            abort();
        token_list_free(&ids);
        buf_free(&out);
    }
    tokenizer_free(tok);
}

static void fuzz_engine(const gguf *g)
{
    engine_opts o = ENGINE_OPTS_DEFAULT;
    augur_err err = { 0 };
    int32_t ids[3] = { 0, 1, 2 };
    float *logits;
    engine *e;
    int vocab;

    o.threads = 1;
    o.context = 8;
    o.batch = 2;
    if (engine_open_gguf(&e, g, "fuzz", &o, &err) != AUGUR_OK) {
        if (err.msg[0] == '\0')
            abort();
        return;
    }
    vocab = engine_shape_of(e)->vocab;
    for (int i = 0; i < 3; i++)
        ids[i] %= vocab;
    if (!(logits = malloc(3 * (size_t)vocab * sizeof *logits)))
        abort();
    if (engine_eval(e, ids, 3, logits, 1, &err) != AUGUR_OK ||
        engine_eval(e, ids, 1, logits, 0, &err) != AUGUR_OK)
        abort();
    free(logits);
    engine_free(e);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    augur_err err = { 0 };
    gguf *g;

    if (gguf_open_memory(&g, data, size, "fuzz", &err) != AUGUR_OK) {
        if (err.msg[0] == '\0')
            abort();
        return 0;
    }
    for (size_t i = 0; i < gguf_kv_count(g); i++)
        fuzz_walk(gguf_kv_value(g, i));
    for (size_t i = 0; i < gguf_tensor_count(g); i++) {
        const gguf_tensor *t = gguf_tensor_at(g, i);
        if (t->size)
            fuzz_sink += ((const unsigned char *)t->data)[0] +
                         ((const unsigned char *)t->data)[t->size - 1];
    }
    fuzz_rewrite(g);
    fuzz_tokenizer(g);
    fuzz_engine(g);
    gguf_close(g);
    return 0;
}
