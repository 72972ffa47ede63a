# variance_vs_rho.gp DATA OUT: exact Var[psi] (Theorem 1) and the first-order
# approximation against rho, log-log, rho = 4 marked.
# DATA: the table of `radvar theory` (columns rho, var_psi, var_psi_approx).
# Usage: gnuplot -c plots/variance_vs_rho.gp data.tsv out.png|out.svg
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "variance_vs_rho.gp") - 1]
load dir."common.gp"
set logscale xy
set format x "10^{%L}"; set format y "10^{%L}"
set xrange [2:1e5]; set yrange [1e-6:1e4]
set xlabel "rho (degrees of freedom of psi^2, Scale-inv-{/Symbol c}^2(rho, 1/{/Symbol s}^2))"
set ylabel "Var[psi] {/Symbol s}^2"
set title "Variance of the adaptive learning rate: exact (Theorem 1) vs the first-order approximation"
set arrow 1 from 4, graph 0 to 4, graph 1 nohead dt 2 lc rgb "gray40"
set label 1 "rho = 4" at 4.3, 3e3 textcolor rgb "gray40"
plot data using "rho":"var_psi" with lines lw 2.5 lc rgb "#1f77b4" title "exact Var[psi]", \
     data using "rho":"var_psi_approx" with lines lw 2 dt 2 lc rgb "#d62728" \
          title "first-order rho / (2 (rho-2)(rho-4))"
