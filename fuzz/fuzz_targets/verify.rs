//! Feeds arbitrary bytes to the whole `samlkit verify` pipeline (input decoding, parsing, the
//! signature profile, XML-DSig, SAML conditions) with the bundled IdP certificate trusted.
//! Nothing may panic, and anything accepted must be what the IdP signed: seed the corpus with
//! `fixtures/fuzz/verify/*` (genuine responses for alice), so the fuzzer mutates signed
//! documents, and check that an accepted one still says alice.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use samlkit_cert::Certificate;
use samlkit_saml::{VerifyPolicy, explain_response, verify_response};

const IDP_CERT: &[u8] = include_bytes!("../../fixtures/certs/idp.crt");

fuzz_target!(|data: &[u8]| {
    let Ok(cert) = Certificate::load(IDP_CERT) else { return };
    let trusted = [cert];
    let Some(now) = Utc.with_ymd_and_hms(2026, 11, 29, 10, 1, 0).single() else { return };
    let mut policy = VerifyPolicy::without_binding_checks(&trusted, now).allow_bare_assertion();
    if data.first().is_some_and(|b| b % 2 == 0) {
        policy = policy.allow_insecure_sha1();
    }
    let outcome = if data.len() % 3 == 0 {
        explain_response(data, &policy).into_parts().1
    } else {
        verify_response(data, &policy)
    };
    if let Ok(v) = outcome {
        assert_eq!(v.name_id(), "alice@example.com", "accepted a response with another subject");
        assert_eq!(v.issuer(), "https://idp.example.com");
    }
});
