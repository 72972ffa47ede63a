/* optim_kernel.h: the element loops of a step, included by optim.c once per
 * dtype and instruction-set path with T (float or double), SQRT, NAME(x) and
 * TARGET (empty, or RADVAR_TARGET_AVX2) defined.
 *
 * Every update follows the order of operations of the implementation it
 * reproduces (the comments say which), so that float64 trajectories agree with
 * it to the last few ulps; scalars are computed in double, like the Python
 * floats of PyTorch and optax, and cast to T as those implementations do for
 * tensors of type T.  The choices that do not change within a step are taken
 * outside the loops, and absent decays become exact factors (x * 1, x + 0 * p)
 * so that every loop is branch-free and vectorises. */

/* The moments, with L2 decay (g + wd p), decoupled decay p (1 - lr wd) and
 * the official code's p - wd lr p folded in as exact identities when unused. */
#define UPDATE_MOMENTS(M_EXPR, V_EXPR)                                                         \
    T g = g_in[i];                                                                             \
    bad |= !isfinite(g);                                                                       \
    g = g + l2 * p[i];                                                                         \
    p[i] = p[i] * decay;                                                                       \
    p[i] = p[i] + neg_wd_lr * p[i];                                                            \
    M_EXPR;                                                                                    \
    V_EXPR;

#define KERNEL_ARGS const struct step_scalars *s, size_t lo, size_t hi, T *restrict p, \
    const T *restrict g_in, T *restrict m, T *restrict v, T *restrict vmax, T *restrict u4
#define KERNEL_CONSTANTS                                                                       \
    int bad = 0;                                                                               \
    const T b1 = (T)s->beta1, b2 = (T)s->beta2, one_b1 = (T)(1.0 - s->beta1),                 \
            one_b2 = (T)(1.0 - s->beta2), eps = (T)s->eps;                                     \
    const T l2 = s->wd_kind == RADVAR_WD_L2 ? (T)s->wd : (T)0;                                 \
    const T decay = s->wd_kind == RADVAR_WD_DECOUPLED && s->move ? (T)(1.0 - s->lr * s->wd) : (T)1; \
    const T neg_wd_lr = s->wd_kind == RADVAR_WD_DECOUPLED_TAKEN && s->move ? (T)(-s->wd * s->lr) : (T)0; \
    (void)b1; (void)b2; (void)one_b1; (void)one_b2; (void)eps; (void)decay; (void)neg_wd_lr; \
    (void)v; (void)vmax; (void)u4

/* torch.optim.SGD: buf = g at t = 1, then momentum buf + g */
TARGET static int NAME(sgd_elements)(KERNEL_ARGS)
{
    KERNEL_CONSTANTS;
    const T mom = (T)s->momentum, neg_lr = (T)(-s->lr);
    const T keep = s->first_momentum_step ? (T)0 : mom, nest = s->nesterov ? mom : (T)0;
    if (mom == 0) {
        for (size_t i = lo; i < hi; i++) {
            T g = g_in[i];
            bad |= !isfinite(g);
            g = g + l2 * p[i];
            p[i] = p[i] + neg_lr * g;
        }
    } else if (s->nesterov) {
        for (size_t i = lo; i < hi; i++) {
            T g = g_in[i];
            bad |= !isfinite(g);
            g = g + l2 * p[i];
            m[i] = m[i] * keep + g;
            p[i] = p[i] + neg_lr * (g + nest * m[i]);
        }
    } else {
        for (size_t i = lo; i < hi; i++) {
            T g = g_in[i];
            bad |= !isfinite(g);
            g = g + l2 * p[i];
            m[i] = m[i] * keep + g;
            p[i] = p[i] + neg_lr * m[i];
        }
    }
    return bad;
}

/* torch.optim.Adam / AdamW (1.13, single tensor) */
TARGET static int NAME(adam_elements)(KERNEL_ARGS)
{
    KERNEL_CONSTANTS;
    const T neg_step = (T)(-s->step_size), bc2_sqrt = (T)s->bc2_sqrt;
    if (!s->move) { /* Adam-2k: v only */
        for (size_t i = lo; i < hi; i++) {
            T g = g_in[i];
            bad |= !isfinite(g);
            g = g + l2 * p[i];
            v[i] = v[i] * b2 + one_b2 * g * g;
        }
    } else if (s->amsgrad) {
        for (size_t i = lo; i < hi; i++) {
            UPDATE_MOMENTS(m[i] = m[i] * b1 + one_b1 * g, v[i] = v[i] * b2 + one_b2 * g * g)
            vmax[i] = vmax[i] > v[i] ? vmax[i] : v[i];
            p[i] = p[i] + neg_step * m[i] / (SQRT(vmax[i]) / bc2_sqrt + eps);
        }
    } else {
        for (size_t i = lo; i < hi; i++) {
            UPDATE_MOMENTS(m[i] = m[i] * b1 + one_b1 * g, v[i] = v[i] * b2 + one_b2 * g * g)
            p[i] = p[i] + neg_step * m[i] / (SQRT(v[i]) / bc2_sqrt + eps);
        }
    }
    return bad;
}

/* torch.optim.RAdam (1.13, single tensor); the official code */
TARGET static int NAME(radam_sqrt_v_elements)(KERNEL_ARGS)
{
    KERNEL_CONSTANTS;
    const T lr = (T)s->lr, rect = (T)s->r, bc1 = (T)s->bc1, bc2_sqrt = (T)s->bc2_sqrt;
    if (!s->move) {
        for (size_t i = lo; i < hi; i++) {
            UPDATE_MOMENTS(m[i] = m[i] * b1 + one_b1 * g, v[i] = v[i] * b2 + one_b2 * g * g)
        }
    } else if (s->rectified) {
        for (size_t i = lo; i < hi; i++) {
            UPDATE_MOMENTS(m[i] = m[i] * b1 + one_b1 * g, v[i] = v[i] * b2 + one_b2 * g * g)
            p[i] = p[i] - m[i] / bc1 * lr * (bc2_sqrt / (SQRT(v[i]) + eps)) * rect;
        }
    } else {
        for (size_t i = lo; i < hi; i++) {
            UPDATE_MOMENTS(m[i] = m[i] * b1 + one_b1 * g, v[i] = v[i] * b2 + one_b2 * g * g)
            p[i] = p[i] - m[i] / bc1 * lr;
        }
    }
    return bad;
}

/* the paper, optax (scale_by_radam), TFA */
TARGET static int NAME(radam_sqrt_vhat_elements)(KERNEL_ARGS)
{
    KERNEL_CONSTANTS;
    const T lr = (T)s->lr, rect = s->rectified ? (T)s->r : (T)0, bc1 = (T)s->bc1,
            bc2 = (T)s->bc2, bc1_next = (T)s->bc1_next, eps_root = (T)s->eps_root,
            wd_in_lr = s->wd_kind == RADVAR_WD_DECOUPLED_IN_LR ? (T)s->wd : (T)0;
    for (size_t i = lo; i < hi; i++) {
        UPDATE_MOMENTS(m[i] = b1 * m[i] + one_b1 * g, v[i] = b2 * v[i] + one_b2 * (g * g))
        if (!s->move)
            continue;
        /* optax's Nesterov: b1 m_t/(1-b1^(t+1)) + (1-b1) g_t/(1-b1^t) */
        T m_hat = s->nesterov ? b1 * (m[i] / bc1_next) + one_b1 * (g / bc1) : m[i] / bc1;
        T vv = v[i];
        if (s->amsgrad) {
            vmax[i] = vmax[i] > vv ? vmax[i] : vv;
            vv = vmax[i];
        }
        T u = s->rectified ? rect * m_hat / (SQRT(vv / bc2 + eps_root) + eps) : m_hat;
        u = u + wd_in_lr * p[i];
        p[i] = p[i] - lr * u;
    }
    return bad;
}

/* RAdam with the kurtosis-aware rectification (radvar_rectify_kurtosis):
 * kappa = u_hat / v_hat^2 per coordinate, in double; where it does not
 * exceed 3 (or is not finite: v = 0) the Gaussian r of the step is used,
 * else r is computed for this coordinate.  A coordinate whose dof do not
 * exceed 2 takes the below rule.  The decay taken on moving steps is applied
 * per coordinate. */
TARGET static int NAME(radam_kurtosis_elements)(KERNEL_ARGS)
{
    KERNEL_CONSTANTS;
    const T lr = (T)s->lr, bc1 = (T)s->bc1, bc2 = (T)s->bc2, bc2_sqrt = (T)s->bc2_sqrt,
            eps_root = (T)s->eps_root;
    const int sqrt_v = s->eps_placement == RADVAR_EPS_SQRT_V, momentum = s->below_momentum;
    for (size_t i = lo; i < hi; i++) {
        T g = g_in[i];
        bad |= !isfinite(g);
        g = g + l2 * p[i];
        p[i] = p[i] * decay;
        m[i] = m[i] * b1 + one_b1 * g;
        v[i] = v[i] * b2 + one_b2 * g * g;
        u4[i] = u4[i] * b2 + one_b2 * ((g * g) * (g * g));
        double kappa = (double)u4[i] * s->bc2 / ((double)v[i] * (double)v[i]);
        double r = s->r;
        if (kappa > 3.0 && isfinite(kappa))
            r = radvar_rectify_kurtosis_from_rho(s->rho_moment, s->rho_inf, kappa);
        int rectified = isfinite(r), moves = rectified || momentum;
        if (moves)
            p[i] = p[i] + neg_wd_lr * p[i];
        if (rectified && sqrt_v)
            p[i] = p[i] - m[i] / bc1 * lr * (bc2_sqrt / (SQRT(v[i]) + eps)) * (T)r;
        else if (rectified)
            p[i] = p[i] - lr * ((T)r * (m[i] / bc1) / (SQRT(v[i] / bc2 + eps_root) + eps));
        else if (momentum)
            p[i] = p[i] - m[i] / bc1 * lr;
    }
    return bad;
}

/* The elements lo .. hi of a step; returns 1 when a gradient was not finite. */
TARGET static int NAME(step_elements)(KERNEL_ARGS)
{
    switch (s->kernel) {
    case KERNEL_SGD: return NAME(sgd_elements)(s, lo, hi, p, g_in, m, v, vmax, u4);
    case KERNEL_ADAM: return NAME(adam_elements)(s, lo, hi, p, g_in, m, v, vmax, u4);
    case KERNEL_RADAM_SQRT_V: return NAME(radam_sqrt_v_elements)(s, lo, hi, p, g_in, m, v, vmax, u4);
    case KERNEL_RADAM_SQRT_VHAT:
        return NAME(radam_sqrt_vhat_elements)(s, lo, hi, p, g_in, m, v, vmax, u4);
    case KERNEL_RADAM_KURTOSIS:
        return NAME(radam_kurtosis_elements)(s, lo, hi, p, g_in, m, v, vmax, u4);
    }
    return 0;
}

#undef KERNEL_ARGS
#undef KERNEL_CONSTANTS
#undef UPDATE_MOMENTS
