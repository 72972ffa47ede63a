#!/bin/sh
# test_python.sh [BUILD] [SAN]: the Python bridge (python/radvar) against the
# library in BUILD (default build) and its program BUILD/bin/radvar, with
# Debian's /usr/bin/python3: tests/test_python.py and tests/test_gradlog.py,
# which end with 'N passed, N failed'.  Without python3-numpy the tests are skipped, with a
# message; without python3-torch, those of radvar.torch.Optimizer are.
# SAN=1 (the sanitizer build): python3 is not instrumented, so the ASan and
# UBSan runtimes are preloaded, and the tests run shorter (RADVAR_TEST_QUICK:
# fewer steps, no timings).
set -u
build=${1:-build}
san=${2:-0}
py=/usr/bin/python3
here=$(cd "$(dirname "$0")/.." && pwd)
lib=$build/lib/libradvar.so.0
if ! "$py" -c 'import numpy' 2>/dev/null; then
    echo "test_python.sh: skipped: Debian's python3 with python3-numpy is not installed" \
         "(apt-get install python3-numpy python3-torch)"
    exit 0
fi
if [ ! -e "$lib" ]; then
    echo "test_python.sh: $lib is missing (run make)" >&2
    exit 1
fi
if [ "$san" = 1 ]; then
    asan=$(${CC:-cc} -print-file-name=libasan.so)
    ubsan=$(${CC:-cc} -print-file-name=libubsan.so)
    status=0
    for t in test_python.py test_gradlog.py; do
        RADVAR_TEST_QUICK=1 LD_PRELOAD="$asan $ubsan" ASAN_OPTIONS=detect_leaks=0 \
            RADVAR_LIBRARY="$lib" PYTHONPATH="$here/python" "$py" "$here/tests/$t" "$build/bin/radvar" || status=1
    done
    exit $status
fi
status=0
for t in test_python.py test_gradlog.py; do  # the bridge, then the gradient logger
    RADVAR_LIBRARY="$lib" PYTHONPATH="$here/python" "$py" "$here/tests/$t" "$build/bin/radvar" || status=1
done
exit $status
