#!/bin/sh
# coverage.sh BUILD_DIR: line coverage of src/ and experiments/ after a test
# run of an --coverage build (`make coverage` builds BUILD_DIR at -O0 with
# --coverage, runs `make check-run` there, then calls this script).
#
# Prints the line coverage of each file of src/ and experiments/ and writes
#   BUILD_DIR/coverage/radvar.info   the lcov trace (src/ and experiments/)
#   BUILD_DIR/coverage/summary.tsv   file, lines, lines hit, percent
#   BUILD_DIR/coverage/html/         genhtml's report
# and fails when src/ as a whole is below COVERAGE_MIN percent of its lines
# (default 95); files below it are marked (mostly allocation-failure paths).
# Needs gcov (GCC's, of the compiler that built BUILD_DIR) and lcov.
set -eu

build=${1:?usage: scripts/coverage.sh BUILD_DIR}
min=${COVERAGE_MIN:-95}
out="$build/coverage"
root=$(pwd)

for tool in lcov genhtml gcov; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "coverage: $tool not found (Debian: apt-get install lcov)" >&2
        exit 1
    }
done
if ! find "$build" -name '*.gcda' | grep -q .; then
    echo "coverage: no .gcda files under $build: build with --coverage and run the tests first" >&2
    exit 1
fi

mkdir -p "$out"
# Capture, then keep the library and the experiments (not cli/, tests/ or
# system headers).  --base-directory: the objects were compiled with paths
# relative to the repository root.
# (Debian's lcov 1.16 prints Perl "Subroutine ... redefined" warnings of its
# own: they are dropped, anything else it says is shown.)
quiet_lcov() {
    status=0
    lcov --quiet --rc lcov_branch_coverage=0 "$@" 2>"$out/lcov.err" || status=$?
    grep -v 'Subroutine .* redefined at' "$out/lcov.err" >&2 || true
    rm -f "$out/lcov.err"
    return "$status"
}
quiet_lcov --capture --directory "$build" --base-directory "$root" --output-file "$out/all.info"
quiet_lcov --extract "$out/all.info" "$root/src/*" "$root/experiments/*" \
    --output-file "$out/radvar.info"
rm -f "$out/all.info"

# Per-file line counts from the trace: SF (source file), LF (lines found),
# LH (lines hit).
awk -v root="$root/" '
    /^SF:/ { file = substr($0, 4); sub("^" root, "", file) }
    /^LF:/ { found = substr($0, 4) }
    /^LH:/ { hit = substr($0, 4) }
    /^end_of_record/ { printf "%s\t%d\t%d\t%.1f\n", file, found, hit, found ? 100 * hit / found : 100 }
' "$out/radvar.info" | sort >"$out/summary.tsv"

genhtml --quiet --output-directory "$out/html" "$out/radvar.info" >/dev/null 2>&1 ||
    echo "coverage: genhtml failed; the summary is still in $out/summary.tsv" >&2

printf '%-28s %7s %7s %7s\n' file lines hit percent
status=0
for dir in src experiments; do
    total=0
    hits=0
    while IFS="$(printf '\t')" read -r file found hit pct; do
        case "$file" in "$dir"/*) ;; *) continue ;; esac
        mark=""
        if [ "$dir" = src ] && awk -v p="$pct" -v m="$min" 'BEGIN { exit !(p < m) }'; then
            mark="  below $min%"
        fi
        printf '%-28s %7d %7d %6.1f%%%s\n' "$file" "$found" "$hit" "$pct" "$mark"
        total=$((total + found))
        hits=$((hits + hit))
    done <"$out/summary.tsv"
    if [ "$total" -gt 0 ]; then
        pct=$(awk -v h="$hits" -v t="$total" 'BEGIN { printf "%.1f", 100 * h / t }')
        printf '%-28s %7d %7d %6.1f%%\n' "$dir/ (all)" "$total" "$hits" "$pct"
        if [ "$dir" = src ] && awk -v p="$pct" -v m="$min" 'BEGIN { exit !(p < m) }'; then
            status=1
        fi
    fi
done
echo "coverage: trace $out/radvar.info, report $out/html/index.html"
if [ "$status" -ne 0 ]; then
    echo "coverage: src/ is below $min% of its lines" >&2
fi
exit "$status"
