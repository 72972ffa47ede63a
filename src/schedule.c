/* schedule.c: rho_inf, rho_t, rho_moment, the SMA length and the warmups.
 *
 * DESCRIPTION
 *   With ages j = t - i of the gradients in the EMA v_t, lambda = -ln(beta2),
 *   the centre of mass (mean age) of the EMA weights is
 *     C(t) = sum_{j<t} j beta2^j / sum_{j<t} beta2^j
 *          = 1/(e^lambda - 1) - t/(e^(t lambda) - 1),
 *   an SMA of f terms has mean age (f-1)/2, and the paper's rho_t is the f
 *   with equal centres of mass: rho_t = 1 + 2 C(t) (paper, eq. 5).
 *
 * NOTES
 *   The closed form rho_inf - 2 t beta2^t/(1 - beta2^t) subtracts two numbers
 *   of size 2/(1-beta2) to get rho_t ~ t when t (1-beta2) is small: at
 *   beta2 = 0.999999, t = 1 it keeps 10 of 16 digits.  With
 *   B(z) = z/(e^z - 1) = sum_k B_k z^k / k! (Bernoulli numbers),
 *     C(t) = (B(lambda) - B(t lambda)) / lambda
 *          = sum_{k>=1} (B_k / k!) lambda^(k-1) (1 - t^k),
 *   whose first term is (t-1)/2: there is nothing left to cancel.  For
 *   t lambda < 1 the terms fall by (t lambda / 2 pi)^2 < 0.026 per even k and
 *   ten terms reach DBL_EPSILON; for t lambda >= 1 the direct form loses at
 *   most a factor 1/(1 - B(1)) ~ 2.4.
 *
 * REFERENCES
 *   L. Liu et al., On the Variance of the Adaptive Learning Rate and Beyond,
 *   ICLR 2020, eq. (5).
 *   J. Ma and D. Yarats, On the adequacy of untuned warmup for adaptive
 *   optimization, AAAI 2021 (untuned warmups, effective warmup length).
 *   Abramowitz & Stegun 23.1.1 (Bernoulli numbers).
 */
#include <float.h>
#include <math.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_roots.h>

#include "ksum.h"
#include "radvar/schedule.h"
#include "result.h"

static int bad_beta2(double beta2)
{
    return !(beta2 >= 0.0 && beta2 < 1.0);
}

int radvar_schedule_ema_decay_rate_e(double beta2, radvar_result *r)
{
    if (bad_beta2(beta2))
        RADVAR_DOMAIN_ERROR(r);
    /* 1 - beta2 is exact for beta2 >= 1/2 (Sterbenz), so log1p keeps it */
    r->val = beta2 >= 0.5 ? -log1p(-(1.0 - beta2)) : -log(beta2);
    r->err = 2.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_schedule_rho_inf_e(double beta2, radvar_result *r)
{
    if (bad_beta2(beta2))
        RADVAR_DOMAIN_ERROR(r);
    /* 1 + 2 C(inf) with C(inf) = beta2/(1-beta2): the same expression as the
     * limit of ema_mean_age(), so rho_t reaches rho_inf exactly in floating
     * point once t/(e^(t lambda) - 1) is negligible. */
    r->val = 1.0 + 2.0 * (beta2 / (1.0 - beta2));
    r->err = 2.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

/* Mean age C(t) of the EMA weights, see NOTES. */
static double ema_mean_age(double beta2, double lambda, double t)
{
    if (isinf(lambda) || t == 1.0) /* one gradient of weight 1: age 0 exactly */
        return 0.0;
    double tl = t * lambda;
    if (tl < 1.0) {
        /* B_2k / (2k)!, k = 1..10 */
        static const double b2k_over_fact[10] = {
            1.0 / 12.0,
            -1.0 / 720.0,
            1.0 / 30240.0,
            -1.0 / 1209600.0,
            1.0 / 47900160.0,
            -691.0 / 1307674368000.0,
            1.0 / 74724249600.0,
            -3617.0 / 10670622842880000.0,
            43867.0 / 5109094217170944000.0,
            -174611.0 / 802857662698291200000.0};
        /* term k (even): (B_k/k!) (lambda^(k-1) - t (t lambda)^(k-1)) */
        double sum = 0.0, lam_pow = lambda, tl_pow = tl, lam2 = lambda * lambda,
               tl2 = tl * tl;
        for (int m = 0; m < 10; m++) {
            double add = b2k_over_fact[m] * (lam_pow - t * tl_pow);
            sum += add;
            if (fabs(add) <= 0.25 * DBL_EPSILON * fabs(sum))
                break;
            lam_pow *= lam2;
            tl_pow *= tl2;
        }
        return 0.5 * (t - 1.0) + sum;
    }
    /* 1/(e^lambda - 1) = beta2/(1 - beta2), the form rho_inf uses */
    return beta2 / (1.0 - beta2) - t / expm1(tl);
}

int radvar_schedule_rho_t_e(double beta2, double t, radvar_result *r)
{
    if (bad_beta2(beta2) || !(t >= 1.0))
        RADVAR_DOMAIN_ERROR(r);
    if (isinf(t))
        return radvar_schedule_rho_inf_e(beta2, r);
    r->val = 1.0 + 2.0 * ema_mean_age(beta2, radvar_schedule_ema_decay_rate(beta2), t);
    r->err = 8.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_schedule_rho_moment_e(double beta2, double t, radvar_result *r)
{
    if (bad_beta2(beta2) || !(t >= 1.0))
        RADVAR_DOMAIN_ERROR(r);
    if (t == 1.0 || isinf(t) || beta2 == 0.0)
        return t == 1.0 ? (r->val = 1.0, r->err = 0.0, RADVAR_SUCCESS) : radvar_schedule_rho_inf_e(beta2, r);
    /* (1 - b^t)/(1 + b^t) = tanh(t lambda / 2): no cancellation for small t
     * lambda, where rho_inf is large and tanh small */
    r->val = radvar_schedule_rho_inf(beta2) * tanh(0.5 * t * radvar_schedule_ema_decay_rate(beta2));
    r->err = 6.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

/* ---- SMA length from the centre-of-mass equation, summed term by term ---- */

struct com_params {
    double mean_age;
};

/* The paper's equation sum_i w_i i = (1/f) sum_{i<=f} (t+1-i), written in ages:
 * C_EMA = (f - 1)/2.  (Linear in f; Brent finds the root in one secant step.) */
static double com_residual(double f, void *params)
{
    const struct com_params *p = params;
    return 0.5 * (f - 1.0) - p->mean_age;
}

/* sum_{j<n} j beta2^j / sum_{j<n} beta2^j by blocks of K ages: block b holds
 * beta2^(bK) sum_{i<K} (bK + i) beta2^i, so only K + n/K powers are evaluated,
 * each directly as exp(-lambda j) (no accumulated rounding). */
static double ema_mean_age_by_sum(double lambda, double n)
{
    double K = ceil(sqrt(n));
    radvar_ksum s0 = {0, 0}, s1 = {0, 0};
    for (double i = 0; i < K && i < n; i++) {
        double w = exp(-lambda * i);
        radvar_ksum_add(&s0, w);
        radvar_ksum_add(&s1, i * w);
    }
    double block0 = radvar_ksum_value(&s0), block1 = radvar_ksum_value(&s1);
    radvar_ksum num = {0, 0}, den = {0, 0};
    double start = 0;
    for (; start + K <= n; start += K) {
        double w = exp(-lambda * start);
        radvar_ksum_add(&num, w * (start * block0 + block1));
        radvar_ksum_add(&den, w * block0);
    }
    for (double j = start; j < n; j++) { /* the partial last block */
        double w = exp(-lambda * j);
        radvar_ksum_add(&num, j * w);
        radvar_ksum_add(&den, w);
    }
    return radvar_ksum_value(&num) / radvar_ksum_value(&den);
}

int radvar_schedule_sma_length_e(double beta2, double t, radvar_result *r)
{
    enum { MAX_ITER = 100 };
    if (bad_beta2(beta2) || !(t >= 1.0) || t > 9007199254740992.0 || t != floor(t))
        RADVAR_DOMAIN_ERROR(r);
    double lambda = radvar_schedule_ema_decay_rate(beta2);
    /* Ages past 50/lambda + 40 weigh less than e^-50 relative and are dropped:
     * beyond them j beta2^j / C < 1e-19. */
    double n = t;
    if (isfinite(lambda) && n > 50.0 / lambda + 40.0)
        n = ceil(50.0 / lambda + 40.0);
    struct com_params p = {isinf(lambda) ? 0.0 : ema_mean_age_by_sum(lambda, n)};

    gsl_function F = {com_residual, &p};
    gsl_root_fsolver *solver = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
    if (solver == NULL) {
        r->val = r->err = NAN;
        return RADVAR_ENOMEM;
    }
    /* C_EMA lies in [0, (t-1)/2], so f lies in [1, t]: bracket [1/2, t + 1]. */
    int status = gsl_root_fsolver_set(solver, &F, 0.5, t + 1.0);
    int iter = 0;
    double lo = 0.5, hi = t + 1.0;
    while (status == GSL_SUCCESS && iter++ < MAX_ITER) {
        status = gsl_root_fsolver_iterate(solver);
        lo = gsl_root_fsolver_x_lower(solver);
        hi = gsl_root_fsolver_x_upper(solver);
        double f = gsl_root_fsolver_root(solver);
        if (com_residual(f, &p) == 0.0
            || gsl_root_test_interval(lo, hi, 0.0, 2.0 * DBL_EPSILON) == GSL_SUCCESS)
            break;
    }
    double f = gsl_root_fsolver_root(solver);
    gsl_root_fsolver_free(solver);
    if (status != GSL_SUCCESS) { /* the solver failed: not a domain error */
        r->val = r->err = NAN;
        return RADVAR_EMAXITER;
    }
    r->val = f;
    /* The mean age is a ratio of compensated sums of positive terms: an ulp
     * or two each from exp (whose argument lambda j carries lambda's
     * relative error times j, which the weights j beta2^j average to about
     * an eps of C), and the solver stops within 2 eps of the root of a
     * linear function: 8 eps in all.  (The 64 eps (1 + log2 n) this replaces
     * was up to 1,500 times the largest error seen, 1.3 eps.) */
    r->err = 8.0 * DBL_EPSILON * f;
    return iter > MAX_ITER ? RADVAR_EMAXITER : RADVAR_SUCCESS;
}

/* ---- warmup ---- */

int radvar_schedule_warmup_linear_e(double t, double tw, radvar_result *r)
{
    if (!(t >= 0.0) || !(tw >= 1.0) || isinf(tw))
        RADVAR_DOMAIN_ERROR(r);
    r->val = t >= tw ? 1.0 : t / tw;
    r->err = DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_schedule_warmup_exp_untuned_e(double beta2, double t, radvar_result *r)
{
    if (bad_beta2(beta2) || !(t >= 0.0))
        RADVAR_DOMAIN_ERROR(r);
    r->val = -expm1(-(1.0 - beta2) * t);
    r->err = 2.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_schedule_warmup_linear_untuned_e(double beta2, double t, radvar_result *r)
{
    if (bad_beta2(beta2) || !(t >= 0.0))
        RADVAR_DOMAIN_ERROR(r);
    double w = 0.5 * (1.0 - beta2) * t;
    r->val = w >= 1.0 ? 1.0 : w;
    r->err = DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

int radvar_schedule_warmup_effective_length_e(radvar_schedule_warmup kind, double beta2, double tw,
                                              radvar_result *r)
{
    if (bad_beta2(beta2))
        RADVAR_DOMAIN_ERROR(r);
    double q = 1.0 - beta2;
    switch (kind) {
    case RADVAR_WARMUP_LINEAR:
        if (!(tw >= 1.0) || isinf(tw))
            RADVAR_DOMAIN_ERROR(r);
        { /* sum_{t < tw} (1 - t/tw) with M = ceil(tw) - 1 terms */
            double m = ceil(tw) - 1.0;
            r->val = m - m * (m + 1.0) / (2.0 * tw);
        }
        break;
    case RADVAR_WARMUP_EXP_UNTUNED:
        if (!(beta2 > 0.0))
            RADVAR_DOMAIN_ERROR(r);
        r->val = 1.0 / expm1(q); /* sum_{t>=1} e^(-q t) */
        break;
    case RADVAR_WARMUP_LINEAR_UNTUNED:
        if (!(beta2 > 0.0))
            RADVAR_DOMAIN_ERROR(r);
        { /* sum over t < 2/q of (1 - q t/2): M = ceil(2/q) - 1 terms */
            double m = ceil(2.0 / q) - 1.0;
            r->val = m - q * m * (m + 1.0) / 4.0;
        }
        break;
    default:
        r->val = r->err = NAN;
        return RADVAR_EINVAL;
    }
    r->err = 4.0 * DBL_EPSILON * fabs(r->val);
    return RADVAR_SUCCESS;
}

/* ---- plain forms ---- */

double radvar_schedule_rho_inf(double beta2)
{
    RADVAR_EVAL_RESULT(radvar_schedule_rho_inf_e(beta2, &result));
}

double radvar_schedule_rho_t(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_schedule_rho_t_e(beta2, t, &result));
}

double radvar_schedule_rho_moment(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_schedule_rho_moment_e(beta2, t, &result));
}

double radvar_schedule_sma_length(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_schedule_sma_length_e(beta2, t, &result));
}

double radvar_schedule_ema_decay_rate(double beta2)
{
    RADVAR_EVAL_RESULT(radvar_schedule_ema_decay_rate_e(beta2, &result));
}

double radvar_schedule_warmup_linear(double t, double tw)
{
    RADVAR_EVAL_RESULT(radvar_schedule_warmup_linear_e(t, tw, &result));
}

double radvar_schedule_warmup_exp_untuned(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_schedule_warmup_exp_untuned_e(beta2, t, &result));
}

double radvar_schedule_warmup_linear_untuned(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_schedule_warmup_linear_untuned_e(beta2, t, &result));
}

double radvar_schedule_warmup_effective_length(radvar_schedule_warmup kind, double beta2, double tw)
{
    RADVAR_EVAL_RESULT(radvar_schedule_warmup_effective_length_e(kind, beta2, tw, &result));
}
