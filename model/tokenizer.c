/*
** tokenizer.c — loading a vocabulary, special tokens, encoding and decoding.
**
** Encoding first carves special tokens out of the text the way llama.cpp does:
** each special token in turn, longest text first, is cut out of every stretch of
** text not yet cut, leftmost occurrence first. User-defined tokens are always cut
** out; control and unknown tokens only when the caller asks. The stretches of
** plain text left between them go to the kind's encoder.
*/
#include "model/tok_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void token_list_free(token_list *l)
{
    free(l->ids);
    l->ids = NULL;
    l->len = l->cap = 0;
}

int token_list_push(token_list *out, int32_t id)
{
    if (out->len == out->cap) {
        size_t cap = out->cap ? out->cap * 2 : 64;
        int32_t *ids = realloc(out->ids, cap * sizeof *ids);
        if (!ids)
            return AUGUR_ENOMEM;
        out->ids = ids;
        out->cap = cap;
    }
    out->ids[out->len++] = id;
    return AUGUR_OK;
}

int32_t tok_find(const tokenizer *t, const char *s, size_t len)
{
    const strtab_slot *slot = strtab_get(&t->vocab, s, len);
    return slot ? (int32_t)slot->value : -1;
}

size_t tok_utf8_len(unsigned char c)
{
    static const uint8_t lens[16] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4 };
    return lens[c >> 4];
}

int tok_symbols_reserve(tokenizer *t, size_t n)
{
    if (n > t->sym_cap) {
        size_t cap = t->sym_cap ? t->sym_cap : 256;
        tok_symbol *s;
        while (cap < n)
            cap *= 2;
        s = realloc(t->sym, cap * sizeof *s);
        if (!s)
            return AUGUR_ENOMEM;
        t->sym = s;
        t->sym_cap = cap;
    }
    return AUGUR_OK;
}

/* Whether bigram a comes out of the queue before b. */
static int bigram_before(const tok_bigram *a, const tok_bigram *b)
{
    return a->key < b->key || (a->key == b->key && a->left < b->left);
}

int tok_heap_push(tokenizer *t, const tok_bigram *b)
{
    size_t i;

    if (t->heap_len == t->heap_cap) {
        size_t cap = t->heap_cap ? t->heap_cap * 2 : 256;
        tok_bigram *h = realloc(t->heap, cap * sizeof *h);
        if (!h)
            return AUGUR_ENOMEM;
        t->heap = h;
        t->heap_cap = cap;
    }
    for (i = t->heap_len++; i > 0 && bigram_before(b, &t->heap[(i - 1) / 2]); i = (i - 1) / 2)
        t->heap[i] = t->heap[(i - 1) / 2];
    t->heap[i] = *b;
    return AUGUR_OK;
}

int tok_heap_pop(tokenizer *t, tok_bigram *b)
{
    tok_bigram last;
    size_t i = 0;

    if (t->heap_len == 0)
        return 0;
    *b = t->heap[0];
    last = t->heap[--t->heap_len];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= t->heap_len)
            break;
        if (c + 1 < t->heap_len && bigram_before(&t->heap[c + 1], &t->heap[c]))
            c++;
        if (!bigram_before(&t->heap[c], &last))
            break;
        t->heap[i] = t->heap[c];
        i = c;
    }
    t->heap[i] = last;
    return 1;
}

/* ---- loading ------------------------------------------------------------------- */

const char *tokenizer_kind_name(enum tokenizer_kind kind)
{
    switch (kind) {
    case TOKENIZER_SPM: return "llama";
    case TOKENIZER_BPE: return "gpt2";
    default:            return "bert";
    }
}

static int str_is(gguf_str s, const char *c)
{
    return s.ptr && s.len == strlen(c) && memcmp(s.ptr, c, s.len) == 0;
}

static int load_kind(tokenizer *t, const gguf *g, augur_err *err)
{
    gguf_str model = gguf_find_str(g, "tokenizer.ggml.model");
    gguf_str pre = gguf_find_str(g, "tokenizer.ggml.pre");

    if (!model.ptr)
        return augur_err_set(err, AUGUR_EINVAL, "no tokenizer in the file "
                             "(tokenizer.ggml.model is missing)");
    if (str_is(model, "llama"))
        t->kind = TOKENIZER_SPM;
    else if (str_is(model, "gpt2"))
        t->kind = TOKENIZER_BPE;
    else if (str_is(model, "bert"))
        t->kind = TOKENIZER_WPM;
    else
        return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.model '%.*s' is not supported "
                             "(llama, gpt2 and bert are)", (int)(model.len > 40 ? 40 : model.len),
                             model.ptr);
    t->pre = pre.ptr ? strndup(pre.ptr, pre.len) : strdup("default");
    return t->pre ? AUGUR_OK : augur_err_set(err, AUGUR_ENOMEM, "out of memory");
}

/* Scores and types beside the tokens: optional, but as long as the token list. */
static int load_tokens(tokenizer *t, const gguf *g, augur_err *err)
{
    const gguf_value *tokens = gguf_find(g, "tokenizer.ggml.tokens");
    const gguf_value *scores = gguf_find(g, "tokenizer.ggml.scores");
    const gguf_value *types = gguf_find(g, "tokenizer.ggml.token_type");
    uint64_t n = gguf_array_len(tokens);

    if (gguf_array_type(tokens) != GGUF_TYPE_STRING || n == 0 || n > INT32_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.tokens is not a list of strings");
    if ((scores && gguf_array_len(scores) != n) || (types && gguf_array_len(types) != n))
        return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.%s has %llu entries for %llu "
                             "tokens", scores && gguf_array_len(scores) != n ? "scores" :
                             "token_type", (unsigned long long)gguf_array_len(
                             scores && gguf_array_len(scores) != n ? scores : types),
                             (unsigned long long)n);
    t->n_vocab = (int32_t)n;
    t->text = calloc(n, sizeof *t->text);
    t->score = calloc(n, sizeof *t->score);
    t->type = calloc(n, sizeof *t->type);
    if (!t->text || !t->score || !t->type || strtab_init(&t->vocab, n) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        double score = 0;
        int64_t type = TOKEN_NORMAL;
        t->text[i] = gguf_array_str(tokens, i);
        if (scores && gguf_array_float(scores, i, &score) != AUGUR_OK)
            return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.scores is not a list of "
                                 "numbers");
        if (types && gguf_array_int(types, i, &type) != AUGUR_OK)
            return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.token_type is not a list of "
                                 "integers");
        t->score[i] = (float)score;
        t->type[i] = type >= TOKEN_NORMAL && type <= TOKEN_BYTE ? (uint8_t)type : 0;
        if (t->text[i].len > t->max_token_len)
            t->max_token_len = t->text[i].len;
    }
    /* Where two tokens share a text the later id wins, as in llama.cpp. */
    for (uint64_t i = n; i-- > 0;)
        if (strtab_put(&t->vocab, t->text[i].ptr, t->text[i].len, (uint32_t)i, NULL) < 0)
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    return AUGUR_OK;
}

static int32_t load_id(const tokenizer *t, const gguf *g, const char *key, int32_t dflt)
{
    int64_t id = gguf_find_int(g, key, dflt);
    return id >= 0 && id < t->n_vocab ? (int32_t)id : -1;
}

static int load_flag(const gguf *g, const char *key, int dflt)
{
    int v;
    return gguf_get_bool(gguf_find(g, key), &v) == AUGUR_OK ? v : dflt;
}

static void load_special_ids(tokenizer *t, const gguf *g)
{
    int bpe = t->kind == TOKENIZER_BPE, wpm = t->kind == TOKENIZER_WPM;
    int llama3 = bpe && (strcmp(t->pre, "llama3") == 0 || strcmp(t->pre, "llama-v3") == 0 ||
                         strcmp(t->pre, "llama-bpe") == 0 || strcmp(t->pre, "falcon3") == 0);

    /* The defaults are llama.cpp's for each kind; the file's keys override them. */
    if (wpm) {
        t->bos = load_id(t, g, "tokenizer.ggml.cls_token_id",
                         load_id(t, g, "tokenizer.ggml.bos_token_id", 101));
        t->eos = load_id(t, g, "tokenizer.ggml.seperator_token_id", 102);
        t->unk = load_id(t, g, "tokenizer.ggml.unknown_token_id", 100);
    } else {
        t->bos = load_id(t, g, "tokenizer.ggml.bos_token_id", bpe ? 11 : 1);
        t->eos = load_id(t, g, "tokenizer.ggml.eos_token_id", bpe ? 11 : 2);
        t->unk = load_id(t, g, "tokenizer.ggml.unknown_token_id", bpe ? -1 : 0);
    }
    t->add_bos = load_flag(g, "tokenizer.ggml.add_bos_token", !bpe || llama3);
    t->add_eos = load_flag(g, "tokenizer.ggml.add_eos_token", wpm);
    t->add_space_prefix = load_flag(g, "tokenizer.ggml.add_space_prefix", t->kind == TOKENIZER_SPM);
    t->ignore_merges = llama3;
}

static int special_cmp(const void *a, const void *b, void *ctx)
{
    const tokenizer *t = ctx;
    int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
    size_t lx = t->text[x].len, ly = t->text[y].len;

    if (lx != ly)
        return lx > ly ? -1 : 1;
    return (x > y) - (x < y);
}

static int u32_cmp(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* For each first byte, the distinct lengths of the special texts it begins. */
static int load_special_lengths(tokenizer *t)
{
    uint32_t count[256] = { 0 }, at = 0;

    t->lengths = malloc((t->n_specials + 1) * sizeof *t->lengths);
    if (!t->lengths)
        return AUGUR_ENOMEM;
    for (size_t r = 0; r < t->n_specials; r++)
        count[(unsigned char)t->text[t->specials[r]].ptr[0]]++;
    for (int b = 0; b < 256; b++) {
        t->length_at[b] = at;
        at += count[b];
        count[b] = t->length_at[b];
    }
    t->length_at[256] = at;
    for (size_t r = 0; r < t->n_specials; r++) {
        gguf_str s = t->text[t->specials[r]];
        t->lengths[count[(unsigned char)s.ptr[0]]++] = (uint32_t)s.len;
    }
    /* Sort each byte's lengths and keep one of each, moving the groups left. */
    at = 0;
    for (int b = 0; b < 256; b++) {
        uint32_t *l = t->lengths + t->length_at[b], n = t->length_at[b + 1] - t->length_at[b];
        qsort(l, n, sizeof *l, u32_cmp);
        t->length_at[b] = at;
        for (uint32_t i = 0; i < n; i++)
            if (i == 0 || l[i] != l[i - 1])
                t->lengths[at++] = l[i];
    }
    t->length_at[256] = at;
    return AUGUR_OK;
}

static int load_specials(tokenizer *t)
{
    t->specials = malloc((size_t)t->n_vocab * sizeof *t->specials);
    if (!t->specials)
        return AUGUR_ENOMEM;
    for (int32_t i = 0; i < t->n_vocab; i++) {
        int type = t->type[i];
        if ((type == TOKEN_CONTROL || type == TOKEN_USER_DEFINED || type == TOKEN_UNKNOWN) &&
            t->text[i].len > 0 && t->text[i].len <= UINT32_MAX)
            t->specials[t->n_specials++] = i;
    }
    qsort_r(t->specials, t->n_specials, sizeof *t->specials, special_cmp, t);
    if (strtab_init(&t->special_texts, t->n_specials) != AUGUR_OK)
        return AUGUR_ENOMEM;
    /* A text that two special tokens share is cut as the first of them. */
    for (size_t r = 0; r < t->n_specials; r++) {
        gguf_str s = t->text[t->specials[r]];
        if (strtab_put(&t->special_texts, s.ptr, s.len, (uint32_t)r, NULL) < 0)
            return AUGUR_ENOMEM;
    }
    return load_special_lengths(t);
}

static void load_byte_tokens(tokenizer *t)
{
    for (int b = 0; b < 256; b++) {
        char name[8];
        t->byte_token[b] = -1;
        if (t->kind == TOKENIZER_SPM) {
            snprintf(name, sizeof name, "<0x%02X>", b);
            t->byte_token[b] = tok_find(t, name, 6);
        }
    }
}

int tokenizer_new(tokenizer **out, const gguf *g, augur_err *err)
{
    tokenizer *t = calloc(1, sizeof *t);
    int rc;

    *out = NULL;
    if (!t)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if ((rc = load_kind(t, g, err)) != AUGUR_OK || (rc = load_tokens(t, g, err)) != AUGUR_OK)
        goto fail;
    load_special_ids(t, g);
    load_byte_tokens(t);
    if ((rc = load_specials(t)) != AUGUR_OK) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        goto fail;
    }
    if (t->kind == TOKENIZER_BPE && (rc = tok_bpe_load(t, g, err)) != AUGUR_OK)
        goto fail;
    if (t->kind == TOKENIZER_SPM)
        t->spm_words_apart = tok_spm_words_apart(t);
    *out = t;
    return AUGUR_OK;
fail:
    tokenizer_free(t);
    return rc;
}

void tokenizer_free(tokenizer *t)
{
    if (!t)
        return;
    tok_bpe_free(t);
    strtab_free(&t->vocab);
    free((void *)t->pre);
    free(t->text);
    free(t->score);
    free(t->type);
    free(t->specials);
    free(t->lengths);
    strtab_free(&t->special_texts);
    free(t->sym);
    free(t->heap);
    buf_free(&t->scratch);
    free(t);
}

enum tokenizer_kind tokenizer_kind(const tokenizer *t) { return t->kind; }
const char *tokenizer_pre(const tokenizer *t)          { return t->pre; }
size_t      tokenizer_vocab_size(const tokenizer *t)   { return (size_t)t->n_vocab; }
int32_t     tokenizer_bos(const tokenizer *t)          { return t->bos; }
int32_t     tokenizer_eos(const tokenizer *t)          { return t->eos; }

gguf_str tokenizer_token_text(const tokenizer *t, int32_t id)
{
    gguf_str none = { NULL, 0 };
    return id >= 0 && id < t->n_vocab ? t->text[id] : none;
}

enum token_type tokenizer_token_type(const tokenizer *t, int32_t id)
{
    return id >= 0 && id < t->n_vocab ? (enum token_type)t->type[id] : 0;
}

/* ---- special tokens ------------------------------------------------------------ */

typedef struct tok_cut {
    size_t  pos;
    size_t  rank;      /* place in t->specials: the order tokens are cut in */
} tok_cut;

static int cut_by_rank(const void *a, const void *b)
{
    const tok_cut *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int cut_by_pos(const void *a, const void *b)
{
    const tok_cut *x = a, *y = b;
    return (x->pos > y->pos) - (x->pos < y->pos);
}

static int special_active(const tokenizer *t, int32_t id, int parse_special)
{
    return parse_special || t->type[id] == TOKEN_USER_DEFINED;
}

/* Every place a special token's text occurs: at each byte, the texts of each
** length that begin with that byte are looked up. */
static int find_occurrences(const tokenizer *t, const char *text, size_t len, int parse_special,
                            tok_cut **occ, size_t *n_occ)
{
    size_t cap = 0;

    *occ = NULL;
    *n_occ = 0;
    for (size_t p = 0; p < len; p++) {
        unsigned char b = (unsigned char)text[p];
        for (uint32_t i = t->length_at[b]; i < t->length_at[b + 1]; i++) {
            const strtab_slot *slot;
            size_t n = t->lengths[i];
            if (n > len - p || !(slot = strtab_get(&t->special_texts, text + p, n)) ||
                !special_active(t, t->specials[slot->value], parse_special))
                continue;
            if (*n_occ == cap) {
                tok_cut *more = realloc(*occ, (cap = cap ? cap * 2 : 64) * sizeof *more);
                if (!more)
                    return AUGUR_ENOMEM;
                *occ = more;
            }
            (*occ)[(*n_occ)++] = (tok_cut){ p, slot->value };
        }
    }
    return AUGUR_OK;
}

/* Which occurrences are cut: token by token in rank order, leftmost first, never
** overlapping what is already cut. Leaves the cuts sorted by position in occ. */
static int choose_cuts(const tokenizer *t, size_t len, tok_cut *occ, size_t *n_occ)
{
    size_t kept = 0, last_rank = SIZE_MAX, last_end = 0;
    unsigned char *taken;

    if (*n_occ == 0)
        return AUGUR_OK;
    if (!(taken = calloc(len / 8 + 1, 1)))
        return AUGUR_ENOMEM;
    qsort(occ, *n_occ, sizeof *occ, cut_by_rank);
    for (size_t i = 0; i < *n_occ; i++) {
        size_t pos = occ[i].pos, n = t->text[t->specials[occ[i].rank]].len, j;
        if (occ[i].rank != last_rank) {
            last_rank = occ[i].rank;
            last_end = 0;
        }
        if (pos < last_end)
            continue;
        for (j = pos; j < pos + n && !(taken[j / 8] & (1u << (j % 8))); j++)
            ;
        if (j < pos + n)
            continue;
        for (j = pos; j < pos + n; j++)
            taken[j / 8] |= (unsigned char)(1u << (j % 8));
        last_end = pos + n;
        occ[kept++] = occ[i];
    }
    free(taken);
    *n_occ = kept;
    qsort(occ, kept, sizeof *occ, cut_by_pos);
    return AUGUR_OK;
}

/* ---- encoding ------------------------------------------------------------------ */

static int encode_run(tokenizer *t, const char *text, size_t len, int at_start, token_list *out)
{
    switch (t->kind) {
    case TOKENIZER_SPM: return tok_spm_encode(t, text, len, at_start, out);
    case TOKENIZER_BPE: return tok_bpe_encode(t, text, len, out);
    default:            return tok_wpm_encode(t, text, len, out);
    }
}

int tokenizer_encode(tokenizer *t, const char *text, size_t len, unsigned flags, token_list *out,
                     augur_err *err)
{
    tok_cut *cuts = NULL;
    size_t n_cuts = 0, pos = 0, start = out->len;
    int at_start = 1, rc;

    t->err = err;
    rc = find_occurrences(t, text, len, (flags & TOKENIZE_PARSE_SPECIAL) != 0, &cuts, &n_cuts);
    if (rc == AUGUR_OK)
        rc = choose_cuts(t, len, cuts, &n_cuts);
    if (rc == AUGUR_OK && (flags & TOKENIZE_ADD_SPECIAL) && t->add_bos && t->bos >= 0)
        rc = token_list_push(out, t->bos);
    for (size_t i = 0; rc == AUGUR_OK && i <= n_cuts; i++) {
        size_t end = i < n_cuts ? cuts[i].pos : len;
        if (end > pos) {
            rc = encode_run(t, text + pos, end - pos, at_start, out);
            at_start = 0;
        }
        if (rc == AUGUR_OK && i < n_cuts) {
            int32_t id = t->specials[cuts[i].rank];
            rc = token_list_push(out, id);
            pos = end + t->text[id].len;
            at_start = 1;
        }
    }
    if (rc == AUGUR_OK && (flags & TOKENIZE_ADD_SPECIAL) && t->add_eos && t->eos >= 0)
        rc = token_list_push(out, t->eos);
    free(cuts);
    t->err = NULL;
    if (rc != AUGUR_OK) {
        out->len = start;
        if (rc == AUGUR_ENOMEM)
            augur_err_set(err, rc, "tokenizer: out of memory");
    }
    return rc;
}

int tokenizer_split(tokenizer *t, const char *text, size_t len, tokenizer_piece_fn *word, void *ctx,
                    augur_err *err)
{
    int rc;

    if (t->kind != TOKENIZER_BPE)
        return word(ctx, text, len);
    t->err = err;
    rc = tok_bpe_split(t, text, len, word, ctx);
    t->err = NULL;
    return rc;
}

/* ---- decoding ------------------------------------------------------------------ */

/* The byte a "<0xNN>" token stands for, or -1. */
static int byte_of(gguf_str s)
{
    unsigned v;
    char text[7];

    if (s.len != 6)
        return -1;
    memcpy(text, s.ptr, 6);
    text[6] = '\0';
    return sscanf(text, "<0x%2X>", &v) == 1 && text[5] == '>' ? (int)v : -1;
}

/* Append text with each "▁" written as a space. */
static void unescape_spaces(gguf_str s, buf *out)
{
    for (size_t i = 0; i < s.len; i++) {
        if (i + 2 < s.len && memcmp(s.ptr + i, "\xe2\x96\x81", 3) == 0) {
            buf_putc(out, ' ');
            i += 2;
        } else {
            buf_putc(out, s.ptr[i]);
        }
    }
}

/* Append the bytes of one token. */
static void piece(const tokenizer *t, int32_t id, unsigned flags, buf *out)
{
    gguf_str s = t->text[id];
    int b;

    switch (t->type[id]) {
    case TOKEN_CONTROL:
    case TOKEN_UNKNOWN:
        if (flags & DETOKENIZE_SPECIAL)
            buf_add(out, s.ptr, s.len);
        break;
    case TOKEN_USER_DEFINED:
        buf_add(out, s.ptr, s.len);
        break;
    case TOKEN_BYTE:
        if ((b = byte_of(s)) >= 0)
            buf_putc(out, b);
        else
            buf_add(out, s.ptr, s.len);
        break;
    case TOKEN_NORMAL:
        if (t->kind == TOKENIZER_BPE)
            tok_bpe_decode(t, s, out);
        else
            unescape_spaces(s, out);
        break;
    default:
        break;
    }
}

void tokenizer_stream_init(tokenizer_stream *s, const tokenizer *t, unsigned flags)
{
    memset(s, 0, sizeof *s);
    s->t = t;
    s->flags = flags;
    s->at_start = 1;
}

/* Bytes at the end of out[len] that begin a UTF-8 character not yet complete. */
static int incomplete_tail(const unsigned char *p, size_t len)
{
    for (size_t j = 1; j <= 3 && j <= len; j++) {
        unsigned char c = p[len - j];
        if ((c & 0xC0) == 0x80)
            continue;
        return c >= 0xC0 && tok_utf8_len(c) > j ? (int)j : 0;
    }
    return 0;
}

int tokenizer_stream_push(tokenizer_stream *s, int32_t id, buf *out, augur_err *err)
{
    const tokenizer *t = s->t;
    size_t at;
    int type, tail;

    if (id < 0 || id >= t->n_vocab)
        return augur_err_set(err, AUGUR_EINVAL, "token id %ld is out of range (the vocabulary "
                             "has %ld tokens)", (long)id, (long)t->n_vocab);
    buf_add(out, s->held, (size_t)s->n_held);
    s->n_held = 0;
    at = out->len;
    piece(t, id, s->flags, out);
    type = t->type[id];
    if (type == TOKEN_NORMAL || type == TOKEN_BYTE) {
        int strip = t->kind == TOKENIZER_WPM || (t->kind == TOKENIZER_SPM && t->add_space_prefix);
        if (s->at_start && strip && out->len > at && out->data[at] == ' ') {
            memmove(out->data + at, out->data + at + 1, out->len - at - 1);
            buf_truncate(out, out->len - 1);
        }
        s->at_start = 0;
    } else if (t->kind != TOKENIZER_WPM && type != TOKEN_UNUSED && type != 0) {
        s->at_start = 1;
    }
    if (out->oom)
        return augur_err_set(err, AUGUR_ENOMEM, "tokenizer: out of memory");
    tail = incomplete_tail((const unsigned char *)out->data, out->len);
    if (tail > 0) {
        memcpy(s->held, out->data + out->len - tail, (size_t)tail);
        s->n_held = tail;
        buf_truncate(out, out->len - (size_t)tail);
    }
    return AUGUR_OK;
}

int tokenizer_stream_finish(tokenizer_stream *s, buf *out)
{
    int rc = buf_add(out, s->held, (size_t)s->n_held);
    s->n_held = 0;
    return rc;
}

int tokenizer_decode(const tokenizer *t, const int32_t *ids, size_t n, unsigned flags, buf *out,
                     augur_err *err)
{
    tokenizer_stream s;
    int rc = AUGUR_OK;

    tokenizer_stream_init(&s, t, flags);
    for (size_t i = 0; i < n && rc == AUGUR_OK; i++)
        rc = tokenizer_stream_push(&s, ids[i], out, err);
    if (rc == AUGUR_OK && tokenizer_stream_finish(&s, out) != AUGUR_OK)
        rc = augur_err_set(err, AUGUR_ENOMEM, "tokenizer: out of memory");
    return rc;
}
