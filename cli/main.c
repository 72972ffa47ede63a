/* main.c: the radvar program: dispatch to subcommands. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli.h"
#include "parallel.h"
#include "radvar/common.h"

static const struct {
    const char *name;
    int (*run)(int, char **);
    const char *summary;
} commands[] = {
    {"theory", cmd_theory, "moments of psi under the scaled-inverse-chi2 model, per rho"},
    {"schedule", cmd_schedule, "rho_t, r_t, the exact rectification and warmups, per step t"},
    {"simulate", cmd_simulate, "Monte Carlo of psi_t (EMA or SMA) against the theory"},
    {"exact", cmd_exact, "exact moments of psi_t for the EMA (quadrature, no Monte Carlo)"},
    {"dof", cmd_dof, "degrees-of-freedom estimators of the EMA against its exact variance"},
    {"rectify", cmd_rectify, "how flat each rectification makes Var[r_t psi_t], exactly"},
    {"replay", cmd_replay, "run the reference optimizer on logged gradients, print the trajectory"},
    {"bench-step", cmd_bench_step, "time optimizer steps on synthetic gradients"},
    {"sweep", cmd_sweep, "simulations over a grid of (beta2, mu, sigma, ...), checkpointed"},
    {"train", cmd_train, "train a classifier on Fashion-MNIST with the reference optimizer"},
    {"gradients", cmd_gradients, "statistics and noise-model fits of a gradient log, Var[psi_t] they predict"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: radvar COMMAND [OPTIONS]   (radvar COMMAND --help for its options)\n"
               "       radvar --version | --help\n\ncommands:\n");
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        fprintf(f, "  %-10s %s\n", commands[k].name, commands[k].summary);
}

static int dispatch(int argc, char **argv);

/* Every byte written to standard output reached it: a full disk, a closed
 * descriptor or /dev/full is an error (exit 1), also for --help and
 * --version.  Write errors are sticky, so ferror covers every write. */
static int close_stdout(int status)
{
    errno = 0;
    int bad = fflush(stdout) != 0 || ferror(stdout);
    int e = errno;
    if (fclose(stdout) != 0 && !bad)
        bad = 1, e = errno;
    if (!bad)
        return status;
    fprintf(stderr, "radvar: writing standard output failed: %s\n", strerror(e ? e : EIO));
    return status ? status : 1;
}

/* OpenBLAS (linked for train) starts one worker per core when it loads, and
 * under an address-space limit (ulimit -v) the workers cannot get their
 * buffers and the program never exits.  With a finite limit and no thread
 * count set by the user, run again with one BLAS thread: train uses one
 * anyway (experiments run one BLAS thread per run).  The re-execution happens
 * once: the second image finds the variable set. */
static void one_blas_thread_under_memory_limit(char **argv)
{
    struct rlimit lim;
    if (getenv("OPENBLAS_NUM_THREADS") != NULL || getrlimit(RLIMIT_AS, &lim) != 0
        || lim.rlim_cur == RLIM_INFINITY)
        return;
    if (setenv("OPENBLAS_NUM_THREADS", "1", 1) == 0)
        execv("/proc/self/exe", argv); /* returns only on failure: go on */
}

/* A 64 KiB buffer for standard output when it is not a terminal: faster
 * tables, and a write error (a full disk) surfaces at the final flush with
 * its errno for anything up to that size (every --help), rather than inside
 * an earlier fputs whose errno is lost. */
static char stdout_buffer[1 << 16];

int main(int argc, char **argv)
{
    one_blas_thread_under_memory_limit(argv);
    if (!isatty(STDOUT_FILENO))
        setvbuf(stdout, stdout_buffer, _IOFBF, sizeof stdout_buffer);
    radvar_init();
    cli_parallel_init(&argc, &argv);
    cli_set_quiet(cli_rank() != 0);
    int status = dispatch(argc, argv);
    cli_parallel_finalize();
    return close_stdout(status);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("radvar %s\n", RADVAR_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(stdout);
        return 0;
    }
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        if (strcmp(argv[1], commands[k].name) == 0) {
            cli_set_command(commands[k].name);
            return commands[k].run(argc, argv);
        }
    fprintf(stderr, "radvar: unknown command '%s' (valid: ", argv[1]);
    for (size_t k = 0; k < sizeof commands / sizeof *commands; k++)
        fprintf(stderr, "%s%s", k ? ", " : "", commands[k].name);
    fprintf(stderr, ")\n");
    return CLI_EXIT_USAGE;
}
