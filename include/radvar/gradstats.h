/* radvar/gradstats.h: statistics of a logged series of gradients -- is one
 * coordinate's gradient noise like the model the variance analysis assumes
 * (i.i.d. Gaussian)?
 *
 * For a series x_1 .. x_n (one coordinate, one value per step):
 *   mean, sd            sample mean, standard deviation with n - 1;
 *   skewness, kurtosis  m3/m2^(3/2) and m4/m2^2 of the population central
 *                       moments m_k = sum (x - mean)^k / n (kurtosis 3 for a
 *                       Gaussian);
 *   lag1                sum (x_t - mean)(x_{t+1} - mean) / sum (x_t - mean)^2;
 *   hill, hill_k        Hill's estimator of the tail index alpha of |x - mean|
 *                       from its k = max(10, floor(n/20)) largest values (the
 *                       top 5%): alpha = k / sum_{i<=k} ln(X_(i)/X_(k+1)); a
 *                       Student-t with nu dof has alpha = nu, a Gaussian an
 *                       alpha that grows with n (no power tail);
 *   normality_k2, _p    D'Agostino and Pearson's omnibus test (the skewness
 *                       and kurtosis z-scores squared and summed, chi-square
 *                       with 2 dof), as scipy.stats.normaltest.
 * Values that need more data than given are NaN: skewness and kurtosis need
 * n >= 2 and a non-constant series, lag1 n >= 2, hill n >= 11, the normality
 * test n >= 20.
 *
 * REFERENCES
 *   R. B. D'Agostino, A. Belanger, R. B. D'Agostino Jr., A suggestion for using
 *   powerful and informative tests of normality, Am. Stat. 44 (1990).
 *   B. M. Hill, A simple general approach to inference about the tail of a
 *   distribution, Ann. Stat. 3 (1975).
 */
#ifndef RADVAR_GRADSTATS_H
#define RADVAR_GRADSTATS_H

#include <stddef.h>

#include "radvar/common.h"

RADVAR_BEGIN_DECLS

typedef struct {
    double n, mean, sd, skewness, kurtosis, lag1;
    double hill, hill_k;
    double normality_k2, normality_p;
} radvar_gradstats;

/* The statistics of x[0..n).  exceptions: RADVAR_EINVAL (n = 0, x NULL),
 * RADVAR_ENONFINITE (a NaN or infinite value), RADVAR_ENOMEM; every field is
 * NaN then. */
RADVAR_API int radvar_gradstats_describe(const double *x, size_t n, radvar_gradstats *out);

/* Hill's estimator of the tail index of |x - center| from the k largest
 * values (1 <= k < n); NaN when X_(k+1) = 0.  exceptions: RADVAR_EINVAL,
 * RADVAR_ENOMEM. */
RADVAR_API int radvar_gradstats_hill_e(const double *x, size_t n, double center, size_t k,
                                       radvar_result *r);

/* D'Agostino's skewness and Anscombe-Glynn's kurtosis z-scores from the
 * population skewness g1 and kurtosis b2 of n values, and the omnibus
 * K^2 = z_skew^2 + z_kurt^2 with its p-value exp(-K^2/2).
 * domain: n >= 20 (the kurtosis test's approximation), finite g1, b2 > 0.
 * exceptions: RADVAR_EDOM (NaN values). */
RADVAR_API int radvar_gradstats_normality_e(double n, double g1, double b2, double *z_skew,
                                            double *z_kurt, double *k2, double *p);

RADVAR_END_DECLS

#endif
