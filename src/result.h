/* result.h: the error conventions of radvar/common.h as macros; private. */
#ifndef RADVAR_SRC_RESULT_H
#define RADVAR_SRC_RESULT_H

#include <math.h>

#include "radvar/common.h"

/* Set r to NaN and return RADVAR_EDOM (GSL's DOMAIN_ERROR). */
#define RADVAR_DOMAIN_ERROR(r)                                                 \
    do {                                                                       \
        (r)->val = NAN;                                                        \
        (r)->err = NAN;                                                        \
        return RADVAR_EDOM;                                                    \
    } while (0)

/* The body of a plain form: call the _e form on `result` and return its
 * value (GSL's EVAL_RESULT; the status is carried by the NaN). */
#define RADVAR_EVAL_RESULT(call)                                               \
    radvar_result result;                                                      \
    (void)(call);                                                              \
    return result.val

#endif
