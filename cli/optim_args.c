/* optim_args.c: the optimizer's options, shared by replay, train and
 * bench-step: one definition of every knob, its parsing and its record in
 * the output header. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* pick: the index of text in names, or a message listing the valid names */
int cli_pick(const char *opt, const char *text, const char *const *names, int count)
{
    for (int k = 0; k < count; k++)
        if (strcmp(text, names[k]) == 0)
            return k;
    char valid[256] = "";
    for (int k = 0; k < count; k++)
        snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", k ? ", " : "", names[k]);
    cli_fail("%s: '%s' is not valid (valid: %s)", opt, text, valid);
}

radvar_dtype cli_dtype(const char *opt, const char *text)
{
    static const char *const names[] = {"float32", "float64"};
    return cli_pick(opt, text, names, 2) == 0 ? RADVAR_FLOAT32 : RADVAR_FLOAT64;
}

const char *cli_dtype_name(radvar_dtype dtype)
{
    return dtype == RADVAR_FLOAT32 ? "float32" : "float64";
}

static const char *const below_names[] = {"momentum", "skip"};
static const char *const place_names[] = {"sqrt-v", "sqrt-vhat"};
static const char *const wd_names[] = {"none", "l2", "decoupled", "decoupled-taken", "decoupled-in-lr"};

static void method_and_preset(const cli_optim_args *a, radvar_optim_config *cfg)
{
    if (a->method == NULL)
        cli_fail("--method is required (sgd adam adamw radam adam-warmup adam-2k adam-eps)");
    radvar_method method;
    if (radvar_optim_method_from_name(a->method, &method) != RADVAR_SUCCESS)
        cli_fail("--method: '%s' is not a method (valid: sgd, adam, adamw, radam, adam-warmup, "
                 "adam-2k, adam-eps)", a->method);
    radvar_optim_defaults(method, cfg);
    if (a->preset == NULL)
        return;
    if (method != RADVAR_RADAM)
        cli_fail("--preset: applies to --method radam only");
    if (radvar_optim_preset(a->preset, cfg) != RADVAR_SUCCESS)
        cli_fail("--preset: '%s' is not valid (valid: %s)", a->preset, RADVAR_OPTIM_PRESETS);
}

/* --name VALUE through the library's one parser of the knobs */
static void set_knob(radvar_optim_config *cfg, const char *option, const char *knob, const char *value)
{
    char why[256];
    if (value != NULL && radvar_optim_config_set(cfg, knob, value, why, sizeof why) != RADVAR_SUCCESS)
        cli_fail("%s: %s", option, why);
}

static void overrides(const cli_optim_args *a, radvar_optim_config *cfg)
{
    const struct {
        const char *option, *value;
    } knobs[] = {
        {"--lr", a->lr},           {"--beta1", a->beta1},
        {"--beta2", a->beta2},     {"--eps", a->eps},
        {"--weight-decay", a->weight_decay}, {"--eps-root", a->eps_root},
        {"--momentum", a->momentum}, {"--warmup", a->warmup},
        {"--v-only-steps", a->v_only}, {"--total-steps", a->total},
        {"--warmup-proportion", a->warmup_prop}, {"--min-lr", a->min_lr},
        {"--threshold", a->threshold}, {"--threshold-cmp", a->threshold_cmp},
        {"--below", a->below},     {"--eps-placement", a->eps_placement},
        {"--wd-kind", a->wd_kind}, {"--rect", a->rect},
    };
    for (size_t k = 0; k < sizeof knobs / sizeof *knobs; k++)
        set_knob(cfg, knobs[k].option,
                 strcmp(knobs[k].option, "--warmup") == 0 ? "warmup_steps" : knobs[k].option + 2,
                 knobs[k].value);
    cfg->nesterov |= a->nesterov;
    cfg->amsgrad |= a->amsgrad;
    /* a decay that would silently do nothing: optax.radam has none */
    if (cfg->weight_decay > 0 && cfg->wd_kind == RADVAR_WD_NONE)
        cli_fail("--weight-decay: %s has no effect with %s (no weight decay%s); give --wd-kind "
                 "l2|decoupled|decoupled-taken|decoupled-in-lr to apply it, or leave it out",
                 a->weight_decay ? a->weight_decay : "the default",
                 a->wd_kind ? "--wd-kind none" : cfg->method == RADVAR_RADAM ? "this preset" : "this method",
                 cfg->method == RADVAR_RADAM && strcmp(cfg->preset, "optax") == 0
                     ? ": optax.radam takes none" : "");
}

void cli_optim_resolve(const cli_optim_args *a, radvar_optim_config *cfg)
{
    method_and_preset(a, cfg);
    overrides(a, cfg);
}

void cli_optim_params(cli_table *t, const radvar_optim_config *c)
{
    cli_table_param(t, "method", "%s", radvar_optim_method_name(c->method));
    cli_table_param(t, "dispatch", "%s", radvar_dispatch_name());
    cli_table_param(t, "lr", "%.17g", c->lr);
    cli_table_param(t, "betas", "%.17g, %.17g", c->beta1, c->beta2);
    cli_table_param(t, "eps", "%.17g", c->eps);
    cli_table_param(t, "weight_decay", "%.17g (%s)", c->weight_decay, wd_names[c->wd_kind]);
    if (c->method == RADVAR_SGD)
        cli_table_param(t, "momentum", "%.17g%s", c->momentum, c->nesterov ? " (nesterov)" : "");
    if (c->method == RADVAR_ADAM_WARMUP)
        cli_table_param(t, "warmup_steps", "%.17g", c->warmup_steps);
    if (c->method == RADVAR_ADAM_2K)
        cli_table_param(t, "v_only_steps", "%.17g", c->v_only_steps);
    /* every knob that ran, whatever the method (amsgrad, nesterov and
     * eps_root reach Adam's kernel too; SGD's nesterov is on its momentum line) */
    if (c->method != RADVAR_RADAM) {
        if (c->eps_root > 0)
            cli_table_param(t, "eps_root", "%.17g", c->eps_root);
        int nesterov = c->nesterov && c->method != RADVAR_SGD;
        if (nesterov || c->amsgrad)
            cli_table_param(t, "variants", "%s%s%s", nesterov ? "nesterov" : "",
                            nesterov && c->amsgrad ? " " : "", c->amsgrad ? "amsgrad" : "");
        return;
    }
    cli_table_param(t, "preset", "%s", c->preset);
    cli_table_param(t, "rectification", "%s", radvar_rectify_kind_name(c->rect));
    if (c->rect == RADVAR_RECTIFY_PAPER)
        cli_table_param(t, "threshold", "rho_t %s %.17g", c->threshold.cmp == RADVAR_CMP_GE ? ">=" : ">",
                        c->threshold.rho_min);
    cli_table_param(t, "below_threshold", "%s", below_names[c->below]);
    cli_table_param(t, "eps_placement", "%s", place_names[c->eps_placement]);
    if (c->eps_root > 0)
        cli_table_param(t, "eps_root", "%.17g", c->eps_root);
    if (c->nesterov || c->amsgrad)
        cli_table_param(t, "variants", "%s%s", c->nesterov ? "nesterov " : "", c->amsgrad ? "amsgrad" : "");
    if (c->total_steps > 0)
        cli_table_param(t, "schedule", "tfa: total_steps %.17g, warmup_proportion %.17g, min_lr %.17g",
                        c->total_steps, c->warmup_proportion, c->min_lr);
}

const char cli_optim_help[] =
    "  --method M        sgd adam adamw radam adam-warmup adam-2k adam-eps\n"
    "  --preset P        RAdam convention: " RADVAR_OPTIM_PRESETS " (default pytorch)\n"
    "  --lr --beta1 --beta2 --eps --weight-decay   hyper-parameters (lr >= 0,\n"
    "                    betas in [0, 1), eps >= 0, weight decay >= 0)\n"
    "knobs (override the preset):\n"
    "  --threshold X --threshold-cmp gt|ge   rectify when rho_t > X (>= X)\n"
    "  --below momentum|skip     what RAdam does below the threshold\n"
    "  --eps-placement sqrt-v|sqrt-vhat   eps added to sqrt(v) (PyTorch) or sqrt(v_hat)\n"
    "  --eps-root X              optax: sqrt(v_hat + eps_root)\n"
    "  --wd-kind none|l2|decoupled|decoupled-taken|decoupled-in-lr\n"
    "  --rect paper|sma-exact|moment|kurtosis   the rectification (radvar/rectify.h):\n"
    "                    paper: r_t with the threshold (flattens the SMA model to\n"
    "                    first order); sma-exact: sqrt(Var(rho_inf)/Var(rho_t)) of\n"
    "                    Theorem 1 (flattens the SMA model exactly, not the EMA);\n"
    "                    moment: the same at rho_moment = 1/sum w^2 (flattens the\n"
    "                    EMA of Gaussian gradients to within about 1%); kurtosis:\n"
    "                    the same at the moment-matched dof from each coordinate's\n"
    "                    kurtosis, estimated online by an EMA of g^4 (one more\n"
    "                    state array; for heavy-tailed gradients)\n"
    "  --nesterov --amsgrad --momentum X\n"
    "  --warmup TW               adam-warmup length (default 2000)\n"
    "  --v-only-steps K          adam-2k: steps that only update v (default 2000)\n"
    "  --total-steps N --warmup-proportion X --min-lr X   TFA schedule\n";
