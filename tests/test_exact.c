/* test_exact.c: exact moments of the EMA against independent reference
 * values (tests/ref/make_exact_refs.py), the SMA special case against the
 * closed form of the theory module, the stationary limit, the dof closed form,
 * and domains. */
#include "check_util.h"
#include "radvar/exact.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"
#include "ref/exact_ref.h"

#define TOL_VAR 1e-8   /* issue #7 target on Var[psi_t] */
#define TOL_MEAN 1e-10 /* E[psi], E[psi^2]: no cancellation at all */

START_TEST(test_reference)
{
    const struct exact_ref *ref = &exact_ref_table[_i];
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema(ref->beta2, ref->t, ref->mu, ref->sigma, &m),
                     RADVAR_SUCCESS);
    ck_assert_rel(m.var_psi, ref->var_psi, TOL_VAR);
    ck_assert_rel(m.mean_psi, ref->mean_psi, TOL_MEAN);
    ck_assert_rel(m.mean_psi2, ref->mean_psi2, TOL_MEAN);
    /* the error estimate is honest: the distance to the reference is within it,
     * or within the reference's own accuracy (about 1e-12 relative on its
     * float64 path, see make_exact_refs.py; 1e-11 here) */
    ck_assert(fabs(m.var_psi - ref->var_psi) <= fmax(m.abs_err, 1e-11 * ref->var_psi));
}
END_TEST

START_TEST(test_reference_worst_report)
{
    double worst = 0, worst_mean = 0;
    size_t at = 0;
    for (size_t i = 0; i < N_ELEMS(exact_ref_table); i++) {
        const struct exact_ref *ref = &exact_ref_table[i];
        radvar_exact_moments m;
        radvar_exact_moments_ema(ref->beta2, ref->t, ref->mu, ref->sigma, &m);
        double e = rel_err(m.var_psi, ref->var_psi);
        if (e > worst) {
            worst = e;
            at = i;
        }
        worst_mean = fmax(worst_mean, fmax(rel_err(m.mean_psi, ref->mean_psi),
                                           rel_err(m.mean_psi2, ref->mean_psi2)));
    }
    const struct exact_ref *w = &exact_ref_table[at];
    printf("exact EMA moments, %zu reference cases (beta2 0.9..0.9999, t 3..1e5, mu 0/0.5/2, "
           "sigma 1/0.01):\n  Var[psi_t] worst relative error %.3g at beta2 = %g, t = %g, mu = %g, "
           "sigma = %g (target %.0e)\n  E[psi], E[psi^2] worst relative error %.3g\n",
           N_ELEMS(exact_ref_table), worst, w->beta2, w->t, w->mu, w->sigma, TOL_VAR, worst_mean);
    ck_assert(worst <= TOL_VAR);
}
END_TEST

/* Equal weights 1/k are an SMA of k terms: Theorem 1 at rho = k, exactly. */
static const double sma_k[] = {3, 4, 5, 7, 10, 33, 100, 1000, 10000, 100000};

START_TEST(test_equal_weights_are_theorem_1)
{
    size_t k = (size_t)sma_k[_i];
    double *w = malloc(k * sizeof *w);
    for (size_t i = 0; i < k; i++)
        w[i] = 1.0 / (double)k;
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_weights(w, k, 0.0, 0.5, &m), RADVAR_SUCCESS);
    ck_assert_rel(m.var_psi, radvar_theory_var_psi((double)k, 4.0), 1e-10);
    ck_assert_rel(m.mean_psi, radvar_theory_mean_psi((double)k, 4.0), 1e-10);
    ck_assert_rel(m.mean_psi2, radvar_theory_mean_psi2((double)k, 4.0), 1e-10);
    free(w);
}
END_TEST

START_TEST(test_weights_agree_with_ema)
{
    /* the generic routine with the EMA's weights gives the EMA routine's
     * numbers: two code paths (explicit sum vs closed-form tail) */
    const double b2 = 0.99, t = 700, mu = 0.5, sigma = 2.0;
    double w[700], c = (1 - b2) / (1 - pow(b2, t));
    for (int i = 0; i < 700; i++)
        w[i] = c * pow(b2, i);
    radvar_exact_moments a, b;
    ck_assert_int_eq(radvar_exact_moments_weights(w, 700, mu, sigma, &a), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_exact_moments_ema(b2, t, mu, sigma, &b), RADVAR_SUCCESS);
    ck_assert_rel(a.var_psi, b.var_psi, 1e-10);
    ck_assert_rel(a.mean_psi, b.mean_psi, 1e-12);
}
END_TEST

START_TEST(test_stationary_limit)
{
    /* large t approaches the stationary EMA (t = inf) */
    const double b2[] = {0.9, 0.99, 0.999};
    for (size_t i = 0; i < N_ELEMS(b2); i++) {
        radvar_exact_moments inf, big, mid;
        ck_assert_int_eq(radvar_exact_moments_ema(b2[i], INFINITY, 0.3, 1.0, &inf), RADVAR_SUCCESS);
        ck_assert_int_eq(radvar_exact_moments_ema(b2[i], round(100.0 / (1 - b2[i])), 0.3, 1.0, &big), 0);
        ck_assert_int_eq(radvar_exact_moments_ema(b2[i], round(2.0 / (1 - b2[i])), 0.3, 1.0, &mid), 0);
        ck_assert_rel(big.var_psi, inf.var_psi, 1e-12); /* b2^t = e^-100 */
        ck_assert(fabs(mid.var_psi / inf.var_psi - 1) > 1e-4); /* not yet there */
    }
}
END_TEST

START_TEST(test_rho_moment_closed_form)
{
    /* 1/sum w_i^2 summed directly */
    const double b2[] = {0.5, 0.9, 0.999, 0.999999};
    const double ts[] = {1, 2, 3, 10, 1000, 100000};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t j = 0; j < N_ELEMS(ts); j++) {
            double c = (1 - b2[i]) / -expm1(ts[j] * log(b2[i])), sum = 0;
            for (double a = ts[j] - 1; a >= 0; a--) /* small terms first */
                sum += (c * pow(b2[i], a)) * (c * pow(b2[i], a));
            ck_assert_rel(radvar_schedule_rho_moment(b2[i], ts[j]), 1 / sum, 1e-11);
        }
    ck_assert(radvar_schedule_rho_moment(0.9, 1) == 1.0);
    ck_assert(radvar_schedule_rho_moment(0.9, INFINITY) == radvar_schedule_rho_inf(0.9));
    ck_assert_nan(radvar_schedule_rho_moment(1.0, 5));
}
END_TEST

START_TEST(test_domains)
{
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema(0.9, 2, 0, 1, &m), RADVAR_EDOM);
    ck_assert(isfinite(m.mean_psi)); /* E[psi] exists with two terms */
    ck_assert_nan(m.var_psi);
    ck_assert_int_eq(radvar_exact_moments_ema(0.9, 1, 0, 1, &m), RADVAR_EDOM);
    ck_assert_nan(m.mean_psi);
    ck_assert_int_eq(radvar_exact_moments_ema(0.9, 3.5, 0, 1, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema(0.0, 10, 0, 1, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema(1.0, 10, 0, 1, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema(0.9, 10, NAN, 1, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema(0.9, 10, 0, 0, &m), RADVAR_EDOM);
    ck_assert_nan(m.var_psi);
    double w[3] = {0.2, -0.1, 0.9};
    ck_assert_int_eq(radvar_exact_moments_weights(w, 3, 0, 1, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_weights(NULL, 3, 0, 1, &m), RADVAR_EDOM);
    w[1] = 0.1;
    ck_assert_int_eq(radvar_exact_moments_weights(w, 3, 0, 1, &m), RADVAR_SUCCESS);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("exact");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_reference, 0, (int)N_ELEMS(exact_ref_table));
    tcase_add_test(core, test_reference_worst_report);
    tcase_add_loop_test(core, test_equal_weights_are_theorem_1, 0, (int)N_ELEMS(sma_k));
    tcase_add_test(core, test_weights_agree_with_ema);
    tcase_add_test(core, test_stationary_limit);
    tcase_add_test(core, test_rho_moment_closed_form);
    tcase_set_timeout(core, 120);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_domains);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
