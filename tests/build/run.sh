#!/bin/sh
# run.sh BUILD_DIR: the build and API tests (`make check` runs them on its
# default build).
#   exports    nm -D of libradvar.so lists exactly the RADVAR_API declarations
#   elf        readelf -d: SONAME libradvar.so.0, no zlib, no BLAS
#   c++        tests/build/cxx_smoke.cpp, every header through radvar/radvar.h,
#              compiled with g++ -std=c++11 -pedantic -Werror, linked, run
#   install    make install DESTDIR=tmp PREFIX=/usr; tests/build/install_smoke.c
#              built through the installed radvar.pc (PKG_CONFIG_SYSROOT_DIR),
#              dynamically (run with LD_LIBRARY_PATH) and statically
#              (pkg-config --static, cc -static), and run; cxx_smoke.cpp
#              built the same way with g++ (dynamic) from the installed
#              headers, and run
#   uninstall  make uninstall with the same DESTDIR and PREFIX leaves no file
set -u
build=${1:?usage: tests/build/run.sh BUILD_DIR}
here=$(dirname "$0")
make=${MAKE:-make}
cc=${CC:-cc}
cxx=${CXX:-g++}
lib="$build/lib/libradvar.so"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/radvar-build-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
pass=0
fail=0

ok() { pass=$((pass + 1)); echo "  ok   $1"; }
bad() { fail=$((fail + 1)); echo "  FAIL $1"; [ -s "$tmp/log" ] && sed 's/^/       /' "$tmp/log"; }
run() { # name command...: run, with the output in $tmp/log
    name=$1
    shift
    if "$@" >"$tmp/log" 2>&1; then ok "$name"; else bad "$name"; fi
}

run "exports: nm -D lists exactly the RADVAR_API declarations" \
    sh "$here/check_exports.sh" "$lib" include
run "elf: SONAME libradvar.so.0, no zlib, no BLAS" sh "$here/check_elf.sh" "$lib"

# C++
run "c++: cxx_smoke.cpp compiles with g++ -std=c++11 -pedantic -Werror and links" \
    "$cxx" -std=c++11 -Wall -Wextra -pedantic -Werror -Iinclude "$here/cxx_smoke.cpp" \
    -o "$tmp/cxx_smoke" -L"$build/lib" -lradvar
run "c++: cxx_smoke runs" env LD_LIBRARY_PATH="$build/lib" "$tmp/cxx_smoke"

# install into a temporary root, build against it with pkg-config
root="$tmp/root"
run "install: make install DESTDIR=tmp PREFIX=/usr" \
    "$make" --no-print-directory install DESTDIR="$root" PREFIX=/usr BUILD="$build"
pc() {
    PKG_CONFIG_SYSROOT_DIR="$root" PKG_CONFIG_LIBDIR="$root/usr/lib/pkgconfig" \
        PKG_CONFIG_PATH="$root/usr/lib/pkgconfig" PKG_CONFIG_ALLOW_SYSTEM_CFLAGS=1 \
        PKG_CONFIG_ALLOW_SYSTEM_LIBS=1 pkg-config "$@"
}
cflags=$(pc --cflags radvar 2>/dev/null)
libs=$(pc --libs radvar 2>/dev/null)
static_libs=$(pc --static --libs radvar 2>/dev/null)
echo "       pkg-config: --cflags '$cflags' --libs '$libs' --static --libs '$static_libs'"
case "$cflags $libs" in
*"-I$root/usr/include"*"-L$root/usr/lib"*) ok "install: radvar.pc points into the installed tree" ;;
*) : >"$tmp/log"; bad "install: radvar.pc points into the installed tree (PREFIX=/usr)" ;;
esac
# shellcheck disable=SC2086
run "install: dynamic build through pkg-config" \
    "$cc" $cflags "$here/install_smoke.c" -o "$tmp/smoke_dynamic" $libs
run "install: the dynamic program runs on the installed libradvar.so.0" \
    sh -c "LD_LIBRARY_PATH='$root/usr/lib' ldd '$tmp/smoke_dynamic' | grep -q 'libradvar.so.0 => $root/usr/lib/libradvar.so.0' && LD_LIBRARY_PATH='$root/usr/lib' '$tmp/smoke_dynamic'"
# shellcheck disable=SC2086
run "install: C++ build of cxx_smoke.cpp through pkg-config (installed headers only)" \
    "$cxx" -std=c++11 -Wall -Wextra -pedantic -Werror $cflags "$here/cxx_smoke.cpp" \
    -o "$tmp/cxx_installed" $libs
run "install: the C++ program runs on the installed libradvar.so.0" \
    sh -c "LD_LIBRARY_PATH='$root/usr/lib' ldd '$tmp/cxx_installed' | grep -q 'libradvar.so.0 => $root/usr/lib/libradvar.so.0' && LD_LIBRARY_PATH='$root/usr/lib' '$tmp/cxx_installed'"
# shellcheck disable=SC2086
run "install: static build through pkg-config --static" \
    "$cc" -static $cflags "$here/install_smoke.c" -o "$tmp/smoke_static" $static_libs
run "install: the static program runs (no shared libraries)" \
    sh -c "! readelf -d '$tmp/smoke_static' 2>/dev/null | grep -q NEEDED && '$tmp/smoke_static'"

run "uninstall: make uninstall DESTDIR=tmp PREFIX=/usr" \
    "$make" --no-print-directory uninstall DESTDIR="$root" PREFIX=/usr BUILD="$build"
left=$(find "$root" ! -type d 2>/dev/null)
if [ -z "$left" ]; then
    ok "uninstall: no file or link left"
else
    printf '%s\n' "$left" >"$tmp/log"
    bad "uninstall: files left behind"
fi

echo "build: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
