# dof.gp MC DOF OUT: rho_t (the paper's SMA length) against the effective
# degrees of freedom of the EMA: from the simulation (the rho at which
# Theorem 1's Var[psi] equals the simulated one, with its 95% band), exactly
# (the same from the exact Var[psi_t]), and rho_moment = 1/sum w_i^2.
# MC: `radvar simulate` at mu = 0 (t rho_t rho_eff rho_eff_lo rho_eff_hi);
# DOF: `radvar dof` at the same beta2 (t rho_t rho_moment rho_exact).
# The lower panel divides by rho_t, where the band is visible.
mc = ARG1; d = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "dof.gp") - 1]
load dir."common.gp"
trials = system("sed -n 's/^# trials: //p' ".mc)
fin(x) = (x == x && abs(x) < 1e300) ? x : NaN
set multiplot layout 2,1 title sprintf("Degrees of freedom of the EMA's psi_t^2 (beta_2 = 0.999, mu = 0): rho_t against the effective dof\nMonte Carlo: %s trials; the band is the 95%% interval from the standard error of the simulated variance", trials)
set logscale x
set xrange [5:6000]
set xlabel "step t"
set key top left font ",10"
set logscale y
set ylabel "degrees of freedom"
set title "the dof against t"
plot mc using "t":(fin(column("rho_eff_lo"))):(fin(column("rho_eff_hi"))) with filledcurves lc rgb "#9ecae1" title "95% band", \
     mc using "t":"rho_eff" with lines lw 1.5 lc rgb "#08519c" title "effective dof (Monte Carlo)", \
     d using "t":"rho_exact" with lines lw 1.5 dt 2 lc rgb "black" title "effective dof (exact Var[psi_t])", \
     d using "t":"rho_t" with lines lw 2 lc rgb "#d62728" title "rho_t (paper)"
unset logscale y
set ylabel "dof / rho_t"
set title "the same divided by rho_t"
set yrange [0.9:1.2]
set key top left font ",10"
plot mc using "t":(fin(column("rho_eff_lo"))/column("rho_t")):(fin(column("rho_eff_hi"))/column("rho_t")) with filledcurves lc rgb "#9ecae1" title "95% band", \
     mc using "t":(column("rho_eff")/column("rho_t")) with lines lw 1.5 lc rgb "#08519c" title "effective dof (Monte Carlo) / rho_t", \
     d using "t":(column("rho_exact")/column("rho_t")) with lines lw 1.5 dt 2 lc rgb "black" title "effective dof (exact) / rho_t", \
     d using "t":(column("rho_moment")/column("rho_t")) with lines lw 1.5 dt 4 lc rgb "#2ca02c" title "rho_{moment} / rho_t", \
     1 with lines lw 1 lc rgb "#d62728" title "rho_t / rho_t"
unset multiplot
