/* test_model_cli.c — `augur model info|tokenize|detokenize` on files the writer made, and
** `augur model synth|run|eval|bench|perplexity` on a synthesized mixture of experts. */
#include "test.h"

#include "base/json.h"
#include "model/engine.h"
#include "model/gguf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>


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
    cli_setup(state);
    write_model("tiny.gguf");
    if (run_augur(NULL, "model", "synth", "--arch", "qwen2moe", "--width", "64", "--layers", "2",
                  "--heads", "4", "--heads-kv", "2", "--experts", "4", "--experts-used", "2", "--ff",
                  "64", "--vocab", "400", "--context", "96", "--type", "q8_0", "--seed", "5", "--out",
                  "moe.gguf", NULL) != 0)
        return -1;
    return 0;
}

static void test_info(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "model", "info", "tiny.gguf", NULL), 0);
    assert_contains(buf_str(&cli_out), "architecture:   llama (tiny)");
    /* 320 embedding + 2 x 2048 expert parameters, a quarter of the experts active. */
    assert_contains(buf_str(&cli_out), "parameters:     4.4 K (4416)");
    assert_contains(buf_str(&cli_out), "experts:        4, 1 used per token");
    assert_contains(buf_str(&cli_out), "active/token:   1.3 K parameters");
    assert_contains(buf_str(&cli_out), "  q8_0          2 tensors     4.2 KiB");
    assert_contains(buf_str(&cli_out), "  f32           1 tensors     1.2 KiB");
    assert_contains(buf_str(&cli_out), "tokenizer:      llama, 10 tokens");
    assert_contains(buf_str(&cli_out), "chat template:  yes");
    /* K and V: 1 layer x 64 positions x 2 heads x (8 + 8) x 4 bytes. */
    assert_contains(buf_str(&cli_out), "+ 8.0 KiB KV cache (f32, 64 positions)");
}

static void test_info_refuses_broken_files(void **state)
{
    char *bad = test_write(cli_scratch, "bad.gguf", "GGUF\x03");

    (void)state;
    assert_int_equal(run_augur(NULL, "model", "info", bad, NULL), 1);
    assert_contains(buf_str(&cli_err), "bad.gguf: header (4 bytes at offset 4) runs past the end");
    assert_int_equal(run_augur(NULL, "model", "info", "missing.gguf", NULL), 1);
    assert_contains(buf_str(&cli_err), "missing.gguf: No such file or directory");
    assert_int_equal(run_augur(NULL, "model", "info", NULL), 2);
    free(bad);
}

static void test_tokenize_takes_stdin_byte_for_byte(void **state)
{
    (void)state;
    assert_int_equal(run_augur("hi!", "model", "tokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&cli_out), "5 6\n");
    /* The final newline is text too: its byte token. */
    assert_int_equal(run_augur("hi!\n", "model", "tokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&cli_out), "5 6 7\n");
    assert_int_equal(run_augur("", "model", "tokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&cli_out), "\n");
    assert_int_equal(run_augur("hi", "model", "tokenize", "--bos", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&cli_out), "1 5\n");
    assert_int_equal(run_augur("<s>hi", "model", "tokenize", "tiny.gguf", "--parse-special",
                               NULL), 0);
    assert_string_equal(buf_str(&cli_out), "1 5\n");
    assert_int_equal(run_augur("hi", "model", "tokenize", "--eos", "tiny.gguf", NULL), 2);
    assert_contains(buf_str(&cli_err), "unknown option '--eos'");
    assert_int_equal(run_augur(NULL, "model", "tokenize", "--help", NULL), 0);
    assert_contains(buf_str(&cli_out), "byte for byte");
}

static void test_detokenize(void **state)
{
    (void)state;
    assert_int_equal(run_augur("5 6 7\n", "model", "detokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&cli_out), "hi!\n");
    assert_int_equal(run_augur(" 1\t5 2 ", "model", "detokenize", "tiny.gguf", NULL), 0);
    assert_string_equal(buf_str(&cli_out), "<s>hi</s>");
    assert_int_equal(run_augur("5 six", "model", "detokenize", "tiny.gguf", NULL), 1);
    assert_contains(buf_str(&cli_err), "'six' is not a token id");
    assert_int_equal(run_augur("5 10", "model", "detokenize", "tiny.gguf", NULL), 1);
    assert_contains(buf_str(&cli_err), "token id 10 is out of range (the vocabulary has 10 tokens)");
}

static void test_synth(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "model", "synth", "--arch", "granitemoe", "--width", "256",
                               "--experts", "4", "--experts-used", "1", "--type", "Q4_K",
                               "--vocab", "300", "--out", "g.gguf", NULL), 0);
    assert_contains(buf_str(&cli_out), "wrote g.gguf: granitemoe, ");
    assert_int_equal(run_augur(NULL, "model", "info", "g.gguf", NULL), 0);
    assert_contains(buf_str(&cli_out), "architecture:   granitemoe (synth-granitemoe)");
    assert_contains(buf_str(&cli_out), "experts:        4, 1 used per token");
    assert_contains(buf_str(&cli_out), "q4_K");
    assert_int_equal(run_augur(NULL, "model", "synth", "--arch", "gpt2", "--out", "x.gguf", NULL),
                     2);
    assert_contains(buf_str(&cli_err), "unsupported architecture 'gpt2'");
    assert_int_equal(run_augur(NULL, "model", "synth", "--type", "q2_K", "--out", "x.gguf", NULL),
                     2);
    assert_contains(buf_str(&cli_err), "--type q2_K is not one the engine runs");
    assert_int_equal(run_augur(NULL, "model", "synth", "--width", "many", "--out", "x.gguf",
                               NULL), 2);
    assert_contains(buf_str(&cli_err), "--width needs a whole number");
    assert_int_equal(run_augur(NULL, "model", "synth", NULL), 2);
    assert_contains(buf_str(&cli_err), "--out FILE");
}

static void test_run_generates(void **state)
{
    buf first = BUF_INIT;

    (void)state;
    assert_int_equal(run_augur(NULL, "model", "run", "moe.gguf", "-p", "a cat", "-n", "12",
                               "--seed", "4", NULL), 0);
    assert_true(cli_out.len > 1);
    assert_contains(buf_str(&cli_err), "12 generated");
    assert_contains(buf_str(&cli_err), "ended by length");
    assert_contains(buf_str(&cli_err), "routing top-k:2, experts/token 2.00 (by layer: 2.00 2.00)");
    assert_contains(buf_str(&cli_err), "memory: RSS ");
    buf_add(&first, cli_out.data, cli_out.len);
    assert_int_equal(run_augur(NULL, "model", "run", "moe.gguf", "-p", "a cat", "-n", "12",
                               "--seed", "4", NULL), 0);
    assert_string_equal(buf_str(&cli_out), buf_str(&first));
    assert_int_equal(run_augur(NULL, "model", "run", "moe.gguf", "-p", "a cat", "-n", "12",
                               "--temp", "0", "--routing", "top-p:0.9:1:4", NULL), 0);
    assert_contains(buf_str(&cli_err), "routing top-p:0.9:1:4, experts/token ");
    assert_int_equal(run_augur(NULL, "-c", "model.routing.mode=skip", "-c", "model.kernels=scalar",
                               "model", "run", "moe.gguf", "-p", "a", "-n", "3", NULL), 0);
    assert_contains(buf_str(&cli_err), "routing skip:0.5, experts/token ");
    assert_contains(buf_str(&cli_err), "scalar kernels");
    assert_int_equal(run_augur(NULL, "-c", "model.weights=map", "model", "run", "moe.gguf", "-p",
                               "a cat", "-n", "12", "--seed", "4", NULL), 0);
    assert_string_equal(buf_str(&cli_out), buf_str(&first));
    assert_contains(buf_str(&cli_err), "in memory, in the file's mapping");
    buf_free(&first);
}

static void test_run_usage(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "model", "run", "moe.gguf", NULL), 2);
    assert_contains(buf_str(&cli_err), "-p PROMPT");
    assert_int_equal(run_augur(NULL, "model", "run", "moe.gguf", "-p", "a", "--routing", "top-z",
                               NULL), 2);
    assert_contains(buf_str(&cli_err), "expected top-k[:K], top-p:P[:MIN:MAX] or skip:BETA");
    assert_int_equal(run_augur(NULL, "-c", "model.kv_type=f8", "model", "run", "moe.gguf", "-p",
                               "a", NULL), 2);
    assert_contains(buf_str(&cli_err), "model.kv_type is 'f8' (f32 or f16)");
    assert_int_equal(run_augur(NULL, "-c", "model.weights=copy", "model", "run", "moe.gguf", "-p",
                               "a", NULL), 2);
    assert_contains(buf_str(&cli_err), "model.weights is 'copy' (load or map)");
    assert_int_equal(run_augur(NULL, "model", "run", "moe.gguf", "-p", "a", "--temp", "-1", NULL),
                     2);
    assert_contains(buf_str(&cli_err), "sampling: a parameter out of range");
    assert_int_equal(run_augur(NULL, "model", "run", "tiny.gguf", "-p", "a", NULL), 1);
    assert_contains(buf_str(&cli_err), "tiny.gguf: tensor 'output_norm.weight' is missing");
    assert_int_equal(run_augur(NULL, "model", "run", "--help", NULL), 0);
    assert_contains(buf_str(&cli_out), "top-p:P[:MIN:MAX]");
}

/* eval --json prints the fixture format, and the logits are the engine's own. */
static void test_eval_json(void **state)
{
    static const int32_t ids[] = { 1, 40, 300, 7, 9 };
    augur_err e = { 0 };
    float logits[5 * 400];
    cJSON *doc;
    engine *en;

    (void)state;
    assert_int_equal(run_augur(NULL, "model", "eval", "moe.gguf", "--tokens", "1 40 300 7 9",
                               "--greedy", "4", "--json", NULL), 0);
    doc = json_parse(cli_out.data, cli_out.len, "eval", &e);
    assert_non_null(doc);
    assert_int_equal(cJSON_GetObjectItem(doc, "n_vocab")->valueint, 400);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "tokens")), 5);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "logits")), 5);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(doc, "greedy")), 4);
    assert_int_equal(engine_open(&en, "moe.gguf", NULL, &e), AUGUR_OK);
    assert_int_equal(engine_eval(en, ids, 5, logits, 1, &e), AUGUR_OK);
    for (int t = 0; t < 5; t++) {
        const cJSON *row = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "logits"), t);
        assert_int_equal(cJSON_GetArraySize(row), 400);
        for (int v = 0; v < 400; v++)
            assert_true((float)cJSON_GetArrayItem(row, v)->valuedouble == logits[t * 400 + v]);
    }
    engine_free(en);
    cJSON_Delete(doc);
    assert_int_equal(run_augur(NULL, "model", "eval", "moe.gguf", "--tokens", "1 40", NULL), 0);
    assert_contains(buf_str(&cli_out), "   1  token 40 ");
    assert_int_equal(run_augur(NULL, "model", "eval", "moe.gguf", "--tokens", "1 400", NULL), 1);
    assert_contains(buf_str(&cli_err), "token 400 at 1 is outside the vocabulary");
    assert_int_equal(run_augur(NULL, "model", "eval", "moe.gguf", "--tokens", "1 x", NULL), 2);
    assert_contains(buf_str(&cli_err), "'x' is not a token id");
    assert_int_equal(run_augur(NULL, "model", "eval", "moe.gguf", NULL), 2);
}

static void test_bench(void **state)
{
    (void)state;
    assert_int_equal(run_augur(NULL, "model", "bench", "moe.gguf", "-p", "8", "-n", "4", "--reps",
                               "1", "--stream-mib", "16", "--routing", "top-p:0.5", "--routing",
                               "skip:0.6", NULL), 0);
    assert_contains(buf_str(&cli_out), "read bandwidth ");
    assert_contains(buf_str(&cli_out), "ceiling tok/s");
    assert_contains(buf_str(&cli_out), "\ntop-k:2 ");
    assert_contains(buf_str(&cli_out), "\ntop-p:0.5:1:0 ");
    assert_contains(buf_str(&cli_out), "\nskip:0.6 ");
    assert_int_equal(run_augur(NULL, "model", "bench", "moe.gguf", "--routing", "top-p:2", NULL),
                     2);
    assert_contains(buf_str(&cli_err), "p must be above 0 and at most 1");
}

static void test_perplexity(void **state)
{
    char *text = test_write(cli_scratch, "text.txt", "the cat sat on the mat and the dog ran off\n");

    (void)state;
    assert_int_equal(run_augur(NULL, "model", "perplexity", "moe.gguf", text, "--ctx", "8", NULL),
                     0);
    assert_contains(buf_str(&cli_out), "perplexity ");
    assert_contains(buf_str(&cli_out), "chunks of at most 8");
    assert_contains(buf_str(&cli_out), "routing top-k:2, experts/token 2.00");
    assert_int_equal(run_augur(NULL, "model", "perplexity", "moe.gguf", text, "--routing",
                               "top-k:4", NULL), 0);
    assert_contains(buf_str(&cli_out), "routing top-k:4, experts/token 4.00 (by layer: 4.00 4.00)");
    assert_int_equal(run_augur(NULL, "model", "perplexity", "moe.gguf", "missing.txt", NULL), 1);
    assert_contains(buf_str(&cli_err), "missing.txt");
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_info),
        cmocka_unit_test(test_info_refuses_broken_files),
        cmocka_unit_test(test_tokenize_takes_stdin_byte_for_byte),
        cmocka_unit_test(test_detokenize),
        cmocka_unit_test(test_synth),
        cmocka_unit_test(test_run_generates),
        cmocka_unit_test(test_run_usage),
        cmocka_unit_test(test_eval_json),
        cmocka_unit_test(test_bench),
        cmocka_unit_test(test_perplexity),
    };
    return cmocka_run_group_tests(tests, setup, cli_teardown);
}
