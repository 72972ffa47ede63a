/* test_gradstats.c: the statistics of gradient series (radvar/gradstats.h)
 * against 50-digit mpmath values of their definitions on four synthetic
 * series (tests/ref/make_gradstats_refs.py, cross-checked with scipy.stats);
 * the noise-model fits against maximum-likelihood fits computed apart
 * (tests/ref/make_gradfit_refs.py: scipy.optimize, then mpmath at 30 digits)
 * on six series with known noise; the log2 histograms and the choice of
 * coordinates; and the error paths. */
#include <float.h>
#include <stdint.h>

#include "check_util.h"
#include "radvar/gradstats.h"
#include "ref/gradfit_ref.h"
#include "ref/gradstats_ref.h"

/* Tolerances in units of DBL_EPSILON, near the errors achieved (printed by
 * test_report): compensated two-pass sums keep the moments to a few ulps;
 * the z-scores go through log, asinh and cbrt (tens of ulps), and
 * p = exp(-K^2/2) multiplies the relative error of K^2 by K^2/2. */
#define TOL_MOMENT (8 * DBL_EPSILON)  /* achieved: 2 eps */
#define TOL_LAG (8 * DBL_EPSILON)     /* achieved: 1 eps */
#define TOL_HILL (32 * DBL_EPSILON)   /* achieved: 6 eps */
#define TOL_K2 (256 * DBL_EPSILON)    /* achieved: 45 eps */

static double worst[6];

/* The fits: the maximised log-likelihood to a few ulps (achieved: 10 eps,
 * the Student fit at nu = 1e6 of a 1000-value series); the parameters to
 * about sqrt(DBL_EPSILON) times the curvature's scale, as near a maximum the
 * log-likelihood moves by O(delta^2) (achieved: 2e-6, 3e-6 in the sanitizer
 * build, tau of a decay fitted to Student noise, a flat ridge; 1.1e-7 for
 * the true model of each series). */
#define TOL_LOGLIK (32 * DBL_EPSILON)
#define TOL_PARAM 1e-5
#define TOL_PARAM_TRUE 1e-6
static double worst_fit[3];

START_TEST(test_reference)
{
    const struct gradstats_ref *ref = &gradstats_ref_table[_i];
    radvar_gradstats s;
    ck_assert_int_eq(radvar_gradstats_describe(ref->x, ref->n, &s), RADVAR_SUCCESS);
    ck_assert(s.n == (double)ref->n);
    const double got[6] = {s.mean, s.sd, s.kurtosis, s.lag1, s.hill, s.normality_k2};
    const double want[6] = {ref->mean, ref->sd, ref->kurtosis, ref->lag1, ref->hill, ref->k2};
    const double tol[6] = {TOL_MOMENT, TOL_MOMENT, TOL_MOMENT, TOL_LAG, TOL_HILL, TOL_K2};
    for (int k = 0; k < 6; k++) {
        double e = rel_err(got[k], want[k]);
        worst[k] = e > worst[k] ? e : worst[k];
        ck_assert_msg(e <= tol[k], "%s statistic %d: %.17g vs %.17g, relative error %.3g", ref->name,
                      k, got[k], want[k], e);
    }
    ck_assert_rel(s.skewness, ref->skewness, TOL_MOMENT * (1 + fabs(ref->kurtosis / ref->skewness)));
    ck_assert(s.hill_k == ref->hill_k);
    ck_assert_rel(s.normality_p, ref->p, TOL_K2 * (1 + ref->k2 / 2));
}
END_TEST

START_TEST(test_report)
{
    printf("gradstats vs mpmath, 4 series: worst relative errors mean/sd/kurtosis %.2g/%.2g/%.2g, "
           "lag1 %.2g, hill %.2g, K^2 %.2g\n", worst[0], worst[1], worst[2], worst[3], worst[4],
           worst[5]);
}
END_TEST

START_TEST(test_what_the_statistics_say)
{
    /* the series were drawn from known models: the statistics point at them */
    radvar_gradstats g, t, a;
    radvar_gradstats_describe(gradstats_ref_table[0].x, gradstats_ref_table[0].n, &g);
    radvar_gradstats_describe(gradstats_ref_table[1].x, gradstats_ref_table[1].n, &t);
    radvar_gradstats_describe(gradstats_ref_table[2].x, gradstats_ref_table[2].n, &a);
    ck_assert(g.normality_p > 0.01 && fabs(g.lag1) < 0.15);
    ck_assert(t.normality_p < 1e-10 && t.kurtosis > 5 && t.hill > 2.5 && t.hill < 5.5);
    ck_assert(a.lag1 > 0.45 && a.lag1 < 0.75);
}
END_TEST

START_TEST(test_edges_and_errors)
{
    radvar_gradstats s;
    const double one[1] = {2.5}, flat[30] = {0}, bad[3] = {1, NAN, 2};
    ck_assert_int_eq(radvar_gradstats_describe(one, 1, &s), RADVAR_SUCCESS);
    ck_assert(s.mean == 2.5 && s.n == 1);
    ck_assert_nan(s.sd);
    ck_assert_nan(s.kurtosis);
    ck_assert_nan(s.hill);
    ck_assert_int_eq(radvar_gradstats_describe(flat, 30, &s), RADVAR_SUCCESS);
    ck_assert(s.sd == 0);
    ck_assert_nan(s.kurtosis); /* a constant series has no shape */
    ck_assert_nan(s.normality_p);
    ck_assert_nan(s.hill);
    ck_assert_int_eq(radvar_gradstats_describe(bad, 3, &s), RADVAR_ENONFINITE);
    ck_assert_nan(s.mean);
    ck_assert_int_eq(radvar_gradstats_describe(NULL, 3, &s), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_gradstats_describe(one, 0, &s), RADVAR_EINVAL);
    radvar_result r;
    ck_assert_int_eq(radvar_gradstats_hill_e(one, 1, 0, 1, &r), RADVAR_EINVAL);
    double z1, z2, k2, p;
    ck_assert_int_eq(radvar_gradstats_normality_e(19, 0.1, 3, &z1, &z2, &k2, &p), RADVAR_EDOM);
    ck_assert_nan(p);
    ck_assert_int_eq(radvar_gradstats_normality_e(100, NAN, 3, &z1, &z2, &k2, &p), RADVAR_EDOM);
    /* a Gaussian's expected statistics give z near 0 */
    ck_assert_int_eq(radvar_gradstats_normality_e(1e6, 0, 3, &z1, &z2, &k2, &p), RADVAR_SUCCESS);
    ck_assert(fabs(z2) < 0.01 && p > 0.99);
}
END_TEST


static void shape(const radvar_gradstats_fit *f, double th[2])
{
    th[0] = th[1] = 0;
    switch (f->model.kind) {
    case RADVAR_NOISE_STUDENT: th[0] = f->model.nu; break;
    case RADVAR_NOISE_MIXTURE: th[0] = f->model.p; th[1] = f->model.k; break;
    case RADVAR_NOISE_AR1: th[0] = f->model.phi; break;
    case RADVAR_NOISE_DECAY: th[0] = f->model.a; th[1] = f->model.tau; break;
    default: break;
    }
}

/* is kind the model the series was drawn from? */
static int true_model(const struct gradfit_ref *r)
{
    static const char *const names[] = {"gaussian", "student4", "laplace", "mixture", "ar1", "decay"};
    return strcmp(r->name, names[r->kind]) == 0;
}

START_TEST(test_fit_reference)
{
    const struct gradfit_ref *r = &gradfit_ref_table[_i];
    radvar_gradstats_fit f;
    ck_assert_int_eq(radvar_gradstats_fit_model(r->x, NULL, r->n, (radvar_noise_kind)r->kind, &f),
                     RADVAR_SUCCESS);
    ck_assert_int_eq(f.model.kind, r->kind);
    double e = rel_err(f.loglik, r->loglik);
    worst_fit[0] = e > worst_fit[0] ? e : worst_fit[0];
    ck_assert_msg(e <= TOL_LOGLIK, "%s %s: loglik %.17g vs %.17g (%.3g)", r->name,
                  radvar_noise_name(f.model.kind), f.loglik, r->loglik, e);
    double th[2], tol = true_model(r) ? TOL_PARAM_TRUE : TOL_PARAM;
    shape(&f, th);
    const double want[2] = {r->theta0, r->theta1};
    for (int k = 0; k < 2; k++) {
        double ek = want[k] == 0 ? fabs(th[k]) : rel_err(th[k], want[k]);
        worst_fit[true_model(r) ? 1 : 2] = ek > worst_fit[true_model(r) ? 1 : 2] ? ek : worst_fit[true_model(r) ? 1 : 2];
        ck_assert_msg(ek <= tol, "%s %s: parameter %d = %.17g vs %.17g (%.3g)", r->name,
                      radvar_noise_name(f.model.kind), k, th[k], want[k], ek);
    }
    ck_assert_msg(rel_err(f.sigma, r->sigma) <= tol, "%s: sigma %.17g vs %.17g", r->name, f.sigma, r->sigma);
    double dn = (double)r->n;
    ck_assert(f.params == (r->kind == 0 || r->kind == 2 ? 2 : (r->kind == 1 || r->kind == 4 ? 3 : 4)));
    ck_assert_rel(f.bic, -2 * f.loglik + f.params * log(dn), 4 * DBL_EPSILON);
    ck_assert_rel(f.aic, -2 * f.loglik + 2 * f.params, 4 * DBL_EPSILON);
    ck_assert(radvar_noise_check(&f.model, NULL, 0) == RADVAR_SUCCESS);
}
END_TEST

START_TEST(test_fit_choice)
{
    /* BIC names the model each series was drawn from, with strong evidence
     * against the Gaussian model for all but the Gaussian series */
    for (size_t i = 0; i < N_ELEMS(gradfit_ref_table); i += RADVAR_GRADSTATS_MODELS) {
        const struct gradfit_ref *r = &gradfit_ref_table[i];
        radvar_gradstats_fits fs;
        ck_assert_int_eq(radvar_gradstats_fit_all(r->x, NULL, r->n, &fs), RADVAR_SUCCESS);
        int want = -1;
        for (int k = 0; k < RADVAR_GRADSTATS_MODELS; k++)
            if (gradfit_ref_table[i + (size_t)k].best)
                want = gradfit_ref_table[i + (size_t)k].kind;
        ck_assert_msg((int)fs.best == want, "%s: best %s, reference %s", r->name,
                      radvar_noise_name(fs.best), radvar_noise_name((radvar_noise_kind)want));
        ck_assert(strcmp(r->name, "gaussian") == 0 ? fs.delta_bic == 0 : fs.delta_bic > 50);
        for (int k = 0; k < RADVAR_GRADSTATS_MODELS; k++) {
            radvar_gradstats_fit one;
            radvar_gradstats_fit_model(r->x, NULL, r->n, (radvar_noise_kind)k, &one);
            ck_assert(one.loglik == fs.model[k].loglik); /* the same fit either way */
            /* every model but laplace nests the normal one (student at its
             * normal limit nu = NU_MAX is within n/NU_MAX of it) */
            double slack = k == RADVAR_NOISE_STUDENT ? (double)r->n / RADVAR_GRADSTATS_NU_MAX : 1e-12;
            ck_assert(k == RADVAR_NOISE_LAPLACE || fs.model[k].loglik >= fs.model[0].loglik - slack);
        }
    }
    printf("noise fits vs scipy+mpmath, 6 series x 6 models: worst relative errors loglik %.2g, "
           "parameters %.2g (true model) and %.2g (others)\n", worst_fit[0], worst_fit[1], worst_fit[2]);
}
END_TEST

START_TEST(test_fit_steps_and_errors)
{
    /* decay reads the steps: the same series at steps 10, 20, ... is the
     * same fit with tau ten times larger */
    const struct gradfit_ref *r = NULL;
    for (size_t i = 0; i < N_ELEMS(gradfit_ref_table); i++)
        if (strcmp(gradfit_ref_table[i].name, "decay") == 0 && gradfit_ref_table[i].kind == RADVAR_NOISE_DECAY)
            r = &gradfit_ref_table[i];
    ck_assert_ptr_nonnull(r);
    double *t = malloc(r->n * sizeof *t);
    for (size_t i = 0; i < r->n; i++)
        t[i] = 10.0 * (double)(i + 1);
    radvar_gradstats_fit f;
    ck_assert_int_eq(radvar_gradstats_fit_model(r->x, t, r->n, RADVAR_NOISE_DECAY, &f), RADVAR_SUCCESS);
    ck_assert_rel(f.model.tau, 10 * r->theta1, 1e-5);
    ck_assert_rel(f.model.a, r->theta0, 1e-5);
    ck_assert_rel(f.loglik, r->loglik, 1e-12);
    t[3] = -1;
    ck_assert_int_eq(radvar_gradstats_fit_model(r->x, t, r->n, RADVAR_NOISE_DECAY, &f), RADVAR_EDOM);
    ck_assert_nan(f.loglik);
    t[3] = NAN;
    ck_assert_int_eq(radvar_gradstats_fit_model(r->x, t, r->n, RADVAR_NOISE_DECAY, &f), RADVAR_ENONFINITE);
    free(t);
    const double flat[20] = {0}, bad[12] = {1, 2, 3, 4, 5, NAN, 7, 8, 9, 10, 11, 12};
    radvar_gradstats_fits fs;
    ck_assert_int_eq(radvar_gradstats_fit_all(flat, NULL, 20, &fs), RADVAR_EDOM);
    ck_assert_nan(fs.model[1].model.nu);
    ck_assert_nan(fs.delta_bic);
    ck_assert_int_eq(radvar_gradstats_fit_all(bad, NULL, 12, &fs), RADVAR_ENONFINITE);
    ck_assert_int_eq(radvar_gradstats_fit_all(r->x, NULL, RADVAR_GRADSTATS_FIT_NMIN - 1, &fs), RADVAR_EDOM);
    ck_assert_int_eq(radvar_gradstats_fit_all(NULL, NULL, 100, &fs), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_gradstats_fit_model(r->x, NULL, r->n, (radvar_noise_kind)6, &f), RADVAR_EINVAL);
    ck_assert_nan(f.mu);
}
END_TEST

START_TEST(test_log2_histogram)
{
    uint64_t c[RADVAR_LOG2_BINS] = {0}, zeros = 0, nonfinite = 0;
    const float x[] = {1.0f, -0.75f, 0x1p-149f, FLT_MAX, 0.0f, -0.0f, 3.0f, 0x1.fffffep-1f, 0x1p-126f,
                       NAN, INFINITY, 0x1.fffffcp-127f};
    radvar_gradstats_log2_hist_f32(x, N_ELEMS(x), c, &zeros, &nonfinite);
#define BIN(b) c[(b) - RADVAR_LOG2_BIN_MIN]
    ck_assert_int_eq(BIN(0), 1);    /* 1 */
    ck_assert_int_eq(BIN(-1), 2);   /* 0.75 and 1 - 2^-24 */
    ck_assert_int_eq(BIN(-149), 1); /* the smallest subnormal */
    ck_assert_int_eq(BIN(-127), 1); /* the largest subnormal: 2^-126 (1 - 2^-23) */
    ck_assert_int_eq(BIN(-126), 1); /* the smallest normal */
    ck_assert_int_eq(BIN(127), 1);  /* FLT_MAX */
    ck_assert_int_eq(BIN(1), 1);    /* 3 */
    ck_assert_int_eq(zeros, 2);
    ck_assert_int_eq(nonfinite, 2);
    uint64_t total = 0;
    for (int b = 0; b < RADVAR_LOG2_BINS; b++)
        total += c[b];
    ck_assert_int_eq(total, 8);
    /* every float32 binade: 2^b and the largest value below 2^(b+1) */
    memset(c, 0, sizeof c);
    zeros = 0;
    for (int b = -126; b <= 127; b++) {
        float lo = ldexpf(1.0f, b), hi = ldexpf(0x1.fffffep0f, b);
        radvar_gradstats_log2_hist_f32(&lo, 1, c, &zeros, NULL);
        radvar_gradstats_log2_hist_f32(&hi, 1, c, &zeros, NULL);
        ck_assert_int_eq(BIN(b), 2);
    }
    /* doubles beyond float32 go to the end bins */
    memset(c, 0, sizeof c);
    const double d[] = {1e-300, 1e300, 0.5};
    radvar_gradstats_log2_hist_f64(d, 3, c, &zeros, NULL);
    ck_assert_int_eq(BIN(-149), 1);
    ck_assert_int_eq(BIN(127), 1);
    ck_assert_int_eq(BIN(-1), 1);
    /* the update |after - before| */
    memset(c, 0, sizeof c);
    zeros = 0;
    const float before[] = {1.0f, 2.0f, -1.0f, 5.0f}, after[] = {1.0f, 2.5f, -1.0f - 0x1p-23f, 1.0f};
    radvar_gradstats_log2_hist_diff_f32(before, after, 4, c, &zeros, NULL);
    ck_assert_int_eq(zeros, 1);
    ck_assert_int_eq(BIN(-1), 1);
    ck_assert_int_eq(BIN(-23), 1);
    ck_assert_int_eq(BIN(2), 1);
#undef BIN
}
END_TEST

START_TEST(test_choose_coords)
{
    const size_t size[] = {5, 3, 2};
    size_t layer[10], index[10], layer4[4], index4[4];
    ck_assert_int_eq(radvar_gradstats_choose_coords(7, size, 3, 10, layer, index), RADVAR_SUCCESS);
    const size_t want_layer[10] = {0, 1, 2, 0, 1, 2, 0, 1, 0, 0}; /* round-robin, full layers skipped */
    int seen[3][5] = {{0}};
    for (int i = 0; i < 10; i++) {
        ck_assert_int_eq(layer[i], want_layer[i]);
        ck_assert(index[i] < size[layer[i]]);
        ck_assert_int_eq(seen[layer[i]][index[i]]++, 0); /* no duplicates */
    }
    /* the first k' of k are the choice for k' */
    ck_assert_int_eq(radvar_gradstats_choose_coords(7, size, 3, 4, layer4, index4), RADVAR_SUCCESS);
    for (int i = 0; i < 4; i++)
        ck_assert(layer4[i] == layer[i] && index4[i] == index[i]);
    /* the seed decides; a large layer draws uniformly */
    const size_t big[] = {200704, 256, 2560, 10};
    size_t l1[64], i1[64], l2[64], i2[64];
    ck_assert_int_eq(radvar_gradstats_choose_coords(1, big, 4, 64, l1, i1), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_gradstats_choose_coords(2, big, 4, 64, l2, i2), RADVAR_SUCCESS);
    int differ = 0;
    for (int i = 0; i < 64; i++) {
        differ += i1[i] != i2[i];
        ck_assert(i1[i] < big[l1[i]]);
    }
    ck_assert(differ > 32);
    ck_assert_int_eq(radvar_gradstats_choose_coords(1, big, 4, 0, l1, i1), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_gradstats_choose_coords(1, size, 3, 11, layer, index), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_gradstats_choose_coords(1, size, 0, 1, layer, index), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_gradstats_choose_coords(1, NULL, 3, 1, layer, index), RADVAR_EINVAL);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("gradstats");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_reference, 0, (int)N_ELEMS(gradstats_ref_table));
    tcase_add_test(core, test_report);
    tcase_add_test(core, test_what_the_statistics_say);
    tcase_add_loop_test(core, test_fit_reference, 0, (int)N_ELEMS(gradfit_ref_table));
    tcase_add_test(core, test_fit_choice);
    tcase_add_test(core, test_log2_histogram);
    tcase_add_test(core, test_choose_coords);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_fit_steps_and_errors);
    tcase_add_test(limits, test_edges_and_errors);
    suite_add_tcase(s, core);
    suite_add_tcase(s, limits);
    SRunner *sr = srunner_create(s);
    srunner_set_fork_status(sr, CK_NOFORK); /* the report reads what the loop saw */
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
