/* fuzz_grid.c: the grid reader of `radvar sweep` (cli/checkpoint.c).
 * Checks: an accepted grid has points, each valid (beta2 in [0, 1), sigma >
 * 0, steps a whole number in [1, 1e9], trials >= 2, seed >= 0, all finite);
 * a refused one is empty, with a one-line printable message. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>

#include "checkpoint.h"
#include "fuzz_util.h"
#include "parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    FILE *f = fuzz_stream(data, size);
    cli_sweep_grid g;
    char msg[CLI_MSG_LEN];
    int status = cli_sweep_grid_read(f, "grid.tsv", &g, msg, sizeof msg);
    fclose(f);
    if (status != CLI_OK) {
        FUZZ_CHECK(status == CLI_EINPUT);
        FUZZ_CHECK(g.n == 0 && g.points == NULL);
        fuzz_check_message(msg);
        return 0;
    }
    FUZZ_CHECK(g.n >= 1);
    for (size_t k = 0; k < g.n; k++) {
        const double *p = g.points[k];
        for (int c = 0; c < CLI_GRID_FIELDS; c++)
            FUZZ_CHECK(isfinite(p[c]));
        FUZZ_CHECK(p[CLI_GRID_BETA2] >= 0 && p[CLI_GRID_BETA2] < 1);
        FUZZ_CHECK(p[CLI_GRID_SIGMA] > 0);
        FUZZ_CHECK(p[CLI_GRID_STEPS] >= 1 && p[CLI_GRID_STEPS] <= 1e9
                   && p[CLI_GRID_STEPS] == floor(p[CLI_GRID_STEPS]));
        FUZZ_CHECK(p[CLI_GRID_TRIALS] >= 2 && p[CLI_GRID_TRIALS] == floor(p[CLI_GRID_TRIALS]));
        FUZZ_CHECK(p[CLI_GRID_SEED] >= 0 && p[CLI_GRID_SEED] == floor(p[CLI_GRID_SEED]));
        FUZZ_CHECK(p[CLI_GRID_SEED] == (double)g.seeds[k]); /* the exact seed, rounded */
    }
    cli_sweep_grid_free(&g);
    return 0;
}
