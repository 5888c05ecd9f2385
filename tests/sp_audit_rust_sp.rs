//! `samlkit sp-audit` end to end against small service providers written here on axum, one per
//! behaviour the oracle must judge right: a strict SP (samlkit's own `ServiceProvider`) that
//! redirects a good login 302 → 200 and refuses with 403; a polite one that answers everything
//! with 200 at the ACS; a lax one that checks the signature but then reads the first NameID and
//! ignores every other failure; and one whose login and refusal pages are the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use base64::Engine;
use samlkit_saml::{ErrorKind, IdentityProvider, InMemoryReplayCache, SamlError, ServiceProvider};
use support::{fixture, run};

const ISSUER: &str = "https://idp.example.com";
const AUDIENCE: &str = "http://127.0.0.1/sp";

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Verifies everything; a login is 302 to /app, a refusal 403.
    Strict302,
    /// Verifies everything; both answers are 200 at the ACS, a welcome or a polite apology.
    Polite200,
    /// Refuses only signature failures; otherwise logs in whoever the first NameID names.
    Lax,
    /// Verifies, but shows the same page either way.
    Alike,
}

struct App {
    mode: Mode,
    sp: ServiceProvider,
    replay: InMemoryReplayCache,
    sessions: Mutex<HashMap<String, String>>,
}

type Shared = Arc<App>;

/// The first NameID's first text, as a careless SP reads it.
fn first_name_id(xml: &str) -> Option<String> {
    let start = xml.find("NameID")?;
    let open_end = start + xml[start..].find('>')? + 1;
    let text = &xml[open_end..];
    Some(text[..text.find('<')?].to_string())
}

fn form_field(body: &str, name: &str) -> Option<String> {
    url::form_urlencoded::parse(body.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

async fn acs(State(app): State<Shared>, body: Bytes) -> Response {
    let body = String::from_utf8_lossy(&body).into_owned();
    let field = form_field(&body, "SAMLResponse").unwrap_or_default();
    let mut verified =
        app.sp.verify_post(&field, Vec::<String>::new(), &app.replay, chrono::Utc::now());
    // A careful SP refuses a form with the field twice (servers differ in which one they read).
    let fields = url::form_urlencoded::parse(body.as_bytes());
    if app.mode != Mode::Lax && fields.filter(|(k, _)| k == "SAMLResponse").count() > 1 {
        verified = Err(SamlError::new(ErrorKind::DuplicateParameter, "SAMLResponse twice"));
    }
    let who = match (&verified, app.mode) {
        (Ok(login), _) => Some(login.name_id().to_string()),
        (Err(e), Mode::Lax)
            if ![
                "signature_invalid",
                "digest_mismatch",
                "signature_missing",
                "untrusted_certificate",
                "malformed_input",
            ]
            .contains(&e.code()) =>
        {
            let xml =
                base64::engine::general_purpose::STANDARD.decode(field.trim()).unwrap_or_default();
            first_name_id(&String::from_utf8_lossy(&xml))
        }
        (Err(_), _) => None,
    };
    match (who, app.mode) {
        (Some(who), mode) => {
            let sid = samlkit_saml::new_id().unwrap();
            app.sessions.lock().unwrap().insert(sid.clone(), who.clone());
            let cookie = [(header::SET_COOKIE, format!("sid={sid}; Path=/; HttpOnly"))];
            match mode {
                Mode::Strict302 | Mode::Lax => (cookie, Redirect::to("/app")).into_response(),
                Mode::Polite200 => {
                    (cookie, Html(format!("<h1>Welcome</h1><p>Signed in as {who}</p>")))
                        .into_response()
                }
                Mode::Alike => (cookie, Html("<p>Thank you.</p>")).into_response(),
            }
        }
        (None, Mode::Polite200) => Html(format!(
            "<h1>Sign-in problem</h1><p>Sorry, we could not sign you in. Reference {}</p>",
            samlkit_saml::new_id().unwrap()
        ))
        .into_response(),
        // The same cookie name and page as a login: nothing tells the two apart but the session.
        (None, Mode::Alike) => {
            ([(header::SET_COOKIE, "sid=anonymous; Path=/")], Html("<p>Thank you.</p>"))
                .into_response()
        }
        (None, _) => (StatusCode::FORBIDDEN, Html("<h1>Forbidden</h1>")).into_response(),
    }
}

fn session(app: &App, headers: &HeaderMap) -> Option<String> {
    let cookies = headers.get(header::COOKIE)?.to_str().ok()?;
    let sid = cookies.split(';').find_map(|c| c.trim().strip_prefix("sid="))?;
    app.sessions.lock().unwrap().get(sid).cloned()
}

async fn app_page(State(app): State<Shared>, headers: HeaderMap) -> Response {
    match session(&app, &headers) {
        Some(who) => Html(format!("<h1>Dashboard</h1><p>Hello {who}</p>")).into_response(),
        None => (StatusCode::UNAUTHORIZED, Html("<p>Please sign in.</p>")).into_response(),
    }
}

async fn whoami(State(app): State<Shared>, headers: HeaderMap) -> Response {
    match session(&app, &headers) {
        Some(who) => Html(format!("<p>user: {who}</p>")).into_response(),
        None => (StatusCode::UNAUTHORIZED, "nobody").into_response(),
    }
}

/// Starts the SP on a free loopback port in a background thread; returns its base URL.
fn start_sp(mode: Mode) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let cert =
        samlkit_cert::Certificate::load(&std::fs::read(fixture("certs/idp.crt")).unwrap()).unwrap();
    let idp = IdentityProvider::new(ISSUER, "https://idp.example.com/sso", vec![cert]).unwrap();
    let sp = ServiceProvider::builder(AUDIENCE, format!("{base}/acs"), idp)
        .allow_unsolicited()
        .build()
        .unwrap();
    let app =
        Arc::new(App { mode, sp, replay: InMemoryReplayCache::new(), sessions: Mutex::default() });
    let router = Router::new()
        .route("/acs", post(acs))
        .route("/app", get(app_page))
        .route("/whoami", get(whoami))
        .with_state(app);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    base
}

fn audit(base: &str, extra: &[&str]) -> std::process::Output {
    let acs = format!("{base}/acs");
    let mut args = vec![
        "sp-audit",
        "--acs",
        &acs,
        "--audience",
        AUDIENCE,
        "--issuer",
        ISSUER,
        "--name-id",
        "alice@example.com",
        "--rate",
        "1000",
    ];
    let (key, cert) = (fixture("keys/idp.key"), fixture("certs/idp.crt"));
    args.extend(["--key", &key, "--cert", &cert]);
    args.extend(extra);
    run(&args)
}

fn verdicts(out: &std::process::Output) -> HashMap<String, serde_json::Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap_or_else(|e| panic!("{e}: {l}"))
        })
        .map(|v| (v["case"].as_str().unwrap().to_string(), v))
        .collect()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn strict_sp_with_302_after_login_refuses_every_case_exit_0() {
    let base = start_sp(Mode::Strict302);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("audit.xml");
    let out = audit(
        &base,
        &["--json", "--junit", junit.to_str().unwrap(), "--save", dir.path().to_str().unwrap()],
    );
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}\n{results:#?}", stderr(&out));
    for (case, r) in &results {
        let v = r["verdict"].as_str().unwrap();
        assert!(v == "REFUSED" || v == "SKIPPED", "{case}: {r}");
    }
    assert_eq!(results["replay"]["note"], "first posting ACCEPTED");
    assert_eq!(results["xsw3"]["statuses"], serde_json::json!([403]));
    assert_eq!(results["unsolicited"]["verdict"], "SKIPPED");
    assert!(stderr(&out).contains("0 ACCEPTED"), "{}", stderr(&out));
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("failures=\"0\""), "{report}");
    assert!(
        dir.path().join("xsw3.xml").exists() && dir.path().join("baseline-genuine.html").exists()
    );
}

#[test]
fn polite_200_sp_is_judged_by_its_page_not_its_status() {
    let base = start_sp(Mode::Polite200);
    let out = audit(&base, &["--json", "--cases", "xsw1,expired,wrong-audience,replay"]);
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}\n{results:#?}", stderr(&out));
    for case in ["xsw1", "expired", "wrong-audience", "replay"] {
        assert_eq!(results[case]["verdict"], "REFUSED", "{case}: {}", results[case]);
        assert_eq!(results[case]["statuses"], serde_json::json!([200]));
    }
    // --accepted-if decides where it matches, the distances elsewhere.
    let out = audit(&base, &["--json", "--cases", "xsw1,replay", "--accepted-if", "Welcome"]);
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(results["xsw1"]["verdict"], "REFUSED");
    assert_eq!(results["replay"]["note"], "first posting ACCEPTED");
}

#[test]
fn lax_sp_is_caught_and_whoami_names_the_attacker() {
    let base = start_sp(Mode::Lax);
    let whoami = format!("{base}/whoami");
    let out = audit(
        &base,
        &[
            "--json",
            "--whoami",
            &whoami,
            "--cases",
            "xsw3,xsw4,xsw7,comment-in-nameid,expired,wrong-audience,wrong-key,bad-digest",
        ],
    );
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(1), "{}\n{results:#?}", stderr(&out));
    for case in ["xsw3", "xsw4"] {
        assert_eq!(results[case]["verdict"], "ACCEPTED", "{case}");
        assert_eq!(results[case]["whoami"], "attacker@evil.example", "{case}");
        assert_eq!(results[case]["attacker_identity"], true, "{case}");
    }
    // XSW7 hides the signed Assertion first, so this SP's first NameID is the genuine one: it
    // took the response, but the attack did not choose who logged in.
    assert_eq!(results["xsw7"]["verdict"], "REFUSED");
    assert_eq!(results["xsw7"]["whoami"], "alice@example.com");
    assert_eq!(results["xsw7"]["attacker_identity"], false);
    let note = results["xsw7"]["note"].as_str().unwrap();
    assert!(note.starts_with("logged in as the signed identity alice@example.com"), "{note}");
    // Comment injection: the IdP signed alice@example.com.evil.example; alice@example.com got in.
    assert_eq!(results["comment-in-nameid"]["verdict"], "ACCEPTED");
    assert_eq!(results["comment-in-nameid"]["whoami"], "alice@example.com");
    assert_eq!(results["comment-in-nameid"]["attacker_identity"], true);
    for case in ["expired", "wrong-audience"] {
        assert_eq!(results[case]["verdict"], "ACCEPTED", "{case}");
    }
    for case in ["wrong-key", "bad-digest"] {
        assert_eq!(results[case]["verdict"], "REFUSED", "{case}");
    }

    // The table says the same, for people.
    let table = audit(&base, &["--whoami", &whoami, "--cases", "xsw3,wrong-key"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("CASE"), "{text}");
    let xsw3 = text.lines().find(|l| l.starts_with("xsw3")).unwrap_or_else(|| panic!("{text}"));
    assert!(
        xsw3.contains("ACCEPTED")
            && xsw3.contains("whoami attacker@evil.example (NOT the signed identity)"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("wrong-key") && l.contains("REFUSED")), "{text}");
}

#[test]
fn sp_whose_login_and_refusal_look_alike_stops_with_exit_2() {
    let base = start_sp(Mode::Alike);
    let out = audit(&base, &["--cases", "xsw1"]);
    support::assert_error(
        &out,
        2,
        "baselines: the SP answers a genuine response and a broken signature alike",
    );
    assert!(out.stdout.is_empty());
    // An expression that judges the baselines wrongly is refused (this SP's pages are the same
    // whatever happened, so no expression can tell them apart).
    let out = audit(&base, &["--cases", "xsw1", "--json", "--refused-if", "Thank you"]);
    support::assert_error(
        &out,
        2,
        "--accepted-if / --refused-if judge the genuine login or the broken signature wrongly",
    );
    // --whoami tells them apart.
    let whoami = format!("{base}/whoami");
    let out = audit(&base, &["--cases", "xsw1,expired", "--whoami", &whoami, "--json"]);
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(results["xsw1"]["verdict"], "REFUSED");
}

#[test]
fn whoami_that_never_shows_the_login_stops_with_exit_2() {
    let base = start_sp(Mode::Strict302);
    let whoami = format!("{base}/app");
    let out =
        audit(&base, &["--cases", "xsw1", "--whoami", &whoami, "--whoami-regex", "user: (\\S+)"]);
    support::assert_error(
        &out,
        2,
        "after the genuine login the --whoami page does not show alice@example.com",
    );
}
