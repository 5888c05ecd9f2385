//! `samlkit cert` (placeholder on the integ branch: the cert branch owns this file; integ adds
//! the Export and Import variants when merging it).

use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::cmd::{cert_export, cert_import};
use crate::error::CliError;

#[derive(Args)]
pub struct CertArgs {
    #[command(subcommand)]
    command: CertCommand,
}

#[derive(Subcommand)]
enum CertCommand {
    /// Package a key and its certificate as a JKS or PKCS#12 keystore.
    Export(cert_export::CertExportArgs),
    /// Extract the key and certificate from a JKS or PKCS#12 keystore.
    Import(cert_import::CertImportArgs),
}

pub fn run(args: CertArgs) -> Result<ExitCode, CliError> {
    match args.command {
        CertCommand::Export(args) => cert_export::run(args),
        CertCommand::Import(args) => cert_import::run(args),
    }
}
