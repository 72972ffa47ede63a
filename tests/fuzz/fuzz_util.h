/* fuzz_util.h: checks shared by the harnesses of tests/fuzz/.  A failed
 * check aborts, which libFuzzer reports as a crash and the plain driver
 * (driver.c) as a failed `make check`. */
#ifndef RADVAR_FUZZ_UTIL_H
#define RADVAR_FUZZ_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond)                                                                       \
    do {                                                                                       \
        if (!(cond)) {                                                                         \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                           \
        }                                                                                      \
    } while (0)

/* A message is one line of printable ASCII (input bytes are escaped). */
static inline void fuzz_check_message(const char *msg)
{
    FUZZ_CHECK(msg[0] != '\0');
    for (const unsigned char *p = (const unsigned char *)msg; *p; p++)
        if (*p < 0x20 || *p >= 0x7f) {
            fprintf(stderr, "unprintable byte 0x%02x in message: %s\n", *p, msg);
            abort();
        }
}

/* The input as a NUL-terminated string (cut at its first NUL byte). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    FUZZ_CHECK(s != NULL);
    memcpy(s, data, size);
    s[size] = '\0';
    return s;
}

/* The input as a read-only stream (fmemopen refuses a size of 0 on some
 * C libraries: an empty input is one NUL-free empty buffer of size 1 read
 * through a stream positioned at its end). */
static inline FILE *fuzz_stream(const uint8_t *data, size_t size)
{
    static char empty[1];
    FILE *f = size ? fmemopen((void *)data, size, "r") : fmemopen(empty, 1, "r");
    FUZZ_CHECK(f != NULL);
    if (size == 0)
        fgetc(f);
    return f;
}

#endif
