/* time.c — monotonic clock. */
#include "base/time.h"

#include <time.h>

uint64_t time_mono_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint64_t time_mono_us(void)
{
    return time_mono_ns() / 1000u;
}
