/* table.c: tab-separated, CSV or JSON tables with '#' provenance lines,
 * numbers printed with %.17g so that they round-trip, and atomic files: the
 * table goes to a temporary file beside the target, renamed onto it only when
 * complete. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "radvar/common.h"

extern char *cli_pending_tmp_path;

#define MAX_PARAMS 64

struct cli_table {
    FILE *out;
    cli_format fmt;
    char *path, *tmp_path;
    char *command;
    char *param_key[MAX_PARAMS], *param_val[MAX_PARAMS];
    size_t nparams;
    size_t ncols;
    int started;      /* header written */
    int tables;       /* tables begun */
    size_t rows;      /* rows in the current table */
};

cli_format cli_parse_format(const char *text)
{
    if (strcmp(text, "tsv") == 0)
        return CLI_TSV;
    if (strcmp(text, "csv") == 0)
        return CLI_CSV;
    if (strcmp(text, "json") == 0)
        return CLI_JSON;
    cli_fail("--format: '%s' is not a format (valid: tsv, csv, json)", text);
}

static void out_of_memory(void)
{
    cli_fail_status(1, "out of memory");
}

static char *join_argv(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 0; i < argc; i++)
        len += strlen(argv[i]) + 3;
    char *s = malloc(len), *p = s;
    if (s == NULL)
        out_of_memory();
    for (int i = 0; i < argc; i++) {
        int quote = strpbrk(argv[i], " \t\"'") != NULL || argv[i][0] == '\0';
        p += sprintf(p, i ? (quote ? " '%s'" : " %s") : (quote ? "'%s'" : "%s"), argv[i]);
    }
    return s;
}

cli_table *cli_table_open(const char *path, cli_format fmt, int argc, char **argv)
{
    cli_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        out_of_memory();
    t->fmt = fmt;
    t->command = join_argv(argc, argv);
    if (path == NULL || strcmp(path, "-") == 0) {
        t->out = stdout;
        return t;
    }
    t->path = strdup(path);
    size_t len = strlen(path) + 16;
    t->tmp_path = malloc(len);
    if (t->path == NULL || t->tmp_path == NULL)
        out_of_memory();
    snprintf(t->tmp_path, len, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(t->tmp_path);
    if (fd < 0)
        cli_fail_status(1, "--output: cannot create a file beside '%s'", path);
    cli_pending_tmp_path = t->tmp_path;
    mode_t mask = umask(0);
    umask(mask);
    fchmod(fd, 0666 & ~mask);
    t->out = fdopen(fd, "w");
    if (t->out == NULL)
        cli_fail_status(1, "--output: cannot write '%s'", path);
    return t;
}

FILE *cli_table_stream(cli_table *t)
{
    return t->out;
}

void cli_table_param(cli_table *t, const char *key, const char *fmt, ...)
{
    if (t->nparams == MAX_PARAMS)
        return;
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->param_key[t->nparams] = strdup(key);
    t->param_val[t->nparams] = strdup(buf);
    if (t->param_key[t->nparams] == NULL || t->param_val[t->nparams] == NULL)
        out_of_memory();
    t->nparams++;
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(f, "\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            fprintf(f, "\\u%04x", (unsigned char)*s);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

/* a JSON value: the number itself when the text is one, else a string */
static void json_value(FILE *f, const char *s)
{
    char *end;
    double x = strtod(s, &end);
    if (*s && *end == '\0' && isfinite(x))
        fputs(s, f);
    else
        json_string(f, s);
}

static void write_header(cli_table *t)
{
    FILE *f = t->out;
    if (t->fmt == CLI_JSON) {
        fprintf(f, "{\"meta\": {\"radvar_version\": \"%s\", \"command\": ", RADVAR_VERSION);
        json_string(f, t->command);
        fputs(", \"parameters\": {", f);
        for (size_t k = 0; k < t->nparams; k++) {
            fputs(k ? ", " : "", f);
            json_string(f, t->param_key[k]);
            fputs(": ", f);
            json_value(f, t->param_val[k]);
        }
        fputs("}}", f);
    } else {
        fprintf(f, "# radvar %s\n# command: %s\n", RADVAR_VERSION, t->command);
        for (size_t k = 0; k < t->nparams; k++)
            fprintf(f, "# %s: %s\n", t->param_key[k], t->param_val[k]);
    }
    t->started = 1;
}

static void end_rows(cli_table *t)
{
    if (t->fmt == CLI_JSON && t->tables > 0)
        fputs(t->tables == 1 ? "]" : "]}", t->out);
}

void cli_table_begin(cli_table *t, const char *section, size_t ncols,
                     const char *const *names)
{
    if (!t->started)
        write_header(t);
    end_rows(t);
    FILE *f = t->out;
    char sep = t->fmt == CLI_CSV ? ',' : '\t';
    if (t->fmt == CLI_JSON) {
        if (t->tables == 0) {
            fputs(", \"columns\": [", f);
        } else {
            fputs(", ", f);
            json_string(f, section);
            fputs(": {\"columns\": [", f);
        }
        for (size_t k = 0; k < ncols; k++) {
            fputs(k ? ", " : "", f);
            json_string(f, names[k]);
        }
        fputs("], \"rows\": [", f);
    } else {
        if (t->tables > 0)
            fprintf(f, "\n# section: %s\n", section);
        for (size_t k = 0; k < ncols; k++)
            fprintf(f, "%s%s", k ? (sep == ',' ? "," : "\t") : "", names[k]);
        fputc('\n', f);
    }
    t->ncols = ncols;
    t->tables++;
    t->rows = 0;
}

static void number(FILE *f, double x, cli_format fmt)
{
    if (isfinite(x))
        fprintf(f, "%.17g", x);
    else if (fmt == CLI_JSON)
        fputs("null", f);
    else
        fputs(isnan(x) ? "nan" : (x > 0 ? "inf" : "-inf"), f);
}

void cli_table_row(cli_table *t, const double *values)
{
    FILE *f = t->out;
    if (t->fmt == CLI_JSON) {
        fputs(t->rows ? ",\n  [" : "\n  [", f);
        for (size_t k = 0; k < t->ncols; k++) {
            fputs(k ? ", " : "", f);
            number(f, values[k], t->fmt);
        }
        fputc(']', f);
    } else {
        for (size_t k = 0; k < t->ncols; k++) {
            if (k)
                fputc(t->fmt == CLI_CSV ? ',' : '\t', f);
            number(f, values[k], t->fmt);
        }
        fputc('\n', f);
    }
    t->rows++;
}

void cli_table_close(cli_table *t)
{
    if (!t->started)
        write_header(t);
    end_rows(t);
    if (t->fmt == CLI_JSON)
        fputs("}\n", t->out);
    if (t->tmp_path != NULL) {
        int bad = fflush(t->out) != 0 || ferror(t->out) || fsync(fileno(t->out)) != 0;
        bad |= fclose(t->out) != 0;
        if (bad)
            cli_fail_status(1, "--output: writing '%s' failed", t->path);
        if (rename(t->tmp_path, t->path) != 0)
            cli_fail_status(1, "--output: cannot rename the output onto '%s'", t->path);
        cli_pending_tmp_path = NULL;
    } else if (fflush(t->out) != 0 || ferror(t->out)) {
        cli_fail_status(1, "writing standard output failed");
    }
    for (size_t k = 0; k < t->nparams; k++) {
        free(t->param_key[k]);
        free(t->param_val[k]);
    }
    free(t->path);
    free(t->tmp_path);
    free(t->command);
    free(t);
}
