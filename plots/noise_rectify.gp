# noise_rectify.gp DIR SPECS OUT: how flat each rectification keeps the
# variance under each noise model, one panel per model: Var[r psi_t] / target
# (1 = flat; the target is Var[psi_inf] under the model, and for decay the
# stationary variance at the noise's scale at t) for the paper's r_t, r from
# rho_moment, r from the model's rho_mm, the exact r_t* (= 1), and the
# optimizer's online kurtosis rectification (Monte Carlo, 95% bars).
# SPECS: the models' SPECs separated by spaces; DIR holds noise_rectify_K.tsv
# (`radvar rectify --noise`, the K-th SPEC) and noise_kurtosis_K.tsv
# (sims/noise_sim kurtosis).
dir_data = ARG1; specs = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "noise_rectify.gp") - 1]
load dir."common.gp"
set encoding utf8
if (strstrt(out, ".svg") > 0) {
    set terminal svg size 1400,760 dynamic enhanced font "sans,11" background "white"
} else {
    set terminal pngcairo size 1800,980 enhanced font "sans,11" background "white"
}
set output out
n = words(specs)
set multiplot layout 2,4 title "How flat is Var[r psi_t] / Var[psi_∞] under each noise model? (exact; beta_2 = 0.999, mu = 0)"
set logscale x
set xrange [5:6000]
set yrange [0:1.4]
set xlabel "step t"; set ylabel "Var[r psi_t] / target"
unset key
do for [k=1:n] {
    r = dir_data."/noise_rectify_".k.".tsv"
    kf = dir_data."/noise_kurtosis_".k.".tsv"
    set title word(specs, k).(strstrt(word(specs, k), "decay") == 1 ? " (target: stationary at sigma_t)" : "")
    plot r using "t":"ratio_ema_exact" with lines lw 1.5 lc rgb "gray50" title "exact r_t^* (= 1)", \
         r using "t":"ratio_paper" with lines lw 2.5 lc rgb "#d62728" title "paper's r_t", \
         r using "t":"ratio_moment" with lines lw 2 dt 2 lc rgb "#2ca02c" title "r from rho_{moment}", \
         r using "t":"ratio_mm" with lines lw 2 dt 3 lc rgb "#1f77b4" title "r_{mm} from the model's rho_{mm}", \
         kf using "t":"ratio_kurtosis":(1.96*column("se_ratio_kurtosis")) with yerrorbars pt 7 ps 0.5 lc rgb "black" \
            title "--rect kurtosis (online kappa), Monte Carlo 95%"
}
# the key in a panel of its own
unset title; unset border; unset tics; unset xlabel; unset ylabel; unset grid; unset logscale
set xrange [0:1]; set yrange [0:1]
set lmargin 0; set rmargin 0
set key center center Left reverse box opaque font ",10" spacing 1.4 width -2
plot NaN with lines lw 1.5 lc rgb "gray50" title "exact r_t^* (= 1)", \
     NaN with lines lw 2.5 lc rgb "#d62728" title "paper's r_t", \
     NaN with lines lw 2 dt 2 lc rgb "#2ca02c" title "r from rho_{moment}", \
     NaN with lines lw 2 dt 3 lc rgb "#1f77b4" title "r_{mm} from the model's rho_{mm}", \
     '+' using (NaN):(NaN):(NaN) with yerrorbars pt 7 ps 0.5 lc rgb "black" title "--rect kurtosis (online kappa), Monte Carlo 95%"
unset multiplot
