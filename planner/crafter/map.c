/*
** map.c — the Crafter agent's perception: its map memory built from the views it
** has seen (placed by dead reckoning checked against the view), or from the full
** state in the oracle mode; and its belief, the symbolic state a law model reads.
*/
#include "planner/crafter/crafter.h"

#include <stdlib.h>
#include <string.h>

const char *const cm_mat_names[M_NMAT] = {
    "water", "grass", "stone", "path", "sand", "tree", "lava", "coal", "iron", "diamond",
    "table", "furnace", "unknown",
};

const char *const cm_item_names[I_N] = {
    "health", "food", "drink", "energy", "sapling", "wood", "stone", "coal", "iron", "diamond",
    "wood_pickaxe", "stone_pickaxe", "iron_pickaxe", "wood_sword", "stone_sword", "iron_sword",
};

const char *const cm_dir_names[4] = { "left", "right", "up", "down" };

const char *const cm_kind_names[K_N] = { "cow", "zombie", "skeleton", "arrow", "plant" };

const char *const cm_act_names[A_N] = {
    "noop", "move_left", "move_right", "move_up", "move_down", "do", "sleep", "place_stone",
    "place_table", "place_furnace", "place_plant", "make_wood_pickaxe", "make_stone_pickaxe",
    "make_iron_pickaxe", "make_wood_sword", "make_stone_sword", "make_iron_sword",
};

enum { VIEW_W = 9, VIEW_H = 7 };

static int cm_name_index(const char *const *names, int n, const char *name)
{
    for (int i = 0; i < n; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

void cm_reset(cm_map *m)
{
    memset(m, 0, sizeof *m);
    memset(m->mat, M_UNSEEN, sizeof m->mat);
    m->px = m->py = CM_START;
    m->fy = 1;
    m->daylight = 1;
}

const cm_creature *cm_creature_at(const cm_map *m, int x, int y)
{
    return cm_in(x, y) && m->occ[y * CM_W + x] ? &m->creatures[m->occ[y * CM_W + x] - 1] : NULL;
}

/* The observation's palette as map materials. */
static void cm_palette(const state *obs, int *pal)
{
    int n = state_grid_palette_size(obs);

    for (int i = 0; i < n && i < 255; i++) {
        int k = cm_name_index(cm_mat_names, M_NMAT, state_grid_palette(obs, i));
        pal[i] = k < 0 ? M_OUTSIDE : k;
    }
}

/* Mismatches between the view placed with its centre at (cx, cy) and the map. */
static int cm_mismatch(const cm_map *m, const state *obs, const int *pal, int cx, int cy)
{
    int bad = 0;

    for (int y = 0; y < VIEW_H; y++)
        for (int x = 0; x < VIEW_W; x++) {
            int mx = cx - VIEW_W / 2 + x, my = cy - VIEW_H / 2 + y, known = cm_at(m, mx, my);
            bad += known != M_UNSEEN && known != pal[state_grid_get(obs, x, y)];
        }
    return bad;
}

static void cm_read_player(cm_map *m, const state *obs, int e)
{
    static const int dx[4] = { -1, 1, 0, 0 }, dy[4] = { 0, 0, -1, 1 };
    state_value v;

    for (int i = 0; i < I_N; i++)
        m->inv[i] = (int)state_get_int(obs, e, cm_item_names[i], 0);
    m->sleeping = (int)state_get_int(obs, e, "sleeping", 0);
    if (state_get(obs, e, "daylight", &v) == AUGUR_OK && v.kind == STATE_FLOAT)
        m->daylight = v.as.f;
    if (state_get(obs, e, "facing", &v) == AUGUR_OK && v.kind == STATE_SYMBOL) {
        int d = cm_name_index(cm_dir_names, 4, v.as.s);
        if (d >= 0) {
            m->fx = dx[d];
            m->fy = dy[d];
        }
    }
}

/* Creatures seen, at map cells: the view's are offset by (ox, oy). */
static void cm_read_creatures(cm_map *m, const state *obs, int ox, int oy)
{
    for (int i = 0; i < m->ncreatures; i++)
        if (cm_in(m->creatures[i].x, m->creatures[i].y))
            m->occ[m->creatures[i].y * CM_W + m->creatures[i].x] = 0;
    m->ncreatures = 0;
    for (size_t i = 0; i < state_entity_count(obs) && m->ncreatures < CM_CREATURES; i++) {
        int kind = cm_name_index(cm_kind_names, K_N, state_entity_type(obs, (int)i));
        cm_creature *c;
        if (kind < 0)
            continue;
        c = &m->creatures[m->ncreatures++];
        c->id = state_entity_id(obs, (int)i);
        c->kind = kind;
        c->x = (int)state_get_int(obs, (int)i, "x", 0) + ox;
        c->y = (int)state_get_int(obs, (int)i, "y", 0) + oy;
        c->ripe = (int)state_get_int(obs, (int)i, "ripe", 0) ||
                  state_get_int(obs, (int)i, "grown", 0) > 300;
        if (cm_in(c->x, c->y))
            m->occ[c->y * CM_W + c->x] = (uint8_t)m->ncreatures;
    }
}

/* Own plants seen gone are dead. */
static void cm_check_plants(cm_map *m, int x0, int y0, int w, int h)
{
    for (int i = 0; i < m->nplants; i++) {
        cm_plant *p = &m->plants[i];
        const cm_creature *c;
        if (!p->alive || p->x < x0 || p->y < y0 || p->x >= x0 + w || p->y >= y0 + h)
            continue;
        c = cm_creature_at(m, p->x, p->y);
        p->alive = c && c->kind == K_PLANT;
    }
}

static int cm_find_player(const state *obs)
{
    for (size_t i = 0; i < state_entity_count(obs); i++)
        if (strcmp(state_entity_type(obs, (int)i), "player") == 0)
            return (int)i;
    return -1;
}

int cm_perceive(cm_map *m, const state *obs, int oracle, int last_move, augur_err *err)
{
    int pal[256], e = cm_find_player(obs), w = state_grid_width(obs), h = state_grid_height(obs);
    int ox, oy;

    if (e < 0 || w < 1 || h < 1)
        return augur_err_set(err, AUGUR_EINVAL, "crafter agent: the observation has no player "
                             "or no grid");
    cm_palette(obs, pal);
    if (oracle) {
        ox = oy = CM_START - 32;
        m->px = (int)state_get_int(obs, e, "x", 0) + ox;
        m->py = (int)state_get_int(obs, e, "y", 0) + oy;
    } else {
        if (last_move >= 0) {
            int nx = m->px + (last_move == A_LEFT ? -1 : last_move == A_RIGHT ? 1 : 0);
            int ny = m->py + (last_move == A_UP ? -1 : last_move == A_DOWN ? 1 : 0);
            int stay = cm_mismatch(m, obs, pal, m->px, m->py);
            int moved = cm_mismatch(m, obs, pal, nx, ny);
            if (moved < stay || (moved == stay && cm_walkable(cm_at(m, nx, ny)) &&
                                 !cm_creature_at(m, nx, ny))) {
                m->px = nx;
                m->py = ny;
            }
        }
        ox = m->px - (int)state_get_int(obs, e, "x", VIEW_W / 2);
        oy = m->py - (int)state_get_int(obs, e, "y", VIEW_H / 2);
    }
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            if (cm_in(x + ox, y + oy))
                m->mat[(y + oy) * CM_W + x + ox] = (uint8_t)pal[state_grid_get(obs, x, y)];
    cm_read_player(m, obs, e);
    cm_read_creatures(m, obs, ox, oy);
    cm_check_plants(m, ox, oy, w, h);
    return AUGUR_OK;
}

/* ---- the belief ---------------------------------------------------------------------- */

static int cm_belief_player(const cm_map *m, int x0, int y0, const state *prior, state *out)
{
    int d = m->fx < 0 ? 0 : m->fx > 0 ? 1 : m->fy < 0 ? 2 : 3;
    int e = state_entity_add(out, 1, "player"), rc, pe = -1;

    if (e < 0)
        return e;
    if ((rc = state_set_int(out, e, "x", m->px - x0)) ||
        (rc = state_set_int(out, e, "y", m->py - y0)) ||
        (rc = state_set_symbol(out, e, "facing", cm_dir_names[d])) ||
        (rc = state_set_bool(out, e, "sleeping", m->sleeping)))
        return rc;
    for (int i = 0; i < I_N; i++)
        if ((rc = state_set_int(out, e, cm_item_names[i], m->inv[i])))
            return rc;
    if (prior)
        pe = state_entity_find(prior, 1);
    for (size_t i = 0; pe >= 0 && i < state_attr_count(prior, pe); i++) {
        state_value v, have;
        const char *name = state_attr_at(prior, pe, i, &v);
        if (state_get(out, e, name, &have) != AUGUR_OK && (rc = state_set(out, e, name, &v)))
            return rc;
    }
    return AUGUR_OK;
}

int cm_belief(const cm_map *m, int x0, int y0, int w, int h, const state *prior, state *out)
{
    int rc;

    state_clear(out);
    if ((rc = state_grid_init(out, w, h, cm_mat_names, M_NMAT)))
        return rc;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            int k = cm_at(m, x0 + x, y0 + y);
            state_grid_set(out, x, y, k == M_UNSEEN ? M_OUTSIDE : k);
        }
    if ((rc = cm_belief_player(m, x0, y0, prior, out)))
        return rc;
    for (int i = 0; i < m->ncreatures; i++) {
        const cm_creature *c = &m->creatures[i];
        int e;
        if (c->x < x0 || c->y < y0 || c->x >= x0 + w || c->y >= y0 + h)
            continue;
        if ((e = state_entity_add(out, c->id, cm_kind_names[c->kind])) < 0)
            continue;
        if ((rc = state_set_int(out, e, "x", c->x - x0)) ||
            (rc = state_set_int(out, e, "y", c->y - y0)))
            return rc;
        if (c->kind == K_PLANT && (rc = state_set_bool(out, e, "ripe", c->ripe)))
            return rc;
    }
    return AUGUR_OK;
}
