# rectification.gp DATA_099 DATA_0999 OUT: r_t and the SMA model's exact
# rectification for beta2 = 0.99 and 0.999 against t, beside a linear warmup
# over T_w = 1/(1-beta2) steps and the two untuned warmups of Ma & Yarats
# (2021).  DATA_*: tables of `radvar schedule --warmup TW` with
# TW = 1/(1-beta2).  1/(1-beta2) is the EMA's time constant: a gradient's
# weight in v_t falls by a factor e in about that many steps.  The untuned
# linear warmup runs over 2/(1-beta2) steps; it and the untuned exponential
# 1 - exp(-(1-beta2) t) have the same effective length (sum of 1 - factor,
# 1/(1-beta2) - 1/2) as r_t has to within 4%.
# Usage: gnuplot -c plots/rectification.gp s099.tsv s0999.tsv out.png|out.svg
d1 = ARG1; d2 = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "rectification.gp") - 1]
load dir."common.gp"
set multiplot layout 1,2 title "RAdam's rectification r_t against warmup schedules (learning-rate multiplier; 1/(1-beta_2) is the time constant of the EMA v_t)"
set logscale x
set autoscale xfix
set xlabel "step t"; set ylabel "learning-rate multiplier"
set yrange [0:1.05]
set key outside below font ",10" width -2 box
set xlabel offset 0,0.4
set bmargin 8.5
do for [k=1:2] {
    d = (k == 1) ? d1 : d2
    b = (k == 1) ? "0.99" : "0.999"
    tw = (k == 1) ? "100" : "1000"
    tw2 = (k == 1) ? "200" : "2000"
    set title "beta_2 = ".b
    plot d using "t":"r_t" with lines lw 2.5 lc rgb "#1f77b4" title "r_t (paper)", \
         d using "t":"r_t_sma_exact" with lines lw 2 dt 2 lc rgb "#17becf" title "SMA model exactly: sqrt(Var_{rho_∞} / Var_{rho_t})", \
         d using "t":"warmup_linear" with lines lw 1.5 lc rgb "#2ca02c" title "linear warmup, T_w = 1/(1-beta_2) = ".tw, \
         d using "t":"warmup_exp_untuned" with lines lw 1.5 lc rgb "#d62728" title "untuned exponential, 1 - exp(-(1-beta_2) t)", \
         d using "t":"warmup_linear_untuned" with lines lw 1.5 dt 3 lc rgb "#9467bd" title "untuned linear, T_w = 2/(1-beta_2) = ".tw2
}
unset multiplot
