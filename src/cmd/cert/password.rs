//! Keystore passwords: from an environment variable named on the command line, or typed at the
//! terminal without echo. Never from a plain flag, where it would land in shell history and in
//! every `ps` listing.

use std::io::IsTerminal;

use zeroize::Zeroizing;

use crate::error::CliError;

/// keytool refuses store passwords shorter than this, so an exported keystore must not use one.
pub(crate) const MIN_PASSWORD_CHARS: usize = 6;

/// Whether the password is being chosen (export: checked for length, typed twice) or entered
/// to open an existing keystore (import).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A new keystore.
    New,
    /// An existing keystore.
    Existing,
}

/// Reads the keystore password from `$VAR` when `env_var` is given, else prompts on the terminal.
/// The password is wiped from memory when dropped.
pub(crate) fn read_password(
    env_var: Option<&str>,
    purpose: Purpose,
) -> Result<Zeroizing<String>, CliError> {
    let password = match env_var {
        Some(var) => Zeroizing::new(from_env(var)?),
        None => Zeroizing::new(prompt(purpose)?),
    };
    if purpose == Purpose::New && password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(CliError::input(format!(
            "the keystore password must be at least {MIN_PASSWORD_CHARS} characters (keytool and \
             Salesforce refuse shorter ones)"
        )));
    }
    Ok(password)
}

fn from_env(var: &str) -> Result<String, CliError> {
    match std::env::var(var) {
        Ok(value) if value.is_empty() => {
            Err(CliError::input(format!("--password-env {var}: the variable is empty")))
        }
        Ok(value) => Ok(value),
        Err(std::env::VarError::NotPresent) => Err(CliError::input(format!(
            "--password-env {var}: the variable is not set (export {var}=… first)"
        ))),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(CliError::input(format!("--password-env {var}: the value is not valid UTF-8")))
        }
    }
}

fn prompt(purpose: Purpose) -> Result<String, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::input(
            "no terminal to prompt for the keystore password; pass --password-env VAR naming an \
             environment variable that holds it",
        ));
    }
    let read = |label: &str| {
        rpassword::prompt_password(label).map_err(|e| {
            CliError::input(format!("cannot read the password from the terminal: {e}"))
        })
    };
    let password = read("Keystore password: ")?;
    if purpose == Purpose::New {
        let again = Zeroizing::new(read("Repeat the password: ")?);
        if *again != password {
            return Err(CliError::input("the two passwords differ"));
        }
    }
    if password.is_empty() {
        return Err(CliError::input("empty keystore password"));
    }
    Ok(password)
}
