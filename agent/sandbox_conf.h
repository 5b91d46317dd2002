/*
** sandbox_conf.h — the [sandbox] section of the configuration, made into a sandbox.
*/
#ifndef AUGUR_SANDBOX_CONF_H
#define AUGUR_SANDBOX_CONF_H

#include "agent/config.h"
#include "sandbox/sandbox.h"

/* Fill out from [sandbox]; a value out of range is AUGUR_ECONFIG, "file:line: what". */
int sandbox_conf_read(const config *c, sandbox_config *out, augur_err *err);

/* A sandbox made from cfg (as read above, perhaps changed), with the fs, http and
** kv capabilities configured by [sandbox]; workspace, when not NULL, replaces
** sandbox.workspace. */
int sandbox_conf_open(const config *c, const sandbox_config *cfg, const char *workspace,
                      sandbox **out, augur_err *err);

#endif
