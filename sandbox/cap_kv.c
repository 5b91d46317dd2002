/*
** cap_kv.c — host.kv: a small store of strings under string keys, one JSON file.
**
** Every call reads the file and every change writes it whole and atomically, so
** the store stays small (max_bytes) and never half-written, and two agents that
** share nothing share no file.
*/
#include "sandbox/caps.h"
#include "sandbox/private.h"
#include "base/file.h"
#include "base/json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { KV_KEY_MAX = 256 };

typedef struct kv_store {
    char   *path;
    int64_t max_bytes;
} kv_store;

static void kv_store_free(void *ud)
{
    kv_store *s = ud;

    free(s->path);
    free(s);
}

/* The store as an object; empty when the file does not exist yet. */
static int kv_load(const kv_store *s, sandbox_value **out, augur_err *err)
{
    struct stat st;
    char *text;
    size_t len;
    int rc;

    if (stat(s->path, &st) != 0 && errno == ENOENT) {
        *out = sandbox_value_new(SANDBOX_OBJECT);
        return *out ? AUGUR_OK : augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    if ((rc = file_read(s->path, (size_t)s->max_bytes + 4096, &text, &len, err)) != AUGUR_OK)
        return rc;
    rc = sandbox_value_parse(text, len, s->path, out, err);
    free(text);
    if (rc == AUGUR_OK && (*out)->type != SANDBOX_OBJECT) {
        sandbox_value_free(*out);
        return augur_err_set(err, AUGUR_EINVAL, "%s: not a JSON object", s->path);
    }
    return rc;
}

/* The folder the store lives in, made when missing. */
static int kv_mkdir(const char *path, augur_err *err)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];

    if (!slash || slash == path)
        return AUGUR_OK;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
    return file_mkdirs(dir, err);
}

static int kv_save(const kv_store *s, const sandbox_value *v, augur_err *err)
{
    buf text = BUF_INIT;
    int rc;

    sandbox_value_write(&text, v, NULL);
    buf_putc(&text, '\n');
    if (text.oom)
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    else if ((int64_t)text.len > s->max_bytes)
        rc = augur_err_set(err, AUGUR_ELIMIT, "the store would exceed %lld bytes",
                           (long long)s->max_bytes);
    else
        rc = kv_mkdir(s->path, err) ?: file_write_atomic(s->path, text.data, text.len, err);
    buf_free(&text);
    return rc;
}

/* The key argument: a string of 1 to KV_KEY_MAX bytes of valid UTF-8 without NUL. */
static int kv_key(const sandbox_call *call, const sandbox_value **key, augur_err *err)
{
    const sandbox_value *k = call->args->n ? call->args->items[0] : NULL;

    if (!k || k->type != SANDBOX_STRING || k->len == 0 || k->len > KV_KEY_MAX ||
        memchr(k->str, '\0', k->len) || !sandbox_utf8_valid(k->str, k->len))
        return augur_err_set(err, AUGUR_EINVAL, "argument 1: a key is a string of 1 to %d bytes "
                             "of UTF-8 text", KV_KEY_MAX);
    *key = k;
    return AUGUR_OK;
}

static int kv_get(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const sandbox_value *key, *hit;
    sandbox_value *store;
    int rc;

    if ((rc = kv_key(call, &key, err)) || (rc = kv_load(call->ud, &store, err)))
        return rc;
    hit = sandbox_value_get(store, key->str);
    if (hit && hit->type == SANDBOX_STRING && !(*ret = sandbox_value_string(hit->str, hit->len)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    sandbox_value_free(store);
    return rc;
}

static int kv_set(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    const sandbox_value *key, *val = call->args->n > 1 ? call->args->items[1] : NULL;
    sandbox_value *store;
    size_t i;
    int rc;

    if ((rc = kv_key(call, &key, err)))
        return rc;
    if (val && val->type != SANDBOX_NIL &&
        (val->type != SANDBOX_STRING || memchr(val->str, '\0', val->len) ||
         !sandbox_utf8_valid(val->str, val->len)))
        return augur_err_set(err, AUGUR_EINVAL, "argument 2: a value is UTF-8 text, or nil to "
                             "delete");
    if ((rc = kv_load(call->ud, &store, err)))
        return rc;
    for (i = 0; i < store->n; i++)
        if (store->items[i]->keylen == key->len && memcmp(store->items[i]->key, key->str, key->len) == 0)
            break;
    if (i < store->n) {
        sandbox_value_free(store->items[i]);
        memmove(store->items + i, store->items + i + 1, (store->n - i - 1) * sizeof *store->items);
        store->n--;
    }
    if (val && val->type == SANDBOX_STRING &&
        sandbox_value_push(store, key->str, key->len, sandbox_value_string(val->str, val->len)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    if (rc == AUGUR_OK)
        rc = kv_save(call->ud, store, err);
    sandbox_value_free(store);
    if (rc == AUGUR_OK && !(*ret = sandbox_value_bool(1)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    return rc;
}

static int kv_key_cmp(const void *a, const void *b)
{
    return strcmp((*(sandbox_value *const *)a)->str, (*(sandbox_value *const *)b)->str);
}

static int kv_keys(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    sandbox_value *store;
    int rc;

    if ((rc = kv_load(call->ud, &store, err)))
        return rc;
    if (!(*ret = sandbox_value_new(SANDBOX_ARRAY)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    for (size_t i = 0; rc == AUGUR_OK && i < store->n; i++)
        if (sandbox_value_push(*ret, NULL, 0, sandbox_value_string(store->items[i]->key,
                                                                   store->items[i]->keylen)))
            rc = augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    sandbox_value_free(store);
    if (rc != AUGUR_OK) {
        sandbox_value_free(*ret);
        *ret = NULL;
        return rc;
    }
    if ((*ret)->n > 1)
        qsort((*ret)->items, (*ret)->n, sizeof *(*ret)->items, kv_key_cmp);
    return AUGUR_OK;
}

int sandbox_kv_add(sandbox *sb, const char *path, int64_t max_bytes, augur_err *err)
{
    static const sandbox_fn fns[] = {
        { "get", kv_get }, { "set", kv_set }, { "keys", kv_keys }, { NULL, NULL },
    };
    kv_store *s = calloc(1, sizeof *s);

    if (!s || !(s->path = strdup(path))) {
        free(s);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    s->max_bytes = max_bytes;
    return sandbox_capability_add(sb, "kv", fns, s, kv_store_free, err);
}
