#!/bin/sh
# test_gradients.sh PROG: the gradient logs of `radvar train` and `radvar
# gradients`:
#  - gradients on a synthetic log with known noise (Gaussian, Student-t nu = 4,
#    AR(1) phi = 0.6; tests/ref/make_gradfit_refs.py) against the statistics
#    scipy computes and the fits scipy + mpmath find; its predictions against
#    `radvar exact`; windows against the same statistics of the cut log; the
#    summary; bad logs refused with the line number, exit 2;
#  - train --log-grads/--log-params (with the Fashion-MNIST data): `radvar
#    replay` on the gradient log gives back the logged parameters bit for bit
#    (Adam, RAdam, Adam-2k, float32); --log-every thins; --coord-seed keeps the
#    coordinates across seeds; --grad-hist counts every parameter once.
set -u
PROG=${1:-build/bin/radvar}
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_error PATTERN ARGS...: exit 2, one stderr line matching PATTERN, no output file
expect_error() {
    pattern=$1
    shift
    rm -f "$TMP/out.tsv"
    "$PROG" "$@" --output "$TMP/out.tsv" >"$TMP/stdout" 2>"$TMP/stderr"
    code=$?
    if [ "$code" -ne 2 ]; then
        bad "radvar $* -> exit $code, expected 2"
    elif [ "$(wc -l <"$TMP/stderr")" -ne 1 ] || ! grep -q -- "$pattern" "$TMP/stderr"; then
        bad "radvar $* -> stderr '$(cat "$TMP/stderr")', expected one line matching '$pattern'"
    elif [ -e "$TMP/out.tsv" ] || ls "$TMP"/out.tsv.tmp* >/dev/null 2>&1; then
        bad "radvar $* -> left output behind"
    else
        ok
    fi
}

# column NAME FILE: the values of a named column (rows after the header)
column() {
    awk -F'\t' -v c="$1" '/^#/ { next } !h { for (k = 1; k <= NF; k++) if ($k == c) i = k; h = 1; next }
                          { print $i }' "$2"
}

# ---- radvar gradients on the synthetic log
LOG=$HERE/ref/gradients_synthetic.tsv
EXP=$HERE/ref/gradients_synthetic_expected.tsv
"$PROG" gradients --input "$LOG" --summary-output "$TMP/sum.tsv" >"$TMP/g.tsv" 2>"$TMP/err"
if [ $? -eq 0 ] && [ ! -s "$TMP/err" ]; then ok; else bad "gradients failed: $(cat "$TMP/err")"; fi
# each statistic within its tolerance of scipy's float64 value (relative;
# the p-value through exp(-K^2/2) and scipy's own rounding: 1e-9); the model
# exactly; its parameter to 1e-6 (the optimum's flatness, see test_gradstats)
for spec in "mean 1e-13" "sd 1e-13" "kurtosis 1e-13" "lag1_autocorr 1e-12" "skewness 1e-12" \
            "normality_p 1e-9" "model 0"; do
    set -- $spec
    column "$1" "$TMP/g.tsv" >"$TMP/got"
    column "$1" "$EXP" >"$TMP/want"
    if paste "$TMP/got" "$TMP/want" | awk -v tol="$2" 'NF != 2 { bad = 1 }
            { d = $1 - $2; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2; if (d > tol * s) bad = 1 }
            END { exit bad || NR != 3 }'; then ok; else bad "gradients: column $1: $(paste "$TMP/got" "$TMP/want" | tr '\n' ' ')"; fi
done
# the fitted parameters: student nu (c1), ar1 phi (c2)
nu=$(column nu "$TMP/g.tsv" | sed -n 2p)
phi=$(column phi "$TMP/g.tsv" | sed -n 3p)
want_nu=$(column theta0 "$EXP" | sed -n 2p)
want_phi=$(column theta0 "$EXP" | sed -n 3p)
if awk -v a="$nu" -v b="$want_nu" -v c="$phi" -v d="$want_phi" \
       'BEGIN { x = (a - b) / b; y = (c - d) / d; exit !(x < 1e-6 && x > -1e-6 && y < 1e-6 && y > -1e-6) }'; then
    ok; else bad "gradients: nu $nu (want $want_nu), phi $phi (want $want_phi)"; fi
if [ "$(column n "$TMP/g.tsv" | sort -u)" = 1000 ] && [ "$(column coord "$TMP/g.tsv" | tr '\n' ' ')" = "0 1 2 " ]; then
    ok; else bad "gradients: coord and n columns"; fi
# the Gaussian prediction is radvar exact's, bit for bit, at the coordinate's
# mean and population sd (fit_sigma of the normal model); for the Gaussian
# coordinate the fitted model is normal and both agree
mu=$(column mean "$TMP/g.tsv" | sed -n 1p)
sg=$(column fit_sigma "$TMP/g.tsv" | sed -n 1p)
"$PROG" exact --beta2 0.999 --t 10,100,1000 --mu "$mu" --sigma "$sg" >"$TMP/exact.tsv"
want=$(column var_psi "$TMP/exact.tsv" | tr '\n' ' ')
got=$(for t in 10 100 1000; do column var_gauss_t$t "$TMP/g.tsv" | sed -n 1p; done | tr '\n' ' ')
gotfit=$(for t in 10 100 1000; do column var_fit_t$t "$TMP/g.tsv" | sed -n 1p; done | tr '\n' ' ')
if [ "$got" = "$want" ] && [ "$gotfit" = "$want" ]; then ok; else bad "gradients: var_gauss '$got' var_fit '$gotfit' vs exact '$want'"; fi
# heavy tails and autocorrelation make psi_t vary more than the Gaussian says
ratio_st=$(awk -F'\t' '/^#/ { next } !h { for (k = 1; k <= NF; k++) { if ($k == "var_fit_t100") a = k; if ($k == "var_gauss_t100") b = k }; h = 1; next }
                       { print $a / $b }' "$TMP/g.tsv" | tr '\n' ' ')
if echo "$ratio_st" | awk '{ exit !($1 == 1 && $2 > 1.2 && $3 > 1.5) }'; then ok; else bad "gradients: var_fit/var_gauss at t = 100: $ratio_st"; fi
# the summary: one row, three coordinates, one of each model
if [ "$(grep -vc '^#' "$TMP/sum.tsv")" -eq 2 ] && [ "$(column coords "$TMP/sum.tsv")" = 3 ] \
   && [ "$(column n_student "$TMP/sum.tsv")" = 1 ] && [ "$(column n_ar1 "$TMP/sum.tsv")" = 1 ] \
   && [ "$(column n_normal "$TMP/sum.tsv")" = 1 ]; then ok; else bad "gradients: summary $(cat "$TMP/sum.tsv")"; fi
# windows: the rows of the first window are the statistics of the log cut there
"$PROG" gradients --input "$LOG" --window 200 --stride 100 --t 10 >"$TMP/w.tsv"
if [ "$(column start "$TMP/w.tsv" | sort -nu | tr '\n' ' ')" = "1 101 201 301 401 501 601 701 801 " ] \
   && [ "$(grep -vc '^#' "$TMP/w.tsv")" -eq 28 ]; then ok; else bad "gradients --window: rows"; fi
grep -v '^#' "$LOG" | head -n 202 >"$TMP/cut.tsv"
"$PROG" gradients --input "$TMP/cut.tsv" --t 10 | grep -v '^#' | cut -f2- | tail -n 3 >"$TMP/cut_rows"
awk -F'\t' '!/^#/ && $2 == 1' "$TMP/w.tsv" | cut -f3- >"$TMP/win_rows"
if cmp -s "$TMP/cut_rows" "$TMP/win_rows"; then ok; else bad "gradients --window: first window differs from the cut log"; fi
# --every: the decay fit sees the steps; the other statistics do not change
"$PROG" gradients --input "$LOG" --every 10 --t 10 | grep -v '^#' | cut -f1-11 >"$TMP/e10"
"$PROG" gradients --input "$LOG" --t 10 | grep -v '^#' | cut -f1-11 >"$TMP/e1"
if cmp -s "$TMP/e1" "$TMP/e10"; then ok; else bad "gradients --every changed the statistics"; fi
# csv
"$PROG" gradients --input "$LOG" --format csv --t 10 >"$TMP/g.csv"
if tr -d "\r" <"$TMP/g.csv" | grep -q "^coord,n,mean,sd,kurtosis,lag1_autocorr,skewness,hill,hill_k,normality_k2,normality_p,model,nu,p,k,phi,a,tau,fit_sigma,delta_bic,var_fit_t10,var_gauss_t10$"; then
    ok; else bad "gradients --format csv header"; fi

# bad logs: refused with the line number
printf '# a log\nc0\tc1\n0\t0\n1\t2\n3\n' >"$TMP/ragged.tsv"
expect_error "line 5 has 1 values; the initial row had 2" gradients --input "$TMP/ragged.tsv"
printf '0 0\n1 2\n3 x4\n' >"$TMP/nan.tsv"
expect_error "line 3: value 2 'x4' is not a number" gradients --input "$TMP/nan.tsv"
printf '0 0\n1 2\n3 inf\n' >"$TMP/inf.tsv"
expect_error "line 3: value 2 is not finite" gradients --input "$TMP/inf.tsv"
printf 'c0\n0\n1\n' >"$TMP/short.tsv"
expect_error "holds 1 step after its initial row; at least 2" gradients --input "$TMP/short.tsv"
printf '# nothing\n' >"$TMP/empty.tsv"
expect_error "no initial parameter row" gradients --input "$TMP/empty.tsv"
expect_error "cannot open" gradients --input "$TMP/missing.tsv"
expect_error "--window: 2000 is out of range" gradients --input "$LOG" --window 2000
expect_error "--window: 5 is out of range" gradients --input "$LOG" --window 5
expect_error "--t: 2 is out of range" gradients --input "$LOG" --t 2
expect_error "--beta2: 1 is out of range" gradients --input "$LOG" --beta2 1
expect_error "--stride needs --window" gradients --input "$LOG" --stride 3
# a constant coordinate has no shape: nan statistics, no model, and it is
# counted apart in the summary
awk 'BEGIN { print "c0\tc1"; print "0\t0"; for (i = 1; i <= 30; i++) print (i % 7) * 0.1 "\t" 0 }' >"$TMP/const.tsv"
"$PROG" gradients --input "$TMP/const.tsv" --t 10 --summary-output "$TMP/csum.tsv" >"$TMP/c.tsv"
if [ "$(column kurtosis "$TMP/c.tsv" | sed -n 2p)" = nan ] && [ "$(column model "$TMP/c.tsv" | sed -n 2p)" = nan ] \
   && [ "$(column constant "$TMP/csum.tsv")" = 1 ]; then ok; else bad "gradients: a constant coordinate"; fi

# ---- train: the logs
if [ -f "$DATA/train-images-idx3-ubyte.gz" ]; then
    TRAIN="train --data $DATA --epochs 1 --batch 32 --train-size 960 --test-size 100 --hidden 32 --seed 4"
    for m in "adam --lr 3e-2" "radam --lr 1e-2" "adam-2k --v-only-steps 10 --lr 1e-2" "radam --preset official --lr 1e-2 --weight-decay 0.01"; do
        # shellcheck disable=SC2086
        "$PROG" $TRAIN --method $m --log-grads "$TMP/lg.tsv" --log-params "$TMP/lp.tsv" --log-coords 40 >/dev/null
        # shellcheck disable=SC2086
        "$PROG" replay --method $m --dtype float32 --input "$TMP/lg.tsv" | grep -v '^#' | tail -n +2 | cut -f1-41 >"$TMP/replayed"
        grep -v '^#' "$TMP/lp.tsv" | tail -n +3 >"$TMP/logged"
        if [ "$(wc -l <"$TMP/logged")" -eq 30 ] && cmp -s "$TMP/replayed" "$TMP/logged"; then ok
        else bad "train --method $m: replaying the gradient log does not give the logged parameters bit for bit"; fi
    done
    # the first row of both logs: the initial values
    if [ "$(grep -v '^#' "$TMP/lg.tsv" | sed -n 2p)" = "$(grep -v '^#' "$TMP/lp.tsv" | sed -n 2p | cut -f2-)" ]; then ok
    else bad "train: the initial rows differ"; fi
    # 40 coordinates, round-robin over the layers, named in '#' lines
    if [ "$(grep -c '^# coords c' "$TMP/lg.tsv")" -eq 5 ] && grep -q '^# coords c0-c7: W1:[0-9]* b1:[0-9]* W2:[0-9]* b2:[0-9]* W1:' "$TMP/lg.tsv" \
       && grep -q '^# layers: W1 25088, b1 32, W2 320, b2 10$' "$TMP/lg.tsv"; then ok; else bad "train: coordinate lines"; fi
    # --log-every 4: rows at steps 4, 8, ...; the same coordinates for another
    # seed with --coord-seed; a different choice without
    # shellcheck disable=SC2086
    "$PROG" $TRAIN --method adam --lr 1e-3 --log-grads "$TMP/e4.tsv" --log-params "$TMP/p4.tsv" --log-every 4 >/dev/null
    if [ "$(grep -vc '^#' "$TMP/e4.tsv")" -eq 9 ] && [ "$(column step "$TMP/p4.tsv" | tr '\n' ' ')" = "0 4 8 12 16 20 24 28 " ] \
       && grep -q '^# every: 4 (rows are steps' "$TMP/e4.tsv"; then ok; else bad "train --log-every 4"; fi
    # shellcheck disable=SC2086
    "$PROG" $TRAIN --method adam --lr 1e-3 --seed 9 --coord-seed 4 --log-grads "$TMP/s9.tsv" >/dev/null
    # shellcheck disable=SC2086
    "$PROG" $TRAIN --method adam --lr 1e-3 --seed 9 --log-grads "$TMP/s9b.tsv" >/dev/null
    if [ "$(grep '^# coords c' "$TMP/s9.tsv")" = "$(grep '^# coords c' "$TMP/e4.tsv")" ] \
       && [ "$(grep '^# coords c' "$TMP/s9b.tsv")" != "$(grep '^# coords c' "$TMP/e4.tsv")" ]; then ok
    else bad "train --coord-seed"; fi
    # the histograms: steps 1, 11, 21; 278 rows each; every parameter counted once
    # shellcheck disable=SC2086
    "$PROG" $TRAIN --method adam --lr 1e-3 --grad-hist "$TMP/h.tsv" --hist-every 10 >/dev/null
    if awk -F'\t' '/^#/ { next } !h { h = 1; next } { g[$1] += $3; u[$1] += $4; n[$1]++; if ($2 == -150) z[$1] = 1 }
                   END { for (s in n) { m++; if (n[s] != 278 || g[s] != 25450 || u[s] != 25450 || !z[s]) exit 1 }; exit m != 3 }' "$TMP/h.tsv" \
       && [ "$(column step "$TMP/h.tsv" | sort -nu | tr '\n' ' ')" = "1 11 21 " ]; then ok; else bad "train --grad-hist"; fi
    expect_error "--log-coords: 300 is out of range" $TRAIN --method adam --lr 1e-3 --log-grads "$TMP/x.tsv" --log-coords 300
    expect_error "--log-coords: 0 is out of range" $TRAIN --method adam --lr 1e-3 --log-grads "$TMP/x.tsv" --log-coords 0
    expect_error "--log-every needs --steps-output, --log-grads or --log-params" $TRAIN --method adam --lr 1e-3 --log-every 2
    # the gradient log is radvar gradients' input
    if "$PROG" gradients --input "$TMP/lg.tsv" --t 10 >"$TMP/real.tsv" && [ "$(grep -vc '^#' "$TMP/real.tsv")" -eq 41 ]; then ok
    else bad "gradients on a train log"; fi
else
    echo "test_gradients.sh: the train tests are skipped: no Fashion-MNIST data in $DATA"
fi

echo "gradients: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
