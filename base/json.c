/* json.c — JSON helpers over cJSON. */
#include "base/json.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1-based line and column of offset off in text. */
static void json_locate(const char *text, size_t off, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n') {
            ++*line;
            *col = 1;
        } else {
            ++*col;
        }
    }
}

cJSON *json_parse(const char *text, size_t len, const char *name, augur_err *err)
{
    const char *end = NULL;
    cJSON *doc;
    int line, col;

    doc = cJSON_ParseWithLengthOpts(text, len, &end, 0);
    if (!end || end < text || end > text + len)
        end = text + len;
    if (doc) {
        while (end < text + len && strchr(" \t\r\n", *end) && *end)
            end++;
        if (end == text + len)
            return doc;
        cJSON_Delete(doc);
    }
    json_locate(text, (size_t)(end - text), &line, &col);
    augur_err_set(err, AUGUR_ESYNTAX, "%s:%d:%d: %s", name, line, col,
                  doc ? "unexpected text after the JSON value" : "invalid JSON");
    return NULL;
}

int json_quote(buf *out, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";

    buf_putc(out, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;

        switch (c) {
        case '"':  esc = "\\\""; break;
        case '\\': esc = "\\\\"; break;
        case '\b': esc = "\\b"; break;
        case '\f': esc = "\\f"; break;
        case '\n': esc = "\\n"; break;
        case '\r': esc = "\\r"; break;
        case '\t': esc = "\\t"; break;
        }
        if (esc) {
            buf_puts(out, esc);
        } else if (c < 0x20 || c == 0x7f) {
            char u[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
            buf_add(out, u, sizeof u);
        } else {
            buf_putc(out, c);
        }
    }
    return buf_putc(out, '"');
}

static int json_number_write(buf *out, double d)
{
    char text[32];

    if (d != d || d - d != 0)
        return buf_puts(out, "null");
    if (d > -9007199254740992.0 && d < 9007199254740992.0 && d == (double)(int64_t)d)
        return buf_printf(out, "%" PRId64, (int64_t)d);
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, d);
        if (strtod(text, NULL) == d)
            break;
    }
    return buf_puts(out, text);
}

typedef struct json_member {
    const cJSON *item;
    size_t       index;   /* its place in the object: equal keys keep their order */
} json_member;

static int json_member_cmp(const void *a, const void *b)
{
    const json_member *x = a, *y = b;
    int c = strcmp(x->item->string ? x->item->string : "", y->item->string ? y->item->string : "");

    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int json_object_canonical(buf *out, const cJSON *v)
{
    json_member *m;
    const cJSON *it;
    size_t n = 0, i = 0;
    int rc = AUGUR_OK;

    for (it = v->child; it; it = it->next)
        n++;
    if (!(m = malloc((n ? n : 1) * sizeof *m)))
        return AUGUR_ENOMEM;
    for (it = v->child; it; it = it->next, i++)
        m[i] = (json_member){ it, i };
    qsort(m, n, sizeof *m, json_member_cmp);
    buf_putc(out, '{');
    for (i = 0; i < n && rc == AUGUR_OK; i++) {
        const char *k = m[i].item->string ? m[i].item->string : "";
        if (i)
            buf_putc(out, ',');
        json_quote(out, k, strlen(k));
        buf_putc(out, ':');
        rc = json_canonical(out, m[i].item);
    }
    free(m);
    return rc == AUGUR_OK ? buf_putc(out, '}') : rc;
}

int json_canonical(buf *out, const cJSON *v)
{
    int rc = AUGUR_OK;

    switch (v->type & 0xff) {
    case cJSON_False:  return buf_puts(out, "false");
    case cJSON_True:   return buf_puts(out, "true");
    case cJSON_NULL:   return buf_puts(out, "null");
    case cJSON_Number: return json_number_write(out, v->valuedouble);
    case cJSON_String: return json_quote(out, v->valuestring, strlen(v->valuestring));
    case cJSON_Object: return json_object_canonical(out, v);
    case cJSON_Array:
        buf_putc(out, '[');
        for (const cJSON *it = v->child; it && rc == AUGUR_OK; it = it->next) {
            if (it != v->child)
                buf_putc(out, ',');
            rc = json_canonical(out, it);
        }
        return rc == AUGUR_OK ? buf_putc(out, ']') : rc;
    default:
        return buf_puts(out, "null");
    }
}
