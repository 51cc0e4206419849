#!/usr/bin/env bash
# make bench (PostgreSQL part), or bench/pg.sh build: in one run, on loopback, bounded in time:
#  1. article pages served from PostgreSQL vs from SQLite (one server thread on core 0, wrk on
#     core 1; pages are cached either way) -> ratio PG / SQLite;
#  2. a mixed load, 95 % page views, 4 % signed-in account pages, 1 % writes (a signed-in
#     reader's font size, one transaction), on ONE server (2 threads) vs TWO servers (1 thread
#     each) sharing one PostgreSQL database, with the CPU each party used per request, and
#     what that predicts for N servers;
#  3. sign-ins per second per core on each backend (Argon2id dominates).
# Needs Debian's postgresql (a throw-away cluster, scripts/pgtmp.sh), wrk, curl.
set -euo pipefail
[ -n "${BENCH_TRACE:-}" ] && set -x
B=${1:-build}
BIN=$PWD/$B/gazette
DUR=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-32}
command -v wrk >/dev/null || { echo "bench: needs wrk"; exit 1; }
work=$(mktemp -d /tmp/gz-benchpg.XXXXXX)
pgd=$(mktemp -d /tmp/gz-benchpg-db.XXXXXX) # its own folder: the cluster runs as postgres
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    scripts/pgtmp.sh stop "$pgd" || true
    rm -rf "$work"
}
trap cleanup EXIT
base=$(scripts/pgtmp.sh start "$pgd")
sock="$pgd"
url() { echo "postgresql:///$1?host=$sock&user=postgres"; }
psql "$base" -qc "CREATE DATABASE bench1" -c "CREATE DATABASE bench2"
hz=$(getconf CLK_TCK)
tok=$(printf 'b%.0s' $(seq 1 43))

. "$(dirname "$0")/lib.sh"
pg_pids() { pgrep -u postgres -f "postgres" | tr '\n' ' '; }

# start NAME CORES PORT [serve args...]: a server in the background; waits until it listens.
start() {
    local name=$1 cores=$2 port=$3
    shift 3
    taskset -c "$cores" "$BIN" serve --listen 127.0.0.1:"$port" --access-log off "$@" \
        >"$work/$name.out" 2>"$work/$name.err" &
    pids+=($!)
    eval "${name}_pid=$!"
    for _ in $(seq 1 600); do grep -q listening "$work/$name.out" 2>/dev/null && return; sleep 0.1; done
    cat "$work/$name.err" >&2; exit 1
}

# wrk_run URL [LUA]: prints "req/s p99_ms requests" (no non-2xx allowed)
wrk_run() {
    local u=$1 lua=${2:-} out
    local s=(); [ -n "$lua" ] && s=(-s "$lua")
    taskset -c 1 wrk -t1 -c"$CONNS" -d2s -H "Cookie: gz_csrf=$tok" ${s[@]+"${s[@]}"} "$u" >/dev/null 2>&1
    out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency -H "Cookie: gz_csrf=$tok" ${s[@]+"${s[@]}"} "$u")
    if echo "$out" | grep -q Non-2xx; then echo "bench: non-2xx answers on $u" >&2; echo "$out" >&2; exit 1; fi
    echo "$(echo "$out" | awk '/Requests\/sec/ {print $2}') $(echo "$out" | wrk_p99) $(echo "$out" | awk '/requests in/ {print $1}')"
}

echo "== 1. article page /story/1/ce, one server thread (core 0), 3 x $DUR s each, $CONNS connections"
start lite 0 18090 --data "$work/lite" --threads 1
start pgs 0 18091 --data "$work/pgdata" --db "$(url bench1)" --threads 1
# A settled database, as a site's is: without this, autovacuum/analyze of the freshly seeded
# tables runs during the first runs and takes CPU from the two cores the bench has.
psql "$(url bench1)" -qc "VACUUM ANALYZE"
pg0=$(cpu_ticks $(pg_pids))
# Three rounds, each PostgreSQL then SQLite: consecutive runs of one server differ by up to
# 15 % here, so the ratio uses each backend's mean and the runs are printed.
l_runs=""; p_runs=""; l_rps=0; p_rps=0; l_p99=0; p_p99=0
for round in 1 2 3; do
    read -r r q _ <<<"$(wrk_run http://127.0.0.1:18091/story/1/ce)"
    p_runs="$p_runs $r"; p_rps=$(awk -v a="$p_rps" -v b="$r" 'BEGIN {print a + b / 3}')
    p_p99=$(awk -v a="$p_p99" -v b="$q" 'BEGIN {print (b > a) ? b : a}')
    read -r r q _ <<<"$(wrk_run http://127.0.0.1:18090/story/1/ce)"
    l_runs="$l_runs $r"; l_rps=$(awk -v a="$l_rps" -v b="$r" 'BEGIN {print a + b / 3}')
    l_p99=$(awk -v a="$l_p99" -v b="$q" 'BEGIN {print (b > a) ? b : a}')
done
pg1=$(cpu_ticks $(pg_pids))
echo "runs, req/s: PostgreSQL$p_runs; SQLite$l_runs; the database's own CPU meanwhile: $(( (pg1 - pg0) * 1000 / hz )) ms"
printf "%-22s %10s %8s\n" backend "mean req/s" "max p99"
printf "%-22s %10.0f %8.2f\n" SQLite "$l_rps" "$l_p99" PostgreSQL "$p_rps" "$p_p99"
awk -v a="$p_rps" -v b="$l_rps" 'BEGIN {printf "ratio PostgreSQL / SQLite: %.2f (target >= 0.9)\n", a / b}'
kill "$lite_pid" "$pgs_pid"; wait "$lite_pid" "$pgs_pid" 2>/dev/null || true

echo "== 2. mixed load on PostgreSQL: 95 % pages, 4 % signed-in account pages, 1 % writes"
# Readers with sessions, made through the JSON API on a server of its own.
start setup 0 18092 --data "$work/pgdata2" --db "$(url bench2)" --threads 2 --trust-proxy
cookies=()
for i in $(seq 1 20); do
    h=(-H "content-type: application/json" -H "x-csrf-token: $tok" -H "cookie: gz_csrf=$tok" -H "x-forwarded-for: 10.9.$i.1")
    curl -sf -o /dev/null "${h[@]}" -d "{\"email\":\"r$i@example.com\",\"username\":\"reader$i\",\"password\":\"correct horse battery $i\",\"agree\":true}" http://127.0.0.1:18092/api/v1/register
    sid=$(curl -s -D - -o /dev/null "${h[@]}" -d "{\"login\":\"reader$i\",\"password\":\"correct horse battery $i\"}" http://127.0.0.1:18092/api/v1/login |
          tr -d '\r' | awk -F'[=;]' '/^[Ss]et-[Cc]ookie: gz_sid=/ {print $2}')
    [ -n "$sid" ] || { echo "bench: no session for r$i" >&2; exit 1; }
    cookies+=("$sid")
done
kill "$setup_pid"; wait "$setup_pid" 2>/dev/null || true
{
    echo "local sids = {"; for c in "${cookies[@]}"; do echo "  \"$c\","; done; echo "}"
    cat <<LUA
local tok = "$tok"
local n = 0
math.randomseed(7)
request = function()
  n = n + 1
  local r = math.random(100)
  local c = "gz_csrf=" .. tok .. "; gz_sid=" .. sids[(n % #sids) + 1]
  if r <= 95 then
    return wrk.format("GET", "/story/1/ce", { ["Cookie"] = "gz_csrf=" .. tok })
  elseif r <= 99 then
    return wrk.format("GET", "/account", { ["Cookie"] = c })
  else
    return wrk.format("POST", "/prefs/fs", { ["Cookie"] = c,
      ["Content-Type"] = "application/x-www-form-urlencoded" }, "csrf=" .. tok .. "&fs=" .. math.random(5))
  end
end
LUA
} >"$work/mixed.lua"

# mixed NAME PID:PORT...: one wrk per server at once (all on core 1); totals, and the CPU the
# servers and the database used per request.
mixed() {
    local name=$1; shift
    local srv=() ports=() w=() x t0 t1 pg0 pg1 total=0 n=0 p99=0 line rps q n1
    for x in "$@"; do srv+=("${x%%:*}"); ports+=("${x##*:}"); done
    t0=$(cpu_ticks "${srv[@]}"); pg0=$(cpu_ticks $(pg_pids))
    for x in "${ports[@]}"; do wrk_run "http://127.0.0.1:$x" "$work/mixed.lua" >"$work/mixed.$x" & w+=($!); done
    wait "${w[@]}"
    t1=$(cpu_ticks "${srv[@]}"); pg1=$(cpu_ticks $(pg_pids))
    for x in "${ports[@]}"; do
        read -r rps q n1 <"$work/mixed.$x"
        total=$(awk -v a="$total" -v b="$rps" 'BEGIN {print a + b}')
        n=$((n + n1)); p99=$(awk -v a="$p99" -v b="$q" 'BEGIN {print (b > a) ? b : a}')
    done
    line=$(awk -v r="$total" -v q="$p99" -v n="$n" -v app=$((t1 - t0)) -v db=$((pg1 - pg0)) -v hz="$hz" \
        'BEGIN {printf "%10.0f %8.2f %12.1f %12.1f", r, q, app / hz * 1e6 / n, db / hz * 1e6 / n}')
    printf "%-26s %s\n" "$name" "$line"
    echo "$name $line" >>"$work/mixed.results"
}
printf "%-26s %10s %8s %12s %12s\n" setup req/s "p99 ms" "app us/req" "db us/req"
start one 0,1 18093 --data "$work/pgdata2" --db "$(url bench2)" --threads 2 --no-demo
mixed "one server, 2 threads" "$one_pid:18093"
kill "$one_pid"; wait "$one_pid" 2>/dev/null || true
start a 0 18094 --data "$work/pgdata2" --db "$(url bench2)" --threads 1 --no-demo
start b 1 18095 --data "$work/pgdata2" --db "$(url bench2)" --threads 1 --no-demo
mixed "two servers, 1 thread each" "$a_pid:18094" "$b_pid:18095"
awk '/^two/ {app=$(NF-1); db=$NF; rps=$(NF-3)}
     END {
        # A server core serves 1e6/app requests a second; the database, 1e6/db per core.
        printf "prediction: one app core serves %.0f mixed req/s; one database core %.0f req/s,\n", 1e6 / app, 1e6 / db
        printf "so N app servers (one core each) reach about min(N x %.0f, DB cores x %.0f) req/s:\n", 1e6 / app, 1e6 / db
        printf "the database core is the limit at N = %.1f app cores per database core.\n", app / db
     }' "$work/mixed.results"
kill "$a_pid" "$b_pid"; wait "$a_pid" "$b_pid" 2>/dev/null || true

echo "== 3. sign-ins per second per core (Argon2id), each backend"
for be in sqlite pg; do
    args=(--data "$work/signin-$be" --threads 1 --no-demo --trust-proxy)
    [ $be = pg ] && args+=(--db "$(url bench2)")
    start "si$be" 0 18096 "${args[@]}"
    pid=$(eval echo "\$si${be}_pid")
    h=(-H "content-type: application/json" -H "x-csrf-token: $tok" -H "cookie: gz_csrf=$tok")
    curl -s -o /dev/null "${h[@]}" -H "x-forwarded-for: 10.8.0.1" -d '{"email":"s@example.com","username":"signer","password":"correct horse battery","agree":true}' http://127.0.0.1:18096/api/v1/register
    t0=$(cpu_ticks "$pid"); s0=$(date +%s.%N); ok=0
    for i in $(seq 1 60); do
        c=$(curl -s -o /dev/null -w '%{http_code}' "${h[@]}" -H "x-forwarded-for: 10.8.1.$i" -d '{"login":"signer","password":"correct horse battery"}' http://127.0.0.1:18096/api/v1/login)
        [ "$c" = 200 ] && ok=$((ok + 1))
    done
    s1=$(date +%s.%N); t1=$(cpu_ticks "$pid")
    awk -v be=$be -v ok=$ok -v w="$(echo "$s1 - $s0" | bc)" -v c=$((t1 - t0)) -v hz="$hz" \
        'BEGIN {printf "%-10s %d/60 ok, %.1f sign-ins/s one at a time, %.1f ms server CPU each -> %.0f per core-second\n", be, ok, ok / w, c / hz * 1000 / ok, ok / (c / hz)}'
    kill "$pid"; wait "$pid" 2>/dev/null || true
done
