/* test_exact.c: exact moments of the EMA against independent reference
 * values (tests/ref/make_exact_refs.py), each in its tolerance class and with
 * abs_err checked against the distance to the reference; the SMA special
 * case against the closed form of the theory module, the generic weights
 * against the EMA routine, the stationary limit, the dof closed form, and
 * domains. */
#include "check_util.h"
#include "radvar/exact.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"
#include "ref/exact_ref.h"
#include "ref/exact_small_ref.h"

/* Tolerance classes (worst relative error achieved, in eps).  The
 * quadrature stops at 1e-12 relative (QUAD_EPSREL), which it reaches with
 * room to spare except where psi_t is heaviest-tailed, t = 3:
 *                          Var[psi]   E[psi]   E[psi^2]
 *   t = 3                  23,100     7.4      8,300
 *   t = 4                  37         1.0      9.0
 *   t >= 10, mpmath rows   10         0.9      0.8
 *   float64 rows (t > 200) 330        1.0      1.0
 * The reference is mpmath at 40 digits with up to 200 terms ("mpmath rows")
 * and beyond, the excess over the mean summed in float64 with fsum, good to
 * about 1e-12 relative (make_exact_refs.py): that is the reference's own
 * uncertainty in the check of abs_err. */
static int mp_row(const struct exact_ref *ref)
{
    /* make_exact_refs.py's weights(): terms with w_j >= 1e-40 w_0, at most t */
    double terms = fmin(ref->t, ceil(40.0 * log(10.0) / -log(ref->beta2)) + 1.0);
    return terms <= 200.0;
}

static void classes(const struct exact_ref *ref, double *var, double *mean, double *mean2)
{
    if (ref->t == 3) {
        *var = TEST_TOL2, *mean = TEST_TOL0, *mean2 = TEST_TOL2; /* achieved 42 eps */
    } else if (ref->t == 4) {
        *var = TEST_TOL2, *mean = TEST_TOL0, *mean2 = TEST_TOL1;
    } else if (mp_row(ref)) {
        *var = TEST_TOL1, *mean = TEST_TOL0, *mean2 = TEST_TOL0;
    } else {
        *var = TEST_TOL3, *mean = TEST_TOL0, *mean2 = TEST_TOL0;
    }
}

/* At t = 3 the integrand of E[Y^-1] decays only like s^-3/2; exact.c sums
 * ln L_Y from its own terms where it is large, so abs_err bounds the error
 * there too (it once fell short by 3.3 times): every case is held to
 * |val - ref| <= abs_err. */
#define T3_ABS_ERR_SHORTFALL 1.0

START_TEST(test_reference)
{
    const struct exact_ref *ref = &exact_ref_table[_i];
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema(ref->beta2, ref->t, ref->mu, ref->sigma, &m),
                     RADVAR_SUCCESS);
    double tol_var, tol_mean, tol_mean2;
    classes(ref, &tol_var, &tol_mean, &tol_mean2);
    ck_assert_rel(m.var_psi, ref->var_psi, tol_var);
    ck_assert_rel(m.mean_psi, ref->mean_psi, tol_mean);
    ck_assert_rel(m.mean_psi2, ref->mean_psi2, tol_mean2);
    /* the error estimate is honest: the distance to the reference is within
     * it, plus the reference's own uncertainty */
    double ref_err = (mp_row(ref) ? 1e-20 : 1e-12) * ref->var_psi;
    double allowed = (ref->t == 3 ? T3_ABS_ERR_SHORTFALL : 1.0) * m.abs_err + ref_err;
    ck_assert_msg(m.abs_err >= 0 && isfinite(m.abs_err), "abs_err %g", m.abs_err);
    ck_assert_msg(fabs(m.var_psi - ref->var_psi) <= allowed,
                  "beta2 %g t %g mu %g sigma %g: |Var - ref| = %.3g > abs_err %.3g (+ %.3g)",
                  ref->beta2, ref->t, ref->mu, ref->sigma, fabs(m.var_psi - ref->var_psi), m.abs_err,
                  ref_err);
    /* not GSL's TEST_FACTOR check: a quadrature's estimate is of the order
     * of the tolerance it was asked for (1e-12 relative, whatever it
     * achieves); it stays below the 1e-10 that exact.c accepts */
    ck_assert_msg(m.abs_err <= 1e-10 * ref->var_psi, "abs_err %.3g is more than 1e-10 relative",
                  m.abs_err);
}
END_TEST

START_TEST(test_reference_worst_report)
{
    double worst[4] = {0}, worst_mean = 0, worst_ratio = 0, worst_ratio_t3 = 0;
    size_t at = 0;
    for (size_t i = 0; i < N_ELEMS(exact_ref_table); i++) {
        const struct exact_ref *ref = &exact_ref_table[i];
        radvar_exact_moments m;
        radvar_exact_moments_ema(ref->beta2, ref->t, ref->mu, ref->sigma, &m);
        double e = rel_err(m.var_psi, ref->var_psi);
        int group = ref->t == 3 ? 0 : ref->t == 4 ? 1 : mp_row(ref) ? 2 : 3;
        if (e > worst[group]) {
            worst[group] = e;
            if (group == 0)
                at = i;
        }
        worst_mean = fmax(worst_mean, rel_err(m.mean_psi, ref->mean_psi));
        double ratio = fabs(m.var_psi - ref->var_psi) / m.abs_err;
        if (ref->t == 3)
            worst_ratio_t3 = fmax(worst_ratio_t3, ratio);
        else
            worst_ratio = fmax(worst_ratio, ratio);
    }
    const struct exact_ref *w = &exact_ref_table[at];
    printf("exact EMA moments, %zu reference cases (beta2 0.9..0.9999, t 3..1e5, mu 0/0.5/2, "
           "sigma 1/0.01):\n  Var[psi_t] worst relative error: t = 3 %.3g eps (at beta2 = %g, mu = %g, "
           "sigma = %g), t = 4 %.3g eps, mpmath rows %.3g eps, float64 rows %.3g eps\n"
           "  E[psi] worst relative error %.3g eps\n"
           "  |Var - ref| / abs_err: worst %.3g (t = 3: %.3g, held to abs_err too)\n",
           N_ELEMS(exact_ref_table), worst[0] / DBL_EPSILON, w->beta2, w->mu, w->sigma,
           worst[1] / DBL_EPSILON, worst[2] / DBL_EPSILON, worst[3] / DBL_EPSILON,
           worst_mean / DBL_EPSILON, worst_ratio, worst_ratio_t3);
    ck_assert(worst_ratio <= 1.0 && worst_ratio_t3 <= T3_ABS_ERR_SHORTFALL);
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
    /* k = 3: 2,900 eps (Var), 1,050 (E[psi^2]), as the t = 3 EMA; beyond,
     * 21 eps (Var, the sum of both modules' errors), 1.6 (E[psi]), 1 */
    ck_assert_rel(m.var_psi, radvar_theory_var_psi((double)k, 4.0), k == 3 ? TEST_TOL4 : TEST_TOL2);
    ck_assert_rel(m.mean_psi, radvar_theory_mean_psi((double)k, 4.0), TEST_TOL0);
    ck_assert_rel(m.mean_psi2, radvar_theory_mean_psi2((double)k, 4.0), k == 3 ? TEST_TOL4 : TEST_TOL0);
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
    ck_assert_rel(a.var_psi, b.var_psi, TEST_TOL1); /* 4.1 eps */
    ck_assert_rel(a.mean_psi, b.mean_psi, TEST_TOL0);
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
            ck_assert_rel(big.var_psi, inf.var_psi, TEST_TOL0); /* b2^t = e^-100 */
        ck_assert(fabs(mid.var_psi / inf.var_psi - 1) > 1e-4); /* not yet there */
    }
}
END_TEST

START_TEST(test_rho_moment_closed_form)
{
    /* 1/sum w_i^2 summed directly in double (that sum's own rounding: up
     * to 35 eps over 1e5 terms) */
    const double b2[] = {0.5, 0.9, 0.999, 0.999999};
    const double ts[] = {1, 2, 3, 10, 1000, 100000};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t j = 0; j < N_ELEMS(ts); j++) {
            double c = (1 - b2[i]) / -expm1(ts[j] * log(b2[i])), sum = 0;
            for (double a = ts[j] - 1; a >= 0; a--) /* small terms first */
                sum += (c * pow(b2[i], a)) * (c * pow(b2[i], a));
                    ck_assert_rel(radvar_schedule_rho_moment(b2[i], ts[j]), 1 / sum, TEST_TOL2);
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
    ck_assert_int_eq(radvar_exact_moments_weights(w, 2, 0, 1, &m), RADVAR_EDOM);
    ck_assert(isfinite(m.mean_psi)); /* two terms: E[psi] only */
    ck_assert_nan(m.var_psi);
    ck_assert_int_eq(radvar_exact_moments_weights(w, 3, 0, INFINITY, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_weights(w, 1, 0, 1, &m), RADVAR_EDOM);
}
END_TEST

/* beta2 < 0.01: L_Y(s) falls like s^-1/2, s^-1 and s^-3/2 over decades of
 * s each, and one QAGIU over [0, inf) gave E[psi^2] = -1.02 and
 * Var[psi] = -33.5 at beta2 = 1e-5, t = 3 (exact.c splits the integrals at
 * every decade there).  Against 30-digit mpmath with every term kept
 * (make_exact_refs.py, exact_small_ref.h), beta2 down to 1e-50, the bound
 * of the domain.  Worst relative error achieved: Var 7 eps, E[psi] 2 eps,
 * E[psi^2] 7 eps (beta2 = 1e-50); |Var - ref| / abs_err at most 0.006. */
START_TEST(test_small_beta2)
{
    const struct exact_ref *ref = &exact_small_ref_table[_i];
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema(ref->beta2, ref->t, ref->mu, ref->sigma, &m),
                     RADVAR_SUCCESS);
    ck_assert(m.mean_psi2 > 0 && m.var_psi > 0);
    ck_assert_rel(m.var_psi, ref->var_psi, TEST_TOL1);
    ck_assert_rel(m.mean_psi, ref->mean_psi, TEST_TOL1);
    ck_assert_rel(m.mean_psi2, ref->mean_psi2, TEST_TOL1);
    ck_assert_msg(fabs(m.var_psi - ref->var_psi) <= m.abs_err + 1e-20 * ref->var_psi,
                  "beta2 %g t %g mu %g: |Var - ref| = %.3g > abs_err %.3g", ref->beta2, ref->t,
                  ref->mu, fabs(m.var_psi - ref->var_psi), m.abs_err);
}
END_TEST

/* Below the domain's bound, and every noise model at small beta2: a status
 * and positive moments, never a negative one. */
START_TEST(test_small_beta2_bound_and_noise)
{
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema(0.99 * RADVAR_EXACT_BETA2_MIN, 3, 0, 1, &m), RADVAR_EDOM);
    ck_assert_nan(m.mean_psi);
    ck_assert_int_eq(radvar_exact_moments_ema(RADVAR_EXACT_BETA2_MIN, 3, 0, 1, &m), RADVAR_SUCCESS);
    const char *models[] = {"student:nu=5", "laplace", "mixture:p=0.1,k=3", "ar1:phi=0.5",
                            "decay:a=0.5,tau=10"};
    const double b2[] = {1e-3, 1e-5, 1e-20}, ts[] = {3, 10};
    for (size_t i = 0; i < N_ELEMS(models); i++) {
        radvar_noise nz;
        char why[256];
        ck_assert_int_eq(radvar_noise_parse(models[i], &nz, why, sizeof why), RADVAR_SUCCESS);
        ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99 * RADVAR_EXACT_BETA2_MIN, 3, 0, 1, &nz, &m),
                         RADVAR_EDOM);
        for (size_t j = 0; j < N_ELEMS(b2); j++)
            for (size_t k = 0; k < N_ELEMS(ts); k++) {
                int st = radvar_exact_moments_ema_noise(b2[j], ts[k], 0.5, 1, &nz, &m);
                ck_assert_msg(st == RADVAR_SUCCESS, "%s beta2 %g t %g: status %d", models[i], b2[j],
                              ts[k], st);
                ck_assert_msg(m.var_psi > 0 && m.mean_psi2 > m.mean_psi * m.mean_psi
                              && m.abs_err <= 1e-9 * m.var_psi,
                              "%s beta2 %g t %g: E[psi] %g E[psi^2] %g Var %g abs_err %g", models[i],
                              b2[j], ts[k], m.mean_psi, m.mean_psi2, m.var_psi, m.abs_err);
            }
    }
}
END_TEST

/* Scaled units: psi scales as 1/sigma at fixed mu/sigma.  With sigma and mu
 * powers of two apart from 1 and 0.5, beyond 2^-400 .. 2^400 (where exact.c
 * rescales), every moment is the one at (0.5, 1) times that power, bit for
 * bit, for each entry point. */
START_TEST(test_scaled_units)
{
    const int exps[] = {-500, -450, 450, 500};
    const double w[4] = {0.4, 0.3, 0.2, 0.1};
    radvar_noise student;
    char why[256];
    ck_assert_int_eq(radvar_noise_parse("student:nu=5", &student, why, sizeof why), RADVAR_SUCCESS);
    radvar_exact_moments one, one_w, one_n;
    ck_assert_int_eq(radvar_exact_moments_ema(0.99, 50, 0.5, 1, &one), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_exact_moments_weights(w, 4, 0.5, 1, &one_w), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99, 50, 0.5, 1, &student, &one_n), RADVAR_SUCCESS);
    for (size_t i = 0; i < N_ELEMS(exps); i++) {
        int e = exps[i];
        double sigma = ldexp(1, e), mu = ldexp(0.5, e);
        radvar_exact_moments m;
        const radvar_exact_moments *refs[3] = {&one, &one_w, &one_n};
        for (int k = 0; k < 3; k++) {
            int st = k == 0   ? radvar_exact_moments_ema(0.99, 50, mu, sigma, &m)
                     : k == 1 ? radvar_exact_moments_weights(w, 4, mu, sigma, &m)
                              : radvar_exact_moments_ema_noise(0.99, 50, mu, sigma, &student, &m);
            const radvar_exact_moments *r = refs[k];
            ck_assert_int_eq(st, RADVAR_SUCCESS);
            ck_assert(m.mean_psi == ldexp(r->mean_psi, -e));
            ck_assert(m.mean_psi2 == ldexp(r->mean_psi2, -2 * e));
            ck_assert(m.var_psi == ldexp(r->var_psi, -2 * e));
        }
    }
}
END_TEST

/* Where a moment is not a normal double (psi ~ 1/sigma), or mu/sigma beyond
 * the domain: NaN with RADVAR_EDOM, at once.  These once hung (sigma = 1e-200,
 * 1e200, 1e154: sigma^2 under- or overflowed and a NaN never met the exit
 * test of a loop) or gave NaN with success (mu = 1e155). */
START_TEST(test_unrepresentable)
{
    static const struct { double beta2, t, mu, sigma; } cases[] = {
        {0.9, 3, 0, 1e-200},   /* E[psi^2] ~ 1e400 */
        {0.9, 3, 0, 1e200},    /* E[psi^2] ~ 1e-400 */
        {0.9, 3, 0, 1e154},    /* Var[psi] ~ 3e-309, below DBL_MIN */
        {0.999, 1e9, 0, 1e-200},
        {0.999, 10, 1e155, 1}, /* mu > 1e30 sigma */
        {0.999, 10, 1e155, 1e140}, /* E[psi^2] ~ 1e-310 */
        {0.999, 10, 0, 1e154},
    };
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        radvar_exact_moments m;
        int st = radvar_exact_moments_ema(cases[i].beta2, cases[i].t, cases[i].mu, cases[i].sigma, &m);
        ck_assert_msg(st == RADVAR_EDOM, "case %zu: status %d", i, st);
        ck_assert_nan(m.mean_psi);
        ck_assert_nan(m.mean_psi2);
        ck_assert_nan(m.var_psi);
    }
    /* the edges of mu/sigma, and scales far out that stay representable */
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema(0.999, 10, 1e30, 1, &m), RADVAR_SUCCESS);
    ck_assert(m.var_psi > 0);
    ck_assert_int_eq(radvar_exact_moments_ema(0.999, 10, -1e30, 1, &m), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_exact_moments_ema(0.999, 10, 1.000001e30, 1, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema(0.9, 3, 0, 1e-140, &m), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_exact_moments_ema(0.9, 3, 0, 1e140, &m), RADVAR_SUCCESS);
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
    tcase_add_loop_test(limits, test_small_beta2, 0, (int)N_ELEMS(exact_small_ref_table));
    tcase_add_test(limits, test_small_beta2_bound_and_noise);
    tcase_add_test(limits, test_scaled_units);
    tcase_add_test(limits, test_unrepresentable);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
