/*
** agent.h — agents built from the planner's parts, behind one interface the
** program and a game's loop drive: the Crafter agent (goals from the technology
** tree and survival needs, its own map, ToolChain* plans over skills, WiA
** rollouts, D-PoT revision) for Crafter, and a general agent (ToolChain* over the
** world's clones) for any world that can be copied.
**
**     planner_agent *ag;
**     planner_agent_new(world_find("crafter"), &opts, &ag, &err);
**     planner_agent_reset(ag, w, &err);                 // an episode begins
**     while (!r.done) {
**         planner_agent_act(ag, w, &action, &err);       // within opts.budget_us
**         world_step(w, action, &r, &err);
**         planner_agent_observe(ag, w, action, &r, &err); // forecast check, learning, triggers
**         planner_agent_idle(ag, &err);                  // deferred work, outside the frame
**     }
**     planner_agent_free(ag);
**
** The agent reads the world only through world_observe, unless opts.oracle names
** the oracle mode: then it reads the full state and simulates with clones.
*/
#ifndef AUGUR_PLANNER_AGENT_H
#define AUGUR_PLANNER_AGENT_H

#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "planner/macro.h"
#include "planner/rollout.h"
#include "planner/search.h"
#include "worlds/laws/laws.h"
#include "worlds/world.h"

typedef struct planner_agent planner_agent;

typedef struct planner_opts {
    int          oracle;        /* full state and the exact simulator (clones) */
    const char  *laws_file;     /* a law file to load; NULL or "": learn online */
    laws_online_opts learn;     /* online learning: the inducer's limits, refit_every */
    long         learn_steps;   /* transitions recorded for learning in a run */
    const char  *memory_path;   /* the plan memory's database; NULL or "": in memory */
    search_opts  search;        /* weights and node/model-call budgets */
    rollout_opts rollout;
    long         budget_us;     /* per decision */
    uint64_t     seed;
    int          dot;           /* keep the last plan's search tree as Graphviz */
    macro *const *macros;       /* the general agent's macro actions (not owned) */
    int          nmacros;
} planner_opts;

/* The defaults agent.toml documents. */
planner_opts planner_opts_default(void);

int  planner_agent_new(const world_class *cls, const planner_opts *opts, planner_agent **out,
                       augur_err *err);
void planner_agent_free(planner_agent *ag);

int  planner_agent_reset(planner_agent *ag, const world *w, augur_err *err);
int  planner_agent_act(planner_agent *ag, const world *w, int *action, augur_err *err);
int  planner_agent_observe(planner_agent *ag, const world *w, int action,
                           const world_step_result *r, augur_err *err);
/* Deferred work (a law refit, writing remembered plans); call it outside the frame. */
int  planner_agent_idle(planner_agent *ag, augur_err *err);

/* For people: the goal, the plan, the forecast for the next step and why the plan
** last changed, a few lines. */
int  planner_agent_describe(const planner_agent *ag, buf *out);
double planner_agent_forecast_accuracy(const planner_agent *ag);
/* The last plan's search tree (opts.dot), or an empty graph. */
int  planner_agent_dot(const planner_agent *ag, buf *out);

#endif
