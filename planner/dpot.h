/*
** dpot.h — D-PoT plan state and revision (shared/papers/dpot.md): a goal, the
** steps that remain (subgoals or actions, as numbers the planner gives them) and
** a bounded history of (step, action, short outcome), never a growing transcript.
**
** Evidence triggers a revision: a failed action, a forecast the world did not
** bear out, a finished subgoal, a new threat. The revision keeps the still-valid
** suffix of the plan when the simulator says it still reaches the goal (repair),
** and otherwise asks for a new plan (replan); each one records its reason.
**
**     dpot p;
**     dpot_init(&p, "make_stone_pickaxe");
**     dpot_set_plan(&p, steps, n);
**     dpot_record(&p, t, action, "moved");
**     if (failed) dpot_revise(&p, t, DPOT_FAILED, validate, replan, ud);
**
** A dpot is a plain value of fixed size: nothing to free.
*/
#ifndef AUGUR_DPOT_H
#define AUGUR_DPOT_H

#include "base/buf.h"

enum { DPOT_STEPS_MAX = 64, DPOT_HISTORY = 32, DPOT_REVISIONS = 16, DPOT_TEXT = 48 };

enum dpot_trigger {
    DPOT_FAILED, DPOT_FORECAST_MISS, DPOT_SUBGOAL_DONE, DPOT_THREAT, DPOT_GOAL_CHANGED,
    DPOT_PLAN_EMPTY, DPOT_NTRIGGERS
};

typedef struct dpot_event {
    long step;
    int  action;
    char outcome[DPOT_TEXT];
} dpot_event;

typedef struct dpot_revision {
    long step;
    enum dpot_trigger why;
    int  repaired;              /* 1: a suffix was kept; 0: replanned */
    int  dropped;               /* steps dropped from the front by a repair */
    int  len;                   /* steps in the plan afterwards */
    char goal[DPOT_TEXT];
} dpot_revision;

typedef struct dpot {
    char  goal[DPOT_TEXT];
    int   steps[DPOT_STEPS_MAX];
    int   nsteps;
    dpot_event history[DPOT_HISTORY];       /* a ring: the last DPOT_HISTORY */
    long  nhistory;
    dpot_revision revisions[DPOT_REVISIONS];
    long  nrevisions, repairs, replans;
} dpot;

/* Whether steps[0..n) still reaches the goal from where the agent is now. */
typedef int (*dpot_validate_fn)(void *ud, const int *steps, int n);
/* A new plan from where the agent is now into out (at most max); its length, or
** a negative AUGUR_E* code. */
typedef int (*dpot_replan_fn)(void *ud, int *out, int max);

void dpot_init(dpot *p, const char *goal);
/* A new goal: the plan is emptied. */
void dpot_set_goal(dpot *p, const char *goal);
void dpot_set_plan(dpot *p, const int *steps, int n);
/* The first step is done. */
void dpot_advance(dpot *p);
void dpot_record(dpot *p, long step, int action, const char *outcome);

/* Repair or replan as the header says; the plan's length afterwards, or the
** replanner's error. */
int  dpot_revise(dpot *p, long step, enum dpot_trigger why, dpot_validate_fn validate,
                 dpot_replan_fn replan, void *ud);

/* The i-th most recent history entry or revision (0: the latest), or NULL. */
const dpot_event    *dpot_history(const dpot *p, int i);
const dpot_revision *dpot_revision_at(const dpot *p, int i);

/* The latest revision as a line of an agent's description ("plan changed at step
** N: WHY, repaired|replanned (LEN steps)"); nothing when there is none. */
int dpot_describe_revision(const dpot *p, buf *out);

/* "failed action", "forecast miss", "subgoal done", "new threat", ... */
const char *dpot_trigger_name(enum dpot_trigger why);

#endif
