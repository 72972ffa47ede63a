/* test_generator.c: the generator versions and the engine built on them.
 *   Known answers: version 2's normals and its transform against the
 *     independent re-implementation of tests/ref/make_generator_refs.py (bit
 *     for bit) and against the exact Box-Muller map (within 5 float ulp, the
 *     script measured at most 4.35 over 4e6 random word pairs); version 1's
 *     engine against values that radvar 0.2.0 printed; the engine's moments
 *     against the script's float64 simulation.
 *   Paths: the AVX2 and the portable code give the same bits.
 *   Distribution (fixed seeds, 2^23 normals): moments, tail counts, the
 *     behaviour near 0, a 100-bin chi-square, correlations.
 *   Monte Carlo against theory with both generators: the SMA against Theorem 1
 *     and the EMA against its exact moments, within K_SE standard errors. */
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "check_util.h"
#include "radvar/exact.h"
#include "radvar/rng.h"
#include "radvar/sim.h"
#include "radvar/stats.h"
#include "radvar/theory.h"
#include "ref/generator_ref.h"

#include "../src/rng_v2.h" /* internal: the transform on raw words, the lane kernels */
int radvar_dispatch_avx2(void);

#define K_SE 4.0    /* Monte Carlo tolerance in standard errors (fixed seeds) */
#define Z_DIST 5.0  /* distribution checks: 5 sigma, as GSL's randist/test.c */
#define ULP_TOL 5.0 /* the transform against the exact map, in float ulp */

static double ulp32(double x)
{
    int e;
    frexp(fabs(x), &e); /* |x| in [2^(e-1), 2^e) */
    return ldexp(1.0, (e - 1 < -126 ? -126 : e - 1) - 23);
}

static int same_float(float a, float b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* ---- known answers ---- */

START_TEST(test_v2_known_answers)
{
    for (size_t i = 0; i < N_ELEMS(v2_kat); i++) {
        float x = radvar_rng_normal_v2(v2_kat[i].seed, v2_kat[i].stream, v2_kat[i].index);
        ck_assert_msg(same_float(x, v2_kat[i].value), "normal_v2(%llu, %llu, %llu) = %a, expected %a",
                      (unsigned long long)v2_kat[i].seed, (unsigned long long)v2_kat[i].stream,
                      (unsigned long long)v2_kat[i].index, x, v2_kat[i].value);
        ck_assert(radvar_rng_normal(2, v2_kat[i].seed, v2_kat[i].stream, v2_kat[i].index)
                  == (double)v2_kat[i].value);
    }
}
END_TEST

/* the transform of edge words (each end of u, every octant boundary) on
 * both paths: the reference bits, and within ULP_TOL of the exact map */
START_TEST(test_v2_transform)
{
    enum { N = N_ELEMS(v2_pairs) };
    uint32_t a[N], b[N];
    float n0[N], n1[N];
    for (size_t i = 0; i < N; i++) {
        a[i] = v2_pairs[i].a;
        b[i] = v2_pairs[i].b;
    }
    double worst = 0;
    for (int avx2 = 0; avx2 <= radvar_dispatch_avx2(); avx2++) {
        radvar_v2_pairs(a, b, N, n0, n1, avx2);
        for (size_t i = 0; i < N; i++) {
            ck_assert_msg(same_float(n0[i], v2_pairs[i].n0) && same_float(n1[i], v2_pairs[i].n1),
                          "%s path, words %08x %08x: (%a, %a), expected (%a, %a)",
                          avx2 ? "AVX2" : "portable", a[i], b[i], n0[i], n1[i], v2_pairs[i].n0,
                          v2_pairs[i].n1);
            double e0 = fabs(n0[i] - v2_pairs[i].exact0) / ulp32(v2_pairs[i].exact0);
            double e1 = fabs(n1[i] - v2_pairs[i].exact1) / ulp32(v2_pairs[i].exact1);
            worst = fmax(worst, fmax(e0, e1));
            ck_assert_msg(e0 <= ULP_TOL && e1 <= ULP_TOL, "words %08x %08x: %.2f, %.2f ulp", a[i], b[i], e0, e1);
            ck_assert(n0[i] != 0 && n1[i] != 0);
        }
    }
    printf("transform at %d edge words: at most %.2f float ulp from the exact map\n", (int)N, worst);
}
END_TEST

START_TEST(test_versions)
{
    ck_assert_ptr_nonnull(radvar_rng_generator_name(1));
    ck_assert_ptr_nonnull(radvar_rng_generator_name(2));
    ck_assert_ptr_null(radvar_rng_generator_name(0));
    ck_assert_ptr_null(radvar_rng_generator_name(3));
    ck_assert_ptr_null(radvar_rng_generator_name(-1));
    ck_assert_int_eq(RADVAR_RNG_DEFAULT, 2);
    ck_assert(radvar_rng_normal(1, 5, 6, 7) == radvar_rng_gauss(5, 6, 7));
    ck_assert_nan(radvar_rng_normal(3, 5, 6, 7));
    ck_assert_nan(radvar_rng_normal(0, 5, 6, 7));
    /* the versions are different streams */
    ck_assert(radvar_rng_normal(1, 5, 6, 7) != radvar_rng_normal(2, 5, 6, 7));
}
END_TEST

/* the lanes give exactly the scalar draws, for every lane count (vector
 * blocks and scalar tails), across 2^32 streams and at the last block */
START_TEST(test_v2_lanes_equal_scalar)
{
    static const size_t counts[] = {1, 7, 8, 15, 16, 17, 31, 32, 33, 255, 256, 257, 300};
    static float out[4 * 300];
    const uint64_t firsts[] = {0, 12345, (UINT64_C(1) << 32) - 5, UINT64_MAX - 400};
    const uint64_t blocks[] = {0, 1, 977, UINT32_MAX};
    for (size_t c = 0; c < N_ELEMS(counts); c++)
        for (size_t f = 0; f < N_ELEMS(firsts); f++) {
            uint64_t block = blocks[(c + f) % N_ELEMS(blocks)];
            radvar_rng_normal_v2_lanes(99 + c, firsts[f], counts[c], block, out);
            for (size_t l = 0; l < counts[c]; l++)
                for (uint64_t s = 0; s < 4; s++)
                    ck_assert(same_float(out[s * counts[c] + l],
                                         radvar_rng_normal_v2(99 + c, firsts[f] + l, 4 * block + s)));
        }
}
END_TEST

/* the AVX2 and the portable lane kernels, block by block */
START_TEST(test_v2_paths)
{
    if (!radvar_dispatch_avx2()) {
        printf("no AVX2 here (or RADVAR_DISPATCH=portable): only the portable path runs\n");
        return;
    }
    enum { L = 256 };
    static float x[4 * L], y[4 * L];
    uint32_t c2[L], c3[L];
    for (uint64_t k = 0; k < 3000; k++) {
        size_t lanes = 1 + (size_t)(k * 37) % L;
        uint64_t first = k * 977 + ((k & 7) == 3 ? (UINT64_C(1) << 32) - 100 : 0);
        radvar_v2_stream_words(first, lanes, c2, c3);
        radvar_v2_normals(k * 12345 + 1, c2, c3, lanes, (uint32_t)(k * 7), x, L, 1);
        radvar_v2_normals(k * 12345 + 1, c2, c3, lanes, (uint32_t)(k * 7), y, L, 0);
        for (size_t s = 0; s < 4; s++)
            ck_assert(memcmp(x + s * L, y + s * L, lanes * sizeof *x) == 0);
    }
}
END_TEST

/* domain 0 holds the normals' words; other domains are other words */
START_TEST(test_v2_words)
{
    uint32_t w[4], d1[4], d1_high[4];
    radvar_rng_v2_words(7, 11, 0, 25, w);
    float n[4];
    radvar_v2_pairs(&w[0], &w[1], 1, &n[0], &n[1], 0);
    radvar_v2_pairs(&w[2], &w[3], 1, &n[2], &n[3], 0);
    for (int s = 0; s < 4; s++)
        ck_assert(same_float(n[s], radvar_rng_normal_v2(7, 11, 100 + (uint64_t)s)));
    radvar_rng_v2_words(7, 11, 1, 25, d1);
    radvar_rng_v2_words(7, 11, 0x01000001u, 25, d1_high); /* only 24 bits of domain */
    ck_assert(memcmp(w, d1, sizeof w) != 0);
    ck_assert(memcmp(d1, d1_high, sizeof d1) == 0);
}
END_TEST

/* generator 1's engine reproduces what radvar 0.2.0 printed (radvar simulate
 * --beta2 0.99 --steps 200 --trials 2000 --mu 0.3 --sigma 2 --seed 7, and
 * --steps 150 --trials 1500 --average sma --seed 8; mean_psi, var_psi) */
START_TEST(test_v1_engine_unchanged)
{
    static const struct {
        radvar_average average;
        uint64_t t;
        double mean, var;
    } want[] = {
        {RADVAR_AVERAGE_EMA, 1, 4.6146726976883965, 1559.5186344427013},
        {RADVAR_AVERAGE_EMA, 5, 0.5967355159486466, 0.070124571066143851},
        {RADVAR_AVERAGE_EMA, 50, 0.50352091437694446, 0.0026281952569011703},
        {RADVAR_AVERAGE_EMA, 200, 0.49734434942233829, 0.00078596420699771411},
        {RADVAR_AVERAGE_SMA, 3, 1.4076943585105297, 1.0798305253666012},
        {RADVAR_AVERAGE_SMA, 20, 1.0479219322838027, 0.032265515397356906},
        {RADVAR_AVERAGE_SMA, 150, 1.0068776760737905, 0.0043980548400846869},
    };
    uint64_t ema_t[] = {1, 5, 50, 200}, sma_t[] = {3, 20, 150};
    for (int sma = 0; sma <= 1; sma++) {
        radvar_sim_config c;
        radvar_sim_config_default(&c);
        c.beta2 = 0.99;
        c.steps = sma ? 150 : 200;
        c.trials = sma ? 1500 : 2000;
        c.mu = sma ? 0 : 0.3;
        c.sigma = sma ? 1 : 2;
        c.seed = sma ? 8 : 7;
        c.threads = 2;
        c.average = sma ? RADVAR_AVERAGE_SMA : RADVAR_AVERAGE_EMA;
        c.report = sma ? sma_t : ema_t;
        c.n_report = sma ? 3 : 4;
        c.generator = RADVAR_RNG_V1;
        radvar_sim *s;
        ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_SUCCESS);
        ck_assert_int_eq(radvar_sim_generator(s), 1);
        while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
            ;
        for (size_t k = 0, i = 0; i < N_ELEMS(want); i++) {
            if ((want[i].average == RADVAR_AVERAGE_SMA) != sma)
                continue;
            const radvar_stats_moments *m = radvar_sim_moments(s, k++);
            ck_assert_msg(m->mean == want[i].mean && radvar_stats_moments_variance(m) == want[i].var,
                          "%s t = %llu: %.17g %.17g", sma ? "SMA" : "EMA",
                          (unsigned long long)want[i].t, m->mean, radvar_stats_moments_variance(m));
        }
        radvar_sim_free(s);
    }
}
END_TEST

/* the engine on generator 2 against the script's float64 simulation from
 * the same normals (different summation order: a relative tolerance) */
START_TEST(test_v2_engine_reference)
{
    uint64_t report[V2_SIM_STEPS];
    for (uint64_t t = 0; t < V2_SIM_STEPS; t++)
        report[t] = t + 1;
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    c.beta2 = V2_SIM_BETA2;
    c.steps = V2_SIM_STEPS;
    c.trials = V2_SIM_TRIALS;
    c.mu = V2_SIM_MU;
    c.sigma = V2_SIM_SIGMA;
    c.seed = V2_SIM_SEED;
    c.threads = 2;
    c.report = report;
    c.n_report = V2_SIM_STEPS;
    c.generator = RADVAR_RNG_V2;
    radvar_sim *s;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_SUCCESS);
    while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
        ;
    double worst = 0;
    for (size_t k = 0; k < V2_SIM_STEPS; k++) {
        const radvar_stats_moments *m = radvar_sim_moments(s, k);
        const double *r = v2_sim[k];
        double scale3 = pow(r[2], 1.5), e[4] = {rel_err(m->mean, r[1]), rel_err(m->m2, r[2]),
                                               fabs(m->m3 - r[3]) / scale3, rel_err(m->m4, r[4])};
        for (int i = 0; i < 4; i++) {
            worst = fmax(worst, e[i]);
            ck_assert_msg(e[i] < 1e-12, "t = %g: moment %d off by %.3g", r[0], i + 1, e[i]);
        }
    }
    printf("engine (generator 2) vs the float64 re-implementation: relative error at most %.3g\n", worst);
    radvar_sim_free(s);
}
END_TEST

/* ---- the distribution of generator 2 (fixed seed) ---- */

#define DIST_LANES 256
#define DIST_BLOCKS 8192 /* 2^23 normals */
#define CHI_BINS 100

static double cdf_normal(double x, void *p)
{
    (void)p;
    return gsl_cdf_ugaussian_P(x);
}

/* count within Z_DIST sigma of n p (binomial), +1 for tiny expectations */
static void check_count(const char *what, double count, double n, double p)
{
    double expected = n * p, sd = sqrt(n * p * (1 - p));
    printf("  %-28s %10.0f, expected %12.1f (%+.2f sd)\n", what, count, expected, (count - expected) / sd);
    ck_assert_msg(fabs(count - expected) < Z_DIST * sd + 1, "%s: %g, expected %g", what, count, expected);
}

START_TEST(test_v2_distribution)
{
    static float g[4 * DIST_LANES];
    double edges[CHI_BINS - 1], counts[CHI_BINS] = {0};
    for (int b = 1; b < CHI_BINS; b++)
        edges[b - 1] = gsl_cdf_ugaussian_Pinv((double)b / CHI_BINS);
    double s1 = 0, s2 = 0, s3 = 0, s4 = 0, n = 0, n_pairs = 0, maxabs = 0, zeros = 0;
    double tail[3] = {0}, near0[2] = {0}, r2_small[2] = {0};
    for (uint64_t block = 0; block < DIST_BLOCKS; block++) {
        radvar_rng_normal_v2_lanes(2024, 0, DIST_LANES, block, g);
        for (size_t i = 0; i < 4 * DIST_LANES; i++) {
            double x = g[i], x2 = x * x;
            s1 += x;
            s2 += x2;
            s3 += x2 * x;
            s4 += x2 * x2;
            n++;
            double ax = fabs(x);
            maxabs = fmax(maxabs, ax);
            zeros += x == 0;
            for (int k = 0; k < 3; k++)
                tail[k] += ax > 3 + k;
            near0[0] += ax < 1e-3;
            near0[1] += ax < 1e-5;
            int lo = 0, hi = CHI_BINS - 1; /* bisect for the bin */
            while (lo < hi) {
                int mid = (lo + hi) / 2;
                if (x < edges[mid])
                    hi = mid;
                else
                    lo = mid + 1;
            }
            counts[lo]++;
        }
        /* the radius of each Box-Muller pair: draws 4b, 4b+1 and 4b+2, 4b+3 */
        for (size_t l = 0; l < DIST_LANES; l++)
            for (size_t h = 0; h < 2; h++) {
                double u = g[(2 * h) * DIST_LANES + l], v = g[(2 * h + 1) * DIST_LANES + l];
                double r2 = u * u + v * v;
                r2_small[0] += r2 < 1e-4;
                r2_small[1] += r2 < 1e-6;
                n_pairs++;
            }
    }
    double m = s1 / n, var = s2 / n;
    printf("generator 2, %.0f normals: mean %.3g, E x^2 %.6f, E x^3 %.3g, E x^4 %.5f, max |x| %.5f\n", n,
           m, var, s3 / n, s4 / n, maxabs);
    ck_assert_msg(fabs(m) < Z_DIST * sqrt(1 / n), "mean %g", m);
    ck_assert_msg(fabs(var - 1) < Z_DIST * sqrt(2 / n), "E x^2 = %g", var);
    ck_assert_msg(fabs(s3 / n) < Z_DIST * sqrt(15 / n), "E x^3 = %g", s3 / n);
    ck_assert_msg(fabs(s4 / n - 3) < Z_DIST * sqrt(96 / n), "E x^4 = %g", s4 / n);
    ck_assert(zeros == 0);
    ck_assert_msg(maxabs <= 6.7637061, "max |x| = %.9g beyond the transform's bound", maxabs);
    check_count("|x| > 3", tail[0], n, 2 * gsl_cdf_ugaussian_Q(3));
    check_count("|x| > 4", tail[1], n, 2 * gsl_cdf_ugaussian_Q(4));
    check_count("|x| > 5", tail[2], n, 2 * gsl_cdf_ugaussian_Q(5));
    check_count("|x| < 1e-3", near0[0], n, 2 * gsl_cdf_ugaussian_P(1e-3) - 1);
    check_count("|x| < 1e-5", near0[1], n, 2 * gsl_cdf_ugaussian_P(1e-5) - 1);
    check_count("pairs with R^2 < 1e-4", r2_small[0], n_pairs, -expm1(-0.5e-4));
    check_count("pairs with R^2 < 1e-6", r2_small[1], n_pairs, -expm1(-0.5e-6));
    /* equiprobable bins: each within Z_DIST sigma, and the chi-square */
    double chi2 = 0, p = 1.0 / CHI_BINS;
    for (int b = 0; b < CHI_BINS; b++) {
        double expected = n * p, sd = sqrt(n * p * (1 - p));
        ck_assert_msg(fabs(counts[b] - expected) < Z_DIST * sd, "bin %d: %g vs %g", b, counts[b], expected);
        chi2 += (counts[b] - expected) * (counts[b] - expected) / expected;
    }
    double pval = gsl_cdf_chisq_Q(chi2, CHI_BINS - 1);
    printf("  chi-square over %d equiprobable bins: %.2f (%d dof), p = %.3g\n", CHI_BINS, chi2, CHI_BINS - 1, pval);
    ck_assert_msg(pval > 1e-4, "chi-square p-value %g", pval); /* fixed seed: not a flaky test */
}
END_TEST

/* correlations at lags 1..4 and 8 along a stream (within and across Box-Muller
 * pairs and Philox blocks), and between neighbouring streams */
START_TEST(test_v2_correlations)
{
    enum { STREAMS = 64, DRAWS = 16384 };
    static float x[STREAMS][DRAWS];
    static float blk[4 * STREAMS];
    for (uint64_t b = 0; b < DRAWS / 4; b++) {
        radvar_rng_normal_v2_lanes(77, 1000, STREAMS, b, blk);
        for (size_t l = 0; l < STREAMS; l++)
            for (size_t s = 0; s < 4; s++)
                x[l][4 * b + s] = blk[s * STREAMS + l];
    }
    static const int lags[] = {1, 2, 3, 4, 8};
    for (size_t k = 0; k < N_ELEMS(lags); k++) {
        double sxy = 0, n = 0;
        for (size_t l = 0; l < STREAMS; l++)
            for (size_t i = 0; i + (size_t)lags[k] < DRAWS; i++, n++)
                sxy += (double)x[l][i] * x[l][i + (size_t)lags[k]];
        printf("  correlation at lag %d: %+.2f se\n", lags[k], sxy / n * sqrt(n));
        ck_assert_msg(fabs(sxy / n) < Z_DIST / sqrt(n), "lag %d: %g", lags[k], sxy / n);
    }
    double sxy = 0, n = 0;
    for (size_t l = 0; l + 1 < STREAMS; l++)
        for (size_t i = 0; i < DRAWS; i++, n++)
            sxy += (double)x[l][i] * x[l + 1][i];
    printf("  correlation of neighbouring streams: %+.2f se\n", sxy / n * sqrt(n));
    ck_assert(fabs(sxy / n) < Z_DIST / sqrt(n));
    /* the marginal of one stream: KS against the normal cdf */
    double *y = malloc(DRAWS * sizeof *y), d, p;
    for (size_t i = 0; i < DRAWS; i++)
        y[i] = x[5][i];
    ck_assert_int_eq(radvar_stats_ks_test(y, DRAWS, cdf_normal, NULL, &d, &p), RADVAR_SUCCESS);
    ck_assert_msg(p > 1e-4, "KS p = %g", p);
    free(y);
}
END_TEST

/* ---- Monte Carlo against theory, both generators ---- */

static radvar_sim *run(const radvar_sim_config *c)
{
    radvar_sim *s;
    ck_assert_int_eq(radvar_sim_alloc(c, &s), RADVAR_SUCCESS);
    while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
        ;
    ck_assert_uint_eq(radvar_sim_trials_done(s), c->trials);
    return s;
}

static double cdf_model(double x, void *p)
{
    const double *dof_tau2 = p;
    return radvar_theory_cdf_psi2(x, dof_tau2[0], dof_tau2[1]);
}

/* the SMA of k squared N(0, sigma^2) gradients is exactly Theorem 1's model
 * (the cases of test_sim.c) */
static const struct {
    uint64_t window;
    double sigma;
    uint64_t seed;
} sma_cases[] = {{5, 1.0, 11}, {6, 0.01, 12}, {10, 1.0, 13}, {50, 3.0, 14}, {200, 1.0, 15}};

START_TEST(test_mc_sma_theorem)
{
    int generator = 1 + _i / (int)N_ELEMS(sma_cases);
    size_t i = (size_t)_i % N_ELEMS(sma_cases);
    uint64_t k = sma_cases[i].window, t = k;
    double sigma = sma_cases[i].sigma, tau2 = 1 / (sigma * sigma);
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    c.steps = t;
    c.trials = 100000;
    c.sigma = sigma;
    c.seed = sma_cases[i].seed;
    c.threads = 2;
    c.average = RADVAR_AVERAGE_SMA;
    c.window = k;
    c.report = &t;
    c.n_report = 1;
    c.ks = &t;
    c.n_ks = 1;
    c.generator = generator;
    radvar_sim *s = run(&c);
    const radvar_stats_moments *m = radvar_sim_moments(s, 0);
    double var = radvar_stats_moments_variance(m), se_var = radvar_stats_moments_se_variance(m);
    double z_mean = (m->mean - radvar_theory_mean_psi((double)k, tau2)) / sqrt(var / m->n);
    double z_var = (var - radvar_theory_var_psi((double)k, tau2)) / se_var;
    double model[2] = {(double)k, tau2}, d, p;
    double *x = malloc(c.trials * sizeof *x);
    memcpy(x, radvar_sim_ks_sample(s, 0), c.trials * sizeof *x);
    ck_assert_int_eq(radvar_stats_ks_test(x, c.trials, cdf_model, model, &d, &p), RADVAR_SUCCESS);
    printf("generator %d, SMA k = %4llu: mean %+.2f se, variance %+.2f se, KS p = %.3g\n", generator,
           (unsigned long long)k, z_mean, z_var, p);
    ck_assert_msg(fabs(z_mean) < K_SE, "mean off by %.2f standard errors", z_mean);
    ck_assert_msg(fabs(z_var) < K_SE, "variance off by %.2f standard errors", z_var);
    ck_assert_msg(p > 1e-4, "KS p-value %g", p);
    free(x);
    radvar_sim_free(s);
}
END_TEST

/* the EMA at beta2 = 0.999 against its exact moments (exact.h), mu = 0 and 0.5 */
START_TEST(test_mc_ema_exact)
{
    int generator = 1 + _i / 2;
    double mu = _i % 2 ? 0.5 : 0.0;
    uint64_t report[] = {10, 100, 1000, 3000};
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    c.steps = 3000;
    c.trials = 40000;
    c.mu = mu;
    c.seed = 31 + (uint64_t)_i;
    c.threads = 2;
    c.report = report;
    c.n_report = N_ELEMS(report);
    c.generator = generator;
    radvar_sim *s = run(&c);
    for (size_t k = 0; k < N_ELEMS(report); k++) {
        radvar_exact_moments e;
        ck_assert_int_eq(radvar_exact_moments_ema(0.999, (double)report[k], mu, 1.0, &e), RADVAR_SUCCESS);
        const radvar_stats_moments *m = radvar_sim_moments(s, k);
        double var = radvar_stats_moments_variance(m);
        double z_mean = (m->mean - e.mean_psi) / sqrt(var / m->n);
        double z_var = (var - e.var_psi) / radvar_stats_moments_se_variance(m);
        printf("generator %d, EMA mu = %g, t = %4llu: mean %+.2f se, variance %+.2f se\n", generator, mu,
               (unsigned long long)report[k], z_mean, z_var);
        ck_assert_msg(fabs(z_mean) < K_SE && fabs(z_var) < K_SE, "t = %llu: %.2f, %.2f se",
                      (unsigned long long)report[k], z_mean, z_var);
    }
    radvar_sim_free(s);
}
END_TEST

/* the same bytes for 1, 2 and 3 threads, with KS samples and a partial last chunk */
START_TEST(test_v2_thread_independence)
{
    uint64_t report[] = {1, 2, 3, 4, 5, 77, 301}, ks[] = {3, 301};
    radvar_sim *s[3];
    for (int p = 0; p < 3; p++) {
        radvar_sim_config c;
        radvar_sim_config_default(&c);
        c.beta2 = 0.99;
        c.steps = 301;
        c.trials = 5001; /* 19 full chunks and one of 137 lanes */
        c.mu = 0.1;
        c.sigma = 2.0;
        c.seed = 5;
        c.threads = p + 1;
        c.average = _i ? RADVAR_AVERAGE_SMA : RADVAR_AVERAGE_EMA;
        c.report = report;
        c.n_report = N_ELEMS(report);
        c.ks = ks;
        c.n_ks = 2;
        c.generator = 0; /* the default */
        s[p] = run(&c);
        ck_assert_int_eq(radvar_sim_generator(s[p]), RADVAR_RNG_DEFAULT);
    }
    for (int p = 1; p < 3; p++) {
        for (size_t k = 0; k < N_ELEMS(report); k++)
            ck_assert(memcmp(radvar_sim_moments(s[0], k), radvar_sim_moments(s[p], k),
                             sizeof(radvar_stats_moments)) == 0);
        for (size_t j = 0; j < 2; j++)
            ck_assert(memcmp(radvar_sim_ks_sample(s[0], j), radvar_sim_ks_sample(s[p], j),
                             5001 * sizeof(double)) == 0);
    }
    /* psi^2 kept at the KS steps is the square of what the moments saw */
    ck_assert(radvar_sim_ks_sample(s[0], 0)[0] > 0);
    for (int p = 0; p < 3; p++)
        radvar_sim_free(s[p]);
}
END_TEST

START_TEST(test_config_generator)
{
    uint64_t t = 5;
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    ck_assert_int_eq(c.generator, RADVAR_RNG_DEFAULT);
    c.steps = 10;
    c.report = &t;
    c.n_report = 1;
    radvar_sim *s = (radvar_sim *)&s;
    c.generator = 3;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    ck_assert_ptr_null(s);
    c.generator = -1;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("generator");
    TCase *kat = tcase_create("Known answers");
    tcase_add_test(kat, test_v2_known_answers);
    tcase_add_test(kat, test_v2_transform);
    tcase_add_test(kat, test_versions);
    tcase_add_test(kat, test_v2_lanes_equal_scalar);
    tcase_add_test(kat, test_v2_paths);
    tcase_add_test(kat, test_v2_words);
    tcase_add_test(kat, test_v1_engine_unchanged);
    tcase_add_test(kat, test_v2_engine_reference);
    tcase_set_timeout(kat, 120);
    suite_add_tcase(s, kat);
    TCase *dist = tcase_create("Distribution");
    tcase_add_test(dist, test_v2_distribution);
    tcase_add_test(dist, test_v2_correlations);
    tcase_set_timeout(dist, 300);
    suite_add_tcase(s, dist);
    TCase *mc = tcase_create("Monte Carlo");
    tcase_add_loop_test(mc, test_mc_sma_theorem, 0, 2 * (int)N_ELEMS(sma_cases));
    tcase_add_loop_test(mc, test_mc_ema_exact, 0, 4);
    tcase_add_loop_test(mc, test_v2_thread_independence, 0, 2);
    tcase_set_timeout(mc, 600);
    suite_add_tcase(s, mc);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_config_generator);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
