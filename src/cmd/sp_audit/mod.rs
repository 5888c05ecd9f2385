//! `samlkit sp-audit`: post the broken-response battery to a live service provider and report
//! which attacks it accepted. The battery, the oracle and the reports are
//! `samlkit_saml::audit`; this module does the I/O: flags, HTTP, files.

mod flow;
mod http;
mod output;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use chrono::Utc;
use clap::{Args, ValueEnum};
use samlkit_saml::audit::{
    AuditCase, Baselines, CaseKind, CaseResult, Observation, Overrides, Payload, all_cases,
    build_case, case_by_name, genuine_response, payload_has_dtd,
};
use samlkit_saml::{
    BreakInput, BreakKind, ResponseIds, ResponseParams, SignTarget, SigningCredential,
    SigningProfile, attacker_credential, group_attributes, name_id_format_uri, new_id,
    read_sp_metadata,
};

use crate::error::{CliError, saml_message};
use crate::io::{Credential, SAML_MESSAGE, load_certificate, read_input, shown_path};
use flow::{Endpoints, SpRequest, post_response, start_login};
use http::{Browser, Pace, Scope};

/// Audit a live service provider: post every broken response and say which it accepted
///
/// For each case it builds a fresh response (fresh IDs, current times), POSTs it to the ACS as
/// a browser would (HTTP-POST form with RelayState, redirects followed with a cookie jar per
/// case), and judges the answer ACCEPTED, REFUSED or INCONCLUSIVE by its distance from two
/// baselines it learns first: a genuine response (which the SP must accept) and one with a
/// broken signature (which it must refuse). Status codes, redirect chain, final URL, new
/// cookies and the final page's words are compared, so an SP that answers refusals with a
/// polite 200 page, or a good login with 302, is judged right. With --whoami the page that shows
/// the logged-in user decides, and the report says WHICH NameID the SP logged in: the
/// dependable oracle for signature wrapping and comment injection.
///
/// With --login-url each case starts at the SP (its AuthnRequest, by Redirect or POST, is
/// answered with InResponseTo); without it, cases are IdP-initiated.
///
/// Safe by default: it sends only to loopback (127.0.0.1, ::1, localhost) unless --target names
/// the host, at --rate requests per second (default 5), and never sends a DTD outside loopback.
/// https URLs are checked against the system roots plus each --ca-file; only
/// --insecure-skip-tls-verify (which warns) skips the check.
///
/// Exit codes: 0 the SP refused every case; 1 a case was ACCEPTED or INCONCLUSIVE; 2 usage
/// error, unreachable SP, or baselines that cannot be told apart.
///
/// Examples:
///   samlkit sp-audit --list
///   samlkit sp-audit --dry-run --cases xsw1,comment-in-nameid,replay \
///       --acs http://127.0.0.1:8000/acs --audience http://127.0.0.1:8000/metadata \
///       --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com
///   samlkit sp-audit --acs http://127.0.0.1:9/acs --audience http://127.0.0.1:9/metadata \
///       --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com \
///       --login-url http://127.0.0.1:9/login --whoami http://127.0.0.1:9/whoami \
///       --junit audit.xml   # exit 2: nothing listens there
///   samlkit sp-audit --acs https://127.0.0.1:9/acs --audience https://127.0.0.1:9/metadata \
///       --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com \
///       --ca-file fixtures/certs/idp.crt --cases xsw1   # exit 2: nothing listens there
#[derive(Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "samlkit sp-audit --acs <URL> --audience <SP_ENTITY_ID> --key <KEY> --cert <CERT> --issuer <ENTITY> --name-id <VALUE> [OPTIONS]\n       samlkit sp-audit --sp-metadata <FILE> --key <KEY> --cert <CERT> --issuer <ENTITY> --name-id <VALUE> [OPTIONS]\n       samlkit sp-audit --list"
)]
pub(crate) struct SpAuditArgs {
    /// The SP's AssertionConsumerService URL (where responses are POSTed).
    #[arg(long, value_name = "URL")]
    acs: Option<String>,
    /// The SP's entity ID (the Audience of a genuine response).
    #[arg(long, value_name = "SP_ENTITY_ID")]
    audience: Option<String>,
    /// The SP's metadata: its entityID is the audience, its HTTP-POST ACS the --acs, its
    /// encryption certificate the --encrypt-for (flags given explicitly win).
    #[arg(long, value_name = "FILE")]
    sp_metadata: Option<String>,
    /// The IdP's private key the SP trusts (PKCS#8 or PKCS#1 PEM, or DER).
    #[arg(long, value_name = "KEY")]
    key: Option<String>,
    /// The IdP's certificate, as the SP has it.
    #[arg(long, value_name = "CERT")]
    cert: Option<String>,
    /// The IdP's entity ID (the Issuer).
    #[arg(long, value_name = "ENTITY")]
    issuer: Option<String>,
    /// The NameID a genuine response logs in.
    #[arg(long, value_name = "VALUE")]
    name_id: Option<String>,
    /// An attribute value of every response, NAME=VALUE; repeat a NAME for several values.
    #[arg(long = "attr", value_name = "NAME=VALUE")]
    attrs: Vec<String>,
    /// What the genuine response signs (the wrapping cases pick their own).
    #[arg(long, value_enum, default_value_t = SignChoice::Assertion)]
    sign: SignChoice,
    /// Start each case at the SP (SP-initiated): GET this URL, take the AuthnRequest from the
    /// redirect or the auto-POST form, answer it with InResponseTo.
    #[arg(long, value_name = "URL")]
    login_url: Option<String>,
    /// A page of the SP that shows who is logged in, fetched with each case's cookies.
    #[arg(long, value_name = "URL")]
    whoami: Option<String>,
    /// Where the whoami page shows the NameID: the first group (or the whole match) of RE
    /// [default: the --name-id and the identities the attacks use, found as words].
    #[arg(long, value_name = "RE", requires = "whoami")]
    whoami_regex: Option<String>,
    /// A case whose final URL or page matches RE is ACCEPTED (overrides the distances).
    #[arg(long, value_name = "RE")]
    accepted_if: Option<String>,
    /// A case whose final URL or page matches RE is REFUSED (overrides the distances).
    #[arg(long, value_name = "RE")]
    refused_if: Option<String>,
    /// The RelayState of IdP-initiated postings (SP-initiated ones send back the SP's own).
    #[arg(long, value_name = "STATE")]
    relay_state: Option<String>,
    /// The SP's encryption certificate, for the cases that encrypt (unsigned-encrypted,
    /// rsa15-key-transport, cbc-unsigned; skipped without it).
    #[arg(long, value_name = "SP_CERT")]
    encrypt_for: Option<String>,
    /// Run only these cases (comma-separated names from --list).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    cases: Vec<String>,
    /// Describe every case, with the attack's reference (CVE, paper, SAML Raider name).
    #[arg(long)]
    list: bool,
    /// One JSON object per case on stdout instead of the table.
    #[arg(long)]
    json: bool,
    /// Also write a JUnit XML report to FILE (ACCEPTED and INCONCLUSIVE are failures).
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Save each case's posted response (CASE.xml) and the SP's final page (CASE.html) in DIR.
    #[arg(long, value_name = "DIR")]
    save: Option<PathBuf>,
    /// Build every case's response (into --save DIR, if given) without sending anything.
    #[arg(long)]
    dry_run: bool,
    /// A host outside loopback that may be audited (repeat for several). Only for SPs you are
    /// allowed to attack.
    #[arg(long = "target", value_name = "HOST")]
    targets: Vec<String>,
    /// Requests per second, at most.
    #[arg(long, value_name = "N", default_value_t = 5.0)]
    rate: f64,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    timeout: u64,
    /// A CA (PEM) to trust for https URLs besides the system roots, e.g. the private CA of a
    /// test SP (repeat for several).
    #[arg(long = "ca-file", value_name = "PEM")]
    ca_files: Vec<String>,
    /// Do not check the SP's https certificate at all (a warning is printed). For a test
    /// instance with a throwaway certificate only; prefer --ca-file.
    #[arg(long)]
    insecure_skip_tls_verify: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum SignChoice {
    Assertion,
    Response,
    Both,
}

/// Everything a case is built from, loaded once.
struct Setup {
    signing: SigningCredential,
    attacker: SigningCredential,
    profile: SigningProfile,
    params: ResponseParams,
    sp_encryption: Option<samlkit_cert::Certificate>,
}

impl Setup {
    /// Fresh IDs and the current time, InResponseTo as given.
    fn input(&self, in_response_to: Option<String>) -> Result<BreakInput<'_>, CliError> {
        let mut params = self.params.clone();
        params.issue_instant = Utc::now();
        params.in_response_to = in_response_to;
        Ok(BreakInput {
            params,
            ids: ResponseIds::random(None).map_err(|e| CliError::input(saml_message(&e)))?,
            idp: &self.signing,
            attacker: &self.attacker,
            profile: self.profile,
            sp_encryption: self.sp_encryption.as_ref(),
        })
    }
}

pub(crate) fn run(args: SpAuditArgs) -> Result<ExitCode, CliError> {
    if args.list {
        return output::print_list(args.json);
    }
    let cases = selected_cases(&args.cases)?;
    if !(args.rate > 0.0 && args.rate.is_finite()) {
        return Err(CliError::input(format!("--rate {} must be a positive number", args.rate)));
    }
    let scope = Scope::new(&args.targets);
    let metadata = match &args.sp_metadata {
        Some(path) => {
            Some(read_sp_metadata(&read_input(path, SAML_MESSAGE)?, None, None).map_err(|e| {
                CliError::input(format!("{}: {}", shown_path(path), saml_message(&e)))
            })?)
        }
        None => None,
    };
    let acs = args
        .acs
        .clone()
        .or_else(|| metadata.as_ref().map(|m| m.acs_url.clone()))
        .ok_or_else(|| required("--acs <URL> (or --sp-metadata <FILE>)"))?;
    let audience = args
        .audience
        .clone()
        .or_else(|| metadata.as_ref().map(|m| m.entity_id.clone()))
        .ok_or_else(|| required("--audience <SP_ENTITY_ID> (or --sp-metadata <FILE>)"))?;
    let key = args.key.as_deref().ok_or_else(|| required("--key <KEY>"))?;
    let cert = args.cert.as_deref().ok_or_else(|| required("--cert <CERT>"))?;
    let issuer = args.issuer.clone().ok_or_else(|| required("--issuer <ENTITY>"))?;
    let name_id = args.name_id.clone().ok_or_else(|| required("--name-id <VALUE>"))?;
    let acs_url = scope.url("--acs", &acs)?;
    let login = args.login_url.as_deref().map(|u| scope.url("--login-url", u)).transpose()?;
    let whoami = args.whoami.as_deref().map(|u| scope.url("--whoami", u)).transpose()?;
    let regex = |flag: &str, re: &Option<String>| {
        re.as_deref()
            .map(|r| {
                regex::Regex::new(r).map_err(|e| {
                    CliError::input(format!(
                        "{flag} {r:?} is not a regular expression: {}",
                        crate::error::one_line(&e.to_string())
                    ))
                })
            })
            .transpose()
    };
    let whoami_regex = regex("--whoami-regex", &args.whoami_regex)?;
    let accepted_if = regex("--accepted-if", &args.accepted_if)?;
    let refused_if = regex("--refused-if", &args.refused_if)?;

    let credential = Credential::load(key, cert)?;
    let signing = credential.signing()?;
    let (method, digest) = credential.algorithms(None, "sha256")?;
    let outside_loopback = !http::Scope::is_loopback(&acs_url);
    if outside_loopback && output::is_fixture_certificate(credential.certificate()) {
        eprintln!(
            "warning: --cert is a certificate samlkit ships in fixtures/ (its key is public); an SP at {} that trusts it trusts anyone",
            acs_url.host_str().unwrap_or("")
        );
    }
    let sp_encryption = match (&args.encrypt_for, &metadata) {
        (Some(path), _) => Some(load_certificate(path)?),
        (None, Some(m)) => m.encryption_certificate.clone(),
        (None, None) => None,
    };
    let format_name = if name_id.contains('@') { "email" } else { "unspecified" };
    let mut pairs = Vec::with_capacity(args.attrs.len());
    for a in &args.attrs {
        let (n, v) = a
            .split_once('=')
            .filter(|(n, _)| !n.is_empty())
            .ok_or_else(|| CliError::input(format!("--attr {a:?} is not NAME=VALUE")))?;
        pairs.push((n, v));
    }
    let setup = Setup {
        attacker: attacker_credential().map_err(|e| CliError::input(saml_message(&e)))?,
        signing,
        profile: SigningProfile {
            target: match args.sign {
                SignChoice::Assertion => SignTarget::Assertion,
                SignChoice::Response => SignTarget::Response,
                SignChoice::Both => SignTarget::Both,
            },
            method,
            digest,
        },
        params: ResponseParams {
            issuer,
            name_id: name_id.clone(),
            name_id_format: name_id_format_uri(format_name).unwrap_or_default(),
            audiences: vec![audience],
            recipient: Some(acs.clone()),
            destination: Some(acs.clone()),
            in_response_to: None,
            attributes: group_attributes(pairs),
            session_index: None,
            issue_instant: Utc::now(),
            valid_for: chrono::Duration::minutes(5),
        },
        sp_encryption,
    };
    let endpoints = Endpoints {
        acs: acs_url,
        login,
        whoami,
        whoami_regex,
        relay_state: args.relay_state.clone(),
        name_id,
    };
    if args.dry_run {
        return output::dry_run(
            &setup_cases(&cases, &setup, &endpoints),
            &setup,
            &endpoints,
            args.save.as_deref(),
        );
    }
    let tls = http::tls_config(&args.ca_files, args.insecure_skip_tls_verify)?;
    if args.insecure_skip_tls_verify {
        eprintln!(
            "warning: --insecure-skip-tls-verify: the SP's https certificate is not checked; anyone on the path can read and answer the audit"
        );
    }
    let mut pace = Pace::new(args.rate);
    let audit = Audit {
        setup: &setup,
        endpoints: &endpoints,
        scope: &scope,
        timeout: Duration::from_secs(args.timeout.max(1)),
        tls,
        save: args.save.as_deref(),
        outside_loopback,
    };
    if let Some(dir) = &args.save {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::input(format!("--save {}: {}", dir.display(), crate::io::describe_io(&e)))
        })?;
    }
    let judge = |o: &Observation| Overrides {
        accepted: accepted_if
            .as_ref()
            .is_some_and(|re| re.is_match(&o.final_url) || re.is_match(&o.page)),
        refused: refused_if
            .as_ref()
            .is_some_and(|re| re.is_match(&o.final_url) || re.is_match(&o.page)),
    };
    // The baselines: a genuine response (a login) and a broken signature (a refusal).
    let bad_signature = case_by_name(BreakKind::BadSignature.name())
        .ok_or_else(|| CliError::input("the battery has no bad-signature case"))?;
    let accepted = audit.send(&mut pace, "baseline-genuine", Sending::Genuine)?;
    let refused = audit.send(&mut pace, "baseline-bad-signature", Sending::Case(&bad_signature))?;
    let given = accepted_if.is_some() || refused_if.is_some();
    let baselines = Baselines::learn_with_overrides(
        &accepted,
        &refused,
        &endpoints.name_id,
        endpoints.whoami.is_some(),
        given.then(|| (judge(&accepted), judge(&refused))),
    )
    .map_err(|e| CliError::input(format!("baselines: {}", e.detail())))?;

    let mut results = Vec::with_capacity(cases.len());
    for case in &cases {
        let skip = skip_reason(case, &setup, &endpoints);
        let result = match (case.kind, skip) {
            (_, Some(why)) => CaseResult::skipped(case, why),
            (CaseKind::Replay, None) => {
                let (first, second) = audit.replay(&mut pace, case)?;
                let note = format!(
                    "first posting {}",
                    baselines.judge(&first, judge(&first), None).verdict.label()
                );
                let mut r = CaseResult::judged(
                    case,
                    &second,
                    baselines.judge(&second, judge(&second), None),
                    &endpoints.name_id,
                );
                r.note = Some(note);
                r
            }
            (_, None) => {
                let o = audit.send(&mut pace, case.name, Sending::Case(case))?;
                let signed = case.signed_identity(&endpoints.name_id);
                let attack = case.identity_attack().then_some(signed.as_str());
                CaseResult::judged(case, &o, baselines.judge(&o, judge(&o), attack), &signed)
            }
        };
        if args.json {
            println!("{}", crate::shown::json_line(result.json().to_string()));
        }
        results.push(result);
    }
    output::report(&results, args.json, args.junit.as_deref())?;
    Ok(ExitCode::from(samlkit_saml::audit::exit_status(&results)))
}

fn required(flag: &str) -> CliError {
    CliError::input(format!("the following required argument was not provided: {flag}"))
}

/// `--cases` checked against the battery, in the battery's order; all of it when empty.
fn selected_cases(names: &[String]) -> Result<Vec<AuditCase>, CliError> {
    for name in names {
        if case_by_name(name).is_none() {
            return Err(CliError::input(format!(
                "--cases {name:?} is not a case; `samlkit sp-audit --list` shows them"
            )));
        }
    }
    Ok(all_cases()
        .into_iter()
        .filter(|c| names.is_empty() || names.iter().any(|n| n == c.name))
        .collect())
}

/// Why a case is not sent, if it is not.
fn skip_reason(case: &AuditCase, setup: &Setup, endpoints: &Endpoints) -> Option<&'static str> {
    if case.needs_sp_initiated() && endpoints.login.is_none() {
        return Some("needs --login-url (without an AuthnRequest it is the genuine response)");
    }
    if case.needs_sp_encryption() && setup.sp_encryption.is_none() {
        return Some("needs --encrypt-for SP_CERT (or --sp-metadata with an encryption key)");
    }
    None
}

/// The cases that would run, with their skip reasons, for `--dry-run`.
fn setup_cases<'c>(
    cases: &'c [AuditCase],
    setup: &Setup,
    endpoints: &Endpoints,
) -> Vec<(&'c AuditCase, Option<&'static str>)> {
    cases.iter().map(|c| (c, skip_reason(c, setup, endpoints))).collect()
}

/// What one posting sends.
enum Sending<'c> {
    Genuine,
    Case(&'c AuditCase),
}

/// The run's fixed parts.
struct Audit<'a> {
    setup: &'a Setup,
    endpoints: &'a Endpoints,
    scope: &'a Scope,
    timeout: Duration,
    tls: ureq::tls::TlsConfig,
    save: Option<&'a std::path::Path>,
    outside_loopback: bool,
}

impl Audit<'_> {
    /// One case in a fresh browser session: the SP's AuthnRequest (with --login-url), the
    /// posting, the whoami page.
    fn send(
        &self,
        pace: &mut Pace,
        name: &str,
        sending: Sending<'_>,
    ) -> Result<Observation, CliError> {
        let mut browser = Browser::new(self.scope, pace, self.timeout, &self.tls);
        let request = self.start(&mut browser)?;
        let payload = self.build(&sending, request.as_ref())?;
        self.post(&mut browser, name, &payload, request.as_ref())
    }

    /// The replay case: a genuine response posted in one session, then the same bytes in a new
    /// one (which, SP-initiated, has its own AuthnRequest outstanding).
    fn replay(
        &self,
        pace: &mut Pace,
        case: &AuditCase,
    ) -> Result<(Observation, Observation), CliError> {
        let mut first = Browser::new(self.scope, pace, self.timeout, &self.tls);
        let request = self.start(&mut first)?;
        let payload = self.build(&Sending::Case(case), request.as_ref())?;
        let once =
            self.post(&mut first, &format!("{}-first", case.name), &payload, request.as_ref())?;
        drop(first);
        let mut second = Browser::new(self.scope, pace, self.timeout, &self.tls);
        let again = self.start(&mut second)?;
        let twice =
            self.post(&mut second, case.name, &payload, again.as_ref().or(request.as_ref()))?;
        Ok((once, twice))
    }

    fn start(&self, browser: &mut Browser<'_>) -> Result<Option<SpRequest>, CliError> {
        self.endpoints.login.as_ref().map(|login| start_login(browser, login)).transpose()
    }

    fn build(
        &self,
        sending: &Sending<'_>,
        request: Option<&SpRequest>,
    ) -> Result<Payload, CliError> {
        let input = self.setup.input(request.map(|r| r.id.clone()))?;
        let failed = |e: samlkit_saml::SamlError| CliError::input(saml_message(&e));
        let payload = match sending {
            Sending::Genuine => Payload::Xml(genuine_response(&input).map_err(failed)?),
            Sending::Case(case) => {
                let other = new_id().map_err(failed)?;
                build_case(case, &input, &other).map_err(failed)?
            }
        };
        if self.outside_loopback && payload_has_dtd(payload.text()) {
            return Err(CliError::input("refusing to send a payload with a DTD outside loopback"));
        }
        Ok(payload)
    }

    fn post(
        &self,
        browser: &mut Browser<'_>,
        name: &str,
        payload: &Payload,
        request: Option<&SpRequest>,
    ) -> Result<Observation, CliError> {
        let relay_state = match request {
            Some(r) => r.relay_state.as_deref(),
            None => self.endpoints.relay_state.as_deref(),
        };
        let posted = post_response(browser, self.endpoints, payload, relay_state)?;
        if let Some(dir) = self.save {
            output::save_case(dir, name, payload, &posted.observation.page)?;
        }
        Ok(posted.observation)
    }
}
