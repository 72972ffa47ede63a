#!/bin/sh
# api_symbols.sh INCLUDE_DIR: the names declared with RADVAR_API in
# INCLUDE_DIR/radvar/*.h, one per line, sorted.  A declaration's name is the
# identifier before its first '(' (functions) or before its ';' (data); a
# declaration may continue on the next lines, but its name is on the line
# that carries RADVAR_API.  Comments are removed first.
set -eu
dir=${1:?usage: api_symbols.sh INCLUDE_DIR}
for h in "$dir"/radvar/*.h; do
    # drop /* ... */ comments (also over several lines) and preprocessor lines
    sed -e ':a' -e '/\/\*/{ /\*\//!{ N; ba; }; s:/\*.*\*/::; }' "$h" | grep -v '^[[:space:]]*#'
done | awk '
    /RADVAR_API/ {
        line = $0
        if (index(line, "(") > 0)
            line = substr(line, 1, index(line, "(") - 1)
        else if (index(line, ";") > 0)
            line = substr(line, 1, index(line, ";") - 1)
        n = split(line, words, /[^A-Za-z0-9_]+/)
        while (n > 0 && words[n] == "") n--
        if (n > 0) print words[n]
    }' | sort -u
