/* cmd_bench_step.c: radvar bench-step -- time optimizer steps on synthetic
 * gradients and print one row: method n threads dtype steps seconds
 * elements_per_s. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "radvar/optim.h"

static const char help[] =
    "usage: radvar bench-step --method M [--preset P] --n N --threads P\n"
    "                         --dtype float32|float64 [--steps K] [--fused-check]\n"
    "\n"
    "Time K optimizer steps (after 3 untimed ones) on N parameters with fixed\n"
    "synthetic gradients and print: method n threads dtype steps seconds\n"
    "elements_per_s (N K / seconds, the best of 3 repetitions).  --fused-check\n"
    "folds the gradient check into the update pass.\n";

static int step(radvar_optim *o, radvar_dtype dtype, void *p, const void *g)
{
    return dtype == RADVAR_FLOAT32 ? radvar_optim_step_f32(o, p, g) : radvar_optim_step_f64(o, p, g);
}

static void fill(radvar_dtype dtype, void *p, void *g, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        double gi = sin(0.001 * (double)i) + 0.5, pi = 0.1 * cos(0.003 * (double)i);
        if (dtype == RADVAR_FLOAT32) {
            ((float *)g)[i] = (float)gi;
            ((float *)p)[i] = (float)pi;
        } else {
            ((double *)g)[i] = gi;
            ((double *)p)[i] = pi;
        }
    }
}

int cmd_bench_step(int argc, char **argv)
{
    cli_optim_args oa = {0};
    const char *n_text = NULL, *threads_text = "1", *dtype_text = "float32", *steps_text = "20";
    int fused = 0, want_help = 0;
    const cli_option opts[] = {
        CLI_OPTIM_OPTIONS(oa),
        {"n", 1, &n_text, NULL},           {"threads", 1, &threads_text, NULL},
        {"dtype", 1, &dtype_text, NULL},   {"steps", 1, &steps_text, NULL},
        {"fused-check", 0, NULL, &fused},  {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    if (n_text == NULL)
        cli_fail("--n is required");
    radvar_optim_config cfg;
    cli_optim_resolve(&oa, &cfg);
    double n = cli_integer("--n", n_text, 1, 1e10);
    int threads = (int)cli_integer("--threads", threads_text, 1, 1024);
    int steps = (int)cli_integer("--steps", steps_text, 1, 1e6);
    radvar_dtype dtype = cli_dtype("--dtype", dtype_text);
    size_t count = (size_t)n, es = dtype == RADVAR_FLOAT32 ? sizeof(float) : sizeof(double);
    void *p = malloc(count * es), *g = malloc(count * es);
    if (p == NULL || g == NULL)
        cli_fail_status(1, "out of memory for %zu parameters", count);
    fill(dtype, p, g, count);
    radvar_optim *o;
    if (radvar_optim_alloc(&cfg, count, dtype, &o) != RADVAR_SUCCESS)
        cli_fail_status(1, "cannot allocate the optimizer for %zu parameters", count);
    radvar_optim_set_threads(o, threads);
    radvar_optim_set_fused_check(o, fused);
    for (int k = 0; k < 3; k++)
        step(o, dtype, p, g);
    double best = INFINITY;
    for (int rep = 0; rep < 3; rep++) {
        double t0 = cli_now();
        for (int k = 0; k < steps; k++)
            step(o, dtype, p, g);
        double dt = cli_now() - t0;
        best = dt < best ? dt : best;
    }
    printf("method\tn\tthreads\tdtype\tsteps\tseconds\telements_per_s\n");
    printf("%s\t%.17g\t%d\t%s\t%d\t%.6g\t%.6g\n", radvar_optim_method_name(cfg.method), n, threads,
           dtype_text, steps, best, n * steps / best);
    radvar_optim_free(o);
    free(p);
    free(g);
    return 0;
}
