/*
** fuzz_state.c — libFuzzer target for reading states from JSON (make fuzz-state).
**
** Any input may be refused, never crash, hang or leak; a state that is read
** writes back as JSON that reads back equal, with the same hash, and a state
** differs from itself in nothing.
*/
#include "worlds/state.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    buf js = BUF_INIT;
    state *s = NULL, *t = NULL;
    state_changes d;

    if (state_from_json((const char *)data, size, "fuzz", &s, NULL) != AUGUR_OK)
        return 0;
    if (state_to_json(s, &js) == AUGUR_OK) {
        if (state_from_json(js.data, js.len, "again", &t, NULL) != AUGUR_OK ||
            !state_equal(s, t) || state_hash(s) != state_hash(t))
            abort();
    }
    if (state_diff(s, s, &d, NULL) != AUGUR_OK || d.count != 0)
        abort();
    state_changes_free(&d);
    state_free(t);
    state_free(s);
    buf_free(&js);
    return 0;
}
