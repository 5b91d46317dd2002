/* tpool.c — the engine's thread pool: chunks handed out by an atomic counter. */
#include "model/tpool.h"
#include "base/time.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

/* How long an idle worker spins before it sleeps: a token's loops follow each
** other within microseconds, and waking a sleeping thread costs about as much.
** The caller, once its own chunks are done, spins a shorter while for the last
** workers and then sleeps too: on a machine shared with other programs a worker
** may have lost its core, and a caller that sleeps frees a core for it. */
enum { POOL_SPIN_NS = 200000, POOL_JOIN_SPIN_NS = 20000 };

struct tpool {
    int              n;          /* threads, the caller included */
    pthread_t       *workers;
    pthread_mutex_t  mu;
    pthread_cond_t   cv;
    atomic_uint      gen;        /* bumped for each loop */
    atomic_int       next;       /* the next index to hand out */
    atomic_int       busy;       /* workers not yet done with this loop */
    atomic_int       joining;    /* the caller sleeps until busy is 0 */
    atomic_int       stop;
    tpool_fn         *fn;
    void            *ctx;
    int              items, chunk;
};

typedef struct tpool_worker {
    tpool *p;
    int   id;
} tpool_worker;

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static void run_chunks(tpool *p, int thread)
{
    for (;;) {
        int lo = atomic_fetch_add(&p->next, p->chunk);
        if (lo >= p->items)
            return;
        p->fn(p->ctx, lo, lo + p->chunk < p->items ? lo + p->chunk : p->items, thread);
    }
}

/* Wait until the generation differs from seen (or the pool stops). */
static unsigned wait_work(tpool *p, unsigned seen)
{
    uint64_t start = time_mono_ns();
    unsigned g;

    for (int i = 0;; i++) {
        if ((g = atomic_load(&p->gen)) != seen || atomic_load(&p->stop))
            return g;
        cpu_relax();
        if ((i & 255) == 255 && time_mono_ns() - start > POOL_SPIN_NS)
            break;
    }
    pthread_mutex_lock(&p->mu);
    while ((g = atomic_load(&p->gen)) == seen && !atomic_load(&p->stop))
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    return g;
}

static void *worker_main(void *arg)
{
    tpool_worker *w = arg;
    tpool *p = w->p;
    unsigned seen = 0;

    for (;;) {
        seen = wait_work(p, seen);
        if (atomic_load(&p->stop))
            break;
        run_chunks(p, w->id);
        if (atomic_fetch_sub(&p->busy, 1) == 1 && atomic_load(&p->joining))
            syscall(SYS_futex, &p->busy, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    free(w);
    return NULL;
}

int tpool_new(tpool **out, int threads, augur_err *err)
{
    tpool *p = calloc(1, sizeof *p);

    *out = NULL;
    if (threads < 1)
        threads = 1;
    if (!p || !(p->workers = calloc((size_t)threads, sizeof *p->workers))) {
        free(p);
        return augur_err_set(err, AUGUR_ENOMEM, "thread pool: out of memory");
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    p->n = 1;
    for (int i = 1; i < threads; i++) {
        tpool_worker *w = malloc(sizeof *w);
        if (w) {
            w->p = p;
            w->id = i;
        }
        if (!w || pthread_create(&p->workers[i], NULL, worker_main, w) != 0) {
            free(w);
            tpool_free(p);
            return augur_err_set(err, AUGUR_EIO, "thread pool: cannot start thread %d of %d",
                                 i + 1, threads);
        }
        p->n++;
    }
    *out = p;
    return AUGUR_OK;
}

void tpool_free(tpool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 1; i < p->n; i++)
        pthread_join(p->workers[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->workers);
    free(p);
}

int tpool_threads(const tpool *p)
{
    return p->n;
}

/* Wait until every worker is done with the loop: spin, then sleep on busy. */
static void pool_join(tpool *p)
{
    uint64_t start = time_mono_ns();
    int busy;

    for (int i = 0; atomic_load(&p->busy) > 0; i++) {
        cpu_relax();
        if ((i & 255) == 255 && time_mono_ns() - start > POOL_JOIN_SPIN_NS)
            break;
    }
    atomic_store(&p->joining, 1);
    while ((busy = atomic_load(&p->busy)) > 0)
        syscall(SYS_futex, &p->busy, FUTEX_WAIT_PRIVATE, busy, NULL, NULL, 0);
    atomic_store(&p->joining, 0);
}

void tpool_for(tpool *p, int n, int chunk, tpool_fn *fn, void *ctx)
{
    if (n <= 0)
        return;
    if (chunk < 1)
        chunk = 1;
    if (p->n == 1 || n <= chunk) {
        fn(ctx, 0, n, 0);
        return;
    }
    p->fn = fn;
    p->ctx = ctx;
    p->items = n;
    p->chunk = chunk;
    atomic_store(&p->next, 0);
    atomic_store(&p->busy, p->n - 1);
    pthread_mutex_lock(&p->mu);
    atomic_fetch_add(&p->gen, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    run_chunks(p, 0);
    pool_join(p);
}

/* The (package, core) pairs of the CPUs this process may use, counted once each. */
int tpool_physical_cores(void)
{
    cpu_set_t set;
    long seen[CPU_SETSIZE];
    int n = 0, cpus = 0;

    if (sched_getaffinity(0, sizeof set, &set) != 0)
        return 1;
    for (int c = 0; c < CPU_SETSIZE; c++) {
        char path[96];
        long core = -1, pkg = 0, key;
        FILE *f;
        int dup = 0;
        if (!CPU_ISSET(c, &set))
            continue;
        cpus++;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/core_id", c);
        if ((f = fopen(path, "r"))) {
            if (fscanf(f, "%ld", &core) != 1)
                core = -1;
            fclose(f);
        }
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu%d/topology/physical_package_id",
                 c);
        if ((f = fopen(path, "r"))) {
            if (fscanf(f, "%ld", &pkg) != 1)
                pkg = 0;
            fclose(f);
        }
        if (core < 0)
            return cpus > 0 ? CPU_COUNT(&set) : 1;   /* no topology: count CPUs */
        key = pkg << 20 | core;
        for (int i = 0; i < n && !dup; i++)
            dup = seen[i] == key;
        if (!dup)
            seen[n++] = key;
    }
    return n > 0 ? n : 1;
}
