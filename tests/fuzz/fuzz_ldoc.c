/*
** fuzz_ldoc.c — libFuzzer target for action files' LDoc headers (make fuzz-ldoc).
**
** Any input must parse or fail with a message, never crash or hang. What parses must
** survive the writer: the canonical header written back parses to the same record.
*/
#include "actions/ldoc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Field by field: a later tag may leave bytes of an earlier one after a string's end. */
static int fuzz_same(const ldoc *a, const ldoc *b)
{
    if (strcmp(a->name, b->name) || strcmp(a->description, b->description) ||
        strcmp(a->kind, b->kind) || strcmp(a->output, b->output) || a->ninputs != b->ninputs)
        return 0;
    for (int i = 0; i < a->ninputs; i++)
        if (strcmp(a->inputs[i].name, b->inputs[i].name) ||
            strcmp(a->inputs[i].type, b->inputs[i].type))
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    augur_err err = { 0 };
    buf out = BUF_INIT;
    ldoc doc, again;

    if (ldoc_parse((const char *)data, size, "fuzz", &doc, &err) != AUGUR_OK) {
        if (!err.msg[0])
            abort();
        return 0;
    }
    if (ldoc_write(&out, &doc, (const char *)data, size) != AUGUR_OK)
        abort();
    if (ldoc_parse(out.data, out.len, "rewritten", &again, &err) != AUGUR_OK)
        abort();
    if (!fuzz_same(&doc, &again))
        abort();
    buf_free(&out);
    return 0;
}
