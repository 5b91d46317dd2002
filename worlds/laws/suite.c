/*
** suite.c — the Crafter scenario suite (the mechanics of OneLife's evaluation,
** each with success and failure variants where it has them) and the seven
** families of mutators that make distractors.
**
** A scenario's transition is built from a real state: the world is played by a
** random agent for a few steps from a seed, the creatures near the player are
** taken away (so that the transition shows the mechanic, not the noise around
** it), the faced tile, an entity there and the inventory are set as the
** scenario says, the world is loaded with that state (world_load), and the
** scenario's action is taken.
*/
#include "worlds/laws/suite.h"

#include "base/rng.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SC_QUIET = 20, SC_WARMUP = 120, SC_NEAR = 8 };

/* ---- the Crafter suite ---------------------------------------------------------------- */

static const sc_def sc_crafter[] = {
    { "collect_wood_success", "do", 1, "tree", NULL, 0, 0, { NULL }, { NULL }, NULL, 0, "wood", 1,
      0 },
    { "collect_stone_success", "do", 1, "stone", NULL, 0, 0, { "wood_pickaxe=1" }, { NULL }, NULL, 0,
      "stone", 1, 0 },
    { "collect_stone_failure", "do", 1, "stone", NULL, 0, 0, { "wood_pickaxe=0" }, { NULL }, NULL, 0,
      "stone", 0, 0 },
    { "collect_coal_success", "do", 1, "coal", NULL, 0, 0, { "wood_pickaxe=1" }, { NULL }, NULL, 0,
      "coal", 1, 0 },
    { "collect_coal_failure", "do", 1, "coal", NULL, 0, 0, { "wood_pickaxe=0" }, { NULL }, NULL, 0,
      "coal", 0, 0 },
    { "collect_iron_success", "do", 1, "iron", NULL, 0, 0, { "stone_pickaxe=1" }, { NULL }, NULL, 0,
      "iron", 1, 0 },
    { "collect_iron_failure", "do", 1, "iron", NULL, 0, 0, { "stone_pickaxe=0" }, { NULL }, NULL, 0,
      "iron", 0, 0 },
    { "collect_diamond_success", "do", 1, "diamond", NULL, 0, 0, { "iron_pickaxe=1" }, { NULL }, NULL,
      0, "diamond", 1, 0 },
    { "collect_diamond_failure", "do", 1, "diamond", NULL, 0, 0, { "iron_pickaxe=0" }, { NULL }, NULL,
      0, "diamond", 0, 0 },
    { "collect_drink_success", "do", 1, "water", NULL, 0, 0, { "drink=5" }, { NULL }, NULL, 0,
      "achievement_collect_drink", 1, 0 },
    { "collect_sapling", "do", 0, "grass", NULL, 0, 0, { NULL }, { NULL }, NULL, 0, "sapling", 1,
      0 },
    { "place_table_success", "place_table", 1, "grass", NULL, 0, 0, { "wood=3" }, { NULL }, NULL, 0,
      "achievement_place_table", 1, 0 },
    { "place_table_failure", "place_table", 1, "grass", NULL, 0, 0, { "wood=1" }, { NULL }, NULL, 0,
      "achievement_place_table", 0, 0 },
    { "place_stone_success", "place_stone", 1, "grass", NULL, 0, 0, { "stone=2" }, { NULL }, NULL, 0,
      "achievement_place_stone", 1, 0 },
    { "place_stone_failure", "place_stone", 1, "grass", NULL, 0, 0, { "stone=0" }, { NULL }, NULL, 0,
      "achievement_place_stone", 0, 0 },
    { "place_furnace_success", "place_furnace", 1, "grass", NULL, 0, 0, { "stone=5" }, { NULL }, NULL,
      0, "achievement_place_furnace", 1, 0 },
    { "place_furnace_failure", "place_furnace", 1, "grass", NULL, 0, 0, { "stone=2" }, { NULL }, NULL,
      0, "achievement_place_furnace", 0, 0 },
    { "place_plant_success", "place_plant", 1, "grass", NULL, 0, 0, { "sapling=1" }, { NULL }, NULL,
      0, "achievement_place_plant", 1, 0 },
    { "place_plant_failure", "place_plant", 1, "grass", NULL, 0, 0, { "sapling=0" }, { NULL }, NULL,
      0, "achievement_place_plant", 0, 0 },
    { "make_wood_pickaxe_success", "make_wood_pickaxe", 1, NULL, NULL, 0, 0, { "wood=2" },
      { "table" }, NULL, 0, "wood_pickaxe", 1, 0 },
    { "make_wood_pickaxe_failure", "make_wood_pickaxe", 1, NULL, NULL, 0, 0, { "wood=0" },
      { "table" }, NULL, 0, "wood_pickaxe", 0, 0 },
    { "make_stone_pickaxe_success", "make_stone_pickaxe", 1, NULL, NULL, 0, 0,
      { "wood=1", "stone=1" }, { "table" }, NULL, 0, "stone_pickaxe", 1, 0 },
    { "make_stone_pickaxe_failure", "make_stone_pickaxe", 1, NULL, NULL, 0, 0,
      { "wood=1", "stone=0" }, { "table" }, NULL, 0, "stone_pickaxe", 0, 0 },
    { "make_iron_pickaxe_success", "make_iron_pickaxe", 1, NULL, NULL, 0, 0,
      { "wood=1", "coal=1", "iron=1" }, { "table", "furnace" }, NULL, 0, "iron_pickaxe", 1, 0 },
    { "make_iron_pickaxe_failure", "make_iron_pickaxe", 1, NULL, NULL, 0, 0,
      { "wood=1", "coal=1", "iron=0" }, { "table", "furnace" }, NULL, 0, "iron_pickaxe", 0, 0 },
    { "make_wood_sword_success", "make_wood_sword", 1, NULL, NULL, 0, 0, { "wood=2" }, { "table" },
      NULL, 0, "wood_sword", 1, 0 },
    { "make_wood_sword_failure", "make_wood_sword", 1, NULL, NULL, 0, 0, { "wood=0" }, { "table" },
      NULL, 0, "wood_sword", 0, 0 },
    { "make_stone_sword_success", "make_stone_sword", 1, NULL, NULL, 0, 0, { "wood=1", "stone=1" },
      { "table" }, NULL, 0, "stone_sword", 1, 0 },
    { "make_stone_sword_failure", "make_stone_sword", 1, NULL, NULL, 0, 0, { "wood=1", "stone=0" },
      { "table" }, NULL, 0, "stone_sword", 0, 0 },
    { "make_iron_sword_success", "make_iron_sword", 1, NULL, NULL, 0, 0,
      { "wood=1", "coal=1", "iron=1" }, { "table", "furnace" }, NULL, 0, "iron_sword", 1, 0 },
    { "make_iron_sword_failure", "make_iron_sword", 1, NULL, NULL, 0, 0,
      { "wood=1", "coal=1", "iron=0" }, { "table", "furnace" }, NULL, 0, "iron_sword", 0, 0 },
    { "eat_cow", "do", 0, "grass", "cow", 1, 3, { NULL }, { NULL }, NULL, 0, "achievement_eat_cow",
      1,
      0 },
    { "eat_plant", "do", 0, "grass", "plant", 0, 0, { "food=4" }, { NULL }, NULL, 0,
      "achievement_eat_plant", 1, 0 },
    { "defeat_zombie", "do", 0, "grass", "zombie", 1, 5, { NULL }, { NULL }, NULL, 0,
      "achievement_defeat_zombie", 1, 0 },
    { "defeat_skeleton", "do", 0, "path", "skeleton", 1, 3, { NULL }, { NULL }, NULL, 0,
      "achievement_defeat_skeleton", 1, 0 },
    { "cow_movement", "noop", 0, NULL, NULL, 0, 0, { NULL }, { NULL }, "cow", 0, "@cow", 1, 1 },
    { "random_movement", NULL, 0, NULL, NULL, 0, 0, { NULL }, { NULL }, NULL, 0, "@moved", 1, 0 },
    { "sleep", "sleep", 0, NULL, NULL, 0, 0, { "energy=3" }, { NULL }, NULL, 0, "@asleep", 1, 0 },
    { "wake_up", "noop", 0, NULL, NULL, 0, 0, { "energy=9" }, { NULL }, NULL, 1,
      "achievement_wake_up", 1, 1 },
    { "death", "noop", 0, "grass", "zombie", 5, 5, { "health=1" }, { NULL }, NULL, 0, "@died", 1,
      1 },
};

static const char *const sc_collect[] = { "wood", "stone", "coal", "iron", "diamond", "sapling",
                                          "drink", NULL };
static const char *const sc_tools[] = { "wood_pickaxe", "stone_pickaxe", "iron_pickaxe",
                                        "wood_sword", "stone_sword", "iron_sword", NULL };
static const char *const sc_vitals[] = { "health", "food", "drink", "energy", NULL };
static const char *const sc_placeable[] = { "stone", "table", "furnace", NULL };

static const sc_profile sc_crafter_profile = { sc_collect, sc_tools, sc_vitals, sc_placeable };

static const sc_suite sc_suites[] = {
    { "crafter", sc_crafter, (int)(sizeof sc_crafter / sizeof *sc_crafter), &sc_crafter_profile },
};

const sc_suite *sc_suite_find(const world_class *cls)
{
    for (size_t i = 0; cls && i < sizeof sc_suites / sizeof *sc_suites; i++)
        if (strcmp(sc_suites[i].world, cls->name) == 0)
            return &sc_suites[i];
    return NULL;
}

/* ---- editing states ----------------------------------------------------------------------- */

static int sc_palette(const state *s, const char *name)
{
    for (int i = 0; i < state_grid_palette_size(s); i++)
        if (strcmp(state_grid_palette(s, i), name) == 0)
            return i;
    return -1;
}

static int sc_set_cell(state *s, int x, int y, const char *name)
{
    int m = sc_palette(s, name);

    if (m < 0 || state_grid_get(s, x, y) < 0)
        return AUGUR_EINVAL;
    state_grid_set(s, x, y, m);
    return AUGUR_OK;
}

static int sc_add(state *s, const char *type, int x, int y, int health)
{
    int e = state_entity_add(s, lm_next_id(s), type), rc;

    if (e < 0)
        return e;
    if ((rc = state_set_int(s, e, "x", x)) || (rc = state_set_int(s, e, "y", y)))
        return rc;
    if (health > 0 && (rc = state_set_int(s, e, "health", health)))
        return rc;
    if (strcmp(type, "plant") == 0)
        return state_set_int(s, e, "grown", 400);
    return AUGUR_OK;
}

/* Take away the creatures near (px, py): the transition shows its mechanic alone. */
static void sc_quiet(state *s, int player, int px, int py)
{
    for (int i = (int)state_entity_count(s) - 1; i >= 0; i--) {
        int x = (int)state_get_int(s, i, "x", -100), y = (int)state_get_int(s, i, "y", -100);
        if (i != player && abs(x - px) + abs(y - py) <= SC_QUIET)
            state_entity_remove(s, i);
    }
}

/* "item=count": the item's name into name, the count into *count. */
static int sc_item(const char *spec, char name[STATE_NAME_MAX + 1], int *count)
{
    const char *eq = strchr(spec, '=');
    size_t n = eq ? (size_t)(eq - spec) : 0;

    if (!eq || n == 0 || n > STATE_NAME_MAX)
        return AUGUR_EINVAL;
    memcpy(name, spec, n);
    name[n] = '\0';
    *count = atoi(eq + 1);
    return AUGUR_OK;
}

static int sc_give(state *s, int player, const char *spec)
{
    char name[STATE_NAME_MAX + 1];
    int count, rc = sc_item(spec, name, &count);

    return rc == AUGUR_OK ? state_set_int(s, player, name, count) : rc;
}

static int sc_facing(const state *s, int player, int *dx, int *dy)
{
    state_value v;

    *dx = 0;
    *dy = 1;
    if (state_get(s, player, "facing", &v) != AUGUR_OK || v.kind != STATE_SYMBOL)
        return AUGUR_OK;
    *dx = strcmp(v.as.s, "left") == 0 ? -1 : strcmp(v.as.s, "right") == 0 ? 1 : 0;
    *dy = strcmp(v.as.s, "up") == 0 ? -1 : strcmp(v.as.s, "down") == 0 ? 1 : 0;
    return AUGUR_OK;
}

/* Set the state up as d says; AUGUR_ENOTFOUND when it does not fit. */
static int sc_setup(const sc_def *d, state *s, uint64_t *rng)
{
    int p = lm_player_of(s), px, py, dx, dy, rc = AUGUR_OK;
    int64_t step;
    state_value v;

    if (p < 0)
        return AUGUR_ENOTFOUND;
    px = (int)state_get_int(s, p, "x", -1);
    py = (int)state_get_int(s, p, "y", -1);
    if (px < 3 || py < 3 || px > state_grid_width(s) - 4 || py > state_grid_height(s) - 4)
        return AUGUR_ENOTFOUND;
    sc_facing(s, p, &dx, &dy);
    sc_quiet(s, p, px, py);
    /* No creatures come or go in balancing on the step taken. */
    step = state_get_int(s, p, "step", 0);
    if ((step + 1) % 10 == 0 && (rc = state_set_int(s, p, "step", step + 1)))
        return rc;
    if (d->face && (rc = sc_set_cell(s, px + dx, py + dy, d->face)))
        return rc;
    if (d->entity) {
        int h = d->health_hi ? d->health_lo + (int)(rng_splitmix_uniform(rng) * (d->health_hi - d->health_lo + 1))
                             : 0;
        if ((rc = sc_add(s, d->entity, px + dx, py + dy, h)))
            return rc;
    }
    for (int i = 0; i < 4 && d->give[i] && rc == AUGUR_OK; i++)
        rc = sc_give(s, p, d->give[i]);
    /* What must be nearby goes behind the player, then to its side. */
    for (int i = 0; i < 2 && d->nearby[i] && rc == AUGUR_OK; i++)
        rc = sc_set_cell(s, i == 0 ? px - dx : px + dy, i == 0 ? py - dy : py + dx, d->nearby[i]);
    if (rc == AUGUR_OK && d->neighbour) {
        int nx = px - 2 * dx + dy, ny = py - 2 * dy + dx;
        if ((rc = sc_set_cell(s, nx, ny, "grass")) == AUGUR_OK)
            rc = sc_add(s, d->neighbour, nx, ny, 0);
    }
    /* The warm-up's random actions may have put the player to sleep, where its
    ** actions do nothing: awake, the transition is the mechanic named. */
    if (rc == AUGUR_OK && (d->sleeping || state_get(s, p, "sleeping", &v) == AUGUR_OK))
        rc = state_set_bool(s, p, "sleeping", d->sleeping);
    return rc;
}

int sc_build(const sc_suite *su, const sc_def *d, world *w, uint64_t seed, state *s, int *action,
             state *next, augur_err *err)
{
    uint64_t rng = seed * 0x9e3779b97f4a7c15ull + 17;
    int warmup = (int)(rng_splitmix_uniform(&rng) * SC_WARMUP), rc;
    world_step_result r = { 0 };

    (void)su;
    if ((rc = world_reset(w, seed, err)) != AUGUR_OK)
        return rc;
    for (int i = 0; i < warmup && !r.done; i++)
        if ((rc = world_step(w, (int)(rng_splitmix_uniform(&rng) * w->cls->nactions), &r, err)) != AUGUR_OK)
            return rc;
    if (r.done)
        return AUGUR_ENOTFOUND;
    if ((rc = world_observe_oracle(w, s, err)) != AUGUR_OK)
        return rc;
    if ((rc = sc_setup(d, s, &rng)) != AUGUR_OK)
        return rc == AUGUR_ENOTFOUND ? rc : augur_err_set(err, rc, "laws: cannot set up %s", d->name);
    if ((rc = world_load(w, s, err)) != AUGUR_OK || (rc = world_observe_oracle(w, s, err)) != AUGUR_OK)
        return rc;
    *action = d->action ? world_action_find(w->cls, d->action)
                        : world_action_find(w->cls, "move_left") + (int)(rng_splitmix_uniform(&rng) * 4);
    if (*action < 0)
        return augur_err_set(err, AUGUR_EINVAL, "laws: %s has no action %s", w->cls->name,
                             d->action ? d->action : "move_left");
    if ((rc = world_step(w, *action, &r, err)) != AUGUR_OK)
        return rc;
    return world_observe_oracle(w, next, err);
}

/* ---- occurrences in a life ----------------------------------------------------------------- */

static int sc_moved(const state *s, int e, const state *next)
{
    int q = state_entity_find(next, state_entity_id(s, e));

    return q >= 0 && (state_get_int(next, q, "x", 0) != state_get_int(s, e, "x", 0) ||
                      state_get_int(next, q, "y", 0) != state_get_int(s, e, "y", 0));
}

/* Whether the player attribute named rose from s to next (or a special event). */
static int sc_rose(const char *name, const state *s, const state *next)
{
    int p = lm_player_of(s), q = lm_player_of(next);

    if (strcmp(name, "@cow") == 0) {
        for (size_t i = 0; i < state_entity_count(s); i++)
            if (strcmp(state_entity_type(s, (int)i), "cow") == 0 && sc_moved(s, (int)i, next))
                return 1;
        return 0;
    }
    if (p < 0)
        return 0;
    if (strcmp(name, "@moved") == 0)
        return q >= 0 && sc_moved(s, p, next);
    if (strcmp(name, "@asleep") == 0)
        return q >= 0 && !state_get_int(s, p, "sleeping", 0) && state_get_int(next, q, "sleeping", 0);
    if (strcmp(name, "@died") == 0)
        return q < 0 || state_get_int(next, q, "health", 1) <= 0;
    return q >= 0 && state_get_int(next, q, name, 0) > state_get_int(s, p, name, 0);
}

/* Whether material name is in the 3x3 around (px, py). */
static int sc_near(const state *s, int px, int py, const char *name)
{
    int m = sc_palette(s, name);

    for (int dy = -1; dy <= 1 && m >= 0; dy++)
        for (int dx = -1; dx <= 1; dx++)
            if (state_grid_get(s, px + dx, py + dy) == m)
                return 1;
    return 0;
}

/* Whether a failure in s is the failure d sets up: the player held no more of
** an item than d gives where d gives less than its success does (a pickaxe,
** enough wood), and what d puts near was near. A stone left in place because
** the pockets are full is not a failure to mine it for want of a pickaxe. */
static int sc_failure_fits(const sc_suite *su, const sc_def *d, const state *s)
{
    char name[STATE_NAME_MAX + 1], other[STATE_NAME_MAX + 1], success[64];
    const char *cut = strstr(d->name, "_failure");
    const sc_def *ok = NULL;
    int p = lm_player_of(s), px, py;

    if (p < 0)
        return 0;
    if (!cut)
        return 1;
    snprintf(success, sizeof success, "%.*s_success", (int)(cut - d->name), d->name);
    for (int i = 0; i < su->n && !ok; i++)
        if (strcmp(su->defs[i].name, success) == 0)
            ok = &su->defs[i];
    for (int i = 0; i < 4 && d->give[i] && ok; i++) {
        int n, k;
        if (sc_item(d->give[i], name, &n) != AUGUR_OK)
            return 0;
        for (int j = 0; j < 4 && ok->give[j]; j++)
            if (sc_item(ok->give[j], other, &k) == AUGUR_OK && strcmp(name, other) == 0 && n < k &&
                state_get_int(s, p, name, 0) > n)
                return 0;
    }
    px = (int)state_get_int(s, p, "x", 0);
    py = (int)state_get_int(s, p, "y", 0);
    for (int i = 0; i < 2 && d->nearby[i]; i++)
        if (!sc_near(s, px, py, d->nearby[i]))
            return 0;
    return 1;
}

int sc_occurs(laws *m, const sc_suite *su, const sc_def *d, const state *s, int action,
              const state *next)
{
    law_ctx *c = &m->ctx;
    const char *act = m->cls->actions[action];

    if (!d->any_action && (d->action ? strcmp(d->action, act) != 0 : strncmp(act, "move_", 5) != 0))
        return 0;
    /* Collecting and hitting are about what is faced. */
    if (strcmp(act, "do") == 0 && (d->face || d->entity)) {
        int e;
        if (lm_intern_state(m, s) != AUGUR_OK || lm_context(m, s, action) != AUGUR_OK)
            return 0;
        e = c->place_ent[PL_FACING];
        if (d->entity ? e < 0 || strcmp(names_text(&m->names, c->etype[e]), d->entity) != 0
                      : e >= 0 || c->place_mat[PL_FACING] < 0 ||
                            strcmp(names_text(&m->names, c->place_mat[PL_FACING]), d->face) != 0)
            return 0;
    }
    return sc_rose(d->rises, s, next) == d->success && (d->success || sc_failure_fits(su, d, s));
}

/* ---- mutators --------------------------------------------------------------------------------- */

static const char *sc_pick(const char *const *list, uint64_t *rng)
{
    int n = 0;

    while (list[n])
        n++;
    return n ? list[(int)(rng_splitmix_uniform(rng) * n) % n] : NULL;
}

static int sc_bump(state *out, int e, const char *attr, int delta, int lo, int hi)
{
    state_value v;
    int64_t x;

    if (state_get(out, e, attr, &v) != AUGUR_OK || v.kind != STATE_INT)
        return 0;
    x = v.as.i + delta;
    x = x < lo ? lo : x > hi ? hi : x;
    if (x == v.as.i)
        return 0;
    return state_set_int(out, e, attr, x) == AUGUR_OK;
}

/* A creature near the player, drawn; -1 when none. */
static int sc_creature(const state *s, int p, uint64_t *rng)
{
    int near[64], n = 0;
    int px = (int)state_get_int(s, p, "x", 0), py = (int)state_get_int(s, p, "y", 0);

    for (size_t i = 0; i < state_entity_count(s) && n < 64; i++) {
        int x = (int)state_get_int(s, (int)i, "x", -100), y = (int)state_get_int(s, (int)i, "y", -100);
        if ((int)i != p && abs(x - px) + abs(y - py) <= SC_NEAR)
            near[n++] = (int)i;
    }
    return n ? near[(int)(rng_splitmix_uniform(rng) * n) % n] : -1;
}

int sc_mutate(const sc_profile *pf, const state *s, int action, const state *next, uint64_t *rng,
              state *out)
{
    static const int dirs[4][2] = { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };
    static const char *const names[4] = { "left", "right", "up", "down" };
    int family = (int)(rng_splitmix_uniform(rng) * 7) % 7, p, e, d = (int)(rng_splitmix_uniform(rng) * 4) & 3;
    int sign = rng_splitmix_uniform(rng) < 0.5 ? -1 : 1, changed = 0;

    (void)s;
    (void)action;
    if (state_copy(out, next) != AUGUR_OK || (p = lm_player_of(out)) < 0)
        return 0;
    switch (family) {
    case 0: /* collection: something gathered that was not */
        changed = sc_bump(out, p, sc_pick(pf->collect, rng), 1, 0, 9);
        break;
    case 1: /* crafting: a tool made that was not (or lost) */
        changed = sc_bump(out, p, sc_pick(pf->tools, rng), sign, 0, 9);
        break;
    case 2: /* entity health */
        if ((e = sc_creature(out, p, rng)) >= 0)
            changed = sc_bump(out, e, "health", sign, 0, 9);
        break;
    case 3: /* entity position */
        if ((e = sc_creature(out, p, rng)) >= 0) {
            changed = state_set_int(out, e, "x", state_get_int(out, e, "x", 0) + dirs[d][0]) == 0 &&
                      state_set_int(out, e, "y", state_get_int(out, e, "y", 0) + dirs[d][1]) == 0;
        }
        break;
    case 4: /* movement: the player moved */
        changed = state_set_int(out, p, "x", state_get_int(out, p, "x", 0) + dirs[d][0]) == 0 &&
                  state_set_int(out, p, "y", state_get_int(out, p, "y", 0) + dirs[d][1]) == 0 &&
                  state_set_symbol(out, p, "facing", names[d]) == 0;
        break;
    case 5: { /* placement: a tile next to the player became something placed */
        int x = (int)state_get_int(out, p, "x", 0) + dirs[d][0];
        int y = (int)state_get_int(out, p, "y", 0) + dirs[d][1];
        const char *m = sc_pick(pf->placeable, rng);
        int i = m ? sc_palette(out, m) : -1;
        if (i >= 0 && state_grid_get(out, x, y) >= 0 && state_grid_get(out, x, y) != i) {
            state_grid_set(out, x, y, i);
            changed = 1;
        }
        break;
    }
    default: /* player: a vital changed */
        changed = sc_bump(out, p, sc_pick(pf->vitals, rng), sign, 0, 9);
    }
    return changed && !state_equal(out, next);
}
