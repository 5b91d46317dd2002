/*
** config.c — layered configuration checked against the defaults.
**
** The defaults document is both the first layer and the schema. The effective
** configuration is a tree of nodes shaped like it: a table node per table, a leaf
** per value, each leaf pointing at the value in force and the layer it came from.
** Every layer's document stays alive in the config, since leaves point into it.
**
** A layer is applied in two passes: first it is checked against the schema
** (collecting every error), then, only when it has none, its values are applied.
** So a bad file changes nothing.
*/
#include "agent/config.h"
#include "base/arena.h"
#include "base/file.h"
#include "base/text.h"
#include "base/xdg.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { CONFIG_MAX_ERRORS = 20, CONFIG_SHOW_COLUMN = 40 };

extern const char config_defaults_toml[];

typedef struct config_node config_node;
struct config_node {
    char             *name;     /* the key as TOML writes it: bare, or "quoted" */
    int               is_table;
    const toml_value *tmpl;     /* tables: the "*" entry when any name may be added */
    const toml_value *schema;   /* leaves: the default, whose kind values must have */
    const toml_value *value;    /* leaves: the value in force */
    const char       *origin;   /* leaves: "default", a file, or "-c ..." */
    int               line;     /* leaves: where the origin set it (0 when it has no lines) */
    config_node      *kids, *last, *next;
};

struct config {
    arena      *arena;
    toml_doc  **docs;           /* docs[0] holds the defaults */
    size_t      ndocs, cap;
    config_node root;
};

/* A layer being applied: its name, whether it has lines, the errors found. */
typedef struct config_layer {
    const char *name;
    int         has_lines;
    buf         errors;
    int         nerrors;
} config_layer;

/* ---- the node tree ---------------------------------------------------------- */

static config_node *config_kid_find(const config_node *t, const char *name, size_t len)
{
    for (config_node *k = t->kids; k; k = k->next)
        if (strlen(k->name) == len && memcmp(k->name, name, len) == 0)
            return k;
    return NULL;
}

static config_node *config_kid_add(config *c, config_node *t, const char *key, size_t len)
{
    config_node *k = arena_calloc(c->arena, 1, sizeof *k);
    buf name = BUF_INIT;

    if (!k || toml_key_write(&name, key, len) != AUGUR_OK ||
        !(k->name = arena_strndup(c->arena, name.data, name.len))) {
        buf_free(&name);
        return NULL;
    }
    buf_free(&name);
    if (t->last)
        t->last->next = k;
    else
        t->kids = k;
    t->last = k;
    return k;
}

static int config_build(config *c, config_node *t, const toml_value *schema);

/* Give node the shape of schema s, holding its defaults. */
static int config_shape(config *c, config_node *k, const toml_value *s)
{
    if (toml_kind(s) == TOML_TABLE)
        return config_build(c, k, s);
    k->schema = k->value = s;
    k->origin = "default";
    k->line = toml_line(s);
    return AUGUR_OK;
}

static int config_build(config *c, config_node *t, const toml_value *schema)
{
    t->is_table = 1;
    for (size_t i = 0; i < toml_len(schema); i++) {
        size_t len;
        const char *key = toml_key(schema, i, &len);
        config_node *k;

        if (len == 1 && key[0] == '*') {
            t->tmpl = toml_at(schema, i);
            continue;
        }
        k = config_kid_add(c, t, key, len);
        if (!k || config_shape(c, k, toml_at(schema, i)) != AUGUR_OK)
            return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

/* The next segment of a canonical path (as toml_path_canon writes them). */
static int config_segment(const char **path, const char **seg, size_t *len)
{
    const char *s = *path;

    if (!*s)
        return 0;
    *seg = s;
    if (*s == '"') {
        for (s++; *s && *s != '"'; s++)
            if (*s == '\\' && s[1])
                s++;
        if (*s)
            s++;
    } else {
        while (*s && *s != '.')
            s++;
    }
    *len = (size_t)(s - *seg);
    *path = *s == '.' ? s + 1 : s;
    return 1;
}

static config_node *config_node_find(const config *c, const char *path)
{
    buf canon = BUF_INIT;
    const config_node *n = &c->root;
    const char *p, *seg;
    size_t len;

    if (toml_path_canon(path, &canon, NULL) != AUGUR_OK) {
        buf_free(&canon);
        return NULL;
    }
    p = buf_str(&canon);
    while (n && config_segment(&p, &seg, &len))
        n = n->is_table ? config_kid_find(n, seg, len) : NULL;
    buf_free(&canon);
    return (config_node *)n;
}

/* ---- life ------------------------------------------------------------------- */

static int config_keep(config *c, toml_doc *doc)
{
    if (c->ndocs == c->cap) {
        size_t cap = c->cap ? c->cap * 2 : 8;
        toml_doc **d = realloc(c->docs, cap * sizeof *d);
        if (!d)
            return AUGUR_ENOMEM;
        c->docs = d;
        c->cap = cap;
    }
    c->docs[c->ndocs++] = doc;
    return AUGUR_OK;
}

int config_new_from(const char *defaults, size_t len, const char *name, config **out,
                    augur_err *err)
{
    config *c = calloc(1, sizeof *c);
    toml_doc *doc = NULL;
    int rc;

    *out = NULL;
    if (!c || !(c->arena = arena_new(0))) {
        free(c);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    rc = toml_parse(defaults, len, name, &doc, err);
    if (rc == AUGUR_OK && (rc = config_keep(c, doc)) != AUGUR_OK)
        toml_free(doc);
    if (rc == AUGUR_OK && (rc = config_build(c, &c->root, toml_root(doc))) != AUGUR_OK)
        augur_err_set(err, rc, "out of memory");
    if (rc != AUGUR_OK) {
        config_free(c);
        return rc;
    }
    *out = c;
    return AUGUR_OK;
}

int config_new(config **out, augur_err *err)
{
    return config_new_from(config_defaults_toml, strlen(config_defaults_toml),
                           "built-in agent.toml", out, err);
}

void config_free(config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->ndocs; i++)
        toml_free(c->docs[i]);
    free(c->docs);
    arena_free(c->arena);
    free(c);
}

/* ---- checking a layer against the schema ------------------------------------ */

static void config_error(config_layer *l, const toml_value *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void config_error(config_layer *l, const toml_value *at, const char *fmt, ...)
{
    va_list ap;

    if (++l->nerrors > CONFIG_MAX_ERRORS)
        return;
    if (l->has_lines)
        buf_printf(&l->errors, "%s:%d: ", l->name, toml_line(at));
    else
        buf_printf(&l->errors, "%s: ", l->name);
    va_start(ap, fmt);
    buf_vprintf(&l->errors, fmt, ap);
    va_end(ap);
    buf_putc(&l->errors, '\n');
}

/* The path of the key key[len] under prefix, as TOML writes it. */
static void config_path_join(buf *out, const char *prefix, const char *key, size_t len)
{
    if (*prefix) {
        buf_puts(out, prefix);
        buf_putc(out, '.');
    }
    toml_key_write(out, key, len);
}

/* The known key whose name is closest to name, searched in the whole tree. */
static void config_suggest_anywhere(const config_node *t, const char *prefix, const char *name,
                                    size_t *best, buf *out)
{
    for (const config_node *k = t->kids; k; k = k->next) {
        buf path = BUF_INIT;
        size_t d = text_distance(name, k->name, *best - 1);

        if (*prefix)
            buf_printf(&path, "%s.", prefix);
        buf_puts(&path, k->name);
        if (d < *best && text_is_close(name, d)) {
            *best = d;
            buf_clear(out);
            buf_puts(out, buf_str(&path));
        }
        if (k->is_table)
            config_suggest_anywhere(k, buf_str(&path), name, best, out);
        buf_free(&path);
    }
}

/* " (did you mean 'x'?)" for an unknown key under schema table s, or "". */
static void config_suggest(const config *c, const toml_value *s, const char *prefix,
                           const char *key, size_t len, buf *out)
{
    buf name = BUF_INIT, best_path = BUF_INIT;
    size_t best = 64;

    toml_key_write(&name, key, len);
    for (size_t i = 0; i < toml_len(s); i++) {
        size_t klen, d;
        const char *k = toml_key(s, i, &klen);
        buf cand = BUF_INIT;

        toml_key_write(&cand, k, klen);
        d = text_distance(buf_str(&name), buf_str(&cand), best - 1);
        if (d < best && text_is_close(buf_str(&name), d) && strcmp(buf_str(&cand), "\"*\"") != 0) {
            best = d;
            buf_clear(&best_path);
            config_path_join(&best_path, prefix, k, klen);
        }
        buf_free(&cand);
    }
    if (!best_path.len)
        config_suggest_anywhere(&c->root, "", buf_str(&name), &best, &best_path);
    if (best_path.len)
        buf_printf(out, " (did you mean '%s'?)", buf_str(&best_path));
    buf_free(&name);
    buf_free(&best_path);
}

/* Whether value v may stand where the default s stands. */
static int config_kind_fits(const toml_value *s, const toml_value *v)
{
    enum toml_kind sk = toml_kind(s), vk = toml_kind(v);
    return sk == vk || (sk == TOML_FLOAT && vk == TOML_INTEGER);
}

static void config_check_table(const config *c, config_layer *l, const toml_value *s,
                               const toml_value *v, const char *prefix);

static void config_check_value(const config *c, config_layer *l, const toml_value *s,
                               const toml_value *v, const char *path)
{
    if (toml_kind(s) == TOML_TABLE && toml_kind(v) != TOML_TABLE) {
        config_error(l, v, "'%s' is a table of settings, not a value (found %s)", path,
                     toml_kind_name(toml_kind(v)));
    } else if (toml_kind(s) == TOML_TABLE) {
        config_check_table(c, l, s, v, path);
    } else if (!config_kind_fits(s, v)) {
        config_error(l, v, "'%s' must be %s, not %s", path, toml_kind_name(toml_kind(s)),
                     toml_kind_name(toml_kind(v)));
    } else if (toml_kind(s) == TOML_ARRAY && toml_len(s) > 0) {
        /* The default's first item is the model every item follows. */
        for (size_t i = 0; i < toml_len(v); i++) {
            buf item = BUF_INIT;
            buf_printf(&item, "%s[%zu]", path, i);
            config_check_value(c, l, toml_at(s, 0), toml_at(v, i), buf_str(&item));
            buf_free(&item);
        }
    }
}

static void config_check_table(const config *c, config_layer *l, const toml_value *s,
                               const toml_value *v, const char *prefix)
{
    const toml_value *tmpl = toml_find(s, "*", 1);

    for (size_t i = 0; i < toml_len(v); i++) {
        size_t len;
        const char *key = toml_key(v, i, &len);
        const toml_value *ks = toml_find(s, key, len);
        buf path = BUF_INIT;

        config_path_join(&path, prefix, key, len);
        if (!ks)
            ks = tmpl;
        if (ks) {
            config_check_value(c, l, ks, toml_at(v, i), buf_str(&path));
        } else {
            buf hint = BUF_INIT;
            config_suggest(c, s, prefix, key, len, &hint);
            config_error(l, toml_at(v, i), "unknown key '%s'%s", buf_str(&path), buf_str(&hint));
            buf_free(&hint);
        }
        buf_free(&path);
    }
}

/* ---- applying a layer ----------------------------------------------------------- */

static int config_apply(config *c, config_node *t, const toml_value *v, const char *origin,
                        int has_lines)
{
    for (size_t i = 0; i < toml_len(v); i++) {
        size_t len;
        const char *key = toml_key(v, i, &len);
        const toml_value *kv = toml_at(v, i);
        buf name = BUF_INIT;
        config_node *k;
        int rc;

        toml_key_write(&name, key, len);
        k = config_kid_find(t, buf_str(&name), name.len);
        buf_free(&name);
        if (!k) {
            /* Checked already: an unknown name here is an entry of an open table. */
            k = config_kid_add(c, t, key, len);
            if (!k || config_shape(c, k, t->tmpl) != AUGUR_OK)
                return AUGUR_ENOMEM;
        }
        if (k->is_table) {
            rc = config_apply(c, k, kv, origin, has_lines);
            if (rc != AUGUR_OK)
                return rc;
            continue;
        }
        k->value = kv;
        k->origin = origin;
        k->line = has_lines ? toml_line(kv) : 0;
    }
    return AUGUR_OK;
}

/* Move the layer's errors into err, whole lines only. */
static int config_layer_fail(config_layer *l, augur_err *err)
{
    size_t room = sizeof err->msg - 48, cut = l->errors.len;
    const char *s = buf_str(&l->errors);
    int shown = l->nerrors < CONFIG_MAX_ERRORS ? l->nerrors : CONFIG_MAX_ERRORS;

    while (cut > room) {
        const char *nl = memrchr(s, '\n', cut - 1);
        cut = nl ? (size_t)(nl - s) + 1 : 0;
        shown--;
    }
    if (cut > 0 && s[cut - 1] == '\n')
        cut--;
    if (shown < l->nerrors)
        return augur_err_set(err, AUGUR_ECONFIG, "%.*s\n%s: %d more errors", (int)cut, s, l->name,
                             l->nerrors - shown);
    return augur_err_set(err, AUGUR_ECONFIG, "%.*s", (int)cut, s);
}

/* Check doc as a layer named name; apply it when it has no errors. Takes doc. */
static int config_layer_apply(config *c, toml_doc *doc, const char *name, int has_lines,
                              augur_err *err)
{
    config_layer l = { name, has_lines, BUF_INIT, 0 };
    char *origin;
    int rc;

    config_check_table(c, &l, toml_root(c->docs[0]), toml_root(doc), "");
    if (l.nerrors) {
        rc = config_layer_fail(&l, err);
        buf_free(&l.errors);
        toml_free(doc);
        return rc;
    }
    buf_free(&l.errors);
    origin = arena_strndup(c->arena, name, strlen(name));
    if (!origin || config_keep(c, doc) != AUGUR_OK) {
        toml_free(doc);
        return augur_err_set(err, AUGUR_ENOMEM, "out of memory");
    }
    rc = config_apply(c, &c->root, toml_root(doc), origin, has_lines);
    return rc == AUGUR_OK ? rc : augur_err_set(err, rc, "out of memory");
}

int config_load_text(config *c, const char *src, size_t len, const char *name, augur_err *err)
{
    toml_doc *doc;
    int rc = toml_parse(src, len, name, &doc, err);

    return rc != AUGUR_OK ? rc : config_layer_apply(c, doc, name, 1, err);
}

int config_load_file(config *c, const char *path, augur_err *err)
{
    toml_doc *doc;
    int rc = toml_parse_file(path, &doc, err);

    return rc != AUGUR_OK ? rc : config_layer_apply(c, doc, path, 1, err);
}

/* ---- -c KEY=VALUE ----------------------------------------------------------------- */

/* The '=' that ends the key: the first one outside quotes. */
static const char *config_assign_split(const char *s)
{
    char quote = 0;

    for (; *s; s++) {
        if (quote) {
            if (*s == '\\' && quote == '"' && s[1])
                s++;
            else if (*s == quote)
                quote = 0;
        } else if (*s == '"' || *s == '\'') {
            quote = *s;
        } else if (*s == '=') {
            return s;
        }
    }
    return NULL;
}

/* Whether doc sets exactly the one key canon and nothing beside it. */
static int config_is_one_key(const toml_doc *doc, const char *canon)
{
    const toml_value *t = toml_root(doc);
    const char *seg;
    size_t len;

    while (config_segment(&canon, &seg, &len)) {
        if (toml_kind(t) != TOML_TABLE || toml_len(t) != 1)
            return 0;
        t = toml_at(t, 0);
    }
    return 1;
}

int config_set(config *c, const char *assignment, augur_err *err)
{
    const char *eq = config_assign_split(assignment), *value;
    buf name = BUF_INIT, canon = BUF_INIT, src = BUF_INIT;
    const config_node *n;
    toml_doc *doc = NULL;
    int rc;

    buf_printf(&name, "-c %s", assignment);
    if (!eq || eq == assignment) {
        rc = augur_err_set(err, AUGUR_ECONFIG, "%s: expected KEY=VALUE", buf_str(&name));
        goto done;
    }
    buf_add(&src, assignment, (size_t)(eq - assignment));
    if (toml_path_canon(buf_str(&src), &canon, err) != AUGUR_OK) {
        augur_err_prefix(err, "%s: '%s' is not a key: ", buf_str(&name), buf_str(&src));
        rc = AUGUR_ECONFIG;
        goto done;
    }
    value = eq + 1;
    n = config_node_find(c, buf_str(&canon));
    buf_clear(&src);
    buf_printf(&src, "%s = %s", buf_str(&canon), value);
    /* Where a string is wanted, any text not written as a TOML string is the string. */
    if ((n && !n->is_table && toml_kind(n->schema) == TOML_STRING && *value != '"' &&
         *value != '\'') ||
        toml_parse(src.data, src.len, buf_str(&name), &doc, NULL) != AUGUR_OK) {
        buf_clear(&src);
        buf_printf(&src, "%s = ", buf_str(&canon));
        toml_string_write(&src, value, strlen(value));
        rc = toml_parse(src.data, src.len, buf_str(&name), &doc, err);
        if (rc != AUGUR_OK)
            goto done;
    }
    if (!config_is_one_key(doc, buf_str(&canon))) {
        toml_free(doc);
        rc = augur_err_set(err, AUGUR_ECONFIG, "%s: the value must be one TOML value",
                           buf_str(&name));
        goto done;
    }
    rc = config_layer_apply(c, doc, buf_str(&name), 0, err);
done:
    buf_free(&name);
    buf_free(&canon);
    buf_free(&src);
    return rc;
}

/* ---- the standard layers ------------------------------------------------------------ */

/* Load path when a file is there; a missing one is no error. */
static int config_load_optional(config *c, const char *path, augur_err *err)
{
    struct stat st;

    if (stat(path, &st) != 0 && errno == ENOENT)
        return AUGUR_OK;
    return config_load_file(c, path, err);
}

int config_load_layers(config *c, const char *file, const char *const *sets, size_t nsets,
                       augur_err *err)
{
    buf user = BUF_INIT;
    int rc = AUGUR_OK;

    if (xdg_path(XDG_CONFIG, "agent.toml", &user, NULL) == AUGUR_OK)
        rc = config_load_optional(c, buf_str(&user), err);
    buf_free(&user);
    if (rc == AUGUR_OK)
        rc = config_load_optional(c, "agent.toml", err);
    if (rc == AUGUR_OK && file)
        rc = config_load_file(c, file, err);
    for (size_t i = 0; rc == AUGUR_OK && i < nsets; i++)
        rc = config_set(c, sets[i], err);
    return rc;
}

/* ---- reading ------------------------------------------------------------------------- */

const toml_value *config_get(const config *c, const char *path)
{
    const config_node *n = config_node_find(c, path);
    return n && !n->is_table ? n->value : NULL;
}

int64_t config_int(const config *c, const char *path, int64_t def)
{
    const toml_value *v = config_get(c, path);
    return v && toml_kind(v) == TOML_INTEGER ? toml_int(v) : def;
}

double config_float(const config *c, const char *path, double def)
{
    const toml_value *v = config_get(c, path);
    return v && (toml_kind(v) == TOML_FLOAT || toml_kind(v) == TOML_INTEGER) ? toml_float(v) : def;
}

int config_bool(const config *c, const char *path, int def)
{
    const toml_value *v = config_get(c, path);
    return v && toml_kind(v) == TOML_BOOL ? toml_bool(v) : def;
}

const char *config_str(const config *c, const char *path, const char *def)
{
    const toml_value *v = config_get(c, path);
    return v && toml_kind(v) == TOML_STRING ? toml_str(v, NULL) : def;
}

const char *config_origin(const config *c, const char *path, int *line)
{
    const config_node *n = config_node_find(c, path);

    if (line)
        *line = n && !n->is_table ? n->line : 0;
    return n && !n->is_table ? n->origin : NULL;
}

void config_where(const config *c, const char *path, char *out, size_t size)
{
    int line = 0;
    const char *origin = config_origin(c, path, &line);

    if (line > 0)
        snprintf(out, size, "%s:%d", origin, line);
    else
        snprintf(out, size, "%s", origin ? origin : "default");
}

int config_int_in(const config *c, const char *path, int64_t min, int64_t max, int64_t *out,
                  augur_err *err)
{
    char where[512];

    *out = config_int(c, path, min > INT64_MIN ? min - 1 : max);
    if (*out >= min && *out <= max && config_get(c, path))
        return AUGUR_OK;
    config_where(c, path, where, sizeof where);
    return augur_err_set(err, AUGUR_ECONFIG, "%s: %s must be from %lld to %lld, not %lld", where,
                         path, (long long)min, (long long)max, (long long)*out);
}

/* ---- showing ---------------------------------------------------------------------------- */

static void config_show_leaf(const config_node *k, buf *out)
{
    size_t start = out->len;

    buf_printf(out, "%s = ", k->name);
    toml_value_write(out, k->value);
    do
        buf_putc(out, ' ');
    while (out->len - start < CONFIG_SHOW_COLUMN);
    buf_printf(out, "# %s", k->origin);
    if (k->line && strcmp(k->origin, "default") != 0)
        buf_printf(out, ":%d", k->line);
    buf_putc(out, '\n');
}

static void config_show_table(const config_node *t, const char *path, buf *out)
{
    int header = *path == '\0';

    for (const config_node *k = t->kids; k; k = k->next) {
        if (k->is_table)
            continue;
        if (!header)
            buf_printf(out, "\n[%s]\n", path);
        header = 1;
        config_show_leaf(k, out);
    }
    if (!header && !t->kids)
        buf_printf(out, "\n[%s]\n", path);
    for (const config_node *k = t->kids; k; k = k->next) {
        buf sub = BUF_INIT;
        if (!k->is_table)
            continue;
        if (*path)
            buf_printf(&sub, "%s.", path);
        buf_puts(&sub, k->name);
        config_show_table(k, buf_str(&sub), out);
        buf_free(&sub);
    }
}

int config_show(const config *c, buf *out)
{
    buf_puts(out, "# augur's effective configuration; after each value, the layer that set it\n");
    config_show_table(&c->root, "", out);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}
