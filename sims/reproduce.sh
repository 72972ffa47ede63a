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
sh sims/report.sh "$OUT" "$(( $(date +%s) - start ))"
echo "reproduce: done in $(( $(date +%s) - start )) s; see $OUT/REPORT.md" >&2
