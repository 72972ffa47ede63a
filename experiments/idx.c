/* idx.c: the IDX reader.  A gzip file is inflated with zlib's inflate (every
 * member, each checked against its CRC-32 and length trailer); any other
 * file is read as it is.  The whole file is read and checked even when only
 * the first examples are kept, so that damage anywhere is refused, and its
 * size must be exactly what the header says.
 *
 * Memory is allocated as the data arrives (never from the sizes a header
 * claims), so a short file with a header claiming billions of images costs
 * no more than the file.  Every loop ends at the end of the file. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <zlib.h>

#include "idx.h"

#define CHUNK 65536

typedef struct {
    FILE *f;
    const char *path;
    int gz;          /* inflate; else the bytes as they are */
    int zs_live;     /* zs initialised */
    int member_end;  /* the current gzip member ended with a valid trailer */
    z_stream zs;
    unsigned char in[CHUNK];
    size_t raw_have, raw_pos; /* plain files: buffered bytes */
    char *why;
    size_t why_len;
} source;

/* Refill the input buffer; 0 at the end of the file, -1 on a read error. */
static long refill(source *s)
{
    size_t got = fread(s->in, 1, CHUNK, s->f);
    if (got == 0 && ferror(s->f)) {
        snprintf(s->why, s->why_len, "cannot read '%s': %s", s->path, strerror(errno ? errno : EIO));
        return -1;
    }
    return (long)got;
}

static int source_open(source *s, const char *path, char *why, size_t why_len)
{
    memset(s, 0, sizeof *s);
    s->path = path;
    s->why = why;
    s->why_len = why_len;
    s->f = fopen(path, "rb");
    if (s->f == NULL) {
        snprintf(why, why_len, "cannot open '%s': %s", path, strerror(errno));
        return RADVAR_EIO;
    }
    struct stat st;
    if (fstat(fileno(s->f), &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(why, why_len, "'%s' is a directory, not an IDX file", path);
        return RADVAR_EIO;
    }
    long got = refill(s);
    if (got < 0)
        return RADVAR_EIO;
    s->gz = got >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
    if (!s->gz) {
        s->raw_have = (size_t)got;
        return RADVAR_SUCCESS;
    }
    /* 15 + 16: a gzip wrapper, whose trailer inflate checks */
    if (inflateInit2(&s->zs, 15 + 16) != Z_OK) {
        snprintf(why, why_len, "out of memory for the gzip decoder of '%s'", path);
        return RADVAR_ENOMEM;
    }
    s->zs_live = 1;
    s->zs.next_in = s->in;
    s->zs.avail_in = (uInt)got;
    return RADVAR_SUCCESS;
}

static void source_close(source *s)
{
    if (s->zs_live)
        inflateEnd(&s->zs);
    if (s->f)
        fclose(s->f);
    s->zs_live = 0;
    s->f = NULL;
}

/* Up to len bytes of data into buf (fewer only at the end of the data);
 * *got the count.  A gzip file must end exactly after a member's trailer. */
static int source_read(source *s, unsigned char *buf, size_t len, size_t *got)
{
    *got = 0;
    if (!s->gz) {
        while (*got < len) {
            if (s->raw_pos == s->raw_have) {
                long n = refill(s);
                if (n < 0)
                    return RADVAR_EIO;
                if (n == 0)
                    return RADVAR_SUCCESS;
                s->raw_have = (size_t)n;
                s->raw_pos = 0;
            }
            size_t take = s->raw_have - s->raw_pos;
            if (take > len - *got)
                take = len - *got;
            memcpy(buf + *got, s->in + s->raw_pos, take);
            s->raw_pos += take;
            *got += take;
        }
        return RADVAR_SUCCESS;
    }
    while (*got < len) {
        if (s->zs.avail_in == 0) {
            long n = refill(s);
            if (n < 0)
                return RADVAR_EIO;
            if (n == 0) {
                if (s->member_end)
                    return RADVAR_SUCCESS; /* the end of the data */
                snprintf(s->why, s->why_len,
                         "'%s' is truncated: its gzip data ends before the CRC and length trailer",
                         s->path);
                return RADVAR_EFORMAT;
            }
            s->zs.next_in = s->in;
            s->zs.avail_in = (uInt)n;
        }
        if (s->member_end) {
            /* another gzip member may follow (as `cat a.gz b.gz` makes);
             * anything else after the data is refused */
            if (s->zs.next_in[0] != 0x1f) {
                snprintf(s->why, s->why_len, "'%s' has bytes after the end of its gzip data",
                         s->path);
                return RADVAR_EFORMAT;
            }
            if (inflateReset(&s->zs) != Z_OK) {
                snprintf(s->why, s->why_len, "'%s': the gzip decoder failed", s->path);
                return RADVAR_EFORMAT;
            }
            s->member_end = 0;
        }
        size_t want = len - *got;
        s->zs.next_out = buf + *got;
        s->zs.avail_out = want > (1u << 30) ? 1u << 30 : (uInt)want;
        uInt before = s->zs.avail_out;
        int ret = inflate(&s->zs, Z_NO_FLUSH);
        *got += before - s->zs.avail_out;
        if (ret == Z_STREAM_END)
            s->member_end = 1;
        else if (ret == Z_MEM_ERROR) {
            snprintf(s->why, s->why_len, "out of memory while inflating '%s'", s->path);
            return RADVAR_ENOMEM;
        } else if (ret != Z_OK && ret != Z_BUF_ERROR) {
            snprintf(s->why, s->why_len, "'%s': the gzip data is corrupt (%s)", s->path,
                     s->zs.msg ? s->zs.msg : "inflate failed");
            return RADVAR_EFORMAT;
        }
    }
    return RADVAR_SUCCESS;
}

/* Exactly len bytes into a buffer that grows as they arrive (so memory
 * follows the data, not the header's claim). */
static int read_all(source *s, size_t len, unsigned char **out, const char *what)
{
    unsigned char *buf = NULL;
    size_t have = 0, cap = 0;
    *out = NULL;
    while (have < len) {
        if (have == cap) {
            size_t grow = cap < (1u << 20) ? (1u << 20) : cap;
            size_t new_cap = len - cap < grow ? len : cap + grow;
            unsigned char *grown = realloc(buf, new_cap);
            if (grown == NULL) {
                free(buf);
                snprintf(s->why, s->why_len, "out of memory for %zu bytes of %s", len, what);
                return RADVAR_ENOMEM;
            }
            buf = grown;
            cap = new_cap;
        }
        size_t got;
        int status = source_read(s, buf + have, cap - have, &got);
        if (status != RADVAR_SUCCESS) {
            free(buf);
            return status;
        }
        if (got < cap - have) {
            free(buf);
            snprintf(s->why, s->why_len, "'%s' is truncated: %s end after %zu of %zu bytes", s->path,
                     what, have + got, len);
            return RADVAR_EFORMAT;
        }
        have += got;
    }
    *out = buf ? buf : malloc(1);
    if (*out == NULL) {
        snprintf(s->why, s->why_len, "out of memory");
        return RADVAR_ENOMEM;
    }
    return RADVAR_SUCCESS;
}

/* Read and check the rest: `skip` more bytes of data (the examples not
 * kept), then the end of the file, with nothing after it. */
static int finish(source *s, size_t skip, const char *what)
{
    unsigned char buf[CHUNK];
    size_t left = skip;
    while (left > 0) {
        size_t got;
        int status = source_read(s, buf, left < sizeof buf ? left : sizeof buf, &got);
        if (status != RADVAR_SUCCESS)
            return status;
        if (got == 0) {
            snprintf(s->why, s->why_len, "'%s' is truncated: its %s end %zu bytes early", s->path,
                     what, left);
            return RADVAR_EFORMAT;
        }
        left -= got;
    }
    size_t extra;
    int status = source_read(s, buf, 1, &extra);
    if (status != RADVAR_SUCCESS)
        return status;
    if (extra != 0) {
        snprintf(s->why, s->why_len, "'%s' holds more data than its header says", s->path);
        return RADVAR_EFORMAT;
    }
    return RADVAR_SUCCESS;
}

static uint32_t big_endian(const unsigned char b[4])
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Open an IDX file and read its header; dims[0..ndim). */
static int idx_open(source *s, const char *path, uint32_t magic, int ndim, uint32_t *dims,
                    char *why, size_t why_len)
{
    int status = source_open(s, path, why, why_len);
    if (status != RADVAR_SUCCESS)
        return status;
    unsigned char head[16];
    size_t want = 4 + 4 * (size_t)ndim, got;
    status = source_read(s, head, want, &got);
    if (status == RADVAR_SUCCESS && got < want) {
        snprintf(why, why_len, "'%s' is truncated or not gzip/IDX: no complete header", path);
        status = RADVAR_EFORMAT;
    }
    if (status != RADVAR_SUCCESS)
        return status;
    if (big_endian(head) != magic) {
        snprintf(why, why_len, "'%s' is not an IDX %s file (magic 0x%08x, expected 0x%08x)", path,
                 ndim == 3 ? "image" : "label", big_endian(head), magic);
        return RADVAR_EFORMAT;
    }
    for (int k = 0; k < ndim; k++)
        dims[k] = big_endian(head + 4 + 4 * k);
    return RADVAR_SUCCESS;
}

void radvar_idx_free(radvar_idx_data *data)
{
    free(data->images);
    free(data->labels);
    memset(data, 0, sizeof *data);
}

int radvar_idx_load(const char *images_path, const char *labels_path, size_t max_count,
                    radvar_idx_data *data, char *why, size_t why_len)
{
    memset(data, 0, sizeof *data);
    uint32_t idims[3], ldims[1];
    source si, sl;
    unsigned char *raw = NULL;
    memset(&sl, 0, sizeof sl);
    int status = idx_open(&si, images_path, 0x00000803u, 3, idims, why, why_len);
    if (status == RADVAR_SUCCESS)
        status = idx_open(&sl, labels_path, 0x00000801u, 1, ldims, why, why_len);
    if (status != RADVAR_SUCCESS)
        goto done;
    status = RADVAR_EFORMAT;
    if (idims[0] != ldims[0]) {
        snprintf(why, why_len, "'%s' holds %u images but '%s' %u labels", images_path, idims[0],
                 labels_path, ldims[0]);
        goto done;
    }
    if (idims[0] == 0) {
        snprintf(why, why_len, "'%s' holds no images", images_path);
        goto done;
    }
    if (idims[1] == 0 || idims[2] == 0 || idims[1] > 4096 || idims[2] > 4096) {
        snprintf(why, why_len, "'%s' has implausible image size %u x %u", images_path, idims[1], idims[2]);
        goto done;
    }
    /* count <= 2^32 and pixels <= 2^24: the products fit a 64-bit size_t */
    size_t count = idims[0], pixels = (size_t)idims[1] * idims[2];
    if (max_count && max_count < count)
        count = max_count;
    if ((status = read_all(&si, count * pixels, &raw, "its images")) != RADVAR_SUCCESS
        || (status = finish(&si, ((size_t)idims[0] - count) * pixels, "images")) != RADVAR_SUCCESS
        || (status = read_all(&sl, count, &data->labels, "its labels")) != RADVAR_SUCCESS
        || (status = finish(&sl, (size_t)idims[0] - count, "labels")) != RADVAR_SUCCESS)
        goto done;
    status = RADVAR_EFORMAT;
    for (size_t i = 0; i < count; i++)
        if (data->labels[i] > 9) {
            snprintf(why, why_len, "'%s': label %u of example %zu is not in 0..9", labels_path,
                     data->labels[i], i);
            goto done;
        }
    data->images = malloc(count * pixels * sizeof *data->images);
    if (data->images == NULL) {
        snprintf(why, why_len, "out of memory for %zu images", count);
        status = RADVAR_ENOMEM;
        goto done;
    }
    for (size_t i = 0; i < count * pixels; i++)
        data->images[i] = (float)raw[i] / 255.0f;
    data->count = count;
    data->rows = idims[1];
    data->cols = idims[2];
    status = RADVAR_SUCCESS;
done:
    free(raw);
    source_close(&si);
    source_close(&sl);
    if (status != RADVAR_SUCCESS)
        radvar_idx_free(data);
    return status;
}
