//! Key pairs, X.509 certificates, CSRs, fingerprints, expiry and the certificate inventory.
//!
//! This crate owns everything about the signing credential itself. It never reads the clock or
//! the environment, and does no file I/O but one documented exception: every time-dependent
//! function takes `now` as a parameter, and the inventory report takes a function that reads
//! certificate files. The exception is [`sfmeta::ProjectFiles::read`], which reads a Salesforce
//! project directory or zip in one call (walking a tree is simpler here than at every caller).
//!
//! Before signing with a key, check that it is the one the published certificate certifies,
//! and how long that certificate has left:
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use samlkit_cert::{Certificate, ExpiryStatus, PrivateKey};
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! let key = PrivateKey::load(include_bytes!("../../../fixtures/keys/idp.key"))?;
//! let cert = Certificate::load(include_bytes!("../../../fixtures/certs/idp.crt"))?;
//! assert!(cert.matches_key(&key));
//!
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let info = cert.info();
//! let expiry = samlkit_cert::Expiry::evaluate(info.not_before, info.not_after, now, 30);
//! assert_eq!(expiry.status, ExpiryStatus::Ok);
//! # Ok(()) }
//! ```
//!
//! - [`key`]: private and public keys (RSA, ECDSA P-256/P-384), signing and verification;
//! - [`certificate`]: loading and inspecting X.509 certificates;
//! - [`generate`]: self-signed certificates and PKCS#10 requests;
//! - [`jwt`]: RS256 bearer tokens for the OAuth 2.0 JWT bearer flow (Salesforce connected apps),
//!   and ES256/ES384 for other servers;
//! - [`keystore`]: a key and its chain as JKS or PKCS#12, with Salesforce's import rules;
//! - [`expiry`]: `ok` / `renew` / `expired` / `not-yet-valid` against a warning window;
//! - [`inventory`]: the TOML inventory of certificates and the integrations that use them, and
//!   [`inventory::scan`], which builds it from a Salesforce org's metadata;
//! - [`tls`]: certificates for (mutual) TLS: usages, alternative names, a private CA, chains;
//! - [`sfmeta`]: reading Salesforce metadata (DX project or Metadata API retrieve).
// `deny`, not `forbid`: the one module that calls AWS-LC directly, `legacy_sha1` (RSA-SHA1
// signing, which aws-lc-rs does not expose), opts out with `#![allow(unsafe_code)]`.
#![deny(unsafe_code)]

pub mod certificate;
mod der;
pub mod encrypted_key;
mod error;
pub mod expiry;
pub mod generate;
pub mod inventory;
pub mod jwt;
pub mod key;
pub mod keystore;
mod legacy_sha1;
mod pem;
pub mod request;
pub mod sfmeta;
pub mod tls;

pub use certificate::{Certificate, CertificateInfo};
pub use error::CertError;
pub use expiry::{Expiry, ExpiryStatus};
pub use generate::{CertificateRequest, Subject};
pub use inventory::{Inventory, InventoryRow};
pub use key::{
    HashAlgorithm, KeyAlgorithm, KeyType, PrivateKey, PublicKey, RsaKeySize, SignatureAlgorithm,
    Signer,
};
