/* exact.c: exact moments of psi for X = sum w_i g_i^2, g_i ~ N(mu, sigma^2).
 *
 * DESCRIPTION
 *   Normalise Y = X/m with m = E[X] = (sigma^2 + mu^2) sum w_i, so E[Y] = 1 and
 *   psi = m^(-1/2) Y^(-1/2).  With y_i = 2 s sigma^2 w_i / m and
 *   r_mu = mu^2 / (2 sigma^2), the log-Laplace transform of Y is
 *     ln L_Y(s) = -s + g(s),
 *     g(s) = sum_i [ -log1pmx(y_i)/2 + r_mu y_i^2 / (1 + y_i) ]  >= 0,
 *   (expand ln L_Y and use s = sum_i s w_i (sigma^2 + mu^2)/m), a sum of
 *   non-negative terms.  Then, from E[Y^-a] = Gamma(a)^-1 int s^(a-1) L_Y(s) ds
 *   and int s^(a-1) e^-s ds = Gamma(a),
 *     A = E[Y^-1]   - 1 = int_0^inf e^-s expm1(g(s)) ds,
 *     B = E[Y^-1/2] - 1 = pi^(-1/2) int_0^inf s^(-1/2) e^-s expm1(g(s)) ds,
 *     E[psi] = (1 + B)/sqrt(m),  E[psi^2] = (1 + A)/m,
 *     Var[psi] = (A - 2B - B^2)/m.
 *
 * NOTES
 *   Computed as E[X^-1] - E[X^-1/2]^2, Var[psi] loses log10(8 rho) digits
 *   (5 at beta2 = 0.9999).  Here A and B are computed directly (never as a
 *   difference from 1) and A - 2B - B^2 ~ A/4 cancels by a factor of about 4
 *   only, so Var[psi] keeps the quadrature's relative accuracy.
 *   For the EMA the weights are c beta2^j (age j); the terms with y_j < 0.05
 *   are summed as power series in y, sum_k (-1)^k (1/(2k) + r_mu) y^k, whose
 *   sums over j are geometric in closed form, so an evaluation costs
 *   O(#{j : y_j >= 0.05}) instead of O(t).
 *
 * REFERENCES
 *   The Laplace-transform moments: N. L. Johnson, S. Kotz, N. Balakrishnan,
 *   Continuous Univariate Distributions vol. 2, ch. 29 (noncentral chi-square);
 *   E[X^-a] = Gamma(a)^-1 int s^(a-1) E[e^(-sX)] ds (Cressie et al. 1981,
 *   The moment-generating function and negative integer moments).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "ksum.h"
#include "result.h"
#include "special.h"
#include "radvar/exact.h"
#include "radvar/schedule.h"

#define Y_SERIES 0.05   /* below it, a term is summed by the power series */
#define SERIES_TERMS 16 /* 0.05^16 = 1.5e-21 */
#define QUAD_LIMIT 2000
#define QUAD_EPSREL 1e-12

typedef struct {
    /* arbitrary weights */
    const double *w;
    size_t n;
    /* or the EMA: weights c b^j, j = 0 .. t-1 (t may be inf) */
    int ema;
    double c, lambda, t;
    /* y_j = kappa s w_j; r_mu = mu^2 / (2 sigma^2) */
    double kappa, r_mu;
    size_t evaluations;
} problem;

/* one term of g: -log1pmx(y)/2 + r_mu y^2/(1+y) */
static inline double g_term(double y, double r_mu)
{
    return -0.5 * radvar_special_log1pmx(y) + r_mu * y * (y / (1.0 + y));
}

static double g_weights(double s, const problem *p)
{
    radvar_ksum sum = {0, 0};
    for (size_t i = 0; i < p->n; i++)
        radvar_ksum_add(&sum, g_term(p->kappa * s * p->w[i], p->r_mu));
    return radvar_ksum_value(&sum);
}

static double g_ema(double s, const problem *p)
{
    double y0 = p->kappa * s * p->c; /* the newest gradient's y */
    radvar_ksum sum = {0, 0};
    double j = 0;
    /* explicit terms while y_j >= Y_SERIES: y_j = y0 e^(-lambda j) */
    for (; j < p->t; j++) {
        double y = y0 * exp(-p->lambda * j);
        if (y < Y_SERIES)
            break;
        radvar_ksum_add(&sum, g_term(y, p->r_mu));
    }
    if (j < p->t) {
        /* sum_{j' >= j} sum_k (-1)^k (1/(2k) + r_mu) y_j'^k with
         * sum_{j'=j}^{t-1} e^(-k lambda j') = e^(-k lambda j)(1 - e^(-k lambda (t-j)))/(1 - e^(-k lambda)) */
        double yj = y0 * exp(-p->lambda * j), yk = yj;
        for (int k = 2; k <= SERIES_TERMS; k++) {
            yk *= yj;
            double geometric = -expm1(-k * p->lambda) ;
            double span = isinf(p->t) ? 1.0 : -expm1(-k * p->lambda * (p->t - j));
            double term = (0.5 / k + p->r_mu) * yk * span / geometric;
            radvar_ksum_add(&sum, (k & 1) ? -term : term);
            if (term < 1e-18 * fabs(radvar_ksum_value(&sum)))
                break;
        }
    }
    return radvar_ksum_value(&sum);
}

/* e^-s expm1(g(s)) without overflow */
static double laplace_excess(double s, problem *p)
{
    p->evaluations++;
    double g = p->ema ? g_ema(s, p) : g_weights(s, p);
    if (g < 1.0)
        return exp(-s) * expm1(g);
    return exp(g - s) - exp(-s);
}

static double integrand_a(double s, void *params)
{
    return laplace_excess(s, params);
}

static double integrand_b(double s, void *params)
{
    return s > 0 ? laplace_excess(s, params) / sqrt(s) : 0.0;
}

static int integrate(double (*f)(double, void *), problem *p, gsl_integration_workspace *ws,
                     double *val, double *err)
{
    gsl_function F = {f, p};
    int status = gsl_integration_qagiu(&F, 0.0, 0.0, QUAD_EPSREL, QUAD_LIMIT, ws, val, err);
    if (status == GSL_SUCCESS)
        return RADVAR_SUCCESS;
    /* roundoff or the subdivision limit: accept when the error estimate is
     * still far below what callers need (1e-10 relative) */
    if ((status == GSL_EROUND || status == GSL_EMAXITER || status == GSL_ESING)
        && *err <= 1e-10 * fabs(*val))
        return RADVAR_SUCCESS;
    return RADVAR_EMAXITER;
}

static int solve(problem *p, double m, size_t terms, radvar_exact_moments *r)
{
    r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
    r->evaluations = 0;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (ws == NULL)
        return RADVAR_ENOMEM;
    double a = NAN, b, err_a = NAN, err_b;
    int status = integrate(integrand_b, p, ws, &b, &err_b);
    b /= sqrt(M_PI);
    err_b /= sqrt(M_PI);
    if (terms >= 3) {
        int status_a = integrate(integrand_a, p, ws, &a, &err_a);
        status = status ? status : status_a;
    }
    gsl_integration_workspace_free(ws);
    r->evaluations = p->evaluations;
    r->mean_psi = (1.0 + b) / sqrt(m);
    if (terms < 3)
        return RADVAR_EDOM;
    r->mean_psi2 = (1.0 + a) / m;
    r->var_psi = (a - 2.0 * b - b * b) / m;
    r->abs_err = (err_a + 2.0 * (1.0 + b) * err_b) / m + 4.0 * DBL_EPSILON * fabs(a) / m;
    return status;
}

int radvar_exact_moments_weights(const double *w, size_t n, double mu, double sigma,
                                 radvar_exact_moments *r)
{
    r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
    r->evaluations = 0;
    if (w == NULL || n < 2 || !isfinite(mu) || !(sigma > 0) || !isfinite(sigma))
        return RADVAR_EDOM;
    radvar_ksum total = {0, 0};
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] > 0) || !isfinite(w[i]))
            return RADVAR_EDOM;
        radvar_ksum_add(&total, w[i]);
    }
    double sigma2 = sigma * sigma, m = (sigma2 + mu * mu) * radvar_ksum_value(&total);
    problem p = {w, n, 0, 0, 0, 0, 2.0 * sigma2 / m, mu * mu / (2.0 * sigma2), 0};
    return solve(&p, m, n, r);
}

int radvar_exact_moments_ema(double beta2, double t, double mu, double sigma,
                             radvar_exact_moments *r)
{
    r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
    r->evaluations = 0;
    if (!(beta2 > 0 && beta2 < 1) || !(t >= 2) || (isfinite(t) && t != floor(t)) || !isfinite(mu)
        || !(sigma > 0) || !isfinite(sigma))
        return RADVAR_EDOM;
    double lambda = radvar_schedule_ema_decay_rate(beta2);
    /* c = (1 - beta2)/(1 - beta2^t): sum of the weights is 1 */
    double c = isinf(t) ? 1.0 - beta2 : (1.0 - beta2) / -expm1(-t * lambda);
    double sigma2 = sigma * sigma, m = sigma2 + mu * mu;
    problem p = {NULL, 0, 1, c, lambda, t, 2.0 * sigma2 / m, mu * mu / (2.0 * sigma2), 0};
    return solve(&p, m, t >= 3 ? 3 : 2, r);
}
