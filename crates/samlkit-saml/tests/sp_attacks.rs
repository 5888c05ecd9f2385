//! The attack suite through the library API: every hostile rewrite of a genuinely signed response
//! (signature wrapping XSW1–XSW8, misplaced and malformed signatures, refused algorithms, parser
//! attacks, comment injection) and every response meant for someone else is posted to
//! [`ServiceProvider::verify_post`] as a browser would post it, and must fail with the error kind
//! and code written in the tables here (never read from the crate's own tables).
//! `tests/saml_attacks.rs` at the repository root runs the same classes through the CLI.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use common::{ACS, IDP, SP, alice_params, idp, issued};
use samlkit_cert::{Certificate, PrivateKey};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::{
    ErrorKind, IdentityProvider, InMemoryReplayCache, ResponseIds, ResponseParams, ServiceProvider,
    SignTarget, SigningCredential, SigningProfile, build_response_with_ids, group_attributes,
    sign_document,
};

const ATTACKER_KEY: &[u8] = include_bytes!("../../../fixtures/keys/attacker.key");
const ATTACKER_CERT: &[u8] = include_bytes!("../../../fixtures/certs/attacker.crt");
const EVIL: &str = "attacker@evil.example";

fn now() -> DateTime<Utc> {
    issued() + Duration::seconds(60)
}

fn sp() -> ServiceProvider {
    let (_, cert) = idp();
    let idp = IdentityProvider::new(IDP, "https://idp.example.com/sso", vec![cert]).unwrap();
    ServiceProvider::builder(SP, ACS, idp).build().unwrap()
}

/// Posts `xml` as the SAMLResponse field, answering the outstanding request `_req1`.
fn post(
    sp: &ServiceProvider,
    xml: &str,
) -> Result<samlkit_saml::VerifiedAssertion, samlkit_saml::SamlError> {
    sp.verify_post(&STANDARD.encode(xml), ["_req1"], &InMemoryReplayCache::new(), now())
}

fn params() -> ResponseParams {
    ResponseParams {
        attributes: group_attributes([("email", "alice@example.com")]),
        ..alice_params()
    }
}

fn sign(params: &ResponseParams, target: SignTarget, key: &[u8], cert: &[u8]) -> String {
    let credential =
        SigningCredential::new(&PrivateKey::load(key).unwrap(), Certificate::load(cert).unwrap())
            .unwrap();
    let ids = ResponseIds {
        response_id: "_r1".into(),
        assertion_id: "_a1".into(),
        session_index: "_s1".into(),
    };
    let profile =
        SigningProfile { target, method: SignatureMethod::RsaSha256, digest: DigestMethod::Sha256 };
    sign_document(&build_response_with_ids(params, ids).xml, &credential, &profile).unwrap()
}

fn signed_by_idp(params: &ResponseParams, target: SignTarget) -> String {
    sign(params, target, common::IDP_KEY, common::IDP_CERT)
}

/// The genuine documents each attack starts from.
struct Genuine {
    assertion_signed: String,
    response_signed: String,
    unsigned: String,
    attacker_signed: String,
}

impl Genuine {
    fn new() -> Genuine {
        let unsigned = build_response_with_ids(
            &params(),
            ResponseIds {
                response_id: "_r1".into(),
                assertion_id: "_a1".into(),
                session_index: "_s1".into(),
            },
        )
        .xml;
        Genuine {
            assertion_signed: signed_by_idp(&params(), SignTarget::Assertion),
            response_signed: signed_by_idp(&params(), SignTarget::Response),
            unsigned,
            attacker_signed: sign(&params(), SignTarget::Assertion, ATTACKER_KEY, ATTACKER_CERT),
        }
    }
}

// ---- Cutting documents apart, as an attacker does ----

fn span(s: &str, start: &str, end: &str, from: usize) -> (usize, usize) {
    let a = from + s[from..].find(start).unwrap_or_else(|| panic!("{start} not found"));
    let b = a + s[a..].find(end).unwrap_or_else(|| panic!("{end} not found")) + end.len();
    (a, b)
}

fn assertion(doc: &str) -> &str {
    let (a, b) = span(doc, "<saml:Assertion ", "</saml:Assertion>", 0);
    &doc[a..b]
}

fn signature(doc: &str) -> &str {
    let (a, b) = span(doc, "<ds:Signature", "</ds:Signature>", 0);
    &doc[a..b]
}

fn without_signatures(doc: &str) -> String {
    let mut out = doc.to_string();
    while let Some(a) = out.find("<ds:Signature") {
        let (a, b) = span(&out, "<ds:Signature", "</ds:Signature>", a);
        out.replace_range(a..b, "");
    }
    out
}

fn without_xml_decl(doc: &str) -> &str {
    doc.strip_prefix("<?xml").and_then(|r| r.split_once("?>")).map_or(doc, |(_, r)| r.trim_start())
}

/// Replaces the first `ID="…"` (the element's own).
fn with_id(element: &str, id: &str) -> String {
    let a = element.find(" ID=\"").unwrap() + 5;
    let b = a + element[a..].find('"').unwrap();
    format!("{}{id}{}", &element[..a], &element[b..])
}

fn evil(s: &str) -> String {
    s.replace("alice@example.com", EVIL)
}

fn once(doc: &str, from: &str, to: &str) -> String {
    assert!(doc.contains(from), "mutation anchor {from:?} missing");
    doc.replacen(from, to, 1)
}

/// Moves the Response's signature or the Assertion to where an XSW variant puts it.
fn xsw_response(g: &Genuine, before_signature: bool) -> String {
    let r = &g.response_signed;
    let original = without_signatures(without_xml_decl(r));
    let mut doc = evil(&with_id(r, "_evil_response"));
    let at = if before_signature {
        doc.find("<ds:Signature").unwrap()
    } else {
        doc.find("</ds:Signature>").unwrap()
    };
    doc.insert_str(at, &original);
    doc
}

type Attack = fn(&Genuine) -> String;

/// (attack, hostile document, expected kind, expected code)
const ATTACKS: &[(&str, Attack, ErrorKind, &str)] = &[
    // XML Signature Wrapping, as SAML Raider builds XSW1–XSW8.
    (
        "xsw1: signed Response copied into the evil Response's Signature",
        |g| xsw_response(g, false),
        ErrorKind::DuplicateId,
        "duplicate_id",
    ),
    (
        "xsw2: signed Response copied before the evil Response's Signature",
        |g| xsw_response(g, true),
        ErrorKind::DuplicateId,
        "duplicate_id",
    ),
    (
        "xsw3: evil Assertion before the signed one",
        |g| {
            let r = &g.assertion_signed;
            let evil_assertion = evil(&with_id(&without_signatures(assertion(r)), "_evil"));
            once(r, "<saml:Assertion ", &format!("{evil_assertion}<saml:Assertion "))
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    (
        "xsw4: signed Assertion wrapped inside the evil one",
        |g| {
            let original = assertion(&g.assertion_signed).to_string();
            let mut wrapper = evil(&with_id(&without_signatures(&original), "_evil"));
            let at = wrapper.rfind("</saml:Assertion>").unwrap();
            wrapper.insert_str(at, &original);
            g.assertion_signed.replace(&original, &wrapper)
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    (
        "xsw5: signed Assertion changed in place, unsigned original appended",
        |g| {
            let original = assertion(&g.assertion_signed).to_string();
            g.assertion_signed.replace(&original, &evil(&with_id(&original, "_evil"))).replace(
                "</samlp:Response>",
                &format!("{}</samlp:Response>", without_signatures(&original)),
            )
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    (
        "xsw6: original Assertion moved into the evil Assertion's Signature",
        |g| {
            let original = assertion(&g.assertion_signed).to_string();
            let mut modified = evil(&with_id(&original, "_evil"));
            let at = modified.find("</ds:Signature>").unwrap();
            modified.insert_str(at, &without_signatures(&original));
            g.assertion_signed.replace(&original, &modified)
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    (
        "xsw7: signed Assertion hidden in Extensions, evil one after it",
        |g| {
            let original = assertion(&g.assertion_signed).to_string();
            let evil_assertion = evil(&with_id(&without_signatures(&original), "_evil"));
            g.assertion_signed.replace(
                &original,
                &format!("<samlp:Extensions>{original}</samlp:Extensions>{evil_assertion}"),
            )
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    (
        "xsw8: original Assertion hidden in a ds:Object of the evil one's Signature",
        |g| {
            let original = assertion(&g.assertion_signed).to_string();
            let mut modified = evil(&with_id(&original, "_evil"));
            let at = modified.find("</ds:Signature>").unwrap();
            modified.insert_str(
                at,
                &format!("<ds:Object>{}</ds:Object>", without_signatures(&original)),
            );
            g.assertion_signed.replace(&original, &modified)
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    (
        "two Assertions, the second unsigned",
        |g| {
            let extra =
                evil(&with_id(&without_signatures(assertion(&g.assertion_signed)), "_second"));
            once(&g.assertion_signed, "</samlp:Response>", &format!("{extra}</samlp:Response>"))
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    (
        "a second Assertion hidden in Advice inside Extensions",
        |g| {
            let hidden =
                evil(&with_id(&without_signatures(assertion(&g.assertion_signed)), "_evil"));
            once(
                &g.assertion_signed,
                "<samlp:Status>",
                &format!(
                    "<samlp:Extensions><saml:Advice>{hidden}</saml:Advice></samlp:Extensions><samlp:Status>"
                ),
            )
        },
        ErrorKind::AssertionCount,
        "assertion_count",
    ),
    // Where the signature is and what it references.
    (
        "signature copied onto an unsigned, evil Assertion",
        |g| {
            once(
                &evil(&g.unsigned),
                "<saml:Subject>",
                &format!("{}<saml:Subject>", signature(&g.assertion_signed)),
            )
        },
        ErrorKind::DigestMismatch,
        "digest_mismatch",
    ),
    (
        "signature copied onto an unsigned Assertion with another ID",
        |g| {
            let doc = evil(&g.unsigned);
            let original = assertion(&doc).to_string();
            let forged = once(
                &with_id(&original, "_other"),
                "<saml:Subject>",
                &format!("{}<saml:Subject>", signature(&g.assertion_signed)),
            );
            doc.replace(&original, &forged)
        },
        ErrorKind::ReferenceInvalid,
        "reference_invalid",
    ),
    (
        "Response signature moved into the Assertion",
        |g| {
            let sig = signature(&g.response_signed).to_string();
            once(
                &g.response_signed.replacen(&sig, "", 1),
                "<saml:Subject>",
                &format!("{sig}<saml:Subject>"),
            )
        },
        ErrorKind::ReferenceInvalid,
        "reference_invalid",
    ),
    (
        "Reference to the whole document (URI=\"\")",
        |g| once(&g.assertion_signed, "URI=\"#_a1\"", "URI=\"\""),
        ErrorKind::ReferenceInvalid,
        "reference_invalid",
    ),
    (
        "Reference URI with a space after #",
        |g| once(&g.assertion_signed, "URI=\"#", "URI=\"# "),
        ErrorKind::ReferenceInvalid,
        "reference_invalid",
    ),
    (
        "Reference as an XPointer",
        |g| once(&g.assertion_signed, "URI=\"#_a1\"", "URI=\"#xpointer(id('_a1'))\""),
        ErrorKind::ReferenceInvalid,
        "reference_invalid",
    ),
    (
        "signature inside Extensions",
        |g| {
            let sig = signature(&g.assertion_signed).to_string();
            once(
                &g.assertion_signed.replacen(&sig, "", 1),
                "<samlp:Status>",
                &format!("<samlp:Extensions>{sig}</samlp:Extensions><samlp:Status>"),
            )
        },
        ErrorKind::SignatureMisplaced,
        "signature_misplaced",
    ),
    (
        "ds:Object in the Signature",
        |g| once(&g.assertion_signed, "</ds:KeyInfo>", "</ds:KeyInfo><ds:Object><x/></ds:Object>"),
        ErrorKind::SignatureMalformed,
        "signature_malformed",
    ),
    (
        "two SignedInfo elements",
        |g| {
            let (a, b) = span(&g.assertion_signed, "<ds:SignedInfo>", "</ds:SignedInfo>", 0);
            let mut doc = g.assertion_signed.clone();
            doc.insert_str(b, &g.assertion_signed[a..b]);
            doc
        },
        ErrorKind::SignatureMalformed,
        "signature_malformed",
    ),
    (
        "comment inside DigestValue",
        |g| once(&g.assertion_signed, "<ds:DigestValue>", "<ds:DigestValue><!---->"),
        ErrorKind::SignatureMalformed,
        "signature_malformed",
    ),
    (
        "transforms swapped",
        |g| {
            let env = "<ds:Transform Algorithm=\"http://www.w3.org/2000/09/xmldsig#enveloped-signature\"></ds:Transform>";
            let (a, b) = span(
                &g.assertion_signed,
                "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">",
                "</ds:Transform>",
                0,
            );
            let exc = g.assertion_signed[a..b].to_string();
            once(&g.assertion_signed, &format!("{env}{exc}"), &format!("{exc}{env}"))
        },
        ErrorKind::SignatureMalformed,
        "signature_malformed",
    ),
    (
        "ds namespace changed to a look-alike and values changed",
        |g| {
            evil(&g.assertion_signed.replace(
                "http://www.w3.org/2000/09/xmldsig#\"",
                "http://www.w3.org/2000/09/xmldsig#x\"",
            ))
        },
        ErrorKind::SignatureMissing,
        "signature_missing",
    ),
    (
        "no signature at all",
        |g| g.unsigned.clone(),
        ErrorKind::SignatureMissing,
        "signature_missing",
    ),
    (
        "the Assertion's ID repeated on the Response",
        |g| once(&g.assertion_signed, "ID=\"_r1\"", "ID=\"_a1\""),
        ErrorKind::DuplicateId,
        "duplicate_id",
    ),
    (
        "the Assertion's ID repeated as lowercase id in Extensions",
        |g| {
            once(
                &g.assertion_signed,
                "<samlp:Status>",
                "<samlp:Extensions><x id=\"_a1\"/></samlp:Extensions><samlp:Status>",
            )
        },
        ErrorKind::DuplicateId,
        "duplicate_id",
    ),
    // Keys and algorithms.
    (
        "signed by the attacker, attacker certificate in KeyInfo",
        |g| g.attacker_signed.clone(),
        ErrorKind::UntrustedCertificate,
        "untrusted_certificate",
    ),
    (
        "signed by the attacker, the IdP's certificate in KeyInfo",
        |g| {
            let cert_of = |doc: &str| {
                let (a, b) = span(doc, "<ds:X509Certificate>", "</ds:X509Certificate>", 0);
                doc[a..b].to_string()
            };
            g.attacker_signed.replace(&cert_of(&g.attacker_signed), &cert_of(&g.assertion_signed))
        },
        ErrorKind::SignatureInvalid,
        "signature_invalid",
    ),
    (
        "signed by the attacker, no KeyInfo",
        |g| {
            let (a, b) = span(&g.attacker_signed, "<ds:KeyInfo>", "</ds:KeyInfo>", 0);
            let mut doc = g.attacker_signed.clone();
            doc.replace_range(a..b, "");
            doc
        },
        ErrorKind::SignatureInvalid,
        "signature_invalid",
    ),
    (
        "HMAC SignatureMethod",
        |g| {
            g.assertion_signed.replace(
                "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256",
            )
        },
        ErrorKind::AlgorithmRefused,
        "algorithm_refused",
    ),
    (
        "rsa-sha1 SignatureMethod",
        |g| {
            g.assertion_signed.replace(
                "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256",
                "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            )
        },
        ErrorKind::AlgorithmRefused,
        "algorithm_refused",
    ),
    (
        "SHA-1 DigestMethod",
        |g| {
            g.assertion_signed.replace(
                "http://www.w3.org/2001/04/xmlenc#sha256",
                "http://www.w3.org/2000/09/xmldsig#sha1",
            )
        },
        ErrorKind::AlgorithmRefused,
        "algorithm_refused",
    ),
    (
        "XPath transform",
        |g| {
            once(
                &g.assertion_signed,
                "<ds:Transform Algorithm=\"http://www.w3.org/2001/10/xml-exc-c14n#\">",
                "<ds:Transform Algorithm=\"http://www.w3.org/TR/1999/REC-xpath-19991116\">",
            )
        },
        ErrorKind::AlgorithmRefused,
        "algorithm_refused",
    ),
    (
        "NameID changed after signing",
        |g| evil(&g.assertion_signed),
        ErrorKind::DigestMismatch,
        "digest_mismatch",
    ),
    (
        "processing instruction inside NameID",
        |g| {
            once(
                &g.assertion_signed,
                "alice@example.com</saml:NameID>",
                "alice@example.com<?evil.example?></saml:NameID>",
            )
        },
        ErrorKind::DigestMismatch,
        "digest_mismatch",
    ),
    (
        "SignatureValue changed",
        |g| {
            let (a, _) =
                span(&g.assertion_signed, "<ds:SignatureValue>", "</ds:SignatureValue>", 0);
            let at = a + "<ds:SignatureValue>".len() + 10;
            let mut doc = g.assertion_signed.clone();
            let c = if &doc[at..at + 1] == "A" { "B" } else { "A" };
            doc.replace_range(at..at + 1, c);
            doc
        },
        ErrorKind::SignatureInvalid,
        "signature_invalid",
    ),
    // Parsing.
    (
        "DOCTYPE with an external entity",
        |g| {
            once(
                &g.assertion_signed,
                "<samlp:Response",
                "<!DOCTYPE r [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><samlp:Response",
            )
        },
        ErrorKind::DoctypeRefused,
        "doctype_refused",
    ),
    (
        "100,000-deep nesting",
        |g| {
            let deep = format!("{}{}", "<x>".repeat(100_000), "</x>".repeat(100_000));
            once(
                &g.assertion_signed,
                "<samlp:Status>",
                &format!("<samlp:Extensions>{deep}</samlp:Extensions><samlp:Status>"),
            )
        },
        ErrorKind::MalformedXml,
        "malformed_xml",
    ),
    (
        "UTF-16 declared",
        |g| once(&g.assertion_signed, "encoding=\"UTF-8\"", "encoding=\"UTF-16\""),
        ErrorKind::MalformedXml,
        "malformed_xml",
    ),
    (
        "SAMLResponse base64-encoded twice",
        |g| STANDARD.encode(&g.assertion_signed),
        ErrorKind::MalformedInput,
        "malformed_input",
    ),
    // SAML content.
    (
        "EncryptedAssertion next to the signed Assertion",
        |g| {
            once(
                &g.assertion_signed,
                "</samlp:Response>",
                "<saml:EncryptedAssertion/></samlp:Response>",
            )
        },
        ErrorKind::EncryptedAssertionUnsupported,
        "encrypted_assertion_unsupported",
    ),
    (
        "StatusCode Responder",
        |g| g.assertion_signed.replace("status:Success", "status:Responder"),
        ErrorKind::StatusNotSuccess,
        "status_not_success",
    ),
    (
        "a bare Assertion (not opted in)",
        |g| assertion(&g.assertion_signed).to_string(),
        ErrorKind::BareAssertion,
        "bare_assertion",
    ),
];

#[test]
fn the_genuine_responses_log_in_so_the_attacks_start_from_valid_input() {
    let (g, sp) = (Genuine::new(), sp());
    for doc in [&g.assertion_signed, &g.response_signed] {
        let login = post(&sp, doc).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(login.name_id(), "alice@example.com");
    }
}

#[test]
fn every_attack_fails_verify_post_with_its_error_kind() {
    let (g, sp) = (Genuine::new(), sp());
    for (what, attack, kind, code) in ATTACKS {
        let doc = attack(&g);
        match post(&sp, &doc) {
            Ok(login) => panic!("{what}: accepted as {:?}", login.name_id()),
            Err(e) => {
                assert_eq!(e.kind(), *kind, "{what}: {e}");
                assert_eq!(e.code(), *code, "{what}: {e}");
            }
        }
    }
}

#[test]
fn attacks_fail_the_same_way_through_verify_response() {
    // The lower-level entry point, with the same checks as the SP, sees the same failures.
    let g = Genuine::new();
    let (_, cert) = idp();
    let trusted = [cert];
    for (what, attack, kind, _) in ATTACKS {
        let field = STANDARD.encode(attack(&g));
        let policy = samlkit_saml::VerifyPolicy::new(&trusted, SP, ACS, IDP, now())
            .in_response_to(["_req1"]);
        let err = samlkit_saml::verify_response(field.as_bytes(), &policy).expect_err(what);
        assert_eq!(err.kind(), *kind, "{what}: {err}");
    }
}

/// (what, response the IdP genuinely signed, expected kind, expected code)
type Misdirected = fn() -> ResponseParams;
const MISDIRECTED: &[(&str, Misdirected, ErrorKind, &str)] = &[
    (
        "for another audience",
        || ResponseParams { audiences: vec!["https://other-sp.example.com".into()], ..params() },
        ErrorKind::AudienceInvalid,
        "audience_invalid",
    ),
    (
        "without an audience",
        || ResponseParams { audiences: vec![], ..params() },
        ErrorKind::AudienceInvalid,
        "audience_invalid",
    ),
    (
        "to another ACS (Recipient and Destination)",
        || ResponseParams {
            recipient: Some("https://other-sp.example.com/acs".into()),
            destination: Some("https://other-sp.example.com/acs".into()),
            ..params()
        },
        ErrorKind::RecipientMismatched,
        "recipient_mismatched",
    ),
    (
        "to another ACS (Destination only)",
        || ResponseParams {
            destination: Some("https://other-sp.example.com/acs".into()),
            ..params()
        },
        ErrorKind::RecipientMismatched,
        "recipient_mismatched",
    ),
    (
        "without a Recipient",
        || ResponseParams { recipient: None, ..params() },
        ErrorKind::RecipientMismatched,
        "recipient_mismatched",
    ),
    (
        "naming another issuer",
        || ResponseParams { issuer: "https://other-idp.example.com".into(), ..params() },
        ErrorKind::IssuerMismatched,
        "issuer_mismatched",
    ),
    (
        "answering another request",
        || ResponseParams { in_response_to: Some("_someone_elses".into()), ..params() },
        ErrorKind::InResponseToMismatched,
        "in_response_to_mismatched",
    ),
    (
        "unsolicited (IdP-initiated), not allowed",
        || ResponseParams { in_response_to: None, ..params() },
        ErrorKind::InResponseToMismatched,
        "in_response_to_mismatched",
    ),
    (
        "expired an hour ago",
        || ResponseParams { issue_instant: issued() - Duration::hours(1), ..params() },
        ErrorKind::AssertionExpired,
        "assertion_expired",
    ),
    (
        "not valid for another hour",
        || ResponseParams { issue_instant: issued() + Duration::hours(1), ..params() },
        ErrorKind::AssertionNotYetValid,
        "assertion_not_yet_valid",
    ),
];

#[test]
fn responses_meant_for_someone_else_are_refused_even_when_genuinely_signed() {
    let sp = sp();
    for (what, make, kind, code) in MISDIRECTED {
        for target in [SignTarget::Assertion, SignTarget::Response] {
            let err = post(&sp, &signed_by_idp(&make(), target)).expect_err(what);
            assert_eq!(err.kind(), *kind, "{what} ({target:?}): {err}");
            assert_eq!(err.code(), *code, "{what} ({target:?}): {err}");
        }
    }
}

#[test]
fn a_comment_inside_a_signed_identity_value_is_refused() {
    let sp = sp();
    let cases = [
        (
            "NameID",
            ResponseParams { name_id: "alice@example.com.evil.example".into(), ..params() },
            "alice@example.com.evil.example<",
            "alice@example.com<!---->.evil.example<",
        ),
        (
            "AttributeValue",
            ResponseParams {
                attributes: group_attributes([("email", "alice@example.com.evil.example")]),
                ..params()
            },
            ">alice@example.com.evil.example</saml:AttributeValue>",
            ">alice@example.com<!---->.evil.example</saml:AttributeValue>",
        ),
    ];
    for (what, params, honest, commented) in cases {
        let genuine = signed_by_idp(&params, SignTarget::Assertion);
        assert!(post(&sp, &genuine).is_ok(), "{what}: the uncommented response logs in");
        let err = post(&sp, &once(&genuine, honest, commented)).expect_err(what);
        assert_eq!(err.kind(), ErrorKind::CommentInValue, "{what}: {err}");
        assert_eq!(err.code(), "comment_in_value");
    }
}

#[test]
fn rewrites_that_canonicalization_erases_log_in_with_the_signed_values_only() {
    let (g, sp) = (Genuine::new(), sp());
    let harmless = [
        once(
            &g.assertion_signed,
            ">alice@example.com</saml:NameID>",
            "><![CDATA[alice@]]>&#101;xample.com</saml:NameID>",
        ),
        once(&g.assertion_signed, "<saml:Subject>", "<!--x--><saml:Subject><!--y-->"),
    ];
    for doc in harmless {
        let login = post(&sp, &doc).unwrap_or_else(|e| panic!("{e}\n{doc}"));
        assert_eq!(login.name_id(), "alice@example.com");
        assert_eq!(login.attribute_texts("email"), ["alice@example.com"]);
    }
}

#[test]
fn a_replayed_response_is_refused_by_the_cache_not_by_luck() {
    let sp = sp();
    let cache = InMemoryReplayCache::new();
    let field = STANDARD.encode(signed_by_idp(&params(), SignTarget::Assertion));
    let login = sp.verify_post(&field, ["_req1"], &cache, now()).unwrap();
    assert_eq!(login.assertion_id(), "_a1");
    // Later, still inside the validity: the cache refuses it.
    let err =
        sp.verify_post(&field, ["_req1"], &cache, now() + Duration::seconds(200)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Replayed, "{err}");
    assert_eq!(err.code(), "replayed");
    // A fresh cache would accept it: the refusal above came from the cache.
    assert!(sp.verify_post(&field, ["_req1"], &InMemoryReplayCache::new(), now()).is_ok());
}
