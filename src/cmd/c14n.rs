//! `samlkit c14n` (skeleton: filled in by its issue).

use std::process::ExitCode;

use clap::Args;

use crate::error::CliError;

#[derive(Args)]
pub struct C14nArgs {}

pub fn run(_args: C14nArgs) -> Result<ExitCode, CliError> {
    Err(CliError::input("samlkit c14n is not built yet"))
}
