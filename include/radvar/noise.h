/* radvar/noise.h: models of the gradient noise behind Adam's second moment,
 * and the model facts that the variance analysis needs.
 *
 * A model describes the gradients g_1, g_2, ... fed to the EMA
 * v_t = beta2 v_(t-1) + (1 - beta2) g_t^2 as g_t = mu + sigma e_t, where e_t
 * is the noise, of unit variance before sigma scales it:
 *
 *   SPEC                  the noise e_t
 *   normal                Z, standard normal (the default)
 *   student:nu=V          sqrt((V-2)/V) T_V, Student t with V > 2 degrees of freedom
 *   laplace               L ~ Laplace(0, 1/sqrt(2))
 *   mixture:p=P,k=K       c Z S, S = K with probability P and 1 otherwise,
 *                         c = 1/sqrt(1 - P + P K^2); 0 < P < 1, K > 0
 *   ar1:phi=F             e_t = F e_(t-1) + sqrt(1-F^2) Z_t, e_1 ~ N(0, 1)
 *                         (stationary Gaussian AR(1)); |F| < 1
 *   decay:a=A,tau=T       (1 + t/T)^(-A) Z_t, a deterministic decay of the
 *                         noise scale with the step t = 1, 2, ...; A >= 0, T > 0
 *
 * The first four are independent and identically distributed; all models are
 * symmetric about mu.  The exact moments of psi_t under these models are in
 * radvar/exact.h (radvar_exact_moments_ema_noise).
 *
 * Thread safety: no handles and no state; every function may be called from
 * several threads at once.
 */
#ifndef RADVAR_NOISE_H
#define RADVAR_NOISE_H

#include <stddef.h>

#include "radvar/common.h"

RADVAR_BEGIN_DECLS

typedef enum {
    RADVAR_NOISE_NORMAL = 0,
    RADVAR_NOISE_STUDENT,
    RADVAR_NOISE_LAPLACE,
    RADVAR_NOISE_MIXTURE,
    RADVAR_NOISE_AR1,
    RADVAR_NOISE_DECAY
} radvar_noise_kind;

/* A model and its parameters; only the fields of its kind are read. */
typedef struct {
    radvar_noise_kind kind;
    double nu;       /* student: degrees of freedom, > 2 */
    double p, k;     /* mixture: probability 0 < p < 1 of the scale k > 0 */
    double phi;      /* ar1: autocorrelation, |phi| < 1 */
    double a, tau;   /* decay: exponent a >= 0, time scale tau > 0 */
} radvar_noise;

/* The longest run (t, in steps) the decay model accepts: its moments sum over
 * every step, O(t) time and memory. */
#define RADVAR_NOISE_DECAY_TMAX 1048576.0

/* Set *n to the normal model (every parameter field zero). */
RADVAR_API void radvar_noise_default(radvar_noise *n);

/* Check a model's kind and parameters.  On RADVAR_EINVAL, writes a one-line
 * reason naming the parameter and its valid range into why (if why_len > 0;
 * truncated to why_len - 1 characters, always terminated).
 * exceptions: RADVAR_EINVAL. */
RADVAR_API int radvar_noise_check(const radvar_noise *n, char *why, size_t why_len);

/* Parse a SPEC string (the table above): a model name, then, for models with
 * parameters, ':' and name=value pairs separated by ',' in any order, each
 * parameter exactly once; values are finite decimal numbers (strtod syntax,
 * no spaces).  On error *n is unchanged and why holds a one-line reason that
 * names the offending name or parameter and its valid range.
 * exceptions: RADVAR_EINVAL (unknown model or parameter, missing or repeated
 * parameter, value out of range, not a number, not finite, trailing text). */
RADVAR_API int radvar_noise_parse(const char *spec, radvar_noise *n, char *why, size_t why_len);

/* Write the canonical SPEC of *n into buf (numbers with %.17g, parameters in
 * the order of the table), which radvar_noise_parse reads back to the same
 * model.  exceptions: RADVAR_EINVAL (invalid model, or buf too small: then buf
 * holds the truncated text, terminated if len > 0). */
RADVAR_API int radvar_noise_format(const radvar_noise *n, char *buf, size_t len);

/* The short name of a kind ("normal", "student", ...); "?" for an unknown one. */
RADVAR_API const char *radvar_noise_name(radvar_noise_kind kind);

/* The kurtosis E[e^4] of the unit-variance noise e: 3 for normal, ar1 and
 * decay (Gaussian at each step), 3 + 6/(nu-4) for student with nu > 4 and
 * +inf for nu <= 4, 6 for laplace, 3 (1-p+p k^4)/(1-p+p k^2)^2 for mixture.
 * domain: a valid model (NaN otherwise). */
RADVAR_API double radvar_noise_kurtosis(const radvar_noise *n);

/* The moment-matched degrees of freedom 2 E[X]^2 / Var[X] of
 * X = sum_i w_i g_i^2, w_i = (1-beta2) beta2^(t-i) / (1-beta2^t), i = 1..t,
 * with g_i = mu + sigma e_i from the model: the rho of the scaled chi-square
 * with the same mean and variance as X.  In closed form:
 *  - i.i.d. models: Var[g^2] = sigma^4 (kurtosis - 1) + 4 mu^2 sigma^2 (odd
 *    moments vanish), so rho_mm = rho_moment 2 (sigma^2 + mu^2)^2 / Var[g^2]
 *    with rho_moment = 1/sum w_i^2 = radvar_rho_moment(beta2, t); for the
 *    normal model with mu = 0 this is radvar_rho_moment itself, bit for bit;
 *  - ar1: Cov(g_i^2, g_j^2) = 2 sigma^4 F^(2|i-j|) + 4 mu^2 sigma^2 F^|i-j|,
 *    the double sums summed as geometric series in closed form (O(1));
 *  - decay: sums over the t steps of the scale path, an O(t) loop.
 * Where the kurtosis is infinite (student with nu <= 4) Var[X] is infinite
 * and the value is 0, the limit of 2 E[X]^2 / Var[X], with RADVAR_SUCCESS.
 * domain: a valid model, 0 <= beta2 < 1, t >= 1 (t = inf: the stationary
 * EMA) for the i.i.d. models; t a whole number >= 1 or inf for ar1; t a whole
 * number in [1, RADVAR_NOISE_DECAY_TMAX] for decay, with the smallest scale
 * (1 + t/tau)^(-a) above 1e-150 (2 a ln(1 + t/tau) <= 690); mu finite,
 * 0 < sigma < inf.  exceptions: RADVAR_EINVAL (n NULL), RADVAR_EDOM. */
RADVAR_API int radvar_noise_rho_mm_e(const radvar_noise *n, double beta2, double t, double mu,
                          double sigma, radvar_result *r);
RADVAR_API double radvar_noise_rho_mm(const radvar_noise *n, double beta2, double t, double mu,
                           double sigma);

/* E[X] = E[1/psi_t^2] for X = sum_i w_i g_i^2 (the EMA's bias-corrected
 * v_hat_t): mu^2 + sigma^2 for the stationary models, and for decay
 * mu^2 + sigma^2 sum_i w_i (1 + i/tau)^(-2a), an O(t) sum.  It sets the
 * scale of the scaled-inverse-chi-square model of psi_t^2 (tau2 = 1/E[X]).
 * domain: as radvar_noise_rho_mm (t >= 1, whole for ar1 and decay; decay
 * not at t = inf).  exceptions: RADVAR_EINVAL (n NULL), RADVAR_EDOM. */
RADVAR_API int radvar_noise_mean_square_e(const radvar_noise *n, double beta2, double t, double mu,
                                          double sigma, radvar_result *r);
RADVAR_API double radvar_noise_mean_square(const radvar_noise *n, double beta2, double t, double mu,
                                           double sigma);

RADVAR_END_DECLS

#endif
