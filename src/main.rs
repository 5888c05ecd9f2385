//! `samlkit`: the command-line front end. It parses arguments, does the I/O and maps results to
//! exit codes; the real work lives in the `samlkit-*` crates.
#![forbid(unsafe_code)]
// The doc comments of the argument structs are clap's `--help` text, printed as plain text with
// URLs to paste; rustdoc's link syntax (`<https://…>`) would show in the terminal.
#![allow(rustdoc::bare_urls)]

mod batch;
mod cmd;
mod encryption;
mod error;
mod io;
mod now;
mod numbers;
mod shown;
mod table;
mod write;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Create, track, sign with and verify SAML signing credentials.
///
/// Exit codes: 0 success; 1 the check failed (invalid signature, a SAML condition not met, a
/// certificate expired or due for renewal); 2 usage or input error.
#[derive(Parser)]
#[command(
    name = "samlkit",
    version,
    propagate_version = true,
    max_term_width = 100,
    after_help = "\
Examples:
  samlkit issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt \\
      --issuer https://idp.example.com --name-id alice@example.com \\
      --audience https://sp.example.com --recipient https://sp.example.com/acs \\
    | samlkit verify --cert fixtures/certs/idp.crt --audience https://sp.example.com \\
      --recipient https://sp.example.com/acs --issuer https://idp.example.com -
  samlkit cert check fixtures/certs/idp.crt --now 2026-06-01

Every command explains itself, with examples that run from the repository root:
samlkit COMMAND --help."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    password: cmd::cert::password::PasswordArgs,
}

// Parsed once per process and moved straight into its command: the size of the largest
// variant costs nothing worth a Box.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Create, inspect and check certificates and keys.
    Cert(cmd::cert::CertArgs),
    /// The certificate inventory: which integrations use which certificate, by expiry.
    Inventory(cmd::inventory::InventoryArgs),
    /// Canonicalize an XML document or one element of it (C14N 1.0 or exclusive C14N).
    C14n(cmd::c14n::C14nArgs),
    /// JWT bearer tokens for the OAuth 2.0 JWT bearer flow (Salesforce connected apps).
    Jwt(cmd::jwt::JwtArgs),
    /// Sign and verify SAML HTTP-Redirect binding URLs (query-string signatures).
    Redirect(cmd::redirect::RedirectArgs),
    /// Mutual TLS with the same credential: check client chains.
    Mtls(cmd::mtls::MtlsArgs),
    // No doc comment on these four: it would replace the Args struct's own text (with its
    // examples) in `<command> --help`; `samlkit --help` shows that text's first line.
    Issue(cmd::issue::IssueArgs),
    Sign(cmd::sign::SignArgs),
    Verify(cmd::verify::VerifyArgs),
    Metadata(cmd::metadata::MetadataArgs),
    Decode(cmd::decode::DecodeArgs),
    /// Decrypt the encrypted elements of a SAML message, for reading it (nothing is verified).
    Decrypt(cmd::decrypt::DecryptArgs),
    Idp(cmd::idp::IdpArgs),
    SpAudit(cmd::sp_audit::SpAuditArgs),
}

fn main() -> ExitCode {
    let cli = match parse_command_line() {
        Ok(cli) => cli,
        Err(err) => return error::report_clap_error(err),
    };
    cmd::cert::password::set_source(cli.password);
    let result = match cli.command {
        Command::Cert(args) => cmd::cert::run(args),
        Command::Inventory(args) => cmd::inventory::run(args),
        Command::C14n(args) => cmd::c14n::run(args),
        Command::Jwt(args) => cmd::jwt::run(args),
        Command::Redirect(args) => cmd::redirect::run(args),
        Command::Mtls(args) => cmd::mtls::run(args),
        Command::Issue(args) => cmd::issue::run(args),
        Command::Sign(args) => cmd::sign::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Metadata(args) => cmd::metadata::run(args),
        Command::Decode(args) => cmd::decode::run(args),
        Command::Decrypt(args) => cmd::decrypt::run(args),
        Command::Idp(args) => cmd::idp::run(args),
        Command::SpAudit(args) => cmd::sp_audit::run(args),
    };
    match result {
        Ok(code) => code,
        Err(err) => err.report(),
    }
}

/// [`Cli::try_parse`], except that clap's command tree is leaked instead of freed: it is built
/// for this one parse, and dropping its thousands of small allocations cost more instructions
/// than canonicalizing a whole response does (callgrind of a one-file `verify`), just before
/// the process does its one job and exits.
fn parse_command_line() -> Result<Cli, clap::Error> {
    use clap::{CommandFactory, FromArgMatches};
    let mut command = Cli::command();
    // As `try_parse` does: errors of the parse come formatted; conversion errors get formatted.
    let parsed = match command.try_get_matches_from_mut(std::env::args_os()) {
        Ok(mut matches) => {
            Cli::from_arg_matches_mut(&mut matches).map_err(|e| e.format(&mut command))
        }
        Err(e) => Err(e),
    };
    std::mem::forget(command);
    parsed
}
