//! How the CLI turns failures into one `error: …` line on stderr and an exit code.
//!
//! The exit code of a library error is decided here, once, for every command (see
//! [`LibraryError`]): 1 when a check ran and failed, 2 when the input could not be used.
//! Commands that produce something (issue, sign, metadata, c14n, cert new/csr) check nothing, so
//! they report what the library refuses as an input error with [`CliError::input`].

use std::fmt;
use std::process::ExitCode;

use samlkit_cert::CertError;
use samlkit_saml::SamlError;

/// Exit code for "the check ran and failed" (bad signature, expired certificate, …).
pub(crate) const EXIT_CHECK_FAILED: u8 = 1;
/// Exit code for usage and input errors (bad flag, unreadable file, malformed XML, bad key).
pub(crate) const EXIT_USAGE: u8 = 2;

/// A failure the CLI reports to the user: a one-line message and the exit code that goes with it.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) code: u8,
    pub(crate) message: String,
}

impl CliError {
    /// A usage or input error (exit 2).
    pub(crate) fn input(message: impl fmt::Display) -> Self {
        CliError { code: EXIT_USAGE, message: message.to_string() }
    }

    /// A failed check (exit 1).
    pub(crate) fn check(message: impl fmt::Display) -> Self {
        CliError { code: EXIT_CHECK_FAILED, message: message.to_string() }
    }

    /// A library error, with the exit code its kind means (see [`LibraryError`]).
    fn from_library(e: &impl LibraryError) -> Self {
        if e.is_failed_check() {
            CliError::check(e.message())
        } else {
            CliError::input(e.message())
        }
    }

    /// The same error with its message rewritten, e.g. prefixed with the file it is about.
    pub(crate) fn map_message(mut self, rewrite: impl FnOnce(String) -> String) -> Self {
        self.message = rewrite(self.message);
        self
    }

    /// Prints the error as a single `error: ` line and returns its exit code.
    pub(crate) fn report(self) -> ExitCode {
        eprintln!("error: {}", crate::shown::terminal(&styled(&self.message)));
        ExitCode::from(self.code)
    }
}

/// An error from a samlkit crate, as the CLI classifies it.
pub(crate) trait LibraryError: fmt::Display {
    /// True when a check ran and failed (exit 1: bad signature, expired, wrong audience, a
    /// keystore rule broken); false when the input could not be used at all (exit 2).
    fn is_failed_check(&self) -> bool;

    /// The message as the CLI shows it.
    fn message(&self) -> String {
        self.to_string()
    }
}

impl LibraryError for SamlError {
    fn is_failed_check(&self) -> bool {
        !self.is_input_error()
    }

    /// The administrators' title, the detail, and the library's hint in command-line terms.
    fn message(&self) -> String {
        saml_message(self)
    }
}

impl LibraryError for CertError {
    fn is_failed_check(&self) -> bool {
        CertError::is_failed_check(self)
    }
}

impl From<SamlError> for CliError {
    fn from(e: SamlError) -> Self {
        CliError::from_library(&e)
    }
}

impl From<CertError> for CliError {
    fn from(e: CertError) -> Self {
        CliError::from_library(&e)
    }
}

/// With `--json`, a failed check (exit 1) is also reported on standard output as
/// `{"valid":false,"error":"…"}`, so a script reading the JSON sees every outcome; the one-line
/// `error:` on stderr and the exit code stay as without `--json`.
pub(crate) fn json_failure(json: bool, err: CliError) -> CliError {
    if json && err.code == EXIT_CHECK_FAILED {
        let line = serde_json::json!({"valid": false, "error": one_line(&err.message)});
        println!("{}", crate::shown::json_line(line.to_string()));
    }
    err
}

/// Collapses a message to one line so every error stays greppable and machine-splittable.
pub(crate) fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A message in the one style every `error: ` line follows: one line, and a plain sentence
/// starts in lower case after `error: ` (`Is a directory` becomes `is a directory`). A title
/// (`Signature Invalid`, two capitalised words) and an acronym (`XML`, `RSA`) keep their case.
pub(crate) fn styled(message: &str) -> String {
    let message = one_line(message);
    let mut words = message.split(' ');
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let capitalised = |w: &str| {
        let mut chars = w.chars();
        chars.next().is_some_and(char::is_uppercase)
            && chars.clone().next().is_some_and(char::is_lowercase)
            && chars.all(|c| !c.is_uppercase())
    };
    if capitalised(first) && !capitalised(second) {
        crate::now::lowercase_first(&message)
    } else {
        message
    }
}

/// `message` about `file`, named once and positioned the way every command positions things:
/// `file:line:col: message` when the message starts with a position (after an optional
/// `Title: `), the message unchanged when it already starts by naming the file (or is `cannot
/// read FILE: …`), else `file: message`.
pub(crate) fn at_file(file: &str, message: &str) -> String {
    if message.starts_with(&format!("{file}:"))
        || message.starts_with(&format!("cannot read {file}"))
    {
        return message.to_string();
    }
    let (title, rest) = match message.split_once(": ") {
        Some((title, rest)) if position(rest).is_some() => (Some(title), rest),
        _ => (None, message),
    };
    match position(rest) {
        Some((at, detail)) => match title {
            Some(title) => format!("{file}:{at}: {title}: {detail}"),
            None => format!("{file}:{at}: {detail}"),
        },
        None => format!("{file}: {message}"),
    }
}

/// `LINE:COL` and the rest, when `text` starts with `LINE:COL: `.
fn position(text: &str) -> Option<(&str, &str)> {
    let (at, rest) = text.split_once(": ")?;
    let (line, col) = at.split_once(':')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    (digits(line) && digits(col)).then_some((at, rest))
}

/// Help and version go to stdout with exit 0; every other clap error becomes one
/// `error: …` line (clap's first line, its "a similar … exists" tip, plus a pointer to
/// `--help`) with exit 2.
pub(crate) fn report_clap_error(err: clap::Error) -> ExitCode {
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
            // clap's suggestions ("a similar subcommand exists: 'verify'") are on `tip:` lines;
            // its other tips (`use '-- -1'`) would mislead, so only the suggestions are kept.
            let tips: Vec<&str> = rendered
                .lines()
                .filter_map(|l| l.trim().strip_prefix("tip: "))
                .filter(|tip| tip.contains("similar"))
                .collect();
            let tips: String = tips.iter().map(|tip| format!("; {tip}")).collect();
            eprintln!("error: {}{tips} (see --help)", crate::shown::terminal(first));
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// `Title: detail` plus the hint in command-line terms.
pub(crate) fn saml_message(e: &samlkit_saml::SamlError) -> String {
    use samlkit_saml::Hint;
    let hint = match e.hint() {
        Some(Hint::AllowSha1) => "; pass --allow-sha1 to accept it",
        Some(Hint::AllowRsa1024) => "; pass --allow-rsa1024 to accept it",
        Some(Hint::VerifyAsMetadata) => "; to check signed metadata use samlkit verify --metadata",
        Some(Hint::SignTheResponse) => " (use --target response)",
        Some(Hint::NeedsAudience) => " (--audience)",
        Some(Hint::NeedsRecipient) => " (--recipient)",
        Some(Hint::AllowBareAssertion) => "; pass --allow-bare-assertion to accept it",
        _ => "",
    };
    format!("{}: {}{hint}", e.kind().title(), e.detail())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_the_file_once_with_the_position_first() {
        let cases = [
            (
                "-",
                "Malformed XML: 1:1: element <a> is never closed",
                "-:1:1: Malformed XML: element <a> is never closed",
            ),
            ("a.xml", "3:7: bad", "a.xml:3:7: bad"),
            (
                "nope.xml",
                "cannot read nope.xml: no such file or directory",
                "cannot read nope.xml: no such file or directory",
            ),
            ("a.xml", "a.xml: too big", "a.xml: too big"),
            (
                "a.xml",
                "Signature Invalid: the digest differs",
                "a.xml: Signature Invalid: the digest differs",
            ),
            ("a.xml", "Title: 12: not a position", "a.xml: Title: 12: not a position"),
        ];
        for (file, message, expected) in cases {
            assert_eq!(at_file(file, message), expected);
        }
    }

    #[test]
    fn a_sentence_starts_in_lower_case_a_title_or_acronym_keeps_its_case() {
        let cases = [
            ("Is a directory", "is a directory"),
            ("Signature Invalid: x", "Signature Invalid: x"),
            ("XML is malformed", "XML is malformed"),
            ("cannot read x", "cannot read x"),
            ("RSA key\n too  small", "RSA key too small"),
        ];
        for (message, expected) in cases {
            assert_eq!(styled(message), expected);
        }
    }
}
