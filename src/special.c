/* special.c: log1pmx and Binet's function, see special.h.
 *
 * REFERENCES
 *   Abramowitz & Stegun 6.1.40-6.1.42 (Stirling series, Binet's function);
 *   R's nmath log1pmx() for the role of log1p(x) - x.
 */
#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>

#include "special.h"

double radvar_special_log1pmx(double x)
{
    if (isnan(x) || x <= -1.0)
        return x == -1.0 ? -INFINITY : NAN;
    /* Below |x| = 1/4 the direct form would lose up to -log10(|x|)+... digits
     * to cancellation; the Taylor series sum_{k>=2} (-1)^(k+1) x^k / k has
     * ratio |x| <= 1/4, so about 27 terms reach DBL_EPSILON (cap: 200). */
    if (fabs(x) < 0.25) {
        double term = x * x, sum = -term / 2.0;
        for (int k = 3; k < 200; k++) {
            term *= -x;
            double add = -term / k;
            sum += add;
            if (fabs(add) <= DBL_EPSILON * 0.5 * fabs(sum))
                break;
        }
        return sum;
    }
    return log1p(x) - x; /* cancellation costs at most a factor ~8 here */
}

double radvar_special_binet_mu(double z)
{
    if (!(z > 0.0))
        return NAN;
    if (z >= 10.0) {
        /* Stirling series mu(z) = sum_k B_2k / (2k (2k-1) z^(2k-1)), A&S 6.1.41;
         * for z >= 10 the first omitted term (k = 9, 43867/244188 z^-17) is
         * below 2e-18. */
        static const double c[8] = {
            1.0 / 12.0,         -1.0 / 360.0,         1.0 / 1260.0,
            -1.0 / 1680.0,      1.0 / 1188.0,         -691.0 / 360360.0,
            1.0 / 156.0,        -3617.0 / 122400.0};
        double iz2 = 1.0 / (z * z), sum = 0.0;
        for (int k = 7; k >= 0; k--)
            sum = sum * iz2 + c[k];
        return sum / z;
    }
    /* gammastar(z) = Gamma(z) / (sqrt(2 pi) z^(z-1/2) e^-z) = exp(mu(z)),
     * computed by GSL to a few ulps for every z > 0; it signals no error for
     * 0 < z < 10. */
    gsl_sf_result g;
    if (gsl_sf_gammastar_e(z, &g) != GSL_SUCCESS)
        return NAN;
    return log(g.val);
}
