/* test_planner.c — the planner's parts on problems whose answers are known: A*
** optimality on grids and the keys world (against breadth-first search), budgets
** and anytime answers, the self-consistency and LCS memory terms, GOAP plans,
** WiA rollout scoring, D-PoT repair against replanning, the general agent. */
#include "test.h"

#include "agent/config.h"
#include "agent/sandbox_conf.h"
#include "planner/agent.h"
#include "planner/dpot.h"
#include "planner/goap.h"
#include "planner/grid.h"
#include "planner/macro.h"
#include "planner/memory.h"
#include "planner/rollout.h"
#include "planner/search.h"
#include "planner/sim.h"
#include "worlds/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { W = 24, H = 18 };

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* A grid with about a quarter of its cells walls; (0, 0) always open. */
static void random_grid(uint64_t seed, uint8_t *cost)
{
    for (int i = 0; i < W * H; i++)
        cost[i] = rng_next(&seed) % 4 == 0 ? 0 : (uint8_t)(1 + rng_next(&seed) % 3);
    cost[0] = 1;
}

/* The cheapest cost from (0, 0) to every cell, by Dijkstra's simple O(n^2) form. */
static void dijkstra(const uint8_t *cost, int *dist)
{
    int done[W * H] = { 0 };

    for (int i = 0; i < W * H; i++)
        dist[i] = -1;
    dist[0] = 0;
    for (;;) {
        int u = -1;
        for (int i = 0; i < W * H; i++)
            if (!done[i] && dist[i] >= 0 && (u < 0 || dist[i] < dist[u]))
                u = i;
        if (u < 0)
            return;
        done[u] = 1;
        for (int d = 0; d < 4; d++) {
            int x = u % W + grid_dx[d], y = u / W + grid_dy[d], v = y * W + x;
            if (x < 0 || y < 0 || x >= W || y >= H || !cost[v])
                continue;
            if (dist[v] < 0 || dist[u] + cost[v] < dist[v])
                dist[v] = dist[u] + cost[v];
        }
    }
}

/* A* on weighted grids finds the cheapest path to every reachable cell. */
static void test_grid_optimal(void **st)
{
    uint8_t cost[W * H], mask[W * H];
    int dist[W * H], dirs[W * H], tx, ty, checked = 0;
    search *s;
    search_opts o = search_opts_default();

    (void)st;
    assert_int_equal(search_new(&s, NULL), AUGUR_OK);
    o.max_depth = W * H;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        random_grid(seed, cost);
        dijkstra(cost, dist);
        for (int goal = W * H - 1; goal > 0; goal -= 37) {
            grid_map m = { W, H, cost };
            grid_goal g = { mask, 1, &tx, &ty };
            search_result r;
            int n, total = 0, x = 0, y = 0;
            memset(mask, 0, sizeof mask);
            mask[goal] = 1;
            tx = goal % W;
            ty = goal / W;
            n = grid_path(s, &m, 0, 0, &g, &o, dirs, W * H, &r, NULL);
            if (dist[goal] < 0) {
                assert_int_equal(r.status, SEARCH_EXHAUSTED);
                continue;
            }
            assert_int_equal(r.status, SEARCH_FOUND);
            for (int i = 0; i < n; i++) {
                x += grid_dx[dirs[i]];
                y += grid_dy[dirs[i]];
                total += cost[y * W + x];
            }
            assert_int_equal(y * W + x, goal);
            assert_int_equal(total, dist[goal]);
            assert_int_equal((int)r.action_cost, dist[goal]);
            checked++;
        }
    }
    assert_true(checked > 20);
    search_free(s);
}

/* ---- the keys world: A* over clones against breadth-first search ------------------------ */

typedef struct kstate {
    world *w;
    int    done;
} kstate;

static int k_propose(void *ud, const void *st, search_proposal *out, int max)
{
    const kstate *k = st;
    unsigned char legal[8];
    int n = 0;

    (void)ud;
    world_legal(k->w, legal);
    for (int a = 1; a < 5 && n < max; a++)
        if (legal[a])
            out[n++] = (search_proposal){ a, 1 };
    return n;
}

static int k_step(void *ud, const void *sv, int action, void *nv, double *cost)
{
    const kstate *s = sv;
    kstate *n = nv;
    world_step_result r;

    (void)ud;
    memset(&r, 0, sizeof r);
    if (s->done || world_clone(s->w, &n->w, NULL) != AUGUR_OK)
        return 0;
    assert_int_equal(world_step(n->w, action, &r, NULL), AUGUR_OK);
    n->done = r.done;
    *cost = 1;
    return 1;
}

static double k_h(void *ud, const void *st)
{
    (void)ud;
    return world_distance(((const kstate *)st)->w);
}

static int k_goal(void *ud, const void *st)
{
    (void)ud;
    return ((const kstate *)st)->done;
}

static uint64_t k_hash(void *ud, const void *st)
{
    (void)ud;
    return world_hash(((const kstate *)st)->w);
}

static int k_equal(void *ud, const void *a, const void *b)
{
    (void)ud;
    return world_hash(((const kstate *)a)->w) == world_hash(((const kstate *)b)->w);
}

static void k_release(void *ud, void *st)
{
    (void)ud;
    world_free(((kstate *)st)->w);
}

/* The fewest moves that open both chests, by breadth-first search over clones. */
static int keys_bfs(void)
{
    enum { MAX = 20000 };
    world **queue = calloc(MAX, sizeof *queue);
    uint64_t *seen = calloc(MAX, sizeof *seen);
    int *depth = calloc(MAX, sizeof *depth), head = 0, tail = 0, nseen = 0, answer = -1;

    assert_int_equal(world_new(&keys_class, NULL, 0, &queue[tail], NULL), AUGUR_OK);
    seen[nseen++] = world_hash(queue[tail]);
    depth[tail++] = 0;
    while (head < tail && answer < 0) {
        world *w = queue[head];
        unsigned char legal[8];
        world_legal(w, legal);
        for (int a = 1; a < 5 && answer < 0; a++) {
            world *c;
            world_step_result r;
            uint64_t h;
            int known = 0;
            if (!legal[a])
                continue;
            memset(&r, 0, sizeof r);
            assert_int_equal(world_clone(w, &c, NULL), AUGUR_OK);
            world_step(c, a, &r, NULL);
            if (r.done) {
                answer = depth[head] + 1;
                world_free(c);
                break;
            }
            h = world_hash(c);
            for (int i = 0; i < nseen && !known; i++)
                known = seen[i] == h;
            if (known || tail >= MAX) {
                world_free(c);
                continue;
            }
            seen[nseen++] = h;
            depth[tail] = depth[head] + 1;
            queue[tail++] = c;
        }
        head++;
    }
    for (int i = 0; i < tail; i++)
        world_free(queue[i]);
    free(queue);
    free(seen);
    free(depth);
    return answer;
}

static search_problem keys_problem(search_proposer *prop)
{
    search_problem p;

    memset(&p, 0, sizeof p);
    prop->propose = k_propose;
    prop->ud = NULL;
    prop->model = 0;
    p.size = sizeof(kstate);
    p.proposers = prop;
    p.nproposers = 1;
    p.step = k_step;
    p.goal = k_goal;
    p.hash = k_hash;
    p.equal = k_equal;
    p.release = k_release;
    return p;
}

static void test_keys_optimal(void **st)
{
    search_proposer prop;
    search_problem p = keys_problem(&prop);
    search_opts o = search_opts_default();
    search_result r;
    kstate start = { NULL, 0 };
    search *s;
    world *w;
    world_step_result res = { 0 };
    int best = keys_bfs();
    long expanded;

    (void)st;
    assert_true(best > 0 && best <= 27);
    assert_int_equal(search_new(&s, NULL), AUGUR_OK);
    assert_int_equal(world_new(&keys_class, NULL, 0, &start.w, NULL), AUGUR_OK);
    assert_int_equal(search_run(s, &p, &start, &o, &r, NULL), AUGUR_OK);
    assert_int_equal(r.status, SEARCH_FOUND);
    assert_int_equal(r.len, best);
    /* The plan does what it says in the real world. */
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    for (int i = 0; i < r.len; i++)
        assert_int_equal(world_step(w, r.plan[i], &res, NULL), AUGUR_OK);
    assert_true(res.done);
    assert_true(world_distance(w) == 0);
    world_free(w);
    /* With the world's goal distance as h (the nearest closed chest, 4 steps
    ** away, and one step for the other): the same optimal plan, fewer nodes. */
    expanded = r.expanded;
    p.heuristic = k_h;
    assert_int_equal(world_new(&keys_class, NULL, 0, &start.w, NULL), AUGUR_OK);
    assert_true(world_distance(start.w) == 5);
    assert_int_equal(search_run(s, &p, &start, &o, &r, NULL), AUGUR_OK);
    assert_int_equal(r.status, SEARCH_FOUND);
    assert_int_equal(r.len, best);
    assert_true(r.expanded < expanded);
    search_free(s);
}

/* ---- budgets and anytime answers --------------------------------------------------------- */

static void test_budgets_anytime(void **st)
{
    uint8_t cost[64 * 64], mask[64 * 64] = { 0 };
    int dirs[4096], tx = 63, ty = 63, n;
    grid_map m = { 64, 64, cost };
    grid_goal g = { mask, 1, &tx, &ty };
    search_opts o = search_opts_default();
    search_result r;
    search *s;
    buf dot = BUF_INIT;

    (void)st;
    memset(cost, 1, sizeof cost);
    mask[63 * 64 + 63] = 1;
    assert_int_equal(search_new(&s, NULL), AUGUR_OK);
    o.max_depth = 4096;
    o.max_nodes = 20;
    n = grid_path(s, &m, 0, 0, &g, &o, dirs, 4096, &r, NULL);
    assert_int_equal(r.status, SEARCH_PARTIAL);
    assert_string_equal(r.stop, "nodes");
    assert_int_equal(r.expanded, 20);
    /* The best node reached so far: the plan leads nearer the goal than the start. */
    assert_true(n > 0);
    {
        int x = 0, y = 0;
        for (int i = 0; i < n; i++) {
            x += grid_dx[dirs[i]];
            y += grid_dy[dirs[i]];
        }
        assert_true(126 - x - y < 126);
    }
    assert_int_equal(search_dot(s, 100, &dot), AUGUR_OK);
    assert_contains(buf_str(&dot), "digraph search");
    assert_contains(buf_str(&dot), "f=");
    assert_contains(buf_str(&dot), "fillcolor");
    buf_free(&dot);
    o.max_nodes = 0;
    o.max_us = 1;
    memset(cost + 10 * 64, 0, 64);      /* a wall: the goal cannot be reached */
    grid_path(s, &m, 0, 0, &g, &o, dirs, 4096, &r, NULL);
    assert_true(r.status == SEARCH_PARTIAL || r.status == SEARCH_EXHAUSTED);
    if (r.status == SEARCH_PARTIAL)
        assert_string_equal(r.stop, "time");
    o.max_us = 0;
    grid_path(s, &m, 0, 0, &g, &o, dirs, 4096, &r, NULL);
    assert_int_equal(r.status, SEARCH_EXHAUSTED);
    assert_int_equal(r.expanded, 640);
    /* A start outside the grid is refused. */
    assert_int_equal(grid_path(s, &m, 64, 0, &g, &o, dirs, 4096, &r, NULL), AUGUR_EINVAL);
    search_free(s);
}

/* ---- self-consistency and model proposals ---------------------------------------------- */

/* A line of cells 0..4; actions 1 (+1) and 2 (+1, the same cost): which one the
** plan uses is decided by the proposals' agreement alone. */
static int line_step(void *ud, const void *s, int action, void *next, double *cost)
{
    int v;

    (void)ud;
    memcpy(&v, s, sizeof v);
    if (v >= 4)
        return 0;
    v += action == 1 || action == 2;
    memcpy(next, &v, sizeof v);
    *cost = 1;
    return 1;
}

static int line_goal(void *ud, const void *s)
{
    int v;

    (void)ud;
    memcpy(&v, s, sizeof v);
    return v == 4;
}

/* A model that samples k = 5 proposals: action 2 three times, action 1 twice. */
static int model_propose(void *ud, const void *s, search_proposal *out, int max)
{
    static const int samples[5] = { 2, 1, 2, 2, 1 };

    (void)ud;
    (void)s;
    for (int i = 0; i < 5 && i < max; i++)
        out[i] = (search_proposal){ samples[i], 1 };
    return 5;
}

static void test_consistency_and_model_budget(void **st)
{
    search_proposer model = { model_propose, NULL, 1 };
    search_problem p;
    search_opts o = search_opts_default();
    search_result r;
    search *s;
    int start = 0;

    (void)st;
    memset(&p, 0, sizeof p);
    p.size = sizeof(int);
    p.proposers = &model;
    p.nproposers = 1;
    p.step = line_step;
    p.goal = line_goal;
    assert_int_equal(search_new(&s, NULL), AUGUR_OK);
    o.w_consistency = 1;
    assert_int_equal(search_run(s, &p, &start, &o, &r, NULL), AUGUR_OK);
    assert_int_equal(r.status, SEARCH_FOUND);
    assert_int_equal(r.len, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(r.plan[i], 2);
    assert_true(r.cost > 3.99 && r.cost < 4.01);
    assert_int_equal(r.model_calls, 4);
    /* Two model calls allowed: the search stops short and says why. */
    o.max_model_calls = 2;
    assert_int_equal(search_run(s, &p, &start, &o, &r, NULL), AUGUR_OK);
    assert_int_equal(r.status, SEARCH_PARTIAL);
    assert_string_equal(r.stop, "model calls");
    assert_int_equal(r.len, 2);
    search_free(s);
}

/* ---- the plan memory ----------------------------------------------------------------- */

static void test_lcs_memory(void **st)
{
    static const int a[] = { 1, 2, 3, 4, 5 }, b[] = { 2, 4, 5, 6 }, c[] = { 9, 9 };
    static const int plan1[] = { 7, 8, 9 }, plan2[] = { 7, 3, 9 };
    char *dir = test_tmpdir(), path[512];
    plan_memory *m;
    long count;
    int next[4];

    (void)st;
    assert_int_equal(plan_lcs(a, 5, b, 4), 3);
    assert_int_equal(plan_lcs(a, 5, c, 2), 0);
    assert_int_equal(plan_lcs(a, 0, b, 4), 0);
    snprintf(path, sizeof path, "%s/plans.sqlite", dir);
    assert_int_equal(plan_memory_open(path, "crafter", &m, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_store(m, "make_wood_pickaxe", plan1, 3, 3, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_store(m, "make_wood_pickaxe", plan1, 3, 3, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_store(m, "collect_diamond", plan2, 3, 3, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_flush(m, &count, NULL), AUGUR_OK);
    assert_int_equal(count, 2);
    plan_memory_close(m);
    /* Reopened: the plans are recalled for the same goal and similar ones only. */
    assert_int_equal(plan_memory_open(path, "crafter", &m, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_recall(m, "make_wood_pickaxe", NULL), AUGUR_OK);
    assert_int_equal(plan_memory_recalled(m), 1);
    assert_true(plan_memory_match(m, (const int[]){ 7, 8 }, 2) > 0.99);
    assert_true(plan_memory_match(m, (const int[]){ 7, 3 }, 2) > 0.49);
    assert_true(plan_memory_match(m, (const int[]){ 7, 3 }, 2) < 0.51);
    assert_int_equal(plan_memory_next(m, (const int[]){ 7 }, 1, next, 4), 1);
    assert_int_equal(next[0], 8);
    assert_int_equal(plan_memory_recall(m, "make_wood_pickaxes", NULL), AUGUR_OK);
    assert_int_equal(plan_memory_recalled(m), 1);
    assert_int_equal(plan_memory_recall(m, "place_table", NULL), AUGUR_OK);
    assert_int_equal(plan_memory_recalled(m), 0);
    assert_true(plan_memory_match(m, plan1, 3) == 0);
    assert_int_equal(plan_memory_store(m, "", plan1, 3, 3, NULL), AUGUR_EINVAL);
    plan_memory_close(m);
    /* Another world's plans are not recalled. */
    assert_int_equal(plan_memory_open(path, "keys", &m, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_recall(m, "make_wood_pickaxe", NULL), AUGUR_OK);
    assert_int_equal(plan_memory_recalled(m), 0);
    plan_memory_close(m);
    test_rmtree(dir);
    free(dir);
}

/* ---- GOAP: a small technology tree ------------------------------------------------------ */

enum { WOOD, TABLE, PICK, STONE, NF };
static const char *const facts[NF] = { "wood", "table", "pick", "stone" };

static goap_domain tree_domain(enum goap_h h)
{
    goap_domain d;

    memset(&d, 0, sizeof d);
    d.nfacts = NF;
    d.facts = facts;
    d.heuristic = h;
    d.nactions = 5;
    d.actions[0] = (goap_action){ "chop", 2, 0, 1, { { 0, 0 } }, { { WOOD, GOAP_ADD, 1 } } };
    d.actions[1] = (goap_action){ "table", 1, 1, 2, { { WOOD, 2 } },
                                  { { WOOD, GOAP_ADD, -2 }, { TABLE, GOAP_SET, 1 } } };
    d.actions[2] = (goap_action){ "pick", 1, 2, 2, { { TABLE, 1 }, { WOOD, 1 } },
                                  { { WOOD, GOAP_ADD, -1 }, { PICK, GOAP_ADD, 1 } } };
    d.actions[3] = (goap_action){ "mine", 3, 1, 1, { { PICK, 1 } }, { { STONE, GOAP_ADD, 1 } } };
    /* A dearer way to a table: buying one. */
    d.actions[4] = (goap_action){ "buy_table", 9, 0, 1, { { 0, 0 } }, { { TABLE, GOAP_SET, 1 } } };
    return d;
}

static void test_goap_plans(void **st)
{
    goap_domain none = tree_domain(GOAP_H_NONE), hmax = tree_domain(GOAP_H_MAX);
    goap_domain hadd = tree_domain(GOAP_H_ADD);
    goap_state start = { { 0 } }, end;
    goap_cond goal = { STONE, 2 };
    search_opts o = search_opts_default();
    search_result r0, r1, r2;
    int plan[32], n0, n1;
    search *s;
    buf dot = BUF_INIT;

    (void)st;
    assert_int_equal(search_new(&s, NULL), AUGUR_OK);
    n0 = goap_plan(s, &none, &start, &goal, 1, &o, NULL, plan, 32, &r0, NULL, NULL);
    n1 = goap_plan(s, &hmax, &start, &goal, 1, &o, NULL, plan, 32, &r1, &dot, NULL);
    assert_int_equal(r0.status, SEARCH_FOUND);
    assert_int_equal(r1.status, SEARCH_FOUND);
    /* chop x3, table, pick, mine x2: 6 + 1 + 1 + 6 = 14, whatever admissible h. */
    assert_true(r0.cost > 13.99 && r0.cost < 14.01);
    assert_true(r1.cost > 13.99 && r1.cost < 14.01);
    assert_int_equal(n0, 7);
    assert_int_equal(n1, 7);
    assert_true(r1.expanded <= r0.expanded);
    assert_contains(buf_str(&dot), "chop");
    assert_true(goap_valid(&hmax, &start, plan, n1, &goal, 1, &end));
    assert_int_equal(end.v[STONE], 2);
    assert_false(goap_valid(&hmax, &start, plan + 1, n1 - 1, &goal, 1, NULL));
    goap_plan(s, &hadd, &start, &goal, 1, &o, NULL, plan, 32, &r2, NULL, NULL);
    assert_int_equal(r2.status, SEARCH_FOUND);
    assert_true(goap_estimate(&hadd, &start, &goal, 1) >= goap_estimate(&hmax, &start, &goal, 1));
    buf_free(&dot);
    search_free(s);
}

/* The memory term steers the search to the plan remembered among equal ones. */
static void test_memory_term_steers(void **st)
{
    goap_domain d = tree_domain(GOAP_H_NONE);
    goap_state start = { { 0 } };
    goap_cond goal = { TABLE, 1 };
    search_opts o = search_opts_default();
    search_result r;
    plan_memory *m;
    int plan[8];

    (void)st;
    /* Make buying as cheap as chopping twice and building: two plans of cost 5. */
    d.actions[4].cost = 5;
    assert_int_equal(plan_memory_open(":memory:", "test", &m, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_store(m, "table", (const int[]){ 4 }, 1, 5, NULL), AUGUR_OK);
    assert_int_equal(plan_memory_recall(m, "table", NULL), AUGUR_OK);
    o.w_memory = 1;
    {
        search *s;
        assert_int_equal(search_new(&s, NULL), AUGUR_OK);
        assert_int_equal(goap_plan(s, &d, &start, &goal, 1, &o, m, plan, 8, &r, NULL, NULL), 1);
        assert_int_equal(plan[0], 4);
        plan_memory_close(m);
        assert_int_equal(plan_memory_open(":memory:", "test", &m, NULL), AUGUR_OK);
        assert_int_equal(plan_memory_store(m, "table", (const int[]){ 0, 0, 1 }, 3, 5, NULL),
                         AUGUR_OK);
        assert_int_equal(plan_memory_recall(m, "table", NULL), AUGUR_OK);
        assert_int_equal(goap_plan(s, &d, &start, &goal, 1, &o, m, plan, 8, &r, NULL, NULL), 3);
        assert_int_equal(plan[2], 1);
        search_free(s);
    }
    plan_memory_close(m);
}

/* ---- D-PoT: repair against replanning ---------------------------------------------------- */

typedef struct dctx {
    goap_domain d;
    goap_state  now;
    goap_cond   goal;
    search     *s;
    int         replans;
} dctx;

static int d_validate(void *ud, const int *steps, int n)
{
    dctx *c = ud;
    return goap_valid(&c->d, &c->now, steps, n, &c->goal, 1, NULL);
}

static int d_replan(void *ud, int *out, int max)
{
    dctx *c = ud;
    search_result r;
    search_opts o = search_opts_default();

    c->replans++;
    return goap_plan(c->s, &c->d, &c->now, &c->goal, 1, &o, NULL, out, max, &r, NULL, NULL);
}

static void test_dpot_repair_replan(void **st)
{
    dctx c;
    dpot p;
    const dpot_revision *rev;

    (void)st;
    memset(&c, 0, sizeof c);
    c.d = tree_domain(GOAP_H_MAX);
    c.goal = (goap_cond){ PICK, 1 };
    assert_int_equal(search_new(&c.s, NULL), AUGUR_OK);
    dpot_init(&p, "pick");
    assert_int_equal(dpot_revise(&p, 0, DPOT_PLAN_EMPTY, d_validate, d_replan, &c), 5);
    assert_int_equal(c.replans, 1);
    /* A finished subgoal: the world gave two wood at once; the suffix after both
    ** chops still works, so it is kept. */
    c.now.v[WOOD] = 2;
    dpot_advance(&p);
    dpot_record(&p, 1, 0, "subgoal done");
    assert_int_equal(dpot_revise(&p, 1, DPOT_SUBGOAL_DONE, d_validate, d_replan, &c), 3);
    rev = dpot_revision_at(&p, 0);
    assert_true(rev->repaired);
    assert_int_equal(rev->dropped, 1);
    assert_string_equal(dpot_trigger_name(rev->why), "subgoal done");
    assert_int_equal(c.replans, 1);
    /* A failed action lost the wood: no suffix works any more, so it replans. */
    c.now.v[WOOD] = 0;
    assert_int_equal(dpot_revise(&p, 2, DPOT_FAILED, d_validate, d_replan, &c), 5);
    rev = dpot_revision_at(&p, 0);
    assert_false(rev->repaired);
    assert_string_equal(dpot_trigger_name(rev->why), "failed action");
    assert_int_equal(c.replans, 2);
    assert_int_equal(p.repairs, 1);
    assert_int_equal(p.replans, 2);
    assert_string_equal(dpot_history(&p, 0)->outcome, "subgoal done");
    /* The history is bounded. */
    for (int i = 0; i < 100; i++)
        dpot_record(&p, i, 0, "x");
    assert_null(dpot_history(&p, DPOT_HISTORY));
    assert_non_null(dpot_history(&p, DPOT_HISTORY - 1));
    search_free(c.s);
}

/* ---- WiA rollouts --------------------------------------------------------------------- */

static double keys_progress(void *ud, const state *obs)
{
    (void)ud;
    for (size_t i = 0; i < state_entity_count(obs); i++)
        if (strcmp(state_entity_type(obs, (int)i), "player") == 0)
            return (double)state_get_int(obs, (int)i, "keys", 0);
    return 0;
}

static double keys_risk(void *ud, const state *before, int action, const state *after,
                        const sim_outcome *o)
{
    (void)ud;
    (void)o;
    /* Waiting changes nothing: count it as a failed action. */
    return action == 0 && state_equal(before, after) ? 0.5 : 0;
}

static int keys_continue(void *ud, const state *obs, search_proposal *out, int max)
{
    (void)ud;
    (void)obs;
    for (int a = 0; a < 2 && a < max; a++)
        out[a] = (search_proposal){ a == 0 ? 2 : 4, 1 };
    return max < 2 ? max : 2;
}

static void test_rollout_scoring(void **st)
{
    rollout_domain d = { NULL, keys_continue, keys_progress, keys_risk };
    rollout_opts o = { 3, 2, 4, 2, 0, 1, 1, 0, 0 };
    search_proposal cands[3] = { { 0, 1 }, { 2, 0.5 }, { 4, 0.2 } };
    sim *sm;
    sim_state start;
    rollout *r;
    world *w;
    uint64_t rng = 1;
    const rollout_candidate *best, *last;
    forecast_tally t = { 0, 0 };

    (void)st;
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    assert_int_equal(sim_new_clone(WORLD_VIEW_AGENT, &sm, NULL), AUGUR_OK);
    assert_int_equal(sim_state_from_world(sm, w, &start, NULL), AUGUR_OK);
    assert_int_equal(rollout_new(&r, NULL), AUGUR_OK);
    assert_int_equal(rollout_rank(r, sm, &start, cands, 3, &d, &o, &rng, NULL), AUGUR_OK);
    assert_int_equal(rollout_count(r), 3);
    best = rollout_get(r, 0);
    last = rollout_get(r, 2);
    /* Right, then right again, takes the key at (3, 1) within two steps. */
    assert_int_equal(best->action, 2);
    assert_true(best->progress > 0.99);
    assert_true(best->rolled);
    assert_true(best->forecast_p > 0.99);      /* a clone is exact: one sample, certain */
    assert_int_equal(last->action, 0);
    assert_true(last->risk > 0.49);
    assert_true(best->score > last->score);
    /* The forecast for moving right is what the world does. */
    {
        world_step_result res = { 0 };
        state *now = state_new();
        world_step(w, 2, &res, NULL);
        world_observe(w, now, NULL);
        forecast_tally_add(&t, state_equal(now, best->forecast));
        state_free(now);
    }
    assert_true(forecast_tally_accuracy(&t) > 0.99);
    /* A prior that outweighs everything keeps the proposal order. */
    o.w_prior = 100;
    assert_int_equal(rollout_rank(r, sm, &start, cands, 3, &d, &o, &rng, NULL), AUGUR_OK);
    assert_int_equal(rollout_get(r, 0)->action, 0);
    rollout_free(r);
    sim_state_free(&start);
    sim_free(sm);
    world_free(w);
}

/* Rollouts in a law model score the confidence of what they sample. */
static void test_rollout_laws(void **st)
{
    static const char law_text[] =
        "world = \"keys\"\n"
        "[[law]]\nname = \"right\"\naction = \"move_right\"\n"
        "then = [\"player.keys ~ +1 0.5 | same 0.5\"]\nweight = 1\n"
        "[[law]]\nname = \"left\"\naction = \"move_left\"\nthen = [\"player.keys += 1\"]\n"
        "weight = 1\n";
    rollout_domain d = { NULL, NULL, NULL, NULL };
    rollout_opts o = { 2, 1, 8, 1, 0, 0, 0, 1, 0 };
    search_proposal cands[2] = { { 2, 1 }, { 1, 1 } };
    laws *m;
    augur_err err = { 0 };
    sim *sm;
    sim_state start;
    rollout *r;
    world *w;
    state *s = state_new();
    uint64_t rng = 7;

    (void)st;
    if (laws_parse(law_text, sizeof law_text - 1, "test", &keys_class, &m, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    assert_int_equal(world_observe(w, s, NULL), AUGUR_OK);
    assert_int_equal(sim_new_laws(m, &sm, NULL), AUGUR_OK);
    assert_int_equal(sim_state_from_state(sm, s, &start, NULL), AUGUR_OK);
    assert_int_equal(rollout_new(&r, NULL), AUGUR_OK);
    assert_int_equal(rollout_rank(r, sm, &start, cands, 2, &d, &o, &rng, NULL), AUGUR_OK);
    /* A key for moving left is certain (log p = 0); for moving right a coin (log p < 0). */
    assert_int_equal(rollout_get(r, 0)->action, 1);
    assert_true(rollout_get(r, 0)->confidence > -1e-6);
    assert_true(rollout_get(r, 1)->confidence < -0.1);
    assert_true(rollout_get(r, 1)->forecast_p < 1);
    rollout_free(r);
    sim_state_free(&start);
    sim_free(sm);
    laws_free(m);
    state_free(s);
    world_free(w);
}

/* ---- the general agent on the keys world ---------------------------------------------- */

static void test_general_agent_keys(void **st)
{
    planner_opts o = planner_opts_default();
    planner_agent *ag;
    world *w;
    world_step_result r = { 0 };
    buf text = BUF_INIT;
    int steps = 0, chests = 0;

    (void)st;
    o.budget_us = 0;
    o.search.max_nodes = 0;
    o.dot = 1;
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    assert_int_equal(planner_agent_new(&keys_class, &o, &ag, NULL), AUGUR_OK);
    assert_int_equal(planner_agent_reset(ag, w, NULL), AUGUR_OK);
    while (!r.done) {
        int a;
        assert_int_equal(planner_agent_act(ag, w, &a, NULL), AUGUR_OK);
        memset(&r, 0, sizeof r);
        assert_int_equal(world_step(w, a, &r, NULL), AUGUR_OK);
        assert_int_equal(planner_agent_observe(ag, w, a, &r, NULL), AUGUR_OK);
        for (size_t i = 0; i < r.nevents; i++)
            chests += strcmp(r.events[i], "open_chest") == 0;
        steps++;
    }
    assert_int_equal(chests, 2);
    assert_int_equal(steps, keys_bfs());
    assert_true(planner_agent_forecast_accuracy(ag) > 0.99);
    assert_int_equal(planner_agent_describe(ag, &text), AUGUR_OK);
    assert_contains(buf_str(&text), "plan changed at step 0: plan empty");
    buf_clear(&text);
    assert_int_equal(planner_agent_dot(ag, &text), AUGUR_OK);
    assert_contains(buf_str(&text), "move_right");
    buf_free(&text);
    planner_agent_free(ag);
    world_free(w);
}

/* ---- macro actions in C and Lua ------------------------------------------------------ */

static int two_right(void *ud, const state *obs, int *out, int max)
{
    (void)ud;
    (void)obs;
    if (max < 2)
        return 0;
    out[0] = out[1] = 2;
    return 2;
}

static const char to_key_lua[] =
    "function macro(obs)\n"
    "  for _, e in ipairs(obs.entities) do\n"
    "    if e.type == 'player' and e.x < 3 then return {'move_right', 'move_right'} end\n"
    "  end\n"
    "  return {}\n"
    "end\n";

static sandbox *inproc_sandbox(void)
{
    sandbox_config cfg;
    config *c;
    sandbox *sb;
    augur_err err = { 0 };

    if (config_new(&c, &err) != AUGUR_OK || sandbox_conf_read(c, &cfg, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    config_free(c);
    cfg.isolation = SANDBOX_INPROC;
    if (sandbox_new(&sb, &cfg, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    return sb;
}

static void test_macros(void **st)
{
    static const char bad_name[] = "function macro(obs) return {'fly'} end";
    static const char bad_run[] = "function macro(obs) return obs.nothing.here end";
    sandbox *sb = inproc_sandbox();
    macro *c, *lua, *bad1, *bad2, *none = NULL;
    state *obs = state_new();
    world *w;
    augur_err err = { 0 };
    int acts[8];
    planner_opts o = planner_opts_default();
    planner_agent *ag;
    world_step_result r = { 0 };
    int steps = 0;
    buf text = BUF_INIT;

    (void)st;
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    assert_int_equal(world_observe(w, obs, NULL), AUGUR_OK);
    assert_int_equal(macro_new_c("two_right", two_right, NULL, &c, NULL), AUGUR_OK);
    assert_int_equal(macro_expand(c, obs, acts, 8, NULL), 2);
    assert_int_equal(macro_new_lua("to_key", to_key_lua, sizeof to_key_lua - 1, sb, &keys_class,
                                   &lua, NULL), AUGUR_OK);
    assert_string_equal(macro_name(lua), "to_key");
    assert_int_equal(macro_expand(lua, obs, acts, 8, NULL), 2);
    assert_int_equal(acts[0], 2);
    assert_int_equal(acts[1], 2);
    assert_int_equal(macro_new_lua("bad1", bad_name, sizeof bad_name - 1, sb, &keys_class, &bad1,
                                   NULL), AUGUR_OK);
    assert_true(macro_expand(bad1, obs, acts, 8, &err) < 0);
    assert_contains(err.msg, "item 1 is not an action of keys");
    assert_int_equal(macro_new_lua("bad2", bad_run, sizeof bad_run - 1, sb, &keys_class, &bad2,
                                   NULL), AUGUR_OK);
    assert_true(macro_expand(bad2, obs, acts, 8, &err) < 0);
    assert_contains(err.msg, "macro bad2: runtime");
    assert_int_equal(macro_new_c("", two_right, NULL, &none, &err), AUGUR_EINVAL);
    assert_null(none);
    /* The general agent plans with the Lua macro beside the world's actions and
    ** still solves the level in the fewest moves. */
    {
        macro *const list[1] = { lua };
        o.budget_us = 0;
        o.search.max_nodes = 0;
        o.macros = list;
        o.nmacros = 1;
        assert_int_equal(planner_agent_new(&keys_class, &o, &ag, NULL), AUGUR_OK);
        assert_int_equal(planner_agent_reset(ag, w, NULL), AUGUR_OK);
        while (!r.done) {
            int a;
            assert_int_equal(planner_agent_act(ag, w, &a, NULL), AUGUR_OK);
            assert_true(a >= 0 && a < 5);
            memset(&r, 0, sizeof r);
            assert_int_equal(world_step(w, a, &r, NULL), AUGUR_OK);
            assert_int_equal(planner_agent_observe(ag, w, a, &r, NULL), AUGUR_OK);
            steps++;
        }
        assert_int_equal(steps, keys_bfs());
        assert_int_equal(planner_agent_describe(ag, &text), AUGUR_OK);
        planner_agent_free(ag);
    }
    buf_free(&text);
    macro_free(c);
    macro_free(lua);
    macro_free(bad1);
    macro_free(bad2);
    state_free(obs);
    world_free(w);
    sandbox_free(sb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grid_optimal),
        cmocka_unit_test(test_keys_optimal),
        cmocka_unit_test(test_budgets_anytime),
        cmocka_unit_test(test_consistency_and_model_budget),
        cmocka_unit_test(test_lcs_memory),
        cmocka_unit_test(test_goap_plans),
        cmocka_unit_test(test_memory_term_steers),
        cmocka_unit_test(test_dpot_repair_replan),
        cmocka_unit_test(test_rollout_scoring),
        cmocka_unit_test(test_rollout_laws),
        cmocka_unit_test(test_general_agent_keys),
        cmocka_unit_test(test_macros),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
