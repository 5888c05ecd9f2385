//! `samlkit cert`: create, inspect and check certificates and keys.

mod ca;
mod chain;
mod check;
mod csr;
mod export;
mod import;
mod new;
pub(crate) mod password;
mod show;
mod sign;

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::error::CliError;

#[derive(Args)]
#[command(
    subcommand_required = true,
    after_help = "Examples:\n  \
        samlkit cert new --cn idp.example.com --out ./idp      # idp.crt + idp.key (0600)\n  \
        samlkit cert show idp.crt --key idp.key                # facts, fingerprints, key match\n  \
        samlkit cert check idp.crt --warn-days 30              # exit 0: not due\n  \
        samlkit cert csr --key idp.key --cn idp.example.com    # a request for a CA"
)]
pub(crate) struct CertArgs {
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
    /// Package a key and its certificate as a JKS or PKCS#12 keystore (Salesforce imports JKS).
    Export(export::ExportArgs),
    /// Extract the key and certificate from a JKS or PKCS#12 keystore, checking Salesforce's rules.
    Import(import::ImportArgs),
    /// A private certificate authority for mutual-TLS client certificates.
    Ca(ca::CaArgs),
    /// Issue a certificate from a signing request with a private CA.
    Sign(sign::SignArgs),
    /// Write a chain (leaf first, each certificate followed by its issuer) to one PEM file.
    Chain(chain::ChainArgs),
}

pub(crate) fn run(args: CertArgs) -> Result<ExitCode, CliError> {
    match args.command {
        CertCommand::New(args) => new::run(args),
        CertCommand::Csr(args) => csr::run(args),
        CertCommand::Show(args) => show::run(args),
        CertCommand::Check(args) => check::run(args),
        CertCommand::Export(args) => export::run(args),
        CertCommand::Import(args) => import::run(args),
        CertCommand::Ca(args) => ca::run(args),
        CertCommand::Sign(args) => sign::run(args),
        CertCommand::Chain(args) => chain::run(args),
    }
}
