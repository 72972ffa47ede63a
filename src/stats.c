/* stats.c: mergeable moments and the Kolmogorov-Smirnov test.
 *
 * REFERENCES
 *   T. F. Chan, G. H. Golub, R. J. LeVeque, Updating formulae and a pairwise
 *   algorithm for computing sample variances, 1979.
 *   P. Pebay, Formulas for robust, one-pass parallel computation of
 *   covariances and arbitrary-order statistical moments, SAND2008-6212.
 *   M. A. Stephens, Use of the Kolmogorov-Smirnov, Cramer-von Mises and
 *   related statistics without extensive tables, JRSS B 32 (1970).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "dispatch.h"
#include "result.h"

#define RADVAR_PI 3.14159265358979323846
#include "radvar/stats.h"

/* The moments by two passes: four interleaved partial sums in a fixed order,
 * deterministic, and a shape the compiler vectorises (the same sums on every
 * instruction-set path: no operation is reassociated or fused). */
static inline void moments_body(const double *restrict x, size_t n, radvar_stats_moments *m)
{
    double s[4] = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++)
            s[k] += x[i + k];
    for (; i < n; i++)
        s[0] += x[i];
    double mean = n ? ((s[0] + s[1]) + (s[2] + s[3])) / (double)n : 0.0;
    double a2[4] = {0, 0, 0, 0}, a3[4] = {0, 0, 0, 0}, a4[4] = {0, 0, 0, 0};
    for (i = 0; i + 4 <= n; i += 4)
        for (int k = 0; k < 4; k++) {
            double d = x[i + k] - mean, d2 = d * d;
            a2[k] += d2;
            a3[k] += d2 * d;
            a4[k] += d2 * d2;
        }
    for (; i < n; i++) {
        double d = x[i] - mean, d2 = d * d;
        a2[0] += d2;
        a3[0] += d2 * d;
        a4[0] += d2 * d2;
    }
    m->n = (double)n;
    m->mean = mean;
    m->m2 = (a2[0] + a2[1]) + (a2[2] + a2[3]);
    m->m3 = (a3[0] + a3[1]) + (a3[2] + a3[3]);
    m->m4 = (a4[0] + a4[1]) + (a4[2] + a4[3]);
}

static void moments_portable(const double *x, size_t n, radvar_stats_moments *m)
{
    moments_body(x, n, m);
}

#if RADVAR_HAVE_AVX2_PATH
RADVAR_TARGET_AVX2 static void moments_avx2(const double *x, size_t n, radvar_stats_moments *m)
{
    moments_body(x, n, m);
}
#endif

void radvar_stats_moments_of(const double *x, size_t n, radvar_stats_moments *m)
{
#if RADVAR_HAVE_AVX2_PATH
    if (radvar_dispatch_avx2()) {
        moments_avx2(x, n, m);
        return;
    }
#endif
    moments_portable(x, n, m);
}

void radvar_stats_moments_merge(radvar_stats_moments *a, const radvar_stats_moments *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double na = a->n, nb = b->n, n = na + nb;
    double delta = b->mean - a->mean, dn = delta / n, dn2 = dn * dn;
    double m2 = a->m2 + b->m2 + delta * dn * na * nb;
    double m3 = a->m3 + b->m3 + delta * dn2 * na * nb * (na - nb)
                + 3.0 * dn * (na * b->m2 - nb * a->m2);
    double m4 = a->m4 + b->m4 + delta * dn2 * dn * na * nb * (na * na - na * nb + nb * nb)
                + 6.0 * dn2 * (na * na * b->m2 + nb * nb * a->m2)
                + 4.0 * dn * (na * b->m3 - nb * a->m3);
    a->mean += dn * nb;
    a->n = n;
    a->m2 = m2;
    a->m3 = m3;
    a->m4 = m4;
}

double radvar_stats_moments_variance(const radvar_stats_moments *m)
{
    return m->n >= 2 ? m->m2 / (m->n - 1.0) : NAN;
}

double radvar_stats_moments_se_variance(const radvar_stats_moments *m)
{
    if (m->n < 4)
        return NAN;
    double n = m->n, s2 = m->m2 / (n - 1.0), mu4 = m->m4 / n;
    double var_s2 = (mu4 - (n - 3.0) / (n - 1.0) * s2 * s2) / n;
    return var_s2 > 0 ? sqrt(var_s2) : 0.0;
}

double radvar_stats_ks_q(double lambda)
{
    if (!(lambda > 0))
        return isnan(lambda) ? NAN : 1.0;
    if (lambda < 1.0) {
        /* Jacobi's transformation of the theta series: 1 - Q = (sqrt(2 pi) /
         * lambda) sum_k exp(-(2k-1)^2 pi^2 / (8 lambda^2)), whose terms fall
         * by at least e^-(pi^2) per k here (the alternating series would
         * need many terms and lose 1 - Q to rounding) */
        double p = 0, c = -RADVAR_PI * RADVAR_PI / (8.0 * lambda * lambda);
        for (int k = 1; k <= 20; k++) {
            double odd = 2.0 * k - 1.0, term = exp(c * odd * odd);
            p += term;
            if (term <= DBL_EPSILON * 1e-3 * p)
                break;
        }
        return 1.0 - sqrt(2.0 * RADVAR_PI) / lambda * p;
    }
    double sum = 0, a2 = -2.0 * lambda * lambda;
    for (int k = 1; k <= 100; k++) {
        double term = exp(a2 * k * k);
        sum += (k & 1) ? term : -term;
        if (term <= DBL_EPSILON * 1e-3 * sum)
            break;
    }
    double q = 2.0 * sum;
    return q > 1.0 ? 1.0 : (q < 0.0 ? 0.0 : q);
}

static int compare_doubles(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

int radvar_stats_ks_test(double *x, size_t n, double (*cdf)(double, void *), void *params,
                   double *distance, double *p_value)
{
    *distance = *p_value = NAN;
    if (n == 0)
        return RADVAR_EDOM;
    for (size_t i = 0; i < n; i++)
        if (isnan(x[i]))
            return RADVAR_EDOM;
    qsort(x, n, sizeof *x, compare_doubles);
    double d = 0;
    for (size_t i = 0; i < n; i++) {
        double f = cdf(x[i], params);
        double above = (double)(i + 1) / (double)n - f, below = f - (double)i / (double)n;
        d = fmax(d, fmax(above, below));
    }
    double sn = sqrt((double)n);
    *distance = d;
    *p_value = radvar_stats_ks_q((sn + 0.12 + 0.11 / sn) * d);
    return RADVAR_SUCCESS;
}
