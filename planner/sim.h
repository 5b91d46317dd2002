/*
** sim.h — the simulator that search and rollouts step: the world's exact clone when
** the world can be copied and the run allows it, otherwise a law model
** (worlds/laws/laws.h) over a symbolic state, which may be the agent's belief.
**
**     sim *sm;
**     sim_new_clone(WORLD_VIEW_ORACLE, &sm, &err);     // or sim_new_laws(model, ...)
**     sim_state a, b;
**     sim_state_from_world(sm, w, &a, &err);            // a clone of w
**     sim_outcome o;
**     sim_step(sm, &a, action, &rng, &b, &o, &err);      // b: what action does in a
**     sim_observe(sm, &b, obs, &err);
**     sim_state_free(&a); sim_state_free(&b);
**
** A clone carries the world's random generator, so it forecasts exactly what the
** world will do; a law model draws from its distributions with rng and reports
** the log-probability of what it drew.
*/
#ifndef AUGUR_SIM_H
#define AUGUR_SIM_H

#include <stdint.h>

#include "base/err.h"
#include "worlds/laws/laws.h"
#include "worlds/state.h"
#include "worlds/world.h"

typedef struct sim sim;

enum sim_kind { SIM_CLONE, SIM_LAWS };

/* A simulated state: a world clone (SIM_CLONE) or a symbolic state (SIM_LAWS). */
typedef struct sim_state {
    world *w;
    state *s;
} sim_state;

typedef struct sim_outcome {
    double reward;
    int    done;                /* the clone's episode ended; 0 from a law model */
    double logprob;             /* of the drawn next state; 0 from a clone */
    size_t nevents;
    const char *events[WORLD_EVENTS_MAX];
} sim_outcome;

/* A simulator of world clones, observed through view. */
int  sim_new_clone(enum world_view view, sim **out, augur_err *err);
/* A simulator over symbolic states with model m (not owned; the caller may swap
** it with sim_set_laws when it has refitted one). */
int  sim_new_laws(laws *m, sim **out, augur_err *err);
void sim_set_laws(sim *sm, laws *m);
void sim_free(sim *sm);
enum sim_kind sim_kind_of(const sim *sm);

int  sim_state_from_world(sim *sm, const world *w, sim_state *out, augur_err *err);
int  sim_state_from_state(sim *sm, const state *s, sim_state *out, augur_err *err);
int  sim_state_copy(sim *sm, const sim_state *s, sim_state *out, augur_err *err);
void sim_state_free(sim_state *s);

/* next (made here; free it) = what action does in s. */
int  sim_step(sim *sm, const sim_state *s, int action, uint64_t *rng, sim_state *next,
              sim_outcome *o, augur_err *err);

/* What s looks like: the clone's view, or the symbolic state itself. */
int  sim_observe(sim *sm, const sim_state *s, state *out, augur_err *err);

/* The hash of a simulated state. */
uint64_t sim_state_hash(const sim_state *s);

#endif
