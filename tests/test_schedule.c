/* test_schedule.c: rho_t, the SMA length, r_t, the exact rectification,
 * thresholds and warmups, against 120-digit mpmath values
 * (tests/ref/make_refs.py) and against independent sums. */
#include "check_util.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "ref/schedule_ref.h"

#define TOL_RHO 1e-10   /* issue #2 target for rho_t */
#define TOL_RECT 1e-12  /* r_t: a few operations on rho_t */

START_TEST(test_rho_t_reference)
{
    const struct schedule_ref *ref = &schedule_ref_table[_i];
    ck_assert_rel(radvar_schedule_rho_t(ref->beta2, ref->t), ref->rho_t, TOL_RHO);
    ck_assert_rel(radvar_rectify_paper(ref->beta2, ref->t), ref->r_t, TOL_RECT);
    ck_assert_rel(radvar_rectify_sma_exact(ref->beta2, ref->t), ref->r_t_exact, 1e-11);
}
END_TEST

START_TEST(test_rho_t_worst_error_report)
{
    double worst = 0, worst_rect = 0, worst_sma = 0, at_b = 0, at_t = 0;
    for (size_t i = 0; i < N_ELEMS(schedule_ref_table); i++) {
        const struct schedule_ref *ref = &schedule_ref_table[i];
        double e = rel_err(radvar_schedule_rho_t(ref->beta2, ref->t), ref->rho_t);
        if (e > worst) {
            worst = e;
            at_b = ref->beta2;
            at_t = ref->t;
        }
        double er = rel_err(radvar_rectify_paper(ref->beta2, ref->t), ref->r_t);
        worst_rect = er > worst_rect ? er : worst_rect;
        if (ref->t <= 1e7) {
            double es = rel_err(radvar_schedule_sma_length(ref->beta2, ref->t), ref->rho_t);
            worst_sma = es > worst_sma ? es : worst_sma;
        }
    }
    printf("schedule accuracy, beta2 in [0.5, 0.999999], t in [1, 1e9], %zu points:\n"
           "  rho_t worst relative error %.3g at beta2 = %.17g, t = %.17g (target %.0e)\n"
           "  r_t worst relative error %.3g; SMA length (numerical, t <= 1e7) vs exact rho_t %.3g\n",
           N_ELEMS(schedule_ref_table), worst, at_b, at_t, TOL_RHO, worst_rect, worst_sma);
    ck_assert(worst <= TOL_RHO && worst_rect <= TOL_RECT && worst_sma <= 1e-12);
}
END_TEST

START_TEST(test_rho_t_exact_points)
{
    /* rho_1 = 1 exactly for every beta2; beta2 = 0: rho_t = rho_inf = 1 */
    const double b2[] = {0.0, 0.3, 0.5, 0.9, 0.999, 0.999999, 0.99999999};
    for (size_t k = 0; k < N_ELEMS(b2); k++)
        ck_assert(radvar_schedule_rho_t(b2[k], 1.0) == 1.0);
    ck_assert(radvar_schedule_rho_t(0.0, 7.0) == 1.0);
    ck_assert(radvar_schedule_rho_inf(0.0) == 1.0);
    /* beta2 = 0.5: rho_2 = 5/3, rho_inf = 3 */
    ck_assert_rel(radvar_schedule_rho_t(0.5, 2.0), 5.0 / 3.0, 2 * DBL_EPSILON);
    ck_assert_rel(radvar_schedule_rho_inf(0.5), 3.0, DBL_EPSILON);
    /* the limit is reached exactly */
    ck_assert(radvar_schedule_rho_t(0.9, 1e6) == radvar_schedule_rho_inf(0.9));
    ck_assert(radvar_schedule_rho_t(0.9, INFINITY) == radvar_schedule_rho_inf(0.9));
}
END_TEST

START_TEST(test_sma_length_matches_closed_form)
{
    /* the numerical centre-of-mass solution agrees with the closed form */
    const double b2[] = {0.5, 0.9, 0.99, 0.999, 0.9999, 0.999999};
    const double ts[] = {1, 2, 3, 5, 10, 99, 1000, 4321, 100000, 3000000};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t j = 0; j < N_ELEMS(ts); j++) {
            radvar_result r;
            ck_assert_int_eq(radvar_schedule_sma_length_e(b2[i], ts[j], &r), RADVAR_SUCCESS);
            ck_assert_rel(r.val, radvar_schedule_rho_t(b2[i], ts[j]), 1e-12);
        }
}
END_TEST

START_TEST(test_rho_t_monotone)
{
    const double b2[] = {0.9, 0.999, 0.999999};
    for (size_t i = 0; i < N_ELEMS(b2); i++) {
        double prev = 0;
        for (double t = 1; t < 1e8; t = t < 100 ? t + 1 : floor(t * 1.01)) {
            double r = radvar_schedule_rho_t(b2[i], t);
            ck_assert_msg(r >= prev, "rho_t decreases at beta2 = %g, t = %g", b2[i], t);
            ck_assert(r <= radvar_schedule_rho_inf(b2[i]));
            prev = r;
        }
    }
}
END_TEST

START_TEST(test_rectification)
{
    /* r_t -> 1 as t -> inf; the same formula from rho values */
    ck_assert(radvar_rectify_paper(0.999, 1e9) == 1.0);
    double rho_t = radvar_schedule_rho_t(0.999, 10.0), rho_inf = radvar_schedule_rho_inf(0.999);
    ck_assert(radvar_rectify_paper(0.999, 10.0) == radvar_rectify_paper_from_rho(rho_t, rho_inf));
    /* exact rectification is the closed-form variance ratio */
    ck_assert_rel(radvar_rectify_sma_exact(0.99, 50.0), radvar_rectify_sma_exact_from_rho(radvar_schedule_rho_t(0.99, 50.0),
                                                                            radvar_schedule_rho_inf(0.99)),
                  0.0);
    /* r_t and the exact version differ by O(1/rho): both in (0, 1) */
    for (double t = 5; t < 1e4; t *= 1.7) {
        double r = radvar_rectify_paper(0.999, t), e = radvar_rectify_sma_exact(0.999, t);
        ck_assert(r > 0 && r < 1 && e > 0 && e < 1);
    }
    radvar_result res;
    ck_assert_int_eq(radvar_rectify_paper_e(0.999, 4.0, &res), RADVAR_EDOM); /* rho_4 < 4 */
    ck_assert_nan(res.val);
    ck_assert_int_eq(radvar_rectify_sma_exact_e(0.999, 2.0, &res), RADVAR_EDOM); /* rho_2 < 2 */
    ck_assert_int_eq(radvar_rectify_sma_exact_e(0.999, 3.0, &res), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_rectify_paper_from_rho_e(5.0, 4.0, &res), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_paper_e(0.5, 100.0, &res), RADVAR_EDOM); /* rho_inf = 3 */
}
END_TEST

START_TEST(test_thresholds)
{
    uint64_t t;
    /* for beta2 near 1, rho_t ~ t - (t^2-1)(1-beta2)/6: rho_5 just below 5 */
    ck_assert_int_eq(radvar_rectify_first_step(0.999, &radvar_rectify_threshold_paper, &t), 0);
    ck_assert_uint_eq(t, 5);
    ck_assert_int_eq(radvar_rectify_first_step(0.999, &radvar_rectify_threshold_official, &t), 0);
    ck_assert_uint_eq(t, 6);
    ck_assert_int_eq(radvar_rectify_first_step(0.999, &radvar_rectify_threshold_pytorch, &t), 0);
    ck_assert_uint_eq(t, 6);
    /* brute force agreement at several beta2 */
    const double b2[] = {0.7, 0.8, 0.9, 0.95, 0.99};
    const radvar_rectify_threshold *th[] = {&radvar_rectify_threshold_paper, &radvar_rectify_threshold_official,
                                    &radvar_rectify_threshold_pytorch};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t k = 0; k < 3; k++) {
            if (radvar_rectify_first_step(b2[i], th[k], &t) != 0) {
                ck_assert(!radvar_rectify_threshold_applies(th[k], radvar_schedule_rho_inf(b2[i])));
                continue;
            }
            uint64_t brute = 1;
            while (!radvar_rectify_threshold_applies(th[k], radvar_schedule_rho_t(b2[i], (double)brute)))
                brute++;
            ck_assert_uint_eq(t, brute);
        }
    /* beta2 = 0.6: rho_inf = 4 exactly in real numbers; the double is just below */
    ck_assert_int_eq(radvar_rectify_first_step(0.5, &radvar_rectify_threshold_paper, &t), RADVAR_EDOM);
    ck_assert_uint_eq(t, 0);
    ck_assert(radvar_rectify_threshold_applies(&radvar_rectify_threshold_official, 5.0));
    ck_assert(!radvar_rectify_threshold_applies(&radvar_rectify_threshold_pytorch, 5.0));
    ck_assert(!radvar_rectify_threshold_applies(&radvar_rectify_threshold_paper, NAN));
}
END_TEST

START_TEST(test_warmups)
{
    ck_assert(radvar_schedule_warmup_linear(5, 10) == 0.5);
    ck_assert(radvar_schedule_warmup_linear(50, 10) == 1.0);
    ck_assert_rel(radvar_schedule_warmup_exp_untuned(0.999, 1000), 1 - exp(-1.0), 1e-15);
    ck_assert(radvar_schedule_warmup_linear_untuned(0.999, 3000) == 1.0);
    ck_assert_rel(radvar_schedule_warmup_linear_untuned(0.999, 1000), 0.5, 1e-14);
    ck_assert_nan(radvar_schedule_warmup_linear(1, 0.5));
    ck_assert_nan(radvar_schedule_warmup_exp_untuned(1.0, 1));

    /* closed-form effective lengths against direct sums */
    radvar_result r;
    const double b2[] = {0.9, 0.99, 0.999};
    for (size_t i = 0; i < N_ELEMS(b2); i++) {
        double s_exp = 0, s_lin = 0, s_tw = 0, tw = 37.5;
        for (double t = 1; t < 200.0 / (1 - b2[i]); t++) {
            s_exp += 1 - radvar_schedule_warmup_exp_untuned(b2[i], t);
            s_lin += 1 - radvar_schedule_warmup_linear_untuned(b2[i], t);
            s_tw += 1 - radvar_schedule_warmup_linear(t, tw);
        }
        radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_EXP_UNTUNED, b2[i], 0, &r);
        ck_assert_rel(r.val, s_exp, 1e-11);
        radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR_UNTUNED, b2[i], 0, &r);
        ck_assert_rel(r.val, s_lin, 1e-11);
        radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR, b2[i], tw, &r);
        ck_assert_rel(r.val, s_tw, 1e-12);
    }
    /* RAdam's effective warmup: a plain sum over t agrees */
    double sum = 0, rho_inf = radvar_schedule_rho_inf(0.99);
    for (double t = 1; t < 20000; t++) {
        double rho = radvar_schedule_rho_t(0.99, t);
        sum += radvar_rectify_threshold_applies(&radvar_rectify_threshold_paper, rho)
                   ? 1 - radvar_rectify_paper_from_rho(rho, rho_inf)
                   : 1;
    }
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.99,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_SUCCESS);
    ck_assert_rel(r.val, sum, 1e-11);
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.5,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR, 0.9, 0.5, &r),
                     RADVAR_EDOM);
}
END_TEST

START_TEST(test_domains)
{
    radvar_result r;
    ck_assert_int_eq(radvar_schedule_rho_inf_e(1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_schedule_rho_inf_e(-0.1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_rho_t_e(0.9, 0.5, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_schedule_rho_t_e(NAN, 3, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_rho_t_e(0.9, NAN, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_sma_length_e(0.9, 2.5, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_sma_length_e(0.9, 0, &r), RADVAR_EDOM);
    ck_assert_nan(radvar_schedule_rho_t(1.5, 3));
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("schedule");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_rho_t_reference, 0, (int)N_ELEMS(schedule_ref_table));
    tcase_add_test(core, test_rho_t_worst_error_report);
    tcase_add_test(core, test_rho_t_exact_points);
    tcase_add_test(core, test_sma_length_matches_closed_form);
    tcase_add_test(core, test_rectification);
    tcase_add_test(core, test_thresholds);
    tcase_add_test(core, test_warmups);
    tcase_set_timeout(core, 60);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_rho_t_monotone);
    tcase_add_test(limits, test_domains);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
