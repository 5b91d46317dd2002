/*
** lua.c — laws written in Lua, for what the declarative form cannot say (a count,
** arithmetic over attributes, a comparison of two of them), run in the sandbox in
** inproc mode, one fresh Lua state per call.
**
**     [[law]]
**     name = "zombies_hit"
**     kind = "lua"
**     lua = '''
**     local s = ...
**     local n = 0
**     for _, place in ipairs({ "left", "right", "up", "down" }) do
**       if s[place].entity == "zombie" and s[place].cooldown == 0 then n = n + 1 end
**     end
**     if n == 0 then return nil end
**     return { "player.health -= " .. n * (s.player.sleeping and 7 or 2) .. " min 0" }
**     '''
**
** The program is the body of a function called with one table, the situation:
** s.action (the action's name); s.player (the player's attributes); with `for`,
** s.self (the subject's attributes, and type, id, distance, side, faced);
** s.facing, s.here, s.left, s.right, s.up, s.down (each: material, entity (a
** type, or "none") and that entity's attributes); s.nearby (the materials in
** the 3x3 around the player, each true); s.nearest (for each type present, the
** steps to the nearest one). It returns nil or false when the law does not
** apply, else a list of effects written as the declarative form writes them
** ("player.wood += 1", "self.pos ~ left 0.5 | stay 0.5"), which the model then
** combines like any other law's.
*/
#include "worlds/laws/private.h"

#include "sandbox/sandbox.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A call's limits: a law is a small function of one situation. */
enum { LUA_INSTRUCTIONS = 1000000, LUA_MEMORY = 16 << 20, LUA_TIMEOUT_MS = 1000,
       LUA_OUTPUT = 4096, LUA_STRING = 1 << 20, LUA_CACHE = 32 };

typedef struct lua_law {
    sandbox *sb;
    char    *src;
    size_t   len;
    int      ncache;            /* effects already read, by their text */
    char    *text[LUA_CACHE];
    law_effect ef[LUA_CACHE];
} lua_law;

static void lua_release(law *l)
{
    lua_law *q = l->impl;

    if (!q)
        return;
    sandbox_free(q->sb);
    for (int i = 0; i < q->ncache; i++)
        free(q->text[i]);
    free(q->src);
    free(q);
    l->impl = NULL;
}

/* ---- reading the law ---------------------------------------------------------------- */

/* Compiles src without running it: syntax errors are found when the file is read. */
static const char lua_check[] =
    "local src, name = ...\n"
    "local f, e = load(src, '=' .. name, 't')\n"
    "if not f then error(e, 0) end\n";

static int lua_run(sandbox *sb, const char *src, size_t len, const char *name, sandbox_value *args,
                   sandbox_result *res, augur_err *err)
{
    sandbox_job job;

    memset(&job, 0, sizeof job);
    job.source = src;
    job.len = len;
    job.name = name;
    job.args = args;
    job.seed = 1;
    job.isolation = SANDBOX_INPROC;
    return sandbox_run(sb, &job, res, err);
}

static int lua_parse(laws *m, law *l, const toml_value *t, const char *where, augur_err *err)
{
    const toml_value *src = toml_find(t, "lua", 3);
    sandbox_config cfg = { { LUA_INSTRUCTIONS, LUA_MEMORY, LUA_TIMEOUT_MS, LUA_OUTPUT, LUA_STRING },
                           SANDBOX_INPROC, 1, 1, 1, 0 };
    sandbox_value *args = NULL;
    sandbox_result res;
    lua_law *q;
    size_t len;
    int rc;

    (void)m;
    if (toml_find(t, "when", 4) || toml_find(t, "then", 4))
        return augur_err_set(err, AUGUR_EINVAL, "%s: a lua law says when and then in `lua`",
                             where);
    if (!src || toml_kind(src) != TOML_STRING)
        return augur_err_set(err, AUGUR_EINVAL, "%s: a lua law needs `lua`, its program as a "
                             "string", where);
    if (!(q = calloc(1, sizeof *q)))
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", where);
    l->impl = q;
    toml_str(src, &len);
    if (!(q->src = malloc(len + 1)))
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", where);
    memcpy(q->src, toml_str(src, NULL), len + 1);
    q->len = len;
    if ((rc = sandbox_new(&q->sb, &cfg, err)) != AUGUR_OK)
        return rc;
    if (!(args = sandbox_value_new(SANDBOX_ARRAY)) ||
        sandbox_value_push(args, NULL, 0, sandbox_value_string(q->src, q->len)) != AUGUR_OK ||
        sandbox_value_push(args, NULL, 0, sandbox_value_string(l->name, strlen(l->name))) !=
            AUGUR_OK) {
        sandbox_value_free(args);
        return augur_err_set(err, AUGUR_ENOMEM, "%s: out of memory", where);
    }
    rc = lua_run(q->sb, lua_check, sizeof lua_check - 1, "check", args, &res, err);
    sandbox_value_free(args);
    if (rc == AUGUR_OK && !res.ok)
        rc = augur_err_set(err, AUGUR_ESYNTAX, "%s: lua: %s", where,
                           res.message ? res.message : sandbox_kind_name(res.kind));
    sandbox_result_free(&res);
    return rc;
}

/* As a multi-line literal string when it can be one (no ''' and no control
** characters but tab and newline), else as a quoted string. */
static int lua_write(const laws *m, const law *l, buf *out)
{
    const lua_law *q = l->impl;
    int literal = strstr(q->src, "'''") == NULL && strlen(q->src) == q->len;

    (void)m;
    for (size_t i = 0; i < q->len && literal; i++)
        literal = (unsigned char)q->src[i] >= 0x20 || q->src[i] == '\t' || q->src[i] == '\n';
    literal = literal && q->src[q->len ? q->len - 1 : 0] != '\'';
    buf_puts(out, "lua = ");
    if (literal) {
        buf_puts(out, "'''\n");
        buf_add(out, q->src, q->len);
        buf_puts(out, "'''\n");
    } else {
        toml_string_write(out, q->src, q->len);
        buf_putc(out, '\n');
    }
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

static int lua_show(const laws *m, const law *l, int actions, buf *out)
{
    const lua_law *q = l->impl;
    const char *p = q->src, *end = q->src + q->len;

    (void)m;
    buf_printf(out, "%sits Lua program says so\n        then what the program returns:",
               actions ? ", " : "");
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        buf_puts(out, "\n            ");
        buf_add(out, p, n);
        p += n + (nl != NULL);
    }
    return out->oom ? AUGUR_ENOMEM : AUGUR_OK;
}

/* ---- the situation ---------------------------------------------------------------------- */

static int lua_push(sandbox_value *obj, const char *key, sandbox_value *v)
{
    return v ? sandbox_value_push(obj, key, strlen(key), v) : AUGUR_ENOMEM;
}

static int lua_push_name(sandbox_value *obj, const char *key, const char *name)
{
    return lua_push(obj, key, sandbox_value_string(name, strlen(name)));
}

/* Entity e's attributes into obj. */
static int lua_attrs(const law_ctx *ctx, int e, sandbox_value *obj)
{
    int rc = AUGUR_OK;

    for (size_t i = 0; i < state_attr_count(ctx->s, e) && rc == AUGUR_OK; i++) {
        state_value v;
        const char *name = state_attr_at(ctx->s, e, i, &v);
        switch (v.kind) {
        case STATE_INT:   rc = lua_push(obj, name, sandbox_value_int(v.as.i)); break;
        case STATE_FLOAT: rc = lua_push(obj, name, sandbox_value_float(v.as.f)); break;
        case STATE_BOOL:  rc = lua_push(obj, name, sandbox_value_bool(v.as.b)); break;
        default:          rc = lua_push_name(obj, name, v.as.s);
        }
    }
    return rc;
}

/* The table of entity e (empty when e < 0): its attributes, and with more its
** type and id. */
static sandbox_value *lua_entity(const law_ctx *ctx, int e, int more)
{
    sandbox_value *obj = sandbox_value_new(SANDBOX_OBJECT);
    int rc = obj ? AUGUR_OK : AUGUR_ENOMEM;

    if (rc == AUGUR_OK && e >= 0)
        rc = lua_attrs(ctx, e, obj);
    if (rc == AUGUR_OK && e >= 0 && more)
        rc = lua_push_name(obj, "type", state_entity_type(ctx->s, e));
    if (rc == AUGUR_OK && e >= 0 && more)
        rc = lua_push(obj, "id", sandbox_value_int(state_entity_id(ctx->s, e)));
    if (rc == AUGUR_OK)
        return obj;
    sandbox_value_free(obj);
    return NULL;
}

static double lua_read(law_ctx *ctx, int kind, int id, int self)
{
    law_ref r;

    memset(&r, 0, sizeof r);
    r.kind = (uint8_t)kind;
    r.id = id;
    return law_ctx_read(ctx, &r, self);
}

/* The material at (x, y) by the state's own palette (the model may not know it). */
static const char *lua_material(const law_ctx *ctx, int x, int y)
{
    return state_grid_palette(ctx->s, state_grid_get(ctx->s, x, y));
}

static int lua_places(law_ctx *ctx, sandbox_value *s)
{
    int rc = AUGUR_OK;

    for (int p = 0; p < PL_N && rc == AUGUR_OK; p++) {
        int e = ctx->place_ent[p];
        const char *mat = lua_material(ctx, ctx->place_x[p], ctx->place_y[p]);
        sandbox_value *obj = lua_entity(ctx, e, 0);
        if (!obj)
            return AUGUR_ENOMEM;
        if (mat && ctx->place_x[p] >= 0)
            rc = lua_push_name(obj, "material", mat);
        if (rc == AUGUR_OK && ctx->place_x[p] >= 0)
            rc = lua_push_name(obj, "entity", e < 0 ? "none" : state_entity_type(ctx->s, e));
        if (rc == AUGUR_OK)
            rc = lua_push(s, law_place_names[p], obj);
        else
            sandbox_value_free(obj);
    }
    return rc;
}

/* nearby: the materials in the 3x3 around the player (none at the grid's top or
** left edge, as nearby.MATERIAL reads it); nearest: per type present. */
static int lua_around(const laws *m, law_ctx *ctx, sandbox_value *s)
{
    sandbox_value *near = sandbox_value_new(SANDBOX_OBJECT), *dist;
    int rc = near ? AUGUR_OK : AUGUR_ENOMEM;
    unsigned char seen[256] = { 0 };

    for (int y = ctx->py - 1; ctx->px > 0 && ctx->py > 0 && y <= ctx->py + 1; y++)
        for (int x = ctx->px - 1; x <= ctx->px + 1 && rc == AUGUR_OK; x++) {
            int i = state_grid_get(ctx->s, x, y);
            if (i >= 0 && !seen[i]) {
                seen[i] = 1;
                rc = lua_push(near, lua_material(ctx, x, y), sandbox_value_bool(1));
            }
        }
    if (rc != AUGUR_OK || (rc = lua_push(s, "nearby", near)) != AUGUR_OK)
        return rc;
    if (!(dist = sandbox_value_new(SANDBOX_OBJECT)))
        return AUGUR_ENOMEM;
    for (int t = 0; t + 1 < ctx->cap_types && rc == AUGUR_OK; t++)
        if (ctx->type_first[t + 1] > ctx->type_first[t] && t != N_PLAYER)
            rc = lua_push(dist, names_text(&m->names, t),
                          sandbox_value_int((int64_t)lua_read(ctx, REF_NEAREST, t, -1)));
    if (rc == AUGUR_OK)
        return lua_push(s, "nearest", dist);
    sandbox_value_free(dist);
    return rc;
}

static int lua_subject(const laws *m, law_ctx *ctx, int self, sandbox_value *s)
{
    sandbox_value *obj = lua_entity(ctx, self, 1);
    double side = lua_read(ctx, REF_SIDE, 0, self), d = lua_read(ctx, REF_DISTANCE, 0, self);
    int rc = obj ? AUGUR_OK : AUGUR_ENOMEM;

    if (rc == AUGUR_OK && !isnan(d))
        rc = lua_push(obj, "distance", sandbox_value_int((int64_t)d));
    if (rc == AUGUR_OK && !isnan(side))
        rc = lua_push_name(obj, "side", names_text(&m->names, (int)side));
    if (rc == AUGUR_OK)
        rc = lua_push(obj, "faced", sandbox_value_bool(lua_read(ctx, REF_FACED, 0, self) == 1));
    if (rc == AUGUR_OK)
        return lua_push(s, "self", obj);
    sandbox_value_free(obj);
    return rc;
}

/* The situation the program is called with, as an array of one argument. */
static sandbox_value *lua_situation(const laws *m, law_ctx *ctx, int self)
{
    sandbox_value *args = sandbox_value_new(SANDBOX_ARRAY), *s = sandbox_value_new(SANDBOX_OBJECT);
    sandbox_value *player = s ? lua_entity(ctx, ctx->player, 0) : NULL;
    int rc = args && player ? AUGUR_OK : AUGUR_ENOMEM;

    if (rc == AUGUR_OK)
        rc = lua_push_name(s, "action", m->cls->actions[ctx->action]);
    if (rc == AUGUR_OK) {
        rc = lua_push(s, "player", player);
        player = NULL;
    }
    if (rc == AUGUR_OK)
        rc = lua_places(ctx, s);
    if (rc == AUGUR_OK)
        rc = lua_around(m, ctx, s);
    if (rc == AUGUR_OK && self >= 0)
        rc = lua_subject(m, ctx, self, s);
    if (rc == AUGUR_OK) {
        rc = sandbox_value_push(args, NULL, 0, s);
        s = NULL;
    }
    sandbox_value_free(player);
    sandbox_value_free(s);
    if (rc == AUGUR_OK)
        return args;
    sandbox_value_free(args);
    return NULL;
}

/* ---- running it --------------------------------------------------------------------------- */

static int lua_fail(law_out *out, int rc, const char *why)
{
    snprintf(out->fail, sizeof out->fail, "%.250s", why);
    return rc;
}

/* The effect text says, read once and kept (a few dozen texts per law). Names
** an effect mentions for the first time are added to the model as they come. */
static int lua_effect(const laws *m, const law *l, law_ctx *ctx, const char *text, law_effect *ef,
                      law_out *out)
{
    lua_law *q = l->impl;
    augur_err err = { 0 };
    int rc;

    for (int i = 0; i < q->ncache; i++)
        if (strcmp(q->text[i], text) == 0) {
            *ef = q->ef[i];
            return AUGUR_OK;
        }
    if ((rc = law_effect_parse((laws *)m, text, "effect", ef, &err)) != AUGUR_OK)
        return lua_fail(out, rc, err.msg);
    if (lm_keys_sync((laws *)m, ctx->s) != AUGUR_OK)
        return lua_fail(out, AUGUR_ENOMEM, "out of memory");
    if (q->ncache < LUA_CACHE && (q->text[q->ncache] = strdup(text))) {
        q->ef[q->ncache] = *ef;
        q->ncache++;
    }
    return AUGUR_OK;
}

static int lua_of_self(const law_effect *ef)
{
    return ef->kind != EF_CREATE && (ef->ref.kind == REF_SELF || ef->ref.kind == REF_SELF_POS);
}

/* The effects the program returned, added to out. */
static int lua_effects(const laws *m, const law *l, law_ctx *ctx, int self,
                       const sandbox_value *v, law_out *out)
{
    size_t n = v->type == SANDBOX_STRING ? 1 : v->n;
    int rc = AUGUR_OK;

    if (v->type != SANDBOX_STRING && v->type != SANDBOX_ARRAY)
        return lua_fail(out, AUGUR_EINVAL, "the program must return a list of effects, or nil");
    for (size_t i = 0; i < n && rc == AUGUR_OK; i++) {
        const sandbox_value *e = v->type == SANDBOX_STRING ? v : v->items[i];
        law_effect ef;
        if (e->type != SANDBOX_STRING || strlen(e->str) != e->len)
            return lua_fail(out, AUGUR_EINVAL, "each effect must be a string");
        if ((rc = lua_effect(m, l, ctx, e->str, &ef, out)) != AUGUR_OK)
            return rc;
        if (lua_of_self(&ef) && self < 0)
            return lua_fail(out, AUGUR_EINVAL, "an effect names self, but the law has no `for`");
        rc = law_effect_apply(ctx, &ef, self, 1, out);
    }
    return rc;
}

static int lua_apply(const laws *m, const law *l, law_ctx *ctx, int self, int vote, law_out *out)
{
    lua_law *q = l->impl;
    sandbox_value *args;
    sandbox_result res;
    augur_err err = { 0 };
    int rc;

    (void)vote;
    if (!law_allows(l, ctx->action))
        return 0;
    if (!(args = lua_situation(m, ctx, self)))
        return AUGUR_ENOMEM;
    rc = lua_run(q->sb, q->src, q->len, l->name, args, &res, &err);
    sandbox_value_free(args);
    if (rc != AUGUR_OK)
        return lua_fail(out, rc, err.msg);
    if (!res.ok) {
        snprintf(out->fail, sizeof out->fail, "lua: %s: %s", sandbox_kind_name(res.kind),
                 res.message ? res.message : "");
        rc = AUGUR_EINVAL;
    } else if (!res.value || res.value->type == SANDBOX_NIL ||
               (res.value->type == SANDBOX_BOOL && !res.value->boolean)) {
        rc = 0;
    } else if ((rc = lua_effects(m, l, ctx, self, res.value, out)) == AUGUR_OK) {
        rc = 1;
    }
    sandbox_result_free(&res);
    return rc;
}

const law_kind law_lua = {
    "lua", lua_parse, lua_apply, NULL, lua_write, lua_show, lua_release,
};
