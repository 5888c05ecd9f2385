//! The one error type of this crate: parsing, canonicalization and XML Signature creation and
//! verification. Every parse error says what is wrong and where (`line:column`, both 1-based, the
//! column counted in characters); signature errors say where when they concern the document.

use std::fmt;

/// A place in the input: 1-based line and 1-based column (in characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// 1-based line number (CRLF, CR and LF each end a line).
    pub line: u32,
    /// 1-based column, counted in Unicode scalar values.
    pub column: u32,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// Everything that can go wrong while parsing, canonicalizing, signing or verifying a signature.
/// In every variant `pos` is where in the input the problem starts; the other fields name what
/// was found. [`XmlError::is_signature_error`] tells the XML-DSig failures from the rest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum XmlError {
    /// A `<!DOCTYPE …>`: DTDs (and with them entity definitions) are never processed.
    #[error("{pos}: DOCTYPE is not allowed (DTDs and entity declarations are refused)")]
    Doctype { pos: Position },
    /// The input is not UTF-8.
    #[error("{pos}: invalid UTF-8 in the input")]
    InvalidUtf8 { pos: Position },
    /// The document declares (or its byte order mark implies) an encoding other than UTF-8.
    #[error("{pos}: unsupported encoding {encoding:?}: only UTF-8 is accepted")]
    UnsupportedEncoding { pos: Position, encoding: String },
    /// A character XML 1.0 forbids (control characters, U+FFFE, U+FFFF, `&#0;`, …).
    #[error("{pos}: invalid XML character U+{code:04X}")]
    InvalidChar { pos: Position, code: u32 },
    /// `&name;` where `name` is not one of the five predefined entities.
    #[error(
        "{pos}: undefined entity &{name};: only &amp; &lt; &gt; &quot; &apos; and character references are allowed"
    )]
    UndefinedEntity { pos: Position, name: String },
    /// A malformed character or entity reference.
    #[error("{pos}: malformed reference {text:?}")]
    BadReference { pos: Position, text: String },
    /// A name (element, attribute, prefix, PI target) that is not a valid XML/namespace name.
    #[error("{pos}: invalid name {name:?}")]
    InvalidName { pos: Position, name: String },
    /// An end tag that does not match the open element.
    #[error("{pos}: mismatched end tag: expected </{expected}>, found </{found}>")]
    MismatchedEndTag { pos: Position, expected: String, found: String },
    /// An end tag with no element open.
    #[error("{pos}: end tag </{name}> has no matching start tag")]
    UnexpectedEndTag { pos: Position, name: String },
    /// The input ended while an element was still open.
    #[error("{pos}: element <{name}> is never closed")]
    UnclosedElement { pos: Position, name: String },
    /// The same attribute twice (also under two prefixes bound to the same namespace).
    #[error("{pos}: duplicate attribute {name:?}")]
    DuplicateAttribute { pos: Position, name: String },
    /// A prefix used without a namespace declaration in scope.
    #[error("{pos}: undeclared namespace prefix {prefix:?}")]
    UndeclaredPrefix { pos: Position, prefix: String },
    /// A namespace declaration the Namespaces in XML rules forbid (`xmlns:p=""`, rebinding
    /// `xml` or `xmlns`, binding their URIs to another prefix).
    #[error("{pos}: invalid namespace declaration: {reason}")]
    BadNamespaceDeclaration { pos: Position, reason: String },
    /// Character data, CDATA, a reference or a second element outside the root element.
    #[error("{pos}: {what} outside the root element")]
    ContentOutsideRoot { pos: Position, what: &'static str },
    /// The document has no root element.
    #[error("{pos}: no root element")]
    NoRootElement { pos: Position },
    /// Any other well-formedness error (the message says which).
    #[error("{pos}: {message}")]
    Syntax { pos: Position, message: String },
    /// A configured [`crate::Limits`] value was exceeded.
    #[error("{pos}: {limit} exceeds the limit of {max}")]
    LimitExceeded { pos: Position, limit: &'static str, max: usize },
    /// Canonicalization was asked for something that is not possible.
    #[error("cannot canonicalize: {0}")]
    C14n(String),
    /// An algorithm URI this crate does not implement.
    #[error("unsupported canonicalization algorithm {0:?}")]
    UnknownAlgorithm(String),
    /// Writing the output failed.
    #[error("write failed: {0}")]
    Io(String),

    // --- XML Signature (the `dsig` module) ---
    /// The Signature element breaks the XML-DSig schema or the accepted profile.
    #[error("{pos}: {message}")]
    SignatureMalformed { pos: Position, message: String },
    /// A signature, digest, canonicalization or transform algorithm outside the allowlist.
    #[error("{role} algorithm {uri:?} refused: {reason}")]
    AlgorithmRefused { role: &'static str, uri: String, reason: &'static str },
    /// The `ds:Reference` URI is not of the form `#ID` (empty, external, XPointer).
    #[error(
        "{pos}: Reference URI {uri:?} refused: only a same-document reference by ID (\"#ID\") is accepted"
    )]
    SignatureReferenceForm { pos: Position, uri: String },
    /// No element carries the ID a `ds:Reference` names (or a signer was asked to sign).
    #[error("Reference URI \"#{id}\" does not match any element's ID")]
    SignatureReferenceUnresolved { id: String },
    /// The `ds:Reference` resolves, but not to the element the caller requires
    /// ([`crate::dsig::VerifyOptions::expected_reference`]).
    #[error(
        "{pos}: Reference URI \"#{id}\" resolves to {found}, not the element that contains it (the only element accepted as signed)"
    )]
    SignatureReferenceUnexpected { pos: Position, id: String, found: String },
    /// Several elements carry the same ID, so a reference to it is ambiguous.
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
    SigningFailed(String),
}

impl XmlError {
    /// Where in the input the error was found, when it concerns the input.
    pub fn position(&self) -> Option<Position> {
        use XmlError::*;
        match self {
            Doctype { pos }
            | InvalidUtf8 { pos }
            | UnsupportedEncoding { pos, .. }
            | InvalidChar { pos, .. }
            | UndefinedEntity { pos, .. }
            | BadReference { pos, .. }
            | InvalidName { pos, .. }
            | MismatchedEndTag { pos, .. }
            | UnexpectedEndTag { pos, .. }
            | UnclosedElement { pos, .. }
            | DuplicateAttribute { pos, .. }
            | UndeclaredPrefix { pos, .. }
            | BadNamespaceDeclaration { pos, .. }
            | ContentOutsideRoot { pos, .. }
            | NoRootElement { pos }
            | Syntax { pos, .. }
            | LimitExceeded { pos, .. }
            | SignatureMalformed { pos, .. }
            | SignatureReferenceForm { pos, .. }
            | SignatureReferenceUnexpected { pos, .. } => Some(*pos),
            C14n(_)
            | UnknownAlgorithm(_)
            | Io(_)
            | AlgorithmRefused { .. }
            | SignatureReferenceUnresolved { .. }
            | DuplicateId { .. }
            | DigestMismatch { .. }
            | SignatureMismatch { .. }
            | UntrustedCertificate { .. }
            | NoSuitableKey { .. }
            | SigningFailed(_) => None,
        }
    }

    /// Whether this is an XML Signature failure (a signature that could not be created or was
    /// not accepted) rather than a parse, canonicalization or output error.
    pub fn is_signature_error(&self) -> bool {
        use XmlError::*;
        match self {
            SignatureMalformed { .. }
            | AlgorithmRefused { .. }
            | SignatureReferenceForm { .. }
            | SignatureReferenceUnresolved { .. }
            | SignatureReferenceUnexpected { .. }
            | DuplicateId { .. }
            | DigestMismatch { .. }
            | SignatureMismatch { .. }
            | UntrustedCertificate { .. }
            | NoSuitableKey { .. }
            | SigningFailed(_) => true,
            Doctype { .. }
            | InvalidUtf8 { .. }
            | UnsupportedEncoding { .. }
            | InvalidChar { .. }
            | UndefinedEntity { .. }
            | BadReference { .. }
            | InvalidName { .. }
            | MismatchedEndTag { .. }
            | UnexpectedEndTag { .. }
            | UnclosedElement { .. }
            | DuplicateAttribute { .. }
            | UndeclaredPrefix { .. }
            | BadNamespaceDeclaration { .. }
            | ContentOutsideRoot { .. }
            | NoRootElement { .. }
            | Syntax { .. }
            | LimitExceeded { .. }
            | C14n(_)
            | UnknownAlgorithm(_)
            | Io(_) => false,
        }
    }
}

impl From<std::io::Error> for XmlError {
    fn from(e: std::io::Error) -> Self {
        XmlError::Io(e.to_string())
    }
}
