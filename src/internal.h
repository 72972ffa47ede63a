/* internal.h: helpers shared by radvar's sources; not installed. */
#ifndef RADVAR_INTERNAL_H
#define RADVAR_INTERNAL_H

#include <math.h>
#include "radvar/common.h"

/* Set r to NaN and return RADVAR_EDOM (GSL's DOMAIN_ERROR habit). */
#define RADVAR_DOMAIN_ERROR(r)                                                 \
    do {                                                                       \
        (r)->val = NAN;                                                        \
        (r)->err = NAN;                                                        \
        return RADVAR_EDOM;                                                    \
    } while (0)

/* Turn GSL's abort-on-error handler off, once, thread-safely. */
void radvar_gsl_quiet(void);

/* log1p(x) - x without cancellation for small |x|, x > -1. */
double radvar_log1pmx(double x);

/* Binet's function mu(z) = lnGamma(z) - [(z-1/2) ln z - z + ln(2 pi)/2],
 * z > 0: the remainder of Stirling's series. */
double radvar_binet_mu(double z);

/* Neumaier's compensated sum. */
typedef struct {
    double sum;
    double comp;
} radvar_ksum;

static inline void radvar_ksum_add(radvar_ksum *s, double x)
{
    double t = s->sum + x;
    if (fabs(s->sum) >= fabs(x))
        s->comp += (s->sum - t) + x;
    else
        s->comp += (x - t) + s->sum;
    s->sum = t;
}

static inline double radvar_ksum_value(const radvar_ksum *s)
{
    return s->sum + s->comp;
}

#endif
