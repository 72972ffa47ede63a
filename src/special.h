/* special.h: special functions that several modules need to the last ulp;
 * private (not part of the API). */
#ifndef RADVAR_SRC_SPECIAL_H
#define RADVAR_SRC_SPECIAL_H

/* log1p(x) - x without cancellation for small |x|, x > -1 (-inf at -1, NaN
 * below). */
double radvar_special_log1pmx(double x);

/* Binet's function mu(z) = lnGamma(z) - [(z-1/2) ln z - z + ln(2 pi)/2],
 * z > 0: the remainder of Stirling's series (NaN for z <= 0). */
double radvar_special_binet_mu(double z);

#endif
