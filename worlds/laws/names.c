/*
** names.c — the names a law model mentions, interned once: laws compare ids.
*/
#include "worlds/laws/private.h"

#include <stdlib.h>
#include <string.h>

static const char *const names_well_known[N_WELL_KNOWN] = {
    "none", "player", "x", "y", "facing", "left", "right", "up", "down", "stay", "toward", "away",
    "here", "far",
};

static uint64_t names_hash(const char *s, size_t len)
{
    return state_hash_bytes(s, len, 0x6c62272e07bb0142ull);
}

static int names_grow_table(lm_names *n)
{
    int cap = n->tcap ? 2 * n->tcap : 64;
    uint32_t *t = calloc((size_t)cap, sizeof *t);

    if (!t)
        return AUGUR_ENOMEM;
    for (int i = 0; i < n->n; i++) {
        uint64_t h = names_hash(n->text[i], strlen(n->text[i]));
        int j = (int)(h & (uint64_t)(cap - 1));
        while (t[j])
            j = (j + 1) & (cap - 1);
        t[j] = (uint32_t)i + 1;
    }
    free(n->table);
    n->table = t;
    n->tcap = cap;
    return AUGUR_OK;
}

int names_init(lm_names *n)
{
    memset(n, 0, sizeof *n);
    for (int i = 0; i < N_WELL_KNOWN; i++)
        if (names_intern(n, names_well_known[i], strlen(names_well_known[i])) != i)
            return AUGUR_ENOMEM;
    return AUGUR_OK;
}

void names_free(lm_names *n)
{
    for (int i = 0; i < n->n; i++)
        free(n->text[i]);
    free(n->text);
    free(n->table);
    memset(n, 0, sizeof *n);
}

int names_find(const lm_names *n, const char *s, size_t len)
{
    int j;

    if (!n->tcap)
        return -1;
    j = (int)(names_hash(s, len) & (uint64_t)(n->tcap - 1));
    for (; n->table[j]; j = (j + 1) & (n->tcap - 1)) {
        const char *t = n->text[n->table[j] - 1];
        if (strncmp(t, s, len) == 0 && t[len] == '\0')
            return (int)n->table[j] - 1;
    }
    return -1;
}

int names_intern(lm_names *n, const char *s, size_t len)
{
    int id = names_find(n, s, len), j;
    char *copy;

    if (id >= 0)
        return id;
    if (len == 0 || len > STATE_NAME_MAX || memchr(s, 0, len))
        return AUGUR_EINVAL;
    if (n->n >= 0xffff)
        return AUGUR_ELIMIT;
    if (2 * (n->n + 1) > n->tcap && names_grow_table(n) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (n->n == n->cap) {
        int cap = n->cap ? 2 * n->cap : 64;
        char **text = realloc(n->text, (size_t)cap * sizeof *text);
        if (!text)
            return AUGUR_ENOMEM;
        n->text = text;
        n->cap = cap;
    }
    if (!(copy = malloc(len + 1)))
        return AUGUR_ENOMEM;
    memcpy(copy, s, len);
    copy[len] = '\0';
    j = (int)(names_hash(s, len) & (uint64_t)(n->tcap - 1));
    while (n->table[j])
        j = (j + 1) & (n->tcap - 1);
    n->table[j] = (uint32_t)n->n + 1;
    n->text[n->n] = copy;
    return n->n++;
}

const char *names_text(const lm_names *n, int id)
{
    return id >= 0 && id < n->n ? n->text[id] : "?";
}
