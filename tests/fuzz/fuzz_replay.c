/* fuzz_replay.c: the input reader of `radvar replay` (cli/replay_reader.c),
 * for both dtypes, with the rows fed to an Adam optimizer as the program
 * does.  Checks: every message is one printable line; a row is never empty;
 * the initial row is finite in the dtype; every row has its width; no
 * float32 row holds a finite value beyond the float32 range. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>

#include "fuzz_util.h"
#include "parse.h"
#include "radvar/optim.h"
#include "replay_reader.h"

static void run(const uint8_t *data, size_t size, radvar_dtype dtype)
{
    FILE *in = fuzz_stream(data, size);
    cli_replay_reader *r = cli_replay_reader_new(in, dtype);
    FUZZ_CHECK(r != NULL);
    const double *vals;
    size_t n, lineno, width = 0, last_line = 0;
    char msg[CLI_MSG_LEN];
    int status;
    radvar_optim *opt = NULL;
    void *params = NULL, *grads = NULL;
    size_t es = dtype == RADVAR_FLOAT32 ? sizeof(float) : sizeof(double);
    while ((status = cli_replay_reader_next(r, &vals, &n, &lineno, msg, sizeof msg)) == CLI_OK) {
        FUZZ_CHECK(n >= 1 && vals != NULL && lineno > last_line);
        last_line = lineno;
        for (size_t i = 0; i < n; i++)
            if (dtype == RADVAR_FLOAT32 && isfinite(vals[i]))
                FUZZ_CHECK(isfinite((float)vals[i]));
        if (width == 0) {
            for (size_t i = 0; i < n; i++)
                FUZZ_CHECK(isfinite(vals[i]));
            width = n;
            radvar_optim_config cfg;
            radvar_optim_defaults(RADVAR_ADAM, &cfg);
            FUZZ_CHECK(radvar_optim_alloc(&cfg, n, dtype, &opt) == RADVAR_SUCCESS);
            params = malloc(n * es);
            grads = malloc(n * es);
            FUZZ_CHECK(params && grads);
            for (size_t i = 0; i < n; i++)
                if (dtype == RADVAR_FLOAT32)
                    ((float *)params)[i] = (float)vals[i];
                else
                    ((double *)params)[i] = vals[i];
            continue;
        }
        FUZZ_CHECK(n == width);
        for (size_t i = 0; i < n; i++)
            if (dtype == RADVAR_FLOAT32)
                ((float *)grads)[i] = (float)vals[i];
            else
                ((double *)grads)[i] = vals[i];
        int s = dtype == RADVAR_FLOAT32 ? radvar_optim_step_f32(opt, params, grads)
                                        : radvar_optim_step_f64(opt, params, grads);
        FUZZ_CHECK(s == RADVAR_SUCCESS || s == RADVAR_ENONFINITE);
    }
    if (status == CLI_REPLAY_END)
        FUZZ_CHECK(width > 0);
    else
        fuzz_check_message(msg);
    radvar_optim_free(opt);
    free(params);
    free(grads);
    cli_replay_reader_free(r);
    fclose(in);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    run(data, size, RADVAR_FLOAT64);
    run(data, size, RADVAR_FLOAT32);
    return 0;
}
