/* preset_steps.c BETA2 STEPS G: the size of the first STEPS updates of each
 * RAdam convention (every preset, and the pytorch preset with the sma-exact
 * and moment rectifications) and of Adam, with lr = 1, eps = 0 and the
 * constant gradient G.
 *
 * With a constant gradient m_hat = G and v_hat = G^2, so Adam's step is
 * lr G/|G| = lr whatever G, a rectified step is lr r_t, and an un-adapted
 * momentum step (RAdam below its threshold) is lr m_hat = lr G: the momentum
 * step differs from Adam's by the factor G.  With G = 1 the two look alike,
 * so pass a G far from 1 (sims/optimizer.sh uses 0.01 and 100).
 *
 * Prints a table: t, then one column per distinct trajectory; conventions
 * whose STEPS updates agree to 1e-12 share a column named "a=b=c". */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "radvar/optim.h"

enum { N = 10, MAX_STEPS = 100000 };

static int same(const double *a, const double *b, int n)
{
    for (int i = 0; i < n; i++)
        if (!(fabs(a[i] - b[i]) <= 1e-12 * fmax(fabs(a[i]), fabs(b[i]))))
            return 0;
    return 1;
}

int main(int argc, char **argv)
{
    radvar_init();
    if (argc != 4) {
        fprintf(stderr, "usage: preset_steps BETA2 STEPS G\n");
        return 2;
    }
    double beta2 = atof(argv[1]), g = atof(argv[3]);
    int steps = atoi(argv[2]);
    if (steps < 1 || steps > MAX_STEPS || !(g != 0)) {
        fprintf(stderr, "preset_steps: STEPS in 1..%d and G != 0\n", MAX_STEPS);
        return 2;
    }
    const char *names[N] = {"paper", "official", "official-2019-10-10", "official-2019-08-08", "pytorch",
                            "optax", "tfa", "pytorch-sma-exact", "pytorch-moment", "adam"};
    double *step[N];
    for (int k = 0; k < N; k++) {
        radvar_optim_config c;
        radvar_optim *o;
        radvar_optim_defaults(k == N - 1 ? RADVAR_ADAM : RADVAR_RADAM, &c);
        if (k < 7 && radvar_optim_preset(names[k], &c) != RADVAR_SUCCESS)
            return 1;
        if (k == 7)
            c.rect = RADVAR_RECTIFY_SMA_EXACT;
        if (k == 8)
            c.rect = RADVAR_RECTIFY_MOMENT;
        c.beta2 = beta2;
        c.lr = 1.0;
        c.eps = 0.0;
        step[k] = malloc((size_t)steps * sizeof *step[k]);
        if (!step[k] || radvar_optim_alloc(&c, 1, RADVAR_FLOAT64, &o) != RADVAR_SUCCESS) {
            fprintf(stderr, "preset_steps: cannot set up %s\n", names[k]);
            return 1;
        }
        double p = 0.0;
        for (int t = 0; t < steps; t++) {
            double grad = g, before = p;
            radvar_optim_step_f64(o, &p, &grad);
            step[k][t] = before - p;
        }
        radvar_optim_free(o);
    }
    /* group trajectories equal to 1e-12 relative under the first one's column
     * (the eps placements round differently in the last bits) */
    int group[N];
    for (int k = 0; k < N; k++) {
        group[k] = k;
        for (int j = 0; j < k && group[k] == k; j++)
            if (group[j] == j && same(step[j], step[k], steps))
                group[k] = j;
    }
    printf("# update size of each convention with lr = 1, eps = 0, constant gradient g = %.17g, beta2 = %.17g\n", g,
           beta2);
    printf("# Adam's step is lr; a rectified step lr r_t; a momentum step lr m_hat = lr g; 0: no step\n");
    printf("t");
    for (int k = 0; k < N; k++) {
        if (group[k] != k)
            continue;
        printf("\t%s", names[k]);
        for (int j = k + 1; j < N; j++)
            if (group[j] == k)
                printf("=%s", names[j]);
    }
    printf("\n");
    for (int t = 0; t < steps; t++) {
        printf("%d", t + 1);
        for (int k = 0; k < N; k++)
            if (group[k] == k)
                printf("\t%.17g", step[k][t]);
        printf("\n");
    }
    for (int k = 0; k < N; k++)
        free(step[k]);
    return 0;
}
