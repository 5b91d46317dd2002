/* augur.c — the public handle: configuration and error reporting. */
#include "agent/augur.h"
#include "agent/config.h"
#include "base/log.h"
#include "sandbox/sandbox.h"

#include <stdlib.h>

struct augur {
    config   *config;
    augur_err err;
};

const char *augur_version(void)
{
    return AUGUR_VERSION;
}

int augur_version_number(void)
{
    return AUGUR_VERSION_NUMBER;
}

int augur_global_init(void)
{
    int rc = sandbox_global_init();

    if (rc != AUGUR_OK)
        return rc;
    return log_init() == 0 ? AUGUR_OK : AUGUR_EINVAL;
}

int augur_open(augur **out, const char *config_path)
{
    augur *ag = calloc(1, sizeof *ag);
    int rc;

    *out = ag;
    if (!ag)
        return AUGUR_ENOMEM;
    rc = config_new(&ag->config, &ag->err);
    if (rc == AUGUR_OK && config_path)
        rc = config_load_file(ag->config, config_path, &ag->err);
    return rc;
}

void augur_close(augur *ag)
{
    if (ag) {
        config_free(ag->config);
        free(ag);
    }
}

int augur_errcode(const augur *ag)
{
    return ag ? ag->err.code : AUGUR_ENOMEM;
}

const char *augur_errmsg(const augur *ag)
{
    if (!ag)
        return augur_errstr(AUGUR_ENOMEM);
    return ag->err.code ? ag->err.msg : augur_errstr(AUGUR_OK);
}
