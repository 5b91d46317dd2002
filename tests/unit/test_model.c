/*
** test_model.c — the model interface without a server: JSON Schema checks, bad
** arguments and options, replay files (good, broken, ambiguous), the cache file.
*/
#include "test.h"

#include "base/json.h"
#include "model/cache.h"
#include "model/model.h"
#include "model/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether doc satisfies schema; the reason in why when it does not. */
static int valid(const char *schema, const char *doc, char *why, size_t size)
{
    cJSON *s = cJSON_Parse(schema), *d = cJSON_Parse(doc);
    buf reason = BUF_INIT;
    int ok;

    if (!s || !d)
        fail_msg("test JSON does not parse: %s / %s", schema, doc);
    ok = schema_validate(s, d, &reason);
    snprintf(why, size, "%s", buf_str(&reason));
    buf_free(&reason);
    cJSON_Delete(s);
    cJSON_Delete(d);
    return ok;
}

static void test_schema_validate(void **state)
{
    static const char person[] =
        "{\"type\":\"object\",\"properties\":{\"name\":{\"type\":\"string\",\"minLength\":1,"
        "\"maxLength\":5},\"age\":{\"type\":\"integer\",\"minimum\":0,\"maximum\":150},"
        "\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"a\",\"b\"]},\"maxItems\":2},"
        "\"kind\":{\"const\":\"person\"}},\"required\":[\"name\",\"age\"],"
        "\"additionalProperties\":false}";
    static const struct {
        const char *schema, *doc, *why;   /* why NULL: valid */
    } cases[] = {
        { person, "{\"name\":\"Ann\",\"age\":30}", NULL },
        { person, "{\"name\":\"Ann\",\"age\":30,\"tags\":[\"a\",\"b\"],\"kind\":\"person\"}", NULL },
        { person, "{\"name\":\"Ann\"}", "$: required property 'age' is missing" },
        { person, "{\"name\":\"Ann\",\"age\":30.5}", "$.age: expected integer" },
        { person, "{\"name\":\"Ann\",\"age\":-1}", "$.age: a number below the minimum" },
        { person, "{\"name\":\"Ann\",\"age\":200}", "$.age: a number above the maximum" },
        { person, "{\"name\":\"\",\"age\":1}", "$.name: a string shorter than minLength" },
        { person, "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\",\"age\":1}", NULL },
        { person, "{\"name\":\"Annabel\",\"age\":1}", "$.name: a string longer than maxLength" },
        { person, "{\"name\":\"A\",\"age\":1,\"tags\":[\"c\"]}", "$.tags[0]: the value is not one of enum" },
        { person, "{\"name\":\"A\",\"age\":1,\"tags\":[\"a\",\"a\",\"a\"]}",
          "$.tags: an array with more items than maxItems" },
        { person, "{\"name\":\"A\",\"age\":1,\"kind\":\"cat\"}", "$.kind: the value differs from const" },
        { person, "{\"name\":\"A\",\"age\":1,\"extra\":true}", "$: property 'extra' is not allowed" },
        { person, "[1]", "$: expected object" },
        { "{\"type\":[\"string\",\"null\"]}", "null", NULL },
        { "{\"type\":[\"string\",\"null\"]}", "3", "$: integer is not among the types allowed" },
        { "{\"type\":\"number\"}", "3", NULL },
        { "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"boolean\"}]}", "true", NULL },
        { "{\"anyOf\":[{\"type\":\"string\"},{\"type\":\"boolean\"}]}", "1", "$: the value matches none of anyOf" },
        { "{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}", "1",
          "$: the value matches not exactly one of oneOf" },
        { "{\"allOf\":[{\"type\":\"integer\"},{\"minimum\":5}]}", "4", "$: a number below the minimum" },
        { "{\"$defs\":{\"node\":{\"type\":\"object\",\"properties\":{\"next\":{\"anyOf\":"
          "[{\"$ref\":\"#/$defs/node\"},{\"type\":\"null\"}]}},\"required\":[\"next\"]}},"
          "\"$ref\":\"#/$defs/node\"}", "{\"next\":{\"next\":{\"next\":null}}}", NULL },
        { "{\"$ref\":\"#/$defs/missing\"}", "1", "$: $ref '#/$defs/missing' names nothing" },
        { "{\"$ref\":\"#\"}", "1", "$: the schema nests too deeply (a $ref loop?)" },
        { "false", "1", "$: no value is allowed here" },
        { "{\"format\":\"date-time\",\"description\":\"annotations only\"}", "\"x\"", NULL },
    };
    char why[256];

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int ok = valid(cases[i].schema, cases[i].doc, why, sizeof why);
        if (ok != !cases[i].why || (cases[i].why && strcmp(why, cases[i].why) != 0))
            fail_msg("case %zu: %s against %s: got %d '%s'", i, cases[i].doc, cases[i].schema, ok,
                     why);
    }
}

static model *open_replay(const char *path, const char *name, int want, augur_err *err)
{
    model_config mc = MODEL_CONFIG_DEFAULT;
    model *m = NULL;

    mc.backend = MODEL_REPLAY;
    mc.replay = path;
    mc.name = name;
    memset(err, 0, sizeof *err);
    assert_int_equal(model_open(&m, &mc, err), want);
    return m;
}

static void test_bad_calls(void **state)
{
    char *dir = test_tmpdir(), *path;
    model_options o = MODEL_OPTIONS_DEFAULT;
    model_message msg = { MODEL_USER, "hi", NULL, 0, NULL };
    model_tool tool = { "", "nameless", NULL };
    model_result r;
    augur_err err;
    model *m;

    (void)state;
    path = test_write(dir, "empty.jsonl", "\n");
    m = open_replay(path, "", AUGUR_OK, &err);
    assert_int_equal(model_chat(m, &msg, 0, NULL, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "at least one message");
    model_result_free(&r);
    msg.role = MODEL_TOOL;
    assert_int_equal(model_chat(m, &msg, 1, NULL, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "message 0: a tool's answer names no call");
    model_result_free(&r);
    msg.role = MODEL_USER;
    msg.content = NULL;
    assert_int_equal(model_chat(m, &msg, 1, NULL, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "message 0: no content");
    model_result_free(&r);
    msg.content = "hi";
    o.top_p = 1.5;
    assert_int_equal(model_chat(m, &msg, 1, &o, &r, &err), AUGUR_EINVAL);
    model_result_free(&r);
    o.top_p = -1;
    o.tools = &tool;
    o.n_tools = 1;
    assert_int_equal(model_chat(m, &msg, 1, &o, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "tool 0 has no name");
    model_result_free(&r);
    tool.name = "t";
    tool.parameters = "[1]";
    assert_int_equal(model_chat(m, &msg, 1, &o, &r, &err), AUGUR_EINVAL);
    assert_contains(err.msg, "tool 0's parameters: a JSON Schema is an object or a boolean");
    model_result_free(&r);
    o.n_tools = 0;
    assert_int_equal(model_chat(m, &msg, 1, &o, &r, &err), AUGUR_ENOTFOUND);
    assert_string_equal(r.text, "");
    assert_int_equal(r.finish, MODEL_FINISH_NONE);
    model_result_free(&r);
    model_close(m);
    free(path);

    {
        model_config mc = MODEL_CONFIG_DEFAULT;
        mc.temperature = -1;
        assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
        mc = (model_config)MODEL_CONFIG_DEFAULT;
        mc.backend = MODEL_REPLAY;
        assert_int_equal(model_open(&m, &mc, &err), AUGUR_EINVAL);
        assert_contains(err.msg, "needs a file");
    }
    test_rmtree(dir);
    free(dir);
}

static void test_replay_files(void **state)
{
    static const char two_models[] =
        "{\"hash\":\"0000000000000000000000000000000000000000000000000000000000000000\","
        "\"kind\":\"chat\",\"request\":{\"model\":\"a\"},\"response\":{}}\n"
        "{\"hash\":\"1111111111111111111111111111111111111111111111111111111111111111\","
        "\"kind\":\"chat\",\"request\":{\"model\":\"b\"},\"response\":{}}\n";
    static const char no_hash[] = "{\"kind\":\"chat\",\"request\":{},\"response\":{}}\n";
    static const char broken[] =
        "{\"hash\":\"0000000000000000000000000000000000000000000000000000000000000000\","
        "\"kind\":\"chat\",\"request\":{\"model\":\"a\"},\"response\":{}}\n{\"hash\":\n";
    char *dir = test_tmpdir(), *path;
    augur_err err;
    model *m;

    (void)state;
    path = test_write(dir, "two.jsonl", two_models);
    open_replay(path, "", AUGUR_EINVAL, &err);
    assert_contains(err.msg, "the calls name several models");
    m = open_replay(path, "b", AUGUR_OK, &err);
    assert_string_equal(model_name(m), "b");
    model_close(m);
    free(path);
    path = test_write(dir, "nohash.jsonl", no_hash);
    open_replay(path, "", AUGUR_ESYNTAX, &err);
    assert_contains(err.msg, "nohash.jsonl:1: not a record");
    free(path);
    path = test_write(dir, "broken.jsonl", broken);
    open_replay(path, "", AUGUR_ESYNTAX, &err);
    assert_contains(err.msg, "broken.jsonl:2: a line that is not JSON");
    free(path);
    if (asprintf(&path, "%s/missing.jsonl", dir) < 0)
        fail_msg("out of memory");
    open_replay(path, "", AUGUR_ENOTFOUND, &err);
    assert_contains(err.msg, "No such file");
    free(path);
    test_rmtree(dir);
    free(dir);
}

static void test_cache_file(void **state)
{
    char *dir = test_tmpdir(), *path, *json = NULL;
    augur_err err = { 0 };
    model_cache *c;

    (void)state;
    path = test_write(dir, "not-a-cache", "this is not SQLite, but it is long enough to tell");
    assert_int_equal(model_cache_open(&c, path, &err), AUGUR_EIO);
    assert_contains(err.msg, "not-a-cache: not a cache file");
    free(path);
    if (asprintf(&path, "%s/c.sqlite", dir) < 0)
        fail_msg("out of memory");
    assert_int_equal(model_cache_open(&c, path, &err), AUGUR_OK);
    assert_int_equal(model_cache_get(c, "k", 0, &json, &err), AUGUR_OK);
    assert_null(json);
    assert_int_equal(model_cache_put(c, "k", "http", "m", "{\"text\":\"x\"}", &err), AUGUR_OK);
    assert_int_equal(model_cache_put(c, "k", "http", "m", "{\"text\":\"y\"}", &err), AUGUR_OK);
    assert_int_equal(model_cache_get(c, "k", 0, &json, &err), AUGUR_OK);
    assert_string_equal(json, "{\"text\":\"y\"}");
    free(json);
    model_cache_close(c);
    free(path);
    test_rmtree(dir);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_validate),
        cmocka_unit_test(test_bad_calls),
        cmocka_unit_test(test_replay_files),
        cmocka_unit_test(test_cache_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
