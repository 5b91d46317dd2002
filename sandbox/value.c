/*
** value.c — JSON-like values: building, JSON in and out, and the compact binary
** form they take between the host and a worker process.
**
** The binary form is read from a process that may be hostile, so its reader
** checks every length against what is left and bounds depth and item count.
*/
#include "sandbox/private.h"
#include "base/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sandbox_value *sandbox_value_new(sandbox_type type)
{
    sandbox_value *v = calloc(1, sizeof *v);

    if (v)
        v->type = type;
    return v;
}

sandbox_value *sandbox_value_bool(int b)
{
    sandbox_value *v = sandbox_value_new(SANDBOX_BOOL);

    if (v)
        v->boolean = b != 0;
    return v;
}

sandbox_value *sandbox_value_int(int64_t i)
{
    sandbox_value *v = sandbox_value_new(SANDBOX_INT);

    if (v)
        v->integer = i;
    return v;
}

sandbox_value *sandbox_value_float(double d)
{
    sandbox_value *v = sandbox_value_new(SANDBOX_FLOAT);

    if (v)
        v->number = d;
    return v;
}

sandbox_value *sandbox_value_string(const char *s, size_t len)
{
    sandbox_value *v = sandbox_value_new(SANDBOX_STRING);

    if (!v)
        return NULL;
    if (!(v->str = malloc(len + 1))) {
        free(v);
        return NULL;
    }
    if (len)
        memcpy(v->str, s, len);
    v->str[len] = '\0';
    v->len = len;
    return v;
}

void sandbox_value_free(sandbox_value *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n; i++)
        sandbox_value_free(v->items[i]);
    free(v->items);
    free(v->str);
    free(v->key);
    free(v);
}

int sandbox_value_push(sandbox_value *c, const char *key, size_t keylen, sandbox_value *item)
{
    if (!item)
        return AUGUR_ENOMEM;
    if (key) {
        if (!(item->key = malloc(keylen + 1)))
            goto nomem;
        memcpy(item->key, key, keylen);
        item->key[keylen] = '\0';
        item->keylen = keylen;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 4;
        sandbox_value **items = realloc(c->items, cap * sizeof *items);
        if (!items)
            goto nomem;
        c->items = items;
        c->cap = cap;
    }
    c->items[c->n++] = item;
    return AUGUR_OK;
nomem:
    sandbox_value_free(item);
    return AUGUR_ENOMEM;
}

const sandbox_value *sandbox_value_get(const sandbox_value *obj, const char *key)
{
    size_t len = strlen(key);

    if (!obj || obj->type != SANDBOX_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->n; i++)
        if (obj->items[i]->keylen == len && memcmp(obj->items[i]->key, key, len) == 0)
            return obj->items[i];
    return NULL;
}

/* ---- JSON in ------------------------------------------------------------------------ */

static sandbox_value *value_from_cjson(const cJSON *j)
{
    sandbox_value *v;

    if (cJSON_IsBool(j))
        return sandbox_value_bool(cJSON_IsTrue(j));
    if (cJSON_IsNumber(j)) {
        double d = j->valuedouble;
        if (d == floor(d) && fabs(d) <= 9007199254740992.0)
            return sandbox_value_int((int64_t)d);
        return sandbox_value_float(d);
    }
    if (cJSON_IsString(j))
        return sandbox_value_string(j->valuestring, strlen(j->valuestring));
    if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
        int is_object = cJSON_IsObject(j);
        if (!(v = sandbox_value_new(is_object ? SANDBOX_OBJECT : SANDBOX_ARRAY)))
            return NULL;
        for (const cJSON *k = j->child; k; k = k->next) {
            const char *key = is_object ? k->string : NULL;
            if (sandbox_value_push(v, key, key ? strlen(key) : 0, value_from_cjson(k)) != AUGUR_OK) {
                sandbox_value_free(v);
                return NULL;
            }
        }
        return v;
    }
    return sandbox_value_new(SANDBOX_NIL);
}

int sandbox_value_parse(const char *text, size_t len, const char *name, sandbox_value **out,
                        augur_err *err)
{
    cJSON *doc = json_parse(text, len, name, err);

    *out = NULL;
    if (!doc)
        return err ? err->code : AUGUR_ESYNTAX;
    *out = value_from_cjson(doc);
    cJSON_Delete(doc);
    return *out ? AUGUR_OK : augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", name);
}

/* ---- JSON out ----------------------------------------------------------------------- */

/* Length of the valid UTF-8 sequence at s[0..n), or 0 when it is not one. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    uint32_t cp;
    size_t len;

    if (s[0] < 0x80)
        return 1;
    if (s[0] >= 0xc2 && s[0] <= 0xdf)
        len = 2, cp = s[0] & 0x1f;
    else if (s[0] >= 0xe0 && s[0] <= 0xef)
        len = 3, cp = s[0] & 0x0f;
    else if (s[0] >= 0xf0 && s[0] <= 0xf4)
        len = 4, cp = s[0] & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

int sandbox_utf8_valid(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;

    for (size_t i = 0, k; i < n; i += k)
        if (!(k = utf8_seq(p + i, n - i)))
            return 0;
    return 1;
}

int sandbox_json_string(buf *out, const char *s, size_t n, int *lossy)
{
    const unsigned char *p = (const unsigned char *)s;
    buf clean = BUF_INIT;
    int rc;

    if (sandbox_utf8_valid(s, n))
        return json_quote(out, s, n);
    for (size_t i = 0, k; i < n; i += k) {
        if ((k = utf8_seq(p + i, n - i))) {
            buf_add(&clean, p + i, k);
        } else {
            buf_add(&clean, "\xef\xbf\xbd", 3);
            k = 1;
        }
    }
    if (lossy)
        *lossy = 1;
    rc = clean.oom ? AUGUR_ENOMEM : json_quote(out, buf_str(&clean), clean.len);
    buf_free(&clean);
    return rc;
}

static int value_write_number(buf *out, const sandbox_value *v, int *lossy)
{
    char num[40];
    double d = v->type == SANDBOX_INT ? (double)v->integer : v->number;

    if (v->type == SANDBOX_INT && v->integer >= -9007199254740992LL &&
        v->integer <= 9007199254740992LL)
        return buf_printf(out, "%lld", (long long)v->integer);
    if (!isfinite(d)) {
        if (lossy)
            *lossy = 1;
        return buf_puts(out, "null");
    }
    /* The shortest form that reads back as the same double, and always a float. */
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(num, sizeof num, "%.*g", prec, d);
        if (strtod(num, NULL) == d)
            break;
    }
    if (!strpbrk(num, ".eEn"))
        strcat(num, ".0");
    return buf_puts(out, num);
}

int sandbox_value_write(buf *out, const sandbox_value *v, int *lossy)
{
    if (!v)
        return buf_puts(out, "null");
    switch (v->type) {
    case SANDBOX_NIL:    return buf_puts(out, "null");
    case SANDBOX_BOOL:   return buf_puts(out, v->boolean ? "true" : "false");
    case SANDBOX_INT:
    case SANDBOX_FLOAT:  return value_write_number(out, v, lossy);
    case SANDBOX_STRING: return sandbox_json_string(out, v->str, v->len, lossy);
    case SANDBOX_ARRAY:
    case SANDBOX_OBJECT:
        buf_putc(out, v->type == SANDBOX_ARRAY ? '[' : '{');
        for (size_t i = 0; i < v->n; i++) {
            if (i)
                buf_puts(out, ", ");
            if (v->type == SANDBOX_OBJECT) {
                sandbox_json_string(out, v->items[i]->key, v->items[i]->keylen, lossy);
                buf_puts(out, ": ");
            }
            sandbox_value_write(out, v->items[i], lossy);
        }
        return buf_putc(out, v->type == SANDBOX_ARRAY ? ']' : '}');
    }
    return AUGUR_EINVAL;
}

/* ---- the binary form ------------------------------------------------------------------ */

/* Each value: a type byte, then an 8-byte integer, an 8-byte float, a byte, or a
** 4-byte length and that many bytes (strings) or items (containers); an object's
** items each start with their key as a length and bytes. Little-endian. */

static void wire_u32(buf *out, uint32_t x)
{
    unsigned char b[4] = { x & 0xff, x >> 8 & 0xff, x >> 16 & 0xff, x >> 24 & 0xff };
    buf_add(out, b, 4);
}

static void wire_u64(buf *out, uint64_t x)
{
    wire_u32(out, (uint32_t)x);
    wire_u32(out, (uint32_t)(x >> 32));
}

void sandbox_wire_bytes(buf *out, const char *s, size_t n)
{
    wire_u32(out, (uint32_t)n);
    buf_add(out, s, n);
}

void sandbox_wire_int(buf *out, int64_t i)
{
    wire_u64(out, (uint64_t)i);
}

int sandbox_value_encode(buf *out, const sandbox_value *v)
{
    uint64_t bits;

    if (!v)
        return buf_putc(out, SANDBOX_NIL);
    buf_putc(out, (int)v->type);
    switch (v->type) {
    case SANDBOX_NIL:    break;
    case SANDBOX_BOOL:   buf_putc(out, v->boolean); break;
    case SANDBOX_INT:    wire_u64(out, (uint64_t)v->integer); break;
    case SANDBOX_FLOAT:  memcpy(&bits, &v->number, 8); wire_u64(out, bits); break;
    case SANDBOX_STRING: sandbox_wire_bytes(out, v->str, v->len); break;
    case SANDBOX_ARRAY:
    case SANDBOX_OBJECT:
        wire_u32(out, (uint32_t)v->n);
        for (size_t i = 0; i < v->n; i++) {
            if (v->type == SANDBOX_OBJECT)
                sandbox_wire_bytes(out, v->items[i]->key, v->items[i]->keylen);
            sandbox_value_encode(out, v->items[i]);
        }
        break;
    }
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

int sandbox_wire_take(sandbox_wire *w, void *dst, size_t n)
{
    if (w->bad || n > w->len - w->pos) {
        w->bad = 1;
        return -1;
    }
    if (dst && n)
        memcpy(dst, w->data + w->pos, n);
    w->pos += n;
    return 0;
}

static uint32_t wire_get_u32(sandbox_wire *w)
{
    unsigned char b[4] = { 0 };

    sandbox_wire_take(w, b, 4);
    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

int64_t sandbox_wire_get_int(sandbox_wire *w)
{
    uint64_t lo = wire_get_u32(w);
    return (int64_t)(lo | (uint64_t)wire_get_u32(w) << 32);
}

const char *sandbox_wire_get_bytes(sandbox_wire *w, size_t *n)
{
    size_t len = wire_get_u32(w), at = w->pos;

    if (sandbox_wire_take(w, NULL, len) < 0) {
        *n = 0;
        return NULL;
    }
    *n = len;
    return w->data + at;
}

static sandbox_value *wire_value(sandbox_wire *w, int depth)
{
    unsigned char type = 0, b = 0;
    sandbox_value *v = NULL;
    const char *s;
    size_t n;

    if (depth > SANDBOX_MAX_DEPTH || sandbox_wire_take(w, &type, 1) < 0)
        goto bad;
    switch (type) {
    case SANDBOX_NIL:
        return sandbox_value_new(SANDBOX_NIL);
    case SANDBOX_BOOL:
        sandbox_wire_take(w, &b, 1);
        return w->bad ? NULL : sandbox_value_bool(b);
    case SANDBOX_INT: {
        int64_t i = sandbox_wire_get_int(w);
        return w->bad ? NULL : sandbox_value_int(i);
    }
    case SANDBOX_FLOAT: {
        uint64_t bits = (uint64_t)sandbox_wire_get_int(w);
        double d;
        memcpy(&d, &bits, 8);
        return w->bad ? NULL : sandbox_value_float(d);
    }
    case SANDBOX_STRING:
        s = sandbox_wire_get_bytes(w, &n);
        return s ? sandbox_value_string(s, n) : NULL;
    case SANDBOX_ARRAY:
    case SANDBOX_OBJECT:
        n = wire_get_u32(w);
        /* Every item takes at least one byte: a count beyond what is left is a lie. */
        if (w->bad || n > w->len - w->pos || !(v = sandbox_value_new((sandbox_type)type)))
            goto bad;
        for (size_t i = 0; i < n; i++) {
            const char *key = NULL;
            size_t keylen = 0;
            if (type == SANDBOX_OBJECT && !(key = sandbox_wire_get_bytes(w, &keylen)))
                goto bad;
            if (sandbox_value_push(v, key, keylen, wire_value(w, depth + 1)) != AUGUR_OK)
                goto bad;
        }
        return v;
    }
bad:
    w->bad = 1;
    sandbox_value_free(v);
    return NULL;
}

sandbox_value *sandbox_value_decode(sandbox_wire *w)
{
    return wire_value(w, 0);
}
