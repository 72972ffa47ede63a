/* radvar/theory.h: moments and distribution of the adaptive learning rate psi
 * when psi^2 is scaled-inverse-chi-square (Liu et al. 2020, Theorem 1).
 *
 * Model: psi = sqrt(X), X ~ Scale-inv-chi2(rho, tau2), i.e. X = rho tau2 / Y
 * with Y ~ chi2(rho).  For Adam with gradients g_i ~ N(0, s^2) treated as an
 * SMA of rho terms, tau2 = 1/s^2.  rho is real (degrees of freedom), tau2 > 0.
 *
 * Every function has an _e form returning a status and {val, err}; the plain
 * form returns val.  Outside the domain: NaN and RADVAR_EDOM.
 *
 * Thread safety: no handles and no state; every function may be called from
 * several threads at once.
 */
#ifndef RADVAR_THEORY_H
#define RADVAR_THEORY_H

#include "radvar/common.h"

RADVAR_BEGIN_DECLS

/* E[psi] = sqrt(tau2 rho / 2) Gamma((rho-1)/2) / Gamma(rho/2).
 * domain: rho > 1, 0 < tau2 < inf.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_theory_mean_psi_e(double rho, double tau2, radvar_result *r);
RADVAR_API double radvar_theory_mean_psi(double rho, double tau2);

/* E[psi^2] = tau2 rho / (rho - 2).
 * domain: rho > 2, 0 < tau2 < inf.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_theory_mean_psi2_e(double rho, double tau2, radvar_result *r);
RADVAR_API double radvar_theory_mean_psi2(double rho, double tau2);

/* Var[psi] = tau2 (rho/(rho-2) - rho 2^(2rho-5)/pi B((rho-1)/2,(rho-1)/2)^2),
 * the paper's Theorem 1, evaluated without cancellation (relative error a few
 * ulps for every rho > 2, see theory.c).
 * domain: rho > 2, 0 < tau2 < inf.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_theory_var_psi_e(double rho, double tau2, radvar_result *r);
RADVAR_API double radvar_theory_var_psi(double rho, double tau2);

/* The paper's first-order approximation Var[psi] ~ rho tau2 / (2 (rho-2)(rho-4)).
 * domain: rho > 4, 0 < tau2 < inf.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_theory_var_psi_approx_e(double rho, double tau2, radvar_result *r);
RADVAR_API double radvar_theory_var_psi_approx(double rho, double tau2);

/* Density and distribution function of X = psi^2 ~ Scale-inv-chi2(rho, tau2):
 * f(x) = (tau2 rho/2)^(rho/2) / Gamma(rho/2) x^-(1+rho/2) exp(-rho tau2/(2x)),
 * F(x) = Q(rho/2, rho tau2 / (2x)) (upper regularised incomplete gamma).
 * domain: rho > 0, 0 < tau2 < inf, x not NaN (x <= 0 gives 0).
 * exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_theory_pdf_psi2_e(double x, double rho, double tau2, radvar_result *r);
RADVAR_API double radvar_theory_pdf_psi2(double x, double rho, double tau2);
RADVAR_API int radvar_theory_cdf_psi2_e(double x, double rho, double tau2, radvar_result *r);
RADVAR_API double radvar_theory_cdf_psi2(double x, double rho, double tau2);

/* The inverse of Var[psi] in rho: the rho > 2 with Var[psi](rho, tau2) = var.
 * Var[psi] decreases strictly from +inf (rho -> 2) to 0 (rho -> inf), so the
 * root is unique; it is bracketed in log(rho - 2) in [-35, 40] and found by
 * Brent's method.  Used to estimate effective degrees of freedom.
 * domain: var > 0 with 2 + e^-35 <= rho <= 2 + e^40 (rho - 2 from 6.3e-16 to
 * 2.4e17; var from about 3e15 tau2 down to 2e-18 tau2), tau2 > 0.
 * exceptions: RADVAR_EDOM, RADVAR_EMAXITER. */
RADVAR_API int radvar_theory_rho_from_var_e(double var, double tau2, radvar_result *r);
RADVAR_API double radvar_theory_rho_from_var(double var, double tau2);

RADVAR_END_DECLS

#endif
