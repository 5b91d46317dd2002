/*
** eval.c — the paper's evaluation of a law model, beside three baselines.
**
** For each scenario of the world's suite, `transitions` transitions are built;
** each is scored in `trials` trials. A trial ranks candidates by the model's
** log-probability: the true next state, the model's own sample and `distractors`
** states made from the truth by the seven mutator families. Accuracy: the top
** candidate equals the truth; reciprocal rank: 1 / the best rank of a candidate
** equal to the truth (ties broken by a seeded shuffle, as the paper's stable
** sort of shuffled candidates does). Fidelity: the edit distance between the
** sample and the truth, over the elements either changed from the state (0:
** identical, 1: nothing in common). A scenario's score is the mean over trials
** of the per-trial means; overall, the mean over scenarios.
**
** Baselines, on the same transitions and distractors: "unchanged" (no laws: the
** unchanged prior), "all_laws_vote" (PoE-World: every law votes, with its vote
** weights) and "true_simulator" (the world itself, loaded with the state and
** stepped with a seeded generator: log-probability 0 for a candidate equal to
** its sample, minus infinity for any other).
*/
#include "worlds/laws/suite.h"

#include "base/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const laws_model_names[LAWS_NMODELS] = { "model", "unchanged", "all_laws_vote",
                                                     "true_simulator" };

enum { EV_TRIES = 40, EV_CANDIDATES_MAX = 64 };

typedef struct ev_ctx {
    laws          *m, *empty;
    world         *build, *sim;
    const sc_suite *su;
    const laws_eval_opts *opt;
    state         *s, *next, *sample, *dist[EV_CANDIDATES_MAX];
    state        **ts, **tn;    /* the scenario's transitions */
    int           *ta;
    augur_err     *err;
} ev_ctx;

/* ---- fidelity --------------------------------------------------------------------------- */

typedef struct ev_keys {
    uint64_t *k;
    size_t    n, cap;
} ev_keys;

static uint64_t ev_change_key(const state_change *c)
{
    uint64_t h = (uint64_t)c->kind * 0x9e3779b97f4a7c15ull;

    if (c->kind == STATE_CELL_CHANGED)
        return state_hash_bytes(&c->x, sizeof c->x, h ^ (uint64_t)c->y);
    h = state_hash_bytes(&c->id, sizeof c->id, h);
    return c->kind == STATE_ATTR_CHANGED ? state_hash_bytes(c->attr, strlen(c->attr), h) : h;
}

/* Whether a change is to an attribute outside the model. */
static int ev_outside(const laws *m, const state_change *c)
{
    return c->kind == STATE_ATTR_CHANGED &&
           lm_outside(m, names_find(&m->names, c->attr, strlen(c->attr)));
}

static int ev_keys_add(const laws *m, ev_keys *ks, const state *a, const state *b)
{
    state_changes d;
    int rc = state_diff(a, b, &d, NULL);

    for (size_t i = 0; i < d.count && rc == AUGUR_OK; i++) {
        uint64_t k = ev_change_key(&d.items[i]);
        int seen = ev_outside(m, &d.items[i]);
        for (size_t j = 0; j < ks->n && !seen; j++)
            seen = ks->k[j] == k;
        if (seen)
            continue;
        if (ks->n == ks->cap) {
            size_t cap = ks->cap ? 2 * ks->cap : 64;
            uint64_t *p = realloc(ks->k, cap * sizeof *p);
            if (!p) {
                rc = AUGUR_ENOMEM;
                break;
            }
            ks->k = p;
            ks->cap = cap;
        }
        ks->k[ks->n++] = k;
    }
    state_changes_free(&d);
    return rc;
}

/* Differences between sample and truth, over the elements either changed from s
** (attributes outside the model left out). */
static double ev_fidelity(const laws *m, const state *s, const state *truth, const state *sample)
{
    ev_keys ks = { NULL, 0, 0 };
    state_changes d;
    double raw = 0, all;

    if (ev_keys_add(m, &ks, s, truth) != AUGUR_OK || ev_keys_add(m, &ks, s, sample) != AUGUR_OK ||
        state_diff(sample, truth, &d, NULL) != AUGUR_OK) {
        free(ks.k);
        return 1;
    }
    for (size_t i = 0; i < d.count; i++)
        raw += !ev_outside(m, &d.items[i]);
    all = (double)ks.n;
    state_changes_free(&d);
    free(ks.k);
    return all > 0 ? (raw < all ? raw / all : 1) : 0;
}

/* Whether a and b are equal in everything the model answers for. */
static int ev_equal(const laws *m, const state *a, const state *b)
{
    state_changes d;
    int same = 1;

    if (state_equal(a, b))
        return 1;
    if (state_diff(a, b, &d, NULL) != AUGUR_OK)
        return 0;
    for (size_t i = 0; i < d.count && same; i++)
        same = ev_outside(m, &d.items[i]);
    state_changes_free(&d);
    return same;
}

/* ---- ranking -------------------------------------------------------------------------------- */

typedef struct ev_cand {
    const state *st;
    double lp, key;
} ev_cand;

static int ev_cand_cmp(const void *a, const void *b)
{
    const ev_cand *x = a, *y = b;
    if (x->lp != y->lp)
        return x->lp > y->lp ? -1 : 1;
    return (x->key > y->key) - (x->key < y->key);
}

/* The next state model k draws for (s, action). */
static int ev_sample(ev_ctx *c, int k, const state *s, int action, uint64_t *rng)
{
    world_step_result r;
    int rc;

    switch (k) {
    case LAWS_MODEL:
    case LAWS_VOTE:
        laws_set_vote(c->m, k == LAWS_VOTE);
        return laws_sample(c->m, s, action, rng, c->sample, c->err);
    case LAWS_UNCHANGED:
        return laws_sample(c->empty, s, action, rng, c->sample, c->err);
    default:
        if ((rc = world_reset(c->sim, *rng, c->err)) != AUGUR_OK ||
            (rc = world_load(c->sim, s, c->err)) != AUGUR_OK ||
            (rc = world_step(c->sim, action, &r, c->err)) != AUGUR_OK)
            return rc;
        *rng += 1;
        return world_observe_oracle(c->sim, c->sample, c->err);
    }
}

static int ev_logprob(ev_ctx *c, int k, const state *s, int action, const state *cand, double *lp)
{
    switch (k) {
    case LAWS_MODEL:
    case LAWS_VOTE:
        laws_set_vote(c->m, k == LAWS_VOTE);
        return laws_logprob(c->m, s, action, cand, lp, c->err);
    case LAWS_UNCHANGED:
        return laws_logprob(c->empty, s, action, cand, lp, c->err);
    default:
        *lp = ev_equal(c->m, cand, c->sample) ? 0 : -INFINITY;
        return AUGUR_OK;
    }
}

/* One transition, one trial, one model: accuracy, reciprocal rank, fidelity. */
static int ev_rank(ev_ctx *c, int k, const state *s, int action, const state *next, int ndist,
                   uint64_t rng, laws_score *out)
{
    ev_cand cand[EV_CANDIDATES_MAX + 2];
    int n = 0, rc, rank = 0;

    if ((rc = ev_sample(c, k, s, action, &rng)) != AUGUR_OK)
        return rc;
    cand[n++] = (ev_cand){ next, 0, 0 };
    cand[n++] = (ev_cand){ c->sample, 0, 0 };
    for (int i = 0; i < ndist; i++)
        cand[n++] = (ev_cand){ c->dist[i], 0, 0 };
    for (int i = 0; i < n; i++) {
        if ((rc = ev_logprob(c, k, s, action, cand[i].st, &cand[i].lp)) != AUGUR_OK)
            return rc;
        cand[i].key = rng_splitmix_uniform(&rng);
    }
    qsort(cand, (size_t)n, sizeof *cand, ev_cand_cmp);
    while (rank < n && !ev_equal(c->m, cand[rank].st, next))
        rank++;
    out->accuracy = rank == 0;
    out->mrr = 1.0 / (rank + 1);
    out->fidelity = ev_fidelity(c->m, s, next, c->sample);
    return AUGUR_OK;
}

/* ---- scenarios -------------------------------------------------------------------------------- */

static int ev_build(ev_ctx *c, int si, laws_eval_row *row)
{
    const sc_def *d = &c->su->defs[si];
    int rc = AUGUR_OK;

    row->transitions = 0;
    for (int t = 0; t < c->opt->transitions; t++) {
        rc = AUGUR_ENOTFOUND;
        for (int tries = 0; tries < EV_TRIES && rc == AUGUR_ENOTFOUND; tries++) {
            uint64_t seed = c->opt->seed * 1000003u + (uint64_t)si * 7919u + (uint64_t)t * 131u +
                            (uint64_t)tries * 17u;
            rc = sc_build(c->su, d, c->build, seed, c->ts[t], &c->ta[t], c->tn[t], c->err);
        }
        if (rc == AUGUR_ENOTFOUND)
            return augur_err_set(c->err, AUGUR_ENOTFOUND, "laws: no state fits scenario %s",
                                 d->name);
        if (rc != AUGUR_OK)
            return rc;
        row->transitions++;
    }
    return AUGUR_OK;
}

static int ev_scenario(ev_ctx *c, int si, laws_eval_row *row)
{
    const sc_def *d = &c->su->defs[si];
    int rc = ev_build(c, si, row);

    snprintf(row->name, sizeof row->name, "%s", d->name);
    row->deterministic = d->deterministic;
    row->observed = 0;
    for (int i = 0; i < c->m->life.nobserved; i++)
        if (strcmp(c->m->life.observed[i].name, d->name) == 0)
            row->observed = c->m->life.observed[i].count;
    for (int trial = 0; trial < c->opt->trials && rc == AUGUR_OK; trial++) {
        laws_score sum[LAWS_NMODELS];
        memset(sum, 0, sizeof sum);
        for (int t = 0; t < row->transitions && rc == AUGUR_OK; t++) {
            uint64_t rng = c->opt->seed ^ ((uint64_t)si << 40) ^ ((uint64_t)t << 20) ^ (uint64_t)trial;
            int nd = 0;
            for (int tries = 0; tries < 10 * c->opt->distractors && nd < c->opt->distractors; tries++)
                nd += sc_mutate(c->su->profile, c->ts[t], c->ta[t], c->tn[t], &rng, c->dist[nd]);
            for (int k = 0; k < LAWS_NMODELS && rc == AUGUR_OK; k++) {
                laws_score sc = { 0, 0, 0 };
                rc = ev_rank(c, k, c->ts[t], c->ta[t], c->tn[t], nd, rng + (uint64_t)k, &sc);
                sum[k].accuracy += sc.accuracy;
                sum[k].mrr += sc.mrr;
                sum[k].fidelity += sc.fidelity;
            }
        }
        for (int k = 0; k < LAWS_NMODELS && row->transitions; k++) {
            row->score[k].accuracy += sum[k].accuracy / row->transitions / c->opt->trials;
            row->score[k].mrr += sum[k].mrr / row->transitions / c->opt->trials;
            row->score[k].fidelity += sum[k].fidelity / row->transitions / c->opt->trials;
        }
    }
    laws_set_vote(c->m, 0);
    return rc;
}

static void ev_free(ev_ctx *c)
{
    for (int t = 0; c->ts && t < c->opt->transitions; t++) {
        state_free(c->ts[t]);
        state_free(c->tn[t]);
    }
    free(c->ts);
    free(c->tn);
    free(c->ta);
    for (int i = 0; i < EV_CANDIDATES_MAX; i++)
        state_free(c->dist[i]);
    state_free(c->s);
    state_free(c->next);
    state_free(c->sample);
    world_free(c->build);
    world_free(c->sim);
    laws_free(c->empty);
}

/* The baseline answers for what the model answers for. */
static int ev_same_outside(laws *to, const laws *from, augur_err *err)
{
    int rc = AUGUR_OK;

    for (int i = 0; i < from->noutside && rc == AUGUR_OK; i++)
        rc = laws_set_outside(to, names_text(&from->names, from->outside[i]), err);
    return rc;
}

static int ev_setup(ev_ctx *c, laws *m, const laws_eval_opts *opt, augur_err *err)
{
    int ok = 1, rc;

    memset(c, 0, sizeof *c);
    c->m = m;
    c->opt = opt;
    c->err = err;
    if (!(c->su = sc_suite_find(m->cls)))
        return augur_err_set(err, AUGUR_ENOTFOUND, "laws: %s has no scenario suite to evaluate on",
                             m->cls->name);
    if (opt->transitions < 1 || opt->transitions > 10000 || opt->trials < 1 || opt->trials > 1000 ||
        opt->distractors < 0 || opt->distractors > EV_CANDIDATES_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "laws: transitions 1..10000, trials 1..1000 and "
                             "distractors 0..%d", EV_CANDIDATES_MAX);
    if ((rc = laws_new(m->cls, &c->empty, err)) != AUGUR_OK ||
        (rc = ev_same_outside(c->empty, m, err)) != AUGUR_OK ||
        (rc = world_new(m->cls, NULL, opt->seed, &c->build, err)) != AUGUR_OK ||
        (rc = world_new(m->cls, NULL, opt->seed + 1, &c->sim, err)) != AUGUR_OK)
        return rc;
    c->ts = calloc((size_t)opt->transitions, sizeof *c->ts);
    c->tn = calloc((size_t)opt->transitions, sizeof *c->tn);
    c->ta = calloc((size_t)opt->transitions, sizeof *c->ta);
    ok = c->ts && c->tn && c->ta && (c->s = state_new()) && (c->next = state_new()) &&
         (c->sample = state_new());
    for (int t = 0; ok && t < opt->transitions; t++)
        ok = (c->ts[t] = state_new()) && (c->tn[t] = state_new());
    for (int i = 0; ok && i < EV_CANDIDATES_MAX; i++)
        ok = (c->dist[i] = state_new()) != NULL;
    return ok ? AUGUR_OK : augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
}

int laws_eval(laws *m, const laws_eval_opts *opt, laws_eval_report *rep, augur_err *err)
{
    ev_ctx c;
    int rc;

    memset(rep, 0, sizeof *rep);
    if ((rc = ev_setup(&c, m, opt, err)) != AUGUR_OK) {
        ev_free(&c);
        return rc;
    }
    if (!(rep->rows = calloc((size_t)c.su->n, sizeof *rep->rows))) {
        ev_free(&c);
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    }
    for (int i = 0; i < c.su->n && rc == AUGUR_OK; i++) {
        rc = ev_scenario(&c, i, &rep->rows[i]);
        rep->n++;
        for (int k = 0; k < LAWS_NMODELS; k++) {
            rep->overall[k].accuracy += rep->rows[i].score[k].accuracy / c.su->n;
            rep->overall[k].mrr += rep->rows[i].score[k].mrr / c.su->n;
            rep->overall[k].fidelity += rep->rows[i].score[k].fidelity / c.su->n;
        }
    }
    ev_free(&c);
    if (rc != AUGUR_OK)
        laws_eval_report_free(rep);
    return rc;
}

void laws_eval_report_free(laws_eval_report *rep)
{
    free(rep->rows);
    memset(rep, 0, sizeof *rep);
}

/* ---- mechanics in a life ------------------------------------------------------------------- */

typedef struct ev_count {
    laws           *m;
    const sc_suite *su;
    long           *n;
} ev_count;

static int ev_count_one(void *ud, size_t i, const state *s, int action, const state *next)
{
    ev_count *c = ud;

    (void)i;
    for (int k = 0; k < c->su->n; k++)
        c->n[k] += sc_occurs(c->m, c->su, &c->su->defs[k], s, action, next);
    return AUGUR_OK;
}

int laws_count_mechanics(laws *m, const laws_trace *t, augur_err *err)
{
    ev_count c = { m, sc_suite_find(m->cls), NULL };
    int rc;

    if (!c.su)
        return AUGUR_OK;
    if (!(c.n = calloc((size_t)c.su->n, sizeof *c.n)))
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    if ((rc = laws_trace_each(t, ev_count_one, &c, err)) == AUGUR_OK) {
        m->life.nobserved = 0;
        for (int k = 0; k < c.su->n && k < LAWS_OBSERVED_MAX; k++) {
            snprintf(m->life.observed[k].name, sizeof m->life.observed[k].name, "%s",
                     c.su->defs[k].name);
            m->life.observed[k].count = c.n[k];
            m->life.nobserved++;
        }
    }
    free(c.n);
    return rc;
}
