/* cmd_schedule.c: radvar schedule -- rho_t, r_t and the warmups per step. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "radvar/schedule.h"

static const char help[] =
    "usage: radvar schedule --beta2 B --t LIST|A:B[:STEP] [--warmup TW] [--summary]\n"
    "                       [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "Print one row per step t: t rho_t sma_length r_t r_t_exact, then the warmup\n"
    "factors w_t: warmup_linear (with --warmup TW: min(t,TW)/TW), warmup_exp_untuned\n"
    "(1-exp(-(1-B)t)) and warmup_linear_untuned (min(1,(1-B)t/2)).\n"
    "  rho_t       length of the SMA with the EMA's centre of mass (closed form)\n"
    "  sma_length  the same, solved numerically from the centre-of-mass equation\n"
    "  r_t         the paper's rectification term; nan where rho_t <= 4\n"
    "  r_t_exact   sqrt(Var[psi](rho_inf)/Var[psi](rho_t)); nan where rho_t <= 2\n"
    "With --summary, a second table 'summary' follows: the first rectified step of\n"
    "each convention (paper rho_t>4, official rho_t>=5, pytorch rho_t>5; nan =\n"
    "never) and the effective warmup length sum_t (1-w_t) of each warmup and of\n"
    "r_t and r_t_exact (0 before the paper's threshold).\n"
    "\n"
    "  --beta2 B      second-moment decay, 0 <= B < 1\n"
    "  --t LIST       whole steps >= 1, comma-separated\n"
    "  --t A:B[:STEP] steps A, A+STEP, ..., <= B (1 <= A <= B)\n"
    "  --warmup TW    linear warmup length, TW >= 1\n"
    "  --summary      add the summary table\n"
    "  --format F     tsv (default), csv or json\n"
    "  --output FILE  write FILE atomically (default: standard output)\n";

int cmd_schedule(int argc, char **argv)
{
    const char *beta2_text = NULL, *t_text = NULL, *warmup_text = NULL, *format = "tsv",
               *output = NULL;
    int summary = 0, want_help = 0;
    const cli_option opts[] = {
        {"beta2", 1, &beta2_text, NULL}, {"t", 1, &t_text, NULL},
        {"warmup", 1, &warmup_text, NULL}, {"summary", 0, NULL, &summary},
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
    if (t_text == NULL)
        cli_fail("--t is required (a list such as 1,10,100 or a range A:B[:STEP])");
    cli_format fmt = cli_parse_format(format);
    double beta2 = cli_double("--beta2", beta2_text);
    cli_check_range("--beta2", beta2_text, beta2, 0, 0, 1, 1);
    double tw = NAN;
    if (warmup_text != NULL) {
        tw = cli_double("--warmup", warmup_text);
        cli_check_range("--warmup", warmup_text, tw, 1, 0, INFINITY, 1);
    }
    cli_grid steps = cli_step_grid("--t", t_text);

    cli_table *t = cli_table_open(output, fmt, argc, argv);
    cli_table_param(t, "beta2", "%.17g", beta2);
    cli_table_param(t, "rho_inf", "%.17g", radvar_rho_inf(beta2));
    if (warmup_text)
        cli_table_param(t, "warmup", "%.17g", tw);
    const char *cols[8] = {"t", "rho_t", "sma_length", "r_t", "r_t_exact"};
    size_t ncols = 5;
    if (warmup_text)
        cols[ncols++] = "warmup_linear";
    cols[ncols++] = "warmup_exp_untuned";
    cols[ncols++] = "warmup_linear_untuned";
    cli_table_begin(t, "main", ncols, cols);
    for (size_t i = 0; i < steps.n; i++) {
        double step = cli_grid_at(&steps, i), row[8];
        size_t k = 0;
        row[k++] = step;
        row[k++] = radvar_rho_t(beta2, step);
        row[k++] = radvar_sma_length(beta2, step);
        row[k++] = radvar_rect_paper(beta2, step);
        row[k++] = radvar_rect_exact(beta2, step);
        if (warmup_text)
            row[k++] = radvar_warmup_linear(step, tw);
        row[k++] = radvar_warmup_exp_untuned(beta2, step);
        row[k++] = radvar_warmup_linear_untuned(beta2, step);
        cli_table_row(t, row);
    }
    if (summary) {
        const radvar_threshold *th[3] = {&radvar_threshold_paper, &radvar_threshold_official,
                                         &radvar_threshold_pytorch};
        const char *scols[10] = {"first_step_paper", "first_step_official",
                                 "first_step_pytorch"};
        double srow[10];
        size_t n = 0;
        for (int k = 0; k < 3; k++) {
            unsigned long long first;
            srow[n++] = radvar_first_rectified_step(beta2, th[k], &first) ? NAN : (double)first;
        }
        radvar_result r;
        if (warmup_text) {
            scols[n] = "eff_warmup_linear";
            radvar_warmup_effective_length_e(RADVAR_WARMUP_LINEAR, beta2, tw, NULL, &r);
            srow[n++] = r.val;
        }
        static const struct {
            const char *name;
            radvar_warmup_kind kind;
        } kinds[] = {{"eff_warmup_exp_untuned", RADVAR_WARMUP_EXP_UNTUNED},
                     {"eff_warmup_linear_untuned", RADVAR_WARMUP_LINEAR_UNTUNED},
                     {"eff_warmup_r_t", RADVAR_WARMUP_RECT_PAPER},
                     {"eff_warmup_r_t_exact", RADVAR_WARMUP_RECT_EXACT}};
        for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
            scols[n] = kinds[k].name;
            int status = radvar_warmup_effective_length_e(kinds[k].kind, beta2, tw,
                                                          &radvar_threshold_paper, &r);
            srow[n++] = status == RADVAR_SUCCESS ? r.val : NAN;
        }
        cli_table_begin(t, "summary", n, scols);
        cli_table_row(t, srow);
    }
    cli_table_close(t);
    cli_grid_free(&steps);
    return 0;
}
