/* strtab.c — string hash table for vocabularies and GGUF keys. */
#include "model/strtab.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

uint64_t strtab_hash(const char *key, size_t len)
{
    /* FNV-1a, then a final mix so that the low bits used as the index vary. */
    uint64_t h = 1469598103934665603ull;

    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)key[i]) * 1099511628211ull;
    h ^= h >> 32;
    h *= 0xd6e8feb86659fd93ull;
    return h ^ (h >> 32);
}

int strtab_init(strtab *t, size_t n)
{
    size_t cap = 16;

    while (cap < n + n / 2 + 1)
        cap *= 2;
    t->slots = calloc(cap, sizeof *t->slots);
    t->mask = cap - 1;
    t->count = 0;
    return t->slots ? AUGUR_OK : AUGUR_ENOMEM;
}

void strtab_free(strtab *t)
{
    free(t->slots);
    t->slots = NULL;
    t->mask = 0;
    t->count = 0;
}

const strtab_slot *strtab_get(const strtab *t, const char *key, size_t len)
{
    if (!t->slots)
        return NULL;
    for (size_t i = strtab_hash(key, len) & t->mask;; i = (i + 1) & t->mask) {
        const strtab_slot *s = &t->slots[i];
        if (!s->key)
            return NULL;
        if (s->len == len && memcmp(s->key, key, len) == 0)
            return s;
    }
}

static int strtab_grow(strtab *t)
{
    strtab bigger;

    if (strtab_init(&bigger, (t->mask + 1) * 2) != AUGUR_OK)
        return AUGUR_ENOMEM;
    for (size_t i = 0; i <= t->mask; i++) {
        const strtab_slot *s = &t->slots[i];
        if (s->key)
            strtab_put(&bigger, s->key, s->len, s->value, NULL);
    }
    free(t->slots);
    *t = bigger;
    return AUGUR_OK;
}

int strtab_put(strtab *t, const char *key, size_t len, uint32_t value, uint32_t *existing)
{
    if (len > UINT32_MAX)
        return AUGUR_ENOMEM;
    if (!t->slots && strtab_init(t, 16) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if ((t->count + 1) * 3 > (t->mask + 1) * 2 && strtab_grow(t) != AUGUR_OK)
        return AUGUR_ENOMEM;
    for (size_t i = strtab_hash(key, len) & t->mask;; i = (i + 1) & t->mask) {
        strtab_slot *s = &t->slots[i];
        if (!s->key) {
            s->key = key ? key : "";
            s->len = (uint32_t)len;
            s->value = value;
            t->count++;
            return 1;
        }
        if (s->len == len && memcmp(s->key, key, len) == 0) {
            if (existing)
                *existing = s->value;
            return 0;
        }
    }
}
