/* gradstats.c: the statistics of radvar/gradstats.h.
 *
 * NOTES
 *   Central moments come from two passes with compensated sums, so that a
 *   series with a large mean and small spread keeps its digits.  The
 *   normality test follows D'Agostino et al. (1990), eqs. (4)-(8), in the
 *   form of scipy.stats.skewtest / kurtosistest, which the tests compare
 *   with (tests/ref/make_gradstats_refs.py).
 */
#include <math.h>
#include <stdlib.h>

#include "ksum.h"
#include "radvar/gradstats.h"
#include "result.h"

static void all_nan(radvar_gradstats *s)
{
    s->n = s->mean = s->sd = s->skewness = s->kurtosis = s->lag1 = NAN;
    s->hill = s->hill_k = s->normality_k2 = s->normality_p = NAN;
}

/* mean and the central sums M2, M3, M4 (compensated), and the lag-1 sum */
static void central_sums(const double *x, size_t n, double *mean, double m[5], double *lag)
{
    radvar_ksum s = {0, 0}, s2 = {0, 0}, s3 = {0, 0}, s4 = {0, 0}, sl = {0, 0};
    for (size_t i = 0; i < n; i++)
        radvar_ksum_add(&s, x[i]);
    *mean = radvar_ksum_value(&s) / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = x[i] - *mean, d2 = d * d;
        radvar_ksum_add(&s2, d2);
        radvar_ksum_add(&s3, d2 * d);
        radvar_ksum_add(&s4, d2 * d2);
        if (i + 1 < n)
            radvar_ksum_add(&sl, d * (x[i + 1] - *mean));
    }
    m[2] = radvar_ksum_value(&s2);
    m[3] = radvar_ksum_value(&s3);
    m[4] = radvar_ksum_value(&s4);
    *lag = radvar_ksum_value(&sl);
}

static int descending(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x < y) - (x > y);
}

int radvar_gradstats_hill_e(const double *x, size_t n, double center, size_t k, radvar_result *r)
{
    r->val = r->err = NAN;
    if (x == NULL || k < 1 || k >= n)
        return RADVAR_EINVAL;
    double *a = malloc(n * sizeof *a);
    if (a == NULL)
        return RADVAR_ENOMEM;
    for (size_t i = 0; i < n; i++)
        a[i] = fabs(x[i] - center);
    qsort(a, n, sizeof *a, descending);
    if (a[k] > 0) {
        radvar_ksum s = {0, 0};
        for (size_t i = 0; i < k; i++)
            radvar_ksum_add(&s, log(a[i] / a[k]));
        double sum = radvar_ksum_value(&s);
        r->val = sum > 0 ? (double)k / sum : INFINITY;
        /* the estimator's own sampling error: alpha / sqrt(k) (asymptotic) */
        r->err = r->val / sqrt((double)k);
    }
    free(a);
    return RADVAR_SUCCESS;
}

int radvar_gradstats_normality_e(double n, double g1, double b2, double *z_skew, double *z_kurt,
                                 double *k2, double *p)
{
    *z_skew = *z_kurt = *k2 = *p = NAN;
    if (!(n >= 20) || !isfinite(n) || !isfinite(g1) || !(b2 > 0) || !isfinite(b2))
        return RADVAR_EDOM;
    /* skewness: D'Agostino (1970), the transformation to a standard normal */
    double y = g1 * sqrt((n + 1) * (n + 3) / (6.0 * (n - 2)));
    double beta2 = 3.0 * (n * n + 27 * n - 70) * (n + 1) * (n + 3)
                   / ((n - 2.0) * (n + 5) * (n + 7) * (n + 9));
    double w2 = -1 + sqrt(2 * (beta2 - 1)), delta = 1 / sqrt(0.5 * log(w2)),
           alpha = sqrt(2.0 / (w2 - 1));
    /* scipy.stats.skewtest replaces y = 0 by 1 before this line; asinh has
     * no singularity at 0, so here a skewness of exactly 0 gives z = 0 */
    *z_skew = delta * asinh(y / alpha);
    /* kurtosis: Anscombe and Glynn (1983) */
    double e = 3.0 * (n - 1) / (n + 1);
    double var_b2 = 24.0 * n * (n - 2) * (n - 3) / ((n + 1) * (n + 1) * (n + 3) * (n + 5));
    double xk = (b2 - e) / sqrt(var_b2);
    double sqrt_beta1 = 6.0 * (n * n - 5 * n + 2) / ((n + 7) * (n + 9))
                        * sqrt(6.0 * (n + 3) * (n + 5) / (n * (n - 2) * (n - 3)));
    double a = 6.0 + 8.0 / sqrt_beta1 * (2.0 / sqrt_beta1 + sqrt(1 + 4.0 / (sqrt_beta1 * sqrt_beta1)));
    double term1 = 1 - 2 / (9.0 * a), denom = 1 + xk * sqrt(2 / (a - 4.0));
    if (denom == 0)
        return RADVAR_EDOM;
    double term2 = copysign(cbrt((1 - 2.0 / a) / fabs(denom)), denom);
    *z_kurt = (term1 - term2) / sqrt(2 / (9.0 * a));
    *k2 = *z_skew * *z_skew + *z_kurt * *z_kurt;
    *p = exp(-0.5 * *k2); /* chi-square with 2 dof */
    return RADVAR_SUCCESS;
}

int radvar_gradstats_describe(const double *x, size_t n, radvar_gradstats *out)
{
    all_nan(out);
    if (x == NULL || n == 0)
        return RADVAR_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]))
            return RADVAR_ENONFINITE;
    double mean, m[5], lag;
    central_sums(x, n, &mean, m, &lag);
    double dn = (double)n, m2 = m[2] / dn;
    out->n = dn;
    out->mean = mean;
    out->sd = n >= 2 ? sqrt(m[2] / (dn - 1)) : NAN;
    if (n >= 2 && m2 > 0) {
        out->skewness = m[3] / dn / (m2 * sqrt(m2));
        out->kurtosis = m[4] / dn / (m2 * m2);
        out->lag1 = lag / m[2];
    }
    if (n >= 11) {
        size_t k = n / 20 > 10 ? n / 20 : 10;
        radvar_result h;
        int status = radvar_gradstats_hill_e(x, n, mean, k, &h);
        if (status == RADVAR_ENOMEM) {
            all_nan(out);
            return status;
        }
        out->hill = h.val;
        out->hill_k = (double)k;
    }
    double zs, zk;
    radvar_gradstats_normality_e(dn, out->skewness, out->kurtosis, &zs, &zk, &out->normality_k2,
                                 &out->normality_p);
    return RADVAR_SUCCESS;
}
