/* optim.c: the reference optimizer, see radvar/optim.h.
 *
 * NOTES
 *   A step has a scalar part (bias corrections, learning-rate schedule,
 *   rho_t, r_t and the threshold, all from radvar/schedule.h) and an element
 *   loop (optim_kernel.h) that runs over blocks of elements, in parallel with
 *   OpenMP; every element is independent, so the result does not depend on the
 *   thread count.
 *
 * REFERENCES
 *   Liu et al. 2020, Algorithm 2; torch/optim/{sgd,adam,adamw,radam}.py
 *   (PyTorch 1.13); optax/_src/transform.py scale_by_radam;
 *   tensorflow_addons/optimizers/rectified_adam.py; LiyuanLucasLiu/RAdam
 *   radam.py.
 */
#define _XOPEN_SOURCE 700
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checksum.h"
#include "dispatch.h"
#include "radvar/optim.h"
#include "radvar/schedule.h"

enum kernel { KERNEL_SGD, KERNEL_ADAM, KERNEL_RADAM_SQRT_V, KERNEL_RADAM_SQRT_VHAT, KERNEL_RADAM_KURTOSIS };

struct step_scalars {
    enum kernel kernel;
    radvar_weight_decay wd_kind;
    double beta1, beta2, wd, eps, eps_root, lr, momentum;
    double bc1, bc2, bc2_sqrt, bc1_next, step_size, r;
    double rho_moment, rho_inf; /* the kurtosis kernel's dof */
    radvar_eps_placement eps_placement;
    int move, rectified, update_m, nesterov, amsgrad, first_momentum_step, below_momentum;
};

/* the element loops: float and double, portable and AVX2 (dispatch.h) */
#define TARGET
#define T float
#define SQRT sqrtf
#define NAME(x) x##_f32
#include "optim_kernel.h"
#undef T
#undef SQRT
#undef NAME
#define T double
#define SQRT sqrt
#define NAME(x) x##_f64
#include "optim_kernel.h"
#undef T
#undef SQRT
#undef NAME
#undef TARGET
#if RADVAR_HAVE_AVX2_PATH
#define TARGET RADVAR_TARGET_AVX2
#define T float
#define SQRT sqrtf
#define NAME(x) x##_f32_avx2
#include "optim_kernel.h"
#undef T
#undef SQRT
#undef NAME
#define T double
#define SQRT sqrt
#define NAME(x) x##_f64_avx2
#include "optim_kernel.h"
#undef T
#undef SQRT
#undef NAME
#undef TARGET
#endif

struct radvar_optim {
    radvar_optim_config cfg;
    size_t n;
    radvar_dtype dtype;
    void *m, *v, *vmax, *u4;
    uint64_t t;
    int threads, fused_check, avx2;
    radvar_optim_diagnostics diag;
};

static const char *const method_names[] = {"sgd", "adam", "adamw", "radam", "adam-warmup",
                                           "adam-2k", "adam-eps"};

int radvar_optim_method_from_name(const char *name, radvar_method *method)
{
    for (size_t k = 0; k < sizeof method_names / sizeof *method_names; k++)
        if (strcmp(name, method_names[k]) == 0) {
            *method = (radvar_method)k;
            return RADVAR_SUCCESS;
        }
    return RADVAR_EINVAL;
}

const char *radvar_optim_method_name(radvar_method method)
{
    return (unsigned)method < sizeof method_names / sizeof *method_names ? method_names[method] : "?";
}

int radvar_optim_defaults(radvar_method method, radvar_optim_config *c)
{
    if ((unsigned)method > RADVAR_ADAM_EPS)
        return RADVAR_EINVAL;
    memset(c, 0, sizeof *c);
    c->method = method;
    c->lr = method == RADVAR_SGD ? 1e-2 : 1e-3;
    c->beta1 = 0.9;
    c->beta2 = 0.999;
    c->eps = method == RADVAR_ADAM_EPS ? 1e-4 : 1e-8;
    c->momentum = 0.9;
    c->weight_decay = method == RADVAR_ADAMW ? 1e-2 : 0.0;
    c->wd_kind = method == RADVAR_ADAMW ? RADVAR_WD_DECOUPLED : RADVAR_WD_L2;
    c->eps_placement = RADVAR_EPS_SQRT_VHAT;
    c->warmup_steps = 2000;
    c->v_only_steps = 2000;
    c->warmup_proportion = 0.1;
    snprintf(c->preset, sizeof c->preset, "%s", method_names[method]);
    if (method == RADVAR_RADAM)
        return radvar_optim_preset("pytorch", c);
    return RADVAR_SUCCESS;
}

int radvar_optim_preset(const char *name, radvar_optim_config *c)
{
    c->rect = RADVAR_RECTIFY_PAPER;
    c->nesterov = 0;
    c->amsgrad = 0;
    c->eps_root = 0;
    c->total_steps = 0;
    if (strcmp(name, "paper") == 0) {
        c->threshold = radvar_rectify_threshold_paper;
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_VHAT;
        c->wd_kind = RADVAR_WD_L2;
    } else if (strncmp(name, "official", 8) == 0) {
        /* LiyuanLucasLiu/RAdam radam.py, by the date of the rule: > 5 and a
         * momentum step below (2019-08-08); >= 5 and a momentum step below
         * (2019-08-16, and degenerated_to_sgd=True from 2019-10-10); >= 5 and
         * no step below (degenerated_to_sgd=False, the default from
         * 2021-07-31).  The decay p -= wd lr p is applied on steps that move,
         * which with a momentum step below is every step. */
        int first = strcmp(name, "official-2019-08-08") == 0;
        int momentum = first || strcmp(name, "official-2019-10-10") == 0;
        if (!momentum && strcmp(name, "official") != 0)
            return RADVAR_EINVAL;
        c->threshold = radvar_rectify_threshold_official;
        if (first)
            c->threshold.cmp = RADVAR_CMP_GT;
        c->below = momentum ? RADVAR_BELOW_MOMENTUM : RADVAR_BELOW_SKIP;
        c->eps_placement = RADVAR_EPS_SQRT_V;
        c->wd_kind = RADVAR_WD_DECOUPLED_TAKEN;
    } else if (strcmp(name, "pytorch") == 0) {
        c->threshold = radvar_rectify_threshold_pytorch;
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_V;
        c->wd_kind = RADVAR_WD_L2;
    } else if (strcmp(name, "optax") == 0) {
        c->threshold = (radvar_rectify_threshold){.name = "optax", .rho_min = 5.0, .cmp = RADVAR_CMP_GE};
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_VHAT;
        c->wd_kind = RADVAR_WD_NONE;
    } else if (strcmp(name, "tfa") == 0) {
        c->threshold = (radvar_rectify_threshold){.name = "tfa", .rho_min = 5.0, .cmp = RADVAR_CMP_GE};
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_VHAT;
        c->eps = 1e-7;
        c->wd_kind = RADVAR_WD_DECOUPLED_IN_LR;
    } else {
        return RADVAR_EINVAL;
    }
    snprintf(c->preset, sizeof c->preset, "%s", name);
    return RADVAR_SUCCESS;
}

static int valid_config(const radvar_optim_config *c)
{
    int ok = c->lr >= 0 && isfinite(c->lr) && c->beta1 >= 0 && c->beta1 < 1 && c->beta2 >= 0
             && c->beta2 < 1 && c->eps >= 0 && isfinite(c->eps) && c->eps_root >= 0
             && isfinite(c->eps_root) && c->weight_decay >= 0 && isfinite(c->weight_decay)
             && c->momentum >= 0 && c->momentum < 1 && (unsigned)c->method <= RADVAR_ADAM_EPS
             && (unsigned)c->wd_kind <= RADVAR_WD_DECOUPLED_IN_LR
             && (unsigned)c->below <= RADVAR_BELOW_SKIP
             && (unsigned)c->eps_placement <= RADVAR_EPS_SQRT_VHAT
             && (unsigned)c->rect <= RADVAR_RECTIFY_KURTOSIS
             && !(c->weight_decay > 0 && c->wd_kind == RADVAR_WD_NONE)
             /* amsgrad exists in Adam's kernel and the v_hat form of RAdam only */
             && !(c->amsgrad && c->method == RADVAR_RADAM
                  && (c->eps_placement == RADVAR_EPS_SQRT_V || c->rect == RADVAR_RECTIFY_KURTOSIS))
             && !(c->amsgrad && c->method == RADVAR_SGD);
    if (c->method == RADVAR_ADAM_WARMUP)
        ok &= c->warmup_steps >= 1 && isfinite(c->warmup_steps);
    if (c->method == RADVAR_ADAM_2K)
        ok &= c->v_only_steps >= 0 && isfinite(c->v_only_steps) && c->v_only_steps == floor(c->v_only_steps);
    if (c->method == RADVAR_RADAM) {
        ok &= isfinite(c->threshold.rho_min) && (unsigned)c->threshold.cmp <= RADVAR_CMP_GE;
        ok &= c->total_steps >= 0 && isfinite(c->total_steps) && c->min_lr >= 0
              && isfinite(c->min_lr) && c->warmup_proportion >= 0 && c->warmup_proportion <= 1;
    }
    return ok;
}

static size_t dtype_size(radvar_dtype d)
{
    return d == RADVAR_FLOAT32 ? sizeof(float) : sizeof(double);
}

void radvar_optim_free(radvar_optim *o)
{
    if (o == NULL)
        return;
    free(o->m);
    free(o->v);
    free(o->vmax);
    free(o->u4);
    free(o);
}

int radvar_optim_alloc(const radvar_optim_config *cfg, size_t n, radvar_dtype dtype,
                       radvar_optim **out)
{
    *out = NULL;
    if (cfg == NULL || !valid_config(cfg) || n == 0 || (dtype != RADVAR_FLOAT32 && dtype != RADVAR_FLOAT64))
        return RADVAR_EINVAL;
    radvar_optim *o = calloc(1, sizeof *o);
    if (o == NULL)
        return RADVAR_ENOMEM;
    o->cfg = *cfg;
    o->cfg.preset[sizeof o->cfg.preset - 1] = '\0';
    o->cfg.threshold.name[sizeof o->cfg.threshold.name - 1] = '\0';
    o->avx2 = radvar_dispatch_avx2();
    o->n = n;
    o->dtype = dtype;
    o->threads = 1;
    size_t bytes = n * dtype_size(dtype);
    o->m = calloc(1, bytes);
    o->v = cfg->method == RADVAR_SGD ? NULL : calloc(1, bytes);
    o->vmax = cfg->amsgrad ? calloc(1, bytes) : NULL;
    int kurtosis = cfg->method == RADVAR_RADAM && cfg->rect == RADVAR_RECTIFY_KURTOSIS;
    o->u4 = kurtosis ? calloc(1, bytes) : NULL;
    if (o->m == NULL || (cfg->method != RADVAR_SGD && o->v == NULL) || (cfg->amsgrad && o->vmax == NULL)
        || (kurtosis && o->u4 == NULL)) {
        radvar_optim_free(o);
        return RADVAR_ENOMEM;
    }
    radvar_optim_reset(o);
    *out = o;
    return RADVAR_SUCCESS;
}

int radvar_optim_set_threads(radvar_optim *o, int threads)
{
    if (threads < 1 || threads > 1024)
        return RADVAR_EINVAL;
    o->threads = threads;
    return RADVAR_SUCCESS;
}

void radvar_optim_set_fused_check(radvar_optim *o, int fused)
{
    o->fused_check = fused != 0;
}

void radvar_optim_reset(radvar_optim *o)
{
    size_t bytes = o->n * dtype_size(o->dtype);
    memset(o->m, 0, bytes);
    if (o->v)
        memset(o->v, 0, bytes);
    if (o->vmax)
        memset(o->vmax, 0, bytes);
    if (o->u4)
        memset(o->u4, 0, bytes);
    o->t = 0;
    memset(&o->diag, 0, sizeof o->diag);
    o->diag.rho_t = o->diag.r_t = NAN;
}

static int all_finite(const void *a, size_t n, radvar_dtype dtype)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(dtype == RADVAR_FLOAT32 ? (double)((const float *)a)[i] : ((const double *)a)[i]))
            return 0;
    return 1;
}

int radvar_optim_set_state(radvar_optim *o, uint64_t t, const void *m, const void *v,
                           const void *vmax)
{
    if (m == NULL || (v == NULL) != (o->v == NULL) || (vmax == NULL) != (o->vmax == NULL))
        return RADVAR_EINVAL;
    if (!all_finite(m, o->n, o->dtype) || (v && !all_finite(v, o->n, o->dtype))
        || (vmax && !all_finite(vmax, o->n, o->dtype)))
        return RADVAR_EINVAL;
    size_t bytes = o->n * dtype_size(o->dtype);
    memcpy(o->m, m, bytes);
    if (v)
        memcpy(o->v, v, bytes);
    if (vmax)
        memcpy(o->vmax, vmax, bytes);
    o->t = t;
    return RADVAR_SUCCESS;
}

/* The learning rate of step t: warmup for Adam-warmup, TFA's warmup and
 * linear decay for RAdam with total_steps > 0. */
static double scheduled_lr(const radvar_optim_config *c, double t)
{
    if (c->method == RADVAR_ADAM_WARMUP)
        return c->lr * radvar_schedule_warmup_linear(t, c->warmup_steps);
    if (c->method == RADVAR_RADAM && c->total_steps > 0) {
        /* tfa RectifiedAdam._resource_apply_dense */
        double warmup = c->total_steps * c->warmup_proportion;
        double decay_steps = fmax(c->total_steps - warmup, 1.0);
        double decay_rate = (c->min_lr - c->lr) / decay_steps;
        return t <= warmup ? c->lr * (t / warmup) : c->lr + decay_rate * fmin(t - warmup, decay_steps);
    }
    return c->lr;
}

/* RAdam's part of a step: rho_t, the rectification, the threshold and the
 * rule below it (radvar/rectify.h). */
static void radam_scalars(const radvar_optim_config *c, double t, struct step_scalars *s,
                          radvar_optim_diagnostics *d)
{
    s->kernel = c->eps_placement == RADVAR_EPS_SQRT_V ? KERNEL_RADAM_SQRT_V : KERNEL_RADAM_SQRT_VHAT;
    double rho_inf = radvar_schedule_rho_inf(c->beta2), rho_t = radvar_schedule_rho_t(c->beta2, t);
    d->rho_t = rho_t;
    s->eps_placement = c->eps_placement;
    s->below_momentum = c->below == RADVAR_BELOW_MOMENTUM;
    if (c->rect == RADVAR_RECTIFY_PAPER) {
        s->rectified = radvar_rectify_threshold_applies(&c->threshold, rho_t);
        s->r = radvar_rectify_paper_from_rho(rho_t, rho_inf);
    } else { /* applied where the variance is finite (Theorem 1: dof > 2) */
        s->r = radvar_rectify(c->rect, c->beta2, t);
        s->rectified = isfinite(s->r);
    }
    if (c->rect == RADVAR_RECTIFY_KURTOSIS) {
        /* per coordinate: the Gaussian r (kappa <= 3) is the step's own */
        s->kernel = KERNEL_RADAM_KURTOSIS;
        s->rho_moment = radvar_schedule_rho_moment(c->beta2, t);
        s->rho_inf = rho_inf;
    }
    if (!s->rectified) {
        s->r = NAN;
        /* the kurtosis kernel decides per coordinate; r <= the Gaussian's */
        s->move = c->below == RADVAR_BELOW_MOMENTUM || s->kernel == KERNEL_RADAM_KURTOSIS;
    }
    d->r_t = s->r;
    if (s->rectified) {
        d->lr_adaptive = s->lr * s->r / s->bc1 * (c->eps_placement == RADVAR_EPS_SQRT_V ? s->bc2_sqrt : 1.0);
        d->lr_momentum = NAN;
    } else {
        d->lr_adaptive = NAN;
        d->lr_momentum = s->lr / s->bc1;
    }
}

static void step_scalars(const radvar_optim *o, double t, struct step_scalars *s,
                         radvar_optim_diagnostics *d)
{
    const radvar_optim_config *c = &o->cfg;
    memset(s, 0, sizeof *s);
    s->wd_kind = c->weight_decay != 0 ? c->wd_kind : RADVAR_WD_NONE;
    s->beta1 = c->beta1;
    s->beta2 = c->beta2;
    s->wd = c->weight_decay;
    s->eps = c->eps;
    s->eps_root = c->eps_root;
    s->momentum = c->momentum;
    s->nesterov = c->nesterov;
    s->amsgrad = c->amsgrad;
    s->lr = scheduled_lr(c, t);
    s->move = 1;
    s->update_m = 1;
    /* bias corrections as the implementations compute them: 1 - beta ** step */
    s->bc1 = 1.0 - pow(c->beta1, t);
    s->bc2 = 1.0 - pow(c->beta2, t);
    s->bc2_sqrt = sqrt(s->bc2);
    s->bc1_next = 1.0 - pow(c->beta1, t + 1.0);
    memset(d, 0, sizeof *d);
    d->step = (uint64_t)t;
    d->rho_t = d->r_t = NAN;
    d->lr = s->lr;
    switch (c->method) {
    case RADVAR_SGD:
        s->kernel = KERNEL_SGD;
        s->first_momentum_step = t == 1.0;
        d->r_t = 1;
        d->lr_adaptive = NAN;
        d->lr_momentum = s->lr;
        break;
    case RADVAR_ADAM_2K:
        if (t <= c->v_only_steps) { /* v only: no momentum, no move */
            s->move = 0;
            s->update_m = 0;
        } else {
            s->bc1 = 1.0 - pow(c->beta1, t - c->v_only_steps); /* m starts at K + 1 */
        }
        /* fall through */
    case RADVAR_ADAM:
    case RADVAR_ADAMW:
    case RADVAR_ADAM_WARMUP:
    case RADVAR_ADAM_EPS:
        s->kernel = KERNEL_ADAM;
        s->step_size = s->lr / s->bc1;
        d->r_t = 1;
        d->lr_adaptive = s->step_size;
        d->lr_momentum = NAN;
        break;
    case RADVAR_RADAM:
        radam_scalars(c, t, s, d);
        break;
    }
    d->rectified = s->rectified;
    /* with the kurtosis kernel: what a coordinate with kappa <= 3 does */
    d->moved = s->kernel == KERNEL_RADAM_KURTOSIS ? (s->rectified || s->below_momentum) : s->move;
    if (!d->moved)
        d->lr_adaptive = d->lr_momentum = 0;
}

/* A value is NaN or infinite exactly when its exponent bits are all ones;
 * testing them as integers vectorises (isfinite on float does not, here). */
static int any_nonfinite(const radvar_optim *o, const void *grads)
{
    int bad = 0;
    long long n = (long long)o->n;
    if (o->threads == 1) { /* no parallel region: its start costs microseconds */
        for (long long i = 0; i < n; i++)
            bad |= o->dtype == RADVAR_FLOAT32
                       ? (((const uint32_t *)grads)[i] & UINT32_C(0x7f800000)) == UINT32_C(0x7f800000)
                       : (((const uint64_t *)grads)[i] & UINT64_C(0x7ff0000000000000))
                             == UINT64_C(0x7ff0000000000000);
        return bad;
    }
    if (o->dtype == RADVAR_FLOAT32) {
        const uint32_t *g = grads;
#pragma omp parallel for reduction(| : bad) num_threads(o->threads) schedule(static)
        for (long long i = 0; i < n; i++)
            bad |= (g[i] & UINT32_C(0x7f800000)) == UINT32_C(0x7f800000);
    } else {
        const uint64_t *g = grads;
#pragma omp parallel for reduction(| : bad) num_threads(o->threads) schedule(static)
        for (long long i = 0; i < n; i++)
            bad |= (g[i] & UINT64_C(0x7ff0000000000000)) == UINT64_C(0x7ff0000000000000);
    }
    return bad;
}

#define BLOCK 4096

static int step_block(const radvar_optim *o, const struct step_scalars *s, size_t lo, size_t hi,
                      void *params, const void *grads)
{
#if RADVAR_HAVE_AVX2_PATH
    if (o->avx2)
        return o->dtype == RADVAR_FLOAT32
                   ? step_elements_f32_avx2(s, lo, hi, params, grads, o->m, o->v, o->vmax, o->u4)
                   : step_elements_f64_avx2(s, lo, hi, params, grads, o->m, o->v, o->vmax, o->u4);
#endif
    return o->dtype == RADVAR_FLOAT32 ? step_elements_f32(s, lo, hi, params, grads, o->m, o->v, o->vmax, o->u4)
                                      : step_elements_f64(s, lo, hi, params, grads, o->m, o->v, o->vmax, o->u4);
}

static int step(radvar_optim *o, void *params, const void *grads)
{
    if (!o->fused_check && any_nonfinite(o, grads))
        return RADVAR_ENONFINITE;
    double t = (double)(o->t + 1);
    struct step_scalars s;
    radvar_optim_diagnostics d;
    step_scalars(o, t, &s, &d);
    long long blocks = (long long)((o->n + BLOCK - 1) / BLOCK);
    int bad = 0;
    if (o->threads == 1) /* as above: no parallel region for one thread */
        bad = step_block(o, &s, 0, o->n, params, grads);
    else
#pragma omp parallel for reduction(| : bad) num_threads(o->threads) schedule(static)
    for (long long b = 0; b < blocks; b++) {
        size_t lo = (size_t)b * BLOCK, hi = lo + BLOCK < o->n ? lo + BLOCK : o->n;
        bad |= step_block(o, &s, lo, hi, params, grads);
    }
    o->t++;
    o->diag = d;
    return bad ? RADVAR_ENONFINITE : RADVAR_SUCCESS;
}

int radvar_optim_step_f32(radvar_optim *o, float *params, const float *grads)
{
    if (params == NULL || grads == NULL || o->dtype != RADVAR_FLOAT32)
        return RADVAR_EINVAL;
    return step(o, params, grads);
}

int radvar_optim_step_f64(radvar_optim *o, double *params, const double *grads)
{
    if (params == NULL || grads == NULL || o->dtype != RADVAR_FLOAT64)
        return RADVAR_EINVAL;
    return step(o, params, grads);
}

void radvar_optim_diag(const radvar_optim *o, radvar_optim_diagnostics *d)
{
    *d = o->diag;
}

const void *radvar_optim_m(const radvar_optim *o) { return o->m; }
const void *radvar_optim_v(const radvar_optim *o) { return o->v; }
const void *radvar_optim_vmax(const radvar_optim *o) { return o->vmax; }
const void *radvar_optim_u4(const radvar_optim *o) { return o->u4; }

int radvar_optim_set_u4(radvar_optim *o, const void *u4)
{
    if (o->u4 == NULL || u4 == NULL || !all_finite(u4, o->n, o->dtype))
        return RADVAR_EINVAL;
    memcpy(o->u4, u4, o->n * dtype_size(o->dtype));
    return RADVAR_SUCCESS;
}
radvar_dtype radvar_optim_dtype(const radvar_optim *o) { return o->dtype; }
uint64_t radvar_optim_steps(const radvar_optim *o) { return o->t; }
size_t radvar_optim_size(const radvar_optim *o) { return o->n; }

/* ---- save / load ----
 * Layout, every number little-endian whatever the machine: magic
 * "RADVAROPT\0" (10 bytes), u32 version (2), u32 method, u32 dtype, u32 flags
 * (bit 0: v, bit 1: vmax, bit 2: u4), u64 n, u64 t, f64 lr, beta1, beta2, eps,
 * weight_decay, then the arrays m, v, vmax, u4 (n values of the dtype each), then
 * the u64 FNV-1a checksum of every byte before it. */
static const char magic[10] = "RADVAROPT";
#define STATE_VERSION 2u
#define IO_CHUNK 8192 /* values converted per write or read */

typedef struct {
    FILE *f;
    uint64_t h;
    int ok;
} io_state;

static void put_bytes(io_state *io, const void *data, size_t len)
{
    io->h = radvar_checksum_fnv1a(io->h, data, len);
    io->ok = io->ok && fwrite(data, 1, len, io->f) == len;
}

static void put_u64(io_state *io, uint64_t x)
{
    unsigned char b[8];
    for (int k = 0; k < 8; k++)
        b[k] = (unsigned char)(x >> (8 * k));
    put_bytes(io, b, 8);
}

static void put_u32(io_state *io, uint32_t x)
{
    unsigned char b[4];
    for (int k = 0; k < 4; k++)
        b[k] = (unsigned char)(x >> (8 * k));
    put_bytes(io, b, 4);
}

static void put_f64(io_state *io, double x)
{
    uint64_t u;
    memcpy(&u, &x, 8);
    put_u64(io, u);
}

/* n values of the dtype, each as its IEEE bits in little-endian order */
static void put_array(io_state *io, const void *a, size_t n, radvar_dtype dtype)
{
    unsigned char buf[IO_CHUNK * 8];
    size_t es = dtype_size(dtype);
    for (size_t i = 0; i < n && io->ok; i += IO_CHUNK) {
        size_t m = n - i < IO_CHUNK ? n - i : IO_CHUNK;
        for (size_t k = 0; k < m; k++) {
            uint64_t u = 0;
            if (dtype == RADVAR_FLOAT32) {
                uint32_t w;
                memcpy(&w, (const float *)a + i + k, 4);
                u = w;
            } else {
                memcpy(&u, (const double *)a + i + k, 8);
            }
            for (size_t b = 0; b < es; b++)
                buf[k * es + b] = (unsigned char)(u >> (8 * b));
        }
        put_bytes(io, buf, m * es);
    }
}

static int get_bytes(io_state *io, void *data, size_t len)
{
    io->ok = io->ok && fread(data, 1, len, io->f) == len;
    if (io->ok)
        io->h = radvar_checksum_fnv1a(io->h, data, len);
    return io->ok;
}

static uint64_t get_u64(io_state *io)
{
    unsigned char b[8];
    uint64_t x = 0;
    if (get_bytes(io, b, 8))
        for (int k = 0; k < 8; k++)
            x |= (uint64_t)b[k] << (8 * k);
    return x;
}

static uint32_t get_u32(io_state *io)
{
    unsigned char b[4];
    uint32_t x = 0;
    if (get_bytes(io, b, 4))
        for (int k = 0; k < 4; k++)
            x |= (uint32_t)b[k] << (8 * k);
    return x;
}

static double get_f64(io_state *io)
{
    uint64_t u = get_u64(io);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

static void get_array(io_state *io, void *a, size_t n, radvar_dtype dtype)
{
    unsigned char buf[IO_CHUNK * 8];
    size_t es = dtype_size(dtype);
    for (size_t i = 0; i < n && io->ok; i += IO_CHUNK) {
        size_t m = n - i < IO_CHUNK ? n - i : IO_CHUNK;
        if (!get_bytes(io, buf, m * es))
            return;
        for (size_t k = 0; k < m; k++) {
            uint64_t u = 0;
            for (size_t b = 0; b < es; b++)
                u |= (uint64_t)buf[k * es + b] << (8 * b);
            if (dtype == RADVAR_FLOAT32) {
                uint32_t w = (uint32_t)u;
                memcpy((float *)a + i + k, &w, 4);
            } else {
                memcpy((double *)a + i + k, &u, 8);
            }
        }
    }
}

static uint32_t state_flags(const radvar_optim *o)
{
    return (o->v ? 1u : 0u) | (o->vmax ? 2u : 0u) | (o->u4 ? 4u : 0u);
}

static void write_state(const radvar_optim *o, io_state *io)
{
    const radvar_optim_config *c = &o->cfg;
    put_bytes(io, magic, sizeof magic);
    put_u32(io, STATE_VERSION);
    put_u32(io, (uint32_t)c->method);
    put_u32(io, (uint32_t)o->dtype);
    put_u32(io, state_flags(o));
    put_u64(io, o->n);
    put_u64(io, o->t);
    const double knobs[5] = {c->lr, c->beta1, c->beta2, c->eps, c->weight_decay};
    for (int k = 0; k < 5; k++)
        put_f64(io, knobs[k]);
    put_array(io, o->m, o->n, o->dtype);
    if (o->v)
        put_array(io, o->v, o->n, o->dtype);
    if (o->vmax)
        put_array(io, o->vmax, o->n, o->dtype);
    if (o->u4)
        put_array(io, o->u4, o->n, o->dtype);
    put_u64(io, io->h);
}

int radvar_optim_save(const radvar_optim *o, const char *path)
{
    if (path == NULL || *path == '\0')
        return RADVAR_EINVAL;
    /* only a regular file (or a new name) is replaced; a symbolic link is
     * followed, so that the file it names is replaced and the link kept */
    char *target = realpath(path, NULL);
    struct stat st;
    if (target != NULL && (stat(target, &st) != 0 || !S_ISREG(st.st_mode))) {
        free(target);
        return RADVAR_EINVAL;
    }
    const char *dest = target ? target : path;
    size_t len = strlen(dest) + 16;
    char *tmp = malloc(len);
    if (tmp == NULL) {
        free(target);
        return RADVAR_ENOMEM;
    }
    snprintf(tmp, len, "%s.tmp.XXXXXX", dest);
    int fd = mkstemp(tmp);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    int status = RADVAR_EIO;
    if (f != NULL) {
        io_state io = {f, RADVAR_FNV1A_INIT, 1};
        write_state(o, &io);
        int ok = io.ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
        ok &= fclose(f) == 0;
        if (ok && rename(tmp, dest) == 0)
            status = RADVAR_SUCCESS;
    } else if (fd >= 0) {
        close(fd);
    }
    if (status != RADVAR_SUCCESS && fd >= 0)
        unlink(tmp);
    free(tmp);
    free(target);
    return status;
}

/* Read the whole state into freshly allocated arrays, checking it against o;
 * RADVAR_EFORMAT at the first mismatch. */
static int read_state(const radvar_optim *o, io_state *io, void *m, void *v, void *vmax,
                      void *u4, uint64_t *t)
{
    const radvar_optim_config *c = &o->cfg;
    char got_magic[sizeof magic];
    if (!get_bytes(io, got_magic, sizeof got_magic) || memcmp(got_magic, magic, sizeof magic) != 0)
        return RADVAR_EFORMAT; /* foreign */
    uint32_t version = get_u32(io), method = get_u32(io), dtype = get_u32(io), flags = get_u32(io);
    if (!io->ok || version != STATE_VERSION || method != (uint32_t)c->method
        || dtype != (uint32_t)o->dtype || flags != state_flags(o))
        return RADVAR_EFORMAT; /* another version, method, dtype or amsgrad setting */
    uint64_t n = get_u64(io);
    *t = get_u64(io);
    const double knobs[5] = {c->lr, c->beta1, c->beta2, c->eps, c->weight_decay};
    int same = 1;
    for (int k = 0; k < 5; k++) {
        double x = get_f64(io);
        same &= memcmp(&x, &knobs[k], sizeof x) == 0;
    }
    if (!io->ok || n != o->n || !same)
        return RADVAR_EFORMAT; /* another size or other hyper-parameters */
    get_array(io, m, o->n, o->dtype);
    if (v)
        get_array(io, v, o->n, o->dtype);
    if (vmax)
        get_array(io, vmax, o->n, o->dtype);
    if (u4)
        get_array(io, u4, o->n, o->dtype);
    uint64_t computed = io->h, stored = get_u64(io);
    if (!io->ok || stored != computed || fgetc(io->f) != EOF)
        return RADVAR_EFORMAT; /* truncated, corrupt, or trailing bytes */
    return RADVAR_SUCCESS;
}

int radvar_optim_load(radvar_optim *o, const char *path)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    if (f == NULL)
        return RADVAR_EIO;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return RADVAR_EIO;
    }
    size_t bytes = o->n * dtype_size(o->dtype);
    void *m = malloc(bytes), *v = o->v ? malloc(bytes) : NULL, *vmax = o->vmax ? malloc(bytes) : NULL,
         *u4 = o->u4 ? malloc(bytes) : NULL;
    uint64_t t = 0;
    int status = RADVAR_ENOMEM;
    if (m != NULL && (o->v == NULL || v != NULL) && (o->vmax == NULL || vmax != NULL)
        && (o->u4 == NULL || u4 != NULL)) {
        io_state io = {f, RADVAR_FNV1A_INIT, 1};
        status = read_state(o, &io, m, v, vmax, u4, &t);
    }
    if (status == RADVAR_SUCCESS) {
        memcpy(o->m, m, bytes);
        if (v)
            memcpy(o->v, v, bytes);
        if (vmax)
            memcpy(o->vmax, vmax, bytes);
        if (u4)
            memcpy(o->u4, u4, bytes);
        o->t = t;
    }
    fclose(f);
    free(m);
    free(v);
    free(vmax);
    free(u4);
    return status;
}
