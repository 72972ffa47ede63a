/* experiments/train.h: minibatch training of the perceptron (mlp.h) on an IDX
 * data set (idx.h) with the reference optimizer: the loop behind
 * `radvar train`.
 *
 * Determinism: the initialisation comes from radvar_rng_gauss(seed, layer, i)
 * (init_seed with fixed_init) and the epoch shuffles from
 * radvar_rng_uniform_bits(seed, 1000000 + epoch, i),
 * so the same seed gives the same run.  The matrix products go through the
 * BLAS the program links (OpenBLAS by default), whose kernels may round
 * differently on different processors. */
#ifndef RADVAR_EXPERIMENTS_TRAIN_H
#define RADVAR_EXPERIMENTS_TRAIN_H

#include <stddef.h>
#include <stdint.h>

#include "idx.h"
#include "radvar/optim.h"

typedef struct {
    size_t hidden;    /* hidden units, >= 1 */
    size_t batch;     /* 1 .. the training set's size */
    size_t epochs;    /* >= 1 */
    uint64_t seed;
    /* non-zero: the initialisation comes from init_seed, the data order
     * still from seed (runs that differ only in their minibatches) */
    int fixed_init;
    uint64_t init_seed;
} radvar_train_config;

/* What the loop shows an observer after each optimizer step: the step (from
 * 1), the minibatch loss, and the parameters before and after the step with
 * the gradient that moved them (n values each).  A hook returning non-zero
 * stops the run (status RADVAR_EINTR). */
typedef struct {
    uint64_t step;
    size_t epoch;
    double loss;
    const float *params_before, *grad, *params_after;
    size_t n;
} radvar_train_step;
typedef int (*radvar_train_hook)(void *arg, const radvar_train_step *s);

typedef struct {
    double epoch, step, train_loss, test_loss, test_accuracy;
} radvar_train_epoch;

typedef struct {
    radvar_train_epoch *epochs; /* cfg.epochs rows (malloc'd; radvar_train_result_free) */
    uint64_t diverged_at;       /* the step whose loss or gradient was not finite, 0 if none */
    size_t parameters;
} radvar_train_result;

/* Train from the seed's initialisation for cfg.epochs epochs (the last
 * partial batch of an epoch is dropped) and evaluate on test after each.
 * A run whose loss or gradient stops being finite is stopped: its later
 * epochs repeat the last finite parameters' test figures.
 * exceptions: RADVAR_EINVAL (sizes, or images of different shapes in train
 * and test, or an empty test set), RADVAR_ENOMEM, RADVAR_EINTR (a hook). */
int radvar_train_run(const radvar_train_config *cfg, const radvar_optim_config *opt_cfg,
                     const radvar_idx_data *train, const radvar_idx_data *test,
                     radvar_train_hook hook, void *hook_arg, radvar_train_result *out);
void radvar_train_result_free(radvar_train_result *r);

#endif
