/* fuzz_checkpoint.c: the checkpoint reader of `radvar sweep`
 * (cli/checkpoint.c), for a fixed grid of three points and either two
 * reported steps (5 and 20) or each point's last step (the first input
 * byte chooses).  Checks: a refused text gives a one-line printable
 * message; an accepted one keeps at most its own length, and every point
 * it holds has its rows, its grid values and its steps; written out again
 * (cli_checkpoint_format_*) and read back, it gives the same points.
 * Then the same text goes through cli_checkpoint_open on a file, which
 * must refuse it or leave a file that reads back to the same points. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <unistd.h>

#include "checkpoint.h"
#include "fuzz_util.h"
#include "parse.h"

static double points[3][CLI_GRID_FIELDS] = {
    {0.999, 0, 1, 60, 600, 1}, {0.98999999999999999, 0.1, 1, 40, 500, 2}, {0.9, 1, 2, 30, 400, 3}};
static const uint64_t report[2] = {5, 20};

static void same_points(const cli_ck_point *a, const cli_ck_point *b, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        FUZZ_CHECK(a[k].rows == b[k].rows && (a[k].values == NULL) == (b[k].values == NULL));
        for (size_t i = 0; i < a[k].rows * CLI_CK_FIELDS; i++)
            FUZZ_CHECK(a[k].values[i] == b[k].values[i]
                       || (isnan(a[k].values[i]) && isnan(b[k].values[i])));
    }
}

static int parse_text(const char *text, size_t len, const cli_ck_spec *spec, cli_ck_point *done,
                      long long *keep, char *msg, size_t msg_len)
{
    FILE *f = fuzz_stream((const uint8_t *)text, len);
    int status = cli_checkpoint_parse(f, spec, done, keep, msg, msg_len);
    fclose(f);
    return status;
}

static char dir[64];

static void cleanup(void)
{
    char path[96];
    snprintf(path, sizeof path, "%s/ck", dir);
    unlink(path);
    rmdir(dir);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    cli_sweep_grid grid = {.n = 3, .points = points};
    cli_ck_spec spec = {.grid = &grid, .report = NULL, .n_report = 1, .id = 0x6f0fae50u};
    if (data[0] & 1) {
        spec.report = report;
        spec.n_report = 2;
    }
    data++;
    size--;
    cli_ck_point done[3] = {{0}}, again[3] = {{0}};
    long long keep;
    char msg[CLI_MSG_LEN];
    int status = parse_text((const char *)data, size, &spec, done, &keep, msg, sizeof msg);
    if (status != CLI_OK) {
        FUZZ_CHECK(status == CLI_EINPUT);
        fuzz_check_message(msg);
        cli_ck_points_free(done, 3);
        return 0;
    }
    FUZZ_CHECK(keep >= 0 && (size_t)keep <= size);
    for (size_t k = 0; k < 3; k++) {
        if (done[k].values == NULL)
            continue;
        FUZZ_CHECK(done[k].rows == spec.n_report);
        for (size_t r = 0; r < done[k].rows; r++) {
            const double *row = done[k].values + r * CLI_CK_FIELDS;
            FUZZ_CHECK(row[0] == (double)k);
            for (int c = 0; c < CLI_GRID_FIELDS; c++)
                FUZZ_CHECK(row[1 + c] == points[k][c]);
            FUZZ_CHECK(row[CLI_CK_T] == (spec.report ? (double)report[r] : points[k][CLI_GRID_STEPS]));
        }
    }
    /* written out and read back: the same points */
    size_t n, total = 0;
    char *text = cli_checkpoint_format_header(&spec, &n);
    FUZZ_CHECK(text != NULL);
    total = n;
    for (size_t k = 0; k < 3; k++) {
        if (done[k].values == NULL)
            continue;
        char *point = cli_checkpoint_format_point(k, &done[k], &n);
        FUZZ_CHECK(point != NULL);
        text = realloc(text, total + n + 1);
        FUZZ_CHECK(text != NULL);
        memcpy(text + total, point, n);
        total += n;
        free(point);
    }
    FUZZ_CHECK(parse_text(text, total, &spec, again, &keep, msg, sizeof msg) == CLI_OK);
    FUZZ_CHECK((size_t)keep == total);
    same_points(done, again, 3);
    cli_ck_points_free(again, 3);
    free(text);

    /* the file: open (which drops a crash's tail or writes the header),
     * close, and read back */
    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "%s/radvar-fuzz-ck-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        atexit(cleanup);
    }
    char path[96];
    snprintf(path, sizeof path, "%s/ck", dir);
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL && fwrite(data, 1, size, f) == size && fclose(f) == 0);
    cli_checkpoint *c;
    cli_ck_point opened[3] = {{0}};
    status = cli_checkpoint_open(path, &spec, opened, &c, msg, sizeof msg);
    if (status != CLI_OK)
        fprintf(stderr, "%s\n", msg);
    FUZZ_CHECK(status == CLI_OK);
    same_points(done, opened, 3);
    cli_checkpoint_close(c);
    cli_ck_points_free(opened, 3);
    f = fopen(path, "rb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(cli_checkpoint_parse(f, &spec, opened, &keep, msg, sizeof msg) == CLI_OK);
    fclose(f);
    same_points(done, opened, 3);
    cli_ck_points_free(opened, 3);
    cli_ck_points_free(done, 3);
    return 0;
}
