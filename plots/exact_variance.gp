# exact_variance.gp DOF_DATA MC_DATA OUT: the exact Var[psi_t] of the EMA
# against t, over the Monte Carlo points (95% error bars) and the SMA
# approximation at rho_t and at rho_moment; below, the Monte Carlo minus the
# exact variance in standard errors.  DOF_DATA: `radvar dof`; MC_DATA:
# `radvar simulate` (mu = 0, log-spaced steps; columns t var_psi se_var_psi
# var_exact), or "" to draw the upper panel only.
d = ARG1; mc = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "exact_variance.gp") - 1]
load dir."common.gp"
fin(x) = (x == x && abs(x) < 1e300) ? x : NaN
set logscale x
set xrange [3:6000]
set xlabel "step t"
if (strlen(mc) > 0) {
    trials = system("sed -n 's/^# trials: //p' ".mc)
    set multiplot layout 2,1 title sprintf("Exact Var[psi_t] of the EMA (beta_2 = 0.999, mu = 0, sigma = 1) vs Monte Carlo (%s trials) and the SMA approximation", trials)
    set size 1, 0.62; set origin 0, 0.35
    set title ""
} else {
    set title "Exact Var[psi_t] of the EMA (beta_2 = 0.999, mu = 0, sigma = 1) vs the SMA approximation"
}
set logscale y
set format y "10^{%L}"
set ylabel "Var[psi_t]"
set key top right
if (strlen(mc) > 0) {
    plot d using "t":"var_exact" with lines lw 2.5 lc rgb "#1f77b4" title "exact (quadrature)", \
         d using "t":"var_at_rho_t" with lines lw 1.5 dt 2 lc rgb "#d62728" title "SMA model at rho_t (paper)", \
         d using "t":"var_at_rho_moment" with lines lw 1.5 dt 3 lc rgb "#2ca02c" title "SMA model at rho_{moment}", \
         mc every 3 using "t":"var_psi":(1.96*fin(column("se_var_psi"))) with yerrorbars pt 7 ps 0.6 lc rgb "black" title "Monte Carlo with 95% bars (one in 3 of the simulated steps)"
    set size 1, 0.35; set origin 0, 0
    unset logscale y
    set format y "%g"
    set ylabel "(MC - exact) / SE"
    set yrange [-5:5]
    set ytics 2
    set title "Monte Carlo minus exact, in standard errors, at every simulated step from t = 5 (the steps share trials, so neighbours are correlated)" font ",11"
    unset key
    plot mc using "t":((column("var_psi") - column("var_exact")) / fin(column("se_var_psi"))) with points pt 7 ps 0.5 lc rgb "black", \
         2 with lines dt 2 lc rgb "gray50", -2 with lines dt 2 lc rgb "gray50"
    unset multiplot
} else {
    plot d using "t":"var_exact" with lines lw 2.5 lc rgb "#1f77b4" title "exact (quadrature)", \
         d using "t":"var_at_rho_t" with lines lw 1.5 dt 2 lc rgb "#d62728" title "SMA model at rho_t (paper)", \
         d using "t":"var_at_rho_moment" with lines lw 1.5 dt 3 lc rgb "#2ca02c" title "SMA model at rho_{moment}"
}
