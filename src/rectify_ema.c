/* rectify_ema.c: the exact EMA rectification r_ema_exact, and every
 * rectification of radvar/rectify.h judged against the exact EMA variance.
 *
 * DESCRIPTION
 *   r_ema_exact(t) = sqrt(Var_EMA[psi_inf] / Var_EMA[psi_t]), both variances
 *   from the exact moments of radvar/exact.h (one-dimensional quadratures of
 *   the Laplace transform of v_t, for gradients N(mu, sigma^2)): the r that
 *   makes Var[r psi_t] equal the stationary variance, by construction.
 *   A rectification r is judged by ratio = Var[r psi_t] / Var_EMA[psi_inf]
 *   = r^2 Var_EMA[psi_t] / Var_EMA[psi_inf] (1: flat).
 *   Under a noise model the variances are radvar_exact_moments_ema_noise's,
 *   Var_EMA[psi_inf] is the target of src/rectify_noise.c, and r_mm joins.
 *
 * NOTES
 *   Var_EMA[psi_t] is infinite for t <= 2 (E[psi^2] needs three gradients):
 *   there the comparison reports var_t = inf and NaN for every r and ratio
 *   (no finite r makes an infinite variance finite), with RADVAR_SUCCESS.
 *   The analysis lived in the command-line program before; it is here so
 *   that a library user gets the same numbers as `radvar rectify`.
 *
 * REFERENCES
 *   L. Liu et al., On the Variance of the Adaptive Learning Rate and Beyond,
 *   ICLR 2020, eq. (7) and Theorem 1.
 */
#include <float.h>
#include <math.h>

#include "radvar/exact.h"
#include "radvar/noise.h"
#include "radvar/rectify.h"
#include "result.h"

static int bad_common(double beta2, double mu, double sigma)
{
    return !(beta2 > 0.0 && beta2 < 1.0) || !isfinite(mu) || !(sigma > 0.0) || !isfinite(sigma);
}

static int whole_step(double t)
{
    return isinf(t) ? t > 0 : t >= 1.0 && t == floor(t);
}

int radvar_rectify_ema_exact_e(double beta2, double t, double mu, double sigma, radvar_result *r)
{
    if (bad_common(beta2, mu, sigma) || !whole_step(t) || t < 3.0)
        RADVAR_DOMAIN_ERROR(r);
    radvar_exact_moments at_t, at_inf;
    int s_t = radvar_exact_moments_ema(beta2, t, mu, sigma, &at_t);
    int s_inf = radvar_exact_moments_ema(beta2, INFINITY, mu, sigma, &at_inf);
    int status = s_t != RADVAR_SUCCESS ? s_t : s_inf;
    if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER) {
        r->val = r->err = NAN;
        return status;
    }
    r->val = sqrt(at_inf.var_psi / at_t.var_psi);
    r->err = 0.5 * r->val * (at_t.abs_err / at_t.var_psi + at_inf.abs_err / at_inf.var_psi)
             + 2.0 * DBL_EPSILON * r->val;
    return status;
}

double radvar_rectify_ema_exact(double beta2, double t, double mu, double sigma)
{
    RADVAR_EVAL_RESULT(radvar_rectify_ema_exact_e(beta2, t, mu, sigma, &result));
}

int radvar_rectify_ema_compare_noise(double beta2, double t, double mu, double sigma,
                                     const radvar_noise *noise, double var_inf,
                                     radvar_rectify_comparison *out)
{
    *out = (radvar_rectify_comparison){
        .t = t, .var_t = NAN, .var_inf = var_inf, .abs_err = NAN,
        .r_paper = NAN, .r_sma_exact = NAN, .r_moment = NAN, .r_ema_exact = NAN,
        .ratio_paper = NAN, .ratio_sma_exact = NAN, .ratio_moment = NAN, .ratio_ema_exact = NAN,
        .r_mm = NAN, .ratio_mm = NAN};
    if (bad_common(beta2, mu, sigma) || !whole_step(t) || isinf(t) || !(var_inf > 0.0)
        || isinf(var_inf) || noise == NULL || radvar_noise_check(noise, NULL, 0) != RADVAR_SUCCESS)
        return RADVAR_EDOM;
    if (t < 3.0) { /* E[psi_t^2] is infinite: no rectification can flatten it */
        out->var_t = INFINITY;
        out->abs_err = 0.0;
        return RADVAR_SUCCESS;
    }
    radvar_exact_moments m;
    int status = radvar_exact_moments_ema_noise(beta2, t, mu, sigma, noise, &m);
    if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER)
        return status;
    out->var_t = m.var_psi;
    out->abs_err = m.abs_err;
    const double scale = m.var_psi / var_inf; /* ratio = r^2 scale */
    out->r_paper = radvar_rectify_paper(beta2, t);
    out->r_sma_exact = radvar_rectify_sma_exact(beta2, t);
    out->r_moment = radvar_rectify_moment(beta2, t);
    out->r_ema_exact = sqrt(var_inf / m.var_psi);
    out->r_mm = radvar_rectify_mm(beta2, t, mu, sigma, noise);
    out->ratio_paper = out->r_paper * out->r_paper * scale;
    out->ratio_sma_exact = out->r_sma_exact * out->r_sma_exact * scale;
    out->ratio_moment = out->r_moment * out->r_moment * scale;
    out->ratio_ema_exact = out->r_ema_exact * out->r_ema_exact * scale;
    out->ratio_mm = out->r_mm * out->r_mm * scale;
    return status;
}

int radvar_rectify_ema_compare(double beta2, double t, double mu, double sigma, double var_inf,
                               radvar_rectify_comparison *out)
{
    radvar_noise normal;
    radvar_noise_default(&normal);
    return radvar_rectify_ema_compare_noise(beta2, t, mu, sigma, &normal, var_inf, out);
}
