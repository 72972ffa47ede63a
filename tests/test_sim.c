/* test_sim.c: the Monte Carlo engine.
 *
 * The simulated moments of psi_t against the exact ones, within K_SE
 * standard errors at fixed seeds: the EMA against the exact EMA moments
 * (radvar/exact.h, quadrature) and the SMA against Theorem 1 (mu = 0) or the
 * exact moments of equal weights (mu != 0), with KS tests of psi^2 against
 * the theorem's distribution; thread-count independence, chunk and
 * superchunk merging, the SMA windows, the summary, configuration errors.
 * The generator is tested in test_rng.c, the moments in test_stats.c. */
#include <string.h>

#include "check_util.h"
#include "radvar/exact.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/sim.h"
#include "radvar/stats.h"
#include "radvar/theory.h"

/* Deviations beyond K_SE standard errors fail.  The seeds are fixed, so a
 * run's outcome never changes; K_SE = 5 is chosen so that the comparisons
 * hold for about every seed a correct engine could be given (a new
 * generator version, another chunk size): each fails with probability
 * 5.7e-7 under a normal law, the 54 of this file together with 3e-5.  The
 * z-scores are printed: a bias in the engine shows there long before it
 * reaches 5. */
#define K_SE 5.0

/* A configuration from the defaults, by field. */
static radvar_sim_config config(double beta2, uint64_t steps, uint64_t trials, double mu,
                                double sigma, uint64_t seed)
{
    radvar_sim_config cfg;
    radvar_sim_config_default(&cfg);
    cfg.beta2 = beta2;
    cfg.steps = steps;
    cfg.trials = trials;
    cfg.mu = mu;
    cfg.sigma = sigma;
    cfg.seed = seed;
    cfg.threads = 2;
    return cfg;
}

/* Run a simulation to the end and return it. */
static radvar_sim *run(const radvar_sim_config *cfg)
{
    radvar_sim *s;
    ck_assert_int_eq(radvar_sim_alloc(cfg, &s), RADVAR_SUCCESS);
    while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
        ;
    ck_assert_int_eq(radvar_sim_iterate(s), RADVAR_SUCCESS); /* done stays done */
    ck_assert_uint_eq(radvar_sim_trials_done(s), cfg->trials);
    ck_assert_uint_eq(radvar_sim_trials_total(s), cfg->trials);
    return s;
}

/* z-scores of the sample mean and variance of psi against exact values. */
static void compare(const radvar_stats_moments *m, double mean, double var, const char *what)
{
    double v = radvar_stats_moments_variance(m), se_v = radvar_stats_moments_se_variance(m);
    double z_mean = (m->mean - mean) / sqrt(v / m->n), z_var = (v - var) / se_v;
    printf("  %-44s mean %+5.2f se, variance %+5.2f se (se/var %.2g%%)\n", what, z_mean, z_var,
           100 * se_v / var);
    ck_assert_msg(fabs(z_mean) < K_SE, "%s: mean off by %.2f standard errors", what, z_mean);
    ck_assert_msg(fabs(z_var) < K_SE, "%s: variance off by %.2f standard errors", what, z_var);
}

/* The EMA against the exact EMA moments, at several steps. */
static const struct {
    double beta2, mu, sigma;
    uint64_t seed;
} ema_cases[] = {{0.9, 0.0, 1.0, 101}, {0.99, 0.5, 1.0, 102}, {0.999, 0.0, 0.01, 103},
                 {0.999, 2.0, 0.5, 104}, {0.99, 1.0, 3.0, 105}};

START_TEST(test_ema_matches_exact)
{
    uint64_t report[] = {20, 60, 300};
    radvar_sim_config cfg = config(ema_cases[_i].beta2, 300, 60000, ema_cases[_i].mu,
                                   ema_cases[_i].sigma, ema_cases[_i].seed);
    cfg.report = report;
    cfg.n_report = N_ELEMS(report);
    radvar_sim *s = run(&cfg);
    for (size_t k = 0; k < N_ELEMS(report); k++) {
        radvar_exact_moments ex;
        ck_assert_int_eq(radvar_exact_moments_ema(cfg.beta2, (double)report[k], cfg.mu, cfg.sigma,
                                                  &ex),
                         RADVAR_SUCCESS);
        char what[96];
        snprintf(what, sizeof what, "EMA beta2 %g mu %g sigma %g t %llu", cfg.beta2, cfg.mu,
                 cfg.sigma, (unsigned long long)report[k]);
        compare(radvar_sim_moments(s, k), ex.mean_psi, ex.var_psi, what);
        ck_assert(radvar_sim_dof(s, k) == radvar_schedule_rho_t(cfg.beta2, (double)report[k]));
    }
    radvar_sim_free(s);
}
END_TEST

/* The SMA of k squared N(mu, sigma^2) gradients: for mu = 0 exactly the
 * theorem's model (mean and variance from Theorem 1, and psi^2 passes the KS
 * test against Scale-inv-chi2(k, 1/sigma^2)); for mu != 0 the exact moments
 * of equal weights 1/k. */
static const struct {
    uint64_t window;
    double mu, sigma;
    uint64_t seed;
} sma_cases[] = {{5, 0.0, 1.0, 11},  {6, 0.0, 0.01, 12}, {10, 0.0, 1.0, 13}, {50, 0.0, 3.0, 14},
                 {200, 0.0, 1.0, 15}, {2000, 0.0, 0.5, 16}, {20, 0.5, 1.0, 17}, {50, 2.0, 1.0, 18}};

static double cdf_model(double x, void *p)
{
    const double *dof_tau2 = p;
    return radvar_theory_cdf_psi2(x, dof_tau2[0], dof_tau2[1]);
}

START_TEST(test_sma_matches_exact)
{
    uint64_t k = sma_cases[_i].window, t = k;
    double mu = sma_cases[_i].mu, sigma = sma_cases[_i].sigma, tau2 = 1 / (sigma * sigma);
    uint64_t trials = k >= 2000 ? 20000 : 100000;
    radvar_sim_config cfg = config(0.999, t, trials, mu, sigma, sma_cases[_i].seed);
    cfg.average = RADVAR_AVERAGE_SMA;
    cfg.window = k;
    cfg.report = &t;
    cfg.n_report = 1;
    cfg.ks = &t;
    cfg.n_ks = 1;
    radvar_sim *s = run(&cfg);
    ck_assert(radvar_sim_dof(s, 0) == (double)k);
    double mean, var;
    if (mu == 0) {
        mean = radvar_theory_mean_psi((double)k, tau2);
        var = radvar_theory_var_psi((double)k, tau2);
    } else {
        double *w = malloc(k * sizeof *w);
        for (uint64_t i = 0; i < k; i++)
            w[i] = 1.0 / (double)k;
        radvar_exact_moments ex;
        ck_assert_int_eq(radvar_exact_moments_weights(w, k, mu, sigma, &ex), RADVAR_SUCCESS);
        mean = ex.mean_psi;
        var = ex.var_psi;
        free(w);
    }
    char what[96];
    snprintf(what, sizeof what, "SMA k %llu mu %g sigma %g", (unsigned long long)k, mu, sigma);
    compare(radvar_sim_moments(s, 0), mean, var, what);
    if (mu == 0) {
        double model[2] = {(double)k, tau2}, d, p;
        double *x = malloc(trials * sizeof *x);
        memcpy(x, radvar_sim_ks_sample(s, 0), trials * sizeof *x);
        ck_assert_int_eq(radvar_stats_ks_test(x, trials, cdf_model, model, &d, &p), RADVAR_SUCCESS);
        printf("  %-44s KS D = %.4g p = %.3g\n", what, d, p);
        ck_assert_msg(p > 1e-4, "KS p-value %g", p); /* fixed seed: not a flaky test */
        free(x);
    }
    radvar_sim_free(s);
}
END_TEST

START_TEST(test_sma_window_follows_rho_t)
{
    /* window 0: k_t = round(rho_t), and the moments are the exact ones of
     * that many equal weights */
    uint64_t report[] = {1, 10, 100, 3000};
    radvar_sim_config cfg = config(0.999, 3000, 20000, 0.0, 1.0, 1);
    cfg.average = RADVAR_AVERAGE_SMA;
    cfg.report = report;
    cfg.n_report = N_ELEMS(report);
    radvar_sim *s = run(&cfg);
    for (size_t k = 0; k < N_ELEMS(report); k++) {
        double w = round(radvar_schedule_rho_t(0.999, (double)report[k]));
        double dof = w < 1 ? 1 : w;
        ck_assert(radvar_sim_dof(s, k) == dof);
        if (dof > 4) {
            char what[96];
            snprintf(what, sizeof what, "SMA k = round(rho_t) = %g at t %llu", dof,
                     (unsigned long long)report[k]);
            compare(radvar_sim_moments(s, k), radvar_theory_mean_psi(dof, 1.0),
                    radvar_theory_var_psi(dof, 1.0), what);
        }
    }
    ck_assert_nan(radvar_sim_dof(s, 4));
    ck_assert_ptr_null(radvar_sim_moments(s, 4));
    ck_assert_ptr_null(radvar_sim_ks_sample(s, 0));
    radvar_sim_free(s);
}
END_TEST

START_TEST(test_thread_independence)
{
    uint64_t report[] = {1, 2, 5, 50, 333, 1000}, ks[] = {5, 1000};
    radvar_sim *s[3];
    for (int p = 0; p < 3; p++) {
        radvar_sim_config cfg = config(0.99, 1000, 3000, 0.1, 2.0, 5);
        cfg.threads = p + 1;
        cfg.average = _i ? RADVAR_AVERAGE_SMA : RADVAR_AVERAGE_EMA;
        cfg.report = report;
        cfg.n_report = 6;
        cfg.ks = ks;
        cfg.n_ks = 2;
        s[p] = run(&cfg);
    }
    for (int p = 1; p < 3; p++) {
        for (size_t k = 0; k < 6; k++)
            ck_assert_msg(memcmp(radvar_sim_moments(s[0], k), radvar_sim_moments(s[p], k),
                                 sizeof(radvar_stats_moments)) == 0,
                          "moments at t = %llu differ with %d threads", (unsigned long long)report[k], p + 1);
        for (size_t j = 0; j < 2; j++)
            ck_assert(memcmp(radvar_sim_ks_sample(s[0], j), radvar_sim_ks_sample(s[p], j),
                             3000 * sizeof(double)) == 0);
    }
    for (int p = 0; p < 3; p++)
        radvar_sim_free(s[p]);
}
END_TEST

START_TEST(test_chunks_merge_to_total)
{
    /* chunks merged in order into superchunks of 16, superchunks merged in
     * order: the totals, bit for bit -- what a multi-process run does */
    uint64_t t = 64;
    radvar_sim_config cfg = config(0.99, 64, 9000, 0.0, 1.0, 8);
    cfg.report = &t;
    cfg.n_report = 1;
    cfg.ks = &t;
    cfg.n_ks = 1;
    radvar_sim *whole = run(&cfg), *parts;
    ck_assert_int_eq(radvar_sim_alloc(&cfg, &parts), RADVAR_SUCCESS);
    radvar_stats_moments acc = {.n = 0}, one, super_acc;
    uint64_t chunk = radvar_sim_chunk_trials(parts), first;
    ck_assert_uint_eq(radvar_sim_supers(parts), 3); /* 9000 trials / (16 x 256) */
    for (uint64_t k = 0; k < radvar_sim_supers(parts); k++) {
        uint64_t n = radvar_sim_super_trials(parts, k, &first);
        ck_assert_uint_eq(first, k * 16 * chunk);
        super_acc = (radvar_stats_moments){.n = 0};
        for (uint64_t c = first / chunk; c * chunk < first + n; c++) {
            ck_assert_int_eq(radvar_sim_run_chunk(parts, c, &one), RADVAR_SUCCESS);
            radvar_stats_moments_merge(&super_acc, &one);
        }
        ck_assert_int_eq(radvar_sim_run_super(parts, k, &one), RADVAR_SUCCESS);
        ck_assert(memcmp(&one, &super_acc, sizeof one) == 0);
        /* the psi^2 samples of another process: those of the whole run */
        const double *ks_part[1] = {radvar_sim_ks_sample(whole, 0) + first};
        ck_assert_int_eq(radvar_sim_merge_super(parts, k, &one, ks_part), RADVAR_SUCCESS);
        radvar_stats_moments_merge(&acc, &super_acc);
    }
    ck_assert(memcmp(&acc, radvar_sim_moments(whole, 0), sizeof acc) == 0);
    ck_assert(memcmp(radvar_sim_moments(parts, 0), radvar_sim_moments(whole, 0), sizeof acc) == 0);
    ck_assert(memcmp(radvar_sim_ks_sample(parts, 0), radvar_sim_ks_sample(whole, 0),
                     9000 * sizeof(double)) == 0);
    ck_assert_uint_eq(radvar_sim_super_trials(parts, 3, &first), 0); /* beyond the last */
    ck_assert_int_eq(radvar_sim_run_chunk(parts, 1000, &one), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_sim_run_super(parts, 3, &one), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_sim_merge_super(parts, 1, &one, NULL), RADVAR_EINVAL); /* again */
    ck_assert_int_eq(radvar_sim_merge_super(parts, 1000000000, &one, NULL), RADVAR_EINVAL);
    radvar_sim_free(whole);
    radvar_sim_free(parts);
}
END_TEST

START_TEST(test_summary)
{
    uint64_t report[] = {3, 10, 500};
    radvar_sim_config cfg = config(0.99, 500, 5000, 0.0, 2.0, 9);
    cfg.report = report;
    cfg.n_report = 3;
    radvar_sim *s = run(&cfg);
    for (size_t k = 0; k < 3; k++) {
        radvar_sim_summary sum;
        ck_assert_int_eq(radvar_sim_summarize(s, k, &sum), RADVAR_SUCCESS);
        const radvar_stats_moments *m = radvar_sim_moments(s, k);
        ck_assert(sum.t == (double)report[k]);
        ck_assert(sum.rho_t == radvar_schedule_rho_t(0.99, sum.t));
        ck_assert(sum.dof == radvar_sim_dof(s, k));
        ck_assert(sum.mean_psi == m->mean);
        ck_assert(sum.var_psi == radvar_stats_moments_variance(m));
        ck_assert_rel(sum.var_model, radvar_theory_var_psi(sum.dof, 0.25), TEST_TOL0);
        if (report[k] <= 4) { /* no fourth moment of psi: se and interval open */
            ck_assert(isinf(sum.se_var_psi));
            ck_assert(sum.rho_eff_lo == 2.0 && isinf(sum.rho_eff_hi));
        } else {
            ck_assert(sum.se_var_psi == radvar_stats_moments_se_variance(m));
            ck_assert(sum.rho_eff_lo <= sum.rho_eff && sum.rho_eff <= sum.rho_eff_hi);
            /* the rectified moments scale with r_t (the paper's, at dof) */
            double r = radvar_rectify_paper_from_rho(sum.dof, radvar_schedule_rho_inf(0.99));
            ck_assert_rel(sum.var_rect_psi, r * r * sum.var_psi, TEST_TOL0);
        }
        if (isfinite(sum.rho_eff))
            ck_assert_rel(radvar_theory_var_psi(sum.rho_eff, 0.25), sum.var_psi, TEST_TOL3);
    }
    radvar_sim_summary sum;
    ck_assert_int_eq(radvar_sim_summarize(s, 3, &sum), RADVAR_EINVAL);
    radvar_sim_free(s);
}
END_TEST

START_TEST(test_config_errors)
{
    uint64_t t = 5, bad_order[] = {5, 3}, beyond = 11, ks_order[] = {5, 5};
    radvar_sim_config good = config(0.9, 10, 100, 0, 1, 1);
    good.threads = 1;
    good.report = &t;
    good.n_report = 1;
    radvar_sim *s = (radvar_sim *)&s;
    radvar_sim_config c = good;
    c.steps = 0;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    ck_assert_ptr_null(s);
    c = good; c.trials = 1;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.sigma = 0;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.sigma = NAN;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.sigma = INFINITY;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.beta2 = 1;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.threads = 0;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.threads = 1025;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.average = (radvar_average)5;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.report = bad_order; c.n_report = 2;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.report = &beyond;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.report = NULL;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.n_report = 0;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.ks = &beyond; c.n_ks = 1;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.ks = ks_order; c.n_ks = 2;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.mu = INFINITY;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    c = good; c.steps = (UINT64_C(1) << 33) + 1;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_sim_alloc(NULL, &s), RADVAR_EINVAL);
    radvar_sim_free(NULL); /* a no-op, as free(NULL) */
    /* the defaults themselves, with a reported step, are valid */
    radvar_sim_config d;
    radvar_sim_config_default(&d);
    ck_assert(d.beta2 == 0.999 && d.steps == 1000 && d.trials == 1000 && d.sigma == 1.0);
    d.report = &t;
    d.n_report = 1;
    ck_assert_int_eq(radvar_sim_alloc(&d, &s), RADVAR_SUCCESS);
    radvar_sim_free(s);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("sim");
    TCase *exact = tcase_create("Exact");
    tcase_add_loop_test(exact, test_ema_matches_exact, 0, (int)N_ELEMS(ema_cases));
    tcase_add_loop_test(exact, test_sma_matches_exact, 0, (int)N_ELEMS(sma_cases));
    tcase_add_test(exact, test_sma_window_follows_rho_t);
    tcase_set_timeout(exact, 300);
    suite_add_tcase(s, exact);
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_thread_independence, 0, 2);
    tcase_add_test(core, test_chunks_merge_to_total);
    tcase_add_test(core, test_summary);
    tcase_set_timeout(core, 300);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_config_errors);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
