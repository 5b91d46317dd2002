/*
** trace.c — the transitions of a life, kept small: a state in full where a run
** of transitions begins, then only what each transition changed. Replaying
** rebuilds every state in order.
*/
#include "worlds/laws/private.h"

#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

typedef struct tr_change {
    uint8_t  kind;          /* enum state_change_kind */
    uint8_t  vkind;         /* enum state_kind of the new value */
    int64_t  id;            /* the entity */
    int32_t  name;          /* the attribute; the type of an added entity */
    int32_t  sym;           /* a symbol value; a cell's material */
    double   num;           /* a number value */
    int32_t  x, y;          /* a cell */
    uint32_t first, n;      /* an added entity's attributes (in attrs) */
} tr_change;

typedef struct tr_step {
    int    action;
    int    from;            /* the keyframe s is, or -1: the previous next */
    int    to;              /* the keyframe next is, or -1: s with the changes */
    size_t first, n;        /* changes */
} tr_step;

struct laws_trace {
    lm_names   names;
    state    **key;
    int        nkey, cap_key;
    tr_step   *step;
    size_t     nstep, cap_step;
    tr_change *ch;
    size_t     nch, cap_ch;
    tr_change *attrs;       /* attributes of added entities, as ATTR changes */
    size_t     nattrs, cap_attrs;
    state     *last;        /* the last next state recorded */
};


int laws_trace_new(laws_trace **out, augur_err *err)
{
    laws_trace *t = calloc(1, sizeof *t);

    *out = NULL;
    if (!t || names_init(&t->names) != AUGUR_OK || !(t->last = state_new())) {
        if (t)
            names_free(&t->names);
        free(t);
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    }
    *out = t;
    return AUGUR_OK;
}

void laws_trace_free(laws_trace *t)
{
    if (!t)
        return;
    for (int i = 0; i < t->nkey; i++)
        state_free(t->key[i]);
    free(t->key);
    free(t->step);
    free(t->ch);
    free(t->attrs);
    state_free(t->last);
    names_free(&t->names);
    free(t);
}

size_t laws_trace_count(const laws_trace *t)
{
    return t->nstep;
}

static int tr_keyframe(laws_trace *t, const state *s)
{
    state *c;

    if (t->nkey == t->cap_key) {
        int cap = t->cap_key ? 2 * t->cap_key : 8;
        state **k = realloc(t->key, (size_t)cap * sizeof *k);
        if (!k)
            return AUGUR_ENOMEM;
        t->key = k;
        t->cap_key = cap;
    }
    if (!(c = state_clone(s)))
        return AUGUR_ENOMEM;
    t->key[t->nkey] = c;
    return t->nkey++;
}

static int tr_name(laws_trace *t, const char *s)
{
    return names_intern(&t->names, s, strlen(s));
}

/* A value into a change: numbers as they are, symbols by name. */
static int tr_value(laws_trace *t, tr_change *c, const state_value *v)
{
    c->vkind = (uint8_t)v->kind;
    switch (v->kind) {
    case STATE_INT:    c->num = (double)v->as.i; return AUGUR_OK;
    case STATE_FLOAT:  c->num = v->as.f; return AUGUR_OK;
    case STATE_BOOL:   c->num = v->as.b; return AUGUR_OK;
    default:
        c->sym = tr_name(t, v->as.s);
        return c->sym < 0 ? c->sym : AUGUR_OK;
    }
}

static int tr_added(laws_trace *t, tr_change *c, const state *next)
{
    int e = state_entity_find(next, c->id);
    size_t n = state_attr_count(next, e);

    if (e < 0 || buf_grow_array(&t->attrs, &t->cap_attrs, t->nattrs + n, sizeof *t->attrs))
        return AUGUR_ENOMEM;
    c->first = (uint32_t)t->nattrs;
    c->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        state_value v;
        tr_change *a = &t->attrs[t->nattrs++];
        const char *name = state_attr_at(next, e, i, &v);
        memset(a, 0, sizeof *a);
        if ((a->name = tr_name(t, name)) < 0 || tr_value(t, a, &v) != AUGUR_OK)
            return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

/* The changes from s to next; 0 when one of them cannot be replayed (an attribute
** that went away, another grid), and the step then keeps next in full. */
static int tr_record(laws_trace *t, const state *s, const state *next, tr_step *st, int *ok)
{
    state_changes d;
    int rc = state_diff(s, next, &d, NULL);

    *ok = state_grid_width(s) == state_grid_width(next) &&
          state_grid_height(s) == state_grid_height(next) &&
          state_grid_palette_size(s) == state_grid_palette_size(next);
    st->first = t->nch;
    for (size_t i = 0; i < d.count && rc == AUGUR_OK && *ok; i++) {
        const state_change *sc = &d.items[i];
        tr_change *c;
        if (sc->kind == STATE_ATTR_CHANGED && !sc->has_after) {
            *ok = 0;
            break;
        }
        if ((rc = buf_grow_array(&t->ch, &t->cap_ch, t->nch + 1, sizeof *t->ch)) != AUGUR_OK)
            break;
        c = &t->ch[t->nch];
        memset(c, 0, sizeof *c);
        c->kind = (uint8_t)sc->kind;
        c->id = sc->id;
        switch (sc->kind) {
        case STATE_CELL_CHANGED:
            c->x = sc->x;
            c->y = sc->y;
            rc = (c->sym = tr_name(t, sc->cell_after)) < 0 ? c->sym : AUGUR_OK;
            break;
        case STATE_ENTITY_ADDED:
            rc = (c->name = tr_name(t, sc->type)) < 0 ? c->name : tr_added(t, c, next);
            break;
        case STATE_ATTR_CHANGED:
            rc = (c->name = tr_name(t, sc->attr)) < 0 ? c->name : tr_value(t, c, &sc->after);
            break;
        default:
            break;
        }
        t->nch++;
    }
    state_changes_free(&d);
    if (!*ok)
        t->nch = st->first;
    st->n = t->nch - st->first;
    return rc;
}

int laws_trace_add(laws_trace *t, const state *s, int action, const state *next, augur_err *err)
{
    tr_step st = { action, -1, -1, 0, 0 };
    int ok, rc;

    if (buf_grow_array(&t->step, &t->cap_step, t->nstep + 1, sizeof *t->step) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    if (t->nstep == 0 || !state_equal(t->last, s))
        if ((st.from = tr_keyframe(t, s)) < 0)
            return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    if ((rc = tr_record(t, s, next, &st, &ok)) != AUGUR_OK)
        return augur_err_set(err, rc, "laws: cannot record a transition: %s", augur_errstr(rc));
    if (!ok && (st.to = tr_keyframe(t, next)) < 0)
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    if (state_copy(t->last, next) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    t->step[t->nstep++] = st;
    return AUGUR_OK;
}

/* ---- replay -------------------------------------------------------------------------- */

static int tr_set(const laws_trace *t, state *s, int e, const tr_change *c)
{
    state_value v;

    v.kind = (enum state_kind)c->vkind;
    switch (v.kind) {
    case STATE_INT:    v.as.i = (int64_t)c->num; break;
    case STATE_FLOAT:  v.as.f = c->num; break;
    case STATE_BOOL:   v.as.b = c->num != 0; break;
    default:           v.as.s = names_text(&t->names, c->sym);
    }
    return state_set(s, e, names_text(&t->names, c->name), &v);
}

static int tr_apply(const laws_trace *t, state *s, const tr_change *c)
{
    int e, rc = AUGUR_OK;

    switch (c->kind) {
    case STATE_CELL_CHANGED:
        for (int i = 0; i < state_grid_palette_size(s); i++)
            if (strcmp(state_grid_palette(s, i), names_text(&t->names, c->sym)) == 0)
                state_grid_set(s, c->x, c->y, i);
        return AUGUR_OK;
    case STATE_ENTITY_REMOVED:
        state_entity_remove(s, state_entity_find(s, c->id));
        return AUGUR_OK;
    case STATE_ENTITY_ADDED:
        if ((e = state_entity_add(s, c->id, names_text(&t->names, c->name))) < 0)
            return e;
        for (uint32_t i = 0; i < c->n && rc == AUGUR_OK; i++)
            rc = tr_set(t, s, e, &t->attrs[c->first + i]);
        return rc;
    default:
        if ((e = state_entity_find(s, c->id)) < 0)
            return AUGUR_EINVAL;
        return tr_set(t, s, e, c);
    }
}

int laws_trace_each(const laws_trace *t, laws_trace_fn fn, void *ud, augur_err *err)
{
    state *cur = state_new(), *next = state_new(), *tmp;
    int rc = cur && next ? AUGUR_OK : AUGUR_ENOMEM;

    for (size_t i = 0; i < t->nstep && rc == AUGUR_OK; i++) {
        const tr_step *st = &t->step[i];
        if (st->from >= 0)
            rc = state_copy(cur, t->key[st->from]);
        if (rc == AUGUR_OK)
            rc = state_copy(next, st->to >= 0 ? t->key[st->to] : cur);
        for (size_t c = 0; c < st->n && rc == AUGUR_OK && st->to < 0; c++)
            rc = tr_apply(t, next, &t->ch[st->first + c]);
        if (rc != AUGUR_OK) {
            rc = augur_err_set(err, rc, "laws: cannot replay transition %zu: %s", i,
                               augur_errstr(rc));
            break;
        }
        if ((rc = fn(ud, i, cur, st->action, next)) != AUGUR_OK)
            break;
        tmp = cur;
        cur = next;
        next = tmp;
    }
    if (rc == AUGUR_ENOMEM && err && !err->code)
        augur_err_set(err, rc, "laws: out of memory");
    state_free(cur);
    state_free(next);
    return rc;
}
