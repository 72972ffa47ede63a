#!/bin/sh
# bench.sh: `make bench` -- every benchmark beside its named peer, as ratios.
# BENCH_TRIALS, BENCH_ROUNDS: the engine benchmark's size; BENCH_ENGINE_ONLY=1
# stops after it.
set -eu
BUILD=${BUILD:-build}
RADVAR=$BUILD/bin/radvar
RADVAR_MPI=$BUILD/bin/radvar-mpi
TRIALS=${BENCH_TRIALS:-16384}
ROUNDS=${BENCH_ROUNDS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- the Monte Carlo engine against NumPy -------------------------------
# ROUNDS rounds; each runs NumPy, then radvar (generator 2 on 1 and 2 threads,
# generator 1, generator 2 through the general loop that noise models take,
# the kernel's no-RNG floor, the raw generators) back to back, so
# that every ratio compares runs made under the same machine load.  Each ratio
# is formed within a round and reported as min / median / max over the rounds.
# About 9 s a round on a quiet 2-core machine (45 s with the default 5
# rounds); longer when other programs share the cores.
echo "== Monte Carlo engine: the figure-1 workload (beta2 = 0.999, T = 6000, every step reported)"
echo "   one sample = one gradient draw and one EMA update with the moments of psi_t;"
echo "   $TRIALS trials, $ROUNDS rounds of NumPy and radvar back to back"
cpu_jiffies() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8, $2 + $3 + $4 + $5 + $6 + $7 + $8 }' /proc/stat; }
started=$(date +%s)
jiffies0=$(cpu_jiffies)
: >"$tmp/mc.tsv"
for r in $(seq "$ROUNDS"); do
    printf '%s\tload\t0\t0\t0\t0\t%s\t0\n' "$r" "$(cut -d' ' -f1 /proc/loadavg)" >>"$tmp/mc.tsv"
    /usr/bin/python3 sims/bench_numpy.py "$TRIALS" 1 | sed "s/^/$r	/" >>"$tmp/mc.tsv"
    for args in "engine 2 1 $TRIALS" "engine 2 2 $TRIALS" "engine 1 1 $TRIALS" "general 2 $TRIALS" "floor $TRIALS" "gauss 2" "gauss 1"; do
        # shellcheck disable=SC2086
        "$BUILD/sims/bench_mc" $args | sed "s/^/$r	/" >>"$tmp/mc.tsv"
    done
done
jiffies1=$(cpu_jiffies)
elapsed=$(( $(date +%s) - started ))
# per round: name value; then min / median / max of each
awk -F'\t' '{ k = $2 "/" $3 "/" $4; rate[$1, k] = $7; share[$1, k] = $8; if ($1 > n) n = $1 }
    END {
        for (r = 1; r <= n; r++) {
            np = rate[r, "numpy/0/1"]; e1 = rate[r, "engine/2/1"]; e2 = rate[r, "engine/2/2"]
            v1 = rate[r, "engine/1/1"]; fl = rate[r, "floor/2/1"]; g2 = rate[r, "gauss/2/1"]; g1 = rate[r, "gauss/1/1"]
            print "a_np", np; print "b_e1", e1; print "c_e2", e2; print "d_v1", v1
            print "e_r1", e1 / np; print "f_r2", e2 / np; print "g_rv1", v1 / np; print "h_sp", e2 / e1
            print "i_g2", g2; print "j_fg", e1 / g2; print "k_fl", fl; print "l_ff", e1 / fl; print "m_g1", g1
            print "n_load", rate[r, "load/0/0"]; print "o_sh1", share[r, "engine/2/1"]; print "p_sh2", share[r, "engine/2/2"]
            print "q_shn", share[r, "numpy/0/1"]
            ge = rate[r, "general/2/1"]; print "d2_ge", ge; print "g2_rge", ge / np
            cn = np / share[r, "numpy/0/1"]; c1 = e1 / share[r, "engine/2/1"]
            print "r_cn", cn; print "s_c1", c1; print "t_cr", c1 / cn
        }
    }' "$tmp/mc.tsv" | sort -k1,1 -k2,2g | awk '
    function flush() { if (key != "") { med = (m % 2) ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2; lo[key] = v[1]; md[key] = med; hi[key] = v[m] } }
    $1 != key { flush(); key = $1; m = 0 } { v[++m] = $2 }
    END {
        flush()
        f = "%-44s %9.3g %9.3g %9.3g   %7.2f %7.2f %7.2f%s\n"
        printf "%-44s %29s   %23s\n", "", "samples/s: min    median    max", "vs NumPy: min median max"
        printf f, "NumPy (Philox, vectorised over trials)", lo["a_np"], md["a_np"], hi["a_np"], 1, 1, 1, ""
        printf f, "radvar, generator 2, 1 thread", lo["b_e1"], md["b_e1"], hi["b_e1"], lo["e_r1"], md["e_r1"], hi["e_r1"], ""
        printf f, "radvar, generator 2, 2 threads", lo["c_e2"], md["c_e2"], hi["c_e2"], lo["f_r2"], md["f_r2"], hi["f_r2"], ""
        printf f, "radvar, generator 1, 1 thread", lo["d_v1"], md["d_v1"], hi["d_v1"], lo["g_rv1"], md["g_rv1"], hi["g_rv1"], ""
        printf f, "radvar, generator 2, general loop, 1 thread", lo["d2_ge"], md["d2_ge"], hi["d2_ge"], lo["g2_rge"], md["g2_rge"], hi["g2_rge"], "   (noise models)"
        printf "%-44s %29s   %7.2f %7.2f %7.2f\n", "speed-up 1 -> 2 threads (generator 2)", "", lo["h_sp"], md["h_sp"], hi["h_sp"]
        printf "%-44s %9.3g %9.3g %9.3g   engine at %.0f%% / %.0f%% / %.0f%% of it\n", "raw generator 2, normals/s, 1 thread", lo["i_g2"], md["i_g2"], hi["i_g2"], 100 * lo["j_fg"], 100 * md["j_fg"], 100 * hi["j_fg"]
        printf "%-44s %9.3g %9.3g %9.3g   engine at %.0f%% / %.0f%% / %.0f%% of it\n", "the kernel without its generator, 1 thread", lo["k_fl"], md["k_fl"], hi["k_fl"], 100 * lo["l_ff"], 100 * md["l_ff"], 100 * hi["l_ff"]
        printf "%-44s %9.3g %9.3g %9.3g\n", "raw generator 1, normals/s, 1 thread", lo["m_g1"], md["m_g1"], hi["m_g1"]
        printf "per CPU-second of each program (discounts the time other programs took, not their cache traffic):\n"
        printf f, "  NumPy", lo["r_cn"], md["r_cn"], hi["r_cn"], 1, 1, 1, ""
        printf f, "  radvar, generator 2, 1 thread", lo["s_c1"], md["s_c1"], hi["s_c1"], lo["t_cr"], md["t_cr"], hi["t_cr"], ""
        printf "load: 1-minute load average %.2f / %.2f / %.2f at the rounds;", lo["n_load"], md["n_load"], hi["n_load"]
        printf " CPU share obtained (1 = a whole core per thread): NumPy %.2f, radvar 1 thread %.2f, 2 threads %.2f (medians)\n", md["q_shn"], md["o_sh1"], md["p_sh2"]
    }'
echo "$jiffies0 $jiffies1 $elapsed" | awk '{ busy = $3 - $1; total = $4 - $2;
    printf "all cores were busy %.0f%% of the time during the %d s of this section (this benchmark included)\n", (total > 0 ? 100 * busy / total : 0), $5 }'
echo "   (a quiet machine gives CPU shares near 1; the ratios are only as good as that)"
[ "${BENCH_ENGINE_ONLY:-0}" = 1 ] && exit 0

echo
echo "== Reference optimizer: float32 parameter elements updated per second"
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
        printf "ratio = radvar RAdam (gradient check on) / the best of torch.optim.RAdam foreach=False/True\n"
        for (th = 1; th <= 2; th++) {
            c = bw["copy/" th] / 28; ip = bw["inplace/" th] / 28; e = r["radam/10000000/" th]; f = r["radam-fused/10000000/" th]
            printf "ceiling at %d thread(s): copy %.3g GB/s -> %.3g elements/s; in-place %.3g GB/s -> %.3g elements/s (28 bytes/element)\n", th, bw["copy/" th] / 1e9, c, bw["inplace/" th] / 1e9, ip
            printf "   radvar RAdam 1e7: %.0f%% of the copy ceiling, %.0f%% of the in-place ceiling; with the fused check %.0f%% / %.0f%%\n", 100 * e / c, 100 * e / ip, 100 * f / c, 100 * f / ip
        }
    }' "$tmp/stream.tsv" "$tmp/opt.tsv"

if [ -x "$RADVAR_MPI" ] && command -v mpirun >/dev/null 2>&1; then
    echo
    echo "== MPI: the figure-1 workload (beta2 = 0.999, T = 6000, every step), 524288 trials"
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
    sim="simulate --beta2 0.999 --steps 6000 --trials 524288 --exact no --quiet --output /dev/null"
    tiny="simulate --beta2 0.999 --steps 2 --trials 2 --exact no --quiet --output /dev/null"
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
        printf "scaling 1 -> 2 ranks: %.2fx; MPI overhead at 2 cores (2 ranks vs 2 threads): %+.1f%%, %+.1f%% without the launch\n", $3 / $4, 100 * ($4 / $2 - 1), 100 * (($4 - $5) / $2 - 1)
    }'
fi
