//! `samlkit redirect sign|verify`: the SAML HTTP-Redirect binding with query-string signatures.

use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use samlkit_cert::SignatureAlgorithm;
use samlkit_saml::redirect::{self, MessageKind};

use crate::error::{CliError, json_failure};
use crate::io::{REDIRECT_MESSAGE, REDIRECT_URL, load_signer, load_trusted, read_input};

/// Build and check signed HTTP-Redirect binding URLs (SAML bindings §3.4).
#[derive(Args)]
#[command(after_help = "\
The message is DEFLATE-compressed, base64-encoded and URL-encoded into SAMLRequest or
SAMLResponse; the signature covers the exact query-string octets
SAMLRequest=…&RelayState=…&SigAlg=… (§3.4.4.1) and travels in the Signature parameter. A service
provider signs its AuthnRequests with its own key; the IdP verifies them with the SP's
certificate.

Examples:
  samlkit cert new --cn sp.example.com --out sp
  URL=$(samlkit redirect sign --key sp.key --destination https://idp.example.com/sso \\
      --saml-request-file fixtures/redirect/authn-request.xml --relay-state /home)
  samlkit redirect verify --cert sp.crt \"$URL\"")]
pub(crate) struct RedirectArgs {
    #[command(subcommand)]
    command: RedirectCommand,
}

#[derive(Subcommand)]
enum RedirectCommand {
    /// Print the signed redirect URL for a SAML request or response.
    #[command(after_help = "\
Prints the URL to send the browser to: --destination with SAMLRequest (or SAMLResponse),
RelayState, SigAlg and Signature appended. The message is read from a file or - (standard
input) and is not otherwise checked: sign what you mean to send. --alg picks rsa-sha256 (the
default), rsa-sha384, rsa-sha512, or ecdsa-sha256/ecdsa-sha384 for EC keys.

Examples:
  samlkit cert new --cn sp.example.com --out sp
  samlkit redirect sign --key sp.key --destination https://idp.example.com/sso \\
      --saml-request-file fixtures/redirect/authn-request.xml --relay-state /home
  samlkit redirect sign --key sp.key --destination https://idp.example.com/slo \\
      --saml-response-file - --alg rsa-sha512 < fixtures/redirect/logout-response.xml")]
    Sign(SignArgs),
    /// Verify a signed redirect URL and print the decoded message (exit 1 if invalid).
    #[command(after_help = "\
The signed octets are rebuilt from the raw query string as received, in the order §3.4.4.1
fixes: values are never decoded and re-encoded, so another implementation's encoding (%2f, +)
verifies and any change to a value does not. Trust comes only from --cert. rsa-sha1 is refused
unless --allow-sha1. Exit 0 valid; 1 unsigned, refused algorithm or bad signature; 2 malformed
URL or message.

Examples:
  samlkit cert new --cn sp.example.com --out sp
  URL=$(samlkit redirect sign --key sp.key --destination https://idp.example.com/sso \\
      --saml-request-file fixtures/redirect/authn-request.xml)
  samlkit redirect verify --cert sp.crt \"$URL\"
  echo \"$URL\" | samlkit redirect verify --cert sp.crt --json -
  samlkit redirect verify --cert fixtures/certs/idp.crt \"$URL\"   # exit 1: another key")]
    Verify(VerifyArgs),
}

/// Signature algorithms for new redirect signatures (SHA-1 is never produced).
#[derive(Clone, Copy, ValueEnum)]
enum AlgArg {
    /// RSA PKCS#1 v1.5 with SHA-256.
    RsaSha256,
    /// RSA PKCS#1 v1.5 with SHA-384.
    RsaSha384,
    /// RSA PKCS#1 v1.5 with SHA-512.
    RsaSha512,
    /// ECDSA P-256 with SHA-256 (for EC P-256 keys).
    EcdsaSha256,
    /// ECDSA P-384 with SHA-384 (for EC P-384 keys).
    EcdsaSha384,
}

impl From<AlgArg> for SignatureAlgorithm {
    fn from(a: AlgArg) -> Self {
        match a {
            AlgArg::RsaSha256 => SignatureAlgorithm::RsaSha256,
            AlgArg::RsaSha384 => SignatureAlgorithm::RsaSha384,
            AlgArg::RsaSha512 => SignatureAlgorithm::RsaSha512,
            AlgArg::EcdsaSha256 => SignatureAlgorithm::EcdsaP256Sha256,
            AlgArg::EcdsaSha384 => SignatureAlgorithm::EcdsaP384Sha384,
        }
    }
}

#[derive(Args)]
#[command(group = clap::ArgGroup::new("message").required(true).multiple(false))]
struct SignArgs {
    /// Private key that signs (PKCS#8 or PKCS#1, PEM or DER).
    #[arg(long, value_name = "KEY")]
    key: String,
    /// Where the browser is sent: the peer's HTTP-Redirect endpoint. An existing query string is
    /// kept and the SAML parameters are appended with &.
    #[arg(long, value_name = "URL")]
    destination: String,
    /// The request to send as SAMLRequest (AuthnRequest, LogoutRequest), or - for stdin.
    #[arg(long, value_name = "FILE", group = "message")]
    saml_request_file: Option<String>,
    /// The response to send as SAMLResponse (LogoutResponse, …), or - for stdin.
    #[arg(long, value_name = "FILE", group = "message")]
    saml_response_file: Option<String>,
    /// Opaque state returned by the peer (at most 80 bytes).
    #[arg(long, value_name = "S")]
    relay_state: Option<String>,
    /// Signature algorithm.
    #[arg(long, value_enum, default_value = "rsa-sha256")]
    alg: AlgArg,
}

#[derive(Args)]
struct VerifyArgs {
    /// A trusted certificate (trust comes only from here). Repeat it, or give a PEM bundle, to
    /// trust several during a rotation (current and next).
    #[arg(long, value_name = "CERT", required = true)]
    cert: Vec<String>,
    /// Accept rsa-sha1 signatures (refused by default: SHA-1 is broken).
    #[arg(long)]
    allow_sha1: bool,
    /// Print the result as one line of JSON (message included).
    #[arg(long)]
    json: bool,
    /// A file holding the URL as the browser requested it (or only its query string), or -
    /// (the default) for standard input. (A URL given here in place of a file name still
    /// works, as before.)
    #[arg(value_name = "FILE", conflicts_with = "url")]
    file: Option<String>,
    /// The URL itself, instead of a file.
    #[arg(long, value_name = "URL")]
    url: Option<String>,
}

/// Runs `samlkit redirect`.
pub(crate) fn run(args: RedirectArgs) -> Result<ExitCode, CliError> {
    match args.command {
        RedirectCommand::Sign(a) => sign(a),
        RedirectCommand::Verify(a) => verify(a),
    }
}

fn sign(args: SignArgs) -> Result<ExitCode, CliError> {
    let signer = load_signer(&args.key)?;
    let (kind, path) = match (&args.saml_request_file, &args.saml_response_file) {
        (Some(path), _) => (MessageKind::Request, path),
        (None, Some(path)) => (MessageKind::Response, path),
        (None, None) => {
            return Err(CliError::input(
                "give --saml-request-file or --saml-response-file (see --help)",
            ));
        }
    };
    let message = read_input(path, REDIRECT_MESSAGE)?;
    check_message(path, &message)?;
    let url = redirect::sign_url(
        &args.destination,
        kind,
        &message,
        args.relay_state.as_deref(),
        args.alg.into(),
        &signer,
    )
    // Nothing is checked here: whatever the library refuses to sign is an input error.
    .map_err(|e| CliError::input(format!("{path}: {}", crate::error::saml_message(&e))))?;
    println!("{url}");
    Ok(ExitCode::SUCCESS)
}

/// A light sanity check so an obviously wrong file (empty, binary, not XML) is caught before it
/// is signed; the message itself is the caller's.
fn check_message(path: &str, message: &[u8]) -> Result<(), CliError> {
    let text = std::str::from_utf8(message).map_err(|_| {
        CliError::input(format!("{path}: not UTF-8 text (expected a SAML XML message)"))
    })?;
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if !text.starts_with('<') {
        return Err(CliError::input(format!(
            "{path}: does not look like XML (expected a SAML message)"
        )));
    }
    if redirect::deflate_and_encode(message).len() > redirect::MAX_URL_BYTES {
        return Err(CliError::input(format!("{path}: too large for a redirect URL")));
    }
    Ok(())
}

fn verify(args: VerifyArgs) -> Result<ExitCode, CliError> {
    let trusted = load_trusted(&args.cert)?;
    let url = crate::io::file_or_literal(
        args.file.as_deref(),
        args.url.as_deref(),
        REDIRECT_URL,
        |arg| {
            arg.contains('?')
                || arg.contains("SAMLRequest=")
                || arg.contains("SAMLResponse=")
                || arg.starts_with("https://")
                || arg.starts_with("http://")
        },
        "--url",
    )?;
    let (verified, index) =
        redirect::verify_url_with_certificates(url.trim(), &trusted, args.allow_sha1)
            .map_err(|e| json_failure(args.json, e.into()))?;
    let cert = &trusted[index];
    let message = String::from_utf8_lossy(&verified.message);
    if args.json {
        // The library's shape, plus which trusted certificate verified.
        let mut out = serde_json::json!({ "valid": true });
        if let (Some(map), Ok(serde_json::Value::Object(fields))) =
            (out.as_object_mut(), serde_json::to_value(&verified))
        {
            map.extend(fields);
            map.insert("cert_sha256".into(), cert.sha256_fingerprint().into());
        }
        println!("{}", crate::shown::json_line(out.to_string()));
    } else {
        println!(
            "valid: {} signed with {} by {} (SHA-256 {})",
            verified.kind.parameter(),
            verified.algorithm,
            cert.info().subject,
            cert.sha256_fingerprint()
        );
        if let Some(rs) = &verified.relay_state {
            println!("RelayState: {rs}");
        }
        println!("{}", message.trim_end());
    }
    Ok(ExitCode::SUCCESS)
}
