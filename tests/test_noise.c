/* test_noise.c: the noise models (radvar/noise.h) and the exact EMA moments
 * under them (radvar_exact_moments_ema_noise): independent reference values
 * (tests/ref/make_noise_refs.py), the special cases that are Gaussian, the
 * moment-matched dof against direct sums, the SPEC parser and its messages,
 * and domains. */
#include <string.h>

#include "check_util.h"
#include "radvar/exact.h"
#include "radvar/noise.h"
#include "radvar/schedule.h"
#include "ref/noise_ref.h"

/* Tolerance classes in units of DBL_EPSILON, near the worst relative error
 * measured against noise_ref.h (see test_reference_worst_report; the
 * references themselves are good to about 1e-15, 5e-15 in Var). */
#define TOL_EPS(n) ((n) * DBL_EPSILON)

typedef struct {
    const char *prefix; /* the models whose SPEC starts with it */
    double mean;        /* E[psi] and E[psi^2] */
    double var;         /* Var[psi] */
} tol_class;

static const tol_class tol_classes[] = {
    /* measured worst (Var, E) in eps: */
    {"normal", TOL_EPS(64), TOL_EPS(128)},   /* 42, 16 */
    {"student", TOL_EPS(256), TOL_EPS(512)}, /* 147, 60 */
    {"laplace", TOL_EPS(128), TOL_EPS(256)}, /* 58, 29 */
    {"mixture", TOL_EPS(128), TOL_EPS(1024)},/* 310, 34 */
    {"ar1", TOL_EPS(128), TOL_EPS(256)},     /* 54, 27 */
    {"decay", TOL_EPS(64), TOL_EPS(256)},    /* 57, 21 */
};

static const tol_class *tol_of(const char *spec)
{
    for (size_t i = 0; i < N_ELEMS(tol_classes); i++)
        if (strncmp(spec, tol_classes[i].prefix, strlen(tol_classes[i].prefix)) == 0)
            return &tol_classes[i];
    return NULL;
}

static radvar_noise parsed(const char *spec)
{
    radvar_noise n;
    char why[256];
    ck_assert_msg(radvar_noise_parse(spec, &n, why, sizeof why) == RADVAR_SUCCESS, "%s: %s", spec, why);
    return n;
}

/* ---------------------------------------------------------------- references */

START_TEST(test_reference)
{
    const struct noise_ref *ref = &noise_ref_table[_i];
    radvar_noise n = parsed(ref->spec);
    const tol_class *tol = tol_of(ref->spec);
    radvar_exact_moments m;
    ck_assert_int_eq(radvar_exact_moments_ema_noise(ref->beta2, ref->t, ref->mu, ref->sigma, &n, &m),
                     RADVAR_SUCCESS);
    ck_assert_rel(m.mean_psi, ref->mean_psi, tol->mean);
    ck_assert_rel(m.mean_psi2, ref->mean_psi2, tol->mean);
    ck_assert_rel(m.var_psi, ref->var_psi, tol->var);
    /* abs_err bounds the true error (by 20 times or more, see the report) */
    ck_assert_msg(fabs(m.var_psi - ref->var_psi) <= m.abs_err,
                  "%s beta2 = %g t = %g mu = %g: |error| %.3g > abs_err %.3g", ref->spec, ref->beta2,
                  ref->t, ref->mu, fabs(m.var_psi - ref->var_psi), m.abs_err);
}
END_TEST

START_TEST(test_reference_worst_report)
{
    printf("exact moments under noise models, %zu reference cases (beta2 0.9/0.99/0.999, "
           "t 3..6000, mu 0/0.5):\n", N_ELEMS(noise_ref_table));
    int ok = 1;
    for (size_t c = 0; c < N_ELEMS(tol_classes); c++) {
        double worst = 0, worst_mean = 0, worst_ratio = 0;
        size_t at = 0, count = 0;
        for (size_t i = 0; i < N_ELEMS(noise_ref_table); i++) {
            const struct noise_ref *ref = &noise_ref_table[i];
            if (tol_of(ref->spec) != &tol_classes[c])
                continue;
            radvar_noise n = parsed(ref->spec);
            radvar_exact_moments m;
            radvar_exact_moments_ema_noise(ref->beta2, ref->t, ref->mu, ref->sigma, &n, &m);
            double e = rel_err(m.var_psi, ref->var_psi);
            if (e >= worst) {
                worst = e;
                at = i;
            }
            worst_mean = fmax(worst_mean, fmax(rel_err(m.mean_psi, ref->mean_psi),
                                               rel_err(m.mean_psi2, ref->mean_psi2)));
            worst_ratio = fmax(worst_ratio, fabs(m.var_psi - ref->var_psi) / m.abs_err);
            count++;
        }
        const struct noise_ref *w = &noise_ref_table[at];
        printf("  %-8s %3zu cases: Var worst %.2e (%s, beta2 = %g, t = %g, mu = %g; class %.0f eps), "
               "E worst %.2e (class %.0f eps), worst |error|/abs_err %.2g\n",
               tol_classes[c].prefix, count, worst, w->spec, w->beta2, w->t, w->mu,
               tol_classes[c].var / DBL_EPSILON, worst_mean, tol_classes[c].mean / DBL_EPSILON,
               worst_ratio);
        ok = ok && worst <= tol_classes[c].var && worst_mean <= tol_classes[c].mean;
    }
    fflush(stdout);
    ck_assert(ok);
}
END_TEST

/* ------------------------------------------------------- Gaussian special cases */

static const double cases_b2[] = {0.9, 0.99, 0.999};
static const double cases_t[] = {2, 3, 4, 10, 57, 1000, 6000, INFINITY};
static const double cases_mu[] = {0.0, 0.5, 2.0};

START_TEST(test_normal_is_bit_identical)
{
    radvar_noise n;
    radvar_noise_default(&n);
    for (size_t i = 0; i < N_ELEMS(cases_b2); i++)
        for (size_t j = 0; j < N_ELEMS(cases_t); j++)
            for (size_t k = 0; k < N_ELEMS(cases_mu); k++) {
                radvar_exact_moments a, b;
                int sa = radvar_exact_moments_ema_noise(cases_b2[i], cases_t[j], cases_mu[k], 1.7, &n, &a);
                int sb = radvar_exact_moments_ema(cases_b2[i], cases_t[j], cases_mu[k], 1.7, &b);
                ck_assert_int_eq(sa, sb);
                ck_assert(memcmp(&a.mean_psi, &b.mean_psi, sizeof a.mean_psi) == 0);
                ck_assert(memcmp(&a.mean_psi2, &b.mean_psi2, sizeof a.mean_psi2) == 0);
                ck_assert(memcmp(&a.var_psi, &b.var_psi, sizeof a.var_psi) == 0);
                ck_assert(a.evaluations == b.evaluations);
            }
}
END_TEST

/* Models that are Gaussian for these parameters, each by its own code path:
 * mixture with k = 1 (the one-step tables and Euler-Maclaurin sums), ar1 with
 * phi = 0 (the Kalman recursion), decay with a = 0 (the power-sum tails). */
static const char *gaussian_specs[] = {"mixture:p=0.3,k=1", "ar1:phi=0", "decay:a=0,tau=7"};

START_TEST(test_gaussian_special_cases)
{
    radvar_noise n = parsed(gaussian_specs[_i]), normal;
    radvar_noise_default(&normal);
    double worst = 0;
    for (size_t i = 0; i < N_ELEMS(cases_b2); i++)
        for (size_t j = 1; j < N_ELEMS(cases_t); j++)
            for (size_t k = 0; k < N_ELEMS(cases_mu); k++) {
                if (n.kind == RADVAR_NOISE_DECAY && isinf(cases_t[j]))
                    continue;
                radvar_exact_moments a, b;
                ck_assert_int_eq(radvar_exact_moments_ema_noise(cases_b2[i], cases_t[j], cases_mu[k],
                                                                0.8, &n, &a), RADVAR_SUCCESS);
                ck_assert_int_eq(radvar_exact_moments_ema(cases_b2[i], cases_t[j], cases_mu[k], 0.8, &b),
                                 RADVAR_SUCCESS);
                worst = fmax(worst, rel_err(a.var_psi, b.var_psi));
                ck_assert_rel(a.var_psi, b.var_psi, TOL_EPS(256)); /* measured: 45 eps */
                ck_assert_rel(a.mean_psi, b.mean_psi, TOL_EPS(64));
                ck_assert_rel(a.mean_psi2, b.mean_psi2, TOL_EPS(64));
            }
    printf("%s against the Gaussian code: Var worst relative difference %.2e\n", gaussian_specs[_i], worst);
}
END_TEST

START_TEST(test_gaussian_t3)
{
    /* t = 3, where L_Y(s) decays like s^-3/2 and ln L_Y must keep its
     * absolute accuracy at large s: every Gaussian case against the 40-digit
     * value of tests/ref/exact_ref.h (beta2 = 0.999, mu = 0.5, sigma = 1) */
    const double want = 0.84574083340708697638;
    radvar_exact_moments b;
    ck_assert_int_eq(radvar_exact_moments_ema(0.999, 3, 0.5, 1.0, &b), RADVAR_SUCCESS);
    ck_assert_rel(b.var_psi, want, TOL_EPS(128));
    for (size_t i = 0; i < N_ELEMS(gaussian_specs); i++) {
        radvar_noise n = parsed(gaussian_specs[i]);
        radvar_exact_moments a;
        ck_assert_int_eq(radvar_exact_moments_ema_noise(0.999, 3, 0.5, 1.0, &n, &a), RADVAR_SUCCESS);
        ck_assert_rel(a.var_psi, want, TOL_EPS(128));
    }
}
END_TEST

START_TEST(test_student_large_nu_approaches_normal)
{
    /* Var[psi] under student:nu=V differs from normal by O(1/V) */
    radvar_noise normal;
    radvar_noise_default(&normal);
    radvar_exact_moments g, s1, s2;
    radvar_exact_moments_ema(0.99, 300, 0.3, 1.0, &g);
    radvar_noise a = parsed("student:nu=1000"), b = parsed("student:nu=100000");
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99, 300, 0.3, 1.0, &a, &s1), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99, 300, 0.3, 1.0, &b, &s2), RADVAR_SUCCESS);
    double d1 = s1.var_psi / g.var_psi - 1, d2 = s2.var_psi / g.var_psi - 1;
    ck_assert(d1 > 0 && d2 > 0);          /* heavier tails, larger variance */
    ck_assert(fabs(d2 / d1 - 0.01) < 2e-3); /* O(1/nu) */
}
END_TEST

START_TEST(test_stationary_limit)
{
    static const char *specs[] = {"student:nu=5", "laplace", "mixture:p=0.1,k=5", "ar1:phi=0.5"};
    for (size_t i = 0; i < N_ELEMS(specs); i++) {
        radvar_noise n = parsed(specs[i]);
        radvar_exact_moments inf, big;
        ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99, INFINITY, 0.3, 1.0, &n, &inf), 0);
        ck_assert_int_eq(radvar_exact_moments_ema_noise(0.99, 10000, 0.3, 1.0, &n, &big), 0);
        ck_assert_rel(big.var_psi, inf.var_psi, 1e-12); /* 0.99^10000 = 2e-44 */
    }
}
END_TEST

/* A wide range of parameters: every call succeeds with a positive variance
 * and an error estimate below 1e-8 of it. */
static const char *robust_specs[] = {"student:nu=2.05", "student:nu=4", "student:nu=4.01", "student:nu=1e12",
                                     "mixture:p=0.01,k=100", "mixture:p=0.9,k=0.01", "laplace",
                                     "ar1:phi=-0.95", "decay:a=2,tau=1"};

START_TEST(test_robust)
{
    radvar_noise n = parsed(robust_specs[_i]);
    static const double b2[] = {0.5, 0.9, 0.999};
    static const double ts[] = {3, 5, 50, 3000};
    static const double mus[] = {0.0, 3.0};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t j = 0; j < N_ELEMS(ts); j++)
            for (size_t k = 0; k < N_ELEMS(mus); k++) {
                radvar_exact_moments m;
                int st = radvar_exact_moments_ema_noise(b2[i], ts[j], mus[k], 1.0, &n, &m);
                ck_assert_msg(st == RADVAR_SUCCESS && m.var_psi > 0 && m.abs_err < 1e-8 * m.var_psi
                                  && m.mean_psi * m.mean_psi < m.mean_psi2,
                              "%s beta2 = %g t = %g mu = %g: status %d, Var %g, abs_err %g",
                              robust_specs[_i], b2[i], ts[j], mus[k], st, m.var_psi, m.abs_err);
            }
}
END_TEST

/* ------------------------------------------------------------ rho_mm */

START_TEST(test_rho_mm_normal_is_rho_moment)
{
    radvar_noise n;
    radvar_noise_default(&n);
    static const double b2[] = {0.0, 0.5, 0.9, 0.999, 0.999999};
    static const double ts[] = {1, 2, 3, 10.5, 1000, 1e7, INFINITY};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t j = 0; j < N_ELEMS(ts); j++) {
            double a = radvar_noise_rho_mm(&n, b2[i], ts[j], 0.0, 3.0), b = radvar_schedule_rho_moment(b2[i], ts[j]);
            ck_assert(memcmp(&a, &b, sizeof a) == 0);
        }
}
END_TEST

/* 2 E[X]^2 / Var[X] by direct sums over the steps, Var[g_i^2] and
 * Cov(g_i^2, g_j^2) from the model's moments */
static double rho_mm_direct(const radvar_noise *n, double b2, int t, double mu, double sigma)
{
    long double c = (1 - b2) / (1 - powl(b2, t)), ex = 0, vx = 0;
    double s2 = sigma * sigma, m2 = mu * mu;
    for (int i = 1; i <= t; i++) {
        long double wi = c * powl(b2, t - i);
        double sc2 = n->kind == RADVAR_NOISE_DECAY ? pow(1 + i / n->tau, -2 * n->a) : 1.0;
        ex += wi * (s2 * sc2 + m2);
        for (int j = 1; j <= t; j++) {
            long double wj = c * powl(b2, t - j);
            double cov;
            if (n->kind == RADVAR_NOISE_AR1) {
                double r = pow(n->phi, abs(i - j));
                cov = 2 * s2 * s2 * r * r + 4 * m2 * s2 * r;
            } else if (i == j) {
                /* E[e^4] from the model's own definition */
                double e4 = 3.0;
                if (n->kind == RADVAR_NOISE_STUDENT)
                    e4 = 3.0 * (n->nu - 2) / (n->nu - 4); /* E[T^4] (nu-2)^2/nu^2 */
                else if (n->kind == RADVAR_NOISE_LAPLACE)
                    e4 = 24.0 * 0.25; /* E[L^4] = 24 b^4, b^2 = 1/2 */
                else if (n->kind == RADVAR_NOISE_MIXTURE) {
                    double c2 = 1 / (1 - n->p + n->p * n->k * n->k);
                    e4 = 3 * c2 * c2 * (1 - n->p + n->p * pow(n->k, 4));
                }
                cov = s2 * s2 * sc2 * sc2 * (e4 - 1) + 4 * m2 * s2 * sc2;
            } else {
                cov = 0;
            }
            vx += wi * wj * cov;
        }
    }
    return (double)(2 * ex * ex / vx);
}

static const char *mm_specs[] = {"normal", "student:nu=5", "student:nu=30", "laplace", "mixture:p=0.1,k=5",
                                 "ar1:phi=0.5", "ar1:phi=-0.3", "ar1:phi=0.9", "decay:a=0.5,tau=100"};

START_TEST(test_rho_mm_direct)
{
    radvar_noise n = parsed(mm_specs[_i]);
    static const double b2[] = {0.5, 0.9, 0.99};
    static const int ts[] = {1, 2, 3, 10, 64, 65, 200};
    static const double mus[] = {0.0, 0.5, 3.0};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (size_t j = 0; j < N_ELEMS(ts); j++)
            for (size_t k = 0; k < N_ELEMS(mus); k++) {
                radvar_result r;
                ck_assert_int_eq(radvar_noise_rho_mm_e(&n, b2[i], ts[j], mus[k], 1.3, &r), RADVAR_SUCCESS);
                double want = rho_mm_direct(&n, b2[i], ts[j], mus[k], 1.3);
                ck_assert_rel(r.val, want, 1e-13);
                ck_assert(fabs(r.val - want) <= r.err + 1e-15 * want);
            }
    /* t = inf: the stationary EMA, against t = 20000 at beta2 = 0.99 (0.99^20000 = 2e-88) */
    if (n.kind != RADVAR_NOISE_DECAY)
        ck_assert_rel(radvar_noise_rho_mm(&n, 0.99, INFINITY, 0.5, 1.0),
                      radvar_noise_rho_mm(&n, 0.99, 20000, 0.5, 1.0), 1e-13);
}
END_TEST

START_TEST(test_rho_mm_infinite_kurtosis)
{
    radvar_noise n = parsed("student:nu=4");
    ck_assert(isinf(radvar_noise_kurtosis(&n)));
    radvar_result r;
    ck_assert_int_eq(radvar_noise_rho_mm_e(&n, 0.999, 100, 0.5, 1.0, &r), RADVAR_SUCCESS);
    ck_assert(r.val == 0.0 && r.err == 0.0);
    n = parsed("student:nu=4.5");
    ck_assert_rel(radvar_noise_kurtosis(&n), 15.0, 4 * DBL_EPSILON);
    ck_assert(radvar_noise_rho_mm(&n, 0.999, 100, 0.5, 1.0) > 0);
}
END_TEST

START_TEST(test_kurtosis)
{
    ck_assert(radvar_noise_kurtosis(&(radvar_noise){.kind = RADVAR_NOISE_NORMAL}) == 3.0);
    radvar_noise n = parsed("laplace");
    ck_assert(radvar_noise_kurtosis(&n) == 6.0);
    n = parsed("student:nu=10");
    ck_assert_rel(radvar_noise_kurtosis(&n), 4.0, 4 * DBL_EPSILON);
    n = parsed("mixture:p=0.5,k=3");
    ck_assert_rel(radvar_noise_kurtosis(&n), 3.0 * 41.0 / 25.0, 4 * DBL_EPSILON);
    n = parsed("ar1:phi=0.7");
    ck_assert(radvar_noise_kurtosis(&n) == 3.0);
    n.phi = 1.0;
    ck_assert_nan(radvar_noise_kurtosis(&n));
}
END_TEST

/* ------------------------------------------------------------ SPEC strings */

START_TEST(test_parse_valid)
{
    radvar_noise n;
    char why[128];
    ck_assert_int_eq(radvar_noise_parse("normal", &n, why, sizeof why), RADVAR_SUCCESS);
    ck_assert(n.kind == RADVAR_NOISE_NORMAL && why[0] == '\0');
    ck_assert_int_eq(radvar_noise_parse("student:nu=5", &n, why, sizeof why), RADVAR_SUCCESS);
    ck_assert(n.kind == RADVAR_NOISE_STUDENT && n.nu == 5.0);
    ck_assert_int_eq(radvar_noise_parse("laplace", &n, why, sizeof why), RADVAR_SUCCESS);
    ck_assert(n.kind == RADVAR_NOISE_LAPLACE);
    ck_assert_int_eq(radvar_noise_parse("mixture:k=10,p=0.1", &n, why, sizeof why), RADVAR_SUCCESS);
    ck_assert(n.kind == RADVAR_NOISE_MIXTURE && n.p == 0.1 && n.k == 10.0);
    ck_assert_int_eq(radvar_noise_parse("ar1:phi=-0.5", &n, why, sizeof why), RADVAR_SUCCESS);
    ck_assert(n.kind == RADVAR_NOISE_AR1 && n.phi == -0.5);
    ck_assert_int_eq(radvar_noise_parse("decay:a=0.5,tau=1e3", &n, why, sizeof why), RADVAR_SUCCESS);
    ck_assert(n.kind == RADVAR_NOISE_DECAY && n.a == 0.5 && n.tau == 1000.0);
    ck_assert_int_eq(radvar_noise_parse("decay:a=0,tau=1", &n, why, sizeof why), RADVAR_SUCCESS);
}
END_TEST

START_TEST(test_format_round_trip)
{
    static const char *specs[] = {"normal", "laplace", "student:nu=2.0000000000000004",
                                  "mixture:p=0.10000000000000001,k=3.3333333333333335",
                                  "ar1:phi=-0.33333333333333331", "decay:a=0.5,tau=100"};
    for (size_t i = 0; i < N_ELEMS(specs); i++) {
        radvar_noise n = parsed(specs[i]), back;
        char buf[128], why[128];
        ck_assert_int_eq(radvar_noise_format(&n, buf, sizeof buf), RADVAR_SUCCESS);
        ck_assert_str_eq(buf, specs[i]);
        ck_assert_int_eq(radvar_noise_parse(buf, &back, why, sizeof why), RADVAR_SUCCESS);
        ck_assert(memcmp(&n, &back, sizeof n) == 0);
    }
    /* any double survives the round trip */
    radvar_noise n = {.kind = RADVAR_NOISE_MIXTURE, .p = 1.0 / 3.0, .k = 3.141592653589793 * 1e-200}, back;
    char buf[128], small[8], why[128];
    ck_assert_int_eq(radvar_noise_format(&n, buf, sizeof buf), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_noise_parse(buf, &back, why, sizeof why), RADVAR_SUCCESS);
    ck_assert(back.p == n.p && back.k == n.k);
    ck_assert_int_eq(radvar_noise_format(&n, small, sizeof small), RADVAR_EINVAL);
    ck_assert_str_eq(small, "mixture");
    n.p = 1.5;
    ck_assert_int_eq(radvar_noise_format(&n, buf, sizeof buf), RADVAR_EINVAL);
    ck_assert_str_eq(buf, "");
}
END_TEST

/* A bad SPEC: the status, the model left as it was, and a one-line message
 * containing each of the given fragments. */
static const struct {
    const char *spec;
    const char *msg[2];
} bad_specs[] = {
    {"", {"empty", "student:nu=V"}},
    {"gauss", {"unknown noise model 'gauss'", "mixture:p=P,k=K"}},
    {"Student:nu=5", {"unknown noise model 'Student'", NULL}},
    {"student", {"missing parameter nu", "nu > 2"}},
    {"student:", {"empty parameter", NULL}},
    {"student:nu", {"expected name=value", "'nu'"}},
    {"student:nu=", {"nu has no value", "nu > 2"}},
    {"student:nu=2", {"nu = 2 is out of range", "nu > 2"}},
    {"student:nu=1.5e0", {"out of range", "nu > 2"}},
    {"student:nu=abc", {"nu = 'abc' is not a number", "nu > 2"}},
    {"student:nu=5x", {"'5x' is not a number", "nu > 2"}},
    {"student:nu= 5", {"is not a number", "nu > 2"}},
    {"student:nu=inf", {"not finite", "nu > 2"}},
    {"student:nu=nan", {"not finite", "nu > 2"}},
    {"student:nu=1e999", {"not finite", "nu > 2"}},
    {"student:nu=5,nu=6", {"nu given twice", NULL}},
    {"student:nu=5,mu=1", {"unknown parameter 'mu'", "nu > 2"}},
    {"student:nu=5,", {"empty parameter after ','", NULL}},
    {"student:nu=5;", {"'5;' is not a number", NULL}},
    {"mixture:p=0.1", {"missing parameter k", "k > 0"}},
    {"mixture:k=2", {"missing parameter p", "0 < p < 1"}},
    {"mixture:p=1,k=2", {"p = 1 is out of range", "0 < p < 1"}},
    {"mixture:p=0.1,k=0", {"k = 0 is out of range", "k > 0"}},
    {"mixture:p=0.1,,k=2", {"empty parameter", NULL}},
    {"ar1:phi=1", {"phi = 1 is out of range", "-1 < phi < 1"}},
    {"ar1:phi=-1.5", {"out of range", "-1 < phi < 1"}},
    {"decay:a=-1,tau=2", {"a = -1 is out of range", "a >= 0"}},
    {"decay:a=1,tau=0", {"tau = 0 is out of range", "tau > 0"}},
    {"decay:a=1", {"missing parameter tau", "tau > 0"}},
    {"normal:sigma=2", {"normal takes no parameters", NULL}},
    {"laplace:", {"laplace takes no parameters", NULL}},
};

START_TEST(test_parse_errors)
{
    radvar_noise n = {.kind = RADVAR_NOISE_AR1, .phi = 0.25}, keep = n;
    char why[256];
    ck_assert_int_eq(radvar_noise_parse(bad_specs[_i].spec, &n, why, sizeof why), RADVAR_EINVAL);
    ck_assert(memcmp(&n, &keep, sizeof n) == 0);
    ck_assert_msg(strchr(why, '\n') == NULL && strlen(why) > 0, "'%s'", why);
    for (int k = 0; k < 2; k++)
        if (bad_specs[_i].msg[k] != NULL)
            ck_assert_msg(strstr(why, bad_specs[_i].msg[k]) != NULL, "'%s' -> '%s', expected '%s'",
                          bad_specs[_i].spec, why, bad_specs[_i].msg[k]);
}
END_TEST

START_TEST(test_parse_message_buffers)
{
    radvar_noise n;
    char tiny[6];
    ck_assert_int_eq(radvar_noise_parse("student:nu=1", &n, tiny, sizeof tiny), RADVAR_EINVAL);
    ck_assert_str_eq(tiny, "stude");
    ck_assert_int_eq(radvar_noise_parse("student:nu=1", &n, NULL, 0), RADVAR_EINVAL);
    ck_assert_int_eq(radvar_noise_parse(NULL, &n, NULL, 0), RADVAR_EINVAL);
    char why[128];
    radvar_noise bad = {.kind = RADVAR_NOISE_STUDENT, .nu = 2.0};
    ck_assert_int_eq(radvar_noise_check(&bad, why, sizeof why), RADVAR_EINVAL);
    ck_assert(strstr(why, "nu = 2 is out of range (need nu > 2)") != NULL);
    bad = (radvar_noise){.kind = (radvar_noise_kind)42};
    ck_assert_int_eq(radvar_noise_check(&bad, why, sizeof why), RADVAR_EINVAL);
    ck_assert(strstr(why, "unknown noise model kind 42") != NULL);
    ck_assert_str_eq(radvar_noise_name(RADVAR_NOISE_DECAY), "decay");
}
END_TEST

/* ------------------------------------------------------------ domains */

START_TEST(test_domains)
{
    radvar_exact_moments m;
    radvar_noise st = parsed("student:nu=5"), dec = parsed("decay:a=0.5,tau=10");
    /* t = 2: E[psi] only */
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 2, 0, 1, &st, &m), RADVAR_EDOM);
    ck_assert(isfinite(m.mean_psi));
    ck_assert_nan(m.var_psi);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 1, 0, 1, &st, &m), RADVAR_EDOM);
    ck_assert_nan(m.mean_psi);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 3.5, 0, 1, &st, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.0, 10, 0, 1, &st, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(1.0, 10, 0, 1, &st, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, NAN, 0, 1, &st, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, NAN, 1, &st, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, INFINITY, 1, &st, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, 0, 0, &st, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, 0, INFINITY, &st, &m), RADVAR_EDOM);
    ck_assert_nan(m.var_psi);
    /* decay: no stationary limit, and at most RADVAR_NOISE_DECAY_TMAX steps */
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, INFINITY, 0, 1, &dec, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, RADVAR_NOISE_DECAY_TMAX + 1, 0, 1, &dec, &m),
                     RADVAR_EDOM);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, 0, 1, &dec, &m), RADVAR_SUCCESS);
    /* decay: no scale^2 below 1e-300 (here 2 a ln(1 + t/tau) = 2 * 200 * ln 11 = 959) */
    radvar_noise steep = parsed("decay:a=200,tau=1");
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, 0, 1, &steep, &m), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&steep, 0.9, 10, 0, 1, &(radvar_result){0, 0}), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&steep, 0.9, 5, 0, 1, &(radvar_result){0, 0}), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&steep, 0.9, 4, 0, 1, &(radvar_result){0, 0}), RADVAR_SUCCESS);
    /* invalid models */
    radvar_noise bad = {.kind = RADVAR_NOISE_STUDENT, .nu = 2.0};
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, 0, 1, &bad, &m), RADVAR_EDOM);
    ck_assert_nan(m.mean_psi);
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, 0, 1, NULL, &m), RADVAR_EDOM);
    bad = (radvar_noise){.kind = RADVAR_NOISE_AR1, .phi = NAN};
    ck_assert_int_eq(radvar_exact_moments_ema_noise(0.9, 10, 0, 1, &bad, &m), RADVAR_EDOM);
    /* rho_mm */
    radvar_result r;
    ck_assert_int_eq(radvar_noise_rho_mm_e(&st, 1.0, 10, 0, 1, &r), RADVAR_EDOM);
    ck_assert_nan(r.val);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&st, 0.9, 0.5, 0, 1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&st, 0.9, 10, 0, -1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&bad, 0.9, 10, 0, 1, &r), RADVAR_EDOM);
    radvar_noise ar = parsed("ar1:phi=0.5");
    ck_assert_int_eq(radvar_noise_rho_mm_e(&ar, 0.9, 10.5, 0, 1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&ar, 0.9, INFINITY, 0, 1, &r), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&dec, 0.9, INFINITY, 0, 1, &r), RADVAR_EDOM);
    ck_assert_int_eq(radvar_noise_rho_mm_e(&dec, 0.9, RADVAR_NOISE_DECAY_TMAX + 1, 0, 1, &r), RADVAR_EDOM);
    ck_assert_nan(radvar_noise_rho_mm(&st, 0.9, 10, NAN, 1));
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("noise");
    TCase *core = tcase_create("Core");
    tcase_add_loop_test(core, test_reference, 0, (int)N_ELEMS(noise_ref_table));
    tcase_add_test(core, test_reference_worst_report);
    tcase_add_test(core, test_normal_is_bit_identical);
    tcase_add_loop_test(core, test_gaussian_special_cases, 0, (int)N_ELEMS(gaussian_specs));
    tcase_add_test(core, test_gaussian_t3);
    tcase_add_test(core, test_student_large_nu_approaches_normal);
    tcase_add_test(core, test_stationary_limit);
    tcase_add_loop_test(core, test_robust, 0, (int)N_ELEMS(robust_specs));
    tcase_add_test(core, test_rho_mm_normal_is_rho_moment);
    tcase_add_loop_test(core, test_rho_mm_direct, 0, (int)N_ELEMS(mm_specs));
    tcase_add_test(core, test_rho_mm_infinite_kurtosis);
    tcase_add_test(core, test_kurtosis);
    tcase_set_timeout(core, 300);
    suite_add_tcase(s, core);
    TCase *limits = tcase_create("Limits");
    tcase_add_test(limits, test_parse_valid);
    tcase_add_test(limits, test_format_round_trip);
    tcase_add_loop_test(limits, test_parse_errors, 0, (int)N_ELEMS(bad_specs));
    tcase_add_test(limits, test_parse_message_buffers);
    tcase_add_test(limits, test_domains);
    suite_add_tcase(s, limits);
    return run_suite(s);
}
