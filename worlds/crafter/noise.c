/* noise.c — OpenSimplex 3-D noise (see noise.h). */
#include "worlds/crafter/noise.h"
#include "base/rng.h"

#include <math.h>

#define NOISE_STRETCH (-1.0 / 6.0)
#define NOISE_SQUISH  (1.0 / 3.0)
#define NOISE_NORM    103.0

/* The 24 gradients of the 2014 algorithm: the midpoints of the edges of a
** cuboctahedron stretched along one axis, as (x, y, z) triples. */
static const int8_t noise_gradients[72] = {
    -11,  4,  4,   -4, 11,  4,   -4,  4, 11,
     11,  4,  4,    4, 11,  4,    4,  4, 11,
    -11, -4,  4,   -4,-11,  4,   -4, -4, 11,
     11, -4,  4,    4,-11,  4,    4, -4, 11,
    -11,  4, -4,   -4, 11, -4,   -4,  4,-11,
     11,  4, -4,    4, 11, -4,    4,  4,-11,
    -11, -4, -4,   -4,-11, -4,   -4, -4,-11,
     11, -4, -4,    4,-11, -4,    4, -4,-11,
};

void noise3_seed(noise3 *n, uint64_t seed)
{
    rng r;

    rng_seed(&r, seed);
    for (int i = 0; i < 256; i++)
        n->perm[i] = (uint8_t)i;
    for (int i = 255; i > 0; i--) {
        int j = rng_below(&r, i + 1);
        uint8_t t = n->perm[i];
        n->perm[i] = n->perm[j];
        n->perm[j] = t;
    }
    for (int i = 0; i < 256; i++)
        n->grad[i] = (uint8_t)(n->perm[i] % 24 * 3);
}

double noise3_eval(const noise3 *n, double x, double y, double z)
{
    double stretch = (x + y + z) * NOISE_STRETCH;
    double xs = x + stretch, ys = y + stretch, zs = z + stretch;
    double xf = floor(xs), yf = floor(ys), zf = floor(zs);
    int xb = (int)xf, yb = (int)yf, zb = (int)zf;
    double xin = xs - xf, yin = ys - yf, zin = zs - zf;
    double value = 0;

    /* The point lies in the unit cube at (xb, yb, zb) of the stretched lattice;
    ** every lattice point close enough to contribute is within one cube of it.
    ** For an offset d in stretched coordinates the true offset is d + sum(d)/3
    ** on each axis, so its squared length is |d|^2 + sum(d)^2: points whose
    ** |d|^2 alone reaches 2 are skipped as early as each axis allows. */
    for (int i = -1; i <= 2; i++) {
        double dx = xin - i, rx = 2 - dx * dx;
        if (rx <= 0)
            continue;
        for (int j = -1; j <= 2; j++) {
            double dy = yin - j, ry = rx - dy * dy;
            int hy;
            if (ry <= 0)
                continue;
            hy = n->perm[(n->perm[(xb + i) & 0xff] + yb + j) & 0xff];
            for (int k = -1; k <= 2; k++) {
                double dz = zin - k, sum = dx + dy + dz;
                double attn = ry - dz * dz - sum * sum, shift = sum * NOISE_SQUISH;
                const int8_t *g;
                if (attn <= 0)
                    continue;
                g = noise_gradients + n->grad[(hy + zb + k) & 0xff];
                attn *= attn;
                value += attn * attn * (g[0] * (dx + shift) + g[1] * (dy + shift) +
                                        g[2] * (dz + shift));
            }
        }
    }
    return value / NOISE_NORM;
}
