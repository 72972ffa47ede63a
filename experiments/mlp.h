/* experiments/mlp.h: a multilayer perceptron in -> hidden (ReLU) -> out with
 * softmax cross-entropy, for the experiments on real data.  Parameters are one
 * flat float array (W1: hidden x in, b1, W2: out x hidden, b2), so that the
 * reference optimizer (radvar/optim.h) updates them in one call.  Matrix
 * products go through GSL's BLAS interface (gsl_blas_sgemm), linked against an
 * optimised BLAS (OpenBLAS; make BLAS=gslcblas for GSL's reference CBLAS). */
#ifndef RADVAR_EXPERIMENTS_MLP_H
#define RADVAR_EXPERIMENTS_MLP_H

#include <stddef.h>
#include <stdint.h>

#include "radvar/common.h"

typedef struct radvar_mlp radvar_mlp;

/* exceptions: RADVAR_EINVAL (a size of 0), RADVAR_ENOMEM. */
int radvar_mlp_alloc(size_t in, size_t hidden, size_t out, size_t max_batch, radvar_mlp **m);
void radvar_mlp_free(radvar_mlp *m);
size_t radvar_mlp_param_count(const radvar_mlp *m);

/* He initialisation (weights N(0, 2/fan_in) from radvar_rng_gauss(seed, layer, i),
 * biases 0): the same parameters for the same seed. */
void radvar_mlp_init(const radvar_mlp *m, float *params, uint64_t seed);

/* Mean cross-entropy of a batch x (batch x in, row-major) with labels y, and
 * its gradient into grad (when not NULL).  batch <= max_batch; NaN when the
 * batch size is out of range or a BLAS call fails (its status is checked). */
double radvar_mlp_loss_grad(radvar_mlp *m, const float *params, const float *x, const uint8_t *y,
                            size_t batch, float *grad);

/* Mean loss and accuracy over n examples (in batches of max_batch).
 * exceptions: RADVAR_EINVAL (n = 0, or a BLAS call failed), with NaN values. */
int radvar_mlp_evaluate(radvar_mlp *m, const float *params, const float *x, const uint8_t *y,
                        size_t n, double *mean_loss, double *accuracy);

#endif
