#!/usr/bin/env bash
# Load test of `samlkit idp serve`: non-interactive SSO (auto_login; a fresh AuthnRequest by
# HTTP-Redirect per request, answered with a signed response) against the release build:
#   1. closed loop with wrk (Debian wrk) at 50 and 200 connections: as many logins as the
#      server answers, each connection waiting for its answer before the next request;
#   2. open loop (scripts/load/open_loop.rs) at a fixed offered RATE over 200 connections,
#      latency counted from when each request was due.
# For each run it prints logins/s, latency percentiles, errors, the server's CPU time per login
# (user + system, so it can be judged apart from other load on the machine), its RSS after the
# run, and the load average. wrk and the server share the machine's cores.
# usage: scripts/idp-load.sh [SECONDS] [RATE]   (defaults: 30 s, 2000 logins/s)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
rate="${2:-2000}"
# shellcheck source=scripts/load/server.sh
source scripts/load/server.sh
echo "server $base, RSS at start: $(rss_kb) kB, load average $(load1), $(nproc) cores"
summary=()

# run NAME COMMAND...: runs one load, then reports the server's CPU per answered login.
run() {
  local name="$1" before after out requests errors
  shift
  before="$(cpu_ms)"
  out="$("$@" 2>&1)" || true
  after="$(cpu_ms)"
  echo "$out"
  case "$name" in
    wrk*)
      requests="$(echo "$out" | awk '/requests in/ {print $1}')"
      errors="$(echo "$out" | awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(",", ""); n += $4 + $6 + $8 + $10} END {print n + 0}')"
      ;;
    *)
      requests="$(echo "$out" | awk '/^completed/ {print $2}')"
      errors="$(echo "$out" | awk '/^completed/ {print $NF}')"
      ;;
  esac
  local per_login=$(( requests > 0 ? (after - before) * 1000 / requests : 0 ))
  echo "-- server CPU $(( after - before )) ms for $requests logins = ${per_login} µs per login;" \
    "RSS $(rss_kb) kB; errors $errors; load average $(load1)"
  summary+=("$(printf '%-22s %8s logins %6s errors %6s µs CPU/login %8s kB RSS' \
    "$name" "$requests" "$errors" "$per_login" "$(rss_kb)")")
}

for connections in 50 200; do
  echo "== closed loop (wrk): $connections connections, ${seconds}s"
  run "wrk $connections conns" wrk -t2 -c"$connections" -d"${seconds}s" --latency \
    -s scripts/load/idp-sso.lua "$base" -- "$base/sso"
done
echo "== open loop: $rate logins/s offered over 200 connections, ${seconds}s"
run "open $rate/s 200 conns" "$loadgen" "$base/sso" "$rate" 200 "$seconds"

echo "== summary (load average now $(load1))"
printf '%s\n' "${summary[@]}"
