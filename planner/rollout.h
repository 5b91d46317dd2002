/*
** rollout.h — WiA what-if rollouts (shared/papers/whatif.md): before acting,
** simulate each of the top candidate first actions d steps ahead, K samples each,
** keeping B branches per level, and score what would happen:
**
**     score = w_progress * progress gained - w_risk * risk + w_confidence * log p
**
** progress and risk come from the domain (health lost, death, a failed action are
** risks); log p is the mean log-probability per simulated step (0 with an exact
** clone). Candidates come back ranked, each with its forecast: the next
** observation most of its samples agreed on. After acting, the forecast is
** compared with what happened (forecast_tally keeps the running accuracy).
*/
#ifndef AUGUR_ROLLOUT_H
#define AUGUR_ROLLOUT_H

#include "planner/search.h"
#include "planner/sim.h"

typedef struct rollout rollout;

typedef struct rollout_opts {
    int    candidates;          /* first actions rolled out, best prior first */
    int    depth;               /* simulated steps, the first action included */
    int    samples;             /* K per candidate (1 with a clone: it is exact) */
    int    beam;                /* B branches kept per level */
    double w_prior, w_progress, w_risk, w_confidence;
    long   max_us;              /* candidates not reached in time keep their prior */
} rollout_opts;

typedef struct rollout_domain {
    void  *ud;
    /* Actions worth trying next at a simulated observation (depth >= 2). */
    int    (*propose)(void *ud, const state *obs, search_proposal *out, int max);
    /* How far toward the goal obs is; higher is better. */
    double (*progress)(void *ud, const state *obs);
    /* The penalty (>= 0) for what action did from before to after. */
    double (*risk)(void *ud, const state *before, int action, const state *after,
                   const sim_outcome *o);
} rollout_domain;

typedef struct rollout_candidate {
    int    action;
    double prior;               /* the proposal's score */
    double score;               /* w_prior * prior + the mean of the rollouts' scores */
    double progress, risk, confidence;      /* means over samples, best branch */
    int    rolled;              /* 0: the budget ended before it was simulated */
    double forecast_p;          /* share of samples that gave the forecast */
    const state *forecast;      /* into the rollout object; NULL when not rolled */
} rollout_candidate;

int  rollout_new(rollout **out, augur_err *err);
void rollout_free(rollout *r);

/* Rank the n candidate first actions at start. */
int  rollout_rank(rollout *r, sim *sm, const sim_state *start, const search_proposal *cands, int n,
                  const rollout_domain *d, const rollout_opts *o, uint64_t *rng, augur_err *err);

/* The ranked candidates of the last rank, best first. */
int  rollout_count(const rollout *r);
const rollout_candidate *rollout_get(const rollout *r, int i);

/* Running forecast accuracy. */
typedef struct forecast_tally {
    long checked, hits;
} forecast_tally;

void   forecast_tally_add(forecast_tally *t, int hit);
double forecast_tally_accuracy(const forecast_tally *t);
/* "forecast accuracy A over N steps", a line of an agent's description. */
int    forecast_tally_describe(const forecast_tally *t, buf *out);

#endif
