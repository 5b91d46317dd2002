/*
** agent.c — planner_agent: the Crafter agent for Crafter, and for any other world
** that can be copied a general agent: ToolChain* A* over the world's clones, with
** the world's actions and the macro actions it is given, to an episode that ends
** with a reward; its plan kept and revised the D-PoT way, each step forecast by
** the clone and checked against what the world did.
*/
#include "planner/private.h"

#include "planner/dpot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct planner_agent {
    const agent_ops *ops;
    void *impl;
};

planner_opts planner_opts_default(void)
{
    planner_opts o;

    memset(&o, 0, sizeof o);
    o.learn.induce.min_support = 2;
    o.learn.induce.max_conditions = 5;
    o.learn.refit_every = 1000;
    o.learn.surprise = -10;
    o.learn_steps = 5000;
    o.search = search_opts_default();
    o.search.w_memory = 0.5;
    o.search.w_consistency = 0.5;
    o.search.max_nodes = 2000;
    o.rollout = (rollout_opts){ 3, 2, 3, 2, 2.0, 1.0, 1.0, 0.05, 0 };
    o.budget_us = 1000;
    o.seed = 1;
    return o;
}

int planner_agent_new(const world_class *cls, const planner_opts *opts, planner_agent **out,
                      augur_err *err)
{
    planner_agent *ag = calloc(1, sizeof *ag);
    int rc;

    *out = NULL;
    if (!ag)
        return augur_err_set(err, AUGUR_ENOMEM, "planner: out of memory");
    rc = strcmp(cls->name, "crafter") == 0 ? crafter_agent_new(cls, opts, &ag->impl, &ag->ops, err)
                                           : general_agent_new(cls, opts, &ag->impl, &ag->ops, err);
    if (rc != AUGUR_OK) {
        free(ag);
        return rc;
    }
    *out = ag;
    return AUGUR_OK;
}

void planner_agent_free(planner_agent *ag)
{
    if (!ag)
        return;
    ag->ops->free(ag->impl);
    free(ag);
}

int planner_agent_reset(planner_agent *ag, const world *w, augur_err *err)
{
    return ag->ops->reset(ag->impl, w, err);
}

int planner_agent_act(planner_agent *ag, const world *w, int *action, augur_err *err)
{
    return ag->ops->act(ag->impl, w, action, err);
}

int planner_agent_observe(planner_agent *ag, const world *w, int action,
                          const world_step_result *r, augur_err *err)
{
    return ag->ops->observe(ag->impl, w, action, r, err);
}

int planner_agent_idle(planner_agent *ag, augur_err *err)
{
    return ag->ops->idle(ag->impl, err);
}

int planner_agent_describe(const planner_agent *ag, buf *out)
{
    return ag->ops->describe(ag->impl, out);
}

double planner_agent_forecast_accuracy(const planner_agent *ag)
{
    return ag->ops->accuracy(ag->impl);
}

int planner_agent_dot(const planner_agent *ag, buf *out)
{
    return ag->ops->dot(ag->impl, out);
}

/* ---- the general agent ---------------------------------------------------------------- */

/* A search state: a clone of the world and what its path earned. */
typedef struct ga_node {
    world *w;
    double reward;
    int    done;
} ga_node;

typedef struct ga_agent {
    planner_opts o;
    const world_class *cls;
    search *srch;
    dpot    plan;
    uint64_t predicted;         /* the clone's hash after the planned action */
    int     has_forecast;
    forecast_tally tally;
    buf     dot;
    long    t;
    state  *obs;                /* what a macro is shown */
    augur_err err;              /* a callback's failure */
} ga_agent;

static int ga_propose(void *ud, const void *st, search_proposal *out, int max)
{
    const ga_agent *g = ud;
    const ga_node *n = st;
    unsigned char legal[256];
    int k = 0;

    if (n->done)
        return 0;
    world_legal(n->w, legal);
    for (int a = 0; a < world_action_count(n->w) && a < 256 && k < max; a++)
        if (legal[a])
            out[k++] = (search_proposal){ a, 1 };
    for (int i = 0; i < g->o.nmacros && k < max; i++)
        out[k++] = (search_proposal){ g->cls->nactions + i, 1 };
    return k;
}

/* A macro's actions for the clone w, into out; how many (0: none, or it failed). */
static int ga_macro(ga_agent *g, const world *w, int i, int *out)
{
    int n;

    if (world_observe(w, g->obs, NULL) != AUGUR_OK)
        return 0;
    n = macro_expand(g->o.macros[i], g->obs, out, MACRO_ACTIONS_MAX, NULL);
    return n > 0 ? n : 0;
}

static int ga_step(void *ud, const void *sv, int action, void *nv, double *cost)
{
    ga_agent *g = ud;
    const ga_node *s = sv;
    ga_node *n = nv;
    world_step_result r;
    int acts[MACRO_ACTIONS_MAX], nacts = 1, rc;

    memset(&r, 0, sizeof r);
    acts[0] = action;
    if (s->done)
        return 0;
    if (action >= g->cls->nactions && !(nacts = ga_macro(g, s->w, action - g->cls->nactions, acts)))
        return 0;
    if ((rc = world_clone(s->w, &n->w, &g->err)) != AUGUR_OK)
        return rc;
    n->reward = s->reward;
    for (int i = 0; i < nacts && !r.done; i++) {
        memset(&r, 0, sizeof r);
        if (world_step(n->w, acts[i], &r, NULL) != AUGUR_OK) {
            world_free(n->w);
            return 0;
        }
        n->reward += r.reward;
    }
    n->done = r.done;
    *cost = nacts;
    return 1;
}

static int ga_goal(void *ud, const void *st)
{
    const ga_node *n = st;

    (void)ud;
    return n->done && n->reward > 0;
}

/* The world's own goal distance, when it offers one. */
static double ga_h(void *ud, const void *st)
{
    const ga_node *n = st;

    (void)ud;
    return n->done ? 0 : world_distance(n->w);
}

static double ga_score(void *ud, const void *st)
{
    (void)ud;
    return ((const ga_node *)st)->reward;
}

static uint64_t ga_hash(void *ud, const void *st)
{
    const ga_node *n = st;

    (void)ud;
    return world_hash(n->w) ^ (uint64_t)n->done;
}

static int ga_equal(void *ud, const void *a, const void *b)
{
    const ga_node *x = a, *y = b;

    (void)ud;
    return x->done == y->done && world_hash(x->w) == world_hash(y->w);
}

static void ga_release(void *ud, void *st)
{
    (void)ud;
    world_free(((ga_node *)st)->w);
}

static const char *ga_action_name(void *ud, int action)
{
    const ga_agent *g = ud;

    if (action >= g->cls->nactions && action < g->cls->nactions + g->o.nmacros)
        return macro_name(g->o.macros[action - g->cls->nactions]);
    return action >= 0 && action < g->cls->nactions ? g->cls->actions[action] : NULL;
}

/* A plan from w into the D-PoT state (the best partial plan when time runs out). */
static int ga_plan(ga_agent *g, const world *w, augur_err *err)
{
    search_proposer prop = { ga_propose, g, 0 };
    search_problem p;
    search_opts o = g->o.search;
    search_result r;
    ga_node start = { NULL, 0, 0 };
    int rc;

    memset(&p, 0, sizeof p);
    p.size = sizeof(ga_node);
    p.ud = g;
    p.proposers = &prop;
    p.nproposers = 1;
    p.step = ga_step;
    p.goal = ga_goal;
    p.heuristic = w->cls->distance ? ga_h : NULL;
    p.score = ga_score;
    p.hash = ga_hash;
    p.equal = ga_equal;
    p.release = ga_release;
    p.action_name = ga_action_name;
    o.w_memory = 0;
    o.max_us = g->o.budget_us;
    if ((rc = world_clone(w, &start.w, err)) != AUGUR_OK)
        return rc;
    if ((rc = search_run(g->srch, &p, &start, &o, &r, err)) != AUGUR_OK)
        return rc;
    dpot_set_plan(&g->plan, r.plan, r.len);
    if (g->o.dot) {
        buf_clear(&g->dot);
        search_dot(g->srch, 500, &g->dot);
    }
    search_clear(g->srch);
    return AUGUR_OK;
}

/* Whether the plan still ends with a reward when simulated from w. */
static int ga_valid(ga_agent *g, const world *w)
{
    world *c;
    world_step_result r = { 0 };
    double reward = 0;

    if (g->plan.nsteps == 0 || world_clone(w, &c, NULL) != AUGUR_OK)
        return 0;
    for (int i = 0; i < g->plan.nsteps && !r.done; i++) {
        int acts[MACRO_ACTIONS_MAX], n = 1;
        acts[0] = g->plan.steps[i];
        if (acts[0] >= g->cls->nactions && !(n = ga_macro(g, c, acts[0] - g->cls->nactions, acts)))
            break;
        for (int k = 0; k < n && !r.done; k++) {
            if (world_step(c, acts[k], &r, NULL) != AUGUR_OK) {
                world_free(c);
                return 0;
            }
            reward += r.reward;
        }
    }
    world_free(c);
    return reward > 0;
}

static int ga_act(void *impl, const world *w, int *action, augur_err *err)
{
    ga_agent *g = impl;
    world *c;
    world_step_result r;
    int rc;

    *action = 0;
    if (!ga_valid(g, w)) {
        enum dpot_trigger why = g->plan.nsteps ? DPOT_FAILED : DPOT_PLAN_EMPTY;
        dpot_revision *rev = &g->plan.revisions[g->plan.nrevisions++ % DPOT_REVISIONS];
        if ((rc = ga_plan(g, w, err)) != AUGUR_OK)
            return rc;
        memset(rev, 0, sizeof *rev);
        rev->step = g->t;
        rev->why = why;
        rev->len = g->plan.nsteps;
        g->plan.replans++;
    }
    g->has_forecast = 0;
    if (g->plan.nsteps > 0 && g->plan.steps[0] >= g->cls->nactions) {
        /* A macro next: what it does from here takes its place in the plan. */
        int acts[MACRO_ACTIONS_MAX + DPOT_STEPS_MAX];
        int n = ga_macro(g, w, g->plan.steps[0] - g->cls->nactions, acts);
        if (n + g->plan.nsteps - 1 > DPOT_STEPS_MAX)
            n = DPOT_STEPS_MAX - g->plan.nsteps + 1;
        memcpy(acts + n, g->plan.steps + 1, (size_t)(g->plan.nsteps - 1) * sizeof *acts);
        dpot_set_plan(&g->plan, acts, n + g->plan.nsteps - 1);
    }
    if (g->plan.nsteps == 0)
        return AUGUR_OK;
    *action = g->plan.steps[0];
    memset(&r, 0, sizeof r);
    if (world_clone(w, &c, NULL) == AUGUR_OK) {
        if (world_step(c, *action, &r, NULL) == AUGUR_OK) {
            g->predicted = world_hash(c);
            g->has_forecast = 1;
        }
        world_free(c);
    }
    return AUGUR_OK;
}

static int ga_observe(void *impl, const world *w, int action, const world_step_result *r,
                      augur_err *err)
{
    ga_agent *g = impl;

    (void)err;
    g->t++;
    dpot_record(&g->plan, g->t, action, r->feedback);
    if (g->plan.nsteps && g->plan.steps[0] == action)
        dpot_advance(&g->plan);
    if (g->has_forecast) {
        int hit = world_hash(w) == g->predicted;
        forecast_tally_add(&g->tally, hit);
        if (!hit)
            g->plan.nsteps = 0;
    }
    return AUGUR_OK;
}

static int ga_idle(void *impl, augur_err *err)
{
    (void)impl;
    (void)err;
    return AUGUR_OK;
}

static int ga_reset(void *impl, const world *w, augur_err *err)
{
    ga_agent *g = impl;

    (void)w;
    (void)err;
    dpot_init(&g->plan, "reward");
    g->t = 0;
    g->has_forecast = 0;
    return AUGUR_OK;
}

static int ga_describe(const void *impl, buf *out)
{
    const ga_agent *g = impl;

    buf_printf(out, "goal: an episode that ends with a reward; plan:");
    for (int i = 0; i < g->plan.nsteps && i < 10; i++)
        buf_printf(out, " %s", ga_action_name((void *)g, g->plan.steps[i]));
    buf_puts(out, g->plan.nsteps > 10 ? " ...\n" : "\n");
    dpot_describe_revision(&g->plan, out);
    return forecast_tally_describe(&g->tally, out);
}

static double ga_accuracy(const void *impl)
{
    return forecast_tally_accuracy(&((const ga_agent *)impl)->tally);
}

static int ga_dot(const void *impl, buf *out)
{
    const ga_agent *g = impl;
    return g->dot.len ? buf_add(out, g->dot.data, g->dot.len)
                      : buf_puts(out, "digraph search {\n}\n");
}

static void ga_free(void *impl)
{
    ga_agent *g = impl;

    if (!g)
        return;
    search_free(g->srch);
    state_free(g->obs);
    buf_free(&g->dot);
    free(g);
}

static const agent_ops ga_ops = {
    ga_reset, ga_act, ga_observe, ga_idle, ga_describe, ga_accuracy, ga_dot, ga_free,
};

int general_agent_new(const world_class *cls, const planner_opts *o, void **impl,
                      const agent_ops **ops, augur_err *err)
{
    ga_agent *g;
    int rc;

    if (!cls->clone || !cls->hash)
        return augur_err_set(err, AUGUR_EINVAL, "planner: the %s world cannot be copied, and the "
                             "general agent plans on copies", cls->name);
    if (!(g = calloc(1, sizeof *g)))
        return augur_err_set(err, AUGUR_ENOMEM, "planner: out of memory");
    g->o = *o;
    g->cls = cls;
    if ((rc = search_new(&g->srch, err)) != AUGUR_OK || !(g->obs = state_new())) {
        ga_free(g);
        return rc != AUGUR_OK ? rc : augur_err_set(err, AUGUR_ENOMEM, "planner: out of memory");
    }
    dpot_init(&g->plan, "reward");
    *impl = g;
    *ops = &ga_ops;
    return AUGUR_OK;
}
