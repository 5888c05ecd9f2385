//! The Web Browser SSO profile rules (SAML profiles §4.1.4, core §2.5), one row each: a genuine
//! response is rewritten before it is signed, so the signature is valid and only the rule under
//! test can refuse it. Expected codes are written here, not taken from the crate.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::Duration;
use common::{IDP_CERT, alice_params, idp_credential, issued, sp_policy};
use samlkit_cert::Certificate;
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::*;

/// The unsigned response every row starts from.
fn unsigned() -> String {
    build_response_with_ids(
        &alice_params(),
        ResponseIds {
            response_id: "_r1".into(),
            assertion_id: "_a1".into(),
            session_index: "_s1".into(),
        },
    )
    .xml
}

fn sign(xml: &str, target: SignTarget) -> String {
    let profile =
        SigningProfile { target, method: SignatureMethod::RsaSha256, digest: DigestMethod::Sha256 };
    sign_document(xml, &idp_credential(), &profile).unwrap()
}

fn verify(xml: &str) -> Result<VerifiedAssertion, SamlError> {
    let trusted = [Certificate::load(IDP_CERT).unwrap()];
    let policy = sp_policy(&trusted, issued() + Duration::seconds(60)).in_response_to(["_req1"]);
    verify_response(xml.as_bytes(), &policy)
}

/// Replaces the one occurrence of `from` (each row's anchor must be there exactly once).
fn rewrite(xml: &str, from: &str, to: &str) -> String {
    assert_eq!(xml.matches(from).count(), 1, "anchor {from:?}");
    xml.replacen(from, to, 1)
}

const AUTHN_START: &str = "<saml:AuthnStatement ";
const CONDITIONS_END: &str = "</saml:AudienceRestriction>";

#[test]
fn each_profile_rule_refuses_with_its_own_code() {
    let authn = {
        let x = unsigned();
        let start = x.find(AUTHN_START).unwrap();
        let end = x.find("</saml:AuthnStatement>").unwrap() + "</saml:AuthnStatement>".len();
        x[start..end].to_string()
    };
    // (what, rewrite of the unsigned response, which element to sign, expected code)
    let rows: Vec<(&str, String, SignTarget, &str)> = vec![
        (
            "no AuthnStatement",
            rewrite(&unsigned(), &authn, ""),
            SignTarget::Both,
            "authn_statement_missing",
        ),
        (
            "SessionNotOnOrAfter has passed",
            rewrite(
                &unsigned(),
                AUTHN_START,
                "<saml:AuthnStatement SessionNotOnOrAfter=\"2026-11-29T09:00:00Z\" ",
            ),
            SignTarget::Both,
            "session_expired",
        ),
        (
            "a Condition with an unknown xsi:type",
            rewrite(
                &unsigned(),
                CONDITIONS_END,
                "</saml:AudienceRestriction><saml:Condition xsi:type=\"xs:string\"/>",
            ),
            SignTarget::Assertion,
            "condition_not_understood",
        ),
        (
            "an element the Conditions schema does not list",
            rewrite(&unsigned(), CONDITIONS_END, "</saml:AudienceRestriction><saml:Unknown/>"),
            SignTarget::Assertion,
            "condition_not_understood",
        ),
        (
            "Response Version 1.1",
            rewrite(&unsigned(), "ID=\"_r1\" Version=\"2.0\"", "ID=\"_r1\" Version=\"1.1\""),
            SignTarget::Both,
            "version_invalid",
        ),
        (
            "Assertion Version 3.0",
            rewrite(&unsigned(), "ID=\"_a1\" Version=\"2.0\"", "ID=\"_a1\" Version=\"3.0\""),
            SignTarget::Both,
            "version_invalid",
        ),
        (
            "an Issuer with an email Format",
            rewrite(
                &unsigned(),
                "<saml:Issuer>https://idp.example.com</saml:Issuer><saml:Subject>",
                "<saml:Issuer Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\">https://idp.example.com</saml:Issuer><saml:Subject>",
            ),
            SignTarget::Assertion,
            "issuer_format_invalid",
        ),
        (
            "an EncryptedAttribute",
            rewrite(
                &unsigned(),
                "</saml:AuthnStatement>",
                "</saml:AuthnStatement><saml:AttributeStatement><saml:EncryptedAttribute/></saml:AttributeStatement>",
            ),
            SignTarget::Assertion,
            "encrypted_attribute_unsupported",
        ),
        (
            "a Response child named saml:Assertion in another namespace",
            rewrite(
                &unsigned(),
                "<samlp:Status>",
                "<saml:Assertion xmlns:saml=\"urn:evil\" ID=\"_x\"/><samlp:Status>",
            ),
            SignTarget::Assertion,
            "unexpected_element",
        ),
        (
            "an Assertion in no namespace before the signed one",
            rewrite(&unsigned(), "<samlp:Status>", "<Assertion ID=\"_x\"/><samlp:Status>"),
            SignTarget::Assertion,
            "unexpected_element",
        ),
    ];
    for (what, xml, target, code) in rows {
        let signed = sign(&xml, target);
        let err = verify(&signed).expect_err(what);
        assert_eq!(err.code(), code, "{what}: {err}");
        assert!(!err.is_input_error(), "{what}");
    }
}

#[test]
fn a_bearer_not_before_is_enforced_as_a_time_condition_not_refused() {
    // Profiles §4.1.4.2 says an IdP must not send it, but real IdPs do: keep accepting it.
    let xml = rewrite(
        &unsigned(),
        "<saml:SubjectConfirmationData ",
        "<saml:SubjectConfirmationData NotBefore=\"2026-11-29T10:00:00Z\" ",
    );
    assert!(verify(&sign(&xml, SignTarget::Assertion)).is_ok());
    let future = rewrite(
        &unsigned(),
        "<saml:SubjectConfirmationData ",
        "<saml:SubjectConfirmationData NotBefore=\"2026-11-29T11:00:00Z\" ",
    );
    let err = verify(&sign(&future, SignTarget::Assertion)).unwrap_err();
    assert_eq!(err.code(), "assertion_not_yet_valid");
}

#[test]
fn one_time_use_and_proxy_restriction_are_reported() {
    let xml = rewrite(
        &unsigned(),
        CONDITIONS_END,
        "</saml:AudienceRestriction><saml:OneTimeUse/><saml:ProxyRestriction Count=\"2\"><saml:Audience>https://proxy.example</saml:Audience></saml:ProxyRestriction>",
    );
    let v = verify(&sign(&xml, SignTarget::Assertion)).unwrap();
    assert!(v.one_time_use());
    let proxy = v.proxy_restriction().unwrap();
    assert_eq!(proxy.count, Some(2));
    assert_eq!(proxy.audiences, vec!["https://proxy.example".to_string()]);
    let plain = verify(&sign(&unsigned(), SignTarget::Assertion)).unwrap();
    assert!(!plain.one_time_use());
    assert!(plain.proxy_restriction().is_none());
}

#[test]
fn the_signature_may_stand_anywhere_among_the_response_children() {
    // Auth0 puts it last, others first: its position is not a security property.
    let signed = sign(&unsigned(), SignTarget::Response);
    let start = signed.find("<ds:Signature").unwrap();
    let end = signed.find("</ds:Signature>").unwrap() + "</ds:Signature>".len();
    let signature = &signed[start..end];
    let without = format!("{}{}", &signed[..start], &signed[end..]);
    let last = without.replacen("</samlp:Response>", &format!("{signature}</samlp:Response>"), 1);
    assert!(verify(&last).is_ok(), "{:?}", verify(&last).err());
}

#[test]
fn values_keep_unicode_spaces_that_were_signed() {
    let xml = rewrite(&unsigned(), ">alice@example.com<", ">alice@example.com\u{a0}<");
    let v = verify(&sign(&xml, SignTarget::Assertion)).unwrap();
    assert_eq!(v.name_id(), "alice@example.com\u{a0}");
    // An audience with a trailing U+3000 is another SP's entity ID.
    let xml = rewrite(
        &unsigned(),
        "<saml:Audience>https://sp.example.com</saml:Audience>",
        "<saml:Audience>https://sp.example.com\u{3000}</saml:Audience>",
    );
    let err = verify(&sign(&xml, SignTarget::Assertion)).unwrap_err();
    assert_eq!(err.code(), "audience_invalid", "{err}");
}

#[test]
fn an_expired_trusted_certificate_is_reported_and_refused_on_request() {
    let trusted = [Certificate::load(IDP_CERT).unwrap()];
    let signed = sign(&unsigned(), SignTarget::Assertion);
    let not_after = trusted[0].info().not_after;
    // A response issued and checked after the certificate's notAfter: move the whole response.
    let later = not_after + Duration::days(1);
    let params = ResponseParams { issue_instant: later, ..alice_params() };
    let late = sign(&build_response(&params).unwrap().xml, SignTarget::Assertion);
    let policy = sp_policy(&trusted, later + Duration::seconds(10)).in_response_to(["_req1"]);
    let v = verify_response(late.as_bytes(), &policy).unwrap();
    assert_eq!(v.cert_status(), CertStatus::Expired);
    let err = verify_response(late.as_bytes(), &policy.clone().refuse_expired_certificates())
        .unwrap_err();
    assert_eq!(err.code(), "certificate_expired", "{err}");
    // Within the validity period nothing changes.
    assert_eq!(verify(&signed).unwrap().cert_status(), CertStatus::Ok);
}

#[test]
fn structured_and_nil_attribute_values_are_never_read_as_text() {
    let xml = rewrite(
        &unsigned(),
        "</saml:AuthnStatement>",
        "</saml:AuthnStatement><saml:AttributeStatement>\
         <saml:Attribute Name=\"role\"><saml:AttributeValue><x:Role xmlns:x=\"urn:x\">ad</x:Role><x:Role xmlns:x=\"urn:x\">min</x:Role></saml:AttributeValue></saml:Attribute>\
         <saml:Attribute Name=\"manager\"><saml:AttributeValue xsi:nil=\"true\"/><saml:AttributeValue></saml:AttributeValue></saml:Attribute>\
         </saml:AttributeStatement>",
    );
    let v = verify(&sign(&xml, SignTarget::Assertion)).unwrap();
    assert_eq!(
        v.attribute("role").unwrap(),
        [AttributeValue::Xml(
            "<x:Role xmlns:x=\"urn:x\">ad</x:Role><x:Role xmlns:x=\"urn:x\">min</x:Role>".into()
        )]
    );
    assert!(v.attribute_texts("role").is_empty(), "element content is not text");
    assert_eq!(
        v.attribute("manager").unwrap(),
        [AttributeValue::Nil, AttributeValue::Text(String::new())]
    );
    let json = serde_json::to_value(&v).unwrap();
    assert_eq!(json["attributes"]["role"], serde_json::json!([]));
    assert_eq!(json["attributes"]["manager"], serde_json::json!([null, ""]));
    assert_eq!(
        json["attributes_xml"]["role"],
        serde_json::json!([
            "<x:Role xmlns:x=\"urn:x\">ad</x:Role><x:Role xmlns:x=\"urn:x\">min</x:Role>"
        ])
    );
}
