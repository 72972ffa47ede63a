/* rng_v2_impl.h: generator 2's Philox and Box-Muller, scalar and AVX2, as
 * inline functions for rng_v2.c and the engine's fused kernel; private.
 * The method and its properties are described in rng_v2.c.  The AVX2
 * functions mirror the scalar ones operation for operation. */
#ifndef RADVAR_SRC_RNG_V2_IMPL_H
#define RADVAR_SRC_RNG_V2_IMPL_H

#include <math.h>
#include <stdint.h>
#include <string.h>

#include "dispatch.h"
#include "rng_v2.h"

#if RADVAR_HAVE_AVX2_PATH
#include <immintrin.h>
#endif

/* ---- the transform, scalar (the portable path and the reference) ---- */

#define SQRTHF 0.707106781186547524f      /* sqrt(1/2) */
#define ONE_MINUS_SQRTHF 0.292893218813452476f
#define LOG_C1 (-2.12194440e-4f)          /* ln 2 = LOG_C2 + LOG_C1 */
#define LOG_C2 0.693359375f
#define ANGLE_STEP (0.785398163397448310f * 0x1p-23f) /* pi/4 2^-23 */
/* ln(1+f) = 2q + q^3 (LQ1 + q^2 (LQ2 + q^2 (LQ3 + q^2 LQ4))), q = f/(2+f): the
 * series of 2 atanh(q) */
#define LQ1 (2.0f / 3.0f)
#define LQ2 0.4f
#define LQ3 (2.0f / 7.0f)
#define LQ4 (2.0f / 9.0f)
/* Cephes sinf and cosf on [0, pi/4] */
#define SP0 (-1.9515295891E-4f)
#define SP1 8.3321608736E-3f
#define SP2 (-1.6666654611E-1f)
#define CP0 2.443315711809948E-005f
#define CP1 (-1.388731625493765E-003f)
#define CP2 4.166664568298827E-002f

static inline float f_of_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t bits_of_f(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

/* R = sqrt(-2 ln u), u = (a + 1/2) 2^-32 */
static inline float bm_radius(uint32_t a)
{
    uint32_t top = (uint32_t)-(a >> 31);  /* all ones when u >= 1/2 */
    uint32_t e = a ^ top;                 /* a, or ~a = the distance to 1 */
    float x = ((float)(int32_t)e + 0.5f) * 0x1p-32f; /* u, or 1 - u; in (0, 1/2] */
    float f;
    int32_t k;
    if (top) {
        /* ln u = ln(1 - x): k = 0, f = -x, or (x > 1 - sqrt(1/2)) k = -1,
         * f = 2 (1 - x) - 1 = 1 - 2x; both exact */
        int big = x > ONE_MINUS_SQRTHF;
        k = big ? -1 : 0;
        f = big ? 1.0f - (x + x) : -x;
    } else {
        /* x = m 2^k, m in [1/2, 1), then into [sqrt(1/2), sqrt(2)) */
        uint32_t xb = bits_of_f(x);
        float m = f_of_bits((xb & 0x007fffffu) | 0x3f000000u);
        int small = m < SQRTHF;
        k = (int32_t)(xb >> 23) - 126 - small;
        f = small ? (m + m) - 1.0f : m - 1.0f;
    }
    /* ln(1 + f) = 2 atanh(q), q = f / (2 + f), |q| <= 0.1716 */
    float fk = (float)k;
    float q = f / (2.0f + f);
    float w = q * q;
    float p = w * LQ4 + LQ3;
    p = p * w + LQ2;
    p = p * w + LQ1;
    float y = (q * w) * p;
    y = y + fk * LOG_C1;
    float r = (q + q) + y;
    r = r + fk * LOG_C2; /* ln u < 0 */
    return sqrtf(r * -2.0f);
}

/* (n0, n1) = R (cos theta, sin theta) for the words (a, b) */
static inline void bm_pair(uint32_t a, uint32_t b, float *n0, float *n1)
{
    float radius = bm_radius(a);
    uint32_t o = b >> 29;
    uint32_t j = (b >> 6) & 0x007fffffu;
    j ^= (uint32_t)-(o & 1u) & 0x007fffffu; /* odd octants: reflect */
    float x = ((float)(int32_t)j + 0.5f) * ANGLE_STEP;
    float zz = x * x;
    float s = (((SP0 * zz + SP1) * zz + SP2) * zz) * x + x;
    float c = (((CP0 * zz + CP1) * zz + CP2) * zz) * zz;
    c = c - 0.5f * zz;
    c = c + 1.0f;
    int swap = (int)(((o + 1) >> 1) & 1u);
    float cs = swap ? s : c, sn = swap ? c : s;
    cs = f_of_bits(bits_of_f(cs) ^ (((o + 2) << 29) & 0x80000000u));
    sn = f_of_bits(bits_of_f(sn) ^ ((o << 29) & 0x80000000u));
    *n0 = radius * cs;
    *n1 = radius * sn;
}

/* Random123's philox4x32 round and key schedule, one stream */
static inline void philox10(uint32_t c[4], uint32_t k0, uint32_t k1)
{
    for (int round = 0; round < 10; round++) {
        if (round > 0) {
            k0 += 0x9E3779B9u;
            k1 += 0xBB67AE85u;
        }
        uint64_t p0 = (uint64_t)0xD2511F53u * c[0];
        uint64_t p1 = (uint64_t)0xCD9E8D57u * c[2];
        uint32_t n0 = (uint32_t)(p1 >> 32) ^ c[1] ^ k0;
        uint32_t n2 = (uint32_t)(p0 >> 32) ^ c[3] ^ k1;
        c[1] = (uint32_t)p1;
        c[3] = (uint32_t)p0;
        c[0] = n0;
        c[2] = n2;
    }
}

#if RADVAR_HAVE_AVX2_PATH
RADVAR_TARGET_AVX2 static inline void mulhilo8(__m256i a, __m256i mult, __m256i *hi, __m256i *lo)
{
    __m256i even = _mm256_mul_epu32(a, mult);
    __m256i odd = _mm256_mul_epu32(_mm256_srli_epi64(a, 32), mult);
    *hi = _mm256_blend_epi32(_mm256_srli_epi64(even, 32), odd, 0xAA);
    *lo = _mm256_mullo_epi32(a, mult);
}

RADVAR_TARGET_AVX2 static inline __m256 bm_radius8(__m256i a)
{
    const __m256i top = _mm256_srai_epi32(a, 31);
    const __m256i e = _mm256_xor_si256(a, top);
    const __m256 x = _mm256_mul_ps(_mm256_add_ps(_mm256_cvtepi32_ps(e), _mm256_set1_ps(0.5f)),
                                   _mm256_set1_ps(0x1p-32f));
    const __m256 one = _mm256_set1_ps(1.0f);
    /* u >= 1/2 */
    __m256 big = _mm256_cmp_ps(x, _mm256_set1_ps(ONE_MINUS_SQRTHF), _CMP_GT_OQ);
    __m256i k_top = _mm256_castps_si256(big); /* -1 or 0 */
    __m256 neg_x = _mm256_xor_ps(x, _mm256_set1_ps(-0.0f));
    __m256 f_top = _mm256_blendv_ps(neg_x, _mm256_sub_ps(one, _mm256_add_ps(x, x)), big);
    /* u < 1/2 */
    __m256i xb = _mm256_castps_si256(x);
    __m256 m = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(xb, _mm256_set1_epi32(0x007fffff)),
                                                   _mm256_set1_epi32(0x3f000000)));
    __m256 small = _mm256_cmp_ps(m, _mm256_set1_ps(SQRTHF), _CMP_LT_OQ);
    __m256i k_bot = _mm256_add_epi32(_mm256_sub_epi32(_mm256_srli_epi32(xb, 23), _mm256_set1_epi32(126)),
                                     _mm256_castps_si256(small));
    __m256 f_bot = _mm256_blendv_ps(_mm256_sub_ps(m, one), _mm256_sub_ps(_mm256_add_ps(m, m), one), small);
    __m256 f = _mm256_blendv_ps(f_bot, f_top, _mm256_castsi256_ps(top));
    __m256 fk = _mm256_cvtepi32_ps(_mm256_blendv_epi8(k_bot, k_top, top));
    __m256 q = _mm256_div_ps(f, _mm256_add_ps(_mm256_set1_ps(2.0f), f));
    __m256 w = _mm256_mul_ps(q, q);
    __m256 p = _mm256_add_ps(_mm256_mul_ps(w, _mm256_set1_ps(LQ4)), _mm256_set1_ps(LQ3));
    p = _mm256_add_ps(_mm256_mul_ps(p, w), _mm256_set1_ps(LQ2));
    p = _mm256_add_ps(_mm256_mul_ps(p, w), _mm256_set1_ps(LQ1));
    __m256 y = _mm256_mul_ps(_mm256_mul_ps(q, w), p);
    y = _mm256_add_ps(y, _mm256_mul_ps(fk, _mm256_set1_ps(LOG_C1)));
    __m256 r = _mm256_add_ps(_mm256_add_ps(q, q), y);
    r = _mm256_add_ps(r, _mm256_mul_ps(fk, _mm256_set1_ps(LOG_C2)));
    return _mm256_sqrt_ps(_mm256_mul_ps(r, _mm256_set1_ps(-2.0f)));
}

RADVAR_TARGET_AVX2 static inline void bm_pair8(__m256i a, __m256i b, __m256 *n0, __m256 *n1)
{
    __m256 radius = bm_radius8(a);
    __m256i o = _mm256_srli_epi32(b, 29);
    __m256i j = _mm256_and_si256(_mm256_srli_epi32(b, 6), _mm256_set1_epi32(0x007fffff));
    __m256i odd = _mm256_sub_epi32(_mm256_setzero_si256(), _mm256_and_si256(o, _mm256_set1_epi32(1)));
    j = _mm256_xor_si256(j, _mm256_and_si256(odd, _mm256_set1_epi32(0x007fffff)));
    __m256 x = _mm256_mul_ps(_mm256_add_ps(_mm256_cvtepi32_ps(j), _mm256_set1_ps(0.5f)),
                             _mm256_set1_ps(ANGLE_STEP));
    __m256 zz = _mm256_mul_ps(x, x);
    __m256 s = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(SP0), zz), _mm256_set1_ps(SP1));
    s = _mm256_add_ps(_mm256_mul_ps(s, zz), _mm256_set1_ps(SP2));
    s = _mm256_add_ps(_mm256_mul_ps(_mm256_mul_ps(s, zz), x), x);
    __m256 c = _mm256_add_ps(_mm256_mul_ps(_mm256_set1_ps(CP0), zz), _mm256_set1_ps(CP1));
    c = _mm256_add_ps(_mm256_mul_ps(c, zz), _mm256_set1_ps(CP2));
    c = _mm256_mul_ps(_mm256_mul_ps(c, zz), zz);
    c = _mm256_sub_ps(c, _mm256_mul_ps(_mm256_set1_ps(0.5f), zz));
    c = _mm256_add_ps(c, _mm256_set1_ps(1.0f));
    __m256 swap = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(o, _mm256_set1_epi32(1)), 30));
    __m256 cs = _mm256_blendv_ps(c, s, swap), sn = _mm256_blendv_ps(s, c, swap);
    const __m256i sign = _mm256_set1_epi32((int)0x80000000u);
    __m256i cneg = _mm256_and_si256(_mm256_slli_epi32(_mm256_add_epi32(o, _mm256_set1_epi32(2)), 29), sign);
    __m256i sneg = _mm256_and_si256(_mm256_slli_epi32(o, 29), sign);
    cs = _mm256_xor_ps(cs, _mm256_castsi256_ps(cneg));
    sn = _mm256_xor_ps(sn, _mm256_castsi256_ps(sneg));
    *n0 = _mm256_mul_ps(radius, cs);
    *n1 = _mm256_mul_ps(radius, sn);
}

/* the round keys of seed (k0, k1), broadcast */
RADVAR_TARGET_AVX2 static inline void philox8_keys(uint32_t k0, uint32_t k1, __m256i key0[10], __m256i key1[10])
{
    for (int round = 0; round < 10; round++) {
        key0[round] = _mm256_set1_epi32((int)(k0 + (uint32_t)round * 0x9E3779B9u));
        key1[round] = _mm256_set1_epi32((int)(k1 + (uint32_t)round * 0xBB67AE85u));
    }
}

/* The 4 normals (steps 4 block + s) of nv x 8 streams whose words are at
 * c2, c3, into n[v][s]; the Philox rounds of the nv vectors interleaved (nv a
 * constant where it is called, so that the loops unroll). */
RADVAR_TARGET_AVX2 static inline void normals8(const uint32_t *c2, const uint32_t *c3, uint32_t block,
                                               const __m256i key0[10], const __m256i key1[10], int nv,
                                               __m256 n[][4])
{
    const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u), m1 = _mm256_set1_epi32((int)0xCD9E8D57u);
    __m256i w0[4], w1[4], w2[4], w3[4];
    for (int v = 0; v < nv; v++) {
        w0[v] = _mm256_set1_epi32((int)block);
        w1[v] = _mm256_set1_epi32((int)RNG_V2_TAG);
        w2[v] = _mm256_loadu_si256((const __m256i *)(c2 + 8 * v));
        w3[v] = _mm256_loadu_si256((const __m256i *)(c3 + 8 * v));
    }
#pragma GCC unroll 10
    for (int round = 0; round < 10; round++)
        for (int v = 0; v < nv; v++) {
            __m256i hi0, lo0, hi1, lo1;
            mulhilo8(w0[v], m0, &hi0, &lo0);
            mulhilo8(w2[v], m1, &hi1, &lo1);
            w0[v] = _mm256_xor_si256(_mm256_xor_si256(hi1, w1[v]), key0[round]);
            w2[v] = _mm256_xor_si256(_mm256_xor_si256(hi0, w3[v]), key1[round]);
            w1[v] = lo1;
            w3[v] = lo0;
        }
    for (int v = 0; v < nv; v++) {
        bm_pair8(w0[v], w1[v], &n[v][0], &n[v][1]);
        bm_pair8(w2[v], w3[v], &n[v][2], &n[v][3]);
    }
}
#endif

#endif
