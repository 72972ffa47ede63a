#!/bin/sh
# montecarlo.sh OUT: the Monte Carlo figures and checks.
#   sma_theorem.{png,svg}     SMA Var[psi] at integer rho, error bars, over Theorem 1
#   figure1.{png,svg}         the paper's figure 1, six values of mu
#   psi2_histogram.{png,svg}  psi_t^2 histograms vs the scaled-inv-chi2 pdf, KS p
#   data/figure1_mu*.tsv      the simulations (sims/exact.sh draws dof.png and
#                             exact_variance.png from figure1_mu0.tsv)
#   data/checks_montecarlo.tsv  deviations from theory in standard errors
set -eu
OUT=$1
RADVAR=${RADVAR:-${BUILD:-build}/bin/radvar}
BUILD=${BUILD:-build}
THREADS=${THREADS:-2}
if [ "${SCALE:-default}" = full ]; then
    SMA_TRIALS=400000; FIG1_TRIALS=200000; HIST_TRIALS=1000000
else
    SMA_TRIALS=40000; FIG1_TRIALS=20000; HIST_TRIALS=200000
fi
D="$OUT/data"
mkdir -p "$D"

atomic() { # atomic FILE COMMAND...: COMMAND's stdout into FILE, atomically
    f=$1; shift
    "$@" >"$f.tmp" && mv "$f.tmp" "$f"
}

atomic "$D/sma_theorem.tsv" "$BUILD/sims/sma_theorem" "$SMA_TRIALS" "$THREADS"
# Figure 1 on a log t axis: every step from t = 3 (the first with a finite
# Var[psi_t]) to 30, then 100 log-spaced steps to 6000, and 10, 100, 1000,
# 6000 for the checks (130 steps).  Each reported row's var_exact is a
# quadrature (a few ms at beta2 = 0.999): every step to 100 then every 10th
# (690 rows) cost 4.4 s of CPU per run against 0.8 s for these 130.
FIG1_T=$(awk 'BEGIN { for (t = 3; t <= 30; t++) print t
                      for (k = 0; k <= 100; k++) printf "%d\n", int(30 * 200 ^ (k / 100) + 0.5)
                      print 10; print 100; print 1000; print 6000 }' | sort -n -u | paste -sd, -)
for mu in 0 0.001 0.01 0.1 1 10; do
    "$RADVAR" simulate --beta2 0.999 --steps 6000 --trials "$FIG1_TRIALS" --mu "$mu" --sigma 1 \
        --seed 2020 --threads "$THREADS" --t "$FIG1_T" --quiet --output "$D/figure1_mu$mu.tsv"
done
# psi_t^2 histograms and the KS test of the SMA model at four steps
atomic "$D/psi2_histogram.tsv" "$BUILD/sims/psi2_histogram" 0.999 "$HIST_TRIALS" 7 10,100,1000,6000

for ext in png svg; do
    gnuplot -c plots/sma_theorem.gp "$D/sma_theorem.tsv" "$OUT/sma_theorem.$ext"
    gnuplot -c plots/figure1.gp "$D" "$OUT/figure1.$ext"
    gnuplot -c plots/psi2_histogram.gp "$D/psi2_histogram.tsv" "$OUT/psi2_histogram.$ext"
done
# dof.png needs the exact dof of sims/exact.sh, which draws it

# checks: deviations in standard errors (|z| < 4 is a pass for exact models);
# rows marked "finding" report a measured property, not a pass or a failure
f0="$D/figure1_mu0.tsv"
HEAD='/^#/ { next } $1 == "t" { for (k = 1; k <= NF; k++) c[$k] = k; next }'
{
    printf "check\tmeasured\ttarget\tok\n"
    awk -F'\t' '!/^#/ && $1 != "rho" && $4 != "nan" { z = $4 < 0 ? -$4 : $4; if (z > m) { m = z; r = $1 } }
        END { printf "SMA, mu = 0: largest |mean - E[psi]| over 40 rho in [3, 2000], in standard errors (at rho = %s)\t%.3g\t< 4\t%s\n", r, m, m < 4 ? "yes" : "NO" }' "$D/sma_theorem.tsv"
    awk -F'\t' '!/^#/ && $1 != "rho" && $9 != "nan" { z = $9 < 0 ? -$9 : $9; if (z > m) { m = z; r = $1 } }
        END { printf "SMA, mu = 0: largest |Var - Theorem 1| over rho in [5, 2000], in standard errors (at rho = %s)\t%.3g\t< 4\t%s\n", r, m, m < 4 ? "yes" : "NO" }' "$D/sma_theorem.tsv"
    awk -F'\t' '!/^#/ && $1 != "rho" { if (lo == "" || $11 < lo) { lo = $11; r = $1 } }
        END { printf "SMA: smallest KS p-value of psi^2 vs Scale-inv-chi2(rho, 1) over 40 rho (at rho = %s)\t%.3g\t> 1e-4\t%s\n", r, lo, (lo > 1e-4 ? "yes" : "NO") }' "$D/sma_theorem.tsv"
    awk -F'\t' "$HEAD"' $1 == 6000 { v = $(c["var_psi"]); printf "figure 1, mu = 0: Var[psi_t] at t = 6000 (paper: near 2.5e-4)\t%.4g +- %.2g\t~2.5e-4\t%s\n", v, $(c["se_var_psi"]), (v > 2.3e-4 && v < 2.7e-4) ? "yes" : "NO" }' "$f0"
    awk -F'\t' "$HEAD"' $1 == 6000 { printf "figure 1, mu = 0: simulated EMA Var[psi_t] minus the SMA model at rho_t, t = 6000, in standard errors (the SMA approximation)\t%.3g\t(informative)\tfinding\n", ($(c["var_psi"]) - $(c["var_model"])) / $(c["se_var_psi"]) }' "$f0"
    awk -F'\t' "$HEAD"' $1 == 10 { v = $(c["var_psi"]); printf "figure 1, mu = 0: Var[psi_t] at t = 10 (paper: about 1e-1 early)\t%.3g\t~1e-1\t%s\n", v, (v > 0.03 && v < 0.3) ? "yes" : "NO" }' "$f0"
    awk -F'\t' "$HEAD"' $1 >= 100 && $1 <= 6000 { v = $(c["var_rect_psi"]); if (lo == "" || v < lo) lo = v; if (v > hi) hi = v }
        END { printf "figure 1, mu = 0: max/min of Var[r_t psi_t] over t in [100, 6000] (flat if near 1)\t%.3g\t(informative)\tfinding\n", hi / lo }' "$f0"
    awk -F'\t' '/^#/ || NF < 7 || seen[$1]++ { next }
        { printf "EMA, mu = 0, t = %s: KS distance and p-value of psi_t^2 (all %s samples) vs Scale-inv-chi2(rho_t, 1) (the SMA approximation)\t%.3g (p = %.3g)\t(informative)\tfinding\n", $1, n, $6, $7 }' \
        n="$HIST_TRIALS" "$D/psi2_histogram.tsv"
} >"$D/checks_montecarlo.tsv.tmp"
mv "$D/checks_montecarlo.tsv.tmp" "$D/checks_montecarlo.tsv"
