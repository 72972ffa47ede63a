# transformer_reached.gp REACHED OUT NOTE: the fraction of the runs of each
# optimizer whose training accuracy (10-step mean) has reached 0.99 by step N.
# REACHED has the columns step, then one per optimizer (headed "name (k/n)").
# Curves that coincide are drawn widest first, so each stays visible.
f = ARG1; out = ARG2; note = ARG3
dir = ARG0[1:strstrt(ARG0, "transformer_reached.gp") - 1]
load dir."common.gp"
set xlabel "step N (Adam-2k's v-only steps included)"
set ylabel "fraction of runs at accuracy 0.99 by step N"
set title "Sequence reversal, 8-layer post-LN Transformer (".note.")"
set yrange [-0.05:1.05]
set key center right title "optimizer (runs reaching 0.99)"
stats f using 1 nooutput
ncol = STATS_columns
colors = "#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #8c564b #e377c2"
plot for [c = 2:ncol] f using 1:c with steps lw (0.8 * (ncol - c) + 1.5) \
     lc rgb (word(colors, c - 1)) title columnheader(c)
