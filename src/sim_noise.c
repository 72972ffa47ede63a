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

static void student_fill(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e)
{
    const sim_noise_params *p = params;
    radvar_sim_source_normal.fill(NULL, ctx, block, e);
    for (unsigned s = 0; s < BLOCK; s++)
        for (size_t l = 0; l < ctx->lanes; l++) {
            double g = student_gamma(p, ctx, l, block, s);
            e[s * ctx->stride + l] *= p->scale / sqrt(2.0 * g);
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
