#!/bin/sh
# transformer.sh OUT: the paper's own setting: a deep post-LN Transformer
# (sequence reversal) that Adam cannot train without warmup, trained with
# radvar's optimizers from PyTorch (experiments/transformer/run.py).
#   transformer_loss.{png,svg}       training loss of every run, a panel per optimizer
#   transformer_reached.{png,svg}    fraction of runs at accuracy 0.99 by step N
#   transformer_grad_hist.{png,svg}  log2|g| against the step, Adam and Adam with warmup
#   data/transformer_runs.tsv        one row per run (final loss, steps to accuracy 0.99)
#   data/checks_transformer.tsv      the claims, measured
#   data/transformer/                every run's per-step loss, the gradient
#                                    histograms and logs, radvar gradients' tables
# SCALE=default: batch 16, 300 updates, seeds 0-2 (21 runs, about 2 minutes on
# 2 idle cores); SCALE=full: batch 32, 600 updates, seeds 0-4 (35 runs).
# JOBS (default THREADS, else 2) worker processes of one thread each.
set -eu
OUT=$1
BUILD=${BUILD:-build}
RADVAR=${RADVAR:-$BUILD/bin/radvar}
PYTHON=${PYTHON:-/usr/bin/python3}
SCALE=${SCALE:-default}
JOBS=${JOBS:-${THREADS:-2}}
D="$OUT/data/transformer"
mkdir -p "$D"
rm -f "$D"/*.tsv
# the bridge loads this build's library (else it looks beside python/ for build/)
RADVAR_LIBRARY=${RADVAR_LIBRARY:-$BUILD/lib/libradvar.so.0}
PYTHONPATH="python${PYTHONPATH:+:$PYTHONPATH}"
export RADVAR_LIBRARY PYTHONPATH

if ! "$PYTHON" -c 'import torch, numpy' 2>/dev/null; then
    echo "transformer: $PYTHON cannot import torch and numpy (Debian: python3-torch python3-numpy)" >&2
    exit 1
fi

"$PYTHON" experiments/transformer/run.py --scale "$SCALE" --out "$D" --jobs "$JOBS" --radvar "$RADVAR"

if [ "$SCALE" = full ]; then
    RUN="batch 32, 600 updates, W = K = 300"; K=300; SEED_RANGE="0-4"
else
    RUN="batch 16, 300 updates, W = K = 150"; K=150; SEED_RANGE="0-2"
fi
NOTE="$RUN, seeds $SEED_RANGE"
SEEDS=$(awk -F'\t' 'NR > 1 && $1 == "adam" { printf "%s%s", s, $2; s = " " }' "$D/runs.tsv")
FIRST=${SEEDS%% *}
NPARAM=$(sed -n 's/^# parameters: \([0-9]*\).*/\1/p' "$D/hist_adam_s$FIRST.tsv")
EVERY=$(sed -n 's/^# hist_every: \([0-9]*\).*/\1/p' "$D/hist_adam_s$FIRST.tsv")
for ext in png svg; do
    gnuplot -c plots/transformer_loss.gp "$D" "$OUT/transformer_loss.$ext" "$SEEDS" "$K" "$NOTE"
    gnuplot -c plots/transformer_reached.gp "$D/reached.tsv" "$OUT/transformer_reached.$ext" "$NOTE"
    gnuplot -c plots/transformer_grad_hist.gp "$D/hist_adam_s$FIRST.tsv" "$D/hist_adam-warmup_s$FIRST.tsv" \
        "$OUT/transformer_grad_hist.$ext" "$NPARAM" "$EVERY" "$RUN, seed $FIRST"
done
cp "$D/runs.tsv" "$OUT/data/transformer_runs.tsv"
cp "$D/checks.tsv" "$OUT/data/checks_transformer.tsv"
