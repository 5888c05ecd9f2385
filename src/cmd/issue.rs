//! `samlkit issue`: build a SAML 2.0 Response with one Assertion and sign it.

use std::io::Write;
use std::process::ExitCode;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Duration, Utc};
use clap::{Args, ValueEnum};
use samlkit_saml::{
    BreakInput, BreakKind, ResponseParams, SignTarget, SigningProfile, attacker_credential,
    build_broken_response, build_response, build_shaped_broken_response, group_attributes,
    name_id_format_uri, post_form,
};

use samlkit_saml::idp::{ResponseShape, build_shaped_response};

use crate::error::CliError;
use crate::io::Credential;
use crate::now::{NowArg, parse_rfc3339};

/// Build a signed SAML 2.0 Response (one Assertion) for a service provider
///
/// The Response carries a bearer subject confirmation (Recipient, NotOnOrAfter, InResponseTo),
/// Conditions with the audience restriction, an AuthnStatement (PasswordProtectedTransport) and
/// an AttributeStatement. IDs come from the system CSPRNG; instants are UTC. The Assertion is
/// signed by default (--target response or both for the other profiles); the result goes to
/// standard output as XML, as the base64 SAMLResponse form value, or as an HTML page that
/// POSTs itself to the service provider.
///
/// For SP test harnesses, the same command with `--break xsw3` (or any KIND from
/// `samlkit issue --break list`) emits a response the SP must reject.
///
/// Examples:
///   samlkit issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com \
///       --audience https://sp.example.com --recipient https://sp.example.com/acs \
///       --attr groups=admins --attr groups=staff > response.xml
///   samlkit issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com \
///       --audience https://sp.example.com --recipient https://sp.example.com/acs \
///       --target both --format html > login.html
///   samlkit issue --break list
#[derive(Args)]
#[command(
    verbatim_doc_comment,
    override_usage = "samlkit issue --key <KEY> --cert <CERT> --issuer <ENTITY> --name-id <VALUE> [OPTIONS]\n       samlkit issue --break list"
)]
pub(crate) struct IssueArgs {
    /// Private key that signs (PKCS#8 or PKCS#1 PEM, or DER).
    #[arg(long, value_name = "KEY", required_unless_present = "break_kind")]
    key: Option<String>,
    /// Certificate of that key, embedded in KeyInfo (PEM or DER).
    #[arg(long, value_name = "CERT", required_unless_present = "break_kind")]
    cert: Option<String>,
    /// Entity ID of the identity provider (the Issuer).
    #[arg(long, value_name = "ENTITY", required_unless_present = "break_kind")]
    issuer: Option<String>,
    /// The subject's NameID value.
    #[arg(long, value_name = "VALUE", required_unless_present = "break_kind")]
    name_id: Option<String>,
    /// NameID format: email, persistent, transient, unspecified or a URI
    /// [default: email when the value contains '@', else unspecified].
    // `[default: …]` is clap's help convention, not a link; rustdoc reads the `@` as a
    // disambiguator.
    #[allow(rustdoc::broken_intra_doc_links)]
    #[arg(long, value_name = "FORMAT")]
    name_id_format: Option<String>,
    /// Audience (the SP entity ID); repeat for several.
    #[arg(long, value_name = "URI")]
    audience: Vec<String>,
    /// The SP's assertion consumer service URL (SubjectConfirmationData Recipient).
    #[arg(long, value_name = "ACS_URL")]
    recipient: Option<String>,
    /// Response Destination [default: the --recipient].
    #[arg(long, value_name = "URL")]
    destination: Option<String>,
    /// ID of the AuthnRequest this answers (SP-initiated login).
    #[arg(long, value_name = "ID")]
    in_response_to: Option<String>,
    /// An attribute value, NAME=VALUE; repeat a NAME for a multi-valued attribute.
    #[arg(long = "attr", value_name = "NAME=VALUE")]
    attrs: Vec<String>,
    /// AuthnStatement SessionIndex [default: a fresh random ID].
    #[arg(long, value_name = "ID")]
    session_index: Option<String>,
    /// Validity in seconds (Conditions and SubjectConfirmationData NotOnOrAfter).
    #[arg(long, value_name = "SECONDS", default_value_t = 300, value_parser = crate::numbers::whole_number, allow_negative_numbers = true)]
    valid_for: u32,
    /// Issue instant (IssueInstant, AuthnInstant, NotBefore), RFC 3339 or a date (midnight UTC)
    /// [default: the clock].
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    now: Option<DateTime<Utc>>,
    /// What to sign: the Assertion, the Response, both, or none (the same flag as
    /// `samlkit sign --target`).
    #[arg(long, value_enum, default_value_t = SignChoice::Assertion, alias = "sign")]
    target: SignChoice,
    /// Signature algorithm: rsa-sha256, rsa-sha384, rsa-sha512 (RSA keys) or ecdsa-sha256,
    /// ecdsa-sha384 (EC keys) [default: rsa-sha256, or the EC key's curve].
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// Digest algorithm: sha256, sha384, sha512.
    #[arg(long, value_name = "DIGEST", default_value = "sha256")]
    digest: String,
    /// Output: the XML, its base64 (the SAMLResponse form value), or an HTML page that POSTs
    /// it to the recipient (an http or https URL) automatically.
    #[arg(long, value_enum, default_value_t = OutputFormat::Xml)]
    format: OutputFormat,
    /// Emit a response a correct service provider must reject, broken in one known way
    /// (signature wrapping xsw1…xsw8, comment-in-nameid, wrong-key, expired, …), built from the
    /// legitimate values given; `--break list` prints every KIND with a description. `--target`
    /// picks what the broken response signs (`none` counts as `assertion`).
    #[arg(long = "break", value_name = "KIND")]
    break_kind: Option<String>,
    /// Shape the response like another IdP's: generic, salesforce, adfs, okta or entra (their
    /// attribute names and NameFormat, and AuthnContextClassRef; `--attr email=…` becomes ADFS's
    /// emailaddress claim URI, `given_name` Okta's firstName, …).
    #[arg(long, value_name = "NAME")]
    shape: Option<String>,
    /// The RelayState the --format html page posts along with the response (the SP's
    /// deep link or state).
    #[arg(long, value_name = "STATE")]
    relay_state: Option<String>,
    /// Write the output to FILE instead of standard output (an existing file needs --force).
    #[arg(long, value_name = "FILE")]
    out: Option<std::path::PathBuf>,
    /// Replace an existing --out file.
    #[arg(long, requires = "out")]
    force: bool,
    #[command(flatten)]
    encryption: crate::encryption::EncryptionArgs,
}

/// `--key`, `--cert`, `--issuer`, `--name-id` are required unless `--break list` is given; clap
/// cannot say "unless equal to", so the check for other `--break` values is here.
fn required<'a>(value: &'a Option<String>, flag: &str) -> Result<&'a str, CliError> {
    value.as_deref().ok_or_else(|| {
        CliError::input(format!("the following required argument was not provided: {flag}"))
    })
}

#[derive(Clone, Copy, ValueEnum)]
enum SignChoice {
    Assertion,
    Response,
    Both,
    None,
}

#[derive(Clone, Copy, ValueEnum)]
enum OutputFormat {
    Xml,
    Base64,
    Html,
}

pub(crate) fn run(args: IssueArgs) -> Result<ExitCode, CliError> {
    if args.relay_state.is_some() && !matches!(args.format, OutputFormat::Html) {
        return Err(CliError::input(
            "--relay-state goes into the --format html page; XML and base64 output carry no RelayState",
        ));
    }
    let break_kind = match args.break_kind.as_deref() {
        Some("list") => return print_break_list(),
        Some(name) => Some(BreakKind::from_name(name).ok_or_else(|| {
            CliError::input(format!(
                "--break {name:?} is not a known kind; `samlkit issue --break list` shows them"
            ))
        })?),
        None => None,
    };
    let (key, cert) = (required(&args.key, "--key <KEY>")?, required(&args.cert, "--cert <CERT>")?);
    let issuer = required(&args.issuer, "--issuer <ENTITY>")?;
    let name_id = required(&args.name_id, "--name-id <VALUE>")?;
    let now = NowArg { now: args.now }.resolve();
    crate::now::checked_end(now, i64::from(args.valid_for), "NotOnOrAfter (--now + --valid-for)")?;
    let cred = Credential::load(key, cert)?;
    let signing = cred.signing()?;
    cred.warn_if_due(now);
    let (method, digest) = cred.algorithms(args.alg.as_deref(), &args.digest)?;
    let format_name = args.name_id_format.clone().unwrap_or_else(|| {
        if name_id.contains('@') { "email".into() } else { "unspecified".into() }
    });
    let name_id_format = name_id_format_uri(&format_name).ok_or_else(|| {
        CliError::input(format!(
            "--name-id-format {format_name:?} is not email, persistent, transient, unspecified or a URI"
        ))
    })?;
    let mut pairs = Vec::with_capacity(args.attrs.len());
    for a in &args.attrs {
        let (name, value) = a
            .split_once('=')
            .filter(|(n, _)| !n.is_empty())
            .ok_or_else(|| CliError::input(format!("--attr {a:?} is not NAME=VALUE")))?;
        pairs.push((name, value));
    }
    let sp_metadata = args.encryption.sp_metadata()?;
    let mut params = ResponseParams {
        issuer: issuer.to_string(),
        name_id: name_id.to_string(),
        name_id_format,
        audiences: args.audience.clone(),
        recipient: args.recipient.clone(),
        destination: args.destination.clone().or_else(|| args.recipient.clone()),
        in_response_to: args.in_response_to.clone(),
        attributes: group_attributes(pairs),
        session_index: args.session_index.clone(),
        issue_instant: now,
        valid_for: Duration::seconds(i64::from(args.valid_for)),
    };
    crate::encryption::EncryptionArgs::fill_from_metadata(sp_metadata.as_ref(), &mut params);
    let shape = match args.shape.as_deref() {
        None => None,
        Some(name) => Some(ResponseShape::by_name(name).ok_or_else(|| {
            CliError::input(format!(
                "--shape {name:?} is not one of {}",
                ResponseShape::names().join(", ")
            ))
        })?),
    };
    let built = match shape {
        None => build_response(&params),
        Some(shape) => build_shaped_response(&params, shape),
    }
    .map_err(|e| CliError::input(crate::error::saml_message(&e)))?;
    let target = match args.target {
        SignChoice::Assertion => Some(SignTarget::Assertion),
        SignChoice::Response => Some(SignTarget::Response),
        SignChoice::Both => Some(SignTarget::Both),
        SignChoice::None => None,
    };
    let xml = match (break_kind, target) {
        (Some(kind), target) => {
            let attacker = attacker_credential()
                .map_err(|e| CliError::input(crate::error::saml_message(&e)))?;
            let sp_encryption = args.encryption.certificate()?;
            let input = BreakInput {
                params: params.clone(),
                ids: built.ids,
                idp: &signing,
                attacker: &attacker,
                profile: SigningProfile {
                    target: target.unwrap_or(SignTarget::Assertion),
                    method,
                    digest,
                },
                sp_encryption: sp_encryption.as_ref(),
            };
            match shape {
                None => build_broken_response(kind, &input),
                Some(shape) => build_shaped_broken_response(kind, &input, shape),
            }
            .map_err(|e| CliError::input(crate::error::saml_message(&e)))?
        }
        (None, target) => args.encryption.sign_and_encrypt(
            &built.xml,
            &signing,
            target.map(|target| SigningProfile { target, method, digest }),
            sp_metadata.as_ref(),
        )?,
    };
    // The duplicate-field kind is a whole form body (two SAMLResponse fields): it is posted as
    // is, so every --format writes it unchanged.
    let form_body = break_kind == Some(BreakKind::DuplicateField);
    let output = match args.format {
        _ if form_body => format!("{xml}\n"),
        OutputFormat::Xml => xml,
        OutputFormat::Base64 => format!("{}\n", STANDARD.encode(xml.as_bytes())),
        OutputFormat::Html => {
            let action = params.destination.as_deref().ok_or_else(|| {
                CliError::input(
                    "--format html needs --recipient or --destination (the form's action)",
                )
            })?;
            post_form(action, &STANDARD.encode(xml.as_bytes()), args.relay_state.as_deref())
                .map_err(|e| CliError::input(crate::error::saml_message(&e)))?
        }
    };
    if let Some(path) = &args.out {
        crate::io::write_public(path, output.as_bytes(), args.force)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(output.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// `--break list`: one kind per line, the name padded, then its description.
fn print_break_list() -> Result<ExitCode, CliError> {
    let width = BreakKind::ALL.iter().map(|k| k.name().len()).max().unwrap_or(0);
    let mut text = String::new();
    for kind in BreakKind::ALL {
        text.push_str(&format!("{:width$}  {}\n", kind.name(), kind.description()));
    }
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))?;
    Ok(ExitCode::SUCCESS)
}
