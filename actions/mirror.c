/* mirror.c — the git mirror of a library (libgit2): one commit per stored version. */
#include "actions/private.h"
#include "base/file.h"

#include <stddef.h>

#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mirror {
    git_repository *repo;
    char           *gitdir;
};

static int mirror_fail(const char *what, augur_err *err)
{
    const git_error *e = git_error_last();

    return augur_err_set(err, AUGUR_EIO, "git mirror: %s: %s", what, e ? e->message : "failed");
}

int mirror_hash(const char *data, size_t len, char out[41], augur_err *err)
{
    git_oid oid;

    if (git_odb_hash(&oid, data, len, GIT_OBJECT_BLOB) != 0)
        return mirror_fail("hash", err);
    git_oid_tostr(out, 41, &oid);
    return AUGUR_OK;
}

void mirror_path(const char *name, char *out, size_t size)
{
    snprintf(out, size, "actions/%.2s/%s.lua", name, name);
}

int mirror_open(mirror **out, const char *path, int bare, augur_err *err)
{
    mirror *m = calloc(1, sizeof *m);
    int rc = AUGUR_OK;

    *out = NULL;
    if (!m)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (git_repository_open(&m->repo, path) != 0 &&
        ((rc = file_mkdirs(path, err)) || git_repository_init(&m->repo, path, bare) != 0)) {
        rc = rc ? rc : mirror_fail(path, err);
        mirror_close(m);
        return rc;
    }
    if (!(m->gitdir = strdup(git_repository_path(m->repo)))) {
        mirror_close(m);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    *out = m;
    return AUGUR_OK;
}

void mirror_close(mirror *m)
{
    if (!m)
        return;
    git_repository_free(m->repo);
    free(m->gitdir);
    free(m);
}

void mirror_global(int on)
{
    if (on)
        git_libgit2_init();
    else
        git_libgit2_shutdown();
}

/* Lock files left by a process killed in the middle of a commit. Only the holder of
** the library's write lock commits, so any lock found now is stale. */
static void mirror_unlock(mirror *m)
{
    static const char *const locks[] = { "index.lock", "HEAD.lock", NULL };
    char path[4096];
    git_reference *head;

    for (const char *const *l = locks; *l; l++) {
        snprintf(path, sizeof path, "%s%s", m->gitdir, *l);
        unlink(path);
    }
    if (git_reference_lookup(&head, m->repo, "HEAD") == 0) {
        if (git_reference_type(head) == GIT_REFERENCE_SYMBOLIC) {
            snprintf(path, sizeof path, "%s%s.lock", m->gitdir, git_reference_symbolic_target(head));
            unlink(path);
        }
        git_reference_free(head);
    }
}

/* base with path (a/b/c.lua) set to blob, or removed when blob is NULL, written as a new
** tree into *out; *empty says whether nothing is left in it. Only the trees on the path
** are rewritten: one folder per name prefix keeps each of them small. */
static int mirror_tree_set(git_repository *repo, const git_tree *base, const char *path,
                           const git_oid *blob, git_oid *out, int *empty)
{
    const char *slash = strchr(path, '/');
    char name[256];
    git_treebuilder *bld = NULL;
    int rc = -1;

    snprintf(name, sizeof name, "%.*s", (int)(slash ? slash - path : (ptrdiff_t)strlen(path)),
             path);
    if (git_treebuilder_new(&bld, repo, base) != 0)
        return -1;
    if (!slash) {
        rc = blob ? git_treebuilder_insert(NULL, bld, name, blob, GIT_FILEMODE_BLOB)
                  : (git_treebuilder_get(bld, name) ? git_treebuilder_remove(bld, name) : 0);
    } else {
        const git_tree_entry *e = base ? git_tree_entry_byname(base, name) : NULL;
        git_tree *sub = NULL;
        git_oid subid;
        int subempty;
        if (!e || git_tree_entry_type(e) != GIT_OBJECT_TREE ||
            git_tree_lookup(&sub, repo, git_tree_entry_id(e)) == 0) {
            rc = mirror_tree_set(repo, sub, slash + 1, blob, &subid, &subempty);
            if (rc == 0)
                rc = subempty ? (git_treebuilder_get(bld, name) ? git_treebuilder_remove(bld, name)
                                                                : 0)
                              : git_treebuilder_insert(NULL, bld, name, &subid, GIT_FILEMODE_TREE);
            git_tree_free(sub);
        }
    }
    if (rc == 0) {
        *empty = git_treebuilder_entrycount(bld) == 0;
        rc = git_treebuilder_write(out, bld);
    }
    git_treebuilder_free(bld);
    return rc;
}

/* Commit tree_id on HEAD with message, unless HEAD already has that tree. */
static int mirror_commit_tree(mirror *m, const git_oid *tree_id, const char *message,
                              augur_err *err)
{
    git_oid parent_id, commit_id;
    git_commit *parent = NULL;
    git_tree *tree = NULL;
    git_signature *sig = NULL;
    int has_parent = git_reference_name_to_id(&parent_id, m->repo, "HEAD") == 0, rc = AUGUR_OK;

    if (has_parent && git_commit_lookup(&parent, m->repo, &parent_id) != 0)
        return mirror_fail("read HEAD", err);
    if (parent && git_oid_equal(git_commit_tree_id(parent), tree_id)) {
        git_commit_free(parent);
        return AUGUR_OK;
    }
    if (git_tree_lookup(&tree, m->repo, tree_id) != 0 ||
        git_signature_now(&sig, "augur", "augur@localhost") != 0 ||
        git_commit_create(&commit_id, m->repo, "HEAD", sig, sig, NULL, message, tree,
                          parent ? 1 : 0, (const git_commit **)&parent) != 0)
        rc = mirror_fail("commit", err);
    git_signature_free(sig);
    git_tree_free(tree);
    git_commit_free(parent);
    return rc;
}

int mirror_commit(mirror *m, const char *rel, const char *data, size_t len, const char *message,
                  augur_err *err)
{
    git_oid head_id, blob_id, tree_id;
    git_commit *head = NULL;
    git_tree *base = NULL;
    int empty, rc;

    mirror_unlock(m);
    if (git_reference_name_to_id(&head_id, m->repo, "HEAD") == 0 &&
        (git_commit_lookup(&head, m->repo, &head_id) != 0 || git_commit_tree(&base, head) != 0)) {
        git_commit_free(head);
        return mirror_fail("read HEAD", err);
    }
    if ((data && git_blob_create_from_buffer(&blob_id, m->repo, data, len) != 0) ||
        mirror_tree_set(m->repo, base, rel, data ? &blob_id : NULL, &tree_id, &empty) != 0)
        rc = mirror_fail(rel, err);
    else
        rc = mirror_commit_tree(m, &tree_id, message, err);
    git_tree_free(base);
    git_commit_free(head);
    return rc;
}

int mirror_commit_worktree(mirror *m, const char *message, augur_err *err)
{
    git_index *idx;
    git_oid tree_id;
    int rc = AUGUR_OK;

    if (git_repository_is_bare(m->repo))
        return augur_err_set(err, AUGUR_EINVAL, "%s is a bare repository", m->gitdir);
    if (git_repository_index(&idx, m->repo) != 0)
        return mirror_fail("open the index", err);
    if (git_index_read(idx, 1) != 0 || git_index_add_all(idx, NULL, 0, NULL, NULL) != 0 ||
        git_index_update_all(idx, NULL, NULL, NULL) != 0 || git_index_write(idx) != 0 ||
        git_index_write_tree(&tree_id, idx) != 0)
        rc = mirror_fail("stage the work tree", err);
    if (rc == AUGUR_OK)
        rc = mirror_commit_tree(m, &tree_id, message, err);
    git_index_free(idx);
    return rc;
}

/* Commit the version in the current row of st: id, name, version, description, source. */
static int mirror_row(library *lib, sqlite3_stmt *st, augur_err *err)
{
    const char *name = (const char *)sqlite3_column_text(st, 1);
    const char *desc = (const char *)sqlite3_column_text(st, 3);
    char rel[256];
    buf msg = BUF_INIT;
    int rc;

    mirror_path(name, rel, sizeof rel);
    buf_printf(&msg, "%s v%d: %s\n", name, sqlite3_column_int(st, 2), desc);
    if (msg.oom)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    rc = mirror_commit(lib->mirror, rel, (const char *)sqlite3_column_text(st, 4),
                       (size_t)sqlite3_column_bytes(st, 4), buf_str(&msg), err);
    buf_free(&msg);
    return rc;
}

static int mirror_mark(library *lib, int64_t id, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "UPDATE action SET mirrored = 1 WHERE id = ?1", &st, err);

    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = lib_sqlite_fail(lib, "mark mirrored", err);
    sqlite3_finalize(st);
    return rc;
}

/* One transaction per version, so that a crash loses at most the mark of the version
** being committed, which the next sync finds already in the tree. */
int mirror_sync(library *lib, augur_err *err)
{
    sqlite3_stmt *st;
    int rc, step;

    for (;;) {
        if ((rc = lib_begin(lib, err)))
            return rc;
        if ((rc = lib_prepare(lib, "SELECT id, name, version, description, source FROM action"
                                   " WHERE mirrored = 0 ORDER BY id LIMIT 1", &st, err))) {
            lib_rollback(lib);
            return rc;
        }
        if ((step = sqlite3_step(st)) == SQLITE_ROW &&
            (rc = mirror_row(lib, st, err)) == AUGUR_OK)
            rc = mirror_mark(lib, sqlite3_column_int64(st, 0), err);
        else if (step != SQLITE_ROW && step != SQLITE_DONE)
            rc = lib_sqlite_fail(lib, "read unmirrored versions", err);
        sqlite3_finalize(st);
        if (rc != AUGUR_OK) {
            lib_rollback(lib);
            return rc;
        }
        if ((rc = lib_commit(lib, err)) || step == SQLITE_DONE)
            return rc;
    }
}
