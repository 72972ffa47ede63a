/* experiments/idx.h: the IDX files of (Fashion-)MNIST, gzip-compressed or not.
 *
 * IDX (LeCun et al.): a big-endian magic 0x00000803 (unsigned bytes, three
 * dimensions: count, rows, columns) for images and 0x00000801 (one dimension)
 * for labels, then the dimensions as big-endian 32-bit integers, then the data.
 * Debian's dataset-fashion-mnist installs them under
 * /usr/share/datasets/fashion-mnist as train-{images-idx3,labels-idx1}-ubyte.gz
 * and t10k-....gz.
 */
#ifndef RADVAR_EXPERIMENTS_IDX_H
#define RADVAR_EXPERIMENTS_IDX_H

#include <stddef.h>
#include <stdint.h>

#include "radvar/common.h"

typedef struct {
    size_t count, rows, cols;
    float *images;   /* count x rows x cols, pixels scaled to [0, 1] */
    uint8_t *labels; /* count, each in 0..9 */
} radvar_idx_data;

/* Load images and labels from IDX files (gzip or plain), keeping the first
 * max_count examples (0: all).  On error returns RADVAR_EIO (cannot open or
 * read) or RADVAR_EFORMAT (wrong magic, truncated data, labels > 9, counts of
 * images and labels that differ), fills *data with zeros, and writes a
 * one-line reason into why[0..why_len). */
int radvar_idx_load(const char *images_path, const char *labels_path, size_t max_count,
                      radvar_idx_data *data, char *why, size_t why_len);

void radvar_idx_free(radvar_idx_data *data);

#endif
