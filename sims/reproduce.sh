#!/bin/sh
# reproduce.sh: the main job (make reproduce): every simulation, figure and
# check, then out/REPORT.md.  SCALE=default|full.  Each stage's wall and CPU
# time (user + system of all its processes) goes to stderr and to
# OUT/data/stage_times.tsv, which the report shows.
set -eu
OUT=${OUT:-out}
export SCALE=${SCALE:-default} THREADS=${THREADS:-2} BUILD=${BUILD:-build}
mkdir -p "$OUT/data"
start=$(date +%s)
printf 'stage\twall_s\tcpu_s\n' >"$OUT/data/stage_times.tsv"
stage() { # stage SCRIPT WHAT: run sims/SCRIPT.sh, say what and how long it took
    echo "reproduce: $2" >&2
    t0=$(date +%s)
    times >"$OUT/data/stage_times.tmp"
    sh "sims/$1.sh" "$OUT"
    times >>"$OUT/data/stage_times.tmp"
    wall=$(( $(date +%s) - t0 ))
    cpu=$(sh sims/cputime.sh "$OUT/data/stage_times.tmp")
    rm -f "$OUT/data/stage_times.tmp"
    printf '%s\t%s\t%s\n' "$1" "$wall" "$cpu" >>"$OUT/data/stage_times.tsv"
    echo "reproduce: $1 took $wall s ($cpu s of CPU)" >&2
}
stage foundation "foundation (theory, schedule)"
stage montecarlo "Monte Carlo (simulate)"
stage generator "the Gaussian generators (larger checks)"
stage exact "exact EMA moments (exact, dof, rectify)"
stage noise "noise models (heavy tails, correlation, decaying scale)"
stage optimizer "reference optimizer (presets)"
stage experiments "experiments on Fashion-MNIST (train), SCALE=$SCALE"
stage gradients "real gradients (train --log-grads, gradients), SCALE=$SCALE"
stage transformer "the post-LN Transformer (PyTorch, radvar's optimizers), SCALE=$SCALE"
sh sims/report.sh "$OUT" "$(( $(date +%s) - start ))"
echo "reproduce: done in $(( $(date +%s) - start )) s; see $OUT/REPORT.md" >&2
