/*
** sandbox.h — run untrusted Lua with hard limits and explicit capabilities.
**
** A sandbox is made once from a configuration (limits, isolation, worker pool)
** and runs many scripts, each in a fresh Lua state that sees no other run:
**
**     sandbox *sb;
**     if (sandbox_new(&sb, &cfg, &err) != AUGUR_OK) ... err.msg ...
**     sandbox_job job = { .source = src, .len = n, .entry = "main", .args = args };
**     sandbox_result res;
**     sandbox_run(sb, &job, &res, &err);
**     if (res.ok) use(res.value); else report(sandbox_kind_name(res.kind), res.message);
**     sandbox_result_free(&res);
**     sandbox_free(sb);
**
** Values cross the boundary as JSON-like trees (sandbox_value), read from Lua with
** raw accessors only, so no metamethod of the script ever runs in the host. Other
** layers expose host functions to scripts under the `host` table with
** sandbox_capability_add; a run sees only the capabilities its job allows. In
** process isolation those functions still run in the host, on the worker's behalf.
**
** A sandbox is used from one thread at a time; many may live in one process. It
** installs no signal handler and changes no process-wide state. Its first inproc
** run without an instruction budget starts one thread of its own, which sleeps
** but for that run's deadline; sandbox_free joins it.
*/
#ifndef AUGUR_SANDBOX_H
#define AUGUR_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/err.h"

/* ---- values ------------------------------------------------------------------ */

typedef enum sandbox_type {
    SANDBOX_NIL, SANDBOX_BOOL, SANDBOX_INT, SANDBOX_FLOAT, SANDBOX_STRING,
    SANDBOX_ARRAY, SANDBOX_OBJECT
} sandbox_type;

/* A JSON-like value. Strings are byte strings (NUL-terminated besides, and
** possibly holding NULs); an object's members are its items, each with a key. */
typedef struct sandbox_value sandbox_value;
struct sandbox_value {
    sandbox_type    type;
    int             boolean;
    int64_t         integer;
    double          number;
    char           *str;      /* SANDBOX_STRING */
    size_t          len;
    char           *key;      /* set on an object's members */
    size_t          keylen;
    sandbox_value **items;    /* SANDBOX_ARRAY, SANDBOX_OBJECT */
    size_t          n, cap;
};

/* Constructors return NULL when out of memory. */
sandbox_value *sandbox_value_new(sandbox_type type);
sandbox_value *sandbox_value_bool(int b);
sandbox_value *sandbox_value_int(int64_t i);
sandbox_value *sandbox_value_float(double d);
sandbox_value *sandbox_value_string(const char *s, size_t len);
void           sandbox_value_free(sandbox_value *v);

/* Append item to an array, or to an object under key[keylen] (key NULL for an
** array). On success item belongs to the container; on failure (AUGUR_ENOMEM)
** it is freed. */
int sandbox_value_push(sandbox_value *container, const char *key, size_t keylen,
                       sandbox_value *item);

/* An object member by key, or NULL. */
const sandbox_value *sandbox_value_get(const sandbox_value *obj, const char *key);

/* Parse one JSON document. Integral numbers within ±2^53 are integers, all
** others floats (cJSON keeps no other trace of how a number was written). */
int sandbox_value_parse(const char *text, size_t len, const char *name, sandbox_value **out,
                        augur_err *err);

/* Append v as JSON. Integers beyond ±2^53 become floats; NaN and infinities
** become null, and invalid UTF-8 bytes U+FFFD, each setting *lossy (may be NULL). */
int sandbox_value_write(buf *out, const sandbox_value *v, int *lossy);

/* ---- limits and configuration ---------------------------------------------------- */

/* What one run may use. Every field must be positive, memory at least 64 KiB, but
** instructions, which may be 0 for no budget.
**
** With a budget the run is deterministic: a script that runs away fails at the same
** instruction on every machine. Counting costs time, though (any count hook makes
** Lua trace every instruction, whatever the count), so a run without one installs
** no hook while it is within its deadline: inproc, a watchdog thread of the
** sandbox arms the hook when the deadline passes; in a worker process, the
** host kills the worker (the run fails with kind timeout either way, but a killed
** worker's output is lost). C library work is capped per call in both cases. */
typedef struct sandbox_limits {
    int64_t instructions;   /* Lua VM instructions (C library work is charged too); 0: none */
    int64_t memory_bytes;   /* bytes the run's Lua state may hold at once */
    int64_t timeout_ms;     /* wall-clock deadline, host calls included */
    int64_t max_output;     /* bytes print may write */
    int64_t max_string;     /* largest string the run may build */
} sandbox_limits;

typedef enum sandbox_isolation {
    SANDBOX_DEFAULT,        /* in a job: the sandbox's own */
    SANDBOX_INPROC,         /* in this process: fast, for trusted or short code */
    SANDBOX_PROCESS         /* in a pre-forked, seccomp-filtered worker process */
} sandbox_isolation;

typedef struct sandbox_config {
    sandbox_limits    limits;           /* each run's, unless its job names others */
    sandbox_isolation isolation;        /* SANDBOX_INPROC or SANDBOX_PROCESS */
    int               workers;          /* worker processes kept ready */
    int               worker_runs;      /* runs a worker serves before it is replaced */
    int               worker_cpu_s;     /* CPU seconds of a worker's whole life (RLIMIT_CPU) */
    int64_t           worker_mem_bytes; /* address space of a worker beyond memory_bytes */
} sandbox_config;

/* The name of an isolation mode ("inproc"), and the mode a name gives (-1: none). */
const char *sandbox_isolation_name(sandbox_isolation iso);
int         sandbox_isolation_parse(const char *name);

/* AUGUR_EINVAL, naming the field, when a limit is not positive. */
int sandbox_limits_check(const sandbox_limits *lim, augur_err *err);

/* ---- the sandbox -------------------------------------------------------------------- */

typedef struct sandbox sandbox;

/* Process-wide set-up for the libraries the capabilities use (libcurl); called
** once by augur_global_init, before any thread starts. */
int  sandbox_global_init(void);

int  sandbox_new(sandbox **out, const sandbox_config *cfg, augur_err *err);
void sandbox_free(sandbox *sb);

/* ---- capabilities ------------------------------------------------------------------ */

/* One call from a script: its arguments (an array) and when it must be over. */
typedef struct sandbox_call {
    const char          *cap;           /* "fs" */
    const char          *name;          /* "read" */
    const sandbox_value *args;
    uint64_t             deadline_ns;   /* on time_mono_ns()'s clock */
    void                *ud;            /* what the capability was added with */
} sandbox_call;

/* A host function. Returns AUGUR_OK and sets *ret (NULL for nil); or fails:
** AUGUR_EDENIED when policy refuses, any other code for a plain error, with a
** message in err. Either failure is raised in the script as an error it may
** catch; an uncaught refusal ends the run with kind "denied". */
typedef int (*sandbox_host_fn)(const sandbox_call *call, sandbox_value **ret, augur_err *err);

typedef struct sandbox_fn {
    const char     *name;
    sandbox_host_fn fn;
} sandbox_fn;

/* Expose fns (ended by { NULL, NULL }) as host.CAP.NAME to the runs that allow cap.
** ud is passed to every call and released with ud_free (may be NULL) when the
** sandbox is freed, or at once when adding fails. */
int sandbox_capability_add(sandbox *sb, const char *cap, const sandbox_fn *fns, void *ud,
                           void (*ud_free)(void *), augur_err *err);

/* ---- runs ------------------------------------------------------------------------------ */

typedef struct sandbox_job {
    const char          *source;     /* Lua source text; bytecode is refused */
    size_t               len;
    const char          *name;       /* chunk name in messages; NULL: "script" */
    const char          *entry;      /* global function to call after the chunk; NULL:
                                        the chunk itself is called with args */
    const sandbox_value *args;       /* an array of arguments, or NULL */
    uint64_t             seed;       /* math.random's seed */
    const sandbox_limits *limits;    /* NULL: the sandbox's */
    sandbox_isolation    isolation;  /* SANDBOX_DEFAULT: the sandbox's */
    const char *const   *allow;      /* capabilities exposed under host */
    size_t               nallow;
} sandbox_job;

typedef enum sandbox_kind {
    SANDBOX_NONE, SANDBOX_ESYNTAX, SANDBOX_ERUNTIME, SANDBOX_EINSTRUCTIONS, SANDBOX_EMEMORY,
    SANDBOX_ETIMEOUT, SANDBOX_EOUTPUT, SANDBOX_EDENIED, SANDBOX_ECRASHED, SANDBOX_EINTERNAL
} sandbox_kind;

/* "syntax", "runtime", "instructions", ...; "none" for SANDBOX_NONE. */
const char *sandbox_kind_name(sandbox_kind kind);

typedef struct sandbox_stats {
    int64_t instructions;   /* counted in steps of up to 1000, plus C work charged;
                               0 when the run had no budget */
    int64_t peak_bytes;     /* most bytes the Lua state held */
    double  wall_ms;
    int     lossy;          /* the JSON form lost something (NaN, invalid UTF-8) */
} sandbox_stats;

typedef struct sandbox_result {
    int            ok;
    sandbox_value *value;       /* one result, an array of several, NULL for none */
    char          *output;      /* what print wrote (at most max_output bytes) */
    size_t         output_len;
    sandbox_kind   kind;        /* SANDBOX_NONE when ok */
    char          *message;     /* NULL when ok */
    int            line;        /* of the script, 0 when unknown */
    char          *traceback;   /* bounded; NULL when none */
    sandbox_stats  stats;
} sandbox_result;

/* Run a job. Returns AUGUR_OK when res was filled in, whether the script
** succeeded (res->ok) or not (res->kind, message, line, traceback); a negative
** code, with res empty, only for an invalid job or when the host ran out of memory. */
int  sandbox_run(sandbox *sb, const sandbox_job *job, sandbox_result *res, augur_err *err);
void sandbox_result_free(sandbox_result *res);

/* The result as one JSON object: {"ok", "result", "output", "error", "stats"}. */
int  sandbox_result_write(buf *out, const sandbox_result *res);

#endif
