/*
** suite.h — a world's scenario suite for the evaluation, and the seven families
** of mutators that make distractors (private to worlds/laws).
*/
#ifndef AUGUR_LAWS_SUITE_H
#define AUGUR_LAWS_SUITE_H

#include "worlds/laws/private.h"

/* One scenario: a mechanic set up in a real state, then one action. */
typedef struct sc_def {
    const char *name;
    const char *action;         /* NULL: a random move */
    int         deterministic;  /* collect, place, make: success and failure */
    const char *face;           /* the faced tile becomes this material */
    const char *entity;         /* an entity of this type on the faced tile */
    int         health_lo, health_hi;   /* its health, drawn (0: the type's own) */
    const char *give[4];        /* "item=count" set on the player */
    const char *nearby[2];      /* materials put next to the player, not faced */
    const char *neighbour;      /* an entity of this type two steps away */
    int         sleeping;       /* 1: the player sleeps (with energy 9) */
    /* Its mechanic in a life: the action on the faced material or entity, and
    ** whether the named player attribute rose (success) or not (failure, where
    ** the player held no more than give of what the success is given more of,
    ** with what nearby names near). */
    const char *rises;
    int         success;
    int         any_action;     /* it happens whatever the player does (death, waking) */
} sc_def;

/* What the mutators know of a world: its items by role. */
typedef struct sc_profile {
    const char *const *collect;     /* things gathered */
    const char *const *tools;       /* things made */
    const char *const *vitals;      /* things the player lives by */
    const char *const *placeable;   /* materials the player puts down */
} sc_profile;

typedef struct sc_suite {
    const char *world;
    const sc_def *defs;
    int n;
    const sc_profile *profile;
} sc_suite;

/* The suite of a world, or NULL. */
const sc_suite *sc_suite_find(const world_class *cls);

/* Build the scenario's transition number i (seeded): s, the action, next.
** AUGUR_ENOTFOUND when this base state does not fit (the caller tries another). */
int sc_build(const sc_suite *su, const sc_def *d, world *w, uint64_t seed, state *s, int *action,
             state *next, augur_err *err);

/* Whether transition (s, action, next) is an occurrence of d's mechanic (d one of
** su's): a failure counts only for the cause d sets up. */
int sc_occurs(laws *m, const sc_suite *su, const sc_def *d, const state *s, int action,
              const state *next);

/* Mutate the true next state into a distractor with one of the seven families,
** drawn from rng; 0 when the drawn family does not apply here. */
int sc_mutate(const sc_profile *p, const state *s, int action, const state *next, uint64_t *rng,
              state *out);

#endif
