# presets.gp DATA_SMALL DATA_LARGE OUT: the size of each RAdam convention's
# first updates (lr = 1) under a small and a large constant gradient g (DATA
# from sims/preset_steps: t, then one column per distinct trajectory, named
# "a=b" where conventions coincide).  Adam's step is lr whatever g; a
# rectified step is lr r_t; an un-adapted momentum step is lr g, so it is
# g times Adam's step: small g hides it, large g makes it a jump.  A
# convention that takes no step is drawn as points on the bottom axis.
d1 = ARG1; d2 = ARG2; out = ARG3
dir = ARG0[1:strstrt(ARG0, "presets.gp") - 1]
load dir."common.gp"
gof(f) = system("sed -n 's/.*constant gradient g = \\([^,]*\\),.*/\\1/p' ".f)
desc(n) = n eq "paper" ? "paper: r_t once rho_t > 4, momentum step below" : \
          n eq "official" ? "official (since 2021): r_t once rho_t >= 5, no step below" : \
          strstrt(n, "official-2019-10-10") == 1 ? names(n).": r_t once rho_t >= 5 (2019-08-08: > 5), momentum step below" : \
          n eq "pytorch-sma-exact" ? "pytorch with --rect sma-exact: from t = 3 (rho_t > 2)" : \
          n eq "pytorch-moment" ? "pytorch with --rect moment: from t = 3 (within 1% of sma-exact here)" : \
          n eq "adam" ? "Adam (no rectification)" : names(n)
# "a=b=c" as "a, b, c"
names(n) = strstrt(n, "=") > 0 ? n[1:strstrt(n, "=") - 1].", ".names(n[strstrt(n, "=") + 1:]) : n
array col[7] = ["#f4a6a6", "#9467bd", "#ff7f0e", "#9edae5", "#2ca02c", "gray30", "black"]
array dt_[7] = [1, 1, 2, 1, 2, 3, 1]
array lw_[7] = [6, 3.5, 1.5, 5, 1.5, 2, 1.5]
set multiplot layout 1,2 title "The RAdam conventions over the first 100 steps: update size with lr = 1 under a constant gradient g (beta_2 = 0.999, eps = 0)\nAdam's step is lr whatever g, a rectified step lr r_t, a momentum step lr g: it is g times Adam's step"
set logscale xy
set format y "10^{%L}"
set xrange [1:100]
set yrange [1e-3:1e3]
set xlabel "step t"; set ylabel "|update| / lr"
set lmargin at screen 0.07; set tmargin at screen 0.86; set bmargin at screen 0.30
unset key
do for [k=1:2] {
    if (k == 1) { set rmargin at screen 0.49 } else { set lmargin at screen 0.57; set rmargin at screen 0.98 }
    if (k == 2) { set key at screen 0.08, 0.215 left top Left reverse font ",10" spacing 1.05 maxrows 8 samplen 4 nobox }
    f = (k == 1) ? d1 : d2
    g = gof(f)
    head = system("grep -m1 '^t\t' ".f)
    n = words(head)
    set title sprintf("g = %s: the momentum step is %s Adam's", g, (g + 0 < 1) ? "far below" : "far above")
    plot for [i=2:n] f using 1:(column(i) > 0 ? column(i) : NaN) with steps lw lw_[i-1] dt dt_[i-1] lc rgb col[i-1] title desc(word(head, i)), \
         for [i=2:n] f using 1:(column(i) == 0 ? 1.2e-3 : NaN) with points pt 7 ps 0.9 lc rgb col[i-1] notitle, \
         1/0 with points pt 7 ps 0.9 lc rgb "#9467bd" title "no step (0), on the bottom axis"
}
unset multiplot
