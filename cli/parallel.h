/* parallel.h: how the radvar program runs a simulation -- in one process
 * (parallel_plain.c) or over MPI ranks (parallel_mpi.c, bin/radvar-mpi). */
#ifndef RADVAR_CLI_PARALLEL_H
#define RADVAR_CLI_PARALLEL_H

#include <signal.h>
#include <stddef.h>

#include "radvar/sim.h"

void cli_parallel_init(int *argc, char ***argv);
void cli_parallel_finalize(void);
int cli_rank(void);  /* 0 in the plain build */
int cli_ranks(void); /* 1 in the plain build */

/* Run s to the end (or until *stop): superchunks in order, merged into the
 * totals on rank 0 (with the KS samples of every trial).  Returns the status
 * of the last iterate (RADVAR_SUCCESS, or RADVAR_CONTINUE when stopped). */
int cli_run_simulation(radvar_sim *s, size_t n_report, size_t n_ks,
                       volatile sig_atomic_t *stop, void (*progress)(void *), void *arg);

/* The same, calling idle(idle_arg) while the superchunks run (plain build:
 * until they are done or it returns 0, so some may be left; MPI rank 0:
 * after them, until it returns 0): work that does not need the results, in
 * slices short enough to keep *stop responsive.  In the plain build a
 * stop returns within about 20 ms and RADVAR_EINTR when a superchunk was
 * still running: its worker thread still uses s, so s must not be freed
 * (the process should write what it has and end). */
int cli_run_simulation_idle(radvar_sim *s, size_t n_report, size_t n_ks, volatile sig_atomic_t *stop,
                            void (*progress)(void *), void *arg, int (*idle)(void *), void *idle_arg);

/* Make rank 0's bytes everyone's (no-op in the plain build). */
void cli_broadcast(void *data, size_t bytes);

#endif
