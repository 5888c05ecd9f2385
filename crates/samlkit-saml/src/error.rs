//! The one error type of this crate, [`SamlError`]: a typed [`ErrorKind`] (with a stable
//! machine-readable [`ErrorKind::code`] and the words SAML administrators use,
//! [`ErrorKind::title`]), a lowercase detail saying what and where, and an optional [`Hint`]
//! that a front end may turn into advice in its own terms (a flag, a setting).
//!
//! **Document data in messages.** Details quote values found in the message being checked
//! (issuer, audience, recipient and InResponseTo values, IDs, element names, status messages),
//! and those may be chosen by an attacker: they are not escaped for HTML or terminals. Show
//! [`ErrorKind::title`] or [`ErrorKind::code`] to a browser, log the detail, and escape it before
//! printing it anywhere it could be interpreted.

use std::fmt;

/// What kind of failure a [`SamlError`] is.
///
/// ```
/// use samlkit_saml::ErrorKind;
/// assert_eq!(ErrorKind::AudienceInvalid.code(), "audience_invalid");
/// assert_eq!(ErrorKind::AudienceInvalid.title(), "Audience Invalid");
/// assert!(!ErrorKind::AudienceInvalid.is_input_error());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The input is not XML, base64, a form body or deflated base64.
    MalformedInput,
    /// The XML could not be parsed (the detail includes line:column).
    MalformedXml,
    /// A document type declaration was found; DTDs and entities are never processed.
    DoctypeRefused,
    /// The root element is not something this operation handles.
    UnexpectedDocument,
    /// Two elements share an ID value, so a reference could resolve to either.
    DuplicateId,
    /// An EncryptedAssertion is present; it is never ignored.
    EncryptedAssertionUnsupported,
    /// The response does not hold exactly one Assertion.
    AssertionCount,
    /// No signature where one is required.
    SignatureMissing,
    /// A Signature element sits somewhere the profile does not allow.
    SignatureMisplaced,
    /// The signature's Reference does not point at the element that contains the signature.
    ReferenceInvalid,
    /// The Signature element does not follow the XML-DSig schema or the accepted profile.
    SignatureMalformed,
    /// An algorithm or transform outside the allowlist.
    AlgorithmRefused,
    /// The digest of the referenced content does not match DigestValue.
    DigestMismatch,
    /// The signature value does not verify with any trusted certificate.
    SignatureInvalid,
    /// KeyInfo names a certificate that is not among the trusted ones.
    UntrustedCertificate,
    /// The signature verifies with a trusted RSA key smaller than the policy accepts (the
    /// detail names its size).
    KeyTooSmall,
    /// Status is not `urn:oasis:names:tc:SAML:2.0:status:Success`.
    StatusNotSuccess,
    /// NotOnOrAfter (Conditions or SubjectConfirmationData) is in the past.
    AssertionExpired,
    /// A NotBefore is in the future.
    AssertionNotYetValid,
    /// The expected audience is not in every AudienceRestriction.
    AudienceInvalid,
    /// SubjectConfirmationData Recipient (or the Response Destination) is not the expected one.
    RecipientMismatched,
    /// The Issuer is not the expected one.
    IssuerMismatched,
    /// InResponseTo is not one of the expected request IDs (or is missing, or unsolicited).
    InResponseToMismatched,
    /// No usable bearer SubjectConfirmation.
    SubjectConfirmationInvalid,
    /// A required element or attribute is missing or unreadable.
    AssertionInvalid,
    /// A signing key, certificate or option is unusable.
    SigningFailed,
    /// The private key is not the one the signing certificate certifies.
    KeyMismatch,
    /// A signed identity value (NameID, Issuer, Audience, AttributeValue) contains an XML
    /// comment. Canonicalization drops comments, so the signature still verifies, but SPs that
    /// read only the first text node see a truncated value (`alice@example.com<!---->.evil.com`):
    /// no honest IdP writes one, so the message is refused.
    CommentInValue,
    /// Metadata `validUntil` is not after now.
    MetadataExpired,
    /// The Assertion ID was seen before (a replay).
    Replayed,
    /// The Assertion has no AuthnStatement (the Web Browser SSO profile requires one).
    AuthnStatementMissing,
    /// The AuthnStatement's SessionNotOnOrAfter has passed.
    SessionExpired,
    /// A Condition the verifier does not understand (SAML core §2.5.1.1 makes the assertion
    /// Indeterminate, which is not Valid).
    ConditionNotUnderstood,
    /// `Version` is not `2.0` on the Response or the Assertion.
    VersionInvalid,
    /// An Issuer with a Format other than entity (SAML profiles §4.1.4.2).
    IssuerFormatInvalid,
    /// An EncryptedAttribute: it cannot be read, and is never silently dropped.
    EncryptedAttributeUnsupported,
    /// A signed `saml:Assertion` on its own, without a Response, where the policy requires one.
    BareAssertion,
    /// A form body with the same parameter twice (SAMLResponse or RelayState): servers differ
    /// in which one they read.
    DuplicateParameter,
    /// An element where the SAML schema allows none (a Response child outside the SAML and
    /// XML-DSig namespaces' list).
    UnexpectedElement,
    /// The trusted certificate that verified is expired or not yet valid, and the policy
    /// refuses that.
    CertificateExpired,
    /// The replay cache is full of assertions that could still be replayed, so a new one is
    /// refused rather than forgetting one of them.
    ReplayCacheFull,
    /// An encrypted element could not be decrypted: one answer for every cause (wrong key, bad
    /// padding, tag mismatch, malformed plaintext), so that it cannot serve as an oracle.
    DecryptionFailed,
    /// A decrypted assertion carries no valid signature of its own and no Response signature
    /// covers it: anyone can encrypt to the SP's public certificate.
    AssertionNotSigned,
    /// AES-CBC content that no verified Response signature covers (unauthenticated encryption).
    CbcUnsigned,
    /// An EncryptedAssertion, EncryptedID or EncryptedAttribute outside the XML Encryption shape
    /// samlkit reads.
    EncryptedDataMalformed,
    /// An identity provider received a message from an entity it has no registration for.
    UnknownServiceProvider,
    /// An AuthnRequest names an AssertionConsumerService URL or index the SP never registered.
    AcsNotRegistered,
    /// A request's Destination is not this identity provider's endpoint.
    DestinationMismatched,
    /// A request's IssueInstant is too old, or too far in the future.
    RequestStale,
    /// A request ID was seen before (a replayed request).
    RequestReplayed,
    /// The request asks for something this identity provider does not offer (a NameID format,
    /// a response binding).
    RequestUnsupported,
    /// `sp-audit` could not learn what a login and a refusal look like at the SP: its answers
    /// to a genuine response and to a broken signature cannot be told apart, or its whoami page
    /// contradicts them.
    AuditBaselinesUnusable,
}

impl ErrorKind {
    /// A stable, machine-readable code (snake_case) for scripts and JSON output.
    pub fn code(self) -> &'static str {
        self.names().0
    }

    /// The name SAML administrators use for this failure ("Audience Invalid"), for people.
    pub fn title(self) -> &'static str {
        self.names().1
    }

    /// True when the input could not be read as a SAML message at all, or an option is unusable
    /// (the CLI exits 2), false when it was read and a check failed (exit 1).
    pub fn is_input_error(self) -> bool {
        matches!(
            self,
            ErrorKind::MalformedInput
                | ErrorKind::MalformedXml
                | ErrorKind::SigningFailed
                | ErrorKind::KeyMismatch
                | ErrorKind::AuditBaselinesUnusable
        )
    }

    fn names(self) -> (&'static str, &'static str) {
        use ErrorKind::*;
        match self {
            MalformedInput => ("malformed_input", "Malformed Input"),
            MalformedXml => ("malformed_xml", "Malformed XML"),
            DoctypeRefused => ("doctype_refused", "DOCTYPE Refused"),
            UnexpectedDocument => ("unexpected_document", "Unexpected Document"),
            DuplicateId => ("duplicate_id", "Duplicate ID"),
            EncryptedAssertionUnsupported => {
                ("encrypted_assertion_unsupported", "Encrypted Assertion Unsupported")
            }
            AssertionCount => ("assertion_count", "Assertion Count Invalid"),
            SignatureMissing => ("signature_missing", "Signature Missing"),
            SignatureMisplaced => ("signature_misplaced", "Signature Misplaced"),
            ReferenceInvalid => ("reference_invalid", "Signature Reference Invalid"),
            SignatureMalformed => ("signature_malformed", "Signature Malformed"),
            AlgorithmRefused => ("algorithm_refused", "Algorithm Refused"),
            DigestMismatch => ("digest_mismatch", "Digest Mismatch"),
            SignatureInvalid => ("signature_invalid", "Signature Invalid"),
            UntrustedCertificate => ("untrusted_certificate", "Certificate Not Trusted"),
            KeyTooSmall => ("key_too_small", "Key Too Small"),
            StatusNotSuccess => ("status_not_success", "Status Not Success"),
            AssertionExpired => ("assertion_expired", "Assertion Expired"),
            AssertionNotYetValid => ("assertion_not_yet_valid", "Assertion Not Yet Valid"),
            AudienceInvalid => ("audience_invalid", "Audience Invalid"),
            RecipientMismatched => ("recipient_mismatched", "Recipient Mismatched"),
            IssuerMismatched => ("issuer_mismatched", "Issuer Mismatched"),
            InResponseToMismatched => ("in_response_to_mismatched", "InResponseTo Mismatched"),
            SubjectConfirmationInvalid => {
                ("subject_confirmation_invalid", "Subject Confirmation Invalid")
            }
            AssertionInvalid => ("assertion_invalid", "Assertion Invalid"),
            SigningFailed => ("signing_failed", "Signing Failed"),
            KeyMismatch => ("key_mismatch", "Key Mismatch"),
            CommentInValue => ("comment_in_value", "Comment In Value"),
            MetadataExpired => ("metadata_expired", "Metadata Expired"),
            Replayed => ("replayed", "Assertion Replayed"),
            AuthnStatementMissing => ("authn_statement_missing", "AuthnStatement Missing"),
            SessionExpired => ("session_expired", "Session Expired"),
            ConditionNotUnderstood => ("condition_not_understood", "Condition Not Understood"),
            VersionInvalid => ("version_invalid", "Version Invalid"),
            IssuerFormatInvalid => ("issuer_format_invalid", "Issuer Format Invalid"),
            EncryptedAttributeUnsupported => {
                ("encrypted_attribute_unsupported", "Encrypted Attribute Unsupported")
            }
            BareAssertion => ("bare_assertion", "Bare Assertion Refused"),
            DuplicateParameter => ("duplicate_parameter", "Duplicate Form Parameter"),
            UnexpectedElement => ("unexpected_element", "Unexpected Element"),
            CertificateExpired => ("certificate_expired", "Certificate Expired"),
            ReplayCacheFull => ("replay_cache_full", "Replay Cache Full"),
            DecryptionFailed => ("decryption_failed", "Decryption Failed"),
            AssertionNotSigned => ("assertion_not_signed", "Assertion Not Signed"),
            CbcUnsigned => ("cbc_unsigned", "Unsigned CBC Refused"),
            EncryptedDataMalformed => ("encrypted_data_malformed", "Encrypted Data Malformed"),
            UnknownServiceProvider => ("unknown_service_provider", "Unknown Service Provider"),
            AcsNotRegistered => ("acs_not_registered", "ACS URL Not Registered"),
            DestinationMismatched => ("destination_mismatched", "Destination Mismatched"),
            RequestStale => ("request_stale", "Request Stale"),
            RequestReplayed => ("request_replayed", "Request Replayed"),
            RequestUnsupported => ("request_unsupported", "Request Unsupported"),
            AuditBaselinesUnusable => ("audit_baselines_unusable", "Audit Baselines Unusable"),
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Something a caller could change to get past an error, named without the caller's vocabulary:
/// a command-line front end turns it into a flag, a web front end into a setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Hint {
    /// SHA-1 was refused; it can be explicitly allowed for a legacy peer.
    AllowSha1,
    /// A 1024-bit RSA key was refused; it can be explicitly allowed for a legacy peer.
    AllowRsa1024,
    /// The document is signed metadata: check it with the metadata verifier instead.
    VerifyAsMetadata,
    /// There is no Assertion to sign: sign the Response instead.
    SignTheResponse,
    /// This broken-response kind needs the audience the SP expects.
    NeedsAudience,
    /// This broken-response kind needs the SP's ACS URL.
    NeedsRecipient,
    /// A bare Assertion was refused; it can be explicitly allowed.
    AllowBareAssertion,
    /// Encrypted content arrived and no decryption key was given.
    NeedsDecryptionKey,
    /// Unsigned AES-CBC was refused; it can be explicitly allowed.
    AllowCbcUnsigned,
    /// This broken-response kind encrypts to the SP and needs its certificate.
    NeedsEncryptionCertificate,
}

/// Everything that can go wrong while decoding, building, signing or verifying a SAML message.
///
/// `Display` gives `kind: detail` in lowercase words (`audience invalid: "https://sp" is not
/// among the audiences ["https://other"]`); [`ErrorKind::title`] gives the administrators' name.
///
/// ```
/// use samlkit_saml::{ErrorKind, SamlError};
/// let err = samlkit_saml::decode_input(b"").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::MalformedInput);
/// assert_eq!(err.code(), "malformed_input");
/// assert!(err.to_string().starts_with("malformed input: "));
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{}: {detail}", lowercase_title(*.kind))]
pub struct SamlError {
    kind: ErrorKind,
    detail: String,
    hint: Option<Hint>,
}

impl SamlError {
    /// An error of `kind` with a detail saying what and where.
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> SamlError {
        SamlError { kind, detail: detail.into(), hint: None }
    }

    /// The same error with a [`Hint`] attached.
    pub fn with_hint(mut self, hint: Hint) -> SamlError {
        self.hint = Some(hint);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable machine-readable code of the kind (`audience_invalid`, …).
    pub fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// What exactly is wrong, and where (may quote document data: see the module docs).
    pub fn detail(&self) -> &str {
        &self.detail
    }

    /// What the caller could change, if anything.
    pub fn hint(&self) -> Option<Hint> {
        self.hint
    }

    /// See [`ErrorKind::is_input_error`].
    pub fn is_input_error(&self) -> bool {
        self.kind.is_input_error()
    }
}

/// The title in lowercase words, except element names and acronyms.
fn lowercase_title(kind: ErrorKind) -> String {
    let words: Vec<String> = kind
        .title()
        .split(' ')
        .map(|word| {
            // Element names (InResponseTo, AuthnStatement) and acronyms (XML, ID) keep their
            // capitals: any word with a capital after its first letter.
            if word.chars().skip(1).any(|c| c.is_ascii_uppercase()) {
                word.to_string()
            } else {
                word.to_ascii_lowercase()
            }
        })
        .collect();
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_codes_titles_and_lowercase_messages() {
        let cases = [
            (
                ErrorKind::AudienceInvalid,
                "audience_invalid",
                "Audience Invalid",
                "audience invalid: x",
            ),
            (
                ErrorKind::AssertionExpired,
                "assertion_expired",
                "Assertion Expired",
                "assertion expired: x",
            ),
            (ErrorKind::MalformedXml, "malformed_xml", "Malformed XML", "malformed XML: x"),
            (ErrorKind::DoctypeRefused, "doctype_refused", "DOCTYPE Refused", "DOCTYPE refused: x"),
            (
                ErrorKind::InResponseToMismatched,
                "in_response_to_mismatched",
                "InResponseTo Mismatched",
                "InResponseTo mismatched: x",
            ),
            (
                ErrorKind::UntrustedCertificate,
                "untrusted_certificate",
                "Certificate Not Trusted",
                "certificate not trusted: x",
            ),
            (ErrorKind::KeyTooSmall, "key_too_small", "Key Too Small", "key too small: x"),
        ];
        for (kind, code, title, message) in cases {
            let err = SamlError::new(kind, "x");
            assert_eq!(err.code(), code);
            assert_eq!(kind.title(), title);
            assert_eq!(err.to_string(), message);
        }
        assert!(SamlError::new(ErrorKind::MalformedXml, "1:1").is_input_error());
        assert!(!SamlError::new(ErrorKind::SignatureInvalid, "x").is_input_error());
    }

    #[test]
    fn a_hint_is_kept_apart_from_the_message() {
        let err =
            SamlError::new(ErrorKind::AlgorithmRefused, "rsa-sha1").with_hint(Hint::AllowSha1);
        assert_eq!(err.hint(), Some(Hint::AllowSha1));
        assert_eq!(err.to_string(), "algorithm refused: rsa-sha1");
    }
}
