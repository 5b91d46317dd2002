/*
** state.h — the symbolic state of a world: what planners search over and what law
** models learn from.
**
** A state is object-oriented, in the manner of OneLife's Crafter-OO: a set of
** entities, each with a numeric id (unique within the state), a type ("player",
** "cow") and typed attributes ("x" = 12, "sleeping" = false, "facing" = "left"),
** plus an optional grid: a width x height layer of materials drawn from a palette.
**
**     state *s = state_new();
**     int player = state_entity_add(s, 1, "player");
**     state_set_int(s, player, "health", 9);
**     state_set_symbol(s, player, "facing", "down");
**     state_grid_init(s, 64, 64, materials, 12);
**     state_grid_set(s, 3, 4, 2);                  // palette entry 2 at x=3, y=4
**     uint64_t h = state_hash(s);
**     state *t = state_clone(s);                    // independent copy
**     state_changes d; state_diff(s, t, &d, NULL);  // empty: nothing changed
**     state_changes_free(&d); state_free(t); state_free(s);
**
** Semantics. Entities are matched by id; the order they were added in and the
** order of their attributes do not matter to state_equal, state_hash or
** state_diff. Numbers compare by value, as in Lua: the integer 1 equals the
** float 1.0 (so a float that JSON writes as 1 reads back equal). A state with a
** grid never equals one without; the palette is part of the grid (the same
** materials under other indices make another grid).
**
** A state is a value: it owns all its memory, holds no pointers to its world, and
** may be handed to another thread. Strings returned by the getters and in diffs
** point into the state they came from and live as long as it does (and until the
** next change to it).
*/
#ifndef AUGUR_STATE_H
#define AUGUR_STATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

typedef struct state state;

enum state_kind { STATE_INT, STATE_FLOAT, STATE_BOOL, STATE_SYMBOL };

typedef struct state_value {
    enum state_kind kind;
    union {
        int64_t     i;
        double      f;
        int         b;
        const char *s;      /* STATE_SYMBOL: a name, interned in the state */
    } as;
} state_value;

/* Longest type, attribute, symbol or material name (bytes, without the NUL). */
#define STATE_NAME_MAX 63

/* An empty state; NULL when out of memory. */
state *state_new(void);
void   state_free(state *s);

/* An independent copy; NULL when out of memory. */
state *state_clone(const state *s);

/* Make dst a copy of src, reusing dst's memory (for loops that copy often). */
int state_copy(state *dst, const state *src);

/* Forget every entity and the grid; memory is kept. */
void state_clear(state *s);

/* Add an entity; returns its index (>= 0) for the setters below, or a negative
** AUGUR_E* code: AUGUR_EINVAL when id is taken or type is not a valid name. */
int state_entity_add(state *s, int64_t id, const char *type);

/* Remove the entity at index (later indices shift down by one). */
void state_entity_remove(state *s, int index);

size_t      state_entity_count(const state *s);
int64_t     state_entity_id(const state *s, int index);
const char *state_entity_type(const state *s, int index);
int         state_entity_find(const state *s, int64_t id);          /* index, or -1 */

/* Set an attribute of the entity at index (added when new, replaced when there).
** Names are 1..STATE_NAME_MAX bytes of printable ASCII. AUGUR_EINVAL for a bad
** name or index, AUGUR_ENOMEM. */
int state_set_int(state *s, int index, const char *attr, int64_t v);
int state_set_float(state *s, int index, const char *attr, double v);
int state_set_bool(state *s, int index, const char *attr, int v);
int state_set_symbol(state *s, int index, const char *attr, const char *sym);
int state_set(state *s, int index, const char *attr, const state_value *v);

/* Read an attribute: AUGUR_OK and *out, or AUGUR_ENOTFOUND. */
int state_get(const state *s, int index, const char *attr, state_value *out);

/* Keys: a name's index in a state, for callers that read the same names often
** (law models). A key stays valid for the life of the state, and states with
** the same keys id give every name the same key: state_copy and state_clone keep
** it, and it changes only when a name is seen for the first time. */
int         state_key(const state *s, const char *name);        /* -1: never seen */
const char *state_key_name(const state *s, int key);            /* NULL: no such key */
uint64_t    state_keys_id(const state *s);
int         state_entity_type_key(const state *s, int index);   /* -1: no such entity */

/* The key of a symbol: O(1) for a pointer read from s itself, else by name (-1). */
int state_symbol_key(const state *s, const char *sym);

/* state_get and state_set by key (a key of s: AUGUR_EINVAL otherwise). */
int state_get_key(const state *s, int index, int key, state_value *out);
int state_set_key(state *s, int index, int key, const state_value *v);

/* The i-th attribute of an entity, in the order they were set: its name and value. */
size_t      state_attr_count(const state *s, int index);
const char *state_attr_at(const state *s, int index, size_t i, state_value *out);

/* Every attribute of the entity at index at once, in the order they were set, as
** numbers: the first max of them, keys into keys, kinds into kinds and values into
** nums (integers and floats as themselves, booleans as 0 and 1, a symbol as its
** key). Returns how many it has (0 for a bad index), which may be more than max.
** For readers that take in whole entities (law models). */
size_t state_attrs_numbers(const state *s, int index, int *keys, uint8_t *kinds, double *nums,
                           size_t max);

/* One attribute of the entities at indices first..first+n-1 at once (a column),
** as state_attrs_numbers gives values: entity first+i's into kinds[i] and nums[i],
** kinds[i] STATE_ABSENT where it has none or there is no such entity. */
#define STATE_ABSENT 0xff
void state_column_numbers(const state *s, int key, int first, int n, uint8_t *kinds,
                          double *nums);

/* Shorthands that give def when the attribute is missing or not a number/bool. */
int64_t state_get_int(const state *s, int index, const char *attr, int64_t def);

/* The grid: width x height cells (each 1..1024), all palette entry 0 at first.
** palette holds n (1..255) material names; replaces any grid there was. */
int state_grid_init(state *s, int width, int height, const char *const *palette, int n);
int state_grid_width(const state *s);                    /* 0 when there is no grid */
int state_grid_height(const state *s);
int state_grid_palette_size(const state *s);
const char *state_grid_palette(const state *s, int i);   /* NULL when out of range */

/* The palette index at (x, y), or -1 outside the grid; set does nothing outside. */
int  state_grid_get(const state *s, int x, int y);
void state_grid_set(state *s, int x, int y, int material);

/* The cells as palette indices, row by row (cell (x, y) at y * width + x), for
** readers that scan many; NULL when there is no grid. Valid until s changes. */
const uint8_t *state_grid_cells(const state *s);

/* Equal as the header describes; a 64-bit hash that equal states share. */
int      state_equal(const state *a, const state *b);
uint64_t state_hash(const state *s);

/* The 64-bit hash states use, over n bytes from seed: for worlds that hash their
** own representation. */
uint64_t state_hash_bytes(const void *p, size_t n, uint64_t seed);

/* Bytes of memory the state holds. */
size_t state_memory(const state *s);

/* What changed from a to b. */
enum state_change_kind {
    STATE_ENTITY_ADDED,     /* in b only: id, type                              */
    STATE_ENTITY_REMOVED,   /* in a only: id, type                              */
    STATE_ATTR_CHANGED,     /* id, type, attr, before and after (has_before is 0
                               for a new attribute, has_after 0 for one gone)   */
    STATE_CELL_CHANGED      /* x, y, before and after as material names         */
};

typedef struct state_change {
    enum state_change_kind kind;
    int64_t     id;
    const char *type;
    const char *attr;
    int         has_before, has_after;   /* STATE_ATTR_CHANGED: the value exists */
    state_value before, after;
    int         x, y;
    const char *cell_before, *cell_after;
} state_change;

typedef struct state_changes {
    state_change *items;
    size_t        count;
} state_changes;

/* Every entity added or removed, attribute changed and grid cell changed between
** a and b (entities in a's order, then those new in b; cells row by row). The
** strings point into a and b. When the two grids differ in size or palette, the
** cells are compared by material name where both have the cell. */
int  state_diff(const state *a, const state *b, state_changes *out, augur_err *err);
void state_changes_free(state_changes *c);

/* Append one change as a line of text: "cow#4.x: 3 -> 4", "cell(3,4): grass -> path". */
int state_change_write(buf *out, const state_change *c);

/* JSON:
**   {"entities": [{"id": 1, "type": "player", "x": 32, "facing": "down", ...}, ...],
**    "grid": {"width": W, "height": H, "palette": ["water", ...],
**             "rows": ["0123...", ...]}}
** "grid" is absent when there is none. Each row holds one character per cell:
** palette index i is written as the i-th character of
** STATE_GRID_DIGITS (so palettes longer than it cannot be written: AUGUR_ELIMIT).
** Attributes are numbers (integers when written without a fraction), true/false,
** or strings (symbols); "id" and "type" are not attributes. */
#define STATE_GRID_DIGITS \
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

int state_to_json(const state *s, buf *out);

/* Read what state_to_json writes; errors name what is wrong and where (name: the
** document's name in messages). *out is NULL on failure. */
int state_from_json(const char *text, size_t len, const char *name, state **out,
                    augur_err *err);

#endif
