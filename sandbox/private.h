/*
** private.h — what the sandbox's own files share; nothing outside sandbox/
** includes it.
*/
#ifndef AUGUR_SANDBOX_PRIVATE_H
#define AUGUR_SANDBOX_PRIVATE_H

#include "sandbox/sandbox.h"

#include <lua.h>

enum {
    SANDBOX_MAX_DEPTH  = 64,            /* nesting of values crossing the boundary */
    SANDBOX_MAX_NODES  = 1 << 18,       /* values in one crossing */
    SANDBOX_STEP       = 1000,          /* instructions between two looks at the clock */
    SANDBOX_CO_STEP    = 100,           /* the same in a coroutine, and what a resume costs */
    SANDBOX_TRACE_MAX  = 4096,          /* bytes of a traceback */
    SANDBOX_MSG_MAX    = 4096,          /* bytes of an error message */
    SANDBOX_HEADROOM   = 256 * 1024     /* bytes allowed past the cap to report a memory error */
};

/* A capability as the sandbox holds it. */
typedef struct sandbox_cap {
    char       *name;
    sandbox_fn *fns;                    /* names copied; ended by { NULL, NULL } */
    void       *ud;
    void      (*ud_free)(void *);
} sandbox_cap;

typedef struct sandbox_pool sandbox_pool;

/* ---- the deadline of runs without a budget (watchdog.c) ------------------------------ */

/* A thread that arms the count hook of a run once its deadline has passed. */
typedef struct watchdog watchdog;

int  watchdog_new(watchdog **out);
void watchdog_free(watchdog *w);

/* Watch a run executing L until disarmed; past deadline_ns, set hook on the Lua
** thread the run executes then, to fire at its next instruction. */
void watchdog_arm(watchdog *w, lua_State *L, lua_Hook hook, uint64_t deadline_ns);
void watchdog_disarm(watchdog *w);

/* The run executes L from now on; whether the hook was armed already (for the
** thread that ran before, so that L needs it too). */
int  watchdog_enter(watchdog *w, lua_State *L);
int  watchdog_fired(watchdog *w);

struct sandbox {
    sandbox_config cfg;
    sandbox_cap   *caps;
    size_t         ncaps;
    sandbox_pool  *pool;                /* process mode, started on first use */
    watchdog      *dog;                 /* inproc runs without a budget, started on first use */
};

/* ---- one run in this process (vm.c) ----------------------------------------------- */

/* A run's state, reached from Lua through the allocator's user data. */
typedef struct vm {
    lua_State            *L;
    const sandbox_job    *job;
    sandbox_limits        lim;
    const sandbox_cap    *caps;
    size_t                ncaps;
    int64_t               bytes, peak, cap_bytes;
    int64_t               used;         /* instructions counted and charged */
    uint64_t              start_ns, deadline_ns;
    watchdog             *dog;          /* keeps the deadline when there is no budget */
    const void           *refused;      /* the allocation refused last, to spot the retry */
    size_t                refused_size;
    sandbox_kind          fatal;        /* once set, every further step raises */
    char                  fatal_msg[200];
    buf                   output;
    char                 *denied;       /* the last refusal raised, to tell its kind */
    char                  traceback[SANDBOX_TRACE_MAX];
    int                   line;
    sandbox_value        *pending[2];   /* host values to free if a call unwinds */
} vm;

/* Run job in a fresh Lua state of this process; fills res (never fails but for
** memory for the result itself). Capabilities named in job->allow are exposed.
** A run with a budget counts instructions with the count hook, which also reads the
** clock; one without installs no hook, and its deadline is kept by dog, or, when dog
** is NULL, by another process (a worker's host, which kills it). The deadline counts
** from start_ns (0: now), so that a worker keeps its host's. */
int  vm_run(const sandbox_job *job, const sandbox_limits *lim, uint64_t start_ns,
            const sandbox_cap *caps, size_t ncaps, watchdog *dog, sandbox_result *res);

vm  *vm_of(lua_State *L);

/* Make the run fail with kind (first failure wins) and raise. */
int  vm_fail(lua_State *L, sandbox_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Raise the run's failure again when it has one; for wrappers that caught an error. */
void vm_check(lua_State *L);

/* Count units of C library work against the instruction budget (and the clock). */
void vm_charge(lua_State *L, int64_t units);

/* Arm a thread's count hook: every step, or every instruction once failed or past
** the deadline; without a budget, only then. */
void vm_hook_arm(lua_State *L, vm *m, int step);

/* The run executes thread L from now on (a coroutine resumed, or its resumer again). */
void vm_enter(lua_State *L);

/* ---- the environment (env.c) and patterns (pattern.c) ---------------------------------- */

/* Open the restricted libraries and globals; called in protected mode. */
void env_open(lua_State *L, vm *m);

/* Push an iterator over the table at t in a fixed order (see env.c). */
void env_pairs_push(lua_State *L, int t);

/* tostring without addresses: tables and functions are numbered in order of
** first sight, so output does not depend on where the heap lies. */
const char *env_tostring(lua_State *L, int idx, size_t *len);

/* Worst-case steps to match pattern p against s from init (0-based) on, or -1
** with a message in why when the pattern is malformed. */
double pattern_cost(const char *s, size_t n, const char *p, size_t plen, int anchorable,
                    char *why, size_t whylen);

/* ---- crossing the boundary (convert.c) ----------------------------------------------- */

/* Read the Lua value at idx with raw accessors only. On failure returns NULL, with
** c->why saying why and c->kind whether the value was too big (SANDBOX_EOUTPUT) or
** could not be converted (SANDBOX_ERUNTIME). */
typedef struct convert {
    int64_t      nodes, bytes, max_bytes;
    uint64_t     deadline_ns;           /* 0: none */
    int          lossy;
    sandbox_kind kind;
    char         why[256];
    const void  *seen[SANDBOX_MAX_DEPTH + 1];
} convert;

void           convert_init(convert *c, int64_t max_bytes, uint64_t deadline_ns);
sandbox_value *convert_from_lua(lua_State *L, int idx, convert *c);

/* Push v (NULL: nil); raises on memory errors, so only in protected mode. */
void convert_push(lua_State *L, const sandbox_value *v);

/* ---- values on the wire (value.c) --------------------------------------------------------- */

typedef struct sandbox_wire {
    const char *data;
    size_t      len, pos;
    int         bad;                    /* read past the end, or a malformed value */
} sandbox_wire;

int            sandbox_utf8_valid(const char *s, size_t n);
int            sandbox_json_string(buf *out, const char *s, size_t n, int *lossy);
int            sandbox_value_encode(buf *out, const sandbox_value *v);
sandbox_value *sandbox_value_decode(sandbox_wire *w);
void           sandbox_wire_bytes(buf *out, const char *s, size_t n);
void           sandbox_wire_int(buf *out, int64_t i);
int            sandbox_wire_take(sandbox_wire *w, void *dst, size_t n);
int64_t        sandbox_wire_get_int(sandbox_wire *w);
const char    *sandbox_wire_get_bytes(sandbox_wire *w, size_t *n);

/* ---- process isolation (pool.c, worker.c) ------------------------------------------------ */

int  sandbox_pool_run(sandbox *sb, const sandbox_job *job, const sandbox_limits *lim,
                      sandbox_result *res);
void sandbox_pool_free(sandbox_pool *pool);

/* Fill res as a failure of kind with a message; AUGUR_ENOMEM when even that fails. */
int  sandbox_result_fail(sandbox_result *res, sandbox_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The capability named name in caps, or NULL; whether job allows it. */
const sandbox_cap *sandbox_cap_find(const sandbox_cap *caps, size_t n, const char *name,
                                    size_t len);
int sandbox_job_allows(const sandbox_job *job, const char *cap);

#endif
