/*
** rollout.c — candidates simulated one by one, each sample a small beam search
** below its first step; the candidates ranked by prior plus mean score.
*/
#include "planner/rollout.h"

#include "base/time.h"

#include <stdlib.h>
#include <string.h>

enum { ROLLOUT_SAMPLES_MAX = 16, ROLLOUT_BEAM_MAX = 8 };

typedef struct branch {
    sim_state st;
    state    *obs;
    double    progress, risk, logp;
    int       steps, done;
} branch;

struct rollout {
    rollout_candidate cands[SEARCH_PROPOSALS_MAX];
    state   *forecast[SEARCH_PROPOSALS_MAX];
    int      n;
    state   *first[ROLLOUT_SAMPLES_MAX];        /* each sample's first observation */
    state   *obs0;
    branch   beam[2][ROLLOUT_BEAM_MAX * ROLLOUT_BEAM_MAX];
};

int rollout_new(rollout **out, augur_err *err)
{
    rollout *r = calloc(1, sizeof *r);
    int ok = r && (r->obs0 = state_new());

    for (int i = 0; ok && i < SEARCH_PROPOSALS_MAX; i++)
        ok = (r->forecast[i] = state_new()) != NULL;
    for (int i = 0; ok && i < ROLLOUT_SAMPLES_MAX; i++)
        ok = (r->first[i] = state_new()) != NULL;
    for (int l = 0; ok && l < 2; l++)
        for (int i = 0; ok && i < ROLLOUT_BEAM_MAX * ROLLOUT_BEAM_MAX; i++)
            ok = (r->beam[l][i].obs = state_new()) != NULL;
    *out = NULL;
    if (!ok) {
        rollout_free(r);
        return augur_err_set(err, AUGUR_ENOMEM, "rollout: out of memory");
    }
    *out = r;
    return AUGUR_OK;
}

void rollout_free(rollout *r)
{
    if (!r)
        return;
    state_free(r->obs0);
    for (int i = 0; i < SEARCH_PROPOSALS_MAX; i++)
        state_free(r->forecast[i]);
    for (int i = 0; i < ROLLOUT_SAMPLES_MAX; i++)
        state_free(r->first[i]);
    for (int l = 0; l < 2; l++)
        for (int i = 0; i < ROLLOUT_BEAM_MAX * ROLLOUT_BEAM_MAX; i++) {
            sim_state_free(&r->beam[l][i].st);
            state_free(r->beam[l][i].obs);
        }
    free(r);
}

int rollout_count(const rollout *r)
{
    return r->n;
}

const rollout_candidate *rollout_get(const rollout *r, int i)
{
    return i >= 0 && i < r->n ? &r->cands[i] : NULL;
}

void forecast_tally_add(forecast_tally *t, int hit)
{
    t->checked++;
    t->hits += hit != 0;
}

double forecast_tally_accuracy(const forecast_tally *t)
{
    return t->checked ? (double)t->hits / (double)t->checked : 0;
}

int forecast_tally_describe(const forecast_tally *t, buf *out)
{
    return buf_printf(out, "forecast accuracy %.3f over %ld steps\n", forecast_tally_accuracy(t),
                      t->checked);
}

/* ---- one step of a branch ------------------------------------------------------------ */

static double branch_score(const branch *b, const rollout_opts *o, double progress0)
{
    return o->w_progress * (b->progress - progress0) - o->w_risk * b->risk +
           o->w_confidence * (b->steps ? b->logp / b->steps : 0);
}

/* to = from stepped by action. */
static int branch_step(sim *sm, const branch *from, const state *from_obs, int action,
                       const rollout_domain *d, uint64_t *rng, branch *to, augur_err *err)
{
    sim_outcome o;
    int rc;

    sim_state_free(&to->st);
    if ((rc = sim_step(sm, &from->st, action, rng, &to->st, &o, err)) != AUGUR_OK ||
        (rc = sim_observe(sm, &to->st, to->obs, err)) != AUGUR_OK)
        return rc;
    to->progress = d->progress ? d->progress(d->ud, to->obs) : 0;
    to->risk = from->risk + (d->risk ? d->risk(d->ud, from_obs, action, to->obs, &o) : 0);
    to->logp = from->logp + o.logprob;
    to->steps = from->steps + 1;
    to->done = o.done;
    return AUGUR_OK;
}

static int branch_cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

/* Extend the beam of *n branches in level cur by one step; keep the best B. */
static int beam_level(rollout *r, sim *sm, int cur, int *n, const rollout_domain *d,
                      const rollout_opts *o, double progress0, uint64_t *rng, augur_err *err)
{
    branch *from = r->beam[cur], *to = r->beam[!cur];
    struct { double score; int i; } order[ROLLOUT_BEAM_MAX * ROLLOUT_BEAM_MAX];
    int m = 0, rc;

    for (int i = 0; i < *n; i++) {
        search_proposal props[ROLLOUT_BEAM_MAX];
        int k = d->propose && !from[i].done ? d->propose(d->ud, from[i].obs, props, o->beam) : 0;
        if (k < 0)
            return augur_err_set(err, k, "rollout: the domain's proposer failed");
        for (int j = 0; j < k && m < ROLLOUT_BEAM_MAX * ROLLOUT_BEAM_MAX; j++) {
            if ((rc = branch_step(sm, &from[i], from[i].obs, props[j].action, d, rng, &to[m],
                                  err)) != AUGUR_OK)
                return rc;
            order[m].score = branch_score(&to[m], o, progress0);
            order[m].i = m;
            m++;
        }
    }
    if (m == 0)
        return AUGUR_OK;
    qsort(order, (size_t)m, sizeof *order, branch_cmp_desc);
    /* The kept branches move to the front of the next level, in order. */
    for (int i = 0; i < m && i < o->beam; i++) {
        branch t = to[i];
        to[i] = to[order[i].i];
        to[order[i].i] = t;
        for (int j = i + 1; j < m; j++)
            if (order[j].i == i)
                order[j].i = order[i].i;
    }
    *n = m < o->beam ? m : o->beam;
    return 1;
}

/* One sample of candidate c: its first step into r->first[k], then the beam;
** the best branch's components are added to c. */
static int rollout_sample(rollout *r, sim *sm, const sim_state *start, rollout_candidate *c, int k,
                          const rollout_domain *d, const rollout_opts *o, double progress0,
                          uint64_t *rng, augur_err *err)
{
    branch root = { *start, r->obs0, progress0, 0, 0, 0, 0 };
    branch *b = &r->beam[0][0];
    int n = 1, cur = 0, rc;
    double best;

    if ((rc = branch_step(sm, &root, r->obs0, c->action, d, rng, b, err)) != AUGUR_OK ||
        state_copy(r->first[k], b->obs) != AUGUR_OK)
        return rc ? rc : augur_err_set(err, AUGUR_ENOMEM, "rollout: out of memory");
    for (int level = 1; level < o->depth; level++) {
        if ((rc = beam_level(r, sm, cur, &n, d, o, progress0, rng, err)) < 0)
            return rc;
        if (rc == 0)
            break;
        cur = !cur;
    }
    b = &r->beam[cur][0];
    for (int i = 1; i < n; i++)
        if (branch_score(&r->beam[cur][i], o, progress0) > branch_score(b, o, progress0))
            b = &r->beam[cur][i];
    best = branch_score(b, o, progress0);
    c->score += best;
    c->progress += b->progress - progress0;
    c->risk += b->risk;
    c->confidence += b->steps ? b->logp / b->steps : 0;
    return AUGUR_OK;
}

/* The observation most samples agreed on becomes the forecast. */
static int rollout_forecast(rollout *r, int ci, int samples)
{
    uint64_t h[ROLLOUT_SAMPLES_MAX];
    int best = 0, most = 0;

    for (int k = 0; k < samples; k++)
        h[k] = state_hash(r->first[k]);
    for (int k = 0; k < samples; k++) {
        int same = 0;
        for (int j = 0; j < samples; j++)
            same += h[j] == h[k];
        if (same > most) {
            most = same;
            best = k;
        }
    }
    r->cands[ci].forecast_p = samples ? (double)most / samples : 0;
    r->cands[ci].forecast = r->forecast[ci];
    return state_copy(r->forecast[ci], r->first[best]);
}

static int cand_cmp(const void *a, const void *b)
{
    const rollout_candidate *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
}

static int prior_cmp(const void *a, const void *b)
{
    const search_proposal *x = a, *y = b;
    return (x->score < y->score) - (x->score > y->score);
}

int rollout_rank(rollout *r, sim *sm, const sim_state *start, const search_proposal *cands, int n,
                 const rollout_domain *d, const rollout_opts *o, uint64_t *rng, augur_err *err)
{
    search_proposal sorted[SEARCH_PROPOSALS_MAX];
    uint64_t t0 = time_mono_ns();
    rollout_opts opt = *o;
    double progress0;
    int rc;

    if (n < 0 || n > SEARCH_PROPOSALS_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "rollout: 0 to %d candidates",
                             SEARCH_PROPOSALS_MAX);
    opt.samples = sim_kind_of(sm) == SIM_CLONE ? 1 : opt.samples;
    opt.samples = opt.samples < 1 ? 1 : opt.samples > ROLLOUT_SAMPLES_MAX ? ROLLOUT_SAMPLES_MAX
                  : opt.samples;
    opt.beam = opt.beam < 1 ? 1 : opt.beam > ROLLOUT_BEAM_MAX ? ROLLOUT_BEAM_MAX : opt.beam;
    memcpy(sorted, cands, (size_t)n * sizeof *cands);
    qsort(sorted, (size_t)n, sizeof *sorted, prior_cmp);
    if ((rc = sim_observe(sm, start, r->obs0, err)) != AUGUR_OK)
        return rc;
    progress0 = d->progress ? d->progress(d->ud, r->obs0) : 0;
    r->n = n;
    for (int i = 0; i < n; i++) {
        rollout_candidate *c = &r->cands[i];
        memset(c, 0, sizeof *c);
        c->action = sorted[i].action;
        c->prior = sorted[i].score;
        if (i >= opt.candidates ||
            (opt.max_us > 0 && (long)((time_mono_ns() - t0) / 1000) >= opt.max_us)) {
            c->score = -1e9 + opt.w_prior * c->prior;
            continue;
        }
        int k = 0;
        do {
            if ((rc = rollout_sample(r, sm, start, c, k, d, &opt, progress0, rng, err)))
                return rc;
        } while (++k < opt.samples &&
                 (opt.max_us <= 0 || (long)((time_mono_ns() - t0) / 1000) < opt.max_us));
        c->score /= k;
        c->progress /= k;
        c->risk /= k;
        c->confidence /= k;
        c->score += opt.w_prior * c->prior;
        c->rolled = 1;
        if ((rc = rollout_forecast(r, i, k)) != AUGUR_OK)
            return augur_err_set(err, AUGUR_ENOMEM, "rollout: out of memory");
    }
    /* Sorting moves the candidates; their forecasts stay put, addressed by pointer. */
    qsort(r->cands, (size_t)n, sizeof *r->cands, cand_cmp);
    return AUGUR_OK;
}
