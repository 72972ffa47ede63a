/* cmd_train.c: radvar train -- a classifier on (Fashion-)MNIST, trained by the
 * reference optimizer: the paper's experiments on real data.  The loop itself
 * is experiments/train.c; this file parses, loads and formats. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "idx.h"
#include "train.h"
#include "train_log.h"

static const char help_head[] =
    "usage: radvar train --data DIR --method M [--preset P] --lr X --epochs E\n"
    "                    --batch B --seed K [options]\n"
    "\n"
    "Train a 784-H-10 perceptron (ReLU, softmax cross-entropy, H = 256) on the IDX\n"
    "files in DIR (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n"
    "t10k-...; Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist)\n"
    "with the reference optimizer, and print one row per epoch:\n"
    "  epoch step train_loss test_loss test_accuracy\n"
    "(train_loss: mean minibatch loss over the epoch).  The same seed gives the\n"
    "same numbers on the same machine (initialisation and shuffling are\n"
    "counter-based; the BLAS may round differently on another processor).  A run\n"
    "whose loss or gradient stops being finite is stopped: its later epochs repeat\n"
    "the last finite parameters, and '# diverged_at_step' says when.\n"
    "\n"
    "  --data DIR --lr X --epochs E --batch B --seed K   (lr >= 0; E, B >= 1)\n"
    "  --model mlp        the model (the only one)\n"
    "  --train-size N --test-size N   use the first N examples (default all)\n"
    "  --hidden H         hidden units (default 256)\n"
    "  --init-seed S      initialise from S instead of --seed (the data order\n"
    "                     still follows --seed: runs that differ only in their\n"
    "                     minibatches)\n"
    "  --log-every N --steps-output FILE   the minibatch loss every N steps, as a\n"
    "                     table 'step train_loss' in FILE\n"
    "gradient logs (see 'radvar gradients'):\n"
    "  --log-grads FILE   K coordinates' gradients, columns c0..c(K-1): a row of\n"
    "                     their initial values, then a row per step (every N\n"
    "                     steps with --log-every N; with N = 1, the default,\n"
    "                     `radvar replay` with this run's optimizer options and\n"
    "                     --dtype float32 gives back --log-params bit for bit)\n"
    "  --log-params FILE  their values: step 0, then after each logged step\n"
    "  --log-coords K     how many coordinates (default 16, at most 256): round-\n"
    "                     robin over W1 b1 W2 b2, uniform within each, named in\n"
    "                     '#' lines as LAYER:INDEX (flat, row-major)\n"
    "  --coord-seed S     the seed that chooses them (default: --seed), so that\n"
    "                     runs with different seeds log the same coordinates\n"
    "  --grad-hist FILE   histograms of log2|g| and of log2|update| over all\n"
    "                     parameters, columns step bin grad_count update_count,\n"
    "                     bins floor(log2|x|) = -149..127, and -150 for exact zeros\n"
    "  --hist-every N     at steps 1, N+1, 2N+1, ... (default 100)\n"
    "  --format F --output FILE       as for the other subcommands\n"
    "optimizer:\n";

static void load(const char *dir, const char *prefix, size_t max, radvar_idx_data *data)
{
    char images[4096], labels[4096], why[512];
    snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
    int status = radvar_idx_load(images, labels, max, data, why, sizeof why);
    if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "--data: %s", why);
}

/* the per-step loss, every N steps */
struct step_log {
    size_t every, n, cap;
    double *rows; /* step, loss pairs */
};

static int log_step(void *arg, const radvar_train_step *s)
{
    struct step_log *log = arg;
    if (log->every == 0 || s->step % log->every != 0)
        return 0;
    if (log->n == log->cap) {
        size_t cap = log->cap ? 2 * log->cap : 256;
        double *grown = realloc(log->rows, cap * 2 * sizeof *grown);
        if (grown == NULL)
            cli_fail_status(1, "out of memory");
        log->rows = grown;
        log->cap = cap;
    }
    log->rows[2 * log->n] = (double)s->step;
    log->rows[2 * log->n + 1] = s->loss;
    log->n++;
    return 0;
}

/* the hook: the loss table and the gradient logs */
struct hooks {
    struct step_log *steps;
    train_log *logs;
};

static int on_step(void *arg, const radvar_train_step *s)
{
    struct hooks *h = arg;
    if (h->steps->every)
        log_step(h->steps, s);
    return train_log_step(h->logs, s);
}

static void write_steps(const char *path, cli_format fmt, int argc, char **argv,
                        const struct step_log *log)
{
    static const char *const cols[] = {"step", "train_loss"};
    cli_table *t = cli_table_open_as("--steps-output", path, fmt, argc, argv);
    cli_table_param(t, "every", "%zu", log->every);
    cli_table_begin(t, "main", 2, cols);
    for (size_t i = 0; i < log->n; i++)
        cli_table_row(t, log->rows + 2 * i);
    cli_table_close(t);
}

static void write_epochs(const char *path, cli_format fmt, int argc, char **argv,
                         const radvar_optim_config *cfg, const radvar_train_config *tc,
                         const radvar_idx_data *train, const radvar_idx_data *test,
                         const radvar_train_result *res)
{
    static const char *const cols[] = {"epoch", "step", "train_loss", "test_loss", "test_accuracy"};
    cli_table *t = cli_table_open(path, fmt, argc, argv);
    cli_table_param(t, "model", "mlp %zu-%zu-10, %zu parameters", train->rows * train->cols,
                    tc->hidden, res->parameters);
    cli_optim_params(t, cfg);
    cli_table_param(t, "batch", "%zu", tc->batch);
    cli_table_param(t, "seed", "%llu", (unsigned long long)tc->seed);
    if (tc->fixed_init)
        cli_table_param(t, "init_seed", "%llu", (unsigned long long)tc->init_seed);
    cli_table_param(t, "train_examples", "%zu", train->count);
    cli_table_param(t, "test_examples", "%zu", test->count);
    if (res->diverged_at)
        cli_table_param(t, "diverged_at_step", "%llu", (unsigned long long)res->diverged_at);
    cli_table_begin(t, "main", 5, cols);
    for (size_t e = 0; e < tc->epochs; e++) {
        const radvar_train_epoch *ep = &res->epochs[e];
        double row[5] = {ep->epoch, ep->step, ep->train_loss, ep->test_loss, ep->test_accuracy};
        cli_table_row(t, row);
    }
    cli_table_close(t);
}

/* The option texts of train, as given. */
struct train_opts {
    cli_optim_args oa;
    const char *data_dir, *model, *epochs, *batch, *seed, *train_size, *test_size, *hidden,
        *log_every, *steps_output, *format, *output, *log_grads, *log_params, *log_coords,
        *coord_seed, *grad_hist, *hist_every, *init_seed;
};

/* Parse argv into o; returns 1 when --help was printed. */
static int read_options(int argc, char **argv, struct train_opts *o)
{
    *o = (struct train_opts){.model = "mlp", .hidden = "256", .format = "tsv",
                             .log_coords = "16", .hist_every = "100"};
    int want_help = 0;
    const cli_option opts[] = {
        CLI_OPTIM_OPTIONS(o->oa),
        {"data", 1, &o->data_dir, NULL},          {"model", 1, &o->model, NULL},
        {"epochs", 1, &o->epochs, NULL},          {"batch", 1, &o->batch, NULL},
        {"seed", 1, &o->seed, NULL},              {"train-size", 1, &o->train_size, NULL},
        {"test-size", 1, &o->test_size, NULL},    {"hidden", 1, &o->hidden, NULL},
        {"log-every", 1, &o->log_every, NULL},    {"steps-output", 1, &o->steps_output, NULL},
        {"format", 1, &o->format, NULL},          {"output", 1, &o->output, NULL},
        {"log-grads", 1, &o->log_grads, NULL},    {"log-params", 1, &o->log_params, NULL},
        {"log-coords", 1, &o->log_coords, NULL},  {"coord-seed", 1, &o->coord_seed, NULL},
        {"grad-hist", 1, &o->grad_hist, NULL},    {"hist-every", 1, &o->hist_every, NULL},
        {"init-seed", 1, &o->init_seed, NULL},
        {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help_head, stdout);
        fputs(cli_optim_help, stdout);
        return 1;
    }
    if (!o->data_dir || !o->oa.method || !o->oa.lr || !o->epochs || !o->batch || !o->seed)
        cli_fail("--data, --method, --lr, --epochs, --batch and --seed are required");
    if (strcmp(o->model, "mlp") != 0)
        cli_fail("--model: '%s' is not a model (valid: mlp)", o->model);
    return 0;
}

/* What the option texts say, checked. */
struct train_setup {
    radvar_optim_config cfg;
    cli_format fmt;
    radvar_train_config tc;
    size_t n_train_max, n_test_max; /* 0: the whole file */
    struct step_log log;            /* log.every 0: no --steps-output */
    train_log_options lo;
};

/* Check the options in the order of before (the first error reported stays
 * the same), and every output path before the data are loaded. */
static void check_options(const struct train_opts *o, struct train_setup *u)
{
    cli_optim_resolve(&o->oa, &u->cfg);
    u->fmt = cli_parse_format(o->format);
    u->tc = (radvar_train_config){
        .hidden = (size_t)cli_integer("--hidden", o->hidden, 1, 65536),
        .batch = (size_t)cli_integer("--batch", o->batch, 1, 65536),
        .epochs = (size_t)cli_integer("--epochs", o->epochs, 1, 100000),
        .seed = cli_seed("--seed", o->seed),
        .fixed_init = o->init_seed != NULL,
        .init_seed = o->init_seed ? cli_seed("--init-seed", o->init_seed) : 0};
    u->n_train_max = o->train_size ? (size_t)cli_integer("--train-size", o->train_size, 1, 1e9) : 0;
    u->n_test_max = o->test_size ? (size_t)cli_integer("--test-size", o->test_size, 1, 1e9) : 0;
    u->log = (struct step_log){0};
    size_t every = o->log_every ? (size_t)cli_integer("--log-every", o->log_every, 1, 1e12) : 1;
    if (o->steps_output && !o->log_every)
        cli_fail("--steps-output needs --log-every");
    if (o->log_every && !o->steps_output && !o->log_grads && !o->log_params)
        cli_fail("--log-every needs --steps-output, --log-grads or --log-params");
    if (o->steps_output)
        u->log.every = every;
    u->lo = (train_log_options){
        .grads_path = o->log_grads, .params_path = o->log_params, .hist_path = o->grad_hist,
        .coords = (size_t)cli_integer("--log-coords", o->log_coords, 1, TRAIN_LOG_MAX_COORDS),
        .coord_seed = o->coord_seed ? cli_seed("--coord-seed", o->coord_seed) : u->tc.seed,
        .every = every,
        .hist_every = (size_t)cli_integer("--hist-every", o->hist_every, 1, 1e12)};
    cli_output_check("--output", o->output);
    cli_output_check("--steps-output", o->steps_output);
    cli_output_check("--log-grads", o->log_grads);
    cli_output_check("--log-params", o->log_params);
    cli_output_check("--grad-hist", o->grad_hist);
}

/* The training and test sets, refused when the batch or the image sizes
 * do not fit them. */
static void load_sets(const char *dir, const struct train_setup *u, radvar_idx_data *train,
                      radvar_idx_data *test)
{
    load(dir, "train", u->n_train_max, train);
    load(dir, "t10k", u->n_test_max, test);
    if (u->tc.batch > train->count)
        cli_fail("--batch: %zu is out of range: the training set holds %zu examples", u->tc.batch,
                 train->count);
    if (train->rows != test->rows || train->cols != test->cols)
        cli_fail("--data: the test images are %zu x %zu but the training images %zu x %zu",
                 test->rows, test->cols, train->rows, train->cols);
}

/* The memory of the run, estimated before any large allocation (float32):
 * the parameters, their gradient, the copy before a step and up to four
 * optimizer states (m, v, AMSGrad's maximum, the kurtosis EMA); the
 * perceptron's activations for the evaluation batch (at least 1000) and the
 * training batch; 64 MiB for the rest.  The data sets are loaded already. */
static void check_memory(const struct train_setup *u, size_t in)
{
    double hidden = (double)u->tc.hidden, batch = (double)u->tc.batch;
    double np = hidden * ((double)in + 1.0) + 10.0 * hidden + 10.0;
    double eval = batch > 1000 ? batch : 1000;
    double total = 4.0 * (7.0 * np + eval * (2.0 * hidden + 20.0) + batch * (double)in) + 64.0 * 1048576;
    double have = 0.8 * cli_available_memory();
    if (total > have)
        cli_fail("--hidden: %zu hidden units (%.17g parameters, batch %zu) need about %.3g GB of "
                 "memory, more than the %.3g GB it may use (80%% of the memory available): use "
                 "fewer --hidden units", u->tc.hidden, np, u->tc.batch, total / 1e9, have / 1e9);
}

int cmd_train(int argc, char **argv)
{
    struct train_opts o;
    if (read_options(argc, argv, &o))
        return 0;
    struct train_setup u;
    check_options(&o, &u);
    radvar_idx_data train, test;
    load_sets(o.data_dir, &u, &train, &test);
    check_memory(&u, train.rows * train.cols);
    /* the layers of the perceptron's flat vector (experiments/mlp.h) */
    const char *const layer_names[4] = {"W1", "b1", "W2", "b2"};
    const size_t in = train.rows * train.cols,
                 layer_sizes[4] = {u.tc.hidden * in, u.tc.hidden, 10 * u.tc.hidden, 10};
    struct hooks hooks = {&u.log, train_log_open(&u.lo, layer_names, layer_sizes, 4, u.fmt, argc, argv)};
    radvar_train_result res;
    int status = radvar_train_run(&u.tc, &u.cfg, &train, &test,
                                  u.log.every || hooks.logs ? on_step : NULL, &hooks, &res);
    if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "training could not run: %s",
                        radvar_strerror(status));
    if (res.diverged_at)
        fprintf(stderr, "radvar train: warning: the loss or a gradient stopped being finite at step "
                        "%llu: training stopped there, and later epochs repeat the last finite "
                        "parameters\n", (unsigned long long)res.diverged_at);
    write_epochs(o.output, u.fmt, argc, argv, &u.cfg, &u.tc, &train, &test, &res);
    if (u.log.every)
        write_steps(o.steps_output, u.fmt, argc, argv, &u.log);
    train_log_close(hooks.logs);
    radvar_train_result_free(&res);
    radvar_idx_free(&train);
    radvar_idx_free(&test);
    free(u.log.rows);
    return 0;
}
