#!/bin/sh
# deps.sh [--check] GROUP...: make sure the Debian packages a radvar target
# needs are installed.  As root, missing ones are installed with apt-get;
# otherwise (or with --check, which never installs) the script names them and
# the command to run, and fails.
#   build  compile the library and the program
#   test   run the Check tests              reproduce  draw figures and report
#   bench  run benchmarks against peers     refs       regenerate reference values
#   conformance  the optimizer against PyTorch, live
set -eu

packages_for() {
    case "$1" in
    build) echo "pkg-config libgsl-dev librandom123-dev libopenblas-dev zlib1g-dev" ;;
    test) echo "pkg-config libgsl-dev librandom123-dev libopenblas-dev zlib1g-dev check dataset-fashion-mnist g++ python3" ;;
    reproduce) echo "pkg-config libgsl-dev librandom123-dev libopenblas-dev zlib1g-dev gnuplot-nox dataset-fashion-mnist python3 python3-numpy python3-torch" ;;
    bench) echo "pkg-config libgsl-dev librandom123-dev libopenblas-dev zlib1g-dev python3 python3-numpy python3-torch" ;;
    refs) echo "python3 python3-mpmath python3-numpy python3-scipy" ;;
    mpi) echo "libopenmpi-dev openmpi-bin" ;;
    coverage) echo "lcov" ;;
    fuzz) echo "clang libclang-rt-14-dev" ;;
    conformance) echo "pkg-config libgsl-dev librandom123-dev python3 python3-numpy python3-torch" ;;
    *) echo "deps.sh: unknown group '$1' (valid: build test reproduce bench refs conformance mpi coverage fuzz)" >&2; exit 2 ;;
    esac
}

check_only=0
if [ "${1:-}" = "--check" ]; then
    check_only=1
    shift
fi
wanted=""
for group in "$@"; do
    wanted="$wanted $(packages_for "$group")"
done

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "radvar: not a Debian system; assuming these are installed:$wanted" >&2
    exit 0
fi

missing=""
for pkg in $wanted; do
    case " $missing " in *" $pkg "*) continue ;; esac
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $pkg" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$check_only" -eq 1 ]; then
    echo "radvar: missing Debian packages:$missing" >&2
    echo "radvar: install them with 'make deps' (as root), or:  apt-get install -y$missing" >&2
    exit 1
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "radvar: missing Debian packages:$missing" >&2
    echo "radvar: install them as root with:  apt-get install -y$missing" >&2
    exit 1
fi

echo "radvar: installing missing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null 2>&1; then
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
echo "radvar: installed:$missing" >&2
