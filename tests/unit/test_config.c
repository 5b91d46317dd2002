/* test_config.c — layered configuration: layers, types, open tables, every error. */
#include "test.h"

#include "agent/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const char config_defaults_toml[];

/* A schema with what the built-in one does not have yet: floats, arrays, an open
** table of tables and an open table of plain values. */
static const char schema[] =
    "[log]\n"
    "level = \"warn\"        # comment\n"
    "[model]\n"
    "temperature = 0.7\n"
    "stop = [\"</s>\"]\n"
    "[model.prices.\"*\"]\n"
    "input = 0.0\n"
    "output = 0.0\n"
    "[limits]\n"
    "\"*\" = 10\n";

static config *schema_config(void)
{
    augur_err err = { 0 };
    config *c;

    if (config_new_from(schema, strlen(schema), "schema", &c, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    return c;
}

/* Load text as a layer named "f.toml"; returns the code and leaves the message in err. */
static int load(config *c, const char *text, augur_err *err)
{
    memset(err, 0, sizeof *err);
    return config_load_text(c, text, strlen(text), "f.toml", err);
}

static void test_defaults(void **state)
{
    augur_err err = { 0 };
    config *c;
    int line = -1;

    (void)state;
    assert_int_equal(config_new(&c, &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "warn");
    assert_string_equal(config_origin(c, "log.level", &line), "default");
    assert_true(line > 0);
    assert_null(config_get(c, "log"));
    assert_null(config_get(c, "log.nothing"));
    assert_null(config_origin(c, "log.nothing", &line));
    assert_int_equal(line, 0);
    config_free(c);
}

/* agent.toml documents every key it defines with a comment on the key's line. */
static void test_defaults_documented(void **state)
{
    const char *s = config_defaults_toml;

    (void)state;
    while (*s) {
        const char *end = strchr(s, '\n');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        char line[512];

        snprintf(line, sizeof line, "%.*s", (int)n, s);
        if (line[0] && line[0] != '#' && line[0] != '[' && strchr(line, '=') && !strstr(line, " # "))
            fail_msg("agent.toml: key without a comment: %s", line);
        s += end ? n + 1 : n;
    }
}

static void test_file_layer(void **state)
{
    config *c = schema_config();
    augur_err err;
    int line;

    (void)state;
    assert_int_equal(load(c, "# mine\n[log]\nlevel = \"debug\"\n[model]\ntemperature = 1\n", &err),
                     AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "debug");
    assert_string_equal(config_origin(c, "log.level", &line), "f.toml");
    assert_int_equal(line, 3);
    /* An integer where a float is expected is that float. */
    assert_true(config_float(c, "model.temperature", 0) == 1.0);
    assert_string_equal(config_origin(c, "model.stop", NULL), "default");
    config_free(c);
}

static void test_unknown_keys(void **state)
{
    config *c = schema_config();
    augur_err err;

    (void)state;
    assert_int_equal(load(c, "[log]\nlevle = \"debug\"\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:2: unknown key 'log.levle' (did you mean 'log.level'?)");
    assert_int_equal(load(c, "[lgo]\nlevel = \"x\"\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:1: unknown key 'lgo' (did you mean 'log'?)");
    /* A known key in the wrong table is found where it lives. */
    assert_int_equal(load(c, "\n\nlevel = \"debug\"\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:3: unknown key 'level' (did you mean 'log.level'?)");
    /* Nothing close: no suggestion. */
    assert_int_equal(load(c, "zzzzzzzz = 1\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:1: unknown key 'zzzzzzzz'");
    config_free(c);
}

static void test_wrong_types(void **state)
{
    config *c = schema_config();
    augur_err err;

    (void)state;
    assert_int_equal(load(c, "[log]\nlevel = 3\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:2: 'log.level' must be a string, not an integer");
    assert_int_equal(load(c, "model.temperature = \"hot\"\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:1: 'model.temperature' must be a float, not a string");
    assert_int_equal(load(c, "model.stop = [\"a\", 2]\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:1: 'model.stop[1]' must be a string, not an integer");
    assert_int_equal(load(c, "log = 1\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:1: 'log' is a table of settings, not a value (found an integer)");
    assert_int_equal(load(c, "[model.prices.x]\ninput = true\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:2: 'model.prices.x.input' must be a float, not a boolean");
    config_free(c);
}

static void test_syntax_error(void **state)
{
    config *c = schema_config();
    augur_err err;

    (void)state;
    assert_int_equal(load(c, "[log]\nlevel = \"debug\n", &err), AUGUR_ESYNTAX);
    assert_string_equal(err.msg, "f.toml:2:15: newline in a single-line string");
    config_free(c);
}

/* Every error is reported, and a layer with any error changes nothing. */
static void test_all_errors_nothing_applied(void **state)
{
    config *c = schema_config();
    augur_err err;

    (void)state;
    assert_int_equal(load(c, "[log]\nlevel = \"debug\"\ncolour = 1\n[model]\ntemprature = 1.0\n", &err),
                     AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:3: unknown key 'log.colour'\n"
                                 "f.toml:5: unknown key 'model.temprature' (did you mean "
                                 "'model.temperature'?)");
    assert_string_equal(config_str(c, "log.level", "?"), "warn");
    assert_string_equal(config_origin(c, "log.level", NULL), "default");
    config_free(c);
}

static void test_many_errors_bounded(void **state)
{
    config *c = schema_config();
    buf text = BUF_INIT;
    augur_err err;

    (void)state;
    for (int i = 0; i < 100; i++)
        buf_printf(&text, "unknown_key_number_%d = %d\n", i, i);
    assert_int_equal(load(c, buf_str(&text), &err), AUGUR_ECONFIG);
    assert_contains(err.msg, "f.toml:1: unknown key 'unknown_key_number_0'");
    assert_contains(err.msg, "more errors");
    assert_true(strlen(err.msg) < sizeof err.msg);
    buf_free(&text);
    config_free(c);
}

static void test_open_tables(void **state)
{
    config *c = schema_config();
    augur_err err;
    buf shown = BUF_INIT;

    (void)state;
    assert_int_equal(load(c, "[model.prices.\"gpt-4o\"]\ninput = 2.5\n[limits]\nretries = 3\n", &err),
                     AUGUR_OK);
    assert_true(config_float(c, "model.prices.\"gpt-4o\".input", 0) == 2.5);
    /* The entry's other keys take the template's values. */
    assert_true(config_float(c, "model.prices.'gpt-4o'.output", -1) == 0.0);
    assert_string_equal(config_origin(c, "model.prices.\"gpt-4o\".output", NULL), "default");
    assert_int_equal(config_int(c, "limits.retries", 0), 3);
    assert_null(config_get(c, "model.prices.\"*\".input"));
    assert_int_equal(load(c, "[model.prices.x]\ninptu = 1.0\n", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "f.toml:2: unknown key 'model.prices.x.inptu' (did you mean "
                                 "'model.prices.x.input'?)");
    assert_int_equal(config_show(c, &shown), AUGUR_OK);
    assert_contains(buf_str(&shown), "[model.prices.gpt-4o]\ninput = 2.5");
    assert_contains(buf_str(&shown), "# f.toml:2");
    buf_free(&shown);
    config_free(c);
}

static void test_set(void **state)
{
    config *c = schema_config();
    augur_err err = { 0 };
    int line = -1;

    (void)state;
    assert_int_equal(config_set(c, "log.level=debug", &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "debug");
    assert_string_equal(config_origin(c, "log.level", &line), "-c log.level=debug");
    assert_int_equal(line, 0);
    assert_int_equal(config_set(c, "log.level=\"a = b\"", &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "a = b");
    /* Where a string is expected, unquoted text is the string, even if it looks like a number. */
    assert_int_equal(config_set(c, "log.level=3", &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "3");
    assert_int_equal(config_set(c, "model.stop=[\"x\", \"y\"]", &err), AUGUR_OK);
    assert_int_equal(toml_len(config_get(c, "model.stop")), 2);
    assert_int_equal(config_set(c, "'model'.prices.\"a=b\".input = 4", &err), AUGUR_OK);
    assert_true(config_float(c, "model.prices.\"a=b\".input", 0) == 4.0);
    assert_int_equal(config_set(c, "limits.retries=7", &err), AUGUR_OK);
    assert_int_equal(config_int(c, "limits.retries", 0), 7);
    config_free(c);
}

static void test_set_errors(void **state)
{
    config *c = schema_config();
    augur_err err = { 0 };

    (void)state;
    assert_int_equal(config_set(c, "log.level", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "-c log.level: expected KEY=VALUE");
    assert_int_equal(config_set(c, "=x", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "-c =x: expected KEY=VALUE");
    assert_int_equal(config_set(c, "a..b=1", &err), AUGUR_ECONFIG);
    assert_contains(err.msg, "-c a..b=1: 'a..b' is not a key: ");
    assert_int_equal(config_set(c, "log.levle=debug", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "-c log.levle=debug: unknown key 'log.levle' (did you mean 'log.level'?)");
    assert_int_equal(config_set(c, "limits.retries=many", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "-c limits.retries=many: 'limits.retries' must be an integer, not a string");
    assert_int_equal(config_set(c, "model.temperature=1\nlog.level=\"x\"", &err), AUGUR_ECONFIG);
    assert_string_equal(err.msg, "-c model.temperature=1\nlog.level=\"x\": the value must be one TOML value");
    assert_string_equal(config_str(c, "log.level", "?"), "warn");
    config_free(c);
}

/* The show output is TOML that reads back to the same values. */
static void test_show_round_trip(void **state)
{
    config *c = schema_config(), *again = schema_config();
    augur_err err;
    buf shown = BUF_INIT, twice = BUF_INIT;

    (void)state;
    assert_int_equal(load(c, "model.stop = []\n[limits]\nx = 1\n[model.prices.\"a b\"]\noutput = 9.5\n", &err),
                     AUGUR_OK);
    assert_int_equal(config_show(c, &shown), AUGUR_OK);
    assert_int_equal(load(again, buf_str(&shown), &err), AUGUR_OK);
    assert_true(config_float(again, "model.prices.\"a b\".output", 0) == 9.5);
    assert_int_equal(config_int(again, "limits.x", 0), 1);
    assert_int_equal(toml_len(config_get(again, "model.stop")), 0);
    config_free(again);
    config_free(c);
    buf_free(&shown);
    buf_free(&twice);
}

static void test_standard_layers(void **state)
{
    char *home = test_tmpdir(), *cwd = getcwd(NULL, 0), *user, *local, *given;
    const char *sets[] = { "log.level=off" };
    char user_dir[4096];
    augur_err err = { 0 };
    config *c;
    int line;

    (void)state;
    snprintf(user_dir, sizeof user_dir, "%s/augur", home);
    assert_int_equal(mkdir(user_dir, 0700), 0);
    user = test_write(user_dir, "agent.toml", "[log]\nlevel = \"info\"\n");
    local = test_write(home, "agent.toml", "\n[log]\nlevel = \"error\"\n");
    given = test_write(home, "given.toml", "\n\n[log]\nlevel = \"debug\"\n");
    setenv("XDG_CONFIG_HOME", home, 1);
    assert_int_equal(chdir(home), 0);

    assert_int_equal(config_new(&c, &err), AUGUR_OK);
    assert_int_equal(config_load_layers(c, NULL, NULL, 0, &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "error");
    assert_string_equal(config_origin(c, "log.level", &line), "agent.toml");
    assert_int_equal(line, 3);
    config_free(c);

    assert_int_equal(config_new(&c, &err), AUGUR_OK);
    assert_int_equal(config_load_layers(c, given, sets, 0, &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "debug");
    assert_int_equal(config_load_layers(c, given, sets, 1, &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "off");
    config_free(c);

    unlink(local);
    assert_int_equal(config_new(&c, &err), AUGUR_OK);
    assert_int_equal(config_load_layers(c, NULL, NULL, 0, &err), AUGUR_OK);
    assert_string_equal(config_str(c, "log.level", "?"), "info");
    assert_string_equal(config_origin(c, "log.level", NULL), user);
    assert_int_equal(config_load_layers(c, "missing.toml", NULL, 0, &err), AUGUR_ENOTFOUND);
    assert_string_equal(err.msg, "missing.toml: No such file or directory");
    config_free(c);

    assert_int_equal(chdir(cwd), 0);
    unsetenv("XDG_CONFIG_HOME");
    test_rmtree(home);
    free(home);
    free(cwd);
    free(user);
    free(local);
    free(given);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_defaults_documented),
        cmocka_unit_test(test_file_layer),
        cmocka_unit_test(test_unknown_keys),
        cmocka_unit_test(test_wrong_types),
        cmocka_unit_test(test_syntax_error),
        cmocka_unit_test(test_all_errors_nothing_applied),
        cmocka_unit_test(test_many_errors_bounded),
        cmocka_unit_test(test_open_tables),
        cmocka_unit_test(test_set),
        cmocka_unit_test(test_set_errors),
        cmocka_unit_test(test_show_round_trip),
        cmocka_unit_test(test_standard_layers),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
