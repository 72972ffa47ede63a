/* check_util.h: helpers shared by radvar's Check tests.
 *
 * Tolerance classes.  Numerical results are compared with independent
 * high-precision references by their relative error, in units of
 * DBL_EPSILON, against a tolerance class (after GSL's specfunc/test_sf.h,
 * TEST_TOL0 = 2 eps up to TEST_TOL6).  Each reference case carries the
 * smallest class above the error it achieves.  GSL's classes grow by 8 and
 * then 16 (2, 16, 256, 2048 ... eps); here they grow by 8 throughout
 * (2 * 8^k eps), so that a case set at the smallest class above its achieved
 * error fails when that error grows tenfold.
 *
 * Error estimates.  ck_assert_result() is GSL test_sf's check of an _e
 * function: the status, the value within its class, and the consistency of
 * the estimate, |val - ref| <= err + ref_err, where ref_err is the
 * reference's own uncertainty (at least half an ulp of ref: the table holds
 * the double nearest a 25-digit value).  An estimate may not be negative,
 * NaN or infinite, nor excessive: err <= TEST_FACTOR * tol * |ref| (GSL's
 * TEST_FACTOR, 100).
 */
#ifndef RADVAR_CHECK_UTIL_H
#define RADVAR_CHECK_UTIL_H

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radvar/common.h"

#define TEST_TOL0 (2.0 * DBL_EPSILON)
#define TEST_TOL1 (16.0 * DBL_EPSILON)
#define TEST_TOL2 (128.0 * DBL_EPSILON)
#define TEST_TOL3 (1024.0 * DBL_EPSILON)
#define TEST_TOL4 (8192.0 * DBL_EPSILON)
#define TEST_TOL5 (65536.0 * DBL_EPSILON)
#define TEST_TOL6 (524288.0 * DBL_EPSILON)
#define TEST_FACTOR 100.0

/* The smallest class at or above a relative error e (TEST_TOL6 beyond). */
static inline double test_tol_class(double e)
{
    double tol = TEST_TOL0;
    for (int k = 0; k < 6 && tol < e; k++)
        tol *= 8.0;
    return tol;
}

/* |got - want| / |want|, 0 when both are NaN or equal, inf when one is NaN;
 * |got - want| when want = 0. */
static inline double rel_err(double got, double want)
{
    if (isnan(got) && isnan(want))
        return 0.0;
    if (isnan(got) || isnan(want))
        return INFINITY;
    if (got == want)
        return 0.0;
    return want == 0.0 ? fabs(got) : fabs(got - want) / fabs(want);
}

/* The distance in ulps between two finite doubles of the same sign (the
 * number of doubles between them, plus one), UINT64_MAX otherwise. */
static inline uint64_t ulp_distance(double a, double b)
{
    if (a == b)
        return 0;
    if (!isfinite(a) || !isfinite(b) || (a < 0) != (b < 0))
        return UINT64_MAX;
    int64_t ia, ib;
    memcpy(&ia, &a, sizeof ia);
    memcpy(&ib, &b, sizeof ib);
    return ia > ib ? (uint64_t)(ia - ib) : (uint64_t)(ib - ia);
}

/* Check's ck_assert_double_eq_tol is absolute; numerical results want this.
 * The message gives the relative error in units of DBL_EPSILON. */
#define ck_assert_rel(got, want, tol)                                          \
    do {                                                                       \
        double got_ = (got), want_ = (want), e_ = rel_err(got_, want_);        \
        ck_assert_msg(e_ <= (tol),                                             \
                      "%s = %.17g, expected %.17g: relative error %.3g eps > %.3g eps", \
                      #got, got_, want_, e_ / DBL_EPSILON,                     \
                      (double)(tol) / DBL_EPSILON);                            \
    } while (0)

/* Within n ulps (exact comparisons of computations that should round alike). */
#define ck_assert_ulps(got, want, n)                                           \
    do {                                                                       \
        double got_ = (got), want_ = (want);                                   \
        uint64_t d_ = ulp_distance(got_, want_);                               \
        ck_assert_msg(d_ <= (uint64_t)(n), "%s = %.17g, expected %.17g: %llu ulps > %llu", \
                      #got, got_, want_, (unsigned long long)d_,               \
                      (unsigned long long)(n));                                \
    } while (0)

#define ck_assert_nan(x) ck_assert_msg(isnan(x), "%s = %.17g, expected NaN", #x, (double)(x))

#define N_ELEMS(a) (sizeof(a) / sizeof *(a))

/* GSL test_sf's check of an _e function's result, see the top of the file.
 * what names the case in messages. */
static inline void check_result_at(const char *file, int line, const char *what, int status,
                                   radvar_result r, double want, double tol, double ref_err)
{
    double e = rel_err(r.val, want);
    double slack = fmax(ref_err, 0.5 * DBL_EPSILON * fabs(want));
    ck_assert_msg(status == RADVAR_SUCCESS, "%s:%d %s: status %d (%s)", file, line, what, status,
                  radvar_strerror(status));
    ck_assert_msg(e <= tol, "%s:%d %s = %.17g, expected %.17g: relative error %.3g eps > %.3g eps",
                  file, line, what, r.val, want, e / DBL_EPSILON, tol / DBL_EPSILON);
    ck_assert_msg(r.err >= 0 && isfinite(r.err), "%s:%d %s: error estimate %g", file, line, what,
                  r.err);
    ck_assert_msg(fabs(r.val - want) <= r.err + slack,
                  "%s:%d %s = %.17g, expected %.17g: |val - ref| = %.3g exceeds err = %.3g "
                  "(+ reference %.3g): the estimate is not honest",
                  file, line, what, r.val, want, fabs(r.val - want), r.err, slack);
    ck_assert_msg(r.err <= TEST_FACTOR * tol * fabs(want) || r.err <= slack,
                  "%s:%d %s: error estimate %.3g is more than %g times the tolerance %.3g eps",
                  file, line, what, r.err, TEST_FACTOR, tol / DBL_EPSILON);
}
#define ck_assert_result(status, r, want, tol)                                 \
    check_result_at(__FILE__, __LINE__, #r, (status), (r), (want), (tol), 0.0)
#define ck_assert_result_ref(status, r, want, tol, ref_err)                    \
    check_result_at(__FILE__, __LINE__, #r, (status), (r), (want), (tol), (ref_err))

/* The worst relative error of a quantity over a table, and where, for the
 * reports that tests print (GSL's habit of saying what is achieved). */
typedef struct {
    double worst, worst_ratio; /* relative error; |val - ref| / err */
    double at, at2;
    size_t n;
} error_report;

static inline void report_add(error_report *rep, double got, double want, double err, double at,
                              double at2)
{
    double e = rel_err(got, want);
    rep->n++;
    if (e > rep->worst) {
        rep->worst = e;
        rep->at = at;
        rep->at2 = at2;
    }
    if (err > 0 && fabs(got - want) / err > rep->worst_ratio)
        rep->worst_ratio = fabs(got - want) / err;
}

static inline void report_print(const char *name, const error_report *rep, double tol)
{
    printf("  %-28s worst %6.3g eps (class %g eps) at %.17g %.17g; worst |val-ref|/err %.3g; %zu points\n",
           name, rep->worst / DBL_EPSILON, tol / DBL_EPSILON, rep->at, rep->at2,
           rep->worst_ratio, rep->n);
}

/* Run a suite; return EXIT_FAILURE on any failure (Check's check_money.c). */
static inline int run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
