/* checkpoint.c: the grid file and the checkpoint of `radvar sweep`
 * (checkpoint.h).
 *
 * The checkpoint is written in place, never through a temporary file: it is
 * locked (flock) for the whole sweep, each finished point is appended with
 * one write and flushed to the disk (fsync), and the only rewrite is
 * dropping the tail a crash left (ftruncate to the end of the last complete
 * point).  So there is no temporary name to collide or to leave behind, and
 * the lock always covers the file that is written (a rename would put a new,
 * unlocked file under the name). */
#define _DEFAULT_SOURCE /* flock */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zlib.h>

#include "checkpoint.h"
#include "parse.h"

const char *const cli_grid_field_names[CLI_GRID_FIELDS] = {"beta2", "mu",     "sigma",
                                                           "steps", "trials", "seed"};

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

/* One line (with its '\n', if any); -1 at the end, -2 on a read error. */
static long read_line(FILE *f, char **line, size_t *cap)
{
    errno = 0;
    ssize_t got = getline(line, cap, f);
    if (got > 0)
        return (long)got;
    return ferror(f) ? -2 : -1;
}

static uint32_t crc_of(const char *text, size_t n)
{
    uint32_t c = (uint32_t)crc32(0L, Z_NULL, 0);
    /* n is below CLI_CK_MAX_LINE or a formatted line: fits zlib's uInt */
    return (uint32_t)crc32(c, (const Bytef *)text, (uInt)n);
}

static const char *quote(const char *tok, size_t n, char *buf, size_t len)
{
    return cli_escape(tok, n, 40, buf, len);
}

static int printable(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

/* ---- the grid ---- */

static int grid_name(const char *tok)
{
    if (!((*tok >= 'A' && *tok <= 'Z') || (*tok >= 'a' && *tok <= 'z') || *tok == '_'))
        return 0;
    for (const char *p = tok; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')
              || strchr("_.-[]()", *p) != NULL))
            return 0;
    return 1;
}

static int is_grid_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == '\r' || c == '\n';
}

/* Tokens separated by runs of " \t,\r\n", in place. */
static int grid_tokens(char *s, size_t n, char ***tok, size_t *tok_cap, size_t *count, char *msg,
                       size_t len)
{
    size_t k = 0, i = 0;
    while (i < n) {
        while (i < n && is_grid_sep(s[i]))
            i++;
        if (i == n)
            break;
        if (k == *tok_cap) {
            size_t cap = *tok_cap ? 2 * *tok_cap : 16;
            char **grown = realloc(*tok, cap * sizeof *grown);
            if (grown == NULL)
                return fail(msg, len, CLI_ESYS, "out of memory");
            *tok = grown;
            *tok_cap = cap;
        }
        (*tok)[k++] = s + i;
        while (i < n && !is_grid_sep(s[i]))
            i++;
        s[i] = '\0'; /* a separator, or the line's own terminating '\0' */
        if (i < n)
            i++;
    }
    *count = k;
    return CLI_OK;
}

static int grid_header(char **tok, size_t nf, size_t lineno, const char *path, int *column_of,
                       char *msg, size_t len)
{
    char q[200];
    for (size_t c = 0; c < nf; c++)
        if (!grid_name(tok[c]))
            return fail(msg, len, CLI_EINPUT,
                        "--grid: line %zu: header field %zu '%s' is not a column name (the header "
                        "names the columns: beta2 mu sigma steps trials seed)",
                        lineno, c + 1, quote(tok[c], strlen(tok[c]), q, sizeof q));
    for (int k = 0; k < CLI_GRID_FIELDS; k++) {
        column_of[k] = -1;
        for (size_t c = 0; c < nf; c++)
            if (strcmp(tok[c], cli_grid_field_names[k]) == 0) {
                if (column_of[k] >= 0)
                    return fail(msg, len, CLI_EINPUT,
                                "--grid: line %zu: the header names '%s' twice", lineno,
                                cli_grid_field_names[k]);
                column_of[k] = (int)c;
            }
        if (column_of[k] < 0)
            return fail(msg, len, CLI_EINPUT,
                        "--grid: '%s' has no column '%s' in its header (needed: beta2 mu sigma "
                        "steps trials seed)",
                        path, cli_grid_field_names[k]);
    }
    return CLI_OK;
}

/* The optional column "noise": its index, or -1. */
static int grid_noise_column(char **tok, size_t nf, size_t lineno, int *column, char *msg,
                             size_t len)
{
    *column = -1;
    for (size_t c = 0; c < nf; c++)
        if (strcmp(tok[c], "noise") == 0) {
            if (*column >= 0)
                return fail(msg, len, CLI_EINPUT, "--grid: line %zu: the header names 'noise' twice",
                            lineno);
            *column = (int)c;
        }
    return CLI_OK;
}

/* A grid's noise SPEC: radvar_noise_parse's, with ';' for ',' */
static int grid_noise(const char *text, size_t lineno, radvar_noise *n, char *msg, size_t len)
{
    char spec[256], why[256], q[200];
    size_t l = strlen(text);
    if (l >= sizeof spec)
        return fail(msg, len, CLI_EINPUT, "--grid line %zu noise: '%s' is too long for a noise model",
                    lineno, quote(text, l, q, sizeof q));
    for (size_t i = 0; i <= l; i++)
        spec[i] = text[i] == ';' ? ',' : text[i];
    if (radvar_noise_parse(spec, n, why, sizeof why) != RADVAR_SUCCESS)
        return fail(msg, len, CLI_EINPUT, "--grid line %zu noise: %s", lineno, why);
    return CLI_OK;
}

static int grid_point(char **tok, const int *column_of, size_t lineno, double *p, uint64_t *seed,
                      char *msg, size_t len)
{
    char opt[64];
    int s;
    const char *text;
#define FIELD(k) (snprintf(opt, sizeof opt, "--grid line %zu %s", lineno, cli_grid_field_names[k]), \
                  text = tok[column_of[k]])
    FIELD(CLI_GRID_BETA2);
    if ((s = cli_parse_double(opt, text, &p[CLI_GRID_BETA2], msg, len))
        || (s = cli_parse_range(opt, text, p[CLI_GRID_BETA2], 0, 0, 1, 1, msg, len)))
        return s;
    FIELD(CLI_GRID_MU);
    if ((s = cli_parse_double(opt, text, &p[CLI_GRID_MU], msg, len)))
        return s;
    FIELD(CLI_GRID_SIGMA);
    if ((s = cli_parse_double(opt, text, &p[CLI_GRID_SIGMA], msg, len))
        || (s = cli_parse_range(opt, text, p[CLI_GRID_SIGMA], 0, 1, INFINITY, 1, msg, len)))
        return s;
    FIELD(CLI_GRID_STEPS);
    if ((s = cli_parse_integer(opt, text, 1, 1e9, &p[CLI_GRID_STEPS], msg, len)))
        return s;
    FIELD(CLI_GRID_TRIALS);
    if ((s = cli_parse_integer(opt, text, 2, 9007199254740992.0, &p[CLI_GRID_TRIALS], msg, len)))
        return s;
    FIELD(CLI_GRID_SEED);
    /* the one seed parser of the program (--seed's): every 64-bit seed */
    if ((s = cli_parse_seed(opt, text, seed, msg, len)))
        return s;
    p[CLI_GRID_SEED] = (double)*seed;
#undef FIELD
    return CLI_OK;
}

/* Every field of a grid line is printable ASCII (else: binary data?). */
static int grid_fields_printable(char **tok, size_t nf, size_t lineno, char *msg, size_t len)
{
    char q[200];
    for (size_t c = 0; c < nf; c++)
        if (!printable(tok[c]))
            return fail(msg, len, CLI_EINPUT,
                        "--grid: line %zu: field %zu '%s' holds a control or non-ASCII byte "
                        "(binary data?)",
                        lineno, c + 1, quote(tok[c], strlen(tok[c]), q, sizeof q));
    return CLI_OK;
}

/* Room for one more point (and its noise model with a noise column):
 * the arrays double when full. */
static int grid_make_room(cli_sweep_grid *g, size_t *alloc, int noise, char *msg, size_t len)
{
    if (g->n < *alloc)
        return CLI_OK;
    size_t new_alloc = *alloc ? 2 * *alloc : 16;
    double(*grown)[CLI_GRID_FIELDS] = realloc(g->points, new_alloc * sizeof *grown);
    if (grown == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    g->points = grown;
    uint64_t *seeds = realloc(g->seeds, new_alloc * sizeof *seeds);
    if (seeds == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    g->seeds = seeds;
    if (noise) {
        radvar_noise *more = realloc(g->noise, new_alloc * sizeof *more);
        if (more == NULL)
            return fail(msg, len, CLI_ESYS, "out of memory");
        g->noise = more;
    }
    *alloc = new_alloc;
    return CLI_OK;
}

int cli_sweep_grid_read(FILE *f, const char *path, cli_sweep_grid *g, char *msg, size_t len)
{
    memset(g, 0, sizeof *g);
    char *line = NULL, **tok = NULL;
    size_t cap = 0, tok_cap = 0, alloc = 0, lineno = 0, header = 0;
    int column_of[CLI_GRID_FIELDS], noise_col = -1, status = CLI_OK;
    long got;
    while ((got = read_line(f, &line, &cap)) > 0) {
        lineno++;
        size_t n = (size_t)got, nf = 0;
        if (memchr(line, '\0', n) != NULL) {
            status = fail(msg, len, CLI_EINPUT, "--grid: line %zu holds a NUL byte (binary data?)",
                          lineno);
            break;
        }
        if (line[0] == '#')
            continue;
        if ((status = grid_tokens(line, n, &tok, &tok_cap, &nf, msg, len)) != CLI_OK)
            break;
        if (nf == 0)
            continue; /* blank */
        if ((status = grid_fields_printable(tok, nf, lineno, msg, len)) != CLI_OK)
            break;
        if (header == 0) {
            if ((status = grid_header(tok, nf, lineno, path, column_of, msg, len)) != CLI_OK
                || (status = grid_noise_column(tok, nf, lineno, &noise_col, msg, len)) != CLI_OK)
                break;
            header = nf;
            continue;
        }
        if (nf != header) {
            status = fail(msg, len, CLI_EINPUT, "--grid: line %zu has %zu fields; the header has %zu%s",
                          lineno, nf, header,
                          noise_col >= 0 ? " (in a grid, ';' separates a noise model's parameters)" : "");
            break;
        }
        if ((status = grid_make_room(g, &alloc, noise_col >= 0, msg, len)) != CLI_OK
            || (status = grid_point(tok, column_of, lineno, g->points[g->n], &g->seeds[g->n], msg, len)) != CLI_OK
            || (noise_col >= 0
                && (status = grid_noise(tok[noise_col], lineno, &g->noise[g->n], msg, len)) != CLI_OK))
            break;
        g->n++;
    }
    if (status == CLI_OK && got == -2)
        status = fail(msg, len, CLI_ESYS, "--grid: cannot read '%s': %s", path,
                      strerror(errno ? errno : EIO));
    if (status == CLI_OK && header == 0)
        status = fail(msg, len, CLI_EINPUT, "--grid: '%s' has no header (needed: beta2 mu sigma "
                      "steps trials seed)", path);
    if (status == CLI_OK && g->n == 0)
        status = fail(msg, len, CLI_EINPUT, "--grid: '%s' holds no points", path);
    free(line);
    free(tok);
    if (status != CLI_OK)
        cli_sweep_grid_free(g);
    return status;
}

void cli_sweep_grid_free(cli_sweep_grid *g)
{
    free(g->points);
    free(g->seeds);
    free(g->noise);
    memset(g, 0, sizeof *g);
}

/* ---- the checkpoint text ---- */

static const char magic_line[] = "# radvar sweep checkpoint, format 2\n";

char *cli_checkpoint_format_header(const cli_ck_spec *spec, size_t *text_len)
{
    size_t cap = sizeof magic_line + 128;
    char *text = malloc(cap);
    if (text == NULL)
        return NULL;
    int n = snprintf(text, cap, "%s# grid: %08lx, %zu points, %zu rows a point, %d fields a row\n",
                     magic_line, (unsigned long)spec->id, spec->grid->n, spec->n_report,
                     CLI_CK_FIELDS);
    *text_len = (size_t)n;
    return text;
}

char *cli_checkpoint_format_point(size_t k, const cli_ck_point *p, size_t *text_len)
{
    /* a field is at most 24 bytes plus its tab; the CRC 9, the newline 1 */
    size_t row_cap = (size_t)CLI_CK_FIELDS * 26 + 16, cap = p->rows * row_cap + 64;
    char *text = malloc(cap);
    if (text == NULL)
        return NULL;
    size_t n = 0;
    for (size_t r = 0; r < p->rows; r++) {
        const double *row = p->values + r * CLI_CK_FIELDS;
        size_t start = n;
        n += (size_t)snprintf(text + n, cap - n, "%zu", k);
        for (int c = 1; c < CLI_CK_FIELDS; c++)
            n += (size_t)snprintf(text + n, cap - n, "\t%.17g", row[c]);
        n += (size_t)snprintf(text + n, cap - n, "\t%08lx\n",
                              (unsigned long)crc_of(text + start, n - start));
    }
    size_t start = n;
    n += (size_t)snprintf(text + n, cap - n, "#done %zu %zu", k, p->rows);
    n += (size_t)snprintf(text + n, cap - n, " %08lx\n", (unsigned long)crc_of(text + start, n - start));
    *text_len = n;
    return text;
}

void cli_ck_points_free(cli_ck_point *done, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(done[k].values);
        done[k].values = NULL;
        done[k].rows = 0;
    }
}

/* Digits only, no sign, value <= max. */
static int whole(const char *s, size_t max, size_t *x)
{
    size_t v = 0;
    if (*s == '\0')
        return 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return 0;
        size_t d = (size_t)(*p - '0');
        if (d > max || v > (max - d) / 10)
            return 0;
        v = 10 * v + d;
    }
    *x = v;
    return 1;
}

/* The 8 hex digits of a CRC at s (NUL-terminated). */
static int crc_field(const char *s, uint32_t *crc)
{
    uint32_t v = 0;
    size_t i = 0;
    for (; s[i] != '\0'; i++) {
        char c = s[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (d < 0 || i >= 8)
            return 0;
        v = v << 4 | (uint32_t)d;
    }
    *crc = v;
    return i == 8;
}

struct parser {
    const cli_ck_spec *spec;
    cli_ck_point *done;
    size_t lineno;
    int pending;      /* rows of point pending_k are being read */
    size_t pending_k, pending_rows;
    double *pending_values;
    char *msg;
    size_t len;
};

/* Split a line (without its newline) at its last separator sep into the
 * text and the CRC, and check the CRC. */
static int checked(struct parser *ps, char *line, char sep, const char *what)
{
    char *last = strrchr(line, sep);
    uint32_t crc;
    if (last == NULL || !crc_field(last + 1, &crc))
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu: %s does not end in a checksum (8 hex digits)", ps->lineno, what);
#ifndef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION
    if (crc_of(line, (size_t)(last - line)) != crc)
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu: %s does not match its checksum (changed or damaged)", ps->lineno, what);
#else
    /* libFuzzer's builds only (make fuzz): a fuzzer cannot forge CRC-32s,
     * so any well-formed one passes, to reach the checks behind it */
    (void)crc;
#endif
    *last = '\0';
    return CLI_OK;
}

static double expected_t(const cli_ck_spec *spec, size_t k, size_t i)
{
    return spec->report ? (double)spec->report[i] : spec->grid->points[k][CLI_GRID_STEPS];
}

/* The CLI_CK_FIELDS tab-separated fields of a row (its checksum already
 * cut off), NUL-terminated in place. */
static int row_fields(struct parser *ps, char *line, char *field[CLI_CK_FIELDS])
{
    size_t nf = 0;
    for (char *p = line;; p++) {
        if (nf == CLI_CK_FIELDS)
            return fail(ps->msg, ps->len, CLI_EINPUT, "line %zu has more than %d fields", ps->lineno,
                        CLI_CK_FIELDS + 1);
        field[nf++] = p;
        p = strchr(p, '\t');
        if (p == NULL)
            break;
        *p = '\0';
    }
    if (nf != CLI_CK_FIELDS)
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu has %zu fields; a row has %d (tab-separated, the checksum last)",
                    ps->lineno, nf + 1, CLI_CK_FIELDS + 1);
    return CLI_OK;
}

/* The row's values: its point *k of the grid, then numbers, the point's
 * own values equal to the grid's. */
static int row_values(struct parser *ps, char *field[CLI_CK_FIELDS], double row[CLI_CK_FIELDS],
                      size_t *k)
{
    const cli_ck_spec *spec = ps->spec;
    char q[200];
    if (!whole(field[0], spec->grid->n - 1, k))
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu: '%s' is not a point of the grid (0 to %zu)", ps->lineno,
                    quote(field[0], strlen(field[0]), q, sizeof q), spec->grid->n - 1);
    row[0] = (double)*k;
    for (int c = 1; c < CLI_CK_FIELDS; c++) {
        char *end;
        row[c] = strtod(field[c], &end);
        if (end == field[c] || *end != '\0')
            return fail(ps->msg, ps->len, CLI_EINPUT, "line %zu: field %d '%s' is not a number",
                        ps->lineno, c + 1, quote(field[c], strlen(field[c]), q, sizeof q));
    }
    for (int c = 0; c < CLI_GRID_FIELDS; c++)
        if (!(row[1 + c] == spec->grid->points[*k][c]))
            return fail(ps->msg, ps->len, CLI_EINPUT,
                        "line %zu: %s is %.17g, but grid point %zu has %.17g", ps->lineno,
                        cli_grid_field_names[c], row[1 + c], *k, spec->grid->points[*k][c]);
    return CLI_OK;
}

static int parse_row(struct parser *ps, char *line)
{
    const cli_ck_spec *spec = ps->spec;
    int status = checked(ps, line, '\t', "the row");
    if (status != CLI_OK)
        return status;
    char *field[CLI_CK_FIELDS];
    double row[CLI_CK_FIELDS];
    size_t k = 0;
    if ((status = row_fields(ps, line, field)) != CLI_OK
        || (status = row_values(ps, field, row, &k)) != CLI_OK)
        return status;
    if (ps->done[k].values != NULL)
        return fail(ps->msg, ps->len, CLI_EINPUT, "line %zu: point %zu is already done above",
                    ps->lineno, k);
    if (ps->pending && ps->pending_k != k)
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu: a row of point %zu, but point %zu has %zu of its %zu rows and no "
                    "'#done' line",
                    ps->lineno, k, ps->pending_k, ps->pending_rows, spec->n_report);
    if (!ps->pending) {
        free(ps->pending_values);
        ps->pending_values = malloc(spec->n_report * CLI_CK_FIELDS * sizeof *ps->pending_values);
        if (ps->pending_values == NULL)
            return fail(ps->msg, ps->len, CLI_ESYS, "out of memory");
        ps->pending = 1;
        ps->pending_k = k;
        ps->pending_rows = 0;
    }
    if (ps->pending_rows == spec->n_report)
        return fail(ps->msg, ps->len, CLI_EINPUT, "line %zu: point %zu has more than its %zu rows",
                    ps->lineno, k, spec->n_report);
    double t = expected_t(spec, k, ps->pending_rows);
    if (!(row[CLI_CK_T] == t))
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu: row %zu of point %zu is at t = %.17g; the sweep reports t = %.17g "
                    "there",
                    ps->lineno, ps->pending_rows + 1, k, row[CLI_CK_T], t);
    memcpy(ps->pending_values + ps->pending_rows * CLI_CK_FIELDS, row, sizeof row);
    ps->pending_rows++;
    return CLI_OK;
}

static int parse_done(struct parser *ps, char *line)
{
    int status = checked(ps, line, ' ', "the '#done' line");
    if (status != CLI_OK)
        return status;
    char *rows_text = strchr(line + 6, ' ');
    size_t k, rows;
    if (rows_text == NULL)
        return fail(ps->msg, ps->len, CLI_EINPUT, "line %zu: a '#done' line without its row count",
                    ps->lineno);
    *rows_text++ = '\0';
    if (!whole(line + 6, ps->spec->grid->n - 1, &k) || !whole(rows_text, (size_t)-1, &rows))
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu: a '#done' line that does not name a point and its rows", ps->lineno);
    if (!ps->pending || ps->pending_k != k)
        return fail(ps->msg, ps->len, CLI_EINPUT, "line %zu: '#done %zu' without the rows of point %zu",
                    ps->lineno, k, k);
    if (rows != ps->spec->n_report || ps->pending_rows != rows)
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "line %zu: point %zu has %zu rows above its '#done' line (which says %zu); a "
                    "point has %zu",
                    ps->lineno, k, ps->pending_rows, rows, ps->spec->n_report);
    ps->done[k].rows = rows;
    ps->done[k].values = ps->pending_values;
    ps->pending_values = NULL;
    ps->pending = 0;
    return CLI_OK;
}

/* The first two lines: the magic line and the sweep's identity.  A file
 * that ends inside them, where what is there is the start of what would be
 * written, is a fresh start (a crash while writing the header). */
static int parse_header(struct parser *ps, const char *line, size_t n, int complete,
                        const char *header, size_t header_len, size_t offset, int *fresh)
{
    char q[200];
    const char *want = header + offset;
    size_t want_len = header_len - offset;
    size_t line_len = ps->lineno == 1 ? sizeof magic_line - 1 : want_len;
    *fresh = 0;
    if (!complete && n <= want_len && memcmp(line, want, n) == 0) {
        *fresh = 1;
        return CLI_OK;
    }
    if (complete && n == line_len && memcmp(line, want, n) == 0)
        return CLI_OK;
    if (ps->lineno == 1) {
        if (complete && strcmp(line, "# radvar sweep checkpoint\n") == 0)
            return fail(ps->msg, ps->len, CLI_EINPUT,
                        "line 1: a checkpoint of an older radvar (format 1); delete it to start "
                        "over");
        return fail(ps->msg, ps->len, CLI_EINPUT,
                    "is not a radvar sweep checkpoint (line 1 is '%s'); it is left as it is: "
                    "give another --checkpoint",
                    quote(line, n && line[n - 1] == '\n' ? n - 1 : n, q, sizeof q));
    }
    return fail(ps->msg, ps->len, CLI_EINPUT,
                "belongs to another grid or other options (line 2 is '%s'; this sweep is '%s'); "
                "delete it to start over",
                quote(line, n && line[n - 1] == '\n' ? n - 1 : n, q, sizeof q),
                quote(want, want_len - 1, q + 100, 100));
}

int cli_checkpoint_parse(FILE *f, const cli_ck_spec *spec, cli_ck_point *done, long long *keep,
                         char *msg, size_t len)
{
    struct parser ps = {.spec = spec, .done = done, .msg = msg, .len = len};
    *keep = 0;
    size_t header_len;
    char *header = cli_checkpoint_format_header(spec, &header_len);
    if (header == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    char *line = NULL;
    size_t cap = 0;
    long long offset = 0;
    long got;
    int status = CLI_OK, fresh = 0;
    while (status == CLI_OK && !fresh && (got = read_line(f, &line, &cap)) > 0) {
        size_t n = (size_t)got;
        int complete = line[n - 1] == '\n';
        ps.lineno++;
        if (ps.lineno <= 2) {
            status = parse_header(&ps, line, n, complete, header,
                                  header_len, ps.lineno == 1 ? 0 : sizeof magic_line - 1, &fresh);
            if (status == CLI_OK && ps.lineno == 2 && !fresh)
                *keep = offset + (long long)n;
        } else if (!complete) {
            break; /* a line cut short by a crash: dropped */
        } else if (n > CLI_CK_MAX_LINE) {
            status = fail(msg, len, CLI_EINPUT, "line %zu is longer than a checkpoint line can be",
                          ps.lineno);
        } else if (memchr(line, '\0', n) != NULL) {
            status = fail(msg, len, CLI_EINPUT, "line %zu holds a NUL byte", ps.lineno);
        } else {
            line[n - 1] = '\0';
            if (strncmp(line, "#done ", 6) == 0) {
                status = parse_done(&ps, line);
                if (status == CLI_OK)
                    *keep = offset + (long long)n;
            } else if (line[0] == '#') {
                char q[200];
                status = fail(msg, len, CLI_EINPUT, "line %zu: '%s' is not a checkpoint line",
                              ps.lineno, quote(line, n - 1, q, sizeof q));
            } else {
                status = parse_row(&ps, line);
            }
        }
        offset += (long long)n;
    }
    if (status == CLI_OK && !fresh && ferror(f))
        status = fail(msg, len, CLI_ESYS, "cannot read: %s", strerror(errno ? errno : EIO));
    if (status == CLI_OK && ps.lineno == 1 && !fresh) /* the magic line alone */
        fresh = 1;
    if (fresh)
        *keep = 0;
    free(ps.pending_values);
    free(line);
    free(header);
    return status;
}

/* ---- the file ---- */

struct cli_checkpoint {
    int fd;
    char *path;
    long long size; /* the bytes written and kept */
};

static int write_all(int fd, const char *text, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, text, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            if (w == 0)
                errno = EIO;
            return -1;
        }
        text += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Open path for reading and writing, a regular file only, in blocking
 * mode, and lock it (one sweep at a time); *fd and *st on success. */
static int open_locked(const char *path, int *fd_out, struct stat *st, char *msg, size_t len)
{
    /* O_NONBLOCK: a FIFO or a device must not block the open; it is refused
     * below.  Opening does not change a file: it is read before any write. */
    int fd = open(path, O_RDWR | O_CREAT | O_NOCTTY | O_NONBLOCK | O_CLOEXEC, 0666);
    if (fd < 0)
        return fail(msg, len, errno == ENOMEM ? CLI_ESYS : CLI_EINPUT,
                    "--checkpoint: cannot open '%s': %s", path, strerror(errno));
    if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
        close(fd);
        return fail(msg, len, CLI_EINPUT, "--checkpoint: '%s' is not a regular file", path);
    }
    int flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
        close(fd);
        return fail(msg, len, CLI_ESYS, "--checkpoint: cannot use '%s': %s", path, strerror(errno));
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK)
            return fail(msg, len, CLI_ESYS,
                        "--checkpoint: '%s' is in use by another radvar sweep (let it finish, "
                        "then run again to resume; or give another --checkpoint)",
                        path);
        return fail(msg, len, CLI_ESYS, "--checkpoint: cannot lock '%s': %s", path, strerror(e));
    }
    *fd_out = fd;
    return CLI_OK;
}

/* Read the points done from fd (through a duplicate: the offset is
 * shared); *keep the bytes to keep (0: start afresh).  On error fd is
 * closed and done freed. */
static int read_done(int fd, const char *path, const cli_ck_spec *spec, cli_ck_point *done,
                     long long *keep, char *msg, size_t len)
{
    int rfd = dup(fd);
    FILE *f = rfd >= 0 ? fdopen(rfd, "r") : NULL;
    if (f == NULL) {
        if (rfd >= 0)
            close(rfd);
        close(fd);
        return fail(msg, len, CLI_ESYS, "--checkpoint: cannot read '%s': %s", path, strerror(errno));
    }
    *keep = 0;
    char inner[CLI_MSG_LEN];
    int status = cli_checkpoint_parse(f, spec, done, keep, inner, sizeof inner);
    fclose(f);
    if (status != CLI_OK) {
        close(fd);
        cli_ck_points_free(done, spec->grid->n);
        return fail(msg, len, status, "--checkpoint: '%s'%s%s", path,
                    strncmp(inner, "line ", 5) == 0 ? ", " : " ", inner);
    }
    return CLI_OK;
}

int cli_checkpoint_open(const char *path, const cli_ck_spec *spec, cli_ck_point *done,
                        cli_checkpoint **out, char *msg, size_t len)
{
    *out = NULL;
    int fd = -1;
    struct stat st;
    long long keep = 0;
    int status = open_locked(path, &fd, &st, msg, len);
    if (status != CLI_OK || (status = read_done(fd, path, spec, done, &keep, msg, len)) != CLI_OK)
        return status;
    cli_checkpoint *c = calloc(1, sizeof *c);
    char *header = NULL;
    size_t header_len = 0;
    if (c == NULL || (c->path = strdup(path)) == NULL
        || (keep == 0 && (header = cli_checkpoint_format_header(spec, &header_len)) == NULL)) {
        if (c)
            free(c->path);
        free(c);
        close(fd);
        cli_ck_points_free(done, spec->grid->n);
        return fail(msg, len, CLI_ESYS, "out of memory");
    }
    c->fd = fd;
    c->size = keep ? keep : (long long)header_len;
    /* drop a crash's tail, or start afresh; then continue at the end */
    errno = 0;
    int ok = (keep == (long long)st.st_size || ftruncate(fd, (off_t)keep) == 0)
             && lseek(fd, 0, SEEK_END) == (off_t)keep /* the offset is shared with the reader */
             && (header == NULL || write_all(fd, header, header_len) == 0) && fsync(fd) == 0;
    free(header);
    if (!ok) {
        int e = errno ? errno : EIO;
        cli_checkpoint_close(c);
        cli_ck_points_free(done, spec->grid->n);
        return fail(msg, len, CLI_ESYS, "--checkpoint: cannot write '%s': %s", path, strerror(e));
    }
    *out = c;
    return CLI_OK;
}

int cli_checkpoint_append(cli_checkpoint *c, size_t k, const cli_ck_point *p, char *msg, size_t len)
{
    size_t n;
    char *text = cli_checkpoint_format_point(k, p, &n);
    if (text == NULL)
        return fail(msg, len, CLI_ESYS, "out of memory");
    int ok = write_all(c->fd, text, n) == 0 && fsync(c->fd) == 0;
    int e = errno;
    free(text);
    if (!ok) {
        /* leave the file as it was: the next run would drop the tail anyway */
        if (ftruncate(c->fd, (off_t)c->size) == 0)
            (void)lseek(c->fd, 0, SEEK_END);
        return fail(msg, len, CLI_ESYS, "--checkpoint: cannot write '%s': %s", c->path,
                    strerror(e ? e : EIO));
    }
    c->size += (long long)n;
    return CLI_OK;
}

void cli_checkpoint_close(cli_checkpoint *c)
{
    if (c == NULL)
        return;
    close(c->fd); /* releases the lock */
    free(c->path);
    free(c);
}
