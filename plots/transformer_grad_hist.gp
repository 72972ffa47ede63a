# transformer_grad_hist.gp HIST_ADAM HIST_WARMUP OUT NPARAM EVERY NOTE: heat maps
# of log2|g| against the step, over all parameters, for Adam and Adam with
# warmup (the paper's Figure 2).  The HIST files (radvar.gradlog's format) have
# the columns step bin grad_count update_count, bin = floor(log2|g|), one row
# per bin at every EVERY-th step; bin -150 counts the exact zeros, drawn here
# as the bottom row.
fa = ARG1; fw = ARG2; out = ARG3; n = ARG4 + 0; every = ARG5 + 0; note = ARG6
dir = ARG0[1:strstrt(ARG0, "transformer_grad_hist.gp") - 1]
load dir."common.gp"
zrow = -68
stats fa using 1 nooutput
x0 = STATS_min - every / 2.0; x1 = STATS_max + every / 2.0
set multiplot layout 1,2 title "Histograms of log_2|g| over all ".n." parameters, by step (".note.")"
set xlabel "step"
set xrange [x0:x1]
set ylabel "floor(log_2 |g|)"
set yrange [zrow - 0.5:0.5]
set ytics -60, 10, 0
set ytics add ("g = 0" zrow)
set arrow 1 from graph 0, first zrow + 1.5 to graph 1, first zrow + 1.5 nohead lc rgb "black" lw 0.5
set logscale cb
set cbrange [1e-6:1]
set format cb "10^{%L}"
set cblabel "fraction of the gradient's entries"
set palette defined (0 "#fffde0", 1 "#fde725", 3 "#35b779", 5 "#31688e", 7 "#440154")
unset grid
set key off
# the bins from -149 up are a regular grid (with image); the exact zeros (bin
# -150, outside the y range) are drawn again as boxes on the row zrow
w = 0.5 * every
set title "Adam (no warmup)"
plot fa using 1:2:($3 > 0 ? $3 / n : NaN) with image pixels, \
     fa using ($2 == -150 ? $1 : NaN):(zrow):(w):(0.5):($3 > 0 ? $3 / n : NaN) \
         with boxxyerror fs solid 1 noborder fc palette
set title "Adam with linear warmup"
plot fw using 1:2:($3 > 0 ? $3 / n : NaN) with image pixels, \
     fw using ($2 == -150 ? $1 : NaN):(zrow):(w):(0.5):($3 > 0 ? $3 / n : NaN) \
         with boxxyerror fs solid 1 noborder fc palette
unset multiplot
