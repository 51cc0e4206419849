# Shared by the bench scripts (sourced): CPU and wrk output readers.

# cpu_ticks PID...: user + system clock ticks the processes have used so far, summed.
cpu_ticks() { local t=0 p; for p in "$@"; do t=$((t + $(awk '{print $14 + $15}' "/proc/$p/stat"))); done; echo $t; }

# wrk_p99 < wrk --latency output: the 99th percentile latency in milliseconds.
wrk_p99() {
    awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; print v}'
}
