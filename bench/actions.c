/*
** bench/actions.c — the action library's search and add latency as it grows, each beside a
** baseline measured in the same run on the same file:
**   full-text search (BM25, top 10) beside the bare FTS5 match it is built on (the same
**     words, no ranking, no join);
**   mixed search (BM25 and the cosine of 1,024-dimension embeddings) beside the bare scan
**     of the embeddings it has to make (the query's own embedding not counted);
**   add (validated in the sandbox) with and without the git mirror, beside a bare INSERT.
**
**     build/bench/actions [DIR] [MAX] [SEED]     (make bench; MAX default 100000)
**
** Libraries of 1,000, 10,000 and 100,000 actions (up to MAX) are generated from SEED:
** names and descriptions from a vocabulary of made-up words, so that queries of three
** words match a realistic share of the actions.
*/
#include "actions/library.h"
#include "base/buf.h"
#include "base/time.h"
#include "bench/bench.h"

#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { VOCAB = 3000, QUERIES = 201, SCANS = 21, DIM = 1024, ADDS = 101 };

static uint64_t rng = 1;

static uint32_t next(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return (uint32_t)((rng * 2685821657736338717ull) >> 32);
}

static char vocab[VOCAB][12];

static void make_vocab(void)
{
    static const char *const syl[] = { "ka", "lo", "mi", "ren", "tu", "sa", "vel", "po", "qui",
                                       "dar", "ne", "fo", "gi", "hu", "zor", "bel" };
    for (int i = 0; i < VOCAB; i++)
        snprintf(vocab[i], sizeof vocab[i], "%s%s%s", syl[next() % 16], syl[next() % 16],
                 syl[next() % 16]);
}

/* Zipf-like: a few words common, most rare. */
static const char *word(void)
{
    double u = (next() + 1.0) / 4294967297.0;
    return vocab[(int)(VOCAB * u * u * u) % VOCAB];
}

static void make_action(buf *src, int i)
{
    buf_clear(src);
    /* Names spread over the mirror's folders as real ones do (by their first letters). */
    buf_printf(src, "--- %s the %s %s of a %s %s.\n-- @kind reads\n-- @tparam string x\n"
                    "function %c%c_%s_%d(x)\n  return x .. '%s'\nend\n",
               word(), word(), word(), word(), word(), 'a' + next() % 26, 'a' + next() % 26,
               word(), i, word());
}

static void make_vec(float *v)
{
    for (int i = 0; i < DIM; i++)
        v[i] = (float)((int)(next() % 2001) - 1000) / 1000.0f;
}

static double ms_since(uint64_t t0)
{
    return (double)(time_mono_ns() - t0) / 1e6;
}

static double p99(double *sorted, int n)
{
    return sorted[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
}

static void fail(const char *what, const augur_err *err)
{
    fprintf(stderr, "bench/actions: %s: %s\n", what, err ? err->msg : "");
    exit(1);
}

static int grow(library *lib, int from, int to, int embed)
{
    augur_err err = { 0 };
    buf src = BUF_INIT;
    float v[DIM];

    for (int i = from; i < to; i++) {
        action a;
        make_action(&src, i);
        if (library_add(lib, buf_str(&src), src.len, "bench", ACTION_GENERATED, &a, &err))
            fail("add", &err);
        make_vec(v);
        if (embed && library_embed(lib, a.doc.name, 0, v, DIM, &err))
            fail("embed", &err);
        action_free(&a);
    }
    buf_free(&src);
    return to;
}

static void query(buf *q)
{
    buf_clear(q);
    buf_printf(q, "%s %s %s", word(), word(), word());
}

/* The bare FTS5 match of the same words: no bm25(), no join, no order. */
static double bare_match(sqlite3 *db, const char *words)
{
    char fts[256];
    sqlite3_stmt *st;
    uint64_t t0;
    char a[12], b[12], c[12];

    sscanf(words, "%11s %11s %11s", a, b, c);
    snprintf(fts, sizeof fts, "\"%s\" OR \"%s\" OR \"%s\"", a, b, c);
    t0 = time_mono_ns();
    sqlite3_prepare_v2(db, "SELECT rowid FROM action_fts WHERE action_fts MATCH ?1 LIMIT 10", -1,
                       &st, NULL);
    sqlite3_bind_text(st, 1, fts, -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW)
        ;
    sqlite3_finalize(st);
    return ms_since(t0);
}

static void search_figures(library *lib, const char *path, int n)
{
    double ours[QUERIES], bare[QUERIES], mixed[QUERIES], scan[SCANS];
    augur_err err = { 0 };
    buf q = BUF_INIT;
    float qv[DIM], *m = NULL;
    sqlite3 *db;
    double sink = 0, load;
    uint64_t t0;
    int hits = 0;

    if (sqlite3_open(path, &db) != SQLITE_OK)
        fail("open", NULL);
    for (int i = 0; i < QUERIES; i++) {
        action_hit *h;
        size_t nh;
        query(&q);
        t0 = time_mono_ns();
        if (library_search(lib, buf_str(&q), NULL, 0, 0, 10, &h, &nh, &err))
            fail("search", &err);
        ours[i] = ms_since(t0);
        hits += nh > 0;
        free(h);
        bare[i] = bare_match(db, buf_str(&q));
    }
    sqlite3_close(db);
    /* The first mixed search loads the embeddings; the rest use them. */
    make_vec(qv);
    t0 = time_mono_ns();
    {
        action_hit *h;
        size_t nh;
        if (library_search(lib, "warm", qv, DIM, 0.5, 10, &h, &nh, &err))
            fail("mixed search", &err);
        free(h);
    }
    load = ms_since(t0);
    m = malloc((size_t)n * DIM * sizeof *m);
    for (size_t i = 0; m && i < (size_t)n * DIM; i++)
        m[i] = (float)(next() % 1000) / 1000.0f;
    for (int i = 0; i < QUERIES; i++) {
        action_hit *h;
        size_t nh;
        query(&q);
        make_vec(qv);
        t0 = time_mono_ns();
        if (library_search(lib, buf_str(&q), qv, DIM, 0.5, 10, &h, &nh, &err))
            fail("mixed search", &err);
        mixed[i] = ms_since(t0);
        free(h);
        if (i >= SCANS)
            continue;
        t0 = time_mono_ns();
        for (int r = 0; m && r < n; r++) {
            float s = 0;
            for (int d = 0; d < DIM; d++)
                s += qv[d] * m[(size_t)r * DIM + d];
            sink += s;
        }
        scan[i] = ms_since(t0);
    }
    free(m);
    bench_median(ours, QUERIES);
    bench_median(mixed, QUERIES);
    printf("%7d actions  full-text  p50 %7.3f ms  p99 %7.3f ms   bare FTS5 match p50 %7.3f ms"
           "   (%d%% of queries matched)\n", n, ours[QUERIES / 2], p99(ours, QUERIES),
           bench_median(bare, QUERIES), hits * 100 / QUERIES);
    printf("%7d actions  mixed      p50 %7.3f ms  p99 %7.3f ms   bare %d-d scan p50 %7.3f ms"
           "   (first search, loading: %.0f ms)%s\n", n, mixed[QUERIES / 2], p99(mixed, QUERIES),
           DIM, bench_median(scan, SCANS), load, sink == 1234.5 ? " " : "");
    buf_free(&q);
    fflush(stdout);
}

/* Median add latency of ADDS new actions, in ms. */
static double add_figure(library *lib, int base)
{
    double t[ADDS];
    augur_err err = { 0 };
    buf src = BUF_INIT;

    for (int i = 0; i < ADDS; i++) {
        make_action(&src, base + i);
        uint64_t t0 = time_mono_ns();
        if (library_add(lib, buf_str(&src), src.len, "bench", ACTION_GENERATED, NULL, &err))
            fail("add", &err);
        t[i] = ms_since(t0);
    }
    buf_free(&src);
    return bench_median(t, ADDS);
}

static double bare_insert(const char *path)
{
    double t[ADDS];
    sqlite3 *db;
    buf src = BUF_INIT;

    if (sqlite3_open(path, &db) != SQLITE_OK)
        fail("open", NULL);
    sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
                     "CREATE TABLE IF NOT EXISTS bare(id INTEGER PRIMARY KEY, source TEXT)",
                 NULL, NULL, NULL);
    for (int i = 0; i < ADDS; i++) {
        sqlite3_stmt *st;
        make_action(&src, i);
        uint64_t t0 = time_mono_ns();
        sqlite3_prepare_v2(db, "INSERT INTO bare(source) VALUES (?1)", -1, &st, NULL);
        sqlite3_bind_text(st, 1, buf_str(&src), (int)src.len, SQLITE_TRANSIENT);
        sqlite3_step(st);
        sqlite3_finalize(st);
        t[i] = ms_since(t0);
    }
    sqlite3_close(db);
    buf_free(&src);
    return bench_median(t, ADDS);
}

static void remove_db(const char *path)
{
    char p[4200];

    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "build/bench";
    int max = argc > 2 ? atoi(argv[2]) : 100000, have = 0;
    static const int sizes[] = { 1000, 10000, 100000 };
    char path[4096], mpath[4096], bpath[4096], cmd[8300];
    library_options plain = { NULL, NULL, 0, 0, 0 }, mirrored = plain;
    augur_err err = { 0 };
    library *lib;
    double add_plain = 0, add_git = 0;

    rng = argc > 3 ? strtoull(argv[3], NULL, 10) | 1 : 1;
    make_vocab();
    snprintf(path, sizeof path, "%s/actions-bench.db", dir);
    snprintf(mpath, sizeof mpath, "%s/actions-bench.git", dir);
    snprintf(bpath, sizeof bpath, "%s/actions-bare.db", dir);
    remove_db(path);
    remove_db(bpath);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", mpath);
    if (system(cmd) != 0)
        fail("remove the old mirror", NULL);
    mirrored.mirror = mpath;
    if (library_open(&lib, path, &plain, &err))
        fail("open", &err);
    printf("action library: search (top 10) and add latency; %d queries per figure, medians "
           "and 99th percentiles\n", QUERIES);
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes && sizes[s] <= max; s++) {
        have = grow(lib, have, sizes[s], 1);
        search_figures(lib, path, have);
        if (sizes[s] == 10000) {
            add_plain = add_figure(lib, 20000000);
            library_close(lib);
            /* Opening with a mirror commits the whole library first, one version at a time. */
            uint64_t t0 = time_mono_ns();
            if (library_open(&lib, path, &mirrored, &err))
                fail("open with the mirror", &err);
            printf("%7d actions  mirrored on first open in %.1f s\n", have + ADDS,
                   ms_since(t0) / 1000);
            add_git = add_figure(lib, 30000000);
            library_close(lib);
            if (library_open(&lib, path, &plain, &err))
                fail("open", &err);
            have += 2 * ADDS;
            printf("%7d actions  add p50: %.3f ms without the mirror, %.3f ms with it;"
                   "   bare INSERT p50 %.3f ms\n", sizes[s], add_plain, add_git,
                   bare_insert(bpath));
            fflush(stdout);
        }
    }
    library_close(lib);
    remove_db(path);
    remove_db(bpath);
    if (system(cmd) != 0)
        fail("remove the mirror", NULL);
    return 0;
}
