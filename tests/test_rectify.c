/* test_rectify.c: every rectification and the threshold conventions.
 *
 * The rectifications at (beta2, t) against 120-digit mpmath values
 * (tests/ref/make_refs.py: eq. (7) at the exact rho_t, Theorem 1's Beta form
 * at the exact rho_t and at rho_moment = 1/sum w_i^2 summed directly), each
 * in its tolerance class with its error estimate checked; the same formulas
 * with their own call chain replaced by independent values (mpmath's rho_t,
 * rho_moment and rho_inf fed to the _from_rho forms); the thresholds against
 * brute force; the effective warmup against mpmath's direct sums. */
#include "check_util.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"
#include "ref/rectify_ref.h"
#include "ref/warmup_ref.h"

/* Tolerance classes (worst relative error achieved, in eps):
 *   paper      near rho = 4 (rho_inf at beta2 = 0.61, or rho_t at the first
 *              rectified step) the condition of eq. (7) reaches
 *              rho/(2(rho-4)): 19 eps where a dof is below 5, 1.7 elsewhere;
 *   sma-exact  two Var[psi] values, each good to 47 eps for rho < 25 and
 *              3 eps beyond: 36 eps where a dof is below 25, 1.6 beyond;
 *   moment     the same at rho_moment: 24 eps where a dof is below 25, 2.0
 *              beyond;
 *   effective warmup (paper's r_t)  a sum of 1 - r_t over up to 3e4 steps:
 *              1.2 eps (see test_effective_warmup_reference). */
static double tol_paper(const struct rectify_ref *ref)
{
    return ref->rho_inf < 5.0 || ref->rho_t < 5.0 ? TEST_TOL2 : TEST_TOL0;
}

static double tol_sma(double rho, double rho_inf)
{
    return rho < 25.0 || rho_inf < 25.0 ? TEST_TOL2 : TEST_TOL0;
}

static double tol_moment(double rho, double rho_inf)
{
    return rho < 25.0 || rho_inf < 25.0 ? TEST_TOL2 : TEST_TOL1;
}

/* The reference rho values are rounded to doubles before the _from_rho
 * forms see them: that moves r by its condition times eps/2. */
static double paper_condition(double rho)
{
    return 0.5 * fabs(rho / (rho - 4.0) + rho / (rho - 2.0) - 1.0);
}

START_TEST(test_reference)
{
    const struct rectify_ref *ref = &rectify_ref_table[_i];
    radvar_result r;
    int status = radvar_rectify_paper_e(ref->beta2, ref->t, &r);
    if (isnan(ref->r_paper)) {
        ck_assert_int_eq(status, RADVAR_EDOM);
        ck_assert_nan(r.val);
    } else {
        ck_assert_result(status, r, ref->r_paper, tol_paper(ref));
        ck_assert(radvar_rectify(RADVAR_RECTIFY_PAPER, ref->beta2, ref->t) == r.val);
    }
    status = radvar_rectify_sma_exact_e(ref->beta2, ref->t, &r);
    if (isnan(ref->r_sma_exact)) {
        ck_assert_int_eq(status, RADVAR_EDOM);
    } else {
        ck_assert_result(status, r, ref->r_sma_exact, tol_sma(ref->rho_t, ref->rho_inf));
        ck_assert(radvar_rectify(RADVAR_RECTIFY_SMA_EXACT, ref->beta2, ref->t) == r.val);
    }
    status = radvar_rectify_moment_e(ref->beta2, ref->t, &r);
    if (isnan(ref->r_moment)) {
        ck_assert_int_eq(status, RADVAR_EDOM);
    } else {
        ck_assert_result(status, r, ref->r_moment, tol_moment(ref->rho_moment, ref->rho_inf));
        ck_assert(radvar_rectify(RADVAR_RECTIFY_MOMENT, ref->beta2, ref->t) == r.val);
    }
}
END_TEST

/* The _from_rho forms given mpmath's dofs instead of radvar's. */
START_TEST(test_from_independent_rho)
{
    const struct rectify_ref *ref = &rectify_ref_table[_i];
    radvar_result r;
    if (!isnan(ref->r_paper)) {
        double ref_err = ref->r_paper * (paper_condition(ref->rho_t) + paper_condition(ref->rho_inf))
                         * DBL_EPSILON;
        ck_assert_result_ref(radvar_rectify_paper_from_rho_e(ref->rho_t, ref->rho_inf, &r), r,
                             ref->r_paper, tol_paper(ref), ref_err);
        /* and the same r_t as from radvar's own rho_t, within the two error
         * estimates */
        radvar_result own;
        ck_assert_int_eq(radvar_rectify_paper_e(ref->beta2, ref->t, &own), RADVAR_SUCCESS);
        ck_assert_msg(fabs(r.val - own.val) <= r.err + own.err + ref_err,
                      "r_t from mpmath's rho_t %.17g, from radvar's %.17g", r.val, own.val);
    }
    if (!isnan(ref->r_sma_exact)) {
        double ref_err = ref->r_sma_exact * 0.7
                         * (ref->rho_t / (ref->rho_t - 2) + ref->rho_inf / (ref->rho_inf - 2))
                         * DBL_EPSILON;
        ck_assert_result_ref(radvar_rectify_sma_exact_from_rho_e(ref->rho_t, ref->rho_inf, &r), r,
                             ref->r_sma_exact, tol_sma(ref->rho_t, ref->rho_inf), ref_err);
    }
    if (!isnan(ref->r_moment)) {
        double ref_err = ref->r_moment * 0.7
                         * (ref->rho_moment / (ref->rho_moment - 2) + ref->rho_inf / (ref->rho_inf - 2))
                         * DBL_EPSILON;
        ck_assert_result_ref(radvar_rectify_sma_exact_from_rho_e(ref->rho_moment, ref->rho_inf, &r),
                             r, ref->r_moment, tol_moment(ref->rho_moment, ref->rho_inf), ref_err);
    }
}
END_TEST

START_TEST(test_worst_error_report)
{
    error_report paper = {0}, paper4 = {0}, sma_lo = {0}, sma_hi = {0}, mom_lo = {0}, mom_hi = {0};
    for (size_t i = 0; i < N_ELEMS(rectify_ref_table); i++) {
        const struct rectify_ref *ref = &rectify_ref_table[i];
        radvar_result r;
        if (radvar_rectify_paper_e(ref->beta2, ref->t, &r) == RADVAR_SUCCESS)
            report_add(tol_paper(ref) > TEST_TOL1 ? &paper4 : &paper, r.val, ref->r_paper, r.err,
                       ref->beta2, ref->t);
        if (radvar_rectify_sma_exact_e(ref->beta2, ref->t, &r) == RADVAR_SUCCESS)
            report_add(tol_sma(ref->rho_t, ref->rho_inf) > TEST_TOL1 ? &sma_lo : &sma_hi, r.val,
                       ref->r_sma_exact, r.err, ref->beta2, ref->t);
        if (radvar_rectify_moment_e(ref->beta2, ref->t, &r) == RADVAR_SUCCESS)
            report_add(tol_sma(ref->rho_moment, ref->rho_inf) > TEST_TOL1 ? &mom_lo : &mom_hi, r.val,
                       ref->r_moment, r.err, ref->beta2, ref->t);
    }
    printf("rectification accuracy, %zu reference points (at beta2, t):\n",
           N_ELEMS(rectify_ref_table));
    report_print("paper, a dof < 5", &paper4, TEST_TOL2);
    report_print("paper, dofs >= 5", &paper, TEST_TOL0);
    report_print("sma-exact, a dof < 25", &sma_lo, TEST_TOL2);
    report_print("sma-exact, dofs >= 25", &sma_hi, TEST_TOL0);
    report_print("moment, a dof < 25", &mom_lo, TEST_TOL2);
    report_print("moment, dofs >= 25", &mom_hi, TEST_TOL1);
    ck_assert(paper.worst_ratio <= 1 && paper4.worst_ratio <= 1 && sma_lo.worst_ratio <= 1
              && sma_hi.worst_ratio <= 1 && mom_lo.worst_ratio <= 1 && mom_hi.worst_ratio <= 1);
}
END_TEST

START_TEST(test_rectification_properties)
{
    /* r_t -> 1 as t -> inf; the same formula from rho values */
    ck_assert(radvar_rectify_paper(0.999, 1e9) == 1.0);
    double rho_t = radvar_schedule_rho_t(0.999, 10.0), rho_inf = radvar_schedule_rho_inf(0.999);
    ck_assert(radvar_rectify_paper(0.999, 10.0) == radvar_rectify_paper_from_rho(rho_t, rho_inf));
    ck_assert(radvar_rectify_sma_exact(0.99, 50.0)
              == radvar_rectify_sma_exact_from_rho(radvar_schedule_rho_t(0.99, 50.0),
                                                   radvar_schedule_rho_inf(0.99)));
    ck_assert(radvar_rectify_moment(0.99, 50.0)
              == radvar_rectify_sma_exact_from_rho(radvar_schedule_rho_moment(0.99, 50.0),
                                                   radvar_schedule_rho_inf(0.99)));
    /* every variant lies in (0, 1) before the stationary dof and reaches 1 */
    for (double t = 5; t < 1e4; t *= 1.7) {
        double r = radvar_rectify_paper(0.999, t), e = radvar_rectify_sma_exact(0.999, t),
               m = radvar_rectify_moment(0.999, t);
        ck_assert(r > 0 && r < 1 && e > 0 && e < 1 && m > 0 && m < 1);
        /* rho_moment >= rho_t: the moment rectification rectifies less */
        ck_assert(m >= e);
    }
    ck_assert(radvar_rectify_sma_exact_from_rho(INFINITY, INFINITY) == 1.0);
    /* the limits: rho_t -> inf (r -> inf), rho_inf -> inf (r -> 0), both (1) */
    ck_assert(radvar_rectify_paper_from_rho(INFINITY, 100.0) == INFINITY);
    ck_assert(radvar_rectify_paper_from_rho(100.0, INFINITY) == 0.0);
    ck_assert(radvar_rectify_paper_from_rho(INFINITY, INFINITY) == 1.0);
    radvar_result res;
    ck_assert_int_eq(radvar_rectify_paper_e(0.999, 4.0, &res), RADVAR_EDOM); /* rho_4 < 4 */
    ck_assert_nan(res.val);
    ck_assert_int_eq(radvar_rectify_sma_exact_e(0.999, 2.0, &res), RADVAR_EDOM); /* rho_2 < 2 */
    ck_assert_int_eq(radvar_rectify_sma_exact_e(0.999, 3.0, &res), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_rectify_moment_e(0.999, 2.0, &res), RADVAR_EDOM); /* rho_m(2) < 2 */
    ck_assert_int_eq(radvar_rectify_moment_e(0.3, 20.0, &res), RADVAR_EDOM);  /* rho_inf < 2 */
    ck_assert_int_eq(radvar_rectify_moment_e(1.0, 20.0, &res), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_paper_from_rho_e(5.0, 4.0, &res), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_paper_from_rho_e(NAN, 5.0, &res), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_paper_e(0.5, 100.0, &res), RADVAR_EDOM); /* rho_inf = 3 */
    ck_assert_int_eq(radvar_rectify_paper_e(1.0, 100.0, &res), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_sma_exact_e(-1.0, 100.0, &res), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_sma_exact_from_rho_e(2.0, 10.0, &res), RADVAR_EDOM);
    ck_assert_nan(radvar_rectify_paper_from_rho(3.0, 10.0));
    ck_assert_nan(radvar_rectify_sma_exact_from_rho(10.0, 1.0));
    ck_assert_nan(radvar_rectify_paper(0.999, 1.0));
    ck_assert_nan(radvar_rectify_sma_exact(0.999, 1.0));
    ck_assert_nan(radvar_rectify_moment(0.999, 1.0));
}
END_TEST

START_TEST(test_kinds)
{
    const radvar_rectify_kind kinds[] = {RADVAR_RECTIFY_PAPER, RADVAR_RECTIFY_SMA_EXACT,
                                         RADVAR_RECTIFY_MOMENT, RADVAR_RECTIFY_KURTOSIS};
    const char *names[] = {"paper", "sma-exact", "moment", "kurtosis"};
    for (size_t k = 0; k < 4; k++) {
        radvar_rectify_kind back;
        ck_assert_str_eq(radvar_rectify_kind_name(kinds[k]), names[k]);
        ck_assert_int_eq(radvar_rectify_kind_from_name(names[k], &back), RADVAR_SUCCESS);
        ck_assert_int_eq(back, kinds[k]);
    }
    radvar_rectify_kind back = RADVAR_RECTIFY_MOMENT;
    ck_assert_int_eq(radvar_rectify_kind_from_name("exact", &back), RADVAR_EINVAL);
    ck_assert_int_eq(back, RADVAR_RECTIFY_MOMENT); /* unchanged */
    ck_assert_str_eq(radvar_rectify_kind_name((radvar_rectify_kind)9), "?");
    radvar_result r;
    ck_assert_int_eq(radvar_rectify_e((radvar_rectify_kind)9, 0.999, 100, &r), RADVAR_EINVAL);
    ck_assert_nan(r.val);
    ck_assert_nan(radvar_rectify((radvar_rectify_kind)9, 0.999, 100));
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
    const double b2[] = {0.61, 0.7, 0.8, 0.9, 0.95, 0.99};
    const radvar_rectify_threshold *th[] = {&radvar_rectify_threshold_paper,
                                            &radvar_rectify_threshold_official,
                                            &radvar_rectify_threshold_pytorch};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t k = 0; k < 3; k++) {
            if (radvar_rectify_first_step(b2[i], th[k], &t) != 0) {
                ck_assert(!radvar_rectify_threshold_applies(th[k], radvar_schedule_rho_inf(b2[i])));
                ck_assert_uint_eq(t, 0);
                continue;
            }
            uint64_t brute = 1;
            while (!radvar_rectify_threshold_applies(th[k], radvar_schedule_rho_t(b2[i], (double)brute)))
                brute++;
            ck_assert_uint_eq(t, brute);
        }
    /* beta2 = 0.5: rho_inf = 3, never */
    ck_assert_int_eq(radvar_rectify_first_step(0.5, &radvar_rectify_threshold_paper, &t), RADVAR_EDOM);
    ck_assert_uint_eq(t, 0);
    ck_assert_int_eq(radvar_rectify_first_step(1.0, &radvar_rectify_threshold_paper, &t), RADVAR_EDOM);
    /* rho_inf only just above the threshold: not within 2^53 steps */
    radvar_rectify_threshold near = {.name = "near", .rho_min = 0.0, .cmp = RADVAR_CMP_GT};
    near.rho_min = radvar_schedule_rho_inf(0.9) * (1 - 2 * DBL_EPSILON);
    ck_assert_int_eq(radvar_rectify_first_step(0.9, &near, &t), RADVAR_SUCCESS);
    near.rho_min = nextafter(radvar_schedule_rho_inf(0.999999), 0.0);
    near.cmp = RADVAR_CMP_GT;
    ck_assert_int_eq(radvar_rectify_first_step(0.999999, &near, &t), RADVAR_SUCCESS);
    ck_assert(radvar_rectify_threshold_applies(&radvar_rectify_threshold_official, 5.0));
    ck_assert(!radvar_rectify_threshold_applies(&radvar_rectify_threshold_pytorch, 5.0));
    ck_assert(!radvar_rectify_threshold_applies(&radvar_rectify_threshold_paper, NAN));
    ck_assert_str_eq(radvar_rectify_threshold_paper.name, "paper");
    ck_assert(radvar_rectify_threshold_paper.rho_min == 4.0);
    ck_assert(radvar_rectify_threshold_official.rho_min == 5.0
              && radvar_rectify_threshold_official.cmp == RADVAR_CMP_GE);
}
END_TEST

/* The paper's r_t used as a warmup, against mpmath's direct sums. */
START_TEST(test_effective_warmup_reference)
{
    const struct warmup_ref *ref = &warmup_ref_table[_i];
    const radvar_rectify_threshold *th[] = {&radvar_rectify_threshold_paper,
                                            &radvar_rectify_threshold_official,
                                            &radvar_rectify_threshold_pytorch};
    const double want[] = {ref->radam_paper, ref->radam_official, ref->radam_pytorch};
    for (size_t k = 0; k < 3; k++) {
        if (k == 0) {
            radvar_result e;
            radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, ref->beta2, th[k], &e);
            printf("effective warmup (paper's r_t) at beta2 = %.17g: relative error %.3g eps, "
                   "err %.3g eps\n", ref->beta2, rel_err(e.val, want[k]) / DBL_EPSILON,
                   e.err / fabs(want[k]) / DBL_EPSILON);
        }
        radvar_result r;
        int status = radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, ref->beta2, th[k], &r);
        /* a compensated sum of up to 3e4 terms: 1.2 eps achieved (the terms'
         * rounding errors average out), but the honest estimate adds up
         * the terms' bounds, 290-340 eps: one class above the achieved
         * error keeps that within TEST_FACTOR of the tolerance */
        ck_assert_result(status, r, want[k], TEST_TOL1);
        ck_assert(radvar_rectify_effective_warmup(RADVAR_RECTIFY_PAPER, ref->beta2, th[k]) == r.val);
    }
}
END_TEST

START_TEST(test_effective_warmup_sums)
{
    /* RAdam's effective warmup: a plain sum over t agrees, for each kind */
    radvar_result r;
    const radvar_rectify_kind kinds[] = {RADVAR_RECTIFY_PAPER, RADVAR_RECTIFY_SMA_EXACT,
                                         RADVAR_RECTIFY_MOMENT};
    for (size_t k = 0; k < 3; k++) {
        double sum = 0;
        for (double t = 1; t < 20000; t++) {
            double rho = radvar_schedule_rho_t(0.99, t);
            sum += radvar_rectify_threshold_applies(&radvar_rectify_threshold_paper, rho)
                       ? 1 - radvar_rectify(kinds[k], 0.99, t)
                       : 1;
        }
        ck_assert_int_eq(radvar_rectify_effective_warmup_e(kinds[k], 0.99,
                                                           &radvar_rectify_threshold_paper, &r),
                         RADVAR_SUCCESS);
        ck_assert_rel(r.val, sum, 1e-11);
    }
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.5,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.9, NULL, &r),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.0,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_EDOM);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("rectify");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_reference, 0, (int)N_ELEMS(rectify_ref_table));
    tcase_add_loop_test(core, test_from_independent_rho, 0, (int)N_ELEMS(rectify_ref_table));
    tcase_add_test(core, test_worst_error_report);
    tcase_add_test(core, test_rectification_properties);
    tcase_add_test(core, test_kinds);
    tcase_add_test(core, test_thresholds);
    tcase_add_loop_test(core, test_effective_warmup_reference, 0, (int)N_ELEMS(warmup_ref_table));
    tcase_add_test(core, test_effective_warmup_sums);
    tcase_set_timeout(core, 60);
    suite_add_tcase(s, core);
    return run_suite(s);
}
