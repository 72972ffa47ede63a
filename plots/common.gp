# common.gp: terminal chosen by the output file's extension (.png or .svg).
# Loaded by the other scripts as: load dir."common.gp" after setting `out`.
if (strstrt(out, ".svg") > 0) {
    set terminal svg size 960,640 dynamic enhanced font "sans,12" background "white"
} else {
    set terminal pngcairo size 1200,800 enhanced font "sans,12" background "white"
}
set output out
set datafile separator tab
set datafile columnheaders
set key box opaque
set grid
