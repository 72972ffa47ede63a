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

int cmd_train(int argc, char **argv)
{
    cli_optim_args oa = {0};
    const char *data_dir = NULL, *model = "mlp", *epochs_text = NULL, *batch_text = NULL,
               *seed_text = NULL, *train_size = NULL, *test_size = NULL, *hidden_text = "256",
               *log_every_text = NULL, *steps_output = NULL, *format = "tsv", *output = NULL,
               *log_grads = NULL, *log_params = NULL, *log_coords = "16", *coord_seed = NULL,
               *grad_hist = NULL, *hist_every = "100", *init_seed = NULL;
    int want_help = 0;
    const cli_option opts[] = {
        CLI_OPTIM_OPTIONS(oa),
        {"data", 1, &data_dir, NULL},          {"model", 1, &model, NULL},
        {"epochs", 1, &epochs_text, NULL},     {"batch", 1, &batch_text, NULL},
        {"seed", 1, &seed_text, NULL},         {"train-size", 1, &train_size, NULL},
        {"test-size", 1, &test_size, NULL},    {"hidden", 1, &hidden_text, NULL},
        {"log-every", 1, &log_every_text, NULL}, {"steps-output", 1, &steps_output, NULL},
        {"format", 1, &format, NULL},          {"output", 1, &output, NULL},
        {"log-grads", 1, &log_grads, NULL},    {"log-params", 1, &log_params, NULL},
        {"log-coords", 1, &log_coords, NULL},  {"coord-seed", 1, &coord_seed, NULL},
        {"grad-hist", 1, &grad_hist, NULL},    {"hist-every", 1, &hist_every, NULL},
        {"init-seed", 1, &init_seed, NULL},
        {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help_head, stdout);
        fputs(cli_optim_help, stdout);
        return 0;
    }
    if (!data_dir || !oa.method || !oa.lr || !epochs_text || !batch_text || !seed_text)
        cli_fail("--data, --method, --lr, --epochs, --batch and --seed are required");
    if (strcmp(model, "mlp") != 0)
        cli_fail("--model: '%s' is not a model (valid: mlp)", model);
    radvar_optim_config cfg;
    cli_optim_resolve(&oa, &cfg);
    cli_format fmt = cli_parse_format(format);
    radvar_train_config tc = {
        .hidden = (size_t)cli_integer("--hidden", hidden_text, 1, 65536),
        .batch = (size_t)cli_integer("--batch", batch_text, 1, 65536),
        .epochs = (size_t)cli_integer("--epochs", epochs_text, 1, 100000),
        .seed = cli_seed("--seed", seed_text),
        .fixed_init = init_seed != NULL,
        .init_seed = init_seed ? cli_seed("--init-seed", init_seed) : 0};
    size_t n_train_max = train_size ? (size_t)cli_integer("--train-size", train_size, 1, 1e9) : 0;
    size_t n_test_max = test_size ? (size_t)cli_integer("--test-size", test_size, 1, 1e9) : 0;
    struct step_log log = {0};
    size_t every = log_every_text ? (size_t)cli_integer("--log-every", log_every_text, 1, 1e12) : 1;
    if (steps_output && !log_every_text)
        cli_fail("--steps-output needs --log-every");
    if (log_every_text && !steps_output && !log_grads && !log_params)
        cli_fail("--log-every needs --steps-output, --log-grads or --log-params");
    if (steps_output)
        log.every = every;
    train_log_options lo = {
        .grads_path = log_grads, .params_path = log_params, .hist_path = grad_hist,
        .coords = (size_t)cli_integer("--log-coords", log_coords, 1, TRAIN_LOG_MAX_COORDS),
        .coord_seed = coord_seed ? cli_seed("--coord-seed", coord_seed) : tc.seed,
        .every = every,
        .hist_every = (size_t)cli_integer("--hist-every", hist_every, 1, 1e12)};
    cli_output_check("--output", output);
    cli_output_check("--steps-output", steps_output);
    cli_output_check("--log-grads", log_grads);
    cli_output_check("--log-params", log_params);
    cli_output_check("--grad-hist", grad_hist);

    radvar_idx_data train, test;
    load(data_dir, "train", n_train_max, &train);
    load(data_dir, "t10k", n_test_max, &test);
    if (tc.batch > train.count)
        cli_fail("--batch: %zu is out of range: the training set holds %zu examples", tc.batch, train.count);
    if (train.rows != test.rows || train.cols != test.cols)
        cli_fail("--data: the test images are %zu x %zu but the training images %zu x %zu",
                 test.rows, test.cols, train.rows, train.cols);
    /* the layers of the perceptron's flat vector (experiments/mlp.h) */
    const char *const layer_names[4] = {"W1", "b1", "W2", "b2"};
    const size_t in = train.rows * train.cols,
                 layer_sizes[4] = {tc.hidden * in, tc.hidden, 10 * tc.hidden, 10};
    struct hooks hooks = {&log, train_log_open(&lo, layer_names, layer_sizes, 4, fmt, argc, argv)};
    radvar_train_result res;
    int status = radvar_train_run(&tc, &cfg, &train, &test, log.every || hooks.logs ? on_step : NULL,
                                  &hooks, &res);
    if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "training could not run: %s",
                        radvar_strerror(status));
    if (res.diverged_at)
        fprintf(stderr, "radvar train: warning: the loss or a gradient stopped being finite at step "
                        "%llu: training stopped there, and later epochs repeat the last finite "
                        "parameters\n", (unsigned long long)res.diverged_at);
    write_epochs(output, fmt, argc, argv, &cfg, &tc, &train, &test, &res);
    if (log.every)
        write_steps(steps_output, fmt, argc, argv, &log);
    train_log_close(hooks.logs);
    radvar_train_result_free(&res);
    radvar_idx_free(&train);
    radvar_idx_free(&test);
    free(log.rows);
    return 0;
}
