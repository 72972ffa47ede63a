# grad_hist.gp DIR OUT COLUMN NPARAMS HEVERY NOTE: heat maps of log2|g|
# (COLUMN grad_count) or log2|update| (update_count) against the step, one
# panel per method, from DIR/hist_METHOD.tsv (radvar train --grad-hist): the
# colour is the fraction of the NPARAMS parameters in each binade; the column
# at the left ("= 0", apart) is the fraction of exact zeros (bin -150 in the table).
d = ARG1; out = ARG2; col = ARG3; n = ARG4 + 0.0; every = ARG5 + 0.0; note = ARG6
dir = ARG0[1:strstrt(ARG0, "grad_hist.gp") - 1]
load dir."common.gp"
if (strstrt(out, ".svg") > 0) {
    set terminal svg size 1500,640 dynamic enhanced font "sans,11" background "white"
} else {
    set terminal pngcairo size 1800,760 enhanced font "sans,12" background "white"
}
set output out
unset grid
unset key
what = (col eq "grad_count") ? "log_2 |g|" : "log_2 |update|"
xmin = -64; xmax = 8; xzero = xmin - 12
set xrange [xzero - 1.5 : xmax]
set xtics ("= 0" xzero, "-60" -60, "-40" -40, "-20" -20, "0" 0) out nomirror
set mxtics 2
set ytics out nomirror
stats d."/hist_adam.tsv" using 1 nooutput
set yrange [STATS_min - every / 2.0 - 0.5 : STATS_max + every / 2.0 + 0.5]
set logscale cb
set cbrange [1e-6:1]
set format cb "10^{%L}"
set cblabel "fraction of parameters"
set palette defined (0 "#fde725", 0.35 "#5ec962", 0.6 "#21918c", 0.8 "#3b528b", 1 "#440154")
set style fill solid noborder
methods = "adam adam-warmup adam-2k adam-eps radam"
titles = "'Adam' 'Adam, warmup 200' 'Adam-2k' 'Adam-eps' 'RAdam'"
set colorbox user origin screen 0.935, screen 0.13 size screen 0.012, screen 0.73
set multiplot layout 1,5 margins screen 0.05, screen 0.91, screen 0.13, screen 0.86 spacing screen 0.04 title sprintf("Histograms of %s over all %d parameters against the step (%s; bins of x < 2^{%d} not drawn)", what, n, note, xmin) font ",13"
do for [k = 1:5] {
    m = word(methods, k)
    f = d."/hist_".m.".tsv"
    set title word(titles, k)
    set xlabel what
    if (k == 1) { set ylabel "step" } else { unset ylabel }
    if (k < 5) { unset colorbox } else { set colorbox user origin screen 0.935, screen 0.13 size screen 0.012, screen 0.73 }
    plot f using 2:1:(column(col) > 0 && $2 >= xmin ? column(col) / n : NaN) with image notitle, \
         f using ($2 == -150 ? xzero : NaN):1:(0.8):(every / 2.0):(column(col) > 0 ? column(col) / n : NaN) \
           with boxxyerror lc palette notitle
}
unset multiplot
