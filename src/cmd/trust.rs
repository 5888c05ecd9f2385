//! The certificates a verifying command trusts: every certificate of every `--cert` file.

use samlkit_cert::Certificate;

use crate::cmd::cert::{load_certificates, shown};
use crate::error::CliError;

/// Every certificate of every `--cert` file, in order (a file with none is an input error).
/// Several are trusted during a rotation, when the old and the new key both sign.
pub fn load_trusted(paths: &[String]) -> Result<Vec<Certificate>, CliError> {
    let mut trusted = Vec::new();
    for path in paths {
        let certs = load_certificates(path)?;
        if certs.is_empty() {
            return Err(CliError::input(format!("{}: no certificate", shown(path))));
        }
        trusted.extend(certs);
    }
    Ok(trusted)
}
