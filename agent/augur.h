/*
** augur.h — the public interface of libaugur.
**
** A program (a game, a benchmark harness) includes this one header and links
** libaugur (`pkg-config --cflags --libs augur`). The interface follows SQLite's
** shape: an opaque handle with an explicit lifetime, integer result codes
** (AUGUR_OK or a negative AUGUR_E* from base/err.h), and a message for the last
** error that the handle keeps.
**
**     augur_global_init();                       // once, before any other call
**     augur *ag;
**     if (augur_open(&ag, "agent.toml") != AUGUR_OK)
**         fprintf(stderr, "%s\n", augur_errmsg(ag));
**     ...
**     augur_close(ag);                           // also after a failed open
*/
#ifndef AUGUR_H
#define AUGUR_H

#include "base/err.h"

#ifdef __cplusplus
extern "C" {
#endif

#define AUGUR_VERSION "0.1.0"
#define AUGUR_VERSION_NUMBER 1000   /* major * 1000000 + minor * 1000 + patch */

/* The version of the library linked, which may differ from AUGUR_VERSION. */
const char *augur_version(void);
int         augur_version_number(void);

/* Process-wide set-up, done only when the program asks for it: read AUGUR_LOG for
** the log level, and initialise libcurl for the sandbox's http capability. Call once from one thread before any other augur function;
** AUGUR_EINVAL when AUGUR_LOG names no level (the default, warn, is kept). */
int augur_global_init(void);

typedef struct augur augur;

/* An agent configured by the built-in defaults and then the file at config_path
** (NULL for the defaults alone; no other file is read). *out is set even when
** opening fails, unless memory ran out, so that augur_errmsg can say why; close
** it either way. */
int  augur_open(augur **out, const char *config_path);
void augur_close(augur *ag);

/* The last error on ag: its code and a message naming what and where.
** ag may be NULL (after running out of memory in augur_open). */
int         augur_errcode(const augur *ag);
const char *augur_errmsg(const augur *ag);

#ifdef __cplusplus
}
#endif

#endif
