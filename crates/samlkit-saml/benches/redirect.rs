//! Cost of the HTTP-Redirect binding: sign (DEFLATE + base64 + one RSA-2048 signature) and
//! verify (query parsing, inflate, one verification). Run with
//! `cargo bench -p samlkit-saml --bench redirect`.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use criterion::{Criterion, criterion_group, criterion_main};
use samlkit_cert::{PrivateKey, SignatureAlgorithm};
use samlkit_saml::redirect::{self, MessageKind};

const KEY: &str = include_str!("../../../fixtures/keys/idp.key");
const XML: &[u8] = include_bytes!("../../../fixtures/redirect/authn-request.xml");

fn bench(c: &mut Criterion) {
    let key = PrivateKey::from_pem(KEY).expect("fixture key");
    let signer = key.signer().expect("signer");
    let public = key.public_key();
    let sign = || {
        redirect::sign_url(
            "https://idp.example.com/sso",
            MessageKind::Request,
            XML,
            Some("state"),
            SignatureAlgorithm::RsaSha256,
            &signer,
        )
        .expect("sign")
    };
    let mut group = c.benchmark_group("redirect");
    group.bench_function("sign", |b| b.iter(sign));
    let url = sign();
    group.bench_function("verify", |b| {
        b.iter(|| redirect::verify_url(&url, &public, false).expect("verify"))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
