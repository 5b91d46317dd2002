/*
** err.h — result codes and the error record every fallible function fills.
**
** A function that can fail returns an int: AUGUR_OK (0) on success, a negative
** AUGUR_E* code otherwise, and writes a message for people into the augur_err its
** caller passed (or nothing, when the caller passed NULL). This header is public:
** augur.h includes it, so a program embedding augur sees the same codes.
*/
#ifndef AUGUR_ERR_H
#define AUGUR_ERR_H

#include <stdarg.h>

enum {
    AUGUR_OK        =  0,
    AUGUR_ENOMEM    = -1,   /* out of memory                                   */
    AUGUR_EINVAL    = -2,   /* an argument or input is malformed               */
    AUGUR_EIO       = -3,   /* the operating system refused (open, read, ...)  */
    AUGUR_ENOTFOUND = -4,   /* a named thing does not exist                    */
    AUGUR_ESYNTAX   = -5,   /* a document does not parse                       */
    AUGUR_ELIMIT    = -6,   /* a size, depth or budget limit was reached       */
    AUGUR_ECONFIG   = -7,   /* the configuration is invalid                    */
    AUGUR_ESTATE    = -8,   /* called at the wrong time (not initialised, ...) */
    AUGUR_EDENIED   = -9    /* refused by policy (a path outside a root, ...)  */
};

#define AUGUR_ERRMSG_MAX 1024

typedef struct augur_err {
    int  code;
    char msg[AUGUR_ERRMSG_MAX];
} augur_err;

/* A short English name for a result code ("out of memory"). Never NULL. */
const char *augur_errstr(int code);

/* Record code and a formatted message in e (when e is not NULL); returns code, so
** that a failing function can end with `return augur_err_set(err, ...)`. */
int augur_err_set(augur_err *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int augur_err_vset(augur_err *e, int code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Put context in front of the message already in e: "file.toml: " + message. */
void augur_err_prefix(augur_err *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Forget any recorded error. */
void augur_err_clear(augur_err *e);

#endif
