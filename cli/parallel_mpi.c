/* parallel_mpi.c: the simulation over MPI ranks (bin/radvar-mpi).
 *
 * Superchunk k belongs to rank k mod P.  Every rank computes its superchunks
 * in increasing k with its own threads and sends each one's moments (and
 * psi^2 samples, for the KS test) to rank 0; rank 0 computes its own and
 * receives the others in the order k = 0, 1, ..., merging each as it comes
 * (MPI keeps the order of messages from one rank).  The merge order is the
 * engine's own, so the output is byte-identical to the one-process run for
 * any number of ranks and threads. */
#include <mpi.h>
#include <stdlib.h>

#include "cli.h"
#include "parallel.h"

enum { TAG_MOMENTS = 1, TAG_KS = 2 };

void cli_parallel_init(int *argc, char ***argv)
{
    MPI_Init(argc, argv);
}

void cli_parallel_finalize(void)
{
    MPI_Finalize();
}

int cli_rank(void)
{
    int rank;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

int cli_ranks(void)
{
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

void cli_broadcast(void *data, size_t bytes)
{
    MPI_Bcast(data, (int)bytes, MPI_BYTE, 0, MPI_COMM_WORLD);
}

int cli_run_simulation(radvar_sim *s, size_t n_report, size_t n_ks,
                       volatile sig_atomic_t *stop, void (*progress)(void *), void *arg)
{
    return cli_run_simulation_idle(s, n_report, n_ks, stop, progress, arg, NULL, NULL);
}

int cli_run_simulation_idle(radvar_sim *s, size_t n_report, size_t n_ks, volatile sig_atomic_t *stop,
                            void (*progress)(void *), void *arg, int (*idle)(void *), void *idle_arg)
{
    (void)stop; /* mpirun forwards Ctrl-C by ending the job: sweeps checkpoint */
    int rank = cli_rank(), ranks = cli_ranks();
    uint64_t supers = radvar_sim_supers(s);
    radvar_stats_moments *part = malloc(n_report * sizeof *part);
    /* rank 0 receives other ranks' psi^2 samples here, one superchunk at a time */
    double **ks_part = calloc(n_ks ? n_ks : 1, sizeof *ks_part);
    uint64_t per = 0, first0;
    for (uint64_t k = 0; k < supers; k++) {
        uint64_t n = radvar_sim_super_trials(s, k, &first0);
        per = n > per ? n : per;
    }
    int ok = part != NULL && ks_part != NULL;
    for (size_t j = 0; ok && j < n_ks; j++)
        ok = (ks_part[j] = malloc((per ? per : 1) * sizeof **ks_part)) != NULL;
    if (!ok)
        cli_fail_status(1, "out of memory");
    int count = (int)(n_report * sizeof *part / sizeof(double));
    for (uint64_t k = 0; k < supers; k++) {
        int owner = (int)(k % (uint64_t)ranks);
        uint64_t first, n = radvar_sim_super_trials(s, k, &first);
        if (owner == rank) {
            radvar_sim_run_super(s, k, part);
            if (rank != 0) {
                MPI_Send(part, count, MPI_DOUBLE, 0, TAG_MOMENTS, MPI_COMM_WORLD);
                for (size_t j = 0; j < n_ks; j++)
                    MPI_Send(radvar_sim_ks_sample(s, j) + first, (int)n, MPI_DOUBLE, 0,
                             TAG_KS, MPI_COMM_WORLD);
            }
        } else if (rank == 0) {
            MPI_Recv(part, count, MPI_DOUBLE, owner, TAG_MOMENTS, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
            for (size_t j = 0; j < n_ks; j++)
                MPI_Recv(ks_part[j], (int)n, MPI_DOUBLE, owner, TAG_KS, MPI_COMM_WORLD,
                         MPI_STATUS_IGNORE);
        }
        if (rank == 0) {
            radvar_sim_merge_super(s, k, part, owner == 0 ? NULL : (const double *const *)ks_part);
            if (progress)
                progress(arg);
        }
    }
    for (size_t j = 0; j < n_ks; j++)
        free(ks_part[j]);
    free(ks_part);
    free(part);
    if (rank == 0 && idle != NULL)
        while (idle(idle_arg))
            ;
    return RADVAR_SUCCESS;
}
