#!/bin/sh
# check_elf.sh LIBRARY: the shared library's dynamic section names SONAME
# libradvar.so.0 and needs neither zlib nor a BLAS (those belong to the
# experiments, linked into the program only).
set -eu
lib=${1:?usage: check_elf.sh LIBRARY}
dyn=$(readelf -d "$lib")
soname=$(printf '%s\n' "$dyn" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
needed=$(printf '%s\n' "$dyn" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
status=0
if [ "$soname" != "libradvar.so.0" ]; then
    echo "elf: SONAME is '$soname', expected libradvar.so.0"
    status=1
fi
for lib_name in $needed; do
    case "$lib_name" in
    libz.so* | *blas* | *lapack* | libgfortran*)
        echo "elf: libradvar needs $lib_name"
        status=1 ;;
    esac
done
[ "$status" -eq 0 ] && echo "elf: SONAME $soname; needs $needed(no zlib, no BLAS)"
exit "$status"
