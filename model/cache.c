/* cache.c — the SQLite reply cache. */
#include "model/cache.h"
#include "base/buf.h"
#include "base/db.h"
#include "base/file.h"

#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct model_cache {
    sqlite3 *db;
    char    *path;
};

static const char cache_schema[] =
    "CREATE TABLE IF NOT EXISTS replies ("
    "  key TEXT PRIMARY KEY, backend TEXT NOT NULL, model TEXT NOT NULL,"
    "  created INTEGER NOT NULL, reply TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
    "INSERT OR IGNORE INTO counters VALUES ('hits', 0), ('misses', 0);";

static int cache_fail(model_cache *c, int code, const char *what, augur_err *err)
{
    return augur_err_set(err, code, "%s: %s: %s", c->path, what, sqlite3_errmsg(c->db));
}

int model_cache_open(model_cache **out, const char *path, augur_err *err)
{
    model_cache *c;
    char *dir, *slash;
    int rc;

    *out = NULL;
    if (!(c = calloc(1, sizeof *c)) || !(c->path = strdup(path))) {
        free(c);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    if ((dir = strdup(path)) && (slash = strrchr(dir, '/')) && slash != dir) {
        *slash = '\0';
        rc = file_mkdirs(dir, err);
        free(dir);
        if (rc != AUGUR_OK) {
            model_cache_close(c);
            return rc;
        }
    } else {
        free(dir);
    }
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                        SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = cache_fail(c, AUGUR_EIO, "cannot open the cache", err);
        model_cache_close(c);
        return rc;
    }
    if (db_wal(c->db, 10000) != SQLITE_OK ||
        sqlite3_exec(c->db, cache_schema, NULL, NULL, NULL) != SQLITE_OK) {
        rc = cache_fail(c, AUGUR_EIO, "not a cache file", err);
        model_cache_close(c);
        return rc;
    }
    *out = c;
    return AUGUR_OK;
}

void model_cache_close(model_cache *c)
{
    if (!c)
        return;
    sqlite3_close(c->db);
    free(c->path);
    free(c);
}

static int64_t now_s(void)
{
    return (int64_t)time(NULL);
}

/* Run sql with its ? bound to the texts and integers given in order ("ti": a text,
** then an integer); the step's result code. */
static int cache_run(model_cache *c, const char *sql, const char *kinds, const void *const *args,
                     sqlite3_stmt **keep)
{
    sqlite3_stmt *st;
    int rc;

    if (sqlite3_prepare_v2(c->db, sql, -1, &st, NULL) != SQLITE_OK)
        return SQLITE_ERROR;
    for (int i = 0; kinds[i]; i++) {
        if (kinds[i] == 't')
            sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, i + 1, *(const int64_t *)args[i]);
    }
    rc = sqlite3_step(st);
    if (keep && rc == SQLITE_ROW)
        *keep = st;
    else
        sqlite3_finalize(st);
    return rc;
}

int model_cache_get(model_cache *c, const char *key, int64_t ttl_s, char **json, augur_err *err)
{
    int64_t oldest = ttl_s > 0 ? now_s() - ttl_s : INT64_MIN;
    const void *args[] = { key, &oldest };
    sqlite3_stmt *st = NULL;
    int rc;

    *json = NULL;
    rc = cache_run(c, "SELECT reply FROM replies WHERE key = ? AND created >= ?", "ti", args, &st);
    if (rc == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(st, 0);
        *json = strdup(text ? (const char *)text : "");
        sqlite3_finalize(st);
        if (!*json)
            return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    } else if (rc != SQLITE_DONE) {
        return cache_fail(c, AUGUR_EIO, "lookup failed", err);
    }
    rc = cache_run(c, *json ? "UPDATE counters SET value = value + 1 WHERE name = 'hits'"
                            : "UPDATE counters SET value = value + 1 WHERE name = 'misses'",
                   "", NULL, NULL);
    return rc == SQLITE_DONE ? AUGUR_OK : cache_fail(c, AUGUR_EIO, "counting failed", err);
}

int model_cache_put(model_cache *c, const char *key, const char *backend, const char *model,
                    const char *json, augur_err *err)
{
    int64_t t = now_s();
    const void *args[] = { key, backend, model, &t, json };

    if (cache_run(c, "INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?, ?)", "tttit", args,
                  NULL) != SQLITE_DONE)
        return cache_fail(c, AUGUR_EIO, "storing failed", err);
    return AUGUR_OK;
}

static int64_t cache_count(model_cache *c, const char *sql, const char *kinds,
                           const void *const *args, int *ok)
{
    sqlite3_stmt *st = NULL;
    int64_t v = 0;

    if (cache_run(c, sql, kinds, args, &st) != SQLITE_ROW) {
        *ok = 0;
        return 0;
    }
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

int model_cache_stats_get(model_cache *c, int64_t ttl_s, model_cache_stats *out,
                          model_cache_row_fn *row, void *ctx, augur_err *err)
{
    int64_t oldest = ttl_s > 0 ? now_s() - ttl_s : INT64_MIN;
    const void *args[] = { &oldest };
    sqlite3_stmt *st;
    int ok = 1, rc;

    memset(out, 0, sizeof *out);
    out->entries = cache_count(c, "SELECT count(*) FROM replies", "", NULL, &ok);
    out->expired = cache_count(c, "SELECT count(*) FROM replies WHERE created < ?", "i", args, &ok);
    out->bytes = cache_count(c, "SELECT coalesce(sum(length(reply)), 0) FROM replies", "", NULL,
                             &ok);
    out->hits = cache_count(c, "SELECT value FROM counters WHERE name = 'hits'", "", NULL, &ok);
    out->misses = cache_count(c, "SELECT value FROM counters WHERE name = 'misses'", "", NULL,
                              &ok);
    out->oldest = cache_count(c, "SELECT coalesce(min(created), 0) FROM replies", "", NULL, &ok);
    out->newest = cache_count(c, "SELECT coalesce(max(created), 0) FROM replies", "", NULL, &ok);
    if (!ok)
        return cache_fail(c, AUGUR_EIO, "reading the statistics failed", err);
    if (!row)
        return AUGUR_OK;
    if (sqlite3_prepare_v2(c->db, "SELECT backend, model, count(*), sum(length(reply)) FROM "
                           "replies GROUP BY backend, model ORDER BY backend, model", -1, &st,
                           NULL) != SQLITE_OK)
        return cache_fail(c, AUGUR_EIO, "reading the statistics failed", err);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        row(ctx, (const char *)sqlite3_column_text(st, 0), (const char *)sqlite3_column_text(st, 1),
            sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? AUGUR_OK : cache_fail(c, AUGUR_EIO, "reading the statistics failed",
                                                    err);
}

int model_cache_clear(model_cache *c, int expired_only, int64_t ttl_s, int64_t *removed,
                      augur_err *err)
{
    int64_t oldest = expired_only && ttl_s > 0 ? now_s() - ttl_s : INT64_MIN;
    const void *args[] = { &oldest };
    int rc;

    *removed = 0;
    rc = expired_only ? cache_run(c, "DELETE FROM replies WHERE created < ?", "i", args, NULL)
                      : cache_run(c, "DELETE FROM replies", "", NULL, NULL);
    if (rc == SQLITE_DONE) {
        *removed = sqlite3_changes64(c->db);
        if (!expired_only)
            rc = cache_run(c, "UPDATE counters SET value = 0", "", NULL, NULL);
    }
    return rc == SQLITE_DONE ? AUGUR_OK : cache_fail(c, AUGUR_EIO, "clearing failed", err);
}
