#!/bin/sh
# optimizer.sh OUT: the reference optimizer's figure and checks.
#   presets.{png,svg}          update size of each RAdam convention over the first
#                              100 steps under a small and a large constant gradient
#   data/presets_g*.tsv        the trajectories (sims/preset_steps)
#   data/checks_optimizer.tsv  each preset's first rectified step, from radvar replay
set -eu
OUT=$1
BUILD=${BUILD:-build}
RADVAR=${RADVAR:-$BUILD/bin/radvar}
D="$OUT/data"
mkdir -p "$D"
# g = 1 would make the momentum step (lr g) look like Adam's (lr): one
# gradient far below 1 and one far above show the difference
for g in 0.01 100; do
    "$BUILD/sims/preset_steps" 0.999 100 "$g" >"$D/presets_g$g.tsv.tmp" && mv "$D/presets_g$g.tsv.tmp" "$D/presets_g$g.tsv"
done
for ext in png svg; do
    gnuplot -c plots/presets.gp "$D/presets_g0.01.tsv" "$D/presets_g100.tsv" "$OUT/presets.$ext"
done
# the first step each preset rectifies on, as the optimizer reports it
grads=$(awk 'BEGIN { print 0; for (t = 1; t <= 20; t++) print 1 }')
{
    printf "check\tmeasured\ttarget\tok\n"
    for p in paper:5 official:6 official-2019-10-10:6 official-2019-08-08:6 pytorch:6 optax:6 tfa:6; do
        name=${p%%:*}; want=${p#*:}
        echo "$grads" | "$RADVAR" replay --method radam --preset "$name" --beta2 0.999 |
            awk -F'\t' -v n="$name" -v w="$want" '/^#/ { next } $1 == "t" { for (k = 1; k <= NF; k++) c[$k] = k; next }
                !f && $(c["rectified"]) == 1 { f = $1 }
                END { printf "first rectified step of preset %s at beta2 = 0.999 (radvar replay)\t%d\t%d\t%s\n", n, f, w, (f == w ? "yes" : "NO") }'
    done
} >"$D/checks_optimizer.tsv.tmp"
mv "$D/checks_optimizer.tsv.tmp" "$D/checks_optimizer.tsv"
