/* checkpoint.h: the grid file and the checkpoint of `radvar sweep`, read and
 * written without exiting (statuses and messages as in parse.h).
 *
 * The grid: '#' lines and blank lines anywhere; the first other line is the
 * header, a line of column names (tabs, commas or spaces) that holds beta2
 * mu sigma steps trials seed in any order, and optionally noise (other
 * columns are ignored); then one point a line, every field present and every
 * needed field a valid value (noise: a SPEC such as student:nu=5 or
 * mixture:p=0.1;k=3, parameters separated by ';').
 *
 * The checkpoint (format 2), written by one process at a time (flock):
 *   # radvar sweep checkpoint, format 2
 *   # grid: ID, P points, R rows a point, F fields a row
 *   K<TAB>beta2<TAB>...<TAB>last simulate column<TAB>CRC      (R rows of point K)
 *   #done K R CRC
 * ID (8 hex digits) is the CRC-32 of everything that decides the rows: the
 * grid's values, the reported steps, the options and the column names.
 * Each CRC is the CRC-32 (zlib) of the line's text before its last
 * separator, as 8 lowercase hex digits.  Reading refuses, with the line
 * number, anything that is not exactly what was written: a checksum that
 * does not match, a field that does not parse, a point index out of range,
 * values of another grid point, a step that is not the reported one, rows
 * missing or repeated, a point done twice, an unknown line, a NUL byte.
 * Only the tail a crash can leave is dropped: a last line without its
 * newline, and the rows of a last point without its "#done" line.
 *
 * Bounds: one pass over the file; lines longer than CLI_CK_MAX_LINE bytes
 * are refused; memory is that of the points read.
 */
#ifndef RADVAR_CLI_CHECKPOINT_H
#define RADVAR_CLI_CHECKPOINT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"

enum {
    CLI_GRID_BETA2,
    CLI_GRID_MU,
    CLI_GRID_SIGMA,
    CLI_GRID_STEPS,
    CLI_GRID_TRIALS,
    CLI_GRID_SEED,
    CLI_GRID_FIELDS
};
extern const char *const cli_grid_field_names[CLI_GRID_FIELDS];

typedef struct {
    size_t n;
    double (*points)[CLI_GRID_FIELDS]; /* the seed as a double (rounded
                            above 2^53): what the checkpoint rows hold */
    uint64_t *seeds;     /* per point, the seed exactly (cli_parse_seed's rules,
                            as --seed: decimal digits, 0 .. 2^64 - 1) */
    radvar_noise *noise; /* per point, from the optional column "noise" (a
                            SPEC of radvar/noise.h whose parameters are
                            separated by ';', since ',' separates fields);
                            NULL without that column (every point normal) */
} cli_sweep_grid;

/* Read a grid from f (path: for messages).  *g is empty on error. */
int cli_sweep_grid_read(FILE *f, const char *path, cli_sweep_grid *g, char *msg, size_t len);
void cli_sweep_grid_free(cli_sweep_grid *g);

/* A row: the point index, the point's grid fields, simulate's columns. */
#define CLI_CK_FIELDS (1 + CLI_GRID_FIELDS + CLI_SIM_COLUMNS)
#define CLI_CK_T (1 + CLI_GRID_FIELDS) /* the reported step's column */
#define CLI_CK_MAX_LINE 65536

typedef struct {
    const cli_sweep_grid *grid;
    const uint64_t *report; /* the reported steps, increasing; NULL: each point's last */
    size_t n_report;        /* rows a point (1 when report is NULL) */
    uint32_t id;            /* the sweep's identity (see above) */
} cli_ck_spec;

typedef struct {
    size_t rows;    /* 0: not done */
    double *values; /* rows x CLI_CK_FIELDS */
} cli_ck_point;

/* Parse a checkpoint's text from f into done[0..grid->n) (all zero on
 * entry).  *keep: the bytes to keep (the header and the complete points;
 * 0 for an empty file or a header cut short: a fresh start).  On error the
 * points read so far stay in done (free them with cli_ck_points_free). */
int cli_checkpoint_parse(FILE *f, const cli_ck_spec *spec, cli_ck_point *done, long long *keep,
                         char *msg, size_t len);
void cli_ck_points_free(cli_ck_point *done, size_t n);

/* The checkpoint text of point k (its rows and its "#done" line) in a fresh
 * buffer; NULL when out of memory. */
char *cli_checkpoint_format_point(size_t k, const cli_ck_point *p, size_t *text_len);
/* The two header lines in a fresh buffer; NULL when out of memory. */
char *cli_checkpoint_format_header(const cli_ck_spec *spec, size_t *text_len);

/* An open, locked checkpoint file. */
typedef struct cli_checkpoint cli_checkpoint;

/* Open (or create) path, lock it (another sweep holding it: CLI_ESYS, "in
 * use"), read the finished points into done, drop a crash's tail and, for a
 * new file, write the header.  Refuses (CLI_EINPUT) anything but a regular
 * file, a file that is not a checkpoint (never written to), a checkpoint of
 * another sweep and a corrupt one; the file is unchanged then. */
int cli_checkpoint_open(const char *path, const cli_ck_spec *spec, cli_ck_point *done,
                        cli_checkpoint **out, char *msg, size_t len);
/* Append point k and flush it to the disk (fsync). */
int cli_checkpoint_append(cli_checkpoint *c, size_t k, const cli_ck_point *p, char *msg,
                          size_t len);
/* Unlock and close (c may be NULL). */
void cli_checkpoint_close(cli_checkpoint *c);

#endif
