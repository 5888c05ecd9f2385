//! Key pairs, X.509 certificates, CSRs, fingerprints, expiry and the certificate inventory.
//!
//! This crate owns everything about the signing credential itself. It never reads the clock or
//! the environment: every time-dependent function takes `now` as a parameter.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod certificate;
mod der;
mod error;
pub mod key;
mod pem;

pub use certificate::{Certificate, CertificateInfo};
pub use error::CertError;
pub use key::{KeyAlgorithm, PrivateKey, PublicKey, RsaKeySize, SignatureAlgorithm, Signer};
