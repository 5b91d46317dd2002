/*
** test_grammar.c — JSON Schemas made into grammars: texts they take and refuse,
** random walks through them that must always end in JSON satisfying the schema,
** tool calls, and the schemas refused.
*/
#include "test.h"

#include "base/json.h"
#include "base/rng.h"
#include "model/grammar.h"
#include "model/schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char person[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"name\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":8},"
    "\"age\":{\"type\":\"integer\"},"
    "\"height\":{\"type\":\"number\"},"
    "\"tags\":{\"type\":\"array\",\"items\":{\"enum\":[\"red\",\"green\",7,null]},\"maxItems\":3},"
    "\"pet\":{\"anyOf\":[{\"type\":\"null\"},{\"$ref\":\"#/$defs/pet\"}]},"
    "\"ok\":{\"type\":\"boolean\"},"
    "\"kind\":{\"const\":\"person\"},"
    "\"extra\":{}},"
    "\"required\":[\"name\",\"age\",\"kind\"],"
    "\"$defs\":{\"pet\":{\"type\":\"object\",\"properties\":{\"species\":{\"type\":\"string\"},"
    "\"friend\":{\"anyOf\":[{\"$ref\":\"#/$defs/pet\"},{\"type\":\"null\"}]}},"
    "\"required\":[\"species\",\"friend\"],\"additionalProperties\":false}}}";

static grammar *make(const char *schema_text, enum grammar_kind kind, const char *tools_text)
{
    cJSON *schema = schema_text ? cJSON_Parse(schema_text) : NULL;
    cJSON *tools = tools_text ? cJSON_Parse(tools_text) : NULL;
    augur_err err = { 0 };
    grammar *g;

    if (grammar_new(&g, kind, schema, tools, &err) != AUGUR_OK)
        fail_msg("grammar_new: %s", err.msg);
    cJSON_Delete(schema);
    cJSON_Delete(tools);
    return g;
}

/* Whether the grammar takes text whole (it must then be allowed to end). */
static int takes(grammar *g, const char *text)
{
    augur_err err = { 0 };
    grammar_matcher *m;
    int ok;

    if (grammar_matcher_new(&m, g, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    ok = grammar_matcher_accept(m, text, strlen(text)) == AUGUR_OK && grammar_matcher_accepting(m);
    grammar_matcher_free(m);
    return ok;
}

static void test_texts(void **state)
{
    static const char *const good[] = {
        "{\"name\":\"Ann\",\"age\":30,\"kind\":\"person\"}",
        " {\"name\": \"Bo\", \"age\": -7, \"height\": 1.85e+02, \"kind\": \"person\"}",
        "{\"name\":\"\xc3\xa9t\xc3\xa9\",\"age\":0,\"tags\":[\"red\",7,null],\"kind\":\"person\"}",
        "{\"name\":\"a\\\"b\\\\\",\"age\":1,\"pet\":{\"species\":\"cat\",\"friend\":{\"species\":"
        "\"dog\",\"friend\":null}},\"ok\":true,\"kind\":\"person\",\"extra\":[{\"x\":[]}]}",
        "{\"name\":\"x\",\"age\":1,\"pet\":null,\"kind\":\"person\"}",
    };
    static const char *const bad[] = {
        "{\"age\":30,\"name\":\"Ann\",\"kind\":\"person\"}",               /* out of order */
        "{\"name\":\"Ann\",\"kind\":\"person\"}",                           /* age missing */
        "{\"name\":\"\",\"age\":1,\"kind\":\"person\"}",                     /* too short */
        "{\"name\":\"abcdefghi\",\"age\":1,\"kind\":\"person\"}",            /* too long */
        "{\"name\":\"a\",\"age\":1.5,\"kind\":\"person\"}",                  /* not an integer */
        "{\"name\":\"a\",\"age\":01,\"kind\":\"person\"}",                   /* a leading zero */
        "{\"name\":\"a\",\"age\":1,\"kind\":\"dog\"}",                       /* const */
        "{\"name\":\"a\",\"age\":1,\"tags\":[\"blue\"],\"kind\":\"person\"}", /* enum */
        "{\"name\":\"a\",\"age\":1,\"tags\":[7,7,7,7],\"kind\":\"person\"}",  /* maxItems */
        "{\"name\":\"a\\u0041\",\"age\":1,\"kind\":\"person\"}",             /* \u escapes */
        "{\"name\":\"a\x01\",\"age\":1,\"kind\":\"person\"}",                /* a control byte */
        "{\"name\":\"\xc3\",\"age\":1,\"kind\":\"person\"}",                 /* broken UTF-8 */
        "{\"name\":\"\xed\xa0\x80\",\"age\":1,\"kind\":\"person\"}",         /* a surrogate */
        "{\"name\":\"a\",  \"age\":1,\"kind\":\"person\"}",                  /* two spaces */
        "{\"name\":\"a\",\"age\":1,\"kind\":\"person\",\"zzz\":1}",          /* unlisted */
        "{\"name\":\"a\",\"age\":1,\"pet\":{\"species\":\"cat\"},\"kind\":\"person\"}",
        "{\"name\":\"a\",\"age\":12345678901234567,\"kind\":\"person\"}",    /* 17 digits */
    };
    grammar *g = make(person, GRAMMAR_SCHEMA, NULL);

    (void)state;
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        if (!takes(g, good[i]))
            fail_msg("refused: %s", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (takes(g, bad[i]))
            fail_msg("took: %s", bad[i]);
    assert_int_equal(grammar_min_length(g),
                     strlen("{\"name\":\"x\",\"age\":0,\"kind\":\"person\"}"));
    grammar_free(g);
}

/* A random text the grammar takes, of at most budget bytes (at least the shortest):
** bytes drawn among those that leave a way to an end in time. */
static char *random_text(grammar *g, uint64_t seed, size_t budget)
{
    augur_err err = { 0 };
    grammar_matcher *m;
    buf out = BUF_INIT;
    rng r;

    rng_seed(&r, seed);
    if (grammar_matcher_new(&m, g, &err) != AUGUR_OK)
        fail_msg("%s", err.msg);
    while (!grammar_matcher_complete(m)) {
        int choices[256], n = 0;
        size_t left = budget > out.len + 1 ? budget - out.len - 1 : 0;
        if (grammar_matcher_accepting(m) && rng_below(&r, 8) == 0)
            break;
        for (int c = 0; c < 256; c++) {
            char byte = (char)c;
            if (grammar_matcher_allows(m, &byte, 1, left))
                choices[n++] = c;
        }
        if (n == 0 && grammar_matcher_accepting(m))
            break;
        if (n == 0)
            fail_msg("no byte may follow '%s'", buf_str(&out));
        char byte = (char)choices[rng_below(&r, n)];
        assert_int_equal(grammar_matcher_accept(m, &byte, 1), AUGUR_OK);
        buf_putc(&out, byte);
    }
    grammar_matcher_free(m);
    return out.data ? buf_take(&out) : strdup("");
}

static void test_random_walks(void **state)
{
    cJSON *schema = cJSON_Parse(person);
    grammar *g = make(person, GRAMMAR_SCHEMA, NULL);

    (void)state;
    for (uint64_t seed = 1; seed <= 60; seed++) {
        char *text = random_text(g, seed, 60 + 3 * seed);
        buf why = BUF_INIT;
        cJSON *doc = json_parse(text, strlen(text), "walk", NULL);
        assert_true(strlen(text) <= 60 + 3 * seed);
        if (!doc || !schema_validate(schema, doc, &why))
            fail_msg("seed %llu: '%s' %s", (unsigned long long)seed, text,
                     doc ? buf_str(&why) : "does not parse");
        cJSON_Delete(doc);
        buf_free(&why);
        free(text);
    }
    grammar_free(g);
    cJSON_Delete(schema);
}

static void test_tools(void **state)
{
    static const char tools[] =
        "[{\"type\":\"function\",\"function\":{\"name\":\"add\",\"parameters\":{\"type\":\"object\","
        "\"properties\":{\"a\":{\"type\":\"integer\"},\"b\":{\"type\":\"integer\"}},\"required\":"
        "[\"a\",\"b\"]}}},{\"type\":\"function\",\"function\":{\"name\":\"now\"}}]";
    grammar *g = make(NULL, GRAMMAR_TOOL, tools);

    (void)state;
    assert_true(takes(g, "{\"name\":\"add\",\"arguments\":{\"a\":1,\"b\":2}}"));
    assert_true(takes(g, "{\"name\": \"now\", \"arguments\": {}}"));
    assert_false(takes(g, "{\"name\":\"sub\",\"arguments\":{\"a\":1,\"b\":2}}"));
    assert_false(takes(g, "{\"name\":\"add\",\"arguments\":{\"a\":1}}"));
    grammar_free(g);
    g = make(NULL, GRAMMAR_AFTER_TRIGGER, tools);
    assert_true(takes(g, " {\"name\":\"now\",\"arguments\":{}}</tool_call>"));
    assert_false(takes(g, "{\"name\":\"now\",\"arguments\":{}}"));
    grammar_free(g);
    g = make("{\"type\":\"integer\"}", GRAMMAR_SCHEMA_OR_TOOL, tools);
    assert_true(takes(g, "42"));
    assert_true(takes(g, "<tool_call>{\"name\":\"now\",\"arguments\":{}}</tool_call>"));
    assert_false(takes(g, "\"42\""));
    grammar_free(g);
}

/* Deep nesting, a byte at a time, under "any value" and a recursive $ref: the
** stacks are as deep as the text, and each step must still take and count right. */
static void test_deep(void **state)
{
    static const char *const schemas[] = {
        "{}",
        "{\"$ref\":\"#/$defs/l\",\"$defs\":{\"l\":{\"type\":\"array\",\"items\":"
        "{\"$ref\":\"#/$defs/l\"},\"maxItems\":2}}}",
    };
    enum { DEPTH = 3000 };
    augur_err err = { 0 };

    (void)state;
    for (size_t k = 0; k < sizeof schemas / sizeof *schemas; k++) {
        grammar *g = make(schemas[k], GRAMMAR_SCHEMA, NULL);
        grammar_matcher *m;
        if (grammar_matcher_new(&m, g, &err) != AUGUR_OK)
            fail_msg("%s", err.msg);
        for (int i = 0; i < DEPTH; i++) {
            assert_int_equal(grammar_matcher_accept(m, "[", 1), AUGUR_OK);
            assert_int_equal(grammar_matcher_remaining(m), i + 1);   /* "]" for each */
        }
        assert_int_equal(grammar_matcher_accept(m, "x", 1), AUGUR_EINVAL);
        for (int i = 0; i < DEPTH; i++) {
            assert_false(grammar_matcher_accepting(m));
            assert_int_equal(grammar_matcher_accept(m, "]", 1), AUGUR_OK);
        }
        assert_true(grammar_matcher_complete(m));
        grammar_matcher_free(m);
        grammar_free(g);
    }
}

static void test_refused(void **state)
{
    static const struct { const char *schema, *msg; } cases[] = {
        { "{\"type\":\"string\",\"pattern\":\"^a$\"}", "'pattern' cannot be enforced while "
          "decoding (at #)" },
        { "{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\",\"minimum\":0}}}",
          "'minimum' cannot be enforced while decoding (at #/properties/n)" },
        { "{\"type\":\"cat\"}", "unknown type 'cat' (at #)" },
        { "{\"$ref\":\"#/$defs/none\"}", "$ref '#/$defs/none' names nothing" },
        { "{\"type\":\"string\",\"maxLength\":100000}", "maxLength above 65536" },
        { "{\"type\":\"array\",\"items\":[{\"type\":\"string\"}]}", "items as a list" },
        { "{\"enum\":[]}", "an empty enum allows nothing" },
        { "{\"type\":\"string\",\"enum\":[1,2]}", "an empty enum allows nothing" },
        { "{\"allOf\":[{\"type\":\"string\"},{\"maxLength\":3}]}", "allOf of one schema only" },
        { "{\"$defs\":{\"a\":{\"$ref\":\"#/$defs/a\"}},\"$ref\":\"#/$defs/a\"}",
          "no finite value satisfies it" },
        { "false", "false allows no value" },
        { "{\"type\":\"string\",\"maxLength\":1e300}", "maxLength above 65536" },
        { "{\"type\":\"array\",\"maxItems\":-1}", "maxItems must be a whole number >= 0" },
        { "{\"type\":\"array\",\"minItems\":2.5}", "minItems must be a whole number >= 0" },
        { "{\"properties\":5}", "'properties' has the wrong kind of value (at #)" },
        { "{\"type\":\"object\",\"required\":\"a\"}", "'required' has the wrong kind" },
        { "{\"items\":\"x\"}", "'items' has the wrong kind of value" },
        { "{\"type\":0}", "'type' has the wrong kind of value" },
        { "{\"type\":[]}", "'type' lists no type" },
        { "{\"type\":[\"string\",7]}", "'type' must list type names" },
        { "{\"$ref\":1}", "'$ref' has the wrong kind of value" },
    };

    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        cJSON *s = cJSON_Parse(cases[i].schema);
        augur_err err = { 0 };
        grammar *g = NULL;
        if (grammar_new(&g, GRAMMAR_SCHEMA, s, NULL, &err) != AUGUR_EINVAL)
            fail_msg("case %zu was not refused", i);
        assert_null(g);
        assert_contains(err.msg, cases[i].msg);
        cJSON_Delete(s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_texts),
        cmocka_unit_test(test_random_walks),
        cmocka_unit_test(test_tools),
        cmocka_unit_test(test_deep),
        cmocka_unit_test(test_refused),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
