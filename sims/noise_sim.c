/* noise_sim.c: simulations behind the noise-model figures (sims/noise.sh).
 *
 *   noise_sim kurtosis SPEC BETA2 STEPS TRIALS SEED MU SIGMA POINTS
 *       How flat the optimizer's kurtosis-aware rectification (--rect
 *       kurtosis) keeps Var[r psi_t] under a noise model.  Each trial draws
 *       g_t = mu + sigma e_t from the engine's source of the model (the same
 *       noise as `radvar simulate --noise SPEC`), keeps the optimizer's two
 *       EMAs in double, v = b2 v + (1-b2) g^2 and u = b2 u + (1-b2) (g^2)^2,
 *       and at POINTS log-spaced steps t in [5, STEPS] forms what RAdam's
 *       kurtosis kernel forms (src/optim_kernel.h): psi = 1/sqrt(v/bc),
 *       bc = 1 - b2^t; kappa = u bc / v^2; r = radvar_rectify_kurtosis_from_rho(
 *       rho_moment(t), rho_inf, kappa) where kappa > 3, else the step's
 *       Gaussian r (radvar_rectify(RADVAR_RECTIFY_KURTOSIS, b2, t)).  A trial
 *       whose r is not finite (its dof c rho_moment <= 2) takes the below
 *       rule in the optimizer: no rectified step; it is counted
 *       (`unrectified`) and left out of the moments of r psi.
 *       Prints a TSV: t rho_moment var_psi se_var_psi var_exact z_var
 *       mean_kappa var_target ratio_kurtosis se_ratio_kurtosis unrectified mean_psi
 *       mean_r_psi r_moment (the Gaussian r the optimizer takes where kappa <= 3),
 *       with var_exact the exact Var[psi_t] under the model, z_var the
 *       simulation's deviation from it in standard errors, and var_target
 *       the variance a rectification aims at (radvar_rectify_noise_target:
 *       Var[psi_inf] under the model; for decay that of the stationary EMA
 *       at the noise's scale at t).  Trials run in chunks of 256 over the
 *       threads (OMP_NUM_THREADS), merged in chunk order: the output does not
 *       depend on the thread count.
 *
 *   noise_sim optim-check SPEC
 *       The rectified step of the replica above against radvar_optim itself
 *       (RAdam, --rect kurtosis, beta1 = 0, eps = 0, lr = 1, below = skip,
 *       float64; one coordinate per trial, parameters zeroed before each
 *       step, so that the update is -r psi g): prints the largest relative
 *       difference over 64 coordinates x 400 steps (beta2 = 0.99, mu = 0.3).
 *
 *   noise_sim bench SPEC TRIALS STEPS
 *       Samples per CPU-second of `simulate` under SPEC: the figure-1
 *       workload (EMA, beta2 = 0.999, every step reported), 1 thread
 *       (SPEC normal-general: the Gaussian through the general loop).
 *       Prints: spec samples cpu_seconds samples_per_cpu_second.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "radvar/radvar.h"
#include "../src/rng_v2.h"     /* the lanes' stream words, for the sources */
#include "../src/sim_source.h" /* the noise sources: in libradvar.a, not the API */

#define LANES 256

static radvar_noise parse_or_die(const char *spec)
{
    radvar_noise n;
    char why[256];
    if (radvar_noise_parse(spec, &n, why, sizeof why) != RADVAR_SUCCESS) {
        fprintf(stderr, "noise_sim: %s\n", why);
        exit(2);
    }
    return n;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A chunk's noise, one block of 4 steps at a time. */
typedef struct {
    sim_noise_params p;
    sim_source src;
    sim_source_ctx ctx;
    uint32_t c2[LANES], c3[LANES];
    float scratch[4 * LANES];
    double state[LANES];
    double e[4 * LANES];
} noise_chunk;

static void chunk_start(noise_chunk *c, const radvar_noise *n, uint64_t seed, uint64_t first,
                        size_t lanes)
{
    radvar_sim_noise_source(n, &c->p, &c->src);
    radvar_v2_stream_words(first, lanes, c->c2, c->c3);
    memset(c->state, 0, sizeof c->state);
    c->ctx = (sim_source_ctx){seed, RADVAR_RNG_V2, first, lanes, LANES, c->c2, c->c3, 0,
                              c->scratch, c->state};
}

static const double *chunk_block(noise_chunk *c, uint64_t block)
{
    c->src.fill(c->src.params, &c->ctx, block, c->e);
    return c->e;
}

/* ---- kurtosis ---- */

typedef struct {
    radvar_stats_moments psi, rpsi;
    double kappa_sum, unrectified;
} point_acc;

static void merge_acc(point_acc *a, const point_acc *b)
{
    radvar_stats_moments_merge(&a->psi, &b->psi);
    radvar_stats_moments_merge(&a->rpsi, &b->rpsi);
    a->kappa_sum += b->kappa_sum;
    a->unrectified += b->unrectified;
}

static int kurtosis(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr, "usage: noise_sim kurtosis SPEC BETA2 STEPS TRIALS SEED MU SIGMA POINTS\n");
        return 2;
    }
    radvar_noise n = parse_or_die(argv[2]);
    const double b2 = atof(argv[3]), mu = atof(argv[7]), sigma = atof(argv[8]);
    const uint64_t steps = strtoull(argv[4], NULL, 10), trials = strtoull(argv[5], NULL, 10);
    const uint64_t seed = strtoull(argv[6], NULL, 10);
    const int points = atoi(argv[9]);
    if (!(b2 > 0.6 && b2 < 1) || steps < 5 || trials < 2 || points < 1) {
        fprintf(stderr, "noise_sim: bad arguments\n");
        return 2;
    }
    /* the reported steps: log-spaced in [5, steps], distinct */
    uint64_t *report = malloc((size_t)points * sizeof *report);
    size_t nr = 0;
    for (int k = 0; k < points; k++) {
        double x = points == 1 ? (double)steps : 5.0 * pow((double)steps / 5.0, k / (points - 1.0));
        uint64_t t = (uint64_t)llround(x);
        if (nr == 0 || t > report[nr - 1])
            report[nr++] = t;
    }
    double *bc = malloc(nr * sizeof *bc), *r_gauss = malloc(nr * sizeof *r_gauss);
    double *rho_m = malloc(nr * sizeof *rho_m);
    const double rho_inf = radvar_schedule_rho_inf(b2);
    for (size_t k = 0; k < nr; k++) {
        double t = (double)report[k];
        bc[k] = -expm1(t * log(b2));
        rho_m[k] = radvar_schedule_rho_moment(b2, t);
        r_gauss[k] = radvar_rectify(RADVAR_RECTIFY_KURTOSIS, b2, t); /* what the optimizer takes */
    }
    const uint64_t chunks = (trials + LANES - 1) / LANES, last = report[nr - 1];
    point_acc *total = calloc(nr, sizeof *total);
    const int threads = omp_get_max_threads();
    point_acc *work = calloc((size_t)threads * nr, sizeof *work);
    noise_chunk *nc = malloc((size_t)threads * sizeof *nc);
#pragma omp parallel for ordered schedule(static, 1)
    for (long long ci = 0; ci < (long long)chunks; ci++) {
        int me = omp_get_thread_num();
        point_acc *acc = work + (size_t)me * nr;
        noise_chunk *c = &nc[me];
        uint64_t first = (uint64_t)ci * LANES;
        size_t lanes = (size_t)(trials - first < LANES ? trials - first : LANES);
        double v[LANES] = {0}, u[LANES] = {0}, psi[LANES], rpsi[LANES];
        chunk_start(c, &n, seed, first, lanes);
        size_t k = 0;
        for (uint64_t block = 0; 4 * block + 1 <= last; block++) {
            const double *e = chunk_block(c, block);
            for (uint64_t s = 0; s < 4; s++) {
                uint64_t t = 4 * block + 1 + s;
                if (t > last)
                    break;
                for (size_t l = 0; l < lanes; l++) {
                    double g = mu + sigma * e[s * LANES + l];
                    v[l] = v[l] * b2 + (1.0 - b2) * g * g;
                    u[l] = u[l] * b2 + (1.0 - b2) * ((g * g) * (g * g));
                }
                if (t != report[k])
                    continue;
                point_acc *a = &acc[k];
                memset(a, 0, sizeof *a);
                size_t nk = 0;
                for (size_t l = 0; l < lanes; l++) {
                    psi[l] = 1.0 / sqrt(v[l] / bc[k]);
                    double kappa = u[l] * bc[k] / (v[l] * v[l]);
                    a->kappa_sum += kappa;
                    double r = r_gauss[k];
                    if (kappa > 3.0 && isfinite(kappa))
                        r = radvar_rectify_kurtosis_from_rho(rho_m[k], rho_inf, kappa);
                    if (isfinite(r))
                        rpsi[nk++] = r * psi[l];
                    else
                        a->unrectified += 1;
                }
                radvar_stats_moments_of(psi, lanes, &a->psi);
                radvar_stats_moments_of(rpsi, nk, &a->rpsi);
                k++;
            }
        }
#pragma omp ordered
        for (size_t j = 0; j < nr; j++)
            merge_acc(&total[j], &acc[j]);
    }
    char spec[256];
    radvar_noise_format(&n, spec, sizeof spec);
    printf("# noise_sim kurtosis: noise %s, beta2 %.17g, mu %.17g, sigma %.17g, %llu trials, seed %llu,"
           " generator 2\n", spec, b2, mu, sigma, (unsigned long long)trials, (unsigned long long)seed);
    printf("t\trho_moment\tvar_psi\tse_var_psi\tvar_exact\tz_var\tmean_kappa\tvar_target\t"
           "ratio_kurtosis\tse_ratio_kurtosis\tunrectified\tmean_psi\tmean_r_psi\tr_moment\n");
    int status = 0;
    radvar_result target = {NAN, NAN};
    for (size_t k = 0; k < nr; k++) {
        double t = (double)report[k];
        radvar_exact_moments ex;
        int s1 = radvar_exact_moments_ema_noise(b2, t, mu, sigma, &n, &ex), s2 = 0;
        if (k == 0 || n.kind == RADVAR_NOISE_DECAY) /* the same at every t otherwise */
            s2 = radvar_rectify_noise_target_e(b2, t, mu, sigma, &n, &target);
        if ((s1 && s1 != RADVAR_EMAXITER) || (s2 && s2 != RADVAR_EMAXITER))
            status = 1;
        const point_acc *a = &total[k];
        double var = radvar_stats_moments_variance(&a->psi);
        double se = radvar_stats_moments_se_variance(&a->psi);
        double vr = radvar_stats_moments_variance(&a->rpsi);
        double se_r = radvar_stats_moments_se_variance(&a->rpsi);
        printf("%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.4f\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t"
               "%.17g\t%.17g\n", t, rho_m[k], var, se, ex.var_psi, (var - ex.var_psi) / se,
               a->kappa_sum / (double)trials, target.val, vr / target.val, se_r / target.val,
               a->unrectified / (double)trials, a->psi.mean, a->rpsi.mean, r_gauss[k]);
    }
    free(report);
    free(bc);
    free(r_gauss);
    free(rho_m);
    free(total);
    free(work);
    free(nc);
    return status;
}

/* ---- optim-check ---- */

static int optim_check(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: noise_sim optim-check SPEC\n");
        return 2;
    }
    radvar_noise n = parse_or_die(argv[2]);
    enum { N = 64, STEPS = 400 };
    const double b2 = 0.99, mu = 0.3, sigma = 1.0;
    radvar_optim_config cfg;
    radvar_optim_defaults(RADVAR_RADAM, &cfg);
    cfg.lr = 1.0;
    cfg.beta1 = 0.0;
    cfg.beta2 = b2;
    cfg.eps = 0.0;
    cfg.eps_root = 0.0;
    cfg.weight_decay = 0.0;
    cfg.wd_kind = RADVAR_WD_NONE;
    cfg.eps_placement = RADVAR_EPS_SQRT_VHAT;
    cfg.below = RADVAR_BELOW_SKIP;
    cfg.rect = RADVAR_RECTIFY_KURTOSIS;
    radvar_optim *o;
    if (radvar_optim_alloc(&cfg, N, RADVAR_FLOAT64, &o) != RADVAR_SUCCESS) {
        fprintf(stderr, "noise_sim: optimizer refused the configuration\n");
        return 1;
    }
    noise_chunk *c = malloc(sizeof *c);
    chunk_start(c, &n, 7, 0, N);
    double v[N] = {0}, u[N] = {0}, p[N], g[N], worst = 0;
    const double rho_inf = radvar_schedule_rho_inf(b2);
    long compared = 0;
    for (uint64_t t = 1; t <= STEPS; t++) {
        const double *e = (t - 1) % 4 == 0 ? chunk_block(c, (t - 1) / 4) : c->e;
        double bct = -expm1((double)t * log(b2));
        double rg = radvar_rectify(RADVAR_RECTIFY_KURTOSIS, b2, (double)t);
        double rho_m = radvar_schedule_rho_moment(b2, (double)t);
        for (size_t l = 0; l < N; l++) {
            g[l] = mu + sigma * e[((t - 1) % 4) * LANES + l];
            p[l] = 0.0;
        }
        radvar_optim_step_f64(o, p, g);
        for (size_t l = 0; l < N; l++) {
            v[l] = v[l] * b2 + (1.0 - b2) * g[l] * g[l];
            u[l] = u[l] * b2 + (1.0 - b2) * ((g[l] * g[l]) * (g[l] * g[l]));
            double kappa = u[l] * bct / (v[l] * v[l]), r = rg;
            if (kappa > 3.0 && isfinite(kappa))
                r = radvar_rectify_kurtosis_from_rho(rho_m, rho_inf, kappa);
            double mine = isfinite(r) ? r / sqrt(v[l] / bct) : 0.0, theirs = -p[l] / g[l];
            double d = mine == theirs ? 0.0 : fabs(mine - theirs) / fabs(theirs);
            if (!isfinite(r) && p[l] != 0.0)
                d = INFINITY; /* the optimizer moved where the replica says it skips */
            worst = fmax(worst, d);
            compared++;
        }
    }
    printf("%s\t%ld\t%.3g\n", argv[2], compared, worst);
    radvar_optim_free(o);
    free(c);
    return 0;
}

/* ---- bench ---- */

static int bench(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: noise_sim bench SPEC TRIALS STEPS\n");
        return 2;
    }
    int general = strcmp(argv[2], "normal-general") == 0;
    radvar_noise n = parse_or_die(general ? "normal" : argv[2]);
    uint64_t trials = strtoull(argv[3], NULL, 10), steps = strtoull(argv[4], NULL, 10);
    uint64_t *report = malloc(steps * sizeof *report);
    for (uint64_t t = 0; t < steps; t++)
        report[t] = t + 1;
    radvar_sim_config cfg;
    radvar_sim_config_default(&cfg);
    cfg.beta2 = 0.999;
    cfg.steps = steps;
    cfg.trials = trials;
    cfg.report = report;
    cfg.n_report = steps;
    cfg.noise = n;
    radvar_sim *s;
    if (radvar_sim_alloc(&cfg, &s) != RADVAR_SUCCESS)
        return 1;
    if (general)
        radvar_sim_bench_mode(s, 2);
    double c0 = cpu_seconds();
    while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
        ;
    double cpu = cpu_seconds() - c0, samples = (double)trials * (double)steps;
    printf("%s\t%.17g\t%.4g\t%.4g\n", argv[2], samples, cpu, samples / cpu);
    radvar_sim_free(s);
    free(report);
    return 0;
}

int main(int argc, char **argv)
{
    radvar_init();
    if (argc >= 2 && strcmp(argv[1], "kurtosis") == 0)
        return kurtosis(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "optim-check") == 0)
        return optim_check(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "bench") == 0)
        return bench(argc, argv);
    fprintf(stderr, "usage: noise_sim kurtosis|optim-check|bench ...\n");
    return 2;
}
