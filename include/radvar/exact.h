/* radvar/exact.h: exact moments of Adam's adaptive learning rate under the EMA,
 * with no Monte Carlo and no SMA approximation.
 *
 * X = 1/psi^2 = sum_i w_i g_i^2 with independent g_i ~ N(mu, sigma^2) and
 * weights w_i > 0; for the EMA at step t, w_i = (1-beta2) beta2^(t-i)/(1-beta2^t).
 * Its Laplace transform is
 *   L(s) = prod_i (1 + 2 s w_i sigma^2)^(-1/2) exp(-s w_i mu^2 / (1 + 2 s w_i sigma^2)),
 * and E[X^-1] = int_0^inf L(s) ds, E[X^-1/2] = pi^(-1/2) int_0^inf s^(-1/2) L(s) ds
 * give E[psi], E[psi^2] and Var[psi] by one-dimensional quadrature (GSL QAGIU).
 * See exact.c for the form that avoids the cancellation in Var[psi].
 *
 * Thread safety: no handles and no state (each call allocates its own
 * quadrature workspace); every function may be called from several threads
 * at once.
 */
#ifndef RADVAR_EXACT_H
#define RADVAR_EXACT_H

#include <stddef.h>

#include "radvar/common.h"
#include "radvar/noise.h"

RADVAR_BEGIN_DECLS

/* The domain beyond the mathematical one, where the quadratures are checked:
 * |mu| <= RADVAR_EXACT_MU_SIGMA_MAX sigma (beyond, psi is 1/|mu| to within
 * (sigma/mu)^2 and the integrands underflow), and for the EMA
 * beta2 >= RADVAR_EXACT_BETA2_MIN (the weights beta2^j underflow below). */
#define RADVAR_EXACT_MU_SIGMA_MAX 1e30
#define RADVAR_EXACT_BETA2_MIN 1e-50

typedef struct {
    double mean_psi;  /* E[psi]   (needs 2 or more terms) */
    double mean_psi2; /* E[psi^2] (needs 3 or more terms) */
    double var_psi;   /* Var[psi] (needs 3 or more terms) */
    double abs_err;   /* estimated absolute error of var_psi */
    size_t evaluations; /* integrand evaluations used */
} radvar_exact_moments;

/* Moments of psi = (sum_i w_i g_i^2)^(-1/2) for arbitrary weights w[0..n).
 * domain: every w_i > 0 and finite, n >= 3 (n = 2: E[psi] only, the rest NaN
 * with RADVAR_EDOM), mu finite, 0 < sigma < inf, |mu| <= 1e30 sigma.
 * The moments are computed in scaled units (psi scales as 1/sigma at fixed
 * mu/sigma), so any sigma works whose moments are normal doubles: one that
 * overflows or falls below DBL_MIN is NaN with RADVAR_EDOM.
 * exceptions: RADVAR_EDOM, RADVAR_EMAXITER (quadrature did not reach its
 * tolerance; values are the best found, abs_err says how good; a moment the
 * quadrature cannot resolve, non-positive or NaN, is NaN), RADVAR_ENOMEM. */
RADVAR_API int radvar_exact_moments_weights(const double *w, size_t n, double mu, double sigma,
                                 radvar_exact_moments *r);

/* The same for the EMA at step t (t = INFINITY: the stationary EMA), in
 * O(terms with 2 s w_i sigma^2 / E[X] >= 0.05) per integrand evaluation: the
 * small-weight tail is summed in closed form.
 * domain: 1e-50 <= beta2 < 1, t a whole number >= 3 (t = 2: E[psi] only) or
 * inf, mu and sigma as above.  exceptions: as above. */
RADVAR_API int radvar_exact_moments_ema(double beta2, double t, double mu, double sigma,
                             radvar_exact_moments *r);

/* The same under a noise model (radvar/noise.h): the gradient of age j is
 * g = mu + sigma e with e from the model.  normal calls radvar_exact_moments_ema
 * (bit for bit the same results).  The method for each model is described at
 * the bottom of exact.c; the cost per call is about 1 to 10 ms (ar1: O(t) per
 * integrand evaluation; decay: O(t) time and memory).
 * domain: a valid model, t a whole number >= 3 (t = 2: E[psi]
 * only) or inf (not for decay; ar1 keeps the ages with beta2^j >= 1e-20, at
 * most 2^24), t <= RADVAR_NOISE_DECAY_TMAX and 2 a ln(1 + t/tau) <= 690 for
 * decay (no scale^2 below 1e-300), 1e-50 <= beta2 < 1, mu and sigma as
 * above.
 * exceptions: RADVAR_EDOM, RADVAR_EMAXITER, RADVAR_ENOMEM. */
RADVAR_API int radvar_exact_moments_ema_noise(double beta2, double t, double mu, double sigma,
                                              const radvar_noise *noise, radvar_exact_moments *r);

RADVAR_END_DECLS

#endif
