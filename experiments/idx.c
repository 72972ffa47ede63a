/* idx.c: the IDX reader, through zlib's gz* functions, which read gzip and
 * plain files alike. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "idx.h"

static int read_exact(gzFile f, void *buf, size_t len)
{
    unsigned char *p = buf;
    while (len > 0) {
        unsigned chunk = len > (1u << 30) ? 1u << 30 : (unsigned)len;
        int got = gzread(f, p, chunk);
        if (got <= 0)
            return 0;
        p += got;
        len -= (size_t)got;
    }
    return 1;
}

static uint32_t big_endian(const unsigned char b[4])
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* Open an IDX file and read its header; dims[0..ndim). */
static int idx_open(const char *path, uint32_t magic, int ndim, uint32_t *dims, gzFile *out,
                    char *why, size_t why_len)
{
    gzFile f = gzopen(path, "rb");
    if (f == NULL) {
        snprintf(why, why_len, "cannot open '%s'", path);
        return RADVAR_EIO;
    }
    unsigned char head[16];
    if (!read_exact(f, head, 4 + 4 * (size_t)ndim)) {
        snprintf(why, why_len, "'%s' is truncated or not gzip/IDX: no complete header", path);
        gzclose(f);
        return RADVAR_EFORMAT;
    }
    if (big_endian(head) != magic) {
        snprintf(why, why_len, "'%s' is not an IDX %s file (magic 0x%08x, expected 0x%08x)", path,
                 ndim == 3 ? "image" : "label", big_endian(head), magic);
        gzclose(f);
        return RADVAR_EFORMAT;
    }
    for (int k = 0; k < ndim; k++)
        dims[k] = big_endian(head + 4 + 4 * k);
    *out = f;
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
    gzFile fi = NULL, fl = NULL;
    int status = idx_open(images_path, 0x00000803u, 3, idims, &fi, why, why_len);
    if (status == RADVAR_SUCCESS)
        status = idx_open(labels_path, 0x00000801u, 1, ldims, &fl, why, why_len);
    if (status != RADVAR_SUCCESS)
        goto fail;
    status = RADVAR_EFORMAT;
    if (idims[0] != ldims[0]) {
        snprintf(why, why_len, "'%s' holds %u images but '%s' %u labels", images_path, idims[0],
                 labels_path, ldims[0]);
        goto fail;
    }
    if (idims[1] == 0 || idims[2] == 0 || idims[1] > 4096 || idims[2] > 4096) {
        snprintf(why, why_len, "'%s' has implausible image size %u x %u", images_path, idims[1], idims[2]);
        goto fail;
    }
    size_t count = idims[0], pixels = (size_t)idims[1] * idims[2];
    if (max_count && max_count < count)
        count = max_count;
    unsigned char *raw = malloc(count * pixels);
    data->images = malloc(count * pixels * sizeof *data->images);
    data->labels = malloc(count ? count : 1);
    if (raw == NULL || data->images == NULL || data->labels == NULL) {
        free(raw);
        snprintf(why, why_len, "out of memory for %zu images", count);
        status = RADVAR_ENOMEM;
        goto fail;
    }
    if (!read_exact(fi, raw, count * pixels)) {
        free(raw);
        snprintf(why, why_len, "'%s' is truncated (or its compressed data is corrupt)", images_path);
        goto fail;
    }
    if (!read_exact(fl, data->labels, count)) {
        free(raw);
        snprintf(why, why_len, "'%s' is truncated (or its compressed data is corrupt)", labels_path);
        goto fail;
    }
    for (size_t i = 0; i < count * pixels; i++)
        data->images[i] = (float)raw[i] / 255.0f;
    free(raw);
    for (size_t i = 0; i < count; i++)
        if (data->labels[i] > 9) {
            snprintf(why, why_len, "'%s': label %u of example %zu is not in 0..9", labels_path,
                     data->labels[i], i);
            goto fail;
        }
    data->count = count;
    data->rows = idims[1];
    data->cols = idims[2];
    gzclose(fi);
    gzclose(fl);
    return RADVAR_SUCCESS;
fail:
    if (fi)
        gzclose(fi);
    if (fl)
        gzclose(fl);
    radvar_idx_free(data);
    return status;
}
