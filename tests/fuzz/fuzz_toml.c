/*
** fuzz_toml.c — libFuzzer target for the TOML parser (make fuzz-toml).
**
** Any input must parse or fail with a message, never crash, hang or leak. What
** parses must also survive the writer: writing the document as an inline table,
** reading that back and writing it again gives the same text.
*/
#include "base/toml.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_round_trip(const toml_doc *doc)
{
    buf first = BUF_INIT, src = BUF_INIT, second = BUF_INIT;
    augur_err err = { 0 };
    toml_doc *again;

    toml_value_write(&first, toml_root(doc));
    buf_puts(&src, "v = ");
    buf_add(&src, first.data, first.len);
    if (toml_parse(src.data, src.len, "rewritten", &again, &err) == AUGUR_OK) {
        toml_value_write(&second, toml_get(toml_root(again), "v"));
        if (first.len != second.len || memcmp(first.data, second.data, first.len) != 0)
            abort();
        toml_free(again);
    } else if (!strstr(err.msg, "nested deeper")) {
        /* Only the extra level of "v = " may push a document over the depth limit. */
        abort();
    }
    buf_free(&first);
    buf_free(&src);
    buf_free(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    augur_err err = { 0 };
    toml_doc *doc;

    if (toml_parse((const char *)data, size, "fuzz", &doc, &err) == AUGUR_OK) {
        fuzz_round_trip(doc);
        toml_free(doc);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    if (size < 256) {
        char *path = malloc(size + 1);
        buf canon = BUF_INIT;
        memcpy(path, data, size);
        path[size] = '\0';
        toml_path_canon(path, &canon, &err);
        buf_free(&canon);
        free(path);
    }
    return 0;
}
