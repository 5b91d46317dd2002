/*
** explore.c — one life of exploration, for the laws to be learned from.
**
** The curious explorer knows nothing of the rules. It sees the world's full
** state but only looks at the window a player sees (EX_VIEW around itself),
** remembering the tiles it has seen. Each step it:
**
**   1. keeps itself alive with the laws learned so far: an attribute of the
**      player that the laws make fall by itself (drink, food, energy) is a need
**      when low; it looks for a law that raises it and does that law's action
**      where the law's facing condition holds, chaining through the laws'
**      conditions on other attributes (energy comes back from fatigue, which
**      falls while sleeping, which the sleep action starts); an entity the laws
**      say hurts the player is fought (when a law says `do` hurts it) or fled;
**   2. otherwise tries an action it has not tried in this situation (what it
**      faces, and what it carries, counts above EX_CAP alike), or where the
**      model predicted badly;
**   3. otherwise walks toward the material or creature that offers the most
**      untried actions, or into unseen land, stepping only on materials it has
**      seen itself or another creature stand on.
**
** It refits the model often early in life (it needs to know water quenches
** thirst before it dies of it), then every EX_REFIT steps. The random agent
** picks actions uniformly.
*/
#include "worlds/laws/private.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { EX_VIEW_X = 4, EX_VIEW_Y = 3, EX_CAP = 4, EX_DEPTH = 3, EX_REFIT = 1000,
       EX_NEED = 5, EX_FLEE_HEALTH = 2, EX_BRAVE = 6, EX_CAUTION = 2, EX_REACH = 2,
       EX_SURPRISED = 30, EX_TRIES = 12, EX_GAIN_TRIES = 3, EX_DIRE = 2, EX_REST = 5,
       EX_BLIND_TRIES = 1, EX_WARY = 1, EX_HAUNT = 7, EX_ALARM = 60, EX_REFUGE = 30,
       EX_STUCK = 3, EX_SHELTER = 25, EX_SEALED = 60, EX_GOAL = 40, EX_BORED = 50 };

#define EX_EXPOSED 0.02  /* exposure worth running from */

#define EX_TRY 0.5      /* an action worth more than this is tried before walking */
#define EX_SURPRISE 10  /* -log-probability (recent average) the model is bad at */

typedef struct ex_map {
    uint64_t *key;
    uint32_t *val;
    size_t    n, cap;
} ex_map;

typedef struct ex_plan {
    int action;         /* -1: nothing to do here but wait */
    int material;       /* to face, or -1 */
    int entity;         /* a type to face, or -1 */
} ex_plan;

typedef struct explorer {
    laws_online *o;
    world       *w;
    const laws_explore_opts *opt;
    uint64_t     rng;
    int          W, H;
    int32_t     *seen;          /* material name id per cell; -1 unseen */
    unsigned char *safe;        /* per name id: a material to step on */
    int          cap_safe;
    int          moves[4];      /* move_left, move_right, move_up, move_down */
    int          noop, act_do;
    uint64_t     inv;           /* the inventory's signature, needs low or not */
    uint64_t     items;         /* the same without the needs */
    uint64_t     needs;         /* the needs alone, low or not */
    ex_map       tried;         /* (action, facing, carrying) -> times */
    ex_map       surprise;      /* (action, facing) -> recent mean -logprob x 16 */
    ex_map       drifts;        /* attributes that fell by themselves */
    ex_map       hurt;          /* type -> steps one was near the player and its health fell */
    ex_map       near;          /* type -> steps one was near the player */
    long         lived, falls;  /* steps, and those its health fell in */
    long         last_fall;     /* the step health last fell */
    ex_map       most;          /* the most the player has held of each attribute */
    ex_map       gainful;       /* (kind faced, action) -> what it once made rise */
    ex_map       blocked;       /* material -> moves onto it that failed */
    ex_map       stood;         /* materials the player stood on */
    ex_map       prev;          /* entity id + 1 -> where it was last seen */
    ex_map       kinds;         /* materials and types seen */
    long         last_novel;    /* the step something new was seen or held */
    int          unmet;         /* a need is low and nothing known meets it */
    ex_map       remedy;        /* a need -> (material, type + 1, action) that once raised it */
    ex_map       made;          /* materials the player's actions made */
    ex_map       epoch_of;      /* (action, facing) -> refits before its last try */
    ex_map       haunt;         /* material -> times a threat was seen standing on it */
    ex_map       stuck, moved;  /* (flag, value) -> moves onto free ground failed, made */
    uint32_t     haunted;       /* sightings in all */
    long         alarm;         /* the step a threat was last seen */
    long         now;
    uint32_t     epoch;         /* refits so far */
    long         last_refit;
    int         *dist;
    int         *queue;
    unsigned char *danger;      /* cells within reach of a threat, this step */
    /* A shelter: from cell (sx, sy), two cells in direction sd, sealed behind. */
    int          shelter, sx, sy, sd;
    long         sealed_at;
    int          goal_mat, goal_ent;    /* what the walk goes to, until goal_until */
    int          wdx, wdy;      /* the direction of the step a walk's goal is tested after */
    long         goal_until;
    const char  *why;           /* what chose the last action, for the trace */
    int          trace;         /* AUGUR_EXPLORE_TRACE set: one line a step on stderr */
} explorer;

/* ---- counting maps -------------------------------------------------------------------- */

static uint64_t ex_mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    return x ^ (x >> 33);
}

static uint32_t *ex_slot(ex_map *m, uint64_t key, int add)
{
    size_t i;

    if (!key)               /* 0 marks an empty slot */
        key = 0x9e3779b97f4a7c15ull;
    if (add && 2 * (m->n + 1) > m->cap) {
        ex_map g = { NULL, NULL, 0, m->cap ? 2 * m->cap : 1024 };
        if (!(g.key = calloc(g.cap, sizeof *g.key)) || !(g.val = calloc(g.cap, sizeof *g.val))) {
            free(g.key);
            return NULL;
        }
        for (size_t j = 0; j < m->cap; j++)
            if (m->key[j]) {
                *ex_slot(&g, m->key[j], 1) = m->val[j];
            }
        free(m->key);
        free(m->val);
        *m = g;
    }
    if (!m->cap)
        return NULL;
    for (i = ex_mix(key) & (m->cap - 1); m->key[i]; i = (i + 1) & (m->cap - 1))
        if (m->key[i] == key)
            return &m->val[i];
    if (!add)
        return NULL;
    m->key[i] = key;
    m->n++;
    return &m->val[i];
}

static uint32_t ex_get(ex_map *m, uint64_t key)
{
    uint32_t *v = ex_slot(m, key, 0);
    return v ? *v : 0;
}

static void ex_map_free(ex_map *m)
{
    free(m->key);
    free(m->val);
}

/* Whether the laws make the player's attribute fall by itself: a need. */
static int ex_need_attr(const laws *m, const char *attr)
{
    int id = names_find(&m->names, attr, strlen(attr));

    for (int i = 0; i < m->n && id >= 0; i++) {
        const law *l = &m->law[i];
        if (l->subject >= 0 || l->naction || l->weight < 0.1)
            continue;
        for (int e = 0; e < l->decl.neffect; e++) {
            const law_effect *ef = &l->decl.effect[e];
            if (ef->kind == EF_VALUE && ef->ref.kind == REF_PLAYER && ef->ref.id == id &&
                ef->alt[0].op == ALT_ADD && ef->alt[0].v < 0 && ef->alt[0].p >= 0.5)
                return 1;
        }
    }
    return 0;
}

/* The key of a player's attribute in the maps: 32 bits, odd (never 0). */
static uint32_t ex_attr_key(const char *name)
{
    return (uint32_t)state_hash_bytes(name, strlen(name), 7) | 1;
}

/* ---- what the explorer sees ----------------------------------------------------------- */

static law_ctx *ex_ctx(explorer *x)
{
    return &laws_online_model(x->o)->ctx;
}

static int ex_safe(explorer *x, int mat)
{
    return mat >= 0 && mat < x->cap_safe && x->safe[mat];
}

static int ex_mark_safe(explorer *x, int mat)
{
    if (mat < 0 || ex_get(&x->blocked, (uint64_t)mat + 1) >= EX_STUCK)
        return AUGUR_OK;
    if (mat >= x->cap_safe) {
        int cap = mat + 64;
        unsigned char *p = realloc(x->safe, (size_t)cap);
        if (!p)
            return AUGUR_ENOMEM;
        memset(p + x->cap_safe, 0, (size_t)(cap - x->cap_safe));
        x->safe = p;
        x->cap_safe = cap;
    }
    x->safe[mat] = 1;
    return AUGUR_OK;
}

/* The player stands on mat: ground, for sure. */
static int ex_stand(explorer *x, int mat)
{
    uint32_t *f;

    if (mat < 0)
        return AUGUR_OK;
    if (!(f = ex_slot(&x->stood, (uint64_t)mat + 1, 1)))
        return AUGUR_ENOMEM;
    *f = 1;
    if (ex_get(&x->blocked, (uint64_t)mat + 1)) {
        uint32_t *b = ex_slot(&x->blocked, (uint64_t)mat + 1, 1);
        *b = 0;
    }
    return ex_mark_safe(x, mat);
}

static int ex_cell(const law_ctx *c, int px, int py)
{
    int i = state_grid_get(c->s, px, py);
    return i < 0 || i >= c->npal ? -1 : c->pal[i];
}

static int ex_visible(const law_ctx *c, int i)
{
    return c->ex[i] >= 0 && abs(c->ex[i] - c->px) <= EX_VIEW_X && abs(c->ey[i] - c->py) <= EX_VIEW_Y;
}

/* Remember the tiles in view, and which materials creatures stand on. */
static int ex_look(explorer *x)
{
    law_ctx *c = ex_ctx(x);
    int rc = AUGUR_OK;

    for (int dy = -EX_VIEW_Y; dy <= EX_VIEW_Y; dy++)
        for (int dx = -EX_VIEW_X; dx <= EX_VIEW_X; dx++) {
            int cx = c->px + dx, cy = c->py + dy;
            uint32_t *k;
            if (cx < 0 || cy < 0 || cx >= x->W || cy >= x->H)
                continue;
            x->seen[cy * x->W + cx] = ex_cell(c, cx, cy);
            if (!(k = ex_slot(&x->kinds, (uint64_t)(uint32_t)x->seen[cy * x->W + cx] + 2, 1)))
                return AUGUR_ENOMEM;
            if (!*k) {
                *k = 1;
                x->last_novel = x->now;
            }
        }
    for (int i = 0; i < c->nents && rc == AUGUR_OK; i++) {
        uint32_t *k, *at, pos = ((uint32_t)c->ex[i] << 16 | (uint32_t)c->ey[i]) + 1;
        if (!ex_visible(c, i) || c->etype[i] < 0)
            continue;
        /* Ground is where a creature stood still (what flies by does not count). */
        if (!(at = ex_slot(&x->prev, state_entity_id(c->s, i) + 1, 1)))
            return AUGUR_ENOMEM;
        if (*at == pos)
            rc = ex_mark_safe(x, ex_cell(c, c->ex[i], c->ey[i]));
        *at = pos;
        if (!(k = ex_slot(&x->kinds, (uint64_t)c->etype[i] << 32 | 1, 1)))
            return AUGUR_ENOMEM;
        if (!*k) {
            *k = 1;
            x->last_novel = x->now;
        }
    }
    return rc;
}

/* What the player carries, as a signature: for each attribute that is not a
** record and does not drift, how much it holds (counts above EX_CAP alike); for
** each need, whether it is low. (A new most held is news, for boredom.) */
static int ex_inventory(explorer *x, const state *s, int player, uint64_t *sig, uint64_t *items)
{
    const laws_induce_opts *io = laws_online_induce_opts(x->o);
    uint64_t h = 0x9e3779b97f4a7c15ull, hi = h, hn = h;

    for (size_t i = 0; player >= 0 && i < state_attr_count(s, player); i++) {
        state_value v;
        const char *name = state_attr_at(s, player, i, &v);
        uint64_t key = ex_attr_key(name);
        uint32_t *most;
        if (v.kind != STATE_INT || strcmp(name, "x") == 0 || strcmp(name, "y") == 0 ||
            lm_ignored(io, name))
            continue;
        if (!(most = ex_slot(&x->most, key, 1)))
            return AUGUR_ENOMEM;
        /* A need counts as low or not: what did nothing for it when full may
        ** help when it is low. */
        if (ex_get(&x->drifts, key)) {
            if (v.as.i > (int64_t)*most)
                *most = (uint32_t)v.as.i;
            h = ex_mix(h ^ state_hash_bytes(name, strlen(name), 1000 + (v.as.i <= EX_NEED)));
            hn = ex_mix(hn ^ state_hash_bytes(name, strlen(name), 1000 + (v.as.i <= EX_NEED)));
            continue;
        }
        if (v.as.i > (int64_t)*most && *most < EX_CAP) {
            *most = (uint32_t)(v.as.i > EX_CAP ? EX_CAP : v.as.i);
            x->last_novel = x->now;
        }
        {
            uint64_t held = (uint64_t)(v.as.i > EX_CAP ? EX_CAP : v.as.i < 0 ? 0 : v.as.i);
            h = ex_mix(h ^ state_hash_bytes(name, strlen(name), held));
            hi = ex_mix(hi ^ state_hash_bytes(name, strlen(name), held));
        }
    }
    *sig = h;
    *items = hi;
    x->needs = hn;
    return AUGUR_OK;
}

/* The key of an entity type's attribute in the drifts. */
static uint64_t ex_entity_attr_key(int type, const char *name)
{
    return state_hash_bytes(name, strlen(name), 0x51ull + (uint64_t)type * 0x9e3779b97f4a7c15ull);
}

/* A thing the player may face: a material, and an entity standing there with its
** attributes that do not drift (a cow hit once is a new thing to try hitting). */
static uint64_t ex_thing_key(explorer *x, const law_ctx *c, int material, int e)
{
    uint64_t h = (uint64_t)(uint32_t)material << 32 | (uint32_t)(e < 0 ? -1 : c->etype[e]);

    for (size_t i = 0; e >= 0 && i < state_attr_count(c->s, e); i++) {
        state_value v;
        const char *name = state_attr_at(c->s, e, i, &v);
        if (strcmp(name, "x") && strcmp(name, "y") && (v.kind == STATE_INT || v.kind == STATE_BOOL) &&
            !ex_get(&x->drifts, ex_entity_attr_key(c->etype[e], name)))
            h = ex_mix(h ^ state_hash_bytes(name, strlen(name), (uint64_t)v.as.i));
    }
    return h;
}

/* What the player faces, material and type only. */
static uint64_t ex_kind_key(const law_ctx *c)
{
    int e = c->place_ent[PL_FACING];
    return (uint64_t)(uint32_t)c->place_mat[PL_FACING] << 32 | (uint32_t)(e < 0 ? -1 : c->etype[e]);
}

static uint64_t ex_facing_key(explorer *x, const law_ctx *c)
{
    return ex_thing_key(x, c, c->place_mat[PL_FACING], c->place_ent[PL_FACING]);
}

static uint64_t ex_key(uint64_t facing, int action, uint64_t inv)
{
    return ex_mix(facing * 131 + (uint64_t)action) ^ inv;
}

/* ---- moving ---------------------------------------------------------------------------- */

static int ex_occupied(const law_ctx *c, int cx, int cy)
{
    for (int i = 0; i < c->nents; i++)
        if (i != c->player && c->ex[i] == cx && c->ey[i] == cy)
            return 1;
    return 0;
}

static int ex_walkable(explorer *x, int cx, int cy)
{
    const law_ctx *c = ex_ctx(x);

    if (cx < 0 || cy < 0 || cx >= x->W || cy >= x->H)
        return 0;
    return ex_safe(x, x->seen[cy * x->W + cx]) && !ex_occupied(c, cx, cy) &&
           !x->danger[cy * x->W + cx];
}

static const int ex_dx[4] = { -1, 1, 0, 0 }, ex_dy[4] = { 0, 0, -1, 1 };

/* The first move on the shortest walk to a cell next to one goal accepts (goal
** gets the explorer and a cell); -1 when none is reachable. */
static int ex_walk(explorer *x, int (*goal)(explorer *, int, int, const void *), const void *arg)
{
    const law_ctx *c = ex_ctx(x);
    int head = 0, tail = 0, start = c->py * x->W + c->px;

    for (int i = 0; i < x->W * x->H; i++)
        x->dist[i] = -1;
    x->dist[start] = 0;
    x->queue[tail++] = start;
    while (head < tail) {
        int cur = x->queue[head++], cx = cur % x->W, cy = cur / x->W;
        for (int d = 0; d < 4; d++) {
            int nx = cx + ex_dx[d], ny = cy + ex_dy[d], ni = ny * x->W + nx;
            if (nx < 0 || ny < 0 || nx >= x->W || ny >= x->H)
                continue;
            x->wdx = ex_dx[d];
            x->wdy = ex_dy[d];
            if (goal(x, nx, ny, arg)) {
                /* Walk back to the first step. */
                int at = cur, dir = d;
                while (at != start) {
                    int best = -1;
                    for (int k = 0; k < 4 && best < 0; k++) {
                        int px = at % x->W - ex_dx[k], py = at / x->W - ex_dy[k];
                        if (px >= 0 && py >= 0 && px < x->W && py < x->H &&
                            x->dist[py * x->W + px] == x->dist[at] - 1) {
                            best = k;
                            at = py * x->W + px;
                        }
                    }
                    if (best < 0)
                        return -1;
                    dir = best;
                }
                return x->moves[dir];
            }
            if (x->dist[ni] >= 0 || !ex_walkable(x, nx, ny))
                continue;
            x->dist[ni] = x->dist[cur] + 1;
            x->queue[tail++] = ni;
        }
    }
    return -1;
}

typedef struct ex_target {
    int material, entity;
} ex_target;

static int ex_goal_target(explorer *x, int cx, int cy, const void *arg)
{
    const ex_target *t = arg;
    const law_ctx *c = ex_ctx(x);

    /* A target one walks onto is faced by walking on toward more of it. */
    if (t->material >= 0 && x->seen[cy * x->W + cx] == t->material && !ex_occupied(c, cx, cy)) {
        int bx = cx + x->wdx, by = cy + x->wdy;
        return !ex_safe(x, t->material) ||
               (bx >= 0 && by >= 0 && bx < x->W && by < x->H && x->seen[by * x->W + bx] == t->material &&
                !ex_occupied(c, bx, by));
    }
    for (int i = 0; t->entity >= 0 && i < c->nents; i++)
        if (c->etype[i] == t->entity && c->ex[i] == cx && c->ey[i] == cy && ex_visible(c, i))
            return 1;
    return 0;
}

static int ex_goal_unseen(explorer *x, int cx, int cy, const void *arg)
{
    (void)arg;
    return x->seen[cy * x->W + cx] < 0;
}

/* Face a target next to the player, or walk to one. */
static int ex_approach(explorer *x, int material, int entity)
{
    const law_ctx *c = ex_ctx(x);
    ex_target t = { material, entity };

    for (int d = 0; d < 4; d++)
        if ((x->wdx = ex_dx[d], x->wdy = ex_dy[d], ex_goal_target(x, c->px + ex_dx[d], c->py + ex_dy[d], &t)) &&
            (c->place_x[PL_FACING] != c->px + ex_dx[d] || c->place_y[PL_FACING] != c->py + ex_dy[d]))
            return x->moves[d];
    return ex_walk(x, ex_goal_target, &t);
}

/* Whether the faced tile is the target. */
static int ex_facing(const law_ctx *c, int material, int entity)
{
    int e = c->place_ent[PL_FACING];

    if (entity >= 0)
        return e >= 0 && c->etype[e] == entity;
    return material < 0 || (c->place_mat[PL_FACING] == material && e < 0);
}

/* ---- staying alive ---------------------------------------------------------------------- */

/* Whether effect ef raises (dir > 0) or lowers the player's attribute attr. */
static int ex_effect_moves(const law_effect *ef, int attr, int dir, double cur)
{
    const law_alt *a = NULL;

    if (ef->kind != EF_VALUE || ef->ref.kind != REF_PLAYER || ef->ref.id != attr)
        return 0;
    for (int i = 0; i < ef->nalt; i++)
        if (!a || ef->alt[i].p > a->p)
            a = &ef->alt[i];
    if (!a || a->p < 0.5)
        return 0;
    if (a->op == ALT_ADD)
        return a->v * dir > 0;
    return a->op == ALT_SET && !isnan(cur) && (a->v - cur) * dir > 0;
}

/* The direction a condition wants its attribute moved in to hold. */
static int ex_cond_dir(const law_cond *c)
{
    switch (c->op) {
    case OP_GE: case OP_GT: return 1;
    case OP_LE: case OP_LT: return -1;
    case OP_EQ: return c->v[0] != 0 ? 1 : -1;
    default:    return 0;
    }
}

/* A plan that moves the player's attribute attr in dir, by the laws. */
static int ex_plan_for(explorer *x, int attr, int dir, int depth, ex_plan *out)
{
    laws *m = laws_online_model(x->o);
    law_ctx *c = ex_ctx(x);
    double cur = c->player >= 0 ? law_ctx_attr(c, c->player, attr, NULL) : NAN;

    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        ex_plan p = { l->naction ? l->action[0] : -1, -1, -1 };
        int moves = 0, usable = 1;
        if (l->subject >= 0 || l->weight < 0.1)
            continue;
        for (int e = 0; e < l->decl.neffect && !moves; e++)
            moves = ex_effect_moves(&l->decl.effect[e], attr, dir, cur);
        if (!moves)
            continue;
        for (int k = 0; k < l->decl.ncond && usable; k++) {
            const law_cond *cd = &l->decl.cond[k];
            if (law_cond_test(cd, law_ctx_read(c, &cd->ref, -1)))
                continue;
            /* A tile's material or entity: face one like it. */
            if (cd->ref.kind == REF_MATERIAL && cd->op == OP_EQ)
                p.material = (int)cd->v[0];
            else if (cd->ref.kind == REF_ENTITY && cd->op == OP_EQ)
                p.entity = (int)cd->v[0];
            else if (cd->ref.kind == REF_PLAYER && depth < EX_DEPTH && ex_cond_dir(cd))
                usable = ex_plan_for(x, cd->ref.id, ex_cond_dir(cd), depth + 1, &p);
            else if (cd->ref.kind != REF_PLACE)
                usable = 0;
        }
        if (usable) {
            *out = p;
            return 1;
        }
    }
    return 0;
}

/* The key of a (true/false attribute of the player, value) pair. */
static uint64_t ex_flag_key(int attr, double v)
{
    return ((uint64_t)(uint32_t)attr << 8 | (v != 0)) << 4 | 5;
}

/* Whether the player's true/false attribute attr at v leaves it helpless: its
** moves onto free ground failed (nearly) every time it was so. */
static int ex_helpless_at(explorer *x, int attr, double v)
{
    uint32_t stuck = ex_get(&x->stuck, ex_flag_key(attr, v));

    return stuck >= EX_STUCK && ex_get(&x->moved, ex_flag_key(attr, v)) * 4 < stuck;
}

/* Whether the player is helpless now (asleep). */
static int ex_helpless(explorer *x)
{
    laws *m = laws_online_model(x->o);
    law_ctx *c = ex_ctx(x);

    for (size_t i = 0; c->player >= 0 && i < state_attr_count(c->s, c->player); i++) {
        state_value v;
        const char *name = state_attr_at(c->s, c->player, i, &v);
        int id = names_find(&m->names, name, strlen(name));
        if (v.kind == STATE_BOOL && id >= 0 && ex_helpless_at(x, id, v.as.b))
            return 1;
    }
    return 0;
}

/* Whether action a is risky by the laws: a law of a sets an attribute of the
** player to a value under which another law hurts its health more, or under
** which it cannot move (sleeping, where creatures hurt more and it cannot run). */
static int ex_risky(explorer *x, int a)
{
    laws *m = laws_online_model(x->o);
    int health = names_find(&m->names, "health", 6);

    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        if (l->subject >= 0 || !l->naction || !law_allows(l, a))
            continue;
        for (int e = 0; e < l->decl.neffect; e++) {
            const law_effect *ef = &l->decl.effect[e];
            if (ef->kind != EF_VALUE || ef->ref.kind != REF_PLAYER || ef->alt[0].op != ALT_SET)
                continue;
            /* Unable to move under it. */
            if (ex_helpless_at(x, ef->ref.id, ef->alt[0].v))
                return 1;
            for (int j = 0; j < m->n; j++) {
                const law *h = &m->law[j];
                int hurts = 0;
                for (int k = 0; k < h->decl.neffect && h->subject < 0; k++)
                    hurts |= ex_effect_moves(&h->decl.effect[k], health, -1, NAN);
                /* Hurt more under it. */
                for (int k = 0; hurts && k < h->decl.ncond; k++) {
                    const law_cond *cd = &h->decl.cond[k];
                    if (cd->ref.kind == REF_PLAYER && cd->ref.id == ef->ref.id && cd->op == OP_EQ &&
                        cd->v[0] == ef->alt[0].v)
                        return 1;
                }
            }
        }
    }
    return 0;
}

/* Whether some need is at or below level (energy left out: skip_energy). */
static int ex_needy_at(explorer *x, double level, int skip_energy)
{
    laws *m = laws_online_model(x->o);
    law_ctx *c = ex_ctx(x);

    for (int i = 0; i < m->names.n && c->player >= 0; i++)
        if (ex_need_attr(m, names_text(&m->names, i)) &&
            !(skip_energy && strcmp(names_text(&m->names, i), "energy") == 0) &&
            law_ctx_attr(c, c->player, i, NULL) <= level)
            return 1;
    return 0;
}

static int ex_needy_dire(explorer *x)
{
    return ex_needy_at(x, EX_DIRE + 1, 1);
}

static int ex_needy(explorer *x)
{
    return ex_needy_at(x, EX_NEED, 0);
}

/* The action that serves the lowest need that has a plan, or -1; a risky plan
** only when the need is dire. */
static int ex_threat(explorer *x, int margin, int *dist);

static int ex_survive(explorer *x)
{
    laws *m = laws_online_model(x->o);
    law_ctx *c = ex_ctx(x);
    int attr[16], n = 0, dist;
    double val[16];

    for (int i = 0; i < m->names.n && c->player >= 0 && n < 16; i++) {
        double v;
        if (!ex_need_attr(m, names_text(&m->names, i)))
            continue;
        v = law_ctx_attr(c, c->player, i, NULL);
        if (isnan(v) || v > EX_NEED)
            continue;
        /* In order, lowest first. */
        int k = n++;
        while (k > 0 && val[k - 1] > v) {
            attr[k] = attr[k - 1];
            val[k] = val[k - 1];
            k--;
        }
        attr[k] = i;
        val[k] = v;
    }
    x->unmet = 0;
    for (int k = 0; k < n; k++) {
        ex_plan p;
        uint32_t r;
        if (!ex_plan_for(x, attr[k], 1, 0, &p) || p.action < 0) {
            /* No law yet: what once raised it. */
            if (!(r = ex_get(&x->remedy, ex_attr_key(names_text(&m->names, attr[k]))))) {
                x->unmet = 1;
                continue;
            }
            p.action = (int)(r & 0x3ff);
            p.entity = (int)(r >> 10 & 0x3ff) - 1;
            p.material = p.entity >= 0 ? -1 : (int)(r >> 20);
        }
        /* Nothing risky with a threat about, and only when dire; nothing new
        ** (it may be risky) with one in sight. */
        if (ex_risky(x, p.action) && (val[k] > EX_DIRE + 1 || x->now - x->alarm <= EX_CAUTION * 10))
            continue;
        if (ex_get(&x->tried, ex_key(0, p.action, 0)) <= EX_STUCK && ex_threat(x, EX_VIEW_X + EX_VIEW_Y, &dist) >= 0)
            continue;
        if (!ex_facing(c, p.material, p.entity))
            return ex_approach(x, p.material, p.entity);
        return p.action;
    }
    return -1;
}

/* Whether entities of type hurt the player when within reach: a law says so, or
** one was near when its health fell. */
static int ex_hurts(explorer *x, int type, int *reach)
{
    laws *m = laws_online_model(x->o);
    int health = names_find(&m->names, "health", 6);

    uint32_t hurt = ex_get(&x->hurt, (uint64_t)type + 1), near = ex_get(&x->near, (uint64_t)type + 1);

    /* Health fell near them, and far more often than it falls. */
    *reach = EX_REACH;
    if (hurt >= 1 && (double)hurt / near > 3 * fmax((double)x->falls / (x->lived ? x->lived : 1), 0.01))
        return 1;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        int hurts = 0;
        for (int e = 0; e < l->decl.neffect && !hurts && l->subject < 0; e++)
            hurts = ex_effect_moves(&l->decl.effect[e], health, -1, NAN);
        for (int k = 0; hurts && k < l->decl.ncond; k++)
            if (l->decl.cond[k].ref.kind == REF_NEAREST && l->decl.cond[k].op == OP_LE &&
                l->decl.cond[k].ref.id == type) {
                *reach = (int)l->decl.cond[k].v[0];
                return 1;
            }
    }
    return 0;
}

/* The nearest visible entity that hurts the player, within its reach plus
** margin; -1 when none. */
static int ex_threat(explorer *x, int margin, int *dist)
{
    law_ctx *c = ex_ctx(x);
    int near = -1;

    *dist = 1000;
    for (int j = 0; j < c->nents; j++) {
        int d = abs(c->ex[j] - c->px) + abs(c->ey[j] - c->py), reach;
        if (j == c->player || c->etype[j] < 0 || !ex_visible(c, j) || d >= *dist)
            continue;
        if (ex_hurts(x, c->etype[j], &reach) && d <= reach + margin) {
            *dist = d;
            near = j;
        }
    }
    return near;
}

/* Whether `do` hurts entities of a type, by the laws. */
static int ex_fightable(explorer *x, int type)
{
    laws *m = laws_online_model(x->o);

    for (int j = 0; j < m->n; j++) {
        const law *l = &m->law[j];
        if (l->subject == type && law_allows(l, x->act_do) && l->naction)
            for (int e = 0; e < l->decl.neffect; e++)
                if (l->decl.effect[e].kind == EF_VALUE && l->decl.effect[e].ref.kind == REF_SELF &&
                    l->decl.effect[e].alt[0].op == ALT_ADD && l->decl.effect[e].alt[0].v < 0)
                    return 1;
    }
    return 0;
}

/* Mark the cells within reach (plus one) of each visible threat: walks avoid them. */
static void ex_dangers(explorer *x)
{
    const law_ctx *c = ex_ctx(x);

    memset(x->danger, 0, (size_t)x->W * (size_t)x->H);
    for (int j = 0; j < c->nents; j++) {
        int reach;
        uint32_t *h;
        if (j == c->player || c->etype[j] < 0 || !ex_visible(c, j) ||
            !ex_hurts(x, c->etype[j], &reach))
            continue;
        x->alarm = x->now;
        if ((h = ex_slot(&x->haunt, (uint64_t)ex_cell(c, c->ex[j], c->ey[j]) + 2, 1))) {
            (*h)++;
            x->haunted++;
        }
        reach = reach + 1 < EX_VIEW_X ? reach + 1 : EX_VIEW_X;
        for (int dy = -reach; dy <= reach; dy++)
            for (int dx = -reach + abs(dy); dx <= reach - abs(dy); dx++) {
                int cx = c->ex[j] + dx, cy = c->ey[j] + dy;
                if (cx >= 0 && cy >= 0 && cx < x->W && cy < x->H)
                    x->danger[cy * x->W + cx] = 1;
            }
    }
}

/* How much of the land around a cell threats are seen on (0..1). */
static double ex_exposure(explorer *x, int cx, int cy)
{
    double sum = 0;
    int n = 0;

    for (int dy = -EX_HAUNT; dy <= EX_HAUNT; dy++)
        for (int dx = -EX_HAUNT + abs(dy); dx <= EX_HAUNT - abs(dy); dx++) {
            int px = cx + dx, py = cy + dy;
            if (px < 0 || py < 0 || px >= x->W || py >= x->H || x->seen[py * x->W + px] < 0)
                continue;
            sum += ex_get(&x->haunt, (uint64_t)x->seen[py * x->W + px] + 2);
            n++;
        }
    return n && x->haunted ? sum / n / x->haunted : 0;
}

typedef struct ex_refuge_arg {
    double best;
    int    cell;
} ex_refuge_arg;

/* After a threat was seen, go where threats are seldom seen: the reachable cell
** (within EX_REFUGE steps) of least exposure, distance counting a little. */
static int ex_refuge(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    int head = 0, tail = 0, start = c->py * x->W + c->px, best = start, stay;
    double here = ex_exposure(x, c->px, c->py), best_score = here;

    /* Only while threats were seen lately; at the refuge, stay (-2). */
    if (x->now - x->alarm > EX_ALARM || here < EX_EXPOSED)
        return -1;
    stay = -2;
    for (int i = 0; i < x->W * x->H; i++)
        x->dist[i] = -1;
    x->dist[start] = 0;
    x->queue[tail++] = start;
    while (head < tail) {
        int cur = x->queue[head++], cx = cur % x->W, cy = cur / x->W;
        double score = ex_exposure(x, cx, cy) + x->dist[cur] / 100.0;
        if (score < best_score) {
            best_score = score;
            best = cur;
        }
        if (x->dist[cur] >= EX_REFUGE)
            continue;
        for (int d = 0; d < 4; d++) {
            int nx = cx + ex_dx[d], ny = cy + ex_dy[d], ni = ny * x->W + nx;
            if (!ex_walkable(x, nx, ny) || x->dist[ni] >= 0)
                continue;
            x->dist[ni] = x->dist[cur] + 1;
            x->queue[tail++] = ni;
        }
    }
    if (best == start)
        return stay;
    /* Walk back from the refuge to the first step. */
    while (x->dist[best] > 1) {
        int bx = best % x->W, by = best / x->W, moved = 0;
        for (int d = 0; d < 4 && !moved; d++) {
            int px = bx - ex_dx[d], py = by - ex_dy[d];
            if (px >= 0 && py >= 0 && px < x->W && py < x->H &&
                x->dist[py * x->W + px] == x->dist[best] - 1) {
                best = py * x->W + px;
                moved = 1;
            }
        }
        if (!moved)
            return -1;
    }
    for (int d = 0; d < 4; d++)
        if (c->px + ex_dx[d] == best % x->W && c->py + ex_dy[d] == best / x->W)
            return x->moves[d];
    return -1;
}

/* How hard the threats in view press on a cell. */
static double ex_pressure(explorer *x, int cx, int cy)
{
    const law_ctx *c = ex_ctx(x);
    double p = 0;

    for (int j = 0; j < c->nents; j++) {
        int reach, d;
        if (j == c->player || c->etype[j] < 0 || !ex_visible(c, j) || !ex_hurts(x, c->etype[j], &reach))
            continue;
        d = abs(c->ex[j] - cx) + abs(c->ey[j] - cy);
        p += 1.0 / ((d > 0 ? d : 1) * (d > 0 ? d : 1));
    }
    return p;
}

/* Fight a threat next to the player when `do` hurts it (and health allows); else
** step to the free neighbour farthest from it. */
static int ex_defend(explorer *x)
{
    laws *m = laws_online_model(x->o);
    law_ctx *c = ex_ctx(x);
    double health = law_ctx_attr(c, c->player, names_find(&m->names, "health", 6), NULL);
    int d, near = ex_threat(x, EX_WARY, &d), best = -1, bd;

    if (near < 0)
        return -1;
    /* Next to it: fight what `do` is known to hurt unless weak, or try when
    ** strong; farther: keep away. */
    if (d <= 1 && ((ex_fightable(x, c->etype[near]) && health > EX_FLEE_HEALTH) ||
                   health >= EX_BRAVE))
        return c->place_ent[PL_FACING] == near ? x->act_do : ex_approach(x, -1, c->etype[near]);
    /* Run: to the free neighbour where the threats in view press least, and
    ** with room to run on. */
    {
        double here = ex_pressure(x, c->px, c->py), bp = here;
        for (int k = 0; k < 4; k++) {
            int nx = c->px + ex_dx[k], ny = c->py + ex_dy[k];
            double p;
            if (nx < 0 || ny < 0 || nx >= x->W || ny >= x->H || !ex_safe(x, x->seen[ny * x->W + nx]) ||
                ex_occupied(c, nx, ny))
                continue;
            p = ex_pressure(x, nx, ny);
            for (int j = 0; j < 4; j++)
                if (ex_safe(x, nx + ex_dx[j] >= 0 && ny + ex_dy[j] >= 0 && nx + ex_dx[j] < x->W &&
                                   ny + ex_dy[j] < x->H ? x->seen[(ny + ex_dy[j]) * x->W + nx + ex_dx[j]]
                                                        : -1))
                    p -= 0.02;
            if (p < bp) {
                bp = p;
                best = k;
            }
        }
        (void)bd;
    }
    if (best >= 0 && d > 1)
        return x->moves[best];
    /* Cornered, or caught: fight. */
    return c->place_ent[PL_FACING] == near ? x->act_do : ex_approach(x, -1, c->etype[near]);
}

/* ---- curiosity -------------------------------------------------------------------------- */

static int ex_is_move(const explorer *x, int a)
{
    for (int d = 0; d < 4; d++)
        if (x->moves[d] == a)
            return 1;
    return 0;
}

enum { EX_CARRY = 1, EX_FACE = 2 };

/* What may matter to action a: the laws know nothing of a yet (everything may),
** or one of a's laws tests what the player carries (EX_CARRY) or the tiles
** around it (EX_FACE). */
static int ex_matters(explorer *x, int a)
{
    laws *m = laws_online_model(x->o);
    const laws_induce_opts *io = laws_online_induce_opts(x->o);
    const law_ctx *c = ex_ctx(x);
    int known = 0, what = 0;

    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        if (l->subject >= 0 || !l->naction || !law_allows(l, a))
            continue;
        known = 1;
        for (int k = 0; k < l->decl.ncond; k++) {
            const law_ref *r = &l->decl.cond[k].ref;
            const char *name = names_text(&m->names, r->id);
            int kind = STATE_FLOAT;
            if (r->kind == REF_PLAYER && c->player >= 0)
                law_ctx_attr(c, c->player, r->id, &kind);
            if (r->kind == REF_PLAYER && kind == STATE_INT && !lm_ignored(io, name) &&
                !ex_get(&x->drifts, ex_attr_key(name)) && !ex_need_attr(m, name))
                what |= EX_CARRY;
            if (r->kind == REF_MATERIAL || r->kind == REF_ENTITY || r->kind == REF_PLACE ||
                r->kind == REF_NEARBY)
                what |= EX_FACE;
        }
    }
    return known ? what : EX_CARRY | EX_FACE;
}

/* Whether some law of the model names action a. */
static int ex_known(explorer *x, int a)
{
    laws *m = laws_online_model(x->o);

    for (int i = 0; i < m->n; i++)
        if (m->law[i].subject < 0 && m->law[i].naction && law_allows(&m->law[i], a))
            return 1;
    return 0;
}

/* The key an action's tries are counted under: what may matter to it. */
static uint64_t ex_try_key(explorer *x, uint64_t facing, int a)
{
    int what = ex_matters(x, a);
    return ex_key(what & EX_FACE ? facing : 0, a, what & EX_CARRY ? x->inv : what & EX_FACE ? x->needs : 0);
}

/* An action is worth trying where it never was, or where the model has lately
** been bad at predicting it (a few times). */
static double ex_worth(explorer *x, uint64_t facing, int a)
{
    const law_ctx *c = ex_ctx(x);
    uint64_t ck = ex_key(facing, a, 0);
    uint32_t n = ex_get(&x->tried, ex_try_key(x, facing, a));
    double surprise = ex_get(&x->surprise, ck) / 16.0;

    if (ex_get(&x->tried, ex_key(ex_kind_key(c), a, 1)) >= EX_TRIES)
        return 0;
    /* An action that has never done anything is tried once with each new thing
    ** carried, once facing each kind of thing that is no ground (a material it
    ** cannot walk on, a creature), and facing what the player made. */
    if (!ex_known(x, a) && ex_get(&x->tried, ex_key(3, a, x->items)) >= EX_BLIND_TRIES &&
        !ex_get(&x->made, (uint64_t)c->place_mat[PL_FACING] + 1) &&
        (ex_get(&x->tried, ex_key(ex_kind_key(c), a, 1)) > 0 ||
         (ex_safe(x, c->place_mat[PL_FACING]) && c->place_ent[PL_FACING] < 0)))
        return 0;
    /* A surprise is worth another look once the model has learned since. */
    return (n == 0 ? (a == x->noop ? 0.2 : 1) : 0) +
           (surprise > EX_SURPRISE && n < 3 && ex_get(&x->epoch_of, ck) < x->epoch ? 0.5 : 0);
}

/* The untried actions a thing offers with what the player carries now. */
static int ex_untried(explorer *x, uint64_t thing)
{
    int n = 0;

    for (int a = 0; a < x->w->cls->nactions; a++)
        n += !ex_is_move(x, a) && a != x->noop &&
             ex_get(&x->tried, ex_try_key(x, thing, a)) == 0;
    return n;
}

/* Walk toward the thing seen that offers the most untried actions, or new land. */
/* How much the player holds of the attribute with key item now. */
static int64_t ex_held(explorer *x, uint32_t item)
{
    const law_ctx *c = ex_ctx(x);

    for (size_t i = 0; c->player >= 0 && i < state_attr_count(c->s, c->player); i++) {
        state_value v;
        const char *name = state_attr_at(c->s, c->player, i, &v);
        if (v.kind == STATE_INT && ex_attr_key(name) == item)
            return v.as.i;
    }
    return 0;
}

/* What facing a kind of thing offers: the actions untried there with what the
** player carries, and those that once made it hold more of something it could
** still gather more of. */
static double ex_offer(explorer *x, uint64_t thing, uint64_t kind)
{
    double n = ex_untried(x, thing);

    for (int a = 0; a < x->w->cls->nactions; a++) {
        uint32_t item = ex_get(&x->gainful, ex_key(kind, a, 2));
        if (item && ex_held(x, item) < EX_CAP)
            n += 2;
    }
    return n;
}

/* Walk toward what offers most, nearer and commoner first (the common matters
** more often; the rare, which may be deadly, is tried last; what the player made
** counts as common), or into unseen land. */
static int ex_wander(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    laws *m = laws_online_model(x->o);
    int best_mat = -1, best_ent = -1, a;
    double best = 0;

    for (int mat = 0; mat < m->names.n; mat++) {
        int count = 0, near = 1 << 30;
        double score;
        for (int i = 0; i < x->W * x->H; i++)
            if (x->seen[i] == mat) {
                int d = abs(i % x->W - c->px) + abs(i / x->W - c->py);
                count++;
                near = d < near ? d : near;
            }
        /* The kind faced is curiosity's to judge, not a place to walk to. */
        if (!count || (mat == c->place_mat[PL_FACING] && c->place_ent[PL_FACING] < 0))
            continue;
        /* What the player made is a landmark: as good as the commonest. */
        if (ex_get(&x->made, (uint64_t)mat + 1))
            count = x->W * x->H;
        score = ex_offer(x, ex_thing_key(x, c, mat, -1), (uint64_t)(uint32_t)mat << 32 | 0xffffffffu) *
                sqrt(count) / (1 + near / 8.0);
        if (score > best) {
            best = score;
            best_mat = mat;
            best_ent = -1;
        }
    }
    for (int i = 0; i < c->nents; i++) {
        int mat, d;
        double score;
        if (i == c->player || i == c->place_ent[PL_FACING] || !ex_visible(c, i) || c->etype[i] < 0)
            continue;
        mat = ex_cell(c, c->ex[i], c->ey[i]);
        d = abs(c->ex[i] - c->px) + abs(c->ey[i] - c->py);
        score = ex_offer(x, ex_thing_key(x, c, mat, i),
                         (uint64_t)(uint32_t)mat << 32 | (uint32_t)c->etype[i]) *
                sqrt(8.0) / (1 + d / 8.0);
        if (score > best) {
            best = score;
            best_mat = -1;
            best_ent = c->etype[i];
        }
    }
    /* Keep to the goal chosen last while it still offers something (turning to
    ** each better thing in turn, the walk would go back and forth). */
    if (x->goal_until > x->now && (x->goal_mat >= 0 || x->goal_ent >= 0) &&
        !ex_facing(c, x->goal_mat, x->goal_ent) && (a = ex_approach(x, x->goal_mat, x->goal_ent)) >= 0)
        return a;
    x->goal_until = 0;
    if (best > 0 && (a = ex_approach(x, best_mat, best_ent)) >= 0) {
        x->goal_mat = best_mat;
        x->goal_ent = best_ent;
        x->goal_until = x->now + EX_GOAL;
        return a;
    }
    if ((a = ex_walk(x, ex_goal_unseen, NULL)) >= 0)
        return a;
    return x->moves[(int)(lm_uniform(&x->rng) * 4) & 3];
}

/* Actions the model says would make the player hold more of something it holds
** less than EX_CAP of: gathering is worth it. Leaves the context rebuilt. */
static int ex_gains(explorer *x, const state *s, unsigned char *gain)
{
    laws *m = laws_online_model(x->o);
    const laws_induce_opts *io = laws_online_induce_opts(x->o);
    int player = ex_ctx(x)->player;
    uint64_t facing = ex_facing_key(x, ex_ctx(x));

    for (int a = 0; a < x->w->cls->nactions; a++) {
        gain[a] = 0;
        if (ex_is_move(x, a) || lm_predict(m, s, a, NULL) != AUGUR_OK)
            continue;
        for (int k = 0; k < m->nslot && !gain[a]; k++) {
            const lm_slot *sl = &m->slot[k];
            const char *name = names_text(&m->names, SLOT_B(sl->slot));
            uint64_t key = ex_attr_key(name);
            double best = -INFINITY, v = sl->current;
            if (SLOT_KIND(sl->slot) != SLOT_ATTR || SLOT_A(sl->slot) != player ||
                sl->vkind != STATE_INT || lm_ignored(io, name) || ex_get(&x->drifts, key))
                continue;
            for (int c = 0; c < sl->n; c++)
                if (m->plp[sl->first + c] > best) {
                    best = m->plp[sl->first + c];
                    v = m->pv[sl->first + c];
                }
            gain[a] = v > sl->current && sl->current < EX_CAP &&
                      ex_get(&x->tried, ex_key(facing, a, x->inv)) < EX_GAIN_TRIES;
        }
    }
    return lm_context(m, s, 0);
}

/* ---- shelter ---------------------------------------------------------------------------- */

/* Whether law l's conditions hold with the faced tile of material mat, empty. */
static int ex_holds_facing(explorer *x, const law *l, int action, int mat)
{
    law_ctx *c = ex_ctx(x);

    if (l->subject >= 0 || !l->naction || !law_allows(l, action))
        return 0;
    for (int k = 0; k < l->decl.ncond; k++) {
        const law_cond *cd = &l->decl.cond[k];
        double v = cd->ref.kind == REF_MATERIAL && cd->ref.place == PL_FACING ? mat
                   : cd->ref.kind == REF_ENTITY && cd->ref.place == PL_FACING ? N_NONE
                   : cd->ref.kind == REF_ACTION ? action : law_ctx_read(c, &cd->ref, -1);
        if (!law_cond_test(cd, v))
            return 0;
    }
    return 1;
}

/* The material law l turns the faced tile into, or -1. */
static int ex_makes(const law *l)
{
    for (int e = 0; e < l->decl.neffect; e++) {
        const law_effect *ef = &l->decl.effect[e];
        if (ef->kind == EF_CELL && ef->ref.place == PL_FACING && ef->alt[0].op == ALT_SET &&
            ef->alt[0].p >= 0.5)
            return (int)ef->alt[0].v;
    }
    return -1;
}

/* The action that turns a faced tile of mat into ground to walk on now, or -1. */
static int ex_dig(explorer *x, int mat)
{
    laws *m = laws_online_model(x->o);

    for (int i = 0; i < m->n; i++)
        if (ex_holds_facing(x, &m->law[i], x->act_do, mat) && ex_safe(x, ex_makes(&m->law[i])))
            return x->act_do;
    return -1;
}

/* A material no threat and not the player has been seen on: a wall. */
static int ex_solid(explorer *x, int mat)
{
    return mat >= 0 && !ex_safe(x, mat) && !ex_get(&x->haunt, (uint64_t)mat + 2);
}

/* The action that puts a wall on a faced tile of ground mat now, one the player
** can dig through again (to get out), or -1. */
static int ex_blocker(explorer *x, int mat)
{
    laws *m = laws_online_model(x->o);

    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        int wall = ex_makes(l);
        if (l->naction && l->action[0] != x->act_do && ex_solid(x, wall) &&
            ex_holds_facing(x, l, l->action[0], mat) && ex_dig(x, wall) >= 0)
            return l->action[0];
    }
    return -1;
}

static int ex_seen_at(const explorer *x, int cx, int cy)
{
    return cx < 0 || cy < 0 || cx >= x->W || cy >= x->H ? -1 : x->seen[cy * x->W + cx];
}

/* Whether two cells in direction d from (ex, ey) make a shelter: each walkable or
** diggable, their sides and the cell beyond walls, (ex, ey) ground a wall can be
** put on. */
static int ex_pocket(explorer *x, int ex, int ey, int d)
{
    const law_ctx *c = ex_ctx(x);
    int dx = ex_dx[d], dy = ex_dy[d];

    if (!ex_safe(x, ex_seen_at(x, ex, ey)) || ex_blocker(x, ex_seen_at(x, ex, ey)) < 0)
        return 0;
    for (int k = 1; k <= 2; k++) {
        int cx = ex + k * dx, cy = ey + k * dy, mat = ex_seen_at(x, cx, cy);
        if (!((ex_safe(x, mat) && !ex_occupied(c, cx, cy)) || ex_dig(x, mat) >= 0) ||
            !ex_solid(x, ex_seen_at(x, cx + dy, cy + dx)) || !ex_solid(x, ex_seen_at(x, cx - dy, cy - dx)))
            return 0;
    }
    return ex_solid(x, ex_seen_at(x, ex + 3 * dx, ey + 3 * dy));
}

/* Find the nearest shelter reachable on foot. */
static int ex_find_shelter(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    int head = 0, tail = 0, start = c->py * x->W + c->px;

    for (int i = 0; i < x->W * x->H; i++)
        x->dist[i] = -1;
    x->dist[start] = 0;
    x->queue[tail++] = start;
    while (head < tail) {
        int cur = x->queue[head++], cx = cur % x->W, cy = cur / x->W;
        for (int d = 0; d < 4; d++)
            if (ex_pocket(x, cx, cy, d)) {
                x->shelter = 1;
                x->sx = cx;
                x->sy = cy;
                x->sd = d;
                return 1;
            }
        if (x->dist[cur] >= EX_SHELTER)
            continue;
        for (int d = 0; d < 4; d++) {
            int nx = cx + ex_dx[d], ny = cy + ex_dy[d], ni = ny * x->W + nx;
            if (!ex_walkable(x, nx, ny) || x->dist[ni] >= 0)
                continue;
            x->dist[ni] = x->dist[cur] + 1;
            x->queue[tail++] = ni;
        }
    }
    return 0;
}

static int ex_goal_cell(explorer *x, int cx, int cy, const void *arg)
{
    const int *cell = arg;
    (void)x;
    return cx == cell[0] && cy == cell[1];
}

/* Keep to the shelter plan: walk to its mouth, dig or walk two cells in, step
** back one (facing the mouth) and wall it up; inside, sleep when tired, wait while
** threats are about, and dig out when they are gone or a need calls. */
static int ex_shelter(explorer *x)
{
    laws *m = laws_online_model(x->o);
    const law_ctx *c = ex_ctx(x);
    int d = x->sd, dx = ex_dx[d], dy = ex_dy[d], back = d ^ 1;
    int qx = x->sx + dx, qy = x->sy + dy, px2 = x->sx + 2 * dx, py2 = x->sy + 2 * dy;
    int mouth = ex_cell(c, x->sx, x->sy), inward = c->fdx == dx && c->fdy == dy;
    double energy = law_ctx_attr(c, c->player, names_find(&m->names, "energy", 6), NULL);
    int alarmed = x->now - x->alarm <= EX_ALARM;

    if (!x->shelter) {
        if ((!alarmed && !(energy <= EX_NEED)) || !ex_find_shelter(x))
            return -1;
        c = ex_ctx(x);
        d = x->sd;
        dx = ex_dx[d];
        dy = ex_dy[d];
        back = d ^ 1;
        qx = x->sx + dx;
        qy = x->sy + dy;
        px2 = x->sx + 2 * dx;
        py2 = x->sy + 2 * dy;
        mouth = ex_cell(c, x->sx, x->sy);
        inward = c->fdx == dx && c->fdy == dy;
    }
    if (ex_solid(x, mouth) && ((c->px == qx && c->py == qy) || (c->px == px2 && c->py == py2))) {
        /* Walled in. */
        if (!x->sealed_at)
            x->sealed_at = x->now;
        if (energy < 9 && !ex_needy_dire(x))
            return world_action_find(x->w->cls, "sleep");
        if (!ex_needy_dire(x) && (alarmed || x->now - x->sealed_at < EX_SEALED))
            return x->noop;
        /* Out: face the wall and dig it. */
        if (c->px == px2 && c->py == py2)
            return x->moves[back];
        if (c->place_x[PL_FACING] == x->sx && c->place_y[PL_FACING] == x->sy) {
            x->shelter = 0;
            x->sealed_at = 0;
            return ex_dig(x, mouth) >= 0 ? x->act_do : -1;
        }
        return x->moves[back];
    }
    if (c->px == x->sx && c->py == x->sy) {
        int mat = ex_cell(c, qx, qy);
        if (ex_safe(x, mat) && !ex_occupied(c, qx, qy))
            return x->moves[d];
        return inward ? ex_dig(x, mat) : x->moves[d];
    }
    if (c->px == qx && c->py == qy) {
        int mat = ex_cell(c, px2, py2);
        if (inward) {
            if (ex_safe(x, mat) && !ex_occupied(c, px2, py2))
                return x->moves[d];
            if (ex_dig(x, mat) >= 0)
                return x->act_do;
            x->shelter = 0;
            return -1;
        }
        if (ex_occupied(c, x->sx, x->sy))
            return x->act_do;
        if (ex_blocker(x, mouth) >= 0)
            return ex_blocker(x, mouth);
        x->shelter = 0;
        return -1;
    }
    if (c->px == px2 && c->py == py2)
        return x->moves[back];
    {
        int cell[2] = { qx, qy }, a = ex_walk(x, ex_goal_cell, cell);
        if (a < 0)
            x->shelter = 0;
        return a;
    }
}

static int ex_choose(explorer *x, const state *s, int *action)
{
    const law_ctx *c = ex_ctx(x);
    uint64_t facing = ex_facing_key(x, c);
    int a, best = -1, dist, stay = 0;
    double best_worth = EX_TRY;
    unsigned char gain[256];

    if (ex_helpless(x)) {
        x->why = "helpless";
        *action = x->noop;
        return AUGUR_OK;
    }
    if ((x->why = "defend", a = ex_defend(x)) >= 0 || (x->why = "shelter", a = ex_shelter(x)) >= 0 ||
        (x->why = "survive", a = ex_survive(x)) >= 0 || (x->why = "refuge", a = stay = ex_refuge(x)) >= 0) {
        *action = a;
        return AUGUR_OK;
    }
    /* No experiments with a threat about; when hurt, rest until healed. */
    if (ex_threat(x, EX_CAUTION, &dist) >= 0) {
        x->why = "threat";
        *action = ex_wander(x);
        return AUGUR_OK;
    }
    if (law_ctx_attr(c, c->player, names_find(&laws_online_model(x->o)->names, "health", 6), NULL) <=
        EX_REST && !ex_needy(x) && x->now - x->last_fall > EX_REST * 2) {
        x->why = "rest";
        *action = x->noop;
        return AUGUR_OK;
    }
    x->why = "try";
    /* Nothing new for long: go and find something, gathering on the way. */
    int bored = x->now - x->last_novel > EX_BORED;
    /* Experiments (what has never been done may leave it helpless) only with no
    ** threat in sight or seen lately; gathering goes on. */
    int wary = ex_threat(x, EX_VIEW_X + EX_VIEW_Y, &dist) >= 0 || x->now - x->alarm <= EX_ALARM;
    if (x->w->cls->nactions > 256 || ex_gains(x, s, gain) != AUGUR_OK)
        return AUGUR_ENOMEM;
    for (a = 0; a < x->w->cls->nactions; a++) {
        double worth;
        if (ex_is_move(x, a) || ex_risky(x, a))
            continue;
        /* Gathering: the model says a gives more, or it once did here. */
        if (!gain[a]) {
            uint32_t item = ex_get(&x->gainful, ex_key(ex_kind_key(c), a, 2));
            gain[a] = item && ex_held(x, item) < EX_CAP &&
                      ex_get(&x->tried, ex_key(facing, a, x->inv)) < EX_GAIN_TRIES;
        }
        worth = (wary || bored ? 0 : ex_worth(x, facing, a)) + gain[a];
        if (worth > best_worth) {
            best_worth = worth;
            best = a;
        }
    }
    /* At the refuge, stay. */
    if (best < 0 && stay == -2) {
        x->why = "stay";
        *action = x->noop;
        return AUGUR_OK;
    }
    if (best < 0 && (bored || x->unmet) && (a = ex_walk(x, ex_goal_unseen, NULL)) >= 0) {
        x->why = "trek";
        *action = a;
        return AUGUR_OK;
    }
    if (best < 0)
        x->why = "wander";
    *action = best >= 0 ? best : ex_wander(x);
    return AUGUR_OK;
}

/* ---- the life -------------------------------------------------------------------------------- */

static int ex_setup(explorer *x, world *w, laws_online *o, const laws_explore_opts *opt)
{
    static const char *const moves[4] = { "move_left", "move_right", "move_up", "move_down" };

    memset(x, 0, sizeof *x);
    x->o = o;
    x->w = w;
    x->opt = opt;
    x->rng = opt->seed ^ 0x2545f4914f6cdd1dull;
    for (int d = 0; d < 4; d++)
        x->moves[d] = world_action_find(w->cls, moves[d]);
    x->noop = world_action_find(w->cls, "noop");
    x->act_do = world_action_find(w->cls, "do");
    x->trace = getenv("AUGUR_EXPLORE_TRACE") != NULL;
    x->alarm = x->last_fall = -1000000;     /* never */
    return x->moves[0] >= 0 && x->moves[1] >= 0 && x->moves[2] >= 0 && x->moves[3] >= 0;
}

static int ex_grid(explorer *x, const state *s)
{
    x->W = state_grid_width(s);
    x->H = state_grid_height(s);
    if (!x->W || !x->H)
        return AUGUR_EINVAL;
    x->seen = malloc((size_t)x->W * (size_t)x->H * sizeof *x->seen);
    x->dist = malloc((size_t)x->W * (size_t)x->H * sizeof *x->dist);
    x->queue = malloc((size_t)x->W * (size_t)x->H * sizeof *x->queue);
    x->danger = malloc((size_t)x->W * (size_t)x->H);
    if (!x->seen || !x->dist || !x->queue || !x->danger)
        return AUGUR_ENOMEM;
    for (int i = 0; i < x->W * x->H; i++)
        x->seen[i] = -1;
    return AUGUR_OK;
}

static void ex_free(explorer *x)
{
    free(x->seen);
    free(x->safe);
    free(x->dist);
    free(x->queue);
    free(x->danger);
    ex_map_free(&x->tried);
    ex_map_free(&x->surprise);
    ex_map_free(&x->drifts);
    ex_map_free(&x->hurt);
    ex_map_free(&x->near);
    ex_map_free(&x->most);
    ex_map_free(&x->gainful);
    ex_map_free(&x->remedy);
    ex_map_free(&x->kinds);
    ex_map_free(&x->prev);
    ex_map_free(&x->blocked);
    ex_map_free(&x->stood);
    ex_map_free(&x->made);
    ex_map_free(&x->epoch_of);
    ex_map_free(&x->haunt);
    ex_map_free(&x->stuck);
    ex_map_free(&x->moved);
}

static void ex_tally(laws_explore_report *rep, const world_step_result *r, long step)
{
    for (size_t e = 0; e < r->nevents; e++) {
        int k = 0;
        while (k < rep->nachievements && strcmp(rep->achievements[k].name, r->events[e]) != 0)
            k++;
        if (k == rep->nachievements) {
            if (k >= (int)(sizeof rep->achievements / sizeof *rep->achievements))
                continue;
            rep->achievements[k].name = r->events[e];
            rep->achievements[k].first = step;
            rep->achievements[k].count = 0;
            rep->nachievements++;
        }
        rep->achievements[k].count++;
    }
}

/* Whether the player died: it is gone, or its health is 0. */
static int ex_dead(const state *s)
{
    for (size_t i = 0; i < state_entity_count(s); i++)
        if (strcmp(state_entity_type(s, (int)i), "player") == 0)
            return state_get_int(s, (int)i, "health", 1) <= 0;
    return 1;
}

/* Refits: often early, then every EX_REFIT steps. */
static int ex_refit_due(long step)
{
    static const long early[] = { 30, 60, 100, 150, 200, 300, 400, 600, 800 };

    for (size_t i = 0; i < sizeof early / sizeof *early; i++)
        if (step == early[i])
            return 1;
    return step >= EX_REFIT && step % EX_REFIT == 0;
}

/* One step of the curious explorer: look, choose. */
static int ex_step(explorer *x, const state *s, int *action)
{
    laws *m = laws_online_model(x->o);

    if (lm_intern_state(m, s) != AUGUR_OK || lm_context(m, s, 0) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (!x->seen) {
        int rc = ex_grid(x, s);
        if (rc == AUGUR_OK)
            rc = ex_stand(x, ex_cell(ex_ctx(x), ex_ctx(x)->px, ex_ctx(x)->py));
        if (rc != AUGUR_OK)
            return rc;
    }
    if (ex_ctx(x)->player < 0)
        return AUGUR_EINVAL;
    if (ex_look(x) != AUGUR_OK || ex_stand(x, ex_cell(ex_ctx(x), ex_ctx(x)->px,
                                                          ex_ctx(x)->py)) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (ex_inventory(x, s, ex_ctx(x)->player, &x->inv, &x->items) != AUGUR_OK)
        return AUGUR_ENOMEM;
    ex_dangers(x);
    if (ex_choose(x, s, action) != AUGUR_OK)
        return AUGUR_ENOMEM;
    return AUGUR_OK;
}

/* Attributes of entities that change while the player does not act on them
** (`do` on the one it faces) drift by themselves. */
static int ex_drift_entities(explorer *x, const state *s, int action, const state *next)
{
    const law_ctx *c = ex_ctx(x);

    for (int e = 0; e < c->nents; e++) {
        int q;
        if (e == c->player || (e == c->place_ent[PL_FACING] && action == x->act_do) ||
            c->etype[e] < 0 || !ex_visible(c, e) ||
            (q = state_entity_find(next, state_entity_id(s, e))) < 0)
            continue;
        for (size_t i = 0; i < state_attr_count(s, e); i++) {
            state_value a, b;
            const char *name = state_attr_at(s, e, i, &a);
            uint32_t *flag;
            if (a.kind == STATE_SYMBOL || a.kind == STATE_FLOAT ||
                state_get(next, q, name, &b) != AUGUR_OK || b.as.i == a.as.i ||
                !strcmp(name, "x") || !strcmp(name, "y"))
                continue;
            if (!(flag = ex_slot(&x->drifts, ex_entity_attr_key(c->etype[e], name), 1)))
                return AUGUR_ENOMEM;
            *flag = 1;
        }
    }
    return AUGUR_OK;
}

/* Attributes of the player that fall while it only moves or waits, or when
** nothing else happens (nothing of the player's rises, the faced tile stays, no
** entity comes or goes), drift by themselves: they are not things it carries,
** and stay out of the signature. */
static int ex_drift(explorer *x, const state *s, int action, const state *next)
{
    const laws_induce_opts *io = laws_online_induce_opts(x->o);
    const law_ctx *c = ex_ctx(x);
    int p = c->player, q, fx = c->place_x[PL_FACING], fy = c->place_y[PL_FACING];
    uint64_t fell[64];
    int nfell = 0;

    if (ex_drift_entities(x, s, action, next) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (p < 0 || (q = state_entity_find(next, state_entity_id(s, p))) < 0)
        return AUGUR_OK;
    if (!ex_is_move(x, action) && action != x->noop &&
        (state_entity_count(s) != state_entity_count(next) ||
         (fx >= 0 && state_grid_get(s, fx, fy) != state_grid_get(next, fx, fy))))
        return AUGUR_OK;
    for (size_t i = 0; i < state_attr_count(s, p); i++) {
        state_value a, b;
        const char *name = state_attr_at(s, p, i, &a);
        if (a.kind != STATE_INT || state_get(next, q, name, &b) != AUGUR_OK ||
            b.kind != STATE_INT || lm_ignored(io, name))
            continue;
        if (b.as.i > a.as.i && !ex_is_move(x, action) && action != x->noop)
            return AUGUR_OK;
        if (b.as.i < a.as.i && nfell < 64)
            fell[nfell++] = ex_attr_key(name);
    }
    for (int i = 0; i < nfell; i++) {
        uint32_t *flag = ex_slot(&x->drifts, fell[i], 1);
        if (!flag)
            return AUGUR_ENOMEM;
        *flag = 1;
    }
    return AUGUR_OK;
}

/* Remember what facing this kind of thing and acting made the player hold more
** of, and which materials its actions made. */
static int ex_note_gain(explorer *x, const state *s, int action, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    const laws_induce_opts *io = laws_online_induce_opts(x->o);
    int q = c->player >= 0 ? state_entity_find(next, state_entity_id(s, c->player)) : -1;
    int fx = c->place_x[PL_FACING], fy = c->place_y[PL_FACING];

    if (!ex_is_move(x, action) && fx >= 0 && state_grid_get(s, fx, fy) != state_grid_get(next, fx, fy)) {
        int i = state_grid_get(next, fx, fy);
        uint32_t *f = i >= 0 && i < c->npal && c->pal[i] >= 0 ? ex_slot(&x->made, (uint64_t)c->pal[i] + 1, 1)
                                                                : NULL;
        if (f)
            *f = 1;
    }

    for (size_t i = 0; q >= 0 && i < state_attr_count(s, c->player); i++) {
        state_value a, b;
        const char *name = state_attr_at(s, c->player, i, &a);
        uint64_t key = ex_attr_key(name);
        uint32_t *slot;
        if (a.kind == STATE_INT && ex_get(&x->drifts, key) && !ex_is_move(x, action) &&
            action != x->noop && state_get(next, q, name, &b) == AUGUR_OK && b.kind == STATE_INT &&
            b.as.i > a.as.i) {
            int e = c->place_ent[PL_FACING], mat = c->place_mat[PL_FACING];
            if (!(slot = ex_slot(&x->remedy, key, 1)))
                return AUGUR_ENOMEM;
            *slot = (uint32_t)(mat & 0xfff) << 20 | (uint32_t)((e < 0 ? 0 : c->etype[e] + 1) & 0x3ff) << 10 |
                    (uint32_t)(action & 0x3ff);
        }
        if (a.kind != STATE_INT || lm_ignored(io, name) || ex_get(&x->drifts, key) ||
            !strcmp(name, "x") || !strcmp(name, "y") ||
            state_get(next, q, name, &b) != AUGUR_OK || b.kind != STATE_INT || b.as.i <= a.as.i)
            continue;
        if (!(slot = ex_slot(&x->gainful, ex_key(ex_kind_key(c), action, 2), 1)))
            return AUGUR_ENOMEM;
        *slot = (uint32_t)key;
    }
    return AUGUR_OK;
}

/* A move onto free ground (seen walked on, nobody there): did it happen? Count
** it under each true/false attribute the player had. */
static int ex_note_moves(explorer *x, const state *s, int action, const state *next)
{
    laws *m = laws_online_model(x->o);
    const law_ctx *c = ex_ctx(x);
    int d = -1, q, tx, ty, moved;

    for (int k = 0; k < 4; k++)
        if (x->moves[k] == action)
            d = k;
    if (d < 0 || c->player < 0 || (q = state_entity_find(next, state_entity_id(s, c->player))) < 0)
        return AUGUR_OK;
    tx = c->px + ex_dx[d];
    ty = c->py + ex_dy[d];
    if (tx < 0 || ty < 0 || tx >= x->W || ty >= x->H || !ex_safe(x, ex_cell(c, tx, ty)) ||
        ex_occupied(c, tx, ty))
        return AUGUR_OK;
    moved = state_get_int(next, q, "x", -1) != c->px || state_get_int(next, q, "y", -1) != c->py;
    /* A material the player never gets onto is no ground, whoever was seen on it. */
    if (!moved && !ex_helpless(x)) {
        int mat = ex_cell(c, tx, ty);
        uint32_t *b = ex_slot(&x->blocked, (uint64_t)mat + 1, 1);
        if (!b)
            return AUGUR_ENOMEM;
        if (++*b >= EX_STUCK && !ex_get(&x->stood, (uint64_t)mat + 1))
            x->safe[mat] = 0;
    }
    for (size_t i = 0; i < state_attr_count(s, c->player); i++) {
        state_value v;
        const char *name = state_attr_at(s, c->player, i, &v);
        int id = names_find(&m->names, name, strlen(name));
        uint32_t *n;
        if (v.kind != STATE_BOOL || id < 0)
            continue;
        if (!(n = ex_slot(moved ? &x->moved : &x->stuck, ex_flag_key(id, v.as.b), 1)))
            return AUGUR_ENOMEM;
        (*n)++;
    }
    return AUGUR_OK;
}

/* When the player's health fell, the types near it may be why: count, per type,
** the steps one was near and those of them its health fell in. */
static int ex_note_hurt(explorer *x, const state *s, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int q = c->player >= 0 ? state_entity_find(next, state_entity_id(s, c->player)) : -1;
    int fell, counted[64] = { 0 }, ncounted = 0;

    if (q < 0)
        return AUGUR_OK;
    fell = state_get_int(next, q, "health", 0) < state_get_int(s, c->player, "health", 0);
    x->lived++;
    x->falls += fell;
    if (fell)
        x->last_fall = x->now;
    int nearest = EX_REACH + 1;
    for (int j = 0; j < c->nents; j++)
        if (j != c->player && c->etype[j] >= 0 && abs(c->ex[j] - c->px) + abs(c->ey[j] - c->py) < nearest)
            nearest = abs(c->ex[j] - c->px) + abs(c->ey[j] - c->py);
    /* The nearest are blamed (and counted as near). */
    for (int j = 0; j < c->nents; j++) {
        uint32_t *f;
        int dup = 0;
        if (j == c->player || c->etype[j] < 0 ||
            abs(c->ex[j] - c->px) + abs(c->ey[j] - c->py) != nearest)
            continue;
        for (int k = 0; k < ncounted; k++)
            dup |= counted[k] == c->etype[j];
        if (dup || ncounted == 64)
            continue;
        counted[ncounted++] = c->etype[j];
        if (!(f = ex_slot(&x->near, (uint64_t)c->etype[j] + 1, 1)))
            return AUGUR_ENOMEM;
        (*f)++;
        if (fell) {
            if (!(f = ex_slot(&x->hurt, (uint64_t)c->etype[j] + 1, 1)))
                return AUGUR_ENOMEM;
            (*f)++;
        }
    }
    return AUGUR_OK;
}

/* Count what was tried, and how surprising it was. */
static int ex_learn(explorer *x, const state *s, int action, const state *next, double lp)
{
    laws *m = laws_online_model(x->o);
    uint64_t facing, ck;
    uint32_t *n, *sum;

    if (lm_context(m, s, action) != AUGUR_OK || ex_drift(x, s, action, next) != AUGUR_OK ||
        ex_note_hurt(x, s, next) != AUGUR_OK || ex_note_gain(x, s, action, next) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (lm_context(m, s, action) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (ex_note_moves(x, s, action, next) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (ex_helpless(x))
        return AUGUR_OK;
    facing = ex_facing_key(x, ex_ctx(x));
    ck = ex_key(facing, action, 0);
    for (int k = 0; k < 4; k++) {
        if (!(n = ex_slot(&x->tried, ex_key(k & EX_FACE ? facing : 0, action,
                                            k & EX_CARRY ? x->inv : k & EX_FACE ? x->needs : 0), 1)))
            return AUGUR_ENOMEM;
        (*n)++;
    }
    if (!(n = ex_slot(&x->tried, ex_key(3, action, x->items), 1)))
        return AUGUR_ENOMEM;
    (*n)++;
    if (!(n = ex_slot(&x->tried, ex_key(ex_kind_key(ex_ctx(x)), action, 1), 1)))
        return AUGUR_ENOMEM;
    (*n)++;
    if (!(sum = ex_slot(&x->surprise, ck, 1)) || !(n = ex_slot(&x->epoch_of, ck, 1)))
        return AUGUR_ENOMEM;
    *n = x->epoch;
    *sum = (uint32_t)(0.6 * *sum + 0.4 * fmin(-lp, 100) * 16);
    return AUGUR_OK;
}

/* One line of the trace: the step, the action and why, the player's numbers,
** the creatures within sight. */
static void ex_trace(explorer *x, const state *s, int action)
{
    const law_ctx *c = ex_ctx(x);
    int p = c->player;

    fprintf(stderr, "%5ld %-18s %-8s f%+d%+d g%d/%d/%ld", x->now, x->w->cls->actions[action], x->opt->random ? "random" : x->why, c->fdx, c->fdy, x->goal_mat, x->goal_ent, x->goal_until);
    if (c->place_mat[PL_FACING] >= 0)
        fprintf(stderr, " %s%s", names_text(&laws_online_model(x->o)->names, c->place_mat[PL_FACING]),
                ex_safe(x, c->place_mat[PL_FACING]) ? "(safe)" : "");
    for (size_t i = 0; p >= 0 && i < state_attr_count(s, p); i++) {
        state_value v;
        const char *name = state_attr_at(s, p, i, &v);
        if ((v.kind == STATE_INT || v.kind == STATE_BOOL) && v.as.i && strncmp(name, "achievement", 11))
            fprintf(stderr, " %s=%lld", name, (long long)v.as.i);
    }
    for (int e = 0; e < c->nents; e++)
        if (e != p && ex_visible(c, e))
            fprintf(stderr, " [%s %+d%+d]", state_entity_type(s, e), c->ex[e] - c->px, c->ey[e] - c->py);
    fputc('\n', stderr);
}

int laws_explore(world *w, const laws_explore_opts *opt, laws_online *o, laws_explore_report *rep,
                 augur_err *err)
{
    explorer x;
    state *s = state_new(), *next = state_new(), *tmp;
    int rc;

    memset(rep, 0, sizeof *rep);
    rep->died_at = -1;
    if (!ex_setup(&x, w, o, opt)) {
        state_free(s);
        state_free(next);
        return augur_err_set(err, AUGUR_EINVAL, "laws: %s has no move_left/right/up/down to explore "
                             "with", w->cls->name);
    }
    rc = s && next ? world_reset(w, opt->seed, err) : augur_err_set(err, AUGUR_ENOMEM, "laws: out "
                                                                    "of memory");
    if (rc == AUGUR_OK)
        rc = world_observe_oracle(w, s, err);
    while (rc == AUGUR_OK && rep->steps < opt->steps) {
        world_step_result r;
        double lp = 0;
        int action = (int)(lm_uniform(&x.rng) * w->cls->nactions) % w->cls->nactions;
        x.now = rep->steps;
        if (!opt->random && (rc = ex_step(&x, s, &action)) != AUGUR_OK) {
            rc = augur_err_set(err, rc, "laws: the explorer cannot read the state: %s",
                               augur_errstr(rc));
            break;
        }
        if ((rc = world_step(w, action, &r, err)) != AUGUR_OK ||
            (rc = world_observe_oracle(w, next, err)) != AUGUR_OK ||
            (rc = laws_observe(o, s, action, next, &lp, err)) != AUGUR_OK)
            break;
        rep->steps++;
        ex_tally(rep, &r, rep->steps);
        if (x.trace)
            ex_trace(&x, s, action);
        if (!opt->random && (rc = ex_learn(&x, s, action, next, lp)) != AUGUR_OK) {
            rc = augur_err_set(err, rc, "laws: out of memory");
            break;
        }
        if (r.done) {
            if (ex_dead(next))
                rep->died_at = rep->steps;
            break;
        }
        /* Refit on schedule, and soon after a surprise. */
        if (!opt->random && (ex_refit_due(rep->steps) ||
                             (lp < -EX_SURPRISED && rep->steps - x.last_refit >= 10))) {
            x.last_refit = rep->steps;
            x.epoch++;
            if ((rc = laws_refit(o, err)) != AUGUR_OK)
                break;
        }
        tmp = s;
        s = next;
        next = tmp;
    }
    ex_free(&x);
    state_free(s);
    state_free(next);
    return rc;
}
