/* test_errest.c: the error estimates of the _e functions that the module
 * tests check by value only, after GSL test_sf's consistency check: at
 * every reference point the status, the value within its tolerance class and
 * |val - ref| <= err (ck_assert_result of check_util.h).
 *   radvar_rectify_e (every kind)          tests/ref/rectify_ref.h (make_refs.py)
 *   radvar_rectify_kurtosis_e, _from_rho_e tests/ref/errest_ref.h (make_errest_refs.py)
 *   radvar_noise_rho_mm_e, radvar_noise_mean_square_e, radvar_rectify_mm_e
 *                                          tests/ref/errest_ref.h
 *   radvar_sim_var_exact_e                 tests/ref/exact_ref.h, noise_ref.h
 *   radvar_gradstats_hill_e                tests/ref/gradstats_ref.h
 * Tolerances: the worst errors achieved are printed by test_report and
 * quoted beside each class. */
#include <float.h>
#include <stdint.h>

#include "check_util.h"
#include "radvar/exact.h"
#include "radvar/gradstats.h"
#include "radvar/noise.h"
#include "radvar/optim.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/sim.h"
#include "ref/errest_ref.h"
#include "ref/exact_ref.h"
#include "ref/gradstats_ref.h"
#include "ref/noise_ref.h"
#include "ref/rectify_ref.h"

static radvar_noise parsed(const char *spec)
{
    radvar_noise n;
    char why[256];
    ck_assert_msg(radvar_noise_parse(spec, &n, why, sizeof why) == RADVAR_SUCCESS, "%s: %s", spec, why);
    return n;
}

/* Theorem 1's Var[psi] is good to 47 eps for rho < 25, 3 eps beyond (see
 * test_rectify.c); a ratio of two of them inherits both. */
static double tol_ratio(double rho, double rho_inf)
{
    return rho < 25.0 || rho_inf < 25.0 ? TEST_TOL2 : TEST_TOL1;
}

/* ---- radvar_rectify_e: the dispatcher, every kind (kurtosis: kappa = 3) */
START_TEST(test_rectify_dispatch)
{
    const struct rectify_ref *ref = &rectify_ref_table[_i];
    const double want[4] = {ref->r_paper, ref->r_sma_exact, ref->r_moment, ref->r_moment};
    const double tol[4] = {ref->rho_inf < 5.0 || ref->rho_t < 5.0 ? TEST_TOL2 : TEST_TOL0,
                           ref->rho_t < 25.0 || ref->rho_inf < 25.0 ? TEST_TOL2 : TEST_TOL0,
                           tol_ratio(ref->rho_moment, ref->rho_inf),
                           tol_ratio(ref->rho_moment, ref->rho_inf)};
    for (int k = 0; k < 4; k++) {
        radvar_result r;
        int status = radvar_rectify_e((radvar_rectify_kind)k, ref->beta2, ref->t, &r);
        if (isnan(want[k])) {
            ck_assert_int_eq(status, RADVAR_EDOM);
            ck_assert_nan(r.val);
        } else {
            ck_assert_result(status, r, want[k], tol[k]);
        }
    }
}
END_TEST

/* ---- the kurtosis rectification */
static double tol_kurtosis(const struct kurtosis_ref *ref)
{
    double c = 2.0 / (ref->kappa - 1.0);
    return tol_ratio(c * ref->rho_moment, c * ref->rho_inf);
}

START_TEST(test_kurtosis)
{
    const struct kurtosis_ref *ref = &kurtosis_ref_table[_i];
    radvar_result r;
    int status = radvar_rectify_kurtosis_e(ref->beta2, ref->t, ref->kappa, &r);
    ck_assert_result(status, r, ref->r, tol_kurtosis(ref));
    ck_assert(radvar_rectify_kurtosis(ref->beta2, ref->t, ref->kappa) == r.val);
    status = radvar_rectify_kurtosis_from_rho_e(ref->rho_moment, ref->rho_inf, ref->kappa, &r);
    ck_assert_result(status, r, ref->r_from_rho, tol_kurtosis(ref));
    ck_assert(radvar_rectify_kurtosis_from_rho(ref->rho_moment, ref->rho_inf, ref->kappa) == r.val);
}
END_TEST

START_TEST(test_kurtosis_domain)
{
    radvar_result r;
    const double kappas[] = {1.0, 0.5, -2.0, INFINITY, NAN};
    for (size_t i = 0; i < N_ELEMS(kappas); i++) {
        ck_assert_int_eq(radvar_rectify_kurtosis_from_rho_e(100, 1999, kappas[i], &r), RADVAR_EDOM);
        ck_assert_nan(r.val);
        ck_assert_nan(r.err);
        ck_assert_nan(radvar_rectify_kurtosis_from_rho(100, 1999, kappas[i]));
    }
    /* c rho <= 2: kappa = 30 gives c = 2/29 */
    ck_assert_int_eq(radvar_rectify_kurtosis_from_rho_e(29.0, 1999, 30.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_kurtosis_from_rho_e(100, 29.0, 30.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_kurtosis_from_rho_e(NAN, 1999, 3.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_kurtosis_e(1.5, 100, 3.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_kurtosis_e(0.999, 0.5, 3.0, &r), RADVAR_EDOM);
    /* kappa = 3: the moment rectification, bit for bit */
    ck_assert(radvar_rectify_kurtosis_from_rho(150.0, 1999.0, 3.0)
              == radvar_rectify_sma_exact_from_rho(150.0, 1999.0));
}
END_TEST

/* ---- the noise models: rho_mm, E[X], r_mm */
/* rho_mm: the i.i.d. models are rho_moment times a factor (2 eps with it);
 * ar1 sums geometric series in closed form (4 eps), decay sums O(t) terms. */
#define TOL_RHO_MM TEST_TOL1
#define TOL_MEAN_SQUARE TEST_TOL0

static double tol_mm(const struct mm_ref *ref, double rho_inf_mm)
{
    return tol_ratio(ref->rho_mm, rho_inf_mm);
}

static double mm_inf(const struct mm_ref *ref, const radvar_noise *n)
{
    if (n->kind == RADVAR_NOISE_DECAY)
        return 2.0 / (1.0 - ref->beta2) - 1.0;
    for (size_t i = 0; i < N_ELEMS(mm_ref_table); i++) {
        const struct mm_ref *o = &mm_ref_table[i];
        if (strcmp(o->spec, ref->spec) == 0 && o->beta2 == ref->beta2 && o->mu == ref->mu
            && o->sigma == ref->sigma && isinf(o->t))
            return o->rho_mm;
    }
    ck_abort_msg("no t = inf row for %s", ref->spec);
    return NAN;
}

START_TEST(test_noise_mm)
{
    const struct mm_ref *ref = &mm_ref_table[_i];
    radvar_noise n = parsed(ref->spec);
    radvar_result r;
    int status = radvar_noise_rho_mm_e(&n, ref->beta2, ref->t, ref->mu, ref->sigma, &r);
    if (ref->rho_mm == 0.0) { /* infinite kurtosis: 0, exactly */
        ck_assert_int_eq(status, RADVAR_SUCCESS);
        ck_assert(r.val == 0.0 && r.err == 0.0);
    } else {
        ck_assert_result(status, r, ref->rho_mm, TOL_RHO_MM);
    }
    ck_assert(radvar_noise_rho_mm(&n, ref->beta2, ref->t, ref->mu, ref->sigma) == r.val);
    status = radvar_noise_mean_square_e(&n, ref->beta2, ref->t, ref->mu, ref->sigma, &r);
    ck_assert_result(status, r, ref->mean_square, TOL_MEAN_SQUARE);
    ck_assert(radvar_noise_mean_square(&n, ref->beta2, ref->t, ref->mu, ref->sigma) == r.val);
    if (isinf(ref->t))
        return;
    status = radvar_rectify_mm_e(ref->beta2, ref->t, ref->mu, ref->sigma, &n, &r);
    if (isnan(ref->r_mm)) {
        ck_assert_int_eq(status, RADVAR_EDOM);
        ck_assert_nan(r.val);
        ck_assert_nan(r.err);
    } else {
        ck_assert_result(status, r, ref->r_mm, tol_mm(ref, mm_inf(ref, &n)));
        ck_assert(radvar_rectify_mm(ref->beta2, ref->t, ref->mu, ref->sigma, &n) == r.val);
    }
}
END_TEST

/* bad arguments: RADVAR_EINVAL for no model; RADVAR_EDOM outside the domain */
START_TEST(test_noise_mm_errors)
{
    radvar_result r;
    radvar_noise n = parsed("student:nu=5");
    ck_assert_int_eq(radvar_rectify_mm_e(0.999, 10, 0.0, 1.0, NULL, &r), RADVAR_EINVAL);
    ck_assert_nan(r.val);
    ck_assert_nan(r.err);
    ck_assert_int_eq(radvar_rectify_noise_target_e(0.999, 10, 0.0, 1.0, NULL, &r), RADVAR_EINVAL);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_noise_rho_mm_e(NULL, 0.999, 10, 0.0, 1.0, &r), RADVAR_EINVAL);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_noise_mean_square_e(NULL, 0.999, 10, 0.0, 1.0, &r), RADVAR_EINVAL);
    ck_assert_nan(r.val);
    ck_assert_nan(radvar_noise_mean_square(NULL, 0.999, 10, 0.0, 1.0));
    /* the domain */
    const double bad[][4] = {{1.0, 10, 0, 1}, {-0.1, 10, 0, 1}, {NAN, 10, 0, 1}, {0.9, 0.5, 0, 1},
                             {0.9, NAN, 0, 1}, {0.9, 10, NAN, 1}, {0.9, 10, INFINITY, 1},
                             {0.9, 10, 0, 0}, {0.9, 10, 0, -1}, {0.9, 10, 0, INFINITY}};
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        ck_assert_int_eq(radvar_noise_mean_square_e(&n, bad[i][0], bad[i][1], bad[i][2], bad[i][3], &r),
                         RADVAR_EDOM);
        ck_assert_nan(r.val);
        ck_assert_int_eq(radvar_rectify_mm_e(bad[i][0], bad[i][1], bad[i][2], bad[i][3], &n, &r),
                         RADVAR_EDOM);
        ck_assert_nan(r.val);
    }
    /* an invalid model is outside the domain */
    radvar_noise wrong = n;
    wrong.nu = 1.0;
    ck_assert_int_eq(radvar_noise_mean_square_e(&wrong, 0.9, 10, 0, 1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(0.9, 10, 0, 1, &wrong, &r), RADVAR_EDOM);
    /* whole steps for ar1 and decay; decay has no t = inf, nor scales below 1e-150 */
    radvar_noise ar = parsed("ar1:phi=0.5"), dec = parsed("decay:a=1,tau=10");
    ck_assert_int_eq(radvar_noise_mean_square_e(&ar, 0.9, 10.5, 0, 1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_mean_square_e(&dec, 0.9, INFINITY, 0, 1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_mean_square_e(&dec, 0.9, 10.5, 0, 1, &r), RADVAR_EDOM);
    radvar_noise steep = parsed("decay:a=50,tau=1");
    ck_assert_int_eq(radvar_noise_mean_square_e(&steep, 0.9, 1000, 0, 1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(0.9, 1000, 0, 1, &steep, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_noise_target_e(0.9, 1000, 0, 1, &steep, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_mm_e(0.9, INFINITY, 0, 1, &n, &r), RADVAR_EDOM);
    /* beta2 = 0: one gradient, E[X] = mu^2 + sigma^2 s_t^2 */
    ck_assert_int_eq(radvar_noise_mean_square_e(&dec, 0.0, 10, 0.5, 2.0, &r), RADVAR_SUCCESS);
    ck_assert_rel(r.val, 0.25 + 4.0 * 0.25, 4 * DBL_EPSILON);
}
END_TEST

/* ---- the simulation's exact variance: radvar_sim_var_exact_e reads the
 * configuration only, so no trial is run */
static radvar_sim *configured(const char *spec, double beta2, double mu, double sigma,
                              const uint64_t *report, size_t n)
{
    radvar_sim_config c;
    radvar_sim_config_default(&c);
    c.noise = parsed(spec);
    c.beta2 = beta2;
    c.mu = mu;
    c.sigma = sigma;
    c.steps = report[n - 1];
    c.trials = 2;
    c.report = report;
    c.n_report = n;
    radvar_sim *s;
    ck_assert_int_eq(radvar_sim_alloc(&c, &s), RADVAR_SUCCESS);
    return s;
}

/* The value is the exact module's, bit for bit, whose accuracy test_exact.c
 * and test_noise.c check in tolerance classes (42 eps for the normal model,
 * up to 310 for the others); here the estimate: err is the quadrature's
 * abs_err, and it bounds the distance to the reference plus the reference's
 * own uncertainty (1e-12 relative for the long exact_ref.h sums,
 * make_exact_refs.py; 5e-15 for noise_ref.h).  Not GSL's TEST_FACTOR check:
 * a quadrature's estimate is of the order of the tolerance asked of it
 * (1e-12 relative) whatever it achieves; it stays below 1e-10. */
static void check_var_exact(const char *what, radvar_sim *s, double var_ref, double ref_rel,
                            const radvar_exact_moments *m)
{
    radvar_result v;
    ck_assert_int_eq(radvar_sim_var_exact_e(s, 0, &v), RADVAR_SUCCESS);
    ck_assert_msg(v.val == m->var_psi && v.err == m->abs_err, "%s: %.17g +- %g vs exact module %.17g +- %g",
                  what, v.val, v.err, m->var_psi, m->abs_err);
    ck_assert_msg(v.err >= 0 && v.err <= 1e-10 * var_ref, "%s: err %g", what, v.err);
    ck_assert_msg(fabs(v.val - var_ref) <= v.err + ref_rel * var_ref,
                  "%s: |val - ref| = %.3g > err %.3g (+ reference %.3g)", what,
                  fabs(v.val - var_ref), v.err, ref_rel * var_ref);
}

START_TEST(test_sim_var_exact)
{
    const struct exact_ref *ref = &exact_ref_table[_i];
    if (ref->t > 1e4)
        return; /* the simulation's step count */
    const uint64_t report[] = {(uint64_t)ref->t};
    radvar_sim *s = configured("normal", ref->beta2, ref->mu, ref->sigma, report, 1);
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema(ref->beta2, ref->t, ref->mu, ref->sigma, &m), RADVAR_SUCCESS);
    check_var_exact("normal", s, ref->var_psi, 1e-12, &m);
    radvar_sim_free(s);
}
END_TEST

START_TEST(test_sim_var_exact_noise)
{
    const struct noise_ref *ref = &noise_ref_table[_i];
    if (isinf(ref->t) || ref->t > 1e4)
        return;
    const uint64_t report[] = {(uint64_t)ref->t};
    radvar_sim *s = configured(ref->spec, ref->beta2, ref->mu, ref->sigma, report, 1);
    radvar_exact_moments m;
    radvar_noise n = parsed(ref->spec);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(ref->beta2, ref->t, ref->mu, ref->sigma, &n, &m),
                     RADVAR_SUCCESS);
    check_var_exact(ref->spec, s, ref->var_psi, 5e-15, &m);
    radvar_sim_free(s);
}
END_TEST

/* ---- Hill's estimator: err is the estimator's sampling error alpha/sqrt(k),
 * far above the rounding error; the value is good to 6 eps */
#define TOL_HILL (32 * DBL_EPSILON)

START_TEST(test_hill)
{
    const struct gradstats_ref *ref = &gradstats_ref_table[_i];
    radvar_result r;
    size_t k = (size_t)ref->hill_k;
    ck_assert_int_eq(radvar_gradstats_hill_e(ref->x, ref->n, ref->mean, k, &r), RADVAR_SUCCESS);
    ck_assert_rel(r.val, ref->hill, TOL_HILL);
    ck_assert(fabs(r.val - ref->hill) <= r.err);
    ck_assert_rel(r.err, r.val / sqrt((double)k), DBL_EPSILON);
    /* bad arguments */
    ck_assert_int_eq(radvar_gradstats_hill_e(NULL, ref->n, 0, k, &r), RADVAR_EINVAL);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_gradstats_hill_e(ref->x, ref->n, 0, 0, &r), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_gradstats_hill_e(ref->x, ref->n, 0, ref->n, &r), RADVAR_EINVAL);
}
END_TEST

/* ---- paths the module suites leave: the error returns of the option
 * parser and the noise formatter, an unknown model's name, and ar1's
 * closed-form sums where F b > b^2 (phi > beta2) */
START_TEST(test_paths)
{
    radvar_optim_config c;
    char why[128];
    ck_assert_int_eq(radvar_optim_defaults(RADVAR_ADAM, &c), RADVAR_SUCCESS);
    const char *bad[] = {"", "abc", " 1", "1x", "inf", "nan", "-INFINITY", "1e999"};
    for (size_t i = 0; i < N_ELEMS(bad); i++) {
        ck_assert_int_eq(radvar_optim_config_set(&c, "lr", bad[i], why, sizeof why), RADVAR_EINVAL);
        ck_assert_msg(strstr(why, "number") != NULL, "'%s': %s", bad[i], why);
    }
    ck_assert_int_eq(radvar_optim_config_set(NULL, "lr", "1", why, sizeof why), RADVAR_EINVAL);
    ck_assert(strstr(why, "no configuration") != NULL);
    ck_assert_int_eq(radvar_optim_config_set(&c, NULL, "1", NULL, 0), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_config_set(&c, "lr", NULL, why, 0), RADVAR_EINVAL);

    ck_assert_str_eq(radvar_noise_name((radvar_noise_kind)42), "?");
    radvar_noise n = parsed("mixture:p=0.1,k=4");
    char small[8], big[128];
    ck_assert_int_eq(radvar_noise_format(&n, small, sizeof small), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_noise_format(&n, big, sizeof big), RADVAR_SUCCESS);

    /* phi = 0.95 > beta2 = 0.5: at t = 100, beta2^t = 8e-31, so rho_mm(t)
     * is rho_mm(inf) to the last bit (the stationary sums, closed form) */
    radvar_noise ar = parsed("ar1:phi=0.95");
    for (double mu = 0; mu <= 1; mu += 1) {
        radvar_result at_t, at_inf;
        ck_assert_int_eq(radvar_noise_rho_mm_e(&ar, 0.5, 100, mu, 1.0, &at_t), RADVAR_SUCCESS);
        ck_assert_int_eq(radvar_noise_rho_mm_e(&ar, 0.5, INFINITY, mu, 1.0, &at_inf), RADVAR_SUCCESS);
        ck_assert_rel(at_t.val, at_inf.val, TEST_TOL1);
        ck_assert(fabs(at_t.val - at_inf.val) <= at_t.err + at_inf.err);
    }
}
END_TEST

/* ---- what is achieved */
START_TEST(test_report)
{
    error_report kurt = {0}, from_rho = {0}, rho_mm = {0}, ms = {0}, mm = {0};
    for (size_t i = 0; i < N_ELEMS(kurtosis_ref_table); i++) {
        const struct kurtosis_ref *ref = &kurtosis_ref_table[i];
        radvar_result r;
        radvar_rectify_kurtosis_e(ref->beta2, ref->t, ref->kappa, &r);
        report_add(&kurt, r.val, ref->r, r.err, ref->beta2, ref->t);
        radvar_rectify_kurtosis_from_rho_e(ref->rho_moment, ref->rho_inf, ref->kappa, &r);
        report_add(&from_rho, r.val, ref->r_from_rho, r.err, ref->beta2, ref->t);
    }
    for (size_t i = 0; i < N_ELEMS(mm_ref_table); i++) {
        const struct mm_ref *ref = &mm_ref_table[i];
        radvar_noise n = parsed(ref->spec);
        radvar_result r;
        if (ref->rho_mm > 0) {
            radvar_noise_rho_mm_e(&n, ref->beta2, ref->t, ref->mu, ref->sigma, &r);
            report_add(&rho_mm, r.val, ref->rho_mm, r.err, ref->beta2, ref->t);
        }
        radvar_noise_mean_square_e(&n, ref->beta2, ref->t, ref->mu, ref->sigma, &r);
        report_add(&ms, r.val, ref->mean_square, r.err, ref->beta2, ref->t);
        if (!isinf(ref->t) && !isnan(ref->r_mm)) {
            radvar_rectify_mm_e(ref->beta2, ref->t, ref->mu, ref->sigma, &n, &r);
            report_add(&mm, r.val, ref->r_mm, r.err, ref->beta2, ref->t);
        }
    }
    report_print("rectify_kurtosis", &kurt, TEST_TOL2);
    report_print("rectify_kurtosis_from_rho", &from_rho, TEST_TOL2);
    report_print("noise_rho_mm", &rho_mm, TOL_RHO_MM);
    report_print("noise_mean_square", &ms, TOL_MEAN_SQUARE);
    report_print("rectify_mm", &mm, TEST_TOL2);
}
END_TEST

static Suite *errest_suite(void)
{
    Suite *s = suite_create("errest");
    TCase *core = tcase_create("Core");
    tcase_set_timeout(core, 120);
    tcase_add_loop_test(core, test_rectify_dispatch, 0, (int)N_ELEMS(rectify_ref_table));
    tcase_add_loop_test(core, test_kurtosis, 0, (int)N_ELEMS(kurtosis_ref_table));
    tcase_add_loop_test(core, test_noise_mm, 0, (int)N_ELEMS(mm_ref_table));
    tcase_add_loop_test(core, test_sim_var_exact, 0, (int)N_ELEMS(exact_ref_table));
    tcase_add_loop_test(core, test_sim_var_exact_noise, 0, (int)N_ELEMS(noise_ref_table));
    tcase_add_loop_test(core, test_hill, 0, (int)N_ELEMS(gradstats_ref_table));
    tcase_add_test(core, test_report);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_kurtosis_domain);
    tcase_add_test(limits, test_noise_mm_errors);
    tcase_add_test(limits, test_paths);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    radvar_init();
    return run_suite(errest_suite());
}
