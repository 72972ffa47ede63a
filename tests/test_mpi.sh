#!/bin/sh
# test_mpi.sh RADVAR_MPI RADVAR: the MPI build.  Byte-identical output for 1,
# 2 and 3 ranks (oversubscribed on this machine) and the one-process program,
# on both generators and under student and ar1 noise;
# sweep resume after an interruption loses and repeats nothing; a rank that
# dies ends the job non-zero and the checkpoint keeps the finished points.
set -u
MPIPROG=${1:-build/bin/radvar-mpi}
PROG=${2:-build/bin/radvar}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# Open MPI refuses root unless told; CI runs as root
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
MPIRUN="mpirun --oversubscribe"
strip() { grep -v '^# command:\|^# threads:\|^# ranks:'; }

# simulate: the same bytes for every rank count, EMA and SMA, with KS samples,
# on both generators and under non-Gaussian noise (i.i.d. and correlated)
while read -r avg extra; do
    # shellcheck disable=SC2086
    "$PROG" simulate --beta2 0.99 --steps 400 --trials 9000 --average $avg --ks 5,400 --every 7 \
        $extra --ks-output "$TMP/plain_ks.tsv" --threads 2 --quiet </dev/null 2>/dev/null | strip >"$TMP/plain.tsv"
    for p in 1 2 3; do
        # shellcheck disable=SC2086
        timeout 300 $MPIRUN -n $p "$MPIPROG" simulate --beta2 0.99 --steps 400 --trials 9000 </dev/null \
            --average $avg --ks 5,400 --ks-output "$TMP/mpi_ks$p.tsv" --every 7 $extra --threads 1 --quiet \
            2>"$TMP/err" | strip >"$TMP/mpi$p.tsv"
        if cmp -s "$TMP/plain.tsv" "$TMP/mpi$p.tsv" && [ -s "$TMP/plain.tsv" ] \
            && [ "$(strip <"$TMP/plain_ks.tsv")" = "$(strip <"$TMP/mpi_ks$p.tsv")" ]; then
            ok
        else
            bad "simulate --average $avg $extra with $p ranks differs from one process: $(head -3 "$TMP/err")"
        fi
    done
done <<'CASES'
ema
sma
ema --generator 1
sma --generator 1
ema --noise student:nu=5
ema --noise ar1:phi=0.5
sma --noise student:nu=5 --generator 1
ema --noise ar1:phi=0.5 --generator 1
CASES
# the cases differ: the generator and the noise change the draws
"$PROG" simulate --beta2 0.99 --steps 50 --trials 200 --every 50 --quiet 2>/dev/null | strip >"$TMP/a.tsv"
"$PROG" simulate --beta2 0.99 --steps 50 --trials 200 --every 50 --generator 1 --quiet 2>/dev/null | strip >"$TMP/b.tsv"
"$PROG" simulate --beta2 0.99 --steps 50 --trials 200 --every 50 --noise student:nu=5 --quiet 2>/dev/null | strip >"$TMP/c.tsv"
if [ -s "$TMP/a.tsv" ] && ! cmp -s "$TMP/a.tsv" "$TMP/b.tsv" && ! cmp -s "$TMP/a.tsv" "$TMP/c.tsv"; then
    ok
else
    bad "--generator 1 and --noise do not change the output"
fi

# sweep: uninterrupted, then interrupted (--max-points) and resumed
cat >"$TMP/grid.tsv" <<'GRID'
# a small grid
beta2	mu	sigma	steps	trials	seed
0.999	0	1	600	6000	1
0.99	0.1	1	400	5000	2
0.9	1	2	300	4000	3
0.999	0.01	0.5	500	5000	4
GRID
$MPIRUN -n 2 "$MPIPROG" sweep --grid "$TMP/grid.tsv" --checkpoint "$TMP/full.ckpt" --t 50,300 \
    --output "$TMP/full.tsv" 2>"$TMP/full.err"
[ $? -eq 0 ] && [ "$(grep -c computed "$TMP/full.err")" -eq 4 ] && ok || bad "uninterrupted sweep"
"$PROG" sweep --grid "$TMP/grid.tsv" --checkpoint "$TMP/plain.ckpt" --t 50,300 --threads 2 \
    --output "$TMP/plain_sweep.tsv" 2>/dev/null
if strip <"$TMP/full.tsv" | cmp -s - "$TMP/plain_sweep.tsv.s" 2>/dev/null || \
   [ "$(strip <"$TMP/full.tsv")" = "$(strip <"$TMP/plain_sweep.tsv")" ]; then ok; else bad "sweep: 2 ranks vs one process"; fi

: >"$TMP/log"
$MPIRUN -n 2 "$MPIPROG" sweep --grid "$TMP/grid.tsv" --checkpoint "$TMP/part.ckpt" --t 50,300 \
    --max-points 1 --output "$TMP/part.tsv" 2>>"$TMP/log"
code=$?
[ "$code" -ne 0 ] && [ ! -e "$TMP/part.tsv" ] && [ "$(grep -c '^#done' "$TMP/part.ckpt")" -eq 1 ] \
    && ok || bad "interrupted sweep: exit $code, $(grep -c '^#done' "$TMP/part.ckpt") points"
# a cut-off row at the end, as a crash in the middle of a write leaves it
printf '1\t0.98999999999999999\t0.1' >>"$TMP/part.ckpt"
$MPIRUN -n 3 "$MPIPROG" sweep --grid "$TMP/grid.tsv" --checkpoint "$TMP/part.ckpt" --t 50,300 \
    --output "$TMP/part.tsv" 2>>"$TMP/log"
computed=$(grep -c 'computed' "$TMP/log")
restored=$(grep -c 'from the checkpoint' "$TMP/log")
if [ "$computed" -eq 4 ] && [ "$restored" -eq 1 ] \
    && [ "$(strip <"$TMP/part.tsv")" = "$(strip <"$TMP/full.tsv")" ]; then
    ok
else
    bad "resumed sweep: computed $computed, restored $restored, same table: $(strip <"$TMP/part.tsv" | cmp -s - "$TMP/full.tsv" && echo yes || echo no)"
fi

# a rank that dies: the job exits non-zero, the checkpoint keeps what finished
cat >"$TMP/slow.tsv" <<'GRID'
beta2 mu sigma steps trials seed
0.999 0 1 300 20000 1
0.999 0 1 6000 400000 2
0.999 0 1 6000 400000 3
GRID
$MPIRUN -n 2 "$MPIPROG" sweep --grid "$TMP/slow.tsv" --checkpoint "$TMP/die.ckpt" \
    --output "$TMP/die.tsv" >/dev/null 2>"$TMP/die.err" &
job=$!
for _ in $(seq 1 600); do
    grep -q '^#done 0' "$TMP/die.ckpt" 2>/dev/null && break
    sleep 0.1
done
victim=$(pgrep -f "radvar-mpi sweep --grid $TMP/slow.tsv" | tail -1)
[ -n "$victim" ] && kill -9 "$victim"
wait $job
code=$?
if [ "$code" -ne 0 ] && [ -s "$TMP/die.err" ] && grep -q '^#done 0' "$TMP/die.ckpt" \
    && [ ! -e "$TMP/die.tsv" ]; then
    ok
else
    bad "rank death: exit $code, stderr '$(head -2 "$TMP/die.err")'"
fi

echo "mpi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
