/* bench_mc.c: throughput of the Monte Carlo engine (issue #3).
 *   gauss    raw Gaussian generation: radvar_rng_gauss_pair_lanes over 256 streams
 *   engine   the figure-1 workload: EMA, beta2 = 0.999, T = 6000, every step
 *            reported (moments of psi_t), with 1 and 2 threads
 * One sample = one gradient draw and one EMA update with its accumulation.
 * Prints: what threads samples seconds samples_per_s (best of 5 runs). */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "radvar/rng.h"
#include "radvar/sim.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double sink;

static double time_gauss(uint64_t pairs)
{
    enum { LANES = 256 };
    static double even[LANES], odd[LANES];
    double t0 = now(), acc = 0;
    for (uint64_t p = 0; p < pairs; p++) {
        radvar_rng_gauss_pair_lanes(3, 0, LANES, p, even, odd);
        acc += even[p % LANES] + odd[(p * 7) % LANES];
    }
    sink += acc;
    return now() - t0;
}

static double time_engine(uint64_t trials, int threads, const uint64_t *report)
{
    radvar_sim_config cfg = {0.999, 6000, trials, 0.0, 1.0, 1, threads, RADVAR_AVERAGE_EMA, 0,
                             report, 6000, NULL, 0, 0};
    radvar_sim *s;
    if (radvar_sim_alloc(&cfg, &s) != RADVAR_SUCCESS)
        exit(1);
    double t0 = now();
    while (radvar_sim_iterate(s) == RADVAR_CONTINUE)
        ;
    double dt = now() - t0;
    sink += radvar_sim_moments(s, 5999)->m2;
    radvar_sim_free(s);
    return dt;
}

int main(int argc, char **argv)
{
    radvar_init();
    uint64_t trials = argc > 1 ? strtoull(argv[1], NULL, 10) : 8192;
    uint64_t *report = malloc(6000 * sizeof *report);
    for (uint64_t t = 0; t < 6000; t++)
        report[t] = t + 1;
    printf("what\tthreads\tsamples\tseconds\tsamples_per_s\n");
    uint64_t pairs = trials * 6000 / 512;
    double best = 1e300;
    for (int r = 0; r < 5; r++) {
        double dt = time_gauss(pairs);
        best = dt < best ? dt : best;
    }
    printf("gauss\t1\t%llu\t%.6g\t%.6g\n", (unsigned long long)(pairs * 512), best,
           (double)(pairs * 512) / best);
    for (int threads = 1; threads <= 2; threads++) {
        best = 1e300;
        for (int r = 0; r < 5; r++) {
            double dt = time_engine(trials, threads, report);
            best = dt < best ? dt : best;
        }
        printf("engine\t%d\t%llu\t%.6g\t%.6g\n", threads, (unsigned long long)(trials * 6000), best,
               (double)(trials * 6000) / best);
    }
    free(report);
    return sink == 0.12345; /* keep the work */
}
