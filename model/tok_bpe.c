/*
** tok_bpe.c — byte-level BPE (tokenizer.ggml.model "gpt2").
**
** The text is split into words by the regular expressions of the model family
** that tokenizer.ggml.pre names, each applied in turn inside the pieces the ones
** before it left: what an expression matches becomes a piece, and so does the
** text between matches. The expressions are the families' own, as their
** tokenizer definitions publish them (a "digits" step is \p{N}); PCRE2 runs them
** in UTF mode with Unicode properties. Each word starts as one symbol per byte,
** written in GPT-2's byte alphabet; the adjacent pair with the lowest merge rank
** is merged first (the leftmost on a tie), until no pair has a merge.
*/
#include "model/tok_internal.h"

#include <stdlib.h>
#include <string.h>

#define GPT2_RE "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+"
#define LLAMA3_RE "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|" \
                  " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define QWEN2_RE "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}|" \
                 " ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+"
#define CJK_RE "[\\x{4E00}-\\x{9FA5}\\x{0800}-\\x{4E00}\\x{AC00}-\\x{D7FF}]+"

static const char *const re_gpt2[] = { GPT2_RE, NULL };
static const char *const re_llama3[] = { LLAMA3_RE, NULL };
static const char *const re_qwen2[] = { QWEN2_RE, NULL };
static const char *const re_digits_gpt2[] = { "\\p{N}", GPT2_RE, NULL };
static const char *const re_falcon[] = { "[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2_RE, "[0-9][0-9][0-9]",
                                         NULL };
static const char *const re_default[] = { "[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2_RE, "\\p{N}+",
                                          "[0-9][0-9][0-9]", NULL };
static const char *const re_deepseek_coder[] = { "[\\r\\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", CJK_RE,
                                                 "\\p{N}", NULL };
static const char *const re_deepseek_llm[] = {
    "[\\r\\n]",
    "\\s?["
    "A-Za-z\\x{B5}\\x{C0}-\\x{D6}\\x{D8}-\\x{F6}\\x{F8}-\\x{1BA}\\x{1BC}-\\x{1BF}"
    "\\x{1C4}-\\x{293}\\x{295}-\\x{2AF}\\x{370}-\\x{373}\\x{376}-\\x{377}"
    "\\x{37B}-\\x{37D}\\x{37F}\\x{386}\\x{388}-\\x{38A}\\x{38C}\\x{38E}-\\x{3A1}"
    "\\x{3A3}-\\x{3F5}\\x{3F7}-\\x{481}\\x{48A}-\\x{52F}\\x{531}-\\x{556}"
    "\\x{10A0}-\\x{10C5}\\x{13A0}-\\x{13F5}\\x{13F8}-\\x{13FD}\\x{1C90}-\\x{1CBA}"
    "\\x{1CBD}-\\x{1CBF}\\x{1D00}-\\x{1D2B}\\x{1D6B}-\\x{1D77}\\x{1D79}-\\x{1D9A}"
    "\\x{1E00}-\\x{1F15}\\x{1F18}-\\x{1F1D}\\x{1F20}-\\x{1F45}\\x{1F48}-\\x{1F4D}"
    "\\x{1F50}-\\x{1F57}\\x{1F59}\\x{1F5B}\\x{1F5D}\\x{1F5F}-\\x{1F7D}"
    "\\x{1F80}-\\x{1FB4}\\x{1FB6}-\\x{1FBC}\\x{1FBE}\\x{1FC2}-\\x{1FC4}"
    "\\x{1FC6}-\\x{1FCC}\\x{1FD0}-\\x{1FD3}\\x{1FD6}-\\x{1FDB}\\x{1FE0}-\\x{1FEC}"
    "\\x{1FF2}-\\x{1FF4}\\x{1FF6}-\\x{1FFC}\\x{2102}\\x{2107}\\x{210A}-\\x{2113}"
    "\\x{2115}\\x{2119}-\\x{211D}\\x{2124}\\x{2126}\\x{2128}\\x{212A}-\\x{212D}"
    "\\x{212F}-\\x{2134}\\x{2139}\\x{213C}-\\x{213F}\\x{2145}-\\x{2149}\\x{214E}"
    "\\x{2183}-\\x{2184}\\x{2C00}-\\x{2C7B}\\x{2C7E}-\\x{2CE4}\\x{2CEB}-\\x{2CEE}"
    "\\x{2CF2}-\\x{2CF3}\\x{A640}-\\x{A66D}\\x{A680}-\\x{A69B}\\x{A722}-\\x{A76F}"
    "\\x{A771}-\\x{A787}\\x{A78B}-\\x{A78E}\\x{AB70}-\\x{ABBF}\\x{FB00}-\\x{FB06}"
    "\\x{FB13}-\\x{FB17}\\x{FF21}-\\x{FF3A}\\x{FF41}-\\x{FF5A}\\x{10400}-\\x{1044F}"
    "\\x{104B0}-\\x{104D3}\\x{104D8}-\\x{104FB}\\x{10C80}-\\x{10CB2}"
    "\\x{10CC0}-\\x{10CF2}\\x{118A0}-\\x{118DF}\\x{1E900}-\\x{1E943}"
    "]+",
    "\\s?[!-/:-~\\x{FF01}-\\x{FF0F}\\x{FF1A}-\\x{FF5E}\\x{2018}-\\x{201F}\\x{3000}-\\x{3002}]+",
    "\\s+$",
    CJK_RE,
    "\\p{N}+",
    NULL,
};

/* tokenizer.ggml.pre names, by the expressions their families publish. */
static const struct {
    const char *names;             /* separated and ended by '|' */
    const char *const *regexes;
} families[] = {
    { "default|", re_default },
    { "gpt-2|mpt|olmo|jais|phi-2|jina-es|jina-de|jina-v2-es|jina-v2-de|jina-v2-code|roberta-bpe|",
      re_gpt2 },
    { "llama3|llama-v3|llama-bpe|falcon3|dbrx|smaug-bpe|", re_llama3 },
    { "qwen2|stablelm2|deepseek-r1-qwen|megrez|", re_qwen2 },
    { "starcoder|refact|command-r|smollm|codeshell|exaone|minerva-7b|", re_digits_gpt2 },
    { "falcon|", re_falcon },
    { "deepseek-llm|", re_deepseek_llm },
    { "deepseek-coder|", re_deepseek_coder },
};

static const char *const *family_regexes(const char *pre)
{
    size_t n = strlen(pre);

    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        for (const char *p = families[i].names; *p; p = strchr(p, '|') + 1)
            if (strncmp(p, pre, n) == 0 && p[n] == '|')
                return families[i].regexes;
    return NULL;
}

static int load_regexes(tokenizer *t, augur_err *err)
{
    const char *const *re = family_regexes(t->pre);

    if (!re)
        return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.pre '%s' names no pre-tokenizer "
                             "augur knows", t->pre);
    for (; *re; re++) {
        PCRE2_SIZE at;
        int code;
        pcre2_code *c = pcre2_compile((PCRE2_SPTR)*re, PCRE2_ZERO_TERMINATED,
                                      PCRE2_UTF | PCRE2_UCP | PCRE2_MATCH_INVALID_UTF |
                                      PCRE2_DOLLAR_ENDONLY, &code, &at, NULL);
        if (!c) {
            PCRE2_UCHAR msg[256];
            pcre2_get_error_message(code, msg, sizeof msg);
            return augur_err_set(err, AUGUR_EINVAL, "pre-tokenizer '%s': expression %d at %zu: %s",
                                 t->pre, t->n_re + 1, (size_t)at, (const char *)msg);
        }
        /* Without JIT, PCRE2 interprets the expression: slower, the same result. */
        pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
        t->re[t->n_re++] = c;
    }
    t->match = pcre2_match_data_create(1, NULL);
    return t->match ? AUGUR_OK : augur_err_set(err, AUGUR_ENOMEM, "out of memory");
}

/* GPT-2's byte alphabet: printable Latin-1 bytes stand for themselves, the rest
** for code points from 256 up, in byte order. */
static uint32_t byte_char(int b)
{
    int n = 0;

    if ((b >= 33 && b <= 126) || (b >= 161 && b <= 172) || b >= 174)
        return (uint32_t)b;
    for (int i = 0; i < b; i++)
        n += !((i >= 33 && i <= 126) || (i >= 161 && i <= 172) || i >= 174);
    return 256u + (uint32_t)n;
}

static size_t utf8_put(char *p, uint32_t cp)
{
    if (cp < 0x80) {
        p[0] = (char)cp;
        return 1;
    }
    p[0] = (char)(0xC0 | (cp >> 6));
    p[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
}

static void load_alphabet(tokenizer *t)
{
    memset(t->char_byte, 0xFF, sizeof t->char_byte);
    for (int b = 0; b < 256; b++) {
        char s[2];
        uint32_t cp = byte_char(b);
        t->char_byte[cp] = (int16_t)b;
        t->byte_token[b] = tok_find(t, s, utf8_put(s, cp));
    }
}

static uint64_t pair_key(int32_t left, int32_t right)
{
    return (uint64_t)(uint32_t)left << 32 | (uint32_t)right;
}

static size_t pair_slot(const tokenizer *t, uint64_t key)
{
    size_t i = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 20) & t->merge_mask;

    while (t->merges[i].pair != UINT64_MAX && t->merges[i].pair != key)
        i = (i + 1) & t->merge_mask;
    return i;
}

static int load_merges(tokenizer *t, const gguf *g, augur_err *err)
{
    const gguf_value *merges = gguf_find(g, "tokenizer.ggml.merges");
    uint64_t n = gguf_array_len(merges);
    size_t cap = 16;

    if (gguf_array_type(merges) != GGUF_TYPE_STRING)
        return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.merges is missing or not a list "
                             "of strings");
    while (cap < 2 * n)
        cap *= 2;
    t->merges = malloc(cap * sizeof *t->merges);
    if (!t->merges)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    memset(t->merges, 0xFF, cap * sizeof *t->merges);
    t->merge_mask = cap - 1;
    for (uint64_t r = 0; r < n && r < INT32_MAX; r++) {
        gguf_str m = gguf_array_str(merges, r);
        const char *space = m.len > 1 ? memchr(m.ptr + 1, ' ', m.len - 1) : NULL;
        int32_t left, right, id;
        size_t ln;

        if (!space)
            return augur_err_set(err, AUGUR_EINVAL, "tokenizer.ggml.merges entry %llu '%.*s' "
                                 "is not two tokens separated by a space",
                                 (unsigned long long)r, (int)(m.len > 60 ? 60 : m.len), m.ptr);
        ln = (size_t)(space - m.ptr);
        left = tok_find(t, m.ptr, ln);
        right = tok_find(t, space + 1, m.len - ln - 1);
        buf_clear(&t->scratch);
        buf_add(&t->scratch, m.ptr, ln);
        buf_add(&t->scratch, space + 1, m.len - ln - 1);
        id = tok_find(t, t->scratch.data ? t->scratch.data : "", t->scratch.len);
        /* A merge of pieces that are not tokens, or into one that is not, can
        ** never make a token: it is left out. The first rank of a pair counts. */
        if (left >= 0 && right >= 0 && id >= 0) {
            size_t i = pair_slot(t, pair_key(left, right));
            if (t->merges[i].pair == UINT64_MAX)
                t->merges[i] = (tok_merge){ pair_key(left, right), (int32_t)r, id };
        }
    }
    return t->scratch.oom ? augur_err_set(err, AUGUR_ENOMEM, "out of memory") : AUGUR_OK;
}

int tok_bpe_load(tokenizer *t, const gguf *g, augur_err *err)
{
    int rc = load_regexes(t, err);

    if (rc == AUGUR_OK)
        load_alphabet(t);
    return rc == AUGUR_OK ? load_merges(t, g, err) : rc;
}

void tok_bpe_free(tokenizer *t)
{
    for (int i = 0; i < t->n_re; i++)
        pcre2_code_free(t->re[i]);
    pcre2_match_data_free(t->match);
    free(t->merges);
}

void tok_bpe_decode(const tokenizer *t, gguf_str s, buf *out)
{
    for (size_t i = 0; i < s.len;) {
        unsigned char c = (unsigned char)s.ptr[i];
        size_t n = tok_utf8_len(c);
        uint32_t cp = c;
        if (n > s.len - i)
            n = s.len - i;
        if (n == 2)
            cp = (uint32_t)(c & 0x1F) << 6 | ((unsigned char)s.ptr[i + 1] & 0x3F);
        if ((n == 1 || n == 2) && cp < sizeof t->char_byte / sizeof t->char_byte[0] &&
            t->char_byte[cp] >= 0)
            buf_putc(out, t->char_byte[cp]);
        else
            buf_add(out, s.ptr + i, n);   /* not of the byte alphabet: as written */
        i += n;
    }
}

/* ---- encoding ------------------------------------------------------------------ */

static int bpe_pair(tokenizer *t, int32_t left, int32_t right)
{
    const tok_merge *m;
    tok_bigram b;

    if (left < 0 || right < 0 || t->sym[left].id < 0 || t->sym[right].id < 0)
        return AUGUR_OK;
    m = &t->merges[pair_slot(t, pair_key(t->sym[left].id, t->sym[right].id))];
    if (m->pair == UINT64_MAX)
        return AUGUR_OK;
    b.key = m->rank;
    b.left = left;
    b.right = right;
    b.size = t->sym[left].n + t->sym[right].n;
    b.id = m->id;
    return tok_heap_push(t, &b);
}

/* The word's text in the byte alphabet, in t->scratch. */
static void bpe_spell(tokenizer *t, const char *w, size_t n)
{
    buf_clear(&t->scratch);
    for (size_t i = 0; i < n; i++) {
        char s[2];
        buf_add(&t->scratch, s, utf8_put(s, byte_char((unsigned char)w[i])));
    }
}

static int bpe_word(tokenizer *t, const char *w, size_t n, token_list *out)
{
    tok_bigram b;
    int rc = AUGUR_OK;

    if (t->ignore_merges) {
        int32_t id;
        bpe_spell(t, w, n);
        if (t->scratch.oom)
            return AUGUR_ENOMEM;
        if ((id = tok_find(t, t->scratch.data, t->scratch.len)) >= 0)
            return token_list_push(out, id);
    }
    if (n > UINT32_MAX || tok_symbols_reserve(t, n) != AUGUR_OK)
        return AUGUR_ENOMEM;
    for (size_t i = 0; i < n; i++)
        t->sym[i] = (tok_symbol){ t->byte_token[(unsigned char)w[i]], (int32_t)i - 1,
                                  i + 1 < n ? (int32_t)i + 1 : -1, (uint32_t)i, 1 };
    t->heap_len = 0;
    for (size_t i = 1; i < n && rc == AUGUR_OK; i++)
        rc = bpe_pair(t, (int32_t)i - 1, (int32_t)i);
    while (rc == AUGUR_OK && tok_heap_pop(t, &b)) {
        tok_symbol *l = &t->sym[b.left], *r = &t->sym[b.right];
        if (l->n == 0 || r->n == 0 || l->n + r->n != b.size)
            continue;
        l->id = b.id;
        l->n += r->n;
        r->n = 0;
        l->next = r->next;
        if (r->next >= 0)
            t->sym[r->next].prev = b.left;
        rc = bpe_pair(t, l->prev, b.left);
        if (rc == AUGUR_OK)
            rc = bpe_pair(t, b.left, l->next);
    }
    for (int32_t i = 0; i != -1 && rc == AUGUR_OK; i = t->sym[i].next) {
        int32_t id = t->sym[i].id >= 0 ? t->sym[i].id : t->unk;
        /* Only a vocabulary that lacks a byte of the alphabet leaves a symbol
        ** without a token; dropping the byte would lose text. */
        if (id < 0)
            return augur_err_set(t->err, AUGUR_EINVAL, "byte 0x%02X has no token in this "
                                 "vocabulary, and it has no unknown token",
                                 (unsigned char)w[t->sym[i].start]);
        rc = token_list_push(out, id);
    }
    return rc;
}

static int bpe_regex_error(tokenizer *t, int level, int code, size_t len)
{
    PCRE2_UCHAR msg[256];

    pcre2_get_error_message(code, msg, sizeof msg);
    return augur_err_set(t->err, code == PCRE2_ERROR_MATCHLIMIT || code == PCRE2_ERROR_DEPTHLIMIT ||
                         code == PCRE2_ERROR_HEAPLIMIT ? AUGUR_ELIMIT : AUGUR_EINVAL,
                         "pre-tokenizer '%s', expression %d, on %zu bytes of text: %s", t->pre,
                         level + 1, len, (const char *)msg);
}

/* Split s[len] by expression level and the ones after it; word() each piece. */
static int bpe_split(tokenizer *t, const char *s, size_t len, int level, tokenizer_piece_fn *word,
                     void *ctx)
{
    size_t start = 0, gap = 0;
    int rc = AUGUR_OK;

    if (level == t->n_re)
        return word(ctx, s, len);
    while (start < len && rc == AUGUR_OK) {
        const PCRE2_SIZE *ov;
        size_t from, to;
        int m = pcre2_match(t->re[level], (PCRE2_SPTR)s, len, start, 0, t->match, NULL);
        if (m == PCRE2_ERROR_NOMATCH)
            break;
        if (m < 0)
            return bpe_regex_error(t, level, m, len);
        ov = pcre2_get_ovector_pointer(t->match);
        from = ov[0];
        to = ov[1];
        if (from == to) {
            start = from + 1;
            continue;
        }
        if (from > gap)
            rc = bpe_split(t, s + gap, from - gap, level + 1, word, ctx);
        if (rc == AUGUR_OK)
            rc = bpe_split(t, s + from, to - from, level + 1, word, ctx);
        gap = start = to;
    }
    if (rc == AUGUR_OK && gap < len)
        rc = bpe_split(t, s + gap, len - gap, level + 1, word, ctx);
    return rc;
}

int tok_bpe_split(tokenizer *t, const char *text, size_t len, tokenizer_piece_fn *word, void *ctx)
{
    return bpe_split(t, text, len, 0, word, ctx);
}

typedef struct bpe_job {
    tokenizer  *t;
    token_list *out;
} bpe_job;

static int bpe_job_word(void *ctx, const char *w, size_t n)
{
    bpe_job *job = ctx;
    return bpe_word(job->t, w, n, job->out);
}

int tok_bpe_encode(tokenizer *t, const char *text, size_t len, token_list *out)
{
    bpe_job job = { t, out };
    return bpe_split(t, text, len, 0, bpe_job_word, &job);
}
