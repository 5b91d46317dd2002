/* test_state.c — the symbolic state: entities, attributes, grid, clone, hash,
** equality, diff and JSON. */
#include "test.h"

#include "worlds/state.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const materials[] = { "water", "grass", "stone" };

/* A player and a cow on a 4x3 grid. */
static state *sample(void)
{
    state *s = state_new();
    int p, c;

    assert_non_null(s);
    p = state_entity_add(s, 1, "player");
    assert_true(p >= 0);
    assert_int_equal(state_set_int(s, p, "x", 3), AUGUR_OK);
    assert_int_equal(state_set_int(s, p, "health", 9), AUGUR_OK);
    assert_int_equal(state_set_bool(s, p, "sleeping", 0), AUGUR_OK);
    assert_int_equal(state_set_symbol(s, p, "facing", "down"), AUGUR_OK);
    assert_int_equal(state_set_float(s, p, "hunger", 0.5), AUGUR_OK);
    c = state_entity_add(s, 7, "cow");
    assert_int_equal(state_set_int(s, c, "x", 1), AUGUR_OK);
    assert_int_equal(state_grid_init(s, 4, 3, materials, 3), AUGUR_OK);
    state_grid_set(s, 2, 1, 2);
    return s;
}

static void test_entities_and_attributes(void **st)
{
    state *s = sample();
    state_value v;

    (void)st;
    assert_int_equal(state_entity_count(s), 2);
    assert_int_equal(state_entity_find(s, 7), 1);
    assert_int_equal(state_entity_find(s, 8), -1);
    assert_string_equal(state_entity_type(s, 1), "cow");
    assert_int_equal(state_get(s, 0, "facing", &v), AUGUR_OK);
    assert_int_equal(v.kind, STATE_SYMBOL);
    assert_string_equal(v.as.s, "down");
    assert_int_equal(state_get(s, 0, "missing", &v), AUGUR_ENOTFOUND);
    assert_int_equal(state_get_int(s, 0, "health", -1), 9);
    /* Setting again replaces; attributes set on an earlier entity keep the others intact. */
    assert_int_equal(state_set_int(s, 0, "health", 4), AUGUR_OK);
    assert_int_equal(state_set_int(s, 0, "wood", 2), AUGUR_OK);
    assert_int_equal(state_get_int(s, 0, "health", -1), 4);
    assert_int_equal(state_get_int(s, 1, "x", -1), 1);
    assert_int_equal(state_attr_count(s, 0), 6);
    assert_string_equal(state_attr_at(s, 0, 5, &v), "wood");
    /* Bad input is refused, not stored. */
    assert_int_equal(state_entity_add(s, 7, "cow"), AUGUR_EINVAL);
    assert_int_equal(state_entity_add(s, 9, ""), AUGUR_EINVAL);
    assert_int_equal(state_set_int(s, 5, "x", 1), AUGUR_EINVAL);
    assert_int_equal(state_set_int(s, 0, "bad\nname", 1), AUGUR_EINVAL);
    assert_int_equal(state_set_float(s, 0, "f", 1.0 / 0.0), AUGUR_EINVAL);
    state_entity_remove(s, 0);
    assert_int_equal(state_entity_count(s), 1);
    assert_int_equal(state_get_int(s, 0, "x", -1), 1);
    state_free(s);
}

/* Keys name the same things in copies, and change only with new names. */
static void test_keys(void **st)
{
    state *s = sample(), *c;
    state_value v;
    int health = state_key(s, "health"), facing, cow = state_entity_find(s, 7);

    (void)st;
    assert_true(health >= 0);
    assert_int_equal(state_key(s, "nope"), -1);
    assert_string_equal(state_key_name(s, health), "health");
    assert_null(state_key_name(s, 10000));
    assert_int_equal(state_get_key(s, 0, health, &v), AUGUR_OK);
    assert_int_equal(v.as.i, 9);
    assert_int_equal(state_get_key(s, cow, health, &v), AUGUR_ENOTFOUND);
    assert_int_equal(state_entity_type_key(s, cow), state_key(s, "cow"));
    assert_int_equal(state_entity_type_key(s, 5), -1);
    assert_int_equal(state_get(s, 0, "facing", &v), AUGUR_OK);
    facing = state_symbol_key(s, v.as.s);
    assert_int_equal(facing, state_key(s, "down"));
    assert_int_equal(state_symbol_key(s, "down"), facing);
    c = state_clone(s);
    assert_int_equal(state_keys_id(c), state_keys_id(s));
    assert_int_equal(state_key(c, "health"), health);
    assert_int_equal(state_set_key(c, cow, health, &(state_value){ STATE_INT, { .i = 3 } }),
                     AUGUR_OK);
    assert_int_equal(state_get_int(c, cow, "health", 0), 3);
    assert_int_equal(state_keys_id(c), state_keys_id(s));
    assert_int_equal(state_set_key(c, cow, 9999, &v), AUGUR_EINVAL);
    assert_int_equal(state_set_symbol(c, cow, "mood", "calm"), AUGUR_OK);
    assert_true(state_keys_id(c) != state_keys_id(s));
    state_free(c);
    state_free(s);
}

static void test_grid(void **st)
{
    state *s = sample();

    (void)st;
    assert_int_equal(state_grid_width(s), 4);
    assert_int_equal(state_grid_get(s, 2, 1), 2);
    assert_int_equal(state_grid_get(s, 0, 0), 0);
    assert_int_equal(state_grid_get(s, 4, 0), -1);
    state_grid_set(s, 9, 9, 1);          /* outside: ignored */
    state_grid_set(s, 0, 0, 7);          /* not in the palette: ignored */
    assert_int_equal(state_grid_get(s, 0, 0), 0);
    assert_string_equal(state_grid_palette(s, 1), "grass");
    assert_null(state_grid_palette(s, 3));
    assert_int_equal(state_grid_init(s, 0, 3, materials, 3), AUGUR_EINVAL);
    state_free(s);
}

/* The bulk readers give what the one-by-one getters give. */
static void test_bulk_reads(void **st)
{
    state *s = sample(), *t = state_new();
    int keys[8], key_x = -1;
    uint8_t kinds[8];
    double nums[8];
    const uint8_t *cells;

    (void)st;
    assert_int_equal(state_attrs_numbers(s, 0, keys, kinds, nums, 8), 5);
    for (int i = 0; i < 5; i++) {
        state_value v;
        assert_int_equal(state_get_key(s, 0, keys[i], &v), AUGUR_OK);
        assert_int_equal(kinds[i], v.kind);
        if (v.kind == STATE_SYMBOL)
            assert_int_equal((int)nums[i], state_symbol_key(s, v.as.s));
        else
            assert_true(nums[i] == (v.kind == STATE_FLOAT ? v.as.f : v.kind == STATE_BOOL
                                    ? v.as.b : (double)v.as.i));
    }
    /* Fewer than it has: the first max, and the count. */
    assert_int_equal(state_attrs_numbers(s, 0, keys, kinds, nums, 2), 5);
    assert_int_equal(keys[0], state_key(s, "x"));
    assert_int_equal(state_attrs_numbers(s, 2, keys, kinds, nums, 8), 0);

    key_x = state_key(s, "x");
    state_column_numbers(s, key_x, 0, 3, kinds, nums);
    assert_int_equal(kinds[0], STATE_INT);
    assert_true(nums[0] == 3 && nums[1] == 1);
    assert_int_equal(kinds[2], STATE_ABSENT);
    state_column_numbers(s, state_key(s, "health"), 0, 2, kinds, nums);
    assert_true(kinds[0] == STATE_INT && nums[0] == 9 && kinds[1] == STATE_ABSENT);
    state_column_numbers(s, -1, 1, 1, kinds, nums);
    assert_int_equal(kinds[0], STATE_ABSENT);

    cells = state_grid_cells(s);
    assert_non_null(cells);
    assert_int_equal(cells[1 * 4 + 2], state_grid_get(s, 2, 1));
    assert_int_equal(cells[0], 0);
    assert_null(state_grid_cells(t));
    state_free(t);
    state_free(s);
}

/* A copy into a state that holds the same names already keeps them right, and
** one into a state with other names takes the source's. */
static void test_copy_reuses_names(void **st)
{
    state *s = sample(), *t = state_new(), *u = state_new();

    (void)st;
    assert_int_equal(state_copy(t, s), AUGUR_OK);
    assert_int_equal(state_set_int(t, 1, "health", 2), AUGUR_OK);
    assert_int_equal(state_copy(u, t), AUGUR_OK);
    assert_int_equal(state_copy(t, s), AUGUR_OK);
    assert_true(state_equal(t, s));
    assert_int_equal(state_keys_id(t), state_keys_id(s));
    assert_int_equal(state_copy(u, s), AUGUR_OK);
    assert_true(state_equal(u, s));
    assert_string_equal(state_key_name(u, state_key(s, "facing")), "facing");
    /* Other names in the same number of slots. */
    state_clear(u);
    for (int i = 0; state_key_name(s, i); i++) {
        char name[16];
        snprintf(name, sizeof name, "other%d", i);
        assert_true(state_entity_add(u, i + 1, name) >= 0);
    }
    assert_int_equal(state_copy(u, s), AUGUR_OK);
    assert_true(state_equal(u, s));
    assert_int_equal(state_keys_id(u), state_keys_id(s));
    assert_string_equal(state_key_name(u, state_key(s, "facing")), "facing");
    state_free(u);
    state_free(t);
    state_free(s);
}

static void test_clone_hash_equal(void **st)
{
    state *a = sample(), *b = state_clone(a), *c = state_new();
    int p;

    (void)st;
    assert_true(state_equal(a, b));
    assert_int_equal(state_hash(a), state_hash(b));
    /* The clone is independent. */
    state_set_int(b, 0, "x", 4);
    assert_false(state_equal(a, b));
    assert_true(state_hash(a) != state_hash(b));
    assert_int_equal(state_get_int(a, 0, "x", -1), 3);
    /* Built in another order, with the hunger as an integer-valued float: equal. */
    assert_int_equal(state_grid_init(c, 4, 3, materials, 3), AUGUR_OK);
    state_grid_set(c, 2, 1, 2);
    p = state_entity_add(c, 7, "cow");
    state_set_int(c, p, "x", 1);
    p = state_entity_add(c, 1, "player");
    state_set_symbol(c, p, "facing", "down");
    state_set_float(c, p, "hunger", 0.5);
    state_set_bool(c, p, "sleeping", 0);
    state_set_float(c, p, "health", 9.0);
    state_set_int(c, p, "x", 3);
    assert_true(state_equal(a, c));
    assert_int_equal(state_hash(a), state_hash(c));
    /* A bool is not a number; a grid cell counts. */
    state_set_bool(c, p, "health", 1);
    assert_false(state_equal(a, c));
    state_set_int(c, p, "health", 9);
    state_grid_set(c, 0, 0, 1);
    assert_false(state_equal(a, c));
    assert_true(state_hash(a) != state_hash(c));
    /* state_copy reuses memory and gives an equal state. */
    assert_int_equal(state_copy(c, a), AUGUR_OK);
    assert_true(state_equal(a, c));
    assert_true(state_memory(a) > 0);
    state_free(a);
    state_free(b);
    state_free(c);
}

static void test_diff(void **st)
{
    state *a = sample(), *b = state_clone(a);
    state_changes d;
    buf text = BUF_INIT;
    int e;

    (void)st;
    assert_int_equal(state_diff(a, b, &d, NULL), AUGUR_OK);
    assert_int_equal(d.count, 0);
    state_changes_free(&d);
    state_set_int(b, 0, "x", 4);                 /* changed */
    state_set_int(b, 0, "wood", 1);              /* new */
    state_entity_remove(b, 1);                   /* cow gone */
    e = state_entity_add(b, 9, "zombie");        /* zombie came */
    state_set_int(b, e, "x", 0);
    state_grid_set(b, 0, 2, 1);                  /* cell */
    assert_int_equal(state_diff(a, b, &d, NULL), AUGUR_OK);
    for (size_t i = 0; i < d.count; i++) {
        state_change_write(&text, &d.items[i]);
        buf_putc(&text, '\n');
    }
    assert_string_equal(buf_str(&text),
                        "player#1.x: 3 -> 4\n"
                        "player#1.wood: (none) -> 1\n"
                        "cow#7 removed\n"
                        "zombie#9 added\n"
                        "cell(0,2): water -> grass\n");
    state_changes_free(&d);
    buf_free(&text);
    state_free(a);
    state_free(b);
}

static void test_json_round_trip(void **st)
{
    state *a = sample(), *b = NULL;
    buf js = BUF_INIT;
    augur_err err = { 0 };

    (void)st;
    assert_int_equal(state_to_json(a, &js), AUGUR_OK);
    assert_contains(buf_str(&js), "\"facing\": \"down\"");
    assert_contains(buf_str(&js), "\"hunger\": 0.5");
    assert_contains(buf_str(&js), "\"rows\": [\"0000\", \"0020\", \"0000\"]");
    assert_int_equal(state_from_json(js.data, js.len, "s.json", &b, &err), AUGUR_OK);
    assert_true(state_equal(a, b));
    assert_int_equal(state_hash(a), state_hash(b));
    state_free(b);
    buf_free(&js);
    state_free(a);
}

static void test_json_errors(void **st)
{
    static const struct { const char *doc, *msg; } bad[] = {
        { "{\"entities\": [", "s.json:1:14: invalid JSON" },
        { "[]", "expected a JSON object" },
        { "{\"entities\": 3}", "\"entities\" must be an array" },
        { "{\"entities\": [{\"type\": \"cow\"}]}", "entities[0]: expected an object" },
        { "{\"entities\": [{\"id\": 1, \"type\": \"cow\"}, {\"id\": 1, \"type\": \"cow\"}]}",
          "entities[1]: duplicate id" },
        { "{\"entities\": [{\"id\": 1, \"type\": \"cow\", \"x\": [1]}]}", "entities[0].x: expected" },
        { "{\"grid\": {\"width\": 2, \"height\": 1, \"palette\": [\"a\"], \"rows\": [\"01\"]}}",
          "grid.rows[0][1]: '1' is not a palette index" },
        { "{\"grid\": {\"width\": 2, \"height\": 2, \"palette\": [\"a\"], \"rows\": [\"00\"]}}",
          "grid.rows: expected 2 rows" },
        { "{\"grid\": {\"width\": 5000, \"height\": 1, \"palette\": [\"a\"], \"rows\": []}}",
          "width and height must be 1..1024" },
    };

    (void)st;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        augur_err err = { 0 };
        state *s = (state *)1;
        assert_true(state_from_json(bad[i].doc, strlen(bad[i].doc), "s.json", &s, &err) < 0);
        assert_null(s);
        assert_contains(err.msg, bad[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entities_and_attributes),
        cmocka_unit_test(test_keys),
        cmocka_unit_test(test_grid),
        cmocka_unit_test(test_bulk_reads),
        cmocka_unit_test(test_copy_reuses_names),
        cmocka_unit_test(test_clone_hash_equal),
        cmocka_unit_test(test_diff),
        cmocka_unit_test(test_json_round_trip),
        cmocka_unit_test(test_json_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
