/*
** config.h — augur's layered configuration.
**
** The repository's agent.toml is compiled in as the first layer: it names every
** key the program knows, with its default value and, by that value, its type.
** Each later layer may only set known keys to values of their type:
**
**     built-in defaults < $XDG_CONFIG_HOME/augur/agent.toml < ./agent.toml
**                       < --config FILE < -c KEY=VALUE ...
**
** A table of the defaults holding an entry named "*" takes entries under any
** name (per-model prices, say); "*" is the template each such entry is checked
** against and filled from.
**
**     config *c;
**     if (config_new(&c, &err) != AUGUR_OK || config_load_layers(c, file, sets, n, &err))
**         ... err.msg names the file, the line, and the closest known key ...
**     const char *level = config_str(c, "log.level", "warn");
**     config_free(c);
*/
#ifndef AUGUR_CONFIG_H
#define AUGUR_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"
#include "base/toml.h"

typedef struct config config;

/* A configuration holding the built-in defaults. */
int  config_new(config **out, augur_err *err);

/* The same with other defaults (a TOML document), for programs and tests that
** bring their own schema. name is what messages call it. */
int  config_new_from(const char *defaults, size_t len, const char *name, config **out,
                     augur_err *err);
void config_free(config *c);

/* Apply one layer. A layer with errors applies nothing; AUGUR_ECONFIG (or the
** parser's code) and every error found, one per line, "file:line: what". */
int config_load_file(config *c, const char *path, augur_err *err);
int config_load_text(config *c, const char *src, size_t len, const char *name, augur_err *err);

/* Apply "KEY=VALUE": KEY a dotted TOML key, VALUE a TOML value, or any other text
** where a string is expected. */
int config_set(config *c, const char *assignment, augur_err *err);

/* The standard layers after the defaults: the user's file and ./agent.toml when
** they exist, then file (when not NULL; it must exist), then the settings. */
int config_load_layers(config *c, const char *file, const char *const *sets, size_t nsets,
                       augur_err *err);

/* The value at a dotted key (a."b c".d), or NULL when it names no value. */
const toml_value *config_get(const config *c, const char *path);

/* Typed reads; def when the key is not a value of that type. config_float
** takes integers too. */
int64_t     config_int(const config *c, const char *path, int64_t def);
double      config_float(const config *c, const char *path, double def);
int         config_bool(const config *c, const char *path, int def);
const char *config_str(const config *c, const char *path, const char *def);

/* Which layer set the value at path ("default", a file, "-c"), and its line there. */
const char *config_origin(const config *c, const char *path, int *line);

/* Where path was set, for messages: "file:line", or the layer's name ("default",
** "-c ..."). */
void config_where(const config *c, const char *path, char *out, size_t size);

/* The integer at path when it lies in [min, max]; else AUGUR_ECONFIG with
** "where: path must be from min to max, not v". */
int config_int_in(const config *c, const char *path, int64_t min, int64_t max, int64_t *out,
                  augur_err *err);

/* The effective configuration as TOML, each value followed by where it came from. */
int config_show(const config *c, buf *out);

#endif
