/* ldoc.c — the LDoc header of an action file, read and written. */
#include "actions/ldoc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct ldoc_line {
    const char *s;      /* the line, without its newline */
    size_t      len;
    int         no;     /* 1-based */
} ldoc_line;

typedef struct ldoc_reader {
    const char *src;
    size_t      len, pos;
    const char *file;
    int         no;
} ldoc_reader;

static int ldoc_next(ldoc_reader *r, ldoc_line *line)
{
    const char *nl;

    if (r->pos >= r->len)
        return 0;
    line->s = r->src + r->pos;
    nl = memchr(line->s, '\n', r->len - r->pos);
    line->len = nl ? (size_t)(nl - line->s) : r->len - r->pos;
    r->pos += line->len + (nl != NULL);
    if (line->len && line->s[line->len - 1] == '\r')
        line->len--;
    line->no = ++r->no;
    return 1;
}

static size_t ldoc_skip_space(const char *s, size_t i, size_t len)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t'))
        i++;
    return i;
}

/* The next word of line from *i: a run of bytes that are not blanks. */
static size_t ldoc_word(const ldoc_line *line, size_t *i, const char **word)
{
    size_t start = ldoc_skip_space(line->s, *i, line->len), end = start;

    while (end < line->len && line->s[end] != ' ' && line->s[end] != '\t')
        end++;
    *word = line->s + start;
    *i = end;
    return end - start;
}

int ldoc_is_name(const char *s, size_t len)
{
    static const char *const keywords[] = {
        "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if",
        "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
    };

    if (len == 0 || len > LDOC_NAME_MAX || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
        return 0;
    for (size_t i = 1; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
            return 0;
    for (size_t k = 0; k < sizeof keywords / sizeof *keywords; k++)
        if (strlen(keywords[k]) == len && memcmp(keywords[k], s, len) == 0)
            return 0;
    return 1;
}

static int ldoc_is_type(const char *s, size_t len)
{
    if (len == 0 || len > LDOC_TYPE_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!(isalnum((unsigned char)s[i]) || strchr("_.?|[]", s[i])))
            return 0;
    return 1;
}

static int ldoc_fail(const ldoc_reader *r, int no, const char *what, augur_err *err)
{
    return augur_err_set(err, AUGUR_EINVAL, "%s:%d: %s", r->file, no, what);
}

static int ldoc_tag(ldoc_reader *r, const ldoc_line *line, size_t i, ldoc *doc, int *typed,
                    augur_err *err)
{
    const char *tag, *a, *b;
    size_t taglen = ldoc_word(line, &i, &tag), alen = ldoc_word(line, &i, &a), blen;
    char msg[160];

    if (taglen == 5 && memcmp(tag, "@kind", 5) == 0) {
        if (!((alen == 5 && memcmp(a, "reads", 5) == 0) ||
              (alen == 6 && memcmp(a, "writes", 6) == 0))) {
            snprintf(msg, sizeof msg, "@kind must be reads or writes, not '%.*s'",
                     (int)(alen > 40 ? 40 : alen), a);
            return ldoc_fail(r, line->no, msg, err);
        }
        snprintf(doc->kind, sizeof doc->kind, "%.*s", (int)alen, a);
    } else if (taglen == 7 && memcmp(tag, "@tparam", 7) == 0) {
        blen = ldoc_word(line, &i, &b);
        if (!ldoc_is_type(a, alen) || !(ldoc_is_name(b, blen) || (blen == 3 && !memcmp(b, "...", 3))))
            return ldoc_fail(r, line->no, "@tparam needs a TYPE and a parameter NAME", err);
        if (doc->ninputs == LDOC_PARAMS_MAX)
            return ldoc_fail(r, line->no, "too many parameters (16 at most)", err);
        snprintf(doc->inputs[doc->ninputs].type, LDOC_TYPE_MAX + 1, "%.*s", (int)alen, a);
        snprintf(doc->inputs[doc->ninputs++].name, LDOC_NAME_MAX + 1, "%.*s", (int)blen, b);
        *typed = 1;
    } else if (taglen == 8 && memcmp(tag, "@treturn", 8) == 0) {
        if (!ldoc_is_type(a, alen))
            return ldoc_fail(r, line->no, "@treturn needs a TYPE", err);
        snprintf(doc->output, sizeof doc->output, "%.*s", (int)alen, a);
    }
    return AUGUR_OK;
}

/* The `function NAME(PARAMS)` line: fills the name, and the inputs when untyped. */
static int ldoc_function(ldoc_reader *r, const ldoc_line *line, ldoc *doc, int typed,
                         augur_err *err)
{
    const char *s = line->s;
    size_t i = ldoc_skip_space(s, 0, line->len), start;
    int n = 0;

    if (line->len - i < 9 || memcmp(s + i, "function", 8) != 0 || (s[i + 8] != ' ' && s[i + 8] != '\t'))
        return ldoc_fail(r, line->no, "expected 'function NAME(...)' right after the LDoc comment",
                         err);
    i = start = ldoc_skip_space(s, i + 8, line->len);
    while (i < line->len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
        i++;
    if (!ldoc_is_name(s + start, i - start) || i >= line->len || s[i] != '(')
        return ldoc_fail(r, line->no, "expected a global function 'function NAME(...)' (a plain "
                         "name of at most 64 characters, no table fields or methods)", err);
    snprintf(doc->name, sizeof doc->name, "%.*s", (int)(i - start), s + start);
    for (i++;;) {
        i = ldoc_skip_space(s, i, line->len);
        if (i < line->len && s[i] == ')')
            break;
        start = i;
        if (line->len - i >= 3 && memcmp(s + i, "...", 3) == 0)
            i += 3;
        else
            while (i < line->len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
                i++;
        if (i - start > LDOC_NAME_MAX)
            return ldoc_fail(r, line->no, "a parameter name longer than 64 bytes", err);
        if (n == LDOC_PARAMS_MAX || i == start ||
            (s[start] != '.' && !ldoc_is_name(s + start, i - start)))
            return ldoc_fail(r, line->no, "expected the parameter list on the function's line "
                             "(names, 16 at most)", err);
        if (typed && (n >= doc->ninputs || strlen(doc->inputs[n].name) != i - start ||
                      memcmp(doc->inputs[n].name, s + start, i - start) != 0))
            return ldoc_fail(r, line->no, "the @tparam names must be the function's parameters, "
                             "in order", err);
        if (!typed) {
            snprintf(doc->inputs[n].name, LDOC_NAME_MAX + 1, "%.*s", (int)(i - start), s + start);
            strcpy(doc->inputs[n].type, "any");
        }
        n++;
        i = ldoc_skip_space(s, i, line->len);
        if (i < line->len && s[i] == ',')
            i++;
        else if (i >= line->len || s[i] != ')')
            return ldoc_fail(r, line->no, "expected ',' or ')' in the parameter list", err);
    }
    if (typed && n != doc->ninputs)
        return ldoc_fail(r, line->no, "the @tparam names must be the function's parameters, "
                         "in order", err);
    doc->ninputs = n;
    return AUGUR_OK;
}

int ldoc_parse(const char *src, size_t len, const char *file, ldoc *out, augur_err *err)
{
    ldoc_reader r = { src, len, 0, file ? file : "action", 0 };
    ldoc_line line;
    size_t i;
    int typed = 0, rc;

    const char *nul = memchr(src, '\0', len);

    memset(out, 0, sizeof *out);
    strcpy(out->kind, "writes");
    if (nul) {
        int no = 1;
        for (const char *p = src; p < nul; p++)
            no += *p == '\n';
        return ldoc_fail(&r, no, "a NUL byte: an action is Lua text", err);
    }
    do {
        if (!ldoc_next(&r, &line))
            return ldoc_fail(&r, r.no + 1, "expected an LDoc comment '--- description'", err);
    } while (ldoc_skip_space(line.s, 0, line.len) == line.len);
    i = ldoc_skip_space(line.s, 0, line.len);
    if (line.len - i < 3 || memcmp(line.s + i, "---", 3) != 0 || (line.len - i > 3 && line.s[i + 3] == '-'))
        return ldoc_fail(&r, line.no, "an action starts with its description: '--- what it does'",
                         err);
    i = ldoc_skip_space(line.s, i + 3, line.len);
    while (line.len > i && strchr(" \t\r", line.s[line.len - 1]))
        line.len--;
    if (i == line.len)
        return ldoc_fail(&r, line.no, "the description after '---' is empty", err);
    for (size_t c = i; c < line.len; c++)
        if ((unsigned char)line.s[c] < 0x20 && line.s[c] != '\t')
            return ldoc_fail(&r, line.no, "the description holds a control character", err);
    if (line.len - i > LDOC_DESC_MAX)
        return ldoc_fail(&r, line.no, "the description is longer than 300 bytes", err);
    snprintf(out->description, sizeof out->description, "%.*s", (int)(line.len - i), line.s + i);
    for (;;) {
        size_t at = r.pos;
        if (!ldoc_next(&r, &line))
            return ldoc_fail(&r, r.no, "expected 'function NAME(...)' after the LDoc comment", err);
        i = ldoc_skip_space(line.s, 0, line.len);
        if (line.len - i >= 2 && memcmp(line.s + i, "--", 2) == 0) {
            i = ldoc_skip_space(line.s, i + 2, line.len);
            if (i < line.len && line.s[i] == '@' && (rc = ldoc_tag(&r, &line, i, out, &typed, err)))
                return rc;
            continue;
        }
        out->body = at;
        return ldoc_function(&r, &line, out, typed, err);
    }
}

int ldoc_write(buf *out, const ldoc *doc, const char *src, size_t len)
{
    buf_printf(out, "--- %s\n-- @kind %s\n", doc->description, doc->kind);
    for (int i = 0; i < doc->ninputs; i++)
        buf_printf(out, "-- @tparam %s %s\n", doc->inputs[i].type, doc->inputs[i].name);
    if (doc->output[0])
        buf_printf(out, "-- @treturn %s\n", doc->output);
    return buf_add(out, src + doc->body, len - doc->body);
}
