/*
** toml.c — TOML 1.0 parser and writer.
**
** A recursive-descent parser over the bytes of the document. Errors unwind with
** longjmp to toml_parse, which frees everything: the tree lives in one arena, and
** the parser's own scratch space is freed there too.
**
** Which tables may be extended by what is the subtle part of TOML. Each table
** records how it came to exist:
**   IMPLICIT  named only as a parent in a [header] ([a.b] makes a): a later [a]
**             may still define it, and dotted keys may add to it;
**   DOTTED    made or extended by dotted keys (a.b = 1) in the current section:
**             more dotted keys in this section may add to it;
**   DEFINED   opened by a [header], or by dotted keys in a section now closed:
**             neither a [header] nor dotted keys may reopen it, though [headers]
**             may still add sub-tables below it;
**   INLINE    an inline table { ... }: closed to everything once written.
** Tables made DOTTED in a section become DEFINED when the next header starts.
*/
#include "base/toml.h"
#include "base/arena.h"
#include "base/file.h"
#include "base/json.h"

#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TOML_MAX_DEPTH = 128, TOML_INDEX_MIN = 8 };

enum toml_state { TOML_IMPLICIT, TOML_DOTTED, TOML_DEFINED, TOML_INLINE };

typedef struct toml_entry {
    const char *key;
    size_t      len;
    toml_value *value;
} toml_entry;

struct toml_value {
    enum toml_kind kind;
    int            line;
    unsigned short depth;   /* tables and arrays above it */
    unsigned char  state;   /* tables: enum toml_state; arrays: 1 for an array of tables */
    union {
        struct { const char *ptr; size_t len; } str;
        int64_t       integer;
        double        real;
        int           boolean;
        toml_datetime dt;
        struct { toml_value **items; size_t len, cap; } array;
        struct {
            toml_entry *entries;
            uint32_t   *index;      /* open addressing over entries, once there are many */
            size_t      len, cap, index_cap;
        } table;
    } u;
};

struct toml_doc {
    arena      *arena;
    toml_value *root;
};

typedef struct toml_keyseg {
    const char *ptr;
    size_t      len;
    const char *at;    /* where it was written, for errors */
} toml_keyseg;

typedef struct toml_parser {
    const char  *src, *cur, *end;
    int          line;
    const char  *name;
    arena       *arena;
    augur_err   *err;
    int          code;            /* why the parse failed */
    jmp_buf      fail;
    toml_value  *root;
    toml_value  *table;           /* where key/value pairs of this section go */
    toml_value **pending;         /* tables made DOTTED in this section */
    size_t       npending, pending_cap;
    toml_keyseg *keys;            /* the dotted key being read */
    size_t       nkeys, keys_cap;
    buf          scratch;         /* a string being decoded */
    locale_t     c_locale;        /* numbers are read the same under any locale */
} toml_parser;

/* ---- errors ----------------------------------------------------------- */

/* 1-based line and column (in characters) of at. */
static void toml_locate(const toml_parser *p, const char *at, int *line, int *col)
{
    const char *s;

    *line = 1;
    *col = 1;
    for (s = p->src; s < at && s < p->end; s++) {
        if (*s == '\n') {
            ++*line;
            *col = 1;
        } else if (((unsigned char)*s & 0xC0) != 0x80) {
            ++*col;
        }
    }
}

static _Noreturn __attribute__((format(printf, 4, 5)))
void toml_fail_at(toml_parser *p, const char *at, int code, const char *fmt, ...)
{
    char what[AUGUR_ERRMSG_MAX];
    va_list ap;
    int line, col;

    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    toml_locate(p, at, &line, &col);
    p->code = code;
    augur_err_set(p->err, code, "%s:%d:%d: %s", p->name, line, col, what);
    longjmp(p->fail, 1);
}

#define toml_fail(p, ...) toml_fail_at((p), (p)->cur, AUGUR_ESYNTAX, __VA_ARGS__)

static _Noreturn void toml_oom(toml_parser *p)
{
    toml_fail_at(p, p->cur, AUGUR_ENOMEM, "out of memory");
}

/* A short description of the character at s, for "found ..." in messages. */
static const char *toml_describe(const toml_parser *p, const char *s, char *out, size_t size)
{
    unsigned char c;

    if (s >= p->end)
        return "end of file";
    c = (unsigned char)*s;
    if (c == '\n' || (c == '\r' && s + 1 < p->end && s[1] == '\n'))
        return "end of line";
    if (c >= 0x21 && c < 0x7f)
        snprintf(out, size, "'%c'", c);
    else if (c == ' ')
        snprintf(out, size, "a space");
    else if (c == '\t')
        snprintf(out, size, "a tab");
    else if (c >= 0x80) {
        size_t n = 1;
        while (s + n < p->end && n < 4 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n++;
        snprintf(out, size, "'%.*s'", (int)n, s);
    } else
        snprintf(out, size, "control character U+%04X", c);
    return out;
}

#define TOML_FOUND(p) toml_describe((p), (p)->cur, (char[48]){ 0 }, 48)

/* The dotted key keys[0..n) as text, for messages. */
static const char *toml_keys_text(const toml_parser *p, size_t n, char *out, size_t size)
{
    buf b = BUF_INIT;

    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_putc(&b, '.');
        toml_key_write(&b, p->keys[i].ptr, p->keys[i].len);
    }
    snprintf(out, size, "%s", buf_str(&b));
    buf_free(&b);
    return out;
}

#define TOML_KEYS(p, n) toml_keys_text((p), (n), (char[256]){ 0 }, 256)

/* ---- UTF-8 ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (which ends before e), or 0. */
static size_t toml_utf8_len(const unsigned char *s, const unsigned char *e)
{
    unsigned c = s[0];
    size_t n;
    unsigned cp;

    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, cp = c & 0x07;
    else
        return 0;
    if ((size_t)(e - s) < n)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

static void toml_check_utf8(toml_parser *p)
{
    const unsigned char *s = (const unsigned char *)p->src, *e = (const unsigned char *)p->end;

    while (s < e) {
        size_t n = toml_utf8_len(s, e);
        if (n == 0)
            toml_fail_at(p, (const char *)s, AUGUR_ESYNTAX, "invalid UTF-8 (byte 0x%02X)", *s);
        s += n;
    }
}

static void toml_put_utf8(toml_parser *p, unsigned cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else {
        u[0] = (char)(0xF0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    }
    if (buf_add(&p->scratch, u, n) != AUGUR_OK)
        toml_oom(p);
}

/* ---- characters and white space ---------------------------------------- */

static int toml_is_digit(int c) { return c >= '0' && c <= '9'; }

static int toml_is_bare(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || toml_is_digit(c) || c == '_' ||
           c == '-';
}

static int toml_is_control(int c)
{
    return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

static int toml_sees(const toml_parser *p, char c)
{
    return p->cur < p->end && *p->cur == c;
}

static int toml_at_newline(const toml_parser *p)
{
    return p->cur < p->end &&
           (*p->cur == '\n' || (*p->cur == '\r' && p->cur + 1 < p->end && p->cur[1] == '\n'));
}

static void toml_newline(toml_parser *p)
{
    p->cur += *p->cur == '\r' ? 2 : 1;
    p->line++;
}

static void toml_skip_ws(toml_parser *p)
{
    while (p->cur < p->end && (*p->cur == ' ' || *p->cur == '\t'))
        p->cur++;
}

static void toml_skip_comment(toml_parser *p)
{
    if (!toml_sees(p, '#'))
        return;
    for (p->cur++; p->cur < p->end && !toml_at_newline(p); p->cur++)
        if (toml_is_control((unsigned char)*p->cur))
            toml_fail(p, "%s in a comment", TOML_FOUND(p));
}

/* White space, comments and newlines, as allowed between the items of an array. */
static void toml_skip_blank(toml_parser *p)
{
    for (;;) {
        toml_skip_ws(p);
        toml_skip_comment(p);
        if (!toml_at_newline(p))
            return;
        toml_newline(p);
    }
}

static void toml_expect(toml_parser *p, char c, const char *context)
{
    if (!toml_sees(p, c))
        toml_fail(p, "expected '%c' %s, found %s", c, context, TOML_FOUND(p));
    p->cur++;
}

/* ---- tree building ------------------------------------------------------ */

static void *toml_alloc(toml_parser *p, size_t n)
{
    void *v = arena_calloc(p->arena, 1, n);
    if (!v)
        toml_oom(p);
    return v;
}

/* A value depth levels below the root. The limit keeps the tree, and every
** recursive walk over it, shallow enough for any stack. */
static toml_value *toml_new(toml_parser *p, enum toml_kind kind, unsigned depth)
{
    toml_value *v;

    if (depth > TOML_MAX_DEPTH)
        toml_fail(p, "tables and arrays nested deeper than %d levels", TOML_MAX_DEPTH);
    v = toml_alloc(p, sizeof *v);
    v->kind = kind;
    v->line = p->line;
    v->depth = (unsigned short)depth;
    return v;
}

static uint32_t toml_hash(const char *key, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 16777619u;
    return h;
}

static long toml_table_lookup(const toml_value *t, const char *key, size_t len)
{
    const toml_entry *e = t->u.table.entries;

    if (!t->u.table.index) {
        for (size_t i = 0; i < t->u.table.len; i++)
            if (e[i].len == len && memcmp(e[i].key, key, len) == 0)
                return (long)i;
        return -1;
    }
    size_t mask = t->u.table.index_cap - 1;
    for (size_t s = toml_hash(key, len) & mask;; s = (s + 1) & mask) {
        uint32_t slot = t->u.table.index[s];
        if (slot == 0)
            return -1;
        if (e[slot - 1].len == len && memcmp(e[slot - 1].key, key, len) == 0)
            return (long)slot - 1;
    }
}

static void toml_index_put(toml_value *t, size_t i)
{
    size_t mask = t->u.table.index_cap - 1;
    const toml_entry *e = &t->u.table.entries[i];
    size_t s = toml_hash(e->key, e->len) & mask;

    while (t->u.table.index[s])
        s = (s + 1) & mask;
    t->u.table.index[s] = (uint32_t)i + 1;
}

static void toml_index_build(toml_parser *p, toml_value *t, size_t cap)
{
    t->u.table.index = toml_alloc(p, cap * sizeof *t->u.table.index);
    t->u.table.index_cap = cap;
    for (size_t i = 0; i < t->u.table.len; i++)
        toml_index_put(t, i);
}

static void toml_table_put(toml_parser *p, toml_value *t, const char *key, size_t len, toml_value *v)
{
    size_t n = t->u.table.len;

    if (n == t->u.table.cap) {
        size_t cap = n ? n * 2 : 4;
        toml_entry *e;
        if (cap > UINT32_MAX / 4)
            toml_fail(p, "too many keys in one table");
        e = toml_alloc(p, cap * sizeof *e);
        if (n)
            memcpy(e, t->u.table.entries, n * sizeof *e);
        t->u.table.entries = e;
        t->u.table.cap = cap;
    }
    t->u.table.entries[n] = (toml_entry){ key, len, v };
    t->u.table.len = n + 1;
    if (t->u.table.index && (n + 1) * 2 <= t->u.table.index_cap)
        toml_index_put(t, n);
    else if (n + 1 >= TOML_INDEX_MIN)
        toml_index_build(p, t, t->u.table.index ? t->u.table.index_cap * 2 : 32);
}

static void toml_array_push(toml_parser *p, toml_value *a, toml_value *v)
{
    size_t n = a->u.array.len;

    if (n == a->u.array.cap) {
        size_t cap = n ? n * 2 : 4;
        toml_value **items = toml_alloc(p, cap * sizeof *items);
        if (n)
            memcpy(items, a->u.array.items, n * sizeof *items);
        a->u.array.items = items;
        a->u.array.cap = cap;
    }
    a->u.array.items[n] = v;
    a->u.array.len = n + 1;
}

static toml_value *toml_new_table(toml_parser *p, enum toml_state state, unsigned depth)
{
    toml_value *t = toml_new(p, TOML_TABLE, depth);
    t->state = (unsigned char)state;
    return t;
}

static void toml_mark_dotted(toml_parser *p, toml_value *t)
{
    if (t->state == TOML_DOTTED)
        return;
    if (p->npending == p->pending_cap) {
        size_t cap = p->pending_cap ? p->pending_cap * 2 : 16;
        toml_value **q = realloc(p->pending, cap * sizeof *q);
        if (!q)
            toml_oom(p);
        p->pending = q;
        p->pending_cap = cap;
    }
    p->pending[p->npending++] = t;
    t->state = TOML_DOTTED;
}

/* A header closes the section before it: its dotted tables become defined. */
static void toml_close_section(toml_parser *p)
{
    for (size_t i = 0; i < p->npending; i++)
        if (p->pending[i]->state == TOML_DOTTED)
            p->pending[i]->state = TOML_DEFINED;
    p->npending = 0;
}

/* ---- strings ------------------------------------------------------------- */

static unsigned toml_hex(toml_parser *p, int digits)
{
    unsigned cp = 0;

    for (int i = 0; i < digits; i++, p->cur++) {
        int c = p->cur < p->end ? *p->cur : -1;
        int d = toml_is_digit(c) ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            toml_fail(p, "expected %d hex digits in a Unicode escape, found %s", digits,
                      TOML_FOUND(p));
        cp = cp << 4 | (unsigned)d;
    }
    return cp;
}

/* An escape sequence (p->cur at the backslash) decoded into scratch. */
static void toml_escape(toml_parser *p)
{
    const char *at = p->cur++;
    unsigned cp;
    char c;

    if (p->cur >= p->end)
        toml_fail(p, "unterminated string");
    switch (c = *p->cur++) {
    case 'b':  cp = '\b'; break;
    case 't':  cp = '\t'; break;
    case 'n':  cp = '\n'; break;
    case 'f':  cp = '\f'; break;
    case 'r':  cp = '\r'; break;
    case '"':  cp = '"'; break;
    case '\\': cp = '\\'; break;
    case 'u':
    case 'U':
        cp = toml_hex(p, c == 'u' ? 4 : 8);
        if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
            toml_fail_at(p, at, AUGUR_ESYNTAX, "\\%c escape %.*s is not a Unicode scalar value", c,
                         (int)(p->cur - at - 2), at + 2);
        break;
    default:
        toml_fail_at(p, at, AUGUR_ESYNTAX, "invalid escape: a backslash followed by %s",
                     toml_describe(p, at + 1, (char[48]){ 0 }, 48));
    }
    toml_put_utf8(p, cp);
}

static void toml_scratch_add(toml_parser *p, const char *s, size_t n)
{
    if (buf_add(&p->scratch, s, n) != AUGUR_OK)
        toml_oom(p);
}

/* A closing run of quotes in a multi-line string: three end it, and up to two more
** before them belong to the string. Returns 1 when the string ended. */
static int toml_ml_quotes(toml_parser *p, char q)
{
    size_t n = 0;

    while (p->cur + n < p->end && p->cur[n] == q)
        n++;
    if (n < 3) {
        toml_scratch_add(p, p->cur, n);
        p->cur += n;
        return 0;
    }
    if (n > 5)
        toml_fail_at(p, p->cur + 5, AUGUR_ESYNTAX, "too many quotes at the end of a multi-line string");
    toml_scratch_add(p, p->cur, n - 3);
    p->cur += n;
    return 1;
}

/* A line-ending backslash: the backslash, blanks to the end of the line, and all
** white space and newlines after it are dropped. Returns 0 when not one. */
static int toml_line_continuation(toml_parser *p)
{
    const char *backslash = p->cur++;

    toml_skip_ws(p);
    if (!toml_at_newline(p)) {
        p->cur = backslash;
        return 0;
    }
    for (;;) {
        toml_skip_ws(p);
        if (!toml_at_newline(p))
            return 1;
        toml_newline(p);
    }
}

/* The body of any of the four string forms, decoded into scratch; p->cur is at the
** opening quote. */
static void toml_string_body(toml_parser *p)
{
    char q = *p->cur;
    int multi = p->end - p->cur >= 3 && p->cur[1] == q && p->cur[2] == q;
    const char *open = p->cur;

    buf_clear(&p->scratch);
    p->cur += multi ? 3 : 1;
    if (multi && toml_at_newline(p))
        toml_newline(p);
    for (;;) {
        unsigned char c;

        if (p->cur >= p->end)
            toml_fail_at(p, open, AUGUR_ESYNTAX, "unterminated string");
        c = (unsigned char)*p->cur;
        if (c == (unsigned char)q) {
            if (!multi) {
                p->cur++;
                return;
            }
            if (toml_ml_quotes(p, q))
                return;
        } else if (c == '\\' && q == '"') {
            if (!multi || !toml_line_continuation(p))
                toml_escape(p);
        } else if (toml_at_newline(p)) {
            if (!multi)
                toml_fail(p, "newline in a single-line string");
            toml_scratch_add(p, "\n", 1);
            toml_newline(p);
        } else if (toml_is_control(c)) {
            toml_fail(p, "%s in a string (write it as an escape)", TOML_FOUND(p));
        } else {
            const char *run = p->cur;
            while (p->cur < p->end && *p->cur != q && *p->cur != '\\' &&
                   !toml_is_control((unsigned char)*p->cur))
                p->cur++;
            if (run == p->cur)
                p->cur++;
            toml_scratch_add(p, run, (size_t)(p->cur - run));
        }
    }
}

/* ---- keys ---------------------------------------------------------------- */

static void toml_key_push(toml_parser *p, const char *ptr, size_t len, const char *at)
{
    if (p->nkeys == p->keys_cap) {
        size_t cap = p->keys_cap ? p->keys_cap * 2 : 8;
        toml_keyseg *k = realloc(p->keys, cap * sizeof *k);
        if (!k)
            toml_oom(p);
        p->keys = k;
        p->keys_cap = cap;
    }
    p->keys[p->nkeys++] = (toml_keyseg){ ptr, len, at };
}

/* One key of a dotted key: bare, "basic" or 'literal'. */
static void toml_simple_key(toml_parser *p)
{
    const char *at = p->cur;
    char *key;

    if (toml_sees(p, '"') || toml_sees(p, '\'')) {
        if (p->end - p->cur >= 3 && p->cur[1] == *p->cur && p->cur[2] == *p->cur)
            toml_fail(p, "a key cannot be a multi-line string");
        toml_string_body(p);
        key = arena_strndup(p->arena, buf_str(&p->scratch), p->scratch.len);
        if (!key)
            toml_oom(p);
        toml_key_push(p, key, p->scratch.len, at);
        return;
    }
    while (p->cur < p->end && toml_is_bare((unsigned char)*p->cur))
        p->cur++;
    if (p->cur == at)
        toml_fail(p, "expected a key, found %s", TOML_FOUND(p));
    key = arena_strndup(p->arena, at, (size_t)(p->cur - at));
    if (!key)
        toml_oom(p);
    toml_key_push(p, key, (size_t)(p->cur - at), at);
}

/* A dotted key into p->keys, and the blanks after it. */
static void toml_dotted_key(toml_parser *p)
{
    p->nkeys = 0;
    for (;;) {
        toml_simple_key(p);
        toml_skip_ws(p);
        if (!toml_sees(p, '.'))
            return;
        p->cur++;
        toml_skip_ws(p);
    }
}

/* ---- numbers and date-times ------------------------------------------- */

static int toml_digit_value(int c, int base)
{
    int d = toml_is_digit(c) ? c - '0'
          : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
    return d < base ? d : -1;
}

/* Digits of base from s, each underscore between two digits. Appends the digits
** to scratch and returns where they stop; *count says how many there were. */
static const char *toml_digit_run(toml_parser *p, const char *s, const char *e, int base,
                                  size_t *count, const char *token)
{
    *count = 0;
    while (s < e) {
        if (*s == '_') {
            if (*count == 0 || s + 1 >= e || toml_digit_value((unsigned char)s[1], base) < 0)
                toml_fail_at(p, token, AUGUR_ESYNTAX,
                             "'%.*s': an underscore must stand between two digits",
                             (int)(e - token), token);
            s++;
            continue;
        }
        if (toml_digit_value((unsigned char)*s, base) < 0)
            break;
        toml_scratch_add(p, s++, 1);
        ++*count;
    }
    return s;
}

static void toml_read_integer(toml_parser *p, toml_value *v, const char *tok, const char *e)
{
    const char *s = tok;
    int neg = 0, base = 10;
    uint64_t mag = 0, limit;
    size_t ndigits;

    if (*s == '+' || *s == '-')
        neg = *s++ == '-';
    if (e - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b')) {
        base = s[1] == 'x' ? 16 : s[1] == 'o' ? 8 : 2;
        if (s != tok)
            toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s': a hexadecimal, octal or binary integer "
                         "cannot have a sign", (int)(e - tok), tok);
        s += 2;
    }
    buf_clear(&p->scratch);
    if (toml_digit_run(p, s, e, base, &ndigits, tok) != e || ndigits == 0)
        toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s' is not a valid number", (int)(e - tok), tok);
    if (base == 10 && ndigits > 1 && p->scratch.data[0] == '0')
        toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s': leading zeros are not allowed", (int)(e - tok),
                     tok);
    limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (size_t i = 0; i < ndigits; i++) {
        unsigned d = (unsigned)toml_digit_value((unsigned char)p->scratch.data[i], base);
        if (mag > (limit - d) / (unsigned)base)
            toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s' does not fit in a 64-bit integer",
                         (int)(e - tok), tok);
        mag = mag * (unsigned)base + d;
    }
    v->kind = TOML_INTEGER;
    v->u.integer = neg ? (int64_t)(0 - mag) : (int64_t)mag;
}

static void toml_read_float(toml_parser *p, toml_value *v, const char *tok, const char *e)
{
    const char *s = tok;
    size_t n;
    char *end;

    v->kind = TOML_FLOAT;
    if (*s == '+' || *s == '-')
        s++;
    if (e - s == 3 && (memcmp(s, "inf", 3) == 0 || memcmp(s, "nan", 3) == 0)) {
        v->u.real = s[0] == 'i' ? INFINITY : NAN;
        if (*tok == '-')
            v->u.real = -v->u.real;
        return;
    }
    buf_clear(&p->scratch);
    if (s != tok)
        toml_scratch_add(p, tok, 1);
    s = toml_digit_run(p, s, e, 10, &n, tok);
    if (n == 0)
        goto bad;
    if (n > 1 && p->scratch.data[p->scratch.len - n] == '0')
        toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s': leading zeros are not allowed", (int)(e - tok),
                     tok);
    if (s < e && *s == '.') {
        toml_scratch_add(p, s++, 1);
        s = toml_digit_run(p, s, e, 10, &n, tok);
        if (n == 0)
            goto bad;
    }
    if (s < e && (*s == 'e' || *s == 'E')) {
        toml_scratch_add(p, s++, 1);
        if (s < e && (*s == '+' || *s == '-'))
            toml_scratch_add(p, s++, 1);
        s = toml_digit_run(p, s, e, 10, &n, tok);
        if (n == 0)
            goto bad;
    }
    if (s != e || p->scratch.oom)
        goto bad;
    if (!p->c_locale) {
        p->c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
        if (!p->c_locale)
            toml_oom(p);
    }
    v->u.real = strtod_l(p->scratch.data, &end, p->c_locale);
    if (isinf(v->u.real))
        toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s' is too large for a 64-bit float",
                     (int)(e - tok), tok);
    return;
bad:
    toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s' is not a valid number", (int)(e - tok), tok);
}

static int toml_2digits(const char *s, const char *e, int *v)
{
    if (e - s < 2 || !toml_is_digit(s[0]) || !toml_is_digit(s[1]))
        return 0;
    *v = (s[0] - '0') * 10 + (s[1] - '0');
    return 1;
}

static int toml_days_in_month(int year, int month)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

/* HH:MM:SS[.frac] at *s; advances *s. 0 when malformed or out of range. */
static int toml_read_time(const char **s, const char *e, toml_datetime *dt)
{
    const char *t = *s;
    int ns = 0, digits = 0;

    if (!toml_2digits(t, e, &dt->hour) || e - t < 3 || t[2] != ':' ||
        !toml_2digits(t + 3, e, &dt->minute) || e - t < 6 || t[5] != ':' ||
        !toml_2digits(t + 6, e, &dt->second))
        return 0;
    t += 8;
    if (t < e && *t == '.') {
        for (t++; t < e && toml_is_digit(*t); t++, digits++)
            if (digits < 9)
                ns = ns * 10 + (*t - '0');
        if (digits == 0)
            return 0;
        for (int i = digits; i < 9; i++)
            ns *= 10;
    }
    dt->nanosecond = ns;
    *s = t;
    return dt->hour < 24 && dt->minute < 60 && dt->second <= 60;
}

static void toml_read_datetime(toml_parser *p, toml_value *v, const char *tok, const char *e)
{
    toml_datetime *dt = &v->u.dt;
    const char *s = tok;
    int y1, y2, oh, om;

    memset(dt, 0, sizeof *dt);
    if (e - s >= 3 && s[2] == ':') {
        v->kind = TOML_TIME_LOCAL;
        if (!toml_read_time(&s, e, dt) || s != e)
            goto bad;
        return;
    }
    if (!toml_2digits(s, e, &y1) || !toml_2digits(s + 2, e, &y2) || e - s < 10 || s[4] != '-' ||
        !toml_2digits(s + 5, e, &dt->month) || s[7] != '-' || !toml_2digits(s + 8, e, &dt->day))
        goto bad;
    dt->year = y1 * 100 + y2;
    if (dt->month < 1 || dt->month > 12 || dt->day < 1 ||
        dt->day > toml_days_in_month(dt->year, dt->month))
        goto bad;
    s += 10;
    v->kind = TOML_DATE_LOCAL;
    if (s == e)
        return;
    if (*s != 'T' && *s != 't' && *s != ' ')
        goto bad;
    s++;
    v->kind = TOML_DATETIME_LOCAL;
    if (!toml_read_time(&s, e, dt))
        goto bad;
    if (s == e)
        return;
    v->kind = TOML_DATETIME;
    if ((*s == 'Z' || *s == 'z') && s + 1 == e)
        return;
    if ((*s != '+' && *s != '-') || e - s != 6 || !toml_2digits(s + 1, e, &oh) || s[3] != ':' ||
        !toml_2digits(s + 4, e, &om) || oh > 23 || om > 59)
        goto bad;
    dt->offset_minutes = (*s == '-' ? -1 : 1) * (oh * 60 + om);
    return;
bad:
    toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s' is not a valid date or time", (int)(e - tok), tok);
}

static int toml_is_scalar_char(int c)
{
    return toml_is_bare(c) || c == '+' || c == '.' || c == ':';
}

/* A value written without quotes or brackets: boolean, number or date-time. */
static void toml_bare_value(toml_parser *p, toml_value *v)
{
    const char *tok = p->cur, *e = p->cur;
    size_t n;

    while (e < p->end && toml_is_scalar_char((unsigned char)*e))
        e++;
    /* RFC 3339 lets a space stand between the date and the time. */
    if (e - tok == 10 && tok[4] == '-' && p->end - e >= 4 && e[0] == ' ' &&
        toml_is_digit(e[1]) && toml_is_digit(e[2]) && e[3] == ':')
        for (e++; e < p->end && toml_is_scalar_char((unsigned char)*e); e++)
            ;
    if (e == tok)
        toml_fail(p, "expected a value, found %s", TOML_FOUND(p));
    p->cur = e;
    n = (size_t)(e - tok);
    if ((n == 4 && memcmp(tok, "true", 4) == 0) || (n == 5 && memcmp(tok, "false", 5) == 0)) {
        v->kind = TOML_BOOL;
        v->u.boolean = n == 4;
    } else if (!toml_is_digit(tok[0]) && tok[0] != '+' && tok[0] != '-' &&
               !(n == 3 && (memcmp(tok, "inf", 3) == 0 || memcmp(tok, "nan", 3) == 0))) {
        toml_fail_at(p, tok, AUGUR_ESYNTAX, "'%.*s' is not a value (strings need quotes)", (int)n,
                     tok);
    } else if ((n >= 5 && toml_is_digit(tok[0]) && toml_is_digit(tok[1]) && toml_is_digit(tok[2]) &&
                toml_is_digit(tok[3]) && tok[4] == '-') ||
               (n >= 3 && toml_is_digit(tok[0]) && toml_is_digit(tok[1]) && tok[2] == ':')) {
        toml_read_datetime(p, v, tok, e);
    } else if (memchr(tok, '.', n) || memmem(tok, n, "inf", 3) || memmem(tok, n, "nan", 3) ||
               (!(n > 1 && tok[0] == '0' && tok[1] == 'x') &&
                (memchr(tok, 'e', n) || memchr(tok, 'E', n)))) {
        toml_read_float(p, v, tok, e);
    } else {
        toml_read_integer(p, v, tok, e);
    }
}

/* ---- values, arrays, tables -------------------------------------------- */

static toml_value *toml_value_parse(toml_parser *p, unsigned depth);
static void toml_keyval(toml_parser *p, toml_value *table);

static void toml_array(toml_parser *p, toml_value *a)
{
    a->kind = TOML_ARRAY;
    p->cur++;
    for (;;) {
        toml_skip_blank(p);
        if (toml_sees(p, ']'))
            break;
        toml_array_push(p, a, toml_value_parse(p, a->depth + 1u));
        toml_skip_blank(p);
        if (toml_sees(p, ','))
            p->cur++;
        else if (!toml_sees(p, ']'))
            toml_fail(p, "expected ',' or ']' in an array, found %s", TOML_FOUND(p));
    }
    p->cur++;
}

static void toml_inline_table(toml_parser *p, toml_value *t)
{
    t->kind = TOML_TABLE;
    t->state = TOML_INLINE;
    p->cur++;
    toml_skip_ws(p);
    if (!toml_sees(p, '}')) {
        for (;;) {
            toml_keyval(p, t);
            toml_skip_ws(p);
            if (toml_sees(p, '}'))
                break;
            toml_expect(p, ',', "or '}' in an inline table");
            toml_skip_ws(p);
            if (toml_sees(p, '}'))
                toml_fail(p, "trailing comma in an inline table");
        }
    }
    p->cur++;
}

static toml_value *toml_value_parse(toml_parser *p, unsigned depth)
{
    toml_value *v = toml_new(p, TOML_STRING, depth);

    if (toml_sees(p, '"') || toml_sees(p, '\'')) {
        toml_string_body(p);
        v->u.str.len = p->scratch.len;
        v->u.str.ptr = arena_strndup(p->arena, buf_str(&p->scratch), p->scratch.len);
        if (!v->u.str.ptr)
            toml_oom(p);
    } else if (toml_sees(p, '[')) {
        toml_array(p, v);
    } else if (toml_sees(p, '{')) {
        toml_inline_table(p, v);
    } else {
        toml_bare_value(p, v);
    }
    return v;
}

/* What v is, with its article, for messages: "an inline table". */
static const char *toml_what(const toml_value *v)
{
    if (v->kind == TOML_TABLE && v->state == TOML_INLINE)
        return "an inline table";
    if (v->kind == TOML_ARRAY && v->state)
        return "an array of tables";
    return toml_kind_name(v->kind);
}

/* What t holds under keys[i]; a new implicit table there (and *made set) when nothing. */
static toml_value *toml_child(toml_parser *p, toml_value *t, size_t i, int *made)
{
    const toml_keyseg *k = &p->keys[i];
    long at = toml_table_lookup(t, k->ptr, k->len);
    toml_value *v;

    *made = at < 0;
    if (!*made)
        return t->u.table.entries[at].value;
    v = toml_new_table(p, TOML_IMPLICIT, t->depth + 1u);
    toml_table_put(p, t, k->ptr, k->len, v);
    return v;
}

/* Walk from t to the table named by keys[i], for a dotted key of a key/value pair. */
static toml_value *toml_descend_dotted(toml_parser *p, toml_value *t, size_t i)
{
    const toml_keyseg *k = &p->keys[i];
    int made;
    toml_value *v = toml_child(p, t, i, &made);

    if (!made) {
        if (v->kind != TOML_TABLE || v->state == TOML_INLINE)
            toml_fail_at(p, k->at, AUGUR_ESYNTAX, "'%s' is already %s (line %d) and cannot be "
                         "extended", TOML_KEYS(p, i + 1), toml_what(v), v->line);
        if (v->state == TOML_DEFINED)
            toml_fail_at(p, k->at, AUGUR_ESYNTAX,
                         "table '%s' is already defined (line %d); dotted keys cannot add to it",
                         TOML_KEYS(p, i + 1), v->line);
    }
    toml_mark_dotted(p, v);
    return v;
}

/* Walk from t to the table named by keys[i], for a [header]. */
static toml_value *toml_descend_header(toml_parser *p, toml_value *t, size_t i)
{
    int made;
    toml_value *v = toml_child(p, t, i, &made);

    if (made)
        return v;
    if (v->kind == TOML_ARRAY && v->state)
        return v->u.array.items[v->u.array.len - 1];
    if (v->kind != TOML_TABLE || v->state == TOML_INLINE)
        toml_fail_at(p, p->keys[i].at, AUGUR_ESYNTAX,
                     "'%s' is already %s (line %d) and cannot be extended", TOML_KEYS(p, i + 1),
                     toml_what(v), v->line);
    return v;
}

static void toml_keyval(toml_parser *p, toml_value *table)
{
    toml_value *t = table;
    toml_keyseg last;

    toml_dotted_key(p);
    for (size_t i = 0; i + 1 < p->nkeys; i++)
        t = toml_descend_dotted(p, t, i);
    last = p->keys[p->nkeys - 1];
    if (toml_table_lookup(t, last.ptr, last.len) >= 0)
        toml_fail_at(p, last.at, AUGUR_ESYNTAX, "duplicate key '%s'", TOML_KEYS(p, p->nkeys));
    toml_expect(p, '=', "after a key");
    toml_skip_ws(p);
    toml_table_put(p, t, last.ptr, last.len, toml_value_parse(p, t->depth + 1u));
}

static void toml_header(toml_parser *p)
{
    int aot = p->end - p->cur >= 2 && p->cur[1] == '[';
    toml_value *t = p->root, *v;
    toml_keyseg last;
    long at;

    p->cur += aot ? 2 : 1;
    toml_skip_ws(p);
    toml_dotted_key(p);
    toml_expect(p, ']', aot ? "to close an [[array of tables]] header" : "to close a [table] header");
    if (aot)
        toml_expect(p, ']', "to close an [[array of tables]] header");
    toml_close_section(p);
    for (size_t i = 0; i + 1 < p->nkeys; i++)
        t = toml_descend_header(p, t, i);
    last = p->keys[p->nkeys - 1];
    at = toml_table_lookup(t, last.ptr, last.len);
    v = at < 0 ? NULL : t->u.table.entries[at].value;
    if (aot) {
        if (!v) {
            v = toml_new(p, TOML_ARRAY, t->depth + 1u);
            v->state = 1;
            toml_table_put(p, t, last.ptr, last.len, v);
        } else if (v->kind != TOML_ARRAY || !v->state) {
            toml_fail_at(p, last.at, AUGUR_ESYNTAX, "'%s' is already %s (line %d)",
                         TOML_KEYS(p, p->nkeys), toml_what(v), v->line);
        }
        p->table = toml_new_table(p, TOML_DEFINED, v->depth + 1u);
        toml_array_push(p, v, p->table);
        return;
    }
    if (!v) {
        v = toml_new_table(p, TOML_DEFINED, t->depth + 1u);
        toml_table_put(p, t, last.ptr, last.len, v);
    } else if (v->kind == TOML_TABLE && v->state == TOML_IMPLICIT) {
        v->state = TOML_DEFINED;
        v->line = p->line;
    } else {
        toml_fail_at(p, last.at, AUGUR_ESYNTAX, "'%s' is already %s (line %d)",
                     TOML_KEYS(p, p->nkeys), v->kind == TOML_TABLE && v->state != TOML_INLINE
                     ? "defined" : toml_what(v), v->line);
    }
    p->table = v;
}

static void toml_document(toml_parser *p)
{
    if (p->end - p->cur >= 3 && memcmp(p->cur, "\xEF\xBB\xBF", 3) == 0)
        p->cur += 3;
    toml_check_utf8(p);
    while (p->cur < p->end) {
        toml_skip_ws(p);
        if (toml_sees(p, '['))
            toml_header(p);
        else if (p->cur < p->end && !toml_sees(p, '#') && !toml_at_newline(p))
            toml_keyval(p, p->table);
        toml_skip_ws(p);
        toml_skip_comment(p);
        if (p->cur >= p->end)
            break;
        if (!toml_at_newline(p))
            toml_fail(p, "expected the end of the line, found %s", TOML_FOUND(p));
        toml_newline(p);
    }
}

int toml_parse(const char *src, size_t len, const char *name, toml_doc **out, augur_err *err)
{
    /* On the heap, not the stack: its fields change between setjmp and longjmp. */
    toml_parser *p = calloc(1, sizeof *p);
    toml_doc *doc = calloc(1, sizeof *doc);
    int rc;

    *out = NULL;
    if (!name)
        name = "input";
    /* Hostile input must not take unbounded memory: a tree needs far less than this. */
    if (doc)
        doc->arena = arena_new(len < (64u << 20) ? len * 64 + (1u << 20) : (size_t)4 << 30);
    if (!p || !doc || !doc->arena) {
        free(p);
        toml_free(doc);
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", name);
    }
    p->src = p->cur = src;
    p->end = src + len;
    p->line = 1;
    p->name = name;
    p->arena = doc->arena;
    p->err = err;
    if (setjmp(p->fail) == 0) {
        p->root = p->table = toml_new_table(p, TOML_DEFINED, 0);
        toml_document(p);
        doc->root = p->root;
    }
    rc = doc->root ? AUGUR_OK : p->code;
    free(p->pending);
    free(p->keys);
    buf_free(&p->scratch);
    if (p->c_locale)
        freelocale(p->c_locale);
    free(p);
    if (rc != AUGUR_OK) {
        toml_free(doc);
        return rc;
    }
    *out = doc;
    return AUGUR_OK;
}

int toml_parse_file(const char *path, toml_doc **out, augur_err *err)
{
    char *src;
    size_t len;
    int rc;

    *out = NULL;
    rc = file_read(path, TOML_FILE_MAX, &src, &len, err);
    if (rc != AUGUR_OK)
        return rc;
    rc = toml_parse(src, len, path, out, err);
    free(src);
    return rc;
}

void toml_free(toml_doc *doc)
{
    if (doc) {
        arena_free(doc->arena);
        free(doc);
    }
}

/* ---- reading the tree -------------------------------------------------- */

const toml_value *toml_root(const toml_doc *doc)
{
    return doc->root;
}

enum toml_kind toml_kind(const toml_value *v)
{
    return v->kind;
}

const char *toml_kind_name(enum toml_kind kind)
{
    static const char *const names[] = {
        [TOML_TABLE] = "a table",
        [TOML_ARRAY] = "an array",
        [TOML_STRING] = "a string",
        [TOML_INTEGER] = "an integer",
        [TOML_FLOAT] = "a float",
        [TOML_BOOL] = "a boolean",
        [TOML_DATETIME] = "an offset date-time",
        [TOML_DATETIME_LOCAL] = "a local date-time",
        [TOML_DATE_LOCAL] = "a local date",
        [TOML_TIME_LOCAL] = "a local time",
    };
    return (unsigned)kind <= TOML_TIME_LOCAL ? names[kind] : "?";
}

int toml_line(const toml_value *v)
{
    return v->line;
}

const char *toml_str(const toml_value *v, size_t *len)
{
    if (len)
        *len = v->kind == TOML_STRING ? v->u.str.len : 0;
    return v->kind == TOML_STRING ? v->u.str.ptr : "";
}

int64_t toml_int(const toml_value *v)
{
    return v->kind == TOML_INTEGER ? v->u.integer : 0;
}

double toml_float(const toml_value *v)
{
    return v->kind == TOML_FLOAT ? v->u.real : v->kind == TOML_INTEGER ? (double)v->u.integer : 0;
}

int toml_bool(const toml_value *v)
{
    return v->kind == TOML_BOOL && v->u.boolean;
}

const toml_datetime *toml_datetime_of(const toml_value *v)
{
    return v->kind >= TOML_DATETIME ? &v->u.dt : NULL;
}

size_t toml_len(const toml_value *v)
{
    return v->kind == TOML_TABLE ? v->u.table.len : v->kind == TOML_ARRAY ? v->u.array.len : 0;
}

const toml_value *toml_at(const toml_value *v, size_t i)
{
    if (i >= toml_len(v))
        return NULL;
    return v->kind == TOML_TABLE ? v->u.table.entries[i].value : v->u.array.items[i];
}

const char *toml_key(const toml_value *table, size_t i, size_t *len)
{
    if (table->kind != TOML_TABLE || i >= table->u.table.len) {
        if (len)
            *len = 0;
        return NULL;
    }
    if (len)
        *len = table->u.table.entries[i].len;
    return table->u.table.entries[i].key;
}

const toml_value *toml_find(const toml_value *table, const char *key, size_t len)
{
    long i;

    if (!table || table->kind != TOML_TABLE)
        return NULL;
    i = toml_table_lookup(table, key, len);
    return i < 0 ? NULL : table->u.table.entries[i].value;
}

/* Split path into p.keys with the parser's own key grammar. */
static int toml_path_split(toml_parser *p, const char *path, arena *a, augur_err *err)
{
    memset(p, 0, sizeof *p);
    p->src = p->cur = path;
    p->end = path + strlen(path);
    p->name = "key";
    p->arena = a;
    p->err = err;
    if (setjmp(p->fail) != 0)
        return p->code;
    toml_skip_ws(p);
    toml_dotted_key(p);
    if (p->cur != p->end)
        toml_fail(p, "unexpected %s in a key", TOML_FOUND(p));
    return AUGUR_OK;
}

static void toml_path_done(toml_parser *p)
{
    free(p->keys);
    buf_free(&p->scratch);
}

const toml_value *toml_get(const toml_value *table, const char *path)
{
    toml_parser p = { 0 };
    arena *a = arena_new(0);
    const toml_value *v = NULL;

    if (a && toml_path_split(&p, path, a, NULL) == AUGUR_OK) {
        v = table;
        for (size_t i = 0; v && i < p.nkeys; i++)
            v = toml_find(v, p.keys[i].ptr, p.keys[i].len);
    }
    toml_path_done(&p);
    arena_free(a);
    return v;
}

int toml_path_canon(const char *path, buf *out, augur_err *err)
{
    toml_parser p = { 0 };
    arena *a = arena_new(0);
    int rc;

    if (!a)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    rc = toml_path_split(&p, path, a, err);
    for (size_t i = 0; rc == AUGUR_OK && i < p.nkeys; i++) {
        if (i)
            buf_putc(out, '.');
        rc = toml_key_write(out, p.keys[i].ptr, p.keys[i].len);
    }
    toml_path_done(&p);
    arena_free(a);
    return rc;
}

/* ---- writing ----------------------------------------------------------- */

int toml_string_write(buf *out, const char *s, size_t n)
{
    /* JSON's escapes are a subset of TOML's, and it escapes all that TOML must. */
    return json_quote(out, s, n);
}

int toml_key_write(buf *out, const char *key, size_t len)
{
    size_t i;

    for (i = 0; i < len && toml_is_bare((unsigned char)key[i]); i++)
        ;
    if (len > 0 && i == len)
        return buf_add(out, key, len);
    return toml_string_write(out, key, len);
}

/* The shortest decimal form that reads back as the same double. */
static int toml_float_write(buf *out, double d)
{
    char s[40];
    locale_t c = newlocale(LC_ALL_MASK, "C", (locale_t)0), old;

    if (isnan(d))
        return buf_puts(out, "nan");
    if (isinf(d))
        return buf_puts(out, d < 0 ? "-inf" : "inf");
    if (!c)
        return AUGUR_ENOMEM;
    old = uselocale(c);
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(s, sizeof s, "%.*g", prec, d);
        if (strtod(s, NULL) == d)
            break;
    }
    uselocale(old);
    freelocale(c);
    buf_puts(out, s);
    if (!strpbrk(s, ".e"))
        buf_puts(out, ".0");
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

int toml_datetime_write(buf *out, enum toml_kind kind, const toml_datetime *dt)
{
    if (kind != TOML_TIME_LOCAL)
        buf_printf(out, "%04d-%02d-%02d", dt->year, dt->month, dt->day);
    if (kind == TOML_DATE_LOCAL)
        return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
    if (kind != TOML_TIME_LOCAL)
        buf_putc(out, 'T');
    buf_printf(out, "%02d:%02d:%02d", dt->hour, dt->minute, dt->second);
    if (dt->nanosecond) {
        char frac[16];
        int n = snprintf(frac, sizeof frac, "%09d", dt->nanosecond);
        while (n > 1 && frac[n - 1] == '0')
            frac[--n] = '\0';
        buf_printf(out, ".%s", frac);
    }
    if (kind != TOML_DATETIME)
        return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
    if (dt->offset_minutes == 0)
        return buf_putc(out, 'Z');
    int m = abs(dt->offset_minutes);
    return buf_printf(out, "%c%02d:%02d", dt->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
}

int toml_value_write(buf *out, const toml_value *v)
{
    switch (v->kind) {
    case TOML_STRING:
        return toml_string_write(out, v->u.str.ptr, v->u.str.len);
    case TOML_INTEGER:
        return buf_printf(out, "%lld", (long long)v->u.integer);
    case TOML_FLOAT:
        return toml_float_write(out, v->u.real);
    case TOML_BOOL:
        return buf_puts(out, v->u.boolean ? "true" : "false");
    case TOML_ARRAY:
        buf_putc(out, '[');
        for (size_t i = 0; i < v->u.array.len; i++) {
            if (i)
                buf_puts(out, ", ");
            toml_value_write(out, v->u.array.items[i]);
        }
        return buf_putc(out, ']');
    case TOML_TABLE:
        if (v->u.table.len == 0)
            return buf_puts(out, "{}");
        buf_puts(out, "{ ");
        for (size_t i = 0; i < v->u.table.len; i++) {
            if (i)
                buf_puts(out, ", ");
            toml_key_write(out, v->u.table.entries[i].key, v->u.table.entries[i].len);
            buf_puts(out, " = ");
            toml_value_write(out, v->u.table.entries[i].value);
        }
        return buf_puts(out, " }");
    default:
        return toml_datetime_write(out, v->kind, &v->u.dt);
    }
}
