/* test_sim_noise.c: the Monte Carlo engine under the noise models
 * (radvar_sim_config.noise, src/sim_noise.c).
 *
 * - The samplers' own moments and laws: mean 0, E[e^2] = 1, E[e^4] = the
 *   model's kurtosis (where the eighth moment is finite), a KS test against
 *   the model's cdf; for ar1 the stationary marginals and the autocorrelation
 *   across block boundaries; for decay e_t / scale_t ~ N(0, 1).
 * - The noise is a pure function of (seed, generator, trial, t): the same bits
 *   whatever the lanes, chunk, first trial and thread count.
 * - The simulated moments of psi_t against the exact ones
 *   (radvar_exact_moments_ema_noise) for every model, mu = 0 and mu != 0,
 *   both generators.
 * Every Monte Carlo comparison is in standard errors at a fixed seed, failing
 * beyond K_SE = 5 (probability 5.7e-7 each under a normal law; a KS test
 * fails below p = 1e-6): a run's outcome never changes, and a correct engine
 * given other seeds passes too.  The z-scores are printed. */
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "check_util.h"
#include "radvar/exact.h"
#include "radvar/noise.h"
#include "radvar/rng.h"
#include "radvar/schedule.h"
#include "radvar/sim.h"
#include "radvar/stats.h"
#include "../src/dispatch.h"    /* internal: which path this processor takes */
#include "../src/rng_v2.h"      /* internal: the stream words of the lanes */
#include "../src/sim_source.h"  /* internal: the sources themselves */

#define K_SE 5.0
#define KS_P_MIN 1e-6

static radvar_noise parsed(const char *spec)
{
    radvar_noise n;
    char why[256];
    ck_assert_msg(radvar_noise_parse(spec, &n, why, sizeof why) == RADVAR_SUCCESS, "%s: %s", spec, why);
    return n;
}

/* ---------------------------------------------------------------- the sources */

/* The noise of trials first .. first + lanes - 1 at steps 1 .. 4 blocks, into
 * out[(t - 1) * lanes + l], drawn through the source as the engine does
 * (stride > lanes leaves a gap in every row). */
static void draw_path(const radvar_noise *n, int gen, uint64_t seed, uint64_t first, size_t lanes,
                      size_t stride, uint64_t blocks, int avx2, double *out)
{
    sim_noise_params p;
    sim_source src;
    ck_assert_int_eq(radvar_sim_noise_source(n, &p, &src), RADVAR_SUCCESS);
    uint32_t *c2 = malloc(stride * sizeof *c2), *c3 = malloc(stride * sizeof *c3);
    float *scratch = malloc(4 * stride * sizeof *scratch);
    double *state = calloc(stride * (src.state_doubles ? src.state_doubles : 1), sizeof *state);
    double *e = malloc(4 * stride * sizeof *e);
    ck_assert(c2 && c3 && scratch && state && e);
    radvar_v2_stream_words(first, lanes, c2, c3);
    sim_source_ctx ctx = {seed, gen, first, lanes, stride, c2, c3, avx2, scratch, state};
    for (uint64_t b = 0; b < blocks; b++) {
        src.fill(src.params, &ctx, b, e);
        for (size_t s = 0; s < 4; s++)
            memcpy(out + (4 * b + s) * lanes, e + s * stride, lanes * sizeof *out);
    }
    free(c2);
    free(c3);
    free(scratch);
    free(state);
    free(e);
}

static void draw(const radvar_noise *n, int gen, uint64_t seed, uint64_t first, size_t lanes,
                 size_t stride, uint64_t blocks, double *out)
{
    draw_path(n, gen, seed, first, lanes, stride, blocks, 0, out);
}

/* the z-score of the sample mean of x[0..n) against want */
static double z_mean(const double *x, size_t n, double want)
{
    radvar_stats_moments m;
    radvar_stats_moments_of(x, n, &m);
    return (m.mean - want) / sqrt(radvar_stats_moments_variance(&m) / m.n);
}

/* z-scores of E[x^k] against want, k = 1, 2, 4, over x[0..n) */
static double z_power(const double *x, size_t n, int k, double want)
{
    double *y = malloc(n * sizeof *y);
    ck_assert_ptr_nonnull(y);
    for (size_t i = 0; i < n; i++)
        y[i] = k == 1 ? x[i] : k == 2 ? x[i] * x[i] : (x[i] * x[i]) * (x[i] * x[i]);
    double z = z_mean(y, n, want);
    free(y);
    return z;
}

static void assert_z(double z, const char *what, const char *spec, int gen)
{
    printf("  %-26s gen %d  %-22s %+6.2f se\n", spec, gen, what, z);
    ck_assert_msg(fabs(z) < K_SE, "%s (generator %d): %s off by %.2f standard errors", spec, gen,
                  what, z);
}

/* the cdfs of the unit-variance noise */
static double cdf_normal(double x, void *p)
{
    (void)p;
    return gsl_cdf_ugaussian_P(x);
}

static double cdf_student(double x, void *p)
{
    double nu = *(const double *)p;
    return gsl_cdf_tdist_P(x * sqrt(nu / (nu - 2.0)), nu);
}

static double cdf_laplace(double x, void *p)
{
    (void)p;
    double y = 1.41421356237309504880 * x;
    return x < 0 ? 0.5 * exp(y) : 1.0 - 0.5 * exp(-y);
}

static double cdf_mixture(double x, void *p)
{
    const radvar_noise *n = p;
    double c = 1.0 / sqrt(1.0 - n->p + n->p * n->k * n->k);
    return (1.0 - n->p) * gsl_cdf_ugaussian_P(x / c) + n->p * gsl_cdf_ugaussian_P(x / (c * n->k));
}

static void assert_ks(double *x, size_t n, double (*cdf)(double, void *), void *params,
                      const char *what, const char *spec, int gen)
{
    double d, pv;
    ck_assert_int_eq(radvar_stats_ks_test(x, n, cdf, params, &d, &pv), RADVAR_SUCCESS);
    printf("  %-26s gen %d  %-22s KS D = %.3g, p = %.3g\n", spec, gen, what, d, pv);
    ck_assert_msg(pv > KS_P_MIN, "%s (generator %d): %s fails the KS test (p = %g)", spec, gen,
                  what, pv);
}

/* i.i.d. models: mean 0, E[e^2] = 1, E[e^4] = kurtosis (eighth moment finite), KS */
static const struct {
    const char *spec;
    int fourth; /* the sample fourth moment has a standard error */
} iid_specs[] = {{"normal", 1},          {"student:nu=10", 1},      {"student:nu=5", 0},
                 {"student:nu=2.5", 0},  {"student:nu=1000", 1},    {"laplace", 1},
                 {"mixture:p=0.1,k=4", 1}, {"mixture:p=0.7,k=0.05", 1}};

#define IID_TRIALS 4096
#define IID_BLOCKS 16

START_TEST(test_iid_sampler)
{
    const char *spec = iid_specs[_i / 2].spec;
    int gen = 1 + _i % 2;
    radvar_noise n = parsed(spec);
    size_t count = (size_t)IID_TRIALS * 4 * IID_BLOCKS;
    double *x = malloc(count * sizeof *x);
    ck_assert_ptr_nonnull(x);
    draw(&n, gen, 20240 + (uint64_t)_i, 0, IID_TRIALS, IID_TRIALS + 3, IID_BLOCKS, x);
    assert_z(z_power(x, count, 1, 0.0), "mean", spec, gen);
    if (n.kind != RADVAR_NOISE_STUDENT || n.nu > 4)
        assert_z(z_power(x, count, 2, 1.0), "E[e^2] = 1", spec, gen);
    if (iid_specs[_i / 2].fourth)
        assert_z(z_power(x, count, 4, radvar_noise_kurtosis(&n)), "E[e^4] = kurtosis", spec, gen);
    switch (n.kind) {
    case RADVAR_NOISE_STUDENT: assert_ks(x, count, cdf_student, &n.nu, "law", spec, gen); break;
    case RADVAR_NOISE_LAPLACE: assert_ks(x, count, cdf_laplace, NULL, "law", spec, gen); break;
    case RADVAR_NOISE_MIXTURE: assert_ks(x, count, cdf_mixture, &n, "law", spec, gen); break;
    default: assert_ks(x, count, cdf_normal, NULL, "law", spec, gen); break;
    }
    free(x);
}
END_TEST

/* ar1: e_t ~ N(0, 1) at every t (stationary from t = 1), E[e_t e_(t+d)] =
 * phi^d, across the boundaries of the 4-step blocks; products of one trial
 * are dependent, so each statistic is over the trials at one (t, d). */
START_TEST(test_ar1_sampler)
{
    static const char *const specs[] = {"ar1:phi=0.9", "ar1:phi=-0.6", "ar1:phi=0.999"};
    const char *spec = specs[_i / 2];
    int gen = 1 + _i % 2;
    radvar_noise n = parsed(spec);
    const size_t trials = 65536, blocks = 4;
    double *x = malloc(trials * 4 * blocks * sizeof *x), *y = malloc(trials * sizeof *y);
    ck_assert(x && y);
    draw(&n, gen, 777 + (uint64_t)_i, 5, trials, trials, blocks, x);
    static const int at[][2] = {{1, 0}, {1, 1}, {2, 3}, {4, 1}, {4, 5}, {16, 0}, {7, 9}};
    for (size_t c = 0; c < N_ELEMS(at); c++) {
        int t = at[c][0], d = at[c][1];
        const double *a = x + (size_t)(t - 1) * trials, *b = x + (size_t)(t - 1 + d) * trials;
        for (size_t l = 0; l < trials; l++)
            y[l] = a[l] * b[l];
        char what[48];
        snprintf(what, sizeof what, "E[e_%d e_%d] = phi^%d", t, t + d, d);
        assert_z(z_mean(y, trials, pow(n.phi, d)), what, spec, gen);
    }
    for (int t = 1; t <= 16; t += 15) {
        memcpy(y, x + (size_t)(t - 1) * trials, trials * sizeof *y);
        char what[32];
        snprintf(what, sizeof what, "e_%d ~ N(0, 1)", t);
        assert_z(z_mean(y, trials, 0.0), what, spec, gen);
        assert_ks(y, trials, cdf_normal, NULL, what, spec, gen);
    }
    free(x);
    free(y);
}
END_TEST

/* decay: e_t (1 + t/tau)^a ~ N(0, 1), pooled over t (independent steps) */
START_TEST(test_decay_sampler)
{
    static const char *const specs[] = {"decay:a=0.5,tau=10", "decay:a=3,tau=0.5"};
    const char *spec = specs[_i / 2];
    int gen = 1 + _i % 2;
    radvar_noise n = parsed(spec);
    const size_t trials = 4096, blocks = 32, count = trials * 4 * blocks;
    double *x = malloc(count * sizeof *x);
    ck_assert_ptr_nonnull(x);
    draw(&n, gen, 31 + (uint64_t)_i, 0, trials, trials, blocks, x);
    for (size_t t = 1; t <= 4 * blocks; t++) {
        double scale = pow(1.0 + (double)t / n.tau, -n.a);
        for (size_t l = 0; l < trials; l++)
            x[(t - 1) * trials + l] /= scale;
    }
    assert_z(z_power(x, count, 1, 0.0), "mean", spec, gen);
    assert_z(z_power(x, count, 2, 1.0), "E[(e/scale)^2] = 1", spec, gen);
    assert_z(z_power(x, count, 4, 3.0), "E[(e/scale)^4] = 3", spec, gen);
    assert_ks(x, count, cdf_normal, NULL, "e/scale ~ N(0, 1)", spec, gen);
    free(x);
}
END_TEST

/* The noise of a trial is a pure function of (seed, generator, trial, t):
 * trials 1010..1014 drawn as lanes 10..14 of a chunk of 37 and as a chunk
 * of their own are the same bits, at every block (ar1 carries its state). */
static const char *const all_specs[] = {"normal", "student:nu=3.5", "student:nu=2.01", "student:nu=60",
                                        "laplace", "mixture:p=0.2,k=3",
                                        "ar1:phi=0.7", "decay:a=0.8,tau=20"};

START_TEST(test_source_is_pure)
{
    const char *spec = all_specs[_i / 2];
    int gen = 1 + _i % 2;
    radvar_noise n = parsed(spec);
    const uint64_t blocks = 6;
    double *a = malloc(37 * 4 * blocks * sizeof *a), *b = malloc(5 * 4 * blocks * sizeof *b);
    ck_assert(a && b);
    draw(&n, gen, UINT64_C(0x123456789abcdef), 1000, 37, 40, blocks, a);
    draw(&n, gen, UINT64_C(0x123456789abcdef), 1010, 5, 8, blocks, b);
    for (uint64_t t = 0; t < 4 * blocks; t++)
        for (size_t l = 0; l < 5; l++)
            ck_assert_msg(memcmp(&a[t * 37 + 10 + l], &b[t * 5 + l], sizeof(double)) == 0,
                          "%s generator %d: trial %zu step %llu differs between chunks", spec, gen,
                          1010 + l, (unsigned long long)t + 1);
    /* the normals are the generator's own (normal, and mixture's Z up to its scale) */
    if (n.kind == RADVAR_NOISE_NORMAL)
        for (uint64_t t = 0; t < 4 * blocks; t++)
            ck_assert(b[t * 5 + 2] == radvar_rng_normal(gen, UINT64_C(0x123456789abcdef), 1012, t));
    free(a);
    free(b);
}
END_TEST

/* The AVX2 path (student's vectorised squeeze, the generator's normals)
 * gives the portable path's bits, for every model, both generators, odd lane
 * counts (tests/test_dispatch.sh does the same through the program). */
START_TEST(test_paths_agree)
{
    if (!radvar_dispatch_avx2()) {
        printf("  no AVX2 path on this processor (or RADVAR_DISPATCH=portable): skipped\n");
        return;
    }
    const char *spec = all_specs[_i / 2];
    int gen = 1 + _i % 2;
    radvar_noise n = parsed(spec);
    const size_t lanes = 1001, blocks = 8, count = lanes * 4 * blocks;
    double *a = malloc(count * sizeof *a), *b = malloc(count * sizeof *b);
    ck_assert(a && b);
    draw_path(&n, gen, 5, 123456789, lanes, lanes + 2, blocks, 0, a);
    draw_path(&n, gen, 5, 123456789, lanes, lanes + 2, blocks, 1, b);
    ck_assert_msg(memcmp(a, b, count * sizeof *a) == 0, "%s generator %d: the paths differ", spec, gen);
    free(a);
    free(b);
}
END_TEST

/* the auxiliary words of generator 2 are radvar_rng_v2_words */
START_TEST(test_words_are_v2_words)
{
    for (uint32_t domain = 1; domain < 0x400; domain += 0x55)
        for (uint64_t block = 0; block < 3; block++) {
            uint32_t w[4], v[4], w1[4];
            radvar_sim_noise_words(RADVAR_RNG_V2, 99, UINT64_C(1) << 40, domain, block, w);
            radvar_rng_v2_words(99, UINT64_C(1) << 40, domain, block, v);
            ck_assert(memcmp(w, v, sizeof w) == 0);
            radvar_sim_noise_words(RADVAR_RNG_V1, 99, UINT64_C(1) << 40, domain, block, w1);
            ck_assert(memcmp(w, w1, sizeof w) != 0); /* another tag */
        }
}
END_TEST

/* ---------------------------------------------------------------- the engine */

static radvar_sim_config config(const char *spec, double beta2, uint64_t steps, uint64_t trials,
                                double mu, double sigma, uint64_t seed, int gen)
{
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    c.beta2 = beta2;
    c.steps = steps;
    c.trials = trials;
    c.mu = mu;
    c.sigma = sigma;
    c.seed = seed;
    c.generator = gen;
    c.threads = 2;
    c.noise = parsed(spec);
    return c;
}

static radvar_sim *run(const radvar_sim_config *c)
{
    radvar_sim *s;
    ck_assert_int_eq(radvar_sim_alloc(c, &s), RADVAR_SUCCESS);
    while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
        ;
    ck_assert_uint_eq(radvar_sim_trials_done(s), c->trials);
    return s;
}

/* The simulated mean and variance of psi_t against the exact moments. */
static const struct {
    const char *spec;
    double beta2, mu, sigma;
    int gen;
} mc_cases[] = {
    {"normal", 0.99, 0.0, 1.0, 1},
    {"student:nu=5", 0.99, 0.0, 1.0, 2},
    {"student:nu=5", 0.999, 0.5, 1.0, 2},
    {"student:nu=3", 0.99, 0.0, 2.0, 2},
    {"student:nu=30", 0.9, 1.0, 2.0, 1},
    {"laplace", 0.99, 0.0, 1.0, 2},
    {"laplace", 0.9, 0.5, 1.0, 1},
    {"mixture:p=0.1,k=5", 0.99, 0.0, 1.0, 2},
    {"mixture:p=0.1,k=5", 0.999, 0.5, 0.3, 1},
    {"ar1:phi=0.9", 0.99, 0.0, 1.0, 2},
    {"ar1:phi=-0.5", 0.9, 0.5, 1.0, 2},
    {"ar1:phi=0.99", 0.999, 0.3, 1.0, 1},
    {"decay:a=0.5,tau=50", 0.99, 0.0, 1.0, 2},
    {"decay:a=1,tau=10", 0.999, 0.5, 1.0, 2},
    {"decay:a=2,tau=100", 0.9, 0.2, 3.0, 1},
};

/* One case: the largest |z| over its steps. */
static double mc_case(size_t i)
{
    uint64_t report[] = {5, 20, 60, 300};
    radvar_sim_config c = config(mc_cases[i].spec, mc_cases[i].beta2, 300, 25000, mc_cases[i].mu,
                                 mc_cases[i].sigma, 5000 + (uint64_t)i, mc_cases[i].gen);
    c.report = report;
    c.n_report = N_ELEMS(report);
    radvar_sim *s = run(&c);
    double worst = 0;
    for (size_t k = 0; k < N_ELEMS(report); k++) {
        radvar_exact_moments ex;
        ck_assert_int_eq(radvar_exact_moments_ema_noise(c.beta2, (double)report[k], c.mu, c.sigma,
                                                        &c.noise, &ex),
                         RADVAR_SUCCESS);
        const radvar_stats_moments *m = radvar_sim_moments(s, k);
        double v = radvar_stats_moments_variance(m), se_v = radvar_stats_moments_se_variance(m);
        double zm = (m->mean - ex.mean_psi) / sqrt(v / m->n), zv = (v - ex.var_psi) / se_v;
        printf("  %-20s gen %d b2 %-5g mu %-3g sigma %-3g t %3llu: mean %+5.2f se, variance "
               "%+5.2f se (se/var %.2g%%)\n",
               mc_cases[i].spec, c.generator, c.beta2, c.mu, c.sigma,
               (unsigned long long)report[k], zm, zv, 100 * se_v / v);
        worst = fmax(worst, fmax(fabs(zm), fabs(zv)));
    }
    radvar_sim_free(s);
    return worst;
}

/* every case, then the worst deviation per model, then the verdict */
START_TEST(test_mc_matches_exact)
{
    double worst[6] = {0}, all = 0;
    size_t at = 0;
    for (size_t i = 0; i < N_ELEMS(mc_cases); i++) {
        double z = mc_case(i);
        radvar_noise_kind kind = parsed(mc_cases[i].spec).kind;
        worst[kind] = fmax(worst[kind], z);
        if (z > all) {
            all = z;
            at = i;
        }
    }
    for (int k = 0; k < 6; k++)
        printf("  worst Monte Carlo deviation from exact, %-8s %.2f se\n",
               radvar_noise_name((radvar_noise_kind)k), worst[k]);
    ck_assert_msg(all < K_SE, "%s mu %g: off by %.2f standard errors", mc_cases[at].spec,
                  mc_cases[at].mu, all);
}
END_TEST

/* Thread counts, chunks and the first trial do not change a trial's psi:
 * the KS samples (psi^2 per trial) of trials 300..699 run alone equal those
 * of a run of trials 0..999, and the moments of 1 and 2 threads are equal. */
START_TEST(test_engine_deterministic)
{
    const char *spec = all_specs[_i / 2];
    int gen = 1 + _i % 2;
    uint64_t report[] = {3, 17, 64}, ks[] = {17, 64};
    radvar_sim_config c = config(spec, 0.99, 64, 1000, 0.25, 1.5, 42, gen);
    c.report = report;
    c.n_report = N_ELEMS(report);
    c.ks = ks;
    c.n_ks = N_ELEMS(ks);
    c.threads = 1;
    radvar_sim *one = run(&c);
    c.threads = 2;
    radvar_sim *two = run(&c);
    for (size_t k = 0; k < N_ELEMS(report); k++)
        ck_assert(memcmp(radvar_sim_moments(one, k), radvar_sim_moments(two, k),
                         sizeof(radvar_stats_moments)) == 0);
    c.first_trial = 300;
    c.trials = 400;
    radvar_sim *part = run(&c);
    for (size_t j = 0; j < N_ELEMS(ks); j++)
        ck_assert(memcmp(radvar_sim_ks_sample(part, j), radvar_sim_ks_sample(one, j) + 300,
                         400 * sizeof(double)) == 0);
    /* the SMA takes the same noise */
    c.average = RADVAR_AVERAGE_SMA;
    c.threads = 1;
    radvar_sim *sma1 = run(&c);
    c.threads = 2;
    radvar_sim *sma2 = run(&c);
    for (size_t k = 0; k < N_ELEMS(report); k++)
        ck_assert(memcmp(radvar_sim_moments(sma1, k), radvar_sim_moments(sma2, k),
                         sizeof(radvar_stats_moments)) == 0);
    radvar_sim_free(one);
    radvar_sim_free(two);
    radvar_sim_free(part);
    radvar_sim_free(sma1);
    radvar_sim_free(sma2);
}
END_TEST

/* The normal model is the engine of before (the fused kernel and all); the
 * student source multiplies the generator's own Z by sqrt(nu - 2)/sqrt(W),
 * which is exactly 1 in double for nu = 1e300: the general loop then gives
 * the fused kernel's bits. */
START_TEST(test_normal_model_is_default)
{
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    ck_assert_int_eq(c.noise.kind, RADVAR_NOISE_NORMAL);
    uint64_t report[] = {10, 100};
    c.report = report;
    c.n_report = 2;
    c.steps = 100;
    c.trials = 500;
    radvar_sim *a = run(&c);
    c.noise = parsed("student:nu=1e300");
    radvar_sim *b = run(&c);
    for (size_t k = 0; k < 2; k++)
        ck_assert(memcmp(radvar_sim_moments(a, k), radvar_sim_moments(b, k),
                         sizeof(radvar_stats_moments)) == 0);
    radvar_sim_free(a);
    radvar_sim_free(b);
}
END_TEST

/* What the moments say under a noise model: the matched model, the exact
 * variance of the noise model, and where neither exists. */
START_TEST(test_summary_under_noise)
{
    uint64_t report[] = {3, 50}, ks[] = {50};
    radvar_sim_config c = config("laplace", 0.99, 50, 600, 0.0, 2.0, 9, 2);
    c.report = report;
    c.n_report = 2;
    c.ks = ks;
    c.n_ks = 1;
    radvar_sim *s = run(&c);
    double rho, tau2, d, p;
    ck_assert_int_eq(radvar_sim_model(s, 1, &rho, &tau2), RADVAR_SUCCESS);
    ck_assert_rel(rho, 0.4 * radvar_sim_dof(s, 1), TEST_TOL1); /* 2/(kappa-1), kappa = 6 */
    ck_assert_rel(tau2, 0.25, TEST_TOL0);
    radvar_result v;
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_sim_var_exact_e(s, 1, &v), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99, 50, 0.0, 2.0, &c.noise, &m), RADVAR_SUCCESS);
    ck_assert(v.val == m.var_psi);
    radvar_sim_summary sum;
    ck_assert_int_eq(radvar_sim_summarize(s, 0, &sum), RADVAR_SUCCESS);
    ck_assert(isinf(sum.var_model)); /* 0.4 rho_3 <= 2 */
    ck_assert_int_eq(radvar_sim_ks_test(s, 0, &d, &p), RADVAR_SUCCESS);
    ck_assert(d >= 0 && d < 1 && p >= 0 && p <= 1);
    radvar_sim_free(s);

    /* infinite kurtosis: nu = 0, no dof, no KS */
    c.noise = parsed("student:nu=3");
    s = run(&c);
    ck_assert_int_eq(radvar_sim_model(s, 1, &rho, &tau2), RADVAR_SUCCESS);
    ck_assert(rho == 0.0);
    ck_assert_int_eq(radvar_sim_summarize(s, 1, &sum), RADVAR_SUCCESS);
    ck_assert(isinf(sum.var_model));
    ck_assert_nan(sum.rho_eff);
    ck_assert_int_eq(radvar_sim_ks_test(s, 0, &d, &p), RADVAR_SUCCESS);
    ck_assert_nan(d);
    ck_assert_nan(p);
    radvar_sim_free(s);

    /* decay (EMA): nu = rho_mm / rho_moment, tau2 = 1/E[X] */
    c.noise = parsed("decay:a=1,tau=10");
    c.mu = 0.5;
    s = run(&c);
    ck_assert_int_eq(radvar_sim_model(s, 1, &rho, &tau2), RADVAR_SUCCESS);
    ck_assert_rel(rho, radvar_noise_rho_mm(&c.noise, 0.99, 50, 0.5, 2.0)
                           / radvar_schedule_rho_moment(0.99, 50) * radvar_sim_dof(s, 1), TEST_TOL1);
    ck_assert_rel(tau2, 1.0 / radvar_noise_mean_square(&c.noise, 0.99, 50, 0.5, 2.0), TEST_TOL0);
    radvar_sim_free(s);

    /* ar1 under the SMA: no model, no exact variance */
    c.noise = parsed("ar1:phi=0.5");
    c.average = RADVAR_AVERAGE_SMA;
    s = run(&c);
    ck_assert_int_eq(radvar_sim_model(s, 1, &rho, &tau2), RADVAR_SUCCESS);
    ck_assert_nan(rho);
    ck_assert_nan(tau2);
    ck_assert_int_eq(radvar_sim_var_exact_e(s, 1, &v), RADVAR_EDOM);
    ck_assert_nan(v.val);
    ck_assert_int_eq(radvar_sim_summarize(s, 1, &sum), RADVAR_SUCCESS);
    ck_assert_nan(sum.var_model);
    ck_assert_nan(sum.rho_eff);
    ck_assert(isfinite(sum.var_psi));
    radvar_sim_free(s);
}
END_TEST

START_TEST(test_config_errors)
{
    uint64_t report[] = {10};
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    c.report = report;
    c.n_report = 1;
    radvar_sim *s = (radvar_sim *)&c;
    c.noise.kind = (radvar_noise_kind)99;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    ck_assert_ptr_null(s);
    c.noise = parsed("student:nu=3");
    c.noise.nu = 2.0;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c.noise = parsed("mixture:p=0.5,k=2");
    c.noise.p = 1.0;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c.noise = parsed("ar1:phi=0.5");
    c.noise.phi = -1.0;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    /* decay: the scale at the last step would fall below 1e-150 */
    c.noise = parsed("decay:a=100,tau=0.01");
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c.steps = 10;
    c.noise = parsed("decay:a=10,tau=1");
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_SUCCESS);
    radvar_sim_free(s);
    sim_noise_params p;
    sim_source src;
    c.noise.tau = 0;
    ck_assert_int_eq(radvar_sim_noise_source(&c.noise, &p, &src), RADVAR_EINVAL);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("sim_noise");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_iid_sampler, 0, 2 * (int)N_ELEMS(iid_specs));
    tcase_add_loop_test(core, test_ar1_sampler, 0, 6);
    tcase_add_loop_test(core, test_decay_sampler, 0, 4);
    tcase_add_loop_test(core, test_source_is_pure, 0, 2 * (int)N_ELEMS(all_specs));
    tcase_add_loop_test(core, test_paths_agree, 0, 2 * (int)N_ELEMS(all_specs));
    tcase_add_test(core, test_words_are_v2_words);
    tcase_add_test(core, test_mc_matches_exact);
    tcase_add_loop_test(core, test_engine_deterministic, 0, 2 * (int)N_ELEMS(all_specs));
    tcase_set_timeout(core, 600);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_normal_model_is_default);
    tcase_add_test(limits, test_summary_under_noise);
    tcase_add_test(limits, test_config_errors);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
