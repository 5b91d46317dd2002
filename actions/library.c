/* library.c — the action library's SQLite store: schema, add, get, history, list, usage. */
#include "actions/private.h"
#include "base/db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

enum { LIBRARY_SOURCE_MAX = 65536, LIBRARY_BUSY_MS = 10000 };

static const char library_schema[] =
    "CREATE TABLE IF NOT EXISTS action("
    " id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,"
    " parent INTEGER NOT NULL, description TEXT NOT NULL,"
    " kind TEXT NOT NULL CHECK (kind IN ('reads', 'writes')),"
    " inputs TEXT NOT NULL, output TEXT NOT NULL, source TEXT NOT NULL, hash TEXT NOT NULL,"
    " origin TEXT NOT NULL CHECK (origin IN ('builtin', 'generated', 'user')),"
    " created INTEGER NOT NULL, mirrored INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE (name, version));"
    "CREATE INDEX IF NOT EXISTS action_unmirrored ON action(mirrored) WHERE mirrored = 0;"
    "CREATE TABLE IF NOT EXISTS head("
    " name TEXT PRIMARY KEY, id INTEGER NOT NULL, deprecated INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS usage("
    " id INTEGER PRIMARY KEY, action INTEGER NOT NULL, task TEXT, ok INTEGER NOT NULL,"
    " error_kind TEXT, error TEXT, duration_ms REAL NOT NULL, at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS usage_action ON usage(action);"
    "CREATE TABLE IF NOT EXISTS embedding("
    " action INTEGER PRIMARY KEY, dim INTEGER NOT NULL, vec BLOB NOT NULL);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS action_fts USING fts5("
    " name, description, source, content = 'action', content_rowid = 'id');";

/* The columns library_row reads, in order, from action a joined with head h. */
#define LIBRARY_COLUMNS \
    "a.id, a.name, a.version, a.parent, a.origin, a.created, a.hash, a.source, " \
    "coalesce(h.deprecated, 0), " \
    "(SELECT count(*) FROM usage u WHERE u.action IN " \
    "  (SELECT id FROM action WHERE name = a.name)), " \
    "(SELECT count(*) FROM usage u WHERE u.ok AND u.action IN " \
    "  (SELECT id FROM action WHERE name = a.name)), " \
    "(SELECT coalesce(u.error_kind, '') || ': ' || coalesce(u.error, '') FROM usage u " \
    "  WHERE NOT u.ok AND u.action IN (SELECT id FROM action WHERE name = a.name) " \
    "  ORDER BY u.id DESC LIMIT 1)"

const char *action_origin_name(action_origin origin)
{
    static const char *const names[] = { "builtin", "generated", "user" };
    return (unsigned)origin < 3 ? names[origin] : "user";
}

int action_origin_parse(const char *name)
{
    for (int i = 0; i < 3; i++)
        if (strcmp(name, action_origin_name((action_origin)i)) == 0)
            return i;
    return -1;
}

void action_free(action *a)
{
    if (!a)
        return;
    free(a->source);
    free(a->last_error);
    a->source = a->last_error = NULL;
}

void actions_free(action *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        action_free(&a[i]);
    free(a);
}

int lib_sqlite_fail(library *lib, const char *what, augur_err *err)
{
    int code = sqlite3_errcode(lib->db);
    int rc = code == SQLITE_NOMEM ? AUGUR_ENOMEM
           : code == SQLITE_BUSY || code == SQLITE_LOCKED ? AUGUR_ESTATE : AUGUR_EIO;

    return augur_err_set(err, rc, "%s: %s: %s", lib->path, what, sqlite3_errmsg(lib->db));
}

int lib_exec(library *lib, const char *sql, const char *what, augur_err *err)
{
    if (sqlite3_exec(lib->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return lib_sqlite_fail(lib, what, err);
    return AUGUR_OK;
}

int lib_prepare(library *lib, const char *sql, sqlite3_stmt **st, augur_err *err)
{
    if (sqlite3_prepare_v2(lib->db, sql, -1, st, NULL) != SQLITE_OK)
        return lib_sqlite_fail(lib, "prepare", err);
    return AUGUR_OK;
}

int lib_begin(library *lib, augur_err *err)
{
    return lib_exec(lib, "BEGIN IMMEDIATE", "begin a write", err);
}

int lib_commit(library *lib, augur_err *err)
{
    int rc = lib_exec(lib, "COMMIT", "commit", err);

    if (rc != AUGUR_OK)
        lib_rollback(lib);
    return rc;
}

void lib_rollback(library *lib)
{
    if (!sqlite3_get_autocommit(lib->db))
        sqlite3_exec(lib->db, "ROLLBACK", NULL, NULL, NULL);
}

static int64_t library_now_ms(void)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

/* ---- opening ---------------------------------------------------------------------- */

static int library_sandbox(library *lib, const library_options *opt, augur_err *err)
{
    sandbox_config cfg = {
        { 10000000, 16 << 20, 2000, 4096, 1 << 20 }, SANDBOX_INPROC, 1, 100, 60, 64 << 20,
    };

    if (opt && opt->sandbox) {
        lib->sb = opt->sandbox;
        return AUGUR_OK;
    }
    lib->own_sb = 1;
    return sandbox_new(&lib->sb, &cfg, err);
}

static int library_add_builtins(library *lib, augur_err *err)
{
    for (const char *const *s = builtin_sources; *s; s++) {
        int rc = library_add(lib, *s, strlen(*s), "builtin", ACTION_BUILTIN, NULL, err);
        if (rc != AUGUR_OK)
            return rc;
    }
    return AUGUR_OK;
}

static int library_wal(library *lib, int busy_ms, augur_err *err)
{
    return db_wal(lib->db, busy_ms) == SQLITE_OK ? AUGUR_OK
                                                 : lib_sqlite_fail(lib, "set WAL mode", err);
}

int library_open(library **out, const char *path, const library_options *opt, augur_err *err)
{
    library *lib = calloc(1, sizeof *lib);
    int rc;

    *out = NULL;
    if (!lib || !(lib->path = strdup(path))) {
        free(lib);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    mirror_global(1);
    lib->max_source = opt && opt->max_source > 0 ? opt->max_source : LIBRARY_SOURCE_MAX;
    if (sqlite3_open_v2(path, &lib->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = lib_sqlite_fail(lib, "open", err);
        library_close(lib);
        return rc;
    }
    if ((rc = library_wal(lib, opt && opt->busy_ms > 0 ? opt->busy_ms : LIBRARY_BUSY_MS, err)) ||
        (rc = lib_exec(lib, "PRAGMA synchronous = NORMAL", "set synchronous", err)) ||
        (rc = lib_begin(lib, err)) ||
        (rc = lib_exec(lib, library_schema, "create the schema", err)) ||
        (rc = lib_commit(lib, err)) ||
        (rc = lib_exec(lib, "CREATE VIRTUAL TABLE temp.action_vocab USING"
                            " fts5vocab(main, action_fts, 'row')", "open the vocabulary", err)) ||
        (rc = library_sandbox(lib, opt, err))) {
        library_close(lib);
        return rc;
    }
    /* Under the write lock, so that processes opening a new library at once make
    ** one repository between them. */
    if (opt && opt->mirror &&
        ((rc = lib_begin(lib, err)) || (rc = mirror_open(&lib->mirror, opt->mirror, 1, err)) ||
         (rc = lib_commit(lib, err)))) {
        lib_rollback(lib);
        library_close(lib);
        return rc;
    }
    if ((opt && opt->builtins && (rc = library_add_builtins(lib, err))) ||
        (lib->mirror && (rc = mirror_sync(lib, err)))) {
        library_close(lib);
        return rc;
    }
    *out = lib;
    return AUGUR_OK;
}

void library_close(library *lib)
{
    if (!lib)
        return;
    sqlite3_close_v2(lib->db);
    if (lib->own_sb)
        sandbox_free(lib->sb);
    mirror_close(lib->mirror);
    search_cache_drop(lib);
    free(lib->path);
    free(lib);
    mirror_global(0);
}

/* ---- reading ------------------------------------------------------------------------ */

static char *library_strdup(const unsigned char *s)
{
    return strdup(s ? (const char *)s : "");
}

/* One row of LIBRARY_COLUMNS into a; the LDoc fields come from the source. */
static int library_row(sqlite3_stmt *st, action *a, augur_err *err)
{
    const unsigned char *last = sqlite3_column_text(st, 11);

    memset(a, 0, sizeof *a);
    a->id = sqlite3_column_int64(st, 0);
    a->version = sqlite3_column_int(st, 2);
    a->parent = sqlite3_column_int(st, 3);
    a->origin = (action_origin)action_origin_parse((const char *)sqlite3_column_text(st, 4));
    a->created_ms = sqlite3_column_int64(st, 5);
    snprintf(a->hash, sizeof a->hash, "%s", (const char *)sqlite3_column_text(st, 6));
    a->deprecated = sqlite3_column_int(st, 8);
    a->uses = sqlite3_column_int64(st, 9);
    a->successes = sqlite3_column_int64(st, 10);
    a->len = (size_t)sqlite3_column_bytes(st, 7);
    if (!(a->source = library_strdup(sqlite3_column_text(st, 7))) ||
        (last && !(a->last_error = library_strdup(last)))) {
        action_free(a);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    if (ldoc_parse(a->source, a->len, (const char *)sqlite3_column_text(st, 1), &a->doc, err)) {
        action_free(a);
        return AUGUR_EINVAL;
    }
    return AUGUR_OK;
}

/* Every row of a prepared query of LIBRARY_COLUMNS (finalised here). */
static int library_rows(library *lib, sqlite3_stmt *st, action **out, size_t *n, augur_err *err)
{
    action *v = NULL;
    size_t cap = 0;
    int rc = AUGUR_OK, step;

    *out = NULL;
    *n = 0;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            action *grown = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof *v);
            if (!grown) {
                rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
                break;
            }
            v = grown;
        }
        if ((rc = library_row(st, &v[*n], err)) != AUGUR_OK)
            break;
        (*n)++;
    }
    if (rc == AUGUR_OK && step != SQLITE_DONE)
        rc = lib_sqlite_fail(lib, "read actions", err);
    sqlite3_finalize(st);
    if (rc != AUGUR_OK) {
        actions_free(v, *n);
        *n = 0;
        return rc;
    }
    *out = v;
    return AUGUR_OK;
}

int library_get(library *lib, const char *name, int version, action *out, augur_err *err)
{
    sqlite3_stmt *st;
    action *v;
    size_t n;
    int rc;

    rc = lib_prepare(lib, version > 0
        ? "SELECT " LIBRARY_COLUMNS " FROM action a LEFT JOIN head h ON h.name = a.name"
          " WHERE a.name = ?1 AND a.version = ?2"
        : "SELECT " LIBRARY_COLUMNS " FROM head h JOIN action a ON a.id = h.id"
          " WHERE h.name = ?1", &st, err);
    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, version);
    if ((rc = library_rows(lib, st, &v, &n, err)) != AUGUR_OK)
        return rc;
    if (n == 0) {
        free(v);
        return version > 0
            ? augur_err_set(err, AUGUR_ENOTFOUND, "no action '%s' version %d", name, version)
            : augur_err_set(err, AUGUR_ENOTFOUND, "no action '%s'", name);
    }
    *out = v[0];
    free(v);
    return AUGUR_OK;
}

int library_history(library *lib, const char *name, action **out, size_t *n, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "SELECT " LIBRARY_COLUMNS " FROM action a LEFT JOIN head h"
                              " ON h.name = a.name WHERE a.name = ?1 ORDER BY a.version",
                         &st, err);

    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    if ((rc = library_rows(lib, st, out, n, err)) == AUGUR_OK && *n == 0) {
        free(*out);
        *out = NULL;
        return augur_err_set(err, AUGUR_ENOTFOUND, "no action '%s'", name);
    }
    return rc;
}

int library_list(library *lib, action **out, size_t *n, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "SELECT " LIBRARY_COLUMNS " FROM head h JOIN action a"
                              " ON a.id = h.id WHERE NOT h.deprecated ORDER BY h.name", &st, err);

    return rc != AUGUR_OK ? rc : library_rows(lib, st, out, n, err);
}

/* ---- adding ------------------------------------------------------------------------- */

typedef struct library_head {
    int64_t id;
    int     version, deprecated;
    char    hash[41];
} library_head;

/* The latest version of name: 1 with *h filled, 0 when there is none, or an error. */
static int library_head_get(library *lib, const char *name, library_head *h, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "SELECT a.id, a.version, h.deprecated, a.hash FROM head h"
                              " JOIN action a ON a.id = h.id WHERE h.name = ?1", &st, err);

    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        h->id = sqlite3_column_int64(st, 0);
        h->version = sqlite3_column_int(st, 1);
        h->deprecated = sqlite3_column_int(st, 2);
        snprintf(h->hash, sizeof h->hash, "%s", (const char *)sqlite3_column_text(st, 3));
        rc = 1;
    } else {
        rc = rc == SQLITE_DONE ? 0 : lib_sqlite_fail(lib, "read the latest version", err);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Add or remove (op "delete") the full-text entry of action id. */
static int library_index(library *lib, int64_t id, int remove, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, remove
        ? "INSERT INTO action_fts(action_fts, rowid, name, description, source)"
          " SELECT 'delete', id, name, description, source FROM action WHERE id = ?1"
        : "INSERT INTO action_fts(rowid, name, description, source)"
          " SELECT id, name, description, source FROM action WHERE id = ?1", &st, err);

    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? AUGUR_OK : lib_sqlite_fail(lib, "index", err);
    sqlite3_finalize(st);
    return rc;
}

static int library_set_head(library *lib, const char *name, int64_t id, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "INSERT INTO head(name, id, deprecated) VALUES (?1, ?2, 0)"
                              " ON CONFLICT(name) DO UPDATE SET id = ?2, deprecated = 0",
                         &st, err);

    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 2, id);
    rc = sqlite3_step(st) == SQLITE_DONE ? AUGUR_OK : lib_sqlite_fail(lib, "set the head", err);
    sqlite3_finalize(st);
    return rc;
}

static int library_insert(library *lib, const ldoc *doc, const char *src, size_t len,
                          const char *hash, int version, action_origin origin, int64_t *id,
                          augur_err *err)
{
    sqlite3_stmt *st;
    buf inputs = BUF_INIT;
    int rc;

    for (int i = 0; i < doc->ninputs; i++)
        buf_printf(&inputs, "%s%s %s", i ? ", " : "", doc->inputs[i].type, doc->inputs[i].name);
    if (inputs.oom)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    rc = lib_prepare(lib, "INSERT INTO action(name, version, parent, description, kind, inputs,"
                          " output, source, hash, origin, created)"
                          " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)", &st, err);
    if (rc == AUGUR_OK) {
        sqlite3_bind_text(st, 1, doc->name, -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, version);
        sqlite3_bind_int(st, 3, version - 1);
        sqlite3_bind_text(st, 4, doc->description, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 5, doc->kind, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 6, buf_str(&inputs), -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 7, doc->output, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 8, src, (int)len, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 9, hash, -1, SQLITE_TRANSIENT);
        sqlite3_bind_text(st, 10, action_origin_name(origin), -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 11, library_now_ms());
        rc = sqlite3_step(st) == SQLITE_DONE ? AUGUR_OK
                                             : lib_sqlite_fail(lib, "insert the action", err);
        *id = sqlite3_last_insert_rowid(lib->db);
        sqlite3_finalize(st);
    }
    buf_free(&inputs);
    return rc;
}

/* In a write transaction: store doc's source as the next version unless it is the latest. */
static int library_store(library *lib, const ldoc *doc, const char *src, size_t len,
                         const char *hash, action_origin origin, augur_err *err)
{
    library_head h;
    int64_t id = 0;
    int rc = library_head_get(lib, doc->name, &h, err), exists;

    if (rc < 0)
        return rc;
    if (rc == 1 && strcmp(h.hash, hash) == 0) {
        if (!h.deprecated)
            return AUGUR_OK;
        if ((rc = library_set_head(lib, doc->name, h.id, err)))
            return rc;
        return library_index(lib, h.id, 0, err);
    }
    exists = rc == 1;
    if (exists && !h.deprecated && (rc = library_index(lib, h.id, 1, err)))
        return rc;
    if ((rc = library_insert(lib, doc, src, len, hash, exists ? h.version + 1 : 1, origin, &id,
                             err)) ||
        (rc = library_set_head(lib, doc->name, id, err)))
        return rc;
    return library_index(lib, id, 0, err);
}

int library_add(library *lib, const char *src, size_t len, const char *file,
                action_origin origin, action *out, augur_err *err)
{
    char hash[41];
    ldoc doc;
    int rc;

    if ((rc = validate_source(lib, src, len, file, &doc, err)) ||
        (rc = mirror_hash(src, len, hash, err)) || (rc = lib_begin(lib, err)))
        return rc;
    if ((rc = library_store(lib, &doc, src, len, hash, origin, err))) {
        lib_rollback(lib);
        return rc;
    }
    if ((rc = lib_commit(lib, err)))
        return rc;
    if (lib->mirror && (rc = mirror_sync(lib, err)))
        return rc;
    return out ? library_get(lib, doc.name, 0, out, err) : AUGUR_OK;
}

/* ---- usage and removal ------------------------------------------------------------- */

int library_record_use(library *lib, const action_use *use, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, use->version > 0
        ? "INSERT INTO usage(action, task, ok, error_kind, error, duration_ms, at)"
          " SELECT id, ?3, ?4, ?5, substr(?6, 1, 500), ?7, ?8 FROM action"
          " WHERE name = ?1 AND version = ?2"
        : "INSERT INTO usage(action, task, ok, error_kind, error, duration_ms, at)"
          " SELECT id, ?3, ?4, ?5, substr(?6, 1, 500), ?7, ?8 FROM head WHERE name = ?1",
        &st, err);

    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_text(st, 1, use->name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, use->version);
    sqlite3_bind_text(st, 3, use->task, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 4, use->ok != 0);
    sqlite3_bind_text(st, 5, use->ok ? NULL : use->error_kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, use->ok ? NULL : use->error, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 7, use->duration_ms);
    sqlite3_bind_int64(st, 8, library_now_ms());
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = lib_sqlite_fail(lib, "record a use", err);
    else if (sqlite3_changes(lib->db) == 0)
        rc = augur_err_set(err, AUGUR_ENOTFOUND, "no action '%s'", use->name);
    sqlite3_finalize(st);
    return rc;
}

/* Run sql (binding name as ?1) in a write transaction after checking name exists. */
static int library_change(library *lib, const char *name, const char *const *sqls,
                          int unindex, augur_err *err)
{
    library_head h;
    sqlite3_stmt *st;
    int rc;

    if ((rc = lib_begin(lib, err)))
        return rc;
    if ((rc = library_head_get(lib, name, &h, err)) == 0)
        rc = augur_err_set(err, AUGUR_ENOTFOUND, "no action '%s'", name);
    else if (rc == 1)
        rc = unindex && !h.deprecated ? library_index(lib, h.id, 1, err) : AUGUR_OK;
    for (; rc == AUGUR_OK && *sqls; sqls++) {
        if ((rc = lib_prepare(lib, *sqls, &st, err)))
            break;
        sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (sqlite3_step(st) != SQLITE_DONE)
            rc = lib_sqlite_fail(lib, "change the library", err);
        sqlite3_finalize(st);
    }
    if (rc != AUGUR_OK) {
        lib_rollback(lib);
        return rc;
    }
    return lib_commit(lib, err);
}

int library_deprecate(library *lib, const char *name, augur_err *err)
{
    static const char *const sqls[] = { "UPDATE head SET deprecated = 1 WHERE name = ?1", NULL };

    return library_change(lib, name, sqls, 1, err);
}

int library_purge(library *lib, const char *name, augur_err *err)
{
    static const char *const sqls[] = {
        "DELETE FROM usage WHERE action IN (SELECT id FROM action WHERE name = ?1)",
        "DELETE FROM embedding WHERE action IN (SELECT id FROM action WHERE name = ?1)",
        "DELETE FROM action WHERE name = ?1",
        "DELETE FROM head WHERE name = ?1",
        NULL,
    };
    char rel[256], msg[128];
    int rc = library_change(lib, name, sqls, 1, err);

    if (rc != AUGUR_OK || !lib->mirror)
        return rc;
    mirror_path(name, rel, sizeof rel);
    snprintf(msg, sizeof msg, "remove %s", name);
    if ((rc = lib_begin(lib, err)))
        return rc;
    if ((rc = mirror_commit(lib->mirror, rel, NULL, 0, msg, err))) {
        lib_rollback(lib);
        return rc;
    }
    return lib_commit(lib, err);
}
