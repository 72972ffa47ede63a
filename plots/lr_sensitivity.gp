# lr_sensitivity.gp DIR OUT NOTE RMEAN: final test accuracy against the
# learning rate for SGD-momentum, Adam and RAdam: the mean over seeds 1-3,
# bars from the lowest to the highest seed.  The methods are drawn slightly
# apart along x (x 0.9, 1, 1.1) so that their bars do not hide one another.
# RAdam is drawn a second time at lr x RMEAN, its mean rectification over the
# run (its adaptive steps are RMEAN times Adam's at the same lr).
# DIR holds lr_sgd.tsv, lr_adam.tsv, lr_radam.tsv (columns lr method mean min max).
d = ARG1; out = ARG2; note = ARG3; rmean = ARG4 + 0
dir = ARG0[1:strstrt(ARG0, "lr_sensitivity.gp") - 1]
load dir."common.gp"
set logscale x
set xrange [2.5e-5:1.6]
set format x "10^{%L}"
set xlabel "learning rate (nominal; the dashed line: RAdam's effective lr)"; set ylabel "final test accuracy"
set title sprintf("Learning-rate sensitivity on Fashion-MNIST (MLP; %s)\npoints: mean over seeds 1-3; bars: min to max over the 3 seeds (methods offset slightly along x)", note)
set key bottom left
set yrange [0:1]
plot d."/lr_sgd.tsv" using (column("lr")*0.9):"mean":"min":"max" with yerrorlines lw 2 pt 7 lc rgb "#2ca02c" title "SGD, momentum 0.9", \
     d."/lr_adam.tsv" using "lr":"mean":"min":"max" with yerrorlines lw 2 pt 5 lc rgb "#d62728" title "Adam", \
     d."/lr_radam.tsv" using (column("lr")*1.1):"mean":"min":"max" with yerrorlines lw 2 pt 9 lc rgb "#1f77b4" title "RAdam", \
     d."/lr_radam.tsv" using (column("lr")*rmean):"mean" with linespoints lw 1.5 dt 2 pt 8 lc rgb "#1f77b4" title sprintf("RAdam at its effective lr = lr x %.2f (mean r_t)", rmean)
