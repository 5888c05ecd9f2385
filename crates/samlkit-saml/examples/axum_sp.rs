//! A small SAML service provider on axum: `GET /login` sends the browser to the IdP with an
//! AuthnRequest, `POST /acs` verifies the IdP's response with [`ServiceProvider::verify_post`]
//! and shows who logged in.
//!
//! ```text
//! cargo run -p samlkit-saml --example axum_sp -- \
//!     --port 8080 \
//!     --sp-entity-id https://sp.example.com --acs-url http://127.0.0.1:8080/acs \
//!     --idp-entity-id https://idp.example.com --idp-sso-url https://idp.example.com/sso \
//!     --idp-cert fixtures/certs/idp.crt
//! ```
//!
//! Every option can also come from the environment: `--idp-cert` from `SAMLKIT_SP_IDP_CERT`, and
//! so on. `--port 0` picks a free port; the first line printed is `listening on http://ADDR`.
//! `--now 2026-11-29T10:01:00Z` fixes the clock (for tests and demos with captured responses);
//! `--allow-unsolicited` accepts IdP-initiated logins.
//!
//! Each browser gets a session cookie; the IDs of the AuthnRequests it started are kept with the
//! session until a response answers one of them. A refused login shows the error's code and
//! title only: the detail may quote attacker-chosen text, so it goes to the log (stderr).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use samlkit_cert::Certificate;
use samlkit_saml::{
    IdentityProvider, InMemoryReplayCache, SamlError, ServiceProvider, escape_text, new_id,
};
use serde::Deserialize;

const SESSION_COOKIE: &str = "samlkit_sp_session";
/// Outstanding requests kept per session (a user may open the login in several tabs).
const MAX_OUTSTANDING_PER_SESSION: usize = 8;
/// Sessions kept in memory before the oldest state is dropped (this is an example, not a
/// session store).
const MAX_SESSIONS: usize = 10_000;

struct App {
    sp: ServiceProvider,
    replay_cache: InMemoryReplayCache,
    /// Session ID -> IDs of the AuthnRequests it started and no response has answered yet.
    outstanding: Mutex<HashMap<String, Vec<String>>>,
    fixed_now: Option<DateTime<Utc>>,
}

impl App {
    fn now(&self) -> DateTime<Utc> {
        self.fixed_now.unwrap_or_else(|| DateTime::<Utc>::from(std::time::SystemTime::now()))
    }

    fn sessions(&self) -> MutexGuard<'_, HashMap<String, Vec<String>>> {
        self.outstanding.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[derive(Deserialize)]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
}

/// `GET /login`: a fresh AuthnRequest, remembered with the session, and a redirect to the IdP.
async fn login(State(app): State<Arc<App>>, headers: HeaderMap) -> Response {
    let request = match app.sp.authn_request(app.now()).redirect() {
        Ok(request) => request,
        Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, &e),
    };
    let (session, new_session) = match session_id(&headers) {
        Some(id) => (id, false),
        None => match new_id() {
            Ok(id) => (id, true),
            Err(e) => return refused(StatusCode::INTERNAL_SERVER_ERROR, &e),
        },
    };
    {
        let mut sessions = app.sessions();
        if sessions.len() >= MAX_SESSIONS && !sessions.contains_key(&session) {
            sessions.clear();
        }
        let ids = sessions.entry(session.clone()).or_default();
        if ids.len() >= MAX_OUTSTANDING_PER_SESSION {
            ids.remove(0);
        }
        ids.push(request.id().to_string());
    }
    let mut response = Redirect::to(request.url()).into_response();
    if new_session {
        // SameSite=None: the IdP's form post to /acs is a cross-site request, and a Lax cookie
        // would not come with it.
        let cookie = format!("{SESSION_COOKIE}={session}; Path=/; HttpOnly; Secure; SameSite=None");
        if let Ok(value) = cookie.parse() {
            response.headers_mut().insert(header::SET_COOKIE, value);
        }
    }
    response
}

/// `POST /acs`: verifies the response against the session's outstanding requests.
async fn acs(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Form(form): Form<AcsForm>,
) -> Response {
    let session = session_id(&headers).unwrap_or_default();
    let outstanding = app.sessions().get(&session).cloned().unwrap_or_default();
    let login =
        match app.sp.verify_post(&form.saml_response, &outstanding, &app.replay_cache, app.now()) {
            Ok(login) => login,
            Err(e) => return refused(StatusCode::FORBIDDEN, &e),
        };
    if let Some(answered) = login.in_response_to()
        && let Some(ids) = app.sessions().get_mut(&session)
    {
        ids.retain(|id| id != answered);
    }
    eprintln!("login: {:?} (assertion {:?})", login.name_id(), login.assertion_id());
    Html(format!(
        "<!DOCTYPE html>\n<title>Logged in</title>\n<p>Logged in as <b id=\"name-id\">{}</b>.</p>\n",
        escape_text(login.name_id())
    ))
    .into_response()
}

/// An error page that names the failure and nothing else; the detail goes to the log.
fn refused(status: StatusCode, e: &SamlError) -> Response {
    eprintln!("login refused: {}: {:?}", e.code(), e.detail());
    let page = format!(
        "<!DOCTYPE html>\n<title>Login failed</title>\n<p>Login failed: {} (<code id=\"error-code\">{}</code>).</p>\n",
        e.kind().title(),
        e.code()
    );
    (status, Html(page)).into_response()
}

/// The session cookie's value, if the browser sent one.
fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_string())
}

async fn index() -> Html<&'static str> {
    Html("<!DOCTYPE html>\n<title>samlkit SP</title>\n<p><a href=\"/login\">Log in</a></p>\n")
}

/// Command-line options, each also readable from `SAMLKIT_SP_<NAME>`.
struct Options {
    values: HashMap<String, String>,
    flags: Vec<String>,
}

impl Options {
    const FLAGS: &[&str] = &["allow-unsolicited"];

    fn parse() -> Result<Options, String> {
        let mut values = HashMap::new();
        let mut flags = Vec::new();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let name =
                arg.strip_prefix("--").ok_or_else(|| format!("unexpected argument {arg}"))?;
            if Options::FLAGS.contains(&name) {
                flags.push(name.to_string());
            } else {
                let value = args.next().ok_or_else(|| format!("--{name} needs a value"))?;
                values.insert(name.to_string(), value);
            }
        }
        Ok(Options { values, flags })
    }

    fn env_name(name: &str) -> String {
        format!("SAMLKIT_SP_{}", name.to_ascii_uppercase().replace('-', "_"))
    }

    fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned().or_else(|| std::env::var(Options::env_name(name)).ok())
    }

    fn required(&self, name: &str) -> Result<String, String> {
        self.get(name)
            .ok_or_else(|| format!("--{name} (or {}) is required", Options::env_name(name)))
    }

    fn flag(&self, name: &str) -> bool {
        self.flags.iter().any(|f| f == name)
            || std::env::var(Options::env_name(name)).is_ok_and(|v| v == "1")
    }
}

fn configure(options: &Options) -> Result<(App, u16), Box<dyn std::error::Error>> {
    let cert_path = options.required("idp-cert")?;
    let certs = Certificate::load_all(&std::fs::read(&cert_path)?)?;
    let idp = IdentityProvider::new(
        options.required("idp-entity-id")?,
        options.required("idp-sso-url")?,
        certs,
    )?;
    let mut builder = ServiceProvider::builder(
        options.required("sp-entity-id")?,
        options.required("acs-url")?,
        idp,
    );
    if options.flag("allow-unsolicited") {
        builder = builder.allow_unsolicited();
    }
    let fixed_now = options.get("now").map(|t| t.parse::<DateTime<Utc>>()).transpose()?;
    let port = options.get("port").map(|p| p.parse::<u16>()).transpose()?.unwrap_or(0);
    let app = App {
        sp: builder.build()?,
        replay_cache: InMemoryReplayCache::new(),
        outstanding: Mutex::new(HashMap::new()),
        fixed_now,
    };
    Ok((app, port))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let options = Options::parse()?;
    let (app, port) = configure(&options)?;
    let router = Router::new()
        .route("/", get(index))
        .route("/login", get(login))
        .route("/acs", post(acs))
        .with_state(Arc::new(app));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, router).await?;
    Ok(())
}
