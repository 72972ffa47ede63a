#!/bin/sh
# check_exports.sh LIBRARY INCLUDE_DIR: the shared library exports exactly the
# functions and data declared with RADVAR_API in the public headers: `nm -D
# --defined-only` against tests/build/api_symbols.sh, as two sorted lists.
set -eu
lib=${1:?usage: check_exports.sh LIBRARY INCLUDE_DIR}
inc=${2:?usage: check_exports.sh LIBRARY INCLUDE_DIR}
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sh "$here/api_symbols.sh" "$inc" >"$tmp/declared"
# the third field is the name; symbols of the dynamic loader itself (none
# with GNU ld's defaults) would appear with a version suffix
nm -D --defined-only "$lib" | awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' | sort -u >"$tmp/exported"
if ! diff -u "$tmp/declared" "$tmp/exported" >"$tmp/diff"; then
    echo "exports: $lib and the RADVAR_API declarations differ ('-' declared only, '+' exported only):"
    sed -n '3,$p' "$tmp/diff" | grep '^[-+]'
    exit 1
fi
echo "exports: $(wc -l <"$tmp/exported") symbols, exactly the RADVAR_API declarations"
