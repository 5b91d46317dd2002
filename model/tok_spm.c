/*
** tok_spm.c — SentencePiece (tokenizer.ggml.model "llama").
**
** Spaces become "▁" (and one goes in front of a run of text that begins the input
** or follows a special token, when add_space_prefix says so). The text starts as
** one symbol per UTF-8 character; the adjacent pair whose joined text is the
** highest-scoring piece is merged first (the leftmost on a tie), until no pair
** joins into a piece. A symbol left that is no piece falls back to its bytes'
** <0xNN> tokens.
**
** The merges run word by word when they can: if no piece has a "▁" right after
** another character, no merge can join the end of a word to the "▁" that begins
** the next, so words merge independently and in the same order as in one pass,
** and the queue stays small.
*/
#include "model/tok_internal.h"

#include <string.h>

static int spm_pair(tokenizer *t, const char *text, int32_t left, int32_t right)
{
    tok_bigram b;
    int32_t id;

    if (left < 0 || right < 0)
        return AUGUR_OK;
    b.size = t->sym[left].n + t->sym[right].n;
    id = tok_find(t, text + t->sym[left].start, b.size);
    if (id < 0)
        return AUGUR_OK;
    b.key = -(double)t->score[id];
    b.left = left;
    b.right = right;
    b.id = id;
    return tok_heap_push(t, &b);
}

static int spm_output(tokenizer *t, const char *text, token_list *out)
{
    int rc = AUGUR_OK;

    for (int32_t i = 0; i != -1 && rc == AUGUR_OK; i = t->sym[i].next) {
        const tok_symbol *s = &t->sym[i];
        int32_t id = tok_find(t, text + s->start, s->n);
        if (id >= 0) {
            rc = token_list_push(out, id);
            continue;
        }
        for (uint32_t j = 0; j < s->n && rc == AUGUR_OK; j++) {
            int32_t byte = t->byte_token[(unsigned char)text[s->start + j]];
            if (byte >= 0 || t->unk >= 0)
                rc = token_list_push(out, byte >= 0 ? byte : t->unk);
        }
    }
    return rc;
}

static const char spm_space[] = "\xe2\x96\x81";

int tok_spm_words_apart(const tokenizer *t)
{
    for (int32_t id = 0; id < t->n_vocab; id++) {
        gguf_str s = t->text[id];
        for (size_t i = 1; i + 3 <= s.len; i++)
            if (memcmp(s.ptr + i, spm_space, 3) == 0 &&
                (i < 3 || memcmp(s.ptr + i - 3, spm_space, 3) != 0))
                return 0;
    }
    return 1;
}

/* Merge the symbols of text[start, end) and append their tokens. */
static int spm_run(tokenizer *t, const char *text, size_t start, size_t end, token_list *out)
{
    tok_bigram b;
    size_t n = 0;
    int rc = AUGUR_OK;

    if (tok_symbols_reserve(t, end - start) != AUGUR_OK)
        return AUGUR_ENOMEM;
    for (size_t at = start; at < end; n++) {
        size_t w = tok_utf8_len((unsigned char)text[at]);
        if (w > end - at)
            w = end - at;
        t->sym[n] = (tok_symbol){ -1, (int32_t)n - 1, -1, (uint32_t)at, (uint32_t)w };
        if (n > 0)
            t->sym[n - 1].next = (int32_t)n;
        at += w;
    }
    t->heap_len = 0;
    for (size_t i = 1; i < n && rc == AUGUR_OK; i++)
        rc = spm_pair(t, text, (int32_t)i - 1, (int32_t)i);
    while (rc == AUGUR_OK && tok_heap_pop(t, &b)) {
        tok_symbol *l = &t->sym[b.left], *r = &t->sym[b.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != b.size)
            continue;
        l->n += r->n;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0)
            t->sym[r->next].prev = b.left;
        rc = spm_pair(t, text, l->prev, b.left);
        if (rc == AUGUR_OK)
            rc = spm_pair(t, text, b.left, l->next);
    }
    return rc == AUGUR_OK && n > 0 ? spm_output(t, text, out) : rc;
}

/* Where the word that begins at start ends: at the next character that is "▁"
** after one that is not, or at len. Characters are cut as spm_run cuts them. */
static size_t spm_word_end(const char *s, size_t start, size_t len)
{
    int after_space = 1;

    for (size_t at = start; at < len;) {
        size_t w = tok_utf8_len((unsigned char)s[at]);
        int space;
        if (w > len - at)
            w = len - at;
        space = w == 3 && memcmp(s + at, spm_space, 3) == 0;
        if (space && !after_space && at > start)
            return at;
        after_space = space;
        at += w;
    }
    return len;
}

int tok_spm_encode(tokenizer *t, const char *text, size_t len, int at_start, token_list *out)
{
    buf *s = &t->scratch;
    int rc = AUGUR_OK;

    buf_clear(s);
    if (t->add_space_prefix && at_start)
        buf_add(s, spm_space, 3);
    for (size_t i = 0; i < len; i++) {
        if (text[i] == ' ')
            buf_add(s, spm_space, 3);
        else
            buf_putc(s, text[i]);
    }
    if (s->oom || s->len > UINT32_MAX)
        return AUGUR_ENOMEM;
    if (!t->spm_words_apart)
        return spm_run(t, s->data, 0, s->len, out);
    for (size_t start = 0; start < s->len && rc == AUGUR_OK;) {
        size_t end = spm_word_end(s->data, start, s->len);
        rc = spm_run(t, s->data, start, end, out);
        start = end;
    }
    return rc;
}
