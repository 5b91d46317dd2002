/*
** dpot.c — the plan, its bounded history and its revisions.
*/
#include "planner/dpot.h"

#include "base/err.h"

#include <stdio.h>
#include <string.h>

static const char *const dpot_trigger_names[DPOT_NTRIGGERS] = {
    "failed action", "forecast miss", "subgoal done", "new threat", "goal changed", "plan empty",
};

int dpot_describe_revision(const dpot *p, buf *out)
{
    const dpot_revision *rev = dpot_revision_at(p, 0);

    if (!rev)
        return AUGUR_OK;
    return buf_printf(out, "plan changed at step %ld: %s, %s (%d steps)\n", rev->step,
                      dpot_trigger_name(rev->why), rev->repaired ? "repaired" : "replanned",
                      rev->len);
}

const char *dpot_trigger_name(enum dpot_trigger why)
{
    return (unsigned)why < DPOT_NTRIGGERS ? dpot_trigger_names[why] : "unknown";
}

void dpot_init(dpot *p, const char *goal)
{
    memset(p, 0, sizeof *p);
    snprintf(p->goal, sizeof p->goal, "%s", goal ? goal : "");
}

void dpot_set_goal(dpot *p, const char *goal)
{
    snprintf(p->goal, sizeof p->goal, "%s", goal ? goal : "");
    p->nsteps = 0;
}

void dpot_set_plan(dpot *p, const int *steps, int n)
{
    n = n < 0 ? 0 : n > DPOT_STEPS_MAX ? DPOT_STEPS_MAX : n;
    memmove(p->steps, steps, (size_t)n * sizeof *steps);
    p->nsteps = n;
}

void dpot_advance(dpot *p)
{
    if (p->nsteps > 0)
        dpot_set_plan(p, p->steps + 1, p->nsteps - 1);
}

void dpot_record(dpot *p, long step, int action, const char *outcome)
{
    dpot_event *e = &p->history[p->nhistory++ % DPOT_HISTORY];

    e->step = step;
    e->action = action;
    snprintf(e->outcome, sizeof e->outcome, "%s", outcome ? outcome : "");
}

int dpot_revise(dpot *p, long step, enum dpot_trigger why, dpot_validate_fn validate,
                dpot_replan_fn replan, void *ud)
{
    dpot_revision *r = &p->revisions[p->nrevisions++ % DPOT_REVISIONS];
    int out[DPOT_STEPS_MAX], n;

    memset(r, 0, sizeof *r);
    r->step = step;
    r->why = why;
    memcpy(r->goal, p->goal, sizeof r->goal);
    /* The shortest suffix that still works: as much of the plan as is done. */
    for (int i = p->nsteps - 1; validate && i >= 0; i--) {
        if (!validate(ud, p->steps + i, p->nsteps - i))
            continue;
        dpot_set_plan(p, p->steps + i, p->nsteps - i);
        r->repaired = 1;
        r->dropped = i;
        r->len = p->nsteps;
        p->repairs++;
        return p->nsteps;
    }
    p->replans++;
    if ((n = replan(ud, out, DPOT_STEPS_MAX)) < 0) {
        p->nsteps = 0;
        return n;
    }
    dpot_set_plan(p, out, n);
    r->len = p->nsteps;
    return p->nsteps;
}

const dpot_event *dpot_history(const dpot *p, int i)
{
    if (i < 0 || i >= DPOT_HISTORY || i >= p->nhistory)
        return NULL;
    return &p->history[(p->nhistory - 1 - i) % DPOT_HISTORY];
}

const dpot_revision *dpot_revision_at(const dpot *p, int i)
{
    if (i < 0 || i >= DPOT_REVISIONS || i >= p->nrevisions)
        return NULL;
    return &p->revisions[(p->nrevisions - 1 - i) % DPOT_REVISIONS];
}
