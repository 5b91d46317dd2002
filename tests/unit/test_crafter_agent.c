/* test_crafter_agent.c — the Crafter agent in Crafter situations: its rollouts'
** risk, its map from the agent's views, a shelter dug into stone, the technology
** tree in the oracle mode and from the agent's view with laws learned online, and
** `augur play --agent planner` end to end, with the oracle and the law file. */
#include "test.h"

#include "base/file.h"
#include "base/json.h"
#include "planner/agent.h"
#include "planner/crafter/agent.h"
#include "planner/crafter/crafter.h"
#include "planner/crafter/skills.h"
#include "planner/private.h"
#include "worlds/world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int player_of(const state *s)
{
    for (size_t i = 0; i < state_entity_count(s); i++)
        if (strcmp(state_entity_type(s, (int)i), "player") == 0)
            return (int)i;
    return -1;
}

/* The rollouts' risk on views of the world: a make without a table that changes
** nothing failed, a gain or a changed facing cell did not, nor a strike at a
** creature; health lost adds to it. */
static void test_rollout_risk(void **st)
{
    planner_opts o = planner_opts_default();
    const agent_ops *ops;
    void *impl;
    world *w;
    state *before = state_new(), *after = state_new();
    sim_outcome out = { 0 };
    int make = world_action_find(&crafter_class, "make_wood_pickaxe");
    int noop = world_action_find(&crafter_class, "noop");
    int left = world_action_find(&crafter_class, "move_left");
    int act_do = world_action_find(&crafter_class, "do");
    state_value facing;
    int p, x, y, d, cow;

    (void)st;
    o.oracle = 1;
    assert_int_equal(crafter_agent_new(&crafter_class, &o, &impl, &ops, NULL), AUGUR_OK);
    assert_int_equal(world_new(&crafter_class, NULL, 1, &w, NULL), AUGUR_OK);
    assert_int_equal(world_observe(w, before, NULL), AUGUR_OK);
    assert_int_equal(state_copy(after, before), AUGUR_OK);
    assert_true(ca_risk(impl, before, make, after, &out) == 0.5);
    assert_true(ca_risk(impl, before, noop, after, &out) == 0);
    assert_true(ca_risk(impl, before, left, after, &out) == 0);
    p = player_of(after);
    state_set_int(after, p, "health", state_get_int(before, p, "health", 0) - 2);
    assert_true(ca_risk(impl, before, make, after, &out) == 2.5);
    state_set_int(after, p, "health", 0);
    assert_true(ca_risk(impl, before, noop, after, &out) == 20);
    assert_int_equal(state_copy(after, before), AUGUR_OK);
    state_set_int(after, p, "wood_pickaxe", 1);
    assert_true(ca_risk(impl, before, make, after, &out) == 0);
    /* The facing cell changes (a tree felled to grass, say). */
    assert_int_equal(state_get(before, p, "facing", &facing), AUGUR_OK);
    assert_int_equal(facing.kind, STATE_SYMBOL);
    for (d = 0; d < 4; d++)
        if (strcmp(facing.as.s, cm_dir_names[d]) == 0)
            break;
    assert_true(d < 4);
    x = (int)state_get_int(before, p, "x", 0) + grid_dx[d];
    y = (int)state_get_int(before, p, "y", 0) + grid_dy[d];
    assert_int_equal(state_copy(after, before), AUGUR_OK);
    state_grid_set(after, x, y, state_grid_get(before, x, y) + 1);
    assert_true(ca_risk(impl, before, act_do, after, &out) == 0);
    /* A cow in front: striking it is no failure, though nothing shows. */
    assert_int_equal(state_copy(after, before), AUGUR_OK);
    assert_true(ca_risk(impl, before, act_do, after, &out) == 0.5);
    cow = state_entity_add(before, 999, "cow");
    assert_true(cow >= 0);
    state_set_int(before, cow, "x", x);
    state_set_int(before, cow, "y", y);
    assert_true(ca_risk(impl, before, act_do, after, &out) == 0);
    world_free(w);
    state_free(before);
    state_free(after);
    ops->free(impl);
}

/* Dead reckoning checked against the views keeps the map where the world is. */
static void test_map_tracks_position(void **st)
{
    static cm_map m;
    world *w;
    state *view = state_new(), *full = state_new();
    uint64_t rng = 3;
    int last = -1;

    (void)st;
    assert_int_equal(world_new(&crafter_class, NULL, 5, &w, NULL), AUGUR_OK);
    cm_reset(&m);
    for (int t = 0; t < 300; t++) {
        world_step_result r;
        int a;
        assert_int_equal(world_observe(w, view, NULL), AUGUR_OK);
        assert_int_equal(cm_perceive(&m, view, 0, last, NULL), AUGUR_OK);
        assert_int_equal(world_observe_oracle(w, full, NULL), AUGUR_OK);
        assert_int_equal(m.px - (CM_START - 32), state_get_int(full, player_of(full), "x", -1));
        assert_int_equal(m.py - (CM_START - 32), state_get_int(full, player_of(full), "y", -1));
        rng = rng * 6364136223846793005ull + 1442695040888963407ull;
        a = A_LEFT + (int)((rng >> 33) % 4);
        memset(&r, 0, sizeof r);
        assert_int_equal(world_step(w, a, &r, NULL), AUGUR_OK);
        if (r.done)
            break;
        last = a;
    }
    /* What it saw is where the world has it. */
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++) {
            int k = cm_at(&m, x + CM_START - 32, y + CM_START - 32);
            int mat = state_grid_get(full, x, y);
            if (k != M_UNSEEN && k != M_TABLE && k != M_PATH)
                assert_string_equal(cm_mat_names[k], state_grid_palette(full, mat));
        }
    state_free(view);
    state_free(full);
    world_free(w);
}

/* Grass to the left, stone from x = 34 on: the shelter search digs in and seals
** the way in, and the real world agrees the player is enclosed. */
static void test_shelter_dug_into_stone(void **st)
{
    static cm_map m;
    static skills k;
    world *w;
    state *s = state_new();
    int e, n;

    (void)st;
    assert_int_equal(world_new(&crafter_class, NULL, 1, &w, NULL), AUGUR_OK);
    assert_int_equal(world_observe_oracle(w, s, NULL), AUGUR_OK);
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++)
            state_grid_set(s, x, y, x >= 34 ? 2 : 1);      /* stone, grass */
    while (state_entity_count(s) > 1)
        state_entity_remove(s, player_of(s) == 0 ? 1 : 0);
    e = player_of(s);
    assert_int_equal(state_set_int(s, e, "wood_pickaxe", 1), AUGUR_OK);
    assert_int_equal(state_set_int(s, e, "stone", 1), AUGUR_OK);
    assert_int_equal(world_load(w, s, NULL), AUGUR_OK);
    cm_reset(&m);
    assert_int_equal(world_observe_oracle(w, s, NULL), AUGUR_OK);
    assert_int_equal(cm_perceive(&m, s, 1, -1, NULL), AUGUR_OK);
    assert_false(sk_sheltered(&m));
    assert_int_equal(search_new(&k.srch, NULL), AUGUR_OK);
    k.deadline_us = (uint64_t)-1 / 2;
    n = sk_shelter_plan(&k, &m, 20000);
    assert_true(n > 0 && n <= 10);
    for (int i = 0; i < n; i++) {
        world_step_result r;
        int a = world_action_find(&crafter_class, cm_act_names[k.shelter[i]]);
        memset(&r, 0, sizeof r);
        assert_int_equal(world_step(w, a, &r, NULL), AUGUR_OK);
    }
    assert_int_equal(world_observe_oracle(w, s, NULL), AUGUR_OK);
    assert_int_equal(cm_perceive(&m, s, 1, -1, NULL), AUGUR_OK);
    assert_true(sk_sheltered(&m));
    search_free(k.srch);
    state_free(s);
    world_free(w);
}

/* On open grass with a sapling and four stones, the garden macro plants it and
** walls it in on all four sides, in the real world too. */
static void test_garden_walled(void **st)
{
    static cm_map m;
    static skills k;
    world *w;
    state *s = state_new();
    int e, n, px = -1, py = -1;

    (void)st;
    assert_int_equal(world_new(&crafter_class, NULL, 1, &w, NULL), AUGUR_OK);
    assert_int_equal(world_observe_oracle(w, s, NULL), AUGUR_OK);
    for (int y = 0; y < 64; y++)
        for (int x = 0; x < 64; x++)
            state_grid_set(s, x, y, 1);
    while (state_entity_count(s) > 1)
        state_entity_remove(s, player_of(s) == 0 ? 1 : 0);
    e = player_of(s);
    assert_int_equal(state_set_int(s, e, "sapling", 1), AUGUR_OK);
    assert_int_equal(state_set_int(s, e, "stone", 4), AUGUR_OK);
    assert_int_equal(world_load(w, s, NULL), AUGUR_OK);
    cm_reset(&m);
    assert_int_equal(world_observe_oracle(w, s, NULL), AUGUR_OK);
    assert_int_equal(cm_perceive(&m, s, 1, -1, NULL), AUGUR_OK);
    assert_int_equal(search_new(&k.srch, NULL), AUGUR_OK);
    n = sk_garden_plan(&k, &m);
    assert_true(n > 0);
    for (int i = 0; i < n; i++) {
        world_step_result r;
        int act = world_action_find(&crafter_class, cm_act_names[k.shelter[i]]);
        memset(&r, 0, sizeof r);
        assert_int_equal(world_step(w, act, &r, NULL), AUGUR_OK);
        assert_contains(r.feedback, ": done");
    }
    assert_int_equal(world_observe_oracle(w, s, NULL), AUGUR_OK);
    for (size_t i = 0; i < state_entity_count(s); i++)
        if (strcmp(state_entity_type(s, (int)i), "plant") == 0) {
            px = (int)state_get_int(s, (int)i, "x", -1);
            py = (int)state_get_int(s, (int)i, "y", -1);
        }
    assert_true(px >= 0);
    for (int d = 0; d < 4; d++) {
        static const int dx[4] = { -1, 1, 0, 0 }, dy[4] = { 0, 0, -1, 1 };
        assert_string_equal(state_grid_palette(s, state_grid_get(s, px + dx[d], py + dy[d])),
                            "stone");
    }
    search_free(k.srch);
    state_free(s);
    world_free(w);
}

/* Play up to max steps; the achievements unlocked, as a bit set. */
static uint32_t play(planner_agent *ag, world *w, int max, long *steps)
{
    world_step_result r = { 0 };
    uint32_t got = 0;

    *steps = 0;
    assert_int_equal(planner_agent_reset(ag, w, NULL), AUGUR_OK);
    while (!r.done && *steps < max) {
        int a;
        assert_int_equal(planner_agent_act(ag, w, &a, NULL), AUGUR_OK);
        memset(&r, 0, sizeof r);
        assert_int_equal(world_step(w, a, &r, NULL), AUGUR_OK);
        assert_int_equal(planner_agent_observe(ag, w, a, &r, NULL), AUGUR_OK);
        assert_int_equal(planner_agent_idle(ag, NULL), AUGUR_OK);
        for (size_t i = 0; i < r.nevents; i++)
            for (int k = 0; k < crafter_class.nachievements; k++)
                if (strcmp(r.events[i], crafter_class.achievements[k]) == 0)
                    got |= 1u << k;
        (*steps)++;
    }
    return got;
}

static int unlocked(uint32_t got, const char *name)
{
    for (int k = 0; k < crafter_class.nachievements; k++)
        if (strcmp(crafter_class.achievements[k], name) == 0)
            return got >> k & 1;
    return 0;
}

/* The oracle mode climbs the technology tree; the clone's forecasts are exact. */
static void test_oracle_tech_tree(void **st)
{
    planner_opts o = planner_opts_default();
    planner_agent *ag;
    world *w;
    buf text = BUF_INIT;
    uint32_t got;
    long steps;

    (void)st;
    o.oracle = 1;
    o.budget_us = 1000000;      /* no time limits: the run is the same every time */
    o.dot = 1;
    assert_int_equal(world_new(&crafter_class, NULL, 1, &w, NULL), AUGUR_OK);
    assert_int_equal(planner_agent_new(&crafter_class, &o, &ag, NULL), AUGUR_OK);
    got = play(ag, w, 400, &steps);
    assert_true(unlocked(got, "collect_wood"));
    assert_true(unlocked(got, "place_table"));
    assert_true(unlocked(got, "make_wood_pickaxe"));
    assert_true(unlocked(got, "collect_stone"));
    assert_true(planner_agent_forecast_accuracy(ag) > 0.99);
    assert_int_equal(planner_agent_describe(ag, &text), AUGUR_OK);
    assert_contains(buf_str(&text), "goal ");
    assert_contains(buf_str(&text), "plan changed at step");
    buf_clear(&text);
    assert_int_equal(planner_agent_dot(ag, &text), AUGUR_OK);
    assert_contains(buf_str(&text), "digraph search");
    assert_contains(buf_str(&text), "g=");
    buf_free(&text);
    planner_agent_free(ag);
    world_free(w);
}

/* From the agent's view alone, with laws learned online and refitted between
** steps, the agent still gets wood and a table; the learned model forecasts. */
static void test_view_online_laws(void **st)
{
    planner_opts o = planner_opts_default();
    planner_agent *ag;
    world *w;
    uint32_t got;
    long steps;

    (void)st;
    o.budget_us = 1000000;
    o.learn.refit_every = 150;
    o.learn_steps = 300;
    assert_int_equal(world_new(&crafter_class, NULL, 2, &w, NULL), AUGUR_OK);
    assert_int_equal(planner_agent_new(&crafter_class, &o, &ag, NULL), AUGUR_OK);
    got = play(ag, w, 400, &steps);
    assert_true(unlocked(got, "collect_wood"));
    assert_true(unlocked(got, "place_table"));
    assert_true(planner_agent_forecast_accuracy(ag) > 0.3);
    planner_agent_free(ag);
    world_free(w);
}

/* ---- augur play --agent planner ---------------------------------------------------- */

static char *scratch, *law_file;

static int setup(void **st)
{
    (void)st;
    /* Before the setup moves into the scratch folder: the law file main ships. */
    law_file = realpath("worlds/laws/crafter.laws.toml", NULL);
    scratch = test_augur_setup();
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    test_rmtree(scratch);
    free(scratch);
    free(law_file);
    return 0;
}

static void test_play_planner(void **st)
{
    static const char *const crafter[] = { "play", "crafter", "--agent", "planner", "--world-model",
                                           "oracle", "--max-steps", "120", "--json", "--dot",
                                           "tree.dot", NULL };
    static const char *const keys[] = { "play", "keys", "--agent", "planner", "--budget-us",
                                        "100000", "--json", NULL };
    static const char *const text[] = { "play", "crafter", "--agent", "planner", "--max-steps",
                                        "30", NULL };
    buf out = BUF_INIT, err = BUF_INIT;
    char *dot;
    size_t len;

    (void)st;
    assert_int_equal(test_augurv(NULL, crafter, &out, &err), 0);
    assert_contains(buf_str(&out), "\"agent\": \"planner\"");
    assert_contains(buf_str(&out), "\"forecast_accuracy\": 1.0000");
    assert_contains(buf_str(&out), "\"decision_us\": {\"median\": ");
    assert_contains(buf_str(&out), "\"p99\": ");
    assert_int_equal(file_read("tree.dot", 1 << 20, &dot, &len, NULL), AUGUR_OK);
    assert_contains(dot, "digraph search");
    free(dot);
    assert_int_equal(test_augurv(NULL, keys, &out, &err), 0);
    assert_contains(buf_str(&out), "\"open_chest\": 100.0000");
    assert_int_equal(test_augurv(NULL, text, &out, &err), 0);
    assert_contains(buf_str(&out), "forecast accuracy ");
    assert_contains(buf_str(&out), "decision time median ");
    buf_free(&out);
    buf_free(&err);
}

/* From the agent's view with the learned law file: it plays, forecasts with the
** laws (some forecasts hold, not all: they are not the exact simulator) and
** climbs the first steps of the technology tree (a budget large enough that the
** nodes, not the clock, bound the searches, even under the sanitizers). */
static void test_play_law_file(void **st)
{
    char model[4200];
    const char *args[] = { "play", "crafter", "--agent", "planner", "--world-model", model,
                           "--max-steps", "300", "--budget-us", "100000", "--json", NULL };
    buf out = BUF_INIT, err = BUF_INIT;
    cJSON *doc, *rates;
    double accuracy;

    (void)st;
    assert_non_null(law_file);
    snprintf(model, sizeof model, "laws:%s", law_file);
    assert_int_equal(test_augurv(NULL, args, &out, &err), 0);
    doc = json_parse(out.data, out.len, "play", NULL);
    assert_non_null(doc);
    accuracy = cJSON_GetNumberValue(cJSON_GetObjectItem(doc, "forecast_accuracy"));
    assert_true(accuracy > 0 && accuracy < 1);
    rates = cJSON_GetObjectItem(doc, "success_rates");
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(rates, "collect_wood")) == 100);
    assert_true(cJSON_GetNumberValue(cJSON_GetObjectItem(rates, "place_table")) == 100);
    cJSON_Delete(doc);
    buf_free(&out);
    buf_free(&err);
}

static void test_play_planner_usage(void **st)
{
    static const char *const cases[][6] = {
        { "play", "crafter", "--agent", "planner", "--world-model", "dreams" },
        { "play", "crafter", "--world-model", "oracle", NULL },
        { "play", "crafter", "--agent", "planner", "--budget-us", "0" },
        { "play", "crafter", "--agent", "planner", "--world-model", "laws:/nonexistent.toml" },
    };
    static const int codes[] = { 2, 2, 2, 1 };
    static const char *const msgs[] = { "--world-model takes laws, laws:FILE or oracle",
                                        "are for --agent planner", "--budget-us",
                                        "/nonexistent.toml" };
    buf out = BUF_INIT, err = BUF_INIT;

    (void)st;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *args[8] = { 0 };
        for (int j = 0; j < 6 && cases[i][j]; j++)
            args[j] = cases[i][j];
        assert_int_equal(test_augurv(NULL, args, &out, &err), codes[i]);
        assert_contains(buf_str(&err), msgs[i]);
    }
    buf_free(&out);
    buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rollout_risk),
        cmocka_unit_test(test_map_tracks_position),
        cmocka_unit_test(test_shelter_dug_into_stone),
        cmocka_unit_test(test_garden_walled),
        cmocka_unit_test(test_oracle_tech_tree),
        cmocka_unit_test(test_view_online_laws),
        cmocka_unit_test(test_play_planner),
        cmocka_unit_test(test_play_law_file),
        cmocka_unit_test(test_play_planner_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
