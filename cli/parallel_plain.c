/* parallel_plain.c: one process; threads come from the engine itself. */
#include "parallel.h"

void cli_parallel_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}

void cli_parallel_finalize(void)
{
}

int cli_rank(void)
{
    return 0;
}

int cli_ranks(void)
{
    return 1;
}

int cli_run_simulation(radvar_sim *s, size_t n_report, size_t n_ks,
                       volatile sig_atomic_t *stop, void (*progress)(void *), void *arg)
{
    (void)n_report;
    (void)n_ks;
    int status = RADVAR_CONTINUE;
    while (!*stop && (status = radvar_sim_iterate(s)) == RADVAR_CONTINUE)
        if (progress)
            progress(arg);
    return status;
}

void cli_broadcast(void *data, size_t bytes)
{
    (void)data;
    (void)bytes;
}
