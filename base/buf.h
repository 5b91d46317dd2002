/*
** buf.h — a growable byte buffer, always NUL-terminated once anything is in it.
**
**     buf b = BUF_INIT;
**     buf_puts(&b, "x = ");
**     buf_printf(&b, "%d", 42);
**     use(buf_str(&b), b.len);
**     buf_free(&b);
**
** Allocation failure is sticky: the failing call returns AUGUR_ENOMEM, sets b.oom,
** and every later append does nothing and returns AUGUR_ENOMEM too, so a caller may
** append many times and check once.
*/
#ifndef AUGUR_BUF_H
#define AUGUR_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct buf {
    char  *data;   /* NULL until the first append */
    size_t len;
    size_t cap;
    int    oom;
} buf;

#define BUF_INIT { NULL, 0, 0, 0 }

void  buf_free(buf *b);
void  buf_clear(buf *b);                 /* length 0, memory kept */
int   buf_reserve(buf *b, size_t extra); /* room for extra more bytes */
int   buf_add(buf *b, const void *p, size_t n);
int   buf_puts(buf *b, const char *s);
int   buf_putc(buf *b, int c);
int   buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int   buf_vprintf(buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void  buf_truncate(buf *b, size_t len);

/* The contents as a C string; "" when empty. */
const char *buf_str(const buf *b);

/* Hand the contents to the caller (free() them); the buffer is left empty.
** Returns NULL only when the buffer is out of memory. */
char *buf_take(buf *b);

/* Growable arrays of any element: items is the address of the array's pointer, *cap its
** capacity in elements of size bytes. Makes room for need elements, doubling as buffers do;
** on AUGUR_ENOMEM the array is left as it was.
**
**     if (buf_grow_array(&v->items, &v->cap, v->n + 1, sizeof *v->items) != AUGUR_OK)
**         return AUGUR_ENOMEM;
*/
int buf_grow_array(void *items, size_t *cap, size_t need, size_t size);

#endif
