//! The test IdP's protocol checks (`samlkit_saml::idp`), through the public API: every way an
//! AuthnRequest must be refused, the requests that must pass, shaped responses an SP verifies,
//! error Responses and logout messages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration};
use common::{ACS, IDP, SP, alice_params, idp_credential, issued};
use samlkit_cert::{Certificate, PrivateKey, SignatureAlgorithm};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::idp::{
    IncomingRequest, MAX_REQUEST_BYTES, Refusal, RequestCheck, ResponseShape, SHAPES,
    SpRegistration, StatusCode, build_logout_request, build_logout_response, build_shaped_response,
    build_status_response, check_authn_request, parse_logout_request, parse_logout_response,
};
use samlkit_saml::redirect::{MessageKind, deflate_and_encode, sign_url, url_encode};
use samlkit_saml::{
    ErrorKind, IdentityProvider, InMemoryReplayCache, Require, ServiceProvider, SignTarget,
    SigningCredential, SigningProfile, VerifyPolicy, group_attributes, sign_document,
    verify_response,
};

const SSO: &str = "https://idp.example.com/sso";
const SP_KEY: &[u8] = include_bytes!("../../../fixtures/keys/idp.key");
const SP_CERT: &[u8] = include_bytes!("../../../fixtures/certs/idp.crt");
const OTHER_KEY: &[u8] = include_bytes!("../data/attacker.key");
const OTHER_CERT: &[u8] = include_bytes!("../data/attacker.crt");

fn registration(signed: bool) -> SpRegistration {
    let mut sp = SpRegistration::new(SP, ACS, Some("https://sp.example.com/slo"));
    sp.acs.push(samlkit_saml::idp::AcsEndpoint {
        location: "https://sp.example.com/acs2".into(),
        binding: samlkit_saml::BINDING_HTTP_POST.into(),
        index: Some(7),
        is_default: false,
    });
    sp.signing_certs = vec![Certificate::load(SP_CERT).unwrap()];
    sp.want_authn_requests_signed = signed;
    sp
}

fn destinations() -> Vec<String> {
    vec![SSO.to_string()]
}

fn check_at<'a>(dest: &'a [String], now: DateTime<chrono::Utc>) -> RequestCheck<'a> {
    RequestCheck {
        destinations: dest,
        now,
        max_age: Duration::minutes(5),
        skew: Duration::seconds(60),
    }
}

/// An AuthnRequest issued at [`issued`] with `attrs` added to the root element.
fn request_xml(id: &str, attrs: &str, inner: &str) -> String {
    format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="2026-11-29T10:00:00Z" Destination="{SSO}"{attrs}><saml:Issuer>{SP}</saml:Issuer>{inner}</samlp:AuthnRequest>"#
    )
}

fn redirect_query(xml: &str) -> String {
    format!("SAMLRequest={}&RelayState=rs1", url_encode(&deflate_and_encode(xml.as_bytes())))
}

fn signed_redirect_query(xml: &str, key: &[u8]) -> String {
    let signer = PrivateKey::load(key).unwrap().signer().unwrap();
    let url = sign_url(
        SSO,
        MessageKind::Request,
        xml.as_bytes(),
        Some("rs1"),
        SignatureAlgorithm::RsaSha256,
        &signer,
    )
    .unwrap();
    url.split_once('?').unwrap().1.to_string()
}

fn signed_post(xml: &str, key: &[u8], cert: &[u8]) -> String {
    let cred =
        SigningCredential::new(&PrivateKey::load(key).unwrap(), Certificate::load(cert).unwrap())
            .unwrap();
    let profile = SigningProfile {
        target: SignTarget::Response,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    STANDARD.encode(sign_document(xml, &cred, &profile).unwrap())
}

fn run(
    incoming: IncomingRequest<'_>,
    sp: SpRegistration,
) -> Result<samlkit_saml::idp::AuthnRequestInfo, Refusal> {
    let dest = destinations();
    check_authn_request(
        incoming,
        &[sp],
        &check_at(&dest, issued() + Duration::seconds(5)),
        &InMemoryReplayCache::new(),
    )
}

#[test]
fn good_requests_pass_by_both_bindings_signed_and_unsigned() {
    let xml = request_xml(
        "_r1",
        " ForceAuthn=\"true\" IsPassive=\"false\"",
        "<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent\"/>",
    );
    let query = redirect_query(&xml);
    let signed_query = signed_redirect_query(&xml, SP_KEY);
    let post = signed_post(&xml, SP_KEY, SP_CERT);
    let plain_post = STANDARD.encode(&xml);
    let cases: Vec<(&str, IncomingRequest<'_>, bool, bool)> = vec![
        ("redirect unsigned", IncomingRequest::Redirect { query: &query }, false, false),
        ("redirect signed", IncomingRequest::Redirect { query: &signed_query }, true, true),
        (
            "post signed",
            IncomingRequest::Post { saml_request: &post, relay_state: Some("rs1") },
            true,
            true,
        ),
        (
            "post unsigned",
            IncomingRequest::Post { saml_request: &plain_post, relay_state: Some("rs1") },
            false,
            false,
        ),
    ];
    for (what, incoming, must_sign, signed) in cases {
        let info = run(incoming, registration(must_sign))
            .unwrap_or_else(|r| panic!("{what}: {}", r.error));
        assert_eq!(info.id, "_r1", "{what}");
        assert_eq!(info.acs_url, ACS, "{what}");
        assert_eq!(info.sp_entity_id, SP, "{what}");
        assert_eq!(info.relay_state.as_deref(), Some("rs1"), "{what}");
        assert!(info.force_authn && !info.is_passive, "{what}");
        assert_eq!(info.signed, signed, "{what}");
        assert_eq!(
            info.name_id_format.as_deref(),
            Some("urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
        );
    }
}

#[test]
fn requests_from_the_sp_library_pass() {
    let sp_key = PrivateKey::load(SP_KEY).unwrap();
    let idp = IdentityProvider::new(IDP, SSO, vec![Certificate::load(SP_CERT).unwrap()]).unwrap();
    let sp = ServiceProvider::builder(SP, ACS, idp).build().unwrap();
    let request = sp
        .authn_request(issued())
        .relay_state("/home")
        .signed_redirect(&sp_key.signer().unwrap(), SignatureAlgorithm::RsaSha256)
        .unwrap();
    let query = request.url().split_once('?').unwrap().1;
    let info = run(IncomingRequest::Redirect { query }, registration(true)).unwrap();
    assert_eq!(info.id, request.id());
    assert_eq!(info.relay_state.as_deref(), Some("/home"));
}

/// The refusal's kind, its detail must mention `needle`, and the status of the SAML answer
/// (`None`: no answer may be sent).
fn assert_refused(
    result: Result<samlkit_saml::idp::AuthnRequestInfo, Refusal>,
    kind: ErrorKind,
    needle: &str,
    status: Option<StatusCode>,
) {
    let refusal = result.expect_err("the request must be refused");
    assert_eq!(refusal.error.kind(), kind, "{}", refusal.error);
    assert!(
        refusal.error.detail().contains(needle),
        "{:?} lacks {needle:?}",
        refusal.error.detail()
    );
    assert_eq!(refusal.answer.as_ref().map(|a| a.status), status, "{}", refusal.error);
    if let Some(answer) = refusal.answer {
        // An error Response only ever goes to a registered ACS URL.
        assert!(
            registration(false).acs.iter().any(|a| a.location == answer.acs_url),
            "{}",
            answer.acs_url
        );
    }
}

#[test]
fn unsigned_request_when_the_sp_must_sign_is_refused() {
    let xml = request_xml("_r1", "", "");
    assert_refused(
        run(IncomingRequest::Redirect { query: &redirect_query(&xml) }, registration(true)),
        ErrorKind::SignatureMissing,
        "must sign its AuthnRequests",
        Some(StatusCode::RequestDenied),
    );
    let post = STANDARD.encode(&xml);
    assert_refused(
        run(IncomingRequest::Post { saml_request: &post, relay_state: None }, registration(true)),
        ErrorKind::SignatureMissing,
        "unsigned",
        Some(StatusCode::RequestDenied),
    );
}

#[test]
fn request_signed_with_another_key_is_refused() {
    let xml = request_xml("_r1", "", "");
    // Redirect: the query signature made by a key that is not the SP's.
    let query = signed_redirect_query(&xml, OTHER_KEY);
    assert_refused(
        run(IncomingRequest::Redirect { query: &query }, registration(false)),
        ErrorKind::SignatureInvalid,
        "",
        Some(StatusCode::RequestDenied),
    );
}

#[test]
fn a_key_only_in_the_requests_own_keyinfo_is_never_trusted() {
    let xml = request_xml("_r1", "", "");
    // Signed by the other key, whose certificate rides along in KeyInfo: a valid signature by
    // *some* key, but not by the SP's registered one.
    let post = signed_post(&xml, OTHER_KEY, OTHER_CERT);
    let refusal =
        run(IncomingRequest::Post { saml_request: &post, relay_state: None }, registration(false))
            .unwrap_err();
    assert!(
        matches!(
            refusal.error.kind(),
            ErrorKind::UntrustedCertificate | ErrorKind::SignatureInvalid
        ),
        "{}",
        refusal.error
    );
    assert_eq!(refusal.answer.map(|a| a.status), Some(StatusCode::RequestDenied));
    // And with no registered certificate at all, the KeyInfo one is not used either.
    let mut bare = registration(false);
    bare.signing_certs.clear();
    assert_refused(
        run(IncomingRequest::Post { saml_request: &post, relay_state: None }, bare),
        ErrorKind::UntrustedCertificate,
        "never trusted",
        Some(StatusCode::RequestDenied),
    );
}

#[test]
fn unregistered_acs_url_or_index_is_refused_and_answered_at_the_registered_one() {
    let by_url =
        request_xml("_r1", " AssertionConsumerServiceURL=\"https://evil.example.com/acs\"", "");
    assert_refused(
        run(IncomingRequest::Redirect { query: &redirect_query(&by_url) }, registration(false)),
        ErrorKind::AcsNotRegistered,
        "evil.example.com",
        Some(StatusCode::RequestDenied),
    );
    let by_index = request_xml("_r1", " AssertionConsumerServiceIndex=\"3\"", "");
    assert_refused(
        run(IncomingRequest::Redirect { query: &redirect_query(&by_index) }, registration(false)),
        ErrorKind::AcsNotRegistered,
        "Index \"3\"",
        Some(StatusCode::RequestDenied),
    );
    let good_index = request_xml("_r1", " AssertionConsumerServiceIndex=\"7\"", "");
    let info =
        run(IncomingRequest::Redirect { query: &redirect_query(&good_index) }, registration(false))
            .unwrap();
    assert_eq!(info.acs_url, "https://sp.example.com/acs2");
    let artifact = request_xml(
        "_r1",
        " ProtocolBinding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Artifact\"",
        "",
    );
    assert_refused(
        run(IncomingRequest::Redirect { query: &redirect_query(&artifact) }, registration(false)),
        ErrorKind::RequestUnsupported,
        "HTTP-POST only",
        Some(StatusCode::UnsupportedBinding),
    );
}

#[test]
fn stale_or_future_issue_instant_is_refused() {
    let xml = request_xml("_r1", "", "");
    let dest = destinations();
    for (what, now) in
        [("stale", issued() + Duration::minutes(10)), ("future", issued() - Duration::minutes(5))]
    {
        let result = check_authn_request(
            IncomingRequest::Redirect { query: &redirect_query(&xml) },
            &[registration(false)],
            &check_at(&dest, now),
            &InMemoryReplayCache::new(),
        );
        assert_refused(
            result,
            ErrorKind::RequestStale,
            "IssueInstant 2026-11-29T10:00:00Z",
            Some(StatusCode::RequestDenied),
        );
        assert!(!what.is_empty());
    }
}

#[test]
fn replayed_request_id_is_refused() {
    let xml = request_xml("_r1", "", "");
    let dest = destinations();
    let seen = InMemoryReplayCache::new();
    let check = check_at(&dest, issued());
    let sps = [registration(false)];
    let query = redirect_query(&xml);
    check_authn_request(IncomingRequest::Redirect { query: &query }, &sps, &check, &seen).unwrap();
    assert_refused(
        check_authn_request(IncomingRequest::Redirect { query: &query }, &sps, &check, &seen),
        ErrorKind::RequestReplayed,
        "_r1",
        Some(StatusCode::RequestDenied),
    );
}

#[test]
fn oversized_and_deflate_bomb_requests_are_refused_before_parsing() {
    // POST: more base64 than any request needs.
    let huge = "A".repeat(MAX_REQUEST_BYTES * 2);
    assert_refused(
        run(IncomingRequest::Post { saml_request: &huge, relay_state: None }, registration(false)),
        ErrorKind::MalformedInput,
        "larger than 65536 bytes",
        None,
    );
    // Redirect: 20 MB of one byte deflates to a few KB and must stop at the cap.
    let bomb =
        format!("SAMLRequest={}", url_encode(&deflate_and_encode(&vec![b' '; 20 * 1024 * 1024])));
    assert!(bomb.len() < 100_000, "the bomb is small on the wire: {}", bomb.len());
    assert_refused(
        run(IncomingRequest::Redirect { query: &bomb }, registration(false)),
        ErrorKind::MalformedInput,
        "inflated SAMLRequest is larger than",
        None,
    );
    // A DOCTYPE is refused by the parser.
    let doctype = format!("<!DOCTYPE x [<!ENTITY a \"b\">]>{}", request_xml("_r1", "", ""));
    assert_refused(
        run(
            IncomingRequest::Post { saml_request: &STANDARD.encode(doctype), relay_state: None },
            registration(false),
        ),
        ErrorKind::DoctypeRefused,
        "DOCTYPE",
        None,
    );
}

#[test]
fn unknown_sp_wrong_destination_and_other_refusals() {
    let unknown = request_xml("_r1", "", "").replace(SP, "https://stranger.example.com");
    assert_refused(
        run(IncomingRequest::Redirect { query: &redirect_query(&unknown) }, registration(false)),
        ErrorKind::UnknownServiceProvider,
        "stranger",
        None,
    );
    let wrong_dest = request_xml("_r1", "", "").replace(SSO, "https://other-idp.example.com/sso");
    assert_refused(
        run(IncomingRequest::Redirect { query: &redirect_query(&wrong_dest) }, registration(false)),
        ErrorKind::DestinationMismatched,
        "other-idp",
        Some(StatusCode::RequestDenied),
    );
    let not_a_request =
        r#"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"/>"#;
    assert_refused(
        run(
            IncomingRequest::Post {
                saml_request: &STANDARD.encode(not_a_request),
                relay_state: None,
            },
            registration(false),
        ),
        ErrorKind::UnexpectedDocument,
        "LogoutRequest",
        None,
    );
    let v1 = request_xml("_r1", "", "").replace("Version=\"2.0\"", "Version=\"1.1\"");
    assert_refused(
        run(IncomingRequest::Redirect { query: &redirect_query(&v1) }, registration(false)),
        ErrorKind::VersionInvalid,
        "2.0",
        Some(StatusCode::VersionMismatch),
    );
    for garbage in ["SAMLRequest=%%%", "RelayState=x", "SAMLRequest=AAAA&SAMLRequest=BBBB"] {
        let refusal =
            run(IncomingRequest::Redirect { query: garbage }, registration(false)).unwrap_err();
        assert!(
            refusal.error.kind().is_input_error()
                || refusal.error.kind() == ErrorKind::DuplicateParameter,
            "{garbage}: {}",
            refusal.error
        );
        assert!(refusal.answer.is_none());
    }
    // A signed request without Destination is refused (bindings §3.4.5.2).
    let no_dest = request_xml("_r1", "", "").replace(&format!(" Destination=\"{SSO}\""), "");
    let query = signed_redirect_query(&no_dest, SP_KEY);
    assert_refused(
        run(IncomingRequest::Redirect { query: &query }, registration(false)),
        ErrorKind::DestinationMismatched,
        "must carry a Destination",
        Some(StatusCode::RequestDenied),
    );
}

#[test]
fn sp_metadata_registers_acs_slo_and_certificates() {
    let cert_b64 = STANDARD.encode(Certificate::load(SP_CERT).unwrap().der());
    let metadata = format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{SP}">
  <md:SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert_b64}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://sp.example.com/slo"/>
    <md:AssertionConsumerService index="2" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sp.example.com/acs2"/>
    <md:AssertionConsumerService index="1" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{ACS}"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#
    );
    let sp = SpRegistration::from_metadata(metadata.as_bytes()).unwrap();
    assert_eq!(sp.entity_id, SP);
    assert_eq!(sp.acs.len(), 2);
    assert_eq!(sp.default_acs().unwrap().location, ACS);
    assert_eq!(sp.slo_endpoint().unwrap().location, "https://sp.example.com/slo");
    assert_eq!(sp.signing_certs.len(), 1, "the encryption certificate is not a signing one");
    assert!(sp.want_authn_requests_signed);
    let no_acs = metadata.replace("HTTP-POST", "HTTP-Artifact");
    let err = SpRegistration::from_metadata(no_acs.as_bytes()).unwrap_err();
    assert!(err.detail().contains("no HTTP-POST AssertionConsumerService"), "{err}");
}

#[test]
fn every_shape_verifies_with_the_sp_verifier() {
    let cred = idp_credential();
    let trusted = [Certificate::load(common::IDP_CERT).unwrap()];
    for shape in SHAPES {
        let mut params = alice_params();
        params.attributes = group_attributes([
            ("email", "alice@example.com"),
            ("given_name", "Alice"),
            ("groups", "admins"),
        ]);
        let built = build_shaped_response(&params, shape).unwrap();
        let profile = SigningProfile {
            target: shape.sign,
            method: SignatureMethod::RsaSha256,
            digest: DigestMethod::Sha256,
        };
        let signed = sign_document(&built.xml, &cred, &profile).unwrap();
        let policy = VerifyPolicy::new(&trusted, SP, ACS, IDP, issued() + Duration::seconds(5))
            .require(match shape.sign {
                SignTarget::Assertion => Require::Assertion,
                SignTarget::Response => Require::Response,
                SignTarget::Both => Require::Assertion,
            });
        let login = verify_response(signed.as_bytes(), &policy)
            .unwrap_or_else(|e| panic!("{}: {e}", shape.name));
        assert_eq!(
            login.attribute_texts(shape.attribute_name("email")),
            ["alice@example.com"],
            "{}",
            shape.name
        );
        assert_eq!(
            login.attribute_texts(shape.attribute_name("given_name")),
            ["Alice"],
            "{}",
            shape.name
        );
        assert!(signed.contains(shape.authn_context), "{}", shape.name);
        assert_eq!(
            signed.contains("NameFormat="),
            shape.attribute_name_format.is_some(),
            "{}",
            shape.name
        );
    }
    assert_eq!(ResponseShape::by_name("okta").unwrap().attribute_name("given_name"), "firstName");
    assert!(ResponseShape::by_name("nope").is_none());
}

#[test]
fn error_responses_carry_the_status_and_are_refused_by_an_sp() {
    let cred = idp_credential();
    let trusted = [Certificate::load(common::IDP_CERT).unwrap()];
    for (status, sub) in [
        (StatusCode::RequestDenied, Some("RequestDenied")),
        (StatusCode::NoPassive, Some("NoPassive")),
        (StatusCode::InvalidNameIdPolicy, Some("InvalidNameIDPolicy")),
        (StatusCode::Requester, None),
    ] {
        let xml = build_status_response(IDP, ACS, Some("_r1"), status, Some("why <not>"), issued())
            .unwrap();
        if let Some(sub) = sub {
            assert!(
                xml.contains(&format!(
                    "urn:oasis:names:tc:SAML:2.0:status:{sub}\"/></samlp:StatusCode>"
                )),
                "{xml}"
            );
        }
        assert!(
            xml.contains("<samlp:StatusMessage>why &lt;not&gt;</samlp:StatusMessage>"),
            "{xml}"
        );
        let profile = SigningProfile {
            target: SignTarget::Response,
            method: SignatureMethod::RsaSha256,
            digest: DigestMethod::Sha256,
        };
        let signed = sign_document(&xml, &cred, &profile).unwrap();
        let err = verify_response(
            signed.as_bytes(),
            &VerifyPolicy::new(&trusted, SP, ACS, IDP, issued()),
        )
        .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::StatusNotSuccess, "{err}");
    }
}

#[test]
fn logout_messages_round_trip() {
    let (id, xml) = build_logout_request(
        IDP,
        "https://sp.example.com/slo",
        "alice@example.com",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        Some("_s1"),
        issued(),
    )
    .unwrap();
    let info = parse_logout_request(&xml).unwrap();
    assert_eq!(
        (info.id.as_str(), info.issuer.as_str(), info.name_id.as_str()),
        (id.as_str(), IDP, "alice@example.com")
    );
    assert_eq!(info.session_indexes, ["_s1"]);
    let response =
        build_logout_response(IDP, "https://sp.example.com/slo", &id, true, issued()).unwrap();
    assert_eq!(
        parse_logout_response(&response).unwrap(),
        (IDP.to_string(), Some(id.clone()), true)
    );
    let denied =
        build_logout_response(IDP, "https://sp.example.com/slo", &id, false, issued()).unwrap();
    assert!(!parse_logout_response(&denied).unwrap().2);
    assert_eq!(parse_logout_request(&response).unwrap_err().kind(), ErrorKind::UnexpectedDocument);
    let no_name_id = xml.replace("<saml:NameID", "<saml:X").replace("</saml:NameID>", "</saml:X>");
    assert!(parse_logout_request(&no_name_id).unwrap_err().detail().contains("no NameID"));
}
