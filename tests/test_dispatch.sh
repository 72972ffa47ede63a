#!/bin/sh
# test_dispatch.sh PROG: the portable and the AVX2 paths of the vectorised
# loops give the same bytes (RADVAR_DISPATCH=portable forces the portable
# one): Monte Carlo moments (EMA, SMA, several mu, both generators), and optimizer trajectories
# of every kernel in both dtypes.  On a processor without AVX2 both runs take
# the portable path and the test says so.
set -u
PROG=${1:-build/bin/radvar}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# both FILE ARGS...: run ARGS on both paths, compare everything but the
# command and dispatch lines; with KS=1 in the environment, also the
# --ks-output table each run writes
both() {
    name=$1
    shift
    if [ "${KS:-0}" = 1 ]; then
        "$PROG" "$@" --ks-output "$TMP/$name.ks.native" >"$TMP/$name.native" 2>/dev/null
        RADVAR_DISPATCH=portable "$PROG" "$@" --ks-output "$TMP/$name.ks.portable" >"$TMP/$name.portable" 2>/dev/null
        grep -v '^#' "$TMP/$name.ks.native" >>"$TMP/$name.native"
        grep -v '^#' "$TMP/$name.ks.portable" >>"$TMP/$name.portable"
    else
        "$PROG" "$@" >"$TMP/$name.native" 2>/dev/null
        RADVAR_DISPATCH=portable "$PROG" "$@" >"$TMP/$name.portable" 2>/dev/null
    fi
    if ! grep -q '^# dispatch: portable' "$TMP/$name.portable" && grep -q '^# dispatch' "$TMP/$name.portable"; then
        bad "$name: RADVAR_DISPATCH=portable did not select the portable path"
        return
    fi
    grep -v '^# \(command\|dispatch\)' "$TMP/$name.native" >"$TMP/$name.a"
    grep -v '^# \(command\|dispatch\)' "$TMP/$name.portable" >"$TMP/$name.b"
    if [ -s "$TMP/$name.a" ] && cmp -s "$TMP/$name.a" "$TMP/$name.b"; then ok; else bad "$name: the two paths differ"; fi
}

path=$("$PROG" simulate --beta2 0.9 --steps 2 --trials 2 --quiet 2>/dev/null | sed -n 's/^# dispatch: //p')
echo "dispatch: this processor takes the '$path' path by default"

# both generators: version 2 (the default; its fused kernel for the EMA, the
# general loop for the SMA) and version 1; odd trial counts leave partial
# vectors at the end of a chunk
for gen in 1 2; do
    both "ema_g$gen" simulate --beta2 0.999 --steps 300 --trials 3000 --every 7 --threads 2 --generator $gen --quiet
    KS=1 both "ema_mu_g$gen" simulate --beta2 0.99 --steps 203 --trials 2001 --mu 0.3 --sigma 2 --ks 5,203 --generator $gen --quiet
    KS=1 both "sma_g$gen" simulate --beta2 0.99 --steps 150 --trials 1501 --average sma --ks 5,150 --generator $gen --quiet
done
# every noise model (the student source has an AVX2 path of its own), both
# generators, the EMA and the SMA, a chunk's worth of odd trials
for spec in student:nu=3.5 student:nu=40 laplace mixture:p=0.2,k=3 ar1:phi=0.8 decay:a=0.7,tau=30; do
    for gen in 1 2; do
        both "noise_${spec}_g$gen" simulate --beta2 0.99 --steps 103 --trials 1001 --every 17 --mu 0.2 \
            --noise "$spec" --generator $gen --threads 2 --quiet
    done
    KS=1 both "noise_sma_$spec" simulate --beta2 0.9 --steps 40 --trials 777 --average sma --noise "$spec" \
        --ks 40 --quiet
done
both ema_default simulate --beta2 0.9 --steps 61 --trials 777 --t 1,2,3,4,5,61 --seed 18446744073709551615 --quiet

# gradients with every sign, scale and zeros, for the optimizer kernels
awk 'BEGIN { srand(7); printf "0.5 -1.5 2 0.01 0 3 -0.2 1e-3 7\n";
    for (t = 1; t <= 400; t++) { line = "";
        for (i = 0; i < 9; i++) { g = (rand() - 0.45) * (i + 1) * (t % 37 == 0 ? 30 : 1); if (i == 4) g = 0;
            line = line (i ? " " : "") sprintf("%.17g", g) }
        print line } }' >"$TMP/grads.txt"
for dtype in float32 float64; do
    both "radam_$dtype" replay --method radam --dtype "$dtype" --input "$TMP/grads.txt"
    both "radam_paper_$dtype" replay --method radam --preset paper --weight-decay 0.01 --dtype "$dtype" --input "$TMP/grads.txt"
    both "adam_ams_$dtype" replay --method adam --amsgrad --dtype "$dtype" --input "$TMP/grads.txt"
    both "adamw_$dtype" replay --method adamw --dtype "$dtype" --input "$TMP/grads.txt"
    both "sgd_$dtype" replay --method sgd --nesterov --dtype "$dtype" --input "$TMP/grads.txt"
    both "optax_$dtype" replay --method radam --preset optax --nesterov --dtype "$dtype" --input "$TMP/grads.txt"
done
echo "dispatch: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
