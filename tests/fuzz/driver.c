/* driver.c: a plain main() for the libFuzzer harnesses of tests/fuzz/, so
 * that `make check` replays every corpus file through its harness with any C
 * compiler (and under the sanitizers with SAN=1).
 *
 *   replay_NAME PATH...   each PATH a file, or a directory whose regular
 *                         files are fed one by one (sorted by name)
 * A crash or a failed check inside the harness ends the run; it fails as well
 * when no input was found (a corpus that went missing is not a pass). */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "fuzz driver: cannot open '%s'\n", path);
        exit(1);
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf != NULL && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *grown = realloc(buf, 2 * cap);
            if (grown == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = grown;
            cap *= 2;
        }
    }
    if (buf == NULL || ferror(f)) {
        fprintf(stderr, "fuzz driver: cannot read '%s'\n", path);
        exit(1);
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    return 1;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t run_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL) {
        fprintf(stderr, "fuzz driver: cannot open directory '%s'\n", dir);
        exit(1);
    }
    char **names = NULL;
    size_t n = 0, cap = 0, ran = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        if (n == cap) {
            cap = cap ? 2 * cap : 256;
            char **grown = realloc(names, cap * sizeof *grown);
            if (grown == NULL) {
                fprintf(stderr, "fuzz driver: out of memory\n");
                exit(1);
            }
            names = grown;
        }
        size_t len = strlen(dir) + strlen(e->d_name) + 2;
        if ((names[n] = malloc(len)) == NULL) {
            fprintf(stderr, "fuzz driver: out of memory\n");
            exit(1);
        }
        snprintf(names[n++], len, "%s/%s", dir, e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode))
            ran += (size_t)run_file(names[i]);
        free(names[i]);
    }
    free(names);
    return ran;
}

int main(int argc, char **argv)
{
    size_t ran = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode))
            ran += run_dir(argv[i]);
        else
            ran += (size_t)run_file(argv[i]);
    }
    if (ran == 0) {
        fprintf(stderr, "fuzz driver: no input files\n");
        return 1;
    }
    printf("%s: %zu inputs, no failure\n", argv[0], ran);
    return 0;
}
