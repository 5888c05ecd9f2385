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

# C14N conformance against the shared vectors with the release binary.
c14n-conformance:
    cargo build --release
    bash fixtures/c14n/run.sh target/release/samlkit fixtures/c14n
