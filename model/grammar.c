/* grammar.c — a JSON Schema, or a set of tools, made into a grammar over bytes. */
#include "model/grammar_impl.h"
#include "base/buf.h"
#include "base/json.h"
#include "model/schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Counts a grammar spells out one rule per step of; larger ones are refused. */
enum { MAX_LENGTH = 65536, MAX_MIN_ITEMS = 1024, MAX_NESTING = 64 };

/* ---- rules -------------------------------------------------------------------------- */

typedef struct seq {
    gelem *e;
    size_t n, cap;
    int    oom;
} seq;

static void seq_push(seq *s, const gelem *e)
{
    if (buf_grow_array(&s->e, &s->cap, s->n + 1, sizeof *s->e) != AUGUR_OK) {
        s->oom = 1;
        return;
    }
    s->e[s->n++] = *e;
}

static void seq_range(seq *s, int lo, int hi)
{
    gelem e = { G_BYTES, 0, { 0 } };

    for (int b = lo; b <= hi; b++)
        e.set[b >> 5] |= 1u << (b & 31);
    seq_push(s, &e);
}

/* One element taking any byte of chars. */
static void seq_any(seq *s, const char *chars)
{
    gelem e = { G_BYTES, 0, { 0 } };

    for (const unsigned char *c = (const unsigned char *)chars; *c; c++)
        e.set[*c >> 5] |= 1u << (*c & 31);
    seq_push(s, &e);
}

static void seq_lit(seq *s, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        seq_range(s, (unsigned char)p[i], (unsigned char)p[i]);
}

static void seq_str(seq *s, const char *p)
{
    seq_lit(s, p, strlen(p));
}

static void seq_rule(seq *s, int rule)
{
    gelem e = { G_RULE, rule, { 0 } };

    seq_push(s, &e);
}

typedef struct build {
    grammar     *g;
    const cJSON *doc;         /* the document $refs resolve in */
    augur_err   *err;
    int          failed;      /* the first error's code, once one happened */
    buf          path;        /* where in the schema we are, for messages */
    struct { const cJSON *schema; int rule; } *memo;   /* $ref targets made into rules */
    size_t       n_memo, cap_memo;
    int          ws, digit, chr, str, num, integer, value, boolean, null;   /* shared; -1: not yet */
    int          depth;
} build;

static int build_fail(build *b, int code, const char *fmt, const char *arg)
{
    if (!b->failed) {
        b->failed = code;
        augur_err_set(b->err, code, fmt, arg, buf_str(&b->path));
    }
    return -1;
}

static int build_oom(build *b)
{
    return build_fail(b, AUGUR_ENOMEM, "out of memory%s (at %s)", "");
}

static int rule_new(build *b)
{
    grammar *g = b->g;

    if (b->failed)
        return -1;
    if (buf_grow_array(&g->rules, &g->cap_rules, g->n_rules + 1, sizeof *g->rules) != AUGUR_OK)
        return build_oom(b);
    g->rules[g->n_rules] = (grule){ NULL, 0 };
    return (int)g->n_rules++;
}

static int elems_push(grammar *g, const gelem *e)
{
    if (buf_grow_array(&g->elems, &g->cap_elems, g->n_elems + 1, sizeof *g->elems) != AUGUR_OK)
        return AUGUR_ENOMEM;
    g->elems[g->n_elems++] = *e;
    return AUGUR_OK;
}

/* Add s (then freed) as an alternative of rule. */
static int rule_alt(build *b, int rule, seq *s)
{
    static const gelem end = { G_END, 0, { 0 } };
    grammar *g = b->g;
    grule *r;
    int32_t *alts, start = (int32_t)g->n_elems;
    int ok = !s->oom && rule >= 0 && !b->failed;

    for (size_t i = 0; ok && i < s->n; i++)
        ok = s->e[i].kind != G_RULE || s->e[i].rule >= 0;
    for (size_t i = 0; ok && i < s->n; i++)
        ok = elems_push(g, &s->e[i]) == AUGUR_OK;
    free(s->e);
    *s = (seq){ NULL, 0, 0, 0 };
    if (!ok || elems_push(g, &end) != AUGUR_OK)
        return b->failed ? -1 : build_oom(b);
    r = &g->rules[rule];
    if (!(alts = realloc(r->alts, (size_t)(r->n_alts + 1) * sizeof *alts)))
        return build_oom(b);
    alts[r->n_alts++] = start;
    r->alts = alts;
    return rule;
}

/* A rule of one alternative, s. */
static int rule_of(build *b, seq *s)
{
    return rule_alt(b, rule_new(b), s);
}

/* A rule: s, or nothing. */
static int rule_optional(build *b, seq *s)
{
    int r = rule_new(b);
    seq none = { 0 };

    rule_alt(b, r, s);
    return rule_alt(b, r, &none);
}

/* ---- JSON pieces ----------------------------------------------------------------------- */

/* WS ::= " " | nothing: at most one space between tokens. */
static int json_ws(build *b)
{
    seq s = { 0 };

    if (b->ws < 0) {
        seq_str(&s, " ");
        b->ws = rule_optional(b, &s);
    }
    return b->ws;
}

/* WS "," WS */
static void seq_sep(build *b, seq *s)
{
    seq_rule(s, json_ws(b));
    seq_str(s, ",");
    seq_rule(s, json_ws(b));
}

/* One character of a string: printable ASCII but " and \, a well-formed UTF-8
** sequence, or an escape. */
static int json_char(build *b)
{
    static const char *const escapes = "\"\\/bfnrt";
    static const struct { int lo, hi; } tail[][4] = {
        { { 0xC2, 0xDF }, { 0x80, 0xBF } },
        { { 0xE0, 0xE0 }, { 0xA0, 0xBF }, { 0x80, 0xBF } },
        { { 0xE1, 0xEC }, { 0x80, 0xBF }, { 0x80, 0xBF } },
        { { 0xED, 0xED }, { 0x80, 0x9F }, { 0x80, 0xBF } },
        { { 0xEE, 0xEF }, { 0x80, 0xBF }, { 0x80, 0xBF } },
        { { 0xF0, 0xF0 }, { 0x90, 0xBF }, { 0x80, 0xBF }, { 0x80, 0xBF } },
        { { 0xF1, 0xF3 }, { 0x80, 0xBF }, { 0x80, 0xBF }, { 0x80, 0xBF } },
        { { 0xF4, 0xF4 }, { 0x80, 0x8F }, { 0x80, 0xBF }, { 0x80, 0xBF } },
    };
    gelem ascii = { G_BYTES, 0, { 0 } };
    seq s = { 0 };
    int r;

    if (b->chr >= 0)
        return b->chr;
    r = rule_new(b);
    for (int c = 0x20; c <= 0x7F; c++)
        if (c != '"' && c != '\\')
            ascii.set[c >> 5] |= 1u << (c & 31);
    seq_push(&s, &ascii);
    rule_alt(b, r, &s);
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++) {
        for (int k = 0; k < 4 && tail[i][k].lo; k++)
            seq_range(&s, tail[i][k].lo, tail[i][k].hi);
        rule_alt(b, r, &s);
    }
    seq_str(&s, "\\");
    seq_any(&s, escapes);
    rule_alt(b, r, &s);
    return b->chr = r;
}

/* item repeated: at most max more times (max < 0: any number), each after sep
** when sep_first, as a chain of rules. */
static int json_more(build *b, int item, long max, int sep_first)
{
    seq s = { 0 }, none = { 0 };
    int next = -1, r;

    if (max < 0) {
        r = rule_new(b);
        if (sep_first)
            seq_sep(b, &s);
        seq_rule(&s, item);
        seq_rule(&s, r);
        rule_alt(b, r, &s);
        return rule_alt(b, r, &none);
    }
    for (long k = 0; k <= max && !b->failed; k++) {
        r = rule_new(b);
        if (k > 0) {
            if (sep_first)
                seq_sep(b, &s);
            seq_rule(&s, item);
            seq_rule(&s, next);
            rule_alt(b, r, &s);
        }
        next = rule_alt(b, r, &none);
    }
    return next;
}

/* '"' CHAR{min,max} '"' (max < 0: no bound). */
static int json_string(build *b, long min, long max)
{
    seq s = { 0 };

    if (min == 0 && max < 0 && b->str >= 0)
        return b->str;
    seq_str(&s, "\"");
    for (long i = 0; i < min; i++)
        seq_rule(&s, json_char(b));
    if (max != min)
        seq_rule(&s, json_more(b, json_char(b), max < 0 ? -1 : max - min, 0));
    seq_str(&s, "\"");
    if (min == 0 && max < 0)
        return b->str = rule_of(b, &s);
    return rule_of(b, &s);
}

/* [0-9] */
static int json_digit(build *b)
{
    seq s = { 0 };

    if (b->digit < 0) {
        seq_range(&s, '0', '9');
        b->digit = rule_of(b, &s);
    }
    return b->digit;
}

/* An integer of at most 16 digits, "-" allowed. */
static int json_integer(build *b)
{
    seq s = { 0 };
    int nat, minus;

    if (b->integer >= 0)
        return b->integer;
    nat = rule_new(b);
    seq_str(&s, "0");
    rule_alt(b, nat, &s);
    seq_range(&s, '1', '9');
    seq_rule(&s, json_more(b, json_digit(b), 15, 0));
    rule_alt(b, nat, &s);
    seq_str(&s, "-");
    minus = rule_optional(b, &s);
    seq_rule(&s, minus);
    seq_rule(&s, nat);
    return b->integer = rule_of(b, &s);
}

/* An integer, then maybe a fraction of up to 15 digits, then maybe an exponent of
** up to 2 digits. */
static int json_number(build *b)
{
    seq s = { 0 };
    int frac, sign, exp;

    if (b->num >= 0)
        return b->num;
    seq_str(&s, ".");
    seq_rule(&s, json_digit(b));
    seq_rule(&s, json_more(b, json_digit(b), 14, 0));
    frac = rule_optional(b, &s);
    sign = rule_new(b);
    seq_str(&s, "+");
    rule_alt(b, sign, &s);
    seq_str(&s, "-");
    rule_alt(b, sign, &s);
    rule_alt(b, sign, &s);
    seq_any(&s, "eE");
    seq_rule(&s, sign);
    seq_rule(&s, json_digit(b));
    seq_rule(&s, json_more(b, json_digit(b), 1, 0));
    exp = rule_optional(b, &s);
    seq_rule(&s, json_integer(b));
    seq_rule(&s, frac);
    seq_rule(&s, exp);
    return b->num = rule_of(b, &s);
}

static int json_words(build *b, const char *const *words, int n)
{
    seq s = { 0 };
    int r = rule_new(b);

    for (int i = 0; i < n; i++) {
        seq_str(&s, words[i]);
        rule_alt(b, r, &s);
    }
    return r;
}

static int json_value(build *b);

/* "{" (STRING ":" value, ...) "}" with any keys. */
static int json_object_any(build *b, int value)
{
    seq s = { 0 }, kv = { 0 }, opt = { 0 };

    seq_rule(&kv, json_string(b, 0, -1));
    seq_rule(&kv, json_ws(b));
    seq_str(&kv, ":");
    seq_rule(&kv, json_ws(b));
    seq_rule(&kv, value);
    {
        int pair = rule_of(b, &kv);
        seq_rule(&opt, pair);
        seq_rule(&opt, json_more(b, pair, -1, 1));
    }
    seq_str(&s, "{");
    seq_rule(&s, json_ws(b));
    seq_rule(&s, rule_optional(b, &opt));
    seq_rule(&s, json_ws(b));
    seq_str(&s, "}");
    return rule_of(b, &s);
}

/* "[" item, ... "]" with min..max items (max < 0: no bound). */
static int json_array(build *b, int item, long min, long max)
{
    seq s = { 0 }, items = { 0 };

    seq_str(&s, "[");
    seq_rule(&s, json_ws(b));
    if (max != 0) {
        long first = min > 0 ? min : 1;
        seq_rule(&items, item);
        for (long i = 1; i < first; i++) {
            seq_sep(b, &items);
            seq_rule(&items, item);
        }
        seq_rule(&items, json_more(b, item, max < 0 ? -1 : max - first, 1));
        seq_rule(&s, min > 0 ? rule_of(b, &items) : rule_optional(b, &items));
    }
    seq_rule(&s, json_ws(b));
    seq_str(&s, "]");
    return rule_of(b, &s);
}

/* Any JSON value. */
static int json_value(build *b)
{
    static const char *const words[] = { "true", "false", "null" };
    seq s = { 0 };
    int r;

    if (b->value >= 0)
        return b->value;
    r = b->value = rule_new(b);
    seq_rule(&s, json_object_any(b, r));
    rule_alt(b, r, &s);
    seq_rule(&s, json_array(b, r, 0, -1));
    rule_alt(b, r, &s);
    seq_rule(&s, json_string(b, 0, -1));
    rule_alt(b, r, &s);
    seq_rule(&s, json_number(b));
    rule_alt(b, r, &s);
    seq_rule(&s, json_words(b, words, 3));
    return rule_alt(b, r, &s);
}

/* ---- schemas ---------------------------------------------------------------------------- */

static int schema_rule(build *b, const cJSON *s);

static const cJSON *kw(const cJSON *s, const char *key)
{
    return cJSON_GetObjectItemCaseSensitive(s, key);
}

/* Schema s at path + "/" + key, compiled; the path restored after. */
static int schema_at(build *b, const cJSON *s, const char *key)
{
    size_t mark = b->path.len;
    int r;

    buf_printf(&b->path, "/%s", key);
    r = schema_rule(b, s);
    if (!b->failed)
        buf_truncate(&b->path, mark);
    return r;
}

/* A non-negative integer keyword of s at most max; def when absent. */
static long schema_count(build *b, const cJSON *s, const char *key, long def, long max)
{
    const cJSON *v = kw(s, key);

    if (!v)
        return def;
    if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble != floor(v->valuedouble))
        return build_fail(b, AUGUR_EINVAL, "schema: %s must be a whole number >= 0 (at %s)", key),
               def;
    if (v->valuedouble > (double)max) {
        char what[96];
        snprintf(what, sizeof what, "%s above %ld", key, max);
        return build_fail(b, AUGUR_EINVAL, "schema: %s cannot be decoded under a grammar (at %s)",
                          what), def;
    }
    return (long)v->valuedouble;
}

/* Alternatives, one per canonical JSON text of the values. */
static int schema_literals(build *b, const cJSON *values)
{
    int r = rule_new(b);
    const cJSON *v;
    buf text = BUF_INIT;

    cJSON_ArrayForEach(v, values) {
        seq s = { 0 };
        buf_clear(&text);
        if (json_canonical(&text, v) != AUGUR_OK) {
            buf_free(&text);
            return build_oom(b);
        }
        seq_lit(&s, text.data, text.len);
        rule_alt(b, r, &s);
    }
    buf_free(&text);
    if (!b->failed && b->g->rules[r].n_alts == 0)
        return build_fail(b, AUGUR_EINVAL, "schema: an empty enum allows nothing%s (at %s)", "");
    return r;
}

/* "NAME" WS ":" WS value */
static int schema_pair(build *b, const char *name, int value)
{
    buf key = BUF_INIT;
    seq s = { 0 };

    if (json_quote(&key, name, strlen(name)) != AUGUR_OK) {
        buf_free(&key);
        return build_oom(b);
    }
    seq_lit(&s, key.data, key.len);
    buf_free(&key);
    seq_rule(&s, json_ws(b));
    seq_str(&s, ":");
    seq_rule(&s, json_ws(b));
    seq_rule(&s, value);
    return rule_of(b, &s);
}

typedef struct prop {
    const char  *name;
    const cJSON *schema;     /* NULL: a required name without a schema: any value */
    int          required;
} prop;

/* The properties a schema lists, in its order, then the required names it does not
** list. */
static prop *schema_props(build *b, const cJSON *s, int *n)
{
    const cJSON *props = kw(s, "properties"), *req = kw(s, "required"), *p;
    size_t cap = (size_t)cJSON_GetArraySize(props) + (size_t)cJSON_GetArraySize(req) + 1;
    prop *list = calloc(cap, sizeof *list);

    *n = 0;
    if (!list) {
        build_oom(b);
        return NULL;
    }
    cJSON_ArrayForEach(p, props)
        list[(*n)++] = (prop){ p->string, p, 0 };
    cJSON_ArrayForEach(p, req) {
        int i = 0;
        if (!cJSON_IsString(p)) {
            free(list);
            build_fail(b, AUGUR_EINVAL, "schema: required must list names%s (at %s)", "");
            return NULL;
        }
        while (i < *n && strcmp(list[i].name, p->valuestring) != 0)
            i++;
        if (i == *n)
            list[(*n)++] = (prop){ p->valuestring, NULL, 0 };
        list[i].required = 1;
    }
    return list;
}

/* The value rule of a property, its path in messages. */
static int schema_prop_value(build *b, const prop *p)
{
    size_t mark = b->path.len;
    int r;

    if (!p->schema)
        return json_value(b);
    buf_puts(&b->path, "/properties");
    r = schema_at(b, p->schema, p->name);
    if (!b->failed)
        buf_truncate(&b->path, mark);
    return r;
}

/* "{" WS PROPS WS "}", where rules none[i] and some[i] write properties i.. (some:
** each after a comma): the required ones always, the others when chosen. */
static int schema_object(build *b, const cJSON *s)
{
    const cJSON *extra = kw(s, "additionalProperties");
    int n, none = -1, some = -1;
    prop *props = schema_props(b, s, &n);
    seq o = { 0 };

    if (!props)
        return -1;
    if (n == 0) {
        free(props);
        if (!cJSON_IsFalse(extra))
            return json_object_any(b, cJSON_IsObject(extra) ? schema_at(b, extra, "additionalProperties")
                                                            : json_value(b));
        seq_str(&o, "{");
        seq_rule(&o, json_ws(b));
        seq_str(&o, "}");
        return rule_of(b, &o);
    }
    for (int i = n; i >= 0 && !b->failed; i--) {
        int nn = rule_new(b), ns = rule_new(b), pair;
        seq a = { 0 }, c = { 0 };
        if (i == n) {
            rule_alt(b, nn, &a);
            rule_alt(b, ns, &c);
        } else {
            pair = schema_pair(b, props[i].name, schema_prop_value(b, &props[i]));
            seq_rule(&a, pair);
            seq_rule(&a, some);
            rule_alt(b, nn, &a);
            seq_sep(b, &c);
            seq_rule(&c, pair);
            seq_rule(&c, some);
            rule_alt(b, ns, &c);
            if (!props[i].required) {
                seq_rule(&a, none);
                rule_alt(b, nn, &a);
                seq_rule(&c, some);
                rule_alt(b, ns, &c);
            }
        }
        none = nn;
        some = ns;
    }
    free(props);
    seq_str(&o, "{");
    seq_rule(&o, json_ws(b));
    seq_rule(&o, none);
    seq_rule(&o, json_ws(b));
    seq_str(&o, "}");
    return rule_of(b, &o);
}

static int schema_items(build *b, const cJSON *s)
{
    const cJSON *items = kw(s, "items");
    long min = schema_count(b, s, "minItems", 0, MAX_MIN_ITEMS);
    long max = kw(s, "maxItems") ? schema_count(b, s, "maxItems", -1, MAX_LENGTH) : -1;

    if (cJSON_IsArray(items))
        return build_fail(b, AUGUR_EINVAL, "schema: items as a list (tuples) cannot be decoded "
                          "under a grammar%s (at %s)", "");
    if (cJSON_IsFalse(items))
        max = 0;
    if (max >= 0 && max < min)
        return build_fail(b, AUGUR_EINVAL, "schema: maxItems below minItems%s (at %s)", "");
    return json_array(b, cJSON_IsObject(items) ? schema_at(b, items, "items") : json_value(b), min,
                      max);
}

static int schema_type(build *b, const cJSON *s, const char *type)
{
    static const char *const booleans[] = { "true", "false" }, *const null[] = { "null" };

    if (strcmp(type, "object") == 0)
        return schema_object(b, s);
    if (strcmp(type, "array") == 0)
        return schema_items(b, s);
    if (strcmp(type, "string") == 0) {
        long min = schema_count(b, s, "minLength", 0, MAX_LENGTH);
        long max = kw(s, "maxLength") ? schema_count(b, s, "maxLength", -1, MAX_LENGTH) : -1;
        if (max >= 0 && max < min)
            return build_fail(b, AUGUR_EINVAL, "schema: maxLength below minLength%s (at %s)", "");
        return json_string(b, min, max);
    }
    if (strcmp(type, "integer") == 0)
        return json_integer(b);
    if (strcmp(type, "number") == 0)
        return json_number(b);
    if (strcmp(type, "boolean") == 0)
        return b->boolean >= 0 ? b->boolean : (b->boolean = json_words(b, booleans, 2));
    if (strcmp(type, "null") == 0)
        return b->null >= 0 ? b->null : (b->null = json_words(b, null, 1));
    return build_fail(b, AUGUR_EINVAL, "schema: unknown type '%s' (at %s)", type);
}

/* Keywords that constrain values in ways a grammar over text cannot. */
static int schema_refused(build *b, const cJSON *s)
{
    static const char *const refused[] = {
        "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
        "uniqueItems", "not", "if", "then", "else", "minProperties", "maxProperties",
        "patternProperties", "propertyNames", "dependentRequired", "dependentSchemas",
        "dependencies", "contains", "minContains", "maxContains", "prefixItems",
        "unevaluatedProperties", "unevaluatedItems", "additionalItems", "contentEncoding",
    };

    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++)
        if (kw(s, refused[i]))
            return build_fail(b, AUGUR_EINVAL, "schema: '%s' cannot be enforced while decoding "
                              "(at %s); leave it out, or ask a server that supports it",
                              refused[i]);
    return 0;
}

/* Keywords whose value has the wrong shape: a schema that means nothing clear. */
static int schema_malformed(build *b, const cJSON *s)
{
    static const struct { const char *key; int shapes; } keys[] = {
        { "properties", cJSON_Object }, { "required", cJSON_Array }, { "enum", cJSON_Array },
        { "items", cJSON_Object | cJSON_True | cJSON_False | cJSON_Array },
        { "additionalProperties", cJSON_Object | cJSON_True | cJSON_False },
        { "type", cJSON_String | cJSON_Array }, { "$ref", cJSON_String },
    };
    const cJSON *v;

    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if ((v = kw(s, keys[i].key)) && !(v->type & keys[i].shapes))
            return build_fail(b, AUGUR_EINVAL, "schema: '%s' has the wrong kind of value (at %s)",
                              keys[i].key);
    cJSON_ArrayForEach(v, kw(s, "type"))
        if (!cJSON_IsString(v))
            return build_fail(b, AUGUR_EINVAL, "schema: '%s' must list type names (at %s)",
                              "type");
    if (cJSON_IsArray(kw(s, "type")) && cJSON_GetArraySize(kw(s, "type")) == 0)
        return build_fail(b, AUGUR_EINVAL, "schema: '%s' lists no type (at %s)", "type");
    return 0;
}

/* The type names a schema admits, from "type" or, without one, from its keywords. */
static int schema_types(const cJSON *s, const char **types)
{
    const cJSON *t = kw(s, "type"), *v;
    int n = 0;

    if (cJSON_IsString(t)) {
        types[n++] = t->valuestring;
    } else if (cJSON_IsArray(t)) {
        cJSON_ArrayForEach(v, t)
            if (n < 8)
                types[n++] = v->valuestring;
    } else if (kw(s, "properties") || kw(s, "required") || kw(s, "additionalProperties")) {
        types[n++] = "object";
    } else if (kw(s, "items") || kw(s, "minItems") || kw(s, "maxItems")) {
        types[n++] = "array";
    } else if (kw(s, "minLength") || kw(s, "maxLength")) {
        types[n++] = "string";
    }
    return n;
}

/* The enum or const values of s that its types admit. */
static int schema_enum(build *b, const cJSON *s, const char **types, int n)
{
    const cJSON *k = kw(s, "const"), *v;
    cJSON *keep = cJSON_CreateArray();
    int r;

    if (!keep)
        return build_oom(b);
    for (v = k ? k : kw(s, "enum") ? kw(s, "enum")->child : NULL; v; v = k ? NULL : v->next) {
        int ok = n == 0;
        for (int i = 0; !ok && i < n; i++)
            ok = schema_type_matches(types[i], v);
        if (ok && !cJSON_AddItemToArray(keep, cJSON_Duplicate(v, 1))) {
            cJSON_Delete(keep);
            return build_oom(b);
        }
    }
    r = schema_literals(b, keep);
    cJSON_Delete(keep);
    return r;
}

/* The rule of a $ref's target, made once, so that a schema may refer to itself. */
static int schema_ref_rule(build *b, const char *ref)
{
    const cJSON *target = schema_ref(b->doc, ref);
    seq s = { 0 };
    int r;

    if (!target)
        return build_fail(b, AUGUR_EINVAL, "schema: $ref '%s' names nothing (at %s)", ref);
    for (size_t i = 0; i < b->n_memo; i++)
        if (b->memo[i].schema == target)
            return b->memo[i].rule;
    if (buf_grow_array(&b->memo, &b->cap_memo, b->n_memo + 1, sizeof *b->memo) != AUGUR_OK)
        return build_oom(b);
    r = rule_new(b);
    b->memo[b->n_memo].schema = target;
    b->memo[b->n_memo++].rule = r;
    seq_rule(&s, schema_rule(b, target));
    return rule_alt(b, r, &s);
}

/* anyOf, oneOf (as anyOf; the reply is checked against the schema afterwards), or
** allOf of one schema. */
static int schema_combined(build *b, const cJSON *s, const char *key, const cJSON *list)
{
    const cJSON *alt;
    int r = rule_new(b), i = 0;

    if (!cJSON_IsArray(list) || cJSON_GetArraySize(list) == 0 ||
        (strcmp(key, "allOf") == 0 && cJSON_GetArraySize(list) != 1))
        return build_fail(b, AUGUR_EINVAL, "schema: %s must be a list (allOf of one schema "
                          "only) (at %s)", key);
    if (kw(s, "type") || kw(s, "properties") || kw(s, "enum") || kw(s, "const") || kw(s, "items"))
        return build_fail(b, AUGUR_EINVAL, "schema: %s beside type, properties, items, enum or "
                          "const cannot be decoded under a grammar (at %s)", key);
    cJSON_ArrayForEach(alt, list) {
        char at[48];
        seq one = { 0 };
        snprintf(at, sizeof at, "%s/%d", key, i++);
        seq_rule(&one, schema_at(b, alt, at));
        rule_alt(b, r, &one);
    }
    return r;
}

static int schema_rule(build *b, const cJSON *s)
{
    const char *types[8];
    const cJSON *ref = kw(s, "$ref");
    int n, r;

    if (b->failed)
        return -1;
    if (cJSON_IsTrue(s))
        return json_value(b);
    if (!cJSON_IsObject(s))
        return build_fail(b, AUGUR_EINVAL, "schema: %s allows no value (at %s)",
                          cJSON_IsFalse(s) ? "false" : "a schema that is not an object");
    if (++b->depth > MAX_NESTING)
        return build_fail(b, AUGUR_EINVAL, "schema: nested deeper than 64%s (at %s)", "");
    if (schema_refused(b, s) < 0 || schema_malformed(b, s) < 0)
        return -1;
    n = schema_types(s, types);
    if (cJSON_IsString(ref))
        r = schema_ref_rule(b, ref->valuestring);
    else if (kw(s, "anyOf") || kw(s, "oneOf") || kw(s, "allOf"))
        r = schema_combined(b, s, kw(s, "anyOf") ? "anyOf" : kw(s, "oneOf") ? "oneOf" : "allOf",
                            kw(s, "anyOf") ? kw(s, "anyOf") : kw(s, "oneOf") ? kw(s, "oneOf")
                                                                             : kw(s, "allOf"));
    else if (kw(s, "enum") || kw(s, "const"))
        r = schema_enum(b, s, types, n);
    else if (n == 0)
        r = json_value(b);
    else if (n == 1)
        r = schema_type(b, s, types[0]);
    else {
        int has_number = 0;
        r = rule_new(b);
        for (int i = 0; i < n; i++)
            has_number |= strcmp(types[i], "number") == 0;
        for (int i = 0; i < n; i++) {
            seq one = { 0 };
            if (has_number && strcmp(types[i], "integer") == 0)
                continue;
            seq_rule(&one, schema_type(b, s, types[i]));
            rule_alt(b, r, &one);
        }
    }
    b->depth--;
    return r;
}

/* {"name": NAME, "arguments": ARGS}, one alternative per tool. */
static int tool_call(build *b, const cJSON *tools)
{
    const cJSON *t;
    int r = rule_new(b), i = 0;
    buf name = BUF_INIT;

    cJSON_ArrayForEach(t, tools) {
        const cJSON *fn = kw(t, "function"), *params = kw(fn, "parameters");
        const cJSON *n = kw(fn, "name");
        seq s = { 0 };
        char at[32];
        if (!cJSON_IsString(n)) {
            buf_free(&name);
            return build_fail(b, AUGUR_EINVAL, "tools: a tool without a name%s (at %s)", "");
        }
        buf_clear(&name);
        json_quote(&name, n->valuestring, strlen(n->valuestring));
        seq_str(&s, "{");
        seq_rule(&s, json_ws(b));
        seq_str(&s, "\"name\"");
        seq_rule(&s, json_ws(b));
        seq_str(&s, ":");
        seq_rule(&s, json_ws(b));
        seq_lit(&s, name.data, name.len);
        seq_sep(b, &s);
        seq_str(&s, "\"arguments\"");
        seq_rule(&s, json_ws(b));
        seq_str(&s, ":");
        seq_rule(&s, json_ws(b));
        b->doc = params;
        buf_clear(&b->path);
        snprintf(at, sizeof at, "tools[%d].parameters#", i++);
        buf_puts(&b->path, at);
        seq_rule(&s, params ? schema_rule(b, params) : json_object_any(b, json_value(b)));
        seq_rule(&s, json_ws(b));
        seq_str(&s, "}");
        rule_alt(b, r, &s);
    }
    buf_free(&name);
    if (!b->failed && b->g->rules[r].n_alts == 0)
        return build_fail(b, AUGUR_EINVAL, "tools: no tools to call%s (at %s)", "");
    return r;
}

/* GRAMMAR_TOOL_OPEN WS CALL WS GRAMMAR_TOOL_CLOSE, the opening left out after the
** trigger. */
static int tool_marked(build *b, const cJSON *tools, int with_open)
{
    seq s = { 0 };

    if (with_open)
        seq_str(&s, GRAMMAR_TOOL_OPEN);
    seq_rule(&s, json_ws(b));
    seq_rule(&s, tool_call(b, tools));
    seq_rule(&s, json_ws(b));
    seq_str(&s, GRAMMAR_TOOL_CLOSE);
    return rule_of(b, &s);
}

static int build_root(build *b, enum grammar_kind kind, const cJSON *schema, const cJSON *tools)
{
    seq s = { 0 };
    int r = rule_new(b);

    if (kind == GRAMMAR_AFTER_TRIGGER) {
        seq_rule(&s, tool_marked(b, tools, 0));
        return rule_alt(b, r, &s);
    }
    seq_rule(&s, json_ws(b));
    b->doc = schema;
    buf_puts(&b->path, "#");
    seq_rule(&s, kind == GRAMMAR_TOOL ? tool_call(b, tools) : schema_rule(b, schema));
    rule_alt(b, r, &s);
    if (kind == GRAMMAR_SCHEMA_OR_TOOL) {
        seq_rule(&s, tool_marked(b, tools, 1));
        rule_alt(b, r, &s);
    }
    return r;
}

/* ---- lengths ------------------------------------------------------------------------- */

static uint32_t add_sat(uint32_t a, uint32_t b)
{
    return a >= GRAMMAR_INF - b ? GRAMMAR_INF : a + b;
}

/* rest[] for every element: the fewest bytes from it to the end of its alternative,
** with each rule's fewest found by iterating to a fixed point. */
static int grammar_lengths(grammar *g)
{
    uint32_t *minlen = malloc(g->n_rules * sizeof *minlen);
    int changed = 1;

    if (!minlen || !(g->rest = malloc(g->n_elems * sizeof *g->rest))) {
        free(minlen);
        return AUGUR_ENOMEM;
    }
    for (size_t r = 0; r < g->n_rules; r++)
        minlen[r] = GRAMMAR_INF;
    while (changed) {
        changed = 0;
        for (size_t i = g->n_elems; i-- > 0;) {
            const gelem *e = &g->elems[i];
            g->rest[i] = e->kind == G_END   ? 0
                       : e->kind == G_BYTES ? add_sat(1, g->rest[i + 1])
                                            : add_sat(minlen[e->rule], g->rest[i + 1]);
        }
        for (size_t r = 0; r < g->n_rules; r++)
            for (int a = 0; a < g->rules[r].n_alts; a++)
                if (g->rest[g->rules[r].alts[a]] < minlen[r]) {
                    minlen[r] = g->rest[g->rules[r].alts[a]];
                    changed = 1;
                }
    }
    free(minlen);
    return AUGUR_OK;
}

int grammar_new(grammar **out, enum grammar_kind kind, const cJSON *schema, const cJSON *tools,
                augur_err *err)
{
    build b = { 0 };
    int rc;

    *out = NULL;
    if (!(b.g = calloc(1, sizeof *b.g)))
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    b.err = err;
    b.ws = b.digit = b.chr = b.str = b.num = b.integer = b.value = b.boolean = b.null = -1;
    b.g->root = build_root(&b, kind, schema, tools);
    rc = b.failed ? b.failed : grammar_lengths(b.g);
    if (rc == AUGUR_ENOMEM && !b.failed)
        augur_err_set(err, rc, "out of memory");
    else if (rc == AUGUR_OK && grammar_min_length(b.g) == GRAMMAR_INF)
        rc = augur_err_set(err, AUGUR_EINVAL, "schema: no finite value satisfies it");
    free(b.memo);
    buf_free(&b.path);
    if (rc != AUGUR_OK) {
        grammar_free(b.g);
        return rc;
    }
    *out = b.g;
    return AUGUR_OK;
}

void grammar_free(grammar *g)
{
    if (!g)
        return;
    for (size_t r = 0; r < g->n_rules; r++)
        free(g->rules[r].alts);
    free(g->rules);
    free(g->elems);
    free(g->rest);
    free(g);
}

size_t grammar_min_length(const grammar *g)
{
    uint32_t best = GRAMMAR_INF;
    const grule *r = &g->rules[g->root];

    for (int a = 0; a < r->n_alts; a++)
        if (g->rest[r->alts[a]] < best)
            best = g->rest[r->alts[a]];
    return best;
}
