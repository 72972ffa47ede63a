/* test_theory_range.c: the scaled-inverse-chi2 moments of psi over the whole
 * double range of rho (up to DBL_MAX) and tau2 (1e-300 to 1e300), against
 * mpmath values at 2 log10(rho) + 40 digits (tests/ref/make_theory_range_refs.py).
 * Before the fix, Var[psi] was -0 from rho = 1e154 on and the first-order
 * approximation 0 from rho = 1.3e154 on. */
#include "check_util.h"
#include "radvar/theory.h"
#include "ref/theory_range_ref.h"

/* Relative error within tol, or, for results below DBL_MIN (subnormal, with
 * fewer significant bits), an absolute error within `sub` smallest
 * subnormals. */
static void check_value(const char *what, double got, double want, double rho, double tau2,
                        double tol, double sub)
{
    double e = rel_err(got, want);
    int ok = fabs(want) >= DBL_MIN ? e <= tol : fabs(got - want) <= sub * DBL_TRUE_MIN;
    ck_assert_msg(ok && !signbit(got), "%s(rho = %.17g, tau2 = %.17g) = %.17g, expected %.17g "
                  "(relative error %.3g, tolerance %.3g)", what, rho, tau2, got, want, e, tol);
}

START_TEST(test_range_reference)
{
    const struct theory_range_ref *r = &theory_range_ref_table[_i];
    /* tolerances near what the functions achieve: E[psi] 8 ulps (exp of an
     * accurate logarithm), E[psi^2] 2, Var[psi] 16, the approximation 4 */
    check_value("mean_psi", radvar_theory_mean_psi(r->rho, r->tau2), r->mean_psi, r->rho, r->tau2,
                8 * DBL_EPSILON, 2);
    check_value("mean_psi2", radvar_theory_mean_psi2(r->rho, r->tau2), r->mean_psi2, r->rho,
                r->tau2, 2 * DBL_EPSILON, 2);
    check_value("var_psi", radvar_theory_var_psi(r->rho, r->tau2), r->var_psi, r->rho, r->tau2,
                16 * DBL_EPSILON, 2);
    check_value("var_psi_approx", radvar_theory_var_psi_approx(r->rho, r->tau2),
                r->var_psi_approx, r->rho, r->tau2, 4 * DBL_EPSILON, 2);
}
END_TEST

/* Var[psi] decreases with rho across the switch to the asymptotic form and
 * stays positive up to DBL_MAX. */
START_TEST(test_range_monotone)
{
    double prev = INFINITY;
    for (double rho = 1e10; rho < 1.7e308; rho *= 1.7) {
        double v = radvar_theory_var_psi(rho, 1.0);
        ck_assert_msg(v > 0 && v < prev, "Var[psi](%.17g) = %.17g after %.17g", rho, v, prev);
        prev = v;
    }
    ck_assert(radvar_theory_var_psi(DBL_MAX, 1.0) > 0);
    ck_assert(radvar_theory_var_psi_approx(DBL_MAX, 1.0) > 0);
}
END_TEST

static Suite *theory_range_suite(void)
{
    Suite *s = suite_create("theory_range");
    TCase *tc = tcase_create("Limits");
    tcase_add_loop_test(tc, test_range_reference, 0, (int)N_ELEMS(theory_range_ref_table));
    tcase_add_test(tc, test_range_monotone);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return run_suite(theory_range_suite());
}
