//! Probes the external tools the interop tests under `tests/` run (xmlsec1, openssl, keytool,
//! Debian's Python with python3-saml and PyJWT, Node.js with xml-crypto) so that a test needing a
//! missing tool is compiled with `#[ignore = "…"]` and `cargo test` reports it as ignored, with
//! the reason, instead of counting a test that checked nothing as passed. Under
//! `SAMLKIT_REQUIRE_INTEROP` (scripts/test.sh, CI) nothing is ignored: the tests run and fail
//! loudly on a missing tool. The probe itself, shared with the tests' run-time guard, is
//! `tests/support/tools.rs`. The binary does not depend on any of this; the build script only
//! emits `cfg`s that the tests read.

#[path = "tests/support/tools.rs"]
mod tools;

use std::path::{Path, PathBuf};

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=tests/support/tools.rs");
    println!("cargo::rerun-if-env-changed={}", tools::REQUIRE_ENV);
    println!("cargo::rerun-if-env-changed={}", tools::HIDE_ENV);
    println!("cargo::rerun-if-env-changed=PATH");
    for watched in install_locations() {
        println!("cargo::rerun-if-changed={}", watched.display());
    }

    let required = tools::interop_required();
    for tool in tools::ALL {
        println!("cargo::rustc-check-cfg=cfg(missing_{})", tool.name);
        let Err(why) = tools::probe(tool) else { continue };
        if required {
            println!(
                "cargo::warning={} is not usable ({why}) and {} is set: the tests that need it \
                 will fail; run scripts/install-test-deps.sh",
                tool.name,
                tools::REQUIRE_ENV
            );
        } else {
            println!("cargo::rustc-cfg=missing_{}", tool.name);
            println!(
                "cargo::warning={} is not usable ({why}): the tests that need it are ignored; \
                 run scripts/install-test-deps.sh",
                tool.name
            );
        }
    }
}

/// Where installing a tool leaves a trace, so that installing one re-runs the probe: the package
/// database (the python3-* modules and the JDK come from Debian packages), the npm project that
/// holds xml-crypto, and each absolute `PATH` directory outside this repository (a `target/`
/// directory on `PATH` would re-run the probe on every build). Cargo re-runs a build script whose
/// watched path is missing, so only existing paths are listed.
fn install_locations() -> Vec<PathBuf> {
    let repo = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut watched: Vec<PathBuf> =
        vec![PathBuf::from("/var/lib/dpkg/status"), repo.join("tests/interop/node")];
    for dir in std::env::split_paths(&path) {
        if dir.is_absolute() && !dir.starts_with(&repo) && !watched.contains(&dir) {
            watched.push(dir);
        }
    }
    watched.retain(|p| Path::new(p).exists());
    watched
}
