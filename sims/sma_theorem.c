/* sma_theorem.c TRIALS THREADS: Theorem 1 numerically.  For about 40
 * log-spaced integer rho from 3 to 2000, simulate the SMA of rho squared
 * N(0,1) gradients (seed = rho) and compare the mean and variance of psi and
 * the distribution of psi^2 with the closed forms.  Prints a table:
 *   rho mean_psi mean_theory z_mean var_psi se_var_psi var_theory var_approx
 *   z_var ks_distance ks_p
 * z_* are deviations in standard errors (nan where the fourth moment of psi
 * does not exist, rho <= 4). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radvar/sim.h"
#include "radvar/stats.h"
#include "radvar/theory.h"

static double model_cdf(double x, void *p)
{
    return radvar_theory_cdf_psi2(x, *(const double *)p, 1.0);
}

int main(int argc, char **argv)
{
    radvar_init();
    if (argc != 3) {
        fprintf(stderr, "usage: sma_theorem TRIALS THREADS\n");
        return 2;
    }
    uint64_t trials = strtoull(argv[1], NULL, 10);
    int threads = atoi(argv[2]);
    double *x = malloc(trials * sizeof *x);
    printf("# Monte Carlo of the SMA of rho squared N(0,1) gradients, %llu trials per rho, seed = rho\n",
           (unsigned long long)trials);
    printf("rho\tmean_psi\tmean_theory\tz_mean\tvar_psi\tse_var_psi\tvar_theory\tvar_approx\tz_var\tks_distance\tks_p\n");
    uint64_t prev = 0;
    for (int k = 0; k < 40; k++) {
        uint64_t rho = (uint64_t)floor(3.0 * exp(log(2000.0 / 3.0) * k / 39.0) + 0.5);
        if (rho <= prev)
            continue;
        prev = rho;
        radvar_sim_config cfg;
        radvar_sim_config_default(&cfg);
        cfg.steps = rho;
        cfg.trials = trials;
        cfg.seed = rho;
        cfg.threads = threads;
        cfg.average = RADVAR_AVERAGE_SMA;
        cfg.window = rho;
        cfg.report = &rho;
        cfg.n_report = 1;
        cfg.ks = &rho;
        cfg.n_ks = 1;
        radvar_sim *s;
        if (radvar_sim_alloc(&cfg, &s) != RADVAR_SUCCESS)
            return 1;
        while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
            ;
        const radvar_stats_moments *m = radvar_sim_moments(s, 0);
        double r = (double)rho, var = radvar_stats_moments_variance(m);
        double se = rho > 4 ? radvar_stats_moments_se_variance(m) : INFINITY;
        double mean_th = radvar_theory_mean_psi(r, 1), var_th = radvar_theory_var_psi(r, 1);
        double z_mean = rho > 2 ? (m->mean - mean_th) / sqrt(var / m->n) : NAN;
        double z_var = isfinite(se) ? (var - var_th) / se : NAN;
        double d, p;
        memcpy(x, radvar_sim_ks_sample(s, 0), trials * sizeof *x);
        radvar_stats_ks_test(x, trials, model_cdf, &r, &d, &p);
        printf("%llu\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n",
               (unsigned long long)rho, m->mean, mean_th, z_mean, var, se, var_th,
               radvar_theory_var_psi_approx(r, 1), z_var, d, p);
        radvar_sim_free(s);
    }
    free(x);
    return 0;
}
