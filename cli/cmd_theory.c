/* cmd_theory.c: radvar theory -- the closed-form moments of psi per rho. */
#include <math.h>
#include <stdio.h>

#include "cli.h"
#include "radvar/theory.h"

static const char help[] =
    "usage: radvar theory --rho LIST|A:B:N [--log] [--tau2 X]\n"
    "                     [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "For psi^2 ~ Scale-inv-chi2(rho, tau2) (Adam's adaptive learning rate when the\n"
    "EMA is treated as an SMA of rho Gaussian terms, tau2 = 1/sigma^2), print one\n"
    "row per rho: rho E_psi E_psi2 var_psi var_psi_approx.\n"
    "  var_psi is the paper's Theorem 1, exact; var_psi_approx the first-order\n"
    "  rho tau2/(2(rho-2)(rho-4)), nan for rho <= 4.\n"
    "\n"
    "  --rho LIST     comma-separated values, each > 2 (e.g. 3,4.5,1e6)\n"
    "  --rho A:B:N    N points from A to B (2 < A <= B); log-spaced with --log\n"
    "  --tau2 X       scale, 0 < X < inf (default 1)\n"
    "  --format F     tsv (default), csv or json\n"
    "  --output FILE  write FILE atomically (default: standard output)\n";

int cmd_theory(int argc, char **argv)
{
    const char *rho_text = NULL, *tau2_text = "1", *format = "tsv", *output = NULL;
    int log_spaced = 0, want_help = 0;
    const cli_option opts[] = {
        {"rho", 1, &rho_text, NULL},   {"tau2", 1, &tau2_text, NULL},
        {"log", 0, NULL, &log_spaced}, {"format", 1, &format, NULL},
        {"output", 1, &output, NULL},  {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help, stdout);
        return 0;
    }
    if (rho_text == NULL)
        cli_fail("--rho is required (a list such as 3,4.5,1e6 or a range A:B:N)");
    cli_format fmt = cli_parse_format(format);
    double tau2 = cli_double("--tau2", tau2_text);
    cli_check_range("--tau2", tau2_text, tau2, 0, 1, INFINITY, 1);
    cli_grid rho = cli_real_grid("--rho", rho_text, log_spaced, 2.0,
                                 "every rho must be > 2 (Var[psi] is infinite for rho <= 2)");

    cli_table *t = cli_table_open(output, fmt, argc, argv);
    cli_table_param(t, "tau2", "%.17g", tau2);
    cli_table_param(t, "model", "psi^2 ~ Scale-inv-chi2(rho, tau2)");
    static const char *const cols[] = {"rho", "E_psi", "E_psi2", "var_psi", "var_psi_approx"};
    cli_table_begin(t, "main", 5, cols);
    for (size_t i = 0; i < rho.n; i++) {
        double r = cli_grid_at(&rho, i);
        double row[5] = {r, radvar_theory_mean_psi(r, tau2), radvar_theory_mean_psi2(r, tau2),
                         radvar_theory_var_psi(r, tau2), radvar_theory_var_psi_approx(r, tau2)};
        cli_table_row(t, row);
    }
    cli_table_close(t);
    cli_grid_free(&rho);
    return 0;
}
