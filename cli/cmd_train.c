/* cmd_train.c: radvar train -- a classifier on (Fashion-)MNIST, trained by the
 * reference optimizer: the paper's experiments on real data. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "radvar/mlp.h"
#include "radvar/mnist.h"
#include "radvar/optim.h"
#include "radvar/rng.h"

static const char help[] =
    "usage: radvar train --data DIR --model mlp --method M [--preset P] --lr X\n"
    "                    --epochs E --batch B --seed K [--warmup TW] [options]\n"
    "\n"
    "Train a 784-H-10 perceptron (ReLU, softmax cross-entropy, H = 256) on the IDX\n"
    "files in DIR (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,\n"
    "t10k-...; Debian's dataset-fashion-mnist: /usr/share/datasets/fashion-mnist)\n"
    "with the reference optimizer, and print one row per epoch:\n"
    "  epoch step train_loss test_loss test_accuracy\n"
    "(train_loss: mean minibatch loss over the epoch).  With --log-every N a\n"
    "section 'steps' follows: step train_loss, every N steps.  The same seed gives\n"
    "the same numbers (initialisation and shuffling are counter-based).  A run\n"
    "whose loss or gradient stops being finite is stopped: its later epochs repeat\n"
    "the last finite parameters, and '# diverged_at_step' says when.\n"
    "\n"
    "  --method M         sgd adam adamw radam adam-warmup adam-2k adam-eps\n"
    "  --preset P         for radam: paper official pytorch optax tfa\n"
    "  --lr X --epochs E --batch B --seed K    (lr >= 0; E, B >= 1)\n"
    "  --warmup TW        adam-warmup length in steps      --v-only-steps K  adam-2k\n"
    "  --beta1 --beta2 --eps --weight-decay --momentum    as for replay\n"
    "  --train-size N --test-size N   use the first N examples (default all)\n"
    "  --hidden H         hidden units (default 256)\n"
    "  --log-every N      per-step training loss every N steps\n"
    "  --format F --output FILE       as for the other subcommands\n";

static void load(const char *dir, const char *prefix, size_t max, radvar_mnist *data)
{
    char images[4096], labels[4096], why[512];
    snprintf(images, sizeof images, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    snprintf(labels, sizeof labels, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
    int status = radvar_mnist_load(images, labels, max, data, why, sizeof why);
    if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "--data: %s", why);
}

int cmd_train(int argc, char **argv)
{
    const char *data_dir = NULL, *model = "mlp", *method_text = NULL, *preset = NULL, *lr = NULL,
               *epochs_text = NULL, *batch_text = NULL, *seed_text = NULL, *warmup = NULL,
               *v_only = NULL, *beta1 = NULL, *beta2 = NULL, *eps = NULL, *wd = NULL,
               *momentum = NULL, *train_size = NULL, *test_size = NULL, *hidden_text = "256",
               *log_every_text = NULL, *format = "tsv", *output = NULL;
    int want_help = 0;
    const cli_option opts[] = {
        {"data", 1, &data_dir, NULL},          {"model", 1, &model, NULL},
        {"method", 1, &method_text, NULL},     {"preset", 1, &preset, NULL},
        {"lr", 1, &lr, NULL},                  {"epochs", 1, &epochs_text, NULL},
        {"batch", 1, &batch_text, NULL},       {"seed", 1, &seed_text, NULL},
        {"warmup", 1, &warmup, NULL},          {"v-only-steps", 1, &v_only, NULL},
        {"beta1", 1, &beta1, NULL},            {"beta2", 1, &beta2, NULL},
        {"eps", 1, &eps, NULL},                {"weight-decay", 1, &wd, NULL},
        {"momentum", 1, &momentum, NULL},      {"train-size", 1, &train_size, NULL},
        {"test-size", 1, &test_size, NULL},    {"hidden", 1, &hidden_text, NULL},
        {"log-every", 1, &log_every_text, NULL}, {"format", 1, &format, NULL},
        {"output", 1, &output, NULL},          {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    if (!data_dir || !method_text || !lr || !epochs_text || !batch_text || !seed_text)
        cli_fail("--data, --method, --lr, --epochs, --batch and --seed are required");
    if (strcmp(model, "mlp") != 0)
        cli_fail("--model: '%s' is not a model (valid: mlp)", model);
    radvar_optim_config cfg;
    cli_optim_config(method_text, preset, &cfg);
    radvar_method method = cfg.method;
    cli_format fmt = cli_parse_format(format);
    cfg.lr = cli_nonnegative("--lr", lr);
    if (beta1)
        cfg.beta1 = cli_unit_interval("--beta1", beta1);
    if (beta2)
        cfg.beta2 = cli_unit_interval("--beta2", beta2);
    if (eps) cfg.eps = cli_nonnegative("--eps", eps);
    if (wd) cfg.weight_decay = cli_nonnegative("--weight-decay", wd);
    if (momentum)
        cfg.momentum = cli_unit_interval("--momentum", momentum);
    if (warmup) {
        cfg.warmup_steps = cli_double("--warmup", warmup);
        cli_check_range("--warmup", warmup, cfg.warmup_steps, 1, 0, INFINITY, 1);
    }
    if (v_only) cfg.v_only_steps = cli_integer("--v-only-steps", v_only, 0, 1e12);
    int epochs = (int)cli_integer("--epochs", epochs_text, 1, 100000);
    size_t batch = (size_t)cli_integer("--batch", batch_text, 1, 65536);
    uint64_t seed = (uint64_t)cli_integer("--seed", seed_text, 0, 9007199254740992.0);
    size_t hidden = (size_t)cli_integer("--hidden", hidden_text, 1, 65536);
    size_t n_train_max = train_size ? (size_t)cli_integer("--train-size", train_size, 1, 1e9) : 0;
    size_t n_test_max = test_size ? (size_t)cli_integer("--test-size", test_size, 1, 1e9) : 0;
    size_t log_every = log_every_text ? (size_t)cli_integer("--log-every", log_every_text, 1, 1e12) : 0;

    radvar_mnist train, test;
    load(data_dir, "train", n_train_max, &train);
    load(data_dir, "t10k", n_test_max, &test);
    size_t in = train.rows * train.cols;
    if (batch > train.count)
        cli_fail("--batch: %zu is out of range: the training set holds %zu examples", batch, train.count);
    radvar_mlp *net;
    if (radvar_mlp_alloc(in, hidden, 10, batch > 1000 ? batch : 1000, &net) != RADVAR_SUCCESS)
        cli_fail_status(1, "out of memory for the network");
    size_t np = radvar_mlp_param_count(net);
    float *params = malloc(np * sizeof *params), *grad = malloc(np * sizeof *grad);
    float *xb = malloc(batch * in * sizeof *xb);
    uint8_t *yb = malloc(batch);
    size_t *order = malloc(train.count * sizeof *order);
    if (!params || !grad || !xb || !yb || !order)
        cli_fail_status(1, "out of memory");
    radvar_mlp_init(net, params, seed);
    radvar_optim *opt;
    if (radvar_optim_alloc(&cfg, np, RADVAR_FLOAT32, &opt) != RADVAR_SUCCESS)
        cli_fail("the optimizer refused its configuration (check --lr, --beta1, --beta2, --eps)");

    size_t steps_per_epoch = train.count / batch; /* the last partial batch is dropped */
    size_t n_logged = 0, log_cap = 0, step = 0, diverged_at = 0;
    double *logged = NULL;
    double (*rows)[5] = malloc((size_t)epochs * sizeof *rows);
    for (int e = 0; e < epochs; e++) {
        for (size_t i = 0; i < train.count; i++)
            order[i] = i;
        for (size_t i = train.count - 1; i > 0; i--) { /* Fisher-Yates, counter-based */
            size_t j = (size_t)(radvar_uniform_bits(seed, 1000000 + (uint64_t)e, i) % (i + 1));
            size_t tmp = order[i];
            order[i] = order[j];
            order[j] = tmp;
        }
        double loss_sum = 0;
        size_t loss_n = 0;
        for (size_t s = 0; s < steps_per_epoch && !diverged_at; s++) {
            for (size_t b = 0; b < batch; b++) {
                size_t idx = order[s * batch + b];
                memcpy(xb + b * in, train.images + idx * in, in * sizeof *xb);
                yb[b] = train.labels[idx];
            }
            double loss = radvar_mlp_loss_grad(net, params, xb, yb, batch, grad);
            step++;
            if (!isfinite(loss) || radvar_optim_step(opt, params, grad) != RADVAR_SUCCESS) {
                diverged_at = step;
                break;
            }
            loss_sum += loss;
            loss_n++;
            if (log_every && step % log_every == 0) {
                if (n_logged == log_cap) {
                    log_cap = log_cap ? 2 * log_cap : 256;
                    logged = realloc(logged, log_cap * 2 * sizeof *logged);
                }
                logged[2 * n_logged] = (double)step;
                logged[2 * n_logged + 1] = loss;
                n_logged++;
            }
        }
        double test_loss, test_acc;
        radvar_mlp_evaluate(net, params, test.images, test.labels, test.count, &test_loss, &test_acc);
        rows[e][0] = e + 1;
        rows[e][1] = (double)(diverged_at ? diverged_at : step);
        rows[e][2] = loss_n ? loss_sum / (double)loss_n : NAN;
        rows[e][3] = test_loss;
        rows[e][4] = test_acc;
    }
    cli_table *t = cli_table_open(output, fmt, argc, argv);
    cli_table_param(t, "model", "mlp %zu-%zu-10, %zu parameters", in, hidden, np);
    cli_table_param(t, "method", "%s", method_text);
    if (method == RADVAR_RADAM)
        cli_table_param(t, "preset", "%s", cfg.preset);
    cli_table_param(t, "lr", "%.17g", cfg.lr);
    cli_table_param(t, "batch", "%zu", batch);
    cli_table_param(t, "seed", "%llu", (unsigned long long)seed);
    cli_table_param(t, "train_examples", "%zu", train.count);
    cli_table_param(t, "test_examples", "%zu", test.count);
    if (diverged_at)
        cli_table_param(t, "diverged_at_step", "%zu", diverged_at);
    static const char *const cols[] = {"epoch", "step", "train_loss", "test_loss", "test_accuracy"};
    cli_table_begin(t, "main", 5, cols);
    for (int e = 0; e < epochs; e++)
        cli_table_row(t, rows[e]);
    if (log_every) {
        static const char *const scols[] = {"step", "train_loss"};
        cli_table_begin(t, "steps", 2, scols);
        for (size_t i = 0; i < n_logged; i++)
            cli_table_row(t, logged + 2 * i);
    }
    cli_table_close(t);
    radvar_optim_free(opt);
    radvar_mlp_free(net);
    radvar_mnist_free(&train);
    radvar_mnist_free(&test);
    free(params);
    free(grad);
    free(xb);
    free(yb);
    free(order);
    free(rows);
    free(logged);
    return 0;
}
