/* cmd_sweep.c: radvar sweep -- simulations over a grid of parameter points,
 * with a checkpoint so that an interrupted sweep resumes where it stopped. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zlib.h>

#include "cli.h"
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
    "Output: one row per point and reported step, with the columns\n"
    "  point beta2 mu sigma steps trials seed, then those of radvar simulate.\n"
    "Every finished point goes to the checkpoint file at once (flushed to disk);\n"
    "run the same command again after an interruption and it resumes: finished\n"
    "points are read back, none is computed twice, none is lost.  The table is\n"
    "written when every point is done.  Under mpirun (bin/radvar-mpi) each\n"
    "point's trials are spread over the ranks, with the same numbers.\n"
    "\n"
    "  --t LIST          reported steps (each <= every point's steps; default: last)\n"
    "  --max-points K    compute at most K new points, then stop (exit 3)\n"
    "  --generator V     the Gaussian generator, 2 (default) or 1, as for simulate\n"
    "  --threads P, --average ema|sma, --format, --output   as for simulate\n"
    "Ctrl-C stops after the point in progress (exit 130); rerun to continue.\n";

enum { P_BETA2, P_MU, P_SIGMA, P_STEPS, P_TRIALS, P_SEED, P_FIELDS };
static const char *const field_names[P_FIELDS] = {"beta2", "mu", "sigma", "steps", "trials", "seed"};

static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* Read the grid: points[k][field]. */
static double (*read_grid(const char *path, size_t *count, uint64_t *hash))[P_FIELDS]
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        cli_fail("--grid: cannot open '%s'", path);
    char *line = NULL;
    size_t cap = 0, n = 0, alloc = 0, lineno = 0;
    int column_of[P_FIELDS], header = 0;
    double(*points)[P_FIELDS] = NULL;
    *hash = crc32(0L, Z_NULL, 0);
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        *hash = crc32(*hash, (const Bytef *)line, (uInt)strlen(line));
        if (line[0] == '#' || strspn(line, " \t\r\n,") == strlen(line))
            continue;
        char *fields[64];
        int nf = 0;
        for (char *tok = strtok(line, " \t,\r\n"); tok && nf < 64; tok = strtok(NULL, " \t,\r\n"))
            fields[nf++] = tok;
        if (!header) {
            for (int k = 0; k < P_FIELDS; k++) {
                column_of[k] = -1;
                for (int c = 0; c < nf; c++)
                    if (strcmp(fields[c], field_names[k]) == 0)
                        column_of[k] = c;
                if (column_of[k] < 0)
                    cli_fail("--grid: '%s' has no column '%s' in its header (needed: beta2 mu "
                             "sigma steps trials seed)", path, field_names[k]);
            }
            header = nf;
            continue;
        }
        if (nf != header)
            cli_fail("--grid: line %zu has %d fields; the header has %d", lineno, nf, header);
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 16;
            points = realloc(points, alloc * sizeof *points);
            if (points == NULL)
                cli_fail_status(1, "out of memory");
        }
        char opt[64];
        snprintf(opt, sizeof opt, "--grid line %zu beta2", lineno);
        points[n][P_BETA2] = cli_double(opt, fields[column_of[P_BETA2]]);
        cli_check_range(opt, fields[column_of[P_BETA2]], points[n][P_BETA2], 0, 0, 1, 1);
        snprintf(opt, sizeof opt, "--grid line %zu mu", lineno);
        points[n][P_MU] = cli_double(opt, fields[column_of[P_MU]]);
        snprintf(opt, sizeof opt, "--grid line %zu sigma", lineno);
        points[n][P_SIGMA] = cli_double(opt, fields[column_of[P_SIGMA]]);
        cli_check_range(opt, fields[column_of[P_SIGMA]], points[n][P_SIGMA], 0, 1, INFINITY, 1);
        snprintf(opt, sizeof opt, "--grid line %zu steps", lineno);
        points[n][P_STEPS] = cli_integer(opt, fields[column_of[P_STEPS]], 1, 1e9);
        snprintf(opt, sizeof opt, "--grid line %zu trials", lineno);
        points[n][P_TRIALS] = cli_integer(opt, fields[column_of[P_TRIALS]], 2, 9007199254740992.0);
        snprintf(opt, sizeof opt, "--grid line %zu seed", lineno);
        points[n][P_SEED] = cli_integer(opt, fields[column_of[P_SEED]], 0, 9007199254740992.0);
        n++;
    }
    free(line);
    fclose(f);
    if (n == 0)
        cli_fail("--grid: '%s' holds no points", path);
    *count = n;
    return points;
}

#define ROW_FIELDS (1 + P_FIELDS + CLI_SIM_COLUMNS)

struct done_point {
    size_t rows;
    double *values; /* rows x ROW_FIELDS */
};

/* Read the complete points of a checkpoint (a point counts once its "#done"
 * line is there); then rewrite it with those only, dropping a partial tail. */
static void load_checkpoint(const char *path, const char *grid_id, struct done_point *done,
                            size_t n_points)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return; /* a fresh sweep */
    char *line = NULL;
    size_t cap = 0, lineno = 0, pending_rows = 0, pending_cap = 0;
    double *pending = NULL;
    long pending_point = -1;
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        if (lineno == 2) {
            if (strncmp(line, "# grid: ", 8) != 0 || strncmp(line + 8, grid_id, strlen(grid_id)) != 0)
                cli_fail("--checkpoint: '%s' belongs to another grid or other options (delete it to "
                         "start over)", path);
            continue;
        }
        if (strncmp(line, "#done ", 6) == 0) {
            long k = strtol(line + 6, NULL, 10);
            if (k == pending_point && k >= 0 && (size_t)k < n_points && done[k].values == NULL) {
                done[k].rows = pending_rows;
                done[k].values = pending;
                pending = NULL;
                pending_cap = 0;
            }
            pending_rows = 0;
            pending_point = -1;
            continue;
        }
        if (line[0] == '#' || line[strlen(line) - 1] != '\n')
            continue; /* comments, and a line cut short by the interruption */
        double row[ROW_FIELDS];
        int nf = 0;
        for (char *tok = strtok(line, "\t\n"); tok && nf < ROW_FIELDS; tok = strtok(NULL, "\t\n"))
            row[nf++] = strtod(tok, NULL);
        if (nf != ROW_FIELDS)
            continue;
        if (pending_point != (long)row[0]) {
            pending_point = (long)row[0];
            pending_rows = 0;
        }
        if (pending_rows == pending_cap) {
            pending_cap = pending_cap ? 2 * pending_cap : 8;
            pending = realloc(pending, pending_cap * ROW_FIELDS * sizeof *pending);
            if (pending == NULL)
                cli_fail_status(1, "out of memory");
        }
        memcpy(pending + pending_rows * ROW_FIELDS, row, sizeof row);
        pending_rows++;
    }
    free(pending);
    free(line);
    fclose(f);
}

static void write_point(FILE *f, size_t k, const struct done_point *p)
{
    for (size_t r = 0; r < p->rows; r++) {
        const double *row = p->values + r * ROW_FIELDS;
        for (int c = 0; c < ROW_FIELDS; c++)
            fprintf(f, c ? "\t%.17g" : "%.17g", row[c]);
        fputc('\n', f);
    }
    fprintf(f, "#done %zu\n", k);
}

static FILE *open_checkpoint(const char *path, const char *grid_id, const struct done_point *done,
                             size_t n_points)
{
    /* rewrite with the finished points only (atomically), then append */
    size_t len = strlen(path) + 16;
    char *tmp = malloc(len);
    snprintf(tmp, len, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        cli_fail_status(1, "--checkpoint: cannot write '%s'", tmp);
    fprintf(f, "# radvar sweep checkpoint\n# grid: %s\n", grid_id);
    for (size_t k = 0; k < n_points; k++)
        if (done[k].values)
            write_point(f, k, &done[k]);
    if (fflush(f) != 0 || fsync(fileno(f)) != 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        cli_fail_status(1, "--checkpoint: cannot write '%s'", path);
    free(tmp);
    f = fopen(path, "a");
    if (f == NULL)
        cli_fail_status(1, "--checkpoint: cannot append to '%s'", path);
    return f;
}

int cmd_sweep(int argc, char **argv)
{
    const char *grid = NULL, *checkpoint = NULL, *t_text = NULL, *threads_text = "1",
               *average_text = "ema", *max_text = NULL, *format = "tsv", *output = NULL,
               *generator_text = NULL;
    int want_help = 0, quiet = 0;
    const cli_option opts[] = {
        {"grid", 1, &grid, NULL},           {"checkpoint", 1, &checkpoint, NULL},
        {"t", 1, &t_text, NULL},            {"threads", 1, &threads_text, NULL},
        {"average", 1, &average_text, NULL}, {"max-points", 1, &max_text, NULL},
        {"format", 1, &format, NULL},       {"output", 1, &output, NULL},
        {"quiet", 0, NULL, &quiet},         {"help", 0, NULL, &want_help},
        {"generator", 1, &generator_text, NULL},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    if (grid == NULL || checkpoint == NULL)
        cli_fail("--grid and --checkpoint are required (see 'radvar sweep --help')");
    cli_format fmt = cli_parse_format(format);
    int threads = (int)cli_integer("--threads", threads_text, 1, 1024);
    int sma = 0;
    if (strcmp(average_text, "sma") == 0)
        sma = 1;
    else if (strcmp(average_text, "ema") != 0)
        cli_fail("--average: '%s' is not an average (valid: ema, sma)", average_text);
    int generator = generator_text ? (int)cli_integer("--generator", generator_text, 1, 2) : RADVAR_RNG_DEFAULT;
    double max_points = max_text ? cli_integer("--max-points", max_text, 0, 1e15) : INFINITY;
    size_t n_points;
    uint64_t hash;
    double(*points)[P_FIELDS] = read_grid(grid, &n_points, &hash);
    size_t n_t = 0;
    uint64_t *ts = NULL;
    if (t_text) {
        cli_grid g = cli_step_grid("--t", t_text);
        n_t = g.n;
        ts = malloc(n_t * sizeof *ts);
        for (size_t i = 0; i < n_t; i++)
            ts[i] = (uint64_t)cli_grid_at(&g, i);
        cli_grid_free(&g);
        for (size_t k = 0; k < n_points; k++)
            for (size_t i = 0; i < n_t; i++)
                if ((double)ts[i] > points[k][P_STEPS])
                    cli_fail("--t: step %llu is beyond the steps (%.17g) of grid point %zu",
                             (unsigned long long)ts[i], points[k][P_STEPS], k);
    }
    hash = crc32(hash, (const Bytef *)(t_text ? t_text : ""), (uInt)(t_text ? strlen(t_text) : 0));
    hash = crc32(hash, (const Bytef *)average_text, (uInt)strlen(average_text));
    if (generator != RADVAR_RNG_V1) { /* generator 1's checkpoints (radvar 0.2) stay valid */
        char tag[32];
        snprintf(tag, sizeof tag, "generator %d", generator);
        hash = crc32(hash, (const Bytef *)tag, (uInt)strlen(tag));
    }
    char grid_id[32];
    snprintf(grid_id, sizeof grid_id, "%016llx", (unsigned long long)hash);

    struct done_point *done = calloc(n_points, sizeof *done);
    unsigned char *finished = calloc(n_points, 1);
    FILE *ckpt = NULL;
    if (cli_rank() == 0) {
        load_checkpoint(checkpoint, grid_id, done, n_points);
        ckpt = open_checkpoint(checkpoint, grid_id, done, n_points);
        for (size_t k = 0; k < n_points; k++)
            finished[k] = done[k].values != NULL;
    }
    cli_broadcast(finished, n_points);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    size_t computed = 0, complete = 0;
    for (size_t k = 0; k < n_points; k++) {
        if (finished[k]) {
            complete++;
            if (cli_rank() == 0 && !quiet)
                fprintf(stderr, "radvar sweep: point %zu of %zu: from the checkpoint\n", k + 1, n_points);
            continue;
        }
        if ((double)computed >= max_points || interrupted)
            break;
        uint64_t last = (uint64_t)points[k][P_STEPS], *report = n_t ? ts : &last;
        size_t n_report = n_t ? n_t : 1;
        radvar_sim_config cfg;
        radvar_sim_config_default(&cfg);
        cfg.beta2 = points[k][P_BETA2];
        cfg.steps = (uint64_t)points[k][P_STEPS];
        cfg.trials = (uint64_t)points[k][P_TRIALS];
        cfg.mu = points[k][P_MU];
        cfg.sigma = points[k][P_SIGMA];
        cfg.seed = (uint64_t)points[k][P_SEED];
        cfg.threads = threads;
        cfg.average = sma ? RADVAR_AVERAGE_SMA : RADVAR_AVERAGE_EMA;
        cfg.report = report;
        cfg.n_report = n_report;
        cfg.generator = generator;
        radvar_sim *sim;
        int status = radvar_sim_alloc(&cfg, &sim);
        if (status != RADVAR_SUCCESS)
            cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "grid point %zu: %s", k + 1,
                            radvar_strerror(status));
        volatile sig_atomic_t never = 0;
        cli_run_simulation(sim, n_report, 0, &never, NULL, NULL);
        if (cli_rank() == 0) {
            done[k].rows = n_report;
            done[k].values = malloc(n_report * ROW_FIELDS * sizeof(double));
            for (size_t i = 0; i < n_report; i++) {
                double *row = done[k].values + i * ROW_FIELDS;
                row[0] = (double)k;
                memcpy(row + 1, points[k], sizeof points[k]);
                cli_simulation_row(sim, i, row + 1 + P_FIELDS);
            }
            write_point(ckpt, k, &done[k]);
            if (fflush(ckpt) != 0 || fsync(fileno(ckpt)) != 0)
                cli_fail_status(1, "--checkpoint: cannot write '%s'", checkpoint);
            if (!quiet)
                fprintf(stderr, "radvar sweep: point %zu of %zu: computed (%d rank%s)\n", k + 1,
                        n_points, cli_ranks(), cli_ranks() == 1 ? "" : "s");
        }
        radvar_sim_free(sim);
        computed++;
        complete++;
    }
    int status = 0;
    if (cli_rank() == 0) {
        fclose(ckpt);
        if (complete == n_points) {
            cli_table *t = cli_table_open(output, fmt, argc, argv);
            cli_table_param(t, "grid", "%s", grid);
            cli_table_param(t, "points", "%zu", n_points);
            cli_table_param(t, "average", "%s", average_text);
            cli_table_param(t, "generator", "%s", radvar_rng_generator_name(generator));
            cli_table_param(t, "threads", "%d", threads);
            cli_table_param(t, "ranks", "%d", cli_ranks());
            const char *cols[ROW_FIELDS] = {"point"};
            for (int c = 0; c < P_FIELDS; c++)
                cols[1 + c] = field_names[c];
            for (int c = 0; c < CLI_SIM_COLUMNS; c++)
                cols[1 + P_FIELDS + c] = cli_simulation_columns[c];
            cli_table_begin(t, "main", ROW_FIELDS, cols);
            for (size_t k = 0; k < n_points; k++)
                for (size_t r = 0; r < done[k].rows; r++)
                    cli_table_row(t, done[k].values + r * ROW_FIELDS);
            cli_table_close(t);
        } else {
            fprintf(stderr, "radvar sweep: %zu of %zu points done (checkpoint '%s'); run the same "
                            "command again to continue\n", complete, n_points, checkpoint);
            status = interrupted ? 130 : 3;
        }
    } else if (complete != n_points) {
        status = interrupted ? 130 : 3;
    }
    for (size_t k = 0; k < n_points; k++)
        free(done[k].values);
    free(done);
    free(finished);
    free(points);
    free(ts);
    return status;
}
