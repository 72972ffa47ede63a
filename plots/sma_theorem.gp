# sma_theorem.gp DATA OUT: Monte Carlo Var[psi] of the SMA at integer rho
# (points with 95% error bars) over the exact Theorem-1 curve and the
# first-order approximation.  DATA columns: rho var_psi se_var_psi var_theory var_approx
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "sma_theorem.gp") - 1]
load dir."common.gp"
set logscale xy
set format y "10^{%L}"
set xlabel "rho (SMA window)"; set ylabel "Var[psi] {/Symbol s}^2"
set title "Theorem 1, numerically: SMA of rho squared N(0,1) gradients (".system("sed -n 's/.*, \\([0-9]*\\) trials per rho.*/\\1/p' ".data)." trials each)"
set xrange [2.5:2500]
plot data using "rho":"var_theory" with lines lw 2 lc rgb "#1f77b4" title "exact Var[psi] (Theorem 1)", \
     data using "rho":"var_approx" with lines lw 1.5 dt 2 lc rgb "#d62728" title "first-order approximation", \
     data using "rho":"var_psi":(1.96*column("se_var_psi")) with yerrorbars pt 7 ps 0.6 lc rgb "black" \
          title "Monte Carlo, 95% error bars"
