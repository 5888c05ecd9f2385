//! The test IdP's HTTP server on axum: routes, sessions, and the login flow around the
//! protocol checks of `samlkit_saml::idp`.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Form, Path, Query, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use samlkit_dsig::SignatureMethod;
use samlkit_saml::idp::{
    AuthnRequestInfo, ErrorAnswer, ExpiringMap, IncomingRequest, RequestCheck, RequestIdCache,
    SpRegistration, StatusCode as SamlStatus, build_logout_request, build_logout_response,
    build_shaped_response, build_status_response, check_authn_request, check_logout_signature,
    parse_logout_request, parse_logout_response,
};
use samlkit_saml::redirect::{self, MessageKind};
use samlkit_saml::{
    AssertionEncryption, BreakInput, BreakKind, IdpMetadataParams, ResponseParams, SamlError,
    SignTarget, SigningCredential, SigningProfile, attacker_credential, build_idp_metadata,
    build_shaped_broken_response, name_id_format_uri, new_id, post_form, sign_and_encrypt,
    sign_document,
};
use serde::Deserialize;

use super::config::{Idp, SpConfig, User, digest_for};
use super::log::{MessageLog, RequestLine};
use super::pages;

/// The largest request body accepted (a POSTed AuthnRequest or LogoutRequest is a few KB).
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024;
const SESSION_COOKIE: &str = "samlkit_idp_session";
/// How old an AuthnRequest may be, and the clock difference allowed with an SP.
const REQUEST_MAX_AGE_SECONDS: i64 = 300;
const SKEW_SECONDS: i64 = 60;
/// Pending logins (the login page is showing) are forgotten after this long, and at most this
/// many are kept (the oldest go first).
const PENDING_MINUTES: i64 = 30;
const MAX_PENDING: usize = 10_000;
/// Sessions last this long from the login, and at most this many are kept: under load every
/// auto_login answer to a cookie-less client makes one, so when full the oldest goes (its
/// browser sees the login page, or auto_login, again).
const SESSION_HOURS: i64 = 8;
const MAX_SESSIONS: usize = 10_000;

/// One SP the session has logged in to.
#[derive(Clone)]
struct SessionSp {
    entity_id: String,
    session_index: String,
    name_id: String,
    name_id_format: String,
}

/// A browser's login at the IdP (it lasts [`SESSION_HOURS`] from the first login).
struct Session {
    user: Arc<User>,
    sps: Vec<SessionSp>,
}

/// A login waiting on the login page.
struct Pending {
    sp_index: usize,
    request: Option<AuthnRequestInfo>,
    relay_state: Option<String>,
}

pub(crate) struct AppState {
    idp: Idp,
    registrations: Vec<SpRegistration>,
    destinations: Vec<String>,
    metadata: String,
    /// Everything kept per request is bounded: answered request IDs until they are stale,
    /// sessions and pending logins by lifetime and count, `/log` by [`super::log::KEPT`].
    seen: RequestIdCache,
    sessions: Mutex<ExpiringMap<Session>>,
    pending: Mutex<ExpiringMap<Pending>>,
    pub(crate) log: MessageLog,
    attacker: SigningCredential,
}

type Shared = Arc<AppState>;

/// What a handler tells the request log.
#[derive(Clone)]
struct Outcome {
    sp: Option<String>,
    outcome: String,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    pub(crate) fn new(idp: Idp, log: MessageLog) -> Result<AppState, String> {
        let params = IdpMetadataParams {
            entity_id: idp.entity_id.clone(),
            sso_url: idp.sso_url(),
            slo_url: Some(idp.slo_url()),
            signing_certs: idp.published.iter().map(|c| c.der().to_vec()).collect(),
            name_id_formats: ["email", "persistent", "transient", "unspecified"]
                .iter()
                .filter_map(|f| name_id_format_uri(f))
                .collect(),
            valid_until: None,
        };
        params.check().map_err(|e| e.to_string())?;
        let method = SignatureMethod::default_for_key(idp.credential.key_algorithm());
        let profile =
            SigningProfile { target: SignTarget::Response, method, digest: digest_for(method) };
        let metadata = sign_document(&build_idp_metadata(&params), &idp.credential, &profile)
            .map_err(|e| e.to_string())?;
        let attacker = attacker_credential().map_err(|e| e.to_string())?;
        Ok(AppState {
            registrations: idp.registrations(),
            destinations: vec![idp.sso_url()],
            metadata,
            seen: RequestIdCache::new(),
            sessions: Mutex::new(ExpiringMap::new(Duration::hours(SESSION_HOURS), MAX_SESSIONS)),
            pending: Mutex::new(ExpiringMap::new(Duration::minutes(PENDING_MINUTES), MAX_PENDING)),
            log,
            attacker,
            idp,
        })
    }
}

pub(crate) fn router(state: Shared, json_log: bool) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/metadata", get(metadata))
        .route("/sso", get(sso_redirect).post(sso_post))
        .route("/sso/init", get(sso_init))
        .route("/login", axum::routing::post(login))
        .route("/slo", get(slo_redirect).post(slo_post))
        .route("/log", get(log_page))
        .route("/log/{seq}", get(log_download))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(move |req, next| log_request(req, next, json_log)))
        .with_state(state)
}

async fn log_request(req: Request, next: Next, json: bool) -> Response {
    let start = Instant::now();
    let method = req.method().to_string();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let outcome = response.extensions().get::<Outcome>().cloned();
    RequestLine {
        time: crate::now::format_rfc3339(Utc::now()),
        method: &method,
        path: &path,
        status: response.status().as_u16(),
        sp: outcome.as_ref().and_then(|o| o.sp.as_deref()),
        outcome: outcome.as_ref().map_or("ok", |o| o.outcome.as_str()),
        ms: start.elapsed().as_secs_f64() * 1000.0,
    }
    .print(json);
    response
}

fn with_outcome(mut response: Response, sp: Option<&str>, outcome: impl Into<String>) -> Response {
    response
        .extensions_mut()
        .insert(Outcome { sp: sp.map(str::to_string), outcome: outcome.into() });
    response
}

fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

async fn index(State(state): State<Shared>) -> Response {
    Html(pages::index(&state.idp)).into_response()
}

async fn metadata(State(state): State<Shared>) -> Response {
    ([(header::CONTENT_TYPE, "application/samlmetadata+xml")], state.metadata.clone())
        .into_response()
}

#[derive(Deserialize)]
struct SamlForm {
    #[serde(rename = "SAMLRequest")]
    saml_request: Option<String>,
    #[serde(rename = "SAMLResponse")]
    saml_response: Option<String>,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
}

/// Runs a handler's synchronous work (checking the message, building the answer, RSA signing:
/// a few hundred microseconds of CPU) on the blocking pool. Its queue is first in, first out and
/// it has one thread per core (see `serve`), so under load the requests are answered in the
/// order they arrived, while the async workers keep accepting connections and reading requests.
async fn offload(work: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(work).await.unwrap_or_else(|e| {
        html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::refused("Internal error", &format!("the request handler failed: {e}"), None),
        )
    })
}

fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| redirect::url_decode(v).ok()).flatten()
    })
}

async fn sso_redirect(
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    offload(move || {
        let query = query.unwrap_or_default();
        let hint = query_param(&query, "login_hint");
        sso(&state, &headers, IncomingRequest::Redirect { query: &query }, hint)
    })
    .await
}

async fn sso_post(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<SamlForm>,
) -> Response {
    offload(move || {
        let Some(saml_request) = form.saml_request.as_deref() else {
            return with_outcome(
                html(
                    StatusCode::BAD_REQUEST,
                    pages::refused("Bad request", "the form has no SAMLRequest field", None),
                ),
                None,
                "bad_request",
            );
        };
        let incoming =
            IncomingRequest::Post { saml_request, relay_state: form.relay_state.as_deref() };
        sso(&state, &headers, incoming, None)
    })
    .await
}

fn sso(
    state: &AppState,
    headers: &HeaderMap,
    incoming: IncomingRequest<'_>,
    login_hint: Option<String>,
) -> Response {
    let now = Utc::now();
    let check = RequestCheck {
        destinations: &state.destinations,
        now,
        max_age: Duration::seconds(REQUEST_MAX_AGE_SECONDS),
        skew: Duration::seconds(SKEW_SECONDS),
    };
    match check_authn_request(incoming, &state.registrations, &check, &state.seen) {
        Ok(info) => {
            state.log.record("received", "AuthnRequest", &info.sp_entity_id, &info.xml);
            let sp_index = info.sp_index;
            let relay_state = info.relay_state.clone();
            answer(state, headers, sp_index, Some(info), relay_state, login_hint)
        }
        Err(refusal) => {
            let sp = refusal.answer.as_ref().map(|a| a.sp_entity_id.clone());
            if let Some(xml) = &refusal.xml {
                state.log.record("received", "AuthnRequest", sp.as_deref().unwrap_or("?"), xml);
            }
            let form = refusal
                .answer
                .as_ref()
                .and_then(|a| error_response_form(state, a, Some(refusal.error.detail()), now));
            let status = if refusal.answer.is_some() {
                StatusCode::FORBIDDEN
            } else {
                StatusCode::BAD_REQUEST
            };
            let page = pages::refused(
                refusal.error.kind().title(),
                &refusal.error.to_string(),
                form.as_deref(),
            );
            with_outcome(
                html(status, page),
                sp.as_deref(),
                format!("refused:{}", refusal.error.code()),
            )
        }
    }
}

/// The signed SAML error Response as a form (not auto-submitted), logged as sent.
fn error_response_form(
    state: &AppState,
    answer: &ErrorAnswer,
    message: Option<&str>,
    now: DateTime<Utc>,
) -> Option<String> {
    let xml = build_status_response(
        &state.idp.entity_id,
        &answer.acs_url,
        answer.in_response_to.as_deref(),
        answer.status,
        message,
        now,
    )
    .ok()?;
    let signed =
        sign_for_sp(state, state.idp.sp(&answer.sp_entity_id), &xml, SignTarget::Response, None)
            .ok()?;
    state.log.record("sent", "Response", &answer.sp_entity_id, &signed);
    let b64 = STANDARD.encode(signed.as_bytes());
    let mut fields = vec![("SAMLResponse", b64.as_str())];
    if let Some(rs) = answer.relay_state.as_deref() {
        fields.push(("RelayState", rs));
    }
    Some(pages::manual_post_form(
        &answer.acs_url,
        &fields,
        &format!("Send {} to the service provider", answer.status.name()),
    ))
}

fn sign_for_sp(
    state: &AppState,
    sp: Option<&SpConfig>,
    xml: &str,
    target: SignTarget,
    alg: Option<SignatureMethod>,
) -> Result<String, String> {
    let method = alg
        .or(sp.map(|s| s.alg))
        .unwrap_or_else(|| SignatureMethod::default_for_key(state.idp.credential.key_algorithm()));
    let profile = SigningProfile { target, method, digest: digest_for(method) };
    sign_document(xml, &state.idp.credential, &profile).map_err(|e| e.to_string())
}

fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| {
            let (name, value) = c.trim().split_once('=')?;
            (name == SESSION_COOKIE).then(|| value.to_string())
        })
}

/// The browser's session cookie and the session's user, if the session is still live.
fn current_session(state: &AppState, headers: &HeaderMap) -> Option<(String, Arc<User>)> {
    let id = session_id(headers)?;
    let user = lock(&state.sessions).get(&id, Utc::now())?.user.clone();
    Some((id, user))
}

/// Who answers this request without the login page, if anyone: the session's user (unless
/// ForceAuthn), the SP's or the global `auto_login`, or an allowed `login_hint`.
fn answer(
    state: &AppState,
    headers: &HeaderMap,
    sp_index: usize,
    request: Option<AuthnRequestInfo>,
    relay_state: Option<String>,
    login_hint: Option<String>,
) -> Response {
    let Some(sp) = state.idp.sps.get(sp_index) else {
        return html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::refused("Internal error", "unknown SP index", None),
        );
    };
    let force = request.as_ref().is_some_and(|r| r.force_authn);
    let session = current_session(state, headers);
    let auto = sp
        .auto_login
        .as_deref()
        .or(state.idp.auto_login.as_deref())
        .and_then(|id| state.idp.user(id));
    let hinted = login_hint
        .filter(|_| state.idp.allow_login_hint)
        .and_then(|id| state.idp.user(&id).cloned());
    let user = match (&session, force) {
        (Some((_, u)), false) => Some(u.clone()),
        _ => auto.cloned().or(hinted),
    };
    let entity = sp.registration.entity_id.clone();
    if let Some(user) = user {
        let choices = Choices::configured(sp);
        return issue(
            state,
            session.map(|(id, _)| id),
            sp,
            &user,
            request.as_ref(),
            relay_state,
            &choices,
            "sso",
        );
    }
    if request.as_ref().is_some_and(|r| r.is_passive) {
        let answer = ErrorAnswer {
            sp_entity_id: entity.clone(),
            acs_url: request.as_ref().map(|r| r.acs_url.clone()).unwrap_or_default(),
            in_response_to: request.as_ref().map(|r| r.id.clone()),
            relay_state,
            status: SamlStatus::NoPassive,
        };
        return passive_refusal(state, &answer);
    }
    let token = new_id().unwrap_or_default();
    let acs = request
        .as_ref()
        .map(|r| r.acs_url.clone())
        .or_else(|| sp.registration.default_acs().map(|a| a.location.clone()))
        .unwrap_or_default();
    let page = pages::login(
        &state.idp,
        &pages::LoginRequest {
            token: &token,
            sp_entity_id: &entity,
            acs_url: &acs,
            request_id: request.as_ref().map(|r| r.id.as_str()),
            shape: sp.shape.name,
            sign: sign_name(sp.sign),
        },
    );
    lock(&state.pending).insert(token, Pending { sp_index, request, relay_state }, Utc::now());
    with_outcome(Html(page).into_response(), Some(&entity), "login_page")
}

/// IsPassive without a session: NoPassive goes straight back to the SP (auto-submitted: nothing
/// for the user to decide).
fn passive_refusal(state: &AppState, answer: &ErrorAnswer) -> Response {
    let now = Utc::now();
    let result = build_status_response(
        &state.idp.entity_id,
        &answer.acs_url,
        answer.in_response_to.as_deref(),
        answer.status,
        Some("IsPassive and no session at the IdP"),
        now,
    )
    .map_err(|e| e.to_string())
    .and_then(|xml| {
        sign_for_sp(state, state.idp.sp(&answer.sp_entity_id), &xml, SignTarget::Response, None)
    });
    match result.and_then(|signed| {
        state.log.record("sent", "Response", &answer.sp_entity_id, &signed);
        post_form(
            &answer.acs_url,
            &STANDARD.encode(signed.as_bytes()),
            answer.relay_state.as_deref(),
        )
        .map_err(|e| e.to_string())
    }) {
        Ok(page) => {
            with_outcome(Html(page).into_response(), Some(&answer.sp_entity_id), "no_passive")
        }
        Err(e) => {
            html(StatusCode::INTERNAL_SERVER_ERROR, pages::refused("Cannot answer", &e, None))
        }
    }
}

fn sign_name(target: SignTarget) -> &'static str {
    match target {
        SignTarget::Assertion => "assertion",
        SignTarget::Response => "response",
        SignTarget::Both => "both",
    }
}

/// How to build this one response.
struct Choices {
    sign: SignTarget,
    alg: Option<SignatureMethod>,
    break_kind: Option<BreakKind>,
    attributes: Option<Vec<(String, Vec<String>)>>,
}

impl Choices {
    fn configured(sp: &SpConfig) -> Choices {
        Choices { sign: sp.sign, alg: None, break_kind: None, attributes: None }
    }
}

/// Builds, signs (or breaks) and sends the response; records the SP in the session.
#[allow(clippy::too_many_arguments)]
fn issue(
    state: &AppState,
    session_id: Option<String>,
    sp: &SpConfig,
    user: &Arc<User>,
    request: Option<&AuthnRequestInfo>,
    relay_state: Option<String>,
    choices: &Choices,
    outcome: &str,
) -> Response {
    let now = Utc::now();
    let entity = sp.registration.entity_id.as_str();
    let acs = match request
        .map(|r| r.acs_url.clone())
        .or_else(|| sp.registration.default_acs().map(|a| a.location.clone()))
    {
        Some(acs) => acs,
        None => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                pages::refused("Cannot answer", "the SP has no HTTP-POST ACS", None),
            );
        }
    };
    let name_id = match sp.name_id_field.as_str() {
        "name_id" => Some(user.name_id.clone()),
        "id" => Some(user.id.clone()),
        field => {
            user.attributes.iter().find(|(k, _)| k == field).and_then(|(_, v)| v.first().cloned())
        }
    }
    .unwrap_or_else(|| user.name_id.clone());
    let format = sp.name_id_format.clone().unwrap_or_else(|| user.name_id_format.clone());
    let unspecified = name_id_format_uri("unspecified").unwrap_or_default();
    if let Some(wanted) = request
        .and_then(|r| r.name_id_format.as_deref())
        .filter(|w| *w != unspecified && *w != format)
    {
        let answer = ErrorAnswer {
            sp_entity_id: entity.to_string(),
            acs_url: acs,
            in_response_to: request.map(|r| r.id.clone()),
            relay_state,
            status: SamlStatus::InvalidNameIdPolicy,
        };
        let reason = format!(
            "the AuthnRequest's NameIDPolicy asks for {wanted}; this IdP gives {entity} {format}"
        );
        let form = error_response_form(state, &answer, Some(&reason), now);
        return with_outcome(
            html(
                StatusCode::FORBIDDEN,
                pages::refused("Invalid NameID Policy", &reason, form.as_deref()),
            ),
            Some(entity),
            "refused:invalid_name_id_policy",
        );
    }
    let attributes = choices.attributes.clone().unwrap_or_else(|| user.attributes.clone());
    let attributes = attributes
        .into_iter()
        .map(|(k, values)| samlkit_saml::Attribute {
            name: sp.attribute_map.get(&k).cloned().unwrap_or(k),
            values,
        })
        .collect();
    let session_index = new_id().unwrap_or_default();
    let params = ResponseParams {
        issuer: state.idp.entity_id.clone(),
        name_id: name_id.clone(),
        name_id_format: format.clone(),
        audiences: vec![entity.to_string()],
        recipient: Some(acs.clone()),
        destination: Some(acs.clone()),
        in_response_to: request.map(|r| r.id.clone()),
        attributes,
        session_index: Some(session_index.clone()),
        issue_instant: now,
        valid_for: sp.assertion_lifetime,
    };
    let method = choices.alg.unwrap_or(sp.alg);
    let profile = SigningProfile { target: choices.sign, method, digest: digest_for(method) };
    let signed =
        build_shaped_response(&params, sp.shape).map_err(|e| e.to_string()).and_then(|built| {
            match choices.break_kind {
                None => match (&sp.encryption, &sp.encryption_cert) {
                    (Some(encryption), Some(recipient)) => {
                        let encryption = AssertionEncryption {
                            recipient,
                            options: encryption.options,
                            name_id: encryption.name_id,
                        };
                        sign_and_encrypt(
                            &built.xml,
                            &state.idp.credential,
                            Some(profile),
                            &encryption,
                        )
                    }
                    _ => sign_document(&built.xml, &state.idp.credential, &profile),
                }
                .map_err(|e| e.to_string()),
                Some(kind) => {
                    let input = BreakInput {
                        params: params.clone(),
                        ids: built.ids,
                        idp: &state.idp.credential,
                        attacker: &state.attacker,
                        profile,
                        // What the encrypting kinds encrypt to: `encrypt_cert` or the SP
                        // metadata's encryption certificate.
                        sp_encryption: sp.encryption_cert.as_ref(),
                    };
                    build_shaped_broken_response(kind, &input, sp.shape).map_err(|e| e.to_string())
                }
            }
        });
    let signed = match signed {
        Ok(s) => s,
        Err(e) => {
            return with_outcome(
                html(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    pages::refused("Cannot build the response", &e, None),
                ),
                Some(entity),
                "error",
            );
        }
    };
    state.log.record("sent", "Response", entity, &signed);
    // The duplicate-field break is a whole form body: post it as its fields.
    let page = if choices.break_kind == Some(BreakKind::DuplicateField) {
        Ok(duplicate_field_form(&acs, &signed))
    } else {
        post_form(&acs, &STANDARD.encode(signed.as_bytes()), relay_state.as_deref())
    };
    let page = match page {
        Ok(p) => p,
        Err(e) => {
            return html(
                StatusCode::INTERNAL_SERVER_ERROR,
                pages::refused("Cannot answer", &e.to_string(), None),
            );
        }
    };
    let outcome = match choices.break_kind {
        Some(kind) => format!("{outcome}:break:{}", kind.name()),
        None => outcome.to_string(),
    };
    // A deliberately broken response is not a login: no session is created or extended, so the
    // next request from this browser is not answered by SSO as if the SP had accepted it.
    if choices.break_kind.is_some() {
        return with_outcome(Html(page).into_response(), Some(entity), outcome);
    }
    // Remember the login: the session gets this SP (for SSO and single logout).
    let entry =
        SessionSp { entity_id: entity.to_string(), session_index, name_id, name_id_format: format };
    let id = session_id.unwrap_or_else(|| new_id().unwrap_or_default());
    {
        let mut sessions = lock(&state.sessions);
        match sessions.get_mut(&id, now) {
            Some(session) => {
                session.user = user.clone();
                session.sps.retain(|s| s.entity_id != entry.entity_id);
                session.sps.push(entry);
            }
            None => {
                sessions.insert(id.clone(), Session { user: user.clone(), sps: vec![entry] }, now)
            }
        }
    }
    let mut response = Html(page).into_response();
    if let Ok(cookie) =
        HeaderValue::from_str(&format!("{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Lax"))
    {
        response.headers_mut().insert(header::SET_COOKIE, cookie);
    }
    with_outcome(response, Some(entity), outcome)
}

/// An auto-submitting form with every `name=value` field of a form body.
fn duplicate_field_form(action: &str, body: &str) -> String {
    let fields: Vec<(String, String)> = body
        .trim()
        .split('&')
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), redirect::url_decode(v).unwrap_or_default()))
        .collect();
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    pages::manual_post_form(action, &refs, "Continue")
}

#[derive(Deserialize)]
struct InitQuery {
    sp: String,
    #[serde(rename = "RelayState")]
    relay_state: Option<String>,
    login_hint: Option<String>,
}

async fn sso_init(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<InitQuery>,
) -> Response {
    offload(move || match state.idp.sps.iter().position(|s| s.registration.entity_id == q.sp) {
        Some(index) => answer(&state, &headers, index, None, q.relay_state, q.login_hint),
        None => with_outcome(
            html(
                StatusCode::NOT_FOUND,
                pages::refused(
                    "Unknown Service Provider",
                    &format!("no SP {:?} is configured", q.sp),
                    None,
                ),
            ),
            None,
            "refused:unknown_service_provider",
        ),
    })
    .await
}

#[derive(Deserialize)]
struct LoginForm {
    token: String,
    user: Option<String>,
    name_id: Option<String>,
    attributes: Option<String>,
    sign: Option<String>,
    alg: Option<String>,
    #[serde(rename = "break")]
    break_kind: Option<String>,
    action: Option<String>,
}

async fn login(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<LoginForm>,
) -> Response {
    offload(move || {
    let Some(pending) = lock(&state.pending).remove(&form.token, Utc::now()) else {
        return with_outcome(
            html(
                StatusCode::BAD_REQUEST,
                pages::refused(
                    "Login expired",
                    "this login page is no longer valid; start the login again at the service provider",
                    None,
                ),
            ),
            None,
            "refused:login_expired",
        );
    };
    let Some(sp) = state.idp.sps.get(pending.sp_index) else {
        return html(
            StatusCode::INTERNAL_SERVER_ERROR,
            pages::refused("Internal error", "unknown SP", None),
        );
    };
    let entity = sp.registration.entity_id.clone();
    if form.action.as_deref() == Some("cancel") {
        let answer = ErrorAnswer {
            sp_entity_id: entity.clone(),
            acs_url: pending
                .request
                .as_ref()
                .map(|r| r.acs_url.clone())
                .or_else(|| sp.registration.default_acs().map(|a| a.location.clone()))
                .unwrap_or_default(),
            in_response_to: pending.request.as_ref().map(|r| r.id.clone()),
            relay_state: pending.relay_state,
            status: SamlStatus::AuthnFailed,
        };
        return passive_refusal(&state, &answer);
    }
    let typed = form.name_id.as_deref().map(str::trim).filter(|n| !n.is_empty());
    let user = match (typed, form.user.as_deref().and_then(|id| state.idp.user(id))) {
        (Some(name_id), _) => Arc::new(User {
            id: name_id.to_string(),
            name_id: name_id.to_string(),
            name_id_format: name_id_format_uri(if name_id.contains('@') {
                "email"
            } else {
                "unspecified"
            })
            .unwrap_or_default(),
            attributes: Vec::new(),
        }),
        (None, Some(user)) => user.clone(),
        (None, None) => {
            return with_outcome(
                html(
                    StatusCode::BAD_REQUEST,
                    pages::refused("No user", "pick a user or type a NameID", None),
                ),
                Some(&entity),
                "refused:no_user",
            );
        }
    };
    let attributes =
        form.attributes.as_deref().map(str::trim).filter(|t| !t.is_empty()).map(|text| {
            let pairs =
                text.lines().filter_map(|l| l.split_once('=')).map(|(k, v)| (k.trim(), v.trim()));
            samlkit_saml::group_attributes(pairs).into_iter().map(|a| (a.name, a.values)).collect()
        });
    let choices = Choices {
        sign: form.sign.as_deref().and_then(SignTarget::from_name).unwrap_or(sp.sign),
        alg: form
            .alg
            .as_deref()
            .filter(|a| !a.is_empty())
            .and_then(SignatureMethod::from_name)
            .filter(|m| {
                m.name() != "rsa-sha1" && m.for_key(state.idp.credential.key_algorithm()).is_some()
            }),
        break_kind: form
            .break_kind
            .as_deref()
            .filter(|b| !b.is_empty())
            .and_then(BreakKind::from_name),
        attributes,
    };
    let session = current_session(&state, &headers).map(|(id, _)| id);
    issue(
        &state,
        session,
        sp,
        &user,
        pending.request.as_ref(),
        pending.relay_state,
        &choices,
        "login",
    )
    })
    .await
}

async fn slo_redirect(
    State(state): State<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    offload(move || {
        let query = query.unwrap_or_default();
        let request = query_param(&query, "SAMLRequest");
        let response = query_param(&query, "SAMLResponse");
        let relay_state = query_param(&query, "RelayState");
        let decoded = match (request, response) {
            (Some(v), None) => redirect::decode_and_inflate("SAMLRequest", &v).map(|x| (true, x)),
            (None, Some(v)) => redirect::decode_and_inflate("SAMLResponse", &v).map(|x| (false, x)),
            _ => {
                return with_outcome(
                    html(
                        StatusCode::BAD_REQUEST,
                        pages::refused(
                            "Bad request",
                            "expected one SAMLRequest or SAMLResponse parameter",
                            None,
                        ),
                    ),
                    None,
                    "bad_request",
                );
            }
        };
        match decoded {
            Ok((true, xml)) => logout_request(
                &state,
                &headers,
                &String::from_utf8_lossy(&xml),
                relay_state,
                Some(&query),
            ),
            Ok((false, xml)) => {
                logout_response(&state, &String::from_utf8_lossy(&xml), Some(&query))
            }
            Err(e) => with_outcome(
                html(
                    StatusCode::BAD_REQUEST,
                    pages::refused(e.kind().title(), &e.to_string(), None),
                ),
                None,
                "bad_request",
            ),
        }
    })
    .await
}

async fn slo_post(
    State(state): State<Shared>,
    headers: HeaderMap,
    Form(form): Form<SamlForm>,
) -> Response {
    offload(move || {
        let decode = |v: &str| {
            STANDARD
                .decode(v.split_whitespace().collect::<String>())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
        };
        match (form.saml_request.as_deref().map(decode), form.saml_response.as_deref().map(decode))
        {
            (Some(Some(xml)), None) => {
                logout_request(&state, &headers, &xml, form.relay_state, None)
            }
            (None, Some(Some(xml))) => logout_response(&state, &xml, None),
            _ => with_outcome(
                html(
                    StatusCode::BAD_REQUEST,
                    pages::refused(
                        "Bad request",
                        "expected one base64 SAMLRequest or SAMLResponse field",
                        None,
                    ),
                ),
                None,
                "bad_request",
            ),
        }
    })
    .await
}

/// An SP's LogoutRequest: check it (a signed one against the SP's registered certificates),
/// end the IdP session, send LogoutRequests to the session's other SPs (in frames), and answer
/// the SP with a LogoutResponse.
fn logout_request(
    state: &AppState,
    headers: &HeaderMap,
    xml: &str,
    relay_state: Option<String>,
    query: Option<&str>,
) -> Response {
    let info = match parse_logout_request(xml) {
        Ok(i) => i,
        Err(e) => {
            return with_outcome(
                html(
                    StatusCode::BAD_REQUEST,
                    pages::refused(e.kind().title(), &e.to_string(), None),
                ),
                None,
                "refused:malformed",
            );
        }
    };
    state.log.record("received", "LogoutRequest", &info.issuer, xml);
    let Some(sp) = state.idp.sp(&info.issuer) else {
        return with_outcome(
            html(
                StatusCode::BAD_REQUEST,
                pages::refused(
                    "Unknown Service Provider",
                    &format!("no SP {:?} is configured", info.issuer),
                    None,
                ),
            ),
            None,
            "refused:unknown_service_provider",
        );
    };
    let entity = sp.registration.entity_id.as_str();
    // Either binding: a Redirect query signature or an enveloped (POST) XML signature, checked
    // against the SP's registered certificates only.
    if let Err(e) = check_logout_signature(xml, signed_query(query), &sp.registration) {
        return refused_signature(&e, entity);
    }
    let now = Utc::now();
    // End the browser's session if it is this user's.
    let mut others = Vec::new();
    if let Some(id) = session_id(headers) {
        let mut sessions = lock(&state.sessions);
        let matches = sessions.get(&id, now).is_some_and(|s| {
            s.sps.iter().any(|e| e.entity_id == info.issuer && e.name_id == info.name_id)
        });
        if matches && let Some(session) = sessions.remove(&id, now) {
            others = session.sps.into_iter().filter(|e| e.entity_id != info.issuer).collect();
        }
    }
    let mut frames = Vec::new();
    for other in &others {
        let Some(dest) = state.idp.sp(&other.entity_id).and_then(|s| s.registration.slo_endpoint())
        else {
            continue;
        };
        let Ok((_, request)) = build_logout_request(
            &state.idp.entity_id,
            &dest.location,
            &other.name_id,
            &other.name_id_format,
            Some(&other.session_index),
            now,
        ) else {
            continue;
        };
        state.log.record("sent", "LogoutRequest", &other.entity_id, &request);
        if let Ok(url) =
            signed_redirect(state, &dest.location, MessageKind::Request, &request, None)
        {
            frames.push(url);
        }
    }
    let next = sp.registration.slo_endpoint().and_then(|dest| {
        let response =
            build_logout_response(&state.idp.entity_id, &dest.location, &info.id, true, now)
                .ok()?;
        state.log.record("sent", "LogoutResponse", entity, &response);
        signed_redirect(
            state,
            &dest.location,
            MessageKind::Response,
            &response,
            relay_state.as_deref(),
        )
        .ok()
    });
    let mut response = Html(pages::logged_out(&frames, next.as_deref())).into_response();
    if let Ok(expired) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        response.headers_mut().insert(header::SET_COOKIE, expired);
    }
    with_outcome(response, Some(entity), format!("logout:{}_other_sps", frames.len()))
}

/// The raw query of an HTTP-Redirect message when it carries a `Signature` parameter.
fn signed_query(query: Option<&str>) -> Option<&str> {
    query.filter(|q| q.split('&').any(|p| p.starts_with("Signature=")))
}

/// A 403 page for a logout message whose signature failed (or is missing).
fn refused_signature(e: &SamlError, entity: &str) -> Response {
    with_outcome(
        html(StatusCode::FORBIDDEN, pages::refused(e.kind().title(), &e.to_string(), None)),
        Some(entity),
        format!("refused:{}", e.code()),
    )
}

fn signed_redirect(
    state: &AppState,
    destination: &str,
    kind: MessageKind,
    xml: &str,
    relay_state: Option<&str>,
) -> Result<String, String> {
    let method = SignatureMethod::default_for_key(state.idp.credential.key_algorithm());
    let alg =
        method.for_key(state.idp.credential.key_algorithm()).ok_or("no algorithm for the key")?;
    redirect::sign_url(
        destination,
        kind,
        xml.as_bytes(),
        relay_state,
        alg,
        state.idp.credential.signer(),
    )
    .map_err(|e| e.to_string())
}

/// An SP's LogoutResponse to the IdP's LogoutRequest: from a registered SP, its signature (if
/// any, or missing when the SP must sign) checked like a LogoutRequest's; logged, acknowledged.
fn logout_response(state: &AppState, xml: &str, query: Option<&str>) -> Response {
    let (issuer, success) = match parse_logout_response(xml) {
        Ok((issuer, _, success)) => (issuer, success),
        Err(e) => {
            return with_outcome(
                html(
                    StatusCode::BAD_REQUEST,
                    pages::refused(e.kind().title(), &e.to_string(), None),
                ),
                None,
                "refused:malformed",
            );
        }
    };
    state.log.record("received", "LogoutResponse", &issuer, xml);
    let Some(sp) = state.idp.sp(&issuer) else {
        return with_outcome(
            html(
                StatusCode::BAD_REQUEST,
                pages::refused(
                    "Unknown Service Provider",
                    &format!("no SP {issuer:?} is configured"),
                    None,
                ),
            ),
            None,
            "refused:unknown_service_provider",
        );
    };
    if let Err(e) = check_logout_signature(xml, signed_query(query), &sp.registration) {
        return refused_signature(&e, &issuer);
    }
    let outcome = if success { "logout_response:success" } else { "logout_response:failure" };
    with_outcome(Html(pages::logged_out(&[], None)).into_response(), Some(&issuer), outcome)
}

async fn log_page(State(state): State<Shared>) -> Response {
    Html(pages::log(&state.log.snapshot())).into_response()
}

async fn log_download(State(state): State<Shared>, Path(seq): Path<u64>) -> Response {
    match state.log.get(seq) {
        Some(m) => (
            [
                (header::CONTENT_TYPE, "application/xml".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{:06}-{}-{}.xml\"", m.seq, m.direction, m.kind),
                ),
            ],
            m.xml,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "no such message (only the last 100 are kept)\n")
            .into_response(),
    }
}
