/* dof.c: degrees-of-freedom estimates of the EMA against its exact variance
 * (radvar/dof.h).  Moved from the command-line program so that the library
 * gives the numbers of `radvar dof`.
 *
 * NOTES
 *   For t <= 2, E[psi_t^2] is infinite (two Gaussian squares or fewer):
 *   var_exact is inf, the Theorem-1 values at rho_t and rho_moment (both <= 2
 *   there) are NaN, and so are rho_exact and the relative errors.
 */
#include <math.h>

#include "radvar/dof.h"
#include "radvar/exact.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"

int radvar_dof_compare(double beta2, double t, double mu, double sigma, radvar_dof_comparison *out)
{
    *out = (radvar_dof_comparison){
        .t = t, .var_exact = NAN, .abs_err = NAN, .rho_t = NAN, .var_at_rho_t = NAN,
        .rho_moment = NAN, .var_at_rho_moment = NAN, .rho_exact = NAN,
        .rel_err_rho_t = NAN, .rel_err_rho_moment = NAN};
    if (!(beta2 > 0.0 && beta2 < 1.0) || !(t >= 1.0) || isinf(t) || t != floor(t)
        || !isfinite(mu) || !(sigma > 0.0) || !isfinite(sigma))
        return RADVAR_EDOM;
    const double tau2 = 1.0 / (sigma * sigma);
    out->rho_t = radvar_schedule_rho_t(beta2, t);
    out->rho_moment = radvar_schedule_rho_moment(beta2, t);
    out->var_at_rho_t = radvar_theory_var_psi(out->rho_t, tau2);
    out->var_at_rho_moment = radvar_theory_var_psi(out->rho_moment, tau2);
    if (t < 3.0) {
        out->var_exact = INFINITY;
        out->abs_err = 0.0;
        return RADVAR_SUCCESS;
    }
    radvar_exact_moments m;
    int status = radvar_exact_moments_ema(beta2, t, mu, sigma, &m);
    if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER)
        return status;
    const double v = m.var_psi;
    out->var_exact = v;
    out->abs_err = m.abs_err;
    out->rho_exact = radvar_theory_rho_from_var(v, tau2);
    out->rel_err_rho_t = out->var_at_rho_t / v - 1.0;
    out->rel_err_rho_moment = out->var_at_rho_moment / v - 1.0;
    return status;
}
