//! `samlkit metadata`: publish IdP metadata (EntityDescriptor / IDPSSODescriptor), optionally
//! signed.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::Args;
use samlkit_saml::{
    IdpMetadataParams, SignTarget, SigningProfile, build_idp_metadata, name_id_format_uri,
    sign_document,
};

use crate::error::CliError;
use crate::io::{Credential, load_certificate, load_key, write_public};
use crate::now::{NowArg, parse_rfc3339};

/// Write SAML 2.0 metadata for an identity provider, for service providers to import
///
/// The EntityDescriptor holds one IDPSSODescriptor: a KeyDescriptor use="signing" with the
/// certificate (and a second one with --next-cert, to announce a rotation before it happens),
/// the NameID formats, SingleSignOnService for HTTP-Redirect and HTTP-POST, and optionally
/// SingleLogoutService and validUntil. With --sign --key the document gets an enveloped
/// signature, the first child of the EntityDescriptor; check it with
/// `samlkit verify --metadata --cert CERT FILE`. Same input, same bytes.
///
/// Examples:
///   samlkit cert new --cn idp.example.com --valid-days 730 --out idp-next
///   samlkit metadata --entity-id https://idp.example.com \
///       --sso-url https://idp.example.com/sso --cert fixtures/certs/idp.crt \
///       --next-cert idp-next.crt \
///       --sign --key fixtures/keys/idp.key --out idp-metadata.xml
///   samlkit verify --metadata --cert fixtures/certs/idp.crt idp-metadata.xml
///   samlkit metadata --entity-id https://idp.example.com \
///       --sso-url https://idp.example.com/sso --cert fixtures/certs/idp.crt --valid-days 30
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct MetadataArgs {
    /// The IdP's entity ID (the Issuer of its responses).
    #[arg(long, value_name = "URI")]
    entity_id: String,
    /// Single sign-on URL (published for the HTTP-Redirect and HTTP-POST bindings).
    #[arg(long, value_name = "URL")]
    sso_url: String,
    /// Single logout URL (HTTP-Redirect and HTTP-POST).
    #[arg(long, value_name = "URL")]
    slo_url: Option<String>,
    /// The signing certificate SPs must trust now (PEM or DER).
    #[arg(long, value_name = "CERT")]
    cert: String,
    /// The next signing certificate, published alongside during a rotation.
    #[arg(long, value_name = "CERT")]
    next_cert: Option<String>,
    /// A supported NameID format: email, persistent, transient, unspecified or a URI; repeat
    /// for several [default: email].
    #[arg(long, value_name = "FORMAT")]
    name_id_format: Vec<String>,
    /// validUntil of the metadata, RFC 3339 or a date (midnight UTC); it must lie after --now
    /// (metadata already past its validUntil is refused by every service provider).
    #[arg(long, value_name = "RFC3339", conflicts_with = "valid_days", value_parser = parse_rfc3339)]
    valid_until: Option<DateTime<Utc>>,
    /// validUntil = now + N days.
    #[arg(long, value_name = "N", value_parser = crate::numbers::whole_number, allow_negative_numbers = true)]
    valid_days: Option<u32>,
    /// --valid-days counts from here.
    #[command(flatten)]
    now: NowArg,
    /// Sign the metadata (enveloped signature, exclusive C14N) with --key.
    #[arg(long, requires = "key")]
    sign: bool,
    /// Private key of --cert, for --sign.
    #[arg(long, value_name = "KEY", requires = "sign")]
    key: Option<String>,
    /// Signature algorithm for --sign [default: rsa-sha256, or the EC key's curve].
    #[arg(long, value_name = "ALG", requires = "sign")]
    alg: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<String>,
    /// Replace an existing --out file.
    #[arg(long)]
    force: bool,
}

/// The message without the error's title ("Malformed Input: ").
fn one_line_message(e: &samlkit_saml::SamlError) -> String {
    e.detail().to_string()
}

pub(crate) fn run(args: MetadataArgs) -> Result<ExitCode, CliError> {
    let cert = load_certificate(&args.cert)?;
    crate::io::warn_if_due(&cert, &args.cert, args.now.resolve());
    let mut signing_certs = vec![cert.der().to_vec()];
    if let Some(next) = &args.next_cert {
        let next = load_certificate(next)?;
        if next.der() == cert.der() {
            return Err(CliError::input("--next-cert is the same certificate as --cert"));
        }
        signing_certs.push(next.der().to_vec());
    }
    let formats = if args.name_id_format.is_empty() {
        vec!["email".to_string()]
    } else {
        args.name_id_format.clone()
    };
    let mut name_id_formats = Vec::with_capacity(formats.len());
    for f in &formats {
        name_id_formats.push(name_id_format_uri(f).ok_or_else(|| {
            CliError::input(format!(
                "--name-id-format {f:?} is not email, persistent, transient, unspecified or a URI"
            ))
        })?);
    }
    let now = args.now.resolve();
    let valid_until = match (args.valid_until, args.valid_days) {
        (Some(t), _) if t <= now => {
            return Err(CliError::input(format!(
                "--valid-until {} is not after now ({}): service providers refuse metadata \
                 past its validUntil",
                crate::now::format_rfc3339(t),
                crate::now::format_rfc3339(now)
            )));
        }
        (Some(t), _) => Some(t),
        (None, Some(days)) => Some(crate::now::checked_end(
            now,
            i64::from(days).saturating_mul(86_400),
            "validUntil (--now + --valid-days)",
        )?),
        (None, None) => None,
    };
    let params = IdpMetadataParams {
        entity_id: args.entity_id.clone(),
        sso_url: args.sso_url.clone(),
        slo_url: args.slo_url.clone(),
        signing_certs,
        name_id_formats,
        valid_until,
    };
    params.check().map_err(|e| CliError::input(one_line_message(&e)))?;
    let mut xml = build_idp_metadata(&params);
    if args.sign {
        let key = args.key.as_deref().ok_or_else(|| CliError::input("--sign needs --key"))?;
        // The --cert read above is the one that goes into KeyInfo: no file is read twice.
        let cred = Credential::with_certificates(load_key(key)?, key, vec![cert], &args.cert)?
            .matched()?;
        let signing = cred.signing()?;
        let (method, digest) = cred.algorithms(args.alg.as_deref(), "sha256")?;
        let profile = SigningProfile { target: SignTarget::Response, method, digest };
        xml = sign_document(&xml, &signing, &profile)
            .map_err(|e| CliError::input(crate::error::saml_message(&e)))?;
    }
    match &args.out {
        Some(path) => write_public(Path::new(path), xml.as_bytes(), args.force)?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(xml.as_bytes())
                .and_then(|()| stdout.flush())
                .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
