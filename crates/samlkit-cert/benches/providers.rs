//! The crypto provider on the operations samlkit performs: RSA-2048 and RSA-4096 PKCS#1 v1.5
//! SHA-256 sign and verify (Salesforce accepts 4096-bit keys), ECDSA P-256 sign and verify
//! (fixed `r || s`), and SHA-256 of 4 KB. Verification is measured with the key parsed on every
//! call (`UnparsedPublicKey`) and parsed once (`ParsedPublicKey`, what samlkit caches per
//! trusted certificate). Run with `cargo bench -p samlkit-cert --bench providers`.
//!
//! Issue #11 asked to switch from ring to aws-lc-rs only on a measured gain. This bench ran both
//! side by side in one run before the switch (commit "Bench ring against aws-lc-rs"), on the
//! 2-core AMD EPYC build machine while other builds ran (load average 13, so absolute times are
//! inflated several times; the ratios are what counts). Median times:
//!
//! | operation                   | ring     | aws-lc-rs | aws-lc-rs, key parsed once | gain        |
//! |-----------------------------|----------|-----------|----------------------------|-------------|
//! | RSA-2048 sign               | 1.70 ms  | 0.87 ms   |                            | 1.95x       |
//! | RSA-2048 verify             | 67.0 us  | 68.1 us   | 55.6 us                    | 1.0x / 1.2x |
//! | RSA-4096 sign               | 14.7 ms  | 5.51 ms   |                            | 2.66x       |
//! | RSA-4096 verify             | 285 us   | 233 us    | 207 us                     | 1.2x / 1.4x |
//! | ECDSA P-256 sign            | 65.7 us  | 63.3 us   |                            | 1.04x       |
//! | ECDSA P-256 verify          | 188 us   | 173 us    | 182 us                     | 1.1x        |
//! | SHA-256, 4 KB               | 7.20 us  | 7.54 us   |                            | 0.96x       |
//!
//! ring then left the dependency tree, and with it this bench's ring side.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use aws_lc_rs::encoding::AsDer as _;
use criterion::{Criterion, criterion_group, criterion_main};
use samlkit_cert::PrivateKey;

const IDP_KEY: &[u8] = include_bytes!("../../../fixtures/keys/idp.key");
const EC_KEY: &[u8] = include_bytes!("../../../fixtures/keys/ec-p256.key");

/// One RSA key as PKCS#8 DER (both providers read it) and its PKCS#1 public key.
struct RsaCase {
    name: &'static str,
    pkcs8: Vec<u8>,
}

fn rsa_cases() -> Vec<RsaCase> {
    let rsa2048 = PrivateKey::load(IDP_KEY).unwrap().pkcs8_der().to_vec();
    // A fresh 4096-bit key (key generation is not what is measured).
    let rsa4096 = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa4096)
        .unwrap()
        .as_der()
        .unwrap()
        .as_ref()
        .to_vec();
    vec![RsaCase { name: "rsa2048", pkcs8: rsa2048 }, RsaCase { name: "rsa4096", pkcs8: rsa4096 }]
}

fn rsa(c: &mut Criterion) {
    let message = vec![0x5au8; 1024];
    for case in rsa_cases() {
        let mut group = c.benchmark_group(format!("{} pkcs1-sha256", case.name));
        group.measurement_time(Duration::from_secs(4));

        let aws_pair = aws_lc_rs::signature::RsaKeyPair::from_pkcs8(&case.pkcs8).unwrap();
        let aws_rng = aws_lc_rs::rand::SystemRandom::new();
        let mut aws_sig = vec![0u8; aws_pair.public_modulus_len()];
        aws_pair
            .sign(&aws_lc_rs::signature::RSA_PKCS1_SHA256, &aws_rng, &message, &mut aws_sig)
            .unwrap();
        let aws_public = aws_lc_rs::signature::KeyPair::public_key(&aws_pair).as_ref().to_vec();
        let aws_parsed = aws_lc_rs::signature::ParsedPublicKey::new(
            &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
            &aws_public,
        )
        .unwrap();

        group.bench_function("sign aws-lc-rs", |b| {
            b.iter(|| {
                aws_pair
                    .sign(
                        &aws_lc_rs::signature::RSA_PKCS1_SHA256,
                        &aws_rng,
                        black_box(&message),
                        &mut aws_sig,
                    )
                    .unwrap()
            })
        });
        group.bench_function("verify aws-lc-rs unparsed", |b| {
            b.iter(|| {
                aws_lc_rs::signature::UnparsedPublicKey::new(
                    &aws_lc_rs::signature::RSA_PKCS1_2048_8192_SHA256,
                    &aws_public,
                )
                .verify(black_box(&message), black_box(&aws_sig))
                .unwrap()
            })
        });
        group.bench_function("verify aws-lc-rs parsed", |b| {
            b.iter(|| aws_parsed.verify_sig(black_box(&message), black_box(&aws_sig)).unwrap())
        });
        group.finish();
    }
}

fn ecdsa(c: &mut Criterion) {
    let message = vec![0x5au8; 1024];
    let pkcs8 = PrivateKey::load(EC_KEY).unwrap().pkcs8_der().to_vec();
    let mut group = c.benchmark_group("ecdsa-p256-sha256");
    group.measurement_time(Duration::from_secs(4));

    let aws_rng = aws_lc_rs::rand::SystemRandom::new();
    let aws_pair = aws_lc_rs::signature::EcdsaKeyPair::from_pkcs8(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
        &pkcs8,
    )
    .unwrap();
    let aws_public = aws_lc_rs::signature::KeyPair::public_key(&aws_pair).as_ref().to_vec();
    let aws_sig = aws_pair.sign(&aws_rng, &message).unwrap().as_ref().to_vec();
    let aws_parsed = aws_lc_rs::signature::ParsedPublicKey::new(
        &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
        &aws_public,
    )
    .unwrap();

    group.bench_function("sign aws-lc-rs", |b| {
        b.iter(|| aws_pair.sign(&aws_rng, black_box(&message)).unwrap())
    });
    group.bench_function("verify aws-lc-rs unparsed", |b| {
        b.iter(|| {
            aws_lc_rs::signature::UnparsedPublicKey::new(
                &aws_lc_rs::signature::ECDSA_P256_SHA256_FIXED,
                &aws_public,
            )
            .verify(black_box(&message), black_box(&aws_sig))
            .unwrap()
        })
    });
    group.bench_function("verify aws-lc-rs parsed", |b| {
        b.iter(|| aws_parsed.verify_sig(black_box(&message), black_box(&aws_sig)).unwrap())
    });
    group.finish();
}

fn digest(c: &mut Criterion) {
    let data = vec![0x3cu8; 4096];
    let mut group = c.benchmark_group("sha256 4KB");
    group.measurement_time(Duration::from_secs(3));
    group.throughput(criterion::Throughput::Bytes(data.len() as u64));
    group.bench_function("aws-lc-rs", |b| {
        b.iter(|| aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, black_box(&data)))
    });
    group.finish();
}

criterion_group!(benches, rsa, ecdsa, digest);
criterion_main!(benches);
