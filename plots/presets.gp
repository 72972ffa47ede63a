# presets.gp DATA OUT: the step-size multiplier of each RAdam convention over
# the first steps (DATA from sims/preset_steps): where the conventions differ.
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "presets.gp") - 1]
load dir."common.gp"
set xlabel "step t"; set ylabel "update / (lr m_{hat} / sqrt(v_{hat}))"
set title "RAdam conventions over the first steps (beta_2 = 0.999, constant gradient): 1 = un-adapted momentum step, 0 = no step"
set key top right
set yrange [-0.05:1.1]
set xrange [0.8:100]
set logscale x
plot data using "t":"adam" with lines lw 1.5 dt 3 lc rgb "gray40" title "Adam", \
     data using "t":"paper" with steps lw 2.5 lc rgb "#d62728" title "paper (rho_t > 4, momentum below)", \
     data using "t":"official" with steps lw 2 lc rgb "#9467bd" title "official (rho_t >= 5, no step below)", \
     data using "t":"pytorch" with steps lw 2 dt 2 lc rgb "#1f77b4" title "pytorch (rho_t > 5, momentum below)", \
     data using "t":"optax" with steps lw 2 dt 4 lc rgb "#2ca02c" title "optax (rho_t >= 5, momentum below)", \
     data using "t":"tfa" with steps lw 1.5 dt 5 lc rgb "#ff7f0e" title "tfa (rho_t >= 5, momentum below)", \
     data using "t":"exact" with steps lw 2 lc rgb "#17becf" title "exact rectification (from rho_t > 2)"
