/*
** rules.c — one Crafter step: the player's action, every object's update, the
** life counters and the chunk balancing, in the original's order
** (shared/papers/crafter-rules.md names each rule; the comments here use its words).
*/
#include "worlds/crafter/crafter.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int8_t cr_dirs[4][2] = { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };

double cr_daylight(int step)
{
    double progress = fmod(step / 300.0, 1.0) + 0.3;
    double c = fabs(cos(M_PI * progress));

    return 1 - c * c * c;
}

static int cr_dist(const cr_obj *o, int x, int y)
{
    return abs(o->x - x) + abs(o->y - y);
}

/* Materials an object of kind may stand on. */
static int cr_walkable(int kind, int m)
{
    if (m == CR_GRASS || m == CR_SAND || m == CR_PATH)
        return 1;
    if (kind == CR_PLAYER)
        return m == CR_LAVA;
    if (kind == CR_ARROW)
        return m == CR_WATER || m == CR_LAVA;
    return 0;
}

static int cr_free(const crafter *c, int x, int y, int kind)
{
    return cr_inside(x, y) && !c->at[y * CR_SIZE + x] && cr_walkable(kind, c->mat[y * CR_SIZE + x]);
}

static void cr_chunk_use(crafter *c, int x, int y)
{
    int k = (y / CR_CHUNK) * CR_CHUNKS + x / CR_CHUNK;

    if (!(c->chunks_used >> k & 1)) {
        c->chunks_used |= 1ull << k;
        c->chunk_order[c->nchunks++] = (uint8_t)k;
    }
}

static int cr_reserve(crafter *c, int extra)
{
    cr_obj *objs;
    int cap;

    if (c->nobj + extra <= c->cap)
        return AUGUR_OK;
    cap = 2 * (c->nobj + extra);
    if (!(objs = realloc(c->objs, (size_t)cap * sizeof *objs)))
        return AUGUR_ENOMEM;
    c->objs = objs;
    c->cap = cap;
    return AUGUR_OK;
}

cr_obj *cr_add(crafter *c, int kind, int x, int y)
{
    static const int16_t health[CR_NKINDS] = { 0, 9, 3, 5, 3, 0, 1 };
    cr_obj *o;

    if (cr_reserve(c, 1) != AUGUR_OK)
        return NULL;
    o = &c->objs[c->nobj++];
    memset(o, 0, sizeof *o);
    o->id = c->next_id++;
    o->kind = (uint8_t)kind;
    o->x = (uint8_t)x;
    o->y = (uint8_t)y;
    o->health = health[kind];
    c->at[y * CR_SIZE + x] = (uint16_t)c->nobj;
    cr_chunk_use(c, x, y);
    return o;
}

/* Taken out of the world; an update already running goes on, but moves nothing. */
static void cr_remove(crafter *c, cr_obj *o)
{
    if (o->kind == CR_DEAD)
        return;
    if (c->at[o->y * CR_SIZE + o->x] == (uint16_t)(o - c->objs) + 1)
        c->at[o->y * CR_SIZE + o->x] = 0;
    o->kind = CR_DEAD;
}

static int cr_move(crafter *c, cr_obj *o, int dx, int dy)
{
    int x = o->x + dx, y = o->y + dy;

    if (o->kind == CR_DEAD || (dx == 0 && dy == 0) || !cr_free(c, x, y, o->kind))
        return 0;
    c->at[y * CR_SIZE + x] = c->at[o->y * CR_SIZE + o->x];
    c->at[o->y * CR_SIZE + o->x] = 0;
    o->x = (uint8_t)x;
    o->y = (uint8_t)y;
    cr_chunk_use(c, x, y);
    return 1;
}

static void cr_random_move(crafter *c, cr_obj *o)
{
    const int8_t *d = cr_dirs[rng_below(&c->rng, 4)];
    cr_move(c, o, d[0], d[1]);
}

/* toward(target, long_axis): a unit step along the axis of the larger offset
** (ties go to y), or along the other axis; zero when that offset is zero. */
static void cr_toward(const cr_obj *o, int tx, int ty, int long_axis, int *dx, int *dy)
{
    int ox = tx - o->x, oy = ty - o->y;
    int along_x = long_axis ? abs(ox) > abs(oy) : abs(ox) <= abs(oy);

    *dx = along_x ? (ox > 0) - (ox < 0) : 0;
    *dy = along_x ? 0 : (oy > 0) - (oy < 0);
}

static void cr_damage(crafter *c, cr_obj *o, int amount)
{
    if (o->kind == CR_PLAYER) {
        int h = c->pl.inv[CR_HEALTH] - amount;
        c->pl.inv[CR_HEALTH] = (int8_t)(h < 0 ? 0 : h);
    } else {
        o->health = (int16_t)(o->health - amount < 0 ? 0 : o->health - amount);
    }
}

static void cr_unlock(crafter *c, int achievement)
{
    c->pl.achievements[achievement]++;
}

/* ---- the player ------------------------------------------------------------- */

typedef struct cr_collect_rule {
    int material, require, item, leaves, achievement;
    double probability;
} cr_collect_rule;

/* data.yaml's collect table. */
static const cr_collect_rule cr_collect_rules[] = {
    { CR_TREE,    -1,               CR_WOOD,         CR_GRASS, CR_COLLECT_WOOD,    1.0 },
    { CR_STONE,   CR_WOOD_PICKAXE,  CR_STONE_ITEM,   CR_PATH,  CR_COLLECT_STONE,   1.0 },
    { CR_COAL,    CR_WOOD_PICKAXE,  CR_COAL_ITEM,    CR_PATH,  CR_COLLECT_COAL,    1.0 },
    { CR_IRON,    CR_STONE_PICKAXE, CR_IRON_ITEM,    CR_PATH,  CR_COLLECT_IRON,    1.0 },
    { CR_DIAMOND, CR_IRON_PICKAXE,  CR_DIAMOND_ITEM, CR_PATH,  CR_COLLECT_DIAMOND, 1.0 },
    { CR_WATER,   -1,               CR_DRINK,        CR_WATER, CR_COLLECT_DRINK,   1.0 },
    { CR_GRASS,   -1,               CR_SAPLING,      CR_GRASS, CR_COLLECT_SAPLING, 0.1 },
};

typedef struct cr_recipe {
    int    action, achievement;
    int    uses[3][2];          /* item, amount; amount 0 ends */
    int    where[5];            /* place: materials allowed, -1 ends */
    int    result;              /* place: the material, or -1 for a plant; make: the item */
    int    table, furnace;      /* make: needed nearby */
} cr_recipe;

/* data.yaml's place and make tables. */
static const cr_recipe cr_recipes[] = {
    { CR_PLACE_STONE, CR_PLACE_STONE_A, { { CR_STONE_ITEM, 1 } },
      { CR_GRASS, CR_SAND, CR_PATH, CR_WATER, CR_LAVA }, CR_STONE, 0, 0 },
    { CR_PLACE_TABLE, CR_PLACE_TABLE_A, { { CR_WOOD, 2 } },
      { CR_GRASS, CR_SAND, CR_PATH, -1 }, CR_TABLE, 0, 0 },
    { CR_PLACE_FURNACE, CR_PLACE_FURNACE_A, { { CR_STONE_ITEM, 4 } },
      { CR_GRASS, CR_SAND, CR_PATH, -1 }, CR_FURNACE, 0, 0 },
    { CR_PLACE_PLANT, CR_PLACE_PLANT_A, { { CR_SAPLING, 1 } }, { CR_GRASS, -1 }, -1, 0, 0 },
    { CR_MAKE_WOOD_PICKAXE, CR_MAKE_WOOD_PICKAXE_A, { { CR_WOOD, 1 } }, { -1 },
      CR_WOOD_PICKAXE, 1, 0 },
    { CR_MAKE_STONE_PICKAXE, CR_MAKE_STONE_PICKAXE_A, { { CR_WOOD, 1 }, { CR_STONE_ITEM, 1 } },
      { -1 }, CR_STONE_PICKAXE, 1, 0 },
    { CR_MAKE_IRON_PICKAXE, CR_MAKE_IRON_PICKAXE_A,
      { { CR_WOOD, 1 }, { CR_COAL_ITEM, 1 }, { CR_IRON_ITEM, 1 } }, { -1 }, CR_IRON_PICKAXE, 1, 1 },
    { CR_MAKE_WOOD_SWORD, CR_MAKE_WOOD_SWORD_A, { { CR_WOOD, 1 } }, { -1 }, CR_WOOD_SWORD, 1, 0 },
    { CR_MAKE_STONE_SWORD, CR_MAKE_STONE_SWORD_A, { { CR_WOOD, 1 }, { CR_STONE_ITEM, 1 } },
      { -1 }, CR_STONE_SWORD, 1, 0 },
    { CR_MAKE_IRON_SWORD, CR_MAKE_IRON_SWORD_A,
      { { CR_WOOD, 1 }, { CR_COAL_ITEM, 1 }, { CR_IRON_ITEM, 1 } }, { -1 }, CR_IRON_SWORD, 1, 1 },
};

static int cr_has_uses(const crafter *c, const cr_recipe *r)
{
    for (int i = 0; i < 3 && r->uses[i][1]; i++)
        if (c->pl.inv[r->uses[i][0]] < r->uses[i][1])
            return 0;
    return 1;
}

static void cr_consume(crafter *c, const cr_recipe *r)
{
    for (int i = 0; i < 3 && r->uses[i][1]; i++)
        c->pl.inv[r->uses[i][0]] = (int8_t)(c->pl.inv[r->uses[i][0]] - r->uses[i][1]);
}

/* Whether material m is in the 3x3 square around (x, y). The original slices its
** array from x - 1, which wraps to an empty slice at x = 0 or y = 0. */
static int cr_nearby(const crafter *c, int x, int y, int m)
{
    if (x == 0 || y == 0)
        return 0;
    for (int j = y - 1; j <= y + 1; j++)
        for (int i = x - 1; i <= x + 1; i++)
            if (cr_inside(i, j) && c->mat[j * CR_SIZE + i] == m)
                return 1;
    return 0;
}

static const char *cr_place(crafter *c, const cr_recipe *r, int tx, int ty)
{
    int m = cr_mat(c, tx, ty), ok = 0;

    if (cr_obj_at(c, tx, ty))
        return "the target is occupied";
    for (int i = 0; i < 5 && r->where[i] >= 0; i++)
        ok |= r->where[i] == m;
    if (!ok)
        return "cannot place there";
    if (!cr_has_uses(c, r))
        return "missing materials";
    cr_consume(c, r);
    if (r->result >= 0)
        c->mat[ty * CR_SIZE + tx] = (uint8_t)r->result;
    else
        cr_add(c, CR_PLANT, tx, ty);
    cr_unlock(c, r->achievement);
    return NULL;
}

static const char *cr_make(crafter *c, const cr_recipe *r)
{
    const cr_obj *p = &c->objs[0];

    if (!cr_nearby(c, p->x, p->y, CR_TABLE) || (r->furnace && !cr_nearby(c, p->x, p->y, CR_FURNACE)))
        return r->furnace ? "needs a table and a furnace nearby" : "needs a table nearby";
    if (!cr_has_uses(c, r))
        return "missing materials";
    cr_consume(c, r);
    c->pl.inv[r->result]++;
    cr_unlock(c, r->achievement);
    return NULL;
}

/* do on a creature or plant. */
static const char *cr_hit(crafter *c, cr_obj *o)
{
    const int8_t *inv = c->pl.inv;
    int damage = inv[CR_IRON_SWORD] ? 5 : inv[CR_STONE_SWORD] ? 3 : inv[CR_WOOD_SWORD] ? 2 : 1;

    switch (o->kind) {
    case CR_PLANT:
        if (o->timer <= 300)
            return "the sapling is not ripe";
        o->timer = 0;
        c->pl.inv[CR_FOOD] = (int8_t)(c->pl.inv[CR_FOOD] + 4);
        cr_unlock(c, CR_EAT_PLANT);
        return NULL;
    case CR_ZOMBIE:
    case CR_SKELETON:
        cr_damage(c, o, damage);
        if (o->health <= 0)
            cr_unlock(c, o->kind == CR_ZOMBIE ? CR_DEFEAT_ZOMBIE : CR_DEFEAT_SKELETON);
        return NULL;
    case CR_COW:
        cr_damage(c, o, damage);
        if (o->health <= 0) {
            c->pl.inv[CR_FOOD] = (int8_t)(c->pl.inv[CR_FOOD] + 6);
            c->pl.hunger = 0;
            cr_unlock(c, CR_EAT_COW);
        }
        return NULL;
    }
    return "nothing to do";
}

static const char *cr_collect(crafter *c, int tx, int ty)
{
    int m = cr_mat(c, tx, ty);

    if (m == CR_WATER)
        c->pl.thirst = 0;
    for (size_t i = 0; i < sizeof cr_collect_rules / sizeof *cr_collect_rules; i++) {
        const cr_collect_rule *r = &cr_collect_rules[i];
        if (r->material != m)
            continue;
        if (r->require >= 0 && c->pl.inv[r->require] < 1)
            return "needs a better tool";
        c->mat[ty * CR_SIZE + tx] = (uint8_t)r->leaves;
        if (rng_uniform(&c->rng) > r->probability)
            return "found nothing";
        c->pl.inv[r->item]++;
        cr_unlock(c, r->achievement);
        return NULL;
    }
    return "nothing to collect";
}

/* The player's action; what went wrong, or NULL. */
static const char *cr_act(crafter *c, int action)
{
    cr_obj *p = &c->objs[0];
    int tx = p->x + p->fx, ty = p->y + p->fy;
    cr_obj *target;

    switch (action) {
    case CR_NOOP:
        return NULL;
    case CR_MOVE_LEFT:
    case CR_MOVE_RIGHT:
    case CR_MOVE_UP:
    case CR_MOVE_DOWN:
        p->fx = cr_dirs[action - CR_MOVE_LEFT][0];
        p->fy = cr_dirs[action - CR_MOVE_LEFT][1];
        if (!cr_move(c, p, p->fx, p->fy))
            return "blocked";
        if (cr_mat(c, p->x, p->y) == CR_LAVA)
            c->pl.inv[CR_HEALTH] = 0;
        return NULL;
    case CR_DO:
        target = cr_obj_at(c, tx, ty);
        return target ? cr_hit(c, target) : cr_collect(c, tx, ty);
    case CR_SLEEP:
        if (c->pl.inv[CR_ENERGY] < 9)
            c->pl.sleeping = 1;
        return c->pl.sleeping ? NULL : "not tired";
    }
    for (size_t i = 0; i < sizeof cr_recipes / sizeof *cr_recipes; i++)
        if (cr_recipes[i].action == action)
            return action <= CR_PLACE_PLANT ? cr_place(c, &cr_recipes[i], tx, ty)
                                            : cr_make(c, &cr_recipes[i]);
    return "unknown action";
}

/* Hunger, thirst and fatigue drain food, drink and energy; health follows them. */
static void cr_life(crafter *c)
{
    cr_player *pl = &c->pl;
    int8_t *inv = pl->inv;

    pl->hunger += pl->sleeping ? 0.5 : 1;
    if (pl->hunger > 25) {
        pl->hunger = 0;
        inv[CR_FOOD]--;
    }
    pl->thirst += pl->sleeping ? 0.5 : 1;
    if (pl->thirst > 20) {
        pl->thirst = 0;
        inv[CR_DRINK]--;
    }
    if (pl->sleeping)
        pl->fatigue = pl->fatigue - 1 < 0 ? pl->fatigue - 1 : 0;
    else
        pl->fatigue += 1;
    if (pl->fatigue < -10) {
        pl->fatigue = 0;
        inv[CR_ENERGY]++;
    }
    if (pl->fatigue > 30) {
        pl->fatigue = 0;
        inv[CR_ENERGY]--;
    }
    if (inv[CR_FOOD] > 0 && inv[CR_DRINK] > 0 && (inv[CR_ENERGY] > 0 || pl->sleeping))
        pl->recover += pl->sleeping ? 2 : 1;
    else
        pl->recover -= pl->sleeping ? 0.5 : 1;
    if (pl->recover > 25) {
        pl->recover = 0;
        inv[CR_HEALTH]++;
    }
    if (pl->recover < -15) {
        pl->recover = 0;
        inv[CR_HEALTH]--;
    }
}

static const char *cr_player_update(crafter *c, int action)
{
    cr_player *pl = &c->pl;
    const char *why;

    if (pl->sleeping) {
        if (pl->inv[CR_ENERGY] < 9) {
            action = CR_SLEEP;
        } else {
            pl->sleeping = 0;
            cr_unlock(c, CR_WAKE_UP);
        }
    }
    why = cr_act(c, action);
    cr_life(c);
    for (int i = 0; i < CR_NITEMS; i++)
        pl->inv[i] = (int8_t)(pl->inv[i] < 0 ? 0 : pl->inv[i] > 9 ? 9 : pl->inv[i]);
    if (pl->inv[CR_HEALTH] < pl->last_health)
        pl->sleeping = 0;
    pl->last_health = pl->inv[CR_HEALTH];
    return why;
}

/* ---- the other objects ------------------------------------------------------ */

static void cr_cow_update(crafter *c, cr_obj *o)
{
    if (o->health <= 0)
        cr_remove(c, o);
    if (rng_uniform(&c->rng) < 0.5)
        cr_random_move(c, o);
}

static void cr_zombie_update(crafter *c, cr_obj *o)
{
    cr_obj *p = &c->objs[0];
    int dx, dy;

    if (o->health <= 0)
        cr_remove(c, o);
    if (cr_dist(o, p->x, p->y) <= 8 && rng_uniform(&c->rng) < 0.9) {
        cr_toward(o, p->x, p->y, rng_uniform(&c->rng) < 0.8, &dx, &dy);
        cr_move(c, o, dx, dy);
    } else {
        cr_random_move(c, o);
    }
    if (cr_dist(o, p->x, p->y) <= 1) {
        if (o->timer > 0) {
            o->timer--;
        } else {
            cr_damage(c, p, c->pl.sleeping ? 7 : 2);
            o->timer = 5;
        }
    }
}

static void cr_shoot(crafter *c, cr_obj *o, int dx, int dy)
{
    cr_obj *arrow;

    if (o->timer > 0 || (dx == 0 && dy == 0) || !cr_free(c, o->x + dx, o->y + dy, CR_ARROW))
        return;
    if ((arrow = cr_add(c, CR_ARROW, o->x + dx, o->y + dy))) {
        arrow->fx = (int8_t)dx;
        arrow->fy = (int8_t)dy;
    }
    o->timer = 4;
}

static void cr_skeleton_update(crafter *c, cr_obj *o)
{
    cr_obj *p = &c->objs[0];
    int dist, dx, dy;

    if (o->health <= 0)
        cr_remove(c, o);
    o->timer = (int16_t)(o->timer > 0 ? o->timer - 1 : 0);
    dist = cr_dist(o, p->x, p->y);
    if (dist <= 3) {
        cr_toward(o, p->x, p->y, rng_uniform(&c->rng) < 0.6, &dx, &dy);
        if (cr_move(c, o, -dx, -dy))
            return;
    }
    if (dist <= 5 && rng_uniform(&c->rng) < 0.5) {
        cr_toward(o, p->x, p->y, 1, &dx, &dy);
        cr_shoot(c, o, dx, dy);
    } else if (dist <= 8 && rng_uniform(&c->rng) < 0.3) {
        cr_toward(o, p->x, p->y, rng_uniform(&c->rng) < 0.6, &dx, &dy);
        cr_move(c, o, dx, dy);
    } else if (rng_uniform(&c->rng) < 0.2) {
        cr_random_move(c, o);
    }
}

static void cr_arrow_update(crafter *c, cr_obj *o)
{
    int tx = o->x + o->fx, ty = o->y + o->fy, m = cr_mat(c, tx, ty);
    cr_obj *hit = cr_obj_at(c, tx, ty);

    if (hit) {
        cr_damage(c, hit, 2);
        cr_remove(c, o);
    } else if (!cr_walkable(CR_ARROW, m)) {
        cr_remove(c, o);
        if (m == CR_TABLE || m == CR_FURNACE)
            c->mat[ty * CR_SIZE + tx] = CR_PATH;
    } else {
        cr_move(c, o, o->fx, o->fy);
    }
}

static void cr_plant_update(crafter *c, cr_obj *o)
{
    if (o->timer < INT16_MAX)
        o->timer++;
    for (int d = 0; d < 4; d++) {
        const cr_obj *n = cr_obj_at(c, o->x + cr_dirs[d][0], o->y + cr_dirs[d][1]);
        if (n && (n->kind == CR_ZOMBIE || n->kind == CR_SKELETON || n->kind == CR_COW)) {
            cr_damage(c, o, 1);
            break;
        }
    }
    if (o->health <= 0)
        cr_remove(c, o);
}

/* ---- chunk balancing --------------------------------------------------------- */

typedef struct cr_balance_rule {
    int    kind, material, spawn_dist, despawn_dist;
    double spawn_prob, despawn_prob;
} cr_balance_rule;

static const cr_balance_rule cr_balance_rules[3] = {
    { CR_ZOMBIE,   CR_GRASS, 6, 0, 0.3,  0.4 },
    { CR_SKELETON, CR_PATH,  7, 7, 0.1,  0.1 },
    { CR_COW,      CR_GRASS, 5, 5, 0.01, 0.1 },
};

static void cr_targets(int kind, int space, double light, double *lo, double *hi)
{
    switch (kind) {
    case CR_ZOMBIE:
        *hi = 3.5 - 3 * light;
        *lo = space < 50 ? 0 : *hi;
        break;
    case CR_SKELETON:
        *lo = space < 6 ? 0 : 1;
        *hi = 2;
        break;
    default:
        *lo = space < 30 ? 0 : 1;
        *hi = 1.5 + light;
        break;
    }
}

static void cr_balance(crafter *c, int chunk, const cr_balance_rule *r)
{
    int x0 = chunk % CR_CHUNKS * CR_CHUNK, y0 = chunk / CR_CHUNKS * CR_CHUNK;
    int x1 = x0 + CR_CHUNK < CR_SIZE ? x0 + CR_CHUNK : CR_SIZE;
    int y1 = y0 + CR_CHUNK < CR_SIZE ? y0 + CR_CHUNK : CR_SIZE;
    int found[CR_CHUNK * CR_CHUNK], n = 0, space = 0;
    const cr_obj *p = &c->objs[0];
    double lo, hi;

    for (int i = 0; i < c->nobj; i++) {
        const cr_obj *o = &c->objs[i];
        if (o->kind == r->kind && o->x >= x0 && o->x < x1 && o->y >= y0 && o->y < y1)
            found[n++] = i;
    }
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            space += c->mat[y * CR_SIZE + x] == r->material;
    cr_targets(r->kind, space, c->daylight, &lo, &hi);
    if (n < (int)lo && rng_uniform(&c->rng) < r->spawn_prob) {
        int pick = rng_below(&c->rng, space);
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (c->mat[y * CR_SIZE + x] != r->material || pick-- > 0)
                    continue;
                if (!c->at[y * CR_SIZE + x] && cr_dist(p, x, y) >= r->spawn_dist)
                    cr_add(c, r->kind, x, y);
                return;
            }
        }
    } else if (n > (int)hi && rng_uniform(&c->rng) < r->despawn_prob) {
        cr_obj *o = &c->objs[found[rng_below(&c->rng, n)]];
        if (cr_dist(p, o->x, o->y) >= r->despawn_dist)
            cr_remove(c, o);
    }
}

/* Drop removed objects, keeping the order of the rest. */
static void cr_compact(crafter *c)
{
    int n = 0;

    for (int i = 0; i < c->nobj; i++)
        if (c->objs[i].kind != CR_DEAD)
            c->objs[n++] = c->objs[i];
    c->nobj = n;
    for (int i = 0; i < n; i++)
        c->at[c->objs[i].y * CR_SIZE + c->objs[i].x] = (uint16_t)(i + 1);
}

/* ---- the step ------------------------------------------------------------------ */

static void cr_feedback(crafter *c, int action, const char *why, int health_before,
                        world_step_result *out)
{
    size_t n = 0, cap = sizeof out->feedback;

    n += (size_t)snprintf(out->feedback, cap, "%s: %s", cr_action_names[action], why ? why : "done");
    for (size_t i = 0; i < out->nevents && n < cap; i++)
        n += (size_t)snprintf(out->feedback + n, cap - n, "%s%s", i ? ", " : "; unlocked ",
                              out->events[i]);
    if (c->pl.inv[CR_HEALTH] != health_before && n < cap)
        n += (size_t)snprintf(out->feedback + n, cap - n, "; health %d -> %d", health_before,
                              c->pl.inv[CR_HEALTH]);
    if (c->pl.sleeping && n < cap)
        snprintf(out->feedback + n, cap - n, "; sleeping");
}

int cr_step(crafter *c, int action, world_step_result *out)
{
    uint16_t before[CR_NACHIEVEMENTS];
    int n0 = c->nobj, health_before = c->pl.inv[CR_HEALTH];
    const char *why = NULL;
    uint32_t fresh = 0;

    /* Each object adds at most one object in a step (an arrow, a plant), and
    ** balancing at most one per chunk and kind: room for them is made first, so
    ** that no object moves in memory while the step runs. */
    if (cr_reserve(c, c->nobj + 3 * CR_CHUNKS * CR_CHUNKS) != AUGUR_OK)
        return AUGUR_ENOMEM;
    memcpy(before, c->pl.achievements, sizeof before);
    c->step++;
    c->daylight = cr_daylight(c->step);
    for (int i = 0; i < n0; i++) {
        cr_obj *o = &c->objs[i], *p = &c->objs[0];
        if (o->kind == CR_DEAD || cr_dist(p, o->x, o->y) >= CR_UPDATE_DIST)
            continue;
        switch (o->kind) {
        case CR_PLAYER:   why = cr_player_update(c, action); break;
        case CR_COW:      cr_cow_update(c, o); break;
        case CR_ZOMBIE:   cr_zombie_update(c, o); break;
        case CR_SKELETON: cr_skeleton_update(c, o); break;
        case CR_ARROW:    cr_arrow_update(c, o); break;
        case CR_PLANT:    cr_plant_update(c, o); break;
        }
    }
    if (c->step % 10 == 0)
        for (int k = 0; k < c->nchunks; k++)
            for (int r = 0; r < 3; r++)
                cr_balance(c, c->chunk_order[k], &cr_balance_rules[r]);
    cr_compact(c);

    out->reward = (c->pl.inv[CR_HEALTH] - c->env_health) / 10.0;
    c->env_health = c->pl.inv[CR_HEALTH];
    for (int a = 0; a < CR_NACHIEVEMENTS; a++) {
        if (c->pl.achievements[a] == before[a])
            continue;
        if (!(c->unlocked >> a & 1))
            fresh |= 1u << a;
        if (out->nevents < WORLD_EVENTS_MAX)
            out->events[out->nevents++] = cr_achievement_names[a];
    }
    if (fresh) {
        c->unlocked |= fresh;
        out->reward += 1;
    }
    out->done = c->pl.inv[CR_HEALTH] <= 0 || c->step >= c->length;
    cr_feedback(c, action, why, health_before, out);
    return AUGUR_OK;
}
