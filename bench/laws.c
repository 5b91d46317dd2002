/*
** bench/laws.c — how fast a learned Crafter law model predicts and samples,
** beside the true simulator's step rate measured in the same run.
**
**     build/bench/laws [DIR] [LAWFILE] [SEED]     (make bench)
**
** LAWFILE defaults to worlds/laws/crafter.laws.toml (learned by `augur laws
** learn`). The states come from random play, both as the agent sees them (its
** view: what a planner rolls out from) and in full (the whole map, every
** creature, as the paper's evaluation uses); each transition is one laws_sample
** (predict the distributions, draw a next state into a reused state) for a random
** action. The simulator steps with random actions too, resets not counted.
**
** Target (issue 5): >= 200,000 predict+sample transitions per second on one core
** with declarative laws.
*/
#include "base/time.h"
#include "bench/bench.h"
#include "worlds/crafter/crafter.h"
#include "worlds/laws/laws.h"
#include "worlds/world.h"

#include <stdio.h>
#include <stdlib.h>

enum { ROUNDS = 5, STATES = 256, SAMPLES = 100000, STEPS = 100000 };

static uint64_t bench_rng;

static int bench_action(void)
{
    bench_rng = bench_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((bench_rng >> 33) % CR_NACTIONS);
}

/* STATES states from random play, a few steps apart, across episodes: the full
** (oracle) state, or the agent's view (oracle 0). */
static int bench_states(world *w, uint64_t seed, int oracle, state **pool)
{
    world_reset(w, seed, NULL);
    for (int i = 0; i < STATES; i++) {
        for (int k = 0; k < 7; k++) {
            world_step_result r;
            if (world_step(w, bench_action(), &r, NULL) != AUGUR_OK)
                return -1;
            if (r.done)
                world_reset(w, ++seed, NULL);
        }
        if (!(pool[i] = state_new()) ||
            (oracle ? world_observe_oracle(w, pool[i], NULL) : world_observe(w, pool[i], NULL)) !=
                AUGUR_OK)
            return -1;
    }
    return 0;
}

/* Seconds for SAMPLES laws_sample calls over the pool. */
static double bench_sample(laws *m, state **pool, state *out, uint64_t *rng, long *failed)
{
    uint64_t t0 = time_mono_ns();

    for (int n = 0; n < SAMPLES; n++)
        if (laws_sample(m, pool[n % STATES], bench_action(), rng, out, NULL) != AUGUR_OK)
            (*failed)++;
    return (double)(time_mono_ns() - t0) * 1e-9;
}

/* Seconds for SAMPLES laws_logprob calls (the state against itself: nothing changed). */
static double bench_logprob(laws *m, state **pool, long *failed)
{
    uint64_t t0 = time_mono_ns();
    double lp;

    for (int n = 0; n < SAMPLES; n++)
        if (laws_logprob(m, pool[n % STATES], bench_action(), pool[n % STATES], &lp, NULL) !=
            AUGUR_OK)
            (*failed)++;
    return (double)(time_mono_ns() - t0) * 1e-9;
}

/* Seconds for STEPS true simulator steps, resets not counted. */
static double bench_steps(world *w, uint64_t seed)
{
    uint64_t spent = 0;
    int done = 0;

    world_reset(w, seed, NULL);
    for (int n = 0; n < STEPS; n++) {
        world_step_result r;
        uint64_t t0;
        if (done) {
            world_reset(w, ++seed, NULL);
            done = 0;
        }
        t0 = time_mono_ns();
        world_step(w, bench_action(), &r, NULL);
        spent += time_mono_ns() - t0;
        done = r.done;
    }
    return (double)spent * 1e-9;
}

/* Medians of ROUNDS rounds of sample and logprob over a pool; entities per state. */
static void bench_pool(laws *m, state **pool, state *out, uint64_t *rng, long *failed,
                       double *sample, double *logprob, double *ents)
{
    double sample_s[ROUNDS], logprob_s[ROUNDS];
    size_t n = 0;

    for (int r = 0; r < ROUNDS; r++) {
        sample_s[r] = bench_sample(m, pool, out, rng, failed);
        logprob_s[r] = bench_logprob(m, pool, failed);
    }
    for (int i = 0; i < STATES; i++)
        n += state_entity_count(pool[i]);
    *sample = bench_median(sample_s, ROUNDS);
    *logprob = bench_median(logprob_s, ROUNDS);
    *ents = (double)n / STATES;
}

int main(int argc, char **argv)
{
    const char *path = argc > 2 ? argv[2] : "worlds/laws/crafter.laws.toml";
    uint64_t seed = argc > 3 ? strtoull(argv[3], NULL, 10) : 1, rng = seed;
    double step_s[ROUNDS], sample[2], logprob[2], ents[2], steps;
    state *pool[2][STATES] = { { 0 } }, *out = state_new();
    static const char *const what[2] = { "the agent's view", "the full state" };
    long failed = 0;
    augur_err err = { 0 };
    laws *m;
    world *w;

    bench_rng = seed * 2 + 1;
    if (laws_load(path, &crafter_class, &m, &err) != AUGUR_OK) {
        fprintf(stderr, "bench: %s\n", err.msg);
        return 1;
    }
    if (world_new(&crafter_class, NULL, seed, &w, NULL) != AUGUR_OK || !out ||
        bench_states(w, seed, 0, pool[0]) != 0 || bench_states(w, seed, 1, pool[1]) != 0) {
        fprintf(stderr, "bench: cannot make Crafter states\n");
        return 1;
    }
    for (int k = 0; k < 2; k++)
        bench_pool(m, pool[k], out, &rng, &failed, &sample[k], &logprob[k], &ents[k]);
    for (int r = 0; r < ROUNDS; r++)
        step_s[r] = bench_steps(w, seed + 1000 * (uint64_t)(r + 1));
    steps = bench_median(step_s, ROUNDS);

    printf("laws: %s, %zu laws, %d Crafter states from random play, seed %llu (medians of %d "
           "rounds)\n", path, laws_count(m), STATES, (unsigned long long)seed, ROUNDS);
    for (int k = 0; k < 2; k++) {
        printf("  predict + sample, %-17s %10.0f transitions/s   target >= 200000: %s (%.1f "
               "entities a state)\n", what[k], SAMPLES / sample[k],
               SAMPLES / sample[k] >= 200000 ? "met" : "NOT met", ents[k]);
        printf("  logprob, %-26s %10.0f transitions/s\n", what[k], SAMPLES / logprob[k]);
    }
    printf("  %-35s %10.0f steps/s         the model on the full state runs at %.2fx it\n",
           "true simulator step", STEPS / steps, (SAMPLES / sample[1]) / (STEPS / steps));
    if (failed)
        printf("  %ld calls failed\n", failed);
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < STATES; i++)
            state_free(pool[k][i]);
    state_free(out);
    laws_free(m);
    world_free(w);
    return failed ? 1 : 0;
}
