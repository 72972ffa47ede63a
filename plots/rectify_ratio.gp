# rectify_ratio.gp R_099 R_0999 OUT: Var[r psi_t] / Var[psi_inf] against t for
# the paper's r_t, the SMA model's exact ratio (r_sma_exact), the same at
# rho_moment (r_moment), and the exact EMA rectification (1 by construction).
# Inputs: `radvar rectify` tables.
d1 = ARG1; d2 = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "rectify_ratio.gp") - 1]
load dir."common.gp"
set multiplot layout 1,2 title "How flat is the rectified variance? Var[r psi_t] / Var[psi_∞], exact (mu = 0)"
set logscale x
set autoscale xfix
set xlabel "step t"; set ylabel "Var[r psi_t] / Var[psi_∞]"
set yrange [0:1.1]
set key bottom right font ",10"
do for [k=1:2] {
    d = (k == 1) ? d1 : d2
    set title "beta_2 = ".((k == 1) ? "0.99" : "0.999")
    plot d using "t":"ratio_ema_exact" with lines lw 1.5 lc rgb "gray50" title "exact EMA r (= 1)", \
         d using "t":"ratio_paper" with lines lw 2.5 lc rgb "#d62728" title "paper's r_t", \
         d using "t":"ratio_moment" with lines lw 2 dt 2 lc rgb "#2ca02c" title "r_{moment} (SMA model at rho_{moment})", \
         d using "t":"ratio_sma_exact" with lines lw 2 dt 3 lc rgb "#1f77b4" title "r_{sma exact} (SMA model at rho_t)"
}
unset multiplot
