//! Feeds arbitrary bytes to the whole `samlkit verify` pipeline (input decoding, parsing, the
//! signature profile, XML-DSig, SAML conditions) with the bundled IdP certificate trusted.
//! Nothing may panic, and anything accepted must be what the IdP signed: seed the corpus with
//! `fixtures/fuzz/verify/*` (genuine responses for alice), so the fuzzer mutates signed
//! documents, and check that an accepted one still says alice.
#![no_main]

use chrono::{Duration, TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use samlkit_cert::Certificate;
use samlkit_saml::{Require, VerifyPolicy, verify_response};

const IDP_CERT: &[u8] = include_bytes!("../../fixtures/certs/idp.crt");

fuzz_target!(|data: &[u8]| {
    let Ok(cert) = Certificate::load(IDP_CERT) else { return };
    let trusted = [cert];
    let Some(now) = Utc.with_ymd_and_hms(2026, 11, 29, 10, 1, 0).single() else { return };
    let policy = VerifyPolicy {
        trusted: &trusted,
        audience: None,
        recipient: None,
        issuer: None,
        in_response_to: None,
        now,
        skew: Duration::seconds(180),
        require: Require::Any,
        allow_sha1: data.first().is_some_and(|b| b % 2 == 0),
        explain: data.len() % 3 == 0,
    };
    if let Ok(v) = verify_response(data, &policy).outcome {
        assert_eq!(v.name_id, "alice@example.com", "accepted a response with another subject");
        assert_eq!(v.issuer, "https://idp.example.com");
    }
});
