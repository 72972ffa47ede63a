/* gradstats_fit.c: the noise models of radvar/noise.h fitted to a series by
 * maximum likelihood, the choice by BIC, histograms of log2 |x| and the
 * choice of coordinates to log (radvar/gradstats.h).
 *
 * NOTES
 *   The log-likelihoods, for z = (x - mu)/s with s = sqrt(m2) (population):
 *     normal   sum -z^2/2 - n ln sqrt(2 pi)
 *     student  n [lnGamma((nu+1)/2) - lnGamma(nu/2) - ln(pi (nu-2))/2]
 *              - (nu+1)/2 sum ln(1 + z^2/(nu-2))      (unit-variance t)
 *     laplace  -n ln 2 / 2 - sqrt 2 sum |z|            (b = 1/sqrt 2)
 *     mixture  sum ln[(1-p) phi(z/c)/c + p phi(z/(c k))/(c k)],
 *              c = (1 - p + p k^2)^(-1/2)
 *     ar1      -n ln sqrt(2 pi) - (n-1)/2 ln(1-phi^2) - z_1^2/2
 *              - sum_{i>=2} (z_i - phi z_(i-1))^2 / (2 (1-phi^2))
 *   each minus n ln s (the Jacobian), and for decay, with r_i = (1 +
 *   t_i/tau)^(-a) and sigma^2 = mean((x - mu)^2 / r^2) (its ML value for
 *   given a, tau):  -n ln sqrt(2 pi) - sum ln r_i - n ln sigma - n/2.
 *   lnGamma((nu+1)/2) - lnGamma(nu/2) comes from ln_gamma_ratio_half (below):
 *   GSL's lnpoch(a, 1/2) differences two lnGamma values and loses log10(a)
 *   digits (8e-9 absolute at a = 5e5), which n times over would move the
 *   log-likelihood of a near-Gaussian series by 1e-6.  Sums are compensated
 *   (Neumaier).
 *
 *   The optimiser works on unbounded transforms: u = ln(nu - 2),
 *   w = atanh(phi), (logit p, ln ln k), (ln a, ln tau); a grid locates the
 *   basin (the likelihoods can have flat regions: nu -> inf, k -> 1, a -> 0,
 *   where the normal model is the limit), then GSL's Brent minimiser (one
 *   parameter, bracketed by the grid's neighbours) or its Nelder-Mead
 *   simplex (two, restarted once from its own answer, as Nelder-Mead can
 *   stall on a ridge).  The answer is kept only if it beats the normal limit,
 *   which the model then returns (nu = NU_MAX, k = 1, a = 0).
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>
#include <gsl/gsl_multimin.h>
#include <gsl/gsl_sf_gamma.h>

#include "ksum.h"
#include "radvar/gradstats.h"
#include "radvar/rng.h"

#define LN_SQRT_2PI 0.91893853320467274178032973640562
#define BRENT_MAXITER 200
#define SIMPLEX_MAXITER 4000
/* The tolerances on the transformed parameters.  Near a maximum the
 * log-likelihood moves by O(delta^2): below delta ~ sqrt(DBL_EPSILON) its
 * values no longer tell points apart, and GSL's Brent does not step below
 * sqrt(DBL_EPSILON) |x| either.  The simplex also stops when its best value
 * has not moved by more than 4 DBL_EPSILON (relative) for STALL iterations:
 * in the flat directions of the normal limits (p when k = 1, tau when a = 0)
 * it cannot shrink. */
#define TOL_X 1e-7
#define STALL 100

struct series {
    const double *z; /* standardised values */
    const double *t; /* steps (decay) */
    size_t n;
    double ln_s;     /* ln of the scale the values were divided by */
    double s0, s1, s2; /* ar1: sum_{i>=2} z_i^2, sum z_i z_(i-1), sum_{i<n} z_i^2 */
    double tmax;     /* decay: the last step */
};

/* ---- the log-likelihoods of the standardised series (without -n ln s) ---- */

static double ll_normal(const struct series *d)
{
    radvar_ksum s = {0, 0};
    for (size_t i = 0; i < d->n; i++)
        radvar_ksum_add(&s, d->z[i] * d->z[i]);
    return -0.5 * radvar_ksum_value(&s) - (double)d->n * LN_SQRT_2PI;
}

/* ln Gamma(a + 1/2) - ln Gamma(a), to a few 1e-16 absolute: GSL below a = 20
 * (its error estimate is under 1e-14 there); above, the difference of the
 * Stirling series, lnGamma(z) = (z - 1/2) ln z - z + ln(2 pi)/2 + f(z), in
 * the form (1/2) ln a + [a log1p(1/(2a)) - 1/2] + f(a + 1/2) - f(a), whose
 * bracket loses only log10(4a) digits of a term of size 1/(8a); f is
 * truncated after z^-9 (the next term, 691/(360360 z^11), is below 1e-17). */
static double stirling_f(double z)
{
    double r = 1 / z, r2 = r * r;
    return r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 + r2 / 1188))));
}

static double ln_gamma_ratio_half(double a)
{
    if (a < 20)
        return gsl_sf_lnpoch(a, 0.5);
    return 0.5 * log(a) + (a * log1p(0.5 / a) - 0.5) + (stirling_f(a + 0.5) - stirling_f(a));
}

static double ll_student(const struct series *d, double nu)
{
    radvar_ksum s = {0, 0};
    double m = nu - 2;
    for (size_t i = 0; i < d->n; i++)
        radvar_ksum_add(&s, log1p(d->z[i] * d->z[i] / m));
    double c = ln_gamma_ratio_half(0.5 * nu) - 0.5 * log(M_PI * m);
    return (double)d->n * c - 0.5 * (nu + 1) * radvar_ksum_value(&s);
}

static double ll_laplace(const struct series *d)
{
    radvar_ksum s = {0, 0};
    for (size_t i = 0; i < d->n; i++)
        radvar_ksum_add(&s, fabs(d->z[i]));
    return -0.5 * M_LN2 * (double)d->n - M_SQRT2 * radvar_ksum_value(&s);
}

static double ll_mixture(const struct series *d, double p, double k)
{
    /* c^2 = 1/(1 - p + p k^2) = 1/(1 + p (k^2 - 1)) */
    double c2 = 1 / (1 + p * (k * k - 1)), ck2 = c2 * k * k;
    double a0 = log1p(-p) - 0.5 * log(c2), a1 = log(p) - 0.5 * log(ck2);
    radvar_ksum s = {0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double z2 = d->z[i] * d->z[i];
        double l0 = a0 - 0.5 * z2 / c2, l1 = a1 - 0.5 * z2 / ck2;
        double hi = l0 > l1 ? l0 : l1, lo = l0 > l1 ? l1 : l0;
        radvar_ksum_add(&s, hi + log1p(exp(lo - hi)));
    }
    return radvar_ksum_value(&s) - (double)d->n * LN_SQRT_2PI;
}

static double ll_ar1(const struct series *d, double phi)
{
    double q = 1 - phi * phi; /* > 0 */
    double ss = d->s0 - 2 * phi * d->s1 + phi * phi * d->s2;
    return -(double)d->n * LN_SQRT_2PI - 0.5 * (double)(d->n - 1) * log(q)
           - 0.5 * d->z[0] * d->z[0] - 0.5 * ss / q;
}

/* decay: sigma profiled out; *sigma2 receives its ML value (in z units) */
static double ll_decay(const struct series *d, double a, double tau, double *sigma2)
{
    radvar_ksum lr = {0, 0}, q = {0, 0};
    for (size_t i = 0; i < d->n; i++) {
        double ln_r = -a * log1p(d->t[i] / tau);
        radvar_ksum_add(&lr, ln_r);
        radvar_ksum_add(&q, d->z[i] * d->z[i] * exp(-2 * ln_r));
    }
    double s2 = radvar_ksum_value(&q) / (double)d->n;
    if (sigma2)
        *sigma2 = s2;
    if (!(s2 > 0) || !isfinite(s2))
        return -INFINITY;
    double dn = (double)d->n;
    return -dn * LN_SQRT_2PI - radvar_ksum_value(&lr) - 0.5 * dn * log(s2) - 0.5 * dn;
}

/* ---- one-parameter fits: grid, then Brent on the negated log-likelihood ---- */

struct fit1 {
    const struct series *d;
    radvar_noise_kind kind;
};

static double nu_of(double u)
{
    return 2 + exp(u);
}

static double ll1(double u, const struct fit1 *f)
{
    if (f->kind == RADVAR_NOISE_STUDENT)
        return ll_student(f->d, nu_of(u));
    return ll_ar1(f->d, tanh(u));
}

static double neg_ll1(double u, void *arg)
{
    double v = -ll1(u, arg);
    return isfinite(v) ? v : DBL_MAX;
}

/* the u in [lo, hi] that maximises ll1; *status EMAXITER if Brent ran out */
static double max1(const struct fit1 *f, double lo, double hi, int grid, int *status)
{
    double best_u = lo, best = -INFINITY, step = (hi - lo) / (grid - 1);
    int best_k = 0;
    for (int k = 0; k < grid; k++) {
        double u = k == grid - 1 ? hi : lo + step * k, v = ll1(u, f);
        if (v > best) {
            best = v;
            best_u = u;
            best_k = k;
        }
    }
    if (best_k == 0 || best_k == grid - 1)
        return best_u; /* on the boundary of the allowed range */
    gsl_min_fminimizer *m = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
    if (m == NULL) {
        *status = RADVAR_ENOMEM;
        return best_u;
    }
    gsl_function fn = {neg_ll1, (void *)f};
    double a = best_u - step, b = best_u + step;
    if (gsl_min_fminimizer_set_with_values(m, &fn, best_u, -best, a, neg_ll1(a, (void *)f), b,
                                           neg_ll1(b, (void *)f))
        != GSL_SUCCESS) {
        gsl_min_fminimizer_free(m);
        return best_u;
    }
    int it = 0, s = GSL_CONTINUE;
    for (; it < BRENT_MAXITER && s == GSL_CONTINUE; it++) {
        if (gsl_min_fminimizer_iterate(m) != GSL_SUCCESS)
            break;
        s = gsl_min_test_interval(gsl_min_fminimizer_x_lower(m), gsl_min_fminimizer_x_upper(m),
                                  TOL_X, TOL_X);
    }
    if (s == GSL_CONTINUE && it == BRENT_MAXITER)
        *status = RADVAR_EMAXITER;
    double u = gsl_min_fminimizer_x_minimum(m);
    gsl_min_fminimizer_free(m);
    return ll1(u, f) >= best ? u : best_u;
}

/* ---- two-parameter fits: grid, then Nelder-Mead (restarted once) ---- */

struct fit2 {
    const struct series *d;
    radvar_noise_kind kind;
};

static double logistic(double x)
{
    return x >= 0 ? 1 / (1 + exp(-x)) : exp(x) / (1 + exp(x));
}

/* the model parameters of the transformed pair, clamped to the allowed box */
static void params2(const struct fit2 *f, const double y[2], double *p1, double *p2)
{
    if (f->kind == RADVAR_NOISE_MIXTURE) {
        *p1 = logistic(y[0]);                                   /* p */
        double lnk = exp(y[1]), lnk_max = log(RADVAR_GRADSTATS_K_MAX);
        *p2 = exp(lnk < lnk_max ? lnk : lnk_max);                /* k */
    } else {
        double la = y[0] < log(RADVAR_GRADSTATS_A_MAX) ? y[0] : log(RADVAR_GRADSTATS_A_MAX);
        double lt_lo = log(RADVAR_GRADSTATS_TAU_MIN * f->d->tmax),
               lt_hi = log(RADVAR_GRADSTATS_TAU_MAX * f->d->tmax);
        double lt = y[1] < lt_lo ? lt_lo : (y[1] > lt_hi ? lt_hi : y[1]);
        *p1 = exp(la); /* a */
        *p2 = exp(lt); /* tau */
    }
}

static double ll2(const double y[2], const struct fit2 *f)
{
    double p1, p2;
    params2(f, y, &p1, &p2);
    if (f->kind == RADVAR_NOISE_MIXTURE)
        return p1 > 0 && p1 < 1 ? ll_mixture(f->d, p1, p2) : -INFINITY;
    return ll_decay(f->d, p1, p2, NULL);
}

static double neg_ll2(const gsl_vector *v, void *arg)
{
    double y[2] = {gsl_vector_get(v, 0), gsl_vector_get(v, 1)};
    double r = -ll2(y, arg);
    return isfinite(r) ? r : DBL_MAX;
}

static int simplex(const struct fit2 *f, double y[2], double size)
{
    gsl_multimin_fminimizer *m = gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, 2);
    gsl_vector *x = gsl_vector_alloc(2), *ss = gsl_vector_alloc(2);
    if (m == NULL || x == NULL || ss == NULL) {
        if (m)
            gsl_multimin_fminimizer_free(m);
        if (x)
            gsl_vector_free(x);
        if (ss)
            gsl_vector_free(ss);
        return RADVAR_ENOMEM;
    }
    gsl_multimin_function fn = {neg_ll2, 2, (void *)f};
    gsl_vector_set(x, 0, y[0]);
    gsl_vector_set(x, 1, y[1]);
    gsl_vector_set_all(ss, size);
    int status = RADVAR_SUCCESS, s = GSL_CONTINUE, it = 0;
    if (gsl_multimin_fminimizer_set(m, &fn, x, ss) == GSL_SUCCESS) {
        double last = gsl_multimin_fminimizer_minimum(m);
        int still = 0;
        for (; it < SIMPLEX_MAXITER && s == GSL_CONTINUE; it++) {
            if (gsl_multimin_fminimizer_iterate(m) != GSL_SUCCESS)
                break;
            s = gsl_multimin_test_size(gsl_multimin_fminimizer_size(m), TOL_X);
            double now = gsl_multimin_fminimizer_minimum(m);
            still = fabs(last - now) <= 4 * DBL_EPSILON * fabs(now) ? still + 1 : 0;
            last = now;
            if (still >= STALL)
                s = GSL_SUCCESS;
        }
            if (s == GSL_CONTINUE && it == SIMPLEX_MAXITER)
            status = RADVAR_EMAXITER;
        double cand[2] = {gsl_vector_get(m->x, 0), gsl_vector_get(m->x, 1)};
        if (ll2(cand, f) >= ll2(y, f)) {
            y[0] = cand[0];
            y[1] = cand[1];
        }
    }
    gsl_multimin_fminimizer_free(m);
    gsl_vector_free(x);
    gsl_vector_free(ss);
    return status;
}

static int max2(const struct fit2 *f, double y[2])
{
    double g0[9], g1[9];
    int n0, n1;
    if (f->kind == RADVAR_NOISE_MIXTURE) {
        /* logit p from p = 0.002 to 0.9; ln ln k from k = 1.1 to 400 */
        const double p[] = {0.002, 0.01, 0.03, 0.1, 0.25, 0.5, 0.75, 0.9};
        const double k[] = {1.1, 1.5, 2.5, 5, 10, 30, 100, 400};
        n0 = 8;
        n1 = 8;
        for (int i = 0; i < 8; i++) {
            g0[i] = log(p[i] / (1 - p[i]));
            g1[i] = log(log(k[i]));
        }
    } else {
        /* a from 0.01 to 10; tau from 1e-3 to 100 times the last step */
        const double a[] = {0.01, 0.05, 0.2, 0.5, 1, 2, 4, 10};
        const double tau[] = {1e-3, 1e-2, 0.03, 0.1, 0.3, 1, 3, 10, 100};
        n0 = 8;
        n1 = 9;
        for (int i = 0; i < 8; i++)
            g0[i] = log(a[i]);
        for (int i = 0; i < 9; i++)
            g1[i] = log(tau[i] * f->d->tmax);
    }
    double best = -INFINITY;
    for (int i = 0; i < n0; i++)
        for (int j = 0; j < n1; j++) {
            double c[2] = {g0[i], g1[j]}, v = ll2(c, f);
            if (v > best) {
                best = v;
                y[0] = c[0];
                y[1] = c[1];
            }
        }
    int s1 = simplex(f, y, 0.5);
    if (s1 == RADVAR_ENOMEM)
        return s1;
    int s2 = simplex(f, y, 0.1);
    return s2 != RADVAR_SUCCESS ? s2 : RADVAR_SUCCESS;
}

/* ---- the public fits ---- */

static void fit_nan(radvar_gradstats_fit *out, radvar_noise_kind kind)
{
    radvar_noise_default(&out->model);
    out->model.kind = kind;
    out->model.nu = out->model.p = out->model.k = out->model.phi = out->model.a = out->model.tau = NAN;
    out->mu = out->sigma = out->loglik = out->params = out->aic = out->bic = NAN;
}

static int fit_one(const struct series *d, double mu, double s,
                   radvar_noise_kind kind, radvar_gradstats_fit *out)
{
    int status = RADVAR_SUCCESS;
    radvar_noise_default(&out->model);
    out->model.kind = kind;
    out->mu = mu;
    out->sigma = s;
    double ll = NAN, normal = ll_normal(d);
    switch (kind) {
    case RADVAR_NOISE_NORMAL:
        ll = normal;
        out->params = 2;
        break;
    case RADVAR_NOISE_LAPLACE:
        ll = ll_laplace(d);
        out->params = 2;
        break;
    case RADVAR_NOISE_STUDENT: {
        struct fit1 f = {d, kind};
        double u = max1(&f, log(RADVAR_GRADSTATS_NU_MIN - 2), log(RADVAR_GRADSTATS_NU_MAX - 2), 49,
                        &status);
        out->model.nu = nu_of(u);
        ll = ll_student(d, out->model.nu);
        if (!(ll > normal)) { /* the normal limit: nu -> inf */
            out->model.nu = RADVAR_GRADSTATS_NU_MAX;
            ll = ll_student(d, out->model.nu);
        }
        out->params = 3;
        break;
    }
    case RADVAR_NOISE_AR1: {
        struct fit1 f = {d, kind};
        double w = max1(&f, -atanh(RADVAR_GRADSTATS_PHI_MAX), atanh(RADVAR_GRADSTATS_PHI_MAX), 41,
                        &status);
        out->model.phi = tanh(w);
        ll = ll_ar1(d, out->model.phi);
        out->params = 3;
        break;
    }
    case RADVAR_NOISE_MIXTURE: {
        struct fit2 f = {d, kind};
        double y[2];
        status = max2(&f, y);
        params2(&f, y, &out->model.p, &out->model.k);
        ll = ll_mixture(d, out->model.p, out->model.k);
        if (!(ll > normal)) { /* the normal limit: k = 1 (any p) */
            out->model.p = 0.5;
            out->model.k = 1;
            ll = normal;
        }
        out->params = 4;
        break;
    }
    case RADVAR_NOISE_DECAY: {
        struct fit2 f = {d, kind};
        double y[2], s2;
        status = max2(&f, y);
        params2(&f, y, &out->model.a, &out->model.tau);
        ll = ll_decay(d, out->model.a, out->model.tau, &s2);
        if (!(ll > normal)) { /* the normal limit: a = 0 */
            out->model.a = 0;
            out->model.tau = d->tmax;
            ll = normal;
            s2 = 1;
        }
        out->sigma = s * sqrt(s2);
        out->params = 4;
        break;
    }
    default:
        fit_nan(out, kind);
        return RADVAR_EINVAL;
    }
    if (status == RADVAR_ENOMEM) {
        fit_nan(out, kind);
        return status;
    }
    double dn = (double)d->n;
    out->loglik = ll - dn * d->ln_s;
    out->aic = -2 * out->loglik + 2 * out->params;
    out->bic = -2 * out->loglik + out->params * log(dn);
    return status;
}

/* standardise x into z (malloc'd) and fill the sums; RADVAR_EDOM for a
 * constant series */
static int prepare(const double *x, const double *t, size_t n, struct series *d, double **z,
                   double **tt, double *mu, double *s)
{
    *z = NULL;
    *tt = NULL;
    if (x == NULL)
        return RADVAR_EINVAL;
    if (n < RADVAR_GRADSTATS_FIT_NMIN)
        return RADVAR_EDOM;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(x[i]) || (t != NULL && !isfinite(t[i])))
            return RADVAR_ENONFINITE;
    if (t != NULL)
        for (size_t i = 0; i < n; i++)
            if (!(t[i] >= 0))
                return RADVAR_EDOM;
    radvar_ksum sm = {0, 0}, s2 = {0, 0};
    for (size_t i = 0; i < n; i++)
        radvar_ksum_add(&sm, x[i]);
    *mu = radvar_ksum_value(&sm) / (double)n;
    for (size_t i = 0; i < n; i++)
        radvar_ksum_add(&s2, (x[i] - *mu) * (x[i] - *mu));
    *s = sqrt(radvar_ksum_value(&s2) / (double)n);
    if (!(*s > 0) || !isfinite(*s))
        return RADVAR_EDOM;
    *z = malloc(n * sizeof **z);
    *tt = malloc(n * sizeof **tt);
    if (*z == NULL || *tt == NULL) {
        free(*z);
        free(*tt);
        *z = *tt = NULL;
        return RADVAR_ENOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        (*z)[i] = (x[i] - *mu) / *s;
        (*tt)[i] = t ? t[i] : (double)(i + 1);
    }
    radvar_ksum a = {0, 0}, b = {0, 0}, c = {0, 0};
    double tmax = 0;
    for (size_t i = 0; i < n; i++) {
        if (i >= 1) {
            radvar_ksum_add(&a, (*z)[i] * (*z)[i]);
            radvar_ksum_add(&b, (*z)[i] * (*z)[i - 1]);
        }
        if (i + 1 < n)
            radvar_ksum_add(&c, (*z)[i] * (*z)[i]);
        tmax = (*tt)[i] > tmax ? (*tt)[i] : tmax;
    }
    *d = (struct series){*z, *tt, n, log(*s), radvar_ksum_value(&a), radvar_ksum_value(&b),
                         radvar_ksum_value(&c), tmax > 0 ? tmax : 1};
    return RADVAR_SUCCESS;
}

int radvar_gradstats_fit_model(const double *x, const double *t, size_t n, radvar_noise_kind kind,
                               radvar_gradstats_fit *out)
{
    fit_nan(out, kind);
    if ((unsigned)kind >= RADVAR_GRADSTATS_MODELS)
        return RADVAR_EINVAL;
    struct series d;
    double *z, *tt, mu, s;
    int status = prepare(x, t, n, &d, &z, &tt, &mu, &s);
    if (status != RADVAR_SUCCESS)
        return status;
    status = fit_one(&d, mu, s, kind, out);
    free(z);
    free(tt);
    return status;
}

int radvar_gradstats_fit_all(const double *x, const double *t, size_t n, radvar_gradstats_fits *out)
{
    for (int k = 0; k < RADVAR_GRADSTATS_MODELS; k++)
        fit_nan(&out->model[k], (radvar_noise_kind)k);
    out->best = RADVAR_NOISE_NORMAL;
    out->delta_bic = NAN;
    struct series d;
    double *z, *tt, mu, s;
    int status = prepare(x, t, n, &d, &z, &tt, &mu, &s);
    if (status != RADVAR_SUCCESS)
        return status;
    for (int k = 0; k < RADVAR_GRADSTATS_MODELS && status != RADVAR_ENOMEM; k++) {
        int sk = fit_one(&d, mu, s, (radvar_noise_kind)k, &out->model[k]);
        if (sk != RADVAR_SUCCESS)
            status = sk;
    }
    free(z);
    free(tt);
    if (status == RADVAR_ENOMEM) {
        for (int k = 0; k < RADVAR_GRADSTATS_MODELS; k++)
            fit_nan(&out->model[k], (radvar_noise_kind)k);
        return status;
    }
    /* the smallest BIC; ties go to the earlier (simpler) kind, normal first */
    for (int k = 1; k < RADVAR_GRADSTATS_MODELS; k++)
        if (out->model[k].bic < out->model[out->best].bic)
            out->best = (radvar_noise_kind)k;
    out->delta_bic = out->model[RADVAR_NOISE_NORMAL].bic - out->model[out->best].bic;
    return status;
}

/* ---- histograms ---- */

static void count_log2(double a, uint64_t counts[RADVAR_LOG2_BINS], uint64_t *zeros,
                       uint64_t *nonfinite)
{
    if (a == 0) {
        ++*zeros;
        return;
    }
    if (!isfinite(a)) {
        if (nonfinite)
            ++*nonfinite;
        return;
    }
    int e;
    frexp(a, &e); /* a = m 2^e, 0.5 <= m < 1: floor(log2 a) = e - 1, exactly */
    int b = e - 1;
    b = b < RADVAR_LOG2_BIN_MIN ? RADVAR_LOG2_BIN_MIN : (b > RADVAR_LOG2_BIN_MAX ? RADVAR_LOG2_BIN_MAX : b);
    counts[b - RADVAR_LOG2_BIN_MIN]++;
}

void radvar_gradstats_log2_hist_f32(const float *x, size_t n, uint64_t counts[RADVAR_LOG2_BINS],
                                    uint64_t *zeros, uint64_t *nonfinite)
{
    for (size_t i = 0; i < n; i++)
        count_log2(fabs((double)x[i]), counts, zeros, nonfinite);
}

void radvar_gradstats_log2_hist_f64(const double *x, size_t n, uint64_t counts[RADVAR_LOG2_BINS],
                                    uint64_t *zeros, uint64_t *nonfinite)
{
    for (size_t i = 0; i < n; i++)
        count_log2(fabs(x[i]), counts, zeros, nonfinite);
}

void radvar_gradstats_log2_hist_diff_f32(const float *before, const float *after, size_t n,
                                         uint64_t counts[RADVAR_LOG2_BINS], uint64_t *zeros,
                                         uint64_t *nonfinite)
{
    for (size_t i = 0; i < n; i++)
        count_log2(fabs((double)after[i] - (double)before[i]), counts, zeros, nonfinite);
}

/* ---- coordinates ---- */

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

int radvar_gradstats_choose_coords(uint64_t seed, const size_t *size, size_t layers, size_t k,
                                   size_t *layer, size_t *index)
{
    if (size == NULL || layer == NULL || index == NULL || layers == 0 || k == 0)
        return RADVAR_EINVAL;
    size_t total = 0;
    for (size_t l = 0; l < layers; l++) {
        if (size[l] > SIZE_MAX - total)
            return RADVAR_EINVAL;
        total += size[l];
    }
    if (k > total)
        return RADVAR_EINVAL;
    /* per layer: the indices taken (sorted, for the duplicate test), the
     * count of draws made */
    size_t *taken = malloc(k * sizeof *taken), *ntaken = calloc(layers, sizeof *ntaken),
           *start = calloc(layers, sizeof *start);
    uint64_t *draws = calloc(layers, sizeof *draws);
    if (!taken || !ntaken || !start || !draws) {
        free(taken);
        free(ntaken);
        free(start);
        free(draws);
        return RADVAR_ENOMEM;
    }
    /* how many coordinates each layer gives: round-robin, skipping full ones */
    size_t *quota = calloc(layers, sizeof *quota);
    if (quota == NULL) {
        free(taken);
        free(ntaken);
        free(start);
        free(draws);
        return RADVAR_ENOMEM;
    }
    int status = RADVAR_SUCCESS;
    size_t l = 0;
    for (size_t i = 0; i < k; i++) {
        while (quota[l] == size[l])
            l = (l + 1) % layers;
        layer[i] = l;
        quota[l]++;
        l = (l + 1) % layers;
    }
    for (size_t m = 1; m < layers; m++)
        start[m] = start[m - 1] + quota[m - 1];
    for (size_t i = 0; i < k && status == RADVAR_SUCCESS; i++) {
        size_t L = layer[i], *mine = taken + start[L], have = ntaken[L];
        for (;;) {
            if (draws[L] > 64 * (uint64_t)size[L] + 64) {
                status = RADVAR_EMAXITER;
                break;
            }
            /* modulo: a bias below size/2^64, nothing for any real layer */
            uint64_t bits = radvar_rng_uniform_bits(seed, RADVAR_GRADSTATS_COORD_STREAM + L, draws[L]++);
            size_t j = (size_t)(bits % size[L]);
            if (bsearch(&j, mine, have, sizeof *mine, cmp_size) != NULL)
                continue;
            /* insert j, keeping the layer's indices sorted */
            size_t pos = have;
            while (pos > 0 && mine[pos - 1] > j) {
                mine[pos] = mine[pos - 1];
                pos--;
            }
            mine[pos] = j;
            ntaken[L]++;
            index[i] = j;
            break;
        }
    }
    free(taken);
    free(ntaken);
    free(start);
    free(draws);
    free(quota);
    return status;
}
