/* sim.c: the Monte Carlo engine of radvar/sim.h.
 *
 * NOTES
 *   Trials run in chunks of C trials, all C in lockstep over t, so every
 *   per-step operation is a loop over C lanes that vectorises.  C depends on
 *   the configuration only, never on the thread count: chunk c always holds
 *   the same trials, its moments are computed the same way, and chunks are
 *   merged into the totals in increasing c (an OpenMP ordered region), which
 *   makes the output independent of the number of threads.
 *   Three loops run a chunk:
 *   - generator 2, EMA, Gaussian noise (the figure-1 workload): the fused
 *     kernel.  Per block of 4 steps, Philox and Box-Muller fill 4 x C floats
 *     (rng_v2.c); per step one pass updates v in double, forms
 *     psi = sqrt(bc / v) (correctly rounded division and square root) and sums
 *     it, a second pass over the C values of psi (in L1) sums the central
 *     powers.  Hand-written AVX2 and its scalar twin do the same IEEE
 *     operations in the same order: 8 partial sums p[i mod 8], reduced as
 *     ((p0+p4) + (p1+p5)) + ((p2+p6) + (p3+p7)) on both paths.
 *   - generator 1 (any average) and every other case: the general loop, which
 *     asks a noise source (sim_source.h) for 4 steps of noise in double and
 *     then updates the EMA or the SMA per step.  For generator 1 it computes
 *     exactly what radvar 0.2 computed (same draws, same operations, the
 *     moments by radvar_stats_moments_of), so its results are bit for bit
 *     those of earlier versions; for generator 2 the moments are those of
 *     the fused kernel (the same bits as the fused kernel would give).
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
#include "rng_v2_impl.h"
#include "sim_source.h"

#define CHUNK_MAX 256
#define SUPER_CHUNKS 16 /* chunks per superchunk: the unit of work and of merging */
#define SMA_RING_BUDGET (4u << 20) /* doubles of ring per chunk (32 MiB) */
#define BLOCK 4 /* steps of noise drawn at once */

struct lane_work {
    double *v;        /* EMA state or SMA window sums, C lanes */
    double *psi;
    double *ring;     /* SMA: K x C, slot-major */
    double *noise;    /* BLOCK x C: the general loop's noise */
    float *g;         /* BLOCK x C: generator 2's normals */
    double *state;    /* the source's state, state_doubles x C */
    uint32_t *c2, *c3; /* generator 2's stream words, C */
    radvar_stats_moments *chunk_moments; /* n_report */
};

struct radvar_sim {
    radvar_sim_config cfg;
    uint64_t *report, *ks;
    size_t *ks_slot;          /* report index -> ks index + 1 (0: none) */
    double *dof;              /* per report index */
    double *bc;               /* EMA: 1 - beta2^t per report index */
    uint64_t *window_at;      /* SMA: k_t for t = 1..T (index t-1) */
    uint64_t ring_len;        /* SMA: K = max k_t */
    uint64_t chunk;           /* trials per chunk */
    uint64_t n_chunks, n_super, super_done;
    radvar_stats_moments *super_moments; /* n_report: the superchunk being merged */
    radvar_stats_moments *totals;   /* n_report */
    double **ks_samples;      /* n_ks arrays of `trials` */
    struct lane_work *work;   /* one per thread */
    int avx2;                 /* the instruction-set path of the lane loops */
    int generator;            /* 1 or 2 */
    const sim_source *source; /* the gradient noise */
    sim_source noise_source;  /* a noise model's source (source points here) */
    sim_noise_params noise_params;
    int fused;                /* generator 2, EMA, Gaussian: the fused kernel */
    int no_rng;               /* benchmark only: the fused kernel without its generator */
};

static void free_work(struct lane_work *w)
{
    free(w->v);
    free(w->psi);
    free(w->ring);
    free(w->noise);
    free(w->g);
    free(w->state);
    free(w->c2);
    free(w->c3);
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
    free(s->bc);
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
    c->generator = RADVAR_RNG_DEFAULT;
    radvar_noise_default(&c->noise);
}

static int valid_config(const radvar_sim_config *c)
{
    if (!(c->beta2 >= 0 && c->beta2 < 1) || c->steps < 1 || c->trials < 2
        || !isfinite(c->mu) || !(c->sigma > 0) || !isfinite(c->sigma) || c->threads < 1
        || c->threads > 1024 || (c->average != RADVAR_AVERAGE_EMA && c->average != RADVAR_AVERAGE_SMA)
        || c->n_report < 1 || c->report == NULL || c->steps > (UINT64_C(1) << 33)
        || (c->generator != 0 && radvar_rng_generator_name(c->generator) == NULL))
        return 0;
    if (radvar_noise_check(&c->noise, NULL, 0) != RADVAR_SUCCESS
        || (c->noise.kind == RADVAR_NOISE_DECAY /* the smallest scale must not underflow */
            && !(2.0 * c->noise.a * log1p((double)c->steps / c->noise.tau) <= 690.0)))
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

/* bias correction 1 - beta2^t, without cancellation */
static double bias_correction(double b2, uint64_t t)
{
    return b2 > 0 ? -expm1((double)t * log(b2)) : 1.0;
}

static int alloc_work(radvar_sim *s, struct lane_work *w)
{
    size_t c = (size_t)s->chunk;
    w->v = malloc(c * sizeof *w->v);
    w->psi = malloc(BLOCK * c * sizeof *w->psi); /* the fused kernel: 4 steps */
    w->chunk_moments = malloc(s->cfg.n_report * sizeof *w->chunk_moments);
    if (!w->v || !w->psi || !w->chunk_moments)
        return 0;
    if (s->cfg.average == RADVAR_AVERAGE_SMA
        && (w->ring = malloc(c * s->ring_len * sizeof *w->ring)) == NULL)
        return 0;
    if ((w->noise = malloc(BLOCK * c * sizeof *w->noise)) == NULL)
        return 0;
    if (s->source->state_doubles
        && (w->state = malloc(s->source->state_doubles * c * sizeof *w->state)) == NULL)
        return 0;
    if (s->generator == RADVAR_RNG_V2
        && ((w->g = malloc(BLOCK * c * sizeof *w->g)) == NULL || (w->c2 = malloc(c * sizeof *w->c2)) == NULL
            || (w->c3 = malloc(c * sizeof *w->c3)) == NULL))
        return 0;
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
    s->generator = cfg->generator ? cfg->generator : RADVAR_RNG_DEFAULT;
    s->cfg.generator = s->generator;
    radvar_sim_noise_source(&cfg->noise, &s->noise_params, &s->noise_source); /* valid: checked */
    s->source = cfg->noise.kind == RADVAR_NOISE_NORMAL ? &radvar_sim_source_normal : &s->noise_source;
    s->fused = s->generator == RADVAR_RNG_V2 && cfg->average == RADVAR_AVERAGE_EMA
               && s->source == &radvar_sim_source_normal;
    size_t nr = cfg->n_report, nk = cfg->n_ks;
    s->report = malloc(nr * sizeof *s->report);
    s->ks = malloc((nk ? nk : 1) * sizeof *s->ks);
    s->ks_slot = calloc(nr, sizeof *s->ks_slot);
    s->dof = malloc(nr * sizeof *s->dof);
    s->bc = malloc(nr * sizeof *s->bc);
    s->totals = calloc(nr, sizeof *s->totals);
    s->super_moments = calloc(nr, sizeof *s->super_moments);
    s->ks_samples = calloc(nk ? nk : 1, sizeof *s->ks_samples);
    s->work = calloc((size_t)cfg->threads, sizeof *s->work);
    if (!s->report || !s->ks || !s->ks_slot || !s->dof || !s->bc || !s->totals || !s->super_moments
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
        s->bc[k] = bias_correction(cfg->beta2, s->report[k]);
    for (size_t k = 0; k < nr; k++)
        s->dof[k] = cfg->average == RADVAR_AVERAGE_SMA ? (double)s->window_at[s->report[k] - 1]
                                                       : radvar_schedule_rho_t(cfg->beta2, (double)s->report[k]);
    s->n_chunks = (cfg->trials + s->chunk - 1) / s->chunk;
    s->n_super = (s->n_chunks + SUPER_CHUNKS - 1) / SUPER_CHUNKS;

    for (int i = 0; i < cfg->threads; i++)
        if (!alloc_work(s, &s->work[i]))
            goto nomem;
    *out = s;
    return RADVAR_SUCCESS;
nomem:
    radvar_sim_free(s);
    return RADVAR_ENOMEM;
}

int radvar_sim_generator(const radvar_sim *s)
{
    return s->generator;
}

int radvar_sim_bench_mode(radvar_sim *s, int mode)
{
    if (mode == 1 && (!s->fused || !s->avx2))
        return RADVAR_EINVAL;
    if (mode == 1)
        s->no_rng = 1;
    else if (mode == 2)
        s->fused = 0;
    return mode >= 0 && mode <= 2 ? RADVAR_SUCCESS : RADVAR_EINVAL;
}

/* ---- moments of psi over the lanes, generator 2 ----
 * 8 partial sums p[i mod 8], each summed in increasing i, reduced as
 * ((p0 + p4) + (p1 + p5)) + ((p2 + p6) + (p3 + p7)): the AVX2 code keeps
 * p0..p3 and p4..p7 in two vectors and stores them before the same tail and
 * reduction. */

static inline double reduce8(const double p[8])
{
    return ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));
}

/* the central sums of x[0..n) about mean, from lane `from` on, into a2..a4
 * (partial sums carried in) */
static inline void central_tail(const double *x, size_t from, size_t n, double mean, double a2[8],
                                double a3[8], double a4[8])
{
    for (size_t i = from; i < n; i++) {
        double d = x[i] - mean, d2 = d * d;
        a2[i % 8] += d2;
        a3[i % 8] += d2 * d;
        a4[i % 8] += d2 * d2;
    }
}

static inline void finish_moments(size_t n, double mean, const double a2[8], const double a3[8],
                                  const double a4[8], radvar_stats_moments *m)
{
    m->n = (double)n;
    m->mean = mean;
    m->m2 = reduce8(a2);
    m->m3 = reduce8(a3);
    m->m4 = reduce8(a4);
}

/* the moments of x[0..n) (the general loop's psi) */
static void moments8_portable(const double *restrict x, size_t n, radvar_stats_moments *m)
{
    double p[8] = {0}, a2[8] = {0}, a3[8] = {0}, a4[8] = {0};
    for (size_t i = 0; i < n; i++)
        p[i % 8] += x[i];
    double mean = n ? reduce8(p) / (double)n : 0.0;
    central_tail(x, 0, n, mean, a2, a3, a4);
    finish_moments(n, mean, a2, a3, a4, m);
}

#if RADVAR_HAVE_AVX2_PATH
/* the central sums over blocks of 8, then the scalar tail */
RADVAR_TARGET_AVX2 static inline void central_avx2(const double *x, size_t n, double mean,
                                                   radvar_stats_moments *m)
{
    const __m256d mv = _mm256_set1_pd(mean);
    __m256d a2l = _mm256_setzero_pd(), a2h = a2l, a3l = a2l, a3h = a2l, a4l = a2l, a4h = a2l;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256d dl = _mm256_sub_pd(_mm256_loadu_pd(x + i), mv);
        __m256d dh = _mm256_sub_pd(_mm256_loadu_pd(x + i + 4), mv);
        __m256d d2l = _mm256_mul_pd(dl, dl), d2h = _mm256_mul_pd(dh, dh);
        a2l = _mm256_add_pd(a2l, d2l);
        a2h = _mm256_add_pd(a2h, d2h);
        a3l = _mm256_add_pd(a3l, _mm256_mul_pd(d2l, dl));
        a3h = _mm256_add_pd(a3h, _mm256_mul_pd(d2h, dh));
        a4l = _mm256_add_pd(a4l, _mm256_mul_pd(d2l, d2l));
        a4h = _mm256_add_pd(a4h, _mm256_mul_pd(d2h, d2h));
    }
    double a2[8], a3[8], a4[8];
    _mm256_storeu_pd(a2, a2l);
    _mm256_storeu_pd(a2 + 4, a2h);
    _mm256_storeu_pd(a3, a3l);
    _mm256_storeu_pd(a3 + 4, a3h);
    _mm256_storeu_pd(a4, a4l);
    _mm256_storeu_pd(a4 + 4, a4h);
    central_tail(x, i, n, mean, a2, a3, a4);
    finish_moments(n, mean, a2, a3, a4, m);
}

RADVAR_TARGET_AVX2 static void moments8_avx2(const double *restrict x, size_t n, radvar_stats_moments *m)
{
    __m256d sl = _mm256_setzero_pd(), sh = sl;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        sl = _mm256_add_pd(sl, _mm256_loadu_pd(x + i));
        sh = _mm256_add_pd(sh, _mm256_loadu_pd(x + i + 4));
    }
    double p[8];
    _mm256_storeu_pd(p, sl);
    _mm256_storeu_pd(p + 4, sh);
    for (; i < n; i++)
        p[i % 8] += x[i];
    double mean = n ? reduce8(p) / (double)n : 0.0;
    central_avx2(x, n, mean, m);
}
#endif

/* the central sums of x[0..n) about mean, and the moments */
static void central_portable(const double *x, size_t n, double mean, radvar_stats_moments *m)
{
    double a2[8] = {0}, a3[8] = {0}, a4[8] = {0};
    central_tail(x, 0, n, mean, a2, a3, a4);
    finish_moments(n, mean, a2, a3, a4, m);
}

static void central(const radvar_sim *s, const double *x, size_t n, double mean,
                    radvar_stats_moments *m)
{
#if RADVAR_HAVE_AVX2_PATH
    if (s->avx2) {
        central_avx2(x, n, mean, m);
        return;
    }
#endif
    (void)s;
    central_portable(x, n, mean, m);
}

static void moments8(const radvar_sim *s, const double *x, size_t n, radvar_stats_moments *m)
{
#if RADVAR_HAVE_AVX2_PATH
    if (s->avx2) {
        moments8_avx2(x, n, m);
        return;
    }
#endif
    moments8_portable(x, n, m);
}

/* ---- the general loop ---- */

/* psi^2 of the lanes at reported step index k into the KS samples, if kept */
static void keep_ks(radvar_sim *s, const struct lane_work *w, size_t k, size_t lanes,
                    uint64_t first_trial_offset)
{
    size_t j = s->ks_slot[k];
    if (j) {
        double *dst = s->ks_samples[j - 1] + first_trial_offset;
        for (size_t l = 0; l < lanes; l++)
            dst[l] = w->psi[l] * w->psi[l];
    }
}

/* Record psi over the lanes at reported step index k: generator 1 with
 * radvar_stats_moments_of (as radvar 0.2 did), generator 2 as the fused kernel. */
static void report_step(radvar_sim *s, struct lane_work *w, size_t k, size_t lanes,
                        uint64_t first_trial_offset)
{
    if (s->generator == RADVAR_RNG_V1)
        radvar_stats_moments_of(w->psi, lanes, &w->chunk_moments[k]);
    else
        moments8(s, w->psi, lanes, &w->chunk_moments[k]);
    keep_ks(s, w, k, lanes, first_trial_offset);
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
        double bc = s->bc[*next_report];
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

/* The Gaussian source: generator 1 by pairs of steps, generator 2 by blocks
 * of 4 (the same numbers as radvar_rng_normal). */
static void normal_fill(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e)
{
    (void)params;
    const size_t n = ctx->lanes, stride = ctx->stride;
    if (ctx->generator == RADVAR_RNG_V1) {
        for (uint64_t half = 0; half < 2; half++)
            radvar_rng_gauss_pair_lanes(ctx->seed, ctx->first_stream, n, 2 * block + half,
                                        e + 2 * half * stride, e + (2 * half + 1) * stride);
        return;
    }
    radvar_v2_normals(ctx->seed, ctx->c2, ctx->c3, n, (uint32_t)block, ctx->scratch, stride, ctx->avx2);
    for (size_t s = 0; s < BLOCK; s++)
        for (size_t l = 0; l < n; l++)
            e[s * stride + l] = (double)ctx->scratch[s * stride + l];
}

const sim_source radvar_sim_source_normal = {"normal", 0, normal_fill, NULL};

static void run_chunk_general(radvar_sim *s, struct lane_work *w, uint64_t chunk)
{
    uint64_t offset = chunk * s->chunk;
    size_t lanes = (size_t)(s->cfg.trials - offset < s->chunk ? s->cfg.trials - offset : s->chunk);
    uint64_t first_stream = s->cfg.first_trial + offset;
    size_t next_report = 0, stride = (size_t)s->chunk;
    memset(w->v, 0, lanes * sizeof *w->v);
    if (w->state)
        memset(w->state, 0, s->source->state_doubles * stride * sizeof *w->state);
    if (w->c2)
        radvar_v2_stream_words(first_stream, lanes, w->c2, w->c3);
    const sim_source_ctx ctx = {s->cfg.seed, s->generator, first_stream, lanes, stride, w->c2, w->c3,
                                s->avx2, w->g, w->state};
    const int sma = s->cfg.average == RADVAR_AVERAGE_SMA;
    const uint64_t last = s->report[s->cfg.n_report - 1]; /* nothing to do after it */
    for (uint64_t block = 0; BLOCK * block + 1 <= last; block++) {
        s->source->fill(s->source->params, &ctx, block, w->noise);
        for (uint64_t b = 0; b < BLOCK; b++) {
            uint64_t t = BLOCK * block + 1 + b;
            if (t > last)
                break;
            const double *g = w->noise + b * stride;
            if (sma)
                sma_step(s, w, g, t, lanes, &next_report, offset);
            else
                ema_step(s, w, g, t, lanes, &next_report, offset);
        }
    }
}

/* ---- the fused kernel: generator 2, EMA, Gaussian ----
 * One pass per block of 4 steps: for each lane, its 4 normals (Philox and
 * Box-Muller in registers), then per step the EMA update and, at reported
 * steps, psi = sqrt(bc / v), stored and added to the step's partial sums
 * p[s][lane mod 8]; the central sums follow per reported step (central_*).
 * Per lane and per partial sum these are the operations of the general loop
 * in the same order: the same bits.  Keeping the generator and the division
 * and square root in one loop lets them run side by side. */

struct fused_args {
    size_t lanes, stride;
    uint32_t block;
    int nsteps;                  /* steps of this block to run (1..4) */
    int reported[BLOCK];         /* step s is reported */
    double bc[BLOCK];            /* its bias correction */
    double b2, one_minus_b2, mu, sigma;
};

/* lane l of the portable and the tail of the AVX2 kernel */
static inline void fused_lane(const struct fused_args *a, uint32_t k0, uint32_t k1,
                              const uint32_t *c2, const uint32_t *c3, size_t l, double *v,
                              double *psi, double p[BLOCK][8])
{
    uint32_t wd[4] = {a->block, RNG_V2_TAG, c2[l], c3[l]};
    float n[4];
    philox10(wd, k0, k1);
    bm_pair(wd[0], wd[1], &n[0], &n[1]);
    bm_pair(wd[2], wd[3], &n[2], &n[3]);
    double vl = v[l];
    for (int st = 0; st < a->nsteps; st++) {
        double z = a->mu + a->sigma * (double)n[st];
        vl = a->b2 * vl + a->one_minus_b2 * (z * z);
        if (a->reported[st]) {
            double x = sqrt(a->bc[st] / vl);
            psi[(size_t)st * a->stride + l] = x;
            p[st][l % 8] += x;
        }
    }
    v[l] = vl;
}

static void fused_portable(const struct fused_args *a, uint64_t seed, const uint32_t *c2,
                           const uint32_t *c3, double *v, double *psi, double p[BLOCK][8])
{
    for (size_t l = 0; l < a->lanes; l++)
        fused_lane(a, (uint32_t)seed, (uint32_t)(seed >> 32), c2, c3, l, v, psi, p);
}

#if RADVAR_HAVE_AVX2_PATH
#define FUSED_NV 2 /* vectors of 8 lanes in flight */

/* pre = NULL: the kernel; pre != NULL (the benchmark's floor): the same
 * with the normals loaded from pre[s * stride + l] instead of generated */
RADVAR_TARGET_AVX2 static inline void fused_avx2_body(const struct fused_args *a, uint64_t seed,
                                                      const uint32_t *c2, const uint32_t *c3,
                                                      double *v, double *psi, double p[BLOCK][8],
                                                      const float *pre)
{
    const uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
    __m256i key0[10], key1[10];
    philox8_keys(k0, k1, key0, key1);
    const __m256d vb2 = _mm256_set1_pd(a->b2), vomb2 = _mm256_set1_pd(a->one_minus_b2);
    const __m256d vmu = _mm256_set1_pd(a->mu), vsigma = _mm256_set1_pd(a->sigma);
    __m256d vbc[BLOCK], accl[BLOCK], acch[BLOCK];
    for (int st = 0; st < BLOCK; st++) {
        vbc[st] = _mm256_set1_pd(a->bc[st]);
        accl[st] = _mm256_loadu_pd(p[st]);
        acch[st] = _mm256_loadu_pd(p[st] + 4);
    }
    const int nsteps = a->nsteps;
    size_t l = 0;
    for (; l + 8 * FUSED_NV <= a->lanes; l += 8 * FUSED_NV) {
        __m256 n[FUSED_NV][4];
        if (pre == NULL)
            normals8(c2 + l, c3 + l, a->block, key0, key1, FUSED_NV, n);
        else
            for (int u = 0; u < FUSED_NV; u++)
                for (int st = 0; st < BLOCK; st++)
                    n[u][st] = _mm256_loadu_ps(pre + (size_t)st * a->stride + l + 8 * (size_t)u);
        for (int u = 0; u < FUSED_NV; u++) {
            double *vp = v + l + 8 * u;
            __m256d vl = _mm256_loadu_pd(vp), vh = _mm256_loadu_pd(vp + 4);
            for (int st = 0; st < nsteps; st++) {
                __m256d zl = _mm256_add_pd(vmu, _mm256_mul_pd(vsigma, _mm256_cvtps_pd(_mm256_castps256_ps128(n[u][st]))));
                __m256d zh = _mm256_add_pd(vmu, _mm256_mul_pd(vsigma, _mm256_cvtps_pd(_mm256_extractf128_ps(n[u][st], 1))));
                vl = _mm256_add_pd(_mm256_mul_pd(vb2, vl), _mm256_mul_pd(vomb2, _mm256_mul_pd(zl, zl)));
                vh = _mm256_add_pd(_mm256_mul_pd(vb2, vh), _mm256_mul_pd(vomb2, _mm256_mul_pd(zh, zh)));
                if (a->reported[st]) {
                    __m256d pl = _mm256_sqrt_pd(_mm256_div_pd(vbc[st], vl));
                    __m256d ph = _mm256_sqrt_pd(_mm256_div_pd(vbc[st], vh));
                    double *ps = psi + (size_t)st * a->stride + l + 8 * u;
                    _mm256_storeu_pd(ps, pl);
                    _mm256_storeu_pd(ps + 4, ph);
                    accl[st] = _mm256_add_pd(accl[st], pl);
                    acch[st] = _mm256_add_pd(acch[st], ph);
                }
            }
            _mm256_storeu_pd(vp, vl);
            _mm256_storeu_pd(vp + 4, vh);
        }
    }
    for (int st = 0; st < BLOCK; st++) {
        _mm256_storeu_pd(p[st], accl[st]);
        _mm256_storeu_pd(p[st] + 4, acch[st]);
    }
    for (; l < a->lanes; l++) /* the scalar twin, in lane order */
        fused_lane(a, k0, k1, c2, c3, l, v, psi, p);
}

RADVAR_TARGET_AVX2 static void fused_avx2(const struct fused_args *a, uint64_t seed, const uint32_t *c2,
                                          const uint32_t *c3, double *v, double *psi,
                                          double p[BLOCK][8])
{
    fused_avx2_body(a, seed, c2, c3, v, psi, p, NULL);
}

RADVAR_TARGET_AVX2 static void fused_avx2_no_rng(const struct fused_args *a, uint64_t seed,
                                                 const uint32_t *c2, const uint32_t *c3, double *v,
                                                 double *psi, double p[BLOCK][8], const float *pre)
{
    fused_avx2_body(a, seed, c2, c3, v, psi, p, pre);
}
#endif

static void run_chunk_fused(radvar_sim *s, struct lane_work *w, uint64_t chunk)
{
    uint64_t offset = chunk * s->chunk;
    size_t lanes = (size_t)(s->cfg.trials - offset < s->chunk ? s->cfg.trials - offset : s->chunk);
    uint64_t first_stream = s->cfg.first_trial + offset;
    size_t next_report = 0, stride = (size_t)s->chunk;
    struct fused_args a = {.lanes = lanes, .stride = stride, .b2 = s->cfg.beta2,
                           .one_minus_b2 = 1.0 - s->cfg.beta2, .mu = s->cfg.mu, .sigma = s->cfg.sigma};
    memset(w->v, 0, lanes * sizeof *w->v);
    radvar_v2_stream_words(first_stream, lanes, w->c2, w->c3);
    if (s->no_rng) /* the benchmark's floor: block 0's normals at every block */
        radvar_v2_normals(s->cfg.seed, w->c2, w->c3, lanes, 0, w->g, stride, s->avx2);
    const uint64_t last = s->report[s->cfg.n_report - 1];
    for (uint64_t block = 0; BLOCK * block + 1 <= last; block++) {
        size_t first_report = next_report;
        a.block = (uint32_t)block;
        a.nsteps = 0;
        for (int st = 0; st < BLOCK; st++) {
            uint64_t t = BLOCK * block + 1 + (uint64_t)st;
            a.reported[st] = 0;
            a.bc[st] = 1.0;
            if (t > last)
                continue;
            a.nsteps++;
            a.reported[st] = next_report < s->cfg.n_report && s->report[next_report] == t;
            a.bc[st] = a.reported[st] ? s->bc[next_report++] : 1.0;
        }
        double p[BLOCK][8] = {{0}};
#if RADVAR_HAVE_AVX2_PATH
        if (s->avx2 && s->no_rng)
            fused_avx2_no_rng(&a, s->cfg.seed, w->c2, w->c3, w->v, w->psi, p, w->g);
        else if (s->avx2)
            fused_avx2(&a, s->cfg.seed, w->c2, w->c3, w->v, w->psi, p);
        else
#endif
            fused_portable(&a, s->cfg.seed, w->c2, w->c3, w->v, w->psi, p);
        /* the central sums of each reported step */
        size_t k = first_report;
        for (int st = 0; st < a.nsteps; st++) {
            if (!a.reported[st])
                continue;
            const double *x = w->psi + (size_t)st * stride;
            double mean = lanes ? reduce8(p[st]) / (double)lanes : 0.0;
            central(s, x, lanes, mean, &w->chunk_moments[k]);
            size_t j = s->ks_slot[k];
            if (j) {
                double *dst = s->ks_samples[j - 1] + offset;
                for (size_t l = 0; l < lanes; l++)
                    dst[l] = x[l] * x[l];
            }
            k++;
        }
    }
}

static void run_chunk(radvar_sim *s, struct lane_work *w, uint64_t chunk)
{
    if (s->fused)
        run_chunk_fused(s, w, chunk);
    else
        run_chunk_general(s, w, chunk);
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

/* Under a noise model the same match, with the model's second moments of g^2:
 * the i.i.d. models have nu = 2 (1 + m^2)^2 / ((kappa - 1) + 4 m^2) (kappa
 * the noise's kurtosis; nu = 0 where it is infinite), for the EMA and the
 * SMA alike; ar1 and decay (EMA) the factor rho_mm / rho_moment of step t
 * (radvar_noise_rho_mm) and, for decay, tau2 = 1/E[X]
 * (radvar_noise_mean_square).  ar1 and decay under the SMA have no model
 * here (NaN). */
static int noise_model(const radvar_sim *s, size_t k, double *rho, double *tau2)
{
    const radvar_noise *n = &s->cfg.noise;
    const double mu = s->cfg.mu, sigma = s->cfg.sigma, t = (double)s->report[k];
    *rho = *tau2 = NAN;
    if (n->kind == RADVAR_NOISE_AR1 || n->kind == RADVAR_NOISE_DECAY) {
        if (s->cfg.average != RADVAR_AVERAGE_EMA)
            return RADVAR_SUCCESS;
        radvar_result mm, ex, rm;
        if (radvar_noise_rho_mm_e(n, s->cfg.beta2, t, mu, sigma, &mm) == RADVAR_SUCCESS
            && radvar_noise_mean_square_e(n, s->cfg.beta2, t, mu, sigma, &ex) == RADVAR_SUCCESS
            && radvar_schedule_rho_moment_e(s->cfg.beta2, t, &rm) == RADVAR_SUCCESS) {
            *rho = mm.val / rm.val * s->dof[k];
            *tau2 = 1.0 / ex.val;
        }
        return RADVAR_SUCCESS;
    }
    const double m = mu / sigma, m2 = m * m, kurt = radvar_noise_kurtosis(n);
    const double nu = isinf(kurt) ? 0.0 : 2.0 * (1.0 + m2) / ((kurt - 1.0) + 4.0 * m2) * (1.0 + m2);
    *rho = nu * s->dof[k];
    *tau2 = 1.0 / (sigma * sigma) / (1.0 + m2);
    return RADVAR_SUCCESS;
}

int radvar_sim_model(const radvar_sim *s, size_t k, double *rho, double *tau2)
{
    if (k >= s->cfg.n_report) {
        *rho = *tau2 = NAN;
        return RADVAR_EINVAL;
    }
    if (s->cfg.noise.kind != RADVAR_NOISE_NORMAL)
        return noise_model(s, k, rho, tau2);
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
    if (isfinite(var) && nu > 0) { /* no dof where the model has none (NaN, or 0: infinite kurtosis) */
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
        .var_model = rho_model > 2.0 ? radvar_theory_var_psi(rho_model, tau2_model)
                     : isnan(rho_model) ? NAN : INFINITY,
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
        status = radvar_exact_moments_ema_noise(s->cfg.beta2, (double)s->report[k], mu, sigma,
                                                &s->cfg.noise, &m);
    } else if (s->cfg.noise.kind != RADVAR_NOISE_NORMAL) {
        return RADVAR_EDOM; /* the exact module has the SMA for Gaussian gradients only */
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
    if (!(model[0] > 0.0)) /* no model (a noise model without one, or nu = 0) */
        return RADVAR_SUCCESS;
    double *copy = malloc((size_t)done * sizeof *copy);
    if (copy == NULL)
        return RADVAR_ENOMEM;
    memcpy(copy, s->ks_samples[j], (size_t)done * sizeof *copy);
    int status = radvar_stats_ks_test(copy, (size_t)done, ks_model_cdf, model, distance, p_value);
    free(copy);
    return status;
}
