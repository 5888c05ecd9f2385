//! How the CLI turns failures into one `error: …` line on stderr and an exit code.

use std::fmt;
use std::process::ExitCode;

/// Exit code for "the check ran and failed" (bad signature, expired certificate, …).
pub const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code for usage and input errors (bad flag, unreadable file, malformed XML, bad key).
pub const EXIT_USAGE: u8 = 2;

/// A failure the CLI reports to the user: a one-line message and the exit code that goes with it.
#[derive(Debug)]
pub struct CliError {
    pub code: u8,
    pub message: String,
}

impl CliError {
    /// A usage or input error (exit 2).
    pub fn input(message: impl fmt::Display) -> Self {
        CliError { code: EXIT_USAGE, message: message.to_string() }
    }

    /// A failed check (exit 1).
    pub fn check(message: impl fmt::Display) -> Self {
        CliError { code: EXIT_CHECK_FAILED, message: message.to_string() }
    }

    /// Prints the error as a single `error: ` line and returns its exit code.
    pub fn report(self) -> ExitCode {
        eprintln!("error: {}", one_line(&self.message));
        ExitCode::from(self.code)
    }
}

/// Collapses a message to one line so every error stays greppable and machine-splittable.
pub fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Help and version go to stdout with exit 0; every other clap error becomes one
/// `error: …` line (clap's first line, plus a pointer to `--help`) with exit 2.
pub fn report_clap_error(err: clap::Error) -> ExitCode {
    use clap::error::ErrorKind;
    match err.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            let _ = err.print();
            ExitCode::SUCCESS
        }
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = err.print();
            ExitCode::from(EXIT_USAGE)
        }
        _ => {
            // clap's first paragraph says what is wrong; for a missing argument the argument
            // names are on the indented lines that follow the first, so keep the paragraph.
            let rendered = err.render().to_string();
            let paragraph: Vec<&str> = rendered
                .lines()
                .skip_while(|l| l.trim().is_empty())
                .take_while(|l| !l.trim().is_empty())
                .collect();
            let first = one_line(&paragraph.join(" "));
            let first = first.trim_start_matches("error:").trim();
            let first = if first.is_empty() { "invalid arguments" } else { first };
            eprintln!("error: {first} (see --help)");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// A library error from samlkit-saml as the CLI shows it: the administrators' title, the detail,
/// and the library's hint in command-line terms; exit 2 for input errors, 1 for failed checks.
pub fn saml_error(e: &samlkit_saml::SamlError) -> CliError {
    let message = saml_message(e);
    if e.is_input_error() { CliError::input(message) } else { CliError::check(message) }
}

/// `Title: detail` plus the hint in command-line terms.
pub fn saml_message(e: &samlkit_saml::SamlError) -> String {
    use samlkit_saml::Hint;
    let hint = match e.hint() {
        Some(Hint::AllowSha1) => "; pass --allow-sha1 to accept it",
        Some(Hint::VerifyAsMetadata) => "; to check signed metadata use samlkit verify --metadata",
        Some(Hint::SignTheResponse) => " (use --target response)",
        Some(Hint::NeedsAudience) => " (--audience)",
        Some(Hint::NeedsRecipient) => " (--recipient)",
        _ => "",
    };
    format!("{}: {}{hint}", e.kind().title(), e.detail())
}
