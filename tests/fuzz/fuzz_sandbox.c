/*
** fuzz_sandbox.c — libFuzzer target: any input, run as Lua source in the sandbox
** (make fuzz-sandbox; seeded with the hostile corpus).
**
** Whatever the input, the run must end with a result (never a crash, a hang or a
** leak), within its limits, and its JSON must be well-formed. Inputs of odd length
** run without an instruction budget, under a short deadline that the watchdog keeps.
*/
#include "base/json.h"
#include "sandbox/sandbox.h"

#include <stdint.h>
#include <stdlib.h>

static sandbox *fuzz_sb;

static const sandbox_limits fuzz_limits[2] = {
    { .instructions = 200000, .memory_bytes = 8 << 20, .timeout_ms = 2000,
      .max_output = 4096, .max_string = 1 << 20 },
    { .instructions = 0, .memory_bytes = 8 << 20, .timeout_ms = 20,
      .max_output = 4096, .max_string = 1 << 20 },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const sandbox_limits *lim = &fuzz_limits[size % 2];
    sandbox_job job = { .source = (const char *)data, .len = size, .entry = NULL, .seed = size,
                        .limits = lim };
    sandbox_result res;
    buf out = BUF_INIT;
    cJSON *doc;

    if (!fuzz_sb) {
        sandbox_config cfg = { fuzz_limits[0], SANDBOX_INPROC, 1, 1, 1, 0 };
        if (sandbox_new(&fuzz_sb, &cfg, NULL) != AUGUR_OK)
            abort();
    }
    if (sandbox_run(fuzz_sb, &job, &res, NULL) != AUGUR_OK)
        abort();
    if (res.stats.peak_bytes > lim->memory_bytes + (256 << 10) ||
        res.output_len > (size_t)lim->max_output || (!res.ok && !res.message) ||
        (!lim->instructions && res.stats.instructions))
        abort();
    if (sandbox_result_write(&out, &res) != AUGUR_OK || !(doc = json_parse(out.data, out.len,
                                                                           "result", NULL)))
        abort();
    cJSON_Delete(doc);
    buf_free(&out);
    sandbox_result_free(&res);
    return 0;
}
