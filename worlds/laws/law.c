/*
** law.c — the declarative form of a law: conditions and effects written as short
** strings in a [[law]] table, read into ids, run at full speed, written back.
**
** The forms are listed in laws_syntax; each condition is REF OP VALUE, each
** effect assigns, adds to, draws for, creates or removes one thing.
*/
#include "worlds/laws/private.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const law_place_names[PL_N] = { "facing", "here", "left", "right", "up", "down" };

const char laws_syntax[] =
    "A law file names its world and lists laws:\n"
    "\n"
    "  world = \"crafter\"\n"
    "  [[law]]\n"
    "  name   = \"collect_stone\"             # unique, for people\n"
    "  action = \"do\"                        # or a list; absent: any action\n"
    "  for    = \"cow\"                       # optional: applies to every cow (self)\n"
    "  when   = [\"facing.material == stone\", \"player.wood_pickaxe >= 1\"]\n"
    "  then   = [\"player.stone += 1 max 9\", \"facing.material = path\"]\n"
    "  weight = 1.0                         # fitted; 0 to 10\n"
    "\n"
    "Things a law reads:\n"
    "  player.ATTR            an attribute of the player (wood, health, sleeping...)\n"
    "  self.ATTR              with `for`: an attribute of the entity it applies to\n"
    "  self.distance          with `for`: steps (L1) to the player\n"
    "  self.side              with `for`: left, right, up, down (next to the player),\n"
    "                         here or far\n"
    "  self.faced             with `for`: true when the player faces it\n"
    "  PLACE.material         the material of a tile: PLACE is facing (the tile the\n"
    "                         player faces), here, left, right, up or down\n"
    "  PLACE.entity           the type of the entity on that tile, or none\n"
    "  PLACE.ATTR             an attribute of the entity on that tile\n"
    "  nearby.MATERIAL        true when the material is in the 3x3 around the player\n"
    "  nearest.TYPE           steps to the nearest entity of that type (9999: none)\n"
    "  action                 the action taken (as `action` says, for conditions\n"
    "                         such as action != sleep)\n"
    "\n"
    "Conditions (all must hold): REF OP VALUE with OP one of == != < <= > >=, or\n"
    "  REF in [V, V, ...] and REF not in [V, ...]. Values are numbers, true, false\n"
    "  or names (materials, types, symbols; none).\n"
    "\n"
    "Effects:\n"
    "  REF = VALUE                  set (an attribute, or PLACE.material)\n"
    "  REF += N [max M] [min M]     add (-= subtracts), kept within the bounds\n"
    "  REF ~ ALT P | ALT P ...      draw one alternative: +N or -N (add), =VALUE,\n"
    "                               same; probabilities P sum to 1\n"
    "  player.pos = DIR             move: DIR is left, right, up, down, stay, toward\n"
    "  self.pos ~ DIR P | ...         (the player) or away; `on [M, ...]` at the end:\n"
    "                               a move onto another material or an entity stays\n"
    "  create TYPE at PLACE [~ P] [with ATTR = V, ...]   a new entity on that\n"
    "                               tile (with probability P, 1 when absent)\n"
    "  remove self | remove PLACE [~ P]   the entity is removed from the world\n"
    "\n"
    "A law the declarative form cannot say is written in Lua: kind = \"lua\" and\n"
    "  lua = '''...''', a program called with the situation s (s.action, s.player,\n"
    "  s.self with `for`, s.facing, s.here, s.left, s.right, s.up, s.down with their\n"
    "  material, entity and its attributes, s.nearby, s.nearest) that returns nil\n"
    "  when the law does not apply, else a list of effects written as above.\n";

/* ---- the lexer ---------------------------------------------------------------------- */

typedef struct lx {
    const char *s;
    size_t      i, n;
} lx;

static void lx_space(lx *x)
{
    while (x->i < x->n && isspace((unsigned char)x->s[x->i]))
        x->i++;
}

static int lx_end(lx *x)
{
    lx_space(x);
    return x->i >= x->n;
}

/* An identifier: its start and length; 0 when there is none. */
static size_t lx_word(lx *x, const char **w)
{
    size_t start;

    lx_space(x);
    start = x->i;
    if (x->i < x->n && (isalpha((unsigned char)x->s[x->i]) || x->s[x->i] == '_'))
        while (x->i < x->n && (isalnum((unsigned char)x->s[x->i]) || x->s[x->i] == '_'))
            x->i++;
    *w = x->s + start;
    return x->i - start;
}

static int lx_is(const char *w, size_t n, const char *lit)
{
    return strlen(lit) == n && strncmp(w, lit, n) == 0;
}

/* Take the punctuation lit when it comes next. */
static int lx_take(lx *x, const char *lit)
{
    size_t n = strlen(lit);

    lx_space(x);
    if (x->n - x->i >= n && strncmp(x->s + x->i, lit, n) == 0) {
        x->i += n;
        return 1;
    }
    return 0;
}

/* A word that is exactly lit (not a prefix of a longer one). */
static int lx_keyword(lx *x, const char *lit)
{
    size_t save = x->i;
    const char *w;
    size_t n = lx_word(x, &w);

    if (n && lx_is(w, n, lit))
        return 1;
    x->i = save;
    return 0;
}

static int lx_number(lx *x, double *out)
{
    char buf[64], *end;
    size_t start, len;

    lx_space(x);
    start = x->i;
    if (x->i < x->n && (x->s[x->i] == '-' || x->s[x->i] == '+'))
        x->i++;
    while (x->i < x->n && (isdigit((unsigned char)x->s[x->i]) || x->s[x->i] == '.' ||
                           x->s[x->i] == 'e' || x->s[x->i] == 'E'))
        x->i++;
    len = x->i - start;
    if (len == 0 || len >= sizeof buf) {
        x->i = start;
        return 0;
    }
    memcpy(buf, x->s + start, len);
    buf[len] = '\0';
    *out = strtod(buf, &end);
    if (*end || !isfinite(*out)) {
        x->i = start;
        return 0;
    }
    return 1;
}

/* ---- errors ---------------------------------------------------------------------------- */

typedef struct law_src {
    laws       *m;
    const char *where;      /* "FILE:LINE: law 'NAME': when[2]" */
    const char *text;
    augur_err  *err;
} law_src;

static int law_fail(const law_src *src, const lx *x, const char *what)
{
    return augur_err_set(src->err, AUGUR_ESYNTAX, "%s: %s at column %zu of \"%s\"", src->where,
                         what, x->i + 1, src->text);
}

/* ---- refs and values --------------------------------------------------------------- */

static int law_place_find(const char *w, size_t n)
{
    for (int p = 0; p < PL_N; p++)
        if (lx_is(w, n, law_place_names[p]))
            return p;
    return -1;
}

static int law_intern(const law_src *src, const lx *x, const char *w, size_t n, int32_t *id)
{
    int rc = names_intern(&src->m->names, w, n);

    if (rc < 0)
        return law_fail(src, x, rc == AUGUR_ENOMEM ? "out of memory" : "a name that is too long");
    *id = rc;
    return AUGUR_OK;
}

/* THING.PROPERTY as a ref. */
static int law_parse_ref(const law_src *src, lx *x, law_ref *ref)
{
    const char *w, *a;
    size_t n = lx_word(x, &w), na;
    int place;

    memset(ref, 0, sizeof *ref);
    if (!n)
        return law_fail(src, x, "expected a thing (player, self, facing, nearby...)");
    if (lx_is(w, n, "action")) {
        ref->kind = REF_ACTION;
        return AUGUR_OK;
    }
    if (!lx_take(x, "."))
        return law_fail(src, x, "expected '.' and a property");
    if (!(na = lx_word(x, &a)))
        return law_fail(src, x, "expected a property after '.'");
    if (lx_is(w, n, "player") || lx_is(w, n, "self")) {
        int self = lx_is(w, n, "self");
        ref->kind = self ? REF_SELF : REF_PLAYER;
        if (lx_is(a, na, "pos")) {
            ref->kind = self ? REF_SELF_POS : REF_PLAYER_POS;
            return AUGUR_OK;
        }
        if (self && lx_is(a, na, "distance"))
            ref->kind = REF_DISTANCE;
        else if (self && lx_is(a, na, "side"))
            ref->kind = REF_SIDE;
        else if (self && lx_is(a, na, "faced"))
            ref->kind = REF_FACED;
        else
            return law_intern(src, x, a, na, &ref->id);
        return AUGUR_OK;
    }
    if (lx_is(w, n, "nearby") || lx_is(w, n, "nearest")) {
        ref->kind = lx_is(w, n, "nearby") ? REF_NEARBY : REF_NEAREST;
        return law_intern(src, x, a, na, &ref->id);
    }
    if ((place = law_place_find(w, n)) < 0)
        return law_fail(src, x, "unknown thing (player, self, facing, here, left, right, up, "
                        "down, nearby, nearest)");
    ref->place = (uint8_t)place;
    if (lx_is(a, na, "material"))
        ref->kind = REF_MATERIAL;
    else if (lx_is(a, na, "entity"))
        ref->kind = REF_ENTITY;
    else {
        ref->kind = REF_PLACE;
        return law_intern(src, x, a, na, &ref->id);
    }
    return AUGUR_OK;
}

/* A number, true, false or a name. */
static int law_parse_value(const law_src *src, lx *x, double *v, uint8_t *symbolic)
{
    const char *w;
    size_t n;
    int32_t id = 0;
    int rc;

    *symbolic = 0;
    if (lx_number(x, v))
        return AUGUR_OK;
    if (!(n = lx_word(x, &w)))
        return law_fail(src, x, "expected a number, true, false or a name");
    if (lx_is(w, n, "true") || lx_is(w, n, "false")) {
        *v = lx_is(w, n, "true");
        *symbolic = 2;
        return AUGUR_OK;
    }
    if ((rc = law_intern(src, x, w, n, &id)) != AUGUR_OK)
        return rc;
    *v = id;
    *symbolic = 1;
    return AUGUR_OK;
}

int law_ref_equal(const law_ref *a, const law_ref *b)
{
    return a->kind == b->kind && a->place == b->place && a->id == b->id;
}

int law_cond_equal(const law_cond *a, const law_cond *b)
{
    if (!law_ref_equal(&a->ref, &b->ref) || a->op != b->op || a->n != b->n)
        return 0;
    for (int i = 0; i < a->n; i++)
        if (a->v[i] != b->v[i])
            return 0;
    return 1;
}

/* ---- conditions ----------------------------------------------------------------------- */

/* A value of c: for the action, an action's name. */
static int law_parse_cond_value(const law_src *src, lx *x, law_cond *c, double *v,
                                uint8_t *symbolic)
{
    const char *w;
    size_t n, save = x->i;
    int a;

    if (c->ref.kind != REF_ACTION)
        return law_parse_value(src, x, v, symbolic);
    n = lx_word(x, &w);
    for (a = 0; n && a < src->m->cls->nactions; a++)
        if (lx_is(w, n, src->m->cls->actions[a]))
            break;
    if (!n || a == src->m->cls->nactions) {
        x->i = save;
        return law_fail(src, x, "expected the name of an action");
    }
    *v = a;
    *symbolic = 3;
    return AUGUR_OK;
}

static int law_parse_cond(const law_src *src, law_cond *c)
{
    static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">" };
    static const uint8_t codes[] = { OP_EQ, OP_NE, OP_LE, OP_GE, OP_LT, OP_GT };
    lx x = { src->text, 0, strlen(src->text) };
    int rc, op = -1;

    memset(c, 0, sizeof *c);
    if ((rc = law_parse_ref(src, &x, &c->ref)) != AUGUR_OK)
        return rc;
    if (c->ref.kind == REF_PLAYER_POS || c->ref.kind == REF_SELF_POS)
        return law_fail(src, &x, "a position is not compared; use PLACE.entity or self.side");
    for (size_t i = 0; i < sizeof ops / sizeof *ops && op < 0; i++)
        if (lx_take(&x, ops[i]))
            op = codes[i];
    if (op < 0 && lx_keyword(&x, "not")) {
        if (!lx_keyword(&x, "in"))
            return law_fail(src, &x, "expected 'in' after 'not'");
        op = OP_NOTIN;
    } else if (op < 0 && lx_keyword(&x, "in")) {
        op = OP_IN;
    }
    if (op < 0)
        return law_fail(src, &x, "expected == != < <= > >= in or not in");
    c->op = (uint8_t)op;
    if (op == OP_IN || op == OP_NOTIN) {
        if (!lx_take(&x, "["))
            return law_fail(src, &x, "expected '[' and a list");
        do {
            uint8_t sym;
            if (c->n >= LAW_SET_MAX)
                return law_fail(src, &x, "too many values (16 at most)");
            if ((rc = law_parse_cond_value(src, &x, c, &c->v[c->n], &sym)) != AUGUR_OK)
                return rc;
            c->symbolic = sym > c->symbolic ? sym : c->symbolic;
            c->n++;
        } while (lx_take(&x, ","));
        if (!lx_take(&x, "]"))
            return law_fail(src, &x, "expected ',' or ']'");
    } else {
        if ((rc = law_parse_cond_value(src, &x, c, &c->v[0], &c->symbolic)) != AUGUR_OK)
            return rc;
        c->n = 1;
    }
    if (!lx_end(&x))
        return law_fail(src, &x, "unexpected text after the condition");
    return AUGUR_OK;
}

/* ---- effects ----------------------------------------------------------------------------- */

static int law_dir_find(const char *w, size_t n)
{
    static const char *const dirs[] = { "stay", "left", "right", "up", "down", "toward", "away" };

    for (int d = 0; d < (int)(sizeof dirs / sizeof *dirs); d++)
        if (lx_is(w, n, dirs[d]))
            return d;
    return -1;
}

static int law_parse_alt(const law_src *src, lx *x, law_effect *e, law_alt *a)
{
    const char *w;
    size_t n, save = x->i;

    memset(a, 0, sizeof *a);
    if (e->kind == EF_POS) {
        int d;
        n = lx_word(x, &w);
        if (!n || (d = law_dir_find(w, n)) < 0)
            return law_fail(src, x, "expected stay, left, right, up, down, toward or away");
        a->op = ALT_MOVE;
        a->dir = (uint8_t)d;
        return AUGUR_OK;
    }
    if (lx_keyword(x, "same")) {
        a->op = ALT_SAME;
        return AUGUR_OK;
    }
    if (lx_take(x, "=")) {
        a->op = ALT_SET;
        return law_parse_value(src, x, &a->v, &a->symbolic);
    }
    lx_space(x);
    if (x->i < x->n && (x->s[x->i] == '+' || x->s[x->i] == '-') && lx_number(x, &a->v)) {
        a->op = ALT_ADD;
        return AUGUR_OK;
    }
    x->i = save;
    return law_fail(src, x, "expected +N, -N, =VALUE or same");
}

static int law_parse_on(const law_src *src, lx *x, law_effect *e)
{
    if (!lx_keyword(x, "on"))
        return AUGUR_OK;
    if (e->kind != EF_POS)
        return law_fail(src, x, "'on' is for moves");
    if (!lx_take(x, "["))
        return law_fail(src, x, "expected '[' and materials");
    do {
        const char *w;
        size_t n = lx_word(x, &w);
        int rc;
        if (!n)
            return law_fail(src, x, "expected a material");
        if (e->non >= LAW_SET_MAX)
            return law_fail(src, x, "too many materials (16 at most)");
        if ((rc = law_intern(src, x, w, n, &e->on[e->non])) != AUGUR_OK)
            return rc;
        e->non++;
    } while (lx_take(x, ","));
    return lx_take(x, "]") ? AUGUR_OK : law_fail(src, x, "expected ',' or ']'");
}

static int law_parse_bounds(const law_src *src, lx *x, law_effect *e)
{
    for (;;) {
        double v;
        int hi;
        if (lx_keyword(x, "max"))
            hi = 1;
        else if (lx_keyword(x, "min"))
            hi = 0;
        else
            return AUGUR_OK;
        if (!lx_number(x, &v))
            return law_fail(src, x, "expected a number after max or min");
        if (hi) {
            e->has_hi = 1;
            e->hi = v;
        } else {
            e->has_lo = 1;
            e->lo = v;
        }
    }
}

/* `~ P` after create and remove: how often it happens (1 when absent). */
static int law_parse_chance(const law_src *src, lx *x, law_effect *e)
{
    if (!lx_take(x, "~"))
        return AUGUR_OK;
    if (!lx_number(x, &e->alt[0].p) || e->alt[0].p <= 0 || e->alt[0].p > 1)
        return law_fail(src, x, "expected a probability above 0, up to 1");
    return AUGUR_OK;
}

static int law_parse_create(const law_src *src, lx *x, law_effect *e)
{
    const char *w;
    size_t n = lx_word(x, &w);
    int place, rc;

    e->kind = EF_CREATE;
    if (!n)
        return law_fail(src, x, "expected the type to create");
    if ((rc = law_intern(src, x, w, n, &e->type)) != AUGUR_OK)
        return rc;
    if (!lx_keyword(x, "at"))
        return law_fail(src, x, "expected 'at' and a place");
    n = lx_word(x, &w);
    if (!n || (place = law_place_find(w, n)) < 0)
        return law_fail(src, x, "expected a place (facing, here, left, right, up, down)");
    e->ref.place = (uint8_t)place;
    e->nalt = 1;
    e->alt[0].p = 1;
    if ((rc = law_parse_chance(src, x, e)) != AUGUR_OK || !lx_keyword(x, "with"))
        return rc;
    do {
        law_init *in;
        uint8_t sym;
        if (e->ninit >= LAW_INIT_MAX)
            return law_fail(src, x, "too many attributes (8 at most)");
        in = &e->init[e->ninit];
        if (!(n = lx_word(x, &w)))
            return law_fail(src, x, "expected an attribute");
        if ((rc = law_intern(src, x, w, n, &in->attr)) != AUGUR_OK)
            return rc;
        if (!lx_take(x, "="))
            return law_fail(src, x, "expected '='");
        if ((rc = law_parse_value(src, x, &in->v, &sym)) != AUGUR_OK)
            return rc;
        in->kind = sym == 1 ? STATE_SYMBOL : sym == 2 ? STATE_BOOL
                   : in->v == floor(in->v) ? STATE_INT : STATE_FLOAT;
        e->ninit++;
    } while (lx_take(x, ","));
    return AUGUR_OK;
}

static int law_parse_remove(const law_src *src, lx *x, law_effect *e)
{
    const char *w;
    size_t n = lx_word(x, &w);
    int place;

    e->kind = EF_REMOVE;
    e->nalt = 1;
    e->alt[0].p = 1;
    if (n && lx_is(w, n, "self")) {
        e->ref.kind = REF_SELF;
    } else {
        if (!n || (place = law_place_find(w, n)) < 0)
            return law_fail(src, x, "expected self or a place");
        e->ref.kind = REF_PLACE;
        e->ref.place = (uint8_t)place;
    }
    return law_parse_chance(src, x, e);
}

/* The alternatives after '~': ALT P | ALT P ... */
static int law_parse_draw(const law_src *src, lx *x, law_effect *e)
{
    double total = 0;
    int rc;

    do {
        law_alt *a;
        if (e->nalt >= LAW_ALT_MAX)
            return law_fail(src, x, "too many alternatives (8 at most)");
        a = &e->alt[e->nalt];
        if ((rc = law_parse_alt(src, x, e, a)) != AUGUR_OK)
            return rc;
        if (!lx_number(x, &a->p) || a->p < 0 || a->p > 1)
            return law_fail(src, x, "expected a probability from 0 to 1");
        total += a->p;
        e->nalt++;
    } while (lx_take(x, "|"));
    if (fabs(total - 1) > 0.02)
        return law_fail(src, x, "the probabilities must sum to 1");
    for (int i = 0; i < e->nalt; i++)
        e->alt[i].p /= total;
    return AUGUR_OK;
}

static int law_parse_effect(const law_src *src, law_effect *e)
{
    lx x = { src->text, 0, strlen(src->text) };
    int rc;

    memset(e, 0, sizeof *e);
    if (lx_keyword(&x, "create"))
        rc = law_parse_create(src, &x, e);
    else if (lx_keyword(&x, "remove"))
        rc = law_parse_remove(src, &x, e);
    else {
        if ((rc = law_parse_ref(src, &x, &e->ref)) != AUGUR_OK)
            return rc;
        switch (e->ref.kind) {
        case REF_PLAYER_POS: case REF_SELF_POS: e->kind = EF_POS; break;
        case REF_MATERIAL: e->kind = EF_CELL; break;
        case REF_PLAYER: case REF_SELF: case REF_PLACE: e->kind = EF_VALUE; break;
        default:
            return law_fail(src, &x, "this cannot be changed by a law");
        }
        if (lx_take(&x, "+=") || lx_take(&x, "-=")) {
            int minus = x.s[x.i - 2] == '-';
            if (e->kind != EF_VALUE)
                return law_fail(src, &x, "only attributes are added to");
            e->nalt = 1;
            e->alt[0].op = ALT_ADD;
            e->alt[0].p = 1;
            if (!lx_number(&x, &e->alt[0].v))
                return law_fail(src, &x, "expected a number");
            if (minus)
                e->alt[0].v = -e->alt[0].v;
            rc = law_parse_bounds(src, &x, e);
        } else if (lx_take(&x, "~")) {
            if ((rc = law_parse_draw(src, &x, e)) == AUGUR_OK)
                rc = law_parse_bounds(src, &x, e);
        } else if (lx_take(&x, "=")) {
            e->nalt = 1;
            if (e->kind == EF_POS) {
                rc = law_parse_alt(src, &x, e, &e->alt[0]);
            } else {
                e->alt[0].op = ALT_SET;
                rc = law_parse_value(src, &x, &e->alt[0].v, &e->alt[0].symbolic);
            }
            e->alt[0].p = 1;
        } else {
            return law_fail(src, &x, "expected = += -= or ~");
        }
        if (rc == AUGUR_OK)
            rc = law_parse_on(src, &x, e);
    }
    if (rc == AUGUR_OK && !lx_end(&x))
        rc = law_fail(src, &x, "unexpected text after the effect");
    return rc;
}

int law_effect_parse(laws *m, const char *text, const char *where, law_effect *out, augur_err *err)
{
    law_src src = { m, where, text, err };

    return law_parse_effect(&src, out);
}

/* ---- [[law]] tables ---------------------------------------------------------------------- */

static const toml_value *law_key(const toml_value *t, const char *key)
{
    return toml_find(t, key, strlen(key));
}

/* A string array's entries through fn, each with its own where. */
static int law_parse_list(const law_src *base, const toml_value *list, const char *key, void *items,
                          size_t size, int max, int *count, int (*fn)(const law_src *, void *))
{
    char where[400];

    *count = 0;
    if (!list)
        return AUGUR_OK;
    if (toml_kind(list) != TOML_ARRAY)
        return augur_err_set(base->err, AUGUR_EINVAL, "%s: %s must be an array of strings",
                             base->where, key);
    for (size_t i = 0; i < toml_len(list); i++) {
        const toml_value *v = toml_at(list, i);
        law_src src = *base;
        int rc;
        if (toml_kind(v) != TOML_STRING)
            return augur_err_set(base->err, AUGUR_EINVAL, "%s: %s[%zu] must be a string",
                                 base->where, key, i);
        if (*count >= max)
            return augur_err_set(base->err, AUGUR_ELIMIT, "%s: %s holds more than %d entries",
                                 base->where, key, max);
        snprintf(where, sizeof where, "%s: %s[%zu]", base->where, key, i);
        src.where = where;
        src.text = toml_str(v, NULL);
        if ((rc = fn(&src, (char *)items + (size_t)*count * size)) != AUGUR_OK)
            return rc;
        (*count)++;
    }
    return AUGUR_OK;
}

static int law_cond_item(const law_src *src, void *item)
{
    return law_parse_cond(src, item);
}

static int law_effect_item(const law_src *src, void *item)
{
    return law_parse_effect(src, item);
}

/* An effect on self or a condition on self needs `for`. */
static int law_check_subject(const law_src *src, const law *l)
{
    int needs = 0;

    for (int i = 0; i < l->decl.ncond; i++) {
        int k = l->decl.cond[i].ref.kind;
        needs |= k == REF_SELF || k == REF_DISTANCE || k == REF_SIDE || k == REF_FACED;
    }
    for (int i = 0; i < l->decl.neffect; i++) {
        int k = l->decl.effect[i].ref.kind;
        needs |= (k == REF_SELF || k == REF_SELF_POS) && l->decl.effect[i].kind != EF_CREATE;
    }
    if (needs && l->subject < 0)
        return augur_err_set(src->err, AUGUR_EINVAL, "%s: self is used but the law has no `for`",
                             src->where);
    if (l->decl.neffect == 0)
        return augur_err_set(src->err, AUGUR_EINVAL, "%s: `then` needs at least one effect",
                             src->where);
    return AUGUR_OK;
}

static int law_decl_parse(laws *m, law *l, const toml_value *t, const char *where, augur_err *err)
{
    law_src src = { m, where, "", err };
    int rc;

    if (law_key(t, "lua"))
        return augur_err_set(err, AUGUR_EINVAL, "%s: `lua` is for laws of kind = \"lua\"", where);
    rc = law_parse_list(&src, law_key(t, "when"), "when", l->decl.cond, sizeof *l->decl.cond,
                        LAW_COND_MAX, &l->decl.ncond, law_cond_item);
    if (rc == AUGUR_OK)
        rc = law_parse_list(&src, law_key(t, "then"), "then", l->decl.effect,
                            sizeof *l->decl.effect, LAW_EFFECT_MAX, &l->decl.neffect,
                            law_effect_item);
    if (rc == AUGUR_OK)
        rc = law_check_subject(&src, l);
    if (rc == AUGUR_OK)
        law_index_keys(l);
    return rc;
}

/* The index keys: what a law requires of the faced tile, when it says it plainly. */
void law_index_keys(law *l)
{
    l->key_material = l->key_entity = -1;
    for (int i = 0; i < l->decl.ncond; i++) {
        const law_cond *c = &l->decl.cond[i];
        if (c->op != OP_EQ || c->ref.place != PL_FACING)
            continue;
        if (c->ref.kind == REF_MATERIAL)
            l->key_material = (int32_t)c->v[0];
        else if (c->ref.kind == REF_ENTITY)
            l->key_entity = (int32_t)c->v[0];
    }
}

static const law_kind *const law_kinds[] = { &law_declarative, &law_lua, NULL };

static int law_parse_actions(laws *m, law *l, const toml_value *a, const char *where,
                             augur_err *err)
{
    size_t n = a ? (toml_kind(a) == TOML_ARRAY ? toml_len(a) : 1) : 0;

    if (n > LAW_ACTIONS_MAX)
        return augur_err_set(err, AUGUR_ELIMIT, "%s: more than %d actions", where,
                             LAW_ACTIONS_MAX);
    for (size_t i = 0; i < n; i++) {
        const toml_value *v = toml_kind(a) == TOML_ARRAY ? toml_at(a, i) : a;
        int id = toml_kind(v) == TOML_STRING ? world_action_find(m->cls, toml_str(v, NULL)) : -1;
        if (id < 0)
            return augur_err_set(err, AUGUR_EINVAL, "%s: action must name %s actions, not %s",
                                 where, m->cls->name,
                                 toml_kind(v) == TOML_STRING ? toml_str(v, NULL) : "a non-string");
        l->action[l->naction++] = id;
    }
    return AUGUR_OK;
}

static int law_parse_weight(const toml_value *w, const char *key, double *out, const char *where,
                            augur_err *err)
{
    if (!w)
        return AUGUR_OK;
    if (toml_kind(w) != TOML_FLOAT && toml_kind(w) != TOML_INTEGER)
        return augur_err_set(err, AUGUR_EINVAL, "%s: %s must be a number", where, key);
    *out = toml_kind(w) == TOML_FLOAT ? toml_float(w) : (double)toml_int(w);
    if (!(*out >= 0 && *out <= LAW_WEIGHT_MAX))
        return augur_err_set(err, AUGUR_EINVAL, "%s: %s must be from 0 to 10", where, key);
    return AUGUR_OK;
}

int law_parse_table(laws *m, const toml_value *t, const char *file, augur_err *err)
{
    const toml_value *name = law_key(t, "name"), *kind = law_key(t, "kind"), *sub = law_key(t, "for");
    char where[300];
    law l;
    int rc;

    memset(&l, 0, sizeof l);
    l.subject = l.key_material = l.key_entity = -1;
    l.weight = l.vote_weight = LAW_WEIGHT_START;
    if (toml_kind(t) != TOML_TABLE)
        return augur_err_set(err, AUGUR_EINVAL, "%s:%d: each law must be a table", file,
                             toml_line(t));
    if (!name || toml_kind(name) != TOML_STRING || toml_str(name, NULL)[0] == '\0' ||
        strlen(toml_str(name, NULL)) > LAW_NAME_MAX)
        return augur_err_set(err, AUGUR_EINVAL, "%s:%d: a law needs a name of 1 to %d characters",
                             file, toml_line(t), LAW_NAME_MAX);
    strcpy(l.name, toml_str(name, NULL));
    snprintf(where, sizeof where, "%s:%d: law '%s'", file, toml_line(t), l.name);
    l.kind = &law_declarative;
    if (kind) {
        l.kind = NULL;
        for (int i = 0; law_kinds[i] && toml_kind(kind) == TOML_STRING; i++)
            if (strcmp(law_kinds[i]->name, toml_str(kind, NULL)) == 0)
                l.kind = law_kinds[i];
        if (!l.kind)
            return augur_err_set(err, AUGUR_EINVAL, "%s: unknown kind (declarative, lua)", where);
    }
    if (sub) {
        if (toml_kind(sub) != TOML_STRING ||
            (l.subject = names_intern(&m->names, toml_str(sub, NULL), strlen(toml_str(sub, NULL)))) < 0)
            return augur_err_set(err, AUGUR_EINVAL, "%s: `for` must name a type", where);
    }
    if ((rc = law_parse_actions(m, &l, law_key(t, "action"), where, err)) ||
        (rc = law_parse_weight(law_key(t, "weight"), "weight", &l.weight, where, err)))
        return rc;
    l.vote_weight = l.weight;
    if ((rc = law_parse_weight(law_key(t, "vote_weight"), "vote_weight", &l.vote_weight, where,
                               err)))
        return rc;
    for (size_t i = 0; i < toml_len(t); i++) {
        static const char *const known[] = { "name", "kind", "for", "action", "when", "then",
                                             "weight", "vote_weight", "source", "lua" };
        const char *key = toml_key(t, i, NULL);
        size_t k = 0;
        while (k < sizeof known / sizeof *known && strcmp(known[k], key) != 0)
            k++;
        if (k == sizeof known / sizeof *known)
            return augur_err_set(err, AUGUR_EINVAL, "%s: unknown key '%s'", where, key);
    }
    if ((rc = l.kind->parse(m, &l, t, where, err)) == AUGUR_OK)
        rc = law_add(m, &l, err);
    if (rc != AUGUR_OK)
        l.kind->release(&l);
    return rc;
}

/* ---- writing ------------------------------------------------------------------------------ */

static void law_write_number(buf *out, double v)
{
    if (v == floor(v) && fabs(v) < 1e15)
        buf_printf(out, "%.0f", v);
    else
        buf_printf(out, "%.4g", v);
}

/* symbolic: 0 a number, 1 a name, 2 true or false. */
static void law_write_value(const laws *m, buf *out, double v, int symbolic)
{
    if (symbolic == 2)
        buf_puts(out, v != 0 ? "true" : "false");
    else if (symbolic)
        buf_puts(out, names_text(&m->names, (int)v));
    else
        law_write_number(out, v);
}

static void law_write_ref(const laws *m, const law_ref *r, buf *out)
{
    const char *attr = names_text(&m->names, r->id);

    switch (r->kind) {
    case REF_PLAYER:     buf_printf(out, "player.%s", attr); break;
    case REF_SELF:       buf_printf(out, "self.%s", attr); break;
    case REF_PLACE:      buf_printf(out, "%s.%s", law_place_names[r->place], attr); break;
    case REF_MATERIAL:   buf_printf(out, "%s.material", law_place_names[r->place]); break;
    case REF_ENTITY:     buf_printf(out, "%s.entity", law_place_names[r->place]); break;
    case REF_DISTANCE:   buf_puts(out, "self.distance"); break;
    case REF_SIDE:       buf_puts(out, "self.side"); break;
    case REF_FACED:      buf_puts(out, "self.faced"); break;
    case REF_NEARBY:     buf_printf(out, "nearby.%s", attr); break;
    case REF_NEAREST:    buf_printf(out, "nearest.%s", attr); break;
    case REF_PLAYER_POS: buf_puts(out, "player.pos"); break;
    case REF_SELF_POS:   buf_puts(out, "self.pos"); break;
    case REF_ACTION:     buf_puts(out, "action"); break;
    }
}

/* Whether the values a ref reads are names. */
static int law_ref_names(const law_ref *r)
{
    return r->kind == REF_MATERIAL || r->kind == REF_ENTITY || r->kind == REF_SIDE;
}

int law_write_cond(const laws *m, const law_cond *c, buf *out)
{
    static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=", "in", "not in" };
    int boolean = c->symbolic == 2 || c->ref.kind == REF_NEARBY || c->ref.kind == REF_FACED;
    int sym = !boolean && (c->symbolic == 1 || law_ref_names(&c->ref));

    law_write_ref(m, &c->ref, out);
    buf_printf(out, " %s ", ops[c->op]);
    if (c->op == OP_IN || c->op == OP_NOTIN)
        buf_putc(out, '[');
    for (int i = 0; i < c->n; i++) {
        if (i)
            buf_puts(out, ", ");
        if (c->ref.kind == REF_ACTION)
            buf_puts(out, c->v[i] >= 0 && c->v[i] < m->cls->nactions ? m->cls->actions[(int)c->v[i]]
                          : "?");
        else if (boolean)
            buf_puts(out, c->v[i] != 0 ? "true" : "false");
        else
            law_write_value(m, out, c->v[i], sym);
    }
    if (c->op == OP_IN || c->op == OP_NOTIN)
        buf_putc(out, ']');
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

static const char *const law_dir_names[] = { "stay", "left", "right", "up", "down", "toward",
                                             "away" };

static void law_write_alt(const laws *m, const law_effect *e, const law_alt *a, buf *out)
{
    switch (a->op) {
    case ALT_SET:
        buf_putc(out, '=');
        law_write_value(m, out, a->v, e->kind == EF_CELL ? 1 : a->symbolic);
        break;
    case ALT_ADD:
        buf_putc(out, a->v < 0 ? '-' : '+');
        law_write_number(out, fabs(a->v));
        break;
    case ALT_SAME:
        buf_puts(out, "same");
        break;
    default:
        buf_puts(out, law_dir_names[a->dir]);
    }
}

static void law_write_tail(const laws *m, const law_effect *e, buf *out)
{
    if (e->has_hi) {
        buf_puts(out, " max ");
        law_write_number(out, e->hi);
    }
    if (e->has_lo) {
        buf_puts(out, " min ");
        law_write_number(out, e->lo);
    }
    if (e->non) {
        buf_puts(out, " on [");
        for (int i = 0; i < e->non; i++)
            buf_printf(out, "%s%s", i ? ", " : "", names_text(&m->names, e->on[i]));
        buf_putc(out, ']');
    }
}

int law_write_effect(const laws *m, const law_effect *e, buf *out)
{
    if (e->kind == EF_CREATE) {
        buf_printf(out, "create %s at %s", names_text(&m->names, e->type),
                   law_place_names[e->ref.place]);
        if (e->alt[0].p < 1)
            buf_printf(out, " ~ %.3g", e->alt[0].p);
        for (int i = 0; i < e->ninit; i++) {
            buf_printf(out, "%s%s = ", i ? ", " : " with ", names_text(&m->names, e->init[i].attr));
            law_write_value(m, out, e->init[i].v, e->init[i].kind == STATE_BOOL ? 2
                            : e->init[i].kind == STATE_SYMBOL);
        }
        return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
    }
    if (e->kind == EF_REMOVE) {
        buf_printf(out, "remove %s", e->ref.kind == REF_SELF ? "self"
                                     : law_place_names[e->ref.place]);
        if (e->alt[0].p < 1)
            buf_printf(out, " ~ %.3g", e->alt[0].p);
        return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
    }
    law_write_ref(m, &e->ref, out);
    if (e->nalt == 1 && e->alt[0].p == 1 && e->alt[0].op != ALT_SAME) {
        const law_alt *a = &e->alt[0];
        if (a->op == ALT_ADD) {
            buf_printf(out, " %s ", a->v < 0 ? "-=" : "+=");
            law_write_number(out, fabs(a->v));
        } else {
            buf_puts(out, " = ");
            if (a->op == ALT_SET)
                law_write_value(m, out, a->v, e->kind == EF_CELL ? 1 : a->symbolic);
            else
                buf_puts(out, law_dir_names[a->dir]);
        }
    } else {
        buf_puts(out, " ~ ");
        for (int i = 0; i < e->nalt; i++) {
            if (i)
                buf_puts(out, " | ");
            law_write_alt(m, e, &e->alt[i], out);
            buf_printf(out, " %.3g", e->alt[i].p);
        }
    }
    law_write_tail(m, e, out);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

static void law_write_strings(buf *out, const char *key, const laws *m, const law *l, int conds)
{
    int n = conds ? l->decl.ncond : l->decl.neffect;
    buf item = BUF_INIT;

    if (conds && n == 0)
        return;
    buf_printf(out, "%s = [", key);
    for (int i = 0; i < n; i++) {
        buf_clear(&item);
        if (conds)
            law_write_cond(m, &l->decl.cond[i], &item);
        else
            law_write_effect(m, &l->decl.effect[i], &item);
        buf_puts(out, i ? ", " : "");
        toml_string_write(out, buf_str(&item), item.len);
    }
    buf_puts(out, "]\n");
    buf_free(&item);
}

static int law_decl_write(const laws *m, const law *l, buf *out)
{
    law_write_strings(out, "when", m, l, 1);
    law_write_strings(out, "then", m, l, 0);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

int law_write(const laws *m, const law *l, buf *out)
{
    buf_puts(out, "\n[[law]]\nname = ");
    toml_string_write(out, l->name, strlen(l->name));
    buf_putc(out, '\n');
    if (l->kind != &law_declarative)
        buf_printf(out, "kind = \"%s\"\n", l->kind->name);
    if (l->subject >= 0)
        buf_printf(out, "for = \"%s\"\n", names_text(&m->names, l->subject));
    if (l->naction == 1)
        buf_printf(out, "action = \"%s\"\n", m->cls->actions[l->action[0]]);
    else if (l->naction > 1) {
        buf_puts(out, "action = [");
        for (int i = 0; i < l->naction; i++)
            buf_printf(out, "%s\"%s\"", i ? ", " : "", m->cls->actions[l->action[i]]);
        buf_puts(out, "]\n");
    }
    l->kind->write(m, l, out);
    buf_printf(out, "weight = %.4f\n", l->weight);
    if (fabs(l->vote_weight - l->weight) > 1e-9)
        buf_printf(out, "vote_weight = %.4f\n", l->vote_weight);
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

/* ---- running --------------------------------------------------------------------------- */

static int law_cond_holds(law_ctx *ctx, const law_cond *c, int self)
{
    return law_cond_test(c, law_ctx_read(ctx, &c->ref, self));
}

/* Accumulates a small distribution, joining equal values. */
typedef struct law_dist {
    int    n;
    double v[LAW_ALT_MAX + 2], p[LAW_ALT_MAX + 2];
} law_dist;

static void law_dist_add(law_dist *d, double v, double p)
{
    for (int i = 0; i < d->n; i++)
        if (d->v[i] == v) {
            d->p[i] += p;
            return;
        }
    d->v[d->n] = v;
    d->p[d->n++] = p;
}

static int law_dist_emit(law_out *o, uint64_t slot, int vkind, const law_effect *create,
                         const law_dist *d)
{
    int rc = law_out_slot(o, slot, vkind, create);

    for (int i = 0; i < d->n && rc == AUGUR_OK; i++)
        if (d->p[i] > 0)
            rc = law_out_value(o, d->v[i], d->p[i]);
    return rc;
}

/* What law_dist_emit makes of a chance p of value v, 1 - p of the other of 0
** and 1 (distinct, so nothing to join). */
static int law_chance_emit(law_out *o, uint64_t slot, const law_effect *create, int v, double p)
{
    int rc = law_out_slot(o, slot, 0, create);

    if (rc == AUGUR_OK && p > 0)
        rc = law_out_value(o, v, p);
    if (rc == AUGUR_OK && 1 - p > 0)
        rc = law_out_value(o, !v, 1 - p);
    return rc;
}

static void law_dir_step(law_ctx *ctx, int e, int dir, int *dx, int *dy)
{
    static const int steps[5][2] = { { 0, 0 }, { -1, 0 }, { 1, 0 }, { 0, -1 }, { 0, 1 } };
    int ox, oy, along_x;

    if (dir < DIR_TOWARD) {
        *dx = steps[dir][0];
        *dy = steps[dir][1];
        return;
    }
    *dx = *dy = 0;
    if (ctx->player < 0)
        return;
    /* Along the axis of the larger offset, ties going to y, as Crafter's toward. */
    ox = ctx->px - ctx->ex[e];
    oy = ctx->py - ctx->ey[e];
    along_x = abs(ox) > abs(oy);
    *dx = along_x ? (ox > 0) - (ox < 0) : 0;
    *dy = along_x ? 0 : (oy > 0) - (oy < 0);
    if (dir == DIR_AWAY) {
        *dx = -*dx;
        *dy = -*dy;
    }
}

/* Whether entity e may step onto (x, y) under the effect's `on`. */
static int law_move_free(law_ctx *ctx, const law_effect *ef, int e, int x, int y)
{
    int m, ok = 0;

    if (ef->non == 0)
        return 1;
    if (x < 0 || y < 0 || x >= ctx->gw || y >= ctx->gh)
        return 0;
    m = ctx->cells[y * ctx->gw + x];
    m = m < ctx->npal ? ctx->pal[m] : -1;
    for (int i = 0; i < ef->non && !ok; i++)
        ok = ef->on[i] == m;
    return ok && law_ctx_free_for(ctx, e, x, y);
}

static int law_apply_pos(law_ctx *ctx, const law_effect *ef, int self, int fired, law_out *o)
{
    int e = ef->ref.kind == REF_SELF_POS ? self : ctx->player;
    law_dist d;

    d.n = 0;
    if (e < 0 || ctx->ex[e] < 0)
        return AUGUR_OK;
    if (!fired) {
        law_dist_add(&d, LAW_POS(ctx->ex[e], ctx->ey[e]), 1);
    } else {
        for (int i = 0; i < ef->nalt; i++) {
            int dx, dy, x, y;
            law_dir_step(ctx, e, ef->alt[i].dir, &dx, &dy);
            x = ctx->ex[e] + dx;
            y = ctx->ey[e] + dy;
            if (!law_move_free(ctx, ef, e, x, y)) {
                x = ctx->ex[e];
                y = ctx->ey[e];
            }
            law_dist_add(&d, LAW_POS(x, y), ef->alt[i].p);
        }
    }
    return law_dist_emit(o, SLOT_KEY(SLOT_POS, e, 0, 0), 0, NULL, &d);
}

static int law_apply_value(law_ctx *ctx, const law_effect *ef, int self, int fired, law_out *o)
{
    int e = law_ctx_entity(ctx, &ef->ref, self), kind = STATE_INT;
    double cur;
    law_dist d;

    d.n = 0;
    if (e < 0)
        return AUGUR_OK;
    cur = law_ctx_attr(ctx, e, ef->ref.id, &kind);
    if (!fired) {
        if (isnan(cur))
            return AUGUR_OK;
        law_dist_add(&d, cur, 1);
    } else {
        for (int i = 0; i < ef->nalt; i++) {
            const law_alt *a = &ef->alt[i];
            double v = a->op == ALT_SET ? a->v : cur + (a->op == ALT_ADD ? a->v : 0);
            if (isnan(v))
                continue;
            if (a->op == ALT_ADD && ef->has_hi && v > ef->hi)
                v = cur > ef->hi ? cur : ef->hi;
            if (a->op == ALT_ADD && ef->has_lo && v < ef->lo)
                v = cur < ef->lo ? cur : ef->lo;
            if (isnan(cur))
                kind = a->symbolic ? STATE_SYMBOL : v == floor(v) ? STATE_INT : STATE_FLOAT;
            law_dist_add(&d, v, a->p);
        }
    }
    return d.n ? law_dist_emit(o, SLOT_KEY(SLOT_ATTR, e, ef->ref.id, 0), kind, NULL, &d)
               : AUGUR_OK;
}

int law_effect_apply(law_ctx *ctx, const law_effect *ef, int self, int fired, law_out *o)
{
    int x = ctx->place_x[ef->ref.place], y = ctx->place_y[ef->ref.place], e;
    double p = fired ? ef->alt[0].p : 0;
    law_dist d;

    d.n = 0;
    switch (ef->kind) {
    case EF_POS:
        return law_apply_pos(ctx, ef, self, fired, o);
    case EF_VALUE:
        return law_apply_value(ctx, ef, self, fired, o);
    case EF_CELL:
        if (ctx->place_mat[ef->ref.place] < 0)
            return AUGUR_OK;
        if (!fired)
            law_dist_add(&d, ctx->place_mat[ef->ref.place], 1);
        for (int i = 0; fired && i < ef->nalt; i++)
            law_dist_add(&d, ef->alt[i].op == ALT_SAME ? ctx->place_mat[ef->ref.place]
                                                         : ef->alt[i].v, ef->alt[i].p);
        return law_dist_emit(o, SLOT_KEY(SLOT_CELL, 0, x, y), 0, NULL, &d);
    case EF_CREATE:
        if (ctx->place_mat[ef->ref.place] < 0)
            return AUGUR_OK;
        return law_chance_emit(o, SLOT_KEY(SLOT_SPAWN, ef->type, x, y), ef, 1, p);
    default:
        if ((e = law_ctx_entity(ctx, &ef->ref, self)) < 0)
            return AUGUR_OK;
        return law_chance_emit(o, SLOT_KEY(SLOT_EXISTS, e, 0, 0), NULL, 0, p);
    }
}

int law_ref_of_self(const law_ref *r)
{
    return r->kind == REF_SELF || r->kind == REF_DISTANCE || r->kind == REF_SIDE ||
           r->kind == REF_FACED;
}

static int law_decl_apply(const laws *m, const law *l, law_ctx *ctx, int self, int vote,
                          law_out *out)
{
    int fired = ctx->prechecked || law_allows(l, ctx->action), rc = AUGUR_OK;

    (void)m;
    for (int i = 0; i < l->decl.ncond && fired; i++)
        if (!ctx->prechecked || self < 0 || law_ref_of_self(&l->decl.cond[i].ref))
            fired = law_cond_holds(ctx, &l->decl.cond[i], self);
    if (!fired && !vote)
        return 0;
    for (int i = 0; i < l->decl.neffect && rc == AUGUR_OK; i++)
        rc = law_effect_apply(ctx, &l->decl.effect[i], self, fired, out);
    return rc < 0 ? rc : fired;
}

int law_self_holds(law_ctx *ctx, const law *l, int self)
{
    for (int i = 0; i < l->decl.ncond; i++)
        if (law_ref_of_self(&l->decl.cond[i].ref) && !law_cond_holds(ctx, &l->decl.cond[i], self))
            return 0;
    return 1;
}

/* The conditions that do not read the subject hold (or the law names no subject). */
static int law_decl_may_fire(const laws *m, const law *l, law_ctx *ctx)
{
    (void)m;
    if (!law_allows(l, ctx->action))
        return 0;
    for (int i = 0; i < l->decl.ncond; i++)
        if (!law_ref_of_self(&l->decl.cond[i].ref) && !law_cond_holds(ctx, &l->decl.cond[i], -1))
            return 0;
    return 1;
}

static int law_decl_show(const laws *m, const law *l, int actions, buf *out)
{
    for (int c = 0; c < l->decl.ncond; c++) {
        buf_puts(out, actions || c ? ", " : "");
        law_write_cond(m, &l->decl.cond[c], out);
    }
    if (!actions && !l->decl.ncond)
        buf_puts(out, "always");
    for (int e = 0; e < l->decl.neffect; e++) {
        buf_puts(out, e ? "\n             " : "\n        then ");
        law_write_effect(m, &l->decl.effect[e], out);
    }
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

static void law_decl_release(law *l)
{
    (void)l;
}

const law_kind law_declarative = {
    "declarative", law_decl_parse, law_decl_apply, law_decl_may_fire, law_decl_write,
    law_decl_show, law_decl_release,
};
