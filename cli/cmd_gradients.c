/* cmd_gradients.c: radvar gradients -- the statistics of a gradient log (one
 * series per logged coordinate), the noise model that fits each best, and
 * the variance of psi_t that model predicts against the Gaussian one. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "parse.h"
#include "replay_reader.h"
#include "radvar/exact.h"
#include "radvar/gradstats.h"
#include "radvar/noise.h"

static const char help[] =
    "usage: radvar gradients [--input LOG] [--beta2 B] [--t LIST] [--every N]\n"
    "                        [--window W [--stride S]] [--summary-output FILE]\n"
    "                        [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "Read a gradient log in replay's format (a row of initial values, which is\n"
    "skipped, then one row per step of the logged coordinates' gradients; '#'\n"
    "lines and a header row of names are skipped), as `radvar train --log-grads`\n"
    "and python/radvar/gradlog.py write it, and print one row per coordinate:\n"
    "  coord n mean sd kurtosis lag1_autocorr skewness hill hill_k normality_k2\n"
    "  normality_p model nu p k phi a tau fit_sigma delta_bic\n"
    "  var_fit_tT var_gauss_tT (for each T of --t)\n"
    "coord: the column (0 for c0); sd with n - 1; kurtosis m4/m2^2 (3 for a\n"
    "Gaussian); lag1_autocorr sum (x_t - m)(x_t+1 - m) / sum (x_t - m)^2; hill:\n"
    "Hill's tail index of |x - mean| from its hill_k = max(10, n/20) largest\n"
    "values; normality: D'Agostino-Pearson K^2 and its p-value (n >= 20).\n"
    "model: the noise model with the smallest BIC among 0 normal, 1 student,\n"
    "2 laplace, 3 mixture, 4 ar1, 5 decay (radvar/noise.h), each fitted by\n"
    "maximum likelihood (radvar/gradstats.h); its parameters in nu (student),\n"
    "p k (mixture), phi (ar1), a tau (decay, tau in steps), nan where the model\n"
    "has none; fit_sigma its scale (the standard deviation, or for decay the\n"
    "scale at step 0); delta_bic = BIC(normal) - BIC(model), the evidence\n"
    "against Gaussian noise (above 10: very strong).\n"
    "var_fit_tT: the exact Var[psi_T] of Adam's EMA (beta2 = B) under the fitted\n"
    "model with its mean and scale; var_gauss_tT: the same for Gaussian noise of\n"
    "the coordinate's mean and standard deviation (radvar/exact.h).\n"
    "\n"
    "  --input LOG     the log (default: standard input)\n"
    "  --beta2 B       the EMA's decay for the predictions, 0 < B < 1 (default 0.999)\n"
    "  --t LIST        steps T >= 3 for the predictions (default 10,100,1000)\n"
    "  --every N       the log's rows are steps N, 2N, ... (train --log-every;\n"
    "                  default 1): the steps the decay model is fitted at\n"
    "  --window W      statistics over windows of W >= 10 steps instead (a column\n"
    "                  start after coord: the window's first step), so that drift\n"
    "                  over training shows; --stride S steps between windows\n"
    "                  (default W)\n"
    "  --summary-output FILE   a pooled table, one row per window (one row\n"
    "                  without --window): start coords constant n\n"
    "                  kurtosis_median kurtosis_q25 kurtosis_q75 skewness_median\n"
    "                  lag1_median lag1_q25 lag1_q75 hill_median\n"
    "                  normality_rejected (fraction with p < 0.01) n_normal\n"
    "                  n_student n_laplace n_mixture n_ar1 n_decay\n"
    "                  ratio_median_tT (median of var_fit_tT / var_gauss_tT);\n"
    "                  constant: coordinates whose gradient never changed (no\n"
    "                  statistics), left out of the medians\n"
    "  --format F      tsv (default), csv or json\n"
    "  --output FILE   write FILE atomically (default: standard output)\n"
    "A log with ragged rows, something that is not a finite number, or fewer\n"
    "than 2 steps is refused with the line number (exit 2).\n";

/* ---- the log ---- */

struct grad_log {
    size_t k, n, cap;
    double *g; /* n rows of k */
};

/* Read the log with replay's reader (the same format, one parser): the
 * initial row is checked and dropped, every gradient row kept.  Stops the
 * program (exit 2) with the line number on a bad log. */
static void read_log(FILE *in, struct grad_log *d)
{
    memset(d, 0, sizeof *d);
    cli_replay_reader *r = cli_replay_reader_new(in, RADVAR_FLOAT64);
    if (r == NULL)
        cli_fail_status(1, "out of memory");
    const double *vals;
    size_t k, lineno;
    char msg[CLI_MSG_LEN];
    int initial = 0, status;
    while ((status = cli_replay_reader_next(r, &vals, &k, &lineno, msg, sizeof msg)) == CLI_OK) {
        for (size_t i = 0; i < k; i++)
            if (!isfinite(vals[i]))
                cli_fail("--input: line %zu: value %zu is not finite", lineno, i + 1);
        if (!initial) {
            initial = 1;
            d->k = k;
            continue;
        }
        if (d->n == d->cap) {
            size_t new_cap = d->cap ? 2 * d->cap : 256;
            double *grown = realloc(d->g, new_cap * d->k * sizeof *grown);
            if (grown == NULL)
                cli_fail_status(1, "out of memory");
            d->g = grown;
            d->cap = new_cap;
        }
        memcpy(d->g + d->n * d->k, vals, d->k * sizeof *vals);
        d->n++;
    }
    cli_replay_reader_free(r);
    if (status != CLI_REPLAY_END)
        cli_fail_status(status == CLI_ESYS ? 1 : 2, "--input: %s", msg);
    if (d->n < 2)
        cli_fail("--input: the log holds %zu step%s after its initial row; at least 2 are needed",
                 d->n, d->n == 1 ? "" : "s");
}

/* ---- one row: a coordinate over steps [i0, i0 + w) ---- */

#define MAX_T 16
enum { C_N, C_MEAN, C_SD, C_KURT, C_LAG1, C_SKEW, C_HILL, C_HILLK, C_K2, C_P, C_MODEL, C_NU,
       C_P_MIX, C_K_MIX, C_PHI, C_A, C_TAU, C_SIGMA, C_DBIC, C_FIXED };

struct settings {
    double beta2, every;
    size_t nt;
    double t[MAX_T];
};

static void analyse(const struct grad_log *d, size_t coord, size_t i0, size_t w,
                    const struct settings *s, double *x, double *steps, double *row)
{
    for (size_t i = 0; i < w; i++) {
        x[i] = d->g[(i0 + i) * d->k + coord];
        steps[i] = (double)(i0 + i + 1) * s->every;
    }
    radvar_gradstats st;
    radvar_gradstats_describe(x, w, &st);
    radvar_gradstats_fits f;
    int status = radvar_gradstats_fit_all(x, steps, w, &f);
    if (status == RADVAR_ENOMEM)
        cli_fail_status(1, "out of memory");
    const radvar_gradstats_fit *b = &f.model[f.best];
    int ok = status == RADVAR_SUCCESS || status == RADVAR_EMAXITER;
    const radvar_noise *m = &b->model;
    row[C_N] = st.n;
    row[C_MEAN] = st.mean;
    row[C_SD] = st.sd;
    row[C_KURT] = st.kurtosis;
    row[C_LAG1] = st.lag1;
    row[C_SKEW] = st.skewness;
    row[C_HILL] = st.hill;
    row[C_HILLK] = st.hill_k;
    row[C_K2] = st.normality_k2;
    row[C_P] = st.normality_p;
    row[C_MODEL] = ok ? (double)f.best : NAN;
    row[C_NU] = ok && m->kind == RADVAR_NOISE_STUDENT ? m->nu : NAN;
    row[C_P_MIX] = ok && m->kind == RADVAR_NOISE_MIXTURE ? m->p : NAN;
    row[C_K_MIX] = ok && m->kind == RADVAR_NOISE_MIXTURE ? m->k : NAN;
    row[C_PHI] = ok && m->kind == RADVAR_NOISE_AR1 ? m->phi : NAN;
    row[C_A] = ok && m->kind == RADVAR_NOISE_DECAY ? m->a : NAN;
    row[C_TAU] = ok && m->kind == RADVAR_NOISE_DECAY ? m->tau : NAN;
    row[C_SIGMA] = ok ? b->sigma : NAN;
    row[C_DBIC] = ok ? f.delta_bic : NAN;
    const radvar_gradstats_fit *gauss = &f.model[RADVAR_NOISE_NORMAL];
    for (size_t j = 0; j < s->nt; j++) {
        double *out = row + C_FIXED + 2 * j;
        out[0] = out[1] = NAN;
        if (!ok)
            continue;
        radvar_exact_moments em;
        int e1 = radvar_exact_moments_ema_noise(s->beta2, s->t[j], b->mu, b->sigma, m, &em);
        if (e1 == RADVAR_SUCCESS || e1 == RADVAR_EMAXITER)
            out[0] = em.var_psi;
        int e2 = radvar_exact_moments_ema(s->beta2, s->t[j], gauss->mu, gauss->sigma, &em);
        if (e2 == RADVAR_SUCCESS || e2 == RADVAR_EMAXITER)
            out[1] = em.var_psi;
    }
}

/* ---- the pooled summary ---- */

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* the q-quantile (linear between order statistics) of the finite values of
 * v[0..n) taken with stride; NaN when there are none */
static double quantile(const double *v, size_t n, size_t stride, double q, double *work)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(v[i * stride]))
            work[m++] = v[i * stride];
    if (m == 0)
        return NAN;
    qsort(work, m, sizeof *work, by_value);
    double h = q * (double)(m - 1);
    size_t lo = (size_t)floor(h);
    return lo + 1 < m ? work[lo] + (h - (double)lo) * (work[lo + 1] - work[lo]) : work[lo];
}

#define S_FIXED 18

static void summary_row(const double *rows, size_t nrows, size_t width, size_t base,
                        const struct settings *s, double start, double *out, double *work)
{
    const double *r = rows + base; /* the per-coordinate columns begin at base */
    size_t constant = 0, rejected = 0, tested = 0, count[RADVAR_GRADSTATS_MODELS] = {0};
    for (size_t i = 0; i < nrows; i++) {
        const double *x = r + i * width;
        if (!isfinite(x[C_KURT]))
            constant++;
        if (isfinite(x[C_P])) {
            tested++;
            rejected += x[C_P] < 0.01;
        }
        if (isfinite(x[C_MODEL]))
            count[(int)x[C_MODEL]]++;
    }
    out[0] = start;
    out[1] = (double)nrows;
    out[2] = (double)constant;
    out[3] = nrows ? r[C_N] : NAN;
    out[4] = quantile(r + C_KURT, nrows, width, 0.5, work);
    out[5] = quantile(r + C_KURT, nrows, width, 0.25, work);
    out[6] = quantile(r + C_KURT, nrows, width, 0.75, work);
    out[7] = quantile(r + C_SKEW, nrows, width, 0.5, work);
    out[8] = quantile(r + C_LAG1, nrows, width, 0.5, work);
    out[9] = quantile(r + C_LAG1, nrows, width, 0.25, work);
    out[10] = quantile(r + C_LAG1, nrows, width, 0.75, work);
    out[11] = quantile(r + C_HILL, nrows, width, 0.5, work);
    out[12] = tested ? (double)rejected / (double)tested : NAN;
    for (int k = 0; k < RADVAR_GRADSTATS_MODELS; k++)
        out[13 + k] = (double)count[k];
    double *ratio = malloc((nrows ? nrows : 1) * sizeof *ratio);
    if (ratio == NULL)
        cli_fail_status(1, "out of memory");
    for (size_t j = 0; j < s->nt; j++) {
        for (size_t i = 0; i < nrows; i++) {
            const double *x = r + i * width + C_FIXED + 2 * j;
            ratio[i] = x[0] / x[1];
        }
        out[S_FIXED + 1 + j] = quantile(ratio, nrows, 1, 0.5, work);
    }
    free(ratio);
}

/* ---- the command ---- */

static const char *const fixed_cols[C_FIXED] = {
    "n", "mean", "sd", "kurtosis", "lag1_autocorr", "skewness", "hill", "hill_k", "normality_k2",
    "normality_p", "model", "nu", "p", "k", "phi", "a", "tau", "fit_sigma", "delta_bic"};
static const char *const summary_cols[S_FIXED + 1] = {
    "start", "coords", "constant", "n", "kurtosis_median", "kurtosis_q25", "kurtosis_q75",
    "skewness_median", "lag1_median", "lag1_q25", "lag1_q75", "hill_median", "normality_rejected",
    "n_normal", "n_student", "n_laplace", "n_mixture", "n_ar1", "n_decay"};

static void params(cli_table *t, const struct settings *s, const struct grad_log *d, size_t w,
                   size_t stride, int windowed)
{
    cli_table_param(t, "coords", "%zu", d->k);
    cli_table_param(t, "steps", "%zu (rows after the initial row), every %.17g", d->n, s->every);
    if (windowed)
        cli_table_param(t, "window", "%zu steps, stride %zu", w, stride);
    cli_table_param(t, "beta2", "%.17g", s->beta2);
    cli_table_param(t, "models", "0 normal, 1 student, 2 laplace, 3 mixture, 4 ar1, 5 decay; "
                    "fitted by maximum likelihood, chosen by BIC");
}

int cmd_gradients(int argc, char **argv)
{
    const char *input = NULL, *beta2_text = "0.999", *t_text = "10,100,1000", *every_text = "1",
               *window_text = NULL, *stride_text = NULL, *summary_output = NULL, *format = "tsv",
               *output = NULL;
    int want_help = 0;
    const cli_option opts[] = {
        {"input", 1, &input, NULL},         {"beta2", 1, &beta2_text, NULL},
        {"t", 1, &t_text, NULL},            {"every", 1, &every_text, NULL},
        {"window", 1, &window_text, NULL},  {"stride", 1, &stride_text, NULL},
        {"summary-output", 1, &summary_output, NULL},
        {"format", 1, &format, NULL},       {"output", 1, &output, NULL},
        {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    struct settings s = {0};
    s.beta2 = cli_double("--beta2", beta2_text);
    cli_check_range("--beta2", beta2_text, s.beta2, 0, 1, 1, 1);
    s.every = cli_integer("--every", every_text, 1, 1e12);
    cli_grid tg = cli_step_grid("--t", t_text);
    if (tg.n > MAX_T)
        cli_fail("--t: %zu steps given; at most %d are allowed", tg.n, MAX_T);
    s.nt = tg.n;
    for (size_t j = 0; j < tg.n; j++) {
        s.t[j] = cli_grid_at(&tg, j);
        if (s.t[j] < 3)
            cli_fail("--t: %.17g is out of range: must be >= 3 (Var[psi_t] needs 3 steps)", s.t[j]);
    }
    cli_grid_free(&tg);
    if (stride_text && !window_text)
        cli_fail("--stride needs --window");
    cli_format fmt = cli_parse_format(format);
    cli_output_check("--output", output);
    cli_output_check("--summary-output", summary_output);

    FILE *in = stdin;
    if (input && strcmp(input, "-") != 0 && (in = fopen(input, "r")) == NULL)
        cli_fail("--input: cannot open '%s'", input);
    struct grad_log d;
    read_log(in, &d);
    if (in != stdin)
        fclose(in);

    int windowed = window_text != NULL;
    size_t w = d.n, stride = d.n;
    if (windowed) {
        w = (size_t)cli_integer("--window", window_text, RADVAR_GRADSTATS_FIT_NMIN, 1e12);
        stride = stride_text ? (size_t)cli_integer("--stride", stride_text, 1, 1e12) : w;
        if (w > d.n)
            cli_fail("--window: %zu is out of range: the log holds %zu steps", w, d.n);
    }
    size_t windows = windowed ? (d.n - w) / stride + 1 : 1;
    size_t base = windowed ? 2 : 1, width = base + C_FIXED + 2 * s.nt;
    size_t nrows = windows * d.k;
    double *rows = malloc(nrows * width * sizeof *rows), *x = malloc(w * sizeof *x),
           *steps = malloc(w * sizeof *steps), *work = malloc((nrows + 1) * sizeof *work);
    const char **cols = malloc(width * sizeof *cols);
    char (*tnames)[48] = malloc(2 * MAX_T * sizeof *tnames);
    if (!rows || !x || !steps || !work || !cols || !tnames)
        cli_fail_status(1, "out of memory");
    size_t c = 0;
    cols[c++] = "coord";
    if (windowed)
        cols[c++] = "start";
    for (size_t j = 0; j < C_FIXED; j++)
        cols[c++] = fixed_cols[j];
    for (size_t j = 0; j < s.nt; j++) {
        snprintf(tnames[2 * j], 48, "var_fit_t%.17g", s.t[j]);
        snprintf(tnames[2 * j + 1], 48, "var_gauss_t%.17g", s.t[j]);
        cols[c++] = tnames[2 * j];
        cols[c++] = tnames[2 * j + 1];
    }

    cli_table *t = cli_table_open(output, fmt, argc, argv);
    params(t, &s, &d, w, stride, windowed);
    cli_table_begin(t, "main", width, cols);
    /* rows: coordinate by coordinate, windows in order */
    for (size_t coord = 0; coord < d.k; coord++)
        for (size_t wi = 0; wi < windows; wi++) {
            double *row = rows + (wi * d.k + coord) * width;
            row[0] = (double)coord;
            if (windowed)
                row[1] = (double)(wi * stride + 1) * s.every;
            analyse(&d, coord, wi * stride, w, &s, x, steps, row + base);
        }
    for (size_t coord = 0; coord < d.k; coord++)
        for (size_t wi = 0; wi < windows; wi++)
            cli_table_row(t, rows + (wi * d.k + coord) * width);
    if (summary_output) {
        cli_table *st = cli_table_open_as("--summary-output", summary_output, fmt, argc, argv);
        params(st, &s, &d, w, stride, windowed);
        const char *scols[S_FIXED + 1 + MAX_T];
        char (*rnames)[48] = malloc(MAX_T * sizeof *rnames);
        if (rnames == NULL)
            cli_fail_status(1, "out of memory");
        for (size_t j = 0; j < S_FIXED + 1; j++)
            scols[j] = summary_cols[j];
        for (size_t j = 0; j < s.nt; j++) {
            snprintf(rnames[j], 48, "ratio_median_t%.17g", s.t[j]);
            scols[S_FIXED + 1 + j] = rnames[j];
        }
        cli_table_begin(st, "main", S_FIXED + 1 + s.nt, scols);
        double out[S_FIXED + 1 + MAX_T];
        for (size_t wi = 0; wi < windows; wi++) {
            summary_row(rows + wi * d.k * width, d.k, width, base, &s,
                        (double)(wi * stride + 1) * s.every, out, work);
            cli_table_row(st, out);
        }
        cli_table_close(st);
        free(rnames);
    }
    cli_table_close(t);
    free(rows);
    free(x);
    free(steps);
    free(work);
    free(cols);
    free(tnames);
    free(d.g);
    return 0;
}
