/*
** pool.h — a fork-join thread pool for the engine's loops. Private to model/.
**
**     pool *p;
**     pool_new(&p, 4, &err);                 // the caller is thread 0; 3 workers
**     pool_for(p, n, 16, fn, ctx);           // fn(ctx, lo, hi, thread) over [0, n)
**     pool_free(p);
**
** pool_for hands out [0, n) in chunks of `chunk` to the threads as they come free
** and returns when all are done, so the calling thread works too. Which thread
** takes which chunk varies from run to run; the engine's loops are written so
** that the result does not (every output has one writer, always computed the
** same way). Workers spin briefly between loops, then sleep.
*/
#ifndef AUGUR_POOL_H
#define AUGUR_POOL_H

#include "base/err.h"

typedef struct pool pool;

typedef void pool_fn(void *ctx, int lo, int hi, int thread);

int  pool_new(pool **out, int threads, augur_err *err);
void pool_free(pool *p);
int  pool_threads(const pool *p);

void pool_for(pool *p, int n, int chunk, pool_fn *fn, void *ctx);

/* Physical cores this process may run on (at least 1). */
int pool_physical_cores(void);

#endif
