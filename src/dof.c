/* dof.c: degrees-of-freedom estimates of the EMA against its exact variance
 * (radvar/dof.h).  Moved from the command-line program so that the library
 * gives the numbers of `radvar dof`.
 *
 * NOTES
 *   For t <= 2, E[psi_t^2] is infinite (two Gaussian squares or fewer):
 *   var_exact is inf, the Theorem-1 values at rho_t and rho_moment (both <= 2
 *   there) are NaN, and so are rho_exact and the relative errors.
 *   Under a noise model the exact variance is radvar_exact_moments_ema_noise's
 *   (the normal model calls radvar_exact_moments_ema: the same bits), and
 *   rho_mm comes with its own scale tau2 = 1/E[X], so that var_at_rho_mm is
 *   the variance of the scaled inverse chi-square matched to the first two
 *   moments of X = 1/psi_t^2 (with mu != 0 too).  Under decay the scale of
 *   the other estimates is the EMA's mean scale sigma^2 sum w_i s_i^2 rather
 *   than sigma^2: the noise has shrunk by step t, and the comparison is of
 *   the dof, not of the drift.
 */
#include <math.h>

#include "radvar/dof.h"
#include "radvar/exact.h"
#include "radvar/noise.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"

int radvar_dof_compare_noise(double beta2, double t, double mu, double sigma,
                             const radvar_noise *noise, radvar_dof_comparison *out)
{
    *out = (radvar_dof_comparison){
        .t = t, .var_exact = NAN, .abs_err = NAN, .rho_t = NAN, .var_at_rho_t = NAN,
        .rho_moment = NAN, .var_at_rho_moment = NAN, .rho_exact = NAN,
        .rel_err_rho_t = NAN, .rel_err_rho_moment = NAN, .rho_mm = NAN, .var_at_rho_mm = NAN,
        .rel_err_rho_mm = NAN};
    if (!(beta2 > 0.0 && beta2 < 1.0) || !(t >= 1.0) || isinf(t) || t != floor(t)
        || !isfinite(mu) || !(sigma > 0.0) || !isfinite(sigma) || noise == NULL
        || radvar_noise_check(noise, NULL, 0) != RADVAR_SUCCESS)
        return RADVAR_EDOM;
    radvar_result ex, mm;
    if (radvar_noise_mean_square_e(noise, beta2, t, mu, sigma, &ex) != RADVAR_SUCCESS
        || radvar_noise_rho_mm_e(noise, beta2, t, mu, sigma, &mm) != RADVAR_SUCCESS)
        return RADVAR_EDOM;
    const double tau2 = noise->kind == RADVAR_NOISE_DECAY ? 1.0 / (ex.val - mu * mu)
                                                           : 1.0 / (sigma * sigma);
    out->rho_t = radvar_schedule_rho_t(beta2, t);
    out->rho_moment = radvar_schedule_rho_moment(beta2, t);
    out->rho_mm = mm.val;
    out->var_at_rho_t = radvar_theory_var_psi(out->rho_t, tau2);
    out->var_at_rho_moment = radvar_theory_var_psi(out->rho_moment, tau2);
    out->var_at_rho_mm = radvar_theory_var_psi(out->rho_mm, 1.0 / ex.val);
    if (t < 3.0) {
        out->var_exact = INFINITY;
        out->abs_err = 0.0;
        return RADVAR_SUCCESS;
    }
    radvar_exact_moments m;
    int status = radvar_exact_moments_ema_noise(beta2, t, mu, sigma, noise, &m);
    if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER)
        return status;
    const double v = m.var_psi;
    out->var_exact = v;
    out->abs_err = m.abs_err;
    out->rho_exact = radvar_theory_rho_from_var(v, tau2);
    out->rel_err_rho_t = out->var_at_rho_t / v - 1.0;
    out->rel_err_rho_moment = out->var_at_rho_moment / v - 1.0;
    out->rel_err_rho_mm = out->var_at_rho_mm / v - 1.0;
    return status;
}

int radvar_dof_compare(double beta2, double t, double mu, double sigma, radvar_dof_comparison *out)
{
    radvar_noise normal;
    radvar_noise_default(&normal);
    return radvar_dof_compare_noise(beta2, t, mu, sigma, &normal, out);
}
