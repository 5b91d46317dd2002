/*
** crafter.c — Crafter behind the world interface: configuration, episodes, what
** the agent sees, and the renderings.
*/
#include "worlds/crafter/crafter.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const cr_material_names[CR_NMATERIALS + 1] = {
    "water", "grass", "stone", "path", "sand", "tree", "lava", "coal", "iron", "diamond",
    "table", "furnace", "unknown",
};

const char *const cr_item_names[CR_NITEMS] = {
    "health", "food", "drink", "energy", "sapling", "wood", "stone", "coal", "iron", "diamond",
    "wood_pickaxe", "stone_pickaxe", "iron_pickaxe", "wood_sword", "stone_sword", "iron_sword",
};

const char *const cr_action_names[CR_NACTIONS] = {
    "noop", "move_left", "move_right", "move_up", "move_down", "do", "sleep", "place_stone",
    "place_table", "place_furnace", "place_plant", "make_wood_pickaxe", "make_stone_pickaxe",
    "make_iron_pickaxe", "make_wood_sword", "make_stone_sword", "make_iron_sword",
};

const char *const cr_achievement_names[CR_NACHIEVEMENTS] = {
    "collect_coal", "collect_diamond", "collect_drink", "collect_iron", "collect_sapling",
    "collect_stone", "collect_wood", "defeat_skeleton", "defeat_zombie", "eat_cow", "eat_plant",
    "make_iron_pickaxe", "make_iron_sword", "make_stone_pickaxe", "make_stone_sword",
    "make_wood_pickaxe", "make_wood_sword", "place_furnace", "place_plant", "place_stone",
    "place_table", "wake_up",
};

const char *const cr_kind_names[CR_NKINDS] = {
    "removed", "player", "cow", "zombie", "skeleton", "arrow", "plant",
};

static int cr_reset(world *w, uint64_t seed, augur_err *err)
{
    crafter *c = (crafter *)w;

    rng_seed(&c->rng, seed);
    c->step = 0;
    c->daylight = cr_daylight(0);
    c->unlocked = 0;
    c->next_id = 1;
    memset(&c->pl, 0, sizeof c->pl);
    for (int i = CR_HEALTH; i <= CR_ENERGY; i++)
        c->pl.inv[i] = 9;
    c->pl.last_health = 9;
    c->env_health = 9;
    if (cr_generate(c) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "crafter: out of memory");
    return AUGUR_OK;
}

/* The configuration: length, the steps in an episode. */
static int cr_configure(crafter *c, const world_config *config, augur_err *err)
{
    const toml_value *length = world_config_get(config, "length");

    c->length = CR_LENGTH;
    if (length) {
        if (toml_kind(length) != TOML_INTEGER || toml_int(length) < 1 ||
            toml_int(length) > 1000000000)
            return augur_err_set(err, AUGUR_ECONFIG,
                                 "crafter: length must be an integer from 1 to 1000000000");
        c->length = (int)toml_int(length);
    }
    return AUGUR_OK;
}

static int cr_create(const world_config *config, uint64_t seed, world **out, augur_err *err)
{
    crafter *c;
    int rc;

    if (!(c = calloc(1, sizeof *c)))
        return augur_err_set(err, AUGUR_ENOMEM, "crafter: out of memory");
    if ((rc = cr_configure(c, config, err)) != AUGUR_OK) {
        free(c);
        return rc;
    }
    c->base.cls = &crafter_class;
    if (cr_reset(&c->base, seed, err) != AUGUR_OK) {
        free(c->objs);
        free(c);
        return AUGUR_ENOMEM;
    }
    *out = &c->base;
    return AUGUR_OK;
}

static void cr_destroy(world *w)
{
    crafter *c = (crafter *)w;

    free(c->objs);
    free(c);
}

static int cr_legal(const world *w, unsigned char *legal)
{
    (void)w;
    memset(legal, 1, CR_NACTIONS);
    return CR_NACTIONS;
}

static int cr_world_step(world *w, int action, world_step_result *out, augur_err *err)
{
    crafter *c = (crafter *)w;

    if (c->pl.inv[CR_HEALTH] <= 0 || c->step >= c->length)
        return augur_err_set(err, AUGUR_ESTATE, "crafter: the episode is over; reset it");
    if (cr_step(c, action, out) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "crafter: out of memory");
    return AUGUR_OK;
}

static int cr_clone(const world *w, world **out, augur_err *err)
{
    const crafter *c = (const crafter *)w;
    crafter *d = malloc(sizeof *d);

    if (d) {
        memcpy(d, c, sizeof *d);
        d->cap = c->nobj + 16;
        d->objs = malloc((size_t)d->cap * sizeof *d->objs);
    }
    if (!d || !d->objs) {
        free(d);
        return augur_err_set(err, AUGUR_ENOMEM, "crafter: out of memory");
    }
    memcpy(d->objs, c->objs, (size_t)c->nobj * sizeof *d->objs);
    *out = &d->base;
    return AUGUR_OK;
}

static uint64_t cr_hash(const world *w)
{
    const crafter *c = (const crafter *)w;
    uint64_t h = state_hash_bytes(c->mat, sizeof c->mat, (uint64_t)c->step);

    h = state_hash_bytes(c->objs, (size_t)c->nobj * sizeof *c->objs, h);
    h = state_hash_bytes(&c->pl, sizeof c->pl, h);
    h = state_hash_bytes(&c->rng, sizeof c->rng, h ^ c->unlocked);
    return h;
}

/* ---- observations ------------------------------------------------------------ */

static const char *cr_facing_name(int fx, int fy)
{
    return fx < 0 ? "left" : fx > 0 ? "right" : fy < 0 ? "up" : "down";
}

/* One object as an entity at (x, y); oracle adds what the agent cannot see. */
static int cr_observe_obj(const crafter *c, const cr_obj *o, int x, int y, int oracle, state *s)
{
    int e = state_entity_add(s, o->id, cr_kind_names[o->kind]), rc;

    if (e < 0)
        return e;
    if ((rc = state_set_int(s, e, "x", x)) || (rc = state_set_int(s, e, "y", y)))
        return rc;
    if (o->kind == CR_PLAYER || o->kind == CR_ARROW)
        if ((rc = state_set_symbol(s, e, "facing", cr_facing_name(o->fx, o->fy))))
            return rc;
    if (o->kind == CR_PLANT && (rc = state_set_bool(s, e, "ripe", o->timer > 300)))
        return rc;
    if (o->kind == CR_PLAYER) {
        if ((rc = state_set_bool(s, e, "sleeping", c->pl.sleeping)))
            return rc;
        for (int i = 0; i < CR_NITEMS; i++)
            if ((rc = state_set_int(s, e, cr_item_names[i], c->pl.inv[i])))
                return rc;
        if ((rc = state_set_float(s, e, "daylight", c->daylight)))
            return rc;
    }
    if (!oracle)
        return AUGUR_OK;
    if (o->kind == CR_PLAYER) {
        static const char *const counters[4] = { "hunger", "thirst", "fatigue", "recover" };
        const double values[4] = { c->pl.hunger, c->pl.thirst, c->pl.fatigue, c->pl.recover };
        char name[STATE_NAME_MAX + 1];
        for (int i = 0; i < 4; i++)
            if ((rc = state_set_float(s, e, counters[i], values[i])))
                return rc;
        for (int i = 0; i < CR_NACHIEVEMENTS; i++) {
            snprintf(name, sizeof name, "achievement_%s", cr_achievement_names[i]);
            if ((rc = state_set_int(s, e, name, c->pl.achievements[i])))
                return rc;
        }
        return state_set_int(s, e, "step", c->step);
    }
    if ((rc = state_set_int(s, e, "health", o->health)))
        return rc;
    if (o->kind == CR_ZOMBIE)
        return state_set_int(s, e, "cooldown", o->timer);
    if (o->kind == CR_SKELETON)
        return state_set_int(s, e, "reload", o->timer);
    if (o->kind == CR_PLANT)
        return state_set_int(s, e, "grown", o->timer);
    return AUGUR_OK;
}

/* The agent's view: the 9x7 tiles around the player, the objects on them (at
** view coordinates, the player at (4, 3)), the player's inventory and status. */
static int cr_observe_agent(const crafter *c, state *s)
{
    const cr_obj *p = &c->objs[0];
    int x0 = p->x - CR_VIEW_W / 2, y0 = p->y - CR_VIEW_H / 2, rc;

    if ((rc = state_grid_init(s, CR_VIEW_W, CR_VIEW_H, cr_material_names, CR_NMATERIALS + 1)))
        return rc;
    for (int y = 0; y < CR_VIEW_H; y++)
        for (int x = 0; x < CR_VIEW_W; x++)
            state_grid_set(s, x, y, cr_mat(c, x0 + x, y0 + y));
    for (int i = 0; i < c->nobj; i++) {
        const cr_obj *o = &c->objs[i];
        int vx = o->x - x0, vy = o->y - y0;
        if (vx < 0 || vy < 0 || vx >= CR_VIEW_W || vy >= CR_VIEW_H)
            continue;
        if ((rc = cr_observe_obj(c, o, vx, vy, 0, s)) < 0)
            return rc;
    }
    return AUGUR_OK;
}

static int cr_observe_oracle(const crafter *c, state *s)
{
    int rc = state_grid_init(s, CR_SIZE, CR_SIZE, cr_material_names, CR_NMATERIALS);

    if (rc)
        return rc;
    for (int y = 0; y < CR_SIZE; y++)
        for (int x = 0; x < CR_SIZE; x++)
            state_grid_set(s, x, y, c->mat[y * CR_SIZE + x]);
    for (int i = 0; i < c->nobj; i++)
        if ((rc = cr_observe_obj(c, &c->objs[i], c->objs[i].x, c->objs[i].y, 1, s)) < 0)
            return rc;
    return AUGUR_OK;
}

static int cr_observe(const world *w, enum world_view view, state *out, augur_err *err)
{
    const crafter *c = (const crafter *)w;
    int rc = view == WORLD_VIEW_ORACLE ? cr_observe_oracle(c, out) : cr_observe_agent(c, out);

    if (rc < 0)
        return augur_err_set(err, rc, "crafter: cannot build the observation: %s",
                             augur_errstr(rc));
    return AUGUR_OK;
}

/* ---- loading a state ---------------------------------------------------------- */

static int cr_name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/* An integer attribute in [lo, hi]; def when absent. */
static int cr_load_int(const state *s, int e, const char *attr, int lo, int hi, int def, int *out,
                       augur_err *err)
{
    state_value v;
    double d;

    if (state_get(s, e, attr, &v) != AUGUR_OK) {
        *out = def;
        return AUGUR_OK;
    }
    d = v.kind == STATE_INT ? (double)v.as.i : v.kind == STATE_FLOAT ? v.as.f
        : v.kind == STATE_BOOL ? v.as.b : lo - 1.0;
    if (d != (int)d || d < lo || d > hi)
        return augur_err_set(err, AUGUR_EINVAL, "crafter: %s#%lld.%s must be an integer from %d "
                             "to %d", state_entity_type(s, e), (long long)state_entity_id(s, e),
                             attr, lo, hi);
    *out = (int)d;
    return AUGUR_OK;
}

static double cr_load_float(const state *s, int e, const char *attr)
{
    state_value v;

    if (state_get(s, e, attr, &v) != AUGUR_OK)
        return 0;
    return v.kind == STATE_FLOAT ? v.as.f : v.kind == STATE_INT ? (double)v.as.i : 0;
}

static int cr_load_grid(crafter *c, const state *s, augur_err *err)
{
    int map[255];

    if (state_grid_width(s) != CR_SIZE || state_grid_height(s) != CR_SIZE)
        return augur_err_set(err, AUGUR_EINVAL, "crafter: the state needs a %dx%d grid",
                             CR_SIZE, CR_SIZE);
    for (int i = 0; i < state_grid_palette_size(s); i++)
        if ((map[i] = cr_name_index(cr_material_names, CR_NMATERIALS,
                                    state_grid_palette(s, i))) < 0)
            return augur_err_set(err, AUGUR_EINVAL, "crafter: '%s' is not a material",
                                 state_grid_palette(s, i));
    for (int y = 0; y < CR_SIZE; y++)
        for (int x = 0; x < CR_SIZE; x++)
            c->mat[y * CR_SIZE + x] = (uint8_t)map[state_grid_get(s, x, y)];
    return AUGUR_OK;
}

static int cr_load_facing(const state *s, int e, cr_obj *o, augur_err *err)
{
    static const char *const names[4] = { "left", "right", "up", "down" };
    static const int8_t dirs[4][2] = { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };
    state_value v;
    int d = 3;

    if (state_get(s, e, "facing", &v) == AUGUR_OK &&
        (v.kind != STATE_SYMBOL || (d = cr_name_index(names, 4, v.as.s)) < 0))
        return augur_err_set(err, AUGUR_EINVAL, "crafter: %s#%lld.facing must be left, right, up "
                             "or down", state_entity_type(s, e), (long long)state_entity_id(s, e));
    o->fx = dirs[d][0];
    o->fy = dirs[d][1];
    return AUGUR_OK;
}

static int cr_load_player(crafter *c, const state *s, int e, augur_err *err)
{
    cr_player *pl = &c->pl;
    char name[STATE_NAME_MAX + 1];
    int v, rc;

    memset(pl, 0, sizeof *pl);
    for (int i = 0; i < CR_NITEMS; i++) {
        if ((rc = cr_load_int(s, e, cr_item_names[i], 0, 9, i <= CR_ENERGY ? 9 : 0, &v, err)))
            return rc;
        pl->inv[i] = (int8_t)v;
    }
    if ((rc = cr_load_int(s, e, "sleeping", 0, 1, 0, &pl->sleeping, err)) ||
        (rc = cr_load_int(s, e, "step", 0, 1000000000, 0, &c->step, err)))
        return rc;
    pl->hunger = cr_load_float(s, e, "hunger");
    pl->thirst = cr_load_float(s, e, "thirst");
    pl->fatigue = cr_load_float(s, e, "fatigue");
    pl->recover = cr_load_float(s, e, "recover");
    c->unlocked = 0;
    for (int i = 0; i < CR_NACHIEVEMENTS; i++) {
        snprintf(name, sizeof name, "achievement_%s", cr_achievement_names[i]);
        if ((rc = cr_load_int(s, e, name, 0, UINT16_MAX, 0, &v, err)))
            return rc;
        pl->achievements[i] = (uint16_t)v;
        c->unlocked |= (uint32_t)(v > 0) << i;
    }
    pl->last_health = pl->inv[CR_HEALTH];
    c->env_health = pl->inv[CR_HEALTH];
    c->daylight = cr_daylight(c->step);
    return cr_load_facing(s, e, &c->objs[0], err);
}

/* One object of the state into c; the player is objs[0]. */
static int cr_load_obj(crafter *c, const state *s, int e, augur_err *err)
{
    static const int16_t health[CR_NKINDS] = { 0, 9, 3, 5, 3, 0, 1 };
    int kind = cr_name_index(cr_kind_names, CR_NKINDS, state_entity_type(s, e));
    int64_t id = state_entity_id(s, e);
    int x, y, h, timer, rc;
    cr_obj *o;

    if (kind <= 0)
        return augur_err_set(err, AUGUR_EINVAL, "crafter: '%s' is not a kind of object",
                             state_entity_type(s, e));
    if (id < 1 || id > UINT32_MAX - 1)
        return augur_err_set(err, AUGUR_EINVAL, "crafter: entity id %lld is out of range",
                             (long long)id);
    if ((kind == CR_PLAYER) != (c->nobj == 0))
        return augur_err_set(err, AUGUR_EINVAL, "crafter: the state needs exactly one player");
    if ((rc = cr_load_int(s, e, "x", 0, CR_SIZE - 1, -1, &x, err)) ||
        (rc = cr_load_int(s, e, "y", 0, CR_SIZE - 1, -1, &y, err)))
        return rc;
    if (x < 0 || y < 0)
        return augur_err_set(err, AUGUR_EINVAL, "crafter: %s#%lld needs x and y",
                             cr_kind_names[kind], (long long)id);
    if (c->at[y * CR_SIZE + x])
        return augur_err_set(err, AUGUR_EINVAL, "crafter: two objects at (%d, %d)", x, y);
    if (!(o = cr_add(c, kind, x, y)))
        return augur_err_set(err, AUGUR_ENOMEM, "crafter: out of memory");
    o->id = (uint32_t)id;
    if (c->next_id <= o->id)
        c->next_id = o->id + 1;
    if (kind == CR_PLAYER)
        return cr_load_player(c, s, e, err);
    if ((rc = cr_load_int(s, e, "health", 0, INT16_MAX, health[kind], &h, err)) ||
        (rc = cr_load_int(s, e, kind == CR_ZOMBIE ? "cooldown" : kind == CR_SKELETON ? "reload"
                          : "grown", 0, INT16_MAX, 0, &timer, err)))
        return rc;
    o->health = (int16_t)h;
    o->timer = (int16_t)timer;
    if (kind == CR_PLANT && state_get(s, e, "grown", &(state_value){ 0 }) != AUGUR_OK &&
        (rc = cr_load_int(s, e, "ripe", 0, 1, 0, &timer, err)) == AUGUR_OK && timer)
        o->timer = 301;
    return kind == CR_ARROW ? cr_load_facing(s, e, o, err) : rc;
}

/* The world becomes the full state s (as the oracle view writes it); its random
** generator and length are kept. On failure the world is left as it was. */
static int cr_load(world *w, const state *s, augur_err *err)
{
    crafter *c = (crafter *)w, *t;
    int player = -1, rc = AUGUR_OK;

    for (size_t i = 0; i < state_entity_count(s) && player < 0; i++)
        if (strcmp(state_entity_type(s, (int)i), "player") == 0)
            player = (int)i;
    if (player < 0)
        return augur_err_set(err, AUGUR_EINVAL, "crafter: the state has no player");
    if (!(t = malloc(sizeof *t)))
        return augur_err_set(err, AUGUR_ENOMEM, "crafter: out of memory");
    memcpy(t, c, sizeof *t);
    t->objs = NULL;
    t->nobj = t->cap = 0;
    t->next_id = 1;
    t->chunks_used = 0;
    t->nchunks = 0;
    memset(t->at, 0, sizeof t->at);
    rc = cr_load_grid(t, s, err);
    if (rc == AUGUR_OK)
        rc = cr_load_obj(t, s, player, err);
    for (size_t i = 0; i < state_entity_count(s) && rc == AUGUR_OK; i++)
        if ((int)i != player)
            rc = cr_load_obj(t, s, (int)i, err);
    if (rc != AUGUR_OK) {
        free(t->objs);
        free(t);
        return rc;
    }
    free(c->objs);
    memcpy(c, t, sizeof *c);
    free(t);
    return AUGUR_OK;
}

/* ---- renderings ---------------------------------------------------------------- */

/* One character per material and per kind of object, for text and the terminal. */
static const char cr_material_chars[CR_NMATERIALS + 1] = "~.#_:T%cidtf?";
static const char cr_kind_chars[CR_NKINDS] = "x@CZS*p";

/* The character of object o: arrows point, ripe plants are upper case. */
static char cr_obj_char(const cr_obj *o)
{
    if (o->kind == CR_ARROW)
        return o->fx < 0 ? '<' : o->fx > 0 ? '>' : o->fy < 0 ? '^' : 'v';
    if (o->kind == CR_PLANT && o->timer > 300)
        return 'P';
    return cr_kind_chars[o->kind];
}

static void cr_inventory_text(const crafter *c, buf *out)
{
    int any = 0;

    buf_printf(out, "health %d, food %d, drink %d, energy %d%s\ninventory:", c->pl.inv[CR_HEALTH],
               c->pl.inv[CR_FOOD], c->pl.inv[CR_DRINK], c->pl.inv[CR_ENERGY],
               c->pl.sleeping ? ", sleeping" : "");
    for (int i = CR_SAPLING; i < CR_NITEMS; i++) {
        if (c->pl.inv[i] < 1)
            continue;
        buf_printf(out, "%s %s %d", any ? "," : "", cr_item_names[i], c->pl.inv[i]);
        any = 1;
    }
    buf_puts(out, any ? "\n" : " empty\n");
}

static int cr_render_text(const world *w, buf *out)
{
    const crafter *c = (const crafter *)w;
    const cr_obj *p = &c->objs[0];
    int x0 = p->x - CR_VIEW_W / 2, y0 = p->y - CR_VIEW_H / 2;
    unsigned used_mat = 0, used_kind = 0;

    buf_printf(out, "step %d, daylight %.2f, facing %s\n", c->step, c->daylight,
               cr_facing_name(p->fx, p->fy));
    cr_inventory_text(c, out);
    for (int y = y0; y < y0 + CR_VIEW_H; y++) {
        for (int x = x0; x < x0 + CR_VIEW_W; x++) {
            const cr_obj *o = cr_obj_at((crafter *)c, x, y);
            if (o) {
                used_kind |= 1u << o->kind;
                buf_putc(out, cr_obj_char(o));
            } else {
                used_mat |= 1u << cr_mat(c, x, y);
                buf_putc(out, cr_material_chars[cr_mat(c, x, y)]);
            }
        }
        buf_putc(out, '\n');
    }
    buf_puts(out, "legend:");
    for (int m = 0; m <= CR_NMATERIALS; m++)
        if (used_mat >> m & 1)
            buf_printf(out, " %c %s", cr_material_chars[m], cr_material_names[m]);
    for (int k = CR_PLAYER; k < CR_NKINDS; k++)
        if (used_kind >> k & 1)
            buf_printf(out, " %c %s", cr_kind_chars[k], k == CR_PLAYER ? "you" : cr_kind_names[k]);
    return buf_puts(out, "\n");
}

static int cr_render_ansi(const world *w, buf *out)
{
    /* Background colours per material (256-colour palette). */
    static const int bg[CR_NMATERIALS + 1] = { 25, 70, 244, 137, 186, 22, 202, 236, 173, 51,
                                               94, 88, 0 };
    const crafter *c = (const crafter *)w;
    const cr_obj *p = &c->objs[0];
    int x0 = p->x - CR_VIEW_W / 2, y0 = p->y - CR_VIEW_H / 2;

    for (int y = y0; y < y0 + CR_VIEW_H; y++) {
        for (int x = x0; x < x0 + CR_VIEW_W; x++) {
            const cr_obj *o = cr_obj_at((crafter *)c, x, y);
            int m = cr_mat(c, x, y);
            buf_printf(out, "\033[48;5;%dm\033[1;97m %c \033[0m", bg[m],
                       o ? cr_obj_char(o) : m == CR_GRASS ? ' ' : cr_material_chars[m]);
        }
        buf_putc(out, '\n');
    }
    buf_printf(out, "step %d  %s  facing %s\n", c->step, c->daylight < 0.35 ? "night" : "day",
               cr_facing_name(p->fx, p->fy));
    cr_inventory_text(c, out);
    buf_puts(out, "achievements:");
    for (int a = 0; a < CR_NACHIEVEMENTS; a++)
        if (c->unlocked >> a & 1)
            buf_printf(out, " %s", cr_achievement_names[a]);
    return buf_puts(out, "\n");
}

const world_class crafter_class = {
    "crafter",
    "Crafter (Hafner 2022): survive, gather, craft; 22 achievements",
    CR_NACTIONS, cr_action_names,
    CR_NACHIEVEMENTS, cr_achievement_names,
    cr_create, cr_destroy, cr_reset, cr_observe, cr_legal, cr_world_step, cr_clone, cr_hash,
    cr_render_text, cr_render_ansi, NULL, cr_load, NULL,
};
