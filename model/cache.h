/*
** cache.h — replies kept in SQLite, keyed by a hash of backend, endpoint and request.
**
**     model_cache *c;
**     model_cache_open(&c, path, &err);
**     model_cache_get(c, key, ttl_s, &json, &err);    // json NULL on a miss
**     model_cache_put(c, key, "http", "gpt-4o", json, &err);
**     model_cache_close(c);
**
** The file is in WAL mode with a busy timeout, so parallel workers share it.
** An entry older than the time-to-live is a miss (and is replaced by the next put).
** Hits and misses are counted in the file, for `augur cache stats`.
*/
#ifndef AUGUR_MODEL_CACHE_H
#define AUGUR_MODEL_CACHE_H

#include <stdint.h>

#include "base/err.h"

typedef struct model_cache model_cache;

/* Open (creating it and its folder when missing) the cache at path. */
int  model_cache_open(model_cache **out, const char *path, augur_err *err);
void model_cache_close(model_cache *c);

/* The reply stored under key when it is younger than ttl_s seconds (0: any age):
** *json is a new string (free it), or NULL on a miss. */
int model_cache_get(model_cache *c, const char *key, int64_t ttl_s, char **json, augur_err *err);

int model_cache_put(model_cache *c, const char *key, const char *backend, const char *model,
                    const char *json, augur_err *err);

typedef struct model_cache_stats {
    int64_t entries;
    int64_t expired;          /* of which older than the time-to-live */
    int64_t bytes;            /* of stored replies */
    int64_t hits, misses;     /* since the file was made, or last cleared */
    int64_t oldest, newest;   /* Unix times of the entries; 0 when empty */
} model_cache_stats;

/* Called once per backend and model, with its entries and bytes. */
typedef void model_cache_row_fn(void *ctx, const char *backend, const char *model,
                                int64_t entries, int64_t bytes);

int model_cache_stats_get(model_cache *c, int64_t ttl_s, model_cache_stats *out,
                          model_cache_row_fn *row, void *ctx, augur_err *err);

/* Remove the entries older than ttl_s (expired_only), or all of them and the
** counters; *removed says how many entries went. */
int model_cache_clear(model_cache *c, int expired_only, int64_t ttl_s, int64_t *removed,
                      augur_err *err);

#endif
