# warmup.gp DATA OUT NOTE: RAdam against Adam with linear warmup (and without).
data = ARG1; out = ARG2; note = ARG3
dir = ARG0[1:strstrt(ARG0, "warmup.gp") - 1]
load dir."common.gp"
set logscale x
set xlabel "learning rate"; set ylabel "final test accuracy"
set title "RAdam vs Adam with linear warmup (".note.", seed 1)"
set key bottom left
plot data using "lr":"radam" with linespoints lw 2.5 pt 9 lc rgb "#1f77b4" title "RAdam", \
     data using "lr":"adam" with linespoints lw 2 pt 5 lc rgb "#d62728" title "Adam, no warmup", \
     data using "lr":"adam_warmup50" with linespoints lw 1.5 dt 2 pt 6 lc rgb "#ff7f0e" title "Adam, warmup 50", \
     data using "lr":"adam_warmup200" with linespoints lw 1.5 dt 2 pt 4 lc rgb "#9467bd" title "Adam, warmup 200", \
     data using "lr":"adam_warmup500" with linespoints lw 1.5 dt 2 pt 8 lc rgb "#8c564b" title "Adam, warmup 500"
