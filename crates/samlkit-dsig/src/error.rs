//! [`SignatureError`]: why a signature could not be created, or was not accepted.
//!
//! **Document data in messages.** `Malformed`, `ReferenceForm`, `ReferenceUnexpected`,
//! `AlgorithmRefused` and the wrapped [`XmlError`] quote names, URIs and IDs taken from the
//! document being verified, which may be an attacker's: escape that text before showing it in
//! HTML or on a terminal, and do not echo it to a browser. `DigestMismatch`, `SignatureMismatch`,
//! `UntrustedCertificate`, `KeyTooSmall`, `KeyInfoNotCertificate` and `NoSuitableKey` carry only
//! digests, fingerprints, sizes and fixed text (plus the referenced ID in `DigestMismatch`).

use samlkit_xml::{Position, XmlError};

/// The reason given when SHA-1 is refused because the caller did not allow it.
pub(crate) const SHA1_REFUSED: &str = "SHA-1 is refused unless explicitly allowed";

/// Why a signature could not be created, or was not accepted.
///
/// ```
/// use samlkit_dsig::SignatureError;
/// let err = SignatureError::DuplicateId { id: "_a".into() };
/// assert_eq!(err.to_string(), "the ID \"_a\" appears on more than one element");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// The Signature element breaks the XML-DSig schema or the accepted profile.
    #[error("{pos}: {message}")]
    Malformed {
        /// Where the offending element starts.
        pos: Position,
        /// What is wrong.
        message: String,
    },
    /// A signature, digest, canonicalization or transform algorithm outside the allowlist.
    #[error("{role} algorithm {uri:?} refused: {reason}")]
    AlgorithmRefused {
        /// Which algorithm slot (`SignatureMethod`, `DigestMethod`, `Transform`, …).
        role: &'static str,
        /// The algorithm URI found.
        uri: String,
        /// Why it is refused.
        reason: &'static str,
    },
    /// The `ds:Reference` URI is not of the form `#ID` (empty, external, XPointer).
    #[error(
        "{pos}: Reference URI {uri:?} refused: only a same-document reference by ID (\"#ID\") is accepted"
    )]
    ReferenceForm {
        /// Where the Reference starts.
        pos: Position,
        /// The URI found.
        uri: String,
    },
    /// No element carries the ID a `ds:Reference` names (or a signer was asked to sign).
    #[error("Reference URI \"#{id}\" does not match any element's ID")]
    ReferenceUnresolved {
        /// The ID referenced.
        id: String,
    },
    /// The `ds:Reference` resolves, but not to the element the caller expects.
    #[error(
        "{pos}: Reference URI \"#{id}\" resolves to {found}, not the element that contains it (the only element accepted as signed)"
    )]
    ReferenceUnexpected {
        /// Where the Reference starts.
        pos: Position,
        /// The ID referenced.
        id: String,
        /// The element it resolves to, named for people.
        found: String,
    },
    /// Several elements carry the same ID, so a reference to it is ambiguous.
    #[error("the ID {id:?} appears on more than one element")]
    DuplicateId {
        /// The ambiguous ID.
        id: String,
    },
    /// The digest of the referenced element does not match DigestValue.
    #[error(
        "digest of the element with ID {id:?} does not match DigestValue (computed {computed}, expected {expected}): the signed content was changed"
    )]
    DigestMismatch {
        /// The referenced ID.
        id: String,
        /// The digest computed over the canonical element (base64).
        computed: String,
        /// The DigestValue in the signature (base64).
        expected: String,
    },
    /// SignatureValue does not verify with any trusted certificate.
    #[error("SignatureValue does not verify with {tried}")]
    SignatureMismatch {
        /// Which trusted certificates were tried, for people.
        tried: String,
    },
    /// No trusted certificate verifies SignatureValue, and KeyInfo carries a certificate for a
    /// key that none of them has.
    #[error(
        "KeyInfo carries a certificate that is not trusted (SHA-256 {sha256}); only the configured certificates are trusted"
    )]
    UntrustedCertificate {
        /// SHA-256 fingerprint (`AB:CD:…`) of the first KeyInfo certificate.
        sha256: String,
    },
    /// SignatureValue verifies with a trusted RSA key that is smaller than the policy accepts
    /// (under 2048 bits, or under 1024 bits when 1024-bit keys are allowed).
    #[error(
        "SignatureValue verifies with the trusted certificate SHA-256 {sha256}, but its RSA key has {bits} bits; RSA keys under {minimum} bits are refused"
    )]
    KeyTooSmall {
        /// The key's modulus size in bits.
        bits: usize,
        /// The smallest size accepted by default.
        minimum: usize,
        /// SHA-256 fingerprint (`AB:CD:…`) of the trusted certificate that holds the key.
        sha256: String,
    },
    /// SignatureValue does not verify with any trusted certificate, and KeyInfo's
    /// `X509Certificate` is not a certificate (e.g. the base64 of PEM text).
    #[error(
        "SignatureValue does not verify with {tried}; KeyInfo's X509Certificate is not a certificate: {found}"
    )]
    KeyInfoNotCertificate {
        /// Which trusted certificates were tried, for people.
        tried: String,
        /// What the X509Certificate holds instead, described (never quoted).
        found: String,
    },
    /// No trusted certificate fits the signature method (RSA vs ECDSA, curve).
    #[error("no trusted certificate can check a {method} signature")]
    NoSuitableKey {
        /// The signature method's short name.
        method: &'static str,
    },
    /// The signing key or certificate could not be used.
    #[error("signing failed: {0}")]
    SigningFailed(String),
    /// An encrypted element could not be decrypted. Deliberately one answer for every cause
    /// (no key fits, bad OAEP or CBC padding, GCM tag mismatch, malformed plaintext), so that
    /// the difference can never serve as a decryption oracle.
    #[error("the encrypted element could not be decrypted with the keys given")]
    DecryptionFailed,
    /// A CipherValue is larger than the limit.
    #[error("a CipherValue is larger than {max} bytes, the limit for encrypted content")]
    CiphertextTooLarge {
        /// The limit in bytes.
        max: usize,
    },
    /// A key or certificate cannot be used for XML Encryption (not RSA, or not a pair).
    #[error("key unusable for XML Encryption: {0}")]
    KeyUnusable(String),
    /// Encryption failed in the crypto library.
    #[error("encryption failed: {0}")]
    EncryptionFailed(String),
    /// The document could not be parsed or canonicalized while signing or verifying.
    #[error(transparent)]
    Xml(#[from] XmlError),
}

impl SignatureError {
    /// True when the only objection is SHA-1 that the caller did not allow (a legacy peer can be
    /// accepted by allowing it; every other refusal stands).
    pub fn is_sha1_refusal(&self) -> bool {
        matches!(self, SignatureError::AlgorithmRefused { reason, .. } if *reason == SHA1_REFUSED)
    }

    /// Where in the document the error was found, when it concerns one place.
    pub fn position(&self) -> Option<Position> {
        match self {
            SignatureError::Malformed { pos, .. }
            | SignatureError::ReferenceForm { pos, .. }
            | SignatureError::ReferenceUnexpected { pos, .. } => Some(*pos),
            SignatureError::Xml(e) => e.position(),
            _ => None,
        }
    }
}
