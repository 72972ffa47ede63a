/* radvar/radvar.h: the whole radvar API in one include.
 *
 *   #include <radvar/radvar.h>
 *   cc prog.c $(pkg-config --cflags --libs radvar)
 *
 * Call radvar_init() once at start-up (see radvar/common.h).  Each header
 * says whether its handles may be shared between threads (radvar/sim.h and
 * radvar/optim.h have handles; the other modules have none). */
#ifndef RADVAR_RADVAR_H
#define RADVAR_RADVAR_H

#include "radvar/common.h"
#include "radvar/dof.h"
#include "radvar/exact.h"
#include "radvar/gradstats.h"
#include "radvar/noise.h"
#include "radvar/optim.h"
#include "radvar/rectify.h"
#include "radvar/rng.h"
#include "radvar/schedule.h"
#include "radvar/sim.h"
#include "radvar/stats.h"
#include "radvar/theory.h"

#endif
