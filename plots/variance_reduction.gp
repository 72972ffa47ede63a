# variance_reduction.gp DIR OUT NOTE K TW: training loss per step of Adam, its
# variance-reducing variants and RAdam at a high learning rate.  Each line is
# the mean over seeds 1-3 of the loss averaged over the preceding 10% of the
# steps (a trailing window, so that no change shows before it happens;
# unsmoothed before step 10), the band its range over the seeds.  K:
# Adam-2k's v-only steps; TW: the warmup length.  DIR holds vr_<method>.tsv
# (columns step smooth_mean smooth_min smooth_max raw_mean).
d = ARG1; out = ARG2; note = ARG3; k2 = ARG4; tw = ARG5
dir = ARG0[1:strstrt(ARG0, "variance_reduction.gp") - 1]
load dir."common.gp"
set xlabel "step"; set ylabel "minibatch training loss"
set title sprintf("Warmup as variance reduction (%s)\nlines: mean over seeds 1-3 of the loss averaged over the last 10%% of the steps; bands: range over the seeds", note)
set logscale xy
set autoscale xfix
set key bottom left
set yrange [0.3:50]
set style fill transparent solid 0.2 noborder
set arrow 1 from k2 + 1, graph 0 to k2 + 1, graph 1 nohead dt 3 lc rgb "#ff7f0e"
set label 1 sprintf("Adam-2k starts to move (step %d)", k2 + 1) at k2 + 1, graph 0.95 right offset -0.5, 0 textcolor rgb "#ff7f0e"
array m[5] = ["adam", "adam-warmup", "adam-2k", "adam-eps", "radam"]
array c[5] = ["#d62728", "#9467bd", "#ff7f0e", "#2ca02c", "#1f77b4"]
array t[5] = ["Adam (vanilla)", sprintf("Adam, linear warmup %s steps", tw), sprintf("Adam-2k, K = %s (v only for K steps)", k2), "Adam-eps (eps = 1e-4)", "RAdam"]
plot for [i=1:5] d."/vr_".m[i].".tsv" using "step":"smooth_min":"smooth_max" with filledcurves lc rgb c[i] notitle, \
     for [i=1:5] d."/vr_".m[i].".tsv" using "step":"smooth_mean" with lines lw (i == 5 ? 2.5 : 1.8) lc rgb c[i] title t[i]
