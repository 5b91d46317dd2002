/*
** skills.c — the Crafter agent's skills (its macro actions, written in C): each
** turns what the agent wants (collect a material, place or make an item, reach a
** creature, shelter for the night) into the next primitive action, from its map
** memory, with navigation by ToolChain* A* on the map (planner/grid.h).
*/
#include "planner/crafter/skills.h"

#include "planner/grid.h"

#include "base/time.h"

#include <stdlib.h>
#include <string.h>

static const int dir_act[4] = { A_LEFT, A_RIGHT, A_UP, A_DOWN };

/* What is left of this decision's time for a search (at least a little). */
static long sk_time_left(const skills *k)
{
    long left = (long)((int64_t)(k->deadline_us - time_mono_us()));
    return left > 30 ? left : 30;
}

int sk_dir_of(int dx, int dy)
{
    return dx < 0 ? GRID_LEFT : dx > 0 ? GRID_RIGHT : dy < 0 ? GRID_UP : GRID_DOWN;
}

int sk_move(int dir)
{
    return dir_act[dir];
}

/* ---- the cost of walking ------------------------------------------------------------- */

/* The cost of entering each cell: walkable ground 1, stone and coal 3 when the
** agent can dig them, unseen ground 3 when it explores; dangerous cells more. */
void sk_costs(skills *k, const cm_map *m, int explore)
{
    int dig = m->inv[I_WOOD_PICKAXE] > 0;

    /* Only the cells around the player are walked on: the rest costs nothing to keep. */
    k->x0 = m->px - SK_REACH > 1 ? m->px - SK_REACH : 1;
    k->y0 = m->py - SK_REACH > 1 ? m->py - SK_REACH : 1;
    k->x1 = m->px + SK_REACH < CM_W - 1 ? m->px + SK_REACH : CM_W - 1;
    k->y1 = m->py + SK_REACH < CM_W - 1 ? m->py + SK_REACH : CM_W - 1;
    memset(k->cost, 0, sizeof k->cost);
    for (int y = k->y0; y < k->y1; y++)
        for (int x = k->x0; x < k->x1; x++) {
            int mat = m->mat[y * CM_W + x], c = 0;
            if (cm_walkable(mat))
                c = 1;
            else if (dig && (mat == M_STONE || mat == M_COAL))
                c = 3;
            else if (mat == M_UNSEEN && explore)
                c = 3;
            if (c) {
                for (int d = 0; d < 4; d++)
                    if (cm_at(m, x + grid_dx[d], y + grid_dy[d]) == M_LAVA)
                        c += 6;
            }
            k->cost[y * CM_W + x] = (uint8_t)c;
        }
    for (int i = 0; i < m->ncreatures; i++) {
        const cm_creature *c = &m->creatures[i];
        if (cm_in(c->x, c->y))
            k->cost[c->y * CM_W + c->x] = 0;
        if (c->kind == K_ZOMBIE || c->kind == K_SKELETON)
            for (int d = 0; d < 4; d++)
                if (cm_in(c->x + grid_dx[d], c->y + grid_dy[d]) &&
                    k->cost[(c->y + grid_dy[d]) * CM_W + c->x + grid_dx[d]])
                    k->cost[(c->y + grid_dy[d]) * CM_W + c->x + grid_dx[d]] += 4;
    }
    k->cost[m->py * CM_W + m->px] = 1;
}

/* ---- navigation ------------------------------------------------------------------- */

void sk_goal_clear(skills *k)
{
    memset(k->mask, 0, sizeof k->mask);
    k->ntargets = 0;
    k->ngoal = 0;
}

void sk_goal_add(skills *k, int x, int y)
{
    if (!cm_in(x, y) || k->mask[y * CM_W + x])
        return;
    k->mask[y * CM_W + x] = 1;
    k->ngoal++;
    if (k->ntargets < GRID_TARGETS) {
        k->tx[k->ntargets] = x;
        k->ty[k->ntargets] = y;
    }
    k->ntargets++;
}

/* The first move toward the goal cells (dig when the way is stone), or -1. */
int sk_navigate(skills *k, const cm_map *m, long max_nodes)
{
    grid_map gm = { CM_W, CM_W, k->cost };
    grid_goal g = { k->mask, k->ntargets <= GRID_TARGETS ? k->ntargets : 0, k->tx, k->ty };
    search_opts o = search_opts_default();
    search_result r;
    int n, d, nx, ny;

    if (k->ngoal == 0)
        return -1;
    o.max_nodes = max_nodes;
    o.max_us = sk_time_left(k);
    o.max_depth = SK_PATH_MAX;
    n = grid_path(k->srch, &gm, m->px, m->py, &g, &o, k->path, SK_PATH_MAX, &r, NULL);
    k->expanded += r.expanded;
    k->npath = n > 0 ? n : 0;
    if (n <= 0 || r.status != SEARCH_FOUND)
        return -1;
    d = k->path[0];
    nx = m->px + grid_dx[d];
    ny = m->py + grid_dy[d];
    if (!cm_walkable(cm_at(m, nx, ny)) && cm_at(m, nx, ny) != M_UNSEEN) {
        /* Stone in the way: face it, then dig. */
        if (m->fx == grid_dx[d] && m->fy == grid_dy[d])
            return A_DO;
    }
    return sk_move(d);
}

/* Face the cell (x, y) next to the player and act on it. */
static int sk_face_and(const cm_map *m, int x, int y, int act)
{
    int dx = x - m->px, dy = y - m->py;

    if (m->fx == dx && m->fy == dy)
        return act;
    return sk_move(sk_dir_of(dx, dy));
}

/* The cell next to the player holding what pred accepts, faced first; or -1. */
static int sk_adjacent(const cm_map *m, int (*pred)(const cm_map *, int, int, int), int arg,
                       int *ax, int *ay)
{
    int best = -1;

    for (int d = 0; d < 4; d++) {
        int x = m->px + grid_dx[d], y = m->py + grid_dy[d];
        if (!pred(m, x, y, arg))
            continue;
        if (best < 0 || (grid_dx[d] == m->fx && grid_dy[d] == m->fy))
            best = d;
    }
    if (best < 0)
        return 0;
    *ax = m->px + grid_dx[best];
    *ay = m->py + grid_dy[best];
    return 1;
}

static int sk_is_mat(const cm_map *m, int x, int y, int mat)
{
    return cm_at(m, x, y) == mat && !cm_creature_at(m, x, y);
}

static int sk_is_kind(const cm_map *m, int x, int y, int kind)
{
    const cm_creature *c = cm_creature_at(m, x, y);
    return c && c->kind == kind && (kind != K_PLANT || c->ripe);
}

/* Goal cells: walkable cells next to a cell pred accepts. */
static void sk_goal_next_to(skills *k, const cm_map *m, int (*pred)(const cm_map *, int, int, int),
                            int arg)
{
    sk_goal_clear(k);
    for (int y = k->y0; y < k->y1; y++)
        for (int x = k->x0; x < k->x1; x++) {
            if (!pred(m, x, y, arg))
                continue;
            for (int d = 0; d < 4; d++) {
                int nx = x + grid_dx[d], ny = y + grid_dy[d];
                if (k->cost[ny * CM_W + nx] || (nx == m->px && ny == m->py))
                    sk_goal_add(k, nx, ny);
            }
        }
}

/* Go next to something pred accepts and act on it facing it. */
static int sk_reach(skills *k, const cm_map *m, int (*pred)(const cm_map *, int, int, int), int arg,
                    int act)
{
    int x, y;

    if (sk_adjacent(m, pred, arg, &x, &y))
        return sk_face_and(m, x, y, act);
    sk_goal_next_to(k, m, pred, arg);
    return sk_navigate(k, m, 4000);
}

int sk_collect(skills *k, const cm_map *m, int mat)
{
    return sk_reach(k, m, sk_is_mat, mat, A_DO);
}

int sk_hit(skills *k, const cm_map *m, int kind)
{
    return sk_reach(k, m, sk_is_kind, kind, A_DO);
}

/* ---- standing near tables and furnaces ------------------------------------------- */

static int sk_near(const cm_map *m, int x, int y, int mat)
{
    if (x <= 0 || y <= 0)
        return 0;
    for (int j = y - 1; j <= y + 1; j++)
        for (int i = x - 1; i <= x + 1; i++)
            if (cm_at(m, i, j) == mat)
                return 1;
    return 0;
}

int sk_is_near(const cm_map *m, int table, int furnace)
{
    return (!table || sk_near(m, m->px, m->py, M_TABLE)) &&
           (!furnace || sk_near(m, m->px, m->py, M_FURNACE));
}

/* Go where a table (and a furnace) is within reach; act there. */
int sk_station(skills *k, const cm_map *m, int furnace, int act)
{
    if (sk_is_near(m, 1, furnace))
        return act;
    sk_goal_clear(k);
    for (int y = k->y0; y < k->y1; y++)
        for (int x = k->x0; x < k->x1; x++)
            if (k->cost[y * CM_W + x] == 1 && sk_near(m, x, y, M_TABLE) &&
                (!furnace || sk_near(m, x, y, M_FURNACE)))
                sk_goal_add(k, x, y);
    return sk_navigate(k, m, 6000);
}

/* ---- placing --------------------------------------------------------------------- */

static int sk_placeable(const cm_map *m, int x, int y, int act)
{
    int mat = cm_at(m, x, y);

    if (cm_creature_at(m, x, y) || (x == m->px && y == m->py))
        return 0;
    switch (act) {
    case A_PLACE_STONE:
        return mat == M_GRASS || mat == M_SAND || mat == M_PATH || mat == M_WATER || mat == M_LAVA;
    case A_PLACE_PLANT:
        return mat == M_GRASS;
    default:
        return mat == M_GRASS || mat == M_SAND || mat == M_PATH;
    }
}

/* Place with act on the faced cell, at a spot stand accepts (NULL: anywhere).
** A walkable cell can only be faced by walking toward it, so when the faced cell
** will not do the agent steps so that the next cell ahead will. */
int sk_place(skills *k, const cm_map *m, int act, int (*stand)(const cm_map *, int, int))
{
    int fx = m->px + m->fx, fy = m->py + m->fy;

    if (sk_placeable(m, fx, fy, act) && (!stand || stand(m, m->px, m->py)))
        return act;
    if (act == A_PLACE_STONE)
        for (int d = 0; d < 4; d++) {
            int x = m->px + grid_dx[d], y = m->py + grid_dy[d];
            if (!cm_walkable(cm_at(m, x, y)) && sk_placeable(m, x, y, act))
                return sk_move(d);
        }
    sk_goal_clear(k);
    for (int y = k->y0 + 1; y < k->y1 - 1; y++)
        for (int x = k->x0 + 1; x < k->x1 - 1; x++) {
            if (!sk_placeable(m, x, y, act))
                continue;
            for (int d = 0; d < 4; d++) {
                int sx = x - grid_dx[d], sy = y - grid_dy[d];
                int bx = sx - grid_dx[d], by = sy - grid_dy[d];
                if (k->cost[sy * CM_W + sx] == 1 && k->cost[by * CM_W + bx] &&
                    (!stand || stand(m, sx, sy)) && abs(bx - m->px) + abs(by - m->py) < 24)
                    sk_goal_add(k, bx, by);
            }
        }
    if (k->mask[m->py * CM_W + m->px]) {
        /* Standing behind a good spot: step onto it facing the cell to use. */
        for (int d = 0; d < 4; d++) {
            int sx = m->px + grid_dx[d], sy = m->py + grid_dy[d];
            if (k->cost[sy * CM_W + sx] == 1 &&
                sk_placeable(m, sx + grid_dx[d], sy + grid_dy[d], act) &&
                (!stand || stand(m, sx, sy)))
                return sk_move(d);
        }
    }
    return sk_navigate(k, m, 4000);
}

/* ---- exploring --------------------------------------------------------------------- */

/* Walk to the nearest known ground next to unseen cells, keeping to a heading. */
int sk_explore(skills *k, const cm_map *m, uint64_t *rng)
{
    sk_goal_clear(k);
    for (int y = k->y0; y < k->y1; y++)
        for (int x = k->x0; x < k->x1; x++) {
            int unseen = 0;
            if (!cm_walkable(m->mat[y * CM_W + x]) || abs(x - m->px) + abs(y - m->py) < 4)
                continue;
            for (int d = 0; d < 4; d++)
                unseen += cm_at(m, x + grid_dx[d], y + grid_dy[d]) == M_UNSEEN;
            if (unseen)
                sk_goal_add(k, x, y);
        }
    {
        int a = sk_navigate(k, m, 6000);
        if (a >= 0)
            return a;
    }
    *rng = *rng * 6364136223846793005ull + 1442695040888963407ull;
    return sk_move((int)((*rng >> 33) % 4));
}

/* ---- shelter --------------------------------------------------------------------------- */

/* The micro-world of a shelter: a window around the player, what blocks, where the
** player stands and faces, how many stones are left. */
enum { SH_W = 9 };

typedef struct sh_state {
    uint8_t block[SH_W * SH_W];     /* 1: blocks creatures and the player; 2: diggable */
    int8_t  x, y, fx, fy, stones;
    int8_t  gx, gy;                 /* a plant placed, or -1 */
} sh_state;

typedef struct sh_problem {
    uint8_t placeable[SH_W * SH_W];
    uint8_t grass[SH_W * SH_W];
    int     dig;
} sh_problem;

/* Enclosed: the ground the player can reach from where it stands stays inside the
** window and holds at most two cells. */
static int sh_enclosed(const sh_state *s)
{
    int stack[SH_W * SH_W], n = 0, seen[SH_W * SH_W] = { 0 }, count = 0;

    stack[n++] = s->y * SH_W + s->x;
    seen[stack[0]] = 1;
    while (n) {
        int c = stack[--n], x = c % SH_W, y = c / SH_W;
        if (x == 0 || y == 0 || x == SH_W - 1 || y == SH_W - 1 || ++count > 2)
            return 0;
        for (int d = 0; d < 4; d++) {
            int nc = (y + grid_dy[d]) * SH_W + x + grid_dx[d];
            if (!seen[nc] && !s->block[nc]) {
                seen[nc] = 1;
                stack[n++] = nc;
            }
        }
    }
    return 1;
}

static int sh_propose(void *ud, const void *st, search_proposal *out, int max)
{
    const sh_problem *p = ud;
    int n = p->dig ? 6 : 5;

    (void)st;
    for (int a = 0; a < n && a < max; a++)
        out[a] = (search_proposal){ a, 1 };
    return n;
}

/* Actions 0-3 move, 4 places a stone, 5 digs the stone faced. */
static int sh_step(void *ud, const void *sv, int action, void *nv, double *cost)
{
    const sh_problem *p = ud;
    const sh_state *s = sv;
    sh_state *n = nv;

    *n = *s;
    *cost = 1;
    if (action < 4) {
        int x = s->x + grid_dx[action], y = s->y + grid_dy[action];
        n->fx = (int8_t)grid_dx[action];
        n->fy = (int8_t)grid_dy[action];
        if (x < 0 || y < 0 || x >= SH_W || y >= SH_W)
            return 0;
        if (!s->block[y * SH_W + x]) {
            n->x = (int8_t)x;
            n->y = (int8_t)y;
        }
        return n->x != s->x || n->y != s->y || n->fx != s->fx || n->fy != s->fy;
    }
    if (action == 5) {
        int x = s->x + s->fx, y = s->y + s->fy;
        if (x < 0 || y < 0 || x >= SH_W || y >= SH_W || s->block[y * SH_W + x] != 2)
            return 0;
        n->block[y * SH_W + x] = 0;
        n->stones = (int8_t)(s->stones < 9 ? s->stones + 1 : 9);
        return 1;
    }
    {
        int x = s->x + s->fx, y = s->y + s->fy;
        if (s->stones < 1 || x < 0 || y < 0 || x >= SH_W || y >= SH_W ||
            s->block[y * SH_W + x] || !p->placeable[y * SH_W + x])
            return 0;
        n->block[y * SH_W + x] = 1;
        n->stones--;
        return 1;
    }
}

static int sh_goal(void *ud, const void *s)
{
    (void)ud;
    return sh_enclosed(s);
}

static double sh_h(void *ud, const void *sv)
{
    const sh_state *s = sv;
    int open = 0;

    (void)ud;
    for (int d = 0; d < 4; d++) {
        int x = s->x + grid_dx[d], y = s->y + grid_dy[d];
        open += x < 0 || y < 0 || x >= SH_W || y >= SH_W || !s->block[y * SH_W + x];
    }
    return open > 1 ? open - 1 : 0;
}

/* The shelter's micro-world around (cx, cy), from the map. */
static void sh_build(const cm_map *m, int cx, int cy, sh_problem *p, sh_state *s)
{
    int x0 = cx - SH_W / 2, y0 = cy - SH_W / 2;

    memset(s, 0, sizeof *s);
    for (int y = 0; y < SH_W; y++)
        for (int x = 0; x < SH_W; x++) {
            int mat = cm_at(m, x0 + x, y0 + y);
            const cm_creature *c = cm_creature_at(m, x0 + x, y0 + y);
            s->block[y * SH_W + x] = (uint8_t)(mat == M_STONE ? 2 : !cm_walkable(mat) &&
                                                                     mat != M_LAVA);
            p->placeable[y * SH_W + x] = !c && (cm_walkable(mat) || mat == M_LAVA ||
                                                mat == M_WATER);
            p->grass[y * SH_W + x] = !c && mat == M_GRASS;
            if (c && c->kind != K_ARROW)
                s->block[y * SH_W + x] = 1;
        }
    p->dig = m->inv[I_WOOD_PICKAXE] > 0;
    s->x = s->y = SH_W / 2;
    s->fx = (int8_t)m->fx;
    s->fy = (int8_t)m->fy;
    s->stones = (int8_t)(m->inv[I_STONE] < 9 ? m->inv[I_STONE] : 9);
    s->gx = s->gy = -1;
}

/* Shelters as macros of moves, stones and digging, written in terms of a
** direction d and a side e. On open ground: two cells, P and Q = P + d, walled
** in; each wall has to be faced, and a walkable cell is faced only by walking
** toward it, so the far walls are laid from outside and the last two from
** inside. Into stone: dig two cells deep, step back and wall up the way in. */
enum { SH_D, SH_BACK, SH_E, SH_W_, SH_PLACE, SH_DIG, SH_TURN, SH_PLANT, SH_END };

static const uint8_t sh_templates[][32] = {
    { SH_TURN, SH_DIG, SH_D, SH_DIG, SH_D, SH_BACK, SH_PLACE, SH_END },
    { SH_W_, SH_E, SH_PLACE,                        /* P + e */
      SH_D, SH_W_, SH_E, SH_PLACE,                  /* Q + e */
      SH_W_, SH_W_, SH_W_, SH_E, SH_PLACE,          /* Q - e, from outside */
      SH_BACK, SH_W_, SH_E, SH_PLACE,               /* P - e, from outside */
      SH_BACK, SH_E, SH_E, SH_D, SH_D, SH_PLACE,    /* in at the top; Q + d */
      SH_BACK, SH_PLACE, SH_END },                  /* P - d */
};

enum { SH_TEMPLATES = sizeof sh_templates / sizeof *sh_templates };

/* A sapling planted ahead at G and walled in on its four sides (the last wall where
** the player stood to plant it), so that no creature can stand next to it. */
static const uint8_t sh_garden[] = {
    SH_BACK, SH_D, SH_PLANT,                        /* G = S + d */
    SH_BACK, SH_E, SH_D, SH_PLACE,                  /* G + e */
    SH_BACK, SH_W_, SH_W_, SH_D, SH_PLACE,          /* G - e */
    SH_W_, SH_D, SH_D, SH_E, SH_PLACE,              /* G + d */
    SH_W_, SH_BACK, SH_BACK, SH_E, SH_PLACE,        /* S */
    SH_END,
};

/* Whether the plant placed has no open cell beside it. */
static int sh_walled(const sh_state *s)
{
    if (s->gx < 0)
        return 0;
    for (int d = 0; d < 4; d++) {
        int x = s->gx + grid_dx[d], y = s->gy + grid_dy[d];
        if (x < 0 || y < 0 || x >= SH_W || y >= SH_W || !s->block[y * SH_W + x])
            return 0;
    }
    return 1;
}

/* Run template k for (d, e) in the micro-world: its actions into out (walls
** already standing are skipped); the count, or -1 when it cannot be done here. */
static int sh_template_run(const sh_problem *p, const sh_state *start, const uint8_t *ops,
                           int d, int e, int *out)
{
    static const int opposite[4] = { GRID_RIGHT, GRID_LEFT, GRID_DOWN, GRID_UP };
    sh_state s = *start, t;
    int n = 0;

    for (const uint8_t *op = ops; *op != SH_END; op++) {
        int action, moves;
        double cost;
        if (*op == SH_PLANT) {
            int x = s.x + s.fx, y = s.y + s.fy;
            if (x < 0 || y < 0 || x >= SH_W || y >= SH_W || !p->grass[y * SH_W + x] ||
                s.block[y * SH_W + x])
                return -1;
            s.block[y * SH_W + x] = 1;
            s.gx = (int8_t)x;
            s.gy = (int8_t)y;
            out[n++] = 6;
            continue;
        }
        if (*op == SH_PLACE || *op == SH_DIG) {
            int x = s.x + s.fx, y = s.y + s.fy;
            if (*op == SH_PLACE && x >= 0 && y >= 0 && x < SH_W && y < SH_W &&
                s.block[y * SH_W + x])
                continue;
            action = *op == SH_PLACE ? 4 : 5;
        } else {
            action = *op == SH_D || *op == SH_TURN ? d : *op == SH_BACK ? opposite[d]
                     : *op == SH_E ? e : opposite[e];
        }
        if (!sh_step((void *)p, &s, action, &t, &cost))
            return -1;
        moves = action < 4 && (t.x != s.x || t.y != s.y);
        if (action < 4 && moves == (*op == SH_TURN))
            return -1;
        s = t;
        out[n++] = action;
    }
    return (s.gx >= 0 ? sh_walled(&s) : sh_enclosed(&s)) ? n : -1;
}

/* A template that works from s, into plan; its length or -1. */
static int sh_templates_run(const sh_problem *p, const sh_state *s, const uint8_t *const *ops,
                            int nops, int *plan)
{
    for (int k = 0; k < nops; k++)
        for (int d = 0; d < 4; d++)
            for (int e = d < 2 ? 2 : 0; e < (d < 2 ? 4 : 2); e++) {
                int n = sh_template_run(p, s, ops[k], d, e, plan);
                if (n > 0)
                    return n;
            }
    return -1;
}

static const uint8_t *const sh_shelters[SH_TEMPLATES] = { sh_templates[0], sh_templates[1] };

/* Plan a shelter from where the player stands: moves, stones and digging that
** leave it enclosed, found by A* in the micro-world (a nook, a wall to dig into),
** else a shelter macro in whichever orientation works here. Returns the
** plan's length (actions into k->shelter), or -1. */
int sk_shelter_plan(skills *k, const cm_map *m, long max_nodes)
{
    static const int acts[7] = { A_LEFT, A_RIGHT, A_UP, A_DOWN, A_PLACE_STONE, A_DO,
                                 A_PLACE_PLANT };
    sh_problem p;
    search_proposer prop = { sh_propose, &p, 0 };
    sh_state s;
    search_problem sp;
    search_opts o = search_opts_default();
    search_result r;
    int plan[64], n = -1;

    sh_build(m, m->px, m->py, &p, &s);
    memset(&sp, 0, sizeof sp);
    sp.size = sizeof s;
    sp.ud = &p;
    sp.proposers = &prop;
    sp.nproposers = 1;
    sp.step = sh_step;
    sp.goal = sh_goal;
    sp.heuristic = sh_h;
    o.max_nodes = max_nodes;
    o.max_us = sk_time_left(k);
    o.max_depth = SK_PATH_MAX;
    if (search_run(k->srch, &sp, &s, &o, &r, NULL) == AUGUR_OK && r.status == SEARCH_FOUND) {
        k->expanded += r.expanded;
        n = r.len < 64 ? r.len : 64;
        memcpy(plan, r.plan, (size_t)n * sizeof *plan);
    }
    if (n < 0)
        n = sh_templates_run(&p, &s, sh_shelters, SH_TEMPLATES, plan);
    if (n < 0)
        return -1;
    for (int i = 0; i < n; i++)
        k->shelter[i] = acts[plan[i]];
    k->nshelter = n;
    k->shelter_i = 0;
    return n;
}

/* Whether the open-ground macro works from (x, y) in some orientation. */
static int sh_template_fits(const cm_map *m, int x, int y)
{
    sh_problem p;
    sh_state s;
    int plan[64];

    sh_build(m, x, y, &p, &s);
    return sh_templates_run(&p, &s, sh_shelters, SH_TEMPLATES, plan) > 0;
}

/* The first move toward the nearest cell where a shelter can be built, or -1. */
int sk_shelter_site(skills *k, const cm_map *m)
{
    sk_goal_clear(k);
    for (int r = 1; r <= 12 && k->ngoal == 0; r++)
        for (int dy = -r; dy <= r; dy++)
            for (int dx = -r; dx <= r; dx++) {
                int x = m->px + dx, y = m->py + dy, stone = 0;
                if ((abs(dx) != r && abs(dy) != r) || !cm_in(x, y) || !cm_walkable(cm_at(m, x, y)))
                    continue;
                for (int d = 0; d < 4; d++)
                    stone |= cm_at(m, x + grid_dx[d], y + grid_dy[d]) == M_STONE;
                /* Far off, only where one can dig in. */
                if ((r <= 4 || stone) && sh_template_fits(m, x, y))
                    sk_goal_add(k, x, y);
            }
    return sk_navigate(k, m, 2000);
}

int sk_garden_plan(skills *k, const cm_map *m)
{
    static const int acts[7] = { A_LEFT, A_RIGHT, A_UP, A_DOWN, A_PLACE_STONE, A_DO,
                                 A_PLACE_PLANT };
    static const uint8_t *const garden[1] = { sh_garden };
    sh_problem p;
    sh_state s;
    int plan[64], n;

    sh_build(m, m->px, m->py, &p, &s);
    if ((n = sh_templates_run(&p, &s, garden, 1, plan)) < 0)
        return -1;
    for (int i = 0; i < n; i++)
        k->shelter[i] = acts[plan[i]];
    k->nshelter = n;
    k->shelter_i = 0;
    return n;
}

int sk_sheltered(const cm_map *m)
{
    sh_state s;
    int x0 = m->px - SH_W / 2, y0 = m->py - SH_W / 2;

    memset(&s, 0, sizeof s);
    for (int y = 0; y < SH_W; y++)
        for (int x = 0; x < SH_W; x++) {
            int mat = cm_at(m, x0 + x, y0 + y);
            s.block[y * SH_W + x] = !cm_walkable(mat) && mat != M_LAVA && mat != M_UNSEEN;
        }
    s.x = s.y = SH_W / 2;
    if (!sh_enclosed(&s))
        return 0;
    /* Walled in with a zombie is no shelter: nothing hostile within reach. */
    for (int d = -1; d < 4; d++) {
        int x = m->px + (d < 0 ? 0 : grid_dx[d]), y = m->py + (d < 0 ? 0 : grid_dy[d]);
        for (int k = 0; k < 4; k++) {
            const cm_creature *c = cm_creature_at(m, x + grid_dx[k], y + grid_dy[k]);
            if (c && (c->kind == K_ZOMBIE || c->kind == K_SKELETON) &&
                cm_walkable(cm_at(m, x, y)))
                return 0;
        }
    }
    return 1;
}
