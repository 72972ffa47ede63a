# exact_variance.gp DOF_DATA MC_DATA OUT: the exact Var[psi_t] of the EMA
# against t, over the Monte Carlo points (95% error bars) and the SMA
# approximation at rho_t and at rho_moment.  DOF_DATA: `radvar dof`;
# MC_DATA: `radvar simulate` (mu = 0), or "" to leave the points out.
d = ARG1; mc = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "exact_variance.gp") - 1]
load dir."common.gp"
set logscale xy
set format y "10^{%L}"
set xlabel "step t"; set ylabel "Var[psi_t]"
set title "Exact Var[psi_t] of the EMA (beta_2 = 0.999, mu = 0, sigma = 1) vs Monte Carlo and the SMA approximation"
set xrange [3:6000]
if (strlen(mc) > 0) {
    plot d using "t":"var_exact" with lines lw 2.5 lc rgb "#1f77b4" title "exact (quadrature)", \
         d using "t":"var_at_rho_t" with lines lw 1.5 dt 2 lc rgb "#d62728" title "SMA model at rho_t (paper)", \
         d using "t":"var_at_rho_moment" with lines lw 1.5 dt 3 lc rgb "#2ca02c" title "SMA model at rho_{moment}", \
         mc every 37 using "t":"var_psi":(1.96*column("se_var_psi")) with yerrorbars pt 7 ps 0.5 lc rgb "black" title "Monte Carlo, 95%"
} else {
    plot d using "t":"var_exact" with lines lw 2.5 lc rgb "#1f77b4" title "exact (quadrature)", \
         d using "t":"var_at_rho_t" with lines lw 1.5 dt 2 lc rgb "#d62728" title "SMA model at rho_t (paper)", \
         d using "t":"var_at_rho_moment" with lines lw 1.5 dt 3 lc rgb "#2ca02c" title "SMA model at rho_{moment}"
}
