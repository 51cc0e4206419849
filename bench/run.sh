#!/usr/bin/env bash
# make bench: article page and transcript JSON throughput, p99 latency and server CPU per
# request, as ratios to nginx serving the same bytes as static files, measured in this run.
# The -gzip rows ask for gzip: Gazette answers from the page it compressed once (with the
# reader's token spliced in), nginx sends the same gzip bytes precompressed (gzip_static on).
# Server pinned to core 0 (one thread), wrk to core 1. Loopback only; every run is bounded.
set -euo pipefail
B=${1:-build}
BIN=$PWD/$B/gazette
DUR=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNS:-64}
command -v wrk >/dev/null || { echo "bench: needs wrk (apt-get install wrk)"; exit 1; }
command -v nginx >/dev/null || { echo "bench: needs nginx (apt-get install nginx-light)"; exit 1; }
work=$(mktemp -d /tmp/gz-bench.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

. "$(dirname "$0")/lib.sh"
hz=$(getconf CLK_TCK)

# run NAME PID URL [HEADER...]: prints one result line "name req/s p99_ms cpu_us_per_req"
run() {
    local name=$1 pid=$2 url=$3
    shift 3
    local h=() x
    for x in "$@"; do h+=(-H "$x"); done
    local t0 t1 out rps p99 n
    taskset -c 1 wrk -t1 -c"$CONNS" -d2s ${h[@]+"${h[@]}"} "$url" >/dev/null 2>&1 # warm-up
    t0=$(cpu_ticks "$pid")
    out=$(taskset -c 1 wrk -t1 -c"$CONNS" -d"${DUR}s" --latency ${h[@]+"${h[@]}"} "$url")
    t1=$(cpu_ticks "$pid")
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    n=$(echo "$out" | awk '/requests in/ {print $1}')
    p99=$(echo "$out" | wrk_p99)
    local non2xx; non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
    [ -z "$non2xx" ] || { echo "bench: $name had $non2xx non-2xx responses" >&2; echo "$out" >&2; exit 1; }
    echo "$name $rps $p99 $(awk -v t=$((t1 - t0)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.1f", t / hz * 1e6 / n}')"
}

# Gazette with the demo content, one server thread on core 0.
taskset -c 0 "$BIN" serve --listen 127.0.0.1:18080 --data "$work/data" --threads 1 --access-log off \
    >"$work/gz.out" 2>"$work/gz.err" &
gz=$!; pids+=($gz)
for _ in $(seq 1 300); do grep -q listening "$work/gz.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/gz.out" || { cat "$work/gz.err"; exit 1; }

# The same bytes as static files for nginx.
mkdir -p "$work/www/story/1/en"
curl -s -o "$work/www/page.html" http://127.0.0.1:18080/story/1/ce
curl -s -o "$work/www/transcript.json" http://127.0.0.1:18080/story/1/en/transcript.json
cookie="Cookie: gz_csrf=$(printf 'a%.0s' $(seq 1 43))"
mkdir -p "$work/wwwz"
curl -s -H "$cookie" -o "$work/wwwz/page.html" http://127.0.0.1:18080/story/1/ce
curl -s -H "$cookie" -H 'Accept-Encoding: gzip' -o "$work/wwwz/page.html.gz" http://127.0.0.1:18080/story/1/ce
gzip -t <"$work/wwwz/page.html.gz" || { echo "bench: gazette sent no gzip page" >&2; exit 1; }
chmod 755 "$work"; chmod -R a+rX "$work/www" "$work/wwwz"
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
worker_cpu_affinity 01;
daemon off;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
    access_log off;
    sendfile on; tcp_nopush on; keepalive_requests 1000000;
    types { text/html html; application/json json; }
    server { listen 127.0.0.1:18081; root $work/www; }
    server { listen 127.0.0.1:18082; root $work/wwwz; gzip_static on; gzip_vary on; }
}
CONF
taskset -c 0 nginx -c "$work/nginx.conf" &
ng=$!; pids+=($ng)
sleep 0.5
ngw=$(pgrep -P "$ng" | head -1); [ -n "$ngw" ] || ngw=$ng

echo "page: $(stat -c %s "$work/www/page.html") bytes ($(stat -c %s "$work/wwwz/page.html.gz") gzip); transcript: $(stat -c %s "$work/www/transcript.json") bytes; $DUR s per run, $CONNS connections"
{
    run nginx-page "$ngw" http://127.0.0.1:18081/page.html
    run gazette-page "$gz" http://127.0.0.1:18080/story/1/ce "$cookie"
    run gazette-page-first-visit "$gz" http://127.0.0.1:18080/story/1/ce
    run nginx-page-gzip "$ngw" http://127.0.0.1:18082/page.html "Accept-Encoding: gzip"
    run gazette-page-gzip "$gz" http://127.0.0.1:18080/story/1/ce "$cookie" "Accept-Encoding: gzip"
    run nginx-transcript "$ngw" http://127.0.0.1:18081/transcript.json
    run gazette-transcript "$gz" http://127.0.0.1:18080/story/1/en/transcript.json "$cookie"
} >"$work/results"
awk '
    { rps[$1]=$2; p99[$1]=$3; cpu[$1]=$4; order[NR]=$1 }
    END {
        printf "%-26s %10s %8s %12s %10s %10s\n", "target", "req/s", "p99 ms", "CPU us/req", "rps ratio", "CPU ratio"
        for (i = 1; i <= NR; i++) {
            n = order[i]; ref = (n ~ /transcript/) ? "nginx-transcript" : (n ~ /gzip/) ? "nginx-page-gzip" : "nginx-page"
            printf "%-26s %10.0f %8.2f %12.1f %10.2f %10.2f\n", n, rps[n], p99[n], cpu[n], rps[n]/rps[ref], cpu[n]/cpu[ref]
        }
    }' "$work/results"
