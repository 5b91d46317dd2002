/*
** test_crafter.c — Crafter's rules, each against the rule of the original it
** checks (shared/papers/crafter-rules.md, quoted in the comments), plus world
** generation, the agent's view, determinism and the noise.
**
** Most tests start from a blank world: sand everywhere (walkable, but no creature
** is ever spawned on it, so balancing stays out of the way), the player alone at
** (32, 32) facing down, and then lay out exactly what the rule needs.
*/
#include "test.h"

#include "worlds/crafter/crafter.h"
#include "worlds/crafter/noise.h"
#include "worlds/world.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define P (&c->objs[0])

static crafter *blank(uint64_t seed)
{
    world *w;
    crafter *c;

    assert_int_equal(world_new(&crafter_class, NULL, seed, &w, NULL), AUGUR_OK);
    c = (crafter *)w;
    memset(c->mat, CR_SAND, sizeof c->mat);
    memset(c->at, 0, sizeof c->at);
    c->nobj = 1;
    P->x = P->y = 32;
    P->fx = 0;
    P->fy = 1;
    c->at[32 * CR_SIZE + 32] = 1;
    c->chunks_used = 1ull << (2 * CR_CHUNKS + 2);
    c->chunk_order[0] = 2 * CR_CHUNKS + 2;
    c->nchunks = 1;
    c->step = 1;        /* the first step taken is 2: no balancing before step 10 */
    return c;
}

static void put(crafter *c, int x, int y, int m)
{
    c->mat[y * CR_SIZE + x] = (uint8_t)m;
}

/* A creature of kind on the tile the player faces, (32, 33), walled in on its other
** three sides so that it stays there. */
static cr_obj *add_boxed(crafter *c, int kind)
{
    put(c, 31, 33, CR_STONE);
    put(c, 33, 33, CR_STONE);
    put(c, 32, 34, CR_STONE);
    return cr_add(c, kind, 32, 33);
}

static cr_obj *add(crafter *c, int kind, int x, int y)
{
    cr_obj *o = cr_add(c, kind, x, y);
    assert_non_null(o);
    return o;
}

static world_step_result step(crafter *c, int action)
{
    world_step_result r;
    augur_err err = { 0 };

    assert_int_equal(world_step(&c->base, action, &r, &err), AUGUR_OK);
    return r;
}

static int has_event(const world_step_result *r, const char *name)
{
    for (size_t i = 0; i < r->nevents; i++)
        if (strcmp(r->events[i], name) == 0)
            return 1;
    return 0;
}

/* The object of kind nearest the start of the list, or NULL. */
static cr_obj *find(crafter *c, int kind)
{
    for (int i = 0; i < c->nobj; i++)
        if (c->objs[i].kind == kind)
            return &c->objs[i];
    return NULL;
}

static int count(crafter *c, int kind)
{
    int n = 0;
    for (int i = 0; i < c->nobj; i++)
        n += c->objs[i].kind == kind;
    return n;
}

/* Keep the player fed, watered and rested, for tests that run many steps. */
static void sustain(crafter *c)
{
    c->pl.inv[CR_FOOD] = c->pl.inv[CR_DRINK] = c->pl.inv[CR_ENERGY] = 9;
    c->pl.inv[CR_HEALTH] = 9;
    c->pl.last_health = c->env_health = 9;
}

/* ---- generation ------------------------------------------------------------- */

/* "The player starts at the map centre (32, 32), facing down"; inventory per
** data.yaml; creatures where World generation puts them. */
static void test_generation(void **st)
{
    long mats[CR_NMATERIALS] = { 0 };

    (void)st;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        world *w;
        crafter *c;
        assert_int_equal(world_new(&crafter_class, NULL, seed, &w, NULL), AUGUR_OK);
        c = (crafter *)w;
        assert_int_equal(P->kind, CR_PLAYER);
        assert_int_equal(P->x, 32);
        assert_int_equal(P->y, 32);
        assert_int_equal(P->fy, 1);
        assert_int_equal(c->mat[32 * CR_SIZE + 32], CR_GRASS);
        for (int i = 0; i < CR_NITEMS; i++)
            assert_int_equal(c->pl.inv[i], i <= CR_ENERGY ? 9 : 0);
        for (int i = 0; i < CR_SIZE * CR_SIZE; i++)
            mats[c->mat[i]]++;
        for (int i = 1; i < c->nobj; i++) {
            const cr_obj *o = &c->objs[i];
            int m = c->mat[o->y * CR_SIZE + o->x];
            double d = hypot(o->x - 32, o->y - 32);
            assert_int_equal(c->at[o->y * CR_SIZE + o->x], i + 1);
            if (o->kind == CR_COW)
                assert_true(m == CR_GRASS && d > 3);
            else if (o->kind == CR_ZOMBIE)
                assert_true((m == CR_GRASS || m == CR_SAND || m == CR_PATH) && d > 10);
            else
                assert_true(o->kind == CR_SKELETON && m == CR_PATH);
        }
        world_free(w);
    }
    /* Every natural material occurs; tables and furnaces are only ever placed. */
    for (int m = 0; m < CR_TABLE; m++)
        assert_true(mats[m] > 0);
    assert_int_equal(mats[CR_TABLE] + mats[CR_FURNACE], 0);
    /* Grass dominates, diamonds are rare (mountain > 0.18 and uniform() > 0.994). */
    assert_true(mats[CR_GRASS] > mats[CR_STONE] && mats[CR_DIAMOND] < mats[CR_IRON]);
}

static void test_generation_deterministic(void **st)
{
    world *a, *b, *d;

    (void)st;
    assert_int_equal(world_new(&crafter_class, NULL, 7, &a, NULL), AUGUR_OK);
    assert_int_equal(world_new(&crafter_class, NULL, 7, &b, NULL), AUGUR_OK);
    assert_int_equal(world_new(&crafter_class, NULL, 8, &d, NULL), AUGUR_OK);
    assert_int_equal(world_hash(a), world_hash(b));
    assert_true(world_hash(a) != world_hash(d));
    /* reset with a seed gives the world create gives. */
    assert_int_equal(world_reset(d, 7, NULL), AUGUR_OK);
    assert_int_equal(world_hash(a), world_hash(d));
    world_free(a);
    world_free(b);
    world_free(d);
}

/* ---- moving -------------------------------------------------------------------- */

/* "move_*: face that way, then move if free" — free: inside the map, no object,
** and walkable for the player (grass, sand, path, lava). */
static void test_move(void **st)
{
    crafter *c = blank(1);
    static const int blocked[] = { CR_WATER, CR_STONE, CR_TREE, CR_COAL, CR_IRON, CR_DIAMOND,
                                   CR_TABLE, CR_FURNACE };

    (void)st;
    step(c, CR_MOVE_LEFT);
    assert_true(P->x == 31 && P->y == 32 && P->fx == -1 && P->fy == 0);
    put(c, 31, 33, CR_GRASS);
    step(c, CR_MOVE_DOWN);
    assert_true(P->x == 31 && P->y == 33);
    put(c, 32, 33, CR_PATH);
    step(c, CR_MOVE_RIGHT);
    assert_true(P->x == 32 && P->y == 33);
    for (size_t i = 0; i < sizeof blocked / sizeof *blocked; i++) {
        put(c, 32, 32, blocked[i]);
        step(c, CR_MOVE_UP);
        assert_true(P->x == 32 && P->y == 33 && P->fx == 0 && P->fy == -1);
    }
    put(c, 32, 32, CR_SAND);
    add(c, CR_COW, 32, 32);
    step(c, CR_MOVE_UP);
    assert_int_equal(P->y, 33);
    /* The map's edge. */
    c->at[P->y * CR_SIZE + P->x] = 0;
    P->x = 0;
    c->at[P->y * CR_SIZE] = 1;
    step(c, CR_MOVE_LEFT);
    assert_int_equal(P->x, 0);
    world_free(&c->base);
}

/* "stepping on lava sets health to 0"; "if health regenerates in the same update,
** the player survives on the lava tile". */
static void test_lava(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    put(c, 31, 32, CR_LAVA);
    r = step(c, CR_MOVE_LEFT);
    assert_int_equal(P->x, 31);
    assert_int_equal(c->pl.inv[CR_HEALTH], 0);
    assert_true(r.done);
    assert_true(fabs(r.reward + 0.9) < 1e-9);
    world_free(&c->base);

    c = blank(1);
    put(c, 31, 32, CR_LAVA);
    c->pl.recover = 25;                  /* this update's +1 makes it 26 > 25 */
    r = step(c, CR_MOVE_LEFT);
    assert_int_equal(c->pl.inv[CR_HEALTH], 1);
    assert_false(r.done);
    world_free(&c->base);
}

/* ---- do: collecting -------------------------------------------------------------- */

/* collect, data.yaml: tree -> wood (leaves grass), needs nothing; reward +1 only
** for the first unlock of the episode. */
static void test_collect_wood(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    put(c, 32, 33, CR_TREE);
    r = step(c, CR_DO);
    assert_int_equal(c->pl.inv[CR_WOOD], 1);
    assert_int_equal(c->mat[33 * CR_SIZE + 32], CR_GRASS);
    assert_true(has_event(&r, "collect_wood"));
    assert_true(fabs(r.reward - 1) < 1e-9);
    put(c, 32, 33, CR_TREE);
    r = step(c, CR_DO);
    assert_int_equal(c->pl.inv[CR_WOOD], 2);
    assert_true(has_event(&r, "collect_wood"));
    assert_true(fabs(r.reward) < 1e-9);
    world_free(&c->base);
}

/* collect: stone and coal need a wood pickaxe, iron a stone pickaxe, diamond an
** iron pickaxe; each leaves path. Without the tool nothing happens. */
static void test_collect_requires(void **st)
{
    static const struct { int mat, tool, item; const char *ach; } rules[] = {
        { CR_STONE,   CR_WOOD_PICKAXE,  CR_STONE_ITEM,   "collect_stone" },
        { CR_COAL,    CR_WOOD_PICKAXE,  CR_COAL_ITEM,    "collect_coal" },
        { CR_IRON,    CR_STONE_PICKAXE, CR_IRON_ITEM,    "collect_iron" },
        { CR_DIAMOND, CR_IRON_PICKAXE,  CR_DIAMOND_ITEM, "collect_diamond" },
    };

    (void)st;
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        crafter *c = blank(1);
        world_step_result r;
        put(c, 32, 33, rules[i].mat);
        r = step(c, CR_DO);
        assert_int_equal(c->pl.inv[rules[i].item], 0);
        assert_int_equal(c->mat[33 * CR_SIZE + 32], rules[i].mat);
        assert_int_equal(r.nevents, 0);
        c->pl.inv[rules[i].tool] = 1;
        r = step(c, CR_DO);
        assert_int_equal(c->pl.inv[rules[i].item], 1);
        assert_int_equal(c->pl.inv[rules[i].tool], 1);
        assert_int_equal(c->mat[33 * CR_SIZE + 32], CR_PATH);
        assert_true(has_event(&r, rules[i].ach));
        world_free(&c->base);
    }
}

/* "do ... water first resets the thirst counter to 0"; water -> drink, leaves water. */
static void test_collect_drink(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    put(c, 32, 33, CR_WATER);
    c->pl.inv[CR_DRINK] = 5;
    c->pl.thirst = 15;
    r = step(c, CR_DO);
    assert_int_equal(c->pl.inv[CR_DRINK], 6);
    /* Reset, then this update's +1. */
    assert_true(fabs(c->pl.thirst - 1) < 1e-9);
    assert_int_equal(c->mat[33 * CR_SIZE + 32], CR_WATER);
    assert_true(has_event(&r, "collect_drink"));
    world_free(&c->base);
}

/* collect: grass -> sapling with probability 0.1, leaves grass. */
static void test_collect_sapling(void **st)
{
    crafter *c = blank(3);
    int got = 0;

    (void)st;
    put(c, 32, 33, CR_GRASS);
    for (int i = 0; i < 4000; i++) {
        world_step_result r;
        sustain(c);
        c->pl.inv[CR_SAPLING] = 0;
        r = step(c, CR_DO);
        got += has_event(&r, "collect_sapling");
        assert_int_equal(c->mat[33 * CR_SIZE + 32], CR_GRASS);
    }
    /* 400 expected; 5 standard deviations (19 each) either side. */
    assert_in_range(got, 305, 495);
    world_free(&c->base);
}

/* ---- do: creatures and plants ------------------------------------------------- */

/* "damage = max(1, 2 if wood sword, 3 if stone sword, 5 if iron sword)". */
static void test_damage(void **st)
{
    static const struct { int sword, damage; } swords[] = {
        { -1, 1 }, { CR_WOOD_SWORD, 2 }, { CR_STONE_SWORD, 3 }, { CR_IRON_SWORD, 5 },
    };

    (void)st;
    for (size_t i = 0; i < sizeof swords / sizeof *swords; i++) {
        crafter *c = blank(1);
        cr_obj *z;
        add_boxed(c, CR_ZOMBIE)->health = 9;
        if (swords[i].sword >= 0)
            c->pl.inv[swords[i].sword] = 1;
        if (swords[i].damage > 2)
            c->pl.inv[CR_WOOD_SWORD] = 1;         /* the best sword counts */
        step(c, CR_DO);
        z = find(c, CR_ZOMBIE);
        assert_non_null(z);
        assert_int_equal(z->health, 9 - swords[i].damage);
        world_free(&c->base);
    }
}

/* Cow: "health −damage; when 0: food +6, hunger counter = 0, eat_cow"; removed at
** the start of its next update (later in the same step: it updates after the
** player). Items are clamped to 9. */
static void test_eat_cow(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    add_boxed(c, CR_COW);
    c->pl.inv[CR_FOOD] = 5;
    c->pl.hunger = 20;
    step(c, CR_DO);
    step(c, CR_DO);
    assert_int_equal(find(c, CR_COW)->health, 1);
    r = step(c, CR_DO);
    assert_true(has_event(&r, "eat_cow"));
    assert_int_equal(c->pl.inv[CR_FOOD], 9);       /* 5 + 6, clamped */
    assert_true(fabs(c->pl.hunger - 1) < 1e-9);    /* reset, then this update's +1 */
    assert_null(find(c, CR_COW));
    assert_int_equal(c->at[33 * CR_SIZE + 32], 0);
    world_free(&c->base);
}

/* Zombie: defeat_zombie when its health reaches 0; "a zombie killed this step can
** still hit the player if its cooldown is 0". */
static void test_defeat_zombie(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    add(c, CR_ZOMBIE, 32, 33);
    c->pl.inv[CR_IRON_SWORD] = 1;
    r = step(c, CR_DO);
    assert_true(has_event(&r, "defeat_zombie"));
    assert_null(find(c, CR_ZOMBIE));
    assert_int_equal(c->pl.inv[CR_HEALTH], 7);
    assert_true(fabs(r.reward - (1 - 0.2)) < 1e-9);
    world_free(&c->base);
}

/* Skeleton: defeat_skeleton when its health (3) reaches 0. */
static void test_defeat_skeleton(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    add(c, CR_SKELETON, 32, 33);
    c->pl.inv[CR_STONE_SWORD] = 1;
    r = step(c, CR_DO);
    assert_true(has_event(&r, "defeat_skeleton"));
    assert_null(find(c, CR_SKELETON));
    world_free(&c->base);
}

/* Plant: "if ripe, its growth resets to 0, food +4, eat_plant"; ripe when
** grown > 300. An unripe sapling gives nothing. */
static void test_eat_plant(void **st)
{
    crafter *c = blank(1);
    world_step_result r;
    cr_obj *p;

    (void)st;
    put(c, 32, 33, CR_GRASS);
    add(c, CR_PLANT, 32, 33)->timer = 100;
    c->pl.inv[CR_FOOD] = 3;
    r = step(c, CR_DO);
    assert_int_equal(c->pl.inv[CR_FOOD], 3);
    assert_int_equal(r.nevents, 0);
    p = find(c, CR_PLANT);
    assert_int_equal(p->timer, 101);               /* grown +1 each update */
    p->timer = 300;                                /* grown > 300 is ripe */
    r = step(c, CR_DO);
    assert_int_equal(c->pl.inv[CR_FOOD], 3);
    r = step(c, CR_DO);
    assert_true(has_event(&r, "eat_plant"));
    assert_int_equal(c->pl.inv[CR_FOOD], 7);
    assert_int_equal(find(c, CR_PLANT)->timer, 1); /* reset, then its own update */
    world_free(&c->base);
}

/* ---- sleeping ----------------------------------------------------------------- */

/* "sleep: if energy < 9, start sleeping"; while sleeping "the action becomes
** sleep"; "otherwise sleeping ends and wake_up is achieved"; fatigue while asleep
** is min(fatigue − 1, 0), and < −10 gives energy +1. */
static void test_sleep_and_wake(void **st)
{
    crafter *c = blank(1);
    world_step_result r;
    int steps = 0, woke = 0;

    (void)st;
    step(c, CR_SLEEP);
    assert_false(c->pl.sleeping);                  /* energy 9: not tired */
    c->pl.inv[CR_ENERGY] = 8;
    c->pl.fatigue = 5;
    step(c, CR_SLEEP);
    assert_true(c->pl.sleeping);
    assert_true(fabs(c->pl.fatigue) < 1e-9);       /* min(5 - 1, 0) */
    step(c, CR_MOVE_LEFT);
    assert_int_equal(P->x, 32);                    /* asleep: the move is a sleep */
    while (!woke && steps++ < 100) {
        r = step(c, CR_NOOP);
        woke = has_event(&r, "wake_up");
    }
    /* Fatigue goes 0, -1, ... -11 (< -10): energy 9 after 12 sleeping updates in
    ** all; the update after that wakes. */
    assert_true(woke);
    assert_int_equal(steps, 11);
    assert_false(c->pl.sleeping);
    assert_int_equal(c->pl.inv[CR_ENERGY], 9);
    world_free(&c->base);
}

/* Zombie: "the player loses 7 health if sleeping, else 2"; "if health dropped
** since the last update, sleeping ends (waking this way does not give wake_up)". */
static void test_damage_wakes(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    c->pl.inv[CR_ENERGY] = 3;
    step(c, CR_SLEEP);
    add_boxed(c, CR_ZOMBIE);
    r = step(c, CR_NOOP);
    assert_int_equal(c->pl.inv[CR_HEALTH], 2);
    assert_true(c->pl.sleeping);                   /* the hit came after the player's update */
    r = step(c, CR_NOOP);
    assert_false(c->pl.sleeping);
    assert_false(has_event(&r, "wake_up"));
    world_free(&c->base);
}

/* ---- placing --------------------------------------------------------------------- */

/* place: "only if the faced tile holds no object, its material is in where, and the
** inventory has every uses". data.yaml: stone 1 stone on grass, sand, path, water,
** lava; table 2 wood, furnace 4 stone, on grass, sand, path; plant 1 sapling on
** grass, an object. */
static void test_place(void **st)
{
    static const struct { int action, item, cost, mat; const char *ach; int where[5]; } rules[] = {
        { CR_PLACE_STONE, CR_STONE_ITEM, 1, CR_STONE, "place_stone",
          { CR_GRASS, CR_SAND, CR_PATH, CR_WATER, CR_LAVA } },
        { CR_PLACE_TABLE, CR_WOOD, 2, CR_TABLE, "place_table", { CR_GRASS, CR_SAND, CR_PATH, -1 } },
        { CR_PLACE_FURNACE, CR_STONE_ITEM, 4, CR_FURNACE, "place_furnace",
          { CR_GRASS, CR_SAND, CR_PATH, -1 } },
        { CR_PLACE_PLANT, CR_SAPLING, 1, -1, "place_plant", { CR_GRASS, -1 } },
    };

    (void)st;
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        for (int m = 0; m < CR_NMATERIALS; m++) {
            crafter *c = blank(1);
            world_step_result r;
            int allowed = 0;
            for (int k = 0; k < 5 && rules[i].where[k] >= 0; k++)
                allowed |= rules[i].where[k] == m;
            put(c, 32, 33, m);
            c->pl.inv[rules[i].item] = (int8_t)(rules[i].cost - 1);
            r = step(c, rules[i].action);               /* one short of the price */
            assert_int_equal(r.nevents, 0);
            c->pl.inv[rules[i].item] = (int8_t)(rules[i].cost + 1);
            r = step(c, rules[i].action);
            assert_int_equal(has_event(&r, rules[i].ach), allowed);
            assert_int_equal(c->pl.inv[rules[i].item], allowed ? 1 : rules[i].cost + 1);
            if (allowed && rules[i].mat >= 0)
                assert_int_equal(c->mat[33 * CR_SIZE + 32], rules[i].mat);
            if (allowed && rules[i].mat < 0)
                assert_non_null(find(c, CR_PLANT));
            world_free(&c->base);
        }
    }
}

/* place: not where an object stands. */
static void test_place_occupied(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    add_boxed(c, CR_COW);
    c->pl.inv[CR_STONE_ITEM] = 1;
    r = step(c, CR_PLACE_STONE);
    assert_false(has_event(&r, "place_stone"));
    assert_int_equal(c->pl.inv[CR_STONE_ITEM], 1);
    world_free(&c->base);
}

/* ---- making ---------------------------------------------------------------------- */

/* make: "only if every nearby material is within the 3×3 square centred on the
** player and the inventory has every uses"; data.yaml's recipes. */
static void test_make(void **st)
{
    static const struct { int action, item, furnace; int uses[3]; const char *ach; } rules[] = {
        { CR_MAKE_WOOD_PICKAXE, CR_WOOD_PICKAXE, 0, { CR_WOOD, -1 }, "make_wood_pickaxe" },
        { CR_MAKE_STONE_PICKAXE, CR_STONE_PICKAXE, 0, { CR_WOOD, CR_STONE_ITEM, -1 },
          "make_stone_pickaxe" },
        { CR_MAKE_IRON_PICKAXE, CR_IRON_PICKAXE, 1, { CR_WOOD, CR_COAL_ITEM, CR_IRON_ITEM },
          "make_iron_pickaxe" },
        { CR_MAKE_WOOD_SWORD, CR_WOOD_SWORD, 0, { CR_WOOD, -1 }, "make_wood_sword" },
        { CR_MAKE_STONE_SWORD, CR_STONE_SWORD, 0, { CR_WOOD, CR_STONE_ITEM, -1 },
          "make_stone_sword" },
        { CR_MAKE_IRON_SWORD, CR_IRON_SWORD, 1, { CR_WOOD, CR_COAL_ITEM, CR_IRON_ITEM },
          "make_iron_sword" },
    };

    (void)st;
    for (size_t i = 0; i < sizeof rules / sizeof *rules; i++) {
        crafter *c = blank(1);
        world_step_result r;
        for (int k = 0; k < 3 && rules[i].uses[k] >= 0; k++)
            c->pl.inv[rules[i].uses[k]] = 1;
        r = step(c, rules[i].action);                  /* no table */
        assert_int_equal(r.nevents, 0);
        put(c, 34, 32, CR_TABLE);                      /* two tiles away: not nearby */
        put(c, 30, 30, CR_FURNACE);
        r = step(c, rules[i].action);
        assert_int_equal(r.nevents, 0);
        put(c, 33, 31, CR_TABLE);                      /* the square's corner */
        r = step(c, rules[i].action);
        assert_int_equal(has_event(&r, rules[i].ach), !rules[i].furnace);
        if (rules[i].furnace) {
            put(c, 31, 33, CR_FURNACE);
            r = step(c, rules[i].action);
            assert_true(has_event(&r, rules[i].ach));
        }
        assert_int_equal(c->pl.inv[rules[i].item], 1);
        for (int k = 0; k < 3 && rules[i].uses[k] >= 0; k++)
            assert_int_equal(c->pl.inv[rules[i].uses[k]], 0);
        r = step(c, rules[i].action);                  /* the materials are spent */
        assert_int_equal(r.nevents, 0);
        world_free(&c->base);
    }
}

/* "when the player stands at x = 0 or y = 0 the square is empty ... so making
** always fails there; at x or y = 63 the square is simply cut at the edge". */
static void test_make_edge_quirk(void **st)
{
    crafter *c = blank(1);
    world_step_result r;

    (void)st;
    c->at[32 * CR_SIZE + 32] = 0;
    P->x = 0;
    P->y = 10;
    c->at[10 * CR_SIZE] = 1;
    put(c, 1, 10, CR_TABLE);
    c->pl.inv[CR_WOOD] = 1;
    r = step(c, CR_MAKE_WOOD_PICKAXE);
    assert_int_equal(r.nevents, 0);
    c->at[10 * CR_SIZE] = 0;
    P->x = 63;
    c->at[10 * CR_SIZE + 63] = 1;
    put(c, 62, 11, CR_TABLE);
    r = step(c, CR_MAKE_WOOD_PICKAXE);
    assert_true(has_event(&r, "make_wood_pickaxe"));
    world_free(&c->base);
}

/* ---- life counters ------------------------------------------------------------- */

/* "hunger += 0.5 if sleeping else 1; > 25 → 0 and food −1. Thirst likewise with
** threshold 20 → drink −1. Fatigue ... > 30 → 0 and energy −1." */
static void test_counters_awake(void **st)
{
    crafter *c = blank(1);
    int food_at = 0, drink_at = 0, energy_at = 0;

    (void)st;
    for (int t = 1; t <= 40; t++) {
        step(c, CR_NOOP);
        if (!food_at && c->pl.inv[CR_FOOD] == 8)
            food_at = t;
        if (!drink_at && c->pl.inv[CR_DRINK] == 8)
            drink_at = t;
        if (!energy_at && c->pl.inv[CR_ENERGY] == 8)
            energy_at = t;
    }
    assert_int_equal(food_at, 26);
    assert_int_equal(drink_at, 21);
    assert_int_equal(energy_at, 31);
    world_free(&c->base);
}

/* Asleep, hunger and thirst grow by 0.5: hunger passes 25 (25.5) after 51 updates. */
static void test_counters_asleep(void **st)
{
    crafter *c = blank(1);
    int food_at = 0;

    (void)st;
    for (int t = 1; t <= 60; t++) {
        c->pl.inv[CR_ENERGY] = 1;           /* stay tired, so the sleep goes on */
        c->pl.sleeping = 1;
        step(c, CR_NOOP);
        if (!food_at && c->pl.inv[CR_FOOD] == 8)
            food_at = t;
    }
    assert_int_equal(food_at, 51);
    world_free(&c->base);
}

/* "if food > 0, drink > 0 and (energy > 0 or sleeping): recover += 2 if sleeping
** else 1; otherwise recover −= 0.5 if sleeping else 1. recover > 25 → 0 and health
** +1; recover < −15 → 0 and health −1." */
static void test_health(void **st)
{
    crafter *c = blank(1);
    int up_at = 0, down_at = 0;

    (void)st;
    c->pl.inv[CR_HEALTH] = 5;
    c->pl.last_health = c->env_health = 5;
    for (int t = 1; t <= 30 && !up_at; t++) {
        step(c, CR_NOOP);
        if (c->pl.inv[CR_HEALTH] == 6)
            up_at = t;
    }
    assert_int_equal(up_at, 26);
    c->pl.inv[CR_DRINK] = 0;
    c->pl.recover = 0;
    for (int t = 1; t <= 30 && !down_at; t++) {
        step(c, CR_NOOP);
        if (c->pl.inv[CR_HEALTH] == 5)
            down_at = t;
    }
    assert_int_equal(down_at, 16);
    /* Energy 0 counts only when awake. */
    c->pl.inv[CR_DRINK] = 9;
    c->pl.inv[CR_ENERGY] = 0;
    c->pl.recover = 0;
    step(c, CR_NOOP);
    assert_true(c->pl.recover < 0);
    world_free(&c->base);
}

/* ---- creatures ------------------------------------------------------------------ */

/* Zombie: "if distance ≤ 1: if cooldown > 0, cooldown −1; else the player loses ...
** 2, and cooldown = 5". */
static void test_zombie_cooldown(void **st)
{
    crafter *c = blank(1);
    int hits[10], n = 0;

    (void)st;
    add_boxed(c, CR_ZOMBIE);
    for (int t = 1; t <= 13; t++) {
        int before = c->pl.inv[CR_HEALTH];
        step(c, CR_NOOP);
        if (c->pl.inv[CR_HEALTH] < before && n < 10)
            hits[n++] = t;
    }
    assert_int_equal(n, 3);
    assert_int_equal(hits[0], 1);
    assert_int_equal(hits[1], 7);
    assert_int_equal(hits[2], 13);
    world_free(&c->base);
}

/* Zombie: "if distance to the player ≤ 8 and uniform() < 0.9, move toward the
** player ..., else move in a random direction". */
static void test_zombie_chase(void **st)
{
    int closer_near = 0, closer_far = 0;

    (void)st;
    for (int trial = 0; trial < 400; trial++) {
        crafter *c = blank((uint64_t)trial + 100);
        cr_obj *z = add(c, CR_ZOMBIE, 37, 34);        /* distance 7 */
        cr_obj *f = add(c, CR_ZOMBIE, 32, 42);        /* distance 10 */
        (void)z;
        (void)f;
        step(c, CR_NOOP);
        closer_near += abs(c->objs[1].x - 32) + abs(c->objs[1].y - 32) < 7;
        closer_far += abs(c->objs[2].x - 32) + abs(c->objs[2].y - 32) < 10;
        world_free(&c->base);
    }
    /* Near: 0.9 + 0.1 * 2/4 = 95% get closer; far: random, 1 direction in 4. */
    assert_in_range(closer_near, 350, 400);
    assert_in_range(closer_far, 60, 140);
}

/* Skeleton: "If distance ≤ 3, try to move away (... long axis with probability 0.6);
** if it moved, stop. Else if distance ≤ 5 and uniform() < 0.5: shoot ... an Arrow
** appears there and reload = 4." */
static void test_skeleton(void **st)
{
    int away = 0, shot = 0;

    (void)st;
    for (int trial = 0; trial < 400; trial++) {
        crafter *c = blank((uint64_t)trial + 500);
        cr_obj *s;
        for (int x = 33; x <= 40; x++)
            put(c, x, 32, CR_PATH);
        for (int x = 33; x <= 40; x++)
            put(c, x, 31, CR_STONE), put(c, x, 33, CR_STONE);
        add(c, CR_SKELETON, 34, 32);                  /* distance 2, on the same row */
        step(c, CR_NOOP);
        s = find(c, CR_SKELETON);
        away += s->x == 35;
        world_free(&c->base);

        c = blank((uint64_t)trial + 900);
        add(c, CR_SKELETON, 36, 32);                  /* distance 4: shoots half the time */
        step(c, CR_NOOP);
        s = find(c, CR_ARROW);
        if (s) {
            shot++;
            assert_true(s->x == 35 && s->y == 32 && s->fx == -1);
            assert_int_equal(find(c, CR_SKELETON)->timer, 4);
        }
        world_free(&c->base);
    }
    /* The long axis (x) with probability 0.6; the short one is a zero step. */
    assert_in_range(away, 200, 280);
    assert_in_range(shot, 160, 240);
}

/* Arrow: "if the next tile holds an object, that object's health −2 and the arrow
** disappears; else if the next tile's material is not arrow-walkable, the arrow
** disappears, and a table or furnace there turns into path; else it moves". */
static void test_arrow(void **st)
{
    crafter *c = blank(1);
    cr_obj *a;

    (void)st;
    a = add(c, CR_ARROW, 34, 32);
    a->fx = -1;
    put(c, 33, 32, CR_WATER);                         /* arrows fly over water */
    step(c, CR_NOOP);
    assert_int_equal(find(c, CR_ARROW)->x, 33);
    step(c, CR_NOOP);
    assert_null(find(c, CR_ARROW));
    assert_int_equal(c->pl.inv[CR_HEALTH], 7);
    a = add(c, CR_ARROW, 32, 30);
    a->fy = -1;
    put(c, 32, 29, CR_TABLE);
    step(c, CR_NOOP);
    assert_null(find(c, CR_ARROW));
    assert_int_equal(c->mat[29 * CR_SIZE + 32], CR_PATH);
    a = add(c, CR_ARROW, 30, 32);
    a->fx = -1;
    put(c, 29, 32, CR_STONE);
    step(c, CR_NOOP);
    assert_null(find(c, CR_ARROW));
    assert_int_equal(c->mat[32 * CR_SIZE + 29], CR_STONE);
    world_free(&c->base);
}

/* Cow: "with probability 0.5 move in a random direction". */
static void test_cow(void **st)
{
    int moved = 0;

    (void)st;
    for (int trial = 0; trial < 1000; trial++) {
        crafter *c = blank((uint64_t)trial + 2000);
        add(c, CR_COW, 40, 40);
        step(c, CR_NOOP);
        moved += c->objs[1].x != 40 || c->objs[1].y != 40;
        world_free(&c->base);
    }
    assert_in_range(moved, 430, 570);
}

/* Plant: "grown +1 each update; ... if a zombie, skeleton or cow is on one of the
** four neighbouring tiles, health −1 (then it is removed)". */
static void test_plant(void **st)
{
    crafter *c = blank(1);

    (void)st;
    put(c, 34, 34, CR_GRASS);
    add(c, CR_PLANT, 34, 34);
    for (int t = 0; t < 5; t++)
        step(c, CR_NOOP);
    assert_int_equal(find(c, CR_PLANT)->timer, 5);
    put(c, 34, 36, CR_STONE);
    put(c, 33, 35, CR_STONE);
    put(c, 35, 35, CR_STONE);
    add(c, CR_COW, 34, 35);
    step(c, CR_NOOP);
    assert_null(find(c, CR_PLANT));
    world_free(&c->base);
}

/* "every object ... whose distance to the player is < 18 is updated once". */
static void test_update_distance(void **st)
{
    crafter *c = blank(1);

    (void)st;
    put(c, 32, 50, CR_GRASS);
    put(c, 32, 49, CR_GRASS);
    add(c, CR_PLANT, 32, 50);                         /* distance 18 */
    add(c, CR_PLANT, 32, 49);                         /* distance 17 */
    for (int t = 0; t < 3; t++)
        step(c, CR_NOOP);
    assert_int_equal(c->objs[1].timer, 0);
    assert_int_equal(c->objs[2].timer, 3);
    world_free(&c->base);
}

/* ---- daylight, balancing, episodes -------------------------------------------- */

/* "progress = (step / 300) mod 1 + 0.3, daylight = 1 − |cos(π · progress)|³". */
static void test_daylight(void **st)
{
    (void)st;
    assert_true(fabs(cr_daylight(0) - (1 - pow(fabs(cos(M_PI * 0.3)), 3))) < 1e-12);
    assert_true(fabs(cr_daylight(60) - 1) < 1e-12);
    assert_true(fabs(cr_daylight(210)) < 1e-12);
    assert_true(fabs(cr_daylight(17) - cr_daylight(317)) < 1e-12);
}

/* Balancing, every 10th step, per used chunk: zombies on grass at night (target
** 3.5 − 3·light when the chunk has ≥ 50 grass), spawned ≥ 6 from the player;
** cows despawn above 1.5 + light. */
static void test_balance(void **st)
{
    crafter *c = blank(5);
    int zombies = 0;

    (void)st;
    for (int y = 0; y < 12; y++)
        for (int x = 0; x < 12; x++)
            put(c, x, y, CR_GRASS);
    c->chunks_used |= 1;
    c->chunk_order[c->nchunks++] = 0;
    c->step = 150;                                    /* night: daylight 0 at 210 */
    for (int t = 0; t < 100; t++) {
        sustain(c);
        step(c, CR_NOOP);
    }
    for (int i = 0; i < c->nobj; i++)
        if (c->objs[i].kind == CR_ZOMBIE) {
            assert_true(c->objs[i].x < 12 && c->objs[i].y < 12);
            zombies++;
        }
    /* int(3.5 - 3 * light) is 3 in the dark: spawning stops there. */
    assert_in_range(zombies, 1, 3);
    world_free(&c->base);

    c = blank(6);
    for (int y = 0; y < 12; y++)
        for (int x = 0; x < 12; x++)
            put(c, x, y, CR_GRASS);
    for (int i = 0; i < 6; i++)
        add(c, CR_COW, 2 * i, 5);
    for (int t = 0; t < 3000; t++) {
        sustain(c);
        step(c, CR_NOOP);
    }
    assert_in_range(count(c, CR_COW), 1, 2);
    world_free(&c->base);
}

/* "Done when health ≤ 0 or step ≥ 10,000" (length is configurable); stepping
** after the end is refused. */
static void test_episode_end(void **st)
{
    toml_doc *doc;
    world_config cfg;
    world *w;
    world_step_result r;
    augur_err err = { 0 };
    int steps = 0;

    (void)st;
    assert_int_equal(toml_parse("length = 5", 10, "t", &doc, NULL), AUGUR_OK);
    cfg = world_config_table(toml_root(doc));
    assert_int_equal(world_new(&crafter_class, &cfg, 1, &w, NULL), AUGUR_OK);
    do {
        assert_int_equal(world_step(w, CR_NOOP, &r, &err), AUGUR_OK);
        steps++;
    } while (!r.done);
    assert_int_equal(steps, 5);
    assert_int_equal(world_step(w, CR_NOOP, &r, &err), AUGUR_ESTATE);
    assert_int_equal(world_step(w, 17, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "out of range");
    world_free(w);
    toml_free(doc);
    assert_int_equal(toml_parse("length = 0", 10, "t", &doc, NULL), AUGUR_OK);
    cfg = world_config_table(toml_root(doc));
    assert_int_equal(world_new(&crafter_class, &cfg, 1, &w, &err), AUGUR_ECONFIG);
    assert_null(w);
    toml_free(doc);
}

/* ---- what the agent sees ------------------------------------------------------ */

/* "A 9 × 7 window of the map centred on the player (tiles outside the map
** unknown), the objects in it, the direction the player faces, the inventory". */
static void test_observe(void **st)
{
    crafter *c = blank(1);
    state *s = state_new();
    state_value v;
    int p;

    (void)st;
    put(c, 28, 29, CR_TREE);                          /* the window's top-left corner */
    add(c, CR_COW, 36, 35);                           /* its bottom-right corner */
    add(c, CR_COW, 37, 32);                           /* just outside */
    assert_int_equal(world_observe(&c->base, s, NULL), AUGUR_OK);
    assert_int_equal(state_grid_width(s), 9);
    assert_int_equal(state_grid_height(s), 7);
    assert_string_equal(state_grid_palette(s, state_grid_get(s, 0, 0)), "tree");
    assert_int_equal(state_entity_count(s), 2);
    p = state_entity_find(s, 1);
    assert_string_equal(state_entity_type(s, p), "player");
    assert_int_equal(state_get_int(s, p, "x", -1), 4);
    assert_int_equal(state_get_int(s, p, "y", -1), 3);
    assert_int_equal(state_get_int(s, p, "health", -1), 9);
    assert_int_equal(state_get(s, p, "facing", &v), AUGUR_OK);
    assert_string_equal(v.as.s, "down");
    assert_int_equal(state_get(s, p, "hunger", &v), AUGUR_ENOTFOUND);   /* hidden */
    assert_int_equal(state_get_int(s, 1, "x", -1), 8);
    /* The oracle sees everything, hidden counters included. */
    assert_int_equal(world_observe_oracle(&c->base, s, NULL), AUGUR_OK);
    assert_int_equal(state_entity_count(s), 3);
    assert_int_equal(state_grid_width(s), 64);
    assert_int_equal(state_get(s, 0, "hunger", &v), AUGUR_OK);
    /* At the map's corner, the tiles beyond it are unknown. */
    c->at[32 * CR_SIZE + 32] = 0;
    P->x = P->y = 0;
    c->at[0] = 1;
    assert_int_equal(world_observe(&c->base, s, NULL), AUGUR_OK);
    assert_string_equal(state_grid_palette(s, state_grid_get(s, 0, 0)), "unknown");
    assert_string_equal(state_grid_palette(s, state_grid_get(s, 4, 3)), "sand");
    state_free(s);
    world_free(&c->base);
}

static void test_render(void **st)
{
    crafter *c = blank(1);
    buf out = BUF_INIT;

    (void)st;
    add(c, CR_COW, 33, 32);
    put(c, 31, 32, CR_WATER);
    c->pl.inv[CR_WOOD] = 2;
    assert_int_equal(world_render_text(&c->base, &out), AUGUR_OK);
    assert_contains(buf_str(&out), "~@C");
    assert_contains(buf_str(&out), "inventory: wood 2");
    assert_contains(buf_str(&out), "~ water");
    assert_contains(buf_str(&out), "C cow");
    buf_clear(&out);
    assert_int_equal(world_render_ansi(&c->base, &out), AUGUR_OK);
    assert_contains(buf_str(&out), "\033[48;5;");
    buf_clear(&out);
    assert_int_equal(world_to_json(&c->base, &out), AUGUR_OK);
    assert_contains(buf_str(&out), "\"type\": \"cow\"");
    buf_free(&out);
    world_free(&c->base);
}

/* ---- copies and determinism ---------------------------------------------------- */

/* A clone goes on exactly as the original: the same actions give the same states. */
static void test_clone(void **st)
{
    world *a, *b;
    uint64_t r = 99;
    int diverged = 0;

    (void)st;
    assert_int_equal(world_new(&crafter_class, NULL, 11, &a, NULL), AUGUR_OK);
    for (int t = 0; t < 50; t++) {
        world_step_result res;
        r = r * 6364136223846793005ull + 1;
        assert_int_equal(world_step(a, (int)(r >> 59) % 17, &res, NULL), AUGUR_OK);
    }
    assert_int_equal(world_clone(a, &b, NULL), AUGUR_OK);
    assert_int_equal(world_hash(a), world_hash(b));
    for (int t = 0; t < 300; t++) {
        world_step_result ra, rb;
        int act;
        r = r * 6364136223846793005ull + 1;
        act = (int)(r >> 59) % 17;
        assert_int_equal(world_step(a, act, &ra, NULL), AUGUR_OK);
        assert_int_equal(world_step(b, act, &rb, NULL), AUGUR_OK);
        assert_int_equal(world_hash(a), world_hash(b));
        assert_int_equal(ra.done, rb.done);
        if (ra.done)
            break;
    }
    /* Different actions part them. */
    {
        world_step_result res;
        world *c2;
        assert_int_equal(world_reset(a, 3, NULL), AUGUR_OK);
        assert_int_equal(world_clone(a, &c2, NULL), AUGUR_OK);
        world_step(a, CR_MOVE_LEFT, &res, NULL);
        world_step(c2, CR_MOVE_RIGHT, &res, NULL);
        diverged = world_hash(a) != world_hash(c2);
        world_free(c2);
    }
    assert_true(diverged);
    world_free(a);
    world_free(b);
}

/* A world loaded from another's full state goes on as the other does, given the
** same random generator; bad states are refused and change nothing. */
static void test_load(void **st)
{
    world *a, *b;
    state *s = state_new(), *t = state_new(), *bad;
    augur_err err = { 0 };
    int p;

    (void)st;
    assert_int_equal(world_new(&crafter_class, NULL, 5, &a, NULL), AUGUR_OK);
    assert_int_equal(world_new(&crafter_class, NULL, 6, &b, NULL), AUGUR_OK);
    for (int i = 0; i < 40; i++) {
        world_step_result r;
        assert_int_equal(world_step(a, i % 5, &r, NULL), AUGUR_OK);
    }
    assert_int_equal(world_observe_oracle(a, s, NULL), AUGUR_OK);
    assert_int_equal(world_load(b, s, &err), AUGUR_OK);
    assert_int_equal(world_observe_oracle(b, t, NULL), AUGUR_OK);
    assert_true(state_equal(s, t));
    /* With the same generator, ids to come and order of chunks (history the
    ** state does not hold), the two go on alike. */
    ((crafter *)b)->rng = ((crafter *)a)->rng;
    ((crafter *)b)->next_id = ((crafter *)a)->next_id;
    ((crafter *)b)->chunks_used = ((crafter *)a)->chunks_used;
    ((crafter *)b)->nchunks = ((crafter *)a)->nchunks;
    memcpy(((crafter *)b)->chunk_order, ((crafter *)a)->chunk_order,
           sizeof ((crafter *)a)->chunk_order);
    for (int i = 0; i < 200; i++) {
        world_step_result ra, rb;
        assert_int_equal(world_step(a, (i * 7) % 17, &ra, NULL), AUGUR_OK);
        assert_int_equal(world_step(b, (i * 7) % 17, &rb, NULL), AUGUR_OK);
        assert_int_equal(world_observe_oracle(a, s, NULL), AUGUR_OK);
        assert_int_equal(world_observe_oracle(b, t, NULL), AUGUR_OK);
        assert_true(state_equal(s, t));
        if (ra.done)
            break;
    }
    /* An edited state: the player holds a pickaxe and faces stone. */
    p = state_entity_find(s, 1);
    assert_int_equal(state_set_int(s, p, "wood_pickaxe", 1), AUGUR_OK);
    assert_int_equal(world_load(b, s, NULL), AUGUR_OK);
    assert_int_equal(((crafter *)b)->pl.inv[CR_WOOD_PICKAXE], 1);
    /* Refused: out of range, two players, a stranger, no grid. */
    bad = state_clone(s);
    assert_int_equal(state_set_int(bad, p, "wood", 10), AUGUR_OK);
    assert_int_equal(world_load(b, bad, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "wood must be an integer from 0 to 9");
    state_free(bad);
    bad = state_clone(s);
    assert_true(state_entity_add(bad, 99999, "player") >= 0);
    assert_int_equal(world_load(b, bad, &err), AUGUR_EINVAL);
    state_free(bad);
    bad = state_clone(s);
    assert_true(state_entity_add(bad, 99999, "dragon") >= 0);
    assert_int_equal(world_load(b, bad, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "dragon");
    state_free(bad);
    bad = state_new();
    assert_true(state_entity_add(bad, 1, "player") >= 0);
    assert_int_equal(world_load(b, bad, &err), AUGUR_EINVAL);
    state_free(bad);
    assert_int_equal(world_observe_oracle(b, t, NULL), AUGUR_OK);
    assert_true(state_equal(s, t));
    state_free(s);
    state_free(t);
    world_free(a);
    world_free(b);
}

/* ---- noise ------------------------------------------------------------------------ */

static void test_noise(void **st)
{
    noise3 n, m;
    double sum = 0, lo = 1, hi = -1;
    int k = 0;

    (void)st;
    noise3_seed(&n, 42);
    noise3_seed(&m, 42);
    for (double x = -5; x < 5; x += 0.37) {
        for (double y = -5; y < 5; y += 0.41) {
            double v = noise3_eval(&n, x, y, 1.5), w = noise3_eval(&n, x + 1e-4, y, 1.5);
            assert_true(v >= -1 && v <= 1);
            assert_true(fabs(v - w) < 1e-2);             /* continuous */
            assert_true(v == noise3_eval(&m, x, y, 1.5));  /* the same seed, the same value */
            sum += v;
            lo = v < lo ? v : lo;
            hi = v > hi ? v : hi;
            k++;
        }
    }
    assert_true(fabs(sum / k) < 0.1);
    assert_true(lo < -0.3 && hi > 0.3);
    noise3_seed(&m, 43);
    assert_true(noise3_eval(&n, 0.3, 0.7, 0.1) != noise3_eval(&m, 0.3, 0.7, 0.1));
}

/* ---- score ----------------------------------------------------------------------- */

/* "score = exp(mean over the 22 of ln(1 + rate)) − 1". */
static void test_score(void **st)
{
    const double zero[22] = { 0 }, pair[2] = { 1, 3 };
    double all[22];
    world_tally t;
    world_step_result r = { 0 };

    (void)st;
    for (int i = 0; i < 22; i++)
        all[i] = 100;
    assert_true(fabs(world_score(zero, 22)) < 1e-12);
    assert_true(fabs(world_score(all, 22) - 100) < 1e-9);
    assert_true(fabs(world_score(pair, 2) - (sqrt(8) - 1)) < 1e-12);
    assert_int_equal(world_tally_init(&t, &crafter_class), AUGUR_OK);
    r.nevents = 2;
    r.events[0] = "collect_wood";
    r.events[1] = "collect_wood";
    world_tally_step(&t, &r);
    world_tally_episode(&t);
    world_tally_episode(&t);
    assert_true(fabs(world_tally_rate(&t, CR_COLLECT_WOOD) - 50) < 1e-12);
    assert_true(fabs(world_tally_rate(&t, CR_COLLECT_COAL)) < 1e-12);
    assert_true(fabs(world_tally_score(&t) - (exp(log(51) / 22) - 1)) < 1e-12);
    world_tally_free(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_generation),
        cmocka_unit_test(test_generation_deterministic),
        cmocka_unit_test(test_move),
        cmocka_unit_test(test_lava),
        cmocka_unit_test(test_collect_wood),
        cmocka_unit_test(test_collect_requires),
        cmocka_unit_test(test_collect_drink),
        cmocka_unit_test(test_collect_sapling),
        cmocka_unit_test(test_damage),
        cmocka_unit_test(test_eat_cow),
        cmocka_unit_test(test_defeat_zombie),
        cmocka_unit_test(test_defeat_skeleton),
        cmocka_unit_test(test_eat_plant),
        cmocka_unit_test(test_sleep_and_wake),
        cmocka_unit_test(test_damage_wakes),
        cmocka_unit_test(test_place),
        cmocka_unit_test(test_place_occupied),
        cmocka_unit_test(test_make),
        cmocka_unit_test(test_make_edge_quirk),
        cmocka_unit_test(test_counters_awake),
        cmocka_unit_test(test_counters_asleep),
        cmocka_unit_test(test_health),
        cmocka_unit_test(test_zombie_cooldown),
        cmocka_unit_test(test_zombie_chase),
        cmocka_unit_test(test_skeleton),
        cmocka_unit_test(test_arrow),
        cmocka_unit_test(test_cow),
        cmocka_unit_test(test_plant),
        cmocka_unit_test(test_update_distance),
        cmocka_unit_test(test_daylight),
        cmocka_unit_test(test_balance),
        cmocka_unit_test(test_episode_end),
        cmocka_unit_test(test_observe),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_load),
        cmocka_unit_test(test_noise),
        cmocka_unit_test(test_score),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
