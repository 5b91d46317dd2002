/* share.c — a library exported to a folder (or a git repository) and imported back. */
#include "actions/private.h"
#include "base/file.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { SHARE_DEPTH_MAX = 8 };

const char *library_conflict_name(library_conflict rule)
{
    static const char *const names[] = { "skip", "revise", "fail" };
    return (unsigned)rule < 3 ? names[rule] : "skip";
}

int library_conflict_parse(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, library_conflict_name((library_conflict)i)) == 0)
            return i;
    return -1;
}

static int share_write(const char *dir, const action *a, augur_err *err)
{
    char rel[256], path[4096], *slash;
    buf text = BUF_INIT;
    int rc;

    mirror_path(a->doc.name, rel, sizeof rel);
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    slash = strrchr(path, '/');
    *slash = '\0';
    rc = file_mkdirs(path, err);
    *slash = '/';
    if (rc != AUGUR_OK)
        return rc;
    if (ldoc_write(&text, &a->doc, a->source, a->len) != AUGUR_OK)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else
        rc = file_write_atomic(path, text.data, text.len, err);
    buf_free(&text);
    return rc;
}

int library_export(library *lib, const char *dir, int git, size_t *count, augur_err *err)
{
    char gitdir[4096];
    struct stat sb;
    mirror *m = NULL;
    action *all;
    size_t n;
    int rc;

    *count = 0;
    snprintf(gitdir, sizeof gitdir, "%s/.git", dir);
    git = git || stat(gitdir, &sb) == 0;
    if ((rc = file_mkdirs(dir, err)) || (rc = library_list(lib, &all, &n, err)))
        return rc;
    for (size_t i = 0; i < n && rc == AUGUR_OK; i++)
        if ((rc = share_write(dir, &all[i], err)) == AUGUR_OK)
            (*count)++;
    if (rc == AUGUR_OK && git && (rc = mirror_open(&m, dir, 0, err)) == AUGUR_OK) {
        char msg[128];
        snprintf(msg, sizeof msg, "export %zu actions from %s", n, lib->path);
        rc = mirror_commit_worktree(m, msg, err);
        mirror_close(m);
    }
    actions_free(all, n);
    return rc;
}

/* ---- import ----------------------------------------------------------------------- */

typedef struct share_import {
    library         *lib;
    library_conflict rule;
    size_t           added, skipped;
} share_import;

static int share_file(share_import *im, const char *path, augur_err *err)
{
    char *src;
    size_t len;
    ldoc doc;
    action have;
    char hash[41];
    int rc;

    if ((rc = file_read(path, (size_t)im->lib->max_source + 1, &src, &len, err)))
        return rc;
    if ((rc = ldoc_parse(src, len, path, &doc, err)) == AUGUR_OK &&
        (rc = library_get(im->lib, doc.name, 0, &have, err)) == AUGUR_OK) {
        int same = mirror_hash(src, len, hash, err) == AUGUR_OK && strcmp(hash, have.hash) == 0;
        action_free(&have);
        if (same || im->rule == LIBRARY_SKIP) {
            im->skipped++;
            free(src);
            return AUGUR_OK;
        }
        if (im->rule == LIBRARY_FAIL) {
            free(src);
            return augur_err_set(err, AUGUR_EINVAL, "%s: the library already has another '%s' "
                                 "(import with --conflict skip or revise)", path, doc.name);
        }
    }
    if (rc == AUGUR_OK || rc == AUGUR_ENOTFOUND) {
        rc = library_add(im->lib, src, len, path, ACTION_USER, NULL, err);
        im->added += rc == AUGUR_OK;
    }
    free(src);
    return rc;
}

static int share_walk(share_import *im, const char *dir, int depth, augur_err *err)
{
    struct dirent **names;
    int n = scandir(dir, &names, NULL, alphasort), rc = AUGUR_OK;

    if (n < 0)
        return augur_err_set(err, AUGUR_EIO, "%s: cannot read the folder", dir);
    for (int i = 0; i < n; i++) {
        const char *name = names[i]->d_name;
        size_t len = strlen(name);
        char path[4096];
        struct stat sb;
        snprintf(path, sizeof path, "%s/%s", dir, name);
        if (rc != AUGUR_OK || name[0] == '.' || lstat(path, &sb) != 0)
            ;
        else if (S_ISDIR(sb.st_mode) && depth < SHARE_DEPTH_MAX)
            rc = share_walk(im, path, depth + 1, err);
        else if (S_ISREG(sb.st_mode) && len > 4 && strcmp(name + len - 4, ".lua") == 0)
            rc = share_file(im, path, err);
        free(names[i]);
    }
    free(names);
    return rc;
}

int library_import(library *lib, const char *dir, library_conflict rule, size_t *added,
                   size_t *skipped, augur_err *err)
{
    share_import im = { lib, rule, 0, 0 };
    int rc = share_walk(&im, dir, 0, err);

    *added = im.added;
    *skipped = im.skipped;
    return rc;
}
