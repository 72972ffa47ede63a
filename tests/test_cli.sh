#!/bin/sh
# test_cli.sh PROG: command-line tests of the radvar program: bad input gets a
# one-line error naming the value and the range, exit status 2 and no output
# file; good input gives well-formed, round-tripping tables.
set -u
PROG=${1:-build/bin/radvar}
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
    "$PROG" "$@" --output "$TMP/out.tsv" >"$TMP/stdout" 2>"$TMP/stderr"
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
expect_error "--ks: step 20 is beyond" $SIM --ks 20
expect_error "cannot be given together" $SIM --every 2 --t 3
expect_error "are required" simulate --beta2 0.9

# simulate: byte-identical output for 1, 2 and 3 threads (but for the lines
# that name the thread count)
for p in 1 2 3; do
    "$PROG" simulate --beta2 0.99 --steps 200 --trials 1000 --ks 3,200 --threads $p --quiet \
        2>/dev/null | grep -v '^# command:\|^# threads:' >"$TMP/sim$p.tsv"
done
if cmp -s "$TMP/sim1.tsv" "$TMP/sim2.tsv" && cmp -s "$TMP/sim1.tsv" "$TMP/sim3.tsv" \
    && [ "$(grep -vc '^#' "$TMP/sim1.tsv")" -gt 200 ]; then ok; else bad "simulate output depends on threads"; fi
# the standard error is not finite where the fourth moment of psi does not exist
if awk -F'\t' '$1 == "4" { exit !($6 == "inf") }' "$TMP/sim1.tsv" \
    && awk -F'\t' '$1 == "5" { exit !($6 != "inf") }' "$TMP/sim1.tsv"; then ok; else bad "se_var_psi inf rule"; fi
if grep -q '^# section: ks' "$TMP/sim1.tsv"; then ok; else bad "ks section"; fi

# simulate: SIGINT stops at a chunk boundary, writes what was done, exit 130
"$PROG" simulate --beta2 0.999 --steps 6000 --trials 100000000 --threads 2 --quiet \
    --every 1000 --output "$TMP/int.tsv" 2>/dev/null &
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
done
# exact: nan where a moment does not exist, and distinct log-spaced steps
"$PROG" exact --beta2 0.99 --t 1,2,3 >"$TMP/e.tsv"
if awk -F'\t' '$1 == "1" { exit !($3 == "nan" && $5 == "nan") }' "$TMP/e.tsv" \
    && awk -F'\t' '$1 == "2" { exit !($3 != "nan" && $5 == "nan") }' "$TMP/e.tsv" \
    && awk -F'\t' '$1 == "3" { exit !($5 != "nan") }' "$TMP/e.tsv"; then ok; else bad "exact nan rule"; fi
n=$("$PROG" exact --beta2 0.99 --t 3:6000 --log --points 300 | grep -v '^#' | awk 'NR > 1' | cut -f1 | sort -un | wc -l)
if [ "$n" -eq 300 ]; then ok; else bad "log-spaced steps: $n distinct, expected 300"; fi
if "$PROG" rectify --beta2 0.999 --t 100 | awk -F'\t' '$1 == "100" { d = $9 - 1; exit !(d < 1e-12 && d > -1e-12) }'; then ok; else bad "ratio_exact should be 1"; fi

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
if grep -q '^t,rho_t,sma_length,r_t,r_t_sma_exact,r_t_moment,warmup_exp_untuned,warmup_linear_untuned$' "$TMP/s.csv"; then ok; else bad "csv header"; fi
"$PROG" schedule --beta2 0.99 --t 1,10 --format json >"$TMP/s.json"
"$PROG" schedule --beta2 0.99 --summary --format json >"$TMP/sum.json"
if command -v python3 >/dev/null 2>&1; then
    if python3 -c "import json,sys; d=json.load(open(sys.argv[1])); e=json.load(open(sys.argv[2])); assert d['rows'][0][3] is None and e['rows'][0][0]==5" "$TMP/s.json" "$TMP/sum.json"; then ok; else bad "json"; fi
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

echo "cli: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
