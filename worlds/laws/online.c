/*
** online.c — learning while playing: every transition is recorded and scored
** against the current model (low log-probabilities are flagged as surprises);
** on a schedule the laws are induced again from the whole life and refitted.
*/
#include "worlds/laws/private.h"

#include <stdlib.h>
#include <string.h>

struct laws_online {
    laws            *m;
    laws_trace      *trace;
    laws_online_opts opt;
    long             since_refit;
    size_t           flagged;
};

int laws_online_new(laws *m, const laws_online_opts *opts, laws_online **out, augur_err *err)
{
    laws_online *o;
    int rc;

    *out = NULL;
    if (!m)
        return augur_err_set(err, AUGUR_EINVAL, "laws: no model given");
    if (!(o = calloc(1, sizeof *o)))
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    if ((rc = laws_trace_new(&o->trace, err)) != AUGUR_OK) {
        free(o);
        return rc;
    }
    o->m = m;
    if (opts)
        o->opt = *opts;
    if (o->opt.refit_every <= 0)
        o->opt.refit_every = 500;
    if (o->opt.induce.min_support <= 0)
        o->opt.induce.min_support = 2;
    if (o->opt.induce.max_conditions <= 0)
        o->opt.induce.max_conditions = 5;
    *out = o;
    return AUGUR_OK;
}

void laws_online_free(laws_online *o)
{
    if (!o)
        return;
    laws_free(o->m);
    laws_trace_free(o->trace);
    free(o);
}

laws *laws_online_model(laws_online *o) { return o->m; }
const laws_trace *laws_online_trace(const laws_online *o) { return o->trace; }
size_t laws_online_flagged(const laws_online *o) { return o->flagged; }
const laws_induce_opts *laws_online_induce_opts(const laws_online *o) { return &o->opt.induce; }

laws *laws_online_take(laws_online *o)
{
    laws *m = o->m;

    o->m = NULL;
    return m;
}

int laws_refit(laws_online *o, augur_err *err)
{
    laws_fit_report rep;
    int rc;

    if (!o->m)
        return augur_err_set(err, AUGUR_ESTATE, "laws: the model was taken");
    o->since_refit = 0;
    if ((rc = laws_induce(o->m, o->trace, &o->opt.induce, err)) != AUGUR_OK)
        return rc;
    return laws_fit(o->m, o->trace, &rep, err);
}

int laws_observe(laws_online *o, const state *s, int action, const state *next, double *logprob,
                 augur_err *err)
{
    double lp = 0;
    int rc;

    if (!o->m)
        return augur_err_set(err, AUGUR_ESTATE, "laws: the model was taken");
    if ((rc = laws_logprob(o->m, s, action, next, &lp, err)) != AUGUR_OK ||
        (rc = laws_trace_add(o->trace, s, action, next, err)) != AUGUR_OK)
        return rc;
    if (lp < o->opt.surprise)
        o->flagged++;
    if (logprob)
        *logprob = lp;
    if (++o->since_refit >= o->opt.refit_every)
        return laws_refit(o, err);
    return AUGUR_OK;
}
