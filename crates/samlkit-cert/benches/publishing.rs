//! Cost of the publishing formats: JWT bearer tokens (issue = one RSA-2048 signature, verify =
//! one verification plus JSON) and keystores (JKS: SHA-1 key protector; PKCS#12: PBKDF2 with
//! 10 000 iterations dominates). Run with `cargo bench -p samlkit-cert --bench publishing`.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use samlkit_cert::jwt::{self, JwtRequest};
use samlkit_cert::keystore::{self, KeyEntry, KeystoreFormat};
use samlkit_cert::{Certificate, PrivateKey};

const KEY: &str = include_str!("../../../fixtures/keys/idp.key");
const CERT: &str = include_str!("../../../fixtures/certs/idp.crt");

fn bench(c: &mut Criterion) {
    let key = PrivateKey::from_pem(KEY).expect("fixture key");
    let cert = Certificate::load(CERT.as_bytes()).expect("fixture cert");
    let signer = key.signer().expect("signer");
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).single().expect("time");

    let mut group = c.benchmark_group("jwt");
    let request = JwtRequest::new("client", "alice@example.com", now);
    group.bench_function("issue", |b| b.iter(|| jwt::issue(&request, &signer).expect("issue")));
    let token = jwt::issue(&request, &signer).expect("issue");
    group.bench_function("verify", |b| {
        b.iter(|| jwt::verify(&token, cert.public_key(), now, 30, None).expect("verify"))
    });
    group.finish();

    let entry = KeyEntry::new("sso", &key, std::slice::from_ref(&cert));
    let mut group = c.benchmark_group("keystore");
    group.sample_size(20);
    for (name, format) in [("jks", KeystoreFormat::Jks), ("p12", KeystoreFormat::Pkcs12)] {
        group.bench_function(format!("{name}/write"), |b| {
            b.iter(|| keystore::write(format, &entry, "bench-pass", 0).expect("write"))
        });
        let bytes = keystore::write(format, &entry, "bench-pass", 0).expect("write");
        group.bench_function(format!("{name}/read"), |b| {
            b.iter(|| keystore::read(&bytes, "bench-pass").expect("read"))
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
