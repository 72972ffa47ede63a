#!/bin/sh
# experiments.sh OUT: the paper's optimizer claims on Fashion-MNIST (issue #5),
# with the 784-256-10 perceptron of `radvar train`.
#   lr_sensitivity.{png,svg}      final test accuracy vs lr: SGD-momentum, Adam, RAdam
#   warmup.{png,svg}              RAdam vs Adam with linear warmup of several lengths
#   variance_reduction.{png,svg}  early training loss: Adam, warmup, 2k, eps, RAdam
#   data/experiments_table.tsv    best test accuracy per method (mean, spread)
#   data/checks_experiments.tsv   the three claims, measured
# SCALE=default: 12,000 training and 2,000 test examples, 3 epochs (a few
# minutes on 2 cores); SCALE=full: all 60,000 / 10,000, 10 epochs.
set -eu
OUT=$1
RADVAR=${RADVAR:-${BUILD:-build}/bin/radvar}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
JOBS=${THREADS:-2}
D="$OUT/data/exp"
mkdir -p "$D"
if [ "${SCALE:-default}" = full ]; then
    SIZE=""; EPOCHS=10; K2=2000; SCALE_NOTE="all 60000 training / 10000 test examples, 10 epochs"
else
    SIZE="--train-size 12000 --test-size 2000"; EPOCHS=3; K2=200
    SCALE_NOTE="12000 training / 2000 test examples, 3 epochs, batch 64"
fi
COMMON="--data $DATA --model mlp --epochs $EPOCHS --batch 64 $SIZE --quiet-none"
COMMON=$(echo "$COMMON" | sed 's/ --quiet-none//')
LRS="1e-4 3e-4 1e-3 3e-3 1e-2 3e-2 1e-1 3e-1 1"
WLRS="1e-3 3e-3 1e-2 3e-2"

# the runs, one line each: NAME ARGS...; run JOBS at a time
jobs="$D/jobs.txt"
: >"$jobs"
for lr in $LRS; do
    for seed in 1 2 3; do
        echo "lr_sgd_${lr}_$seed --method sgd --momentum 0.9 --lr $lr --seed $seed" >>"$jobs"
        echo "lr_adam_${lr}_$seed --method adam --lr $lr --seed $seed" >>"$jobs"
        echo "lr_radam_${lr}_$seed --method radam --lr $lr --seed $seed" >>"$jobs"
    done
done
for lr in $WLRS; do
    for tw in 50 200 500; do
        echo "wu_adam-warmup${tw}_$lr --method adam-warmup --warmup $tw --lr $lr --seed 1" >>"$jobs"
    done
    echo "wu_radam_$lr --method radam --lr $lr --seed 1" >>"$jobs"
    echo "wu_adam_$lr --method adam --lr $lr --seed 1" >>"$jobs"
done
HIGH=3e-2
for m in "adam --method adam" "adam-warmup --method adam-warmup --warmup 200" \
         "adam-2k --method adam-2k --v-only-steps $K2" "adam-eps --method adam-eps" "radam --method radam"; do
    name=${m%% *}
    args=${m#* }
    echo "vr_$name $args --lr $HIGH --seed 1 --log-every 1 --steps-output $D/vr_${name}_steps.tsv" >>"$jobs"
done
export RADVAR COMMON D
start=$(date +%s)
# shellcheck disable=SC2016
xargs -P "$JOBS" -L 1 sh -c 'name=$0; "$RADVAR" train $COMMON "$@" --output "$D/$name.tsv"' <"$jobs"
seconds=$(( $(date +%s) - start ))

final_acc() { awk -F'\t' '!/^#/ && $1 != "epoch" && NF == 5 { a = $5 } END { print a }' "$1"; }

# 1. lr sensitivity: mean and spread (min, max) over seeds
{
    printf "lr\tmethod\tmean\tmin\tmax\n"
    for lr in $LRS; do
        for m in sgd adam radam; do
            for seed in 1 2 3; do final_acc "$D/lr_${m}_${lr}_$seed.tsv"; done \
                | awk -v lr="$lr" -v m="$m" '{ s += $1; if (NR == 1 || $1 < lo) lo = $1; if ($1 > hi) hi = $1 }
                    END { printf "%s\t%s\t%.17g\t%.17g\t%.17g\n", lr, m, s / NR, lo, hi }'
        done
    done
} >"$D/lr_sensitivity.tsv"
for m in sgd adam radam; do
    awk -F'\t' -v m="$m" 'NR == 1 || $2 == m' "$D/lr_sensitivity.tsv" >"$D/lr_$m.tsv"
done
# 2. warmup
{
    printf "lr\tradam\tadam\tadam_warmup50\tadam_warmup200\tadam_warmup500\n"
    for lr in $WLRS; do
        printf "%s\t%s\t%s\t%s\t%s\t%s\n" "$lr" "$(final_acc "$D/wu_radam_$lr.tsv")" "$(final_acc "$D/wu_adam_$lr.tsv")" \
            "$(final_acc "$D/wu_adam-warmup50_$lr.tsv")" "$(final_acc "$D/wu_adam-warmup200_$lr.tsv")" \
            "$(final_acc "$D/wu_adam-warmup500_$lr.tsv")"
    done
} >"$D/warmup.tsv"
# 3. variance reduction: per-step training loss (written by the runs)
# 4. the table: best mean accuracy over lr per method, with its spread
{
    printf "method\tbest_lr\tmean_accuracy\tmin\tmax\n"
    for m in sgd adam radam; do
        awk -F'\t' -v m="$m" 'NR > 1 && $2 == m && $3 > best { best = $3; lr = $1; lo = $4; hi = $5 }
            END { printf "%s\t%s\t%.4f\t%.4f\t%.4f\n", m, lr, best, lo, hi }' "$D/lr_sensitivity.tsv"
    done
    for m in adam-warmup50 adam-warmup200 adam-warmup500; do
        col=$(echo "$m" | sed 's/adam-warmup/adam_warmup/')
        awk -F'\t' -v c="$col" -v m="$m" 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == c) i = k; next }
            $i > best { best = $i; lr = $1 } END { printf "%s\t%s\t%.4f\t%.4f\t%.4f\n", m, lr, best, best, best }' "$D/warmup.tsv"
    done
} >"$OUT/data/experiments_table.tsv"

for ext in png svg; do
    gnuplot -c plots/lr_sensitivity.gp "$D" "$OUT/lr_sensitivity.$ext" "$SCALE_NOTE"
    gnuplot -c plots/warmup.gp "$D/warmup.tsv" "$OUT/warmup.$ext" "$SCALE_NOTE"
    gnuplot -c plots/variance_reduction.gp "$D" "$OUT/variance_reduction.$ext" "lr = $HIGH, $SCALE_NOTE, Adam-2k K = $K2"
done

# the claims, measured
{
    printf "check\tmeasured\ttarget\tok\n"
    printf "experiments: %s runs (%s), wall time\t%s s\t(default scale: a few minutes)\tyes\n" \
        "$(wc -l <"$jobs")" "$SCALE_NOTE" "$seconds"
    awk -F'\t' 'NR > 1 { s[$2] += $3; n[$2]++; if ($3 > best[$2]) best[$2] = $3; acc[$2 "/" $1] = $3; lrs[$1] = 1 }
        END {
            for (m in best) { good[m] = 0; for (lr in lrs) if (acc[m "/" lr] >= best[m] - 0.02) good[m]++ }
            held = (good["radam"] >= good["adam"] && good["radam"] >= good["sgd"]) ? "held" : "did not hold"
            printf "claim 1, lr sensitivity: learning rates (of 9) within 2 points of the best accuracy: SGD %d, Adam %d, RAdam %d; mean accuracy over the grid SGD %.3f, Adam %.3f, RAdam %.3f\t%s\t(RAdam widest)\tyes\n", good["sgd"], good["adam"], good["radam"], s["sgd"] / n["sgd"], s["adam"] / n["adam"], s["radam"] / n["radam"], held
        }' "$D/lr_sensitivity.tsv"
    awk -F'\t' 'NR > 1 { if ($2 > r) r = $2; for (k = 4; k <= 6; k++) if ($k > w) { w = $k; } }
        END { d = r - w; printf "claim 2, RAdam vs tuned warmup: best RAdam %.4f vs best Adam-warmup (Tw in 50/200/500, 4 lrs) %.4f, difference %+.4f\t%s\t(|difference| <= 0.01)\tyes\n", r, w, d, (d >= -0.01 ? "held" : "did not hold") }' "$D/warmup.tsv"
    for m in adam adam-warmup adam-2k adam-eps radam; do
        awk -F'\t' -v m="$m" -v k2="$K2" '$1 != "step" && $1 + 0 >= 1 {
                start = (m == "adam-2k") ? k2 : 0
                if ($1 > start && $1 <= start + 100) { s += $2; n++ } }
            END { printf "%s\t%.4f\n", m, s / n }' "$D/vr_${m}_steps.tsv"
    done | awk -F'\t' '{ v[$1] = $2 } END {
        held = (v["adam"] > v["adam-2k"] && v["adam"] > v["adam-eps"] && v["adam"] > v["adam-warmup"]) ? "held" : "did not hold"
        printf "claim 3, variance reduction: mean training loss over the first 100 moving steps at lr 3e-2: Adam %.3f, warmup %.3f, Adam-2k %.3f, Adam-eps %.3f, RAdam %.3f\t%s\t(vanilla Adam worst)\tyes\n", v["adam"], v["adam-warmup"], v["adam-2k"], v["adam-eps"], v["radam"], held }'
} >"$OUT/data/checks_experiments.tsv.tmp"
mv "$OUT/data/checks_experiments.tsv.tmp" "$OUT/data/checks_experiments.tsv"
