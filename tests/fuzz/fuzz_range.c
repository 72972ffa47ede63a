/* fuzz_range.c: the list and range parsers of cli/parse.c (real grids,
 * linear or log-spaced; step grids; log-spaced step grids).  The first byte
 * picks the parser (and --points), the rest is the text.  Checks: an
 * accepted grid has 1 to 1e8 values, each finite and valid (> the lower
 * bound, whole steps), ranges increase from A to B; a refused one leaves an
 * empty grid and a message. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>

#include "fuzz_util.h"
#include "parse.h"

static void check_grid(const cli_grid *g, int kind, double min_open)
{
    FUZZ_CHECK(g->n >= 1 && g->n <= 100000000);
    size_t probe[6] = {0, 1, 2, g->n / 2, g->n - 2, g->n - 1};
    double prev = -INFINITY;
    size_t last = 0;
    for (int i = 0; i < 6; i++) {
        if (probe[i] >= g->n || (i > 0 && probe[i] <= last))
            continue;
        last = probe[i];
        double x = cli_grid_at(g, probe[i]);
        FUZZ_CHECK(isfinite(x));
        if (kind <= 1)
            FUZZ_CHECK(x > min_open);
        else
            FUZZ_CHECK(x >= 1 && x == floor(x) && x <= 9007199254740992.0);
        if (g->list == NULL || kind == 3)
            FUZZ_CHECK(x >= prev);
        if (kind == 3)
            FUZZ_CHECK(x > prev);
        prev = x;
    }
    if (g->list == NULL && kind <= 1) {
        FUZZ_CHECK(cli_grid_at(g, 0) == g->a);
        FUZZ_CHECK(cli_grid_at(g, g->n - 1) == (g->n == 1 ? g->a : g->b));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    char *text = fuzz_string(data + 1, size - 1), msg[CLI_MSG_LEN];
    int kind = data[0] % 4, status;
    size_t points = (size_t)(data[0] / 4) + 1;
    double min_open = 2.0;
    cli_grid g;
    switch (kind) {
    case 0:
        status = cli_parse_real_grid("--rho", text, 0, min_open, "must be > 2", &g, msg, sizeof msg);
        break;
    case 1:
        status = cli_parse_real_grid("--rho", text, 1, min_open, "must be > 2", &g, msg, sizeof msg);
        break;
    case 2:
        status = cli_parse_step_grid("--t", text, &g, msg, sizeof msg);
        break;
    default:
        status = cli_parse_step_grid_log("--t", text, points, &g, msg, sizeof msg);
        if (status == CLI_OK)
            FUZZ_CHECK(g.n == points);
        break;
    }
    if (status == CLI_OK) {
        check_grid(&g, kind, min_open);
        cli_grid_free(&g);
    } else {
        FUZZ_CHECK(status == CLI_EINPUT || status == CLI_ESYS);
        FUZZ_CHECK(g.n == 0 && g.list == NULL);
        FUZZ_CHECK(strchr(msg, '\n') == NULL && msg[0] != '\0');
    }
    free(text);
    return 0;
}
