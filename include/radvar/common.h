/* radvar/common.h: status codes and the value-with-error result shared by
 * every radvar module.
 *
 * Conventions (after GSL's special functions):
 *  - a function named radvar_X_e(..., radvar_result *r) returns a status and
 *    fills r->val and r->err (an estimate of the absolute error of val);
 *  - the plain form radvar_X(...) returns the value only;
 *  - outside the documented domain the value is NaN and the status is
 *    RADVAR_EDOM; NaN inputs give NaN and RADVAR_EDOM.
 * radvar never aborts and never prints.  The first time it calls GSL it turns
 * GSL's abort-on-error handler off (gsl_set_error_handler_off) and checks every
 * status instead; a program that wants GSL's handler back may set it after.
 */
#ifndef RADVAR_COMMON_H
#define RADVAR_COMMON_H

#define RADVAR_VERSION "0.1.0"

enum radvar_status {
    RADVAR_CONTINUE = -2, /* an iterate call has more to do (GSL_CONTINUE) */
    RADVAR_SUCCESS = 0,
    RADVAR_EDOM = 1,      /* argument outside the function's domain */
    RADVAR_EMAXITER = 2,  /* an iteration hit its cap before converging */
    RADVAR_EINVAL = 3,    /* invalid parameter (object creation, options) */
    RADVAR_ENOMEM = 4,    /* allocation failed */
    RADVAR_EIO = 5,       /* file could not be read or written */
    RADVAR_EFORMAT = 6,   /* file is truncated, foreign or corrupt */
    RADVAR_EINTR = 7,     /* stopped on request before completion */
    RADVAR_ENONFINITE = 8 /* a NaN or infinite input value was met */
};

typedef struct {
    double val;
    double err;
} radvar_result;

/* A short English description of a status code. */
const char *radvar_strerror(int status);

#include <stddef.h>
#include <stdint.h>

/* FNV-1a, 64 bits: h = radvar_fnv1a(h, data, len), starting from
 * RADVAR_FNV1A_INIT; the checksum of saved optimizer states and the identity
 * of sweep grids. */
#define RADVAR_FNV1A_INIT 14695981039346656037ULL
uint64_t radvar_fnv1a(uint64_t h, const void *data, size_t len);

#endif
