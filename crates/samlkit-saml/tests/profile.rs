//! The public API end to end: build → sign (each profile) → verify, what the verifier reports,
//! and a property test that no mutation of a signed response is ever accepted with other values.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::Duration;
use common::{IDP_CERT, IDP_KEY, alice_params, issued, sp_policy};
use proptest::prelude::*;
use samlkit_cert::{Certificate, PrivateKey};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::*;

fn params() -> ResponseParams {
    ResponseParams {
        attributes: group_attributes([("groups", "a"), ("groups", "b")]),
        ..alice_params()
    }
}

fn signed(target: SignTarget) -> String {
    let key = PrivateKey::load(IDP_KEY).unwrap();
    let cert = Certificate::load(IDP_CERT).unwrap();
    let built = build_response(&params()).unwrap();
    let profile =
        SigningProfile { target, method: SignatureMethod::RsaSha256, digest: DigestMethod::Sha256 };
    let credential = SigningCredential::new(&key, cert).unwrap();
    sign_document(&built.xml, &credential, &profile).unwrap()
}

fn policy(trusted: &[Certificate]) -> VerifyPolicy<'_> {
    policy_at(trusted, issued() + Duration::seconds(60))
}

fn policy_at(trusted: &[Certificate], now: chrono::DateTime<chrono::Utc>) -> VerifyPolicy<'_> {
    sp_policy(trusted, now).in_response_to(["_req1"])
}

#[test]
fn each_signing_profile_verifies_and_reports_signed_values() {
    let trusted = vec![Certificate::load(IDP_CERT).unwrap()];
    let cases = [
        (SignTarget::Assertion, vec![SignedPart::Assertion]),
        (SignTarget::Response, vec![SignedPart::Response]),
        (SignTarget::Both, vec![SignedPart::Response, SignedPart::Assertion]),
    ];
    for (target, parts) in cases {
        let report = explain_response(signed(target).as_bytes(), &policy(&trusted));
        let v =
            report.outcome().unwrap_or_else(|e| panic!("{target:?}: {e}\n{:#?}", report.steps()));
        assert_eq!(v.signed(), parts.as_slice());
        assert_eq!(v.name_id(), "alice@example.com");
        assert_eq!(v.issuer(), "https://idp.example.com");
        assert_eq!(v.session_index(), Some("_s1"));
        assert_eq!(v.attribute_texts("groups"), ["a", "b"]);
        assert_eq!(v.attributes().len(), 1);
        assert_eq!(v.not_on_or_after(), Some(issued() + Duration::seconds(300)));
        assert_eq!(v.cert_sha256(), trusted[0].sha256_fingerprint());
        assert_eq!(v.in_response_to(), Some("_req1"));
        assert_eq!(v.issue_instant(), issued());
        assert!(v.assertion_id().starts_with('_'));
        assert!(v.unchecked().is_empty());
        assert!(report.steps().iter().any(|s| s.contains("= expected")), "{:#?}", report.steps());
        // The plain call gives the same result.
        let plain = verify_response(signed(target).as_bytes(), &policy(&trusted)).unwrap();
        assert_eq!(plain.name_id(), v.name_id());
    }
}

#[test]
fn the_skew_window_is_inclusive_of_now_plus_skew() {
    let trusted = vec![Certificate::load(IDP_CERT).unwrap()];
    let doc = signed(SignTarget::Assertion);
    // NotOnOrAfter is 10:05; with 180 s skew the last valid instant is just before 10:08.
    let p = policy_at(&trusted, issued() + Duration::seconds(300 + 179));
    assert!(verify_response(doc.as_bytes(), &p).is_ok());
    let p = policy_at(&trusted, issued() + Duration::seconds(300 + 180));
    let err = verify_response(doc.as_bytes(), &p).unwrap_err();
    assert_eq!(err.code(), "assertion_expired");
    let p = policy_at(&trusted, issued() - Duration::seconds(181));
    assert_eq!(verify_response(doc.as_bytes(), &p).unwrap_err().code(), "assertion_not_yet_valid");
}

#[test]
fn no_trusted_certificate_means_nothing_verifies() {
    let doc = signed(SignTarget::Assertion);
    let err = verify_response(doc.as_bytes(), &policy(&[])).unwrap_err();
    assert_eq!(err.code(), "untrusted_certificate", "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Mutations (a byte replaced, a range deleted or duplicated) never panic, and whatever is
    /// still accepted reports exactly the signed values.
    #[test]
    fn mutated_responses_never_yield_other_values(pos in 0usize..6000, len in 0usize..64, byte in any::<u8>(), kind in 0u8..3) {
        let trusted = vec![Certificate::load(IDP_CERT).unwrap()];
        let original = signed(SignTarget::Assertion).into_bytes();
        let pos = pos % original.len();
        let end = (pos + len).min(original.len());
        let mut doc = original.clone();
        match kind {
            0 => doc[pos] = byte,
            1 => { doc.drain(pos..end); }
            _ => { let copy = original[pos..end].to_vec(); doc.splice(pos..pos, copy); }
        }
        if let Ok(v) = verify_response(&doc, &policy(&trusted)) {
            prop_assert_eq!(v.name_id(), "alice@example.com");
            prop_assert_eq!(v.issuer(), "https://idp.example.com");
            prop_assert_eq!(v.audiences(), &["https://sp.example.com".to_string()]);
            prop_assert_eq!(v.attribute_texts("groups"), ["a", "b"]);
            prop_assert_eq!(v.attributes().len(), 1);
        }
    }
}

#[test]
fn a_bare_signed_assertion_verifies_and_cannot_satisfy_require_response() {
    let key = PrivateKey::load(IDP_KEY).unwrap();
    let trusted = vec![Certificate::load(IDP_CERT).unwrap()];
    let built = build_response(&params()).unwrap().xml;
    let start = built.find("<saml:Assertion ").unwrap();
    let end = built.find("</samlp:Response>").unwrap();
    let bare = &built[start..end];
    let profile = SigningProfile {
        target: SignTarget::Assertion,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    let credential = SigningCredential::new(&key, trusted[0].clone()).unwrap();
    let signed = sign_document(bare, &credential, &profile).unwrap();
    // Only on opt-in: the Web Browser SSO profile always sends a Response.
    let err = verify_response(signed.as_bytes(), &policy(&trusted)).unwrap_err();
    assert_eq!(err.code(), "bare_assertion", "{err}");
    let v = verify_response(signed.as_bytes(), &policy(&trusted).allow_bare_assertion()).unwrap();
    assert_eq!(v.signed(), &[SignedPart::Assertion]);
    assert_eq!(v.response_id(), None);
    let p = policy(&trusted).allow_bare_assertion().require(Require::Response);
    assert_eq!(verify_response(signed.as_bytes(), &p).unwrap_err().code(), "signature_missing");
}

#[test]
fn ecdsa_p384_signs_and_verifies_with_sha384() {
    let key = PrivateKey::load(include_bytes!("../../../fixtures/keys/ec-p384.key")).unwrap();
    let subject = samlkit_cert::Subject::new("idp-p384.example.com");
    let cert = samlkit_cert::generate::self_signed(&key, &subject, issued(), 30).unwrap();
    let built = build_response(&params()).unwrap();
    let profile = SigningProfile {
        target: SignTarget::Both,
        method: SignatureMethod::EcdsaSha384,
        digest: DigestMethod::Sha384,
    };
    let credential = SigningCredential::new(&key, cert.clone()).unwrap();
    let signed = sign_document(&built.xml, &credential, &profile).unwrap();
    assert_eq!(signed.matches("xmldsig-more#ecdsa-sha384").count(), 2);
    let trusted = vec![cert];
    let v = verify_response(signed.as_bytes(), &policy(&trusted)).unwrap();
    assert_eq!(v.signed(), &[SignedPart::Response, SignedPart::Assertion]);
    // An RSA method on the EC key is refused when signing.
    let rsa = SigningProfile { method: SignatureMethod::RsaSha256, ..profile };
    let err = sign_document(&built.xml, &credential, &rsa).unwrap_err();
    assert_eq!(err.code(), "signing_failed");
}
