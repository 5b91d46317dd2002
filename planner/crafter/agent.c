/*
** agent.c — the Crafter agent: survival needs first, then the technology tree
** planned by ToolChain* over its skills (goap.h, with the plan memory's LCS
** term), the plan kept and revised the D-PoT way, and each step's action checked
** by WiA rollouts in the simulator (the world's clone in the oracle mode, the law
** model over the agent's belief otherwise), whose forecast is scored after acting.
*/
#include "planner/crafter/agent.h"

#include "base/time.h"
#include "planner/crafter/skills.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the technology tree as a GOAP domain ------------------------------------------- */

enum fact {
    F_SAPLING, F_WOOD, F_STONE, F_COAL, F_IRON, F_DIAMOND, F_WOOD_PICKAXE, F_STONE_PICKAXE,
    F_IRON_PICKAXE, F_WOOD_SWORD, F_STONE_SWORD, F_IRON_SWORD, F_NEAR_TABLE, F_NEAR_FURNACE,
    F_PLACED_TABLE, F_PLACED_FURNACE, F_PLACED_STONE, F_PLACED_PLANT, F_N
};

static const char *const fact_names[F_N] = {
    "sapling", "wood", "stone", "coal", "iron", "diamond", "wood_pickaxe", "stone_pickaxe",
    "iron_pickaxe", "wood_sword", "stone_sword", "iron_sword", "near_table", "near_furnace",
    "placed_table", "placed_furnace", "placed_stone", "placed_plant",
};

enum skill_macro {
    G_COLLECT_WOOD, G_COLLECT_STONE, G_COLLECT_COAL, G_COLLECT_IRON, G_COLLECT_DIAMOND,
    G_COLLECT_SAPLING, G_PLACE_TABLE, G_GOTO_TABLE, G_PLACE_FURNACE, G_GOTO_FURNACE,
    G_PLACE_STONE, G_PLACE_PLANT, G_MAKE_WOOD_PICKAXE, G_MAKE_STONE_PICKAXE, G_MAKE_IRON_PICKAXE,
    G_MAKE_WOOD_SWORD, G_MAKE_STONE_SWORD, G_MAKE_IRON_SWORD, G_N
};

#define PRE(f, v) { f, v }
#define ADD(f, v) { f, GOAP_ADD, v }
#define SET(f, v) { f, GOAP_SET, v }
#define AWAY SET(F_NEAR_TABLE, 0), SET(F_NEAR_FURNACE, 0)

static const goap_action macro_table[G_N] = {
    { "collect_wood", 1, 0, 3, { { 0, 0 } }, { ADD(F_WOOD, 1), AWAY } },
    { "collect_stone", 1, 1, 3, { PRE(F_WOOD_PICKAXE, 1) }, { ADD(F_STONE, 1), AWAY } },
    { "collect_coal", 1, 1, 3, { PRE(F_WOOD_PICKAXE, 1) }, { ADD(F_COAL, 1), AWAY } },
    { "collect_iron", 1, 1, 3, { PRE(F_STONE_PICKAXE, 1) }, { ADD(F_IRON, 1), AWAY } },
    { "collect_diamond", 1, 1, 3, { PRE(F_IRON_PICKAXE, 1) }, { ADD(F_DIAMOND, 1), AWAY } },
    { "collect_sapling", 1, 0, 3, { { 0, 0 } }, { ADD(F_SAPLING, 1), AWAY } },
    { "place_table", 1, 1, 4, { PRE(F_WOOD, 2) },
      { ADD(F_WOOD, -2), SET(F_NEAR_TABLE, 1), SET(F_NEAR_FURNACE, 0), SET(F_PLACED_TABLE, 1) } },
    { "goto_table", 1, 0, 2, { { 0, 0 } }, { SET(F_NEAR_TABLE, 1), SET(F_NEAR_FURNACE, 0) } },
    { "place_furnace", 1, 2, 3, { PRE(F_STONE, 4), PRE(F_NEAR_TABLE, 1) },
      { ADD(F_STONE, -4), SET(F_NEAR_FURNACE, 1), SET(F_PLACED_FURNACE, 1) } },
    { "goto_furnace", 1, 0, 2, { { 0, 0 } }, { SET(F_NEAR_TABLE, 1), SET(F_NEAR_FURNACE, 1) } },
    { "place_stone", 1, 1, 2, { PRE(F_STONE, 1) }, { ADD(F_STONE, -1), SET(F_PLACED_STONE, 1) } },
    { "place_plant", 1, 1, 2, { PRE(F_SAPLING, 1) },
      { ADD(F_SAPLING, -1), SET(F_PLACED_PLANT, 1) } },
    { "make_wood_pickaxe", 1, 2, 2, { PRE(F_NEAR_TABLE, 1), PRE(F_WOOD, 1) },
      { ADD(F_WOOD, -1), ADD(F_WOOD_PICKAXE, 1) } },
    { "make_stone_pickaxe", 1, 3, 3, { PRE(F_NEAR_TABLE, 1), PRE(F_WOOD, 1), PRE(F_STONE, 1) },
      { ADD(F_WOOD, -1), ADD(F_STONE, -1), ADD(F_STONE_PICKAXE, 1) } },
    { "make_iron_pickaxe", 1, 5, 4,
      { PRE(F_NEAR_TABLE, 1), PRE(F_NEAR_FURNACE, 1), PRE(F_WOOD, 1), PRE(F_COAL, 1),
        PRE(F_IRON, 1) },
      { ADD(F_WOOD, -1), ADD(F_COAL, -1), ADD(F_IRON, -1), ADD(F_IRON_PICKAXE, 1) } },
    { "make_wood_sword", 1, 2, 2, { PRE(F_NEAR_TABLE, 1), PRE(F_WOOD, 1) },
      { ADD(F_WOOD, -1), ADD(F_WOOD_SWORD, 1) } },
    { "make_stone_sword", 1, 3, 3, { PRE(F_NEAR_TABLE, 1), PRE(F_WOOD, 1), PRE(F_STONE, 1) },
      { ADD(F_WOOD, -1), ADD(F_STONE, -1), ADD(F_STONE_SWORD, 1) } },
    { "make_iron_sword", 1, 5, 4,
      { PRE(F_NEAR_TABLE, 1), PRE(F_NEAR_FURNACE, 1), PRE(F_WOOD, 1), PRE(F_COAL, 1),
        PRE(F_IRON, 1) },
      { ADD(F_WOOD, -1), ADD(F_COAL, -1), ADD(F_IRON, -1), ADD(F_IRON_SWORD, 1) } },
};

/* The item each macro gains, or -1. */
static const int macro_item[G_N] = {
    I_WOOD, I_STONE, I_COAL, I_IRON, I_DIAMOND, I_SAPLING, -1, -1, -1, -1, -1, -1,
    I_WOOD_PICKAXE, I_STONE_PICKAXE, I_IRON_PICKAXE, I_WOOD_SWORD, I_STONE_SWORD, I_IRON_SWORD,
};

/* The achievements the technology tree reaches, in the tree's order, and what
** makes each true. */
typedef struct tech_goal {
    const char *achievement;
    int fact, relative;          /* relative: one more than held now; else >= 1 */
} tech_goal;

static const tech_goal tech_goals[] = {
    { "collect_wood", F_WOOD, 1 }, { "place_table", F_PLACED_TABLE, 0 },
    { "make_wood_pickaxe", F_WOOD_PICKAXE, 1 }, { "make_wood_sword", F_WOOD_SWORD, 1 },
    { "collect_stone", F_STONE, 1 }, { "place_stone", F_PLACED_STONE, 0 },
    { "make_stone_pickaxe", F_STONE_PICKAXE, 1 }, { "make_stone_sword", F_STONE_SWORD, 1 },
    { "collect_coal", F_COAL, 1 }, { "place_furnace", F_PLACED_FURNACE, 0 },
    { "collect_iron", F_IRON, 1 }, { "make_iron_pickaxe", F_IRON_PICKAXE, 1 },
    { "make_iron_sword", F_IRON_SWORD, 1 }, { "collect_diamond", F_DIAMOND, 1 },
    { "collect_sapling", F_SAPLING, 1 }, { "place_plant", F_PLACED_PLANT, 0 },
};

enum { NTECH = sizeof tech_goals / sizeof *tech_goals };

static int fact_item(int f)
{
    return f <= F_IRON_SWORD ? I_SAPLING + f : -1;
}

/* ---- achievements -------------------------------------------------------------------- */

static int ach_index(const ca_agent *a, const char *name)
{
    for (int i = 0; i < a->cls->nachievements && i < 32; i++)
        if (strcmp(a->cls->achievements[i], name) == 0)
            return i;
    return -1;
}

static int ach_done(const ca_agent *a, const char *name)
{
    int i = ach_index(a, name);
    return i >= 0 && (a->unlocked >> i & 1);
}

/* ---- the symbolic state and the domain's costs ----------------------------------------- */

static void ca_goap_state(const ca_agent *a, goap_state *gs)
{
    memset(gs, 0, sizeof *gs);
    for (int f = 0; f <= F_IRON_SWORD; f++)
        gs->v[f] = (int16_t)a->map.inv[fact_item(f)];
    gs->v[F_NEAR_TABLE] = (int16_t)sk_is_near(&a->map, 1, 0);
    gs->v[F_NEAR_FURNACE] = (int16_t)sk_is_near(&a->map, 1, 1);
}

/* Manhattan distance from the player to the nearest known cell of each material. */
static void ca_distances(const ca_agent *a, int *dist)
{
    const cm_map *m = &a->map;

    for (int i = 0; i < M_NMAT; i++)
        dist[i] = -1;
    for (int y = 0; y < CM_W; y++)
        for (int x = 0; x < CM_W; x++) {
            int mat = m->mat[y * CM_W + x], d = abs(x - m->px) + abs(y - m->py);
            if (mat < M_NMAT && (dist[mat] < 0 || d < dist[mat]))
                dist[mat] = d;
        }
}

/* The domain with costs from the map: walking distances, exploring for what the
** map lacks (unavailable in the oracle mode, whose map is complete). */
static void ca_domain(ca_agent *a)
{
    static const int collect_mat[6] = { M_TREE, M_STONE, M_COAL, M_IRON, M_DIAMOND, M_GRASS };
    goap_domain *d = &a->dom;
    const int *dist = a->dist;

    memset(d, 0, sizeof *d);
    d->nfacts = F_N;
    d->facts = fact_names;
    for (int f = 0; f <= F_IRON_SWORD; f++)
        d->max[f] = 9;
    d->nactions = G_N;
    d->heuristic = GOAP_H_ADD;
    memcpy(d->actions, macro_table, sizeof macro_table);
    for (int g = G_COLLECT_WOOD; g <= G_COLLECT_SAPLING; g++) {
        int k = dist[collect_mat[g]];
        d->actions[g].cost = k >= 0 ? k + 2 : a->o.oracle ? 0 : g == G_COLLECT_DIAMOND ? 120 : 40;
    }
    d->actions[G_COLLECT_SAPLING].cost += 10;
    d->actions[G_GOTO_TABLE].cost = dist[M_TABLE] >= 0 ? dist[M_TABLE] + 1 : 0;
    d->actions[G_GOTO_FURNACE].cost = dist[M_FURNACE] >= 0 ? dist[M_FURNACE] + 1 : 0;
    d->actions[G_PLACE_TABLE].cost = 4;
    d->actions[G_PLACE_FURNACE].cost = 3;
}

/* ---- D-PoT: validating and replanning ---------------------------------------------------- */

static int ca_goal_conds(const ca_agent *a, int tech, goap_cond *c)
{
    const tech_goal *t = &tech_goals[tech];
    int item = fact_item(t->fact);

    c[0].fact = t->fact;
    c[0].value = (int16_t)(t->relative ? (item >= 0 ? a->map.inv[item] : 0) + 1 : 1);
    if (item >= 0 && a->map.inv[item] >= 9)
        c[0].value = 9;
    return 1;
}

static int ca_validate(void *ud, const int *steps, int n)
{
    ca_agent *a = ud;
    goap_state gs;
    goap_cond c[1];

    if (a->tech < 0)
        return 0;
    ca_goap_state(a, &gs);
    c[0] = a->goal_cond;
    return goap_valid(&a->dom, &gs, steps, n, c, 1, NULL);
}

static int ca_replan(void *ud, int *out, int max)
{
    ca_agent *a = ud;
    goap_state gs;
    search_result r;
    search_opts o = a->o.search;
    int n;

    if (a->tech < 0)
        return 0;
    ca_goap_state(a, &gs);
    if (a->mem)
        plan_memory_recall(a->mem, tech_goals[a->tech].achievement, NULL);
    buf_clear(&a->dot);
    o.max_us = (long)(a->k.deadline_us - time_mono_us());
    o.max_us = o.max_us > 50 ? o.max_us : 50;
    n = goap_plan(a->k.srch, &a->dom, &gs, &a->goal_cond, 1, &o, a->mem, out, max, &r,
                  a->o.dot ? &a->dot : NULL, NULL);
    a->plan_nodes += r.expanded;
    return n > 0 && r.status == SEARCH_FOUND ? n : 0;
}

/* Choose the technology goal: the one not yet unlocked whose relaxed plan costs
** least (the search then plans only for the one chosen). */
static void ca_choose_tech(ca_agent *a)
{
    goap_state gs;
    double best = INFINITY;
    int choice = -1;

    ca_goap_state(a, &gs);
    for (int t = 0; t < NTECH; t++) {
        goap_cond c[1];
        double cost;
        if (ach_done(a, tech_goals[t].achievement) || a->tech_failed[t] > a->t)
            continue;
        ca_goal_conds(a, t, c);
        cost = goap_estimate(&a->dom, &gs, c, 1);
        if (cost < best - 1e-9) {
            best = cost;
            choice = t;
        }
    }
    a->tech = choice;
    if (choice >= 0) {
        ca_goal_conds(a, choice, &a->goal_cond);
        dpot_set_goal(&a->plan, tech_goals[choice].achievement);
        a->ndone = 0;
    } else {
        dpot_set_goal(&a->plan, "survive");
    }
}

static void ca_revise(ca_agent *a, enum dpot_trigger why)
{
    ca_domain(a);
    if (a->tech < 0 || why == DPOT_GOAL_CHANGED) {
        ca_choose_tech(a);
        if (a->tech < 0)
            return;
    }
    dpot_revise(&a->plan, a->t, why, ca_validate, ca_replan, a);
    if (a->plan.nsteps == 0) {
        /* Nothing reaches this goal now: set it aside for a while. */
        a->tech_failed[a->tech] = a->t + 200;
        a->tech = -1;
    }
    a->macro_t = a->t;
    memcpy(a->macro_inv, a->map.inv, sizeof a->macro_inv);
}

/* Whether the plan's first macro has done what it promised. */
static int ca_macro_done(const ca_agent *a, int g)
{
    int item = macro_item[g];

    switch (g) {
    case G_GOTO_TABLE:
        return sk_is_near(&a->map, 1, 0);
    case G_GOTO_FURNACE:
        return sk_is_near(&a->map, 1, 1);
    case G_PLACE_TABLE:
        return a->placed[F_PLACED_TABLE - F_PLACED_TABLE];
    case G_PLACE_FURNACE:
        return a->placed[F_PLACED_FURNACE - F_PLACED_TABLE];
    case G_PLACE_STONE:
        return a->placed[F_PLACED_STONE - F_PLACED_TABLE];
    case G_PLACE_PLANT:
        return a->placed[F_PLACED_PLANT - F_PLACED_TABLE];
    }
    return item >= 0 && a->map.inv[item] > a->macro_inv[item];
}

/* ---- skills for the plan's macros ------------------------------------------------------ */

static int ca_stand_near_table(const cm_map *m, int x, int y)
{
    for (int j = y - 1; j <= y + 1; j++)
        for (int i = x - 1; i <= x + 1; i++)
            if (cm_at(m, i, j) == M_TABLE)
                return 1;
    return 0;
}

static int ca_or_explore(ca_agent *a, int act)
{
    if (act >= 0)
        return act;
    snprintf(a->doing, sizeof a->doing, "exploring");
    return sk_explore(&a->k, &a->map, &a->rng);
}

static int ca_run_macro(ca_agent *a, int g)
{
    static const int collect_mat[6] = { M_TREE, M_STONE, M_COAL, M_IRON, M_DIAMOND, M_GRASS };
    skills *k = &a->k;
    const cm_map *m = &a->map;
    int act;

    snprintf(a->doing, sizeof a->doing, "%s", macro_table[g].name);
    switch (g) {
    case G_COLLECT_SAPLING:
        act = sk_place(k, m, A_PLACE_PLANT, NULL);
        return ca_or_explore(a, act == A_PLACE_PLANT ? A_DO : act);
    case G_PLACE_TABLE:
        return ca_or_explore(a, sk_place(k, m, A_PLACE_TABLE, NULL));
    case G_PLACE_FURNACE:
        if (!sk_is_near(m, 1, 0))
            return ca_or_explore(a, sk_station(k, m, 0, A_NOOP));
        return ca_or_explore(a, sk_place(k, m, A_PLACE_FURNACE, ca_stand_near_table));
    case G_PLACE_STONE:
        return ca_or_explore(a, sk_place(k, m, A_PLACE_STONE, NULL));
    case G_PLACE_PLANT:
        return ca_or_explore(a, sk_place(k, m, A_PLACE_PLANT, NULL));
    case G_GOTO_TABLE:
        return ca_or_explore(a, sk_station(k, m, 0, A_NOOP));
    case G_GOTO_FURNACE:
        return ca_or_explore(a, sk_station(k, m, 1, A_NOOP));
    case G_MAKE_WOOD_PICKAXE: case G_MAKE_STONE_PICKAXE: case G_MAKE_WOOD_SWORD:
    case G_MAKE_STONE_SWORD:
        return ca_or_explore(a, sk_station(k, m, 0, A_MAKE_WOOD_PICKAXE + g - G_MAKE_WOOD_PICKAXE));
    case G_MAKE_IRON_PICKAXE: case G_MAKE_IRON_SWORD:
        return ca_or_explore(a, sk_station(k, m, 1, A_MAKE_WOOD_PICKAXE + g - G_MAKE_WOOD_PICKAXE));
    default:
        return ca_or_explore(a, sk_collect(k, m, collect_mat[g - G_COLLECT_WOOD]));
    }
}

/* ---- needs and threats ------------------------------------------------------------------- */

static const cm_creature *ca_nearest(const ca_agent *a, int kind, int *dist)
{
    const cm_creature *best = NULL;

    *dist = 1 << 20;
    for (int i = 0; i < a->map.ncreatures; i++) {
        const cm_creature *c = &a->map.creatures[i];
        int d = abs(c->x - a->map.px) + abs(c->y - a->map.py);
        if (c->kind == kind && d < *dist) {
            *dist = d;
            best = c;
        }
    }
    return best;
}

static int ca_known(const ca_agent *a, int mat)
{
    return a->dist[mat] >= 0;
}

/* Step away from a creature: to the free neighbouring cell farthest from it. */
static int ca_flee(ca_agent *a, const cm_creature *c)
{
    const cm_map *m = &a->map;
    int best = -1, far = abs(c->x - m->px) + abs(c->y - m->py);

    for (int d = 0; d < 4; d++) {
        int x = m->px + grid_dx[d], y = m->py + grid_dy[d], dist = abs(c->x - x) + abs(c->y - y);
        if (cm_walkable(cm_at(m, x, y)) && !cm_creature_at(m, x, y) && dist > far) {
            far = dist;
            best = d;
        }
    }
    if (best < 0)
        return -1;
    snprintf(a->doing, sizeof a->doing, "keeping away from a %s", cm_kind_names[c->kind]);
    return sk_move(best);
}

/* Shelter, then sleep; -1 when no shelter can be had here and sleeping in the open
** is too dangerous. */
static int ca_sleep(ca_agent *a)
{
    skills *k = &a->k;
    int dz;

    snprintf(a->doing, sizeof a->doing, "sheltering to sleep");
    if (sk_sheltered(&a->map)) {
        if (a->map.inv[I_ENERGY] < 9)
            return A_SLEEP;
        snprintf(a->doing, sizeof a->doing, "waiting out the night in a shelter");
        return A_NOOP;
    }
    if (k->shelter_i < k->nshelter) {
        int act = k->shelter[k->shelter_i], d = act - A_LEFT;
        /* A creature in the way spoils the macro: plan again. */
        if (act >= A_LEFT && act <= A_DOWN &&
            cm_creature_at(&a->map, a->map.px + grid_dx[d], a->map.py + grid_dy[d]))
            k->nshelter = k->shelter_i = 0;
        else
            return k->shelter[k->shelter_i++];
    }
    if (a->t >= a->shelter_retry_t) {
        a->shelter_retry_t = a->t + 5;
        if (sk_shelter_plan(k, &a->map, 300) > 0)
            return k->shelter[k->shelter_i++];
    }
    if (a->map.inv[I_ENERGY] <= 1 && (!ca_nearest(a, K_ZOMBIE, &dz) || dz > 6))
        return A_SLEEP;
    {
        int act = sk_shelter_site(k, &a->map);
        snprintf(a->doing, sizeof a->doing, "going where a shelter can be built");
        if (act >= 0)
            return act;
    }
    if (a->map.inv[I_WOOD_PICKAXE] && a->dist[M_STONE] >= 0 && a->dist[M_STONE] < 10) {
        int act = sk_collect(k, &a->map, M_STONE);
        snprintf(a->doing, sizeof a->doing, "going to stone for a shelter");
        if (act >= 0)
            return act;
    }
    return -1;
}

/* What survival asks for now, or -1. Sets a->urgent when a threat is close. */
static int ca_needs(ca_agent *a)
{
    const cm_map *m = &a->map;
    int dz, ds, dc, night = m->daylight < 0.55;
    const cm_creature *z = ca_nearest(a, K_ZOMBIE, &dz);
    const cm_creature *s = ca_nearest(a, K_SKELETON, &ds);
    const cm_creature *cow = ca_nearest(a, K_COW, &dc);
    int armed = m->inv[I_WOOD_SWORD] + m->inv[I_STONE_SWORD] + m->inv[I_IRON_SWORD] > 0, act;

    a->urgent = (z && dz <= 2) || (s && ds <= 4);
    if (z && dz <= 1) {
        snprintf(a->doing, sizeof a->doing, "fighting a zombie");
        return sk_hit(&a->k, m, K_ZOMBIE);
    }
    if (s && ds <= 1) {
        snprintf(a->doing, sizeof a->doing, "fighting a skeleton");
        return sk_hit(&a->k, m, K_SKELETON);
    }
    if (m->inv[I_DRINK] <= (night ? 2 : 4) && ca_known(a, M_WATER)) {
        snprintf(a->doing, sizeof a->doing, "drinking");
        return ca_or_explore(a, sk_collect(&a->k, m, M_WATER));
    }
    if (m->inv[I_FOOD] <= (night ? 2 : 4) && cow) {
        snprintf(a->doing, sizeof a->doing, "hunting a cow");
        return sk_hit(&a->k, m, K_COW);
    }
    if ((m->inv[I_ENERGY] <= 3 || night) && (act = ca_sleep(a)) >= 0)
        return act;
    if (m->daylight < 0.75 && m->daylight < a->last_daylight && !sk_sheltered(m) &&
        a->t >= a->site_retry_t) {
        /* Dusk: be where a shelter can be made before the zombies come; failing a
        ** site near, head for stone to dig into. */
        if ((act = sk_shelter_site(&a->k, m)) >= 0 && a->k.npath > 0) {
            snprintf(a->doing, sizeof a->doing, "going where a shelter can be made, at dusk");
            return act;
        }
        if (m->inv[I_WOOD_PICKAXE] && a->dist[M_STONE] > 1 && a->dist[M_STONE] < 40 &&
            (act = sk_collect(&a->k, m, M_STONE)) >= 0 && act != A_DO) {
            snprintf(a->doing, sizeof a->doing, "heading for stone at dusk");
            return act;
        }
        a->site_retry_t = a->t + 10;
    }
    /* Once begun, drink and eat until nearly full. */
    a->thirsty = m->inv[I_DRINK] <= 4 || (a->thirsty && m->inv[I_DRINK] < 8);
    a->hungry = m->inv[I_FOOD] <= 4 || (a->hungry && m->inv[I_FOOD] < 7);
    if (a->thirsty && ca_known(a, M_WATER)) {
        snprintf(a->doing, sizeof a->doing, "drinking");
        return ca_or_explore(a, sk_collect(&a->k, m, M_WATER));
    }
    if (a->hungry && cow) {
        snprintf(a->doing, sizeof a->doing, "hunting a cow");
        return sk_hit(&a->k, m, K_COW);
    }
    if (z && dz <= 4 && m->inv[I_HEALTH] >= 5 && !ach_done(a, "defeat_zombie")) {
        snprintf(a->doing, sizeof a->doing, "fighting a zombie");
        return sk_hit(&a->k, m, K_ZOMBIE);
    }
    if (z && dz <= 3 && m->inv[I_HEALTH] <= 5 && (act = ca_flee(a, z)) >= 0)
        return act;
    if (s && ds <= 6 && m->inv[I_HEALTH] >= 6 && armed && !ach_done(a, "defeat_skeleton")) {
        snprintf(a->doing, sizeof a->doing, "fighting a skeleton");
        return sk_hit(&a->k, m, K_SKELETON);
    }
    if (m->inv[I_DRINK] <= 5 && ca_known(a, M_WATER)) {
        snprintf(a->doing, sizeof a->doing, "drinking");
        return sk_collect(&a->k, m, M_WATER);
    }
    if (m->inv[I_FOOD] <= 5 && cow && dc <= 12) {
        snprintf(a->doing, sizeof a->doing, "hunting a cow");
        return sk_hit(&a->k, m, K_COW);
    }
    return -1;
}

/* A walled-in plant to come back to, or NULL. */
static const cm_plant *ca_garden_plant(const ca_agent *a)
{
    for (int i = a->map.nplants - 1; i >= 0; i--)
        if (a->map.plants[i].alive && a->map.plants[i].walled)
            return &a->map.plants[i];
    return NULL;
}

/* Plant a sapling and wall it in (the garden macro), so it can ripen unharmed. */
static int ca_garden(ca_agent *a)
{
    cm_map *m = &a->map;

    if (a->garden_i < a->ngarden) {
        int act = a->garden[a->garden_i], d = act - A_LEFT;
        if (act >= A_LEFT && act <= A_DOWN &&
            cm_creature_at(m, m->px + grid_dx[d], m->py + grid_dy[d])) {
            a->ngarden = a->garden_i = 0;
            return -1;
        }
        snprintf(a->doing, sizeof a->doing, "walling in a plant");
        a->garden_i++;
        if (a->garden_i == a->ngarden && m->nplants > 0)
            m->plants[m->nplants - 1].walled = 1;
        return act;
    }
    if (ca_garden_plant(a) || m->inv[I_STONE] < 4 || m->daylight < 0.6 ||
        !ach_done(a, "make_wood_pickaxe") || a->t < a->garden_retry_t)
        return -1;
    if (m->inv[I_SAPLING] < 1) {
        int act = sk_place(&a->k, m, A_PLACE_PLANT, NULL);
        snprintf(a->doing, sizeof a->doing, "looking for a sapling in the grass");
        return act == A_PLACE_PLANT ? A_DO : act;
    }
    a->garden_retry_t = a->t + 25;
    if (sk_garden_plan(&a->k, m) < 0)
        return -1;
    memcpy(a->garden, a->k.shelter, (size_t)a->k.nshelter * sizeof *a->garden);
    a->ngarden = a->k.nshelter;
    a->garden_i = 0;
    a->k.nshelter = a->k.shelter_i = 0;
    return ca_garden(a);
}

/* Achievements outside the technology tree, when there is nothing better to do. */
static int ca_side(ca_agent *a)
{
    const cm_map *m = &a->map;
    int d;
    const cm_creature *c;

    for (int i = 0; i < m->ncreatures; i++)
        if (m->creatures[i].kind == K_PLANT && m->creatures[i].ripe) {
            snprintf(a->doing, sizeof a->doing, "eating a plant");
            if ((d = sk_hit(&a->k, m, K_PLANT)) >= 0)
                return d;
        }
    if (m->inv[I_STONE] < 6 && m->inv[I_WOOD_PICKAXE] && a->dist[M_STONE] >= 0 &&
        a->dist[M_STONE] < 20) {
        snprintf(a->doing, sizeof a->doing, "keeping stone for shelters");
        return sk_collect(&a->k, m, M_STONE);
    }
    if (!ach_done(a, "collect_drink") && ca_known(a, M_WATER)) {
        snprintf(a->doing, sizeof a->doing, "drinking");
        return sk_collect(&a->k, m, M_WATER);
    }
    if (!ach_done(a, "eat_cow") && (c = ca_nearest(a, K_COW, &d))) {
        snprintf(a->doing, sizeof a->doing, "hunting a cow");
        return sk_hit(&a->k, m, K_COW);
    }
    if (!ach_done(a, "wake_up") && m->inv[I_ENERGY] < 9 && (d = ca_sleep(a)) >= 0)
        return d;
    if (!ach_done(a, "defeat_zombie") && (c = ca_nearest(a, K_ZOMBIE, &d)) && d < 10) {
        snprintf(a->doing, sizeof a->doing, "hunting a zombie");
        return sk_hit(&a->k, m, K_ZOMBIE);
    }
    if (!ach_done(a, "defeat_skeleton") && (c = ca_nearest(a, K_SKELETON, &d)) && d < 12) {
        snprintf(a->doing, sizeof a->doing, "hunting a skeleton");
        return sk_hit(&a->k, m, K_SKELETON);
    }
    return -1;
}

/* Near its own plant the agent waits for it to ripen; elsewhere it explores. */
static int ca_idle(ca_agent *a)
{
    const cm_map *m = &a->map;

    for (int i = 0; i < m->nplants; i++) {
        const cm_plant *p = &m->plants[i];
        if (!p->alive || !p->walled)
            continue;
        if (abs(p->x - m->px) + abs(p->y - m->py) > 6) {
            snprintf(a->doing, sizeof a->doing, "returning to the plant");
            sk_goal_clear(&a->k);
            sk_goal_add(&a->k, p->x + 2, p->y);
            sk_goal_add(&a->k, p->x - 2, p->y);
            sk_goal_add(&a->k, p->x, p->y + 2);
            sk_goal_add(&a->k, p->x, p->y - 2);
            return ca_or_explore(a, sk_navigate(&a->k, m, 4000));
        }
        snprintf(a->doing, sizeof a->doing, "waiting for the plant to ripen");
        return A_NOOP;
    }
    snprintf(a->doing, sizeof a->doing, "exploring");
    return sk_explore(&a->k, m, &a->rng);
}

/* ---- choosing the action --------------------------------------------------------------- */

/* The skill's choice for this step. */
int ca_decide(ca_agent *a)
{
    int act;

    a->urgent = 0;
    sk_costs(&a->k, &a->map, !a->o.oracle);
    ca_distances(a, a->dist);
    if (a->map.sleeping) {
        snprintf(a->doing, sizeof a->doing, "sleeping");
        return A_SLEEP;
    }
    if ((act = ca_needs(a)) >= 0) {
        a->ngarden = a->garden_i = 0;
        if (a->urgent && !a->was_urgent)
            dpot_record(&a->plan, a->t, act, "threat: survival first");
        a->was_urgent = a->urgent;
        if (a->urgent)
            a->pending |= 1u << DPOT_THREAT;
        return act;
    }
    a->k.nshelter = a->k.shelter_i = 0;
    if ((act = ca_garden(a)) >= 0)
        return act;
    if (a->tech < 0 || a->pending || a->plan.nsteps == 0) {
        enum dpot_trigger why = DPOT_PLAN_EMPTY;
        for (int t = 0; t < DPOT_NTRIGGERS; t++)
            if (a->pending >> t & 1) {
                why = (enum dpot_trigger)t;
                break;
            }
        if (a->tech < 0 || a->plan.nsteps == 0)
            why = a->tech < 0 ? DPOT_GOAL_CHANGED : why;
        if (a->tech < 0 || a->t >= a->retry_t) {
            ca_revise(a, why);
            a->retry_t = a->tech < 0 ? a->t + 20 : a->t;
        }
        a->pending = 0;
    }
    if (a->tech >= 0 && a->plan.nsteps > 0 && (act = ca_run_macro(a, a->plan.steps[0])) >= 0)
        return act;
    if ((act = ca_side(a)) >= 0)
        return act;
    return ca_idle(a);
}

/* After a step: did the macro finish, did the goal? */
void ca_progress(ca_agent *a, const world_step_result *r)
{
    for (size_t i = 0; i < r->nevents; i++) {
        int k = ach_index(a, r->events[i]);
        for (int p = 0; p < 4; p++) {
            static const char *const placed[4] = { "place_table", "place_furnace", "place_stone",
                                                   "place_plant" };
            if (strcmp(r->events[i], placed[p]) == 0)
                a->placed[p] = 1;
        }
        if (strcmp(r->events[i], "place_plant") == 0 && a->map.nplants < CM_PLANTS)
            a->map.plants[a->map.nplants++] = (cm_plant){ a->map.px + a->map.fx,
                                                          a->map.py + a->map.fy, 1, 0, a->t };
        if (k >= 0)
            a->unlocked |= 1u << k;
    }
    if (a->tech < 0)
        return;
    if (a->plan.nsteps > 0 && ca_macro_done(a, a->plan.steps[0])) {
        if (a->ndone < DPOT_STEPS_MAX)
            a->done_steps[a->ndone++] = a->plan.steps[0];
        dpot_record(&a->plan, a->t, a->plan.steps[0], "subgoal done");
        dpot_advance(&a->plan);
        memset(a->placed, 0, sizeof a->placed);
        memcpy(a->macro_inv, a->map.inv, sizeof a->macro_inv);
        a->pending |= 1u << DPOT_SUBGOAL_DONE;
    }
    if (ach_done(a, tech_goals[a->tech].achievement)) {
        if (a->mem && a->ndone > 0)
            plan_memory_store(a->mem, tech_goals[a->tech].achievement, a->done_steps, a->ndone,
                              a->ndone, NULL);
        a->tech = -1;
        a->plan.nsteps = 0;
    } else if (a->plan.nsteps > 0 && a->t - a->macro_t > 400) {
        /* A macro that makes no progress is a failure to revise from. */
        a->tech_failed[a->tech] = a->t + 300;
        a->tech = -1;
        a->plan.nsteps = 0;
    }
}

const char *ca_macro_name(int g)
{
    return g >= 0 && g < G_N ? macro_table[g].name : "?";
}

const char *ca_goal_name(const ca_agent *a)
{
    return a->tech >= 0 ? tech_goals[a->tech].achievement : "survive";
}
