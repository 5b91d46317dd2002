/*
** fuzz_config.c — libFuzzer target for configuration layers (make fuzz-config).
**
** The input is a layer's text, then optionally a NUL byte and a -c KEY=VALUE
** setting. Neither may crash, hang or leak; and a layer that fails must change
** nothing, so the effective configuration shows the same before and after.
*/
#include "agent/config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void fuzz_show(const config *c, buf *out)
{
    buf_clear(out);
    if (config_show(c, out) != AUGUR_OK)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data, *nul = memchr(text, '\0', size);
    size_t len = nul ? (size_t)(nul - text) : size;
    buf before = BUF_INIT, after = BUF_INIT;
    augur_err err = { 0 };
    config *c;

    if (config_new(&c, &err) != AUGUR_OK)
        abort();
    fuzz_show(c, &before);
    if (config_load_text(c, text, len, "fuzz.toml", &err) != AUGUR_OK) {
        fuzz_show(c, &after);
        if (strcmp(buf_str(&before), buf_str(&after)) != 0 || err.msg[0] == '\0')
            abort();
    }
    if (nul) {
        char *set = strndup(nul + 1, size - len - 1);
        fuzz_show(c, &before);
        if (config_set(c, set, &err) != AUGUR_OK) {
            fuzz_show(c, &after);
            if (strcmp(buf_str(&before), buf_str(&after)) != 0)
                abort();
        }
        free(set);
    }
    config_get(c, "log.level");
    buf_free(&before);
    buf_free(&after);
    config_free(c);
    return 0;
}
