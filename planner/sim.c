/*
** sim.c — world clones and law models behind one stepping interface.
*/
#include "planner/sim.h"

#include <stdlib.h>
#include <string.h>

struct sim {
    enum sim_kind   kind;
    enum world_view view;
    laws           *m;
};

static int sim_alloc(enum sim_kind kind, sim **out, augur_err *err)
{
    *out = calloc(1, sizeof **out);
    if (!*out)
        return augur_err_set(err, AUGUR_ENOMEM, "sim: out of memory");
    (*out)->kind = kind;
    return AUGUR_OK;
}

int sim_new_clone(enum world_view view, sim **out, augur_err *err)
{
    int rc = sim_alloc(SIM_CLONE, out, err);

    if (rc == AUGUR_OK)
        (*out)->view = view;
    return rc;
}

int sim_new_laws(laws *m, sim **out, augur_err *err)
{
    int rc;

    if (!m)
        return augur_err_set(err, AUGUR_EINVAL, "sim: no law model given");
    if ((rc = sim_alloc(SIM_LAWS, out, err)) == AUGUR_OK)
        (*out)->m = m;
    return rc;
}

void sim_set_laws(sim *sm, laws *m)
{
    if (m)
        sm->m = m;
}

void sim_free(sim *sm)
{
    free(sm);
}

enum sim_kind sim_kind_of(const sim *sm)
{
    return sm->kind;
}

void sim_state_free(sim_state *s)
{
    world_free(s->w);
    state_free(s->s);
    s->w = NULL;
    s->s = NULL;
}

int sim_state_from_world(sim *sm, const world *w, sim_state *out, augur_err *err)
{
    int rc;

    out->w = NULL;
    out->s = NULL;
    if (sm->kind == SIM_CLONE)
        return world_clone(w, &out->w, err);
    if (!(out->s = state_new()))
        return augur_err_set(err, AUGUR_ENOMEM, "sim: out of memory");
    if ((rc = world_observe(w, out->s, err)) != AUGUR_OK)
        sim_state_free(out);
    return rc;
}

int sim_state_from_state(sim *sm, const state *s, sim_state *out, augur_err *err)
{
    out->w = NULL;
    if (sm->kind != SIM_LAWS)
        return augur_err_set(err, AUGUR_EINVAL, "sim: a clone simulator needs a world");
    if (!(out->s = state_clone(s)))
        return augur_err_set(err, AUGUR_ENOMEM, "sim: out of memory");
    return AUGUR_OK;
}

int sim_state_copy(sim *sm, const sim_state *s, sim_state *out, augur_err *err)
{
    return s->w ? sim_state_from_world(sm, s->w, out, err)
                : sim_state_from_state(sm, s->s, out, err);
}

int sim_step(sim *sm, const sim_state *s, int action, uint64_t *rng, sim_state *next,
             sim_outcome *o, augur_err *err)
{
    world_step_result r;
    int rc;

    memset(o, 0, sizeof *o);
    next->w = NULL;
    next->s = NULL;
    if (sm->kind == SIM_CLONE) {
        if (!s->w)
            return augur_err_set(err, AUGUR_EINVAL, "sim: a clone simulator needs a world");
        if ((rc = world_clone(s->w, &next->w, err)) != AUGUR_OK)
            return rc;
        memset(&r, 0, sizeof r);
        if ((rc = world_step(next->w, action, &r, err)) != AUGUR_OK) {
            sim_state_free(next);
            return rc;
        }
        o->reward = r.reward;
        o->done = r.done;
        o->nevents = r.nevents;
        memcpy(o->events, r.events, r.nevents * sizeof *r.events);
        return AUGUR_OK;
    }
    if (!s->s)
        return augur_err_set(err, AUGUR_EINVAL, "sim: a law simulator needs a state");
    if (!(next->s = state_new()))
        return augur_err_set(err, AUGUR_ENOMEM, "sim: out of memory");
    if ((rc = laws_sample(sm->m, s->s, action, rng, next->s, err)) != AUGUR_OK ||
        (rc = laws_logprob(sm->m, s->s, action, next->s, &o->logprob, err)) != AUGUR_OK)
        sim_state_free(next);
    return rc;
}

int sim_observe(sim *sm, const sim_state *s, state *out, augur_err *err)
{
    if (s->w)
        return sm->view == WORLD_VIEW_ORACLE ? world_observe_oracle(s->w, out, err)
                                             : world_observe(s->w, out, err);
    return state_copy(out, s->s) == AUGUR_OK ? AUGUR_OK
           : augur_err_set(err, AUGUR_ENOMEM, "sim: out of memory");
}

uint64_t sim_state_hash(const sim_state *s)
{
    return s->w ? world_hash(s->w) : state_hash(s->s);
}
