/* radvar/rng.h: counter-based Gaussian random numbers.
 *
 * A draw is a pure function of (seed, stream, index): the same number whatever
 * the order, thread or process that asks for it (Random123's design).  The
 * simulations use one stream per trial and one index per step, so the result
 * of a trial does not depend on how trials are spread over threads.
 *
 * Two generators, by version number (a simulation records the one it used):
 *   1  Philox4x32-10 and the ziggurat in double precision (radvar_rng_gauss
 *      and the functions after it): the only generator of radvar 0.1 and 0.2,
 *      kept unchanged bit for bit so that their results can be reproduced;
 *   2  Philox4x32-10 and Box-Muller in single precision (radvar_rng_normal_v2
 *      and after): about three times faster in the simulations, the default.
 * The versions are different streams: the same seed gives other numbers.
 *
 * Version 1 bits: Philox4x32-10 (Salmon et al. 2011, Random123) with
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

/* ---- generator versions ---- */

#define RADVAR_RNG_V1 1
#define RADVAR_RNG_V2 2
#define RADVAR_RNG_DEFAULT RADVAR_RNG_V2 /* what a new simulation uses */

/* A one-line description of generator `version` (for output headers), or
 * NULL when there is no such version. */
RADVAR_API const char *radvar_rng_generator_name(int version);

/* The standard normal draw number `index` of `stream` under `seed` from
 * generator `version`; NaN for an unknown version. */
RADVAR_API double radvar_rng_normal(int version, uint64_t seed, uint64_t stream, uint64_t index);

/* ---- version 2 ----
 * Bits: Philox4x32-10 with key = {seed low, seed high} and counter
 *   {index / 4, 0x02000000, stream low 32 bits, stream high 32 bits};
 * its words (w0, w1) give the draws 4p and 4p + 1, (w2, w3) the draws 4p + 2
 * and 4p + 3 (p = index / 4, which wraps at 2^32: 1.7e10 draws per stream).
 * Two words (a, b) make the pair R cos(theta), R sin(theta) (Box-Muller), in
 * single precision:
 *   R = sqrt(-2 ln u), u = (a + 1/2) 2^-32, computed from 1 - u when u >= 1/2
 *     so that small R keep their relative precision;
 *   theta = (o + (r + 1/2) 2^-23) pi/4, o = the top 3 bits of b, r the next 23.
 * Properties (tests/ref/make_generator_refs.py measures them):
 *   - each value is the exact Box-Muller map at that grid point of (u, theta)
 *     to within 5 units in the last place of a float (relative error
 *     below 3e-7);
 *   - |draw| <= 6.7637 (R at a = 0): the tail beyond is cut, a normal
 *     exceeds it with probability 1.35e-11; the tail below it is the exact
 *     one, resolved in steps of probability 2^-32 (u's grid);
 *   - no draw is 0: R >= 2^-16 and |cos|, |sin| >= 4.7e-8 on the grid,
 *     and R is accurate down to its smallest value (no loss as u -> 1);
 *   - the distribution is symmetric exactly (octant reflections are exact).
 */
RADVAR_API float radvar_rng_normal_v2(uint64_t seed, uint64_t stream, uint64_t index);

/* The draws 4 block .. 4 block + 3 of the streams first_stream ..
 * first_stream + lanes - 1: out[s * lanes + l] = radvar_rng_normal_v2(seed,
 * first_stream + l, 4 block + s), s = 0..3 (vectorised). */
RADVAR_API void radvar_rng_normal_v2_lanes(uint64_t seed, uint64_t first_stream, size_t lanes,
                                           uint64_t block, float *out);

/* Four words for other draws that go with version 2's normals (the noise
 * models' uniforms): Philox4x32-10 of counter {block, 0x02000000 | domain,
 * stream}, domain 1 .. 2^24 - 1 (domain 0 would be the normals' words; only
 * the low 24 bits of domain are used). */
RADVAR_API void radvar_rng_v2_words(uint64_t seed, uint64_t stream, uint32_t domain, uint64_t block,
                                    uint32_t out[4]);

RADVAR_END_DECLS

#endif
