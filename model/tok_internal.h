/*
** tok_internal.h — what the tokenizer's files share; private to model/.
**
** tokenizer.c loads the vocabulary, carves special tokens out of the text and
** decodes; tok_spm.c, tok_bpe.c and tok_wpm.c each encode one run of plain text.
*/
#ifndef AUGUR_MODEL_TOK_INTERNAL_H
#define AUGUR_MODEL_TOK_INTERNAL_H

#include "model/strtab.h"
#include "model/tokenizer.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

enum { TOK_MAX_REGEXES = 8 };

/* A piece of the text being merged: a span of bytes and the token it is now. */
typedef struct tok_symbol {
    int32_t  id;          /* BPE: the token; SPM: unused */
    int32_t  prev, next;  /* neighbours in the chain, -1 at the ends */
    uint32_t start, n;    /* bytes; n == 0 once merged into the left neighbour */
} tok_symbol;

/* A candidate merge of symbols left and right: best first by key, then leftmost. */
typedef struct tok_bigram {
    double   key;         /* BPE: the merge rank; SPM: minus the piece's score */
    int32_t  left, right;
    uint32_t size;        /* bytes of both, to spot a pair that changed since */
    int32_t  id;          /* the token the merge makes */
} tok_bigram;

typedef struct tok_merge {
    uint64_t pair;        /* left id << 32 | right id; UINT64_MAX: empty slot */
    int32_t  rank, id;
} tok_merge;

struct tokenizer {
    enum tokenizer_kind kind;
    const char *pre;
    int32_t     n_vocab;
    gguf_str   *text;               /* token texts, in the mapping */
    float      *score;              /* SPM piece scores */
    uint8_t    *type;               /* enum token_type */
    strtab      vocab;              /* text -> id */
    size_t      max_token_len;

    int32_t bos, eos, unk;
    int     add_bos, add_eos, add_space_prefix, ignore_merges;
    int     spm_words_apart;        /* SPM: no piece joins a word to the next "▁" */
    int32_t byte_token[256];        /* the token for each byte, or -1 */

    /* Special tokens, longest text first, the order they are carved out in; their
    ** texts (-> place in that order), and for each first byte the lengths of the
    ** texts that begin with it (lengths[length_at[b] .. length_at[b + 1]]). */
    int32_t  *specials;
    size_t    n_specials;
    strtab    special_texts;
    uint32_t *lengths;
    uint32_t  length_at[257];

    /* BPE */
    tok_merge         *merges;      /* open addressing on pair */
    size_t             merge_mask;
    pcre2_code        *re[TOK_MAX_REGEXES];
    int                n_re;
    pcre2_match_data  *match;
    int16_t            char_byte[324];   /* code point of the byte-level alphabet -> byte */

    /* scratch, reused across calls */
    tok_symbol *sym;
    size_t      sym_cap;
    tok_bigram *heap;
    size_t      heap_len, heap_cap;
    buf         scratch;
    augur_err  *err;                /* where the encoder being run reports */
};

/* The id of the token whose text is s[len], or -1. */
int32_t tok_find(const tokenizer *t, const char *s, size_t len);

/* Symbols and the bigram queue shared by the SPM and BPE merge loops. */
int  tok_symbols_reserve(tokenizer *t, size_t n);
int  tok_heap_push(tokenizer *t, const tok_bigram *b);
int  tok_heap_pop(tokenizer *t, tok_bigram *b);   /* 0 when empty */

/* Bytes in the UTF-8 sequence whose first byte is c (1 for a stray byte). */
size_t tok_utf8_len(unsigned char c);

/* Encode one run of plain text (no special tokens in it). at_start says that
** nothing but special tokens came before it (SentencePiece's space prefix). */
int tok_spm_encode(tokenizer *t, const char *text, size_t len, int at_start, token_list *out);
int tok_spm_words_apart(const tokenizer *t);
int tok_bpe_encode(tokenizer *t, const char *text, size_t len, token_list *out);

/* The byte-level BPE pre-tokenizer alone: word() for each piece, in order. */
int tok_bpe_split(tokenizer *t, const char *text, size_t len, tokenizer_piece_fn *word,
                  void *ctx);
int tok_wpm_encode(tokenizer *t, const char *text, size_t len, token_list *out);

/* Kind-specific loading, after the vocabulary table is built. */
int  tok_bpe_load(tokenizer *t, const gguf *g, augur_err *err);
void tok_bpe_free(tokenizer *t);

/* Append the bytes a byte-level BPE token's text stands for. */
void tok_bpe_decode(const tokenizer *t, gguf_str s, buf *out);

#endif
