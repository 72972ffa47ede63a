/* cmd_replay.c: radvar replay -- run the reference optimizer on logged
 * gradients and print the parameter trajectory. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "parse.h"
#include "replay_reader.h"
#include "radvar/optim.h"

static const char help_head[] =
    "usage: radvar replay --method M [--preset P] [--lr X] [--beta1 X] [--beta2 X]\n"
    "                     [--eps X] [--weight-decay X] [--dtype float32|float64]\n"
    "                     [knobs...] [--input FILE] [--format F] [--output FILE]\n"
    "\n"
    "Read an initial parameter row, then one gradient row per step (numbers\n"
    "separated by tabs, commas or spaces; '#' lines and a leading header are\n"
    "skipped), apply the optimizer and print one row per step:\n"
    "  t p0 p1 ... rho_t r_t rectified lr_adaptive lr_momentum\n"
    "so that a trajectory logged from another framework can be compared number by\n"
    "number.  The step's size is split by its kind, since the two multiply\n"
    "different directions:\n"
    "  lr_adaptive   on an adaptive step (Adam, and RAdam where it rectifies), the\n"
    "                multiplier of m/(sqrt(v)+eps) (--eps-placement sqrt-v: RAdam\n"
    "                lr r_t sqrt(1-b2^t)/(1-b1^t)) or of m/(sqrt(v_hat)+eps)\n"
    "                (sqrt-vhat: lr r_t/(1-b1^t)); nan on other steps\n"
    "  lr_momentum   on a momentum step (SGD, RAdam below the threshold with\n"
    "                --below momentum), the multiplier of m (lr/(1-b1^t); SGD lr);\n"
    "                nan on other steps\n"
    "A step that does not move the parameters has 0 in both.  A parameter that\n"
    "becomes NaN or infinite is reported on standard error (once).\n"
    "\n";
static const char help_tail[] =
    "  --dtype D         float64 (default) or float32\n"
    "  --input FILE      read FILE instead of standard input\n";

struct replay {
    radvar_optim_config cfg;
    radvar_dtype dtype;
    radvar_optim *opt;
    size_t n;
    void *params, *grads;
    double *row;
    cli_table *table;
    int nonfinite_reported;
};

static void store(radvar_dtype dtype, void *dst, const double *src, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (dtype == RADVAR_FLOAT32)
            ((float *)dst)[i] = (float)src[i];
        else
            ((double *)dst)[i] = src[i];
    }
}

/* The initial row: allocate the optimizer and start the table. */
static void start(struct replay *r, const double *init, size_t n, size_t lineno, int argc, char **argv,
                  const char *output, cli_format fmt)
{
    (void)lineno; /* the reader checked the row (finite in the dtype) */
    size_t es = r->dtype == RADVAR_FLOAT32 ? sizeof(float) : sizeof(double);
    r->n = n;
    r->params = malloc(n * es);
    r->grads = malloc(n * es);
    r->row = malloc((n + 6) * sizeof *r->row);
    const char **cols = malloc((n + 6) * sizeof *cols);
    char *names = malloc(n * 24);
    if (!r->params || !r->grads || !r->row || !cols || !names)
        cli_fail_status(1, "out of memory");
    store(r->dtype, r->params, init, n);
    int status = radvar_optim_alloc(&r->cfg, n, r->dtype, &r->opt);
    if (status != RADVAR_SUCCESS)
        cli_fail("the optimizer refused its configuration: %s", radvar_strerror(status));
    r->table = cli_table_open(output, fmt, argc, argv);
    cli_optim_params(r->table, &r->cfg);
    cli_table_param(r->table, "dtype", "%s", cli_dtype_name(r->dtype));
    cli_table_param(r->table, "parameters", "%zu", n);
    cols[0] = "t";
    for (size_t i = 0; i < n; i++) {
        snprintf(names + 24 * i, 24, "p%zu", i);
        cols[i + 1] = names + 24 * i;
    }
    cols[n + 1] = "rho_t";
    cols[n + 2] = "r_t";
    cols[n + 3] = "rectified";
    cols[n + 4] = "lr_adaptive";
    cols[n + 5] = "lr_momentum";
    cli_table_begin(r->table, "main", n + 6, cols);
    free(cols);
    free(names);
}

static void step(struct replay *r, const double *g, size_t lineno)
{
    store(r->dtype, r->grads, g, r->n);
    int status = r->dtype == RADVAR_FLOAT32 ? radvar_optim_step_f32(r->opt, r->params, r->grads)
                                            : radvar_optim_step_f64(r->opt, r->params, r->grads);
    if (status == RADVAR_ENONFINITE)
        cli_fail("--input: line %zu: a gradient is NaN or infinite (step %llu refused)", lineno,
                 (unsigned long long)radvar_optim_steps(r->opt) + 1);
    radvar_optim_diagnostics d;
    radvar_optim_diag(r->opt, &d);
    double *row = r->row;
    row[0] = (double)d.step;
    for (size_t i = 0; i < r->n; i++)
        row[i + 1] = r->dtype == RADVAR_FLOAT32 ? (double)((float *)r->params)[i] : ((double *)r->params)[i];
    row[r->n + 1] = d.rho_t;
    row[r->n + 2] = d.r_t;
    row[r->n + 3] = d.rectified;
    row[r->n + 4] = d.lr_adaptive;
    row[r->n + 5] = d.lr_momentum;
    cli_table_row(r->table, row);
    if (!r->nonfinite_reported)
        for (size_t i = 0; i < r->n; i++)
            if (!isfinite(row[i + 1])) {
                fprintf(stderr, "radvar replay: warning: parameter p%zu became %s at step %llu "
                                "(input line %zu)%s\n", i, isnan(row[i + 1]) ? "NaN" : "infinite",
                        (unsigned long long)d.step, lineno,
                        r->cfg.eps == 0 ? "; --eps is 0, so a zero second moment divides by 0" : "");
                r->nonfinite_reported = 1;
                break;
            }
}

/* The rows of the input through the reader (replay_reader.c), which checks
 * them; the first is the initial parameter row. */
static void replay_stream(struct replay *r, FILE *in, int argc, char **argv, const char *output,
                          cli_format fmt)
{
    cli_replay_reader *reader = cli_replay_reader_new(in, r->dtype);
    if (reader == NULL)
        cli_fail_status(1, "out of memory");
    char msg[CLI_MSG_LEN];
    const double *vals;
    size_t k, lineno;
    int status;
    while ((status = cli_replay_reader_next(reader, &vals, &k, &lineno, msg, sizeof msg)) == CLI_OK) {
        if (r->opt == NULL)
            start(r, vals, k, lineno, argc, argv, output, fmt);
        else
            step(r, vals, lineno);
    }
    cli_replay_reader_free(reader);
    if (status != CLI_REPLAY_END)
        cli_fail_status(status, "--input: %s", msg);
}

int cmd_replay(int argc, char **argv)
{
    cli_optim_args oa = {0};
    const char *dtype_text = "float64", *input = NULL, *format = "tsv", *output = NULL;
    int want_help = 0;
    const cli_option opts[] = {
        CLI_OPTIM_OPTIONS(oa),
        {"dtype", 1, &dtype_text, NULL}, {"input", 1, &input, NULL},
        {"format", 1, &format, NULL},    {"output", 1, &output, NULL},
        {"help", 0, NULL, &want_help},
    };
    cli_parse_options(argc, argv, 2, opts, sizeof opts / sizeof *opts);
    if (want_help) {
        fputs(help_head, stdout);
        fputs(cli_optim_help, stdout);
        fputs(help_tail, stdout);
        return 0;
    }
    struct replay r = {0};
    cli_optim_resolve(&oa, &r.cfg);
    cli_format fmt = cli_parse_format(format);
    r.dtype = cli_dtype("--dtype", dtype_text);
    FILE *in = stdin;
    if (input && strcmp(input, "-") != 0) {
        struct stat st;
        if ((in = fopen(input, "r")) == NULL)
            cli_fail("--input: cannot open '%s': %s", input, strerror(errno));
        if (fstat(fileno(in), &st) == 0 && S_ISDIR(st.st_mode))
            cli_fail("--input: '%s' is a directory, not a file of rows", input);
    }
    replay_stream(&r, in, argc, argv, output, fmt);
    if (in != stdin)
        fclose(in);
    cli_table_close(r.table);
    radvar_optim_free(r.opt);
    free(r.params);
    free(r.grads);
    free(r.row);
    return 0;
}
