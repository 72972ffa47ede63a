/* sim_source.h: where the Monte Carlo engine gets its gradient noise; private.
 *
 * The engine (sim.c) runs a chunk of trials in lockstep over the steps and
 * forms each gradient as g = mu + sigma e from the unit-variance noise e of a
 * source.  A source fills the noise of 4 consecutive steps for every trial of
 * the chunk at once:
 *
 *   fill(params, ctx, block, e):  e[s * ctx->stride + l] = the noise of trial
 *       ctx->first_stream + l at step t = 4 block + 1 + s, s = 0..3,
 *       l < ctx->lanes.
 *
 * The noise of a trial must be a pure function of (seed, generator, trial, t)
 * and of the source's parameters -- never of the chunk, lane or thread -- so
 * that results stay the same for any number of threads and processes.  Draw
 * the normals with the generator's own functions (radvar_rng_normal_v2_lanes
 * or radvar_v2_normals on the ctx's stream words for version 2, radvar_rng_gauss_pair_lanes
 * for version 1) and other variates from words no normal uses
 * (radvar_rng_v2_words with a domain of the model's own; radvar_rng_uniform_bits
 * for version 1).  A source with memory (an AR(1)) keeps it in ctx->state,
 * state_doubles values per lane (state[i * stride + l]), zeroed when a chunk
 * starts (block 0), and carried from one block to the next.
 *
 * The standard normal source (radvar_sim_source_normal) is special-cased: with the
 * EMA and generator 2 the engine does not call it but runs its fused kernel
 * (normals in single precision straight into the EMA); any other source runs
 * the general loop, about half as fast (see the README's benchmark).  The
 * noise models plug in here: a radvar_noise in the configuration selects a
 * source, the rest of the engine is unchanged.
 */
#ifndef RADVAR_SRC_SIM_SOURCE_H
#define RADVAR_SRC_SIM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#include "radvar/noise.h"

typedef struct {
    uint64_t seed;
    int generator;          /* 1 or 2 */
    uint64_t first_stream;  /* the trial of lane 0 */
    size_t lanes, stride;   /* trials in this chunk; the row length of e and state */
    const uint32_t *c2, *c3; /* version 2's stream words of the lanes (rng_v2.h) */
    int avx2;               /* the instruction-set path to take */
    float *scratch;         /* 4 x stride floats the source may use */
    double *state;          /* state_doubles x stride, see above */
} sim_source_ctx;

typedef struct {
    const char *name;
    size_t state_doubles;
    void (*fill)(const void *params, const sim_source_ctx *ctx, uint64_t block, double *e);
    const void *params;
} sim_source;

/* Gaussian noise: e = radvar_rng_normal(generator, seed, trial, t - 1). */
extern const sim_source radvar_sim_source_normal;

/* The noise models of radvar/noise.h (sim_noise.c describes how each one is
 * drawn).  A model's constants, computed once; the source's params point to
 * them, so they must outlive the source. */
typedef struct {
    radvar_noise model;
    double scale;       /* student sqrt(nu - 2); mixture c = 1/sqrt(1 - p + p k^2) */
    double scale_k;     /* mixture c k */
    double d, c;        /* student: Marsaglia-Tsang's d = nu/2 - 1/3, c = 1/sqrt(9 d) */
    double innovation;  /* ar1: sqrt(1 - phi^2) */
} sim_noise_params;

/* The source of model n into *src, its constants into *p (src->params = p);
 * the normal model gives radvar_sim_source_normal itself.
 * exceptions: RADVAR_EINVAL (an invalid model: radvar_noise_check). */
int radvar_sim_noise_source(const radvar_noise *n, sim_noise_params *p, sim_source *src);

/* The Philox words a source draws its non-normal variates from: counter
 * {block, tag | domain, trial low, trial high} under the key {seed low, seed
 * high}, tag 0x02000000 for generator 2 (radvar_rng_v2_words) and 0xff000000
 * for generator 1; domain 1 .. 2^24 - 1.  For the tests. */
void radvar_sim_noise_words(int generator, uint64_t seed, uint64_t trial, uint32_t domain,
                            uint64_t block, uint32_t out[4]);

/* For sims/bench_mc.c only (not the API): mode 1 makes a simulation's fused
 * AVX2 kernel load block 0's normals at every block instead of generating
 * them (the kernel's floor without its generator; the results are then
 * meaningless), mode 2 runs the general loop where the fused kernel would
 * run (the speed a noise model gets).  RADVAR_EINVAL for mode 1 where the
 * fused AVX2 kernel is not used, or an unknown mode. */
struct radvar_sim;
int radvar_sim_bench_mode(struct radvar_sim *s, int mode);

#endif
