/*
** agent.h — the Crafter agent's state (private to planner/crafter): agent.c
** decides what to do, loop.c runs the step (rollouts, forecasts, learning).
*/
#ifndef AUGUR_PLANNER_CRAFTER_AGENT_H
#define AUGUR_PLANNER_CRAFTER_AGENT_H

#include "planner/crafter/crafter.h"
#include "planner/crafter/skills.h"

enum { CA_TECH = 16, CA_BELIEF = 9 };

typedef struct ca_agent {
    planner_opts o;
    const world_class *cls;
    int          act[A_N];          /* the world's number for each action */
    cm_map       map;
    skills       k;
    plan_memory *mem;
    dpot         plan;
    goap_domain  dom;
    int          tech;              /* the technology goal (index), -1: none */
    goap_cond    goal_cond;
    long         tech_failed[CA_TECH];  /* set aside until this step */
    long         t, retry_t, macro_t, shelter_retry_t, site_retry_t;
    double       last_daylight;
    uint32_t     unlocked;
    int          placed[4];
    int          macro_inv[I_N];
    int          done_steps[DPOT_STEPS_MAX], ndone;
    char         doing[64];
    int          dist[M_NMAT];      /* to the nearest known cell of each material, -1: none */
    uint64_t     rng;
    int          urgent, was_urgent, thirsty, hungry;
    int          garden[SK_SHELTER_MAX], ngarden, garden_i;     /* a garden macro under way */
    long         garden_retry_t;
    unsigned     pending;           /* D-PoT triggers seen since the last revision */
    long         plan_nodes;
    buf          dot;

    /* the step loop */
    state       *obs, *belief, *forecast, *actual, *next;
    int          has_forecast, forecast_action, bx, by;
    double       forecast_p;
    sim         *sm;
    rollout     *ro;
    laws        *model;             /* a loaded file's (owned) */
    laws_online *learner;           /* online learning (owns its model) */
    long         learned, since_refit;
    forecast_tally tally;
    int          last_action;
} ca_agent;

/* The skill's action for this step (enum cm_act). */
int  ca_decide(ca_agent *a);
/* Count a step's events: finished macros, the goal, achievements. */
void ca_progress(ca_agent *a, const world_step_result *r);
const char *ca_macro_name(int g);
const char *ca_goal_name(const ca_agent *a);
/* The rollouts' risk (ud: the agent) of action from before to after: health lost,
** 20 for death or lava, 0.5 for a failed action (do, place or make that changed
** neither the facing cell nor what the player holds; striking a creature counts). */
double ca_risk(void *ud, const state *before, int action, const state *after,
               const sim_outcome *o);

#endif
