/* buf.c — growable byte buffer. */
#include "base/buf.h"
#include "base/err.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_free(buf *b)
{
    free(b->data);
    *b = (buf)BUF_INIT;
}

void buf_clear(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Doubling from cap (64 when nothing is held yet) until need fits. */
static size_t buf_capacity(size_t cap, size_t need)
{
    cap = cap ? cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    return cap;
}

int buf_reserve(buf *b, size_t extra)
{
    size_t need, cap;
    char *p;

    if (b->oom)
        return AUGUR_ENOMEM;
    if (extra >= SIZE_MAX - b->len)
        goto oom;
    need = b->len + extra + 1;
    if (need <= b->cap)
        return AUGUR_OK;
    cap = buf_capacity(b->cap, need);
    p = realloc(b->data, cap);
    if (!p)
        goto oom;
    p[b->len] = '\0';
    b->data = p;
    b->cap = cap;
    return AUGUR_OK;
oom:
    b->oom = 1;
    return AUGUR_ENOMEM;
}

int buf_add(buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return AUGUR_OK;
}

int buf_puts(buf *b, const char *s)
{
    return buf_add(b, s, strlen(s));
}

int buf_putc(buf *b, int c)
{
    char ch = (char)c;
    return buf_add(b, &ch, 1);
}

int buf_vprintf(buf *b, const char *fmt, va_list ap)
{
    va_list again;
    int n;

    if (buf_reserve(b, 0) != AUGUR_OK)
        return AUGUR_ENOMEM;
    va_copy(again, ap);
    n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
    if (n >= 0 && (size_t)n >= b->cap - b->len) {
        if (buf_reserve(b, (size_t)n) != AUGUR_OK) {
            va_end(again);
            return AUGUR_ENOMEM;
        }
        n = vsnprintf(b->data + b->len, b->cap - b->len, fmt, again);
    }
    va_end(again);
    if (n < 0) {
        b->data[b->len] = '\0';
        return AUGUR_EINVAL;
    }
    b->len += (size_t)n;
    return AUGUR_OK;
}

int buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;

    va_start(ap, fmt);
    rc = buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void buf_truncate(buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

const char *buf_str(const buf *b)
{
    return b->data ? b->data : "";
}

char *buf_take(buf *b)
{
    char *p;

    if (b->oom)
        return NULL;
    if (!b->data && buf_reserve(b, 0) != AUGUR_OK)
        return NULL;
    p = b->data;
    *b = (buf)BUF_INIT;
    return p;
}

int buf_grow_array(void *items, size_t *cap, size_t need, size_t size)
{
    void *p;
    size_t n;

    if (need <= *cap)
        return AUGUR_OK;
    n = buf_capacity(*cap, need);
    if (size && n > SIZE_MAX / size)
        return AUGUR_ENOMEM;
    memcpy(&p, items, sizeof p);
    if (!(p = realloc(p, n * size)))
        return AUGUR_ENOMEM;
    memcpy(items, &p, sizeof p);
    *cap = n;
    return AUGUR_OK;
}
