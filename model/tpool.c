/* tpool.c — the engine's thread pool: each thread its own share of a loop, then
** the others'.
**
** A loop's items are cut into one part per thread. A thread takes pieces from the
** front of its own part, so it reads memory in one run, as far ahead as its
** prefetches go (two threads reading interleaved runs of 64 matrix rows streamed a
** quarter slower than each reading its own half); then it helps with the others'
** parts, piece by piece from their fronts. Pieces halve as a part runs out, down to
** the loop's chunk, so that the threads finish together.
**
** A loop is done when its items are, not when every worker has looked at it: on a
** machine shared with other programs a worker may wake up late, or not be running,
** and the caller must not wait for one that took no piece. So each part's counter
** holds the loop's generation beside its next index, and a worker claims a piece
** only of the loop it saw start; `done` counts finished items. */
#include "model/tpool.h"
#include "base/time.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
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
    atomic_uint_fast64_t *next;  /* per part: the loop's generation << 32 | its next index */
    atomic_int       done;       /* items of this loop finished */
    atomic_int       joining;    /* the caller sleeps until done reaches items */
    atomic_int       stop;
    tpool_fn         *fn;
    void            *ctx;
    atomic_int       items, chunk;
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

/* The end of part k of a loop of items. */
static int part_end(const tpool *p, int items, int k)
{
    return (int)((int64_t)items * (k + 1) / p->n);
}

/* Pieces of part k of loop gen until none is left (or another loop has begun).
** items and chunk are read after the generation is seen: while an index of loop
** gen is left to claim they are that loop's, and once none is, the claim fails
** whatever they say. */
static void run_part(tpool *p, unsigned gen, int k, int thread)
{
    for (;;) {
        uint64_t v = atomic_load(&p->next[k]);
        int lo = (int)(uint32_t)v, items = atomic_load(&p->items), chunk = atomic_load(&p->chunk);
        int end, half, hi;
        if ((unsigned)(v >> 32) != gen || lo >= (end = part_end(p, items, k)))
            return;
        half = (end - lo) / 2;
        hi = lo + (half > chunk ? half : chunk);
        if (hi > end)
            hi = end;
        if (!atomic_compare_exchange_weak(&p->next[k], &v, (uint64_t)gen << 32 | (uint32_t)hi))
            continue;
        p->fn(p->ctx, lo, hi, thread);
        if (atomic_fetch_add(&p->done, hi - lo) + (hi - lo) == items &&
            atomic_load(&p->joining))
            syscall(SYS_futex, &p->done, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
}

/* A thread's own part, then the others'. */
static void run_parts(tpool *p, unsigned gen, int thread)
{
    for (int k = 0; k < p->n; k++)
        run_part(p, gen, (thread + k) % p->n, thread);
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
        run_parts(p, seen, w->id);
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
    if (!p || !(p->workers = calloc((size_t)threads, sizeof *p->workers)) ||
        !(p->next = calloc((size_t)threads, sizeof *p->next))) {
        if (p)
            free(p->workers);
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
    free(p->next);
    free(p);
}

int tpool_threads(const tpool *p)
{
    return p->n;
}

/* Wait until every item of the loop is done: spin, then sleep on done. */
static void pool_join(tpool *p, int items)
{
    uint64_t start = time_mono_ns();
    int done;

    for (int i = 0; atomic_load(&p->done) < items; i++) {
        cpu_relax();
        if ((i & 255) == 255 && time_mono_ns() - start > POOL_JOIN_SPIN_NS)
            break;
    }
    atomic_store(&p->joining, 1);
    while ((done = atomic_load(&p->done)) < items)
        syscall(SYS_futex, &p->done, FUTEX_WAIT_PRIVATE, done, NULL, NULL, 0);
    atomic_store(&p->joining, 0);
}

void tpool_for(tpool *p, int n, int chunk, tpool_fn *fn, void *ctx)
{
    unsigned gen;

    if (n <= 0)
        return;
    if (chunk < 1)
        chunk = 1;
    if (p->n == 1 || n <= chunk) {
        fn(ctx, 0, n, 0);
        return;
    }
    /* Close the last loop's counters before anything of this loop is set: a worker
    ** that read one while that loop ended may still try to claim from it, and must
    ** fail rather than take this loop's items under the old generation. */
    for (int k = 0; k < p->n; k++)
        atomic_store(&p->next[k], (uint64_t)atomic_load(&p->gen) << 32 | INT32_MAX);
    p->fn = fn;
    p->ctx = ctx;
    atomic_store(&p->items, n);
    atomic_store(&p->chunk, chunk);
    atomic_store(&p->done, 0);
    pthread_mutex_lock(&p->mu);
    gen = atomic_load(&p->gen) + 1;
    for (int k = 0; k < p->n; k++)
        atomic_store(&p->next[k], (uint64_t)gen << 32 | (uint32_t)(k ? part_end(p, n, k - 1) : 0));
    atomic_store(&p->gen, gen);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    run_parts(p, gen, 0);
    pool_join(p, n);
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
