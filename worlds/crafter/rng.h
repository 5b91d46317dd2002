/*
** rng.h — Crafter's random number generator (private to worlds/crafter).
**
** xoshiro256** seeded through splitmix64: fast, small enough to be copied with the
** world it belongs to, and the same stream for the same seed on every machine.
*/
#ifndef AUGUR_CRAFTER_RNG_H
#define AUGUR_CRAFTER_RNG_H

#include <stdint.h>

typedef struct cr_rng {
    uint64_t s[4];
} cr_rng;

static inline uint64_t cr_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static inline void cr_rng_seed(cr_rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = cr_splitmix(&seed);
}

static inline uint64_t cr_rng_next(cr_rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5, out = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return out;
}

/* A draw in [0, 1), as numpy's uniform(). */
static inline double cr_uniform(cr_rng *r)
{
    return (double)(cr_rng_next(r) >> 11) * 0x1.0p-53;
}

/* An integer in [0, n), as numpy's randint(0, n); n > 0. */
static inline int cr_randint(cr_rng *r, int n)
{
    return (int)(((cr_rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
