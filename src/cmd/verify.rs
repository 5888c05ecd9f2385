//! `samlkit verify`: check signed SAML responses against trusted certificates.

mod trust;
mod unchecked;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

use chrono::Duration;
use clap::{Args, ValueEnum};
use samlkit_cert::Certificate;
use samlkit_saml::{
    AttributeValue, CertStatus, ErrorKind, Require, SamlError, VerifiedAssertion, VerifiedMetadata,
    VerifyPolicy, explain_response, format_instant, verify_idp_metadata, verify_response,
};
use serde::Serialize;

use crate::batch::{self, BatchArgs, Input, Progress};
use crate::error::{CliError, one_line};
use crate::io::SAML_MESSAGE;
use crate::now::NowArg;
use unchecked::Given;

/// Verify signed SAML responses against trusted certificates
///
/// Trust comes only from --cert, the signing certificates of --idp-metadata, and
/// --fingerprint pins (a certificate inside the message is trusted only when a pin names its
/// SHA-256 fingerprint). Accepts raw XML, the base64 SAMLResponse form value, a URL-encoded form
/// body (SAMLResponse=…&RelayState=…), the HTML auto-POST page (issue --format html) or
/// deflate+base64. Several files are verified in one run (a directory stands for the *.xml,
/// *.b64 and *.txt files below it; --files-from reads a list), on every CPU (--jobs), with
/// results in input order and a summary line on stderr at the end.
/// Exit status of a batch: 0 if every file is valid; 1 if a file is invalid (a check failed)
/// and none unreadable; 2 if any file could not be read or used as a SAML message — an
/// unreadable file wins over an invalid one.
/// A comment inside NameID, Issuer, Audience or AttributeValue is refused (comment_in_value).
///
/// Audience, Recipient/Destination and Issuer are checked only against the values given with
/// --audience, --recipient and --issuer. Each one not given is named once per run in a
/// `warning: … not checked` line on stderr and in the "unchecked" list of every --json line
/// (a response signed by your IdP for another SP would otherwise pass); --strict makes all
/// three required (exit 2 without them).
/// With --metadata the files are signed IdP metadata (samlkit metadata) instead.
///
/// Examples:
///   samlkit issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com \
///       --audience https://sp.example.com --recipient https://sp.example.com/acs > response.xml
///   samlkit verify --cert fixtures/certs/idp.crt --audience https://sp.example.com \
///       --recipient https://sp.example.com/acs --issuer https://idp.example.com response.xml
///   samlkit verify --cert fixtures/certs/idp.crt --audience https://sp.example.com \
///       --recipient https://sp.example.com/acs --now 2026-11-29T10:01:00Z \
///       --explain fixtures/captured/form-body.txt
///   samlkit verify --cert fixtures/certs/idp.crt --now 2026-11-29T10:01:00Z --json \
///       - < fixtures/captured/saml-response.b64
///   samlkit verify --cert fixtures/certs/attacker.crt response.xml   # exit 1: not trusted
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct VerifyArgs {
    /// A trusted certificate (PEM, DER or bare base64); repeat for several (e.g. during a
    /// rollover).
    #[arg(long = "cert", value_name = "CERT", required_unless_present_any = ["idp_metadata", "fingerprint"])]
    certs: Vec<String>,
    /// Trust the signing certificates of this IdP metadata (KeyDescriptor use="signing" or no
    /// use). Its own signature is checked when --metadata-cert is given.
    #[arg(long, value_name = "FILE", conflicts_with = "metadata")]
    idp_metadata: Option<String>,
    /// The certificate the --idp-metadata file must be signed with; repeat for several.
    #[arg(long, value_name = "CERT", requires = "idp_metadata")]
    metadata_cert: Vec<String>,
    /// Trust the certificate in the signature's KeyInfo only if its SHA-256 fingerprint is
    /// this one (sha256:AB:CD:…, case and colons do not matter); repeat for several.
    #[arg(long, value_name = "sha256:HEX", conflicts_with = "metadata")]
    fingerprint: Vec<String>,
    /// The audience (your SP entity ID) every AudienceRestriction must name.
    #[arg(long, value_name = "URI")]
    audience: Option<String>,
    /// Your assertion consumer service URL (Recipient and Destination must match).
    #[arg(long, value_name = "URL")]
    recipient: Option<String>,
    /// The expected IdP entity ID (Issuer).
    #[arg(long, value_name = "ENTITY")]
    issuer: Option<String>,
    /// The ID of the AuthnRequest this must answer.
    #[arg(long, value_name = "ID")]
    in_response_to: Option<String>,
    #[command(flatten)]
    now: NowArg,
    /// Allowed clock skew for time conditions.
    #[arg(long, value_name = "SECONDS", default_value_t = 180, value_parser = crate::numbers::whole_number, allow_negative_numbers = true)]
    skew: u32,
    /// Which signature must be present: the Response's, the Assertion's, both, or any (either
    /// or both).
    #[arg(long, value_enum, default_value_t = RequireArg::Any)]
    require: RequireArg,
    /// Accept SHA-1 signatures and digests (legacy IdPs only).
    #[arg(long)]
    allow_sha1: bool,
    /// Accept a signed saml:Assertion on its own, without a samlp:Response around it (the Web
    /// Browser SSO profile always sends a Response).
    #[arg(long)]
    allow_bare_assertion: bool,
    /// Accept signatures by RSA keys of 1024 to 2047 bits (legacy IdPs only); without it such
    /// a signature is refused as key_too_small, whatever the hash. SHA-1 also needs --allow-sha1.
    #[arg(long, conflicts_with = "metadata")]
    allow_rsa1024: bool,
    /// Require --audience, --recipient and --issuer: without all three, verify nothing and
    /// exit 2 instead of warning that a binding goes unchecked.
    #[arg(long)]
    strict: bool,
    /// One JSON object per file, one per line.
    #[arg(long, conflicts_with = "explain")]
    json: bool,
    /// Print every step: decoding, profile, digests, signature, certificate, each condition.
    #[arg(long)]
    explain: bool,
    /// The files are signed IdP metadata (md:EntityDescriptor), not responses: check the
    /// signature over the whole EntityDescriptor against --cert and validUntil against --now,
    /// and report the entity ID, endpoints and published signing certificates. Explicit on
    /// purpose: signed metadata is public, so a response verifier must never accept it.
    #[arg(long, conflicts_with_all = ["audience", "recipient", "issuer", "in_response_to", "require", "explain", "strict"])]
    metadata: bool,
    #[command(flatten)]
    batch: BatchArgs,
    /// Responses to verify; `-` (the default) is standard input; a directory stands for the
    /// *.xml, *.b64 and *.txt files below it.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
    #[command(flatten)]
    decryption: crate::encryption::DecryptionArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum RequireArg {
    Response,
    Assertion,
    Any,
    Both,
}

/// The library policy for the flags given: each binding is checked when its flag is given, and
/// InResponseTo when `--in-response-to` is.
fn policy<'c>(
    args: &VerifyArgs,
    trusted: &'c [Certificate],
    now: chrono::DateTime<chrono::Utc>,
) -> VerifyPolicy<'c> {
    let mut policy = VerifyPolicy::without_binding_checks(trusted, now)
        .skew(Duration::seconds(i64::from(args.skew)))
        .require(match args.require {
            RequireArg::Response => Require::Response,
            RequireArg::Assertion => Require::Assertion,
            RequireArg::Any => Require::Any,
            RequireArg::Both => Require::Both,
        });
    if args.allow_bare_assertion {
        policy = policy.allow_bare_assertion();
    }
    if args.strict {
        policy = policy.refuse_expired_certificates();
    }
    if let Some(audience) = &args.audience {
        policy = policy.audience(audience.clone());
    }
    if let Some(recipient) = &args.recipient {
        policy = policy.recipient(recipient.clone());
    }
    if let Some(issuer) = &args.issuer {
        policy = policy.issuer(issuer.clone());
    }
    if let Some(id) = &args.in_response_to {
        policy = policy.in_response_to([id.clone()]);
    }
    if args.allow_sha1 {
        policy = policy.allow_insecure_sha1();
    }
    if args.allow_rsa1024 {
        policy = policy.allow_insecure_rsa1024();
    }
    policy
}

pub(crate) fn run(args: VerifyArgs) -> Result<ExitCode, CliError> {
    let unchecked = unchecked::unchecked(&Given {
        audience: args.audience.is_some(),
        recipient: args.recipient.is_some(),
        issuer: args.issuer.is_some(),
    });
    if args.strict {
        unchecked::require_all(&unchecked)?;
    }
    let now = args.now.resolve();
    let trust = trust::Trust::load(
        &trust::TrustArgs {
            certs: &args.certs,
            idp_metadata: args.idp_metadata.as_deref(),
            metadata_certs: &args.metadata_cert,
            fingerprints: &args.fingerprint,
        },
        now,
    )?;
    let trusted = trust.certificates.clone();
    let decryption_keys = args.decryption.load()?;
    let inputs = batch::inputs(&args.files, args.batch.files_from.as_deref())?;
    if args.metadata {
        return run_metadata(&inputs, &trusted, now, args.allow_sha1, args.json, &args.batch);
    }
    // Once per run, before any result: what every result below leaves unchecked.
    for binding in &unchecked {
        eprintln!("{}", unchecked::warning(binding));
    }
    let unchecked: Vec<&'static str> = unchecked.iter().map(|b| b.name).collect();
    batch::announce_stdin(&inputs, "a SAMLResponse");
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut tally = Tally::default();
    let mut replays = Replays::for_files(inputs.len());
    let mut progress = Progress::new(inputs.len(), "verifying");
    let flush_each = progress.on_terminal();
    let quiet = args.batch.quiet;
    let buffers = Buffers::default();
    let rendering = Rendering { json: args.json, quiet };
    // On the workers: everything that depends on one file only, down to the text shown for a
    // file that passes. Rendering it where the result was allocated leaves the reporting
    // thread no allocation of a worker's to free (only a reused buffer to hand back): glibc's
    // malloc makes a thread that frees another's allocations contend for that one's arena lock.
    let verify_one = |input: &Input| {
        let (steps, outcome) = match input.read(SAML_MESSAGE) {
            Ok(bytes) => match trust.for_message(&bytes) {
                Ok(file_trust) => {
                    let policy =
                        args.decryption.apply(policy(&args, &file_trust, now), &decryption_keys);
                    if args.explain {
                        let (steps, outcome) = explain_response(&bytes, &policy).into_parts();
                        (steps, outcome.map_err(Failure::from))
                    } else {
                        (Vec::new(), verify_response(&bytes, &policy).map_err(Failure::from))
                    }
                }
                Err(e) => (Vec::new(), Err(Failure::from(e))),
            },
            Err(e) => (Vec::new(), Err(Failure::unreadable(e))),
        };
        let outcome =
            outcome.map(|v| Passed::render(&input.path, &v, &trusted, &rendering, &buffers));
        (steps, outcome)
    };
    // In input order: the replay check (it depends on the files before) and the output.
    let report = |input: &Input, (steps, outcome): (Vec<String>, Result<Passed, Failure>)| {
        let file = input.path.as_str();
        let outcome = outcome.and_then(|p| replays.accept(file, p.assertion_id).map(|()| p.shown));
        if let Ok(Shown { cert_warning: Some(warning), .. }) = &outcome {
            let _ = out.flush();
            eprintln!("{warning}");
        }
        tally.add(exit_code(&outcome));
        let written = if quiet && outcome.is_ok() {
            Ok(())
        } else if args.json {
            match &outcome {
                Ok(shown) => out.write_all(&shown.output),
                Err(f) => writeln!(out, "{}", json_line_failed(file, f, &unchecked)),
            }
        } else {
            if args.explain {
                let _ = writeln!(out, "{file}:");
                for (i, step) in steps.iter().enumerate() {
                    let _ = writeln!(out, "  {}. {step}", i + 1);
                }
            }
            match &outcome {
                Ok(shown) => out.write_all(&shown.output),
                Err(f) => {
                    report_failure(&mut out, file, f);
                    Ok(())
                }
            }
        };
        if let Ok(shown) = outcome {
            buffers.give_back(shown.output);
        }
        written.and_then(|()| if flush_each { out.flush() } else { Ok(()) }).map_err(stdout_failed)
    };
    batch::run_ordered(
        &inputs,
        args.batch.jobs_for(inputs.len()),
        &mut progress,
        verify_one,
        report,
    )?;
    out.flush().map_err(stdout_failed)?;
    progress.finish();
    if !args.json && !quiet && inputs.len() > 1 {
        eprintln!("{}", tally.summary("valid"));
    }
    Ok(ExitCode::from(tally.worst()))
}

/// How many files passed, failed a check (exit 1) and could not be used (exit 2).
#[derive(Default)]
struct Tally {
    by_code: [usize; 3],
}

impl Tally {
    fn add(&mut self, code: u8) {
        self.by_code[usize::from(code.min(2))] += 1;
    }

    /// The exit status of the run: the worst file's (2 beats 1 beats 0).
    fn worst(&self) -> u8 {
        (0..3u8).rev().find(|c| self.by_code[usize::from(*c)] > 0).unwrap_or(0)
    }

    /// `3 files: 1 valid, 1 invalid, 1 unreadable`.
    fn summary(&self, passed: &str) -> String {
        let [ok, invalid, unreadable] = self.by_code;
        batch::summary(
            ok + invalid + unreadable,
            &[(ok, passed), (invalid, "invalid"), (unreadable, "unreadable")],
        )
    }
}

/// Why one file did not verify: the error (its message and exit code) and the `error_code`
/// reported in `--json`.
struct Failure {
    error: CliError,
    code: &'static str,
}

impl Failure {
    /// The file could not be read at all.
    fn unreadable(error: CliError) -> Self {
        Failure { error, code: "unreadable_file" }
    }

    fn message(&self) -> &str {
        &self.error.message
    }
}

impl From<SamlError> for Failure {
    fn from(e: SamlError) -> Self {
        Failure { code: e.code(), error: CliError::from(e) }
    }
}

/// The Assertion IDs accepted so far in this run: the same assertion twice is a replay (and a
/// OneTimeUse assertion may be used once), so the second is refused. A caller that verifies
/// across runs keeps its own cache from the `assertion_id` field of `--json`.
struct Replays {
    seen: std::collections::HashMap<String, String>,
}

impl Replays {
    /// Room for one Assertion per file from the start: the keyed (SipHash) map is not grown
    /// and rehashed as a batch goes. The IDs come from signed documents, but an attacker may
    /// still own a trusted key, so the hash stays one that resists chosen collisions.
    fn for_files(files: usize) -> Self {
        Replays { seen: std::collections::HashMap::with_capacity(files) }
    }

    /// One hash per file (the entry), not a look-up and then an insertion.
    fn accept(&mut self, file: &str, assertion_id: String) -> Result<(), Failure> {
        use std::collections::hash_map::Entry;
        match self.seen.entry(assertion_id) {
            Entry::Occupied(first) => Err(Failure::from(SamlError::new(
                ErrorKind::Replayed,
                format!(
                    "the Assertion {:?} was already accepted in this run (from {})",
                    first.key(),
                    first.get()
                ),
            ))),
            Entry::Vacant(slot) => {
                slot.insert(file.to_string());
                Ok(())
            }
        }
    }
}

/// How a passing file is shown: the flags that decide it.
struct Rendering {
    json: bool,
    quiet: bool,
}

/// The output buffers of the files being verified, reused: the reporting thread hands each
/// back once written instead of freeing it (with glibc's malloc, a thread freeing another's
/// allocation contends for that thread's arena lock).
#[derive(Default)]
struct Buffers(std::sync::Mutex<Vec<Vec<u8>>>);

impl Buffers {
    /// An empty buffer, reused when one is free.
    fn take(&self) -> Vec<u8> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).pop().unwrap_or_default()
    }

    /// Keeps `buffer` for the next file.
    fn give_back(&self, mut buffer: Vec<u8>) {
        buffer.clear();
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(buffer);
    }
}

/// A file that verified, as its worker leaves it for the reporting thread.
struct Passed {
    /// Its Assertion ID, for the replay check.
    assertion_id: String,
    shown: Shown,
}

/// What is printed for a file that passed (unless the replay check refuses it).
struct Shown {
    /// The `warning:` line about the trusted certificate that verified, if any.
    cert_warning: Option<String>,
    /// Its result on stdout: the `--json` line or the human-readable lines (none with
    /// `--quiet`).
    output: Vec<u8>,
}

impl Passed {
    fn render(
        file: &str,
        v: &VerifiedAssertion,
        trusted: &[Certificate],
        how: &Rendering,
        buffers: &Buffers,
    ) -> Passed {
        let mut output = buffers.take();
        if !how.quiet {
            if how.json {
                output.extend_from_slice(json_line_passed(file, v).as_bytes());
                output.push(b'\n');
            } else {
                // Writing into a Vec cannot fail.
                let _ = write_human(&mut output, file, v);
            }
        }
        Passed {
            assertion_id: v.assertion_id().to_string(),
            shown: Shown { cert_warning: certificate_warning(file, v, trusted), output },
        }
    }
}

/// A `warning:` line when the trusted certificate that verified is outside its validity period
/// (`--strict` refuses instead): the IdP is signing with a certificate it should have rotated.
fn certificate_warning(
    file: &str,
    v: &VerifiedAssertion,
    trusted: &[Certificate],
) -> Option<String> {
    if v.cert_status() == CertStatus::Ok {
        return None;
    }
    let info = trusted.get(v.cert_index())?.info();
    let when = match v.cert_status() {
        CertStatus::NotYetValid => {
            format!("is not valid before {}", format_instant(info.not_before))
        }
        _ => format!("expired on {}", format_instant(info.not_after)),
    };
    Some(format!(
        "warning: {file}: the trusted certificate {} (SHA-256 {}) {when}; --strict refuses it",
        shown(&info.subject.to_string()),
        v.cert_sha256()
    ))
}

/// The exit status one file contributes (the worst over all files is the command's).
fn exit_code<T>(outcome: &Result<T, Failure>) -> u8 {
    match outcome {
        Ok(_) => 0,
        Err(f) => f.error.code,
    }
}

/// A failed file in human mode: its `error:` line on stderr, after flushing what stdout holds so
/// the two streams stay in file order.
fn report_failure(out: &mut impl Write, file: &str, failure: &Failure) {
    let _ = out.flush();
    let message = crate::error::at_file(file, &one_line(failure.message()));
    eprintln!("error: {}", shown(&message));
}

fn stdout_failed(e: std::io::Error) -> CliError {
    CliError::input(format!("cannot write standard output: {e}"))
}

/// One `--json` line: what the command adds (`file`, `valid`, `error`, `error_code`), then the
/// library's [`VerifiedAssertion`] fields in the SPEC's order (new fields go last, so no field
/// ever moves). A failed file has the same fields, empty.
#[derive(Serialize)]
struct JsonLine<'r, B: Serialize> {
    file: &'r str,
    valid: bool,
    error: Option<String>,
    error_code: Option<&'static str>,
    #[serde(flatten)]
    body: B,
}

/// The fields of a [`VerifiedAssertion`] for a file that did not verify.
#[derive(Serialize)]
struct FailedBody<'r> {
    signed: [&'static str; 0],
    cert_sha256: Option<&'r str>,
    issuer: Option<&'r str>,
    name_id: Option<&'r str>,
    name_id_format: Option<&'r str>,
    session_index: Option<&'r str>,
    audiences: [&'static str; 0],
    recipient: Option<&'r str>,
    not_before: Option<&'r str>,
    not_on_or_after: Option<&'r str>,
    attributes: std::collections::BTreeMap<&'r str, &'r str>,
    assertion_id: Option<&'r str>,
    response_id: Option<&'r str>,
    issue_instant: Option<&'r str>,
    in_response_to: Option<&'r str>,
    authn_instant: Option<&'r str>,
    session_not_on_or_after: Option<&'r str>,
    attributes_xml: std::collections::BTreeMap<&'r str, &'r str>,
    cert_status: Option<&'r str>,
    one_time_use: Option<bool>,
    proxy_restriction: Option<&'r str>,
    encrypted: Option<bool>,
    encryption: Option<&'r str>,
    /// The bindings this run did not check (`audience`, `recipient`, `issuer`).
    unchecked: &'r [&'static str],
}

/// The `--json` line of a file that passed (its `unchecked` list comes with the assertion).
fn json_line_passed(file: &str, v: &VerifiedAssertion) -> String {
    json_line(serde_json::to_string(&JsonLine {
        file,
        valid: true,
        error: None,
        error_code: None,
        body: v,
    }))
}

/// The `--json` line of a file that did not verify: the same fields, empty.
fn json_line_failed(file: &str, f: &Failure, unchecked: &[&'static str]) -> String {
    json_line(serde_json::to_string(&JsonLine {
        file,
        valid: false,
        error: Some(one_line(f.message())),
        error_code: Some(f.code),
        body: FailedBody {
            signed: [],
            cert_sha256: None,
            issuer: None,
            name_id: None,
            name_id_format: None,
            session_index: None,
            audiences: [],
            recipient: None,
            not_before: None,
            not_on_or_after: None,
            attributes: std::collections::BTreeMap::new(),
            assertion_id: None,
            response_id: None,
            issue_instant: None,
            in_response_to: None,
            authn_instant: None,
            session_not_on_or_after: None,
            attributes_xml: std::collections::BTreeMap::new(),
            cert_status: None,
            one_time_use: None,
            proxy_restriction: None,
            encrypted: None,
            encryption: None,
            unchecked,
        },
    }))
}

fn json_line(line: serde_json::Result<String>) -> String {
    crate::shown::json_line(line.unwrap_or_else(|e| format!("{{\"file\":null,\"error\":\"{e}\"}}")))
}

fn shown(value: &str) -> std::borrow::Cow<'_, str> {
    crate::shown::terminal(value)
}

fn write_human(out: &mut impl Write, file: &str, v: &VerifiedAssertion) -> std::io::Result<()> {
    let signed: Vec<&str> = v.signed().iter().map(|s| s.name()).collect();
    writeln!(out, "{}: valid", shown(file))?;
    writeln!(out, "  signed:          {}", signed.join(", "))?;
    writeln!(out, "  certificate:     SHA-256 {}", v.cert_sha256())?;
    writeln!(out, "  issuer:          {}", shown(v.issuer()))?;
    match v.name_id_format() {
        Some(f) => writeln!(out, "  name_id:         {} ({})", shown(v.name_id()), shown(f))?,
        None => writeln!(out, "  name_id:         {}", shown(v.name_id()))?,
    }
    if let Some(s) = v.session_index() {
        writeln!(out, "  session_index:   {}", shown(s))?;
    }
    // One line per value, so that one value "staff, admins" never reads like two.
    for audience in v.audiences() {
        writeln!(out, "  audiences:       {}", shown(audience))?;
    }
    if let Some(r) = v.recipient() {
        writeln!(out, "  recipient:       {}", shown(r))?;
    }
    if let Some(t) = v.not_before() {
        writeln!(out, "  not_before:      {}", format_instant(t))?;
    }
    if let Some(t) = v.not_on_or_after() {
        writeln!(out, "  not_on_or_after: {}", format_instant(t))?;
    }
    crate::encryption::write_human(out, v)?;
    for (name, values) in v.attributes() {
        for value in values {
            match value {
                AttributeValue::Text(text) => {
                    writeln!(out, "  attribute:       {} = {}", shown(name), shown(text))?
                }
                AttributeValue::Nil => writeln!(out, "  attribute:       {} is nil", shown(name))?,
                AttributeValue::Xml(xml) => {
                    writeln!(out, "  attribute:       {} holds XML {}", shown(name), shown(xml))?
                }
            }
        }
    }
    Ok(())
}

/// `verify --metadata`: one result per file, like responses.
fn run_metadata(
    inputs: &[Input],
    trusted: &[Certificate],
    now: chrono::DateTime<chrono::Utc>,
    allow_sha1: bool,
    json: bool,
    batch_args: &BatchArgs,
) -> Result<ExitCode, CliError> {
    batch::announce_stdin(inputs, "signed metadata");
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut tally = Tally::default();
    let mut progress = Progress::new(inputs.len(), "verifying");
    let flush_each = progress.on_terminal();
    let quiet = batch_args.quiet;
    let verify_one = |input: &Input| match input.read(SAML_MESSAGE) {
        Ok(bytes) => verify_idp_metadata(&bytes, trusted, now, allow_sha1).map_err(Failure::from),
        Err(e) => Err(Failure::unreadable(e)),
    };
    let report = |input: &Input, outcome: Result<VerifiedMetadata, Failure>| {
        let file = input.path.as_str();
        tally.add(exit_code(&outcome));
        let written = match (&outcome, json) {
            (Ok(_), _) if quiet => Ok(()),
            (_, true) => writeln!(out, "{}", metadata_json_line(file, &outcome)),
            (Ok(m), false) => write_metadata_human(&mut out, file, m),
            (Err(f), false) => {
                report_failure(&mut out, file, f);
                Ok(())
            }
        };
        written.and_then(|()| if flush_each { out.flush() } else { Ok(()) }).map_err(stdout_failed)
    };
    batch::run_ordered(
        inputs,
        batch_args.jobs_for(inputs.len()),
        &mut progress,
        verify_one,
        report,
    )?;
    out.flush().map_err(stdout_failed)?;
    progress.finish();
    if !json && !quiet && inputs.len() > 1 {
        eprintln!("{}", tally.summary("valid"));
    }
    Ok(ExitCode::from(tally.worst()))
}

/// A published signing certificate in `--metadata --json`.
#[derive(Serialize)]
struct JsonCert {
    subject: String,
    not_after: String,
    sha256: String,
}

#[derive(Serialize)]
struct JsonEndpoint<'m> {
    binding: &'m str,
    location: &'m str,
}

/// One `verify --metadata --json` line.
#[derive(Serialize)]
struct JsonMetadata<'m> {
    file: &'m str,
    valid: bool,
    error: Option<String>,
    error_code: Option<&'static str>,
    cert_sha256: Option<&'m str>,
    entity_id: Option<&'m str>,
    valid_until: Option<String>,
    signing_certs: Vec<JsonCert>,
    sso: Vec<JsonEndpoint<'m>>,
    slo: Vec<JsonEndpoint<'m>>,
    name_id_formats: &'m [String],
}

fn endpoints(list: &[samlkit_saml::Endpoint]) -> Vec<JsonEndpoint<'_>> {
    list.iter().map(|e| JsonEndpoint { binding: &e.binding, location: &e.location }).collect()
}

fn metadata_json_line(file: &str, outcome: &Result<VerifiedMetadata, Failure>) -> String {
    let line = match outcome {
        Ok(m) => JsonMetadata {
            file,
            valid: true,
            error: None,
            error_code: None,
            cert_sha256: Some(&m.cert_sha256),
            entity_id: Some(&m.entity_id),
            valid_until: m.valid_until.map(format_instant),
            signing_certs: m
                .signing_certs
                .iter()
                .map(|c| JsonCert {
                    subject: c.info().subject.to_string(),
                    not_after: format_instant(c.info().not_after),
                    sha256: c.sha256_fingerprint(),
                })
                .collect(),
            sso: endpoints(&m.sso),
            slo: endpoints(&m.slo),
            name_id_formats: &m.name_id_formats,
        },
        Err(f) => JsonMetadata {
            file,
            valid: false,
            error: Some(one_line(f.message())),
            error_code: Some(f.code),
            cert_sha256: None,
            entity_id: None,
            valid_until: None,
            signing_certs: Vec::new(),
            sso: Vec::new(),
            slo: Vec::new(),
            name_id_formats: &[],
        },
    };
    crate::shown::json_line(
        serde_json::to_string(&line)
            .unwrap_or_else(|e| format!("{{\"file\":null,\"error\":\"{e}\"}}")),
    )
}

fn write_metadata_human(
    out: &mut impl Write,
    file: &str,
    m: &VerifiedMetadata,
) -> std::io::Result<()> {
    writeln!(out, "{file}: valid metadata")?;
    writeln!(out, "  entity_id:       {}", shown(&m.entity_id))?;
    writeln!(out, "  certificate:     SHA-256 {}", m.cert_sha256)?;
    if let Some(t) = m.valid_until {
        writeln!(out, "  valid_until:     {}", format_instant(t))?;
    }
    for c in &m.signing_certs {
        writeln!(
            out,
            "  signing_cert:    {} (not after {}) SHA-256 {}",
            shown(&c.info().subject.to_string()),
            format_instant(c.info().not_after),
            c.sha256_fingerprint()
        )?;
    }
    for e in &m.sso {
        writeln!(out, "  sso:             {} {}", shown(&e.location), shown(&e.binding))?;
    }
    for e in &m.slo {
        writeln!(out, "  slo:             {} {}", shown(&e.location), shown(&e.binding))?;
    }
    for f in &m.name_id_formats {
        writeln!(out, "  name_id_format:  {}", shown(f))?;
    }
    Ok(())
}
