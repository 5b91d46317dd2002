/*
** model.c — the law model: its laws and their index, the context of one (state,
** action), the product of the active experts, sampling and log-probabilities.
*/
#include "worlds/laws/private.h"

#include "base/buf.h"
#include "base/file.h"
#include "base/rng.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- life ------------------------------------------------------------------------- */

int laws_new(const world_class *cls, laws **out, augur_err *err)
{
    laws *m;

    *out = NULL;
    if (!cls)
        return augur_err_set(err, AUGUR_EINVAL, "laws: no world given");
    if (!(m = calloc(1, sizeof *m)) || names_init(&m->names) != AUGUR_OK) {
        if (m)
            names_free(&m->names);
        free(m);
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    }
    m->cls = cls;
    snprintf(m->world, sizeof m->world, "%s", cls->name);
    m->life.died_at = -1;
    *out = m;
    return AUGUR_OK;
}

static void lm_conds_free(lm_conds *t)
{
    free(t->need);
    free(t->fast);
    free(t->only);
    t->need = NULL;
    t->fast = t->only = NULL;
}

void laws_free(laws *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n; i++)
        m->law[i].kind->release(&m->law[i]);
    free(m->law);
    names_free(&m->names);
    free(m->bucket);
    free(m->bucket_first);
    free(m->subject_laws);
    free(m->subject_first);
    for (int i = 0; i < LM_KEYSETS; i++) {
        free(m->keyset[i].name_of);
        free(m->keyset[i].key_of);
    }
    free(m->ctx.pat);
    free(m->ctx.pval);
    free(m->ctx.pkind);
    free(m->ctx.ex);
    free(m->ctx.ey);
    free(m->ctx.etype);
    free(m->ctx.dist);
    free(m->ctx.col_v);
    free(m->ctx.col_kind);
    free(m->ctx.row_key);
    free(m->ctx.row_kind);
    free(m->ctx.row_v);
    free(m->ctx.nearby);
    free(m->ctx.by_type);
    free(m->ctx.type_first);
    free(m->ctx.type_at);
    free(m->ctx.nearest);
    free(m->ctx.occ_at);
    free(m->ctx.occ_ent);
    free(m->ctx.occ_n);
    law_out_free(&m->out);
    free(m->slot);
    free(m->pv);
    free(m->plp);
    free(m->remove);
    free(m->movers);
    free(m->moved);
    lm_conds_free(&m->selfc);
    lm_conds_free(&m->globc);
    free(m->ctx.self_known);
    free(m->ctx.self_true);
    free(m->moves);
    free(m->norms);
    free(m->lone);
    free(m->reach);
    free(m->lone_rec);
    free(m->lone_norm);
    free(m);
}

int law_add(laws *m, const law *l, augur_err *err)
{
    for (int i = 0; i < m->n; i++)
        if (strcmp(m->law[i].name, l->name) == 0)
            return augur_err_set(err, AUGUR_EINVAL, "laws: two laws are called '%s'", l->name);
    if (m->n == m->cap) {
        int cap = m->cap ? 2 * m->cap : 32;
        law *p = realloc(m->law, (size_t)cap * sizeof *p);
        if (!p)
            return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
        m->law = p;
        m->cap = cap;
    }
    m->law[m->n++] = *l;
    m->indexed = 0;
    return AUGUR_OK;
}

const world_class *laws_world(const laws *m) { return m->cls; }
size_t laws_count(const laws *m) { return (size_t)m->n; }
laws_life *laws_life_of(laws *m) { return &m->life; }
void laws_set_vote(laws *m, int on)
{
    m->vote = on != 0;
    m->moves_valid = 0;
}

const char *laws_law_name(const laws *m, size_t i)
{
    return i < (size_t)m->n ? m->law[i].name : NULL;
}

double laws_weight(const laws *m, size_t i)
{
    return i < (size_t)m->n ? (m->vote ? m->law[i].vote_weight : m->law[i].weight) : 0;
}

void laws_set_weight(laws *m, size_t i, double w)
{
    if (i >= (size_t)m->n || !(w >= 0))
        return;
    w = w > LAW_WEIGHT_MAX ? LAW_WEIGHT_MAX : w;
    if (m->vote)
        m->law[i].vote_weight = w;
    else
        m->law[i].weight = w;
    m->moves_valid = 0;
}

/* ---- reading and writing files ---------------------------------------------------------- */

static int laws_parse_life(laws *m, const toml_value *life, const char *name, augur_err *err)
{
    const toml_value *v, *obs;

    if (!life)
        return AUGUR_OK;
    if (toml_kind(life) != TOML_TABLE)
        return augur_err_set(err, AUGUR_EINVAL, "%s: life must be a table", name);
    if ((v = toml_find(life, "explorer", 8)) && toml_kind(v) == TOML_STRING)
        snprintf(m->life.explorer, sizeof m->life.explorer, "%s", toml_str(v, NULL));
    if ((v = toml_find(life, "seed", 4)) && toml_kind(v) == TOML_INTEGER)
        m->life.seed = (uint64_t)toml_int(v);
    if ((v = toml_find(life, "steps", 5)) && toml_kind(v) == TOML_INTEGER)
        m->life.steps = (long)toml_int(v);
    if ((v = toml_find(life, "died_at", 7)) && toml_kind(v) == TOML_INTEGER)
        m->life.died_at = (long)toml_int(v);
    obs = toml_find(life, "observed", 8);
    for (size_t i = 0; obs && toml_kind(obs) == TOML_TABLE && i < toml_len(obs); i++) {
        const char *key = toml_key(obs, i, NULL);
        v = toml_at(obs, i);
        if (toml_kind(v) != TOML_INTEGER || m->life.nobserved >= LAWS_OBSERVED_MAX)
            return augur_err_set(err, AUGUR_EINVAL, "%s:%d: life.observed.%s must be an integer "
                                 "(at most %d of them)", name, toml_line(v), key,
                                 LAWS_OBSERVED_MAX);
        snprintf(m->life.observed[m->life.nobserved].name,
                 sizeof m->life.observed[0].name, "%s", key);
        m->life.observed[m->life.nobserved++].count = (long)toml_int(v);
    }
    return AUGUR_OK;
}

int lm_outside(const laws *m, int32_t attr)
{
    for (int i = 0; i < m->noutside; i++)
        if (m->outside[i] == attr)
            return 1;
    return 0;
}

int laws_set_outside(laws *m, const char *attr, augur_err *err)
{
    int id = names_intern(&m->names, attr, strlen(attr));

    if (id < 0)
        return augur_err_set(err, AUGUR_EINVAL, "laws: '%s' is not an attribute name", attr);
    if (lm_outside(m, id))
        return AUGUR_OK;
    if (m->noutside >= LAW_SET_MAX)
        return augur_err_set(err, AUGUR_ELIMIT, "laws: at most %d attributes outside the model",
                             LAW_SET_MAX);
    m->outside[m->noutside++] = id;
    return AUGUR_OK;
}

static int laws_parse_outside(laws *m, const toml_value *list, const char *name, augur_err *err)
{
    int rc = AUGUR_OK;

    if (!list)
        return AUGUR_OK;
    if (toml_kind(list) != TOML_ARRAY)
        return augur_err_set(err, AUGUR_EINVAL, "%s: outside must be an array of attribute names",
                             name);
    for (size_t i = 0; i < toml_len(list) && rc == AUGUR_OK; i++) {
        const toml_value *v = toml_at(list, i);
        if (toml_kind(v) != TOML_STRING)
            return augur_err_set(err, AUGUR_EINVAL, "%s: outside[%zu] must be a string", name, i);
        if ((rc = laws_set_outside(m, toml_str(v, NULL), err)) != AUGUR_OK)
            augur_err_prefix(err, "%s: ", name);
    }
    return rc;
}

int laws_parse(const char *text, size_t len, const char *name, const world_class *cls,
               laws **out, augur_err *err)
{
    toml_doc *doc;
    const toml_value *root, *world, *list;
    laws *m = NULL;
    int rc;

    *out = NULL;
    if ((rc = toml_parse(text, len, name, &doc, err)) != AUGUR_OK)
        return rc;
    root = toml_root(doc);
    world = toml_find(root, "world", 5);
    if (!world || toml_kind(world) != TOML_STRING) {
        rc = augur_err_set(err, AUGUR_EINVAL, "%s: the file must say its world (world = \"...\")",
                           name);
    } else if (!cls && !(cls = world_find(toml_str(world, NULL)))) {
        rc = augur_err_set(err, AUGUR_ENOTFOUND, "%s: no world called '%s'", name,
                           toml_str(world, NULL));
    } else if (strcmp(cls->name, toml_str(world, NULL)) != 0) {
        rc = augur_err_set(err, AUGUR_EINVAL, "%s: the laws are for %s, not %s", name,
                           toml_str(world, NULL), cls->name);
    } else if ((rc = laws_new(cls, &m, err)) == AUGUR_OK) {
        for (size_t i = 0; i < toml_len(root) && rc == AUGUR_OK; i++) {
            const char *key = toml_key(root, i, NULL);
            if (strcmp(key, "world") && strcmp(key, "law") && strcmp(key, "life") &&
                strcmp(key, "outside"))
                rc = augur_err_set(err, AUGUR_EINVAL, "%s: unknown key '%s' (world, outside, "
                                   "life, law)", name, key);
        }
        if (rc == AUGUR_OK)
            rc = laws_parse_outside(m, toml_find(root, "outside", 7), name, err);
        list = toml_find(root, "law", 3);
        if (rc == AUGUR_OK && list && toml_kind(list) != TOML_ARRAY)
            rc = augur_err_set(err, AUGUR_EINVAL, "%s: law must be an array of tables ([[law]])",
                               name);
        for (size_t i = 0; rc == AUGUR_OK && list && i < toml_len(list); i++)
            rc = law_parse_table(m, toml_at(list, i), name, err);
        if (rc == AUGUR_OK)
            rc = laws_parse_life(m, toml_find(root, "life", 4), name, err);
    }
    toml_free(doc);
    if (rc != AUGUR_OK) {
        laws_free(m);
        return rc;
    }
    *out = m;
    return AUGUR_OK;
}

int laws_load(const char *path, const world_class *cls, laws **out, augur_err *err)
{
    char *text;
    size_t len;
    int rc;

    *out = NULL;
    if ((rc = file_read(path, TOML_FILE_MAX, &text, &len, err)) != AUGUR_OK)
        return rc;
    rc = laws_parse(text, len, path, cls, out, err);
    free(text);
    return rc;
}

int laws_write(const laws *m, buf *out)
{
    const laws_life *l = &m->life;

    buf_printf(out, "# Laws of %s: each says when it applies (when, action, for) and what it\n"
               "# does (then); weights are fitted by maximum likelihood. `augur laws show\n"
               "# --syntax` explains the forms.\nworld = \"%s\"\n", m->world, m->world);
    if (m->noutside) {
        buf_puts(out, "# Attributes the laws do not model (their changes are not scored):\n"
                 "outside = [");
        for (int i = 0; i < m->noutside; i++)
            buf_printf(out, "%s\"%s\"", i ? ", " : "", names_text(&m->names, m->outside[i]));
        buf_puts(out, "]\n");
    }
    if (l->steps || l->explorer[0]) {
        buf_printf(out, "\n[life]\nexplorer = \"%s\"\nseed = %llu\nsteps = %ld\ndied_at = %ld\n",
                   l->explorer, (unsigned long long)l->seed, l->steps, l->died_at);
        if (l->nobserved) {
            buf_puts(out, "\n[life.observed]\n");
            for (int i = 0; i < l->nobserved; i++) {
                toml_key_write(out, l->observed[i].name, strlen(l->observed[i].name));
                buf_printf(out, " = %ld\n", l->observed[i].count);
            }
        }
    }
    for (int i = 0; i < m->n; i++)
        law_write(m, &m->law[i], out);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

int laws_show(const laws *m, buf *out)
{
    buf_printf(out, "%d laws of %s", m->n, m->world);
    if (m->life.steps)
        buf_printf(out, ", learned by the %s explorer in one life of %ld steps (seed %llu%s)",
                   m->life.explorer, m->life.steps, (unsigned long long)m->life.seed,
                   m->life.died_at >= 0 ? ", died" : "");
    buf_puts(out, "\n");
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        buf_printf(out, "\n%6.3f  %s", l->weight, l->name);
        if (l->subject >= 0)
            buf_printf(out, "  (every %s)", names_text(&m->names, l->subject));
        buf_puts(out, "\n        when ");
        for (int a = 0; a < l->naction; a++)
            buf_printf(out, "%s%s", a ? " or " : "action is ", m->cls->actions[l->action[a]]);
        l->kind->show(m, l, l->naction > 0, out);
        buf_putc(out, '\n');
    }
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

int lm_player_of(const state *s)
{
    for (size_t i = 0; i < state_entity_count(s); i++)
        if (strcmp(state_entity_type(s, (int)i), "player") == 0)
            return (int)i;
    return -1;
}

int lm_intern_state(laws *m, const state *s)
{
    for (int k = 0; state_key_name(s, k); k++) {
        const char *name = state_key_name(s, k);
        if (names_intern(&m->names, name, strlen(name)) < 0)
            return AUGUR_ENOMEM;
    }
    return AUGUR_OK;
}

/* ---- the index ------------------------------------------------------------------------ */

static int lm_bucket_cmp(const void *a, const void *b)
{
    const lm_bucket *x = a, *y = b;
    if (x->key != y->key)
        return (x->key > y->key) - (x->key < y->key);
    return (x->law > y->law) - (x->law < y->law);
}

int law_allows(const law *l, int action)
{
    if (l->naction == 0)
        return 1;
    for (int i = 0; i < l->naction; i++)
        if (l->action[i] == action)
            return 1;
    return 0;
}

/* Whether law l only moves its subject (one move effect, declarative). */
static int lm_move_law(const law *l)
{
    return l->subject >= 0 && l->kind == &law_declarative && l->decl.neffect == 1 &&
           l->decl.effect[0].kind == EF_POS && l->decl.effect[0].ref.kind == REF_SELF_POS;
}

static int lm_same_on(const law_effect *a, const law_effect *b)
{
    if (a->non != b->non)
        return 0;
    for (int i = 0; i < a->non; i++)
        if (a->on[i] != b->on[i])
            return 0;
    return 1;
}

/* Whether condition a on a creature implies b: the same, or a tighter bound on
** the same number. */
static int lm_cond_implies(const law_cond *a, const law_cond *b)
{
    int le = b->op == OP_LE || b->op == OP_LT, ge = b->op == OP_GE || b->op == OP_GT;

    if (law_cond_equal(a, b))
        return 1;
    if (!law_ref_equal(&a->ref, &b->ref) || a->symbolic || b->symbolic || a->n != 1 || b->n != 1)
        return 0;
    if (le && (a->op == OP_LE || a->op == OP_LT))
        return a->v[0] < b->v[0] || (a->v[0] == b->v[0] && (b->op == OP_LE || a->op == OP_LT));
    if (ge && (a->op == OP_GE || a->op == OP_GT))
        return a->v[0] > b->v[0] || (a->v[0] == b->v[0] && (b->op == OP_GE || a->op == OP_GT));
    return 0;
}

/* The moves (bits by enum law_dir) a move effect gives some chance; all five
** named stand for toward and away too. */
static unsigned lm_dirs(const law_effect *ef)
{
    unsigned dirs = 0;

    for (int a = 0; a < ef->nalt; a++)
        if (ef->alt[a].p > 0)
            dirs |= 1u << ef->alt[a].dir;
    return (dirs & 31) == 31 ? dirs | 1u << DIR_TOWARD | 1u << DIR_AWAY : dirs;
}

/* Whether move law a covers b: on any creature b's conditions about it hold
** for, a's hold too, and a gives every move b gives. Where a fires with a
** weight, b without one adds nothing to the product of experts: no move, no
** score. */
static int lm_covers(const law *a, const law *b)
{
    if (lm_dirs(&b->decl.effect[0]) & ~lm_dirs(&a->decl.effect[0]))
        return 0;
    for (int i = 0; i < a->decl.ncond; i++) {
        int implied = !law_ref_of_self(&a->decl.cond[i].ref);
        for (int j = 0; j < b->decl.ncond && !implied; j++)
            implied = law_ref_of_self(&b->decl.cond[j].ref) &&
                      lm_cond_implies(&b->decl.cond[j], &a->decl.cond[i]);
        if (!implied)
            return 0;
    }
    return 1;
}

/* Per type, the laws sampling's fast path combines: those that only move their
** subject, under one `on`. A type with any other law about its position goes
** the exact way. */
static int lm_index_movers(laws *m)
{
    lm_mover *mv = malloc((size_t)(m->n + 1) * sizeof *mv);
    int n = 0;

    if (!mv)
        return AUGUR_ENOMEM;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        int k = 0, clash = 0;
        if (!lm_move_law(l))
            continue;
        while (k < n && mv[k].type != l->subject)
            k++;
        if (k == n)
            mv[n++] = (lm_mover){ .type = l->subject };
        if (mv[k].n >= LM_MOVES_MAX ||
            (mv[k].n && !lm_same_on(&m->law[mv[k].law[0]].decl.effect[0], &l->decl.effect[0])))
            clash = 1;
        for (int j = 0; j < m->n && !clash; j++)
            for (int e = 0; e < m->law[j].decl.neffect && !clash; e++)
                clash = m->law[j].subject == l->subject && !lm_move_law(&m->law[j]) &&
                        m->law[j].decl.effect[e].kind == EF_POS;
        if (clash)
            mv[k].n = -1;
        else if (mv[k].n >= 0)
            mv[k].law[mv[k].n++] = i;
    }
    for (int k = 0; k < n; k++)
        for (int j = 0; j < mv[k].n; j++) {
            mv[k].covered[j] = 0;
            for (int i = 0; i < mv[k].n; i++)
                if (i != j && lm_covers(&m->law[mv[k].law[i]], &m->law[mv[k].law[j]]))
                    mv[k].covered[j] |= 1u << i;
        }
    free(m->movers);
    m->movers = mv;
    m->nmovers = n;
    free(m->moved);
    if (!(m->moved = calloc((size_t)m->n + 1, 1)))
        return AUGUR_ENOMEM;
    for (int k = 0; k < n; k++)
        for (int j = 0; j < mv[k].n; j++)
            m->moved[mv[k].law[j]] = 1;
    return AUGUR_OK;
}

/* Per law, whether sampling's fast path may keep its firings apart (lm_lone):
** declarative, with `for`, its one effect a removal of its subject by chance. */
static int lm_index_lone(laws *m)
{
    free(m->lone);
    if (!(m->lone = calloc((size_t)m->n + 1, 1)))
        return AUGUR_ENOMEM;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        const law_effect *ef = &l->decl.effect[0];
        m->lone[i] = l->subject >= 0 && l->kind == &law_declarative && l->decl.neffect == 1 &&
                     ef->kind == EF_REMOVE && ef->ref.kind == REF_SELF && ef->alt[0].p > 0 &&
                     ef->alt[0].p <= 1;
    }
    return AUGUR_OK;
}

/* Put the conditions on a creature read from positions (distance, faced) first:
** a law's are tested in bit order, the first that fails ending it, so an
** attribute is looked up only for the creatures near enough. */
static void lm_conds_cheap_first(lm_conds *t, uint64_t *need, int n)
{
    const law_cond *cond[64];
    int to[64], k = 0;

    for (int pass = 0; pass < 2; pass++)
        for (int b = 0; b < t->n; b++) {
            int kind = t->cond[b]->ref.kind;
            if ((kind == REF_DISTANCE || kind == REF_FACED) == !pass) {
                to[b] = k;
                cond[k++] = t->cond[b];
            }
        }
    memcpy(t->cond, cond, (size_t)t->n * sizeof *cond);
    for (int i = 0; i < n; i++) {
        uint64_t bits = 0;
        for (uint64_t x = need[i]; x; x &= x - 1)
            bits |= 1ull << to[__builtin_ctzll(x)];
        need[i] = bits;
    }
}

/* Per law with `for`, the farthest from the player its subject may stand: the
** least of its self.distance bounds (distances are whole). A creature farther
** off is passed over without a test. */
static int lm_index_reach(laws *m)
{
    free(m->reach);
    if (!(m->reach = malloc(((size_t)m->n + 1) * sizeof *m->reach)))
        return AUGUR_ENOMEM;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        m->reach[i] = INT32_MAX;
        for (int k = 0; l->kind == &law_declarative && k < l->decl.ncond; k++) {
            const law_cond *lc = &l->decl.cond[k];
            double v = lc->op == OP_LE ? floor(lc->v[0]) : ceil(lc->v[0]) - 1;
            if (lc->ref.kind == REF_DISTANCE && (lc->op == OP_LE || lc->op == OP_LT) &&
                v < m->reach[i])
                m->reach[i] = v < -1 ? -1 : (int)v;
        }
    }
    return AUGUR_OK;
}

/* The distinct conditions of declarative laws, on their subject (self: of laws
** with `for`) or not: laws share many (self.distance <= 17, player.drink >= 4),
** and each need be tested once per creature or context. */
static int lm_index_conds(laws *m, lm_conds *t, int self)
{
    uint64_t *need = calloc((size_t)m->n + 1, sizeof *need);
    unsigned char *fast = calloc((size_t)m->n + 1, 1), *only = calloc((size_t)m->n + 1, 1);

    if (!need || !fast || !only) {
        free(need);
        free(fast);
        free(only);
        return AUGUR_ENOMEM;
    }
    t->n = 0;
    for (int i = 0; i < m->n; i++) {
        const law *l = &m->law[i];
        fast[i] = only[i] = l->kind == &law_declarative && (!self || l->subject >= 0);
        for (int c = 0; c < l->decl.ncond && fast[i]; c++) {
            const law_cond *lc = &l->decl.cond[c];
            int k = 0;
            if (law_ref_of_self(&lc->ref) != self) {
                only[i] = 0;
                continue;
            }
            while (k < t->n && !law_cond_equal(t->cond[k], lc))
                k++;
            if (k == 64) {
                fast[i] = only[i] = 0;
                break;
            }
            if (k == t->n)
                t->cond[t->n++] = lc;
            need[i] |= 1ull << k;
        }
    }
    if (self) {
        lm_conds_cheap_first(t, need, m->n);
        m->faced_conds = 0;
        for (int k = 0; k < t->n; k++)
            if (t->cond[k]->ref.kind == REF_FACED && t->cond[k]->op == OP_EQ && t->cond[k]->v[0] == 1)
                m->faced_conds |= 1ull << k;
    }
    lm_conds_free(t);
    t->need = need;
    t->fast = fast;
    t->only = only;
    return AUGUR_OK;
}

/* Per action, the laws without `for` that may fire, sorted by the faced material
** they require (-1: any); and per action the laws with `for` that may fire, in
** their order. */
static int lm_index(laws *m)
{
    int na = m->cls->nactions, nb = 0, ns = 0;
    lm_bucket *b;
    int *first, *sfirst;
    int32_t *subj;

    for (int a = 0; a < na; a++)
        for (int i = 0; i < m->n; i++) {
            nb += m->law[i].subject < 0 && law_allows(&m->law[i], a);
            ns += m->law[i].subject >= 0 && law_allows(&m->law[i], a);
        }
    b = malloc((size_t)(nb + 1) * sizeof *b);
    first = malloc((size_t)(na + 1) * sizeof *first);
    subj = malloc((size_t)(ns + 1) * sizeof *subj);
    sfirst = malloc((size_t)(na + 1) * sizeof *sfirst);
    if (!b || !first || !subj || !sfirst) {
        free(b);
        free(first);
        free(subj);
        free(sfirst);
        return AUGUR_ENOMEM;
    }
    nb = ns = 0;
    for (int a = 0; a < na; a++) {
        first[a] = nb;
        sfirst[a] = ns;
        for (int i = 0; i < m->n; i++)
            if (m->law[i].subject < 0 && law_allows(&m->law[i], a))
                b[nb++] = (lm_bucket){ m->law[i].key_material, m->law[i].key_entity, i };
            else if (m->law[i].subject >= 0 && law_allows(&m->law[i], a))
                subj[ns++] = i;
        qsort(b + first[a], (size_t)(nb - first[a]), sizeof *b, lm_bucket_cmp);
    }
    first[na] = nb;
    sfirst[na] = ns;
    free(m->bucket);
    free(m->bucket_first);
    free(m->subject_laws);
    free(m->subject_first);
    m->bucket = b;
    m->bucket_first = first;
    m->subject_laws = subj;
    m->subject_first = sfirst;
    m->moves_valid = 0;
    if (lm_index_movers(m) != AUGUR_OK || lm_index_lone(m) != AUGUR_OK ||
        lm_index_reach(m) != AUGUR_OK ||
        lm_index_conds(m, &m->selfc, 1) != AUGUR_OK ||
        lm_index_conds(m, &m->globc, 0) != AUGUR_OK)
        return AUGUR_ENOMEM;
    m->indexed = 1;
    return AUGUR_OK;
}

/* ---- the context -------------------------------------------------------------------------- */

int lm_grow_to(void **p, int *cap, int need, size_t size)
{
    size_t c = (size_t)*cap;
    int rc = buf_grow_array(p, &c, (size_t)need, size);

    if (rc == AUGUR_OK)
        *cap = (int)c;
    return rc;
}

/* Two arrays of elements of the same size, grown together. */
static int lm_grow2(void **a, void **b, int *cap, int need, size_t size)
{
    int first = *cap;

    return lm_grow_to(a, &first, need, size) || lm_grow_to(b, cap, need, size);
}

/* Map the state's keys to the model's names, once per key assignment (and again
** when the model has learned new names). */
int lm_keys_sync(laws *m, const state *s)
{
    uint64_t id = state_keys_id(s);
    lm_keys *k = m->keys;
    int n = 0;

    if (k && k->valid && k->id == id && k->nnames == m->names.n) {
        k->used = ++m->keys_used;
        return AUGUR_OK;
    }
    /* Two ways per set, by the assignment's id; a miss replaces the way used
    ** longer ago (states observed apart come in a few dozen assignments, and a
    ** direct-mapped table would thrash on their collisions). */
    k = &m->keyset[((id * 0x9e3779b97f4a7c15ull) >> (65 - LM_KEYSETS_LOG2)) * 2];
    if (!(k->valid && k->id == id) && ((k[1].valid && k[1].id == id) || k[1].used < k->used))
        k++;
    k->used = ++m->keys_used;
    m->keys = m->ctx.keys = k;
    if (k->valid && k->id == id && k->nnames == m->names.n)
        return AUGUR_OK;
    k->valid = 0;
    while (state_key_name(s, n))
        n++;
    if (lm_grow((void **)&k->name_of, &k->cap_keys, n + 1, sizeof *k->name_of) ||
        lm_grow((void **)&k->key_of, &k->cap_names, m->names.n + 1, sizeof *k->key_of))
        return AUGUR_ENOMEM;
    for (int i = 0; i < k->cap_names; i++)
        k->key_of[i] = -1;
    for (int i = 0; i < n; i++) {
        const char *text = state_key_name(s, i);
        k->name_of[i] = names_find(&m->names, text, strlen(text));
        if (k->name_of[i] >= 0)
            k->key_of[k->name_of[i]] = i;
    }
    k->nkeys = n;
    k->nnames = m->names.n;
    k->id = id;
    k->valid = 1;
    return AUGUR_OK;
}

/* A value as state_attrs_numbers gives it, as laws read it: a symbol as the
** model's name id, or -1 - its key in the state when the model has none. */
static double lm_number(const lm_keys *k, int kind, double v)
{
    if (kind != STATE_SYMBOL)
        return v;
    return v < k->nkeys && k->name_of[(int)v] >= 0 ? k->name_of[(int)v] : -1.0 - v;
}

/* law_ctx_attr, inline for the hot paths of this file. */
static inline double lm_attr(const law_ctx *ctx, int e, int32_t attr, int *kind)
{
    uint8_t k;
    double v;
    int key;

    if (e == ctx->player && attr >= 0 && attr < ctx->cap_p && ctx->pat[attr] == ctx->pstamp) {
        if (kind)
            *kind = ctx->pkind[attr];
        return ctx->pval[attr];
    }
    key = attr >= 0 && attr < ctx->keys->cap_names ? ctx->keys->key_of[attr] : -1;
    state_column_numbers(ctx->s, key, e, 1, &k, &v);
    if (k == STATE_ABSENT)
        return NAN;
    if (kind)
        *kind = k;
    return lm_number(ctx->keys, k, v);
}

double law_ctx_attr(const law_ctx *ctx, int e, int32_t attr, int *kind)
{
    return lm_attr(ctx, e, attr, kind);
}

/* Read the player's attributes once: conditions read them again and again. */
static int lm_player_attrs(law_ctx *c)
{
    int need = c->m->names.n + 1;
    size_t na;

    if (need > c->cap_p) {
        uint32_t *at = realloc(c->pat, (size_t)need * sizeof *at);
        double *val = at ? realloc(c->pval, (size_t)need * sizeof *val) : NULL;
        uint8_t *kind = val ? realloc(c->pkind, (size_t)need) : NULL;
        if (at)
            c->pat = at;
        if (val)
            c->pval = val;
        if (!kind)
            return AUGUR_ENOMEM;
        c->pkind = kind;
        memset(c->pat + c->cap_p, 0, (size_t)(need - c->cap_p) * sizeof *c->pat);
        c->cap_p = need;
    }
    if (++c->pstamp == 0) {
        memset(c->pat, 0, (size_t)c->cap_p * sizeof *c->pat);
        c->pstamp = 1;
    }
    if (c->player < 0)
        return AUGUR_OK;
    na = state_attrs_numbers(c->s, c->player, c->row_key, c->row_kind, c->row_v,
                             (size_t)c->cap_row);
    if (na > (size_t)c->cap_row) {
        int cap_k = c->cap_row, cap_t = c->cap_row, cap_v = c->cap_row;
        if (na > INT32_MAX / 2 ||
            lm_grow((void **)&c->row_key, &cap_k, (int)na, sizeof *c->row_key) ||
            lm_grow((void **)&c->row_kind, &cap_t, (int)na, sizeof *c->row_kind) ||
            lm_grow((void **)&c->row_v, &cap_v, (int)na, sizeof *c->row_v))
            return AUGUR_ENOMEM;
        cap_k = cap_k < cap_t ? cap_k : cap_t;
        c->cap_row = cap_k < cap_v ? cap_k : cap_v;
        na = state_attrs_numbers(c->s, c->player, c->row_key, c->row_kind, c->row_v, na);
    }
    for (size_t i = 0; i < na; i++) {
        int key = c->row_key[i], id = key < c->keys->nkeys ? c->keys->name_of[key] : -1;
        if (id < 0 || id >= c->cap_p)
            continue;
        c->pval[id] = lm_number(c->keys, c->row_kind[i], c->row_v[i]);
        c->pkind[id] = c->row_kind[i];
        c->pat[id] = c->pstamp;
    }
    return AUGUR_OK;
}

/* Every entity's position, read as two columns (the player's from pval):
** whole numbers within a million, else -1. */
static int lm_read_positions(law_ctx *c)
{
    static const int32_t attr[2] = { N_X, N_Y };
    int n = c->nents, *pos[2] = { c->ex, c->ey };

    if (2 * n + 1 > c->cap_col) {
        int cap_v = c->cap_col, cap_k = c->cap_col;
        if (lm_grow((void **)&c->col_v, &cap_v, 2 * n + 1, sizeof *c->col_v) ||
            lm_grow((void **)&c->col_kind, &cap_k, 2 * n + 1, sizeof *c->col_kind))
            return AUGUR_ENOMEM;
        c->cap_col = cap_v < cap_k ? cap_v : cap_k;
    }
    for (int j = 0; j < 2; j++) {
        int key = c->keys->key_of[attr[j]], p = c->player >= 0 ? c->player : n;
        uint8_t *kind = c->col_kind + j * n;
        double *v = c->col_v + j * n;
        state_column_numbers(c->s, key, 0, p, kind, v);
        if (p < n) {
            kind[p] = c->pat[attr[j]] == c->pstamp ? c->pkind[attr[j]] : STATE_ABSENT;
            v[p] = c->pval[attr[j]];
            state_column_numbers(c->s, key, p + 1, n - p - 1, kind + p + 1, v + p + 1);
        }
        for (int e = 0; e < n; e++)
            pos[j][e] = (kind[e] == STATE_INT || kind[e] == STATE_FLOAT) && v[e] >= -1e6 &&
                        v[e] <= 1e6 ? (int)v[e] : -1;
    }
    return AUGUR_OK;
}

static int lm_material(const law_ctx *ctx, int x, int y)
{
    int i;

    if (x < 0 || y < 0 || x >= ctx->gw || y >= ctx->gh)
        return -1;
    i = ctx->cells[y * ctx->gw + x];
    return i < ctx->npal ? ctx->pal[i] : -1;
}

/* The entities grouped by type (a counting sort), for the laws with `for`. */
static int lm_group_types(laws *m)
{
    law_ctx *c = &m->ctx;
    int nt = m->names.n + 1, n = c->nents;

    if (nt + 1 > c->cap_types) {
        int32_t *f = realloc(c->type_first, (size_t)(nt + 1) * sizeof *f), *a;
        if (!f)
            return AUGUR_ENOMEM;
        c->type_first = f;
        if (!(a = realloc(c->type_at, (size_t)(nt + 1) * sizeof *a)))
            return AUGUR_ENOMEM;
        c->type_at = a;
        if (!(a = realloc(c->nearest, (size_t)(nt + 1) * sizeof *a)))
            return AUGUR_ENOMEM;
        c->nearest = a;
        c->cap_types = nt + 1;
    }
    if (lm_grow((void **)&c->by_type, &c->cap_by_type, n + 1, sizeof *c->by_type))
        return AUGUR_ENOMEM;
    memset(c->type_first, 0, (size_t)c->cap_types * sizeof *c->type_first);
    memset(c->nearest, 0xff, (size_t)c->cap_types * sizeof *c->nearest);
    for (int e = 0; e < n; e++)
        if (c->etype[e] >= 0 && c->etype[e] < nt)
            c->type_first[c->etype[e] + 1]++;
    for (int t = 0; t + 1 < c->cap_types; t++)
        c->type_first[t + 1] += c->type_first[t];
    memcpy(c->type_at, c->type_first, (size_t)c->cap_types * sizeof *c->type_at);
    for (int e = 0; e < n; e++)
        if (c->etype[e] >= 0 && c->etype[e] < nt)
            c->by_type[c->type_at[c->etype[e]]++] = e;
    return AUGUR_OK;
}

int lm_context(laws *m, const state *s, int action)
{
    law_ctx *c = &m->ctx;
    lm_keys *k;
    int n = (int)state_entity_count(s), player_key, facing;

    if (lm_keys_sync(m, s) != AUGUR_OK)
        return AUGUR_ENOMEM;
    k = m->keys;
    if (n + 1 > c->cap_ents) {
        /* Four arrays, one capacity: the least they all hold. */
        int cap_xy = c->cap_ents, cap_td = c->cap_ents;
        if (lm_grow2((void **)&c->ex, (void **)&c->ey, &cap_xy, n + 1, sizeof *c->ex) ||
            lm_grow2((void **)&c->etype, (void **)&c->dist, &cap_td, n + 1, sizeof *c->etype))
            return AUGUR_ENOMEM;
        c->cap_ents = cap_xy < cap_td ? cap_xy : cap_td;
    }
    if (n + 1 > c->cap_self) {
        int cap = c->cap_self;
        if (lm_grow2((void **)&c->self_known, (void **)&c->self_true, &cap, n + 1,
                     sizeof *c->self_known))
            return AUGUR_ENOMEM;
        c->cap_self = cap;
    }
    memset(c->self_known, 0, (size_t)n * sizeof *c->self_known);
    c->glob_known = 0;
    c->m = m;
    c->s = s;
    c->action = action;
    c->keys = k;
    c->nents = 0;
    c->player = -1;
    c->nearby_known = 0;
    c->occ_known = 0;
    player_key = k->key_of[N_PLAYER];
    for (int e = 0; e < n; e++) {
        int tk = state_entity_type_key(s, e);
        c->etype[e] = tk >= 0 && tk < k->nkeys ? k->name_of[tk] : -1;
        if (c->player < 0 && tk == player_key && player_key >= 0)
            c->player = e;
    }
    c->nents = n;
    if (lm_player_attrs(c) != AUGUR_OK || lm_read_positions(c) != AUGUR_OK) {
        c->nents = 0;
        return AUGUR_ENOMEM;
    }
    c->cells = state_grid_cells(s);
    c->gw = c->cells ? state_grid_width(s) : 0;
    c->gh = c->cells ? state_grid_height(s) : 0;
    {
        int npal = state_grid_palette_size(s), changed = npal != c->npal || !c->pal_stamp;
        for (int i = 0; i < npal; i++) {
            int key = state_symbol_key(s, state_grid_palette(s, i));
            int32_t id = key >= 0 && key < k->nkeys ? k->name_of[key] : -1;
            changed |= c->pal[i] != id;
            c->pal[i] = id;
        }
        c->npal = npal;
        c->pal_stamp += changed;
    }
    c->px = c->py = -1;
    c->fdx = c->fdy = 0;
    facing = -1;
    if (c->player >= 0) {
        c->px = c->ex[c->player];
        c->py = c->ey[c->player];
        facing = (int)law_ctx_attr(c, c->player, N_FACING, NULL);
    }
    c->fdx = facing == N_LEFT ? -1 : facing == N_RIGHT ? 1 : 0;
    c->fdy = facing == N_UP ? -1 : facing == N_DOWN ? 1 : 0;
    {
        const int dx[PL_N] = { c->fdx, 0, -1, 1, 0, 0 }, dy[PL_N] = { c->fdy, 0, 0, 0, -1, 1 };
        for (int p = 0; p < PL_N; p++) {
            int known = c->player >= 0 && c->px >= 0 && (p != PL_FACING || c->fdx || c->fdy);
            c->place_x[p] = known ? c->px + dx[p] : -1;
            c->place_y[p] = known ? c->py + dy[p] : -1;
            c->place_mat[p] = known ? lm_material(c, c->place_x[p], c->place_y[p]) : -1;
            c->place_ent[p] = -1;
        }
    }
    /* Each entity's distance to the player; every place is within one step of
    ** the player's tile. */
    for (int e = 0; e < n; e++) {
        int dx = abs(c->ex[e] - c->px), dy = abs(c->ey[e] - c->py);
        c->dist[e] = c->player < 0 || c->ex[e] < 0 ? INT32_MAX : dx + dy;
        if (dx > 1 || dy > 1 || c->place_x[PL_HERE] < 0 || c->ex[e] < 0 || e == c->player)
            continue;
        for (int p = 0; p < PL_N; p++)
            if (c->place_ent[p] < 0 && c->ex[e] == c->place_x[p] && c->ey[e] == c->place_y[p])
                c->place_ent[p] = e;
    }
    return lm_group_types(m);
}

static int lm_nearby(law_ctx *c, int32_t material)
{
    if (!c->nearby_known) {
        if (lm_grow((void **)&c->nearby, &c->cap_nearby, c->m->names.n + 1, 1))
            return 0;
        memset(c->nearby, 0, (size_t)c->cap_nearby);
        /* Crafter's quirk of the 3x3: none at the top or left edge. */
        for (int y = c->py - 1; c->player >= 0 && c->px > 0 && c->py > 0 && y <= c->py + 1; y++)
            for (int x = c->px - 1; x <= c->px + 1; x++) {
                int mat = lm_material(c, x, y);
                if (mat >= 0)
                    c->nearby[mat] = 1;
            }
        c->nearby_known = 1;
    }
    return material >= 0 && material < c->cap_nearby && c->nearby[material];
}

int law_ctx_entity(const law_ctx *ctx, const law_ref *ref, int self)
{
    switch (ref->kind) {
    case REF_SELF: case REF_SELF_POS: case REF_DISTANCE: case REF_SIDE: case REF_FACED:
        return self;
    case REF_PLAYER: case REF_PLAYER_POS:
        return ctx->player;
    case REF_PLACE:
        return ctx->place_ent[ref->place];
    default:
        return -1;
    }
}

/* Fill the occupancy grid once per context; 0 when out of memory. */
static int lm_occupancy(law_ctx *ctx)
{
    int w = ctx->gw, h = ctx->gh;

    if (ctx->occ_known)
        return 1;
    if (w * h > ctx->occ_cells) {
        uint32_t *at = realloc(ctx->occ_at, (size_t)w * (size_t)h * sizeof *at);
        int32_t *en = at ? realloc(ctx->occ_ent, (size_t)w * (size_t)h * sizeof *en) : NULL;
        uint8_t *n = en ? realloc(ctx->occ_n, (size_t)w * (size_t)h) : NULL;
        if (at)
            ctx->occ_at = at;
        if (en)
            ctx->occ_ent = en;
        if (!n)
            return 0;
        ctx->occ_n = n;
        memset(ctx->occ_at, 0, (size_t)w * (size_t)h * sizeof *ctx->occ_at);
        ctx->occ_cells = w * h;
        ctx->occ_stamp = 0;
    }
    if (++ctx->occ_stamp == 0) {
        memset(ctx->occ_at, 0, (size_t)ctx->occ_cells * sizeof *ctx->occ_at);
        ctx->occ_stamp = 1;
    }
    for (int i = 0; i < ctx->nents; i++) {
        int c;
        if (ctx->ex[i] < 0 || ctx->ey[i] < 0 || ctx->ex[i] >= w || ctx->ey[i] >= h)
            continue;
        c = ctx->ey[i] * w + ctx->ex[i];
        if (ctx->occ_at[c] != ctx->occ_stamp) {
            ctx->occ_at[c] = ctx->occ_stamp;
            ctx->occ_ent[c] = i;
            ctx->occ_n[c] = 1;
        } else if (ctx->occ_n[c] < 2) {
            ctx->occ_n[c]++;
        }
    }
    ctx->occ_known = 1;
    return 1;
}

/* Whether no entity but e stands on cell (x, y) of the grid, the occupancy known. */
static int lm_cell_free(const law_ctx *ctx, int e, int x, int y)
{
    int cell = y * ctx->gw + x;

    return ctx->occ_at[cell] != ctx->occ_stamp ||
           (ctx->occ_n[cell] == 1 && ctx->occ_ent[cell] == e);
}

int law_ctx_free_for(law_ctx *ctx, int e, int x, int y)
{
    if (x < 0 || y < 0 || x >= ctx->gw || y >= ctx->gh)
        return 1;
    if (lm_occupancy(ctx))
        return lm_cell_free(ctx, e, x, y);
    /* Out of memory: look the slow way. */
    for (int i = 0; i < ctx->nents; i++)
        if (i != e && ctx->ex[i] == x && ctx->ey[i] == y)
            return 0;
    return 1;
}

/* The moves (left, right, up, down: bits 0..3) entity e may make under the move
** effect ef of mover mv, the `on` of all its laws: law_move_free (law.c) for
** every creature of a type, with the palette entries `on` lets a move enter
** worked out once per palette. */
static int lm_free_dirs(law_ctx *ctx, lm_mover *mv, const law_effect *ef, int e)
{
    static const int steps[4][2] = { { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };
    const uint8_t *on_ok = mv->on_ok;
    int mask = 0, occ;

    if (ef->non == 0)
        return 15;
    if (mv->on_stamp != ctx->pal_stamp) {
        for (int i = 0; i < ctx->npal; i++) {
            mv->on_ok[i] = 0;
            for (int k = 0; k < ef->non && !mv->on_ok[i]; k++)
                mv->on_ok[i] = ef->on[k] == ctx->pal[i];
        }
        mv->on_stamp = ctx->pal_stamp;
    }
    occ = lm_occupancy(ctx);
    for (int d = 0; d < 4; d++) {
        int x = ctx->ex[e] + steps[d][0], y = ctx->ey[e] + steps[d][1], i;
        if (x < 0 || y < 0 || x >= ctx->gw || y >= ctx->gh)
            continue;
        i = ctx->cells[y * ctx->gw + x];
        if (i < ctx->npal && on_ok[i] &&
            (occ ? lm_cell_free(ctx, e, x, y) : law_ctx_free_for(ctx, e, x, y)))
            mask |= 1 << d;
    }
    return mask;
}

double law_ctx_read(law_ctx *ctx, const law_ref *ref, int self)
{
    int e = law_ctx_entity(ctx, ref, self), best;

    switch (ref->kind) {
    case REF_PLAYER: case REF_SELF: case REF_PLACE:
        return e < 0 ? NAN : lm_attr(ctx, e, ref->id, NULL);
    case REF_MATERIAL:
        return ctx->place_mat[ref->place] < 0 ? NAN : ctx->place_mat[ref->place];
    case REF_ENTITY:
        e = ctx->place_ent[ref->place];
        return ctx->place_x[ref->place] < 0 ? NAN : e < 0 ? N_NONE : ctx->etype[e];
    case REF_DISTANCE:
        if (e < 0 || ctx->player < 0 || ctx->ex[e] < 0)
            return NAN;
        return abs(ctx->ex[e] - ctx->px) + abs(ctx->ey[e] - ctx->py);
    case REF_SIDE: {
        int dx, dy;
        if (e < 0 || ctx->player < 0 || ctx->ex[e] < 0)
            return NAN;
        dx = ctx->ex[e] - ctx->px;
        dy = ctx->ey[e] - ctx->py;
        if (abs(dx) + abs(dy) > 1)
            return N_FAR;
        return dx < 0 ? N_LEFT : dx > 0 ? N_RIGHT : dy < 0 ? N_UP : dy > 0 ? N_DOWN : N_HERE;
    }
    case REF_FACED:
        return e >= 0 && e == ctx->place_ent[PL_FACING];
    case REF_ACTION:
        return ctx->action;
    case REF_NEARBY:
        return lm_nearby(ctx, ref->id);
    case REF_NEAREST:
        /* Once per context and type, over that type's entities. */
        if (ref->id < 0 || ref->id + 1 >= ctx->cap_types)
            return LAW_FAR;
        if (ctx->nearest[ref->id] >= 0)
            return ctx->nearest[ref->id];
        best = (int)LAW_FAR;
        for (int k = ctx->type_first[ref->id]; k < ctx->type_first[ref->id + 1] && ctx->player >= 0; k++) {
            int i = ctx->by_type[k];
            if (ctx->ex[i] >= 0 && i != ctx->player) {
                int d = abs(ctx->ex[i] - ctx->px) + abs(ctx->ey[i] - ctx->py);
                best = d < best ? d : best;
            }
        }
        ctx->nearest[ref->id] = best;
        return best;
    default:
        return NAN;
    }
}

/* ---- what laws say ------------------------------------------------------------------- */

void law_out_reset(law_out *o)
{
    o->ne = o->nv = 0;
    o->fail[0] = '\0';
}

void law_out_free(law_out *o)
{
    free(o->tmp);
    free(o->e);
    free(o->v);
    free(o->lp);
    memset(o, 0, sizeof *o);
}

int law_out_slot(law_out *o, uint64_t slot, int vkind, const law_effect *create)
{
    if (lm_grow((void **)&o->e, &o->cap_e, o->ne + 1, sizeof *o->e))
        return AUGUR_ENOMEM;
    o->e[o->ne++] = (law_entry){ slot, o->law, o->nv, 0, create, vkind };
    return AUGUR_OK;
}

int law_out_value(law_out *o, double v, double p)
{
    if (o->ne == 0 || !(p > 0))
        return AUGUR_EINVAL;
    if (o->nv + 1 > o->cap_v &&
        lm_grow2((void **)&o->v, (void **)&o->lp, &o->cap_v, o->nv + 1, sizeof *o->v))
        return AUGUR_ENOMEM;
    o->v[o->nv] = v;
    if (p >= 1) {
        o->lp[o->nv++] = 0;
    } else {
        /* The same few probabilities come again and again (a law's, for each
        ** subject): remember their logarithms. */
        uint64_t bits;
        int h;
        memcpy(&bits, &p, sizeof bits);
        h = (int)((bits * 0x9e3779b97f4a7c15ull) >> 60);
        if (o->log_p[h] != p) {
            o->log_p[h] = p;
            o->log_v[h] = log(p);
        }
        o->lp[o->nv++] = o->log_v[h];
    }
    o->e[o->ne - 1].n++;
    return AUGUR_OK;
}

/* ---- the product of experts ------------------------------------------------------------- */

#define LM_WEIGHT(m, i) ((m)->vote ? (m)->law[i].vote_weight : (m)->law[i].weight)

static int lm_apply(laws *m, int i, int self, int vote)
{
    const law *l = &m->law[i];

    m->out.law = i;
    return l->kind->apply(m, l, &m->ctx, self, vote, &m->out);
}

/* Whether the model's selfc condition b holds for entity e; remembered for the context. */
static inline int lm_self_test(law_ctx *c, const laws *m, int b, int e)
{
    const law_cond *lc = m->selfc.cond[b];
    double x;

    /* What creatures' laws test most, read here. */
    if (lc->ref.kind == REF_DISTANCE && c->dist[e] != INT32_MAX)
        x = c->dist[e];
    else if (lc->ref.kind == REF_SELF)
        x = lm_attr(c, e, lc->ref.id, NULL);
    else if (lc->ref.kind == REF_FACED)
        x = e == c->place_ent[PL_FACING];
    else
        x = law_ctx_read(c, &lc->ref, e);
    c->self_known[e] |= 1ull << b;
    if (!law_cond_test(lc, x)) {
        c->self_true[e] &= ~(1ull << b);
        return 0;
    }
    c->self_true[e] |= 1ull << b;
    return 1;
}

/* Whether law i's conditions on its subject hold for entity e (a law selfc.fast
** names), each distinct one tested once per creature and context. */
static int lm_self_holds(laws *m, int i, int e)
{
    law_ctx *c = &m->ctx;
    uint64_t need = m->selfc.need[i], unknown = need & ~c->self_known[e];

    for (; unknown; unknown &= unknown - 1)
        if (!lm_self_test(c, m, __builtin_ctzll(unknown), e))
            return 0;
    return (need & ~c->self_true[e]) == 0;
}

/* The model's selfc conditions among bits that hold for entity e (all of them tested). */
static uint64_t lm_self_eval(laws *m, uint64_t bits, int e)
{
    law_ctx *c = &m->ctx;

    for (uint64_t unknown = bits & ~c->self_known[e]; unknown; unknown &= unknown - 1)
        lm_self_test(c, m, __builtin_ctzll(unknown), e);
    return c->self_true[e] & bits;
}

/* Whether the model's globc conditions among need hold in the context, each
** tested once per context. */
static int lm_glob_holds(laws *m, uint64_t need)
{
    law_ctx *c = &m->ctx;

    for (uint64_t unknown = need & ~c->glob_known; unknown; unknown &= unknown - 1) {
        int b = __builtin_ctzll(unknown);
        const law_cond *lc = m->globc.cond[b];
        /* What they test most, the player's attributes, read here. */
        double x = lc->ref.kind != REF_PLAYER ? law_ctx_read(c, &lc->ref, -1)
                   : c->player < 0                ? NAN
                                                  : lm_attr(c, c->player, lc->ref.id, NULL);
        c->glob_known |= 1ull << b;
        if (!law_cond_test(lc, x)) {
            c->glob_true &= ~(1ull << b);
            return 0;
        }
        c->glob_true |= 1ull << b;
    }
    return (need & ~c->glob_true) == 0;
}

/* The kind's may_fire for law i, the declarative one with its conditions tested
** once per context. */
static int lm_may_fire(laws *m, int i)
{
    const law *l = &m->law[i];

    if (m->globc.fast[i])
        return law_allows(l, m->ctx.action) && lm_glob_holds(m, m->globc.need[i]);
    return !l->kind->may_fire || l->kind->may_fire(m, l, &m->ctx);
}

/* Declarative law i fired for subject self (-1: none): its effects. */
static int lm_fire(laws *m, int i, int self)
{
    const law *l = &m->law[i];
    int rc = AUGUR_OK;

    m->out.law = i;
    for (int k = 0; k < l->decl.neffect && rc == AUGUR_OK; k++)
        rc = law_effect_apply(&m->ctx, &l->decl.effect[k], self, 1, &m->out);
    return rc < 0 ? rc : 1;
}

static const lm_norm *lm_norm_get(laws *m, double w, const double *lp, int n);

/* Lone law i's distribution, as law_chance_emit gives it (0 with chance p, 1
** with 1 - p; law_out_value's logarithms) and lm_combine_slot normalises it:
** once per law that fires, into lone_norm[lone_cur]. */
static int lm_lone_norm(laws *m, int i)
{
    double p = m->law[i].decl.effect[0].alt[0].p, lp[2];
    const lm_norm *nm;
    int n = 0;

    if (lm_grow((void **)&m->lone_norm, &m->cap_lone_norm, m->nlone_norm + 1,
                sizeof *m->lone_norm))
        return AUGUR_ENOMEM;
    lp[n++] = p >= 1 ? 0 : log(p);
    if (1 - p > 0)
        lp[n++] = 1 - p >= 1 ? 0 : log(1 - p);
    if (!(nm = lm_norm_get(m, LM_WEIGHT(m, i), lp, n)))
        return AUGUR_ENOMEM;
    m->lone_norm[m->nlone_norm] = *nm;
    m->lone_cur = m->nlone_norm++;
    return AUGUR_OK;
}

/* Lone law i (lm_lone) fired for subject e, while sampling: kept apart. */
static int lm_lone_add(laws *m, int i, int e)
{
    if (lm_grow((void **)&m->lone_rec, &m->cap_lone_rec, m->nlone_rec + 1, sizeof *m->lone_rec) ||
        (m->lone_cur < 0 && lm_lone_norm(m, i) != AUGUR_OK))
        return AUGUR_ENOMEM;
    m->lone_rec[m->nlone_rec++] = (lm_lone){ e, i, m->lone_cur };
    return 1;
}

/* Lone law i fired for every creature of type t (it has no condition on them). */
static int lm_lone_all(laws *m, int i, int t)
{
    const law_ctx *c = &m->ctx;
    int first = c->type_first[t], n = c->type_first[t + 1] - first;

    if (n <= 0)
        return 0;
    if (lm_grow((void **)&m->lone_rec, &m->cap_lone_rec, m->nlone_rec + n, sizeof *m->lone_rec) ||
        lm_lone_norm(m, i) != AUGUR_OK)
        return AUGUR_ENOMEM;
    for (int k = 0; k < n; k++)
        m->lone_rec[m->nlone_rec++] = (lm_lone){ c->by_type[first + k], i, m->lone_cur };
    return 1;
}

/* Declarative law i for subject e, its other conditions known to hold: what
** law_decl_apply does then, with the subject's conditions tested once. */
static inline int lm_apply_fast(laws *m, int i, int e, int lone)
{
    if (!lm_self_holds(m, i, e))
        return 0;
    return lone ? lm_lone_add(m, i, e) : lm_fire(m, i, e);
}

static int lm_apply_subject(laws *m, int i, int vote)
{
    const law *l = &m->law[i];
    law_ctx *c = &m->ctx;
    int rc = 0, t = l->subject;

    if (t < 0 || t >= c->cap_types - 1)
        return 0;
    m->lone_cur = -1;
    if (!vote && l->kind->may_fire) {
        if (!lm_may_fire(m, i))
            return 0;
        c->prechecked = 1;
    }
    if (c->prechecked && m->selfc.fast[i] && (m->selfc.need[i] & m->faced_conds)) {
        /* Only the creature the player faces can be its subject. */
        int e = c->place_ent[PL_FACING];
        rc = e >= 0 && c->etype[e] == t ? lm_apply_fast(m, i, e, m->fast && m->lone[i]) : 0;
    } else if (c->prechecked && m->selfc.fast[i] && m->fast && m->lone[i] && !m->selfc.need[i]) {
        rc = lm_lone_all(m, i, t);
    } else if (c->prechecked && m->selfc.fast[i]) {
        int lone = m->fast && m->lone[i];
        for (int k = c->type_first[t]; k < c->type_first[t + 1] && rc >= 0; k++)
            if (c->dist[c->by_type[k]] <= m->reach[i])
                rc = lm_apply_fast(m, i, c->by_type[k], lone);
    } else {
        for (int k = c->type_first[t]; k < c->type_first[t + 1] && rc >= 0; k++)
            rc = lm_apply(m, i, c->by_type[k], vote);
    }
    c->prechecked = 0;
    return rc;
}

static int lm_collect(laws *m, int action)
{
    int rc = 0, mat = m->ctx.place_mat[PL_FACING];
    int ent = m->ctx.place_x[PL_FACING] < 0 ? -2
              : m->ctx.place_ent[PL_FACING] < 0 ? N_NONE : m->ctx.etype[m->ctx.place_ent[PL_FACING]];

    if (m->vote) {
        for (int i = 0; i < m->n && rc >= 0; i++)
            rc = m->law[i].subject >= 0 ? lm_apply_subject(m, i, 1) : lm_apply(m, i, -1, 1);
        return rc;
    }
    for (int b = m->bucket_first[action]; b < m->bucket_first[action + 1] && rc >= 0; b++) {
        const lm_bucket *k = &m->bucket[b];
        if ((k->key >= 0 && k->key != mat) || (k->entity >= 0 && k->entity != ent))
            continue;
        /* The bucket is the action's: what law_decl_apply does, its conditions
        ** tested once per context. */
        if (m->globc.only[k->law])
            rc = lm_glob_holds(m, m->globc.need[k->law]) ? lm_fire(m, k->law, -1) : 0;
        else
            rc = lm_apply(m, k->law, -1, 0);
    }
    for (int j = m->subject_first[action]; j < m->subject_first[action + 1] && rc >= 0; j++)
        if (!(m->fast && m->moved[m->subject_laws[j]]))
            rc = lm_apply_subject(m, m->subject_laws[j], 0);
    return rc;
}

/* ---- sampling's fast path: creatures' moves ---------------------------------------- */

/* The outcome (0 stay, 1 left, 2 right, 3 up, 4 down) of a move alternative, the
** player lying toward outcome td. */
static int lm_move_outcome(int dir, int td)
{
    static const int away[5] = { 0, 2, 1, 4, 3 };

    return dir == DIR_TOWARD ? td : dir == DIR_AWAY ? away[td] : dir;
}

/* Combine the fired laws of a mover (mask) for a creature that may step free
** (bits) with the player toward td, as the product of experts does. */
static void lm_move_combine(const laws *m, const lm_mover *mv, uint32_t mask, int free, int td,
                            lm_move *out)
{
    static const int8_t ox[5] = { 0, -1, 1, 0, 0 }, oy[5] = { 0, 0, 0, -1, 1 };
    double score[5] = { 0 }, top = -INFINITY, sum = 0;
    int given[5] = { 0 };

    for (int j = 0; j < mv->n; j++) {
        const law_effect *ef = &m->law[mv->law[j]].decl.effect[0];
        double p[5] = { 0 }, w = m->law[mv->law[j]].weight;
        if (!(mask >> j & 1))
            continue;
        for (int a = 0; a < ef->nalt; a++) {
            int o = lm_move_outcome(ef->alt[a].dir, td);
            p[o > 0 && !(free >> (o - 1) & 1) ? 0 : o] += ef->alt[a].p;
        }
        for (int o = 0; o < 5; o++) {
            double lp = p[o] > 0 ? log(p[o]) : LAW_FLOOR;
            given[o] |= p[o] > 0;
            score[o] += w * (lp < LAW_FLOOR ? LAW_FLOOR : lp);
        }
    }
    out->n = 0;
    for (int o = 0; o < 5; o++)
        if (given[o] && score[o] > top)
            top = score[o];
    for (int o = 0; o < 5; o++)
        if (given[o])
            sum += exp(score[o] - top);
    for (int o = 0, c = 0; o < 5; o++) {
        if (!given[o])
            continue;
        out->dx[c] = ox[o];
        out->dy[c] = oy[o];
        double lp = out->n == 0 && sum == 1 ? 0 : score[o] - top - log(sum);
        out->cum[c] = exp(lp) + (c ? out->cum[c - 1] : 0);
        out->n = ++c;
    }
    out->cum[out->n - 1] = 1;
}

uint64_t lm_move_key(uint32_t mask, int32_t type, int free, int td)
{
    return (uint64_t)mask << 32 | (uint64_t)(type & 0xffffff) << 8 | (uint64_t)free << 3 |
           (uint64_t)td | 1ull << 63;
}

int lm_move_entry(uint64_t key)
{
    return (int)((key * 0x9e3779b97f4a7c15ull) >> 52) & (LM_MOVE_CACHE - 1);
}

/* The combined move of a mover for one situation, from the cache. */
static const lm_move *lm_move_get(laws *m, const lm_mover *mv, uint32_t mask, int free, int td)
{
    uint64_t key = lm_move_key(mask, mv->type, free, td);
    int i = lm_move_entry(key);

    /* A cache line each: the cache is read here and there. */
    if (!m->moves) {
        if (!(m->moves = aligned_alloc(64, LM_MOVE_CACHE * sizeof *m->moves)))
            return NULL;
        m->moves_valid = 0;
    }
    if (!m->moves_valid) {
        memset(m->moves, 0, LM_MOVE_CACHE * sizeof *m->moves);
        m->moves_valid = 1;
    }
    if (m->moves[i].key != key) {
        lm_move_combine(m, mv, mask, free, td, &m->moves[i]);
        m->moves[i].key = key;
    }
    return &m->moves[i];
}

/* The moves of every creature of a mover type, as slots. */
static int lm_moves(laws *m, lm_mover *mv)
{
    law_ctx *c = &m->ctx;
    uint32_t may = 0, weighted, stay_mask = 0, stay_known = 0;
    uint64_t need = 0, law_need[LM_MOVES_MAX];
    double stay[5];
    int fast = 1, first, end, reach = -1;

    if (mv->n <= 0 || mv->type >= c->cap_types - 1)
        return AUGUR_OK;
    first = c->type_first[mv->type];
    end = c->type_first[mv->type + 1];
    for (int j = 0; j < mv->n; j++)
        if (m->law[mv->law[j]].weight > 0 && lm_may_fire(m, mv->law[j]))
            may |= 1u << j;
    /* A law without weight covered by a weighted one that may fire changes
    ** nothing: neither its conditions nor its creatures' need a test. */
    weighted = may;
    for (int j = 0; j < mv->n; j++)
        if (!(m->law[mv->law[j]].weight > 0) && !(mv->covered[j] & weighted) &&
            lm_may_fire(m, mv->law[j]))
            may |= 1u << j;
    if (!may || first == end)
        return AUGUR_OK;
    for (uint32_t b = may; b; b &= b - 1) {
        int j = __builtin_ctz(b);
        reach = m->reach[mv->law[j]] > reach ? m->reach[mv->law[j]] : reach;
        law_need[j] = m->selfc.need[mv->law[j]];
        need |= law_need[j];
        fast &= m->selfc.fast[mv->law[j]];
    }
    if (lm_grow((void **)&m->slot, &m->cap_slot, m->nslot + end - first, sizeof *m->slot))
        return AUGUR_ENOMEM;
    for (int k = first; k < end; k++) {
        int e = c->by_type[k], td = 0, ox, oy;
        uint32_t mask = 0;
        lm_slot *sl;
        if (c->ex[e] < 0 || c->dist[e] > reach)
            continue;
        if (fast) {
            /* Each condition once for the creature, then every law's from the bits. */
            uint64_t held = lm_self_eval(m, need, e);
            for (uint32_t b = may; b; b &= b - 1)
                if (!(law_need[__builtin_ctz(b)] & ~held))
                    mask |= b & -b;
        } else {
            for (int j = 0; j < mv->n; j++)
                if ((may >> j & 1) && law_self_holds(c, &m->law[mv->law[j]], e))
                    mask |= 1u << j;
        }
        if (!mask)
            continue;
        if (c->player >= 0) {
            ox = c->px - c->ex[e];
            oy = c->py - c->ey[e];
            td = abs(ox) > abs(oy) ? (ox < 0 ? 1 : 2) : oy < 0 ? 3 : oy > 0 ? 4 : 0;
        }
        if (mask != stay_mask) {
            stay_mask = mask;
            stay_known = 0;
        }
        if (!(stay_known >> td & 1)) {
            /* A blocked step only adds to staying, in each law and so in their
            ** product: the chance to stay with every side free is the least. */
            const lm_move *mo = lm_move_get(m, mv, mask, 15, td);
            if (!mo)
                return AUGUR_ENOMEM;
            stay[td] = mo->dx[0] == 0 && mo->dy[0] == 0 ? mo->cum[0] : 0;
            stay_known |= 1u << td;
        }
        sl = &m->slot[m->nslot++];
        sl->slot = SLOT_KEY(SLOT_POS, e, 0, 0);
        sl->current = LAW_POS(c->ex[e], c->ey[e]);
        sl->first = m->npv;
        sl->n = sl->e_n = sl->has_p = 0;
        sl->move = 1 + (int)(mv - m->movers);
        sl->mask = mask;
        sl->td = td;
        sl->stay = stay[td];
    }
    return AUGUR_OK;
}

/* The position a creature's move slot takes for the uniform draw u: most stay,
** told from the slot alone; the others look at the sides they may step to. */
static int lm_move_draw(laws *m, const lm_slot *sl, double u, double *v)
{
    law_ctx *c = &m->ctx;
    lm_mover *mv = &m->movers[sl->move - 1];
    int e = SLOT_A(sl->slot), k = 0;
    const lm_move *mo;

    if (u < sl->stay) {
        *v = sl->current;
        return AUGUR_OK;
    }
    mo = lm_move_get(m, mv, sl->mask,
                     lm_free_dirs(c, mv, &m->law[mv->law[0]].decl.effect[0], e), sl->td);
    if (!mo)
        return AUGUR_ENOMEM;
    while (k < mo->n - 1 && !(u < mo->cum[k]))
        k++;
    *v = LAW_POS(c->ex[e] + mo->dx[k], c->ey[e] + mo->dy[k]);
    return AUGUR_OK;
}

static int lm_entry_cmp(const void *a, const void *b)
{
    const law_entry *x = a, *y = b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return (x->law > y->law) - (x->law < y->law);
}

/* The log-probability entry e gives value v, floored. */
static double lm_entry_lp(const law_out *o, const law_entry *e, double v)
{
    for (int i = 0; i < e->n; i++)
        if (o->v[e->first + i] == v)
            return o->lp[e->first + i] < LAW_FLOOR ? LAW_FLOOR : o->lp[e->first + i];
    return LAW_FLOOR;
}

/* Sort the entries by slot, then law (a stable merge sort: entries come law by
** law, each in slot order, so runs are long). */
static int lm_sort_entries(law_out *o)
{
    law_entry *a = o->e, *b;
    int n = o->ne, sorted = 1;

    for (int i = 1; i < n && sorted; i++)
        sorted = lm_entry_cmp(&a[i - 1], &a[i]) <= 0;
    if (sorted)
        return AUGUR_OK;
    if (n > o->cap_tmp) {
        law_entry *t = realloc(o->tmp, (size_t)n * sizeof *t);
        if (!t)
            return AUGUR_ENOMEM;
        o->tmp = t;
        o->cap_tmp = n;
    }
    b = o->tmp;
    for (int width = 1; width < n; width *= 2) {
        for (int lo = 0; lo < n; lo += 2 * width) {
            int mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            int i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                b[k++] = lm_entry_cmp(&a[j], &a[i]) < 0 ? a[j++] : a[i++];
            while (i < mid)
                b[k++] = a[i++];
            while (j < hi)
                b[k++] = a[j++];
        }
        {
            law_entry *t = a;
            a = b;
            b = t;
        }
    }
    if (a != o->e) {
        memcpy(o->e, a, (size_t)n * sizeof *a);
    }
    return AUGUR_OK;
}

/* Normalise the n scores at plp (top: the largest) in place; their log-sum-exp. */
static double lm_normalise(double *plp, int n, double top)
{
    double sum = 0;

    if (n == 1) {
        plp[0] = 0;
        return top;
    }
    for (int c = 0; c < n; c++)
        sum += exp(plp[c] - top);
    sum = log(sum);
    for (int c = 0; c < n; c++)
        plp[c] -= top + sum;
    return top + sum;
}

/* The scores of one law's n log-probabilities lp under weight w. */
static double lm_scores(double w, const double *lp, int n, double *out)
{
    double top = -INFINITY;

    for (int t = 0; t < n; t++) {
        out[t] = w * (lp[t] < LAW_FLOOR ? LAW_FLOOR : lp[t]);
        top = out[t] > top ? out[t] : top;
    }
    return top;
}

/* Whether n doubles are the same bits (then what is computed from them is too). */
static int lm_same_bits(const double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++) {
        uint64_t x, y;
        memcpy(&x, &a[i], sizeof x);
        memcpy(&y, &b[i], sizeof y);
        if (x != y)
            return 0;
    }
    return 1;
}

/* One law's distribution normalised under weight w, from the cache (NULL when
** it is too long to keep, or out of memory). */
static const lm_norm *lm_norm_get(laws *m, double w, const double *lp, int n)
{
    uint64_t h, bits;
    lm_norm *x;

    if (n < 1 || n > LM_NORM_MAX || (!m->norms && !(m->norms = calloc(LM_NORM_CACHE, sizeof *m->norms))))
        return NULL;
    memcpy(&h, &w, sizeof h);
    h = (h ^ (uint64_t)n) * 0x9e3779b97f4a7c15ull;
    for (int t = 0; t < n; t++) {
        memcpy(&bits, &lp[t], sizeof bits);
        h = (h ^ bits) * 0x9e3779b97f4a7c15ull;
        h ^= h >> 29;
    }
    x = &m->norms[h % LM_NORM_CACHE];
    if (x->n == n && lm_same_bits(&x->w, &w, 1) && lm_same_bits(x->lp, lp, n))
        return x;
    x->w = w;
    memcpy(x->lp, lp, (size_t)n * sizeof *lp);
    x->norm = lm_normalise(x->plp, n, lm_scores(w, lp, n, x->plp));
    for (int t = 0; t < n; t++)
        x->p[t] = exp(x->plp[t]);
    x->n = n;
    return x;
}

/* The slot of entries i..j (one slot, sorted by law): candidates and their
** log-probabilities under the product of the laws' distributions. */
static int lm_combine_slot(laws *m, int i, int j)
{
    law_out *o = &m->out;
    int first = m->npv;
    lm_slot *sl;
    double top = -INFINITY;

    if (lm_grow((void **)&m->slot, &m->cap_slot, m->nslot + 1, sizeof *m->slot))
        return AUGUR_ENOMEM;
    sl = &m->slot[m->nslot];
    sl->has_p = 0;
    if (j - i == 1) {
        /* One law: its values (distinct already), scored by its weight. */
        const law_entry *e = &o->e[i];
        const lm_norm *nm = lm_norm_get(m, LM_WEIGHT(m, e->law), o->lp + e->first, e->n);
        if (m->npv + e->n > m->cap_pv &&
            lm_grow2((void **)&m->pv, (void **)&m->plp, &m->cap_pv, m->npv + e->n, sizeof *m->pv))
            return AUGUR_ENOMEM;
        for (int t = 0; t < e->n; t++)
            m->pv[m->npv++] = o->v[e->first + t];
        if (!nm) {
            top = lm_scores(LM_WEIGHT(m, e->law), o->lp + e->first, e->n, m->plp + first);
            goto normalise;
        }
        for (int t = 0; t < e->n; t++) {
            m->plp[first + t] = nm->plp[t];
            sl->p[t] = nm->p[t];
        }
        sl->has_p = 1;
        sl->norm = nm->norm;
        goto slot;
    }
    /* The candidates: every value any of the laws gives. */
    for (int k = i; k < j; k++)
        for (int t = 0; t < o->e[k].n; t++) {
            double v = o->v[o->e[k].first + t];
            int seen = 0;
            for (int c = first; c < m->npv && !seen; c++)
                seen = m->pv[c] == v;
            if (seen)
                continue;
            if (lm_grow2((void **)&m->pv, (void **)&m->plp, &m->cap_pv, m->npv + 1,
                         sizeof *m->pv))
                return AUGUR_ENOMEM;
            m->pv[m->npv++] = v;
        }
    for (int c = first; c < m->npv; c++) {
        double score = 0;
        for (int k = i; k < j; k++)
            score += LM_WEIGHT(m, o->e[k].law) * lm_entry_lp(o, &o->e[k], m->pv[c]);
        m->plp[c] = score;
        top = score > top ? score : top;
    }
normalise:
    sl->norm = lm_normalise(m->plp + first, m->npv - first, top);
slot:
    m->nslot++;
    sl->floor = 0;
    for (int k = i; k < j; k++)
        sl->floor += LM_WEIGHT(m, o->e[k].law) * LAW_FLOOR;
    sl->slot = o->e[i].slot;
    sl->first = first;
    sl->n = m->npv - first;
    sl->e_first = i;
    sl->e_n = j - i;
    sl->vkind = o->e[i].vkind;
    sl->create = o->e[i].create;
    sl->move = 0;
    sl->current = NAN;
    return AUGUR_OK;
}

/* Whether a lone firing's slot is also another's: lone_rec sorted by subject,
** and some subject in it twice or among the entries' removals. */
static int lm_lone_clash(laws *m)
{
    lm_lone *r = m->lone_rec;
    int n = m->nlone_rec;

    for (int i = 1; i < n; i++) {
        lm_lone x = r[i];
        int j = i;
        for (; j > 0 && r[j - 1].e > x.e; j--)
            r[j] = r[j - 1];
        r[j] = x;
    }
    for (int i = 1; i < n; i++)
        if (r[i].e == r[i - 1].e)
            return 1;
    for (int k = 0; k < m->out.ne; k++) {
        uint64_t slot = m->out.e[k].slot;
        int lo = 0, hi = n - 1;
        if (SLOT_KIND(slot) != SLOT_EXISTS)
            continue;
        while (lo <= hi) {
            int mid = (lo + hi) / 2;
            if (r[mid].e == SLOT_A(slot))
                return 1;
            if (r[mid].e < SLOT_A(slot))
                lo = mid + 1;
            else
                hi = mid - 1;
        }
    }
    return 0;
}

/* When a lone firing's slot is another's too: their entries after all. */
static int lm_lone_check(laws *m)
{
    int rc = AUGUR_OK;

    if (!lm_lone_clash(m))
        return AUGUR_OK;
    for (int i = 0; i < m->nlone_rec && rc >= 0; i++)
        rc = lm_fire(m, m->lone_rec[i].law, m->lone_rec[i].e);
    m->nlone_rec = 0;
    return rc < 0 ? rc : AUGUR_OK;
}

static int lm_combine(laws *m)
{
    law_out *o = &m->out;

    if (o->ne > 1 && lm_sort_entries(o) != AUGUR_OK)
        return AUGUR_ENOMEM;
    m->nslot = m->npv = 0;
    for (int i = 0, j = 0; i < o->ne; i = j) {
        while (j < o->ne && o->e[j].slot == o->e[i].slot)
            j++;
        if (lm_combine_slot(m, i, j) != AUGUR_OK)
            return AUGUR_ENOMEM;
    }
    m->ncombined = m->nslot;
    return AUGUR_OK;
}

int lm_predict(laws *m, const state *s, int action, augur_err *err)
{
    int rc;

    if (action < 0 || action >= m->cls->nactions)
        return augur_err_set(err, AUGUR_EINVAL, "laws: action %d is out of range (0..%d)", action,
                             m->cls->nactions - 1);
    if ((!m->indexed && lm_index(m) != AUGUR_OK) || lm_context(m, s, action) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    law_out_reset(&m->out);
    m->nlone_rec = m->nlone_norm = 0;
    if ((rc = lm_collect(m, action)) < 0 || (rc = lm_lone_check(m)) < 0)
        return augur_err_set(err, rc, "laws: law '%s' failed: %s", m->law[m->out.law].name,
                             m->out.fail[0] ? m->out.fail : augur_errstr(rc));
    if (lm_combine(m) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    for (int i = 0; i < m->nslot; i++)
        m->slot[i].current = lm_slot_value(m, s, m->slot[i].slot);
    for (int k = 0; m->fast && k < m->nmovers; k++)
        if (lm_moves(m, &m->movers[k]) != AUGUR_OK)
            return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    return AUGUR_OK;
}

int lm_slot_find(const laws *m, uint64_t slot)
{
    int lo = 0, hi = m->nslot - 1;

    while (lo <= hi) {
        int mid = (lo + hi) / 2;
        if (m->slot[mid].slot == slot)
            return mid;
        if (m->slot[mid].slot < slot)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return -1;
}

double lm_slot_value(laws *m, const state *s, uint64_t slot)
{
    law_ctx *c = &m->ctx;
    int a = SLOT_A(slot), b = SLOT_B(slot), cc = SLOT_C(slot);

    switch (SLOT_KIND(slot)) {
    case SLOT_ATTR:
        return a < c->nents ? law_ctx_attr(c, a, b, NULL) : NAN;
    case SLOT_POS:
        return a < c->nents && c->ex[a] >= 0 ? LAW_POS(c->ex[a], c->ey[a]) : NAN;
    case SLOT_CELL: {
        int i = state_grid_get(s, b, cc);
        return i < 0 || i >= c->npal ? NAN : c->pal[i];
    }
    case SLOT_EXISTS:
        return a < c->nents;
    default:
        return 0;
    }
}

/* ---- the public calls ---------------------------------------------------------------------- */

static void lm_write_value(const laws *m, buf *out, uint64_t slot, int vkind, double v)
{
    int k = SLOT_KIND(slot);

    if (k == SLOT_POS)
        buf_printf(out, "(%d, %d)", (int)(v / 4096), (int)fmod(v, 4096));
    else if (k == SLOT_CELL || (k == SLOT_ATTR && vkind == STATE_SYMBOL))
        buf_puts(out, v >= 0 ? names_text(&m->names, (int)v) : "?");
    else if (k == SLOT_EXISTS || k == SLOT_SPAWN || vkind == STATE_BOOL)
        buf_puts(out, v != 0 ? "true" : "false");
    else
        buf_printf(out, "%.6g", v);
}

static void lm_write_slot(const laws *m, buf *out, uint64_t slot, const state *s)
{
    int a = SLOT_A(slot);

    switch (SLOT_KIND(slot)) {
    case SLOT_ATTR: case SLOT_POS: case SLOT_EXISTS:
        buf_printf(out, "%s#%lld.%s", state_entity_type(s, a), (long long)state_entity_id(s, a),
                   SLOT_KIND(slot) == SLOT_ATTR ? names_text(&m->names, SLOT_B(slot))
                   : SLOT_KIND(slot) == SLOT_POS ? "pos" : "exists");
        break;
    case SLOT_CELL:
        buf_printf(out, "cell(%d,%d)", SLOT_B(slot), SLOT_C(slot));
        break;
    default:
        buf_printf(out, "new %s at (%d,%d)", names_text(&m->names, a), SLOT_B(slot), SLOT_C(slot));
    }
}

int laws_predict(laws *m, const state *s, int action, buf *out, augur_err *err)
{
    int rc = lm_predict(m, s, action, err);

    for (int i = 0; i < m->nslot && rc == AUGUR_OK; i++) {
        const lm_slot *sl = &m->slot[i];
        lm_write_slot(m, out, sl->slot, s);
        buf_puts(out, ":");
        for (int c = 0; c < sl->n; c++) {
            buf_puts(out, c ? ", " : " ");
            lm_write_value(m, out, sl->slot, sl->vkind, m->pv[sl->first + c]);
            buf_printf(out, " p=%.4g", exp(m->plp[sl->first + c]));
        }
        buf_putc(out, '\n');
    }
    return rc == AUGUR_OK && out->oom ? augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory") : rc;
}

/* Set entity e's attribute to v in out, in the kind it has (or vkind when new). */
static int lm_set_attr(laws *m, state *out, int e, int attr, int vkind, double v)
{
    state_value cur, nv;
    int key = m->keys->id == state_keys_id(out) && attr < m->keys->cap_names ? m->keys->key_of[attr]
              : state_key(out, names_text(&m->names, attr));

    /* The kind it has: out is a copy of the context's state, and no slot is
    ** written twice, so the player's is the one read into pkind. */
    if (e == m->ctx.player && attr >= 0 && attr < m->ctx.cap_p) {
        if (m->ctx.pat[attr] == m->ctx.pstamp)
            vkind = m->ctx.pkind[attr];
    } else if (key >= 0 && state_get_key(out, e, key, &cur) == AUGUR_OK) {
        vkind = cur.kind;
    }
    nv.kind = (enum state_kind)vkind;
    switch (vkind) {
    case STATE_INT:    nv.as.i = (int64_t)llround(v); break;
    case STATE_FLOAT:  nv.as.f = v; break;
    case STATE_BOOL:   nv.as.b = v != 0; break;
    default:
        if (v < 0)
            return AUGUR_OK;
        nv.as.s = names_text(&m->names, (int)v);
    }
    if (key >= 0)
        return state_set_key(out, e, key, &nv);
    return state_set(out, e, names_text(&m->names, attr), &nv);
}

static int lm_spawn(laws *m, state *out, const lm_slot *sl, int64_t id)
{
    const law_effect *ef = sl->create;
    int e = state_entity_add(out, id, names_text(&m->names, SLOT_A(sl->slot))), rc;

    if (e < 0)
        return e;
    if ((rc = state_set_int(out, e, "x", SLOT_B(sl->slot))) ||
        (rc = state_set_int(out, e, "y", SLOT_C(sl->slot))))
        return rc;
    for (int i = 0; ef && i < ef->ninit && rc == AUGUR_OK; i++)
        rc = lm_set_attr(m, out, e, ef->init[i].attr, ef->init[i].kind, ef->init[i].v);
    return rc;
}

static int lm_cell_set(laws *m, state *out, int x, int y, double v)
{
    for (int i = 0; i < m->ctx.npal; i++)
        if (m->ctx.pal[i] == (int)v) {
            state_grid_set(out, x, y, i);
            return AUGUR_OK;
        }
    return AUGUR_OK;
}

int64_t lm_next_id(const state *s)
{
    int64_t next = 1;

    for (size_t i = 0; i < state_entity_count(s); i++)
        if (state_entity_id(s, (int)i) >= next)
            next = state_entity_id(s, (int)i) + 1;
    return next;
}

int laws_sample(laws *m, const state *s, int action, uint64_t *rng, state *out, augur_err *err)
{
    int rc, nremove = 0, kx, ky;
    int64_t next_id = 0;        /* 0: not yet known (only a spawn needs it) */
    int *remove;

    /* The copy first: it reads all of s, the grid too, which the prediction
    ** then reads here and there from the cache. */
    if (state_copy(out, s) != AUGUR_OK)
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    m->fast = !m->vote;
    rc = lm_predict(m, s, action, err);
    m->fast = 0;

    if (rc != AUGUR_OK)
        return rc;
    if (lm_grow((void **)&m->remove, &m->cap_remove, m->nslot + m->nlone_rec + 1,
                sizeof *m->remove))
        return augur_err_set(err, AUGUR_ENOMEM, "laws: out of memory");
    remove = m->remove;
    /* x and y by key: s's keys are out's (a copy), and the model maps them. */
    kx = m->keys->key_of[N_X];
    ky = m->keys->key_of[N_Y];
    for (int i = 0, r = 0; (i < m->nslot || r < m->nlone_rec) && rc == AUGUR_OK;) {
        double u = rng_splitmix_uniform(rng), v;
        const lm_slot *sl;
        int a, c = 0;
        if (r < m->nlone_rec &&
            (i >= m->ncombined || SLOT_KEY(SLOT_EXISTS, m->lone_rec[r].e, 0, 0) < m->slot[i].slot)) {
            /* A lone firing, drawn where its slot would be: 0 (removed) with the
            ** first of its probabilities, the one value when there is one. */
            const lm_norm *nm = &m->lone_norm[m->lone_rec[r].k];
            if (nm->n == 1 || u - nm->p[0] < 0)
                remove[nremove++] = m->lone_rec[r].e;
            r++;
            continue;
        }
        sl = &m->slot[i++];
        a = SLOT_A(sl->slot);
        if (sl->move) {
            if ((rc = lm_move_draw(m, sl, u, &v)) != AUGUR_OK)
                break;
        } else {
            while (c < sl->n - 1 &&
                   !((u -= sl->has_p ? sl->p[c] : exp(m->plp[sl->first + c])) < 0))
                c++;
            v = m->pv[sl->first + c];
        }
        if (v == sl->current)
            continue;
        switch (SLOT_KIND(sl->slot)) {
        case SLOT_ATTR:
            rc = lm_set_attr(m, out, a, SLOT_B(sl->slot), sl->vkind, v);
            break;
        case SLOT_POS: {
            /* y: fmod(v, 4096), which v - trunc(v / 4096) * 4096 equals exactly
            ** for the whole numbers a position holds. */
            state_value vx = { STATE_INT, { .i = (int64_t)(v / 4096) } };
            state_value vy = { STATE_INT, { .i = (int64_t)(v - (double)vx.as.i * 4096) } };
            if (kx < 0 || ky < 0)
                rc = AUGUR_EINVAL;
            if (rc == AUGUR_OK && (rc = state_set_key(out, a, kx, &vx)) == AUGUR_OK)
                rc = state_set_key(out, a, ky, &vy);
            break;
        }
        case SLOT_CELL:
            rc = lm_cell_set(m, out, SLOT_B(sl->slot), SLOT_C(sl->slot), v);
            break;
        case SLOT_EXISTS:
            remove[nremove++] = a;
            break;
        default:
            if (!next_id)
                next_id = lm_next_id(s);
            rc = lm_spawn(m, out, sl, next_id++);
        }
    }
    /* Removals last, from the highest index, so the others keep theirs. */
    for (int i = 0; i < nremove; i++)
        for (int j = i + 1; j < nremove; j++)
            if (remove[j] > remove[i]) {
                int t = remove[i];
                remove[i] = remove[j];
                remove[j] = t;
            }
    for (int i = 0; i < nremove && rc == AUGUR_OK; i++)
        state_entity_remove(out, remove[i]);
    if (rc != AUGUR_OK)
        return augur_err_set(err, rc, "laws: cannot write the sampled state: %s",
                             augur_errstr(rc));
    return AUGUR_OK;
}

/* ---- what changed ------------------------------------------------------------------------ */

static int lm_change_add(lm_change **out, int *n, int *cap, uint64_t slot, double v)
{
    for (int i = 0; i < *n; i++)
        if ((*out)[i].slot == slot && SLOT_KIND(slot)) {
            (*out)[i].v = v;
            return AUGUR_OK;
        }
    if (lm_grow((void **)out, cap, *n + 1, sizeof **out))
        return AUGUR_ENOMEM;
    (*out)[(*n)++] = (lm_change){ slot, v };
    return AUGUR_OK;
}

static double lm_name_value(const laws *m, const char *text)
{
    int id = names_find(&m->names, text, strlen(text));
    return id >= 0 ? id : -1e9;
}

/* One change of the diff as a slot (0: one no law can name) and its new value. */
static void lm_change_slot(laws *m, const state *s, const state *next, const state_change *c,
                           uint64_t *slot, double *v)
{
    int e, ne, attr;

    *slot = SLOT_NONE;
    *v = 0;
    switch (c->kind) {
    case STATE_CELL_CHANGED:
        *slot = SLOT_KEY(SLOT_CELL, 0, c->x, c->y);
        *v = lm_name_value(m, c->cell_after);
        return;
    case STATE_ENTITY_REMOVED:
        if ((e = state_entity_find(s, c->id)) >= 0)
            *slot = SLOT_KEY(SLOT_EXISTS, e, 0, 0);
        return;
    case STATE_ENTITY_ADDED: {
        int type = names_find(&m->names, c->type, strlen(c->type));
        ne = state_entity_find(next, c->id);
        if (type >= 0 && ne >= 0)
            *slot = SLOT_KEY(SLOT_SPAWN, type, state_get_int(next, ne, "x", 0),
                             state_get_int(next, ne, "y", 0));
        *v = 1;
        return;
    }
    default:
        if ((e = state_entity_find(s, c->id)) < 0 || (ne = state_entity_find(next, c->id)) < 0)
            return;
        if (strcmp(c->attr, "x") == 0 || strcmp(c->attr, "y") == 0) {
            *slot = SLOT_KEY(SLOT_POS, e, 0, 0);
            *v = LAW_POS(state_get_int(next, ne, "x", 0), state_get_int(next, ne, "y", 0));
            return;
        }
        if ((attr = names_find(&m->names, c->attr, strlen(c->attr))) < 0 || !c->has_after)
            return;
        /* Outside the model: not a change it answers for. */
        if (lm_outside(m, attr)) {
            *slot = SLOT_OUTSIDE;
            return;
        }
        *slot = SLOT_KEY(SLOT_ATTR, e, attr, 0);
        switch (c->after.kind) {
        case STATE_INT:    *v = (double)c->after.as.i; break;
        case STATE_FLOAT:  *v = c->after.as.f; break;
        case STATE_BOOL:   *v = c->after.as.b; break;
        default:           *v = lm_name_value(m, c->after.as.s);
        }
    }
}

int lm_changes(laws *m, const state *s, const state *next, lm_change **out, int *n, int *cap,
               augur_err *err)
{
    state_changes d;
    int rc;

    *n = 0;
    if ((rc = state_diff(s, next, &d, err)) != AUGUR_OK)
        return rc;
    for (size_t i = 0; i < d.count && rc == AUGUR_OK; i++) {
        uint64_t slot;
        double v;
        lm_change_slot(m, s, next, &d.items[i], &slot, &v);
        rc = lm_change_add(out, n, cap, slot, v);
    }
    state_changes_free(&d);
    return rc == AUGUR_OK ? AUGUR_OK : augur_err_set(err, rc, "laws: out of memory");
}

/* log P(v) under slot sl: the normalised product; a value no law gives scores the
** floor under every law, and is normalised with the candidates. */
static double lm_slot_lp(const laws *m, const lm_slot *sl, double v)
{
    double top;

    for (int c = 0; c < sl->n; c++)
        if (m->pv[sl->first + c] == v)
            return m->plp[sl->first + c];
    top = sl->floor > sl->norm ? sl->floor : sl->norm;
    return sl->floor - top - log(exp(sl->norm - top) + exp(sl->floor - top));
}

int laws_logprob(laws *m, const state *s, int action, const state *next, double *out,
                 augur_err *err)
{
    lm_change *changes = NULL;
    int n = 0, cap = 0, rc;
    double total = 0;

    *out = 0;
    if ((rc = lm_predict(m, s, action, err)) != AUGUR_OK ||
        (rc = lm_changes(m, s, next, &changes, &n, &cap, err)) != AUGUR_OK) {
        free(changes);
        return rc;
    }
    for (int i = 0; i < m->nslot; i++) {
        const lm_slot *sl = &m->slot[i];
        double v = sl->current;
        int gone = 0;
        for (int c = 0; c < n; c++) {
            if (changes[c].slot == sl->slot)
                v = changes[c].v;
            gone |= (SLOT_KIND(sl->slot) == SLOT_ATTR || SLOT_KIND(sl->slot) == SLOT_POS) &&
                    changes[c].slot == SLOT_KEY(SLOT_EXISTS, SLOT_A(sl->slot), 0, 0);
        }
        if (!gone)
            total += lm_slot_lp(m, sl, v);
    }
    for (int c = 0; c < n; c++)
        if (changes[c].slot != SLOT_OUTSIDE &&
            (changes[c].slot == SLOT_NONE || lm_slot_find(m, changes[c].slot) < 0))
            total += LAW_CHANGE_SCORE;
    free(changes);
    *out = total;
    return AUGUR_OK;
}
