/*
** skills.h — the Crafter agent's skills (private to planner/crafter).
*/
#ifndef AUGUR_PLANNER_CRAFTER_SKILLS_H
#define AUGUR_PLANNER_CRAFTER_SKILLS_H

#include "planner/crafter/crafter.h"
#include "planner/grid.h"

enum { SK_PATH_MAX = 512, SK_SHELTER_MAX = 512, SK_REACH = 32 };

typedef struct skills {
    search *srch;
    uint8_t cost[CM_W * CM_W];
    uint8_t mask[CM_W * CM_W];
    int     x0, y0, x1, y1;         /* the cells sk_costs prepared */
    int     tx[GRID_TARGETS], ty[GRID_TARGETS], ntargets, ngoal;
    int     path[SK_PATH_MAX], npath;
    int     shelter[SK_SHELTER_MAX], nshelter, shelter_i;
    long    expanded;               /* A* expansions, for the figures */
    uint64_t deadline_us;           /* searches stop here (time_mono_us) */
} skills;

int  sk_dir_of(int dx, int dy);
int  sk_move(int dir);
void sk_costs(skills *k, const cm_map *m, int explore);
void sk_goal_clear(skills *k);
void sk_goal_add(skills *k, int x, int y);
int  sk_navigate(skills *k, const cm_map *m, long max_nodes);

/* Each returns the next primitive action (enum cm_act), or -1 when it cannot. */
int  sk_collect(skills *k, const cm_map *m, int mat);
int  sk_hit(skills *k, const cm_map *m, int kind);
int  sk_station(skills *k, const cm_map *m, int furnace, int act);
int  sk_place(skills *k, const cm_map *m, int act, int (*stand)(const cm_map *, int, int));
int  sk_explore(skills *k, const cm_map *m, uint64_t *rng);
int  sk_is_near(const cm_map *m, int table, int furnace);

int  sk_shelter_plan(skills *k, const cm_map *m, long max_nodes);
int  sk_sheltered(const cm_map *m);
int  sk_shelter_site(skills *k, const cm_map *m);
/* A sapling planted ahead and walled in: the macro into k->shelter, or -1. */
int  sk_garden_plan(skills *k, const cm_map *m);

#endif
