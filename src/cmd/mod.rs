//! One module per top-level command. Each defines its clap arguments and a `run` function that
//! returns the exit code or a [`crate::error::CliError`].

pub(crate) mod c14n;
pub(crate) mod cert;
pub(crate) mod decode;
pub(crate) mod decrypt;
pub(crate) mod idp;
pub(crate) mod inventory;
pub(crate) mod inventory_scan;
pub(crate) mod issue;
pub(crate) mod jwt;
pub(crate) mod metadata;
pub(crate) mod mtls;
pub(crate) mod redirect;
pub(crate) mod sign;
pub(crate) mod sp_audit;
pub(crate) mod verify;
