/* test_special.c: the private special functions every module relies on
 * (src/special.h: log1pmx and Binet's function), against 60-digit mpmath
 * (tests/ref/make_refs.py), and the bounds on Binet's error that theory.c's
 * error estimates assume (binet_mu_abs_err there). */
#include "check_util.h"
#include "ref/special_ref.h"
#include "../src/special.h"

/* theory.c's binet_mu_abs_err, restated: what the estimates rely on. */
static double binet_bound(double z, double mu)
{
    if (z >= 10.0)
        return 2.5 * DBL_EPSILON * fabs(mu);
    if (z >= 2.0)
        return 1.5 * DBL_EPSILON;
    if (z >= 0.5)
        return 4.5 * DBL_EPSILON;
    return (48.0 + 4.0 * fabs(mu)) * DBL_EPSILON;
}

START_TEST(test_reference)
{
    const struct special_ref *ref = &special_ref_table[_i];
    /* log1pmx: the series (|x| < 1/4) to an ulp; log1p(x) - x beyond,
     * which cancels by up to 8 (x = -1/4 .. 1/4) and, near x = -1, loses
     * the relative accuracy of 1 + x: 2.6 eps seen */
    ck_assert_rel(radvar_special_log1pmx(ref->x), ref->log1pmx, TEST_TOL1);
    if (isnan(ref->z))
        return;
    double mu = radvar_special_binet_mu(ref->z);
    ck_assert_msg(fabs(mu - ref->binet_mu) <= binet_bound(ref->z, ref->binet_mu),
                  "mu(%.17g) = %.17g, expected %.17g: error %.3g eps, bound %.3g eps", ref->z, mu,
                  ref->binet_mu, fabs(mu - ref->binet_mu) / DBL_EPSILON,
                  binet_bound(ref->z, ref->binet_mu) / DBL_EPSILON);
}
END_TEST

START_TEST(test_edges)
{
    ck_assert(radvar_special_log1pmx(0.0) == 0.0);
    ck_assert(radvar_special_log1pmx(-1.0) == -INFINITY);
    ck_assert_nan(radvar_special_log1pmx(-1.5));
    ck_assert_nan(radvar_special_log1pmx(NAN));
    ck_assert_nan(radvar_special_binet_mu(0.0));
    ck_assert_nan(radvar_special_binet_mu(-2.0));
    ck_assert_nan(radvar_special_binet_mu(NAN));
    /* the two sides of the switch at z = 10 agree */
    ck_assert_rel(radvar_special_binet_mu(nextafter(10.0, 0.0)), radvar_special_binet_mu(10.0),
                  TEST_TOL1);
    /* mu(z) ~ 1/(12 z) */
    ck_assert_rel(radvar_special_binet_mu(1e15), 1.0 / 12e15, TEST_TOL0);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("special");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_reference, 0, (int)N_ELEMS(special_ref_table));
    tcase_add_test(core, test_edges);
    suite_add_tcase(s, core);
    return run_suite(s);
}
