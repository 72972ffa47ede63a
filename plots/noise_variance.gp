# noise_variance.gp DIR SPECS OUT: the exact Var[psi_t] of the EMA at
# beta2 = 0.999 under each noise model, beside the Gaussian (left), and its
# ratio to the Gaussian's (right).  SPECS: the models' SPECs, separated by
# spaces, the normal model first; DIR holds noise_exact_K.tsv (`radvar exact
# --noise`, the K-th SPEC, K = 1, 2, ...) and noise_variance_ratio.tsv
# (columns t, then r1, r2, ...: Var under model K / Var under the Gaussian).
dir_data = ARG1; specs = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "noise_variance.gp") - 1]
load dir."common.gp"
set encoding utf8
n = words(specs)
array colors[8] = ["black", "#d62728", "#ff7f0e", "#2ca02c", "#9467bd", "#1f77b4", "#8c564b", "#e377c2"]
set multiplot layout 1,2 title "Exact Var[psi_t] of the EMA under each noise model (beta_2 = 0.999, mu = 0, sigma = 1)"
set logscale xy
set format y "10^{%L}"
set xlabel "step t"; set ylabel "Var[psi_t]"
set xrange [3:6000]
set key top right font ",10"
set title "Var[psi_t]"
plot for [k=1:n] dir_data."/noise_exact_".k.".tsv" using "t":"var_psi" with lines \
     lw (k == 1 ? 3 : 1.8) lc rgb colors[(k - 1) % 8 + 1] title word(specs, k)
set title "Var[psi_t] / Var[psi_t] of Gaussian noise"
set ylabel "ratio to the Gaussian"
set format y "%g"
set yrange [0.8:*]
set key top left font ",10"
plot for [k=1:n] dir_data."/noise_variance_ratio.tsv" using 1:(column(k + 1)) with lines \
     lw (k == 1 ? 3 : 1.8) lc rgb colors[(k - 1) % 8 + 1] title word(specs, k)
unset multiplot
