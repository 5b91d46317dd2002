/*
** caps.h — the capabilities the sandbox itself provides: host.fs, host.http, host.kv.
**
** Each adds itself to a sandbox through sandbox_capability_add, as any other layer's
** capability does; a run sees it only when its job allows "fs", "http" or "kv".
** They run in the host, on a worker's behalf in process isolation, and keep to the
** deadline of the call.
**
**     host.fs.read(path) → string          host.http.get(url [, {headers = {...}}])
**     host.fs.write(path, data) → true     host.http.post(url, body [, {headers = {...}}])
**     host.fs.list([path]) → {names}           → {status, body, headers, url}
**     host.kv.get(key) → string | nil      host.kv.set(key, string | nil) → true
**     host.kv.keys() → {keys}
*/
#ifndef AUGUR_SANDBOX_CAPS_H
#define AUGUR_SANDBOX_CAPS_H

#include "sandbox/sandbox.h"

/* Files under root: relative paths only, no "..", and no symlink that leads out
** (the kernel resolves beneath root: openat2 with RESOLVE_BENEATH). Reads and
** writes of more than max_bytes are refused; writes replace files atomically. */
int sandbox_fs_add(sandbox *sb, const char *root, int64_t max_bytes, augur_err *err);

/* Open path (len bytes) under the folder open at root by host.fs's rules: the text
** checked first (relative, no "..", no NUL), then openat2 with RESOLVE_BENEATH; a
** path that leads out is AUGUR_EDENIED. For other layers' capabilities on the
** workspace. */
int sandbox_fs_open(int root, const char *path, size_t len, int flags, int *fd, augur_err *err);

typedef struct sandbox_http_opts {
    const char *const *allow;     /* host names ("example.org", or "*.example.org") */
    size_t             nallow;
    int64_t            max_bytes;      /* largest response body */
    int64_t            timeout_ms;     /* per request, and never past the call's deadline */
    int                max_redirects;  /* each target checked against allow */
    const char        *ca_file;        /* PEM file of the certificate authorities https
                                          trusts; NULL or "": the system's */
} sandbox_http_opts;

/* GET and POST over http and https to allowed hosts, through libcurl. */
int sandbox_http_add(sandbox *sb, const sandbox_http_opts *opts, augur_err *err);

/* A small key-value store of strings kept in the JSON file at path, at most
** max_bytes in all; every change is written atomically. */
int sandbox_kv_add(sandbox *sb, const char *path, int64_t max_bytes, augur_err *err);

#endif
