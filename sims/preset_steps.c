/* preset_steps.c BETA2 STEPS: the effective step-size multiplier of each RAdam
 * convention over the first STEPS steps.  With a constant gradient g = 1,
 * m_hat = v_hat = 1, so an update of size lr x (multiplier) shows what each
 * convention does at each step: r_t where it rectifies, 1 for an un-adapted
 * momentum step below the threshold, 0 where it takes no step.  Adam's
 * multiplier is 1 throughout.  Prints: t paper official pytorch optax tfa
 * exact adam (eps = 0, so that eps placement does not blur the picture). */
#include <stdio.h>
#include <stdlib.h>

#include "radvar/optim.h"

int main(int argc, char **argv)
{
    radvar_init();
    double beta2 = argc > 1 ? atof(argv[1]) : 0.999;
    int steps = argc > 2 ? atoi(argv[2]) : 100;
    const char *names[] = {"paper", "official", "pytorch", "optax", "tfa", "exact", "adam"};
    radvar_optim *o[7];
    double p[7];
    for (int k = 0; k < 7; k++) {
        radvar_optim_config c;
        radvar_optim_defaults(k == 6 ? RADVAR_ADAM : RADVAR_RADAM, &c);
        if (k < 5)
            radvar_optim_preset(names[k], &c);
        c.rect = k == 5 ? RADVAR_RECTIFY_SMA_EXACT : RADVAR_RECTIFY_PAPER;
        c.beta2 = beta2;
        c.lr = 1.0;
        c.eps = 0.0;
        if (radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o[k]) != RADVAR_SUCCESS)
            return 1;
        p[k] = 0.0;
    }
    printf("# step-size multiplier (update / (lr m_hat / sqrt(v_hat))) with g = 1, beta2 = %.17g, eps = 0\n",
           beta2);
    printf("t\tpaper\tofficial\tpytorch\toptax\ttfa\texact\tadam\n");
    for (int t = 1; t <= steps; t++) {
        printf("%d", t);
        for (int k = 0; k < 7; k++) {
            double g = 1.0, before = p[k];
            radvar_optim_step_f64(o[k], &p[k], &g);
            printf("\t%.17g", before - p[k]);
        }
        printf("\n");
    }
    for (int k = 0; k < 7; k++)
        radvar_optim_free(o[k]);
    return 0;
}
