/* psi2_histogram.c BETA2 TRIALS SEED T1,T2,...: histograms of the simulated
 * psi_t^2 of the EMA (mu = 0, sigma = 1) at the given steps, beside the
 * Scale-inv-chi2(rho_t, 1) density of the paper's model.
 * Prints a table: t rho_t x density pdf ks_distance ks_p, 60 bins between the
 * 0.5% and 99.5% sample quantiles of each t (the 1% of samples outside are
 * left out of the bins, not of the density's normalisation: density is
 * count / (trials * width), comparable with the pdf), one gnuplot data block
 * per t; ks_distance and ks_p are the Kolmogorov-Smirnov test of all the
 * samples at that t against the model (the same on every row of a block). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radvar/sim.h"
#include "radvar/theory.h"

static int compare(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    radvar_init();
    if (argc != 5) {
        fprintf(stderr, "usage: psi2_histogram BETA2 TRIALS SEED T1,T2,...\n");
        return 2;
    }
    double beta2 = atof(argv[1]);
    uint64_t trials = strtoull(argv[2], NULL, 10), seed = strtoull(argv[3], NULL, 10);
    uint64_t ts[64];
    size_t n = 0;
    for (char *tok = strtok(argv[4], ","); tok && n < 64; tok = strtok(NULL, ","))
        ts[n++] = strtoull(tok, NULL, 10);
    radvar_sim_config cfg;
    radvar_sim_config_default(&cfg);
    cfg.beta2 = beta2;
    cfg.steps = ts[n - 1];
    cfg.trials = trials;
    cfg.seed = seed;
    cfg.threads = 2;
    cfg.report = ts;
    cfg.n_report = n;
    cfg.ks = ts;
    cfg.n_ks = n;
    radvar_sim *s;
    if (radvar_sim_alloc(&cfg, &s) != RADVAR_SUCCESS) {
        fprintf(stderr, "psi2_histogram: bad configuration\n");
        return 2;
    }
    while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
        ;
    double *x = malloc(trials * sizeof *x);
    if (!x) {
        fprintf(stderr, "psi2_histogram: out of memory\n");
        return 1;
    }
    printf("# psi_t^2 of the EMA, beta2 = %.17g, %llu trials, seed %llu\n", beta2,
           (unsigned long long)trials, (unsigned long long)seed);
    printf("# bins: 60 between the 0.5%% and 99.5%% sample quantiles; KS over all samples\n");
    printf("# columns: t rho_t x density pdf ks_distance ks_p\n");
    enum { BINS = 60 };
    for (size_t j = 0; j < n; j++) {
        memcpy(x, radvar_sim_ks_sample(s, j), trials * sizeof *x);
        qsort(x, trials, sizeof *x, compare);
        double lo = x[(size_t)(0.005 * (double)trials)], hi = x[(size_t)(0.995 * (double)trials)];
        double width = (hi - lo) / BINS, count[BINS] = {0};
        for (uint64_t i = 0; i < trials; i++) {
            long b = (long)floor((x[i] - lo) / width);
            if (b >= 0 && b < BINS)
                count[b]++;
        }
        double rho = radvar_sim_dof(s, j), ks_d, ks_p;
        if (radvar_sim_ks_test(s, j, &ks_d, &ks_p) != RADVAR_SUCCESS) {
            fprintf(stderr, "psi2_histogram: the KS test failed at t = %llu\n", (unsigned long long)ts[j]);
            return 1;
        }
        for (int b = 0; b < BINS; b++) {
            double mid = lo + (b + 0.5) * width;
            printf("%llu\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n", (unsigned long long)ts[j], rho, mid,
                   count[b] / ((double)trials * width), radvar_theory_pdf_psi2(mid, rho, 1.0), ks_d, ks_p);
        }
        if (j + 1 < n)
            printf("\n\n"); /* gnuplot data blocks, one per t */
    }
    free(x);
    radvar_sim_free(s);
    return 0;
}
