/* arena.c — bump allocator over a list of blocks. */
#include "base/arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { ARENA_ALIGN = alignof(max_align_t), ARENA_FIRST_BLOCK = 4096, ARENA_MAX_BLOCK = 1 << 20 };

typedef struct arena_block {
    struct arena_block *next;
    size_t size;   /* bytes in data */
    size_t used;
    alignas(max_align_t) unsigned char data[];
} arena_block;

struct arena {
    arena_block *head;   /* first block; blocks stay in allocation order */
    arena_block *cur;    /* the block allocations come from now */
    size_t held;         /* bytes of all blocks, headers included */
    size_t limit;
};

arena *arena_new(size_t limit)
{
    arena *a = calloc(1, sizeof *a);
    if (a)
        a->limit = limit;
    return a;
}

void arena_free(arena *a)
{
    arena_block *b, *next;

    if (!a)
        return;
    for (b = a->head; b; b = next) {
        next = b->next;
        free(b);
    }
    free(a);
}

static size_t arena_round(size_t n)
{
    return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* A new block able to hold n bytes, appended after cur. */
static arena_block *arena_grow(arena *a, size_t n)
{
    size_t size = a->cur ? a->cur->size * 2 : ARENA_FIRST_BLOCK;
    arena_block *b;

    if (size > ARENA_MAX_BLOCK)
        size = ARENA_MAX_BLOCK;
    if (size < n)
        size = n;
    if (size > SIZE_MAX - sizeof *b)
        return NULL;
    if (a->limit && (a->held > a->limit || sizeof *b + size > a->limit - a->held))
        return NULL;
    b = malloc(sizeof *b + size);
    if (!b)
        return NULL;
    b->size = size;
    b->used = 0;
    if (a->cur) {
        b->next = a->cur->next;
        a->cur->next = b;
    } else {
        b->next = a->head;
        a->head = b;
    }
    a->held += sizeof *b + size;
    return b;
}

void *arena_alloc(arena *a, size_t n)
{
    arena_block *b;

    if (n == 0)
        n = 1;
    if (n > SIZE_MAX - ARENA_ALIGN)
        return NULL;
    n = arena_round(n);
    for (b = a->cur; b; b = b->next) {
        if (b->size - b->used >= n)
            break;
        if (b->next && b->next->used == 0)
            continue;
        b = NULL;
        break;
    }
    if (!b) {
        b = arena_grow(a, n);
        if (!b)
            return NULL;
    }
    a->cur = b;
    b->used += n;
    return b->data + b->used - n;
}

void *arena_calloc(arena *a, size_t count, size_t size)
{
    void *p;

    if (size && count > SIZE_MAX / size)
        return NULL;
    p = arena_alloc(a, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p;

    if (n == SIZE_MAX)
        return NULL;
    p = arena_alloc(a, n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

void arena_reset(arena *a)
{
    arena_block *b;

    for (b = a->head; b; b = b->next)
        b->used = 0;
    a->cur = a->head;
}

size_t arena_size(const arena *a)
{
    return a->held;
}
