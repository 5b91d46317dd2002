/* json.c — JSON helpers over cJSON. */
#include "base/json.h"

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
