/*
** strtab.h — a hash table from byte strings to numbers, private to model/.
**
** Keys are not copied: they point into memory that outlives the table (a mapped
** file, a vocabulary). Open addressing over a power-of-two array of slots.
*/
#ifndef AUGUR_MODEL_STRTAB_H
#define AUGUR_MODEL_STRTAB_H

#include <stddef.h>
#include <stdint.h>

typedef struct strtab_slot {
    const char *key;
    uint32_t    len;
    uint32_t    value;
} strtab_slot;

typedef struct strtab {
    strtab_slot *slots;   /* key NULL: empty */
    size_t       mask;    /* slots - 1 */
    size_t       count;
} strtab;

/* Room for n keys without growing. AUGUR_OK or AUGUR_ENOMEM. */
int  strtab_init(strtab *t, size_t n);
void strtab_free(strtab *t);

/* The slot holding key[len], or NULL. */
const strtab_slot *strtab_get(const strtab *t, const char *key, size_t len);

/* Add key[len] -> value unless the key is there. Returns 1 when added, 0 when
** present (value untouched: *existing says what it holds), AUGUR_ENOMEM. */
int strtab_put(strtab *t, const char *key, size_t len, uint32_t value, uint32_t *existing);

uint64_t strtab_hash(const char *key, size_t len);

#endif
