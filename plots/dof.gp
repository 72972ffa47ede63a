# dof.gp DATA OUT: rho_t (the paper's SMA length) against the effective
# degrees of freedom estimated from the EMA simulation (the rho at which the
# closed-form Var[psi] equals the simulated one), with its 95% band.
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "dof.gp") - 1]
load dir."common.gp"
set logscale xy
set xlabel "step t"; set ylabel "degrees of freedom"
set title "rho_t against the effective degrees of freedom of the simulated EMA (beta_2 = 0.999, mu = 0)"
set key top left
set xrange [5:6000]
plot data using "t":"rho_eff_lo":"rho_eff_hi" with filledcurves lc rgb "#c6dbef" title "95% band", \
     data using "t":"rho_eff" with lines lw 1.5 lc rgb "#08519c" title "effective dof (Monte Carlo)", \
     data using "t":"rho_t" with lines lw 2 dt 2 lc rgb "#d62728" title "rho_t (paper)"
