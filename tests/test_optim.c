/* test_optim.c: the reference optimizer.
 *
 * Conformance on committed golden trajectories: PyTorch's Adam/AdamW/RAdam
 * (tests/golden/make_golden.py; float64 within 1e-12 of max(|p|, 1), float32
 * within 8 float32 ulps) and the official RAdam code through its history
 * (tests/golden/make_golden_official.py, replayed with the presets
 * "official", "official-2019-10-10" and "official-2019-08-08" in float32,
 * as that code computes; the 2019-08-15 version is not reproducible and its
 * files say so).  The other conventions against their published update
 * rules written out here for one parameter: the paper, optax (with and
 * without Nesterov), TFA (its warmup and linear decay schedule, AMSGrad,
 * decay inside the lr), PyTorch's SGD (plain, heavy ball, Nesterov, L2
 * decay).  The paper's probes, refused hyper-parameters, non-finite
 * gradients, save/load, threads.  Configurations come from
 * radvar_optim_defaults and are changed field by field. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_util.h"
#include "radvar/optim.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"

static const char *const golden[] = {
    "radam_b0.9", "radam_b0.99", "radam_b0.999", "radam_b0.999_wd", "radam_b0.99_wd",
    "adam_b0.9", "adam_b0.999_wd", "adam_amsgrad", "adamw_b0.99", "adamw_b0.999",
    "radam_b0.999_f32", "adam_b0.99_f32", "adamw_b0.999_f32"};

/* The knobs a "# radvar replay ..." line may name beside the
 * hyper-parameters (NULL or -1 when absent). */
struct knobs {
    char preset[32], below[16], eps_placement[16], wd_kind[24], cmp[8];
    double threshold;
};

/* The settings from the file's "# radvar replay ..." line. */
static void parse_settings(const char *line, radvar_optim_config *cfg, radvar_dtype *dtype,
                           struct knobs *k)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", line);
    char *save, *tok = strtok_r(buf, " \n", &save);
    radvar_method method = RADVAR_ADAM;
    double lr = 0, b1 = 0, b2 = 0, eps = 0, wd = 0;
    int amsgrad = 0;
    *dtype = RADVAR_FLOAT64;
    memset(k, 0, sizeof *k);
    k->threshold = -1;
    for (; tok; tok = strtok_r(NULL, " \n", &save)) {
        char *val = NULL;
        if (strncmp(tok, "--", 2) == 0 && strcmp(tok, "--amsgrad") != 0)
            val = strtok_r(NULL, " \n", &save);
        if (strcmp(tok, "--method") == 0)
            radvar_optim_method_from_name(val, &method);
        else if (strcmp(tok, "--dtype") == 0)
            *dtype = strcmp(val, "float32") == 0 ? RADVAR_FLOAT32 : RADVAR_FLOAT64;
        else if (strcmp(tok, "--lr") == 0) lr = atof(val);
        else if (strcmp(tok, "--beta1") == 0) b1 = atof(val);
        else if (strcmp(tok, "--beta2") == 0) b2 = atof(val);
        else if (strcmp(tok, "--eps") == 0) eps = atof(val);
        else if (strcmp(tok, "--weight-decay") == 0) wd = atof(val);
        else if (strcmp(tok, "--amsgrad") == 0) amsgrad = 1;
        else if (strcmp(tok, "--preset") == 0) snprintf(k->preset, sizeof k->preset, "%s", val);
        else if (strcmp(tok, "--below") == 0) snprintf(k->below, sizeof k->below, "%s", val);
        else if (strcmp(tok, "--eps-placement") == 0)
            snprintf(k->eps_placement, sizeof k->eps_placement, "%s", val);
        else if (strcmp(tok, "--wd-kind") == 0) snprintf(k->wd_kind, sizeof k->wd_kind, "%s", val);
        else if (strcmp(tok, "--threshold-cmp") == 0) snprintf(k->cmp, sizeof k->cmp, "%s", val);
        else if (strcmp(tok, "--threshold") == 0) k->threshold = atof(val);
    }
    radvar_optim_defaults(method, cfg);
    cfg->lr = lr;
    cfg->beta1 = b1;
    cfg->beta2 = b2;
    cfg->eps = eps;
    cfg->weight_decay = wd;
    cfg->amsgrad = amsgrad;
}

/* one step whatever the optimizer's dtype */
static int step_any(radvar_optim *o, void *p, const void *g)
{
    return radvar_optim_dtype(o) == RADVAR_FLOAT32 ? radvar_optim_step_f32(o, p, g)
                                                   : radvar_optim_step_f64(o, p, g);
}

/* Replay a golden file with the settings of its "# radvar replay" line (and
 * the named preset, checked against the knobs that line records), in the
 * file's dtype or float32 (force_f32); check every parameter of every step
 * within tol_f32 / tol_f64 of max(|p|, 1) and return the worst. */
static double replay_golden(const char *name, const char *preset, int force_f32, double tol_f32,
                            double tol_f64)
{
    char path[256], line[4096];
    snprintf(path, sizeof path, "tests/golden/%s.tsv", name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "cannot open %s (run the tests from the repository root)", path);
    radvar_optim_config cfg;
    radvar_dtype dtype = RADVAR_FLOAT64;
    struct knobs k;
    radvar_optim *o = NULL;
    double p64[4], g64[4], want[4];
    float p32[4], g32[4];
    double worst = 0;
    int steps = 0;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, "# radvar replay", 15) == 0) {
            parse_settings(line + 15, &cfg, &dtype, &k);
            if (preset != NULL) {
                double lr = cfg.lr, b1 = cfg.beta1, b2 = cfg.beta2, eps = cfg.eps,
                       wd = cfg.weight_decay;
                ck_assert_int_eq(radvar_optim_preset(preset, &cfg), RADVAR_SUCCESS);
                ck_assert(cfg.lr == lr && cfg.beta1 == b1 && cfg.beta2 == b2 && cfg.eps == eps
                          && cfg.weight_decay == wd); /* kept by the preset */
                /* the preset is the convention the file records */
                ck_assert(k.threshold == cfg.threshold.rho_min);
                ck_assert_str_eq(k.cmp, cfg.threshold.cmp == RADVAR_CMP_GE ? "ge" : "gt");
                ck_assert_str_eq(k.below, cfg.below == RADVAR_BELOW_MOMENTUM ? "momentum" : "skip");
                ck_assert_str_eq(k.eps_placement, "sqrt-v");
                ck_assert_int_eq(cfg.eps_placement, RADVAR_EPS_SQRT_V);
                ck_assert_str_eq(k.wd_kind, "decoupled-taken");
                ck_assert_int_eq(cfg.wd_kind, RADVAR_WD_DECOUPLED_TAKEN);
            }
            if (force_f32)
                dtype = RADVAR_FLOAT32;
            ck_assert_int_eq(radvar_optim_alloc(&cfg, 4, dtype, &o), RADVAR_SUCCESS);
        } else if (strncmp(line, "init", 4) == 0) {
            ck_assert_int_eq(sscanf(line + 4, "%lf %lf %lf %lf", &p64[0], &p64[1], &p64[2], &p64[3]), 4);
            for (int j = 0; j < 4; j++)
                p32[j] = (float)p64[j];
        } else if (line[0] != '#') {
            int t;
            ck_assert_ptr_nonnull(o);
            ck_assert_int_eq(sscanf(line, "%d %lf %lf %lf %lf %lf %lf %lf %lf", &t, &g64[0], &g64[1],
                                    &g64[2], &g64[3], &want[0], &want[1], &want[2], &want[3]), 9);
            for (int j = 0; j < 4; j++)
                g32[j] = (float)g64[j];
            ck_assert_int_eq(step_any(o, dtype == RADVAR_FLOAT32 ? (void *)p32 : (void *)p64,
                                      dtype == RADVAR_FLOAT32 ? (const void *)g32 : (const void *)g64),
                             RADVAR_SUCCESS);
            for (int j = 0; j < 4; j++) {
                double got = dtype == RADVAR_FLOAT32 ? (double)p32[j] : p64[j];
                double e = fabs(got - want[j]) / fmax(fabs(want[j]), 1.0);
                worst = fmax(worst, e);
                double tol = dtype == RADVAR_FLOAT32 ? tol_f32 : tol_f64;
                ck_assert_msg(e <= tol, "%s step %d p%d: %.17g vs golden %.17g (%.3g)", name, t, j,
                              got, want[j], e);
            }
            steps++;
        }
    }
    fclose(f);
    ck_assert_int_eq(steps, 2000);
    printf("conformance %-30s %s: 2000 steps, worst |radvar - golden| / max(|p|, 1) = %.3g "
           "(%.2f %s ulps)\n", name, dtype == RADVAR_FLOAT32 ? "float32" : "float64", worst,
           worst / (dtype == RADVAR_FLOAT32 ? 0x1p-23 : DBL_EPSILON),
           dtype == RADVAR_FLOAT32 ? "float32" : "float64");
    radvar_optim_free(o);
    return worst;
}

/* PyTorch: worst 2 float64 ulps of max(|p|, 1) and 0.92 float32 ulps; the
 * tolerances are 4 ulps of each type (an ulp of 1: DBL_EPSILON, 2^-23). */
#define GOLDEN_TOL_F64 (4 * DBL_EPSILON)
#define GOLDEN_TOL_F32 (4 * 0x1p-23)

START_TEST(test_golden_trajectory)
{
    replay_golden(golden[_i], NULL, 0, GOLDEN_TOL_F32, GOLDEN_TOL_F64);
}
END_TEST

/* The official code, by date: the preset that reproduces each version
 * (make_golden_official.py; 2019-08-16 follows the rule of 2019-10-10's
 * default, which the preset is named after).  It computes in float32 with
 * the float64 scalars of Python (bias corrections, step size), as radvar's
 * float32 path does, so the trajectories agree to within 1.7 float32 ulps
 * of max(|p|, 1) (the few float32 products that round in another order);
 * the tolerance is 4 float32 ulps, as for PyTorch's float32 cases. */
static const struct {
    const char *file, *preset;
} official_golden[] = {
    {"official_2021-07-31_b0.999", "official"},
    {"official_2021-07-31_b0.99_wd", "official"},
    {"official_2021-07-31_b0.999_wd", "official"},
    {"official_2021-07-31_b0.999_f32", "official"},
    {"official_2019-10-10_b0.99_wd", "official-2019-10-10"},
    {"official_2019-10-10_b0.999_wd", "official-2019-10-10"},
    {"official_2019-08-16_b0.999", "official-2019-10-10"},
    {"official_2019-08-08_b0.999", "official-2019-08-08"},
    {"official_2019-08-08_b0.99_wd", "official-2019-08-08"},
};

START_TEST(test_official_golden)
{
    replay_golden(official_golden[_i].file, official_golden[_i].preset, 1, GOLDEN_TOL_F32, 0);
}
END_TEST

START_TEST(test_official_unreproducible_documented)
{
    /* the 2019-08-15 version (a step-size branch at rho_t > 5 and an update
     * branch at rho_t > 4) has no radvar convention: its files say so in
     * their second '#' line, and they are not replayed */
    const char *files[] = {"official_2019-08-15_b0.999", "official_2019-08-15_b0.99_wd"};
    for (size_t i = 0; i < N_ELEMS(files); i++) {
        char path[256], line[4096];
        snprintf(path, sizeof path, "tests/golden/%s.tsv", files[i]);
        FILE *f = fopen(path, "r");
        ck_assert_msg(f != NULL, "cannot open %s", path);
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
        ck_assert_msg(strncmp(line, "# radvar: not reproducible", 26) == 0, "%s: %s", path, line);
        fclose(f);
    }
}
END_TEST

/* The published update rules, written out for one parameter (double). */
enum { PAPER, OFFICIAL, OPTAX, TFA, PYTORCH };

static double rule_step(int rule, double *p, double *m, double *v, double g, double t,
                        const radvar_optim_config *c)
{
    double b1 = c->beta1, b2 = c->beta2;
    *m = b1 * *m + (1 - b1) * g;
    *v = b2 * *v + (1 - b2) * g * g;
    double bc1 = 1 - pow(b1, t), bc2 = 1 - pow(b2, t);
    double rho_inf = 2 / (1 - b2) - 1, rho = rho_inf - 2 * t * pow(b2, t) / bc2;
    double r = sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho));
    double m_hat = *m / bc1, v_hat = *v / bc2, before = *p;
    switch (rule) {
    case PAPER: /* Algorithm 2 */
        *p -= c->lr * (rho > 4 ? r * m_hat / (sqrt(v_hat) + c->eps) : m_hat);
        break;
    case OFFICIAL: /* radam.py: N_sma >= 5, else no step */
        if (rho >= 5)
            *p -= c->lr * sqrt(bc2) * r / bc1 * *m / (sqrt(*v) + c->eps);
        break;
    case OPTAX: /* scale_by_radam: ro >= threshold */
        *p -= c->lr * (rho >= 5 ? r * m_hat / (sqrt(v_hat + c->eps_root) + c->eps) : m_hat);
        break;
    case TFA: /* RectifiedAdam: sma_t >= sma_threshold, decoupled decay in lr */
        *p -= c->lr * ((rho >= 5 ? r * m_hat / (sqrt(v_hat) + c->eps) : m_hat) + c->weight_decay * *p);
        break;
    case PYTORCH:
        *p -= rho > 5 ? m_hat * c->lr * sqrt(bc2) / (sqrt(*v) + c->eps) * r : m_hat * c->lr;
        break;
    }
    return *p - before;
}

static const struct {
    const char *preset;
    int rule;
    int first_rectified; /* with beta2 = 0.999 */
    int moves_at_1;
} presets[] = {{"paper", PAPER, 5, 1}, {"official", OFFICIAL, 6, 0}, {"optax", OPTAX, 6, 1},
               {"tfa", TFA, 6, 1},     {"pytorch", PYTORCH, 6, 1}};

START_TEST(test_presets_follow_their_rules)
{
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    ck_assert_int_eq(radvar_optim_preset(presets[_i].preset, &c), RADVAR_SUCCESS);
    c.lr = 0.1;
    if (presets[_i].rule == TFA)
        c.weight_decay = 0.01;
    if (presets[_i].rule == OPTAX)
        c.eps_root = 1e-10;
    radvar_optim *o;
    ck_assert_int_eq(radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o), RADVAR_SUCCESS);
    const double g[12] = {1.0, -2.0, 0.5, 3.0, 1.0, 2.0, -1.0, 0.5, 0.25, -4.0, 1.5, 0.75};
    double p = 0.7, rp = 0.7, rm = 0, rv = 0;
    for (int t = 1; t <= 12; t++) {
        double delta = rule_step(presets[_i].rule, &rp, &rm, &rv, g[t - 1], t, &c);
        ck_assert_int_eq(step_any(o, &p, &g[t - 1]), RADVAR_SUCCESS);
        radvar_optim_diagnostics d;
        radvar_optim_diag(o, &d);
        /* the rules compute rho_t by the closed form, as the
         * implementations do, which loses digits to cancellation for small
         * t (1 - beta2): 19 eps of p seen, against radvar's rho_t */
        ck_assert_msg(fabs(p - rp) <= TEST_TOL2 * fmax(fabs(rp), 1), "%s, step %d: %.17g vs rule %.17g",
                      presets[_i].preset, t, p, rp);
        ck_assert_int_eq(d.rectified, t >= presets[_i].first_rectified);
        ck_assert_int_eq(d.moved, delta != 0);
        if (t == 1)
            ck_assert_int_eq(d.moved, presets[_i].moves_at_1);
    }
    radvar_optim_free(o);
}
END_TEST

/* torch.optim.SGD (1.13; no dampening): d = g + wd p; with momentum,
 * buf = d at the first step and momentum buf + d after, then d = buf, or
 * d + momentum buf with Nesterov; p -= lr d. */
static void sgd_rule(double *p, double *buf, double g, int t, const radvar_optim_config *c)
{
    double d = g + c->weight_decay * *p;
    if (c->momentum != 0) {
        *buf = t == 1 ? d : c->momentum * *buf + d;
        d = c->nesterov ? d + c->momentum * *buf : *buf;
    }
    *p -= c->lr * d;
}

static const struct {
    double momentum, weight_decay;
    int nesterov;
} sgd_cases[] = {{0.0, 0.0, 0}, {0.0, 0.01, 0}, {0.9, 0.0, 0}, {0.9, 0.01, 0}, {0.9, 0.0, 1},
                 {0.5, 0.01, 1}};

START_TEST(test_sgd_follows_torch)
{
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_SGD, &c);
    c.momentum = sgd_cases[_i].momentum;
    c.weight_decay = sgd_cases[_i].weight_decay;
    c.nesterov = sgd_cases[_i].nesterov;
    radvar_optim *o;
    ck_assert_int_eq(radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o), RADVAR_SUCCESS);
    ck_assert_ptr_null(radvar_optim_v(o)); /* SGD keeps one buffer */
    const double g[8] = {1.0, -2.0, 0.5, 3.0, 1.0, 2.0, -1.0, 0.5};
    double p = 0.7, rp = 0.7, buf = 0;
    for (int t = 1; t <= 8; t++) {
        sgd_rule(&rp, &buf, g[t - 1], t, &c);
        ck_assert_int_eq(step_any(o, &p, &g[t - 1]), RADVAR_SUCCESS);
        /* the same operations in the same order: the same double */
        ck_assert_msg(p == rp, "SGD momentum %g wd %g nesterov %d, step %d: %.17g vs rule %.17g",
                      c.momentum, c.weight_decay, c.nesterov, t, p, rp);
        if (c.momentum != 0)
            ck_assert(((const double *)radvar_optim_m(o))[0] == buf);
        radvar_optim_diagnostics d;
        radvar_optim_diag(o, &d);
        ck_assert(d.moved && d.lr_momentum == c.lr && isnan(d.lr_adaptive) && d.r_t == 1 && isnan(d.rho_t));
    }
    radvar_optim_free(o);
}
END_TEST

/* optax.scale_by_radam(nesterov=True) after optax.scale(-lr):
 * mu_hat = b1 m_t/(1 - b1^(t+1)) + (1 - b1) g_t/(1 - b1^t), then the RAdam
 * update with sqrt(v_hat + eps_root) + eps when rho_t >= 5, mu_hat below. */
static void optax_nesterov_rule(double *p, double *m, double *v, double g, double t,
                                const radvar_optim_config *c)
{
    double b1 = c->beta1, b2 = c->beta2;
    *m = b1 * *m + (1 - b1) * g;
    *v = b2 * *v + (1 - b2) * (g * g);
    double b2t = pow(b2, t), ro_inf = 2.0 / (1.0 - b2) - 1.0;
    double ro = ro_inf - 2 * t * b2t / (1 - b2t);
    double mu_hat = b1 * (*m / (1 - pow(b1, t + 1))) + (1 - b1) * (g / (1 - pow(b1, t)));
    double nu_hat = *v / (1 - b2t);
    double r = sqrt((ro - 4.0) * (ro - 2.0) * ro_inf / ((ro_inf - 4.0) * (ro_inf - 2.0) * ro));
    *p -= c->lr * (ro >= 5 ? r * mu_hat / (sqrt(nu_hat + c->eps_root) + c->eps) : mu_hat);
}

START_TEST(test_optax_nesterov)
{
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    ck_assert_int_eq(radvar_optim_preset("optax", &c), RADVAR_SUCCESS);
    c.nesterov = 1;
    c.eps_root = 1e-12;
    c.lr = 0.05;
    c.beta2 = 0.99;
    radvar_optim *o;
    ck_assert_int_eq(radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o), RADVAR_SUCCESS);
    double p = 0.3, rp = 0.3, m = 0, v = 0;
    for (int t = 1; t <= 30; t++) {
        double g = sin(0.7 * t) + 0.2;
        optax_nesterov_rule(&rp, &m, &v, g, t, &c);
        ck_assert_int_eq(step_any(o, &p, &g), RADVAR_SUCCESS);
        ck_assert_msg(fabs(p - rp) <= 4 * DBL_EPSILON * fmax(fabs(rp), 1), "step %d: %.17g vs %.17g",
                      t, p, rp);
    }
    radvar_optim_free(o);
}
END_TEST

/* tfa.optimizers.RectifiedAdam with amsgrad, weight decay and its
 * schedule: lr_t = lr t / warmup for t <= warmup = total warmup_proportion,
 * then lr + (min_lr - lr) min(t - warmup, decay_steps) / decay_steps with
 * decay_steps = max(total - warmup, 1); vhat = max(vhat, v),
 * v_corr = sqrt(vhat / (1 - b2^t)); var_t = r m_hat / (v_corr + eps) when
 * rho_t >= 5, m_hat below; var_t += wd p; p -= lr_t var_t. */
static double tfa_lr(const radvar_optim_config *c, double t)
{
    double warmup = c->total_steps * c->warmup_proportion;
    double decay_steps = fmax(c->total_steps - warmup, 1.0);
    if (t <= warmup)
        return c->lr * (t / warmup);
    return c->lr + (c->min_lr - c->lr) / decay_steps * fmin(t - warmup, decay_steps);
}

static void tfa_amsgrad_rule(double *p, double *m, double *v, double *vhat, double g, double t,
                             const radvar_optim_config *c)
{
    double b1 = c->beta1, b2 = c->beta2, lr = tfa_lr(c, t);
    *m = b1 * *m + (1 - b1) * g;
    *v = b2 * *v + (1 - b2) * (g * g);
    *vhat = fmax(*vhat, *v);
    double b2t = pow(b2, t), sma_inf = 2.0 / (1.0 - b2) - 1.0;
    double sma_t = sma_inf - 2.0 * t * b2t / (1.0 - b2t);
    double m_corr = *m / (1 - pow(b1, t)), v_corr = sqrt(*vhat / (1 - b2t));
    double r = sqrt((sma_t - 4.0) / (sma_inf - 4.0) * (sma_t - 2.0) / (sma_inf - 2.0) * sma_inf / sma_t);
    double var_t = sma_t >= 5 ? r * m_corr / (v_corr + c->eps) : m_corr;
    var_t += c->weight_decay * *p;
    *p -= lr * var_t;
}

START_TEST(test_tfa_amsgrad_schedule)
{
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    ck_assert_int_eq(radvar_optim_preset("tfa", &c), RADVAR_SUCCESS);
    ck_assert(c.eps == 1e-7 && c.wd_kind == RADVAR_WD_DECOUPLED_IN_LR);
    c.amsgrad = 1;
    c.weight_decay = 0.01;
    c.lr = 0.05;
    c.beta2 = 0.99;
    c.total_steps = 30;
    c.warmup_proportion = 0.2;
    c.min_lr = 1e-4;
    radvar_optim *o;
    ck_assert_int_eq(radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o), RADVAR_SUCCESS);
    ck_assert_ptr_nonnull(radvar_optim_vmax(o));
    double p = 0.3, rp = 0.3, m = 0, v = 0, vhat = 0;
    for (int t = 1; t <= 40; t++) {
        /* large early gradients, so that vhat stays above v */
        double g = (t < 8 ? 3.0 : 0.3) * cos(0.9 * t);
        tfa_amsgrad_rule(&rp, &m, &v, &vhat, g, t, &c);
        ck_assert_int_eq(step_any(o, &p, &g), RADVAR_SUCCESS);
        ck_assert_msg(fabs(p - rp) <= 4 * DBL_EPSILON * fmax(fabs(rp), 1), "step %d: %.17g vs %.17g",
                      t, p, rp);
        ck_assert(((const double *)radvar_optim_vmax(o))[0] == vhat);
        radvar_optim_diagnostics d;
        radvar_optim_diag(o, &d);
        ck_assert_rel(d.lr, tfa_lr(&c, t), TEST_TOL0);
    }
    ck_assert(vhat > v); /* the maximum mattered */
    radvar_optim_free(o);
}
END_TEST

START_TEST(test_tfa_schedule_values)
{
    /* lr 1e-3, 100 steps, warmup proportion 0.1, min_lr 1e-5: warmup 10 steps,
     * then a decay of (1e-5 - 1e-3)/90 = -1.1e-5 per step, by hand */
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    radvar_optim_preset("tfa", &c);
    c.total_steps = 100;
    c.warmup_proportion = 0.1;
    c.min_lr = 1e-5;
    radvar_optim *o;
    ck_assert_int_eq(radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o), RADVAR_SUCCESS);
    const struct {
        int t;
        double lr;
    } want[] = {{1, 1e-4}, {5, 5e-4}, {10, 1e-3}, {11, 9.89e-4}, {55, 5.05e-4}, {99, 2.1e-5},
                {100, 1e-5}, {150, 1e-5}};
    double p = 1.0, g = 0.1;
    size_t k = 0;
    for (int t = 1; t <= 150; t++) {
        step_any(o, &p, &g);
        if (k < N_ELEMS(want) && want[k].t == t) {
            radvar_optim_diagnostics d;
            radvar_optim_diag(o, &d);
            ck_assert_msg(rel_err(d.lr, want[k].lr) <= TEST_TOL1, "t = %d: lr %.17g, expected %g", t,
                          d.lr, want[k].lr);
            k++;
        }
    }
    ck_assert_uint_eq(k, N_ELEMS(want));
    radvar_optim_free(o);
    /* without total_steps, the lr is constant */
    radvar_optim_preset("tfa", &c);
    ck_assert(c.total_steps == 0);
}
END_TEST

START_TEST(test_below_momentum_official_and_exact_rect)
{
    /* the official code with degenerated_to_sgd: momentum steps below */
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    radvar_optim_preset("official", &c);
    c.below = RADVAR_BELOW_MOMENTUM;
    radvar_optim *o;
    radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o);
    double p = 1.0, g = 0.5;
    step_any(o, &p, &g);
    ck_assert_rel(p, 1.0 - 1e-3 * 0.5, TEST_TOL0); /* lr m_hat = lr g at t = 1 */
    radvar_optim_free(o);
    /* exact rectification: applied as soon as rho_t > 2 (t = 3 for beta2 0.999) */
    radvar_optim_defaults(RADVAR_RADAM, &c);
    c.rect = RADVAR_RECTIFY_SMA_EXACT;
    radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o);
    radvar_optim_diagnostics d;
    for (int t = 1; t <= 3; t++) {
        step_any(o, &p, &g);
        radvar_optim_diag(o, &d);
        ck_assert_int_eq(d.rectified, t == 3);
    }
    ck_assert(d.r_t == radvar_rectify_sma_exact_from_rho(radvar_schedule_rho_t(0.999, 3), radvar_schedule_rho_inf(0.999)));
    radvar_optim_free(o);
}
END_TEST

START_TEST(test_probes)
{
    radvar_optim_config c;
    radvar_optim *o;
    /* Adam-2k: K steps of v only */
    radvar_optim_defaults(RADVAR_ADAM_2K, &c);
    ck_assert(c.v_only_steps == 2000);
    c.v_only_steps = 3;
    radvar_optim_alloc(&c, 2, RADVAR_FLOAT64, &o);
    double p[2] = {1, 2}, g[2] = {0.5, -1};
    for (int t = 1; t <= 3; t++) {
        ck_assert_int_eq(step_any(o, p, g), RADVAR_SUCCESS);
        ck_assert(p[0] == 1 && p[1] == 2);
        ck_assert(((const double *)radvar_optim_m(o))[0] == 0);
        ck_assert(((const double *)radvar_optim_v(o))[0] > 0);
    }
    step_any(o, p, g); /* t = 4: the first move, m bias-corrected from K+1 */
    double v = (1 - pow(0.999, 4)) * 0.25, step = 1e-3 / (1 - 0.9);
    ck_assert_rel(p[0], 1 - step * (0.1 * 0.5) / (sqrt(v) / sqrt(1 - pow(0.999, 4)) + 1e-8), TEST_TOL1);
    radvar_optim_free(o);
    /* Adam with linear warmup: lr t / Tw */
    radvar_optim_defaults(RADVAR_ADAM_WARMUP, &c);
    c.warmup_steps = 10;
    radvar_optim_alloc(&c, 2, RADVAR_FLOAT64, &o);
    radvar_optim_diagnostics d;
    for (int t = 1; t <= 12; t++) {
        step_any(o, p, g);
        radvar_optim_diag(o, &d);
        ck_assert_rel(d.lr, 1e-3 * (t < 10 ? t / 10.0 : 1.0), TEST_TOL0);
    }
    radvar_optim_free(o);
    /* Adam-eps */
    radvar_optim_defaults(RADVAR_ADAM_EPS, &c);
    ck_assert(c.eps == 1e-4);
    /* SGD with Nesterov: buf = g, then 0.9 buf + g; step g + 0.9 buf */
    radvar_optim_defaults(RADVAR_SGD, &c);
    c.nesterov = 1;
    radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o);
    double q = 1, gq = 2;
    step_any(o, &q, &gq);
    ck_assert_rel(q, 1 - 0.01 * (2 + 0.9 * 2), TEST_TOL0);
    step_any(o, &q, &gq);
    ck_assert_rel(q, 1 - 0.01 * (2 + 0.9 * 2) - 0.01 * (2 + 0.9 * (0.9 * 2 + 2)), TEST_TOL0);
    radvar_optim_free(o);
}
END_TEST

START_TEST(test_refused_configurations)
{
    radvar_optim_config c, bad;
    radvar_optim *o = (radvar_optim *)&o;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    bad = c; bad.lr = -1e-3;
    ck_assert_int_eq(radvar_optim_alloc(&bad, 4, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
    ck_assert_ptr_null(o);
    bad = c; bad.lr = NAN;
    ck_assert_int_eq(radvar_optim_alloc(&bad, 4, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
    bad = c; bad.beta1 = 1.0;
    ck_assert_int_eq(radvar_optim_alloc(&bad, 4, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
    bad = c; bad.beta2 = -0.1;
    ck_assert_int_eq(radvar_optim_alloc(&bad, 4, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
    bad = c; bad.eps = -1e-8;
    ck_assert_int_eq(radvar_optim_alloc(&bad, 4, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
    bad = c; bad.weight_decay = INFINITY;
    ck_assert_int_eq(radvar_optim_alloc(&bad, 4, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_alloc(&c, 0, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_preset("keras", &c), RADVAR_EINVAL);
    radvar_method m;
    ck_assert_int_eq(radvar_optim_method_from_name("lamb", &m), RADVAR_EINVAL);
}
END_TEST

START_TEST(test_nonfinite_gradient_refused)
{
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    radvar_optim *o;
    radvar_optim_alloc(&c, 3, RADVAR_FLOAT32, &o);
    float p[3] = {1, 2, 3}, g[3] = {0.1f, 0.2f, 0.3f}, bad[3] = {0.1f, NAN, 0.3f};
    step_any(o, p, g);
    float keep[3];
    memcpy(keep, p, sizeof p);
    float m_keep = ((const float *)radvar_optim_m(o))[0];
    ck_assert_int_eq(step_any(o, p, bad), RADVAR_ENONFINITE);
    ck_assert(memcmp(keep, p, sizeof p) == 0);
    ck_assert(((const float *)radvar_optim_m(o))[0] == m_keep);
    ck_assert_uint_eq(radvar_optim_steps(o), 1);
    bad[1] = INFINITY;
    ck_assert_int_eq(step_any(o, p, bad), RADVAR_ENONFINITE);
    radvar_optim_set_fused_check(o, 1); /* still reported */
    ck_assert_int_eq(step_any(o, p, bad), RADVAR_ENONFINITE);
    radvar_optim_free(o);
}
END_TEST

/* A save over an existing state that cannot be written in full (a file-size
 * limit, as on a full disk) fails with a status and leaves the old state
 * intact, loadable and alone (no temporary file behind).  In a forked child:
 * setrlimit and SIGXFSZ stay there. */
START_TEST(test_save_fails_keeps_old)
{
    char dir[] = "/tmp/radvar-optim-fsize-XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char path[sizeof dir + 16];
    snprintf(path, sizeof path, "%s/state", dir);
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_ADAM, &c);
    const size_t n = 200000; /* a state of about 3.2 MB */
    radvar_optim *small, *big;
    ck_assert_int_eq(radvar_optim_alloc(&c, 4, RADVAR_FLOAT64, &small), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_alloc(&c, n, RADVAR_FLOAT64, &big), RADVAR_SUCCESS);
    double p[4] = {1, 2, 3, 4}, g[4] = {0.1, -0.2, 0.3, -0.4};
    for (int t = 0; t < 3; t++)
        step_any(small, p, g);
    ck_assert_int_eq(radvar_optim_save(small, path), RADVAR_SUCCESS);
    struct stat before;
    ck_assert_int_eq(stat(path, &before), 0);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert(pid >= 0);
    if (pid == 0) {
        /* the child: 1 MB at most per file, SIGXFSZ ignored (write fails with EFBIG) */
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit lim = {1 << 20, 1 << 20};
        if (setrlimit(RLIMIT_FSIZE, &lim) != 0)
            _exit(100);
        int st = radvar_optim_save(big, path);
        _exit(st == RADVAR_SUCCESS ? 101 : st);
    }
    int wst;
    ck_assert_int_eq(waitpid(pid, &wst, 0), pid);
    ck_assert_msg(WIFEXITED(wst), "the child died of signal %d", WIFSIGNALED(wst) ? WTERMSIG(wst) : 0);
    ck_assert_msg(WEXITSTATUS(wst) == RADVAR_EIO, "save under the limit: status %d (101: success)",
                  WEXITSTATUS(wst));
    /* the old state: same size, loads, same steps and moments */
    struct stat after;
    ck_assert_int_eq(stat(path, &after), 0);
    ck_assert_int_eq((long long)after.st_size, (long long)before.st_size);
    radvar_optim *back;
    ck_assert_int_eq(radvar_optim_alloc(&c, 4, RADVAR_FLOAT64, &back), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_load(back, path), RADVAR_SUCCESS);
    ck_assert_uint_eq(radvar_optim_steps(back), 3);
    ck_assert(memcmp(radvar_optim_m(small), radvar_optim_m(back), 4 * sizeof(double)) == 0);
    ck_assert(memcmp(radvar_optim_v(small), radvar_optim_v(back), 4 * sizeof(double)) == 0);
    /* nothing else in the directory */
    DIR *d = opendir(dir);
    ck_assert(d != NULL);
    struct dirent *e;
    int others = 0;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "state"))
            others++;
    closedir(d);
    ck_assert_int_eq(others, 0);
    unlink(path);
    rmdir(dir);
    radvar_optim_free(back);
    radvar_optim_free(big);
    radvar_optim_free(small);
}
END_TEST

START_TEST(test_save_load)
{
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    radvar_optim *a, *b;
    radvar_optim_alloc(&c, 5, RADVAR_FLOAT64, &a);
    radvar_optim_alloc(&c, 5, RADVAR_FLOAT64, &b);
    double p[5] = {1, 2, 3, 4, 5}, g[5] = {0.1, -0.2, 0.3, -0.4, 0.5};
    for (int t = 0; t < 7; t++)
        step_any(a, p, g);
    char path[] = "/tmp/radvar-optim-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    ck_assert_int_eq(radvar_optim_save(a, path), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_load(b, path), RADVAR_SUCCESS);
    ck_assert_uint_eq(radvar_optim_steps(b), 7);
    ck_assert(memcmp(radvar_optim_m(a), radvar_optim_m(b), 5 * sizeof(double)) == 0);
    ck_assert(memcmp(radvar_optim_v(a), radvar_optim_v(b), 5 * sizeof(double)) == 0);
    /* truncated */
    FILE *f = fopen(path, "r+b");
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    fclose(f);
    ck_assert_int_eq(truncate(path, size - 9), 0);
    radvar_optim_reset(b);
    ck_assert_int_eq(radvar_optim_load(b, path), RADVAR_EFORMAT);
    ck_assert_uint_eq(radvar_optim_steps(b), 0); /* unchanged */
    /* foreign */
    f = fopen(path, "wb");
    fputs("this is not an optimizer state, but it is long enough to be read.........", f);
    fclose(f);
    ck_assert_int_eq(radvar_optim_load(b, path), RADVAR_EFORMAT);
    /* corrupt: one flipped byte in the moments */
    radvar_optim_save(a, path);
    f = fopen(path, "r+b");
    fseek(f, 60, SEEK_SET);
    fputc(0x55, f);
    fclose(f);
    ck_assert_int_eq(radvar_optim_load(b, path), RADVAR_EFORMAT);
    /* a state of another size or type */
    radvar_optim *other;
    radvar_optim_alloc(&c, 6, RADVAR_FLOAT64, &other);
    radvar_optim_save(a, path);
    ck_assert_int_eq(radvar_optim_load(other, path), RADVAR_EFORMAT);
    radvar_optim_free(other);
    radvar_optim_alloc(&c, 5, RADVAR_FLOAT32, &other);
    ck_assert_int_eq(radvar_optim_load(other, path), RADVAR_EFORMAT);
    radvar_optim_free(other);
    unlink(path);
    ck_assert_int_eq(radvar_optim_load(b, path), RADVAR_EIO);
    ck_assert_int_eq(radvar_optim_save(a, "/nonexistent/dir/state"), RADVAR_EIO);
    radvar_optim_free(a);
    radvar_optim_free(b);
}
END_TEST

START_TEST(test_api_edges)
{
    radvar_optim_config c;
    ck_assert_int_eq(radvar_optim_defaults((radvar_method)99, &c), RADVAR_EINVAL);
    const char *names[] = {"sgd", "adam", "adamw", "radam", "adam-warmup", "adam-2k", "adam-eps"};
    for (int k = 0; k < 7; k++) {
        radvar_method m;
        ck_assert_int_eq(radvar_optim_method_from_name(names[k], &m), RADVAR_SUCCESS);
        ck_assert_int_eq(m, k);
        ck_assert_str_eq(radvar_optim_method_name(m), names[k]);
        ck_assert_int_eq(radvar_optim_defaults(m, &c), RADVAR_SUCCESS);
        ck_assert_int_eq(c.method, m);
    }
    ck_assert_str_eq(radvar_optim_method_name((radvar_method)99), "?");
    radvar_optim_defaults(RADVAR_RADAM, &c);
    ck_assert_str_eq(c.preset, "pytorch");
    ck_assert_int_eq(radvar_optim_preset("official-2020-01-01", &c), RADVAR_EINVAL);
    const char *preset_names[] = {"paper", "official", "official-2019-10-10",
                                  "official-2019-08-08", "pytorch", "optax", "tfa"};
    for (size_t k = 0; k < N_ELEMS(preset_names); k++) {
        ck_assert_int_eq(radvar_optim_preset(preset_names[k], &c), RADVAR_SUCCESS);
        ck_assert_str_eq(c.preset, preset_names[k]);
        ck_assert(strstr(RADVAR_OPTIM_PRESETS, preset_names[k]) != NULL);
    }
    radvar_optim_free(NULL); /* a no-op, as free(NULL) */
    radvar_optim *o;
    radvar_optim_defaults(RADVAR_ADAM, &c);
    ck_assert_int_eq(radvar_optim_alloc(&c, 3, RADVAR_FLOAT64, &o), RADVAR_SUCCESS);
    ck_assert_uint_eq(radvar_optim_size(o), 3);
    ck_assert_int_eq(radvar_optim_dtype(o), RADVAR_FLOAT64);
    ck_assert_ptr_null(radvar_optim_vmax(o));
    float pf[3] = {0}, gf[3] = {0};
    double pd[3] = {0}, gd[3] = {0};
    ck_assert_int_eq(radvar_optim_step_f32(o, pf, gf), RADVAR_EINVAL); /* another dtype */
    ck_assert_int_eq(radvar_optim_step_f64(o, NULL, gd), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_step_f64(o, pd, NULL), RADVAR_EINVAL);
    ck_assert_uint_eq(radvar_optim_steps(o), 0);
    radvar_optim_free(o);
    ck_assert_int_eq(radvar_optim_alloc(&c, 3, RADVAR_FLOAT32, &o), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_step_f64(o, pd, gd), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_step_f32(o, NULL, gf), RADVAR_EINVAL);
    radvar_optim_free(o);
    ck_assert_int_eq(radvar_optim_alloc(&c, 3, (radvar_dtype)7, &o), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_alloc(NULL, 3, RADVAR_FLOAT64, &o), RADVAR_EINVAL);
}
END_TEST

START_TEST(test_below_skip_sqrt_vhat)
{
    /* the paper's update with no step below the threshold: the moments move,
     * the parameters do not, until rho_t > 4 (t = 5 at beta2 = 0.999) */
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    radvar_optim_preset("paper", &c);
    c.below = RADVAR_BELOW_SKIP;
    radvar_optim *o;
    ck_assert_int_eq(radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o), RADVAR_SUCCESS);
    double p = 1.0, g = 0.5;
    for (int t = 1; t <= 5; t++) {
        step_any(o, &p, &g);
        radvar_optim_diagnostics d;
        radvar_optim_diag(o, &d);
        ck_assert_int_eq(d.moved, t == 5);
        if (t < 5)
            ck_assert(d.lr_adaptive == 0.0 && d.lr_momentum == 0.0);
        ck_assert(t == 5 ? p < 1.0 : p == 1.0);
        ck_assert(((const double *)radvar_optim_m(o))[0] > 0);
    }
    radvar_optim_free(o);
}
END_TEST

START_TEST(test_save_load_float32_amsgrad)
{
    /* a float32 state with the AMSGrad maximum goes through the file bit
     * for bit; a directory is neither saved onto nor loaded */
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_ADAM, &c);
    c.amsgrad = 1;
    radvar_optim *a, *b;
    ck_assert_int_eq(radvar_optim_alloc(&c, 5, RADVAR_FLOAT32, &a), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_alloc(&c, 5, RADVAR_FLOAT32, &b), RADVAR_SUCCESS);
    float p[5] = {1, 2, 3, 4, 5}, g[5] = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f};
    for (int t = 0; t < 4; t++) {
        step_any(a, p, g);
        g[t] *= -3.0f;
    }
    char path[] = "/tmp/radvar-optim-f32-XXXXXX";
    int fd = mkstemp(path);
    ck_assert(fd >= 0);
    close(fd);
    ck_assert_int_eq(radvar_optim_save(a, path), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_load(b, path), RADVAR_SUCCESS);
    ck_assert_uint_eq(radvar_optim_steps(b), 4);
    ck_assert(memcmp(radvar_optim_m(a), radvar_optim_m(b), 5 * sizeof(float)) == 0);
    ck_assert(memcmp(radvar_optim_v(a), radvar_optim_v(b), 5 * sizeof(float)) == 0);
    ck_assert(memcmp(radvar_optim_vmax(a), radvar_optim_vmax(b), 5 * sizeof(float)) == 0);
    /* the same state without AMSGrad is another configuration */
    radvar_optim *plain;
    c.amsgrad = 0;
    ck_assert_int_eq(radvar_optim_alloc(&c, 5, RADVAR_FLOAT32, &plain), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_load(plain, path), RADVAR_EFORMAT);
    /* other hyper-parameters */
    radvar_optim *other_lr;
    c.amsgrad = 1;
    c.lr = 2e-3;
    ck_assert_int_eq(radvar_optim_alloc(&c, 5, RADVAR_FLOAT32, &other_lr), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_load(other_lr, path), RADVAR_EFORMAT);
    unlink(path);
    ck_assert_int_eq(radvar_optim_save(a, ""), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_save(a, NULL), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_save(a, "/tmp"), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_optim_load(a, "/tmp"), RADVAR_EIO);
    ck_assert_int_eq(radvar_optim_load(a, NULL), RADVAR_EIO);
    radvar_optim_free(a);
    radvar_optim_free(b);
    radvar_optim_free(plain);
    radvar_optim_free(other_lr);
}
END_TEST

START_TEST(test_threads_and_diagnostics)
{
    enum { N = 100003 };
    static float p1[N], p2[N], g[N];
    for (int i = 0; i < N; i++) {
        p1[i] = p2[i] = (float)sin(i);
        g[i] = (float)cos(0.7 * i);
    }
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    radvar_optim *a, *b;
    radvar_optim_alloc(&c, N, RADVAR_FLOAT32, &a);
    radvar_optim_alloc(&c, N, RADVAR_FLOAT32, &b);
    radvar_optim_set_threads(b, 2);
    for (int t = 0; t < 8; t++) {
        step_any(a, p1, g);
        step_any(b, p2, g);
    }
    ck_assert(memcmp(p1, p2, sizeof p1) == 0);
    radvar_optim_diagnostics d;
    radvar_optim_diag(a, &d);
    ck_assert_uint_eq(d.step, 8);
    ck_assert(d.rectified && d.moved);
    ck_assert(d.rho_t == radvar_schedule_rho_t(0.999, 8));
    ck_assert(d.r_t == radvar_rectify_paper(0.999, 8));
    ck_assert_rel(d.lr_adaptive, 1e-3 * d.r_t / (1 - pow(0.9, 8)) * sqrt(1 - pow(0.999, 8)), TEST_TOL0);
    ck_assert_nan(d.lr_momentum);
    ck_assert_int_eq(radvar_optim_set_threads(a, 0), RADVAR_EINVAL);
    radvar_optim_free(a);
    radvar_optim_free(b);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("optim");
    TCase *conf = tcase_create("Conformance");
    tcase_add_loop_test(conf, test_golden_trajectory, 0, (int)N_ELEMS(golden));
    tcase_add_loop_test(conf, test_official_golden, 0, (int)N_ELEMS(official_golden));
    tcase_add_test(conf, test_official_unreproducible_documented);
    tcase_add_loop_test(conf, test_presets_follow_their_rules, 0, (int)N_ELEMS(presets));
    tcase_add_test(conf, test_below_momentum_official_and_exact_rect);
    tcase_add_loop_test(conf, test_sgd_follows_torch, 0, (int)N_ELEMS(sgd_cases));
    tcase_add_test(conf, test_optax_nesterov);
    tcase_add_test(conf, test_tfa_amsgrad_schedule);
    tcase_add_test(conf, test_tfa_schedule_values);
    tcase_add_test(conf, test_probes);
    suite_add_tcase(s, conf);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_refused_configurations);
    tcase_add_test(limits, test_nonfinite_gradient_refused);
    tcase_add_test(limits, test_save_load);
    tcase_add_test(limits, test_save_fails_keeps_old);
    tcase_add_test(limits, test_threads_and_diagnostics);
    tcase_add_test(limits, test_api_edges);
    tcase_add_test(limits, test_below_skip_sqrt_vhat);
    tcase_add_test(limits, test_save_load_float32_amsgrad);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
