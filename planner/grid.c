/*
** grid.c — the grid as a search problem: a state is a cell index.
*/
#include "planner/grid.h"

#include <stdlib.h>
#include <string.h>

const int grid_dx[4] = { -1, 1, 0, 0 }, grid_dy[4] = { 0, 0, -1, 1 };

typedef struct grid_problem {
    const grid_map  *m;
    const grid_goal *g;
} grid_problem;

static int grid_propose(void *ud, const void *st, search_proposal *out, int max)
{
    (void)ud;
    (void)st;
    for (int d = 0; d < 4 && d < max; d++)
        out[d] = (search_proposal){ d, 1 };
    return max < 4 ? max : 4;
}

static int grid_step(void *ud, const void *s, int action, void *next, double *cost)
{
    const grid_problem *p = ud;
    int32_t c;
    int x, y;

    memcpy(&c, s, sizeof c);
    x = c % p->m->w + grid_dx[action];
    y = c / p->m->w + grid_dy[action];
    if (x < 0 || y < 0 || x >= p->m->w || y >= p->m->h || !p->m->cost[y * p->m->w + x])
        return 0;
    c = y * p->m->w + x;
    memcpy(next, &c, sizeof c);
    *cost = p->m->cost[c];
    return 1;
}

static int grid_is_goal(void *ud, const void *s)
{
    const grid_problem *p = ud;
    int32_t c;

    memcpy(&c, s, sizeof c);
    return p->g->mask[c] != 0;
}

static double grid_h(void *ud, const void *s)
{
    const grid_problem *p = ud;
    int32_t c;
    int x, y, best = -1;

    if (p->g->ntargets <= 0 || p->g->ntargets > GRID_TARGETS)
        return 0;
    memcpy(&c, s, sizeof c);
    x = c % p->m->w;
    y = c / p->m->w;
    for (int i = 0; i < p->g->ntargets; i++) {
        int d = abs(p->g->tx[i] - x) + abs(p->g->ty[i] - y);
        best = best < 0 || d < best ? d : best;
    }
    return best;
}

static uint64_t grid_hash(void *ud, const void *s)
{
    int32_t c;

    (void)ud;
    memcpy(&c, s, sizeof c);
    return (uint64_t)(uint32_t)c * 0x9e3779b97f4a7c15ull;
}

static int grid_equal(void *ud, const void *a, const void *b)
{
    (void)ud;
    return memcmp(a, b, sizeof(int32_t)) == 0;
}

static const char *grid_name(void *ud, int action)
{
    static const char *const names[4] = { "left", "right", "up", "down" };

    (void)ud;
    return action >= 0 && action < 4 ? names[action] : NULL;
}

int grid_path(search *s, const grid_map *m, int x, int y, const grid_goal *g,
              const search_opts *o, int *dirs, int max, search_result *res, augur_err *err)
{
    grid_problem gp = { m, g };
    search_proposer prop = { grid_propose, NULL, 0 };
    search_problem p;
    int32_t start;
    int rc;

    if (m->w < 1 || m->h < 1 || x < 0 || y < 0 || x >= m->w || y >= m->h)
        return augur_err_set(err, AUGUR_EINVAL, "grid: the start (%d, %d) is outside the grid",
                             x, y);
    memset(&p, 0, sizeof p);
    p.size = sizeof(int32_t);
    p.ud = &gp;
    p.proposers = &prop;
    p.nproposers = 1;
    p.step = grid_step;
    p.goal = grid_is_goal;
    p.heuristic = grid_h;
    p.hash = grid_hash;
    p.equal = grid_equal;
    p.action_name = grid_name;
    start = y * m->w + x;
    if ((rc = search_run(s, &p, &start, o, res, err)) != AUGUR_OK)
        return rc;
    if (res->len > max)
        return augur_err_set(err, AUGUR_ELIMIT, "grid: the path has %d moves, room for %d",
                             res->len, max);
    memcpy(dirs, res->plan, (size_t)res->len * sizeof *dirs);
    return res->len;
}
