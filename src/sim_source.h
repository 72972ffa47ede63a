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

/* For sims/bench_mc.c only (not the API): mode 1 makes a simulation's fused
 * AVX2 kernel load block 0's normals at every block instead of generating
 * them (the kernel's floor without its generator; the results are then
 * meaningless), mode 2 runs the general loop where the fused kernel would
 * run (the speed a noise model gets).  RADVAR_EINVAL for mode 1 where the
 * fused AVX2 kernel is not used, or an unknown mode. */
struct radvar_sim;
int radvar_sim_bench_mode(struct radvar_sim *s, int mode);

#endif
