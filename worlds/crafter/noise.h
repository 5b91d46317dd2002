/*
** noise.h — OpenSimplex noise in three dimensions (K. Spencer, 2014), the noise
** Crafter's terrain is generated from (private to worlds/crafter).
**
** The lattice is the stretched cubic one of the 2014 algorithm (stretch -1/6,
** squish 1/3); each lattice point within squared distance 2 contributes
** (2 - d^2)^4 times the dot product of its gradient, one of the algorithm's 24
** published 3-D gradients chosen through a seeded permutation, with the offset;
** the sum is divided by the normalising constant 103. Values lie in about -1..1.
** Only the permutation (how a seed picks gradients) is ours.
*/
#ifndef AUGUR_CRAFTER_NOISE_H
#define AUGUR_CRAFTER_NOISE_H

#include <stdint.h>

typedef struct noise3 {
    uint8_t perm[256];
    uint8_t grad[256];      /* index of the first of the gradient's three numbers */
} noise3;

void   noise3_seed(noise3 *n, uint64_t seed);
double noise3_eval(const noise3 *n, double x, double y, double z);

#endif
