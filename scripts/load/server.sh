# Sourced by scripts/idp-load.sh and scripts/idp-soak.sh: builds the release binary and the
# open-loop generator (once; cargo skips what is up to date), starts `samlkit idp serve` with
# auto_login (every AuthnRequest is answered with a signed response, no page) on a free port of
# 127.0.0.1, and defines what the scripts measure it with. Sets: $bin, $loadgen, $work, $pid,
# $base (http://ADDR). Stops the server and removes $work on exit.

# IDP_LOAD_SKIP_BUILD=1 uses the binaries as they are (e.g. while cargo is busy with a test build).
[ -n "${IDP_LOAD_SKIP_BUILD:-}" ] || cargo build --release --quiet --bin samlkit --example idp-open-loop
bin=target/release/samlkit
loadgen=target/release/examples/idp-open-loop
work="$(mktemp -d)"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
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
# The request log (one line per request) goes to /dev/null: a terminal would be the bottleneck.
"$bin" idp serve --config "$work/idp.toml" --listen 127.0.0.1:0 > "$work/out" 2> /dev/null &
pid=$!
for _ in $(seq 100); do grep -q '^listening on ' "$work/out" 2>/dev/null && break; sleep 0.1; done
base="$(head -1 "$work/out" | sed 's/^listening on //')"
[ -n "$base" ] || { echo "error: the server did not start" >&2; exit 1; }

# The server's resident memory in kB.
rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
# The server's CPU time so far (user + system) in milliseconds.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$pid/stat"; }
# The 1-minute load average.
load1() { cut -d' ' -f1 /proc/loadavg; }
