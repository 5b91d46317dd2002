/* test_worlds.c — the world interface through the keys world, the registry, and
** `augur play` end to end. */
#include "test.h"

#include "base/json.h"
#include "worlds/world.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { WAIT, LEFT, RIGHT, UP, DOWN };

static void test_registry(void **st)
{
    (void)st;
    assert_ptr_equal(world_find("crafter"), &crafter_class);
    assert_ptr_equal(world_find("keys"), &keys_class);
    assert_null(world_find("nope"));
    assert_ptr_equal(world_list()[0], &crafter_class);
    assert_int_equal(world_action_find(&crafter_class, "make_iron_sword"), 16);
    assert_int_equal(world_action_find(&keys_class, "do"), -1);
}

/* The level solved by hand: five keys, two doors, two chests. */
static void test_keys_solved(void **st)
{
    static const int plan[] = { RIGHT, RIGHT, DOWN, LEFT, RIGHT, RIGHT, RIGHT, RIGHT, RIGHT, UP,
                                RIGHT, DOWN, DOWN, DOWN, RIGHT, UP, UP, LEFT, LEFT, DOWN, DOWN,
                                DOWN, LEFT, LEFT, LEFT, LEFT, LEFT };
    world *w;
    world_step_result r = { 0 };
    double reward = 0;
    int keys = 0, doors = 0, chests = 0;

    (void)st;
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    for (size_t i = 0; i < sizeof plan / sizeof *plan; i++) {
        assert_false(r.done);
        assert_int_equal(world_step(w, plan[i], &r, NULL), AUGUR_OK);
        reward += r.reward;
        for (size_t e = 0; e < r.nevents; e++) {
            keys += strcmp(r.events[e], "take_key") == 0;
            doors += strcmp(r.events[e], "open_door") == 0;
            chests += strcmp(r.events[e], "open_chest") == 0;
        }
    }
    assert_true(r.done);
    assert_int_equal(keys, 5);
    assert_int_equal(doors, 2);
    assert_int_equal(chests, 2);
    assert_true(fabs(reward - 2) < 1e-12);
    assert_contains(r.feedback, "open_chest");
    assert_int_equal(world_step(w, WAIT, &r, NULL), AUGUR_ESTATE);
    world_free(w);
}

static void test_keys_legal(void **st)
{
    world *w;
    world_step_result r;
    unsigned char legal[5];
    augur_err err = { 0 };

    (void)st;
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    assert_int_equal(world_legal(w, legal), 3);
    assert_true(legal[WAIT] && legal[RIGHT] && legal[DOWN] && !legal[LEFT] && !legal[UP]);
    assert_int_equal(world_step(w, UP, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "move_up is not legal");
    assert_int_equal(world_step(w, 9, &r, &err), AUGUR_EINVAL);
    /* A locked door without a key is not a legal move: round the key at (2, 2). */
    world_step(w, DOWN, &r, NULL);
    world_step(w, DOWN, &r, NULL);
    world_step(w, RIGHT, &r, NULL);
    world_step(w, RIGHT, &r, NULL);
    world_step(w, UP, &r, NULL);
    assert_int_equal(world_legal(w, legal), 4);
    assert_false(legal[RIGHT]);
    world_free(w);
}

static void test_keys_state(void **st)
{
    world *w, *c;
    world_step_result r;
    state *a = state_new(), *b = state_new();
    state_changes d;
    buf text = BUF_INIT;

    (void)st;
    assert_int_equal(world_new(&keys_class, NULL, 0, &w, NULL), AUGUR_OK);
    assert_int_equal(world_clone(w, &c, NULL), AUGUR_OK);
    assert_int_equal(world_hash(w), world_hash(c));
    assert_int_equal(world_observe(w, a, NULL), AUGUR_OK);
    world_step(w, RIGHT, &r, NULL);
    world_step(w, RIGHT, &r, NULL);
    assert_true(world_hash(w) != world_hash(c));
    assert_int_equal(world_observe(w, b, NULL), AUGUR_OK);
    /* What law learning consumes: the player moved two to the right, took a key. */
    assert_int_equal(state_diff(a, b, &d, NULL), AUGUR_OK);
    for (size_t i = 0; i < d.count; i++) {
        state_change_write(&text, &d.items[i]);
        buf_putc(&text, '\n');
    }
    assert_string_equal(buf_str(&text), "player#1.x: 1 -> 3\nplayer#1.keys: 0 -> 1\nkey#2 removed\n");
    state_changes_free(&d);
    buf_clear(&text);
    assert_int_equal(world_render_text(w, &text), AUGUR_OK);
    assert_contains(buf_str(&text), "#..@#..k..#");
    buf_clear(&text);
    assert_int_equal(world_to_json(w, &text), AUGUR_OK);
    assert_contains(buf_str(&text), "\"type\": \"player\", \"x\": 3");
    buf_free(&text);
    state_free(a);
    state_free(b);
    world_free(w);
    world_free(c);
}

/* ---- augur play ---------------------------------------------------------------- */

static char *scratch;

static int run_play(buf *out, buf *err, const char *const *args)
{
    return test_augurv(NULL, args, out, err);
}

static int setup(void **st)
{
    (void)st;
    scratch = test_augur_setup();
    return 0;
}

static int teardown(void **st)
{
    (void)st;
    test_rmtree(scratch);
    free(scratch);
    return 0;
}

/* --json prints one object with the keys the issue names; the same seed gives the
** same run. */
static void test_play_json(void **st)
{
    static const char *const args[] = { "play", "crafter", "--json", "--episodes", "4", "--seed",
                                        "9", NULL };
    buf out = BUF_INIT, err = BUF_INIT, again = BUF_INIT;
    cJSON *doc, *rates, *item;
    int n = 0;

    (void)st;
    assert_int_equal(run_play(&out, &err, args), 0);
    doc = json_parse(out.data, out.len, "stdout", NULL);
    assert_non_null(doc);
    assert_string_equal(cJSON_GetObjectItem(doc, "world")->valuestring, "crafter");
    assert_string_equal(cJSON_GetObjectItem(doc, "agent")->valuestring, "random");
    assert_int_equal(cJSON_GetObjectItem(doc, "episodes")->valueint, 4);
    assert_true(cJSON_GetObjectItem(doc, "steps")->valuedouble > 4);
    assert_true(fabs(cJSON_GetObjectItem(doc, "mean_length")->valuedouble -
                     cJSON_GetObjectItem(doc, "steps")->valuedouble / 4) < 1e-3);
    rates = cJSON_GetObjectItem(doc, "success_rates");
    cJSON_ArrayForEach(item, rates) {
        assert_true(item->valuedouble >= 0 && item->valuedouble <= 100);
        n++;
    }
    assert_int_equal(n, 22);
    assert_non_null(cJSON_GetObjectItem(rates, "collect_diamond"));
    assert_non_null(cJSON_GetObjectItem(doc, "score"));
    cJSON_Delete(doc);
    run_play(&again, &err, args);
    assert_string_equal(buf_str(&out), buf_str(&again));
    buf_free(&out);
    buf_free(&err);
    buf_free(&again);
}

static void test_play_text_and_limits(void **st)
{
    static const char *const capped[] = { "play", "crafter", "--max-steps", "7", "--episodes", "3",
                                          "--json", NULL };
    static const char *const configured[] = { "-c", "worlds.keys.length=4", "play", "keys", "--json",
                                              NULL };
    static const char *const text[] = { "play", "keys", NULL };
    buf out = BUF_INIT, err = BUF_INIT;

    (void)st;
    assert_int_equal(run_play(&out, &err, capped), 0);
    assert_contains(buf_str(&out), "\"steps\": 21,");
    assert_int_equal(run_play(&out, &err, configured), 0);
    assert_contains(buf_str(&out), "\"steps\": 4,");
    assert_int_equal(run_play(&out, &err, text), 0);
    assert_contains(buf_str(&out), "keys, random agent, 1 episode from seed 1");
    assert_contains(buf_str(&out), "score ");
    buf_free(&out);
    buf_free(&err);
}

static void test_play_usage(void **st)
{
    static const char *const cases[][5] = {
        { "play", NULL },
        { "play", "nope", NULL },
        { "play", "crafter", "--episodes", "0", NULL },
        { "play", "crafter", "--agent", "robot", NULL },
        { "play", "crafter", "--agent", "human", NULL },
        { "play", "crafter", "--bogus", NULL },
    };
    static const char *const msgs[] = { "which world?", "no world called 'nope'",
                                        "--episodes needs an integer", "--agent takes random, human or planner",
                                        "plays on a terminal", "unknown option '--bogus'" };
    static const char *const help[] = { "play", "--help", NULL };
    static const char *const bad_cfg[] = { "-c", "worlds.crafter.length=0", "play", "crafter",
                                           NULL };
    buf out = BUF_INIT, err = BUF_INIT;

    (void)st;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        assert_int_equal(run_play(&out, &err, cases[i]), 2);
        assert_contains(buf_str(&err), msgs[i]);
    }
    assert_int_equal(run_play(&out, &err, help), 0);
    assert_contains(buf_str(&out), "--max-steps N");
    assert_int_equal(run_play(&out, &err, bad_cfg), 2);
    assert_contains(buf_str(&err), "length must be an integer from 1");
    buf_free(&out);
    buf_free(&err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registry),
        cmocka_unit_test(test_keys_solved),
        cmocka_unit_test(test_keys_legal),
        cmocka_unit_test(test_keys_state),
        cmocka_unit_test(test_play_json),
        cmocka_unit_test(test_play_text_and_limits),
        cmocka_unit_test(test_play_usage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
