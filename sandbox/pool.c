/*
** pool.c — process isolation, host side: a pool of pre-forked workers.
**
** A run takes a ready worker (forking one when none is), sends it the job, and
** serves its capability calls until it answers, all against the run's deadline
** plus a grace for the worker to report its own timeout. A worker that overruns,
** dies, or says anything malformed is killed and reaped by its pid, and the run
** fails with kind timeout or crashed. A worker is replaced after worker_runs runs.
** Nothing here installs a signal handler: sends use MSG_NOSIGNAL, and children
** are waited for by pid only, so the host's own children are never reaped here.
*/
#include "sandbox/wire.h"
#include "base/log.h"
#include "base/time.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* What a worker may take beyond the run's deadline to report on its own. */
enum { POOL_GRACE_MS = 250 };

typedef struct pool_worker {
    pid_t   pid;
    int     fd;
    int     runs;
    int64_t memory_bytes;   /* the run memory its RLIMIT_AS was sized for */
} pool_worker;

struct sandbox_pool {
    pool_worker *ready;
    size_t       nready;
    int          warned;
};

void worker_main(int fd, pid_t host, const sandbox_config *cfg, int64_t memory_bytes)
    __attribute__((noreturn));
int  worker_sanitized(void);

static int pool_spawn(const sandbox_config *cfg, int64_t memory_bytes, pool_worker *w)
{
    int sv[2];
    pid_t host = getpid(), pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return -1;
    pid = fork();
    if (pid < 0) {
        close(sv[0]);
        close(sv[1]);
        return -1;
    }
    if (pid == 0) {
        close(sv[0]);
        worker_main(sv[1], host, cfg, memory_bytes);
    }
    close(sv[1]);
    *w = (pool_worker){ pid, sv[0], 0, memory_bytes };
    return 0;
}

/* Kill and reap; returns the wait status. */
static int pool_retire(pool_worker *w)
{
    int status = 0;

    kill(w->pid, SIGKILL);
    close(w->fd);
    while (waitpid(w->pid, &status, 0) < 0 && errno == EINTR)
        ;
    return status;
}

/* How the worker ended, for the message of a crashed run. */
static void pool_describe(int status, char *out, size_t size)
{
    if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        snprintf(out, size, "the worker process died of signal %d (%s)%s", sig, strsignal(sig),
                 sig == SIGXCPU ? ": its CPU time (RLIMIT_CPU) ran out"
                 : sig == SIGSYS ? ": a system call the filter forbids" : "");
    } else {
        snprintf(out, size, "the worker process exited with status %d", WEXITSTATUS(status));
    }
}

static int pool_take(sandbox *sb, int64_t memory_bytes, pool_worker *w)
{
    int64_t sized = memory_bytes > sb->cfg.limits.memory_bytes ? memory_bytes
                                                               : sb->cfg.limits.memory_bytes;
    sandbox_pool *p = sb->pool;

    if (!p) {
        if (!(p = calloc(1, sizeof *p)) ||
            !(p->ready = calloc((size_t)sb->cfg.workers, sizeof *p->ready))) {
            free(p);
            return -1;
        }
        sb->pool = p;
        if (worker_sanitized())
            log_info("sandbox: sanitizer build: worker processes run without seccomp and RLIMIT_AS");
        /* Warm the pool: the first run pays for every worker's fork. */
        while (p->nready + 1 < (size_t)sb->cfg.workers &&
               pool_spawn(&sb->cfg, sb->cfg.limits.memory_bytes, &p->ready[p->nready]) == 0)
            p->nready++;
    }
    /* A ready worker that died meanwhile (killed from outside) is reaped, not used:
    ** an idle worker never writes, so anything to read on its socket is its end. One
    ** whose address space is too small for this run's memory is replaced. */
    while (p->nready > 0) {
        struct pollfd hup;
        int status;
        *w = p->ready[--p->nready];
        hup = (struct pollfd){ w->fd, POLLIN, 0 };
        if (poll(&hup, 1, 0) == 0 && waitpid(w->pid, &status, WNOHANG) == 0 &&
            w->memory_bytes >= memory_bytes)
            return 0;
        pool_retire(w);
    }
    return pool_spawn(&sb->cfg, sized, w);
}

static void pool_give_back(sandbox *sb, pool_worker *w)
{
    sandbox_pool *p = sb->pool;

    if (++w->runs >= sb->cfg.worker_runs || p->nready >= (size_t)sb->cfg.workers) {
        pool_retire(w);
        return;
    }
    p->ready[p->nready++] = *w;
}

void sandbox_pool_free(sandbox_pool *p)
{
    if (!p)
        return;
    while (p->nready > 0)
        pool_retire(&p->ready[--p->nready]);
    free(p->ready);
    free(p);
}

/* Carry out one capability call for the worker; the reply goes back on msg. */
static void pool_call(sandbox *sb, const sandbox_job *job, uint64_t deadline_ns, buf *msg)
{
    sandbox_wire w = { msg->data, msg->len, 0, 0 };
    size_t clen, nlen;
    const char *cname = sandbox_wire_get_bytes(&w, &clen);
    const char *fname = sandbox_wire_get_bytes(&w, &nlen);
    sandbox_value *args = sandbox_value_decode(&w), *ret = NULL;
    const sandbox_cap *cap = cname ? sandbox_cap_find(sb->caps, sb->ncaps, cname, clen) : NULL;
    const sandbox_fn *fn = NULL;
    augur_err err = { 0 };
    int rc;

    for (const sandbox_fn *f = cap ? cap->fns : NULL; f && f->name; f++)
        if (fname && strlen(f->name) == nlen && memcmp(f->name, fname, nlen) == 0)
            fn = f;
    if (w.bad || w.pos != w.len || !args || args->type != SANDBOX_ARRAY) {
        rc = augur_err_set(&err, AUGUR_EINVAL, "malformed call");
    } else if (!fn || !sandbox_job_allows(job, cap->name)) {
        rc = augur_err_set(&err, AUGUR_EDENIED, "denied: no such capability for this run");
    } else {
        sandbox_call call = { cap->name, fn->name, args, deadline_ns, cap->ud };
        rc = fn->fn(&call, &ret, &err);
    }
    sandbox_value_free(args);
    buf_clear(msg);
    sandbox_wire_int(msg, rc);
    sandbox_wire_bytes(msg, rc != AUGUR_OK ? err.msg : "", rc != AUGUR_OK ? strlen(err.msg) : 0);
    sandbox_value_encode(msg, rc == AUGUR_OK ? ret : NULL);
    sandbox_value_free(ret);
}

/* Talk to the worker until it answers; WIRE_OK with res filled, or why not. */
static int pool_converse(sandbox *sb, pool_worker *w, const sandbox_job *job,
                         const sandbox_limits *lim, uint64_t start_ns, sandbox_result *res)
{
    uint64_t deadline = start_ns + (uint64_t)lim->timeout_ms * 1000000u;
    uint64_t hard = deadline + POOL_GRACE_MS * 1000000ull;
    size_t max = (size_t)(2 * lim->memory_bytes + lim->max_output) + (16u << 20);
    buf msg = BUF_INIT;
    int rc, type;

    rc = wire_job_encode(&msg, job, lim, start_ns, sb->caps, sb->ncaps) == AUGUR_OK
             ? wire_send(w->fd, WIRE_RUN, &msg, hard) : WIRE_BAD;
    while (rc == WIRE_OK) {
        rc = wire_recv(w->fd, &type, &msg, max, hard);
        if (rc != WIRE_OK)
            break;
        if (type == WIRE_DONE) {
            rc = wire_result_decode(msg.data, msg.len, res) == AUGUR_OK ? WIRE_OK : WIRE_BAD;
            break;
        }
        if (type != WIRE_CALL) {
            rc = WIRE_BAD;
            break;
        }
        pool_call(sb, job, deadline, &msg);
        rc = wire_send(w->fd, WIRE_REPLY, &msg, hard);
    }
    buf_free(&msg);
    return rc;
}

int sandbox_pool_run(sandbox *sb, const sandbox_job *job, const sandbox_limits *lim,
                     sandbox_result *res)
{
    uint64_t start = time_mono_ns();
    pool_worker w;
    char why[160];
    int rc;

    memset(res, 0, sizeof *res);
    if (pool_take(sb, lim->memory_bytes, &w) != 0)
        return sandbox_result_fail(res, SANDBOX_EINTERNAL, "cannot start a worker process: %s",
                                   strerror(errno));
    rc = pool_converse(sb, &w, job, lim, start, res);
    if (rc == WIRE_OK) {
        pool_give_back(sb, &w);
        return res->output ? AUGUR_OK : AUGUR_ENOMEM;
    }
    pool_describe(pool_retire(&w), why, sizeof why);
    if (rc == WIRE_TIMEOUT)
        rc = sandbox_result_fail(res, SANDBOX_ETIMEOUT, "deadline of %lld ms passed; the worker "
                                 "was killed", (long long)lim->timeout_ms);
    else if (rc == WIRE_BAD)
        rc = sandbox_result_fail(res, SANDBOX_ECRASHED, "the worker sent a malformed message");
    else
        rc = sandbox_result_fail(res, SANDBOX_ECRASHED, "%s", why);
    res->stats.wall_ms = (double)(time_mono_ns() - start) / 1e6;
    return rc;
}
