/* ksum.h: Neumaier's compensated sum (a private helper of several modules).
 *
 * REFERENCES
 *   A. Neumaier, Rundungsfehleranalyse einiger Verfahren zur Summation
 *   endlicher Summen, ZAMM 54 (1974).
 */
#ifndef RADVAR_SRC_KSUM_H
#define RADVAR_SRC_KSUM_H

#include <math.h>

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
