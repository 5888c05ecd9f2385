//! One module per top-level command. Each defines its clap arguments and a `run` function that
//! returns the exit code or a [`crate::error::CliError`].

pub mod c14n;
pub mod cert;
pub mod inventory;
pub mod inventory_scan;
pub mod issue;
pub mod jwt;
pub mod metadata;
pub mod redirect;
pub mod sign;
pub mod verify;
