/* install_smoke.c: a program built against an installed radvar through
 * pkg-config (tests/build/run.sh builds it dynamically and statically and
 * runs it): it includes <radvar/radvar.h> the way the README says, and
 * checks that the library it runs with is the version it was built with. */
#include <radvar/radvar.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    radvar_init();
    if (strcmp(radvar_version(), RADVAR_VERSION) != 0) {
        fprintf(stderr, "install_smoke: headers %s, library %s\n", RADVAR_VERSION, radvar_version());
        return 1;
    }
    radvar_result r;
    /* Var[psi] at rho = 5 (tests/ref/theory_ref.h: 0.25195606140537479) */
    if (radvar_theory_var_psi_e(5.0, 1.0, &r) != RADVAR_SUCCESS
        || fabs(r.val - 0.2519560614053747932) > r.err + 1e-17) {
        fprintf(stderr, "install_smoke: Var[psi](5) = %.17g\n", r.val);
        return 1;
    }
    printf("install_smoke: radvar %s, Var[psi](rho = 5) = %.17g, r_t(0.999, 100) = %.17g\n",
           radvar_version(), r.val, radvar_rectify_paper(0.999, 100.0));
    return 0;
}
