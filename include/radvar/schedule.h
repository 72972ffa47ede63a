/* radvar/schedule.h: the rectification schedule of RAdam (Liu et al. 2020,
 * section 4) and the warmup schedules it is compared with.  This module is the
 * one copy of these formulas: the theory, the simulations and the optimizer all
 * call it.
 *
 * beta2 is Adam's second-moment decay, in [0, 1).  Steps t are counted from 1;
 * t is a double so that rho_t can be drawn as a smooth curve, but the step-wise
 * quantities (sma_length, first rectified step, effective warmup) count whole
 * steps.
 */
#ifndef RADVAR_SCHEDULE_H
#define RADVAR_SCHEDULE_H

#include "radvar/common.h"

/* lambda = -ln(beta2), the EMA's decay rate per step (beta2^t = e^(-lambda t)),
 * accurate for beta2 near 1 where 1 - beta2 is exact; inf for beta2 = 0.
 * domain: 0 <= beta2 < 1 (NaN outside). */
double radvar_ema_decay_rate(double beta2);

/* rho_inf = 2/(1-beta2) - 1 = (1+beta2)/(1-beta2), the length of the SMA with
 * the centre of mass of the infinite EMA (paper, eq. 5).
 * domain: 0 <= beta2 < 1.  exceptions: RADVAR_EDOM. */
int radvar_rho_inf_e(double beta2, radvar_result *r);
double radvar_rho_inf(double beta2);

/* rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t) (paper, eq. 5), evaluated
 * without the cancellation of the closed form: rho_1 = 1 exactly, relative
 * error a few ulps for every beta2 in [0,1) and t >= 1.
 * domain: 0 <= beta2 < 1, t >= 1.  exceptions: RADVAR_EDOM. */
int radvar_rho_t_e(double beta2, double t, radvar_result *r);
double radvar_rho_t(double beta2, double t);

/* The second-moment-matching degrees of freedom of the EMA, 1 / sum_i w_i^2
 * with w_i = (1-beta2) beta2^(t-i) / (1-beta2^t): the rho of the SMA whose
 * weights have the same sum of squares.  In closed form
 *   rho_moment = (1+beta2)(1-beta2^t) / ((1-beta2)(1+beta2^t))
 *              = rho_inf tanh(t lambda / 2),  lambda = -ln beta2,
 * so rho_moment(1) = 1, rho_moment(inf) = rho_inf, and ~ t for small t.
 * domain: 0 <= beta2 < 1, t >= 1 (t = inf allowed).  exceptions: RADVAR_EDOM. */
int radvar_rho_moment_e(double beta2, double t, radvar_result *r);
double radvar_rho_moment(double beta2, double t);

/* The SMA length f(t, beta2) found by solving the paper's centre-of-mass
 * equation numerically (GSL's Brent solver), with the EMA's centre of mass
 * summed term by term: an independent check of the closed form rho_t.
 * Cost O(sqrt(min(t, 50/(1-beta2)))).
 * domain: 0 <= beta2 < 1, t a whole number in [1, 2^53].
 * exceptions: RADVAR_EDOM, RADVAR_EMAXITER. */
int radvar_sma_length_e(double beta2, double t, radvar_result *r);
double radvar_sma_length(double beta2, double t);

/* The paper's rectification term (eq. 7) as a function of rho_t and rho_inf:
 * r = sqrt((rho_t-4)(rho_t-2) rho_inf / ((rho_inf-4)(rho_inf-2) rho_t)).
 * domain: rho_t > 4, rho_inf > 4.  exceptions: RADVAR_EDOM. */
int radvar_rect_from_rho_e(double rho_t, double rho_inf, radvar_result *r);
double radvar_rect_from_rho(double rho_t, double rho_inf);

/* r_t = radvar_rect_from_rho(rho_t, rho_inf) at (beta2, t).
 * domain: rho_t > 4 (and so rho_inf > 4, beta2 > 0.6).  exceptions: RADVAR_EDOM. */
int radvar_rect_paper_e(double beta2, double t, radvar_result *r);
double radvar_rect_paper(double beta2, double t);

/* The exact rectification sqrt(Var[psi](rho_inf) / Var[psi](rho_t)) of the
 * SMA model, with Var[psi] from the theory module's closed form, as a function
 * of the degrees of freedom; and at (beta2, t) with rho = rho_t.
 * domain: rho > 2, rho_inf > 2 (beta2 > 1/3).  exceptions: RADVAR_EDOM. */
int radvar_rect_exact_from_rho_e(double rho, double rho_inf, radvar_result *r);
double radvar_rect_exact_from_rho(double rho, double rho_inf);
int radvar_rect_exact_e(double beta2, double t, radvar_result *r);
double radvar_rect_exact(double beta2, double t);

/* When rectification applies: rho_t > rho_min (RADVAR_CMP_GT) or
 * rho_t >= rho_min (RADVAR_CMP_GE). */
typedef enum { RADVAR_CMP_GT = 0, RADVAR_CMP_GE = 1 } radvar_cmp;

typedef struct {
    const char *name;
    double rho_min;
    radvar_cmp cmp;
} radvar_threshold;

/* The named conventions: the paper (rho_t > 4), the authors' official code
 * (rho_t >= 5) and PyTorch's torch.optim.RAdam (rho_t > 5). */
extern const radvar_threshold radvar_threshold_paper;
extern const radvar_threshold radvar_threshold_official;
extern const radvar_threshold radvar_threshold_pytorch;

/* 1 when the convention rectifies at this rho_t, 0 otherwise (and for NaN). */
int radvar_threshold_applies(const radvar_threshold *th, double rho_t);

/* The first step t at which th applies (rho_t increases with t).
 * domain: 0 <= beta2 < 1 and rho_inf beyond the threshold, else RADVAR_EDOM
 * (the convention never rectifies) with *t_first = 0. */
int radvar_first_rectified_step(double beta2, const radvar_threshold *th,
                                unsigned long long *t_first);

/* Warmup factors w_t in [0, 1] multiplying the learning rate at step t:
 * linear min(t, tw)/tw (tw >= 1); and the untuned warmups of Ma & Yarats
 * (2021): exponential 1 - exp(-(1-beta2) t) and linear min(1, (1-beta2) t/2).
 * domain: t >= 0 (and tw >= 1, 0 <= beta2 < 1); NaN outside. */
double radvar_warmup_linear(double t, double tw);
double radvar_warmup_exp_untuned(double beta2, double t);
double radvar_warmup_linear_untuned(double beta2, double t);

typedef enum {
    RADVAR_WARMUP_LINEAR,        /* min(t, tw)/tw */
    RADVAR_WARMUP_EXP_UNTUNED,   /* 1 - exp(-(1-beta2) t) */
    RADVAR_WARMUP_LINEAR_UNTUNED,/* min(1, (1-beta2) t / 2) */
    RADVAR_WARMUP_RECT_PAPER,    /* r_t where th applies, 0 before */
    RADVAR_WARMUP_RECT_EXACT     /* exact rectification where th applies, 0 before */
} radvar_warmup_kind;

/* The effective warmup length sum_{t>=1} (1 - w_t) (Ma & Yarats 2021, eq. 4).
 * Closed forms for the first three; the rectifications are summed until the
 * tail (bounded by the geometric decay of rho_inf - rho_t) is below 1e-16 of
 * the sum.  tw is used by RADVAR_WARMUP_LINEAR only, th by the last two only.
 * domain: 0 <= beta2 < 1 (beta2 > 0 for the untuned ones), tw >= 1; for the
 * rectifications a threshold that is reached.
 * exceptions: RADVAR_EDOM, RADVAR_EMAXITER. */
int radvar_warmup_effective_length_e(radvar_warmup_kind kind, double beta2, double tw,
                                     const radvar_threshold *th, radvar_result *r);

#endif
