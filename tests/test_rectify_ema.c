/* test_rectify_ema.c: the exact EMA rectification and the comparison of
 * every rectification (src/rectify_ema.c), and the degrees-of-freedom
 * comparison (src/dof.c), against 40-digit mpmath values
 * (tests/ref/make_rectify_ema_refs.py) and against the functions they are
 * built from. */
#include "check_util.h"
#include "radvar/dof.h"
#include "radvar/exact.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"
#include "ref/rectify_ema_ref.h"

/* The exact module integrates to a relative 1e-12 (radvar/exact.h); the
 * variances come out within 3.5e-12 of mpmath here (measured, at beta2 = 0.7,
 * t = 3, mu = 0.5; most rows within 1e-15), r within half that: 1e-11 leaves
 * a margin of about 3. */
#define TOL_EXACT 1e-11

START_TEST(test_ema_exact_reference)
{
    const struct rectify_ema_ref *ref = &rectify_ema_ref_table[_i];
    radvar_result r;
    int status = radvar_rectify_ema_exact_e(ref->beta2, ref->t, ref->mu, ref->sigma, &r);
    ck_assert_int_eq(status, RADVAR_SUCCESS);
    ck_assert_rel(r.val, ref->r_ema_exact, TOL_EXACT);
    ck_assert_msg(fabs(r.val - ref->r_ema_exact) <= r.err + 4 * DBL_EPSILON * r.val,
                  "err %.3g does not bound the error %.3g", r.err, fabs(r.val - ref->r_ema_exact));
}
END_TEST

START_TEST(test_compare_reference)
{
    const struct rectify_ema_ref *ref = &rectify_ema_ref_table[_i];
    radvar_rectify_comparison c;
    int status = radvar_rectify_ema_compare(ref->beta2, ref->t, ref->mu, ref->sigma, ref->var_inf, &c);
    ck_assert_int_eq(status, RADVAR_SUCCESS);
    ck_assert_rel(c.var_t, ref->var_t, TOL_EXACT);
    ck_assert_rel(c.r_ema_exact, ref->r_ema_exact, TOL_EXACT);
    ck_assert_rel(c.ratio_ema_exact, 1.0, 4 * DBL_EPSILON);
    /* the other rectifications are the plain functions, judged by the same variance */
    double b = ref->beta2, t = ref->t, scale = c.var_t / ref->var_inf;
    ck_assert_rel(c.r_paper, radvar_rectify_paper(b, t), 0);
    ck_assert_rel(c.r_sma_exact, radvar_rectify_sma_exact(b, t), 0);
    ck_assert_rel(c.r_moment, radvar_rectify_moment(b, t), 0);
    ck_assert_rel(c.ratio_paper, c.r_paper * c.r_paper * scale, 2 * DBL_EPSILON);
    ck_assert_rel(c.ratio_sma_exact, c.r_sma_exact * c.r_sma_exact * scale, 2 * DBL_EPSILON);
    ck_assert_rel(c.ratio_moment, c.r_moment * c.r_moment * scale, 2 * DBL_EPSILON);
}
END_TEST

START_TEST(test_dof_reference)
{
    const struct rectify_ema_ref *ref = &rectify_ema_ref_table[_i];
    radvar_dof_comparison c;
    ck_assert_int_eq(radvar_dof_compare(ref->beta2, ref->t, ref->mu, ref->sigma, &c), RADVAR_SUCCESS);
    double tau2 = 1.0 / (ref->sigma * ref->sigma);
    ck_assert_rel(c.var_exact, ref->var_t, TOL_EXACT);
    ck_assert_rel(c.rho_t, radvar_schedule_rho_t(ref->beta2, ref->t), 0);
    ck_assert_rel(c.rho_moment, radvar_schedule_rho_moment(ref->beta2, ref->t), 0);
    ck_assert_rel(c.var_at_rho_t, radvar_theory_var_psi(c.rho_t, tau2), 0);
    ck_assert_rel(c.var_at_rho_moment, radvar_theory_var_psi(c.rho_moment, tau2), 0);
    /* rho_exact inverts Theorem 1 at var_exact */
    ck_assert_rel(radvar_theory_var_psi(c.rho_exact, tau2), c.var_exact, 1e-13);
    ck_assert_rel(c.rel_err_rho_t + 1, c.var_at_rho_t / c.var_exact, 2 * DBL_EPSILON);
}
END_TEST

/* t <= 2: the variance is infinite, no rectification exists */
START_TEST(test_infinite_variance)
{
    radvar_rectify_comparison c;
    radvar_dof_comparison d;
    for (double t = 1; t <= 2; t++) {
        ck_assert_int_eq(radvar_rectify_ema_compare(0.99, t, 0, 1, 0.01, &c), RADVAR_SUCCESS);
        ck_assert(isinf(c.var_t) && c.var_t > 0);
        ck_assert_nan(c.r_ema_exact);
        ck_assert_nan(c.ratio_ema_exact);
        ck_assert_nan(c.ratio_paper);
        ck_assert_int_eq(radvar_dof_compare(0.99, t, 0.5, 1, &d), RADVAR_SUCCESS);
        ck_assert(isinf(d.var_exact) && d.var_exact > 0);
        ck_assert_nan(d.rho_exact);
        ck_assert_nan(d.rel_err_rho_t);
        radvar_result r;
        ck_assert_int_eq(radvar_rectify_ema_exact_e(0.99, t, 0, 1, &r), RADVAR_EDOM);
        ck_assert_nan(r.val);
    }
}
END_TEST

START_TEST(test_domain)
{
    radvar_result r;
    radvar_rectify_comparison c;
    radvar_dof_comparison d;
    const double bad[][4] = {{0, 10, 0, 1}, {1, 10, 0, 1}, {0.9, 0, 0, 1}, {0.9, 2.5, 0, 1},
                             {0.9, 10, NAN, 1}, {0.9, 10, 0, 0}, {0.9, 10, 0, INFINITY},
                             {NAN, 10, 0, 1}};
    for (size_t k = 0; k < N_ELEMS(bad); k++) {
        ck_assert_int_eq(radvar_rectify_ema_exact_e(bad[k][0], bad[k][1], bad[k][2], bad[k][3], &r),
                         RADVAR_EDOM);
        ck_assert_nan(r.val);
        ck_assert_nan(radvar_rectify_ema_exact(bad[k][0], bad[k][1], bad[k][2], bad[k][3]));
        ck_assert_int_eq(radvar_rectify_ema_compare(bad[k][0], bad[k][1], bad[k][2], bad[k][3], 0.1, &c),
                         RADVAR_EDOM);
        ck_assert_nan(c.var_t);
        ck_assert_int_eq(radvar_dof_compare(bad[k][0], bad[k][1], bad[k][2], bad[k][3], &d), RADVAR_EDOM);
        ck_assert_nan(d.var_exact);
    }
    ck_assert_int_eq(radvar_rectify_ema_compare(0.9, 10, 0, 1, 0, &c), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_ema_compare(0.9, 10, 0, 1, INFINITY, &c), RADVAR_EDOM);
    /* t = inf: the stationary EMA rectifies itself by 1 */
    ck_assert_rel(radvar_rectify_ema_exact(0.9, INFINITY, 0.5, 2), 1.0, 0);
}
END_TEST

/* The numbers that tell the two quantities apart: at
 * beta2 = 0.995, t = 302, the SMA-model ratio is 0.7542 and the exact EMA
 * one 0.7967 (mu = 0, sigma = 1). */
START_TEST(test_two_exact_rectifications_differ)
{
    ck_assert_rel(radvar_rectify_sma_exact(0.995, 302), 0.7542, 1e-4);
    ck_assert_rel(radvar_rectify_ema_exact(0.995, 302, 0, 1), 0.7967, 1e-4);
}
END_TEST

static Suite *rectify_ema_suite(void)
{
    Suite *s = suite_create("rectify_ema");
    TCase *core = tcase_create("Core");
    tcase_set_timeout(core, 60);
    int n = (int)N_ELEMS(rectify_ema_ref_table);
    tcase_add_loop_test(core, test_ema_exact_reference, 0, n);
    tcase_add_loop_test(core, test_compare_reference, 0, n);
    tcase_add_loop_test(core, test_dof_reference, 0, n);
    tcase_add_test(core, test_two_exact_rectifications_differ);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_infinite_variance);
    tcase_add_test(limits, test_domain);
    suite_add_tcase(s, limits);
    return s;
}

int main(void)
{
    radvar_init();
    return run_suite(rectify_ema_suite());
}
