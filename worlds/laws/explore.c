/*
** explore.c — one life of exploration, for the laws to be learned from.
**
** The curious explorer knows none of the rules. It sees the world's full state
** but looks only at the window a player sees (EX_VIEW_X x EX_VIEW_Y around it),
** remembering the tiles it has seen. It learns two ways at once: the laws the
** learner induces from its life (refitted often early on), and counts of its own
** (what the player and the creatures stand on, what was near when health fell,
** what each action did where). Each step it takes the first of:
**
**   1. defend: a creature of a kind that hurts (health fell near one, or it makes
**      things that do) is close: hit one next to the player when a law or its
**      own count of wounds says `do` hurts its kind (or to learn whether it
**      does) and health allows; wait for one that hurts only from next to the
**      player and is known to be hurt by hits; else step away;
**   2. shelter: when threats come (seen lately, or the hour they came at before,
**      read from an attribute the laws leave outside, such as daylight) or sleep
**      is due, dig or walk into a pocket of two cells walled on every side by
**      materials no creature was seen on, wall up its mouth with a block a law
**      says it can place (and dig out again), and sleep or wait there until a
**      need is empty, or low and known to be met elsewhere;
**   3. needs: an attribute that falls while it only moves or waits (food, drink,
**      energy) is low: do what the laws (or its memory) say raises it, facing
**      what they say;
**   4. try beside a landmark (a thing it made): an action no law names yet, with
**      plenty of an item or kinds of item together it never held at its tries
**      there, or again where it worked once (seen again, it is a law) when it
**      holds what that took, or one that tests a law reading the faced material
**      with that material beside but not faced; what it holds now may not last;
**   5. gather, make and confirm: do what the model predicts gives more of what it
**      holds little of, makes what it has none of, or repeats a law it has seen
**      work fewer than EX_CONFIRM times;
**   6. try: an action in a situation new to it (a kind faced for the first time,
**      more of an item than it held when it tried the action there), again on
**      what it worked on once when it holds what that took, or one that tests a
**      law that reads the faced material facing a kind of ground the law does
**      not name (once, where the law would fire but for the ground);
**   7. go: to the thing that offers most of the above (ground only for such a
**      test), or into unseen land.
**
** The random agent picks actions uniformly.
*/
#include "worlds/laws/private.h"

#include "base/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    EX_VIEW_X = 4, EX_VIEW_Y = 3,   /* the window a player sees */
    EX_CAP = 9,                     /* items are gathered up to this many */
    EX_PLENTY = 5,                  /* held this many, an item may be what an action needs */
    EX_CONFIRM = 3,                 /* a law is seen working this often */
    EX_REPLICATE = 3,               /* a known action is tried this often on a new kind */
    EX_BLIND_KINDS = 4,             /* kinds an action that never did anything is tried on */
    EX_ONE_CREATURE = 12,           /* tries on one creature */
    EX_STUCK = 3,                   /* failed moves onto a material that make it no ground */
    EX_WALLS = 30,                  /* creature sightings before absence means a wall */
    EX_DEPTH = 3,                   /* laws chained to meet a need */
    EX_NEED = 5, EX_THIRSTY = 7, EX_DIRE = 2, EX_BRAVE = 6, EX_FIGHT_TRIES = 5,
    EX_REACH = 2,                   /* how near a creature must be to be blamed */
    EX_WARY = 20,                   /* steps after a threat was seen without experiments */
    EX_ALARM = 40,                  /* steps after a threat was seen that count as lately */
    EX_THREATS = 8,                 /* threats in view lately (16 x the mean) that send it to shelter */
    EX_SEARCH = 40,                 /* steps a walk looks ahead */
    EX_BINS = 10,                   /* of the clock */
    EX_AHEAD = 40,                  /* steps the clock is read ahead */
    EX_GOAL = 30,                   /* steps a walk keeps its goal */
    EX_LETDOWN = 150,               /* steps a let-down is remembered */
    EX_BORED = 20,                  /* steps without news before it treks */
    EX_REFIT = 1000,
    EX_SURPRISED = 30,
    EX_NITEMS = 64
};

#define EX_TRY     0.5   /* novelty worth a step */
#define EX_DARK    0.35  /* threats in view on average at an hour that is dangerous */
#define EX_WEIGHT  0.1   /* laws weighted less are not believed */

/* ---- counting maps -------------------------------------------------------------------- */

typedef struct ex_map {
    uint64_t *key;
    uint32_t *val;
    size_t    n, cap;
} ex_map;

static uint64_t ex_mix(uint64_t x)
{
    x ^= x >> 31;
    x *= 0x7fb5d329728ea185ull;
    x ^= x >> 27;
    x *= 0x81dadef4bc2dd44dull;
    return x ^ (x >> 33);
}

static uint64_t ex_key3(uint64_t a, uint64_t b, uint64_t c)
{
    return ex_mix(ex_mix(a * 0x9e3779b97f4a7c15ull + b) + c) | 1;
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
            if (m->key[j])
                *ex_slot(&g, m->key[j], 1) = m->val[j];
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

/* Add to a count (AUGUR_ENOMEM when the map cannot grow). */
static int ex_add(ex_map *m, uint64_t key, uint32_t n)
{
    uint32_t *v = ex_slot(m, key, 1);

    if (!v)
        return AUGUR_ENOMEM;
    *v += n;
    return AUGUR_OK;
}

/* Keep the most of a value (stored as value + 1: 0 is never). */
static int ex_raise(ex_map *m, uint64_t key, uint32_t v)
{
    uint32_t *p = ex_slot(m, key, 1);

    if (!p)
        return AUGUR_ENOMEM;
    if (v + 1 > *p)
        *p = v + 1;
    return AUGUR_OK;
}

static void ex_map_free(ex_map *m)
{
    free(m->key);
    free(m->val);
}

/* ---- the explorer ---------------------------------------------------------------------- */

/* What it holds: the player's integer attributes that are neither records nor
** needs, by name id. */
typedef struct ex_items {
    int n;
    int32_t id[EX_NITEMS];
    int64_t v[EX_NITEMS];
} ex_items;

/* A pocket to shelter in: mouth (mx, my), then two cells in direction d. */
typedef struct ex_pocket {
    int on, mx, my, d;
    long sealed;            /* the step it was walled in, 0 before */
} ex_pocket;

typedef struct explorer {
    laws_online *o;
    world       *w;
    const laws_explore_opts *opt;
    uint64_t     rng;
    const state *s;
    int          W, H;
    int32_t     *seen;          /* material name id per cell; -1 unseen */
    int         *dist, *sdist, *heap, *via;
    unsigned char *danger;      /* cells within reach of a threat, this step */
    int          moves[4], noop, act_do;
    long         now;
    ex_items     items;
    /* the ground */
    ex_map       stood;         /* material -> the player stood on it */
    ex_map       trod;          /* material -> creatures seen standing still on it */
    long         sightings;     /* creatures seen standing still, in all */
    ex_map       blocked;       /* material -> moves onto it that failed (nobody there) */
    ex_map       prev;          /* entity id -> where it was last seen */
    ex_map       kinds;         /* materials and types seen */
    long         last_news;     /* the step something new was seen or held */
    /* the player */
    ex_map       drifts;        /* attributes that fell by themselves */
    ex_map       remedy;        /* need -> (material, type, action) that once raised it */
    ex_map       helpless;      /* (flag, value) -> moves onto free ground that failed */
    ex_map       sets;          /* (action, flag, value) -> the flag took the value after it */
    ex_map       usual;         /* flag -> its value when life began, + 1 */
    ex_map       moved;         /* (flag, value) -> moves onto free ground made */
    /* creatures */
    ex_map       near, hurt;    /* type -> steps one was nearest, those health fell in */
    ex_map       makes;         /* (made type, maker type) -> times */
    ex_map       reach;         /* type -> how far from the player what it made appeared */
    ex_map       fought;        /* type -> hits tried on one */
    ex_map       wounded;       /* type -> hits that lowered one's health or ended it */
    long         lived, falls;
    long         alarm;         /* the step a threat was last seen */
    double       threats_seen;  /* threats in view, summed with decay (16 x the recent mean) */
    /* actions */
    ex_map       tried;         /* (action, thing) -> tries */
    ex_map       tried_one;     /* creature id -> tries on that very creature */
    ex_map       tried_low;     /* (action, thing) -> tries while a need was low */
    ex_map       tmax;          /* (action, thing, item) -> the most held at a try, + 1 */
    ex_map       near_tried;    /* (action, material, 0: landmark beside, 1: beside and not
                                   faced where a law would fire facing it, 2: ground
                                   faced, 3: landmark beside and it worked) -> tries */
    ex_map       nmax;          /* (action, landmark, item) -> the most held, + 1 */
    ex_map       mixes;         /* (action, landmark, gathered kinds held) -> tries */
    ex_map       cost;          /* (action, gathered item) -> the most of it the action took, + 1 */
    ex_map       fails;         /* action -> tries that changed nothing */
    ex_map       kinds_failed;  /* action -> kinds of thing (no ground) it did nothing on */
    ex_map       works;         /* action -> tries that changed what the player holds or faces */
    ex_map       worked_on;     /* (action, thing) -> such tries */
    ex_map       gainful;       /* (kind faced, action) -> an item it made rise */
    ex_map       gathered;      /* items that rose with nothing given for them */
    ex_map       letdown;       /* (action, thing) -> times in a row it produced nothing when it
                                   was to; its key ^ 1: the step of the last */
    ex_map       made;          /* materials the player's actions made, not found in the world */
    ex_map       native;        /* materials seen in the world before the player made any */
    ex_map       dug;           /* materials `do` left where something else was */
    ex_map       digs;          /* material -> what `do` on it left there, + 1 */
    ex_map       blocks;        /* action -> the wall it put on ground + 1, and (<< 16) the
                                   item it used + 1 */
    /* the clock: an attribute outside the laws, and the threats seen at each reading */
    int          clock;         /* its name id, or -1 */
    double       clock_now, clock_slope, clock_lo, clock_hi;
    double       threat_sum[EX_BINS];
    long         clock_steps[EX_BINS];
    /* plans */
    int          unmet;         /* a need is low and nothing known meets it */
    ex_pocket    pocket;
    int          goal_mat, goal_ent, goal_mode;
    long         goal_until;
    long         epoch;         /* refits so far */
    long         last_refit;
    const char  *why;           /* what chose the last action, for the trace */
    int          trace;         /* AUGUR_EXPLORE_TRACE set: one line a step on stderr */
    char         plan[64];      /* the plan followed, for the trace */
} explorer;

static const int ex_dx[4] = { -1, 1, 0, 0 }, ex_dy[4] = { 0, 0, -1, 1 };

static int64_t ex_held(const ex_items *it, int id)
{
    for (int i = 0; i < it->n; i++)
        if (it->id[i] == id)
            return it->v[i];
    return 0;
}

static laws *ex_model(explorer *x)
{
    return laws_online_model(x->o);
}

static law_ctx *ex_ctx(explorer *x)
{
    return &ex_model(x)->ctx;
}

static int ex_inside(const explorer *x, int cx, int cy)
{
    return cx >= 0 && cy >= 0 && cx < x->W && cy < x->H;
}

static int ex_seen_at(const explorer *x, int cx, int cy)
{
    return ex_inside(x, cx, cy) ? x->seen[cy * x->W + cx] : -1;
}

static int ex_cell(const law_ctx *c, int cx, int cy)
{
    int i = state_grid_get(c->s, cx, cy);
    return i < 0 || i >= c->npal ? -1 : c->pal[i];
}

static int ex_visible(const law_ctx *c, int i)
{
    return c->ex[i] >= 0 && abs(c->ex[i] - c->px) <= EX_VIEW_X && abs(c->ey[i] - c->py) <= EX_VIEW_Y;
}

static int ex_dist(const law_ctx *c, int i)
{
    return abs(c->ex[i] - c->px) + abs(c->ey[i] - c->py);
}

/* The key of a player's attribute in the maps. */
static uint64_t ex_attr_key(int id)
{
    return ex_key3(0xa77, (uint64_t)id, 0);
}

static int ex_is_move(const explorer *x, int a)
{
    for (int d = 0; d < 4; d++)
        if (x->moves[d] == a)
            return 1;
    return 0;
}

/* ---- the ground ------------------------------------------------------------------------ */

/* Ground to step on: the player stood on it, or a creature stood still on it or
** the player's own action left it where something else was (what digging
** leaves), and the player's moves onto it have not kept failing. */
static int ex_ground(explorer *x, int mat)
{
    if (mat < 0)
        return 0;
    if (ex_get(&x->stood, (uint64_t)mat + 1))
        return 1;
    return (ex_get(&x->trod, (uint64_t)mat + 1) > 0 || ex_get(&x->dug, (uint64_t)mat + 1) > 0) &&
           ex_get(&x->blocked, (uint64_t)mat + 1) < EX_STUCK;
}

/* A wall: a material no creature was seen on (when enough were seen to say) that
** the player cannot walk on. */
static int ex_wall(explorer *x, int mat)
{
    return mat >= 0 && x->sightings >= EX_WALLS && !ex_get(&x->trod, (uint64_t)mat + 1) &&
           !ex_get(&x->stood, (uint64_t)mat + 1);
}

static int ex_occupied(const law_ctx *c, int cx, int cy)
{
    for (int i = 0; i < c->nents; i++)
        if (i != c->player && c->ex[i] == cx && c->ey[i] == cy)
            return 1;
    return 0;
}

static int ex_entity_at(const law_ctx *c, int cx, int cy)
{
    for (int i = 0; i < c->nents; i++)
        if (i != c->player && c->ex[i] == cx && c->ey[i] == cy)
            return i;
    return -1;
}

/* ---- what the laws say ------------------------------------------------------------------ */

static int ex_believed(const law *l)
{
    return l->weight >= EX_WEIGHT && l->kind == &law_declarative;
}

/* The one action law l says what it does (not waiting, not a move), or -1: a
** law of many actions tells of what happens whatever the player does. */
static int ex_law_action(const explorer *x, const law *l)
{
    if (l->naction != 1 || l->action[0] == x->noop)
        return -1;
    for (int d = 0; d < 4; d++)
        if (x->moves[d] == l->action[0])
            return -1;
    return l->action[0];
}

/* The value a condition reads, with the faced tile taken to be of material mat
** (-1: as it is) and empty, and nearby material near (-1: as it is) present. */
static double ex_read(law_ctx *c, const law_cond *cd, int action, int mat, int near)
{
    if (cd->ref.kind == REF_ACTION)
        return action;
    if (mat >= 0 && cd->ref.kind == REF_MATERIAL && cd->ref.place == PL_FACING)
        return mat;
    if (mat >= 0 && cd->ref.kind == REF_ENTITY && cd->ref.place == PL_FACING)
        return N_NONE;
    if (near >= 0 && cd->ref.kind == REF_NEARBY && cd->ref.id == near)
        return 1;
    return law_ctx_read(c, &cd->ref, -1);
}

/* Whether law l (not about creatures) fires for action with the faced tile of
** material mat and material near nearby (-1: as they are). */
static int ex_fires(explorer *x, const law *l, int action, int mat, int near)
{
    law_ctx *c = ex_ctx(x);

    if (l->subject >= 0 || !ex_believed(l) || !law_allows(l, action))
        return 0;
    for (int k = 0; k < l->decl.ncond; k++)
        if (!law_cond_test(&l->decl.cond[k], ex_read(c, &l->decl.cond[k], action, mat, near)))
            return 0;
    return 1;
}

/* The likeliest alternative of an effect, or NULL. */
static const law_alt *ex_likeliest(const law_effect *ef)
{
    const law_alt *a = NULL;

    for (int i = 0; i < ef->nalt; i++)
        if (!a || ef->alt[i].p > a->p)
            a = &ef->alt[i];
    return a && a->p >= 0.5 ? a : NULL;
}

/* Whether effect ef moves the player's attribute attr in dir (> 0 up); cur is its value. */
static int ex_effect_moves(const law_effect *ef, int attr, int dir, double cur)
{
    const law_alt *a;

    if (ef->kind != EF_VALUE || ef->ref.kind != REF_PLAYER || ef->ref.id != attr ||
        !(a = ex_likeliest(ef)))
        return 0;
    if (a->op == ALT_ADD)
        return a->v * dir > 0;
    return a->op == ALT_SET && !isnan(cur) && (a->v - cur) * dir > 0;
}

/* The material law l turns the faced tile into (likeliest), or -1. */
static int ex_makes_cell(const law *l)
{
    for (int e = 0; e < l->decl.neffect; e++) {
        const law_effect *ef = &l->decl.effect[e];
        const law_alt *a = ex_likeliest(ef);
        if (ef->kind == EF_CELL && ef->ref.place == PL_FACING && a && a->op == ALT_SET)
            return (int)a->v;
    }
    return -1;
}

/* Whether `do` on a faced tile of mat makes it ground now. */
static int ex_diggable(explorer *x, int mat)
{
    laws *m = ex_model(x);
    uint32_t left = mat >= 0 ? ex_get(&x->digs, (uint64_t)mat + 1) : 0;

    if (mat < 0 || ex_ground(x, mat))
        return 0;
    /* What `do` did to it before: what it leaves there is ground. */
    if (left && ex_ground(x, (int)left - 1))
        return 1;
    for (int i = 0; i < m->n; i++)
        if (ex_fires(x, &m->law[i], x->act_do, mat, -1) && ex_ground(x, ex_makes_cell(&m->law[i])))
            return 1;
    return 0;
}

/* The wall action a put on ground before, when `do` digs it again; with held,
** only while the player holds what it used: -1 when none. */
static int ex_block_of(explorer *x, int a, int held)
{
    uint32_t b = ex_get(&x->blocks, (uint64_t)a + 1);
    int wall = (int)(b & 0xffff) - 1, item = (int)(b >> 16) - 1;

    if (!b || !ex_wall(x, wall) || !ex_diggable(x, wall) || (held && item >= 0 && ex_held(&x->items, item) < 1))
        return -1;
    return wall;
}

/* The action that puts a wall, one `do` digs again, on a faced tile of ground
** mat now (as a law says, or as it did before), or -1. */
static int ex_blocker(explorer *x, int mat)
{
    laws *m = ex_model(x);

    for (int a = 0; a < x->w->cls->nactions && ex_ground(x, mat); a++)
        if (a != x->act_do && ex_block_of(x, a, 1) >= 0)
            return a;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        int wall = ex_makes_cell(l);
        for (int a = 0; a < l->naction && wall >= 0; a++)
            if (l->action[a] != x->act_do && ex_wall(x, wall) && ex_fires(x, l, l->action[a], mat, -1) &&
                ex_diggable(x, wall))
                return l->action[a];
    }
    return -1;
}

/* Whether a law says `do` lowers the health of creatures of a type, or hits
** did so before (the laws are refitted only now and then). */
static int ex_fightable(explorer *x, int type)
{
    laws *m = ex_model(x);

    if (ex_get(&x->wounded, (uint64_t)type + 1))
        return 1;
    for (int j = 0; j < m->n; j++) {
        const law *l = &m->law[j];
        if (l->subject != type || !ex_believed(l) || !l->naction || !law_allows(l, x->act_do))
            continue;
        for (int e = 0; e < l->decl.neffect; e++) {
            const law_alt *a = ex_likeliest(&l->decl.effect[e]);
            if (l->decl.effect[e].kind == EF_VALUE && l->decl.effect[e].ref.kind == REF_SELF &&
                a && a->op == ALT_ADD && a->v < 0)
                return 1;
        }
    }
    return 0;
}

/* ---- needs ---------------------------------------------------------------------------- */

static int ex_need(explorer *x, int id)
{
    return ex_get(&x->drifts, ex_attr_key(id)) > 0;
}

static double ex_player_attr(explorer *x, int id)
{
    law_ctx *c = ex_ctx(x);
    return c->player >= 0 ? law_ctx_attr(c, c->player, id, NULL) : NAN;
}

/* The lowest need at or below level (-1: none), and its value. */
static int ex_lowest_need(explorer *x, double level, double *value)
{
    laws *m = ex_model(x);
    int best = -1;

    *value = INFINITY;
    for (int id = 0; id < m->names.n; id++) {
        double v;
        if (!ex_need(x, id) || isnan(v = ex_player_attr(x, id)) || v > level || v >= *value)
            continue;
        best = id;
        *value = v;
    }
    return best;
}

typedef struct ex_plan {
    int action;         /* -1: none */
    int material;       /* to face, or -1 */
    int entity;         /* a type to face, or -1 */
    int near;           /* a material to stand beside, or -1 */
} ex_plan;

static int ex_plan_for(explorer *x, int attr, int dir, int depth, ex_plan *out);

/* Plan for one condition of a law that does not hold: 1 when a plan was found. */
static int ex_plan_cond(explorer *x, const law_cond *cd, int depth, ex_plan *p)
{
    laws *m = ex_model(x);
    int dir = cd->op == OP_GE || cd->op == OP_GT ? 1 : cd->op == OP_LE || cd->op == OP_LT ? -1
              : cd->op == OP_EQ && cd->symbolic != 1 ? (cd->v[0] != 0 ? 1 : -1) : 0;

    switch (cd->ref.kind) {
    case REF_MATERIAL:
        if (cd->ref.place != PL_FACING || cd->op != OP_EQ)
            return 0;
        p->material = (int)cd->v[0];
        return 1;
    case REF_ENTITY:
        if (cd->ref.place != PL_FACING || cd->op != OP_EQ)
            return 0;
        p->entity = (int)cd->v[0];
        return 1;
    case REF_PLACE:
        return 1;       /* the faced creature's state: doing it again gets there */
    case REF_NEARBY:
        if (cd->op != OP_EQ || cd->v[0] == 0)
            return 0;
        /* Beside one seen, or make one: a law that turns the faced tile into it. */
        p->near = cd->ref.id;
        for (int i = 0; i < m->n && depth < EX_DEPTH; i++) {
            const law *l = &m->law[i];
            if (ex_believed(l) && l->subject < 0 && ex_law_action(x, l) >= 0 &&
                ex_makes_cell(l) == cd->ref.id && ex_fires(x, l, l->action[0], -1, -1)) {
                p->action = l->action[0];
                p->near = -1;
                return 1;
            }
        }
        return 1;
    case REF_PLAYER:
        return dir && depth < EX_DEPTH && ex_plan_for(x, cd->ref.id, dir, depth + 1, p);
    default:
        return 0;
    }
}

/* A plan that makes law l fire: 1 when each condition that does not hold has one.
** What the player must hold comes first (it is got elsewhere): the plan is then
** the first step toward it; else where the player must stand and what it faces. */
static int ex_plan_law(explorer *x, const law *l, int depth, ex_plan *p)
{
    law_ctx *c = ex_ctx(x);

    *p = (ex_plan){ ex_law_action(x, l), -1, -1, -1 };
    for (int pass = 0; pass < 2; pass++)
        for (int k = 0; k < l->decl.ncond; k++) {
            const law_cond *cd = &l->decl.cond[k];
            if (cd->ref.kind == REF_ACTION || (cd->ref.kind == REF_PLAYER) != (pass == 0) ||
                law_cond_test(cd, law_ctx_read(c, &cd->ref, -1)))
                continue;
            if (pass == 0) {
                ex_plan sub = *p;
                if (!ex_plan_cond(x, cd, depth, &sub))
                    return 0;
                *p = sub;
                return 1;
            }
            if (!ex_plan_cond(x, cd, depth, p))
                return 0;
        }
    return 1;
}

/* A plan that moves the player's attribute attr in dir, by the laws. */
static int ex_plan_for(explorer *x, int attr, int dir, int depth, ex_plan *out)
{
    laws *m = ex_model(x);
    double cur = ex_player_attr(x, attr);

    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        ex_plan p;
        int moves = 0;
        if (l->subject >= 0 || !ex_believed(l))
            continue;
        for (int e = 0; e < l->decl.neffect && !moves; e++)
            moves = ex_effect_moves(&l->decl.effect[e], attr, dir, cur);
        if (!moves || !ex_plan_law(x, l, depth, &p))
            continue;
        if (p.action >= 0 || depth > 0) {
            if (p.action < 0)
                p.action = out->action;
            *out = p;
            return 1;
        }
    }
    return 0;
}

/* ---- creatures ---------------------------------------------------------------------------- */

/* Whether creatures of a type hurt the player: health fell when one was the
** nearest far more often than it falls, or it makes a kind that does. *reach:
** how near one must be to be feared. */
static int ex_hurts(explorer *x, int type, int *reach)
{
    laws *m = ex_model(x);
    uint32_t hurt = ex_get(&x->hurt, (uint64_t)type + 1), near = ex_get(&x->near, (uint64_t)type + 1);
    double base = fmax((double)x->falls / (double)(x->lived ? x->lived : 1), 0.01);

    *reach = EX_REACH;
    if (hurt >= 1 && (double)hurt / near > 3 * base)
        return 1;
    for (int t = 0; t < m->names.n; t++) {
        uint32_t hu = ex_get(&x->hurt, (uint64_t)t + 1), ne = ex_get(&x->near, (uint64_t)t + 1);
        if (t == type || hu < 1 || (double)hu / ne <= 3 * base ||
            ex_get(&x->makes, ex_key3(0x3a, (uint64_t)t, (uint64_t)type)) < 2)
            continue;
        *reach = (int)ex_get(&x->reach, (uint64_t)type + 1) + 1;
        return 1;
    }
    return 0;
}

/* The nearest visible threat within its reach plus margin; -1 when none. */
static int ex_threat(explorer *x, int margin, int *dist)
{
    law_ctx *c = ex_ctx(x);
    int best = -1;

    *dist = 1000;
    for (int j = 0; j < c->nents; j++) {
        int d, reach;
        if (j == c->player || c->etype[j] < 0 || !ex_visible(c, j) || (d = ex_dist(c, j)) >= *dist)
            continue;
        if (ex_hurts(x, c->etype[j], &reach) && d <= reach + margin) {
            *dist = d;
            best = j;
        }
    }
    return best;
}

/* The player's health (9 when it has none). */
static double ex_health(explorer *x)
{
    int id = names_find(&ex_model(x)->names, "health", 6);
    double v = id >= 0 ? ex_player_attr(x, id) : NAN;

    return isnan(v) ? 9 : v;
}

/* Whether a threat of a type is one to meet rather than avoid: it hurts only
** from next to the player, hits are known to hurt it, and health is not low. */
static int ex_bold(explorer *x, int type)
{
    int reach;

    return ex_hurts(x, type, &reach) && reach <= EX_REACH && ex_fightable(x, type) &&
           ex_health(x) > EX_DIRE + 1;
}

/* Mark the cells within reach (plus two) of each visible threat but those met
** boldly; count the threats. */
static int ex_dangers(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    int n = 0;

    memset(x->danger, 0, (size_t)x->W * (size_t)x->H);
    for (int j = 0; j < c->nents; j++) {
        int reach;
        if (j == c->player || c->etype[j] < 0 || !ex_visible(c, j) || !ex_hurts(x, c->etype[j], &reach))
            continue;
        n++;
        if (ex_bold(x, c->etype[j]))
            continue;
        /* Walks keep a step clear of where defence begins (no dance at the edge). */
        reach = reach + 2 < 2 * EX_VIEW_X ? reach + 2 : 2 * EX_VIEW_X;
        for (int dy = -reach; dy <= reach; dy++)
            for (int dx = -reach + abs(dy); dx <= reach - abs(dy); dx++)
                if (ex_inside(x, c->ex[j] + dx, c->ey[j] + dy))
                    x->danger[(c->ey[j] + dy) * x->W + c->ex[j] + dx] = 1;
    }
    if (n) {
        x->alarm = x->now;
        x->threats_seen += n;
    }
    return n;
}

/* ---- the clock ------------------------------------------------------------------------------ */

static int ex_bin(const explorer *x, double v)
{
    double span = x->clock_hi - x->clock_lo;
    int b = span > 0 ? (int)((v - x->clock_lo) / span * EX_BINS) : 0;
    return b < 0 ? 0 : b >= EX_BINS ? EX_BINS - 1 : b;
}

/* The threats in view on average at clock reading v; -1 when not known yet. */
static double ex_threat_rate(const explorer *x, double v)
{
    int b = ex_bin(x, v);
    return x->clock_steps[b] >= 10 ? x->threat_sum[b] / (double)x->clock_steps[b] : -1;
}

/* Whether the hour now or EX_AHEAD steps on is one threats came at. */
static int ex_dark(const explorer *x)
{
    return x->clock >= 0 && (ex_threat_rate(x, x->clock_now) > EX_DARK ||
                             ex_threat_rate(x, x->clock_now + x->clock_slope * EX_AHEAD) > EX_DARK);
}

static void ex_tick(explorer *x, int threats)
{
    double v = x->clock >= 0 ? ex_player_attr(x, x->clock) : NAN;
    int b;

    x->threats_seen *= 15.0 / 16;
    if (isnan(v))
        return;
    if (x->now > 0)
        x->clock_slope = 0.9 * x->clock_slope + 0.1 * (v - x->clock_now);
    x->clock_now = v;
    x->clock_lo = fmin(x->clock_lo, v);
    x->clock_hi = fmax(x->clock_hi, v);
    b = ex_bin(x, v);
    x->threat_sum[b] += threats;
    x->clock_steps[b]++;
}

/* ---- looking ------------------------------------------------------------------------------ */

static int ex_news(explorer *x, uint64_t key)
{
    uint32_t *k = ex_slot(&x->kinds, key, 1);

    if (!k)
        return AUGUR_ENOMEM;
    if (!*k)
        x->last_news = x->now;
    *k = 1;
    return AUGUR_OK;
}

/* Remember the tiles in view, and which materials creatures stand on. */
static int ex_look(explorer *x)
{
    law_ctx *c = ex_ctx(x);
    int rc = AUGUR_OK;

    for (int dy = -EX_VIEW_Y; dy <= EX_VIEW_Y && rc == AUGUR_OK; dy++)
        for (int dx = -EX_VIEW_X; dx <= EX_VIEW_X && rc == AUGUR_OK; dx++) {
            int cx = c->px + dx, cy = c->py + dy;
            if (!ex_inside(x, cx, cy))
                continue;
            x->seen[cy * x->W + cx] = ex_cell(c, cx, cy);
            rc = ex_news(x, (uint64_t)(uint32_t)x->seen[cy * x->W + cx] + 2);
            if (rc == AUGUR_OK && x->seen[cy * x->W + cx] >= 0 &&
                !ex_get(&x->made, (uint64_t)x->seen[cy * x->W + cx] + 1))
                rc = ex_add(&x->native, (uint64_t)x->seen[cy * x->W + cx] + 1, 1);
        }
    for (int i = 0; i < c->nents && rc == AUGUR_OK; i++) {
        uint32_t *at, pos = ((uint32_t)c->ex[i] << 16 | (uint32_t)c->ey[i]) + 1;
        if (i == c->player || !ex_visible(c, i) || c->etype[i] < 0)
            continue;
        /* Ground is where a creature stood still (what flies by does not count). */
        if (!(at = ex_slot(&x->prev, (uint64_t)state_entity_id(c->s, i) + 1, 1)))
            return AUGUR_ENOMEM;
        if (*at == pos) {
            rc = ex_add(&x->trod, (uint64_t)ex_cell(c, c->ex[i], c->ey[i]) + 1, 1);
            x->sightings++;
        }
        *at = pos;
        if (rc == AUGUR_OK)
            rc = ex_news(x, (uint64_t)c->etype[i] << 32 | 1);
    }
    return rc;
}

/* What the player holds: its integer attributes that are not records, positions
** or needs. */
static void ex_holdings(explorer *x, ex_items *it)
{
    const laws_induce_opts *io = laws_online_induce_opts(x->o);
    law_ctx *c = ex_ctx(x);

    it->n = 0;
    for (size_t i = 0; c->player >= 0 && i < state_attr_count(c->s, c->player) && it->n < EX_NITEMS; i++) {
        state_value v;
        const char *name = state_attr_at(c->s, c->player, i, &v);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        if (v.kind != STATE_INT || id < 0 || id == N_X || id == N_Y || lm_ignored(io, name) ||
            ex_need(x, id))
            continue;
        it->id[it->n] = id;
        it->v[it->n++] = v.as.i;
    }
}

/* Whether the player's attribute id is a thing it holds (an integer, not a
** record, position or need), whether it holds any now or not. */
static int ex_is_item(explorer *x, int id)
{
    int kind = STATE_FLOAT;
    law_ctx *c = ex_ctx(x);

    if (id < 0 || id == N_X || id == N_Y || ex_need(x, id) ||
        lm_ignored(laws_online_induce_opts(x->o), names_text(&ex_model(x)->names, id)))
        return 0;
    return c->player >= 0 && !isnan(law_ctx_attr(c, c->player, id, &kind)) && kind == STATE_INT;
}

/* ---- walking ------------------------------------------------------------------------------- */

/* What stepping onto a cell costs: 1 on ground, 2 more through what `do` digs
** now (when dig: face it, dig, step); 0 when it cannot be entered, or is within
** reach of a threat. */
static int ex_cost(explorer *x, int cx, int cy, int dig)
{
    const law_ctx *c = ex_ctx(x);
    int mat;

    if (!ex_inside(x, cx, cy) || (mat = x->seen[cy * x->W + cx]) < 0 || ex_occupied(c, cx, cy) ||
        x->danger[cy * x->W + cx])
        return 0;
    return ex_ground(x, mat) ? 1 : dig && ex_diggable(x, mat) ? 3 : 0;
}

/* Whether a move toward (cx, cy) leaves the player where it is: someone stands
** there, or moves onto its material have failed. */
static int ex_stops(explorer *x, int cx, int cy)
{
    int mat = ex_seen_at(x, cx, cy);

    return ex_occupied(ex_ctx(x), cx, cy) ||
           (mat >= 0 && !ex_ground(x, mat) && ex_get(&x->blocked, (uint64_t)mat + 1) > 0);
}

/* Waiting: the world's noop, or (a world without one) a step onto ground. */
static int ex_wait(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    int a = (int)(rng_splitmix_uniform(&x->rng) * 4) & 3;

    if (x->noop >= 0)
        return x->noop;
    for (int k = 0; k < 4; k++, a = (a + 1) & 3)
        if (ex_cost(x, c->px + ex_dx[a], c->py + ex_dy[a], 0) == 1)
            return x->moves[a];
    return x->moves[a];
}

/* The search's states: a cell and the way the player faces there (4: unknown). */
enum { EX_WAYS = 5 };

static void ex_heap_push(explorer *x, int *n, int st)
{
    int i = (*n)++;

    while (i > 0 && x->sdist[x->heap[(i - 1) / 2]] > x->sdist[st]) {
        x->heap[i] = x->heap[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    x->heap[i] = st;
}

static int ex_heap_pop(explorer *x, int *n)
{
    int top = x->heap[0], last = x->heap[--*n], i = 0;

    for (;;) {
        int k = 2 * i + 1;
        if (k >= *n)
            break;
        if (k + 1 < *n && x->sdist[x->heap[k + 1]] < x->sdist[x->heap[k]])
            k++;
        if (x->sdist[x->heap[k]] >= x->sdist[last])
            break;
        x->heap[i] = x->heap[k];
        i = k;
    }
    if (*n)
        x->heap[i] = last;
    return top;
}

typedef int (*ex_goal_fn)(explorer *x, int cx, int cy, const void *arg);

/* The first move (or dig) of the cheapest way to a cell the goal accepts (beside:
** to stand beside one facing it, having walked toward it or turned to it where
** it stops the player, so that no step lands on it): its goal cell in *at; -1
** when none is in reach. x->dist gets each cell's walking distance. The search
** runs over cells and the way the player faces, since how a cell is entered
** decides what the player faces there. */
static int ex_route(explorer *x, ex_goal_fn goal, const void *arg, int beside, int dig, int *at)
{
    const law_ctx *c = ex_ctx(x);
    int n = x->W * x->H, nheap = 0, found = -1, face = 4, st;

    for (int d = 0; d < 4; d++)
        if (c->fdx == ex_dx[d] && c->fdy == ex_dy[d])
            face = d;
    for (int i = 0; i < n; i++)
        x->dist[i] = -1;
    for (int i = 0; i < n * EX_WAYS; i++)
        x->sdist[i] = -1;
    st = (c->py * x->W + c->px) * EX_WAYS + face;
    x->sdist[st] = 0;
    x->via[st] = -1;
    x->dist[st / EX_WAYS] = 0;
    ex_heap_push(x, &nheap, st);
    while (nheap && found < 0) {
        int cur = ex_heap_pop(x, &nheap), cell = cur / EX_WAYS, way = cur % EX_WAYS;
        if (x->sdist[cur] > EX_SEARCH * 3)
            break;
        for (int d = 0; d < 4 && found < 0; d++) {
            int nx = cell % x->W + ex_dx[d], ny = cell / x->W + ex_dy[d], ni = ny * x->W + nx, cost, ns;
            if (!ex_inside(x, nx, ny))
                continue;
            if (beside && goal(x, nx, ny, arg) && (way == d || ex_stops(x, nx, ny))) {
                found = cur;
                *at = ni;
                break;
            }
            if (!(cost = ex_cost(x, nx, ny, dig)))
                continue;
            if (cost > 1 && way == d)
                cost--;
            ns = ni * EX_WAYS + d;
            if (x->sdist[ns] >= 0)
                continue;
            x->sdist[ns] = x->sdist[cur] + cost;
            x->via[ns] = cur;
            if (x->dist[ni] < 0 || x->sdist[ns] < x->dist[ni])
                x->dist[ni] = x->sdist[ns];
            if (!beside && goal(x, nx, ny, arg)) {
                found = ns;
                *at = ni;
                break;
            }
            ex_heap_push(x, &nheap, ns);
        }
    }
    if (found < 0)
        return -1;
    if (x->via[found] < 0) {
        /* Beside the goal already: turn to it (facing it, there is nothing to do). */
        for (int d = 0; d < 4; d++)
            if (c->px + ex_dx[d] == *at % x->W && c->py + ex_dy[d] == *at / x->W && d != face)
                return x->moves[d];
        return -1;
    }
    while (x->via[x->via[found]] >= 0)
        found = x->via[found];
    {
        int d = found % EX_WAYS, cell = found / EX_WAYS;
        /* Facing what is in the way and can be dug: dig. */
        if (!ex_ground(x, x->seen[cell]) && d == face)
            return x->act_do;
        return x->moves[d];
    }
}

typedef struct ex_target {
    int material, entity;
} ex_target;

/* A cell holding the target: the material with nothing on it, or an entity of
** the type. */
static int ex_goal_target(explorer *x, int cx, int cy, const void *arg)
{
    const ex_target *t = arg;
    const law_ctx *c = ex_ctx(x);
    int e;

    if (t->entity >= 0)
        return (e = ex_entity_at(c, cx, cy)) >= 0 && c->etype[e] == t->entity && ex_visible(c, e);
    return ex_seen_at(x, cx, cy) == t->material && !ex_occupied(c, cx, cy);
}

static int ex_goal_unseen(explorer *x, int cx, int cy, const void *arg)
{
    (void)arg;
    return x->seen[cy * x->W + cx] < 0;
}

static int ex_goal_cell(explorer *x, int cx, int cy, const void *arg)
{
    const int *cell = arg;

    (void)x;
    return cx == cell[0] && cy == cell[1];
}

/* A cell from which the 3x3 around it holds the material. */
static int ex_goal_near(explorer *x, int cx, int cy, const void *arg)
{
    const int *mat = arg;

    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++)
            if (ex_seen_at(x, cx + dx, cy + dy) == *mat)
                return 1;
    return 0;
}

/* Whether the faced tile is the target. */
static int ex_facing(const law_ctx *c, int material, int entity)
{
    int e = c->place_ent[PL_FACING];

    if (entity >= 0)
        return e >= 0 && c->etype[e] == entity;
    return material < 0 || (c->place_mat[PL_FACING] == material && e < 0);
}

/* Face the target, walking to it first. A target one can stand on is faced by
** walking onto the one before it. */
static int ex_approach(explorer *x, int material, int entity)
{
    ex_target t = { material, entity };
    int at;

    if (ex_facing(ex_ctx(x), material, entity))
        return -1;
    return ex_route(x, ex_goal_target, &t, 1, 0, &at);
}

/* Carry out a plan: face what it needs, stand where it needs, then act. */
static int ex_follow(explorer *x, const ex_plan *p)
{
    law_ctx *c = ex_ctx(x);
    int a, at;

    if (x->trace)
        snprintf(x->plan, sizeof x->plan, "plan(%s m%d e%d n%d)",
                 p->action >= 0 ? x->w->cls->actions[p->action] : "-", p->material, p->entity, p->near);
    if (p->near >= 0 && !law_ctx_read(c, &(law_ref){ REF_NEARBY, 0, p->near }, -1))
        return ex_route(x, ex_goal_near, &p->near, 0, 0, &at);
    if (!ex_facing(c, p->material, p->entity))
        return (a = ex_approach(x, p->material, p->entity)) >= 0 ? a : -1;
    return p->action;
}

/* ---- staying alive ----------------------------------------------------------------------- */

/* Whether the player cannot move while its true/false attribute attr is v (asleep). */
static int ex_helpless_at(explorer *x, int attr, double v)
{
    uint64_t k = ex_key3(0xf1a9, (uint64_t)attr, v != 0);
    uint32_t stuck = ex_get(&x->helpless, k);

    return stuck >= EX_STUCK && ex_get(&x->moved, k) * 4 < stuck;
}

/* Whether action a has left the player helpless: after it a true/false
** attribute took a value under which the player cannot move (asleep). Such an
** action is taken only where nothing can reach the player. */
static int ex_risky(explorer *x, int a)
{
    laws *m = ex_model(x);

    for (int id = 0; id < m->names.n; id++)
        for (int v = 0; v <= 1; v++)
            if (ex_get(&x->sets, ex_key3((uint64_t)a, (uint64_t)id, (uint64_t)v)) &&
                ex_helpless_at(x, id, v))
                return 1;
    return 0;
}

/* Whether a true/false attribute of the player is not as it was when life
** began (asleep): what an action does then is not what it does otherwise. */
static int ex_unusual(explorer *x)
{
    law_ctx *c = ex_ctx(x);

    for (size_t i = 0; c->player >= 0 && i < state_attr_count(c->s, c->player); i++) {
        state_value v;
        const char *name = state_attr_at(c->s, c->player, i, &v);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        uint32_t *was;
        if (v.kind != STATE_BOOL || id < 0 || !(was = ex_slot(&x->usual, ex_attr_key(id), 1)))
            continue;
        if (!*was)
            *was = (uint32_t)(v.as.b != 0) + 1;
        if (*was != (uint32_t)(v.as.b != 0) + 1)
            return 1;
    }
    return 0;
}

/* Whether the player is helpless now. */
static int ex_helpless(explorer *x)
{
    law_ctx *c = ex_ctx(x);

    for (size_t i = 0; c->player >= 0 && i < state_attr_count(c->s, c->player); i++) {
        state_value v;
        const char *name = state_attr_at(c->s, c->player, i, &v);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        if (v.kind == STATE_BOOL && id >= 0 && ex_helpless_at(x, id, v.as.b))
            return 1;
    }
    return 0;
}

/* How far a cell lies outside the reach of the visible threats (the least over
** them of distance minus reach; large when none is in view). */
static int ex_clearance(explorer *x, int cx, int cy)
{
    const law_ctx *c = ex_ctx(x);
    int best = 1000, reach;

    for (int j = 0; j < c->nents; j++) {
        int v;
        if (j == c->player || c->etype[j] < 0 || !ex_visible(c, j) || !ex_hurts(x, c->etype[j], &reach))
            continue;
        v = abs(c->ex[j] - cx) + abs(c->ey[j] - cy) - reach;
        best = v < best ? v : best;
    }
    return best;
}

/* Turn to (or hit, when already facing it) the creature e next to the player. */
static int ex_hit(explorer *x, int e)
{
    const law_ctx *c = ex_ctx(x);

    if (c->place_ent[PL_FACING] == e)
        return x->act_do;
    for (int k = 0; k < 4; k++)
        if (c->px + ex_dx[k] == c->ex[e] && c->py + ex_dy[k] == c->ey[e])
            return x->moves[k];
    return -1;
}

/* A threat within its reach. One next to the player is hit when `do` is known
** to hurt its kind (running from one that follows only gives it more hits), or
** to learn whether it does (while health allows, or when it hurts only from
** next to the player), unless one more hit may end the player; the faced one
** first when it is a threat too. One that hurts only from next to the player and is known to be
** hurt by hits is waited for while health is not low. Else step to the free
** neighbour farthest out of the threats' reach (more room to run on breaking
** ties); when cornered next to it, hit it. -1: nothing to defend against, or
** staying is best. */
static int ex_defend(explorer *x, double health)
{
    law_ctx *c = ex_ctx(x);
    int d, near = ex_threat(x, 0, &d), best = -1, faced = c->place_ent[PL_FACING], reach, melee;
    double best_v;

    if (near < 0)
        return -1;
    if (faced >= 0 && faced != near && c->etype[faced] >= 0 && ex_hurts(x, c->etype[faced], &reach))
        near = faced;
    melee = ex_hurts(x, c->etype[near], &reach) && reach <= EX_REACH;
    if (d <= 1 && health > EX_DIRE &&
        (ex_fightable(x, c->etype[near]) ||
         (ex_get(&x->fought, (uint64_t)c->etype[near] + 1) < EX_FIGHT_TRIES &&
          (melee || health >= EX_BRAVE)))) {
        if (faced == near && ex_add(&x->fought, (uint64_t)c->etype[near] + 1, 1) != AUGUR_OK)
            return -1;
        return ex_hit(x, near);
    }
    if (d > 1 && ex_bold(x, c->etype[near]))
        return -1;
    best_v = ex_clearance(x, c->px, c->py);
    for (int k = 0; k < 4; k++) {
        int nx = c->px + ex_dx[k], ny = c->py + ex_dy[k];
        double v;
        if (!ex_ground(x, ex_seen_at(x, nx, ny)) || ex_occupied(c, nx, ny))
            continue;
        v = ex_clearance(x, nx, ny);
        for (int j = 0; j < 4; j++)
            v += ex_ground(x, ex_seen_at(x, nx + ex_dx[j], ny + ex_dy[j])) ? 0.1 : 0;
        if (v > best_v) {
            best_v = v;
            best = k;
        }
    }
    if (best >= 0)
        return x->moves[best];
    return d <= 1 ? ex_hit(x, near) : -1;
}

static uint64_t ex_thing(explorer *x, int mat, int e);
static uint64_t ex_faced_thing(explorer *x);

/* Whether doing a to produce on thing produced nothing twice lately. */
static int ex_let_down_on(explorer *x, int a, uint64_t thing)
{
    uint64_t k = ex_key3((uint64_t)a, thing, 0x1e7);

    return ex_get(&x->letdown, k) >= 2 && x->now - (long)ex_get(&x->letdown, k ^ 1) < EX_LETDOWN;
}

/* Whether doing a to produce on the faced thing produced nothing twice lately. */
static int ex_let_down(explorer *x, int a)
{
    return ex_let_down_on(x, a, ex_faced_thing(x));
}

/* Whether following plan p would end in a let-down: judged on the material it is
** to face, when that is not what the player faces now (else a plan given up where
** it ends is taken up again a step away). */
static int ex_plan_let_down(explorer *x, const ex_plan *p)
{
    const law_ctx *c = ex_ctx(x);

    if (p->material >= 0 && p->entity < 0 && !ex_facing(c, p->material, -1))
        return ex_let_down_on(x, p->action, ex_thing(x, p->material, -1));
    return ex_let_down(x, p->action);
}

/* The action that serves the lowest need at or below level that has a plan
** (laws first, then memory), or -1; with risky 0, none that leaves the player
** helpless (sleep is for shelters). */
static int ex_needs(explorer *x, double level, int risky)
{
    laws *m = ex_model(x);
    double prev_v = -INFINITY;
    int prev = -1;

    /* The needs in order, lowest first. */
    for (;;) {
        double v = INFINITY;
        int attr = -1, a;
        ex_plan p = { -1, -1, -1, -1 };
        uint32_t r;
        for (int id = 0; id < m->names.n; id++) {
            double w;
            if (!ex_need(x, id) || isnan(w = ex_player_attr(x, id)) || w > level ||
                w < prev_v || (w == prev_v && id <= prev) || w >= v)
                continue;
            attr = id;
            v = w;
        }
        if (attr < 0)
            return -1;
        prev = attr;
        prev_v = v;
        if (!ex_plan_for(x, attr, 1, 0, &p) || p.action < 0) {
            if (!(r = ex_get(&x->remedy, ex_attr_key(attr)))) {
                x->unmet = 1;
                continue;
            }
            p.action = (int)(r & 0x3ff);
            p.entity = (int)(r >> 10 & 0x3ff) - 1;
            p.material = p.entity >= 0 ? -1 : (int)(r >> 20) - 1;
            p.near = -1;
        }
        if (ex_risky(x, p.action) != risky || ex_plan_let_down(x, &p))
            continue;
        if ((a = ex_follow(x, &p)) >= 0)
            return a;
    }
}

/* ---- shelter ---------------------------------------------------------------------------- */

/* Whether some law puts a wall that `do` digs again on ground, its other
** conditions aside (digging the pocket may give what it uses). */
static int ex_can_block(explorer *x)
{
    laws *m = ex_model(x);

    for (int a = 0; a < x->w->cls->nactions; a++)
        if (a != x->act_do && ex_block_of(x, a, 0) >= 0)
            return 1;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        int wall = ex_makes_cell(l);
        if (ex_believed(l) && l->subject < 0 && l->naction && l->action[0] != x->act_do &&
            ex_wall(x, wall) && ex_diggable(x, wall))
            return 1;
    }
    return 0;
}

/* Whether (mx, my) is the mouth of a pocket in direction d: the two cells beyond
** it ground (free) or diggable, walled on their sides and at the end, and the
** mouth ground a wall can be put on (now, or with what digging the pocket gives). */
static int ex_pocket_at(explorer *x, int mx, int my, int d)
{
    const law_ctx *c = ex_ctx(x);
    int dx = ex_dx[d], dy = ex_dy[d], mouth = ex_seen_at(x, mx, my), dug = 0;

    if (!ex_ground(x, mouth) || !ex_wall(x, ex_seen_at(x, mx + 3 * dx, my + 3 * dy)))
        return 0;
    for (int k = 1; k <= 2; k++) {
        int cx = mx + k * dx, cy = my + k * dy, mat = ex_seen_at(x, cx, cy);
        if (ex_diggable(x, mat))
            dug++;
        else if (!ex_ground(x, mat) || ex_occupied(c, cx, cy))
            return 0;
        if (!ex_wall(x, ex_seen_at(x, cx + dy, cy + dx)) || !ex_wall(x, ex_seen_at(x, cx - dy, cy - dx)))
            return 0;
    }
    return ex_blocker(x, mouth) >= 0 || (dug && ex_can_block(x));
}

static int ex_goal_pocket(explorer *x, int cx, int cy, const void *arg)
{
    int *d = (int *)arg;

    for (*d = 0; *d < 4; (*d)++)
        if (ex_pocket_at(x, cx, cy, *d))
            return 1;
    return 0;
}

/* Choose the nearest pocket whose mouth can be walked to. */
static int ex_find_pocket(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    int d = 0, at;

    if (ex_goal_pocket(x, c->px, c->py, &d))
        at = c->py * x->W + c->px;
    else if (ex_route(x, ex_goal_pocket, &d, 0, 0, &at) < 0)
        return 0;
    x->pocket = (ex_pocket){ 1, at % x->W, at / x->W, d, 0 };
    return 1;
}

/* Why to shelter: threats come now or soon, or a need only sleep meets is low. */
static int ex_shelter_due(explorer *x)
{
    return ex_dark(x) || x->threats_seen >= EX_THREATS || ex_needs(x, EX_NEED, 1) >= 0;
}

/* Where nothing can reach the player and a need is not full: what leaves it
** helpless (sleep), which may be what fills it; -1 when none is known. */
static int ex_rest(explorer *x)
{
    double v;

    if (ex_lowest_need(x, 8, &v) < 0)
        return -1;
    for (int a = 0; a < x->w->cls->nactions; a++)
        if (ex_risky(x, a) && !ex_let_down(x, a)) {
            x->why = "rest";
            return a;
        }
    return -1;
}

/* Inside a walled pocket: meet the needs only sleep meets, wait while threats
** come, then dig out through the mouth. */
static int ex_sheltered(explorer *x, int ax, int ay, int dire)
{
    const law_ctx *c = ex_ctx(x);
    ex_pocket *k = &x->pocket;
    int a, back = k->d ^ 1;

    if (!k->sealed)
        k->sealed = x->now;
    if (!dire && ((a = ex_needs(x, 8, 1)) >= 0 || (a = ex_rest(x)) >= 0))
        return a;
    if (!dire && (ex_dark(x) || x->now - x->alarm < EX_WARY || x->now - k->sealed < 10))
        return ex_wait(x);
    /* Out: to the inner cell facing the mouth, and dig it. */
    if (c->px != ax || c->py != ay || c->fdx != ex_dx[back] || c->fdy != ex_dy[back])
        return x->moves[back];
    k->on = 0;
    return x->act_do;
}

/* Keep to the pocket: walk to its mouth, dig or walk two cells in, step back one
** (now facing the mouth) and wall it up; inside, sleep and wait. */
static int ex_shelter(explorer *x, int dire)
{
    const law_ctx *c = ex_ctx(x);
    ex_pocket *k = &x->pocket;
    int d, dx, dy, ax, ay, bx, by, at, a;

    if (!k->on && (dire || !ex_shelter_due(x)))
        return -1;
    if (!k->on && !ex_find_pocket(x)) {
        if (x->trace)
            snprintf(x->plan, sizeof x->plan, "no pocket (can block %d)", ex_can_block(x));
        return -1;
    }
    d = k->d;
    dx = ex_dx[d];
    dy = ex_dy[d];
    ax = k->mx + dx;
    ay = k->my + dy;
    bx = ax + dx;
    by = ay + dy;
    if ((c->px == ax && c->py == ay) || (c->px == bx && c->py == by)) {
        if (ex_wall(x, ex_cell(c, k->mx, k->my)))
            return ex_sheltered(x, ax, ay, dire);
        if (c->px == bx && c->py == by)
            return x->moves[d ^ 1];
        if (c->fdx == dx && c->fdy == dy) {
            /* Facing in: on to the end, digging. */
            if (ex_ground(x, ex_cell(c, bx, by)) && !ex_occupied(c, bx, by))
                return x->moves[d];
            if (ex_diggable(x, ex_cell(c, bx, by)))
                return x->act_do;
            k->on = 0;
            return -1;
        }
        /* Facing the mouth: wall it up (hit what stands in it). */
        if (ex_occupied(c, k->mx, k->my))
            return x->act_do;
        if ((a = ex_blocker(x, ex_cell(c, k->mx, k->my))) >= 0)
            return a;
        k->on = 0;
        return -1;
    }
    if (c->px == k->mx && c->py == k->my) {
        if (ex_ground(x, ex_cell(c, ax, ay)) && !ex_occupied(c, ax, ay))
            return x->moves[d];
        if (c->fdx == dx && c->fdy == dy && ex_diggable(x, ex_cell(c, ax, ay)))
            return x->act_do;
        if (c->fdx != dx || c->fdy != dy)
            return x->moves[d];
        k->on = 0;
        return -1;
    }
    {
        int cell[2] = { k->mx, k->my };
        if ((a = ex_route(x, ex_goal_cell, cell, 0, 0, &at)) < 0)
            k->on = 0;
        return a;
    }
}

/* ---- curiosity ---------------------------------------------------------------------------- */

enum { EX_GROUND_THING = 1 };

/* Creature e of s, of the given type, as a key: its type and the numbers of
** it that do not drift by themselves (not where it is). */
static uint64_t ex_creature(explorer *x, const state *s, int e, int type)
{
    uint64_t h = ex_key3(0xe7, (uint64_t)type, 0);

    for (size_t i = 0; i < state_attr_count(s, e); i++) {
        state_value v;
        const char *name = state_attr_at(s, e, i, &v);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        if (id != N_X && id != N_Y && (v.kind == STATE_INT || v.kind == STATE_BOOL) &&
            !ex_get(&x->drifts, ex_key3(0xd1, (uint64_t)type, (uint64_t)id)))
            h = ex_key3(h, (uint64_t)id, (uint64_t)v.as.i);
    }
    return h;
}

/* What the player faces, as a thing to try actions on: the ground (all ground
** alike), another material, or an entity's type with its attributes that do not
** drift (a cow hit once is a new thing to hit). 0: nothing (outside the grid). */
static uint64_t ex_thing(explorer *x, int mat, int e)
{
    const law_ctx *c = ex_ctx(x);

    if (e < 0)
        return mat < 0 ? 0 : ex_ground(x, mat) ? EX_GROUND_THING : (uint64_t)mat + 2;
    return ex_creature(x, c->s, e, c->etype[e]);
}

/* The faced material as a key part (-1 when none: + 2 keeps it above 0). */
static uint64_t ex_faced_mat(explorer *x)
{
    return (uint64_t)(int64_t)ex_ctx(x)->place_mat[PL_FACING];
}

static uint64_t ex_faced_thing(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    return ex_thing(x, c->place_mat[PL_FACING], c->place_ent[PL_FACING]);
}

/* Whether a law (not about creatures) names action a: it is known to do something. */
static int ex_known(explorer *x, int a)
{
    laws *m = ex_model(x);

    for (int i = 0; i < m->n; i++)
        if (m->law[i].subject < 0 && ex_law_action(x, &m->law[i]) == a && ex_believed(&m->law[i]))
            return 1;
    return 0;
}

/* Whether the laws of action a read what the player faces: where it is done
** matters. */
static int ex_faces(explorer *x, int a)
{
    laws *m = ex_model(x);

    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        if (l->subject >= 0 || ex_law_action(x, l) != a || !ex_believed(l))
            continue;
        for (int k = 0; k < l->decl.ncond; k++) {
            int kind = l->decl.cond[k].ref.kind;
            if ((kind == REF_MATERIAL || kind == REF_ENTITY || kind == REF_PLACE) &&
                l->decl.cond[k].ref.place == PL_FACING)
                return 1;
        }
    }
    return 0;
}

/* Whether the player holds an item at a level never held at a try keyed by
** (a, k): with only_new, any item held at all; else a gathered item (what made
** things are made of) at EX_PLENTY. Thresholds are found there, failures
** below it on the way there. */
static int ex_record(explorer *x, ex_map *most, int a, uint64_t k, int only_new)
{
    for (int i = 0; i < x->items.n; i++) {
        int64_t v = x->items.v[i] > EX_PLENTY ? EX_PLENTY : x->items.v[i];
        uint32_t had = ex_get(most, ex_key3((uint64_t)a, k, (uint64_t)x->items.id[i]));
        if (only_new ? v >= 1 && had <= 1
                     : v == EX_PLENTY && had <= EX_PLENTY && ex_get(&x->gathered, (uint64_t)x->items.id[i] + 1))
            return 1;
    }
    return 0;
}

/* The landmarks around the player: the materials of the 3x3 that are not ground,
** each once; returns how many. */
static int ex_landmarks(explorer *x, int32_t *out, int max)
{
    const law_ctx *c = ex_ctx(x);
    int n = 0;

    for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
            int mat = ex_cell(c, c->px + dx, c->py + dy), dup = 0;
            for (int k = 0; k < n; k++)
                dup |= out[k] == mat;
            if (mat >= 0 && !dup && !ex_ground(x, mat) && n < max)
                out[n++] = mat;
        }
    return n;
}

/* Whether the player holds what action a took each time it worked. */
static int ex_holds_cost(explorer *x, int a)
{
    for (int i = 0; i < x->items.n; i++) {
        uint32_t took = ex_get(&x->cost, ex_key3((uint64_t)a, (uint64_t)x->items.id[i], 0));
        if (took && x->items.v[i] < (int64_t)took - 1)
            return 0;
    }
    return 1;
}

/* Seen again, it is a law: whether action a, which worked `worked` of `tries`
** times somewhere, is worth a try more there. It worked fewer than EX_CONFIRM
** times in all, the tries there are few for what worked, and the player holds
** what it took. */
static int ex_again(explorer *x, int a, uint32_t worked, uint32_t tries)
{
    return worked && ex_get(&x->works, (uint64_t)a + 1) < EX_CONFIRM && tries <= 2 * worked + 2 &&
           ex_holds_cost(x, a);
}

/* What trying action a facing thing would teach. An action no law names yet is
** tried on the first few kinds of thing it meets, and facing ground with an
** item at a level never held at its tries there; one the laws know, on each
** kind of thing that is no ground a few times, and again with each new item. */
static double ex_novelty(explorer *x, int a, uint64_t thing)
{
    uint32_t tries = ex_get(&x->tried, ex_key3((uint64_t)a, thing, 0));
    uint32_t kinds = ex_get(&x->kinds_failed, (uint64_t)a + 1);
    double n = 0;

    if (!thing || a == x->noop)
        return 0;
    if (ex_known(x, a)) {
        if (thing == EX_GROUND_THING || !ex_faces(x, a))
            return 0;
        return (tries < EX_REPLICATE ? 0.8 : 0) + (ex_record(x, &x->tmax, a, thing, 1) ? 1 : 0);
    }
    if (!tries && (thing == EX_GROUND_THING || kinds < EX_BLIND_KINDS || ex_get(&x->works, (uint64_t)a + 1)))
        n += 1;
    /* It did something here once. */
    if (ex_again(x, a, ex_get(&x->worked_on, ex_key3((uint64_t)a, thing, 0)), tries))
        n += 1;
    if (thing == EX_GROUND_THING && ex_record(x, &x->tmax, a, thing, 0))
        n += 1;
    return n;
}

/* Whether a believed law of action a that reads the faced material would fire
** were the player facing what it names: with mat >= 0, facing mat (which the
** player does not face); with mat -1, facing the first material the law names,
** for a law that does not name ground (-1: what the player faces now). Where the
** law fires but for what is faced, trying a tells whether its material is needed. */
static int ex_faced_in_law(explorer *x, int a, int mat, int ground)
{
    laws *m = ex_model(x);
    int faced = ex_ctx(x)->place_mat[PL_FACING];

    if (ground < 0)
        ground = faced;
    if (faced == mat)
        return 0;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        const law_cond *cd = NULL;
        if (ex_law_action(x, l) != a)
            continue;
        for (int k = 0; k < l->decl.ncond && !cd; k++)
            if (l->decl.cond[k].ref.kind == REF_MATERIAL && l->decl.cond[k].ref.place == PL_FACING)
                cd = &l->decl.cond[k];
        if (!cd || (mat < 0 && ((cd->op != OP_EQ && cd->op != OP_IN) || law_cond_test(cd, ground))))
            continue;
        if (ex_fires(x, l, a, mat >= 0 ? mat : (int)cd->v[0], -1))
            return 1;
    }
    return 0;
}

/* The kinds of gathered item the player holds, as a key; 0 when fewer than two
** (what makes a thing may take several kinds at once). */
static uint64_t ex_held_kinds(explorer *x)
{
    uint64_t k = 0;
    int kinds = 0;

    for (int i = 0; i < x->items.n; i++)
        if (x->items.v[i] >= 1 && ex_get(&x->gathered, (uint64_t)x->items.id[i] + 1)) {
            k = ex_key3(k, (uint64_t)x->items.id[i], 0x313);
            kinds++;
        }
    return kinds >= 2 ? k : 0;
}

/* What trying action a beside landmark mat would teach: beside what the player
** made itself, with an item at a level, or kinds of item together, never held
** at its tries there. */
static double ex_novelty_beside(explorer *x, int a, int mat)
{
    uint64_t held = ex_held_kinds(x);

    if (a == x->noop || ex_known(x, a) || !ex_get(&x->made, (uint64_t)mat + 1))
        return 0;
    return ex_record(x, &x->nmax, a, (uint64_t)mat + 2, 0) ||
           (held && !ex_get(&x->mixes, ex_key3((uint64_t)a, (uint64_t)mat + 2, held))) ||
           ex_again(x, a, ex_get(&x->near_tried, ex_key3((uint64_t)a, (uint64_t)mat + 2, 3)),
                    ex_get(&x->near_tried, ex_key3((uint64_t)a, (uint64_t)mat + 2, 0))) ? 1 : 0;
}

/* What trying a law's action with landmark mat beside but not faced would teach,
** for a law that reads the faced material: learned facing mat alone, it cannot
** tell facing from being near (a few tries tell). */
static double ex_novelty_unfaced(explorer *x, int a, int mat)
{
    if (a == x->noop || !ex_get(&x->made, (uint64_t)mat + 1) ||
        ex_get(&x->near_tried, ex_key3((uint64_t)a, (uint64_t)mat + 2, 1)) >= EX_REPLICATE)
        return 0;
    return ex_faced_in_law(x, a, mat, -1) ? 1 : 0;
}

/* What trying a known action facing ground mat would teach: once on each kind
** of ground its laws do not name where they would fire but for the ground. */
static int ex_ground_test(explorer *x, int a, int mat)
{
    return a != x->noop && ex_known(x, a) &&
           ex_get(&x->near_tried, ex_key3((uint64_t)a, (uint64_t)mat + 2, 2)) < 1 &&
           ex_faced_in_law(x, a, -1, mat);
}

static double ex_novelty_ground(explorer *x, int a, uint64_t thing)
{
    return thing == EX_GROUND_THING && ex_ground_test(x, a, ex_ctx(x)->place_mat[PL_FACING]) ? 1 : 0;
}

/* What trying a beside the landmarks around the player would teach. */
static double ex_novelty_landmarks(explorer *x, int a)
{
    int32_t marks[9];
    int nmarks = ex_landmarks(x, marks, 9);
    double n = 0;

    for (int k = 0; k < nmarks; k++)
        n += ex_novelty_beside(x, a, marks[k]) + ex_novelty_unfaced(x, a, marks[k]);
    return n;
}

/* The key of the creature the player faces, or 0 when it faces none. */
static uint64_t ex_one_creature(explorer *x)
{
    const law_ctx *c = ex_ctx(x);
    int e = c->place_ent[PL_FACING];

    return e < 0 ? 0 : ex_key3((uint64_t)state_entity_id(c->s, e), 0xc7, 0);
}

/* What trying a here would teach. A creature whose attributes change by
** themselves while it is acted on (a plant growing as it is hit) is a new thing
** at each step: the same one is tried only so often. */
static double ex_novelty_here(explorer *x, int a, uint64_t thing)
{
    uint64_t one = ex_one_creature(x);
    double n = one && ex_get(&x->tried_one, one) >= EX_ONE_CREATURE ? 0 : ex_novelty(x, a, thing);

    return n + ex_novelty_ground(x, a, thing) + ex_novelty_landmarks(x, a);
}

/* Remember a try of a here (before it was taken). */
static int ex_note_try(explorer *x, int a, uint64_t thing, int worked)
{
    int32_t marks[9];
    int nmarks = ex_landmarks(x, marks, 9), rc;
    uint64_t held = ex_held_kinds(x), one = ex_one_creature(x);

    if (!worked && thing != EX_GROUND_THING && !ex_get(&x->tried, ex_key3((uint64_t)a, thing, 0)) &&
        (rc = ex_add(&x->kinds_failed, (uint64_t)a + 1, 1)))
        return rc;
    double low;

    if (ex_lowest_need(x, EX_NEED, &low) >= 0 &&
        (rc = ex_add(&x->tried_low, ex_key3((uint64_t)a, thing, 0), 1)))
        return rc;
    if ((rc = ex_add(&x->tried, ex_key3((uint64_t)a, thing, 0), 1)) ||
        (one && (rc = ex_add(&x->tried_one, one, 1))) ||
        (rc = ex_add(worked ? &x->works : &x->fails, (uint64_t)a + 1, 1)) ||
        (worked && (rc = ex_add(&x->worked_on, ex_key3((uint64_t)a, thing, 0), 1))))
        return rc;
    for (int i = 0; i < x->items.n && rc == AUGUR_OK; i++) {
        uint32_t v = (uint32_t)(x->items.v[i] > EX_PLENTY ? EX_PLENTY : x->items.v[i] < 0 ? 0 : x->items.v[i]);
        rc = ex_raise(&x->tmax, ex_key3((uint64_t)a, thing, (uint64_t)x->items.id[i]), v);
        for (int k = 0; k < nmarks && rc == AUGUR_OK; k++)
            rc = ex_raise(&x->nmax, ex_key3((uint64_t)a, (uint64_t)marks[k] + 2,
                                            (uint64_t)x->items.id[i]), v);
    }
    for (int k = 0; k < nmarks && rc == AUGUR_OK; k++) {
        rc = ex_add(&x->near_tried, ex_key3((uint64_t)a, (uint64_t)marks[k] + 2, 0), 1);
        if (rc == AUGUR_OK && worked)
            rc = ex_add(&x->near_tried, ex_key3((uint64_t)a, (uint64_t)marks[k] + 2, 3), 1);
        if (rc == AUGUR_OK && held)
            rc = ex_add(&x->mixes, ex_key3((uint64_t)a, (uint64_t)marks[k] + 2, held), 1);
        /* A test of facing against being beside counts only where the law would
        ** fire but for what is faced: one without what the law needs tells nothing
        ** (on ground too, below). */
        if (rc == AUGUR_OK && ex_faced_in_law(x, a, marks[k], -1))
            rc = ex_add(&x->near_tried, ex_key3((uint64_t)a, (uint64_t)marks[k] + 2, 1), 1);
    }
    if (rc == AUGUR_OK && thing == EX_GROUND_THING && ex_faced_in_law(x, a, -1, -1))
        rc = ex_add(&x->near_tried, ex_key3((uint64_t)a, ex_faced_mat(x) + 2, 2), 1);
    return rc;
}

/* ---- gathering and making ------------------------------------------------------------------ */

enum { EX_GATHER = 1, EX_MAKE = 2, EX_PLACE = 4 };

/* What the model says action a does here: gathers (an item rises, none falls),
** makes (an item rises, others fall) or places (the faced tile changes). */
static int ex_outcome(explorer *x, int a, int *made, int64_t *spare)
{
    laws *m = ex_model(x);
    int rises = 0, falls = 0, cell = 0, player;

    *made = -1;
    *spare = INT64_MAX;
    if (lm_predict(m, x->s, a, NULL) != AUGUR_OK)
        return 0;
    player = m->ctx.player;
    for (int k = 0; k < m->nslot; k++) {
        const lm_slot *sl = &m->slot[k];
        double best = -INFINITY, v = sl->current;
        for (int i = 0; i < sl->n; i++)
            if (m->plp[sl->first + i] > best) {
                best = m->plp[sl->first + i];
                v = m->pv[sl->first + i];
            }
        if (v == sl->current)
            continue;
        if (SLOT_KIND(sl->slot) == SLOT_CELL && SLOT_B(sl->slot) == m->ctx.place_x[PL_FACING] &&
            SLOT_C(sl->slot) == m->ctx.place_y[PL_FACING])
            cell = 1;
        if (SLOT_KIND(sl->slot) == SLOT_ATTR && SLOT_A(sl->slot) == player &&
            ex_is_item(x, SLOT_B(sl->slot))) {
            if (v > sl->current) {
                rises++;
                if (*made < 0 || ex_held(&x->items, SLOT_B(sl->slot)) < ex_held(&x->items, *made))
                    *made = SLOT_B(sl->slot);
            } else {
                falls++;
                if (ex_held(&x->items, SLOT_B(sl->slot)) < *spare)
                    *spare = ex_held(&x->items, SLOT_B(sl->slot));
            }
        }
    }
    return (rises && !falls ? EX_GATHER : 0) | (rises && falls ? EX_MAKE : 0) | (cell && !rises ? EX_PLACE : 0);
}

/* The item acting a on the faced thing once gave, or -1. */
static int ex_gainful_here(explorer *x, int a)
{
    const law_ctx *c = ex_ctx(x);
    int e = c->place_ent[PL_FACING], mat = c->place_mat[PL_FACING];
    uint32_t item = ex_get(&x->gainful, ex_key3((uint64_t)(mat + 2), (uint64_t)((e < 0 ? -1 : c->etype[e]) + 2),
                                                (uint64_t)a));

    return item ? (int)item - 1 : -1;
}

/* The action worth doing here: gathering what it holds less than EX_CAP of,
** making what it holds none of, or confirming a law seen working fewer than
** EX_CONFIRM times; -1 when none. */
static int ex_produce(explorer *x)
{
    int best = -1, score = 0;

    for (int a = 0; a < x->w->cls->nactions; a++) {
        int made, o, sc = 0;
        int64_t spare;
        if (ex_is_move(x, a) || a == x->noop || ex_risky(x, a) || ex_let_down(x, a))
            continue;
        if (!(o = ex_outcome(x, a, &made, &spare)) && (made = ex_gainful_here(x, a)) >= 0)
            o = EX_GATHER;
        if (!o)
            continue;
        if ((o & EX_GATHER) && ex_held(&x->items, made) < EX_CAP)
            sc = 3;
        else if ((o & EX_MAKE) && ex_held(&x->items, made) == 0)
            sc = 2;
        else if ((o & (EX_MAKE | EX_PLACE)) && ex_get(&x->works, (uint64_t)a + 1) < EX_CONFIRM &&
                 spare >= 2)
            sc = 1;
        if (sc > score) {
            score = sc;
            best = a;
        }
    }
    lm_context(ex_model(x), x->s, 0);
    return best;
}

/* The first step toward something it wants: to make an item it holds none of,
** or to see a law that makes or places work EX_CONFIRM times, chaining through
** the laws for what they need; -1 when none is in reach. */
static int ex_wants(explorer *x)
{
    laws *m = ex_model(x);

    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        int want = 0, a;
        ex_plan p;
        if (l->subject >= 0 || !ex_believed(l) || ex_law_action(x, l) < 0 || ex_risky(x, l->action[0]))
            continue;
        for (int e = 0; e < l->decl.neffect && !want; e++) {
            const law_effect *ef = &l->decl.effect[e];
            int made = ex_makes_cell(l);
            if (ef->kind == EF_VALUE && ef->ref.kind == REF_PLAYER && ex_is_item(x, ef->ref.id) &&
                ex_effect_moves(ef, ef->ref.id, 1, NAN))
                want = ex_held(&x->items, ef->ref.id) == 0 ||
                       ex_get(&x->works, (uint64_t)l->action[0] + 1) < EX_CONFIRM;
            else if (ef->kind == EF_CELL && made >= 0 && !ex_ground(x, made))
                want = ex_get(&x->works, (uint64_t)l->action[0] + 1) < EX_CONFIRM;
        }
        /* Only what is not gathered: gathering has its own drive. */
        if (!want || l->decl.ncond == 0 || !ex_plan_law(x, l, 0, &p) || p.action < 0 ||
            ex_plan_let_down(x, &p))
            continue;
        if ((a = ex_follow(x, &p)) >= 0)
            return a;
    }
    return -1;
}

/* ---- going places -------------------------------------------------------------------------- */

/* Fill x->dist with the walking distance from the player (ground only, -1 beyond). */
static void ex_distances(explorer *x)
{
    int at;

    ex_route(x, ex_goal_unseen, NULL, 0, 0, &at);
    /* (the goal never holds of a cell it can enter: the whole area is filled) */
}

/* The walking distance to stand beside cell (cx, cy); -1 when out of reach. */
static int ex_beside(const explorer *x, int cx, int cy)
{
    int best = -1;

    for (int d = 0; d < 4; d++) {
        int nx = cx + ex_dx[d], ny = cy + ex_dy[d], v;
        if (ex_inside(x, nx, ny) && (v = x->dist[ny * x->W + nx]) >= 0 && (best < 0 || v < best))
            best = v;
    }
    return best;
}

enum { EX_OFFER_GATHER, EX_OFFER_ALL, EX_OFFER_KNOWN };

/* What a kind of thing offers: what it once gave that the player holds little
** of; with EX_OFFER_ALL the tries it offers; with EX_OFFER_KNOWN, an action known
** to act on what it faces never tried on it while a need was low (what meets an
** unmet need is likelier among them; a try when it was full could not show it). */
static double ex_offer(explorer *x, uint64_t thing, int mat, int type, int mode)
{
    double n = 0;

    for (int a = 0; a < x->w->cls->nactions; a++) {
        uint32_t item = ex_get(&x->gainful, ex_key3((uint64_t)(mat + 2), (uint64_t)(type + 2), (uint64_t)a));
        if (ex_is_move(x, a))
            continue;
        /* Ground as the world made it is gone to only to test a law there. */
        if (thing == EX_GROUND_THING && !ex_get(&x->made, (uint64_t)mat + 1)) {
            n += mode == EX_OFFER_ALL && type < 0 && ex_ground_test(x, a, mat) ? 2 : 0;
            continue;
        }
        if (mode == EX_OFFER_ALL &&
            ex_novelty(x, a, thing) + (mat >= 0 && type < 0 ? ex_novelty_beside(x, a, mat) : 0) > EX_TRY)
            n += ex_known(x, a) ? 2 : 1;
        else if (mode == EX_OFFER_KNOWN && thing != EX_GROUND_THING && ex_known(x, a) &&
                 ex_faces(x, a) && !ex_get(&x->tried_low, ex_key3((uint64_t)a, thing, 0)))
            n += 1;
        if (mode == EX_OFFER_KNOWN)
            continue;
        if (item && ex_held(&x->items, (int)item - 1) < EX_CAP)
            n += 2;
    }
    return n;
}

/* Walk toward what offers most (nearer first) as ex_offer's mode says, keeping
** to a goal for a while when it is curiosity's. */
static int ex_wander(explorer *x, int mode)
{
    const law_ctx *c = ex_ctx(x);
    laws *m = ex_model(x);
    int best_mat = -1, best_ent = -1, a, *near = calloc((size_t)m->names.n + 1, sizeof *near);
    double best = 0;

    if (x->goal_mode == mode && x->goal_until > x->now && (x->goal_mat >= 0 || x->goal_ent >= 0) &&
        (a = ex_approach(x, x->goal_mat, x->goal_ent)) >= 0) {
        free(near);
        return a;
    }
    x->goal_until = 0;
    if (!near)
        return -1;
    ex_distances(x);
    for (int i = 0; i < x->W * x->H; i++) {
        int mat = x->seen[i], d;
        if (mat < 0 || mat >= m->names.n || (ex_ground(x, mat) && !ex_get(&x->made, (uint64_t)mat + 1) &&
                                             mode != EX_OFFER_ALL) ||
            ex_occupied(c, i % x->W, i / x->W) || (d = ex_beside(x, i % x->W, i / x->W)) < 0)
            continue;
        if (!near[mat] || d + 1 < near[mat])
            near[mat] = d + 1;
    }
    for (int mat = 0; mat < m->names.n; mat++) {
        double score;
        if (!near[mat] || (mat == c->place_mat[PL_FACING] && c->place_ent[PL_FACING] < 0))
            continue;
        score = ex_offer(x, ex_thing(x, mat, -1), mat, -1, mode) / (1 + (near[mat] - 1) / 8.0);
        if (score > best) {
            best = score;
            best_mat = mat;
            best_ent = -1;
        }
    }
    for (int i = 0; i < c->nents; i++) {
        int d;
        double score;
        if (i == c->player || i == c->place_ent[PL_FACING] || !ex_visible(c, i) || c->etype[i] < 0 ||
            (d = ex_beside(x, c->ex[i], c->ey[i])) < 0)
            continue;
        score = ex_offer(x, ex_thing(x, -1, i), ex_cell(c, c->ex[i], c->ey[i]), c->etype[i], mode) /
                (1 + d / 8.0);
        if (score > best) {
            best = score;
            best_mat = -1;
            best_ent = c->etype[i];
        }
    }
    free(near);
    if (best > 0 && (a = ex_approach(x, best_mat, best_ent)) >= 0) {
        x->goal_mat = best_mat;
        x->goal_ent = best_ent;
        x->goal_mode = mode;
        x->goal_until = x->now + EX_GOAL;
        return a;
    }
    return -1;
}

/* Into unseen land. */
static int ex_trek(explorer *x)
{
    int at;
    return ex_route(x, ex_goal_unseen, NULL, 1, 0, &at);
}

/* ---- choosing ------------------------------------------------------------------------------ */

/* The action most worth trying here, or -1; one never tried anywhere only when
** calm (no threat seen lately: it may leave the player helpless). With beside,
** only for what the landmarks around the player would teach: what it holds now
** may be what the action needs, and may not last. */
static int ex_try_here(explorer *x, int calm, int beside)
{
    uint64_t thing = ex_faced_thing(x);
    double best = EX_TRY;
    int pick = -1;

    for (int a = 0; a < x->w->cls->nactions; a++) {
        double n;
        if (ex_is_move(x, a) || ex_risky(x, a) ||
            (!calm && !ex_get(&x->fails, (uint64_t)a + 1) && !ex_get(&x->works, (uint64_t)a + 1)))
            continue;
        if ((n = beside ? ex_novelty_landmarks(x, a) : ex_novelty_here(x, a, thing)) > best) {
            best = n;
            pick = a;
        }
    }
    return pick;
}

static int ex_choose(explorer *x)
{
    laws *m = ex_model(x);
    int health = names_find(&m->names, "health", 6), a, dist;
    double hv = health >= 0 ? ex_player_attr(x, health) : 9, low;
    /* Dire: a need is low and known to be met somewhere, or empty (health goes
    ** with it, shelter or not). */
    int dire = (ex_lowest_need(x, EX_DIRE, &low) >= 0 && ex_needs(x, EX_DIRE, 0) >= 0) ||
               ex_lowest_need(x, 0, &low) >= 0;
    int calm = x->now - x->alarm > EX_WARY;

    if (ex_helpless(x) || (ex_unusual(x) && x->pocket.sealed))
        return x->why = "helpless", ex_wait(x);
    /* A threat at hand first; one farther off matters less than getting to shelter. */
    if ((ex_threat(x, -EX_REACH + 1, &dist) >= 0 || !x->pocket.on) && (a = ex_defend(x, hv)) >= 0)
        return x->why = "defend", a;
    if (x->pocket.on && (x->why = "shelter", a = ex_shelter(x, dire)) >= 0)
        return a;
    if ((a = ex_defend(x, hv)) >= 0)
        return x->why = "defend", a;
    x->unmet = 0;
    if ((a = ex_needs(x, ex_dark(x) ? EX_THIRSTY : EX_NEED, 0)) >= 0)
        return x->why = "needs", a;
    if ((x->why = "shelter", a = ex_shelter(x, dire)) >= 0)
        return a;
    if (!ex_unusual(x) && (a = ex_try_here(x, calm, 1)) >= 0)
        return x->why = "try", a;
    if ((a = ex_produce(x)) >= 0)
        return x->why = "produce", a;
    if (!ex_unusual(x) && ex_threat(x, 4, &dist) < 0 && (a = ex_try_here(x, calm, 0)) >= 0)
        return x->why = "try", a;
    /* A need nothing known meets: what has not been tried may, or what is not
    ** yet seen. */
    if (x->unmet && ((a = ex_wander(x, EX_OFFER_KNOWN)) >= 0 || (a = ex_trek(x)) >= 0))
        return x->why = "seek", a;
    if ((a = ex_wants(x)) >= 0)
        return x->why = "want", a;
    if (x->now - x->last_news < EX_BORED &&
        (a = ex_wander(x, calm ? EX_OFFER_ALL : EX_OFFER_GATHER)) >= 0)
        return x->why = "wander", a;
    if ((a = ex_trek(x)) >= 0)
        return x->why = "trek", a;
    /* Nothing to do: a step onto ground, or wait. */
    x->why = "stray";
    a = (int)(rng_splitmix_uniform(&x->rng) * 4) & 3;
    for (int k = 0; k < 4; k++, a = (a + 1) & 3) {
        const law_ctx *c = ex_ctx(x);
        if (ex_cost(x, c->px + ex_dx[a], c->py + ex_dy[a], 0) == 1)
            return x->moves[a];
    }
    return ex_wait(x);
}

/* ---- learning from each step ------------------------------------------------------------------ */

/* Attributes of creatures that change while the player does not act on them
** drift by themselves (and do not tell things apart). */
static int ex_drift_entities(explorer *x, int action, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int rc = AUGUR_OK;

    for (int e = 0; e < c->nents && rc == AUGUR_OK; e++) {
        int q;
        if (e == c->player || (e == c->place_ent[PL_FACING] && action == x->act_do) ||
            c->etype[e] < 0 || !ex_visible(c, e) ||
            (q = state_entity_find(next, state_entity_id(c->s, e))) < 0)
            continue;
        for (size_t i = 0; i < state_attr_count(c->s, e) && rc == AUGUR_OK; i++) {
            state_value a, b;
            const char *name = state_attr_at(c->s, e, i, &a);
            int id = names_find(&ex_model(x)->names, name, strlen(name));
            if (id < 0 || id == N_X || id == N_Y || a.kind == STATE_SYMBOL || a.kind == STATE_FLOAT ||
                state_get(next, q, name, &b) != AUGUR_OK || b.as.i == a.as.i)
                continue;
            rc = ex_add(&x->drifts, ex_key3(0xd1, (uint64_t)c->etype[e], (uint64_t)id), 1);
        }
    }
    return rc;
}

/* Attributes of the player that fall while it only moves or waits drift by
** themselves: needs, not things it holds. A step that acts on something cannot
** tell: what the action uses up falls too (a sapling planted), and a creature
** gone elsewhere can hide from a count of them the one it put down. */
static int ex_drift(explorer *x, int action, const state *next)
{
    const laws_induce_opts *io = laws_online_induce_opts(x->o);
    const law_ctx *c = ex_ctx(x);
    int p = c->player, q;
    int rc = ex_drift_entities(x, action, next);

    if (rc != AUGUR_OK || p < 0 || (q = state_entity_find(next, state_entity_id(c->s, p))) < 0)
        return rc;
    if (!ex_is_move(x, action) && action != x->noop)
        return AUGUR_OK;
    for (size_t i = 0; i < state_attr_count(c->s, p); i++) {
        state_value a, b;
        const char *name = state_attr_at(c->s, p, i, &a);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        if (id >= 0 && a.kind == STATE_INT && state_get(next, q, name, &b) == AUGUR_OK &&
            b.kind == STATE_INT && !lm_ignored(io, name) && b.as.i < a.as.i &&
            (rc = ex_add(&x->drifts, ex_attr_key(id), 1)))
            return rc;
    }
    return AUGUR_OK;
}

/* An action turned the faced tile of material was into made: what digging
** leaves, and what walls the player can put down (and with what). */
static int ex_note_cell(explorer *x, int action, int was, int made, int q, const state *next)
{
    int used = -1;
    uint32_t *slot;

    if (was < 0)
        return AUGUR_OK;
    if (action == x->act_do) {
        if (!(slot = ex_slot(&x->digs, (uint64_t)was + 1, 1)))
            return AUGUR_ENOMEM;
        *slot = (uint32_t)made + 1;
        return ex_add(&x->dug, (uint64_t)made + 1, 1);
    }
    if (!ex_ground(x, was) || ex_ground(x, made))
        return AUGUR_OK;
    for (int i = 0; i < x->items.n && used < 0; i++)
        if (state_get_int(next, q, names_text(&ex_model(x)->names, x->items.id[i]), 0) < x->items.v[i])
            used = x->items.id[i];
    if (!(slot = ex_slot(&x->blocks, (uint64_t)action + 1, 1)))
        return AUGUR_ENOMEM;
    *slot = (uint32_t)(made + 1) | (uint32_t)(used + 1) << 16;
    return AUGUR_OK;
}

/* Remember what acting on a kind of thing made the player hold more of, what
** raised a need, and which materials its actions made. */
static int ex_note_gain(explorer *x, int action, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int q = c->player >= 0 ? state_entity_find(next, state_entity_id(c->s, c->player)) : -1;
    int fx = c->place_x[PL_FACING], fy = c->place_y[PL_FACING], e = c->place_ent[PL_FACING];
    int mat = c->place_mat[PL_FACING], type = e < 0 ? -1 : c->etype[e], rc = AUGUR_OK, spent = 0;

    if (ex_is_move(x, action) || action == x->noop || q < 0)
        return AUGUR_OK;
    if (fx >= 0 && state_grid_get(c->s, fx, fy) != state_grid_get(next, fx, fy)) {
        int i = state_grid_get(next, fx, fy);
        if (i >= 0 && i < c->npal && c->pal[i] >= 0 && !ex_get(&x->native, (uint64_t)c->pal[i] + 1))
            rc = ex_add(&x->made, (uint64_t)c->pal[i] + 1, 1);
        if (rc == AUGUR_OK && i >= 0 && i < c->npal && c->pal[i] >= 0)
            rc = ex_note_cell(x, action, mat, c->pal[i], q, next);
    }
    /* Gathering gives without taking: nothing the player holds fell. */
    for (int i = 0; i < x->items.n && rc == AUGUR_OK; i++) {
        int64_t fell = x->items.v[i] - state_get_int(next, q, names_text(&ex_model(x)->names, x->items.id[i]), 0);
        spent |= fell > 0;
        if (fell > 0 && ex_get(&x->gathered, (uint64_t)x->items.id[i] + 1))
            rc = ex_raise(&x->cost, ex_key3((uint64_t)action, (uint64_t)x->items.id[i], 0),
                          (uint32_t)(fell > EX_CAP ? EX_CAP : fell) + 1);
    }
    for (size_t i = 0; i < state_attr_count(c->s, c->player) && rc == AUGUR_OK; i++) {
        state_value a, b;
        const char *name = state_attr_at(c->s, c->player, i, &a);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        uint32_t *slot;
        if (id < 0 || id == N_X || id == N_Y || a.kind != STATE_INT ||
            state_get(next, q, name, &b) != AUGUR_OK || b.kind != STATE_INT || b.as.i <= a.as.i)
            continue;
        if (ex_need(x, id)) {
            if (!(slot = ex_slot(&x->remedy, ex_attr_key(id), 1)))
                return AUGUR_ENOMEM;
            *slot = (uint32_t)((mat + 1) & 0xfff) << 20 | (uint32_t)((type + 1) & 0x3ff) << 10 |
                    (uint32_t)(action & 0x3ff);
        } else if (!spent && !lm_ignored(laws_online_induce_opts(x->o), name)) {
            if (!(slot = ex_slot(&x->gainful, ex_key3((uint64_t)(mat + 2), (uint64_t)(type + 2),
                                                      (uint64_t)action), 1)))
                return AUGUR_ENOMEM;
            *slot = (uint32_t)id + 1;
            rc = ex_add(&x->gathered, (uint64_t)id + 1, 1);
        }
    }
    return rc;
}

/* A move onto free ground: did it happen? Count it under each true/false
** attribute the player had (asleep, it cannot move). */
static int ex_note_moves(explorer *x, int action, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int d = -1, q, tx, ty, moved, rc = AUGUR_OK;

    for (int k = 0; k < 4; k++)
        if (x->moves[k] == action)
            d = k;
    if (d < 0 || c->player < 0 || (q = state_entity_find(next, state_entity_id(c->s, c->player))) < 0)
        return AUGUR_OK;
    tx = c->px + ex_dx[d];
    ty = c->py + ex_dy[d];
    if (!ex_inside(x, tx, ty) || ex_occupied(c, tx, ty))
        return AUGUR_OK;
    moved = state_get_int(next, q, "x", -1) != c->px || state_get_int(next, q, "y", -1) != c->py;
    if (!moved && !ex_helpless(x))
        rc = ex_add(&x->blocked, (uint64_t)ex_cell(c, tx, ty) + 1, 1);
    if (!ex_ground(x, ex_cell(c, tx, ty)))
        return rc;
    for (size_t i = 0; i < state_attr_count(c->s, c->player) && rc == AUGUR_OK; i++) {
        state_value v;
        const char *name = state_attr_at(c->s, c->player, i, &v);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        if (v.kind == STATE_BOOL && id >= 0)
            rc = ex_add(moved ? &x->moved : &x->helpless, ex_key3(0xf1a9, (uint64_t)id, v.as.b != 0), 1);
    }
    return rc;
}

/* When the player's health fell, the nearest creatures may be why: count, per
** type, the steps one was nearest and those its health fell in. New things
** that appear beside a creature are counted as its making. */
static int ex_note_hurt(explorer *x, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int q = c->player >= 0 ? state_entity_find(next, state_entity_id(c->s, c->player)) : -1;
    int fell, nearest = EX_REACH + 1, counted[64], ncounted = 0, rc = AUGUR_OK;

    if (q < 0)
        return AUGUR_OK;
    fell = state_get_int(next, q, "health", 0) < state_get_int(c->s, c->player, "health", 0);
    x->lived++;
    x->falls += fell;
    for (int j = 0; j < c->nents; j++)
        if (j != c->player && c->etype[j] >= 0 && ex_dist(c, j) < nearest)
            nearest = ex_dist(c, j);
    for (int j = 0; j < c->nents && rc == AUGUR_OK; j++) {
        int dup = 0;
        if (j == c->player || c->etype[j] < 0 || ex_dist(c, j) != nearest)
            continue;
        for (int k = 0; k < ncounted; k++)
            dup |= counted[k] == c->etype[j];
        if (dup || ncounted == 64)
            continue;
        counted[ncounted++] = c->etype[j];
        rc = ex_add(&x->near, (uint64_t)c->etype[j] + 1, 1);
        if (fell && rc == AUGUR_OK)
            rc = ex_add(&x->hurt, (uint64_t)c->etype[j] + 1, 1);
    }
    /* What came into being next to a creature in view. */
    for (size_t i = 0; i < state_entity_count(next) && rc == AUGUR_OK; i++) {
        int64_t id = state_entity_id(next, (int)i);
        int nx = (int)state_get_int(next, (int)i, "x", -1000), ny = (int)state_get_int(next, (int)i, "y", -1000);
        int type = names_find(&ex_model(x)->names, state_entity_type(next, (int)i),
                              strlen(state_entity_type(next, (int)i)));
        if (state_entity_find(c->s, id) >= 0 || type < 0 || abs(nx - c->px) > EX_VIEW_X ||
            abs(ny - c->py) > EX_VIEW_Y)
            continue;
        for (int j = 0; j < c->nents && rc == AUGUR_OK; j++)
            if (j != c->player && c->etype[j] >= 0 && abs(c->ex[j] - nx) + abs(c->ey[j] - ny) <= 1) {
                rc = ex_add(&x->makes, ex_key3(0x3a, (uint64_t)type, (uint64_t)c->etype[j]), 1);
                if (rc == AUGUR_OK)
                    rc = ex_raise(&x->reach, (uint64_t)c->etype[j] + 1, (uint32_t)ex_dist(c, j));
            }
    }
    return rc;
}

/* Whether `do` on the faced creature lowered its health or ended it. */
static int ex_note_wound(explorer *x, int action, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int e = c->place_ent[PL_FACING], q;

    if (action != x->act_do || e < 0 || c->etype[e] < 0)
        return AUGUR_OK;
    q = state_entity_find(next, state_entity_id(c->s, e));
    if (q >= 0 && state_get_int(next, q, "health", 0) >= state_get_int(c->s, e, "health", 0))
        return AUGUR_OK;
    return ex_add(&x->wounded, (uint64_t)c->etype[e] + 1, 1);
}

/* Which true/false attributes of the player the action changed, to what. */
static int ex_note_flags(explorer *x, int action, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int q = c->player >= 0 ? state_entity_find(next, state_entity_id(c->s, c->player)) : -1;
    int rc = AUGUR_OK;

    for (size_t i = 0; q >= 0 && i < state_attr_count(c->s, c->player) && rc == AUGUR_OK; i++) {
        state_value a, b;
        const char *name = state_attr_at(c->s, c->player, i, &a);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        if (id >= 0 && a.kind == STATE_BOOL && state_get(next, q, name, &b) == AUGUR_OK &&
            b.kind == STATE_BOOL && b.as.b != a.as.b)
            rc = ex_add(&x->sets, ex_key3((uint64_t)action, (uint64_t)id, b.as.b != 0), 1);
    }
    return rc;
}

/* Whether the faced creature is gone or one of its numbers that do not drift
** by themselves changed. */
static int ex_struck(explorer *x, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int e = c->place_ent[PL_FACING], f;

    if (e < 0)
        return 0;
    return (f = state_entity_find(next, state_entity_id(c->s, e))) < 0 ||
           ex_creature(x, next, f, c->etype[e]) != ex_creature(x, c->s, e, c->etype[e]);
}

/* Whether the action did something: what the player holds or faces changed, a
** need rose, or a true/false attribute of the player turned. */
static int ex_worked(explorer *x, const state *next)
{
    const law_ctx *c = ex_ctx(x);
    int q = c->player >= 0 ? state_entity_find(next, state_entity_id(c->s, c->player)) : -1;
    int fx = c->place_x[PL_FACING], fy = c->place_y[PL_FACING];

    if ((fx >= 0 && state_grid_get(c->s, fx, fy) != state_grid_get(next, fx, fy)) || ex_struck(x, next))
        return 1;
    for (size_t i = 0; q >= 0 && i < state_attr_count(c->s, c->player); i++) {
        state_value a, b;
        const char *name = state_attr_at(c->s, c->player, i, &a);
        int id = names_find(&ex_model(x)->names, name, strlen(name));
        if (id < 0 || state_get(next, q, name, &b) != AUGUR_OK || a.kind != b.kind ||
            (a.kind == STATE_INT && !ex_is_item(x, id) && !ex_need(x, id)))
            continue;
        if ((a.kind == STATE_INT && b.as.i > a.as.i) || (a.kind == STATE_BOOL && a.as.b != b.as.b) ||
            (a.kind == STATE_INT && ex_is_item(x, id) && b.as.i != a.as.i))
            return 1;
    }
    return 0;
}

static int ex_learn(explorer *x, const state *s, int action, const state *next)
{
    laws *m = ex_model(x);
    uint64_t thing;
    int rc;

    if (lm_context(m, s, action) != AUGUR_OK)
        return AUGUR_ENOMEM;
    thing = ex_faced_thing(x);
    if ((rc = ex_drift(x, action, next)) || (rc = ex_note_hurt(x, next)) ||
        (rc = ex_note_wound(x, action, next)) || (rc = ex_note_gain(x, action, next)) ||
        (rc = ex_note_moves(x, action, next)) ||
        (!ex_helpless(x) && (rc = ex_note_flags(x, action, next))))
        return rc;
    if (ex_is_move(x, action) || ex_unusual(x))
        return AUGUR_OK;
    /* What was done to produce and produced nothing is not done again soon. */
    if (x->why && (strcmp(x->why, "produce") == 0 || strcmp(x->why, "want") == 0 ||
                   strcmp(x->why, "needs") == 0 || strcmp(x->why, "rest") == 0) &&
        !ex_is_move(x, action)) {
        uint64_t k = ex_key3((uint64_t)action, thing, 0x1e7);
        uint32_t *n = ex_slot(&x->letdown, k, 1), *at = ex_slot(&x->letdown, k ^ 1, 1);
        if (!n || !at)
            return AUGUR_ENOMEM;
        *n = ex_worked(x, next) ? 0 : *n + 1;
        *at = (uint32_t)x->now;
    }
    return ex_note_try(x, action, thing, ex_worked(x, next));
}

/* ---- the life -------------------------------------------------------------------------------- */

/* One line of the trace: the step, the action and why, the player's numbers,
** the creatures within sight. */
static void ex_trace(explorer *x, const state *s, int action)
{
    const law_ctx *c = ex_ctx(x);
    int p = c->player;

    fprintf(stderr, "%5ld %-18s %-8s f%+d%+d", x->now, x->w->cls->actions[action],
            x->opt->random ? "random" : x->why, c->fdx, c->fdy);
    if (c->place_mat[PL_FACING] >= 0)
        fprintf(stderr, " %s%s", names_text(&ex_model(x)->names, c->place_mat[PL_FACING]),
                ex_ground(x, c->place_mat[PL_FACING]) ? "(ground)" : "");
    if (x->plan[0])
        fprintf(stderr, " %s", x->plan);
    x->plan[0] = '\0';
    if (x->goal_until > x->now)
        fprintf(stderr, " goal(%s%s)", x->goal_mat >= 0 ? names_text(&ex_model(x)->names, x->goal_mat) : "",
                x->goal_ent >= 0 ? names_text(&ex_model(x)->names, x->goal_ent) : "");
    if (x->pocket.on)
        fprintf(stderr, " pocket(%d,%d,%d)%s", x->pocket.mx, x->pocket.my, x->pocket.d,
                x->pocket.sealed ? "sealed" : "");
    if (x->clock >= 0)
        fprintf(stderr, " clock=%.2f%s", x->clock_now, ex_dark(x) ? "(dark)" : "");
    fprintf(stderr, " threats=%.1f", x->threats_seen);
    for (size_t i = 0; p >= 0 && i < state_attr_count(s, p); i++) {
        state_value v;
        const char *name = state_attr_at(s, p, i, &v);
        if ((v.kind == STATE_INT || v.kind == STATE_BOOL) && v.as.i && strncmp(name, "achievement", 11) &&
            strcmp(name, "step"))
            fprintf(stderr, " %s=%lld", name, (long long)v.as.i);
    }
    for (int e = 0; e < c->nents; e++)
        if (e != p && ex_visible(c, e))
            fprintf(stderr, " [%s %+d%+d]", state_entity_type(s, e), c->ex[e] - c->px, c->ey[e] - c->py);
    fputc('\n', stderr);
}

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
    x->alarm = -1000000;
    x->clock = -1;
    x->clock_lo = INFINITY;
    x->clock_hi = -INFINITY;
    x->pocket.on = 0;
    x->goal_mat = x->goal_ent = -1;
    return x->moves[0] >= 0 && x->moves[1] >= 0 && x->moves[2] >= 0 && x->moves[3] >= 0;
}

/* The grid's memory, and the clock: the first number of the player's the laws
** leave outside. */
static int ex_grid(explorer *x, const state *s)
{
    laws *m = ex_model(x);
    size_t n;

    x->W = state_grid_width(s);
    x->H = state_grid_height(s);
    if (!x->W || !x->H)
        return AUGUR_EINVAL;
    n = (size_t)x->W * (size_t)x->H;
    x->seen = malloc(n * sizeof *x->seen);
    x->dist = malloc(n * sizeof *x->dist);
    x->sdist = malloc(n * EX_WAYS * sizeof *x->sdist);
    x->heap = malloc(n * EX_WAYS * sizeof *x->heap);
    x->via = malloc(n * EX_WAYS * sizeof *x->via);
    x->danger = calloc(n, 1);
    if (!x->seen || !x->dist || !x->sdist || !x->heap || !x->via || !x->danger)
        return AUGUR_ENOMEM;
    for (size_t i = 0; i < n; i++)
        x->seen[i] = -1;
    for (int i = 0; i < m->noutside && x->clock < 0; i++)
        if (!isnan(ex_player_attr(x, m->outside[i])))
            x->clock = m->outside[i];
    return AUGUR_OK;
}

static void ex_free(explorer *x)
{
    ex_map *maps[] = { &x->stood, &x->trod, &x->blocked, &x->prev, &x->kinds, &x->drifts,
                       &x->remedy, &x->helpless, &x->moved, &x->near, &x->hurt, &x->makes,
                       &x->reach, &x->tried, &x->tmax, &x->near_tried, &x->nmax, &x->mixes, &x->fails,
                       &x->works, &x->gainful, &x->made, &x->sets, &x->usual, &x->kinds_failed, &x->letdown, &x->fought, &x->wounded, &x->gathered, &x->native, &x->worked_on, &x->dug, &x->digs, &x->blocks, &x->tried_low, &x->cost, &x->tried_one };

    free(x->seen);
    free(x->dist);
    free(x->sdist);
    free(x->heap);
    free(x->via);
    free(x->danger);
    for (size_t i = 0; i < sizeof maps / sizeof *maps; i++)
        ex_map_free(maps[i]);
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
    int p = lm_player_of(s);

    return p < 0 || state_get_int(s, p, "health", 1) <= 0;
}

/* Add name to a list ("a, b"), once. */
static void ex_list_add(char *list, size_t cap, const char *name)
{
    size_t n = strlen(list), k = strlen(name);

    for (const char *at = list; k && (at = strstr(at, name)); at += k)
        if ((at == list || at[-1] == ' ') && (at[k] == ',' || at[k] == 0))
            return;
    snprintf(list + n, cap - n, "%s%s", n ? ", " : "", name);
}

/* What the player died with: read from its last state (after the last step
** when it is still in it, else before), against what it was born with (its
** position aside: a coordinate of 0 has not run out). */
static void ex_death(laws_explore_report *rep, const state *born, const state *s, const state *next)
{
    int b = lm_player_of(born), p = lm_player_of(s), q = lm_player_of(next), px, py;
    const state *at = q >= 0 ? next : s;

    if (p >= 0)
        rep->health_before = state_get_int(s, p, "health", 0);
    if (q < 0 && (q = p) < 0)
        return;
    for (size_t i = 0; b >= 0 && i < state_attr_count(born, b); i++) {
        state_value v, now;
        const char *name = state_attr_at(born, b, i, &v);
        if (!strcmp(name, "x") || !strcmp(name, "y") || state_get(at, q, name, &now) != AUGUR_OK)
            continue;
        if (v.kind == STATE_INT && v.as.i > 0 && now.kind == STATE_INT && now.as.i <= 0 &&
            strcmp(name, "health"))
            ex_list_add(rep->run_out, sizeof rep->run_out, name);
        else if (v.kind == STATE_BOOL && now.kind == STATE_BOOL && v.as.b != now.as.b)
            ex_list_add(rep->flags, sizeof rep->flags, name);
    }
    px = (int)state_get_int(at, q, "x", -1);
    py = (int)state_get_int(at, q, "y", -1);
    for (size_t i = 0; i < state_entity_count(at); i++) {
        int e = (int)i;
        if (e != q && abs((int)state_get_int(at, e, "x", -9) - px) +
                      abs((int)state_get_int(at, e, "y", -9) - py) <= 1)
            ex_list_add(rep->beside, sizeof rep->beside, state_entity_type(at, e));
    }
}

/* Refits: often early in life (it needs to know what keeps it alive before the
** first night), then every EX_REFIT steps. */
static int ex_refit_due(long step)
{
    if (step <= 200)
        return step % 20 == 0;
    if (step <= 1000)
        return step % 100 == 0;
    return step % EX_REFIT == 0;
}

/* One step of the curious explorer: look, choose. */
static int ex_step(explorer *x, const state *s, int *action)
{
    laws *m = ex_model(x);
    law_ctx *c;
    int rc;

    x->s = s;
    if (lm_intern_state(m, s) != AUGUR_OK || lm_context(m, s, 0) != AUGUR_OK)
        return AUGUR_ENOMEM;
    if (!x->seen && (rc = ex_grid(x, s)) != AUGUR_OK)
        return rc;
    c = ex_ctx(x);
    if (c->player < 0)
        return AUGUR_EINVAL;
    if ((rc = ex_look(x)) != AUGUR_OK ||
        (rc = ex_add(&x->stood, (uint64_t)ex_cell(c, c->px, c->py) + 1, 1)) != AUGUR_OK)
        return rc;
    ex_holdings(x, &x->items);
    ex_tick(x, ex_dangers(x));
    *action = ex_choose(x);
    if (*action < 0 || *action >= x->w->cls->nactions)
        *action = ex_wait(x);
    return lm_context(m, s, *action);
}

int laws_explore(world *w, const laws_explore_opts *opt, laws_online *o, laws_explore_report *rep,
                 augur_err *err)
{
    explorer x;
    state *s = state_new(), *next = state_new(), *born = NULL, *tmp;
    int rc;

    memset(rep, 0, sizeof *rep);
    rep->died_at = -1;
    if (!ex_setup(&x, w, o, opt)) {
        state_free(s);
        state_free(next);
        return augur_err_set(err, AUGUR_EINVAL, "laws: %s has no move_left/right/up/down to "
                             "explore with", w->cls->name);
    }
    rc = s && next ? world_reset(w, opt->seed, err) : augur_err_set(err, AUGUR_ENOMEM, "laws: out "
                                                                    "of memory");
    if (rc == AUGUR_OK)
        rc = world_observe_oracle(w, s, err);
    if (rc == AUGUR_OK && !(born = state_clone(s)))
        rc = augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    while (rc == AUGUR_OK && rep->steps < opt->steps) {
        world_step_result r;
        double lp = 0;
        int action = (int)(rng_splitmix_uniform(&x.rng) * w->cls->nactions) % w->cls->nactions;
        x.now = rep->steps;
        if (!opt->random && (rc = ex_step(&x, s, &action)) != AUGUR_OK) {
            rc = augur_err_set(err, rc, "laws: the explorer cannot read the state: %s",
                               augur_errstr(rc));
            break;
        }
        if (x.trace)
            ex_trace(&x, s, action);
        if ((rc = world_step(w, action, &r, err)) != AUGUR_OK ||
            (rc = world_observe_oracle(w, next, err)) != AUGUR_OK ||
            (rc = laws_observe(o, s, action, next, &lp, err)) != AUGUR_OK)
            break;
        rep->steps++;
        ex_tally(rep, &r, rep->steps);
        if (!opt->random && (rc = ex_learn(&x, s, action, next)) != AUGUR_OK) {
            rc = augur_err_set(err, rc, "laws: out of memory");
            break;
        }
        if (r.done) {
            if (ex_dead(next)) {
                rep->died_at = rep->steps;
                ex_death(rep, born, s, next);
            }
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
    state_free(born);
    state_free(s);
    state_free(next);
    return rc;
}
