/* noise.c: the gradient-noise models (radvar/noise.h): SPEC parsing and
 * formatting, validation, kurtosis and the moment-matched degrees of freedom.
 *
 * DESCRIPTION
 *   rho_mm = 2 E[X]^2 / Var[X] for X = sum_i w_i g_i^2 (EMA weights, sum 1).
 *   E[X] = sigma^2 + mu^2 for every stationary model.
 *   i.i.d.:  Var[X] = sum w_i^2 Var[g^2] = Var[g^2] / rho_moment, and with
 *            g = mu + sigma e, e symmetric of unit variance and kurtosis kappa,
 *            Var[g^2] = sigma^4 (kappa - 1) + 4 mu^2 sigma^2.
 *   ar1:     Var[X] = c^2 sum_{i,j<n} b^(i+j) [2 sigma^4 q2^|i-j| + 4 mu^2 sigma^2 q1^|i-j|]
 *            (ages i, j; c = w_0, b = beta2, q1 = F, q2 = F^2), and with
 *            z = q b, beta = b^2,
 *              S(q) = sum_{i,j<n} b^(i+j) q^|i-j|
 *                   = [(1+z) G(beta, n) - 2 z h(beta, z, n)] / (1 - z),
 *            G(x, n) = sum_{i<n} x^i, h(x, z, n) = sum_{i<n} x^i z^(n-1-i)
 *            (split the double sum by d = |i-j|: sum_i b^(2i) [1 + 2 sum_{d>=1} z^d]
 *            truncated at i + d = n - 1).  The form cancels by a factor up to
 *            (1+|z|)/(1-|z|) as n -> 1; for n <= 64 the O(n) sum
 *            G(beta, n) + 2 sum_d z^d G(beta, n-d) of same-signed terms is used.
 *   decay:   E[X] = mu^2 + sigma^2 sum w_j s_j^2, Var[X] = sum w_j^2 (2 sigma^4 s_j^4
 *            + 4 mu^2 sigma^2 s_j^2), s_j = (1 + (t-j)/tau)^(-a): O(t).
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ksum.h"
#include "result.h"
#include "special.h"
#include "radvar/noise.h"
#include "radvar/schedule.h"

#define EXPECTED "normal, student:nu=V, laplace, mixture:p=P,k=K, ar1:phi=F or decay:a=A,tau=T"

void radvar_noise_default(radvar_noise *n)
{
    *n = (radvar_noise){.kind = RADVAR_NOISE_NORMAL};
}

const char *radvar_noise_name(radvar_noise_kind kind)
{
    switch (kind) {
    case RADVAR_NOISE_NORMAL: return "normal";
    case RADVAR_NOISE_STUDENT: return "student";
    case RADVAR_NOISE_LAPLACE: return "laplace";
    case RADVAR_NOISE_MIXTURE: return "mixture";
    case RADVAR_NOISE_AR1: return "ar1";
    case RADVAR_NOISE_DECAY: return "decay";
    }
    return "?";
}

/* ---- parameters of each model ---- */

typedef struct {
    const char *name;
    const char *range; /* the valid range, as written in messages */
    size_t offset;     /* of the field in radvar_noise */
    int (*ok)(double);
} param_def;

static int ok_nu(double v) { return v > 2.0 && isfinite(v); }
static int ok_p(double v) { return v > 0.0 && v < 1.0; }
static int ok_pos(double v) { return v > 0.0 && isfinite(v); }
static int ok_phi(double v) { return v > -1.0 && v < 1.0; }
static int ok_nonneg(double v) { return v >= 0.0 && isfinite(v); }

static const param_def student_params[] = {{"nu", "nu > 2", offsetof(radvar_noise, nu), ok_nu}};
static const param_def mixture_params[] = {{"p", "0 < p < 1", offsetof(radvar_noise, p), ok_p},
                                           {"k", "k > 0", offsetof(radvar_noise, k), ok_pos}};
static const param_def ar1_params[] = {{"phi", "-1 < phi < 1", offsetof(radvar_noise, phi), ok_phi}};
static const param_def decay_params[] = {{"a", "a >= 0", offsetof(radvar_noise, a), ok_nonneg},
                                         {"tau", "tau > 0", offsetof(radvar_noise, tau), ok_pos}};

typedef struct {
    radvar_noise_kind kind;
    const param_def *params;
    size_t nparams;
} model_def;

static const model_def models[] = {
    {RADVAR_NOISE_NORMAL, NULL, 0},
    {RADVAR_NOISE_STUDENT, student_params, 1},
    {RADVAR_NOISE_LAPLACE, NULL, 0},
    {RADVAR_NOISE_MIXTURE, mixture_params, 2},
    {RADVAR_NOISE_AR1, ar1_params, 1},
    {RADVAR_NOISE_DECAY, decay_params, 2},
};

static const model_def *model_of(radvar_noise_kind kind)
{
    for (size_t i = 0; i < sizeof models / sizeof *models; i++)
        if (models[i].kind == kind)
            return &models[i];
    return NULL;
}

static double *field(radvar_noise *n, const param_def *d)
{
    return (double *)((char *)n + d->offset);
}

static double field_value(const radvar_noise *n, const param_def *d)
{
    return *(const double *)((const char *)n + d->offset);
}

static int fail(char *why, size_t why_len, const char *fmt, ...)
{
    if (why != NULL && why_len > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, why_len, fmt, ap);
        va_end(ap);
    }
    return RADVAR_EINVAL;
}

int radvar_noise_check(const radvar_noise *n, char *why, size_t why_len)
{
    if (n == NULL)
        return fail(why, why_len, "no noise model");
    const model_def *m = model_of(n->kind);
    if (m == NULL)
        return fail(why, why_len, "unknown noise model kind %d", (int)n->kind);
    for (size_t i = 0; i < m->nparams; i++) {
        double v = field_value(n, &m->params[i]);
        if (!m->params[i].ok(v))
            return fail(why, why_len, "%s: %s = %.17g is out of range (need %s)",
                        radvar_noise_name(n->kind), m->params[i].name, v, m->params[i].range);
    }
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    return RADVAR_SUCCESS;
}

/* ---- SPEC strings ---- */

/* The model named by the name_len bytes at spec, or NULL. */
static const model_def *model_named(const char *spec, size_t name_len)
{
    const model_def *m = NULL;
    for (size_t i = 0; i < sizeof models / sizeof *models; i++) {
        const char *name = radvar_noise_name(models[i].kind);
        if (strlen(name) == name_len && strncmp(spec, name, name_len) == 0)
            m = &models[i];
    }
    return m;
}

/* How to write a model's SPEC, for the message on a missing ':'. */
static const char *spec_example(radvar_noise_kind kind)
{
    return kind == RADVAR_NOISE_STUDENT   ? "student:nu=V"
           : kind == RADVAR_NOISE_MIXTURE ? "mixture:p=P,k=K"
           : kind == RADVAR_NOISE_AR1     ? "ar1:phi=F"
                                          : "decay:a=A,tau=T";
}

/* *out = n, an empty reason, success. */
static int parsed(const radvar_noise *n, radvar_noise *out, char *why, size_t why_len)
{
    *out = *n;
    if (why != NULL && why_len > 0)
        why[0] = '\0';
    return RADVAR_SUCCESS;
}

/* One item name=value of model m (item_len bytes at item, without the ','):
 * sets its field of *n and marks it in seen[]; a name unknown or given
 * twice, or a value that is not a finite number in range, is refused with
 * the reason in why. */
static int parse_param(const model_def *m, const char *item, size_t item_len, radvar_noise *n,
                       int seen[2], char *why, size_t why_len)
{
    const char *name = radvar_noise_name(m->kind);
    if (item_len == 0)
        return fail(why, why_len, "%s: empty parameter after '%c'", name, item[-1]);
    const char *eq = memchr(item, '=', item_len);
    if (eq == NULL)
        return fail(why, why_len, "%s: expected name=value, got '%.*s'", name,
                    (int)(item_len > 64 ? 64 : item_len), item);
    size_t key_len = (size_t)(eq - item);
    const param_def *d = NULL;
    size_t which = 0;
    for (size_t i = 0; i < m->nparams; i++)
        if (strlen(m->params[i].name) == key_len && strncmp(item, m->params[i].name, key_len) == 0) {
            d = &m->params[i];
            which = i;
        }
    if (d == NULL)
        return fail(why, why_len, "%s: unknown parameter '%.*s' (%s takes %s%s%s)", name,
                    (int)(key_len > 64 ? 64 : key_len), item, name, m->params[0].range,
                    m->nparams > 1 ? " and " : "", m->nparams > 1 ? m->params[1].range : "");
    if (seen[which])
        return fail(why, why_len, "%s: parameter %s given twice", name, d->name);
    seen[which] = 1;
    const char *val = eq + 1;
    size_t val_len = item_len - key_len - 1;
    int show = (int)(val_len > 64 ? 64 : val_len);
    if (val_len == 0)
        return fail(why, why_len, "%s: %s has no value (need %s)", name, d->name, d->range);
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (end == val || (size_t)(end - val) != val_len || isspace((unsigned char)val[0]))
        return fail(why, why_len, "%s: %s = '%.*s' is not a number (need %s)", name, d->name,
                    show, val, d->range);
    if (!isfinite(v) || (errno == ERANGE && fabs(v) > 1.0))
        return fail(why, why_len, "%s: %s = '%.*s' is not finite (need %s)", name, d->name, show,
                    val, d->range);
    if (!d->ok(v))
        return fail(why, why_len, "%s: %s = %.*s is out of range (need %s)", name, d->name, show,
                    val, d->range);
    *field(n, d) = v;
    return RADVAR_SUCCESS;
}

int radvar_noise_parse(const char *spec, radvar_noise *out, char *why, size_t why_len)
{
    if (spec == NULL || spec[0] == '\0')
        return fail(why, why_len, "empty noise model (expected " EXPECTED ")");
    size_t name_len = strcspn(spec, ":");
    const model_def *m = model_named(spec, name_len);
    if (m == NULL)
        return fail(why, why_len, "unknown noise model '%.*s' (expected " EXPECTED ")",
                    (int)(name_len > 64 ? 64 : name_len), spec);
    const char *name = radvar_noise_name(m->kind);
    radvar_noise n;
    radvar_noise_default(&n);
    n.kind = m->kind;
    const char *rest = spec + name_len;
    if (m->nparams == 0) {
        if (*rest != '\0')
            return fail(why, why_len, "%s takes no parameters (got '%.64s')", name, rest);
        return parsed(&n, out, why, why_len);
    }
    int seen[2] = {0, 0};
    if (*rest != ':')
        return fail(why, why_len, "%s: missing parameter %s (need %s; write %s)", name,
                    m->params[0].name, m->params[0].range, spec_example(m->kind));
    rest++;
    for (;;) { /* bounded: each pass consumes at least one byte of spec */
        size_t item_len = strcspn(rest, ",");
        int status = parse_param(m, rest, item_len, &n, seen, why, why_len);
        if (status != RADVAR_SUCCESS)
            return status;
        rest += item_len;
        if (*rest == '\0')
            break;
        rest++; /* the ',' */
    }
    for (size_t i = 0; i < m->nparams; i++)
        if (!seen[i])
            return fail(why, why_len, "%s: missing parameter %s (need %s)", name,
                        m->params[i].name, m->params[i].range);
    return parsed(&n, out, why, why_len);
}

int radvar_noise_format(const radvar_noise *n, char *buf, size_t len)
{
    if (radvar_noise_check(n, NULL, 0) != RADVAR_SUCCESS) {
        if (buf != NULL && len > 0)
            buf[0] = '\0';
        return RADVAR_EINVAL;
    }
    const model_def *m = model_of(n->kind);
    int w;
    if (m->nparams == 0)
        w = snprintf(buf, len, "%s", radvar_noise_name(n->kind));
    else if (m->nparams == 1)
        w = snprintf(buf, len, "%s:%s=%.17g", radvar_noise_name(n->kind), m->params[0].name,
                     field_value(n, &m->params[0]));
    else
        w = snprintf(buf, len, "%s:%s=%.17g,%s=%.17g", radvar_noise_name(n->kind),
                     m->params[0].name, field_value(n, &m->params[0]), m->params[1].name,
                     field_value(n, &m->params[1]));
    return (w < 0 || (size_t)w >= len) ? RADVAR_EINVAL : RADVAR_SUCCESS;
}

/* ---- model facts ---- */

double radvar_noise_kurtosis(const radvar_noise *n)
{
    if (radvar_noise_check(n, NULL, 0) != RADVAR_SUCCESS)
        return NAN;
    switch (n->kind) {
    case RADVAR_NOISE_STUDENT:
        return n->nu > 4.0 ? 3.0 + 6.0 / (n->nu - 4.0) : INFINITY;
    case RADVAR_NOISE_LAPLACE:
        return 6.0;
    case RADVAR_NOISE_MIXTURE: {
        /* E[(c S)^4] E[Z^4] with E[(cS)^2] = 1 */
        double k2 = n->k * n->k, m2 = 1.0 - n->p + n->p * k2, m4 = 1.0 - n->p + n->p * k2 * k2;
        return 3.0 * (m4 / m2) / m2;
    }
    default:
        return 3.0;
    }
}

/* sum_{i<n} x^i for |x| <= 1 (x = 1: n), n >= 1 whole or inf (|x| < 1) */
static double geo_sum(double x, double n)
{
    if (x == 0.0)
        return 1.0;
    if (isinf(n))
        return 1.0 / (1.0 - x);
    if (x == 1.0)
        return n;
    if (x > 0.0) {
        double l = log(x);
        return expm1(n * l) / expm1(l);
    }
    return (1.0 - pow(x, n)) / (1.0 - x); /* x < 0: no cancellation */
}

/* S(q) = sum_{i,j<n} b^(i+j) q^|i-j|, |q| < 1, 0 < b < 1 (see the top) */
static double ar1_double_sum(double q, double b, double n)
{
    double beta = b * b, z = q * b;
    if (!isinf(n) && n <= 64.0) {
        radvar_ksum s = {0, 0};
        radvar_ksum_add(&s, geo_sum(beta, n));
        double zd = 1.0;
        for (double d = 1; d < n; d++) {
            zd *= z;
            radvar_ksum_add(&s, 2.0 * zd * geo_sum(beta, n - d));
        }
        return radvar_ksum_value(&s);
    }
    double g = geo_sum(beta, n), h = 0.0;
    if (!isinf(n))
        h = fabs(z) <= beta ? pow(beta, n - 1.0) * geo_sum(z / beta, n)
                            : pow(z, n - 1.0) * geo_sum(beta / z, n);
    return ((1.0 + z) * g - 2.0 * z * h) / (1.0 - z);
}

static int bad_t(double t, int whole)
{
    return !(t >= 1.0) || (whole && isfinite(t) && t != floor(t));
}

static int bad_decay_t(const radvar_noise *n, double t)
{
    return bad_t(t, 1) || isinf(t) || t > RADVAR_NOISE_DECAY_TMAX
           || 2.0 * n->a * log1p(t / n->tau) > 690.0;
}

/* decay: sum_j w_j s_j^2 and sum_j w_j^2 (2 s_j^4 + 4 d2 s_j^2), compensated */
static void decay_sums(const radvar_noise *n, double beta2, double t, double d2, double *ex,
                       double *vx)
{
    double lambda = beta2 > 0.0 ? radvar_schedule_ema_decay_rate(beta2) : INFINITY;
    double c = beta2 > 0.0 ? (1.0 - beta2) / -expm1(-t * lambda) : 1.0;
    radvar_ksum e = {0, 0}, v = {0, 0};
    /* oldest (small weight) first; age j = t - i */
    for (double i = 1; i <= t; i++) {
        double j = t - i;
        if (beta2 == 0.0 && j > 0)
            continue;
        double w = j > 0 ? c * exp(-lambda * j) : c;
        double s2 = exp(-2.0 * n->a * log1p(i / n->tau));
        radvar_ksum_add(&e, w * s2);
        radvar_ksum_add(&v, w * w * (2.0 * s2 * s2 + 4.0 * d2 * s2));
    }
    *ex = radvar_ksum_value(&e);
    *vx = radvar_ksum_value(&v);
}

int radvar_noise_mean_square_e(const radvar_noise *n, double beta2, double t, double mu,
                               double sigma, radvar_result *r)
{
    if (n == NULL) { /* a bad argument, not a point outside the domain */
        r->val = r->err = NAN;
        return RADVAR_EINVAL;
    }
    if (radvar_noise_check(n, NULL, 0) != RADVAR_SUCCESS || !(beta2 >= 0.0 && beta2 < 1.0)
        || !isfinite(mu) || !(sigma > 0.0) || !isfinite(sigma)
        || (n->kind == RADVAR_NOISE_DECAY ? bad_decay_t(n, t) : bad_t(t, n->kind == RADVAR_NOISE_AR1)))
        RADVAR_DOMAIN_ERROR(r);
    double s2 = sigma * sigma;
    if (n->kind == RADVAR_NOISE_DECAY) {
        double ex, vx;
        decay_sums(n, beta2, t, 0.0, &ex, &vx);
        s2 *= ex;
    }
    r->val = mu * mu + s2;
    r->err = (n->kind == RADVAR_NOISE_DECAY ? 4.0 : 1.0) * DBL_EPSILON * r->val;
    return isfinite(r->val) ? RADVAR_SUCCESS : RADVAR_EDOM;
}

double radvar_noise_mean_square(const radvar_noise *n, double beta2, double t, double mu,
                                double sigma)
{
    radvar_result r;
    radvar_noise_mean_square_e(n, beta2, t, mu, sigma, &r);
    return r.val;
}

int radvar_noise_rho_mm_e(const radvar_noise *n, double beta2, double t, double mu,
                          double sigma, radvar_result *r)
{
    if (n == NULL) { /* a bad argument, not a point outside the domain */
        r->val = r->err = NAN;
        return RADVAR_EINVAL;
    }
    if (radvar_noise_check(n, NULL, 0) != RADVAR_SUCCESS || !(beta2 >= 0.0 && beta2 < 1.0)
        || !isfinite(mu) || !(sigma > 0.0) || !isfinite(sigma))
        RADVAR_DOMAIN_ERROR(r);
    double d2 = (mu / sigma) * (mu / sigma); /* delta^2 = mu^2 / sigma^2 */
    switch (n->kind) {
    case RADVAR_NOISE_AR1: {
        if (bad_t(t, 1))
            RADVAR_DOMAIN_ERROR(r);
        if (beta2 == 0.0 || t == 1.0)
            break; /* one term: as the normal model */
        double lambda = radvar_schedule_ema_decay_rate(beta2);
        double c = isinf(t) ? 1.0 - beta2 : (1.0 - beta2) / -expm1(-t * lambda);
        double s2 = ar1_double_sum(n->phi * n->phi, beta2, t), s1 = ar1_double_sum(n->phi, beta2, t);
        /* 2 (1 + d2)^2 / (c^2 (2 S(F^2) + 4 d2 S(F))) */
        r->val = 2.0 * (1.0 + d2) * ((1.0 + d2) / (c * c * (2.0 * s2 + 4.0 * d2 * s1)));
        r->err = 16.0 * DBL_EPSILON * r->val * (1.0 + fabs(n->phi)) / (1.0 - fabs(n->phi));
        return isfinite(r->val) ? RADVAR_SUCCESS : RADVAR_EDOM;
    }
    case RADVAR_NOISE_DECAY: {
        if (bad_decay_t(n, t))
            RADVAR_DOMAIN_ERROR(r);
        double ex, vx;
        decay_sums(n, beta2, t, d2, &ex, &vx);
        double e = d2 + ex;
        r->val = 2.0 * e * (e / vx);
        r->err = 1e-15 * r->val;
        return RADVAR_SUCCESS;
    }
    default: {
        double kurt = radvar_noise_kurtosis(n);
        radvar_result rm;
        int status = radvar_schedule_rho_moment_e(beta2, t, &rm);
        if (status != RADVAR_SUCCESS || bad_t(t, 0))
            RADVAR_DOMAIN_ERROR(r);
        if (isinf(kurt)) {
            r->val = 0.0;
            r->err = 0.0;
            return RADVAR_SUCCESS;
        }
        /* 2 (1 + d2)^2 / ((kurt - 1) + 4 d2); exactly 1 for normal, mu = 0 */
        double f = 2.0 * (1.0 + d2) * ((1.0 + d2) / ((kurt - 1.0) + 4.0 * d2));
        r->val = rm.val * f;
        r->err = rm.err * f + (f == 1.0 ? 0.0 : 6.0 * DBL_EPSILON * r->val);
        return RADVAR_SUCCESS;
    }
    }
    /* ar1 with a single term: Var[g^2] of a Gaussian */
    r->val = 2.0 * (1.0 + d2) * ((1.0 + d2) / (2.0 + 4.0 * d2));
    r->err = 4.0 * DBL_EPSILON * r->val;
    return RADVAR_SUCCESS;
}

double radvar_noise_rho_mm(const radvar_noise *n, double beta2, double t, double mu, double sigma)
{
    radvar_result r;
    radvar_noise_rho_mm_e(n, beta2, t, mu, sigma, &r);
    return r.val;
}
