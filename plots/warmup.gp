# warmup.gp DIR OUT NOTE: RAdam against Adam with linear warmup (and without)
# over the same learning rates and seeds: the mean over seeds 1-3, bars from
# the lowest to the highest seed, the methods slightly apart along x.
# DIR holds wu_<method>.tsv (columns lr method mean min max).
d = ARG1; out = ARG2; note = ARG3
dir = ARG0[1:strstrt(ARG0, "warmup.gp") - 1]
load dir."common.gp"
set logscale x
set xrange [7e-4:4.5e-2]
set xtics ("10^{-3}" 1e-3, "3×10^{-3}" 3e-3, "10^{-2}" 1e-2, "3×10^{-2}" 3e-2)
set xlabel "learning rate"; set ylabel "final test accuracy"
set title sprintf("RAdam vs Adam with linear warmup on Fashion-MNIST (MLP; %s)\npoints: mean over seeds 1-3; bars: min to max over the 3 seeds (methods offset slightly along x)", note)
set key bottom left
plot d."/wu_radam.tsv" using (column("lr")*0.88):"mean":"min":"max" with yerrorlines lw 2.5 pt 9 lc rgb "#1f77b4" title "RAdam", \
     d."/wu_adam.tsv" using (column("lr")*0.94):"mean":"min":"max" with yerrorlines lw 2 pt 5 lc rgb "#d62728" title "Adam, no warmup", \
     d."/wu_adam-warmup50.tsv" using "lr":"mean":"min":"max" with yerrorlines lw 1.5 dt 2 pt 6 lc rgb "#ff7f0e" title "Adam, warmup 50 steps", \
     d."/wu_adam-warmup200.tsv" using (column("lr")*1.06):"mean":"min":"max" with yerrorlines lw 1.5 dt 2 pt 4 lc rgb "#9467bd" title "Adam, warmup 200 steps", \
     d."/wu_adam-warmup500.tsv" using (column("lr")*1.12):"mean":"min":"max" with yerrorlines lw 1.5 dt 2 pt 8 lc rgb "#8c564b" title "Adam, warmup 500 steps"
