/* radvar/rng.h: counter-based Gaussian random numbers.
 *
 * A draw is a pure function of (seed, stream, index): the same number whatever
 * the order, thread or process that asks for it (Random123's design).  The
 * simulations use one stream per trial and one index per step, so the result
 * of a trial does not depend on how trials are spread over threads.
 *
 * Bits: Philox4x32-10 (Salmon et al. 2011, Random123) with
 *   key     = {seed low 32 bits, seed high 32 bits},
 *   counter = {index / 2, retry, stream low 32 bits, stream high 32 bits}.
 * Index 2p uses words 0-1 of counter {p, 0, ...}, index 2p+1 words 2-3.
 * Gaussians: the ziggurat method in Doornik's ZIGNOR form (256 layers; the
 * layer index and the uniform come from independent bits), 53-bit uniforms;
 * a rejected draw continues with the words of counters {p, retry >= 1, ...}.
 *
 * Thread safety: no handles; a draw is a pure function of its arguments and
 * every function may be called from several threads at once (the ziggurat
 * tables are built once, under pthread_once).
 */
#ifndef RADVAR_RNG_H
#define RADVAR_RNG_H

#include <stddef.h>

#include "radvar/common.h"
#include <stdint.h>

RADVAR_BEGIN_DECLS

/* Philox4x32 with 10 rounds: out = philox(ctr, key). */
RADVAR_API void radvar_rng_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/* The standard normal draw number `index` of `stream` under `seed`. */
RADVAR_API double radvar_rng_gauss(uint64_t seed, uint64_t stream, uint64_t index);

/* Draws 2 pair and 2 pair + 1 of the streams first_stream .. first_stream +
 * lanes - 1, into even[l] and odd[l]: the same numbers as radvar_rng_gauss, many
 * streams at once (vectorised). */
RADVAR_API void radvar_rng_gauss_pair_lanes(uint64_t seed, uint64_t first_stream, size_t lanes, uint64_t pair,
                             double *even, double *odd);

/* 64 uniform bits number `index` of `stream` under `seed` (words 0-1 of
 * counter {index, 0xffffffff, stream}: a retry value the Gaussians never use). */
RADVAR_API uint64_t radvar_rng_uniform_bits(uint64_t seed, uint64_t stream, uint64_t index);

/* n consecutive draws of one stream from index first. */
RADVAR_API void radvar_rng_gauss_fill(uint64_t seed, uint64_t stream, uint64_t first, size_t n, double *out);

RADVAR_END_DECLS

#endif
