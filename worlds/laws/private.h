/*
** private.h — the law model's insides, shared by the files of worlds/laws and
** private to them.
**
** Names. Every type, attribute, symbol and material a model mentions is interned
** once in the model (lm_names); laws hold ids, never strings. A state's own keys
** are mapped to these ids once per key assignment (lm_keys), so reading a state
** in the hot path is an array lookup.
**
** Values. Whatever a law reads or predicts is a double: numbers as themselves,
** booleans as 0 and 1, symbols, materials and types as name ids, a position as
** x * 4096 + y. A symbol the model has never seen reads as -1 - its key in the
** state, which equals nothing a law can say.
**
** Slots. A prediction is about slots: an attribute of an entity, an entity's
** position (x and y together, as OneLife's Position), a grid cell, whether an
** entity is still there, and whether a new entity of a type appears at a cell.
*/
#ifndef AUGUR_LAWS_PRIVATE_H
#define AUGUR_LAWS_PRIVATE_H

#include "worlds/laws/laws.h"

#include <math.h>
#include <stdint.h>

/* The paper's constants (shared/papers/onelife.md). */
#define LAW_FLOOR        (-50.0)   /* log-scores are floored here */
#define LAW_WEIGHT_MAX   10.0
#define LAW_WEIGHT_START 0.5
#define LAW_L1           0.001
#define LAW_CHANGE_SCORE (-1.0)    /* the unchanged prior: 0 unchanged, -1 changed */

enum { LAW_NAME_MAX = 63, LAW_SET_MAX = 16, LAW_ALT_MAX = 8, LAW_INIT_MAX = 8,
       LAW_ACTIONS_MAX = 8, LAW_COND_MAX = 12, LAW_EFFECT_MAX = 8 };

/* ---- names ------------------------------------------------------------------ */

typedef struct lm_names {
    char    **text;
    uint32_t *table;        /* open addressing: id + 1, 0 empty */
    int       n, cap, tcap;
} lm_names;

/* Names every model holds, at these ids. */
enum { N_NONE, N_PLAYER, N_X, N_Y, N_FACING, N_LEFT, N_RIGHT, N_UP, N_DOWN, N_STAY, N_TOWARD,
       N_AWAY, N_HERE, N_FAR, N_WELL_KNOWN };

int         names_init(lm_names *n);
void        names_free(lm_names *n);
int         names_intern(lm_names *n, const char *s, size_t len);   /* id, or < 0 */
int         names_find(const lm_names *n, const char *s, size_t len); /* -1: none */
const char *names_text(const lm_names *n, int id);                    /* "?" when out of range */

/* ---- places, refs, values ----------------------------------------------------- */

/* Tiles a law can name, relative to the player. */
enum law_place { PL_FACING, PL_HERE, PL_LEFT, PL_RIGHT, PL_UP, PL_DOWN, PL_N };
extern const char *const law_place_names[PL_N];

enum law_ref_kind {
    REF_PLAYER,         /* player.ATTR                                    */
    REF_SELF,           /* self.ATTR (laws with `for`)                    */
    REF_PLACE,          /* PLACE.ATTR: the entity on that tile            */
    REF_MATERIAL,       /* PLACE.material                                 */
    REF_ENTITY,         /* PLACE.entity: its type, or none                */
    REF_DISTANCE,       /* self.distance: L1 to the player                */
    REF_SIDE,           /* self.side: left right up down here far         */
    REF_FACED,          /* self.faced: on the tile the player faces (0/1) */
    REF_NEARBY,         /* nearby.MATERIAL: in the 3x3 around the player  */
    REF_NEAREST,        /* nearest.TYPE: L1 to the nearest of that type   */
    REF_PLAYER_POS,     /* player.pos (effects)                           */
    REF_SELF_POS,       /* self.pos (effects)                             */
    REF_ACTION          /* action: the action taken (its index)           */
};

typedef struct law_ref {
    uint8_t kind;       /* enum law_ref_kind */
    uint8_t place;      /* enum law_place for REF_PLACE, REF_MATERIAL, REF_ENTITY */
    int32_t id;         /* attribute, material or type name id */
} law_ref;

#define LAW_POS(x, y) ((double)(x) * 4096.0 + (double)(y))
#define LAW_FAR 9999.0

/* ---- the declarative form ------------------------------------------------------ */

enum law_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN, OP_NOTIN };

typedef struct law_cond {
    law_ref ref;
    uint8_t op;
    uint8_t n;                  /* values: 1, or the set of in / not in */
    uint8_t symbolic;           /* the values are: 0 numbers, 1 names, 2 true or false,
                                   3 actions (by index) */
    double  v[LAW_SET_MAX];
} law_cond;

enum law_alt_op { ALT_SET, ALT_ADD, ALT_SAME, ALT_MOVE };
enum law_dir { DIR_STAY, DIR_LEFT, DIR_RIGHT, DIR_UP, DIR_DOWN, DIR_TOWARD, DIR_AWAY };

typedef struct law_alt {
    uint8_t op;                 /* enum law_alt_op */
    uint8_t dir;                /* ALT_MOVE: enum law_dir */
    uint8_t symbolic;           /* ALT_SET: as law_cond's */
    double  v;                  /* ALT_SET: the value; ALT_ADD: the delta */
    double  p;
} law_alt;

enum law_effect_kind { EF_VALUE, EF_POS, EF_CELL, EF_CREATE, EF_REMOVE };

typedef struct law_init {
    int32_t attr;
    uint8_t kind;               /* enum state_kind */
    double  v;
} law_init;

typedef struct law_effect {
    uint8_t kind;               /* enum law_effect_kind */
    law_ref ref;                /* EF_VALUE, EF_POS, EF_CELL (REF_MATERIAL), EF_REMOVE */
    int     nalt;
    law_alt alt[LAW_ALT_MAX];
    uint8_t has_lo, has_hi;     /* an add is clamped into [lo, hi] */
    double  lo, hi;
    int     non;                /* EF_POS: materials a move may enter (0: any) */
    int32_t on[LAW_SET_MAX];
    int32_t type;               /* EF_CREATE: the type; ref.place the tile */
    int     ninit;
    law_init init[LAW_INIT_MAX];
} law_effect;

typedef struct law_decl {
    int        ncond, neffect;
    law_cond   cond[LAW_COND_MAX];
    law_effect effect[LAW_EFFECT_MAX];
} law_decl;

/* ---- laws and their kinds ------------------------------------------------------ */

typedef struct law law;
typedef struct law_ctx law_ctx;
typedef struct law_out law_out;

/* A kind of law: how its precondition and effect are written and run. The
** model, the fitting and the evaluation see laws only through these calls and
** law_out, so a second kind (Lua run in the sandbox) is one more of these. */
typedef struct law_kind {
    const char *name;           /* what `kind = "..."` says in the file */
    /* Read the kind's keys of one [[law]] table into l (which the caller has
    ** filled with name, action, for and weights). where: "FILE:LINE" for errors. */
    int  (*parse)(laws *m, law *l, const toml_value *table, const char *where, augur_err *err);
    /* Predict for (state, action) about subject self (an entity index, or -1
    ** for a law without `for`): add what the law says to out with law_out_*.
    ** Returns 1 when the precondition held, 0 when not, < 0 on error. vote: the
    ** law's precondition does not hold, say "unchanged" for what it governs
    ** (PoE-World's experts all vote); a kind may add nothing then. */
    int  (*apply)(const laws *m, const law *l, law_ctx *ctx, int self, int vote, law_out *out);
    /* Optional (NULL: always may): 0 when a law with `for` cannot fire for any
    ** subject in ctx, so that its subjects need not be visited one by one. */
    int  (*may_fire)(const laws *m, const law *l, law_ctx *ctx);
    /* Append the kind's keys as TOML lines. */
    int  (*write)(const laws *m, const law *l, buf *out);
    /* Append the law's precondition (after "when", and after the actions when
    ** actions is set) and its effects, for people (laws_show). */
    int  (*show)(const laws *m, const law *l, int actions, buf *out);
    /* Free what parse made. */
    void (*release)(law *l);
} law_kind;

extern const law_kind law_declarative;
extern const law_kind law_lua;       /* lua.c: run in the sandbox */

struct law {
    char      name[LAW_NAME_MAX + 1];
    const law_kind *kind;
    int       naction;          /* 0: any action */
    int       action[LAW_ACTIONS_MAX];
    int32_t   subject;          /* `for`: a type id, or -1 */
    int32_t   key_material;     /* the index: facing.material == this, or -1 */
    int32_t   key_entity;       /* facing.entity == this, or -1 */
    double    weight, vote_weight;
    law_decl  decl;             /* the declarative form */
    void     *impl;             /* another kind's own data */
};

/* ---- the context of one (state, action) ------------------------------------------- */

/* States built apart assign keys in their own orders (a state observed from a
** world interns names as they appear): a few mappings are kept, two per set. */
enum { LM_KEYSETS_LOG2 = 7, LM_KEYSETS = 1 << LM_KEYSETS_LOG2 };

/* A state's keys mapped to the model's names, for one key assignment. */
typedef struct lm_keys {
    uint64_t id;
    int      valid;
    int      nkeys, nnames;     /* the state's keys and the model's names it maps */
    int32_t *name_of;           /* state key -> name id, or -1 */
    int32_t *key_of;            /* name id -> state key, or -1 */
    int      cap_keys, cap_names;
    uint64_t used;              /* when last used (the model's keys_used) */
} lm_keys;

struct law_ctx {
    const laws  *m;
    const state *s;
    int          action;
    lm_keys     *keys;
    int          player;        /* entity index, or -1 */
    int          px, py, fdx, fdy;
    int          place_x[PL_N], place_y[PL_N];
    int          place_mat[PL_N];       /* name id; -1 outside the grid */
    int          place_ent[PL_N];       /* entity index, or -1 */
    int          npal;
    int32_t      pal[256];              /* palette index -> name id */
    int          gw, gh;                /* the grid's size (0 without one) */
    const uint8_t *cells;               /* its cells (state_grid_cells) */
    uint64_t     pal_stamp;             /* changes when the palette's names do */
    int          prechecked;            /* apply may skip conditions not about self (may_fire held) */
    uint64_t    *self_known, *self_true;  /* per entity: the model's selfc tested, and held */
    uint64_t     glob_known, glob_true;   /* the model's globc tested, and held */
    int          cap_self;
    int          nents;
    int32_t     *ex, *ey, *etype;       /* per entity: position (-1 when none), type id */
    int32_t     *dist;                  /* per entity: its distance to the player (INT32_MAX:
                                           none, either has no position) */
    double      *col_v;                 /* scratch for reading positions as columns */
    uint8_t     *col_kind;
    int          cap_col;
    int         *row_key;               /* the player's attributes (state_attrs_numbers) */
    uint8_t     *row_kind;
    double      *row_v;
    int          cap_row;
    int          cap_ents;
    int32_t     *by_type;               /* entity indices grouped by type id ... */
    int32_t     *type_first;            /* ... type t's from type_first[t] to [t + 1] */
    int32_t     *type_at;               /* scratch for the grouping */
    int32_t     *nearest;               /* per type: nearest.TYPE, -1 until read */
    uint32_t     occ_stamp, *occ_at;    /* per cell: the stamp of the context that filled it */
    int32_t     *occ_ent;               /* per cell: an entity there (valid at occ_stamp) */
    uint8_t     *occ_n;                 /* per cell: how many (capped at 2) */
    int          occ_cells, occ_known;
    int          cap_types, cap_by_type;
    unsigned char nearby_known;
    unsigned char *nearby;              /* per name id: in the 3x3 around the player */
    int          cap_nearby;
    uint32_t     pstamp, *pat;          /* the player's attributes, read once per context: */
    double      *pval;                  /* per name id, valid where pat[id] == pstamp */
    uint8_t     *pkind;
    int          cap_p;
};

/* buf_grow_array for the folder's arrays whose capacity is an int (inline: the
** hot paths grow rarely, and check often). */
int lm_grow_to(void **p, int *cap, int need, size_t size);
static inline int lm_grow(void **p, int *cap, int need, size_t size)
{
    return need <= *cap ? AUGUR_OK : lm_grow_to(p, cap, need, size);
}

/* Whether no entity but e stands on (x, y) (an occupancy grid built once per context). */
int law_ctx_free_for(law_ctx *ctx, int e, int x, int y);

/* Read a ref for subject self; NAN when it has no value here. */
double law_ctx_read(law_ctx *ctx, const law_ref *ref, int self);

/* The entity a ref's tile or subject names: self, the player or the one on the
** tile; -1 when none. */
int law_ctx_entity(const law_ctx *ctx, const law_ref *ref, int self);

/* An attribute of entity e as a value; NAN when it has none. *kind gets its kind. */
double law_ctx_attr(const law_ctx *ctx, int e, int32_t attr, int *kind);

/* ---- predictions ---------------------------------------------------------------- */

enum law_slot_kind { SLOT_ATTR = 1, SLOT_POS, SLOT_CELL, SLOT_EXISTS, SLOT_SPAWN };

/* kind | a | b | c packed: ATTR (entity, attr), POS/EXISTS (entity), CELL (-, x, y),
** SPAWN (type, x, y). */
#define SLOT_KEY(k, a, b, c) \
    ((uint64_t)(k) << 60 | (uint64_t)((a) & 0xfffff) << 40 | (uint64_t)((b) & 0xfffff) << 20 | \
     (uint64_t)((c) & 0xfffff))
#define SLOT_KIND(key) ((int)((key) >> 60))
/* Changes that are no slot: one no law can name, and one outside the model. */
#define SLOT_NONE    ((uint64_t)0)
#define SLOT_OUTSIDE ((uint64_t)1)
#define SLOT_A(key)    ((int)((key) >> 40 & 0xfffff))
#define SLOT_B(key)    ((int)((key) >> 20 & 0xfffff))
#define SLOT_C(key)    ((int)((key) & 0xfffff))

/* One law's distribution over one slot's values: n values from first. */
typedef struct law_entry {
    uint64_t slot;
    int32_t  law;
    int32_t  first, n;
    const law_effect *create;   /* SLOT_SPAWN: what to make */
    int      vkind;             /* SLOT_ATTR: the kind a new value takes */
} law_entry;

struct law_out {
    law_entry *e;
    int        ne, cap_e;
    double    *v, *lp;          /* values and log-probabilities */
    int        nv, cap_v;
    int        law;             /* the law being applied */
    law_entry *tmp;             /* scratch for sorting */
    int        cap_tmp;
    double     log_p[16], log_v[16];    /* remembered log(p) */
    char       fail[256];               /* why a law's apply failed (< 0) */
};

void law_out_reset(law_out *o);
void law_out_free(law_out *o);
/* Begin law's distribution over slot; then law_out_value for each value. */
int  law_out_slot(law_out *o, uint64_t slot, int vkind, const law_effect *create);
int  law_out_value(law_out *o, double v, double p);

/* Sampling's fast path for a slot one law governs: the law's distribution
** normalised under its weight, kept by (weight, log-scores), since the same few
** come again and again (a law's, for each subject). */
enum { LM_NORM_MAX = 4, LM_NORM_CACHE = 256 };

/* The combined prediction for one slot: candidate values and their log-probabilities
** under the product of the laws' distributions. */
typedef struct lm_slot {
    uint64_t slot;
    double   current;           /* the value in the state */
    int      first, n;          /* candidates in the model's pv/plp */
    int      e_first, e_n;      /* the entries (laws) that govern it */
    int      vkind;
    const law_effect *create;
    double   norm;              /* log-sum-exp of the candidates' scores */
    double   floor;             /* the score of a value no law gives */
    int      has_p;             /* p holds the candidates' probabilities (exp of theirs
                                   in plp), for sampling */
    double   p[LM_NORM_MAX];
    /* sampling's fast path for a creature's move: the candidates are its position
    ** plus the steps of the move its mover's laws in mask combine to, the player
    ** toward td (lm_move_get), none in pv; stay is the chance to stay were every
    ** side free, no more than the chance it stays */
    int      move;              /* 0, or 1 + its mover */
    uint32_t mask;
    int      td;
    double   stay;
} lm_slot;

typedef struct lm_norm {
    int    n;                   /* 0: empty */
    double w, lp[LM_NORM_MAX];
    double plp[LM_NORM_MAX], p[LM_NORM_MAX], norm;
} lm_norm;

/* Sampling's fast path for creatures' moves: the product of a type's move laws
** for one situation (which laws fire, where the creature may step, which way
** the player is), combined once and kept. */
enum { LM_MOVES_MAX = 32, LM_MOVE_CACHE = 4096 };

/* A situation's key in the move cache (mask: which of the type's move laws fire;
** free: the directions it may step, a bit each for left, right, up, down; td: which
** way the player is, 0-4), and the entry it takes. Different situations can take
** one entry: what a creature reads of it is copied into its slot at once. */
uint64_t lm_move_key(uint32_t mask, int32_t type, int free, int td);
int      lm_move_entry(uint64_t key);

typedef struct lm_move {
    uint64_t key;               /* 0: empty */
    int      n;
    int8_t   dx[5], dy[5];
    double   cum[5];
} lm_move;

/* Sampling's fast path for laws whose one effect removes their subject by chance
** (cow_removed_2: every cow, every step): whom they remove, kept apart from the
** entries and drawn where their slots would be, while no other law governs the
** same creature's existence. */
typedef struct lm_lone {
    int32_t e;                  /* the subject */
    int32_t law;
    int32_t k;                  /* its law's distribution: the model's lone_norm[k] */
} lm_lone;

typedef struct lm_mover {
    int32_t type;
    int     n;
    int32_t law[LM_MOVES_MAX];  /* its move laws */
    uint32_t covered[LM_MOVES_MAX]; /* per law: the laws (bits) that cover it (lm_covers) */
    uint64_t on_stamp;          /* the context's pal_stamp on_ok is for (0: none) */
    uint8_t on_ok[256];         /* per palette index: a move under their `on` may enter */
} lm_mover;

/* ---- the model ----------------------------------------------------------------- */

/* Distinct conditions of the declarative laws, and per law which it states. */
typedef struct lm_conds {
    const law_cond *cond[64];
    int       n;
    uint64_t *need;             /* per law: its conditions of the kind, as bits */
    unsigned char *fast;        /* per law: declarative, and all of them are here */
    unsigned char *only;        /* per law: and it has no other conditions */
} lm_conds;

typedef struct lm_bucket {
    int32_t key;                /* facing material, or -1 */
    int32_t entity;             /* facing entity type, or -1 (kept here: a law is large) */
    int32_t law;
} lm_bucket;

struct laws {
    const world_class *cls;
    char      world[64];
    lm_names  names;
    law      *law;
    int       n, cap;
    int       vote;             /* PoE-World: every law votes */
    int32_t   outside[LAW_SET_MAX];     /* attributes the laws do not model */
    int       noutside;
    laws_life life;
    /* the index: per action, laws without `for` sorted by facing material */
    int       indexed;
    lm_bucket *bucket;
    int       *bucket_first;    /* per action + 1 */
    int32_t  *subject_laws;     /* per action, the laws with `for` that may fire */
    int      *subject_first;    /* per action + 1 */
    /* the distinct conditions of declarative laws: on their subject (of laws
    ** with `for`), each tested once per creature; and the others, each tested
    ** once per context */
    lm_conds  selfc, globc;
    uint64_t  faced_conds;      /* the selfc conditions `self.faced == true` */
    /* sampling's fast path (see lm_move) */
    int       fast;
    lm_mover *movers;
    int       nmovers;
    unsigned char *moved;       /* per law: one the fast path combines */
    lm_move  *moves;            /* LM_MOVE_CACHE of them, or NULL */
    lm_norm  *norms;            /* LM_NORM_CACHE of them, or NULL */
    unsigned char *lone;        /* per law: one the lone fast path takes (see lm_lone) */
    int      *reach;            /* per law with `for`: the farthest its subject may stand
                                   from the player, as its self.distance bounds say */
    lm_lone  *lone_rec;         /* this prediction's, and their laws' distributions */
    int       nlone_rec, cap_lone_rec;
    lm_norm  *lone_norm;
    int       nlone_norm, cap_lone_norm;
    int       lone_cur;         /* the law being applied's in lone_norm, or -1 */
    int       moves_valid;
    /* scratch of one prediction */
    lm_keys   keyset[LM_KEYSETS];  /* the mappings of the last key assignments seen */
    lm_keys  *keys;             /* the one of the state at hand */
    uint64_t  keys_used;
    law_ctx   ctx;
    law_out   out;
    lm_slot  *slot;             /* sampling's fast path: the combined ones, then the
                                   moves; the lone firings (lone_rec) are drawn in
                                   their places among the combined */
    int       nslot, cap_slot, ncombined;
    double   *pv, *plp;
    int       npv, cap_pv;
    int      *remove;
    int       cap_remove;
};

/* Whether name is one of the attributes the options keep out of conditions
** (exact, or a prefix ending in '*'). */
int lm_ignored(const laws_induce_opts *o, const char *name);

/* The options a learner induces with. */
const laws_induce_opts *laws_online_induce_opts(const laws_online *o);

/* The index of the player's entity in s, or -1 (for states read without a context). */
int lm_player_of(const state *s);

/* Intern every name s holds, so that the model's context can read all of it. */
int lm_intern_state(laws *m, const state *s);

/* Map s's keys to the model's names (again after names were added). */
int lm_keys_sync(laws *m, const state *s);

/* Set up the model's context for (s, action): positions, places, keys. */
int lm_context(laws *m, const state *s, int action);

/* Whether a ref reads the subject (self) rather than the state at large. */
int law_ref_of_self(const law_ref *r);

/* Whether two refs, two conditions name the same. */
int law_ref_equal(const law_ref *a, const law_ref *b);
int law_cond_equal(const law_cond *a, const law_cond *b);

/* Whether a condition holds of the value x its ref reads (NAN: none); inline, for
** the per-creature loops. */
static inline int law_cond_test(const law_cond *c, double x)
{
    int in = 0;

    if (isnan(x))
        return c->op == OP_NE || c->op == OP_NOTIN;
    switch (c->op) {
    case OP_EQ: return x == c->v[0];
    case OP_NE: return x != c->v[0];
    case OP_LT: return x < c->v[0];
    case OP_LE: return x <= c->v[0];
    case OP_GT: return x > c->v[0];
    case OP_GE: return x >= c->v[0];
    default:
        for (int i = 0; i < c->n && !in; i++)
            in = x == c->v[i];
        return c->op == OP_IN ? in : !in;
    }
}

/* Make the model's prediction for (s, action) into its scratch (slot, pv, plp). */
int lm_predict(laws *m, const state *s, int action, augur_err *err);

/* The value slot holds in s (NAN when the entity or cell is not there). */
double lm_slot_value(laws *m, const state *s, uint64_t slot);

/* Index of the slot in m->slot[0..nslot), or -1. */
int lm_slot_find(const laws *m, uint64_t slot);

/* What changed from s to next, as slots and their new values (positions joined,
** new entities as spawns); the model's keys must be those of s. */
typedef struct lm_change {
    uint64_t slot;
    double   v;
} lm_change;
int lm_changes(laws *m, const state *s, const state *next, lm_change **out, int *n, int *cap,
               augur_err *err);

/* Laws: add one (copied), find by name. */
int law_add(laws *m, const law *l, augur_err *err);

/* Parsing and writing the declarative form (law.c). */
int  law_parse_table(laws *m, const toml_value *t, const char *file, augur_err *err);
int  law_write(const laws *m, const law *l, buf *out);
int  law_write_cond(const laws *m, const law_cond *c, buf *out);
int  law_write_effect(const laws *m, const law_effect *e, buf *out);
/* One effect written as the declarative form writes it (where: for errors), and
** what it says for (ctx, self) added to out, as a law that fired or not. */
int  law_effect_parse(laws *m, const char *text, const char *where, law_effect *out,
                      augur_err *err);
int  law_effect_apply(law_ctx *ctx, const law_effect *ef, int self, int fired, law_out *out);
/* A declarative law's conditions on its subject hold for self (the others were
** checked once, by may_fire). */
int  law_self_holds(law_ctx *ctx, const law *l, int self);
void law_index_keys(law *l);

/* One more than the largest entity id in s (1 when there is none). */
int64_t lm_next_id(const state *s);

/* Whether attribute name id is outside the model. */
int lm_outside(const laws *m, int32_t attr);

/* Whether the law may fire for action. */
int law_allows(const law *l, int action);

#endif
