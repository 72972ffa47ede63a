/* train.c: the training loop of experiments/train.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "mlp.h"
#include "radvar/rng.h"
#include "train.h"

struct buffers {
    float *params, *before, *grad, *xb;
    uint8_t *yb;
    size_t *order;
};

static void free_buffers(struct buffers *b)
{
    free(b->params);
    free(b->before);
    free(b->grad);
    free(b->xb);
    free(b->yb);
    free(b->order);
}

static int alloc_buffers(struct buffers *b, size_t np, size_t batch, size_t in, size_t count,
                         int keep_before)
{
    memset(b, 0, sizeof *b);
    b->params = malloc(np * sizeof *b->params);
    b->grad = malloc(np * sizeof *b->grad);
    b->before = keep_before ? malloc(np * sizeof *b->before) : NULL;
    b->xb = malloc(batch * in * sizeof *b->xb);
    b->yb = malloc(batch);
    b->order = malloc(count * sizeof *b->order);
    if (!b->params || !b->grad || (keep_before && !b->before) || !b->xb || !b->yb || !b->order) {
        free_buffers(b);
        return RADVAR_ENOMEM;
    }
    return RADVAR_SUCCESS;
}

/* Fisher-Yates with counter-based draws: the order of epoch e. */
static void shuffle(size_t *order, size_t n, uint64_t seed, size_t epoch)
{
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = (size_t)(radvar_rng_uniform_bits(seed, 1000000 + (uint64_t)epoch, i) % (i + 1));
        size_t tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
}

static void gather_batch(const radvar_idx_data *d, const size_t *idx, size_t batch, size_t in,
                         float *xb, uint8_t *yb)
{
    for (size_t b = 0; b < batch; b++) {
        memcpy(xb + b * in, d->images + idx[b] * in, in * sizeof *xb);
        yb[b] = d->labels[idx[b]];
    }
}

static int valid_inputs(const radvar_train_config *cfg, const radvar_idx_data *train,
                        const radvar_idx_data *test)
{
    return cfg->hidden >= 1 && cfg->epochs >= 1 && cfg->batch >= 1 && train->count >= 1
           && cfg->batch <= train->count && test->count >= 1 && train->rows == test->rows
           && train->cols == test->cols && train->rows * train->cols >= 1;
}

struct run {
    radvar_mlp *net;
    radvar_optim *opt;
    struct buffers buf;
    size_t in, np;
};

/* One epoch of steps; returns RADVAR_SUCCESS, or RADVAR_EINTR from the hook.
 * *diverged_at is set at the first non-finite loss or gradient. */
static int run_epoch(struct run *r, const radvar_train_config *cfg, const radvar_idx_data *train,
                     size_t e, uint64_t *step, uint64_t *diverged_at, double *loss_mean,
                     radvar_train_hook hook, void *arg)
{
    size_t steps = train->count / cfg->batch;
    double loss_sum = 0;
    size_t loss_n = 0;
    shuffle(r->buf.order, train->count, cfg->seed, e);
    for (size_t s = 0; s < steps && !*diverged_at; s++) {
        gather_batch(train, r->buf.order + s * cfg->batch, cfg->batch, r->in, r->buf.xb, r->buf.yb);
        double loss = radvar_mlp_loss_grad(r->net, r->buf.params, r->buf.xb, r->buf.yb, cfg->batch,
                                           r->buf.grad);
        ++*step;
        if (r->buf.before)
            memcpy(r->buf.before, r->buf.params, r->np * sizeof *r->buf.before);
        if (!isfinite(loss) || radvar_optim_step_f32(r->opt, r->buf.params, r->buf.grad) != RADVAR_SUCCESS) {
            *diverged_at = *step;
            break;
        }
        loss_sum += loss;
        loss_n++;
        if (hook) {
            radvar_train_step info = {*step, e + 1, loss, r->buf.before, r->buf.grad, r->buf.params, r->np};
            if (hook(arg, &info) != 0)
                return RADVAR_EINTR;
        }
    }
    *loss_mean = loss_n ? loss_sum / (double)loss_n : NAN;
    return RADVAR_SUCCESS;
}

int radvar_train_run(const radvar_train_config *cfg, const radvar_optim_config *opt_cfg,
                     const radvar_idx_data *train, const radvar_idx_data *test,
                     radvar_train_hook hook, void *hook_arg, radvar_train_result *out)
{
    memset(out, 0, sizeof *out);
    if (!valid_inputs(cfg, train, test))
        return RADVAR_EINVAL;
    struct run r = {0};
    r.in = train->rows * train->cols;
    size_t eval_batch = cfg->batch > 1000 ? cfg->batch : 1000;
    int status = radvar_mlp_alloc(r.in, cfg->hidden, 10, eval_batch, &r.net);
    if (status != RADVAR_SUCCESS)
        return status;
    r.np = radvar_mlp_param_count(r.net);
    out->epochs = calloc(cfg->epochs, sizeof *out->epochs);
    if (out->epochs == NULL
        || (status = alloc_buffers(&r.buf, r.np, cfg->batch, r.in, train->count, hook != NULL)) != RADVAR_SUCCESS
        || (status = radvar_optim_alloc(opt_cfg, r.np, RADVAR_FLOAT32, &r.opt)) != RADVAR_SUCCESS) {
        radvar_mlp_free(r.net);
        free(out->epochs);
        out->epochs = NULL;
        return status == RADVAR_SUCCESS ? RADVAR_ENOMEM : status;
    }
    out->parameters = r.np;
    radvar_mlp_init(r.net, r.buf.params, cfg->fixed_init ? cfg->init_seed : cfg->seed);
    uint64_t step = 0;
    for (size_t e = 0; e < cfg->epochs && status == RADVAR_SUCCESS; e++) {
        double train_loss = NAN, test_loss = NAN, test_acc = NAN;
        status = run_epoch(&r, cfg, train, e, &step, &out->diverged_at, &train_loss, hook, hook_arg);
        if (status == RADVAR_SUCCESS)
            status = radvar_mlp_evaluate(r.net, r.buf.params, test->images, test->labels, test->count,
                                         &test_loss, &test_acc);
        out->epochs[e] = (radvar_train_epoch){(double)(e + 1),
                                              (double)(out->diverged_at ? out->diverged_at : step),
                                              train_loss, test_loss, test_acc};
    }
    radvar_optim_free(r.opt);
    radvar_mlp_free(r.net);
    free_buffers(&r.buf);
    return status;
}

void radvar_train_result_free(radvar_train_result *r)
{
    free(r->epochs);
    r->epochs = NULL;
}
