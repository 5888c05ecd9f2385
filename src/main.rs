//! `samlkit`: the command-line front end. It parses arguments, does the I/O and maps results to
//! exit codes; the real work lives in the `samlkit-*` crates.
#![forbid(unsafe_code)]
// The doc comments of the argument structs are clap's `--help` text, printed as plain text with
// URLs to paste; rustdoc's link syntax (`<https://…>`) would show in the terminal.
#![allow(rustdoc::bare_urls)]

mod batch;
mod cmd;
mod described;
mod encryption;
mod error;
mod held_output;
mod io;
mod large_input;
mod now;
mod numbers;
mod shown;
mod table;
mod write;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use described::{About, Described};

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
//
// `defer`: each subcommand's arguments are built only when that subcommand is parsed or its
// help shown (clap's `Command::defer`), not all fourteen on every run: building the whole tree
// was a fifth of the instructions of a one-file `verify` and most of `--version`. What
// `samlkit --help` lists (name, about) is on the variants, so it is there unbuilt.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
#[command(defer = true)]
enum Command {
    // These seven are described here, not by their Args struct's doc comment (see `about`).
    #[command(about = about::Cert::ABOUT)]
    Cert(Described<cmd::cert::CertArgs, about::Cert>),
    #[command(about = about::Inventory::ABOUT)]
    Inventory(Described<cmd::inventory::InventoryArgs, about::Inventory>),
    #[command(about = about::C14n::ABOUT)]
    C14n(Described<cmd::c14n::C14nArgs, about::C14n>),
    #[command(about = about::Jwt::ABOUT)]
    Jwt(Described<cmd::jwt::JwtArgs, about::Jwt>),
    #[command(about = about::Redirect::ABOUT)]
    Redirect(Described<cmd::redirect::RedirectArgs, about::Redirect>),
    #[command(about = about::Mtls::ABOUT)]
    Mtls(Described<cmd::mtls::MtlsArgs, about::Mtls>),
    // No doc comment on these: it would replace the Args struct's own text (with its examples)
    // in `<command> --help`. The `about` is that text's first line, for `samlkit --help`, which
    // lists the subcommands unbuilt (`defer`); building one sets its own about and long_about
    // again from its Args struct. A test checks each `about` against the Args struct's.
    #[command(about = "Build a signed SAML 2.0 Response (one Assertion) for a service provider")]
    Issue(cmd::issue::IssueArgs),
    #[command(about = "Sign existing SAML documents with enveloped XML signatures")]
    Sign(cmd::sign::SignArgs),
    #[command(about = "Verify signed SAML responses against trusted certificates")]
    Verify(cmd::verify::VerifyArgs),
    #[command(
        about = "Write SAML 2.0 metadata for an identity provider, for service providers to import"
    )]
    Metadata(cmd::metadata::MetadataArgs),
    #[command(about = "Decode a captured SAML message or JWT for reading (nothing is verified)")]
    Decode(cmd::decode::DecodeArgs),
    #[command(about = about::Decrypt::ABOUT)]
    Decrypt(Described<cmd::decrypt::DecryptArgs, about::Decrypt>),
    #[command(about = "Run a test identity provider for your service provider")]
    Idp(cmd::idp::IdpArgs),
    #[command(
        about = "Audit a live service provider: post every broken response and say which it accepted"
    )]
    SpAudit(cmd::sp_audit::SpAuditArgs),
}

/// The one-line descriptions of the subcommands whose Args struct's own doc comment is not
/// what their `--help` shows.
mod about {
    crate::described::describe! {
        Cert = "Create, inspect and check certificates and keys";
        Inventory = "The certificate inventory: which integrations use which certificate, by expiry";
        C14n = "Canonicalize an XML document or one element of it (C14N 1.0 or exclusive C14N)";
        Jwt = "JWT bearer tokens for the OAuth 2.0 JWT bearer flow (Salesforce connected apps)";
        Redirect = "Sign and verify SAML HTTP-Redirect binding URLs (query-string signatures)";
        Mtls = "Mutual TLS with the same credential: check client chains";
        Decrypt = "Decrypt the encrypted elements of a SAML message, for reading it (nothing is verified)";
    }
}

fn main() -> ExitCode {
    let cli = match parse_command_line() {
        Ok(cli) => cli,
        Err(err) => return error::report_clap_error(err),
    };
    cmd::cert::password::set_source(cli.password);
    let result = match cli.command {
        Command::Cert(described) => cmd::cert::run(described.args),
        Command::Inventory(described) => cmd::inventory::run(described.args),
        Command::C14n(described) => cmd::c14n::run(described.args),
        Command::Jwt(described) => cmd::jwt::run(described.args),
        Command::Redirect(described) => cmd::redirect::run(described.args),
        Command::Mtls(described) => cmd::mtls::run(described.args),
        Command::Issue(args) => cmd::issue::run(args),
        Command::Sign(args) => cmd::sign::run(args),
        Command::Verify(args) => cmd::verify::run(args),
        Command::Metadata(args) => cmd::metadata::run(args),
        Command::Decode(args) => cmd::decode::run(args),
        Command::Decrypt(described) => cmd::decrypt::run(described.args),
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

#[cfg(test)]
mod deferred_tests;
