/*
** induce.c — the enumerative inducer: laws found in a trace without a model.
**
** Change detectors pick what to explain: the player's attributes (inventory,
** vitals, counters, achievements), positions, the grid cells around the player,
** other entities' attributes and presence, and new entities. Each becomes a
** target observed in a table of rows: one row per transition for the player's
** table, one per transition and entity for each type's table (entities within
** IND_RADIUS of the player), each row holding the features a law can test
** (action, the tiles around the player and what stands on them, attributes,
** nearby materials, distances) and the target's value before and after.
**
** For each target, the ways it changed are grouped into classes (add k, add k up
** to a bound, set v, a move) by a greedy cover of the changed rows. For each
** class, sequential covering learns conjunctions: starting from every row, add
** the condition (a set of values of a categorical feature, a threshold of a
** numeric one) that removes the most rows where the class would be wrong while
** keeping the class's rows (one that keeps them all, but a few exceptions,
** first), until none helps or the wrong rows left are a few exceptions; the rows
** it covers give the law's distribution (stochastic effects are the counts of
** what happened there; a rule stopped by its exceptions keeps its class alone,
** the exceptions being other laws' to tell).
** Rules covering fewer than min_support changes are dropped; laws with the same
** precondition and deterministic effects are joined into one.
**
** Where the life cannot tell two laws apart, both are kept: what the player
** gathered only ever with a tool in hand needs one of the tools it held (each a
** law), and what an action that never changes the faced thing did only facing it
** holds beside it too.
**
** A change of the player is also a target of the table of each creature that
** stood within IND_REACH of it, unless the player's own laws tell it (found
** first, in the player's table, and checked on the player's row of the same
** transition): those rules read the creature only, and are kept when they make
** the change likelier than it is in the life at large (a zombie's blow).
*/
#include "worlds/laws/private.h"

#include "base/buf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { IND_RADIUS = 24, IND_RULES = 6, IND_CLASSES = 8, IND_ROWS_MAX = 300000, IND_ALTS = 3,
       IND_REACH = 2,    /* a creature this near (L1) may have changed the player */
       IND_ACTIONS = 64, /* actions counted per table (a world's are far fewer) */
       IND_FEW = 64 /* distinct values a column is counted up to */ };

#define IND_CHANCE  0.01    /* a condition must be this unlikely to help by chance */
#define IND_LIFT    1.25    /* and raise the rule's precision by this factor, */
#define IND_LIFT_TEMPLATE 1.05  /* or this for the templates' own features: the action,
                                   what is faced, what the player carries, what is near */
#define IND_LAWFUL  0.5     /* classes must explain this share of a target's changes */
#define IND_RARE    0.01    /* outcomes rarer than this in a law are dropped */
#define IND_TOWARD  0.35    /* moves toward (away from) the player, above chance (0.25),
                               are told as such */
#define IND_TIE     0.03    /* gains this close are a tie */
#define IND_SHARE   0.05    /* a rule must cover this share of its class's changes */
#define IND_NOISE   0.1     /* wrong rows per covered change a rule may keep */
#define IND_ACTION_LIFT 3.0 /* an action this much likelier among a class's changes
                               than among all rows starts each rule of the class */

typedef struct ind_col {
    law_ref ref;
    uint8_t num;            /* thresholds; else sets of values */
    uint8_t integral;       /* every value seen is an integer */
    uint8_t boolean;
    uint8_t restless;       /* an attribute that changes in most rows (a counter) */
    int     distinct;       /* values seen, up to IND_FEW: simpler features win ties */
} ind_col;

enum ind_kind { TG_VALUE, TG_POS, TG_CELL, TG_SPAWN, TG_REMOVE };

typedef struct ind_target {
    uint8_t  kind;
    law_ref  ref;           /* TG_VALUE: the attribute; TG_CELL, TG_SPAWN: ref.place */
    int32_t  type;          /* TG_SPAWN */
    int      vkind;         /* TG_VALUE */
    size_t   changed;
    int      ninit;         /* TG_SPAWN: a new entity's attributes */
    law_init init[LAW_INIT_MAX];
} ind_target;

typedef struct ind_table {
    int32_t     subject;    /* -1: the player's table */
    ind_col    *col;
    int         ncol, cap_col;
    ind_target *tg;
    int         ntg, cap_tg;
    int         width;      /* ncol features, before and after per target, the player's row
                               of the transition (entity tables), toward dx dy */
    double     *x;
    size_t      nrow, cap_row;
    long        toward, away, moves;
    size_t      by_action[IND_ACTIONS];     /* rows of each action */
    int32_t     on[LAW_SET_MAX];
    int         non;
} ind_table;

typedef struct ind_class {
    uint8_t op;             /* ALT_SET, ALT_ADD, ALT_MOVE */
    uint8_t dir;
    uint8_t has_lo, has_hi;
    double  v, lo, hi;
} ind_class;

typedef struct ind {
    laws       *m;
    const laws_induce_opts *opt;
    ind_table **tab;
    int         ntab, cap_tab;
    lm_change  *ch;
    int         nch, cap_ch;
    int         pass;
    augur_err  *err;
    /* scratch of the rule search */
    uint32_t   *pos, *neg;
    size_t      cap_pos, cap_neg;
    double     *vals;
    size_t      cap_vals;
    struct ind_pair *pairs;
    size_t      cap_pairs;
    law        *out;
    int         nout, cap_out;
    struct ind_found *found;    /* the rules of the table at hand, until all are found */
    int         nfound, cap_found;
    struct ind_found *own;      /* the player's table's: what it does to itself */
    int         nown, cap_own;
    int         creature;       /* the rules at hand are a creature's for a change of the
                                   player: they read the creature only */
} ind;


/* ---- names and schema (pass 1) ------------------------------------------------------- */

int lm_ignored(const laws_induce_opts *o, const char *name)
{
    for (size_t i = 0; i < o->nignore; i++) {
        const char *p = o->ignore[i];
        size_t n = strlen(p);
        if (n && p[n - 1] == '*' ? strncmp(p, name, n - 1) == 0 : strcmp(p, name) == 0)
            return 1;
    }
    return 0;
}

static int ind_intern(ind *d, const char *s)
{
    return names_intern(&d->m->names, s, strlen(s));
}

static ind_table *ind_table_of(ind *d, int32_t subject)
{
    ind_table *t;

    for (int i = 0; i < d->ntab; i++)
        if (d->tab[i]->subject == subject)
            return d->tab[i];
    if (lm_grow((void **)&d->tab, &d->cap_tab, d->ntab + 1, sizeof *d->tab) ||
        !(t = calloc(1, sizeof *t)))
        return NULL;
    t->subject = subject;
    d->tab[d->ntab++] = t;
    return t;
}

static int ind_col_add(ind_table *t, law_ref ref, int num, int boolean)
{
    for (int i = 0; i < t->ncol; i++)
        if (law_ref_equal(&t->col[i].ref, &ref))
            return AUGUR_OK;
    if (lm_grow((void **)&t->col, &t->cap_col, t->ncol + 1, sizeof *t->col))
        return AUGUR_ENOMEM;
    memset(&t->col[t->ncol], 0, sizeof *t->col);
    t->col[t->ncol].ref = ref;
    t->col[t->ncol].num = (uint8_t)num;
    t->col[t->ncol].boolean = (uint8_t)boolean;
    t->col[t->ncol].integral = 1;
    t->ncol++;
    return AUGUR_OK;
}

static ind_target *ind_target_add(ind_table *t, int kind, law_ref ref, int32_t type, int vkind)
{
    for (int i = 0; i < t->ntg; i++)
        if (t->tg[i].kind == kind && t->tg[i].type == type &&
            law_ref_equal(&t->tg[i].ref, &ref))
            return &t->tg[i];
    if (lm_grow((void **)&t->tg, &t->cap_tg, t->ntg + 1, sizeof *t->tg))
        return NULL;
    memset(&t->tg[t->ntg], 0, sizeof *t->tg);
    t->tg[t->ntg].kind = (uint8_t)kind;
    t->tg[t->ntg].ref = ref;
    t->tg[t->ntg].type = type;
    t->tg[t->ntg].vkind = vkind;
    return &t->tg[t->ntg++];
}

static law_ref ind_ref(int kind, int place, int32_t id)
{
    law_ref r;

    memset(&r, 0, sizeof r);
    r.kind = (uint8_t)kind;
    r.place = (uint8_t)place;
    r.id = id;
    return r;
}

/* The condition "ref op v" on one value. */
static law_cond ind_cond(law_ref ref, int op, double v)
{
    law_cond c;

    memset(&c, 0, sizeof c);
    c.ref = ref;
    c.op = (uint8_t)op;
    c.n = 1;
    c.v[0] = v;
    return c;
}

/* The columns an entity's attributes give: self.ATTR in its table, player.ATTR
** and facing.ATTR in the player's. */
static int ind_schema_entity(ind *d, const state *s, int e, int player)
{
    ind_table *pt = ind_table_of(d, -1), *t = pt;
    int type = ind_intern(d, state_entity_type(s, e)), rc = AUGUR_OK;

    if (!pt || type < 0)
        return AUGUR_ENOMEM;
    if (e != player && !(t = ind_table_of(d, type)))
        return AUGUR_ENOMEM;
    if (e != player) {
        law_ref nr = ind_ref(REF_NEAREST, 0, type);
        if ((rc = ind_col_add(pt, nr, 1, 0)))
            return rc;
    }
    for (size_t i = 0; i < state_attr_count(s, e) && rc == AUGUR_OK; i++) {
        state_value v;
        const char *name = state_attr_at(s, e, i, &v);
        int id = ind_intern(d, name), num = v.kind == STATE_INT || v.kind == STATE_FLOAT;
        int boolean = v.kind == STATE_BOOL;
        if (id < 0)
            return AUGUR_ENOMEM;
        if (id == N_X || id == N_Y || lm_ignored(d->opt, name))
            continue;
        if (e == player) {
            rc = ind_col_add(pt, ind_ref(REF_PLAYER, 0, id), num, boolean);
        } else {
            rc = ind_col_add(t, ind_ref(REF_SELF, 0, id), num, boolean);
            if (rc == AUGUR_OK)
                rc = ind_col_add(pt, ind_ref(REF_PLACE, PL_FACING, id), num, boolean);
        }
    }
    return rc;
}

/* Whether entity e may have changed the player: it stood within IND_REACH. A
** zombie's blow is a law of the zombie (ind_rule_beside). */
static int ind_beside(const law_ctx *c, int e)
{
    return c->player >= 0 && e != c->player && c->ex[e] >= 0 &&
           abs(c->ex[e] - c->px) + abs(c->ey[e] - c->py) <= IND_REACH;
}

/* Count a change of a target, which is added when first seen. */
static int ind_target_note(ind_table *t, int kind, law_ref ref, int32_t type, int vkind)
{
    ind_target *tg = ind_target_add(t, kind, ref, type, vkind);

    if (!tg)
        return AUGUR_ENOMEM;
    tg->changed++;
    return AUGUR_OK;
}

/* Which targets changed in this transition (pass 1). */
static int ind_schema_changes(ind *d)
{
    law_ctx *c = &d->m->ctx;
    ind_table *pt = ind_table_of(d, -1);
    int rc = AUGUR_OK;

    for (int i = 0; i < d->nch && rc == AUGUR_OK; i++) {
        uint64_t slot = d->ch[i].slot;
        int a = SLOT_A(slot), kind = SLOT_KIND(slot);
        if (!SLOT_KIND(slot))
            continue;
        if (kind == SLOT_CELL || kind == SLOT_SPAWN) {
            for (int p = 0; p < PL_N; p++)
                if (c->place_x[p] == SLOT_B(slot) && c->place_y[p] == SLOT_C(slot)) {
                    rc = kind == SLOT_CELL
                         ? ind_target_note(pt, TG_CELL, ind_ref(REF_MATERIAL, p, 0), -1, 0)
                         : ind_target_note(pt, TG_SPAWN, ind_ref(0, p, 0), a, 0);
                    break;
                }
            continue;
        }
        if (a >= c->nents || c->etype[a] < 0)
            continue;
        if (a == c->player) {
            if (kind == SLOT_POS)
                rc = ind_target_note(pt, TG_POS, ind_ref(REF_PLAYER_POS, 0, 0), -1, 0);
            else if (kind == SLOT_ATTR) {
                int vk = STATE_INT;
                law_ref r = ind_ref(REF_PLAYER, 0, SLOT_B(slot));
                law_ctx_attr(c, a, SLOT_B(slot), &vk);
                rc = ind_target_note(pt, TG_VALUE, r, -1, vk);
                for (int e = 0; e < c->nents && rc == AUGUR_OK; e++) {
                    ind_table *t;
                    if (c->etype[e] < 0 || !ind_beside(c, e))
                        continue;
                    rc = (t = ind_table_of(d, c->etype[e])) ? ind_target_note(t, TG_VALUE, r, -1, vk)
                                                           : AUGUR_ENOMEM;
                }
            }
        } else {
            ind_table *t = ind_table_of(d, c->etype[a]);
            if (!t)
                return AUGUR_ENOMEM;
            if (kind == SLOT_POS)
                rc = ind_target_note(t, TG_POS, ind_ref(REF_SELF_POS, 0, 0), -1, 0);
            else if (kind == SLOT_EXISTS)
                rc = ind_target_note(t, TG_REMOVE, ind_ref(REF_SELF, 0, 0), -1, 0);
            else if (kind == SLOT_ATTR) {
                int vk = STATE_INT;
                law_ctx_attr(c, a, SLOT_B(slot), &vk);
                rc = ind_target_note(t, TG_VALUE, ind_ref(REF_SELF, 0, SLOT_B(slot)), -1, vk);
            }
        }
    }
    return rc;
}

static int ind_schema(ind *d, const state *s)
{
    law_ctx *c = &d->m->ctx;
    ind_table *pt = ind_table_of(d, -1);
    int rc = AUGUR_OK;

    if (!pt)
        return AUGUR_ENOMEM;
    for (int p = 0; p < PL_N && rc == AUGUR_OK; p++) {
        rc = ind_col_add(pt, ind_ref(REF_MATERIAL, p, 0), 0, 0);
        if (rc == AUGUR_OK)
            rc = ind_col_add(pt, ind_ref(REF_ENTITY, p, 0), 0, 0);
    }
    for (int i = 0; i < c->npal && rc == AUGUR_OK; i++)
        if (c->pal[i] >= 0)
            rc = ind_col_add(pt, ind_ref(REF_NEARBY, 0, c->pal[i]), 0, 1);
    for (int e = 0; e < c->nents && rc == AUGUR_OK; e++)
        rc = ind_schema_entity(d, s, e, c->player);
    return rc == AUGUR_OK ? ind_schema_changes(d) : rc;
}

/* ---- rows (pass 2) --------------------------------------------------------------------- */

static double ind_change(const ind *d, uint64_t slot, double before)
{
    for (int i = 0; i < d->nch; i++)
        if (d->ch[i].slot == slot)
            return d->ch[i].v;
    return before;
}

static int ind_removed(const ind *d, int e)
{
    return ind_change(d, SLOT_KEY(SLOT_EXISTS, e, 0, 0), 1) == 0;
}

/* The target's value before and after, for subject self (-1: the player's table). */
static void ind_target_values(ind *d, ind_target *tg, int self, const state *next, double *b,
                              double *a)
{
    law_ctx *c = &d->m->ctx;
    int e = self >= 0 ? self : c->player, x, y;
    uint64_t slot;

    *b = *a = NAN;
    switch (tg->kind) {
    case TG_VALUE:
        if (self >= 0 && tg->ref.kind == REF_PLAYER)
            e = ind_beside(c, self) ? c->player : -1;
        if (e < 0 || ind_removed(d, e))
            return;
        *b = law_ctx_attr(c, e, tg->ref.id, NULL);
        *a = ind_change(d, SLOT_KEY(SLOT_ATTR, e, tg->ref.id, 0), *b);
        return;
    case TG_POS:
        if (e < 0 || c->ex[e] < 0 || ind_removed(d, e))
            return;
        *b = LAW_POS(c->ex[e], c->ey[e]);
        *a = ind_change(d, SLOT_KEY(SLOT_POS, e, 0, 0), *b);
        return;
    case TG_REMOVE:
        *b = 1;
        *a = ind_removed(d, e) ? 0 : 1;
        return;
    case TG_CELL:
        if (c->place_mat[tg->ref.place] < 0)
            return;
        *b = c->place_mat[tg->ref.place];
        *a = ind_change(d, SLOT_KEY(SLOT_CELL, 0, c->place_x[tg->ref.place],
                                    c->place_y[tg->ref.place]), *b);
        return;
    default:
        x = c->place_x[tg->ref.place];
        y = c->place_y[tg->ref.place];
        if (x < 0 || c->place_mat[tg->ref.place] < 0)
            return;
        slot = SLOT_KEY(SLOT_SPAWN, tg->type, x, y);
        *b = 0;
        *a = ind_change(d, slot, 0);
        if (*a == 1 && tg->ninit == 0) {
            /* What a new one is made with: the first one seen. */
            for (size_t i = 0; i < state_entity_count(next); i++) {
                int ne = (int)i;
                if (state_get_int(next, ne, "x", -1) != x || state_get_int(next, ne, "y", -1) != y ||
                    strcmp(state_entity_type(next, ne), names_text(&d->m->names, tg->type)))
                    continue;
                for (size_t k = 0; k < state_attr_count(next, ne) && tg->ninit < LAW_INIT_MAX; k++) {
                    state_value v;
                    const char *name = state_attr_at(next, ne, k, &v);
                    int id = names_find(&d->m->names, name, strlen(name));
                    law_init *in = &tg->init[tg->ninit];
                    if (id < 0 || id == N_X || id == N_Y)
                        continue;
                    in->attr = id;
                    in->kind = (uint8_t)v.kind;
                    in->v = v.kind == STATE_INT ? (double)v.as.i : v.kind == STATE_FLOAT ? v.as.f
                            : v.kind == STATE_BOOL ? v.as.b
                            : names_find(&d->m->names, v.as.s, strlen(v.as.s));
                    if (v.kind != STATE_SYMBOL || in->v >= 0)
                        tg->ninit++;
                }
                break;
            }
        }
    }
}

static int ind_row(ind *d, ind_table *t, int self, double prow, const state *next)
{
    law_ctx *c = &d->m->ctx;
    double *row;

    if (t->nrow >= IND_ROWS_MAX)
        return AUGUR_OK;
    if (buf_grow_array(&t->x, &t->cap_row, (t->nrow + 1) * (size_t)t->width, sizeof *t->x))
        return AUGUR_ENOMEM;
    row = t->x + t->nrow++ * (size_t)t->width;
    for (int j = 0; j < t->ncol; j++)
        row[j] = law_ctx_read(c, &t->col[j].ref, self);
    for (int g = 0; g < t->ntg; g++)
        ind_target_values(d, &t->tg[g], self, next, &row[t->ncol + 2 * g],
                          &row[t->ncol + 2 * g + 1]);
    row[t->width - 3] = prow;
    row[t->width - 2] = row[t->width - 1] = 0;
    if (self >= 0 && c->player >= 0) {
        int ox = c->px - c->ex[self], oy = c->py - c->ey[self], along_x = abs(ox) > abs(oy);
        row[t->width - 2] = along_x ? (ox > 0) - (ox < 0) : 0;
        row[t->width - 1] = along_x ? 0 : (oy > 0) - (oy < 0);
    }
    return AUGUR_OK;
}

/* Where a type's entities stand, for `on`. */
static void ind_note_ground(ind *d, ind_table *t, int e)
{
    law_ctx *c = &d->m->ctx;
    int i = state_grid_get(c->s, c->ex[e], c->ey[e]), mat;

    if (i < 0 || i >= c->npal || (mat = c->pal[i]) < 0)
        return;
    for (int k = 0; k < t->non; k++)
        if (t->on[k] == mat)
            return;
    if (t->non < LAW_SET_MAX)
        t->on[t->non++] = mat;
}

static int ind_rows(ind *d, const state *next)
{
    law_ctx *c = &d->m->ctx;
    size_t n = d->tab[0]->nrow;
    int rc = ind_row(d, d->tab[0], -1, NAN, next);
    double prow = d->tab[0]->nrow > n ? (double)n : NAN;

    for (int e = 0; e < c->nents && rc == AUGUR_OK; e++) {
        ind_table *t = NULL;
        if (e == c->player || c->ex[e] < 0)
            continue;
        if (c->player >= 0 && abs(c->ex[e] - c->px) + abs(c->ey[e] - c->py) > IND_RADIUS)
            continue;
        for (int i = 1; i < d->ntab && !t; i++)
            if (d->tab[i]->subject == c->etype[e])
                t = d->tab[i];
        if (!t)
            continue;
        ind_note_ground(d, t, e);
        rc = ind_row(d, t, e, prow, next);
    }
    return rc;
}

static int ind_transition(void *ud, size_t i, const state *s, int action, const state *next)
{
    ind *d = ud;
    int rc;

    (void)i;
    if (d->pass == 1 && (lm_intern_state(d->m, s) != AUGUR_OK || lm_intern_state(d->m, next) != AUGUR_OK))
        return augur_err_set(d->err, AUGUR_ENOMEM, "laws: out of memory");
    if (lm_context(d->m, s, action) != AUGUR_OK)
        return augur_err_set(d->err, AUGUR_ENOMEM, "laws: out of memory");
    if ((rc = lm_changes(d->m, s, next, &d->ch, &d->nch, &d->cap_ch, d->err)) != AUGUR_OK)
        return rc;
    rc = d->pass == 1 ? ind_schema(d, s) : ind_rows(d, next);
    return rc == AUGUR_OK ? AUGUR_OK : augur_err_set(d->err, rc, "laws: out of memory");
}

/* Entity tables get self's place and distance; every table the action. */
static int ind_finish_schema(ind *d)
{
    int rc = AUGUR_OK;

    for (int i = 0; i < d->ntab && rc == AUGUR_OK; i++) {
        ind_table *t = d->tab[i];
        law_ref act = ind_ref(REF_ACTION, 0, 0);
        if ((rc = ind_col_add(t, act, 0, 0)) != AUGUR_OK)
            break;
        /* The action first: it is what the index keys on. */
        memmove(t->col + 1, t->col, (size_t)(t->ncol - 1) * sizeof *t->col);
        memset(&t->col[0], 0, sizeof *t->col);
        t->col[0].ref = act;
        if (t->subject >= 0) {
            ind_table *pt = d->tab[0];
            if ((rc = ind_col_add(t, ind_ref(REF_DISTANCE, 0, 0), 1, 0)) ||
                (rc = ind_col_add(t, ind_ref(REF_SIDE, 0, 0), 0, 0)) ||
                (rc = ind_col_add(t, ind_ref(REF_FACED, 0, 0), 0, 1)))
                break;
            for (int j = 0; j < pt->ncol && rc == AUGUR_OK; j++)
                if (pt->col[j].ref.kind == REF_PLAYER)
                    rc = ind_col_add(t, pt->col[j].ref, pt->col[j].num, pt->col[j].boolean);
        }
        t->width = t->ncol + 2 * t->ntg + 3;
    }
    return rc;
}

/* ---- classes --------------------------------------------------------------------------- */

static void ind_dir_step(int dir, const double *row, const ind_table *t, int *dx, int *dy)
{
    static const int steps[5][2] = { { 0, 0 }, { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };

    if (dir < DIR_TOWARD) {
        *dx = steps[dir][0];
        *dy = steps[dir][1];
        return;
    }
    *dx = (int)row[t->width - 2];
    *dy = (int)row[t->width - 1];
    if (dir == DIR_AWAY) {
        *dx = -*dx;
        *dy = -*dy;
    }
}

/* What class c says the target becomes in this row. */
static double ind_predict(const ind_class *c, const double *row, const ind_table *t, double b)
{
    double v;
    int dx, dy;

    switch (c->op) {
    case ALT_SET:
        return c->v;
    case ALT_MOVE:
        ind_dir_step(c->dir, row, t, &dx, &dy);
        if (dx == 0 && dy == 0)
            return b;
        return b + dx * 4096.0 + dy;
    default:
        v = b + c->v;
        if (c->has_hi && v > c->hi)
            v = b > c->hi ? b : c->hi;
        if (c->has_lo && v < c->lo)
            v = b < c->lo ? b : c->lo;
        return v;
    }
}

/* The move a changed position made, as a class. */
static int ind_move_class(const ind_table *t, const double *row, double b, double a,
                          ind_class *c)
{
    int dx, dy;
    double delta = a - b;

    memset(c, 0, sizeof *c);
    c->op = ALT_MOVE;
    for (int pass = 0; pass < 2; pass++) {
        int dir = pass == 0 ? (t->toward >= IND_TOWARD * t->moves && t->moves ? DIR_TOWARD : -1)
                            : (t->away >= IND_TOWARD * t->moves && t->moves ? DIR_AWAY : -1);
        if (dir < 0)
            continue;
        ind_dir_step(dir, row, t, &dx, &dy);
        if ((dx || dy) && delta == dx * 4096.0 + dy) {
            c->dir = (uint8_t)dir;
            return 1;
        }
    }
    for (int dir = DIR_LEFT; dir <= DIR_DOWN; dir++) {
        ind_dir_step(dir, row, t, &dx, &dy);
        if (delta == dx * 4096.0 + dy) {
            c->dir = (uint8_t)dir;
            return 1;
        }
    }
    return 0;
}

static int ind_class_same(const ind_class *a, const ind_class *b)
{
    return a->op == b->op && a->dir == b->dir && a->v == b->v && a->has_lo == b->has_lo &&
           a->has_hi == b->has_hi && (!a->has_lo || a->lo == b->lo) && (!a->has_hi || a->hi == b->hi);
}

static int ind_class_push(ind_class *list, int *n, int max, const ind_class *c)
{
    for (int i = 0; i < *n; i++)
        if (ind_class_same(&list[i], c))
            return 0;
    if (*n >= max)
        return 0;
    list[(*n)++] = *c;
    return 1;
}

#define IND_B(t, row, g) ((row)[(t)->ncol + 2 * (g)])
#define IND_A(t, row, g) ((row)[(t)->ncol + 2 * (g) + 1])

/* The candidate classes of target g: every delta, every value set, each delta up
** to the largest (or down to the smallest) value reached, and each move. */
static int ind_candidates(const ind_table *t, int g, ind_class *cand, int max)
{
    const ind_target *tg = &t->tg[g];
    int n = 0;
    double hi = -INFINITY, lo = INFINITY;

    for (size_t r = 0; r < t->nrow; r++) {
        const double *row = t->x + r * (size_t)t->width;
        double b = IND_B(t, row, g), a = IND_A(t, row, g);
        ind_class c;
        if (isnan(b) || isnan(a) || a == b)
            continue;
        memset(&c, 0, sizeof c);
        if (tg->kind == TG_POS) {
            if (ind_move_class(t, row, b, a, &c))
                ind_class_push(cand, &n, max, &c);
            continue;
        }
        /* Relative updates first: on a tie they win. */
        if (tg->kind == TG_VALUE && (tg->vkind == STATE_INT || tg->vkind == STATE_FLOAT)) {
            c.op = ALT_ADD;
            c.v = a - b;
            ind_class_push(cand, &n, max, &c);
            if (a > b)
                hi = a > hi ? a : hi;
            else
                lo = a < lo ? a : lo;
        }
        c.op = ALT_SET;
        c.v = a;
        ind_class_push(cand, &n, max, &c);
    }
    for (int i = 0, n0 = n; i < n0; i++) {
        ind_class c = cand[i];
        if (c.op != ALT_ADD)
            continue;
        if (c.v > 0 && isfinite(hi)) {
            c.has_hi = 1;
            c.hi = hi;
        } else if (c.v < 0 && isfinite(lo)) {
            c.has_lo = 1;
            c.lo = lo;
        } else {
            continue;
        }
        ind_class_push(cand, &n, max, &c);
    }
    return n;
}

/* Greedy cover of the changed rows by classes; 0 when they explain too little. */
static int ind_classes(ind *d, const ind_table *t, int g, ind_class *out, int max)
{
    enum { CANDIDATES = 256 };
    ind_class cand[CANDIDATES];
    int ncand = ind_candidates(t, g, cand, CANDIDATES), n = 0;
    unsigned char *covered = calloc(t->nrow + 1, 1);
    size_t total = 0, done = 0;

    if (!covered)
        return AUGUR_ENOMEM;
    for (size_t r = 0; r < t->nrow; r++) {
        const double *row = t->x + r * (size_t)t->width;
        total += !isnan(IND_B(t, row, g)) && !isnan(IND_A(t, row, g)) &&
                 IND_B(t, row, g) != IND_A(t, row, g);
    }
    while (n < max && done < total) {
        int best = -1;
        size_t best_count = 0;
        for (int c = 0; c < ncand; c++) {
            size_t count = 0;
            for (size_t r = 0; r < t->nrow; r++) {
                const double *row = t->x + r * (size_t)t->width;
                double b = IND_B(t, row, g), a = IND_A(t, row, g);
                if (covered[r] || isnan(b) || isnan(a) || a == b)
                    continue;
                count += ind_predict(&cand[c], row, t, b) == a;
            }
            /* Ties go to the earlier: relative updates, and no bounds. */
            if (count > best_count) {
                best = c;
                best_count = count;
            }
        }
        if (best < 0 || best_count < (size_t)d->opt->min_support)
            break;
        out[n++] = cand[best];
        for (size_t r = 0; r < t->nrow; r++) {
            const double *row = t->x + r * (size_t)t->width;
            double b = IND_B(t, row, g), a = IND_A(t, row, g);
            if (!covered[r] && !isnan(b) && !isnan(a) && a != b &&
                ind_predict(&cand[best], row, t, b) == a) {
                covered[r] = 1;
                done++;
            }
        }
    }
    free(covered);
    return done >= IND_LAWFUL * (double)total ? n : 0;
}

/* ---- rules ------------------------------------------------------------------------------- */

typedef struct ind_rule {
    int      ncond;
    law_cond cond[LAW_COND_MAX];
    int      pure;          /* what it covers is its class but for a few exceptions */
    int      nalt, alt_at;  /* conditions as good as cond[alt_at], each a law of its own;
                               alt_at -1: no condition was found to split off exceptions */
    law_cond alt[IND_ALTS];
} ind_rule;

/* A value of one column in a covered row, and whether the row is a positive. */
typedef struct ind_pair {
    double v;
    int    pos;
} ind_pair;

static int ind_pair_cmp(const void *a, const void *b)
{
    double x = ((const ind_pair *)a)->v, y = ((const ind_pair *)b)->v;
    return (x > y) - (x < y);
}

static int ind_in(const double *set, int n, double v)
{
    for (int i = 0; i < n; i++)
        if (set[i] == v)
            return 1;
    return 0;
}

/* FOIL's information gain (Laplace-smoothed) of going from p0/n0 to p1/n1, or 0
** when the rise in precision is small (positives must pass the condition
** IND_LIFT times as often as negatives) or could be chance (the Chernoff bound
** puts it below IND_CHANCE). */
static double ind_gain(double p0, double n0, double p1, double n1, double lift)
{
    double q = n0 > 0 ? n1 / n0 : 1, r = p1 / p0, kl;

    if (p1 < 1 || r <= q * lift)
        return 0;
    kl = r * log(r / (q > 0 ? q : 1e-300));
    if (r < 1)
        kl += (1 - r) * log((1 - r) / (1 - q));
    if (p0 * kl < -log(IND_CHANCE))
        return 0;
    return p1 * (log2((p1 + 1) / (p1 + n1 + 2)) - log2((p0 + 1) / (p0 + n0 + 2)));
}

/* The gain of a condition, or 0 when whole asks it to keep every positive (but
** a few exceptions) and it does not. */
static double ind_gain_of(int whole, double p0, double n0, double p1, double n1, double lift)
{
    return whole && p1 < (1 - IND_NOISE) * p0 ? 0 : ind_gain(p0, n0, p1, n1, lift);
}

/* The n values of pr in groups of one value, ascending: gv the value, gp and gn
** how many positives and negatives take it; returns how many groups. Few
** distinct values (the column never took IND_FEW) are counted into a sorted
** list as they come; else the pairs are sorted (the rule search spent half its
** time sorting columns of a handful of values). */
static size_t ind_group(ind_pair *pr, size_t n, int few, double *gv, double *gp, double *gn)
{
    size_t ng = 0;

    if (!few)
        qsort(pr, n, sizeof *pr, ind_pair_cmp);
    for (size_t i = 0; i < n; i++) {
        size_t k = ng;
        if (few) {
            size_t lo = 0, hi = ng;
            while (lo < hi) {
                size_t mid = (lo + hi) / 2;
                if (gv[mid] < pr[i].v)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            k = lo;
        } else if (ng && gv[ng - 1] == pr[i].v) {
            k = ng - 1;
        }
        if (k == ng || gv[k] != pr[i].v) {
            memmove(gv + k + 1, gv + k, (ng - k) * sizeof *gv);
            memmove(gp + k + 1, gp + k, (ng - k) * sizeof *gp);
            memmove(gn + k + 1, gn + k, (ng - k) * sizeof *gn);
            gv[k] = pr[i].v;
            gp[k] = gn[k] = 0;
            ng++;
        }
        if (pr[i].pos)
            gp[k]++;
        else
            gn[k]++;
    }
    return ng;
}

/* The best condition on column col for rows pos and neg (its gain in *gain; 0 when
** none helps; with whole, only one that keeps every positive but a few): for a categorical feature the set of values the positives take or
** one of them; for a numeric one a threshold at a value positives take, moved
** halfway to the next value seen (the most general threshold that separates alike). */
static int ind_best_on(ind *d, const ind_table *t, int col, const uint32_t *pos, size_t npos,
                       const uint32_t *neg, size_t nneg, int whole, law_cond *best, double *gain)
{
    const ind_col *cl = &t->col[col];
    ind_pair *pr;
    size_t n = 0, ng = 0;
    double ptot = 0, ntot = 0, *gv, *gp, *gn;
    int kind = cl->ref.kind;
    double lift = kind == REF_ACTION || kind == REF_NEARBY || kind == REF_FACED ||
                  ((kind == REF_MATERIAL || kind == REF_ENTITY) && cl->ref.place == PL_FACING) ||
                  (kind == REF_PLAYER && cl->num && cl->integral) ? IND_LIFT_TEMPLATE : IND_LIFT;

    *gain = 0;
    if (buf_grow_array(&d->pairs, &d->cap_pairs, npos + nneg + 1, sizeof *d->pairs) ||
        buf_grow_array(&d->vals, &d->cap_vals, 3 * (npos + nneg + 1), sizeof *d->vals))
        return AUGUR_ENOMEM;
    pr = d->pairs;
    for (size_t i = 0; i < npos + nneg; i++) {
        uint32_t r = i < npos ? pos[i] : neg[i - npos];
        double v = t->x[r * (size_t)t->width + col];
        if (!isnan(v))
            pr[n++] = (ind_pair){ v, i < npos };
    }
    gv = d->vals;
    gp = gv + n + 1;
    gn = gp + n + 1;
    ng = ind_group(pr, n, cl->distinct < IND_FEW, gv, gp, gn);
    for (size_t k = 0; k < ng; k++) {
        ptot += gp[k];
        ntot += gn[k];
    }
    memset(best, 0, sizeof *best);
    best->ref = cl->ref;
    if (!cl->num) {
        law_cond c;
        double p1 = 0, n1 = 0, g;
        memset(&c, 0, sizeof c);
        c.ref = cl->ref;
        for (size_t k = 0; k < ng; k++)
            if (gp[k] > 0) {
                if (c.n >= LAW_SET_MAX)
                    return 0;
                c.v[c.n++] = gv[k];
                p1 += gp[k];
                n1 += gn[k];
            }
        c.op = c.n == 1 ? OP_EQ : OP_IN;

        if (c.n && (g = ind_gain_of(whole, (double)npos, (double)nneg, p1, n1, lift)) > *gain) {
            *best = c;
            *gain = g;
        }
        for (size_t k = 0; k < ng && c.n > 1; k++)
            if (gp[k] > 0 && (g = ind_gain_of(whole, (double)npos, (double)nneg, gp[k], gn[k], lift)) > *gain) {
                best->op = OP_EQ;
                best->n = 1;
                best->v[0] = gv[k];
                *gain = g;
            }
        /* Or every value but those no positive takes. */
        c.n = 0;
        n1 = 0;
        for (size_t k = 0; k < ng; k++)
            if (gp[k] == 0) {
                if (c.n >= LAW_SET_MAX)
                    return *gain > 0;
                c.v[c.n++] = gv[k];
                n1 += gn[k];
            }
        c.op = c.n == 1 ? OP_NE : OP_NOTIN;
        /* Of two that split the rows alike, the shorter: the values no positive
        ** took may be fewer to name than those they took. */
        g = c.n ? ind_gain_of(whole, (double)npos, (double)nneg, ptot, ntot - n1, lift) : 0;
        if (g > *gain || (g > 0 && g == *gain && c.n < best->n)) {
            *best = c;
            *gain = g;
        }
        return *gain > 0;
    }
    {
        double pb = 0, nb = 0;      /* rows below group k */
        for (size_t k = 0; k < ng; k++) {
            double g;
            if (gp[k] > 0) {
                /* value >= gv[k] */
                if ((g = ind_gain_of(whole, (double)npos, (double)nneg, ptot - pb, ntot - nb, lift)) > *gain) {
                    best->op = OP_GE;
                    best->n = 1;
                    best->v[0] = k ? (gv[k - 1] + gv[k]) / 2 : gv[k];
                    if (cl->integral)
                        best->v[0] = ceil(best->v[0]);
                    *gain = g;
                }
                /* value <= gv[k] */
                if ((g = ind_gain_of(whole, (double)npos, (double)nneg, pb + gp[k], nb + gn[k], lift)) > *gain) {
                    best->op = OP_LE;
                    best->n = 1;
                    best->v[0] = k + 1 < ng ? (gv[k] + gv[k + 1]) / 2 : gv[k];
                    if (cl->integral)
                        best->v[0] = floor(best->v[0]);
                    *gain = g;
                }
            }
            pb += gp[k];
            nb += gn[k];
        }
    }
    return *gain > 0;
}

/* Keep the rows of list that satisfy c. */
static size_t ind_filter(const ind_table *t, int col, const law_cond *c, uint32_t *list, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        if (law_cond_test(c, t->x[list[i] * (size_t)t->width + col]))
            list[k++] = list[i];
    return k;
}

/* How many rows of list (NULL: the n first of the table) satisfy c. */
static size_t ind_count(const ind_table *t, int col, const law_cond *c, const uint32_t *list, size_t n)
{
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        k += law_cond_test(c, t->x[(list ? list[i] : i) * (size_t)t->width + col]) != 0;
    return k;
}

/* Whether target g took a new value in the row (both values known). */
static int ind_changed(const ind_table *t, const double *row, int g)
{
    double b = IND_B(t, row, g), a = IND_A(t, row, g);

    return !isnan(b) && !isnan(a) && a != b;
}

/* The target of the cell the player faces, or -1. */
static int ind_faced_cell(const ind_table *t)
{
    for (int g = 0; g < t->ntg; g++)
        if (t->tg[g].kind == TG_CELL && t->tg[g].ref.place == PL_FACING)
            return g;
    return -1;
}

static int ind_col_of(const ind_table *t, const law_ref *ref)
{
    for (int j = 0; j < t->ncol; j++)
        if (law_ref_equal(&t->col[j].ref, ref))
            return j;
    return -1;
}

static int ind_action_col(const ind_table *t)
{
    law_ref act = ind_ref(REF_ACTION, 0, 0);

    return ind_col_of(t, &act);
}

/* The templates' order of causes: the action, what the player faces, what it
** holds or is (counts and flags), what is around it, the rest (the state of other
** things, readings that change every step, the player's other attributes, such
** as the way it faces). */
static int ind_rank(const ind_col *c)
{
    switch (c->ref.kind) {
    case REF_ACTION:
        return 0;
    case REF_MATERIAL: case REF_ENTITY:
        return c->ref.place == PL_FACING ? 1 : 3;
    case REF_PLAYER: case REF_SELF:
        return (c->num && c->integral && !c->restless) || c->boolean ? 2 : 4;
    case REF_NEARBY: case REF_FACED: case REF_SIDE:
        return 3;
    default:
        return 4;
    }
}

/* Whether condition ca on column a is the likelier cause than cb on b: its
** feature earlier in the templates' order, or as early with fewer values (a flag
** before a count), or else the rarer in the whole life (a table nearby, not the
** trees that are nearly always near: what holds everywhere explains nothing). */
static int ind_likelier(const ind_table *t, int a, const law_cond *ca, int b, const law_cond *cb)
{
    const ind_col *x = &t->col[a], *y = &t->col[b];
    int rx = ind_rank(x), ry = ind_rank(y);

    if (rx != ry)
        return rx < ry;
    if (x->distinct != y->distinct)
        return x->distinct < y->distinct;
    return ind_count(t, a, ca, NULL, t->nrow) < ind_count(t, b, cb, NULL, t->nrow);
}

/* The condition of most gain on a column the rule does not test yet (*col -1:
** none helps); with whole, only one that keeps every positive but a few. */
static int ind_rule_best(ind *d, const ind_table *t, const ind_rule *rule, const uint32_t *pos,
                         size_t npos, const uint32_t *neg, size_t nneg, int whole, law_cond *best,
                         int *col)
{
    double best_gain = 0, gain;
    law_cond c;
    int rc;

    *col = -1;
    for (int j = 0; j < t->ncol; j++) {
        int used = d->creature && !law_ref_of_self(&t->col[j].ref);
        for (int k = 0; k < rule->ncond && !used; k++)
            used = law_ref_equal(&rule->cond[k].ref, &t->col[j].ref);
        if (used)
            continue;
        if ((rc = ind_best_on(d, t, j, pos, npos, neg, nneg, whole, &c, &gain)) < 0)
            return rc;
        /* Near ties go to the likelier cause: in a short life several features
        ** may separate the same few rows by coincidence. */
        if (rc && (gain > best_gain * (1 + IND_TIE) ||
                   (*col >= 0 && gain > best_gain * (1 - IND_TIE) && ind_likelier(t, j, &c, *col, best)))) {
            *best = c;
            best_gain = gain;
            *col = j;
        }
    }
    return AUGUR_OK;
}

/* Whether the rule tests the feature ref. */
static int ind_rule_tests(const ind_rule *rule, law_ref ref)
{
    for (int k = 0; k < rule->ncond; k++)
        if (law_ref_equal(&rule->cond[k].ref, &ref))
            return 1;
    return 0;
}

/* Whether the rule is about the thing the player faces: what lies there, or
** (for a creature) being it. */
static int ind_rule_faces(const ind_rule *rule)
{
    for (int k = 0; k < rule->ncond; k++) {
        const law_cond *cd = &rule->cond[k];
        if (((cd->ref.kind == REF_MATERIAL || cd->ref.kind == REF_ENTITY) && cd->ref.place == PL_FACING) ||
            (cd->ref.kind == REF_FACED && law_cond_test(cd, 1) && !law_cond_test(cd, 0)))
            return 1;
    }
    return 0;
}

/* A pure rule takes the action every change it covers came with, when that
** rules out one of its exceptions, or when it is about what the player faces
** (the template: an action on a thing; for a creature's own changes, the
** creature being faced): in a short life the action rarely removes enough rows
** to pass the tests of gain, and an explorer that does the same to each thing it
** faces may show none (it strikes every zombie it faces), yet a law that holds
** whatever the player does says that nothing need be done. Other rules of a
** creature take no action this way: what it does by itself comes with whatever
** the player happened to do. */
static void ind_rule_act(const ind_table *t, ind_rule *rule, uint32_t *pos, size_t npos, uint32_t *neg,
                         size_t *nneg)
{
    law_cond c;
    int col = ind_action_col(t), faced = ind_rule_faces(rule);

    if (ind_rule_tests(rule, ind_ref(REF_ACTION, 0, 0)))
        return;
    if (col < 0 || !npos || rule->ncond >= LAW_COND_MAX || (!*nneg && !faced) ||
        (t->subject >= 0 && !faced))
        return;
    c = ind_cond(t->col[col].ref, OP_EQ, t->x[pos[0] * (size_t)t->width + col]);
    if (isnan(c.v[0]) || ind_count(t, col, &c, pos, npos) < npos ||
        (*nneg && ind_count(t, col, &c, neg, *nneg) == *nneg))
        return;
    *nneg = ind_filter(t, col, &c, neg, *nneg);
    rule->cond[rule->ncond++] = c;
}

/* A pure rule's exceptions are not noise when a condition that every change it
** covers meets rules them all out: stone that a bare hand strikes in vain is no
** exception to "stone is mined" but the sign of the pickaxe it needs. A feature
** splits npos changes from k exceptions so by accident with chance
** 1 / C(npos + k, k), which must be below IND_CHANCE. Of the conditions that do,
** those of the likeliest kind of cause count (ind_rank): when several split them
** alike (a pickaxe and a sword, always made together), the data cannot say which
** the law needs, so each is a law of its own and it holds where any of them does
** (the likeliest by ind_likelier in the rule, IND_ALTS more at most). */
static int ind_rule_except(ind *d, const ind_table *t, ind_rule *rule, const uint32_t *pos, size_t npos,
                           const uint32_t *neg, size_t *nneg)
{
    double chance = lgamma((double)npos + 1) + lgamma((double)*nneg + 1) - lgamma((double)(npos + *nneg) + 1);
    law_cond found[IND_ALTS + 1], c;
    int cols[IND_ALTS + 1], n = 0, best = -1;

    if (rule->ncond >= d->opt->max_conditions || rule->ncond >= LAW_COND_MAX || chance >= log(IND_CHANCE))
        return AUGUR_OK;
    for (int j = 0; j < t->ncol; j++) {
        double gain;
        int used = d->creature && !law_ref_of_self(&t->col[j].ref), rc, slot;
        for (int k = 0; k < rule->ncond && !used; k++)
            used = law_ref_equal(&rule->cond[k].ref, &t->col[j].ref);
        if (used || (rc = ind_best_on(d, t, j, pos, npos, neg, *nneg, 1, &c, &gain)) == 0)
            continue;
        if (rc < 0)
            return rc;
        if (ind_count(t, j, &c, pos, npos) < npos || ind_count(t, j, &c, neg, *nneg))
            continue;
        if (best >= 0 && ind_rank(&t->col[j]) != ind_rank(&t->col[cols[best]])) {
            if (ind_rank(&t->col[j]) > ind_rank(&t->col[cols[best]]))
                continue;
            n = 0;
            best = -1;
        }
        /* When full, only a likelier one enters, in another's place. */
        if (n > IND_ALTS && !ind_likelier(t, j, &c, cols[best], &found[best]))
            continue;
        slot = n <= IND_ALTS ? n++ : best == IND_ALTS ? 0 : IND_ALTS;
        found[slot] = c;
        cols[slot] = j;
        if (best < 0 || ind_likelier(t, j, &c, cols[best], &found[best]))
            best = slot;
    }
    if (best < 0)
        return AUGUR_OK;
    rule->alt_at = rule->ncond;
    rule->cond[rule->ncond++] = found[best];
    for (int i = 0; i < n; i++)
        if (i != best)
            rule->alt[rule->nalt++] = found[i];
    *nneg = 0;
    return AUGUR_OK;
}

/* Grow a conjunction until none helps or what it covers is all but noise; pos
** and neg are filtered to the rows it covers. A condition that keeps every
** change of the class (but a few exceptions) goes first (a law as general as the data allows: a
** threshold that trades a few changes for many wrong rows fits this life, not
** the world); else the one of most gain. A rule whose wrong rows are few is
** pure: they are exceptions other laws tell of. */
static int ind_rule_grow(ind *d, const ind_table *t, ind_rule *rule, uint32_t *pos, size_t *npos,
                         uint32_t *neg, size_t *nneg)
{
    int rc;

    while ((double)*nneg > IND_NOISE * (double)*npos && rule->ncond < d->opt->max_conditions &&
           rule->ncond < LAW_COND_MAX) {
        law_cond best;
        int col;
        if ((rc = ind_rule_best(d, t, rule, pos, *npos, neg, *nneg, 1, &best, &col)) < 0 ||
            (col < 0 && (rc = ind_rule_best(d, t, rule, pos, *npos, neg, *nneg, 0, &best, &col)) < 0))
            return rc;
        if (col < 0)
            break;
        rule->cond[rule->ncond++] = best;
        *npos = ind_filter(t, col, &best, pos, *npos);
        *nneg = ind_filter(t, col, &best, neg, *nneg);
    }
    rule->pure = (double)*nneg <= IND_NOISE * (double)*npos;
    if (rule->pure && *nneg && (rc = ind_rule_except(d, t, rule, pos, *npos, neg, nneg)) < 0)
        return rc;
    if (rule->pure)
        ind_rule_act(t, rule, pos, *npos, neg, nneg);
    return AUGUR_OK;
}

/* A rule of the player's table starts from the action most of its changes came
** with when that action is far likelier among them than among all rows: what an
** action does is learned for it alone (what making a stone pickaxe takes is not
** what making a wooden one takes, and a rule for both fits neither). Changes that
** come with every action, as a need's drift, start from none. */
static int ind_rule_action(const ind_table *t, ind_rule *rule, uint32_t *pos, size_t *npos, uint32_t *neg,
                           size_t *nneg)
{
    size_t inpos[IND_ACTIONS] = { 0 };
    int col = ind_action_col(t), best = -1;
    law_cond c;

    if (col < 0 || t->subject >= 0 || !*npos || !t->nrow || rule->ncond >= LAW_COND_MAX)
        return 0;
    for (size_t i = 0; i < *npos; i++) {
        double v = t->x[pos[i] * (size_t)t->width + col];
        if (v >= 0 && v < IND_ACTIONS)
            inpos[(int)v]++;
    }
    for (int a = 0; a < IND_ACTIONS; a++)
        if (inpos[a] && (best < 0 || inpos[a] > inpos[best]))
            best = a;
    if (best < 0 || 5 * inpos[best] < *npos ||
        (double)inpos[best] / (double)*npos < IND_ACTION_LIFT * (double)t->by_action[best] / (double)t->nrow)
        return 0;
    c = ind_cond(t->col[col].ref, OP_EQ, best);
    *npos = ind_filter(t, col, &c, pos, *npos);
    *nneg = ind_filter(t, col, &c, neg, *nneg);
    rule->cond[rule->ncond++] = c;
    return 1;
}

/* What a law takes away must be there to take: for each of the player's
** attributes that fell by at least k in every row a rule is to cover (its other
** effects), "ATTR >= k" holds of those rows; it starts the rule when it rules
** out some of the rows the rule must not cover. A counter that changes in most
** rows is not taken away (it fell by itself), nor is what was not there. */
static void ind_rule_seed(const ind_table *t, ind_rule *rule, const uint32_t *pos, size_t npos,
                          uint32_t *neg, size_t *nneg)
{
    for (int g = 0; g < t->ntg && t->subject < 0 && npos; g++) {
        const ind_target *tg = &t->tg[g];
        double k = INFINITY;
        law_cond c;
        int col;
        size_t kept;
        if (tg->kind != TG_VALUE || tg->ref.kind != REF_PLAYER || (col = ind_col_of(t, &tg->ref)) < 0 ||
            !t->col[col].num || t->col[col].restless || rule->ncond >= LAW_COND_MAX)
            continue;
        for (size_t i = 0; i < npos && k > 0; i++) {
            const double *row = t->x + pos[i] * (size_t)t->width;
            double fell = IND_B(t, row, g) - IND_A(t, row, g);
            k = isnan(fell) || !(fell > 0) ? 0 : fell < k ? fell : k;
        }
        if (!(k > 0) || !isfinite(k))
            continue;
        c = ind_cond(tg->ref, OP_GE, k);
        if (ind_count(t, col, &c, pos, npos) < npos || (kept = ind_filter(t, col, &c, neg, *nneg)) == *nneg)
            continue;
        *nneg = kept;
        rule->cond[rule->ncond++] = c;
    }
}

/* A rule for the changes pos against the rows neg (both filtered to what it
** covers), started from the action most changes came with when act; returns 1
** when it was. */
static int ind_rule_make(ind *d, const ind_table *t, int act, ind_rule *rule, uint32_t *pos, size_t *npos,
                         uint32_t *neg, size_t *nneg)
{
    int acted, rc;

    rule->ncond = rule->nalt = 0;
    rule->alt_at = -1;
    acted = act && ind_rule_action(t, rule, pos, npos, neg, nneg);
    ind_rule_seed(t, rule, pos, *npos, neg, nneg);
    return (rc = ind_rule_grow(d, t, rule, pos, npos, neg, nneg)) < 0 ? rc : acted;
}

/* The rule for the changes pos against the rows neg (each array with room for
** twice its rows: the second half is scratch); *pos then points at the changes
** it covers. A rule started from an action gives way to one grown from nothing
** that names no action, is as pure and covers more: a sleeper's needs drift
** alike whatever it chose to do, though it chose to wait most of the time. */
static int ind_rule_find(ind *d, const ind_table *t, size_t room, ind_rule *rule, uint32_t **pos,
                         size_t *npos, uint32_t *neg, size_t *nneg)
{
    uint32_t *pos2 = *pos + room, *neg2 = neg + room;
    size_t npos2 = *npos, nneg2 = *nneg;
    ind_rule other;
    int rc;

    memcpy(pos2, *pos, *npos * sizeof *pos2);
    memcpy(neg2, neg, *nneg * sizeof *neg2);
    if ((rc = ind_rule_make(d, t, 1, rule, *pos, npos, neg, nneg)) <= 0)
        return rc;
    if ((rc = ind_rule_make(d, t, 0, &other, pos2, &npos2, neg2, &nneg2)) < 0)
        return rc;
    if (other.pure && npos2 > *npos && !ind_rule_tests(&other, ind_ref(REF_ACTION, 0, 0))) {
        *rule = other;
        *pos = pos2;
        *npos = npos2;
        *nneg = nneg2;
    }
    return AUGUR_OK;
}

static int ind_cond_holds(const ind_table *t, const law_cond *cd, const double *row)
{
    int col = ind_col_of(t, &cd->ref);

    return col >= 0 && law_cond_test(cd, row[col]);
}

static int ind_row_holds(const ind_table *t, const ind_rule *rule, const double *row)
{
    for (int k = 0; k < rule->ncond; k++)
        if (!ind_cond_holds(t, &rule->cond[k], row))
            return 0;
    return 1;
}

/* ---- laws from rules -------------------------------------------------------------------- */

static void ind_alt_of(const ind_class *c, law_alt *a, const ind_target *tg)
{
    memset(a, 0, sizeof *a);
    a->op = c->op;
    a->dir = c->dir;
    a->v = c->v;
    a->symbolic = c->op != ALT_SET ? 0 : tg->kind == TG_CELL || tg->vkind == STATE_SYMBOL ? 1
                  : tg->vkind == STATE_BOOL ? 2 : 0;
}

/* The effect of a rule for target g: the distribution of outcomes in the rows it
** covers, each row counted for the first class that explains it, or as staying. */
static int ind_effect(const ind_table *t, int g, const ind_rule *rule, const ind_class *cls,
                      int ncls, int first, law_effect *ef, size_t *support)
{
    const ind_target *tg = &t->tg[g];
    double count[IND_CLASSES + 1] = { 0 }, total = 0;
    int order[IND_CLASSES];

    memset(ef, 0, sizeof *ef);
    *support = 0;
    order[0] = first;
    for (int i = 0, k = 1; i < ncls; i++)
        if (i != first)
            order[k++] = i;
    for (size_t r = 0; r < t->nrow; r++) {
        const double *row = t->x + r * (size_t)t->width;
        double b = IND_B(t, row, g), a = IND_A(t, row, g);
        int k;
        if (isnan(b) || isnan(a) || !ind_row_holds(t, rule, row))
            continue;
        for (k = 0; k < ncls; k++)
            if (ind_predict(&cls[order[k]], row, t, b) == a)
                break;
        /* The few exceptions to a pure rule are other laws' to tell. */
        if ((k == ncls && a != b) || (rule->pure && k != 0))
            continue;
        count[k < ncls ? order[k] : ncls] += 1;
        total += 1;
        *support += k < ncls && a != b;
    }
    if (total == 0)
        return 0;
    for (int i = 0; i <= ncls; i++) {
        law_alt *a;
        if (count[i] / total < IND_RARE || ef->nalt >= LAW_ALT_MAX)
            continue;
        a = &ef->alt[ef->nalt++];
        if (i == ncls) {
            memset(a, 0, sizeof *a);
            a->op = tg->kind == TG_POS ? ALT_MOVE : ALT_SAME;
            a->dir = DIR_STAY;
        } else {
            ind_alt_of(&cls[i], a, tg);
            ef->has_hi |= cls[i].has_hi;
            ef->has_lo |= cls[i].has_lo;
            if (cls[i].has_hi)
                ef->hi = cls[i].hi;
            if (cls[i].has_lo)
                ef->lo = cls[i].lo;
        }
        a->p = count[i];
    }
    {
        double kept = 0;
        for (int i = 0; i < ef->nalt; i++)
            kept += ef->alt[i].p;
        for (int i = 0; i < ef->nalt; i++)
            ef->alt[i].p /= kept;
    }
    switch (tg->kind) {
    case TG_VALUE:
        ef->kind = EF_VALUE;
        ef->ref = tg->ref;
        break;
    case TG_POS:
        ef->kind = EF_POS;
        ef->ref = tg->ref;
        if (t->subject >= 0) {
            ef->non = t->non;
            memcpy(ef->on, t->on, sizeof ef->on);
        }
        break;
    case TG_CELL:
        ef->kind = EF_CELL;
        ef->ref = tg->ref;
        break;
    case TG_SPAWN:
        ef->kind = EF_CREATE;
        ef->ref = tg->ref;
        ef->type = tg->type;
        ef->ninit = tg->ninit;
        memcpy(ef->init, tg->init, sizeof ef->init);
        ef->nalt = 1;
        ef->alt[0].p = total ? count[first] / total : 1;
        break;
    default:
        ef->kind = EF_REMOVE;
        ef->ref = ind_ref(REF_SELF, 0, 0);
        ef->nalt = 1;
        ef->alt[0].p = total ? count[first] / total : 1;
    }
    return ef->nalt > 0;
}

/* Append "_part" (or "part" first) to name, within LAW_NAME_MAX. */
static void ind_name_part(char *name, const char *part)
{
    size_t len = strlen(name);

    if (len && len < LAW_NAME_MAX)
        name[len++] = '_';
    for (size_t i = 0; part[i] && len < LAW_NAME_MAX; i++)
        name[len++] = part[i];
    name[len] = '\0';
}

/* A name that says what the law does: its subject, action, faced thing, target. */
static void ind_name(ind *d, const ind_table *t, const law *l, const ind_target *tg, char *out)
{
    const laws *m = d->m;
    char name[LAW_NAME_MAX + 1] = "", suffix[16];

    if (t->subject >= 0)
        ind_name_part(name, names_text(&m->names, t->subject));
    if (l->naction == 1)
        ind_name_part(name, m->cls->actions[l->action[0]]);
    if (l->key_material >= 0)
        ind_name_part(name, names_text(&m->names, l->key_material));
    if (l->key_entity >= 0)
        ind_name_part(name, names_text(&m->names, l->key_entity));
    if (t->subject >= 0 && tg->kind == TG_VALUE && tg->ref.kind == REF_PLAYER)
        ind_name_part(name, "player");
    switch (tg->kind) {
    case TG_VALUE: ind_name_part(name, names_text(&m->names, tg->ref.id)); break;
    case TG_POS:   ind_name_part(name, "moves"); break;
    case TG_CELL:  ind_name_part(name, law_place_names[tg->ref.place]);
                   ind_name_part(name, "cell"); break;
    case TG_SPAWN: ind_name_part(name, "makes");
                   ind_name_part(name, names_text(&m->names, tg->type)); break;
    default:       ind_name_part(name, "removed"); break;
    }
    strcpy(out, name);
    for (int n = 2, taken = 1; taken; n++) {
        taken = 0;
        for (int i = 0; i < d->nout && !taken; i++)
            taken = strcmp(d->out[i].name, out) == 0;
        if (!taken)
            break;
        snprintf(suffix, sizeof suffix, "_%d", n);
        memcpy(out, name, LAW_NAME_MAX + 1);
        out[LAW_NAME_MAX - strlen(suffix)] = '\0';
        strcat(out, suffix);
    }
}

static int ind_same_pre(const law *a, const law *b)
{
    if (a->subject != b->subject || a->naction != b->naction || a->decl.ncond != b->decl.ncond)
        return 0;
    for (int i = 0; i < a->naction; i++)
        if (a->action[i] != b->action[i])
            return 0;
    for (int i = 0; i < a->decl.ncond; i++)
        if (!law_cond_equal(&a->decl.cond[i], &b->decl.cond[i]))
            return 0;
    return 1;
}

static int ind_deterministic(const law *l)
{
    for (int i = 0; i < l->decl.neffect; i++)
        if (l->decl.effect[i].nalt != 1 || l->decl.effect[i].alt[0].p != 1 ||
            l->decl.effect[i].alt[0].op == ALT_SAME)
            return 0;
    return 1;
}

/* An amount the life never saw below zero stays at or above it: a law that lowers
** it, with no condition of its own that keeps it from going negative, is floored
** at 0 (a zombie's blow learned on a player with health to spare still leaves
** one with health 1 at 0, not at -1). */
static void ind_floor(const ind_table *t, const ind_target *tg, const ind_rule *rule,
                      law_effect *ef)
{
    int g = (int)(tg - t->tg);
    double drop = 0;

    if (ef->kind != EF_VALUE || ef->has_lo)
        return;
    for (int i = 0; i < ef->nalt; i++)
        if (ef->alt[i].op == ALT_ADD && ef->alt[i].v < drop)
            drop = ef->alt[i].v;
    if (drop == 0)
        return;
    for (int k = 0; k < rule->ncond; k++) {
        const law_cond *c = &rule->cond[k];
        if (law_ref_equal(&c->ref, &tg->ref) && (c->op == OP_GE || c->op == OP_GT ||
                                                  c->op == OP_EQ) && c->v[0] + drop >= 0)
            return;
    }
    for (size_t r = 0; r < t->nrow; r++) {
        const double *row = t->x + r * (size_t)t->width;
        if (IND_B(t, row, g) < 0 || IND_A(t, row, g) < 0)
            return;
    }
    ef->has_lo = 1;
    ef->lo = 0;
}

/* Add a law, or join it to one with the same precondition. */
static int ind_emit(ind *d, const ind_table *t, const ind_target *tg, const ind_rule *rule,
                    const law_effect *effect)
{
    law l;
    law_effect floored = *effect, *ef = &floored;

    ind_floor(t, tg, rule, ef);
    memset(&l, 0, sizeof l);
    l.kind = &law_declarative;
    l.subject = t->subject;
    l.weight = l.vote_weight = LAW_WEIGHT_START;
    for (int k = 0; k < rule->ncond; k++) {
        const law_cond *c = &rule->cond[k];
        if (c->ref.kind == REF_ACTION && (c->op == OP_EQ || c->op == OP_IN) &&
            c->n <= LAW_ACTIONS_MAX) {
            for (int i = 0; i < c->n; i++)
                l.action[l.naction++] = (int)c->v[i];
            continue;
        }
        {
            const ind_col *col = &t->col[ind_col_of(t, &c->ref)];
            l.decl.cond[l.decl.ncond] = *c;
            l.decl.cond[l.decl.ncond++].symbolic = c->ref.kind == REF_ACTION ? 3 : col->num ? 0
                                                    : col->boolean ? 2 : 1;
        }
    }
    l.decl.effect[0] = *ef;
    l.decl.neffect = 1;
    law_index_keys(&l);
    for (int i = 0; i < d->nout; i++) {
        law *o = &d->out[i];
        if (!ind_same_pre(o, &l))
            continue;
        if (o->decl.neffect < LAW_EFFECT_MAX && ind_deterministic(o) && ind_deterministic(&l)) {
            o->decl.effect[o->decl.neffect++] = *ef;
            return AUGUR_OK;
        }
        /* The same precondition for the same target: one law says it all. */
        for (int e = 0; e < o->decl.neffect; e++)
            if (o->decl.effect[e].kind == ef->kind &&
                law_ref_equal(&o->decl.effect[e].ref, &ef->ref) &&
                o->decl.effect[e].type == ef->type)
                return AUGUR_OK;
    }
    if (lm_grow((void **)&d->out, &d->cap_out, d->nout + 1, sizeof *d->out))
        return AUGUR_ENOMEM;
    ind_name(d, t, &l, tg, l.name);
    d->out[d->nout++] = l;
    return AUGUR_OK;
}

/* The rule's law, and one for each condition as good as one of its own. */
static int ind_emit_all(ind *d, const ind_table *t, const ind_target *tg, const ind_rule *rule,
                        const law_effect *ef)
{
    int rc = ind_emit(d, t, tg, rule, ef);

    for (int i = 0; i < rule->nalt && rc == AUGUR_OK; i++) {
        ind_rule alt = *rule;
        alt.cond[alt.alt_at] = rule->alt[i];
        rc = ind_emit(d, t, tg, &alt, ef);
    }
    return rc;
}

/* A rule found for target g of a table, and its effect. */
typedef struct ind_found {
    int        g;
    ind_rule   rule;
    law_effect ef;
} ind_found;

/* Whether the rule holds of a row with its condition cond[alt_at] or one of the
** alternates in its place. */
static int ind_row_meets(const ind_table *t, const ind_rule *rule, const double *row)
{
    int alt = rule->alt_at < 0;

    for (int k = 0; k < rule->ncond; k++)
        if (k != rule->alt_at && !ind_cond_holds(t, &rule->cond[k], row))
            return 0;
    for (int i = -1; i < rule->nalt && !alt; i++)
        alt = ind_cond_holds(t, i < 0 ? &rule->cond[rule->alt_at] : &rule->alt[i], row);
    return alt;
}

/* Whether every change of e's target where e holds came with a change of r's,
** where r holds (some min_support rows at least). */
static int ind_rides_on(const ind *d, const ind_table *t, const ind_found *e, const ind_found *r)
{
    size_t n = 0;

    for (size_t i = 0; i < t->nrow; i++) {
        const double *row = t->x + i * (size_t)t->width;
        if (!ind_changed(t, row, e->g) || !ind_row_holds(t, &e->rule, row))
            continue;
        if (!ind_changed(t, row, r->g) || !ind_row_meets(t, &r->rule, row))
            return 0;
        n++;
    }
    return n >= (size_t)d->opt->min_support;
}

/* Whether target g changes in most rows (a counter): that every change of
** another came with one of it says nothing. */
static int ind_restless(const ind_table *t, int g)
{
    return 2 * t->tg[g].changed > t->nrow;
}

/* A change that comes only with another needs what that one needs: the player
** gains coal only as the coal it strikes turns to path, so when the law of the
** cell learned from stone struck in vain that a strike needs a pickaxe, gaining
** coal needs it too, though coal was never struck in vain. A rule about the
** faced thing that split off no exceptions of its own takes the condition (and
** its alternates) of one about it that did, for another target, whose change
** came with each of its own (not of counters, which change with everything). */
static void ind_transfer(ind *d, const ind_table *t)
{
    for (int i = 0; i < d->nfound; i++) {
        ind_rule *e = &d->found[i].rule;
        for (int j = 0; j < d->nfound && e->alt_at < 0; j++) {
            const ind_rule *r = &d->found[j].rule;
            if (d->found[j].g == d->found[i].g || r->alt_at < 0 || ind_restless(t, d->found[i].g) ||
                ind_restless(t, d->found[j].g) || !ind_rule_faces(e) || !ind_rule_faces(r) ||
                ind_rule_tests(e, r->cond[r->alt_at].ref) || e->ncond >= LAW_COND_MAX ||
                e->ncond >= d->opt->max_conditions || !ind_rides_on(d, t, &d->found[i], &d->found[j]))
                continue;
            e->alt_at = e->ncond;
            e->cond[e->ncond++] = r->cond[r->alt_at];
            e->nalt = r->nalt;
            memcpy(e->alt, r->alt, sizeof e->alt);
        }
    }
}

/* Whether effect ef, in the row, takes b to a as its likeliest outcome (a law
** that gives the change once in three tells it no better than a creature may). */
static int ind_gives(const ind_table *t, const law_effect *ef, const double *row, double b, double a)
{
    int i = 0;
    ind_class c;

    for (int k = 1; k < ef->nalt; k++)
        if (ef->alt[k].p > ef->alt[i].p)
            i = k;
    if (ef->nalt == 0 || ef->alt[i].op == ALT_SAME)
        return 0;
    c = (ind_class){ ef->alt[i].op, ef->alt[i].dir, ef->has_lo, ef->has_hi, ef->alt[i].v, ef->lo,
                     ef->hi };
    return ind_predict(&c, row, t, b) == a;
}

/* Whether some row of the action changed the cell the player faced. */
static int ind_reshapes(const ind_table *t, int action)
{
    int act = ind_action_col(t), cell = ind_faced_cell(t);

    for (size_t r = 0; act >= 0 && cell >= 0 && r < t->nrow; r++) {
        const double *row = t->x + r * (size_t)t->width;
        if (row[act] == action && ind_changed(t, row, cell))
            return 1;
    }
    return 0;
}

/* An action that never changes the thing the player faces (a pickaxe made at a
** table) the life may have done only facing the thing, having walked up to it:
** when "beside it" fits every row as well as "facing it", each is a law of its
** own (the data cannot say which, and the world may mean either). */
static void ind_beside_too(const ind_table *t, ind_found *f)
{
    ind_rule *rule = &f->rule, near;
    const law_alt *alt = &f->ef.alt[0];
    int k = -1, action = -1;

    if (t->subject >= 0 || rule->alt_at >= 0 || t->tg[f->g].kind != TG_VALUE || f->ef.nalt != 1 ||
        (alt->op != ALT_ADD && alt->op != ALT_SET) || f->ef.has_lo || f->ef.has_hi)
        return;
    for (int i = 0; i < rule->ncond; i++) {
        const law_cond *c = &rule->cond[i];
        if (c->ref.kind == REF_MATERIAL && c->ref.place == PL_FACING && c->op == OP_EQ)
            k = i;
        else if (c->ref.kind == REF_ACTION && c->op == OP_EQ)
            action = (int)c->v[0];
    }
    if (k < 0 || action < 0 || ind_reshapes(t, action))
        return;
    near = *rule;
    near.cond[k] = ind_cond(ind_ref(REF_NEARBY, 0, (int32_t)rule->cond[k].v[0]), OP_EQ, 1);
    if (ind_col_of(t, &near.cond[k].ref) < 0)
        return;
    for (size_t r = 0; r < t->nrow; r++) {
        const double *row = t->x + r * (size_t)t->width;
        if (ind_row_holds(t, &near, row) && !ind_row_holds(t, rule, row) &&
            !ind_gives(t, &f->ef, row, IND_B(t, row, f->g), IND_A(t, row, f->g)))
            return;
    }
    rule->alt_at = k;
    rule->alt[0] = near.cond[k];
    rule->nalt = 1;
}

/* The laws of a table's rules, once each has taken what the rules it comes
** with need. */
static int ind_emit_found(ind *d, const ind_table *t)
{
    int rc = AUGUR_OK;

    ind_transfer(d, t);
    for (int i = 0; i < d->nfound && rc == AUGUR_OK; i++) {
        ind_beside_too(t, &d->found[i]);
        rc = ind_emit_all(d, t, &t->tg[d->found[i].g], &d->found[i].rule, &d->found[i].ef);
    }
    return rc;
}

/* The player's table's target for a creature's target g, when g is a change of
** the player; -1 when not. */
static int ind_own_target(const ind *d, const ind_table *t, int g)
{
    const ind_table *pt = d->tab[0];

    if (t->subject < 0 || t->tg[g].kind != TG_VALUE || t->tg[g].ref.kind != REF_PLAYER)
        return -1;
    for (int i = 0; i < pt->ntg; i++)
        if (pt->tg[i].kind == TG_VALUE && law_ref_equal(&pt->tg[i].ref, &t->tg[g].ref))
            return i;
    return -1;
}

/* The player's row of the transition of creature row row of table t; NULL when
** the player had none. */
static const double *ind_player_row(const ind *d, const ind_table *t, const double *row)
{
    double link = row[t->width - 3];

    return isnan(link) ? NULL : d->tab[0]->x + (size_t)link * (size_t)d->tab[0]->width;
}

/* A change of the player that the player's own laws tell (stone mined with an
** arrow in flight beside) is no creature's doing: out of the creature's rows. */
static void ind_left_to_creatures(const ind *d, ind_table *t)
{
    const ind_table *pt = d->tab[0];

    for (int g = 0; g < t->ntg; g++) {
        int g0 = ind_own_target(d, t, g);
        for (size_t r = 0; r < t->nrow && g0 >= 0; r++) {
            double *row = t->x + r * (size_t)t->width;
            double b = IND_B(t, row, g), a = IND_A(t, row, g);
            const double *prow = ind_player_row(d, t, row);
            if (!prow || isnan(b) || isnan(a) || a == b)
                continue;
            for (int f = 0; f < d->nown; f++)
                if (d->own[f].g == g0 && ind_row_meets(pt, &d->own[f].rule, prow) &&
                    ind_gives(pt, &d->own[f].ef, prow, b, a)) {
                    IND_B(t, row, g) = IND_A(t, row, g) = NAN;
                    break;
                }
        }
    }
}

/* The player's table's rules are kept for the creatures' tables. */
static void ind_keep_own(ind *d)
{
    struct ind_found *f = d->own;
    int cap = d->cap_own;

    d->own = d->found;
    d->cap_own = d->cap_found;
    d->nown = d->nfound;
    d->found = f;
    d->cap_found = cap;
}

/* Whether class c explains the change b -> a only by its bound while another
** class of cls adds a - b outright: wood 1 -> 0 is "-1", not "-2 min 0"
** (which place_table's "-2" brought in); such a row is left to the other. */
static int ind_bound_only(const ind_class *cls, int ncls, int c, double b, double a)
{
    if (cls[c].op != ALT_ADD || (!cls[c].has_lo && !cls[c].has_hi) || b + cls[c].v == a)
        return 0;
    for (int k = 0; k < ncls; k++)
        if (cls[k].op == ALT_ADD && !cls[k].has_lo && !cls[k].has_hi && cls[k].v == a - b)
            return 1;
    return 0;
}

/* Whether creature row row of table t came with no creature of another kind
** within IND_REACH of the player: what changed the player then was this kind's
** doing, if any creature's (a cow grazing where zombies strike is not). */
static int ind_alone(const ind *d, const ind_table *t, const double *row)
{
    const ind_table *pt = d->tab[0];
    const double *prow = ind_player_row(d, t, row);

    if (!prow)
        return 0;
    for (int j = 0; j < pt->ncol; j++)
        if (pt->col[j].ref.kind == REF_NEAREST && pt->col[j].ref.id != t->subject &&
            prow[j] <= IND_REACH)
            return 0;
    return 1;
}

/* Of the rows of target g where the rule holds (every row: NULL) and, with
** alone, the creature was alone beside the player: how many, and how many
** changed as class cl says. */
static void ind_rate(const ind *d, const ind_table *t, int g, const ind_rule *rule, int alone,
                     const ind_class *cl, size_t *n, size_t *k)
{
    *n = *k = 0;
    for (size_t r = 0; r < t->nrow; r++) {
        const double *row = t->x + r * (size_t)t->width;
        double b = IND_B(t, row, g), a = IND_A(t, row, g);
        if (isnan(b) || isnan(a) || (rule && !ind_row_holds(t, rule, row)) ||
            (alone && !ind_alone(d, t, row)))
            continue;
        (*n)++;
        *k += a != b && ind_predict(cl, row, t, b) == a;
    }
}

/* Log of the chance of k or more in n at rate p. */
static double ind_tail(size_t n, size_t k, double p)
{
    double sum = 0;

    if (k == 0 || p >= 1)
        return 0;
    if (p <= 0)
        return -INFINITY;
    for (size_t j = k; j <= n; j++)
        sum += exp(lgamma((double)n + 1) - lgamma((double)j + 1) - lgamma((double)(n - j) + 1) +
                   (double)j * log(p) + (double)(n - j) * log1p(-p));
    return sum > 0 ? log(sum) : -INFINITY;
}

/* A creature's rule for a change of the player must make the change likelier
** than it is in the player's life at large, by IND_LIFT and beyond IND_CHANCE
** (one that a few blows fit by accident is none). A rule that names nothing of
** the creature but its being near (zombies that step in and strike by chance)
** must do so where no other kind stood near: presence is shared with whatever
** else was there. A counter that changes at most steps is no creature's to
** tell. The rule holds no farther off than the rows it was learned from. 0: no
** such rule. */
static int ind_rule_beside(const ind *d, const ind_table *t, int g, const ind_class *cl,
                           ind_rule *rule)
{
    int bounded = 0, g0 = ind_own_target(d, t, g);
    size_t n0, k0, n1, k1;

    if (!d->creature)
        return 1;
    for (int k = 0; k < rule->ncond; k++)
        bounded |= rule->cond[k].ref.kind == REF_DISTANCE &&
                   !law_cond_test(&rule->cond[k], IND_REACH + 1);
    if (ind_restless(d->tab[0], g0) || (!bounded && rule->ncond >= LAW_COND_MAX))
        return 0;
    ind_rate(d, d->tab[0], g0, NULL, 0, cl, &n0, &k0);
    ind_rate(d, t, g, rule, rule->ncond == 0, cl, &n1, &k1);
    if (n0 == 0 || n1 == 0 || (double)k1 / (double)n1 < IND_LIFT * (double)k0 / (double)n0 ||
        ind_tail(n1, k1, (double)k0 / (double)n0) >= log(IND_CHANCE))
        return 0;
    if (!bounded)
        rule->cond[rule->ncond++] = ind_cond(ind_ref(REF_DISTANCE, 0, 0), OP_LE, IND_REACH);
    return 1;
}

/* Whether each change in pos took what the player faced (the faced cell changed)
** and the rule wants no least amount of anything the player holds (what a placing
** spends): a gathering, such as mining. */
static int ind_gathering(const ind_table *t, const ind_rule *rule, const uint32_t *pos, size_t npos)
{
    int cell = ind_faced_cell(t);

    for (int k = 0; k < rule->ncond; k++) {
        const law_cond *c = &rule->cond[k];
        if (c->ref.kind == REF_PLAYER && (c->op == OP_GE || c->op == OP_GT))
            return 0;
    }
    for (size_t i = 0; cell >= 0 && i < npos; i++)
        if (!ind_changed(t, t->x + pos[i] * (size_t)t->width, cell))
            return 0;
    return cell >= 0 && npos > 0;
}

/* Whether column j is a tool held at every change in pos: a whole number of the
** player's, none at birth, that never fell (nothing spent it). */
static int ind_tool(const ind_table *t, int j, const uint32_t *pos, size_t npos)
{
    const ind_col *col = &t->col[j];
    double last = 0;

    if (col->ref.kind != REF_PLAYER || !col->num || !col->integral || col->restless || !t->nrow)
        return 0;
    for (size_t r = 0; r < t->nrow; r++) {
        double v = t->x[r * (size_t)t->width + j];
        if (isnan(v))
            continue;
        if (v < last || (r == 0 && v != 0))
            return 0;
        last = v;
    }
    for (size_t i = 0; i < npos; i++)
        if (!(t->x[pos[i] * (size_t)t->width + j] >= 1))
            return 0;
    return 1;
}

/* A gathering the life showed only with a tool in hand, and never failing for
** want of one: it cannot tell whether the tool is needed, and the law says it is
** (stone mined only with a pickaxe is not said to be mined bare-handed). Each such
** tool is a condition as good as the others, a law of its own; a condition that
** split off other failures (a full pocket) stays in each. */
static void ind_rule_tools(const ind *d, const ind_table *t, ind_rule *rule, const uint32_t *pos,
                           size_t npos)
{
    int at = -1;

    if (t->subject >= 0 || rule->nalt > 0 || rule->ncond >= LAW_COND_MAX ||
        rule->ncond >= d->opt->max_conditions || !ind_gathering(t, rule, pos, npos))
        return;
    for (int j = 0; j < t->ncol && rule->nalt < IND_ALTS; j++) {
        law_cond c = ind_cond(t->col[j].ref, OP_GE, 1);
        if (!ind_tool(t, j, pos, npos) || ind_rule_tests(rule, t->col[j].ref))
            continue;
        if (at < 0) {
            at = rule->alt_at = rule->ncond;
            rule->cond[rule->ncond++] = c;
        } else {
            rule->alt[rule->nalt++] = c;
        }
    }
}

/* Sequential covering for each class of target g; the rules join d->found. */
static int ind_target_laws(ind *d, ind_table *t, int g)
{
    ind_class cls[IND_CLASSES];
    int ncls = ind_classes(d, t, g, cls, IND_CLASSES), rc = AUGUR_OK;
    unsigned char *done;

    if (ncls <= 0)
        return ncls;
    if (!(done = calloc(t->nrow + 1, 1)))
        return AUGUR_ENOMEM;
    d->creature = ind_own_target(d, t, g) >= 0;
    for (int c = 0; c < ncls && rc == AUGUR_OK; c++) {
        size_t least = 0;
        for (int r = 0; r < IND_RULES && rc == AUGUR_OK; r++) {
            size_t npos = 0, nneg = 0, support;
            uint32_t *pos;
            ind_rule rule;
            law_effect ef;
            if (buf_grow_array(&d->pos, &d->cap_pos, 2 * (t->nrow + 1), sizeof *d->pos) ||
                buf_grow_array(&d->neg, &d->cap_neg, 2 * (t->nrow + 1), sizeof *d->neg)) {
                rc = AUGUR_ENOMEM;
                break;
            }
            for (size_t i = 0; i < t->nrow; i++) {
                const double *row = t->x + i * (size_t)t->width;
                double b = IND_B(t, row, g), a = IND_A(t, row, g), p;
                if (isnan(b) || isnan(a) || ind_bound_only(cls, ncls, c, b, a))
                    continue;
                p = ind_predict(&cls[c], row, t, b);
                if (p != a)
                    d->neg[nneg++] = (uint32_t)i;
                else if (a != b && !done[i])
                    d->pos[npos++] = (uint32_t)i;
            }
            /* Each rule covers a fair share of the class: a few changes left over
            ** are more often coincidence than law. */
            if (r == 0)
                least = (size_t)ceil(IND_SHARE * (double)npos);
            if (least < (size_t)d->opt->min_support)
                least = (size_t)d->opt->min_support;
            if (npos < least)
                break;
            pos = d->pos;
            if ((rc = ind_rule_find(d, t, t->nrow + 1, &rule, &pos, &npos, d->neg, &nneg)) != AUGUR_OK)
                break;
            if (npos < least)
                break;
            for (size_t i = 0; i < npos; i++)
                done[pos[i]] = 1;
            ind_rule_tools(d, t, &rule, pos, npos);
            if (!ind_rule_beside(d, t, g, &cls[c], &rule) ||
                !ind_effect(t, g, &rule, cls, ncls, c, &ef, &support) ||
                support < (size_t)d->opt->min_support)
                continue;
            if (lm_grow((void **)&d->found, &d->cap_found, d->nfound + 1, sizeof *d->found)) {
                rc = AUGUR_ENOMEM;
                break;
            }
            d->found[d->nfound++] = (ind_found){ g, rule, ef };
        }
    }
    d->creature = 0;
    free(done);
    return rc;
}

/* Columns: whether all values are integers, how many there are, and whether
** the attribute read changes in most rows; the rows of each action. */
static void ind_describe(ind_table *t)
{
    int act = ind_action_col(t);

    for (size_t r = 0; act >= 0 && r < t->nrow; r++) {
        double v = t->x[r * (size_t)t->width + act];
        if (v >= 0 && v < IND_ACTIONS)
            t->by_action[(int)v]++;
    }
    for (int j = 0; j < t->ncol; j++) {
        ind_col *c = &t->col[j];
        double seen[IND_FEW];
        int n = 0;
        c->integral = 1;
        for (size_t r = 0; r < t->nrow; r++) {
            double v = t->x[r * (size_t)t->width + j];
            if (isnan(v))
                continue;
            c->integral &= v == floor(v);
            if (n < IND_FEW && !ind_in(seen, n, v))
                seen[n++] = v;
        }
        c->distinct = n;
        c->restless = 0;
        for (int g = 0; g < t->ntg; g++)
            c->restless |= t->tg[g].kind == TG_VALUE && law_ref_equal(&t->tg[g].ref, &c->ref) &&
                           2 * t->tg[g].changed > t->nrow;
    }
}

static void ind_free(ind *d)
{
    for (int i = 0; i < d->ntab; i++) {
        free(d->tab[i]->col);
        free(d->tab[i]->tg);
        free(d->tab[i]->x);
        free(d->tab[i]);
    }
    free(d->tab);
    free(d->found);
    free(d->own);
    free(d->ch);
    free(d->pos);
    free(d->neg);
    free(d->vals);
    free(d->pairs);
    free(d->out);
}

/* Moves toward or away from the player, per type: which labels to prefer. */
static void ind_count_moves(ind_table *t)
{
    for (int g = 0; g < t->ntg; g++) {
        if (t->tg[g].kind != TG_POS)
            continue;
        for (size_t r = 0; r < t->nrow; r++) {
            const double *row = t->x + r * (size_t)t->width;
            double b = IND_B(t, row, g), a = IND_A(t, row, g);
            int dx = (int)row[t->width - 2], dy = (int)row[t->width - 1];
            if (isnan(b) || isnan(a) || a == b)
                continue;
            t->moves++;
            t->toward += (dx || dy) && a - b == dx * 4096.0 + dy;
            t->away += (dx || dy) && a - b == -dx * 4096.0 - dy;
        }
    }
}

int laws_induce(laws *m, const laws_trace *tr, const laws_induce_opts *opts, augur_err *err)
{
    laws_induce_opts def = { 2, 5, 0, NULL };
    ind d;
    int rc;

    memset(&d, 0, sizeof d);
    d.m = m;
    d.opt = opts ? opts : &def;
    d.err = err;
    if (d.opt->min_support < 1 || d.opt->max_conditions < 0)
        return augur_err_set(err, AUGUR_EINVAL, "laws: min_support must be >= 1");
    if (!ind_table_of(&d, -1)) {
        ind_free(&d);
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    }
    d.pass = 1;
    if ((rc = laws_trace_each(tr, ind_transition, &d, err)) == AUGUR_OK &&
        (rc = ind_finish_schema(&d)) == AUGUR_OK) {
        d.pass = 2;
        rc = laws_trace_each(tr, ind_transition, &d, err);
    }
    for (int i = 0; i < d.ntab && rc == AUGUR_OK; i++) {
        if (i > 0)
            ind_left_to_creatures(&d, d.tab[i]);
        ind_describe(d.tab[i]);
        ind_count_moves(d.tab[i]);
        for (int g = 0; g < d.tab[i]->ntg && rc == AUGUR_OK; g++)
            if (d.tab[i]->tg[g].changed >= (size_t)d.opt->min_support)
                rc = ind_target_laws(&d, d.tab[i], g);
        if (rc == AUGUR_OK)
            rc = ind_emit_found(&d, d.tab[i]);
        if (i == 0)
            ind_keep_own(&d);
        d.nfound = 0;
    }
    if (rc == AUGUR_OK) {
        for (int i = 0; i < m->n; i++)
            m->law[i].kind->release(&m->law[i]);
        m->n = 0;
        m->indexed = 0;
        for (int i = 0; i < d.nout && rc == AUGUR_OK; i++)
            rc = law_add(m, &d.out[i], err);
    } else if (err && !err->code) {
        augur_err_set(err, rc, "laws: induction failed: %s", augur_errstr(rc));
    }
    ind_free(&d);
    return rc;
}
