/*
** json.h — the small JSON helpers augur needs on top of cJSON.
*/
#ifndef AUGUR_JSON_H
#define AUGUR_JSON_H

#include <stddef.h>
#include <cjson/cJSON.h>

#include "base/buf.h"
#include "base/err.h"

/* Parse exactly one JSON document from text[len]; trailing garbage is an error.
** Errors name the document (name) with line and column. Free with cJSON_Delete. */
cJSON *json_parse(const char *text, size_t len, const char *name, augur_err *err);

/* Append s[n] as a JSON string literal: quoted, escaped, NUL bytes included. */
int json_quote(buf *out, const char *s, size_t n);

/* Append v in canonical form, so that equal documents give equal bytes however
** they were built: object keys sorted bytewise (stable, so repeated keys keep their
** order), no insignificant whitespace, strings as json_quote writes them, numbers
** that are integers below 2^53 as integers, others in the fewest digits that read
** back to the same double; NaN and infinities (which JSON cannot hold) as null. */
int json_canonical(buf *out, const cJSON *v);

#endif
