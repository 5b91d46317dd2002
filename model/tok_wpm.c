/*
** tok_wpm.c — WordPiece (tokenizer.ggml.model "bert"), as BERT's uncased tokenizer.
**
** The text is cleaned (NUL, U+FFFD and control characters dropped), decomposed
** (Unicode NFD) with the nonspacing marks dropped, lowercased, and split into
** words at whitespace, with each punctuation mark and each CJK ideograph a word of
** its own; utf8proc gives decompositions, categories and case. Each word is then
** cut into the longest pieces the vocabulary has, left to right; a word that
** cannot be cut, or is longer than 100 characters, is the unknown token. In a
** GGUF vocabulary a word-initial piece is written with "▁" in front and a
** continuation piece bare (BERT's "##" taken off).
*/
#include "model/tok_internal.h"

#include <string.h>
#include <utf8proc.h>

enum { WPM_MAX_WORD_CHARS = 100, WPM_DECOMPOSED_MAX = 32 };

static int wpm_is_control(utf8proc_int32_t c)
{
    utf8proc_category_t cat = utf8proc_category(c);

    if (c == '\t' || c == '\n' || c == '\r')
        return 0;
    return cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_CF ||
           cat == UTF8PROC_CATEGORY_CN || cat == UTF8PROC_CATEGORY_CO ||
           cat == UTF8PROC_CATEGORY_CS;
}

static int wpm_is_space(utf8proc_int32_t c)
{
    utf8proc_category_t cat = utf8proc_category(c);

    return c == '\t' || c == '\n' || c == '\r' || cat == UTF8PROC_CATEGORY_ZS ||
           cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP;
}

static int wpm_is_punct(utf8proc_int32_t c)
{
    utf8proc_category_t cat = utf8proc_category(c);

    if ((c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) ||
        (c >= 123 && c <= 126))
        return 1;
    return cat >= UTF8PROC_CATEGORY_PC && cat <= UTF8PROC_CATEGORY_PO;
}

/* The CJK Unified Ideographs blocks, as BERT lists them. */
static int wpm_is_cjk(utf8proc_int32_t c)
{
    return (c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) ||
           (c >= 0x20000 && c <= 0x2A6DF) || (c >= 0x2A700 && c <= 0x2B73F) ||
           (c >= 0x2B740 && c <= 0x2B81F) || (c >= 0x2B920 && c <= 0x2CEAF) ||
           (c >= 0xF900 && c <= 0xFAFF) || (c >= 0x2F800 && c <= 0x2FA1F);
}

/* Cut the word in w[n] ("▁" and its text) into pieces, or the unknown token. */
static int wpm_word(tokenizer *t, const char *w, size_t n, size_t chars, token_list *out)
{
    size_t first = out->len, i = 0;

    while (i < n && chars <= WPM_MAX_WORD_CHARS) {
        size_t j = n - i > t->max_token_len ? i + t->max_token_len : n;
        int32_t id = -1;
        for (; j > i; j--) {
            if (j < n && ((unsigned char)w[j] & 0xC0) == 0x80)
                continue;
            if ((id = tok_find(t, w + i, j - i)) >= 0)
                break;
        }
        if (id < 0)
            break;
        if (token_list_push(out, id) != AUGUR_OK)
            return AUGUR_ENOMEM;
        i = j;
    }
    if (i == n && chars <= WPM_MAX_WORD_CHARS)
        return AUGUR_OK;
    out->len = first;
    return t->unk >= 0 ? token_list_push(out, t->unk) : AUGUR_OK;
}

/* Words are gathered in t->scratch, after the "▁" it starts with. */
static int wpm_flush(tokenizer *t, size_t *chars, token_list *out)
{
    int rc = AUGUR_OK;

    if (t->scratch.oom)
        return AUGUR_ENOMEM;
    if (*chars > 0)
        rc = wpm_word(t, t->scratch.data, t->scratch.len, *chars, out);
    buf_truncate(&t->scratch, 3);
    *chars = 0;
    return rc;
}

static int wpm_char(tokenizer *t, utf8proc_int32_t c, size_t *chars, token_list *out)
{
    utf8proc_uint8_t bytes[4];
    int rc = AUGUR_OK;

    if (c == 0 || c == 0xFFFD || wpm_is_control(c) ||
        utf8proc_category(c) == UTF8PROC_CATEGORY_MN)
        return AUGUR_OK;
    if (wpm_is_space(c))
        return wpm_flush(t, chars, out);
    c = utf8proc_tolower(c);
    if (wpm_is_punct(c) || wpm_is_cjk(c)) {
        rc = wpm_flush(t, chars, out);
        buf_add(&t->scratch, bytes, (size_t)utf8proc_encode_char(c, bytes));
        *chars = 1;
        return rc == AUGUR_OK ? wpm_flush(t, chars, out) : rc;
    }
    buf_add(&t->scratch, bytes, (size_t)utf8proc_encode_char(c, bytes));
    ++*chars;
    return AUGUR_OK;
}

int tok_wpm_encode(tokenizer *t, const char *text, size_t len, token_list *out)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)text;
    size_t chars = 0, at = 0;
    int rc = AUGUR_OK;

    buf_clear(&t->scratch);
    buf_add(&t->scratch, "\xe2\x96\x81", 3);
    while (at < len && rc == AUGUR_OK) {
        utf8proc_int32_t c, nfd[WPM_DECOMPOSED_MAX];
        utf8proc_ssize_t n = utf8proc_iterate(p + at, (utf8proc_ssize_t)(len - at), &c), m;
        int boundclass = 0;
        if (n <= 0) {             /* not UTF-8: dropped, as U+FFFD would be */
            at++;
            continue;
        }
        at += (size_t)n;
        m = utf8proc_decompose_char(c, nfd, WPM_DECOMPOSED_MAX, UTF8PROC_DECOMPOSE, &boundclass);
        if (m <= 0 || m > WPM_DECOMPOSED_MAX) {
            nfd[0] = c;
            m = 1;
        }
        for (utf8proc_ssize_t i = 0; i < m && rc == AUGUR_OK; i++)
            rc = wpm_char(t, nfd[i], &chars, out);
    }
    return rc == AUGUR_OK ? wpm_flush(t, &chars, out) : rc;
}
