/* embed.c — embeddings from the model: for the actions that lack one, and for queries. */
#include "actions/private.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { EMBED_BATCH = 32 };

/* Up to EMBED_BATCH latest versions, not deprecated, without an embedding: their
** names, and "name: description" as the text to embed. */
static int embed_pending(library *lib, char **names, char **texts, size_t *n, augur_err *err)
{
    sqlite3_stmt *st;
    int rc = lib_prepare(lib, "SELECT h.name, a.description FROM head h"
                              " JOIN action a ON a.id = h.id"
                              " LEFT JOIN embedding e ON e.action = h.id"
                              " WHERE e.action IS NULL AND NOT h.deprecated"
                              " ORDER BY h.name LIMIT ?1", &st, err);
    int step;

    *n = 0;
    if (rc != AUGUR_OK)
        return rc;
    sqlite3_bind_int(st, 1, EMBED_BATCH);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        buf text = BUF_INIT;
        const char *name = (const char *)sqlite3_column_text(st, 0);
        buf_printf(&text, "%s: %s", name, (const char *)sqlite3_column_text(st, 1));
        names[*n] = strdup(name);
        texts[*n] = buf_take(&text);
        if (!names[*n] || !texts[(*n)++]) {
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
            break;
        }
    }
    if (rc == AUGUR_OK && step != SQLITE_DONE)
        rc = lib_sqlite_fail(lib, "find the actions without an embedding", err);
    sqlite3_finalize(st);
    return rc;
}

static int embed_store(library *lib, char **names, const model_vectors *v, augur_err *err)
{
    int rc = AUGUR_OK;

    if (v->dim > INT32_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "embed: %zu dimensions", v->dim);
    for (size_t i = 0; i < v->n && rc == AUGUR_OK; i++)
        rc = library_embed(lib, names[i], 0, v->data + i * v->dim, (int)v->dim, err);
    return rc;
}

int library_embed_pending(library *lib, model *m, size_t *count, augur_err *err)
{
    char *names[EMBED_BATCH] = { 0 }, *texts[EMBED_BATCH] = { 0 };
    size_t n;
    int rc;

    *count = 0;
    do {
        model_vectors v = { 0 };
        if ((rc = embed_pending(lib, names, texts, &n, err)) == AUGUR_OK && n &&
            (rc = model_embed(m, (const char *const *)texts, n, &v, err)) == AUGUR_OK &&
            (rc = embed_store(lib, names, &v, err)) == AUGUR_OK)
            *count += n;
        model_vectors_free(&v);
        for (size_t i = 0; i < EMBED_BATCH; i++) {
            free(names[i]);
            free(texts[i]);
            names[i] = texts[i] = NULL;
        }
    } while (rc == AUGUR_OK && n == EMBED_BATCH);
    return rc;
}

int library_search_model(library *lib, model *m, const char *query, double weight, int k,
                         action_hit **out, size_t *n, augur_err *err)
{
    model_vectors v = { 0 };
    int rc;

    *out = NULL;
    *n = 0;
    if ((rc = model_embed(m, &query, 1, &v, err)) == AUGUR_OK)
        rc = v.dim > INT32_MAX
             ? augur_err_set(err, AUGUR_EINVAL, "embed: %zu dimensions", v.dim)
             : library_search(lib, query, v.data, (int)v.dim, weight, k, out, n, err);
    model_vectors_free(&v);
    return rc;
}
