#!/bin/sh
# cputime.sh FILE: the CPU time (user + system, seconds) that a shell's
# children used between two runs of the `times` builtin appended to FILE
# (each prints two lines, the shell's then its children's: "0m1.5s 0m0.2s").
set -eu
awk 'NR == 2 || NR == 4 { t = 0; for (k = 1; k <= 2; k++) { split($k, a, /m|s/); t += 60 * a[1] + a[2] }
                          if (NR == 2) t0 = t; else t1 = t }
     END { if (NR != 4) exit 1; printf "%.3g\n", t1 - t0 }' "$1"
