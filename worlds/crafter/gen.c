/*
** gen.c — Crafter's world generation: terrain from OpenSimplex noise, then the
** creatures (crafter-rules.md, "World generation").
*/
#include "worlds/crafter/crafter.h"
#include "worlds/crafter/noise.h"

#include <math.h>
#include <string.h>

/* noise(x, y, z, sizes): the weighted sum of noise3(x / size, y / size, z), divided
** by the sum of the weights when normalise is set. */
static double cr_noise(const noise3 *n, double x, double y, double z, int count,
                       const double *sizes, const double *weights, int normalise)
{
    double value = 0, total = 0;

    for (int i = 0; i < count; i++) {
        value += weights[i] * noise3_eval(n, x / sizes[i], y / sizes[i], z);
        total += weights[i];
    }
    return normalise ? value / total : value;
}

static double cr_noise1(const noise3 *n, double x, double y, double z, double size)
{
    static const double one = 1;
    return cr_noise(n, x, y, z, 1, &size, &one, 1);
}

/* The material of tile (x, y); *tunnel is set for the tunnels skeletons live in. */
static int cr_terrain(crafter *c, const noise3 *n, int x, int y, int *tunnel)
{
    static const double water_sizes[2] = { 15, 5 }, water_weights[2] = { 1, 0.15 };
    static const double mountain_sizes[2] = { 15, 5 }, mountain_weights[2] = { 1, 0.3 };
    double cx = x - CR_SIZE / 2, cy = y - CR_SIZE / 2;
    double start, water, mountain;

    start = 4 - sqrt(cx * cx + cy * cy) + 2 * cr_noise1(n, x, y, 8, 3);
    start = 1 / (1 + exp(-start));
    water = cr_noise(n, x, y, 3, 2, water_sizes, water_weights, 0) + 0.1 - 2 * start;
    mountain = cr_noise(n, x, y, 0, 2, mountain_sizes, mountain_weights, 1) - 4 * start -
               0.3 * water;
    *tunnel = 0;
    if (start > 0.5)
        return CR_GRASS;
    if (mountain > 0.15) {
        if (cr_noise1(n, x, y, 6, 7) > 0.15 && mountain > 0.3)
            return CR_PATH;
        if (cr_noise1(n, 2 * x, y / 5.0, 7, 3) > 0.4 || cr_noise1(n, x / 5.0, 2 * y, 7, 3) > 0.4) {
            *tunnel = 1;
            return CR_PATH;
        }
        if (cr_noise1(n, x, y, 1, 8) > 0 && rng_uniform(&c->rng) > 0.85)
            return CR_COAL;
        if (cr_noise1(n, x, y, 2, 6) > 0.4 && rng_uniform(&c->rng) > 0.75)
            return CR_IRON;
        if (mountain > 0.18 && rng_uniform(&c->rng) > 0.994)
            return CR_DIAMOND;
        if (mountain > 0.3 && cr_noise1(n, x, y, 6, 5) > 0.35)
            return CR_LAVA;
        return CR_STONE;
    }
    if (water > 0.25 && water <= 0.35 && cr_noise1(n, x, y, 4, 9) > -0.2)
        return CR_SAND;
    if (water > 0.3)
        return CR_WATER;
    if (cr_noise1(n, x, y, 5, 7) > 0 && rng_uniform(&c->rng) > 0.8)
        return CR_TREE;
    return CR_GRASS;
}

/* The creature that starts on a walkable tile, or CR_DEAD for none. */
static int cr_creature(crafter *c, int x, int y, int tunnel)
{
    int m = c->mat[y * CR_SIZE + x];
    double cx = x - CR_SIZE / 2, cy = y - CR_SIZE / 2, d = sqrt(cx * cx + cy * cy);

    if (d > 3 && m == CR_GRASS && rng_uniform(&c->rng) > 0.985)
        return CR_COW;
    if (d > 10 && rng_uniform(&c->rng) > 0.993)
        return CR_ZOMBIE;
    if (tunnel && rng_uniform(&c->rng) > 0.95)
        return CR_SKELETON;
    return CR_DEAD;
}

int cr_generate(crafter *c)
{
    uint8_t tunnels[CR_SIZE * CR_SIZE];
    cr_obj *player;
    noise3 n;

    noise3_seed(&n, rng_next(&c->rng));
    memset(c->at, 0, sizeof c->at);
    c->nobj = 0;
    c->chunks_used = 0;
    c->nchunks = 0;
    if (!(player = cr_add(c, CR_PLAYER, CR_SIZE / 2, CR_SIZE / 2)))
        return AUGUR_ENOMEM;
    player->fx = 0;
    player->fy = 1;
    for (int x = 0; x < CR_SIZE; x++) {
        for (int y = 0; y < CR_SIZE; y++) {
            int tunnel;
            c->mat[y * CR_SIZE + x] = (uint8_t)cr_terrain(c, &n, x, y, &tunnel);
            tunnels[y * CR_SIZE + x] = (uint8_t)tunnel;
        }
    }
    for (int x = 0; x < CR_SIZE; x++) {
        for (int y = 0; y < CR_SIZE; y++) {
            int m = c->mat[y * CR_SIZE + x], kind;
            if (m != CR_GRASS && m != CR_SAND && m != CR_PATH)
                continue;
            kind = cr_creature(c, x, y, tunnels[y * CR_SIZE + x]);
            if (kind != CR_DEAD && !cr_add(c, kind, x, y))
                return AUGUR_ENOMEM;
        }
    }
    return AUGUR_OK;
}
