/*
** bench.h — what the benchmarks share. Each bench/NAME.c is its own program;
** this file is linked into all of them.
*/
#ifndef AUGUR_BENCH_H
#define AUGUR_BENCH_H

/* The median of s[0..n) (which it sorts); 0 when n is 0. The machines are shared
** and noisy: benchmarks report medians, never means. */
double bench_median(double *s, int n);

#endif
