/* radvar/dof.h: how good are the degrees-of-freedom estimates of the EMA?
 *
 * The SMA model (radvar/theory.h, Theorem 1) treats psi_t^2 as
 * Scale-inv-chi2(rho, tau2): for the EMA of Gaussian gradients it needs an
 * estimate of rho.  This module judges the estimates against the exact EMA
 * variance of radvar/exact.h:
 *   rho_t       the paper's centre-of-mass match (radvar_schedule_rho_t);
 *   rho_moment  the second-moment match 1/sum w_i^2 (radvar_schedule_rho_moment);
 *   rho_exact   the rho at which Theorem 1 equals the exact variance
 *               (radvar_theory_rho_from_var): what a perfect estimate gives.
 * The model's scale is tau2 = 1/sigma^2 (exact for mu = 0; with mu != 0 the
 * relative errors include the effect of the mean on the variance).
 * Under a noise model (radvar/noise.h) a fourth estimate joins them:
 *   rho_mm      the moment-matched dof 2 E[X]^2 / Var[X] of X = 1/psi_t^2,
 *               from the model's kurtosis, correlations or scale path.
 */
#ifndef RADVAR_DOF_H
#define RADVAR_DOF_H

#include "radvar/common.h"
#include "radvar/noise.h"

RADVAR_BEGIN_DECLS

typedef struct {
    double t;
    double var_exact;         /* exact Var_EMA[psi_t]; inf for t <= 2 */
    double abs_err;           /* the quadrature's estimate of var_exact's absolute error */
    double rho_t, var_at_rho_t;           /* Theorem 1 at rho_t, tau2 = 1/sigma^2 */
    double rho_moment, var_at_rho_moment; /* Theorem 1 at rho_moment */
    double rho_exact;         /* Theorem 1 at rho_exact = var_exact; NaN for t <= 2 */
    double rel_err_rho_t;     /* var_at_rho_t / var_exact - 1 */
    double rel_err_rho_moment;/* var_at_rho_moment / var_exact - 1 */
    /* the moment-matched dof of the noise model (radvar_noise_rho_mm) and
     * Theorem 1 there with the matched scale tau2 = 1/E[X]
     * (radvar_noise_mean_square): the model's own scaled inverse chi-square;
     * var_at_rho_mm is NaN where rho_mm <= 2 (Theorem 1's domain, as for the
     * other estimates), e.g. rho_mm = 0 where the kurtosis is infinite */
    double rho_mm, var_at_rho_mm;
    double rel_err_rho_mm;    /* var_at_rho_mm / var_exact - 1 */
} radvar_dof_comparison;

/* Fill *out for the EMA at step t with gradients N(mu, sigma^2).  Fields whose
 * own domain excludes t are NaN (Theorem 1 needs rho > 2: NaN at t = 1, 2).
 * domain: 0 < beta2 < 1, t a whole number >= 1, mu finite, 0 < sigma < inf.
 * exceptions: RADVAR_EDOM (every field NaN), RADVAR_EMAXITER (the exact
 * quadrature short of its tolerance: values from the best found, abs_err
 * says how good), RADVAR_ENOMEM. */
RADVAR_API int radvar_dof_compare(double beta2, double t, double mu, double sigma,
                                  radvar_dof_comparison *out);

/* The same under a noise model (radvar/noise.h): var_exact from
 * radvar_exact_moments_ema_noise; radvar_dof_compare is this with the normal
 * model (the same bits).  The scale of Theorem 1 at rho_t, rho_moment and
 * rho_exact is tau2 = 1/sigma^2 for the stationary models; under decay it is
 * 1/(E[X] - mu^2) = 1/(sigma^2 sum w_i s_i^2), the EMA's own mean scale
 * (1/sigma^2 would charge the scale's drift to the dof).
 * domain: as radvar_dof_compare, a valid model, and for decay the domain of
 * radvar_exact_moments_ema_noise.  exceptions: as radvar_dof_compare. */
RADVAR_API int radvar_dof_compare_noise(double beta2, double t, double mu, double sigma,
                                        const radvar_noise *noise, radvar_dof_comparison *out);

RADVAR_END_DECLS

#endif
