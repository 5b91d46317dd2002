/*
** sample.h — choosing the next token from logits.
**
**     sampler *s;
**     sampler_params p = SAMPLER_PARAMS_DEFAULT;
**     sampler_new(&s, n_vocab, &p, &err);
**     int32_t next = sampler_sample(s, logits, history, n_history);
**     sampler_free(s);
**
** In order: the repetition penalty (each distinct token of the last repeat_last_n
** of history has its logit divided by the penalty when positive, multiplied when
** negative), then greedy (temperature 0: the highest logit, the lower id on a tie)
** or: logits / temperature, the top_k most likely (0: all), those at least min_p
** times as likely as the first (0: all), the fewest whose probabilities sum to top_p
** (1: all), and a draw from what is left, renormalised. The draws come from the
** seed alone: the same seed and logits give the same tokens.
*/
#ifndef AUGUR_SAMPLE_H
#define AUGUR_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

typedef struct sampler_params {
    double   temperature;
    int      top_k;
    double   top_p, min_p;
    double   repeat_penalty;
    int      repeat_last_n;
    uint64_t seed;
} sampler_params;

#define SAMPLER_PARAMS_DEFAULT { 0.8, 40, 0.95, 0.05, 1.1, 64, 0 }
#define SAMPLER_PARAMS_GREEDY  { 0, 0, 1, 0, 1, 0, 0 }

typedef struct sampler sampler;

/* AUGUR_EINVAL for parameters out of range (temperature < 0, top_p or min_p
** outside [0, 1], penalty <= 0, counts < 0). */
int  sampler_new(sampler **out, int n_vocab, const sampler_params *p, augur_err *err);
void sampler_free(sampler *s);

int32_t sampler_sample(sampler *s, const float *logits, const int32_t *history, size_t n_history);

/* The index of the largest of x[n], the lower one on a tie: the greedy choice. */
int32_t sample_argmax(const float *x, int n);

#endif
