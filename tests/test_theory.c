/* test_theory.c: the scaled-inverse-chi2 moments of psi, the density and
 * distribution function of psi^2 and the inverse of Var[psi], against
 * 60-digit mpmath values (tests/ref/make_refs.py), each case in the
 * tolerance class of its region (check_util.h) and with its error estimate
 * checked (|val - ref| <= err); domains, monotonicity, round trips. */
#include "check_util.h"
#include "radvar/theory.h"
#include "ref/pdf_ref.h"
#include "ref/theory_ref.h"

/* Tolerance classes by region, the smallest class at or above the worst
 * relative error achieved there (in eps, with glibc 2.36 and GSL 2.7):
 *   E[psi]:   9.4 near rho = 1 (the pole of Gamma(x - 1/2), where
 *             1 - 1/rho is formed from the exact rho - 1; it was 72,000 eps
 *             when the rounding of 1/rho was amplified by 1/(rho - 1));
 *             8.3 beyond;
 *   E[psi^2]: 0 (three correctly rounded operations on exact inputs);
 *   Var[psi]: rho < 25: 19 (GSL's gammastar below z = 10 leaves about an
 *             eps in each Binet term, amplified by 1/|log h| ~ 2 rho);
 *             beyond: 2.9. */
static double tol_mean_psi(double rho)
{
    (void)rho;
    return TEST_TOL1;
}

static double tol_var_psi(double rho)
{
    return rho < 25.0 ? TEST_TOL2 : TEST_TOL1;
}

#define TOL_MEAN_PSI2 TEST_TOL0

START_TEST(test_moments_reference)
{
    const struct theory_ref *ref = &theory_ref_table[_i];
    radvar_result r;
    int status = radvar_theory_mean_psi_e(ref->rho, 1.0, &r);
    ck_assert_result(status, r, ref->mean_psi, tol_mean_psi(ref->rho));
    if (!(ref->rho > 2.0)) {
        ck_assert_int_eq(radvar_theory_var_psi_e(ref->rho, 1.0, &r), RADVAR_EDOM);
        return;
    }
    status = radvar_theory_mean_psi2_e(ref->rho, 1.0, &r);
    ck_assert_result(status, r, ref->mean_psi2, TOL_MEAN_PSI2);
    status = radvar_theory_var_psi_e(ref->rho, 1.0, &r);
    ck_assert_result(status, r, ref->var_psi, tol_var_psi(ref->rho));
    /* the plain forms return the same values */
    ck_assert(radvar_theory_var_psi(ref->rho, 1.0) == r.val);
}
END_TEST

/* One pass over the whole table, reporting the worst errors, by region. */
START_TEST(test_moments_worst_error_report)
{
    error_report mean_near = {0}, mean_far = {0}, mean2 = {0}, var_low = {0}, var_high = {0};
    for (size_t i = 0; i < N_ELEMS(theory_ref_table); i++) {
        const struct theory_ref *ref = &theory_ref_table[i];
        radvar_result r;
        radvar_theory_mean_psi_e(ref->rho, 1.0, &r);
        report_add(ref->rho - 1 < 1e-2 ? &mean_near : &mean_far, r.val, ref->mean_psi, r.err,
                   ref->rho, 1.0);
        if (!(ref->rho > 2.0))
            continue;
        radvar_theory_mean_psi2_e(ref->rho, 1.0, &r);
        report_add(&mean2, r.val, ref->mean_psi2, r.err, ref->rho, 1.0);
        radvar_theory_var_psi_e(ref->rho, 1.0, &r);
        report_add(ref->rho < 25 ? &var_low : &var_high, r.val, ref->var_psi, r.err, ref->rho, 1.0);
    }
    printf("theory accuracy, %zu reference points (rho, tau2 = 1):\n", N_ELEMS(theory_ref_table));
    report_print("E[psi], rho - 1 < 0.01", &mean_near, TEST_TOL1);
    report_print("E[psi], rho - 1 >= 0.01", &mean_far, TEST_TOL1);
    report_print("E[psi^2]", &mean2, TOL_MEAN_PSI2);
    report_print("Var[psi], rho < 25", &var_low, TEST_TOL2);
    report_print("Var[psi], rho >= 25", &var_high, TEST_TOL1);
    ck_assert(mean_far.worst <= TEST_TOL1 && var_low.worst <= TEST_TOL2
              && var_high.worst <= TEST_TOL1 && mean2.worst <= TOL_MEAN_PSI2);
    ck_assert(mean_near.worst_ratio <= 1 && mean_far.worst_ratio <= 1 && var_low.worst_ratio <= 1
              && var_high.worst_ratio <= 1);
}
END_TEST

START_TEST(test_tau2_scaling)
{
    /* psi scales with sqrt(tau2): Var by tau2 (exact for a power of 4),
     * E[psi] by sqrt(tau2) */
    double rho = 7.5;
    ck_assert(radvar_theory_var_psi(rho, 4.0) == 4.0 * radvar_theory_var_psi(rho, 1.0));
    ck_assert(radvar_theory_mean_psi(rho, 0.25) == 0.5 * radvar_theory_mean_psi(rho, 1.0));
    ck_assert_rel(radvar_theory_var_psi(rho, 0.01), 0.01 * radvar_theory_var_psi(rho, 1.0),
                  TEST_TOL0);
    ck_assert_rel(radvar_theory_mean_psi(rho, 0.01), 0.1 * radvar_theory_mean_psi(rho, 1.0),
                  TEST_TOL0);
}
END_TEST

START_TEST(test_approximation)
{
    /* rho/(2(rho-2)(rho-4)): exact rational arithmetic at rho = 6: 6/16 */
    radvar_result r;
    ck_assert_result(radvar_theory_var_psi_approx_e(6.0, 1.0, &r), r, 0.375, TEST_TOL0);
    ck_assert_result(radvar_theory_var_psi_approx_e(1e6, 2.0, &r), r,
                     2e6 / (2.0 * 999998.0 * 999996.0), TEST_TOL0);
    ck_assert_int_eq(radvar_theory_var_psi_approx_e(INFINITY, 1.0, &r), RADVAR_SUCCESS);
    ck_assert(r.val == 0.0 && r.err == 0.0);
    /* approx / exact = 1 + 9/(4 rho) + O(rho^-2) (the O(rho^-2) coefficient is
     * about 9.5 by 80-digit mpmath at rho = 1e2..1e8) */
    for (double rho = 100; rho <= 1e7; rho *= 10) {
        double ratio = radvar_theory_var_psi_approx(rho, 1) / radvar_theory_var_psi(rho, 1);
        double coef = rho * (ratio - 1.0);
        ck_assert_msg(fabs(coef - 2.25) <= 10.0 / rho + 1e-12 * rho,
                      "rho (approx/exact - 1) = %.17g at rho = %g, expected 9/4 + O(1/rho)",
                      coef, rho);
    }
}
END_TEST

/* pdf: the saddle-point form's relative error grows with |ln f| (exp of
 * ln f) and with a y^2 for y = tau2/x - 1 (formed as (tau2 - x)/x, one
 * rounding; as tau2/x - 1 it cost 1,270 eps at rho = 1e5): worst 70 eps for
 * rho = 1e5, 513 eps where f < 1e-20 (f ~ 1e-244), 32 eps elsewhere.  cdf: GSL's incomplete gamma function,
 * worst 30 eps (rho = 1e5), 960 eps in the far lower tail (cdf < 1e-6). */
static double tol_pdf(const struct pdf_ref *ref)
{
    return ref->pdf < 1e-20 ? TEST_TOL3 : TEST_TOL2;
}

START_TEST(test_pdf_cdf_reference)
{
    const struct pdf_ref *ref = &pdf_ref_table[_i];
    radvar_result r;
    int status = radvar_theory_pdf_psi2_e(ref->x, ref->rho, ref->tau2, &r);
    ck_assert_result(status, r, ref->pdf, tol_pdf(ref));
    status = radvar_theory_cdf_psi2_e(ref->x, ref->rho, ref->tau2, &r);
    ck_assert_result(status, r, ref->cdf, ref->cdf < 1e-6 ? TEST_TOL4 : TEST_TOL2);
}
END_TEST

START_TEST(test_pdf_cdf_worst_error_report)
{
    error_report pdf = {0}, cdf = {0}, cdf_tail = {0};
    double pdf_ratio = 0; /* worst error / class */
    for (size_t i = 0; i < N_ELEMS(pdf_ref_table); i++) {
        const struct pdf_ref *ref = &pdf_ref_table[i];
        radvar_result r;
        radvar_theory_pdf_psi2_e(ref->x, ref->rho, ref->tau2, &r);
        report_add(&pdf, r.val, ref->pdf, r.err, ref->x, ref->rho);
        pdf_ratio = fmax(pdf_ratio, rel_err(r.val, ref->pdf) / tol_pdf(ref));
        radvar_theory_cdf_psi2_e(ref->x, ref->rho, ref->tau2, &r);
        report_add(ref->cdf < 1e-6 ? &cdf_tail : &cdf, r.val, ref->cdf, r.err, ref->x, ref->rho);
    }
    printf("density and cdf of psi^2, %zu reference points (at x, rho):\n", N_ELEMS(pdf_ref_table));
    report_print("pdf (class by region)", &pdf, TEST_TOL4);
    printf("  pdf: worst error / its class %.3g\n", pdf_ratio);
    report_print("cdf >= 1e-6", &cdf, TEST_TOL2);
    report_print("cdf < 1e-6", &cdf_tail, TEST_TOL4);
    error_report inv = {0};
    for (size_t i = 0; i < N_ELEMS(theory_ref_table); i++) {
        const struct theory_ref *ref = &theory_ref_table[i];
        radvar_result r;
        if (ref->rho > 2.0 && radvar_theory_rho_from_var_e(ref->var_psi, 1.0, &r) == 0)
            report_add(&inv, r.val, ref->rho, r.err, ref->rho, ref->var_psi);
    }
    report_print("rho from Var[psi] (at rho)", &inv, TEST_TOL2);
}
END_TEST

START_TEST(test_pdf_integrates_to_cdf)
{
    /* the cdf's numerical derivative is the pdf */
    double rho = 9.0, x = 1.3, h = 1e-5;
    double d = (radvar_theory_cdf_psi2(x + h, rho, 2.0) - radvar_theory_cdf_psi2(x - h, rho, 2.0))
               / (2 * h);
    ck_assert_rel(d, radvar_theory_pdf_psi2(x, rho, 2.0), 1e-8);
}
END_TEST

/* The inverse of Var[psi] given mpmath's Var[psi] (its own call chain
 * replaced by independent values): the rho of the table comes back.  The
 * reference's rounding to a double moves the root by (rho - 2) eps/2 at
 * most (|d ln Var / d ln(rho - 2)| >= 1), hence the ref_err. */
START_TEST(test_inverse_reference)
{
    const struct theory_ref *ref = &theory_ref_table[_i];
    if (!(ref->rho > 2.0) || ref->rho > 1e15)
        return;
    radvar_result r;
    int status = radvar_theory_rho_from_var_e(ref->var_psi, 1.0, &r);
    double ref_err = (ref->rho - 2.0) * DBL_EPSILON;
    /* rho - 2 is what the inverse resolves: its relative error carries the
     * rounding of s = ln(rho - 2) (|s| eps/2) and the Var[psi] error */
    ck_assert_result_ref(status, r, ref->rho, TEST_TOL2, ref_err);
}
END_TEST

START_TEST(test_inverse_round_trip)
{
    for (double s = -10.0; s <= 16.0; s += 0.137) {
        double rho = 2.0 + pow(10.0, s);
        double v = radvar_theory_var_psi(rho, 3.0);
        radvar_result r;
        ck_assert_int_eq(radvar_theory_rho_from_var_e(v, 3.0, &r), RADVAR_SUCCESS);
        ck_assert_msg(fabs(r.val - rho) <= r.err, "rho %.17g back as %.17g, err %.3g", rho, r.val,
                      r.err);
        ck_assert_rel(r.val - 2.0, rho - 2.0, TEST_TOL3);
    }
    /* near the lower end of the bracket (rho - 2 = e^-35 = 6.3e-16): the
     * double 2 + 2^-50, two ulps above 2 */
    radvar_result r;
    double v_lo = radvar_theory_var_psi(2.0 + 0x1p-50, 1.0);
    ck_assert_int_eq(radvar_theory_rho_from_var_e(v_lo, 1.0, &r), RADVAR_SUCCESS);
    ck_assert(r.val == 2.0 + 0x1p-50);
}
END_TEST

START_TEST(test_monotone_decreasing)
{
    /* Theorem 1: Var[psi] decreases in rho.  Dense grid from 2 + 1e-12 to 1e14. */
    double prev = radvar_theory_var_psi(2.0 + 1e-12, 1.0);
    size_t n = 0;
    for (double s = -12.0; s <= 14.0; s += 1e-4) {
        double rho = 2.0 + pow(10.0, s), v = radvar_theory_var_psi(rho, 1.0);
        ck_assert_msg(v <= prev, "Var[psi] increases at rho = %.17g: %.17g > %.17g", rho, v, prev);
        prev = v;
        n++;
    }
    /* and strictly where consecutive grid points differ by more than rounding */
    ck_assert_msg(radvar_theory_var_psi(3.999, 1) > radvar_theory_var_psi(4.001, 1), "near 4");
    printf("monotonicity: %zu grid points from rho = 2 + 1e-12 to 1e14, no increase\n", n);
}
END_TEST

START_TEST(test_domains)
{
    radvar_result r;
    ck_assert_int_eq(radvar_theory_var_psi_e(2.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_nan(r.err);
    ck_assert_int_eq(radvar_theory_mean_psi2_e(1.5, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_theory_mean_psi_e(1.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_theory_mean_psi_e(1.0000001, 1.0, &r), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_theory_mean_psi_e(NAN, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_mean_psi_e(5.0, -1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_var_psi_approx_e(4.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_theory_var_psi_approx_e(4.0000001, 1.0, &r), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_theory_var_psi_approx_e(5.0, NAN, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_var_psi_e(NAN, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_var_psi_e(5.0, 0.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_var_psi_e(5.0, -1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_var_psi_e(5.0, INFINITY, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_var_psi_e(5.0, NAN, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_pdf_psi2_e(NAN, 5.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_theory_pdf_psi2_e(1.0, INFINITY, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_pdf_psi2_e(1.0, 0.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_cdf_psi2_e(1.0, 0.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_cdf_psi2_e(NAN, 3.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_cdf_psi2_e(1.0, 3.0, 0.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_theory_rho_from_var_e(0.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_theory_rho_from_var_e(-1.0, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_rho_from_var_e(INFINITY, 1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_theory_rho_from_var_e(1.0, 0.0, &r), RADVAR_EDOM);
    /* beyond the bracket: Var below that of rho = 2 + e^40, above 2 + e^-35 */
    ck_assert_int_eq(radvar_theory_rho_from_var_e(1e-30, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_theory_rho_from_var_e(1e30, 1.0, &r), RADVAR_EDOM);
    ck_assert_nan(radvar_theory_var_psi(-3.0, 1.0));
    ck_assert_nan(radvar_theory_rho_from_var(-3.0, 1.0));
    ck_assert_nan(radvar_theory_mean_psi2(2.0, 1.0));
    ck_assert_nan(radvar_theory_pdf_psi2(1.0, -1.0, 1.0));
    ck_assert_nan(radvar_theory_cdf_psi2(1.0, -1.0, 1.0));
    /* limits */
    ck_assert(radvar_theory_var_psi(INFINITY, 1.0) == 0.0);
    ck_assert(radvar_theory_mean_psi(INFINITY, 4.0) == 2.0);
    ck_assert(radvar_theory_mean_psi2(INFINITY, 4.0) == 4.0);
    ck_assert(radvar_theory_cdf_psi2(0.0, 5.0, 1.0) == 0.0);
    ck_assert(radvar_theory_pdf_psi2(-1.0, 5.0, 1.0) == 0.0);
    ck_assert(radvar_theory_pdf_psi2(INFINITY, 5.0, 1.0) == 0.0);
    ck_assert(radvar_theory_cdf_psi2(INFINITY, 5.0, 1.0) == 1.0);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("theory");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_moments_reference, 0, (int)N_ELEMS(theory_ref_table));
    tcase_add_test(core, test_moments_worst_error_report);
    tcase_add_test(core, test_tau2_scaling);
    tcase_add_test(core, test_approximation);
    tcase_add_loop_test(core, test_pdf_cdf_reference, 0, (int)N_ELEMS(pdf_ref_table));
    tcase_add_test(core, test_pdf_cdf_worst_error_report);
    tcase_add_test(core, test_pdf_integrates_to_cdf);
    tcase_add_loop_test(core, test_inverse_reference, 0, (int)N_ELEMS(theory_ref_table));
    tcase_add_test(core, test_inverse_round_trip);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_monotone_decreasing);
    tcase_add_test(limits, test_domains);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
