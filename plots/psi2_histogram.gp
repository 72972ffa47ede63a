# psi2_histogram.gp DATA OUT: histograms of simulated psi_t^2 (EMA) against
# the Scale-inv-chi2(rho_t, 1) density; DATA from sims/psi2_histogram, one
# data block per t, columns t rho_t x density pdf.
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "psi2_histogram.gp") - 1]
load dir."common.gp"
unset datafile columnheaders
stats data using 1 nooutput
nblocks = STATS_blocks
set multiplot layout 2,2 title "psi_t^2 of the EMA (beta_2 = 0.999): Monte Carlo histogram vs Scale-inv-{/Symbol c}^2(rho_t, 1)"
set xlabel "psi_t^2"; set ylabel "density"
set key top right font ",9"
do for [b=0:nblocks-1] {
    stats data index b using 1:2 nooutput
    set title sprintf("t = %d, rho_t = %.1f", STATS_min_x, STATS_min_y)
    plot data index b using 3:4 with boxes fs solid 0.4 lc rgb "#6baed6" title "simulated", \
         data index b using 3:5 with lines lw 2 lc rgb "#d62728" title "model pdf"
}
unset multiplot
