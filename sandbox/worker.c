/*
** worker.c — a worker process: confine it, then serve runs until the host hangs up.
**
** Confinement, in order: die with the host (PR_SET_PDEATHSIG); no new privileges;
** limits on CPU over its whole life (RLIMIT_CPU, the backstop behind the host's
** per-run clock), address space (RLIMIT_AS), files, core dumps and processes; then
** a seccomp filter that allows what a Lua interpreter with no files needs: memory,
** the clock, and reading and writing the one socket to the host. Capability calls
** are carried out by the host, so the worker needs no file or network access.
**
** Sanitizer runtimes map shadow memory far beyond any RLIMIT_AS and call the
** system in ways no tight filter allows: in those builds both are left out, which
** the log says; everything else is the same.
*/
#include "sandbox/wire.h"
#include "base/log.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define WORKER_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define WORKER_SANITIZED 1
#endif
#endif
#ifndef WORKER_SANITIZED
#define WORKER_SANITIZED 0
#endif

/* The fd the worker talks to the host on, after set-up. */
enum { WORKER_FD = 3 };

int worker_sanitized(void)
{
    return WORKER_SANITIZED;
}

/* Bytes of address space the process has mapped now. */
static long worker_vm_bytes(void)
{
    char line[128] = "";
    long pages = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fgets(line, sizeof line, f))
            pages = strtol(line, NULL, 10);
        fclose(f);
    }
    return pages * sysconf(_SC_PAGESIZE);
}

static int worker_limit(int resource, rlim_t soft, rlim_t hard)
{
    struct rlimit r = { soft, hard };
    return setrlimit(resource, &r);
}

static int worker_filter(void)
{
    static const int allowed[] = {
        SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
        SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(exit),
        SCMP_SYS(exit_group), SCMP_SYS(rt_sigreturn), SCMP_SYS(futex), SCMP_SYS(poll),
        SCMP_SYS(ppoll), SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(rt_sigprocmask),
        SCMP_SYS(tgkill), SCMP_SYS(getrandom), SCMP_SYS(clock_getres), SCMP_SYS(close),
    };
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
    int rc = ctx ? 0 : -1;

    for (size_t i = 0; rc == 0 && i < sizeof allowed / sizeof *allowed; i++)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
    /* The socket, and stderr for the C library's last words. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(read), 1,
                              SCMP_A0(SCMP_CMP_EQ, WORKER_FD, 0));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(recvfrom), 1,
                              SCMP_A0(SCMP_CMP_EQ, WORKER_FD, 0));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendto), 1,
                              SCMP_A0(SCMP_CMP_EQ, WORKER_FD, 0));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(write), 1,
                              SCMP_A0(SCMP_CMP_LE, 2, 0));
    /* Memory, never executable. */
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    if (rc == 0)
        rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
                              SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
    if (rc == 0)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc;
}

/* Everything but the confinement that every build gets. */
static int worker_confine(pid_t host, const sandbox_config *cfg, int64_t memory_bytes)
{
    rlim_t as = (rlim_t)(worker_vm_bytes() + memory_bytes + cfg->worker_mem_bytes);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != host || null < 0)
        return -1;
    dup2(null, 0);
    dup2(null, 1);
    close_range(WORKER_FD + 1, ~0U, 0);
    tzset();
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        worker_limit(RLIMIT_CPU, (rlim_t)cfg->worker_cpu_s, (rlim_t)cfg->worker_cpu_s + 1) ||
        worker_limit(RLIMIT_FSIZE, 0, 0) || worker_limit(RLIMIT_CORE, 0, 0) ||
        worker_limit(RLIMIT_NPROC, 0, 0))
        return -1;
    if (WORKER_SANITIZED)
        return 0;
    if (worker_limit(RLIMIT_AS, as, as))
        return -1;
    return worker_filter();
}

/* A host function in the worker: ask the host to call it, and wait. */
static int worker_bridge(const sandbox_call *call, sandbox_value **ret, augur_err *err)
{
    buf msg = BUF_INIT;
    int type, rc;
    sandbox_wire w;
    size_t mlen;
    const char *m;

    sandbox_wire_bytes(&msg, call->cap, strlen(call->cap));
    sandbox_wire_bytes(&msg, call->name, strlen(call->name));
    sandbox_value_encode(&msg, call->args);
    rc = wire_send(WORKER_FD, WIRE_CALL, &msg, 0);
    if (rc == WIRE_OK)
        rc = wire_recv(WORKER_FD, &type, &msg, SIZE_MAX / 2, 0);
    if (rc != WIRE_OK || type != WIRE_REPLY) {
        buf_free(&msg);
        _exit(0);
    }
    w = (sandbox_wire){ msg.data, msg.len, 0, 0 };
    rc = (int)sandbox_wire_get_int(&w);
    m = sandbox_wire_get_bytes(&w, &mlen);
    *ret = sandbox_value_decode(&w);
    if (rc != AUGUR_OK)
        augur_err_set(err, rc, "%.*s", (int)(m ? mlen : 0), m ? m : "");
    buf_free(&msg);
    return rc;
}

static void worker_serve(void)
{
    buf msg = BUF_INIT;
    int type;

    while (wire_recv(WORKER_FD, &type, &msg, SIZE_MAX / 2, 0) == WIRE_OK && type == WIRE_RUN) {
        sandbox_result res;
        wire_job j;
        if (wire_job_decode(msg.data, msg.len, worker_bridge, NULL, &j) != AUGUR_OK)
            break;
        /* Without a budget no hook is installed here either: the host keeps the
        ** deadline, killing a worker that overruns it. */
        if (vm_run(&j.job, &j.lim, j.start_ns, j.caps, j.ncaps, NULL, &res) != AUGUR_OK)
            sandbox_result_fail(&res, SANDBOX_EINTERNAL, "the worker ran out of memory");
        wire_job_free(&j);
        buf_clear(&msg);
        wire_result_encode(&msg, &res);
        sandbox_result_free(&res);
        if (wire_send(WORKER_FD, WIRE_DONE, &msg, 0) != WIRE_OK)
            break;
    }
    buf_free(&msg);
}

__attribute__((noreturn)) void worker_main(int fd, pid_t host, const sandbox_config *cfg,
                                          int64_t memory_bytes)
{
    if (fd != WORKER_FD) {
        if (dup2(fd, WORKER_FD) < 0)
            _exit(1);
        close(fd);
    }
    if (worker_confine(host, cfg, memory_bytes) != 0)
        _exit(1);
    worker_serve();
    _exit(0);
}
