/* checksum.h: FNV-1a, 64 bits, the checksum of saved optimizer states;
 * private.  h = radvar_checksum_fnv1a(h, data, len) from RADVAR_FNV1A_INIT. */
#ifndef RADVAR_SRC_CHECKSUM_H
#define RADVAR_SRC_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

#define RADVAR_FNV1A_INIT 14695981039346656037ULL

static inline uint64_t radvar_checksum_fnv1a(uint64_t h, const void *data, size_t len)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#endif
