/*
** fuzz_schema.c — libFuzzer target for JSON Schemas made into grammars, the
** matcher, the schema check and canonical JSON (make fuzz-schema).
**
** The input is a schema, a NUL byte, then text. The schema must become a grammar
** or be refused with a message; the text is fed to the matcher byte by byte, and
** whatever the grammar takes whole must parse as JSON and satisfy the schema
** (anyOf and oneOf aside: oneOf is matched as anyOf, so only parsing is required
** where the schema has one). Canonical JSON of the schema must read back to the
** same canonical text.
*/
#include "base/json.h"
#include "model/grammar.h"
#include "model/schema.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_canonical(const cJSON *doc)
{
    buf a = BUF_INIT, b = BUF_INIT;
    cJSON *again;

    if (json_canonical(&a, doc) != AUGUR_OK)
        abort();
    if (!(again = cJSON_ParseWithLength(a.data, a.len)) || json_canonical(&b, again) != AUGUR_OK ||
        a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
        abort();
    cJSON_Delete(again);
    buf_free(&a);
    buf_free(&b);
}

static void fuzz_match(const grammar *g, const cJSON *schema, const char *text, size_t n,
                       int check)
{
    augur_err err = { 0 };
    grammar_matcher *m;
    size_t taken = 0;

    if (grammar_matcher_new(&m, g, &err) != AUGUR_OK)
        return;
    while (taken < n && grammar_matcher_accept(m, text + taken, 1) == AUGUR_OK)
        taken++;
    if (grammar_matcher_accepting(m) && taken) {
        cJSON *doc = cJSON_ParseWithLength(text, taken);
        if (!doc || (check && !schema_validate(schema, doc, NULL)))
            abort();
        cJSON_Delete(doc);
    }
    grammar_matcher_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = memchr(data, 0, size);
    size_t n = text ? (size_t)(text - (const char *)data) : size;
    cJSON *schema = cJSON_ParseWithLength((const char *)data, n);
    augur_err err = { 0 };
    grammar *g;

    if (!schema)
        return 0;
    fuzz_canonical(schema);
    if (grammar_new(&g, GRAMMAR_SCHEMA, schema, NULL, &err) == AUGUR_OK) {
        if (text)
            fuzz_match(g, schema, text + 1, size - n - 1,
                       !strstr((const char *)data, "oneOf"));
        grammar_free(g);
    } else if (err.msg[0] == '\0') {
        abort();
    }
    if (text) {
        cJSON *doc = cJSON_ParseWithLength(text + 1, size - n - 1);
        if (doc)
            schema_validate(schema, doc, NULL);
        cJSON_Delete(doc);
    }
    cJSON_Delete(schema);
    return 0;
}
