/* radvar/schedule.h: the degrees of freedom of Adam's EMA (Liu et al. 2020,
 * section 4: rho_inf, rho_t) and the warmup schedules RAdam is compared with.
 * The rectifications built on rho_t are in radvar/rectify.h.
 *
 * beta2 is Adam's second-moment decay, in [0, 1).  Steps t are counted from 1;
 * t is a double so that rho_t can be drawn as a smooth curve, but the step-wise
 * quantities (sma_length, effective warmup) count whole
 * steps.
 *
 * Thread safety: no handles and no state; every function may be called from
 * several threads at once.
 */
#ifndef RADVAR_SCHEDULE_H
#define RADVAR_SCHEDULE_H

#include "radvar/common.h"

RADVAR_BEGIN_DECLS

/* lambda = -ln(beta2), the EMA's decay rate per step (beta2^t = e^(-lambda t)),
 * accurate for beta2 near 1 where 1 - beta2 is exact; inf for beta2 = 0.
 * domain: 0 <= beta2 < 1.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_schedule_ema_decay_rate_e(double beta2, radvar_result *r);
RADVAR_API double radvar_schedule_ema_decay_rate(double beta2);

/* rho_inf = 2/(1-beta2) - 1 = (1+beta2)/(1-beta2), the length of the SMA with
 * the centre of mass of the infinite EMA (paper, eq. 5).
 * domain: 0 <= beta2 < 1.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_schedule_rho_inf_e(double beta2, radvar_result *r);
RADVAR_API double radvar_schedule_rho_inf(double beta2);

/* rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t) (paper, eq. 5), evaluated
 * without the cancellation of the closed form: rho_1 = 1 exactly, relative
 * error a few ulps for every beta2 in [0,1) and t >= 1.
 * domain: 0 <= beta2 < 1, t >= 1.  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_schedule_rho_t_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_schedule_rho_t(double beta2, double t);

/* The second-moment-matching degrees of freedom of the EMA, 1 / sum_i w_i^2
 * with w_i = (1-beta2) beta2^(t-i) / (1-beta2^t): the rho of the SMA whose
 * weights have the same sum of squares.  In closed form
 *   rho_moment = (1+beta2)(1-beta2^t) / ((1-beta2)(1+beta2^t))
 *              = rho_inf tanh(t lambda / 2),  lambda = -ln beta2,
 * so rho_moment(1) = 1, rho_moment(inf) = rho_inf, and ~ t for small t.
 * domain: 0 <= beta2 < 1, t >= 1 (t = inf allowed).  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_schedule_rho_moment_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_schedule_rho_moment(double beta2, double t);

/* The SMA length f(t, beta2) found by solving the paper's centre-of-mass
 * equation numerically (GSL's Brent solver), with the EMA's centre of mass
 * summed term by term: an independent check of the closed form rho_t.
 * Cost O(sqrt(min(t, 50/(1-beta2)))).
 * domain: 0 <= beta2 < 1, t a whole number in [1, 2^53].
 * exceptions: RADVAR_EDOM, RADVAR_EMAXITER. */
RADVAR_API int radvar_schedule_sma_length_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_schedule_sma_length(double beta2, double t);

/* Warmup factors w_t in [0, 1] multiplying the learning rate at step t:
 * linear min(t, tw)/tw (tw >= 1); and the untuned warmups of Ma & Yarats
 * (2021): exponential 1 - exp(-(1-beta2) t) and linear min(1, (1-beta2) t/2).
 * domain: t >= 0 (and 1 <= tw < inf, 0 <= beta2 < 1).  exceptions: RADVAR_EDOM. */
RADVAR_API int radvar_schedule_warmup_linear_e(double t, double tw, radvar_result *r);
RADVAR_API double radvar_schedule_warmup_linear(double t, double tw);
RADVAR_API int radvar_schedule_warmup_exp_untuned_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_schedule_warmup_exp_untuned(double beta2, double t);
RADVAR_API int radvar_schedule_warmup_linear_untuned_e(double beta2, double t, radvar_result *r);
RADVAR_API double radvar_schedule_warmup_linear_untuned(double beta2, double t);

typedef enum {
    RADVAR_WARMUP_LINEAR,        /* min(t, tw)/tw */
    RADVAR_WARMUP_EXP_UNTUNED,   /* 1 - exp(-(1-beta2) t) */
    RADVAR_WARMUP_LINEAR_UNTUNED /* min(1, (1-beta2) t / 2) */
} radvar_schedule_warmup;

/* The effective warmup length sum_{t>=1} (1 - w_t) (Ma & Yarats 2021, eq. 4),
 * in closed form.  tw is used by RADVAR_WARMUP_LINEAR only.  (For a
 * rectification used as a warmup: radvar_rectify_effective_warmup_e.)
 * domain: 0 <= beta2 < 1 (beta2 > 0 for the untuned ones), 1 <= tw < inf.
 * exceptions: RADVAR_EDOM, RADVAR_EINVAL (an unknown kind). */
RADVAR_API int radvar_schedule_warmup_effective_length_e(radvar_schedule_warmup kind, double beta2,
                                                         double tw, radvar_result *r);
RADVAR_API double radvar_schedule_warmup_effective_length(radvar_schedule_warmup kind, double beta2,
                                                          double tw);

RADVAR_END_DECLS

#endif
