#!/usr/bin/env bash
# The Debian packages a built gazette needs at run time, one a line: those holding the shared
# libraries it links to directly (its NEEDED entries, found with ldd and dpkg -S; apt brings
# their own dependencies), and the data it reads: pocketsphinx-en-us (the English acoustic
# model, align/acoustic.h) and ca-certificates (smtps:// and https:// SMS gateways).
# espeak-ng-data comes with libespeak-ng1. contrib/Containerfile's runtime stage installs
# exactly this list, so it follows the Makefile's libraries.
#   scripts/runtime-deps.sh [build/gazette]
set -euo pipefail
bin=${1:-build/gazette}
[ -x "$bin" ] || { echo "runtime-deps: '$bin' is not built" >&2; exit 1; }
libs=$(ldd "$bin")
{
    for lib in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
        path=$(awk -v l="$lib" '$1 == l && $2 == "=>" { print $3 }' <<<"$libs")
        [ -n "$path" ] && [ "$path" != "not" ] ||
            { echo "runtime-deps: '$lib' is not found (ldd $bin)" >&2; exit 1; }
        real=$(readlink -f "$path")
        # Merged /usr: dpkg may know the file as /lib/... rather than /usr/lib/...
        owner=$(dpkg -S "$real" 2>/dev/null || dpkg -S "${real#/usr}" 2>/dev/null) ||
            { echo "runtime-deps: no Debian package holds '$real'" >&2; exit 1; }
        echo "${owner%%:*}"
    done
    echo pocketsphinx-en-us
    echo ca-certificates
} | sort -u
