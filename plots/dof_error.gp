# dof_error.gp DOF_099 DOF_0999 OUT: relative error of the variance each
# degrees-of-freedom estimate predicts, |Var_theorem(rho) / Var_exact - 1|,
# against t, for beta2 = 0.99 and 0.999.  Inputs: `radvar dof` tables.
d1 = ARG1; d2 = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "dof_error.gp") - 1]
load dir."common.gp"
set logscale xy
set format y "10^{%L}"
set xlabel "step t"; set ylabel "|predicted Var[psi_t] / exact - 1|"
set title "How good are the degrees-of-freedom estimates of the EMA? (mu = 0)"
set key bottom right
plot d1 using "t":(abs(column("rel_err_rho_t"))) with lines lw 2 lc rgb "#d62728" title "rho_t (paper), beta_2 = 0.99", \
     d2 using "t":(abs(column("rel_err_rho_t"))) with lines lw 2 dt 2 lc rgb "#d62728" title "rho_t (paper), beta_2 = 0.999", \
     d1 using "t":(abs(column("rel_err_rho_moment"))) with lines lw 2 lc rgb "#2ca02c" title "rho_{moment} = 1/{/Symbol S}w_i^2, beta_2 = 0.99", \
     d2 using "t":(abs(column("rel_err_rho_moment"))) with lines lw 2 dt 2 lc rgb "#2ca02c" title "rho_{moment}, beta_2 = 0.999"
