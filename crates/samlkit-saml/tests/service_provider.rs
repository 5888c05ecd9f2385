//! `ServiceProvider` through its public API: configuration (by hand, from IdP metadata signed or
//! not, from SP metadata) and each refusal, the options that loosen a check, the AuthnRequest it
//! builds for both bindings, the explain report, and the replay window.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use common::{ACS, IDP, SP, alice_params, idp, idp_credential, issued};
use samlkit_cert::{Certificate, SignatureAlgorithm};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::redirect::{MessageKind, decode_and_inflate, url_decode, verify_url};
use samlkit_saml::*;

const IDP_SSO: &str = "https://idp.example.com/sso";
const ATTACKER_CERT: &[u8] = include_bytes!("../../../fixtures/certs/attacker.crt");

fn now() -> DateTime<Utc> {
    issued() + Duration::seconds(60)
}

fn idp_config() -> IdentityProvider {
    IdentityProvider::new(IDP, IDP_SSO, vec![idp().1]).unwrap()
}

fn sp() -> ServiceProvider {
    ServiceProvider::builder(SP, ACS, idp_config()).build().unwrap()
}

fn profile(target: SignTarget) -> SigningProfile {
    SigningProfile { target, method: SignatureMethod::RsaSha256, digest: DigestMethod::Sha256 }
}

fn signed(params: &ResponseParams) -> String {
    let xml = build_response(params).unwrap().xml;
    STANDARD
        .encode(sign_document(&xml, &idp_credential(), &profile(SignTarget::Assertion)).unwrap())
}

fn metadata(valid_until: Option<DateTime<Utc>>) -> String {
    build_idp_metadata(&IdpMetadataParams {
        entity_id: IDP.into(),
        sso_url: IDP_SSO.into(),
        slo_url: None,
        signing_certs: vec![idp().1.der().to_vec()],
        name_id_formats: vec![],
        valid_until,
    })
}

fn signed_metadata(valid_until: Option<DateTime<Utc>>) -> String {
    sign_document(&metadata(valid_until), &idp_credential(), &profile(SignTarget::Response))
        .unwrap()
}

#[test]
fn misconfiguration_is_refused_when_building() {
    let cert = idp().1;
    let idp_cases: Vec<(&str, Result<IdentityProvider, SamlError>, &str)> = vec![
        (
            "empty IdP entity ID",
            IdentityProvider::new("", IDP_SSO, vec![cert.clone()]),
            "IdP entity ID must be 1 to 1024 characters, not 0",
        ),
        (
            "relative SSO URL",
            IdentityProvider::new(IDP, "/sso", vec![cert.clone()]),
            "the IdP SingleSignOnService URL \"/sso\" is not an absolute http(s) URL",
        ),
        (
            "no certificate",
            IdentityProvider::new(IDP, IDP_SSO, vec![]),
            "no signing certificate for the IdP",
        ),
    ];
    for (what, result, message) in idp_cases {
        let err = result.expect_err(what);
        assert_eq!(err.kind(), ErrorKind::MalformedInput, "{what}");
        assert!(err.detail().contains(message), "{what}: {err}");
    }
    let sp_cases = [
        (
            "empty SP entity ID",
            ServiceProvider::builder("", ACS, idp_config()),
            "SP entity ID must be 1 to 1024 characters",
        ),
        (
            "ACS URL without scheme",
            ServiceProvider::builder(SP, "sp.example.com/acs", idp_config()),
            "the ACS URL \"sp.example.com/acs\" is not an absolute http(s) URL",
        ),
        (
            "ACS URL with a fragment",
            ServiceProvider::builder(SP, "https://sp.example.com/acs#x", idp_config()),
            "without a #fragment",
        ),
        (
            "negative skew",
            ServiceProvider::builder(SP, ACS, idp_config()).skew(Duration::seconds(-1)),
            "the clock skew must be 0 to 3600 seconds, not -1",
        ),
        (
            "a day of skew",
            ServiceProvider::builder(SP, ACS, idp_config()).skew(Duration::days(1)),
            "not 86400",
        ),
    ];
    for (what, builder, message) in sp_cases {
        let err = builder.build().expect_err(what);
        assert_eq!(err.code(), "malformed_input", "{what}");
        assert!(err.detail().contains(message), "{what}: {err}");
    }
}

#[test]
fn the_idp_can_come_from_signed_metadata_and_unsigned_only_by_name() {
    let (_, cert) = idp();
    let attacker = Certificate::load(ATTACKER_CERT).unwrap();
    let from_signed = IdentityProvider::from_metadata(
        signed_metadata(None).as_bytes(),
        std::slice::from_ref(&cert),
        now(),
    )
    .unwrap();
    assert_eq!(from_signed, idp_config());
    assert_eq!(from_signed.sso_post_url(), Some(IDP_SSO));

    // Unsigned metadata, or metadata signed by a key not trusted for it, is refused...
    let refusals = [
        (metadata(None), vec![cert.clone()], ErrorKind::SignatureMissing),
        (signed_metadata(None), vec![attacker], ErrorKind::UntrustedCertificate),
        (signed_metadata(Some(issued())), vec![cert.clone()], ErrorKind::MetadataExpired),
        (
            signed_metadata(None).replace(IDP, "https://evil.example"),
            vec![cert.clone()],
            ErrorKind::DigestMismatch,
        ),
    ];
    for (doc, trusted, kind) in refusals {
        let err = IdentityProvider::from_metadata(doc.as_bytes(), &trusted, now()).unwrap_err();
        assert_eq!(err.kind(), kind, "{err}");
    }
    // ...while the explicitly named constructor reads it without a signature.
    let unverified =
        IdentityProvider::from_unverified_metadata(metadata(None).as_bytes(), now()).unwrap();
    assert_eq!(unverified, idp_config());
    let expired =
        IdentityProvider::from_unverified_metadata(metadata(Some(issued())).as_bytes(), now());
    assert_eq!(expired.unwrap_err().kind(), ErrorKind::MetadataExpired);
    let no_sso = metadata(None).replace("SingleSignOnService", "ArtifactResolutionService");
    let err = IdentityProvider::from_unverified_metadata(no_sso.as_bytes(), now()).unwrap_err();
    assert!(err.detail().contains("no SingleSignOnService"), "{err}");
    let no_cert = build_idp_metadata(&IdpMetadataParams {
        entity_id: IDP.into(),
        sso_url: IDP_SSO.into(),
        slo_url: None,
        signing_certs: vec![],
        name_id_formats: vec![],
        valid_until: None,
    });
    let err = IdentityProvider::from_unverified_metadata(no_cert.as_bytes(), now()).unwrap_err();
    assert!(err.detail().contains("no signing certificate"), "{err}");
}

#[test]
fn the_sp_can_come_from_its_own_metadata() {
    let sp_metadata = |services: &str| {
        format!(
            "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"{SP}\"><md:SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">{services}</md:SPSSODescriptor></md:EntityDescriptor>"
        )
    };
    let acs = |binding: &str, index: u32, location: &str, default: bool| {
        format!(
            "<md:AssertionConsumerService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:{binding}\" index=\"{index}\" Location=\"{location}\"{}/>",
            if default { " isDefault=\"true\"" } else { "" }
        )
    };
    let cases = [
        (acs("HTTP-POST", 0, ACS, false), ACS),
        (
            acs("HTTP-Artifact", 0, "https://sp.example.com/art", false)
                + &acs("HTTP-POST", 1, ACS, false),
            ACS,
        ),
        (
            acs("HTTP-POST", 0, "https://sp.example.com/first", false)
                + &acs("HTTP-POST", 5, ACS, true),
            ACS,
        ),
        (
            acs("HTTP-POST", 7, "https://sp.example.com/seven", false)
                + &acs("HTTP-POST", 2, ACS, false),
            ACS,
        ),
    ];
    for (services, expected) in cases {
        let doc = sp_metadata(&services);
        let sp = ServiceProvider::builder_from_metadata(doc.as_bytes(), idp_config())
            .unwrap()
            .build()
            .unwrap();
        assert_eq!((sp.entity_id(), sp.acs_url()), (SP, expected), "{services}");
    }
    let only_artifact = sp_metadata(&acs("HTTP-Artifact", 0, ACS, false));
    let err =
        ServiceProvider::builder_from_metadata(only_artifact.as_bytes(), idp_config()).unwrap_err();
    assert!(err.detail().contains("no HTTP-POST AssertionConsumerService"), "{err}");
    let idp_metadata = metadata(None);
    let err =
        ServiceProvider::builder_from_metadata(idp_metadata.as_bytes(), idp_config()).unwrap_err();
    assert!(err.detail().contains("no md:SPSSODescriptor"), "{err}");
}

#[test]
fn options_loosen_only_what_they_name() {
    let unsolicited = signed(&ResponseParams { in_response_to: None, ..alice_params() });
    let cache = InMemoryReplayCache::new();
    let err = sp().verify_post(&unsolicited, Vec::<String>::new(), &cache, now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InResponseToMismatched);
    assert!(err.detail().contains("unsolicited"), "{err}");

    let lenient =
        ServiceProvider::builder(SP, ACS, idp_config()).allow_unsolicited().build().unwrap();
    let login = lenient.verify_post(&unsolicited, Vec::<String>::new(), &cache, now()).unwrap();
    assert_eq!(login.in_response_to(), None);
    // A response that answers a request must still answer an outstanding one.
    let solicited = signed(&alice_params());
    let err = lenient.verify_post(&solicited, ["_other"], &cache, now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InResponseToMismatched);
    // Audience is still checked.
    let foreign = signed(&ResponseParams {
        in_response_to: None,
        audiences: vec!["https://x".into()],
        ..alice_params()
    });
    assert_eq!(
        lenient.verify_post(&foreign, ["_req1"], &cache, now()).unwrap_err().kind(),
        ErrorKind::AudienceInvalid
    );

    // Skew: two minutes after expiry is inside the default three minutes, not inside one.
    let late = issued() + Duration::seconds(300 + 120);
    let field = signed(&alice_params());
    assert!(sp().verify_post(&field, ["_req1"], &InMemoryReplayCache::new(), late).is_ok());
    let strict = ServiceProvider::builder(SP, ACS, idp_config())
        .skew(Duration::seconds(60))
        .build()
        .unwrap();
    let err = strict.verify_post(&field, ["_req1"], &InMemoryReplayCache::new(), late).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AssertionExpired);

    // Require::Response refuses an Assertion-only signature.
    let response_required =
        ServiceProvider::builder(SP, ACS, idp_config()).require(Require::Response).build().unwrap();
    let err = response_required
        .verify_post(&field, ["_req1"], &InMemoryReplayCache::new(), now())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignatureMissing);

    // A bare Assertion only on opt-in.
    let response = sign_document(
        &build_response(&alice_params()).unwrap().xml,
        &idp_credential(),
        &profile(SignTarget::Assertion),
    )
    .unwrap();
    let start = response.find("<saml:Assertion ").unwrap();
    let end = response.find("</saml:Assertion>").unwrap() + "</saml:Assertion>".len();
    let bare = STANDARD.encode(&response[start..end]);
    let err = sp().verify_post(&bare, ["_req1"], &InMemoryReplayCache::new(), now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BareAssertion);
    let legacy =
        ServiceProvider::builder(SP, ACS, idp_config()).allow_bare_assertion().build().unwrap();
    assert_eq!(
        legacy.verify_post(&bare, ["_req1"], &InMemoryReplayCache::new(), now()).unwrap().name_id(),
        "alice@example.com"
    );
}

#[test]
fn sha1_is_accepted_only_through_the_insecure_switch() {
    let sha1 = SigningProfile {
        target: SignTarget::Assertion,
        method: SignatureMethod::RsaSha1,
        digest: DigestMethod::Sha1,
    };
    let doc =
        sign_document(&build_response(&alice_params()).unwrap().xml, &idp_credential(), &sha1)
            .unwrap();
    let field = STANDARD.encode(doc);
    let err = sp().verify_post(&field, ["_req1"], &InMemoryReplayCache::new(), now()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlgorithmRefused);
    let legacy =
        ServiceProvider::builder(SP, ACS, idp_config()).allow_insecure_sha1().build().unwrap();
    assert!(legacy.verify_post(&field, ["_req1"], &InMemoryReplayCache::new(), now()).is_ok());
}

#[test]
fn the_replay_window_covers_every_instant_the_assertion_is_accepted() {
    // NotOnOrAfter issued + 300 s, plus the default skew of 180 s.
    let field = signed(&alice_params());
    let login = sp().verify_post(&field, ["_req1"], &InMemoryReplayCache::new(), now()).unwrap();
    assert_eq!(login.replay_window_end(), issued() + Duration::seconds(480));

    // Without a Conditions NotOnOrAfter, the bearer SubjectConfirmationData's bounds it.
    let xml = build_response(&alice_params()).unwrap().xml;
    let conditions = "<saml:Conditions NotBefore=\"2026-11-29T10:00:00Z\" NotOnOrAfter=\"2026-11-29T10:05:00Z\">";
    assert!(xml.contains(conditions), "{xml}");
    let xml = xml.replace(conditions, "<saml:Conditions NotBefore=\"2026-11-29T10:00:00Z\">");
    let doc = sign_document(&xml, &idp_credential(), &profile(SignTarget::Assertion)).unwrap();
    let field = STANDARD.encode(doc);
    let cache = InMemoryReplayCache::new();
    let login = sp().verify_post(&field, ["_req1"], &cache, now()).unwrap();
    assert_eq!(login.not_on_or_after(), None);
    assert_eq!(login.replay_window_end(), issued() + Duration::seconds(480));
    // At the last second the verifier accepts it, the cache still refuses the replay; from the
    // window's end on, the time check does.
    let last = login.replay_window_end() - Duration::seconds(1);
    assert_eq!(
        sp().verify_post(&field, ["_req1"], &cache, last).unwrap_err().kind(),
        ErrorKind::Replayed
    );
    let end = login.replay_window_end();
    assert_eq!(
        sp().verify_post(&field, ["_req1"], &cache, end).unwrap_err().kind(),
        ErrorKind::AssertionExpired
    );
}

#[test]
fn explain_post_reports_the_steps_and_leaves_the_replay_cache_alone() {
    let field = signed(&alice_params());
    let explained = sp().explain_post(&field, ["_req1"], now());
    assert!(explained.outcome().is_ok());
    let steps = explained.steps().join("\n");
    for expected in [
        "decode: base64",
        "assertion signature:",
        &format!("issuer: \"{IDP}\" as expected"),
        "result: valid",
    ] {
        assert!(steps.contains(expected), "{expected:?} in\n{steps}");
    }
    // The same field still logs in once: explaining did not record it.
    let cache = InMemoryReplayCache::new();
    assert!(sp().verify_post(&field, ["_req1"], &cache, now()).is_ok());
    let refused = sp().explain_post(&field, ["_other"], now());
    assert_eq!(refused.outcome().unwrap_err().kind(), ErrorKind::InResponseToMismatched);
    assert!(refused.steps().last().unwrap().starts_with("FAILED [in_response_to_mismatched]"));
}

/// The attribute `name` of the root element of `xml`.
fn root_attribute(xml: &str, name: &str) -> Option<String> {
    let doc = samlkit_xml::parse(xml).unwrap();
    doc.node(doc.root_element()).attribute("", name).map(str::to_string)
}

#[test]
fn authn_requests_carry_what_the_idp_needs_for_both_bindings() {
    let sp = sp();
    let at = issued();
    let redirect = sp
        .authn_request(at)
        .name_id_format(name_id_format_uri("email").unwrap())
        .force_authn()
        .relay_state("/a b")
        .redirect()
        .unwrap();
    let post = sp.authn_request(at).post().unwrap();
    assert_ne!(redirect.id(), post.id(), "each request has a fresh ID");
    for (xml, id) in [(redirect.xml(), redirect.id()), (post.xml(), post.id())] {
        let doc = samlkit_xml::parse(xml).unwrap();
        let root = doc.node(doc.root_element());
        assert!(root.has_name(NS_PROTOCOL, "AuthnRequest"), "{xml}");
        assert!(is_ncname(id));
        let expected = [
            ("ID", id),
            ("Version", "2.0"),
            ("IssueInstant", "2026-11-29T10:00:00Z"),
            ("Destination", IDP_SSO),
            ("AssertionConsumerServiceURL", ACS),
            ("ProtocolBinding", BINDING_HTTP_POST),
        ];
        for (name, value) in expected {
            assert_eq!(root.attribute("", name), Some(value), "{name} in {xml}");
        }
        let first = root.first_element_child().unwrap();
        assert!(first.has_name(NS_ASSERTION, "Issuer"));
        assert_eq!(first.text_content(), SP);
    }
    assert_eq!(root_attribute(redirect.xml(), "ForceAuthn").as_deref(), Some("true"));
    assert!(redirect.xml().contains("<samlp:NameIDPolicy Format=\"urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress\" AllowCreate=\"true\"/>"));
    assert_eq!(root_attribute(post.xml(), "ForceAuthn"), None);
    assert!(!post.xml().contains("NameIDPolicy"));

    // Redirect: the URL carries the DEFLATEd request and the RelayState, unsigned.
    let query = redirect.url().strip_prefix(&format!("{IDP_SSO}?")).unwrap();
    let params: Vec<(&str, &str)> = query.split('&').filter_map(|p| p.split_once('=')).collect();
    assert_eq!(params.iter().map(|(k, _)| *k).collect::<Vec<_>>(), ["SAMLRequest", "RelayState"]);
    let inflated = decode_and_inflate("SAMLRequest", &url_decode(params[0].1).unwrap()).unwrap();
    assert_eq!(String::from_utf8(inflated).unwrap(), redirect.xml());
    assert_eq!(url_decode(params[1].1).unwrap(), "/a b");
    assert_eq!(
        verify_url(redirect.url(), idp().1.public_key(), false).unwrap_err().kind(),
        ErrorKind::SignatureMissing
    );

    // POST: base64 of the XML, no RelayState unless set.
    assert_eq!(post.action(), IDP_SSO);
    assert_eq!(STANDARD.decode(post.saml_request()).unwrap(), post.xml().as_bytes());
    assert_eq!(post.form_fields(), vec![("SAMLRequest", post.saml_request())]);
    let with_state = sp.authn_request(at).relay_state("s1").post().unwrap();
    assert_eq!(with_state.form_fields()[1], ("RelayState", "s1"));
}

#[test]
fn a_signed_redirect_request_verifies_with_the_sp_certificate() {
    // The fixture IdP key stands in for the SP's own signing key here.
    let (signer, cert) = idp();
    let request = sp()
        .authn_request(issued())
        .relay_state("state")
        .signed_redirect(&signer, SignatureAlgorithm::RsaSha256)
        .unwrap();
    let verified = verify_url(request.url(), cert.public_key(), false).unwrap();
    assert_eq!(verified.kind, MessageKind::Request);
    assert_eq!(verified.message, request.xml().as_bytes());
    assert_eq!(verified.relay_state.as_deref(), Some("state"));
    let err = sp()
        .authn_request(issued())
        .signed_redirect(&signer, SignatureAlgorithm::RsaSha1)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlgorithmRefused);
}

#[test]
fn authn_request_refusals_name_the_problem() {
    let long = "x".repeat(81);
    let err = sp().authn_request(issued()).relay_state(long).redirect().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedInput);
    assert!(err.detail().contains("RelayState is 81 bytes"), "{err}");
    // An IdP that only offers HTTP-POST cannot take a redirect.
    let post_only = metadata(None).replace(
        &format!(
            "<md:SingleSignOnService Binding=\"{BINDING_HTTP_REDIRECT}\" Location=\"{IDP_SSO}\"/>"
        ),
        "",
    );
    assert_ne!(post_only, metadata(None));
    let idp = IdentityProvider::from_unverified_metadata(post_only.as_bytes(), now()).unwrap();
    assert_eq!(idp.sso_redirect_url(), None);
    let sp = ServiceProvider::builder(SP, ACS, idp).build().unwrap();
    let err = sp.authn_request(issued()).redirect().unwrap_err();
    assert!(err.detail().contains("has no HTTP-Redirect SingleSignOnService"), "{err}");
    assert!(sp.authn_request(issued()).post().is_ok());
}

#[test]
fn one_cache_can_be_shared_as_a_trait_object() {
    let cache: Box<dyn ReplayCache + Send + Sync> = Box::new(InMemoryReplayCache::new());
    let field = signed(&alice_params());
    assert!(sp().verify_post(&field, ["_req1"], cache.as_ref(), now()).is_ok());
    assert_eq!(
        sp().verify_post(&field, ["_req1"], cache.as_ref(), now()).unwrap_err().code(),
        "replayed"
    );
}
