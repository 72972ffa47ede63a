#!/bin/sh
# generator.sh OUT: the larger checks of the Gaussian generators.
#   data/checks_generator.tsv   both generators' moments, tails, a 1000-bin
#                               chi-square and correlations in standard errors;
#                               the figure-1 workload on each generator against
#                               the exact EMA moments and against each other
# About 15 s with SCALE=default (2^29 normals per generator, 100000 trials),
# a few minutes with SCALE=full (2^32 normals, 1000000 trials), on 2 threads.
set -eu
OUT=$1
BUILD=${BUILD:-build}
THREADS=${THREADS:-2}
if [ "${SCALE:-default}" = full ]; then
    LOG2N=32; TRIALS=1000000
else
    LOG2N=29; TRIALS=100000
fi
D="$OUT/data"
mkdir -p "$D"
"$BUILD/sims/generator_check" "$LOG2N" "$TRIALS" "$THREADS" >"$D/checks_generator.tsv.tmp"
mv "$D/checks_generator.tsv.tmp" "$D/checks_generator.tsv"
