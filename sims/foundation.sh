#!/bin/sh
# foundation.sh OUT: figures and checks of the theory and schedule modules.
#   OUT/variance_vs_rho.{png,svg}  exact Var[psi] and the approximation vs rho
#   OUT/rectification.{png,svg}    r_t and warmups vs t, beta2 = 0.99, 0.999
#                                  (linear warmup over T_w = 1/(1-beta2) steps)
#   OUT/data/checks_foundation.tsv measured accuracy for the report
set -eu
OUT=$1
RADVAR=${RADVAR:-${BUILD:-build}/bin/radvar}
BUILD=${BUILD:-build}
mkdir -p "$OUT/data"

# rho = 2 + 10^s, s from -3 to 5 (dense near 2), then to 1e5
rho_list=$(awk 'BEGIN { n = 400; for (k = 0; k < n; k++) { s = -3 + 8 * k / (n - 1);
    r = 2 + 10 ^ s; if (r > 1e5) r = 1e5; printf "%s%.17g", (k ? "," : ""), r } }')
"$RADVAR" theory --rho "$rho_list" --output "$OUT/data/variance_vs_rho.tsv"
# the schedules on a log t axis: every step to 200, then 300 log-spaced steps
# to 50/(1-beta2), and the corners of the linear warmups, 1/(1-beta2) and
# 2/(1-beta2), exactly (every step to 20000 made a 1 MB SVG)
sched_t() { awk -v tw="$1" 'BEGIN { for (t = 1; t <= 200; t++) print t; e = 50 * tw
    for (k = 0; k <= 300; k++) printf "%d\n", int(200 * (e / 200) ^ (k / 300) + 0.5); print tw; print 2 * tw }' |
    sort -n -u | paste -sd, -; }
"$RADVAR" schedule --beta2 0.99 --t "$(sched_t 100)" --warmup 100 --output "$OUT/data/schedule_0.99.tsv"
"$RADVAR" schedule --beta2 0.999 --t "$(sched_t 1000)" --warmup 1000 --output "$OUT/data/schedule_0.999.tsv"
"$RADVAR" schedule --beta2 0.999 --summary --warmup 1000 --output "$OUT/data/schedule_summary_0.999.tsv"

for ext in png svg; do
    gnuplot -c plots/variance_vs_rho.gp "$OUT/data/variance_vs_rho.tsv" "$OUT/variance_vs_rho.$ext"
    gnuplot -c plots/rectification.gp "$OUT/data/schedule_0.99.tsv" \
        "$OUT/data/schedule_0.999.tsv" "$OUT/rectification.$ext"
done

"$BUILD/sims/check_foundation" >"$OUT/data/checks_foundation.tsv.tmp"
mv "$OUT/data/checks_foundation.tsv.tmp" "$OUT/data/checks_foundation.tsv"
