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

[ $bad = 0 ] && echo "lint: ok"
exit $bad
