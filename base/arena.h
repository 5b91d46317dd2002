/*
** arena.h — a bump allocator for many short-lived objects freed together.
**
** Hot loops allocate from an arena and reset it instead of calling malloc and
** free per object; a parse tree lives in one and goes with one arena_free. Blocks
** are kept across arena_reset, so a loop that resets each round stops calling
** malloc once it has seen its largest round. An optional limit bounds the total
** bytes the arena may take from the system.
*/
#ifndef AUGUR_ARENA_H
#define AUGUR_ARENA_H

#include <stddef.h>

typedef struct arena arena;

/* limit: most bytes of blocks the arena may hold (0: no limit). NULL when out of memory. */
arena *arena_new(size_t limit);
void   arena_free(arena *a);

/* n bytes aligned for any object; NULL when out of memory or over the limit. */
void  *arena_alloc(arena *a, size_t n);
void  *arena_calloc(arena *a, size_t count, size_t size);

/* A NUL-terminated copy of the n bytes at s (which may hold NUL bytes). */
char  *arena_strndup(arena *a, const char *s, size_t n);

/* Every allocation is released at once; blocks are kept for reuse. */
void   arena_reset(arena *a);

/* Bytes of blocks held from the system. */
size_t arena_size(const arena *a);

#endif
