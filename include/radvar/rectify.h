/* radvar/rectify.h: every rectification of Adam's adaptive learning rate, and
 * the threshold conventions that decide when RAdam applies one.  This module
 * is the one copy of these formulas: the schedule table, the exact analysis,
 * the simulations and the optimizer all call it.
 *
 * A rectification r multiplies psi_t so that Var[r psi_t] stays at the value
 * of the stationary EMA, Var[psi_inf].  They differ in the model of psi_t:
 *   paper      r_t of Liu et al. (eq. 7): the first-order approximation of
 *              the SMA model at the dof rho_t (the centre-of-mass match);
 *   sma_exact  sqrt(Var(rho_inf)/Var(rho_t)) with Var from Theorem 1: the
 *              SMA model at rho_t, exactly.  It flattens the SMA model, not
 *              the EMA: rho_t underestimates the EMA's dof mid-run;
 *   moment     sqrt(Var(rho_inf)/Var(rho_moment)) with Theorem 1 at the
 *              second-moment dof rho_moment = 1/sum w_i^2: flattens the
 *              variance of the EMA of Gaussian gradients to within about 1%
 *              (measured with the exact module), at the cost of a closed form;
 *   kurtosis   the SMA model at the moment-matched dof of non-Gaussian noise:
 *              X = sum w_i g_i^2 has 2 E[X]^2/Var[X] = rho_moment 2/(kappa-1)
 *              for i.i.d. g with kurtosis kappa = E g^4/(E g^2)^2 (3 for a
 *              centred Gaussian), so the dof of every step shrink by the same
 *              factor c = 2/(kappa-1); r = sqrt(Var(c rho_inf)/Var(c rho_moment)).
 *              The optimizer estimates kappa per coordinate online;
 *   ema_exact  sqrt(Var_EMA[psi_inf]/Var_EMA[psi_t]) from the exact EMA
 *              moments (radvar/exact.h): flat by construction, for given
 *              mu and sigma, at the cost of two quadratures.
 * The plain forms return NaN outside the domain.
 *
 * Thread safety: no handles and no state (the named thresholds are constant
 * data); every function may be called from several threads at once.
 */
#ifndef RADVAR_RECTIFY_H
#define RADVAR_RECTIFY_H

#include <stdint.h>

#include "radvar/common.h"
#include "radvar/noise.h"

RADVAR_BEGIN_DECLS

typedef enum {
    RADVAR_RECTIFY_PAPER = 0,
    RADVAR_RECTIFY_SMA_EXACT = 1,
    RADVAR_RECTIFY_MOMENT = 2,
    RADVAR_RECTIFY_KURTOSIS = 3
} radvar_rectify_kind;

/* The name of a kind ("paper", "sma-exact", "moment", "kurtosis"), and back;
 * from_name returns RADVAR_EINVAL for an unknown name. */
RADVAR_API const char *radvar_rectify_kind_name(radvar_rectify_kind kind);
RADVAR_API int radvar_rectify_kind_from_name(const char *name, radvar_rectify_kind *kind);

/* The paper's term (eq. 7) from the degrees of freedom:
 * r = sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t)).
 * domain: rho_t > 4, rho_inf > 4 (rho_t may be inf).  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_rectify_paper_from_rho_e(double rho_t, double rho_inf, radvar_result *r);
RADVAR_API double radvar_rectify_paper_from_rho(double rho_t, double rho_inf);

/* r_t at (beta2, t): radvar_rectify_paper_from_rho(rho_t, rho_inf).
 * domain: rho_t > 4 (so beta2 > 0.6), t >= 1.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_rectify_paper_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_rectify_paper(double beta2, double t);

/* The SMA model exactly: sqrt(Var[psi](rho_inf) / Var[psi](rho)), Var from
 * Theorem 1; and at (beta2, t) with rho = rho_t.
 * domain: rho > 2, rho_inf > 2 (beta2 > 1/3).  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_rectify_sma_exact_from_rho_e(double rho, double rho_inf, radvar_result *r);
RADVAR_API double radvar_rectify_sma_exact_from_rho(double rho, double rho_inf);
RADVAR_API int radvar_rectify_sma_exact_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_rectify_sma_exact(double beta2, double t);

/* The SMA model at the second-moment dof: sqrt(Var(rho_inf)/Var(rho_moment)).
 * domain: rho_moment > 2 (t >= 3 for beta2 near 1), beta2 > 1/3.
 * exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_rectify_moment_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_rectify_moment(double beta2, double t);

/* The kurtosis-aware rectification: with c = 2/(kappa-1), the SMA model's
 * exact ratio sqrt(Var(c rho_inf)/Var(c rho)) at rho = rho_moment(t); kappa =
 * 3 gives radvar_rectify_moment.  The _from_rho form takes rho_moment(t) and
 * rho_inf already computed (the optimizer calls it per coordinate).
 * domain: 1 < kappa < inf, c rho > 2, beta2 > 1/3.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_rectify_kurtosis_from_rho_e(double rho, double rho_inf, double kappa,
                                                  radvar_result *r);
RADVAR_API double radvar_rectify_kurtosis_from_rho(double rho, double rho_inf, double kappa);
RADVAR_API int radvar_rectify_kurtosis_e(double beta2, double t, double kappa, radvar_result *r);
RADVAR_API double radvar_rectify_kurtosis(double beta2, double t, double kappa);

/* The rectification of `kind` at (beta2, t) (kurtosis at kappa = 3, i.e. the
 * Gaussian; ema_exact has its own function,
 * below, since it needs mu and sigma). */
RADVAR_API int radvar_rectify_e(radvar_rectify_kind kind, double beta2, double t, radvar_result *r);
RADVAR_API double radvar_rectify(radvar_rectify_kind kind, double beta2, double t);

/* The exact EMA rectification (src/rectify_ema.c):
 * sqrt(Var_EMA[psi_inf] / Var_EMA[psi_t]) from the exact moments of
 * radvar/exact.h for gradients N(mu, sigma^2) (two quadratures).
 * domain: 0 < beta2 < 1, t a whole number >= 3 or inf (Var_EMA[psi_t] is
 * infinite for t <= 2), mu finite, 0 < sigma < inf.
 * exceptions: RADVAR_EDOM, RADVAR_EMAXITER (a quadrature short of its
 * tolerance: the value is the best found, err says how good), RADVAR_ENOMEM. */
RADVAR_API int radvar_rectify_ema_exact_e(double beta2, double t, double mu, double sigma,
                                          radvar_result *r);
RADVAR_API double radvar_rectify_ema_exact(double beta2, double t, double mu, double sigma);

/* Every rectification at step t, judged against the exact EMA variance:
 * r_X is the rectification X at (beta2, t) (paper, sma_exact, moment as
 * above, ema_exact = sqrt(var_inf / var_t)), and
 * ratio_X = Var[r_X psi_t] / Var_EMA[psi_inf] = r_X^2 var_t / var_inf
 * (1 is a perfectly flat variance).  NaN where X is not defined at t. */
typedef struct {
    double t;
    double var_t;   /* exact Var_EMA[psi_t]: inf for t <= 2 (then every r and ratio is NaN) */
    double var_inf; /* Var_EMA[psi_inf], as given */
    double abs_err; /* the quadrature's estimate of the absolute error of var_t */
    double r_paper, r_sma_exact, r_moment, r_ema_exact;
    double ratio_paper, ratio_sma_exact, ratio_moment, ratio_ema_exact;
    double r_mm, ratio_mm; /* radvar_rectify_mm under the noise model (the
                              normal model in radvar_rectify_ema_compare) */
} radvar_rectify_comparison;

/* Fill *out at step t given the stationary variance var_inf (the var_psi of
 * radvar_exact_moments_ema(beta2, INFINITY, mu, sigma, ...), computed once
 * for every t).  domain: 0 < beta2 < 1, t a whole number >= 1, mu finite,
 * 0 < sigma < inf, 0 < var_inf < inf.
 * exceptions: RADVAR_EDOM (every field NaN), RADVAR_EMAXITER (as for
 * radvar_rectify_ema_exact_e), RADVAR_ENOMEM. */
RADVAR_API int radvar_rectify_ema_compare(double beta2, double t, double mu, double sigma,
                                          double var_inf, radvar_rectify_comparison *out);

/* The same under a noise model (radvar/noise.h): var_t from
 * radvar_exact_moments_ema_noise, var_inf the target
 * radvar_rectify_noise_target(beta2, t, mu, sigma, noise) (for a stationary
 * model the same at every t; for decay that of step t), r_ema_exact =
 * sqrt(var_inf / var_t), and r_mm = radvar_rectify_mm.  With the normal model
 * this is radvar_rectify_ema_compare, bit for bit.
 * domain: as radvar_rectify_ema_compare, a valid model (decay: in the domain
 * of radvar_exact_moments_ema_noise).  exceptions: as radvar_rectify_ema_compare. */
RADVAR_API int radvar_rectify_ema_compare_noise(double beta2, double t, double mu, double sigma,
                                                const radvar_noise *noise, double var_inf,
                                                radvar_rectify_comparison *out);

/* When RAdam rectifies: rho_t > rho_min (RADVAR_CMP_GT) or
 * rho_t >= rho_min (RADVAR_CMP_GE). */
typedef enum { RADVAR_CMP_GT = 0, RADVAR_CMP_GE = 1 } radvar_rectify_cmp;

typedef struct {
    char name[16];
    double rho_min;
    radvar_rectify_cmp cmp;
} radvar_rectify_threshold;

/* The named conventions: the paper (rho_t > 4), the authors' official code
 * (rho_t >= 5; rho_t > 5 in its first release) and PyTorch's
 * torch.optim.RAdam (rho_t > 5). */
RADVAR_API extern const radvar_rectify_threshold radvar_rectify_threshold_paper;
RADVAR_API extern const radvar_rectify_threshold radvar_rectify_threshold_official;
RADVAR_API extern const radvar_rectify_threshold radvar_rectify_threshold_pytorch;

/* 1 when the convention rectifies at this rho_t, 0 otherwise (and for NaN). */
RADVAR_API int radvar_rectify_threshold_applies(const radvar_rectify_threshold *th, double rho_t);

/* The first step t at which th applies (rho_t increases with t), found by
 * doubling and bisection (at most 106 evaluations of rho_t).
 * exceptions: RADVAR_EDOM with *t_first = 0 when beta2 is outside [0, 1) or
 * the convention never rectifies (rho_inf not beyond the threshold, or only
 * after 2^53 steps). */
RADVAR_API int radvar_rectify_first_step(double beta2, const radvar_rectify_threshold *th,
                                         uint64_t *t_first);

/* The effective warmup length sum_{t>=1} (1 - w_t) of a rectification used as
 * a warmup (Ma & Yarats 2021, eq. 4): w_t = 0 before th applies, r_t of
 * `kind` after.  1 - r_t decays like t beta2^t: the terms are summed one by
 * one until the geometric bound of the tail is below 1e-16 of the sum, or
 * for at most 16384 steps after the threshold; the smooth tail beyond is
 * summed by the Euler-Maclaurin formula with Gauss-Legendre quadrature.
 * Relative error a few 1e-16 times the terms summed; at most 16384 + 24000
 * evaluations of r_t for any beta2 (milliseconds at beta2 = 1 - 1e-15).
 * exceptions: RADVAR_EDOM (beta2 outside (0, 1), a threshold never reached),
 * RADVAR_EMAXITER (not reached for finite input). */
RADVAR_API int radvar_rectify_effective_warmup_e(radvar_rectify_kind kind, double beta2,
                                                 const radvar_rectify_threshold *th,
                                                 radvar_result *r);
RADVAR_API double radvar_rectify_effective_warmup(radvar_rectify_kind kind, double beta2,
                                                  const radvar_rectify_threshold *th);

/* ---- under a noise model (radvar/noise.h; src/rectify_noise.c) ---- */

/* The moment-matched rectification: sqrt(Var(rho_mm(inf)) / Var(rho_mm(t))),
 * Theorem 1's variance at the model's moment-matched dof radvar_noise_rho_mm
 * (for decay, whose rho_mm(inf) does not exist, against rho_inf: see the
 * target below).  For the normal model with mu = 0 it is radvar_rectify_moment;
 * for the i.i.d. models radvar_rectify_kurtosis at the kurtosis of g.
 * domain: a valid model, 0 < beta2 < 1, t a whole number >= 1 (decay: in the
 * domain of radvar_noise_rho_mm), mu finite, 0 < sigma < inf, rho_mm(t) > 2
 * and rho_mm(inf) > 2 (rho_mm is 0 where the kurtosis is infinite: student
 * with nu <= 4).  exceptions: RADVAR_EINVAL (n NULL), RADVAR_EDOM. */
RADVAR_API int radvar_rectify_mm_e(double beta2, double t, double mu, double sigma,
                                   const radvar_noise *n, radvar_result *r);
RADVAR_API double radvar_rectify_mm(double beta2, double t, double mu, double sigma,
                                    const radvar_noise *n);

/* The variance a rectification aims at under a noise model, Var[psi_inf]:
 * the exact variance of the stationary EMA under the model (the same at every
 * t).  Under decay Var[psi_inf] is infinite (the scale goes to 0); the target
 * there is the stationary EMA's variance for N(mu, sigma_t^2) gradients,
 * sigma_t = sigma (1 + t/tau)^(-a): the level psi_t would settle at if the
 * scale stopped shrinking at t.  val is the variance, err the quadrature's
 * error estimate.
 * domain: a valid model, 0 < beta2 < 1, t a whole number >= 1 or inf (not for
 * decay; there 2 a ln(1 + t/tau) <= 690), mu finite, 0 < sigma < inf.
 * exceptions: RADVAR_EINVAL (n NULL), RADVAR_EDOM, RADVAR_EMAXITER, RADVAR_ENOMEM. */
RADVAR_API int radvar_rectify_noise_target_e(double beta2, double t, double mu, double sigma,
                                             const radvar_noise *n, radvar_result *r);
RADVAR_API double radvar_rectify_noise_target(double beta2, double t, double mu, double sigma,
                                              const radvar_noise *n);

RADVAR_END_DECLS

#endif
