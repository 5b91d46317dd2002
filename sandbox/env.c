/*
** env.c — the restricted environment a run sees.
**
** Base functions without dofile, loadfile and warn; load in text mode only;
** collectgarbage("count") only; setmetatable refusing __gc; pcall, xpcall and the
** coroutine functions re-raising a failed run's error; print into the run's capped
** buffer; tostring without heap addresses. string without dump, table, math (seeded
** from the job), utf8, coroutine, and os reduced to clock, time, date, difftime.
** Library tables are read-only proxies, and the string metatable is protected.
**
** The C functions that can run long or build much without the count hook seeing
** them are wrapped: their inputs are checked against max_string and a limit on
** the work of one call, and their work is charged to the instruction budget. These
** checks hold with or without a budget, so a C function ends soon after the
** deadline either way, and the hook stops the script at its next instruction.
*/
#include "sandbox/private.h"
#include "base/time.h"

#include <lauxlib.h>
#include <lualib.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Steps of C work a single call may do: about a second of C time at most on a
** slow machine. Patterns are measured against it in the worst case, and so is the
** element work of the table functions, which in a run without an instruction
** budget nothing else would bound (a move over 2^62 empty slots allocates nothing,
** and the count hook cannot stop a C function). */
#define ENV_WORK_MAX 1e8

/* Bytes of C work (copying, building) that count as one instruction. */
enum { ENV_BYTES_PER_UNIT = 64 };

static char env_ids_key, env_protected_key;

/* The original of a wrapped function is its first upvalue; the second says whether
** it may be called directly (see env_forward). */
#define ENV_ORIGINAL lua_upvalueindex(1)
#define ENV_DIRECT   lua_upvalueindex(2)

/* Call the original with every argument; return all it returns. A C function with
** no upvalues of its own is called on this frame, as if the script had called it:
** it sees the same arguments and names itself in its errors as plain Lua would,
** and the call through Lua it saves costs as much as a short function's work. */
static int env_forward(lua_State *L)
{
    int n = lua_gettop(L);

    if (lua_toboolean(L, ENV_DIRECT))
        return lua_tocfunction(L, ENV_ORIGINAL)(L);
    lua_pushvalue(L, ENV_ORIGINAL);
    lua_insert(L, 1);
    lua_call(L, n, LUA_MULTRET);
    return lua_gettop(L);
}

/* ---- tostring and print ------------------------------------------------------------ */

/* The number of the object at idx, given in order of first sight. */
static lua_Integer env_object_id(lua_State *L, int idx)
{
    lua_Integer id;

    idx = lua_absindex(L, idx);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &env_ids_key);
    lua_pushvalue(L, idx);
    if (lua_rawget(L, -2) == LUA_TNUMBER) {
        id = lua_tointeger(L, -1);
    } else {
        id = (lua_Integer)lua_rawlen(L, -2) + 1;
        lua_pushvalue(L, idx);
        lua_rawseti(L, -3, id);
        lua_pushvalue(L, idx);
        lua_pushinteger(L, id);
        lua_rawset(L, -4);
    }
    lua_pop(L, 2);
    return id;
}

const char *env_tostring(lua_State *L, int idx, size_t *len)
{
    int t = lua_type(L, idx);

    idx = lua_absindex(L, idx);
    /* __name alone would still have Lua print the address after it. */
    if ((t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD || t == LUA_TUSERDATA) &&
        luaL_getmetafield(L, idx, "__tostring") == LUA_TNIL) {
        lua_pushfstring(L, "%s: #%I", luaL_typename(L, idx), env_object_id(L, idx));
        return lua_tolstring(L, -1, len);
    }
    if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD || t == LUA_TUSERDATA)
        lua_pop(L, 1);
    return luaL_tolstring(L, idx, len);
}

static int env_tostring_fn(lua_State *L)
{
    luaL_checkany(L, 1);
    env_tostring(L, 1, NULL);
    return 1;
}

/* Append to the run's output; past max_output the run fails with what fit kept. */
static void env_output(lua_State *L, vm *m, const char *s, size_t len)
{
    size_t room = (size_t)m->lim.max_output - m->output.len;

    buf_add(&m->output, s, len < room ? len : room);
    if (len > room || m->output.oom)
        vm_fail(L, SANDBOX_EOUTPUT, "output limit of %lld bytes reached",
                (long long)m->lim.max_output);
    vm_charge(L, (int64_t)(len / ENV_BYTES_PER_UNIT));
}

static int env_print(lua_State *L)
{
    vm *m = vm_of(L);
    int n = lua_gettop(L);

    for (int i = 1; i <= n; i++) {
        size_t len;
        const char *s = env_tostring(L, i, &len);
        if (i > 1)
            env_output(L, m, "\t", 1);
        env_output(L, m, s, len);
        lua_pop(L, 1);
    }
    env_output(L, m, "\n", 1);
    return 0;
}

/* ---- base functions ------------------------------------------------------------------ */

/* load(chunk [, name [, mode [, env]]]) in text mode, whatever mode says. */
static int env_load(lua_State *L)
{
    int n = lua_gettop(L);

    if (n < 3)
        lua_settop(L, 3);
    lua_pushliteral(L, "t");
    lua_replace(L, 3);
    if (n < 4)
        lua_settop(L, 3);
    return env_forward(L);
}

static int env_collectgarbage(lua_State *L)
{
    const char *opt = luaL_optstring(L, 1, "collect");

    if (strcmp(opt, "count") != 0)
        return luaL_error(L, "collectgarbage: only \"count\" is allowed here, not \"%s\"", opt);
    return env_forward(L);
}

static int env_setmetatable(lua_State *L)
{
    if (lua_type(L, 2) == LUA_TTABLE) {
        lua_pushliteral(L, "__gc");
        if (lua_rawget(L, 2) != LUA_TNIL)
            return luaL_error(L, "setmetatable: metatables with __gc are not allowed");
        lua_pop(L, 1);
    }
    return env_forward(L);
}

static int env_is_protected(lua_State *L, int idx)
{
    int yes;

    lua_rawgetp(L, LUA_REGISTRYINDEX, &env_protected_key);
    lua_pushvalue(L, idx);
    yes = lua_rawget(L, -2) != LUA_TNIL;
    lua_pop(L, 2);
    return yes;
}

static int env_rawset(lua_State *L)
{
    if (lua_type(L, 1) == LUA_TTABLE && env_is_protected(L, 1))
        return luaL_error(L, "rawset: this table is read-only");
    return env_forward(L);
}

/* After a protected call: a failed run raises again; otherwise (status, ...). */
static int env_pcall_done(lua_State *L, int status, lua_KContext extra)
{
    vm_check(L);
    if (status != LUA_OK && status != LUA_YIELD) {
        lua_pushboolean(L, 0);
        lua_pushvalue(L, -2);
        return 2;
    }
    return lua_gettop(L) - (int)extra;
}

static int env_pcall(lua_State *L)
{
    int status;

    luaL_checkany(L, 1);
    lua_pushboolean(L, 1);
    lua_insert(L, 1);
    status = lua_pcallk(L, lua_gettop(L) - 2, LUA_MULTRET, 0, 0, env_pcall_done);
    return env_pcall_done(L, status, 0);
}

/* xpcall's message handler runs before the stack unwinds, and for an error the
** count hook raised Lua runs it with hooks off: a failed run must never reach the
** script's handler, which could then loop unseen. */
static int env_xpcall_handler(lua_State *L)
{
    if (vm_of(L)->fatal)
        return 1;
    lua_pushvalue(L, lua_upvalueindex(1));
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, 1);
    return 1;
}

static int env_xpcall(lua_State *L)
{
    int n = lua_gettop(L), status;

    luaL_checktype(L, 2, LUA_TFUNCTION);
    lua_pushvalue(L, 2);
    lua_pushcclosure(L, env_xpcall_handler, 1);
    lua_replace(L, 2);
    lua_pushboolean(L, 1);
    lua_pushvalue(L, 1);
    lua_rotate(L, 3, 2);
    status = lua_pcallk(L, n - 2, LUA_MULTRET, 2, 2, env_pcall_done);
    return env_pcall_done(L, status, 2);
}

/* ---- coroutines ------------------------------------------------------------------------- */

static int env_co_create(lua_State *L)
{
    lua_State *co;

    luaL_checktype(L, 1, LUA_TFUNCTION);
    co = lua_newthread(L);
    vm_hook_arm(co, vm_of(L), SANDBOX_CO_STEP);
    lua_pushvalue(L, 1);
    lua_xmove(L, co, 1);
    return 1;
}

/* Resume co with the n values on top of L; leaves its results (or error) there.
** Each resume is charged a coroutine step, which what the resumed thread's own
** hook has not yet counted cannot exceed. */
static int env_resume(lua_State *L, lua_State *co, int n)
{
    int status, nres;

    vm_charge(L, SANDBOX_CO_STEP);
    if (lua_status(co) == LUA_OK && lua_gettop(co) == 0) {
        lua_pushliteral(L, "cannot resume dead coroutine");
        return -1;
    }
    if (!lua_checkstack(co, n)) {
        lua_pushliteral(L, "too many arguments to resume");
        return -1;
    }
    lua_xmove(L, co, n);
    vm_enter(co);
    status = lua_resume(co, L, n, &nres);
    vm_enter(L);
    vm_check(L);
    if (status == LUA_OK || status == LUA_YIELD) {
        if (!lua_checkstack(L, nres + 1)) {
            lua_pop(co, nres);
            lua_pushliteral(L, "too many results to resume");
            return -1;
        }
        lua_xmove(co, L, nres);
        return nres;
    }
    lua_xmove(co, L, 1);
    return -1;
}

static int env_co_resume(lua_State *L)
{
    lua_State *co = lua_tothread(L, 1);
    int r;

    luaL_argexpected(L, co, 1, "coroutine");
    r = env_resume(L, co, lua_gettop(L) - 1);
    lua_pushboolean(L, r >= 0);
    lua_insert(L, r >= 0 ? -(r + 1) : -2);
    return r >= 0 ? r + 1 : 2;
}

static int env_co_wrapped(lua_State *L)
{
    lua_State *co = lua_tothread(L, lua_upvalueindex(1));
    int r = env_resume(L, co, lua_gettop(L));

    if (r >= 0)
        return r;
    /* A thread that died of the run's failure is left as it is: Lua would run its
    ** __close handlers with hooks off. */
    vm_check(L);
    if (lua_status(co) != LUA_OK && lua_status(co) != LUA_YIELD) {
        /* Its __close handlers run on it. */
        vm_enter(co);
        lua_resetthread(co);
        vm_enter(L);
    }
    if (lua_type(L, -1) == LUA_TSTRING) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
    }
    return lua_error(L);
}

static int env_co_wrap(lua_State *L)
{
    env_co_create(L);
    lua_pushcclosure(L, env_co_wrapped, 1);
    return 1;
}

/* close runs the coroutine's __close handlers on it; it may also raise before
** that, so it is called protected, to be back on L whatever happens. */
static int env_co_close(lua_State *L)
{
    lua_State *co = lua_tothread(L, 1);
    int status;

    vm_check(L);
    lua_pushvalue(L, ENV_ORIGINAL);
    lua_insert(L, 1);
    if (co)
        vm_enter(co);
    status = lua_pcall(L, lua_gettop(L) - 1, LUA_MULTRET, 0);
    vm_enter(L);
    vm_check(L);
    if (status != LUA_OK)
        return lua_error(L);
    return lua_gettop(L);
}

/* ---- pairs in a fixed order ------------------------------------------------------------ */

/* Lua seeds its string hashes from addresses and the clock, so raw traversal order
** changes from one run to the next. pairs visits keys in an order of their own:
** numbers by value, then strings bytewise, then false and true, then any other key
** by the number tostring gives it. Keys removed during the loop are skipped. */

typedef struct env_key {
    int         rank, is_int;
    lua_Integer i, id;
    double      d;
    const char *s;
    size_t      len;
    lua_Integer slot;
} env_key;

static int env_key_cmp(const void *a, const void *b)
{
    const env_key *x = a, *y = b;
    int d;

    if (x->rank != y->rank)
        return x->rank - y->rank;
    switch (x->rank) {
    case 0:
        if (x->is_int && y->is_int)
            return (x->i > y->i) - (x->i < y->i);
        return (x->d > y->d) - (x->d < y->d);
    case 1:
        d = memcmp(x->s, y->s, x->len < y->len ? x->len : y->len);
        return d ? d : (x->len > y->len) - (x->len < y->len);
    case 2:
        return (int)(x->i - y->i);
    default:
        return (x->id > y->id) - (x->id < y->id);
    }
}

/* Describe the key on top of the stack (which stays there). */
static void env_key_describe(lua_State *L, env_key *k)
{
    memset(k, 0, sizeof *k);
    switch (lua_type(L, -1)) {
    case LUA_TNUMBER:
        k->is_int = lua_isinteger(L, -1);
        k->i = lua_tointeger(L, -1);
        k->d = lua_tonumber(L, -1);
        break;
    case LUA_TSTRING:
        k->rank = 1;
        k->s = lua_tolstring(L, -1, &k->len);
        break;
    case LUA_TBOOLEAN:
        k->rank = 2;
        k->i = lua_toboolean(L, -1);
        break;
    default:
        k->rank = 3;
        k->id = env_object_id(L, lua_gettop(L));
    }
}

static int env_ordered_next(lua_State *L)
{
    lua_Integer pos = lua_tointeger(L, lua_upvalueindex(3));
    lua_Integer n = (lua_Integer)lua_rawlen(L, lua_upvalueindex(2));

    while (++pos <= n) {
        lua_rawgeti(L, lua_upvalueindex(2), pos);
        lua_pushvalue(L, -1);
        if (lua_rawget(L, lua_upvalueindex(1)) != LUA_TNIL) {
            lua_pushinteger(L, pos);
            lua_replace(L, lua_upvalueindex(3));
            return 2;
        }
        lua_pop(L, 2);
    }
    lua_pushinteger(L, pos);
    lua_replace(L, lua_upvalueindex(3));
    lua_pushnil(L);
    return 1;
}

void env_pairs_push(lua_State *L, int t)
{
    lua_Integer n = 0;
    env_key *keys;

    t = lua_absindex(L, t);
    lua_newtable(L);
    lua_pushnil(L);
    while (lua_next(L, t)) {
        lua_pop(L, 1);
        lua_pushvalue(L, -1);
        lua_rawseti(L, -3, ++n);
    }
    if (n > 1)
        vm_charge(L, (int64_t)((double)n * log2((double)n)));
    keys = lua_newuserdatauv(L, (size_t)n * sizeof *keys, 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, -2, i + 1);
        env_key_describe(L, &keys[i]);
        keys[i].slot = i + 1;
        lua_pop(L, 1);
    }
    if (n > 1)
        qsort(keys, (size_t)n, sizeof *keys, env_key_cmp);
    lua_pushvalue(L, t);
    lua_createtable(L, (int)(n < INT32_MAX ? n : INT32_MAX), 0);
    for (lua_Integer i = 0; i < n; i++) {
        lua_rawgeti(L, -4, keys[i].slot);
        lua_rawseti(L, -2, i + 1);
    }
    lua_pushinteger(L, 0);
    lua_pushcclosure(L, env_ordered_next, 3);
    lua_replace(L, -3);
    lua_pop(L, 1);
}

static int env_pairs(lua_State *L)
{
    luaL_checkany(L, 1);
    if (luaL_getmetafield(L, 1, "__pairs") != LUA_TNIL) {
        lua_pushvalue(L, 1);
        lua_call(L, 1, 3);
        return 3;
    }
    luaL_checktype(L, 1, LUA_TTABLE);
    env_pairs_push(L, 1);
    return 1;
}

/* ---- strings ------------------------------------------------------------------------------ */

/* Refuse a result larger than max_string before any work is done. */
static void env_check_size(lua_State *L, const char *fn, double bytes)
{
    vm *m = vm_of(L);

    if (bytes > (double)m->lim.max_string)
        vm_fail(L, SANDBOX_EMEMORY, "%s: a result of %.0f bytes exceeds the largest string "
                "allowed (max_string %lld)", fn, bytes, (long long)m->lim.max_string);
    vm_charge(L, (int64_t)(bytes / ENV_BYTES_PER_UNIT));
}

static int env_rep(lua_State *L)
{
    size_t l, lsep;
    luaL_checklstring(L, 1, &l);
    lua_Integer n = luaL_checkinteger(L, 2);
    luaL_optlstring(L, 3, "", &lsep);

    if (n <= 0 || l + lsep == 0) {
        /* Also what rep would build n times over for empty strings. */
        lua_pushliteral(L, "");
        return 1;
    }
    env_check_size(L, "string.rep", (double)n * (double)l + (double)(n - 1) * (double)lsep);
    return env_forward(L);
}

/* Start of the subject a find, match or gmatch looks at (init is 1-based). */
static size_t env_init(lua_State *L, int arg, size_t len)
{
    lua_Integer init = luaL_optinteger(L, arg, 1);

    if (init > 0)
        return (size_t)init - 1 < len ? (size_t)init - 1 : len;
    if (init == 0 || (size_t)-init > len)
        return 0;
    return len - (size_t)-init;
}

/* Check a pattern call's worst case, and charge its linear part. */
static void env_check_pattern(lua_State *L, const char *fn, int init_arg, int plain_arg,
                              int anchorable)
{
    size_t n, plen, from;
    const char *s = luaL_checklstring(L, 1, &n);
    const char *p = luaL_checklstring(L, 2, &plen);
    char why[160];
    double cost;

    from = init_arg ? env_init(L, init_arg, n) : 0;
    if (plain_arg && lua_toboolean(L, plain_arg))
        cost = (double)(n - from + 1) * (double)plen / 8;
    else
        cost = pattern_cost(s + from, n - from, p, plen, anchorable, why, sizeof why);
    if (cost < 0)
        luaL_error(L, "%s: %s", fn, why);
    if (cost > ENV_WORK_MAX) {
        snprintf(why, sizeof why, "this pattern may take %.3g steps on a subject of %zu bytes, "
                 "more than the %.3g allowed", cost, n - from, ENV_WORK_MAX);
        luaL_error(L, "%s: %s (bound repetitions with a class such as [^,]*)", fn, why);
    }
    vm_charge(L, (int64_t)((n - from) / ENV_BYTES_PER_UNIT));
}

static int env_find(lua_State *L)
{
    env_check_pattern(L, "string.find", 3, 4, 1);
    return env_forward(L);
}

static int env_match(lua_State *L)
{
    env_check_pattern(L, "string.match", 3, 0, 1);
    return env_forward(L);
}

static int env_gmatch(lua_State *L)
{
    env_check_pattern(L, "string.gmatch", 3, 0, 0);
    return env_forward(L);
}

static int env_gsub(lua_State *L)
{
    env_check_pattern(L, "string.gsub", 0, 0, 1);
    return env_forward(L);
}

/* format without %p, and with our tostring for tables and functions. */
static int env_format(lua_State *L)
{
    size_t len;
    const char *f = luaL_checklstring(L, 1, &len);

    for (size_t i = 0; i + 1 < len; i++) {
        if (f[i] != '%')
            continue;
        i++;
        while (i < len && strchr("-+ #0123456789.", f[i]))
            i++;
        if (i < len && f[i] == 'p')
            return luaL_error(L, "string.format: %%p is not allowed");
    }
    for (int i = 2; i <= lua_gettop(L); i++) {
        int t = lua_type(L, i);
        if (t == LUA_TTABLE || t == LUA_TFUNCTION || t == LUA_TTHREAD || t == LUA_TUSERDATA) {
            env_tostring(L, i, NULL);
            lua_replace(L, i);
        }
    }
    return env_forward(L);
}

/* ---- tables -------------------------------------------------------------------------------- */

/* Charge steps of a table function's work, and refuse more than one call may do. */
static void env_work(lua_State *L, const char *fn, double steps)
{
    char why[128];

    vm_charge(L, (int64_t)fmin(steps, 9e18));
    if (steps > ENV_WORK_MAX) {
        snprintf(why, sizeof why, "%.3g steps of work in one call, more than the %.3g allowed",
                 steps, ENV_WORK_MAX);
        luaL_error(L, "%s: %s", fn, why);
    }
}

static lua_Integer env_len(lua_State *L, int idx)
{
    luaL_checktype(L, idx, LUA_TTABLE);
    return luaL_len(L, idx);
}

static int env_concat(lua_State *L)
{
    size_t lsep;
    lua_Integer last = lua_isnoneornil(L, 4) ? env_len(L, 1) : luaL_checkinteger(L, 4);
    lua_Integer first = luaL_optinteger(L, 3, 1);
    double count = first <= last ? (double)last - (double)first + 1 : 0;

    luaL_optlstring(L, 2, "", &lsep);
    env_work(L, "table.concat", count);
    env_check_size(L, "table.concat", count > 1 ? (count - 1) * (double)lsep : 0);
    return env_forward(L);
}

static int env_insert(lua_State *L)
{
    lua_Integer n = env_len(L, 1);

    if (lua_gettop(L) == 3) {
        lua_Integer pos = luaL_checkinteger(L, 2);
        if (pos >= 1 && pos - 1 <= n)
            env_work(L, "table.insert", (double)n - (double)pos + 1);
    }
    return env_forward(L);
}

static int env_remove(lua_State *L)
{
    lua_Integer n = env_len(L, 1), pos = luaL_optinteger(L, 2, n);

    if (pos >= 1 && pos <= n)
        env_work(L, "table.remove", (double)(n - pos));
    return env_forward(L);
}

static int env_move(lua_State *L)
{
    lua_Integer f = luaL_checkinteger(L, 2), e = luaL_checkinteger(L, 3);

    if (e >= f)
        env_work(L, "table.move", (double)e - (double)f + 1);
    return env_forward(L);
}

static int env_sort(lua_State *L)
{
    lua_Integer n = env_len(L, 1);

    if (n > 1)
        env_work(L, "table.sort", (double)n * log2((double)n));
    return env_forward(L);
}

static int env_unpack(lua_State *L)
{
    lua_Integer i = luaL_optinteger(L, 2, 1);
    lua_Integer e = lua_isnoneornil(L, 3) ? luaL_len(L, 1) : luaL_checkinteger(L, 3);

    if (e >= i)
        env_work(L, "table.unpack", (double)e - (double)i + 1);
    return env_forward(L);
}

/* ---- math -------------------------------------------------------------------------------- */

/* randomseed() alone would read the clock: it takes the job's seed instead. */
static int env_randomseed(lua_State *L)
{
    if (lua_gettop(L) == 0)
        lua_pushinteger(L, (lua_Integer)vm_of(L)->job->seed);
    return env_forward(L);
}

/* ---- host capabilities ---------------------------------------------------------------------- */

typedef struct env_host_fn {
    const sandbox_cap *cap;
    const sandbox_fn  *fn;
} env_host_fn;

static int env_host_call(lua_State *L)
{
    const env_host_fn *h = lua_touserdata(L, lua_upvalueindex(1));
    vm *m = vm_of(L);
    sandbox_call call = { h->cap->name, h->fn->name, NULL, m->deadline_ns, h->cap->ud };
    augur_err err = { 0 };
    sandbox_value *ret = NULL, *args;
    convert c;
    int rc;

    vm_check(L);
    convert_init(&c, m->lim.memory_bytes, m->deadline_ns);
    if (!(args = sandbox_value_new(SANDBOX_ARRAY)))
        return vm_fail(L, SANDBOX_EINTERNAL, "out of host memory");
    m->pending[0] = args;
    for (int i = 1; i <= lua_gettop(L); i++)
        if (sandbox_value_push(args, NULL, 0, convert_from_lua(L, i, &c)) != AUGUR_OK)
            return luaL_error(L, "host.%s.%s: argument %d: %s", h->cap->name, h->fn->name, i,
                              c.why[0] ? c.why : "out of memory");
    call.args = args;
    rc = h->fn->fn(&call, &ret, &err);
    m->pending[0] = NULL;
    sandbox_value_free(args);
    m->pending[1] = ret;
    if (time_mono_ns() > m->deadline_ns)
        vm_fail(L, SANDBOX_ETIMEOUT, "deadline of %lld ms passed during host.%s.%s",
                (long long)m->lim.timeout_ms, h->cap->name, h->fn->name);
    if (rc != AUGUR_OK) {
        lua_pushfstring(L, "host.%s.%s: %s", h->cap->name, h->fn->name,
                        err.msg[0] ? err.msg : augur_errstr(rc));
        if (rc == AUGUR_EDENIED) {
            free(m->denied);
            m->denied = strdup(lua_tostring(L, -1));
        }
        return lua_error(L);
    }
    convert_push(L, ret);
    m->pending[1] = NULL;
    sandbox_value_free(ret);
    return 1;
}

/* host's __index: a capability this run may not use is a refusal, not a nil. */
static int env_host_index(lua_State *L)
{
    vm *m = vm_of(L);
    size_t len;
    const char *name = lua_tolstring(L, 2, &len);

    if (lua_type(L, 2) == LUA_TSTRING && sandbox_cap_find(m->caps, m->ncaps, name, len)) {
        lua_pushfstring(L, "host.%s: denied: this run may not use the '%s' capability", name,
                        name);
        free(m->denied);
        m->denied = strdup(lua_tostring(L, -1));
        return lua_error(L);
    }
    return 0;
}

/* ---- building the environment ---------------------------------------------------------------- */

static int env_readonly(lua_State *L)
{
    return luaL_error(L, "cannot assign to a field of a read-only library table");
}

/* pairs over a proxy walks the library it stands for. */
static int env_proxy_pairs(lua_State *L)
{
    lua_getmetatable(L, 1);
    lua_getfield(L, -1, "__index");
    env_pairs_push(L, lua_gettop(L));
    return 1;
}

/* Replace the table on top by a read-only proxy of it. */
static void env_protect(lua_State *L)
{
    lua_newtable(L);
    lua_createtable(L, 0, 4);
    lua_pushvalue(L, -3);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, env_readonly);
    lua_setfield(L, -2, "__newindex");
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_pushcfunction(L, env_proxy_pairs);
    lua_setfield(L, -2, "__pairs");
    lua_setmetatable(L, -2);
    lua_rawgetp(L, LUA_REGISTRYINDEX, &env_protected_key);
    lua_pushvalue(L, -2);
    lua_pushboolean(L, 1);
    lua_rawset(L, -3);
    lua_pop(L, 1);
    lua_remove(L, -2);
}

/* Wrap the fields of the table on top: each new function gets the old as upvalue. */
static void env_wrap(lua_State *L, const luaL_Reg *fns)
{
    for (; fns->name; fns++) {
        int direct;
        lua_getfield(L, -1, fns->name);
        direct = lua_tocfunction(L, -1) != NULL;
        if (direct && lua_getupvalue(L, -1, 1)) {
            lua_pop(L, 1);
            direct = 0;
        }
        lua_pushboolean(L, direct);
        lua_pushcclosure(L, fns->func, 2);
        lua_setfield(L, -2, fns->name);
    }
}

static void env_drop(lua_State *L, const char *const *names)
{
    for (; *names; names++) {
        lua_pushnil(L);
        lua_setfield(L, -2, *names);
    }
}

/* Open library name into the registry's loaded table and leave it on top. */
static void env_lib(lua_State *L, const char *name, lua_CFunction open)
{
    luaL_requiref(L, name, open, 0);
}

static void env_host(lua_State *L, vm *m)
{
    lua_newtable(L);
    for (size_t i = 0; i < m->ncaps; i++) {
        const sandbox_cap *cap = &m->caps[i];
        if (!sandbox_job_allows(m->job, cap->name))
            continue;
        lua_newtable(L);
        for (const sandbox_fn *f = cap->fns; f->name; f++) {
            env_host_fn *h = lua_newuserdatauv(L, sizeof *h, 0);
            h->cap = cap;
            h->fn = f;
            lua_pushcclosure(L, env_host_call, 1);
            lua_setfield(L, -2, f->name);
        }
        env_protect(L);
        lua_setfield(L, -2, cap->name);
    }
    env_protect(L);
    /* Misses go to env_host_index, which tells refusals from plain nils. */
    lua_getmetatable(L, -1);
    lua_getfield(L, -1, "__index");
    lua_createtable(L, 0, 1);
    lua_pushcfunction(L, env_host_index);
    lua_setfield(L, -2, "__index");
    lua_setmetatable(L, -2);
    lua_pop(L, 2);
}

void env_open(lua_State *L, vm *m)
{
    static const luaL_Reg base_wrapped[] = {
        { "load", env_load }, { "collectgarbage", env_collectgarbage },
        { "setmetatable", env_setmetatable }, { "rawset", env_rawset }, { NULL, NULL },
    };
    static const luaL_Reg base_own[] = {
        { "print", env_print }, { "tostring", env_tostring_fn }, { "pcall", env_pcall },
        { "xpcall", env_xpcall }, { "pairs", env_pairs }, { NULL, NULL },
    };
    static const luaL_Reg string_wrapped[] = {
        { "rep", env_rep }, { "find", env_find }, { "match", env_match },
        { "gmatch", env_gmatch }, { "gsub", env_gsub }, { "format", env_format }, { NULL, NULL },
    };
    static const luaL_Reg table_wrapped[] = {
        { "concat", env_concat }, { "insert", env_insert }, { "remove", env_remove },
        { "move", env_move }, { "sort", env_sort }, { "unpack", env_unpack }, { NULL, NULL },
    };
    static const luaL_Reg co_own[] = {
        { "create", env_co_create }, { "resume", env_co_resume }, { "wrap", env_co_wrap },
        { NULL, NULL },
    };
    static const luaL_Reg co_wrapped[] = { { "close", env_co_close }, { NULL, NULL } };
    static const luaL_Reg math_wrapped[] = { { "randomseed", env_randomseed }, { NULL, NULL } };
    static const char *const base_drop[] = { "dofile", "loadfile", "warn", NULL };
    static const char *const string_drop[] = { "dump", NULL };
    static const char *const os_keep[] = { "clock", "time", "date", "difftime", NULL };

    lua_newtable(L);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &env_protected_key);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &env_ids_key);

    env_lib(L, LUA_GNAME, luaopen_base);
    env_wrap(L, base_wrapped);
    luaL_setfuncs(L, base_own, 0);
    env_drop(L, base_drop);
    lua_pop(L, 1);

    lua_pushglobaltable(L);
    env_lib(L, LUA_STRLIBNAME, luaopen_string);
    env_wrap(L, string_wrapped);
    env_drop(L, string_drop);
    /* Strings' metatable: no script may see or change it. */
    lua_pushliteral(L, "");
    lua_getmetatable(L, -1);
    lua_pushliteral(L, "protected");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 2);
    env_protect(L);
    lua_setfield(L, -2, LUA_STRLIBNAME);

    env_lib(L, LUA_TABLIBNAME, luaopen_table);
    env_wrap(L, table_wrapped);
    env_protect(L);
    lua_setfield(L, -2, LUA_TABLIBNAME);

    env_lib(L, LUA_COLIBNAME, luaopen_coroutine);
    env_wrap(L, co_wrapped);
    luaL_setfuncs(L, co_own, 0);
    env_protect(L);
    lua_setfield(L, -2, LUA_COLIBNAME);

    env_lib(L, LUA_MATHLIBNAME, luaopen_math);
    env_wrap(L, math_wrapped);
    lua_getfield(L, -1, "randomseed");
    lua_pushinteger(L, (lua_Integer)m->job->seed);
    lua_call(L, 1, 0);
    env_protect(L);
    lua_setfield(L, -2, LUA_MATHLIBNAME);

    env_lib(L, LUA_UTF8LIBNAME, luaopen_utf8);
    env_protect(L);
    lua_setfield(L, -2, LUA_UTF8LIBNAME);

    env_lib(L, LUA_OSLIBNAME, luaopen_os);
    lua_createtable(L, 0, 4);
    for (const char *const *k = os_keep; *k; k++) {
        lua_getfield(L, -2, *k);
        lua_setfield(L, -2, *k);
    }
    lua_remove(L, -2);
    env_protect(L);
    lua_setfield(L, -2, LUA_OSLIBNAME);

    env_host(L, m);
    lua_setfield(L, -2, "host");
    lua_pop(L, 1);
}
