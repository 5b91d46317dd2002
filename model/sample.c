/* sample.c — the sampler: penalty, temperature, top-k, min-p, top-p, a seeded draw. */
#include "model/sample.h"

#include "base/rng.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct cand {
    int32_t id;
    float   logit;
} cand;

struct sampler {
    sampler_params p;
    int            n_vocab;
    float         *logits;
    cand          *cands;
    rng            rng;
};

int sampler_new(sampler **out, int n_vocab, const sampler_params *p, augur_err *err)
{
    sampler *s;
    uint64_t seed = p->seed;

    *out = NULL;
    if (n_vocab < 1 || !(p->temperature >= 0) || p->top_k < 0 ||
        !(p->top_p >= 0 && p->top_p <= 1) || !(p->min_p >= 0 && p->min_p <= 1) ||
        !(p->repeat_penalty > 0) || p->repeat_last_n < 0)
        return augur_err_set(err, AUGUR_EINVAL, "sampling: a parameter out of range (temperature "
                             ">= 0, top_k >= 0, top_p and min_p within 0 and 1, repeat_penalty "
                             "> 0, repeat_last_n >= 0)");
    if (!(s = calloc(1, sizeof *s)) || !(s->logits = malloc((size_t)n_vocab * sizeof *s->logits)) ||
        !(s->cands = malloc((size_t)n_vocab * sizeof *s->cands))) {
        sampler_free(s);
        return augur_err_set(err, AUGUR_ENOMEM, "sampling: out of memory");
    }
    s->p = *p;
    s->n_vocab = n_vocab;
    rng_seed(&s->rng, seed);
    *out = s;
    return AUGUR_OK;
}

void sampler_free(sampler *s)
{
    if (!s)
        return;
    free(s->logits);
    free(s->cands);
    free(s);
}

/* Higher logits first, then lower ids. */
static int cand_before(const cand *a, const cand *b)
{
    return a->logit > b->logit || (a->logit == b->logit && a->id < b->id);
}

static int cand_cmp(const void *a, const void *b)
{
    return cand_before(b, a) - cand_before(a, b);
}

/* Put the k first candidates (by cand_before) in c[0..k), in any order. */
static void select_top(cand *c, int n, int k)
{
    int lo = 0, hi = n - 1;

    while (lo < hi) {
        cand pivot = c[(lo + hi) / 2], tmp;
        int i = lo, j = hi;
        while (i <= j) {
            while (cand_before(&c[i], &pivot))
                i++;
            while (cand_before(&pivot, &c[j]))
                j--;
            if (i <= j) {
                tmp = c[i];
                c[i++] = c[j];
                c[j--] = tmp;
            }
        }
        if (k - 1 <= j)
            hi = j;
        else if (k - 1 >= i)
            lo = i;
        else
            break;
    }
}

int32_t sample_argmax(const float *x, int n)
{
    int32_t best = 0;

    for (int i = 1; i < n; i++)
        if (x[i] > x[best])
            best = i;
    return best;
}

static void apply_penalty(sampler *s, const int32_t *history, size_t n)
{
    size_t from = n > (size_t)s->p.repeat_last_n ? n - (size_t)s->p.repeat_last_n : 0;
    float penalty = (float)s->p.repeat_penalty;

    if (penalty == 1)
        return;
    /* each distinct token once: mark it by flipping its candidate id negative */
    for (size_t i = from; i < n; i++) {
        int32_t t = history[i];
        if (t < 0 || t >= s->n_vocab || s->cands[t].id < 0)
            continue;
        s->cands[t].id = -1;
        s->logits[t] = s->logits[t] > 0 ? s->logits[t] / penalty : s->logits[t] * penalty;
    }
}

int32_t sampler_sample(sampler *s, const float *logits, const int32_t *history, size_t n_history)
{
    int n = s->n_vocab, best;
    double sum = 0, cum = 0, u;
    float max;

    memcpy(s->logits, logits, (size_t)n * sizeof *logits);
    for (int i = 0; i < n; i++)
        s->cands[i].id = i;
    apply_penalty(s, history, n_history);
    best = sample_argmax(s->logits, n);
    if (s->p.temperature <= 0)
        return best;

    /* the candidates within min-p of the best, scaled by the temperature */
    max = s->logits[best];
    {
        float floor_logit = s->p.min_p > 0 ? max + (float)(log(s->p.min_p) * s->p.temperature)
                                           : -INFINITY;
        int m = 0;
        for (int i = 0; i < n; i++)
            if (s->logits[i] >= floor_logit)
                s->cands[m++] = (cand){ i, (float)((s->logits[i] - max) / s->p.temperature) };
        n = m;
    }
    if (s->p.top_k > 0 && s->p.top_k < n) {
        select_top(s->cands, n, s->p.top_k);
        n = s->p.top_k;
    }
    qsort(s->cands, (size_t)n, sizeof *s->cands, cand_cmp);

    /* probabilities, then the fewest whose sum reaches top_p */
    for (int i = 0; i < n; i++) {
        s->logits[i] = expf(s->cands[i].logit);
        sum += s->logits[i];
    }
    for (int i = 0; i < n; i++) {
        cum += s->logits[i] / sum;
        if (cum >= s->p.top_p) {
            n = i + 1;
            break;
        }
    }
    sum = 0;
    for (int i = 0; i < n; i++)
        sum += s->logits[i];
    u = rng_uniform(&s->rng) * sum;
    cum = 0;
    for (int i = 0; i < n; i++) {
        cum += s->logits[i];
        if (u < cum)
            return s->cands[i].id;
    }
    return s->cands[n - 1].id;
}
