/* common.c: version, status messages, GSL's handler and the choice of the
 * instruction-set path (radvar/common.h). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "dispatch.h"
#include "radvar/common.h"

const char *radvar_version(void)
{
    return RADVAR_VERSION;
}

const char *radvar_strerror(int status)
{
    switch (status) {
    case RADVAR_CONTINUE: return "not finished";
    case RADVAR_SUCCESS: return "success";
    case RADVAR_EDOM: return "argument outside the domain";
    case RADVAR_EMAXITER: return "did not converge within the iteration limit";
    case RADVAR_EINVAL: return "invalid parameter";
    case RADVAR_ENOMEM: return "out of memory";
    case RADVAR_EIO: return "input/output error";
    case RADVAR_EFORMAT: return "file truncated, foreign or corrupt";
    case RADVAR_EINTR: return "interrupted";
    case RADVAR_ENONFINITE: return "non-finite value";
    default: return "unknown status";
    }
}

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void init_gsl_handler(void)
{
    /* gsl_set_error_handler returns the handler it replaces: put back one
     * that the program installed itself (NULL is GSL's default, abort). */
    gsl_error_handler_t *previous = gsl_set_error_handler_off();
    if (previous != NULL)
        gsl_set_error_handler(previous);
}

int radvar_init(void)
{
    pthread_once(&init_once, init_gsl_handler);
    return RADVAR_SUCCESS;
}

/* ---- instruction-set dispatch ---- */

static pthread_once_t dispatch_once = PTHREAD_ONCE_INIT;
static int use_avx2 = 0;

static void choose_path(void)
{
    const char *forced = getenv("RADVAR_DISPATCH");
    if (forced != NULL && strcmp(forced, "portable") == 0)
        return;
#if defined(__x86_64__) && defined(__GNUC__)
    __builtin_cpu_init();
    use_avx2 = __builtin_cpu_supports("avx2");
#endif
}

int radvar_dispatch_avx2(void)
{
    pthread_once(&dispatch_once, choose_path);
    return use_avx2;
}

const char *radvar_dispatch_name(void)
{
    return radvar_dispatch_avx2() ? "avx2" : "portable";
}
