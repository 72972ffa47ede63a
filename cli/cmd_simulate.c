/* cmd_simulate.c: radvar simulate -- Monte Carlo of psi_t against the theory. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "parallel.h"
#include "radvar/rng.h"
#include "radvar/schedule.h"
#include "radvar/sim.h"
#include "radvar/theory.h"

static const char help[] =
    "usage: radvar simulate --beta2 B --steps T --trials N [--mu M] [--sigma S]\n"
    "                       [--seed K] [--threads P] [--average ema|sma] [--window K]\n"
    "                       [--every K | --t LIST] [--ks LIST] [--generator 1|2] [--quiet]\n"
    "                       [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "Simulate Adam's adaptive learning rate psi_t = sqrt((1-B^t)/v_t) over N trials\n"
    "of T steps with gradients N(M, S^2), and print one row per reported step t:\n"
    "  t rho_t dof mean_psi var_psi se_var_psi mean_rect_psi var_rect_psi\n"
    "  se_var_rect_psi var_theory rho_eff rho_eff_lo rho_eff_hi\n"
    "dof is the rho of the scaled-inverse-chi2 model (rho_t for the EMA, the window\n"
    "for the SMA); var_theory = Var[psi](dof, 1/S^2) (exact for the SMA with M = 0);\n"
    "rect_psi = r_t psi_t with the paper's r_t at dof; se_* are standard errors\n"
    "(inf where the fourth moment of psi does not exist: 4 or fewer terms);\n"
    "rho_eff is the rho at which Var[psi](rho, 1/S^2) equals var_psi, with a 95%\n"
    "interval [rho_eff_lo, rho_eff_hi] from var_psi -/+ 1.96 se.\n"
    "With --ks, a section 'ks' follows: t dof n ks_distance p_value, the\n"
    "Kolmogorov-Smirnov test of psi_t^2 against Scale-inv-chi2(dof, 1/S^2).\n"
    "\n"
    "  --beta2 B        0 <= B < 1                --steps T   1 <= T <= 1e9\n"
    "  --trials N       2 <= N <= 2^53            --mu M      finite (default 0)\n"
    "  --sigma S        S > 0 (default 1)         --seed K    0 <= K < 2^64 (default 1)\n"
    "  --threads P      1 <= P <= 1024 (default 1); the output does not depend on P\n"
    "  --average A      ema (default) or sma\n"
    "  --window K       sma window, K >= 1 (default: round(rho_t))\n"
    "  --every K        report t = K, 2K, ... (default 1)\n"
    "  --t LIST         report these steps (LIST or A:B[:STEP], each <= T)\n"
    "  --ks LIST        keep psi^2 at these steps for the KS test (each <= T)\n"
    "  --generator V    the Gaussian generator: 2 (default; single-precision\n"
    "                   Box-Muller) or 1 (the ziggurat of radvar 0.2 and before)\n"
    "  --quiet          no progress bar (shown on a terminal for runs over 1 s)\n"
    "Ctrl-C stops at the next chunk of trials and writes the results of the trials\n"
    "completed (their count is in the header), exit status 130.\n";

static volatile sig_atomic_t interrupted = 0;

const char *const cli_simulation_columns[CLI_SIM_COLUMNS] = {
    "t", "rho_t", "dof", "mean_psi", "var_psi", "se_var_psi", "mean_rect_psi", "var_rect_psi",
    "se_var_rect_psi", "var_theory", "rho_eff", "rho_eff_lo", "rho_eff_hi"};

void cli_simulation_row(const radvar_sim *sim, size_t k, double row[CLI_SIM_COLUMNS])
{
    radvar_sim_summary m;
    radvar_sim_summarize(sim, k, &m);
    double values[CLI_SIM_COLUMNS] = {m.t, m.rho_t, m.dof, m.mean_psi, m.var_psi, m.se_var_psi,
                                      m.mean_rect_psi, m.var_rect_psi, m.se_var_rect_psi,
                                      m.var_model, m.rho_eff, m.rho_eff_lo, m.rho_eff_hi};
    memcpy(row, values, sizeof values);
}

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* sorted, without repeats */
static size_t sort_unique(uint64_t *v, size_t n)
{
    qsort(v, n, sizeof *v, compare_u64);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (m == 0 || v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

static uint64_t *steps_from_grid(const char *opt, const char *text, double steps, size_t *n)
{
    cli_grid g = cli_step_grid(opt, text);
    uint64_t *v = malloc(g.n * sizeof *v);
    if (v == NULL)
        cli_fail_status(1, "out of memory");
    for (size_t i = 0; i < g.n; i++) {
        double t = cli_grid_at(&g, i);
        if (t > steps)
            cli_fail("%s: step %.17g is beyond --steps %.17g", opt, t, steps);
        v[i] = (uint64_t)t;
    }
    *n = g.n;
    cli_grid_free(&g);
    return v;
}

struct ks_model {
    double dof, tau2;
};

static double ks_cdf(double x, void *params)
{
    const struct ks_model *m = params;
    return radvar_theory_cdf_psi2(x, m->dof, m->tau2);
}

struct progress_state {
    radvar_sim *sim;
    double start;
    int shown;
};

static void progress(void *arg)
{
    struct progress_state *ps = arg;
    uint64_t done = radvar_sim_trials_done(ps->sim), total = radvar_sim_trials_total(ps->sim);
    int *shown = &ps->shown;
    double start = ps->start;
    double elapsed = cli_now() - start;
    if (elapsed < 1.0 || done == 0)
        return;
    double eta = elapsed * (double)(total - done) / (double)done;
    fprintf(stderr, "\rradvar simulate: %5.1f%% (%llu of %llu trials), %.0f s left   ",
            100.0 * (double)done / (double)total, (unsigned long long)done,
            (unsigned long long)total, eta);
    *shown = 1;
}

int cmd_simulate(int argc, char **argv)
{
    const char *beta2_text = NULL, *steps_text = NULL, *trials_text = NULL, *mu_text = "0",
               *sigma_text = "1", *seed_text = "1", *threads_text = "1", *average_text = "ema",
               *window_text = NULL, *every_text = NULL, *t_text = NULL, *ks_text = NULL,
               *format = "tsv", *output = NULL, *generator_text = NULL;
    int quiet = 0, want_help = 0;
    const cli_option opts[] = {
        {"beta2", 1, &beta2_text, NULL},   {"steps", 1, &steps_text, NULL},
        {"trials", 1, &trials_text, NULL}, {"mu", 1, &mu_text, NULL},
        {"sigma", 1, &sigma_text, NULL},   {"seed", 1, &seed_text, NULL},
        {"threads", 1, &threads_text, NULL}, {"average", 1, &average_text, NULL},
        {"window", 1, &window_text, NULL}, {"every", 1, &every_text, NULL},
        {"t", 1, &t_text, NULL},           {"ks", 1, &ks_text, NULL},
        {"quiet", 0, NULL, &quiet},        {"format", 1, &format, NULL},
        {"output", 1, &output, NULL},      {"help", 0, NULL, &want_help},
        {"generator", 1, &generator_text, NULL},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    if (beta2_text == NULL || steps_text == NULL || trials_text == NULL)
        cli_fail("--beta2, --steps and --trials are required (see 'radvar simulate --help')");
    cli_format fmt = cli_parse_format(format);
    double beta2 = cli_double("--beta2", beta2_text);
    cli_check_range("--beta2", beta2_text, beta2, 0, 0, 1, 1);
    double steps = cli_integer("--steps", steps_text, 1, 1e9);
    double trials = cli_integer("--trials", trials_text, 2, 9007199254740992.0);
    double mu = cli_double("--mu", mu_text);
    double sigma = cli_double("--sigma", sigma_text);
    cli_check_range("--sigma", sigma_text, sigma, 0, 1, INFINITY, 1);
    uint64_t seed = cli_seed("--seed", seed_text);
    int threads = (int)cli_integer("--threads", threads_text, 1, 1024);
    radvar_average average;
    if (strcmp(average_text, "ema") == 0)
        average = RADVAR_AVERAGE_EMA;
    else if (strcmp(average_text, "sma") == 0)
        average = RADVAR_AVERAGE_SMA;
    else
        cli_fail("--average: '%s' is not an average (valid: ema, sma)", average_text);
    uint64_t window = 0;
    if (window_text) {
        if (average != RADVAR_AVERAGE_SMA)
            cli_fail("--window: applies to --average sma only");
        window = (uint64_t)cli_integer("--window", window_text, 1, 1e8);
    }
    int generator = generator_text ? (int)cli_integer("--generator", generator_text, 1, 2) : RADVAR_RNG_DEFAULT;
    if (every_text && t_text)
        cli_fail("--every and --t cannot be given together");

    size_t n_report = 0, n_ks = 0;
    uint64_t *report;
    if (t_text) {
        report = steps_from_grid("--t", t_text, steps, &n_report);
    } else {
        double every = every_text ? cli_integer("--every", every_text, 1, steps) : 1;
        n_report = (size_t)(steps / every);
        report = malloc(n_report * sizeof *report);
        if (report == NULL)
            cli_fail_status(1, "out of memory");
        for (size_t i = 0; i < n_report; i++)
            report[i] = (uint64_t)every * (i + 1);
    }
    uint64_t *ks = ks_text ? steps_from_grid("--ks", ks_text, steps, &n_ks) : NULL;
    if (n_ks) { /* the KS steps are reported too */
        n_ks = sort_unique(ks, n_ks);
        report = realloc(report, (n_report + n_ks) * sizeof *report);
        if (report == NULL)
            cli_fail_status(1, "out of memory");
        memcpy(report + n_report, ks, n_ks * sizeof *ks);
        n_report += n_ks;
    }
    n_report = sort_unique(report, n_report);
    if (n_ks && trials * (double)n_ks > 2e9)
        cli_fail("--ks: keeping %.17g psi^2 samples needs too much memory (at most 2e9)",
                 trials * (double)n_ks);

    radvar_sim_config cfg;
    radvar_sim_config_default(&cfg);
    cfg.beta2 = beta2;
    cfg.steps = (uint64_t)steps;
    cfg.trials = (uint64_t)trials;
    cfg.mu = mu;
    cfg.sigma = sigma;
    cfg.seed = seed;
    cfg.threads = threads;
    cfg.average = average;
    cfg.window = window;
    cfg.report = report;
    cfg.n_report = n_report;
    cfg.ks = ks;
    cfg.n_ks = n_ks;
    cfg.generator = generator;
    radvar_sim *sim;
    int status = radvar_sim_alloc(&cfg, &sim);
    if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "cannot set up the simulation: %s",
                        radvar_strerror(status));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    int show_progress = !quiet && isatty(STDERR_FILENO) && cli_rank() == 0;
    struct progress_state ps = {sim, cli_now(), 0};
    cli_run_simulation(sim, n_report, n_ks, &interrupted, show_progress ? progress : NULL, &ps);
    double seconds = cli_now() - ps.start;
    if (ps.shown)
        fprintf(stderr, "\r%70s\r", "");
    if (cli_rank() != 0) { /* the results are rank 0's to write */
        radvar_sim_free(sim);
        free(report);
        free(ks);
        return 0;
    }
    uint64_t done = radvar_sim_trials_done(sim);

    cli_table *t = cli_table_open(output, fmt, argc, argv);
    cli_table_param(t, "beta2", "%.17g", beta2);
    cli_table_param(t, "steps", "%.17g", steps);
    cli_table_param(t, "trials", "%.17g", trials);
    cli_table_param(t, "trials_completed", "%llu", (unsigned long long)done);
    cli_table_param(t, "interrupted", "%s", interrupted ? "yes" : "no");
    cli_table_param(t, "mu", "%.17g", mu);
    cli_table_param(t, "sigma", "%.17g", sigma);
    cli_table_param(t, "seed", "%llu", (unsigned long long)seed);
    cli_table_param(t, "threads", "%d", threads);
    if (cli_ranks() > 1)
        cli_table_param(t, "ranks", "%d", cli_ranks());
    cli_table_param(t, "average", "%s", average_text);
    if (average == RADVAR_AVERAGE_SMA)
        cli_table_param(t, "window", "%s", window ? window_text : "round(rho_t)");
    cli_table_param(t, "chunk_trials", "%llu", (unsigned long long)radvar_sim_chunk_trials(sim));
    cli_table_param(t, "generator", "%s", radvar_rng_generator_name(radvar_sim_generator(sim)));
    fprintf(stderr, "radvar simulate: seed %llu, %llu trials x %.17g steps in %.3g s\n",
            (unsigned long long)seed, (unsigned long long)done, steps, seconds);

    cli_table_param(t, "dispatch", "%s", radvar_dispatch_name());
    cli_table_begin(t, "main", CLI_SIM_COLUMNS, cli_simulation_columns);
    for (size_t k = 0; k < n_report; k++) {
        double row[CLI_SIM_COLUMNS];
        cli_simulation_row(sim, k, row);
        cli_table_row(t, row);
    }
    const double tau2 = 1.0 / (sigma * sigma);
    if (n_ks) {
        static const char *const kcols[] = {"t", "dof", "n", "ks_distance", "p_value"};
        cli_table_begin(t, "ks", 5, kcols);
        double *copy = malloc((done ? done : 1) * sizeof *copy);
        if (copy == NULL)
            cli_fail_status(1, "out of memory");
        for (size_t j = 0; j < n_ks; j++) {
            size_t k = 0;
            while (report[k] != ks[j])
                k++;
            struct ks_model model = {radvar_sim_dof(sim, k), tau2};
            memcpy(copy, radvar_sim_ks_sample(sim, j), done * sizeof *copy);
            double d = NAN, p = NAN;
            if (done > 0)
                radvar_stats_ks_test(copy, (size_t)done, ks_cdf, &model, &d, &p);
            double row[5] = {(double)ks[j], model.dof, (double)done, d, p};
            cli_table_row(t, row);
        }
        free(copy);
    }
    cli_table_close(t);
    radvar_sim_free(sim);
    free(report);
    free(ks);
    return interrupted ? 130 : 0;
}
