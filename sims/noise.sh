#!/bin/sh
# noise.sh OUT: psi_t and its rectification beyond Gaussian gradients.
#   noise_variance.{png,svg}  exact Var[psi_t] under each noise model at
#                             beta2 = 0.999, beside the Gaussian, and the ratio
#   noise_rectify.{png,svg}   Var[r psi_t] / target for each rectification, a
#                             panel per model, with the optimizer's online
#                             kurtosis rectification simulated
#   data/checks_noise.tsv     per model: the time of the exact 300-point
#                             curve, the largest errors of the variance
#                             predicted at rho_t and at rho_mm and the smallest
#                             Var[r_t psi_t]/Var[psi_inf] (t >= 100); the
#                             kurtosis rectification's flatness; Monte Carlo
#                             against exact; the simulation's speed
#   data/noise_table.tsv      the per-model table (README, REPORT)
# Times are CPU seconds of one process (the machine may be shared).
set -eu
OUT=$1
RADVAR=${RADVAR:-${BUILD:-build}/bin/radvar}
BUILD=${BUILD:-build}
THREADS=${THREADS:-2}
if [ "${SCALE:-default}" = full ]; then
    KURT_TRIALS=65536; MC_TRIALS=40000
else
    KURT_TRIALS=8192; MC_TRIALS=8192
fi
D="$OUT/data"
mkdir -p "$D"
SPECS="normal student:nu=5 student:nu=3 laplace mixture:p=0.1,k=3 ar1:phi=0.9 decay:a=0.5,tau=1000"
B2=0.999

cpu_time() { # cpu_time COMMAND...: run it, print its user + system CPU seconds
    /usr/bin/time -f '%U %S' -o "$D/.time" "$@" >/dev/null
    awk '{ printf "%.3g", $1 + $2 }' "$D/.time"
}

k=0
: >"$D/noise_times.tsv"
rm -f "$D/noise_optim_check.tsv.tmp" "$D/noise_speed.tsv.tmp"
for spec in $SPECS; do
    k=$((k + 1))
    # the exact 300-point curve, timed (the figure's data)
    s=$(cpu_time "$RADVAR" exact --noise "$spec" --beta2 $B2 --t 3:6000 --log --points 300 \
        --output "$D/noise_exact_$k.tsv")
    printf "%s\t%s\n" "$spec" "$s" >>"$D/noise_times.tsv"
    "$RADVAR" dof --noise "$spec" --beta2 $B2 --t 100:6000 --log --points 100 --output "$D/noise_dof_$k.tsv"
    "$RADVAR" rectify --noise "$spec" --beta2 $B2 --t 5:6000 --log --points 100 \
        --output "$D/noise_rectify_$k.tsv"
    # the optimizer's kurtosis rectification, simulated; its replica checked
    OMP_NUM_THREADS=$THREADS "$BUILD/sims/noise_sim" kurtosis "$spec" $B2 6000 "$KURT_TRIALS" 2024 0 1 40 \
        >"$D/noise_kurtosis_$k.tsv.tmp"
    mv "$D/noise_kurtosis_$k.tsv.tmp" "$D/noise_kurtosis_$k.tsv"
    "$BUILD/sims/noise_sim" optim-check "$spec" >>"$D/noise_optim_check.tsv.tmp"
    # Monte Carlo against exact, 20 steps in [5, 3000]
    "$RADVAR" simulate --noise "$spec" --beta2 $B2 --steps 3000 --trials "$MC_TRIALS" --seed 77 \
        --threads "$THREADS" --quiet --t 5,7,10,14,20,30,45,70,100,150,220,330,500,700,1000,1400,1800,2200,2600,3000 \
        --output "$D/noise_mc_$k.tsv" 2>/dev/null
    # speed: 1 thread, the figure-1 workload, shortened
    "$BUILD/sims/noise_sim" bench "$spec" 4096 3000 >>"$D/noise_speed.tsv.tmp"
done
"$BUILD/sims/noise_sim" bench normal-general 4096 3000 >>"$D/noise_speed.tsv.tmp"
mv "$D/noise_optim_check.tsv.tmp" "$D/noise_optim_check.tsv"
mv "$D/noise_speed.tsv.tmp" "$D/noise_speed.tsv"

col() { # col FILE NAME: the number of the column NAME in FILE's header
    awk -F'\t' -v name="$2" '/^#/ { next } { for (i = 1; i <= NF; i++) if ($i == name) { print i; exit } exit }' "$1"
}

# Var[psi_t] under each model over the Gaussian's (the same t in every file)
awk -F'\t' -v c="$(col "$D/noise_exact_1.tsv" var_psi)" 'FNR == 1 { f++; n = 0 } /^#/ || $1 == "t" { next }
    { n++; t[n] = $1; v[n, f] = $c; if (n > rows) rows = n }
    END { printf "t"; for (k = 1; k <= f; k++) printf "\tr%d", k; print "";
          for (i = 1; i <= rows; i++) { printf "%s", t[i]; for (k = 1; k <= f; k++) printf "\t%.6g", v[i, k] / v[i, 1]; print "" } }' \
    $(i=1; for s in $SPECS; do printf '%s ' "$D/noise_exact_$i.tsv"; i=$((i + 1)); done) >"$D/noise_variance_ratio.tsv"

for ext in png svg; do
    gnuplot -c plots/noise_variance.gp "$D" "$SPECS" "$OUT/noise_variance.$ext"
    gnuplot -c plots/noise_rectify.gp "$D" "$SPECS" "$OUT/noise_rectify.$ext"
done

# the table and the checks
{
    printf "model\tmax_rel_err_rho_t\tat_t\tmax_rel_err_rho_mm\tat_t_mm\tmin_ratio_paper\tat_t_paper\tcurve_cpu_s\n"
    k=0
    for spec in $SPECS; do
        k=$((k + 1))
        f="$D/noise_dof_$k.tsv"; r="$D/noise_rectify_$k.tsv"
        e1=$(awk -F'\t' -v c="$(col "$f" rel_err_rho_t)" '/^#/ || $1 == "t" { next } $1 >= 100 { e = $c < 0 ? -$c : $c; if (e > m || at == "") { m = e; at = $1; s = $c } } END { printf "%.3g\t%s", s, at }' "$f")
        e2=$(awk -F'\t' -v c="$(col "$f" rel_err_rho_mm)" '/^#/ || $1 == "t" { next } $1 >= 100 { if ($c == "nan" || $c == "inf") { bad = 1; next } e = $c < 0 ? -$c : $c; if (e > m || at == "") { m = e; at = $1; s = $c } }
            END { if (bad || at == "") printf "undefined\t-"; else printf "%.3g\t%s", s, at }' "$f")
        e3=$(awk -F'\t' -v c="$(col "$r" ratio_paper)" '/^#/ || $1 == "t" { next } $1 >= 100 && $c != "nan" { if (lo == "" || $c < lo) { lo = $c; at = $1 } } END { printf "%.3g\t%s", lo, at }' "$r")
        tm=$(awk -F'\t' -v s="$spec" '$1 == s { print $2 }' "$D/noise_times.tsv")
        printf "%s\t%s\t%s\t%s\t%s\n" "$spec" "$e1" "$e2" "$e3" "$tm"
    done
} >"$D/noise_table.tsv"

{
    printf "check\tmeasured\ttarget\tok\n"
    awk -F'\t' 'NR > 1 {
        printf "%s: CPU time of the exact 300-point curve (t in [3, 6000], beta2 = 0.999)\t%s s\t< 5 s\t%s\n", $1, $8, ($8 < 5 ? "yes" : "NO")
        printf "%s: largest relative error of Var[psi_t] from Theorem 1 at rho_t (paper), t in [100, 6000]\t%s (at t = %s)\t(finding)\tyes\n", $1, $2, $3
        if ($4 == "undefined")
            printf "%s: largest relative error of Var[psi_t] from Theorem 1 at rho_mm, t in [100, 6000]\tundefined: rho_mm = 0 (infinite kurtosis)\t(finding)\tyes\n", $1
        else
            printf "%s: largest relative error of Var[psi_t] from Theorem 1 at rho_mm, t in [100, 6000]\t%s (at t = %s)\t(finding)\tyes\n", $1, $4, $5
        printf "%s: smallest Var[r_t psi_t]/Var[psi_inf] with the paper r_t, t in [100, 6000]\t%s (at t = %s)\t(finding; 1 = flat)\tyes\n", $1, $6, $7
    }' "$D/noise_table.tsv"
    # flatness over t >= 100: the paper's r_t, r_mm (exact) and --rect kurtosis (simulated)
    k=0
    for spec in $SPECS; do
        k=$((k + 1))
        r="$D/noise_rectify_$k.tsv"; q="$D/noise_kurtosis_$k.tsv"
        p=$(awk -F'\t' -v c="$(col "$r" ratio_paper)" '/^#/ || $1 == "t" { next } $1 >= 100 && $c != "nan" { e = $c - 1; if (e < 0) e = -e; if (e > m) m = e } END { printf "%.3g", m }' "$r")
        mm=$(awk -F'\t' -v c="$(col "$r" ratio_mm)" '/^#/ || $1 == "t" { next } $1 >= 100 { if ($c == "nan") { bad = 1; next } e = $c - 1; if (e < 0) e = -e; if (e > m) m = e } END { if (bad) printf "undefined"; else printf "%.3g", m }' "$r")
        ku=$(awk -F'\t' '/^#/ || $1 == "t" { next } $1 >= 100 { e = $9 - 1; if (e < 0) e = -e; if (e > m) { m = e; se = $10 } } END { printf "%.3g (+- %.2g)", m, 1.96 * se }' "$q")
        printf "%s: largest |Var[r psi_t]/target - 1|, t in [100, 6000]: paper r_t / r_mm / --rect kurtosis (simulated, %s trials)\t%s / %s / %s\t(finding; 0 = flat)\tyes\n" \
            "$spec" "$KURT_TRIALS" "$p" "$mm" "$ku"
    done
    # Monte Carlo against the exact variance, every model
    k=0
    for spec in $SPECS; do
        k=$((k + 1))
        f="$D/noise_mc_$k.tsv"
        awk -F'\t' -v s="$spec" -v cv="$(col "$f" var_psi)" -v cs="$(col "$f" se_var_psi)" -v ce="$(col "$f" var_exact)" \
            '/^#/ || $1 == "t" { next } $ce != "nan" && $cs > 0 { z = ($cv - $ce) / $cs; if (z < 0) z = -z; n++; if (z > m) { m = z; at = $1 } }
            END { printf "%s: simulate vs exact Var[psi_t], %d steps in [5, 3000]: largest deviation in standard errors (at t = %s)\t%.3g\t< 4.5\t%s\n", s, n, at, m, (n > 0 && m < 4.5 ? "yes" : "NO") }' "$f"
    done
    awk -F'\t' '{ e = $3 + 0; if (e > m) m = e; n += $2 } END { printf "the kurtosis rectification simulated (noise_sim) vs radvar_optim --rect kurtosis: largest relative difference over %d updates, all models\t%.3g\t< 1e-12\t%s\n", n, m, (m < 1e-12 ? "yes" : "NO") }' "$D/noise_optim_check.tsv"
    awk -F'\t' '$1 == "normal" { g = $4 } { s[NR] = $1; v[NR] = $4 }
        END { line = ""; for (i = 1; i <= NR; i++) line = line sprintf("%s%s %.3g", i > 1 ? "; " : "", s[i], v[i]);
              printf "simulate: samples per CPU-second, 1 thread (normal = the fused kernel; normal-general = the loop the other models run)\t%s\t(finding)\tyes\n", line }' "$D/noise_speed.tsv"
} >"$D/checks_noise.tsv.tmp"
mv "$D/checks_noise.tsv.tmp" "$D/checks_noise.tsv"
rm -f "$D/.time"
