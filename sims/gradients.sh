#!/bin/sh
# gradients.sh OUT: real gradients -- logged, analysed, and the variance
# analysis checked on them (the Fashion-MNIST perceptron of `radvar train`).
#   grad_hist.{png,svg}, update_hist.{png,svg}   heat maps of log2|g| and of
#       log2|update| against the step for Adam, Adam with warmup, Adam-2k,
#       Adam-eps and RAdam at lr 3e-2 (the paper's figures 2 and 3)
#   psi_variance.{png,svg}   Var[psi_t] and Var[r_t psi_t] across runs that
#       differ only in their minibatches, against the Gaussian theory, the
#       fitted noise models and Gaussian noise around the runs' own path
#   gradient_shape.{png,svg} kurtosis and lag-1 autocorrelation per coordinate
#   data/gradients/*          the logs, `radvar gradients` tables, the tables
#       of sims/gradient_validation.c
#   data/checks_gradients.tsv the checks, for REPORT.md
# SCALE=default: 32 runs x 300 steps (9600 examples, 2 epochs), figure runs of
# 561 steps (12000 examples, 3 epochs, Adam-2k K = 200); SCALE=full: 128 runs x
# 1000 steps, figure runs of 2811 steps (60000 examples, 3 epochs, K = 2000).
set -eu
OUT=$1
BUILD=${BUILD:-build}
RADVAR=${RADVAR:-$BUILD/bin/radvar}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
JOBS=${THREADS:-2}
D="$OUT/data/gradients"
mkdir -p "$D"
start=$(date +%s)
if [ "${SCALE:-default}" = full ]; then
    RUNS=128; VSIZE="--train-size 16000 --epochs 4"; VSTEPS=1000
    HSIZE="--train-size 60000 --epochs 3"; HEVERY=20; K2=2000
    NOTE="128 runs x 1000 steps"; HNOTE="60000 examples, 3 epochs"
else
    RUNS=32; VSIZE="--train-size 9600 --epochs 2"; VSTEPS=300
    HSIZE="--train-size 12000 --epochs 3"; HEVERY=5; K2=200
    NOTE="32 runs x 300 steps"; HNOTE="12000 examples, 3 epochs"
fi
COORDS=32
LR_V=1e-3
LR_H=3e-2
export RADVAR DATA D VSIZE HSIZE COORDS LR_V LR_H HEVERY OPENBLAS_NUM_THREADS=1

# 1. the runs, JOBS at a time: the validation runs share their initialisation
#    (--init-seed 1) and coordinates (--coord-seed 1) and differ in their data
#    order (--seed); the figure runs log histograms
jobs="$D/jobs.txt"
: >"$jobs"
s=1
while [ "$s" -le "$RUNS" ]; do
    # (no trailing blank: xargs -L would join the next line)
    line="v $s --method radam --lr $LR_V --seed $s --init-seed 1 --coord-seed 1 --log-grads $D/grads_$s.tsv --log-coords $COORDS"
    [ "$s" -eq 1 ] && line="$line --log-params $D/params_1.tsv"
    echo "$line" >>"$jobs"
    s=$((s + 1))
done
for m in "adam --method adam" "adam-warmup --method adam-warmup --warmup 200" \
         "adam-2k --method adam-2k --v-only-steps $K2" "adam-eps --method adam-eps" "radam --method radam"; do
    echo "h ${m%% *} ${m#* } --lr $LR_H --seed 1 --grad-hist $D/hist_${m%% *}.tsv --hist-every $HEVERY" >>"$jobs"
done
# shellcheck disable=SC2016
xargs -P "$JOBS" -L 1 sh -c 'kind=$0; name=$1; shift
    if [ "$kind" = v ]; then size=$VSIZE; else size=$HSIZE; fi
    "$RADVAR" train --data "$DATA" --model mlp --batch 64 --test-size 500 $size "$@" --output "$D/train_${kind}_$name.tsv"' <"$jobs"
train_seconds=$(( $(date +%s) - start ))

# 2. the replay invariant on run 1: replaying its gradient log reproduces its
#    logged parameters bit for bit
"$RADVAR" replay --method radam --lr "$LR_V" --dtype float32 --input "$D/grads_1.tsv" \
    | grep -v '^#' | tail -n +2 | cut -f1-$((COORDS + 1)) >"$D/replayed_1.tsv"
grep -v '^#' "$D/params_1.tsv" | tail -n +3 >"$D/logged_1.tsv"
if cmp -s "$D/replayed_1.tsv" "$D/logged_1.tsv" && [ "$(wc -l <"$D/logged_1.tsv")" -eq "$VSTEPS" ]; then
    replay_ok=yes; replay_msg="identical ($VSTEPS steps x $COORDS coordinates)"
else
    replay_ok=NO; replay_msg="differs"
fi

# 3. radvar gradients: run 1's log (whole run and windows of 100 steps),
#    and the synthetic log with known noise
"$RADVAR" gradients --input "$D/grads_1.tsv" --summary-output "$D/summary_1.tsv" --output "$D/stats_1.tsv"
"$RADVAR" gradients --input "$D/grads_1.tsv" --window 100 --t 10,100 --summary-output "$D/summary_windows_1.tsv" \
    --output "$D/stats_windows_1.tsv"
"$RADVAR" gradients --input tests/ref/gradients_synthetic.tsv --t 10 --output "$D/stats_synthetic.tsv"

# 4. the validation
logs=""
s=1
while [ "$s" -le "$RUNS" ]; do logs="$logs $D/grads_$s.tsv"; s=$((s + 1)); done
# shellcheck disable=SC2086
OMP_NUM_THREADS=$JOBS "$BUILD/sims/gradient_validation" 0.999 "$D/validation" $logs >"$D/validation_summary.txt"

# 5. the figures
NPARAMS=$(awk -F': ' '/^# parameters:/ { print $2; exit }' "$D/hist_adam.tsv")
for ext in png svg; do
    gnuplot -c plots/grad_hist.gp "$D" "$OUT/grad_hist.$ext" grad_count "$NPARAMS" "$HEVERY" \
        "lr $LR_H, $HNOTE, Adam-2k K = $K2"
    gnuplot -c plots/grad_hist.gp "$D" "$OUT/update_hist.$ext" update_count "$NPARAMS" "$HEVERY" \
        "lr $LR_H, $HNOTE, Adam-2k K = $K2"
    gnuplot -c plots/psi_variance.gp "$D/validation_validation.tsv" "$OUT/psi_variance.$ext" \
        "$NOTE, RAdam lr $LR_V, $COORDS coordinates"
    gnuplot -c plots/gradient_shape.gp "$D/validation_coords.tsv" "$OUT/gradient_shape.$ext" \
        "$NOTE, $COORDS coordinates" "$VSTEPS"
done
seconds=$(( $(date +%s) - start ))

# 6. the checks
V="$D/validation_validation.tsv"
C="$D/validation_coords.tsv"
at() { # at T COLUMN: the value in the row of step T (or the last row before it)
    awk -F'\t' -v t="$1" -v c="$2" '/^#/ { next } !h { for (k = 1; k <= NF; k++) if ($k == c) i = k; h = 1; next }
        $1 <= t { v = $i } END { print v }' "$V"
}
med() { # med COLUMN: the median over the used coordinates
    awk -F'\t' -v c="$1" '/^#/ { next } !h { for (k = 1; k <= NF; k++) { if ($k == c) i = k; if ($k == "used") u = k }; h = 1; next }
        $u == 1 && $i != "nan" { print $i }' "$C" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2) }'
}
{
    printf "check\tmeasured\ttarget\tok\n"
    printf "gradients: %s training runs (%s) and 5 figure runs, wall time\t%s s (training %s s)\t(default scale: about 90 s)\tyes\n" \
        "$RUNS" "$NOTE" "$seconds" "$train_seconds"
    printf "replay invariant: radvar replay (float32) on run 1's --log-grads gives its --log-params\t%s\tbit for bit\t%s\n" \
        "$replay_msg" "$replay_ok"
    awk -F'\t' '/^#/ { next } !h { for (k = 1; k <= NF; k++) c[$k] = k; h = 1; next }
        { r++; m[r] = $c["model"]; nu[r] = $c["nu"]; phi[r] = $c["phi"] }
        END { split("normal student laplace mixture ar1 decay", name, " ")
              ok = (r == 3 && m[1] == 0 && m[2] == 1 && m[3] == 4) ? "yes" : "NO"
              printf "noise-model fit (BIC) on the synthetic log: Gaussian, Student-t nu = 4, AR(1) phi = 0.6 (1000 steps each)\tmodels %s, %s, %s; nu = %.3f, phi = %.3f\tnormal, student, ar1\t%s\n",
                     name[m[1] + 1], name[m[2] + 1], name[m[3] + 1], nu[2], phi[3], ok }' \
        "$D/stats_synthetic.tsv"
    used=$(awk '{ print $8 }' "$D/validation_summary.txt")
    printf "real gradients: coordinates compared (v_t > 0 at every compared step in every run)\t%s of %s\t(reported)\tyes\n" "$used" "$COORDS"
    for t in 5 10 100 $VSTEPS; do
        printf "Var[psi_t] across runs at t = %s, measured vs the i.i.d. Gaussian theory (exact EMA), the fitted models, Gaussian noise around the runs' path\t%.3g (+-%.0f%%) vs %.3g (z = %.1f), %.3g (z = %.1f), %.3g (z = %.1f)\t(reported: where the theory fits)\tyes\n" \
            "$t" "$(at "$t" var_psi)" "$(awk -v s="$(at "$t" se_log)" 'BEGIN { print 100 * s }')" \
            "$(at "$t" var_gauss)" "$(at "$t" z_gauss)" "$(at "$t" var_fit)" "$(at "$t" z_fit)" \
            "$(at "$t" var_path)" "$(at "$t" z_path)"
    done
    printf "effective dof from the measured Var[psi_t] (Theorem 1) against rho_t, at t = 10, 100, %s\t%.1f vs %.1f, %.0f vs %.0f, %.0f vs %.0f\t(reported)\tyes\n" \
        "$VSTEPS" "$(at 10 rho_eff)" "$(at 10 rho_t)" "$(at 100 rho_eff)" "$(at 100 rho_t)" "$(at "$VSTEPS" rho_eff)" "$(at "$VSTEPS" rho_t)"
    awk -F'\t' '/^#/ { next } !h { for (k = 1; k <= NF; k++) c[$k] = k; h = 1; next }
        $1 >= 10 && $c["var_rect"] != "nan" { v = $c["var_rect"]; g = $c["var_rect_gauss"]; p = $c["var_rect_path"]
            if (!n++ || v > vmax) vmax = v; if (n == 1 || v < vmin) vmin = v
            if (n == 1 || g > gmax) gmax = g; if (n == 1 || g < gmin) gmin = g
            if (n == 1 || p > pmax) pmax = p; if (n == 1 || p < pmin) pmin = p; last = v; inf = $c["var_psi_inf_gauss"] }
        END { printf "Var[r_t psi_t] over t in [10, T]: max/min measured vs Gaussian theory vs Gaussian around the path (flat = 1)\t%.1f vs %.2f vs %.1f (measured at T: %.2g, Gaussian Var[psi_inf] %.2g)\t(reported: is r_t psi_t flat?)\tyes\n",
                     vmax / vmin, gmax / gmin, pmax / pmin, last, inf }' "$V"
    printf "gradient noise per coordinate (medians): kurtosis and lag-1 of each run's series; of the noise around the runs' path; abs(mean)/sd across runs, steps 1-10 and last 50\t%.2f, %.3f; %.2f, %.3f; %.2f, %.2f\t(Gaussian: 3, 0)\tyes\n" \
        "$(med kurtosis)" "$(med lag1)" "$(med kurtosis_noise)" "$(med lag1_noise)" "$(med snr_early)" "$(med snr_late)"
    printf "models chosen by BIC for the %s coordinates (runs together)\t%s\t(reported)\tyes\n" \
        "$used" "$(cut -d' ' -f10- "$D/validation_summary.txt")"
} >"$OUT/data/checks_gradients.tsv.tmp"
mv "$OUT/data/checks_gradients.tsv.tmp" "$OUT/data/checks_gradients.tsv"
