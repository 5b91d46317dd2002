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

#endif
