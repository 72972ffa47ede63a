/* args.c: option scanning, number parsing and grids for the radvar program.
 * Every error is one line on stderr naming the option, the bad text and the
 * valid range, and exits with status 2.  The number, list and range parsers
 * are parse.c's non-exiting core, wrapped here. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"
#include "radvar/noise.h"

static const char *command_name = "radvar";
static char command_label[64] = "radvar";
char *cli_pending_tmp_path = NULL; /* set by table.c while a temp file exists */
static int quiet_errors = 0;

void cli_set_quiet(int quiet)
{
    quiet_errors = quiet;
}

void cli_set_command(const char *name)
{
    command_name = name;
    snprintf(command_label, sizeof command_label, "radvar %s", name);
}

_Noreturn static void vfail(int code, const char *fmt, va_list ap)
{
    if (cli_pending_tmp_path != NULL)
        unlink(cli_pending_tmp_path);
    if (!quiet_errors) {
        fprintf(stderr, "%s: ", command_label);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
    }
    exit(code);
}

void cli_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(CLI_EXIT_USAGE, fmt, ap);
}

void cli_fail_status(int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(code, fmt, ap);
}

void cli_parse_options(int argc, char **argv, int first, const cli_option *opts, size_t nopts)
{
    for (int i = first; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0)
            arg = "--help";
        if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0')
            cli_fail("unexpected argument '%s' (options start with --; see 'radvar %s --help')",
                     arg, command_name);
        const char *name = arg + 2, *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const cli_option *o = NULL;
        for (size_t k = 0; k < nopts; k++)
            if (strlen(opts[k].name) == len && strncmp(opts[k].name, name, len) == 0)
                o = &opts[k];
        if (o == NULL)
            cli_fail("unknown option '--%.*s' (see 'radvar %s --help')", (int)len, name,
                     command_name);
        if (o->takes_value) {
            if (eq)
                *o->value = eq + 1;
            else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
                *o->value = argv[++i]; /* no valid value starts with "--" */
            else
                cli_fail("option '--%s' needs a value", o->name);
        } else {
            if (eq)
                cli_fail("option '--%s' takes no value (got '%s')", o->name, eq + 1);
            *o->flag = 1;
        }
    }
}

/* ---- values: parse.c's core, and exit on an error ---- */

static void check(int status, const char *msg)
{
    if (status != CLI_OK)
        cli_fail_status(status, "%s", msg);
}

double cli_double(const char *opt, const char *text)
{
    char msg[CLI_MSG_LEN];
    double x;
    check(cli_parse_double(opt, text, &x, msg, sizeof msg), msg);
    return x;
}

void cli_check_range(const char *opt, const char *text, double x, double lo, int lo_open,
                     double hi, int hi_open)
{
    char msg[CLI_MSG_LEN];
    check(cli_parse_range(opt, text, x, lo, lo_open, hi, hi_open, msg, sizeof msg), msg);
}

double cli_nonnegative(const char *opt, const char *text)
{
    char msg[CLI_MSG_LEN];
    double x;
    check(cli_parse_nonnegative(opt, text, &x, msg, sizeof msg), msg);
    return x;
}

double cli_unit_interval(const char *opt, const char *text)
{
    char msg[CLI_MSG_LEN];
    double x;
    check(cli_parse_unit_interval(opt, text, &x, msg, sizeof msg), msg);
    return x;
}

double cli_integer(const char *opt, const char *text, double lo, double hi)
{
    char msg[CLI_MSG_LEN];
    double x;
    check(cli_parse_integer(opt, text, lo, hi, &x, msg, sizeof msg), msg);
    return x;
}

uint64_t cli_seed(const char *opt, const char *text)
{
    char msg[CLI_MSG_LEN];
    uint64_t x;
    check(cli_parse_seed(opt, text, &x, msg, sizeof msg), msg);
    return x;
}

cli_grid cli_real_grid(const char *opt, const char *text, int log_spaced, double min_open,
                       const char *valid)
{
    char msg[CLI_MSG_LEN];
    cli_grid g;
    check(cli_parse_real_grid(opt, text, log_spaced, min_open, valid, &g, msg, sizeof msg), msg);
    return g;
}

cli_grid cli_step_grid(const char *opt, const char *text)
{
    char msg[CLI_MSG_LEN];
    cli_grid g;
    check(cli_parse_step_grid(opt, text, &g, msg, sizeof msg), msg);
    return g;
}

cli_grid cli_step_grid_log(const char *opt, const char *text, size_t points)
{
    char msg[CLI_MSG_LEN];
    cli_grid g;
    check(cli_parse_step_grid_log(opt, text, points, &g, msg, sizeof msg), msg);
    return g;
}

radvar_noise cli_noise(const char *opt, const char *text)
{
    radvar_noise n;
    char why[256];
    if (radvar_noise_parse(text, &n, why, sizeof why) != RADVAR_SUCCESS)
        cli_fail("%s: %s", opt, why);
    return n;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The memory a run may use without swapping: MemAvailable of /proc/meminfo
 * (what Linux estimates can be allocated without swapping), else the
 * physical memory; and no more than RLIMIT_AS. */
double cli_available_memory(void)
{
    double have = INFINITY;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f != NULL) {
        char line[256];
        unsigned long long kb;
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1)
                have = 1024.0 * (double)kb;
        fclose(f);
    }
    if (isinf(have)) {
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        if (pages > 0 && size > 0)
            have = (double)pages * (double)size;
    }
    struct rlimit lim;
    if (getrlimit(RLIMIT_AS, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY && (double)lim.rlim_cur < have)
        have = (double)lim.rlim_cur;
    return have;
}
