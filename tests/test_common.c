/* test_common.c: the version, the status messages, radvar_init and GSL's
 * error handler, the instruction-set path.  Each test runs in its own
 * process (Check's fork mode), so radvar_init and the dispatch choice are
 * first called there; run without fork (CK_FORK=no) the tests keep their
 * order, which puts those first calls first. */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <string.h>

#include "check_util.h"
#include "radvar/radvar.h"

static int handler_calls;

static void counting_handler(const char *reason, const char *file, int line, int gsl_errno)
{
    (void)reason, (void)file, (void)line, (void)gsl_errno;
    handler_calls++;
}

START_TEST(test_init_keeps_the_program_handler)
{
    /* a handler the program installed before radvar_init is kept */
    gsl_set_error_handler(counting_handler);
    ck_assert_int_eq(radvar_init(), RADVAR_SUCCESS);
    ck_assert_int_eq(radvar_init(), RADVAR_SUCCESS); /* once only */
    gsl_error_handler_t *current = gsl_set_error_handler(counting_handler);
    ck_assert(current == counting_handler);
    /* and GSL errors reach it */
    gsl_sf_result r;
    handler_calls = 0;
    gsl_sf_gamma_e(-1.0, &r); /* a pole: GSL_EDOM */
    ck_assert_int_eq(handler_calls, 1);
}
END_TEST

START_TEST(test_init_turns_the_abort_off)
{
    /* without a handler of the program's, GSL's abort is turned off: a GSL
     * domain error returns instead of aborting this process */
    ck_assert_int_eq(radvar_init(), RADVAR_SUCCESS);
    gsl_sf_result r;
    ck_assert_int_eq(gsl_sf_gamma_e(-1.0, &r), GSL_EDOM);
}
END_TEST

START_TEST(test_version)
{
    ck_assert_str_eq(radvar_version(), RADVAR_VERSION);
    char v[32];
    snprintf(v, sizeof v, "%d.%d.%d", RADVAR_VERSION_MAJOR, RADVAR_VERSION_MINOR,
             RADVAR_VERSION_PATCH);
    ck_assert_str_eq(v, RADVAR_VERSION);
}
END_TEST

START_TEST(test_strerror)
{
    const int codes[] = {RADVAR_CONTINUE, RADVAR_SUCCESS, RADVAR_EDOM, RADVAR_EMAXITER,
                         RADVAR_EINVAL, RADVAR_ENOMEM, RADVAR_EIO, RADVAR_EFORMAT,
                         RADVAR_EINTR, RADVAR_ENONFINITE};
    /* every code has its own message, and an unknown one a generic message */
    for (size_t i = 0; i < N_ELEMS(codes); i++) {
        const char *m = radvar_strerror(codes[i]);
        ck_assert_ptr_nonnull(m);
        ck_assert(strlen(m) > 3);
        ck_assert_str_ne(m, radvar_strerror(12345));
        for (size_t j = 0; j < i; j++)
            ck_assert_str_ne(m, radvar_strerror(codes[j]));
    }
    ck_assert_str_eq(radvar_strerror(RADVAR_SUCCESS), "success");
    ck_assert_str_eq(radvar_strerror(-99), "unknown status");
}
END_TEST

START_TEST(test_dispatch_forced_portable)
{
    setenv("RADVAR_DISPATCH", "portable", 1);
    ck_assert_str_eq(radvar_dispatch_name(), "portable");
}
END_TEST

START_TEST(test_dispatch_default)
{
    unsetenv("RADVAR_DISPATCH");
    const char *name = radvar_dispatch_name();
    ck_assert(strcmp(name, "avx2") == 0 || strcmp(name, "portable") == 0);
    ck_assert_str_eq(radvar_dispatch_name(), name); /* chosen once */
}
END_TEST

int main(void)
{
    Suite *s = suite_create("common");
    TCase *core = tcase_create("Core");
    tcase_add_test(core, test_init_keeps_the_program_handler);
    tcase_add_test(core, test_init_turns_the_abort_off);
    tcase_add_test(core, test_version);
    tcase_add_test(core, test_strerror);
    tcase_add_test(core, test_dispatch_forced_portable);
    tcase_add_test(core, test_dispatch_default);
    suite_add_tcase(s, core);
    return run_suite(s);
}
