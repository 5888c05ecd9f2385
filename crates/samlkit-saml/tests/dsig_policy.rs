//! How XML-DSig refusals of legacy or unusual signers reach the SAML vocabulary (issue 9, items
//! 18 and 19): `key_too_small` with its hint, the one `VerifyPolicy` switch that lifts it, and the
//! trusted certificate reported when KeyInfo carries another one. Inputs are signed by xmlsec1
//! (`fixtures/dsig-interop/`).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Utc};
use samlkit_cert::Certificate;
use samlkit_saml::{ErrorKind, Hint, VerifyPolicy, verify_response};

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../../fixtures/{rel}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn now() -> DateTime<Utc> {
    "2026-11-29T10:01:00Z".parse().unwrap()
}

#[test]
fn rsa_1024_is_key_too_small_until_explicitly_allowed() {
    let legacy = [Certificate::load(&fixture("certs/legacy-rsa1024.crt")).unwrap()];
    let sha256 = fixture("dsig-interop/signed/rsa1024-sha256.xml");
    let sha1 = fixture("dsig-interop/signed/rsa1024-sha1.xml");
    let policy = VerifyPolicy::without_binding_checks(&legacy, now());

    for (doc, policy) in [(&sha256, policy.clone()), (&sha1, policy.clone().allow_insecure_sha1())]
    {
        let err = verify_response(doc, &policy).unwrap_err();
        assert_eq!((err.kind(), err.code()), (ErrorKind::KeyTooSmall, "key_too_small"));
        assert_eq!(err.hint(), Some(Hint::AllowRsa1024));
        assert!(err.detail().contains("its RSA key has 1024 bits"), "{err}");
        assert!(err.detail().contains(&legacy[0].sha256_fingerprint()), "{err}");
    }
    let allowed = policy.clone().allow_insecure_rsa1024();
    assert!(verify_response(&sha256, &allowed).is_ok());
    let err = verify_response(&sha1, &allowed).unwrap_err();
    assert_eq!((err.kind(), err.hint()), (ErrorKind::AlgorithmRefused, Some(Hint::AllowSha1)));
    assert!(verify_response(&sha1, &allowed.allow_insecure_sha1()).is_ok());
}

#[test]
fn the_trusted_certificate_is_reported_whatever_keyinfo_carries() {
    let trusted = [
        Certificate::load(&fixture("certs/attacker.crt")).unwrap(),
        Certificate::load(&fixture("certs/idp.crt")).unwrap(),
    ];
    let policy = VerifyPolicy::without_binding_checks(&trusted, now());
    for name in ["keyinfo-reissued", "keyinfo-unrelated"] {
        let v = verify_response(&fixture(&format!("dsig-interop/signed/{name}.xml")), &policy)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.cert_index(), 1, "{name}");
        assert_eq!(v.cert_sha256(), trusted[1].sha256_fingerprint(), "{name}");
    }
}

#[test]
fn ecdsa_with_the_other_hash_verifies() {
    for (name, cert) in [("p256-ecdsa-sha384", "ec-p256"), ("p384-ecdsa-sha256", "ec-p384")] {
        let trusted = [Certificate::load(&fixture(&format!("certs/{cert}.crt"))).unwrap()];
        let policy = VerifyPolicy::without_binding_checks(&trusted, now());
        let doc = fixture(&format!("dsig-interop/signed/{name}.xml"));
        let v = verify_response(&doc, &policy).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(v.name_id(), "alice@example.com");
    }
}
