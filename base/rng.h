/*
** rng.h — random numbers: every random choice in augur takes a seed, and the same seed
** gives the same stream on every machine.
**
**     rng r;
**     rng_seed(&r, seed);
**     double u = rng_uniform(&r);      // [0, 1)
**     int i = rng_below(&r, n);        // [0, n)
**
** xoshiro256** seeded through splitmix64: fast, and small enough to be copied with the
** state it belongs to (a world's clone carries its generator). Where one 64-bit word must
** do, splitmix64 alone is the stream.
*/
#ifndef AUGUR_RNG_H
#define AUGUR_RNG_H

#include <stdint.h>

typedef struct rng {
    uint64_t s[4];
} rng;

/* The next value of the splitmix64 stream whose state is *x. */
static inline uint64_t rng_splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A draw in [0, 1) from the splitmix64 stream *x. */
static inline double rng_splitmix_uniform(uint64_t *x)
{
    return (double)(rng_splitmix(x) >> 11) * 0x1.0p-53;
}

static inline void rng_seed(rng *r, uint64_t seed)
{
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix(&seed);
}

static inline uint64_t rng_next(rng *r)
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
static inline double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* An integer in [0, n), as numpy's randint(0, n); n > 0. */
static inline int rng_below(rng *r, int n)
{
    return (int)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

#endif
