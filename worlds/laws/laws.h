/*
** laws.h — law models: a symbolic, stochastic model of a world, learned from one
** life (OneLife; shared/papers/onelife.md).
**
** A law is a precondition over (state, action) and an effect that gives, for the
** attributes it governs, a distribution over their next values. The model weighs
** its laws and predicts with the product of the experts that fire: for each
** attribute, the score of a value is the weighted sum of the log-probabilities
** the active laws that govern it give it (floored at -50), normalised; an
** attribute no active law governs keeps its value (log-score 0 unchanged, -1 for
** any change). Laws are written over the symbolic state (worlds/state.h), so the
** same model reads a world's full state and an agent's belief state.
**
**     laws *m;
**     laws_load("crafter.laws.toml", NULL, &m, &err);    // world named in the file
**     laws_sample(m, s, action, &rng, next, &err);        // a next state
**     laws_logprob(m, s, action, next, &lp, &err);        // log P(next | s, action)
**     laws_free(m);
**
** Learning: laws_explore plays one life with the curious explorer (or a random
** agent), feeding every transition to a laws_online learner, which records it
** in a trace, induces laws from what changed (laws_induce) and fits their weights
** by maximum likelihood (laws_fit) on a schedule. laws_eval measures a model as
** the paper does, beside three baselines.
**
** The law file (TOML) is meant to be read by people and written by a language
** model from a description:
**
**     world = "crafter"
**
**     [[law]]
**     name = "collect_stone"
**     action = "do"
**     when = ["facing.material == stone", "player.wood_pickaxe >= 1"]
**     then = ["player.stone += 1 max 9", "facing.material = path"]
**     weight = 2.1
**
** `laws_syntax` (below) documents every form a condition and an effect take.
** A model is used from one thread at a time; predictions reuse its scratch.
*/
#ifndef AUGUR_LAWS_H
#define AUGUR_LAWS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/toml.h"
#include "worlds/state.h"
#include "worlds/world.h"

typedef struct laws laws;

/* The text that explains the law file's forms (printed by `augur laws show --syntax`). */
extern const char laws_syntax[];

/* ---- the life the laws were learned from -------------------------------------------- */

enum { LAWS_OBSERVED_MAX = 64 };

/* What learning records about its life, kept in the file's [life] table. */
typedef struct laws_life {
    char   explorer[16];            /* "curious", "random"; "" when unknown */
    uint64_t seed;
    long   steps;                   /* transitions seen */
    long   died_at;                 /* the step the player died at, or -1 */
    int    nobserved;
    struct { char name[48]; long count; } observed[LAWS_OBSERVED_MAX];
} laws_life;

/* ---- models -------------------------------------------------------------------------- */

/* An empty model for a world (it predicts that nothing changes). */
int  laws_new(const world_class *cls, laws **out, augur_err *err);
void laws_free(laws *m);

/* Read a law file. cls: the world it must be for; NULL takes the bundled world the
** file names. Errors name the file, the line and the law. */
int  laws_parse(const char *text, size_t len, const char *name, const world_class *cls,
                laws **out, augur_err *err);
int  laws_load(const char *path, const world_class *cls, laws **out, augur_err *err);

/* Append the model as a law file; laws_show as a summary for people. */
int  laws_write(const laws *m, buf *out);
int  laws_show(const laws *m, buf *out);

/* An attribute the laws do not model (the file's `outside`): its changes are not
** scored (a clock reading such as Crafter's daylight, which no law can say). */
int laws_set_outside(laws *m, const char *attr, augur_err *err);

const world_class *laws_world(const laws *m);
size_t      laws_count(const laws *m);
const char *laws_law_name(const laws *m, size_t i);
double      laws_weight(const laws *m, size_t i);
void        laws_set_weight(laws *m, size_t i, double w);
laws_life  *laws_life_of(laws *m);

/* The PoE-World way (a baseline): every law votes on what it governs, those
** whose precondition fails for "unchanged", with the weights fitted that way. */
void laws_set_vote(laws *m, int on);

/* ---- predicting ---------------------------------------------------------------------- */

/* The distributions for (s, action), written one slot a line:
** "player#1.wood: 3 p=0.01, 4 p=0.99". */
int laws_predict(laws *m, const state *s, int action, buf *out, augur_err *err);

/* A next state drawn from the model into out (a copy of s with the drawn changes);
** rng is a splitmix64 state the call advances. */
int laws_sample(laws *m, const state *s, int action, uint64_t *rng, state *out, augur_err *err);

/* log P(next | s, action): the product over the governed slots, plus -1 for each
** change no active law governs. */
int laws_logprob(laws *m, const state *s, int action, const state *next, double *out,
                 augur_err *err);

/* ---- the transitions of a life -------------------------------------------------------- */

typedef struct laws_trace laws_trace;

int    laws_trace_new(laws_trace **out, augur_err *err);
void   laws_trace_free(laws_trace *t);
/* Record (s, action, next): the first state in full, then what changed. */
int    laws_trace_add(laws_trace *t, const state *s, int action, const state *next,
                      augur_err *err);
size_t laws_trace_count(const laws_trace *t);

/* Call fn for each transition in order, with states rebuilt from the record;
** fn returns AUGUR_OK to go on. */
typedef int (*laws_trace_fn)(void *ud, size_t i, const state *s, int action, const state *next);
int laws_trace_each(const laws_trace *t, laws_trace_fn fn, void *ud, augur_err *err);

/* ---- fitting and inducing ------------------------------------------------------------------ */

typedef struct laws_fit_report {
    int    iterations;
    size_t slots;                   /* governed slot observations that count */
    double loglik_start, loglik;    /* before and after, without the penalty */
} laws_fit_report;

/* Maximum-likelihood weights over the trace (projected L-BFGS from 0.5, clamped
** to [0, 10], L1 penalty 0.001, log-scores floored at -50), counting only laws
** that fired and governed the slot. In vote mode it fits the vote weights. */
int laws_fit(laws *m, const laws_trace *t, laws_fit_report *rep, augur_err *err);

typedef struct laws_induce_opts {
    int    min_support;             /* changes a law must explain (default 2) */
    int    max_conditions;          /* per law (default 5) */
    size_t nignore;                 /* attributes never used in conditions: */
    const char *const *ignore;      /* records rather than causes ("step", "achievement_*") */
} laws_induce_opts;

/* Replace m's laws by those the enumerative inducer finds in the trace. */
int laws_induce(laws *m, const laws_trace *t, const laws_induce_opts *opts, augur_err *err);

/* ---- learning while playing ---------------------------------------------------------------- */

typedef struct laws_online_opts {
    laws_induce_opts induce;
    long   refit_every;             /* transitions between refits (default 500) */
    double surprise;                /* a transition below this log-probability is flagged */
} laws_online_opts;

typedef struct laws_online laws_online;

/* A learner that owns model m (which it may replace when it refits). */
int  laws_online_new(laws *m, const laws_online_opts *opts, laws_online **out, augur_err *err);
void laws_online_free(laws_online *o);
laws *laws_online_model(laws_online *o);
const laws_trace *laws_online_trace(const laws_online *o);
/* Hand the model to the caller (the learner keeps nothing of it). */
laws *laws_online_take(laws_online *o);

/* Record a transition: count it, flag it when the model found it surprising
** (*logprob gets the log-probability the model gave it; may be NULL), and induce
** and refit when the schedule says so. */
int  laws_observe(laws_online *o, const state *s, int action, const state *next,
                  double *logprob, augur_err *err);
/* Induce and refit now. */
int  laws_refit(laws_online *o, augur_err *err);
size_t laws_online_flagged(const laws_online *o);

/* ---- exploring ---------------------------------------------------------------------------- */

typedef struct laws_explore_opts {
    int      random;                /* the random agent instead of the curious explorer */
    long     steps;                 /* at most this many (one life) */
    uint64_t seed;                  /* the world's and the explorer's */
} laws_explore_opts;

typedef struct laws_explore_report {
    long steps;                     /* taken */
    long died_at;                   /* -1: alive at the end */
    /* What it died with (when it died): its health before the last step, what it
    ** began life with that had run out ("food, drink"), its flags not as they
    ** were at birth ("sleeping") and the kinds of things next to it ("zombie");
    ** "" for none. */
    long health_before;
    char run_out[96], flags[96], beside[96];
    int  nachievements;
    struct { const char *name; long first; long count; } achievements[32];
} laws_explore_report;

/* One life in w (reset with opts->seed), every transition observed by o. */
int laws_explore(world *w, const laws_explore_opts *opts, laws_online *o,
                 laws_explore_report *rep, augur_err *err);

/* ---- evaluating ------------------------------------------------------------------------------ */

typedef struct laws_score {
    double accuracy, mrr, fidelity;
} laws_score;

enum { LAWS_MODEL, LAWS_UNCHANGED, LAWS_VOTE, LAWS_TRUTH, LAWS_NMODELS };
extern const char *const laws_model_names[LAWS_NMODELS];  /* "model", "unchanged", ... */

typedef struct laws_eval_row {
    char  name[48];
    int   deterministic;
    long  observed;                 /* times its mechanic occurred in the life */
    int   transitions;
    laws_score score[LAWS_NMODELS];
} laws_eval_row;

typedef struct laws_eval_opts {
    int      distractors;           /* per transition (10) */
    int      trials;                /* (5) */
    int      transitions;           /* per scenario (30) */
    uint64_t seed;
} laws_eval_opts;

typedef struct laws_eval_report {
    int            n;
    laws_eval_row *rows;
    laws_score     overall[LAWS_NMODELS];
} laws_eval_report;

/* The paper's evaluation on the world's scenario suite: state ranking (the true
** next state, the model's sample and distractors from the seven mutator
** families) and state fidelity, for the model and the baselines. */
int  laws_eval(laws *m, const laws_eval_opts *opts, laws_eval_report *rep, augur_err *err);
void laws_eval_report_free(laws_eval_report *rep);

/* Count, for each scenario of the world's suite, how often its mechanic occurred
** in the trace, into m's life. */
int laws_count_mechanics(laws *m, const laws_trace *t, augur_err *err);

#endif
