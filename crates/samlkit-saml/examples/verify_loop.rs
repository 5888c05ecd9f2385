//! Verifies the benchmark's ~5 KB signed response N times (default 1,000), for profilers that
//! count instructions (`valgrind --tool=callgrind --toggle-collect='*verify_response*'`,
//! `perf record`), where criterion's timing loop would get in the way.
//!
//! `cargo run --release -p samlkit-saml --example verify_loop -- 1000`
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../benches/support/response.rs"]
mod support;

use chrono::{TimeZone, Utc};
use samlkit_cert::{PrivateKey, RsaKeySize, Subject, generate};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map(|s| s.parse()).transpose()?.unwrap_or(1000);
    let unsigned = support::response();
    // A fresh RSA-2048 IdP credential: verification costs the same with any key of that size.
    let key = PrivateKey::generate_rsa(RsaKeySize::Bits2048)?;
    let not_before = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).single().ok_or("time")?;
    let cert = generate::self_signed(&key, &Subject::new("idp.example.com"), not_before, 365)?;
    let credential = SigningCredential::new(&key, cert.clone())?;
    let profile = SigningProfile {
        target: SignTarget::Assertion,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    let signed = sign_document(&unsigned, &credential, &profile)?;
    let trusted = vec![cert];
    let policy = VerifyPolicy::new(
        &trusted,
        "https://sp.example.com",
        "https://sp.example.com/acs",
        "https://idp.example.com",
        Utc.with_ymd_and_hms(2026, 11, 29, 10, 1, 0).single().ok_or("time")?,
    );
    let started = std::time::Instant::now();
    let mut valid = 0usize;
    for _ in 0..n {
        valid += usize::from(verify_response(signed.as_bytes(), &policy).is_ok());
    }
    let each = started.elapsed() / n.max(1) as u32;
    println!("{valid}/{n} valid, {each:?} each ({} bytes signed)", signed.len());
    Ok(())
}
