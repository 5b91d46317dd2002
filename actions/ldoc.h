/*
** ldoc.h — action files: one Lua global function documented with LDoc comments.
**
**     --- Count the data rows of a CSV file.
**     -- @kind reads
**     -- @tparam string path
**     -- @treturn integer
**     function count_csv_rows(path) ... end
**
** The first line is the description; @kind (reads or writes), @tparam TYPE NAME and
** @treturn TYPE give the kind, the inputs and the output. The comment block ends at
** the `function NAME(PARAMS)` line it documents. Without @tparam the inputs are the
** function's parameters, of type "any"; without @kind an action counts as "writes"
** (side effects are assumed until declared absent).
*/
#ifndef AUGUR_ACTIONS_LDOC_H
#define AUGUR_ACTIONS_LDOC_H

#include <stddef.h>

#include "base/buf.h"
#include "base/err.h"

enum { LDOC_NAME_MAX = 64, LDOC_TYPE_MAX = 32, LDOC_PARAMS_MAX = 16, LDOC_DESC_MAX = 300 };

typedef struct ldoc_param {
    char name[LDOC_NAME_MAX + 1];
    char type[LDOC_TYPE_MAX + 1];
} ldoc_param;

typedef struct ldoc {
    char       name[LDOC_NAME_MAX + 1];       /* the function's */
    char       description[LDOC_DESC_MAX + 1];
    char       kind[8];                       /* "reads" or "writes" */
    ldoc_param inputs[LDOC_PARAMS_MAX];
    int        ninputs;
    char       output[LDOC_TYPE_MAX + 1];     /* "" when none is declared */
    size_t     body;                          /* offset of the `function` line */
} ldoc;

/* Parse the header of src[0..len); file names the source in messages. AUGUR_EINVAL
** with "file:line: what" when the description, a tag or the function line is
** missing or malformed. */
int ldoc_parse(const char *src, size_t len, const char *file, ldoc *out, augur_err *err);

/* Append the canonical header of doc, then the source from its function line on. */
int ldoc_write(buf *out, const ldoc *doc, const char *src, size_t len);

/* Whether s is a Lua identifier that is not a keyword (an action's name). */
int ldoc_is_name(const char *s, size_t len);

#endif
