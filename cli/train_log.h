/* train_log.h: the gradient logs of `radvar train` (--log-grads, --log-params,
 * --grad-hist), written from the training loop's per-step hook.
 *
 *   --log-grads FILE   columns c0 .. c(K-1): the first row holds the K
 *                      coordinates' initial values, then one row of their
 *                      gradients per logged step -- replay's input format;
 *   --log-params FILE  columns step c0 .. c(K-1): step 0 (the initial
 *                      values), then the values after each logged step;
 *   --grad-hist FILE   columns step bin grad_count update_count: at steps 1,
 *                      N+1, 2N+1, ... (--hist-every N), over all parameters,
 *                      the count of gradient entries and of updates
 *                      |delta theta| with floor(log2 |x|) = bin, bins -149 to
 *                      127, after a row with bin -150 counting exact zeros
 *                      (the bin below the smallest: the bins stay a
 *                      regular grid, which gnuplot draws with image).
 * The coordinates: radvar_gradstats_choose_coords over the layers W1 b1 W2 b2
 * from --coord-seed (default: the training seed), named in '#' lines
 * ("coords c0-c7: W1:37649 b1:17 ...", the flat index within the layer; W1
 * is hidden x 784 row-major, so W1:i is unit i / 784, pixel i % 784). */
#ifndef RADVAR_CLI_TRAIN_LOG_H
#define RADVAR_CLI_TRAIN_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"
#include "train.h"

typedef struct {
    const char *grads_path, *params_path, *hist_path;
    size_t coords;      /* K */
    uint64_t coord_seed;
    size_t every;       /* the K-coordinate logs: steps every, 2 every, ... */
    size_t hist_every;  /* histograms: steps 1, N+1, 2N+1, ... */
} train_log_options;

typedef struct train_log train_log;

/* The most coordinates a log may hold (their '#' lines must fit the
 * table's provenance lines). */
#define TRAIN_LOG_MAX_COORDS 256

/* Open the logs asked for (NULL when none is); layers and sizes describe the
 * flat parameter vector; exits with a message on bad options. */
train_log *train_log_open(const train_log_options *o, const char *const *layer_names,
                          const size_t *layer_sizes, size_t layers, cli_format fmt, int argc,
                          char **argv);
/* The hook's work for one step (radvar_train_hook's body); returns 0. */
int train_log_step(train_log *log, const radvar_train_step *s);
/* Write and close every log. */
void train_log_close(train_log *log);

#endif
