# transformer_loss.gp DIR OUT SEEDS K NOTE: the training loss of every run of
# the Transformer experiment, one panel per optimizer, one line per seed.
# DIR holds run_OPT_sSEED.tsv (columns step loss accuracy lr moved); SEEDS is a
# space-separated list; K is Adam-2k's number of v-only steps (a dashed line).
d = ARG1; out = ARG2; seeds = ARG3; k2 = ARG4 + 0; note = ARG5
dir = ARG0[1:strstrt(ARG0, "transformer_loss.gp") - 1]
load dir."common.gp"
if (strstrt(out, ".svg") > 0) {
    set terminal svg size 1280,640 dynamic enhanced font "sans,11" background "white"
} else {
    set terminal pngcairo size 1600,800 enhanced font "sans,11" background "white"
}
set output out
opts = "adam adam-warmup radam-paper radam-official radam-pytorch adam-eps adam-2k"
titles = "'Adam' 'Adam, linear warmup' 'RAdam (paper)' 'RAdam (official)' 'RAdam (pytorch)' 'Adam-eps (eps = 1e-4)' 'Adam-2k'"
colors = "#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #8c564b #e377c2 #7f7f7f #bcbd22 #17becf"
chance = log(16)
set logscale y
set yrange [1e-4:5]
set format y "10^{%L}"
set key bottom left box opaque font ",9" samplen 2
set multiplot layout 2,4 title "Sequence reversal, 8-layer post-LN Transformer: training loss of every run (".note.")"
do for [i = 1:words(opts)] {
    o = word(opts, i)
    set title word(titles, i)
    set xlabel "step"
    set ylabel (i == 1 || i == 5) ? "training loss (batch, before the update)" : ""
    unset arrow
    set arrow from graph 0, first chance to graph 1, first chance nohead dt 3 lc rgb "#555555"
    if (o eq "adam-2k") {
        set arrow from first k2, graph 0 to first k2, graph 1 nohead dt 2 lc rgb "#555555"
    }
    plot for [j = 1:words(seeds)] d."/run_".o."_s".word(seeds, j).".tsv" using "step":"loss" \
        with lines lw 1 lc rgb word(colors, j) title "seed ".word(seeds, j)
}
# the last panel: the key to the dashed lines
set title "Lines"
unset arrow
unset xlabel; unset ylabel
unset border; unset tics; unset grid; unset logscale y; unset key
set yrange [0:1]; set xrange [0:1]
set label 1 "dotted: chance, ln 16 = 2.77" at 0.05, 0.7 font ",10"
set label 2 sprintf("dashed (Adam-2k): step K = %d,", k2) at 0.05, 0.55 font ",10"
set label 3 "the first update" at 0.05, 0.47 font ",10"
plot NaN notitle
unset multiplot
