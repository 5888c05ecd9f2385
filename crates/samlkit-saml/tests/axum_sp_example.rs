//! End to end through `examples/axum_sp.rs`: the example web SP is built and started on a free
//! port, a browser's requests are played with an HTTP client, and the responses posted to its ACS
//! are made with this crate's builder and signer and the fixture IdP key.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration as StdDuration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use common::{ACS, IDP, SP, alice_params, idp_credential};
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::redirect::{decode_and_inflate, url_decode};
use samlkit_saml::{
    ResponseIds, ResponseParams, SignTarget, SigningProfile, build_response_with_ids, sign_document,
};

const IDP_SSO: &str = "https://idp.example.com/sso";
/// The example's fixed clock: one minute after the test responses are issued.
const NOW: &str = "2026-11-29T10:01:00Z";
/// Bound on waiting for the server to start and on each HTTP exchange (a hang fails the test
/// instead of blocking the suite).
const TIMEOUT: StdDuration = StdDuration::from_secs(60);

/// The example binary, rebuilt if its source changed (a no-op after `cargo test`, which builds
/// every example next to the test binaries).
fn example_binary() -> PathBuf {
    let test_exe = std::env::current_exe().expect("test executable path");
    let profile_dir = test_exe.parent().and_then(|deps| deps.parent()).expect("target/<profile>");
    let mut build = Command::new(env!("CARGO"));
    build.args(["build", "--quiet", "-p", "samlkit-saml", "--example", "axum_sp"]);
    if profile_dir.file_name().is_some_and(|name| name == "release") {
        build.arg("--release");
    }
    let status = build.status().expect("cargo runs");
    assert!(status.success(), "cargo build --example axum_sp failed");
    let exe = profile_dir.join("examples").join(format!("axum_sp{}", std::env::consts::EXE_SUFFIX));
    assert!(exe.is_file(), "{} missing after the build", exe.display());
    exe
}

/// The running example; killed when dropped, whatever the test's outcome.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start() -> Server {
        let mut child = Command::new(example_binary())
            .args(["--port", "0", "--now", NOW, "--allow-unsolicited"])
            .args(["--sp-entity-id", SP, "--acs-url", ACS])
            .args(["--idp-entity-id", IDP, "--idp-sso-url", IDP_SSO])
            .arg("--idp-cert")
            .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/certs/idp.crt"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the example starts");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server { child, base: String::new() };
        let line = rx.recv_timeout(TIMEOUT).expect("the example prints its address");
        let base = line.trim().strip_prefix("listening on ").expect("`listening on ADDR` first");
        assert!(base.starts_with("http://127.0.0.1:"), "{line}");
        server.base = base.to_string();
        server
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the browser saw.
struct Page {
    status: u16,
    location: Option<String>,
    set_cookie: Option<String>,
    body: String,
}

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
        let header = |name: &str| {
            response.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
        };
        let (location, set_cookie) = (header("location"), header("set-cookie"));
        if let Some(cookie) = &set_cookie {
            self.cookie = cookie.split(';').next().map(str::to_string);
        }
        let body = response.body_mut().read_to_string().expect("body");
        Page { status: response.status().as_u16(), location, set_cookie, body }
    }

    fn get(&mut self, path: &str) -> Page {
        let mut request = self.agent.get(format!("{}{path}", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        let response = request.call();
        self.page(response)
    }

    fn post_response(&mut self, signed_xml: &str) -> Page {
        let mut request = self.agent.post(format!("{}/acs", self.base));
        if let Some(cookie) = &self.cookie {
            request = request.header("Cookie", cookie);
        }
        let field = STANDARD.encode(signed_xml);
        let response = request.send_form([("SAMLResponse", field.as_str())]);
        self.page(response)
    }

    /// `GET /login`: checks the redirect to the IdP and returns the AuthnRequest's ID.
    fn start_login(&mut self) -> String {
        let page = self.get("/login");
        assert_eq!(page.status, 303, "{}", page.body);
        let location = page.location.expect("Location");
        let query = location
            .strip_prefix(&format!("{IDP_SSO}?"))
            .unwrap_or_else(|| panic!("redirect to the IdP: {location}"));
        let encoded = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("SAMLRequest="))
            .expect("SAMLRequest parameter");
        let xml = decode_and_inflate("SAMLRequest", &url_decode(encoded).unwrap()).unwrap();
        let xml = String::from_utf8(xml).unwrap();
        assert!(xml.starts_with("<samlp:AuthnRequest "), "{xml}");
        assert!(xml.contains(&format!("AssertionConsumerServiceURL=\"{ACS}\"")), "{xml}");
        assert!(xml.contains(&format!("<saml:Issuer>{SP}</saml:Issuer>")), "{xml}");
        let id_start = xml.find(" ID=\"").expect("ID") + 5;
        xml[id_start..id_start + xml[id_start..].find('"').unwrap()].to_string()
    }
}

/// A response signed (Assertion) with the fixture IdP key, with fresh IDs.
fn signed(params: &ResponseParams) -> String {
    let ids = ResponseIds::random(Some("_s1")).unwrap();
    let profile = SigningProfile {
        target: SignTarget::Assertion,
        method: SignatureMethod::RsaSha256,
        digest: DigestMethod::Sha256,
    };
    sign_document(&build_response_with_ids(params, ids).xml, &idp_credential(), &profile).unwrap()
}

fn answering(request_id: Option<&str>) -> ResponseParams {
    ResponseParams { in_response_to: request_id.map(str::to_string), ..alice_params() }
}

/// Asserts a refusal page: 403, the error code and title, and nothing of the detail.
fn assert_refused(page: &Page, code: &str, title: &str, not_echoed: &[&str]) {
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(page.body.contains(&format!("<code id=\"error-code\">{code}</code>")), "{}", page.body);
    assert!(page.body.contains(title), "{}", page.body);
    for text in not_echoed {
        assert!(!page.body.contains(text), "the page echoes {text:?}: {}", page.body);
    }
}

fn logged_in_as(page: &Page) -> &str {
    assert_eq!(page.status, 200, "{}", page.body);
    let start = page.body.find("<b id=\"name-id\">").expect("name-id element") + 16;
    &page.body[start..start + page.body[start..].find("</b>").expect("end of name-id")]
}

#[test]
fn the_example_sp_logs_alice_in_and_refuses_replays_and_foreign_responses() {
    let server = Server::start();
    let mut browser = Browser::new(&server);

    let home = browser.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("href=\"/login\""), "{}", home.body);

    // SP-initiated login: the response answers the request the browser was sent with.
    let request_id = browser.start_login();
    assert!(browser.cookie.is_some(), "a session cookie is set with the login redirect");
    let genuine = signed(&answering(Some(&request_id)));
    assert_eq!(logged_in_as(&browser.post_response(&genuine)), "alice@example.com");

    // The same response again: its request is no longer outstanding.
    let again = browser.post_response(&genuine);
    assert_refused(&again, "in_response_to_mismatched", "InResponseTo Mismatched", &[&request_id]);

    // IdP-initiated (allowed with --allow-unsolicited): once only, the replay cache refuses it.
    let unsolicited = signed(&answering(None));
    assert_eq!(logged_in_as(&browser.post_response(&unsolicited)), "alice@example.com");
    assert_refused(&browser.post_response(&unsolicited), "replayed", "Assertion Replayed", &[]);

    // Genuinely signed by the IdP, but for another SP: refused, the audience not echoed.
    let other_sp = "https://other-sp.example.com/<script>";
    let request_id = browser.start_login();
    let foreign = signed(&ResponseParams {
        audiences: vec![other_sp.into()],
        ..answering(Some(&request_id))
    });
    let page = browser.post_response(&foreign);
    assert_refused(&page, "audience_invalid", "Audience Invalid", &["other-sp", "<script>"]);

    // A tampered response (NameID changed after signing) is refused too.
    let request_id = browser.start_login();
    let tampered = signed(&answering(Some(&request_id)))
        .replace("alice@example.com</saml:NameID>", "admin@example.com</saml:NameID>");
    assert_refused(&browser.post_response(&tampered), "digest_mismatch", "Digest Mismatch", &[]);

    // Another browser (no session) cannot use a response to this browser's request.
    let request_id = browser.start_login();
    let mut stranger = Browser::new(&server);
    let page = stranger.post_response(&signed(&answering(Some(&request_id))));
    assert_refused(&page, "in_response_to_mismatched", "InResponseTo Mismatched", &[]);
    assert!(page.set_cookie.is_none());
}
