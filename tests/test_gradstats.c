/* test_gradstats.c: the statistics of gradient series (radvar/gradstats.h)
 * against 50-digit mpmath values of their definitions on four synthetic
 * series (tests/ref/make_gradstats_refs.py, cross-checked with scipy.stats),
 * and the error paths. */
#include "check_util.h"
#include "radvar/gradstats.h"
#include "ref/gradstats_ref.h"

/* Tolerances in units of DBL_EPSILON, near the errors achieved (printed by
 * test_report): compensated two-pass sums keep the moments to a few ulps;
 * the z-scores go through log, asinh and cbrt (tens of ulps), and
 * p = exp(-K^2/2) multiplies the relative error of K^2 by K^2/2. */
#define TOL_MOMENT (8 * DBL_EPSILON)  /* achieved: 2 eps */
#define TOL_LAG (8 * DBL_EPSILON)     /* achieved: 1 eps */
#define TOL_HILL (32 * DBL_EPSILON)   /* achieved: 6 eps */
#define TOL_K2 (256 * DBL_EPSILON)    /* achieved: 45 eps */

static double worst[6];

START_TEST(test_reference)
{
    const struct gradstats_ref *ref = &gradstats_ref_table[_i];
    radvar_gradstats s;
    ck_assert_int_eq(radvar_gradstats_describe(ref->x, ref->n, &s), RADVAR_SUCCESS);
    ck_assert(s.n == (double)ref->n);
    const double got[6] = {s.mean, s.sd, s.kurtosis, s.lag1, s.hill, s.normality_k2};
    const double want[6] = {ref->mean, ref->sd, ref->kurtosis, ref->lag1, ref->hill, ref->k2};
    const double tol[6] = {TOL_MOMENT, TOL_MOMENT, TOL_MOMENT, TOL_LAG, TOL_HILL, TOL_K2};
    for (int k = 0; k < 6; k++) {
        double e = rel_err(got[k], want[k]);
        worst[k] = e > worst[k] ? e : worst[k];
        ck_assert_msg(e <= tol[k], "%s statistic %d: %.17g vs %.17g, relative error %.3g", ref->name,
                      k, got[k], want[k], e);
    }
    ck_assert_rel(s.skewness, ref->skewness, TOL_MOMENT * (1 + fabs(ref->kurtosis / ref->skewness)));
    ck_assert(s.hill_k == ref->hill_k);
    ck_assert_rel(s.normality_p, ref->p, TOL_K2 * (1 + ref->k2 / 2));
}
END_TEST

START_TEST(test_report)
{
    printf("gradstats vs mpmath, 4 series: worst relative errors mean/sd/kurtosis %.2g/%.2g/%.2g, "
           "lag1 %.2g, hill %.2g, K^2 %.2g\n", worst[0], worst[1], worst[2], worst[3], worst[4],
           worst[5]);
}
END_TEST

START_TEST(test_what_the_statistics_say)
{
    /* the series were drawn from known models: the statistics point at them */
    radvar_gradstats g, t, a;
    radvar_gradstats_describe(gradstats_ref_table[0].x, gradstats_ref_table[0].n, &g);
    radvar_gradstats_describe(gradstats_ref_table[1].x, gradstats_ref_table[1].n, &t);
    radvar_gradstats_describe(gradstats_ref_table[2].x, gradstats_ref_table[2].n, &a);
    ck_assert(g.normality_p > 0.01 && fabs(g.lag1) < 0.15);
    ck_assert(t.normality_p < 1e-10 && t.kurtosis > 5 && t.hill > 2.5 && t.hill < 5.5);
    ck_assert(a.lag1 > 0.45 && a.lag1 < 0.75);
}
END_TEST

START_TEST(test_edges_and_errors)
{
    radvar_gradstats s;
    const double one[1] = {2.5}, flat[30] = {0}, bad[3] = {1, NAN, 2};
    ck_assert_int_eq(radvar_gradstats_describe(one, 1, &s), RADVAR_SUCCESS);
    ck_assert(s.mean == 2.5 && s.n == 1);
    ck_assert_nan(s.sd);
    ck_assert_nan(s.kurtosis);
    ck_assert_nan(s.hill);
    ck_assert_int_eq(radvar_gradstats_describe(flat, 30, &s), RADVAR_SUCCESS);
    ck_assert(s.sd == 0);
    ck_assert_nan(s.kurtosis); /* a constant series has no shape */
    ck_assert_nan(s.normality_p);
    ck_assert_nan(s.hill);
    ck_assert_int_eq(radvar_gradstats_describe(bad, 3, &s), RADVAR_ENONFINITE);
    ck_assert_nan(s.mean);
    ck_assert_int_eq(radvar_gradstats_describe(NULL, 3, &s), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_gradstats_describe(one, 0, &s), RADVAR_EINVAL);
    radvar_result r;
    ck_assert_int_eq(radvar_gradstats_hill_e(one, 1, 0, 1, &r), RADVAR_EINVAL);
    double z1, z2, k2, p;
    ck_assert_int_eq(radvar_gradstats_normality_e(19, 0.1, 3, &z1, &z2, &k2, &p), RADVAR_EDOM);
    ck_assert_nan(p);
    ck_assert_int_eq(radvar_gradstats_normality_e(100, NAN, 3, &z1, &z2, &k2, &p), RADVAR_EDOM);
    /* a Gaussian's expected statistics give z near 0 */
    ck_assert_int_eq(radvar_gradstats_normality_e(1e6, 0, 3, &z1, &z2, &k2, &p), RADVAR_SUCCESS);
    ck_assert(fabs(z2) < 0.01 && p > 0.99);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("gradstats");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_reference, 0, (int)N_ELEMS(gradstats_ref_table));
    tcase_add_test(core, test_report);
    tcase_add_test(core, test_what_the_statistics_say);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_edges_and_errors);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK); /* the report reads what the loop saw */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
