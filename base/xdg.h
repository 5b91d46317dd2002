/*
** xdg.h — where augur keeps configuration and data, per the XDG base directories.
*/
#ifndef AUGUR_XDG_H
#define AUGUR_XDG_H

#include "base/buf.h"
#include "base/err.h"

enum xdg_kind { XDG_CONFIG, XDG_DATA, XDG_CACHE, XDG_STATE };

/* "<base>/augur/<sub>" (sub may be NULL or "") appended to out, where base is
** $XDG_CONFIG_HOME, $XDG_DATA_HOME, ... when set to an absolute path, else the
** specification's default under $HOME. AUGUR_ENOTFOUND when there is no home. */
int xdg_path(enum xdg_kind kind, const char *sub, buf *out, augur_err *err);

#endif
