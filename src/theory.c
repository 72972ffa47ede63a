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
 *   Var[psi] is a few ulps for every rho > 2 (at most 20 eps, near rho = 12,
 *   against 60-digit mpmath values up to rho = 1e15 in tests/test_theory.c).
 *   The error estimates (err) carry each term's absolute error through to
 *   the result, see log_h().
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

/* A bound on the absolute error of radvar_special_binet_mu(z) = mu: GSL's
 * gammastar below z = 10, the Stirling series above.  Measured against
 * 40-digit mpmath at 40,000 log-uniform random z in [1e-8, 1.2e9] (GSL 2.7),
 * the worst errors seen were: z < 0.5, 33 eps near z = 0.05 (mu ~ 1) and
 * 2.8 |mu| eps for tiny z; [0.5, 2): 3.1 eps; [2, 10): 0.99 eps; z >= 10:
 * 1.6 |mu| eps (the series' truncation, < 2e-18 at z = 10, included).  The
 * bounds are 1.5 times those or more.  An error in mu is an absolute error
 * in the logarithms below, hence a relative one in the moments. */
static double binet_mu_abs_err(double z, double mu)
{
    if (z >= 10.0)
        return 2.5 * DBL_EPSILON * fabs(mu);
    if (z >= 2.0)
        return 1.5 * DBL_EPSILON;
    if (z >= 0.5)
        return 4.5 * DBL_EPSILON;
    return (48.0 + 4.0 * fabs(mu)) * DBL_EPSILON;
}

/* g(x) = ln(sqrt(x) Gamma(x-1/2)/Gamma(x)), x > 1/2, accurate in the absolute
 * sense even where g is O(1/x); *abs_err bounds its absolute error:
 *  - u = 1/(2x) is rounded (relative eps/2), and g's terms in u change by
 *    (1/(2(1-u)) + |log1p(-u)|/2 + 1/2) du: near x = 1/2 (rho near 1) this
 *    would be the largest term, u/(1-u) eps/4, so for x < 1 log(1 - u) is
 *    formed as log(2x - 1) - log(2x) from the exact 2x - 1 instead;
 *  - log1pmx(-u) is a series without cancellation for u < 1/4 (an ulp or
 *    two) and log1p(-u) + u above (eps (|log1p(-u)| + u));
 *  - mu at x - 1/2 and x (binet_mu_abs_err; x - 1/2 is exact for x <= 1 and
 *    its rounding moves mu by less than 0.14 eps/2 beyond);
 *  - the three additions, eps/2 of the sum of magnitudes each. */
static double log_sqrtx_gamma_ratio(double x, double *abs_err)
{
    double u = 0.5 / x, lp, half_phi, err_u;
    if (x < 1.0) {
        /* rho = 2x in (1, 2): 1 - u = (2x - 1)/(2x) with 2x - 1 exact
         * (Sterbenz), so the pole of Gamma(x - 1/2) at rho = 1 no longer
         * amplifies the rounding of u; phi's branch for u >= 1/4 from lp */
        double l1 = log(2.0 * x - 1.0), l2 = log(2.0 * x);
        lp = l1 - l2;
        half_phi = 0.5 * (lp + u) / u;
        err_u = 0.5 * (fabs(l1) + l2 + fabs(lp)) + 0.25 * fabs(lp) / u + 0.5 * fabs(half_phi);
    } else {
        lp = log1p(-u);
        half_phi = 0.5 * phi(u);
        err_u = 0.25 * u * (1.0 / (1.0 - u) + fabs(lp) + 1.0)
                + (u >= 0.25 ? 0.5 * (fabs(lp) + u) / u : fabs(half_phi)) + 0.5 * fabs(lp);
    }
    double mu1 = radvar_special_binet_mu(x - 0.5), mu2 = radvar_special_binet_mu(x);
    double magnitude = fabs(half_phi) + fabs(lp) + fabs(mu1) + fabs(mu2);
    *abs_err = DBL_EPSILON * (err_u + 2.0 * magnitude) + binet_mu_abs_err(x - 0.5, mu1)
               + binet_mu_abs_err(x, mu2);
    return half_phi - lp + (mu1 - mu2);
}

/* log h(rho) = ln(E[psi]^2 / E[psi^2]) for rho = 2 + d > 2, d given exactly,
 * and a bound on its absolute error (the terms' own errors, see
 * log_sqrtx_gamma_ratio, and eps/2 of the sum of magnitudes per addition).
 * log h is O(1/rho) while its terms' errors are absolute: 1 - h =
 * -expm1(log h) has the relative error abs_err h/(1-h) ~ 2 rho abs_err,
 * which is what the error estimate of Var[psi] must carry. */
static double log_h(double rho, double d, double *abs_err)
{
    double x = 0.5 * rho, u = 1.0 / rho;
    double q = 1.0 / (rho - 1.0), log1m_q2, err_q;
    if (rho > 3.0) {
        /* q^2 within 2.5 eps, and q^2 / (1 - q^2) <= 4/3 |log1p(-q^2)| */
        log1m_q2 = log1p(-q * q);
        err_q = 4.0 * DBL_EPSILON * fabs(log1m_q2);
    } else { /* q^2 >= 1/4: 1 - q^2 = rho (rho-2) / (rho-1)^2 */
        log1m_q2 = log(rho) + log(d) - 2.0 * log1p(d);
        err_q = 2.0 * DBL_EPSILON * (fabs(log(rho)) + fabs(log(d)) + 2.0 * fabs(log1p(d)));
    }
    double p = phi(u);
    double mu1 = radvar_special_binet_mu(x - 0.5), mu2 = radvar_special_binet_mu(x);
    double magnitude = fabs(p) + fabs(log1m_q2) + 2.0 * (fabs(mu1) + fabs(mu2));
    /* phi: u rounded (0.5 eps of phi), log1pmx as above (u < 1/2 here) */
    double err_p = DBL_EPSILON * (2.0 * fabs(p) + (u >= 0.25 ? (fabs(log1p(-u)) + u) / u : 0.0));
    *abs_err = err_p + err_q
               + 2.0 * (binet_mu_abs_err(x - 0.5, mu1) + binet_mu_abs_err(x, mu2))
               + 2.0 * DBL_EPSILON * magnitude;
    return p + log1m_q2 + 2.0 * (mu1 - mu2);
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
    double err_g, g = log_sqrtx_gamma_ratio(0.5 * rho, &err_g);
    r->val = sqrt(tau2) * exp(g);
    /* g's absolute error is a relative one of exp(g); exp, sqrt and the
     * product add an ulp each */
    r->err = (err_g + 2.0 * DBL_EPSILON) * r->val;
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
    double rho = 2.0 + d, unused;
    return log(rho) - log(d) + log(-expm1(log_h(rho, d, &unused)));
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
    double err_l, l = log_h(rho, rho - 2.0, &err_l), one_minus_h = -expm1(l);
    r->val = tau2 * (rho / (rho - 2.0)) * one_minus_h;
    /* The relative error of 1 - h is err_l h / (1 - h) (see log_h): about
     * 2 rho err_l for large rho, where log h ~ -1/(2 rho).  The fixed
     * 16 eps this replaces held for large rho but not for 5 < rho < 25,
     * where log h is -0.02 .. -0.1 and GSL's gammastar (z < 10) leaves an
     * absolute error of about an eps in each Binet term: 19 eps were seen at
     * rho = 12.  expm1 adds an ulp, rho/(rho-2), tau2 and the product 2. */
    r->err = (err_l * (1.0 - one_minus_h) / one_minus_h + 3.0 * DBL_EPSILON) * r->val;
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
    /* y = tau2/x - 1 as (tau2 - x)/x: one rounding (the difference is exact
     * where x is within a factor 2 of tau2, where the mass is), where
     * ratio - 1 lost |y| digits near ratio = 1 */
    double a = 0.5 * rho, ratio = tau2 / x, y = (tau2 - x) / x, mu = radvar_special_binet_mu(a);
    double lm = radvar_special_log1pmx(y);
    double log_f = a * lm + 0.5 * log(a / (2.0 * M_PI)) - mu - log(x);
    r->val = exp(log_f);
    /* log_f's absolute error is the relative error of the density: y is off
     * by |y| eps (two roundings at most), which moves log1pmx(y) by
     * |y|/(1+y) = |y|/ratio times that; log1pmx itself cancels for
     * |y| >= 1/4 (eps/2 (|log1p(y)| + |y|), with |log1p(y)| <= |lm| + |y|);
     * both are multiplied by a.  The other terms and exp add an eps of
     * |log_f| and a few ulps, and Binet's mu(a) its own error
     * (binet_mu_abs_err: up to 50 eps for rho < 1). */
    double err_lm = 2.0 * y * y / ratio + (fabs(y) >= 0.25 ? fabs(lm) + 2.0 * fabs(y) : 0.0);
    r->err = ((4.0 + fabs(log_f) + a * err_lm) * DBL_EPSILON + binet_mu_abs_err(a, mu)) * r->val;
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
    double a = 0.5 * rho, y = a * tau2 / x;
    int status = gsl_sf_gamma_inc_Q_e(a, y, &q);
    if (status != GSL_SUCCESS && status != GSL_EUNDRFLW)
        RADVAR_DOMAIN_ERROR(r);
    r->val = q.val;
    /* GSL's estimate covers Q at the y it was given; y itself is rounded
     * twice (relative eps), which moves Q by y f_Y(y) eps with
     * y f_Y(y) = y^a e^-y / Gamma(a): in the lower tail of psi^2 (large y)
     * that is about y eps relative to Q. */
    double y_density = exp(a * log(y) - y - gsl_sf_lngamma(a)); /* (lgamma is not thread-safe) */
    r->err = q.err + 1.5 * DBL_EPSILON * y_density + DBL_EPSILON * q.val;
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
    /* The root of the computed function is off that of the exact one by
     * (the error of ln Var[psi] at the root + that of the target ln(var/tau2))
     * / |d ln Var / ds|, and |d ln Var / d ln(rho - 2)| lies in [1, 1.35]
     * for every rho > 2 (by 60-digit mpmath differentiation on a grid of
     * rho - 2 from 1e-10 to 1e15): the relative error of rho - 2 is at most
     * that sum, plus the bracket, plus the rounding of s (|s| eps/2) and of
     * exp; the final 2 + adds half an ulp of rho. */
    radvar_result v;
    int status_v = radvar_theory_var_psi_e(r->val, 1.0, &v);
    double rel_v = status_v == RADVAR_SUCCESS && v.val > 0 ? v.err / v.val : 0.0;
    r->err = (r->val - 2.0)
                 * ((hi - lo) + rel_v
                    + DBL_EPSILON * (fabs(log(var)) + fabs(log(tau2)) + fabs(s) + 2.0))
             + DBL_EPSILON * r->val;
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
