/* cmd_simulate.c: radvar simulate -- Monte Carlo of psi_t against the model
 * and the exact variance.  The steps: parse the options, check the scale and
 * the memory, choose the reported steps, run (computing the exact variances
 * meanwhile), write the table, write the KS table. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
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
    "                       [--every K | --t LIST] [--ks LIST --ks-output FILE]\n"
    "                       [--generator 1|2] [--noise SPEC] [--exact yes|no] [--quiet]\n"
    "                       [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "Simulate Adam's adaptive learning rate psi_t = sqrt((1-B^t)/v_t) over N trials\n"
    "of T steps with gradients N(M, S^2) (or g = M + S e with the noise e of\n"
    "--noise), and print one row per reported step t:\n"
    "  t rho_t dof mean_psi var_psi se_var_psi mean_rect_psi var_rect_psi\n"
    "  se_var_rect_psi var_model var_exact rho_eff rho_eff_lo rho_eff_hi\n"
    "dof is the number of gradients the model averages: rho_t for the EMA, the\n"
    "window for the SMA.  The model is psi^2 ~ Scale-inv-chi2(nu dof, 1/(M^2+S^2))\n"
    "with nu = (1+m^2)^2/(1+2m^2), m = M/S: the scaled inverse chi-square whose\n"
    "squares have the mean and variance of the gradients' (for M = 0, nu = 1: the\n"
    "paper's model, exact for the SMA; for M != 0 an approximation).\n"
    "  var_model      the model's Var[psi] (inf where nu dof <= 2)\n"
    "  var_exact      the exact Var[psi_t] for any M (quadrature, radvar exact; the\n"
    "                 SMA with M = 0: Theorem 1), whatever the model says; one\n"
    "                 quadrature per reported step until the EMA is stationary,\n"
    "                 computed while the trials run\n"
    "  rect_psi       r_t psi_t with the paper's r_t at dof (nan where dof <= 4)\n"
    "  se_*           standard errors, from the sample fourth moment\n"
    "  rho_eff        the dof at which the model's variance equals var_psi, with a\n"
    "                 95% interval [rho_eff_lo, rho_eff_hi] from var_psi -/+ 1.96 se\n"
    "inf marks a moment that is infinite: mean_psi with 1 gradient averaged,\n"
    "var_psi and var_exact with 2 or fewer (the EMA at t <= 2), se with 4 or\n"
    "fewer; then rho_eff is nan.\n"
    "With --ks LIST, the psi^2 samples at those steps are tested against the model\n"
    "(Kolmogorov-Smirnov) and the table 't dof n ks_distance p_value' goes to\n"
    "--ks-output FILE (each output holds one table).\n"
    "\n"
    "  --beta2 B        0 <= B < 1                --steps T   1 <= T <= 1e9\n"
    "  --trials N       2 <= N <= 2^53            --mu M      |M| <= 1e8 S (default 0)\n"
    "  --sigma S        1e-50 <= S <= 1e50 (default 1)\n"
    "  --seed K         0 <= K < 2^64 (default 1)\n"
    "  --threads P      1 <= P <= 1024 (default 1); the output does not depend on P\n"
    "  --average A      ema (default) or sma\n"
    "  --window K       sma window, K >= 1 (default: round(rho_t))\n"
    "  --every K        report t = K, 2K, ... (default 1)\n"
    "  --t LIST         report these steps (LIST or A:B[:STEP], each <= T)\n"
    "  --ks LIST        test psi^2 at these steps (each <= T; needs --ks-output)\n"
    "  --generator V    the Gaussian generator: 2 (default; single-precision\n"
    "                   Box-Muller) or 1 (the ziggurat of radvar 0.2 and before)\n"
    "  --noise SPEC     the gradient noise e, of unit variance (default normal):\n"
    "                   student:nu=V (V > 2), laplace, mixture:p=P,k=K (0 < P < 1,\n"
    "                   K > 0), ar1:phi=F (|F| < 1, stationary from t = 1),\n"
    "                   decay:a=A,tau=T (scale (1 + t/T)^(-A); A >= 0, T > 0);\n"
    "                   the model is then matched to that noise's g^2 (i.i.d.\n"
    "                   models: by its kurtosis; ar1, decay: rho_mm/rho_moment of\n"
    "                   step t, none for the SMA), var_exact is the noise model's\n"
    "                   (the EMA only: nan for the SMA)\n"
    "  --exact yes|no   compute var_exact (default yes: one quadrature per reported\n"
    "                   step until the EMA is stationary, which can take longer than\n"
    "                   the trials; no: var_exact is nan and the header says so)\n"
    "  --quiet          nothing on standard error but errors and warnings\n"
    "Memory is estimated first: a run that would need more than 80% of the memory\n"
    "available is refused with the figure and the option that reduces it.\n"
    "Ctrl-C stops within a fraction of a second and writes the results of the\n"
    "trials completed (their count is in the header; var_exact is nan in rows it\n"
    "had not reached), exit status 130; a second Ctrl-C ends at once.\n";

/* ---- options ---- */

struct options {
    const char *beta2, *steps, *trials, *mu, *sigma, *seed, *threads, *average, *window, *every,
        *t, *ks, *ks_output, *format, *output, *generator, *noise, *exact;
    int quiet, help;
};

struct run {
    radvar_sim_config cfg;
    cli_format fmt;
    const char *average_text;
    uint64_t *report, *ks;
    size_t n_report, n_ks;
    double steps, trials;
    double *var_exact; /* per reported step, computed while the trials run */
    size_t exact_next;  /* the next one for exact_step */
    unsigned char *exact_set; /* computed (else nan: interrupted) */
    size_t exact_short; /* quadratures short of their tolerance */
    int exact_failed;   /* the first status of a failed one */
    size_t exact_failed_at;
    int exact;          /* --exact yes: compute var_exact */
};

static void parse(int argc, char **argv, struct options *o)
{
    *o = (struct options){.mu = "0", .sigma = "1", .seed = "1", .threads = "1", .average = "ema",
                          .format = "tsv", .exact = "yes"};
    const cli_option opts[] = {
        {"beta2", 1, &o->beta2, NULL},     {"steps", 1, &o->steps, NULL},
        {"trials", 1, &o->trials, NULL},   {"mu", 1, &o->mu, NULL},
        {"sigma", 1, &o->sigma, NULL},     {"seed", 1, &o->seed, NULL},
        {"threads", 1, &o->threads, NULL}, {"average", 1, &o->average, NULL},
        {"window", 1, &o->window, NULL},   {"every", 1, &o->every, NULL},
        {"t", 1, &o->t, NULL},             {"ks", 1, &o->ks, NULL},
        {"ks-output", 1, &o->ks_output, NULL}, {"generator", 1, &o->generator, NULL},
        {"noise", 1, &o->noise, NULL},     {"exact", 1, &o->exact, NULL},
        {"quiet", 0, NULL, &o->quiet},     {"format", 1, &o->format, NULL},
        {"output", 1, &o->output, NULL},   {"help", 0, NULL, &o->help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
}

/* psi scales as 1/sigma and its moments up to the fourth are accumulated in
 * doubles; within these limits (checked at both ends: the moments and
 * psi^4 of the smallest gradients among 1e10 trials stay far inside the
 * double range, and sigma g keeps at least 8 digits beside mu) the results
 * are neither 0, inf nor rounding noise. */
#define SIGMA_MIN 1e-50
#define SIGMA_MAX 1e50
#define MU_OVER_SIGMA_MAX 1e8

void cli_sim_check_scale(const char *mu_text, double mu, const char *sigma_text, double sigma)
{
    if (!(sigma >= SIGMA_MIN && sigma <= SIGMA_MAX))
        cli_fail("--sigma: %s is out of range: must be in [1e-50, 1e50] (psi scales as 1/sigma: "
                 "beyond, its moments leave the range of a double)", sigma_text);
    if (fabs(mu) > MU_OVER_SIGMA_MAX * sigma)
        cli_fail("--mu: %s is out of range for --sigma %s: |mu| must be <= 1e8 sigma (beyond, "
                 "the noise sigma g is lost in the rounding of mu + sigma g)", mu_text, sigma_text);
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* sorted, without repeats */
static size_t sort_unique(uint64_t *v, size_t n)
{
    size_t sorted = 1;
    while (sorted < n && v[sorted] > v[sorted - 1])
        sorted++;
    if (sorted < n) /* --every gives them in order: no sort */
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
    uint64_t *v = malloc((g.n ? g.n : 1) * sizeof *v);
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

static void validate(const struct options *o, struct run *r)
{
    if (o->beta2 == NULL || o->steps == NULL || o->trials == NULL)
        cli_fail("--beta2, --steps and --trials are required (see 'radvar simulate --help')");
    r->fmt = cli_parse_format(o->format);
    radvar_sim_config *c = &r->cfg;
    radvar_sim_config_default(c);
    c->beta2 = cli_double("--beta2", o->beta2);
    cli_check_range("--beta2", o->beta2, c->beta2, 0, 0, 1, 1);
    r->steps = cli_integer("--steps", o->steps, 1, 1e9);
    r->trials = cli_integer("--trials", o->trials, 2, 9007199254740992.0);
    c->steps = (uint64_t)r->steps;
    c->trials = (uint64_t)r->trials;
    if (o->generator)
        c->generator = (int)cli_integer("--generator", o->generator, 1, 2);
    static const char *const yes_no[] = {"no", "yes"};
    r->exact = cli_pick("--exact", o->exact, yes_no, 2);
    c->mu = cli_double("--mu", o->mu);
    c->sigma = cli_double("--sigma", o->sigma);
    cli_check_range("--sigma", o->sigma, c->sigma, 0, 1, INFINITY, 1);
    cli_sim_check_scale(o->mu, c->mu, o->sigma, c->sigma);
    if (o->noise)
        c->noise = cli_noise("--noise", o->noise);
    if (c->noise.kind == RADVAR_NOISE_DECAY
        && !(2.0 * c->noise.a * log1p(r->steps / c->noise.tau) <= 690.0))
        cli_fail("--noise: %s shrinks the gradient scale below 1e-150 by step %.17g (need "
                 "2 a ln(1 + steps/tau) <= 690)", o->noise, r->steps);
    c->seed = cli_seed("--seed", o->seed);
    c->threads = (int)cli_integer("--threads", o->threads, 1, 1024);
    r->average_text = o->average;
    if (strcmp(o->average, "ema") == 0)
        c->average = RADVAR_AVERAGE_EMA;
    else if (strcmp(o->average, "sma") == 0)
        c->average = RADVAR_AVERAGE_SMA;
    else
        cli_fail("--average: '%s' is not an average (valid: ema, sma)", o->average);
    if (o->window) {
        if (c->average != RADVAR_AVERAGE_SMA)
            cli_fail("--window: applies to --average sma only");
        c->window = (uint64_t)cli_integer("--window", o->window, 1, 1e8);
    }
    if (o->every && o->t)
        cli_fail("--every and --t cannot be given together");
    if ((o->ks != NULL) != (o->ks_output != NULL))
        cli_fail("--ks and --ks-output go together (the KS table is an output of its own)");
    cli_output_check("--output", o->output);
    cli_output_check("--ks-output", o->ks_output);
    const char *main_out = o->output ? o->output : "-";
    if (o->ks_output && strcmp(o->ks_output, main_out) == 0)
        cli_fail("--ks-output and --output name the same %s (one table per output)",
                 strcmp(main_out, "-") == 0 ? "output, standard output" : "file");
}

/* The reported steps (the KS steps among them), sorted and distinct; the
 * memory is checked first, from their count (check_memory). */
static void check_memory(const struct options *o, const struct run *r);

static void choose_steps(const struct options *o, struct run *r)
{
    double every = 1;
    if (o->t) {
        cli_grid g = cli_step_grid("--t", o->t);
        r->n_report = g.n;
        cli_grid_free(&g);
    } else {
        every = o->every ? cli_integer("--every", o->every, 1, r->steps) : 1;
        r->n_report = (size_t)(r->steps / every);
    }
    if (o->ks) {
        cli_grid g = cli_step_grid("--ks", o->ks);
        r->n_ks = g.n;
        cli_grid_free(&g);
    }
    check_memory(o, r); /* with at most n_report + n_ks steps */
    if (o->t) {
        r->report = steps_from_grid("--t", o->t, r->steps, &r->n_report);
    } else {
        r->report = malloc(r->n_report * sizeof *r->report);
        if (r->report == NULL)
            cli_fail_status(1, "out of memory for %zu reported steps (use --every K or --t LIST)",
                            r->n_report);
        for (size_t i = 0; i < r->n_report; i++)
            r->report[i] = (uint64_t)every * (i + 1);
    }
    if (o->ks) {
        r->ks = steps_from_grid("--ks", o->ks, r->steps, &r->n_ks);
        r->n_ks = sort_unique(r->ks, r->n_ks);
        uint64_t *grown = realloc(r->report, (r->n_report + r->n_ks) * sizeof *grown);
        if (grown == NULL)
            cli_fail_status(1, "out of memory");
        r->report = grown;
        memcpy(r->report + r->n_report, r->ks, r->n_ks * sizeof *r->ks);
        r->n_report += r->n_ks;
    }
    r->n_report = sort_unique(r->report, r->n_report);
}

/* ---- memory (before any large allocation) ---- */

static void check_memory(const struct options *o, const struct run *r)
{
    size_t n_report = r->n_report + r->n_ks;
    const radvar_sim_config *c = &r->cfg;
    double threads = c->threads;
    /* per reported step: the engine's totals, merge buffer and one set per
     * thread of moments, its step, dof and KS slot; here, the step, the
     * exact variance, and the merge buffer of the runner */
    double per_report = (double)sizeof(radvar_stats_moments) * (threads + 3) + 8.0 * 5;
    double report_bytes = per_report * (double)n_report;
    /* the KS samples, one double per trial and KS step, and a sorted copy */
    double ks_bytes = 8.0 * r->trials * ((double)r->n_ks + (r->n_ks ? 1 : 0));
    /* the SMA: the window per step, and each thread's ring of squares
     * (the engine caps a chunk's ring at 32 MiB) */
    double sma_bytes = c->average == RADVAR_AVERAGE_SMA ? 8.0 * r->steps + threads * 33554432.0 : 0;
    double total = report_bytes + ks_bytes + sma_bytes + 64.0 * 1048576;
    /* a margin for the rest of the system and the output: 80% at most */
    double have = 0.8 * cli_available_memory();
    if (total <= have)
        return;
    const double gb = 1e9;
    if (ks_bytes >= report_bytes && ks_bytes >= sma_bytes)
        cli_fail("--ks: keeping %.17g psi^2 samples (%.17g trials x %zu KS steps) needs about "
                 "%.3g GB of memory, more than the %.3g GB it may use (80%% of the memory available): use fewer --trials or "
                 "fewer --ks steps", r->trials * (double)r->n_ks, r->trials, r->n_ks,
                 total / gb, have / gb);
    if (report_bytes >= sma_bytes)
        cli_fail("%s: %zu reported steps need about %.3g GB of memory, more than the %.3g GB it "
                 "may use (80%% of the memory available): report fewer steps (--every K or --t LIST)",
                 o->t ? "--t" : o->every ? "--every" : "--steps", n_report, total / gb, have / gb);
    cli_fail("--steps: the SMA windows of %.17g steps need about %.3g GB of memory, more than "
             "the %.3g GB it may use (80%% of the memory available): use fewer --steps or fewer --threads", r->steps, total / gb,
             have / gb);
}

/* ---- the run ---- */

static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig)
{
    interrupted = 1;
    signal(sig, SIG_DFL); /* a second Ctrl-C ends at once */
}

struct progress_state {
    radvar_sim *sim;
    double start, last;
    int shown;
};

static void progress(void *arg)
{
    struct progress_state *ps = arg;
    uint64_t done = radvar_sim_trials_done(ps->sim), total = radvar_sim_trials_total(ps->sim);
    double now = cli_now(), elapsed = now - ps->start;
    if (elapsed < 1.0 || done == 0 || now - ps->last < 0.25)
        return;
    ps->last = now;
    double eta = elapsed * (double)(total - done) / (double)done;
    fprintf(stderr, "\rradvar simulate: %5.1f%% (%llu of %llu trials), %.0f s left   ",
            100.0 * (double)done / (double)total, (unsigned long long)done,
            (unsigned long long)total, eta);
    ps->shown = 1;
}

struct exact_work {
    struct run *r;
    radvar_sim *sim;
};

/* 1 when the EMA at step t is stationary to double precision: beta2^t
 * below 2^-60, so that every weight and the bias correction equal their
 * limits to far below an ulp. */
static int stationary(double beta2, uint64_t t)
{
    return beta2 == 0 || (double)t * log(beta2) < -60.0 * log(2.0);
}

/* Steps with the same distribution share their exact variance: the same
 * window of an SMA, and the stationary EMA. */
static int same_as_previous(const struct run *r, const radvar_sim *sim, size_t k)
{
    if (k == 0 || r->cfg.noise.kind == RADVAR_NOISE_DECAY) /* decay: never stationary */
        return 0;
    if (r->cfg.average == RADVAR_AVERAGE_SMA)
        return radvar_sim_dof(sim, k) == radvar_sim_dof(sim, k - 1);
    return stationary(r->cfg.beta2, r->report[k - 1]);
}

static void compute_exact(struct run *r, const radvar_sim *sim, size_t k)
{
    radvar_result v;
    int status = radvar_sim_var_exact_e(sim, k, &v);
    r->var_exact[k] = v.val;
#pragma omp critical(radvar_simulate_exact)
    {
        r->exact_set[k] = 1;
        if (status == RADVAR_EMAXITER)
            r->exact_short++;
        else if (status != RADVAR_SUCCESS && r->exact_failed == RADVAR_SUCCESS) {
            r->exact_failed = status;
            r->exact_failed_at = k;
        }
    }
}

/* One exact variance per call, while the trials run; 0 when all are done. */
static int exact_step(void *arg)
{
    struct exact_work *w = arg;
    struct run *r = w->r;
    if (r->exact_next >= r->n_report)
        return 0;
    size_t k = r->exact_next++;
    if (same_as_previous(r, w->sim, k)) {
        r->var_exact[k] = r->var_exact[k - 1];
        r->exact_set[k] = r->exact_set[k - 1];
    } else {
        compute_exact(r, w->sim, k);
    }
    return 1;
}

/* The exact variances left when the trials are done, on every thread; a
 * Ctrl-C leaves the rest nan. */
static void finish_exact(struct run *r, const radvar_sim *sim)
{
    long long first = (long long)r->exact_next, n = (long long)r->n_report;
#pragma omp parallel for schedule(dynamic, 1) num_threads(r->cfg.threads)
    for (long long k = first; k < n; k++)
        if (!interrupted && !same_as_previous(r, sim, (size_t)k))
            compute_exact(r, sim, (size_t)k);
    for (long long k = first; k < n; k++)
        if (same_as_previous(r, sim, (size_t)k)) {
            r->var_exact[k] = r->var_exact[k - 1];
            r->exact_set[k] = r->exact_set[k - 1];
        }
    r->exact_next = r->n_report;
}

/* Run the trials; returns the runner's status (RADVAR_EINTR: a worker still
 * holds the simulation, which must then not be freed). */
static int run_trials(const struct options *o, struct run *r, radvar_sim *sim, double *seconds)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    r->var_exact = malloc(r->n_report * sizeof *r->var_exact);
    r->exact_set = calloc(r->n_report, 1);
    if (r->var_exact == NULL || r->exact_set == NULL)
        cli_fail_status(1, "out of memory");
    for (size_t k = 0; k < r->n_report; k++)
        r->var_exact[k] = NAN;
    int show_progress = !o->quiet && isatty(STDERR_FILENO) && cli_rank() == 0;
    struct progress_state ps = {sim, cli_now(), 0, 0};
    struct exact_work ew = {r, sim};
    int exact = cli_rank() == 0 && r->exact;
    if (!r->exact) /* --exact no: nan, and no row counts as interrupted */
        memset(r->exact_set, 1, r->n_report);
    int status = cli_run_simulation_idle(sim, r->n_report, r->n_ks, &interrupted,
                                         show_progress ? progress : NULL, &ps,
                                         exact ? exact_step : NULL, &ew);
    if (exact && status != RADVAR_EINTR)
        finish_exact(r, sim);
    *seconds = cli_now() - ps.start;
    if (ps.shown)
        fprintf(stderr, "\r%70s\r", "");
    return status;
}

/* ---- the outputs ---- */

const char *const cli_simulation_columns[CLI_SIM_COLUMNS] = {
    "t", "rho_t", "dof", "mean_psi", "var_psi", "se_var_psi", "mean_rect_psi", "var_rect_psi",
    "se_var_rect_psi", "var_model", "var_exact", "rho_eff", "rho_eff_lo", "rho_eff_hi"};

void cli_simulation_row_with(const radvar_sim *sim, size_t k, double var_exact,
                             double row[CLI_SIM_COLUMNS])
{
    radvar_sim_summary m;
    radvar_sim_summarize(sim, k, &m);
    double values[CLI_SIM_COLUMNS] = {m.t, m.rho_t, m.dof, m.mean_psi, m.var_psi, m.se_var_psi,
                                      m.mean_rect_psi, m.var_rect_psi, m.se_var_rect_psi,
                                      m.var_model, var_exact, m.rho_eff, m.rho_eff_lo,
                                      m.rho_eff_hi};
    memcpy(row, values, sizeof values);
}

void cli_simulation_row(const radvar_sim *sim, size_t k, double row[CLI_SIM_COLUMNS])
{
    radvar_result v;
    radvar_sim_var_exact_e(sim, k, &v);
    cli_simulation_row_with(sim, k, v.val, row);
}

static void parameters(cli_table *t, const struct run *r, radvar_sim *sim, uint64_t done)
{
    const radvar_sim_config *c = &r->cfg;
    cli_table_param(t, "beta2", "%.17g", c->beta2);
    cli_table_param(t, "steps", "%.17g", r->steps);
    cli_table_param(t, "trials", "%.17g", r->trials);
    cli_table_param(t, "trials_completed", "%llu", (unsigned long long)done);
    cli_table_param(t, "interrupted", "%s", interrupted ? "yes" : "no");
    cli_table_param(t, "mu", "%.17g", c->mu);
    cli_table_param(t, "sigma", "%.17g", c->sigma);
    cli_table_param(t, "seed", "%llu", (unsigned long long)c->seed);
    cli_table_param(t, "threads", "%d", c->threads);
    if (cli_ranks() > 1)
        cli_table_param(t, "ranks", "%d", cli_ranks());
    cli_table_param(t, "average", "%s", r->average_text);
    if (c->average == RADVAR_AVERAGE_SMA) {
        if (c->window)
            cli_table_param(t, "window", "%llu", (unsigned long long)c->window);
        else
            cli_table_param(t, "window", "round(rho_t)");
    }
    cli_table_noise(t, &c->noise);
    double m = c->mu / c->sigma, nu = (1 + m * m) / (1 + 2 * m * m) * (1 + m * m);
    switch (c->noise.kind) {
    case RADVAR_NOISE_NORMAL:
        cli_table_param(t, "model", "psi^2 ~ Scale-inv-chi2(nu dof, 1/(mu^2 + sigma^2)), "
                        "nu = (1+m^2)^2/(1+2m^2), m = mu/sigma%s",
                        c->mu == 0 ? " (the paper's model)" : " (moment-matched to the gradients' squares)");
        cli_table_param(t, "model_nu", "%.17g", nu);
        break;
    case RADVAR_NOISE_AR1:
    case RADVAR_NOISE_DECAY:
        if (c->average == RADVAR_AVERAGE_SMA) {
            cli_table_param(t, "model", "none (the SMA under %s noise has no moment-matched model "
                            "here): var_model, rho_eff and the KS test are nan",
                            radvar_noise_name(c->noise.kind));
            break;
        }
        cli_table_param(t, "model", "psi^2 ~ Scale-inv-chi2(nu dof, 1/E[X]), nu = rho_mm(t) / "
                        "rho_moment(t) (radvar dof --noise), E[X] = E[1/psi_t^2]: moment-matched "
                        "to the noise model's 1/psi_t^2");
        cli_table_param(t, "model_nu", "rho_mm(t) / rho_moment(t), varies with t");
        break;
    default: {
        double kurt = radvar_noise_kurtosis(&c->noise);
        nu = isinf(kurt) ? 0.0 : 2.0 * (1.0 + m * m) / ((kurt - 1.0) + 4.0 * m * m) * (1.0 + m * m);
        cli_table_param(t, "model", "psi^2 ~ Scale-inv-chi2(nu dof, 1/(mu^2 + sigma^2)), "
                        "nu = 2 (1+m^2)^2/((kappa-1) + 4 m^2), kappa = %.17g the noise's "
                        "kurtosis, m = mu/sigma: moment-matched to the gradients' squares%s",
                        kurt, isinf(kurt) ? " (infinite kurtosis: nu = 0, no finite model)" : "");
        cli_table_param(t, "model_nu", "%.17g", nu);
        break;
    }
    }
    cli_table_param(t, "chunk_trials", "%llu", (unsigned long long)radvar_sim_chunk_trials(sim));
    cli_table_param(t, "generator", "%s", radvar_rng_generator_name(radvar_sim_generator(sim)));
    if (!r->exact)
        cli_table_param(t, "var_exact", "not computed (--exact no)");
    cli_table_param(t, "dispatch", "%s", radvar_dispatch_name());
}

static void write_main(const struct options *o, int argc, char **argv, struct run *r,
                       radvar_sim *sim, uint64_t done)
{
    cli_table *t = cli_table_open(o->output, r->fmt, argc, argv);
    parameters(t, r, sim, done);
    cli_table_begin(t, "main", CLI_SIM_COLUMNS, cli_simulation_columns);
    for (size_t k = 0; k < r->n_report; k++) {
        double row[CLI_SIM_COLUMNS];
        cli_simulation_row_with(sim, k, r->var_exact[k], row);
        cli_table_row(t, row);
    }
    cli_table_close(t);
}

static void write_ks(const struct options *o, int argc, char **argv, struct run *r,
                     radvar_sim *sim, uint64_t done)
{
    static const char *const cols[] = {"t", "dof", "n", "ks_distance", "p_value"};
    cli_table *t = cli_table_open_as("--ks-output", o->ks_output, r->fmt, argc, argv);
    parameters(t, r, sim, done);
    cli_table_param(t, "test", "Kolmogorov-Smirnov, psi_t^2 against the model");
    cli_table_begin(t, "main", 5, cols);
    for (size_t j = 0; j < r->n_ks; j++) {
        size_t k = 0;
        while (r->report[k] != r->ks[j])
            k++;
        double d, p;
        if (radvar_sim_ks_test(sim, j, &d, &p) == RADVAR_ENOMEM)
            cli_fail_status(1, "out of memory for the KS test of %llu samples", (unsigned long long)done);
        double row[5] = {(double)r->ks[j], radvar_sim_dof(sim, k), (double)done, d, p};
        cli_table_row(t, row);
    }
    cli_table_close(t);
}

static void notes(const struct options *o, const struct run *r, uint64_t done, double seconds)
{
    if (r->exact_failed != RADVAR_SUCCESS
        && !(r->cfg.noise.kind != RADVAR_NOISE_NORMAL && r->cfg.average == RADVAR_AVERAGE_SMA))
        fprintf(stderr, "radvar simulate: warning: var_exact could not be computed at t = %llu "
                        "(%s): nan there\n", (unsigned long long)r->report[r->exact_failed_at],
                radvar_strerror(r->exact_failed));
    if (r->exact_short)
        fprintf(stderr, "radvar simulate: warning: %zu exact variances short of the quadrature's "
                        "tolerance (the best found is printed)\n", r->exact_short);
    size_t missing = 0;
    for (size_t k = 0; k < r->n_report; k++)
        missing += !r->exact_set[k];
    if (missing)
        fprintf(stderr, "radvar simulate: interrupted: var_exact is nan in %zu of the %zu rows\n",
                missing, r->n_report);
    if (o->quiet)
        return;
    if (r->cfg.noise.kind != RADVAR_NOISE_NORMAL)
        fprintf(stderr, "radvar simulate: note: --noise: var_model, rho_eff and the KS test use the "
                        "scaled inverse chi-square moment-matched to the noise model (an "
                        "approximation); var_exact is exact%s\n",
                r->cfg.average == RADVAR_AVERAGE_SMA ? " for the EMA only (nan here)" : "");
    else if (r->cfg.mu != 0)
        fprintf(stderr, "radvar simulate: note: mu != 0: var_model, rho_eff and the KS test use the "
                        "model moment-matched to the gradients' squares (an approximation); "
                        "var_exact is exact\n");
    fprintf(stderr, "radvar simulate: seed %llu, %llu trials x %.17g steps in %.3g s\n",
            (unsigned long long)r->cfg.seed, (unsigned long long)done, r->steps, seconds);
}

int cmd_simulate(int argc, char **argv)
{
    struct options o;
    parse(argc, argv, &o);
    if (o.help) {
        fputs(help, stdout);
        return 0;
    }
    struct run r = {0};
    validate(&o, &r);
    choose_steps(&o, &r);

    r.cfg.report = r.report;
    r.cfg.n_report = r.n_report;
    r.cfg.ks = r.ks;
    r.cfg.n_ks = r.n_ks;
    radvar_sim *sim;
    int status = radvar_sim_alloc(&r.cfg, &sim);
    if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "cannot set up the simulation: %s",
                        radvar_strerror(status));
    double seconds;
    int run_status = run_trials(&o, &r, sim, &seconds);
    uint64_t done = radvar_sim_trials_done(sim);
    if (cli_rank() == 0) { /* the results are rank 0's to write */
        notes(&o, &r, done, seconds);
        write_main(&o, argc, argv, &r, sim, done);
        if (r.n_ks)
            write_ks(&o, argc, argv, &r, sim, done);
    }
    if (run_status != RADVAR_EINTR) /* else a worker still uses sim: the exit ends it */
        radvar_sim_free(sim);
    free(r.report);
    free(r.ks);
    free(r.var_exact);
    free(r.exact_set);
    return interrupted ? 130 : 0;
}
