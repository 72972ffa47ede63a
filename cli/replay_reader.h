/* replay_reader.h: the input of `radvar replay`, read without exiting.
 *
 * The text: '#' lines and blank lines are skipped anywhere.  The first other
 * line may be a header: a line of column names only (a name starts with an
 * ASCII letter or '_' and holds letters, digits and "_.-[]()"; it is not a
 * number such as "nan" or "inf").  The next line is the initial parameter
 * row, then one gradient row per step, each with as many values as the
 * initial row.  Values are separated by tabs, spaces or commas (one comma,
 * with spaces around it if wished: two commas with nothing between is an
 * empty field, an error), and each is a whole strtod number.  The initial
 * parameters must be finite in the dtype the optimizer runs in (1e39 is
 * not a float32); a gradient must fit the dtype (a float32 gradient beyond
 * FLT_MAX is refused here; NaN and inf are passed on, for the optimizer to
 * refuse).  A byte-order mark, a NUL byte, a control or non-ASCII byte in a
 * value, a second header, a header whose column count differs from the
 * initial row's: each is an error naming the line and quoting the token
 * (non-printable bytes escaped as \xNN).
 *
 * Bounds: one pass over the input; memory grows with the longest line.
 */
#ifndef RADVAR_CLI_REPLAY_READER_H
#define RADVAR_CLI_REPLAY_READER_H

#include <stddef.h>
#include <stdio.h>

#include "radvar/optim.h"

typedef struct cli_replay_reader cli_replay_reader;

/* A reader of `in` for an optimizer of dtype; NULL when out of memory. */
cli_replay_reader *cli_replay_reader_new(FILE *in, radvar_dtype dtype);
void cli_replay_reader_free(cli_replay_reader *r);

#define CLI_REPLAY_END (-1)
/* The next row: the initial parameters first, then one gradient row a call.
 * Returns CLI_OK with *values (n of them; valid until the next call) and
 * *lineno; CLI_REPLAY_END at the end of the input (after at least the
 * initial row: no initial row is an error); or CLI_EINPUT / CLI_ESYS with a
 * one-line message in msg ("line N: ..."). */
int cli_replay_reader_next(cli_replay_reader *r, const double **values, size_t *n,
                           size_t *lineno, char *msg, size_t len);

#endif
