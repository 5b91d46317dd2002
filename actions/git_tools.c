/* git_tools.c — host.git: read-only views of the git repositories under a root folder
** (libgit2), on which the builtin actions git_log, git_show, git_grep and git_blame are
** written. Nothing here writes to a repository. */
#include "actions/private.h"
#include "base/time.h"

#include <git2.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { GIT_LOG_MAX = 1000, GIT_GREP_MAX = 200, GIT_BLOB_MAX = 4 << 20 };

typedef struct git_root {
    char *root;     /* resolved */
} git_root;

static void git_root_free(void *ud)
{
    git_root *r = ud;

    free(r->root);
    free(r);
    mirror_global(0);
}

static int git_fail(const char *what, augur_err *err)
{
    const git_error *e = git_error_last();

    return augur_err_set(err, AUGUR_EINVAL, "%s: %s", what, e ? e->message : "failed");
}

static const char *git_arg_str(const sandbox_call *call, size_t i)
{
    const sandbox_value *v = i < call->args->n ? call->args->items[i] : NULL;

    return v && v->type == SANDBOX_STRING && !memchr(v->str, '\0', v->len) ? v->str : NULL;
}

/* The repository at the relative path repo under the root, which it may not leave. */
static int git_open(const sandbox_call *call, git_repository **repo, augur_err *err)
{
    const git_root *r = call->ud;
    const char *rel = git_arg_str(call, 0);
    char path[PATH_MAX], real[PATH_MAX];
    size_t n = strlen(r->root);

    if (!rel || rel[0] == '/')
        return augur_err_set(err, AUGUR_EINVAL, "argument 1: a repository's path relative to "
                             "the workspace");
    snprintf(path, sizeof path, "%s/%s", r->root, rel);
    if (!realpath(path, real) || strncmp(real, r->root, n) != 0 ||
        (real[n] != '\0' && real[n] != '/'))
        return augur_err_set(err, AUGUR_EDENIED, "%s: not a folder of the workspace", rel);
    if (git_repository_open_ext(repo, real, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) != 0)
        return git_fail(rel, err);
    return AUGUR_OK;
}

static int git_push_str(sandbox_value *obj, const char *key, const char *s)
{
    return sandbox_value_push(obj, key, key ? strlen(key) : 0, sandbox_value_string(s, strlen(s)));
}

static int git_push_int(sandbox_value *obj, const char *key, int64_t i)
{
    return sandbox_value_push(obj, key, strlen(key), sandbox_value_int(i));
}

/* {id, author, time, summary} of a commit. */
static sandbox_value *git_commit_value(const git_commit *c)
{
    sandbox_value *v = sandbox_value_new(SANDBOX_OBJECT);
    char id[GIT_OID_HEXSZ + 1];
    const char *summary = git_commit_summary((git_commit *)c);

    git_oid_tostr(id, sizeof id, git_commit_id(c));
    if (!v || git_push_str(v, "id", id) || git_push_str(v, "author", git_commit_author(c)->name) ||
        git_push_int(v, "time", git_commit_time(c)) ||
        git_push_str(v, "summary", summary ? summary : "") ||
        git_push_str(v, "message", git_commit_message(c))) {
        sandbox_value_free(v);
        return NULL;
    }
    return v;
}

static int git_log(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const sandbox_value *nv = call->args->n > 1 ? call->args->items[1] : NULL;
    int64_t max = nv && nv->type == SANDBOX_INT ? nv->integer : 20;
    git_repository *repo;
    git_revwalk *walk = NULL;
    git_oid oid;
    int rc;

    if (max < 1 || max > GIT_LOG_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "argument 2: from 1 to %d commits", GIT_LOG_MAX);
    if ((rc = git_open(call, &repo, err)))
        return rc;
    if (git_revwalk_new(&walk, repo) != 0 || git_revwalk_push_head(walk) != 0)
        rc = git_fail("log", err);
    else if (!(*ret = sandbox_value_new(SANDBOX_ARRAY)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (int64_t i = 0; rc == AUGUR_OK && i < max && git_revwalk_next(&oid, walk) == 0; i++) {
        git_commit *c;
        if (time_mono_ns() > call->deadline_ns)
            rc = augur_err_set(err, AUGUR_ELIMIT, "log: past the deadline");
        else if (git_commit_lookup(&c, repo, &oid) != 0)
            rc = git_fail("log", err);
        else {
            if (sandbox_value_push(*ret, NULL, 0, git_commit_value(c)))
                rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
            git_commit_free(c);
        }
    }
    git_revwalk_free(walk);
    git_repository_free(repo);
    if (rc != AUGUR_OK) {
        sandbox_value_free(*ret);
        *ret = NULL;
    }
    return rc;
}

/* The object a revision (argument 2, default HEAD) names, peeled to a commit. */
static int git_rev(const sandbox_call *call, git_repository *repo, git_commit **c, augur_err *err)
{
    const char *rev = call->args->n > 1 ? git_arg_str(call, 1) : "HEAD";
    git_object *obj;

    if (!rev)
        return augur_err_set(err, AUGUR_EINVAL, "argument 2: a revision (\"HEAD\", an id, ...)");
    if (git_revparse_single(&obj, repo, rev) != 0)
        return git_fail(rev, err);
    if (git_object_peel((git_object **)c, obj, GIT_OBJECT_COMMIT) != 0) {
        git_object_free(obj);
        return git_fail(rev, err);
    }
    git_object_free(obj);
    return AUGUR_OK;
}

/* A file's text at a commit. */
static int git_file(git_repository *repo, git_commit *c, const char *path, sandbox_value **ret,
                    augur_err *err)
{
    git_tree *tree = NULL;
    git_tree_entry *e = NULL;
    git_blob *blob = NULL;
    int rc = AUGUR_OK;

    if (git_commit_tree(&tree, c) != 0 || git_tree_entry_bypath(&e, tree, path) != 0 ||
        git_blob_lookup(&blob, repo, git_tree_entry_id(e)) != 0)
        rc = git_fail(path, err);
    else if (git_blob_rawsize(blob) > GIT_BLOB_MAX)
        rc = augur_err_set(err, AUGUR_ELIMIT, "%s: larger than %d bytes", path, GIT_BLOB_MAX);
    else if (!(*ret = sandbox_value_string(git_blob_rawcontent(blob),
                                           (size_t)git_blob_rawsize(blob))))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    git_blob_free(blob);
    git_tree_entry_free(e);
    git_tree_free(tree);
    return rc;
}

static int git_show(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const char *path = call->args->n > 2 ? git_arg_str(call, 2) : NULL;
    git_repository *repo;
    git_commit *c = NULL;
    int rc;

    if ((rc = git_open(call, &repo, err)))
        return rc;
    if ((rc = git_rev(call, repo, &c, err)) == AUGUR_OK) {
        if (path)
            rc = git_file(repo, c, path, ret, err);
        else if (!(*ret = git_commit_value(c)))
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    git_commit_free(c);
    git_repository_free(repo);
    return rc;
}

typedef struct git_grep_state {
    git_repository      *repo;
    const char          *pattern;
    sandbox_value       *hits;
    const sandbox_call  *call;
    int                  rc;
    augur_err           *err;
} git_grep_state;

static int git_grep_blob(git_grep_state *g, const char *path, const git_blob *blob)
{
    const char *text = git_blob_rawcontent(blob), *end = text + git_blob_rawsize(blob);
    int line = 1;

    if (git_blob_is_binary(blob))
        return 0;
    for (const char *p = text; p < end && g->hits->n < GIT_GREP_MAX; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p)), *stop = nl ? nl : end;
        if (memmem(p, (size_t)(stop - p), g->pattern, strlen(g->pattern))) {
            sandbox_value *hit = sandbox_value_new(SANDBOX_OBJECT);
            if (!hit || git_push_str(hit, "path", path) || git_push_int(hit, "line", line) ||
                sandbox_value_push(hit, "text", 4, sandbox_value_string(p, (size_t)(stop - p))) ||
                sandbox_value_push(g->hits, NULL, 0, hit)) {
                g->rc = augur_err_set(g->err, AUGUR_ENOMEM, "out of memory");
                return -1;
            }
        }
        p = stop + 1;
    }
    return 0;
}

static int git_grep_walk(const char *root, const git_tree_entry *e, void *payload)
{
    git_grep_state *g = payload;
    char path[PATH_MAX];
    git_blob *blob;
    int stop;

    if (g->hits->n >= GIT_GREP_MAX || time_mono_ns() > g->call->deadline_ns)
        return -1;
    if (git_tree_entry_type(e) != GIT_OBJECT_BLOB)
        return 0;
    if (git_blob_lookup(&blob, g->repo, git_tree_entry_id(e)) != 0)
        return 0;
    snprintf(path, sizeof path, "%s%s", root, git_tree_entry_name(e));
    stop = git_blob_rawsize(blob) <= GIT_BLOB_MAX ? git_grep_blob(g, path, blob) : 0;
    git_blob_free(blob);
    return stop;
}

static int git_grep(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const char *pattern = git_arg_str(call, 1);
    git_grep_state g = { NULL, pattern, NULL, call, AUGUR_OK, err };
    git_object *obj = NULL;
    git_tree *tree = NULL;
    int rc;

    if (!pattern || !*pattern)
        return augur_err_set(err, AUGUR_EINVAL, "argument 2: the text to look for");
    if ((rc = git_open(call, &g.repo, err)))
        return rc;
    if (!(g.hits = sandbox_value_new(SANDBOX_ARRAY)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else if (git_revparse_single(&obj, g.repo, "HEAD^{tree}") != 0)
        rc = git_fail("grep", err);
    else {
        tree = (git_tree *)obj;
        git_tree_walk(tree, GIT_TREEWALK_PRE, git_grep_walk, &g);
        rc = g.rc;
    }
    git_object_free(obj);
    git_repository_free(g.repo);
    if (rc != AUGUR_OK) {
        sandbox_value_free(g.hits);
        return rc;
    }
    *ret = g.hits;
    return AUGUR_OK;
}

static int git_blame_lines(git_blame *b, sandbox_value *out)
{
    for (uint32_t i = 0; i < git_blame_get_hunk_count(b); i++) {
        const git_blame_hunk *h = git_blame_get_hunk_byindex(b, i);
        sandbox_value *v = sandbox_value_new(SANDBOX_OBJECT);
        char id[GIT_OID_HEXSZ + 1];
        git_oid_tostr(id, sizeof id, &h->final_commit_id);
        if (!v || git_push_int(v, "line", (int64_t)h->final_start_line_number) ||
            git_push_int(v, "lines", (int64_t)h->lines_in_hunk) || git_push_str(v, "id", id) ||
            git_push_str(v, "author", h->final_signature ? h->final_signature->name : "") ||
            sandbox_value_push(out, NULL, 0, v))
            return -1;
    }
    return 0;
}

static int git_blame_fn(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const char *path = git_arg_str(call, 1);
    git_repository *repo;
    git_blame *b = NULL;
    int rc;

    if (!path)
        return augur_err_set(err, AUGUR_EINVAL, "argument 2: a file's path in the repository");
    if ((rc = git_open(call, &repo, err)))
        return rc;
    if (git_blame_file(&b, repo, path, NULL) != 0)
        rc = git_fail(path, err);
    else if (!(*ret = sandbox_value_new(SANDBOX_ARRAY)) || git_blame_lines(b, *ret))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    git_blame_free(b);
    git_repository_free(repo);
    if (rc != AUGUR_OK) {
        sandbox_value_free(*ret);
        *ret = NULL;
    }
    return rc;
}

int library_git_add(sandbox *sb, const char *root, augur_err *err)
{
    static const sandbox_fn fns[] = {
        { "log", git_log }, { "show", git_show }, { "grep", git_grep }, { "blame", git_blame_fn },
        { NULL, NULL },
    };
    git_root *r = calloc(1, sizeof *r);
    char real[PATH_MAX];

    if (!r)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (!realpath(root, real) || !(r->root = strdup(real))) {
        free(r);
        return augur_err_set(err, AUGUR_EINVAL, "host.git: %s: no such folder", root);
    }
    mirror_global(1);
    return sandbox_capability_add(sb, "git", fns, r, git_root_free, err);
}
