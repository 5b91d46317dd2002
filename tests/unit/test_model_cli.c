/* test_model_cli.c — `augur model info|tokenize|detokenize` on files the writer made. */
#include "test.h"

#include "model/gguf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *scratch;
static buf out, err;

#define run_augur(in, ...) test_augur((in), &out, &err, __VA_ARGS__)

/* A small mixture of experts with a SentencePiece vocabulary: "▁hi" is token 5,
** "!" is 6, and bytes fall back to <0x0A> (7) and <0x21> (8). */
static void write_model(const char *path)
{
    static const char *const tokens[] = { "<unk>", "<s>", "</s>", "\xe2\x96\x81", "\xe2\x96\x81h",
                                          "\xe2\x96\x81hi", "!", "<0x0A>", "<0x21>", "i" };
    static const float scores[] = { 0, 0, 0, -1, -1, -2, -1, 0, 0, -1 };
    static const int32_t types[] = { 2, 3, 3, 1, 1, 1, 1, 6, 6, 1 };
    static float weights[4096];
    augur_err e = { 0 };
    gguf_writer *w = gguf_writer_new();

    gguf_writer_add_str(w, "general.architecture", "llama", 5, &e);
    gguf_writer_add_str(w, "general.name", "tiny", 4, &e);
    gguf_writer_add_uint(w, "llama.block_count", GGUF_TYPE_UINT32, 1, &e);
    gguf_writer_add_uint(w, "llama.embedding_length", GGUF_TYPE_UINT32, 32, &e);
    gguf_writer_add_uint(w, "llama.context_length", GGUF_TYPE_UINT32, 64, &e);
    gguf_writer_add_uint(w, "llama.attention.head_count", GGUF_TYPE_UINT32, 4, &e);
    gguf_writer_add_uint(w, "llama.attention.head_count_kv", GGUF_TYPE_UINT32, 2, &e);
    gguf_writer_add_uint(w, "llama.expert_count", GGUF_TYPE_UINT32, 4, &e);
    gguf_writer_add_uint(w, "llama.expert_used_count", GGUF_TYPE_UINT32, 1, &e);
    gguf_writer_add_str(w, "tokenizer.ggml.model", "llama", 5, &e);
    gguf_writer_add_array(w, "tokenizer.ggml.tokens", GGUF_TYPE_STRING, tokens, 10, &e);
    gguf_writer_add_array(w, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, scores, 10, &e);
    gguf_writer_add_array(w, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, types, 10, &e);
    gguf_writer_add_str(w, "tokenizer.chat_template", "{{ x }}", 7, &e);
    gguf_writer_add_tensor(w, "token_embd.weight", GGML_TYPE_F32, 2, (uint64_t[]){ 32, 10 },
                           weights, &e);
    gguf_writer_add_tensor(w, "blk.0.ffn_up_exps.weight", GGML_TYPE_Q8_0, 3,
                           (uint64_t[]){ 32, 16, 4 }, weights, &e);
    gguf_writer_add_tensor(w, "blk.0.ffn_down_exps.weight", GGML_TYPE_Q8_0, 3,
                           (uint64_t[]){ 32, 16, 4 }, weights, &e);
    if (gguf_writer_write(w, path, &e) != AUGUR_OK)
        fail_msg("%s", e.msg);
    gguf_writer_free(w);
}

static int setup(void **state)
{
    (void)state;
    scratch = test_augur_setup();
    write_model("tiny.gguf");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    test_rmtree(scratch);
    free(scratch);
    buf_free(&out);
    buf_free(&err);
    return 0;
}

static void test_info(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "model", "info", "tiny.gguf", NULL), 0);
    assert_contains(buf_str(&out), "architecture:   llama (tiny)");
    /* 320 embedding + 2 x 2048 expert parameters, a quarter of the experts active. */
    assert_contains(buf_str(&out), "parameters:     4.4 K (4416)");
    assert_contains(buf_str(&out), "experts:        4, 1 used per token");
    assert_contains(buf_str(&out), "active/token:   1.3 K parameters");
    assert_contains(buf_str(&out), "  q8_0          2 tensors     4.2 KiB");
    assert_contains(buf_str(&out), "  f32           1 tensors     1.2 KiB");
    assert_contains(buf_str(&out), "tokenizer:      llama, 10 tokens");
    assert_contains(buf_str(&out), "chat template:  yes");
    /* K and V: 1 layer x 64 positions x 2 heads x (8 + 8) x 4 bytes. */
    assert_contains(buf_str(&out), "+ 8.0 KiB KV cache (f32, 64 positions)");
}

static void test_info_refuses_broken_files(void **state)
{
    char *bad = test_write(scratch, "bad.gguf", "GGUF\x03");

    (void)state;
    assert_int_equal(run_augur(NULL, "model", "info", bad, NULL), 1);
    assert_contains(buf_str(&err), "bad.gguf: header (4 bytes at offset 4) runs past the end");
    assert_int_equal(run_augur(NULL, "model", "info", "missing.gguf", NULL), 1);
    assert_contains(buf_str(&err), "missing.gguf: No such file or directory");
    assert_int_equal(run_augur(NULL, "model", "info", NULL), 2);
    free(bad);
}

static void test_tokenize_takes_stdin_byte_for_byte(void **state)
{
    (void)state;
    assert_int_equal(run_augur("hi!", "model", "tokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&out), "5 6\n");
    /* The final newline is text too: its byte token. */
    assert_int_equal(run_augur("hi!\n", "model", "tokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&out), "5 6 7\n");
    assert_int_equal(run_augur("", "model", "tokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&out), "\n");
    assert_int_equal(run_augur("hi", "model", "tokenize", "--bos", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&out), "1 5\n");
    assert_int_equal(run_augur("<s>hi", "model", "tokenize", "tiny.gguf", "--parse-special",
                               NULL), 0);
    assert_string_equal(buf_str(&out), "1 5\n");
    assert_int_equal(run_augur("hi", "model", "tokenize", "--eos", "tiny.gguf", NULL), 2);
    assert_contains(buf_str(&err), "unknown option '--eos'");
    assert_int_equal(run_augur(NULL, "model", "tokenize", "--help", NULL), 0);
    assert_contains(buf_str(&out), "byte for byte");
}

static void test_detokenize(void **state)
{
    (void)state;
    assert_int_equal(run_augur("5 6 7\n", "model", "detokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&out), "hi!\n");
    assert_int_equal(run_augur(" 1\t5 2 ", "model", "detokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&out), "<s>hi</s>");
    assert_int_equal(run_augur("5 six", "model", "detokenize", "tiny.gguf", NULL), 1);
    assert_contains(buf_str(&err), "'six' is not a token id");
    assert_int_equal(run_augur("5 10", "model", "detokenize", "tiny.gguf", NULL), 1);
    assert_contains(buf_str(&err), "token id 10 is out of range (the vocabulary has 10 tokens)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_info_refuses_broken_files),
        cmocka_unit_test(test_tokenize_takes_stdin_byte_for_byte),
        cmocka_unit_test(test_detokenize),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
