#!/usr/bin/env bash
# Runs every test: the C unit suites (Check), then the integration and browser tests
# (node:test, against the real binary on loopback). Ends with one summary line.
set -uo pipefail
B=${1:-build}
export GAZETTE_BIN="$PWD/$B/gazette"
pass=0; fail=0
unset GAZETTE_TEST_PG # set below, for the PostgreSQL runs only

# PostgreSQL: a throw-away cluster (scripts/pgtmp.sh: initdb/pg_ctl on a unix socket in a
# temporary folder) for the store contract on both backends, and a second run of the
# integration and browser suites with every server on PostgreSQL. Stopped on exit.
pgdir=""; pgurl=""
if ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
    pgdir=$(mktemp -d /tmp/gz-pg.XXXXXX)
    trap 'scripts/pgtmp.sh stop "$pgdir"' EXIT
    if pgurl=$(scripts/pgtmp.sh start "$pgdir"); then
        echo "== PostgreSQL test cluster: $pgurl"
    else
        echo "PostgreSQL test cluster: FAILED to start"; fail=$((fail + 1)); pgurl=""
    fi
else
    echo "PostgreSQL tests: SKIPPED (Debian package postgresql not installed)"
    [ -n "${CI:-}" ] && fail=$((fail + 1))
fi

echo "== unit (Check)"
out=$(GAZETTE_TEST_PG="$pgurl" "$B/tests/run" 2>&1); rc=$?
echo "$out"
line=$(echo "$out" | grep -E '^[0-9]+%: Checks:' | tail -1)
if [ -n "$line" ]; then
    n=$(echo "$line" | sed -E 's/.*Checks: ([0-9]+).*/\1/')
    f=$(echo "$line" | sed -E 's/.*Failures: ([0-9]+), Errors: ([0-9]+).*/\1 \2/' | awk '{print $1+$2}')
    pass=$((pass + n - f)); fail=$((fail + f))
fi
[ $rc -eq 0 ] || { [ -n "$line" ] || fail=$((fail + 1)); }

echo "== fuzz corpora (replay)"
for t in "$B"/tests/fuzz_*; do
    [ -x "$t" ] || continue
    name=${t##*/fuzz_}
    if "$t" tests/fuzz/corpus/"$name"/*; then pass=$((pass + 1)); else echo "fuzz $name: FAILED"; fail=$((fail + 1)); fi
done

run_node() {
    local name=$1; shift
    echo "== $name (node:test)"
    local log; log=$(mktemp)
    node --test --test-reporter=spec --test-concurrency=1 "$@" 2>&1 | tee "$log"
    local p f
    p=$(grep -E '^. pass [0-9]+' "$log" | tail -1 | awk '{print $3}')
    f=$(grep -E '^. fail [0-9]+' "$log" | tail -1 | awk '{print $3}')
    if [ -z "$p" ]; then fail=$((fail + 1)); else pass=$((pass + p)); fail=$((fail + ${f:-0})); fi
    rm -f "$log"
}

if command -v node >/dev/null; then
    run_node integration tests/integration/*.test.mjs
    [ -n "$pgurl" ] && GAZETTE_TEST_PG="$pgurl" run_node "integration on PostgreSQL" tests/integration/*.test.mjs
    if [ -x /usr/bin/chromium ] && [ -d node_modules/playwright-core ]; then
        run_node browser tests/browser/*.test.mjs
        [ -n "$pgurl" ] && GAZETTE_TEST_PG="$pgurl" run_node "browser on PostgreSQL" tests/browser/*.test.mjs
    else
        echo "browser tests: SKIPPED (need /usr/bin/chromium and npm ci)"
        [ -n "${CI:-}" ] && fail=$((fail + 1))
    fi
else
    echo "integration tests: need node"; fail=$((fail + 1))
fi

echo
echo "tests: $pass passed, $fail failed"
[ $fail -eq 0 ]
