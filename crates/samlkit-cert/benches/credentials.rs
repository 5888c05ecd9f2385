//! What the signing and verifying paths cost: key and certificate parsing, RSA and ECDSA
//! signatures (RSA-SHA1 signing goes through the `rsa` crate, everything else through aws-lc-rs).
//! Run with `cargo bench -p samlkit-cert`.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use samlkit_cert::{Certificate, PrivateKey, SignatureAlgorithm};

const IDP_KEY: &str = include_str!("../../../fixtures/keys/idp.key");
const IDP_PKCS1: &str = include_str!("../../../fixtures/keys/idp-pkcs1.key");
const IDP_CERT: &[u8] = include_bytes!("../../../fixtures/certs/idp.crt");
const EC_KEY: &str = include_str!("../../../fixtures/keys/ec-p256.key");

fn parsing(c: &mut Criterion) {
    c.bench_function("load PKCS#8 RSA-2048 key", |b| {
        b.iter(|| PrivateKey::from_pem(black_box(IDP_KEY)))
    });
    c.bench_function("load PKCS#1 RSA-2048 key", |b| {
        b.iter(|| PrivateKey::from_pem(black_box(IDP_PKCS1)))
    });
    c.bench_function("load PEM certificate", |b| b.iter(|| Certificate::load(black_box(IDP_CERT))));
}

fn signatures(c: &mut Criterion) {
    let message = vec![0x5au8; 1024];
    let rsa = PrivateKey::from_pem(IDP_KEY).expect("fixture key");
    let rsa_signer = rsa.signer().expect("signer");
    let rsa_public = rsa.public_key();
    let ec = PrivateKey::from_pem(EC_KEY).expect("fixture key");
    let ec_signer = ec.signer().expect("signer");
    let cases = [
        ("rsa-sha256", &rsa_signer, &rsa_public, SignatureAlgorithm::RsaSha256),
        ("rsa-sha1", &rsa_signer, &rsa_public, SignatureAlgorithm::RsaSha1),
    ];
    for (name, signer, public, alg) in cases {
        let signature = signer.sign(alg, &message).expect("sign");
        c.bench_function(&format!("sign {name}"), |b| {
            b.iter(|| signer.sign(alg, black_box(&message)))
        });
        c.bench_function(&format!("verify {name}"), |b| {
            b.iter(|| public.verify(alg, black_box(&message), black_box(&signature)))
        });
    }
    let alg = SignatureAlgorithm::EcdsaP256Sha256;
    c.bench_function("sign ecdsa-p256", |b| b.iter(|| ec_signer.sign(alg, black_box(&message))));
}

criterion_group!(benches, parsing, signatures);
criterion_main!(benches);
