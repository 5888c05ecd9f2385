//! Why a signature could not be created or was not accepted.

use crate::{Position, XmlError};

/// A signing or verification failure. Every variant says what and, where it concerns the
/// document, where (`line:column`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DsigError {
    /// The Signature element breaks the XML-DSig schema or the accepted profile.
    #[error("{pos}: {message}")]
    Malformed { pos: Position, message: String },
    /// An algorithm or transform outside the allowlist.
    #[error("{role} algorithm {uri:?} refused: {reason}")]
    AlgorithmRefused { role: &'static str, uri: String, reason: &'static str },
    /// The Reference URI is not of the form `#ID` (empty, external, XPointer).
    #[error(
        "{pos}: Reference URI {uri:?} refused: only a same-document reference by ID (\"#ID\") is accepted"
    )]
    ReferenceForm { pos: Position, uri: String },
    /// No element carries the referenced ID.
    #[error("Reference URI \"#{id}\" does not match any element's ID")]
    ReferenceUnresolved { id: String },
    /// The Reference resolves, but not to the element the caller requires
    /// ([`super::VerifyOptions::expected_reference`]).
    #[error(
        "{pos}: Reference URI \"#{id}\" resolves to {found}, not the element that contains it (the only element accepted as signed)"
    )]
    ReferenceUnexpected { pos: Position, id: String, found: String },
    /// Several elements carry the same ID, so the reference is ambiguous.
    #[error("the ID {id:?} appears on more than one element")]
    DuplicateId { id: String },
    /// The digest of the referenced element does not match DigestValue.
    #[error(
        "digest of the element with ID {id:?} does not match DigestValue (computed {computed}, expected {expected}): the signed content was changed"
    )]
    DigestMismatch { id: String, computed: String, expected: String },
    /// SignatureValue does not verify with any trusted certificate.
    #[error("SignatureValue does not verify with {tried}")]
    SignatureMismatch { tried: String },
    /// KeyInfo carries certificates, none of which is trusted.
    #[error(
        "KeyInfo carries a certificate that is not trusted (SHA-256 {sha256}); only the configured certificates are trusted"
    )]
    UntrustedCertificate { sha256: String },
    /// No trusted certificate fits the signature method (RSA vs ECDSA, curve).
    #[error("no trusted certificate can check a {method} signature")]
    NoSuitableKey { method: &'static str },
    /// The signing key or certificate could not be used.
    #[error("signing failed: {0}")]
    Signing(String),
    /// Canonicalization failed.
    #[error(transparent)]
    Xml(#[from] XmlError),
}
