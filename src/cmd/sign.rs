//! `samlkit sign`: add enveloped signatures to existing SAML documents.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use samlkit_saml::{SignTarget, SigningProfile, sign_document};

use crate::error::CliError;
use crate::io::{Credential, SAML_MESSAGE, read_input, write_public};

/// Sign existing SAML documents with enveloped XML signatures
///
/// Works on a Response (signing its Assertion, itself, or both: --target), and on a bare
/// Assertion, EntityDescriptor, AuthnRequest, LogoutRequest or LogoutResponse (the root is
/// signed). Exclusive C14N, enveloped-signature + exc-c14n transforms, the certificate in
/// KeyInfo, the Signature right after Issuer as the SAML schema requires. Deterministic for RSA
/// keys. One document goes to standard output (or --out FILE); several need --out-dir DIR.
/// A document that is already signed is refused: sign the unsigned original.
///
/// Examples:
///   samlkit issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       --issuer https://idp.example.com --name-id alice@example.com --target none \
///       > unsigned.xml
///   samlkit sign --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt --target both \
///       unsigned.xml > signed.xml
///   samlkit sign --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \
///       fixtures/redirect/authn-request.xml > signed-request.xml
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct SignArgs {
    /// Private key (PKCS#8 or PKCS#1 PEM, or DER).
    #[arg(long, value_name = "KEY")]
    key: String,
    /// Certificate of that key, embedded in KeyInfo.
    #[arg(long, value_name = "CERT")]
    cert: String,
    /// In a Response, what to sign (other documents: the root element). The same flag as
    /// `samlkit issue --target`.
    #[arg(long, value_enum, default_value_t = Target::Assertion)]
    target: Target,
    /// Signature algorithm: rsa-sha256, rsa-sha384, rsa-sha512 (RSA keys) or ecdsa-sha256,
    /// ecdsa-sha384 (EC keys) [default: rsa-sha256, or the EC key's curve].
    #[arg(long, value_name = "ALG")]
    alg: Option<String>,
    /// Digest algorithm: sha256, sha384, sha512.
    #[arg(long, value_name = "DIGEST", default_value = "sha256")]
    digest: String,
    /// Write the signed document here (one input only) instead of standard output.
    #[arg(long, value_name = "FILE", conflicts_with = "out_dir")]
    out: Option<PathBuf>,
    /// Write each signed document to DIR under its file name (replacing an earlier output).
    #[arg(long, value_name = "DIR")]
    out_dir: Option<PathBuf>,
    /// Documents to sign; `-` (the default) is standard input.
    #[arg(value_name = "FILE")]
    files: Vec<String>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Target {
    Assertion,
    Response,
    Both,
}

pub(crate) fn run(args: SignArgs) -> Result<ExitCode, CliError> {
    let files = if args.files.is_empty() { vec!["-".to_string()] } else { args.files.clone() };
    if files.len() > 1 && args.out_dir.is_none() {
        return Err(CliError::input("several input files need --out-dir DIR"));
    }
    if let Some(dir) = &args.out_dir
        && !dir.is_dir()
    {
        return Err(CliError::input(format!("--out-dir {} is not a directory", dir.display())));
    }
    let cred = Credential::load(&args.key, &args.cert)?;
    let signing = cred.signing()?;
    cred.warn_if_due(chrono::Utc::now());
    let (method, digest) = cred.algorithms(args.alg.as_deref(), &args.digest)?;
    let target = match args.target {
        Target::Assertion => SignTarget::Assertion,
        Target::Response => SignTarget::Response,
        Target::Both => SignTarget::Both,
    };
    let profile = SigningProfile { target, method, digest };
    for file in &files {
        let bytes = read_input(file, SAML_MESSAGE)?;
        let xml = String::from_utf8(bytes)
            .map_err(|_| CliError::input(format!("{file}: not UTF-8 XML")))?;
        let signed = sign_document(&xml, &signing, &profile).map_err(|e| {
            CliError::input(crate::error::at_file(file, &crate::error::saml_message(&e)))
        })?;
        match (&args.out_dir, &args.out) {
            (Some(dir), _) => {
                let name = Path::new(file)
                    .file_name()
                    .filter(|_| file != "-")
                    .map(|n| n.to_os_string())
                    .unwrap_or_else(|| "stdin.xml".into());
                write_public(&dir.join(name), signed.as_bytes(), true)?;
            }
            (None, Some(out)) => write_public(out, signed.as_bytes(), true)?,
            (None, None) => {
                let mut stdout = std::io::stdout().lock();
                stdout
                    .write_all(signed.as_bytes())
                    .and_then(|()| stdout.flush())
                    .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
