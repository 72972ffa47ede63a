#!/bin/sh
# report.sh OUT SECONDS: write OUT/REPORT.md from the figures and the check
# tables OUT/data/checks_*.tsv that the drivers wrote.
set -eu
OUT=$1
SECONDS_TAKEN=${2:-?}
tmp="$OUT/REPORT.md.tmp"

table() { # a checks TSV as a markdown table
    awk -F'\t' 'NR == 1 { print "| " $1 " | " $2 " | " $3 " | " $4 " |"; print "|---|---|---|---|"; next }
                { print "| " $1 " | " $2 " | " $3 " | " $4 " |" }' "$1"
}

{
    echo "# radvar report"
    echo
    echo "Made by \`make reproduce\` (SCALE=${SCALE:-default}) with radvar $("${BUILD:-build}/bin/radvar" --version | cut -d' ' -f2)"
    echo "on $(date -u +%Y-%m-%d), in ${SECONDS_TAKEN} s.  Every number below was measured in this run."
    echo
    echo "## Theory: the variance of the adaptive learning rate"
    echo
    echo "![Var[psi] against rho](variance_vs_rho.png)"
    echo
    echo "Exact Var[psi] (the paper's Theorem 1, computed without cancellation) and"
    echo "the paper's first-order approximation rho/(2(rho-2)(rho-4)), which is infinite"
    echo "at rho = 4 and overestimates by a relative 9/(4 rho) for large rho."
    echo
    echo "## Rectification schedule"
    echo
    echo "![r_t against t](rectification.png)"
    echo
    echo "r_t (paper, eq. 7), the exact rectification sqrt(Var[psi](rho_inf)/Var[psi](rho_t)),"
    echo "a linear warmup with T_w = 1/(1-beta2), and the untuned warmups of Ma & Yarats."
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
        echo "beta2 = 0.999 and six gradient means."
        echo
        echo "![rho_t against the effective dof](dof.png)"
        echo
        echo "rho_t against the degrees of freedom at which Theorem 1 gives the simulated"
        echo "EMA variance (95% band)."
        echo
        echo "![psi^2 histograms](psi2_histogram.png)"
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
        echo "Exact Var[psi_t] of the EMA by quadrature, against the Monte Carlo and the SMA"
        echo "model; the error of the variance each dof estimate predicts; and"
        echo "Var[r psi_t]/Var[psi_inf] for each rectification (1 = perfectly flat)."
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
        echo "Step-size multiplier of each preset over the first 100 steps (beta2 = 0.999,"
        echo "constant gradient): where the conventions differ."
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
        echo "Best test accuracy per method (mean over 3 seeds at the best learning rate,"
        echo "with min and max; the warmup rows are single runs):"
        echo
        awk -F'\t' 'NR == 1 { print "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " |"; print "|---|---|---|---|---|"; next }
                    { print "| " $1 " | " $2 " | " $3 " | " $4 " | " $5 " |" }' "$OUT/data/experiments_table.tsv"
        echo
        echo "Whether each of the paper's three claims held here is in the checks table"
        echo "below (experiments), measured in this run and not tuned."
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
