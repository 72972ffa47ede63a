/* exact.c: exact moments of psi for X = sum w_i g_i^2, g_i ~ N(mu, sigma^2).
 *
 * DESCRIPTION
 *   Normalise Y = X/m with m = E[X] = (sigma^2 + mu^2) sum w_i, so E[Y] = 1 and
 *   psi = m^(-1/2) Y^(-1/2).  With y_i = 2 s sigma^2 w_i / m and
 *   r_mu = mu^2 / (2 sigma^2), the log-Laplace transform of Y is
 *     ln L_Y(s) = -s + g(s),
 *     g(s) = sum_i [ -log1pmx(y_i)/2 + r_mu y_i^2 / (1 + y_i) ]  >= 0,
 *   (expand ln L_Y and use s = sum_i s w_i (sigma^2 + mu^2)/m), a sum of
 *   non-negative terms.  Then, from E[Y^-a] = Gamma(a)^-1 int s^(a-1) L_Y(s) ds
 *   and int s^(a-1) e^-s ds = Gamma(a),
 *     A = E[Y^-1]   - 1 = int_0^inf e^-s expm1(g(s)) ds,
 *     B = E[Y^-1/2] - 1 = pi^(-1/2) int_0^inf s^(-1/2) e^-s expm1(g(s)) ds,
 *     E[psi] = (1 + B)/sqrt(m),  E[psi^2] = (1 + A)/m,
 *     Var[psi] = (A - 2B - B^2)/m.
 *
 * NOTES
 *   Computed as E[X^-1] - E[X^-1/2]^2, Var[psi] loses log10(8 rho) digits
 *   (5 at beta2 = 0.9999).  Here A and B are computed directly (never as a
 *   difference from 1) and A - 2B - B^2 ~ A/4 cancels by a factor of about 4
 *   only, so Var[psi] keeps the quadrature's relative accuracy.
 *   For the EMA the weights are c beta2^j (age j); the terms with y_j < 0.05
 *   are summed as power series in y, sum_k (-1)^k (1/(2k) + r_mu) y^k, whose
 *   sums over j are geometric in closed form, so an evaluation costs
 *   O(#{j : y_j >= 0.05}) instead of O(t).
 *   Where g >= 1 (large s) the integrand is L_Y - e^-s, with ln L_Y summed
 *   from its own terms -log1p(y)/2 - r_mu y/(1+y): g - s would carry an
 *   absolute error eps s, which at t = 3 (L_Y ~ s^-3/2) reached 5e-12 of
 *   Var[psi].
 *
 * REFERENCES
 *   The Laplace-transform moments: N. L. Johnson, S. Kotz, N. Balakrishnan,
 *   Continuous Univariate Distributions vol. 2, ch. 29 (noncentral chi-square);
 *   E[X^-a] = Gamma(a)^-1 int s^(a-1) E[e^(-sX)] ds (Cressie et al. 1981,
 *   The moment-generating function and negative integer moments).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>

#include "ksum.h"
#include "result.h"
#include "special.h"
#include "radvar/exact.h"
#include "radvar/schedule.h"

#define Y_SERIES 0.05   /* below it, a term is summed by the power series */
#define SERIES_TERMS 16 /* 0.05^16 = 1.5e-21 */
#define QUAD_LIMIT 2000
#define QUAD_EPSREL 1e-12
/* Every loop over the terms of g ends at y < Y_SERIES, after
 * ln(y_0 / Y_SERIES)/lambda terms; this caps it for any finite input (the
 * quadratures never come near it: y_0 stays below 1e3 or so), and a NaN
 * ends it at once.  Past the cap the evaluation is NaN, and the quadrature
 * fails with a status. */
#define EXPLICIT_MAX 67108864.0 /* 2^26 */
/* Weights of very different sizes (the EMA with beta2 < 0.01: w_0/w_2 =
 * 1/beta2^2 > 1e4) make L_Y(s) fall like s^-1/2, then s^-1, then s^-3/2
 * over decades of s each: QAGIU's one map of [0, inf) then fails (at
 * beta2 = 1e-5 it gave E[psi^2] = -1.02).  There the integrals are split at
 * every decade of s up to 100 times the knee of the fourth-largest weight
 * (QAG on each), and QAGIU takes the s^-3/2 tail beyond. */
#define SPLIT_RATIO 1e4
#define SPLIT_POINTS 320 /* 0, 1, 10, ..., 1e308 */

typedef struct {
    /* arbitrary weights */
    const double *w;
    size_t n;
    /* or the EMA: weights c b^j, j = 0 .. t-1 (t may be inf) */
    int ema;
    double c, lambda, t;
    /* y_j = kappa s w_j; r_mu = mu^2 / (2 sigma^2) */
    double kappa, r_mu;
    size_t evaluations;
} problem;

/* one term of g: -log1pmx(y)/2 + r_mu y^2/(1+y) */
static inline double g_term(double y, double r_mu)
{
    return -0.5 * radvar_special_log1pmx(y) + r_mu * y * (y / (1.0 + y));
}

static double g_weights(double s, const problem *p)
{
    radvar_ksum sum = {0, 0};
    for (size_t i = 0; i < p->n; i++)
        radvar_ksum_add(&sum, g_term(p->kappa * s * p->w[i], p->r_mu));
    return radvar_ksum_value(&sum);
}

static double g_ema(double s, const problem *p)
{
    double y0 = p->kappa * s * p->c; /* the newest gradient's y */
    radvar_ksum sum = {0, 0};
    double j = 0;
    /* explicit terms while y_j >= Y_SERIES: y_j = y0 e^(-lambda j) */
    for (; j < p->t; j++) {
        double y = y0 * exp(-p->lambda * j);
        if (!(y >= Y_SERIES)) /* a NaN ends the loop too */
            break;
        if (j >= EXPLICIT_MAX)
            return NAN;
        radvar_ksum_add(&sum, g_term(y, p->r_mu));
    }
    if (j < p->t) {
        /* sum_{j' >= j} sum_k (-1)^k (1/(2k) + r_mu) y_j'^k with
         * sum_{j'=j}^{t-1} e^(-k lambda j') = e^(-k lambda j)(1 - e^(-k lambda (t-j)))/(1 - e^(-k lambda)) */
        double yj = y0 * exp(-p->lambda * j), yk = yj;
        for (int k = 2; k <= SERIES_TERMS; k++) {
            yk *= yj;
            double geometric = -expm1(-k * p->lambda) ;
            double span = isinf(p->t) ? 1.0 : -expm1(-k * p->lambda * (p->t - j));
            double term = (0.5 / k + p->r_mu) * yk * span / geometric;
            radvar_ksum_add(&sum, (k & 1) ? -term : term);
            if (term < 1e-18 * fabs(radvar_ksum_value(&sum)))
                break;
        }
    }
    return radvar_ksum_value(&sum);
}

/* ln L_Y(s) = g(s) - s summed from its own terms -log1p(y)/2 - r_mu y/(1+y)
 * (the tail of the EMA: the series of g less (1/2 + r_mu) sum y): where
 * g >= 1 the difference g - s would carry the absolute error eps s */
static double lly_gauss(double s, const problem *p)
{
    radvar_ksum sum = {0, 0};
    if (!p->ema) {
        for (size_t i = 0; i < p->n; i++) {
            double y = p->kappa * s * p->w[i];
            radvar_ksum_add(&sum, -0.5 * log1p(y) - p->r_mu * (y / (1.0 + y)));
        }
        return radvar_ksum_value(&sum);
    }
    double y0 = p->kappa * s * p->c, j = 0;
    for (; j < p->t; j++) {
        double y = y0 * exp(-p->lambda * j);
        if (!(y >= Y_SERIES))
            break;
        if (j >= EXPLICIT_MAX)
            return NAN;
        radvar_ksum_add(&sum, -0.5 * log1p(y) - p->r_mu * (y / (1.0 + y)));
    }
    if (j < p->t) {
        double yj = y0 * exp(-p->lambda * j), yk = yj;
        double span1 = isinf(p->t) ? 1.0 : -expm1(-p->lambda * (p->t - j));
        radvar_ksum_add(&sum, -(0.5 + p->r_mu) * yj * span1 / -expm1(-p->lambda));
        for (int k = 2; k <= SERIES_TERMS; k++) {
            yk *= yj;
            double geometric = -expm1(-k * p->lambda);
            double span = isinf(p->t) ? 1.0 : -expm1(-k * p->lambda * (p->t - j));
            double term = (0.5 / k + p->r_mu) * yk * span / geometric;
            radvar_ksum_add(&sum, (k & 1) ? -term : term);
            if (term < 1e-18 * fabs(radvar_ksum_value(&sum)))
                break;
        }
    }
    return radvar_ksum_value(&sum);
}

/* e^-s expm1(g(s)) without overflow: L_Y(s) - e^-s where g >= 1 */
static double laplace_excess(double s, void *params)
{
    problem *p = params;
    p->evaluations++;
    double g = p->ema ? g_ema(s, p) : g_weights(s, p);
    if (g < 1.0)
        return exp(-s) * expm1(g);
    return exp(lly_gauss(s, p)) - exp(-s);
}

/* GSL's status for one piece: roundoff or the subdivision limit is
 * accepted when the error estimate is still far below what callers need
 * (1e-10 relative); a NaN never is */
static int quad_status(int status, double val, double err)
{
    if (!isfinite(val) || !isfinite(err))
        return RADVAR_EMAXITER;
    if (status == GSL_SUCCESS)
        return RADVAR_SUCCESS;
    if ((status == GSL_EROUND || status == GSL_EMAXITER || status == GSL_ESING)
        && err <= 1e-10 * fabs(val))
        return RADVAR_SUCCESS;
    return RADVAR_EMAXITER;
}

typedef struct {
    double (*f)(double, void *);
    void *p;
    double scale;
} scaled_tail;

/* S f(S u) */
static double scaled_tail_f(double u, void *params)
{
    const scaled_tail *t = params;
    return t->scale * t->f(t->scale * u, t->p);
}

/* int_0^inf f: QAGIU, or (s_tail > 0) QAG over each of [0, 1], [1, 10],
 * [10, 100], ... up to the first decade S >= s_tail, and QAGIU over [S, inf)
 * in u = s/S */
static int integrate(double (*f)(double, void *), void *p, double epsrel, double s_tail,
                     gsl_integration_workspace *ws, double *val, double *err)
{
    gsl_function F = {f, p};
    if (!(s_tail > 0)) {
        int status = gsl_integration_qagiu(&F, 0.0, 0.0, epsrel, QUAD_LIMIT, ws, val, err);
        return quad_status(status, *val, *err);
    }
    double pts[SPLIT_POINTS];
    size_t npts = 0;
    pts[npts++] = 0.0;
    for (double d = 1.0; npts < SPLIT_POINTS; d *= 10.0) {
        pts[npts++] = d;
        if (d >= s_tail)
            break;
    }
    /* each decade by QAG (Gauss-Kronrod 21): the integrand is positive and
     * smooth in each, and QAGP's extrapolation over all of them at once
     * converged to a wrong value (1% off at beta2 = 1e-5) */
    radvar_ksum sum_v = {0, 0}, sum_e = {0, 0};
    int ok = 1;
    for (size_t i = 0; i + 1 < npts; i++) {
        double v = NAN, e = NAN;
        int st = gsl_integration_qag(&F, pts[i], pts[i + 1], 0.0, epsrel, QUAD_LIMIT,
                                     GSL_INTEG_GAUSS21, ws, &v, &e);
        ok &= quad_status(st, v, e) == RADVAR_SUCCESS;
        radvar_ksum_add(&sum_v, v);
        radvar_ksum_add(&sum_e, e);
    }
    /* the tail in u = s/S: QAGIU's map s = a + (1-x)/x has unit scale, and
     * from a = S itself it missed the tail (-3.5e-10 for 2.24 at beta2 = 1e-4) */
    scaled_tail tail = {f, p, pts[npts - 1]};
    gsl_function G = {scaled_tail_f, &tail};
    double v2 = NAN, e2 = NAN;
    int st2 = gsl_integration_qagiu(&G, 1.0, 0.0, epsrel, QUAD_LIMIT, ws, &v2, &e2);
    ok &= quad_status(st2, v2, e2) == RADVAR_SUCCESS;
    radvar_ksum_add(&sum_v, v2);
    radvar_ksum_add(&sum_e, e2);
    *val = radvar_ksum_value(&sum_v);
    *err = radvar_ksum_value(&sum_e);
    if (ok)
        return RADVAR_SUCCESS;
    /* a piece short of its tolerance: what counts is the whole */
    return quad_status(GSL_EMAXITER, *val, *err);
}

/* A model's excess e^-s expm1(g(s)) and its parameters: the integrand of
 * E[psi^2] is the excess itself, that of E[psi] the excess over sqrt(s). */
typedef struct {
    double (*excess)(double s, void *params);
    void *params;
} excess_fn;

static double integrand_a(double s, void *fn)
{
    const excess_fn *e = fn;
    return e->excess(s, e->params);
}

static double integrand_b(double s, void *fn)
{
    const excess_fn *e = fn;
    return s > 0 ? e->excess(s, e->params) / sqrt(s) : 0.0;
}

/* The two integrals and the moments from them, in the units of the caller
 * (see finish).  excess takes params and counts its evaluations in
 * *evaluations; s_tail as for integrate. */
static int solve_integrals(double (*excess)(double, void *), void *params,
                           const size_t *evaluations, double epsrel, double s_tail,
                           double m, size_t terms, radvar_exact_moments *r)
{
    excess_fn fn = {excess, params};
    r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
    r->evaluations = 0;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (ws == NULL)
        return RADVAR_ENOMEM;
    double a = NAN, b, err_a = NAN, err_b;
    int status = integrate(integrand_b, &fn, epsrel, s_tail, ws, &b, &err_b);
    b /= sqrt(M_PI);
    err_b /= sqrt(M_PI);
    if (terms >= 3) {
        int status_a = integrate(integrand_a, &fn, epsrel, s_tail, ws, &a, &err_a);
        status = status ? status : status_a;
    }
    gsl_integration_workspace_free(ws);
    r->evaluations = *evaluations;
    r->mean_psi = (1.0 + b) / sqrt(m);
    if (terms < 3)
        return RADVAR_EDOM;
    r->mean_psi2 = (1.0 + a) / m;
    r->var_psi = (a - 2.0 * b - b * b) / m;
    r->abs_err = (err_a + 2.0 * (1.0 + b) * err_b) / m + 4.0 * DBL_EPSILON * fabs(a) / m;
    return status;
}

/* Scaled units.  psi scales as 1/sigma at fixed mu/sigma, and the integrals
 * depend on mu/sigma only; but sigma^2 + mu^2 under- or overflows outside
 * about [1e-154, 1e154] (sigma = 1e-200 made a NaN that hung the quadrature).
 * Where h = sqrt(sigma^2 + mu^2) is outside [2^-400, 2^400], mu and sigma are
 * divided by a power of two near h (exactly), and the moments multiplied
 * back; inside, nothing changes (bit for bit the results of before). */
static int scale_exponent(double mu, double sigma)
{
    double h = hypot(mu, sigma);
    return h >= 0x1p-400 && h <= 0x1p400 ? 0 : ilogb(h);
}

/* The last step of every entry: a moment the quadrature left non-positive or
 * NaN is a failure (NaN, RADVAR_EMAXITER), never a value; then the moments
 * back in the units of the caller (exponent e), and one that is not a normal
 * double there (overflow, or underflow below DBL_MIN) is NaN with RADVAR_EDOM. */
static int finish(int status, int e, size_t terms, radvar_exact_moments *r)
{
    if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER && !(status == RADVAR_EDOM && terms < 3))
        return status;
    int full = terms >= 3;
    if (!(r->mean_psi > 0 && isfinite(r->mean_psi))
        || (full && !(r->mean_psi2 > 0 && isfinite(r->mean_psi2) && r->var_psi > 0
                      && isfinite(r->var_psi) && r->abs_err >= 0 && isfinite(r->abs_err)))) {
        r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
        return RADVAR_EMAXITER;
    }
    r->mean_psi = ldexp(r->mean_psi, -e);
    if (!(r->mean_psi >= DBL_MIN && isfinite(r->mean_psi))) {
        r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
        return RADVAR_EDOM;
    }
    if (!full)
        return status;
    r->mean_psi2 = ldexp(r->mean_psi2, -2 * e);
    r->var_psi = ldexp(r->var_psi, -2 * e);
    r->abs_err = ldexp(r->abs_err, -2 * e);
    if (!(r->mean_psi2 >= DBL_MIN && isfinite(r->mean_psi2) && r->var_psi >= DBL_MIN
          && isfinite(r->var_psi) && isfinite(r->abs_err))) {
        r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
        return RADVAR_EDOM;
    }
    return status;
}

/* The common domain of mu and sigma */
static int bad_mu_sigma(double mu, double sigma)
{
    return !isfinite(mu) || !(sigma > 0) || !isfinite(sigma)
           || !(fabs(mu) <= RADVAR_EXACT_MU_SIGMA_MAX * sigma);
}

/* s_tail for weights whose largest is ratio times the third-largest (or
 * the last), with the knee at y = kappa s w_knee = 1: 0 (one QAGIU) below
 * SPLIT_RATIO, else 100 times the knee, or -1 where that is not finite.
 * The knee is that of the fourth-largest weight (or the last): past the
 * third, L_Y ~ s^-3/2 until the fourth bends it, which changes E[Y^-1] by
 * O(1) while E[Y^-1] ~ beta2^-1/2 (1e-10 of it at beta2 = 1e-20, when QAGIU
 * took that knee 1e20 beyond its start); the later knees change it by
 * O(beta2) only. */
static double split_tail(double ratio, double kappa_w_knee)
{
    if (!(ratio > SPLIT_RATIO))
        return 0.0;
    double s_tail = 100.0 / kappa_w_knee;
    return isfinite(s_tail) ? s_tail : -1.0;
}

/* the age of the EMA's knee weight (see split_tail) */
static double knee_age(double t)
{
    return fmin(t - 1.0, 3.0);
}

int radvar_exact_moments_weights(const double *w, size_t n, double mu, double sigma,
                                 radvar_exact_moments *r)
{
    r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
    r->evaluations = 0;
    if (w == NULL || n < 2 || bad_mu_sigma(mu, sigma))
        return RADVAR_EDOM;
    radvar_ksum total = {0, 0};
    double top[4] = {0, 0, 0, 0}; /* the four largest weights */
    for (size_t i = 0; i < n; i++) {
        if (!(w[i] > 0) || !isfinite(w[i]))
            return RADVAR_EDOM;
        radvar_ksum_add(&total, w[i]);
        if (w[i] > top[3]) {
            top[3] = w[i];
            for (int k = 3; k > 0 && top[k] > top[k - 1]; k--) {
                double x = top[k];
                top[k] = top[k - 1];
                top[k - 1] = x;
            }
        }
    }
    int e = scale_exponent(mu, sigma);
    mu = ldexp(mu, -e);
    sigma = ldexp(sigma, -e);
    double sigma2 = sigma * sigma, m = (sigma2 + mu * mu) * radvar_ksum_value(&total);
    problem p = {w, n, 0, 0, 0, 0, 2.0 * sigma2 / m, mu * mu / (2.0 * sigma2), 0};
    double s_tail = split_tail(top[0] / top[n >= 3 ? 2 : 1], p.kappa * top[n >= 4 ? 3 : n - 1]);
    if (s_tail < 0)
        return RADVAR_EDOM;
    int status = solve_integrals(laplace_excess, &p, &p.evaluations, QUAD_EPSREL, s_tail,
                                 m, n, r);
    return finish(status, e, n, r);
}

int radvar_exact_moments_ema(double beta2, double t, double mu, double sigma,
                             radvar_exact_moments *r)
{
    r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
    r->evaluations = 0;
    if (!(beta2 >= RADVAR_EXACT_BETA2_MIN && beta2 < 1) || !(t >= 2) || (isfinite(t) && t != floor(t))
        || bad_mu_sigma(mu, sigma))
        return RADVAR_EDOM;
    int e = scale_exponent(mu, sigma);
    mu = ldexp(mu, -e);
    sigma = ldexp(sigma, -e);
    double lambda = radvar_schedule_ema_decay_rate(beta2);
    /* c = (1 - beta2)/(1 - beta2^t): sum of the weights is 1 */
    double c = isinf(t) ? 1.0 - beta2 : (1.0 - beta2) / -expm1(-t * lambda);
    double sigma2 = sigma * sigma, m = sigma2 + mu * mu;
    problem p = {NULL, 0, 1, c, lambda, t, 2.0 * sigma2 / m, mu * mu / (2.0 * sigma2), 0};
    size_t terms = t >= 3 ? 3 : 2;
    double s_tail = split_tail(exp(lambda * (terms - 1.0)), p.kappa * c * exp(-lambda * knee_age(t)));
    if (s_tail < 0)
        return RADVAR_EDOM;
    int status = solve_integrals(laplace_excess, &p, &p.evaluations, QUAD_EPSREL, s_tail,
                                 m, terms, r);
    return finish(status, e, terms, r);
}

/* ======================================================================
 * Non-Gaussian gradient noise (radvar/noise.h).
 *
 * DESCRIPTION
 *   The same two integrals, A and B, of e^-s expm1(g(s)), with
 *   g(s) = ln L_Y(s) + s >= 0 (Jensen) for each model.  With m = E[X] and
 *   normalised weights (sum w_j = 1, w_j = c b^j by age j):
 *
 *   i.i.d. scale mixtures (student, laplace, mixture).  Each model is
 *   g = mu + sigma sqrt(V) Z with E[V] = 1: V = (nu-2)/chi2_nu (student),
 *   V ~ Exp(1) (laplace), V = c^2 S^2 (mixture).  With x = a m for the
 *   one-step transform E exp(-a g^2), y = 2 x (sigma^2/m) V, r = x mu^2/m,
 *     psi(y, r) = (1+y)^-1/2 exp(-r/(1+y)) = E[exp(-a g^2) | V],
 *     D(y, r)   = psi - 1 + y/2 + r >= 0,  E[D] = phi(x) - 1 + x,
 *     H(x)      = ln phi(x) + x = log1pmx(E[D] - x) + E[D] >= 0,
 *   and g(s) = sum_j H(s w_j).  D is summed without cancellation as
 *   (e^l - 1 - l) + (-log1pmx(y)/2 + r y/(1+y)), l = ln psi.  E over V is a
 *   sum over two atoms (mixture) or the trapezoidal rule in theta = ln V
 *   (laplace) or theta = ln chi2 (student): the integrands are analytic in
 *   |Im theta| < pi/2, and the step (0.2, or about 0.7/sqrt(nu/2) for large
 *   nu) makes the error bound min_eta (1/cos eta)^q e^(-2 pi eta/h) < 1e-18
 *   (q = nu/2, or 1 for laplace).  The student weights use Stirling's form
 *   of the chi2 density about its mode (Binet's function), which keeps them
 *   accurate for large nu; the sums stop once past the peak of the terms and
 *   below 1e-19 of the sum.  For student with nu <= 4, D ~ y/2 for large y
 *   makes the tail toward small chi2 decay like chi2^(nu/2 - 1); the function
 *   G(y) = (y/2) e^(-2/y), whose mean is (beta/2)/(nu-2) (1 + 4/beta)^(1-nu/2)
 *   in closed form (beta = y chi2), is subtracted first, so that D - G decays
 *   like chi2^(nu/2).
 *   The one-step functions are tabulated once per call, as Chebyshev series
 *   (degree 32, segments bisected until the last coefficients are at
 *   rounding level) in u = ln x: ln H on [-92, 0], ln phi on [0, 40], and
 *   ln K, K(u) = int_-inf^u H(v) dv, summed node by node from Gauss-Legendre
 *   sums of the ln H series.  Below u = -92 ln H is continued linearly
 *   (H < 1e-60 there).
 *   Then, with u_j = ln(s w_0) - j lambda,
 *     sum_j F(u_j) = [KF(u_top) - KF(u_bot)]/lambda + [F(u_top) + F(u_bot)]/2
 *                    + sum_k B_2k/(2k)! lambda^(2k-1) [F^(2k-1)(u_top) - F^(2k-1)(u_bot)]
 *   (Euler-Maclaurin in j; F = H for u <= 0, F = ln phi for 0 < u <= 40, the
 *   terms above u = 40 are evaluated one by one), so an evaluation of g costs
 *   O(1) whatever t.  The terms' derivatives in u are bounded like
 *   k!/(pi/2)^k, so the omitted terms are below 1e-16 relative for
 *   lambda <= 0.08 (beta2 >= 0.923); sums of 12 terms or fewer and smaller
 *   beta2 are summed term by term from the tables (until the rest is below
 *   1e-19 of the sum, from the least slope of ln H below u = -30).  Over spans
 *   u_top - u_bot < 1, where the K difference would cancel, the integral is
 *   a 10-point Gauss-Legendre sum instead.  Where g >= 1 the
 *   integrand is L_Y - e^-s with ln L_Y = sum_j ln phi(x_j) summed from the
 *   ln phi table, so that it keeps its absolute accuracy at large s.
 *
 *   ar1.  g ~ N(mu 1, sigma^2 R), R_ij = F^|i-j|: a Kalman filter from the
 *   oldest gradient to the newest gives ln L_Y = sum_j ln E[exp(-a_j g_j^2)
 *   | penalties on the older ones] in O(t).  With the predictive variance
 *   P_j = 1 - Delta_j of e_j and its mean -d_j mu/sigma, and y_j = 2 a_j sigma^2,
 *     g = sum_j [-log1pmx(y P)/2 + y Delta/2 + r_mu y (y P + d (2-d))/(1 + y P)],
 *     Delta' = F^2 (Delta + y P)/(1 + y P), d' = F (d + y P)/(1 + y P),
 *   r_mu = mu^2/(2 sigma^2), starting from Delta = d = 0.  Each term is >= 0
 *   for F >= 0; for F < 0 the mean terms alternate in sign, but every term is
 *   of second order in y, so the sum keeps its relative accuracy.  Ages with
 *   beta2^j < 1e-10 are left out: they enter g at second order in their
 *   y_j, so they change it by less than beta2^(2j) = 1e-20 relative (and
 *   ln L_Y, where it is summed directly, by their first-order terms, which
 *   are added in closed form).
 *
 *   decay.  Independent Gaussians with scales s_j: the Gaussian term of g
 *   with y_j = 2 s sigma^2 w_j s_j^2 / m and r_j = mu^2 / (2 sigma^2 s_j^2),
 *   each >= 0.  The terms are not monotone in j; those after the last j with
 *   y_j >= 0.05 (found from suffix maxima) are summed as power series from
 *   suffix power sums of w_j s_j^2 and r_j (w_j s_j^2)^k, precomputed once per
 *   call at every 64th j: O(t) time and memory per call, O(terms with
 *   y >= 0.05) per evaluation.
 *
 *   All models: the quadratures ask for 1e-13 relative (the Gaussian code
 *   keeps 1e-12), and abs_err adds to GSL's estimates 1e-12 (i.i.d. tables)
 *   or 1e-13 (ar1, decay) of A and B, a bound on the error of g.
 */
#include <string.h>

#include "radvar/noise.h"

#define NC 32            /* Chebyshev degree of a segment */
#define NDER 9           /* derivatives kept (Euler-Maclaurin to lambda^9) */
#define U_LO (-92.0)     /* ln H below: continued linearly */
#define U_HI 40.0        /* ln phi above: evaluated term by term */
#define LAMBDA_EM 0.08   /* Euler-Maclaurin for lambda up to this */
#define SPAN_GL 1.0      /* spans shorter than this: the integral by Gauss-Legendre */
#define X_SWITCH 1.0     /* E[D] below, E[psi] above (u = 0) */
#define SINC_H 0.2
#define FAR_MAX 256      /* terms above U_HI: beyond, L_Y(s) = 0 */
#define MAX_SEG 512
/* the quadratures' relative tolerance (the Gaussian code keeps 1e-12): the
 * integrand is accurate to about 1e-15 here, and 1e-13 is the tightest GSL
 * reaches without roundoff errors (at t = 3 1e-12 leaves 1e-13 in Var) */
#define NOISE_EPSREL 1e-13

/* ---- small stable helpers ---- */

/* log1p(x) - x for x >= 0 (and x > -1/2), fast: -x^2/(2+x) + 2 sum_k z^(2k+1)/(2k+1),
 * z = x/(2+x) (log1p(x) = 2 atanh z); z^2 <= 1/25 below x = 1/2 */
static double fl1pmx(double x)
{
    if (x >= 0.5 || x <= -0.5)
        return log1p(x) - x;
    double z = x / (2.0 + x), z2 = z * z, zk = z * z2, sum = 0.0;
    for (int k = 3; k < 60; k += 2) {
        double add = zk / k;
        sum += add;
        if (fabs(add) <= 0.5 * DBL_EPSILON * fabs(sum))
            break;
        zk *= z2;
    }
    return 2.0 * sum - x * (x / (2.0 + x));
}

/* e^l - 1 - l >= 0 */
static double em1mx(double l)
{
    if (fabs(l) >= 0.5)
        return expm1(l) - l;
    double term = 0.5 * l * l, sum = term;
    for (int k = 3; k < 40; k++) {
        term *= l / k;
        sum += term;
        if (fabs(term) <= 0.5 * DBL_EPSILON * sum)
            break;
    }
    return sum;
}

/* D(y, r) = psi - 1 + y/2 + r >= 0 */
static double d_fun(double y, double r)
{
    double ell = -0.5 * log1p(y) - r / (1.0 + y);
    return em1mx(ell) + (-0.5 * fl1pmx(y) + r * (y / (1.0 + y)));
}

/* psi(y, r) */
static double psi_fun(double y, double r)
{
    return exp(-0.5 * log1p(y) - r / (1.0 + y));
}

/* ---- one step: E over the scale V ---- */

typedef struct {
    int student;   /* G subtraction */
    int adaptive;  /* stop once the terms have decayed (sinc grids) */
    double s2, m2; /* sigma^2/m, mu^2/m */
    double nu;
    size_t nk;
    double *yk, *wk; /* y = x yk[k]; weights; in the order the loop runs */
} onestep;

/* E[D] at x: sum_k w_k (D - G)(x yk) + E[G] */
static double os_mean_d(const onestep *o, double x)
{
    double r = x * o->m2, sum = 0.0, prev = INFINITY;
    radvar_ksum acc = {0, 0};
    for (size_t k = 0; k < o->nk; k++) {
        double y = x * o->yk[k], d;
        if (o->student && y >= 0.04) {
            if (y < 1.0)
                d = d_fun(y, r) - 0.5 * y * exp(-2.0 / y);
            else
                d = (psi_fun(y, r) - 1.0 + r) - 0.5 * y * expm1(-2.0 / y);
        } else {
            d = d_fun(y, r);
        }
        double term = o->wk[k] * d;
        radvar_ksum_add(&acc, term);
        sum = radvar_ksum_value(&acc);
        /* past the peak of the terms and far down its tail */
        if (o->adaptive && sum > 0 && fabs(term) <= 1e-19 * sum && fabs(term) <= prev)
            break;
        prev = fabs(term);
    }
    if (o->student) {
        double beta = 2.0 * x * o->s2 * (o->nu - 2.0);
        radvar_ksum_add(&acc, 0.5 * beta / (o->nu - 2.0) * exp((1.0 - 0.5 * o->nu) * log1p(4.0 / beta)));
    }
    return radvar_ksum_value(&acc);
}

/* E[psi] = phi(x) */
static double os_mean_psi(const onestep *o, double x)
{
    double r = x * o->m2, prev = INFINITY;
    radvar_ksum acc = {0, 0};
    for (size_t k = 0; k < o->nk; k++) {
        double term = o->wk[k] * psi_fun(x * o->yk[k], r);
        radvar_ksum_add(&acc, term);
        double sum = radvar_ksum_value(&acc);
        if (o->adaptive && sum > 0 && term <= 1e-19 * sum && term <= prev)
            break;
        prev = term;
    }
    return radvar_ksum_value(&acc);
}

/* ln H(e^u) (u <= 0) */
static double os_log_h(const onestep *o, double u)
{
    double x = exp(u);
    if (x < X_SWITCH) {
        double ed = os_mean_d(o, x);
        return log(fl1pmx(ed - x) + ed);
    }
    return log(log(os_mean_psi(o, x)) + x);
}

/* ln phi(e^u) (u >= 0) */
static double os_log_phi(const onestep *o, double u)
{
    return log(os_mean_psi(o, exp(u)));
}

static void os_free(onestep *o)
{
    free(o->yk);
    free(o->wk);
}

/* The trapezoidal step in theta for a density exp(q theta - e^theta/c):
 * shifted to Im theta = eta its modulus grows by at most (1/cos eta)^q, so
 * the error is below min_eta (1/cos eta)^q e^(-2 pi eta / h); the largest
 * h <= SINC_H that makes this 1e-18 (h ~ 0.7/sqrt(q) for large q). */
static double sinc_step(double q)
{
    double h = fmin(SINC_H, 0.8 / sqrt(q));
    for (int it = 0; it < 200; it++) {
        double eta = atan(2.0 * M_PI / (q * h)); /* the minimising eta */
        if (-q * log(cos(eta)) - 2.0 * M_PI * eta / h < log(1e-18))
            break;
        h *= 0.95;
    }
    return h;
}

/* The mixture's two scales: exact, no quadrature. */
static int os_init_mixture(onestep *o, const radvar_noise *n)
{
    o->nk = 2;
    o->yk = malloc(2 * sizeof *o->yk);
    o->wk = malloc(2 * sizeof *o->wk);
    if (o->yk == NULL || o->wk == NULL)
        return RADVAR_ENOMEM;
    double c2 = 1.0 / (1.0 - n->p + n->p * n->k * n->k);
    o->yk[0] = 2.0 * o->s2 * c2;
    o->wk[0] = 1.0 - n->p;
    o->yk[1] = 2.0 * o->s2 * c2 * n->k * n->k;
    o->wk[1] = n->p;
    return RADVAR_SUCCESS;
}

/* The range [th_lo, th_hi] in theta = ln nu + tau of the student's nodes
 * (centre th0 = ln nu), and its step *h. */
static void student_range(const onestep *o, double nu, double *h, double *th0, double *th_lo,
                          double *th_hi)
{
    /* student: theta = ln chi2, density e^(nu theta/2 - e^theta/2) / (2^(nu/2) Gamma(nu/2));
     * loop from large chi2 (small V) down */
    *h = sinc_step(0.5 * nu);
    *th0 = log(nu);
    /* right: where the log-density is 46 below its peak */
    double w = fmin(0.25, 2.0 / sqrt(nu)); /* steps of about the peak's width */
    *th_hi = *th0;
    while (0.5 * nu * em1mx(*th_hi - *th0) < 46.0)
        *th_hi += w;
    /* left: far enough for the smallest x of the tables (beta = 2 x s2 (nu-2)),
     * but not where the density is below e^-800 of its peak */
    double beta_min = 2.0 * exp(U_LO - 1.0) * o->s2 * (nu - 2.0);
    double lo = log(beta_min) - 50.0 / (0.5 * nu) - 5.0;
    lo = fmin(lo, *th0 - (U_HI + 60.0) / (0.5 * nu + 0.5));
    if (lo < -700.0)
        lo = -700.0;
    double tau = 0.0;
    while (*th0 + tau > lo && 0.5 * nu * em1mx(tau) < 800.0)
        tau -= w;
    *th_lo = fmax(lo, *th0 + tau);
}

/* The trapezoidal nodes th0 + k h in [th_lo, th_hi], from the top down, as
 * scales o->yk and weights o->wk (laplace, or student when o->student). */
static int os_fill_nodes(onestep *o, const radvar_noise *n, double h, double th0, double th_lo,
                         double th_hi)
{
    long k_hi = (long)ceil((th_hi - th0) / h), k_lo = (long)floor((th_lo - th0) / h);
    o->nk = (size_t)(k_hi - k_lo + 1);
    o->yk = malloc(o->nk * sizeof *o->yk);
    o->wk = malloc(o->nk * sizeof *o->wk);
    if (o->yk == NULL || o->wk == NULL)
        return RADVAR_ENOMEM;
    /* student, with theta = ln nu + tau: the log-density is
     * -(nu/2)(e^tau - 1 - tau) - ln(4 pi/nu)/2 - mu_B(nu/2) (Stirling, Binet's
     * mu_B), free of the cancellation between (nu/2) theta and lnGamma(nu/2) */
    double lnorm = o->student ? -0.5 * log(4.0 * M_PI / n->nu) - radvar_special_binet_mu(0.5 * n->nu) : 0.0;
    size_t i = 0;
    for (long k = k_hi; k >= k_lo; k--, i++) {
        double tau = (double)k * h, th = th0 + tau, v = exp(th);
        if (o->student) {
            o->wk[i] = h * exp(lnorm - 0.5 * n->nu * em1mx(tau));
            o->yk[i] = 2.0 * o->s2 * (n->nu - 2.0) / v;
        } else {
            o->wk[i] = h * exp(th - v);
            o->yk[i] = 2.0 * o->s2 * v;
        }
    }
    return RADVAR_SUCCESS;
}

/* The scale distribution of the model, as nodes in loop order. */
static int os_init(onestep *o, const radvar_noise *n, double mu, double sigma)
{
    memset(o, 0, sizeof *o);
    double m = sigma * sigma + mu * mu;
    o->s2 = sigma * sigma / m;
    o->m2 = mu * mu / m;
    if (n->kind == RADVAR_NOISE_MIXTURE)
        return os_init_mixture(o, n);
    o->adaptive = 1;
    double h, th_hi, th_lo, th0;
    if (n->kind == RADVAR_NOISE_LAPLACE) {
        /* theta = ln V, density e^(theta - e^theta); loop from large V down */
        h = sinc_step(1.0);
        th0 = 0.0;
        th_hi = log(50.0);
        th_lo = -(U_HI + 60.0);
    } else {
        o->student = 1;
        o->nu = n->nu;
        student_range(o, n->nu, &h, &th0, &th_lo, &th_hi);
    }
    return os_fill_nodes(o, n, h, th0, th_lo, th_hi);
}

/* 10-point Gauss-Legendre on [-1, 1]: nodes +-gl10_x, weights gl10_w */
static const double gl10_x[5] = {0.1488743389816312, 0.4333953941292472, 0.6794095682990244,
                                 0.8650633666889845, 0.9739065285171717};
static const double gl10_w[5] = {0.2955242247147529, 0.2692667193099963, 0.2190863625159820,
                                 0.1494513491505806, 0.0666713443086881};

/* ---- Chebyshev segments ---- */

typedef struct {
    double a, b;            /* the segment [a, b] in u */
    double c[NC + 1];       /* f = sum_k c_k T_k(x), x = (2u - a - b)/(b - a) */
    double d[NDER][NC + 1]; /* derivatives of f in u, orders 1..NDER */
    double k[NC + 2];       /* ln H segments: ln K; ln phi segments: int_a^u f */
    double kbase;           /* ln phi segments: int_0^a f */
} cheb_seg;

static double clenshaw(const double *c, int n, double x)
{
    double b1 = 0.0, b2 = 0.0;
    for (int k = n; k >= 1; k--) {
        double t = 2.0 * x * b1 - b2 + c[k];
        b2 = b1;
        b1 = t;
    }
    return x * b1 - b2 + c[0];
}

/* coefficients of the interpolant through f_i = f(cos(pi i / NC)), i = 0..NC */
static void cheb_fit(const double *f, double *c)
{
    for (int k = 0; k <= NC; k++) {
        double s = 0.5 * (f[0] + ((k & 1) ? -f[NC] : f[NC]));
        for (int i = 1; i < NC; i++)
            s += f[i] * cos(M_PI * (double)(i * k % (2 * NC)) / NC);
        c[k] = 2.0 * s / NC;
    }
    c[0] *= 0.5;
    c[NC] *= 0.5;
}

/* derivative (in x) of sum_{k<=n} c_k T_k into d[0..n] */
static void cheb_deriv(const double *c, int n, double *d)
{
    d[n] = 0.0;
    if (n >= 1)
        d[n - 1] = 2.0 * n * c[n];
    for (int k = n - 1; k >= 1; k--)
        d[k - 1] = (k + 1 <= n ? d[k + 1] : 0.0) + 2.0 * k * c[k];
    d[0] *= 0.5;
}

/* antiderivative (in x, zero at x = -1) of sum_{k<=n} c_k T_k into K[0..n+1] */
static void cheb_integ(const double *c, int n, double *K)
{
    for (int k = 1; k <= n + 1; k++) {
        double lo = c[k - 1], hi = k + 1 <= n ? c[k + 1] : 0.0;
        if (k == 1)
            K[1] = lo - 0.5 * hi;
        else
            K[k] = (lo - hi) / (2.0 * k);
    }
    double at_m1 = 0.0;
    for (int k = 1; k <= n + 1; k++)
        at_m1 += (k & 1) ? -K[k] : K[k];
    K[0] = -at_m1;
}

static void seg_nodes(double a, double b, double *u)
{
    for (int i = 0; i <= NC; i++)
        u[i] = 0.5 * (a + b) + 0.5 * (b - a) * cos(M_PI * i / NC);
}

/* fill c and d from node values; 1 when the series has converged */
static int seg_set(cheb_seg *s, const double *f)
{
    cheb_fit(f, s->c);
    double scale = 2.0 / (s->b - s->a), prev[NC + 1];
    memcpy(prev, s->c, sizeof prev);
    for (int m = 0; m < NDER; m++) {
        cheb_deriv(prev, NC, s->d[m]);
        for (int k = 0; k <= NC; k++)
            s->d[m][k] *= scale;
        memcpy(prev, s->d[m], sizeof prev);
    }
    double fmax = 0.0;
    for (int i = 0; i <= NC; i++)
        fmax = fmax > fabs(f[i]) ? fmax : fabs(f[i]);
    double tail = fabs(s->c[NC]) + fabs(s->c[NC - 1]) + fabs(s->c[NC - 2]);
    return tail <= 8.0 * DBL_EPSILON * fmax + 4.0 * DBL_EPSILON;
}

typedef struct {
    onestep os;
    size_t nh, np;       /* segments of ln H on [U_LO, 0], of ln phi on [0, U_HI] */
    cheb_seg *h, *p;
    double h_lo, p_lo;   /* ln H and its slope at U_LO */
    double p_deep;       /* the least slope of ln H below u = -30 */
    double k_lo;         /* ln K at U_LO (= h_lo - ln p_lo) */
    int converged;       /* every segment reached rounding level */
} iid_table;

/* bisect [a, b] until the series of fn converges (depth-first, in order) */
static int build_segments(const onestep *os, double (*fn)(const onestep *, double), double a,
                          double b, cheb_seg *segs, size_t *n, int depth, int *converged)
{
    if (*n >= MAX_SEG)
        return RADVAR_ENOMEM;
    double u[NC + 1], f[NC + 1];
    seg_nodes(a, b, u);
    for (int i = 0; i <= NC; i++) {
        f[i] = fn(os, u[i]);
        if (!isfinite(f[i]))
            return RADVAR_EMAXITER;
    }
    cheb_seg *s = &segs[*n];
    s->a = a;
    s->b = b;
    int ok = seg_set(s, f);
    if (ok || depth >= 8) {
        if (!ok)
            *converged = 0;
        (*n)++;
        return RADVAR_SUCCESS;
    }
    double mid = 0.5 * (a + b);
    int st = build_segments(os, fn, a, mid, segs, n, depth + 1, converged);
    return st ? st : build_segments(os, fn, mid, b, segs, n, depth + 1, converged);
}

static const cheb_seg *find_seg(const cheb_seg *segs, size_t n, double u)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        if (segs[mid].a <= u)
            lo = mid;
        else
            hi = mid - 1;
    }
    return &segs[lo];
}

static double seg_x(const cheb_seg *s, double u)
{
    return (2.0 * u - s->a - s->b) / (s->b - s->a);
}

/* ln H(u) for any u <= 0 (linear below U_LO) */
static double tab_log_h(const iid_table *T, double u)
{
    if (u < U_LO)
        return T->h_lo + T->p_lo * (u - U_LO);
    const cheb_seg *s = find_seg(T->h, T->nh, u);
    return clenshaw(s->c, NC, seg_x(s, u));
}

/* ln H and its derivatives 1..nd in u */
static void tab_log_h_derivs(const iid_table *T, double u, int nd, double *L)
{
    if (u < U_LO) {
        L[0] = T->h_lo + T->p_lo * (u - U_LO);
        L[1] = T->p_lo;
        for (int m = 2; m <= nd; m++)
            L[m] = 0.0;
        return;
    }
    const cheb_seg *s = find_seg(T->h, T->nh, u);
    double x = seg_x(s, u);
    L[0] = clenshaw(s->c, NC, x);
    for (int m = 1; m <= nd; m++)
        L[m] = clenshaw(s->d[m - 1], NC, x);
}

static double tab_log_k(const iid_table *T, double u)
{
    if (u < U_LO)
        return T->k_lo + T->p_lo * (u - U_LO);
    const cheb_seg *s = find_seg(T->h, T->nh, u);
    return clenshaw(s->k, NC, seg_x(s, u));
}

static double tab_log_phi(const iid_table *T, double u)
{
    const cheb_seg *s = find_seg(T->p, T->np, u);
    return clenshaw(s->c, NC, seg_x(s, u));
}

static void tab_log_phi_derivs(const iid_table *T, double u, int nd, double *L)
{
    const cheb_seg *s = find_seg(T->p, T->np, u);
    double x = seg_x(s, u);
    L[0] = clenshaw(s->c, NC, x);
    for (int m = 1; m <= nd; m++)
        L[m] = clenshaw(s->d[m - 1], NC, x);
}

/* int_0^u ln phi */
static double tab_int_phi(const iid_table *T, double u)
{
    const cheb_seg *s = find_seg(T->p, T->np, u);
    return s->kbase + 0.5 * (s->b - s->a) * clenshaw(s->k, NC + 1, seg_x(s, u));
}

static void iid_free(iid_table *T)
{
    os_free(&T->os);
    free(T->h);
    free(T->p);
}

static int iid_init(iid_table *T, const radvar_noise *n, double mu, double sigma)
{
    memset(T, 0, sizeof *T);
    T->converged = 1;
    int st = os_init(&T->os, n, mu, sigma);
    T->h = malloc(MAX_SEG * sizeof *T->h);
    T->p = malloc(MAX_SEG * sizeof *T->p);
    if (st == RADVAR_SUCCESS && (T->h == NULL || T->p == NULL))
        st = RADVAR_ENOMEM;
    /* initial segments: long where ln H is nearly linear in u */
    static const double hb[] = {U_LO, -60, -36, -20, -10, -5, -2.5, -1.25, 0};
    static const double pb[] = {0, 1.25, 2.5, 5, 10, 20, U_HI};
    for (size_t i = 0; st == RADVAR_SUCCESS && i + 1 < sizeof hb / sizeof *hb; i++)
        st = build_segments(&T->os, os_log_h, hb[i], hb[i + 1], T->h, &T->nh, 0, &T->converged);
    for (size_t i = 0; st == RADVAR_SUCCESS && i + 1 < sizeof pb / sizeof *pb; i++)
        st = build_segments(&T->os, os_log_phi, pb[i], pb[i + 1], T->p, &T->np, 0, &T->converged);
    if (st != RADVAR_SUCCESS)
        return st;
    /* continuation below U_LO */
    double L[2];
    tab_log_h_derivs(T, U_LO, 1, L);
    T->h_lo = L[0];
    T->p_lo = L[1];
    T->k_lo = L[0] - log(L[1]);
    if (!(T->p_lo > 0))
        return RADVAR_EMAXITER;
    T->p_deep = T->p_lo;
    for (size_t i = 0; i < T->nh && T->h[i].a < -30.0; i++)
        for (int j = 0; j <= NC; j++)
            T->p_deep = fmin(T->p_deep, clenshaw(T->h[i].d[0], NC, cos(M_PI * j / NC)));
    /* ln K at the nodes: K = H/p_lo at U_LO (the linear continuation below),
     * then K(next node) = K(node) + int H between them, by 10-point
     * Gauss-Legendre on exp(ln H series) (the nodes are at most 1.6 apart): a
     * sum of positive terms, in increasing u */
    double kcum = exp(T->h_lo) / T->p_lo, prev_u = U_LO;
    for (size_t i = 0; i < T->nh; i++) {
        cheb_seg *s = &T->h[i];
        double u[NC + 1], lk[NC + 1];
        seg_nodes(s->a, s->b, u);
        for (int j = NC; j >= 0; j--) { /* u[NC] = a up to u[0] = b */
            double mid = 0.5 * (u[j] + prev_u), half = 0.5 * (u[j] - prev_u), sum = 0.0;
            for (int q = 0; q < 5; q++)
                sum += gl10_w[q] * (exp(clenshaw(s->c, NC, seg_x(s, mid + half * gl10_x[q])))
                                    + exp(clenshaw(s->c, NC, seg_x(s, mid - half * gl10_x[q]))));
            kcum += half * sum;
            prev_u = u[j];
            lk[j] = log(kcum);
        }
        cheb_fit(lk, s->k);
        double fmax = 0.0;
        for (int j = 0; j <= NC; j++)
            fmax = fmax > fabs(lk[j]) ? fmax : fabs(lk[j]);
        /* (ln K near U_LO carries the rounding of ln H ~ -180 and of its
         * slope there, 1e-12 or so: immaterial, it multiplies H < 1e-60) */
        if (fabs(s->k[NC]) + fabs(s->k[NC - 1]) > 256.0 * DBL_EPSILON * fmax + 1e-14)
            T->converged = 0;
        s->k[NC + 1] = 0.0;
    }
    /* int_0^u ln phi: antiderivatives chained over the segments */
    double base = 0.0;
    for (size_t i = 0; i < T->np; i++) {
        cheb_seg *s = &T->p[i];
        cheb_integ(s->c, NC, s->k);
        s->kbase = base;
        base += 0.5 * (s->b - s->a) * clenshaw(s->k, NC + 1, 1.0);
    }
    return RADVAR_SUCCESS;
}

/* ---- sums over the EMA's terms ---- */

/* B_2k/(2k)!, k = 1..5 */
static const double em_coef[5] = {1.0 / 12.0, -1.0 / 720.0, 1.0 / 30240.0, -1.0 / 1209600.0,
                                  1.0 / 47900160.0};

/* H^(m)/H from (ln H)^(1..nd) (Faa di Bruno: h_n = sum_k C(n-1,k) h_k L_(n-k)) */
static void exp_derivs(const double *L, int nd, double *h)
{
    h[0] = 1.0;
    for (int n = 1; n <= nd; n++) {
        double s = 0.0, binom = 1.0;
        for (int k = 0; k < n; k++) {
            s += binom * h[k] * L[n - k];
            binom = binom * (n - 1 - k) / (k + 1);
        }
        h[n] = s;
    }
}

/* F and its derivatives at u: F = H (which = 0) or ln phi (which = 1) */
static void f_derivs(const iid_table *T, int which, double u, double *F)
{
    double L[NDER + 1];
    if (which == 0) {
        double h[NDER + 1];
        tab_log_h_derivs(T, u, NDER, L);
        exp_derivs(L, NDER, h);
        double e = exp(L[0]);
        for (int m = 0; m <= NDER; m++)
            F[m] = e * h[m];
    } else {
        tab_log_phi_derivs(T, u, NDER, F);
    }
}

static double f_value(const iid_table *T, int which, double u)
{
    return which == 0 ? exp(tab_log_h(T, u)) : tab_log_phi(T, u);
}

/* sum_{j=j0}^{j1} F(U - j lambda), j1 may be inf (F = H only) */
static double em_sum(const iid_table *T, int which, double U, double lambda, double j0, double j1)
{
    if (j1 < j0)
        return 0.0;
    double nterms = j1 - j0 + 1.0, u_top = U - j0 * lambda;
    if (lambda > LAMBDA_EM || nterms <= 12.0) {
        radvar_ksum acc = {0, 0};
        double j = j0, geo = which == 0 ? -expm1(-lambda * T->p_deep) : 1.0;
        for (; j <= j1; j++) {
            double u = U - j * lambda;
            if (which == 0 && u < U_LO)
                break;
            double f = f_value(T, which, u);
            radvar_ksum_add(&acc, f);
            /* H decreases with j at least like e^(-p_deep lambda j) below
             * u = -30: stop once the rest is below 1e-19 of the sum */
            if (which == 0 && u < -30.0 && f < 1e-19 * geo * radvar_ksum_value(&acc))
                return radvar_ksum_value(&acc);
        }
        if (j <= j1) {
            /* below U_LO: H = H(u_j) e^(-p_lo lambda i), a geometric series */
            double hj = exp(tab_log_h(T, U - j * lambda)), q = -T->p_lo * lambda;
            double span = isinf(j1) ? 1.0 : -expm1(q * (j1 - j + 1.0));
            radvar_ksum_add(&acc, hj * span / -expm1(q));
        }
        return radvar_ksum_value(&acc);
    }
    double u_bot = U - j1 * lambda;
    double Ft[NDER + 1], Fb[NDER + 1] = {0};
    f_derivs(T, which, u_top, Ft);
    if (!isinf(u_bot))
        f_derivs(T, which, u_bot, Fb);
    double integral;
    if (u_top - u_bot < SPAN_GL) {
        /* a short span: the K or int ln phi difference would cancel */
        double mid = 0.5 * (u_top + u_bot), half = 0.5 * (u_top - u_bot), sum = 0.0;
        for (int i = 0; i < 5; i++)
            sum += gl10_w[i] * (f_value(T, which, mid + half * gl10_x[i]) + f_value(T, which, mid - half * gl10_x[i]));
        integral = half * sum;
    } else if (which == 0) {
        double kt = tab_log_k(T, u_top);
        integral = isinf(u_bot) ? exp(kt) : exp(kt) * -expm1(tab_log_k(T, u_bot) - kt);
    } else {
        integral = tab_int_phi(T, u_top) - tab_int_phi(T, u_bot);
    }
    radvar_ksum acc = {0, 0};
    radvar_ksum_add(&acc, integral / lambda);
    radvar_ksum_add(&acc, 0.5 * (Ft[0] + Fb[0]));
    double lp = lambda;
    for (int k = 0; k < 5; k++) {
        double term = em_coef[k] * lp * (Ft[2 * k + 1] - Fb[2 * k + 1]);
        radvar_ksum_add(&acc, term);
        if (fabs(term) < 1e-18 * fabs(radvar_ksum_value(&acc)))
            break;
        lp *= lambda * lambda;
    }
    return radvar_ksum_value(&acc);
}

typedef struct {
    iid_table T;
    double logc, c, lambda, one_minus_b, t;
    size_t evaluations;
} iid_problem;

/* sum_{j=j0}^{j1-1} x_j = s c b^j0 (1 - b^(j1-j0)) / (1 - b) */
static double x_sum(const iid_problem *p, double s, double j0, double j1)
{
    if (j1 <= j0)
        return 0.0;
    double span = isinf(j1) ? 1.0 : -expm1(-p->lambda * (j1 - j0));
    return s * p->c * exp(-p->lambda * j0) * span / p->one_minus_b;
}

/* the number of j in [0, n) with U - j lambda > level */
static double count_above(double U, double lambda, double n, double level)
{
    if (!(U > level))
        return 0.0;
    double k = floor((U - level) / lambda) + 1.0;
    while (k > 0 && !(U - (k - 1.0) * lambda > level))
        k--;
    while (k < n && U - k * lambda > level)
        k++;
    return fmin(k, n);
}

static void iid_g(double s, iid_problem *p, double *g, double *gms)
{
    if (!(s > 0)) {
        *g = *gms = 0.0;
        return;
    }
    double U = log(s) + p->logc, n = p->t, lam = p->lambda;
    double j_far = count_above(U, lam, n, U_HI), j_head = count_above(U, lam, n, 0.0);
    if (j_far > FAR_MAX) {
        *g = INFINITY; /* L_Y(s) < phi(e^40)^256: 0 */
        *gms = -INFINITY;
        return;
    }
    radvar_ksum head = {0, 0};
    for (double j = 0; j < j_far; j++)
        radvar_ksum_add(&head, os_log_phi(&p->T.os, U - j * lam));
    radvar_ksum_add(&head, em_sum(&p->T, 1, U, lam, j_far, j_head - 1.0));
    double tail = em_sum(&p->T, 0, U, lam, j_head, n - 1.0);
    double lphi = radvar_ksum_value(&head);
    *g = lphi + x_sum(p, s, 0.0, j_head) + tail;
    *gms = lphi + (tail - x_sum(p, s, j_head, n));
}

static double iid_excess(double s, void *params)
{
    iid_problem *p = params;
    p->evaluations++;
    double g, gms;
    iid_g(s, p, &g, &gms);
    if (g < 1.0)
        return exp(-s) * expm1(g);
    return exp(gms) - exp(-s);
}


/* ---- ar1 ---- */

#define AR1_MAX_TERMS 16777216.0 /* 2^24 ages per evaluation */

typedef struct {
    double u0, lambda, b_inv, n; /* y_j = s u0 e^(-lambda j), j < n (ages kept) */
    double phi, r_mu;
    double w_rest;               /* the weight of the ages left out */
    size_t evaluations;
} ar1_problem;

/* log1p(x) - x for 0 <= x: its Taylor series (14 terms, x < 1/16: error
 * below 2e-17 relative), else fl1pmx */
static inline double ar1_l1pmx(double x)
{
    if (x >= 0.0625)
        return fl1pmx(x);
    double p = -1.0 / 15.0;
    p = p * x + 1.0 / 14.0;
    p = p * x - 1.0 / 13.0;
    p = p * x + 1.0 / 12.0;
    p = p * x - 1.0 / 11.0;
    p = p * x + 1.0 / 10.0;
    p = p * x - 1.0 / 9.0;
    p = p * x + 1.0 / 8.0;
    p = p * x - 1.0 / 7.0;
    p = p * x + 1.0 / 6.0;
    p = p * x - 1.0 / 5.0;
    p = p * x + 1.0 / 4.0;
    p = p * x - 1.0 / 3.0;
    p = p * x + 1.0 / 2.0;
    return -(x * x) * p;
}

/* g (logs = 0), or ln L_Y summed from its own terms (logs = 1) */
static double ar1_sum(double s, const ar1_problem *p, int logs)
{
    double f2 = p->phi * p->phi, delta = 0.0, d = 0.0, y = 0.0, block = 0.0;
    radvar_ksum acc = {0, 0};
    long n = (long)p->n, count = 0;
    for (long j = n - 1; j >= 0; j--) {
        /* y_j exactly every 64 ages, by the ratio 1/b in between */
        if (count++ % 64 == 0) {
            y = s * p->u0 * exp(-p->lambda * (double)j);
            radvar_ksum_add(&acc, block); /* plain sums over 64 terms, compensated over blocks */
            block = 0.0;
        } else {
            y *= p->b_inv;
        }
        double yp = y * (1.0 - delta), inv = 1.0 / (1.0 + yp);
        if (logs)
            block += -0.5 * log1p(yp) - p->r_mu * y * ((1.0 - d) * (1.0 - d) * inv);
        else
            block += -0.5 * ar1_l1pmx(yp) + 0.5 * y * delta + p->r_mu * y * ((yp + d * (2.0 - d)) * inv);
        delta = f2 * ((delta + yp) * inv);
        d = p->phi * ((d + yp) * inv);
    }
    radvar_ksum_add(&acc, block);
    return radvar_ksum_value(&acc);
}

static double ar1_excess(double s, void *params)
{
    ar1_problem *p = params;
    p->evaluations++;
    if (!(s > 0))
        return 0.0;
    double g = ar1_sum(s, p, 0);
    if (g < 1.0)
        return exp(-s) * expm1(g);
    /* ln L_Y summed directly; the ages left out add their first-order terms
     * -a_j E[g^2] = -s w_j (the rest is of second order in their y_j) */
    double lly = ar1_sum(s, p, 1) - s * p->w_rest;
    return exp(lly) - exp(-s);
}


/* ---- decay ---- */

#define DECAY_BLOCK 64
#define DECAY_K 16

typedef struct {
    size_t n, nblk;
    double *u, *rho, *smax; /* y_j = s u_j, r_j = rho_j; suffix maxima of u */
    double *pw, *rw;        /* per block b: sum_{j >= b BLOCK} u_j^k, rho_j u_j^k, k = 1..DECAY_K */
    size_t evaluations;
} decay_problem;

static void decay_free(decay_problem *p)
{
    free(p->u);
    free(p->rho);
    free(p->smax);
    free(p->pw);
    free(p->rw);
}

/* g and g - s */
static void decay_g(double s, const decay_problem *p, double *g, double *gms)
{
    /* J: first index with s * max_{j >= J} u_j < Y_SERIES, rounded up to a block */
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s * p->smax[mid] < Y_SERIES)
            hi = mid;
        else
            lo = mid + 1;
    }
    size_t blk = (lo + DECAY_BLOCK - 1) / DECAY_BLOCK, J = blk * DECAY_BLOCK;
    if (J > p->n)
        J = p->n;
    radvar_ksum sg = {0, 0}, sl = {0, 0};
    for (size_t j = 0; j < J; j++) {
        double y = s * p->u[j], r = p->rho ? p->rho[j] : 0.0;
        radvar_ksum_add(&sg, g_term(y, r));
        radvar_ksum_add(&sl, -0.5 * log1p(y) - r * (y / (1.0 + y)));
    }
    if (J < p->n) {
        const double *pw = p->pw + blk * DECAY_K, *rw = p->rw + blk * DECAY_K;
        radvar_ksum tail = {0, 0};
        double sk = s;
        for (int k = 2; k <= DECAY_K; k++) {
            sk *= s;
            double term = sk * (pw[k - 1] / (2.0 * k) + rw[k - 1]);
            radvar_ksum_add(&tail, (k & 1) ? -term : term);
            if (term < 1e-18 * fabs(radvar_ksum_value(&tail)))
                break;
        }
        double tg = radvar_ksum_value(&tail);
        radvar_ksum_add(&sg, tg);
        radvar_ksum_add(&sl, tg - s * (0.5 * pw[0] + rw[0]));
    }
    *g = radvar_ksum_value(&sg);
    *gms = radvar_ksum_value(&sl);
}

static double decay_excess(double s, void *params)
{
    decay_problem *p = params;
    p->evaluations++;
    if (!(s > 0))
        return 0.0;
    double g, gms;
    decay_g(s, p, &g, &gms);
    if (g < 1.0)
        return exp(-s) * expm1(g);
    return exp(gms) - exp(-s);
}


/* weights, scales and power sums; m = E[X] */
static int decay_init(decay_problem *p, const radvar_noise *nz, double beta2, double t, double mu,
                      double sigma, double *m)
{
    memset(p, 0, sizeof *p);
    size_t n = (size_t)t;
    p->n = n;
    p->nblk = (n + DECAY_BLOCK - 1) / DECAY_BLOCK + 1;
    p->u = malloc(n * sizeof *p->u);
    p->smax = malloc((n + 1) * sizeof *p->smax);
    p->pw = calloc(p->nblk * DECAY_K, sizeof *p->pw);
    p->rw = calloc(p->nblk * DECAY_K, sizeof *p->rw);
    if (mu != 0.0)
        p->rho = malloc(n * sizeof *p->rho);
    if (p->u == NULL || p->smax == NULL || p->pw == NULL || p->rw == NULL
        || (mu != 0.0 && p->rho == NULL))
        return RADVAR_ENOMEM;
    double lambda = radvar_schedule_ema_decay_rate(beta2);
    double c = (1.0 - beta2) / -expm1(-t * lambda), sigma2 = sigma * sigma;
    radvar_ksum ws2 = {0, 0};
    for (size_t j = n; j-- > 0;) {
        double i = t - (double)j; /* the step of the gradient of age j */
        double sc2 = exp(-2.0 * nz->a * log1p(i / nz->tau));
        p->u[j] = c * exp(-lambda * (double)j) * sc2; /* w_j s_j^2, scaled below */
        if (p->rho)
            p->rho[j] = mu * mu / (2.0 * sigma2 * sc2);
        radvar_ksum_add(&ws2, p->u[j]);
    }
    *m = mu * mu + sigma2 * radvar_ksum_value(&ws2);
    double kappa = 2.0 * sigma2 / *m;
    p->smax[n] = 0.0;
    for (size_t j = n; j-- > 0;) {
        p->u[j] *= kappa;
        p->smax[j] = fmax(p->smax[j + 1], p->u[j]);
    }
    /* suffix power sums, oldest first, compensated */
    radvar_ksum acc_p[DECAY_K], acc_r[DECAY_K];
    memset(acc_p, 0, sizeof acc_p);
    memset(acc_r, 0, sizeof acc_r);
    for (size_t j = n; j-- > 0;) {
        double uk = 1.0, r = p->rho ? p->rho[j] : 0.0;
        for (int k = 0; k < DECAY_K; k++) {
            uk *= p->u[j];
            radvar_ksum_add(&acc_p[k], uk);
            radvar_ksum_add(&acc_r[k], r * uk);
        }
        if (j % DECAY_BLOCK == 0)
            for (int k = 0; k < DECAY_K; k++) {
                p->pw[(j / DECAY_BLOCK) * DECAY_K + k] = radvar_ksum_value(&acc_p[k]);
                p->rw[(j / DECAY_BLOCK) * DECAY_K + k] = radvar_ksum_value(&acc_r[k]);
            }
    }
    return RADVAR_SUCCESS;
}

/* ---- the public entry ---- */

/* estimated relative error of g from the one-step tables and sums, carried
 * into abs_err */
#define IID_REL_ERR 1e-12
#define GAUSS_REL_ERR 1e-13

static void add_model_error(radvar_exact_moments *r, double m, double rel)
{
    if (!isfinite(r->var_psi))
        return;
    /* A and B change by at most rel |A| and rel |B|: Var by about 3 rel E[psi^2] m */
    r->abs_err += rel * (3.0 * fabs(r->mean_psi2 * m - 1.0) + 2.0 * fabs(r->mean_psi * sqrt(m) - 1.0)) / m;
}

int radvar_exact_moments_ema_noise(double beta2, double t, double mu, double sigma,
                                   const radvar_noise *noise, radvar_exact_moments *r)
{
    r->mean_psi = r->mean_psi2 = r->var_psi = r->abs_err = NAN;
    r->evaluations = 0;
    if (radvar_noise_check(noise, NULL, 0) != RADVAR_SUCCESS)
        return RADVAR_EDOM;
    if (noise->kind == RADVAR_NOISE_NORMAL)
        return radvar_exact_moments_ema(beta2, t, mu, sigma, r);
    if (!(beta2 >= RADVAR_EXACT_BETA2_MIN && beta2 < 1) || !(t >= 2) || (isfinite(t) && t != floor(t))
        || bad_mu_sigma(mu, sigma))
        return RADVAR_EDOM;
    int e = scale_exponent(mu, sigma);
    mu = ldexp(mu, -e);
    sigma = ldexp(sigma, -e);
    double lambda = radvar_schedule_ema_decay_rate(beta2);
    double c = isinf(t) ? 1.0 - beta2 : (1.0 - beta2) / -expm1(-t * lambda);
    size_t terms = t >= 3 ? 3 : 2;
    /* as the Gaussian code: the ratio w_0/w_2 and the last knee's y per unit
     * s, 2 sigma^2 w_knee / m */
    double ratio = exp(lambda * (terms - 1.0));
    double kappa_knee = 2.0 * sigma * sigma / (sigma * sigma + mu * mu) * c * exp(-lambda * knee_age(t));
    int status;
    switch (noise->kind) {
    case RADVAR_NOISE_AR1: {
        double m = sigma * sigma + mu * mu;
        double keep = ceil(23.0 / lambda) + 1.0, n = fmin(t, keep);
        if (n > AR1_MAX_TERMS)
            return RADVAR_EDOM;
        double w_rest = 0.0;
        if (n < t)
            w_rest = c * exp(-lambda * n) * (isinf(t) ? 1.0 : -expm1(-lambda * (t - n))) / (1.0 - beta2);
        ar1_problem p = {.u0 = 2.0 * sigma * sigma * c / m, .lambda = lambda, .b_inv = 1.0 / beta2,
                         .n = n, .phi = noise->phi, .r_mu = mu * mu / (2.0 * sigma * sigma),
                         .w_rest = w_rest, .evaluations = 0};
        double s_tail = split_tail(ratio, kappa_knee);
        if (s_tail < 0)
            return RADVAR_EDOM;
        status = solve_integrals(ar1_excess, &p, &p.evaluations, NOISE_EPSREL,
                                 s_tail, m, terms, r);
        add_model_error(r, m, GAUSS_REL_ERR);
        return finish(status, e, terms, r);
    }
    case RADVAR_NOISE_DECAY: {
        if (isinf(t) || t > RADVAR_NOISE_DECAY_TMAX || 2.0 * noise->a * log1p(t / noise->tau) > 690.0)
            return RADVAR_EDOM;
        decay_problem p;
        double m;
        status = decay_init(&p, noise, beta2, t, mu, sigma, &m);
        if (status == RADVAR_SUCCESS) {
            /* the scales s_j^2 enter y_j: the knee weight is u[knee] */
            size_t k = (size_t)knee_age(t);
            double s_tail = split_tail(p.u[0] / p.u[terms - 1], p.u[k]);
            status = s_tail < 0 ? RADVAR_EDOM
                                : solve_integrals(decay_excess, &p,
                                                  &p.evaluations, NOISE_EPSREL, s_tail, m, terms, r);
            add_model_error(r, m, GAUSS_REL_ERR);
        }
        decay_free(&p);
        return finish(status, e, terms, r);
    }
    default: {
        double m = sigma * sigma + mu * mu;
        iid_problem p;
        p.evaluations = 0;
        status = iid_init(&p.T, noise, mu, sigma);
        if (status == RADVAR_SUCCESS) {
            p.c = c;
            p.logc = log(c);
            p.lambda = lambda;
            p.one_minus_b = 1.0 - beta2;
            p.t = t;
            double s_tail = split_tail(ratio, kappa_knee);
            status = s_tail < 0 ? RADVAR_EDOM
                                : solve_integrals(iid_excess, &p, &p.evaluations,
                                                  NOISE_EPSREL, s_tail, m, terms, r);
            if (!p.T.converged && status == RADVAR_SUCCESS)
                status = RADVAR_EMAXITER;
            add_model_error(r, m, IID_REL_ERR);
        }
        iid_free(&p.T);
        return finish(status, e, terms, r);
    }
    }
}
