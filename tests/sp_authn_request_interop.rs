//! Interop: python3-saml (OneLogin) reads the AuthnRequests that `samlkit_saml::ServiceProvider`
//! builds, for both bindings, validates them against the SAML 2.0 protocol schema it ships, and
//! verifies the query-string signature of a signed HTTP-Redirect request
//! (tests/interop/onelogin_authn_request.py, tests/interop/onelogin_redirect.py).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use chrono::{DateTime, Utc};
use samlkit_cert::{Certificate, PrivateKey, SignatureAlgorithm};
use samlkit_saml::{IdentityProvider, ServiceProvider, name_id_format_uri};
use support::*;

const SP: &str = "https://sp.example.com/metadata";
const ACS: &str = "https://sp.example.com/acs";
const IDP_SSO: &str = "https://idp.example.com/sso";
const HTTP_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

fn sp() -> ServiceProvider {
    let cert = Certificate::load(&std::fs::read(fixture("certs/idp.crt")).unwrap()).unwrap();
    let idp = IdentityProvider::new("https://idp.example.com", IDP_SSO, vec![cert]).unwrap();
    ServiceProvider::builder(SP, ACS, idp).build().unwrap()
}

fn issued() -> DateTime<Utc> {
    "2026-11-29T10:00:00Z".parse().unwrap()
}

/// What OneLogin read, as JSON (the script fails unless the schema validates).
fn onelogin_reads(mode: &str, value: &str) -> serde_json::Value {
    let out = run_ok(python_script("onelogin_authn_request.py").args([mode, value]));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn onelogin_reads_and_schema_validates_both_bindings() {
    require(&tools::PYTHON3_SAML);
    let sp = sp();
    let email = name_id_format_uri("email").unwrap();
    let redirect = sp
        .authn_request(issued())
        .name_id_format(email.clone())
        .force_authn()
        .relay_state("/reports?id=1")
        .redirect()
        .unwrap();
    let post = sp.authn_request(issued()).post().unwrap();
    let cases = [
        (
            onelogin_reads("redirect", redirect.url()),
            redirect.id(),
            Some(email.as_str()),
            Some("true"),
            Some("/reports?id=1"),
        ),
        (onelogin_reads("post", post.saml_request()), post.id(), None, None, None),
    ];
    for (read, id, format, force, relay_state) in cases {
        assert_eq!(read["id"], id);
        assert_eq!(read["version"], "2.0");
        assert_eq!(read["issue_instant"], "2026-11-29T10:00:00Z");
        assert_eq!(read["destination"], IDP_SSO);
        assert_eq!(read["acs_url"], ACS);
        assert_eq!(read["protocol_binding"], HTTP_POST);
        assert_eq!(read["issuer"], SP);
        assert_eq!(read["name_id_format"].as_str(), format);
        assert_eq!(read["force_authn"].as_str(), force);
        assert_eq!(read["relay_state"].as_str(), relay_state);
    }
}

#[test]
#[cfg_attr(
    missing_python3_saml,
    ignore = "python3-saml for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn onelogin_verifies_a_signed_redirect_request_and_rejects_a_tampered_one() {
    require(&tools::PYTHON3_SAML);
    // The fixture key stands in for the SP's signing key; OneLogin checks with its certificate.
    let key = PrivateKey::load(&std::fs::read(fixture("keys/idp.key")).unwrap()).unwrap();
    let request = sp()
        .authn_request(issued())
        .relay_state("state-1")
        .signed_redirect(&key.signer().unwrap(), SignatureAlgorithm::RsaSha256)
        .unwrap();
    let validate = |url: &str| {
        let out = run_ok(python_script("onelogin_redirect.py").args([
            "validate",
            url,
            &fixture("certs/idp.crt"),
            "SAMLRequest",
        ]));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    assert_eq!(validate(request.url()), "valid");
    assert_eq!(onelogin_reads("redirect", request.url())["id"], request.id());
    let tampered = request.url().replace("RelayState=state-1", "RelayState=state-2");
    assert_ne!(tampered, request.url());
    assert!(validate(&tampered).starts_with("invalid"), "{}", validate(&tampered));
}
