# common.gp: terminal chosen by the output file's extension (.png or .svg).
# Loaded by the other scripts as: load dir."common.gp" after setting `out`.
# Text is UTF-8 (Greek letters and symbols written as themselves: the Symbol
# font's octal codes are not valid UTF-8 and break the SVG files).
set encoding utf8
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
