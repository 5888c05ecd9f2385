//! Pieces shared by `issue`, `sign` and `verify`: loading credentials, the clock, algorithm names.

use samlkit_cert::Certificate;
use samlkit_dsig::{DigestMethod, SignatureMethod};
use samlkit_saml::{ErrorKind, SigningCredential};

use crate::cmd::cert::{load_certificates, load_key};
use crate::error::CliError;

/// Loads `--key` and `--cert`; the credential refuses a pair that does not belong together.
pub fn load_credential(key_path: &str, cert_path: &str) -> Result<SigningCredential, CliError> {
    let key = load_key(key_path)?;
    let cert = load_certificate(cert_path)?;
    SigningCredential::new(&key, cert).map_err(|e| match e.kind() {
        ErrorKind::KeyMismatch => CliError::input(format!(
            "the certificate {cert_path} does not belong to the private key {key_path}"
        )),
        _ => CliError::input(format!("cannot use private key {key_path}: {}", e.detail())),
    })
}

/// Loads the first certificate of a PEM or DER file (`load_certificates` refuses a file with
/// none, so the fallback error is only a guard).
pub fn load_certificate(path: &str) -> Result<Certificate, CliError> {
    load_certificates(path)?
        .into_iter()
        .next()
        .ok_or_else(|| CliError::input(format!("{path}: no certificate")))
}

/// `--alg` (default: rsa-sha256 for RSA keys, the curve's ECDSA for EC keys) and `--digest`.
pub fn algorithms(
    alg: Option<&str>,
    digest: &str,
    cred: &SigningCredential,
) -> Result<(SignatureMethod, DigestMethod), CliError> {
    let key_alg = cred.key_algorithm();
    let method = match alg {
        None => SignatureMethod::default_for_key(key_alg),
        Some(name) => SignatureMethod::from_name(name).ok_or_else(|| {
            CliError::input(format!(
                "--alg {name:?} is not one of rsa-sha256, rsa-sha384, rsa-sha512, ecdsa-sha256, ecdsa-sha384"
            ))
        })?,
    };
    if method.for_key(key_alg).is_none() {
        return Err(CliError::input(format!(
            "--alg {} does not fit the key ({key_alg:?})",
            method.name()
        )));
    }
    let digest = match digest {
        "sha256" => DigestMethod::Sha256,
        "sha384" => DigestMethod::Sha384,
        "sha512" => DigestMethod::Sha512,
        other => {
            return Err(CliError::input(format!(
                "--digest {other:?} is not one of sha256, sha384, sha512"
            )));
        }
    };
    Ok((method, digest))
}
