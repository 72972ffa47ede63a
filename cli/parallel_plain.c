/* parallel_plain.c: one process; threads come from the engine itself.
 *
 * The superchunks run one at a time in a worker thread (radvar_sim_run_super,
 * the engine's own threads inside) and are merged here, in order, by the
 * calling thread -- the same calls, in the same order, as radvar_sim_iterate,
 * so the numbers are the same.  Meanwhile the calling thread does the idle
 * work it is given (the exact variances of simulate's rows), shows progress
 * and watches *stop: when it is set, it returns at once with the superchunks
 * merged so far (RADVAR_EINTR), leaving the worker to be ended with the
 * process.  Idle work left when the trials are done is the caller's.  A stop
 * takes effect within about 20 ms (plus one idle call) however long a
 * superchunk runs.  The worker signals the end of its superchunk, so the
 * calling thread merges it at once: a superchunk of a fast run lasts tens of
 * milliseconds, and a polling delay would idle the engine's threads. */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "cli.h"
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

struct worker {
    radvar_sim *s;
    uint64_t super;
    radvar_stats_moments *part;
    atomic_int done;
    pthread_mutex_t lock; /* with ended: the calling thread waits on it */
    pthread_cond_t ended;
};

static void *run_worker(void *arg)
{
    struct worker *w = arg;
    radvar_sim_run_super(w->s, w->super, w->part);
    pthread_mutex_lock(&w->lock);
    atomic_store(&w->done, 1);
    pthread_cond_signal(&w->ended);
    pthread_mutex_unlock(&w->lock);
    return NULL;
}

/* Wait up to 20 ms for the worker's superchunk to end. */
static void wait_worker(struct worker *w)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += 20000000;
    if (until.tv_nsec >= 1000000000) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&w->lock);
    if (!atomic_load(&w->done))
        pthread_cond_timedwait(&w->ended, &w->lock, &until);
    pthread_mutex_unlock(&w->lock);
}

int cli_run_simulation_idle(radvar_sim *s, size_t n_report, size_t n_ks, volatile sig_atomic_t *stop,
                            void (*progress)(void *), void *arg, int (*idle)(void *), void *idle_arg)
{
    (void)n_ks;
    uint64_t supers = radvar_sim_supers(s);
    /* the worker's state outlives an abandoned run: it is not freed then */
    struct worker *w = calloc(1, sizeof *w);
    radvar_stats_moments *part = malloc((n_report ? n_report : 1) * sizeof *part);
    if (w == NULL || part == NULL)
        cli_fail_status(1, "out of memory");
    int idle_left = idle != NULL;
    pthread_mutex_init(&w->lock, NULL);
    pthread_cond_init(&w->ended, NULL);
    for (uint64_t k = 0; k < supers; k++) {
        if (*stop)
            break;
        w->s = s;
        w->super = k;
        w->part = part;
        atomic_init(&w->done, 0);
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old); /* signals go to this thread */
        pthread_t th;
        int failed = pthread_create(&th, NULL, run_worker, w);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (failed) { /* no thread: run it here */
            run_worker(w);
        }
        while (!atomic_load(&w->done)) {
            if (*stop) {
                pthread_detach(th);
                return RADVAR_EINTR;
            }
            if (idle_left)
                idle_left = idle(idle_arg);
            else
                wait_worker(w);
            if (progress)
                progress(arg);
        }
        if (!failed)
            pthread_join(th, NULL);
        radvar_sim_merge_super(s, k, part, NULL);
        if (progress)
            progress(arg);
    }
    free(part);
    pthread_cond_destroy(&w->ended);
    pthread_mutex_destroy(&w->lock);
    free(w);
    return *stop && radvar_sim_trials_done(s) < radvar_sim_trials_total(s) ? RADVAR_CONTINUE
                                                                           : RADVAR_SUCCESS;
}

int cli_run_simulation(radvar_sim *s, size_t n_report, size_t n_ks,
                       volatile sig_atomic_t *stop, void (*progress)(void *), void *arg)
{
    return cli_run_simulation_idle(s, n_report, n_ks, stop, progress, arg, NULL, NULL);
}

void cli_broadcast(void *data, size_t bytes)
{
    (void)data;
    (void)bytes;
}
