# lr_sensitivity.gp DIR OUT NOTE: final test accuracy against the learning rate
# (mean over 3 seeds, bars from min to max) for SGD-momentum, Adam and RAdam.
d = ARG1; out = ARG2; note = ARG3
dir = ARG0[1:strstrt(ARG0, "lr_sensitivity.gp") - 1]
load dir."common.gp"
set logscale x
set xlabel "learning rate"; set ylabel "final test accuracy"
set title "Learning-rate sensitivity on Fashion-MNIST (MLP; ".note."; 3 seeds)"
set key bottom left
set yrange [0:1]
plot d."/lr_sgd.tsv" using "lr":"mean":"min":"max" with yerrorlines lw 2 pt 7 lc rgb "#2ca02c" title "SGD, momentum 0.9", \
     d."/lr_adam.tsv" using "lr":"mean":"min":"max" with yerrorlines lw 2 pt 5 lc rgb "#d62728" title "Adam", \
     d."/lr_radam.tsv" using "lr":"mean":"min":"max" with yerrorlines lw 2 pt 9 lc rgb "#1f77b4" title "RAdam"
