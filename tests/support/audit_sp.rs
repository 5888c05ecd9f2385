//! Small service providers on axum for the `sp-audit` tests, one per behaviour the oracle must
//! judge right (see [`Mode`]). Included with
//! `#[path]` only by the tests that start these SPs, so the other test binaries do not compile
//! axum routers.
#![allow(dead_code)]

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

use crate::support::fixture;

/// The IdP every SP here trusts: the fixture certificate, under this entity ID.
pub(crate) const ISSUER: &str = "https://idp.example.com";

#[derive(Clone, Copy, PartialEq)]
pub(crate) enum Mode {
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
    /// `; Secure` on the session cookie (the SP is served over https).
    cookie_flags: &'static str,
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
            let cookie =
                [(header::SET_COOKIE, format!("sid={sid}; Path=/; HttpOnly{}", app.cookie_flags))];
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
/// The router of an SP in `mode` for audience `audience`, whose ACS is `base`/acs (an https
/// `base` marks its session cookie Secure).
pub(crate) fn router(mode: Mode, audience: &str, base: &str) -> Router {
    let cert =
        samlkit_cert::Certificate::load(&std::fs::read(fixture("certs/idp.crt")).unwrap()).unwrap();
    let idp = IdentityProvider::new(ISSUER, "https://idp.example.com/sso", vec![cert]).unwrap();
    let sp = ServiceProvider::builder(audience, format!("{base}/acs"), idp)
        .allow_unsolicited()
        .build()
        .unwrap();
    let cookie_flags = if base.starts_with("https://") { "; Secure" } else { "" };
    let app = Arc::new(App {
        mode,
        cookie_flags,
        sp,
        replay: InMemoryReplayCache::new(),
        sessions: Mutex::default(),
    });
    Router::new()
        .route("/acs", post(acs))
        .route("/app", get(app_page))
        .route("/whoami", get(whoami))
        .with_state(app)
}

/// Starts an SP in `mode` for `audience` on a free loopback port in a background thread;
/// returns its base URL.
pub(crate) fn start(mode: Mode, audience: &str) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = router(mode, audience, &base);
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, router).await.unwrap();
        });
    });
    base
}

/// A run's stderr, for messages and assertion context.
pub(crate) fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
