/* check_foundation.c: the measured accuracy of the theory and schedule
 * modules for the report (out/REPORT.md): worst relative errors against the
 * mpmath tables of tests/ref/, monotonicity of Var[psi], the inverse, and how
 * much a direct evaluation of the paper's formula loses.
 * Prints a table: check, measured, target, ok. */
#include <math.h>
#include <stdio.h>

#include <gsl/gsl_math.h>
#include <gsl/gsl_sf_gamma.h>

#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"
#include "../tests/ref/rectify_ref.h"
#include "../tests/ref/schedule_ref.h"
#include "../tests/ref/theory_ref.h"

#define N_ELEMS(a) (sizeof(a) / sizeof *(a))

static double rel_err(double got, double want)
{
    if (isnan(got) && isnan(want))
        return 0.0;
    return got == want ? 0.0 : fabs(got - want) / fabs(want);
}

static void row(const char *check, double measured, const char *target, int ok)
{
    printf("%s\t%.3g\t%s\t%s\n", check, measured, target, ok ? "yes" : "NO");
}

/* The paper's Theorem 1 evaluated as written, with lgamma differences. */
static double var_psi_direct(double rho)
{
    double a = 0.5 * (rho - 1.0);
    double log_b = 2.0 * gsl_sf_lngamma(a) - gsl_sf_lngamma(2.0 * a);
    return rho / (rho - 2.0) - rho / M_PI * exp((2.0 * rho - 5.0) * M_LN2 + 2.0 * log_b);
}

int main(void)
{
    radvar_init();
    double w_mean = 0, w_mean2 = 0, w_var = 0;
    for (size_t i = 0; i < N_ELEMS(theory_ref_table); i++) {
        const struct theory_ref *r = &theory_ref_table[i];
        if (!(r->rho > 2.0))
            continue;
        w_mean = fmax(w_mean, rel_err(radvar_theory_mean_psi(r->rho, 1), r->mean_psi));
        w_mean2 = fmax(w_mean2, rel_err(radvar_theory_mean_psi2(r->rho, 1), r->mean_psi2));
        w_var = fmax(w_var, rel_err(radvar_theory_var_psi(r->rho, 1), r->var_psi));
    }
    double w_rho = 0, w_rt = 0, w_rex = 0, w_sma = 0;
    for (size_t i = 0; i < N_ELEMS(schedule_ref_table); i++) {
        const struct schedule_ref *r = &schedule_ref_table[i];
        /* rectify_ref.h has the same (beta2, t) rows, with the rectifications */
        const struct rectify_ref *q = &rectify_ref_table[i];
        w_rho = fmax(w_rho, rel_err(radvar_schedule_rho_t(r->beta2, r->t), r->rho_t));
        w_rt = fmax(w_rt, rel_err(radvar_rectify_paper(q->beta2, q->t), q->r_paper));
        w_rex = fmax(w_rex, rel_err(radvar_rectify_sma_exact(q->beta2, q->t), q->r_sma_exact));
        if (r->t <= 1e7 && r->t == floor(r->t))
            w_sma = fmax(w_sma, rel_err(radvar_schedule_sma_length(r->beta2, r->t), r->rho_t));
    }
    size_t increases = 0, points = 0;
    double prev = INFINITY, w_inv = 0;
    for (double s = -12.0; s <= 14.0; s += 1e-4, points++) {
        double v = radvar_theory_var_psi(2.0 + pow(10.0, s), 1.0);
        increases += v > prev;
        prev = v;
    }
    for (double s = -10.0; s <= 16.0; s += 0.01) {
        double rho = 2.0 + pow(10.0, s);
        w_inv = fmax(w_inv, rel_err(radvar_theory_rho_from_var(radvar_theory_var_psi(rho, 1), 1),
                                    rho));
    }
    printf("check\tmeasured\ttarget\tok\n");
    row("E[psi]: worst relative error vs mpmath, rho in (2, 1e14]", w_mean, "<= 1e-12",
        w_mean <= 1e-12);
    row("E[psi^2]: worst relative error vs mpmath", w_mean2, "<= 1e-12", w_mean2 <= 1e-12);
    row("Var[psi]: worst relative error vs mpmath, rho in (2, 1e14]", w_var, "<= 1e-11",
        w_var <= 1e-11);
    row("Var[psi] monotone: increases on a grid of 260001 rho in (2, 1e14]", (double)increases,
        "0", increases == 0);
    row("inverse rho(Var): worst relative round-trip error, rho - 2 in [1e-10, 1e16]", w_inv,
        "<= 1e-12", w_inv <= 1e-12);
    double rho = 1e6;
    double coef = rho * (radvar_theory_var_psi_approx(rho, 1) / radvar_theory_var_psi(rho, 1) - 1);
    row("first-order approximation: rho (approx/exact - 1) at rho = 1e6 (asymptote 9/4)", coef,
        "2.25 + O(1/rho)", fabs(coef - 2.25) < 1e-4);
    double naive2000 = rel_err(var_psi_direct(2000.0), radvar_theory_var_psi(2000.0, 1));
    double naive1e7 = rel_err(var_psi_direct(1e7), radvar_theory_var_psi(1e7, 1));
    row("paper's formula via lgamma, evaluated directly: relative error at rho = 2000", naive2000,
        "(shows the cancellation)", 1);
    row("paper's formula via lgamma, evaluated directly: relative error at rho = 1e7", naive1e7,
        "(shows the cancellation)", 1);
    row("rho_t: worst relative error vs mpmath, beta2 in [0.5, 0.999999], t in [1, 1e9]", w_rho,
        "<= 1e-10", w_rho <= 1e-10);
    row("r_t: worst relative error vs mpmath", w_rt, "<= 1e-12", w_rt <= 1e-12);
    row("exact rectification: worst relative error vs mpmath", w_rex, "<= 1e-11", w_rex <= 1e-11);
    row("SMA length solved numerically vs closed-form rho_t (t <= 1e7)", w_sma, "<= 1e-12",
        w_sma <= 1e-12);
    uint64_t t_paper, t_official, t_pytorch;
    radvar_rectify_first_step(0.999, &radvar_rectify_threshold_paper, &t_paper);
    radvar_rectify_first_step(0.999, &radvar_rectify_threshold_official, &t_official);
    radvar_rectify_first_step(0.999, &radvar_rectify_threshold_pytorch, &t_pytorch);
    printf("first rectified step at beta2 = 0.999: paper (rho_t > 4)\t%llu\t5\t%s\n", (unsigned long long)t_paper,
           t_paper == 5 ? "yes" : "NO");
    printf("first rectified step at beta2 = 0.999: official (>= 5) / PyTorch (> 5)\t%llu / %llu\t6 / 6\t%s\n",
           (unsigned long long)t_official, (unsigned long long)t_pytorch, t_official == 6 && t_pytorch == 6 ? "yes" : "NO");
    radvar_result r_paper, r_exp;
    radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.999, &radvar_rectify_threshold_paper,
                                      &r_paper);
    radvar_schedule_warmup_effective_length_e(RADVAR_WARMUP_EXP_UNTUNED, 0.999, 0, &r_exp);
    printf("effective warmup length at beta2 = 0.999: r_t vs untuned exponential\t%.6g vs %.6g\t(informative)\tfinding\n",
           r_paper.val, r_exp.val);
    return 0;
}
