/*
** schema.h — JSON Schema: whether a document satisfies one.
**
** The keywords checked: type (a name or a list), enum, const, properties,
** required, additionalProperties, items, minItems, maxItems, minLength and
** maxLength (in characters), minimum, maximum, exclusiveMinimum, exclusiveMaximum,
** anyOf, oneOf, allOf, and $ref to "#" or "#/..." inside the same schema. Other
** keywords (format, description, title, ...) are annotations here.
*/
#ifndef AUGUR_SCHEMA_H
#define AUGUR_SCHEMA_H

#include <cjson/cJSON.h>

#include "base/buf.h"

/* 1 when doc satisfies schema; else 0, with the first failure written to why
** (may be NULL): "$.items[2].name: expected a string". */
int schema_validate(const cJSON *schema, const cJSON *doc, buf *why);

/* Whether v is of the JSON Schema type named type ("integer": a number without a
** fraction; "number" takes integers too). */
int schema_type_matches(const char *type, const cJSON *v);

/* The schema a JSON pointer fragment ("#", "#/$defs/item") names in root, or NULL. */
const cJSON *schema_ref(const cJSON *root, const char *ref);

#endif
