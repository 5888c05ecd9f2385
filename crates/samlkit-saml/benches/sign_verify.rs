//! Signing and verifying a ~5 KB SAML response with RSA-2048 (the bundled IdP key).
//!
//! Targets (issue #4): sign >= 1,000 responses/s, verify >= 15,000 responses/s. The bare
//! RSA-2048 operations (the crypto provider alone; the names keep their old "ring" for
//! comparable reports) are measured alongside, so the XML share of the time is visible.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use samlkit_cert::{Certificate, PrivateKey, SignatureAlgorithm};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::*;

#[path = "support/response.rs"]
mod fixture_response;
use fixture_response::response;

const IDP_KEY: &[u8] = include_bytes!("../../../fixtures/keys/idp.key");
const IDP_CERT: &[u8] = include_bytes!("../../../fixtures/certs/idp.crt");

/// The IdP credential, the unsigned response and the same response with its Assertion signed.
struct Fixture {
    credential: SigningCredential,
    unsigned: String,
    profile: SigningProfile,
    signed: String,
}

fn fixture() -> Fixture {
    let key = PrivateKey::load(IDP_KEY).expect("key");
    let cert = Certificate::load(IDP_CERT).expect("cert");
    let credential = SigningCredential::new(&key, cert).expect("credential");
    let unsigned = response();
    let profile = SigningProfile {
        target: SignTarget::Assertion,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    let signed = sign_document(&unsigned, &credential, &profile).expect("signs");
    Fixture { credential, unsigned, profile, signed }
}

fn bench(c: &mut Criterion) {
    let Fixture { credential, unsigned, profile, signed } = fixture();
    let (signer, cert) = (credential.signer(), credential.certificate());
    eprintln!("response: {} bytes unsigned, {} bytes signed", unsigned.len(), signed.len());
    let trusted = vec![cert.clone()];
    let policy = VerifyPolicy::new(
        &trusted,
        "https://sp.example.com",
        "https://sp.example.com/acs",
        "https://idp.example.com",
        Utc.with_ymd_and_hms(2026, 11, 29, 10, 1, 0).unwrap(),
    );
    assert!(verify_response(signed.as_bytes(), &policy).is_ok());

    let mut g = c.benchmark_group("saml_response_5kb");
    g.throughput(Throughput::Elements(1));
    g.bench_function("sign_assertion_rsa2048", |b| {
        b.iter(|| sign_document(&unsigned, &credential, &profile))
    });
    g.bench_function("verify_rsa2048", |b| {
        b.iter(|| verify_response(signed.as_bytes(), &policy).is_ok())
    });
    g.bench_function("bare_ring_rsa2048_sign", |b| {
        b.iter(|| signer.sign(SignatureAlgorithm::RsaSha256, b"SignedInfo"))
    });
    let sig = signer.sign(SignatureAlgorithm::RsaSha256, b"SignedInfo").expect("signs");
    g.bench_function("bare_ring_rsa2048_verify", |b| {
        b.iter(|| cert.public_key().verify(SignatureAlgorithm::RsaSha256, b"SignedInfo", &sig))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches, parts_group);

#[allow(dead_code)]
fn parts(c: &mut Criterion) {
    let Fixture { signed, .. } = fixture();
    c.bench_function("parse_signed", |b| b.iter(|| samlkit_xml::parse(&signed).map(|d| d.len())));
    let doc = samlkit_xml::parse(&signed).unwrap();
    let a = doc.descendants().find(|n| n.local_name() == "Assertion").unwrap().id();
    c.bench_function("c14n_assertion", |b| {
        b.iter(|| {
            samlkit_xml::canonicalize_to_vec(
                &doc,
                Some(a),
                None,
                samlkit_xml::C14nAlgorithm::Exclusive,
                &[],
            )
        })
    });
    c.bench_function("cert_load", |b| {
        b.iter(|| Certificate::load(IDP_CERT).map(|c| c.der().len()))
    });
}
criterion_group!(parts_group, parts);
