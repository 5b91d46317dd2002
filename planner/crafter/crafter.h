/*
** crafter.h — the Crafter agent (private to planner/; the rest of augur reaches it
** through planner/agent.h). It knows Crafter the way a player who read the paper
** does: the names of materials, items and actions, the technology tree and the
** survival needs. It sees the world through world_observe only (or, in the oracle
** mode, the full state), never through Crafter's own code.
*/
#ifndef AUGUR_PLANNER_CRAFTER_H
#define AUGUR_PLANNER_CRAFTER_H

#include "planner/agent.h"
#include "planner/dpot.h"
#include "planner/goap.h"
#include "planner/memory.h"
#include "planner/rollout.h"
#include "planner/search.h"
#include "planner/sim.h"

#include <stdint.h>

/* The map memory: 128 x 128 cells around where the agent started (at 64, 64),
** which holds any 64 x 64 world whatever the start. */
enum { CM_W = 128, CM_START = 64, CM_CREATURES = 128, CM_PLANTS = 8 };

enum cm_mat {
    M_WATER, M_GRASS, M_STONE, M_PATH, M_SAND, M_TREE, M_LAVA, M_COAL, M_IRON, M_DIAMOND,
    M_TABLE, M_FURNACE, M_OUTSIDE, M_NMAT, M_UNSEEN = 255
};

enum cm_item {
    I_HEALTH, I_FOOD, I_DRINK, I_ENERGY, I_SAPLING, I_WOOD, I_STONE, I_COAL, I_IRON, I_DIAMOND,
    I_WOOD_PICKAXE, I_STONE_PICKAXE, I_IRON_PICKAXE, I_WOOD_SWORD, I_STONE_SWORD, I_IRON_SWORD,
    I_N
};

enum cm_act {
    A_NOOP, A_LEFT, A_RIGHT, A_UP, A_DOWN, A_DO, A_SLEEP, A_PLACE_STONE, A_PLACE_TABLE,
    A_PLACE_FURNACE, A_PLACE_PLANT, A_MAKE_WOOD_PICKAXE, A_MAKE_STONE_PICKAXE,
    A_MAKE_IRON_PICKAXE, A_MAKE_WOOD_SWORD, A_MAKE_STONE_SWORD, A_MAKE_IRON_SWORD, A_N
};

enum cm_kind { K_COW, K_ZOMBIE, K_SKELETON, K_ARROW, K_PLANT, K_N };

typedef struct cm_creature {
    int64_t id;
    int     kind, x, y, ripe;
} cm_creature;

typedef struct cm_plant {
    int  x, y, alive, walled;
    long planted;
} cm_plant;

/* What the agent knows: its map, where it is, what it holds, what it sees. */
typedef struct cm_map {
    uint8_t mat[CM_W * CM_W];
    int     px, py, fx, fy;                 /* position and facing, in map cells */
    int     inv[I_N];
    int     sleeping;
    double  daylight;
    int     ncreatures;
    cm_creature creatures[CM_CREATURES];
    uint8_t occ[CM_W * CM_W];               /* creature index + 1 on each cell, 0 none */
    int     nplants;
    cm_plant plants[CM_PLANTS];
} cm_map;

extern const char *const cm_mat_names[M_NMAT];
extern const char *const cm_item_names[I_N];
extern const char *const cm_kind_names[K_N];
extern const char *const cm_act_names[A_N];
/* The facings as the world names them, in grid_dx/grid_dy's order. */
extern const char *const cm_dir_names[4];

static inline int cm_in(int x, int y)
{
    return x >= 0 && y >= 0 && x < CM_W && y < CM_W;
}

static inline int cm_at(const cm_map *m, int x, int y)
{
    return cm_in(x, y) ? m->mat[y * CM_W + x] : M_OUTSIDE;
}

/* Walkable for the player's feet as the agent plans (lava never). */
static inline int cm_walkable(int mat)
{
    return mat == M_GRASS || mat == M_SAND || mat == M_PATH;
}

/* The creature at (x, y), or NULL. */
const cm_creature *cm_creature_at(const cm_map *m, int x, int y);

void cm_reset(cm_map *m);

/* Read an observation into the map: the agent's view (the 9 x 7 window around
** the player, placed where dead reckoning and the view agree, last_move the move
** just taken or -1), or the full state (oracle). */
int  cm_perceive(cm_map *m, const state *obs, int oracle, int last_move, augur_err *err);

/* The agent's belief as a symbolic state, in the form the law model reads: the
** w x h cells from (x0, y0) and what is on them, the player with its inventory;
** attributes the view cannot give (hunger, thirst, ...) taken from prior when it
** has them. */
int  cm_belief(const cm_map *m, int x0, int y0, int w, int h, const state *prior, state *out);

#endif
