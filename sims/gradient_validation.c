/* gradient_validation.c: does the variance analysis hold on real gradients?
 *
 *   gradient_validation BETA2 OUT_PREFIX LOG1 LOG2 ... LOGS
 *
 * Each LOG is the --log-grads file of one training run (seeds 1..S, the same
 * model, data, optimizer, learning rate and --coord-seed, so that column c is
 * the same coordinate in every run).  For coordinate c, seed s and step t,
 * psi_t = sqrt((1 - b2^t)/v_t) with v_t = b2 v_(t-1) + (1 - b2) g_t^2, v_0 = 0
 * (Adam's own v, recomputed in double from the logged float32 gradients), is
 * one draw per seed.
 *
 * The runs should differ only in their minibatches (train --init-seed), so
 * that coordinate c plays the same part in every run and the spread of its
 * psi_t across runs is the minibatch noise the theory is about.
 *
 * Normalisation: psi_t scales as 1/|g|, so each coordinate's draws are
 * multiplied by its gradient scale q_c = sqrt(mean g^2) over all seeds and
 * steps (one number per coordinate, shared by the seeds: it rescales, and
 * leaves the seed-to-seed variation in).  In these units the Gaussian theory
 * with E[g^2] = 1 applies directly.  Per coordinate, Var[psi_t] is the
 * across-seed sample variance (n - 1) of q_c psi_t; pooled over coordinates
 * it is the geometric mean (the coordinates' variances span decades, and an
 * arithmetic mean would be one coordinate's), and so are the theories'.  Its
 * standard error is a jackknife over the seeds of the log of the pooled
 * value (the jackknife keeps the correlation between the coordinates of one
 * network).  Coordinates whose v_t is 0 at some compared t in some run (a
 * gradient exactly 0 until then) are left out and counted.
 *
 * Theory, per coordinate (in q_c units), then averaged over coordinates:
 *   var_gauss  the exact EMA Var[psi_t] for i.i.d. N(mu_c, sd_c^2)
 *              (radvar_exact_moments_ema), mu_c and sd_c over all seeds and
 *              steps;
 *   var_rho_t  Theorem 1 at rho_t with tau2 = 1 (the paper's SMA model);
 *   var_fit    the exact EMA Var[psi_t] under the noise model fitted to the
 *              coordinate's S series (concatenated, the steps 1..T of each
 *              given to the decay model; radvar_gradstats_fit_all), with its
 *              mu and sigma (radvar_exact_moments_ema_noise);
 *   var_path   Gaussian noise around the run's own path: g_i = m_i + s_i Z_i
 *              with m_i and s_i the mean and standard deviation across the
 *              seeds of the coordinate's gradient at step i (the signal the
 *              runs share and the minibatch noise around it), independent
 *              Z_i; by Monte Carlo, MC_REPS replicates (radvar_rng_gauss,
 *              stream = replicate, seed = coordinate), its standard error
 *              from the replicates' fourth moment.
 * rho_eff: the rho at which Theorem 1 (tau2 = 1) gives the measured variance,
 * with the rho of var -/+ 1.96 se as its interval.  Rectified: the same for
 * r_t q_c psi_t with the paper's r_t (rho_t > 4), against r_t^2 var_gauss
 * and r_t^2 var_fit and the Gaussian Var[psi_inf] (Theorem 1 at rho_inf).
 *
 * Writes OUT_PREFIX_validation.tsv (one row per compared t) and
 * OUT_PREFIX_coords.tsv (one row per coordinate: its layer, scale, the
 * median over seeds of each run's kurtosis and lag-1 autocorrelation with
 * their quartiles, the pooled fit), and prints a summary on stdout.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "radvar/exact.h"
#include "radvar/gradstats.h"
#include "radvar/rectify.h"
#include "radvar/rng.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"

#define MAX_T_GRID 64
#define MC_REPS 3000

static void die(const char *what)
{
    fprintf(stderr, "gradient_validation: %s\n", what);
    exit(1);
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (p == NULL)
        die("out of memory");
    return p;
}

struct run {
    size_t k, n;
    double *g;        /* n rows of k */
    char layer[512][8]; /* per coordinate, from the '# coords' lines */
};

static void read_run(const char *path, struct run *r)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        die(path);
    char *line = NULL;
    size_t cap = 0, rows_cap = 0, coord = 0;
    int initial = 0, header = 0;
    memset(r, 0, sizeof *r);
    while (getline(&line, &cap, f) > 0) {
        if (strncmp(line, "# coords c", 10) == 0) {
            char *p = strchr(line + 10, ':');
            for (char *tok = p ? strtok(p + 1, " \n") : NULL; tok && coord < 512; tok = strtok(NULL, " \n")) {
                char *colon = strrchr(tok, ':');
                if (colon)
                    *colon = '\0';
                snprintf(r->layer[coord++], sizeof r->layer[0], "%s", tok);
            }
            continue;
        }
        if (line[0] == '#' || line[0] == '\n')
            continue;
        if (!header) {
            header = 1; /* c0 c1 ... */
            for (char *tok = strtok(line, "\t\n"); tok; tok = strtok(NULL, "\t\n"))
                r->k++;
            continue;
        }
        if (!initial) {
            initial = 1; /* the initial values */
            continue;
        }
        if (r->n == rows_cap) {
            rows_cap = rows_cap ? 2 * rows_cap : 512;
            r->g = realloc(r->g, rows_cap * r->k * sizeof *r->g);
            if (r->g == NULL)
                die("out of memory");
        }
        size_t j = 0;
        for (char *tok = strtok(line, "\t\n"); tok && j < r->k; tok = strtok(NULL, "\t\n"))
            r->g[r->n * r->k + j++] = strtod(tok, NULL);
        if (j != r->k)
            die("a ragged log");
        r->n++;
    }
    free(line);
    fclose(f);
    if (r->k == 0 || r->n < 3 || r->k > 512)
        die("a log with no steps, or more than 512 coordinates");
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double quantile(double *v, size_t n, double q)
{
    qsort(v, n, sizeof *v, by_value);
    double h = q * (double)(n - 1);
    size_t lo = (size_t)floor(h);
    return lo + 1 < n ? v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/* sample variance (n - 1) of x[0..n) leaving out index skip (n: none) */
static double variance(const double *x, size_t n, size_t skip)
{
    double m = 0, s = 0;
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        if (i != skip) {
            c++;
            double d = x[i] - m;
            m += d / (double)c;
            s += d * (x[i] - m);
        }
    return s / (double)(c - 1);
}

/* What one coordinate gives: everything but the pooled table. */
struct coord {
    int used;                  /* v_t > 0 at every compared t in every run */
    double q, mu, sd;          /* sqrt(mean g^2), mean, population sd over runs and steps */
    double kurt[3], lag[3];    /* quartiles over runs of each run's kurtosis and lag-1 */
    radvar_gradstats_fits fits;/* over the runs together */
    double kn, ln, snr_e, snr_l; /* the noise around the path; signal-to-noise early and late */
    double *lv, *jack;         /* [j]: log Var across runs; [j * S + s]: leaving run s out */
    double *lg, *lf, *lp, *sep;/* [j]: log of var_gauss, var_fit, var_path; se of log var_path */
};

struct job {
    const struct run *runs;
    size_t S, K, T, nt;
    const double *tg;
    double b2;
};

/* the log of the sample variance of x[0..n) without index skip (n: none) */
static double log_var(const double *x, size_t n, size_t skip)
{
    return log(variance(x, n, skip));
}

static void one_coordinate(const struct job *jb, size_t c, struct coord *o, double *x, double *steps,
                           double *work, double *work2, double *psi, double *m, double *sdv, double *z,
                           double *acc)
{
    const size_t S = jb->S, K = jb->K, T = jb->T, nt = jb->nt;
    const double b2 = jb->b2;
    /* psi_t in every run at the compared steps; the scale */
    double s1 = 0, s2 = 0;
    o->used = 1;
    for (size_t s = 0; s < S; s++) {
        double v = 0;
        size_t j = 0;
        for (size_t i = 0; i < T; i++) {
            double g = jb->runs[s].g[i * K + c];
            s1 += g;
            s2 += g * g;
            v = b2 * v + (1 - b2) * g * g;
            if (j < nt && (double)(i + 1) == jb->tg[j]) {
                double p = sqrt(-expm1((double)(i + 1) * log(b2)) / v);
                if (!isfinite(p))
                    o->used = 0;
                psi[j * S + s] = p;
                j++;
            }
        }
    }
    double N = (double)(S * T);
    o->mu = s1 / N;
    o->q = sqrt(s2 / N);
    o->sd = sqrt(fmax(s2 / N - o->mu * o->mu, 0));
    /* each run's kurtosis and lag-1 autocorrelation; the fits over all runs */
    size_t mm = 0;
    for (size_t s = 0; s < S; s++) {
        radvar_gradstats st;
        double *col = x + s * T;
        for (size_t i = 0; i < T; i++) {
            col[i] = jb->runs[s].g[i * K + c];
            steps[s * T + i] = (double)(i + 1);
        }
        radvar_gradstats_describe(col, T, &st);
        if (isfinite(st.kurtosis)) {
            work[mm] = st.kurtosis;
            work2[mm++] = st.lag1;
        }
    }
    const double w3[3] = {0.25, 0.5, 0.75};
    for (int i = 0; i < 3; i++) {
        o->kurt[i] = mm ? quantile(work, mm, w3[i]) : NAN;
        o->lag[i] = mm ? quantile(work2, mm, w3[i]) : NAN;
    }
    int status = radvar_gradstats_fit_all(x, steps, S * T, &o->fits);
    int fitted = status == RADVAR_SUCCESS || status == RADVAR_EMAXITER;
    if (!o->used)
        return;
    /* the measured variances (q psi), and leaving each run out */
    for (size_t j = 0; j < nt; j++) {
        double *y = psi + j * S;
        for (size_t s = 0; s < S; s++)
            y[s] *= o->q;
        o->lv[j] = log_var(y, S, S);
        for (size_t s = 0; s < S; s++)
            o->jack[j * S + s] = log_var(y, S, s);
    }
    /* the theories at each compared t, in q units */
    for (size_t j = 0; j < nt; j++) {
        radvar_exact_moments em;
        int st = radvar_exact_moments_ema(b2, jb->tg[j], o->mu / o->q, o->sd / o->q, &em);
        o->lg[j] = st == RADVAR_SUCCESS || st == RADVAR_EMAXITER ? log(em.var_psi) : NAN;
        const radvar_gradstats_fit *f = &o->fits.model[o->fits.best];
        st = fitted ? radvar_exact_moments_ema_noise(b2, jb->tg[j], f->mu / o->q, f->sigma / o->q, &f->model, &em)
                    : RADVAR_EDOM;
        o->lf[j] = st == RADVAR_SUCCESS || st == RADVAR_EMAXITER ? log(em.var_psi) : NAN;
    }
    /* the path: the mean and sd across runs at each step */
    for (size_t i = 0; i < T; i++) {
        double a = 0, b = 0;
        for (size_t s = 0; s < S; s++)
            a += jb->runs[s].g[i * K + c];
        a /= (double)S;
        for (size_t s = 0; s < S; s++)
            b += (jb->runs[s].g[i * K + c] - a) * (jb->runs[s].g[i * K + c] - a);
        m[i] = a / o->q;
        sdv[i] = sqrt(b / (double)(S - 1)) / o->q;
    }
    /* the noise around the path: z = (g/q - m_i)/s_i, pooled over runs and
     * steps; its kurtosis and lag-1 autocorrelation; the signal-to-noise
     * ratio |m_i|/s_i early (steps 1-10) and late (the last 50) */
    double z2 = 0, z4 = 0, zl = 0, e = 0, l = 0;
    size_t ne = 0, nl = 0;
    for (size_t i = 0; i < T; i++) {
        if (!(sdv[i] > 0))
            continue;
        if (i < 10) {
            e += fabs(m[i]) / sdv[i];
            ne++;
        }
        if (i + 50 >= T) {
            l += fabs(m[i]) / sdv[i];
            nl++;
        }
        for (size_t s = 0; s < S; s++) {
            double zi = (jb->runs[s].g[i * K + c] / o->q - m[i]) / sdv[i];
            z2 += zi * zi;
            z4 += zi * zi * zi * zi;
            if (i + 1 < T && sdv[i + 1] > 0)
                zl += zi * (jb->runs[s].g[(i + 1) * K + c] / o->q - m[i + 1]) / sdv[i + 1];
        }
    }
    o->kn = z4 * N / (z2 * z2);
    o->ln = zl / z2;
    o->snr_e = ne ? e / (double)ne : NAN;
    o->snr_l = nl ? l / (double)nl : NAN;
    /* Gaussian noise around the path, by Monte Carlo: one pass over the
     * replicates, power sums of psi - shift (the first replicate's psi) */
    double *sum = acc, *sum2 = acc + nt, *sum3 = acc + 2 * nt, *sum4 = acc + 3 * nt, *shift = acc + 4 * nt;
    for (size_t j = 0; j < 4 * nt; j++)
        acc[j] = 0;
    for (size_t r = 0; r < MC_REPS; r++) {
        radvar_rng_gauss_fill(1000 + c, r, 0, T, z);
        double v = 0;
        size_t j = 0;
        for (size_t i = 0; i < T && j < nt; i++) {
            double g = m[i] + sdv[i] * z[i];
            v = b2 * v + (1 - b2) * g * g;
            if ((double)(i + 1) == jb->tg[j]) {
                double p = sqrt(-expm1((double)(i + 1) * log(b2)) / v);
                if (r == 0)
                    shift[j] = p;
                double d = p - shift[j], d2 = d * d;
                sum[j] += d;
                sum2[j] += d2;
                sum3[j] += d2 * d;
                sum4[j] += d2 * d2;
                j++;
            }
        }
    }
    for (size_t j = 0; j < nt; j++) {
        double R = MC_REPS, dl = sum[j] / R, p2 = sum2[j] / R, p3 = sum3[j] / R, p4 = sum4[j] / R;
        double c2 = p2 - dl * dl, c4 = p4 - 4 * dl * p3 + 6 * dl * dl * p2 - 3 * dl * dl * dl * dl;
        o->lp[j] = log(c2 * R / (R - 1));
        /* the standard error of the log of a sample variance */
        o->sep[j] = sqrt(fmax(c4 / (c2 * c2) - (R - 3) / (R - 1), 0) / R);
    }
}

int main(int argc, char **argv)
{
    radvar_init();
    if (argc < 5)
        die("usage: gradient_validation BETA2 OUT_PREFIX LOG1 LOG2 ...");
    double b2 = strtod(argv[1], NULL);
    const char *prefix = argv[2];
    size_t S = (size_t)argc - 3;
    struct run *runs = xmalloc(S * sizeof *runs);
    for (size_t s = 0; s < S; s++) {
        read_run(argv[3 + s], &runs[s]);
        if (runs[s].k != runs[0].k || runs[s].n != runs[0].n)
            die("the logs differ in coordinates or steps");
    }
    size_t K = runs[0].k, T = runs[0].n;

    /* the compared steps: about log-spaced whole steps from 3 to T */
    double tg[MAX_T_GRID];
    size_t nt = 0;
    for (int i = 0; i < 28 && nt < MAX_T_GRID; i++) {
        double t = round(3 * pow((double)T / 3, i / 27.0));
        if (nt == 0 || t > tg[nt - 1])
            tg[nt++] = t;
    }

    struct job jb = {runs, S, K, T, nt, tg, b2};
    struct coord *co = xmalloc(K * sizeof *co);
    for (size_t c = 0; c < K; c++) {
        co[c].lv = xmalloc(nt * sizeof(double));
        co[c].jack = xmalloc(nt * S * sizeof(double));
        co[c].lg = xmalloc(nt * sizeof(double));
        co[c].lf = xmalloc(nt * sizeof(double));
        co[c].lp = xmalloc(nt * sizeof(double));
        co[c].sep = xmalloc(nt * sizeof(double));
    }
    /* the coordinates in parallel (OpenMP): each writes its own slot, so the
     * output does not depend on the number of threads */
#pragma omp parallel
    {
        double *x = xmalloc(S * T * sizeof *x), *steps = xmalloc(S * T * sizeof *steps),
               *work = xmalloc(S * sizeof *work), *work2 = xmalloc(S * sizeof *work2),
               *psi = xmalloc(nt * S * sizeof *psi), *m = xmalloc(T * sizeof *m),
               *sdv = xmalloc(T * sizeof *sdv), *z = xmalloc(T * sizeof *z),
               *acc = xmalloc(5 * nt * sizeof *acc);
#pragma omp for schedule(dynamic)
        for (size_t c = 0; c < K; c++)
            one_coordinate(&jb, c, &co[c], x, steps, work, work2, psi, m, sdv, z, acc);
        free(x);
        free(steps);
        free(work);
        free(work2);
        free(psi);
        free(m);
        free(sdv);
        free(z);
        free(acc);
    }
    size_t excluded = 0;
    for (size_t c = 0; c < K; c++)
        excluded += !co[c].used;
    size_t Kin = K - excluded;
    if (Kin == 0)
        die("every coordinate has a zero v_t at some compared step");

    /* the pooled table, one row per compared t */
    char path[4096];
    snprintf(path, sizeof path, "%s_validation.tsv", prefix);
    FILE *out = fopen(path, "w");
    if (out == NULL)
        die(path);
    double rho_inf = radvar_schedule_rho_inf(b2), var_inf = radvar_theory_var_psi(rho_inf, 1);
    fprintf(out, "# gradient_validation: %zu runs (seeds), %zu steps, %zu coordinates (%zu left out: "
                 "v_t = 0 at a compared step), beta2 %.17g\n"
                 "# psi_t scaled by each coordinate's sqrt(mean g^2); per coordinate the variance across "
                 "runs; pooled: the geometric mean over coordinates (of the measured and of each theory); "
                 "se_log: the jackknife (over runs) standard error of the log of the pooled variance; "
                 "lo, hi: exp(log -/+ 1.96 se_log); z_X = (log var_psi - log var_X) / se\n"
                 "# var_gauss: i.i.d. Gaussian (exact EMA); var_rho_t: Theorem 1 at rho_t; var_fit: the "
                 "fitted noise model (exact EMA); var_path: Gaussian noise around the runs' common path "
                 "(Monte Carlo, %d replicates); var_rect_X: r_t^2 var_X\n"
                 "# var_psi_inf_gauss: %.17g (Theorem 1 at rho_inf = %.17g, tau2 = 1)\n",
            S, T, K, excluded, b2, MC_REPS, var_inf, rho_inf);
    fprintf(out, "t\trho_t\tr_t\tvar_psi\tse_log\tvar_psi_lo\tvar_psi_hi\tvar_gauss\tvar_rho_t\tvar_fit"
                 "\tvar_path\tse_log_path\trho_eff\trho_eff_lo\trho_eff_hi\tz_gauss\tz_fit\tz_path"
                 "\tvar_rect\tvar_rect_lo\tvar_rect_hi\tvar_rect_gauss\tvar_rect_fit\tvar_rect_path"
                 "\tvar_psi_inf_gauss\n");
    double *jack = xmalloc(S * sizeof *jack);
    for (size_t j = 0; j < nt; j++) {
        double t = tg[j], rho_t = radvar_schedule_rho_t(b2, t), r = radvar_rectify_paper(b2, t);
        double lv = 0, lg = 0, lf = 0, lp = 0, sep = 0, kin = (double)Kin;
        for (size_t s = 0; s < S; s++)
            jack[s] = 0;
        for (size_t c = 0; c < K; c++) {
            if (!co[c].used)
                continue;
            lv += co[c].lv[j] / kin;
            lg += co[c].lg[j] / kin;
            lf += co[c].lf[j] / kin;
            lp += co[c].lp[j] / kin;
            sep += co[c].sep[j] * co[c].sep[j];
            for (size_t s = 0; s < S; s++)
                jack[s] += co[c].jack[j * S + s] / kin;
        }
        sep = sqrt(sep) / kin;
        double jm = 0, se = 0;
        for (size_t s = 0; s < S; s++)
            jm += jack[s] / (double)S;
        for (size_t s = 0; s < S; s++)
            se += (jack[s] - jm) * (jack[s] - jm);
        se = sqrt((double)(S - 1) / (double)S * se);
        double vm = exp(lv), lo = exp(lv - 1.96 * se), hi = exp(lv + 1.96 * se);
        double r2 = isfinite(r) ? r * r : NAN;
        fprintf(out, "%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g"
                     "\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n",
                t, rho_t, r, vm, se, lo, hi, exp(lg), radvar_theory_var_psi(rho_t, 1), exp(lf), exp(lp), sep,
                radvar_theory_rho_from_var(vm, 1), radvar_theory_rho_from_var(hi, 1),
                radvar_theory_rho_from_var(lo, 1), (lv - lg) / se, (lv - lf) / se,
                (lv - lp) / sqrt(se * se + sep * sep), r2 * vm, r2 * lo, r2 * hi, r2 * exp(lg), r2 * exp(lf),
                r2 * exp(lp), var_inf);
    }
    fclose(out);

    /* the table per coordinate */
    snprintf(path, sizeof path, "%s_coords.tsv", prefix);
    out = fopen(path, "w");
    if (out == NULL)
        die(path);
    fprintf(out, "# per coordinate: the median and quartiles over the %zu runs of each run's kurtosis "
                 "and lag-1 autocorrelation (%zu steps); the model fitted to its %zu runs together "
                 "(0 normal, 1 student, 2 laplace, 3 mixture, 4 ar1, 5 decay)\n", S, T, S);
    fprintf(out, "# kurtosis_noise, lag1_noise: of the noise around the runs' common path, z = (g - m_t)/s_t "
                 "with m_t, s_t the mean and sd across the runs at step t; snr_early, snr_late: |m_t|/s_t "
                 "averaged over steps 1-10 and over the last 50 steps\n");
    fprintf(out, "coord\tlayer\tused\tscale\tmean_over_scale\tkurtosis\tkurtosis_q25\tkurtosis_q75\tlag1"
                 "\tlag1_q25\tlag1_q75\tmodel\tnu\tp\tk\tphi\ta\ttau\tdelta_bic\tkurtosis_noise\tlag1_noise"
                 "\tsnr_early\tsnr_late\n");
    size_t count[RADVAR_GRADSTATS_MODELS] = {0};
    for (size_t c = 0; c < K; c++) {
        const struct coord *o = &co[c];
        const radvar_noise *mo = &o->fits.model[o->fits.best].model;
        int ok = isfinite(o->fits.delta_bic);
        if (ok && o->used)
            count[o->fits.best]++;
        fprintf(out, "%zu\t%s\t%d\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g"
                     "\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\t%.17g\n",
                c, runs[0].layer[c][0] ? runs[0].layer[c] : "?", o->used, o->q, o->mu / o->q, o->kurt[1],
                o->kurt[0], o->kurt[2], o->lag[1], o->lag[0], o->lag[2], ok ? (double)o->fits.best : NAN,
                mo->kind == RADVAR_NOISE_STUDENT ? mo->nu : NAN, mo->kind == RADVAR_NOISE_MIXTURE ? mo->p : NAN,
                mo->kind == RADVAR_NOISE_MIXTURE ? mo->k : NAN, mo->kind == RADVAR_NOISE_AR1 ? mo->phi : NAN,
                mo->kind == RADVAR_NOISE_DECAY ? mo->a : NAN, mo->kind == RADVAR_NOISE_DECAY ? mo->tau : NAN,
                o->fits.delta_bic, o->used ? o->kn : NAN, o->used ? o->ln : NAN, o->used ? o->snr_e : NAN,
                o->used ? o->snr_l : NAN);
    }
    fclose(out);
    printf("runs %zu steps %zu coords %zu used %zu models normal %zu student %zu laplace %zu mixture %zu "
           "ar1 %zu decay %zu\n", S, T, K, Kin, count[0], count[1], count[2], count[3], count[4], count[5]);
    for (size_t s = 0; s < S; s++)
        free(runs[s].g);
    for (size_t c = 0; c < K; c++) {
        free(co[c].lv);
        free(co[c].jack);
        free(co[c].lg);
        free(co[c].lf);
        free(co[c].lp);
        free(co[c].sep);
    }
    free(co);
    free(runs);
    free(jack);
    return 0;
}
