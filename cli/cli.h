/* cli.h: shared pieces of the radvar command-line program (not installed). */
#ifndef RADVAR_CLI_H
#define RADVAR_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_EXIT_USAGE 2

/* ---- errors: one line on stderr, exit 2, no output file left behind ---- */
void cli_set_command(const char *name);            /* "theory", ... for messages */
_Noreturn void cli_fail(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
_Noreturn void cli_fail_status(int code, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- options ---- */
typedef struct {
    const char *name;  /* without the leading "--" */
    int takes_value;   /* 1: --name VALUE or --name=VALUE; 0: a flag */
    const char **value;/* where the value goes (takes_value) */
    int *flag;         /* set to 1 when the flag is given (!takes_value) */
} cli_option;

/* Parse argv[first..argc) against opts; unknown options, positional words
 * and missing values are errors.  Returns when done. */
void cli_parse_options(int argc, char **argv, int first, const cli_option *opts, size_t nopts);

/* ---- values ---- */
/* A finite double; names the option and the text on error. */
double cli_double(const char *opt, const char *text);
/* A finite x >= 0; a finite x in [0, 1). */
double cli_nonnegative(const char *opt, const char *text);
double cli_unit_interval(const char *opt, const char *text);
/* A whole number in [lo, hi] (given as decimal, may use exponent form). */
double cli_integer(const char *opt, const char *text, double lo, double hi);
/* A seed: decimal digits only, 0 .. 2^64 - 1 (every subcommand's --seed). */
uint64_t cli_seed(const char *opt, const char *text);
/* The bytes a run may use: MemAvailable (else the physical memory), no more
 * than RLIMIT_AS.  Callers refuse a run whose estimate passes 80% of it. */
double cli_available_memory(void);
/* A noise model from its SPEC (radvar/noise.h); a bad SPEC is refused with
 * radvar_noise_parse's reason, which names the parameter and its range. */
#include "radvar/noise.h"
radvar_noise cli_noise(const char *opt, const char *text);
/* The index of text in names[0..count), or an error listing them. */
int cli_pick(const char *opt, const char *text, const char *const *names, int count);
/* Seconds on a monotonic clock. */
double cli_now(void);
/* Range checks with messages naming the value and the valid range. */
void cli_check_range(const char *opt, const char *text, double x, double lo, int lo_open,
                     double hi, int hi_open);

/* A grid of values: a comma-separated list, or a range. */
typedef struct {
    size_t n;
    double *list;  /* when a list, else NULL */
    double a, b;   /* range ends */
    double step;   /* integer ranges */
    int log;       /* log spacing (real ranges) */
} cli_grid;

/* --rho LIST | A:B:N (log-spaced with log != 0); every value passes
 * check(value) or the program stops with the message check_msg. */
cli_grid cli_real_grid(const char *opt, const char *text, int log, double min_open,
                       const char *valid);
/* --t LIST | A:B[:STEP] of whole numbers >= 1 */
cli_grid cli_step_grid(const char *opt, const char *text);
/* --t A:B with --log: N distinct log-spaced whole numbers from A to B. */
cli_grid cli_step_grid_log(const char *opt, const char *text, size_t points);
double cli_grid_at(const cli_grid *g, size_t i);
void cli_grid_free(cli_grid *g);

/* ---- output files (table.c) ----
 * Only a regular file or a new name is replaced, through a temporary file
 * beside it renamed onto it when complete (a link to a regular file replaces
 * that file and keeps the link); /dev/stdout, /dev/stderr, /dev/fd/N and
 * /proc/self/fd/N write to the descriptor; devices, FIFOs and terminals are
 * written in place; directories, empty names and links to nothing are
 * refused (exit 2).  Temporary files are removed on every exit and on
 * SIGINT, SIGTERM, SIGHUP, SIGPIPE and SIGXFSZ.  Errors name the option and
 * say why (strerror); exit 1. */
typedef struct cli_file cli_file;
/* path NULL or "-": standard output. */
cli_file *cli_file_open(const char *opt, const char *path);
FILE *cli_file_stream(cli_file *f);
int cli_file_replaces(const cli_file *f);        /* written through a temporary file */
const char *cli_file_target(const cli_file *f);  /* the file replaced, or NULL */
void cli_file_check(cli_file *f);                /* stop at a write error */
void cli_file_close(cli_file *f);                /* flush, fsync, close, rename; or fail */
/* Refuse, before any work, a path that cli_file_open would refuse. */
void cli_output_check(const char *opt, const char *path);
/* text with control bytes, backslash and invalid UTF-8 escaped (\n, \xNN), cut to fit len */
void cli_escape_text(const char *text, char *out, size_t len);

/* ---- tables: tsv (default), csv or json; one table per output ---- */
typedef enum { CLI_TSV, CLI_CSV, CLI_JSON } cli_format;
cli_format cli_parse_format(const char *text);

typedef struct cli_table cli_table;
/* A table written to path (see cli_file_open); opt names the option in
 * messages ("--output" for cli_table_open).  With csv and a file, the
 * provenance goes to PATH.meta. */
cli_table *cli_table_open(const char *path, cli_format fmt, int argc, char **argv);
cli_table *cli_table_open_as(const char *opt, const char *path, cli_format fmt, int argc,
                             char **argv);
void cli_table_param(cli_table *t, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The table's columns (once per output; section is ignored, kept for callers). */
void cli_table_begin(cli_table *t, const char *section, size_t ncols,
                     const char *const *names);
void cli_table_row(cli_table *t, const double *values);
/* The provenance line "noise": the model's canonical SPEC. */
void cli_table_noise(cli_table *t, const radvar_noise *n);
void cli_table_close(cli_table *t);
FILE *cli_table_stream(cli_table *t);

/* ---- simulation rows, shared by simulate and sweep ---- */
struct radvar_sim;
#define CLI_SIM_COLUMNS 14
extern const char *const cli_simulation_columns[CLI_SIM_COLUMNS];
/* The row of reported step k (computing its exact variance: a quadrature). */
void cli_simulation_row(const struct radvar_sim *sim, size_t k, double row[CLI_SIM_COLUMNS]);
/* The same with the exact variance already computed. */
void cli_simulation_row_with(const struct radvar_sim *sim, size_t k, double var_exact,
                             double row[CLI_SIM_COLUMNS]);
/* Refuse (exit 2) a gradient scale the simulation cannot represent:
 * sigma outside [1e-50, 1e50] or |mu| > 1e8 sigma. */
void cli_sim_check_scale(const char *mu_text, double mu, const char *sigma_text, double sigma);
void cli_set_quiet(int quiet); /* no messages (MPI ranks other than 0) */

/* ---- the optimizer's options, as replay, train and bench-step take them ---- */
#include "radvar/optim.h"
typedef struct {
    const char *method, *preset, *lr, *beta1, *beta2, *eps, *weight_decay, *threshold,
        *threshold_cmp, *below, *eps_placement, *eps_root, *wd_kind, *rect, *momentum, *warmup,
        *v_only, *total, *warmup_prop, *min_lr;
    int nesterov, amsgrad;
} cli_optim_args;
/* The cli_option entries of every optimizer option, writing into a. */
#define CLI_OPTIM_OPTIONS(a)                                                                   \
    {"method", 1, &(a).method, NULL}, {"preset", 1, &(a).preset, NULL},                      \
    {"lr", 1, &(a).lr, NULL}, {"beta1", 1, &(a).beta1, NULL}, {"beta2", 1, &(a).beta2, NULL},\
    {"eps", 1, &(a).eps, NULL}, {"weight-decay", 1, &(a).weight_decay, NULL},                \
    {"threshold", 1, &(a).threshold, NULL}, {"threshold-cmp", 1, &(a).threshold_cmp, NULL},  \
    {"below", 1, &(a).below, NULL}, {"eps-placement", 1, &(a).eps_placement, NULL},          \
    {"eps-root", 1, &(a).eps_root, NULL}, {"wd-kind", 1, &(a).wd_kind, NULL},                \
    {"rect", 1, &(a).rect, NULL}, {"momentum", 1, &(a).momentum, NULL},                      \
    {"warmup", 1, &(a).warmup, NULL}, {"v-only-steps", 1, &(a).v_only, NULL},                \
    {"total-steps", 1, &(a).total, NULL}, {"warmup-proportion", 1, &(a).warmup_prop, NULL},  \
    {"min-lr", 1, &(a).min_lr, NULL}, {"nesterov", 0, NULL, &(a).nesterov},                  \
    {"amsgrad", 0, NULL, &(a).amsgrad}
/* Method, preset, then every override, validated (exit 2 on bad input). */
void cli_optim_resolve(const cli_optim_args *a, radvar_optim_config *cfg);
/* The resolved configuration as header parameters: what actually ran. */
void cli_optim_params(cli_table *t, const radvar_optim_config *cfg);
extern const char cli_optim_help[];
radvar_dtype cli_dtype(const char *opt, const char *text);
const char *cli_dtype_name(radvar_dtype dtype);

/* ---- subcommands ---- */
int cmd_theory(int argc, char **argv);
int cmd_schedule(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_exact(int argc, char **argv);
int cmd_dof(int argc, char **argv);
int cmd_rectify(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_bench_step(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_gradients(int argc, char **argv);

#endif
