/*
** file.h — whole-file reads with a size cap, atomic replacement, directories.
*/
#ifndef AUGUR_FILE_H
#define AUGUR_FILE_H

#include <stddef.h>

#include "base/err.h"

/* Read all of path (at most max bytes) into a new NUL-terminated buffer the caller
** frees. Works on pipes and /proc files, whose size is unknown ahead. A larger
** file is an AUGUR_ELIMIT error, not a silent truncation. */
int file_read(const char *path, size_t max, char **data, size_t *len, augur_err *err);

/* The same for an open descriptor; name is what errors call it ("stdin"). */
int file_read_fd(int fd, const char *name, size_t max, char **data, size_t *len, augur_err *err);

/* Replace path with data so that a reader (or a crash) sees the old contents or the
** new, never a mix: write a temporary file beside it, fsync, rename over, fsync the
** directory. A new file gets mode 0666 less the umask; a replaced one keeps its mode. */
int file_write_atomic(const char *path, const void *data, size_t len, augur_err *err);

/* Create path and any missing parents (mode 0777 less the umask). */
int file_mkdirs(const char *path, augur_err *err);

#endif
