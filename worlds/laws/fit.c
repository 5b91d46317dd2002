/*
** fit.c — maximum-likelihood weights for a model's laws over a trace.
**
** For each transition and each slot the active laws govern, the log-likelihood
** of what happened is s(obs) - logsumexp_v s(v), where s(v) = sum_j w_j l_j(v)
** over the laws j that fired and govern the slot, l_j floored at -50; a value no
** law gives joins the candidates with the floor under every law. The objective
** is minus the sum, plus 0.001 sum_j w_j (the L1 penalty; w >= 0), over w in
** [0, 10]^n, minimised by a projected L-BFGS of our own (bounds by projection,
** variables at a bound whose gradient pushes outward held fixed, an Armijo
** backtracking search along the projected path). The laws' log-scores do not
** depend on the weights, so they are computed once.
*/
#include "worlds/laws/private.h"

#include "base/buf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { FIT_MEMORY = 8, FIT_ITERATIONS = 200 };

/* One governed slot of one transition: ncand candidates, the laws that govern it,
** and their floored log-scores, laws x candidates from off. */
typedef struct fit_rec {
    int    ncand, nlaw, obs;
    size_t off, law_off;
} fit_rec;

typedef struct fit_data {
    laws    *m;
    fit_rec *rec;
    size_t   nrec, cap_rec;
    double  *ell;
    size_t   nell, cap_ell;
    int32_t *law;           /* per record, its laws (as positions in the variables) */
    size_t   nlaw, cap_law;
    int     *var_of;        /* law -> variable, or -1 */
    int     *law_of;        /* variable -> law */
    int      nvar;
    lm_change *ch;
    int      nch, cap_ch;
    double  *score, *p;     /* scratch of the size of the largest record */
    int      maxcand;
    augur_err *err;
} fit_data;


static double fit_entry_lp(const law_out *o, const law_entry *e, double v)
{
    for (int i = 0; i < e->n; i++)
        if (o->v[e->first + i] == v)
            return o->lp[e->first + i] < LAW_FLOOR ? LAW_FLOOR : o->lp[e->first + i];
    return LAW_FLOOR;
}

/* Record the model's prediction for one transition. */
static int fit_transition(void *ud, size_t i, const state *s, int action, const state *next)
{
    fit_data *d = ud;
    laws *m = d->m;
    int rc;

    (void)i;
    if ((rc = lm_predict(m, s, action, d->err)) != AUGUR_OK ||
        (rc = lm_changes(m, s, next, &d->ch, &d->nch, &d->cap_ch, d->err)) != AUGUR_OK)
        return rc;
    for (int k = 0; k < m->nslot; k++) {
        const lm_slot *sl = &m->slot[k];
        double obs = sl->current;
        int gone = 0, extra, ncand;
        fit_rec *r;
        for (int c = 0; c < d->nch; c++) {
            if (d->ch[c].slot == sl->slot)
                obs = d->ch[c].v;
            gone |= (SLOT_KIND(sl->slot) == SLOT_ATTR || SLOT_KIND(sl->slot) == SLOT_POS) &&
                    d->ch[c].slot == SLOT_KEY(SLOT_EXISTS, SLOT_A(sl->slot), 0, 0);
        }
        if (gone)
            continue;
        extra = 1;
        for (int c = 0; c < sl->n && extra; c++)
            extra = m->pv[sl->first + c] != obs;
        ncand = sl->n + extra;
        if (buf_grow_array(&d->rec, &d->cap_rec, d->nrec + 1, sizeof *d->rec) ||
            buf_grow_array(&d->ell, &d->cap_ell, d->nell + (size_t)(ncand * sl->e_n),
                     sizeof *d->ell) ||
            buf_grow_array(&d->law, &d->cap_law, d->nlaw + (size_t)sl->e_n, sizeof *d->law))
            return augur_err_set(d->err, AUGUR_ENOMEM, "laws: out of memory");
        r = &d->rec[d->nrec++];
        r->ncand = ncand;
        d->maxcand = ncand > d->maxcand ? ncand : d->maxcand;
        r->nlaw = sl->e_n;
        r->obs = sl->n;
        for (int c = 0; c < sl->n; c++)
            if (m->pv[sl->first + c] == obs)
                r->obs = c;
        r->off = d->nell;
        r->law_off = d->nlaw;
        for (int j = 0; j < sl->e_n; j++) {
            const law_entry *e = &m->out.e[sl->e_first + j];
            d->law[d->nlaw++] = e->law;
            for (int c = 0; c < ncand; c++)
                d->ell[d->nell++] = c < sl->n ? fit_entry_lp(&m->out, e, m->pv[sl->first + c])
                                              : LAW_FLOOR;
        }
    }
    return AUGUR_OK;
}

/* The negative log-likelihood (without the penalty) and its gradient, per variable. */
static double fit_eval(const fit_data *d, const double *w, double *g)
{
    double nll = 0, *score = d->score, *p = d->p;

    memset(g, 0, (size_t)d->nvar * sizeof *g);
    for (size_t r = 0; r < d->nrec; r++) {
        const fit_rec *rec = &d->rec[r];
        const double *ell = d->ell + rec->off;
        const int32_t *law = d->law + rec->law_off;
        int nc = rec->ncand;
        double top = -INFINITY, sum = 0;
        for (int c = 0; c < nc; c++) {
            score[c] = 0;
            for (int j = 0; j < rec->nlaw; j++)
                score[c] += w[d->var_of[law[j]]] * ell[j * rec->ncand + c];
            top = score[c] > top ? score[c] : top;
        }
        for (int c = 0; c < nc; c++)
            sum += (p[c] = exp(score[c] - top));
        for (int c = 0; c < nc; c++)
            p[c] /= sum;
        nll -= score[rec->obs] - top - log(sum);
        for (int j = 0; j < rec->nlaw; j++) {
            double expect = 0;
            for (int c = 0; c < nc; c++)
                expect += p[c] * ell[j * rec->ncand + c];
            g[d->var_of[law[j]]] -= ell[j * rec->ncand + (rec->obs)] - expect;
        }
    }
    return nll;
}

static double fit_objective(const fit_data *d, const double *w, double *g)
{
    double f = fit_eval(d, w, g);

    for (int i = 0; i < d->nvar; i++) {
        f += LAW_L1 * w[i];
        g[i] += LAW_L1;
    }
    return f;
}

static double fit_clamp(double x)
{
    return x < 0 ? 0 : x > LAW_WEIGHT_MAX ? LAW_WEIGHT_MAX : x;
}

/* Whether variable i sits at a bound its gradient pushes against. */
static int fit_held(double w, double g)
{
    return (w <= 0 && g > 0) || (w >= LAW_WEIGHT_MAX && g < 0);
}

typedef struct fit_state {
    int     n;
    double *w, *g, *dir, *wn, *gn, *s, *y, *rho, *alpha;
    int     count, head;
} fit_state;

static double fit_dot(int n, const double *a, const double *b)
{
    double s = 0;
    for (int i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

/* The L-BFGS direction -H g (two-loop recursion), over the variables not held. */
static void fit_lbfgs_direction(fit_state *f)
{
    int n = f->n;

    for (int i = 0; i < n; i++)
        f->dir[i] = fit_held(f->w[i], f->g[i]) ? 0 : -f->g[i];
    for (int k = 0; k < f->count; k++) {
        int j = (f->head - 1 - k + FIT_MEMORY) % FIT_MEMORY;
        double a = f->rho[j] * fit_dot(n, f->s + (size_t)j * n, f->dir);
        f->alpha[j] = a;
        for (int i = 0; i < n; i++)
            f->dir[i] -= a * f->y[(size_t)j * n + i];
    }
    if (f->count) {
        int j = (f->head - 1 + FIT_MEMORY) % FIT_MEMORY;
        double yy = fit_dot(n, f->y + (size_t)j * n, f->y + (size_t)j * n);
        double gamma = yy > 0 ? 1.0 / (f->rho[j] * yy) : 1;
        for (int i = 0; i < n; i++)
            f->dir[i] *= gamma;
    }
    for (int k = f->count - 1; k >= 0; k--) {
        int j = (f->head - 1 - k + FIT_MEMORY) % FIT_MEMORY;
        double b = f->rho[j] * fit_dot(n, f->y + (size_t)j * n, f->dir);
        for (int i = 0; i < n; i++)
            f->dir[i] += f->s[(size_t)j * n + i] * (f->alpha[j] - b);
    }
    for (int i = 0; i < n; i++)
        if (fit_held(f->w[i], f->g[i]))
            f->dir[i] = 0;
    /* Not a descent direction: fall back to the projected gradient. */
    if (fit_dot(n, f->dir, f->g) >= 0) {
        for (int i = 0; i < n; i++)
            f->dir[i] = fit_held(f->w[i], f->g[i]) ? 0 : -f->g[i];
        f->count = 0;
    }
}

/* Minimise from f->w; returns the iterations taken. */
static int fit_minimise(const fit_data *d, fit_state *f, double *fx)
{
    int n = f->n, it;

    *fx = fit_objective(d, f->w, f->g);
    for (it = 0; it < FIT_ITERATIONS; it++) {
        double step = 1, fn = 0, slope, pg = 0;
        int accepted = 0;
        for (int i = 0; i < n; i++) {
            double p = fabs(fit_clamp(f->w[i] - f->g[i]) - f->w[i]);
            pg = p > pg ? p : pg;
        }
        if (pg < 1e-6)
            break;
        fit_lbfgs_direction(f);
        for (int tries = 0; tries < 40 && !accepted; tries++, step *= 0.5) {
            for (int i = 0; i < n; i++)
                f->wn[i] = fit_clamp(f->w[i] + step * f->dir[i]);
            slope = 0;
            for (int i = 0; i < n; i++)
                slope += f->g[i] * (f->wn[i] - f->w[i]);
            fn = fit_objective(d, f->wn, f->gn);
            accepted = fn <= *fx + 1e-4 * slope;
        }
        if (!accepted)
            break;
        {
            int j = f->head;
            double sy;
            for (int i = 0; i < n; i++) {
                f->s[(size_t)j * n + i] = f->wn[i] - f->w[i];
                f->y[(size_t)j * n + i] = f->gn[i] - f->g[i];
            }
            sy = fit_dot(n, f->s + (size_t)j * n, f->y + (size_t)j * n);
            if (sy > 1e-12) {
                f->rho[j] = 1 / sy;
                f->head = (f->head + 1) % FIT_MEMORY;
                f->count = f->count < FIT_MEMORY ? f->count + 1 : FIT_MEMORY;
            }
        }
        memcpy(f->w, f->wn, (size_t)n * sizeof *f->w);
        memcpy(f->g, f->gn, (size_t)n * sizeof *f->g);
        if (fabs(*fx - fn) <= 1e-9 * (1 + fabs(fn))) {
            *fx = fn;
            it++;
            break;
        }
        *fx = fn;
    }
    return it;
}

static void fit_data_free(fit_data *d)
{
    free(d->rec);
    free(d->ell);
    free(d->law);
    free(d->var_of);
    free(d->law_of);
    free(d->ch);
    free(d->score);
    free(d->p);
}

int laws_fit(laws *m, const laws_trace *t, laws_fit_report *rep, augur_err *err)
{
    fit_data d;
    fit_state f;
    double *mem = NULL, fx, *g0;
    int rc;

    memset(&d, 0, sizeof d);
    memset(&f, 0, sizeof f);
    memset(rep, 0, sizeof *rep);
    d.m = m;
    d.err = err;
    if ((rc = laws_trace_each(t, fit_transition, &d, err)) != AUGUR_OK) {
        fit_data_free(&d);
        return rc;
    }
    d.var_of = malloc((size_t)(m->n + 1) * sizeof *d.var_of);
    d.law_of = malloc((size_t)(m->n + 1) * sizeof *d.law_of);
    d.score = malloc((size_t)(d.maxcand + 1) * sizeof *d.score);
    d.p = malloc((size_t)(d.maxcand + 1) * sizeof *d.p);
    if (!d.var_of || !d.law_of || !d.score || !d.p) {
        fit_data_free(&d);
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    }
    /* Only the laws that fired and governed a slot are fitted. */
    for (int i = 0; i < m->n; i++)
        d.var_of[i] = -1;
    for (size_t i = 0; i < d.nlaw; i++)
        if (d.var_of[d.law[i]] < 0) {
            d.law_of[d.nvar] = d.law[i];
            d.var_of[d.law[i]] = d.nvar++;
        }
    f.n = d.nvar;
    mem = calloc((size_t)f.n * (6 + 2 * FIT_MEMORY) + 2 * FIT_MEMORY + 1, sizeof *mem);
    if (!mem) {
        fit_data_free(&d);
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    }
    f.w = mem;
    f.g = f.w + f.n;
    f.dir = f.g + f.n;
    f.wn = f.dir + f.n;
    f.gn = f.wn + f.n;
    g0 = f.gn + f.n;
    f.s = g0 + f.n;
    f.y = f.s + (size_t)f.n * FIT_MEMORY;
    f.rho = f.y + (size_t)f.n * FIT_MEMORY;
    f.alpha = f.rho + FIT_MEMORY;
    for (int i = 0; i < f.n; i++)
        f.w[i] = LAW_WEIGHT_START;
    rep->slots = d.nrec;
    rep->loglik_start = -fit_eval(&d, f.w, g0);
    rep->iterations = f.n ? fit_minimise(&d, &f, &fx) : 0;
    rep->loglik = -fit_eval(&d, f.w, g0);
    for (int i = 0; i < f.n; i++)
        laws_set_weight(m, (size_t)d.law_of[i], fit_clamp(f.w[i]));
    free(mem);
    fit_data_free(&d);
    return AUGUR_OK;
}
