/*
** private.h — what the files of actions/ share and nothing outside it uses.
*/
#ifndef AUGUR_ACTIONS_PRIVATE_H
#define AUGUR_ACTIONS_PRIVATE_H

#include <sqlite3.h>

#include "actions/library.h"
#include "base/buf.h"

typedef struct mirror mirror;

struct library {
    sqlite3 *db;
    char    *path;
    sandbox *sb;            /* validates sources */
    int      own_sb;
    int64_t  max_source;
    mirror  *mirror;        /* NULL: none */
    /* Embeddings of the latest versions, normalised, as of data_version, with their
    ** signs as bits (a first pass over many is made on those). */
    float   *vecs;
    uint64_t *vec_bits;
    int64_t *vec_ids;
    size_t   nvecs;
    int      vec_dim;
    int64_t  vec_version;
};

/* SQL with no result rows; "what: message" in err on failure. */
int lib_exec(library *lib, const char *sql, const char *what, augur_err *err);
int lib_prepare(library *lib, const char *sql, sqlite3_stmt **st, augur_err *err);
int lib_sqlite_fail(library *lib, const char *what, augur_err *err);

/* BEGIN IMMEDIATE (waiting for other writers up to the busy timeout), COMMIT, ROLLBACK. */
int  lib_begin(library *lib, augur_err *err);
int  lib_commit(library *lib, augur_err *err);
void lib_rollback(library *lib);

/* Check src (size, NUL bytes, LDoc header, then a run in the sandbox) and fill doc. */
int validate_source(library *lib, const char *src, size_t len, const char *file, ldoc *doc,
                    augur_err *err);

/* libgit2's set-up, counted: on when a library opens, off when it closes. */
void mirror_global(int on);

/* The git blob id of data, as 40 hex digits. */
int mirror_hash(const char *data, size_t len, char out[41], augur_err *err);

/* The file an action lives in, under a mirror or an export: actions/co/count_csv_rows.lua. */
void mirror_path(const char *name, char *out, size_t size);

/* The git repository at path, made when missing (bare, or with a work tree). */
int  mirror_open(mirror **out, const char *path, int bare, augur_err *err);
void mirror_close(mirror *m);

/* Set rel to data in a new commit on HEAD, or remove it (data NULL), with message;
** no commit when nothing changed. Only the trees on rel's path are written; the work
** tree and the index, if any, are left alone. A library's callers hold its write lock. */
int mirror_commit(mirror *m, const char *rel, const char *data, size_t len, const char *message,
                  augur_err *err);

/* Commit the whole work tree as it is (new, changed and removed files). */
int mirror_commit_worktree(mirror *m, const char *message, augur_err *err);

/* Commit every version not yet in the mirror, oldest first, and mark it. */
int mirror_sync(library *lib, augur_err *err);

/* The builtin actions' sources, ended by NULL. */
extern const char *const builtin_sources[];

/* A word of a query and how many indexed rows hold it. */
typedef struct search_word {
    const char *s;
    int         len;
    int64_t     df;
} search_word;

/* The query's words (runs of letters and digits, as FTS5's tokenizer splits them). */
size_t search_split(const char *query, search_word *w, size_t max);

/* words[0..n) as an FTS5 query, "w1" OR "w2" ...: no operator of the user's reaches
** FTS5, so any text is a valid query. */
int search_fts_query(const search_word *w, size_t n, buf *out);

/* The embedding cache is stale when the file changed since it was read. */
void search_cache_drop(library *lib);

#endif
