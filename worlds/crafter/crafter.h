/*
** crafter.h — Crafter's state and rules (private to worlds/crafter; the rest of
** augur reaches Crafter through crafter_class in worlds/world.h).
**
** The rules are those of danijar/crafter at its latest commit, as written down in
** shared/papers/crafter-rules.md, with the numbers of its data.yaml. Positions are
** (x, y) with x the column; "distance" is the L1 distance, as in the original.
*/
#ifndef AUGUR_CRAFTER_H
#define AUGUR_CRAFTER_H

#include "base/rng.h"
#include "worlds/world.h"

#include <stdint.h>

enum { CR_SIZE = 64, CR_CHUNK = 12, CR_CHUNKS = 6, CR_VIEW_W = 9, CR_VIEW_H = 7,
       CR_UPDATE_DIST = 18, CR_LENGTH = 10000 };

/* data.yaml's materials, in its order; CR_UNKNOWN is outside the map. */
enum cr_material {
    CR_WATER, CR_GRASS, CR_STONE, CR_PATH, CR_SAND, CR_TREE, CR_LAVA, CR_COAL, CR_IRON,
    CR_DIAMOND, CR_TABLE, CR_FURNACE, CR_NMATERIALS, CR_UNKNOWN = CR_NMATERIALS
};

/* data.yaml's items, in its order. */
enum cr_item {
    CR_HEALTH, CR_FOOD, CR_DRINK, CR_ENERGY, CR_SAPLING, CR_WOOD, CR_STONE_ITEM, CR_COAL_ITEM,
    CR_IRON_ITEM, CR_DIAMOND_ITEM, CR_WOOD_PICKAXE, CR_STONE_PICKAXE, CR_IRON_PICKAXE,
    CR_WOOD_SWORD, CR_STONE_SWORD, CR_IRON_SWORD, CR_NITEMS
};

/* data.yaml's actions, in its order. */
enum cr_action {
    CR_NOOP, CR_MOVE_LEFT, CR_MOVE_RIGHT, CR_MOVE_UP, CR_MOVE_DOWN, CR_DO, CR_SLEEP,
    CR_PLACE_STONE, CR_PLACE_TABLE, CR_PLACE_FURNACE, CR_PLACE_PLANT, CR_MAKE_WOOD_PICKAXE,
    CR_MAKE_STONE_PICKAXE, CR_MAKE_IRON_PICKAXE, CR_MAKE_WOOD_SWORD, CR_MAKE_STONE_SWORD,
    CR_MAKE_IRON_SWORD, CR_NACTIONS
};

/* data.yaml's achievements, in its order. */
enum cr_achievement {
    CR_COLLECT_COAL, CR_COLLECT_DIAMOND, CR_COLLECT_DRINK, CR_COLLECT_IRON, CR_COLLECT_SAPLING,
    CR_COLLECT_STONE, CR_COLLECT_WOOD, CR_DEFEAT_SKELETON, CR_DEFEAT_ZOMBIE, CR_EAT_COW,
    CR_EAT_PLANT, CR_MAKE_IRON_PICKAXE_A, CR_MAKE_IRON_SWORD_A, CR_MAKE_STONE_PICKAXE_A,
    CR_MAKE_STONE_SWORD_A, CR_MAKE_WOOD_PICKAXE_A, CR_MAKE_WOOD_SWORD_A, CR_PLACE_FURNACE_A,
    CR_PLACE_PLANT_A, CR_PLACE_STONE_A, CR_PLACE_TABLE_A, CR_WAKE_UP, CR_NACHIEVEMENTS
};

enum cr_kind { CR_DEAD, CR_PLAYER, CR_COW, CR_ZOMBIE, CR_SKELETON, CR_ARROW, CR_PLANT, CR_NKINDS };

/* One object. timer is a zombie's cooldown, a skeleton's reload, a plant's growth. */
typedef struct cr_obj {
    uint32_t id;
    uint8_t  kind;          /* enum cr_kind; CR_DEAD once removed */
    uint8_t  x, y;
    int8_t   fx, fy;        /* facing: the player's and an arrow's */
    uint8_t  pad;
    int16_t  health;
    int16_t  timer;
} cr_obj;

typedef struct cr_player {
    int8_t   inv[CR_NITEMS];
    double   hunger, thirst, fatigue, recover;
    int      sleeping;
    int      last_health;   /* health at the end of its previous update */
    uint16_t achievements[CR_NACHIEVEMENTS];   /* times each was unlocked */
} cr_player;

typedef struct crafter {
    world     base;
    rng    rng;
    int       length;                          /* steps in an episode */
    int       step;
    double    daylight;
    uint8_t   mat[CR_SIZE * CR_SIZE];          /* enum cr_material, index y * 64 + x */
    uint16_t  at[CR_SIZE * CR_SIZE];           /* object index + 1 there, 0 for none */
    cr_player pl;
    int       env_health;                      /* health when the last step ended */
    uint32_t  unlocked;                        /* achievements unlocked this episode */
    uint32_t  next_id;
    uint64_t  chunks_used;                     /* chunks that ever held an object */
    uint8_t   chunk_order[CR_CHUNKS * CR_CHUNKS];
    int       nchunks;
    int       nobj, cap;
    cr_obj   *objs;                            /* objs[0] is the player */
} crafter;

extern const char *const cr_material_names[CR_NMATERIALS + 1];
extern const char *const cr_item_names[CR_NITEMS];
extern const char *const cr_action_names[CR_NACTIONS];
extern const char *const cr_achievement_names[CR_NACHIEVEMENTS];
extern const char *const cr_kind_names[CR_NKINDS];

static inline int cr_inside(int x, int y)
{
    return x >= 0 && y >= 0 && x < CR_SIZE && y < CR_SIZE;
}

/* The material at (x, y), CR_UNKNOWN outside the map. */
static inline int cr_mat(const crafter *c, int x, int y)
{
    return cr_inside(x, y) ? c->mat[y * CR_SIZE + x] : CR_UNKNOWN;
}

/* The object at (x, y), or NULL. */
static inline cr_obj *cr_obj_at(crafter *c, int x, int y)
{
    return cr_inside(x, y) && c->at[y * CR_SIZE + x] ? &c->objs[c->at[y * CR_SIZE + x] - 1] : NULL;
}

/* Add an object (its chunk counts as used); NULL when out of memory. */
cr_obj *cr_add(crafter *c, int kind, int x, int y);

/* Generate a new world from the generator's current state (gen.c). */
int  cr_generate(crafter *c);

/* One environment step (rules.c): the player's action, the objects, balancing.
** AUGUR_ENOMEM when there is no room for the objects it may add. */
int  cr_step(crafter *c, int action, world_step_result *out);

/* Daylight at a step, per the original's cycle of 300 steps. */
double cr_daylight(int step);

#endif
