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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "radvar/optim.h"
#include "radvar/theory.h"

enum kernel { KERNEL_SGD, KERNEL_ADAM, KERNEL_RADAM_SQRT_V, KERNEL_RADAM_SQRT_VHAT };

struct step_scalars {
    enum kernel kernel;
    radvar_weight_decay wd_kind;
    double beta1, beta2, wd, eps, eps_root, lr, momentum;
    double bc1, bc2, bc2_sqrt, bc1_next, step_size, r;
    int move, rectified, update_m, nesterov, amsgrad, first_momentum_step;
};

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

struct radvar_optim {
    radvar_optim_config cfg;
    char preset[16];
    size_t n;
    radvar_dtype dtype;
    void *m, *v, *vmax;
    uint64_t t;
    int threads, fused_check;
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
    c->preset = method == RADVAR_RADAM ? "pytorch" : method_names[method];
    if (method == RADVAR_RADAM)
        return radvar_optim_preset("pytorch", c);
    return RADVAR_SUCCESS;
}

int radvar_optim_preset(const char *name, radvar_optim_config *c)
{
    c->rect_exact = 0;
    c->nesterov = 0;
    c->amsgrad = 0;
    c->eps_root = 0;
    c->total_steps = 0;
    if (strcmp(name, "paper") == 0) {
        c->threshold = radvar_threshold_paper;
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_VHAT;
        c->wd_kind = RADVAR_WD_L2;
        c->preset = "paper";
    } else if (strcmp(name, "official") == 0) {
        c->threshold = radvar_threshold_official;
        c->below = RADVAR_BELOW_SKIP;
        c->eps_placement = RADVAR_EPS_SQRT_V;
        c->wd_kind = RADVAR_WD_DECOUPLED_TAKEN;
        c->preset = "official";
    } else if (strcmp(name, "pytorch") == 0) {
        c->threshold = radvar_threshold_pytorch;
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_V;
        c->wd_kind = RADVAR_WD_L2;
        c->preset = "pytorch";
    } else if (strcmp(name, "optax") == 0) {
        c->threshold = (radvar_threshold){"optax", 5.0, RADVAR_CMP_GE};
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_VHAT;
        c->wd_kind = RADVAR_WD_NONE;
        c->preset = "optax";
    } else if (strcmp(name, "tfa") == 0) {
        c->threshold = (radvar_threshold){"tfa", 5.0, RADVAR_CMP_GE};
        c->below = RADVAR_BELOW_MOMENTUM;
        c->eps_placement = RADVAR_EPS_SQRT_VHAT;
        c->eps = 1e-7;
        c->wd_kind = RADVAR_WD_DECOUPLED_IN_LR;
        c->preset = "tfa";
    } else {
        return RADVAR_EINVAL;
    }
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
             && (unsigned)c->eps_placement <= RADVAR_EPS_SQRT_VHAT;
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
    snprintf(o->preset, sizeof o->preset, "%s", cfg->preset ? cfg->preset : "");
    o->cfg.preset = o->preset;
    o->n = n;
    o->dtype = dtype;
    o->threads = 1;
    size_t bytes = n * dtype_size(dtype);
    o->m = calloc(1, bytes);
    o->v = cfg->method == RADVAR_SGD ? NULL : calloc(1, bytes);
    o->vmax = cfg->amsgrad ? calloc(1, bytes) : NULL;
    if (o->m == NULL || (cfg->method != RADVAR_SGD && o->v == NULL) || (cfg->amsgrad && o->vmax == NULL)) {
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
    o->t = 0;
    memset(&o->diag, 0, sizeof o->diag);
    o->diag.rho_t = o->diag.r_t = NAN;
}

/* The learning rate of step t: warmup for Adam-warmup, TFA's warmup and
 * linear decay for RAdam with total_steps > 0. */
static double scheduled_lr(const radvar_optim_config *c, double t)
{
    if (c->method == RADVAR_ADAM_WARMUP)
        return c->lr * radvar_warmup_linear(t, c->warmup_steps);
    if (c->method == RADVAR_RADAM && c->total_steps > 0) {
        /* tfa RectifiedAdam._resource_apply_dense */
        double warmup = c->total_steps * c->warmup_proportion;
        double decay_steps = fmax(c->total_steps - warmup, 1.0);
        double decay_rate = (c->min_lr - c->lr) / decay_steps;
        return t <= warmup ? c->lr * (t / warmup) : c->lr + decay_rate * fmin(t - warmup, decay_steps);
    }
    return c->lr;
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
        d->effective_lr = s->lr;
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
        d->effective_lr = s->move ? s->step_size : 0;
        break;
    case RADVAR_RADAM: {
        s->kernel = c->eps_placement == RADVAR_EPS_SQRT_V ? KERNEL_RADAM_SQRT_V : KERNEL_RADAM_SQRT_VHAT;
        double rho_inf = radvar_rho_inf(c->beta2), rho_t = radvar_rho_t(c->beta2, t);
        d->rho_t = rho_t;
        if (c->rect_exact) {
            s->rectified = rho_t > 2.0; /* the variance is finite: Theorem 1 */
            s->r = radvar_rect_exact_from_rho(rho_t, rho_inf);
        } else {
            s->rectified = radvar_threshold_applies(&c->threshold, rho_t);
            s->r = radvar_rect_from_rho(rho_t, rho_inf);
        }
        if (!s->rectified) {
            s->r = NAN;
            s->move = c->below == RADVAR_BELOW_MOMENTUM;
        }
        d->r_t = s->r;
        d->effective_lr = !s->move ? 0
                          : s->rectified ? s->lr * s->r / s->bc1
                                               * (s->kernel == KERNEL_RADAM_SQRT_V ? s->bc2_sqrt : 1.0)
                                         : s->lr / s->bc1;
        break;
    }
    }
    d->rectified = s->rectified;
    d->moved = s->move;
}

/* A value is NaN or infinite exactly when its exponent bits are all ones;
 * testing them as integers vectorises (isfinite on float does not, here). */
static int any_nonfinite(const radvar_optim *o, const void *grads)
{
    int bad = 0;
    long long n = (long long)o->n;
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

int radvar_optim_step(radvar_optim *o, void *params, const void *grads)
{
    if (params == NULL || grads == NULL)
        return RADVAR_EINVAL;
    if (!o->fused_check && any_nonfinite(o, grads))
        return RADVAR_ENONFINITE;
    double t = (double)(o->t + 1);
    struct step_scalars s;
    radvar_optim_diagnostics d;
    step_scalars(o, t, &s, &d);
    long long blocks = (long long)((o->n + BLOCK - 1) / BLOCK);
    int bad = 0;
#pragma omp parallel for reduction(| : bad) num_threads(o->threads) schedule(static)
    for (long long b = 0; b < blocks; b++) {
        size_t lo = (size_t)b * BLOCK, hi = lo + BLOCK < o->n ? lo + BLOCK : o->n;
        if (o->dtype == RADVAR_FLOAT32)
            bad |= step_elements_f32(&s, lo, hi, params, grads, o->m, o->v, o->vmax);
        else
            bad |= step_elements_f64(&s, lo, hi, params, grads, o->m, o->v, o->vmax);
    }
    o->t++;
    o->diag = d;
    return bad ? RADVAR_ENONFINITE : RADVAR_SUCCESS;
}

void radvar_optim_diag(const radvar_optim *o, radvar_optim_diagnostics *d)
{
    *d = o->diag;
}

const void *radvar_optim_m(const radvar_optim *o) { return o->m; }
const void *radvar_optim_v(const radvar_optim *o) { return o->v; }
const void *radvar_optim_vmax(const radvar_optim *o) { return o->vmax; }
radvar_dtype radvar_optim_dtype(const radvar_optim *o) { return o->dtype; }
uint64_t radvar_optim_steps(const radvar_optim *o) { return o->t; }
size_t radvar_optim_size(const radvar_optim *o) { return o->n; }

/* ---- save / load ----
 * Layout (little-endian as written by this machine): magic "RADVAROPT\0",
 * u32 version, u32 method, u32 dtype, u32 flags (bit 0: v, bit 1: vmax),
 * u64 n, u64 t, then m, v, vmax arrays, then u64 FNV-1a checksum of all bytes
 * before it. */
static const char magic[10] = "RADVAROPT";
#define STATE_VERSION 1u

static int write_block(FILE *f, uint64_t *h, const void *data, size_t len)
{
    *h = radvar_fnv1a(*h, data, len);
    return fwrite(data, 1, len, f) == len;
}

int radvar_optim_save(const radvar_optim *o, const char *path)
{
    FILE *f = fopen(path, "wb");
    if (f == NULL)
        return RADVAR_EIO;
    uint64_t h = RADVAR_FNV1A_INIT;
    uint32_t head[4] = {STATE_VERSION, (uint32_t)o->cfg.method, (uint32_t)o->dtype,
                        (o->v ? 1u : 0u) | (o->vmax ? 2u : 0u)};
    uint64_t sizes[2] = {o->n, o->t};
    size_t bytes = o->n * dtype_size(o->dtype);
    int ok = write_block(f, &h, magic, sizeof magic) && write_block(f, &h, head, sizeof head)
             && write_block(f, &h, sizes, sizeof sizes) && write_block(f, &h, o->m, bytes)
             && (!o->v || write_block(f, &h, o->v, bytes))
             && (!o->vmax || write_block(f, &h, o->vmax, bytes));
    ok = ok && fwrite(&h, sizeof h, 1, f) == 1;
    ok &= fclose(f) == 0;
    return ok ? RADVAR_SUCCESS : RADVAR_EIO;
}

static int read_block(FILE *f, uint64_t *h, void *data, size_t len)
{
    if (fread(data, 1, len, f) != len)
        return 0;
    *h = radvar_fnv1a(*h, data, len);
    return 1;
}

int radvar_optim_load(radvar_optim *o, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return RADVAR_EIO;
    uint64_t h = RADVAR_FNV1A_INIT, sizes[2], stored;
    char got_magic[sizeof magic];
    uint32_t head[4];
    size_t bytes = o->n * dtype_size(o->dtype);
    int status = RADVAR_EFORMAT;
    void *m = malloc(bytes), *v = o->v ? malloc(bytes) : NULL, *vmax = o->vmax ? malloc(bytes) : NULL;
    if (m == NULL || (o->v && v == NULL) || (o->vmax && vmax == NULL)) {
        status = RADVAR_ENOMEM;
        goto done;
    }
    if (!read_block(f, &h, got_magic, sizeof got_magic) || memcmp(got_magic, magic, sizeof magic) != 0)
        goto done; /* foreign */
    if (!read_block(f, &h, head, sizeof head) || head[0] != STATE_VERSION
        || head[1] != (uint32_t)o->cfg.method || head[2] != (uint32_t)o->dtype
        || head[3] != ((o->v ? 1u : 0u) | (o->vmax ? 2u : 0u)))
        goto done; /* another version, method, dtype or amsgrad setting */
    if (!read_block(f, &h, sizes, sizeof sizes) || sizes[0] != o->n)
        goto done;
    if (!read_block(f, &h, m, bytes) || (v && !read_block(f, &h, v, bytes))
        || (vmax && !read_block(f, &h, vmax, bytes)))
        goto done; /* truncated */
    if (fread(&stored, sizeof stored, 1, f) != 1 || stored != h || fgetc(f) != EOF)
        goto done; /* corrupt or trailing bytes */
    memcpy(o->m, m, bytes);
    if (v)
        memcpy(o->v, v, bytes);
    if (vmax)
        memcpy(o->vmax, vmax, bytes);
    o->t = sizes[1];
    status = RADVAR_SUCCESS;
done:
    fclose(f);
    free(m);
    free(v);
    free(vmax);
    return status;
}
