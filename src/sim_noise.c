/* sim_noise.c: the noise models of radvar/noise.h as sources of the Monte
 * Carlo engine (sim_source.h).
 *
 * DESCRIPTION
 *   Every model is drawn from the same counter-based bits, so the noise e_t
 *   of trial i is a pure function of (seed, generator, i, t) and the
 *   model's parameters, whatever the chunk, lane or thread:
 *   - Z_t, the standard normal of step t, is the generator's own draw
 *     radvar_rng_normal(generator, seed, i, t - 1) (the normal source);
 *   - the other variates come from Philox4x32-10 words of counter
 *     {block, tag | domain, i low, i high}, block = (t - 1) / 4, with a domain
 *     per model and call (below), tag 0x02000000 for generator 2 (these are
 *     radvar_rng_v2_words) and 0xff000000 for generator 1.  Neither generator's
 *     normals use these counters: version 2's normals have domain 0, version
 *     1's ziggurat uses the second counter word 0 and 1 + 2a + parity for its
 *     a-th retry (a < 2^31 in any run that ends), radvar_rng_uniform_bits
 *     0xffffffff.
 *   Uniforms: U32(w) = (w + 1/2) 2^-32 from one word, U53(a, b) = (53 bits of
 *   a and the top 21 of b + 1/2) 2^-53, both in (0, 1) and symmetric about 1/2.
 *
 *   normal    e = Z (radvar_sim_source_normal; the fused kernel for generator 2).
 *   student   e = sqrt(nu - 2) Z / sqrt(W), W = 2 G ~ chi2(nu), G ~ Gamma(nu/2)
 *             (T = Z/sqrt(W/nu) is Student's t; sqrt((nu-2)/nu) T has unit
 *             variance).  G by Marsaglia and Tsang's rejection (shape
 *             alpha = nu/2 > 1): d = alpha - 1/3, c = 1/sqrt(9 d), a normal x
 *             and a uniform u, v = (1 + c x)^3; accept d v when v > 0 and
 *             u < 1 - 0.0331 x^4 (the squeeze) or ln u < x^2/2 + d (1 - v + ln v).
 *             The candidates come from the domains 0x300 + 4 j + s (step s of
 *             the block, call j = 0..7): a call's words (w0, w1) give two
 *             normals by version 2's Box-Muller (rng_v2_impl.h, single
 *             precision, for both generators: x is then good to about 3e-7
 *             relative, and G = d (1 + c x)^3 to 1e-6 or better, far below any
 *             Monte Carlo error; it is 15% faster than sincos in double), and
 *             (w2, w3) their uniforms, so 16 candidates at most.  The acceptance rate is above 0.95 for every
 *             alpha >= 1, so all 16 fail with probability below 0.05^16 = 2e-21;
 *             then (a documented fallback that no run will meet) the last
 *             candidate d v is taken as it is when v > 0, else d.
 *   laplace   e = S E / sqrt(2), E = -ln U53(a, b) ~ Exp(1), S = +1 or -1 from
 *             the lowest bit of b: words (a, b) = words (0, 1) of step s = 0, 2
 *             and (2, 3) of s = 1, 3 of the calls of domains 0x100 (s = 0, 1)
 *             and 0x101 (s = 2, 3).
 *   mixture   e = c Z (k if U32(w_s) < p, else 1), w_s the word s of the call of
 *             domain 0x200 (p is resolved to 2^-32).
 *   ar1       e_1 = Z_1, e_t = phi e_(t-1) + sqrt(1 - phi^2) Z_t: e_(t-1) is the
 *             source's state (one double per lane), carried from block to block.
 *   decay     e = (1 + t/tau)^(-a) Z, the scale exp(-a log1p(t/tau)) per step.
 *   The loops are scalar per lane (libm and one Philox call per lane and block
 *   or step), the same code on the AVX2 and the portable paths, so both give
 *   the same bits.
 *
 * REFERENCES
 *   G. Marsaglia, W. W. Tsang, A simple method for generating gamma variables,
 *   ACM Trans. Math. Softw. 26(3), 2000, 363-372.
 *   G. E. P. Box, M. E. Muller, A note on the generation of random normal
 *   deviates, Ann. Math. Statist. 29(2), 1958, 610-611.
 */
#include <math.h>
#include <string.h>

#include "dispatch.h"
#include "radvar/rng.h"
#include "rng_v2_impl.h"
#include "sim_source.h"

#define BLOCK 4
#define AUX_V1_TAG 0xff000000u
#define DOMAIN_LAPLACE 0x100u
#define DOMAIN_MIXTURE 0x200u
#define DOMAIN_STUDENT 0x300u
#define STUDENT_CALLS 8 /* two candidates each */

void radvar_sim_noise_words(int generator, uint64_t seed, uint64_t trial, uint32_t domain,
                            uint64_t block, uint32_t out[4])
{
    uint32_t tag = generator == RADVAR_RNG_V1 ? AUX_V1_TAG : RNG_V2_TAG;
    out[0] = (uint32_t)block;
    out[1] = tag | (domain & 0x00ffffffu);
    out[2] = (uint32_t)trial;
    out[3] = (uint32_t)(trial >> 32);
    philox10(out, (uint32_t)seed, (uint32_t)(seed >> 32));
}

static inline void words(const sim_source_ctx *ctx, size_t l, uint32_t domain, uint64_t block,
                         uint32_t w[4])
{
    radvar_sim_noise_words(ctx->generator, ctx->seed, ctx->first_stream + l, domain, block, w);
}

static inline double u32(uint32_t w)
{
    return ((double)w + 0.5) * 0x1p-32;
}

static inline double u53(uint32_t a, uint32_t b)
{
    uint64_t k = ((uint64_t)a << 21) | (b >> 11);
    return ((double)k + 0.5) * 0x1p-53;
}

/* ---- student ---- */

/* G ~ Gamma(nu/2) for step s of the block (Marsaglia-Tsang, see above) */
static double student_gamma(const sim_noise_params *p, const sim_source_ctx *ctx, size_t l,
                            uint64_t block, unsigned s)
{
    const double d = p->d, c = p->c;
    double last = -1.0;
    for (unsigned j = 0; j < STUDENT_CALLS; j++) {
        uint32_t w[4];
        words(ctx, l, DOMAIN_STUDENT + 4 * j + s, block, w);
        float n0, n1;
        bm_pair(w[0], w[1], &n0, &n1); /* version 2's Box-Muller, in single precision */
        double x2[2] = {(double)n0, (double)n1};
        for (int a = 0; a < 2; a++) {
            double x = x2[a], u = u32(w[2 + a]);
            double cx = 1.0 + c * x;
            if (!(cx > 0.0))
                continue;
            double v = cx * cx * cx, xx = x * x;
            last = v;
            if (u < 1.0 - 0.0331 * (xx * xx) || log(u) < 0.5 * xx + d * (1.0 - v + log(v)))
                return d * v;
        }
    }
    return last > 0.0 ? d * last : d; /* probability < 2e-21: see the top */
}

#if RADVAR_HAVE_AVX2_PATH
/* The gammas of lanes from .. from + n - 1 (n <= 256) for step s into g[0..n),
 * 8 lanes at a time: the first candidate of each lane (call 0's first normal
 * and word 2) goes through the squeeze in vectors, by the operations of
 * student_gamma in the same order; a lane the squeeze does not accept (about
 * 1 in 30 for nu = 5), and the last n mod 8 lanes, are left to student_gamma,
 * which starts again from the same candidate: the same bits as the portable
 * path. */
RADVAR_TARGET_AVX2 __attribute__((noinline)) static void
student_gammas_avx2(const sim_noise_params *p, const sim_source_ctx *ctx, uint64_t block,
                    unsigned s, size_t from, size_t n, double *g)
{
    __m256i key0[10], key1[10];
    philox8_keys((uint32_t)ctx->seed, (uint32_t)(ctx->seed >> 32), key0, key1);
    const uint32_t tag = (ctx->generator == RADVAR_RNG_V1 ? AUX_V1_TAG : RNG_V2_TAG) | (DOMAIN_STUDENT + s);
    const __m256i m0 = _mm256_set1_epi32((int)0xD2511F53u), m1 = _mm256_set1_epi32((int)0xCD9E8D57u);
    const __m256d vd = _mm256_set1_pd(p->d), vc = _mm256_set1_pd(p->c), one = _mm256_set1_pd(1.0);
    const __m256d squeeze = _mm256_set1_pd(0.0331), zero = _mm256_setzero_pd();
    const __m256d two31 = _mm256_set1_pd(2147483648.0), half = _mm256_set1_pd(0.5);
    const __m256d two_m32 = _mm256_set1_pd(0x1p-32);
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t c2[8], c3[8];
        for (int k = 0; k < 8; k++) {
            uint64_t stream = ctx->first_stream + from + i + (size_t)k;
            c2[k] = (uint32_t)stream;
            c3[k] = (uint32_t)(stream >> 32);
        }
        __m256i w0 = _mm256_set1_epi32((int)(uint32_t)block), w1 = _mm256_set1_epi32((int)tag);
        __m256i w2 = _mm256_loadu_si256((const __m256i *)c2), w3 = _mm256_loadu_si256((const __m256i *)c3);
        for (int round = 0; round < 10; round++) {
            __m256i hi0, lo0, hi1, lo1;
            mulhilo8(w0, m0, &hi0, &lo0);
            mulhilo8(w2, m1, &hi1, &lo1);
            w0 = _mm256_xor_si256(_mm256_xor_si256(hi1, w1), key0[round]);
            w2 = _mm256_xor_si256(_mm256_xor_si256(hi0, w3), key1[round]);
            w1 = lo1;
            w3 = lo0;
        }
        __m256 n0, n1;
        bm_pair8(w0, w1, &n0, &n1);
        int reject = 0;
        for (int h = 0; h < 2; h++) {
            __m256d x = _mm256_cvtps_pd(h ? _mm256_extractf128_ps(n0, 1) : _mm256_castps256_ps128(n0));
            __m128i wu = h ? _mm256_extracti128_si256(w2, 1) : _mm256_castsi256_si128(w2);
            /* (double) of the unsigned word, exactly */
            __m256d ud = _mm256_add_pd(_mm256_cvtepi32_pd(_mm_xor_si128(wu, _mm_set1_epi32((int)0x80000000u))),
                                       two31);
            __m256d u = _mm256_mul_pd(_mm256_add_pd(ud, half), two_m32);
            __m256d cx = _mm256_add_pd(one, _mm256_mul_pd(vc, x));
            __m256d v = _mm256_mul_pd(_mm256_mul_pd(cx, cx), cx);
            __m256d xx = _mm256_mul_pd(x, x);
            __m256d lim = _mm256_sub_pd(one, _mm256_mul_pd(squeeze, _mm256_mul_pd(xx, xx)));
            __m256d ok = _mm256_and_pd(_mm256_cmp_pd(cx, zero, _CMP_GT_OQ), _mm256_cmp_pd(u, lim, _CMP_LT_OQ));
            _mm256_storeu_pd(g + i + 4 * h, _mm256_mul_pd(vd, v));
            reject |= (~_mm256_movemask_pd(ok) & 15) << (4 * h);
        }
        while (reject) {
            int k = __builtin_ctz((unsigned)reject);
            reject &= reject - 1;
            g[i + (size_t)k] = student_gamma(p, ctx, from + i + (size_t)k, block, s);
        }
    }
    for (; i < n; i++)
        g[i] = student_gamma(p, ctx, from + i, block, s);
}
#endif

static void student_fill(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e)
{
    const sim_noise_params *p = params;
    radvar_sim_source_normal.fill(NULL, ctx, block, e);
    double g[256];
    for (unsigned s = 0; s < BLOCK; s++)
        for (size_t from = 0; from < ctx->lanes; from += 256) {
            size_t n = ctx->lanes - from < 256 ? ctx->lanes - from : 256;
#if RADVAR_HAVE_AVX2_PATH
            if (ctx->avx2)
                student_gammas_avx2(p, ctx, block, s, from, n, g);
            else
#endif
                for (size_t i = 0; i < n; i++)
                    g[i] = student_gamma(p, ctx, from + i, block, s);
            double *es = e + s * ctx->stride + from;
            for (size_t i = 0; i < n; i++)
                es[i] *= p->scale / sqrt(2.0 * g[i]);
        }
}

/* ---- laplace ---- */

static void laplace_fill(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e)
{
    (void)params;
    const double b = 0.70710678118654752440; /* 1/sqrt(2): unit variance */
    for (size_t l = 0; l < ctx->lanes; l++)
        for (unsigned call = 0; call < 2; call++) {
            uint32_t w[4];
            words(ctx, l, DOMAIN_LAPLACE + call, block, w);
            for (unsigned h = 0; h < 2; h++) {
                uint32_t hi = w[2 * h], lo = w[2 * h + 1];
                double x = -log(u53(hi, lo)) * b;
                e[(2 * call + h) * ctx->stride + l] = (lo & 1u) ? -x : x;
            }
        }
}

/* ---- mixture ---- */

static void mixture_fill(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e)
{
    const sim_noise_params *p = params;
    const double prob = p->model.p;
    radvar_sim_source_normal.fill(NULL, ctx, block, e);
    for (size_t l = 0; l < ctx->lanes; l++) {
        uint32_t w[4];
        words(ctx, l, DOMAIN_MIXTURE, block, w);
        for (unsigned s = 0; s < BLOCK; s++)
            e[s * ctx->stride + l] *= u32(w[s]) < prob ? p->scale_k : p->scale;
    }
}

/* ---- ar1 ---- */

static void ar1_fill(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e)
{
    const sim_noise_params *p = params;
    const double phi = p->model.phi, q = p->innovation;
    double *prev = ctx->state;
    radvar_sim_source_normal.fill(NULL, ctx, block, e);
    unsigned s0 = 0;
    if (block == 0) { /* t = 1: e_1 = Z_1, stationary from the start */
        for (size_t l = 0; l < ctx->lanes; l++)
            prev[l] = e[l];
        s0 = 1;
    }
    for (unsigned s = s0; s < BLOCK; s++) {
        double *es = e + s * ctx->stride;
        for (size_t l = 0; l < ctx->lanes; l++) {
            double x = phi * prev[l] + q * es[l];
            es[l] = x;
            prev[l] = x;
        }
    }
}

/* ---- decay ---- */

static void decay_fill(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e)
{
    const sim_noise_params *p = params;
    radvar_sim_source_normal.fill(NULL, ctx, block, e);
    for (unsigned s = 0; s < BLOCK; s++) {
        double t = (double)(BLOCK * block + 1 + s);
        double scale = exp(-p->model.a * log1p(t / p->model.tau));
        double *es = e + s * ctx->stride;
        for (size_t l = 0; l < ctx->lanes; l++)
            es[l] *= scale;
    }
}

int radvar_sim_noise_source(const radvar_noise *n, sim_noise_params *p, sim_source *src)
{
    if (radvar_noise_check(n, NULL, 0) != RADVAR_SUCCESS)
        return RADVAR_EINVAL;
    memset(p, 0, sizeof *p);
    p->model = *n;
    *src = (sim_source){radvar_noise_name(n->kind), 0, NULL, p};
    switch (n->kind) {
    case RADVAR_NOISE_NORMAL:
        *src = radvar_sim_source_normal;
        break;
    case RADVAR_NOISE_STUDENT:
        p->scale = sqrt(n->nu - 2.0);
        p->d = 0.5 * n->nu - 1.0 / 3.0;
        p->c = 1.0 / sqrt(9.0 * p->d);
        src->fill = student_fill;
        break;
    case RADVAR_NOISE_LAPLACE:
        src->fill = laplace_fill;
        break;
    case RADVAR_NOISE_MIXTURE:
        /* c and c k without overflow or underflow of k^2 for extreme k */
        p->scale = 1.0 / sqrt(1.0 - n->p + n->p * n->k * n->k);
        p->scale_k = n->k <= 1.0 ? p->scale * n->k : 1.0 / sqrt((1.0 - n->p) / (n->k * n->k) + n->p);
        src->fill = mixture_fill;
        break;
    case RADVAR_NOISE_AR1:
        p->innovation = sqrt((1.0 - n->phi) * (1.0 + n->phi));
        src->state_doubles = 1;
        src->fill = ar1_fill;
        break;
    case RADVAR_NOISE_DECAY:
        src->fill = decay_fill;
        break;
    }
    return RADVAR_SUCCESS;
}
