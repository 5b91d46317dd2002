/* docs.c — host.docs: full-text search over the text files of a folder of the workspace,
** indexed into SQLite FTS5, on which the builtin action search_text is written.
**
** The index is a SQLite file of its own, outside the workspace (the CLI keeps it beside
** the library), so an action with host.fs cannot edit it and it never indexes itself;
** rows are keyed by the workspace's resolved path, so one file serves any workspace.
** Before each search the folder is walked: files whose size or modification time
** changed are indexed again, files gone (or grown too large, or binary) are dropped. */
#include "actions/private.h"
#include "base/db.h"
#include "base/file.h"
#include "base/time.h"
#include "sandbox/caps.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    DOCS_FILE_MAX = 1 << 20, DOCS_FILES_MAX = 10000, DOCS_DEPTH_MAX = 16, DOCS_K_MAX = 100,
    DOCS_WORDS_MAX = 32, DOCS_SNIFF = 8192, DOCS_BUSY_MS = 5000
};

typedef struct docs_root {
    int   fd;       /* the workspace, O_PATH */
    char *root;     /* its resolved path: the rows' key */
    char *index;    /* the SQLite file */
} docs_root;

/* One refresh of the index: the statements it repeats, and its generation (every row
** seen in this walk is marked with it; the rest of the folder's rows are dropped). */
typedef struct docs_walk {
    sqlite3            *db;
    const docs_root    *r;
    const sandbox_call *call;
    int64_t             gen;
    size_t              files;
    sqlite3_stmt       *find, *mark, *add, *update, *text_del, *text_add;
    augur_err          *err;
} docs_walk;

static void docs_root_free(void *ud)
{
    docs_root *r = ud;

    if (r->fd >= 0)
        close(r->fd);
    free(r->root);
    free(r->index);
    free(r);
}

static int docs_fail(sqlite3 *db, const char *what, augur_err *err)
{
    return augur_err_set(err, AUGUR_EIO, "host.docs: %s: %s", what, sqlite3_errmsg(db));
}

static int docs_open_db(const docs_root *r, sqlite3 **db, augur_err *err)
{
    static const char schema[] =
        "CREATE TABLE IF NOT EXISTS doc(id INTEGER PRIMARY KEY, root TEXT NOT NULL,"
        "  path TEXT NOT NULL, size INTEGER NOT NULL, mtime INTEGER NOT NULL,"
        "  gen INTEGER NOT NULL, UNIQUE(root, path));"
        "CREATE VIRTUAL TABLE IF NOT EXISTS doc_fts USING fts5(body,"
        "  tokenize = 'porter unicode61');";

    if (sqlite3_open_v2(r->index, db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        int rc = docs_fail(*db, r->index, err);
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    if (db_wal(*db, DOCS_BUSY_MS) != SQLITE_OK ||
        sqlite3_exec(*db, schema, NULL, NULL, NULL) != SQLITE_OK) {
        int rc = docs_fail(*db, r->index, err);
        sqlite3_close(*db);
        *db = NULL;
        return rc;
    }
    return AUGUR_OK;
}

static int docs_step(docs_walk *w, sqlite3_stmt *st, const char *what)
{
    int s = sqlite3_step(st);

    sqlite3_reset(st);
    return s == SQLITE_DONE ? AUGUR_OK : docs_fail(w->db, what, w->err);
}

/* The text of a file to index, or NULL (and AUGUR_OK) when it is binary or unreadable. */
static int docs_read(int dfd, const char *name, char **text, size_t *len, augur_err *err)
{
    int fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), rc;

    *text = NULL;
    if (fd < 0)
        return AUGUR_OK;
    rc = file_read_fd(fd, name, DOCS_FILE_MAX, text, len, err);
    close(fd);
    if (rc == AUGUR_ENOMEM)
        return rc;
    if (rc != AUGUR_OK || memchr(*text, '\0', *len < DOCS_SNIFF ? *len : DOCS_SNIFF)) {
        free(*text);
        *text = NULL;
    }
    return AUGUR_OK;
}

/* Index the file rel (name in dfd) unless the index already holds this size and time. */
static int docs_file(docs_walk *w, int dfd, const char *name, const char *rel,
                     const struct stat *st)
{
    int64_t mtime = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec, id = 0;
    char *text;
    size_t len;
    int rc, same = 0;

    if (++w->files > DOCS_FILES_MAX)
        return augur_err_set(w->err, AUGUR_ELIMIT, "host.docs: the folder holds more than %d "
                             "files", DOCS_FILES_MAX);
    if (st->st_size > DOCS_FILE_MAX)
        return AUGUR_OK;
    sqlite3_bind_text(w->find, 2, rel, -1, SQLITE_TRANSIENT);
    if (sqlite3_step(w->find) == SQLITE_ROW) {
        id = sqlite3_column_int64(w->find, 0);
        same = sqlite3_column_int64(w->find, 1) == st->st_size &&
               sqlite3_column_int64(w->find, 2) == mtime;
    }
    sqlite3_reset(w->find);
    if (same) {
        sqlite3_bind_int64(w->mark, 2, id);
        return docs_step(w, w->mark, "mark");
    }
    if ((rc = docs_read(dfd, name, &text, &len, w->err)) != AUGUR_OK || !text)
        return rc;
    if (id) {
        sqlite3_bind_int64(w->update, 1, st->st_size);
        sqlite3_bind_int64(w->update, 2, mtime);
        sqlite3_bind_int64(w->update, 4, id);
        sqlite3_bind_int64(w->text_del, 1, id);
        if ((rc = docs_step(w, w->update, rel)) == AUGUR_OK)
            rc = docs_step(w, w->text_del, rel);
    } else {
        sqlite3_bind_int64(w->add, 1, st->st_size);
        sqlite3_bind_int64(w->add, 2, mtime);
        sqlite3_bind_text(w->add, 4, rel, -1, SQLITE_TRANSIENT);
        if ((rc = docs_step(w, w->add, rel)) == AUGUR_OK)
            id = sqlite3_last_insert_rowid(w->db);
    }
    if (rc == AUGUR_OK) {
        sqlite3_bind_int64(w->text_add, 1, id);
        sqlite3_bind_text(w->text_add, 2, text, (int)len, SQLITE_STATIC);
        rc = docs_step(w, w->text_add, rel);
    }
    free(text);
    return rc;
}

/* Walk the folder open at dfd (rel under the workspace): hidden names and symlinks are
** passed over, so nothing outside the folder is read. */
static int docs_dir(docs_walk *w, int dfd, buf *rel, int depth)
{
    DIR *d = fdopendir(dfd);
    struct dirent *e;
    size_t at = rel->len;
    int rc = AUGUR_OK;

    if (!d) {
        close(dfd);
        return AUGUR_OK;
    }
    while (rc == AUGUR_OK && (e = readdir(d))) {
        struct stat st;
        if (e->d_name[0] == '.' || fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
            continue;
        if (time_mono_ns() > w->call->deadline_ns)
            rc = augur_err_set(w->err, AUGUR_ELIMIT, "host.docs: past the deadline");
        else if (buf_printf(rel, "%s%s", at ? "/" : "", e->d_name) != AUGUR_OK)
            rc = augur_err_set(w->err, AUGUR_ENOMEM, "out of memory");
        else if (S_ISREG(st.st_mode))
            rc = docs_file(w, dirfd(d), e->d_name, buf_str(rel), &st);
        else if (S_ISDIR(st.st_mode) && depth < DOCS_DEPTH_MAX) {
            int fd = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd >= 0)
                rc = docs_dir(w, fd, rel, depth + 1);
        }
        rel->len = at;
        if (rel->data)
            rel->data[at] = '\0';
    }
    closedir(d);
    return rc;
}

/* The folder's rows not seen in this walk. */
#define DOCS_IN_FOLDER "root = ?1 AND (?3 = '.' OR path = ?3 OR substr(path, 1, length(?3) + 1) = ?3 || '/')"

static int docs_prepare(docs_walk *w)
{
    static const char *const sql[] = {
        "SELECT id, size, mtime FROM doc WHERE root = ?1 AND path = ?2",
        "UPDATE doc SET gen = ?1 WHERE id = ?2",
        "INSERT INTO doc(size, mtime, gen, path, root) VALUES(?1, ?2, ?3, ?4, ?5)",
        "UPDATE doc SET size = ?1, mtime = ?2, gen = ?3 WHERE id = ?4",
        "DELETE FROM doc_fts WHERE rowid = ?1",
        "INSERT INTO doc_fts(rowid, body) VALUES(?1, ?2)",
    };
    sqlite3_stmt **st[] = { &w->find, &w->mark, &w->add, &w->update, &w->text_del, &w->text_add };

    for (size_t i = 0; i < sizeof sql / sizeof *sql; i++)
        if (sqlite3_prepare_v2(w->db, sql[i], -1, st[i], NULL) != SQLITE_OK)
            return docs_fail(w->db, "prepare", w->err);
    sqlite3_bind_text(w->find, 1, w->r->root, -1, SQLITE_STATIC);
    sqlite3_bind_int64(w->mark, 1, w->gen);
    sqlite3_bind_int64(w->add, 3, w->gen);
    sqlite3_bind_text(w->add, 5, w->r->root, -1, SQLITE_STATIC);
    sqlite3_bind_int64(w->update, 3, w->gen);
    return AUGUR_OK;
}

static void docs_finalize(docs_walk *w)
{
    sqlite3_finalize(w->find);
    sqlite3_finalize(w->mark);
    sqlite3_finalize(w->add);
    sqlite3_finalize(w->update);
    sqlite3_finalize(w->text_del);
    sqlite3_finalize(w->text_add);
}

static int docs_sweep(docs_walk *w, const char *folder)
{
    static const char *const sql[] = {
        "DELETE FROM doc_fts WHERE rowid IN (SELECT id FROM doc WHERE " DOCS_IN_FOLDER
        " AND gen <> ?2)",
        "DELETE FROM doc WHERE " DOCS_IN_FOLDER " AND gen <> ?2",
    };

    for (size_t i = 0; i < 2; i++) {
        sqlite3_stmt *st;
        int rc;
        if (sqlite3_prepare_v2(w->db, sql[i], -1, &st, NULL) != SQLITE_OK)
            return docs_fail(w->db, "sweep", w->err);
        sqlite3_bind_text(st, 1, w->r->root, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, w->gen);
        sqlite3_bind_text(st, 3, folder, -1, SQLITE_STATIC);
        rc = docs_step(w, st, "sweep");
        sqlite3_finalize(st);
        if (rc != AUGUR_OK)
            return rc;
    }
    return AUGUR_OK;
}

/* Bring the index of folder (open at fd, which this takes) up to date, in one
** transaction. */
static int docs_refresh(docs_walk *w, const char *folder, int fd)
{
    sqlite3_stmt *st;
    buf rel = BUF_INIT;
    int rc;

    if (sqlite3_exec(w->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        close(fd);
        return docs_fail(w->db, "begin", w->err);
    }
    if (sqlite3_prepare_v2(w->db, "SELECT coalesce(max(gen), 0) + 1 FROM doc", -1, &st, NULL) !=
        SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
        sqlite3_finalize(st);
        close(fd);
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
        return docs_fail(w->db, "generation", w->err);
    }
    w->gen = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (strcmp(folder, ".") != 0)
        buf_puts(&rel, folder);
    if ((rc = docs_prepare(w)) != AUGUR_OK)
        close(fd);
    else if ((rc = docs_dir(w, fd, &rel, 0)) == AUGUR_OK)
        rc = docs_sweep(w, folder);
    docs_finalize(w);
    buf_free(&rel);
    if (rc == AUGUR_OK && sqlite3_exec(w->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = docs_fail(w->db, "commit", w->err);
    if (rc != AUGUR_OK)
        sqlite3_exec(w->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}

static int docs_hit(sqlite3_stmt *st, sandbox_value *hits)
{
    sandbox_value *h = sandbox_value_new(SANDBOX_OBJECT);
    const char *path = (const char *)sqlite3_column_text(st, 0);
    const char *snip = (const char *)sqlite3_column_text(st, 2);

    if (!h || sandbox_value_push(h, "path", 4, sandbox_value_string(path, strlen(path))) ||
        sandbox_value_push(h, "score", 5, sandbox_value_float(sqlite3_column_double(st, 1))) ||
        sandbox_value_push(h, "snippet", 7, sandbox_value_string(snip ? snip : "",
                                                                 snip ? strlen(snip) : 0)) ||
        sandbox_value_push(hits, NULL, 0, h))
        return -1;
    return 0;
}

/* The k best files of folder for the words of query, best first. */
static int docs_query(sqlite3 *db, const docs_root *r, const char *query, const char *folder,
                      int64_t k, sandbox_value *hits, augur_err *err)
{
    search_word words[DOCS_WORDS_MAX];
    size_t n = search_split(query, words, DOCS_WORDS_MAX);
    buf q = BUF_INIT;
    sqlite3_stmt *st;
    int rc = AUGUR_OK, s;

    if (n == 0)
        return AUGUR_OK;
    if (search_fts_query(words, n, &q) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (sqlite3_prepare_v2(db,
            "SELECT d.path, -bm25(doc_fts), snippet(doc_fts, 0, '[', ']', '...', 16)"
            " FROM doc_fts JOIN doc d ON d.id = doc_fts.rowid"
            " WHERE doc_fts MATCH ?2 AND d." DOCS_IN_FOLDER
            " ORDER BY bm25(doc_fts) LIMIT ?4", -1, &st, NULL) != SQLITE_OK) {
        buf_free(&q);
        return docs_fail(db, "search", err);
    }
    sqlite3_bind_text(st, 1, r->root, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, buf_str(&q), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, folder, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, k);
    while (rc == AUGUR_OK && (s = sqlite3_step(st)) == SQLITE_ROW)
        if (docs_hit(st, hits))
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (rc == AUGUR_OK && s != SQLITE_DONE)
        rc = docs_fail(db, "search", err);
    sqlite3_finalize(st);
    buf_free(&q);
    return rc;
}

static const char *docs_arg(const sandbox_call *call, size_t i, const char *dflt)
{
    const sandbox_value *v = i < call->args->n ? call->args->items[i] : NULL;

    if (!v || v->type == SANDBOX_NIL)
        return dflt;
    return v->type == SANDBOX_STRING && !memchr(v->str, '\0', v->len) ? v->str : NULL;
}

/* host.docs.search(query [, folder [, k]]) → {{path, score, snippet}, ...} */
static int docs_search(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const docs_root *r = call->ud;
    const char *query = docs_arg(call, 0, NULL), *arg = docs_arg(call, 1, ".");
    const sandbox_value *kv = call->args->n > 2 ? call->args->items[2] : NULL;
    int64_t k = kv && kv->type == SANDBOX_INT ? kv->integer : 10;
    docs_walk w = { 0 };
    char folder[PATH_MAX];
    size_t len;
    int fd, rc;

    if (!query)
        return augur_err_set(err, AUGUR_EINVAL, "argument 1: the query must be a string");
    if (!arg || (len = strlen(arg)) >= sizeof folder)
        return augur_err_set(err, AUGUR_EINVAL, "argument 2: a folder of the workspace");
    /* "docs/" and "docs" are one folder, whose files are "docs/NAME" */
    while (len > 1 && arg[len - 1] == '/')
        len--;
    snprintf(folder, sizeof folder, "%.*s", (int)len, arg);
    if ((kv && kv->type != SANDBOX_INT && kv->type != SANDBOX_NIL) || k < 1 || k > DOCS_K_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "argument 3: from 1 to %d hits", DOCS_K_MAX);
    if ((rc = sandbox_fs_open(r->fd, folder, strlen(folder), O_RDONLY | O_DIRECTORY, &fd, err)))
        return rc;
    w.r = r;
    w.call = call;
    w.err = err;
    if ((rc = docs_open_db(r, &w.db, err)) != AUGUR_OK) {
        close(fd);
        return rc;
    }
    if ((rc = docs_refresh(&w, folder, fd)) == AUGUR_OK) {
        if (!(*ret = sandbox_value_new(SANDBOX_ARRAY)))
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        else if ((rc = docs_query(w.db, r, query, folder, k, *ret, err)) != AUGUR_OK) {
            sandbox_value_free(*ret);
            *ret = NULL;
        }
    }
    sqlite3_close(w.db);
    return rc;
}

int library_docs_add(sandbox *sb, const char *root, const char *index, augur_err *err)
{
    static const sandbox_fn fns[] = { { "search", docs_search }, { NULL, NULL } };
    docs_root *r = calloc(1, sizeof *r);
    char real[PATH_MAX];

    if (!r)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    r->fd = -1;
    if (!realpath(root, real) || (r->fd = open(real, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0) {
        docs_root_free(r);
        return augur_err_set(err, AUGUR_EINVAL, "host.docs: %s: no such folder", root);
    }
    if (!(r->root = strdup(real)) || !(r->index = strdup(index))) {
        docs_root_free(r);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    return sandbox_capability_add(sb, "docs", fns, r, docs_root_free, err);
}
