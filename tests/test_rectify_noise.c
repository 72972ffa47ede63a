/* test_rectify_noise.c: rectification under the noise models (radvar/rectify.h,
 * src/rectify_noise.c): r_mm and the target variance.
 *
 * r_mm is Theorem 1's exact ratio at the model's moment-matched dof, both of
 * which have their own tests against independent references (test_theory.c,
 * test_rectify.c; rho_mm in test_noise.c against direct sums), and the target
 * is the exact module's stationary variance (test_noise.c).  Here: the
 * identities that tie them to the Gaussian functions and to the optimizer's
 * kurtosis rectification, the decay model's scaling, limits and domains;
 * the rows of `radvar dof` and `radvar rectify` under a noise model
 * (radvar_dof_compare_noise, radvar_rectify_ema_compare_noise): the normal
 * model gives the Gaussian rows bit for bit, every column is the function it
 * names, and E[X] (radvar_noise_mean_square) against a direct sum. */
#include "check_util.h"
#include "radvar/dof.h"
#include "radvar/exact.h"
#include "radvar/noise.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"

static radvar_noise parsed(const char *spec)
{
    radvar_noise n;
    char why[256];
    ck_assert_msg(radvar_noise_parse(spec, &n, why, sizeof why) == RADVAR_SUCCESS, "%s: %s", spec, why);
    return n;
}

static const double betas[] = {0.9, 0.99, 0.999};
static const double steps[] = {3, 5, 10, 57, 300, 6000, 100000};

/* normal, mu = 0: r_mm is radvar_rectify_moment (the dof are rho_moment bit
 * for bit; rho_mm(inf) = 1/sum w^2 at t = inf = (1+b2)/(1-b2) against
 * rho_inf = 2/(1-b2) - 1: equal up to rounding) */
START_TEST(test_normal_is_moment)
{
    radvar_noise n = parsed("normal");
    for (size_t i = 0; i < N_ELEMS(betas); i++)
        for (size_t j = 0; j < N_ELEMS(steps); j++) {
            double b = betas[i], t = steps[j];
            double want = radvar_rectify_moment(b, t);
            if (isnan(want)) {
                ck_assert_nan(radvar_rectify_mm(b, t, 0.0, 1.0, &n));
                continue;
            }
            ck_assert_rel(radvar_rectify_mm(b, t, 0.0, 1.0, &n), want, TEST_TOL1);
            ck_assert_rel(radvar_rectify_mm(b, t, 0.0, 7.5, &n), want, TEST_TOL1);
        }
}
END_TEST

/* i.i.d. models: r_mm = radvar_rectify_kurtosis at the kurtosis of g,
 * kappa_g = E g^4 / (E g^2)^2 = (kappa s^4 + 6 m^2 s^2 + m^4) / (s^2 + m^2)^2:
 * what the optimizer's online estimate converges to */
static const char *const iid_specs[] = {"normal", "student:nu=5", "student:nu=40", "laplace",
                                        "mixture:p=0.1,k=3", "mixture:p=0.9,k=0.3"};

START_TEST(test_iid_is_kurtosis)
{
    radvar_noise n = parsed(iid_specs[_i]);
    const double mus[] = {0.0, 0.5, 3.0};
    double kappa = radvar_noise_kurtosis(&n);
    for (size_t m = 0; m < N_ELEMS(mus); m++)
        for (size_t i = 0; i < N_ELEMS(betas); i++)
            for (size_t j = 0; j < N_ELEMS(steps); j++) {
                double mu = mus[m], s = 1.5, b = betas[i], t = steps[j];
                double s2 = s * s, m2 = mu * mu;
                double kg = (kappa * s2 * s2 + 6.0 * m2 * s2 + m2 * m2) / ((s2 + m2) * (s2 + m2));
                double want = radvar_rectify_kurtosis(b, t, kg), got = radvar_rectify_mm(b, t, mu, s, &n);
                if (isnan(want)) {
                    ck_assert_nan(got);
                    continue;
                }
                ck_assert_rel(got, want, TEST_TOL2);
            }
}
END_TEST

/* infinite kurtosis: rho_mm = 0, no r_mm */
START_TEST(test_infinite_kurtosis)
{
    radvar_noise n = parsed("student:nu=4");
    radvar_result r;
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 100, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    n = parsed("student:nu=3");
    ck_assert_nan(radvar_rectify_mm(0.999, 1000, 0.5, 1.0, &n));
}
END_TEST

/* ar1 and decay: r_mm -> 1 as t grows (rho_mm(t) -> rho_mm(inf); decay with
 * a = 0 is the normal model, whose rho_mm(inf) is rho_inf) and r_mm < 1 */
START_TEST(test_limits)
{
    radvar_noise ar = parsed("ar1:phi=0.9"), flat = parsed("decay:a=0,tau=10");
    radvar_noise normal = parsed("normal");
    ck_assert_rel(radvar_rectify_mm(0.99, 1048576, 0.0, 1.0, &ar), 1.0, TEST_TOL2);
    ck_assert_rel(radvar_rectify_mm(0.9, 100000, 0.3, 1.0, &ar), 1.0, TEST_TOL2);
    for (size_t j = 0; j < N_ELEMS(steps) - 1; j++) {
        double t = steps[j];
        double r = radvar_rectify_mm(0.999, t, 0.0, 1.0, &ar);
        ck_assert(isnan(r) || (r > 0 && r < 1));
        ck_assert_rel(radvar_rectify_mm(0.999, t, 0.0, 2.0, &flat),
                      radvar_rectify_mm(0.999, t, 0.0, 2.0, &normal), TEST_TOL1);
    }
}
END_TEST

/* the target: the stationary variance of the exact module; decay's at the
 * scale of step t, Var[psi] scaling as 1/sigma^2 for mu = 0 */
START_TEST(test_target)
{
    static const char *const specs[] = {"normal", "student:nu=5", "laplace", "mixture:p=0.1,k=3",
                                        "ar1:phi=-0.7"};
    for (size_t i = 0; i < N_ELEMS(specs); i++) {
        radvar_noise n = parsed(specs[i]);
        radvar_exact_moments m;
        ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99, INFINITY, 0.4, 2.0, &n, &m), RADVAR_SUCCESS);
        radvar_result r;
        for (double t = 1; t <= 1e4; t *= 10) {
            ck_assert_int_eq(radvar_rectify_noise_target_e(0.99, t, 0.4, 2.0, &n, &r), RADVAR_SUCCESS);
            ck_assert(r.val == m.var_psi);
            ck_assert(r.err == m.abs_err);
        }
        ck_assert(radvar_rectify_noise_target(0.99, INFINITY, 0.4, 2.0, &n) == m.var_psi);
    }
    radvar_noise d = parsed("decay:a=0.5,tau=100"), normal = parsed("normal");
    double base = radvar_rectify_noise_target(0.999, 1, 0.0, 1.0, &normal);
    for (double t = 1; t <= 1e5; t *= 7) {
        double st = pow(1.0 + t / 100.0, -0.5);
        ck_assert_rel(radvar_rectify_noise_target(0.999, t, 0.0, 1.0, &d), base / (st * st), 1e-12);
    }
    /* mu != 0: the stationary Gaussian variance at sigma_t */
    radvar_exact_moments g;
    double st = pow(1.0 + 500.0 / 100.0, -0.5);
    ck_assert_int_eq(radvar_exact_moments_ema(0.999, INFINITY, 0.3, 2.0 * st, &g), RADVAR_SUCCESS);
    ck_assert_rel(radvar_rectify_noise_target(0.999, 500, 0.3, 2.0, &d), g.var_psi, TEST_TOL0);
}
END_TEST

START_TEST(test_domains)
{
    radvar_noise n = parsed("laplace"), d = parsed("decay:a=2,tau=1");
    radvar_result r;
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 0, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 2.5, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(1.0, 10, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 10, NAN, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 10, 0.0, 0.0, &n, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 10, 0.0, 1.0, NULL, &r), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, INFINITY, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 2, 0.0, 1.0, &n, &r), RADVAR_EDOM); /* rho_mm <= 2 */
    ck_assert_int_eq(radvar_rectify_noise_target_e(0.999, INFINITY, 0.0, 1.0, &d, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_rectify_noise_target_e(0.999, 1e160, 0.0, 1.0, &d, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_noise_target_e(0.999, 0, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_noise_target_e(0.0, 10, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    n.kind = (radvar_noise_kind)42;
    ck_assert_int_eq(radvar_rectify_noise_target_e(0.9, 10, 0.0, 1.0, &n, &r), RADVAR_EDOM);
    ck_assert_nan(radvar_rectify_mm(0.9, 10, 0.0, 1.0, &n));
}
END_TEST

/* the normal model: the Gaussian rows, bit for bit, and r_mm = r_moment at mu = 0 */
START_TEST(test_rows_normal)
{
    radvar_noise n = parsed("normal");
    const double mus[] = {0.0, 0.7};
    for (size_t m = 0; m < N_ELEMS(mus); m++)
        for (double t = 1; t <= 3000; t = t < 8 ? t + 1 : t * 3) {
            radvar_dof_comparison a, b;
            ck_assert_int_eq(radvar_dof_compare(0.99, t, mus[m], 2.0, &a),
                             radvar_dof_compare_noise(0.99, t, mus[m], 2.0, &n, &b));
            ck_assert(memcmp(&a, &b, sizeof a) == 0);
            radvar_rectify_comparison c, d;
            ck_assert_int_eq(radvar_rectify_ema_compare(0.99, t, mus[m], 2.0, 0.01, &c),
                             radvar_rectify_ema_compare_noise(0.99, t, mus[m], 2.0, &n, 0.01, &d));
            ck_assert(memcmp(&c, &d, sizeof c) == 0);
            if (mus[m] == 0.0 && t >= 3) {
                ck_assert_rel(c.r_mm, c.r_moment, TEST_TOL1);
                ck_assert_rel(a.var_at_rho_mm, a.var_at_rho_moment, TEST_TOL1);
            }
        }
}
END_TEST

/* every column is what it names */
static const char *const row_specs[] = {"student:nu=5", "student:nu=3", "laplace", "mixture:p=0.1,k=3",
                                        "ar1:phi=0.9", "decay:a=0.5,tau=100"};

START_TEST(test_rows_noise)
{
    radvar_noise n = parsed(row_specs[_i]);
    const double b = 0.999, mu = 0.3, sigma = 1.5;
    for (double t = 3; t <= 3000; t *= 4) {
        radvar_dof_comparison d;
        ck_assert_int_eq(radvar_dof_compare_noise(b, t, mu, sigma, &n, &d), RADVAR_SUCCESS);
        radvar_exact_moments m;
        ck_assert_int_eq(radvar_exact_moments_ema_noise(b, t, mu, sigma, &n, &m), RADVAR_SUCCESS);
        ck_assert(d.var_exact == m.var_psi && d.abs_err == m.abs_err);
        double ex = radvar_noise_mean_square(&n, b, t, mu, sigma);
        double tau2 = n.kind == RADVAR_NOISE_DECAY ? 1.0 / (ex - mu * mu) : 1.0 / (sigma * sigma);
        ck_assert(d.rho_mm == radvar_noise_rho_mm(&n, b, t, mu, sigma));
        ck_assert(d.var_at_rho_t == radvar_theory_var_psi(d.rho_t, tau2));
        ck_assert(d.rho_exact == radvar_theory_rho_from_var(m.var_psi, tau2));
        double want = radvar_theory_var_psi(d.rho_mm, 1.0 / ex);
        ck_assert(d.var_at_rho_mm == want || (isnan(want) && isnan(d.var_at_rho_mm)));
        ck_assert(isnan(want) ? isnan(d.rel_err_rho_mm) : d.rel_err_rho_mm == want / m.var_psi - 1.0);
        radvar_result target;
        ck_assert_int_eq(radvar_rectify_noise_target_e(b, t, mu, sigma, &n, &target), RADVAR_SUCCESS);
        radvar_rectify_comparison c;
        ck_assert_int_eq(radvar_rectify_ema_compare_noise(b, t, mu, sigma, &n, target.val, &c),
                         RADVAR_SUCCESS);
        ck_assert(c.var_t == m.var_psi && c.var_inf == target.val);
        ck_assert_rel(c.ratio_ema_exact, 1.0, TEST_TOL0);
        double rmm = radvar_rectify_mm(b, t, mu, sigma, &n);
        ck_assert(c.r_mm == rmm || (isnan(rmm) && isnan(c.r_mm)));
        if (!isnan(rmm))
            ck_assert_rel(c.ratio_mm, rmm * rmm * m.var_psi / target.val, TEST_TOL0);
        ck_assert(c.r_paper == radvar_rectify_paper(b, t) || (isnan(c.r_paper) && t < 5));
    }
}
END_TEST

/* E[X] under decay against a plain sum in long double */
START_TEST(test_mean_square)
{
    radvar_noise n = parsed("decay:a=0.8,tau=7");
    const double b = 0.99, mu = 0.4, sigma = 3.0;
    for (double t = 1; t <= 5000; t = t * 2 + 1) {
        long double num = 0, den = 0;
        for (double i = 1; i <= t; i++) {
            long double w = powl(b, t - i), s = powl(1.0L + i / 7.0L, -0.8L);
            num += w * s * s;
            den += w;
        }
        double want = (double)(mu * mu + sigma * sigma * (num / den));
        ck_assert_rel(radvar_noise_mean_square(&n, b, t, mu, sigma), want, TEST_TOL2);
    }
    radvar_noise st = parsed("student:nu=7");
    ck_assert(radvar_noise_mean_square(&st, b, INFINITY, mu, sigma) == mu * mu + sigma * sigma);
    ck_assert_nan(radvar_noise_mean_square(&n, b, INFINITY, mu, sigma));
    radvar_noise ar = parsed("ar1:phi=0.3");
    ck_assert_nan(radvar_noise_mean_square(&ar, b, 2.5, mu, sigma));
    ck_assert_nan(radvar_noise_mean_square(&st, b, 10, mu, 0.0));
}
END_TEST

START_TEST(test_rows_domains)
{
    radvar_noise n = parsed("laplace");
    radvar_dof_comparison d;
    radvar_rectify_comparison c;
    ck_assert_int_eq(radvar_dof_compare_noise(0.99, 10, 0, 1, NULL, &d), RADVAR_EDOM);
    ck_assert_nan(d.rho_mm);
    ck_assert_int_eq(radvar_rectify_ema_compare_noise(0.99, 10, 0, 1, NULL, 0.1, &c), RADVAR_EDOM);
    ck_assert_nan(c.r_mm);
    n.kind = (radvar_noise_kind)17;
    ck_assert_int_eq(radvar_dof_compare_noise(0.99, 10, 0, 1, &n, &d), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_ema_compare_noise(0.99, 10, 0, 1, &n, 0.1, &c), RADVAR_EDOM);
    n = parsed("decay:a=1,tau=1");
    ck_assert_int_eq(radvar_dof_compare_noise(0.99, 2e6, 0, 1, &n, &d), RADVAR_EDOM);
    n = parsed("student:nu=4");
    ck_assert_int_eq(radvar_dof_compare_noise(0.99, 100, 0, 1, &n, &d), RADVAR_SUCCESS);
    ck_assert(d.rho_mm == 0.0);
    ck_assert_nan(d.var_at_rho_mm);
    ck_assert_nan(d.rel_err_rho_mm);
    ck_assert(isfinite(d.var_exact) && isfinite(d.rel_err_rho_t));
    ck_assert_int_eq(radvar_dof_compare_noise(0.99, 2, 0, 1, &n, &d), RADVAR_SUCCESS);
    ck_assert(isinf(d.var_exact));
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("rectify_noise");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, test_normal_is_moment);
    tcase_add_loop_test(core, test_iid_is_kurtosis, 0, (int)N_ELEMS(iid_specs));
    tcase_add_test(core, test_infinite_kurtosis);
    tcase_add_test(core, test_limits);
    tcase_add_test(core, test_target);
    tcase_add_test(core, test_rows_normal);
    tcase_add_loop_test(core, test_rows_noise, 0, (int)N_ELEMS(row_specs));
    tcase_add_test(core, test_mean_square);
    tcase_set_timeout(core, 120);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_domains);
    tcase_add_test(limits, test_rows_domains);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
