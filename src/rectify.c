/* rectify.c: the rectifications and thresholds of radvar/rectify.h.
 *
 * REFERENCES
 *   L. Liu et al., On the Variance of the Adaptive Learning Rate and Beyond,
 *   ICLR 2020, eqs. (5)-(7) and Algorithm 2.
 *   J. Ma and D. Yarats, On the adequacy of untuned warmup for adaptive
 *   optimization, AAAI 2021 (effective warmup length, eq. 4).
 */
#include <float.h>
#include <math.h>
#include <string.h>

#include "ksum.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"
#include "result.h"

const radvar_rectify_threshold radvar_rectify_threshold_paper = {"paper", 4.0, RADVAR_CMP_GT};
const radvar_rectify_threshold radvar_rectify_threshold_official = {"official", 5.0, RADVAR_CMP_GE};
const radvar_rectify_threshold radvar_rectify_threshold_pytorch = {"pytorch", 5.0, RADVAR_CMP_GT};

static const char *const kind_names[] = {"paper", "sma-exact", "moment", "kurtosis"};

const char *radvar_rectify_kind_name(radvar_rectify_kind kind)
{
    return (unsigned)kind < sizeof kind_names / sizeof *kind_names ? kind_names[kind] : "?";
}

int radvar_rectify_kind_from_name(const char *name, radvar_rectify_kind *kind)
{
    for (size_t k = 0; k < sizeof kind_names / sizeof *kind_names; k++)
        if (strcmp(name, kind_names[k]) == 0) {
            *kind = (radvar_rectify_kind)k;
            return RADVAR_SUCCESS;
        }
    return RADVAR_EINVAL;
}

int radvar_rectify_paper_from_rho_e(double rho_t, double rho_inf, radvar_result *r)
{
    if (!(rho_t > 4.0) || !(rho_inf > 4.0))
        RADVAR_DOMAIN_ERROR(r);
    if (isinf(rho_t) || isinf(rho_inf)) { /* the limits (the formula gives inf * 0) */
        r->val = isinf(rho_t) ? (isinf(rho_inf) ? 1.0 : INFINITY) : 0.0;
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    /* paper eq. (7); grouped as two ratios near 1 so that nothing overflows
     * for rho up to DBL_MAX */
    r->val = sqrt(((rho_t - 4.0) / (rho_inf - 4.0)) * ((rho_t - 2.0) / (rho_inf - 2.0))
                  * (rho_inf / rho_t));
    r->err = 4.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

/* The relative error of a dof r->val (0 where it is infinite or 0). */
static double rel_of(const radvar_result *r)
{
    return r->val != 0.0 && isfinite(r->val) ? r->err / fabs(r->val) : 0.0;
}

/* d ln r / d ln rho of the paper's term, at rho_t (the sign flips for rho_inf):
 * (rho/(rho-4) + rho/(rho-2) - 1)/2, large near rho = 4. */
static double paper_condition(double rho)
{
    return isinf(rho) ? 0.5 : 0.5 * fabs(rho / (rho - 4.0) + rho / (rho - 2.0) - 1.0);
}

int radvar_rectify_paper_e(double beta2, double t, radvar_result *r)
{
    radvar_result rho_t, rho_inf;
    if (radvar_schedule_rho_t_e(beta2, t, &rho_t) || radvar_schedule_rho_inf_e(beta2, &rho_inf))
        RADVAR_DOMAIN_ERROR(r);
    int status = radvar_rectify_paper_from_rho_e(rho_t.val, rho_inf.val, r);
    /* the errors of rho_t and rho_inf, through the condition of eq. (7):
     * near beta2 = 0.6 (rho_inf near 4) or a first step with rho_t near 4
     * they are amplified by rho/(2(rho-4)) */
    if (status == RADVAR_SUCCESS)
        r->err += r->val * (paper_condition(rho_t.val) * rel_of(&rho_t)
                            + paper_condition(rho_inf.val) * rel_of(&rho_inf));
    return status;
}

int radvar_rectify_sma_exact_from_rho_e(double rho, double rho_inf, radvar_result *r)
{
    radvar_result v, v_inf;
    if (radvar_theory_var_psi_e(rho, 1.0, &v) || radvar_theory_var_psi_e(rho_inf, 1.0, &v_inf))
        RADVAR_DOMAIN_ERROR(r);
    if (v_inf.val == 0.0 && v.val == 0.0) { /* rho = rho_inf = inf */
        r->val = 1.0;
        r->err = 0.0;
        return RADVAR_SUCCESS;
    }
    r->val = sqrt(v_inf.val / v.val);
    /* half the relative errors of the two variances; the division and sqrt
     * an ulp */
    r->err = 0.5 * r->val * (rel_of(&v) + rel_of(&v_inf)) + DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

/* sqrt(Var(rho_inf)/Var(rho)) at computed dofs, with their errors carried
 * through: |d ln Var / d ln rho| <= 1.35 rho/(rho - 2) for every rho > 2
 * (|d ln Var / d ln(rho - 2)| lies in [1, 1.35], see theory.c's inverse). */
static int sma_exact_at(const radvar_result *rho, const radvar_result *rho_inf, radvar_result *r)
{
    int status = radvar_rectify_sma_exact_from_rho_e(rho->val, rho_inf->val, r);
    if (status == RADVAR_SUCCESS) {
        double c = isinf(rho->val) ? 1.35 : 1.35 * rho->val / (rho->val - 2.0);
        double c_inf = isinf(rho_inf->val) ? 1.35 : 1.35 * rho_inf->val / (rho_inf->val - 2.0);
        r->err += 0.5 * r->val * (c * rel_of(rho) + c_inf * rel_of(rho_inf));
    }
    return status;
}

int radvar_rectify_sma_exact_e(double beta2, double t, radvar_result *r)
{
    radvar_result rho_t, rho_inf;
    if (radvar_schedule_rho_t_e(beta2, t, &rho_t) || radvar_schedule_rho_inf_e(beta2, &rho_inf))
        RADVAR_DOMAIN_ERROR(r);
    return sma_exact_at(&rho_t, &rho_inf, r);
}

int radvar_rectify_moment_e(double beta2, double t, radvar_result *r)
{
    radvar_result rho_m, rho_inf;
    if (radvar_schedule_rho_moment_e(beta2, t, &rho_m) || radvar_schedule_rho_inf_e(beta2, &rho_inf))
        RADVAR_DOMAIN_ERROR(r);
    return sma_exact_at(&rho_m, &rho_inf, r);
}

int radvar_rectify_kurtosis_from_rho_e(double rho, double rho_inf, double kappa, radvar_result *r)
{
    if (!(kappa > 1.0) || isinf(kappa))
        RADVAR_DOMAIN_ERROR(r);
    double c = 2.0 / (kappa - 1.0); /* the dof of X per dof of the Gaussian */
    return radvar_rectify_sma_exact_from_rho_e(c * rho, c * rho_inf, r);
}

int radvar_rectify_kurtosis_e(double beta2, double t, double kappa, radvar_result *r)
{
    radvar_result rho_m, rho_inf;
    if (radvar_schedule_rho_moment_e(beta2, t, &rho_m) || radvar_schedule_rho_inf_e(beta2, &rho_inf))
        RADVAR_DOMAIN_ERROR(r);
    return radvar_rectify_kurtosis_from_rho_e(rho_m.val, rho_inf.val, kappa, r);
}

int radvar_rectify_e(radvar_rectify_kind kind, double beta2, double t, radvar_result *r)
{
    switch (kind) {
    case RADVAR_RECTIFY_PAPER: return radvar_rectify_paper_e(beta2, t, r);
    case RADVAR_RECTIFY_SMA_EXACT: return radvar_rectify_sma_exact_e(beta2, t, r);
    case RADVAR_RECTIFY_MOMENT: return radvar_rectify_moment_e(beta2, t, r);
    case RADVAR_RECTIFY_KURTOSIS: return radvar_rectify_kurtosis_e(beta2, t, 3.0, r);
    }
    r->val = r->err = NAN;
    return RADVAR_EINVAL;
}

/* ---- thresholds ---- */

int radvar_rectify_threshold_applies(const radvar_rectify_threshold *th, double rho_t)
{
    return th->cmp == RADVAR_CMP_GE ? rho_t >= th->rho_min : rho_t > th->rho_min;
}

int radvar_rectify_first_step(double beta2, const radvar_rectify_threshold *th, uint64_t *t_first)
{
    *t_first = 0;
    if (!(beta2 >= 0.0 && beta2 < 1.0)
        || !radvar_rectify_threshold_applies(th, radvar_schedule_rho_inf(beta2)))
        return RADVAR_EDOM;
    /* rho_t increases to rho_inf: double an upper bound (at most 53 times),
     * then bisect (at most 53 halvings). */
    uint64_t lo = 0, hi = 1; /* invariant: applies(hi), !applies(lo) */
    while (!radvar_rectify_threshold_applies(th, radvar_schedule_rho_t(beta2, (double)hi))) {
        lo = hi;
        if (hi > (UINT64_C(1) << 52))
            return RADVAR_EDOM; /* rho_inf only just above the threshold */
        hi *= 2;
    }
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (radvar_rectify_threshold_applies(th, radvar_schedule_rho_t(beta2, (double)mid)))
            hi = mid;
        else
            lo = mid;
    }
    *t_first = hi;
    return RADVAR_SUCCESS;
}

/* ---- as a warmup ---- */

/* sum_{t>=1} (1 - w_t): 1 before the threshold, 1 - r_t after.
 * 1 - r_t = O(rho_inf - rho_t) = O(t beta2^t), so once the threshold is
 * passed the tail after step t is below term_t / (1 - beta2) (ratio <= beta2
 * for t >= 1/(1-beta2)); stop when that is below 1e-16 of the sum. */
int radvar_rectify_effective_warmup_e(radvar_rectify_kind kind, double beta2,
                                      const radvar_rectify_threshold *th, radvar_result *r)
{
    uint64_t t_first;
    if (th == NULL || !(beta2 > 0.0) || radvar_rectify_first_step(beta2, th, &t_first))
        RADVAR_DOMAIN_ERROR(r);
    double rho_inf = radvar_schedule_rho_inf(beta2), q = 1.0 - beta2;
    double t_geometric = 1.0 / q; /* past it, term_{t+1}/term_t <= ~beta2 */
    radvar_ksum sum = {(double)(t_first - 1), 0.0};
    double term_err = 0.0; /* the sum of the terms' absolute errors */
    const double max_steps = 1e11;
    for (double t = (double)t_first; t < max_steps; t++) {
        double rho = radvar_schedule_rho_t(beta2, t);
        radvar_result w;
        if (kind == RADVAR_RECTIFY_PAPER)
            radvar_rectify_paper_from_rho_e(rho, rho_inf, &w);
        else
            radvar_rectify_e(kind, beta2, t, &w);
        double term = 1.0 - w.val;
        radvar_ksum_add(&sum, term);
        /* w's own estimate (for the paper's kind at the computed rho_t and
         * rho_inf, whose 8 eps and 2 eps come through its condition, which
         * is largest at rho_t) and the subtraction */
        term_err += w.err + DBL_EPSILON * fabs(term)
                    + (kind == RADVAR_RECTIFY_PAPER ? 10.0 * DBL_EPSILON * paper_condition(rho) * w.val
                                                    : 0.0);
        if (rho == rho_inf /* every later term is this one, 0 */
            || (t > t_geometric && fabs(term) / q <= 1e-16 * fabs(radvar_ksum_value(&sum)))) {
            r->val = radvar_ksum_value(&sum);
            /* the tail left out, the terms' errors, the compensated sum's
             * rounding (t eps |val| before: 1000 times too large at
             * beta2 = 0.999) */
            r->err = 1e-16 * fabs(r->val) + term_err + DBL_EPSILON * fabs(r->val);
            return RADVAR_SUCCESS;
        }
    }
    r->val = radvar_ksum_value(&sum);
    r->err = NAN;
    return RADVAR_EMAXITER;
}

/* ---- plain forms ---- */

double radvar_rectify_paper_from_rho(double rho_t, double rho_inf)
{
    RADVAR_EVAL_RESULT(radvar_rectify_paper_from_rho_e(rho_t, rho_inf, &result));
}

double radvar_rectify_paper(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_rectify_paper_e(beta2, t, &result));
}

double radvar_rectify_sma_exact_from_rho(double rho, double rho_inf)
{
    RADVAR_EVAL_RESULT(radvar_rectify_sma_exact_from_rho_e(rho, rho_inf, &result));
}

double radvar_rectify_sma_exact(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_rectify_sma_exact_e(beta2, t, &result));
}

double radvar_rectify_moment(double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_rectify_moment_e(beta2, t, &result));
}

double radvar_rectify_kurtosis_from_rho(double rho, double rho_inf, double kappa)
{
    RADVAR_EVAL_RESULT(radvar_rectify_kurtosis_from_rho_e(rho, rho_inf, kappa, &result));
}

double radvar_rectify_kurtosis(double beta2, double t, double kappa)
{
    RADVAR_EVAL_RESULT(radvar_rectify_kurtosis_e(beta2, t, kappa, &result));
}

double radvar_rectify(radvar_rectify_kind kind, double beta2, double t)
{
    RADVAR_EVAL_RESULT(radvar_rectify_e(kind, beta2, t, &result));
}

double radvar_rectify_effective_warmup(radvar_rectify_kind kind, double beta2,
                                       const radvar_rectify_threshold *th)
{
    RADVAR_EVAL_RESULT(radvar_rectify_effective_warmup_e(kind, beta2, th, &result));
}
