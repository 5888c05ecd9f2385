//! `samlkit idp serve` end to end: the test starts the binary on a free port, reads the address
//! from the first stdout line, drives /sso (HTTP-Redirect and HTTP-POST), /sso/init, /login,
//! /metadata, /slo and /log with an HTTP client, verifies every response with samlkit's own SP
//! verifier, and stops the server (killed on drop if a test fails). `idp check` covers the
//! configuration errors.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration as StdDuration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use samlkit_cert::{Certificate, PrivateKey, SignatureAlgorithm};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::redirect::{MessageKind, decode_and_inflate, url_decode, verify_url};
use samlkit_saml::{
    ErrorKind, IdentityProvider, InMemoryReplayCache, ServiceProvider, SignTarget,
    SigningCredential, SigningProfile, VerifyPolicy, sign_document, verify_idp_metadata,
    verify_response,
};
use support::html::attr;

const IDP: &str = "https://idp.example.com";
const SP1: &str = "https://sp1.example.com";
const SP1_ACS: &str = "http://127.0.0.1:9/acs";
const SP1_SLO: &str = "http://127.0.0.1:9/slo";
const SP2: &str = "https://sp2.example.com";
const SP2_ACS: &str = "http://127.0.0.1:9/acs2";
const SP2_SLO: &str = "http://127.0.0.1:9/slo2";
/// Generous: the server answers in milliseconds; this only bounds a hung test.
const TIMEOUT: StdDuration = StdDuration::from_secs(60);

/// SP1 signs its requests with this key (any key that is not the IdP's).
fn sp1_key() -> PrivateKey {
    PrivateKey::load(&std::fs::read(support::fixture("keys/attacker.key")).unwrap()).unwrap()
}

fn idp_cert() -> Certificate {
    Certificate::load(&std::fs::read(support::fixture("certs/idp.crt")).unwrap()).unwrap()
}

fn sp1_metadata() -> String {
    let cert =
        Certificate::load(&std::fs::read(support::fixture("certs/attacker.crt")).unwrap()).unwrap();
    format!(
        r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{SP1}">
  <md:SPSSODescriptor AuthnRequestsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="{SP1_SLO}"/>
    <md:AssertionConsumerService index="0" isDefault="true" Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="{SP1_ACS}"/>
  </md:SPSSODescriptor>
</md:EntityDescriptor>"#,
        STANDARD.encode(cert.der())
    )
}

const CONFIG: &str = r#"
entity_id = "https://idp.example.com"
key = "idp.key"
cert = "idp.crt"
next_cert = "next.crt"

[[user]]
id = "alice"
name_id = "alice@example.com"
[user.attributes]
email = ["alice@example.com"]
given_name = ["Alice"]
groups = ["admins", "staff"]

[[user]]
id = "bob"
name_id = "bob@example.com"
[user.attributes]
email = ["bob@example.com"]

[[sp]]
metadata = "sp1.xml"
auto_login = "alice"
shape = "okta"

[[sp]]
entity_id = "https://sp2.example.com"
acs_url = "http://127.0.0.1:9/acs2"
slo_url = "http://127.0.0.1:9/slo2"
"#;

/// A directory with the configuration; the key and certificates beside it (relative paths).
fn config_dir(config: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(support::fixture("keys/idp.key"), dir.path().join("idp.key")).unwrap();
    std::fs::copy(support::fixture("certs/idp.crt"), dir.path().join("idp.crt")).unwrap();
    std::fs::copy(support::fixture("certs/ec-p256.crt"), dir.path().join("next.crt")).unwrap();
    std::fs::write(dir.path().join("sp1.xml"), sp1_metadata()).unwrap();
    std::fs::write(dir.path().join("idp.toml"), config).unwrap();
    dir
}

/// `samlkit idp serve`, killed on drop (the support module's process that reports its address).
type Server = support::browser::Process;

/// `samlkit idp serve --config DIR/idp.toml --listen 127.0.0.1:0 EXTRA…`, run from another
/// directory so relative paths must resolve against the configuration file.
fn start_server(dir: &Path, extra: &[&str], stderr: Stdio) -> Server {
    let mut command = Command::new(env!("CARGO_BIN_EXE_samlkit"));
    command
        .current_dir(std::env::temp_dir())
        .args(["idp", "serve", "--listen", "127.0.0.1:0", "--config"])
        .arg(dir.join("idp.toml"))
        .args(extra);
    let server = Server::start_with_stderr(command, stderr);
    assert!(server.base.starts_with("http://127.0.0.1:"), "{}", server.base);
    server
}

impl Server {
    /// SIGTERM, then the exit status (bounded wait; killed if it does not stop).
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        for _ in 0..600 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(StdDuration::from_millis(100));
        }
        panic!("the server did not stop on SIGTERM");
    }
}

struct Page {
    status: u16,
    body: String,
}

/// A cookie-keeping HTTP client.
struct Browser {
    agent: ureq::Agent,
    base: String,
    cookie: Option<String>,
}

impl Browser {
    fn new(server: &Server) -> Browser {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        Browser { agent, base: server.base.clone(), cookie: None }
    }

    fn page(&mut self, response: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Page {
        let mut response = response.expect("HTTP exchange");
        if let Some(cookie) = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()) {
            let pair = cookie.split(';').next().unwrap().to_string();
            self.cookie = if pair.ends_with('=') { None } else { Some(pair) };
        }
        let body = response.body_mut().with_config().limit(10 << 20).read_to_string().unwrap();
        Page { status: response.status().as_u16(), body }
    }

    fn get(&mut self, url: &str) -> Page {
        let url =
            if url.starts_with("http") { url.to_string() } else { format!("{}{url}", self.base) };
        let mut request = self.agent.get(url);
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        let response = request.call();
        self.page(response)
    }

    fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let mut request = self.agent.post(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        let response = request.send_form(fields.iter().copied());
        self.page(response)
    }
}

/// The POST form's action and decoded SAMLResponse XML.
fn posted_response(page: &Page) -> (String, String, String) {
    let action =
        attr(&page.body, "<form", "action").unwrap_or_else(|| panic!("no form: {}", page.body));
    let field = attr(&page.body, "name=\"SAMLResponse\"", "value").expect("SAMLResponse field");
    let xml = String::from_utf8(STANDARD.decode(&field).unwrap()).unwrap();
    (action, field, xml)
}

fn sp(entity: &str, acs: &str, base: &str) -> ServiceProvider {
    let idp = IdentityProvider::new(IDP, format!("{base}/sso"), vec![idp_cert()]).unwrap();
    ServiceProvider::builder(entity, acs, idp).allow_unsolicited().build().unwrap()
}

#[test]
fn sp_initiated_sso_by_redirect_and_post_with_auto_login_verifies() {
    let dir = config_dir(CONFIG);
    let server = start_server(dir.path(), &[], Stdio::null());
    let sp1 = sp(SP1, SP1_ACS, &server.base);
    let cache = InMemoryReplayCache::new();

    // HTTP-Redirect, signed by the SP as its metadata demands.
    let request = sp1
        .authn_request(Utc::now())
        .relay_state("r1")
        .signed_redirect(&sp1_key().signer().unwrap(), SignatureAlgorithm::RsaSha256)
        .unwrap();
    let mut browser = Browser::new(&server);
    let page = browser.get(request.url());
    assert_eq!(page.status, 200, "{}", page.body);
    let (action, field, xml) = posted_response(&page);
    assert_eq!(action, SP1_ACS);
    assert_eq!(attr(&page.body, "name=\"RelayState\"", "value").as_deref(), Some("r1"));
    let login = sp1.verify_post(&field, [request.id()], &cache, Utc::now()).unwrap();
    assert_eq!(login.name_id(), "alice@example.com");
    assert_eq!(login.attribute_texts("firstName"), ["Alice"], "the okta shape renames given_name");
    assert_eq!(login.attribute_texts("groups"), ["admins", "staff"]);
    // The okta shape signs both the Response and the Assertion.
    assert_eq!(xml.matches("<ds:Signature ").count(), 2, "{xml}");

    // HTTP-POST: an unsigned request is refused for SP1 (it must sign), with the reason shown
    // and a RequestDenied Response for the SP.
    let post = sp1.authn_request(Utc::now()).post().unwrap();
    let page = browser.post("/sso", &post.form_fields());
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("must sign its AuthnRequests"), "{}", page.body);
    let (action, _, xml) = posted_response(&page);
    assert_eq!(action, SP1_ACS);
    assert!(xml.contains("urn:oasis:names:tc:SAML:2.0:status:RequestDenied"), "{xml}");
    let trusted = [idp_cert()];
    let err = verify_response(
        xml.as_bytes(),
        &VerifyPolicy::new(&trusted, SP1, SP1_ACS, IDP, Utc::now()),
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::StatusNotSuccess);

    // HTTP-POST for SP2 (unsigned allowed) with a login_hint... not allowed by this config, so
    // the login page shows; the user picks bob.
    let sp2 = sp(SP2, SP2_ACS, &server.base);
    let post = sp2.authn_request(Utc::now()).post().unwrap();
    let mut fresh = Browser::new(&server);
    let page = fresh.post("/sso", &post.form_fields());
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("<noscript>") || page.body.contains("id=\"login\""),
        "{}",
        page.body
    );
    let token = attr(&page.body, "name=\"token\"", "value").expect("login page token");
    assert!(page.body.contains("xsw3"), "the break kinds are offered");
    let page = fresh.post(
        "/login",
        &[("token", &token), ("user", "bob"), ("sign", "response"), ("action", "login")],
    );
    let (action, field, xml) = posted_response(&page);
    assert_eq!(action, SP2_ACS);
    assert!(page.body.contains("<noscript>"), "the auto-post form has a noscript button");
    let login = sp2.verify_post(&field, [post.id()], &cache, Utc::now()).unwrap();
    assert_eq!(login.name_id(), "bob@example.com");
    assert_eq!(xml.matches("<ds:Signature ").count(), 1, "signed as picked on the page");

    // The same token cannot be used twice.
    let again = fresh.post("/login", &[("token", &token), ("user", "bob")]);
    assert_eq!(again.status, 400);
    assert!(again.body.contains("no longer valid"), "{}", again.body);
}

#[test]
fn idp_initiated_login_session_sso_force_authn_and_is_passive() {
    let dir = config_dir(CONFIG);
    let server = start_server(dir.path(), &[], Stdio::null());
    let sp2 = sp(SP2, SP2_ACS, &server.base);
    let cache = InMemoryReplayCache::new();
    let mut browser = Browser::new(&server);

    // IsPassive without a session: NoPassive, straight back to the SP.
    let xml = passive_request(&server.base);
    let page = browser.post("/sso", &[("SAMLRequest", &STANDARD.encode(&xml))]);
    let (_, _, response) = posted_response(&page);
    assert!(response.contains("urn:oasis:names:tc:SAML:2.0:status:NoPassive"), "{response}");

    // IdP-initiated: the login page, then an unsolicited response.
    let page = browser
        .get(&format!("/sso/init?sp={}&RelayState=home", samlkit_saml::redirect::url_encode(SP2)));
    let token =
        attr(&page.body, "name=\"token\"", "value").unwrap_or_else(|| panic!("{}", page.body));
    let page = browser.post(
        "/login",
        &[("token", &token), ("user", "alice"), ("attributes", "department=R&D\ndepartment=QA")],
    );
    let (_, field, _) = posted_response(&page);
    let login = sp2.verify_post(&field, Vec::<String>::new(), &cache, Utc::now()).unwrap();
    assert_eq!(login.in_response_to(), None);
    assert_eq!(login.attribute_texts("department"), ["R&D", "QA"], "attributes edited on the page");
    assert!(browser.cookie.is_some(), "a session cookie");

    // SSO: the next request is answered from the session, without the page.
    let request = sp2.authn_request(Utc::now()).redirect().unwrap();
    let page = browser.get(request.url());
    let (_, field, _) = posted_response(&page);
    assert_eq!(
        sp2.verify_post(&field, [request.id()], &cache, Utc::now()).unwrap().name_id(),
        "alice@example.com"
    );

    // ForceAuthn: the page again, despite the session.
    let request = sp2.authn_request(Utc::now()).force_authn().redirect().unwrap();
    let page = browser.get(request.url());
    assert!(attr(&page.body, "name=\"token\"", "value").is_some(), "{}", page.body);

    // Unknown SP for IdP-initiated login.
    let page = browser.get("/sso/init?sp=https%3A%2F%2Fnobody.example.com");
    assert_eq!(page.status, 404);
    assert!(page.body.contains("no SP"), "{}", page.body);
}

#[test]
fn a_login_with_a_break_kind_creates_no_session() {
    let dir = config_dir(CONFIG);
    let server = start_server(dir.path(), &[], Stdio::null());
    let sp2 = sp(SP2, SP2_ACS, &server.base);
    let cache = InMemoryReplayCache::new();
    let mut browser = Browser::new(&server);
    let page = browser.get(&format!("/sso/init?sp={}", samlkit_saml::redirect::url_encode(SP2)));
    let token =
        attr(&page.body, "name=\"token\"", "value").unwrap_or_else(|| panic!("{}", page.body));
    let page = browser.post("/login", &[("token", &token), ("user", "alice"), ("break", "xsw3")]);
    let (_, field, _) = posted_response(&page);
    assert!(
        sp2.verify_post(&field, Vec::<String>::new(), &cache, Utc::now()).is_err(),
        "the broken response is refused by the SP"
    );
    assert!(browser.cookie.is_none(), "no session cookie for a broken response");
    // The next request is not answered by SSO: the login page again.
    let request = sp2.authn_request(Utc::now()).redirect().unwrap();
    let page = browser.get(request.url());
    assert!(attr(&page.body, "name=\"token\"", "value").is_some(), "{}", page.body);
    assert!(!page.body.contains("name=\"SAMLResponse\""), "{}", page.body);
}

fn passive_request(base: &str) -> String {
    format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_passive1" Version="2.0" IssueInstant="{}" Destination="{base}/sso" IsPassive="true"><saml:Issuer>{SP2}</saml:Issuer></samlp:AuthnRequest>"#,
        samlkit_saml::format_instant(Utc::now())
    )
}

#[test]
fn metadata_is_signed_and_publishes_both_certificates() {
    let dir = config_dir(CONFIG);
    let server = start_server(dir.path(), &[], Stdio::null());
    let mut browser = Browser::new(&server);
    let page = browser.get("/metadata");
    assert_eq!(page.status, 200);
    let verified =
        verify_idp_metadata(page.body.as_bytes(), &[idp_cert()], Utc::now(), false).unwrap();
    assert_eq!(verified.entity_id, IDP);
    assert_eq!(verified.signing_certs.len(), 2, "current and next certificate");
    for endpoints in [&verified.sso, &verified.slo] {
        assert_eq!(endpoints.len(), 2);
    }
    assert_eq!(verified.sso[0].location, format!("{}/sso", server.base));
    assert!(!page.body.contains("PRIVATE KEY"));
}

#[test]
fn single_logout_ends_the_session_and_logs_out_the_other_sp() {
    let dir = config_dir(CONFIG);
    let server = start_server(dir.path(), &[], Stdio::null());
    let sp1 = sp(SP1, SP1_ACS, &server.base);
    let sp2 = sp(SP2, SP2_ACS, &server.base);
    let mut browser = Browser::new(&server);
    // SP1 logs alice in (auto_login); SP2 then gets her by SSO.
    let request = sp1
        .authn_request(Utc::now())
        .signed_redirect(&sp1_key().signer().unwrap(), SignatureAlgorithm::RsaSha256)
        .unwrap();
    let (_, _, response) = posted_response(&browser.get(request.url()));
    // SP1 has the Okta shape: `saml2:` prefixes.
    let session_index = attr(&response, "<saml2:AuthnStatement", "SessionIndex").unwrap();
    let request = sp2.authn_request(Utc::now()).redirect().unwrap();
    posted_response(&browser.get(request.url()));

    // SP1's signed LogoutRequest (HTTP-Redirect).
    let (_, logout) = samlkit_saml::idp::build_logout_request(
        SP1,
        &format!("{}/slo", server.base),
        "alice@example.com",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        Some(&session_index),
        Utc::now(),
    )
    .unwrap();
    let url = samlkit_saml::redirect::sign_url(
        &format!("{}/slo", server.base),
        MessageKind::Request,
        logout.as_bytes(),
        Some("bye"),
        SignatureAlgorithm::RsaSha256,
        &sp1_key().signer().unwrap(),
    )
    .unwrap();
    let page = browser.get(&url);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"logged-out\""), "{}", page.body);
    assert!(browser.cookie.is_none(), "the session cookie is cleared");
    // The other SP gets a signed LogoutRequest in a frame.
    let frame = attr(&page.body, "<iframe", "src").expect("a logout frame for SP2");
    assert!(frame.starts_with(&format!("{SP2_SLO}?SAMLRequest=")), "{frame}");
    let verified = verify_url(&frame, idp_cert().public_key(), false).unwrap();
    let to_sp2 =
        samlkit_saml::idp::parse_logout_request(&String::from_utf8(verified.message).unwrap())
            .unwrap();
    assert_eq!(to_sp2.name_id, "alice@example.com");
    assert_eq!(to_sp2.issuer, IDP);
    // SP1 gets a signed LogoutResponse with its RelayState.
    let next = attr(&page.body, "id=\"continue\"", "href").expect("continue link");
    let verified = verify_url(&next, idp_cert().public_key(), false).unwrap();
    assert!(next.starts_with(SP1_SLO), "{next}");
    assert_eq!(verified.relay_state.as_deref(), Some("bye"));
    let (_, in_response_to, success) =
        samlkit_saml::idp::parse_logout_response(&String::from_utf8(verified.message).unwrap())
            .unwrap();
    assert!(success);
    assert!(in_response_to.is_some());

    // With the session gone, SP2's next request shows the login page.
    let request = sp2.authn_request(Utc::now()).redirect().unwrap();
    let page = browser.get(request.url());
    assert!(attr(&page.body, "name=\"token\"", "value").is_some(), "{}", page.body);

    // A LogoutRequest signed by a key that is not SP1's is refused.
    let url = samlkit_saml::redirect::sign_url(
        &format!("{}/slo", server.base),
        MessageKind::Request,
        logout.as_bytes(),
        None,
        SignatureAlgorithm::RsaSha256,
        &PrivateKey::load(&std::fs::read(support::fixture("keys/idp.key")).unwrap())
            .unwrap()
            .signer()
            .unwrap(),
    )
    .unwrap();
    let page = browser.get(&url);
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("Signature Invalid"), "{}", page.body);
}

/// `xml` with an enveloped signature over its root by `key`, the key's own certificate in KeyInfo,
/// base64 for an HTTP-POST form.
fn post_signed(xml: &str, key: &str, cert: &str) -> String {
    let key = PrivateKey::load(&std::fs::read(support::fixture(key)).unwrap()).unwrap();
    let cert = Certificate::load(&std::fs::read(support::fixture(cert)).unwrap()).unwrap();
    let profile = SigningProfile {
        target: SignTarget::Response,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    let signed =
        sign_document(xml, &SigningCredential::new(&key, cert).unwrap(), &profile).unwrap();
    assert!(signed.contains("<ds:Signature"), "{signed}");
    STANDARD.encode(signed)
}

#[test]
fn slo_by_post_verifies_the_enveloped_signature_against_the_registered_certificate_only() {
    let dir = config_dir(CONFIG);
    let server = start_server(dir.path(), &[], Stdio::null());
    let mut browser = Browser::new(&server);
    let (_, logout) = samlkit_saml::idp::build_logout_request(
        SP1,
        &format!("{}/slo", server.base),
        "alice@example.com",
        "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
        None,
        Utc::now(),
    )
    .unwrap();
    // Signed with SP1's registered key: accepted and answered with a LogoutResponse.
    let good = post_signed(&logout, "keys/attacker.key", "certs/attacker.crt");
    let page = browser.post("/slo", &[("SAMLRequest", &good), ("RelayState", "bye")]);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("id=\"logged-out\""), "{}", page.body);
    let next = attr(&page.body, "id=\"continue\"", "href").expect("continue link");
    assert!(next.starts_with(SP1_SLO), "{next}");

    // The signature is checked, not just looked for: one altered byte is refused.
    let tampered = String::from_utf8(STANDARD.decode(&good).unwrap())
        .unwrap()
        .replace("alice@example.com", "bob@example.com");
    let page = browser.post("/slo", &[("SAMLRequest", &STANDARD.encode(tampered))]);
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(!page.body.contains("id=\"logged-out\""), "{}", page.body);

    // Signed by another key that brings its own certificate in KeyInfo: refused, only SP1's
    // registered certificate is trusted. Same for a LogoutResponse.
    let other = post_signed(&logout, "keys/idp.key", "certs/idp.crt");
    let page = browser.post("/slo", &[("SAMLRequest", &other)]);
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("Certificate Not Trusted"), "{}", page.body);
    let reply = samlkit_saml::idp::build_logout_response(
        SP1,
        &format!("{}/slo", server.base),
        "_l1",
        true,
        Utc::now(),
    )
    .unwrap();
    let page = browser
        .post("/slo", &[("SAMLResponse", &post_signed(&reply, "keys/idp.key", "certs/idp.crt"))]);
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains("Certificate Not Trusted"), "{}", page.body);
    let page = browser.post(
        "/slo",
        &[("SAMLResponse", &post_signed(&reply, "keys/attacker.key", "certs/attacker.crt"))],
    );
    assert_eq!(page.status, 200, "{}", page.body);

    // Unsigned, from an SP that must sign: refused with the reason (both message kinds).
    for (field, xml, what) in
        [("SAMLRequest", &logout, "LogoutRequests"), ("SAMLResponse", &reply, "LogoutResponses")]
    {
        let page = browser.post("/slo", &[(field, &STANDARD.encode(xml))]);
        assert_eq!(page.status, 403, "{}", page.body);
        assert!(page.body.contains("Signature Missing"), "{}", page.body);
        assert!(page.body.contains(&format!("must sign its {what}")), "{}", page.body);
    }
}

#[test]
fn log_page_log_dir_json_lines_limits_and_graceful_shutdown() {
    let dir = config_dir(CONFIG);
    let messages = dir.path().join("messages");
    let stderr_path = dir.path().join("stderr.log");
    let stderr = std::fs::File::create(&stderr_path).unwrap();
    let server = start_server(
        dir.path(),
        &["--log-format", "json", "--log-dir", messages.to_str().unwrap()],
        Stdio::from(stderr),
    );
    let sp1 = sp(SP1, SP1_ACS, &server.base);
    let mut browser = Browser::new(&server);
    let request = sp1
        .authn_request(Utc::now())
        .signed_redirect(&sp1_key().signer().unwrap(), SignatureAlgorithm::RsaSha256)
        .unwrap();
    posted_response(&browser.get(request.url()));

    let log = browser.get("/log");
    assert!(log.body.contains("received AuthnRequest"), "{}", log.body);
    assert!(log.body.contains("sent Response"), "{}", log.body);
    let download = browser.get("/log/1");
    assert!(download.body.starts_with("<samlp:AuthnRequest"), "{}", download.body);
    assert_eq!(browser.get("/log/999").status, 404);
    let mut files: Vec<String> = std::fs::read_dir(&messages)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["000001-received-AuthnRequest.xml", "000002-sent-Response.xml"]);

    // Body limit: a 1 MB form is refused before any parsing.
    // The server may answer 413 and close before the client has sent everything; either way
    // the request log below shows the 413.
    let big = "A".repeat(1 << 20);
    let sent = browser
        .agent
        .post(format!("{}/sso", browser.base))
        .send_form([("SAMLRequest", big.as_str())]);
    match sent {
        Ok(response) => assert_eq!(response.status().as_u16(), 413),
        Err(ureq::Error::Io(e)) => assert!(
            matches!(
                e.kind(),
                std::io::ErrorKind::BrokenPipe | std::io::ErrorKind::ConnectionReset
            ),
            "{e}"
        ),
        Err(e) => panic!("{e}"),
    }
    // A deflate bomb in the query is refused with the reason.
    let bomb = samlkit_saml::redirect::deflate_and_encode(&vec![b' '; 8 << 20]);
    let page =
        browser.get(&format!("/sso?SAMLRequest={}", samlkit_saml::redirect::url_encode(&bomb)));
    assert_eq!(page.status, 400);
    assert!(page.body.contains("larger than 65536 bytes"), "{}", page.body);

    let status = server.terminate();
    assert!(status.success(), "{status:?}");
    let lines = std::fs::read_to_string(&stderr_path).unwrap();
    let requests: Vec<serde_json::Value> = lines
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let sso =
        requests.iter().find(|r| r["path"] == "/sso" && r["method"] == "GET").expect("a /sso line");
    assert_eq!(sso["sp"], SP1);
    assert_eq!(sso["outcome"], "sso");
    assert_eq!(sso["status"], 200);
    assert!(sso["ms"].as_f64().is_some());
    assert!(requests.iter().any(|r| r["outcome"] == "refused:malformed_input"), "{lines}");
    assert!(requests.iter().any(|r| r["path"] == "/sso" && r["status"] == 413), "{lines}");
    assert!(lines.contains("stopped"), "{lines}");
    assert!(!lines.contains("PRIVATE KEY"));
}

#[test]
fn configuration_errors_name_the_key() {
    let base = CONFIG;
    let cases: &[(&str, &str, &str)] = &[
        // sp1.xml has a signing KeyDescriptor only: nothing to encrypt to.
        (
            "shape = \"okta\"",
            "shape = \"okta\"\nencrypt = true",
            "sp[0].encrypt: true needs the SP's encryption certificate: a KeyDescriptor use=\"encryption\" (or without use) in its metadata, or encrypt_cert = \"FILE\"",
        ),
        (
            "shape = \"okta\"",
            "encrypt = true\nencrypt_cert = \"missing.crt\"",
            "sp[0].encrypt_cert: cannot read",
        ),
        (
            "shape = \"okta\"",
            "encrypt = true\nencrypt_cert = \"idp.key\"\n",
            "sp[0].encrypt_cert: idp.key:",
        ),
        (
            "shape = \"okta\"",
            "encrypt = true\nencrypt_cert = \"next.crt\"",
            "sp[0].encrypt_cert: cannot encrypt to this certificate:",
        ),
        (
            "shape = \"okta\"",
            "encrypt = true\nencrypt_cert = \"idp.crt\"\nenc_alg = \"3des\"",
            "sp[0].enc_alg: \"3des\" is not one of aes256-gcm, aes128-gcm, aes256-cbc, aes128-cbc",
        ),
        (
            "shape = \"okta\"",
            "encrypt = true\nencrypt_cert = \"idp.crt\"\nkey_transport = \"rsa-1_5\"",
            "sp[0].key_transport: \"rsa-1_5\" is not one of rsa-oaep-mgf1p, rsa-oaep",
        ),
        (
            "shape = \"okta\"",
            "encrypt = true\nencrypt_cert = \"idp.crt\"\noaep_digest = \"md5\"",
            "sp[0].oaep_digest: \"md5\" is not one of sha1, sha256",
        ),
        (
            "shape = \"okta\"",
            "encrypt_cert = \"idp.crt\"\nenc_alg = \"aes128-gcm\"",
            "sp[0].enc_alg: has no effect without encrypt = true",
        ),
        (
            "shape = \"okta\"",
            "encrypt_name_id = true",
            "sp[0].encrypt_name_id: has no effect without encrypt = true",
        ),
        (
            "shape = \"okta\"",
            "shape = \"pingfed\"",
            "sp[0].shape: \"pingfed\" is not one of generic, salesforce, adfs, okta, entra",
        ),
        (
            "shape = \"okta\"",
            "sign = \"everything\"",
            "sp[0].sign: \"everything\" is not assertion, response or both",
        ),
        (
            "shape = \"okta\"",
            "alg = \"rsa-sha1\"",
            "sp[0].alg: \"rsa-sha1\" is not a signature algorithm",
        ),
        (
            "auto_login = \"alice\"",
            "auto_login = \"carol\"",
            "sp[0].auto_login: \"carol\" is not a configured [[user]] id",
        ),
        ("key = \"idp.key\"", "key = \"missing.key\"", "key: cannot read"),
        (
            "next_cert = \"next.crt\"",
            "next_cert = \"next.crt\"\ncolour = \"blue\"",
            "unknown field `colour`",
        ),
        (
            "name_id = \"bob@example.com\"",
            "name_id = \"bob@example.com\"\nname_id_format = \"fancy\"",
            "user[1].name_id_format: \"fancy\" is not email",
        ),
        ("metadata = \"sp1.xml\"", "metadata = \"nope.xml\"", "sp[0].metadata: cannot read"),
        (
            "acs_url = \"http://127.0.0.1:9/acs2\"",
            "",
            "sp[1]: needs metadata = \"FILE\", or entity_id and acs_url",
        ),
    ];
    for (from, to, message) in cases {
        assert!(base.contains(from), "{from}");
        let dir = config_dir(&base.replacen(from, to, 1));
        let out = support::run(&[
            "idp",
            "check",
            "--config",
            dir.path().join("idp.toml").to_str().unwrap(),
        ]);
        support::assert_error(&out, 2, message);
    }
    let dir = config_dir(CONFIG);
    let out =
        support::run(&["idp", "check", "--config", dir.path().join("idp.toml").to_str().unwrap()]);
    support::assert_success(&out);
    let text = support::stdout(&out);
    assert!(text.contains("SP         https://sp1.example.com -> http://127.0.0.1:9/acs (shape okta, sign both, requests must be signed)"), "{text}");
    let started =
        support::run(&["idp", "serve", "--demo", "--listen", "127.0.0.1:0", "--exit-after-start"]);
    support::assert_success(&started);
    assert!(
        support::stdout(&started).starts_with("listening on http://127.0.0.1:"),
        "{}",
        support::stdout(&started)
    );
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let busy = taken.local_addr().unwrap().to_string();
    support::assert_error(
        &support::run(&["idp", "serve", "--demo", "--listen", &busy]),
        2,
        &format!("--listen {busy}: "),
    );
    let demo = support::run(&["idp", "check", "--demo"]);
    support::assert_success(&demo);
    assert!(support::stdout(&demo).contains("user       bob (bob@example.com)"));
}

#[test]
fn demo_serves_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_samlkit"))
        .args(["idp", "serve", "--demo", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    reader.read_line(&mut first).unwrap();
    let server =
        Server { child, base: first.trim().strip_prefix("listening on ").unwrap().to_string() };
    let mut browser = Browser::new(&server);
    let page = browser.get("/sso/init?sp=https%3A%2F%2Fsp.example.com&login_hint=bob");
    let (action, _, xml) = posted_response(&page);
    assert_eq!(action, "http://127.0.0.1:8000/acs");
    assert!(xml.contains(">bob@example.com</saml:NameID>"), "{xml}");
    assert!(server.terminate().success());
}

#[allow(dead_code)]
fn decode_query_message(url: &str) -> String {
    let value = url.split_once("SAMLRequest=").unwrap().1.split('&').next().unwrap();
    String::from_utf8(decode_and_inflate("SAMLRequest", &url_decode(value).unwrap()).unwrap())
        .unwrap()
}

#[test]
fn issue_shape_renames_attributes_and_still_verifies() {
    let key = support::fixture("keys/idp.key");
    let cert = support::fixture("certs/idp.crt");
    let common = [
        "issue",
        "--key",
        &key,
        "--cert",
        &cert,
        "--issuer",
        IDP,
        "--name-id",
        "alice@example.com",
        "--audience",
        SP1,
        "--recipient",
        SP1_ACS,
        "--attr",
        "email=alice@example.com",
        "--attr",
        "given_name=Alice",
    ];
    // Each in its IdP's prefix style: the Microsoft IdPs' default-namespace Assertion, Okta's
    // `saml2:`.
    for (shape, element, email_name) in [
        ("adfs", "Attribute", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"),
        ("okta", "saml2:Attribute", "email"),
        (
            "entra",
            "Attribute",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        ),
    ] {
        let mut args = common.to_vec();
        args.extend(["--shape", shape]);
        let out = support::run(&args);
        support::assert_success(&out);
        let xml = support::stdout(&out);
        assert!(xml.contains(&format!("<{element} Name=\"{email_name}\"")), "{shape}: {xml}");
        let trusted = [idp_cert()];
        let policy = VerifyPolicy::new(&trusted, SP1, SP1_ACS, IDP, Utc::now());
        let login =
            verify_response(xml.as_bytes(), &policy).unwrap_or_else(|e| panic!("{shape}: {e}"));
        assert_eq!(login.attribute_texts(email_name), ["alice@example.com"], "{shape}");
    }
    let mut args = common.to_vec();
    args.extend(["--shape", "pingfed"]);
    support::assert_error(
        &support::run(&args),
        2,
        "--shape \"pingfed\" is not one of generic, salesforce, adfs, okta, entra",
    );
}

#[test]
fn idp_check_names_the_encryption_of_an_sp_with_encrypt_true() {
    let config = CONFIG.replacen(
        "shape = \"okta\"",
        "shape = \"okta\"\nencrypt = true\nencrypt_cert = \"idp.crt\"\nenc_alg = \"aes128-gcm\"",
        1,
    );
    let dir = config_dir(&config);
    let out =
        support::run(&["idp", "check", "--config", dir.path().join("idp.toml").to_str().unwrap()]);
    support::assert_success(&out);
    let text = support::stdout(&out);
    assert!(
        text.contains("(shape okta, sign both, requests must be signed, encrypted aes128-gcm with rsa-oaep-mgf1p"),
        "{text}"
    );
    // The SP without `encrypt` says nothing about encryption.
    assert_eq!(text.matches("encrypted").count(), 1, "{text}");
}
