/* file.c — whole-file reads, atomic replacement, directories. */
#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int file_read_fd(int fd, const char *name, size_t max, char **data, size_t *len, augur_err *err)
{
    size_t cap = 4096, n = 0;
    struct stat st;
    char *p, *q;

    *data = NULL;
    *len = 0;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode))
            return augur_err_set(err, AUGUR_EIO, "%s: is a directory", name);
        if (S_ISREG(st.st_mode) && st.st_size > 0 && (size_t)st.st_size < max)
            cap = (size_t)st.st_size + 1;
    }
    if (cap > max)
        cap = max + 1;
    p = malloc(cap + 1);
    if (!p)
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", name);
    for (;;) {
        ssize_t got;

        if (n == cap) {
            if (cap > max) {
                free(p);
                return augur_err_set(err, AUGUR_ELIMIT, "%s: larger than the limit of %zu bytes",
                                     name, max);
            }
            cap = cap > max / 2 ? max + 1 : cap * 2;
            q = realloc(p, cap + 1);
            if (!q) {
                free(p);
                return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", name);
            }
            p = q;
        }
        got = read(fd, p + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            int e = errno;
            free(p);
            return augur_err_set(err, AUGUR_EIO, "%s: %s", name, strerror(e));
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    if (n > max) {
        free(p);
        return augur_err_set(err, AUGUR_ELIMIT, "%s: larger than the limit of %zu bytes", name, max);
    }
    p[n] = '\0';
    *data = p;
    *len = n;
    return AUGUR_OK;
}

int file_read(const char *path, size_t max, char **data, size_t *len, augur_err *err)
{
    int fd, rc;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *data = NULL;
        *len = 0;
        return augur_err_set(err, errno == ENOENT ? AUGUR_ENOTFOUND : AUGUR_EIO, "%s: %s", path,
                             strerror(errno));
    }
    rc = file_read_fd(fd, path, max, data, len, err);
    close(fd);
    return rc;
}

static int file_write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t put = write(fd, p, len);
        if (put < 0 && errno == EINTR)
            continue;
        if (put < 0)
            return -1;
        p += put;
        len -= (size_t)put;
    }
    return 0;
}

/* The directory part of path ("." when there is none), in out[size]. */
static void file_dirname(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');

    if (!slash)
        snprintf(out, size, ".");
    else if (slash == path)
        snprintf(out, size, "/");
    else
        snprintf(out, size, "%.*s", (int)(slash - path), path);
}

static int file_fsync_dir(const char *path)
{
    char dir[4096];
    int fd, rc;

    file_dirname(path, dir, sizeof dir);
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    rc = fsync(fd);
    close(fd);
    return rc;
}

int file_write_atomic(const char *path, const void *data, size_t len, augur_err *err)
{
    static atomic_uint counter;
    char tmp[4096];
    struct stat st;
    int fd = -1, have_mode;

    have_mode = stat(path, &st) == 0;
    for (int tries = 0; fd < 0; tries++) {
        int n = snprintf(tmp, sizeof tmp, "%s.tmp-%ld-%u", path, (long)getpid(),
                         atomic_fetch_add(&counter, 1));
        if (n < 0 || (size_t)n >= sizeof tmp)
            return augur_err_set(err, AUGUR_EINVAL, "%s: path too long", path);
        fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd < 0 && (errno != EEXIST || tries > 100))
            return augur_err_set(err, AUGUR_EIO, "%s: %s", tmp, strerror(errno));
    }
    if ((have_mode && fchmod(fd, st.st_mode & 07777) != 0) || file_write_all(fd, data, len) != 0 ||
        fsync(fd) != 0) {
        int e = errno;
        close(fd);
        unlink(tmp);
        return augur_err_set(err, AUGUR_EIO, "%s: %s", tmp, strerror(e));
    }
    if (close(fd) != 0 || rename(tmp, path) != 0) {
        int e = errno;
        unlink(tmp);
        return augur_err_set(err, AUGUR_EIO, "%s: %s", path, strerror(e));
    }
    if (file_fsync_dir(path) != 0)
        return augur_err_set(err, AUGUR_EIO, "%s: syncing its directory: %s", path, strerror(errno));
    return AUGUR_OK;
}

int file_mkdirs(const char *path, augur_err *err)
{
    char dir[4096];
    size_t n = strlen(path);
    struct stat st;

    if (n == 0 || n >= sizeof dir)
        return augur_err_set(err, AUGUR_EINVAL, "cannot create directory '%s': bad length", path);
    memcpy(dir, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (dir[i] != '/' && dir[i] != '\0')
            continue;
        dir[i] = '\0';
        if (mkdir(dir, 0777) != 0 && errno != EEXIST)
            return augur_err_set(err, AUGUR_EIO, "cannot create directory '%s': %s", dir,
                                 strerror(errno));
        dir[i] = i < n ? '/' : '\0';
    }
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return augur_err_set(err, AUGUR_EIO, "cannot create directory '%s': a file is in the way",
                             path);
    return AUGUR_OK;
}
