//! `samlkit inventory` (skeleton: filled in by its issue).

use std::process::ExitCode;

use clap::Args;

use crate::error::CliError;

#[derive(Args)]
pub struct InventoryArgs {}

pub fn run(_args: InventoryArgs) -> Result<ExitCode, CliError> {
    Err(CliError::input("samlkit inventory is not built yet"))
}
