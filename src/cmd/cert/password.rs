//! Passwords of keystores and encrypted private keys: from an environment variable named on the
//! command line (`--password-env`), a file (`--password-file`, its first line), standard input
//! (`--password-stdin`, its first line), or typed at the terminal without echo. Never from a
//! plain flag, where it would land in shell history and in every `ps` listing. The three flags
//! are global: every command that reads a key or a keystore takes them.

use std::io::{BufRead, IsTerminal};
use std::sync::OnceLock;

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

/// Where passwords come from: the global `--password-env`, `--password-file` and
/// `--password-stdin` flags.
#[derive(clap::Args, Clone, Default)]
pub(crate) struct PasswordArgs {
    /// The password of an encrypted private key or a keystore is in this environment variable.
    #[arg(long, value_name = "VAR", global = true)]
    password_env: Option<String>,
    /// The password is the first line of FILE (for CI secrets mounted as files).
    #[arg(long, value_name = "FILE", global = true, conflicts_with = "password_env")]
    password_file: Option<String>,
    /// The password is the first line of standard input.
    #[arg(long, global = true, conflicts_with_all = ["password_env", "password_file"])]
    password_stdin: bool,
}

static SOURCE: OnceLock<PasswordArgs> = OnceLock::new();

/// Records the password flags of this run (called once by `main`).
pub(crate) fn set_source(args: PasswordArgs) {
    let _ = SOURCE.set(args);
}

/// Reads a password from the source the flags name, else prompts on the terminal with
/// `what` (`keystore password`). The password is wiped from memory when dropped.
pub(crate) fn read_password(purpose: Purpose, what: &str) -> Result<Zeroizing<String>, CliError> {
    let source = SOURCE.get().cloned().unwrap_or_default();
    let password = if let Some(var) = &source.password_env {
        Zeroizing::new(from_env(var)?)
    } else if let Some(file) = &source.password_file {
        let bytes = Zeroizing::new(crate::io::read_input(file, crate::io::CREDENTIAL)?);
        first_line(&bytes, &format!("--password-file {file}"))?
    } else if source.password_stdin {
        let mut line = Zeroizing::new(String::new());
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::input(format!("--password-stdin: cannot read: {e}")))?;
        first_line(line.as_bytes(), "--password-stdin")?
    } else {
        Zeroizing::new(prompt(purpose, what)?)
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

/// The first line of `bytes`, without its line end; an empty one is refused.
fn first_line(bytes: &[u8], what: &str) -> Result<Zeroizing<String>, CliError> {
    let text = std::str::from_utf8(bytes)
        .map_err(|_| CliError::input(format!("{what}: the password is not UTF-8 text")))?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    if line.is_empty() {
        return Err(CliError::input(format!("{what}: the password is empty")));
    }
    Ok(Zeroizing::new(line.to_string()))
}

fn prompt(purpose: Purpose, what: &str) -> Result<String, CliError> {
    if !std::io::stdin().is_terminal() {
        return Err(CliError::input(format!(
            "no terminal to prompt for the {what}; pass --password-env VAR naming an environment \
             variable that holds it (or --password-file FILE, or --password-stdin)"
        )));
    }
    let read = |label: &str| {
        rpassword::prompt_password(label).map_err(|e| {
            CliError::input(format!("cannot read the password from the terminal: {e}"))
        })
    };
    let password = read(&format!(
        "{}{}: ",
        what.get(..1).unwrap_or("").to_uppercase(),
        what.get(1..).unwrap_or("")
    ))?;
    if purpose == Purpose::New {
        let again = Zeroizing::new(read("Repeat the password: ")?);
        if *again != password {
            return Err(CliError::input("the two passwords differ"));
        }
    }
    if password.is_empty() {
        return Err(CliError::input("empty password"));
    }
    Ok(password)
}
