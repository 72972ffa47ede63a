# psi_variance.gp DATA OUT NOTE: Var[psi_t] (left) and Var[r_t psi_t] (right)
# on real gradients (sims/gradient_validation.c: across runs that differ only
# in their minibatches, psi_t scaled by each coordinate's sqrt(mean g^2), the
# geometric mean over coordinates, 95% bars from a jackknife over the runs)
# against the i.i.d. Gaussian theory (exact EMA), Theorem 1 at rho_t, the
# fitted noise models (exact EMA) and Gaussian noise around the runs' path.
data = ARG1; out = ARG2; note = ARG3
dir = ARG0[1:strstrt(ARG0, "psi_variance.gp") - 1]
load dir."common.gp"
if (strstrt(out, ".svg") > 0) {
    set terminal svg size 1300,600 dynamic enhanced font "sans,12" background "white"
} else {
    set terminal pngcairo size 1600,720 enhanced font "sans,13" background "white"
}
set output out
set logscale xy
set format y "10^{%L}"
set xlabel "step t"
set key top right
set multiplot layout 1,2 title "Real gradients: the variance of the adaptive learning rate (".note.")" font ",14"
set title "Var[psi_t] (psi_t in units of 1/sqrt(mean g^2))"
set ylabel "Var[psi_t]"
plot data using "t":"var_psi":"var_psi_lo":"var_psi_hi" with yerrorbars pt 7 ps 0.9 lc rgb "black" title "measured (95%)", \
     data using "t":"var_gauss" with lines lw 2 lc rgb "#d62728" title "i.i.d. Gaussian (exact EMA)", \
     data using "t":"var_rho_t" with lines lw 1.5 dt 2 lc rgb "#ff7f0e" title "Theorem 1 at rho_t", \
     data using "t":"var_fit" with lines lw 2 lc rgb "#2ca02c" title "fitted noise models (exact EMA)", \
     data using "t":"var_path" with lines lw 2 lc rgb "#1f77b4" title "Gaussian around the runs' path"
set title "Var[r_t psi_t], RAdam's rectified rate (rho_t > 4)"
set ylabel "Var[r_t psi_t]"
set key bottom right
plot data using "t":"var_rect":"var_rect_lo":"var_rect_hi" with yerrorbars pt 7 ps 0.9 lc rgb "black" title "measured (95%)", \
     data using "t":"var_rect_gauss" with lines lw 2 lc rgb "#d62728" title "i.i.d. Gaussian", \
     data using "t":"var_rect_fit" with lines lw 2 lc rgb "#2ca02c" title "fitted noise models", \
     data using "t":"var_rect_path" with lines lw 2 lc rgb "#1f77b4" title "Gaussian around the path", \
     data using "t":"var_psi_inf_gauss" with lines lw 1.5 dt 3 lc rgb "gray40" title "Gaussian Var[psi_{inf}] (flat target)"
unset multiplot
