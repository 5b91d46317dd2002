/* bench.c — helpers shared by the benchmark programs. */
#include "bench/bench.h"

#include <stdlib.h>

static int bench_cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double bench_median(double *s, int n)
{
    if (n <= 0)
        return 0;
    qsort(s, (size_t)n, sizeof *s, bench_cmp);
    return s[n / 2];
}
