/* fuzz_idx.c: the IDX loader (experiments/idx.c).  Input: one byte for
 * max_count (0: all), four bytes (little-endian) for where the images file
 * ends, then the images file and the labels file, each written to a temp
 * file and loaded.  Checks: a refusal says why in one printable line and
 * leaves the data empty; an accepted set has 1 to max_count examples, its
 * labels in 0..9 and its pixels in [0, 1]. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "fuzz_util.h"
#include "idx.h"

static char dir[64];

static void cleanup(void)
{
    char path[96];
    snprintf(path, sizeof path, "%s/images", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/labels", dir);
    unlink(path);
    rmdir(dir);
}

static void put(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5)
        return 0;
    if (dir[0] == '\0') {
        snprintf(dir, sizeof dir, "%s/radvar-fuzz-idx-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
        FUZZ_CHECK(mkdtemp(dir) != NULL);
        atexit(cleanup);
    }
    size_t max_count = data[0];
    size_t split = (size_t)data[1] | (size_t)data[2] << 8 | (size_t)data[3] << 16 | (size_t)data[4] << 24;
    data += 5;
    size -= 5;
    if (split > size)
        split = size;
    char images[96], labels[96], why[512];
    snprintf(images, sizeof images, "%s/images", dir);
    snprintf(labels, sizeof labels, "%s/labels", dir);
    put(images, data, split);
    put(labels, data + split, size - split);
    radvar_idx_data d;
    int status = radvar_idx_load(images, labels, max_count, &d, why, sizeof why);
    if (status != RADVAR_SUCCESS) {
        FUZZ_CHECK(status == RADVAR_EFORMAT || status == RADVAR_EIO || status == RADVAR_ENOMEM);
        FUZZ_CHECK(d.count == 0 && d.images == NULL && d.labels == NULL);
        fuzz_check_message(why);
        return 0;
    }
    FUZZ_CHECK(d.count >= 1 && (max_count == 0 || d.count <= max_count));
    FUZZ_CHECK(d.rows >= 1 && d.cols >= 1);
    for (size_t i = 0; i < d.count; i++)
        FUZZ_CHECK(d.labels[i] <= 9);
    for (size_t i = 0; i < d.count * d.rows * d.cols; i++)
        FUZZ_CHECK(d.images[i] >= 0.0f && d.images[i] <= 1.0f);
    radvar_idx_free(&d);
    return 0;
}
