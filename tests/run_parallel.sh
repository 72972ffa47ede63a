#!/bin/sh
# run_parallel.sh JOBS: run the commands read from standard input (one per
# line), JOBS at a time, then print each one's output in input order after
# "== COMMAND", so that a log reads the same whatever finished first.  Exits 1
# if any command failed (and names it), else 0.  The tests it runs share no
# files: each makes its own temporary directory.
set -u
jobs=${1:?usage: run_parallel.sh JOBS < commands}
dir=$(mktemp -d "${TMPDIR:-/tmp}/radvar-tests-XXXXXX")
trap 'rm -rf "$dir"' EXIT INT TERM
n=0
while IFS= read -r cmd; do
    [ -n "$cmd" ] || continue
    n=$((n + 1))
    printf '%s\n' "$cmd" >"$dir/$n.cmd"
done
[ "$n" -gt 0 ] || exit 0
i=1
while [ "$i" -le "$n" ]; do echo "$i"; i=$((i + 1)); done |
    xargs -P "$jobs" -I{} sh -c 'sh "$1/$2.cmd" >"$1/$2.out" 2>&1; echo $? >"$1/$2.rc"' sh "$dir" {}
status=0
i=1
while [ "$i" -le "$n" ]; do
    echo "== $(cat "$dir/$i.cmd")"
    cat "$dir/$i.out"
    rc=$(cat "$dir/$i.rc" 2>/dev/null || echo "?")
    if [ "$rc" != 0 ]; then
        echo "FAILED (exit $rc): $(cat "$dir/$i.cmd")"
        status=1
    fi
    i=$((i + 1))
done
exit "$status"
