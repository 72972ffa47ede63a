#!/bin/sh
# reproduce.sh: the main job (make reproduce): every simulation, figure and
# check, then out/REPORT.md.  SCALE=default|full.
set -eu
OUT=${OUT:-out}
export SCALE=${SCALE:-default} THREADS=${THREADS:-2} BUILD=${BUILD:-build}
mkdir -p "$OUT"
start=$(date +%s)
stage() { # stage SCRIPT WHAT: run sims/SCRIPT.sh, say what and how long it took
    echo "reproduce: $2" >&2
    t0=$(date +%s)
    sh "sims/$1.sh" "$OUT"
    echo "reproduce: $1 took $(( $(date +%s) - t0 )) s" >&2
}
stage foundation "foundation (theory, schedule)"
stage montecarlo "Monte Carlo (simulate)"
stage generator "the Gaussian generators (larger checks)"
stage exact "exact EMA moments (exact, dof, rectify)"
stage optimizer "reference optimizer (presets)"
stage experiments "experiments on Fashion-MNIST (train), SCALE=$SCALE"
sh sims/report.sh "$OUT" "$(( $(date +%s) - start ))"
echo "reproduce: done in $(( $(date +%s) - start )) s; see $OUT/REPORT.md" >&2
