//! Key pairs, X.509 certificates, CSRs, fingerprints, expiry and the certificate inventory.
//!
//! This crate owns everything about the signing credential itself. It never reads the clock or
//! the environment, and does no file I/O: every time-dependent function takes `now` as a
//! parameter, and the inventory report takes a function that reads certificate files.
//!
//! - [`key`]: private and public keys (RSA, ECDSA P-256/P-384), signing and verification;
//! - [`certificate`]: loading and inspecting X.509 certificates;
//! - [`generate`]: self-signed certificates and PKCS#10 requests;
//! - [`expiry`]: `ok` / `renew` / `expired` / `not-yet-valid` against a warning window;
//! - [`inventory`]: the TOML inventory of certificates and the integrations that use them.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod certificate;
mod der;
mod error;
pub mod expiry;
pub mod generate;
pub mod inventory;
pub mod jwt;
pub mod key;
pub mod keystore;
mod pem;

pub use certificate::{Certificate, CertificateInfo};
pub use error::CertError;
pub use expiry::{Expiry, ExpiryStatus};
pub use generate::{CertificateRequest, Subject};
pub use inventory::{Inventory, InventoryRow};
pub use key::{
    HashAlgorithm, KeyAlgorithm, PrivateKey, PublicKey, RsaKeySize, SignatureAlgorithm, Signer,
};
