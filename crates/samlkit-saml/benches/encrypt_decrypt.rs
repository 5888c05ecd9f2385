//! Encrypted assertions with RSA-2048 keys (the bundled IdP key signs, the SP key of
//! `fixtures/xmlenc/` decrypts): issuing (sign the Assertion, encrypt it) and verifying
//! (decrypt, then every check), next to the plaintext verify, so the cost of encryption shows.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use samlkit_cert::{Certificate, PrivateKey};
use samlkit_dsig::{
    DataAlgorithm, DecryptionKey, DigestMethod, EncryptOptions, KeyTransport, SignatureMethod,
};
use samlkit_saml::*;

#[path = "support/response.rs"]
mod fixture_response;
use fixture_response::response;

const IDP_KEY: &[u8] = include_bytes!("../../../fixtures/keys/idp.key");
const IDP_CERT: &[u8] = include_bytes!("../../../fixtures/certs/idp.crt");
const SP_KEY: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp.key");
const SP_CERT: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp.crt");

fn bench(c: &mut Criterion) {
    let credential = SigningCredential::new(
        &PrivateKey::load(IDP_KEY).unwrap(),
        Certificate::load(IDP_CERT).unwrap(),
    )
    .unwrap();
    let sp_cert = Certificate::load(SP_CERT).unwrap();
    let keys = [DecryptionKey::new(&PrivateKey::load(SP_KEY).unwrap(), Some(&sp_cert)).unwrap()];
    let unsigned = response();
    let assertion = SigningProfile {
        target: SignTarget::Assertion,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    let gcm = EncryptOptions::default();
    let cbc =
        EncryptOptions { data: DataAlgorithm::Aes256Cbc, key_transport: KeyTransport::DEFAULT };
    let issue = |opts: &EncryptOptions| {
        let signed = sign_document(&unsigned, &credential, &assertion).unwrap();
        encrypt_assertion(&signed, &sp_cert, opts).unwrap()
    };
    let plain = sign_document(&unsigned, &credential, &assertion).unwrap();
    let encrypted_gcm = issue(&gcm);
    let encrypted_cbc_signed = sign_document(
        &issue(&cbc),
        &credential,
        &SigningProfile { target: SignTarget::Response, ..assertion },
    )
    .unwrap();
    let trusted = vec![credential.certificate().clone()];
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 10, 1, 0).unwrap();
    let policy = VerifyPolicy::new(
        &trusted,
        "https://sp.example.com",
        "https://sp.example.com/acs",
        "https://idp.example.com",
        now,
    )
    .decryption_keys(&keys);
    for doc in [&plain, &encrypted_gcm, &encrypted_cbc_signed] {
        assert!(verify_response(doc.as_bytes(), &policy).is_ok());
    }
    eprintln!("response: {} bytes signed, {} bytes encrypted", plain.len(), encrypted_gcm.len());

    let mut g = c.benchmark_group("encrypted_response_rsa2048");
    g.throughput(Throughput::Elements(1));
    g.bench_function("issue_sign_then_encrypt_gcm", |b| b.iter(|| issue(&gcm)));
    g.bench_function("verify_plaintext", |b| {
        b.iter(|| verify_response(plain.as_bytes(), &policy).is_ok())
    });
    g.bench_function("verify_decrypt_gcm", |b| {
        b.iter(|| verify_response(encrypted_gcm.as_bytes(), &policy).is_ok())
    });
    g.bench_function("verify_decrypt_cbc_response_signed", |b| {
        b.iter(|| verify_response(encrypted_cbc_signed.as_bytes(), &policy).is_ok())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
