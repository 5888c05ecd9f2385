//! The one error type of this crate.

use thiserror::Error;

/// Everything that can go wrong with keys, certificates, requests and the inventory.
///
/// Messages are one line and say what is wrong and, where it helps, what to do about it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CertError {
    /// A PEM file is structurally broken (missing END line, bad base64, …).
    #[error("malformed PEM at line {line}: {reason}")]
    Pem {
        /// 1-based line of the problem.
        line: usize,
        /// What is wrong there.
        reason: String,
    },
    /// The input holds neither the PEM block nor the DER structure that was expected.
    #[error("no {expected} found: {found}")]
    NotFound {
        /// What was looked for ("certificate", "private key").
        expected: &'static str,
        /// What the input holds instead.
        found: String,
    },
    /// The private key is encrypted with a passphrase; samlkit does not ask for passphrases.
    #[error(
        "the private key is encrypted ({format}); decrypt it first, e.g. `openssl pkey -in KEY -out KEY.plain` (keep the result mode 0600)"
    )]
    EncryptedKey {
        /// Which encrypted format was seen.
        format: &'static str,
    },
    /// A private or public key could not be decoded.
    #[error("invalid {kind}: {reason}")]
    InvalidKey {
        /// "private key" or "public key".
        kind: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// A well-formed key of a kind samlkit does not handle.
    #[error("unsupported key: {0}")]
    UnsupportedKey(String),
    /// A certificate could not be decoded.
    #[error("invalid certificate{}: {reason}", index.map(|i| format!(" #{i}")).unwrap_or_default())]
    InvalidCertificate {
        /// 1-based position in a multi-certificate PEM file, when there is more than one.
        index: Option<usize>,
        /// Why it was rejected.
        reason: String,
    },
    /// The signature algorithm does not fit the key (e.g. ECDSA with an RSA key).
    #[error("signature algorithm {algorithm} cannot be used with a {key} key")]
    AlgorithmMismatch {
        /// The requested algorithm.
        algorithm: &'static str,
        /// The key's algorithm.
        key: String,
    },
    /// Signing failed inside the cryptographic library.
    #[error("signing failed: {0}")]
    Signing(String),
    /// The signature does not verify with this public key.
    #[error("signature does not verify with this public key ({algorithm})")]
    BadSignature {
        /// The algorithm that was checked.
        algorithm: &'static str,
    },
    /// Key generation failed.
    #[error("key generation failed: {0}")]
    KeyGeneration(String),
    /// Certificate or CSR parameters are not acceptable (empty CN, bad country code, …).
    #[error("invalid {field}: {reason}")]
    InvalidParameter {
        /// The parameter ("common name", "days", …).
        field: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// Building a certificate or CSR failed.
    #[error("cannot build {what}: {reason}")]
    Build {
        /// "certificate" or "certificate signing request".
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The inventory file is not valid TOML or does not have the expected shape.
    #[error("{file}:{line}:{column}: {message}")]
    InventorySyntax {
        /// The inventory file as given.
        file: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the TOML parser or the schema check said.
        message: String,
    },
    /// An inventory entry is unusable as a whole (e.g. two entries with the same name).
    #[error("{file}: certificate entry {entry:?}: {message}")]
    InventoryEntry {
        /// The inventory file as given.
        file: String,
        /// The entry's name.
        entry: String,
        /// What is wrong.
        message: String,
    },
}
