/* replay_reader.c: the input of `radvar replay` (replay_reader.h). */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "replay_reader.h"

struct cli_replay_reader {
    FILE *in;
    radvar_dtype dtype;
    char *line;
    size_t line_cap, lineno;
    double *vals;
    size_t cap;
    size_t *tok; /* start offsets of the tokens of the current line */
    size_t tok_cap;
    size_t columns;     /* values a row: those of the initial row (0 before it) */
    size_t header_line; /* the header's line, 0 if none */
    size_t header_names;
};

cli_replay_reader *cli_replay_reader_new(FILE *in, radvar_dtype dtype)
{
    cli_replay_reader *r = calloc(1, sizeof *r);
    if (r != NULL) {
        r->in = in;
        r->dtype = dtype;
    }
    return r;
}

void cli_replay_reader_free(cli_replay_reader *r)
{
    if (r == NULL)
        return;
    free(r->line);
    free(r->vals);
    free(r->tok);
    free(r);
}

static int fail(char *msg, size_t len, int status, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(char *msg, size_t len, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, len, fmt, ap);
    va_end(ap);
    return status;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_sep(char c)
{
    return is_space(c) || c == ',';
}

/* The whole token is a strtod number. */
static int number(const char *tok, double *x)
{
    char *end;
    errno = 0;
    *x = strtod(tok, &end);
    return end != tok && *end == '\0';
}

static int name_char(unsigned char c, int first)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_')
        return 1;
    return !first && ((c >= '0' && c <= '9') || strchr(".-[]()", c) != NULL);
}

static int name(const char *tok)
{
    double x;
    for (const char *p = tok; *p; p++)
        if (!name_char((unsigned char)*p, p == tok))
            return 0;
    return !number(tok, &x);
}

/* Split the line (len bytes, no NUL among them) into NUL-terminated tokens in
 * place; r->tok[0..*ntok) their offsets. */
static int tokenize(cli_replay_reader *r, size_t len, size_t *ntok, char *msg, size_t msg_len)
{
    char *s = r->line;
    size_t i = 0, n = 0;
    while (i < len && is_space(s[i]))
        i++;
    if (i < len && s[i] == ',')
        return fail(msg, msg_len, CLI_EINPUT,
                    "line %zu: an empty field (the line starts with a comma)", r->lineno);
    while (i < len) {
        if (n == r->tok_cap) {
            size_t cap = r->tok_cap ? 2 * r->tok_cap : 64;
            size_t *grown = realloc(r->tok, cap * sizeof *grown);
            if (grown == NULL)
                return fail(msg, msg_len, CLI_ESYS, "out of memory");
            r->tok = grown;
            r->tok_cap = cap;
        }
        r->tok[n++] = i;
        while (i < len && !is_sep(s[i]))
            i++;
        int commas = 0;
        size_t end = i;
        while (i < len && is_sep(s[i]))
            commas += s[i++] == ',';
        s[end] = '\0'; /* end < len: a separator (or the line's own '\0') */
        if (commas > 1 || (commas == 1 && i == len))
            return fail(msg, msg_len, CLI_EINPUT,
                        "line %zu: an empty field after value %zu (two commas with nothing "
                        "between, or a comma at the end of the line)",
                        r->lineno, n);
    }
    *ntok = n;
    return CLI_OK;
}

/* The quoted token for a message, escaped. */
static const char *quote(const char *tok, char *buf, size_t len)
{
    return cli_escape(tok, strlen(tok), 40, buf, len);
}

static int bad_token(cli_replay_reader *r, const char *tok, size_t k, char *msg, size_t len)
{
    char q[200];
    quote(tok, q, sizeof q);
    const unsigned char *u = (const unsigned char *)tok;
    if (r->lineno == 1 && k == 0 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
        return fail(msg, len, CLI_EINPUT,
                    "line 1 starts with a UTF-8 byte-order mark ('%s'); save the file without it", q);
    for (const unsigned char *p = u; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            return fail(msg, len, CLI_EINPUT,
                        "line %zu: value %zu '%s' holds a control or non-ASCII byte (binary data?)",
                        r->lineno, k + 1, q);
    if (r->columns == 0 && r->header_line == 0)
        return fail(msg, len, CLI_EINPUT,
                    "line %zu: value %zu '%s' is not a number (a header line holds names only)",
                    r->lineno, k + 1, q);
    return fail(msg, len, CLI_EINPUT, "line %zu: value %zu '%s' is not a number", r->lineno, k + 1,
                q);
}

/* Below FLT_MAX plus half its ulp: the double rounds to a finite float. */
static int fits_float(double x)
{
    return fabs(x) < (double)FLT_MAX + ldexp(1.0, 103);
}

/* The values of a numeric line: the checks of the initial row, or of a
 * gradient row. */
static int check_row(cli_replay_reader *r, size_t n, char *msg, size_t len)
{
    char q[200];
    const char *s = r->line;
    int f32 = r->dtype == RADVAR_FLOAT32;
    if (r->columns == 0) {
        if (r->header_line && n != r->header_names)
            return fail(msg, len, CLI_EINPUT,
                        "line %zu has %zu values; the header (line %zu) names %zu columns",
                        r->lineno, n, r->header_line, r->header_names);
        for (size_t k = 0; k < n; k++) {
            double x = r->vals[k];
            if (!isfinite(x) || (f32 && !(fits_float(x) && isfinite((float)x))))
                return fail(msg, len, CLI_EINPUT,
                            "line %zu: the initial parameters must be finite (value %zu is '%s'%s)",
                            r->lineno, k + 1, quote(s + r->tok[k], q, sizeof q),
                            isfinite(x) ? ", beyond the float32 range" : "");
        }
        r->columns = n;
        return CLI_OK;
    }
    if (n != r->columns)
        return fail(msg, len, CLI_EINPUT, "line %zu has %zu values; the initial row had %zu",
                    r->lineno, n, r->columns);
    if (f32)
        for (size_t k = 0; k < n; k++)
            if (isfinite(r->vals[k]) && !fits_float(r->vals[k]))
                return fail(msg, len, CLI_EINPUT,
                            "line %zu: value %zu '%s' is beyond the float32 range (|x| <= %.9g)",
                            r->lineno, k + 1, quote(s + r->tok[k], q, sizeof q), (double)FLT_MAX);
    return CLI_OK;
}

int cli_replay_reader_next(cli_replay_reader *r, const double **values, size_t *n,
                           size_t *lineno, char *msg, size_t len)
{
    *values = NULL;
    *n = 0;
    for (;;) {
        errno = 0;
        ssize_t got = getline(&r->line, &r->line_cap, r->in);
        *lineno = r->lineno + (got > 0);
        if (got <= 0) {
            if (ferror(r->in))
                return fail(msg, len, CLI_ESYS, "cannot read line %zu: %s", r->lineno + 1,
                            strerror(errno ? errno : EIO));
            if (r->columns == 0)
                return fail(msg, len, CLI_EINPUT, "no initial parameter row%s",
                            r->header_line ? " after the header" : "");
            return CLI_REPLAY_END;
        }
        r->lineno++;
        size_t L = (size_t)got;
        if (memchr(r->line, '\0', L) != NULL)
            return fail(msg, len, CLI_EINPUT, "line %zu holds a NUL byte (binary data?)", r->lineno);
        if (r->line[0] == '#')
            continue;
        size_t blank = 0;
        while (blank < L && is_space(r->line[blank]))
            blank++;
        if (blank == L)
            continue;
        size_t ntok = 0;
        int status = tokenize(r, L, &ntok, msg, len);
        if (status != CLI_OK)
            return status;
        if (ntok > r->cap) {
            double *grown = realloc(r->vals, ntok * sizeof *grown);
            if (grown == NULL)
                return fail(msg, len, CLI_ESYS, "out of memory");
            r->vals = grown;
            r->cap = ntok;
        }
        size_t names = 0, first_bad = ntok;
        for (size_t k = 0; k < ntok; k++) {
            const char *tok = r->line + r->tok[k];
            if (number(tok, &r->vals[k]))
                continue;
            if (name(tok))
                names++;
            if (first_bad == ntok)
                first_bad = k;
        }
        if (names == ntok && r->columns == 0 && r->header_line == 0) {
            r->header_line = r->lineno;
            r->header_names = ntok;
            continue; /* the header: a line of names before the first row */
        }
        if (first_bad < ntok)
            return bad_token(r, r->line + r->tok[first_bad], first_bad, msg, len);
        if ((status = check_row(r, ntok, msg, len)) != CLI_OK)
            return status;
        *values = r->vals;
        *n = ntok;
        return CLI_OK;
    }
}
