/*
** keys.c — keys, doors and chests: the smallest complete world, and the example
** for game developers who write their own (read it beside worlds/world.h).
**
** A fixed level on a small grid. Walking onto a key picks it up; walking into a
** locked door with a key uses the key and opens the door; walking into a closed
** chest with a key uses the key and opens it (reward 1). The episode ends when
** every chest is open or after `length` steps (configuration, default 100).
** Nothing is random: the seed is accepted and ignored, so every episode is alike.
** The player sees the whole level, so the agent's view is the full state.
*/
#include "worlds/world.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* # wall, . floor, @ start, k key, D door, C chest. */
static const char *const keys_level[] = {
    "###########",
    "#@.k#..k..#",
    "#.k.D..k..#",
    "#...#..#D##",
    "#####..#.C#",
    "#C..k..#..#",
    "###########",
};

enum { KEYS_W = 11, KEYS_H = 7, KEYS_MAX_THINGS = 16, KEYS_LENGTH = 100 };
enum { KEYS_KEY, KEYS_DOOR, KEYS_CHEST };

static const char *const keys_actions[] = { "wait", "move_left", "move_right", "move_up",
                                            "move_down" };
static const char *const keys_events[] = { "take_key", "open_door", "open_chest" };
static const char *const keys_kinds[] = { "key", "door", "chest" };
static const char *const keys_palette[] = { "floor", "wall" };

typedef struct keys_thing {
    int kind, x, y, done;          /* done: a key taken, a door or chest open */
} keys_thing;

typedef struct keys_world {
    world      base;
    int        length, step, x, y, keys, chests_left;
    int        nthings;
    keys_thing things[KEYS_MAX_THINGS];
} keys_world;

static keys_thing *keys_thing_at(keys_world *k, int x, int y)
{
    for (int i = 0; i < k->nthings; i++)
        if (k->things[i].x == x && k->things[i].y == y && !(k->things[i].kind == KEYS_KEY &&
                                                            k->things[i].done))
            return &k->things[i];
    return NULL;
}

static int keys_reset(world *w, uint64_t seed, augur_err *err)
{
    static const char kinds[] = "kDC";
    keys_world *k = (keys_world *)w;

    (void)seed;
    (void)err;
    k->step = k->keys = k->chests_left = k->nthings = 0;
    for (int y = 0; y < KEYS_H; y++) {
        for (int x = 0; x < KEYS_W; x++) {
            char ch = keys_level[y][x];
            if (ch == '@') {
                k->x = x;
                k->y = y;
            } else if (ch && strchr(kinds, ch)) {
                k->things[k->nthings++] = (keys_thing){ (int)(strchr(kinds, ch) - kinds), x, y, 0 };
                k->chests_left += ch == 'C';
            }
        }
    }
    return AUGUR_OK;
}

static int keys_create(const world_config *config, uint64_t seed, world **out, augur_err *err)
{
    const toml_value *length = world_config_get(config, "length");
    keys_world *k;

    if (length && (toml_kind(length) != TOML_INTEGER || toml_int(length) < 1 ||
                   toml_int(length) > 1000000))
        return augur_err_set(err, AUGUR_ECONFIG, "keys: length must be an integer from 1 to 1000000");
    if (!(k = calloc(1, sizeof *k)))
        return augur_err_set(err, AUGUR_ENOMEM, "keys: out of memory");
    k->base.cls = &keys_class;
    k->length = length ? (int)toml_int(length) : KEYS_LENGTH;
    *out = &k->base;
    return keys_reset(&k->base, seed, err);
}

static void keys_destroy(world *w)
{
    free(w);
}

static const int keys_dirs[5][2] = { { 0, 0 }, { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };

/* Whether the move can change anything: not into a wall, nor into a locked door
** or closed chest without a key. */
static int keys_legal(const world *w, unsigned char *legal)
{
    keys_world *k = (keys_world *)w;
    int n = 0;

    for (int a = 0; a < 5; a++) {
        int x = k->x + keys_dirs[a][0], y = k->y + keys_dirs[a][1];
        keys_thing *t = keys_thing_at(k, x, y);
        legal[a] = a == 0 || (keys_level[y][x] != '#' &&
                              (!t || t->kind == KEYS_KEY || t->done || k->keys > 0));
        n += legal[a];
    }
    return n;
}

static int keys_step(world *w, int action, world_step_result *out, augur_err *err)
{
    keys_world *k = (keys_world *)w;
    unsigned char legal[5];
    int x = k->x + keys_dirs[action][0], y = k->y + keys_dirs[action][1];
    keys_thing *t;

    if (k->step >= k->length || k->chests_left == 0)
        return augur_err_set(err, AUGUR_ESTATE, "keys: the episode is over; reset it");
    keys_legal(w, legal);
    if (!legal[action])
        return augur_err_set(err, AUGUR_EINVAL, "keys: %s is not legal here", keys_actions[action]);
    k->step++;
    t = action ? keys_thing_at(k, x, y) : NULL;
    if (t && t->kind != KEYS_KEY && !t->done) {
        k->keys--;
        t->done = 1;
        k->chests_left -= t->kind == KEYS_CHEST;
        out->reward = t->kind == KEYS_CHEST;
        out->events[out->nevents++] = keys_events[t->kind];
    }
    if (action && (!t || t->kind != KEYS_CHEST)) {
        k->x = x;
        k->y = y;
        if (t && t->kind == KEYS_KEY) {
            t->done = 1;
            k->keys++;
            out->events[out->nevents++] = keys_events[KEYS_KEY];
        }
    }
    out->done = k->chests_left == 0 || k->step >= k->length;
    snprintf(out->feedback, sizeof out->feedback, "%s: %s; %d key%s held", keys_actions[action],
             out->nevents ? out->events[0] : "nothing happened", k->keys, k->keys == 1 ? "" : "s");
    return AUGUR_OK;
}

static int keys_observe(const world *w, enum world_view view, state *s, augur_err *err)
{
    const keys_world *k = (const keys_world *)w;
    int e, rc = state_grid_init(s, KEYS_W, KEYS_H, keys_palette, 2);

    (void)view;
    for (int y = 0; y < KEYS_H && !rc; y++)
        for (int x = 0; x < KEYS_W; x++)
            state_grid_set(s, x, y, keys_level[y][x] == '#');
    if (!rc && (e = rc = state_entity_add(s, 1, "player")) >= 0 &&
        !(rc = state_set_int(s, e, "x", k->x)) && !(rc = state_set_int(s, e, "y", k->y)))
        rc = state_set_int(s, e, "keys", k->keys);
    for (int i = 0; i < k->nthings && rc >= 0; i++) {
        const keys_thing *t = &k->things[i];
        if (t->kind == KEYS_KEY && t->done)
            continue;
        if ((e = rc = state_entity_add(s, i + 2, keys_kinds[t->kind])) >= 0 &&
            !(rc = state_set_int(s, e, "x", t->x)) && !(rc = state_set_int(s, e, "y", t->y)) &&
            t->kind != KEYS_KEY)
            rc = state_set_bool(s, e, "open", t->done);
    }
    return rc < 0 ? augur_err_set(err, rc, "keys: cannot build the observation") : AUGUR_OK;
}

static int keys_clone(const world *w, world **out, augur_err *err)
{
    keys_world *k = malloc(sizeof *k);

    if (!k)
        return augur_err_set(err, AUGUR_ENOMEM, "keys: out of memory");
    memcpy(k, w, sizeof *k);
    *out = &k->base;
    return AUGUR_OK;
}

static uint64_t keys_hash(const world *w)
{
    const keys_world *k = (const keys_world *)w;
    return state_hash_bytes(&k->step, sizeof *k - offsetof(keys_world, step), 0);
}

/* The steps to open every chest, at least: walking to the nearest closed one and
** bumping into it, then one step for each other (keys and doors relaxed away). */
static double keys_distance(const world *w)
{
    const keys_world *k = (const keys_world *)w;
    int near = -1;

    for (int i = 0; i < k->nthings; i++) {
        const keys_thing *t = &k->things[i];
        int d = abs(t->x - k->x) + abs(t->y - k->y);
        if (t->kind == KEYS_CHEST && !t->done && (near < 0 || d < near))
            near = d;
    }
    return near < 0 ? 0 : near + k->chests_left - 1;
}

/* The level as characters, "#" walls, "@" the player; colours when ansi. */
static int keys_render(const world *w, buf *out, int ansi)
{
    keys_world *k = (keys_world *)w;

    for (int y = 0; y < KEYS_H; y++) {
        for (int x = 0; x < KEYS_W; x++) {
            keys_thing *t = keys_thing_at(k, x, y);
            char ch = keys_level[y][x] == '#' ? '#' : '.';
            if (x == k->x && y == k->y)
                ch = '@';
            else if (t)
                ch = t->done ? (t->kind == KEYS_DOOR ? '/' : 'c') : "kDC"[t->kind];
            if (ansi && ch != '.')
                buf_printf(out, "\033[%sm%c\033[0m", ch == '#' ? "90" : ch == '@' ? "1;93" : "1;96", ch);
            else
                buf_putc(out, ch);
        }
        buf_putc(out, '\n');
    }
    return buf_printf(out, "step %d, keys held %d, chests closed %d\n", k->step, k->keys,
                      k->chests_left);
}

static int keys_render_text(const world *w, buf *out) { return keys_render(w, out, 0); }
static int keys_render_ansi(const world *w, buf *out) { return keys_render(w, out, 1); }

const world_class keys_class = {
    "keys",
    "keys, doors and chests on a small grid: the example world",
    5, keys_actions,
    3, keys_events,
    keys_create, keys_destroy, keys_reset, keys_observe, keys_legal, keys_step, keys_clone,
    keys_hash, keys_render_text, keys_render_ansi, NULL, NULL, keys_distance,
};
