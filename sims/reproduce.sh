#!/bin/sh
# reproduce.sh: the main job (make reproduce): every simulation, figure and
# check, then out/REPORT.md.  SCALE=default|full.
set -eu
OUT=${OUT:-out}
export SCALE=${SCALE:-default} THREADS=${THREADS:-2} BUILD=${BUILD:-build}
mkdir -p "$OUT"
start=$(date +%s)
echo "reproduce: foundation (theory, schedule)" >&2
sh sims/foundation.sh "$OUT"
echo "reproduce: Monte Carlo (simulate)" >&2
sh sims/montecarlo.sh "$OUT"
echo "reproduce: the Gaussian generators (larger checks)" >&2
sh sims/generator.sh "$OUT"
echo "reproduce: exact EMA moments (exact, dof, rectify)" >&2
sh sims/exact.sh "$OUT"
echo "reproduce: noise models (heavy tails, correlation, decaying scale)" >&2
sh sims/noise.sh "$OUT"
echo "reproduce: reference optimizer (presets)" >&2
sh sims/optimizer.sh "$OUT"
echo "reproduce: experiments on Fashion-MNIST (train), SCALE=$SCALE" >&2
sh sims/experiments.sh "$OUT"
echo "reproduce: real gradients (train --log-grads, gradients), SCALE=$SCALE" >&2
sh sims/gradients.sh "$OUT"
echo "reproduce: the post-LN Transformer (PyTorch, radvar's optimizers), SCALE=$SCALE" >&2
sh sims/transformer.sh "$OUT"
sh sims/report.sh "$OUT" "$(( $(date +%s) - start ))"
echo "reproduce: done in $(( $(date +%s) - start )) s; see $OUT/REPORT.md" >&2
