/* table.c: the program's outputs -- one table per output, as tab-separated
 * values with '#' provenance lines (the default), plain RFC 4180 CSV, or
 * JSON; numbers with %.17g so that they round-trip -- and the files they go
 * to.
 *
 * Files (cli_file): only a regular file, or a name that does not exist yet,
 * is written through a temporary file beside it that is renamed onto it when
 * complete (so a failed or interrupted run leaves the old file as it was).
 * A symbolic link to a regular file replaces the file it points to and
 * keeps the link.  /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N
 * write to that descriptor; devices, FIFOs and terminals are opened and
 * written in place.  A directory, an empty name and a link to nothing are
 * refused.  Temporary names keep within NAME_MAX.  Pending temporary files
 * are removed on every exit path: cli_fail (atexit) and SIGINT, SIGTERM,
 * SIGHUP, SIGPIPE and SIGXFSZ (a handler that removes them and dies of the
 * same signal); a signal that the program was started ignoring stays
 * ignored.
 *
 * Encodings:
 *  - tsv: '#' lines (version, the command line quoted for a POSIX shell,
 *    parameters), one header row, rows; non-finite numbers as inf, -inf, nan;
 *    bytes that would break a line (control characters, invalid UTF-8) are
 *    written as escapes (\n, \t, \xNN).
 *  - csv: RFC 4180: one header row and the rows, CRLF line ends, nothing
 *    else; fields quoted where they hold a comma, a quote or a line break.
 *    The provenance lines go to FILE.meta beside FILE (with --output FILE;
 *    none on standard output or a device).
 *  - json: {"meta": {...}, "columns": [...], "rows": [[...], ...]}; finite
 *    numbers as JSON numbers, non-finite ones as the strings "inf", "-inf"
 *    and "nan" (JSON has no infinity or NaN; null would merge them);
 *    parameter values are JSON numbers only when their text is one by JSON's
 *    grammar, else strings; invalid UTF-8 bytes become the text \xNN.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "radvar/common.h"

/* ---- pending temporary files: removed on any exit ---- */

#define MAX_PENDING 8
#define PENDING_LEN (PATH_MAX + 64)
static char pending[MAX_PENDING][PENDING_LEN];
static volatile sig_atomic_t pending_used[MAX_PENDING];
static int cleanup_installed;

static void remove_pending(void)
{
    for (int k = 0; k < MAX_PENDING; k++)
        if (pending_used[k]) {
            unlink(pending[k]); /* async-signal-safe */
            pending_used[k] = 0;
        }
}

static const int cleanup_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGXFSZ};

static void on_fatal_signal(int sig)
{
    remove_pending();
    signal(sig, SIG_DFL);
    raise(sig);
}

/* Install the handlers, once, for the signals not ignored at start-up. */
static void install_cleanup(void)
{
    if (cleanup_installed)
        return;
    cleanup_installed = 1;
    atexit(remove_pending);
    for (size_t k = 0; k < sizeof cleanup_signals / sizeof *cleanup_signals; k++) {
        struct sigaction old, sa;
        if (sigaction(cleanup_signals[k], NULL, &old) != 0 || old.sa_handler == SIG_IGN)
            continue;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_fatal_signal;
        sigemptyset(&sa.sa_mask);
        sigaction(cleanup_signals[k], &sa, NULL);
    }
}

static int add_pending(const char *path)
{
    for (int k = 0; k < MAX_PENDING; k++)
        if (!pending_used[k]) {
            snprintf(pending[k], PENDING_LEN, "%s", path);
            pending_used[k] = 1;
            return k;
        }
    return -1;
}

static void drop_pending(int k)
{
    if (k >= 0)
        pending_used[k] = 0;
}

/* ---- files ---- */

typedef enum { FILE_STDOUT, FILE_DESCRIPTOR, FILE_DIRECT, FILE_REPLACE } file_mode;

struct cli_file {
    FILE *out;
    file_mode mode;
    char *name;      /* what the user gave, for messages */
    char *target;    /* FILE_REPLACE: the file renamed onto (a link's target) */
    char *tmp;       /* FILE_REPLACE: the temporary file */
    int slot;        /* its index among the pending files */
    mode_t perm;     /* FILE_REPLACE: the permissions to give it */
    const char *opt; /* "--output", ... */
};

static void out_of_memory(void)
{
    cli_fail_status(1, "out of memory");
}

static char *dup_or_die(const char *s)
{
    char *d = strdup(s);
    if (d == NULL)
        out_of_memory();
    return d;
}

/* A descriptor named by the path: /dev/stdout, /dev/stderr, /dev/fd/N,
 * /proc/self/fd/N; -1 otherwise. */
static int named_descriptor(const char *path)
{
    if (strcmp(path, "/dev/stdout") == 0)
        return 1;
    if (strcmp(path, "/dev/stderr") == 0)
        return 2;
    const char *digits = NULL;
    if (strncmp(path, "/dev/fd/", 8) == 0)
        digits = path + 8;
    else if (strncmp(path, "/proc/self/fd/", 14) == 0)
        digits = path + 14;
    if (digits == NULL || *digits == '\0' || strlen(digits) > 6 || strspn(digits, "0123456789") != strlen(digits))
        return -1;
    return atoi(digits);
}

/* How path would be written, without creating anything: refuses (exit 2)
 * an empty name, a directory and a link to nothing, and fails (exit 1) on
 * other errors, with strerror.  *target gets the file to replace. */
static file_mode classify(const char *opt, const char *path, char **target, mode_t *perm)
{
    char shown[256];
    cli_escape_text(path, shown, sizeof shown);
    *target = NULL;
    *perm = 0;
    if (*path == '\0')
        cli_fail("%s: empty file name (use - for standard output)", opt);
    if (strcmp(path, "-") == 0)
        return FILE_STDOUT;
    if (named_descriptor(path) >= 0)
        return FILE_DESCRIPTOR;
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (errno == ENOENT) { /* a new name, in a directory that must take it */
            char dir[PATH_MAX];
            const char *slash = strrchr(path, '/');
            if (slash == NULL)
                snprintf(dir, sizeof dir, ".");
            else
                snprintf(dir, sizeof dir, "%.*s", (int)(slash == path ? 1 : slash - path), path);
            if (access(dir, W_OK | X_OK) != 0)
                cli_fail_status(1, "%s: cannot create a file beside '%s': %s", opt, shown, strerror(errno));
            *target = dup_or_die(path);
            mode_t mask = umask(0);
            umask(mask);
            *perm = 0666 & ~mask;
            return FILE_REPLACE;
        }
        cli_fail_status(errno == ENAMETOOLONG || errno == ENOTDIR ? 2 : 1, "%s: cannot use '%s': %s",
                        opt, shown, strerror(errno));
    }
    if (S_ISLNK(st.st_mode)) {
        char *real = realpath(path, NULL);
        if (real == NULL) {
            if (errno == ENOENT)
                cli_fail("%s: '%s' is a symbolic link to a missing file (radvar writes through "
                         "a link only to an existing file)", opt, shown);
            cli_fail_status(1, "%s: cannot follow the link '%s': %s", opt, shown, strerror(errno));
        }
        if (stat(real, &st) != 0) {
            int e = errno;
            free(real);
            cli_fail_status(1, "%s: cannot use '%s': %s", opt, shown, strerror(e));
        }
        if (S_ISREG(st.st_mode)) { /* replace the file, keep the link */
            *target = real;
            *perm = st.st_mode & 07777;
            return FILE_REPLACE;
        }
        free(real);
    }
    if (S_ISDIR(st.st_mode))
        cli_fail("%s: '%s' is a directory (give a file name)", opt, shown);
    if (S_ISREG(st.st_mode)) {
        *target = dup_or_die(path);
        *perm = st.st_mode & 07777;
        return FILE_REPLACE;
    }
    return FILE_DIRECT; /* a device, a FIFO, a terminal, a socket */
}

void cli_output_check(const char *opt, const char *path)
{
    if (path == NULL)
        return;
    char *target;
    mode_t perm;
    classify(opt, path, &target, &perm);
    free(target);
}

/* The temporary name beside target: TARGET.tmp.XXXXXX, the file-name part
 * cut so that it stays within the directory's NAME_MAX. */
static char *temp_name(const char *target)
{
    const char *slash = strrchr(target, '/');
    size_t dir_len = slash ? (size_t)(slash - target) + 1 : 0;
    char dir[PATH_MAX];
    if (dir_len == 0)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(dir_len > 1 ? dir_len - 1 : 1), target);
    long name_max = pathconf(dir, _PC_NAME_MAX);
    if (name_max <= 0 || name_max > 4096)
        name_max = 255;
    const char *base = target + dir_len, *suffix = ".tmp.XXXXXX";
    size_t base_len = strlen(base), keep = base_len;
    if (keep + strlen(suffix) > (size_t)name_max)
        keep = (size_t)name_max - strlen(suffix);
    size_t len = dir_len + keep + strlen(suffix) + 1;
    char *tmp = malloc(len);
    if (tmp == NULL)
        out_of_memory();
    snprintf(tmp, len, "%.*s%.*s%s", (int)dir_len, target, (int)keep, base, suffix);
    return tmp;
}

cli_file *cli_file_open(const char *opt, const char *path)
{
    cli_file *f = calloc(1, sizeof *f);
    if (f == NULL)
        out_of_memory();
    f->opt = opt;
    f->slot = -1;
    if (path == NULL)
        path = "-";
    f->name = dup_or_die(path);
    char shown[256];
    cli_escape_text(path, shown, sizeof shown);
    f->mode = classify(opt, path, &f->target, &f->perm);
    switch (f->mode) {
    case FILE_STDOUT:
        f->out = stdout;
        break;
    case FILE_DESCRIPTOR: {
        int fd = named_descriptor(path);
        if (fd == 1) {
            f->out = stdout;
            f->mode = FILE_STDOUT;
            break;
        }
        int copy = dup(fd);
        if (copy < 0 || (f->out = fdopen(copy, "w")) == NULL)
            cli_fail_status(1, "%s: cannot write '%s': %s", opt, shown, strerror(errno));
        break;
    }
    case FILE_DIRECT:
        if ((f->out = fopen(path, "w")) == NULL)
            cli_fail_status(1, "%s: cannot write '%s': %s", opt, shown, strerror(errno));
        break;
    case FILE_REPLACE: {
        install_cleanup();
        f->tmp = temp_name(f->target);
        if (strlen(f->tmp) >= PENDING_LEN)
            cli_fail_status(2, "%s: '%s': %s", opt, shown, strerror(ENAMETOOLONG));
        sigset_t block, old;
        sigfillset(&block);
        sigprocmask(SIG_BLOCK, &block, &old); /* no signal between create and record */
        int fd = mkstemp(f->tmp);
        int e = errno;
        if (fd >= 0)
            f->slot = add_pending(f->tmp);
        sigprocmask(SIG_SETMASK, &old, NULL);
        if (fd < 0)
            cli_fail_status(1, "%s: cannot create a file beside '%s': %s", opt, shown, strerror(e));
        if (f->slot < 0) {
            unlink(f->tmp);
            cli_fail_status(1, "%s: too many output files at once", opt);
        }
        fchmod(fd, f->perm);
        if ((f->out = fdopen(fd, "w")) == NULL)
            cli_fail_status(1, "%s: cannot write '%s': %s", opt, shown, strerror(errno));
        break;
    }
    }
    return f;
}

FILE *cli_file_stream(cli_file *f)
{
    return f->out;
}

int cli_file_replaces(const cli_file *f)
{
    return f->mode == FILE_REPLACE;
}

const char *cli_file_target(const cli_file *f)
{
    return f->mode == FILE_REPLACE ? f->target : NULL;
}

/* Stop at the first write error rather than computing on into a full disk. */
void cli_file_check(cli_file *f)
{
    if (ferror(f->out)) {
        char shown[256];
        cli_escape_text(f->name, shown, sizeof shown);
        if (f->mode == FILE_STDOUT)
            cli_fail_status(1, "writing standard output failed: %s", strerror(errno));
        cli_fail_status(1, "%s: writing '%s' failed: %s", f->opt, shown, strerror(errno));
    }
}

void cli_file_close(cli_file *f)
{
    char shown[256];
    cli_escape_text(f->name, shown, sizeof shown);
    errno = 0;
    if (f->mode == FILE_STDOUT) {
        if (fflush(f->out) != 0 || ferror(f->out))
            cli_fail_status(1, "writing standard output failed: %s", strerror(errno ? errno : EIO));
    } else {
        int bad = fflush(f->out) != 0 || ferror(f->out);
        int e = errno;
        if (!bad && f->mode == FILE_REPLACE && fsync(fileno(f->out)) != 0)
            bad = 1, e = errno;
        if (fclose(f->out) != 0 && !bad)
            bad = 1, e = errno;
        if (bad)
            cli_fail_status(1, "%s: writing '%s' failed: %s", f->opt, shown, strerror(e ? e : EIO));
        if (f->mode == FILE_REPLACE) {
            if (rename(f->tmp, f->target) != 0)
                cli_fail_status(1, "%s: cannot rename the output onto '%s': %s", f->opt, shown,
                                strerror(errno));
            drop_pending(f->slot);
        }
    }
    free(f->name);
    free(f->target);
    free(f->tmp);
    free(f);
}

/* ---- text escapes ---- */

/* The length of the valid UTF-8 sequence at s (1..4), or 0. */
static size_t utf8_len(const unsigned char *s)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : s[0] >= 0xe0 ? 3 : s[0] >= 0xc2 && s[0] < 0xe0 ? 2 : 0;
    if (n == 0)
        return 0;
    for (size_t k = 1; k < n; k++)
        if ((s[k] & 0xc0) != 0x80)
            return 0;
    unsigned cp = n == 2 ? (s[0] & 0x1fu) : n == 3 ? (s[0] & 0x0fu) : (s[0] & 0x07u);
    for (size_t k = 1; k < n; k++)
        cp = (cp << 6) | (s[k] & 0x3fu);
    if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return n;
}

/* Text for a '#' line or a message: control bytes, DEL, backslash and
 * invalid UTF-8 as C escapes; the rest (valid UTF-8) as is.  Cut to fit. */
void cli_escape_text(const char *text, char *out, size_t len)
{
    size_t o = 0;
    const unsigned char *s = (const unsigned char *)text;
    while (*s && o + 8 < len) {
        size_t n = utf8_len(s);
        if (*s == '\\') {
            out[o++] = '\\';
            out[o++] = '\\';
            s++;
        } else if (*s == '\n' || *s == '\t' || *s == '\r') {
            out[o++] = '\\';
            out[o++] = *s == '\n' ? 'n' : *s == '\t' ? 't' : 'r';
            s++;
        } else if (n == 0 || *s < 0x20 || *s == 0x7f) {
            o += (size_t)snprintf(out + o, len - o, "\\x%02x", *s);
            s++;
        } else {
            memcpy(out + o, s, n);
            o += n;
            s += n;
        }
    }
    if (*s && len >= 4) {
        o = o + 3 < len ? o : len - 4;
        memcpy(out + o, "...", 3);
        o += 3;
    }
    out[len ? o : 0] = '\0';
}

static void json_string(FILE *f, const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    fputc('"', f);
    while (*s) {
        size_t n = utf8_len(s);
        if (*s == '"' || *s == '\\') {
            fprintf(f, "\\%c", *s);
            s++;
        } else if (n == 0) {
            fprintf(f, "\\\\x%02x", *s); /* the text \xNN */
            s++;
        } else if (*s < 0x20 || *s == 0x7f) {
            fprintf(f, "\\u%04x", *s);
            s++;
        } else {
            fwrite(s, 1, n, f);
            s += n;
        }
    }
    fputc('"', f);
}

/* 1 when s is a number by JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
 * (not 010, 0x4, 4., +4, .5, inf, nan), and finite. */
static int json_number_text(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (*p >= '0' && *p <= '9')
            p++;
    else
        return 0;
    if (*p == '.') {
        p++;
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '+' || *p == '-')
            p++;
        if (!(*p >= '0' && *p <= '9'))
            return 0;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return *p == '\0' && isfinite(strtod(s, NULL));
}

/* The command line, quoted so that a POSIX shell (with $'...' for control
 * characters and invalid UTF-8, as bash, ksh and zsh read it) gives back the
 * same words: plain words as they are, others in single quotes. */
static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*cap + n + 1) * 2;
        char *g = realloc(*buf, c);
        if (g == NULL)
            out_of_memory();
        *buf = g;
        *cap = c;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
}

static char *quote_command(int argc, char **argv)
{
    char *buf = NULL;
    size_t len = 0, cap = 0;
    append(&buf, &len, &cap, "", 0);
    for (int i = 0; i < argc; i++) {
        const unsigned char *s = (const unsigned char *)argv[i];
        if (i)
            append(&buf, &len, &cap, " ", 1);
        size_t plain = strspn(argv[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                       "0123456789_@%+=:,./-");
        int needs_ansi = 0;
        for (const unsigned char *p = s; *p;) {
            size_t n = utf8_len(p);
            if (n == 0 || *p < 0x20 || *p == 0x7f) {
                needs_ansi = 1;
                break;
            }
            p += n;
        }
        if (*s && plain == strlen(argv[i])) {
            append(&buf, &len, &cap, argv[i], plain);
        } else if (!needs_ansi) {
            append(&buf, &len, &cap, "'", 1);
            for (const unsigned char *p = s; *p; p++)
                if (*p == '\'')
                    append(&buf, &len, &cap, "'\\''", 4);
                else
                    append(&buf, &len, &cap, (const char *)p, 1);
            append(&buf, &len, &cap, "'", 1);
        } else {
            append(&buf, &len, &cap, "$'", 2);
            for (const unsigned char *p = s; *p;) {
                size_t n = utf8_len(p);
                char esc[8];
                if (*p == '\\' || *p == '\'' || *p == '\n' || *p == '\t' || *p == '\r') {
                    esc[0] = '\\';
                    esc[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : *p == '\r' ? 'r' : (char)*p;
                    append(&buf, &len, &cap, esc, 2);
                    p++;
                } else if (n == 0 || *p < 0x20 || *p == 0x7f) {
                    int k = snprintf(esc, sizeof esc, "\\x%02x", *p);
                    append(&buf, &len, &cap, esc, (size_t)k);
                    p++;
                } else {
                    append(&buf, &len, &cap, (const char *)p, n);
                    p += n;
                }
            }
            append(&buf, &len, &cap, "'", 1);
        }
    }
    return buf;
}

/* ---- tables ---- */

#define MAX_PARAMS 64

struct cli_table {
    cli_file *file;
    cli_file *meta;   /* csv: the provenance beside the file */
    FILE *out;
    cli_format fmt;
    char *command;
    char *param_key[MAX_PARAMS], *param_val[MAX_PARAMS];
    size_t nparams;
    size_t ncols;
    int started; /* the header (tsv, json) is written */
    int begun;   /* the table's columns are written */
    size_t rows;
};

cli_format cli_parse_format(const char *text)
{
    if (strcmp(text, "tsv") == 0)
        return CLI_TSV;
    if (strcmp(text, "csv") == 0)
        return CLI_CSV;
    if (strcmp(text, "json") == 0)
        return CLI_JSON;
    char shown[128];
    cli_escape_text(text, shown, sizeof shown);
    cli_fail("--format: '%s' is not a format (valid: tsv, csv, json)", shown);
}

cli_table *cli_table_open_as(const char *opt, const char *path, cli_format fmt, int argc,
                             char **argv)
{
    cli_table *t = calloc(1, sizeof *t);
    if (t == NULL)
        out_of_memory();
    t->fmt = fmt;
    t->command = quote_command(argc, argv);
    t->file = cli_file_open(opt, path);
    t->out = cli_file_stream(t->file);
    if (fmt == CLI_CSV && cli_file_replaces(t->file)) {
        const char *target = cli_file_target(t->file);
        size_t len = strlen(target) + 6;
        char *meta = malloc(len);
        if (meta == NULL)
            out_of_memory();
        snprintf(meta, len, "%s.meta", target);
        t->meta = cli_file_open(opt, meta);
        free(meta);
    }
    return t;
}

cli_table *cli_table_open(const char *path, cli_format fmt, int argc, char **argv)
{
    return cli_table_open_as("--output", path, fmt, argc, argv);
}

FILE *cli_table_stream(cli_table *t)
{
    return t->out;
}

void cli_table_param(cli_table *t, const char *key, const char *fmt, ...)
{
    if (t->nparams == MAX_PARAMS)
        return;
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    t->param_key[t->nparams] = dup_or_die(key);
    t->param_val[t->nparams] = dup_or_die(buf);
    t->nparams++;
}

void cli_table_noise(cli_table *t, const radvar_noise *n)
{
    char spec[256];
    radvar_noise_format(n, spec, sizeof spec);
    cli_table_param(t, "noise", "%s", spec);
}

static void comment_lines(cli_table *t, FILE *f)
{
    fprintf(f, "# radvar %s\n", RADVAR_VERSION);
    fputs("# command: ", f);
    fputs(t->command, f); /* quoted: no line breaks, no invalid UTF-8 */
    fputc('\n', f);
    for (size_t k = 0; k < t->nparams; k++) {
        char val[2048];
        cli_escape_text(t->param_val[k], val, sizeof val);
        fprintf(f, "# %s: %s\n", t->param_key[k], val);
    }
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
            if (json_number_text(t->param_val[k]))
                fputs(t->param_val[k], f);
            else
                json_string(f, t->param_val[k]);
        }
        fputs("}}", f);
    } else if (t->fmt == CLI_TSV) {
        comment_lines(t, f);
    } else if (t->meta != NULL) {
        comment_lines(t, cli_file_stream(t->meta));
    }
    t->started = 1;
}

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

void cli_table_begin(cli_table *t, const char *section, size_t ncols, const char *const *names)
{
    (void)section;
    if (t->begun) /* one table per output: a second one goes to its own file */
        cli_fail_status(70, "internal error: a second table in one output");
    if (!t->started)
        write_header(t);
    FILE *f = t->out;
    if (t->fmt == CLI_JSON) {
        fputs(", \"columns\": [", f);
        for (size_t k = 0; k < ncols; k++) {
            fputs(k ? ", " : "", f);
            json_string(f, names[k]);
        }
        fputs("], \"rows\": [", f);
    } else {
        for (size_t k = 0; k < ncols; k++) {
            if (k)
                fputc(t->fmt == CLI_CSV ? ',' : '\t', f);
            if (t->fmt == CLI_CSV)
                csv_field(f, names[k]);
            else
                fputs(names[k], f);
        }
        fputs(t->fmt == CLI_CSV ? "\r\n" : "\n", f);
    }
    t->ncols = ncols;
    t->begun = 1;
    t->rows = 0;
}

static void number(FILE *f, double x, cli_format fmt)
{
    if (isfinite(x))
        fprintf(f, "%.17g", x);
    else if (fmt == CLI_JSON)
        fputs(isnan(x) ? "\"nan\"" : (x > 0 ? "\"inf\"" : "\"-inf\""), f);
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
        fputs(t->fmt == CLI_CSV ? "\r\n" : "\n", f);
    }
    t->rows++;
    cli_file_check(t->file);
}

void cli_table_close(cli_table *t)
{
    if (!t->started)
        write_header(t);
    if (t->fmt == CLI_JSON)
        fputs(t->begun ? "]}\n" : "}\n", t->out);
    if (t->meta != NULL) /* the provenance first: a complete file has its meta */
        cli_file_close(t->meta);
    cli_file_close(t->file);
    for (size_t k = 0; k < t->nparams; k++) {
        free(t->param_key[k]);
        free(t->param_val[k]);
    }
    free(t->command);
    free(t);
}
