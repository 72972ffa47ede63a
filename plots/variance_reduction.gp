# variance_reduction.gp DIR OUT NOTE: training loss per step of Adam and its
# variance-reducing variants and RAdam at a high learning rate.
d = ARG1; out = ARG2; note = ARG3
dir = ARG0[1:strstrt(ARG0, "variance_reduction.gp") - 1]
load dir."common.gp"
set xlabel "step"; set ylabel "minibatch training loss"
set title "Warmup as variance reduction (".note.")"
set logscale y
set key top right
plot d."/vr_adam_steps.tsv" using "step":"train_loss" with lines lw 1.5 lc rgb "#d62728" title "Adam (vanilla)", \
     d."/vr_adam-warmup_steps.tsv" using "step":"train_loss" with lines lw 1.5 lc rgb "#9467bd" title "Adam, warmup 200", \
     d."/vr_adam-2k_steps.tsv" using "step":"train_loss" with lines lw 1.5 lc rgb "#ff7f0e" title "Adam-2k (v only at first)", \
     d."/vr_adam-eps_steps.tsv" using "step":"train_loss" with lines lw 1.5 lc rgb "#2ca02c" title "Adam-eps (eps = 1e-4)", \
     d."/vr_radam_steps.tsv" using "step":"train_loss" with lines lw 2 lc rgb "#1f77b4" title "RAdam"
