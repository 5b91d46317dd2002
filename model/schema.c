/* schema.c — checking a JSON document against a JSON Schema. */
#include "model/schema.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Deeper than this (through $ref, anyOf, ...) is a schema that loops. */
enum { SCHEMA_DEPTH_MAX = 256 };

typedef struct check {
    const cJSON *root;
    buf         *why;
    buf          path;   /* where in the document: "$.a[2]" */
    int          depth;
} check;

static int schema_apply(check *c, const cJSON *s, const cJSON *doc);

static int fail(check *c, const char *fmt, const char *arg)
{
    if (c->why && c->why->len == 0) {
        buf_printf(c->why, "$%s: ", buf_str(&c->path));
        buf_printf(c->why, fmt, arg);
    }
    return 0;
}

const cJSON *schema_ref(const cJSON *root, const char *ref)
{
    const cJSON *at = root;
    char token[256];

    if (ref[0] != '#')
        return NULL;
    for (const char *p = ref + 1; *p && at;) {
        size_t n = 0;
        if (*p++ != '/')
            return NULL;
        while (*p && *p != '/' && n < sizeof token - 1) {
            if (p[0] == '~' && (p[1] == '0' || p[1] == '1')) {
                token[n++] = p[1] == '0' ? '~' : '/';
                p += 2;
            } else {
                token[n++] = *p++;
            }
        }
        token[n] = '\0';
        at = cJSON_IsArray(at) ? cJSON_GetArrayItem(at, (int)strtol(token, NULL, 10))
                               : cJSON_GetObjectItemCaseSensitive(at, token);
    }
    return at;
}

static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsObject(v))
        return "object";
    if (cJSON_IsArray(v))
        return "array";
    if (cJSON_IsString(v))
        return "string";
    if (cJSON_IsBool(v))
        return "boolean";
    if (cJSON_IsNull(v))
        return "null";
    return v->valuedouble == floor(v->valuedouble) && isfinite(v->valuedouble) ? "integer"
                                                                               : "number";
}

int schema_type_matches(const char *want, const cJSON *doc)
{
    const char *kind = json_kind(doc);

    return strcmp(want, kind) == 0 || (strcmp(want, "number") == 0 && strcmp(kind, "integer") == 0);
}

static int check_type(check *c, const cJSON *type, const cJSON *doc)
{
    const cJSON *t;

    if (cJSON_IsString(type))
        return schema_type_matches(type->valuestring, doc) ? 1 : fail(c, "expected %s", type->valuestring);
    cJSON_ArrayForEach(t, type)
        if (cJSON_IsString(t) && schema_type_matches(t->valuestring, doc))
            return 1;
    return fail(c, "%s is not among the types allowed", json_kind(doc));
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static double number_at(const cJSON *s, const char *key, int *present)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(s, key);

    *present = cJSON_IsNumber(v);
    return *present ? v->valuedouble : 0;
}

static int check_bounds(check *c, const cJSON *s, const cJSON *doc)
{
    int has;
    double x = doc->valuedouble, b;

    if (cJSON_IsString(doc)) {
        size_t n = utf8_chars(doc->valuestring);
        if ((b = number_at(s, "minLength", &has), has) && (double)n < b)
            return fail(c, "%s shorter than minLength", "a string");
        if ((b = number_at(s, "maxLength", &has), has) && (double)n > b)
            return fail(c, "%s longer than maxLength", "a string");
    } else if (cJSON_IsArray(doc)) {
        double n = cJSON_GetArraySize(doc);
        if ((b = number_at(s, "minItems", &has), has) && n < b)
            return fail(c, "%s with fewer items than minItems", "an array");
        if ((b = number_at(s, "maxItems", &has), has) && n > b)
            return fail(c, "%s with more items than maxItems", "an array");
    } else if (cJSON_IsNumber(doc)) {
        if (((b = number_at(s, "minimum", &has), has) && x < b) ||
            ((b = number_at(s, "exclusiveMinimum", &has), has) && x <= b))
            return fail(c, "%s below the minimum", "a number");
        if (((b = number_at(s, "maximum", &has), has) && x > b) ||
            ((b = number_at(s, "exclusiveMaximum", &has), has) && x >= b))
            return fail(c, "%s above the maximum", "a number");
    }
    return 1;
}

static int check_enum(check *c, const cJSON *s, const cJSON *doc)
{
    const cJSON *e = cJSON_GetObjectItemCaseSensitive(s, "enum");
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(s, "const"), *v;

    if (k && !cJSON_Compare(k, doc, 1))
        return fail(c, "%s differs from const", "the value");
    if (!cJSON_IsArray(e))
        return 1;
    cJSON_ArrayForEach(v, e)
        if (cJSON_Compare(v, doc, 1))
            return 1;
    return fail(c, "%s is not one of enum", "the value");
}

/* Apply s to doc with ".key" or "[i]" added to the path. */
static int check_at(check *c, const cJSON *s, const cJSON *doc, const char *key, int index)
{
    size_t mark = c->path.len;
    int ok;

    if (key)
        buf_printf(&c->path, ".%s", key);
    else
        buf_printf(&c->path, "[%d]", index);
    ok = schema_apply(c, s, doc);
    buf_truncate(&c->path, mark);
    return ok;
}

static int check_object(check *c, const cJSON *s, const cJSON *doc)
{
    const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
    const cJSON *extra = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties"), *v;

    cJSON_ArrayForEach(v, req)
        if (cJSON_IsString(v) && !cJSON_GetObjectItemCaseSensitive(doc, v->valuestring))
            return fail(c, "required property '%s' is missing", v->valuestring);
    cJSON_ArrayForEach(v, doc) {
        const cJSON *ps = cJSON_GetObjectItemCaseSensitive(props, v->string);
        if (ps && !check_at(c, ps, v, v->string, 0))
            return 0;
        if (!ps && cJSON_IsFalse(extra))
            return fail(c, "property '%s' is not allowed", v->string);
        if (!ps && cJSON_IsObject(extra) && !check_at(c, extra, v, v->string, 0))
            return 0;
    }
    return 1;
}

static int check_items(check *c, const cJSON *s, const cJSON *doc)
{
    const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items"), *v;
    int i = 0;

    if (!cJSON_IsObject(items))
        return 1;
    cJSON_ArrayForEach(v, doc)
        if (!check_at(c, items, v, NULL, i++))
            return 0;
    return 1;
}

/* anyOf (want 0: at least one), oneOf (want 1: exactly one), allOf (every one). */
static int check_combined(check *c, const cJSON *s, const cJSON *doc)
{
    static const char *const keys[] = { "anyOf", "oneOf", "allOf" };

    for (int k = 0; k < 3; k++) {
        const cJSON *list = cJSON_GetObjectItemCaseSensitive(s, keys[k]), *alt;
        int matched = 0;
        if (!cJSON_IsArray(list))
            continue;
        cJSON_ArrayForEach(alt, list) {
            check sub = { c->root, NULL, BUF_INIT, c->depth };
            int ok = schema_apply(&sub, alt, doc);
            buf_free(&sub.path);
            matched += ok;
            if (k == 2 && !ok)
                return schema_apply(c, alt, doc);
        }
        if ((k == 0 && !matched) || (k == 1 && matched != 1))
            return fail(c, "the value matches %s", k == 0 ? "none of anyOf"
                                                           : "not exactly one of oneOf");
    }
    return 1;
}

static int schema_apply(check *c, const cJSON *s, const cJSON *doc)
{
    const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, "$ref");
    const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "type");
    int ok;

    if (cJSON_IsBool(s))
        return cJSON_IsTrue(s) ? 1 : fail(c, "%s is allowed here", "no value");
    if (++c->depth > SCHEMA_DEPTH_MAX)
        return fail(c, "%s", "the schema nests too deeply (a $ref loop?)");
    if (cJSON_IsString(ref)) {
        const cJSON *target = schema_ref(c->root, ref->valuestring);
        ok = target ? schema_apply(c, target, doc) : fail(c, "$ref '%s' names nothing",
                                                          ref->valuestring);
    } else {
        ok = (!type || check_type(c, type, doc)) && check_enum(c, s, doc) &&
             check_bounds(c, s, doc) && (!cJSON_IsObject(doc) || check_object(c, s, doc)) &&
             (!cJSON_IsArray(doc) || check_items(c, s, doc)) && check_combined(c, s, doc);
    }
    c->depth--;
    return ok;
}

int schema_validate(const cJSON *schema, const cJSON *doc, buf *why)
{
    check c = { schema, why, BUF_INIT, 0 };
    int ok = schema_apply(&c, schema, doc);

    buf_free(&c.path);
    return ok;
}
