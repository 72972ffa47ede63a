# figure1.gp DIR OUT: the paper's figure 1 -- Var[psi_t] and Var[r_t psi_t]
# against t for six gradient means mu.  DIR holds figure1_mu<MU>.tsv, tables
# of `radvar simulate`.
dir_data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "figure1.gp") - 1]
load dir."common.gp"
set terminal push
mus = "0 0.001 0.01 0.1 1 10"
set multiplot layout 2,3 title "Var[psi_t] (Adam) and Var[r_t psi_t] (RAdam), beta_2 = 0.999, gradients N(mu, 1)"
set logscale y
set format y "10^{%L}"
set xlabel "step t"; set ylabel "variance"
set key top right font ",9"
do for [m in mus] {
    f = dir_data."/figure1_mu".m.".tsv"
    set title "mu = ".m
    plot f using "t":"var_psi" with lines lw 1.5 lc rgb "#d62728" title "Var[psi_t]", \
         f using "t":"var_rect_psi" with lines lw 1.5 lc rgb "#1f77b4" title "Var[r_t psi_t]"
}
unset multiplot
