/* err.c — result codes and error records. */
#include "base/err.h"

#include <stdio.h>
#include <string.h>

const char *augur_errstr(int code)
{
    switch (code) {
    case AUGUR_OK:        return "ok";
    case AUGUR_ENOMEM:    return "out of memory";
    case AUGUR_EINVAL:    return "invalid input";
    case AUGUR_EIO:       return "input/output error";
    case AUGUR_ENOTFOUND: return "not found";
    case AUGUR_ESYNTAX:   return "syntax error";
    case AUGUR_ELIMIT:    return "limit reached";
    case AUGUR_ECONFIG:   return "invalid configuration";
    case AUGUR_ESTATE:    return "wrong state";
    case AUGUR_EDENIED:   return "denied";
    default:              return "unknown error";
    }
}

int augur_err_vset(augur_err *e, int code, const char *fmt, va_list ap)
{
    if (e) {
        e->code = code;
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    }
    return code;
}

int augur_err_set(augur_err *e, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    augur_err_vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

void augur_err_prefix(augur_err *e, const char *fmt, ...)
{
    char head[AUGUR_ERRMSG_MAX];
    size_t h, m;
    va_list ap;

    if (!e)
        return;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    h = strlen(head);
    m = strnlen(e->msg, sizeof e->msg - 1);
    if (h + m > sizeof e->msg - 1)
        m = sizeof e->msg - 1 - h;
    memmove(e->msg + h, e->msg, m);
    memcpy(e->msg, head, h);
    e->msg[h + m] = '\0';
}

void augur_err_clear(augur_err *e)
{
    if (e) {
        e->code = AUGUR_OK;
        e->msg[0] = '\0';
    }
}
