/* generator_check.c LOG2N TRIALS THREADS: the larger checks of the Gaussian
 * generators (make reproduce; tests/test_generator.c runs the small ones).
 *   1. 2^LOG2N normals of each generator (256 streams, seed 2026): mean,
 *      variance, third and fourth moments in standard errors; the counts of
 *      |x| > 4, 5, 6 and |x| < 1e-4 against the normal law (in standard
 *      deviations of the binomial count); a chi-square over 1000 equiprobable
 *      bins; the largest |x| (generator 2 cannot exceed 6.7637); correlation
 *      of successive draws of a stream; zeros.
 *   2. The figure-1 workload (EMA, beta2 = 0.999, mu = 0 and 0.5) with TRIALS
 *      trials on each generator against the exact moments of psi_t (exact.h)
 *      at t = 10, 100, 1000, 6000, in standard errors; and the two generators
 *      against each other.
 * Prints the checks table: check measured target ok.  The sums are taken over
 * 64 fixed parts combined in order, so the output does not depend on THREADS. */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "radvar/exact.h"
#include "radvar/rng.h"
#include "radvar/sim.h"
#include "radvar/stats.h"

#define LANES 256
#define PARTS 64
#define BINS 1000

struct tally {
    double s1, s2, s3, s4, n, maxabs, zeros, lag1, lag_n;
    double tail[3], near0;
    double bins[BINS];
};

static double edges[BINS - 1];
/* the bin of x: from a table over [-GUIDE_X, GUIDE_X] in GUIDE cells (the
 * bin of each cell's left end), then forward over the edges in the cell */
#define GUIDE 8192
#define GUIDE_X 6.0
static int guide[GUIDE];

static int bin_of(double x)
{
    double c = (x + GUIDE_X) * (GUIDE / (2 * GUIDE_X));
    int b = c < 0 ? 0 : c >= GUIDE ? guide[GUIDE - 1] : guide[(int)c];
    while (b < BINS - 1 && x >= edges[b])
        b++;
    return b;
}

static void add(struct tally *t, double x)
{
    double x2 = x * x, ax = fabs(x);
    t->s1 += x;
    t->s2 += x2;
    t->s3 += x2 * x;
    t->s4 += x2 * x2;
    t->n++;
    t->maxabs = fmax(t->maxabs, ax);
    t->zeros += x == 0;
    for (int k = 0; k < 3; k++)
        t->tail[k] += ax > 4 + k;
    t->near0 += ax < 1e-4;
    t->bins[bin_of(x)]++;
}

/* part p of the draws of generator gen: indices [p * per, (p + 1) * per) of the 256 streams */
static void run_part(int gen, uint64_t p, uint64_t per, struct tally *t)
{
    double even[LANES], odd[LANES];
    float four[4 * LANES];
    double prev[LANES];
    int have_prev = 0;
    uint64_t first = p * per;
    for (uint64_t i = first; i < first + per; i += gen == 1 ? 2 : 4) {
        double x[4][LANES];
        int m = gen == 1 ? 2 : 4;
        if (gen == 1) {
            radvar_rng_gauss_pair_lanes(2026, 0, LANES, i / 2, even, odd);
            memcpy(x[0], even, sizeof even);
            memcpy(x[1], odd, sizeof odd);
        } else {
            radvar_rng_normal_v2_lanes(2026, 0, LANES, i / 4, four);
            for (int s = 0; s < 4; s++)
                for (int l = 0; l < LANES; l++)
                    x[s][l] = four[s * LANES + l];
        }
        for (int s = 0; s < m; s++)
            for (int l = 0; l < LANES; l++) {
                add(t, x[s][l]);
                if (have_prev || s > 0) {
                    t->lag1 += prev[l] * x[s][l];
                    t->lag_n++;
                }
                prev[l] = x[s][l];
            }
        have_prev = 1;
    }
}

/* ok: 1 passed, 0 failed ("NO" fails the report), -1 a finding (no target) */
static void row(const char *check, const char *measured, const char *target, int ok)
{
    printf("%s\t%s\t%s\t%s\n", check, measured, target, ok < 0 ? "finding" : ok ? "yes" : "NO");
}

static void check_z(const char *what, double z, double bound)
{
    char m[64], tgt[32];
    snprintf(m, sizeof m, "%+.2f", z);
    snprintf(tgt, sizeof tgt, "|z| < %g", bound);
    row(what, m, tgt, fabs(z) < bound);
}

static void distribution(int gen, int log2n, int threads)
{
    uint64_t total = UINT64_C(1) << log2n, per_stream = total / LANES, per = per_stream / PARTS;
    per -= per % 4;
    struct tally *parts = calloc(PARTS, sizeof *parts);
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (int p = 0; p < PARTS; p++)
        run_part(gen, (uint64_t)p, per, &parts[p]);
    struct tally t;
    memset(&t, 0, sizeof t);
    for (int p = 0; p < PARTS; p++) { /* in order: the same sums for any THREADS */
        t.s1 += parts[p].s1;
        t.s2 += parts[p].s2;
        t.s3 += parts[p].s3;
        t.s4 += parts[p].s4;
        t.n += parts[p].n;
        t.maxabs = fmax(t.maxabs, parts[p].maxabs);
        t.zeros += parts[p].zeros;
        t.lag1 += parts[p].lag1;
        t.lag_n += parts[p].lag_n;
        t.near0 += parts[p].near0;
        for (int k = 0; k < 3; k++)
            t.tail[k] += parts[p].tail[k];
        for (int b = 0; b < BINS; b++)
            t.bins[b] += parts[p].bins[b];
    }
    free(parts);
    double n = t.n;
    char what[160], m[96];
    (void)m;
#define NAME(...) snprintf(what, sizeof what, __VA_ARGS__)
    NAME("generator %d, %.3g normals: mean, in standard errors", gen, n);
    check_z(what, t.s1 / n / sqrt(1 / n), 4);
    NAME("generator %d: E[x^2] - 1, in standard errors", gen);
    check_z(what, (t.s2 / n - 1) / sqrt(2 / n), 4);
    NAME("generator %d: E[x^3], in standard errors", gen);
    check_z(what, t.s3 / n / sqrt(15 / n), 4);
    NAME("generator %d: E[x^4] - 3, in standard errors", gen);
    check_z(what, (t.s4 / n - 3) / sqrt(96 / n), 4);
    for (int k = 0; k < 3; k++) {
        double p = 2 * gsl_cdf_ugaussian_Q(4 + k), e = n * p, sd = sqrt(n * p * (1 - p));
        NAME("generator %d: count of |x| > %d, against %.4g expected", gen, 4 + k, e);
        snprintf(m, sizeof m, "%.0f (%+.2f sd)", t.tail[k], (t.tail[k] - e) / sd);
        row(what, m, "within 4 sd + 1", fabs(t.tail[k] - e) < 4 * sd + 1);
    }
    {
        double p = 2 * gsl_cdf_ugaussian_P(1e-4) - 1, e = n * p, sd = sqrt(n * p * (1 - p));
        NAME("generator %d: count of |x| < 1e-4 (expected %.4g), in standard deviations", gen, e);
        check_z(what, (t.near0 - e) / sd, 4);
    }
    double chi2 = 0, e = n / BINS;
    for (int b = 0; b < BINS; b++)
        chi2 += (t.bins[b] - e) * (t.bins[b] - e) / e;
    double pval = gsl_cdf_chisq_Q(chi2, BINS - 1);
    NAME("generator %d: chi-square over %d equiprobable bins, p-value", gen, BINS);
    snprintf(m, sizeof m, "%.3g (chi2 = %.1f)", pval, chi2);
    row(what, m, "> 1e-4", pval > 1e-4);
    NAME("generator %d: correlation of successive draws of a stream, in standard errors", gen);
    check_z(what, t.lag1 / sqrt(t.lag_n), 4);
    NAME("generator %d: largest |x| (generator 2 is bounded by 6.7637)", gen);
    snprintf(m, sizeof m, "%.6f", t.maxabs);
    row(what, m, gen == 2 ? "<= 6.7637061" : "(informative)", gen != 2 ? -1 : t.maxabs <= 6.7637061);
    NAME("generator %d: draws exactly 0", gen);
    snprintf(m, sizeof m, "%.0f", t.zeros);
    row(what, m, "0", t.zeros == 0);
}

static void engine(uint64_t trials, int threads)
{
    static uint64_t report[] = {10, 100, 1000, 6000};
    enum { NR = 4 };
    for (int mu_i = 0; mu_i < 2; mu_i++) {
        double mu = mu_i ? 0.5 : 0.0;
        radvar_stats_moments m[2][NR];
        for (int gen = 1; gen <= 2; gen++) {
            radvar_sim_config c;
            radvar_sim_config_default(&c);
            c.beta2 = 0.999;
            c.steps = 6000;
            c.trials = trials;
            c.mu = mu;
            c.seed = 2020 + (uint64_t)mu_i;
            c.threads = threads;
            c.report = report;
            c.n_report = NR;
            c.generator = gen;
            radvar_sim *s;
            if (radvar_sim_alloc(&c, &s) != RADVAR_SUCCESS)
                exit(1);
            while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
                ;
            for (int k = 0; k < NR; k++)
                m[gen - 1][k] = *radvar_sim_moments(s, k);
            radvar_sim_free(s);
        }
        for (int k = 0; k < NR; k++) {
            radvar_exact_moments e;
            radvar_exact_moments_ema(0.999, (double)report[k], mu, 1.0, &e);
            double var[2], se[2];
            char what[160];
            for (int g = 0; g < 2; g++) {
                var[g] = radvar_stats_moments_variance(&m[g][k]);
                se[g] = radvar_stats_moments_se_variance(&m[g][k]);
                snprintf(what, sizeof what,
                         "figure 1, mu = %g, t = %llu, generator %d: mean psi - exact, in standard errors",
                         mu, (unsigned long long)report[k], g + 1);
                check_z(what, (m[g][k].mean - e.mean_psi) / sqrt(var[g] / m[g][k].n), 4);
                snprintf(what, sizeof what,
                         "figure 1, mu = %g, t = %llu, generator %d: Var[psi] - exact, in standard errors",
                         mu, (unsigned long long)report[k], g + 1);
                check_z(what, (var[g] - e.var_psi) / se[g], 4);
            }
            snprintf(what, sizeof what,
                     "figure 1, mu = %g, t = %llu: Var[psi], generator 2 - generator 1, in standard errors",
                     mu, (unsigned long long)report[k]);
            check_z(what, (var[1] - var[0]) / hypot(se[0], se[1]), 4);
        }
    }
}

int main(int argc, char **argv)
{
    radvar_init();
    if (argc != 4) {
        fprintf(stderr, "usage: generator_check LOG2N TRIALS THREADS\n");
        return 2;
    }
    int log2n = atoi(argv[1]), threads = atoi(argv[3]);
    uint64_t trials = strtoull(argv[2], NULL, 10);
    if (log2n < 16 || log2n > 36 || trials < 100 || threads < 1)
        return 2;
    for (int b = 1; b < BINS; b++)
        edges[b - 1] = gsl_cdf_ugaussian_Pinv((double)b / BINS);
    for (int c = 0, b = 0; c < GUIDE; c++) {
        double left = -GUIDE_X + c * (2 * GUIDE_X / GUIDE);
        while (b < BINS - 1 && left >= edges[b])
            b++;
        guide[c] = b;
    }
    printf("check\tmeasured\ttarget\tok\n");
    distribution(2, log2n, threads);
    distribution(1, log2n, threads);
    engine(trials, threads);
    return 0;
}
