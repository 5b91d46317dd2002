/*
** goap.c — a fact-vector problem for the search, its relaxed-plan heuristic and
** symbolic plan checking.
*/
#include "planner/goap.h"

#include <math.h>
#include <string.h>

enum { GOAP_RELAX_DEPTH = 4 };

typedef struct goap_problem {
    const goap_domain *d;
    const goap_cond   *goal;
    int                ngoal;
    const plan_memory *memory;
} goap_problem;

static int goap_available(const goap_action *a)
{
    return a->cost > 0 && isfinite(a->cost);
}

int goap_apply(const goap_domain *d, const goap_state *s, int a, goap_state *next)
{
    const goap_action *act;

    if (a < 0 || a >= d->nactions || !goap_available(&d->actions[a]))
        return 0;
    act = &d->actions[a];
    for (int i = 0; i < act->npre; i++)
        if (s->v[act->pre[i].fact] < act->pre[i].value)
            return 0;
    *next = *s;
    for (int i = 0; i < act->neff; i++) {
        const goap_effect *e = &act->eff[i];
        int v = e->op == GOAP_SET ? e->value : next->v[e->fact] + e->value;
        if (d->max[e->fact] > 0 && v > d->max[e->fact])
            v = d->max[e->fact];
        next->v[e->fact] = (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
    }
    return 1;
}

static int goap_met(const goap_state *s, const goap_cond *goal, int ngoal)
{
    for (int i = 0; i < ngoal; i++)
        if (s->v[goal[i].fact] < goal[i].value)
            return 0;
    return 1;
}

int goap_valid(const goap_domain *d, const goap_state *start, const int *plan, int n,
               const goap_cond *goal, int ngoal, goap_state *end)
{
    goap_state s = *start, t;

    for (int i = 0; i < n; i++) {
        if (!goap_apply(d, &s, plan[i], &t))
            return 0;
        s = t;
    }
    if (end)
        *end = s;
    return goap_met(&s, goal, ngoal);
}

/* ---- the relaxed estimate ----------------------------------------------------------- */

static double goap_cond_cost(const goap_domain *d, const goap_state *s, goap_cond c, int depth);

/* The cost of making action a applicable, its preconditions relaxed. */
static double goap_pre_cost(const goap_domain *d, const goap_state *s, const goap_action *a,
                            int depth)
{
    double total = 0;

    for (int i = 0; i < a->npre; i++) {
        double c = goap_cond_cost(d, s, a->pre[i], depth);
        if (d->heuristic == GOAP_H_MAX)
            total = c > total ? c : total;
        else
            total += c;
    }
    return total;
}

/* The cheapest relaxed way to make fact >= value: the producing action's cost
** once per unit it must run, plus its preconditions once. */
static double goap_cond_cost(const goap_domain *d, const goap_state *s, goap_cond c, int depth)
{
    int need = c.value - s->v[c.fact];
    double best = INFINITY;

    if (need <= 0)
        return 0;
    if (depth >= GOAP_RELAX_DEPTH)
        return 0;
    for (int a = 0; a < d->nactions; a++) {
        const goap_action *act = &d->actions[a];
        if (!goap_available(act))
            continue;
        for (int e = 0; e < act->neff; e++) {
            const goap_effect *ef = &act->eff[e];
            int runs;
            double cost;
            if (ef->fact != c.fact || ef->value <= 0 || (ef->op == GOAP_SET && ef->value < c.value))
                continue;
            runs = ef->op == GOAP_SET ? 1 : (need + ef->value - 1) / ef->value;
            cost = runs * act->cost;
            if (cost < best)
                cost += goap_pre_cost(d, s, act, depth + 1);
            best = cost < best ? cost : best;
        }
    }
    return best;
}

double goap_estimate(const goap_domain *d, const goap_state *s, const goap_cond *goal, int ngoal)
{
    double total = 0;

    if (d->heuristic == GOAP_H_NONE)
        return 0;
    for (int i = 0; i < ngoal; i++) {
        double c = goap_cond_cost(d, s, goal[i], 0);
        if (d->heuristic == GOAP_H_MAX)
            total = c > total ? c : total;
        else
            total += c;
    }
    return total;
}

/* ---- the search problem ------------------------------------------------------------ */

static int goap_propose(void *ud, const void *st, search_proposal *out, int max)
{
    const goap_problem *p = ud;
    goap_state next;
    int n = 0;

    for (int a = 0; a < p->d->nactions && n < max; a++)
        if (goap_apply(p->d, st, a, &next))
            out[n++] = (search_proposal){ a, 1 };
    return n;
}

static int goap_step(void *ud, const void *s, int action, void *next, double *cost)
{
    const goap_problem *p = ud;

    if (!goap_apply(p->d, s, action, next))
        return 0;
    *cost = p->d->actions[action].cost;
    return 1;
}

static int goap_goal(void *ud, const void *s)
{
    const goap_problem *p = ud;
    return goap_met(s, p->goal, p->ngoal);
}

static double goap_h(void *ud, const void *s)
{
    const goap_problem *p = ud;
    double h = goap_estimate(p->d, s, p->goal, p->ngoal);
    return isfinite(h) ? h : 1e9;
}

static const char *goap_name(void *ud, int action)
{
    const goap_problem *p = ud;
    return action >= 0 && action < p->d->nactions ? p->d->actions[action].name : NULL;
}

static double goap_memory(void *ud, const int *plan, int n)
{
    const goap_problem *p = ud;
    return p->memory ? plan_memory_match(p->memory, plan, n) : 0;
}

int goap_plan(search *s, const goap_domain *d, const goap_state *start, const goap_cond *goal,
              int ngoal, const search_opts *o, const plan_memory *memory, int *plan, int max,
              search_result *res, buf *dot, augur_err *err)
{
    goap_problem gp = { d, goal, ngoal, memory };
    search_proposer prop = { goap_propose, &gp, 0 };
    search_problem p;
    int rc;

    if (d->nfacts < 1 || d->nfacts > GOAP_FACTS || d->nactions < 0 || d->nactions > GOAP_ACTIONS)
        return augur_err_set(err, AUGUR_EINVAL, "goap: 1 to %d facts and at most %d actions",
                             GOAP_FACTS, GOAP_ACTIONS);
    for (int i = 0; i < ngoal; i++)
        if (goal[i].fact < 0 || goal[i].fact >= d->nfacts)
            return augur_err_set(err, AUGUR_EINVAL, "goap: goal condition %d names no fact", i);
    memset(&p, 0, sizeof p);
    p.size = sizeof(goap_state);
    p.ud = &gp;
    p.proposers = &prop;
    p.nproposers = 1;
    p.step = goap_step;
    p.goal = goap_goal;
    p.heuristic = goap_h;
    p.action_name = goap_name;
    p.memory = memory ? goap_memory : NULL;
    if ((rc = search_run(s, &p, start, o, res, err)) != AUGUR_OK)
        return rc;
    if (dot && search_dot(s, 500, dot) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "goap: out of memory");
    if (res->len > max)
        return augur_err_set(err, AUGUR_ELIMIT, "goap: the plan has %d steps, room for %d",
                             res->len, max);
    memcpy(plan, res->plan, (size_t)res->len * sizeof *plan);
    return res->len;
}
