/* test_schedule.c: the EMA decay rate, rho_inf, rho_t, rho_moment, the SMA
 * length and the warmups, against 120-digit mpmath values
 * (tests/ref/make_refs.py), each case in its tolerance class (check_util.h)
 * with its error estimate checked, and against independent sums.  The
 * rectifications and thresholds are in test_rectify.c. */
#include "check_util.h"
#include "radvar/schedule.h"
#include "ref/schedule_ref.h"
#include "ref/warmup_ref.h"

/* Tolerance classes, the smallest at or above the worst relative error
 * achieved over the table (in eps): lambda 0, rho_inf 0 (correctly rounded),
 * rho_t 1.96 (within 2% of TEST_TOL0, so one class up),
 * rho_moment 1.6 (a tanh and a product on rho_inf), the numerical SMA
 * length 1.3 (against the exact rho_t). */
#define TOL_LAMBDA TEST_TOL0
#define TOL_RHO_INF TEST_TOL0
#define TOL_RHO_T TEST_TOL1
#define TOL_RHO_MOMENT TEST_TOL0
#define TOL_SMA_LENGTH TEST_TOL0

START_TEST(test_reference)
{
    const struct schedule_ref *ref = &schedule_ref_table[_i];
    radvar_result r;
    int status = radvar_schedule_ema_decay_rate_e(ref->beta2, &r);
    if (isinf(ref->lambda)) { /* beta2 = 0 */
        ck_assert_int_eq(status, RADVAR_SUCCESS);
        ck_assert(isinf(r.val));
    } else {
        ck_assert_result(status, r, ref->lambda, TOL_LAMBDA);
    }
    ck_assert_result(radvar_schedule_rho_inf_e(ref->beta2, &r), r, ref->rho_inf, TOL_RHO_INF);
    ck_assert_result(radvar_schedule_rho_t_e(ref->beta2, ref->t, &r), r, ref->rho_t, TOL_RHO_T);
    ck_assert_result(radvar_schedule_rho_moment_e(ref->beta2, ref->t, &r), r, ref->rho_moment,
                     TOL_RHO_MOMENT);
    if (ref->t == floor(ref->t) && ref->t <= 1e7)
        ck_assert_result(radvar_schedule_sma_length_e(ref->beta2, ref->t, &r), r, ref->rho_t,
                         TOL_SMA_LENGTH);
    /* the plain forms agree */
    ck_assert(radvar_schedule_rho_t(ref->beta2, ref->t) == radvar_schedule_rho_t(ref->beta2, ref->t));
}
END_TEST

START_TEST(test_worst_error_report)
{
    error_report lambda = {0}, rho_inf = {0}, rho_t = {0}, rho_m = {0}, sma = {0};
    for (size_t i = 0; i < N_ELEMS(schedule_ref_table); i++) {
        const struct schedule_ref *ref = &schedule_ref_table[i];
        radvar_result r;
        if (ref->beta2 > 0) {
            radvar_schedule_ema_decay_rate_e(ref->beta2, &r);
            report_add(&lambda, r.val, ref->lambda, r.err, ref->beta2, 0);
        }
        radvar_schedule_rho_inf_e(ref->beta2, &r);
        report_add(&rho_inf, r.val, ref->rho_inf, r.err, ref->beta2, 0);
        radvar_schedule_rho_t_e(ref->beta2, ref->t, &r);
        report_add(&rho_t, r.val, ref->rho_t, r.err, ref->beta2, ref->t);
        radvar_schedule_rho_moment_e(ref->beta2, ref->t, &r);
        report_add(&rho_m, r.val, ref->rho_moment, r.err, ref->beta2, ref->t);
        if (ref->t == floor(ref->t) && ref->t <= 1e7) {
            radvar_schedule_sma_length_e(ref->beta2, ref->t, &r);
            report_add(&sma, r.val, ref->rho_t, r.err, ref->beta2, ref->t);
        }
    }
    printf("schedule accuracy, beta2 in [0, 0.999999], t in [1, 1e9], %zu points (at beta2, t):\n",
           N_ELEMS(schedule_ref_table));
    report_print("lambda = -ln beta2", &lambda, TOL_LAMBDA);
    report_print("rho_inf", &rho_inf, TOL_RHO_INF);
    report_print("rho_t", &rho_t, TOL_RHO_T);
    report_print("rho_moment", &rho_m, TOL_RHO_MOMENT);
    report_print("SMA length (t <= 1e7)", &sma, TOL_SMA_LENGTH);
    ck_assert(rho_t.worst <= TOL_RHO_T && rho_m.worst <= TOL_RHO_MOMENT);
    ck_assert(lambda.worst_ratio <= 1 && rho_inf.worst_ratio <= 1 && rho_t.worst_ratio <= 1
              && rho_m.worst_ratio <= 1 && sma.worst_ratio <= 1);
}
END_TEST

START_TEST(test_rho_t_exact_points)
{
    /* rho_1 = 1 exactly for every beta2; beta2 = 0: rho_t = rho_inf = 1 */
    const double b2[] = {0.0, 0.3, 0.5, 0.9, 0.999, 0.999999, 0.99999999};
    for (size_t k = 0; k < N_ELEMS(b2); k++) {
        ck_assert(radvar_schedule_rho_t(b2[k], 1.0) == 1.0);
        ck_assert(radvar_schedule_rho_moment(b2[k], 1.0) == 1.0);
    }
    ck_assert(radvar_schedule_rho_t(0.0, 7.0) == 1.0);
    ck_assert(radvar_schedule_rho_moment(0.0, 7.0) == 1.0);
    ck_assert(radvar_schedule_rho_inf(0.0) == 1.0);
    /* beta2 = 0.5: rho_2 = 5/3, rho_inf = 3 */
    ck_assert_ulps(radvar_schedule_rho_t(0.5, 2.0), 5.0 / 3.0, 1);
    ck_assert(radvar_schedule_rho_inf(0.5) == 3.0);
    /* the limit is reached exactly */
    ck_assert(radvar_schedule_rho_t(0.9, 1e6) == radvar_schedule_rho_inf(0.9));
    ck_assert(radvar_schedule_rho_t(0.9, INFINITY) == radvar_schedule_rho_inf(0.9));
    ck_assert(radvar_schedule_rho_moment(0.9, INFINITY) == radvar_schedule_rho_inf(0.9));
}
END_TEST

START_TEST(test_sma_length_matches_closed_form)
{
    /* the numerical centre-of-mass solution agrees with the closed form */
    const double b2[] = {0.0, 0.5, 0.9, 0.99, 0.999, 0.9999, 0.999999};
    const double ts[] = {1, 2, 3, 5, 10, 99, 1000, 4321, 100000, 3000000};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t j = 0; j < N_ELEMS(ts); j++) {
            radvar_result r;
            ck_assert_int_eq(radvar_schedule_sma_length_e(b2[i], ts[j], &r), RADVAR_SUCCESS);
            ck_assert_rel(r.val, radvar_schedule_rho_t(b2[i], ts[j]), TEST_TOL0);
        }
}
END_TEST

START_TEST(test_rho_t_monotone)
{
    const double b2[] = {0.9, 0.999, 0.999999};
    for (size_t i = 0; i < N_ELEMS(b2); i++) {
        double prev = 0, prev_m = 0;
        for (double t = 1; t < 1e8; t = t < 100 ? t + 1 : floor(t * 1.01)) {
            double r = radvar_schedule_rho_t(b2[i], t), m = radvar_schedule_rho_moment(b2[i], t);
            ck_assert_msg(r >= prev, "rho_t decreases at beta2 = %g, t = %g", b2[i], t);
            ck_assert_msg(m >= prev_m, "rho_moment decreases at beta2 = %g, t = %g", b2[i], t);
            ck_assert(r <= radvar_schedule_rho_inf(b2[i]));
            ck_assert(m <= radvar_schedule_rho_inf(b2[i]));
            /* the second-moment dof is at least the centre-of-mass one */
            ck_assert(m >= r * (1 - 4 * DBL_EPSILON));
            prev = r;
            prev_m = m;
        }
    }
}
END_TEST

START_TEST(test_warmups)
{
    radvar_result r;
    ck_assert_result(radvar_schedule_warmup_linear_e(5, 10, &r), r, 0.5, TEST_TOL0);
    ck_assert_result(radvar_schedule_warmup_linear_e(50, 10, &r), r, 1.0, TEST_TOL0);
    ck_assert_result(radvar_schedule_warmup_linear_e(1, 3, &r), r, 1.0 / 3.0, TEST_TOL0);
    /* 1 - exp(-(1 - beta2) t) at the double 0.999 (1 - beta2 =
     * 0.00100000000000000089), t = 1000: 30-digit mpmath */
    ck_assert_result(radvar_schedule_warmup_exp_untuned_e(0.999, 1000, &r), r,
                     0.63212055882855800515, TEST_TOL0);
    /* (1 - beta2) t / 2 = 0.50000000000000044409 there */
    ck_assert_result(radvar_schedule_warmup_linear_untuned_e(0.999, 1000, &r), r,
                     0.50000000000000044409, TEST_TOL0);
    ck_assert(radvar_schedule_warmup_linear_untuned(0.999, 3000) == 1.0);
    ck_assert_result(radvar_schedule_warmup_linear_untuned_e(0.5, 2.0, &r), r, 0.5, TEST_TOL0);
    ck_assert(radvar_schedule_warmup_exp_untuned(0.9, 0) == 0.0);
    ck_assert_nan(radvar_schedule_warmup_linear(1, 0.5));
    ck_assert_nan(radvar_schedule_warmup_linear(-1, 5));
    ck_assert_nan(radvar_schedule_warmup_linear(1, INFINITY));
    ck_assert_nan(radvar_schedule_warmup_exp_untuned(1.0, 1));
    ck_assert_nan(radvar_schedule_warmup_exp_untuned(0.9, -1));
    ck_assert_nan(radvar_schedule_warmup_linear_untuned(0.9, NAN));
}
END_TEST

/* Effective warmup lengths against mpmath's direct sums (warmup_ref.h). */
START_TEST(test_effective_length_reference)
{
    const struct warmup_ref *ref = &warmup_ref_table[_i];
    radvar_result r;
    int status = radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_EXP_UNTUNED, ref->beta2,
                                                           1.0, &r);
    ck_assert_result(status, r, ref->exp_untuned, TEST_TOL0);
    status = radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR_UNTUNED, ref->beta2,
                                                       1.0, &r);
    ck_assert_result(status, r, ref->linear_untuned, TEST_TOL0);
    status = radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR, ref->beta2, ref->tw,
                                                       &r);
    ck_assert_result(status, r, ref->linear, TEST_TOL0);
    ck_assert(radvar_schedule_warmup_effective_length(RADVAR_WARMUP_LINEAR, ref->beta2, ref->tw)
              == r.val);
}
END_TEST

START_TEST(test_effective_length_sums)
{
    /* closed-form effective lengths against direct double sums */
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
    ck_assert_int_eq(radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR, 0.9, 0.5, &r),
                     RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_EXP_UNTUNED, 0.0, 1, &r),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR_UNTUNED, 0.0, 1,
                                                               &r),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_EXP_UNTUNED, 1.0, 1, &r),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_warmup_effective_length_e((radvar_schedule_warmup)7, 0.9, 1, &r),
                     RADVAR_EINVAL);
    ck_assert_nan(r.val);
}
END_TEST

START_TEST(test_domains)
{
    radvar_result r;
    ck_assert_int_eq(radvar_schedule_rho_inf_e(1.0, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_nan(r.err);
    ck_assert_int_eq(radvar_schedule_rho_inf_e(-0.1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_ema_decay_rate_e(1.0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_ema_decay_rate_e(NAN, &r), RADVAR_EDOM);
    ck_assert_nan(radvar_schedule_ema_decay_rate(-1.0));
    ck_assert_int_eq(radvar_schedule_rho_t_e(0.9, 0.5, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_schedule_rho_t_e(NAN, 3, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_rho_t_e(0.9, NAN, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_rho_moment_e(0.9, 0.5, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_rho_moment_e(1.0, 5, &r), RADVAR_EDOM);
    ck_assert_nan(radvar_schedule_rho_moment(0.9, NAN));
    ck_assert_int_eq(radvar_schedule_sma_length_e(0.9, 2.5, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_sma_length_e(0.9, 0, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_sma_length_e(0.9, 1e17, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_schedule_sma_length_e(1.0, 5, &r), RADVAR_EDOM);
    ck_assert_nan(radvar_schedule_sma_length(0.9, INFINITY));
    ck_assert_nan(radvar_schedule_rho_t(1.5, 3));
    ck_assert_nan(radvar_schedule_rho_inf(NAN));
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("schedule");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_reference, 0, (int)N_ELEMS(schedule_ref_table));
    tcase_add_test(core, test_worst_error_report);
    tcase_add_test(core, test_rho_t_exact_points);
    tcase_add_test(core, test_sma_length_matches_closed_form);
    tcase_add_test(core, test_warmups);
    tcase_add_loop_test(core, test_effective_length_reference, 0, (int)N_ELEMS(warmup_ref_table));
    tcase_add_test(core, test_effective_length_sums);
    tcase_set_timeout(core, 60);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_rho_t_monotone);
    tcase_add_test(limits, test_domains);
    tcase_set_timeout(limits, 60);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
