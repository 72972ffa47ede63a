#define _POSIX_C_SOURCE 200809L
/* test_optim_kurtosis.c: the kurtosis-aware rectification (radvar/rectify.h)
 * and the optimizer's --rect kurtosis, which estimates the kurtosis of each
 * coordinate's gradients online.
 *
 * Independent checks: the Gaussian case (kappa = 3) is the moment
 * rectification to the last bit; a step computed by hand from the state
 * (u4, v, m set explicitly) with the formula of radvar_rectify_kurtosis;
 * gradients of constant magnitude (kappa_hat = 1 <= 3) follow --rect moment
 * bit for bit. */
#include <string.h>
#include <unistd.h>

#include "check_util.h"
#include "radvar/optim.h"
#include "radvar/rectify.h"
#include "radvar/schedule.h"
#include "radvar/theory.h"

START_TEST(test_gaussian_kurtosis_is_the_moment_rectification)
{
    const double b2[] = {0.9, 0.99, 0.999};
    for (size_t i = 0; i < N_ELEMS(b2); i++)
        for (double t = 3; t < 1e5; t *= 1.7) {
            double tt = floor(t);
            ck_assert(radvar_rectify_kurtosis(b2[i], tt, 3.0) == radvar_rectify_moment(b2[i], tt)
                      || (isnan(radvar_rectify_moment(b2[i], tt))
                          && isnan(radvar_rectify_kurtosis(b2[i], tt, 3.0))));
        }
}
END_TEST

START_TEST(test_kurtosis_formula_and_domain)
{
    /* c = 2/(kappa-1): kappa = 9 (Student-t, nu = 5) scales the dof by 1/4 */
    double rho = radvar_schedule_rho_moment(0.999, 400), rho_inf = radvar_schedule_rho_inf(0.999);
    double want = sqrt(radvar_theory_var_psi(0.25 * rho_inf, 1.0) / radvar_theory_var_psi(0.25 * rho, 1.0));
    ck_assert_rel(radvar_rectify_kurtosis(0.999, 400, 9.0), want, 4 * DBL_EPSILON);
    /* heavier tails: less than the Gaussian's rectification */
    double last = radvar_rectify_kurtosis(0.999, 400, 3.0);
    for (double kappa = 4; kappa < 100; kappa *= 1.5) {
        double r = radvar_rectify_kurtosis(0.999, 400, kappa);
        ck_assert(r < last);
        last = r;
    }
    radvar_result res;
    ck_assert_int_eq(radvar_rectify_kurtosis_e(0.999, 400, 1.0, &res), RADVAR_EDOM);
    ck_assert_nan(res.val);
    ck_assert_int_eq(radvar_rectify_kurtosis_e(0.999, 400, INFINITY, &res), RADVAR_EDOM);
    ck_assert_int_eq(radvar_rectify_kurtosis_e(0.999, 400, NAN, &res), RADVAR_EDOM);
    /* dof c rho_moment <= 2: no finite variance */
    ck_assert_int_eq(radvar_rectify_kurtosis_e(0.999, 5, 30.0, &res), RADVAR_EDOM);
}
END_TEST

static radvar_optim *make(radvar_rectify_kind rect, radvar_dtype dtype, size_t n)
{
    radvar_optim_config c;
    radvar_optim_defaults(RADVAR_RADAM, &c);
    c.rect = rect;
    radvar_optim *o;
    ck_assert_int_eq(radvar_optim_alloc(&c, n, dtype, &o), RADVAR_SUCCESS);
    return o;
}

START_TEST(test_constant_magnitude_follows_moment)
{
    /* |g| constant: u4/v^2 bias-corrected is 1 <= 3 every step */
    radvar_optim *a = make(RADVAR_RECTIFY_KURTOSIS, RADVAR_FLOAT64, 3),
                 *b = make(RADVAR_RECTIFY_MOMENT, RADVAR_FLOAT64, 3);
    double pa[3] = {1, -2, 0.5}, pb[3] = {1, -2, 0.5};
    for (int t = 1; t <= 500; t++) {
        double g[3] = {t % 3 ? 0.7 : -0.7, t % 5 ? -2.0 : 2.0, 1e-3};
        radvar_optim_step_f64(a, pa, g);
        radvar_optim_step_f64(b, pb, g);
    }
    ck_assert(memcmp(pa, pb, sizeof pa) == 0);
    ck_assert_ptr_nonnull(radvar_optim_u4(a));
    ck_assert_ptr_null(radvar_optim_u4(b));
    radvar_optim_free(a);
    radvar_optim_free(b);
}
END_TEST

START_TEST(test_one_step_by_hand)
{
    /* state after 99 steps set by hand, then step 100 with g: the update of
     * torch's sqrt(v) form with r from kappa_hat = u_hat / v_hat^2 */
    radvar_optim *o = make(RADVAR_RECTIFY_KURTOSIS, RADVAR_FLOAT64, 2);
    double m[2] = {0.01, -0.02}, v[2] = {0.2, 0.3}, u4[2] = {5.0, 0.05}, p[2] = {1.0, 2.0},
           g[2] = {0.3, -0.1};
    ck_assert_int_eq(radvar_optim_set_state(o, 99, m, v, NULL), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_optim_set_u4(o, u4), RADVAR_SUCCESS);
    radvar_optim_step_f64(o, p, g);
    const double b1 = 0.9, b2 = 0.999, lr = 1e-3, eps = 1e-8, t = 100;
    double bc1 = 1 - pow(b1, t), bc2 = 1 - pow(b2, t);
    for (int i = 0; i < 2; i++) {
        double mi = m[i] * b1 + (1 - b1) * g[i], vi = v[i] * b2 + (1 - b2) * g[i] * g[i];
        double ui = u4[i] * b2 + (1 - b2) * (g[i] * g[i]) * (g[i] * g[i]);
        double kappa = ui * bc2 / (vi * vi);
        double r = kappa > 3 ? radvar_rectify_kurtosis(b2, t, kappa) : radvar_rectify_moment(b2, t);
        double want = (i ? 2.0 : 1.0) - mi / bc1 * lr * (sqrt(bc2) / (sqrt(vi) + eps)) * r;
        ck_assert_rel(p[i], want, 8 * DBL_EPSILON);
    }
    /* coordinate 0 is heavy-tailed here (kappa > 3), coordinate 1 is not */
    double v0 = v[0] * b2 + (1 - b2) * 0.09, u0 = u4[0] * b2 + (1 - b2) * 0.0081;
    ck_assert(u0 * bc2 / (v0 * v0) > 3);
    radvar_optim_free(o);
}
END_TEST

START_TEST(test_state_and_save)
{
    radvar_optim *a = make(RADVAR_RECTIFY_KURTOSIS, RADVAR_FLOAT32, 4), *b;
    float p[4] = {1, 2, 3, 4};
    for (int t = 1; t <= 20; t++) {
        float g[4] = {(float)sin(t), (float)(t % 7 == 0 ? 40 : 1), -0.5f, (float)cos(3 * t)};
        radvar_optim_step_f32(a, p, g);
    }
    char path[] = "/tmp/radvar-kurtosis-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(radvar_optim_save(a, path), RADVAR_SUCCESS);
    b = make(RADVAR_RECTIFY_KURTOSIS, RADVAR_FLOAT32, 4);
    ck_assert_int_eq(radvar_optim_load(b, path), RADVAR_SUCCESS);
    ck_assert(memcmp(radvar_optim_u4(a), radvar_optim_u4(b), 4 * sizeof(float)) == 0);
    radvar_optim *c = make(RADVAR_RECTIFY_MOMENT, RADVAR_FLOAT32, 4); /* no u4 state */
    ck_assert_int_eq(radvar_optim_load(c, path), RADVAR_EFORMAT);
    ck_assert_int_eq(radvar_optim_set_u4(c, p), RADVAR_EINVAL);
    float bad[4] = {1, NAN, 1, 1};
    ck_assert_int_eq(radvar_optim_set_u4(a, bad), RADVAR_EINVAL);
    unlink(path);
    radvar_optim_free(a);
    radvar_optim_free(b);
    radvar_optim_free(c);
}
END_TEST

int main(void)
{
    radvar_init();
    Suite *s = suite_create("optim_kurtosis");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, test_gaussian_kurtosis_is_the_moment_rectification);
    tcase_add_test(core, test_kurtosis_formula_and_domain);
    tcase_add_test(core, test_constant_magnitude_follows_moment);
    tcase_add_test(core, test_one_step_by_hand);
    tcase_add_test(core, test_state_and_save);
    suite_add_tcase(s, core);
    return run_suite(s);
}
