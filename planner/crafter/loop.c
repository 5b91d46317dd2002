/*
** loop.c — the Crafter agent's step: perceive, decide with the skills, check the
** decision by WiA rollouts in the simulator, keep the forecast; after the step,
** score the forecast, learn the laws, and raise D-PoT triggers.
*/
#include "planner/crafter/agent.h"
#include "planner/private.h"

#include "base/time.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rollouts in Crafter ---------------------------------------------------------------- */

static int ca_player(const state *s)
{
    for (size_t i = 0; i < state_entity_count(s); i++)
        if (strcmp(state_entity_type(s, (int)i), "player") == 0)
            return (int)i;
    return -1;
}

static int64_t ca_attr(const state *s, int e, const char *name)
{
    return e < 0 ? 0 : state_get_int(s, e, name, 0);
}

static double ca_progress_of(void *ud, const state *obs)
{
    int e = ca_player(obs);
    double p = 0;

    /* Tools and the body's needs; materials are means, spent without regret. */
    (void)ud;
    for (int i = I_WOOD_PICKAXE; i < I_N; i++)
        p += (double)ca_attr(obs, e, cm_item_names[i]);
    return p + 0.2 * (double)(ca_attr(obs, e, "food") + ca_attr(obs, e, "drink") +
                              ca_attr(obs, e, "energy"));
}

static int ca_cm_action(const ca_agent *a, int world_action)
{
    for (int i = 0; i < A_N; i++)
        if (a->act[i] == world_action)
            return i;
    return A_NOOP;
}

/* Whether an entity other than the player stands at (x, y). */
static int ca_entity_at(const state *s, int player, int x, int y)
{
    for (size_t i = 0; i < state_entity_count(s); i++)
        if ((int)i != player && ca_attr(s, (int)i, "x") == x && ca_attr(s, (int)i, "y") == y)
            return 1;
    return 0;
}

/* An action on the facing cell (do, place, make) that changed nothing there nor
** in what the player holds; striking a creature counts as doing something. */
static int ca_failed(const ca_agent *a, const state *before, int action, const state *after)
{
    int cm = ca_cm_action(a, action), eb = ca_player(before), ea = ca_player(after);
    int x = (int)ca_attr(before, eb, "x"), y = (int)ca_attr(before, eb, "y");
    state_value v;

    if (cm < A_DO || cm == A_SLEEP || eb < 0 || ea < 0)
        return 0;
    for (int i = I_FOOD; i < I_N; i++)
        if (ca_attr(before, eb, cm_item_names[i]) != ca_attr(after, ea, cm_item_names[i]))
            return 0;
    if (state_get(before, eb, "facing", &v) != AUGUR_OK || v.kind != STATE_SYMBOL)
        return 0;
    for (int d = 0; d < 4; d++)
        if (strcmp(v.as.s, cm_dir_names[d]) == 0) {
            x += grid_dx[d];
            y += grid_dy[d];
        }
    return state_grid_get(before, x, y) == state_grid_get(after, x, y) &&
           !ca_entity_at(before, eb, x, y);
}

double ca_risk(void *ud, const state *before, int action, const state *after,
                      const sim_outcome *o)
{
    int eb = ca_player(before), ea = ca_player(after);
    double lost = (double)(ca_attr(before, eb, "health") - ca_attr(after, ea, "health"));
    int x = (int)ca_attr(after, ea, "x"), y = (int)ca_attr(after, ea, "y");
    int mat = state_grid_get(after, x, y);

    (void)o;
    if (ea < 0 || ca_attr(after, ea, "health") <= 0 ||
        (mat >= 0 && strcmp(state_grid_palette(after, mat), "lava") == 0))
        return 20;
    return (lost > 0 ? lost : 0) + (ca_failed(ud, before, action, after) ? 0.5 : 0);
}

/* Continuations: the same action again, or wait. */
static int ca_continue(void *ud, const state *obs, search_proposal *out, int max)
{
    const ca_agent *a = ud;

    (void)obs;
    if (max < 1)
        return 0;
    out[0] = (search_proposal){ a->act[a->last_action], 1 };
    if (max < 2 || a->last_action == A_NOOP)
        return 1;
    out[1] = (search_proposal){ a->act[A_NOOP], 0.5 };
    return 2;
}

/* The skill's action and the alternatives worth simulating beside it. */
static int ca_candidates(const ca_agent *a, int skill, search_proposal *out)
{
    int n = 0;

    out[n++] = (search_proposal){ a->act[skill], 1 };
    if (skill != A_NOOP)
        out[n++] = (search_proposal){ a->act[A_NOOP], 0.3 };
    if (skill != A_DO)
        out[n++] = (search_proposal){ a->act[A_DO], 0.25 };
    for (int d = A_LEFT; d <= A_DOWN; d++)
        if (d != skill)
            out[n++] = (search_proposal){ a->act[d], 0.2 };
    return n;
}

/* Roll out the candidates; the chosen world action into *action. */
static int ca_whatif(ca_agent *a, const world *w, int skill, long left_us, int *action,
                     augur_err *err)
{
    rollout_domain d = { a, ca_continue, ca_progress_of, ca_risk };
    search_proposal cands[8];
    rollout_opts ro = a->o.rollout;
    sim_state start;
    int n = ca_candidates(a, skill, cands), rc;
    const rollout_candidate *best;

    *action = a->act[skill];
    a->has_forecast = 0;
    if (left_us <= 0 || (!a->o.oracle && !laws_count(a->learner ? laws_online_model(a->learner)
                                                                : a->model)))
        return AUGUR_OK;
    ro.max_us = left_us;
    if (a->o.oracle) {
        if ((rc = world_observe(w, a->belief, err)) != AUGUR_OK)
            return rc;
        rc = sim_state_from_world(a->sm, w, &start, err);
    } else {
        a->bx = a->map.px - CA_BELIEF / 2;
        a->by = a->map.py - CA_BELIEF / 2;
        if ((rc = cm_belief(&a->map, a->bx, a->by, CA_BELIEF, CA_BELIEF,
                            a->has_forecast ? a->forecast : NULL, a->belief)) != AUGUR_OK)
            return augur_err_set(err, rc, "crafter agent: cannot build the belief");
        rc = sim_state_from_state(a->sm, a->belief, &start, err);
    }
    if (rc != AUGUR_OK)
        return rc;
    a->last_action = skill;
    rc = rollout_rank(a->ro, a->sm, &start, cands, n, &d, &ro, &a->rng, err);
    sim_state_free(&start);
    if (rc != AUGUR_OK)
        return rc;
    best = rollout_get(a->ro, 0);
    if (!best || !best->rolled)
        return AUGUR_OK;
    *action = best->action;
    a->last_action = ca_cm_action(a, best->action);
    if (best->forecast && state_copy(a->forecast, best->forecast) == AUGUR_OK) {
        a->has_forecast = 1;
        a->forecast_action = best->action;
        a->forecast_p = best->forecast_p;
    }
    return AUGUR_OK;
}

/* ---- the agent interface ------------------------------------------------------------- */

static int ca_act(void *impl, const world *w, int *action, augur_err *err)
{
    ca_agent *a = impl;
    uint64_t t0 = time_mono_us();
    int skill, rc;
    long left;

    /* The skills' searches get most of the budget; the rollouts what remains. */
    a->k.deadline_us = t0 + (uint64_t)(a->o.budget_us * 6 / 10);
    skill = ca_decide(a);
    if (skill < 0 || skill >= A_N)
        skill = A_NOOP;
    left = a->o.budget_us - (long)(time_mono_us() - t0);
    if (a->map.sleeping)
        left = 0;
    a->last_action = skill;
    if ((rc = ca_whatif(a, w, skill, left, action, err)) != AUGUR_OK)
        return rc;
    /* A macro whose step the rollouts overruled no longer fits where the agent is. */
    if (*action != a->act[skill]) {
        a->ngarden = a->garden_i = 0;
        a->k.nshelter = a->k.shelter_i = 0;
    }
    return AUGUR_OK;
}

/* The player's attributes a forecast is judged by: what the agent can see. */
static int ca_forecast_hit(const state *forecast, const state *actual)
{
    static const char *const keys[] = { "x", "y", "facing", "sleeping" };
    int ef = ca_player(forecast), ea = ca_player(actual);
    state_value u, v;

    if (ef < 0 || ea < 0)
        return 0;
    for (size_t i = 0; i < sizeof keys / sizeof *keys + I_N; i++) {
        const char *k = i < 4 ? keys[i] : cm_item_names[i - 4];
        int hu = state_get(forecast, ef, k, &u) == AUGUR_OK;
        int hv = state_get(actual, ea, k, &v) == AUGUR_OK;
        if (hu != hv)
            return 0;
        if (!hu)
            continue;
        if (u.kind == STATE_SYMBOL || v.kind == STATE_SYMBOL) {
            if (u.kind != v.kind || strcmp(u.as.s, v.as.s) != 0)
                return 0;
        } else if (state_get_int(forecast, ef, k, -1) != state_get_int(actual, ea, k, -2)) {
            return 0;
        }
    }
    return 1;
}

static int ca_learn(ca_agent *a, int action, augur_err *err)
{
    int rc;

    if (!a->learner || a->learned >= a->o.learn_steps || a->o.oracle)
        return AUGUR_OK;
    if ((rc = cm_belief(&a->map, a->bx, a->by, CA_BELIEF, CA_BELIEF, NULL, a->next)) != AUGUR_OK)
        return augur_err_set(err, rc, "crafter agent: cannot build the belief");
    if ((rc = laws_observe(a->learner, a->actual, action, a->next, NULL, err)) != AUGUR_OK)
        return rc;
    a->learned++;
    a->since_refit++;
    return AUGUR_OK;
}

static int ca_observe(void *impl, const world *w, int action, const world_step_result *r,
                      augur_err *err)
{
    ca_agent *a = impl;
    int cm = ca_cm_action(a, action), rc, learn = a->learner && !a->o.oracle &&
                                                  a->learned < a->o.learn_steps;

    if (learn && (rc = cm_belief(&a->map, a->bx = a->map.px - CA_BELIEF / 2,
                                 a->by = a->map.py - CA_BELIEF / 2, CA_BELIEF, CA_BELIEF, NULL,
                                 a->actual)) != AUGUR_OK)
        return augur_err_set(err, rc, "crafter agent: cannot build the belief");
    rc = a->o.oracle ? world_observe_oracle(w, a->obs, err) : world_observe(w, a->obs, err);
    if (rc != AUGUR_OK)
        return rc;
    a->last_daylight = a->map.daylight;
    if ((rc = cm_perceive(&a->map, a->obs, a->o.oracle, cm >= A_LEFT && cm <= A_DOWN ? cm : -1,
                          err)) != AUGUR_OK)
        return rc;
    a->t++;
    ca_progress(a, r);
    if (a->has_forecast) {
        int hit;
        /* The exact simulator forecasts the whole view; the law model the player. */
        if (a->o.oracle) {
            if ((rc = world_observe(w, a->next, err)) != AUGUR_OK)
                return rc;
            hit = state_equal(a->forecast, a->next);
        } else {
            if ((rc = cm_belief(&a->map, a->bx, a->by, CA_BELIEF, CA_BELIEF, a->forecast,
                                a->next)) != AUGUR_OK)
                return augur_err_set(err, rc, "crafter agent: cannot build the belief");
            hit = ca_forecast_hit(a->forecast, a->next);
        }
        forecast_tally_add(&a->tally, hit);
        if (!hit)
            a->pending |= 1u << DPOT_FORECAST_MISS;
    }
    if (!strstr(r->feedback, ": done") && !(cm >= A_LEFT && cm <= A_DOWN) && cm != A_NOOP) {
        a->pending |= 1u << DPOT_FAILED;
        dpot_record(&a->plan, a->t, action, r->feedback);
    }
    return learn ? ca_learn(a, action, err) : AUGUR_OK;
}

static int ca_idle(void *impl, augur_err *err)
{
    ca_agent *a = impl;
    int rc;

    if (!a->learner || a->since_refit < a->o.learn.refit_every)
        return AUGUR_OK;
    a->since_refit = 0;
    if ((rc = laws_refit(a->learner, err)) != AUGUR_OK)
        return rc;
    sim_set_laws(a->sm, laws_online_model(a->learner));
    return AUGUR_OK;
}

static int ca_reset(void *impl, const world *w, augur_err *err)
{
    ca_agent *a = impl;
    int rc;

    if (a->mem && (rc = plan_memory_flush(a->mem, NULL, err)) != AUGUR_OK)
        return rc;
    cm_reset(&a->map);
    dpot_init(&a->plan, "survive");
    a->tech = -1;
    memset(a->tech_failed, 0, sizeof a->tech_failed);
    a->t = a->retry_t = a->macro_t = a->shelter_retry_t = a->site_retry_t = 0;
    a->last_daylight = 1;
    a->unlocked = 0;
    memset(a->placed, 0, sizeof a->placed);
    a->ndone = 0;
    a->pending = 0;
    a->has_forecast = 0;
    a->k.nshelter = a->k.shelter_i = 0;
    a->ngarden = a->garden_i = 0;
    a->garden_retry_t = 0;
    rc = a->o.oracle ? world_observe_oracle(w, a->obs, err) : world_observe(w, a->obs, err);
    return rc != AUGUR_OK ? rc : cm_perceive(&a->map, a->obs, a->o.oracle, -1, err);
}

static int ca_describe(const void *impl, buf *out)
{
    const ca_agent *a = impl;

    buf_printf(out, "goal %s; plan:", ca_goal_name(a));
    for (int i = 0; i < a->plan.nsteps && i < 8; i++)
        buf_printf(out, "%s %s", i ? " ->" : "", ca_macro_name(a->plan.steps[i]));
    buf_printf(out, "%s\ndoing: %s\n", a->plan.nsteps ? "" : " (none)", a->doing);
    if (a->has_forecast) {
        const state *now = a->belief;
        state_changes ch = { 0 };
        buf_printf(out, "forecast for %s (p=%.2f):", a->cls->actions[a->forecast_action],
                   a->forecast_p);
        if (state_diff(now, a->forecast, &ch, NULL) == AUGUR_OK) {
            size_t shown = 0;
            for (size_t i = 0; i < ch.count && shown < 4; i++) {
                if (ch.items[i].kind != STATE_ATTR_CHANGED || strcmp(ch.items[i].type, "player"))
                    continue;
                buf_putc(out, ' ');
                state_change_write(out, &ch.items[i]);
                shown++;
            }
            buf_puts(out, shown ? "\n" : " nothing changes\n");
        }
        state_changes_free(&ch);
    } else {
        buf_puts(out, "forecast: none this step\n");
    }
    dpot_describe_revision(&a->plan, out);
    return forecast_tally_describe(&a->tally, out);
}

static double ca_accuracy(const void *impl)
{
    return forecast_tally_accuracy(&((const ca_agent *)impl)->tally);
}

static int ca_dot(const void *impl, buf *out)
{
    const ca_agent *a = impl;

    if (!a->dot.len)
        return buf_puts(out, "digraph search {\n}\n");
    return buf_add(out, a->dot.data, a->dot.len);
}

static void ca_free(void *impl)
{
    ca_agent *a = impl;

    if (!a)
        return;
    if (a->mem)
        plan_memory_flush(a->mem, NULL, NULL);
    plan_memory_close(a->mem);
    search_free(a->k.srch);
    state_free(a->obs);
    state_free(a->belief);
    state_free(a->forecast);
    state_free(a->actual);
    state_free(a->next);
    sim_free(a->sm);
    rollout_free(a->ro);
    laws_free(a->model);
    laws_online_free(a->learner);
    buf_free(&a->dot);
    free(a);
}

static const agent_ops ca_ops = {
    ca_reset, ca_act, ca_observe, ca_idle, ca_describe, ca_accuracy, ca_dot, ca_free,
};

/* The law model: a file, or an empty one learned online. */
static int ca_open_laws(ca_agent *a, augur_err *err)
{
    laws *m;
    laws_online_opts lo = a->o.learn;
    int rc;

    if (a->o.laws_file && *a->o.laws_file) {
        if ((rc = laws_load(a->o.laws_file, a->cls, &a->model, err)) != AUGUR_OK)
            return rc;
        return sim_new_laws(a->model, &a->sm, err);
    }
    if ((rc = laws_new(a->cls, &m, err)) != AUGUR_OK)
        return rc;
    if ((rc = laws_set_outside(m, "daylight", err)) != AUGUR_OK) {
        laws_free(m);
        return rc;
    }
    /* Refits run in idle, outside the step: the learner itself never refits. */
    lo.refit_every = 1L << 40;
    if ((rc = laws_online_new(m, &lo, &a->learner, err)) != AUGUR_OK) {
        laws_free(m);
        return rc;
    }
    return sim_new_laws(laws_online_model(a->learner), &a->sm, err);
}

int crafter_agent_new(const world_class *cls, const planner_opts *o, void **impl,
                      const agent_ops **ops, augur_err *err)
{
    ca_agent *a = calloc(1, sizeof *a);
    int rc = AUGUR_OK;

    if (!a)
        return augur_err_set(err, AUGUR_ENOMEM, "crafter agent: out of memory");
    a->o = *o;
    a->cls = cls;
    a->rng = o->seed ^ 0xc4af7e5ull;
    for (int i = 0; i < A_N && rc == AUGUR_OK; i++)
        if ((a->act[i] = world_action_find(cls, cm_act_names[i])) < 0)
            rc = augur_err_set(err, AUGUR_EINVAL, "crafter agent: the world has no action '%s'",
                               cm_act_names[i]);
    if (rc == AUGUR_OK && (!(a->obs = state_new()) || !(a->belief = state_new()) ||
                           !(a->forecast = state_new()) || !(a->actual = state_new()) ||
                           !(a->next = state_new())))
        rc = augur_err_set(err, AUGUR_ENOMEM, "crafter agent: out of memory");
    if (rc == AUGUR_OK)
        rc = search_new(&a->k.srch, err);
    if (rc == AUGUR_OK)
        rc = rollout_new(&a->ro, err);
    if (rc == AUGUR_OK)
        rc = o->oracle ? sim_new_clone(WORLD_VIEW_AGENT, &a->sm, err) : ca_open_laws(a, err);
    if (rc == AUGUR_OK)
        rc = plan_memory_open(o->memory_path && *o->memory_path ? o->memory_path : ":memory:",
                              cls->name, &a->mem, err);
    if (rc != AUGUR_OK) {
        ca_free(a);
        return rc;
    }
    cm_reset(&a->map);
    dpot_init(&a->plan, "survive");
    a->tech = -1;
    *impl = a;
    *ops = &ca_ops;
    return AUGUR_OK;
}
