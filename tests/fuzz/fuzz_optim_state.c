/* fuzz_optim_state.c: the optimizer state loader (radvar_optim_load, in
 * src/optim.c), through a temp file.  The optimizer is built to match what
 * the input's header says (method, dtype, amsgrad, size up to 4096, lr,
 * betas, eps, weight decay), so that the fuzzer reaches the moments and
 * the checksum, not only the header checks.  Checks: a refused file leaves
 * the optimizer as it was (step 0, zero moments); an accepted one has the
 * step count of the file and survives a save and a load again. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <unistd.h>

#include "fuzz_util.h"
#include "radvar/optim.h"

static char dir[64];

static void cleanup(void)
{
    char path[96];
    snprintf(path, sizeof path, "%s/state", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/again", dir);
    unlink(path);
    rmdir(dir);
}

static uint64_t le(const uint8_t *p, int bytes)
{
    uint64_t x = 0;
    for (int k = 0; k < bytes; k++)
        x |= (uint64_t)p[k] << (8 * k);
    return x;
}

static double f64(const uint8_t *p)
{
    uint64_t u = le(p, 8);
    double x;
    memcpy(&x, &u, 8);
    return x;
}

/* An optimizer as the header at data describes it, or Adam with 1 float64. */
static radvar_optim *matching(const uint8_t *data, size_t size)
{
    radvar_optim_config cfg;
    radvar_optim *o = NULL;
    /* magic 10, version 4, method 4, dtype 4, flags 4, n 8, t 8, knobs 5 x 8 */
    if (size >= 82) {
        uint64_t method = le(data + 14, 4), dtype = le(data + 18, 4), flags = le(data + 22, 4),
                 n = le(data + 26, 8);
        if (method <= RADVAR_ADAM_EPS && dtype <= 1 && n >= 1 && n <= 4096
            && radvar_optim_defaults((radvar_method)method, &cfg) == RADVAR_SUCCESS) {
            cfg.lr = f64(data + 42);
            cfg.beta1 = f64(data + 50);
            cfg.beta2 = f64(data + 58);
            cfg.eps = f64(data + 66);
            cfg.weight_decay = f64(data + 74);
            cfg.amsgrad = (flags & 2u) != 0;
            if (radvar_optim_alloc(&cfg, (size_t)n, (radvar_dtype)dtype, &o) == RADVAR_SUCCESS)
                return o;
        }
    }
    radvar_optim_defaults(RADVAR_ADAM, &cfg);
    FUZZ_CHECK(radvar_optim_alloc(&cfg, 1, RADVAR_FLOAT64, &o) == RADVAR_SUCCESS);
    return o;
}

static int all_zero(const void *a, size_t bytes)
{
    const unsigned char *p = a;
    for (size_t i = 0; i < bytes; i++)
        if (p[i])
            return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "%s/radvar-fuzz-opt-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        atexit(cleanup);
    }
    char path[96], again[96];
    snprintf(path, sizeof path, "%s/state", dir);
    snprintf(again, sizeof again, "%s/again", dir);
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL && fwrite(data, 1, size, f) == size && fclose(f) == 0);
    radvar_optim *o = matching(data, size);
    size_t bytes = radvar_optim_size(o) * (radvar_optim_dtype(o) == RADVAR_FLOAT32 ? 4 : 8);
    int status = radvar_optim_load(o, path);
    if (status != RADVAR_SUCCESS) {
        FUZZ_CHECK(status == RADVAR_EFORMAT || status == RADVAR_EIO || status == RADVAR_ENOMEM);
        FUZZ_CHECK(radvar_optim_steps(o) == 0 && all_zero(radvar_optim_m(o), bytes));
        FUZZ_CHECK(radvar_optim_v(o) == NULL || all_zero(radvar_optim_v(o), bytes));
    } else {
        FUZZ_CHECK(size >= 82 && radvar_optim_steps(o) == le(data + 34, 8));
        FUZZ_CHECK(radvar_optim_save(o, again) == RADVAR_SUCCESS);
        radvar_optim *o2 = matching(data, size);
        FUZZ_CHECK(radvar_optim_load(o2, again) == RADVAR_SUCCESS);
        FUZZ_CHECK(radvar_optim_steps(o2) == radvar_optim_steps(o));
        FUZZ_CHECK(memcmp(radvar_optim_m(o2), radvar_optim_m(o), bytes) == 0);
        radvar_optim_free(o2);
    }
    radvar_optim_free(o);
    return 0;
}
