//! No input ever causes a panic: arbitrary and mutated bytes through every parser.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::read_fixture;
use proptest::prelude::*;
use samlkit_cert::{Certificate, Inventory, PrivateKey, PublicKey};

fn parse_everything(bytes: &[u8]) {
    let _ = Certificate::load_all(bytes);
    let _ = PrivateKey::load(bytes);
    let _ = PublicKey::from_spki_der(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        let _ = PrivateKey::from_pem(text);
        let _ = Inventory::parse(text, "fuzz.toml");
    }
}

/// Replaces the bytes at `at` (modulo the length) with `with`.
fn mutate(mut base: Vec<u8>, at: usize, with: &[u8]) -> Vec<u8> {
    if base.is_empty() {
        return with.to_vec();
    }
    let start = at % base.len();
    for (i, b) in with.iter().enumerate() {
        if let Some(slot) = base.get_mut(start + i) {
            *slot = *b;
        }
    }
    base
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        parse_everything(&bytes);
    }

    #[test]
    fn mutated_der_certificate(at in any::<usize>(), with in proptest::collection::vec(any::<u8>(), 1..4)) {
        parse_everything(&mutate(read_fixture("certs/idp.der"), at, &with));
    }

    #[test]
    fn mutated_der_key(at in any::<usize>(), with in proptest::collection::vec(any::<u8>(), 1..4)) {
        parse_everything(&mutate(read_fixture("keys/idp.key.der"), at, &with));
    }

    #[test]
    fn mutated_pem_texts(
        file in prop::sample::select(vec![
            "certs/idp.crt", "certs/bundle.pem", "keys/idp-pkcs1.key", "keys/ec-p256-sec1.key",
            "keys/idp-encrypted-legacy.key", "inventory/samlkit.toml",
        ]),
        at in any::<usize>(),
        with in "[-A-Za-z0-9+/=:\n \\[\\]\"#]{1,6}",
    ) {
        parse_everything(&mutate(read_fixture(file), at, with.as_bytes()));
    }

    #[test]
    fn truncated_inputs(cut in any::<usize>()) {
        for file in ["certs/idp.der", "keys/idp.key.der", "certs/idp.crt", "keys/ec-p256.key"] {
            let bytes = read_fixture(file);
            parse_everything(&bytes[..cut % (bytes.len() + 1)]);
        }
    }
}
