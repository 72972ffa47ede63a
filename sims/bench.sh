#!/bin/sh
# bench.sh: `make bench` -- every benchmark beside its named peer, as ratios.
set -eu
BUILD=${BUILD:-build}
RADVAR=$BUILD/bin/radvar
RADVAR_MPI=$BUILD/bin/radvar-mpi
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

echo
echo "== Reference optimizer (issue #4): float32 parameter elements updated per second"
echo "   radvar bench-step vs torch.optim (torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)' 2>/dev/null || echo 'not installed')), same sizes and threads"
for th in 1 2; do "$BUILD/sims/bench_stream" "$th"; done | awk '$1 != "kernel"' >"$tmp/stream.tsv"
: >"$tmp/opt.tsv"
for n in 1e5 1e6 1e7; do
    steps=$(awk -v n="$n" 'BEGIN { s = int(4e8 / n); print (s < 20 ? 20 : s) }')
    for th in 1 2; do
        for m in radam adam; do
            "$RADVAR" bench-step --method "$m" --n "$n" --threads "$th" --dtype float32 --steps "$steps" | tail -1 >>"$tmp/opt.tsv"
        done
        "$RADVAR" bench-step --method radam --n "$n" --threads "$th" --dtype float32 --steps "$steps" --fused-check \
            | tail -1 | sed 's/^radam/radam-fused/' >>"$tmp/opt.tsv"
        if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
            /usr/bin/python3 sims/bench_torch.py "$n" "$th" "$(awk -v n="$n" 'BEGIN { s = int(1e8 / n); print (s < 5 ? 5 : s) }')" | tail -n +2 >>"$tmp/opt.tsv"
        fi
    done
done
awk -F'\t' 'FNR == NR { bw[$1 "/" $2] = $3; next }
    { r[$1 "/" $2 "/" $3] = $7; if (!($2 in seen)) { seen[$2] = 1; ns[++nn] = $2 } }
    END {
        printf "%-10s %-8s %12s %12s %12s %12s %12s %12s %9s\n", "n", "threads", "radvar", "radvar-fused", "torch", "torch-fe", "radvar-adam", "torch-adam", "ratio"
        for (k = 1; k <= nn; k++) for (th = 1; th <= 2; th++) {
            n = ns[k]; key = n "/" th
            tr = r["torch-radam/" key]; tf = r["torch-radam-foreach/" key]; best = tr > tf ? tr : tf
            ta = r["torch-adam/" key]; taf = r["torch-adam-foreach/" key]; besta = ta > taf ? ta : taf
            printf "%-10s %-8d %12.4g %12.4g %12.4g %12.4g %12.4g %12.4g %8.2fx\n", n, th, r["radam/" key], r["radam-fused/" key], tr, tf, r["adam/" key], besta, (best > 0 ? r["radam/" key] / best : 0)
        }
        printf "ratio = radvar RAdam (gradient check on) / the best of torch.optim.RAdam foreach=False/True (target >= 3x at 1e7, 2 threads)\n"
        for (th = 1; th <= 2; th++) {
            c = bw["copy/" th] / 28; ip = bw["inplace/" th] / 28; e = r["radam/10000000/" th]; f = r["radam-fused/10000000/" th]
            printf "ceiling at %d thread(s): copy %.3g GB/s -> %.3g elements/s; in-place %.3g GB/s -> %.3g elements/s (28 bytes/element)\n", th, bw["copy/" th] / 1e9, c, bw["inplace/" th] / 1e9, ip
            printf "   radvar RAdam 1e7: %.0f%% of the copy ceiling, %.0f%% of the in-place ceiling; with the fused check %.0f%% / %.0f%% (target >= 85%%)\n", 100 * e / c, 100 * e / ip, 100 * f / c, 100 * f / ip
        }
    }' "$tmp/stream.tsv" "$tmp/opt.tsv"

if [ -x "$RADVAR_MPI" ] && command -v mpirun >/dev/null 2>&1; then
    echo
    echo "== MPI (issue #6): the figure-1 workload (beta2 = 0.999, T = 6000, every step), 65536 trials"
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    sim="simulate --beta2 0.999 --steps 6000 --trials 65536 --quiet --output /dev/null"
    tiny="simulate --beta2 0.999 --steps 2 --trials 2 --quiet --output /dev/null"
    best() { # best() CMD...: the best wall time of 3 runs, in seconds
        b=""
        for _ in 1 2 3; do
            s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
            b=$(echo "$s $e $b" | awk '{ d = $2 - $1; if ($3 == "" || d < $3) print d; else print $3 }')
        done
        echo "$b"
    }
    t_threads1=$(best "$RADVAR" $sim --threads 1)
    t_threads2=$(best "$RADVAR" $sim --threads 2)
    t_ranks1=$(best mpirun --oversubscribe -n 1 "$RADVAR_MPI" $sim --threads 1)
    t_ranks2=$(best mpirun --oversubscribe -n 2 "$RADVAR_MPI" $sim --threads 1)
    t_launch=$(best mpirun --oversubscribe -n 2 "$RADVAR_MPI" $tiny --threads 1)
    echo "$t_threads1 $t_threads2 $t_ranks1 $t_ranks2 $t_launch" | awk '{
        printf "%-48s %10s\n", "", "seconds"
        printf "%-48s %10.3f\n", "1 process, 1 thread", $1
        printf "%-48s %10.3f\n", "1 process, 2 threads", $2
        printf "%-48s %10.3f\n", "mpirun -n 1 (1 thread)", $3
        printf "%-48s %10.3f\n", "mpirun -n 2 (1 thread each)", $4
        printf "%-48s %10.3f\n", "mpirun -n 2 launch and exit (no work)", $5
        printf "scaling 1 -> 2 ranks: %.2fx; MPI overhead at 2 cores (2 ranks vs 2 threads): %+.1f%%, %+.1f%% without the launch (target within 5%%)\n", $3 / $4, 100 * ($4 / $2 - 1), 100 * (($4 - $5) / $2 - 1)
    }'
fi
