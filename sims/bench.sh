#!/bin/sh
# bench.sh: `make bench` -- every benchmark beside its named peer, as ratios.
set -eu
BUILD=${BUILD:-build}
TRIALS=${BENCH_TRIALS:-8192}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "== Monte Carlo engine (issue #3): figure-1 workload, beta2 = 0.999, T = 6000, every step"
echo "   one sample = one gradient draw + one EMA update with its accumulation; $TRIALS trials"
"$BUILD/sims/bench_mc" "$TRIALS" >"$tmp/c.tsv"
# NumPy's speed does not depend on this machine's OPENBLAS settings (no BLAS
# here), so the environment is left as it is.
/usr/bin/python3 sims/bench_numpy.py "$TRIALS" >"$tmp/np.tsv"
awk -F'\t' 'FNR == 1 { next } { rate[$1 "/" $2] = $5 }
    END {
        np = rate["numpy/1"]; g = rate["gauss/1"]; e1 = rate["engine/1"]; e2 = rate["engine/2"]
        printf "%-34s %14s %10s\n", "", "samples/s", "ratio"
        printf "%-34s %14.4g %10s\n", "NumPy (vectorised, 1 thread)", np, "1"
        printf "%-34s %14.4g %9.2fx   (target >= 8x NumPy)\n", "radvar engine, 1 thread", e1, e1 / np
        printf "%-34s %14.4g %9.2fx   (target >= 8x NumPy)\n", "radvar engine, 2 threads", e2, e2 / np
        printf "%-34s %14s %9.2fx   (target >= 1.8x)\n", "speed-up 1 -> 2 threads", "", e2 / e1
        printf "%-34s %14.4g %10s\n", "raw Gaussian generation, 1 thread", g, ""
        printf "%-34s %14s %9.0f%%   (target >= 70%%)\n", "engine / raw generation, 1 thread", "", 100 * e1 / g
    }' "$tmp/c.tsv" "$tmp/np.tsv"
