//! Public API of the `breaks` and `metadata` modules: every broken response fails
//! `verify_response` with the error code listed in this file while the unbroken one passes; metadata round-trips
//! through build, sign and verify, and each defect has its error.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{TimeZone, Utc};
use common::{alice_params, idp, idp_credential, issued, sp_policy};
use samlkit_cert::Certificate;
use samlkit_dsig::{DigestMethod, SignOptions, SignatureMethod, build_signature};
use samlkit_saml::*;

const NEXT_CERT: &str = include_str!("../../../fixtures/certs/expires-2026-08-15.crt");

/// Every kind, its CLI name and the error code the verifier must reject it with. Written out here
/// rather than read from `BreakKind::name` / `expected_code`: those are the production tables this
/// file tests.
const KINDS: &[(BreakKind, &str, &str)] = &[
    (BreakKind::Xsw1, "xsw1", "duplicate_id"),
    (BreakKind::Xsw2, "xsw2", "duplicate_id"),
    (BreakKind::Xsw3, "xsw3", "assertion_count"),
    (BreakKind::Xsw4, "xsw4", "assertion_count"),
    (BreakKind::Xsw5, "xsw5", "assertion_count"),
    (BreakKind::Xsw6, "xsw6", "assertion_count"),
    (BreakKind::Xsw7, "xsw7", "assertion_count"),
    (BreakKind::Xsw8, "xsw8", "assertion_count"),
    (BreakKind::CommentInNameId, "comment-in-nameid", "comment_in_value"),
    (BreakKind::DupId, "dup-id", "duplicate_id"),
    (BreakKind::BadDigest, "bad-digest", "digest_mismatch"),
    (BreakKind::BadSignature, "bad-signature", "signature_invalid"),
    (BreakKind::Unsigned, "unsigned", "signature_missing"),
    (BreakKind::WrongKey, "wrong-key", "untrusted_certificate"),
    (BreakKind::Sha1, "sha1", "algorithm_refused"),
    (BreakKind::Expired, "expired", "assertion_expired"),
    (BreakKind::NotYetValid, "not-yet-valid", "assertion_not_yet_valid"),
    (BreakKind::WrongAudience, "wrong-audience", "audience_invalid"),
    (BreakKind::WrongRecipient, "wrong-recipient", "recipient_mismatched"),
    (BreakKind::WrongIssuer, "wrong-issuer", "issuer_mismatched"),
    (BreakKind::StatusResponder, "status-responder", "status_not_success"),
    (BreakKind::TwoAssertions, "two-assertions", "assertion_count"),
    (BreakKind::KeyinfoSwap, "keyinfo-swap", "signature_invalid"),
    (BreakKind::NoAuthnStatement, "no-authn-statement", "authn_statement_missing"),
    (BreakKind::SessionExpired, "session-expired", "session_expired"),
    (BreakKind::UnknownCondition, "unknown-condition", "condition_not_understood"),
    (BreakKind::WrongVersion, "wrong-version", "version_invalid"),
    (BreakKind::IssuerFormat, "issuer-format", "issuer_format_invalid"),
    (BreakKind::BareAssertion, "bare-assertion", "bare_assertion"),
    (BreakKind::DuplicateField, "duplicate-field", "duplicate_parameter"),
    (BreakKind::LookalikeAssertion, "lookalike-assertion", "unexpected_element"),
    (BreakKind::UnsignedEncrypted, "unsigned-encrypted", "assertion_not_signed"),
    (BreakKind::Rsa15KeyTransport, "rsa15-key-transport", "algorithm_refused"),
    (BreakKind::CbcUnsigned, "cbc-unsigned", "cbc_unsigned"),
];

const SP_ENC_KEY: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp.key");
const SP_ENC_CERT: &[u8] = include_bytes!("../../../fixtures/xmlenc/sp.crt");

fn params() -> ResponseParams {
    ResponseParams {
        in_response_to: None,
        attributes: group_attributes([("email", "alice@example.com")]),
        ..alice_params()
    }
}

fn policy(trusted: &[Certificate]) -> VerifyPolicy<'_> {
    sp_policy(trusted, issued())
}

fn profile(target: SignTarget) -> SigningProfile {
    SigningProfile { target, method: SignatureMethod::RsaSha256, digest: DigestMethod::Sha256 }
}

#[test]
fn every_kind_fails_verification_with_its_error_code() {
    let idp = idp_credential();
    let attacker = attacker_credential().unwrap();
    let trusted = [idp.certificate().clone()];
    let sp_cert = Certificate::load(SP_ENC_CERT).unwrap();
    let keys = [samlkit_dsig::DecryptionKey::new(
        &samlkit_cert::PrivateKey::load(SP_ENC_KEY).unwrap(),
        Some(&sp_cert),
    )
    .unwrap()];
    for target in [SignTarget::Assertion, SignTarget::Response, SignTarget::Both] {
        let ids = ResponseIds {
            response_id: "_r1".into(),
            assertion_id: "_a1".into(),
            session_index: "_s1".into(),
        };
        let genuine = sign_document(
            &build_response_with_ids(&params(), ids.clone()).xml,
            &idp,
            &profile(target),
        )
        .unwrap();
        let ok = verify_response(genuine.as_bytes(), &policy(&trusted));
        assert!(ok.is_ok(), "{ok:?}");
        let input = BreakInput {
            params: params(),
            ids,
            idp: &idp,
            attacker: &attacker,
            profile: profile(target),
            sp_encryption: Some(&sp_cert),
        };
        for &(kind, name, code) in KINDS {
            let xml = build_broken_response(kind, &input).unwrap();
            assert_ne!(xml, genuine, "{kind:?}");
            let err = verify_response(xml.as_bytes(), &policy(&trusted).decryption_keys(&keys))
                .expect_err(name);
            assert_eq!(err.code(), code, "{kind:?} {target:?}: {err}");
            assert!(!err.is_input_error(), "{kind:?}");
        }
    }
}

#[test]
fn the_table_above_lists_every_kind_once_and_names_round_trip() {
    // A kind added to the library without a row here fails this test, so its code gets checked.
    assert_eq!(KINDS.len(), BreakKind::ALL.len());
    for &kind in BreakKind::ALL {
        assert_eq!(KINDS.iter().filter(|(k, _, _)| *k == kind).count(), 1, "{kind:?}");
    }
    for &(kind, name, _) in KINDS {
        assert_eq!(kind.name(), name);
        assert_eq!(BreakKind::from_name(name), Some(kind));
        assert!(kind.description().len() > 20, "{kind:?} has no real description");
    }
    assert_eq!(BreakKind::from_name("list"), None);
}

#[test]
fn kinds_that_need_a_value_say_so() {
    let idp = idp_credential();
    let mut p = params();
    p.audiences.clear();
    p.recipient = None;
    let input = BreakInput {
        params: p,
        ids: ResponseIds::random(None).unwrap(),
        idp: &idp,
        attacker: &idp,
        profile: profile(SignTarget::Assertion),
        sp_encryption: None,
    };
    for (kind, needle, hint) in [
        (BreakKind::WrongAudience, "needs the audience the SP expects", Hint::NeedsAudience),
        (BreakKind::WrongRecipient, "needs the SP's ACS URL", Hint::NeedsRecipient),
        (BreakKind::UnsignedEncrypted, "the SP's certificate", Hint::NeedsEncryptionCertificate),
        (BreakKind::CbcUnsigned, "the SP's certificate", Hint::NeedsEncryptionCertificate),
    ] {
        let err = build_broken_response(kind, &input).unwrap_err();
        assert_eq!(err.code(), "signing_failed");
        assert!(err.to_string().contains(needle), "{err}");
        assert!(!err.to_string().contains("--"), "no CLI flags in library messages: {err}");
        assert_eq!(err.hint(), Some(hint));
    }
}

fn metadata_params() -> IdpMetadataParams {
    let next = Certificate::load(NEXT_CERT.as_bytes()).unwrap();
    IdpMetadataParams {
        entity_id: "https://idp.example.com/?a=1&b=<2>".into(),
        sso_url: "https://idp.example.com/sso".into(),
        slo_url: Some("https://idp.example.com/slo".into()),
        signing_certs: vec![idp().1.der().to_vec(), next.der().to_vec()],
        name_id_formats: vec![name_id_format_uri("persistent").unwrap()],
        valid_until: Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()),
    }
}

fn signed_metadata() -> String {
    let xml = build_idp_metadata(&metadata_params());
    sign_document(&xml, &idp_credential(), &profile(SignTarget::Response)).unwrap()
}

#[test]
fn metadata_round_trips_through_sign_and_verify() {
    let (_, cert) = idp();
    let doc = signed_metadata();
    assert!(doc.contains("entityID=\"https://idp.example.com/?a=1&amp;b=&lt;2&gt;\""), "{doc}");
    let m =
        verify_idp_metadata(doc.as_bytes(), std::slice::from_ref(&cert), issued(), false).unwrap();
    assert_eq!(m.entity_id, "https://idp.example.com/?a=1&b=<2>");
    assert_eq!(m.signing_certs.len(), 2);
    assert_eq!(m.signing_certs[0].der(), cert.der());
    assert_eq!(m.cert_sha256, cert.sha256_fingerprint());
    assert_eq!(
        m.sso.iter().map(|e| e.binding.as_str()).collect::<Vec<_>>(),
        [BINDING_HTTP_REDIRECT, BINDING_HTTP_POST]
    );
    assert_eq!(m.slo.len(), 2);
    assert_eq!(m.name_id_formats, ["urn:oasis:names:tc:SAML:2.0:nameid-format:persistent"]);
    // Deterministic: the ID depends on the content only.
    assert_eq!(build_idp_metadata(&metadata_params()), build_idp_metadata(&metadata_params()));
    let mut other = metadata_params();
    other.sso_url.push('2');
    assert_ne!(build_idp_metadata(&other), build_idp_metadata(&metadata_params()));
}

#[test]
fn metadata_defects_have_their_errors() {
    let (signer, cert) = idp();
    let trusted = [cert.clone()];
    let doc = signed_metadata();
    let later = Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap();
    let code = |xml: &str, at| {
        verify_idp_metadata(xml.as_bytes(), &trusted, at, false).unwrap_err().code()
    };
    assert_eq!(code(&doc, later), "metadata_expired");
    assert_eq!(code(&build_idp_metadata(&metadata_params()), issued()), "signature_missing");
    assert_eq!(code(&doc.replace("/sso", "/evil"), issued()), "digest_mismatch");
    assert_eq!(
        code(
            "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"/>",
            issued()
        ),
        "unexpected_document"
    );
    assert_eq!(code("<x", issued()), "malformed_xml");

    // A signature over the IDPSSODescriptor, placed on the EntityDescriptor, leaves the root's
    // attributes (entityID, validUntil) unsigned: refused.
    let xml = build_idp_metadata(&metadata_params()).replacen(
        "<md:IDPSSODescriptor ",
        "<md:IDPSSODescriptor ID=\"_role\" ",
        1,
    );
    let parsed = samlkit_xml::parse(&xml).unwrap();
    let role = parsed.element_by_id("_role").unwrap();
    let opts = SignOptions {
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
        inclusive_prefixes: &[],
    };
    let sig = build_signature(&parsed, role, &signer, cert.der(), &opts).unwrap();
    let root_tag_end = parsed.node(parsed.root_element()).start_tag_range().end;
    let mut forged = xml.clone();
    forged.insert_str(root_tag_end, &sig);
    assert_eq!(code(&forged, issued()), "reference_invalid");
}
