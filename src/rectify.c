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

/* 1 - r_t at a step t >= the first rectified one (t need not be whole: the
 * tail below integrates it).  For the paper's r_t, without cancellation:
 * with d = rho_inf - rho_t = 2 t beta2^t / (1 - beta2^t) and a = rho_inf,
 *   1 - r^2 = d (a rho_t - 8) / ((a - 4)(a - 2) rho_t),
 * and 1 - r = (1 - r^2)/(1 + r), accurate where r is near 1 (the long
 * tail) as well as near the threshold. */
static double warmup_term(radvar_rectify_kind kind, double beta2, double lambda, double a,
                          double t)
{
    radvar_result w;
    if (kind != RADVAR_RECTIFY_PAPER) {
        radvar_rectify_e(kind, beta2, t, &w);
        return 1.0 - w.val;
    }
    double rho = radvar_schedule_rho_t(beta2, t);
    double e = exp(-lambda * t), d = e == 0.0 ? 0.0 : 2.0 * t * (e / -expm1(-lambda * t));
    double one_minus_r2 = d * ((a * rho - 8.0) / ((a - 4.0) * (a - 2.0) * rho));
    radvar_rectify_paper_from_rho_e(rho, a, &w);
    return one_minus_r2 / (1.0 + w.val);
}

/* Gauss-Legendre, 20 points on [-1, 1]: the positive nodes and their
 * weights (Abramowitz & Stegun, table 25.4; checked against mpmath). */
static const double gl20_x[10] = {
    0.0765265211334973337546404, 0.2277858511416450780804962, 0.3737060887154195606725482,
    0.5108670019508270980043641, 0.6360536807265150254528367, 0.7463319064601507926143051,
    0.8391169718222188233945291, 0.9122344282513259058677524, 0.9639719272779137912676661,
    0.9931285991850949247861224};
static const double gl20_w[10] = {
    0.1527533871307258506980843, 0.1491729864726037467878287, 0.1420961093183820513292983,
    0.1316886384491766268984945, 0.1181945319615184173123774, 0.1019301198172404350367501,
    0.0832767415767047487247581, 0.0626720483341090635695065, 0.0406014298003869413310400,
    0.0176140071391521183118620};

static double gl20(radvar_rectify_kind kind, double beta2, double lambda, double a, double lo,
                   double hi)
{
    double c = 0.5 * (lo + hi), h = 0.5 * (hi - lo), s = 0.0;
    for (int i = 0; i < 10; i++)
        s += gl20_w[i] * (warmup_term(kind, beta2, lambda, a, c - h * gl20_x[i])
                          + warmup_term(kind, beta2, lambda, a, c + h * gl20_x[i]));
    return h * s;
}

/* At most this many terms are summed one by one after the first rectified
 * step; at most this many pieces make the integral of the tail. */
#define WARMUP_EXACT_TERMS 16384.0
#define WARMUP_MAX_PIECES 400

/* sum_{t>=1} (1 - w_t): 1 before the threshold, 1 - r_t after.
 *
 * 1 - r_t = O(rho_inf - rho_t) = O(t beta2^t).  The first terms after the
 * threshold vary on the scale of one step, so up to WARMUP_EXACT_TERMS of
 * them are summed one by one; once t > 1/(1-beta2) the rest is below
 * term_t/(1-beta2) (ratio <= ~beta2), and the sum stops when that is below
 * 1e-16 of the sum.  When beta2 is so close to 1 that the terms last longer
 * (1e7 steps at beta2 = 1 - 1e-7), the tail from T0 = t_first + 16384 is
 * smooth on the scale of min(t, 1/(1-beta2)) >= 16384 steps and is summed
 * with the midpoint Euler-Maclaurin formula
 *   sum_{t>=T0} f(t) = int_{T0-1/2}^inf f + f'(T0-1/2)/24 - 7 f'''(T0-1/2)/5760 + R,
 * the derivatives by central differences (step 64), the integral by
 * 20-point Gauss-Legendre on pieces [x, 2x] up to 1/(1-beta2), then of
 * length 1/(1-beta2) until a piece adds less than 1e-17 of the sum (f decays
 * like exp(-(1-beta2) t) there).  R is of the order of f^(5)/s^5 ~ 1e-21 of
 * f: the error is that of the arithmetic.  Cost: at most 16384 terms and
 * WARMUP_MAX_PIECES pieces of 60 evaluations, for every beta2 in (0, 1). */
int radvar_rectify_effective_warmup_e(radvar_rectify_kind kind, double beta2,
                                      const radvar_rectify_threshold *th, radvar_result *r)
{
    uint64_t t_first;
    if (th == NULL || !(beta2 > 0.0) || (unsigned)kind > RADVAR_RECTIFY_MOMENT
        || radvar_rectify_first_step(beta2, th, &t_first))
        RADVAR_DOMAIN_ERROR(r);
    double rho_inf = radvar_schedule_rho_inf(beta2), q = 1.0 - beta2;
    double lambda = radvar_schedule_ema_decay_rate(beta2);
    double t_geometric = 1.0 / q; /* past it, term_{t+1}/term_t <= ~beta2 */
    radvar_ksum sum = {(double)(t_first - 1), 0.0};
    double t0 = (double)t_first, t_end = t0 + WARMUP_EXACT_TERMS;
    for (double t = t0; t < t_end; t++) {
        double term = warmup_term(kind, beta2, lambda, rho_inf, t);
        radvar_ksum_add(&sum, term);
        if (term == 0.0 /* every later term is 0 too */
            || (t > t_geometric && fabs(term) / q <= 1e-16 * fabs(radvar_ksum_value(&sum)))) {
            r->val = radvar_ksum_value(&sum);
            /* the tail left out (< 1e-16), the compensated sum (2 eps) and
             * the terms: a few eps each, relative for the paper's r_t (no
             * cancellation), absolute for the others (1 - r with r near 1) */
            r->err = (1e-16 + 8.0 * DBL_EPSILON) * fabs(r->val)
                     + (kind == RADVAR_RECTIFY_PAPER ? 0.0 : 2.0 * (t - t0 + 1.0) * DBL_EPSILON);
            if (!isfinite(r->val)) {
                r->err = NAN;
                return RADVAR_EMAXITER;
            }
            return RADVAR_SUCCESS;
        }
    }
    /* the tail from T0 = t_end, by Euler-Maclaurin (see above) */
    double x0 = t_end - 0.5, h = 64.0;
    double fm2 = warmup_term(kind, beta2, lambda, rho_inf, x0 - 2 * h),
           fm1 = warmup_term(kind, beta2, lambda, rho_inf, x0 - h),
           fp1 = warmup_term(kind, beta2, lambda, rho_inf, x0 + h),
           fp2 = warmup_term(kind, beta2, lambda, rho_inf, x0 + 2 * h);
    double d1 = (fm2 - 8.0 * fm1 + 8.0 * fp1 - fp2) / (12.0 * h);
    double d3 = (fp2 - 2.0 * fp1 + 2.0 * fm1 - fm2) / (2.0 * h * h * h);
    double em3 = -7.0 * d3 / 5760.0, quad_err = 0.0;
    radvar_ksum_add(&sum, d1 / 24.0);
    radvar_ksum_add(&sum, em3);
    double lo = x0;
    int pieces = 0;
    for (; pieces < WARMUP_MAX_PIECES; pieces++) {
        double hi = lo < t_geometric ? fmin(2.0 * lo, t_geometric) : lo + t_geometric;
        double mid = 0.5 * (lo + hi);
        double halves = gl20(kind, beta2, lambda, rho_inf, lo, mid)
                        + gl20(kind, beta2, lambda, rho_inf, mid, hi);
        quad_err += fabs(halves - gl20(kind, beta2, lambda, rho_inf, lo, hi));
        radvar_ksum_add(&sum, halves);
        lo = hi;
        if (lo >= t_geometric && fabs(halves) <= 1e-17 * fabs(radvar_ksum_value(&sum)))
            break;
    }
    r->val = radvar_ksum_value(&sum);
    /* the next Euler-Maclaurin term is far below the last one taken, the
     * quadrature's error below the difference of its two estimates; the
     * arithmetic as above, over the terms and the length integrated */
    r->err = fabs(em3) + quad_err + 8.0 * DBL_EPSILON * fabs(r->val)
             + (kind == RADVAR_RECTIFY_PAPER ? 0.0
                                             : 2.0 * (WARMUP_EXACT_TERMS + (lo - x0)) * DBL_EPSILON);
    if (pieces == WARMUP_MAX_PIECES || !isfinite(r->val)) {
        r->err = NAN;
        return RADVAR_EMAXITER;
    }
    return RADVAR_SUCCESS;
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
