# variance_vs_rho.gp DATA OUT: exact Var[psi] (Theorem 1) and the first-order
# approximation against rho, log-log, rho = 4 marked; below, the relative
# error of the approximation, approx / exact - 1, beside its large-rho form
# 9/(4 rho).  DATA: the table of `radvar theory` (columns rho, var_psi,
# var_psi_approx; the approximation is nan for rho <= 4).
# Usage: gnuplot -c plots/variance_vs_rho.gp data.tsv out.png|out.svg
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "variance_vs_rho.gp") - 1]
load dir."common.gp"
set multiplot layout 2,1 title "Variance of the adaptive learning rate: exact (Theorem 1) vs the paper's first-order approximation rho / (2 (rho-2)(rho-4))"
set logscale xy
set format x "10^{%L}"; set format y "10^{%L}"
set xrange [2:1e5]
set xlabel "rho (the degrees of freedom: psi^2 is Scale-inv-χ^2(rho, 1/σ^2))"
set size 1, 0.56; set origin 0, 0.40
set title ""
set yrange [1e-6:1e4]
set ylabel "Var[psi] σ^2"
set arrow 1 from 4, graph 0 to 4, graph 1 nohead dt 2 lc rgb "gray40"
set label 1 "rho = 4: the approximation is infinite" at 4.3, 3e3 textcolor rgb "gray40"
set key top right
plot data using "rho":"var_psi" with lines lw 2.5 lc rgb "#1f77b4" title "exact Var[psi]", \
     data using "rho":"var_psi_approx" with lines lw 2 dt 2 lc rgb "#d62728" \
          title "first-order rho / (2 (rho-2)(rho-4))"
set size 1, 0.40; set origin 0, 0
unset label 1
set yrange [1e-5:10]
set ylabel "approx / exact - 1"
set title "Relative error of the approximation (above 0 at every rho > 4: it overestimates)" font ",11"
plot data using "rho":(column("var_psi_approx") / column("var_psi") - 1) with lines lw 2 lc rgb "#d62728" title "approx / exact - 1", \
     [4.5:1e5] 9 / (4 * x) with lines lw 1.5 dt 2 lc rgb "black" title "9 / (4 rho), its large-rho form"
unset multiplot
