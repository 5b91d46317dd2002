/*
** vm.c — one run in a fresh Lua state of this process, under its limits.
**
** Limits are enforced where nothing in the script can reach them:
** - memory by the allocator the state is made with, which refuses past the cap
**   and refuses any string larger than max_string at the moment it is made;
** - instructions and the deadline by a count hook on every thread, which once the
**   run has failed is re-armed to fire on every instruction, so that each further
**   step raises again (pcall, coroutines and __close handlers cannot swallow it:
**   the wrappers in env.c re-raise, and the kind is decided here, not by the
**   error value the script may have replaced);
** - in a run without an instruction budget, the deadline by the watchdog, which
**   arms that same hook when the deadline passes: until then no hook is installed,
**   since any count hook makes Lua trace every instruction;
** - output by print, which writes to a capped buffer.
** The run's kind is read from the vm, never from what the script left.
*/
#include "sandbox/private.h"
#include "base/time.h"

#include <lauxlib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The key, in the registry, of the message every raise after a failure pushes. */
static char vm_fatal_key;

vm *vm_of(lua_State *L)
{
    void *ud;

    lua_getallocf(L, &ud);
    return ud;
}

/* ---- memory ------------------------------------------------------------------------ */

/* String objects are announced by their type in osize; a header and the NUL
** come with the bytes. */
enum { VM_STRING_OVERHEAD = 64 };

/* The run has failed (the first failure wins); past the cap there is headroom
** for reporting it: a traceback, the message. */
static void vm_mark(vm *m, sandbox_kind kind, const char *msg)
{
    if (!m->fatal) {
        m->fatal = kind;
        snprintf(m->fatal_msg, sizeof m->fatal_msg, "%s", msg);
    }
    if (m->cap_bytes < m->lim.memory_bytes + SANDBOX_HEADROOM)
        m->cap_bytes = m->lim.memory_bytes + SANDBOX_HEADROOM;
}

static void *vm_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    vm *m = ud;
    int64_t old = ptr ? (int64_t)osize : 0;
    char msg[128];
    void *p;

    if (nsize == 0) {
        free(ptr);
        m->bytes -= old;
        return NULL;
    }
    if (!ptr && osize == LUA_TSTRING && (int64_t)nsize > m->lim.max_string + VM_STRING_OVERHEAD) {
        snprintf(msg, sizeof msg, "a string of %zu bytes exceeds the largest allowed "
                 "(max_string %lld)", nsize - VM_STRING_OVERHEAD / 2, (long long)m->lim.max_string);
        vm_mark(m, SANDBOX_EMEMORY, msg);
        return NULL;
    }
    if ((int64_t)nsize > old && m->bytes + ((int64_t)nsize - old) > m->cap_bytes) {
        /* Lua collects and asks again once; refusing the same request twice is the
        ** memory error the script sees. */
        if (m->refused == ptr && m->refused_size == nsize) {
            snprintf(msg, sizeof msg, "memory limit of %lld bytes reached",
                     (long long)m->lim.memory_bytes);
            vm_mark(m, SANDBOX_EMEMORY, msg);
        }
        m->refused = ptr;
        m->refused_size = nsize;
        return NULL;
    }
    p = realloc(ptr, nsize);
    if (!p && (int64_t)nsize < old)
        return ptr;
    if (!p) {
        /* The process itself is out (RLIMIT_AS in a worker): as final as the cap. */
        snprintf(msg, sizeof msg, "out of memory: the process could not allocate %zu bytes", nsize);
        vm_mark(m, SANDBOX_EMEMORY, msg);
        return NULL;
    }
    m->bytes += (int64_t)nsize - old;
    if (m->bytes > m->peak)
        m->peak = m->bytes;
    m->refused = NULL;
    m->refused_size = 0;
    return p;
}

/* ---- failing and raising ------------------------------------------------------------- */

static int vm_raise(lua_State *L)
{
    lua_rawgetp(L, LUA_REGISTRYINDEX, &vm_fatal_key);
    return lua_error(L);
}

static void vm_hook(lua_State *L, lua_Debug *ar);

void vm_hook_arm(lua_State *L, vm *m, int step)
{
    int64_t left = m->lim.instructions - m->used;

    if (m->fatal || (m->dog && watchdog_fired(m->dog)))
        step = 1;
    else if (!m->lim.instructions)
        return;
    else if (left < step)
        step = left > 0 ? (int)left : 1;
    /* lua_sethook walks the whole call stack: only when the step changes. */
    if (lua_gethook(L) != vm_hook || lua_gethookcount(L) != step)
        lua_sethook(L, vm_hook, LUA_MASKCOUNT, step);
}

/* Record the failure; the message is pushed into the registry so that every
** later raise pushes it without allocating. */
static void vm_set_fatal(lua_State *L, vm *m, sandbox_kind kind, const char *msg)
{
    vm_mark(m, kind, msg);
    lua_pushstring(L, m->fatal_msg);
    lua_rawsetp(L, LUA_REGISTRYINDEX, &vm_fatal_key);
    vm_hook_arm(L, m, 1);
}

int vm_fail(lua_State *L, sandbox_kind kind, const char *fmt, ...)
{
    char msg[sizeof ((vm *)0)->fatal_msg];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    vm_set_fatal(L, vm_of(L), kind, msg);
    return vm_raise(L);
}

void vm_check(lua_State *L)
{
    vm *m = vm_of(L);

    if (m->fatal) {
        vm_set_fatal(L, m, m->fatal, m->fatal_msg);
        vm_raise(L);
    }
}

void vm_enter(lua_State *L)
{
    vm *m = vm_of(L);

    if (m->dog && watchdog_enter(m->dog, L))
        vm_hook_arm(L, m, 1);
}

static void vm_check_budget(lua_State *L, vm *m)
{
    if (m->lim.instructions && m->used >= m->lim.instructions)
        vm_fail(L, SANDBOX_EINSTRUCTIONS, "instruction budget of %lld spent",
                (long long)m->lim.instructions);
    if (time_mono_ns() > m->deadline_ns)
        vm_fail(L, SANDBOX_ETIMEOUT, "deadline of %lld ms passed", (long long)m->lim.timeout_ms);
}

static void vm_hook(lua_State *L, lua_Debug *ar)
{
    vm *m = vm_of(L);

    (void)ar;
    vm_check(L);
    if (m->lim.instructions)
        m->used += lua_gethookcount(L);
    vm_check_budget(L, m);
    vm_hook_arm(L, m, lua_pushthread(L) ? SANDBOX_STEP : SANDBOX_CO_STEP);
    lua_pop(L, 1);
}

void vm_charge(lua_State *L, int64_t units)
{
    vm *m = vm_of(L);

    vm_check(L);
    if (units > 0) {
        if (m->lim.instructions)
            m->used = units > INT64_MAX - m->used ? INT64_MAX : m->used + units;
        vm_check_budget(L, m);
    }
}

/* ---- the run ----------------------------------------------------------------------------- */

/* The message handler: keep a bounded traceback and the line where the error
** arose in this chunk; the error value itself goes on unchanged. */
static int vm_traceback(lua_State *L)
{
    vm *m = vm_of(L);
    lua_Debug ar;
    const char *tb;

    for (int level = 0; !m->line && lua_getstack(L, level, &ar); level++)
        if (lua_getinfo(L, "Sl", &ar) && ar.currentline > 0 && ar.source[0] == '=' &&
            strcmp(ar.source + 1, m->job->name ? m->job->name : "script") == 0)
            m->line = ar.currentline;
    luaL_traceback(L, L, NULL, 1);
    tb = lua_tostring(L, -1);
    snprintf(m->traceback, sizeof m->traceback, "%s", tb ? tb : "");
    lua_pop(L, 1);
    return 1;
}

/* The error value as a message, read without running any metamethod. */
static void vm_error_message(lua_State *L, int idx, buf *out)
{
    size_t len;
    const char *s;

    switch (lua_type(L, idx)) {
    case LUA_TSTRING:
        s = lua_tolstring(L, idx, &len);
        buf_add(out, s, len < SANDBOX_MSG_MAX ? len : SANDBOX_MSG_MAX);
        break;
    case LUA_TNUMBER:
        lua_pushvalue(L, idx);
        buf_puts(out, lua_tostring(L, -1));
        lua_pop(L, 1);
        break;
    default:
        buf_printf(out, "(error object is a %s value)", luaL_typename(L, idx));
    }
}

/* "name:12: message" → line 12 and "message", when name is this chunk's. */
static void vm_split_position(const char *chunk, buf *msg, int *line)
{
    size_t n = strlen(chunk);
    const char *s = buf_str(msg), *p;
    char *end;
    long l;

    if (strncmp(s, chunk, n) != 0 || s[n] != ':')
        return;
    p = s + n + 1;
    l = strtol(p, &end, 10);
    if (end == p || *end != ':' || l <= 0)
        return;
    *line = (int)l;
    end += end[1] == ' ' ? 2 : 1;
    memmove(msg->data, end, strlen(end) + 1);
    msg->len = strlen(msg->data);
}

typedef struct vm_outcome {
    sandbox_kind   kind;
    buf            message;
    sandbox_value *value;
    int            lossy;
} vm_outcome;

static void vm_record_error(lua_State *L, vm *m, vm_outcome *o, sandbox_kind kind)
{
    buf_clear(&o->message);
    if (m->fatal) {
        o->kind = m->fatal;
        buf_puts(&o->message, m->fatal_msg);
        return;
    }
    vm_error_message(L, -1, &o->message);
    o->kind = kind;
    if (kind == SANDBOX_ERUNTIME && m->denied && strcmp(m->denied, buf_str(&o->message)) == 0)
        o->kind = SANDBOX_EDENIED;
}

/* Results from base to the top, as one value, an array of several, or none. */
static void vm_collect(lua_State *L, vm *m, vm_outcome *o, int base)
{
    int n = lua_gettop(L) - base;
    sandbox_value *v = NULL;
    convert c;

    convert_init(&c, m->lim.memory_bytes, m->deadline_ns);
    if (n == 1) {
        v = convert_from_lua(L, base + 1, &c);
    } else if (n > 1 && (v = sandbox_value_new(SANDBOX_ARRAY))) {
        for (int i = base + 1; i <= lua_gettop(L) && v; i++)
            if (sandbox_value_push(v, NULL, 0, convert_from_lua(L, i, &c)) != AUGUR_OK) {
                sandbox_value_free(v);
                v = NULL;
            }
    }
    if (n > 0 && !v) {
        o->kind = c.kind ? c.kind : SANDBOX_EMEMORY;
        buf_printf(&o->message, "result: %s", c.why[0] ? c.why : "out of memory");
        return;
    }
    o->value = v;
    o->lossy = c.lossy;
}

static int vm_main(lua_State *L)
{
    vm *m = lua_touserdata(L, 1);
    vm_outcome *o = lua_touserdata(L, 2);
    const sandbox_job *job = m->job;
    char chunk[256];
    int base, status;

    lua_settop(L, 0);
    env_open(L, m);
    snprintf(chunk, sizeof chunk, "=%s", job->name ? job->name : "script");
    lua_pushcfunction(L, vm_traceback);
    status = luaL_loadbufferx(L, job->source, job->len, chunk, "t");
    if (status != LUA_OK) {
        /* The parser's nesting limit raises a plain error; it is still the source's fault. */
        vm_record_error(L, m, o, SANDBOX_ESYNTAX);
        return 0;
    }
    base = lua_gettop(L) - 1;
    if (job->entry) {
        status = lua_pcall(L, 0, 0, 1);
        if (status == LUA_OK) {
            lua_pushglobaltable(L);
            lua_pushstring(L, job->entry);
            if (lua_rawget(L, -2) != LUA_TFUNCTION) {
                buf_printf(&o->message, "entry '%s' is not a function (a %s value)", job->entry,
                           luaL_typename(L, -1));
                o->kind = SANDBOX_ERUNTIME;
                return 0;
            }
            lua_remove(L, -2);
        }
    }
    if (status == LUA_OK) {
        size_t nargs = job->args && job->args->type == SANDBOX_ARRAY ? job->args->n : 0;
        luaL_checkstack(L, (int)nargs + LUA_MINSTACK, "too many arguments");
        for (size_t i = 0; i < nargs; i++)
            convert_push(L, job->args->items[i]);
        status = lua_pcall(L, (int)nargs, LUA_MULTRET, 1);
    }
    if (status != LUA_OK) {
        vm_record_error(L, m, o, SANDBOX_ERUNTIME);
        return 0;
    }
    vm_collect(L, m, o, base);
    return 0;
}

static char *vm_strdup(const char *s)
{
    return s && *s ? strdup(s) : NULL;
}

int vm_run(const sandbox_job *job, const sandbox_limits *lim, uint64_t start_ns,
           const sandbox_cap *caps, size_t ncaps, watchdog *dog, sandbox_result *res)
{
    vm m = { 0 };
    vm_outcome o = { SANDBOX_NONE, BUF_INIT, NULL, 0 };
    int status = LUA_ERRMEM, rc = AUGUR_OK;

    memset(res, 0, sizeof *res);
    m.job = job;
    m.lim = *lim;
    m.caps = caps;
    m.ncaps = ncaps;
    m.cap_bytes = lim->memory_bytes;
    m.start_ns = start_ns ? start_ns : time_mono_ns();
    m.deadline_ns = m.start_ns + (uint64_t)lim->timeout_ms * 1000000u;
    m.L = lua_newstate(vm_alloc, &m);
    if (m.L) {
        /* As the lua interpreter does: most of what scripts allocate dies young. */
        lua_gc(m.L, LUA_GCGEN, 0, 0);
        if (lim->instructions)
            vm_hook_arm(m.L, &m, SANDBOX_STEP);
        else if ((m.dog = dog))
            watchdog_arm(dog, m.L, vm_hook, m.deadline_ns);
        lua_pushcfunction(m.L, vm_main);
        lua_pushlightuserdata(m.L, &m);
        lua_pushlightuserdata(m.L, &o);
        status = lua_pcall(m.L, 2, 0, 0);
        if (m.dog)
            watchdog_disarm(dog);
    }
    if (status != LUA_OK && !o.kind) {
        o.kind = m.fatal ? m.fatal : SANDBOX_EMEMORY;
        buf_clear(&o.message);
        buf_puts(&o.message, m.fatal ? m.fatal_msg : "memory limit reached while starting the run");
    }
    if (m.fatal && o.kind != m.fatal) {
        o.kind = m.fatal;
        buf_clear(&o.message);
        buf_puts(&o.message, m.fatal_msg);
    }
    for (int i = 0; i < 2; i++)
        sandbox_value_free(m.pending[i]);
    if (m.L)
        lua_close(m.L);
    res->stats.instructions = m.used;
    res->stats.peak_bytes = m.peak;
    res->stats.wall_ms = (double)(time_mono_ns() - m.start_ns) / 1e6;
    res->stats.lossy = o.lossy || !sandbox_utf8_valid(m.output.data, m.output.len);
    res->output_len = m.output.len;
    res->output = m.output.len ? buf_take(&m.output) : strdup("");
    res->ok = o.kind == SANDBOX_NONE;
    res->kind = o.kind;
    if (!res->ok) {
        vm_split_position(job->name ? job->name : "script", &o.message, &m.line);
        res->message = strdup(buf_str(&o.message));
        res->line = m.line;
        res->traceback = vm_strdup(m.traceback);
        sandbox_value_free(o.value);
        o.value = NULL;
    }
    res->value = o.value;
    if (!res->output || (!res->ok && !res->message) || o.message.oom)
        rc = AUGUR_ENOMEM;
    buf_free(&o.message);
    buf_free(&m.output);
    free(m.denied);
    return rc;
}
