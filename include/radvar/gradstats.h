/* radvar/gradstats.h: statistics of a logged series of gradients -- is one
 * coordinate's gradient noise like the model the variance analysis assumes
 * (i.i.d. Gaussian)?
 *
 * For a series x_1 .. x_n (one coordinate, one value per step):
 *   mean, sd            sample mean, standard deviation with n - 1;
 *   skewness, kurtosis  m3/m2^(3/2) and m4/m2^2 of the population central
 *                       moments m_k = sum (x - mean)^k / n (kurtosis 3 for a
 *                       Gaussian);
 *   lag1                sum (x_t - mean)(x_{t+1} - mean) / sum (x_t - mean)^2;
 *   hill, hill_k        Hill's estimator of the tail index alpha of |x - mean|
 *                       from its k = max(10, floor(n/20)) largest values (the
 *                       top 5%): alpha = k / sum_{i<=k} ln(X_(i)/X_(k+1)); a
 *                       Student-t with nu dof has alpha = nu, a Gaussian an
 *                       alpha that grows with n (no power tail);
 *   normality_k2, _p    D'Agostino and Pearson's omnibus test (the skewness
 *                       and kurtosis z-scores squared and summed, chi-square
 *                       with 2 dof), as scipy.stats.normaltest.
 * Values that need more data than given are NaN: skewness and kurtosis need
 * n >= 2 and a non-constant series, lag1 n >= 2, hill n >= 11, the normality
 * test n >= 20.
 *
 * REFERENCES
 *   R. B. D'Agostino, A. Belanger, R. B. D'Agostino Jr., A suggestion for using
 *   powerful and informative tests of normality, Am. Stat. 44 (1990).
 *   B. M. Hill, A simple general approach to inference about the tail of a
 *   distribution, Ann. Stat. 3 (1975).
 */
#ifndef RADVAR_GRADSTATS_H
#define RADVAR_GRADSTATS_H

#include <stddef.h>
#include <stdint.h>

#include "radvar/common.h"
#include "radvar/noise.h"

RADVAR_BEGIN_DECLS

typedef struct {
    double n, mean, sd, skewness, kurtosis, lag1;
    double hill, hill_k;
    double normality_k2, normality_p;
} radvar_gradstats;

/* The statistics of x[0..n).  exceptions: RADVAR_EINVAL (n = 0, x NULL),
 * RADVAR_ENONFINITE (a NaN or infinite value), RADVAR_ENOMEM; every field is
 * NaN then. */
RADVAR_API int radvar_gradstats_describe(const double *x, size_t n, radvar_gradstats *out);

/* Hill's estimator of the tail index of |x - center| from the k largest
 * values (1 <= k < n); NaN when X_(k+1) = 0.  exceptions: RADVAR_EINVAL,
 * RADVAR_ENOMEM. */
RADVAR_API int radvar_gradstats_hill_e(const double *x, size_t n, double center, size_t k,
                                       radvar_result *r);

/* D'Agostino's skewness and Anscombe-Glynn's kurtosis z-scores from the
 * population skewness g1 and kurtosis b2 of n values, and the omnibus
 * K^2 = z_skew^2 + z_kurt^2 with its p-value exp(-K^2/2).
 * domain: n >= 20 (the kurtosis test's approximation), finite g1, b2 > 0.
 * exceptions: RADVAR_EDOM (NaN values). */
RADVAR_API int radvar_gradstats_normality_e(double n, double g1, double b2, double *z_skew,
                                            double *z_kurt, double *k2, double *p);


/* ---- noise models fitted to a series ----
 *
 * Which of the noise models of radvar/noise.h describes a coordinate's
 * gradients best?  Each model says g_i = mu + sigma e_i with e of unit
 * variance; its fit to x[0..n) (taken at the steps t[0..n), t = 1, 2, ...
 * when t is NULL) is:
 *   normal     mu = the mean, sigma = the population standard deviation
 *              sqrt(m2): the maximum-likelihood (ML) estimates;
 *   student    mu, sigma as for normal; nu by ML of the standardised series
 *              z = (x - mu)/sigma under sqrt((nu-2)/nu) T_nu, nu in
 *              [RADVAR_GRADSTATS_NU_MIN, RADVAR_GRADSTATS_NU_MAX];
 *   laplace    mu, sigma as for normal (no shape parameter);
 *   mixture    mu, sigma as for normal; (p, k) by ML under c Z S, with the
 *              wider component named k >= 1 (p, k and 1 - p, 1/k are the same
 *              model), k in [1, RADVAR_GRADSTATS_K_MAX];
 *   ar1        mu, sigma as for normal; phi by ML under the stationary
 *              Gaussian AR(1) of unit variance (the exact likelihood, the
 *              first value included), |phi| <= RADVAR_GRADSTATS_PHI_MAX;
 *   decay      mu = the mean; sigma (the scale at t = 0), a >= 0 and tau > 0
 *              by ML under sigma (1 + t/tau)^(-a) Z (sigma in closed form for
 *              each (a, tau)), tau in [RADVAR_GRADSTATS_TAU_MIN,
 *              RADVAR_GRADSTATS_TAU_MAX] times the last step, a <=
 *              RADVAR_GRADSTATS_A_MAX.
 * Holding mu and sigma at their moment estimates for the shape models makes
 * every fit but decay a profile of the normal one: each but laplace nests
 * the normal model (nu -> inf, k -> 1, phi = 0, a = 0), so its
 * log-likelihood is not below the normal's (where the maximum is the normal
 * limit, the fit returns it: k = 1 (p = 0.5), a = 0 (tau = the last step),
 * nu = RADVAR_GRADSTATS_NU_MAX, whose log-likelihood is within about
 * n/NU_MAX of the normal's), and the shape parameters alone decide.  The log-likelihood is that of x (the density of
 * x, with the Jacobian of the scale), so that all six compare.
 * Optimisation: a grid over the (transformed) shape parameters, then Brent
 * (one parameter) or Nelder-Mead restarted once (two), to a relative
 * tolerance of about 1e-10 in the transformed parameters.
 * The best model is the one with the smallest BIC = -2 loglik + params ln n
 * (params counts mu and sigma): BIC, not AIC, because it is consistent (with
 * the true model among the six, it is chosen with probability -> 1 as n
 * grows) and it asks for strong evidence before it leaves the Gaussian model
 * the theory assumes, where AIC's fixed penalty of 2 a parameter picks a
 * richer model for about 16% of Gaussian series (chi-square with 1 dof above
 * 2).  AIC is reported too.
 */
#define RADVAR_GRADSTATS_MODELS 6        /* the kinds of radvar_noise_kind */
#define RADVAR_GRADSTATS_NU_MIN 2.01
#define RADVAR_GRADSTATS_NU_MAX 1e6
#define RADVAR_GRADSTATS_K_MAX 1e3
#define RADVAR_GRADSTATS_PHI_MAX 0.9999
#define RADVAR_GRADSTATS_A_MAX 50.0
#define RADVAR_GRADSTATS_TAU_MIN 1e-3
#define RADVAR_GRADSTATS_TAU_MAX 1e6
#define RADVAR_GRADSTATS_FIT_NMIN 10     /* the shortest series fitted */

typedef struct {
    radvar_noise model;  /* the kind and its shape parameters */
    double mu, sigma;    /* g = mu + sigma e */
    double loglik;       /* the maximised log-likelihood of x */
    double params;       /* free parameters, mu and sigma included */
    double aic, bic;     /* -2 loglik + 2 params, -2 loglik + params ln n */
} radvar_gradstats_fit;

/* Fit one model (kind) to x[0..n) at the steps t[0..n) (NULL: 1, 2, ..., n;
 * only decay reads them).
 * domain: n >= RADVAR_GRADSTATS_FIT_NMIN, x finite and not constant, every
 * t finite and >= 0 (decay).  exceptions: RADVAR_EINVAL (NULL x, an unknown
 * kind), RADVAR_ENONFINITE, RADVAR_EDOM, RADVAR_ENOMEM (every field NaN);
 * RADVAR_EMAXITER (the optimiser did not meet its tolerance within its cap:
 * the best values found are returned). */
RADVAR_API int radvar_gradstats_fit_model(const double *x, const double *t, size_t n,
                                          radvar_noise_kind kind, radvar_gradstats_fit *out);

typedef struct {
    radvar_gradstats_fit model[RADVAR_GRADSTATS_MODELS]; /* every fit, by kind */
    radvar_noise_kind best;  /* the smallest BIC */
    double delta_bic;        /* BIC(normal) - BIC(best) >= 0: the evidence against
                                the Gaussian model (above 10: very strong) */
} radvar_gradstats_fits;

/* Fit all six models and choose by BIC.  domain, exceptions: as
 * radvar_gradstats_fit_model (RADVAR_EMAXITER if any fit has it). */
RADVAR_API int radvar_gradstats_fit_all(const double *x, const double *t, size_t n,
                                        radvar_gradstats_fits *out);

/* ---- histograms of log2 |x| ----
 * Bin b counts the x with floor(log2 |x|) = b, for b from RADVAR_LOG2_BIN_MIN
 * (-149, float32's smallest subnormal 2^-149) to RADVAR_LOG2_BIN_MAX (127,
 * float32's largest binade), found exactly with frexp; exact zeros are
 * counted apart.  Every float32 value lands in its own bin; a double beyond
 * float32's range is counted in the end bin on its side (below 2^-149 in
 * bin -149, from 2^128 in bin 127).  NaN and infinite values are counted in
 * *nonfinite (may be NULL).  The counts are added to (not reset). */
#define RADVAR_LOG2_BIN_MIN (-149)
#define RADVAR_LOG2_BIN_MAX 127
#define RADVAR_LOG2_BINS (RADVAR_LOG2_BIN_MAX - RADVAR_LOG2_BIN_MIN + 1)
RADVAR_API void radvar_gradstats_log2_hist_f32(const float *x, size_t n,
                                               uint64_t counts[RADVAR_LOG2_BINS], uint64_t *zeros,
                                               uint64_t *nonfinite);
RADVAR_API void radvar_gradstats_log2_hist_f64(const double *x, size_t n,
                                               uint64_t counts[RADVAR_LOG2_BINS], uint64_t *zeros,
                                               uint64_t *nonfinite);
/* The same for |after - before| (the update of a parameter vector), the
 * difference taken in double (exact for float32 values of close magnitude,
 * and always in the right binade but for the end bins). */
RADVAR_API void radvar_gradstats_log2_hist_diff_f32(const float *before, const float *after,
                                                    size_t n, uint64_t counts[RADVAR_LOG2_BINS],
                                                    uint64_t *zeros, uint64_t *nonfinite);

/* ---- which coordinates to log ----
 * Choose k distinct coordinates from parameter tensors (layers) of sizes
 * size[0..layers): round-robin over the layers (the first coordinate from
 * layer 0, the next from layer 1, ...; a layer with every coordinate taken is
 * passed over), each an index uniform in its layer from
 * radvar_rng_uniform_bits(seed, RADVAR_GRADSTATS_COORD_STREAM + layer, j),
 * j = 0, 1, ... per layer, an index drawn before redrawn.  layer[i] and
 * index[i] receive coordinate i; the choice depends only on (seed, sizes, k)
 * and the first k' < k coordinates are those chosen for k'.
 * domain: 1 <= k <= sum of sizes, layers >= 1.
 * exceptions: RADVAR_EINVAL, RADVAR_EMAXITER (a layer's draws kept repeating
 * taken indices: more than 64 times its size in draws), RADVAR_ENOMEM. */
#define RADVAR_GRADSTATS_COORD_STREAM 2000000u
RADVAR_API int radvar_gradstats_choose_coords(uint64_t seed, const size_t *size, size_t layers,
                                              size_t k, size_t *layer, size_t *index);

RADVAR_END_DECLS

#endif
