#!/usr/bin/env bash
# Soak test of `samlkit idp serve`: non-interactive SSO at a fixed offered rate (open loop,
# scripts/load/open_loop.rs, 50 connections) for MINUTES, sampling the server's RSS and CPU time
# every 10 s. Prints a table, the generator's figures (errors, latency), and the RSS growth from
# minute 1 to the end and from minute 7 to the end: the server remembers each answered
# AuthnRequest ID for the request's freshness window (5 min + 1 min skew), so its memory fills
# for the first 6 minutes and must be flat after that.
# usage: scripts/idp-soak.sh [MINUTES] [RATE]   (defaults: 10 minutes, 1000 logins/s: half the
#        2,000/s of the load target; IDP_SOAK_RATE also sets RATE)
set -euo pipefail
cd "$(dirname "$0")/.."
minutes="${1:-10}"
rate="${2:-${IDP_SOAK_RATE:-1000}}"
seconds=$(( minutes * 60 ))
# shellcheck source=scripts/load/server.sh
source scripts/load/server.sh
echo "server $base; $rate logins/s offered for $minutes min; load average $(load1), $(nproc) cores"
"$loadgen" "$base/sso" "$rate" 50 "$seconds" > "$work/loadgen.out" 2>&1 &
loadgen_pid=$!

samples="$work/samples"
start_cpu="$(cpu_ms)"
printf '%8s %10s %12s %8s\n' "time s" "RSS kB" "CPU ms" "load1" | tee "$samples.table"
elapsed=0
while kill -0 "$loadgen_pid" 2>/dev/null && [ "$elapsed" -le "$seconds" ]; do
  line="$(printf '%8d %10d %12d %8s' "$elapsed" "$(rss_kb)" "$(( $(cpu_ms) - start_cpu ))" "$(load1)")"
  echo "$line" | tee -a "$samples.table"
  echo "$elapsed $(rss_kb)" >> "$samples"
  sleep 10
  elapsed=$(( elapsed + 10 ))
done
status=0
wait "$loadgen_pid" || status=$?
printf '%8d %10d %12d %8s\n' "$seconds" "$(rss_kb)" "$(( $(cpu_ms) - start_cpu ))" "$(load1)" | tee -a "$samples.table"
echo "$seconds $(rss_kb)" >> "$samples"
cat "$work/loadgen.out"
cpu_total=$(( $(cpu_ms) - start_cpu ))
completed="$(awk '/^completed/ {print $2}' "$work/loadgen.out")"
echo "server CPU ${cpu_total} ms for ${completed:-0} logins = $(( ${completed:-0} > 0 ? cpu_total * 1000 / completed : 0 )) µs per login"
# growth FROM_SECOND: RSS at the end minus RSS at the first sample at or after FROM_SECOND.
growth() {
  awk -v from="$1" '$1 >= from && first == "" {first = $2; at = $1} {last = $2}
    END { if (first == "") print "n/a (run shorter than that)";
          else printf "%+d kB (%d kB at %d s -> %d kB at the end)\n", last - first, first, at, last }' "$samples"
}
echo "RSS growth from minute 1 to the end: $(growth 60)"
echo "RSS growth from minute 7 (after one freshness window) to the end: $(growth 420)"
echo "load average at the end: $(load1)"
exit "$status"
