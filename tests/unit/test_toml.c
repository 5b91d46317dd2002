/* test_toml.c — the TOML parser and writer, beyond what toml-test covers. */
#include "test.h"

#include "base/toml.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static toml_doc *parse_ok(const char *src)
{
    augur_err err = { 0 };
    toml_doc *doc = NULL;

    if (toml_parse(src, strlen(src), "t.toml", &doc, &err) != AUGUR_OK)
        fail_msg("unexpected error: %s", err.msg);
    return doc;
}

/* The message for src, which must fail to parse. */
static const char *parse_err(const char *src)
{
    static augur_err err;
    toml_doc *doc = NULL;

    memset(&err, 0, sizeof err);
    assert_int_not_equal(toml_parse(src, strlen(src), "t.toml", &doc, &err), AUGUR_OK);
    assert_null(doc);
    return err.msg;
}

static void test_scalars(void **state)
{
    toml_doc *doc = parse_ok("i = -9_223_372_036_854_775_808\n"
                             "h = 0xDEAD_beef\no = 0o755\nb = 0b1010\n"
                             "f = 6.626e-34\ne = 1.3e-21\ng = -inf\nn = nan\nt = true\n"
                             "s = \"tab\\there \\u00e9 \\U0001F600\"\nl = 'C:\\path'\n");
    const toml_value *r = toml_root(doc);

    (void)state;
    assert_int_equal(toml_int(toml_get(r, "i")), INT64_MIN);
    assert_int_equal(toml_int(toml_get(r, "h")), 0xDEADBEEF);
    assert_int_equal(toml_int(toml_get(r, "o")), 0755);
    assert_int_equal(toml_int(toml_get(r, "b")), 10);
    assert_true(toml_float(toml_get(r, "f")) == 6.626e-34);
    assert_true(toml_float(toml_get(r, "e")) == 1.3e-21);   /* not a date for its '-' */
    assert_true(isinf(toml_float(toml_get(r, "g"))) && toml_float(toml_get(r, "g")) < 0);
    assert_true(isnan(toml_float(toml_get(r, "n"))));
    assert_int_equal(toml_kind(toml_get(r, "t")), TOML_BOOL);
    assert_true(toml_bool(toml_get(r, "t")));
    assert_string_equal(toml_str(toml_get(r, "s"), NULL), "tab\there \xc3\xa9 \xf0\x9f\x98\x80");
    assert_string_equal(toml_str(toml_get(r, "l"), NULL), "C:\\path");
    toml_free(doc);
}

static void test_integer_limits(void **state)
{
    (void)state;
    toml_free(parse_ok("a = 9223372036854775807\n"));
    assert_contains(parse_err("a = 9223372036854775808\n"), "does not fit in a 64-bit integer");
    assert_contains(parse_err("a = -9223372036854775809\n"), "does not fit");
    assert_contains(parse_err("a = 0x8000000000000000\n"), "does not fit");
    assert_contains(parse_err("a = 1e999\n"), "too large");
}

static void test_datetimes(void **state)
{
    toml_doc *doc = parse_ok("odt = 1979-05-27T00:32:00.999999999999-07:30\n"
                             "ldt = 1979-05-27 07:32:00\nld = 2000-02-29\nlt = 23:59:60.5\n");
    const toml_value *r = toml_root(doc);
    const toml_datetime *dt = toml_datetime_of(toml_get(r, "odt"));
    buf b = BUF_INIT;

    (void)state;
    assert_int_equal(toml_kind(toml_get(r, "odt")), TOML_DATETIME);
    assert_int_equal(dt->year, 1979);
    assert_int_equal(dt->month, 5);
    assert_int_equal(dt->day, 27);
    assert_int_equal(dt->minute, 32);
    assert_int_equal(dt->nanosecond, 999999999);   /* truncated, not rounded */
    assert_int_equal(dt->offset_minutes, -450);
    assert_int_equal(toml_kind(toml_get(r, "ldt")), TOML_DATETIME_LOCAL);
    assert_int_equal(toml_kind(toml_get(r, "ld")), TOML_DATE_LOCAL);
    assert_int_equal(toml_kind(toml_get(r, "lt")), TOML_TIME_LOCAL);
    assert_int_equal(toml_datetime_of(toml_get(r, "lt"))->nanosecond, 500000000);
    toml_value_write(&b, toml_get(r, "odt"));
    assert_string_equal(buf_str(&b), "1979-05-27T00:32:00.999999999-07:30");
    assert_contains(parse_err("d = 2001-02-29\n"), "not a valid date");
    buf_free(&b);
    toml_free(doc);
}

static void test_lookup_paths(void **state)
{
    toml_doc *doc = parse_ok("[a]\n\"b.c\" = { d = 1 }\n'e f'.g = 2\n\"\\u0000\" = 3\n");
    const toml_value *r = toml_root(doc), *a = toml_get(r, "a");
    size_t len;

    (void)state;
    assert_int_equal(toml_int(toml_get(r, "a.\"b.c\".d")), 1);
    assert_int_equal(toml_int(toml_get(r, "a . 'e f' . g")), 2);
    assert_null(toml_get(r, "a.b.c.d"));
    assert_null(toml_get(r, "a..b"));
    assert_int_equal(toml_int(toml_find(a, "\0", 1)), 3);
    assert_int_equal(toml_len(a), 3);
    assert_string_equal(toml_key(a, 1, &len), "e f");
    assert_int_equal(len, 3);
    assert_null(toml_key(a, 3, NULL));
    assert_null(toml_at(a, 3));
    toml_free(doc);
}

static void test_path_canon(void **state)
{
    buf b = BUF_INIT;
    augur_err err = { 0 };

    (void)state;
    assert_int_equal(toml_path_canon(" a . 'b c' . \"d\"", &b, &err), AUGUR_OK);
    assert_string_equal(buf_str(&b), "a.\"b c\".d");
    buf_clear(&b);
    assert_int_equal(toml_path_canon("x.\"\"", &b, &err), AUGUR_OK);
    assert_string_equal(buf_str(&b), "x.\"\"");
    assert_int_equal(toml_path_canon("a.", &b, &err), AUGUR_ESYNTAX);
    assert_contains(err.msg, "expected a key");
    assert_int_equal(toml_path_canon("a b", &b, &err), AUGUR_ESYNTAX);
    buf_free(&b);
}

static void test_error_locations(void **state)
{
    (void)state;
    assert_contains(parse_err("a = 1\nb = 2\na = 3\n"), "t.toml:3:1: duplicate key 'a'");
    assert_contains(parse_err("x = \"\xc3\xa9\xc3\xa9\" y\n"), "t.toml:1:10: expected the end of the line");
    assert_contains(parse_err("a = 1\r\n\r\nb = \"open\n"), "t.toml:3:10: newline in a single-line string");
    assert_contains(parse_err("ok = 1\nbad = \"\xff\"\n"), "t.toml:2:8: invalid UTF-8");
    assert_contains(parse_err("s = \"\"\"\nunterminated\n"), "t.toml:1:5: unterminated string");
    assert_contains(parse_err("level = debug\n"), "'debug' is not a value (strings need quotes)");
    assert_contains(parse_err("[t]\n[t]\n"), "t.toml:2:2: 't' is already defined (line 1)");
    assert_contains(parse_err("a.b = 1\n[a]\n"), "'a' is already defined (line 1)");
}

static void test_depth_limit(void **state)
{
    buf src = BUF_INIT;

    (void)state;
    /* Nesting past the limit is an error, whichever way it is built. */
    buf_puts(&src, "a = ");
    for (int i = 0; i < 200; i++)
        buf_putc(&src, '[');
    assert_contains(parse_err(buf_str(&src)), "nested deeper than 128 levels");
    buf_clear(&src);
    for (int i = 0; i < 200; i++)
        buf_puts(&src, i ? ".k" : "k");
    buf_puts(&src, " = 1\n");
    assert_contains(parse_err(buf_str(&src)), "nested deeper");
    buf_clear(&src);
    buf_puts(&src, "a = ");
    for (int i = 0; i < 100; i++)
        buf_puts(&src, "{ b = ");
    assert_contains(parse_err(buf_str(&src)), "expected a value");
    buf_free(&src);
}

static void test_many_keys(void **state)
{
    buf src = BUF_INIT;
    toml_doc *doc;
    char key[32];

    (void)state;
    for (int i = 0; i < 20000; i++)
        buf_printf(&src, "k%d = %d\n", i, i);
    doc = parse_ok(buf_str(&src));
    assert_int_equal(toml_len(toml_root(doc)), 20000);
    for (int i = 0; i < 20000; i += 7) {
        snprintf(key, sizeof key, "k%d", i);
        assert_int_equal(toml_int(toml_get(toml_root(doc), key)), i);
    }
    toml_free(doc);
    buf_puts(&src, "k19999 = 0\n");
    assert_contains(parse_err(buf_str(&src)), "t.toml:20001:1: duplicate key 'k19999'");
    buf_free(&src);
}

static void test_lines(void **state)
{
    toml_doc *doc = parse_ok("\xEF\xBB\xBF# bom, then comment\r\na = 1\r\n\r\n[t]\r\nb = \"\"\"\r\nx\r\n\"\"\"\r\nc = 2\r\n");
    const toml_value *r = toml_root(doc);

    (void)state;
    assert_int_equal(toml_line(toml_get(r, "a")), 2);
    assert_int_equal(toml_line(toml_get(r, "t")), 4);
    assert_string_equal(toml_str(toml_get(r, "t.b"), NULL), "x\n");
    assert_int_equal(toml_line(toml_get(r, "t.c")), 8);
    toml_free(doc);
}

/* Writing a value and reading it back gives the same text again. */
static void test_write_round_trip(void **state)
{
    static const char src[] =
        "v = { s = \"q\\\"\\\\\\n\\u0001\xc3\xa9\", i = -3, f = 0.1, big = 1e300, whole = 3.0,"
        "      negz = -0.0, inf = -inf, b = false, d = 1979-05-27T07:32:00Z, t = 07:32:00.25,"
        "      a = [1, [\"x\"], { k = 1 }], e = {}, \"odd key\" = 1 }\n";
    toml_doc *doc = parse_ok(src), *again;
    buf first = BUF_INIT, second = BUF_INIT;

    (void)state;
    toml_value_write(&first, toml_get(toml_root(doc), "v"));
    assert_string_equal(buf_str(&first),
                        "{ s = \"q\\\"\\\\\\n\\u0001\xc3\xa9\", i = -3, f = 0.1, big = 1e+300, "
                        "whole = 3.0, negz = -0.0, inf = -inf, b = false, d = 1979-05-27T07:32:00Z, "
                        "t = 07:32:00.25, a = [1, [\"x\"], { k = 1 }], e = {}, \"odd key\" = 1 }");
    buf_puts(&second, "v = ");
    buf_puts(&second, buf_str(&first));
    again = parse_ok(buf_str(&second));
    buf_clear(&second);
    toml_value_write(&second, toml_get(toml_root(again), "v"));
    assert_string_equal(buf_str(&first), buf_str(&second));
    toml_free(doc);
    toml_free(again);
    buf_free(&first);
    buf_free(&second);
}

static void test_parse_file(void **state)
{
    char *dir = test_tmpdir(), *path = test_write(dir, "c.toml", "x = [1, 2]\n");
    augur_err err = { 0 };
    toml_doc *doc;
    buf missing = BUF_INIT;

    (void)state;
    assert_int_equal(toml_parse_file(path, &doc, &err), AUGUR_OK);
    assert_int_equal(toml_len(toml_get(toml_root(doc), "x")), 2);
    toml_free(doc);
    buf_printf(&missing, "%s/none.toml", dir);
    assert_int_equal(toml_parse_file(buf_str(&missing), &doc, &err), AUGUR_ENOTFOUND);
    assert_contains(err.msg, "none.toml: No such file");
    assert_int_equal(toml_parse_file(dir, &doc, &err), AUGUR_EIO);
    assert_contains(err.msg, "is a directory");
    buf_free(&missing);
    free(path);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scalars),
        cmocka_unit_test(test_integer_limits),
        cmocka_unit_test(test_datetimes),
        cmocka_unit_test(test_lookup_paths),
        cmocka_unit_test(test_path_canon),
        cmocka_unit_test(test_error_locations),
        cmocka_unit_test(test_depth_limit),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_write_round_trip),
        cmocka_unit_test(test_parse_file),
    };
    return cmocka_run_group_tests_name("toml", tests, NULL, NULL);
}
