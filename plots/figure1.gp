# figure1.gp DIR OUT: the paper's figure 1 -- Var[psi_t] and Var[r_t psi_t]
# against t for six gradient means mu, with the exact Var[psi_t] (quadrature)
# over the simulated one.  DIR holds figure1_mu<MU>.tsv, tables of
# `radvar simulate` (columns t var_psi var_rect_psi var_exact), reported from
# t = 3, the first step with a finite Var[psi_t] (t <= 2: infinite).  Every
# panel has the same axes, so that the panels compare directly.
dir_data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "figure1.gp") - 1]
load dir."common.gp"
mus = "0 0.001 0.01 0.1 1 10"
first = dir_data."/figure1_mu0.tsv"
trials = system("sed -n 's/^# trials: //p' ".first)
# one y-range for every panel: the decades that hold every finite value
finite(x) = (x == x && abs(x) < 1e300 && x > 0) ? x : NaN
ylo = 1e300; yhi = 0
do for [m in mus] {
    f = dir_data."/figure1_mu".m.".tsv"
    do for [col in "var_psi var_rect_psi var_exact"] {
        stats f using (finite(column(col))) nooutput
        if (STATS_min < ylo) { ylo = STATS_min }
        if (STATS_max > yhi) { yhi = STATS_max }
    }
}
set yrange [10**floor(log10(ylo)):10**ceil(log10(yhi))]
set multiplot layout 2,3 title sprintf("Var[psi_t] (Adam) and Var[r_t psi_t] (RAdam, paper's r_t), beta_2 = 0.999, gradients N(mu, 1), %s trials per mu\nfrom t = 3, the first step where Var[psi_t] is finite; the same axes in every panel", trials)
set logscale xy
set xrange [3:6000]
set format y "10^{%L}"
set xlabel "step t"; set ylabel "variance"
set key bottom left font ",9" samplen 2 spacing 0.9 width -3
k = 0
do for [m in mus] {
    k = k + 1
    f = dir_data."/figure1_mu".m.".tsv"
    set title "mu = ".m
    if (k > 1) { unset key }
    plot f using "t":"var_psi" with lines lw 2 lc rgb "#d62728" title "Var[psi_t] (Monte Carlo)", \
         f using "t":"var_exact" with lines lw 1 dt 2 lc rgb "black" title "Var[psi_t] (exact)", \
         f using "t":"var_rect_psi" with lines lw 2 lc rgb "#1f77b4" title "Var[r_t psi_t] (MC, t >= 5)"
}
unset multiplot
