/*
** replay.c — the backend that answers from a file of recorded calls.
**
** Each line of the file is {"hash", "kind", "request", "response"} as model.c
** records it. A call is answered by the first unused response recorded under its
** kind and hash, so a session that asked the same thing twice and got two answers
** gets them again in order; once they are used up, the last is given again. A
** call never recorded is AUGUR_ENOTFOUND.
*/
#include "base/buf.h"
#include "base/json.h"
#include "model/backend.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { KIND_CHAT, KIND_EMBED };

typedef struct replay_entry {
    char   hash[65];
    int    kind;
    size_t seq;        /* its line: the order among equal hashes */
    int    used;
    cJSON *response;
} replay_entry;

typedef struct replay_backend {
    model_backend base;
    char         *path;
    replay_entry *entries;   /* sorted by kind, hash, seq */
    size_t        n, cap;
    char         *name;      /* the one model the chat requests name, or NULL */
    int           names;     /* how many different names they use (up to 2) */
} replay_backend;

static int entry_cmp(const void *a, const void *b)
{
    const replay_entry *x = a, *y = b;
    int c = x->kind - y->kind;

    if (!c)
        c = strcmp(x->hash, y->hash);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The first entry of kind and hash, or NULL. */
static replay_entry *replay_find(replay_backend *rb, int kind, const char *hash)
{
    size_t lo = 0, hi = rb->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        replay_entry *e = &rb->entries[mid];
        int c = e->kind != kind ? e->kind - kind : strcmp(e->hash, hash);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < rb->n && rb->entries[lo].kind == kind && strcmp(rb->entries[lo].hash, hash) == 0)
        return &rb->entries[lo];
    return NULL;
}

/* The response to give for kind and hash: the first unused, else the last. */
static const cJSON *replay_take(replay_backend *rb, int kind, const char *hash, augur_err *err)
{
    replay_entry *e = replay_find(rb, kind, hash), *last = e;

    if (!e) {
        augur_err_set(err, AUGUR_ENOTFOUND, "%s: no recorded %s has this request (hash %.12s): "
                      "it was not recorded, or differs in model, messages or settings", rb->path,
                      kind == KIND_CHAT ? "chat" : "embedding", hash);
        return NULL;
    }
    for (; e < rb->entries + rb->n && e->kind == kind && strcmp(e->hash, hash) == 0; e++) {
        last = e;
        if (!e->used) {
            e->used = 1;
            return e->response;
        }
    }
    return last->response;
}

static void note_name(replay_backend *rb, const cJSON *request)
{
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(request, "model");

    if (!cJSON_IsString(name) || (rb->name && strcmp(rb->name, name->valuestring) == 0))
        return;
    if (rb->names++ == 0)
        rb->name = strdup(name->valuestring);
}

/* One line of the file into an entry. */
static int replay_line(replay_backend *rb, const char *line, size_t len, size_t lineno,
                       augur_err *err)
{
    cJSON *doc;
    const cJSON *hash, *kind;
    replay_entry *e;
    int rc = AUGUR_OK;

    if (!(doc = json_parse(line, len, rb->path, NULL)))
        return augur_err_set(err, AUGUR_ESYNTAX, "%s:%zu: a line that is not JSON", rb->path,
                             lineno);
    hash = cJSON_GetObjectItemCaseSensitive(doc, "hash");
    kind = cJSON_GetObjectItemCaseSensitive(doc, "kind");
    if (!cJSON_IsString(hash) || strlen(hash->valuestring) != 64 || !cJSON_IsString(kind) ||
        (strcmp(kind->valuestring, "chat") != 0 && strcmp(kind->valuestring, "embed") != 0) ||
        !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(doc, "response"))) {
        rc = augur_err_set(err, AUGUR_ESYNTAX, "%s:%zu: not a record (hash, kind, request, "
                           "response)", rb->path, lineno);
    } else if (buf_grow_array(&rb->entries, &rb->cap, rb->n + 1, sizeof *rb->entries) != AUGUR_OK) {
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    } else {
        e = &rb->entries[rb->n++];
        memcpy(e->hash, hash->valuestring, 65);
        e->kind = strcmp(kind->valuestring, "chat") == 0 ? KIND_CHAT : KIND_EMBED;
        e->seq = lineno;
        e->used = 0;
        e->response = cJSON_DetachItemFromObjectCaseSensitive(doc, "response");
        if (e->kind == KIND_CHAT)
            note_name(rb, cJSON_GetObjectItemCaseSensitive(doc, "request"));
    }
    cJSON_Delete(doc);
    return rc;
}

static int replay_load(replay_backend *rb, augur_err *err)
{
    FILE *f = fopen(rb->path, "r");
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t len;
    int rc = AUGUR_OK;

    if (!f)
        return augur_err_set(err, errno == ENOENT ? AUGUR_ENOTFOUND : AUGUR_EIO, "%s: %s",
                             rb->path, strerror(errno));
    while (rc == AUGUR_OK && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        if (len)
            rc = replay_line(rb, line, (size_t)len, lineno, err);
    }
    if (rc == AUGUR_OK && ferror(f))
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", rb->path, strerror(errno));
    free(line);
    fclose(f);
    if (rc == AUGUR_OK && rb->n)
        qsort(rb->entries, rb->n, sizeof *rb->entries, entry_cmp);
    return rc;
}

static int replay_chat(model_backend *b, const model_call *call, model_result *r,
                       augur_err *err)
{
    const cJSON *resp = replay_take((replay_backend *)b, KIND_CHAT, call->hash, err);
    int rc;

    if (!resp)
        return AUGUR_ENOTFOUND;
    rc = reply_from_json(resp, r, err);
    if (rc == AUGUR_OK && call->o->on_text && r->len &&
        call->o->on_text(call->o->ctx, r->text, r->len) != 0)
        rc = augur_err_set(err, AUGUR_ECANCELLED, "cancelled by the stream callback");
    return rc;
}

static int replay_embed(model_backend *b, const cJSON *request, const char *hash,
                        model_vectors *out, int64_t *tokens, augur_err *err)
{
    const cJSON *resp = replay_take((replay_backend *)b, KIND_EMBED, hash, err);

    (void)request;
    return resp ? vectors_from_json(resp, out, tokens, err) : AUGUR_ENOTFOUND;
}

static const char *replay_endpoint(const model_backend *b)
{
    return ((const replay_backend *)b)->path;
}

static void replay_close(model_backend *b)
{
    replay_backend *rb = (replay_backend *)b;

    if (!rb)
        return;
    for (size_t i = 0; i < rb->n; i++)
        cJSON_Delete(rb->entries[i].response);
    free(rb->entries);
    free(rb->name);
    free(rb->path);
    free(rb);
}

static const model_backend_class replay_class = {
    "replay", replay_chat, replay_embed, model_count_estimate, replay_endpoint, replay_close,
};

int model_replay_open(model_backend **out, const model_config *cfg, const char **name,
                      augur_err *err)
{
    replay_backend *rb;
    int rc;

    *out = NULL;
    *name = NULL;
    if (!cfg->replay || !*cfg->replay)
        return augur_err_set(err, AUGUR_EINVAL, "model: the replay backend needs a file "
                             "(model.replay, --replay)");
    if (!(rb = calloc(1, sizeof *rb)) || !(rb->path = strdup(cfg->replay))) {
        free(rb);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    rb->base.cls = &replay_class;
    if ((rc = replay_load(rb, err)) != AUGUR_OK) {
        replay_close(&rb->base);
        return rc;
    }
    if (!*cfg->name && rb->names > 1) {
        replay_close(&rb->base);
        return augur_err_set(err, AUGUR_EINVAL, "%s: the calls name several models: say which "
                             "(model.name, --model)", cfg->replay);
    }
    if (!*cfg->name)
        *name = rb->name;
    *out = &rb->base;
    return AUGUR_OK;
}
