/* search.c — retrieval: BM25 over the full-text index, mixed with embedding cosine. */
#include "actions/private.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    SEARCH_K_MAX = 1000, SEARCH_DIM_MAX = 8192, SEARCH_POOL = 4, SEARCH_RESCORE = 10,
    SEARCH_WORDS_MAX = 32, SEARCH_BUDGET = 1000
};

size_t search_split(const char *query, search_word *w, size_t max)
{
    const unsigned char *s = (const unsigned char *)query;
    size_t n = 0;

    while (*s && n < max) {
        const unsigned char *start;
        while (*s && !(isalnum(*s) || *s >= 0x80))
            s++;
        for (start = s; *s && (isalnum(*s) || *s >= 0x80) && s - start < 64; s++)
            ;
        if (s > start)
            w[n++] = (search_word){ (const char *)start, (int)(s - start), 0 };
    }
    return n;
}

/* How many indexed actions hold each word (the index folds ASCII case). */
static int search_df(library *lib, search_word *w, size_t n, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "SELECT doc FROM temp.action_vocab WHERE term = lower(?1)", &st,
                         err);

    for (size_t i = 0; rc == AUGUR_OK && i < n; i++) {
        sqlite3_reset(st);
        sqlite3_bind_text(st, 1, w[i].s, w[i].len, SQLITE_STATIC);
        w[i].df = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    }
    sqlite3_finalize(st);
    return rc;
}

static int search_df_cmp(const void *a, const void *b)
{
    int64_t x = ((const search_word *)a)->df, y = ((const search_word *)b)->df;

    return (x > y) - (x < y);
}

int search_fts_query(const search_word *w, size_t n, buf *out)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "%s\"%.*s\"", i ? " OR " : "", w[i].len, w[i].s);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

static void search_hit_fill(sqlite3_stmt *st, int col, action_hit *h)
{
    snprintf(h->name, sizeof h->name, "%s", (const char *)sqlite3_column_text(st, col));
    h->version = sqlite3_column_int(st, col + 1);
    snprintf(h->kind, sizeof h->kind, "%s", (const char *)sqlite3_column_text(st, col + 2));
    snprintf(h->description, sizeof h->description, "%s",
             (const char *)sqlite3_column_text(st, col + 3));
}

/* A candidate: an action id with its two scores. */
typedef struct search_cand {
    int64_t    id;
    double     bm25, cosine;
    int        filled;
    action_hit hit;
} search_cand;

/* Add the matches of words[0..nw) to c (up to limit in all, none twice): the best by
** BM25 when ranked, else the first the index yields. */
static int search_match(library *lib, const search_word *w, size_t nw, int ranked, int limit,
                        search_cand *c, size_t *n, augur_err *err)
{
    sqlite3_stmt *st;
    buf q = BUF_INIT;
    int rc, step = SQLITE_DONE;

    if (search_fts_query(w, nw, &q) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    /* Ranked first, joined after: only the rows kept are read from the action table. */
    rc = lib_prepare(lib, ranked
        ? "SELECT f.id, a.name, a.version, a.kind, a.description, f.s FROM"
          " (SELECT rowid AS id, bm25(action_fts, 10.0, 4.0, 1.0) AS s FROM action_fts"
          "  WHERE action_fts MATCH ?1 ORDER BY s LIMIT ?2) f"
          " JOIN action a ON a.id = f.id ORDER BY f.s"
        : "SELECT f.id, a.name, a.version, a.kind, a.description, f.s FROM"
          " (SELECT rowid AS id, bm25(action_fts, 10.0, 4.0, 1.0) AS s FROM action_fts"
          "  WHERE action_fts MATCH ?1 LIMIT ?2) f"
          " JOIN action a ON a.id = f.id", &st, err);
    if (rc == AUGUR_OK) {
        sqlite3_bind_text(st, 1, buf_str(&q), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, limit);
        while (*n < (size_t)limit && (step = sqlite3_step(st)) == SQLITE_ROW) {
            int64_t id = sqlite3_column_int64(st, 0);
            size_t i = 0;
            while (i < *n && c[i].id != id)
                i++;
            if (i < *n)
                continue;
            c[*n].id = id;
            c[*n].bm25 = -sqlite3_column_double(st, 5);
            c[*n].filled = 1;
            search_hit_fill(st, 1, &c[*n].hit);
            (*n)++;
        }
        if (*n < (size_t)limit && step != SQLITE_DONE)
            rc = lib_sqlite_fail(lib, "search", err);
        sqlite3_finalize(st);
    }
    buf_free(&q);
    return rc;
}

/* BM25 has to score every action a word matches; words held by so many actions that
** scoring them would pass SEARCH_BUDGET rows (and weigh little for it: BM25's IDF is
** low) are matched only when the rarer words leave places among the limit. */
static int search_bm25(library *lib, const char *query, int limit, search_cand **out,
                       size_t *n, augur_err *err)
{
    search_word w[SEARCH_WORDS_MAX];
    size_t nw = search_split(query, w, SEARCH_WORDS_MAX), kept = 0;
    int64_t total = 0;
    search_cand *c;
    int rc;

    *out = NULL;
    *n = 0;
    if (nw == 0)
        return AUGUR_OK;
    if (!(c = calloc((size_t)limit, sizeof *c)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if ((rc = search_df(lib, w, nw, err)) == AUGUR_OK) {
        qsort(w, nw, sizeof *w, search_df_cmp);
        while (kept < nw && (kept == 0 || total + w[kept].df <= SEARCH_BUDGET))
            total += w[kept++].df;
        rc = search_match(lib, w, kept, 1, limit, c, n, err);
    }
    if (rc == AUGUR_OK && *n < (size_t)limit && kept < nw)
        rc = search_match(lib, w + kept, nw - kept, 0, limit, c, n, err);
    if (rc != AUGUR_OK) {
        free(c);
        *n = 0;
        return rc;
    }
    *out = c;
    return AUGUR_OK;
}

/* ---- the embedding cache -------------------------------------------------------------- */

void search_cache_drop(library *lib)
{
    free(lib->vecs);
    free(lib->vec_bits);
    free(lib->vec_ids);
    lib->vecs = NULL;
    lib->vec_bits = NULL;
    lib->vec_ids = NULL;
    lib->nvecs = 0;
    lib->vec_dim = 0;
}

/* Changes by other connections and by this one, as one number. */
static int64_t search_version(library *lib)
{
    sqlite3_stmt *st;
    int64_t v = -1;

    if (sqlite3_prepare_v2(lib->db, "PRAGMA data_version", -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW)
            v = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return v < 0 ? -1 : (v << 32) ^ sqlite3_total_changes64(lib->db);
}

static void search_normalise(float *v, int dim)
{
    double norm = 0;

    for (int i = 0; i < dim; i++)
        norm += (double)v[i] * v[i];
    norm = sqrt(norm);
    for (int i = 0; norm > 0 && i < dim; i++)
        v[i] = (float)(v[i] / norm);
}

static size_t search_words(int dim)
{
    return ((size_t)dim + 63) / 64;
}

static void search_signs(const float *v, int dim, uint64_t *bits)
{
    memset(bits, 0, search_words(dim) * sizeof *bits);
    for (int i = 0; i < dim; i++)
        if (v[i] > 0)
            bits[i / 64] |= 1ull << (i % 64);
}

/* Load the embeddings of dimension dim of the actions listed, unless loaded already. */
static int search_cache_load(library *lib, int dim, augur_err *err)
{
    int64_t version = search_version(lib);
    size_t cap = 0;
    sqlite3_stmt *st;
    int rc, step;

    if (lib->vec_dim == dim && lib->vec_version == version && version >= 0)
        return AUGUR_OK;
    search_cache_drop(lib);
    rc = lib_prepare(lib, "SELECT e.action, e.vec FROM embedding e JOIN head h"
                          " ON h.id = e.action WHERE NOT h.deprecated AND e.dim = ?1"
                          " ORDER BY e.action", &st, err);
    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_int(st, 1, dim);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (lib->nvecs == cap) {
            size_t want = cap ? cap * 2 : 1024;
            float *vecs = realloc(lib->vecs, want * (size_t)dim * sizeof *vecs);
            int64_t *ids = vecs ? realloc(lib->vec_ids, want * sizeof *ids) : NULL;
            if (vecs)
                lib->vecs = vecs;
            if (!ids) {
                rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory for the embeddings");
                break;
            }
            lib->vec_ids = ids;
            cap = want;
        }
        if ((size_t)sqlite3_column_bytes(st, 1) != (size_t)dim * sizeof(float))
            continue;
        lib->vec_ids[lib->nvecs] = sqlite3_column_int64(st, 0);
        memcpy(lib->vecs + lib->nvecs * (size_t)dim, sqlite3_column_blob(st, 1),
               (size_t)dim * sizeof(float));
        search_normalise(lib->vecs + lib->nvecs * (size_t)dim, dim);
        lib->nvecs++;
    }
    if (rc == AUGUR_OK && step != SQLITE_DONE)
        rc = lib_sqlite_fail(lib, "read the embeddings", err);
    sqlite3_finalize(st);
    if (rc == AUGUR_OK &&
        !(lib->vec_bits = malloc((lib->nvecs ? lib->nvecs : 1) * search_words(dim) * 8)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory for the embeddings");
    if (rc != AUGUR_OK) {
        search_cache_drop(lib);
        return rc;
    }
    for (size_t i = 0; i < lib->nvecs; i++)
        search_signs(lib->vecs + i * (size_t)dim, dim, lib->vec_bits + i * search_words(dim));
    lib->vec_dim = dim;
    lib->vec_version = version;
    return AUGUR_OK;
}

/* Sixteen sums side by side, which the compiler may keep in vector registers. */
static float search_dot(const float *a, const float *b, int dim)
{
    float acc[16] = { 0 }, s = 0;
    int i = 0;

    for (; i + 16 <= dim; i += 16)
        for (int j = 0; j < 16; j++)
            acc[j] += a[i + j] * b[i + j];
    for (; i < dim; i++)
        s += a[i] * b[i];
    for (int j = 0; j < 16; j++)
        s += acc[j];
    return s;
}

/* The processor's popcount instruction where it has one (chosen when the program loads):
** the first pass of a mixed search counts differing sign bits over every embedding. */
#if defined(__x86_64__) && defined(__GNUC__)
#define SEARCH_POPCNT __attribute__((target_clones("popcnt", "default")))
#else
#define SEARCH_POPCNT
#endif

SEARCH_POPCNT
static void search_hamming(const uint64_t *bits, const uint64_t *q, size_t words, size_t n,
                           uint16_t *dist, size_t *hist)
{
    for (size_t i = 0; i < n; i++) {
        const uint64_t *b = bits + i * words;
        unsigned d = 0;
        for (size_t w = 0; w < words; w++)
            d += (unsigned)__builtin_popcountll(b[w] ^ q[w]);
        dist[i] = (uint16_t)d;
        hist[d]++;
    }
}

/* The rows worth an exact cosine: all when there are few, else the want rows whose
** signs differ least from the query's (a pass over 1/32 of the bytes). */
static size_t search_prefilter(library *lib, const float *q, int dim, size_t want,
                               size_t *rows, augur_err *err)
{
    size_t words = search_words(dim), n = lib->nvecs, kept = 0, limit = 0, below = 0;
    uint64_t qbits[SEARCH_DIM_MAX / 64];
    uint16_t *dist;
    size_t *hist;

    if (n <= want) {
        for (size_t i = 0; i < n; i++)
            rows[i] = i;
        return n;
    }
    dist = malloc(n * sizeof *dist);
    hist = calloc((size_t)dim + 2, sizeof *hist);
    if (!dist || !hist) {
        free(dist);
        free(hist);
        augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        return (size_t)-1;
    }
    search_signs(q, dim, qbits);
    search_hamming(lib->vec_bits, qbits, words, n, dist, hist);
    while (limit <= (size_t)dim && below + hist[limit] < want)
        below += hist[limit++];
    for (size_t i = 0; i < n && kept < want; i++)
        if (dist[i] < limit || (dist[i] == limit && below < want && (below++, 1)))
            rows[kept++] = i;
    free(dist);
    free(hist);
    return kept;
}

static int search_id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return (x > y) - (x < y);
}

/* Add the pool best by cosine to the candidates, and score every candidate's cosine. */
static int search_cosine(library *lib, const float *qvec, int dim, size_t pool,
                         search_cand **cands, size_t *n, augur_err *err)
{
    size_t want = pool * SEARCH_RESCORE, nrows, nbest = 0, total;
    float *q = malloc((size_t)dim * sizeof *q), *scores = malloc(want * sizeof *scores);
    size_t *rows = malloc(want * sizeof *rows), *best = calloc(pool, sizeof *best);
    search_cand *c;
    int rc = AUGUR_OK;

    if (!q || !scores || !rows || !best) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        goto done;
    }
    memcpy(q, qvec, (size_t)dim * sizeof *q);
    search_normalise(q, dim);
    if ((nrows = search_prefilter(lib, q, dim, want, rows, err)) == (size_t)-1) {
        rc = AUGUR_ENOMEM;
        goto done;
    }
    for (size_t r = 0; r < nrows; r++) {
        size_t j;
        scores[r] = search_dot(q, lib->vecs + rows[r] * (size_t)dim, dim);
        if (nbest == pool && scores[r] <= scores[best[nbest - 1]])
            continue;
        j = nbest < pool ? nbest++ : nbest - 1;
        for (; j > 0 && scores[best[j - 1]] < scores[r]; j--)
            best[j] = best[j - 1];
        best[j] = r;
    }
    total = *n + nbest;
    if (!(c = realloc(*cands, (total ? total : 1) * sizeof *c))) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
        goto done;
    }
    *cands = c;
    for (size_t i = 0; i < *n; i++) {
        const int64_t *at = bsearch(&c[i].id, lib->vec_ids, lib->nvecs, sizeof *lib->vec_ids,
                                    search_id_cmp);
        if (at)
            c[i].cosine = search_dot(q, lib->vecs + (size_t)(at - lib->vec_ids) * (size_t)dim,
                                     dim);
    }
    for (size_t b = 0; b < nbest; b++) {
        int64_t id = lib->vec_ids[rows[best[b]]];
        size_t i = 0;
        while (i < *n && c[i].id != id)
            i++;
        if (i < *n)
            continue;
        memset(&c[*n], 0, sizeof c[*n]);
        c[*n].id = id;
        c[(*n)++].cosine = scores[best[b]];
    }
done:
    free(q);
    free(scores);
    free(rows);
    free(best);
    return rc;
}

/* Name, version, kind and description of a candidate found by cosine alone. */
static int search_fill(library *lib, search_cand *c, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "SELECT name, version, kind, description FROM action"
                              " WHERE id = ?1", &st, err);

    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_int64(st, 1, c->id);
    if (sqlite3_step(st) == SQLITE_ROW)
        search_hit_fill(st, 0, &c->hit);
    else
        rc = lib_sqlite_fail(lib, "read a search hit", err);
    sqlite3_finalize(st);
    return rc;
}

static int search_cand_cmp(const void *a, const void *b)
{
    double x = ((const search_cand *)a)->hit.score, y = ((const search_cand *)b)->hit.score;

    if (x != y)
        return x < y ? 1 : -1;
    return strcmp(((const search_cand *)a)->hit.name, ((const search_cand *)b)->hit.name);
}

/* Score the candidates, sort them and keep the k best as hits. */
static int search_rank(library *lib, search_cand *c, size_t n, double weight, int k,
                       action_hit **out, size_t *nout, augur_err *err)
{
    double top = 0;
    int rc;

    for (size_t i = 0; i < n; i++)
        if (c[i].bm25 > top)
            top = c[i].bm25;
    /* Alone, BM25 keeps its own scale; mixed, it is scaled to [0, 1] as the cosine is. */
    for (size_t i = 0; i < n; i++)
        c[i].hit.score = weight == 0 ? c[i].bm25
                       : (1 - weight) * (top > 0 ? c[i].bm25 / top : 0) + weight * c[i].cosine;
    if (n > 1)
        qsort(c, n, sizeof *c, search_cand_cmp);
    if (n > (size_t)k)
        n = (size_t)k;
    if (!(*out = calloc(n ? n : 1, sizeof **out)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        double score = c[i].hit.score;
        if (!c[i].filled && (rc = search_fill(lib, &c[i], err))) {
            free(*out);
            *out = NULL;
            return rc;
        }
        (*out)[i] = c[i].hit;
        (*out)[i].score = score;
    }
    *nout = n;
    return AUGUR_OK;
}

int library_search(library *lib, const char *query, const float *qvec, int dim, double weight,
                   int k, action_hit **out, size_t *n, augur_err *err)
{
    search_cand *c = NULL;
    size_t nc = 0;
    int mixed = qvec && dim > 0, rc;

    *out = NULL;
    *n = 0;
    if (k < 1 || k > SEARCH_K_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "search: k must be from 1 to %d, not %d",
                             SEARCH_K_MAX, k);
    if (mixed && (dim > SEARCH_DIM_MAX || !(weight >= 0 && weight <= 1)))
        return augur_err_set(err, AUGUR_EINVAL, "search: an embedding has 1 to %d dimensions "
                             "and a weight from 0 to 1", SEARCH_DIM_MAX);
    if ((rc = search_bm25(lib, query ? query : "", mixed ? k * SEARCH_POOL : k, &c, &nc, err)))
        return rc;
    if (mixed && (rc = search_cache_load(lib, dim, err)) == AUGUR_OK && lib->nvecs > 0)
        rc = search_cosine(lib, qvec, dim, (size_t)k * SEARCH_POOL, &c, &nc, err);
    else if (!mixed || lib->nvecs == 0)
        weight = 0;
    if (rc == AUGUR_OK)
        rc = search_rank(lib, c, nc, weight, k, out, n, err);
    free(c);
    return rc;
}

int library_embed(library *lib, const char *name, int version, const float *vec, int dim,
                  augur_err *err)
{
    sqlite3_stmt *st;
    int rc;

    if (dim < 1 || dim > SEARCH_DIM_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "embed: an embedding has 1 to %d dimensions, "
                             "not %d", SEARCH_DIM_MAX, dim);
    for (int i = 0; i < dim; i++)
        if (!isfinite(vec[i]))
            return augur_err_set(err, AUGUR_EINVAL, "embed: component %d is not finite", i);
    rc = lib_prepare(lib, version > 0
        ? "INSERT OR REPLACE INTO embedding(action, dim, vec)"
          " SELECT id, ?3, ?4 FROM action WHERE name = ?1 AND version = ?2"
        : "INSERT OR REPLACE INTO embedding(action, dim, vec)"
          " SELECT id, ?3, ?4 FROM head WHERE name = ?1", &st, err);
    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(st, 2, version);
    sqlite3_bind_int(st, 3, dim);
    sqlite3_bind_blob(st, 4, vec, dim * (int)sizeof *vec, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = lib_sqlite_fail(lib, "store the embedding", err);
    else if (sqlite3_changes(lib->db) == 0)
        rc = augur_err_set(err, AUGUR_ENOTFOUND, "no action '%s'", name);
    sqlite3_finalize(st);
    return rc;
}
