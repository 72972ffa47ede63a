#!/bin/sh
# optimizer.sh OUT: the reference optimizer's figure (issue #4).
#   presets.{png,svg}  step-size multiplier of each RAdam preset, first 100 steps
set -eu
OUT=$1
BUILD=${BUILD:-build}
D="$OUT/data"
mkdir -p "$D"
"$BUILD/sims/preset_steps" 0.999 100 >"$D/presets.tsv.tmp" && mv "$D/presets.tsv.tmp" "$D/presets.tsv"
for ext in png svg; do
    gnuplot -c plots/presets.gp "$D/presets.tsv" "$OUT/presets.$ext"
done
awk -F'\t' '/^#/ || $1 == "t" { next }
    { for (k = 2; k <= 6; k++) if (!(k in first) && $k > 0 && $k < 0.5) first[k] = $1 }
    END { printf "check\tmeasured\ttarget\tok\n";
          split("paper official pytorch optax tfa", n, " "); want[2] = 5; want[3] = 6; want[4] = 6; want[5] = 6; want[6] = 6
          for (k = 2; k <= 6; k++) printf "first rectified step of preset %s at beta2 = 0.999\t%d\t%d\t%s\n", n[k - 1], first[k], want[k], (first[k] == want[k] ? "yes" : "NO") }' \
    "$D/presets.tsv" >"$D/checks_optimizer.tsv.tmp"
mv "$D/checks_optimizer.tsv.tmp" "$D/checks_optimizer.tsv"
