/* check_util.h: helpers shared by radvar's Check tests. */
#ifndef RADVAR_CHECK_UTIL_H
#define RADVAR_CHECK_UTIL_H

#include <check.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* |got - want| / |want|, 0 when both are NaN or equal, inf when one is NaN. */
static inline double rel_err(double got, double want)
{
    if (isnan(got) && isnan(want))
        return 0.0;
    if (isnan(got) || isnan(want))
        return INFINITY;
    if (got == want)
        return 0.0;
    return fabs(got - want) / fabs(want);
}

/* Check's ck_assert_double_eq_tol is absolute; numerical results want this. */
#define ck_assert_rel(got, want, tol)                                          \
    do {                                                                       \
        double got_ = (got), want_ = (want), e_ = rel_err(got_, want_);        \
        ck_assert_msg(e_ <= (tol), "%s = %.17g, expected %.17g: relative error %.3g > %.3g", \
                      #got, got_, want_, e_, (double)(tol));                   \
    } while (0)

#define ck_assert_nan(x) ck_assert_msg(isnan(x), "%s = %.17g, expected NaN", #x, (double)(x))

#define N_ELEMS(a) (sizeof(a) / sizeof *(a))

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
