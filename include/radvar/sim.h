/* radvar/sim.h: Monte Carlo of Adam's adaptive learning rate psi_t.
 *
 * Each trial draws gradients g_t = mu + sigma e_t, t = 1..T, with the noise e_t
 * from the configuration's model (radvar/noise.h; the default, normal, gives
 * g_t ~ N(mu, sigma^2)), and forms
 *   EMA: v_t = beta2 v_{t-1} + (1 - beta2) g_t^2, v_0 = 0,
 *        psi_t = sqrt((1 - beta2^t) / v_t);
 *   SMA: psi_t^2 = k_t / (g_{t-k_t+1}^2 + ... + g_t^2), with the window
 *        k_t = min(t, round(rho_t)) (rho_t from the schedule module) or
 *        k_t = min(t, k) for a fixed k.
 * At each reported step the moments of psi_t over the trials are kept
 * (radvar_stats_moments); the rectified r_t psi_t has the same moments scaled by r_t.
 *
 * Reproducibility: g_t of trial i is mu + sigma radvar_rng_normal(generator,
 * seed, i, t - 1) (generator 1: radvar_rng_gauss; 2: radvar_rng_normal_v2) for
 * the normal model; the other models use the same normals and Philox words
 * of counters of their own (radvar_rng_v2_words for generator 2; src/sim_noise.c
 * says which), so e_t is a pure function of (seed, generator, i, t), and trials
 * are processed in fixed chunks, chunks in fixed superchunks of 16; chunk
 * moments merge in chunk order into their superchunk's, and superchunks merge
 * in order into the totals.  That tree depends on the configuration only, so
 * the result is bit for bit the same for any number of threads or processes
 * (radvar-mpi computes superchunks on several ranks and merges them in order),
 * and on the AVX2 and the portable code paths.  Generator 1 gives the results
 * of radvar 0.2 bit for bit; generator 2 (the default) is a different stream.
 * Memory: O(reported steps x threads) plus, for the SMA, a ring buffer of the
 * window per trial in flight, plus the psi^2 samples at the KS steps.
 *
 * Use (GSL's alloc / iterate / free):
 *   radvar_sim_config cfg; radvar_sim_config_default(&cfg);
 *   cfg.beta2 = 0.999; cfg.steps = 6000; cfg.trials = 10000; ...
 *   radvar_sim *s; radvar_sim_alloc(&cfg, &s);
 *   while (radvar_sim_iterate(s) == RADVAR_CONTINUE && !stop) ;
 *   ... radvar_sim_moments(s, k) ...; radvar_sim_free(s);
 */
#ifndef RADVAR_SIM_H
#define RADVAR_SIM_H

#include <stddef.h>
#include <stdint.h>

#include "radvar/common.h"
#include "radvar/noise.h"
#include "radvar/stats.h"

RADVAR_BEGIN_DECLS

typedef enum { RADVAR_AVERAGE_EMA = 0, RADVAR_AVERAGE_SMA = 1 } radvar_average;

typedef struct {
    double beta2;           /* [0, 1) */
    uint64_t steps;         /* T >= 1 */
    uint64_t trials;        /* N >= 2 */
    double mu, sigma;       /* gradient mean (finite) and scale (> 0) */
    uint64_t seed;
    int threads;            /* 1 .. 1024 */
    radvar_average average;
    uint64_t window;        /* SMA only: 0 = round(rho_t), else a fixed k >= 1 */
    const uint64_t *report; /* reported steps, strictly increasing, in [1, T] */
    size_t n_report;
    const uint64_t *ks;     /* steps whose psi^2 samples are kept (subset of report) */
    size_t n_ks;
    uint64_t first_trial;   /* trials first_trial .. first_trial + trials - 1 */
    int generator;          /* the Gaussian generator's version (radvar/rng.h):
                               1 or 2; 0 means RADVAR_RNG_DEFAULT */
    radvar_noise noise;     /* the gradient noise e_t (radvar/noise.h), a valid
                               model; decay: 2 a ln(1 + steps/tau) <= 690 (the
                               scale stays above 1e-150) */
} radvar_sim_config;

/* Defaults: beta2 0.999, 1000 steps, 1000 trials, mu 0, sigma 1, seed 1,
 * 1 thread, the EMA, no window, no reported steps (set report and
 * n_report), no KS steps, first trial 0, generator RADVAR_RNG_DEFAULT (2),
 * the normal noise model. */
RADVAR_API void radvar_sim_config_default(radvar_sim_config *cfg);

/* A handle must not be used by two threads at once (it runs its own threads
 * inside radvar_sim_iterate); distinct handles are independent. */
typedef struct radvar_sim radvar_sim;

/* Validate cfg and allocate.  exceptions: RADVAR_EINVAL (with *out = NULL),
 * RADVAR_ENOMEM. */
RADVAR_API int radvar_sim_alloc(const radvar_sim_config *cfg, radvar_sim **out);

/* Run and merge the next superchunk (its chunks spread over the threads);
 * RADVAR_CONTINUE while trials remain, RADVAR_SUCCESS when all are done. */
RADVAR_API int radvar_sim_iterate(radvar_sim *s);

/* Trials whose results are in the moments so far (a whole number of chunks). */
RADVAR_API uint64_t radvar_sim_trials_done(const radvar_sim *s);
RADVAR_API uint64_t radvar_sim_trials_total(const radvar_sim *s);

/* Moments of psi_t over the trials done, at cfg.report[k]. */
RADVAR_API const radvar_stats_moments *radvar_sim_moments(const radvar_sim *s, size_t k);

/* The SMA window k_t at cfg.report[k] (the EMA: rho_t), i.e. the degrees of
 * freedom of the scaled-inverse-chi2 model for that step. */
RADVAR_API double radvar_sim_dof(const radvar_sim *s, size_t k);

/* What the moments at cfg.report[k] say, beside the model:
 *   t, rho_t, dof            the step, the paper's rho_t and the number of
 *                            gradients the model averages: the SMA window
 *                            k_t, or rho_t for the EMA;
 *   mean_psi, var_psi        sample mean and (n-1) variance of psi_t; inf
 *                            where the population moment is infinite
 *                            (E[psi] with 1 gradient averaged, E[psi^2] with
 *                            2 or fewer: the EMA at t <= 2 or beta2 = 0);
 *   se_var_psi               standard error of var_psi from the sample fourth
 *                            moment; inf where psi_t has no fourth moment
 *                            (4 or fewer gradients averaged);
 *   *_rect_psi               the same for r_t psi_t, r_t the paper's term at
 *                            dof (NaN where dof <= 4);
 *   var_model                Var[psi] of the model (radvar_sim_model):
 *                            Theorem 1 at nu dof with tau2 = 1/(mu^2 + sigma^2),
 *                            nu = (1+m^2)^2/(1+2m^2), m = mu/sigma (for mu = 0:
 *                            Theorem 1 at dof, 1/sigma^2); inf where nu dof <= 2;
 *                            under a noise model, nu and tau2 of that model
 *                            (radvar_sim_model), NaN where it has none;
 *   rho_eff, _lo, _hi        the dof at which the model's variance equals
 *                            var_psi (in the units of dof: the model's rho
 *                            divided by nu), with a 95% interval from
 *                            var_psi -/+ 1.96 se (2/nu and inf where se is not
 *                            finite); NaN where var_psi is infinite or the
 *                            model has no dof (nu = 0 or NaN).
 * exceptions: RADVAR_EINVAL (k >= n_report). */
typedef struct {
    double t, rho_t, dof;
    double mean_psi, var_psi, se_var_psi;
    double mean_rect_psi, var_rect_psi, se_var_rect_psi;
    double var_model, rho_eff, rho_eff_lo, rho_eff_hi;
} radvar_sim_summary;
RADVAR_API int radvar_sim_summarize(const radvar_sim *s, size_t k, radvar_sim_summary *out);

/* The model of psi_t^2 at cfg.report[k]: Scale-inv-chi2(*rho, *tau2) with
 * rho = nu dof and tau2 = 1/(mu^2 + sigma^2), the scaled inverse chi-square
 * whose gradients' squares have the mean and variance of (mu + sigma Z)^2
 * (Satterthwaite); the paper's model for mu = 0.  Under a noise model the
 * match is to that model's g^2: nu = 2 (1+m^2)^2 / ((kappa-1) + 4 m^2) for the
 * i.i.d. models (kappa the kurtosis; nu = 0 where it is infinite), and for
 * ar1 and decay under the EMA nu = rho_mm(t) / rho_moment(t)
 * (radvar_noise_rho_mm) with tau2 = 1/E[X] (radvar_noise_mean_square); ar1
 * and decay under the SMA have no model (rho = tau2 = NaN).
 * exceptions: RADVAR_EINVAL. */
RADVAR_API int radvar_sim_model(const radvar_sim *s, size_t k, double *rho, double *tau2);

/* The exact Var[psi_t] at cfg.report[k] for the configuration, from
 * radvar/exact.h (the EMA; the SMA with mu != 0 as equal weights) or
 * Theorem 1 (the SMA with mu = 0, exact there), for any mu: +inf where it is
 * infinite (2 or fewer gradients averaged).  Under a noise model, the EMA's
 * from radvar_exact_moments_ema_noise; the SMA has none (RADVAR_EDOM).  It
 * reads the configuration only, so it may run while another thread iterates
 * the handle.
 * exceptions: RADVAR_EINVAL (k >= n_report), RADVAR_EMAXITER (as in
 * radvar/exact.h), RADVAR_EDOM (an SMA window above 100000 with mu != 0, the
 * SMA under a noise model other than normal, or the exact module's domain),
 * RADVAR_ENOMEM. */
RADVAR_API int radvar_sim_var_exact_e(const radvar_sim *s, size_t k, radvar_result *r);

/* The Kolmogorov-Smirnov test of the psi^2 samples at cfg.ks[j] (the trials
 * done) against the model of radvar_sim_model (NaN with no trial done, and
 * where the model has no dof: NaN, or 0 under infinite kurtosis).
 * exceptions: RADVAR_EINVAL (j >= n_ks), RADVAR_ENOMEM (it sorts a copy). */
RADVAR_API int radvar_sim_ks_test(const radvar_sim *s, size_t j, double *distance, double *p_value);

/* The psi^2 samples at cfg.ks[j], one per trial, in trial order (the
 * entries of trials not done yet are unspecified); NULL for j >= n_ks. */
RADVAR_API const double *radvar_sim_ks_sample(const radvar_sim *s, size_t j);

/* The generator version the simulation draws from (1 or 2; 0 in the
 * configuration resolved to the default). */
RADVAR_API int radvar_sim_generator(const radvar_sim *s);

/* The number of trials per chunk (a function of the configuration only). */
RADVAR_API uint64_t radvar_sim_chunk_trials(const radvar_sim *s);

RADVAR_API void radvar_sim_free(radvar_sim *s);

/* The same work for one chunk: moments of chunk c (trials c*chunk .. ) at every
 * reported step into out[0..n_report). */
RADVAR_API int radvar_sim_run_chunk(radvar_sim *s, uint64_t chunk, radvar_stats_moments *out);

/* Distributing the work over processes (what radvar_sim_iterate does in one):
 * the number of superchunks; the trials of superchunk k (count, and the first
 * trial index in *first); its moments, computed with the threads into
 * out[0..n_report) (and its psi^2 samples into this handle's KS arrays at
 * trials first ..); and the merge of those moments into the totals, which
 * must come in order k = 0, 1, ... (RADVAR_EINVAL otherwise, or for
 * k >= the number of superchunks).  ks_part, when not NULL, holds for each
 * KS step j the superchunk's psi^2 samples (ks_part[j][0..count)), computed
 * by another process; NULL means they were computed by this handle. */
RADVAR_API uint64_t radvar_sim_supers(const radvar_sim *s);
RADVAR_API uint64_t radvar_sim_super_trials(const radvar_sim *s, uint64_t super, uint64_t *first);
RADVAR_API int radvar_sim_run_super(radvar_sim *s, uint64_t super, radvar_stats_moments *out);
RADVAR_API int radvar_sim_merge_super(radvar_sim *s, uint64_t super, const radvar_stats_moments *part,
                                      const double *const *ks_part);

RADVAR_END_DECLS

#endif
