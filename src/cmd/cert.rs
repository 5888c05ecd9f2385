//! `samlkit cert` (skeleton: filled in by its issue).

use std::process::ExitCode;

use clap::Args;

use crate::error::CliError;

#[derive(Args)]
pub struct CertArgs {}

pub fn run(_args: CertArgs) -> Result<ExitCode, CliError> {
    Err(CliError::input("samlkit cert is not built yet"))
}
