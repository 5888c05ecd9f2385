//! What the verifying commands (`verify`, `jwt verify`, `redirect verify`) share: the
//! certificates they trust, and how a failed check is reported in `--json` mode.

use samlkit_cert::Certificate;

use crate::cmd::cert::{load_certificates, shown};
use crate::error::{CliError, EXIT_CHECK_FAILED, one_line};

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

/// With `--json`, a failed check (exit 1) is also reported on standard output as
/// `{"valid":false,"error":"…"}`, so a script reading the JSON sees every outcome; the one-line
/// `error:` on stderr and the exit code stay as without `--json`.
pub fn json_failure(json: bool, err: CliError) -> CliError {
    if json && err.code == EXIT_CHECK_FAILED {
        println!("{}", serde_json::json!({"valid": false, "error": one_line(&err.message)}));
    }
    err
}
