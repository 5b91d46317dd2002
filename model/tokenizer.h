/*
** tokenizer.h — text to token ids and back, as a GGUF vocabulary says.
**
**     tokenizer *tok;
**     token_list ids = TOKEN_LIST_INIT;
**     if (tokenizer_new(&tok, g, &err) != AUGUR_OK) ...        // g: an open gguf
**     tokenizer_encode(tok, text, len, TOKENIZE_ADD_SPECIAL, &ids, &err);
**     tokenizer_decode(tok, ids.ids, ids.len, 0, &out, &err);
**
** The kind comes from tokenizer.ggml.model: "llama" is SentencePiece (piece scores,
** "▁" for spaces, byte fallback), "gpt2" byte-level BPE (the text is first split by
** the regular expressions of the family tokenizer.ggml.pre names, then merged by
** rank), "bert" WordPiece (Unicode normalisation, lowercasing, longest match).
** Token ids and results match llama.cpp's tokenizer on its test vocabularies.
**
** A tokenizer reads the token texts in place: the gguf must stay open until
** tokenizer_free. A tokenizer keeps scratch space for encoding, so one tokenizer
** encodes on one thread at a time; decoding only reads it.
*/
#ifndef AUGUR_TOKENIZER_H
#define AUGUR_TOKENIZER_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "model/gguf.h"

enum tokenizer_kind { TOKENIZER_SPM, TOKENIZER_BPE, TOKENIZER_WPM };

/* Token types, numbered as tokenizer.ggml.token_type numbers them. */
enum token_type {
    TOKEN_NORMAL = 1, TOKEN_UNKNOWN = 2, TOKEN_CONTROL = 3, TOKEN_USER_DEFINED = 4,
    TOKEN_UNUSED = 5, TOKEN_BYTE = 6
};

/* tokenizer_encode flags. */
enum {
    TOKENIZE_ADD_SPECIAL   = 1,   /* BOS and EOS as the vocabulary's add_bos/add_eos say */
    TOKENIZE_PARSE_SPECIAL = 2    /* control tokens written in the text become those tokens */
};

/* tokenizer_decode flags. */
enum {
    DETOKENIZE_SPECIAL = 1        /* write control and unknown tokens as their text */
};

typedef struct tokenizer tokenizer;

typedef struct token_list {
    int32_t *ids;
    size_t   len, cap;
} token_list;

#define TOKEN_LIST_INIT { NULL, 0, 0 }

void token_list_free(token_list *l);
int  token_list_push(token_list *l, int32_t id);   /* AUGUR_OK or AUGUR_ENOMEM */

int  tokenizer_new(tokenizer **out, const gguf *g, augur_err *err);
void tokenizer_free(tokenizer *t);

enum tokenizer_kind tokenizer_kind(const tokenizer *t);
const char *tokenizer_kind_name(enum tokenizer_kind kind);   /* "llama", "gpt2", "bert" */
const char *tokenizer_pre(const tokenizer *t);               /* the pre-tokenizer's name */
size_t      tokenizer_vocab_size(const tokenizer *t);
int32_t     tokenizer_bos(const tokenizer *t);               /* -1 when there is none */
int32_t     tokenizer_eos(const tokenizer *t);
gguf_str    tokenizer_token_text(const tokenizer *t, int32_t id);   /* as the file has it */
enum token_type tokenizer_token_type(const tokenizer *t, int32_t id);

/* Append the ids of text[len] (any bytes) to out. */
int tokenizer_encode(tokenizer *t, const char *text, size_t len, unsigned flags, token_list *out,
                     augur_err *err);

/* The pre-tokenizer alone: word(ctx, piece, n) for each piece of text[len], in
** order, as encoding would cut it before merging (byte-level BPE: by the family's
** expressions; the other kinds: the whole text is one piece). A word() that
** returns non-zero stops the split, and tokenizer_split returns that. */
typedef int tokenizer_piece_fn(void *ctx, const char *piece, size_t n);
int tokenizer_split(tokenizer *t, const char *text, size_t len, tokenizer_piece_fn *word, void *ctx,
                    augur_err *err);

/* Append the bytes ids[n] stand for to out. The space a SentencePiece vocabulary
** puts before the text (and WordPiece before each word) is taken off again where
** the text began, so decoding what tokenizer_encode made gives the text back. */
int tokenizer_decode(const tokenizer *t, const int32_t *ids, size_t n, unsigned flags, buf *out,
                     augur_err *err);

/* Decoding token by token, for streaming output: each push appends only whole
** UTF-8 characters, holding back the bytes of a character split across tokens
** until the rest arrives; finish appends whatever is still held. */
typedef struct tokenizer_stream {
    const tokenizer *t;
    unsigned         flags;
    int              at_start;     /* the next text piece begins a run of text */
    unsigned char    held[4];
    int              n_held;
} tokenizer_stream;

void tokenizer_stream_init(tokenizer_stream *s, const tokenizer *t, unsigned flags);
int  tokenizer_stream_push(tokenizer_stream *s, int32_t id, buf *out, augur_err *err);
int  tokenizer_stream_finish(tokenizer_stream *s, buf *out);

#endif
