#!/usr/bin/env bash
# House rules a machine can check (docs: ../shared/STYLE.md):
# banned C functions, raw buffer calls in renderers, SQL outside queries.def, inline script.
set -uo pipefail
cd "$(dirname "$0")/.."
bad=0
say() { echo "lint: $*"; bad=1; }

banned='\b(sprintf|vsprintf|strcpy|strcat|strncpy|strncat|strtok|gets|atoi|atol|sscanf)\s*\('
if grep -nEr "$banned" src tests/unit tests/fuzz tools/*.c; then say "banned function (see STYLE.md 4)"; fi

# In src/render/, dynamic text reaches HTML only through html_* (html.c itself excepted).
if grep -nE '\bbuf_(append|puts|putc|printf)\(b,' src/render/*.c | grep -v '^src/render/html.c'; then
    say "raw buf_* on the page buffer in src/render (use HTML_LIT or html_*)"
fi

# SQL lives in queries.def (and migrations); no sqlite3_exec with runtime data.
if grep -rnE '"(SELECT|INSERT|UPDATE|DELETE) ' src --include=*.c; then say "SQL outside src/store/queries.def"; fi

# No inline script or event-handler attributes in rendered markup.
if grep -nE '<script>|\son(click|load|error|submit)=' src/render/*.c web/*.js; then say "inline script or on*= handler"; fi

# Packages cannot drift: every pkg-config module in the Makefile's PKGS comes from a Debian
# package scripts/deps.sh installs; contrib/Containerfile's build stage installs those
# (through deps.sh, or by name), and its runtime stage installs scripts/runtime-deps.sh's list
# (or, by name, every package that list gives for the built binary).
joined() { sed -e ':a' -e '/\\$/{N;s/\\\n/ /;ba}' "$@"; }
apt_words() { grep -oE 'apt-get install[^&]*' | sed 's/apt-get install//' | tr -s ' ' '\n' | grep -vE '^(-|$)'; }
deps_pkgs=$(sed -n '/^pkgs=(/,/)/p' scripts/deps.sh | sed 's/^pkgs=//' | tr -d '()' | tr -s ' ' '\n' | grep -v '^$')
build_stage=$(joined contrib/Containerfile | awk '/^FROM .* AS build/ { on = 1; next } /^FROM/ { on = 0 } on')
run_stage=$(joined contrib/Containerfile | awk '/^FROM/ { n++; next } n == 2')
build_pkgs=$(apt_words <<<"$build_stage")
if grep -qE '^RUN .*scripts/deps\.sh' <<<"$build_stage"; then build_pkgs="$build_pkgs $deps_pkgs"; fi
for m in $(joined Makefile | sed -n 's/^PKGS *= *//p'); do
    pc=$(pkg-config --path "$m" 2>/dev/null) || { say "pkg-config cannot find '$m' (Makefile PKGS): scripts/deps.sh installs it?"; continue; }
    pkg=$(dpkg -S "$(readlink -f "$pc")" 2>/dev/null | head -1 | cut -d: -f1)
    [ -n "$pkg" ] || { say "no Debian package holds '$pc' (Makefile PKGS '$m')"; continue; }
    grep -qx "$pkg" <<<"$deps_pkgs" || say "scripts/deps.sh does not install '$pkg' (pkg-config '$m', Makefile PKGS)"
    grep -qw -- "$pkg" <<<"$build_pkgs" || say "contrib/Containerfile's build stage does not install '$pkg' (pkg-config '$m')"
done
if ! grep -q 'runtime-packages' <<<"$run_stage"; then
    if [ -x build/gazette ]; then
        for pkg in $(scripts/runtime-deps.sh build/gazette); do
            apt_words <<<"$run_stage" | grep -qx -- "$pkg" || say "contrib/Containerfile's runtime stage does not install '$pkg' (scripts/runtime-deps.sh)"
        done
    else
        say "contrib/Containerfile's runtime stage lists packages by hand: build first so lint can check them"
    fi
fi

[ $bad = 0 ] && echo "lint: ok"
exit $bad
