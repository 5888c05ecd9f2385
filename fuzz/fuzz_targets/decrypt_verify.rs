//! Feeds arbitrary bytes to `verify_response` with the SP's decryption key configured: input
//! decoding, parsing, the Response signature, the EncryptedData/EncryptedKey reader, RSA-OAEP,
//! AES-CBC/GCM, the plaintext splice and re-parse, and every later stage. Nothing may panic, and
//! anything accepted must be what the IdP signed. Seed the corpus with
//! `fixtures/xmlenc/generated/*.xml` (encrypted responses for alice, made by xmlsec1), so the
//! fuzzer mutates real ciphertexts and envelopes.
#![no_main]

use chrono::{TimeZone, Utc};
use libfuzzer_sys::fuzz_target;
use samlkit_cert::{Certificate, PrivateKey};
use samlkit_dsig::DecryptionKey;
use samlkit_saml::{VerifyPolicy, explain_response, verify_response};

const IDP_CERT: &[u8] = include_bytes!("../../fixtures/certs/idp.crt");
const SP_KEY: &[u8] = include_bytes!("../../fixtures/xmlenc/sp.key");
const SP_CERT: &[u8] = include_bytes!("../../fixtures/xmlenc/sp.crt");

fuzz_target!(|data: &[u8]| {
    let Ok(cert) = Certificate::load(IDP_CERT) else { return };
    let trusted = [cert];
    let (Ok(key), Ok(sp_cert)) = (PrivateKey::load(SP_KEY), Certificate::load(SP_CERT)) else {
        return;
    };
    let Ok(dk) = DecryptionKey::new(&key, Some(&sp_cert)) else { return };
    let keys = [dk];
    let Some(now) = Utc.with_ymd_and_hms(2026, 11, 29, 10, 1, 0).single() else { return };
    let mut policy = VerifyPolicy::without_binding_checks(&trusted, now).decryption_keys(&keys);
    if data.first().is_some_and(|b| b % 2 == 0) {
        policy = policy.allow_cbc_unsigned();
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
