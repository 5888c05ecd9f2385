#!/usr/bin/env bash
# Load test of `samlkit idp serve`: non-interactive SSO (auto_login; a fresh AuthnRequest by
# HTTP-Redirect per request, answered with a signed response) with wrk (Debian wrk) at 50 and
# 200 connections, 30 s each, against the release build. Prints wrk's figures (logins/s =
# requests/s, latency percentiles, non-200 answers) and the server's RSS before and after.
# usage: scripts/idp-load.sh [SECONDS] (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
bin=target/release/samlkit
[ -x "$bin" ] || cargo build --release --bin samlkit
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
cp fixtures/keys/idp.key fixtures/certs/idp.crt "$work/"
cat > "$work/idp.toml" <<'TOML'
entity_id = "https://idp.example.com"
key = "idp.key"
cert = "idp.crt"
auto_login = "alice"

[[user]]
id = "alice"
name_id = "alice@example.com"
[user.attributes]
email = ["alice@example.com"]
groups = ["admins", "staff"]

[[sp]]
entity_id = "https://sp.example.com"
acs_url = "http://127.0.0.1:8000/acs"
TOML
"$bin" idp serve --config "$work/idp.toml" --listen 127.0.0.1:0 > "$work/out" 2> /dev/null &
pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/out" 2>/dev/null && break; sleep 0.1; done
base="$(head -1 "$work/out" | sed 's/^listening on //')"
rss() { awk '/VmRSS/ {print $2 " kB"}' "/proc/$pid/status"; }
echo "server $base, RSS at start: $(rss)"
for connections in 50 200; do
  echo "== $connections connections, ${seconds}s"
  wrk -t2 -c"$connections" -d"${seconds}s" --latency -s scripts/load/idp-sso.lua "$base" -- "$base/sso"
  echo "RSS after: $(rss)"
done
