# sma_theorem.gp DATA OUT: Monte Carlo Var[psi] of the SMA at integer rho
# (points with 95% error bars) over the exact Theorem-1 curve and the
# first-order approximation; below, the deviations of the simulated mean and
# variance from the exact ones in standard errors.  DATA (sims/sma_theorem)
# columns: rho mean_psi mean_theory z_mean var_psi se_var_psi var_theory
# var_approx z_var ks_distance ks_p (z_var and the error bar are nan/inf for
# rho <= 4, where the fourth moment of psi is infinite).
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "sma_theorem.gp") - 1]
load dir."common.gp"
fin(x) = (x == x && abs(x) < 1e300) ? x : NaN
trials = system("sed -n 's/.*, \\([0-9]*\\) trials per rho.*/\\1/p' ".data)
set multiplot layout 2,1 title sprintf("Theorem 1, numerically: the SMA of rho squared N(0,1) gradients, %s trials per rho", trials)
set logscale x
set xrange [2.7:2300]
set xlabel "rho (SMA window)"
set size 1, 0.62; set origin 0, 0.35
set logscale y
set format y "10^{%L}"
set ylabel "Var[psi] σ^2"
plot data using "rho":"var_theory" with lines lw 2 lc rgb "#1f77b4" title "exact Var[psi] (Theorem 1)", \
     data using "rho":"var_approx" with lines lw 1.5 dt 2 lc rgb "#d62728" title "first-order approximation (infinite at rho = 4)", \
     data using "rho":"var_psi":(1.96*fin(column("se_var_psi"))) with yerrorbars pt 7 ps 0.6 lc rgb "black" \
          title "Monte Carlo, 95% error bars (none at rho <= 4: infinite fourth moment)"
set size 1, 0.35; set origin 0, 0
unset logscale y
set format y "%g"
set yrange [-5:5]; set ytics 2
set ylabel "(MC - exact) / SE"
set title "Monte Carlo minus exact, in standard errors (independent runs, seed = rho)" font ",11"
set key top right horizontal font ",10"
plot data using "rho":"z_mean" with points pt 7 ps 0.7 lc rgb "#1f77b4" title "mean of psi", \
     data using "rho":"z_var" with points pt 5 ps 0.7 lc rgb "black" title "Var[psi] (rho >= 5)", \
     2 with lines dt 2 lc rgb "gray50" notitle, -2 with lines dt 2 lc rgb "gray50" notitle
unset multiplot
