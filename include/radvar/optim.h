/* radvar/optim.h: a reference optimizer over flat parameter arrays -- SGD,
 * Adam, AdamW, RAdam and the paper's probes -- whose every step can be traced
 * to a named convention of a named implementation.
 *
 * The RAdam conventions differ in five knobs, all settable here: the
 * threshold on rho_t and its comparison, what happens below it, where eps goes,
 * the kind of weight decay, and the learning-rate schedule.  radvar_optim_preset
 * fills a configuration that reproduces one implementation's update exactly:
 *   "paper"    Liu et al. 2020, Algorithm 2: rho_t > 4, momentum step below,
 *              eps added to sqrt(v_hat) (the paper has none; 1e-8 guards v = 0)
 *   "official" LiyuanLucasLiu/RAdam radam.py as of 2021-07-31 (default
 *              degenerated_to_sgd=False): rho_t >= 5, no step below, eps
 *              added to sqrt(v) and sqrt(1-beta2^t) in the step size,
 *              decoupled weight decay p -= wd lr p, only on steps taken.
 *              Earlier versions: "official-2019-10-10" (the rule from
 *              2019-08-16 on, and degenerated_to_sgd=True from 2019-10-10 to
 *              2021-07-30, also the pip package: rho_t >= 5, momentum step
 *              lr m/(1-b1^t) below) and "official-2019-08-08" (the first
 *              release: rho_t > 5, momentum step below).  The official code
 *              computes in float32 whatever the parameters' type: use the
 *              float32 dtype to reproduce it.
 *   "pytorch"  torch.optim.RAdam (1.13, foreach=False): rho_t > 5, momentum
 *              step below, eps added to sqrt(v), L2 weight decay (grad += wd p);
 *              decoupled (torch >= 2.0 option) as p *= 1 - lr wd
 *   "optax"    optax.radam: rho_t >= 5, momentum step below, update
 *              r m_hat / (sqrt(v_hat + eps_root) + eps), optional Nesterov
 *   "tfa"      tfa.optimizers.RectifiedAdam: rho_t >= 5, eps = 1e-7 added to
 *              sqrt(v_hat), decoupled decay inside the lr (p -= lr (u + wd p)),
 *              optional warmup then linear decay to min_lr, optional amsgrad
 * Rectification (r_t, the thresholds) comes from radvar/rectify.h, rho_t
 * from radvar/schedule.h.
 */
#ifndef RADVAR_OPTIM_H
#define RADVAR_OPTIM_H

#include <stddef.h>
#include <stdint.h>

#include "radvar/common.h"
#include "radvar/rectify.h"

RADVAR_BEGIN_DECLS

/* The preset names, for messages. */
#define RADVAR_OPTIM_PRESETS \
    "paper, official, official-2019-10-10, official-2019-08-08, pytorch, optax, tfa"

typedef enum {
    RADVAR_SGD,         /* heavy-ball momentum (PyTorch's SGD), optional Nesterov */
    RADVAR_ADAM,        /* torch.optim.Adam */
    RADVAR_ADAMW,       /* torch.optim.AdamW */
    RADVAR_RADAM,       /* RAdam, by preset */
    RADVAR_ADAM_WARMUP, /* Adam with linear warmup over warmup_steps */
    RADVAR_ADAM_2K,     /* Adam-2k: the first v_only_steps steps update v only */
    RADVAR_ADAM_EPS     /* Adam-eps: Adam with eps = 1e-4 */
} radvar_method;

typedef enum { RADVAR_FLOAT32, RADVAR_FLOAT64 } radvar_dtype;

typedef enum {
    RADVAR_BELOW_MOMENTUM, /* un-adapted step lr m_hat (paper, PyTorch, optax, TFA) */
    RADVAR_BELOW_SKIP      /* no step (official code's first release) */
} radvar_below_rule;

typedef enum {
    RADVAR_EPS_SQRT_V,   /* sqrt(1-b2^t) / (sqrt(v) + eps): PyTorch RAdam, official */
    RADVAR_EPS_SQRT_VHAT /* 1 / (sqrt(v_hat + eps_root) + eps): Adam, paper, optax, TFA */
} radvar_eps_placement;

typedef enum {
    RADVAR_WD_NONE,
    RADVAR_WD_L2,              /* g += wd p before the moments (PyTorch Adam/RAdam) */
    RADVAR_WD_DECOUPLED,       /* p *= 1 - lr wd before the update (AdamW, torch RAdam option) */
    RADVAR_WD_DECOUPLED_TAKEN, /* p -= wd lr p, only on steps that move (official) */
    RADVAR_WD_DECOUPLED_IN_LR  /* p -= lr (u + wd p) (TFA) */
} radvar_weight_decay;

typedef struct {
    radvar_method method;
    double lr, beta1, beta2, eps, eps_root, weight_decay;
    radvar_weight_decay wd_kind;
    double momentum;      /* SGD */
    int nesterov;         /* SGD; RAdam optax form */
    int amsgrad;          /* Adam, AdamW, RAdam (TFA form): v_hat uses max over t */
    radvar_rectify_threshold threshold;  /* RAdam, with the paper's r_t */
    radvar_below_rule below;             /* RAdam */
    radvar_eps_placement eps_placement;  /* RAdam (Adam variants: SQRT_VHAT) */
    radvar_rectify_kind rect; /* RAdam: the paper's r_t (default, with the threshold);
                                 sma-exact, moment or kurtosis (radvar/rectify.h),
                                 applied as soon as their dof exceed 2 (finite
                                 variance).  kurtosis keeps one more state array,
                                 u = EMA of g^4 at beta2, and estimates per
                                 coordinate kappa = u_hat / v_hat^2 (bias-corrected,
                                 floored at 3: never less rectification than the
                                 Gaussian's), then r from rho_mm = rho_moment
                                 2/(kappa-1) and the below rule where rho_mm <= 2 */
    double warmup_steps;  /* ADAM_WARMUP: Tw >= 1 */
    double v_only_steps;  /* ADAM_2K: K >= 0 (default 2000) */
    double total_steps;   /* TFA schedule: > 0 enables warmup + linear decay */
    double warmup_proportion, min_lr; /* TFA schedule */
    char preset[32];      /* name, for diagnostics */
} radvar_optim_config;

/* Defaults for a method (the configuration's initialiser: set the fields
 * that differ afterwards, by name): lr 1e-3, betas (0.9, 0.999), eps 1e-8 (Adam-eps 1e-4),
 * weight decay 0 (AdamW 1e-2), Adam-2k K = 2000, Adam warmup Tw = 2000, SGD
 * lr 1e-2 momentum 0.9; for RAdam the "pytorch" preset.
 * exceptions: RADVAR_EINVAL for an unknown method. */
RADVAR_API int radvar_optim_defaults(radvar_method method, radvar_optim_config *cfg);

/* Set the RAdam convention of a named preset (RADVAR_OPTIM_PRESETS) on cfg,
 * keeping lr, betas and weight_decay.  exceptions: RADVAR_EINVAL. */
RADVAR_API int radvar_optim_preset(const char *name, radvar_optim_config *cfg);

/* Set one knob of cfg by name, from text: the parser that every front end
 * shares.  Names ('-' and '_' alike): lr, beta1, beta2, eps, eps_root,
 * weight_decay, momentum (numbers, with the ranges of radvar_optim_alloc),
 * warmup_steps (>= 1), v_only_steps, total_steps (whole, >= 0),
 * warmup_proportion ([0, 1]), min_lr, threshold (rho_min, finite; the
 * threshold's name becomes "custom"), threshold_cmp (gt, ge), below
 * (momentum, skip), eps_placement (sqrt-v, sqrt-vhat), wd_kind (none, l2,
 * decoupled, decoupled-taken, decoupled-in-lr), rect (paper, sma-exact,
 * moment, kurtosis), nesterov and amsgrad (0, 1, false, true).
 * exceptions: RADVAR_EINVAL with a one-line reason in why[0..why_len) (the
 * value and its valid range) and cfg unchanged. */
RADVAR_API int radvar_optim_config_set(radvar_optim_config *cfg, const char *name, const char *value,
                                       char *why, size_t why_len);

/* Parse method names: sgd adam adamw radam adam-warmup adam-2k adam-eps. */
RADVAR_API int radvar_optim_method_from_name(const char *name, radvar_method *method);
RADVAR_API const char *radvar_optim_method_name(radvar_method method);

/* A handle must not be used by two threads at once (it runs its own threads
 * inside a step); distinct handles are independent. */
typedef struct radvar_optim radvar_optim;

/* Check the configuration (lr >= 0, betas in [0,1), eps >= 0, eps_root >= 0,
 * weight_decay >= 0, momentum in [0,1), all finite; warmup_steps >= 1, ...;
 * a weight decay > 0 needs a kind other than RADVAR_WD_NONE, and amsgrad a
 * method that has it (Adam, AdamW, RAdam with eps at sqrt(v_hat) and a
 * rectification other than kurtosis), so that nothing is dropped silently)
 * and allocate the state for n parameters of the given type.
 * exceptions: RADVAR_EINVAL (*out = NULL), RADVAR_ENOMEM. */
RADVAR_API int radvar_optim_alloc(const radvar_optim_config *cfg, size_t n, radvar_dtype dtype,
                       radvar_optim **out);
RADVAR_API void radvar_optim_free(radvar_optim *o);

/* Threads for the element loop (1 .. 1024); results do not depend on it. */
RADVAR_API int radvar_optim_set_threads(radvar_optim *o, int threads);

/* One step: params (n values) updated in place from grads, for an optimizer
 * of that dtype (RADVAR_EINVAL for the other one, or NULL arrays).
 * A NaN or infinite gradient is refused: RADVAR_ENONFINITE, nothing changes
 * (not the parameters, not the state, not the step count).  That check reads
 * the gradients once more; radvar_optim_set_fused_check(o, 1) folds it into
 * the update pass instead (faster; a non-finite gradient is still reported,
 * but the step has then been applied). */
RADVAR_API int radvar_optim_step_f32(radvar_optim *o, float *params, const float *grads);
RADVAR_API int radvar_optim_step_f64(radvar_optim *o, double *params, const double *grads);
RADVAR_API void radvar_optim_set_fused_check(radvar_optim *o, int fused);

typedef struct {
    uint64_t step;      /* t of the last step (0 before the first) */
    double rho_t;       /* NaN for methods without it */
    double r_t;         /* the rectification applied (1 for Adam, NaN below threshold) */
    int rectified;      /* the adaptive, rectified update was used */
    int moved;          /* the parameters were updated */
    /* The step's size, by the direction it multiplies (0 in both when the
     * parameters did not move, NaN in the one that does not apply):
     * lr_adaptive multiplies m/(sqrt(v)+eps) (eps at sqrt(v): RAdam
     * lr r_t sqrt(1-b2^t)/(1-b1^t)) or m/(sqrt(v_hat)+eps) (Adam
     * lr/(1-b1^t), RAdam lr r_t/(1-b1^t)) on an adaptive step;
     * lr_momentum multiplies m on a momentum step (SGD lr, RAdam below its
     * threshold lr/(1-b1^t)). */
    double lr_adaptive, lr_momentum;
    double lr;          /* the scheduled learning rate of the step */
} radvar_optim_diagnostics;

RADVAR_API void radvar_optim_diag(const radvar_optim *o, radvar_optim_diagnostics *d);

/* State access: the first and second moments (for SGD: the momentum buffer
 * and NULL) as arrays of n values of the optimizer's dtype, as in PyTorch; the
 * step count.  With amsgrad, radvar_optim_vmax is the running maximum. */
RADVAR_API const void *radvar_optim_m(const radvar_optim *o);
RADVAR_API const void *radvar_optim_v(const radvar_optim *o);
RADVAR_API const void *radvar_optim_vmax(const radvar_optim *o);
RADVAR_API radvar_dtype radvar_optim_dtype(const radvar_optim *o);
RADVAR_API uint64_t radvar_optim_steps(const radvar_optim *o);
RADVAR_API size_t radvar_optim_size(const radvar_optim *o);

/* Back to step 0 with zero moments. */
RADVAR_API void radvar_optim_reset(radvar_optim *o);

/* With rect = kurtosis, the EMA of g^4 (n values of the dtype), else NULL;
 * and its setter (RADVAR_EINVAL without that state, or a non-finite value). */
RADVAR_API const void *radvar_optim_u4(const radvar_optim *o);
RADVAR_API int radvar_optim_set_u4(radvar_optim *o, const void *u4);

/* Set the state: the step count t and the moments (n values of the
 * optimizer's dtype each; v NULL for SGD, vmax only with amsgrad, else
 * NULL).  The inverse of radvar_optim_steps / _m / _v / _vmax, for front ends
 * that keep the state themselves (a framework's state_dict).
 * exceptions: RADVAR_EINVAL (a missing or unexpected array, or a non-finite
 * value: nothing is changed then). */
RADVAR_API int radvar_optim_set_state(radvar_optim *o, uint64_t t, const void *m, const void *v,
                                      const void *vmax);

/* Save / load the state: a versioned little-endian binary (whatever the
 * machine) with an FNV-1a checksum over the whole file, holding the method,
 * dtype, size, step count, lr, betas, eps and weight decay, and the moments
 * (with rect = kurtosis, the fourth moment too).
 * save writes a temporary file beside path, flushes it to disk and renames it
 * onto path (only a regular file or a new name is replaced: RADVAR_EINVAL
 * for anything else), so an existing state survives a failed save.  load
 * refuses a truncated, foreign, corrupt or mismatched file (size, dtype,
 * method, amsgrad, lr, betas, eps, weight decay) with RADVAR_EFORMAT, and an
 * unreadable one with RADVAR_EIO; o is unchanged then. */
RADVAR_API int radvar_optim_save(const radvar_optim *o, const char *path);
RADVAR_API int radvar_optim_load(radvar_optim *o, const char *path);

RADVAR_END_DECLS

#endif
