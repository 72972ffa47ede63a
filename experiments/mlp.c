/* mlp.c: forward and backward passes of the perceptron of radvar/mlp.h.
 *
 *   H = relu(X W1^T + b1),  Z = H W2^T + b2,  L = mean_i -log softmax(Z_i)[y_i]
 *   dZ = (softmax(Z) - onehot(y)) / B,  dW2 = dZ^T H,  db2 = sum dZ,
 *   dH = (dZ W2) . [H > 0],  dW1 = dH^T X,  db1 = sum dH.
 * The log-sum-exp subtracts the row maximum and is summed in double. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_blas.h>

#include <gsl/gsl_errno.h>
#include "mlp.h"
#include "radvar/rng.h"

struct radvar_mlp {
    size_t in, hidden, out, max_batch;
    float *h, *z, *dz, *dh; /* batch workspaces */
};

void radvar_mlp_free(radvar_mlp *m)
{
    if (m == NULL)
        return;
    free(m->h);
    free(m->z);
    free(m->dz);
    free(m->dh);
    free(m);
}

int radvar_mlp_alloc(size_t in, size_t hidden, size_t out, size_t max_batch, radvar_mlp **out_m)
{
    *out_m = NULL;
    if (in == 0 || hidden == 0 || out == 0 || max_batch == 0)
        return RADVAR_EINVAL;
    radvar_mlp *m = calloc(1, sizeof *m);
    if (m == NULL)
        return RADVAR_ENOMEM;
    *m = (radvar_mlp){in, hidden, out, max_batch, NULL, NULL, NULL, NULL};
    m->h = malloc(max_batch * hidden * sizeof(float));
    m->dh = malloc(max_batch * hidden * sizeof(float));
    m->z = malloc(max_batch * out * sizeof(float));
    m->dz = malloc(max_batch * out * sizeof(float));
    if (!m->h || !m->dh || !m->z || !m->dz) {
        radvar_mlp_free(m);
        return RADVAR_ENOMEM;
    }
    *out_m = m;
    return RADVAR_SUCCESS;
}

size_t radvar_mlp_param_count(const radvar_mlp *m)
{
    return m->hidden * m->in + m->hidden + m->out * m->hidden + m->out;
}

void radvar_mlp_init(const radvar_mlp *m, float *params, uint64_t seed)
{
    size_t n1 = m->hidden * m->in, n2 = m->out * m->hidden;
    double s1 = sqrt(2.0 / (double)m->in), s2 = sqrt(2.0 / (double)m->hidden);
    for (size_t i = 0; i < n1; i++)
        params[i] = (float)(s1 * radvar_rng_gauss(seed, 0, i));
    memset(params + n1, 0, m->hidden * sizeof(float));
    float *w2 = params + n1 + m->hidden;
    for (size_t i = 0; i < n2; i++)
        w2[i] = (float)(s2 * radvar_rng_gauss(seed, 1, i));
    memset(w2 + n2, 0, m->out * sizeof(float));
}

/* Forward pass into m->h and m->z; returns the summed loss (NaN when a BLAS
 * call fails), and writes the number of correct predictions to *correct
 * (when not NULL); with dz, the softmax minus one-hot, scaled by `scale`,
 * goes to m->dz. */
static double forward(radvar_mlp *m, const float *params, const float *x, const uint8_t *y,
                      size_t batch, size_t *correct, float scale, int want_dz)
{
    const float *w1 = params, *b1 = w1 + m->hidden * m->in, *w2 = b1 + m->hidden,
                *b2 = w2 + m->out * m->hidden;
    gsl_matrix_float_const_view X = gsl_matrix_float_const_view_array(x, batch, m->in);
    gsl_matrix_float_const_view W1 = gsl_matrix_float_const_view_array(w1, m->hidden, m->in);
    gsl_matrix_float_const_view W2 = gsl_matrix_float_const_view_array(w2, m->out, m->hidden);
    gsl_matrix_float_view H = gsl_matrix_float_view_array(m->h, batch, m->hidden);
    gsl_matrix_float_view Z = gsl_matrix_float_view_array(m->z, batch, m->out);
    if (gsl_blas_sgemm(CblasNoTrans, CblasTrans, 1.0f, &X.matrix, &W1.matrix, 0.0f, &H.matrix))
        return NAN;
    for (size_t b = 0; b < batch; b++)
        for (size_t j = 0; j < m->hidden; j++) {
            float v = m->h[b * m->hidden + j] + b1[j];
            m->h[b * m->hidden + j] = v > 0 ? v : 0;
        }
    if (gsl_blas_sgemm(CblasNoTrans, CblasTrans, 1.0f, &H.matrix, &W2.matrix, 0.0f, &Z.matrix))
        return NAN;
    double loss = 0;
    size_t right = 0;
    for (size_t b = 0; b < batch; b++) {
        float *z = m->z + b * m->out;
        double zmax = -INFINITY;
        size_t arg = 0;
        for (size_t k = 0; k < m->out; k++) {
            z[k] += b2[k];
            if (z[k] > zmax) {
                zmax = z[k];
                arg = k;
            }
        }
        double sum = 0;
        for (size_t k = 0; k < m->out; k++)
            sum += exp((double)z[k] - zmax);
        double log_sum = zmax + log(sum);
        loss += log_sum - z[y[b]];
        right += arg == y[b];
        if (want_dz)
            for (size_t k = 0; k < m->out; k++)
                m->dz[b * m->out + k] =
                    (float)((exp((double)z[k] - log_sum) - (k == y[b] ? 1.0 : 0.0)) * scale);
    }
    if (correct)
        *correct = right;
    return loss;
}

double radvar_mlp_loss_grad(radvar_mlp *m, const float *params, const float *x, const uint8_t *y,
                            size_t batch, float *grad)
{
    if (batch == 0 || batch > m->max_batch)
        return NAN;
    double loss = forward(m, params, x, y, batch, NULL, 1.0f / (float)batch, grad != NULL);
    if (grad == NULL || isnan(loss))
        return loss / (double)batch;
    const float *w2 = params + m->hidden * m->in + m->hidden;
    float *g_w1 = grad, *g_b1 = g_w1 + m->hidden * m->in, *g_w2 = g_b1 + m->hidden,
          *g_b2 = g_w2 + m->out * m->hidden;
    gsl_matrix_float_const_view X = gsl_matrix_float_const_view_array(x, batch, m->in);
    gsl_matrix_float_const_view W2 = gsl_matrix_float_const_view_array(w2, m->out, m->hidden);
    gsl_matrix_float_view H = gsl_matrix_float_view_array(m->h, batch, m->hidden);
    gsl_matrix_float_view DZ = gsl_matrix_float_view_array(m->dz, batch, m->out);
    gsl_matrix_float_view DH = gsl_matrix_float_view_array(m->dh, batch, m->hidden);
    gsl_matrix_float_view GW2 = gsl_matrix_float_view_array(g_w2, m->out, m->hidden);
    gsl_matrix_float_view GW1 = gsl_matrix_float_view_array(g_w1, m->hidden, m->in);
    if (gsl_blas_sgemm(CblasTrans, CblasNoTrans, 1.0f, &DZ.matrix, &H.matrix, 0.0f, &GW2.matrix)
        || gsl_blas_sgemm(CblasNoTrans, CblasNoTrans, 1.0f, &DZ.matrix, &W2.matrix, 0.0f, &DH.matrix))
        return NAN;
    for (size_t k = 0; k < m->out; k++) {
        double s = 0;
        for (size_t b = 0; b < batch; b++)
            s += m->dz[b * m->out + k];
        g_b2[k] = (float)s;
    }
    for (size_t b = 0; b < batch; b++)
        for (size_t j = 0; j < m->hidden; j++)
            if (m->h[b * m->hidden + j] <= 0)
                m->dh[b * m->hidden + j] = 0;
    for (size_t j = 0; j < m->hidden; j++) {
        double s = 0;
        for (size_t b = 0; b < batch; b++)
            s += m->dh[b * m->hidden + j];
        g_b1[j] = (float)s;
    }
    if (gsl_blas_sgemm(CblasTrans, CblasNoTrans, 1.0f, &DH.matrix, &X.matrix, 0.0f, &GW1.matrix))
        return NAN;
    return loss / (double)batch;
}

int radvar_mlp_evaluate(radvar_mlp *m, const float *params, const float *x, const uint8_t *y,
                        size_t n, double *mean_loss, double *accuracy)
{
    *mean_loss = *accuracy = NAN;
    if (n == 0)
        return RADVAR_EINVAL;
    double loss = 0;
    size_t right = 0;
    for (size_t first = 0; first < n; first += m->max_batch) {
        size_t batch = n - first < m->max_batch ? n - first : m->max_batch, c = 0;
        double part = forward(m, params, x + first * m->in, y + first, batch, &c, 1.0f, 0);
        if (isnan(part))
            return RADVAR_EINVAL;
        loss += part;
        right += c;
    }
    *mean_loss = loss / (double)n;
    *accuracy = (double)right / (double)n;
    return RADVAR_SUCCESS;
}
