#!/bin/sh
# exact.sh OUT: exact EMA moments, dof estimators and rectification.
#   exact_variance.{png,svg}  exact Var[psi_t] vs Monte Carlo and the SMA model,
#                             with the Monte Carlo residual in standard errors
#   dof.{png,svg}             rho_t vs the effective dof of the EMA (Monte Carlo
#                             with its 95% band, exact, rho_moment)
#   dof_error.{png,svg}       signed relative error of each dof estimate's variance
#   rectify_ratio.{png,svg}   Var[r psi_t]/Var[psi_inf] for each rectification
#   data/checks_exact.tsv     the findings in numbers
set -eu
OUT=$1
RADVAR=${RADVAR:-${BUILD:-build}/bin/radvar}
D="$OUT/data"
mkdir -p "$D"

# the figure-1 curve: 300 log-spaced t from 3 to 6000, timed (target < 2 s).
# The time is the command's CPU time (user + system, from the shell's
# `times` before and after), which other jobs on a busy machine inflate far
# less than the wall time; the command runs on one thread.
times >"$D/times.tmp"
"$RADVAR" exact --beta2 0.999 --t 3:6000 --log --points 300 --output "$D/exact_0.999.tsv"
times >>"$D/times.tmp"
curve_seconds=$(sh sims/cputime.sh "$D/times.tmp")
rm -f "$D/times.tmp"
for b in 0.99 0.999; do
    "$RADVAR" dof --beta2 "$b" --t 3:6000 --log --points 300 --output "$D/dof_$b.tsv"
    "$RADVAR" rectify --beta2 "$b" --t 5:30000 --log --points 300 --output "$D/rectify_$b.tsv"
done

# the Monte Carlo of sims/montecarlo.sh, when it ran first
mc="$D/figure1_mu0.tsv"
[ -f "$mc" ] || mc=""
for ext in png svg; do
    gnuplot -c plots/exact_variance.gp "$D/dof_0.999.tsv" "$mc" "$OUT/exact_variance.$ext"
    [ -z "$mc" ] || gnuplot -c plots/dof.gp "$mc" "$D/dof_0.999.tsv" "$OUT/dof.$ext"
    gnuplot -c plots/dof_error.gp "$D/dof_0.99.tsv" "$D/dof_0.999.tsv" "$OUT/dof_error.$ext"
    gnuplot -c plots/rectify_ratio.gp "$D/rectify_0.99.tsv" "$D/rectify_0.999.tsv" "$OUT/rectify_ratio.$ext"
done

{
    printf "check\tmeasured\ttarget\tok\n"
    printf "CPU time for the exact figure-1 curve (300 log-spaced t in [3, 6000], beta2 = 0.999, one thread)\t%s s\t< 2 s\t%s\n" \
        "$curve_seconds" "$(awk -v s="$curve_seconds" 'BEGIN { print (s < 2 ? "yes" : "NO") }')"
    if [ -n "$mc" ]; then
        # Monte Carlo against exact: each simulation's own var_exact column, t >= 5
        # (the fourth moment, hence the standard error, is infinite before)
        for f in "$D"/figure1_mu*.tsv; do
            awk -F'\t' '/^#/ { next } $1 == "t" { for (k = 1; k <= NF; k++) c[$k] = k; next }
                $1 >= 5 && $(c["se_var_psi"]) > 0 { z = ($(c["var_psi"]) - $(c["var_exact"])) / $(c["se_var_psi"]); n++; if (z < 0) z = -z; if (z > m) { m = z; at = $1 } }
                END { printf "%d\t%s\t%s\t%s\n", n, m, at, FILENAME }' "$f"
        done | awk -F'\t' '{ n += $1; runs++; if ($2 > m) { m = $2; at = $3; f = $4 } }
            END { sub(/.*figure1_mu/, "", f); sub(/\.tsv$/, "", f)
                  printf "Monte Carlo Var[psi_t] vs exact, %d runs (mu = 0 ... 10), %d steps t in [5, 6000]: largest deviation in standard errors (at mu = %s, t = %s)\t%.3g\t< 4.5\t%s\n", runs, n, f, at, m, (m < 4.5 ? "yes" : "NO") }'
    fi
    for b in 0.99 0.999; do
        awk -F'\t' -v b="$b" '/^#/ { next } $1 == "t" { for (k = 1; k <= NF; k++) c[$k] = k; next } { x = $(c["rel_err_rho_t"]); e = x < 0 ? -x : x; if (e > m) { m = e; at = $1; s = x } }
            END { printf "beta2 = %s: largest relative error of Var predicted at rho_t (paper), t in [3, 6000]\t%.3g (at t = %s)\t(informative)\tfinding\n", b, s, at }' "$D/dof_$b.tsv"
        awk -F'\t' -v b="$b" '/^#/ { next } $1 == "t" { for (k = 1; k <= NF; k++) c[$k] = k; next } { x = $(c["rel_err_rho_moment"]); e = x < 0 ? -x : x; if (e > m) { m = e; at = $1; s = x } }
            END { printf "beta2 = %s: largest relative error of Var predicted at rho_moment = 1/sum w^2\t%.3g (at t = %s)\t(informative)\tfinding\n", b, s, at }' "$D/dof_$b.tsv"
        awk -F'\t' -v b="$b" '/^#/ { next } $1 == "t" { for (k = 1; k <= NF; k++) c[$k] = k; next } { x = $(c["ratio_paper"]) } x != "nan" { if (lo == "" || x < lo) { lo = x; at = $1 } if ($1 >= 100 && (lo100 == "" || x < lo100)) { lo100 = x; at100 = $1 } }
            END { printf "beta2 = %s: smallest Var[r_t psi_t]/Var[psi_inf] with the paper r_t\t%.3g at t = %s; %.3g at t = %s over t >= 100\t(1 = flat)\tfinding\n", b, lo, at, lo100, at100 }' "$D/rectify_$b.tsv"
        awk -F'\t' -v b="$b" '/^#/ { next } $1 == "t" { for (k = 1; k <= NF; k++) c[$k] = k; next } { x = $(c["ratio_moment"]) } x != "nan" { e = x - 1; if (e < 0) e = -e; if (e > m) { m = e; at = $1; v = x } }
            END { printf "beta2 = %s: largest |Var[r psi_t]/Var[psi_inf] - 1| with r_moment (the SMA-exact ratio at rho_moment), t >= 5\t%.3g (ratio %.4g at t = %s)\t(0 = flat)\tfinding\n", b, m, v, at }' "$D/rectify_$b.tsv"
    done
} >"$D/checks_exact.tsv.tmp"
mv "$D/checks_exact.tsv.tmp" "$D/checks_exact.tsv"
