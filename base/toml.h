/*
** toml.h — a TOML 1.0 parser: a document becomes a read-only tree of values.
**
**     toml_doc *doc;
**     if (toml_parse_file("agent.toml", &doc, &err) != AUGUR_OK)
**         puts(err.msg);                         // "agent.toml:3:9: duplicate key 'x'"
**     const toml_value *v = toml_get(toml_root(doc), "sandbox.memory_mb");
**     int64_t mb = v && toml_kind(v) == TOML_INTEGER ? toml_int(v) : 64;
**     toml_free(doc);
**
** Every value belongs to its document and lives until toml_free. Tables keep their
** keys in the order the document gives them. Strings are UTF-8, NUL-terminated,
** and may also hold NUL bytes ("\u0000"), so their length is given beside them.
*/
#ifndef AUGUR_TOML_H
#define AUGUR_TOML_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

enum toml_kind {
    TOML_TABLE,
    TOML_ARRAY,
    TOML_STRING,
    TOML_INTEGER,
    TOML_FLOAT,
    TOML_BOOL,
    TOML_DATETIME,        /* 1979-05-27T07:32:00-08:00: an instant          */
    TOML_DATETIME_LOCAL,  /* 1979-05-27T07:32:00: no offset                  */
    TOML_DATE_LOCAL,      /* 1979-05-27                                       */
    TOML_TIME_LOCAL       /* 07:32:00                                         */
};

typedef struct toml_datetime {
    int year, month, day;        /* set for every kind but TOML_TIME_LOCAL  */
    int hour, minute, second;    /* set for every kind but TOML_DATE_LOCAL  */
    int nanosecond;              /* digits beyond nanoseconds are truncated */
    int offset_minutes;          /* east of UTC; TOML_DATETIME only          */
} toml_datetime;

typedef struct toml_doc toml_doc;
typedef struct toml_value toml_value;

/* Documents larger than this are refused by toml_parse_file. */
#define TOML_FILE_MAX (16u << 20)

/* Parse src[len]. name is what errors call the document ("agent.toml"); errors read
** "name:line:column: what is wrong". On failure *out is NULL. */
int  toml_parse(const char *src, size_t len, const char *name, toml_doc **out, augur_err *err);
int  toml_parse_file(const char *path, toml_doc **out, augur_err *err);
void toml_free(toml_doc *doc);

const toml_value *toml_root(const toml_doc *doc);

enum toml_kind toml_kind(const toml_value *v);
const char    *toml_kind_name(enum toml_kind kind);   /* "an integer", "a local date", ... */
int            toml_line(const toml_value *v);        /* where it was written: 1-based */

/* Scalars; each expects a value of its kind. */
const char          *toml_str(const toml_value *v, size_t *len);   /* len may be NULL */
int64_t              toml_int(const toml_value *v);
double               toml_float(const toml_value *v);
int                  toml_bool(const toml_value *v);
const toml_datetime *toml_datetime_of(const toml_value *v);

/* Tables and arrays: entries in order. toml_key gives a table's i-th key. */
size_t            toml_len(const toml_value *v);
const toml_value *toml_at(const toml_value *v, size_t i);
const char       *toml_key(const toml_value *table, size_t i, size_t *len);

/* The value under one key of table (key[len], may hold any bytes), or NULL. */
const toml_value *toml_find(const toml_value *table, const char *key, size_t len);

/* The value at a dotted path written as TOML writes keys: a.b, a."b.c".d, or NULL. */
const toml_value *toml_get(const toml_value *table, const char *path);

/* Rewrite a dotted path in its canonical form: bare keys bare, others quoted, no
** spaces ("a . 'b c'" becomes a."b c"). AUGUR_ESYNTAX when path is not a key. */
int toml_path_canon(const char *path, buf *out, augur_err *err);

/* Append s[n] as a TOML basic string: quoted, with escapes where needed. */
int toml_string_write(buf *out, const char *s, size_t n);

/* Append a key, quoted only when it cannot be bare. */
int toml_key_write(buf *out, const char *key, size_t len);

/* Append v as TOML would write it inline: strings quoted, tables as { k = v }. */
int toml_value_write(buf *out, const toml_value *v);

/* Append a date-time of the given kind in RFC 3339 form, as TOML writes it. */
int toml_datetime_write(buf *out, enum toml_kind kind, const toml_datetime *dt);

#endif
