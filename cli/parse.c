/* parse.c: numbers, seeds, lists and ranges for the radvar program, as
 * functions that return a status and a message (parse.h).  args.c wraps them
 * with the program's exit-on-error convention. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

static int fail(char *msg, size_t len, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The message, with the bytes of the quoted input that are not printable
 * (a newline, an escape sequence, non-ASCII) written as \xNN: one line. */
static int fail(char *msg, size_t len, int status, const char *fmt, ...)
{
    if (msg != NULL && len > 0) {
        char raw[CLI_MSG_LEN];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof raw, fmt, ap);
        va_end(ap);
        cli_escape(raw, strlen(raw), sizeof raw, msg, len);
    }
    return status;
}

char *cli_escape(const void *text, size_t text_len, size_t max_chars, char *out, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = text;
    size_t o = 0;
    if (len == 0)
        return out;
    for (size_t i = 0; i < text_len; i++) {
        if (i == max_chars) {
            if (o + 4 > len)
                break;
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        unsigned char c = p[i];
        if (c >= 0x20 && c < 0x7f) {
            if (o + 2 > len)
                break;
            out[o++] = (char)c;
        } else {
            if (o + 5 > len)
                break;
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        }
    }
    out[o] = '\0';
    return out;
}

int cli_parse_double(const char *opt, const char *text, double *x, char *msg, size_t len)
{
    *x = NAN;
    if (text == NULL || *text == '\0')
        return fail(msg, len, CLI_EINPUT, "%s: empty value where a number is expected", opt);
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0')
        return fail(msg, len, CLI_EINPUT, "%s: '%s' is not a number", opt, text);
    if (isnan(v) || isinf(v)) {
        if (errno == ERANGE)
            return fail(msg, len, CLI_EINPUT, "%s: '%s' overflows a double (|x| must be below %.17g)",
                        opt, text, 1.7976931348623157e308);
        return fail(msg, len, CLI_EINPUT, "%s: '%s' is not a finite number", opt, text);
    }
    if (errno == ERANGE && v != 0.0 && fabs(v) > 1.0)
        return fail(msg, len, CLI_EINPUT, "%s: '%s' overflows a double", opt, text);
    *x = v;
    return CLI_OK;
}

int cli_parse_range(const char *opt, const char *text, double x, double lo, int lo_open,
                    double hi, int hi_open, char *msg, size_t len)
{
    int ok = (lo_open ? x > lo : x >= lo) && (hi_open ? x < hi : x <= hi);
    if (ok)
        return CLI_OK;
    char range[128];
    if (isinf(hi))
        snprintf(range, sizeof range, "must be %s %.17g", lo_open ? ">" : ">=", lo);
    else
        snprintf(range, sizeof range, "must be in %c%.17g, %.17g%c", lo_open ? '(' : '[', lo,
                 hi, hi_open ? ')' : ']');
    return fail(msg, len, CLI_EINPUT, "%s: %s is out of range: %s", opt, text, range);
}

int cli_parse_nonnegative(const char *opt, const char *text, double *x, char *msg, size_t len)
{
    int status = cli_parse_double(opt, text, x, msg, len);
    if (status == CLI_OK)
        status = cli_parse_range(opt, text, *x, 0, 0, INFINITY, 1, msg, len);
    return status;
}

int cli_parse_unit_interval(const char *opt, const char *text, double *x, char *msg, size_t len)
{
    int status = cli_parse_double(opt, text, x, msg, len);
    if (status == CLI_OK)
        status = cli_parse_range(opt, text, *x, 0, 0, 1, 1, msg, len);
    return status;
}

int cli_parse_integer(const char *opt, const char *text, double lo, double hi, double *x,
                      char *msg, size_t len)
{
    int status = cli_parse_double(opt, text, x, msg, len);
    if (status != CLI_OK)
        return status;
    if (*x != floor(*x))
        return fail(msg, len, CLI_EINPUT, "%s: '%s' is not a whole number", opt, text);
    return cli_parse_range(opt, text, *x, lo, 0, hi, 0, msg, len);
}

int cli_parse_seed(const char *opt, const char *text, uint64_t *x, char *msg, size_t len)
{
    *x = 0;
    if (text == NULL || *text == '\0')
        return fail(msg, len, CLI_EINPUT,
                    "%s: empty value where a seed is expected (0 to 18446744073709551615)", opt);
    if (strspn(text, "0123456789") != strlen(text))
        return fail(msg, len, CLI_EINPUT,
                    "%s: '%s' is not a seed (decimal digits only, 0 to 18446744073709551615)", opt,
                    text);
    uint64_t v = 0;
    for (const char *p = text; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return fail(msg, len, CLI_EINPUT,
                        "%s: %s is out of range: must be in [0, 18446744073709551615]", opt, text);
        v = 10 * v + d;
    }
    *x = v;
    return CLI_OK;
}

/* Split text (a writable copy) at sep into a fresh array of items. */
static int split(const char *opt, char *text, char sep, char ***items, size_t *count, char *msg,
                 size_t len)
{
    size_t n = 1;
    for (char *p = text; *p; p++)
        n += *p == sep;
    *items = malloc(n * sizeof **items);
    if (*items == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    size_t k = 0;
    char *start = text;
    for (char *p = text;; p++) {
        if (*p == sep || *p == '\0') {
            int last = *p == '\0';
            *p = '\0';
            if (*start == '\0') {
                free(*items);
                *items = NULL;
                return fail(msg, len, CLI_EINPUT,
                            "%s: empty item in the list (items are separated by '%c')", opt, sep);
            }
            (*items)[k++] = start;
            start = p + 1;
            if (last)
                break;
        }
    }
    *count = n;
    return CLI_OK;
}

#define MAX_GRID_POINTS 100000000.0
#define MAX_STEP 9007199254740992.0 /* 2^53: every step is exact in a double */

static int real_range(const char *opt, const char *text, char **items, size_t n, int log_spaced,
                      double min_open, const char *valid, cli_grid *g, char *msg, size_t len)
{
    double npts;
    int status;
    char label_n[64]; /* name the part of the range: "--rho N: 0 is out of range" */
    snprintf(label_n, sizeof label_n, "%s N", opt);
    if (n != 3)
        return fail(msg, len, CLI_EINPUT, "%s: '%s' is not a range A:B:N", opt, text);
    if ((status = cli_parse_double(opt, items[0], &g->a, msg, len))
        || (status = cli_parse_double(opt, items[1], &g->b, msg, len))
        || (status = cli_parse_integer(label_n, items[2], 1, MAX_GRID_POINTS, &npts, msg, len)))
        return status;
    if (!(g->a > min_open))
        return fail(msg, len, CLI_EINPUT, "%s: %s is out of range: %s", opt, items[0], valid);
    if (g->a > g->b)
        return fail(msg, len, CLI_EINPUT, "%s: range '%s' has A > B (A = %s, B = %s)", opt, text,
                    items[0], items[1]);
    if (npts == 1 && g->a != g->b)
        return fail(msg, len, CLI_EINPUT, "%s: range '%s' has N = 1 but A != B (N must be >= 2)",
                    opt, text);
    if (log_spaced && !(g->a > 0))
        return fail(msg, len, CLI_EINPUT, "%s: --log needs A > 0 (got %s)", opt, items[0]);
    g->n = (size_t)npts;
    g->log = log_spaced;
    return CLI_OK;
}

static int real_list(const char *opt, char **items, size_t n, double min_open, const char *valid,
                     cli_grid *g, char *msg, size_t len)
{
    g->list = malloc(n * sizeof *g->list);
    if (g->list == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    for (size_t k = 0; k < n; k++) {
        int status = cli_parse_double(opt, items[k], &g->list[k], msg, len);
        if (status != CLI_OK)
            return status;
        if (!(g->list[k] > min_open))
            return fail(msg, len, CLI_EINPUT, "%s: %s is out of range: %s", opt, items[k], valid);
    }
    g->n = n;
    return CLI_OK;
}

/* The common frame of the grid parsers: copy, split at ':' (a range) or
 * ',' (a list), hand over, and clean up whatever happened. */
static int grid_frame(const char *opt, const char *text, const char *empty_msg, cli_grid *g,
                      char *msg, size_t len, char ***items, size_t *n, char **copy, int *range)
{
    memset(g, 0, sizeof *g);
    *items = NULL;
    *copy = NULL;
    if (text == NULL || *text == '\0')
        return fail(msg, len, CLI_EINPUT, "%s: empty value (%s)", opt, empty_msg);
    if ((*copy = strdup(text)) == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    *range = strchr(*copy, ':') != NULL;
    return split(opt, *copy, *range ? ':' : ',', items, n, msg, len);
}

static int grid_done(int status, cli_grid *g, char **items, char *copy)
{
    free(items);
    free(copy);
    if (status != CLI_OK) {
        free(g->list);
        memset(g, 0, sizeof *g);
    }
    return status;
}

int cli_parse_real_grid(const char *opt, const char *text, int log_spaced, double min_open,
                        const char *valid, cli_grid *g, char *msg, size_t len)
{
    char **items, *copy;
    size_t n;
    int range;
    int status = grid_frame(opt, text, "give a list A,B,... or a range A:B:N", g, msg, len,
                            &items, &n, &copy, &range);
    if (status == CLI_OK)
        status = range ? real_range(opt, text, items, n, log_spaced, min_open, valid, g, msg, len)
                       : real_list(opt, items, n, min_open, valid, g, msg, len);
    return grid_done(status, g, items, copy);
}

static int step_range(const char *opt, const char *text, char **items, size_t n, cli_grid *g,
                      char *msg, size_t len)
{
    int status;
    if (n != 2 && n != 3)
        return fail(msg, len, CLI_EINPUT, "%s: '%s' is not a range A:B or A:B:STEP", opt, text);
    g->step = 1;
    char label[3][64]; /* name the part of the range: "--t STEP: 0 is out of range" */
    snprintf(label[0], sizeof label[0], "%s A", opt);
    snprintf(label[1], sizeof label[1], "%s B", opt);
    snprintf(label[2], sizeof label[2], "%s STEP", opt);
    if ((status = cli_parse_integer(label[0], items[0], 1, MAX_STEP, &g->a, msg, len))
        || (status = cli_parse_integer(label[1], items[1], 1, MAX_STEP, &g->b, msg, len))
        || (n == 3 && (status = cli_parse_integer(label[2], items[2], 1, MAX_STEP, &g->step, msg, len))))
        return status;
    if (g->a > g->b)
        return fail(msg, len, CLI_EINPUT, "%s: range '%s' has A > B (A = %s, B = %s)", opt, text,
                    items[0], items[1]);
    double count = floor((g->b - g->a) / g->step) + 1;
    if (count > MAX_GRID_POINTS)
        return fail(msg, len, CLI_EINPUT,
                    "%s: range '%s' has %.17g steps; at most %.17g rows are allowed", opt, text,
                    count, MAX_GRID_POINTS);
    g->n = (size_t)count;
    return CLI_OK;
}

static int step_list(const char *opt, char **items, size_t n, cli_grid *g, char *msg, size_t len)
{
    g->list = malloc(n * sizeof *g->list);
    if (g->list == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    for (size_t k = 0; k < n; k++) {
        int status = cli_parse_integer(opt, items[k], 1, MAX_STEP, &g->list[k], msg, len);
        if (status != CLI_OK)
            return status;
    }
    g->n = n;
    return CLI_OK;
}

int cli_parse_step_grid(const char *opt, const char *text, cli_grid *g, char *msg, size_t len)
{
    char **items, *copy;
    size_t n;
    int range;
    int status = grid_frame(opt, text, "give a list T1,T2,... or a range A:B[:STEP]", g, msg, len,
                            &items, &n, &copy, &range);
    if (status == CLI_OK)
        status = range ? step_range(opt, text, items, n, g, msg, len)
                       : step_list(opt, items, n, g, msg, len);
    return grid_done(status, g, items, copy);
}

int cli_parse_step_grid_log(const char *opt, const char *text, size_t points, cli_grid *g,
                            char *msg, size_t len)
{
    cli_grid r;
    memset(g, 0, sizeof *g);
    int status = cli_parse_step_grid(opt, text, &r, msg, len);
    if (status != CLI_OK)
        return status;
    if (r.list != NULL || r.step != 1) {
        cli_grid_free(&r);
        return fail(msg, len, CLI_EINPUT, "%s: with --log, give a range A:B (got '%s')", opt, text);
    }
    if ((double)points > r.b - r.a + 1)
        return fail(msg, len, CLI_EINPUT,
                    "--points: %zu is out of range: the range %s holds %.17g whole steps", points,
                    text, r.b - r.a + 1);
    if (points == 0)
        return fail(msg, len, CLI_EINPUT, "--points: 0 is out of range: must be >= 1");
    /* exactly `points` distinct whole steps from A to B, as close to
     * log-spaced as whole numbers allow: each is the rounded log-spaced value,
     * raised to one past the previous and capped to leave room for the rest */
    g->list = malloc(points * sizeof *g->list);
    if (g->list == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    double la = log(r.a), lb = log(r.b);
    for (size_t k = 0; k < points; k++) {
        double x = points == 1 ? r.a
                               : round(exp(la + (lb - la) * (double)k / (double)(points - 1)));
        if (k > 0 && x <= g->list[k - 1])
            x = g->list[k - 1] + 1;
        if (x > r.b - (double)(points - 1 - k))
            x = r.b - (double)(points - 1 - k);
        if (k == 0)
            x = r.a;
        g->list[k] = x;
    }
    g->n = points;
    return CLI_OK;
}

double cli_grid_at(const cli_grid *g, size_t i)
{
    if (g->list)
        return g->list[i];
    if (g->step > 0)
        return g->a + g->step * (double)i;
    if (g->n == 1 || i == 0)
        return g->a; /* exact end points */
    if (i == g->n - 1)
        return g->b;
    double f = (double)i / (double)(g->n - 1), x;
    if (g->log)
        x = exp(log(g->a) + f * (log(g->b) - log(g->a)));
    else if (isfinite(g->b - g->a))
        x = g->a + f * (g->b - g->a);
    else
        x = (1.0 - f) * g->a + f * g->b; /* B - A overflows: no term does */
    /* rounding must not carry a point outside [A, B] (A may be the smallest
     * valid value, as rho just above 2) */
    return fmin(fmax(x, g->a), g->b);
}

void cli_grid_free(cli_grid *g)
{
    free(g->list);
    g->list = NULL;
}
