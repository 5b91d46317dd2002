/*
** bench/planner.c — how long the planner takes to decide a Crafter step under the
** default budget of 1 ms, and how fast its A* expands nodes on grid navigation,
** each beside a floor measured in the same run.
**
**     build/bench/planner [DIR] [SEED] [STEPS] [LAWFILE]     (make bench)
**
** Decisions: the Crafter agent plays from the agent's view with laws learned
** online and with the law file LAWFILE (default worlds/laws/crafter.laws.toml,
** the one `augur play --world-model laws:FILE` is scored with), and in the oracle
** mode with the world's clones, STEPS steps each; per decision the wall-clock time
** and this thread's CPU time (the machine is shared: a decision the scheduler
** interrupts shows in the first, not the second). The floor is the world's own
** step. Targets (issue 6): median <= 1 ms, p99 <= 2 ms.
**
** A* on grids: 128 x 128 grids, a quarter walls, cost 1 per cell, random start and
** goal; expansions per second of grid_path (ToolChain* search with Manhattan h)
** beside a bare breadth-first flood of the same grid (cells visited per second).
*/
#include "base/time.h"
#include "bench/bench.h"
#include "planner/agent.h"
#include "planner/grid.h"
#include "worlds/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { ROUNDS = 5, GRID = 128, PATHS = 400 };

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static double percentile(double *s, int n, double p)
{
    if (n <= 0)
        return 0;
    bench_median(s, n);         /* sorts */
    return s[(int)((n - 1) * p)];
}

typedef struct decisions {
    double *wall, *cpu, *world;
    int     n, nworld;
} decisions;

enum bench_mode { MODE_ONLINE, MODE_FILE, MODE_ORACLE, MODE_N };

/* Play steps steps with the planner (episodes from seed on), timing every decision
** and every world step. */
static int bench_play(enum bench_mode mode, const char *law_file, uint64_t seed, int steps,
                      decisions *d)
{
    planner_opts o = planner_opts_default();
    planner_agent *ag;
    world *w;
    augur_err err = { 0 };
    world_step_result r = { 0 };

    o.oracle = mode == MODE_ORACLE;
    o.laws_file = mode == MODE_FILE ? law_file : NULL;
    o.seed = seed;
    if (world_new(&crafter_class, NULL, seed, &w, &err) != AUGUR_OK ||
        planner_agent_new(&crafter_class, &o, &ag, &err) != AUGUR_OK ||
        planner_agent_reset(ag, w, &err) != AUGUR_OK) {
        fprintf(stderr, "bench/planner: %s\n", err.msg);
        return -1;
    }
    for (d->n = d->nworld = 0; d->n < steps;) {
        double c0 = cpu_us();
        uint64_t t0 = time_mono_ns();
        int a;
        if (planner_agent_act(ag, w, &a, &err) != AUGUR_OK)
            break;
        d->wall[d->n] = (double)(time_mono_ns() - t0) / 1e3;
        d->cpu[d->n++] = cpu_us() - c0;
        memset(&r, 0, sizeof r);
        t0 = time_mono_ns();
        world_step(w, a, &r, &err);
        d->world[d->nworld++] = (double)(time_mono_ns() - t0) / 1e3;
        if (planner_agent_observe(ag, w, a, &r, &err) != AUGUR_OK ||
            planner_agent_idle(ag, &err) != AUGUR_OK)
            break;
        if (r.done && (world_reset(w, ++seed, &err) != AUGUR_OK ||
                       planner_agent_reset(ag, w, &err) != AUGUR_OK))
            break;
    }
    planner_agent_free(ag);
    world_free(w);
    return 0;
}

static void bench_decisions(uint64_t seed, int steps, const char *law_file)
{
    decisions d;
    static const char *const modes[MODE_N] = { "agent view, laws learned online",
                                               "agent view, the law file", "oracle, world clones" };

    d.wall = calloc((size_t)steps, sizeof *d.wall);
    d.cpu = calloc((size_t)steps, sizeof *d.cpu);
    d.world = calloc((size_t)steps, sizeof *d.world);
    if (!d.wall || !d.cpu || !d.world)
        return;
    printf("decision time per Crafter step, budget 1000 us, %d steps each:\n", steps);
    for (int mode = 0; mode < MODE_N; mode++) {
        double wall_med, wall_p99, cpu_med, cpu_p99, world_med;
        if (bench_play((enum bench_mode)mode, law_file, seed, steps, &d) != 0)
            continue;
        wall_p99 = percentile(d.wall, d.n, 0.99);
        wall_med = percentile(d.wall, d.n, 0.5);
        cpu_p99 = percentile(d.cpu, d.n, 0.99);
        cpu_med = percentile(d.cpu, d.n, 0.5);
        world_med = bench_median(d.world, d.nworld);
        printf("  %-33s wall median %7.1f us  p99 %7.1f us   cpu median %7.1f us  p99 %7.1f us"
               "   targets (median <= 1000, p99 <= 2000): %s\n", modes[mode], wall_med, wall_p99,
               cpu_med, cpu_p99,
               wall_med <= 1000 && wall_p99 <= 2000 ? "met" : cpu_med <= 1000 && cpu_p99 <= 2000
               ? "met in CPU time" : "NOT met");
        printf("  %-33s the world's own step: median %.2f us (%.0fx less than a decision)\n", "",
               world_med, world_med > 0 ? wall_med / world_med : 0);
    }
    free(d.wall);
    free(d.cpu);
    free(d.world);
}

/* ---- A* on grids ------------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Cells a breadth-first flood from start visits: the floor of any grid search. */
static long bench_flood(const uint8_t *cost, int start, int *queue, uint8_t *seen)
{
    long head = 0, tail = 0;

    memset(seen, 0, GRID * GRID);
    queue[tail++] = start;
    seen[start] = 1;
    while (head < tail) {
        int c = queue[head++], x = c % GRID, y = c / GRID;
        for (int d = 0; d < 4; d++) {
            int nx = x + grid_dx[d], ny = y + grid_dy[d], n = ny * GRID + nx;
            if (nx < 0 || ny < 0 || nx >= GRID || ny >= GRID || !cost[n] || seen[n])
                continue;
            seen[n] = 1;
            queue[tail++] = n;
        }
    }
    return tail;
}

static void bench_grid(uint64_t seed)
{
    static uint8_t cost[GRID * GRID], mask[GRID * GRID], seen[GRID * GRID];
    static int queue[GRID * GRID], dirs[GRID * GRID];
    double astar[ROUNDS], flood[ROUNDS];
    search *s;
    search_opts o = search_opts_default();
    long found = 0, total = 0;

    if (search_new(&s, NULL) != AUGUR_OK)
        return;
    o.max_depth = GRID * GRID;
    for (int round = 0; round < ROUNDS; round++) {
        long expanded = 0, visited = 0;
        uint64_t ns = 0, fns = 0;
        for (int i = 0; i < GRID * GRID; i++)
            cost[i] = rng_next(&seed) % 4 != 0;
        for (int k = 0; k < PATHS; k++) {
            int start = (int)(rng_next(&seed) % (GRID * GRID));
            int goal = (int)(rng_next(&seed) % (GRID * GRID)), tx = goal % GRID, ty = goal / GRID;
            grid_map m = { GRID, GRID, cost };
            grid_goal g = { mask, 1, &tx, &ty };
            search_result r;
            uint64_t t0;
            cost[start] = cost[goal] = 1;
            mask[goal] = 1;
            t0 = time_mono_ns();
            grid_path(s, &m, start % GRID, start / GRID, &g, &o, dirs, GRID * GRID, &r, NULL);
            ns += time_mono_ns() - t0;
            mask[goal] = 0;
            expanded += r.expanded;
            found += r.status == SEARCH_FOUND;
            total++;
            t0 = time_mono_ns();
            visited += bench_flood(cost, start, queue, seen);
            fns += time_mono_ns() - t0;
        }
        astar[round] = (double)expanded / ((double)ns * 1e-9);
        flood[round] = (double)visited / ((double)fns * 1e-9);
    }
    {
        double a = bench_median(astar, ROUNDS), f = bench_median(flood, ROUNDS);
        printf("A* on %dx%d grids (a quarter walls), %d paths a round, %ld of %ld reached "
               "(medians of %d rounds):\n", GRID, GRID, PATHS, found, total, ROUNDS);
        printf("  ToolChain* A* (grid_path)        %10.0f expansions/s\n", a);
        printf("  breadth-first flood (the floor)  %10.0f cells/s       A* runs at %.2fx it\n", f,
               f > 0 ? a / f : 0);
    }
    search_free(s);
}

int main(int argc, char **argv)
{
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 1;
    int steps = argc > 3 ? atoi(argv[3]) : 3000;
    const char *law_file = argc > 4 ? argv[4] : "worlds/laws/crafter.laws.toml";

    bench_decisions(seed, steps > 0 ? steps : 3000, law_file);
    bench_grid(seed);
    return 0;
}
