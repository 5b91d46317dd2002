/*
** cap_fs.c — host.fs: read, write and list files under a workspace root.
**
** Paths are checked twice: first by their text (relative, no "..", no NUL), for a
** clear refusal, then by the kernel, which resolves every path beneath the root's
** descriptor (openat2 with RESOLVE_BENEATH), so no symlink, however placed, leads
** out. openat2 is Linux's, which is why this file is Linux-specific.
*/
#include "sandbox/caps.h"
#include "sandbox/private.h"
#include "base/file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

enum { FS_LIST_MAX = 10000 };

typedef struct fs_root {
    int     fd;
    int64_t max_bytes;
} fs_root;

static void fs_root_free(void *ud)
{
    fs_root *r = ud;

    if (r->fd >= 0)
        close(r->fd);
    free(r);
}

/* The string argument i, or an error. */
static int fs_arg(const sandbox_call *call, size_t i, const char *what, const char **s,
                  size_t *len, augur_err *err)
{
    const sandbox_value *v = i < call->args->n ? call->args->items[i] : NULL;

    if (!v || v->type != SANDBOX_STRING)
        return augur_err_set(err, AUGUR_EINVAL, "argument %zu: %s must be a string", i + 1, what);
    *s = v->str;
    if (len)
        *len = v->len;
    return AUGUR_OK;
}

/* A path the text alone shows to stay under the root. */
static int fs_path_check(const char *path, size_t len, augur_err *err)
{
    if (len == 0 || memchr(path, '\0', len))
        return augur_err_set(err, AUGUR_EINVAL, "a path must be non-empty text");
    if (path[0] == '/')
        return augur_err_set(err, AUGUR_EDENIED, "denied: '%s' is absolute; paths are relative "
                             "to the workspace", path);
    for (const char *p = path; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return augur_err_set(err, AUGUR_EDENIED, "denied: '%s' leaves the workspace", path);
        p += n;
        p += *p == '/';
    }
    return AUGUR_OK;
}

static int fs_open(const fs_root *r, const char *path, int flags, mode_t mode)
{
    struct open_how how = { .flags = (uint64_t)(flags | O_CLOEXEC), .mode = mode,
                            .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };

    return (int)syscall(SYS_openat2, r->fd, path, &how, sizeof how);
}

/* The error for a failed open of path. */
static int fs_open_error(const char *path, augur_err *err)
{
    if (errno == EXDEV || errno == ELOOP)
        return augur_err_set(err, AUGUR_EDENIED, "denied: '%s' leads out of the workspace", path);
    if (errno == ENOENT || errno == ENOTDIR)
        return augur_err_set(err, AUGUR_ENOTFOUND, "'%s' does not exist", path);
    return augur_err_set(err, AUGUR_EIO, "'%s': %s", path, strerror(errno));
}

int sandbox_fs_open(int root, const char *path, size_t len, int flags, int *fd, augur_err *err)
{
    fs_root r = { root, 0 };
    int rc = fs_path_check(path, len, err);

    if (rc != AUGUR_OK)
        return rc;
    if ((*fd = fs_open(&r, path, flags, 0)) < 0)
        return fs_open_error(path, err);
    return AUGUR_OK;
}

static int fs_read(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const fs_root *r = call->ud;
    const char *path = NULL;
    size_t len = 0;
    struct stat st;
    char *data;
    int fd, rc;

    if ((rc = fs_arg(call, 0, "the path", &path, &len, err)) ||
        (rc = sandbox_fs_open(r->fd, path, len, O_RDONLY | O_NONBLOCK, &fd, err)))
        return rc;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return augur_err_set(err, AUGUR_EINVAL, "'%s' is not a regular file", path);
    }
    rc = file_read_fd(fd, path, (size_t)r->max_bytes, &data, &len, err);
    close(fd);
    if (rc != AUGUR_OK)
        return rc;
    *ret = sandbox_value_string(data, len);
    free(data);
    return *ret ? AUGUR_OK : augur_err_set(err, AUGUR_ENOMEM, "out of memory");
}

static int fs_write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Write beside the target, then rename over it: a reader sees old or new, never half. */
static int fs_write(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const fs_root *r = call->ud;
    const char *path = NULL, *data = NULL, *base;
    char dir[4096], tmp[64];
    size_t len = 0, dlen = 0;
    int dfd, fd, rc;

    if ((rc = fs_arg(call, 0, "the path", &path, &len, err)) ||
        (rc = fs_arg(call, 1, "the data", &data, &dlen, err)) ||
        (rc = fs_path_check(path, len, err)))
        return rc;
    if ((int64_t)dlen > r->max_bytes)
        return augur_err_set(err, AUGUR_ELIMIT, "%zu bytes are more than the %lld a file may hold",
                             dlen, (long long)r->max_bytes);
    base = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", base ? (int)(base - path) : 1, base ? path : ".");
    base = base ? base + 1 : path;
    if (!*base || strcmp(base, ".") == 0 || len >= sizeof dir)
        return augur_err_set(err, AUGUR_EINVAL, "'%s' names no file", path);
    if ((dfd = fs_open(r, dir[0] ? dir : ".", O_PATH | O_DIRECTORY, 0)) < 0)
        return fs_open_error(path, err);
    snprintf(tmp, sizeof tmp, ".augur-write-%ld", (long)getpid());
    fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 || fs_write_all(fd, data, dlen) != 0 || fsync(fd) != 0 ||
        renameat(dfd, tmp, dfd, base) != 0) {
        rc = augur_err_set(err, AUGUR_EIO, "cannot write '%s': %s", path, strerror(errno));
        unlinkat(dfd, tmp, 0);
    }
    if (fd >= 0)
        close(fd);
    close(dfd);
    if (rc == AUGUR_OK && !(*ret = sandbox_value_bool(1)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    return rc;
}

static int fs_name_cmp(const void *a, const void *b)
{
    return strcmp((*(sandbox_value *const *)a)->str, (*(sandbox_value *const *)b)->str);
}

static int fs_list(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const fs_root *r = call->ud;
    const char *path = ".";
    size_t len = 1;
    struct dirent *e;
    DIR *d;
    int fd, rc = AUGUR_OK;

    if ((call->args->n > 0 && (rc = fs_arg(call, 0, "the path", &path, &len, err))) ||
        (rc = sandbox_fs_open(r->fd, path, len, O_RDONLY | O_DIRECTORY, &fd, err)))
        return rc;
    if (!(d = fdopendir(fd))) {
        close(fd);
        return augur_err_set(err, AUGUR_EIO, "'%s': %s", path, strerror(errno));
    }
    if (!(*ret = sandbox_value_new(SANDBOX_ARRAY)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    while (rc == AUGUR_OK && (e = readdir(d))) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if ((*ret)->n >= FS_LIST_MAX)
            rc = augur_err_set(err, AUGUR_ELIMIT, "'%s' holds more than %d entries", path,
                               FS_LIST_MAX);
        else if (sandbox_value_push(*ret, NULL, 0,
                                    sandbox_value_string(e->d_name, strlen(e->d_name))))
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    closedir(d);
    if (rc != AUGUR_OK) {
        sandbox_value_free(*ret);
        *ret = NULL;
        return rc;
    }
    if ((*ret)->n > 1)
        qsort((*ret)->items, (*ret)->n, sizeof *(*ret)->items, fs_name_cmp);
    return AUGUR_OK;
}

int sandbox_fs_add(sandbox *sb, const char *root, int64_t max_bytes, augur_err *err)
{
    static const sandbox_fn fns[] = {
        { "read", fs_read }, { "write", fs_write }, { "list", fs_list }, { NULL, NULL },
    };
    fs_root *r = calloc(1, sizeof *r);

    if (!r)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    r->max_bytes = max_bytes > 0 ? max_bytes : 0;
    r->fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (r->fd < 0) {
        int rc = augur_err_set(err, AUGUR_EIO, "workspace '%s': %s", root, strerror(errno));
        fs_root_free(r);
        return rc;
    }
    return sandbox_capability_add(sb, "fs", fns, r, fs_root_free, err);
}
