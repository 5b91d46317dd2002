/*
** sandbox_conf.h — the [sandbox] section of the configuration, made into a sandbox.
*/
#ifndef AUGUR_SANDBOX_CONF_H
#define AUGUR_SANDBOX_CONF_H

#include "agent/config.h"
#include "sandbox/sandbox.h"

/* Fill out from [sandbox]; a value out of range is AUGUR_ECONFIG, "file:line: what". */
int sandbox_conf_read(const config *c, sandbox_config *out, augur_err *err);

#endif
