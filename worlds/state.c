/*
** state.c — the symbolic state: entities with typed attributes, and a grid.
**
** Everything lives in a few flat arrays, so a clone is a handful of memcpy calls:
** entities, their attributes (each entity's contiguous, in the order set), the
** names (types, attribute keys, symbols, materials) interned in fixed slots with
** their hashes, and the grid's cells as palette indices.
*/
#include "worlds/state.h"

#include "base/buf.h"
#include "base/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct st_attr {
    uint16_t key;           /* name index */
    uint8_t  kind;          /* enum state_kind */
    union { int64_t i; double f; } v;   /* bool and symbol (a name index) in i */
} st_attr;

typedef struct st_entity {
    int64_t  id;
    uint32_t type;          /* name index */
    uint32_t first, count;  /* its attributes */
} st_entity;

typedef struct st_slot {
    char     text[STATE_NAME_MAX + 1];
} st_slot;

struct state {
    st_entity *ents;
    size_t     nents, cap_ents;
    st_attr   *attrs;
    size_t     nattrs, cap_attrs;
    st_slot   *names;
    uint64_t  *name_hash;
    size_t     nnames, cap_names;
    uint64_t   keys_id;     /* a hash of the names in the order they were interned */
    int        gw, gh, npal;
    uint16_t   pal[255];
    uint8_t   *cells;
    size_t     cap_cells;
};

enum { STATE_NAMES_MAX = 65535 };

/* ---- hashing ------------------------------------------------------------- */

static uint64_t st_mix(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    x ^= x >> 31;
    return x;
}

uint64_t state_hash_bytes(const void *p, size_t n, uint64_t h)
{
    const unsigned char *b = p;
    size_t i = 0;

    for (; i + 8 <= n; i += 8) {
        uint64_t w;
        memcpy(&w, b + i, 8);
        h = (h ^ w) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    for (; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ull;
    return st_mix(h);
}

/* ---- names ---------------------------------------------------------------- */

static int st_name_valid(const char *name, size_t *len)
{
    size_t n = 0;

    if (!name)
        return 0;
    for (; name[n]; n++)
        if ((unsigned char)name[n] < 0x20 || (unsigned char)name[n] > 0x7e || n >= STATE_NAME_MAX)
            return 0;
    *len = n;
    return n > 0;
}

static int st_name_find(const state *s, const char *name, size_t len, uint64_t h)
{
    for (size_t i = 0; i < s->nnames; i++)
        if (s->name_hash[i] == h && memcmp(s->names[i].text, name, len + 1) == 0)
            return (int)i;
    return -1;
}

/* Room for need names and their hashes, the two arrays sharing one capacity. */
static int st_names_reserve(state *s, size_t need)
{
    size_t cap = s->cap_names;

    return buf_grow_array(&s->names, &cap, need, sizeof *s->names) ||
           buf_grow_array(&s->name_hash, &s->cap_names, need, sizeof *s->name_hash);
}

/* The index of name, interned when new; a negative code when it cannot be. */
static int st_intern(state *s, const char *name)
{
    size_t len;
    uint64_t h;
    int i;

    if (!st_name_valid(name, &len))
        return AUGUR_EINVAL;
    h = state_hash_bytes(name, len, 0x5bd1e995u);
    if ((i = st_name_find(s, name, len, h)) >= 0)
        return i;
    if (s->nnames >= STATE_NAMES_MAX)
        return AUGUR_ELIMIT;
    if (st_names_reserve(s, s->nnames + 1))
        return AUGUR_ENOMEM;
    memcpy(s->names[s->nnames].text, name, len + 1);
    s->name_hash[s->nnames] = h;
    s->keys_id = st_mix(s->keys_id ^ h) + s->nnames + 1;
    return (int)s->nnames++;
}

static int st_lookup(const state *s, const char *name)
{
    size_t len;

    if (!st_name_valid(name, &len))
        return -1;
    return st_name_find(s, name, len, state_hash_bytes(name, len, 0x5bd1e995u));
}

static const char *st_name(const state *s, size_t i)
{
    return s->names[i].text;
}

/* Whether name ia of a and name ib of b are the same text. */
static int st_same_name(const state *a, size_t ia, const state *b, size_t ib)
{
    if (a == b)
        return ia == ib;
    return a->name_hash[ia] == b->name_hash[ib] && strcmp(a->names[ia].text, b->names[ib].text) == 0;
}

/* ---- life ------------------------------------------------------------------ */

state *state_new(void)
{
    return calloc(1, sizeof(state));
}

void state_free(state *s)
{
    if (!s)
        return;
    free(s->ents);
    free(s->attrs);
    free(s->names);
    free(s->name_hash);
    free(s->cells);
    free(s);
}

void state_clear(state *s)
{
    s->nents = s->nattrs = 0;
    s->gw = s->gh = s->npal = 0;
}

int state_copy(state *dst, const state *src)
{
    size_t ncells = (size_t)src->gw * (size_t)src->gh;

    if (dst == src)
        return AUGUR_OK;
    if (buf_grow_array(&dst->ents, &dst->cap_ents, src->nents, sizeof *dst->ents) ||
        buf_grow_array(&dst->attrs, &dst->cap_attrs, src->nattrs, sizeof *dst->attrs) ||
        buf_grow_array(&dst->cells, &dst->cap_cells, ncells, 1))
        return AUGUR_ENOMEM;
    if (st_names_reserve(dst, src->nnames))
        return AUGUR_ENOMEM;
    if (src->nents)
        memcpy(dst->ents, src->ents, src->nents * sizeof *dst->ents);
    if (src->nattrs)
        memcpy(dst->attrs, src->attrs, src->nattrs * sizeof *dst->attrs);
    /* The same keys id names the same names under the same keys: a copy into a
    ** state copied from the same assignment (a rollout's) need not copy them. */
    if (src->nnames && (dst->keys_id != src->keys_id || dst->nnames != src->nnames)) {
        memcpy(dst->names, src->names, src->nnames * sizeof *dst->names);
        memcpy(dst->name_hash, src->name_hash, src->nnames * sizeof *dst->name_hash);
    }
    if (ncells)
        memcpy(dst->cells, src->cells, ncells);
    dst->nents = src->nents;
    dst->nattrs = src->nattrs;
    dst->nnames = src->nnames;
    dst->keys_id = src->keys_id;
    dst->gw = src->gw;
    dst->gh = src->gh;
    dst->npal = src->npal;
    memcpy(dst->pal, src->pal, sizeof dst->pal);
    return AUGUR_OK;
}

state *state_clone(const state *s)
{
    state *c = state_new();

    if (c && state_copy(c, s) != AUGUR_OK) {
        state_free(c);
        return NULL;
    }
    return c;
}

size_t state_memory(const state *s)
{
    return sizeof *s + s->cap_ents * sizeof *s->ents + s->cap_attrs * sizeof *s->attrs +
           s->cap_names * (sizeof *s->names + sizeof *s->name_hash) + s->cap_cells;
}

/* ---- entities ----------------------------------------------------------- */

int state_entity_find(const state *s, int64_t id)
{
    for (size_t i = 0; i < s->nents; i++)
        if (s->ents[i].id == id)
            return (int)i;
    return -1;
}

int state_entity_add(state *s, int64_t id, const char *type)
{
    int t;

    if (state_entity_find(s, id) >= 0)
        return AUGUR_EINVAL;
    if (s->nents >= INT32_MAX)
        return AUGUR_ELIMIT;
    if ((t = st_intern(s, type)) < 0)
        return t;
    if (buf_grow_array(&s->ents, &s->cap_ents, s->nents + 1, sizeof *s->ents))
        return AUGUR_ENOMEM;
    s->ents[s->nents] = (st_entity){ id, (uint32_t)t, (uint32_t)s->nattrs, 0 };
    return (int)s->nents++;
}

void state_entity_remove(state *s, int index)
{
    st_entity *e;
    size_t first, count;

    if (index < 0 || (size_t)index >= s->nents)
        return;
    e = &s->ents[index];
    first = e->first;
    count = e->count;
    memmove(s->attrs + first, s->attrs + first + count,
            (s->nattrs - first - count) * sizeof *s->attrs);
    s->nattrs -= count;
    memmove(e, e + 1, (s->nents - (size_t)index - 1) * sizeof *e);
    s->nents--;
    for (size_t i = 0; i < s->nents; i++)
        if (s->ents[i].first > first)
            s->ents[i].first -= (uint32_t)count;
}

size_t state_entity_count(const state *s)
{
    return s->nents;
}

int64_t state_entity_id(const state *s, int index)
{
    return index >= 0 && (size_t)index < s->nents ? s->ents[index].id : -1;
}

const char *state_entity_type(const state *s, int index)
{
    return index >= 0 && (size_t)index < s->nents ? st_name(s, s->ents[index].type) : NULL;
}

/* ---- attributes ---------------------------------------------------------- */

static st_attr *st_attr_find(const state *s, const st_entity *e, int key)
{
    for (uint32_t i = 0; i < e->count; i++)
        if (s->attrs[e->first + i].key == key)
            return &s->attrs[e->first + i];
    return NULL;
}

/* The slot for attribute key of entity index, made when missing. */
static st_attr *st_attr_slot(state *s, int index, int key)
{
    st_entity *e = &s->ents[index];
    st_attr *a = st_attr_find(s, e, key);
    size_t at;

    if (a)
        return a;
    if (buf_grow_array(&s->attrs, &s->cap_attrs, s->nattrs + 1, sizeof *s->attrs))
        return NULL;
    at = e->first + e->count;
    memmove(s->attrs + at + 1, s->attrs + at, (s->nattrs - at) * sizeof *s->attrs);
    s->nattrs++;
    for (size_t i = 0; i < s->nents; i++)
        if ((int)i != index && s->ents[i].first >= at)
            s->ents[i].first++;
    e->count++;
    s->attrs[at].key = (uint16_t)key;
    return &s->attrs[at];
}

int state_set(state *s, int index, const char *attr, const state_value *v)
{
    int key;

    if (index < 0 || (size_t)index >= s->nents)
        return AUGUR_EINVAL;
    if ((key = st_intern(s, attr)) < 0)
        return key;
    return state_set_key(s, index, key, v);
}

int state_set_int(state *s, int index, const char *attr, int64_t v)
{
    state_value x = { STATE_INT, { .i = v } };
    return state_set(s, index, attr, &x);
}

int state_set_float(state *s, int index, const char *attr, double v)
{
    state_value x = { STATE_FLOAT, { .f = v } };
    return state_set(s, index, attr, &x);
}

int state_set_bool(state *s, int index, const char *attr, int v)
{
    state_value x = { STATE_BOOL, { .b = v } };
    return state_set(s, index, attr, &x);
}

int state_set_symbol(state *s, int index, const char *attr, const char *sym)
{
    state_value x = { STATE_SYMBOL, { .s = sym } };
    return state_set(s, index, attr, &x);
}

static state_value st_value(const state *s, const st_attr *a)
{
    state_value v;

    v.kind = (enum state_kind)a->kind;
    switch (v.kind) {
    case STATE_FLOAT:  v.as.f = a->v.f; break;
    case STATE_BOOL:   v.as.b = (int)a->v.i; break;
    case STATE_SYMBOL: v.as.s = st_name(s, (size_t)a->v.i); break;
    default:           v.as.i = a->v.i; break;
    }
    return v;
}

int state_get(const state *s, int index, const char *attr, state_value *out)
{
    int key;
    const st_attr *a;

    if (index < 0 || (size_t)index >= s->nents || (key = st_lookup(s, attr)) < 0 ||
        !(a = st_attr_find(s, &s->ents[index], key)))
        return AUGUR_ENOTFOUND;
    *out = st_value(s, a);
    return AUGUR_OK;
}

int64_t state_get_int(const state *s, int index, const char *attr, int64_t def)
{
    state_value v;

    if (state_get(s, index, attr, &v) != AUGUR_OK)
        return def;
    if (v.kind == STATE_INT)
        return v.as.i;
    if (v.kind == STATE_BOOL)
        return v.as.b;
    if (v.kind == STATE_FLOAT)
        return (int64_t)v.as.f;
    return def;
}

/* ---- keys ------------------------------------------------------------------- */

int state_key(const state *s, const char *name)
{
    return st_lookup(s, name);
}

const char *state_key_name(const state *s, int key)
{
    return key >= 0 && (size_t)key < s->nnames ? st_name(s, (size_t)key) : NULL;
}

uint64_t state_keys_id(const state *s)
{
    return s->keys_id;
}

int state_entity_type_key(const state *s, int index)
{
    return index >= 0 && (size_t)index < s->nents ? (int)s->ents[index].type : -1;
}

int state_get_key(const state *s, int index, int key, state_value *out)
{
    const st_attr *a;

    if (index < 0 || (size_t)index >= s->nents || key < 0 ||
        !(a = st_attr_find(s, &s->ents[index], key)))
        return AUGUR_ENOTFOUND;
    *out = st_value(s, a);
    return AUGUR_OK;
}

int state_symbol_key(const state *s, const char *sym)
{
    uintptr_t base = s->nnames ? (uintptr_t)s->names : 0, p = (uintptr_t)sym;

    /* A symbol read from s points at the start of its slot. */
    if (base && p >= base && p < base + s->nnames * sizeof *s->names &&
        (p - base) % sizeof *s->names == 0)
        return (int)((p - base) / sizeof *s->names);
    return st_lookup(s, sym);
}

int state_set_key(state *s, int index, int key, const state_value *v)
{
    st_attr *a;
    int sym = 0;

    if (index < 0 || (size_t)index >= s->nents || key < 0 || (size_t)key >= s->nnames)
        return AUGUR_EINVAL;
    if (v->kind == STATE_FLOAT && !isfinite(v->as.f))
        return AUGUR_EINVAL;
    if (v->kind == STATE_SYMBOL && (sym = st_intern(s, v->as.s)) < 0)
        return sym;
    if (!(a = st_attr_slot(s, index, key)))
        return AUGUR_ENOMEM;
    a->kind = (uint8_t)v->kind;
    switch (v->kind) {
    case STATE_INT:    a->v.i = v->as.i; break;
    case STATE_FLOAT:  a->v.f = v->as.f; break;
    case STATE_BOOL:   a->v.i = v->as.b != 0; break;
    case STATE_SYMBOL: a->v.i = sym; break;
    default:           return AUGUR_EINVAL;
    }
    return AUGUR_OK;
}

size_t state_attr_count(const state *s, int index)
{
    return index >= 0 && (size_t)index < s->nents ? s->ents[index].count : 0;
}

const char *state_attr_at(const state *s, int index, size_t i, state_value *out)
{
    const st_attr *a;

    if (index < 0 || (size_t)index >= s->nents || i >= s->ents[index].count)
        return NULL;
    a = &s->attrs[s->ents[index].first + i];
    if (out)
        *out = st_value(s, a);
    return st_name(s, a->key);
}

size_t state_attrs_numbers(const state *s, int index, int *keys, uint8_t *kinds, double *nums,
                           size_t max)
{
    const st_entity *e;

    if (index < 0 || (size_t)index >= s->nents)
        return 0;
    e = &s->ents[index];
    {
        const st_attr *a = s->attrs + e->first;
        size_t n = e->count < max ? e->count : max;
        for (size_t i = 0; i < n; i++) {
            keys[i] = a[i].key;
            kinds[i] = a[i].kind;
            nums[i] = a[i].kind == STATE_FLOAT ? a[i].v.f : (double)a[i].v.i;
        }
    }
    return e->count;
}

void state_column_numbers(const state *s, int key, int first, int n, uint8_t *kinds,
                          double *nums)
{
    for (int i = 0; i < n; i++) {
        kinds[i] = STATE_ABSENT;
        nums[i] = 0;
        if (key < 0 || first + i < 0 || (size_t)(first + i) >= s->nents)
            continue;
        for (const st_attr *a = s->attrs + s->ents[first + i].first,
                           *end = a + s->ents[first + i].count; a < end; a++)
            if (a->key == key) {
                kinds[i] = a->kind;
                nums[i] = a->kind == STATE_FLOAT ? a->v.f : (double)a->v.i;
                break;
            }
    }
}

/* ---- grid ------------------------------------------------------------------ */

int state_grid_init(state *s, int width, int height, const char *const *palette, int n)
{
    int ids[255];

    if (width < 1 || width > 1024 || height < 1 || height > 1024 || n < 1 || n > 255)
        return AUGUR_EINVAL;
    for (int i = 0; i < n; i++)
        if ((ids[i] = st_intern(s, palette[i])) < 0)
            return ids[i];
    if (buf_grow_array(&s->cells, &s->cap_cells, (size_t)width * (size_t)height, 1))
        return AUGUR_ENOMEM;
    for (int i = 0; i < n; i++)
        s->pal[i] = (uint16_t)ids[i];
    s->npal = n;
    s->gw = width;
    s->gh = height;
    memset(s->cells, 0, (size_t)width * (size_t)height);
    return AUGUR_OK;
}

int state_grid_width(const state *s)  { return s->gw; }
int state_grid_height(const state *s) { return s->gh; }
int state_grid_palette_size(const state *s) { return s->npal; }

const char *state_grid_palette(const state *s, int i)
{
    return i >= 0 && i < s->npal ? st_name(s, s->pal[i]) : NULL;
}

int state_grid_get(const state *s, int x, int y)
{
    if (x < 0 || y < 0 || x >= s->gw || y >= s->gh)
        return -1;
    return s->cells[(size_t)y * (size_t)s->gw + (size_t)x];
}

const uint8_t *state_grid_cells(const state *s)
{
    return s->gw ? s->cells : NULL;
}

void state_grid_set(state *s, int x, int y, int material)
{
    if (x < 0 || y < 0 || x >= s->gw || y >= s->gh || material < 0 || material >= s->npal)
        return;
    s->cells[(size_t)y * (size_t)s->gw + (size_t)x] = (uint8_t)material;
}

/* ---- equality and hashing ---------------------------------------------- */

static uint64_t st_value_hash(const state *s, const st_attr *a)
{
    switch (a->kind) {
    case STATE_FLOAT:
        if (a->v.f == floor(a->v.f) && fabs(a->v.f) < 9.2e18)
            return st_mix((uint64_t)(int64_t)a->v.f);
        {
            uint64_t bits;
            memcpy(&bits, &a->v.f, 8);
            return st_mix(bits ^ 0x2545f4914f6cdd1dull);
        }
    case STATE_BOOL:   return st_mix((uint64_t)a->v.i ^ 0x6a09e667f3bcc908ull);
    case STATE_SYMBOL: return s->name_hash[a->v.i] ^ 0x3c6ef372fe94f82bull;
    default:           return st_mix((uint64_t)a->v.i);
    }
}

/* Numbers by value, others by kind and value. */
static int st_value_equal(const state *sa, const st_attr *a, const state *sb, const st_attr *b)
{
    int na = a->kind == STATE_INT || a->kind == STATE_FLOAT;
    int nb = b->kind == STATE_INT || b->kind == STATE_FLOAT;

    if (na && nb) {
        if (a->kind == STATE_INT && b->kind == STATE_INT)
            return a->v.i == b->v.i;
        return (a->kind == STATE_INT ? (double)a->v.i : a->v.f) ==
               (b->kind == STATE_INT ? (double)b->v.i : b->v.f);
    }
    if (a->kind != b->kind)
        return 0;
    if (a->kind == STATE_SYMBOL)
        return st_same_name(sa, (size_t)a->v.i, sb, (size_t)b->v.i);
    return a->v.i == b->v.i;
}

static uint64_t st_grid_hash(const state *s)
{
    uint64_t h = st_mix((uint64_t)s->gw << 32 | (uint64_t)s->gh);

    for (int i = 0; i < s->npal; i++)
        h = st_mix(h ^ s->name_hash[s->pal[i]]);
    return state_hash_bytes(s->cells, (size_t)s->gw * (size_t)s->gh, h);
}

uint64_t state_hash(const state *s)
{
    uint64_t h = 0;

    /* A sum of per-entity hashes, each a sum over its attributes: independent of
    ** the order of both. */
    for (size_t i = 0; i < s->nents; i++) {
        const st_entity *e = &s->ents[i];
        uint64_t eh = st_mix((uint64_t)e->id ^ s->name_hash[e->type]);
        for (uint32_t j = 0; j < e->count; j++) {
            const st_attr *a = &s->attrs[e->first + j];
            eh += st_mix(s->name_hash[a->key] + st_value_hash(s, a));
        }
        h += st_mix(eh);
    }
    if (s->gw)
        h ^= st_grid_hash(s);
    return h;
}

/* The attribute of eb in b named as attribute ka of a, or NULL. */
static const st_attr *st_attr_match(const state *a, const st_attr *ka, const state *b,
                                    const st_entity *eb, size_t hint)
{
    if (hint < eb->count && st_same_name(a, ka->key, b, b->attrs[eb->first + hint].key))
        return &b->attrs[eb->first + hint];
    for (uint32_t i = 0; i < eb->count; i++)
        if (st_same_name(a, ka->key, b, b->attrs[eb->first + i].key))
            return &b->attrs[eb->first + i];
    return NULL;
}

/* Entity of b with the id of a's entity i, trying the same index first. */
static const st_entity *st_entity_match(const state *a, size_t i, const state *b)
{
    int j;

    if (i < b->nents && b->ents[i].id == a->ents[i].id)
        return &b->ents[i];
    j = state_entity_find(b, a->ents[i].id);
    return j < 0 ? NULL : &b->ents[j];
}

static int st_grid_equal(const state *a, const state *b)
{
    if (a->gw != b->gw || a->gh != b->gh || a->npal != b->npal)
        return 0;
    for (int i = 0; i < a->npal; i++)
        if (!st_same_name(a, a->pal[i], b, b->pal[i]))
            return 0;
    return a->gw == 0 || memcmp(a->cells, b->cells, (size_t)a->gw * (size_t)a->gh) == 0;
}

int state_equal(const state *a, const state *b)
{
    if (a->nents != b->nents || a->nattrs != b->nattrs || !st_grid_equal(a, b))
        return 0;
    for (size_t i = 0; i < a->nents; i++) {
        const st_entity *ea = &a->ents[i], *eb = st_entity_match(a, i, b);
        if (!eb || eb->count != ea->count || !st_same_name(a, ea->type, b, eb->type))
            return 0;
        for (uint32_t j = 0; j < ea->count; j++) {
            const st_attr *ka = &a->attrs[ea->first + j];
            const st_attr *kb = st_attr_match(a, ka, b, eb, j);
            if (!kb || !st_value_equal(a, ka, b, kb))
                return 0;
        }
    }
    return 1;
}

/* ---- diff ------------------------------------------------------------------ */

static int st_change_add(state_changes *out, size_t *cap, const state_change *c)
{
    if (buf_grow_array(&out->items, cap, out->count + 1, sizeof *out->items))
        return AUGUR_ENOMEM;
    out->items[out->count++] = *c;
    return AUGUR_OK;
}

static int st_diff_entity(const state *a, const st_entity *ea, const state *b,
                          const st_entity *eb, state_changes *out, size_t *cap)
{
    state_change c = { .kind = STATE_ATTR_CHANGED, .id = ea->id, .type = st_name(a, ea->type) };

    for (uint32_t j = 0; j < ea->count; j++) {
        const st_attr *ka = &a->attrs[ea->first + j];
        const st_attr *kb = st_attr_match(a, ka, b, eb, j);
        if (kb && st_value_equal(a, ka, b, kb))
            continue;
        c.attr = st_name(a, ka->key);
        c.has_before = 1;
        c.before = st_value(a, ka);
        c.has_after = kb != NULL;
        if (kb)
            c.after = st_value(b, kb);
        if (st_change_add(out, cap, &c))
            return AUGUR_ENOMEM;
    }
    for (uint32_t j = 0; j < eb->count; j++) {
        const st_attr *kb = &b->attrs[eb->first + j];
        if (st_attr_match(b, kb, a, ea, j))
            continue;
        c.attr = st_name(b, kb->key);
        c.has_before = 0;
        c.has_after = 1;
        c.after = st_value(b, kb);
        if (st_change_add(out, cap, &c))
            return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

static int st_diff_cells(const state *a, const state *b, state_changes *out, size_t *cap)
{
    int w = a->gw < b->gw ? a->gw : b->gw, h = a->gh < b->gh ? a->gh : b->gh;
    int same_palette = a->npal == b->npal && a->gw == b->gw;

    for (int i = 0; same_palette && i < a->npal; i++)
        same_palette = st_same_name(a, a->pal[i], b, b->pal[i]);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            int ca = a->cells[y * a->gw + x], cb = b->cells[y * b->gw + x];
            state_change c = { .kind = STATE_CELL_CHANGED, .x = x, .y = y };
            if (same_palette ? ca == cb : st_same_name(a, a->pal[ca], b, b->pal[cb]))
                continue;
            c.cell_before = st_name(a, a->pal[ca]);
            c.cell_after = st_name(b, b->pal[cb]);
            if (st_change_add(out, cap, &c))
                return AUGUR_ENOMEM;
        }
    }
    return AUGUR_OK;
}

int state_diff(const state *a, const state *b, state_changes *out, augur_err *err)
{
    size_t cap = 0;
    int rc = AUGUR_OK;

    out->items = NULL;
    out->count = 0;
    for (size_t i = 0; i < a->nents && rc == AUGUR_OK; i++) {
        const st_entity *ea = &a->ents[i], *eb = st_entity_match(a, i, b);
        state_change c = { .kind = STATE_ENTITY_REMOVED, .id = ea->id, .type = st_name(a, ea->type) };
        if (!eb || !st_same_name(a, ea->type, b, eb->type))
            rc = st_change_add(out, &cap, &c);
        else
            rc = st_diff_entity(a, ea, b, eb, out, &cap);
    }
    for (size_t i = 0; i < b->nents && rc == AUGUR_OK; i++) {
        const st_entity *eb = &b->ents[i], *ea = st_entity_match(b, i, a);
        state_change c = { .kind = STATE_ENTITY_ADDED, .id = eb->id, .type = st_name(b, eb->type) };
        if (!ea || !st_same_name(a, ea->type, b, eb->type))
            rc = st_change_add(out, &cap, &c);
    }
    if (rc == AUGUR_OK && a->gw && b->gw)
        rc = st_diff_cells(a, b, out, &cap);
    if (rc != AUGUR_OK) {
        state_changes_free(out);
        return augur_err_set(err, rc, "state diff: out of memory");
    }
    return AUGUR_OK;
}

void state_changes_free(state_changes *c)
{
    free(c->items);
    c->items = NULL;
    c->count = 0;
}

static int st_value_write(buf *out, const state_value *v)
{
    switch (v->kind) {
    case STATE_INT:  return buf_printf(out, "%lld", (long long)v->as.i);
    case STATE_BOOL: return buf_puts(out, v->as.b ? "true" : "false");
    case STATE_SYMBOL:
        return json_quote(out, v->as.s, strlen(v->as.s));
    case STATE_FLOAT: {
        char num[40];
        snprintf(num, sizeof num, "%.17g", v->as.f);
        /* The shortest text that reads back the same. */
        for (int prec = 1; prec < 17; prec++) {
            char tryit[40];
            snprintf(tryit, sizeof tryit, "%.*g", prec, v->as.f);
            if (strtod(tryit, NULL) == v->as.f) {
                memcpy(num, tryit, sizeof num);
                break;
            }
        }
        if (!strpbrk(num, ".eEn"))
            strcat(num, ".0");
        return buf_puts(out, num);
    }
    }
    return AUGUR_EINVAL;
}

int state_change_write(buf *out, const state_change *c)
{
    switch (c->kind) {
    case STATE_ENTITY_ADDED:
        return buf_printf(out, "%s#%lld added", c->type, (long long)c->id);
    case STATE_ENTITY_REMOVED:
        return buf_printf(out, "%s#%lld removed", c->type, (long long)c->id);
    case STATE_CELL_CHANGED:
        return buf_printf(out, "cell(%d,%d): %s -> %s", c->x, c->y, c->cell_before, c->cell_after);
    case STATE_ATTR_CHANGED:
        buf_printf(out, "%s#%lld.%s: ", c->type, (long long)c->id, c->attr);
        if (c->has_before)
            st_value_write(out, &c->before);
        else
            buf_puts(out, "(none)");
        buf_puts(out, " -> ");
        if (c->has_after)
            return st_value_write(out, &c->after);
        return buf_puts(out, "(none)");
    }
    return AUGUR_EINVAL;
}

/* ---- JSON ------------------------------------------------------------------ */

int state_to_json(const state *s, buf *out)
{
    static const char digits[] = STATE_GRID_DIGITS;

    if (s->npal > (int)sizeof digits - 1)
        return AUGUR_ELIMIT;
    buf_puts(out, "{\"entities\": [");
    for (size_t i = 0; i < s->nents; i++) {
        const st_entity *e = &s->ents[i];
        buf_printf(out, "%s{\"id\": %lld, \"type\": ", i ? ", " : "", (long long)e->id);
        json_quote(out, st_name(s, e->type), strlen(st_name(s, e->type)));
        for (uint32_t j = 0; j < e->count; j++) {
            const st_attr *a = &s->attrs[e->first + j];
            state_value v = st_value(s, a);
            buf_puts(out, ", ");
            json_quote(out, st_name(s, a->key), strlen(st_name(s, a->key)));
            buf_puts(out, ": ");
            st_value_write(out, &v);
        }
        buf_putc(out, '}');
    }
    buf_putc(out, ']');
    if (s->gw) {
        buf_printf(out, ", \"grid\": {\"width\": %d, \"height\": %d, \"palette\": [", s->gw, s->gh);
        for (int i = 0; i < s->npal; i++) {
            const char *m = st_name(s, s->pal[i]);
            if (i)
                buf_puts(out, ", ");
            json_quote(out, m, strlen(m));
        }
        buf_puts(out, "], \"rows\": [");
        for (int y = 0; y < s->gh; y++) {
            buf_puts(out, y ? ", \"" : "\"");
            for (int x = 0; x < s->gw; x++)
                buf_putc(out, digits[s->cells[y * s->gw + x]]);
            buf_putc(out, '"');
        }
        buf_puts(out, "]}");
    }
    return buf_putc(out, '}');
}

static int st_json_attr(state *s, int index, const cJSON *item, const char *name, size_t n,
                        augur_err *err)
{
    state_value v;
    int rc;

    if (cJSON_IsBool(item)) {
        v.kind = STATE_BOOL;
        v.as.b = cJSON_IsTrue(item);
    } else if (cJSON_IsString(item)) {
        v.kind = STATE_SYMBOL;
        v.as.s = item->valuestring;
    } else if (cJSON_IsNumber(item)) {
        double d = item->valuedouble;
        if (d == floor(d) && fabs(d) <= 9007199254740992.0) {
            v.kind = STATE_INT;
            v.as.i = (int64_t)d;
        } else {
            v.kind = STATE_FLOAT;
            v.as.f = d;
        }
    } else {
        return augur_err_set(err, AUGUR_EINVAL,
                             "%s: entities[%zu].%s: expected a number, true, false or a string",
                             name, n, item->string);
    }
    if ((rc = state_set(s, index, item->string, &v)) != AUGUR_OK)
        return augur_err_set(err, rc, "%s: entities[%zu].%s: %s", name, n, item->string,
                             rc == AUGUR_ENOMEM ? "out of memory" : "not a valid name or value");
    return AUGUR_OK;
}

static int st_json_entities(state *s, const cJSON *list, const char *name, augur_err *err)
{
    size_t n = 0;
    const cJSON *e;

    if (!cJSON_IsArray(list))
        return augur_err_set(err, AUGUR_EINVAL, "%s: \"entities\" must be an array", name);
    cJSON_ArrayForEach(e, list) {
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(e, "id");
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(e, "type");
        const cJSON *item;
        int index, rc;

        if (!cJSON_IsObject(e) || !cJSON_IsNumber(id) || id->valuedouble != floor(id->valuedouble) ||
            fabs(id->valuedouble) > 9007199254740992.0 || !cJSON_IsString(type))
            return augur_err_set(err, AUGUR_EINVAL,
                                 "%s: entities[%zu]: expected an object with an integer \"id\" "
                                 "and a string \"type\"", name, n);
        index = state_entity_add(s, (int64_t)id->valuedouble, type->valuestring);
        if (index < 0)
            return augur_err_set(err, index, "%s: entities[%zu]: %s", name, n,
                                 index == AUGUR_ENOMEM ? "out of memory"
                                                       : "duplicate id or invalid type name");
        cJSON_ArrayForEach(item, e) {
            if (strcmp(item->string, "id") == 0 || strcmp(item->string, "type") == 0)
                continue;
            if ((rc = st_json_attr(s, index, item, name, n, err)) != AUGUR_OK)
                return rc;
        }
        n++;
    }
    return AUGUR_OK;
}

static int st_json_grid(state *s, const cJSON *g, const char *name, augur_err *err)
{
    static const char digits[] = STATE_GRID_DIGITS;
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(g, "width");
    const cJSON *h = cJSON_GetObjectItemCaseSensitive(g, "height");
    const cJSON *pal = cJSON_GetObjectItemCaseSensitive(g, "palette");
    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(g, "rows");
    const char *names[sizeof digits - 1];
    int n = 0, y = 0, rc;
    const cJSON *item;

    if (!cJSON_IsObject(g) || !cJSON_IsNumber(w) || !cJSON_IsNumber(h) || !cJSON_IsArray(pal) ||
        !cJSON_IsArray(rows))
        return augur_err_set(err, AUGUR_EINVAL, "%s: \"grid\" needs \"width\", \"height\", "
                             "\"palette\" and \"rows\"", name);
    cJSON_ArrayForEach(item, pal) {
        if (!cJSON_IsString(item) || n >= (int)sizeof digits - 1)
            return augur_err_set(err, AUGUR_EINVAL, "%s: grid.palette: expected at most %d strings",
                                 name, (int)sizeof digits - 1);
        names[n++] = item->valuestring;
    }
    if (w->valuedouble < 1 || w->valuedouble > 1024 || h->valuedouble < 1 || h->valuedouble > 1024 ||
        (rc = state_grid_init(s, (int)w->valuedouble, (int)h->valuedouble, names, n)) != AUGUR_OK)
        return augur_err_set(err, AUGUR_EINVAL, "%s: grid: width and height must be 1..1024 and "
                             "the palette 1..%d valid names", name, (int)sizeof digits - 1);
    if (cJSON_GetArraySize(rows) != s->gh)
        return augur_err_set(err, AUGUR_EINVAL, "%s: grid.rows: expected %d rows", name, s->gh);
    cJSON_ArrayForEach(item, rows) {
        if (!cJSON_IsString(item) || (int)strlen(item->valuestring) != s->gw)
            return augur_err_set(err, AUGUR_EINVAL, "%s: grid.rows[%d]: expected a string of %d "
                                 "characters", name, y, s->gw);
        for (int x = 0; x < s->gw; x++) {
            const char *d = item->valuestring[x] ? strchr(digits, item->valuestring[x]) : NULL;
            if (!d || d - digits >= n)
                return augur_err_set(err, AUGUR_EINVAL, "%s: grid.rows[%d][%d]: '%c' is not a "
                                     "palette index", name, y, x, item->valuestring[x]);
            s->cells[y * s->gw + x] = (uint8_t)(d - digits);
        }
        y++;
    }
    return AUGUR_OK;
}

int state_from_json(const char *text, size_t len, const char *name, state **out, augur_err *err)
{
    cJSON *doc = json_parse(text, len, name, err);
    const cJSON *ents, *grid;
    state *s;
    int rc;

    *out = NULL;
    if (!doc)
        return err ? err->code : AUGUR_ESYNTAX;
    if (!cJSON_IsObject(doc)) {
        cJSON_Delete(doc);
        return augur_err_set(err, AUGUR_EINVAL, "%s: expected a JSON object", name);
    }
    if (!(s = state_new())) {
        cJSON_Delete(doc);
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", name);
    }
    ents = cJSON_GetObjectItemCaseSensitive(doc, "entities");
    grid = cJSON_GetObjectItemCaseSensitive(doc, "grid");
    rc = ents ? st_json_entities(s, ents, name, err) : AUGUR_OK;
    if (rc == AUGUR_OK && grid)
        rc = st_json_grid(s, grid, name, err);
    cJSON_Delete(doc);
    if (rc != AUGUR_OK) {
        state_free(s);
        return rc;
    }
    *out = s;
    return AUGUR_OK;
}
