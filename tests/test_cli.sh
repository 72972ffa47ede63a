#!/bin/sh
# test_cli.sh PROG: command-line tests of the radvar program: bad input gets a
# one-line error naming the value and the range, exit status 2 and no output
# file; good input gives well-formed, round-tripping tables.
set -u
PROG=${1:-build/bin/radvar}
PROG=$(cd "$(dirname "$PROG")" && pwd)/$(basename "$PROG") # absolute: some tests change directory
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }

# expect_error PATTERN ARGS...: exit 2, one stderr line matching PATTERN,
# nothing on stdout, no output file.
expect_error() {
    pattern=$1
    shift
    rm -f "$TMP/out.tsv" "$TMP"/out.tsv.tmp.*
    # under timeout: a refusal is immediate, and a hang (exit 124) is a failure
    timeout 120 "$PROG" "$@" --output "$TMP/out.tsv" >"$TMP/stdout" 2>"$TMP/stderr"
    code=$?
    lines=$(wc -l <"$TMP/stderr")
    if [ "$code" -ne 2 ]; then
        bad "radvar $* -> exit $code, expected 2"
    elif [ "$lines" -ne 1 ] || ! grep -q -- "$pattern" "$TMP/stderr"; then
        bad "radvar $* -> stderr '$(cat "$TMP/stderr")', expected one line matching '$pattern'"
    elif [ -s "$TMP/stdout" ] || [ -e "$TMP/out.tsv" ] || ls "$TMP"/out.tsv.tmp.* >/dev/null 2>&1; then
        bad "radvar $* -> left output behind"
    else
        ok
    fi
}

# theory: bad input
expect_error "--rho: 2 is out of range: every rho must be > 2" theory --rho 2
expect_error "1.5 is out of range" theory --rho 3,1.5
expect_error "'-' is not a number\|'abc' is not a number" theory --rho abc
expect_error "'nan' is not a finite number" theory --rho nan
expect_error "'inf' is not a finite number" theory --rho inf
expect_error "'1e999' overflows" theory --rho 1e999
expect_error "empty item" theory --rho 3,,4
expect_error "empty item" theory --rho 3,
expect_error "empty value" theory --rho ""
expect_error "has A > B" theory --rho 10:5:3
expect_error "not a range" theory --rho 3:4
expect_error "'2.5' is not a whole number" theory --rho 3:4:2.5
expect_error "0 is out of range" theory --rho 3:4:0
expect_error "--tau2: 0 is out of range: must be > 0" theory --rho 3 --tau2 0
expect_error "--tau2: -1 is out of range" theory --rho 3 --tau2 -1
expect_error "unknown option '--bogus'" theory --rho 3 --bogus
expect_error "--rho is required" theory
expect_error "'xml' is not a format" theory --rho 3 --format xml
expect_error "unexpected argument 'extra'" theory --rho 3 extra
expect_error "needs a value" theory --rho
# schedule: bad input
expect_error "--beta2: 1 is out of range: must be in \[0, 1)" schedule --beta2 1 --t 1
expect_error "--beta2: -0.1 is out of range" schedule --beta2 -0.1 --t 1
expect_error "--beta2: 'nan' is not a finite number" schedule --beta2 nan --t 1
expect_error "--t: 0 is out of range" schedule --beta2 0.9 --t 0
expect_error "'2.5' is not a whole number" schedule --beta2 0.9 --t 1,2.5
expect_error "'x' is not a number" schedule --beta2 0.9 --t x
expect_error "has A > B" schedule --beta2 0.9 --t 10:5
expect_error "empty item" schedule --beta2 0.9 --t ,3
expect_error "--t: 1e300 is out of range" schedule --beta2 0.9 --t 1e300
expect_error "--warmup: 0.5 is out of range: must be >= 1" schedule --beta2 0.9 --t 1 --warmup 0.5
expect_error "--t is required" schedule --beta2 0.9
expect_error "takes no value" schedule --beta2 0.9 --t 1 --summary=yes

# simulate: bad input
SIM="simulate --beta2 0.9 --steps 10 --trials 10"
expect_error "--steps: 0 is out of range" simulate --beta2 0.9 --steps 0 --trials 10
expect_error "--trials: 1 is out of range" simulate --beta2 0.9 --steps 10 --trials 1
expect_error "--sigma: 0 is out of range: must be > 0" $SIM --sigma 0
expect_error "--sigma: -2 is out of range" $SIM --sigma -2
expect_error "--beta2: 1 is out of range" simulate --beta2 1 --steps 10 --trials 10
expect_error "--window: 0 is out of range" $SIM --average sma --window 0
expect_error "--threads: 0 is out of range: must be in \[1, 1024\]" $SIM --threads 0
expect_error "--threads: 1025 is out of range" $SIM --threads 1025
expect_error "--mu: '1e400' overflows" $SIM --mu 1e400
expect_error "--trials: '1e400' overflows" simulate --beta2 0.9 --steps 10 --trials 1e400
expect_error "'median' is not an average" $SIM --average median
expect_error "--window: applies to --average sma only" $SIM --window 3
expect_error "--t: step 11 is beyond --steps 10" $SIM --t 5,11
expect_error "--ks: step 20 is beyond" $SIM --ks 20 --ks-output "$TMP/ks.tsv"
expect_error "--ks and --ks-output go together" $SIM --ks 5
expect_error "cannot be given together" $SIM --every 2 --t 3
expect_error "are required" simulate --beta2 0.9

# simulate: byte-identical output for 1, 2 and 3 threads (but for the lines
# that name the thread count)
for p in 1 2 3; do
    "$PROG" simulate --beta2 0.99 --steps 200 --trials 1000 --ks 3,200 --ks-output "$TMP/ks$p.tsv" \
        --threads $p --quiet 2>/dev/null | grep -v '^# command:\|^# threads:' >"$TMP/sim$p.tsv"
    grep -v '^# command:\|^# threads:' "$TMP/ks$p.tsv" >"$TMP/ksb$p.tsv"
done
if cmp -s "$TMP/sim1.tsv" "$TMP/sim2.tsv" && cmp -s "$TMP/sim1.tsv" "$TMP/sim3.tsv" \
    && cmp -s "$TMP/ksb1.tsv" "$TMP/ksb2.tsv" && cmp -s "$TMP/ksb1.tsv" "$TMP/ksb3.tsv" \
    && [ "$(grep -vc '^#' "$TMP/sim1.tsv")" -eq 201 ]; then ok; else bad "simulate output depends on threads"; fi
# the standard error is not finite where the fourth moment of psi does not exist
if awk -F'\t' '$1 == "4" { exit !($6 == "inf") }' "$TMP/sim1.tsv" \
    && awk -F'\t' '$1 == "5" { exit !($6 != "inf") }' "$TMP/sim1.tsv"; then ok; else bad "se_var_psi inf rule"; fi
# one table per output: the KS table in its own file, one header row each
if ! grep -q '^# section' "$TMP/sim1.tsv" "$TMP/ks1.tsv" && [ "$(grep -vc '^#' "$TMP/ks1.tsv")" -eq 3 ] \
    && grep -q '^t	dof	n	ks_distance	p_value$' "$TMP/ks1.tsv" \
    && [ "$(grep -c '^t	' "$TMP/sim1.tsv")" -eq 1 ]; then ok; else bad "ks table in --ks-output"; fi

# simulate: SIGINT stops at a chunk boundary, writes what was done, exit 130
"$PROG" simulate --beta2 0.999 --steps 600 --trials 100000000 --threads 2 --quiet \
    --every 100 --output "$TMP/int.tsv" 2>/dev/null &
pid=$!
sleep 2
kill -INT $pid
wait $pid
code=$?
done_trials=$(sed -n 's/^# trials_completed: //p' "$TMP/int.tsv" 2>/dev/null)
if [ "$code" -eq 130 ] && grep -q '^# interrupted: yes' "$TMP/int.tsv" \
    && [ -n "$done_trials" ] && [ "$done_trials" -gt 0 ] && [ "$done_trials" -lt 100000000 ] \
    && [ "$(grep -vc '^#' "$TMP/int.tsv")" -eq 7 ] && ! ls "$TMP"/int.tsv.tmp.* >/dev/null 2>&1; then
    ok
else
    bad "SIGINT: exit $code, trials_completed '$done_trials'"
fi

# exact, dof, rectify: bad input
for sub in exact dof rectify; do
    expect_error "--beta2: 0 is out of range: must be in (0, 1)" $sub --beta2 0 --t 10
    expect_error "--beta2: 1 is out of range" $sub --beta2 1 --t 10
    expect_error "--t: 0 is out of range" $sub --beta2 0.9 --t 0,5
    expect_error "'1.5' is not a whole number" $sub --beta2 0.9 --t 1.5
    expect_error "--sigma: 0 is out of range" $sub --beta2 0.9 --t 5 --sigma 0
    expect_error "--points goes with --log" $sub --beta2 0.9 --t 3:100 --points 5
    expect_error "with --log, give a range A:B" $sub --beta2 0.9 --t 3,100 --log
    expect_error "--points: 1 is out of range" $sub --beta2 0.9 --t 3:100 --log --points 1
    expect_error "--points: 99 is out of range: the range 3:100 holds 98" $sub --beta2 0.9 --t 3:100 --log --points 99
    expect_error "--mu: 'x' is not a number" $sub --beta2 0.9 --t 5 --mu x
    # scales whose moments leave the range of a double (these hung, or gave nan with exit 0)
    for s in 1e-200 1e200 1e154 1e-101; do
        expect_error "--sigma: '$s' is out of range: sqrt(mu^2 + sigma^2) = .* must be in \[1e-100, 1e100\]" \
            $sub --beta2 0.9 --t 3 --sigma $s
    done
    expect_error "--sigma: '1e-200' is out of range" $sub --beta2 0.999 --t 1e9 --sigma 1e-200
    expect_error "--mu: '1e155' is out of range: |mu| must be <= 1e30 sigma (sigma = 1)" $sub --beta2 0.999 --t 10 --mu 1e155
    expect_error "--mu: '1e101' is out of range: sqrt(mu^2 + sigma^2) = 1e+101 must be in" $sub --beta2 0.999 --t 10 --mu 1e101 --sigma 1e80
    expect_error "--beta2: '1e-51' is out of range: the exact moments need beta2 >= 1e-50" $sub --beta2 1e-51 --t 3
done
# ... and at the edges they are computed: psi scales as 1/sigma
for s in 1e-100 1e100; do
    if timeout 120 "$PROG" exact --beta2 0.9 --t 3 --sigma $s --mu 0 >"$TMP/edge.tsv" 2>"$TMP/edge.err" \
        && [ ! -s "$TMP/edge.err" ] \
        && "$PROG" exact --beta2 0.9 --t 3 >"$TMP/one.tsv" \
        && awk -F'\t' -v s=$s 'NR == FNR { if ($1 == "3") { e = $3; v = $5 } next }
            $1 == "3" { d1 = $3 * s / e - 1; d2 = $5 * s * s / v - 1
                        exit !(d1 < 1e-13 && d1 > -1e-13 && d2 < 1e-13 && d2 > -1e-13) }' "$TMP/one.tsv" "$TMP/edge.tsv"
    then ok; else bad "exact at sigma = $s is not the sigma = 1 moments rescaled"; fi
done
if timeout 120 "$PROG" exact --beta2 0.999 --t 10 --mu 1e30 2>"$TMP/edge.err" | awk -F'\t' '$1 == "10" { exit !($5 > 0 && $5 < 1e-61) }' \
    && [ ! -s "$TMP/edge.err" ]; then ok; else bad "exact at mu = 1e30 sigma"; fi
# small beta2: no negative moment (E_psi2 = -1.02, var_psi = -33.5 before), and
# the mpmath values (tests/ref/exact_small_ref.h) to 1e-13
if timeout 120 "$PROG" exact --beta2 1e-5 --t 3 2>"$TMP/small.err" \
    | awk -F'\t' '$1 == "3" { d = $4 / 2257.7671307511029736 - 1; e = $5 / 2225.3156833252126694 - 1
                             exit !(d < 1e-13 && d > -1e-13 && e < 1e-13 && e > -1e-13) }' \
    && [ ! -s "$TMP/small.err" ]; then ok; else bad "exact --beta2 1e-5 --t 3: $(cat "$TMP/small.err")"; fi
# exact: inf where a moment is infinite, and distinct log-spaced steps
"$PROG" exact --beta2 0.99 --t 1,2,3 >"$TMP/e.tsv"
if awk -F'\t' '$1 == "1" { exit !($3 == "inf" && $5 == "inf") }' "$TMP/e.tsv" \
    && awk -F'\t' '$1 == "2" { exit !($3 != "inf" && $3 != "nan" && $4 == "inf" && $5 == "inf") }' "$TMP/e.tsv" \
    && awk -F'\t' '$1 == "3" { exit !($5 != "nan" && $5 != "inf") }' "$TMP/e.tsv"; then ok; else bad "exact inf rule"; fi
n=$("$PROG" exact --beta2 0.99 --t 3:6000 --log --points 300 | grep -v '^#' | awk 'NR > 1' | cut -f1 | sort -un | wc -l)
if [ "$n" -eq 300 ]; then ok; else bad "log-spaced steps: $n distinct, expected 300"; fi
if "$PROG" rectify --beta2 0.999 --t 100 | awk -F'\t' '$1 == "100" { d = $9 - 1; exit !(d < 1e-12 && d > -1e-12) }'; then ok; else bad "ratio_exact should be 1"; fi

# --noise: a bad SPEC names the parameter and its range; the header records the
# canonical SPEC; dof and rectify add their columns with --noise only
for sub in exact dof rectify; do
    expect_error "--noise: student: nu = 2 is out of range (need nu > 2)" $sub --beta2 0.9 --t 5 --noise student:nu=2
    expect_error "--noise: mixture: missing parameter k (need k > 0)" $sub --beta2 0.9 --t 5 --noise mixture:p=0.5
    expect_error "--noise: unknown noise model 'cauchy'" $sub --beta2 0.9 --t 5 --noise cauchy
    expect_error "decay needs t <= 1048576" $sub --beta2 0.9 --t 2000000 --noise decay:a=0.5,tau=10
done
expect_error "--noise: ar1: phi = 1 is out of range (need -1 < phi < 1)" $SIM --noise ar1:phi=1
expect_error "--noise: decay:a=200,tau=1e-3 shrinks the gradient scale below 1e-150" $SIM --noise decay:a=200,tau=1e-3
"$PROG" dof --beta2 0.999 --t 100 --noise student:nu=5.0 >"$TMP/nd.tsv"
"$PROG" rectify --beta2 0.999 --t 100 --noise laplace >"$TMP/nr.tsv"
if grep -q '^# noise: student:nu=5$' "$TMP/nd.tsv" \
    && grep -q '	rel_err_rho_moment	rho_mm	var_at_rho_mm	rel_err_rho_mm$' "$TMP/nd.tsv" \
    && awk -F'\t' '$1 == "100" { exit !($10 > 24 && $10 < 26) }' "$TMP/nd.tsv" \
    && grep -q '	ratio_ema_exact	r_mm	ratio_mm$' "$TMP/nr.tsv" \
    && "$PROG" dof --beta2 0.999 --t 100 | grep -q '	rel_err_rho_moment$' \
    && "$PROG" dof --beta2 0.999 --t 100 | grep -q '^# noise: normal$'
then ok; else bad "--noise: header and columns"; fi
# simulate --noise: the noise model's exact variance and the header
"$PROG" simulate --beta2 0.99 --steps 200 --trials 4000 --t 200 --noise mixture:p=0.1,k=3 \
    --threads 2 --quiet --output "$TMP/ns.tsv"
if grep -q '^# noise: mixture:p=0.10000000000000001,k=3$' "$TMP/ns.tsv" \
    && awk -F'\t' '!/^#/ && $1 == "200" { z = ($5 - $11) / $6; exit !(z < 4.5 && z > -4.5) }' "$TMP/ns.tsv"
then ok; else bad "simulate --noise: header, var_exact"; fi

# replay: bad input, a worked example, and the golden files through the CLI
expect_error "--method is required" replay
expect_error "--method: 'lamb' is not a method" replay --method lamb
expect_error "--preset: 'keras' is not valid" replay --method radam --preset keras
expect_error "--preset: applies to --method radam only" replay --method adam --preset paper
expect_error "--lr: -0.1 is out of range: must be >= 0" replay --method adam --lr -0.1
expect_error "--beta2: 1 is out of range" replay --method radam --beta2 1
expect_error "--eps: -1e-8 is out of range" replay --method radam --eps -1e-8
expect_error "--dtype: 'half' is not valid" replay --method radam --dtype half
expect_error "--wd-kind: 'both' is not valid" replay --method radam --wd-kind both
expect_error "--input: cannot open" replay --method radam --input "$TMP/none.tsv"
printf '1 2\n0.5 nan\n' >"$TMP/nan.tsv"
expect_error "line 2: a gradient is NaN or infinite" replay --method radam --input "$TMP/nan.tsv"
printf '1 2\n0.5 0.1 0.3\n' >"$TMP/ragged.tsv"
expect_error "line 2 has 3 values; the initial row had 2" replay --method radam --input "$TMP/ragged.tsv"
printf 'p0 p1\n1 2\n0.5 -0.25\n0.5 -0.25\n' | "$PROG" replay --method adam --lr 0.1 >"$TMP/r.tsv"
if [ "$(grep -vc '^#' "$TMP/r.tsv")" -eq 3 ] && awk -F'\t' '$1 == "1" { exit !($2 < 1 && $3 > 2) }' "$TMP/r.tsv"; then ok; else bad "replay example"; fi
# the header records every knob that ran, whatever the method
for m in adam adamw; do
    printf 'p0 p1\n1 2\n0.5 -0.25\n' | "$PROG" replay --method $m --amsgrad >"$TMP/ra.tsv"
    if grep -q '^# variants: amsgrad$' "$TMP/ra.tsv"; then ok; else bad "replay --method $m --amsgrad: no amsgrad in the header"; fi
    printf 'p0 p1\n1 2\n0.5 -0.25\n' | "$PROG" replay --method $m --amsgrad --nesterov --eps-root 1e-9 >"$TMP/ra.tsv"
    if grep -q '^# variants: nesterov amsgrad$' "$TMP/ra.tsv" && grep -q '^# eps_root: 1.0000000000000001e-09$' "$TMP/ra.tsv"
    then ok; else bad "replay --method $m: nesterov, amsgrad, eps_root not all in the header"; fi
done
# the golden RAdam trajectory through the command line: same numbers as torch
g=tests/golden/radam_b0.999_wd.tsv
if [ -f "$g" ]; then
    args=$(sed -n 's/^# radvar replay //p' "$g")
    awk -F'\t' '$1 == "init" { $1 = ""; print substr($0, 2); next } !/^#/ { print $2 "\t" $3 "\t" $4 "\t" $5 }' OFS='\t' "$g" \
        | "$PROG" replay $args >"$TMP/g.tsv"
    if awk -F'\t' 'FNR == NR { if (!/^#/ && $1 != "init") want[$1] = $6 "\t" $7 "\t" $8 "\t" $9; next }
        !/^#/ && $1 != "t" { split(want[$1], w, "\t"); for (k = 1; k <= 4; k++) { d = $(k + 1) - w[k]; s = w[k] < 0 ? -w[k] : w[k]; if (s < 1) s = 1;
            if (d / s > 1e-12 || d / s < -1e-12) exit 1 } n++ } END { exit !(n == 2000) }' "$g" "$TMP/g.tsv"; then ok; else bad "golden through replay"; fi
fi
# bench-step prints its row
if "$PROG" bench-step --method radam --n 1000 --threads 1 --dtype float32 --steps 2 | grep -q '^radam	1000	1	float32	2	'; then ok; else bad "bench-step"; fi

# train: deterministic for a seed, and clear errors for missing or broken data
DATA=/usr/share/datasets/fashion-mnist
if [ -f "$DATA/train-images-idx3-ubyte.gz" ]; then
    for k in 1 2; do
        "$PROG" train --data "$DATA" --method radam --lr 1e-3 --epochs 2 --batch 32 --seed 5 \
            --train-size 600 --test-size 300 --log-every 5 --steps-output "$TMP/steps$k.tsv" \
            | grep -v '^# command' >"$TMP/train$k.tsv"
    done
    if cmp -s "$TMP/train1.tsv" "$TMP/train2.tsv" && [ "$(grep -c '^[12]	' "$TMP/train1.tsv")" -ge 2 ] \
        && [ "$(grep -v '^#' "$TMP/steps1.tsv" | sed 1d | wc -l)" -eq 7 ] \
        && [ "$(grep -v '^#' "$TMP/steps1.tsv")" = "$(grep -v '^#' "$TMP/steps2.tsv")" ]; then ok; else bad "train is not deterministic"; fi
    "$PROG" train --data "$DATA" --method radam --lr 1e-3 --epochs 1 --batch 32 --seed 6 \
        --train-size 600 --test-size 300 | grep -v '^# command' >"$TMP/train3.tsv"
    if ! cmp -s "$TMP/train1.tsv" "$TMP/train3.tsv"; then ok; else bad "train ignores the seed"; fi
fi
expect_error "--data: cannot open '$TMP/nodata/train-images-idx3-ubyte.gz'" train --data "$TMP/nodata" \
    --method adam --lr 1e-3 --epochs 1 --batch 8 --seed 1
mkdir -p "$TMP/broken"
printf 'not an idx file at all' | gzip >"$TMP/broken/train-images-idx3-ubyte.gz"
printf 'nope' | gzip >"$TMP/broken/train-labels-idx1-ubyte.gz"
expect_error "is not an IDX image file (magic" train --data "$TMP/broken" --method adam --lr 1e-3 \
    --epochs 1 --batch 8 --seed 1
if [ -f "$DATA/train-images-idx3-ubyte.gz" ]; then
    head -c 100000 "$DATA/train-images-idx3-ubyte.gz" >"$TMP/broken/train-images-idx3-ubyte.gz"
    cp "$DATA/train-labels-idx1-ubyte.gz" "$TMP/broken/"
    expect_error "is truncated" train --data "$TMP/broken" --method adam --lr 1e-3 --epochs 1 --batch 8 --seed 1
fi
expect_error "--model: 'cnn' is not a model" train --data "$DATA" --model cnn --method adam --lr 1e-3 \
    --epochs 1 --batch 8 --seed 1
expect_error "--lr: -1 is out of range" train --data "$DATA" --method adam --lr -1 --epochs 1 --batch 8 --seed 1
expect_error "--epochs: 0 is out of range" train --data "$DATA" --method adam --lr 1 --epochs 0 --batch 8 --seed 1

# unknown command
"$PROG" frobnicate >/dev/null 2>"$TMP/stderr"
if [ $? -eq 2 ] && grep -q "unknown command 'frobnicate'" "$TMP/stderr"; then ok; else bad "unknown command"; fi

# --version and --help
if "$PROG" --version | grep -q '^radvar [0-9]'; then ok; else bad "--version"; fi
for sub in theory schedule simulate exact dof rectify replay bench-step sweep train; do
    if "$PROG" $sub --help | grep -q "^usage: radvar $sub"; then ok; else bad "$sub --help"; fi
done

# good output: header lines, columns, %.17g round trip
"$PROG" theory --rho 4,1e14 --output "$TMP/t.tsv" 2>"$TMP/stderr"
if [ $? -eq 0 ] && [ ! -s "$TMP/stderr" ] && grep -q '^# command: .*theory --rho 4,1e14' "$TMP/t.tsv" \
    && grep -q "^rho	E_psi	E_psi2	var_psi	var_psi_approx$" "$TMP/t.tsv"; then ok; else bad "theory output header"; fi
# Var[psi](4) = 0.4292036732051033807686783 (tests/ref/theory_ref.h): 17
# significant digits are printed (the library's accuracy is tested in C; mawk's
# own decimal conversion is good to a few ulps only, hence 1e-13 here)
v=$(awk -F'\t' '$1 == "4" { print $4 }' "$TMP/t.tsv")
if awk -v v="$v" 'BEGIN { d = v / 0.4292036732051033807686783 - 1; exit !(d < 1e-13 && d > -1e-13 && length(v) >= 18) }'; then ok; else bad "round trip of var_psi: '$v'"; fi
if awk -F'\t' '$1 == "4" { exit !($5 == "nan") }' "$TMP/t.tsv"; then ok; else bad "approx at rho=4 should be nan"; fi

# ranges: N points, exact end points, log spacing
n=$("$PROG" theory --rho 3:1000:7 --log | grep -vc '^#\|^rho')
if [ "$n" -eq 7 ]; then ok; else bad "range gives $n rows, expected 7"; fi
last=$("$PROG" theory --rho 3:1000:7 --log | tail -1 | cut -f1)
if [ "$last" = "1000" ]; then ok; else bad "range end $last"; fi

# schedule: r_t nan where rho_t <= 4, r_t_sma_exact nan where rho_t <= 2
"$PROG" schedule --beta2 0.999 --t 1:6 --warmup 10 >"$TMP/s.tsv"
if awk -F'\t' '$1 == "4" { exit !($4 == "nan" && $5 != "nan") } ' "$TMP/s.tsv" \
    && awk -F'\t' '$1 == "2" { exit !($5 == "nan") }' "$TMP/s.tsv" \
    && awk -F'\t' '$1 == "5" { exit !($4 != "nan") }' "$TMP/s.tsv"; then ok; else bad "schedule nan rule"; fi
"$PROG" schedule --beta2 0.999 --warmup 10 --summary >"$TMP/summary.tsv"
if ! grep -q '^# section' "$TMP/summary.tsv" && grep -q '^5	6	6	' "$TMP/summary.tsv"; then ok; else bad "summary first steps"; fi
n=$("$PROG" schedule --beta2 0.9 --t 1:100:7 | grep -vc '^#\|^t')
if [ "$n" -eq 15 ]; then ok; else bad "step range gives $n rows, expected 15"; fi

# csv and json
"$PROG" schedule --beta2 0.99 --t 1,10 --format csv >"$TMP/s.csv"
if head -1 "$TMP/s.csv" | grep -q '^t,rho_t,sma_length,r_t,r_t_sma_exact,r_t_moment,warmup_exp_untuned,warmup_linear_untuned.$' \
    && ! grep -q '^#' "$TMP/s.csv"; then ok; else bad "csv header"; fi
"$PROG" schedule --beta2 0.99 --t 1,10 --format json >"$TMP/s.json"
"$PROG" schedule --beta2 0.99 --summary --format json >"$TMP/sum.json"
if command -v python3 >/dev/null 2>&1; then
    if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); e=json.load(open(sys.argv[2])); assert d['rows'][0][3] == 'nan' and e['rows'][0][0]==5" "$TMP/s.json" "$TMP/sum.json"; then ok; else bad "json"; fi
fi

# --output replaces an existing file atomically and leaves no temporary
echo old >"$TMP/keep.tsv"
"$PROG" theory --rho 3 --output "$TMP/keep.tsv"
if grep -q '^3	' "$TMP/keep.tsv" && ! ls "$TMP"/keep.tsv.tmp.* >/dev/null 2>&1; then ok; else bad "atomic replace"; fi
# a failing run keeps the old file as it was
"$PROG" theory --rho 1 --output "$TMP/keep.tsv" 2>/dev/null
if grep -q '^3	' "$TMP/keep.tsv"; then ok; else bad "failed run clobbered the output"; fi
# an unwritable output directory is an error, not a crash
"$PROG" theory --rho 3 --output "$TMP/no/such/dir/x.tsv" 2>"$TMP/stderr"
if [ $? -ne 0 ] && grep -q "cannot create" "$TMP/stderr"; then ok; else bad "unwritable output"; fi

# ---- outputs: what a user reads is right ----
PY=/usr/bin/python3
have_py() { [ -x "$PY" ] && "$PY" -c 'import numpy, pandas' 2>/dev/null; }

# rectify: one name per quantity, and the reported numbers at beta2 = 0.995, t = 302
"$PROG" rectify --beta2 0.995 --t 302 >"$TMP/rect.tsv"
if grep -q '^t	r_paper	r_sma_exact	r_moment	r_ema_exact	ratio_paper	ratio_sma_exact	ratio_moment	ratio_ema_exact$' "$TMP/rect.tsv" \
    && awk -F'\t' '$1 == "302" { exit !($3 > 0.7541 && $3 < 0.7543 && $5 > 0.7966 && $5 < 0.7968) }' "$TMP/rect.tsv"
then ok; else bad "rectify columns r_sma_exact/r_ema_exact"; fi
if "$PROG" rectify --help | grep -q 'r_ema_exact  sqrt(Var_EMA' && "$PROG" replay --help | grep -q 'moment: the same at rho_moment' \
    && "$PROG" train --help | grep -q 'flattens the SMA model exactly, not the EMA'; then ok; else bad "--help says what each rectification flattens"; fi

# simulate, mu != 0: var_exact is exact, the model is moment-matched (it was
# 31% off at mu = 0.5 with tau2 = 1/sigma^2), the KS test is of that model
# (an approximation: its distance is small, D < 0.03, not zero, so no p-value
# bound is asserted)
"$PROG" simulate --beta2 0.999 --steps 3000 --trials 20000 --mu 0.5 --t 100,3000 --ks 100 \
    --ks-output "$TMP/ksmu.tsv" --threads 2 --output "$TMP/mu.tsv" 2>"$TMP/stderr"
if awk -F'\t' '!/^#/ && $1 == "3000" { z = ($5 - $11) / $6; m = $10 / $11 - 1; exit !(z < 4.5 && z > -4.5 && m < 0.15 && m > -0.15) }' "$TMP/mu.tsv" \
    && awk -F'\t' '!/^#/ && $1 == "100" { exit !($4 < 0.03) }' "$TMP/ksmu.tsv" \
    && grep -q "moment-matched" "$TMP/stderr" && grep -q '^# model_nu: 1.04166' "$TMP/mu.tsv"
then ok; else bad "simulate mu != 0: model, var_exact, KS"; fi

# infinite moments print as inf (the EMA at t <= 2), nan where undefined; JSON keeps them apart
"$PROG" simulate --beta2 0.99 --steps 5 --trials 1000 --quiet >"$TMP/inf.tsv"
if awk -F'\t' '$1 == "1" { exit !($4 == "inf" && $5 == "inf" && $11 == "inf" && $12 == "nan") }' "$TMP/inf.tsv" \
    && awk -F'\t' '$1 == "2" { exit !($4 != "inf" && $5 == "inf" && $11 == "inf" && $12 == "nan") }' "$TMP/inf.tsv" \
    && awk -F'\t' '$1 == "3" { exit !($5 != "inf" && $6 == "inf" && $12 != "nan") }' "$TMP/inf.tsv"
then ok; else bad "simulate inf rule"; fi
if have_py; then
    "$PROG" simulate --beta2 0.99 --steps 5 --trials 1000 --quiet --format json >"$TMP/inf.json"
    if "$PY" -c "
import json, sys, math
d = json.load(open(sys.argv[1]))
r = {row[0]: dict(zip(d['columns'], row)) for row in d['rows']}
assert r[1]['var_psi'] == 'inf' and r[1]['rho_eff'] == 'nan' and r[3]['se_var_psi'] == 'inf'
assert isinstance(r[3]['var_psi'], float) and math.isinf(float(r[1]['var_psi']))
" "$TMP/inf.json"; then ok; else bad "json inf and nan"; fi
fi

# theory over the whole double range (var_psi was -0 at 1e200, the approximation 0)
"$PROG" theory --rho 1e200,1.7976931348623157e308 >"$TMP/big.tsv"
# (Var[psi] = 5e-201 to within a relative 1e-15; 2.781342323134002e-309 by mpmath,
# compared as text: awk reads no subnormal numbers)
if awk -F'\t' '!/^#/ && $1 != "rho" { n++; if ($1 + 0 < 1e201) ok1 = ($4 / 5e-201 - 1 < 1e-15 && $4 / 5e-201 - 1 > -1e-15 && $5 == $4); else ok2 = ($4 ~ /^2\.78134232313400[12][0-9]*e-309$/ && $5 == $4) }
    END { exit !(n == 2 && ok1 && ok2) }' "$TMP/big.tsv"; then ok; else bad "theory at rho = 1e200 and DBL_MAX: $(grep -v '^#' "$TMP/big.tsv" | tr '\n' ' ')"; fi

# CSV is plain RFC 4180 (one header row, CRLF, no comment lines) for every
# subcommand, with the provenance beside it in FILE.meta; the loading recipes work
printf '1 2\n0.5 -0.25\n0.5 -0.25\n' >"$TMP/grad.tsv"
printf 'beta2 mu sigma steps trials seed\n0.9 0 1 10 50 1\n0.99 0.5 1 10 50 2\n' >"$TMP/grid.tsv"
i=0
for cmd in "theory --rho 3,4,1e200" "schedule --beta2 0.99 --t 1:5" "schedule --beta2 0.99 --summary" \
    "simulate --beta2 0.99 --steps 20 --trials 100 --quiet --ks 5 --ks-output $TMP/csvks.csv" \
    "exact --beta2 0.99 --t 1:4" "dof --beta2 0.99 --t 1:4" "rectify --beta2 0.99 --t 1:6" \
    "replay --method radam --input $TMP/grad.tsv" \
    "sweep --grid $TMP/grid.tsv --t 3,10 --checkpoint $TMP/csvsweep.ckpt"; do
    i=$((i + 1))
    rm -f "$TMP/csvsweep.ckpt"
    if ! "$PROG" $cmd --format csv --output "$TMP/c$i.csv" 2>"$TMP/stderr"; then
        bad "csv: radvar $cmd failed: $(cat "$TMP/stderr")"; continue
    fi
    if [ -s "$TMP/c$i.csv.meta" ] && grep -q "^# command: .*--format csv" "$TMP/c$i.csv.meta"; then ok; else bad "csv: radvar $cmd: no FILE.meta"; fi
    if have_py; then
        if "$PY" -c "
import csv, sys, numpy as np, pandas as pd
f = sys.argv[1]
raw = open(f, 'rb').read()
assert raw.endswith(b'\r\n') and b'#' not in raw and raw.count(b'\n') == raw.count(b'\r\n')
rows = list(csv.reader(open(f, newline='')))
head, body = rows[0], rows[1:]
assert len(body) >= 1 and all(len(r) == len(head) for r in body), 'ragged'
for r in body:
    [float(x) for x in r]
a = np.genfromtxt(f, delimiter=',', names=True)
d = pd.read_csv(f)
assert list(d.columns) == head and len(d) == len(body)
assert np.atleast_1d(a)[head[0]].shape[0] == len(body)
" "$TMP/c$i.csv"; then ok; else bad "csv: radvar $cmd does not load"; fi
    fi
done
# TSV with its '#' lines: the numpy, pandas and gnuplot recipes of the README
"$PROG" simulate --beta2 0.99 --steps 50 --trials 200 --quiet --output "$TMP/sim.tsv"
if have_py; then
    if "$PY" -c "
import sys, numpy as np, pandas as pd
f = sys.argv[1]
a = np.genfromtxt((l for l in open(f) if not l.startswith('#')), delimiter='\t', names=True)
d = pd.read_csv(f, sep='\t', comment='#')
assert list(a['t']) == list(range(1, 51)) and list(d['t']) == list(range(1, 51))
assert np.isinf(a['var_psi'][0]) and np.isinf(d['var_psi'][0]) and np.isnan(a['rho_eff'][0])
" "$TMP/sim.tsv"; then ok; else bad "numpy/pandas recipes for tsv"; fi
    "$PROG" theory --rho 3,1e200 --format json >"$TMP/t.json"
    if "$PY" -c "
import json, sys, numpy as np, pandas as pd
d = json.load(open(sys.argv[1]))
a = np.array(d['rows'], dtype=float)
p = pd.DataFrame(d['rows'], columns=d['columns']).astype(float)
assert np.isnan(a[0, 4]) and p['var_psi'][1] == 5e-201
" "$TMP/t.json"; then ok; else bad "numpy/pandas recipes for json"; fi
fi
if command -v gnuplot >/dev/null 2>&1; then
    n=$(gnuplot -e "set datafile separator tab; set datafile columnheaders; stats '$TMP/sim.tsv' using 't' nooutput; print STATS_records, STATS_max" 2>&1)
    m=$(gnuplot -e "set datafile separator comma; set datafile columnheaders; stats '$TMP/c1.csv' using 'rho' nooutput; print STATS_records" 2>&1)
    if [ "$n" = "50 50.0" ] && [ "$m" = "3" ]; then ok; else bad "gnuplot recipes: '$n' '$m'"; fi
fi

# headers record what ran; a weight decay that does nothing is refused
expect_error "--weight-decay: 0.1 has no effect with this preset (no weight decay: optax.radam takes none)" \
    replay --method radam --preset optax --weight-decay 0.1 --input "$TMP/grad.tsv"
"$PROG" replay --method radam --preset optax --input "$TMP/grad.tsv" >"$TMP/rep.tsv"
if grep -q '^# threshold: rho_t >= 5$' "$TMP/rep.tsv" && grep -q '^# below_threshold: momentum$' "$TMP/rep.tsv" \
    && grep -q '^# eps_placement: sqrt-vhat$' "$TMP/rep.tsv" && grep -q '^# weight_decay: 0 (none)$' "$TMP/rep.tsv" \
    && grep -q '^# rectification: paper$' "$TMP/rep.tsv" && grep -q '^# betas: 0.9' "$TMP/rep.tsv" \
    && grep -q '^# eps: ' "$TMP/rep.tsv" && grep -q '	lr_adaptive	lr_momentum$' "$TMP/rep.tsv" \
    && awk -F'\t' '$1 == "1" { exit !($7 == "nan" && $8 > 0) }' "$TMP/rep.tsv"
then ok; else bad "replay header and lr columns"; fi
printf '1 2\n0 0\n0 0\n' | "$PROG" replay --method adam --eps 0 >/dev/null 2>"$TMP/stderr"
if grep -q "warning: parameter p0 became NaN at step 1" "$TMP/stderr" && [ "$(wc -l <"$TMP/stderr")" -eq 1 ]; then ok; else bad "non-finite parameter not reported"; fi

# --quiet prints nothing; a range's step is named; one rank is singular
"$PROG" simulate --beta2 0.99 --steps 20 --trials 100 --quiet >/dev/null 2>"$TMP/stderr"
if [ ! -s "$TMP/stderr" ]; then ok; else bad "--quiet printed '$(cat "$TMP/stderr")'"; fi
expect_error "--t STEP: 0 is out of range" schedule --beta2 0.9 --t 1:10:0
rm -f "$TMP/one.ckpt"
"$PROG" sweep --grid "$TMP/grid.tsv" --checkpoint "$TMP/one.ckpt" >/dev/null 2>"$TMP/stderr"
if grep -q "(1 rank)" "$TMP/stderr"; then ok; else bad "sweep: $(cat "$TMP/stderr")"; fi

# ---- hostile input: files, signals, encodings, limits ----
# only a regular file or a new name is replaced; a device, a FIFO and
# /dev/stdout are written in place; a link to a regular file keeps the link
if [ "$(id -u)" -eq 0 ] && mknod "$TMP/null" c 1 3 2>/dev/null; then
    "$PROG" theory --rho 3 --output "$TMP/null"
    if [ $? -eq 0 ] && [ -c "$TMP/null" ]; then ok; else bad "--output onto a device replaced it"; fi
fi
mkfifo "$TMP/fifo"
cat "$TMP/fifo" >"$TMP/fifo.out" &
"$PROG" theory --rho 3 --output "$TMP/fifo"
wait
if [ -p "$TMP/fifo" ] && grep -q '^3	' "$TMP/fifo.out"; then ok; else bad "--output onto a FIFO"; fi
echo first >"$TMP/app.tsv"
"$PROG" theory --rho 3 --output /dev/stdout >>"$TMP/app.tsv"
if [ -L /dev/stdout ] && head -1 "$TMP/app.tsv" | grep -q '^first$' && grep -q '^3	' "$TMP/app.tsv"; then ok; else bad "--output /dev/stdout"; fi
echo old >"$TMP/real.tsv"
chmod 640 "$TMP/real.tsv"
ln -s real.tsv "$TMP/link.tsv"
"$PROG" theory --rho 3 --output "$TMP/link.tsv"
if [ -L "$TMP/link.tsv" ] && grep -q '^3	' "$TMP/real.tsv" && [ "$(stat -c %a "$TMP/real.tsv")" = 640 ]; then ok; else bad "--output onto a symbolic link"; fi
# expect_refusal PATTERN ARGS...: exit 2, one stderr line matching PATTERN, nothing on stdout
expect_refusal() {
    pattern=$1
    shift
    "$PROG" "$@" >"$TMP/stdout" 2>"$TMP/stderr"
    code=$?
    if [ "$code" -eq 2 ] && [ "$(wc -l <"$TMP/stderr")" -eq 1 ] && grep -q -- "$pattern" "$TMP/stderr" \
        && [ ! -s "$TMP/stdout" ]; then ok; else bad "radvar $* -> exit $code, stderr '$(cat "$TMP/stderr")'"; fi
}
ln -s nowhere.tsv "$TMP/dangling.tsv"
expect_refusal "is a symbolic link to a missing file" theory --rho 3 --output "$TMP/dangling.tsv"
if [ -L "$TMP/dangling.tsv" ] && [ ! -e "$TMP/nowhere.tsv" ]; then ok; else bad "dangling link changed"; fi
mkdir -p "$TMP/adir"
expect_refusal "--output: '$TMP/adir' is a directory" theory --rho 3 --output "$TMP/adir"
expect_refusal "--output: empty file name" theory --rho 3 --output ''
expect_refusal "--ks-output and --output name the same output, standard output" simulate --beta2 0.9 --steps 10 --trials 10 --ks 5 --ks-output -
expect_refusal "--ks-output: '$TMP/adir' is a directory" simulate --beta2 0.9 --steps 10 --trials 10 --ks 5 --ks-output "$TMP/adir"
expect_refusal "--steps-output: empty file name" train --data "$TMP/adir" --method adam --lr 1e-3 --epochs 1 --batch 8 --seed 1 --log-every 1 --steps-output ""
# long names: the temporary name stays within NAME_MAX
long=$(printf 'x%.0s' $(seq 1 250)).tsv
"$PROG" theory --rho 3 --output "$TMP/$long" 2>"$TMP/stderr"
if [ $? -eq 0 ] && grep -q '^3	' "$TMP/$long"; then ok; else bad "a 254-byte file name: $(cat "$TMP/stderr")"; fi
# messages say why
"$PROG" theory --rho 3 --output "$TMP/grad.tsv/x.tsv" 2>"$TMP/stderr"
if [ $? -ne 0 ] && grep -q "Not a directory" "$TMP/stderr"; then ok; else bad "no strerror: $(cat "$TMP/stderr")"; fi

# every JSON output parses, whatever the command line held
nl='
'
if have_py; then
    for args in "simulate --beta2 0.9 --steps 20 --trials 50 --quiet --average sma --window 010" \
        "simulate --beta2 0.9 --steps 20 --trials 50 --quiet --t 0x4" "simulate --beta2 0.9 --steps 20 --trials 50 --quiet --t 4." \
        "simulate --beta2 0.9 --steps 20 --trials 50 --quiet --every +4" "theory --rho 0x10" "schedule --beta2 0x0.8 --t 3"; do
        if "$PROG" $args --format json | "$PY" -m json.tool >/dev/null 2>&1; then ok; else bad "invalid json: radvar $args"; fi
    done
    rm -f "$TMP/j.ckpt"
    cp "$TMP/grid.tsv" "$TMP/0x10"
    if (cd "$TMP" && "$PROG" sweep --grid 0x10 --checkpoint j.ckpt --format json 2>/dev/null) \
        | "$PY" -m json.tool >/dev/null 2>&1; then ok; else bad "invalid json: sweep --grid 0x10"; fi
    bin=$(printf 'x\377\001y')
    "$PROG" theory --rho 3 --format json --output "$TMP/$bin.json" && "$PY" -m json.tool "$TMP/$bin.json" >/dev/null 2>&1
    if [ $? -eq 0 ]; then ok; else bad "invalid json with a non-UTF-8 byte on the command line"; fi
    "$PROG" theory --rho 3 --format json --output "$TMP/a${nl}b.json" && "$PY" -m json.tool "$TMP/a${nl}b.json" >/dev/null 2>&1
    if [ $? -eq 0 ]; then ok; else bad "invalid json with a newline on the command line"; fi
fi
# ... and a newline or a control byte in the command line keeps the '#' header one line each
f="$TMP/a${nl}b.tsv"
"$PROG" theory --rho 3 --output "$f"
if [ "$(grep -vc '^#' "$f")" -eq 2 ] && grep -q "^# command: .* --output \$'[^']*/a\\\\nb\\.tsv'\$" "$f"; then ok
else bad "a newline in --output broke the header: $(head -2 "$f" | tail -1)"; fi

# signals: no temporary file is left behind, whatever is interrupted
if have_py; then
    sigtest() { # sigtest SIGNAL SECONDS ARGS...: run with the default disposition, signal, check
        sig=$1 delay=$2
        shift 2
        rm -f "$TMP/sig.tsv" "$TMP"/sig.tsv.tmp.*
        "$PY" -c "
import os, signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[3:], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
p.stdin.write(b'1 2\n0.5 0.5\n'); p.stdin.flush()
time.sleep(float(sys.argv[2]))
p.send_signal(getattr(signal, sys.argv[1]))
p.wait(); p.stdin.close()
sys.exit(0 if p.returncode == -getattr(signal, sys.argv[1]) else 1)
" "$sig" "$delay" "$PROG" "$@" --output "$TMP/sig.tsv"
        code=$?
        if [ $code -eq 0 ] && ! ls "$TMP"/sig.tsv.tmp.* >/dev/null 2>&1 && [ ! -e "$TMP/sig.tsv" ]; then ok
        else bad "$sig during radvar $*: exit $code, left $(ls "$TMP" | grep -c 'sig.tsv')"; fi
    }
    for sig in SIGINT SIGTERM; do
        sigtest $sig 0.5 theory --rho 3:1e9:100000000
        sigtest $sig 0.5 schedule --beta2 0.999 --t 1:100000000
        sigtest $sig 0.5 exact --beta2 0.999 --t 3:100000
        sigtest $sig 0.5 dof --beta2 0.999 --t 3:100000
        sigtest $sig 0.5 rectify --beta2 0.999 --t 3:100000
        sigtest $sig 0.5 replay --method adam
    done
    # simulate: SIGINT stops within about a second however long a block of
    # trials takes, and writes what it has; a second SIGINT ends at once
    rm -f "$TMP/long.tsv"
    "$PY" -c "
import signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)
time.sleep(2); t0 = time.time(); p.send_signal(signal.SIGINT); p.wait(); dt = time.time() - t0
sys.exit(0 if p.returncode == 130 and dt < 1.5 else 1)
" "$PROG" simulate --beta2 0.999 --steps 1000000 --trials 100000 --every 100000 --quiet --output "$TMP/long.tsv"
    if [ $? -eq 0 ] && grep -q '^# interrupted: yes' "$TMP/long.tsv"; then ok; else bad "simulate: SIGINT took longer than 1.5 s"; fi
    rm -f "$TMP/long.tsv"
    "$PY" -c "
import signal, subprocess, sys, time
p = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)
time.sleep(2); p.send_signal(signal.SIGINT); time.sleep(0.3); p.send_signal(signal.SIGINT); p.wait()
sys.exit(0 if p.returncode == -signal.SIGINT else 1)
" "$PROG" simulate --beta2 0.9 --steps 3000000 --trials 2 --quiet --output "$TMP/long.tsv"
    if [ $? -eq 0 ] && ! ls "$TMP"/long.tsv* >/dev/null 2>&1; then ok; else bad "simulate: a second SIGINT did not end it at once"; fi
fi

# a full disk is an error: --help, --version, and every table on standard output
if [ -w /dev/full ]; then
    for args in "--help" "--version" "theory --help" "simulate --help" "theory --rho 3" \
        "bench-step --method adam --n 10 --threads 1 --steps 1"; do
        "$PROG" $args >/dev/full 2>"$TMP/stderr"
        if [ $? -eq 1 ] && grep -q "No space left on device" "$TMP/stderr"; then ok; else bad "radvar $args >/dev/full"; fi
    done
    "$PROG" theory --rho 3 --output /dev/full 2>"$TMP/stderr"
    if [ $? -eq 1 ] && grep -q "writing '/dev/full' failed: No space left on device" "$TMP/stderr" && [ -c /dev/full ]; then ok; else bad "--output /dev/full"; fi
fi

# simulate: gradient scales it cannot represent are refused; the edges work
expect_error "--mu: 1e200 is out of range for --sigma 1" simulate --beta2 0.9 --steps 10 --trials 10 --mu 1e200
expect_error "--sigma: 1e-310 is out of range: must be in \[1e-50, 1e50\]" simulate --beta2 0.9 --steps 10 --trials 10 --sigma 1e-310
for sg in 1e-50 1e50; do
    "$PROG" simulate --beta2 0.9 --steps 10 --trials 1000 --sigma $sg --mu "$(awk -v s=$sg 'BEGIN { print 1e8 * s }')" --t 10 --quiet >"$TMP/edge.tsv"
    if awk -F'\t' '$1 == "10" { for (k = 4; k <= 14; k++) if ($k == "nan" || $k == "inf" || $k == 0 || $k == "-inf") exit 1; n = 1 } END { exit !n }' "$TMP/edge.tsv"; then ok; else bad "simulate at sigma = $sg: $(grep '^10	' "$TMP/edge.tsv")"; fi
done

# memory is estimated before it is allocated: sizes beyond any machine
# (40 TB of per-step moments for 1024 threads, 3e17 bytes of KS samples)
expect_error "reported steps need about .* GB of memory.*--every K or --t LIST" simulate --beta2 0.9 --steps 1e9 --trials 2 --threads 1024
expect_error "--ks: keeping 36028797018963968 psi^2 samples .* GB.*fewer --trials" simulate --beta2 0.9 --steps 10 \
    --trials 9007199254740992 --ks 1,2,3,4 --ks-output "$TMP/k.tsv"

# simulate --exact no: var_exact is nan, the header says so, the rest is the
# same bytes as with --exact yes
"$PROG" simulate --beta2 0.99 --steps 50 --trials 400 --t 5,50 --quiet > "$TMP/ey.tsv"
"$PROG" simulate --beta2 0.99 --steps 50 --trials 400 --t 5,50 --quiet --exact no > "$TMP/en.tsv"
if grep -q '^# var_exact: not computed (--exact no)$' "$TMP/en.tsv" \
    && awk -F'\t' '!/^#/ && $1 != "t" && $11 != "nan" { bad = 1 } END { exit bad }' "$TMP/en.tsv" \
    && [ "$(grep -v '^#' "$TMP/ey.tsv" | cut -f1-10,12-)" = "$(grep -v '^#' "$TMP/en.tsv" | cut -f1-10,12-)" ] \
    && awk -F'\t' '!/^#/ && $1 == 50 { exit !($11 > 0) }' "$TMP/ey.tsv"; then ok; else bad "simulate --exact no"; fi
expect_error "--exact: 'maybe' is not valid (valid: no, yes)" simulate --beta2 0.9 --steps 10 --trials 10 --exact maybe

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
