/* test_inputs.c: the program's input side, without the program: the
 * number, list and range parsers (cli/parse.c), the replay reader
 * (cli/replay_reader.c), the sweep's grid and checkpoint (cli/checkpoint.c),
 * the IDX loader (experiments/idx.c), and the bound of the effective warmup
 * sum (src/rectify.c).  Every refusal is checked for its status and for the
 * line and token its message names. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <zlib.h>

#include "check_util.h"
#include "checkpoint.h"
#include "idx.h"
#include "parse.h"
#include "radvar/radvar.h"
#include "replay_reader.h"

static char dir[64];

static void setup(void)
{
    strcpy(dir, "/tmp/radvar-inputs-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define ck_assert_msg_has(msg, part) \
    ck_assert_msg(strstr((msg), (part)) != NULL, "message '%s' lacks '%s'", (msg), (part))

/* One printable line. */
static void assert_one_line(const char *msg)
{
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
        ck_assert_msg(*p >= 0x20 && *p < 0x7f, "byte 0x%02x in message '%s'", *p, msg);
}

/* ---------------------------------------------------------------- parse */

START_TEST(test_seed_edges)
{
    char msg[CLI_MSG_LEN];
    uint64_t x;
    ck_assert_int_eq(cli_parse_seed("--seed", "18446744073709551615", &x, msg, sizeof msg), CLI_OK);
    ck_assert(x == UINT64_MAX);
    ck_assert_int_eq(cli_parse_seed("--seed", "18446744073709551616", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--seed: 18446744073709551616 is out of range: must be in [0, 18446744073709551615]");
    ck_assert_int_eq(cli_parse_seed("--seed", "99999999999999999999999", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_int_eq(cli_parse_seed("--seed", "0x10", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "'0x10' is not a seed (decimal digits only");
    ck_assert_int_eq(cli_parse_seed("--seed", "0x1E", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_int_eq(cli_parse_seed("--seed", "+1", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_int_eq(cli_parse_seed("--seed", "-1", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_int_eq(cli_parse_seed("--seed", " 1", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_int_eq(cli_parse_seed("--seed", "1e3", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_int_eq(cli_parse_seed("--seed", "", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--seed: empty value where a seed is expected");
    ck_assert_int_eq(cli_parse_seed("--seed", "0", &x, msg, sizeof msg), CLI_OK);
    ck_assert(x == 0);
    ck_assert_int_eq(cli_parse_seed("--seed", "0000000000000000000000000000042", &x, msg, sizeof msg), CLI_OK);
    ck_assert(x == 42);
    ck_assert_int_eq(cli_parse_seed("--seed", "9007199254740993", &x, msg, sizeof msg), CLI_OK);
    ck_assert(x == UINT64_C(9007199254740993)); /* beyond 2^53: kept exact */
}
END_TEST

START_TEST(test_numbers)
{
    char msg[CLI_MSG_LEN];
    double x;
    ck_assert_int_eq(cli_parse_double("--mu", "1e309", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--mu: '1e309' overflows a double");
    ck_assert_int_eq(cli_parse_double("--mu", "nan", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "'nan' is not a finite number");
    ck_assert_int_eq(cli_parse_double("--mu", "abc", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--mu: 'abc' is not a number");
    ck_assert_int_eq(cli_parse_double("--mu", "", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "empty value where a number is expected");
    ck_assert_int_eq(cli_parse_double("--mu", "1e-400", &x, msg, sizeof msg), CLI_OK);
    ck_assert(x == 0.0);
    ck_assert_int_eq(cli_parse_integer("--t", "1.5", 1, 10, &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--t: '1.5' is not a whole number");
    ck_assert_int_eq(cli_parse_integer("--t", "11", 1, 10, &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--t: 11 is out of range: must be in [1, 10]");
    ck_assert_int_eq(cli_parse_unit_interval("--beta2", "1", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--beta2: 1 is out of range: must be in [0, 1)");
    ck_assert_int_eq(cli_parse_nonnegative("--lr", "-0.1", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--lr: -0.1 is out of range: must be >= 0");
    /* a newline or an escape sequence in the text is escaped: one line */
    ck_assert_int_eq(cli_parse_double("--mu", "1\n\x1b[2J", &x, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "'1\\x0a\\x1b[2J' is not a number");
    assert_one_line(msg);
}
END_TEST

START_TEST(test_grids)
{
    char msg[CLI_MSG_LEN];
    cli_grid g;
    ck_assert_int_eq(cli_parse_real_grid("--rho", "3:1000:7", 1, 2.0, "must be > 2", &g, msg, sizeof msg), CLI_OK);
    ck_assert_uint_eq(g.n, 7);
    ck_assert(cli_grid_at(&g, 0) == 3.0 && cli_grid_at(&g, 6) == 1000.0); /* exact ends */
    cli_grid_free(&g);
    /* rounding never takes a point below A (rho must stay > 2) */
    ck_assert_int_eq(cli_parse_real_grid("--rho", "2.0000000000000004:2.000000000000001:100", 1, 2.0,
                                         "must be > 2", &g, msg, sizeof msg), CLI_OK);
    for (size_t i = 0; i < g.n; i++)
        ck_assert(cli_grid_at(&g, i) > 2.0 && cli_grid_at(&g, i) <= 2.000000000000001);
    cli_grid_free(&g);
    /* B - A overflows a double: the points stay finite and ordered */
    ck_assert_int_eq(cli_parse_real_grid("--mu", "-1e308:1e308:5", 0, -INFINITY, "", &g, msg, sizeof msg), CLI_OK);
    for (size_t i = 0; i < g.n; i++)
        ck_assert(isfinite(cli_grid_at(&g, i)) && (i == 0 || cli_grid_at(&g, i) > cli_grid_at(&g, i - 1)));
    ck_assert(cli_grid_at(&g, 2) == 0.0);
    cli_grid_free(&g);
    ck_assert_int_eq(cli_parse_real_grid("--rho", "3,,4", 0, 2.0, "must be > 2", &g, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--rho: empty item in the list (items are separated by ',')");
    ck_assert(g.n == 0 && g.list == NULL);
    ck_assert_int_eq(cli_parse_real_grid("--rho", "5:3:4", 0, 2.0, "must be > 2", &g, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "range '5:3:4' has A > B");
    ck_assert_int_eq(cli_parse_real_grid("--rho", "3,1.5", 0, 2.0, "every rho must be > 2", &g, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--rho: 1.5 is out of range: every rho must be > 2");
    ck_assert_int_eq(cli_parse_step_grid("--t", "1:100:7", &g, msg, sizeof msg), CLI_OK);
    ck_assert_uint_eq(g.n, 15);
    ck_assert(cli_grid_at(&g, 14) == 99.0);
    ck_assert_int_eq(cli_parse_step_grid("--t", "1:200000000", &g, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "at most 100000000 rows are allowed");
    ck_assert_int_eq(cli_parse_step_grid_log("--t", "1:1000", 10, &g, msg, sizeof msg), CLI_OK);
    ck_assert_uint_eq(g.n, 10);
    ck_assert(cli_grid_at(&g, 0) == 1.0 && cli_grid_at(&g, 9) == 1000.0);
    for (size_t i = 1; i < g.n; i++)
        ck_assert(cli_grid_at(&g, i) > cli_grid_at(&g, i - 1));
    cli_grid_free(&g);
    ck_assert_int_eq(cli_parse_step_grid_log("--t", "1:5", 6, &g, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--points: 6 is out of range: the range 1:5 holds 5 whole steps");
}
END_TEST

/* --------------------------------------------------------------- replay */

/* Read text to its end; the rows read (*rows) and the status. */
static int replay_text(const char *text, size_t len, radvar_dtype dtype, size_t *rows,
                       size_t *width, char *msg)
{
    FILE *f = fmemopen((void *)text, len ? len : 1, "r");
    ck_assert_ptr_nonnull(f);
    if (len == 0)
        fgetc(f);
    cli_replay_reader *r = cli_replay_reader_new(f, dtype);
    ck_assert_ptr_nonnull(r);
    const double *v;
    size_t n, lineno;
    int status;
    *rows = 0;
    *width = 0;
    while ((status = cli_replay_reader_next(r, &v, &n, &lineno, msg, CLI_MSG_LEN)) == CLI_OK) {
        ++*rows;
        *width = n;
    }
    cli_replay_reader_free(r);
    fclose(f);
    if (status != CLI_REPLAY_END)
        assert_one_line(msg);
    return status;
}

#define REPLAY(text, dtype) replay_text((text), sizeof(text) - 1, (dtype), &rows, &width, msg)

START_TEST(test_replay_reader)
{
    char msg[CLI_MSG_LEN];
    size_t rows, width;
    /* a header of names, then rows; comments and blank lines anywhere */
    ck_assert_int_eq(REPLAY("# log\n\np0 p1\n1 2\n# mid\n0.5 -0.25\n\n", RADVAR_FLOAT64), CLI_REPLAY_END);
    ck_assert(rows == 2 && width == 2);
    ck_assert_int_eq(REPLAY("w.0,w[1]\r\n1, 2\r\n3 ,4\r\n", RADVAR_FLOAT64), CLI_REPLAY_END);
    ck_assert(rows == 2 && width == 2);
    /* F5: empty fields, and a line of nothing but commas */
    ck_assert_int_eq(REPLAY(",,,\n0.1\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 1: an empty field");
    ck_assert_int_eq(REPLAY("1,,2\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 1: an empty field after value 1");
    ck_assert_int_eq(REPLAY("1,2,\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 1: an empty field after value 2");
    /* F14: only a line of names is a header */
    ck_assert_int_eq(REPLAY("\xef\xbb\xbfp0\n1\n0.5\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 1 starts with a UTF-8 byte-order mark ('\\xef\\xbb\\xbfp0')");
    ck_assert_int_eq(REPLAY("0.5 abc\n1\n0.5\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 1: value 2 'abc' is not a number");
    ck_assert_int_eq(REPLAY("p0\nq0\n1\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 2: value 1 'q0' is not a number");
    ck_assert_int_eq(REPLAY("nan 1\n1 2\n", RADVAR_FLOAT64), CLI_EINPUT); /* nan is no name */
    ck_assert_msg_has(msg, "line 1: the initial parameters must be finite (value 1 is 'nan')");
    ck_assert_int_eq(REPLAY("p0 p1\n1\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 2 has 1 values; the header (line 1) names 2 columns");
    /* binary junk, from the first line on */
    char junk[200];
    for (int i = 0; i < 200; i++)
        junk[i] = (char)(i % 3 == 2 ? '\n' : 0x80 + i % 100);
    ck_assert_int_eq(replay_text(junk, sizeof junk, RADVAR_FLOAT64, &rows, &width, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 1: value 1 '\\x80\\x81' holds a control or non-ASCII byte");
    ck_assert_int_eq(REPLAY("1\n2\n\0x\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 3 holds a NUL byte");
    /* F26: the token named is the bad one, escaped */
    ck_assert_int_eq(REPLAY("1 2\n3 \x1b[31mred\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 2: value 2 '\\x1b[31mred' holds a control or non-ASCII byte");
    ck_assert_int_eq(REPLAY("1 2\n3 4x\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 2: value 2 '4x' is not a number");
    /* F15: finiteness in the dtype */
    ck_assert_int_eq(REPLAY("1e39\n0.5\n", RADVAR_FLOAT32), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 1: the initial parameters must be finite (value 1 is '1e39', beyond the float32 range)");
    ck_assert_int_eq(REPLAY("1e39\n0.5\n", RADVAR_FLOAT64), CLI_REPLAY_END);
    ck_assert_int_eq(REPLAY("1\n-1e39\n", RADVAR_FLOAT32), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 2: value 1 '-1e39' is beyond the float32 range");
    /* the float32 edge: FLT_MAX, and the last double that rounds to it */
    ck_assert_int_eq(REPLAY("3.4028234663852886e38\n3.4028235677973362e38\n", RADVAR_FLOAT32), CLI_REPLAY_END);
    ck_assert_int_eq(REPLAY("3.4028235677973366e38\n1\n", RADVAR_FLOAT32), CLI_EINPUT);
    /* a gradient NaN is left to the optimizer (it refuses the step) */
    ck_assert_int_eq(REPLAY("1 2\n0.5 nan\n", RADVAR_FLOAT64), CLI_REPLAY_END);
    ck_assert_uint_eq(rows, 2);
    ck_assert_int_eq(REPLAY("1 2\n0.5 0.1 0.3\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 2 has 3 values; the initial row had 2");
    ck_assert_int_eq(REPLAY("", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "no initial parameter row");
    ck_assert_int_eq(REPLAY("p0\n# only a header\n", RADVAR_FLOAT64), CLI_EINPUT);
    ck_assert_msg_has(msg, "no initial parameter row after the header");
}
END_TEST

/* F29: a header after any number of comment lines */
START_TEST(test_replay_comments_then_header)
{
    char text[4096] = "";
    for (int i = 0; i < 100; i++)
        strcat(text, "# a comment line\n");
    strcat(text, "p0 p1\n1 2\n3 4\n");
    char msg[CLI_MSG_LEN];
    size_t rows, width;
    ck_assert_int_eq(replay_text(text, strlen(text), RADVAR_FLOAT64, &rows, &width, msg), CLI_REPLAY_END);
    ck_assert(rows == 2 && width == 2);
}
END_TEST

/* ----------------------------------------------------------------- grid */

static int grid_text(const char *text, cli_sweep_grid *g, char *msg)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    ck_assert_ptr_nonnull(f);
    int status = cli_sweep_grid_read(f, "g.tsv", g, msg, CLI_MSG_LEN);
    fclose(f);
    if (status != CLI_OK)
        assert_one_line(msg);
    return status;
}

static const char grid3[] =
    "beta2\tmu\tsigma\tsteps\ttrials\tseed\n"
    "0.999\t0\t1\t60\t600\t1\n0.99\t0.1\t1\t40\t500\t2\n0.9\t1\t2\t30\t400\t3\n";

START_TEST(test_grid_reader)
{
    char text[8192], msg[CLI_MSG_LEN];
    cli_sweep_grid g;
    /* F29: the header after 100 comment lines */
    text[0] = '\0';
    for (int i = 0; i < 100; i++)
        strcat(text, "# comment\n");
    strcat(text, grid3);
    ck_assert_int_eq(grid_text(text, &g, msg), CLI_OK);
    ck_assert_uint_eq(g.n, 3);
    ck_assert(g.points[1][CLI_GRID_BETA2] == 0.99 && g.points[2][CLI_GRID_SIGMA] == 2);
    cli_sweep_grid_free(&g);
    /* any order, extra columns, more than 64 of them */
    strcpy(text, "seed trials steps sigma mu beta2");
    for (int i = 0; i < 70; i++)
        sprintf(text + strlen(text), " note%d", i);
    strcat(text, "\n7 100 10 1 0 0.5");
    for (int i = 0; i < 70; i++)
        strcat(text, " x");
    strcat(text, "\n");
    ck_assert_int_eq(grid_text(text, &g, msg), CLI_OK);
    ck_assert(g.n == 1 && g.points[0][CLI_GRID_SEED] == 7 && g.points[0][CLI_GRID_BETA2] == 0.5);
    cli_sweep_grid_free(&g);
    /* the seed: --seed's parser, every 64-bit value exactly */
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials seed\n0.9 0 1 1 2 18446744073709551615\n"
                               "0.9 0 1 1 2 9007199254740993\n", &g, msg), CLI_OK);
    ck_assert(g.n == 2 && g.seeds[0] == UINT64_MAX && g.seeds[1] == 9007199254740993ULL);
    cli_sweep_grid_free(&g);
    const char *bad_seeds[] = {"0x10", "1e3", "+1", "-1", "7.0", "18446744073709551616", "1:5"};
    for (size_t i = 0; i < sizeof bad_seeds / sizeof *bad_seeds; i++) {
        char seed_line[128];
        snprintf(seed_line, sizeof seed_line, "beta2 mu sigma steps trials seed x\n0.9 0 1 1 2 %s y\n", bad_seeds[i]);
        ck_assert_int_eq(grid_text(seed_line, &g, msg), CLI_EINPUT);
        ck_assert_msg_has(msg, "--grid line 2 seed: ");
    }
    ck_assert_int_eq(grid_text("\xef\xbb\xbf" "beta2 mu sigma steps trials seed\n0.9 0 1 1 2 0\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid: line 1: field 1 '\\xef\\xbb\\xbfbeta2' holds a control or non-ASCII byte");
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials seed 2x\n0.9 0 1 1 2 0 1\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid: line 1: header field 7 '2x' is not a column name");
    ck_assert(g.n == 0 && g.points == NULL);
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials\n0.9 0 1 1 2\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid: 'g.tsv' has no column 'seed' in its header");
    ck_assert_int_eq(grid_text("beta2 mu mu sigma steps trials seed\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "the header names 'mu' twice");
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials seed\n0.9 0 1 10 10\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid: line 2 has 5 fields; the header has 6");
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials seed\ngarbage 0 1 10 10 1\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid line 2 beta2: 'garbage' is not a number");
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials seed\n0.9 0 1 1e10 10 1\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid line 2 steps: 1e10 is out of range");
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials seed\n0.9 \x01 1 10 10 1\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid: line 2: field 2 '\\x01' holds a control or non-ASCII byte");
    ck_assert_int_eq(grid_text("beta2 mu sigma steps trials seed\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "--grid: 'g.tsv' holds no points");
    ck_assert_int_eq(grid_text("# nothing\n", &g, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "has no header");
}
END_TEST

/* ----------------------------------------------------------- checkpoint */

static double ck_points[3][CLI_GRID_FIELDS] = {
    {0.999, 0, 1, 60, 600, 1}, {0.99, 0.1, 1, 40, 500, 2}, {0.9, 1, 2, 30, 400, 3}};
static const uint64_t ck_report[2] = {5, 20};
static cli_sweep_grid ck_grid = {.n = 3, .points = ck_points};
static const cli_ck_spec ck_spec = {.grid = &ck_grid, .report = ck_report, .n_report = 2, .id = 0x1234abcdu};

/* A point's rows as the sweep makes them: index, grid values, t, values. */
static void make_point(size_t k, cli_ck_point *p)
{
    p->rows = 2;
    p->values = malloc(2 * CLI_CK_FIELDS * sizeof(double));
    ck_assert_ptr_nonnull(p->values);
    for (size_t r = 0; r < 2; r++) {
        double *row = p->values + r * CLI_CK_FIELDS;
        row[0] = (double)k;
        memcpy(row + 1, ck_points[k], sizeof ck_points[k]);
        row[CLI_CK_T] = (double)ck_report[r];
        for (int c = CLI_CK_T + 1; c < CLI_CK_FIELDS; c++)
            row[c] = 1.0 / (3.0 + (double)c + (double)r + 10.0 * (double)k);
        row[CLI_CK_FIELDS - 1] = NAN; /* simulate writes nan where a moment is undefined */
    }
}

/* The text of a checkpoint holding the given points. */
static char *ck_text(const int *which, int count, size_t *len)
{
    size_t n;
    char *text = cli_checkpoint_format_header(&ck_spec, &n);
    *len = n;
    for (int i = 0; i < count; i++) {
        cli_ck_point p;
        make_point((size_t)which[i], &p);
        char *t = cli_checkpoint_format_point((size_t)which[i], &p, &n);
        text = realloc(text, *len + n + 1);
        memcpy(text + *len, t, n);
        *len += n;
        text[*len] = '\0';
        free(t);
        free(p.values);
    }
    return text;
}

/* The lines of a text (each with its newline), to edit one by one. */
typedef struct {
    char *line[64];
    int n;
} lines;

static void split_lines(const char *text, lines *L)
{
    L->n = 0;
    for (const char *p = text; *p;) {
        const char *e = strchr(p, '\n');
        size_t n = e ? (size_t)(e - p) + 1 : strlen(p);
        L->line[L->n] = malloc(n + 64);
        memcpy(L->line[L->n], p, n);
        L->line[L->n][n] = '\0';
        L->n++;
        p += n;
    }
}

static char *join(const lines *L, size_t *len)
{
    size_t n = 0;
    for (int i = 0; i < L->n; i++)
        n += strlen(L->line[i]);
    char *t = malloc(n + 1);
    *len = 0;
    for (int i = 0; i < L->n; i++) {
        memcpy(t + *len, L->line[i], strlen(L->line[i]));
        *len += strlen(L->line[i]);
    }
    t[*len] = '\0';
    return t;
}

static void free_lines(lines *L)
{
    for (int i = 0; i < L->n; i++)
        free(L->line[i]);
    L->n = 0;
}

/* Give a row (last separator a tab) or a #done line (a space) its right
 * checksum again, as a forger would. */
static void recrc(char *line)
{
    char sep = line[0] == '#' ? ' ' : '\t';
    char *last = strrchr(line, sep);
    sprintf(last + 1, "%08lx\n", (unsigned long)crc32(0L, (const Bytef *)line, (uInt)(last - line)));
}

static void replace(char *line, const char *from, const char *to)
{
    char *p = strstr(line, from);
    ck_assert_ptr_nonnull(p);
    char rest[2048];
    strcpy(rest, p + strlen(from));
    strcpy(p, to);
    strcat(p, rest);
}

static int parse_ck(const char *text, size_t len, cli_ck_point *done, long long *keep, char *msg)
{
    FILE *f = fmemopen((void *)text, len ? len : 1, "r");
    ck_assert_ptr_nonnull(f);
    if (len == 0)
        fgetc(f);
    memset(done, 0, 3 * sizeof *done);
    int status = cli_checkpoint_parse(f, &ck_spec, done, keep, msg, CLI_MSG_LEN);
    fclose(f);
    if (status != CLI_OK)
        assert_one_line(msg);
    return status;
}

/* F10, F3, F4: every corruption is refused, naming its line.  Lines of the
 * good text: 1 magic, 2 grid, 3-4 rows of point 0, 5 its #done, 6-7 rows
 * of point 1, 8 its #done. */
enum { C_CHANGED_VALUE, C_GARBAGE, C_BETA2, C_T, C_DUP_ROW, C_BIT_FLIP, C_DEL_ROW, C_TAB_SPACE,
       C_DEL_DONE, C_DUP_DONE, C_DONE_POINT, C_DONE_ROWS, C_MOVED_ROW, C_GRID_ID, C_MAGIC,
       C_NUL, C_1E30, C_CUT_INSIDE, C_CRLF, C_DONE_TWICE, C_CRC_FIELD, C_GARBAGE_CRC,
       C_EXTRA_FIELD, C_COMMENT, C_POINT_3, C_MU_CRC, C_T_CRC, C_TAB_SPACE_CRC, C_COUNT };

static void corrupt(lines *L, int c)
{
    switch (c) {
    case C_CHANGED_VALUE: replace(L->line[3], "0.0625", "0.0626"); break;
    case C_GARBAGE: replace(L->line[5], "0.040000000000000001", "garbage"); break;
    case C_BETA2: replace(L->line[2], "0.999", "0.998"); break;
    case C_T: replace(L->line[6], "\t20\t", "\t21\t"); break;
    case C_DUP_ROW: /* line 3 twice */
        memmove(L->line + 3, L->line + 2, (size_t)(L->n - 2) * sizeof *L->line);
        L->line[2] = strdup(L->line[3]);
        L->n++;
        break;
    case C_BIT_FLIP: L->line[5][7] ^= 0x01; break;
    case C_DEL_ROW:
        free(L->line[3]);
        memmove(L->line + 3, L->line + 4, (size_t)(L->n - 4) * sizeof *L->line);
        L->n--;
        break;
    case C_TAB_SPACE: *strchr(L->line[6] + 3, '\t') = ' '; break;
    case C_DEL_DONE:
        free(L->line[4]);
        memmove(L->line + 4, L->line + 5, (size_t)(L->n - 5) * sizeof *L->line);
        L->n--;
        break;
    case C_DUP_DONE:
        memmove(L->line + 5, L->line + 4, (size_t)(L->n - 4) * sizeof *L->line);
        L->line[4] = strdup(L->line[5]);
        L->n++;
        break;
    case C_DONE_POINT: replace(L->line[4], "#done 0", "#done 1"); recrc(L->line[4]); break;
    case C_DONE_ROWS: replace(L->line[4], "#done 0 2", "#done 0 3"); recrc(L->line[4]); break;
    case C_MOVED_ROW: { /* a row of point 1 swapped with one of point 0 */
        char *t = L->line[2];
        L->line[2] = L->line[5];
        L->line[5] = t;
        break;
    }
    case C_GRID_ID: replace(L->line[1], "1234abcd", "1234abce"); break;
    case C_MAGIC: replace(L->line[0], "checkpoint", "checkpoinT"); break;
    case C_NUL: break; /* below: a NUL cannot go through these strings */
    case C_1E30: replace(L->line[2], "0\t", "1e30\t"); recrc(L->line[2]); break;
    case C_CUT_INSIDE: strcpy(L->line[3] + strlen(L->line[3]) / 2, "\n"); break;
    case C_CRLF:
        for (int i = 0; i < L->n; i++)
            strcpy(L->line[i] + strlen(L->line[i]) - 1, "\r\n");
        break;
    case C_DONE_TWICE: /* point 0 again, rows and #done */
        for (int i = 2; i <= 4; i++)
            L->line[L->n++] = strdup(L->line[i]);
        break;
    case C_CRC_FIELD: L->line[2][strlen(L->line[2]) - 2] ^= 0x01; break;
    case C_GARBAGE_CRC: replace(L->line[5], "0.040000000000000001", "garbage"); recrc(L->line[5]); break;
    case C_EXTRA_FIELD: replace(L->line[2], "\t1\t5\t", "\t1\t5\t5\t"); recrc(L->line[2]); break;
    case C_COMMENT:
        memmove(L->line + 6, L->line + 5, (size_t)(L->n - 5) * sizeof *L->line);
        L->line[5] = strdup("# a note\n");
        L->n++;
        break;
    case C_POINT_3: replace(L->line[5], "1\t", "3\t"); recrc(L->line[5]); break;
    case C_MU_CRC: replace(L->line[2], "0.999\t0\t", "0.999\t0.5\t"); recrc(L->line[2]); break;
    case C_T_CRC: replace(L->line[3], "\t20\t", "\t21\t"); recrc(L->line[3]); break;
    case C_TAB_SPACE_CRC: *strchr(L->line[6] + 3, '\t') = ' '; recrc(L->line[6]); break;
    }
}

START_TEST(test_checkpoint_corruptions)
{
    static const struct {
        int line;
        const char *says;
    } expect[C_COUNT] = {
        [C_CHANGED_VALUE] = {4, "line 4: the row does not match its checksum"},
        [C_GARBAGE] = {6, "line 6: the row does not match its checksum"},
        [C_BETA2] = {3, "line 3: the row does not match its checksum"},
        [C_T] = {7, "line 7: the row does not match its checksum"},
        [C_DUP_ROW] = {4, "line 4: row 2 of point 0 is at t = 5; the sweep reports t = 20"},
        [C_BIT_FLIP] = {6, "line 6: the row does not match its checksum"},
        [C_DEL_ROW] = {4, "line 4: point 0 has 1 rows above its '#done' line (which says 2)"},
        [C_TAB_SPACE] = {7, "line 7: the row does not match its checksum"},
        [C_DEL_DONE] = {5, "line 5: a row of point 1, but point 0 has 2 of its 2 rows and no '#done' line"},
        [C_DUP_DONE] = {6, "line 6: '#done 0' without the rows of point 0"},
        [C_DONE_POINT] = {5, "line 5: '#done 1' without the rows of point 1"},
        [C_DONE_ROWS] = {5, "line 5: point 0 has 2 rows above its '#done' line (which says 3)"},
        [C_MOVED_ROW] = {4, "line 4: a row of point 0, but point 1 has 1 of its 2 rows"},
        [C_GRID_ID] = {2, "belongs to another grid or other options"},
        [C_MAGIC] = {1, "is not a radvar sweep checkpoint"},
        [C_NUL] = {4, "line 4 holds a NUL byte"},
        [C_1E30] = {3, "line 3: '1e30' is not a point of the grid (0 to 2)"},
        [C_CUT_INSIDE] = {4, "line 4: the row does not end in a checksum"},
        [C_CRLF] = {1, "is not a radvar sweep checkpoint"},
        [C_DONE_TWICE] = {9, "line 9: point 0 is already done above"},
        [C_CRC_FIELD] = {3, "line 3: the row does not match its checksum"},
        [C_GARBAGE_CRC] = {6, "line 6: field 13 'garbage' is not a number"},
        [C_EXTRA_FIELD] = {3, "line 3 has more than %d fields"},
        [C_COMMENT] = {6, "line 6: '# a note' is not a checkpoint line"},
        [C_POINT_3] = {6, "line 6: '3' is not a point of the grid (0 to 2)"},
        [C_MU_CRC] = {3, "line 3: mu is 0.5, but grid point 0 has 0"},
        [C_T_CRC] = {4, "line 4: row 2 of point 0 is at t = 21; the sweep reports t = 20 there"},
        [C_TAB_SPACE_CRC] = {7, "line 7 has %d fields; a row has %d"},
    };
    int which[2] = {0, 1};
    size_t len;
    char *good = ck_text(which, 2, &len), msg[CLI_MSG_LEN];
    cli_ck_point done[3];
    long long keep;
    ck_assert_int_eq(parse_ck(good, len, done, &keep, msg), CLI_OK);
    ck_assert(done[0].rows == 2 && done[1].rows == 2 && done[2].values == NULL);
    ck_assert(keep == (long long)len);
    ck_assert(isnan(done[1].values[2 * CLI_CK_FIELDS - 1]));
    cli_ck_points_free(done, 3);
    for (int c = 0; c < C_COUNT; c++) {
        lines L = {{0}, 0};
        split_lines(good, &L);
        ck_assert_int_eq(L.n, 8);
        corrupt(&L, c);
        size_t n;
        char *bad = join(&L, &n);
        if (c == C_NUL) { /* a NUL cannot go through the strings above: put it back */
            free(bad);
            bad = malloc(len + 1);
            memcpy(bad, good, len);
            n = len;
            bad[strlen(L.line[0]) + strlen(L.line[1]) + strlen(L.line[2])] = '\0';
        }
        int status = parse_ck(bad, n, done, &keep, msg);
        ck_assert_msg(status == CLI_EINPUT, "corruption %d accepted", c);
        char says[128]; /* the field counts follow simulate's columns */
        snprintf(says, sizeof says, expect[c].says, c == C_EXTRA_FIELD ? CLI_CK_FIELDS + 1 : CLI_CK_FIELDS,
                 CLI_CK_FIELDS + 1);
        ck_assert_msg(strstr(msg, says) != NULL, "corruption %d: '%s', expected '%s'", c, msg, says);
        snprintf(says, sizeof says, "line %d", expect[c].line);
        ck_assert_msg(strstr(msg, says) != NULL, "corruption %d: '%s' does not name %s", c, msg, says);
        cli_ck_points_free(done, 3);
        free(bad);
        free_lines(&L);
    }
    free(good);
}
END_TEST

/* The bound of a line: longer than any row can be is refused. */
START_TEST(test_checkpoint_long_line)
{
    size_t header_len;
    char *header = cli_checkpoint_format_header(&ck_spec, &header_len), msg[CLI_MSG_LEN];
    size_t len = header_len + CLI_CK_MAX_LINE + 2;
    char *text = malloc(len + 1);
    memcpy(text, header, header_len);
    memset(text + header_len, '1', len - header_len - 1);
    text[len - 1] = '\n';
    text[len] = '\0';
    cli_ck_point done[3];
    long long keep;
    ck_assert_int_eq(parse_ck(text, len, done, &keep, msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "line 3 is longer than a checkpoint line can be");
    free(text);
    free(header);
}
END_TEST

/* What a crash can leave is dropped, and only that: a last line cut short,
 * the rows of a last point without their #done line; a cut inside the
 * header is a fresh start. */
START_TEST(test_checkpoint_tails)
{
    int which[2] = {0, 1};
    size_t len, header_len;
    char *good = ck_text(which, 2, &len), msg[CLI_MSG_LEN];
    free(cli_checkpoint_format_header(&ck_spec, &header_len));
    lines L = {{0}, 0};
    split_lines(good, &L);
    size_t p0_end = 0;
    for (int i = 0; i < 5; i++)
        p0_end += strlen(L.line[i]);
    free_lines(&L);
    cli_ck_point done[3];
    long long keep;
    for (size_t cut = 0; cut < len; cut++) {
        int status = parse_ck(good, cut, done, &keep, msg);
        ck_assert_msg(status == CLI_OK, "cut at %zu: %s", cut, msg);
        if (cut < header_len)
            ck_assert(keep == 0 && done[0].values == NULL);
        else if (cut < p0_end)
            ck_assert(keep == (long long)header_len && done[0].values == NULL);
        else
            ck_assert(keep == (long long)p0_end && done[0].rows == 2 && done[1].values == NULL);
        cli_ck_points_free(done, 3);
    }
    free(good);
}
END_TEST

static char *path_in(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

static void spit(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* F11, F12: the lock, refusing what is not a checkpoint, no temp files. */
START_TEST(test_checkpoint_file)
{
    char msg[CLI_MSG_LEN], path[128];
    cli_ck_point done[3] = {{0}}, p;
    cli_checkpoint *c, *c2;
    snprintf(path, sizeof path, "%s", path_in("ck"));
    /* a new file: the header, then points appended */
    ck_assert_int_eq(cli_checkpoint_open(path, &ck_spec, done, &c, msg, sizeof msg), CLI_OK);
    /* F11: a second sweep on it is refused while the first holds it */
    ck_assert_int_eq(cli_checkpoint_open(path, &ck_spec, done, &c2, msg, sizeof msg), CLI_ESYS);
    ck_assert_msg_has(msg, "is in use by another radvar sweep");
    make_point(0, &p);
    ck_assert_int_eq(cli_checkpoint_append(c, 0, &p, msg, sizeof msg), CLI_OK);
    free(p.values);
    cli_checkpoint_close(c);
    ck_assert_int_eq(cli_checkpoint_open(path, &ck_spec, done, &c, msg, sizeof msg), CLI_OK);
    ck_assert(done[0].rows == 2 && done[1].values == NULL);
    cli_ck_points_free(done, 3);
    cli_checkpoint_close(c);
    /* a crash's tail is dropped and the next point follows the last
     * complete one (the header and points land at the end of what is kept,
     * not after the dropped bytes) */
    int which[2] = {0, 1};
    size_t len, got;
    char *good = ck_text(which, 2, &len);
    spit(path, good, len - 40);
    ck_assert_int_eq(cli_checkpoint_open(path, &ck_spec, done, &c, msg, sizeof msg), CLI_OK);
    ck_assert(done[0].rows == 2 && done[1].values == NULL);
    make_point(1, &p);
    ck_assert_int_eq(cli_checkpoint_append(c, 1, &p, msg, sizeof msg), CLI_OK);
    free(p.values);
    cli_checkpoint_close(c);
    cli_ck_points_free(done, 3);
    char *back = slurp(path, &got);
    ck_assert(got == len && memcmp(back, good, len) == 0);
    free(back);
    /* a header cut short: a fresh start */
    spit(path, good, 20);
    ck_assert_int_eq(cli_checkpoint_open(path, &ck_spec, done, &c, msg, sizeof msg), CLI_OK);
    cli_checkpoint_close(c);
    back = slurp(path, &got);
    size_t header_len;
    char *header = cli_checkpoint_format_header(&ck_spec, &header_len);
    ck_assert(got == header_len && memcmp(back, header, got) == 0);
    free(back);
    free(header);
    free(good);
    /* F12: an unrelated file is refused and left as it was */
    static const char notes[] = "my notes\nnot a checkpoint\n";
    spit(path, notes, sizeof notes - 1);
    ck_assert_int_eq(cli_checkpoint_open(path, &ck_spec, done, &c, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "is not a radvar sweep checkpoint (line 1 is 'my notes')");
    back = slurp(path, &got);
    ck_assert(got == sizeof notes - 1 && memcmp(back, notes, got) == 0);
    free(back);
    /* ... and so is a corrupt checkpoint: refused, unchanged */
    /* a directory, a FIFO */
    ck_assert_int_eq(cli_checkpoint_open(dir, &ck_spec, done, &c, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "Is a directory");
    ck_assert_int_eq(mkfifo(path_in("fifo"), 0600), 0);
    snprintf(path, sizeof path, "%s", path_in("fifo"));
    ck_assert_int_eq(cli_checkpoint_open(path, &ck_spec, done, &c, msg, sizeof msg), CLI_EINPUT);
    ck_assert_msg_has(msg, "is not a regular file");
    unlink(path);
    /* nothing but the checkpoint is left in its directory */
    char cmd[256];
    snprintf(cmd, sizeof cmd, "test \"$(ls -A '%s')\" = ck", dir);
    ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* ------------------------------------------------------------------ IDX */

static void write_file(const char *name, const void *data, size_t len, int gz)
{
    if (gz) {
        gzFile f = gzopen(path_in(name), "wb");
        ck_assert_ptr_nonnull(f);
        ck_assert_int_eq(gzwrite(f, data, (unsigned)len), (int)len);
        ck_assert_int_eq(gzclose(f), Z_OK);
    } else {
        spit(path_in(name), data, len);
    }
}

/* n images of 4 x 4, and n labels, as IDX bytes */
static unsigned char *idx_images(uint32_t n, uint32_t claim, size_t *len)
{
    *len = 16 + (size_t)n * 16;
    unsigned char *b = malloc(*len);
    uint32_t head[4] = {0x803, claim, 4, 4};
    for (int k = 0; k < 4; k++)
        for (int j = 0; j < 4; j++)
            b[4 * k + j] = (unsigned char)(head[k] >> (24 - 8 * j));
    for (size_t i = 16; i < *len; i++)
        b[i] = (unsigned char)(i * 37);
    return b;
}

static unsigned char *idx_labels(uint32_t n, uint32_t claim, size_t *len)
{
    *len = 8 + (size_t)n;
    unsigned char *b = malloc(*len);
    uint32_t head[2] = {0x801, claim};
    for (int k = 0; k < 2; k++)
        for (int j = 0; j < 4; j++)
            b[4 * k + j] = (unsigned char)(head[k] >> (24 - 8 * j));
    for (size_t i = 8; i < *len; i++)
        b[i] = (unsigned char)(i % 10);
    return b;
}

static int load(const char *images, const char *labels, size_t max, radvar_idx_data *d, char *why)
{
    char ip[128], lp[128];
    snprintf(ip, sizeof ip, "%s", path_in(images));
    snprintf(lp, sizeof lp, "%s", path_in(labels));
    int status = radvar_idx_load(ip, lp, max, d, why, 512);
    if (status != RADVAR_SUCCESS) {
        assert_one_line(why);
        ck_assert(d->count == 0 && d->images == NULL);
    }
    return status;
}

START_TEST(test_idx_whole_file)
{
    size_t il, ll, n;
    unsigned char *im = idx_images(2000, 2000, &il), *lb = idx_labels(2000, 2000, &ll);
    write_file("i.gz", im, il, 1);
    write_file("l.gz", lb, ll, 1);
    radvar_idx_data d;
    char why[512];
    ck_assert_int_eq(load("i.gz", "l.gz", 10, &d, why), RADVAR_SUCCESS);
    ck_assert_uint_eq(d.count, 10);
    radvar_idx_free(&d);
    /* F13: a flipped bit far past the 10 examples kept is still found */
    char *gz = slurp(path_in("i.gz"), &n);
    gz[n - 20] ^= 0x04;
    spit(path_in("flip.gz"), gz, n);
    ck_assert_int_eq(load("flip.gz", "l.gz", 10, &d, why), RADVAR_EFORMAT);
    ck_assert_msg_has(why, "the gzip data is corrupt");
    gz[n - 20] ^= 0x04;
    gz[n - 6] ^= 0x01; /* in the length trailer */
    spit(path_in("flip.gz"), gz, n);
    ck_assert_int_eq(load("flip.gz", "l.gz", 10, &d, why), RADVAR_EFORMAT);
    gz[n - 6] ^= 0x01;
    /* no trailer; bytes after it; two members (gzip allows it) */
    spit(path_in("short.gz"), gz, n - 8);
    ck_assert_int_eq(load("short.gz", "l.gz", 10, &d, why), RADVAR_EFORMAT);
    ck_assert_msg_has(why, "its gzip data ends before the CRC and length trailer");
    gz = realloc(gz, 2 * n + 8);
    memcpy(gz + n, "junk", 4);
    spit(path_in("junk.gz"), gz, n + 4);
    ck_assert_int_eq(load("junk.gz", "l.gz", 0, &d, why), RADVAR_EFORMAT);
    ck_assert_msg_has(why, "has bytes after the end of its gzip data");
    free(gz);
    gzFile f = gzopen(path_in("two.gz"), "wb");
    gzwrite(f, im, 1000);
    gzclose(f);
    gz = slurp(path_in("two.gz"), &n);
    f = gzopen(path_in("two.gz"), "wb");
    gzwrite(f, im + 1000, (unsigned)(il - 1000));
    gzclose(f);
    size_t n2;
    char *gz2 = slurp(path_in("two.gz"), &n2);
    gz = realloc(gz, n + n2);
    memcpy(gz + n, gz2, n2);
    spit(path_in("two.gz"), gz, n + n2);
    ck_assert_int_eq(load("two.gz", "l.gz", 0, &d, why), RADVAR_SUCCESS);
    ck_assert_uint_eq(d.count, 2000);
    radvar_idx_free(&d);
    free(gz);
    free(gz2);
    /* plain files: exactly the header's size */
    write_file("i.raw", im, il, 0);
    write_file("l.raw", lb, ll, 0);
    ck_assert_int_eq(load("i.raw", "l.raw", 5, &d, why), RADVAR_SUCCESS);
    radvar_idx_free(&d);
    write_file("i.raw", im, il - 1, 0);
    ck_assert_int_eq(load("i.raw", "l.raw", 5, &d, why), RADVAR_EFORMAT);
    ck_assert_msg_has(why, "is truncated: its images end 1 bytes early");
    im = realloc(im, il + 1);
    im[il] = 0;
    write_file("i.raw", im, il + 1, 0);
    ck_assert_int_eq(load("i.raw", "l.raw", 5, &d, why), RADVAR_EFORMAT);
    ck_assert_msg_has(why, "holds more data than its header says");
    free(im);
    free(lb);
}
END_TEST

START_TEST(test_idx_headers)
{
    size_t il, ll;
    radvar_idx_data d;
    char why[512];
    /* F28: no images */
    unsigned char *im = idx_images(0, 0, &il), *lb = idx_labels(0, 0, &ll);
    write_file("i0.gz", im, il, 1);
    write_file("l0.gz", lb, ll, 1);
    ck_assert_int_eq(load("i0.gz", "l0.gz", 0, &d, why), RADVAR_EFORMAT);
    ck_assert_msg_has(why, "holds no images");
    free(im);
    free(lb);
    /* a header claiming 2^32 - 1 images over one: refused as truncated, at
     * once, without allocating what the header claims */
    im = idx_images(1, 0xffffffffu, &il);
    lb = idx_labels(1, 0xffffffffu, &ll);
    write_file("ih.gz", im, il, 1);
    write_file("lh.gz", lb, ll, 1);
    double t0 = now();
    ck_assert_int_eq(load("ih.gz", "lh.gz", 0, &d, why), RADVAR_EFORMAT);
    ck_assert_msg_has(why, "is truncated: its images end after 16 of 68719476720 bytes");
    ck_assert(now() - t0 < 1.0);
    free(im);
    free(lb);
    /* a directory */
    ck_assert_int_eq(radvar_idx_load(dir, dir, 0, &d, why, sizeof why), RADVAR_EIO);
    ck_assert_msg_has(why, "is a directory");
}
END_TEST

/* --------------------------------------------------- effective warmup */

/* References (mpmath, 40 digits): S = 4 + sum_{t=5}^{N-1} (1 - r_t) in full,
 * plus mpmath.sumem over [N, inf) (Euler-Maclaurin with mpmath's own
 * derivatives and quadrature), N = 20000, beta2 the double nearest:
 *   import mpmath as mp; mp.mp.dps = 40
 *   def S(beta2, N=20000):
 *       b = mp.mpf(beta2); q = 1 - b; a = 2/q - 1
 *       def f(t):
 *           bt = b**t; rho = a - 2*t*bt/(1-bt)
 *           return 1 - mp.sqrt((rho-4)*(rho-2)*a/((a-4)*(a-2)*rho))
 *       return 4 + mp.fsum(f(mp.mpf(t)) for t in range(5, N)) + mp.sumem(f, [N, mp.inf])
 *   S(0.999), S(0.9999999) */
START_TEST(test_warmup_references)
{
    static const struct {
        double beta2, ref;
    } cases[] = {{0.999, 1033.324678549442638321331}, {0.9999999, 10291625.90079041617803866}};
    for (size_t i = 0; i < N_ELEMS(cases); i++) {
        radvar_result r;
        double t0 = now();
        ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, cases[i].beta2,
                                                           &radvar_rectify_threshold_paper, &r),
                         RADVAR_SUCCESS);
        ck_assert(now() - t0 < 1.0); /* F9: was minutes at 0.9999999 */
        ck_assert_rel(r.val, cases[i].ref, 4 * DBL_EPSILON);
        ck_assert_msg(fabs(r.val - cases[i].ref) <= r.err && r.err <= 64 * DBL_EPSILON * r.val,
                      "err %.3g for an error of %.3g", r.err, fabs(r.val - cases[i].ref));
    }
}
END_TEST

/* Every kind against the plain sum, where the sum is feasible: beta2 =
 * 0.999 (the tail is reached after 16384 terms) and 0.9999 (400000 terms). */
START_TEST(test_warmup_plain_sums)
{
    static const double b2[] = {0.99, 0.999, 0.9999};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (int kind = 0; kind <= RADVAR_RECTIFY_MOMENT; kind++) {
            double rho_inf = radvar_schedule_rho_inf(b2[i]);
            long double sum = 0;
            for (double t = 1; t < 60.0 / (1.0 - b2[i]); t++) {
                double rho = radvar_schedule_rho_t(b2[i], t);
                double w = !radvar_rectify_threshold_applies(&radvar_rectify_threshold_paper, rho) ? 0
                           : kind == RADVAR_RECTIFY_PAPER ? radvar_rectify_paper_from_rho(rho, rho_inf)
                                                          : radvar_rectify((radvar_rectify_kind)kind, b2[i], t);
                sum += 1 - w;
            }
            radvar_result r;
            ck_assert_int_eq(radvar_rectify_effective_warmup_e((radvar_rectify_kind)kind, b2[i],
                                                               &radvar_rectify_threshold_paper, &r),
                             RADVAR_SUCCESS);
            /* the plain sum loses about one ulp of 1 a term to 1 - r */
            double tol = (60.0 / (1.0 - b2[i])) * DBL_EPSILON / (double)sum + 8 * DBL_EPSILON;
            ck_assert_rel(r.val, (double)sum, tol);
            ck_assert(r.err >= 0 && r.err <= 1e-12 * r.val);
        }
}
END_TEST

/* The bound: at most 16384 terms and 400 pieces whatever beta2 is; the
 * extremes of the domain, and its edges. */
START_TEST(test_warmup_bounds)
{
    radvar_result r;
    const double top = nextafter(1.0, 0.0); /* 1 - 2^-53 */
    for (int kind = 0; kind <= RADVAR_RECTIFY_MOMENT; kind++) {
        double t0 = now();
        ck_assert_int_eq(radvar_rectify_effective_warmup_e((radvar_rectify_kind)kind, top,
                                                           &radvar_rectify_threshold_paper, &r),
                         RADVAR_SUCCESS);
        ck_assert(now() - t0 < 2.0);
        /* S (1 - beta2) tends to int_0^inf (1 - sqrt(1 - x/(e^x - 1))) dx
         * for the paper's r_t: 1.0291620... (the 0.9999999 value above) */
        ck_assert(isfinite(r.val) && r.val > 1e15 && r.val < 1e17);
    }
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, top,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_SUCCESS);
    ck_assert_rel(r.val * (1.0 - top), 10291625.90079041617803866 * (1 - 0.9999999), 1e-6);
    /* just above 0.6, where rho_inf passes the paper's threshold 4 */
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.61,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_SUCCESS);
    ck_assert(isfinite(r.val) && r.val > 10);
    /* a threshold just below rho_inf: the first step is late, the sum fine */
    radvar_rectify_threshold late = {"late", radvar_schedule_rho_inf(0.999) * (1 - 1e-9), RADVAR_CMP_GT};
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.999, &late, &r),
                     RADVAR_SUCCESS);
    uint64_t first;
    ck_assert_int_eq(radvar_rectify_first_step(0.999, &late, &first), RADVAR_SUCCESS);
    ck_assert(r.val >= (double)(first - 1) && r.val < (double)first + 10);
    /* outside the domain */
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 1.0,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, NAN,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_effective_warmup_e((radvar_rectify_kind)7, 0.9,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_effective_warmup_e(RADVAR_RECTIFY_PAPER, 0.6,
                                                       &radvar_rectify_threshold_paper, &r),
                     RADVAR_EDOM);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("inputs");
    TCase *parse = tcase_create("Parse");
    tcase_add_test(parse, test_seed_edges);
    tcase_add_test(parse, test_numbers);
    tcase_add_test(parse, test_grids);
    suite_add_tcase(s, parse);
    TCase *readers = tcase_create("Readers");
    tcase_add_unchecked_fixture(readers, setup, teardown);
    tcase_add_test(readers, test_replay_reader);
    tcase_add_test(readers, test_replay_comments_then_header);
    tcase_add_test(readers, test_grid_reader);
    tcase_add_test(readers, test_checkpoint_corruptions);
    tcase_add_test(readers, test_checkpoint_tails);
    tcase_add_test(readers, test_checkpoint_long_line);
    tcase_add_test(readers, test_checkpoint_file);
    tcase_add_test(readers, test_idx_whole_file);
    tcase_add_test(readers, test_idx_headers);
    tcase_set_timeout(readers, 60);
    suite_add_tcase(s, readers);
    TCase *warmup = tcase_create("Warmup");
    tcase_add_test(warmup, test_warmup_references);
    tcase_add_test(warmup, test_warmup_plain_sums);
    tcase_add_test(warmup, test_warmup_bounds);
    tcase_set_timeout(warmup, 120);
    suite_add_tcase(s, warmup);
    return run_suite(s);
}
