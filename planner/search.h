/*
** search.h — ToolChain* search: A* over action sequences with f = g + h, under a
** budget of nodes, microseconds and model calls (shared/papers/toolchain-star.md).
**
** A problem is written against nothing but this header: its states are values of
** a fixed size that the search copies into its own memory (a grid cell, an
** inventory, a pointer to a world clone the problem owns and releases), its
** proposers name candidate actions with scores, and its step callback is the
** simulator. Each step adds to g
**
**     w_cost * cost(action) + w_memory * (1 - lcs) + w_consistency * (1 - agree)
**
** where cost is the action's own cost, lcs the best longest-common-subsequence
** match of the partial plan against remembered plans (planner/memory.h gives the
** callback), and agree the share of the proposals at that node that named the
** action, against the most-named one. h is the problem's heuristic times w_h.
**
**     search *s;
**     search_new(&s, &err);
**     search_result r;
**     search_run(s, &problem, &start, &opts, &r, &err);   // r.status, r.plan, r.cost
**     search_free(s);
**
** The search is anytime: when a budget ends it returns the plan to the best node
** it reached (the lowest h, then the highest g; or the highest score when the
** problem has one). It is reentrant: everything lives in the search object, whose
** memory is kept from run to run, so a game's agent plans without allocating once
** it has warmed up.
*/
#ifndef AUGUR_SEARCH_H
#define AUGUR_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

typedef struct search search;

enum { SEARCH_PROPOSALS_MAX = 64 };

typedef struct search_proposal {
    int    action;
    double score;               /* > 0: the proposer's confidence in the action */
} search_proposal;

/* A source of candidate actions at a state: the world's legal actions, macro
** actions, k model samples. It writes at most max proposals and returns how many
** (a negative AUGUR_E* code on failure). A model proposer counts against the
** model-call budget. */
typedef struct search_proposer {
    int  (*propose)(void *ud, const void *state, search_proposal *out, int max);
    void *ud;
    int   model;
} search_proposer;

typedef struct search_problem {
    size_t size;                /* bytes of one state (1..4096) */
    void  *ud;                  /* passed to every callback */
    const search_proposer *proposers;
    int    nproposers;

    /* The simulator: write into next what action does at s, and its own cost
    ** (>= 0). Returns 1 when it applies, 0 when it does not (no child), or a
    ** negative AUGUR_E* code. */
    int    (*step)(void *ud, const void *s, int action, void *next, double *cost);
    /* Whether s fulfils the goal; NULL: no goal, the search maximises score. */
    int    (*goal)(void *ud, const void *s);
    /* Cost to go; NULL: 0. */
    double (*heuristic)(void *ud, const void *s);
    /* For a score goal and for the anytime answer: higher is better; NULL: -h. */
    double (*score)(void *ud, const void *s);
    /* NULL: the state's bytes are hashed and compared. */
    uint64_t (*hash)(void *ud, const void *s);
    int    (*equal)(void *ud, const void *a, const void *b);
    /* Let go of what a state owns (a world clone); NULL: nothing to do. */
    void   (*release)(void *ud, void *s);
    /* For the Graphviz export; NULL: action numbers. */
    const char *(*action_name)(void *ud, int action);
    /* The long-term-memory term: the best LCS match in [0, 1] of plan[0..n)
    ** against remembered plans; NULL: no memory. */
    double (*memory)(void *ud, const int *plan, int n);
} search_problem;

typedef struct search_opts {
    double w_cost, w_memory, w_consistency, w_h;
    long   max_nodes;           /* expansions; <= 0: no limit */
    long   max_us;              /* wall-clock microseconds; <= 0: no limit */
    long   max_model_calls;     /* calls to model proposers; <= 0: no limit */
    int    max_depth;           /* actions in a plan; <= 0: 256 */
} search_opts;

/* Weights 1, 0, 0, 1 and no limits. */
search_opts search_opts_default(void);

enum search_status {
    SEARCH_FOUND,               /* a goal was reached: plan is the cheapest found */
    SEARCH_PARTIAL,             /* a budget ended first: plan leads to the best node */
    SEARCH_EXHAUSTED            /* nothing more to expand: plan leads to the best node */
};

typedef struct search_result {
    enum search_status status;
    const int *plan;            /* into the search; valid until its next run */
    int    len;
    double cost;                /* g of the plan's last node */
    double action_cost;         /* the actions' own costs alone */
    const void *last;           /* the state the plan ends in (into the search) */
    long   expanded, generated, model_calls;
    long   elapsed_us;
    const char *stop;           /* what ended a partial search: "nodes", "time", ... */
} search_result;

int  search_new(search **out, augur_err *err);
void search_free(search *s);

/* Search from start (copied; released with the others when the next run
** begins or the search is freed). The problem is copied too, but its ud must
** stay valid while the search may call it again: until the next run, for
** search_dot, and until search_clear or search_free when it releases states. */
int  search_run(search *s, const search_problem *p, const void *start, const search_opts *o,
                search_result *r, augur_err *err);

/* Release the states of the last run now (they are released by the next run
** and by search_free otherwise). */
void search_clear(search *s);

/* The last run's tree as Graphviz: every node with its action and f, g, h; the
** plan's nodes filled. At most max_nodes nodes (the first expanded). */
int  search_dot(const search *s, size_t max_nodes, buf *out);

#endif
