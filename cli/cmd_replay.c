/* cmd_replay.c: radvar replay -- run the reference optimizer on logged
 * gradients and print the parameter trajectory. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "radvar/optim.h"

static const char help[] =
    "usage: radvar replay --method M [--preset P] [--lr X] [--beta1 X] [--beta2 X]\n"
    "                     [--eps X] [--weight-decay X] [--dtype float32|float64]\n"
    "                     [knobs...] [--input FILE] [--format F] [--output FILE]\n"
    "\n"
    "Read an initial parameter row, then one gradient row per step (numbers\n"
    "separated by tabs, commas or spaces; '#' lines and a leading header are\n"
    "skipped), apply the optimizer and print one row per step:\n"
    "  t p0 p1 ... rho_t r_t rectified effective_lr\n"
    "so that a trajectory logged from another framework can be compared number by\n"
    "number.\n"
    "\n"
    "  --method M        sgd adam adamw radam adam-warmup adam-2k adam-eps\n"
    "  --preset P        RAdam convention: paper official pytorch (default) optax tfa\n"
    "  --lr --beta1 --beta2 --eps --weight-decay   hyper-parameters (lr >= 0,\n"
    "                    betas in [0, 1), eps >= 0, weight decay >= 0)\n"
    "  --dtype D         float64 (default) or float32\n"
    "knobs (override the preset):\n"
    "  --threshold X --threshold-cmp gt|ge   rectify when rho_t > X (>= X)\n"
    "  --below momentum|skip     what RAdam does below the threshold\n"
    "  --eps-placement sqrt-v|sqrt-vhat   eps added to sqrt(v) (PyTorch) or sqrt(v_hat)\n"
    "  --eps-root X              optax: sqrt(v_hat + eps_root)\n"
    "  --wd-kind none|l2|decoupled|decoupled-taken|decoupled-in-lr\n"
    "  --rect paper|exact        r_t of the paper, or the exact variance ratio\n"
    "  --nesterov --amsgrad --momentum X\n"
    "  --warmup TW               adam-warmup length (default 2000)\n"
    "  --v-only-steps K          adam-2k: steps that only update v (default 2000)\n"
    "  --total-steps N --warmup-proportion X --min-lr X   TFA schedule\n"
    "  --input FILE              read FILE instead of standard input\n";

static size_t parse_row(char *line, double **vals, size_t *cap, int *numeric)
{
    size_t n = 0;
    *numeric = 1;
    for (char *tok = strtok(line, " \t,\r\n"); tok; tok = strtok(NULL, " \t,\r\n")) {
        char *end;
        double x = strtod(tok, &end);
        if (end == tok || *end != '\0') {
            *numeric = 0;
            x = NAN;
        }
        if (n == *cap) {
            *cap = *cap ? 2 * *cap : 64;
            *vals = realloc(*vals, *cap * sizeof **vals);
            if (*vals == NULL)
                cli_fail_status(1, "out of memory");
        }
        (*vals)[n++] = x;
    }
    return n;
}

static int pick(const char *opt, const char *text, const char *const *names, int count)
{
    for (int k = 0; k < count; k++)
        if (strcmp(text, names[k]) == 0)
            return k;
    char valid[256] = "";
    for (int k = 0; k < count; k++)
        snprintf(valid + strlen(valid), sizeof valid - strlen(valid), "%s%s", k ? ", " : "", names[k]);
    cli_fail("%s: '%s' is not valid (valid: %s)", opt, text, valid);
}

int cmd_replay(int argc, char **argv)
{
    const char *method_text = NULL, *preset = NULL, *lr = NULL, *beta1 = NULL, *beta2 = NULL,
               *eps = NULL, *wd = NULL, *dtype_text = "float64", *threshold = NULL,
               *threshold_cmp = NULL, *below = NULL, *eps_placement = NULL, *eps_root = NULL,
               *wd_kind = NULL, *rect = NULL, *momentum = NULL, *warmup = NULL, *v_only = NULL,
               *total = NULL, *warmup_prop = NULL, *min_lr = NULL, *input = NULL,
               *format = "tsv", *output = NULL;
    int nesterov = 0, amsgrad = 0, want_help = 0;
    const cli_option opts[] = {
        {"method", 1, &method_text, NULL},   {"preset", 1, &preset, NULL},
        {"lr", 1, &lr, NULL},                {"beta1", 1, &beta1, NULL},
        {"beta2", 1, &beta2, NULL},          {"eps", 1, &eps, NULL},
        {"weight-decay", 1, &wd, NULL},      {"dtype", 1, &dtype_text, NULL},
        {"threshold", 1, &threshold, NULL},  {"threshold-cmp", 1, &threshold_cmp, NULL},
        {"below", 1, &below, NULL},          {"eps-placement", 1, &eps_placement, NULL},
        {"eps-root", 1, &eps_root, NULL},    {"wd-kind", 1, &wd_kind, NULL},
        {"rect", 1, &rect, NULL},            {"momentum", 1, &momentum, NULL},
        {"nesterov", 0, NULL, &nesterov},    {"amsgrad", 0, NULL, &amsgrad},
        {"warmup", 1, &warmup, NULL},        {"v-only-steps", 1, &v_only, NULL},
        {"total-steps", 1, &total, NULL},    {"warmup-proportion", 1, &warmup_prop, NULL},
        {"min-lr", 1, &min_lr, NULL},        {"input", 1, &input, NULL},
        {"format", 1, &format, NULL},        {"output", 1, &output, NULL},
        {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    radvar_optim_config cfg;
    cli_optim_config(method_text, preset, &cfg);
    radvar_method method = cfg.method;
    cli_format fmt = cli_parse_format(format);
    static const char *const dtypes[] = {"float32", "float64"};
    radvar_dtype dtype = pick("--dtype", dtype_text, dtypes, 2) == 0 ? RADVAR_FLOAT32 : RADVAR_FLOAT64;
    if (lr) cfg.lr = cli_nonnegative("--lr", lr);
    if (beta1) cfg.beta1 = cli_unit_interval("--beta1", beta1);
    if (beta2) cfg.beta2 = cli_unit_interval("--beta2", beta2);
    if (eps) cfg.eps = cli_nonnegative("--eps", eps);
    if (wd) cfg.weight_decay = cli_nonnegative("--weight-decay", wd);
    if (eps_root) cfg.eps_root = cli_nonnegative("--eps-root", eps_root);
    if (momentum) cfg.momentum = cli_unit_interval("--momentum", momentum);
    if (threshold) {
        cfg.threshold.rho_min = cli_double("--threshold", threshold);
        cfg.threshold.name = "custom";
    }
    if (threshold_cmp) {
        static const char *const cmps[] = {"gt", "ge"};
        cfg.threshold.cmp = pick("--threshold-cmp", threshold_cmp, cmps, 2) ? RADVAR_CMP_GE : RADVAR_CMP_GT;
    }
    if (below) {
        static const char *const rules[] = {"momentum", "skip"};
        cfg.below = pick("--below", below, rules, 2) ? RADVAR_BELOW_SKIP : RADVAR_BELOW_MOMENTUM;
    }
    if (eps_placement) {
        static const char *const places[] = {"sqrt-v", "sqrt-vhat"};
        cfg.eps_placement = pick("--eps-placement", eps_placement, places, 2) ? RADVAR_EPS_SQRT_VHAT
                                                                             : RADVAR_EPS_SQRT_V;
    }
    if (wd_kind) {
        static const char *const kinds[] = {"none", "l2", "decoupled", "decoupled-taken", "decoupled-in-lr"};
        cfg.wd_kind = (radvar_weight_decay)pick("--wd-kind", wd_kind, kinds, 5);
    }
    if (rect) {
        static const char *const rects[] = {"paper", "exact"};
        cfg.rect_exact = pick("--rect", rect, rects, 2);
    }
    cfg.nesterov |= nesterov;
    cfg.amsgrad |= amsgrad;
    if (warmup) {
        cfg.warmup_steps = cli_double("--warmup", warmup);
        cli_check_range("--warmup", warmup, cfg.warmup_steps, 1, 0, INFINITY, 1);
    }
    if (v_only) cfg.v_only_steps = cli_integer("--v-only-steps", v_only, 0, 1e15);
    if (total) cfg.total_steps = cli_integer("--total-steps", total, 0, 1e15);
    if (warmup_prop) cfg.warmup_proportion = cli_unit_interval("--warmup-proportion", warmup_prop);
    if (min_lr) cfg.min_lr = cli_nonnegative("--min-lr", min_lr);

    FILE *in = stdin;
    if (input && strcmp(input, "-") != 0 && (in = fopen(input, "r")) == NULL)
        cli_fail("--input: cannot open '%s'", input);
    char *line = NULL;
    size_t line_cap = 0, cap = 0, n = 0, lineno = 0;
    double *vals = NULL, *init = NULL;
    void *params = NULL, *grads = NULL;
    radvar_optim *opt = NULL;
    cli_table *t = NULL;
    const char **cols = NULL;
    double *row = NULL;
    while (getline(&line, &line_cap, in) > 0) {
        lineno++;
        if (line[0] == '#' || strspn(line, " \t\r\n") == strlen(line))
            continue;
        int numeric;
        size_t k = parse_row(line, &vals, &cap, &numeric);
        if (!numeric) {
            if (init == NULL && n == 0 && lineno <= 64)
                continue; /* a header line */
            cli_fail("--input: line %zu: '%s' holds something that is not a number", lineno,
                     strtok(line, "\n"));
        }
        for (size_t i = 0; i < k; i++)
            if (!isfinite(vals[i]) && init == NULL)
                cli_fail("--input: line %zu: the initial parameters must be finite", lineno);
        if (init == NULL) {
            n = k;
            init = malloc(n * sizeof *init);
            size_t es = dtype == RADVAR_FLOAT32 ? sizeof(float) : sizeof(double);
            params = malloc(n * es);
            grads = malloc(n * es);
            cols = malloc((n + 5) * sizeof *cols);
            row = malloc((n + 5) * sizeof *row);
            if (!init || !params || !grads || !cols || !row)
                cli_fail_status(1, "out of memory");
            memcpy(init, vals, n * sizeof *init);
            for (size_t i = 0; i < n; i++) {
                if (dtype == RADVAR_FLOAT32)
                    ((float *)params)[i] = (float)vals[i];
                else
                    ((double *)params)[i] = vals[i];
            }
            int status = radvar_optim_alloc(&cfg, n, dtype, &opt);
            if (status != RADVAR_SUCCESS)
                cli_fail("the optimizer refused its configuration: %s", radvar_strerror(status));
            t = cli_table_open(output, fmt, argc, argv);
            cli_table_param(t, "method", "%s", radvar_optim_method_name(method));
            if (method == RADVAR_RADAM)
                cli_table_param(t, "preset", "%s", cfg.preset);
            cli_table_param(t, "dtype", "%s", dtype == RADVAR_FLOAT32 ? "float32" : "float64");
            cli_table_param(t, "lr", "%.17g", cfg.lr);
            cli_table_param(t, "betas", "%.17g, %.17g", cfg.beta1, cfg.beta2);
            cli_table_param(t, "eps", "%.17g", cfg.eps);
            cli_table_param(t, "weight_decay", "%.17g", cfg.weight_decay);
            cli_table_param(t, "parameters", "%zu", n);
            char **names = malloc(n * sizeof *names);
            cols[0] = "t";
            for (size_t i = 0; i < n; i++) {
                names[i] = malloc(24);
                snprintf(names[i], 24, "p%zu", i);
                cols[i + 1] = names[i];
            }
            cols[n + 1] = "rho_t";
            cols[n + 2] = "r_t";
            cols[n + 3] = "rectified";
            cols[n + 4] = "effective_lr";
            cli_table_begin(t, "main", n + 5, cols);
            for (size_t i = 0; i < n; i++)
                free(names[i]);
            free(names);
            continue;
        }
        if (k != n)
            cli_fail("--input: line %zu has %zu values; the initial row had %zu", lineno, k, n);
        for (size_t i = 0; i < n; i++) {
            if (dtype == RADVAR_FLOAT32)
                ((float *)grads)[i] = (float)vals[i];
            else
                ((double *)grads)[i] = vals[i];
        }
        int status = radvar_optim_step(opt, params, grads);
        if (status == RADVAR_ENONFINITE)
            cli_fail("--input: line %zu: a gradient is NaN or infinite (step %llu refused)", lineno,
                     (unsigned long long)radvar_optim_steps(opt) + 1);
        radvar_optim_diagnostics d;
        radvar_optim_diag(opt, &d);
        row[0] = (double)d.step;
        for (size_t i = 0; i < n; i++)
            row[i + 1] = dtype == RADVAR_FLOAT32 ? (double)((float *)params)[i] : ((double *)params)[i];
        row[n + 1] = d.rho_t;
        row[n + 2] = d.r_t;
        row[n + 3] = d.rectified;
        row[n + 4] = d.effective_lr;
        cli_table_row(t, row);
    }
    if (in != stdin)
        fclose(in);
    if (init == NULL)
        cli_fail("--input: no initial parameter row");
    cli_table_close(t);
    radvar_optim_free(opt);
    free(line);
    free(vals);
    free(init);
    free(params);
    free(grads);
    free(cols);
    free(row);
    return 0;
}
