/* args.c: option scanning, number parsing and grids for the radvar program.
 * Every error is one line on stderr naming the option, the bad text and the
 * valid range, and exits with status 2. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
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

double cli_double(const char *opt, const char *text)
{
    if (text == NULL || *text == '\0')
        cli_fail("%s: empty value where a number is expected", opt);
    char *end;
    errno = 0;
    double x = strtod(text, &end);
    if (end == text || *end != '\0')
        cli_fail("%s: '%s' is not a number", opt, text);
    if (isnan(x) || isinf(x)) {
        if (errno == ERANGE)
            cli_fail("%s: '%s' overflows a double (|x| must be below %.17g)", opt, text,
                     1.7976931348623157e308);
        cli_fail("%s: '%s' is not a finite number", opt, text);
    }
    if (errno == ERANGE && x != 0.0 && fabs(x) > 1.0)
        cli_fail("%s: '%s' overflows a double", opt, text);
    return x;
}

void cli_check_range(const char *opt, const char *text, double x, double lo, int lo_open,
                     double hi, int hi_open)
{
    int ok = (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
    if (ok)
        return;
    char range[128];
    if (isinf(hi))
        snprintf(range, sizeof range, "must be %s %.17g", lo_open ? ">" : ">=", lo);
    else
        snprintf(range, sizeof range, "must be in %c%.17g, %.17g%c", lo_open ? '(' : '[', lo,
                 hi, hi_open ? ')' : ']');
    cli_fail("%s: %s is out of range: %s", opt, text, range);
}

double cli_nonnegative(const char *opt, const char *text)
{
    double x = cli_double(opt, text);
    cli_check_range(opt, text, x, 0, 0, INFINITY, 1);
    return x;
}

double cli_unit_interval(const char *opt, const char *text)
{
    double x = cli_double(opt, text);
    cli_check_range(opt, text, x, 0, 0, 1, 1);
    return x;
}

double cli_integer(const char *opt, const char *text, double lo, double hi)
{
    double x = cli_double(opt, text);
    if (x != floor(x))
        cli_fail("%s: '%s' is not a whole number", opt, text);
    cli_check_range(opt, text, x, lo, 0, hi, 0);
    return x;
}

/* Split text at commas into a freshly allocated array of items (in place). */
static size_t split(const char *opt, char *text, char sep, char ***items)
{
    size_t n = 1;
    for (char *p = text; *p; p++)
        n += *p == sep;
    *items = malloc(n * sizeof **items);
    if (*items == NULL)
        cli_fail_status(1, "out of memory");
    size_t k = 0;
    char *start = text;
    for (char *p = text;; p++) {
        if (*p == sep || *p == '\0') {
            int last = *p == '\0';
            *p = '\0';
            if (*start == '\0')
                cli_fail("%s: empty item in the list (items are separated by '%c')", opt, sep);
            (*items)[k++] = start;
            start = p + 1;
            if (last)
                break;
        }
    }
    return n;
}

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        cli_fail_status(1, "out of memory");
    return d;
}

#define MAX_GRID_POINTS 100000000.0

cli_grid cli_real_grid(const char *opt, const char *text, int log_spaced, double min_open,
                       const char *valid)
{
    cli_grid g = {0};
    if (text == NULL || *text == '\0')
        cli_fail("%s: empty value (give a list A,B,... or a range A:B:N)", opt);
    char *copy = dup_or_die(text), **items;
    if (strchr(copy, ':')) {
        size_t n = split(opt, copy, ':', &items);
        if (n != 3)
            cli_fail("%s: '%s' is not a range A:B:N", opt, text);
        g.a = cli_double(opt, items[0]);
        g.b = cli_double(opt, items[1]);
        char label[64]; /* name the part of the range: "--rho N: 0 is out of range" */
        snprintf(label, sizeof label, "%s N", opt);
        double npts = cli_integer(label, items[2], 1, MAX_GRID_POINTS);
        if (!(g.a > min_open))
            cli_fail("%s: %s is out of range: %s", opt, items[0], valid);
        if (g.a > g.b)
            cli_fail("%s: range '%s' has A > B (A = %s, B = %s)", opt, text, items[0], items[1]);
        if (npts == 1 && g.a != g.b)
            cli_fail("%s: range '%s' has N = 1 but A != B (N must be >= 2)", opt, text);
        if (log_spaced && !(g.a > 0))
            cli_fail("%s: --log needs A > 0 (got %s)", opt, items[0]);
        g.n = (size_t)npts;
        g.log = log_spaced;
    } else {
        size_t n = split(opt, copy, ',', &items);
        g.list = malloc(n * sizeof *g.list);
        if (g.list == NULL)
            cli_fail_status(1, "out of memory");
        for (size_t k = 0; k < n; k++) {
            g.list[k] = cli_double(opt, items[k]);
            if (!(g.list[k] > min_open))
                cli_fail("%s: %s is out of range: %s", opt, items[k], valid);
        }
        g.n = n;
    }
    free(items);
    free(copy);
    return g;
}

#define MAX_STEP 9007199254740992.0 /* 2^53: every step is exact in a double */

cli_grid cli_step_grid(const char *opt, const char *text)
{
    cli_grid g = {0};
    if (text == NULL || *text == '\0')
        cli_fail("%s: empty value (give a list T1,T2,... or a range A:B[:STEP])", opt);
    char *copy = dup_or_die(text), **items;
    if (strchr(copy, ':')) {
        size_t n = split(opt, copy, ':', &items);
        if (n != 2 && n != 3)
            cli_fail("%s: '%s' is not a range A:B or A:B:STEP", opt, text);
        char label[3][64]; /* name the part of the range: "--t STEP: 0 is out of range" */
        snprintf(label[0], sizeof label[0], "%s A", opt);
        snprintf(label[1], sizeof label[1], "%s B", opt);
        snprintf(label[2], sizeof label[2], "%s STEP", opt);
        g.a = cli_integer(label[0], items[0], 1, MAX_STEP);
        g.b = cli_integer(label[1], items[1], 1, MAX_STEP);
        g.step = n == 3 ? cli_integer(label[2], items[2], 1, MAX_STEP) : 1;
        if (g.a > g.b)
            cli_fail("%s: range '%s' has A > B (A = %s, B = %s)", opt, text, items[0], items[1]);
        double count = floor((g.b - g.a) / g.step) + 1;
        if (count > MAX_GRID_POINTS)
            cli_fail("%s: range '%s' has %.17g steps; at most %.17g rows are allowed", opt,
                     text, count, MAX_GRID_POINTS);
        g.n = (size_t)count;
    } else {
        size_t n = split(opt, copy, ',', &items);
        g.list = malloc(n * sizeof *g.list);
        if (g.list == NULL)
            cli_fail_status(1, "out of memory");
        for (size_t k = 0; k < n; k++)
            g.list[k] = cli_integer(opt, items[k], 1, MAX_STEP);
        g.n = n;
    }
    free(items);
    free(copy);
    return g;
}

cli_grid cli_step_grid_log(const char *opt, const char *text, size_t points)
{
    cli_grid r = cli_step_grid(opt, text);
    if (r.list != NULL || r.step != 1)
        cli_fail("%s: with --log, give a range A:B (got '%s')", opt, text);
    if ((double)points > r.b - r.a + 1)
        cli_fail("--points: %zu is out of range: the range %s holds %.17g whole steps", points,
                 text, r.b - r.a + 1);
    /* exactly `points` distinct whole steps from A to B, as close to
     * log-spaced as whole numbers allow: each is the rounded log-spaced value,
     * raised to one past the previous and capped to leave room for the rest */
    cli_grid g = {0};
    g.list = malloc(points * sizeof *g.list);
    if (g.list == NULL)
        cli_fail_status(1, "out of memory");
    double la = log(r.a), lb = log(r.b);
    for (size_t k = 0; k < points; k++) {
        double x = points == 1 ? r.a : round(exp(la + (lb - la) * (double)k / (double)(points - 1)));
        if (k > 0 && x <= g.list[k - 1])
            x = g.list[k - 1] + 1;
        if (x > r.b - (double)(points - 1 - k))
            x = r.b - (double)(points - 1 - k);
        if (k == 0)
            x = r.a;
        g.list[k] = x;
    }
    g.n = points;
    return g;
}

double cli_grid_at(const cli_grid *g, size_t i)
{
    if (g->list)
        return g->list[i];
    if (g->step > 0)
        return g->a + g->step * (double)i;
    if (g->n == 1)
        return g->a;
    if (i == g->n - 1)
        return g->b; /* exact end point */
    double f = (double)i / (double)(g->n - 1);
    if (g->log)
        return exp(log(g->a) + f * (log(g->b) - log(g->a)));
    return g->a + f * (g->b - g->a);
}

void cli_grid_free(cli_grid *g)
{
    free(g->list);
    g->list = NULL;
}

uint64_t cli_seed(const char *opt, const char *text)
{
    if (text == NULL || *text == '\0')
        cli_fail("%s: empty value where a seed is expected (0 to 18446744073709551615)", opt);
    if (strspn(text, "0123456789") != strlen(text))
        cli_fail("%s: '%s' is not a seed (decimal digits only, 0 to 18446744073709551615)", opt, text);
    uint64_t x = 0;
    for (const char *p = text; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (x > (UINT64_MAX - d) / 10)
            cli_fail("%s: %s is out of range: must be in [0, 18446744073709551615]", opt, text);
        x = 10 * x + d;
    }
    return x;
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
