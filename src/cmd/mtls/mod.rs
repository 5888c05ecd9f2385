//! `samlkit mtls`: mutual TLS with the same credential (client chains for Salesforce callouts
//! and inbound API calls).

mod credential;
mod lint;
mod probe;
mod serve;
mod trust;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::error::CliError;

#[derive(Args)]
#[command(
    subcommand_required = true,
    after_help = "Examples:\n  \
        samlkit mtls lint fixtures/certs/idp.crt --profile salesforce-inbound   # exit 1: self-signed"
)]
pub(crate) struct MtlsArgs {
    #[command(subcommand)]
    command: MtlsCommand,
}

#[derive(Subcommand)]
enum MtlsCommand {
    /// Check a client certificate chain the way mutual-TLS servers judge it.
    Lint(lint::LintArgs),
    /// A test server that requires a client certificate and answers with what it presented.
    Serve(serve::ServeArgs),
    /// Connect to a mutual-TLS server with a client chain and report what happened.
    Probe(probe::ProbeArgs),
}

pub(crate) fn run(args: MtlsArgs) -> Result<ExitCode, CliError> {
    match args.command {
        MtlsCommand::Lint(args) => lint::run(args),
        MtlsCommand::Serve(args) => serve::run(args),
        MtlsCommand::Probe(args) => probe::run(args),
    }
}
