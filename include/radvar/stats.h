/* radvar/stats.h: sample moments that merge, and the Kolmogorov-Smirnov test.
 *
 * radvar_stats_moments holds the count, mean and central sums M_k = sum (x - mean)^k,
 * k = 2..4, of a sample.  Two of them merge exactly as if the samples had been
 * pooled (Chan, Golub & LeVeque 1979; Pebay 2008), so partial results from
 * threads, chunks or processes combine in a fixed order to the same numbers.
 *
 * Thread safety: no handles and no state; every function may be called from
 * several threads at once on distinct data.  A radvar_stats_moments is the
 * caller's: two threads must not merge into the same one at once (give each
 * thread its own and merge those), and radvar_stats_ks_test sorts its array
 * in place.
 */
#ifndef RADVAR_STATS_H
#define RADVAR_STATS_H

#include <stddef.h>

#include "radvar/common.h"

RADVAR_BEGIN_DECLS

typedef struct {
    double n, mean, m2, m3, m4;
} radvar_stats_moments;

/* The moments of x[0..n) by two passes (mean, then central sums). */
RADVAR_API void radvar_stats_moments_of(const double *x, size_t n, radvar_stats_moments *m);

/* a <- moments of the pooled sample (a, b).  Pebay (2008), eqs. 3.1-3.3. */
RADVAR_API void radvar_stats_moments_merge(radvar_stats_moments *a, const radvar_stats_moments *b);

/* Unbiased sample variance M2/(n-1); NaN for n < 2. */
RADVAR_API double radvar_stats_moments_variance(const radvar_stats_moments *m);

/* Standard error of the sample variance: sqrt((mu4 - (n-3)/(n-1) s^4)/n) with
 * mu4 = M4/n; NaN for n < 4. */
RADVAR_API double radvar_stats_moments_se_variance(const radvar_stats_moments *m);

/* Kolmogorov-Smirnov distance between the sample x[0..n) (sorted in place)
 * and the continuous cdf, and its asymptotic p-value with Stephens'
 * correction: P(D > d) ~ Q_KS((sqrt(n) + 0.12 + 0.11/sqrt(n)) d).
 * domain: n >= 1.  exceptions: RADVAR_EDOM (n = 0 or a NaN in x). */
RADVAR_API int radvar_stats_ks_test(double *x, size_t n, double (*cdf)(double x, void *params), void *params,
                   double *distance, double *p_value);

/* Q_KS(lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2). */
RADVAR_API double radvar_stats_ks_q(double lambda);

RADVAR_END_DECLS

#endif
