/* test_stats.c: mergeable moments, the standard error of the variance and
 * the Kolmogorov-Smirnov test, against exact sums (mpmath) and scipy
 * (tests/ref/make_stats_refs.py), each in its tolerance class. */
#include <gsl/gsl_cdf.h>
#include <string.h>

#include "check_util.h"
#include "radvar/stats.h"
#include "ref/stats_ref.h"

/* Tolerance classes by sample (worst relative error achieved, in eps):
 *                 mean   central sums, variance, se   merged in two parts
 *   skewed        0      2.6                          mean 1.1, sums 5.3
 *   shifted       0.8    4,600 (M3)                   mean 1.6, sums 11,000
 *   normal        6.2    27 (M3)                      mean 45, sums 26
 * shifted is skewed plus 1e4: each deviation x - mean is rounded to eps 1e4
 * of itself, and M3's terms cancel to 1/8 of their magnitude: the loss is
 * the problem's condition, not the algorithm's.  The normal sample's mean
 * is 0.011 with terms of size 1 (condition 70), and its M3 cancels too. */
struct classes {
    const char *name;
    double mean, sums, merged_mean, merged_sums;
};
static const struct classes sample_classes[] = {
    {"skewed", TEST_TOL0, TEST_TOL1, TEST_TOL0, TEST_TOL1},
    {"shifted", TEST_TOL0, TEST_TOL4, TEST_TOL0, TEST_TOL5},
    {"normal", TEST_TOL1, TEST_TOL2, TEST_TOL2, TEST_TOL2},
};

static const struct classes *classes_of(const struct moments_ref *ref)
{
    for (size_t k = 0; k < N_ELEMS(sample_classes); k++)
        if (strcmp(ref->name, sample_classes[k].name) == 0)
            return &sample_classes[k];
    ck_abort_msg("no classes for sample %s", ref->name);
    return NULL;
}

static double normal_cdf(double x, void *params)
{
    (void)params;
    return gsl_cdf_ugaussian_P(x);
}

static double uniform_cdf(double x, void *params)
{
    (void)params;
    return x <= 0 ? 0 : x >= 1 ? 1 : x;
}

static void assert_moments(const radvar_stats_moments *m, const struct moments_ref *ref,
                           double tol_mean, double tol)
{
    ck_assert(m->n == ref->n);
    ck_assert_rel(m->mean, ref->mean, tol_mean);
    ck_assert_rel(m->m2, ref->m2, tol);
    ck_assert_rel(m->m3, ref->m3, tol);
    ck_assert_rel(m->m4, ref->m4, tol);
    ck_assert_rel(radvar_stats_moments_variance(m), ref->variance, tol);
    ck_assert_rel(radvar_stats_moments_se_variance(m), ref->se_variance, tol);
}

/* The worst relative error over M2, M3, M4, variance and se. */
static double worst_sums(const radvar_stats_moments *m, const struct moments_ref *ref)
{
    double e = fmax(rel_err(m->m2, ref->m2), fmax(rel_err(m->m3, ref->m3), rel_err(m->m4, ref->m4)));
    e = fmax(e, rel_err(radvar_stats_moments_variance(m), ref->variance));
    return fmax(e, rel_err(radvar_stats_moments_se_variance(m), ref->se_variance));
}

START_TEST(test_moments_reference)
{
    const struct moments_ref *ref = &moments_ref_table[_i];
    radvar_stats_moments m;
    radvar_stats_moments_of(ref->x, (size_t)ref->n, &m);
    const struct classes *c = classes_of(ref);
    printf("moments of the %-7s sample: mean %.3g eps (class %g), sums %.3g eps (class %g)\n",
           ref->name, rel_err(m.mean, ref->mean) / DBL_EPSILON, c->mean / DBL_EPSILON,
           worst_sums(&m, ref) / DBL_EPSILON, c->sums / DBL_EPSILON);
    assert_moments(&m, ref, c->mean, c->sums);
}
END_TEST

/* Pebay's merge of two parts against the exact moments of the whole, for
 * every split point of the first 40 values (uneven parts, parts of one). */
START_TEST(test_merge_reference)
{
    const struct moments_ref *ref = &moments_ref_table[_i];
    size_t n = (size_t)ref->n;
    const struct classes *c = classes_of(ref);
    double worst = 0, worst_mean = 0;
    for (size_t k = 1; k < 40; k++) {
        radvar_stats_moments a, b;
        radvar_stats_moments_of(ref->x, k, &a);
        radvar_stats_moments_of(ref->x + k, n - k, &b);
        radvar_stats_moments_merge(&a, &b);
        worst = fmax(worst, worst_sums(&a, ref));
        worst_mean = fmax(worst_mean, rel_err(a.mean, ref->mean));
        assert_moments(&a, ref, c->merged_mean, c->merged_sums);
    }
    printf("merged moments of the %-7s sample: mean %.3g eps (class %g), sums %.3g eps (class %g)\n",
           ref->name, worst_mean / DBL_EPSILON, c->merged_mean / DBL_EPSILON, worst / DBL_EPSILON,
           c->merged_sums / DBL_EPSILON);
}
END_TEST

START_TEST(test_merge_properties)
{
    const struct moments_ref *ref = &moments_ref_table[0];
    radvar_stats_moments all, a, b, c;
    radvar_stats_moments_of(ref->x, 257, &all);
    /* merging into an empty accumulator copies; merging an empty one is a
     * no-op */
    radvar_stats_moments empty = {.n = 0, .mean = 0, .m2 = 0, .m3 = 0, .m4 = 0};
    radvar_stats_moments_merge(&empty, &all);
    ck_assert(memcmp(&empty, &all, sizeof all) == 0);
    radvar_stats_moments none = {.n = 0, .mean = 0, .m2 = 0, .m3 = 0, .m4 = 0};
    radvar_stats_moments_merge(&empty, &none);
    ck_assert(memcmp(&empty, &all, sizeof all) == 0);
    /* three parts, merged in either grouping, within the class */
    radvar_stats_moments_of(ref->x, 60, &a);
    radvar_stats_moments_of(ref->x + 60, 100, &b);
    radvar_stats_moments_of(ref->x + 160, 97, &c);
    radvar_stats_moments ab = a, bc = b;
    radvar_stats_moments_merge(&ab, &b);
    radvar_stats_moments_merge(&ab, &c);
    radvar_stats_moments_merge(&bc, &c);
    radvar_stats_moments_merge(&a, &bc);
    ck_assert_rel(ab.m4, ref->m4, TEST_TOL1);
    ck_assert_rel(a.m4, ref->m4, TEST_TOL1);
    ck_assert_rel(ab.m3, a.m3, TEST_TOL1);
    /* the moments of a constant sample are zero */
    double k[9] = {2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5, 2.5};
    radvar_stats_moments_of(k, 9, &a);
    ck_assert(a.mean == 2.5 && a.m2 == 0 && a.m3 == 0 && a.m4 == 0);
    ck_assert(radvar_stats_moments_se_variance(&a) == 0.0);
    /* empty */
    radvar_stats_moments_of(k, 0, &a);
    ck_assert(a.n == 0 && a.mean == 0);
}
END_TEST

START_TEST(test_small_samples)
{
    /* NaN below the sizes the formulas need (variance n >= 2, se n >= 4) */
    radvar_stats_moments m = {.n = 1, .mean = 2, .m2 = 0, .m3 = 0, .m4 = 0};
    ck_assert_nan(radvar_stats_moments_variance(&m));
    m.n = 3;
    ck_assert_nan(radvar_stats_moments_se_variance(&m));
    /* n = 4: x = 0, 0, 1, 1: mean 1/2, M2 = 1, M4 = 1/4; s^2 = 1/3,
     * mu4 = 1/16, se = sqrt((1/16 - (1/3)(1/9))/4) = sqrt(11/1728) */
    double x[4] = {0, 0, 1, 1};
    radvar_stats_moments_of(x, 4, &m);
    ck_assert_rel(radvar_stats_moments_variance(&m), 1.0 / 3.0, TEST_TOL0);
    ck_assert_rel(radvar_stats_moments_se_variance(&m), sqrt(11.0 / 1728.0), TEST_TOL0);
}
END_TEST

START_TEST(test_ks_q_reference)
{
    const struct ks_q_ref *ref = &ks_q_ref_table[_i];
    /* below lambda = 1 the theta-transformed series for 1 - Q, above it the
     * alternating series, each summed to DBL_EPSILON 1e-3 of its sum: 2 eps,
     * more where exp(-2 lambda^2) loses the relative accuracy of lambda
     * (4 lambda^2 eps: 140 eps at lambda = 6) */
    double tol = ref->lambda > 2.5 ? TEST_TOL2 : TEST_TOL0;
    ck_assert_rel(radvar_stats_ks_q(ref->lambda), ref->q, tol);
}
END_TEST

START_TEST(test_ks_q_limits)
{
    ck_assert(radvar_stats_ks_q(0.0) == 1.0);
    ck_assert(radvar_stats_ks_q(-1.0) == 1.0);
    ck_assert(radvar_stats_ks_q(0.1) == 1.0);
    ck_assert_nan(radvar_stats_ks_q(NAN));
    ck_assert(radvar_stats_ks_q(40.0) == 0.0);
    /* decreasing */
    double prev = 1.0;
    for (double l = 0.2; l < 8; l += 0.01) {
        double q = radvar_stats_ks_q(l);
        ck_assert(q <= prev && q >= 0);
        prev = q;
    }
}
END_TEST

START_TEST(test_ks_test_reference)
{
    /* scipy.stats.kstest on the same 50 values (scipy's normal cdf against
     * GSL's: a few eps) */
    double x[50], d, p;
    memcpy(x, sample_normal, sizeof x);
    ck_assert_int_eq(radvar_stats_ks_test(x, 50, normal_cdf, NULL, &d, &p), RADVAR_SUCCESS);
    ck_assert_rel(d, ks_normal_distance, TEST_TOL1);
    ck_assert_rel(p, ks_normal_p_value, TEST_TOL1);
    /* the sample is sorted in place */
    for (int i = 1; i < 50; i++)
        ck_assert(x[i - 1] <= x[i]);
}
END_TEST

START_TEST(test_ks_test_exact_cases)
{
    /* a perfect uniform grid has D = 1/(2n) against U(0,1) */
    double x[100];
    for (int i = 0; i < 100; i++)
        x[99 - i] = (i + 0.5) / 100;
    double d, p;
    ck_assert_int_eq(radvar_stats_ks_test(x, 100, uniform_cdf, NULL, &d, &p), RADVAR_SUCCESS);
    ck_assert_rel(d, 0.005, TEST_TOL1); /* (i+1)/n - (i+0.5)/n in doubles: 3.9 eps */
    ck_assert(p == 1.0); /* lambda = 0.05: 1 - Q_KS below 1e-100 */
    /* one value: D = max(1 - F, F) */
    double one = 0.3;
    ck_assert_int_eq(radvar_stats_ks_test(&one, 1, uniform_cdf, NULL, &d, &p), RADVAR_SUCCESS);
    ck_assert(d == 0.7);
    /* all values far from the distribution: D = 1, p tiny */
    for (int i = 0; i < 100; i++)
        x[i] = 5.0 + i;
    ck_assert_int_eq(radvar_stats_ks_test(x, 100, uniform_cdf, NULL, &d, &p), RADVAR_SUCCESS);
    ck_assert(d == 1.0);
    ck_assert(p < 1e-80);
    /* errors: no values, a NaN */
    ck_assert_int_eq(radvar_stats_ks_test(x, 0, uniform_cdf, NULL, &d, &p), RADVAR_EDOM);
    ck_assert_nan(d);
    ck_assert_nan(p);
    x[7] = NAN;
    ck_assert_int_eq(radvar_stats_ks_test(x, 100, uniform_cdf, NULL, &d, &p), RADVAR_EDOM);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("stats");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_moments_reference, 0, (int)N_ELEMS(moments_ref_table));
    tcase_add_loop_test(core, test_merge_reference, 0, (int)N_ELEMS(moments_ref_table));
    tcase_add_test(core, test_merge_properties);
    tcase_add_test(core, test_small_samples);
    tcase_add_loop_test(core, test_ks_q_reference, 0, (int)N_ELEMS(ks_q_ref_table));
    tcase_add_test(core, test_ks_q_limits);
    tcase_add_test(core, test_ks_test_reference);
    tcase_add_test(core, test_ks_test_exact_cases);
    suite_add_tcase(s, core);
    return run_suite(s);
}
