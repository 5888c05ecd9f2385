#!/usr/bin/env bash
# Runs every test: installs the interop tools first (idempotent), then the whole workspace suite
# with the interop tests made mandatory, so a missing verifier fails loudly instead of the tests
# that need it being reported as ignored (see build.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
export SAMLKIT_REQUIRE_INTEROP=1
cargo test --workspace "$@"
