//! `samlkit cert`: create, inspect and check certificates and keys.

mod check;
mod csr;
mod new;
mod show;

use std::process::ExitCode;

use clap::{Args, Subcommand};
use samlkit_cert::{Certificate, PrivateKey};

use crate::error::CliError;
use crate::io::read_input;

#[derive(Args)]
#[command(
    subcommand_required = true,
    after_help = "Examples:\n  \
        samlkit cert new --cn idp.example.com --out ./idp      # idp.crt + idp.key (0600)\n  \
        samlkit cert show idp.crt --key idp.key                # facts, fingerprints, key match\n  \
        samlkit cert check idp.crt --warn-days 30              # exit 1 if renewal is due\n  \
        samlkit cert csr --key idp.key --cn idp.example.com    # request for a CA"
)]
pub struct CertArgs {
    #[command(subcommand)]
    command: CertCommand,
}

#[derive(Subcommand)]
enum CertCommand {
    /// Create a key pair and a self-signed certificate (Salesforce: "Create Self-Signed
    /// Certificate").
    New(new::NewArgs),
    /// Create a PKCS#10 certificate signing request for an existing key (the CA-signed flow).
    Csr(csr::CsrArgs),
    /// Show what a certificate says: subject, validity, key, fingerprints.
    Show(show::ShowArgs),
    /// Check expiry against a renewal window; exit 1 when any certificate needs action.
    Check(check::CheckArgs),
}

pub fn run(args: CertArgs) -> Result<ExitCode, CliError> {
    match args.command {
        CertCommand::New(args) => new::run(args),
        CertCommand::Csr(args) => csr::run(args),
        CertCommand::Show(args) => show::run(args),
        CertCommand::Check(args) => check::run(args),
    }
}

/// Every certificate in a PEM or DER file (or `-`), with the file named in errors.
pub(crate) fn load_certificates(path: &str) -> Result<Vec<Certificate>, CliError> {
    let bytes = read_input(path)?;
    Certificate::load_all(&bytes).map_err(|e| CliError::input(format!("{}: {e}", shown(path))))
}

/// A private key in any supported format, with the file named in errors.
pub(crate) fn load_key(path: &str) -> Result<PrivateKey, CliError> {
    let bytes = read_input(path)?;
    PrivateKey::load(&bytes).map_err(|e| CliError::input(format!("{}: {e}", shown(path))))
}

/// How a path is named in messages (`-` is standard input).
pub(crate) fn shown(path: &str) -> &str {
    if path == "-" { "<stdin>" } else { path }
}
