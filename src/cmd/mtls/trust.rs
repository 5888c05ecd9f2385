//! What `mtls probe` checks the server's certificate against: the `--ca-file` certificates,
//! or else the operating system's trust store, read with rustls-native-certs (on Linux the
//! bundle or directory that openssl-probe finds, e.g. /etc/ssl/certs; `SSL_CERT_FILE` and
//! `SSL_CERT_DIR` replace it, as for OpenSSL).

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;

use crate::error::CliError;
use crate::io::load_trusted;

/// The roots, and how the report names them.
pub(crate) struct Trust {
    pub(crate) roots: RootCertStore,
    /// `--ca-file (1 certificate)` or `system roots (146 certificates, OS store)`.
    pub(crate) source: String,
    /// Whether these are the system roots (the words of a refusal differ).
    pub(crate) system: bool,
}

/// The `--ca-file` certificates when any are given, else the system roots. An empty or
/// unreadable system store is not an error here: the server then fails to validate, which
/// the report says (and `--insecure` continues past).
pub(crate) fn load(ca_files: &[String]) -> Result<Trust, CliError> {
    if !ca_files.is_empty() {
        let trusted = load_trusted(ca_files)?;
        let mut roots = RootCertStore::empty();
        for ca in &trusted {
            roots
                .add(CertificateDer::from(ca.der().to_vec()))
                .map_err(|e| CliError::input(format!("--ca-file {}: {e}", ca.info().subject)))?;
        }
        let source = format!("--ca-file ({} certificate(s))", roots.len());
        return Ok(Trust { roots, source, system: false });
    }
    let found = rustls_native_certs::load_native_certs();
    let mut roots = RootCertStore::empty();
    let (added, _ignored) = roots.add_parsable_certificates(found.certs);
    let overridden: Vec<String> = ["SSL_CERT_FILE", "SSL_CERT_DIR"]
        .into_iter()
        .filter_map(|var| std::env::var(var).ok().map(|value| format!("{var}={value}")))
        .collect();
    let from = if overridden.is_empty() { "OS store".to_string() } else { overridden.join(", ") };
    let mut source = format!("system roots ({added} certificate(s), {from})");
    if let Some(first) = found.errors.first() {
        source.push_str(&format!("; {} could not be read: {first}", found.errors.len()));
    }
    Ok(Trust { roots, source, system: true })
}
