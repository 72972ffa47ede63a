/* rng_v2.h: generator version 2 for the engine; private (see radvar/rng.h).
 *
 * Version 2 draws normal number i of stream s under seed k from the Philox4x32-10
 * words of key {k low, k high}, counter {i / 4, RNG_V2_TAG, s low, s high}:
 * words (w0, w1) make normals 4p and 4p + 1 by Box-Muller in single precision
 * (rng_v2_box_muller), words (w2, w3) normals 4p + 2 and 4p + 3.  Other draws
 * of version 2 (the noise models' uniforms) use the tags RNG_V2_TAG | domain,
 * domain 1 .. 2^24 - 1, so that they never reuse the normals' words. */
#ifndef RADVAR_SRC_RNG_V2_H
#define RADVAR_SRC_RNG_V2_H

#include <stddef.h>
#include <stdint.h>

#define RNG_V2_TAG 0x02000000u
#define RNG_V2_BLOCK 4 /* normals per Philox call and stream */

/* The stream counters of lanes first_stream .. first_stream + lanes - 1:
 * c2[l] = low and c3[l] = high 32 bits of the stream number. */
void radvar_v2_stream_words(uint64_t first_stream, size_t lanes, uint32_t *c2, uint32_t *c3);

/* Normals 4 block .. 4 block + 3 of the lanes (streams given by c2, c3) into
 * out[s * stride + l], s = 0..3, l < lanes; the AVX2 instantiation when avx2
 * is set (the same bits). */
void radvar_v2_normals(uint64_t seed, const uint32_t *c2, const uint32_t *c3, size_t lanes,
                    uint32_t block, float *out, size_t stride, int avx2);

/* The transform alone (for the tests): (n0[i], n1[i]) from the words
 * (a[i], b[i]), i < n, on the AVX2 path when avx2 is set. */
void radvar_v2_pairs(const uint32_t *a, const uint32_t *b, size_t n, float *n0, float *n1, int avx2);

#endif
