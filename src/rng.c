/* rng.c: Philox4x32-10 and ziggurat Gaussians, see radvar/rng.h.
 *
 * REFERENCES
 *   J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, Parallel random
 *   numbers: as easy as 1, 2, 3, SC11 (Philox; Random123's philox.h).
 *   G. Marsaglia, W. W. Tsang, The ziggurat method for generating random
 *   variables, J. Stat. Softw. 5(8), 2000.
 *   J. A. Doornik, An improved ziggurat method to generate normal random
 *   samples, 2005 (ZIGNOR: independent layer and uniform bits), here
 *   with 256 layers.
 */
#include <math.h>
#include <pthread.h>
#include <string.h>

#include <Random123/philox.h>

#include "dispatch.h"
#include "radvar/rng.h"

void radvar_rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4])
{
    philox4x32_ctr_t c = {{ctr[0], ctr[1], ctr[2], ctr[3]}};
    philox4x32_key_t k = {{key[0], key[1]}};
    philox4x32_ctr_t r = philox4x32_R(10, c, k);
    memcpy(out, r.v, sizeof r.v);
}

/* ---- ziggurat tables (ZIGNOR) ---- */
/* 256 layers (Marsaglia & Tsang's constants for n = 256): the fast path takes
 * 98.5% of draws against 97.2% with ZIGNOR's 128; the recursion below closes
 * the top layer to within 1e-9 of V. */
#define ZIG_LAYERS 256
#define ZIG_R 3.6541528853610088
#define ZIG_V 4.92867323399e-3

static double zig_x[ZIG_LAYERS + 1]; /* layer edges; zig_x[0] = V / f(R) */
static double zig_ratio[ZIG_LAYERS]; /* zig_x[i+1] / zig_x[i]: fast-path bound */
static pthread_once_t zig_once = PTHREAD_ONCE_INIT;

static void zig_init(void)
{
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    zig_x[0] = ZIG_V / f;
    zig_x[1] = ZIG_R;
    zig_x[ZIG_LAYERS] = 0.0;
    for (int i = 2; i < ZIG_LAYERS; i++) {
        zig_x[i] = sqrt(-2.0 * log(ZIG_V / zig_x[i - 1] + f));
        f = exp(-0.5 * zig_x[i] * zig_x[i]);
    }
    for (int i = 0; i < ZIG_LAYERS; i++)
        zig_ratio[i] = zig_x[i + 1] / zig_x[i];
}

/* u in (-1, 1) from 53 bits: 32 of w0 and the top 21 of w1. */
static inline double signed_uniform(uint32_t w0, uint32_t w1)
{
    int64_t k = (int64_t)(((uint64_t)w0 << 21) | (w1 >> 11));
    return ((double)(k - (INT64_C(1) << 52)) + 0.5) * 0x1p-52;
}

/* U in (0, 1) from 53 bits of two words. */
static inline double open_uniform(uint32_t w0, uint32_t w1)
{
    uint64_t k = ((uint64_t)w0 << 21) | (w1 >> 11);
    return ((double)k + 0.5) * 0x1p-53;
}

static void philox_words(uint64_t seed, uint64_t stream, uint64_t pair, uint32_t retry,
                         uint32_t out[4])
{
    const uint32_t ctr[4] = {(uint32_t)pair, retry, (uint32_t)stream, (uint32_t)(stream >> 32)};
    const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
    /* the pair index wraps at 2^32 (8.6e9 draws per stream); see rng.h */
    radvar_rng_philox4x32_10(ctr, key, out);
}

/* The rejection part of ZIGNOR after the fast path failed with (u, layer),
 * drawing from counters {pair, 1 + 2 a + parity}, a = 0, 1, ... */
static double zig_slow(uint64_t seed, uint64_t stream, uint64_t pair, unsigned parity, double u,
                       unsigned layer)
{
    uint32_t w[4];
    for (uint32_t a = 0;; a++) {
        philox_words(seed, stream, pair, 1 + 2 * a + parity, w);
        if (layer == 0) {
            /* the tail beyond R (Marsaglia 1964), repeated until accepted:
             * x = -ln(U1)/R, y = -ln(U2), accept when 2y > x^2 */
            double x = log(open_uniform(w[0], w[1])) / ZIG_R;
            double y = log(open_uniform(w[2], w[3]));
            if (-2.0 * y >= x * x)
                return u < 0 ? x - ZIG_R : ZIG_R - x;
            continue;
        }
        double x = u * zig_x[layer];
        double f0 = exp(-0.5 * (zig_x[layer] * zig_x[layer] - x * x));
        double f1 = exp(-0.5 * (zig_x[layer + 1] * zig_x[layer + 1] - x * x));
        if (f1 + open_uniform(w[0], w[1]) * (f0 - f1) < 1.0)
            return x;
        /* rejected in the wedge: a fresh (u, layer) from the other two words */
        u = signed_uniform(w[2], w[3]);
        layer = w[3] & (ZIG_LAYERS - 1);
        if (fabs(u) < zig_ratio[layer])
            return u * zig_x[layer];
    }
}

double radvar_rng_gauss(uint64_t seed, uint64_t stream, uint64_t index)
{
    pthread_once(&zig_once, zig_init);
    uint32_t w[4];
    uint64_t pair = index >> 1;
    unsigned parity = (unsigned)(index & 1);
    philox_words(seed, stream, pair, 0, w);
    uint32_t a = w[2 * parity], b = w[2 * parity + 1];
    double u = signed_uniform(a, b);
    unsigned layer = b & (ZIG_LAYERS - 1);
    if (fabs(u) < zig_ratio[layer])
        return u * zig_x[layer];
    return zig_slow(seed, stream, pair, parity, u, layer);
}

uint64_t radvar_rng_uniform_bits(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint32_t w[4];
    philox_words(seed, stream, index, 0xffffffffu, w);
    return (uint64_t)w[0] << 32 | w[1];
}

void radvar_rng_gauss_fill(uint64_t seed, uint64_t stream, uint64_t first, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = radvar_rng_gauss(seed, stream, first + i);
}

/* ---- many streams at once: Philox on arrays, one lane per stream ---- */

#define LANE_BLOCK 64

/* Philox4x32 rounds as in Random123's philox4x32round/bumpkey, on n lanes of
 * counters; the loop over lanes is what the compiler vectorises. */
static inline void philox_rounds_body(uint32_t *restrict c0, uint32_t *restrict c1,
                                      uint32_t *restrict c2, uint32_t *restrict c3, size_t n,
                                      uint32_t key0, uint32_t key1)
{
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            key0 += 0x9E3779B9u;
            key1 += 0xBB67AE85u;
        }
        for (size_t l = 0; l < n; l++) {
            uint64_t p0 = (uint64_t)0xD2511F53u * c0[l];
            uint64_t p1 = (uint64_t)0xCD9E8D57u * c2[l];
            uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1[l] ^ key0;
            uint32_t n2 = (uint32_t)(p0 >> 32) ^ c3[l] ^ key1;
            c1[l] = (uint32_t)p1;
            c3[l] = (uint32_t)p0;
            c0[l] = n0;
            c2[l] = n2;
        }
    }
}

/* The ZIGNOR fast path for n lanes of words (a, b): out = u x_i, and
 * reject[l] = 1 where the slow path must decide.  Kept in functions of their
 * own with restrict pointers so that the table look-ups vectorise. */
static inline void zig_fast_body(const uint32_t *restrict a, const uint32_t *restrict b,
                                 double *restrict out, unsigned char *restrict reject, size_t n)
{
    for (size_t l = 0; l < n; l++) {
        int layer = (int)(b[l] & (ZIG_LAYERS - 1));
        double u = signed_uniform(a[l], b[l]);
        out[l] = u * zig_x[layer];
        reject[l] = fabs(u) >= zig_ratio[layer];
    }
}

__attribute__((noinline)) static void philox_rounds_portable(uint32_t *c0, uint32_t *c1, uint32_t *c2,
                                                             uint32_t *c3, size_t n, uint32_t k0,
                                                             uint32_t k1)
{
    philox_rounds_body(c0, c1, c2, c3, n, k0, k1);
}

__attribute__((noinline)) static void zig_fast_portable(const uint32_t *a, const uint32_t *b,
                                                        double *out, unsigned char *reject, size_t n)
{
    zig_fast_body(a, b, out, reject, n);
}

#if RADVAR_HAVE_AVX2_PATH
RADVAR_TARGET_AVX2 __attribute__((noinline)) static void
philox_rounds_avx2(uint32_t *c0, uint32_t *c1, uint32_t *c2, uint32_t *c3, size_t n, uint32_t k0,
                   uint32_t k1)
{
    philox_rounds_body(c0, c1, c2, c3, n, k0, k1);
}

RADVAR_TARGET_AVX2 __attribute__((noinline)) static void
zig_fast_avx2(const uint32_t *a, const uint32_t *b, double *out, unsigned char *reject, size_t n)
{
    zig_fast_body(a, b, out, reject, n);
}
#endif

void radvar_rng_gauss_pair_lanes(uint64_t seed, uint64_t first_stream, size_t lanes, uint64_t pair,
                                 double *even, double *odd)
{
    pthread_once(&zig_once, zig_init);
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    const int avx2 = radvar_dispatch_avx2();
    for (size_t base = 0; base < lanes; base += LANE_BLOCK) {
        size_t n = lanes - base < LANE_BLOCK ? lanes - base : LANE_BLOCK;
        uint32_t c0[LANE_BLOCK], c1[LANE_BLOCK], c2[LANE_BLOCK], c3[LANE_BLOCK];
        for (size_t l = 0; l < n; l++) {
            uint64_t stream = first_stream + base + l;
            c0[l] = (uint32_t)pair;
            c1[l] = 0;
            c2[l] = (uint32_t)stream;
            c3[l] = (uint32_t)(stream >> 32);
        }
        /* ziggurat fast path on every lane, then the rare slow path */
        unsigned char reject[2][LANE_BLOCK];
#if RADVAR_HAVE_AVX2_PATH
        if (avx2) {
            philox_rounds_avx2(c0, c1, c2, c3, n, k0, k1);
            zig_fast_avx2(c0, c1, even + base, reject[0], n);
            zig_fast_avx2(c2, c3, odd + base, reject[1], n);
        } else
#endif
        {
            (void)avx2;
            philox_rounds_portable(c0, c1, c2, c3, n, k0, k1);
            zig_fast_portable(c0, c1, even + base, reject[0], n);
            zig_fast_portable(c2, c3, odd + base, reject[1], n);
        }
        for (size_t l = 0; l < n; l++) {
            if ((reject[0][l] | reject[1][l]) == 0)
                continue;
            uint64_t stream = first_stream + base + l;
            if (reject[0][l])
                even[base + l] = zig_slow(seed, stream, pair, 0, signed_uniform(c0[l], c1[l]),
                                          c1[l] & (ZIG_LAYERS - 1));
            if (reject[1][l])
                odd[base + l] = zig_slow(seed, stream, pair, 1, signed_uniform(c2[l], c3[l]),
                                         c3[l] & (ZIG_LAYERS - 1));
        }
    }
}

/* ---- generator versions ---- */

const char *radvar_rng_generator_name(int version)
{
    switch (version) {
    case RADVAR_RNG_V1:
        return "1 (Philox4x32-10, key = seed, counter = ((step-1)/2, retry, trial); ziggurat, double precision)";
    case RADVAR_RNG_V2:
        return "2 (Philox4x32-10, key = seed, counter = ((step-1)/4, 0x02000000, trial); Box-Muller, single precision)";
    default:
        return NULL;
    }
}

double radvar_rng_normal(int version, uint64_t seed, uint64_t stream, uint64_t index)
{
    switch (version) {
    case RADVAR_RNG_V1:
        return radvar_rng_gauss(seed, stream, index);
    case RADVAR_RNG_V2:
        return (double)radvar_rng_normal_v2(seed, stream, index);
    default:
        return NAN;
    }
}
