#!/usr/bin/env bash
# make lighthouse: Lighthouse (npm devDependency) in Debian's chromium, mobile form factor, on
# the home page, a story and its 对照 page of the demo site. Prints the four category scores
# per page; fails when any is below LH_MIN (default 95). Loopback only; bounded in time.
set -euo pipefail
B=${1:-build}
BIN=$PWD/$B/gazette
MIN=${LH_MIN:-95}
LH=node_modules/.bin/lighthouse
[ -x "$LH" ] || { echo "lighthouse: run npm ci (or make test) first" >&2; exit 1; }
export CHROME_PATH=${CHROME_PATH:-/usr/bin/chromium}
work=$(mktemp -d /tmp/gz-lh.XXXXXX)
pid=
cleanup() { [ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

"$BIN" serve --listen 127.0.0.1:0 --data "$work/data" --access-log off >"$work/out" 2>"$work/err" &
pid=$!
for _ in $(seq 1 600); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/out") || { cat "$work/err"; exit 1; }

fail=0
printf "%-14s %12s %14s %15s %5s\n" page performance accessibility best-practices seo
for page in / /story/1 /story/1/ce; do
    timeout 180 "$LH" "$url$page" --quiet --form-factor=mobile --output=json \
        --output-path="$work/lh.json" --chrome-flags="--headless=new --no-sandbox" >/dev/null
    node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        const c = ["performance", "accessibility", "best-practices", "seo"].map((k) => Math.round(r.categories[k].score * 100));
        console.log(process.argv[2].padEnd(14), String(c[0]).padStart(12), String(c[1]).padStart(14), String(c[2]).padStart(15), String(c[3]).padStart(5));
        const a = r.audits; console.error("   ", ["first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift"].map((k) => k.split("-").map((w) => w[0]).join("") + " " + a[k].displayValue).join(", "));
        process.exit(c.every((s) => s >= Number(process.argv[3])) ? 0 : 1);
    ' "$work/lh.json" "$page" "$MIN" || fail=1
done
[ $fail = 0 ] || { echo "lighthouse: a score is below $MIN" >&2; exit 1; }
