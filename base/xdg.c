/* xdg.c — XDG base directories. */
#include "base/xdg.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

static const struct {
    const char *var;
    const char *fallback;   /* under $HOME */
} xdg_dirs[] = {
    [XDG_CONFIG] = { "XDG_CONFIG_HOME", ".config" },
    [XDG_DATA]   = { "XDG_DATA_HOME", ".local/share" },
    [XDG_CACHE]  = { "XDG_CACHE_HOME", ".cache" },
    [XDG_STATE]  = { "XDG_STATE_HOME", ".local/state" },
};

/* $HOME, or the password database's idea of it. */
static int xdg_home(buf *out)
{
    const char *home = getenv("HOME");
    struct passwd pw, *found = NULL;
    char scratch[4096];

    if (home && home[0] == '/')
        return buf_puts(out, home);
    if (getpwuid_r(getuid(), &pw, scratch, sizeof scratch, &found) == 0 && found &&
        found->pw_dir && found->pw_dir[0] == '/')
        return buf_puts(out, found->pw_dir);
    return AUGUR_ENOTFOUND;
}

int xdg_path(enum xdg_kind kind, const char *sub, buf *out, augur_err *err)
{
    const char *base = getenv(xdg_dirs[kind].var);
    int rc;

    /* The specification says a relative value is invalid and must be ignored. */
    if (base && base[0] == '/') {
        rc = buf_puts(out, base);
    } else {
        rc = xdg_home(out);
        if (rc == AUGUR_ENOTFOUND)
            return augur_err_set(err, rc, "no home directory: set HOME or %s", xdg_dirs[kind].var);
        if (rc == AUGUR_OK)
            rc = buf_printf(out, "/%s", xdg_dirs[kind].fallback);
    }
    if (rc == AUGUR_OK)
        rc = buf_puts(out, "/augur");
    if (rc == AUGUR_OK && sub && *sub)
        rc = buf_printf(out, "/%s", sub);
    if (rc != AUGUR_OK)
        return augur_err_set(err, rc, "out of memory");
    return AUGUR_OK;
}
