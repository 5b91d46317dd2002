/*
** toml_decoder.c — the decoder program of the toml-test contract: TOML on stdin,
** the document as tagged JSON on stdout and exit 0; or a message on stderr and exit 1.
*/
#include "base/buf.h"
#include "base/file.h"
#include "base/json.h"
#include "base/toml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void decode_value(buf *out, const toml_value *v);

static void decode_tagged(buf *out, const char *type, const char *value, size_t len)
{
    buf_printf(out, "{\"type\":\"%s\",\"value\":", type);
    json_quote(out, value, len);
    buf_putc(out, '}');
}

static void decode_scalar(buf *out, const toml_value *v)
{
    static const char *const types[] = {
        [TOML_STRING] = "string",
        [TOML_INTEGER] = "integer",
        [TOML_FLOAT] = "float",
        [TOML_BOOL] = "bool",
        [TOML_DATETIME] = "datetime",
        [TOML_DATETIME_LOCAL] = "datetime-local",
        [TOML_DATE_LOCAL] = "date-local",
        [TOML_TIME_LOCAL] = "time-local",
    };
    buf text = BUF_INIT;
    size_t len;
    const char *s;

    if (toml_kind(v) == TOML_STRING) {
        s = toml_str(v, &len);
        decode_tagged(out, "string", s, len);
        return;
    }
    /* TOML writes every other scalar the way toml-test wants it, nan without a sign. */
    if (toml_kind(v) == TOML_FLOAT && isnan(toml_float(v)))
        buf_puts(&text, "nan");
    else
        toml_value_write(&text, v);
    decode_tagged(out, types[toml_kind(v)], buf_str(&text), text.len);
    buf_free(&text);
}

static void decode_value(buf *out, const toml_value *v)
{
    size_t n = toml_len(v), len;

    switch (toml_kind(v)) {
    case TOML_TABLE:
        buf_putc(out, '{');
        for (size_t i = 0; i < n; i++) {
            const char *key = toml_key(v, i, &len);
            if (i)
                buf_putc(out, ',');
            json_quote(out, key, len);
            buf_putc(out, ':');
            decode_value(out, toml_at(v, i));
        }
        buf_putc(out, '}');
        break;
    case TOML_ARRAY:
        buf_putc(out, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                buf_putc(out, ',');
            decode_value(out, toml_at(v, i));
        }
        buf_putc(out, ']');
        break;
    default:
        decode_scalar(out, v);
    }
}

int main(void)
{
    augur_err err = { 0 };
    buf out = BUF_INIT;
    toml_doc *doc;
    char *src;
    size_t len;

    if (file_read_fd(0, "stdin", TOML_FILE_MAX, &src, &len, &err) != AUGUR_OK ||
        toml_parse(src, len, "stdin", &doc, &err) != AUGUR_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    free(src);
    decode_value(&out, toml_root(doc));
    buf_putc(&out, '\n');
    toml_free(doc);
    if (out.oom) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    return fflush(stdout) == 0 ? 0 : 1;
}
