/* cmd_sweep.c: radvar sweep -- simulations over a grid of parameter points,
 * with a checkpoint so that an interrupted sweep resumes where it stopped. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "checkpoint.h"
#include "cli.h"
#include "parse.h"
#include "parallel.h"
#include "radvar/rng.h"
#include "radvar/sim.h"

static const char help[] =
    "usage: radvar sweep --grid FILE --checkpoint FILE [--t LIST] [--threads P]\n"
    "                    [--average ema|sma] [--max-points K] [--format F] [--output FILE]\n"
    "\n"
    "Run `radvar simulate` at every point of a grid and write one table.  The grid\n"
    "file has a header naming the columns beta2 mu sigma steps trials seed (any\n"
    "order, tab, comma or space separated, '#' comments) and one point a line.\n"
    "An optional column noise gives each point's gradient noise, a SPEC as for\n"
    "simulate --noise with ';' between its parameters (mixture:p=0.1;k=3), since\n"
    "',' separates the grid's fields.\n"
    "Output: one row per point and reported step, with the columns\n"
    "  point beta2 mu sigma steps trials seed, then those of radvar simulate;\n"
    "with a noise column, a column noise after seed holds K, the number of the\n"
    "point's model in the header's lines noise_K (its canonical SPEC).\n"
    "Every finished point goes to the checkpoint file at once (flushed to disk);\n"
    "run the same command again after an interruption and it resumes: finished\n"
    "points are read back, none is computed twice, none is lost; a checkpoint that\n"
    "was changed or damaged is refused, naming the line.  One sweep at a time holds\n"
    "the checkpoint (a second is refused, exit 1).  The table is\n"
    "written when every point is done.  Under mpirun (bin/radvar-mpi) each\n"
    "point's trials are spread over the ranks, with the same numbers.\n"
    "\n"
    "  --t LIST          reported steps (each <= every point's steps; default: last)\n"
    "  --max-points K    compute at most K new points, then stop (exit 3)\n"
    "  --generator V     the Gaussian generator, 2 (default) or 1, as for simulate\n"
    "  --threads P, --average ema|sma, --format, --output   as for simulate\n"
    "Ctrl-C stops after the point in progress (exit 130); rerun to continue.\n";

static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static void check(int status, const char *msg)
{
    if (status != CLI_OK)
        cli_fail_status(status, "%s", msg);
}

static void *checked_calloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    if (p == NULL)
        cli_fail_status(1, "out of memory");
    return p;
}

static cli_sweep_grid read_grid(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        cli_fail("--grid: cannot open '%s': %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode))
        cli_fail("--grid: '%s' is a directory, not a grid file", path);
    cli_sweep_grid g;
    char msg[CLI_MSG_LEN];
    int status = cli_sweep_grid_read(f, path, &g, msg, sizeof msg);
    fclose(f);
    check(status, msg);
    return g;
}

static int compare_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* --t: the reported steps, increasing and without repeats. */
static uint64_t *read_steps(const char *text, const cli_sweep_grid *grid, size_t *count)
{
    cli_grid g = cli_step_grid("--t", text);
    uint64_t *ts = checked_calloc(g.n, sizeof *ts);
    for (size_t i = 0; i < g.n; i++)
        ts[i] = (uint64_t)cli_grid_at(&g, i);
    size_t n = g.n, m = 0;
    cli_grid_free(&g);
    qsort(ts, n, sizeof *ts, compare_u64);
    for (size_t i = 0; i < n; i++)
        if (m == 0 || ts[i] != ts[m - 1])
            ts[m++] = ts[i];
    for (size_t k = 0; k < grid->n; k++)
        if ((double)ts[m - 1] > grid->points[k][CLI_GRID_STEPS])
            cli_fail("--t: step %llu is beyond the steps (%.17g) of grid point %zu",
                     (unsigned long long)ts[m - 1], grid->points[k][CLI_GRID_STEPS], k);
    *count = m;
    return ts;
}

/* The sweep's identity: a CRC-32 of the grid's values, the reported steps,
 * the average, the generator and the columns of a row: whatever decides the
 * rows. */
static uint32_t sweep_id(const cli_sweep_grid *grid, const uint64_t *ts, size_t n_t,
                         const char *average, int generator)
{
    char buf[64];
    uLong h = crc32(0L, Z_NULL, 0);
#define ADD(...) (snprintf(buf, sizeof buf, __VA_ARGS__), h = crc32(h, (const Bytef *)buf, (uInt)strlen(buf)))
    for (size_t k = 0; k < grid->n; k++)
        for (int c = 0; c < CLI_GRID_FIELDS; c++) {
            /* the seed exactly (the same text as %.17g up to 2^53) */
            if (c == CLI_GRID_SEED)
                ADD("%llu ", (unsigned long long)grid->seeds[k]);
            else
                ADD("%.17g ", grid->points[k][c]);
        }
    ADD("| t");
    for (size_t i = 0; i < n_t; i++)
        ADD(" %llu", (unsigned long long)ts[i]);
    ADD("| %s | generator %d |", average, generator);
    for (int c = 0; c < CLI_SIM_COLUMNS; c++)
        ADD(" %s", cli_simulation_columns[c]);
#undef ADD
    if (grid->noise) { /* a grid without the column keeps its identity of before */
        char spec[256];
        h = crc32(h, (const Bytef *)"| noise", 7);
        for (size_t k = 0; k < grid->n; k++) {
            radvar_noise_format(&grid->noise[k], spec, sizeof spec);
            h = crc32(h, (const Bytef *)" ", 1);
            h = crc32(h, (const Bytef *)spec, (uInt)strlen(spec));
        }
    }
    return (uint32_t)h;
}

/* The options of a sweep, parsed and checked. */
typedef struct {
    const char *grid_path, *checkpoint, *average_text, *output;
    cli_format fmt;
    int threads, sma, generator, quiet;
    double max_points; /* INFINITY without --max-points */
} sweep_args;

/* Parse argv into a (t_text: --t, left for after the grid is read); returns
 * 1 when --help was printed. */
static int parse_args(int argc, char **argv, sweep_args *a, const char **t_text)
{
    const char *grid_path = NULL, *checkpoint = NULL, *threads_text = "1",
               *average_text = "ema", *max_text = NULL, *format = "tsv", *output = NULL,
               *generator_text = NULL;
    int want_help = 0, quiet = 0;
    *t_text = NULL;
    const cli_option opts[] = {
        {"grid", 1, &grid_path, NULL},      {"checkpoint", 1, &checkpoint, NULL},
        {"t", 1, t_text, NULL},             {"threads", 1, &threads_text, NULL},
        {"average", 1, &average_text, NULL}, {"max-points", 1, &max_text, NULL},
        {"format", 1, &format, NULL},       {"output", 1, &output, NULL},
        {"quiet", 0, NULL, &quiet},         {"help", 0, NULL, &want_help},
        {"generator", 1, &generator_text, NULL},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 1;
    }
    if (grid_path == NULL || checkpoint == NULL)
        cli_fail("--grid and --checkpoint are required (see 'radvar sweep --help')");
    *a = (sweep_args){.grid_path = grid_path, .checkpoint = checkpoint,
                      .average_text = average_text, .output = output, .quiet = quiet};
    a->fmt = cli_parse_format(format);
    a->threads = (int)cli_integer("--threads", threads_text, 1, 1024);
    if (strcmp(average_text, "sma") == 0)
        a->sma = 1;
    else if (strcmp(average_text, "ema") != 0)
        cli_fail("--average: '%s' is not an average (valid: ema, sma)", average_text);
    a->generator = generator_text ? (int)cli_integer("--generator", generator_text, 1, 2)
                                  : RADVAR_RNG_DEFAULT;
    a->max_points = max_text ? cli_integer("--max-points", max_text, 0, 1e15) : INFINITY;
    return 0;
}

/* Refuse a decay noise whose scale underflows within its point's steps,
 * before any point is computed (rather than at that point, hours later). */
static void check_decay_points(const cli_sweep_grid *grid)
{
    for (size_t k = 0; grid->noise && k < grid->n; k++)
        if (grid->noise[k].kind == RADVAR_NOISE_DECAY
            && !(2.0 * grid->noise[k].a * log1p(grid->points[k][CLI_GRID_STEPS] / grid->noise[k].tau)
                 <= 690.0))
            cli_fail("--grid: point %zu: its decay noise shrinks the gradient scale below 1e-150 by "
                     "step %.17g (need 2 a ln(1 + steps/tau) <= 690)", k + 1,
                     grid->points[k][CLI_GRID_STEPS]);
}

static void catch_sigint(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* The simulation of grid point k. */
static void point_config(const sweep_args *a, const cli_sweep_grid *grid, size_t k,
                         const uint64_t *report, size_t n_report, radvar_sim_config *cfg)
{
    const double *point = grid->points[k];
    radvar_sim_config_default(cfg);
    cfg->beta2 = point[CLI_GRID_BETA2];
    cfg->steps = (uint64_t)point[CLI_GRID_STEPS];
    cfg->trials = (uint64_t)point[CLI_GRID_TRIALS];
    cfg->mu = point[CLI_GRID_MU];
    cfg->sigma = point[CLI_GRID_SIGMA];
    cfg->seed = grid->seeds[k];
    cfg->threads = a->threads;
    cfg->average = a->sma ? RADVAR_AVERAGE_SMA : RADVAR_AVERAGE_EMA;
    cfg->report = report;
    cfg->n_report = n_report;
    cfg->generator = a->generator;
    if (grid->noise)
        cfg->noise = grid->noise[k];
}

/* Simulate grid point k (every rank takes part); rank 0 keeps its rows in
 * *done and appends them to the checkpoint at once. */
static void compute_point(const sweep_args *a, const cli_sweep_grid *grid, size_t k,
                          const uint64_t *ts, size_t n_t, cli_checkpoint *ckpt, cli_ck_point *done)
{
    const double *point = grid->points[k];
    const uint64_t last = (uint64_t)point[CLI_GRID_STEPS], *report = n_t ? ts : &last;
    size_t n_report = n_t ? n_t : 1;
    radvar_sim_config cfg;
    point_config(a, grid, k, report, n_report, &cfg);
    radvar_sim *sim;
    int status = radvar_sim_alloc(&cfg, &sim);
    if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "grid point %zu: %s", k + 1,
                        radvar_strerror(status));
    volatile sig_atomic_t never = 0;
    cli_run_simulation(sim, n_report, 0, &never, NULL, NULL);
    if (cli_rank() == 0) {
        done->rows = n_report;
        done->values = checked_calloc(n_report * CLI_CK_FIELDS, sizeof(double));
        for (size_t i = 0; i < n_report; i++) {
            double *row = done->values + i * CLI_CK_FIELDS;
            row[0] = (double)k;
            memcpy(row + 1, point, CLI_GRID_FIELDS * sizeof *point);
            cli_simulation_row(sim, i, row + 1 + CLI_GRID_FIELDS);
        }
        char msg[CLI_MSG_LEN];
        check(cli_checkpoint_append(ckpt, k, done, msg, sizeof msg), msg);
        if (!a->quiet)
            fprintf(stderr, "radvar sweep: point %zu of %zu: computed (%d rank%s)\n", k + 1,
                    grid->n, cli_ranks(), cli_ranks() == 1 ? "" : "s");
    }
    radvar_sim_free(sim);
}

/* Compute the points not finished, until --max-points or Ctrl-C; returns
 * the number of points complete (read back or computed). */
static size_t run_points(const sweep_args *a, const cli_sweep_grid *grid, const uint64_t *ts,
                         size_t n_t, const unsigned char *finished, cli_checkpoint *ckpt,
                         cli_ck_point *done)
{
    size_t computed = 0, complete = 0;
    for (size_t k = 0; k < grid->n; k++) {
        if (finished[k]) {
            complete++;
            if (cli_rank() == 0 && !a->quiet)
                fprintf(stderr, "radvar sweep: point %zu of %zu: from the checkpoint\n", k + 1,
                        grid->n);
            continue;
        }
        if ((double)computed >= a->max_points || interrupted)
            break;
        compute_point(a, grid, k, ts, n_t, ckpt, &done[k]);
        computed++;
        complete++;
    }
    return complete;
}

/* The noise models, numbered in order of first appearance: one header line
 * noise_K each; returns model_of[k], the number of point k's model. */
static size_t *number_noise_models(cli_table *t, const cli_sweep_grid *grid)
{
    size_t *model_of = checked_calloc(grid->n, sizeof *model_of), n_models = 0;
    for (size_t k = 0; k < grid->n; k++) {
        size_t m = 0;
        while (m < k && memcmp(&grid->noise[m], &grid->noise[k], sizeof grid->noise[k]) != 0)
            m++;
        if (m < k) {
            model_of[k] = model_of[m];
            continue;
        }
        model_of[k] = ++n_models;
        char key[32], text[256];
        snprintf(key, sizeof key, "noise_%zu", n_models);
        radvar_noise_format(&grid->noise[k], text, sizeof text);
        cli_table_param(t, key, "%s", text);
    }
    return model_of;
}

/* The table of every point's rows; a checkpoint row lacks the noise column,
 * which goes in after seed. */
static void write_table(const sweep_args *a, const cli_sweep_grid *grid, const cli_ck_point *done,
                        int argc, char **argv)
{
    cli_table *t = cli_table_open(a->output, a->fmt, argc, argv);
    cli_table_param(t, "grid", "%s", a->grid_path);
    cli_table_param(t, "points", "%zu", grid->n);
    cli_table_param(t, "average", "%s", a->average_text);
    cli_table_param(t, "generator", "%s", radvar_rng_generator_name(a->generator));
    cli_table_param(t, "threads", "%d", a->threads);
    cli_table_param(t, "ranks", "%d", cli_ranks());
    /* the seed column holds doubles: a seed above 2^53 is rounded there, so
     * its exact value goes in the header, one line seed_K for point K */
    for (size_t k = 0; k < grid->n; k++)
        if (grid->seeds[k] > (1ULL << 53)) {
            char key[48];
            snprintf(key, sizeof key, "seed_%zu", k);
            cli_table_param(t, key, "%llu", (unsigned long long)grid->seeds[k]);
        }
    size_t *model_of = grid->noise ? number_noise_models(t, grid) : NULL;
    const size_t extra = grid->noise ? 1 : 0, ncols = CLI_CK_FIELDS + extra;
    const char *cols[CLI_CK_FIELDS + 1] = {"point"};
    for (int c = 0; c < CLI_GRID_FIELDS; c++)
        cols[1 + c] = cli_grid_field_names[c];
    if (extra)
        cols[1 + CLI_GRID_FIELDS] = "noise";
    for (int c = 0; c < CLI_SIM_COLUMNS; c++)
        cols[1 + CLI_GRID_FIELDS + extra + c] = cli_simulation_columns[c];
    cli_table_begin(t, "main", ncols, cols);
    for (size_t k = 0; k < grid->n; k++)
        for (size_t r = 0; r < done[k].rows; r++) {
            const double *v = done[k].values + r * CLI_CK_FIELDS;
            double row[CLI_CK_FIELDS + 1];
            memcpy(row, v, (1 + CLI_GRID_FIELDS) * sizeof *row);
            if (extra)
                row[1 + CLI_GRID_FIELDS] = (double)model_of[k];
            memcpy(row + 1 + CLI_GRID_FIELDS + extra, v + 1 + CLI_GRID_FIELDS,
                   CLI_SIM_COLUMNS * sizeof *row);
            cli_table_row(t, row);
        }
    cli_table_close(t);
    free(model_of);
}

int cmd_sweep(int argc, char **argv)
{
    sweep_args a;
    const char *t_text;
    if (parse_args(argc, argv, &a, &t_text))
        return 0;
    cli_sweep_grid grid = read_grid(a.grid_path);
    size_t n_points = grid.n, n_t = 0;
    check_decay_points(&grid);
    uint64_t *ts = t_text ? read_steps(t_text, &grid, &n_t) : NULL;
    cli_ck_spec spec = {.grid = &grid, .report = ts, .n_report = n_t ? n_t : 1,
                        .id = sweep_id(&grid, ts, n_t, a.average_text, a.generator)};

    /* rank 0 reads the checkpoint and tells the others which points are done */
    cli_ck_point *done = checked_calloc(n_points, sizeof *done);
    unsigned char *finished = checked_calloc(n_points, 1);
    cli_checkpoint *ckpt = NULL;
    if (cli_rank() == 0) {
        char msg[CLI_MSG_LEN];
        check(cli_checkpoint_open(a.checkpoint, &spec, done, &ckpt, msg, sizeof msg), msg);
        for (size_t k = 0; k < n_points; k++)
            finished[k] = done[k].values != NULL;
    }
    cli_broadcast(finished, n_points);

    catch_sigint();
    size_t complete = run_points(&a, &grid, ts, n_t, finished, ckpt, done);
    int status = 0;
    if (cli_rank() == 0) {
        cli_checkpoint_close(ckpt);
        if (complete == n_points) {
            write_table(&a, &grid, done, argc, argv);
        } else {
            fprintf(stderr, "radvar sweep: %zu of %zu points done (checkpoint '%s'); run the same "
                            "command again to continue\n", complete, n_points, a.checkpoint);
            status = interrupted ? 130 : 3;
        }
    } else if (complete != n_points) {
        status = interrupted ? 130 : 3;
    }
    cli_ck_points_free(done, n_points);
    free(done);
    free(finished);
    cli_sweep_grid_free(&grid);
    free(ts);
    return status;
}
