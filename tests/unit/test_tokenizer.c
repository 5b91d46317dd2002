/* test_tokenizer.c — the three tokenizers on small vocabularies made with the writer. */
#include "test.h"

#include "model/gguf.h"
#include "model/tokenizer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct vocab {
    const char *model, *pre;
    const char *tokens[400];
    float       scores[400];
    int32_t     types[400];
    size_t      n;
    const char *merges[16];
    size_t      n_merges;
    int         add_space_prefix;   /* -1: not in the file */
    const char *id_key[3];          /* more u32 keys: token ids */
    uint32_t    id[3];
    char        bytes[256][3];      /* the byte-level alphabet, for BPE */
} vocab;

typedef struct loaded {
    buf        file;
    gguf      *g;
    tokenizer *tok;
} loaded;

static int32_t add(vocab *v, const char *text, float score, int32_t type)
{
    v->tokens[v->n] = text;
    v->scores[v->n] = score;
    v->types[v->n] = type;
    return (int32_t)v->n++;
}

/* Write v as a GGUF file and open a tokenizer on it; NULL tok and the message in
** err when it is refused. */
static void load(const vocab *v, loaded *l, augur_err *err)
{
    gguf_writer *w = gguf_writer_new();

    memset(l, 0, sizeof *l);
    if (v->model)
        gguf_writer_add_str(w, "tokenizer.ggml.model", v->model, strlen(v->model), err);
    if (v->pre)
        gguf_writer_add_str(w, "tokenizer.ggml.pre", v->pre, strlen(v->pre), err);
    gguf_writer_add_array(w, "tokenizer.ggml.tokens", GGUF_TYPE_STRING, v->tokens, v->n, err);
    gguf_writer_add_array(w, "tokenizer.ggml.scores", GGUF_TYPE_FLOAT32, v->scores, v->n, err);
    gguf_writer_add_array(w, "tokenizer.ggml.token_type", GGUF_TYPE_INT32, v->types, v->n, err);
    if (v->n_merges)
        gguf_writer_add_array(w, "tokenizer.ggml.merges", GGUF_TYPE_STRING, v->merges,
                              v->n_merges, err);
    for (int i = 0; i < 3 && v->id_key[i]; i++)
        gguf_writer_add_uint(w, v->id_key[i], GGUF_TYPE_UINT32, v->id[i], err);
    if (v->add_space_prefix >= 0)
        gguf_writer_add_uint(w, "tokenizer.ggml.add_space_prefix", GGUF_TYPE_BOOL,
                             (uint64_t)v->add_space_prefix, err);
    assert_int_equal(gguf_writer_to_buf(w, &l->file, err), AUGUR_OK);
    gguf_writer_free(w);
    assert_int_equal(gguf_open_memory(&l->g, l->file.data, l->file.len, "vocab.gguf", err), 0);
    tokenizer_new(&l->tok, l->g, err);
}

static void unload(loaded *l)
{
    tokenizer_free(l->tok);
    gguf_close(l->g);
    buf_free(&l->file);
}

/* The ids of text as "1 2 3". */
static const char *ids_of(tokenizer *tok, const char *text, size_t len, unsigned flags)
{
    static char out[1024];
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    size_t at = 0;

    if (tokenizer_encode(tok, text, len, flags, &ids, &err) != AUGUR_OK)
        fail_msg("encode: %s", err.msg);
    out[0] = '\0';
    for (size_t i = 0; i < ids.len; i++)
        at += (size_t)snprintf(out + at, sizeof out - at, "%s%d", i ? " " : "", ids.ids[i]);
    token_list_free(&ids);
    return out;
}

static void assert_round_trip(tokenizer *tok, const char *text, size_t len)
{
    token_list ids = TOKEN_LIST_INIT;
    augur_err err = { 0 };
    buf back = BUF_INIT;

    assert_int_equal(tokenizer_encode(tok, text, len, 0, &ids, &err), AUGUR_OK);
    assert_int_equal(tokenizer_decode(tok, ids.ids, ids.len, 0, &back, &err), AUGUR_OK);
    assert_int_equal(back.len, len);
    assert_memory_equal(back.data, text, len);
    token_list_free(&ids);
    buf_free(&back);
}

/* ---- SentencePiece ------------------------------------------------------------ */

static char byte_names[256][8];

static void spm_vocab(vocab *v)
{
    memset(v, 0, sizeof *v);
    v->model = "llama";
    v->add_space_prefix = -1;
    add(v, "<unk>", 0, TOKEN_UNKNOWN);
    add(v, "<s>", 0, TOKEN_CONTROL);
    add(v, "</s>", 0, TOKEN_CONTROL);
    for (int b = 0; b < 256; b++) {
        snprintf(byte_names[b], sizeof byte_names[b], "<0x%02X>", b);
        add(v, byte_names[b], 0, TOKEN_BYTE);
    }
    /* 259.. */
    add(v, "\xe2\x96\x81", -1, TOKEN_NORMAL);
    add(v, "h", -1, TOKEN_NORMAL);
    add(v, "e", -1, TOKEN_NORMAL);
    add(v, "l", -1, TOKEN_NORMAL);
    add(v, "o", -1, TOKEN_NORMAL);
    add(v, "ll", -1, TOKEN_NORMAL);                      /* 264 */
    add(v, "llo", -2, TOKEN_NORMAL);
    add(v, "\xe2\x96\x81h", -3, TOKEN_NORMAL);
    add(v, "\xe2\x96\x81he", -4, TOKEN_NORMAL);
    add(v, "\xe2\x96\x81hello", -5, TOKEN_NORMAL);       /* 268 */
    add(v, "a", -1, TOKEN_NORMAL);
    add(v, "aa", -1, TOKEN_NORMAL);                      /* 270 */
    add(v, "<user>", 0, TOKEN_USER_DEFINED);
}

static void test_spm_merges_by_score(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };

    (void)state;
    spm_vocab(&v);
    load(&v, &l, &err);
    assert_non_null(l.tok);
    assert_int_equal(tokenizer_kind(l.tok), TOKENIZER_SPM);
    assert_int_equal(tokenizer_vocab_size(l.tok), v.n);
    assert_string_equal(ids_of(l.tok, "hello", 5, 0), "268");
    /* "é" and "!" are no pieces: their bytes stand in. */
    assert_string_equal(ids_of(l.tok, "h\xc3\xa9!", 4, 0), "266 198 172 36");
    assert_string_equal(ids_of(l.tok, "", 0, 0), "");
    assert_string_equal(ids_of(l.tok, "hello", 5, TOKENIZE_ADD_SPECIAL), "1 268");
    assert_round_trip(l.tok, "hello h\xc3\xa9! ", 11);
    assert_round_trip(l.tok, "  two spaces first", 18);
    unload(&l);
}

/* Equal scores merge leftmost first. A piece that joins a word to the next space
** makes the merges run over the whole text, not word by word. */
static void test_spm_ties_and_words(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };

    (void)state;
    spm_vocab(&v);
    v.add_space_prefix = 0;
    load(&v, &l, &err);
    assert_string_equal(ids_of(l.tok, "aaa", 3, 0), "270 269");
    assert_string_equal(ids_of(l.tok, "aaaa", 4, 0), "270 270");
    assert_string_equal(ids_of(l.tok, "a a", 3, 0), "269 259 269");
    unload(&l);
    add(&v, "a\xe2\x96\x81", 0, TOKEN_NORMAL);    /* 272 */
    load(&v, &l, &err);
    assert_string_equal(ids_of(l.tok, "a a", 3, 0), "272 269");
    assert_string_equal(ids_of(l.tok, "aa aa", 5, 0), "269 272 270");   /* a▁ scores higher */
    unload(&l);
}

static void test_spm_special_tokens(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };
    buf out = BUF_INIT;
    int32_t ids[] = { 1, 268, 2 };

    (void)state;
    spm_vocab(&v);
    load(&v, &l, &err);
    /* Control tokens are text unless asked for; user-defined tokens always count. */
    assert_string_equal(ids_of(l.tok, "<s>hello", 8, TOKENIZE_PARSE_SPECIAL), "1 268");
    assert_string_equal(ids_of(l.tok, "<s>", 3, 0), "259 63 118 65");
    assert_string_equal(ids_of(l.tok, "hello<user>hello", 16, 0), "268 271 268");
    assert_int_equal(tokenizer_decode(l.tok, ids, 3, 0, &out, &err), AUGUR_OK);
    assert_string_equal(buf_str(&out), "hello");
    buf_clear(&out);
    assert_int_equal(tokenizer_decode(l.tok, ids, 3, DETOKENIZE_SPECIAL, &out, &err), AUGUR_OK);
    assert_string_equal(buf_str(&out), "<s>hello</s>");
    ids[1] = 100000;
    assert_int_equal(tokenizer_decode(l.tok, ids, 3, 0, &out, &err), AUGUR_EINVAL);
    assert_string_equal(err.msg, "token id 100000 is out of range (the vocabulary has 272 tokens)");
    buf_free(&out);
    unload(&l);
}

/* ---- byte-level BPE ----------------------------------------------------------- */

/* Token i is byte i written in GPT-2's byte alphabet. */
static void bpe_vocab(vocab *v, const char *pre)
{
    int next = 256;

    memset(v, 0, sizeof *v);
    v->model = "gpt2";
    v->pre = pre;
    v->add_space_prefix = -1;
    for (int b = 0; b < 256; b++) {
        int printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174;
        int cp = printable ? b : next++;
        if (cp < 0x80) {
            v->bytes[b][0] = (char)cp;
        } else {
            v->bytes[b][0] = (char)(0xC0 | (cp >> 6));
            v->bytes[b][1] = (char)(0x80 | (cp & 0x3F));
        }
        add(v, v->bytes[b], 0, TOKEN_NORMAL);
    }
}

static void merge(vocab *v, const char *left, const char *right, char *joined)
{
    static char texts[16][32];
    char *m = texts[v->n_merges];

    snprintf(m, sizeof texts[0], "%s %s", left, right);
    v->merges[v->n_merges++] = m;
    snprintf(joined, 32, "%s%s", left, right);
    add(v, joined, 0, TOKEN_NORMAL);
}

static char joined[16][32];

/* Merges that tell the families' expressions apart on digits and contractions. */
static void family_vocab(vocab *v, const char *pre)
{
    bpe_vocab(v, pre);
    merge(v, "1", "2", joined[0]);            /* 256 */
    merge(v, "12", "3", joined[1]);           /* 257 */
    merge(v, "4", "5", joined[2]);            /* 258 */
    merge(v, "123", "45", joined[3]);         /* 259 */
    merge(v, "'", "S", joined[4]);            /* 260 */
    add(v, "Hello", 0, TOKEN_NORMAL);         /* 261: a word no merge makes */
}

static const char *family_ids(const char *pre, const char *text)
{
    static char out[256];
    vocab v;
    loaded l;
    augur_err err = { 0 };

    family_vocab(&v, pre);
    load(&v, &l, &err);
    if (!l.tok)
        fail_msg("%s: %s", pre, err.msg);
    snprintf(out, sizeof out, "%s", ids_of(l.tok, text, strlen(text), 0));
    unload(&l);
    return out;
}

static void test_bpe_families(void **state)
{
    (void)state;
    /* gpt-2: a run of digits is one word; llama3: three at most; qwen2 and the
    ** digit-splitting families: one each. */
    assert_string_equal(family_ids("gpt-2", "12345"), "259");
    assert_string_equal(family_ids("mpt", "12345"), "259");
    assert_string_equal(family_ids("llama-bpe", "12345"), "257 258");
    assert_string_equal(family_ids("qwen2", "12345"), "49 50 51 52 53");
    assert_string_equal(family_ids("starcoder", "12345"), "49 50 51 52 53");
    assert_string_equal(family_ids("refact", "12345"), "49 50 51 52 53");
    assert_string_equal(family_ids("deepseek-coder", "12345"), "49 50 51 52 53");
    assert_string_equal(family_ids("deepseek-llm", "12345"), "259");
    assert_string_equal(family_ids("falcon", "12345"), "257 258");
    /* llama3 and qwen2 match contractions in any case; gpt-2 only as written. */
    assert_string_equal(family_ids("llama3", "I'S"), "73 260");
    assert_string_equal(family_ids("qwen2", "I'S"), "73 260");
    assert_string_equal(family_ids("gpt-2", "I'S"), "73 39 83");
    /* llama3 takes a word the vocabulary has whole, merges or not. */
    assert_string_equal(family_ids("llama3", "Hello"), "261");
    assert_string_equal(family_ids("gpt-2", "Hello"), "72 101 108 108 111");
}

static int collect_piece(void *ctx, const char *piece, size_t n)
{
    buf *b = ctx;
    buf_printf(b, "[%.*s]", (int)n, piece);
    return 0;
}

static void test_bpe_split(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };
    buf pieces = BUF_INIT;

    (void)state;
    family_vocab(&v, "gpt-2");
    load(&v, &l, &err);
    assert_int_equal(tokenizer_split(l.tok, "Hello world's 12!!\n\n  x", 23, collect_piece, &pieces,
                                     &err), 0);
    assert_string_equal(buf_str(&pieces), "[Hello][ world]['s][ 12][!!][\n\n ][ x]");
    unload(&l);
    buf_clear(&pieces);
    family_vocab(&v, "deepseek-coder");
    load(&v, &l, &err);
    assert_int_equal(tokenizer_split(l.tok, "Hello world's 12!!\n\n  x", 23, collect_piece, &pieces,
                                     &err), 0);
    assert_string_equal(buf_str(&pieces), "[Hello][ world]['][s][ ][1][2][!!][\n][\n][ ][ x]");
    unload(&l);
    buf_free(&pieces);
}

static void test_bpe_round_trip_any_bytes(void **state)
{
    static const char text[] = "caf\xc3\xa9 \xff\xfe\t\n  x\xc3";
    vocab v;
    loaded l;
    augur_err err = { 0 };

    (void)state;
    family_vocab(&v, "llama3");
    load(&v, &l, &err);
    assert_round_trip(l.tok, text, sizeof text - 1);
    assert_round_trip(l.tok, "12345 I'S Hello", 15);
    unload(&l);
}

static void test_bpe_special_tokens(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };
    buf out = BUF_INIT;
    int32_t ids[2];

    (void)state;
    family_vocab(&v, "gpt-2");
    ids[0] = add(&v, "<|end|>", 0, TOKEN_CONTROL);   /* 262 */
    ids[1] = add(&v, "<|e", 0, TOKEN_USER_DEFINED);  /* 263 */
    load(&v, &l, &err);
    assert_string_equal(ids_of(l.tok, "1<|end|>", 8, TOKENIZE_PARSE_SPECIAL), "49 262");
    /* Not parsed, the user-defined prefix is still cut out of it. */
    assert_string_equal(ids_of(l.tok, "1<|end|>", 8, 0), "49 263 110 100 124 62");
    assert_int_equal(tokenizer_decode(l.tok, ids, 2, 0, &out, &err), AUGUR_OK);
    assert_string_equal(buf_str(&out), "<|e");
    unload(&l);
    buf_free(&out);
}

static void test_bpe_refusals(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };
    token_list ids = TOKEN_LIST_INIT;

    (void)state;
    family_vocab(&v, "klingon");
    load(&v, &l, &err);
    assert_null(l.tok);
    assert_string_equal(err.msg, "tokenizer.ggml.pre 'klingon' names no pre-tokenizer augur knows");
    unload(&l);

    family_vocab(&v, "gpt-2");
    v.merges[1] = "12";
    load(&v, &l, &err);
    assert_null(l.tok);
    assert_string_equal(err.msg, "tokenizer.ggml.merges entry 1 '12' is not two tokens separated "
                                 "by a space");
    unload(&l);

    family_vocab(&v, "gpt-2");
    v.tokens[7] = "not the byte";
    load(&v, &l, &err);
    assert_non_null(l.tok);
    assert_int_equal(tokenizer_encode(l.tok, "a\x07", 2, 0, &ids, &err), AUGUR_EINVAL);
    assert_string_equal(err.msg, "byte 0x07 has no token in this vocabulary, and it has no "
                                 "unknown token");
    assert_int_equal(ids.len, 0);
    unload(&l);
    token_list_free(&ids);
}

/* ---- WordPiece ---------------------------------------------------------------- */

static void test_wpm(void **state)
{
    static char longword[120], want[400];
    vocab v;
    loaded l;
    augur_err err = { 0 };

    (void)state;
    memset(&v, 0, sizeof v);
    v.model = "bert";
    v.add_space_prefix = -1;
    add(&v, "[PAD]", 0, TOKEN_CONTROL);
    add(&v, "[UNK]", 0, TOKEN_CONTROL);
    add(&v, "[CLS]", 0, TOKEN_CONTROL);
    add(&v, "[SEP]", 0, TOKEN_CONTROL);
    v.id_key[0] = "tokenizer.ggml.cls_token_id";
    v.id[0] = 2;
    v.id_key[1] = "tokenizer.ggml.seperator_token_id";
    v.id[1] = 3;
    v.id_key[2] = "tokenizer.ggml.unknown_token_id";
    v.id[2] = 1;
    add(&v, "\xe2\x96\x81hello", 0, TOKEN_NORMAL);  /* 4 */
    add(&v, "\xe2\x96\x81wor", 0, TOKEN_NORMAL);    /* 5 */
    add(&v, "ld", 0, TOKEN_NORMAL);                 /* 6: "##ld" */
    add(&v, "\xe2\x96\x81,", 0, TOKEN_NORMAL);      /* 7 */
    add(&v, "\xe2\x96\x81!", 0, TOKEN_NORMAL);      /* 8 */
    add(&v, "\xe2\x96\x81\xe4\xb8\x96", 0, TOKEN_NORMAL);   /* 9: 世 */
    add(&v, "\xe2\x96\x81" "a", 0, TOKEN_NORMAL);   /* 10 */
    add(&v, "a", 0, TOKEN_NORMAL);                  /* 11 */
    load(&v, &l, &err);
    assert_non_null(l.tok);
    /* Accents go, case goes, punctuation and ideographs stand alone. */
    assert_string_equal(ids_of(l.tok, "H\xc3\xa9llo, WORLD!", 14, 0), "4 7 5 6 8");
    assert_string_equal(ids_of(l.tok, "\xe4\xb8\x96\xe4\xb8\x96world", 11, 0), "9 9 5 6");
    assert_string_equal(ids_of(l.tok, " \t\nhello\x01\xffz", 11, 0), "1");   /* "helloz" */
    assert_string_equal(ids_of(l.tok, "hello", 5, TOKENIZE_ADD_SPECIAL), "2 4 3");
    memset(longword, 'a', 101);
    memcpy(want, "10", 3);
    for (int i = 1; i < 100; i++)
        strcat(want, " 11");
    assert_string_equal(ids_of(l.tok, longword, 100, 0), want);
    assert_string_equal(ids_of(l.tok, longword, 101, 0), "1");   /* over 100 characters */
    unload(&l);
}

/* ---- decoding by the token ------------------------------------------------------ */

static void test_stream_holds_split_characters(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };
    tokenizer_stream s;
    buf out = BUF_INIT;

    (void)state;
    family_vocab(&v, "gpt-2");
    load(&v, &l, &err);
    assert_non_null(l.tok);
    tokenizer_stream_init(&s, l.tok, 0);
    /* "▁" is E2 96 81, one byte per token. */
    assert_int_equal(tokenizer_stream_push(&s, 'a', &out, &err), 0);
    assert_int_equal(tokenizer_stream_push(&s, 0xE2, &out, &err), 0);
    assert_string_equal(buf_str(&out), "a");
    assert_int_equal(tokenizer_stream_push(&s, 0x96, &out, &err), 0);
    assert_string_equal(buf_str(&out), "a");
    assert_int_equal(tokenizer_stream_push(&s, 0x81, &out, &err), 0);
    assert_string_equal(buf_str(&out), "a\xe2\x96\x81");
    /* A character never finished comes out at the end, as it was. */
    assert_int_equal(tokenizer_stream_push(&s, 0xF0, &out, &err), 0);
    assert_int_equal(out.len, 4);
    assert_int_equal(tokenizer_stream_finish(&s, &out), 0);
    assert_int_equal(out.len, 5);
    assert_int_equal((unsigned char)out.data[4], 0xF0);
    buf_free(&out);
    unload(&l);
}

static void test_refused_vocabularies(void **state)
{
    vocab v;
    loaded l;
    augur_err err = { 0 };

    (void)state;
    spm_vocab(&v);
    v.model = NULL;
    load(&v, &l, &err);
    assert_null(l.tok);
    assert_string_equal(err.msg, "no tokenizer in the file (tokenizer.ggml.model is missing)");
    unload(&l);
    spm_vocab(&v);
    v.model = "t5";
    load(&v, &l, &err);
    assert_string_equal(err.msg, "tokenizer.ggml.model 't5' is not supported (llama, gpt2 and "
                                 "bert are)");
    unload(&l);
    bpe_vocab(&v, "gpt-2");
    load(&v, &l, &err);
    assert_string_equal(err.msg, "tokenizer.ggml.merges is missing or not a list of strings");
    unload(&l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spm_merges_by_score),
        cmocka_unit_test(test_spm_ties_and_words),
        cmocka_unit_test(test_spm_special_tokens),
        cmocka_unit_test(test_bpe_families),
        cmocka_unit_test(test_bpe_split),
        cmocka_unit_test(test_bpe_round_trip_any_bytes),
        cmocka_unit_test(test_bpe_special_tokens),
        cmocka_unit_test(test_bpe_refusals),
        cmocka_unit_test(test_wpm),
        cmocka_unit_test(test_stream_holds_split_characters),
        cmocka_unit_test(test_refused_vocabularies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
