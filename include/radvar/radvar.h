/* radvar/radvar.h: the whole radvar API in one include.
 *
 *   #include <radvar/radvar.h>
 *   cc prog.c $(pkg-config --cflags --libs radvar)
 *
 * Call radvar_init() once at start-up (see radvar/common.h). */
#ifndef RADVAR_RADVAR_H
#define RADVAR_RADVAR_H

#include "radvar/common.h"
#include "radvar/dof.h"
#include "radvar/exact.h"
#include "radvar/optim.h"
#include "radvar/rectify.h"
#include "radvar/rng.h"
#include "radvar/schedule.h"
#include "radvar/sim.h"
#include "radvar/stats.h"
#include "radvar/theory.h"

#endif
