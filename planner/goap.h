/*
** goap.h — symbolic planning in the manner of GOAP (shared/papers/goap.md): a
** state is a small vector of numeric facts, an action has preconditions (fact >=
** value), effects (add to a fact, or set it) and a cost, and ToolChain* A*
** (planner/search.h) finds the cheapest sequence of actions that makes the goal
** conditions true, with a relaxed-plan estimate as h and, when given, the plan
** memory's LCS term in g.
**
**     goap_domain d = { .nfacts = 3, .facts = names, ... };
**     int n = goap_plan(srch, &d, &start, goal, ngoal, &opts, memory, plan, 64, &res, &err);
**
** The facts and actions are the caller's (a game's tech tree, a tool world's
** preconditions); costs may be changed between plans (distances on a map).
*/
#ifndef AUGUR_GOAP_H
#define AUGUR_GOAP_H

#include <stdint.h>

#include "planner/memory.h"
#include "planner/search.h"

enum { GOAP_FACTS = 32, GOAP_CONDS = 5, GOAP_EFFECTS = 6, GOAP_ACTIONS = 48 };

typedef struct goap_cond {
    int     fact;
    int16_t value;              /* the fact must be >= value */
} goap_cond;

enum goap_op { GOAP_ADD, GOAP_SET };

typedef struct goap_effect {
    int     fact;
    enum goap_op op;
    int16_t value;
} goap_effect;

typedef struct goap_action {
    const char *name;
    double      cost;           /* > 0; <= 0 or infinite: not available now */
    int         npre, neff;
    goap_cond   pre[GOAP_CONDS];
    goap_effect eff[GOAP_EFFECTS];
} goap_action;

typedef struct goap_state {
    int16_t v[GOAP_FACTS];
} goap_state;

enum goap_h { GOAP_H_NONE, GOAP_H_MAX, GOAP_H_ADD };

typedef struct goap_domain {
    int         nfacts;
    const char *const *facts;
    int16_t     max[GOAP_FACTS];   /* each fact's cap (0: none) */
    int         nactions;
    goap_action actions[GOAP_ACTIONS];
    enum goap_h heuristic;         /* max: admissible; add: the relaxed plan's cost */
} goap_domain;

/* Plan from start to a state meeting every goal condition. Returns the plan's
** length (into plan, at most max) with *res filled (res->status says whether the
** goal was reached or the budget ended first), or a negative AUGUR_E* code.
** memory (may be NULL) supplies the LCS term; it should have recalled the goal.
** dot (may be NULL) gets the search tree as Graphviz. */
int goap_plan(search *s, const goap_domain *d, const goap_state *start, const goap_cond *goal,
              int ngoal, const search_opts *o, const plan_memory *memory, int *plan, int max,
              search_result *res, buf *dot, augur_err *err);

/* Whether plan[0..n) runs from start (every precondition met in turn) and ends in
** a state meeting the goal; the end state into end (may be NULL). */
int goap_valid(const goap_domain *d, const goap_state *start, const int *plan, int n,
               const goap_cond *goal, int ngoal, goap_state *end);

/* Whether action a applies to s, and the state it leads to. */
int goap_apply(const goap_domain *d, const goap_state *s, int a, goap_state *next);

/* The relaxed estimate of the cost from s to the goal (the domain's heuristic). */
double goap_estimate(const goap_domain *d, const goap_state *s, const goap_cond *goal, int ngoal);

#endif
