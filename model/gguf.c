/*
** gguf.c — GGUF reader and writer.
**
** The reader walks the file once with a cursor that checks every read against the
** bytes left, builds the metadata values and the tensor table in one arena, and
** hands out pointers into the mapping for strings, scalar arrays and tensor data.
** Counts are checked against the bytes they need before anything is allocated
** for them, so a hostile count cannot make the reader allocate more than a small
** multiple of the file's size.
*/
#include "model/gguf.h"
#include "model/strtab.h"
#include "base/arena.h"
#include "base/file.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the type tables ------------------------------------------------------- */

static const ggml_type_info ggml_types[GGML_TYPE_COUNT] = {
    [GGML_TYPE_F32]     = { "f32",     1,   4   },
    [GGML_TYPE_F16]     = { "f16",     1,   2   },
    [GGML_TYPE_Q4_0]    = { "q4_0",    32,  18  },
    [GGML_TYPE_Q4_1]    = { "q4_1",    32,  20  },
    [GGML_TYPE_Q5_0]    = { "q5_0",    32,  22  },
    [GGML_TYPE_Q5_1]    = { "q5_1",    32,  24  },
    [GGML_TYPE_Q8_0]    = { "q8_0",    32,  34  },
    [GGML_TYPE_Q8_1]    = { "q8_1",    32,  36  },
    [GGML_TYPE_Q2_K]    = { "q2_K",    256, 84  },
    [GGML_TYPE_Q3_K]    = { "q3_K",    256, 110 },
    [GGML_TYPE_Q4_K]    = { "q4_K",    256, 144 },
    [GGML_TYPE_Q5_K]    = { "q5_K",    256, 176 },
    [GGML_TYPE_Q6_K]    = { "q6_K",    256, 210 },
    [GGML_TYPE_Q8_K]    = { "q8_K",    256, 292 },
    [GGML_TYPE_IQ2_XXS] = { "iq2_xxs", 256, 66  },
    [GGML_TYPE_IQ2_XS]  = { "iq2_xs",  256, 74  },
    [GGML_TYPE_IQ3_XXS] = { "iq3_xxs", 256, 98  },
    [GGML_TYPE_IQ1_S]   = { "iq1_s",   256, 50  },
    [GGML_TYPE_IQ4_NL]  = { "iq4_nl",  32,  18  },
    [GGML_TYPE_IQ3_S]   = { "iq3_s",   256, 110 },
    [GGML_TYPE_IQ2_S]   = { "iq2_s",   256, 82  },
    [GGML_TYPE_IQ4_XS]  = { "iq4_xs",  256, 136 },
    [GGML_TYPE_I8]      = { "i8",      1,   1   },
    [GGML_TYPE_I16]     = { "i16",     1,   2   },
    [GGML_TYPE_I32]     = { "i32",     1,   4   },
    [GGML_TYPE_I64]     = { "i64",     1,   8   },
    [GGML_TYPE_F64]     = { "f64",     1,   8   },
    [GGML_TYPE_IQ1_M]   = { "iq1_m",   256, 56  },
    [GGML_TYPE_BF16]    = { "bf16",    1,   2   },
    [GGML_TYPE_TQ1_0]   = { "tq1_0",   256, 54  },
    [GGML_TYPE_TQ2_0]   = { "tq2_0",   256, 66  },
    [GGML_TYPE_MXFP4]   = { "mxfp4",   32,  17  },
};

const ggml_type_info *ggml_type_get(uint32_t type)
{
    static const ggml_type_info none = { NULL, 0, 0 };
    return type < GGML_TYPE_COUNT && ggml_types[type].name ? &ggml_types[type] : &none;
}

uint64_t ggml_type_bytes(uint32_t type, uint64_t n)
{
    const ggml_type_info *t = ggml_type_get(type);

    if (!t->name || n % t->block_size != 0 || n / t->block_size > UINT64_MAX / t->type_size)
        return 0;
    return n / t->block_size * t->type_size;
}

/* Bytes of one scalar of each metadata type; 0 for strings and arrays. */
static const uint8_t gguf_scalar_size[GGUF_TYPE_COUNT] = {
    [GGUF_TYPE_UINT8] = 1, [GGUF_TYPE_INT8] = 1, [GGUF_TYPE_UINT16] = 2, [GGUF_TYPE_INT16] = 2,
    [GGUF_TYPE_UINT32] = 4, [GGUF_TYPE_INT32] = 4, [GGUF_TYPE_FLOAT32] = 4, [GGUF_TYPE_BOOL] = 1,
    [GGUF_TYPE_UINT64] = 8, [GGUF_TYPE_INT64] = 8, [GGUF_TYPE_FLOAT64] = 8,
};

const char *gguf_type_name(uint32_t type)
{
    static const char *const names[GGUF_TYPE_COUNT] = {
        "u8", "i8", "u16", "i16", "u32", "i32", "f32", "bool", "string", "array", "u64", "i64",
        "f64",
    };
    return type < GGUF_TYPE_COUNT ? names[type] : "unknown";
}

/* ---- values ------------------------------------------------------------------ */

struct gguf_value {
    uint32_t type;
    uint32_t elem;     /* arrays: the element type */
    uint64_t count;    /* arrays: the number of elements */
    union {
        uint64_t             u;
        int64_t              i;
        double               f;
        gguf_str             str;
        const unsigned char *data;    /* arrays of scalars: packed, as in the file */
        gguf_str            *strs;    /* arrays of strings */
        gguf_value          *items;   /* arrays of arrays */
    } u;
};

typedef struct gguf_kv {
    gguf_str   key;
    gguf_value value;
} gguf_kv;

struct gguf {
    const unsigned char *base;
    uint64_t             size;
    int                  mapped;
    uint32_t             version;
    uint64_t             alignment;
    uint64_t             data_offset;
    gguf_kv             *kvs;
    size_t               n_kv;
    gguf_tensor         *tensors;
    size_t               n_tensors;
    strtab               keys, names;
    arena               *arena;
};

static uint64_t le_read(const unsigned char *p, unsigned n)
{
    uint64_t v = 0;

    for (unsigned i = 0; i < n; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* Decode the scalar of type at p into v. */
static void scalar_decode(uint32_t type, const unsigned char *p, gguf_value *v)
{
    uint64_t raw = le_read(p, gguf_scalar_size[type]);

    v->type = type;
    switch (type) {
    case GGUF_TYPE_INT8:    v->u.i = (int8_t)raw; break;
    case GGUF_TYPE_INT16:   v->u.i = (int16_t)raw; break;
    case GGUF_TYPE_INT32:   v->u.i = (int32_t)raw; break;
    case GGUF_TYPE_INT64:   v->u.i = (int64_t)raw; break;
    case GGUF_TYPE_FLOAT32: {
        uint32_t bits = (uint32_t)raw;
        float f;
        memcpy(&f, &bits, sizeof f);
        v->u.f = f;
        break;
    }
    case GGUF_TYPE_FLOAT64: memcpy(&v->u.f, &raw, sizeof v->u.f); break;
    case GGUF_TYPE_BOOL:    v->u.u = raw != 0; break;
    default:                v->u.u = raw; break;
    }
}

static int type_is_signed(uint32_t t)
{
    return t == GGUF_TYPE_INT8 || t == GGUF_TYPE_INT16 || t == GGUF_TYPE_INT32 ||
           t == GGUF_TYPE_INT64;
}

static int type_is_float(uint32_t t)
{
    return t == GGUF_TYPE_FLOAT32 || t == GGUF_TYPE_FLOAT64;
}

static int type_is_integer(uint32_t t)
{
    return t < GGUF_TYPE_COUNT && gguf_scalar_size[t] && !type_is_float(t);
}

enum gguf_type gguf_value_type(const gguf_value *v)
{
    return (enum gguf_type)v->type;
}

int gguf_get_int(const gguf_value *v, int64_t *out)
{
    if (!v || !type_is_integer(v->type))
        return AUGUR_EINVAL;
    if (!type_is_signed(v->type) && v->u.u > INT64_MAX)
        return AUGUR_EINVAL;
    *out = v->u.i;
    return AUGUR_OK;
}

int gguf_get_uint(const gguf_value *v, uint64_t *out)
{
    if (!v || !type_is_integer(v->type) || (type_is_signed(v->type) && v->u.i < 0))
        return AUGUR_EINVAL;
    *out = v->u.u;
    return AUGUR_OK;
}

int gguf_get_float(const gguf_value *v, double *out)
{
    if (v && type_is_float(v->type))
        *out = v->u.f;
    else if (v && type_is_integer(v->type))
        *out = type_is_signed(v->type) ? (double)v->u.i : (double)v->u.u;
    else
        return AUGUR_EINVAL;
    return AUGUR_OK;
}

int gguf_get_bool(const gguf_value *v, int *out)
{
    if (!v || v->type != GGUF_TYPE_BOOL)
        return AUGUR_EINVAL;
    *out = (int)v->u.u;
    return AUGUR_OK;
}

int gguf_get_str(const gguf_value *v, gguf_str *out)
{
    if (!v || v->type != GGUF_TYPE_STRING)
        return AUGUR_EINVAL;
    *out = v->u.str;
    return AUGUR_OK;
}

enum gguf_type gguf_array_type(const gguf_value *v)
{
    return v && v->type == GGUF_TYPE_ARRAY ? (enum gguf_type)v->elem : GGUF_TYPE_COUNT;
}

uint64_t gguf_array_len(const gguf_value *v)
{
    return v && v->type == GGUF_TYPE_ARRAY ? v->count : 0;
}

/* Element i of a scalar array as a value of its own. */
static int array_scalar(const gguf_value *v, uint64_t i, gguf_value *e)
{
    if (!v || v->type != GGUF_TYPE_ARRAY || i >= v->count || v->elem >= GGUF_TYPE_COUNT ||
        !gguf_scalar_size[v->elem])
        return AUGUR_EINVAL;
    scalar_decode(v->elem, v->u.data + i * gguf_scalar_size[v->elem], e);
    return AUGUR_OK;
}

int gguf_array_int(const gguf_value *v, uint64_t i, int64_t *out)
{
    gguf_value e;
    return array_scalar(v, i, &e) == AUGUR_OK ? gguf_get_int(&e, out) : AUGUR_EINVAL;
}

int gguf_array_float(const gguf_value *v, uint64_t i, double *out)
{
    gguf_value e;
    return array_scalar(v, i, &e) == AUGUR_OK ? gguf_get_float(&e, out) : AUGUR_EINVAL;
}

gguf_str gguf_array_str(const gguf_value *v, uint64_t i)
{
    gguf_str none = { NULL, 0 };

    if (!v || v->type != GGUF_TYPE_ARRAY || v->elem != GGUF_TYPE_STRING || i >= v->count)
        return none;
    return v->u.strs[i];
}

const gguf_value *gguf_array_at(const gguf_value *v, uint64_t i)
{
    if (!v || v->type != GGUF_TYPE_ARRAY || v->elem != GGUF_TYPE_ARRAY || i >= v->count)
        return NULL;
    return &v->u.items[i];
}

const void *gguf_array_data(const gguf_value *v)
{
    if (!v || v->type != GGUF_TYPE_ARRAY || v->elem >= GGUF_TYPE_COUNT ||
        !gguf_scalar_size[v->elem])
        return NULL;
    return v->u.data;
}

/* ---- reading ----------------------------------------------------------------- */

typedef struct gguf_cursor {
    gguf       *g;
    uint64_t    pos;
    const char *name;      /* the file, for errors */
    const char *what;      /* the item being read, for errors */
    augur_err  *err;
} gguf_cursor;

static int __attribute__((format(printf, 3, 4)))
cursor_fail(gguf_cursor *c, int code, const char *fmt, ...)
{
    char msg[AUGUR_ERRMSG_MAX];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return augur_err_set(c->err, code, "%s: %s%s%s", c->name, c->what ? c->what : "",
                         c->what ? ": " : "", msg);
}

static uint64_t cursor_left(const gguf_cursor *c)
{
    return c->g->size - c->pos;
}

static int cursor_need(gguf_cursor *c, uint64_t n, const char *item)
{
    if (n > cursor_left(c))
        return cursor_fail(c, AUGUR_EINVAL,
                           "%s (%llu bytes at offset %llu) runs past the end of the file "
                           "(%llu bytes)", item, (unsigned long long)n,
                           (unsigned long long)c->pos, (unsigned long long)c->g->size);
    return AUGUR_OK;
}

static int cursor_uint(gguf_cursor *c, unsigned n, uint64_t *out, const char *item)
{
    int rc = cursor_need(c, n, item);

    if (rc == AUGUR_OK) {
        *out = le_read(c->g->base + c->pos, n);
        c->pos += n;
    }
    return rc;
}

static int cursor_str(gguf_cursor *c, gguf_str *s, const char *item)
{
    uint64_t len;
    int rc = cursor_uint(c, 8, &len, item);

    if (rc != AUGUR_OK)
        return rc;
    if (len > cursor_left(c))
        return cursor_fail(c, AUGUR_EINVAL,
                           "%s length %llu at offset %llu runs past the end of the file "
                           "(%llu bytes left)", item, (unsigned long long)len,
                           (unsigned long long)(c->pos - 8), (unsigned long long)cursor_left(c));
    s->ptr = (const char *)c->g->base + c->pos;
    s->len = (size_t)len;
    c->pos += len;
    return AUGUR_OK;
}

/* The fewest bytes one element of type takes in a file. */
static uint64_t type_min_size(uint32_t type)
{
    if (type == GGUF_TYPE_STRING)
        return 8;
    if (type == GGUF_TYPE_ARRAY)
        return 12;
    return gguf_scalar_size[type];
}

static int cursor_type(gguf_cursor *c, uint32_t *type, const char *item)
{
    uint64_t t;
    int rc = cursor_uint(c, 4, &t, item);

    if (rc != AUGUR_OK)
        return rc;
    if (t >= GGUF_TYPE_COUNT)
        return cursor_fail(c, AUGUR_EINVAL, "unknown %s %llu at offset %llu", item,
                           (unsigned long long)t, (unsigned long long)(c->pos - 4));
    *type = (uint32_t)t;
    return AUGUR_OK;
}

static int cursor_value(gguf_cursor *c, uint32_t type, gguf_value *v, int depth);

static int cursor_array(gguf_cursor *c, gguf_value *v, int depth)
{
    uint64_t count, min;
    int rc;

    if (depth >= GGUF_MAX_DEPTH)
        return cursor_fail(c, AUGUR_ELIMIT, "arrays nested deeper than %d at offset %llu",
                           GGUF_MAX_DEPTH, (unsigned long long)c->pos);
    if ((rc = cursor_type(c, &v->elem, "array element type")) != AUGUR_OK ||
        (rc = cursor_uint(c, 8, &count, "array length")) != AUGUR_OK)
        return rc;
    min = type_min_size(v->elem);
    if (count > cursor_left(c) / min)
        return cursor_fail(c, AUGUR_EINVAL,
                           "array of %llu %s elements at offset %llu needs more than the "
                           "%llu bytes left", (unsigned long long)count,
                           gguf_type_name(v->elem), (unsigned long long)(c->pos - 12),
                           (unsigned long long)cursor_left(c));
    v->count = count;
    if (gguf_scalar_size[v->elem]) {
        v->u.data = c->g->base + c->pos;
        c->pos += count * min;
        return AUGUR_OK;
    }
    if (v->elem == GGUF_TYPE_STRING) {
        v->u.strs = arena_alloc(c->g->arena, count * sizeof *v->u.strs + 1);
        if (!v->u.strs)
            return cursor_fail(c, AUGUR_ENOMEM, "out of memory");
        for (uint64_t i = 0; i < count; i++)
            if ((rc = cursor_str(c, &v->u.strs[i], "array string")) != AUGUR_OK)
                return rc;
        return AUGUR_OK;
    }
    v->u.items = arena_calloc(c->g->arena, count + 1, sizeof *v->u.items);
    if (!v->u.items)
        return cursor_fail(c, AUGUR_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < count; i++)
        if ((rc = cursor_value(c, v->elem, &v->u.items[i], depth + 1)) != AUGUR_OK)
            return rc;
    return AUGUR_OK;
}

static int cursor_value(gguf_cursor *c, uint32_t type, gguf_value *v, int depth)
{
    int rc;

    v->type = type;
    if (type == GGUF_TYPE_STRING)
        return cursor_str(c, &v->u.str, "string");
    if (type == GGUF_TYPE_ARRAY)
        return cursor_array(c, v, depth);
    if ((rc = cursor_need(c, gguf_scalar_size[type], gguf_type_name(type))) != AUGUR_OK)
        return rc;
    scalar_decode(type, c->g->base + c->pos, v);
    c->pos += gguf_scalar_size[type];
    return AUGUR_OK;
}

static int read_header(gguf_cursor *c, uint64_t *n_tensors, uint64_t *n_kv)
{
    const unsigned char *p = c->g->base;
    uint64_t version;
    int rc;

    if (c->g->size < 4 || memcmp(p, "GGUF", 4) != 0)
        return cursor_fail(c, AUGUR_EINVAL, "not a GGUF file (bad magic: the file does not "
                           "begin with \"GGUF\")");
    c->pos = 4;
    if ((rc = cursor_uint(c, 4, &version, "header")) != AUGUR_OK)
        return rc;
    if (version == 1)
        return cursor_fail(c, AUGUR_EINVAL, "GGUF version 1 is not supported (versions 2 and 3 "
                           "are)");
    if (version < 2 || version > 3)
        return cursor_fail(c, AUGUR_EINVAL, "unsupported GGUF version %llu (versions 2 and 3 "
                           "are supported%s)", (unsigned long long)version,
                           (version >> 24) == 2 || (version >> 24) == 3 ? "; this looks like a "
                           "big-endian file" : "");
    c->g->version = (uint32_t)version;
    if ((rc = cursor_uint(c, 8, n_tensors, "header")) != AUGUR_OK ||
        (rc = cursor_uint(c, 8, n_kv, "header")) != AUGUR_OK)
        return rc;
    /* A key-value pair takes at least 13 bytes, a tensor entry at least 24. */
    if (*n_kv > cursor_left(c) / 13)
        return cursor_fail(c, AUGUR_EINVAL, "metadata count %llu is more than the %llu bytes "
                           "after the header can hold", (unsigned long long)*n_kv,
                           (unsigned long long)cursor_left(c));
    if (*n_tensors > cursor_left(c) / 24)
        return cursor_fail(c, AUGUR_EINVAL, "tensor count %llu is more than the %llu bytes "
                           "after the header can hold", (unsigned long long)*n_tensors,
                           (unsigned long long)cursor_left(c));
    return AUGUR_OK;
}

static int read_kvs(gguf_cursor *c, uint64_t n)
{
    gguf *g = c->g;
    char what[160];
    int rc;

    g->kvs = arena_calloc(g->arena, n + 1, sizeof *g->kvs);
    if (!g->kvs || strtab_init(&g->keys, n) != AUGUR_OK)
        return cursor_fail(c, AUGUR_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        gguf_kv *kv = &g->kvs[i];
        uint32_t type;

        snprintf(what, sizeof what, "metadata entry %llu", (unsigned long long)i);
        c->what = what;
        if ((rc = cursor_str(c, &kv->key, "key")) != AUGUR_OK)
            return rc;
        snprintf(what, sizeof what, "metadata entry %llu '%.*s'", (unsigned long long)i,
                 (int)(kv->key.len > 80 ? 80 : kv->key.len), kv->key.ptr);
        if ((rc = cursor_type(c, &type, "value type")) != AUGUR_OK ||
            (rc = cursor_value(c, type, &kv->value, 0)) != AUGUR_OK)
            return rc;
        rc = strtab_put(&g->keys, kv->key.ptr, kv->key.len, (uint32_t)i, NULL);
        if (rc < 0)
            return cursor_fail(c, AUGUR_ENOMEM, "out of memory");
        if (rc == 0)
            return cursor_fail(c, AUGUR_EINVAL, "duplicate key");
        g->n_kv++;
    }
    c->what = NULL;
    return AUGUR_OK;
}

static int read_alignment(gguf_cursor *c)
{
    const gguf_value *v = gguf_find(c->g, "general.alignment");

    c->g->alignment = GGUF_DEFAULT_ALIGNMENT;
    if (!v)
        return AUGUR_OK;
    if (v->type != GGUF_TYPE_UINT32)
        return cursor_fail(c, AUGUR_EINVAL, "general.alignment is a %s, not a u32",
                           gguf_type_name(v->type));
    if (v->u.u == 0 || (v->u.u & (v->u.u - 1)) != 0)
        return cursor_fail(c, AUGUR_EINVAL, "general.alignment %llu is not a power of two",
                           (unsigned long long)v->u.u);
    c->g->alignment = v->u.u;
    return AUGUR_OK;
}

static int read_tensor_info(gguf_cursor *c, uint64_t i, gguf_tensor *t)
{
    char what[GGUF_NAME_MAX + 32];
    const ggml_type_info *ti;
    uint64_t n_dims, type, n = 1;
    gguf_str name;
    int rc;

    if ((rc = cursor_str(c, &name, "tensor name")) != AUGUR_OK)
        return rc;
    if (name.len > GGUF_NAME_MAX)
        return cursor_fail(c, AUGUR_EINVAL, "tensor name of %zu bytes at offset %llu (at most %d)",
                           name.len, (unsigned long long)(c->pos - name.len - 8), GGUF_NAME_MAX);
    t->name = arena_strndup(c->g->arena, name.ptr, name.len);
    if (!t->name)
        return cursor_fail(c, AUGUR_ENOMEM, "out of memory");
    if (memchr(name.ptr, '\0', name.len))
        return cursor_fail(c, AUGUR_EINVAL, "tensor name '%s' holds a NUL byte", t->name);
    snprintf(what, sizeof what, "tensor %llu '%s'", (unsigned long long)i, t->name);
    c->what = what;
    if ((rc = cursor_uint(c, 4, &n_dims, "dimension count")) != AUGUR_OK)
        return rc;
    if (n_dims > GGUF_MAX_DIMS)
        return cursor_fail(c, AUGUR_EINVAL, "%llu dimensions (at most %d)",
                           (unsigned long long)n_dims, GGUF_MAX_DIMS);
    t->n_dims = (uint32_t)n_dims;
    for (int d = 0; d < GGUF_MAX_DIMS; d++) {
        t->ne[d] = 1;
        if ((uint64_t)d < n_dims && (rc = cursor_uint(c, 8, &t->ne[d], "dimension")) != AUGUR_OK)
            return rc;
        if (t->ne[d] > INT64_MAX)
            return cursor_fail(c, AUGUR_EINVAL, "dimension %d is %llu (more than 2^63 - 1)", d,
                               (unsigned long long)t->ne[d]);
        if (t->ne[d] != 0 && n > INT64_MAX / t->ne[d])
            return cursor_fail(c, AUGUR_EINVAL, "the element count overflows (dimensions "
                               "%llu x %llu x %llu x %llu)", (unsigned long long)t->ne[0],
                               (unsigned long long)t->ne[1], (unsigned long long)t->ne[2],
                               (unsigned long long)t->ne[3]);
        n *= t->ne[d];
    }
    t->n_elements = n;
    if ((rc = cursor_uint(c, 4, &type, "tensor type")) != AUGUR_OK)
        return rc;
    ti = ggml_type_get((uint32_t)type);
    if (!ti->name)
        return cursor_fail(c, AUGUR_EINVAL, "unknown tensor type %llu", (unsigned long long)type);
    t->type = (uint32_t)type;
    if (t->ne[0] % ti->block_size != 0)
        return cursor_fail(c, AUGUR_EINVAL, "row length %llu is not a multiple of the %s block "
                           "size %u", (unsigned long long)t->ne[0], ti->name, ti->block_size);
    t->size = ggml_type_bytes(t->type, n);
    if (n && !t->size)
        return cursor_fail(c, AUGUR_EINVAL, "the size in bytes overflows");
    if ((rc = cursor_uint(c, 8, &t->offset, "data offset")) != AUGUR_OK)
        return rc;
    if (t->offset % c->g->alignment != 0)
        return cursor_fail(c, AUGUR_EINVAL, "data offset %llu is not a multiple of the "
                           "alignment %llu", (unsigned long long)t->offset,
                           (unsigned long long)c->g->alignment);
    return AUGUR_OK;
}

static int read_tensors(gguf_cursor *c, uint64_t n)
{
    gguf *g = c->g;
    char what[GGUF_NAME_MAX + 32];
    int rc;

    g->tensors = arena_calloc(g->arena, n + 1, sizeof *g->tensors);
    if (!g->tensors || strtab_init(&g->names, n) != AUGUR_OK)
        return cursor_fail(c, AUGUR_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        gguf_tensor *t = &g->tensors[i];
        snprintf(what, sizeof what, "tensor %llu", (unsigned long long)i);
        c->what = what;
        if ((rc = read_tensor_info(c, i, t)) != AUGUR_OK)
            return rc;
        snprintf(what, sizeof what, "tensor %llu '%s'", (unsigned long long)i, t->name);
        c->what = what;
        rc = strtab_put(&g->names, t->name, strlen(t->name), (uint32_t)i, NULL);
        if (rc < 0)
            return cursor_fail(c, AUGUR_ENOMEM, "out of memory");
        if (rc == 0)
            return cursor_fail(c, AUGUR_EINVAL, "duplicate tensor name");
        g->n_tensors++;
    }
    c->what = NULL;
    return AUGUR_OK;
}

static uint64_t align_up(uint64_t n, uint64_t alignment)
{
    return n + (alignment - n % alignment) % alignment;
}

/* Where the data section begins, and every tensor inside it. */
static int place_tensors(gguf_cursor *c)
{
    gguf *g = c->g;
    char what[GGUF_NAME_MAX + 16];
    uint64_t data_size;

    g->data_offset = align_up(c->pos, g->alignment);
    if (g->n_tensors > 0 && g->data_offset > g->size)
        return cursor_fail(c, AUGUR_EINVAL, "the data section would begin at offset %llu "
                           "(alignment %llu), past the end of the file (%llu bytes)",
                           (unsigned long long)g->data_offset, (unsigned long long)g->alignment,
                           (unsigned long long)g->size);
    data_size = g->size - g->data_offset;
    for (size_t i = 0; i < g->n_tensors; i++) {
        gguf_tensor *t = &g->tensors[i];
        snprintf(what, sizeof what, "tensor '%s'", t->name);
        c->what = what;
        if (t->offset > data_size || t->size > data_size - t->offset)
            return cursor_fail(c, AUGUR_EINVAL, "data of %llu bytes at offset %llu runs past "
                               "the end of the data section (%llu bytes from offset %llu)",
                               (unsigned long long)t->size, (unsigned long long)t->offset,
                               (unsigned long long)data_size, (unsigned long long)g->data_offset);
        t->data = g->base + g->data_offset + t->offset;
    }
    c->what = NULL;
    return AUGUR_OK;
}

static int gguf_parse(gguf *g, const char *name, augur_err *err)
{
    gguf_cursor c = { g, 0, name, NULL, err };
    uint64_t n_tensors = 0, n_kv = 0;
    int rc;

    g->arena = arena_new(0);
    if (!g->arena)
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", name);
    if ((rc = read_header(&c, &n_tensors, &n_kv)) != AUGUR_OK ||
        (rc = read_kvs(&c, n_kv)) != AUGUR_OK || (rc = read_alignment(&c)) != AUGUR_OK ||
        (rc = read_tensors(&c, n_tensors)) != AUGUR_OK)
        return rc;
    return place_tensors(&c);
}

int gguf_open_memory(gguf **out, const void *data, size_t len, const char *name, augur_err *err)
{
    gguf *g = calloc(1, sizeof *g);
    int rc;

    *out = NULL;
    if (!g)
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", name);
    g->base = data;
    g->size = len;
    if ((rc = gguf_parse(g, name, err)) != AUGUR_OK) {
        gguf_close(g);
        return rc;
    }
    *out = g;
    return AUGUR_OK;
}

int gguf_open(gguf **out, const char *path, augur_err *err)
{
    struct stat st;
    void *map;
    int fd, rc;

    *out = NULL;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return augur_err_set(err, errno == ENOENT ? AUGUR_ENOTFOUND : AUGUR_EIO, "%s: %s", path,
                             strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", path,
                           S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
        close(fd);
        return rc;
    }
    if (st.st_size == 0) {
        close(fd);
        return augur_err_set(err, AUGUR_EINVAL, "%s: empty file (not a GGUF file)", path);
    }
    map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (map == MAP_FAILED)
        return augur_err_set(err, AUGUR_EIO, "%s: mmap: %s", path, strerror(errno));
    rc = gguf_open_memory(out, map, (size_t)st.st_size, path, err);
    if (rc != AUGUR_OK) {
        munmap(map, (size_t)st.st_size);
        return rc;
    }
    (*out)->mapped = 1;
    return AUGUR_OK;
}

void gguf_close(gguf *g)
{
    if (!g)
        return;
    if (g->mapped)
        munmap((void *)g->base, (size_t)g->size);
    strtab_free(&g->keys);
    strtab_free(&g->names);
    arena_free(g->arena);
    free(g);
}

uint32_t gguf_version(const gguf *g)     { return g->version; }
size_t   gguf_alignment(const gguf *g)   { return (size_t)g->alignment; }
uint64_t gguf_file_size(const gguf *g)   { return g->size; }
uint64_t gguf_data_offset(const gguf *g) { return g->data_offset; }
size_t   gguf_kv_count(const gguf *g)    { return g->n_kv; }
size_t   gguf_tensor_count(const gguf *g) { return g->n_tensors; }

gguf_str gguf_kv_key(const gguf *g, size_t i)
{
    gguf_str none = { NULL, 0 };
    return i < g->n_kv ? g->kvs[i].key : none;
}

const gguf_value *gguf_kv_value(const gguf *g, size_t i)
{
    return i < g->n_kv ? &g->kvs[i].value : NULL;
}

const gguf_value *gguf_find(const gguf *g, const char *key)
{
    const strtab_slot *s = strtab_get(&g->keys, key, strlen(key));
    return s && s->value < g->n_kv ? &g->kvs[s->value].value : NULL;
}

const gguf_tensor *gguf_tensor_at(const gguf *g, size_t i)
{
    return i < g->n_tensors ? &g->tensors[i] : NULL;
}

const gguf_tensor *gguf_tensor_find(const gguf *g, const char *name)
{
    const strtab_slot *s = strtab_get(&g->names, name, strlen(name));
    return s && s->value < g->n_tensors ? &g->tensors[s->value] : NULL;
}

int64_t gguf_find_int(const gguf *g, const char *key, int64_t dflt)
{
    int64_t v;
    return gguf_get_int(gguf_find(g, key), &v) == AUGUR_OK ? v : dflt;
}

double gguf_find_float(const gguf *g, const char *key, double dflt)
{
    double v;
    return gguf_get_float(gguf_find(g, key), &v) == AUGUR_OK ? v : dflt;
}

gguf_str gguf_find_str(const gguf *g, const char *key)
{
    gguf_str s = { NULL, 0 };
    gguf_get_str(gguf_find(g, key), &s);
    return s;
}

/* ---- writing ----------------------------------------------------------------- */

typedef struct gguf_wtensor {
    const char   *name;
    uint32_t      type, n_dims;
    uint64_t      ne[GGUF_MAX_DIMS];
    uint64_t      size;
    const void   *data;
    gguf_fill_fn *fill;          /* or made when written, by fill(ctx, ...) */
    void         *ctx;
} gguf_wtensor;

struct gguf_writer {
    buf           meta;        /* the encoded key-value pairs */
    uint64_t      n_kv;
    strtab        keys, names;
    arena        *arena;       /* copies of keys and names */
    gguf_wtensor *tensors;
    size_t        n_tensors, cap;
    uint64_t      alignment;
};

gguf_writer *gguf_writer_new(void)
{
    gguf_writer *w = calloc(1, sizeof *w);

    if (!w || !(w->arena = arena_new(0))) {
        free(w);
        return NULL;
    }
    w->alignment = GGUF_DEFAULT_ALIGNMENT;
    return w;
}

void gguf_writer_free(gguf_writer *w)
{
    if (!w)
        return;
    buf_free(&w->meta);
    strtab_free(&w->keys);
    strtab_free(&w->names);
    arena_free(w->arena);
    free(w->tensors);
    free(w);
}

static void put_le(buf *b, uint64_t v, unsigned n)
{
    unsigned char bytes[8];

    for (unsigned i = 0; i < n; i++)
        bytes[i] = (unsigned char)(v >> (8 * i));
    buf_add(b, bytes, n);
}

static void put_str(buf *b, const char *s, size_t len)
{
    put_le(b, len, 8);
    buf_add(b, s, len);
}

/* Encode the scalar v (decoded, as the reader holds it) as its type. */
static void put_scalar(buf *b, const gguf_value *v)
{
    uint64_t raw = v->u.u;

    if (v->type == GGUF_TYPE_FLOAT32) {
        float f = (float)v->u.f;
        uint32_t bits;
        memcpy(&bits, &f, sizeof bits);
        raw = bits;
    }
    put_le(b, raw, gguf_scalar_size[v->type]);
}

static void put_value(buf *b, const gguf_value *v)
{
    if (v->type == GGUF_TYPE_STRING) {
        put_str(b, v->u.str.ptr, v->u.str.len);
    } else if (v->type != GGUF_TYPE_ARRAY) {
        put_scalar(b, v);
    } else {
        put_le(b, v->elem, 4);
        put_le(b, v->count, 8);
        if (gguf_scalar_size[v->elem])
            buf_add(b, v->u.data, v->count * gguf_scalar_size[v->elem]);
        for (uint64_t i = 0; v->elem == GGUF_TYPE_STRING && i < v->count; i++)
            put_str(b, v->u.strs[i].ptr, v->u.strs[i].len);
        for (uint64_t i = 0; v->elem == GGUF_TYPE_ARRAY && i < v->count; i++)
            put_value(b, &v->u.items[i]);
    }
}

/* Claim key for one more pair and write it with the value's type. */
static int writer_key(gguf_writer *w, const char *key, uint32_t type, augur_err *err)
{
    size_t len = strlen(key);
    char *copy = arena_strndup(w->arena, key, len);
    int rc;

    if (!copy)
        return augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory");
    rc = strtab_put(&w->keys, copy, len, (uint32_t)w->n_kv, NULL);
    if (rc < 0)
        return augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory");
    if (rc == 0)
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: key '%s' added twice", key);
    put_str(&w->meta, key, len);
    put_le(&w->meta, type, 4);
    w->n_kv++;
    return AUGUR_OK;
}

static int writer_done(gguf_writer *w, augur_err *err)
{
    return w->meta.oom ? augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory") : AUGUR_OK;
}

static int writer_scalar(gguf_writer *w, const char *key, const gguf_value *v, augur_err *err)
{
    int rc;

    if (strcmp(key, "general.alignment") == 0) {
        if (v->type != GGUF_TYPE_UINT32 || v->u.u == 0 || (v->u.u & (v->u.u - 1)) != 0)
            return augur_err_set(err, AUGUR_EINVAL, "gguf writer: general.alignment must be a "
                                 "u32 power of two");
        if (w->n_tensors)
            return augur_err_set(err, AUGUR_ESTATE, "gguf writer: general.alignment must come "
                                 "before the tensors");
        w->alignment = v->u.u;
    }
    if ((rc = writer_key(w, key, v->type, err)) != AUGUR_OK)
        return rc;
    put_value(&w->meta, v);
    return writer_done(w, err);
}

static int writer_check_type(enum gguf_type type, int (*kind)(uint32_t), const char *what,
                             augur_err *err)
{
    if (type >= GGUF_TYPE_COUNT || !kind(type))
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: %s is not %s type",
                             gguf_type_name(type), what);
    return AUGUR_OK;
}

static int type_is_unsigned(uint32_t t)
{
    return type_is_integer(t) && !type_is_signed(t);
}

int gguf_writer_add_uint(gguf_writer *w, const char *key, enum gguf_type type, uint64_t v,
                         augur_err *err)
{
    gguf_value val = { .type = type };
    int rc = writer_check_type(type, type_is_unsigned, "an unsigned", err);

    val.u.u = v;
    return rc == AUGUR_OK ? writer_scalar(w, key, &val, err) : rc;
}

int gguf_writer_add_int(gguf_writer *w, const char *key, enum gguf_type type, int64_t v,
                        augur_err *err)
{
    gguf_value val = { .type = type };
    int rc = writer_check_type(type, type_is_signed, "a signed", err);

    val.u.i = v;
    return rc == AUGUR_OK ? writer_scalar(w, key, &val, err) : rc;
}

int gguf_writer_add_float(gguf_writer *w, const char *key, enum gguf_type type, double v,
                          augur_err *err)
{
    gguf_value val = { .type = type };
    int rc = writer_check_type(type, type_is_float, "a float", err);

    val.u.f = v;
    return rc == AUGUR_OK ? writer_scalar(w, key, &val, err) : rc;
}

int gguf_writer_add_str(gguf_writer *w, const char *key, const char *s, size_t len,
                        augur_err *err)
{
    int rc = writer_key(w, key, GGUF_TYPE_STRING, err);

    if (rc != AUGUR_OK)
        return rc;
    put_str(&w->meta, s, len);
    return writer_done(w, err);
}

int gguf_writer_add_array(gguf_writer *w, const char *key, enum gguf_type type,
                          const void *items, size_t n, augur_err *err)
{
    int rc;

    if (type >= GGUF_TYPE_COUNT || type == GGUF_TYPE_ARRAY)
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: arrays of %s are written with "
                             "gguf_writer_add_value", gguf_type_name(type));
    if ((rc = writer_key(w, key, GGUF_TYPE_ARRAY, err)) != AUGUR_OK)
        return rc;
    put_le(&w->meta, type, 4);
    put_le(&w->meta, n, 8);
    if (type == GGUF_TYPE_STRING) {
        const char *const *strs = items;
        for (size_t i = 0; i < n; i++)
            put_str(&w->meta, strs[i], strlen(strs[i]));
    } else {
        /* Elements go in as they lie in memory: augur assumes a little-endian host,
        ** as GGUF is, and so does the tensor data it hands out. */
        buf_add(&w->meta, items, n * gguf_scalar_size[type]);
    }
    return writer_done(w, err);
}

int gguf_writer_add_value(gguf_writer *w, const char *key, const gguf_value *v, augur_err *err)
{
    int rc;

    if (v->type != GGUF_TYPE_STRING && v->type != GGUF_TYPE_ARRAY)
        return writer_scalar(w, key, v, err);
    if ((rc = writer_key(w, key, v->type, err)) != AUGUR_OK)
        return rc;
    put_value(&w->meta, v);
    return writer_done(w, err);
}

static int writer_tensor(gguf_writer *w, const char *name, enum ggml_type type, uint32_t n_dims,
                         const uint64_t *ne, const void *data, gguf_fill_fn *fill, void *ctx,
                         augur_err *err)
{
    size_t len = strlen(name);
    gguf_wtensor *t;
    uint64_t n = 1;
    int rc;

    if (len > GGUF_NAME_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: tensor name '%s' is longer than %d "
                             "bytes", name, GGUF_NAME_MAX);
    if (n_dims > GGUF_MAX_DIMS)
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: tensor '%s' has %u dimensions "
                             "(at most %d)", name, n_dims, GGUF_MAX_DIMS);
    for (uint32_t d = 0; d < n_dims; d++) {
        if (ne[d] > INT64_MAX || (ne[d] && n > INT64_MAX / ne[d]))
            return augur_err_set(err, AUGUR_EINVAL, "gguf writer: tensor '%s' is too large", name);
        n *= ne[d];
    }
    if (!ggml_type_get(type)->name || (n_dims && ne[0] % ggml_type_get(type)->block_size))
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: tensor '%s': rows of %s must be "
                             "whole blocks of a known type", name, ggml_type_get(type)->name ?
                             ggml_type_get(type)->name : "this type");
    if (fill && ggml_type_bytes(type, n) > SIZE_MAX / 2)
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: tensor '%s' is too large to make",
                             name);
    if (w->n_tensors == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 16;
        gguf_wtensor *bigger = realloc(w->tensors, cap * sizeof *bigger);
        if (!bigger)
            return augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory");
        w->tensors = bigger;
        w->cap = cap;
    }
    t = &w->tensors[w->n_tensors];
    memset(t, 0, sizeof *t);
    t->name = arena_strndup(w->arena, name, len);
    if (!t->name)
        return augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory");
    rc = strtab_put(&w->names, t->name, len, (uint32_t)w->n_tensors, NULL);
    if (rc < 0)
        return augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory");
    if (rc == 0)
        return augur_err_set(err, AUGUR_EINVAL, "gguf writer: tensor '%s' added twice", name);
    t->type = type;
    t->n_dims = n_dims;
    memcpy(t->ne, ne, n_dims * sizeof *ne);
    t->size = ggml_type_bytes(type, n);
    t->data = data;
    t->fill = fill;
    t->ctx = ctx;
    w->n_tensors++;
    return AUGUR_OK;
}

int gguf_writer_add_tensor(gguf_writer *w, const char *name, enum ggml_type type,
                           uint32_t n_dims, const uint64_t *ne, const void *data,
                           augur_err *err)
{
    return writer_tensor(w, name, type, n_dims, ne, data, NULL, NULL, err);
}

int gguf_writer_add_tensor_fill(gguf_writer *w, const char *name, enum ggml_type type,
                                uint32_t n_dims, const uint64_t *ne, gguf_fill_fn *fill,
                                void *ctx, augur_err *err)
{
    return writer_tensor(w, name, type, n_dims, ne, NULL, fill, ctx, err);
}

static const char zeros[4096];

static void put_zeros(buf *b, uint64_t n)
{
    for (; n > 0 && !b->oom; n -= n > sizeof zeros ? sizeof zeros : n)
        buf_add(b, zeros, n > sizeof zeros ? sizeof zeros : n);
}

/* Header, metadata and tensor table, padded to where the data begins. */
static void writer_head(const gguf_writer *w, buf *out)
{
    uint64_t offset = 0;
    size_t start = out->len;

    buf_add(out, "GGUF", 4);
    put_le(out, 3, 4);
    put_le(out, w->n_tensors, 8);
    put_le(out, w->n_kv, 8);
    buf_add(out, w->meta.data, w->meta.len);
    for (size_t i = 0; i < w->n_tensors; i++) {
        const gguf_wtensor *t = &w->tensors[i];
        put_str(out, t->name, strlen(t->name));
        put_le(out, t->n_dims, 4);
        for (uint32_t d = 0; d < t->n_dims; d++)
            put_le(out, t->ne[d], 8);
        put_le(out, t->type, 4);
        put_le(out, offset, 8);
        offset = align_up(offset + t->size, w->alignment);
    }
    if (w->n_tensors)
        put_zeros(out, align_up(out->len - start, w->alignment) - (out->len - start));
}

/* Tensor data with the padding after each, the last too (ggml reads the data
** section as whole padded tensors), through put(ctx, bytes, n). */
static int writer_data(const gguf_writer *w, int (*put)(void *, const void *, size_t), void *ctx)
{
    for (size_t i = 0; i < w->n_tensors; i++) {
        const gguf_wtensor *t = &w->tensors[i];
        uint64_t pad = align_up(t->size, w->alignment) - t->size;
        void *made = t->fill ? malloc(t->size ? (size_t)t->size : 1) : NULL;
        int rc = t->fill && (!made || t->fill(t->ctx, t->name, made, t->size) != 0) ? -1
                 : put(ctx, made ? made : t->data, t->size);
        free(made);
        if (rc != 0)
            return -1;
        for (; pad > 0; pad -= pad > sizeof zeros ? sizeof zeros : pad)
            if (put(ctx, zeros, pad > sizeof zeros ? sizeof zeros : pad) != 0)
                return -1;
    }
    return 0;
}

static int put_buf(void *ctx, const void *p, size_t n)
{
    return buf_add(ctx, p, n) == AUGUR_OK ? 0 : -1;
}

int gguf_writer_to_buf(const gguf_writer *w, buf *out, augur_err *err)
{
    writer_head(w, out);
    if (out->oom || writer_data(w, put_buf, out) != 0)
        return augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory");
    return AUGUR_OK;
}

static int put_file(void *ctx, const void *p, size_t n)
{
    return n && fwrite(p, 1, n, ctx) != n ? -1 : 0;
}

int gguf_writer_write(const gguf_writer *w, const char *path, augur_err *err)
{
    buf head = BUF_INIT, tmp = BUF_INIT;
    FILE *f = NULL;
    int fd = -1, rc = AUGUR_OK;

    writer_head(w, &head);
    buf_printf(&tmp, "%s.XXXXXX", path);
    if (head.oom || tmp.oom)
        rc = augur_err_set(err, AUGUR_ENOMEM, "gguf writer: out of memory");
    else if ((fd = mkstemp(tmp.data)) < 0 || fchmod(fd, 0644) != 0 || !(f = fdopen(fd, "wb")))
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", fd < 0 ? path : buf_str(&tmp),
                           strerror(errno));
    else if (put_file(f, head.data, head.len) != 0 || writer_data(w, put_file, f) != 0 ||
             fflush(f) != 0 || fsync(fileno(f)) != 0)
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", buf_str(&tmp), strerror(errno));
    if (f ? fclose(f) != 0 && rc == AUGUR_OK : fd >= 0 && close(fd) != 0 && rc == AUGUR_OK)
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", buf_str(&tmp), strerror(errno));
    if (rc == AUGUR_OK && rename(tmp.data, path) != 0)
        rc = augur_err_set(err, AUGUR_EIO, "%s: %s", path, strerror(errno));
    if (rc != AUGUR_OK && fd >= 0)
        unlink(tmp.data);
    buf_free(&head);
    buf_free(&tmp);
    return rc;
}
