/* rectify_noise.c: rectification under the noise models of radvar/noise.h
 * (radvar/rectify.h): the moment-matched rectification r_mm and the variance
 * a rectification aims at.
 *
 * DESCRIPTION
 *   r_mm(t) = sqrt(Var(rho_mm(inf)) / Var(rho_mm(t))), Var from Theorem 1
 *   (radvar_rectify_sma_exact_from_rho): the SMA model's exact ratio at the
 *   moment-matched dof of the model (radvar_noise_rho_mm).  For the i.i.d.
 *   models rho_mm = c rho_moment with c = 2 (sigma^2 + mu^2)^2 / Var[g^2] at
 *   every t, so r_mm is radvar_rectify_kurtosis at the kurtosis of g (what the
 *   optimizer's --rect kurtosis estimates online); for ar1 the correlations
 *   enter rho_mm(t) and rho_mm(inf) differently.
 *   The target: a rectification wants Var[r psi_t] = Var[psi_inf].  For the
 *   stationary models that is the exact variance of the stationary EMA under
 *   the model (radvar_exact_moments_ema_noise at t = inf).  Under decay the
 *   noise's scale sigma_t = sigma (1 + t/tau)^(-a) shrinks for ever, psi_t
 *   grows like 1/sigma_t, and Var[psi_inf] is infinite (a > 0): there is no
 *   fixed level to flatten to.  The target chosen is the variance the EMA
 *   would settle at if the scale stayed at its value at t: Var[psi_inf] of
 *   the stationary EMA of N(mu, sigma_t^2) gradients.  A ratio
 *   Var[r psi_t] / target below 1 then says that v_t still remembers the
 *   larger gradients of the past (psi_t is smaller and less variable than at
 *   the frozen scale), above 1 the opposite.  For decay, r_mm uses rho_mm(t)
 *   against the stationary Gaussian's rho_mm(inf) = rho_inf (the frozen
 *   scale's), consistently.
 */
#include <math.h>

#include "radvar/exact.h"
#include "radvar/noise.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "result.h"

static int whole_step(double t, int inf_ok)
{
    return isinf(t) ? (inf_ok && t > 0) : t >= 1.0 && t == floor(t);
}

/* no model: a bad argument (RADVAR_EINVAL), not a point outside the domain */
#define NO_MODEL(n, r)                                                         \
    do {                                                                       \
        if ((n) == NULL) {                                                     \
            (r)->val = (r)->err = NAN;                                         \
            return RADVAR_EINVAL;                                              \
        }                                                                      \
    } while (0)

static int bad_common(const radvar_noise *n, double beta2, double mu, double sigma)
{
    return n == NULL || radvar_noise_check(n, NULL, 0) != RADVAR_SUCCESS || !(beta2 > 0.0 && beta2 < 1.0)
           || !isfinite(mu) || !(sigma > 0.0) || !isfinite(sigma);
}

/* decay's scale sigma_t, or NaN below 1e-150 (2 a ln(1 + t/tau) > 690) */
static double decay_sigma(const radvar_noise *n, double sigma, double t)
{
    double l = n->a * log1p(t / n->tau);
    return 2.0 * l <= 690.0 ? sigma * exp(-l) : NAN;
}

int radvar_rectify_noise_target_e(double beta2, double t, double mu, double sigma,
                                  const radvar_noise *n, radvar_result *r)
{
    NO_MODEL(n, r);
    int decay = n->kind == RADVAR_NOISE_DECAY;
    if (bad_common(n, beta2, mu, sigma) || !whole_step(t, !decay))
        RADVAR_DOMAIN_ERROR(r);
    radvar_exact_moments m;
    int status;
    if (decay) {
        double s = decay_sigma(n, sigma, t);
        if (isnan(s))
            RADVAR_DOMAIN_ERROR(r);
        status = radvar_exact_moments_ema(beta2, INFINITY, mu, s, &m);
    } else {
        status = radvar_exact_moments_ema_noise(beta2, INFINITY, mu, sigma, n, &m);
    }
    if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER) {
        r->val = r->err = NAN;
        return status;
    }
    r->val = m.var_psi;
    r->err = m.abs_err;
    return status;
}

double radvar_rectify_noise_target(double beta2, double t, double mu, double sigma,
                                   const radvar_noise *n)
{
    RADVAR_EVAL_RESULT(radvar_rectify_noise_target_e(beta2, t, mu, sigma, n, &result));
}

int radvar_rectify_mm_e(double beta2, double t, double mu, double sigma, const radvar_noise *n,
                        radvar_result *r)
{
    NO_MODEL(n, r);
    int decay = n->kind == RADVAR_NOISE_DECAY;
    if (bad_common(n, beta2, mu, sigma) || !whole_step(t, 0))
        RADVAR_DOMAIN_ERROR(r);
    radvar_result at_t, at_inf;
    if (radvar_noise_rho_mm_e(n, beta2, t, mu, sigma, &at_t) != RADVAR_SUCCESS)
        RADVAR_DOMAIN_ERROR(r);
    if (decay) {
        if (radvar_schedule_rho_inf_e(beta2, &at_inf) != RADVAR_SUCCESS)
            RADVAR_DOMAIN_ERROR(r);
    } else if (radvar_noise_rho_mm_e(n, beta2, INFINITY, mu, sigma, &at_inf) != RADVAR_SUCCESS) {
        RADVAR_DOMAIN_ERROR(r);
    }
    int status = radvar_rectify_sma_exact_from_rho_e(at_t.val, at_inf.val, r);
    if (status == RADVAR_SUCCESS) /* the dof's own rounding, through d ln Var / d rho ~ 1/rho */
        r->err += r->val * (at_t.err / at_t.val + at_inf.err / at_inf.val);
    return status;
}

double radvar_rectify_mm(double beta2, double t, double mu, double sigma, const radvar_noise *n)
{
    RADVAR_EVAL_RESULT(radvar_rectify_mm_e(beta2, t, mu, sigma, n, &result));
}
