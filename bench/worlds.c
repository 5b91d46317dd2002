/*
** bench/worlds.c — how fast Crafter runs and how small it is, beside the floors
** measured in the same run: a bare copy and hash of the same bytes for clone +
** hash, and the random agent's own loop without the world for steps.
**
**     build/bench/worlds [DIR] [SEED]     (make bench)
**
** Targets (issue 4): >= 200,000 steps per second on one core (symbolic, no
** rendering), clone + hash median <= 5 us, state memory <= 64 KB.
*/
#include "base/time.h"
#include "bench/bench.h"
#include "worlds/crafter/crafter.h"
#include "worlds/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROUNDS = 5, STEPS = 100000, CLONES = 2000 };

static uint64_t bench_rng;

static int bench_action(void)
{
    bench_rng = bench_rng * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((bench_rng >> 33) % CR_NACTIONS);
}

/* Seconds for STEPS random steps, resets (new worlds) not counted; *resets gets
** the median seconds per reset. */
static double bench_steps(world *w, uint64_t seed, double *resets)
{
    double reset_s[64];
    int nresets = 0, done = 0;
    uint64_t t0 = 0, spent = 0;

    for (int n = 0; n < STEPS; n++) {
        world_step_result r;
        if (done) {
            uint64_t r0 = time_mono_ns();
            world_reset(w, seed++, NULL);
            if (nresets < 64)
                reset_s[nresets++] = (double)(time_mono_ns() - r0) * 1e-9;
            done = 0;
        }
        t0 = time_mono_ns();
        world_step(w, bench_action(), &r, NULL);
        spent += time_mono_ns() - t0;
        done = r.done;
    }
    *resets = nresets ? bench_median(reset_s, nresets) : 0;
    return (double)spent * 1e-9;
}

/* The same loop's timer and action choice, without the world: its floor. */
static double bench_loop(void)
{
    uint64_t spent = 0, sink = 0;

    for (int n = 0; n < STEPS; n++) {
        uint64_t t0 = time_mono_ns();
        sink += (uint64_t)bench_action();
        spent += time_mono_ns() - t0;
    }
    return (double)(spent + (sink & 1)) * 1e-9;
}

/* Median nanoseconds for one world_clone + world_hash (and world_free, untimed). */
static double bench_clone(const world *w)
{
    double s[CLONES];
    uint64_t sink = 0;

    for (int i = 0; i < CLONES; i++) {
        world *c;
        uint64_t t0 = time_mono_ns();
        world_clone(w, &c, NULL);
        sink += world_hash(c);
        s[i] = (double)(time_mono_ns() - t0);
        world_free(c);
    }
    return bench_median(s, CLONES) + (double)(sink & 0);
}

/* The floor: copying the same bytes into fresh memory and hashing them. */
static double bench_copy(const crafter *c)
{
    double s[CLONES];
    size_t objs = (size_t)c->nobj * sizeof *c->objs;
    uint64_t sink = 0;

    for (int i = 0; i < CLONES; i++) {
        uint64_t t0 = time_mono_ns();
        crafter *d = malloc(sizeof *d);
        cr_obj *o = malloc(objs + 16 * sizeof *o);
        memcpy(d, c, sizeof *d);
        memcpy(o, c->objs, objs);
        sink += state_hash_bytes(d->mat, sizeof d->mat, 0) + state_hash_bytes(o, objs, 0) +
                state_hash_bytes(&d->pl, sizeof d->pl, 0);
        s[i] = (double)(time_mono_ns() - t0);
        free(o);
        free(d);
    }
    return bench_median(s, CLONES) + (double)(sink & 0);
}

/* Median nanoseconds for state_clone + state_hash of s. */
static double bench_state_clone(const state *s)
{
    double t[CLONES];
    uint64_t sink = 0;

    for (int i = 0; i < CLONES; i++) {
        uint64_t t0 = time_mono_ns();
        state *c = state_clone(s);
        sink += state_hash(c);
        t[i] = (double)(time_mono_ns() - t0);
        state_free(c);
    }
    return bench_median(t, CLONES) + (double)(sink & 0);
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    double step_s[ROUNDS], loop_s[ROUNDS], reset_s[ROUNDS], steps, loop, reset;
    double clone_ns, copy_ns, agent_ns, oracle_ns;
    state *agent = state_new(), *oracle = state_new();
    world *w;
    crafter *c;
    size_t bytes;

    (void)argv;
    bench_rng = seed * 2 + 1;
    if (world_new(&crafter_class, NULL, seed, &w, NULL) != AUGUR_OK || !agent || !oracle) {
        fprintf(stderr, "bench: cannot make a Crafter world\n");
        return 1;
    }
    for (int r = 0; r < ROUNDS; r++) {
        step_s[r] = bench_steps(w, seed + 1000 * (uint64_t)(r + 1), &reset_s[r]);
        loop_s[r] = bench_loop();
    }
    steps = bench_median(step_s, ROUNDS);
    loop = bench_median(loop_s, ROUNDS);
    reset = bench_median(reset_s, ROUNDS);

    /* A world in mid-episode: generated, then 100 steps in. */
    world_reset(w, seed, NULL);
    for (int i = 0; i < 100; i++) {
        world_step_result r;
        if (world_step(w, bench_action(), &r, NULL) != AUGUR_OK || r.done)
            world_reset(w, ++seed, NULL);
    }
    c = (crafter *)w;
    clone_ns = bench_clone(w);
    copy_ns = bench_copy(c);
    world_observe(w, agent, NULL);
    world_observe_oracle(w, oracle, NULL);
    agent_ns = bench_state_clone(agent);
    oracle_ns = bench_state_clone(oracle);
    bytes = sizeof *c + (size_t)c->cap * sizeof *c->objs;

    printf("worlds: Crafter, uniform random agent, seed %llu (medians of %d rounds)\n",
           (unsigned long long)seed, ROUNDS);
    printf("  %-34s %12.0f steps/s   target >= 200000: %s\n", "step (symbolic, no rendering)",
           STEPS / steps, STEPS / steps >= 200000 ? "met" : "NOT met");
    printf("  %-34s %12.0f steps/s   the loop without the world; a step costs %.0f ns over it\n",
           "floor: timer + action choice", STEPS / loop, (steps - loop) / STEPS * 1e9);
    printf("  %-34s %12.0f us        (world generation, not in the step rate)\n",
           "reset", reset * 1e6);
    printf("  %-34s %12.0f ns        target <= 5000: %s\n", "world clone + hash", clone_ns,
           clone_ns <= 5000 ? "met" : "NOT met");
    printf("  %-34s %12.0f ns        clone + hash is %.2fx the floor\n",
           "floor: malloc + memcpy + hash", copy_ns, clone_ns / copy_ns);
    printf("  %-34s %12zu bytes    target <= 65536: %s (%d objects)\n", "world state memory",
           bytes, bytes <= 65536 ? "met" : "NOT met", c->nobj);
    printf("  %-34s %12.0f ns        %zu bytes, %zu entities\n", "agent view state clone + hash",
           agent_ns, state_memory(agent), state_entity_count(agent));
    printf("  %-34s %12.0f ns        %zu bytes, %zu entities\n", "oracle state clone + hash",
           oracle_ns, state_memory(oracle), state_entity_count(oracle));
    state_free(agent);
    state_free(oracle);
    world_free(w);
    return 0;
}
