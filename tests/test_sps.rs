//! The service providers the `samlkit sp-audit` tests run against (`tests/interop/*_sp.py`),
//! checked on their own with `samlkit issue` responses, so that an audit verdict against them
//! means what it says: the strict ones (python3-saml, pysaml2) accept a genuine response, show
//! its NameID on /whoami and refuse the attacks; the polite ones hide their verdict behind a 200
//! page or a 302; the deliberately vulnerable one refuses a broken signature but really falls
//! for signature wrapping and comment injection, and skips the condition checks.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::process::Command;

use support::browser::{Browser, Process, Reply};
use support::tools;

const IDP: &str = "https://idp.example.com";
const SP: &str = "https://sp.example.com";
const ALICE: &str = "alice@example.com";

/// `tests/interop/SCRIPT` trusting the fixture IdP, as audience `SP`, on a free port, plus
/// `extra` flags; it exits when the test drops it (or dies: its stdin closes).
fn start_sp(script: &str, extra: &[&str]) -> Process {
    support::browser::start_test_sp(script, IDP, SP, extra)
}

/// A base64 SAMLResponse from `samlkit issue` for the SP at `base`, valid now (the SPs read the
/// clock), plus `extra` flags (`--break KIND`, `--in-response-to ID`, …).
fn issue(base: &str, name_id: &str, extra: &[&str]) -> String {
    let acs = format!("{base}/acs");
    let out = support::run_ok(
        Command::new(env!("CARGO_BIN_EXE_samlkit"))
            .args(["issue", "--key", &support::fixture("keys/idp.key")])
            .args(["--cert", &support::fixture("certs/idp.crt"), "--issuer", IDP])
            .args(["--name-id", name_id, "--audience", SP, "--recipient", &acs])
            .args(["--destination", &acs, "--format", "base64"])
            .args(extra),
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

/// POSTs `response` to the SP's ACS as the HTTP-POST binding does.
fn post(browser: &mut Browser, base: &str, response: &str) -> Reply {
    browser.post(
        &format!("{base}/acs"),
        &[("SAMLResponse".into(), response.into()), ("RelayState".into(), "/".into())],
    )
}

/// What /whoami says to `browser`: (status, text).
fn whoami(browser: &mut Browser, base: &str) -> (u16, String) {
    let reply = browser.get(&format!("{base}/whoami"));
    (reply.status, reply.body.trim().to_string())
}

/// Posts `response` in a fresh browser; returns the ACS reply and what /whoami says after it.
fn login(base: &str, response: &str) -> (Reply, (u16, String)) {
    let mut browser = Browser::new();
    let reply = post(&mut browser, base, response);
    let who = whoami(&mut browser, base);
    (reply, who)
}

fn logged_in_as(name_id: &str) -> (u16, String) {
    (200, format!("logged in as {name_id}"))
}

fn not_logged_in() -> (u16, String) {
    (401, "not logged in".to_string())
}

/// The attacks a strict SP refuses with 403 and no session (`--break` kinds).
const REFUSED_BY_STRICT_SPS: &[&str] = &[
    "bad-signature",
    "bad-digest",
    "unsigned",
    "wrong-key",
    "keyinfo-swap",
    "xsw1",
    "xsw2",
    "xsw3",
    "xsw4",
    "xsw5",
    "xsw6",
    "xsw7",
    "xsw8",
    "two-assertions",
    "dup-id",
    "sha1",
    "expired",
    "not-yet-valid",
    "session-expired",
    "wrong-audience",
    "wrong-recipient",
    "wrong-issuer",
    "issuer-format",
    "status-responder",
    "no-authn-statement",
    "unknown-condition",
    "wrong-version",
    "bare-assertion",
];

/// The contract of a strict SP (`script`), IdP-initiated and SP-initiated.
fn check_strict_sp(script: &str) {
    let sp = start_sp(script, &[]);
    let mut browser = Browser::new();
    assert_eq!(whoami(&mut browser, &sp.base), not_logged_in());

    let genuine = issue(&sp.base, ALICE, &[]);
    let accepted = post(&mut browser, &sp.base, &genuine);
    assert!(matches!(accepted.status, 200 | 302), "{}: {}", accepted.status, accepted.body);
    assert!(accepted.set_cookie.is_some(), "the login sets the session cookie");
    assert_eq!(whoami(&mut browser, &sp.base), logged_in_as(ALICE));

    // The same response again is a replay.
    let (replayed, who) = login(&sp.base, &genuine);
    assert_eq!(replayed.status, 403, "replay: {}", replayed.body);
    assert!(replayed.body.contains("refused: "), "{}", replayed.body);
    assert_eq!(who, not_logged_in());

    for kind in REFUSED_BY_STRICT_SPS {
        let (reply, who) = login(&sp.base, &issue(&sp.base, ALICE, &["--break", kind]));
        assert_eq!(reply.status, 403, "{kind}: {}", reply.body);
        assert!(reply.body.contains("refused: "), "{kind}: {}", reply.body);
        assert_eq!(who, not_logged_in(), "{kind}");
    }

    // Comment injection: the signed NameID is admin@example.com.evil.example, and that is all
    // a strict SP may log in as.
    let commented = issue(&sp.base, "admin@example.com", &["--break", "comment-in-nameid"]);
    let (_, who) = login(&sp.base, &commented);
    assert!(
        who == not_logged_in() || who == logged_in_as("admin@example.com.evil.example"),
        "{who:?}"
    );

    // IdP-initiated, but answering a request this SP never sent.
    let (reply, who) = login(&sp.base, &issue(&sp.base, ALICE, &["--in-response-to", "_other"]));
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert!(reply.body.contains("did not send"), "{}", reply.body);
    assert_eq!(who, not_logged_in());
    drop(sp);

    // --require-in-response-to: only answers to /login's AuthnRequest get in.
    let sp = start_sp(script, &["--require-in-response-to"]);
    let (reply, who) = login(&sp.base, &issue(&sp.base, ALICE, &[]));
    assert_eq!(reply.status, 403, "unsolicited: {}", reply.body);
    assert_eq!(who, not_logged_in());

    let mut browser = Browser::new();
    let request_id = start_login(&mut browser, &sp.base);
    let wrong = issue(&sp.base, ALICE, &["--in-response-to", "_not-the-pending-request"]);
    assert_eq!(post(&mut browser, &sp.base, &wrong).status, 403);
    assert_eq!(whoami(&mut browser, &sp.base), not_logged_in());

    let request_id = {
        let again = start_login(&mut browser, &sp.base);
        assert_ne!(again, request_id, "a fresh request for each login");
        again
    };
    let answer = issue(&sp.base, ALICE, &["--in-response-to", &request_id]);
    let accepted = post(&mut browser, &sp.base, &answer);
    assert!(matches!(accepted.status, 200 | 302), "{}: {}", accepted.status, accepted.body);
    assert_eq!(whoami(&mut browser, &sp.base), logged_in_as(ALICE));
}

/// GET /login: a 302 to the IdP's SSO URL with an HTTP-Redirect AuthnRequest for this SP's ACS;
/// returns the request's ID.
fn start_login(browser: &mut Browser, base: &str) -> String {
    let reply = browser.get(&format!("{base}/login"));
    assert_eq!(reply.status, 302, "{}", reply.body);
    let location = reply.location.unwrap();
    assert!(location.starts_with(&format!("{IDP}/sso?SAMLRequest=")), "{location}");
    let decoded = support::samlkit()
        .args(["decode", "--raw", "-"])
        .write_stdin(location)
        .output()
        .expect("samlkit runs");
    support::assert_success(&decoded);
    let xml = support::stdout(&decoded);
    assert!(xml.contains("AuthnRequest"), "{xml}");
    assert!(xml.contains(&format!("AssertionConsumerServiceURL=\"{base}/acs\"")), "{xml}");
    support::saml::attr_value(&xml, "ID").to_string()
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn onelogin_sp_accepts_a_genuine_login_refuses_attacks_and_can_require_in_response_to() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    check_strict_sp("onelogin_flask_sp.py");
}

#[test]
#[cfg_attr(
    missing_python3_pysaml2,
    ignore = "needs python3-pysaml2, python3-flask and xmlsec1 (scripts/install-test-deps.sh)"
)]
fn pysaml2_sp_accepts_a_genuine_login_refuses_attacks_and_can_require_in_response_to() {
    support::require(&tools::PYTHON3_PYSAML2);
    check_strict_sp("pysaml2_sp.py");
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
#[cfg_attr(missing_xmlsec1, ignore = "needs xmlsec1 (scripts/install-test-deps.sh)")]
fn vulnerable_sp_checks_the_signature_but_falls_for_wrapping_comments_and_conditions() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    support::require(&tools::XMLSEC1);
    let sp = start_sp("vulnerable_sp.py", &[]);
    let genuine = issue(&sp.base, ALICE, &[]);
    let (reply, who) = login(&sp.base, &genuine);
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(who, logged_in_as(ALICE));

    // A real check of the signature: whatever xmlsec1 cannot verify with the IdP's key is out.
    for kind in ["bad-signature", "bad-digest", "unsigned", "wrong-key", "keyinfo-swap"] {
        let (reply, who) = login(&sp.base, &issue(&sp.base, ALICE, &["--break", kind]));
        assert_eq!(reply.status, 403, "{kind}: {}", reply.body);
        assert!(reply.body.starts_with("refused: signature"), "{kind}: {}", reply.body);
        assert_eq!(who, not_logged_in(), "{kind}");
    }

    // What it believes is the first NameID, and its first text node.
    let attacks: &[(&str, &str, &str)] = &[
        ("xsw3", ALICE, "attacker@evil.example"),
        ("xsw4", ALICE, "attacker@evil.example"),
        ("xsw5", ALICE, "attacker@evil.example"),
        ("comment-in-nameid", "admin@example.com", "admin@example.com"),
        // No condition is checked, nor who it was meant for.
        ("expired", ALICE, ALICE),
        ("not-yet-valid", ALICE, ALICE),
        ("wrong-audience", ALICE, ALICE),
        ("wrong-recipient", ALICE, ALICE),
        ("status-responder", ALICE, ALICE),
    ];
    for (kind, name_id, logged_in) in attacks {
        let (reply, who) = login(&sp.base, &issue(&sp.base, name_id, &["--break", kind]));
        assert_eq!(reply.status, 200, "{kind}: {}", reply.body);
        assert_eq!(who, logged_in_as(logged_in), "{kind}");
    }

    // Nor replays.
    let (_, who) = login(&sp.base, &genuine);
    assert_eq!(who, logged_in_as(ALICE));
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn polite_200_sp_answers_200_to_a_refusal_and_only_the_session_tells() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    let sp = start_sp("polite_sp.py", &["--mode", "polite-200"]);
    let (reply, who) = login(&sp.base, &issue(&sp.base, ALICE, &[]));
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.body.contains(&format!("Welcome, {ALICE}")), "{}", reply.body);
    assert!(reply.set_cookie.is_some());
    assert_eq!(who, logged_in_as(ALICE));

    for kind in ["bad-signature", "xsw3", "expired", "wrong-audience"] {
        let mut browser = Browser::new();
        let reply = post(&mut browser, &sp.base, &issue(&sp.base, ALICE, &["--break", kind]));
        assert_eq!(reply.status, 200, "{kind}: {}", reply.body);
        assert!(reply.body.contains("Sorry, we could not sign you in"), "{kind}: {}", reply.body);
        assert_eq!(whoami(&mut browser, &sp.base), not_logged_in(), "{kind}");
    }
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn redirect_after_login_sp_sets_the_cookie_on_a_302_to_its_app_page() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    let sp = start_sp("polite_sp.py", &["--mode", "redirect-after-login"]);
    let mut browser = Browser::new();
    let reply = post(&mut browser, &sp.base, &issue(&sp.base, ALICE, &[]));
    assert_eq!(reply.status, 302, "{}", reply.body);
    assert_eq!(reply.location.as_deref(), Some(format!("{}/app", sp.base).as_str()));
    assert!(reply.set_cookie.is_some(), "the cookie comes with the 302");
    let app = browser.get(&format!("{}/app", sp.base));
    assert_eq!(app.status, 200, "{}", app.body);
    assert!(app.body.contains(&format!("Welcome, {ALICE}")), "{}", app.body);
    assert_eq!(whoami(&mut browser, &sp.base), logged_in_as(ALICE));

    let mut browser = Browser::new();
    let reply = post(&mut browser, &sp.base, &issue(&sp.base, ALICE, &["--break", "xsw3"]));
    assert_eq!(reply.status, 403, "{}", reply.body);
    assert_eq!(browser.get(&format!("{}/app", sp.base)).status, 401);
    assert_eq!(whoami(&mut browser, &sp.base), not_logged_in());
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
#[cfg_attr(
    missing_python3_pysaml2,
    ignore = "needs python3-pysaml2, python3-flask and xmlsec1 (scripts/install-test-deps.sh)"
)]
fn every_sp_exits_0_on_sigterm_or_stdin_eof_and_refuses_to_start_without_the_idp_certificate() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    support::require(&tools::PYTHON3_PYSAML2);
    let sps: &[(&str, &[&str])] = &[
        ("onelogin_flask_sp.py", &[]),
        ("pysaml2_sp.py", &[]),
        ("vulnerable_sp.py", &[]),
        ("polite_sp.py", &["--mode", "polite-200"]),
        ("polite_sp.py", &["--mode", "redirect-after-login"]),
    ];
    for (script, extra) in sps {
        let mut sp = start_sp(script, extra);
        let pid = sp.child.id().to_string();
        support::run_ok(Command::new("kill").args(["-TERM", &pid]));
        let status = sp.child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{script} {extra:?}: SIGTERM");

        // --exit-on-stdin-eof: the parent closing (or dying with) its end is enough.
        let mut sp = start_sp(script, extra);
        drop(sp.child.stdin.take());
        let status = sp.child.wait().unwrap();
        assert_eq!(status.code(), Some(0), "{script} {extra:?}: end of stdin");

        let out = support::python_script(script).args(*extra).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{script}: usage error");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("error: --idp-cert is required"), "{script}: {stderr}");
    }
    let out = support::python_script("polite_sp.py")
        .args(["--idp-cert", &support::fixture("certs/idp.crt"), "--mode", "rude"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid choice: 'rude'"));
}
