/*
** tpool.h — a fork-join thread pool for the engine's loops. Private to model/.
**
**     tpool *p;
**     tpool_new(&p, 4, &err);                 // the caller is thread 0; 3 workers
**     tpool_for(p, n, 16, fn, ctx);           // fn(ctx, lo, hi, thread) over [0, n)
**     tpool_free(p);
**
** tpool_for cuts [0, n) into a part per thread and returns when all are done, so
** the calling thread works too. Each thread takes pieces from the front of its own
** part, then helps with the others'; pieces halve as a part runs out, down to `chunk`
** items, so that the threads end together. Which thread takes which piece varies
** from run to run; the engine's loops are written so that the result does not
** (every output has one writer, always computed the same way). Workers spin
** briefly between loops, then sleep.
*/
#ifndef AUGUR_TPOOL_H
#define AUGUR_TPOOL_H

#include "base/err.h"

typedef struct tpool tpool;

typedef void tpool_fn(void *ctx, int lo, int hi, int thread);

int  tpool_new(tpool **out, int threads, augur_err *err);
void tpool_free(tpool *p);
int  tpool_threads(const tpool *p);

void tpool_for(tpool *p, int n, int chunk, tpool_fn *fn, void *ctx);

/* Physical cores this process may run on (at least 1). */
int tpool_physical_cores(void);

#endif
