/* parse.h: the non-exiting core of the radvar program's value parsers.
 *
 * Every function returns a status and, on an error, writes one line (without
 * the "radvar CMD: " prefix and without a newline) into msg[0..len).  The
 * statuses are the program's exit statuses, so that a caller that stops can
 * pass them on: CLI_OK, CLI_EINPUT (the input is wrong: exit 2) and CLI_ESYS
 * (out of memory, a read or write error: exit 1).  Nothing here prints,
 * exits or keeps state, so the fuzz harnesses in tests/fuzz/ call these
 * functions directly; args.c's cli_* functions wrap them and exit.
 *
 * Every loop is bounded by the length of its text.
 */
#ifndef RADVAR_CLI_PARSE_H
#define RADVAR_CLI_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "cli.h"

#define CLI_OK 0
#define CLI_ESYS 1
#define CLI_EINPUT 2
/* A message buffer of this size holds every message but the quoted text of
 * an unusually long argument (which is cut short). */
#define CLI_MSG_LEN 1024

/* A finite double (strtod's syntax, the whole text). */
int cli_parse_double(const char *opt, const char *text, double *x, char *msg, size_t len);
/* x in the interval (lo or [lo, hi] or hi); text is what the user wrote. */
int cli_parse_range(const char *opt, const char *text, double x, double lo, int lo_open,
                    double hi, int hi_open, char *msg, size_t len);
/* A finite x >= 0; a finite x in [0, 1). */
int cli_parse_nonnegative(const char *opt, const char *text, double *x, char *msg, size_t len);
int cli_parse_unit_interval(const char *opt, const char *text, double *x, char *msg, size_t len);
/* A whole number in [lo, hi] (decimal, exponent form allowed). */
int cli_parse_integer(const char *opt, const char *text, double lo, double hi, double *x,
                      char *msg, size_t len);
/* A seed: decimal digits only, 0 .. 2^64 - 1. */
int cli_parse_seed(const char *opt, const char *text, uint64_t *x, char *msg, size_t len);

/* Grids (cli.h's cli_grid; *g is zeroed on error, cli_grid_free otherwise).
 * real: a list A,B,... or a range A:B:N, every value > min_open (else the
 * message "OPT: X is out of range: VALID"), log-spaced with log_spaced.
 * step: a list of whole numbers >= 1, or a range A:B[:STEP].
 * step_log: a range A:B with `points` distinct whole numbers, log-spaced. */
int cli_parse_real_grid(const char *opt, const char *text, int log_spaced, double min_open,
                        const char *valid, cli_grid *g, char *msg, size_t len);
int cli_parse_step_grid(const char *opt, const char *text, cli_grid *g, char *msg, size_t len);
int cli_parse_step_grid_log(const char *opt, const char *text, size_t points, cli_grid *g,
                            char *msg, size_t len);

/* Write text into out[0..len) for a message: printable ASCII as is, every
 * other byte as \xNN, cut to at most max_chars input bytes with "..."
 * after (and to what fits out).  Returns out.  Every message of these
 * parsers goes through it, so a message is always one printable line. */
char *cli_escape(const void *text, size_t text_len, size_t max_chars, char *out, size_t len);

#endif
