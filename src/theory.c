/* theory.c: moments, density and distribution function of psi when
 * psi^2 ~ Scale-inv-chi2(rho, tau2).
 *
 * DESCRIPTION
 *   With x = rho/2 and Q(x) = Gamma(x - 1/2) / Gamma(x),
 *     E[psi]   = sqrt(tau2) sqrt(x) Q(x),
 *     E[psi^2] = tau2 x / (x - 1),
 *     Var[psi] = E[psi^2] (1 - h),   h = E[psi]^2 / E[psi^2] = (x-1) Q(x)^2.
 *   The paper's form (Liu et al. 2020, Theorem 1) is the same quantity: by the
 *   duplication formula, rho 2^(2rho-5)/pi B((rho-1)/2,(rho-1)/2)^2 = x Q(x)^2.
 *
 * NOTES
 *   h -> 1 as rho grows (1 - h ~ 1/(2 rho)), so Var[psi] computed as a
 *   difference of E[psi^2] and E[psi]^2 loses log10(rho) digits, and all of
 *   them when Q comes from lgamma differences (|lgamma| ~ rho log rho).  Here
 *   log h is built from pieces that are each accurate in the absolute sense
 *   (u = 1/(2x) = 1/rho, mu = Binet's function, Stirling's remainder):
 *     g(x)  = ln(sqrt(x) Q(x)) = phi(u)/2 - log1p(-u) + mu(x-1/2) - mu(x),
 *     log h = 2 g + log1p(-2u)  = phi(u) + log1p(-q^2) + 2 (mu(x-1/2) - mu(x)),
 *   with phi(u) = (log1p(-u) + u)/u and q = u/(1-u) = 1/(rho-1); then
 *   1 - h = -expm1(log h).  phi dominates (~ -1/(2 rho)) and the other two
 *   terms are O(1/rho^2), so no cancellation is left: the relative error of
 *   Var[psi] is a few ulps for every rho > 2 (tests/test_theory.c checks
 *   1e-11 against 50-digit mpmath values up to rho = 1e14).
 *   The whole double range: phi is summed as its own series (log1pmx(-u)/u
 *   underflowed to 0 for rho > 1e154, giving Var[psi] = -0), beyond
 *   rho = 1e21 Var[psi] is tau2/(2 rho) to far below an ulp, and the first-order
 *   approximation is formed without the product (rho-2)(rho-4), which
 *   overflowed; tests/test_theory_range.c checks rho up to DBL_MAX and tau2
 *   from 1e-300 to 1e300 against mpmath (a few ulps; results below DBL_MIN
 *   in units of the smallest subnormal).
 *
 * REFERENCES
 *   L. Liu et al., On the Variance of the Adaptive Learning Rate and Beyond,
 *   ICLR 2020, Theorem 1 and eq. (6).
 *   Abramowitz & Stegun 6.1.18 (duplication), 6.1.41 (Stirling series).
 *   C. Loader, Fast and Accurate Computation of Binomial Probabilities (2000),
 *   for the saddle-point form of the density.
 */
#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>

#include "radvar/theory.h"
#include "result.h"
#include "special.h"

/* Beyond this rho, Var[psi] = tau2/(2 rho) (1 + 3.75/rho + ...) is tau2/(2 rho)
 * to within a relative 4e-21, far below an ulp. */
#define RHO_ASYMPTOTIC 1e21

static int bad_tau2(double tau2)
{
    return !(tau2 > 0.0) || !isfinite(tau2);
}

/* phi(u) = (log1p(-u) + u) / u for 0 < u < 1.  Below u = 1/4 it is summed as
 * its own series -sum_{k>=2} u^(k-1)/k (ratio <= 1/4, about 27 terms), not as
 * log1pmx(-u)/u: log1pmx(-u) ~ -u^2/2 underflows once u < 1e-154 (rho >
 * 1e154), which made Var[psi] -0 there; phi itself ~ -u/2 stays normal down to
 * u = 4.5e-308, i.e. for every finite rho. */
static double phi(double u)
{
    if (u >= 0.25)
        return radvar_special_log1pmx(-u) / u;
    double term = 1.0, sum = -0.5;
    for (int k = 3; k < 200; k++) {
        term *= u;
        double add = -term / k;
        sum += add;
        if (fabs(add) <= DBL_EPSILON * 0.5 * fabs(sum))
            break;
    }
    return u * sum;
}

/* g(x) = ln(sqrt(x) Gamma(x-1/2)/Gamma(x)), x > 1/2, accurate in the absolute
 * sense even where g is O(1/x). */
static double log_sqrtx_gamma_ratio(double x)
{
    double u = 0.5 / x;
    return 0.5 * phi(u) - log1p(-u) + (radvar_special_binet_mu(x - 0.5) - radvar_special_binet_mu(x));
}

/* log h(rho) = ln(E[psi]^2 / E[psi^2]) for rho = 2 + d > 2, d given exactly. */
static double log_h(double rho, double d)
{
    double x = 0.5 * rho, u = 1.0 / rho;
    double q = 1.0 / (rho - 1.0), log1m_q2;
    if (rho > 3.0)
        log1m_q2 = log1p(-q * q);
    else /* q^2 >= 1/4: 1 - q^2 = rho (rho-2) / (rho-1)^2 */
        log1m_q2 = log(rho) + log(d) - 2.0 * log1p(d);
    return phi(u) + log1m_q2 + 2.0 * (radvar_special_binet_mu(x - 0.5) - radvar_special_binet_mu(x));
}

int radvar_theory_mean_psi_e(double rho, double tau2, radvar_result *r)
{
    if (!(rho > 1.0) || bad_tau2(tau2))
        RADVAR_DOMAIN_ERROR(r);
    if (isinf(rho)) {
        r->val = sqrt(tau2);
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    r->val = sqrt(tau2) * exp(log_sqrtx_gamma_ratio(0.5 * rho));
    r->err = 8.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_theory_mean_psi2_e(double rho, double tau2, radvar_result *r)
{
    if (!(rho > 2.0) || bad_tau2(tau2))
        RADVAR_DOMAIN_ERROR(r);
    /* tau2 (rho / (rho-2)): tau2 rho overflowed for large tau2 and rho */
    r->val = isinf(rho) ? tau2 : tau2 * (rho / (rho - 2.0));
    r->err = 2.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

/* ln Var[psi] at tau2 = 1 and rho = 2 + d, d > 0 given exactly; finite for
 * every d > 0 (no overflow near rho = 2). */
static double log_var_psi_unit(double d)
{
    double rho = 2.0 + d;
    return log(rho) - log(d) + log(-expm1(log_h(rho, d)));
}

int radvar_theory_var_psi_e(double rho, double tau2, radvar_result *r)
{
    if (!(rho > 2.0) || bad_tau2(tau2))
        RADVAR_DOMAIN_ERROR(r);
    if (isinf(rho)) {
        r->val = 0.0;
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    if (rho > RHO_ASYMPTOTIC) {
        /* Var[psi] = tau2/(2 rho) (1 + O(1/rho)), the O(1/rho) term below
         * 1e-20 here; dividing tau2/2 by rho directly keeps every digit where
         * the product form would pass through a subnormal -expm1(log h) ~
         * 1/(2 rho) (rho > 2.2e307) before being scaled by a large tau2. */
        r->val = 0.5 * tau2 / rho;
        r->err = 2.0 * DBL_EPSILON * r->val + 2.0 * DBL_TRUE_MIN;
        return RADVAR_SUCCESS;
    }
    r->val = tau2 * (rho / (rho - 2.0)) * -expm1(log_h(rho, rho - 2.0));
    r->err = 16.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_theory_var_psi_approx_e(double rho, double tau2, radvar_result *r)
{
    if (!(rho > 4.0) || bad_tau2(tau2))
        RADVAR_DOMAIN_ERROR(r);
    if (isinf(rho)) {
        r->val = 0.0;
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    /* (0.5 tau2 / (rho-2)) (rho / (rho-4)): the product (rho-2)(rho-4)
     * overflowed from rho = 1.3e154 on, which made the value 0 */
    r->val = 0.5 * tau2 / (rho - 2.0) * (rho / (rho - 4.0));
    r->err = 4.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_theory_pdf_psi2_e(double x, double rho, double tau2, radvar_result *r)
{
    if (isnan(x) || !(rho > 0.0) || isinf(rho) || bad_tau2(tau2))
        RADVAR_DOMAIN_ERROR(r);
    if (x <= 0.0 || isinf(x)) {
        r->val = 0.0;
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    /* With a = rho/2 and y = a tau2 / x ~ Gamma(a, 1), f_X(x) = f_Y(y) y / x.
     * Stirling's form of lnGamma(a) turns ln f_Y(y) + ln y into
     * a (ln r - r + 1) + ln(a / (2 pi))/2 - mu(a), r = y/a = tau2/x, and
     * a (ln r - r + 1) = a log1pmx(r - 1) keeps its digits near r = 1, where
     * the mass is for large rho (Loader 2000 uses the same device). */
    double a = 0.5 * rho, ratio = tau2 / x;
    double log_f = a * radvar_special_log1pmx(ratio - 1.0) + 0.5 * log(a / (2.0 * M_PI))
                   - radvar_special_binet_mu(a) - log(x);
    r->val = exp(log_f);
    r->err = (4.0 + fabs(log_f)) * DBL_EPSILON * r->val
             + 4.0 * DBL_EPSILON * fabs(a * (ratio - 1.0)) * r->val;
    return RADVAR_SUCCESS;
}

int radvar_theory_cdf_psi2_e(double x, double rho, double tau2, radvar_result *r)
{
    if (isnan(x) || !(rho > 0.0) || isinf(rho) || bad_tau2(tau2))
        RADVAR_DOMAIN_ERROR(r);
    if (x <= 0.0) {
        r->val = 0.0;
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    if (isinf(x)) {
        r->val = 1.0;
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    /* P(X <= x) = P(Y >= rho tau2 / x) for Y ~ chi2(rho) = Gamma(rho/2, 2). */
    gsl_sf_result q;
    int status = gsl_sf_gamma_inc_Q_e(0.5 * rho, 0.5 * rho * tau2 / x, &q);
    if (status != GSL_SUCCESS && status != GSL_EUNDRFLW)
        RADVAR_DOMAIN_ERROR(r);
    r->val = q.val;
    r->err = q.err;
    return RADVAR_SUCCESS;
}

/* Root finding for the inverse, in s = ln(rho - 2). */
struct inverse_params {
    double log_target; /* ln(var / tau2) */
};

static double inverse_residual(double s, void *params)
{
    const struct inverse_params *p = params;
    return log_var_psi_unit(exp(s)) - p->log_target;
}

int radvar_theory_rho_from_var_e(double var, double tau2, radvar_result *r)
{
    enum { MAX_ITER = 200 };
    /* rho - 2 from e^-35 (6e-16, the smallest step above 2 that a double
     * resolves) to e^40 (2.4e17) */
    const double s_lo = -35.0, s_hi = 40.0;
    if (!(var > 0.0) || isinf(var) || bad_tau2(tau2))
        RADVAR_DOMAIN_ERROR(r);
    struct inverse_params p = {log(var) - log(tau2)};
    double f_lo = inverse_residual(s_lo, &p), f_hi = inverse_residual(s_hi, &p);
    if (!(f_lo >= 0.0 && f_hi <= 0.0))
        RADVAR_DOMAIN_ERROR(r); /* var outside [Var(2 + e^40), Var(2 + e^-35)] */
    if (f_lo == 0.0 || f_hi == 0.0) {
        r->val = 2.0 + exp(f_lo == 0.0 ? s_lo : s_hi);
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }

    gsl_function F = {inverse_residual, &p};
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (solver == NULL) {
        r->val = r->err = NAN;
        return RADVAR_ENOMEM;
    }
    int status = gsl_root_fsolver_set(solver, &F, s_lo, s_hi);
    int iter = 0;
    double lo = s_lo, hi = s_hi;
    while (status == GSL_SUCCESS && iter++ < MAX_ITER) {
        status = gsl_root_fsolver_iterate(solver);
        lo = gsl_root_fsolver_x_lower(solver);
        hi = gsl_root_fsolver_x_upper(solver);
        /* |ds| is the relative error of rho - 2, hence a bound on that of rho. */
        if (gsl_root_test_interval(lo, hi, 4.0 * DBL_EPSILON, 4.0 * DBL_EPSILON)
            == GSL_SUCCESS)
            break;
    }
    double s = gsl_root_fsolver_root(solver);
    gsl_root_fsolver_free(solver);
    if (status != GSL_SUCCESS) { /* the solver failed: not a domain error */
        r->val = r->err = NAN;
        return RADVAR_EMAXITER;
    }
    r->val = 2.0 + exp(s);
    r->err = (hi - lo) * (r->val - 2.0) + 2.0 * DBL_EPSILON * r->val;
    return iter > MAX_ITER ? RADVAR_EMAXITER : RADVAR_SUCCESS;
}

/* ---- plain forms ---- */

double radvar_theory_mean_psi(double rho, double tau2)
{
    RADVAR_EVAL_RESULT(radvar_theory_mean_psi_e(rho, tau2, &result));
}

double radvar_theory_mean_psi2(double rho, double tau2)
{
    RADVAR_EVAL_RESULT(radvar_theory_mean_psi2_e(rho, tau2, &result));
}

double radvar_theory_var_psi(double rho, double tau2)
{
    RADVAR_EVAL_RESULT(radvar_theory_var_psi_e(rho, tau2, &result));
}

double radvar_theory_var_psi_approx(double rho, double tau2)
{
    RADVAR_EVAL_RESULT(radvar_theory_var_psi_approx_e(rho, tau2, &result));
}

double radvar_theory_pdf_psi2(double x, double rho, double tau2)
{
    RADVAR_EVAL_RESULT(radvar_theory_pdf_psi2_e(x, rho, tau2, &result));
}

double radvar_theory_cdf_psi2(double x, double rho, double tau2)
{
    RADVAR_EVAL_RESULT(radvar_theory_cdf_psi2_e(x, rho, tau2, &result));
}

double radvar_theory_rho_from_var(double var, double tau2)
{
    RADVAR_EVAL_RESULT(radvar_theory_rho_from_var_e(var, tau2, &result));
}
