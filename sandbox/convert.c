/*
** convert.c — Lua values to sandbox values and back.
**
** Reading uses raw accessors only (lua_type, lua_next, lua_rawgeti, lua_tolstring
** on real strings), so no metamethod a script attached ever runs in the host. A
** table whose keys are exactly 1..n is an array (an empty table is []); any other
** an object whose keys, integers and floats written as Lua writes them, are sorted
** so the same table always gives the same text. Depth, nodes and bytes are bounded
** and cycles refused, since a script may return a table that holds itself or the
** same large string a million times.
*/
#include "sandbox/private.h"
#include "base/time.h"

#include <lauxlib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void convert_init(convert *c, int64_t max_bytes, uint64_t deadline_ns)
{
    memset(c, 0, sizeof *c);
    c->max_bytes = max_bytes;
    c->deadline_ns = deadline_ns;
}

static sandbox_value *convert_fail(convert *c, sandbox_kind kind, const char *what)
{
    if (!c->kind) {
        c->kind = kind;
        snprintf(c->why, sizeof c->why, "%s", what);
    }
    return NULL;
}

static int convert_count(convert *c, size_t bytes)
{
    c->nodes++;
    c->bytes += (int64_t)bytes;
    if (c->nodes > SANDBOX_MAX_NODES || c->bytes > c->max_bytes) {
        convert_fail(c, SANDBOX_EOUTPUT, "too large to leave the sandbox");
        return -1;
    }
    /* Converting is part of the run: a large value must not outlast the deadline. */
    if (c->deadline_ns && c->nodes % 4096 == 0 && time_mono_ns() > c->deadline_ns) {
        convert_fail(c, SANDBOX_ETIMEOUT, "the deadline passed while converting it");
        return -1;
    }
    return 0;
}

static sandbox_value *convert_at(lua_State *L, int idx, convert *c, int depth);

static int convert_key_cmp(const void *a, const void *b)
{
    const sandbox_value *x = *(sandbox_value *const *)a, *y = *(sandbox_value *const *)b;
    size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
    int d = memcmp(x->key, y->key, n);

    return d ? d : (x->keylen > y->keylen) - (x->keylen < y->keylen);
}

/* The key at idx as text, into out[size]; its length, or -1 when it has none. */
static int convert_key(lua_State *L, int idx, convert *c, char *out, size_t size,
                       const char **key, size_t *len)
{
    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        *key = lua_tolstring(L, idx, len);
        if (!sandbox_utf8_valid(*key, *len))
            c->lossy = 1;
        return 0;
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            snprintf(out, size, "%lld", (long long)lua_tointeger(L, idx));
        else
            snprintf(out, size, "%.14g", lua_tonumber(L, idx));
        *key = out;
        *len = strlen(out);
        return 0;
    default:
        snprintf(c->why, sizeof c->why, "a table key of type %s cannot leave the sandbox",
                 luaL_typename(L, idx));
        return -1;
    }
}

static sandbox_value *convert_table(lua_State *L, int idx, convert *c, int depth)
{
    const void *self = lua_topointer(L, idx);
    lua_Integer count = 0, max = 0;
    int array = 1;
    sandbox_value *v;

    if (depth >= SANDBOX_MAX_DEPTH)
        return convert_fail(c, SANDBOX_ERUNTIME, "tables nested too deeply");
    for (int i = 0; i < depth; i++)
        if (c->seen[i] == self)
            return convert_fail(c, SANDBOX_ERUNTIME, "a table that contains itself");
    if (!lua_checkstack(L, 4))
        return convert_fail(c, SANDBOX_ERUNTIME, "out of stack space");
    c->seen[depth] = self;
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        count++;
        if (!lua_isinteger(L, -2) || lua_tointeger(L, -2) < 1)
            array = 0;
        else if (lua_tointeger(L, -2) > max)
            max = lua_tointeger(L, -2);
        lua_pop(L, 1);
    }
    array = array && max == count;
    if (!(v = sandbox_value_new(array ? SANDBOX_ARRAY : SANDBOX_OBJECT)))
        return convert_fail(c, SANDBOX_EMEMORY, "out of host memory");
    if (array) {
        for (lua_Integer i = 1; i <= count; i++) {
            lua_rawgeti(L, idx, i);
            if (sandbox_value_push(v, NULL, 0, convert_at(L, lua_gettop(L), c, depth + 1)))
                goto fail;
            lua_pop(L, 1);
        }
        return v;
    }
    lua_pushnil(L);
    while (lua_next(L, idx)) {
        char num[64];
        const char *key;
        size_t len;
        if (convert_key(L, -2, c, num, sizeof num, &key, &len) < 0) {
            c->kind = SANDBOX_ERUNTIME;
            lua_pop(L, 2);
            sandbox_value_free(v);
            return NULL;
        }
        if (convert_count(c, len) < 0 ||
            sandbox_value_push(v, key, len, convert_at(L, lua_gettop(L), c, depth + 1))) {
            lua_pop(L, 1);
            goto fail;
        }
        lua_pop(L, 1);
    }
    if (v->n > 1)
        qsort(v->items, v->n, sizeof *v->items, convert_key_cmp);
    return v;
fail:
    lua_pop(L, 1);
    sandbox_value_free(v);
    return convert_fail(c, SANDBOX_EMEMORY, "out of host memory");
}

static sandbox_value *convert_at(lua_State *L, int idx, convert *c, int depth)
{
    const char *s;
    size_t len = 0;
    int t = lua_type(L, idx);

    if (t == LUA_TSTRING)
        lua_tolstring(L, idx, &len);
    if (convert_count(c, len) < 0)
        return NULL;
    switch (t) {
    case LUA_TNIL:
        return sandbox_value_new(SANDBOX_NIL);
    case LUA_TBOOLEAN:
        return sandbox_value_bool(lua_toboolean(L, idx));
    case LUA_TNUMBER:
        if (lua_isinteger(L, idx))
            return sandbox_value_int(lua_tointeger(L, idx));
        if (!isfinite(lua_tonumber(L, idx)))
            c->lossy = 1;
        return sandbox_value_float(lua_tonumber(L, idx));
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        if (!sandbox_utf8_valid(s, len))
            c->lossy = 1;
        return sandbox_value_string(s, len);
    case LUA_TTABLE:
        return convert_table(L, idx, c, depth);
    default: {
        char why[96];
        snprintf(why, sizeof why, "a %s value cannot leave the sandbox", luaL_typename(L, idx));
        return convert_fail(c, SANDBOX_ERUNTIME, why);
    }
    }
}

sandbox_value *convert_from_lua(lua_State *L, int idx, convert *c)
{
    return convert_at(L, lua_absindex(L, idx), c, 0);
}

static void convert_push_at(lua_State *L, const sandbox_value *v, int depth)
{
    if (depth > SANDBOX_MAX_DEPTH)
        luaL_error(L, "value nested too deeply");
    luaL_checkstack(L, 3, "value nested too deeply");
    switch (v ? v->type : SANDBOX_NIL) {
    case SANDBOX_NIL:    lua_pushnil(L); break;
    case SANDBOX_BOOL:   lua_pushboolean(L, v->boolean); break;
    case SANDBOX_INT:    lua_pushinteger(L, (lua_Integer)v->integer); break;
    case SANDBOX_FLOAT:  lua_pushnumber(L, v->number); break;
    case SANDBOX_STRING: lua_pushlstring(L, v->str, v->len); break;
    case SANDBOX_ARRAY:
        lua_createtable(L, (int)(v->n < 1u << 20 ? v->n : 1u << 20), 0);
        for (size_t i = 0; i < v->n; i++) {
            convert_push_at(L, v->items[i], depth + 1);
            lua_rawseti(L, -2, (lua_Integer)i + 1);
        }
        break;
    case SANDBOX_OBJECT:
        lua_createtable(L, 0, (int)(v->n < 1u << 20 ? v->n : 1u << 20));
        for (size_t i = 0; i < v->n; i++) {
            lua_pushlstring(L, v->items[i]->key, v->items[i]->keylen);
            convert_push_at(L, v->items[i], depth + 1);
            lua_rawset(L, -3);
        }
        break;
    }
}

void convert_push(lua_State *L, const sandbox_value *v)
{
    convert_push_at(L, v, 0);
}
