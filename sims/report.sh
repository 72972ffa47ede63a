#!/bin/sh
# report.sh OUT SECONDS: write OUT/REPORT.md from the figures and the check
# tables OUT/data/checks_*.tsv that the drivers wrote, with the machine and
# the libraries the numbers were made with.  A check row's ok column is
# "yes" (passed), "NO" (failed: this script then fails) or "finding" (a
# measured property or an experiment's verdict, which neither passes nor
# fails).
set -eu
OUT=$1
SECONDS_TAKEN=${2:-?}
BUILD=${BUILD:-build}
RADVAR=${RADVAR:-$BUILD/bin/radvar}
tmp="$OUT/REPORT.md.tmp"

table() { # a checks TSV as a markdown table
    awk -F'\t' 'NR == 1 { print "| " $1 " | " $2 " | " $3 " | " $4 " |"; print "|---|---|---|---|"; next }
                { print "| " $1 " | " $2 " | " $3 " | " $4 " |" }' "$1"
}
# the Debian package (and version) that holds the library LIB as RADVAR loads it
package_of() {
    path=$(ldd "$RADVAR" | awk -v l="$1" '$1 == l { print $3 }')
    [ -n "$path" ] || { echo "(not linked)"; return; }
    real=$(readlink -f "$path")
    pkg=$(dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null || true)
    pkg=${pkg%%:*}
    if [ -n "$pkg" ]; then
        echo "$pkg $(dpkg-query -W -f '${Version}' "$pkg" 2>/dev/null) ($real)"
    else
        echo "$real (no Debian package)"
    fi
}
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
cores=$(nproc)
dispatch=$(sed -n 's/^# dispatch: //p' "$OUT/data/figure1_mu0.tsv" 2>/dev/null | head -n 1)
if ldd "$RADVAR" | grep -q libopenblas; then
    blas="OpenBLAS: $(package_of libopenblas.so.0), kernels for $(OPENBLAS_VERBOSE=2 "$RADVAR" --version 2>&1 | sed -n 's/^Core: //p'), one thread per run"
    blas_is=openblas
else
    blas="GSL's reference CBLAS: $(package_of libgslcblas.so.0)"
    blas_is=gslcblas
fi

{
    echo "# radvar report"
    echo
    echo "Made by \`make reproduce\` (SCALE=${SCALE:-default}) with radvar $("$RADVAR" --version | cut -d' ' -f2)"
    echo "on $(date -u +%Y-%m-%d), in ${SECONDS_TAKEN} s.  Every number below was measured in this run."
    echo
    echo "## Machine and libraries"
    echo
    echo "- processor: $cpu, $cores cores (\`nproc\`); radvar's hot loops ran on the ${dispatch:-?} path"
    echo "- system: Debian $(cat /etc/debian_version 2>/dev/null || echo ?), glibc $(dpkg-query -W -f '${Version}' libc6 2>/dev/null || echo ?), $(${CC:-cc} --version 2>/dev/null | head -n 1)"
    echo "- GSL: $(package_of libgsl.so.27)"
    echo "- BLAS (the experiments' matrix products): $blas"
    echo
    echo "The Monte Carlo numbers do not depend on the instruction set: the Gaussian draws"
    echo "are a pure function of (seed, trial, step), and radvar's hot loops give the same"
    echo "bits on their portable and AVX2 paths (the test suite compares them)."
    if [ "$blas_is" = openblas ]; then
        echo "The experiment numbers depend on the processor: OpenBLAS picks its kernels"
        echo "for the processor (and splits a product by its thread count), and kernels"
        echo "round the matrix products differently, so the same run on another processor"
        echo "differs in the last digits of the loss at moderate learning rates and by whole"
        echo "points of accuracy at high ones, where training amplifies small differences;"
        echo "a verdict near its threshold can change. For the same bits on every x86-64"
        echo "processor, run \`make reproduce BLAS=gslcblas\` (GSL's reference CBLAS, plain"
        echo "C; the experiments then take about 6.5 times the CPU time)."
    else
        echo "This run used GSL's reference CBLAS (plain C, the same code on every x86-64"
        echo "processor), so its experiments give the same bits on another x86-64 machine with"
        echo "the same Debian packages; with OpenBLAS (the default) they differ between"
        echo "processors."
    fi
    echo
    echo "In the check tables below, **yes** marks a check that passed and **NO** one that"
    echo "failed (the run then fails); **finding** marks a measured property or an"
    echo "experiment's verdict, which is reported as measured and neither passes nor fails."
    echo
    if [ -f "$OUT/data/stage_times.tsv" ]; then
        echo "Time of each stage (wall clock, and CPU time of all its processes; THREADS=${THREADS:-2}):"
        echo
        awk -F'\t' 'NR == 1 { print "| stage | wall (s) | CPU (s) |"; print "|---|---|---|"; next }
                    { print "| " $1 " | " $2 " | " $3 " |" }' "$OUT/data/stage_times.tsv"
        echo
    fi
    echo "## Theory: the variance of the adaptive learning rate"
    echo
    echo "![Var[psi] against rho](variance_vs_rho.png)"
    echo
    echo "Exact Var[psi] (the paper's Theorem 1, computed without cancellation) and"
    echo "the paper's first-order approximation rho/(2(rho-2)(rho-4)), which is infinite"
    echo "at rho = 4; below, its relative error, which tends to 9/(4 rho) for large rho."
    echo
    echo "## Rectification schedule"
    echo
    echo "![r_t against t](rectification.png)"
    echo
    echo "r_t (paper, eq. 7) and the SMA model's exact rectification"
    echo "sqrt(Var[psi](rho_inf)/Var[psi](rho_t)), beside a linear warmup over"
    echo "T_w = 1/(1-beta2) steps (the time constant of the EMA v_t: a gradient's weight"
    echo "falls by a factor e in that many steps) and the untuned warmups of Ma & Yarats:"
    echo "the exponential 1 - exp(-(1-beta2) t) and the linear one over 2/(1-beta2) steps."
    echo
    if [ -f "$OUT/data/schedule_summary_0.999.tsv" ]; then
        echo "Summary at beta2 = 0.999 (\`radvar schedule --summary\`):"
        echo
        awk -F'\t' '/^#/ { next } !h { h = 1; n = split($0, names, "\t"); next }
                    { split($0, v, "\t"); for (k = 1; k <= n; k++) print "- " names[k] ": " v[k] }' \
            "$OUT/data/schedule_summary_0.999.tsv"
        echo
    fi
    if [ -f "$OUT/figure1.png" ]; then
        echo "## Monte Carlo"
        echo
        echo "![Theorem 1 numerically](sma_theorem.png)"
        echo
        echo "The SMA of rho squared N(0,1) gradients is exactly the theorem's model: the"
        echo "simulated Var[psi] (95% error bars) lies on the exact curve."
        echo
        echo "![the paper's figure 1](figure1.png)"
        echo
        echo "The paper's figure 1: Var[psi_t] (Adam) and Var[r_t psi_t] (RAdam) for"
        echo "beta2 = 0.999 and six gradient means, from t = 3 (Var[psi_t] is infinite at"
        echo "t = 1 and 2), with the exact Var[psi_t] dashed; the same axes in every panel."
        echo
        echo "![rho_t against the effective dof](dof.png)"
        echo
        echo "rho_t against the degrees of freedom at which Theorem 1 gives the simulated"
        echo "EMA variance (95% band) and the exact one; below, the same divided by rho_t."
        echo
        echo "![psi^2 histograms](psi2_histogram.png)"
        echo
        echo "Histograms of psi_t^2 between its 0.5% and 99.5% sample quantiles against the"
        echo "SMA model's density, with the KS test of all the samples in each panel's title."
        echo
    fi
    if [ -f "$OUT/exact_variance.png" ]; then
        echo "## Exact moments of the EMA"
        echo
        echo "![exact Var[psi_t]](exact_variance.png)"
        echo
        echo "![dof estimators](dof_error.png)"
        echo
        echo "![rectified variance ratio](rectify_ratio.png)"
        echo
        echo "Exact Var[psi_t] of the EMA by quadrature, against the Monte Carlo (with its"
        echo "residual in standard errors) and the SMA model; the signed error of the variance"
        echo "each dof estimate predicts; and Var[r psi_t]/Var[psi_inf] for each"
        echo "rectification (1 = perfectly flat)."
        echo
    fi
    if [ -f "$OUT/noise_variance.png" ]; then
        echo "## Beyond Gaussian gradients"
        echo
        echo "![Var[psi_t] under each noise model](noise_variance.png)"
        echo
        echo "Exact Var[psi_t] (beta2 = 0.999, mu = 0, unit variance) under heavy-tailed"
        echo "(student, laplace, mixture), correlated (ar1) and shrinking (decay) gradient"
        echo "noise, and its ratio to the Gaussian's."
        echo
        echo "![how flat each rectification keeps the variance](noise_rectify.png)"
        echo
        echo "Var[r psi_t] over the target Var[psi_inf] of each model (for decay: the"
        echo "stationary variance at the noise's scale of step t) for the paper's r_t, r from"
        echo "rho_moment, r from the model's moment-matched rho_mm, and the optimizer's"
        echo "--rect kurtosis (simulated, 95% bars); 1 is flat."
        echo
        echo "Per model, over t in [100, 6000]: the largest relative error of the variance"
        echo "Theorem 1 predicts at rho_t and at rho_mm, the smallest Var[r_t psi_t]/Var[psi_inf]"
        echo "with the paper's r_t, and the CPU time of the exact 300-point curve:"
        echo
        awk -F'\t' 'NR == 1 { print "| model | error at rho_t | error at rho_mm | smallest ratio, paper r_t | curve time |"; print "|---|---|---|---|---|"; next }
                    { mm = $4 == "undefined" ? "undefined (infinite kurtosis)" : $4 " (t = " $5 ")";
                      print "| " $1 " | " $2 " (t = " $3 ") | " mm " | " $6 " (t = " $7 ") | " $8 " s |" }' \
            "$OUT/data/noise_table.tsv"
        echo
    fi
    if [ -f "$OUT/presets.png" ]; then
        echo "## The RAdam conventions"
        echo
        echo "![presets](presets.png)"
        echo
        echo "Update size of each preset over the first 100 steps (beta2 = 0.999, lr = 1)"
        echo "under a constant gradient of 0.01 and of 100: Adam's step is lr whatever the"
        echo "gradient, a momentum step below the threshold is lr times the gradient."
        echo
    fi
    if [ -f "$OUT/lr_sensitivity.png" ]; then
        echo "## Experiments on Fashion-MNIST"
        echo
        echo "![learning-rate sensitivity](lr_sensitivity.png)"
        echo
        echo "![RAdam vs warmup](warmup.png)"
        echo
        echo "![variance reduction](variance_reduction.png)"
        echo
        echo "Best test accuracy per method: the mean over seeds 1-3 at the learning rate"
        echo "where that mean is highest, with the lowest and highest seed (SGD, Adam and"
        echo "RAdam over 9 learning rates; each warmup length over 4):"
        echo
        awk -F'\t' 'NR == 1 { printf "|"; for (k = 1; k <= NF; k++) printf " %s |", $k; printf "\n|"; for (k = 1; k <= NF; k++) printf "---|"; print ""; next }
                    { printf "|"; for (k = 1; k <= NF; k++) printf " %s |", $k; print "" }' "$OUT/data/experiments_table.tsv"
        echo
        echo "What the runs say about the paper's three claims (the same sentences as in the"
        echo "README, made from this run's numbers; the checks table lists them as findings):"
        echo
        cat "$OUT/data/experiments_verdicts.md"
        echo
    fi
    if [ -f "$OUT/psi_variance.png" ]; then
        echo "## Real gradients"
        echo
        echo "![histograms of log2 |g|](grad_hist.png)"
        echo
        echo "![histograms of log2 |update|](update_hist.png)"
        echo
        echo "Histograms of log2 |g| and of log2 |update| over all parameters against the step"
        echo "(\`radvar train --grad-hist\`), for Adam and its variance-reducing variants and"
        echo "RAdam at lr 3e-2: the data of the paper's figures 2 and 3."
        echo
        echo "![Var[psi_t] on real gradients](psi_variance.png)"
        echo
        echo "![gradient noise per coordinate](gradient_shape.png)"
        echo
        echo "Var[psi_t] and Var[r_t psi_t] across training runs that differ only in their"
        echo "minibatches, against the Gaussian theory, the noise models fitted to the"
        echo "logged gradients, and Gaussian noise around the runs' own path; the kurtosis"
        echo "and lag-1 autocorrelation of each logged coordinate (the checks table"
        echo "below, gradients, has the numbers)."
        echo
    fi
    if [ -f "$OUT/data/transformer_runs.tsv" ]; then
        echo "## A post-LN Transformer that Adam cannot train without warmup"
        echo
        echo "Sequence reversal (16 tokens of 16) with an 8-layer post-LN encoder, every"
        echo "optimizer from radvar through the Python bridge, at lr 3e-3 and betas (0.9, 0.98)."
        echo
        echo "![training loss of every run](transformer_loss.png)"
        echo
        echo "![runs at accuracy 0.99 by step N](transformer_reached.png)"
        echo
        echo "![log2|g| against the step](transformer_grad_hist.png)"
        echo
        echo "Every run (final loss: mean training loss of the last 10 steps; steps to 0.99:"
        echo "the first step at which the 10-step mean accuracy on fresh batches is 0.99):"
        echo
        awk -F'\t' 'NR == 1 { print "| optimizer | seed | steps | final loss | held-out accuracy | steps to 0.99 |"
                              print "|---|---|---|---|---|---|"; next }
                    { print "| " $1 " | " $2 " | " $3 " | " $5 " | " $7 " | " $8 " |" }' "$OUT/data/transformer_runs.tsv"
        echo
    fi
    echo "## Checks"
    echo
    for f in "$OUT"/data/checks_*.tsv; do
        [ -f "$f" ] || continue
        name=$(basename "$f" .tsv | sed 's/^checks_//')
        echo "### $name"
        echo
        table "$f"
        echo
    done
} >"$tmp"
mv "$tmp" "$OUT/REPORT.md"
if grep -q '| NO |' "$OUT/REPORT.md"; then
    echo "report: some checks failed, see $OUT/REPORT.md" >&2
    exit 1
fi
# a finding is not a pass: "yes" must not sit beside a verdict or an informative row
if awk -F'\t' 'FNR > 1 && $4 == "yes" && ($2 ~ /did not hold|held|mixed/ || $3 ~ /informative/) { bad = 1 } END { exit !bad }' \
    "$OUT"/data/checks_*.tsv; then
    echo "report: a finding is marked yes in $OUT/data/checks_*.tsv" >&2
    exit 1
fi
