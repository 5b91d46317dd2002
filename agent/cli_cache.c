/* cli_cache.c — `augur cache stats|clear`: the model reply cache. */
#include "agent/cli.h"
#include "agent/model_conf.h"
#include "model/cache.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* The cache file [model.cache] names (whether or not the cache is on), and its TTL. */
static int cache_where(cli *c, buf *path, int64_t *ttl)
{
    augur_err err = { 0 };
    config *cfg = cli_config(c);
    model_conf mc;
    int rc;

    if (!cfg)
        return CLI_USAGE;
    if ((rc = config_set(cfg, "model.cache.enabled=true", &err)) == AUGUR_OK &&
        (rc = model_conf_read(cfg, &mc, &err)) == AUGUR_OK) {
        buf_puts(path, mc.cfg.cache);
        *ttl = mc.cfg.cache_ttl_s;
        model_conf_free(&mc);
    }
    if (rc != AUGUR_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return rc == AUGUR_ECONFIG ? CLI_USAGE : CLI_FAILED;
    }
    return -1;
}

/* The cache at path, or NULL (and a status in *rc) when there is none or it fails. */
static model_cache *cache_open_existing(const char *cmd, const char *path, int *rc)
{
    augur_err err = { 0 };
    model_cache *mc;
    struct stat st;

    *rc = CLI_OK;
    if (stat(path, &st) != 0)
        return NULL;
    if (model_cache_open(&mc, path, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", cmd, err.msg);
        *rc = CLI_FAILED;
        return NULL;
    }
    return mc;
}

static void cache_row(void *ctx, const char *backend, const char *model, int64_t entries,
                      int64_t bytes)
{
    (void)ctx;
    printf("  %s %s: %lld entries, %lld bytes\n", backend, model, (long long)entries,
           (long long)bytes);
}

static void cache_time(const char *label, int64_t t)
{
    char text[64];
    time_t tt = (time_t)t;
    struct tm tm;

    if (t && gmtime_r(&tt, &tm) && strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &tm))
        printf("%s: %s\n", label, text);
}

static int cache_cmd_stats(cli *c, const cli_command *cmd, const char *path, int argc,
                           char **argv)
{
    model_cache_stats st = { 0 };
    augur_err err = { 0 };
    buf file = BUF_INIT;
    model_cache *mc;
    int64_t ttl = 0;
    int rc = cli_simple_args(cmd, path, argc, argv, 0);

    if (rc >= 0 || (rc = cache_where(c, &file, &ttl)) >= 0) {
        buf_free(&file);
        return rc;
    }
    mc = cache_open_existing(path, buf_str(&file), &rc);
    printf("cache: %s%s\n", buf_str(&file), mc || rc ? "" : " (not made yet)");
    if (mc && model_cache_stats_get(mc, ttl, &st, NULL, NULL, &err) != AUGUR_OK) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        rc = CLI_FAILED;
    } else if (rc == CLI_OK) {
        printf("entries: %lld, %lld of them older than the time-to-live (%lld s)\n",
               (long long)st.entries, (long long)st.expired, (long long)ttl);
        printf("bytes of replies: %lld\n", (long long)st.bytes);
        printf("hits: %lld, misses: %lld\n", (long long)st.hits, (long long)st.misses);
        cache_time("oldest", st.oldest);
        cache_time("newest", st.newest);
        if (st.entries) {
            printf("by backend and model:\n");
            fflush(stdout);
            model_cache_stats_get(mc, ttl, &st, cache_row, NULL, &err);
        }
    }
    model_cache_close(mc);
    buf_free(&file);
    return rc;
}

static int cache_cmd_clear(cli *c, const cli_command *cmd, const char *path, int argc,
                           char **argv)
{
    augur_err err = { 0 };
    buf file = BUF_INIT;
    model_cache *mc;
    int64_t ttl = 0, removed = 0;
    int expired = argc == 2 && strcmp(argv[1], "--expired") == 0, rc;

    if ((rc = cli_simple_args(cmd, path, argc - expired, argv, 0)) >= 0)
        return rc;
    if ((rc = cache_where(c, &file, &ttl)) < 0 &&
        (mc = cache_open_existing(path, buf_str(&file), &rc))) {
        if (model_cache_clear(mc, expired, ttl, &removed, &err) != AUGUR_OK) {
            fprintf(stderr, "%s: %s\n", path, err.msg);
            rc = CLI_FAILED;
        }
        model_cache_close(mc);
    }
    if (rc == CLI_OK)
        printf("removed %lld entries from %s\n", (long long)removed, buf_str(&file));
    buf_free(&file);
    return rc;
}

static const cli_command cmd_stats = {
    "stats", "", "what the reply cache holds: entries, expired ones, bytes, hits and misses",
    "The cache is the file [model.cache] names (model.cache.path; by default\n"
    "$XDG_CACHE_HOME/augur/model-cache.sqlite), whether or not model.cache.enabled is on.\n",
    cache_cmd_stats, NULL,
};

static const cli_command cmd_clear = {
    "clear", "[--expired]", "empty the reply cache (--expired: only what outlived its time-to-live)",
    "Clearing everything also resets the hit and miss counters.\n",
    cache_cmd_clear, NULL,
};

static const cli_command *const cache_commands[] = { &cmd_stats, &cmd_clear, NULL };

const cli_command cli_cache_command = {
    "cache", "COMMAND", "the cache of model replies", NULL, NULL, cache_commands,
};
