# gradient_shape.gp DATA OUT NOTE STEPS: the shape of real gradient noise per
# coordinate (sims/gradient_validation.c): kurtosis (left) and lag-1
# autocorrelation (right) of each run's series (median over the runs, bars
# from the first to the third quartile) and of the noise around the runs'
# common path (g - m_t)/s_t; the Gaussian value with its 95% sampling band
# for STEPS values (kurtosis 3 +- 1.96 sqrt(24/n), lag-1 0 +- 1.96/sqrt(n)).
data = ARG1; out = ARG2; note = ARG3; n = ARG4 + 0.0
dir = ARG0[1:strstrt(ARG0, "gradient_shape.gp") - 1]
load dir."common.gp"
if (strstrt(out, ".svg") > 0) {
    set terminal svg size 1300,560 dynamic enhanced font "sans,12" background "white"
} else {
    set terminal pngcairo size 1600,680 enhanced font "sans,13" background "white"
}
set output out
set xlabel "coordinate c (colour: its layer, W1 blue, b1 green, W2 red, b2 purple)"
set xrange [-1:*]
set yrange [1.5:60]
set ytics (2, 3, 5, 10, 20, 50)
set key top left
lc(l) = (l eq "W1") ? 0x1f77b4 : (l eq "b1") ? 0x2ca02c : (l eq "W2") ? 0xd62728 : 0x9467bd
set multiplot layout 1,2 title "Real gradient noise per coordinate (".note.")" font ",14"
set title "kurtosis (3 for a Gaussian)"
set logscale y
set ylabel "kurtosis m4/m2^2"
band = 1.96 * sqrt(24 / n)
plot 3 - band with lines dt 2 lc rgb "gray50" notitle, 3 + band with lines dt 2 lc rgb "gray50" title "Gaussian, 95% band", \
     3 with lines lc rgb "gray30" notitle, \
     data using ($3 == 1 ? $1 : NaN):"kurtosis":"kurtosis_q25":"kurtosis_q75":(lc(strcol(2))) with yerrorbars pt 7 ps 1 lc rgb variable title "each run's series (median, quartiles)", \
     data using ($3 == 1 ? $1 : NaN):"kurtosis_noise" with points pt 4 ps 1.3 lc rgb "black" title "the noise around the runs' path"
unset logscale y
set yrange [*:*]
set ytics autofreq
set title "lag-1 autocorrelation (0 for independent noise)"
set ylabel "lag-1 autocorrelation"
band = 1.96 / sqrt(n)
plot -band with lines dt 2 lc rgb "gray50" notitle, band with lines dt 2 lc rgb "gray50" title "independent, 95% band", \
     0 with lines lc rgb "gray30" notitle, \
     data using ($3 == 1 ? $1 : NaN):"lag1":"lag1_q25":"lag1_q75":(lc(strcol(2))) with yerrorbars pt 7 ps 1 lc rgb variable title "each run's series (median, quartiles)", \
     data using ($3 == 1 ? $1 : NaN):"lag1_noise" with points pt 4 ps 1.3 lc rgb "black" title "the noise around the runs' path"
unset multiplot
