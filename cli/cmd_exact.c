/* cmd_exact.c: radvar exact, dof and rectify -- the exact EMA moments of psi_t,
 * the degrees-of-freedom estimators (radvar/dof.h), and every rectification
 * judged exactly (radvar/rectify.h).  The analysis is the library's; this
 * file parses and formats. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "radvar/dof.h"
#include "radvar/exact.h"
#include "radvar/noise.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"

static const char common_help[] =
    "  --beta2 B       second-moment decay, 1e-50 <= B < 1\n"
    "  --t LIST        whole steps >= 1, comma-separated, or a range A:B[:STEP]\n"
    "  --log           with --t A:B: N distinct log-spaced whole steps from A to B\n"
    "  --points N      N for --log, 2 <= N <= 1e6 (default 300)\n"
    "  --mu M          gradient mean, |M| <= 1e30 S (default 0)\n"
    "  --sigma S       gradient scale, S > 0 (default 1); sqrt(M^2 + S^2) in\n"
    "                  [1e-100, 1e100]\n"
    "  --noise SPEC    the gradient noise e in g = M + S e, of unit variance (default\n"
    "                  normal): normal, student:nu=V (V > 2), laplace,\n"
    "                  mixture:p=P,k=K (0 < P < 1, K > 0), ar1:phi=F (|F| < 1),\n"
    "                  decay:a=A,tau=T (A >= 0, T > 0; t <= 1048576)\n"
    "  --format F      tsv (default), csv or json\n"
    "  --output FILE   write FILE atomically (default: standard output)\n"
    "inf marks a moment that is infinite (E[psi_1], E[psi_t^2] for t <= 2), nan a\n"
    "value that is not defined there.\n";

static const char exact_help[] =
    "usage: radvar exact --beta2 B --t LIST|A:B[:STEP] [--log [--points N]] [--mu M]\n"
    "                    [--sigma S] [--noise SPEC] [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "The exact moments of psi_t = sqrt((1-B^t)/v_t) for the EMA of squared N(M, S^2)\n"
    "gradients (or g = M + S e under --noise), by one-dimensional quadrature of the\n"
    "Laplace transform (no Monte Carlo, no SMA approximation).  Columns: t rho_t E_psi E_psi2 var_psi abs_err\n"
    "(abs_err: estimated absolute error of var_psi).  E_psi is infinite at t = 1,\n"
    "E_psi2 and var_psi at t <= 2 (inf; abs_err nan there).\n\n";

static const char dof_help[] =
    "usage: radvar dof --beta2 B --t LIST|A:B[:STEP] [--log [--points N]] [--mu M]\n"
    "                  [--sigma S] [--noise SPEC] [--format tsv|csv|json] [--output FILE]\n"
    "\n"
    "How good are degrees-of-freedom estimates of the EMA?  Columns:\n"
    "  t var_exact rho_t var_at_rho_t rho_moment var_at_rho_moment rho_exact\n"
    "  rel_err_rho_t rel_err_rho_moment\n"
    "var_exact is the exact EMA Var[psi_t]; var_at_X is Theorem 1's Var[psi] at the\n"
    "estimate X with tau2 = 1/S^2; rho_t is the paper's centre-of-mass estimate,\n"
    "rho_moment = 1/sum w_i^2 the second-moment match, rho_exact the rho at which\n"
    "Theorem 1 equals var_exact; rel_err_X = var_at_X / var_exact - 1.\n"
    "With M != 0 the model's tau2 = 1/S^2 ignores the mean: the relative errors\n"
    "then include the mean's effect on the variance.\n"
    "With --noise, three columns follow: rho_mm var_at_rho_mm rel_err_rho_mm, the\n"
    "moment-matched dof 2 E[X]^2/Var[X] of X = 1/psi_t^2 under the noise model (from\n"
    "its kurtosis, correlations or scale path; for normal with M = 0 it is\n"
    "rho_moment) and Theorem 1 there with the matched scale tau2 = 1/E[X] (nan where\n"
    "rho_mm <= 2: rho_mm = 0 where the kurtosis is infinite, student with V <= 4).\n"
    "Under decay the scale of the other columns is the EMA's mean scale at t, not S.\n\n";

static const char rectify_help[] =
    "usage: radvar rectify --beta2 B --t LIST|A:B[:STEP] [--log [--points N]] [--mu M]\n"
    "                      [--sigma S] [--noise SPEC] [--format tsv|csv|json]\n"
    "                      [--output FILE]\n"
    "\n"
    "How flat does each rectification make the variance, exactly?  Columns:\n"
    "  t r_paper r_sma_exact r_moment r_ema_exact\n"
    "  ratio_paper ratio_sma_exact ratio_moment ratio_ema_exact\n"
    "  r_paper      the paper's r_t (eq. 7, from rho_t and rho_inf): flattens the\n"
    "               SMA model to first order; nan where rho_t <= 4\n"
    "  r_sma_exact  sqrt(Var(rho_inf)/Var(rho_t)), Var from Theorem 1: flattens the\n"
    "               SMA model exactly, not the EMA; nan where rho_t <= 2\n"
    "  r_moment     the same at rho_moment = 1/sum w^2: flattens the EMA of Gaussian\n"
    "               gradients to within about 1%; nan where rho_moment <= 2\n"
    "  r_ema_exact  sqrt(Var_EMA[psi_inf]/Var_EMA[psi_t]) from the exact EMA moments\n"
    "               at M and S: flat by construction; nan for t <= 2\n"
    "ratio_X = Var[r_X psi_t] / Var_EMA[psi_inf] (1 is perfect rectification).\n"
    "With --noise every variance is the noise model's, and two columns follow:\n"
    "  r_mm         the SMA model's exact ratio at the model's moment-matched dof,\n"
    "               sqrt(Var(rho_mm(inf))/Var(rho_mm(t))) (radvar dof); nan where\n"
    "               rho_mm <= 2 (student with V <= 4: always)\n"
    "  ratio_mm     Var[r_mm psi_t] / Var_EMA[psi_inf]\n"
    "Under decay the scale shrinks for ever and Var[psi_inf] is infinite: the target\n"
    "is then, at each t, the stationary variance at the noise's scale of step t,\n"
    "S (1 + t/T)^(-A) (the level psi_t would settle at if the scale stopped\n"
    "shrinking), and r_mm uses rho_inf in place of rho_mm(inf).\n"
    "radvar replay and train apply paper, sma-exact, moment or kurtosis (r from\n"
    "rho_mm with the kurtosis estimated online) with --rect.\n\n";

enum mode { EXACT, DOF, RECTIFY };

/* the scale sqrt(mu^2 + sigma^2) these commands take */
#define EXACT_SCALE_MIN 1e-100
#define EXACT_SCALE_MAX 1e100

/* The parsed and checked options of exact, dof and rectify. */
typedef struct {
    double beta2, mu, sigma;
    radvar_noise noise;
    const char *noise_text; /* NULL without --noise: the tables of before */
    int decay;              /* noise.kind == RADVAR_NOISE_DECAY */
    cli_grid steps;
    cli_format fmt;
    const char *output;
} exact_args;

/* Parse argv into a; returns 1 when --help was printed (nothing else to do).
 * The checks run in the order of before, so the first error reported for a
 * command line with several is the same. */
static int parse_args(enum mode mode, int argc, char **argv, exact_args *a)
{
    const char *beta2_text = NULL, *t_text = NULL, *points_text = "300", *mu_text = "0",
               *sigma_text = "1", *format = "tsv", *output = NULL, *noise_text = NULL;
    int log_spaced = 0, want_help = 0, points_given = 0;
    const char *points_seen = NULL;
    const cli_option opts[] = {
        {"beta2", 1, &beta2_text, NULL}, {"t", 1, &t_text, NULL},
        {"log", 0, NULL, &log_spaced},   {"points", 1, &points_seen, NULL},
        {"mu", 1, &mu_text, NULL},       {"sigma", 1, &sigma_text, NULL},
        {"format", 1, &format, NULL},    {"output", 1, &output, NULL},
        {"noise", 1, &noise_text, NULL}, {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(mode == EXACT ? exact_help : mode == DOF ? dof_help : rectify_help, stdout);
        fputs(common_help, stdout);
        return 1;
    }
    if (points_seen) {
        points_text = points_seen;
        points_given = 1;
    }
    if (beta2_text == NULL)
        cli_fail("--beta2 is required (0 < beta2 < 1)");
    if (t_text == NULL)
        cli_fail("--t is required (a list such as 3,10,100 or a range A:B[:STEP])");
    a->fmt = cli_parse_format(format);
    a->output = output;
    a->beta2 = cli_double("--beta2", beta2_text);
    cli_check_range("--beta2", beta2_text, a->beta2, 0, 1, 1, 1);
    if (!(a->beta2 >= RADVAR_EXACT_BETA2_MIN))
        cli_fail("--beta2: '%s' is out of range: the exact moments need beta2 >= 1e-50 (below, "
                 "the EMA's weights beta2^j underflow)", beta2_text);
    a->mu = cli_double("--mu", mu_text);
    a->sigma = cli_double("--sigma", sigma_text);
    cli_check_range("--sigma", sigma_text, a->sigma, 0, 1, INFINITY, 1);
    /* psi scales as 1/sqrt(mu^2 + sigma^2): the moments are computed in
     * scaled units, and this keeps E[psi^2] and Var[psi] within a double */
    if (!(fabs(a->mu) <= RADVAR_EXACT_MU_SIGMA_MAX * a->sigma))
        cli_fail("--mu: '%s' is out of range: |mu| must be <= 1e30 sigma (sigma = %s)", mu_text,
                 sigma_text);
    double h = hypot(a->mu, a->sigma);
    if (!(h >= EXACT_SCALE_MIN && h <= EXACT_SCALE_MAX))
        cli_fail("%s: '%s' is out of range: sqrt(mu^2 + sigma^2) = %.3g must be in [1e-100, 1e100] "
                 "(psi scales as its inverse, and its moments must stay within the range of a double)",
                 fabs(a->mu) > a->sigma ? "--mu" : "--sigma",
                 fabs(a->mu) > a->sigma ? mu_text : sigma_text, h);
    radvar_noise_default(&a->noise);
    if (noise_text)
        a->noise = cli_noise("--noise", noise_text);
    a->noise_text = noise_text;
    a->decay = a->noise.kind == RADVAR_NOISE_DECAY;
    if (points_given && !log_spaced)
        cli_fail("--points goes with --log");
    double points = cli_integer("--points", points_text, 2, 1e6);
    a->steps = log_spaced ? cli_step_grid_log("--t", t_text, (size_t)points)
                          : cli_step_grid("--t", t_text);
    if (a->decay) { /* the scale path: its sums are O(t), its scale must stay representable */
        double last = cli_grid_at(&a->steps, a->steps.n - 1);
        if (!(last <= RADVAR_NOISE_DECAY_TMAX && 2.0 * a->noise.a * log1p(last / a->noise.tau) <= 690.0))
            cli_fail("--t: %.17g is out of range for --noise %s: decay needs t <= 1048576 and "
                     "2 a ln(1 + t/tau) <= 690 (the scale above 1e-150)", last, noise_text);
    }
    return 0;
}

/* The target of the rectifications, Var[psi_inf], computed once before the
 * rows (under decay it depends on t: rectify_row computes it per step). */
static radvar_result rectify_target(const exact_args *a)
{
    radvar_result target = {NAN, NAN};
    int status = radvar_rectify_noise_target_e(a->beta2, INFINITY, a->mu, a->sigma, &a->noise,
                                               &target);
    if (status == RADVAR_EMAXITER)
        fprintf(stderr, "radvar rectify: warning: quadrature for t = inf short of its "
                        "tolerance (abs_err %.3g)\n", target.err);
    else if (status != RADVAR_SUCCESS)
        cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "the stationary moments at mu = %.17g, "
                        "sigma = %.17g cannot be computed: %s", a->mu, a->sigma,
                        radvar_strerror(status));
    return target;
}

/* The provenance lines and the columns of the table. */
static void begin_table(cli_table *t, enum mode mode, const exact_args *a, radvar_result target)
{
    cli_table_param(t, "beta2", "%.17g", a->beta2);
    cli_table_param(t, "mu", "%.17g", a->mu);
    cli_table_param(t, "sigma", "%.17g", a->sigma);
    cli_table_noise(t, &a->noise);
    cli_table_param(t, "method", "Laplace-transform integrals, GSL QAGIU, relative tolerance 1e-12");
    if (mode == RECTIFY) {
        cli_table_param(t, "rho_inf", "%.17g", radvar_schedule_rho_inf(a->beta2));
        if (a->decay)
            cli_table_param(t, "var_psi_inf", "the stationary Var[psi] at the scale of step t, "
                            "sigma (1 + t/tau)^(-a) (Var[psi_inf] is infinite under decay)");
        else
            cli_table_param(t, "var_psi_inf", "%.17g", target.val);
    }
    static const char *const exact_cols[] = {"t", "rho_t", "E_psi", "E_psi2", "var_psi", "abs_err"};
    static const char *const dof_cols[] = {"t", "var_exact", "rho_t", "var_at_rho_t", "rho_moment",
                                           "var_at_rho_moment", "rho_exact", "rel_err_rho_t",
                                           "rel_err_rho_moment", "rho_mm", "var_at_rho_mm",
                                           "rel_err_rho_mm"};
    static const char *const rect_cols[] = {"t", "r_paper", "r_sma_exact", "r_moment", "r_ema_exact",
                                            "ratio_paper", "ratio_sma_exact", "ratio_moment",
                                            "ratio_ema_exact", "r_mm", "ratio_mm"};
    /* the noise model's columns come with --noise only (the tables of before
     * stay as they were) */
    const size_t extra = a->noise_text ? (mode == DOF ? 3 : mode == RECTIFY ? 2 : 0) : 0;
    if (mode == EXACT)
        cli_table_begin(t, "main", 6, exact_cols);
    else
        cli_table_begin(t, "main", 9 + extra, mode == DOF ? dof_cols : rect_cols);
}

/* The rows of each mode at one step: fill row, set *abs_err, return the
 * library's status (the caller reports it). */
static int exact_row(const exact_args *a, double step, double row[12], double *abs_err)
{
    radvar_exact_moments m;
    int status = radvar_exact_moments_ema_noise(a->beta2, step, a->mu, a->sigma, &a->noise, &m);
    *abs_err = m.abs_err;
    /* E[psi] needs two gradients and E[psi^2] three: below, the
     * moments are infinite (the density of v_t is positive at 0) */
    if (step < 3) {
        status = RADVAR_SUCCESS;
        m.mean_psi2 = m.var_psi = INFINITY;
        m.abs_err = NAN;
        if (step < 2)
            m.mean_psi = INFINITY;
    }
    double r[6] = {step, radvar_schedule_rho_t(a->beta2, step), m.mean_psi, m.mean_psi2,
                   m.var_psi, m.abs_err};
    memcpy(row, r, sizeof r);
    return status;
}

static int dof_row(const exact_args *a, double step, double row[12], double *abs_err)
{
    radvar_dof_comparison c;
    int status = radvar_dof_compare_noise(a->beta2, step, a->mu, a->sigma, &a->noise, &c);
    *abs_err = c.abs_err;
    double r[12] = {step, c.var_exact, c.rho_t, c.var_at_rho_t, c.rho_moment,
                    c.var_at_rho_moment, c.rho_exact, c.rel_err_rho_t,
                    c.rel_err_rho_moment, c.rho_mm, c.var_at_rho_mm, c.rel_err_rho_mm};
    memcpy(row, r, sizeof r);
    return status;
}

/* target: Var[psi_inf]; under decay it is recomputed here at each step. */
static int rectify_row(const exact_args *a, double step, radvar_result *target, double row[12],
                       double *abs_err)
{
    int status;
    if (a->decay) {
        status = radvar_rectify_noise_target_e(a->beta2, step, a->mu, a->sigma, &a->noise, target);
        if (status != RADVAR_SUCCESS && status != RADVAR_EMAXITER)
            cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "the target variance at t = "
                            "%.17g cannot be computed: %s", step, radvar_strerror(status));
    }
    radvar_rectify_comparison c;
    status = radvar_rectify_ema_compare_noise(a->beta2, step, a->mu, a->sigma, &a->noise,
                                              target->val, &c);
    *abs_err = c.abs_err;
    double r[11] = {step, c.r_paper, c.r_sma_exact, c.r_moment, c.r_ema_exact,
                    c.ratio_paper, c.ratio_sma_exact, c.ratio_moment, c.ratio_ema_exact,
                    c.r_mm, c.ratio_mm};
    memcpy(row, r, sizeof r);
    return status;
}

static int run(enum mode mode, int argc, char **argv)
{
    exact_args a;
    if (parse_args(mode, argc, argv, &a))
        return 0;
    radvar_result target = {NAN, NAN};
    if (mode == RECTIFY && !a.decay)
        target = rectify_target(&a);

    cli_table *t = cli_table_open(a.output, a.fmt, argc, argv);
    begin_table(t, mode, &a, target);
    for (size_t i = 0; i < a.steps.n; i++) {
        double step = cli_grid_at(&a.steps, i), row[12], abs_err = NAN;
        int status = mode == EXACT ? exact_row(&a, step, row, &abs_err)
                     : mode == DOF ? dof_row(&a, step, row, &abs_err)
                                   : rectify_row(&a, step, &target, row, &abs_err);
        if (status == RADVAR_EMAXITER && !isfinite(abs_err) && step >= 3)
            cli_fail_status(2, "the exact moments at t = %.17g, mu = %.17g, sigma = %.17g cannot "
                            "be computed: the quadrature did not converge", step, a.mu, a.sigma);
        else if (status == RADVAR_EMAXITER)
            fprintf(stderr, "radvar %s: warning: quadrature at t = %.17g short of its tolerance "
                            "(abs_err %.3g)\n", argv[1], step, abs_err);
        else if (status != RADVAR_SUCCESS)
            cli_fail_status(status == RADVAR_ENOMEM ? 1 : 2, "the exact moments at t = %.17g, "
                            "mu = %.17g, sigma = %.17g cannot be computed: %s", step, a.mu,
                            a.sigma, radvar_strerror(status));
        cli_table_row(t, row);
    }
    cli_table_close(t);
    cli_grid_free(&a.steps);
    return 0;
}

int cmd_exact(int argc, char **argv)
{
    return run(EXACT, argc, argv);
}

int cmd_dof(int argc, char **argv)
{
    return run(DOF, argc, argv);
}

int cmd_rectify(int argc, char **argv)
{
    return run(RECTIFY, argc, argv);
}
