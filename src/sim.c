/* sim.c: the Monte Carlo engine of radvar/sim.h.
 *
 * NOTES
 *   Trials run in chunks of C trials, all C in lockstep over t, so every
 *   per-step operation is a loop over C lanes that the compiler vectorises
 *   (Philox, the ziggurat fast path, the EMA update, sqrt).  C depends on the
 *   configuration only, never on the thread count: chunk c always holds the
 *   same trials, its moments are computed the same way, and chunks are merged
 *   into the totals in increasing c (an OpenMP ordered region), which makes
 *   the output independent of the number of threads.
 *   SMA windows grow by at most one per step (rho_{t+1} - rho_t < 1), so the
 *   window sum is kept by adding the newest square and dropping the oldest;
 *   it is recomputed from the ring every K steps to keep rounding bounded.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "radvar/exact.h"
#include "radvar/rectify.h"
#include "radvar/rng.h"
#include "radvar/schedule.h"
#include "radvar/sim.h"
#include "radvar/theory.h"

#define CHUNK_MAX 256
#define SUPER_CHUNKS 16 /* chunks per superchunk: the unit of work and of merging */
#define SMA_RING_BUDGET (4u << 20) /* doubles of ring per chunk (32 MiB) */

struct lane_work {
    double *v;        /* EMA state or SMA window sums, C lanes */
    double *g_even, *g_odd, *psi;
    double *ring;     /* SMA: K x C, slot-major */
    radvar_stats_moments *chunk_moments; /* n_report */
};

struct radvar_sim {
    radvar_sim_config cfg;
    uint64_t *report, *ks;
    size_t *ks_slot;          /* report index -> ks index + 1 (0: none) */
    double *dof;              /* per report index */
    uint64_t *window_at;      /* SMA: k_t for t = 1..T (index t-1) */
    uint64_t ring_len;        /* SMA: K = max k_t */
    uint64_t chunk;           /* trials per chunk */
    uint64_t n_chunks, n_super, super_done;
    radvar_stats_moments *super_moments; /* n_report: the superchunk being merged */
    radvar_stats_moments *totals;   /* n_report */
    double **ks_samples;      /* n_ks arrays of `trials` */
    struct lane_work *work;   /* one per thread */
    int avx2;                 /* the instruction-set path of the lane loops */
};

static void free_work(struct lane_work *w)
{
    free(w->v);
    free(w->g_even);
    free(w->g_odd);
    free(w->psi);
    free(w->ring);
    free(w->chunk_moments);
}

void radvar_sim_free(radvar_sim *s)
{
    if (s == NULL)
        return;
    if (s->work)
        for (int i = 0; i < s->cfg.threads; i++)
            free_work(&s->work[i]);
    free(s->work);
    if (s->ks_samples)
        for (size_t j = 0; j < s->cfg.n_ks; j++)
            free(s->ks_samples[j]);
    free(s->ks_samples);
    free(s->report);
    free(s->ks);
    free(s->ks_slot);
    free(s->dof);
    free(s->window_at);
    free(s->totals);
    free(s->super_moments);
    free(s);
}

void radvar_sim_config_default(radvar_sim_config *c)
{
    memset(c, 0, sizeof *c);
    c->beta2 = 0.999;
    c->steps = 1000;
    c->trials = 1000;
    c->mu = 0.0;
    c->sigma = 1.0;
    c->seed = 1;
    c->threads = 1;
    c->average = RADVAR_AVERAGE_EMA;
}

static int valid_config(const radvar_sim_config *c)
{
    if (!(c->beta2 >= 0 && c->beta2 < 1) || c->steps < 1 || c->trials < 2
        || !isfinite(c->mu) || !(c->sigma > 0) || !isfinite(c->sigma) || c->threads < 1
        || c->threads > 1024 || (c->average != RADVAR_AVERAGE_EMA && c->average != RADVAR_AVERAGE_SMA)
        || c->n_report < 1 || c->report == NULL || c->steps > (UINT64_C(1) << 33))
        return 0;
    for (size_t k = 0; k < c->n_report; k++)
        if (c->report[k] < 1 || c->report[k] > c->steps || (k && c->report[k] <= c->report[k - 1]))
            return 0;
    for (size_t j = 0; j < c->n_ks; j++) {
        int found = 0;
        for (size_t k = 0; k < c->n_report; k++)
            found |= c->report[k] == c->ks[j];
        if (!found || (j && c->ks[j] <= c->ks[j - 1]))
            return 0;
    }
    return 1;
}

int radvar_sim_alloc(const radvar_sim_config *cfg, radvar_sim **out)
{
    *out = NULL;
    if (cfg == NULL || !valid_config(cfg))
        return RADVAR_EINVAL;
    radvar_sim *s = calloc(1, sizeof *s);
    if (s == NULL)
        return RADVAR_ENOMEM;
    s->cfg = *cfg;
    s->avx2 = radvar_dispatch_avx2();
    size_t nr = cfg->n_report, nk = cfg->n_ks;
    s->report = malloc(nr * sizeof *s->report);
    s->ks = malloc((nk ? nk : 1) * sizeof *s->ks);
    s->ks_slot = calloc(nr, sizeof *s->ks_slot);
    s->dof = malloc(nr * sizeof *s->dof);
    s->totals = calloc(nr, sizeof *s->totals);
    s->super_moments = calloc(nr, sizeof *s->super_moments);
    s->ks_samples = calloc(nk ? nk : 1, sizeof *s->ks_samples);
    s->work = calloc((size_t)cfg->threads, sizeof *s->work);
    if (!s->report || !s->ks || !s->ks_slot || !s->dof || !s->totals || !s->super_moments
        || !s->ks_samples || !s->work)
        goto nomem;
    memcpy(s->report, cfg->report, nr * sizeof *s->report);
    if (nk)
        memcpy(s->ks, cfg->ks, nk * sizeof *s->ks);
    s->cfg.report = s->report;
    s->cfg.ks = s->ks;
    for (size_t j = 0, k = 0; j < nk; j++) {
        while (s->report[k] != s->ks[j])
            k++;
        s->ks_slot[k] = j + 1;
        if ((s->ks_samples[j] = malloc(cfg->trials * sizeof(double))) == NULL)
            goto nomem;
    }

    /* degrees of freedom per reported step, and the SMA windows */
    s->chunk = CHUNK_MAX;
    if (cfg->average == RADVAR_AVERAGE_SMA) {
        s->window_at = malloc(cfg->steps * sizeof *s->window_at);
        if (s->window_at == NULL)
            goto nomem;
        uint64_t prev = 0;
        for (uint64_t t = 1; t <= cfg->steps; t++) {
            double k = cfg->window ? (double)cfg->window : round(radvar_schedule_rho_t(cfg->beta2, (double)t));
            uint64_t kt = k < 1 ? 1 : (uint64_t)k;
            if (kt > t)
                kt = t;
            if (kt > prev + 1) /* cannot happen: rho_t grows by < 1 a step */
                kt = prev + 1;
            s->window_at[t - 1] = kt;
            prev = kt;
        }
        s->ring_len = prev;
        while (s->chunk > 8 && s->chunk * s->ring_len > SMA_RING_BUDGET)
            s->chunk /= 2;
    }
    for (size_t k = 0; k < nr; k++)
        s->dof[k] = cfg->average == RADVAR_AVERAGE_SMA ? (double)s->window_at[s->report[k] - 1]
                                                       : radvar_schedule_rho_t(cfg->beta2, (double)s->report[k]);
    s->n_chunks = (cfg->trials + s->chunk - 1) / s->chunk;
    s->n_super = (s->n_chunks + SUPER_CHUNKS - 1) / SUPER_CHUNKS;

    for (int i = 0; i < cfg->threads; i++) {
        struct lane_work *w = &s->work[i];
        size_t c = (size_t)s->chunk;
        w->v = malloc(c * sizeof *w->v);
        w->g_even = malloc(c * sizeof *w->g_even);
        w->g_odd = malloc(c * sizeof *w->g_odd);
        w->psi = malloc(c * sizeof *w->psi);
        w->chunk_moments = malloc(nr * sizeof *w->chunk_moments);
        if (!w->v || !w->g_even || !w->g_odd || !w->psi || !w->chunk_moments)
            goto nomem;
        if (cfg->average == RADVAR_AVERAGE_SMA
            && (w->ring = malloc(c * s->ring_len * sizeof *w->ring)) == NULL)
            goto nomem;
    }
    *out = s;
    return RADVAR_SUCCESS;
nomem:
    radvar_sim_free(s);
    return RADVAR_ENOMEM;
}

/* Record psi over the lanes at reported step index k. */
static void report_step(radvar_sim *s, struct lane_work *w, size_t k, size_t lanes,
                        uint64_t first_trial_offset)
{
    radvar_stats_moments_of(w->psi, lanes, &w->chunk_moments[k]);
    size_t j = s->ks_slot[k];
    if (j) {
        double *dst = s->ks_samples[j - 1] + first_trial_offset;
        for (size_t l = 0; l < lanes; l++)
            dst[l] = w->psi[l] * w->psi[l];
    }
}

/* v = b2 v + (1 - b2) (mu + sigma g)^2 over the lanes; psi = sqrt(bc / v). */
static inline void ema_update_body(double *restrict v, const double *restrict g, size_t lanes,
                                   double b2, double one_minus_b2, double mu, double sigma)
{
    for (size_t l = 0; l < lanes; l++) {
        double z = mu + sigma * g[l];
        v[l] = b2 * v[l] + one_minus_b2 * (z * z);
    }
}

static inline void psi_body(double *restrict psi, const double *restrict v, size_t lanes, double bc)
{
    for (size_t l = 0; l < lanes; l++)
        psi[l] = sqrt(bc / v[l]);
}

static void ema_update_portable(double *restrict v, const double *restrict g, size_t lanes,
                                double b2, double one_minus_b2, double mu, double sigma)
{
    ema_update_body(v, g, lanes, b2, one_minus_b2, mu, sigma);
}

static void psi_portable(double *restrict psi, const double *restrict v, size_t lanes, double bc)
{
    psi_body(psi, v, lanes, bc);
}

#if RADVAR_HAVE_AVX2_PATH
RADVAR_TARGET_AVX2 static void ema_update_avx2(double *restrict v, const double *restrict g,
                                               size_t lanes, double b2, double one_minus_b2,
                                               double mu, double sigma)
{
    ema_update_body(v, g, lanes, b2, one_minus_b2, mu, sigma);
}

RADVAR_TARGET_AVX2 static void psi_avx2(double *restrict psi, const double *restrict v, size_t lanes,
                                        double bc)
{
    psi_body(psi, v, lanes, bc);
}
#endif

static void ema_step(radvar_sim *s, struct lane_work *w, const double *g, uint64_t t,
                     size_t lanes, size_t *next_report, uint64_t offset)
{
    const double b2 = s->cfg.beta2;
#if RADVAR_HAVE_AVX2_PATH
    if (s->avx2)
        ema_update_avx2(w->v, g, lanes, b2, 1.0 - b2, s->cfg.mu, s->cfg.sigma);
    else
#endif
        ema_update_portable(w->v, g, lanes, b2, 1.0 - b2, s->cfg.mu, s->cfg.sigma);
    if (*next_report < s->cfg.n_report && s->report[*next_report] == t) {
        /* bias correction 1 - beta2^t, without cancellation */
        double bc = b2 > 0 ? -expm1((double)t * log(b2)) : 1.0;
#if RADVAR_HAVE_AVX2_PATH
        if (s->avx2)
            psi_avx2(w->psi, w->v, lanes, bc);
        else
#endif
            psi_portable(w->psi, w->v, lanes, bc);
        report_step(s, w, *next_report, lanes, offset);
        ++*next_report;
    }
}

static void sma_step(radvar_sim *s, struct lane_work *w, const double *g, uint64_t t,
                     size_t lanes, size_t *next_report, uint64_t offset)
{
    const double mu = s->cfg.mu, sigma = s->cfg.sigma;
    const uint64_t K = s->ring_len, k = s->window_at[t - 1];
    const uint64_t k_prev = t > 1 ? s->window_at[t - 2] : 0;
    double *sum = w->v, *slot = w->ring + ((t - 1) % K) * lanes;
    /* the square that leaves the window: age k_t, when the window did not grow */
    const double *leaving = k == k_prev ? w->ring + ((t - 1 - k) % K) * lanes : NULL;
    for (size_t l = 0; l < lanes; l++) {
        double z = mu + sigma * g[l], z2 = z * z;
        double out = leaving ? leaving[l] : 0.0;
        slot[l] = z2;
        sum[l] = sum[l] - out + z2;
    }
    if (t % K == 0 || k <= 4) { /* exact recomputation bounds the drift */
        for (size_t l = 0; l < lanes; l++)
            sum[l] = 0;
        for (uint64_t a = 0; a < k; a++) {
            const double *sl = w->ring + ((t - 1 - a) % K) * lanes;
            for (size_t l = 0; l < lanes; l++)
                sum[l] += sl[l];
        }
    }
    if (*next_report < s->cfg.n_report && s->report[*next_report] == t) {
        for (size_t l = 0; l < lanes; l++)
            w->psi[l] = sqrt((double)k / sum[l]);
        report_step(s, w, *next_report, lanes, offset);
        ++*next_report;
    }
}

static void run_chunk(radvar_sim *s, struct lane_work *w, uint64_t chunk)
{
    uint64_t offset = chunk * s->chunk;
    size_t lanes = (size_t)(s->cfg.trials - offset < s->chunk ? s->cfg.trials - offset : s->chunk);
    uint64_t first_stream = s->cfg.first_trial + offset;
    size_t next_report = 0;
    memset(w->v, 0, lanes * sizeof *w->v);
    const int sma = s->cfg.average == RADVAR_AVERAGE_SMA;
    const uint64_t last = s->report[s->cfg.n_report - 1]; /* nothing to do after it */
    for (uint64_t pair = 0; 2 * pair + 1 <= last; pair++) {
        radvar_rng_gauss_pair_lanes(s->cfg.seed, first_stream, lanes, pair, w->g_even, w->g_odd);
        for (int half = 0; half < 2; half++) {
            uint64_t t = 2 * pair + 1 + (uint64_t)half;
            if (t > last)
                break;
            const double *g = half ? w->g_odd : w->g_even;
            if (sma)
                sma_step(s, w, g, t, lanes, &next_report, offset);
            else
                ema_step(s, w, g, t, lanes, &next_report, offset);
        }
    }
}

int radvar_sim_run_chunk(radvar_sim *s, uint64_t chunk, radvar_stats_moments *out)
{
    if (chunk >= s->n_chunks)
        return RADVAR_EINVAL;
    run_chunk(s, &s->work[0], chunk);
    memcpy(out, s->work[0].chunk_moments, s->cfg.n_report * sizeof *out);
    return RADVAR_SUCCESS;
}

int radvar_sim_run_super(radvar_sim *s, uint64_t super, radvar_stats_moments *out)
{
    if (super >= s->n_super)
        return RADVAR_EINVAL;
    uint64_t first = super * SUPER_CHUNKS, end = first + SUPER_CHUNKS;
    if (end > s->n_chunks)
        end = s->n_chunks;
    long long n = (long long)(end - first);
    for (size_t k = 0; k < s->cfg.n_report; k++)
        out[k] = (radvar_stats_moments){0, 0, 0, 0, 0};
    /* the chunks of a superchunk in parallel, merged in chunk order */
#pragma omp parallel for ordered schedule(static, 1) num_threads(s->cfg.threads)
    for (long long i = 0; i < n; i++) {
        struct lane_work *w = &s->work[omp_get_thread_num()];
        run_chunk(s, w, first + (uint64_t)i);
#pragma omp ordered
        for (size_t k = 0; k < s->cfg.n_report; k++)
            radvar_stats_moments_merge(&out[k], &w->chunk_moments[k]);
    }
    return RADVAR_SUCCESS;
}

int radvar_sim_merge_super(radvar_sim *s, uint64_t super, const radvar_stats_moments *part,
                           const double *const *ks_part)
{
    if (super >= s->n_super || super != s->super_done)
        return RADVAR_EINVAL; /* superchunks merge in order, each once */
    if (ks_part != NULL) {
        uint64_t first, n = radvar_sim_super_trials(s, super, &first);
        for (size_t j = 0; j < s->cfg.n_ks; j++)
            memcpy(s->ks_samples[j] + first, ks_part[j], n * sizeof *ks_part[j]);
    }
    for (size_t k = 0; k < s->cfg.n_report; k++)
        radvar_stats_moments_merge(&s->totals[k], &part[k]);
    s->super_done++;
    return RADVAR_SUCCESS;
}

int radvar_sim_iterate(radvar_sim *s)
{
    if (s->super_done >= s->n_super)
        return RADVAR_SUCCESS;
    radvar_sim_run_super(s, s->super_done, s->super_moments);
    radvar_sim_merge_super(s, s->super_done, s->super_moments, NULL);
    return s->super_done < s->n_super ? RADVAR_CONTINUE : RADVAR_SUCCESS;
}

uint64_t radvar_sim_supers(const radvar_sim *s)
{
    return s->n_super;
}

uint64_t radvar_sim_super_trials(const radvar_sim *s, uint64_t super, uint64_t *first)
{
    uint64_t per = s->chunk * SUPER_CHUNKS, lo = super * per;
    *first = lo;
    if (lo >= s->cfg.trials)
        return 0;
    return s->cfg.trials - lo < per ? s->cfg.trials - lo : per;
}

uint64_t radvar_sim_trials_done(const radvar_sim *s)
{
    uint64_t done = s->super_done * SUPER_CHUNKS * s->chunk;
    return done < s->cfg.trials ? done : s->cfg.trials;
}

uint64_t radvar_sim_trials_total(const radvar_sim *s)
{
    return s->cfg.trials;
}

const radvar_stats_moments *radvar_sim_moments(const radvar_sim *s, size_t k)
{
    return k < s->cfg.n_report ? &s->totals[k] : NULL;
}

double radvar_sim_dof(const radvar_sim *s, size_t k)
{
    return k < s->cfg.n_report ? s->dof[k] : NAN;
}

const double *radvar_sim_ks_sample(const radvar_sim *s, size_t j)
{
    return j < s->cfg.n_ks ? s->ks_samples[j] : NULL;
}

uint64_t radvar_sim_chunk_trials(const radvar_sim *s)
{
    return s->chunk;
}

/* ---- what the moments say (radvar_sim_summarize and friends) ----
 *
 * The model of psi_t^2 beside the moments is the scaled inverse chi-square
 * moment-matched to the gradients' squares (Satterthwaite): g^2 with
 * g ~ N(mu, sigma^2) has mean sigma^2 (1 + m^2) and variance
 * 2 sigma^4 (1 + 2 m^2), m = mu/sigma, the mean and variance of
 * c chi2(nu) with nu = (1 + m^2)^2 / (1 + 2 m^2); an average of dof such
 * terms then gives psi^2 ~ Scale-inv-chi2(nu dof, 1/(mu^2 + sigma^2)).
 * For mu = 0 (nu = 1) this is the paper's model, exact for the SMA; for
 * mu != 0 it is an approximation (its KS test says how good), where the
 * unmatched model (tau2 = 1/sigma^2) was off by the factor 1 + m^2. */

/* The number of gradients psi_t averages (the EMA with beta2 = 0 keeps one). */
static double terms_averaged(const radvar_sim *s, size_t k)
{
    if (s->cfg.average == RADVAR_AVERAGE_SMA)
        return s->dof[k];
    return s->cfg.beta2 > 0 ? (double)s->report[k] : 1.0;
}

int radvar_sim_model(const radvar_sim *s, size_t k, double *rho, double *tau2)
{
    if (k >= s->cfg.n_report) {
        *rho = *tau2 = NAN;
        return RADVAR_EINVAL;
    }
    const double m = s->cfg.mu / s->cfg.sigma, m2 = m * m;
    const double nu = (1.0 + m2) / (1.0 + 2.0 * m2) * (1.0 + m2); /* no overflow of (1+m2)^2 */
    *rho = nu * s->dof[k];
    *tau2 = 1.0 / (s->cfg.sigma * s->cfg.sigma) / (1.0 + m2);
    return RADVAR_SUCCESS;
}

int radvar_sim_summarize(const radvar_sim *s, size_t k, radvar_sim_summary *out)
{
    if (k >= s->cfg.n_report)
        return RADVAR_EINVAL;
    const double beta2 = s->cfg.beta2, z95 = 1.959963984540054;
    const double step = (double)s->report[k];
    const radvar_stats_moments *m = &s->totals[k];
    double dof = s->dof[k], rho_model, tau2_model;
    radvar_sim_model(s, k, &rho_model, &tau2_model);
    const double nu = rho_model / dof; /* rho_eff in units of dof */
    double terms = terms_averaged(s, k);
    /* E[psi] needs 2 gradients, E[psi^2] 3, E[psi^4] 5 (the density of the
     * average of squares is positive at 0): the population moments are
     * infinite below, whatever a finite sample says */
    double mean = terms > 1 ? (m->n > 0 ? m->mean : NAN) : INFINITY;
    double var = terms > 2 ? radvar_stats_moments_variance(m) : INFINITY;
    double se = terms > 4 ? radvar_stats_moments_se_variance(m) : INFINITY;
    double r = radvar_rectify_paper_from_rho(dof, radvar_schedule_rho_inf(beta2));
    double rho_eff = NAN, lo = NAN, hi = NAN;
    if (isfinite(var)) {
        rho_eff = radvar_theory_rho_from_var(var, tau2_model) / nu;
        lo = 2.0 / nu;
        hi = INFINITY;
        if (isfinite(se)) {
            lo = radvar_theory_rho_from_var(var + z95 * se, tau2_model) / nu;
            hi = var - z95 * se > 0 ? radvar_theory_rho_from_var(var - z95 * se, tau2_model) / nu
                                    : INFINITY;
        }
    }
    *out = (radvar_sim_summary){
        .t = step, .rho_t = radvar_schedule_rho_t(beta2, step), .dof = dof,
        .mean_psi = mean, .var_psi = var, .se_var_psi = se,
        .mean_rect_psi = r * mean, .var_rect_psi = r * r * var, .se_var_rect_psi = r * r * se,
        .var_model = rho_model > 2.0 ? radvar_theory_var_psi(rho_model, tau2_model) : INFINITY,
        .rho_eff = rho_eff, .rho_eff_lo = lo, .rho_eff_hi = hi};
    return RADVAR_SUCCESS;
}

/* SMA windows above this, with mu != 0, have no exact variance here: the
 * weights' quadrature costs O(window) per integrand evaluation. */
#define SMA_EXACT_MAX_WINDOW 100000

int radvar_sim_var_exact_e(const radvar_sim *s, size_t k, radvar_result *r)
{
    r->val = r->err = NAN;
    if (k >= s->cfg.n_report)
        return RADVAR_EINVAL;
    const double mu = s->cfg.mu, sigma = s->cfg.sigma, terms = terms_averaged(s, k);
    if (terms <= 2) { /* E[psi^2] is infinite */
        r->val = INFINITY;
        r->err = 0;
        return RADVAR_SUCCESS;
    }
    radvar_exact_moments m;
    int status;
    if (s->cfg.average == RADVAR_AVERAGE_EMA) {
        status = radvar_exact_moments_ema(s->cfg.beta2, (double)s->report[k], mu, sigma, &m);
    } else if (mu == 0.0) { /* equal weights of central squares: Theorem 1 is exact */
        return radvar_theory_var_psi_e(terms, 1.0 / (sigma * sigma), r);
    } else {
        if (terms > SMA_EXACT_MAX_WINDOW)
            return RADVAR_EDOM;
        size_t n = (size_t)terms;
        double *w = malloc(n * sizeof *w);
        if (w == NULL)
            return RADVAR_ENOMEM;
        for (size_t i = 0; i < n; i++)
            w[i] = 1.0 / terms;
        status = radvar_exact_moments_weights(w, n, mu, sigma, &m);
        free(w);
    }
    if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER)
        return status;
    r->val = m.var_psi;
    r->err = m.abs_err;
    return status;
}

static double ks_model_cdf(double x, void *params)
{
    const double *p = params; /* rho, tau2 */
    return radvar_theory_cdf_psi2(x, p[0], p[1]);
}

int radvar_sim_ks_test(const radvar_sim *s, size_t j, double *distance, double *p_value)
{
    *distance = *p_value = NAN;
    if (j >= s->cfg.n_ks)
        return RADVAR_EINVAL;
    size_t k = 0;
    while (s->report[k] != s->ks[j])
        k++;
    uint64_t done = radvar_sim_trials_done(s);
    if (done == 0)
        return RADVAR_SUCCESS;
    double model[2];
    radvar_sim_model(s, k, &model[0], &model[1]);
    double *copy = malloc((size_t)done * sizeof *copy);
    if (copy == NULL)
        return RADVAR_ENOMEM;
    memcpy(copy, s->ks_samples[j], (size_t)done * sizeof *copy);
    int status = radvar_stats_ks_test(copy, (size_t)done, ks_model_cdf, model, distance, p_value);
    free(copy);
    return status;
}
