/* cmd_schedule.c: radvar schedule -- rho_t, r_t and the warmups per step, or
 * (--summary) the first rectified steps and the effective warmup lengths. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"

static const char help[] =
    "usage: radvar schedule --beta2 B --t LIST|A:B[:STEP] [--warmup TW]\n"
    "       radvar schedule --beta2 B --summary [--warmup TW]\n"
    "                       [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "Print one row per step t: t rho_t sma_length r_t r_t_sma_exact r_t_moment,\n"
    "then the warmup factors w_t: warmup_linear (with --warmup TW: min(t,TW)/TW),\n"
    "warmup_exp_untuned (1-exp(-(1-B)t)) and warmup_linear_untuned (min(1,(1-B)t/2)).\n"
    "  rho_t          length of the SMA with the EMA's centre of mass (closed form)\n"
    "  sma_length     the same, solved numerically from the centre-of-mass equation\n"
    "  r_t            the paper's rectification term; nan where rho_t <= 4\n"
    "  r_t_sma_exact  sqrt(Var[psi](rho_inf)/Var[psi](rho_t)), Theorem 1's SMA model\n"
    "                 exactly; nan where rho_t <= 2\n"
    "  r_t_moment     the same at rho_moment = 1/sum w^2 instead of rho_t: flattens\n"
    "                 the variance of the EMA of Gaussian gradients to about 1%\n"
    "With --summary (and no --t), one row instead: the first rectified step of each\n"
    "convention (paper rho_t>4, official rho_t>=5, pytorch rho_t>5; nan = never)\n"
    "and the effective warmup length sum_t (1-w_t) of each warmup and of r_t,\n"
    "r_t_sma_exact and r_t_moment used as warmups (0 before the paper's threshold).\n"
    "\n"
    "  --beta2 B      second-moment decay, 0 <= B < 1\n"
    "  --t LIST       whole steps >= 1, comma-separated\n"
    "  --t A:B[:STEP] steps A, A+STEP, ..., <= B (1 <= A <= B)\n"
    "  --warmup TW    linear warmup length, TW >= 1\n"
    "  --summary      the summary row instead of the per-step rows\n"
    "  --format F     tsv (default), csv or json\n"
    "  --output FILE  write FILE atomically (default: standard output)\n";

static void per_step(cli_table *t, double beta2, const cli_grid *steps, int warmup, double tw)
{
    const char *cols[9] = {"t", "rho_t", "sma_length", "r_t", "r_t_sma_exact", "r_t_moment"};
    size_t ncols = 6;
    if (warmup)
        cols[ncols++] = "warmup_linear";
    cols[ncols++] = "warmup_exp_untuned";
    cols[ncols++] = "warmup_linear_untuned";
    cli_table_begin(t, "main", ncols, cols);
    for (size_t i = 0; i < steps->n; i++) {
        double step = cli_grid_at(steps, i), row[9];
        size_t k = 0;
        row[k++] = step;
        row[k++] = radvar_schedule_rho_t(beta2, step);
        row[k++] = radvar_schedule_sma_length(beta2, step);
        row[k++] = radvar_rectify_paper(beta2, step);
        row[k++] = radvar_rectify_sma_exact(beta2, step);
        row[k++] = radvar_rectify_moment(beta2, step);
        if (warmup)
            row[k++] = radvar_schedule_warmup_linear(step, tw);
        row[k++] = radvar_schedule_warmup_exp_untuned(beta2, step);
        row[k++] = radvar_schedule_warmup_linear_untuned(beta2, step);
        cli_table_row(t, row);
    }
}

static void summary(cli_table *t, double beta2, int warmup, double tw)
{
    const radvar_rectify_threshold *th[3] = {&radvar_rectify_threshold_paper,
                                             &radvar_rectify_threshold_official,
                                             &radvar_rectify_threshold_pytorch};
    const char *cols[12] = {"first_step_paper", "first_step_official", "first_step_pytorch"};
    double row[12];
    size_t n = 0;
    for (int k = 0; k < 3; k++) {
        uint64_t first;
        row[n++] = radvar_rectify_first_step(beta2, th[k], &first) ? NAN : (double)first;
    }
    radvar_result r;
    if (warmup) {
        cols[n] = "eff_warmup_linear";
        radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR, beta2, tw, &r);
        row[n++] = r.val;
    }
    cols[n] = "eff_warmup_exp_untuned";
    row[n++] = radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_EXP_UNTUNED, beta2, tw, &r)
                   ? NAN : r.val;
    cols[n] = "eff_warmup_linear_untuned";
    row[n++] = radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_LINEAR_UNTUNED, beta2, tw, &r)
                   ? NAN : r.val;
    static const struct {
        const char *name;
        radvar_rectify_kind kind;
    } rects[] = {{"eff_warmup_r_t", RADVAR_RECTIFY_PAPER},
                 {"eff_warmup_r_t_sma_exact", RADVAR_RECTIFY_SMA_EXACT},
                 {"eff_warmup_r_t_moment", RADVAR_RECTIFY_MOMENT}};
    for (size_t k = 0; k < sizeof rects / sizeof *rects; k++) {
        cols[n] = rects[k].name;
        int status = radvar_rectify_effective_warmup_e(rects[k].kind, beta2,
                                                       &radvar_rectify_threshold_paper, &r);
        row[n++] = status == RADVAR_SUCCESS ? r.val : NAN;
    }
    cli_table_begin(t, "main", n, cols);
    cli_table_row(t, row);
}

int cmd_schedule(int argc, char **argv)
{
    const char *beta2_text = NULL, *t_text = NULL, *warmup_text = NULL, *format = "tsv",
               *output = NULL;
    int want_summary = 0, want_help = 0;
    const cli_option opts[] = {
        {"beta2", 1, &beta2_text, NULL}, {"t", 1, &t_text, NULL},
        {"warmup", 1, &warmup_text, NULL}, {"summary", 0, NULL, &want_summary},
        {"format", 1, &format, NULL},     {"output", 1, &output, NULL},
        {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    if (beta2_text == NULL)
        cli_fail("--beta2 is required (0 <= beta2 < 1)");
    if (want_summary && t_text != NULL)
        cli_fail("--summary takes no --t (the summary does not depend on t)");
    if (!want_summary && t_text == NULL)
        cli_fail("--t is required (a list such as 1,10,100 or a range A:B[:STEP]), or --summary");
    cli_format fmt = cli_parse_format(format);
    double beta2 = cli_double("--beta2", beta2_text);
    cli_check_range("--beta2", beta2_text, beta2, 0, 0, 1, 1);
    double tw = NAN;
    if (warmup_text != NULL) {
        tw = cli_double("--warmup", warmup_text);
        cli_check_range("--warmup", warmup_text, tw, 1, 0, INFINITY, 1);
    }
    cli_grid steps = {0};
    if (!want_summary)
        steps = cli_step_grid("--t", t_text);

    cli_table *t = cli_table_open(output, fmt, argc, argv);
    cli_table_param(t, "beta2", "%.17g", beta2);
    cli_table_param(t, "rho_inf", "%.17g", radvar_schedule_rho_inf(beta2));
    if (warmup_text)
        cli_table_param(t, "warmup", "%.17g", tw);
    if (want_summary)
        summary(t, beta2, warmup_text != NULL, tw);
    else
        per_step(t, beta2, &steps, warmup_text != NULL, tw);
    cli_table_close(t);
    cli_grid_free(&steps);
    return 0;
}
