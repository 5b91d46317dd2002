/*
** time.h — the monotonic clock budgets and benchmarks are measured on.
*/
#ifndef AUGUR_TIME_H
#define AUGUR_TIME_H

#include <stdint.h>

/* Nanoseconds since an arbitrary fixed point; never goes backwards. */
uint64_t time_mono_ns(void);

/* The same clock in microseconds, the unit of tick budgets. */
uint64_t time_mono_us(void);

#endif
