# dof_error.gp DOF_099 DOF_0999 OUT: the signed relative error of the
# variance each degrees-of-freedom estimate predicts,
# Var_theorem1(rho) / Var_exact - 1, against t, for beta2 = 0.99 and 0.999
# (positive: the estimate overstates the variance).  One panel per estimate,
# linear axes in percent.  Inputs: `radvar dof` tables.
d1 = ARG1; d2 = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "dof_error.gp") - 1]
load dir."common.gp"
set multiplot layout 1,2 title "How good are the degrees-of-freedom estimates of the EMA? Signed error of the Var[psi_t] each predicts (mu = 0)\n(Var[psi] of Theorem 1 at the estimate) / (exact Var[psi_t] of the EMA) - 1; above 0: the estimate overstates the variance"
set logscale x
set autoscale xfix
set xlabel "step t"; set ylabel "predicted / exact - 1 (%)"
set key top left font ",10"
set title "rho_t (the paper's SMA length)"
plot d1 using "t":(100*column("rel_err_rho_t")) with lines lw 2 lc rgb "#d62728" title "beta_2 = 0.99", \
     d2 using "t":(100*column("rel_err_rho_t")) with lines lw 2 dt 2 lc rgb "#d62728" title "beta_2 = 0.999", \
     0 with lines lw 1 lc rgb "gray40" notitle
set title "rho_{moment} = 1/Σw_i^2"
plot d1 using "t":(100*column("rel_err_rho_moment")) with lines lw 2 lc rgb "#2ca02c" title "beta_2 = 0.99", \
     d2 using "t":(100*column("rel_err_rho_moment")) with lines lw 2 dt 2 lc rgb "#2ca02c" title "beta_2 = 0.999", \
     0 with lines lw 1 lc rgb "gray40" notitle
unset multiplot
