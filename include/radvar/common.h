/* radvar/common.h: version, status codes and the value-with-error result
 * shared by every radvar module.
 *
 * Conventions (after GSL's special functions):
 *  - a function named radvar_X_e(..., radvar_result *r) returns a status and
 *    fills r->val and r->err (an estimate of the absolute error of val);
 *  - the plain form radvar_X(...) returns the value only;
 *  - outside the documented domain the value is NaN and the status is
 *    RADVAR_EDOM (mathematical domain) or RADVAR_EINVAL (a bad parameter,
 *    index or object); NaN inputs give NaN.  A value is never returned
 *    together with an error status, except RADVAR_EMAXITER, where the header
 *    says what the value is (the best found, with its error estimate).
 * radvar never aborts and never prints.  Several modules call GSL, whose
 * default error handler aborts: call radvar_init() once at start-up (it turns
 * that handler off, see below) unless the program manages GSL's handler
 * itself.  radvar checks the status of every GSL call either way.
 *
 * Thread safety: every function may be called from several threads at once,
 * except where a header says that a handle (an object made by an _alloc
 * function) must not be shared between threads.
 */
#ifndef RADVAR_COMMON_H
#define RADVAR_COMMON_H

#ifdef __cplusplus
#define RADVAR_BEGIN_DECLS extern "C" {
#define RADVAR_END_DECLS }
#else
#define RADVAR_BEGIN_DECLS
#define RADVAR_END_DECLS
#endif

/* The library is built with -fvisibility=hidden; the documented API carries
 * this mark and is all that the shared library exports. */
#if defined(__GNUC__)
#define RADVAR_API __attribute__((visibility("default")))
#else
#define RADVAR_API
#endif

#define RADVAR_VERSION_MAJOR 0
#define RADVAR_VERSION_MINOR 3
#define RADVAR_VERSION_PATCH 0
#define RADVAR_VERSION "0.3.0"

RADVAR_BEGIN_DECLS

enum radvar_status {
    RADVAR_CONTINUE = -2, /* an iterate call has more to do (GSL_CONTINUE) */
    RADVAR_SUCCESS = 0,
    RADVAR_EDOM = 1,      /* argument outside the function's mathematical domain */
    RADVAR_EMAXITER = 2,  /* a solver or quadrature did not converge within its cap */
    RADVAR_EINVAL = 3,    /* invalid parameter, index or configuration */
    RADVAR_ENOMEM = 4,    /* allocation failed, or would exceed a stated limit */
    RADVAR_EIO = 5,       /* file could not be read or written */
    RADVAR_EFORMAT = 6,   /* file is truncated, foreign or corrupt */
    RADVAR_EINTR = 7,     /* stopped on request before completion */
    RADVAR_ENONFINITE = 8 /* a NaN or infinite input value was met */
};

typedef struct {
    double val;
    double err;
} radvar_result;

/* The version of the library that is running ("0.3.0"); compare with
 * RADVAR_VERSION, the version of the headers a program was built with. */
RADVAR_API const char *radvar_version(void);

/* A short English description of a status code. */
RADVAR_API const char *radvar_strerror(int status);

/* Turn GSL's abort-on-error handler off (gsl_set_error_handler_off), once,
 * thread-safely, unless the program has installed a handler of its own, which
 * is then kept (and called on GSL errors inside radvar).  Returns
 * RADVAR_SUCCESS.  Without it, a GSL error inside radvar reaches GSL's
 * default handler, which aborts. */
RADVAR_API int radvar_init(void);

/* The instruction-set path the vectorised loops run on: "avx2" or
 * "portable".  It is chosen once, from the processor, unless the environment
 * variable RADVAR_DISPATCH=portable forces the portable path.  Every path
 * computes the same bits. */
RADVAR_API const char *radvar_dispatch_name(void);

RADVAR_END_DECLS

#endif
