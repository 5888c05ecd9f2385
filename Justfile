# Shortcuts; every recipe is a plain command you can also run without `just`.

# Run every test (installs the interop tools first).
test:
    bash scripts/test.sh

# What CI runs.
ci:
    bash .ci/run

# Criterion benchmarks.
bench:
    cargo bench --workspace

# samlkit side by side with libxmlsec1 (python-xmlsec, xmlsec1), lxml and xmllint, one run (README: Performance).
bench-anchors:
    bash scripts/bench-anchors.sh

# Load test of `samlkit idp serve` (README: Run a test IdP, Load): wrk at 50 and 200 connections,
# then a fixed 2,000 logins/s open loop; SECONDS per run (default 30).
idp-load SECONDS="30":
    bash scripts/idp-load.sh {{SECONDS}}

# Soak of `samlkit idp serve`: 1,000 logins/s for MINUTES (default 10), RSS every 10 s.
idp-soak MINUTES="10":
    bash scripts/idp-soak.sh {{MINUTES}}

# C14N conformance against the shared vectors with the release binary.
c14n-conformance:
    cargo build --release
    bash fixtures/c14n/run.sh target/release/samlkit fixtures/c14n

# The main job: build once (with cargo's progress), then issue a signed response for alice from
# the bundled key and verify it.
demo:
    cargo build --release
    target/release/samlkit issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt --issuer https://idp.example.com --name-id alice@example.com --audience https://sp.example.com --recipient https://sp.example.com/acs | target/release/samlkit verify --cert fixtures/certs/idp.crt --audience https://sp.example.com --recipient https://sp.example.com/acs --issuer https://idp.example.com -

# Re-sign the xmlsec1 interop templates (needs xmlsec1).
xmlsec-fixtures:
    bash fixtures/xmlsec/generate.sh

# Fuzz samlkit verify for a minute (needs nightly and cargo-fuzz).
fuzz-verify:
    mkdir -p fuzz/corpus/verify && cp fixtures/fuzz/verify/* fuzz/corpus/verify/
    cd fuzz && cargo +nightly fuzz run verify corpus/verify -- -max_total_time=60

# Fuzz the parser and C14N for a minute (needs nightly and cargo-fuzz).
fuzz-c14n:
    mkdir -p fuzz/corpus/parse_c14n && cp fixtures/fuzz/parse_c14n/* fuzz/corpus/parse_c14n/
    cd fuzz && cargo +nightly fuzz run parse_c14n corpus/parse_c14n -- -max_total_time=60
