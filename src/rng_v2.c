/* rng_v2.c: generator version 2 -- Philox4x32-10 and Box-Muller in single
 * precision, many streams at once; see radvar/rng.h and rng_v2.h.
 *
 * DESCRIPTION
 *   Two 32-bit words (a, b) give two normals n0 = R cos(theta), n1 = R sin(theta)
 *   (Box & Muller 1958), R = sqrt(-2 ln u):
 *   - u = (a + 1/2) 2^-32.  With the top bit of a set, u >= 1/2 and the code
 *     works with 1 - u = (~a + 1/2) 2^-32 instead, so that ln u = log1p(-(1-u))
 *     keeps its relative precision as u -> 1 (R -> 0): the smallest R is
 *     2^-16, exact to a few ulp, never 0.  Both halves form x = (e + 1/2) 2^-32
 *     from a 31-bit integer e (a or ~a) in single precision, then reduce to
 *     m 2^k with m - 1 = f in [sqrt(1/2) - 1, sqrt(2) - 1] exactly (as Cephes'
 *     logf does) and evaluate ln(1 + f) = 2 atanh(q), q = f / (2 + f) in
 *     [-0.172, 0.172], by its series to q^9 (truncation 2e-9 relative), plus
 *     k ln 2 in two parts (Cephes' split of ln 2).  The largest R is
 *     sqrt(-2 ln 2^-33) = 6.7637 (a = 0).
 *   - theta = (o + (r + 1/2) 2^-23) pi/4: the top 3 bits of b are the octant o,
 *     the next 23 the position r in it (the low 6 bits are not used).  Odd
 *     octants are reflected exactly in the integers (r -> 2^23 - 1 - r), so
 *     sin and cos are only ever evaluated on x in (0, pi/4), by Cephes' sinf
 *     and cosf polynomials, and the octant's symmetry only swaps them and sets
 *     signs: sin x >= 4.7e-8 and cos x >= 0.707 there, so no normal is 0.
 *   Every step is an IEEE single-precision operation (+, -, *, sqrt, exact
 *   int -> float conversions of numbers below 2^31) in a fixed order, with no
 *   fused multiply-add (-ffp-contract=off) and no approximate instruction:
 *   the scalar code below and its AVX2 twin give the same bits on any
 *   processor.  tests/ref/make_generator_refs.py re-implements the transform
 *   in NumPy float32 and checks it against the exact Box-Muller map.
 *
 *   Philox on AVX2: _mm256_mul_epu32 multiplies the even 32-bit lanes into
 *   64-bit products, the odd lanes go through the same after a 32-bit shift,
 *   and a blend gathers the 8 high words; _mm256_mullo_epi32 gives the low
 *   words.  Several vectors of 8 streams are interleaved round by round.
 *
 *   The measured accuracy (tests/ref/make_generator_refs.py, 4e6 random word
 *   pairs and the edge words): at most 4.35 float ulp from the exact map at
 *   the grid point, relative error at most 2.7e-7; R alone 1.5e-7.
 *
 * REFERENCES
 *   G. E. P. Box, M. E. Muller, A note on the generation of random normal
 *   deviates, Ann. Math. Statist. 29 (1958).
 *   S. L. Moshier, Methods and Programs for Mathematical Functions, 1989
 *   (the Cephes library: logf.c's reduction and split of ln 2; sinf.c and
 *   cosf.c, whose coefficients are used).
 *   J. K. Salmon et al., Parallel random numbers: as easy as 1, 2, 3, SC11.
 */
#include <string.h>

#include "radvar/rng.h"
#include "rng_v2_impl.h"

static void normals_scalar(uint32_t k0, uint32_t k1, const uint32_t *c2, const uint32_t *c3,
                           size_t from, size_t lanes, uint32_t block, float *out, size_t stride)
{
    for (size_t l = from; l < lanes; l++) {
        uint32_t w[4] = {block, RNG_V2_TAG, c2[l], c3[l]};
        philox10(w, k0, k1);
        bm_pair(w[0], w[1], &out[l], &out[stride + l]);
        bm_pair(w[2], w[3], &out[2 * stride + l], &out[3 * stride + l]);
    }
}

#if RADVAR_HAVE_AVX2_PATH
/* 8 streams per vector, NV vectors interleaved */
#define NV 4

RADVAR_TARGET_AVX2 __attribute__((noinline)) static void
normals_avx2(uint32_t k0, uint32_t k1, const uint32_t *c2, const uint32_t *c3, size_t lanes,
             uint32_t block, float *out, size_t stride)
{
    __m256i key0[10], key1[10];
    philox8_keys(k0, k1, key0, key1);
    size_t l = 0;
    for (; l + 8 * NV <= lanes; l += 8 * NV) {
        __m256 n[NV][4];
        normals8(c2 + l, c3 + l, block, key0, key1, NV, n);
        for (int v = 0; v < NV; v++)
            for (int s = 0; s < 4; s++)
                _mm256_storeu_ps(out + s * stride + l + 8 * v, n[v][s]);
    }
    /* the remaining lanes: the scalar twin */
    normals_scalar(k0, k1, c2, c3, l, lanes, block, out, stride);
}
#endif

void radvar_v2_stream_words(uint64_t first_stream, size_t lanes, uint32_t *c2, uint32_t *c3)
{
    for (size_t l = 0; l < lanes; l++) {
        uint64_t s = first_stream + l;
        c2[l] = (uint32_t)s;
        c3[l] = (uint32_t)(s >> 32);
    }
}

void radvar_v2_normals(uint64_t seed, const uint32_t *c2, const uint32_t *c3, size_t lanes,
                    uint32_t block, float *out, size_t stride, int avx2)
{
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
#if RADVAR_HAVE_AVX2_PATH
    if (avx2) {
        normals_avx2(k0, k1, c2, c3, lanes, block, out, stride);
        return;
    }
#endif
    (void)avx2;
    normals_scalar(k0, k1, c2, c3, 0, lanes, block, out, stride);
}

#if RADVAR_HAVE_AVX2_PATH
RADVAR_TARGET_AVX2 static void pairs_avx2(const uint32_t *a, const uint32_t *b, size_t n, float *n0,
                                          float *n1)
{
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 x, y;
        bm_pair8(_mm256_loadu_si256((const __m256i *)(a + i)), _mm256_loadu_si256((const __m256i *)(b + i)),
                 &x, &y);
        _mm256_storeu_ps(n0 + i, x);
        _mm256_storeu_ps(n1 + i, y);
    }
    for (; i < n; i++)
        bm_pair(a[i], b[i], &n0[i], &n1[i]);
}
#endif

void radvar_v2_pairs(const uint32_t *a, const uint32_t *b, size_t n, float *n0, float *n1, int avx2)
{
#if RADVAR_HAVE_AVX2_PATH
    if (avx2) {
        pairs_avx2(a, b, n, n0, n1);
        return;
    }
#endif
    (void)avx2;
    for (size_t i = 0; i < n; i++)
        bm_pair(a[i], b[i], &n0[i], &n1[i]);
}

/* ---- the public functions of version 2 ---- */

float radvar_rng_normal_v2(uint64_t seed, uint64_t stream, uint64_t index)
{
    uint32_t w[4] = {(uint32_t)(index >> 2), RNG_V2_TAG, (uint32_t)stream, (uint32_t)(stream >> 32)};
    philox10(w, (uint32_t)seed, (uint32_t)(seed >> 32));
    float n[4];
    bm_pair(w[0], w[1], &n[0], &n[1]);
    bm_pair(w[2], w[3], &n[2], &n[3]);
    return n[index & 3];
}

#define LANES_AT_ONCE 256

void radvar_rng_normal_v2_lanes(uint64_t seed, uint64_t first_stream, size_t lanes, uint64_t block,
                                float *out)
{
    uint32_t c2[LANES_AT_ONCE], c3[LANES_AT_ONCE];
    float tmp[4 * LANES_AT_ONCE];
    const int avx2 = radvar_dispatch_avx2();
    for (size_t base = 0; base < lanes; base += LANES_AT_ONCE) {
        size_t n = lanes - base < LANES_AT_ONCE ? lanes - base : LANES_AT_ONCE;
        radvar_v2_stream_words(first_stream + base, n, c2, c3);
        radvar_v2_normals(seed, c2, c3, n, (uint32_t)block, tmp, LANES_AT_ONCE, avx2);
        for (int s = 0; s < 4; s++)
            memcpy(out + (size_t)s * lanes + base, tmp + (size_t)s * LANES_AT_ONCE, n * sizeof *out);
    }
}

void radvar_rng_v2_words(uint64_t seed, uint64_t stream, uint32_t domain, uint64_t block, uint32_t out[4])
{
    uint32_t w[4] = {(uint32_t)block, RNG_V2_TAG | (domain & 0x00ffffffu), (uint32_t)stream,
                     (uint32_t)(stream >> 32)};
    philox10(w, (uint32_t)seed, (uint32_t)(seed >> 32));
    memcpy(out, w, sizeof w);
}
