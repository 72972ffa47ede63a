# psi2_histogram.gp DATA OUT: histograms of simulated psi_t^2 (EMA) against
# the Scale-inv-chi2(rho_t, 1) density; DATA from sims/psi2_histogram, one
# data block per t, columns t rho_t x density pdf ks_distance ks_p.  The bins
# cover the 0.5% to 99.5% sample quantiles (1% of the samples lie outside);
# the KS test in each panel's title uses all the samples.
data = ARG1; out = ARG2
dir = ARG0[1:strstrt(ARG0, "psi2_histogram.gp") - 1]
load dir."common.gp"
unset datafile columnheaders
trials = system("sed -n 's/.*, \\([0-9]*\\) trials.*/\\1/p' ".data)
stats data using 1 nooutput
nblocks = STATS_blocks
set multiplot layout 2,2 title sprintf("psi_t^2 of the EMA (beta_2 = 0.999, mu = 0, %s trials): histogram vs the model Scale-inv-χ^2(rho_t, 1)\nx-axis clipped to the 0.5%%-99.5%% sample quantiles (0.5%% of the samples beyond each end); KS test of all samples against the model", trials)
set xlabel "psi_t^2"; set ylabel "density"
set key top right font ",9"
set yrange [0:*]
do for [b=0:nblocks-1] {
    set autoscale x
    stats data index b using 1:2 nooutput
    tb = STATS_min_x; rb = STATS_min_y
    stats data index b using 6:7 nooutput
    set title sprintf("t = %d, rho_t = %.1f: KS D = %.2g, p = %.2g", tb, rb, STATS_min_x, STATS_min_y)
    stats data index b using 3 nooutput
    w = (STATS_max - STATS_min) / (STATS_records - 1)
    set xrange [STATS_min - w / 2:STATS_max + w / 2]
    plot data index b using 3:4 with boxes fs solid 0.4 lc rgb "#6baed6" title "simulated", \
         data index b using 3:5 with lines lw 2 lc rgb "#d62728" title "model pdf"
}
unset multiplot
