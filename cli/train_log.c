/* train_log.c: the gradient logs of `radvar train` (train_log.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radvar/gradstats.h"
#include "train_log.h"

#define COORDS_PER_LINE 8

struct train_log {
    train_log_options o;
    size_t *layer, *index; /* the coordinates */
    size_t *offset;        /* where each coordinate sits in the flat vector */
    cli_table *grads, *params, *hist;
    double *row;
    int started;           /* the initial row is written */
    uint64_t counts_g[RADVAR_LOG2_BINS], counts_u[RADVAR_LOG2_BINS];
};

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        cli_fail_status(1, "out of memory");
    return p;
}

/* the provenance lines every K-coordinate log carries */
static void coordinate_params(cli_table *t, const train_log *log, const char *const *names,
                              const size_t *sizes, size_t layers)
{
    char buf[512];
    size_t len = 0;
    for (size_t l = 0; l < layers; l++)
        len += (size_t)snprintf(buf + len, len < sizeof buf ? sizeof buf - len : 0, "%s%s %zu",
                                l ? ", " : "", names[l], sizes[l]);
    cli_table_param(t, "layers", "%s", buf);
    cli_table_param(t, "coords", "%zu", log->o.coords);
    cli_table_param(t, "coord_seed", "%llu", (unsigned long long)log->o.coord_seed);
    cli_table_param(t, "every", "%zu%s", log->o.every,
                    log->o.every == 1 ? "" : " (rows are steps every, 2 every, ...: not replayable)");
    for (size_t first = 0; first < log->o.coords; first += COORDS_PER_LINE) {
        size_t last = first + COORDS_PER_LINE < log->o.coords ? first + COORDS_PER_LINE : log->o.coords;
        char key[64];
        snprintf(key, sizeof key, "coords c%zu-c%zu", first, last - 1);
        len = 0;
        buf[0] = '\0';
        for (size_t k = first; k < last; k++)
            len += (size_t)snprintf(buf + len, len < sizeof buf ? sizeof buf - len : 0, "%s%s:%zu",
                                    k > first ? " " : "", names[log->layer[k]], log->index[k]);
        cli_table_param(t, key, "%s", buf);
    }
}

static void begin_columns(cli_table *t, size_t k, int with_step)
{
    const char **cols = xmalloc((k + 1) * sizeof *cols);
    char *names = xmalloc((k + 1) * 24);
    size_t c = 0;
    if (with_step)
        cols[c++] = "step";
    for (size_t i = 0; i < k; i++, c++) {
        snprintf(names + 24 * i, 24, "c%zu", i);
        cols[c] = names + 24 * i;
    }
    cli_table_begin(t, "main", c, cols);
    free(cols);
    free(names);
}

train_log *train_log_open(const train_log_options *o, const char *const *layer_names,
                          const size_t *layer_sizes, size_t layers, cli_format fmt, int argc,
                          char **argv)
{
    if (!o->grads_path && !o->params_path && !o->hist_path)
        return NULL;
    train_log *log = calloc(1, sizeof *log);
    if (log == NULL)
        cli_fail_status(1, "out of memory");
    log->o = *o;
    size_t total = 0;
    for (size_t l = 0; l < layers; l++)
        total += layer_sizes[l];
    if (o->grads_path || o->params_path) {
        if (o->coords > total)
            cli_fail("--log-coords: %zu is out of range: the model has %zu parameters", o->coords, total);
        log->layer = xmalloc(o->coords * sizeof *log->layer);
        log->index = xmalloc(o->coords * sizeof *log->index);
        log->offset = xmalloc(o->coords * sizeof *log->offset);
        log->row = xmalloc((o->coords + 1) * sizeof *log->row);
        int status = radvar_gradstats_choose_coords(o->coord_seed, layer_sizes, layers, o->coords,
                                                    log->layer, log->index);
        if (status != RADVAR_SUCCESS)
            cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "--log-coords: cannot choose %zu coordinates: %s",
                            o->coords, radvar_strerror(status));
        for (size_t k = 0; k < o->coords; k++) {
            size_t off = 0;
            for (size_t l = 0; l < log->layer[k]; l++)
                off += layer_sizes[l];
            log->offset[k] = off + log->index[k];
        }
    }
    if (o->grads_path) {
        log->grads = cli_table_open_as("--log-grads", o->grads_path, fmt, argc, argv);
        coordinate_params(log->grads, log, layer_names, layer_sizes, layers);
        begin_columns(log->grads, o->coords, 0);
    }
    if (o->params_path) {
        log->params = cli_table_open_as("--log-params", o->params_path, fmt, argc, argv);
        coordinate_params(log->params, log, layer_names, layer_sizes, layers);
        begin_columns(log->params, o->coords, 1);
    }
    if (o->hist_path) {
        static const char *const cols[] = {"step", "bin", "grad_count", "update_count"};
        log->hist = cli_table_open_as("--grad-hist", o->hist_path, fmt, argc, argv);
        cli_table_param(log->hist, "parameters", "%zu", total);
        cli_table_param(log->hist, "hist_every", "%zu (steps 1, N+1, 2N+1, ...)", o->hist_every);
        cli_table_param(log->hist, "bins", "floor(log2 |x|) from %d to %d (float32's range, exact); "
                        "bin %d: exact zeros (a regular grid of bins for gnuplot's heat maps)", RADVAR_LOG2_BIN_MIN,
                        RADVAR_LOG2_BIN_MAX, RADVAR_LOG2_BIN_MIN - 1);
        cli_table_begin(log->hist, "main", 4, cols);
    }
    return log;
}

static void coordinate_row(train_log *log, cli_table *t, const float *x, double step, int with_step)
{
    size_t c = 0;
    if (with_step)
        log->row[c++] = step;
    for (size_t k = 0; k < log->o.coords; k++)
        log->row[c++] = (double)x[log->offset[k]];
    cli_table_row(t, log->row);
}

int train_log_step(train_log *log, const radvar_train_step *s)
{
    if (log == NULL)
        return 0;
    if (!log->started) {
        /* the initial values: the parameters before the first step */
        if (log->grads)
            coordinate_row(log, log->grads, s->params_before, 0, 0);
        if (log->params)
            coordinate_row(log, log->params, s->params_before, 0, 1);
        log->started = 1;
    }
    if (s->step % log->o.every == 0) {
        if (log->grads)
            coordinate_row(log, log->grads, s->grad, 0, 0);
        if (log->params)
            coordinate_row(log, log->params, s->params_after, (double)s->step, 1);
    }
    if (log->hist && (s->step - 1) % log->o.hist_every == 0) {
        uint64_t zg = 0, zu = 0;
        memset(log->counts_g, 0, sizeof log->counts_g);
        memset(log->counts_u, 0, sizeof log->counts_u);
        radvar_gradstats_log2_hist_f32(s->grad, s->n, log->counts_g, &zg, NULL);
        radvar_gradstats_log2_hist_diff_f32(s->params_before, s->params_after, s->n, log->counts_u,
                                            &zu, NULL);
        double row[4] = {(double)s->step, RADVAR_LOG2_BIN_MIN - 1, (double)zg, (double)zu};
        cli_table_row(log->hist, row);
        for (int b = 0; b < RADVAR_LOG2_BINS; b++) {
            row[1] = (double)(b + RADVAR_LOG2_BIN_MIN);
            row[2] = (double)log->counts_g[b];
            row[3] = (double)log->counts_u[b];
            cli_table_row(log->hist, row);
        }
    }
    return 0;
}

void train_log_close(train_log *log)
{
    if (log == NULL)
        return;
    if (log->grads)
        cli_table_close(log->grads);
    if (log->params)
        cli_table_close(log->params);
    if (log->hist)
        cli_table_close(log->hist);
    free(log->layer);
    free(log->index);
    free(log->offset);
    free(log->row);
    free(log);
}
