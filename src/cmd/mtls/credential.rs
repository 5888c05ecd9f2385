//! The client credential `mtls probe` presents: a PEM chain and key (`--cert`/`--key`), or one
//! entry of a JKS or PKCS#12 keystore (`--keystore`, `--alias`, the global password flags).

use samlkit_cert::{Certificate, PrivateKey, keystore};

use crate::cmd::cert::password::{Purpose, read_password};
use crate::error::CliError;
use crate::io::{KEYSTORE, load_certificates, load_key, read_input, shown_path};

/// A client chain (leaf first) and its key, and where they came from (for the report).
pub(crate) struct ClientCredential {
    pub(crate) chain: Vec<Certificate>,
    pub(crate) key: PrivateKey,
    /// `--cert good.crt` or `--keystore client.jks, alias 'client' (JKS)`.
    pub(crate) source: String,
}

/// From `--cert` and `--key`: the key must be the first certificate's.
pub(crate) fn from_pem(cert: &str, key: &str) -> Result<ClientCredential, CliError> {
    let chain = load_certificates(cert)?;
    let key = load_key(key)?;
    if !chain.first().is_some_and(|leaf| leaf.matches_key(&key)) {
        return Err(CliError::input("the --key does not match the first certificate of --cert"));
    }
    Ok(ClientCredential { chain, key, source: format!("--cert {}", shown_path(cert)) })
}

/// From a keystore: the entry `alias` (or the only key entry), opened with the password of
/// `--password-env`, `--password-file`, `--password-stdin` or the terminal. Every problem is
/// a usage error (exit 2) naming the file: exit 1 is kept for the server's refusal.
pub(crate) fn from_keystore(path: &str, alias: Option<&str>) -> Result<ClientCredential, CliError> {
    let shown = shown_path(path);
    let in_file = |e: samlkit_cert::CertError| CliError::input(format!("{shown}: {e}"));
    let bytes = read_input(path, KEYSTORE)?;
    let format = keystore::detect(&bytes).map_err(in_file)?;
    let password = read_password(Purpose::Existing, "keystore password")?;
    let contents = keystore::read(&bytes, &password).map_err(in_file)?;
    let entry = contents.select(alias).map_err(in_file)?;
    let credential = entry.decode().map_err(in_file)?;
    let leaf = credential.chain.first().ok_or_else(|| {
        CliError::input(format!("{shown}: the entry '{}' holds no certificate", credential.alias))
    })?;
    if !leaf.matches_key(&credential.key) {
        return Err(CliError::input(format!(
            "{shown}: the key of entry '{}' does not match its certificate ({})",
            credential.alias,
            leaf.info().subject
        )));
    }
    let source = format!("--keystore {shown}, alias '{}' ({format})", credential.alias);
    Ok(ClientCredential { chain: credential.chain, key: credential.key, source })
}
