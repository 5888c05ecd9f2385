//! No input makes the keystore readers or the JWT verifier panic: arbitrary bytes, and mutations
//! of valid files (JKS mutations get a recomputed integrity hash so they reach the entry parser).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{TimeZone, Utc};
use proptest::prelude::*;
use samlkit_cert::jwt;
use samlkit_cert::keystore::{self, KeyEntry, KeystoreFormat};
use samlkit_cert::{Certificate, PrivateKey};
use sha1::{Digest, Sha1};

const KEY: &str = include_str!("../../../fixtures/keys/idp.key");
const CERT: &str = include_str!("../../../fixtures/certs/idp.crt");
const PASSWORD: &str = "fuzz-pass";

fn entry() -> KeyEntry {
    let key = PrivateKey::from_pem(KEY).unwrap();
    let cert = Certificate::load(CERT.as_bytes()).unwrap();
    KeyEntry::new("fuzz", &key, &[cert])
}

fn valid(format: KeystoreFormat) -> Vec<u8> {
    keystore::write(format, &entry(), PASSWORD, 0).unwrap()
}

/// Re-seals a (mutated) JKS body with a correct integrity hash for PASSWORD.
fn reseal_jks(mut body: Vec<u8>) -> Vec<u8> {
    let mut h = Sha1::new();
    h.update(PASSWORD.encode_utf16().flat_map(u16::to_be_bytes).collect::<Vec<_>>());
    h.update(b"Mighty Aphrodite");
    h.update(&body);
    body.extend_from_slice(&h.finalize());
    body
}

fn read_everything(bytes: &[u8]) {
    if let Ok(contents) = keystore::read(bytes, PASSWORD) {
        for e in &contents.entries {
            if let Ok(c) = e.decode() {
                let _ = keystore::check_salesforce(&c, &e.pkcs8_der);
            }
        }
        let _ = contents.select(None);
    }
    let _ = keystore::jks::decode(bytes, PASSWORD);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        read_everything(&bytes);
        let mut jks = vec![0xFE, 0xED, 0xFE, 0xED, 0, 0, 0, 2];
        jks.extend_from_slice(&bytes);
        read_everything(&reseal_jks(jks));
    }

    #[test]
    fn mutated_jks_reaches_the_entry_parser(at in 8usize..4000, with in proptest::collection::vec(any::<u8>(), 1..8), cut in 0usize..64) {
        let file = valid(KeystoreFormat::Jks);
        let mut body = file[..file.len() - 20].to_vec();
        let start = at % body.len();
        for (i, b) in with.iter().enumerate() {
            if let Some(slot) = body.get_mut(start + i) { *slot = *b; }
        }
        body.truncate(body.len().saturating_sub(cut));
        read_everything(&reseal_jks(body));
    }

    #[test]
    fn mutated_pkcs12(at in 0usize..4000, with in proptest::collection::vec(any::<u8>(), 1..8)) {
        let mut file = valid(KeystoreFormat::Pkcs12);
        let start = at % file.len();
        for (i, b) in with.iter().enumerate() {
            if let Some(slot) = file.get_mut(start + i) { *slot = *b; }
        }
        read_everything(&file);
    }

    #[test]
    fn arbitrary_tokens(token in "[A-Za-z0-9_.=-]{0,300}", raw in any::<String>()) {
        let key = PrivateKey::from_pem(KEY).unwrap().public_key();
        let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let _ = jwt::verify(&token, &key, now, 30, Some(jwt::SALESFORCE_LOGIN));
        let _ = jwt::verify(&raw, &key, now, 30, None);
        let _ = jwt::check_audience(&raw);
    }
}
