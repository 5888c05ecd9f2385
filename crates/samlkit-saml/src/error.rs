//! The one error type of this crate. Every variant has a stable machine-readable code
//! ([`SamlError::code`]) and a message in the words SAML administrators use ("Signature Invalid",
//! "Audience Invalid", "Assertion Expired", …).

use thiserror::Error;

/// Everything that can go wrong while decoding, building, signing or verifying a SAML message.
///
/// [`SamlError::is_input_error`] separates "this is not a readable SAML message" (exit 2 in the
/// CLI) from "the message was read and failed a check" (exit 1).
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SamlError {
    /// The input is not XML, base64, a form body or deflated base64.
    #[error("Malformed Input: {0}")]
    MalformedInput(String),
    /// The XML could not be parsed (message includes line:column).
    #[error("Malformed XML: {0}")]
    MalformedXml(String),
    /// A document type declaration was found; DTDs and entities are never processed.
    #[error(
        "DOCTYPE Refused: the document contains a DOCTYPE declaration at {line}:{column}; DTDs and entities are never processed"
    )]
    DoctypeRefused { line: u32, column: u32 },
    /// The root element is not something this operation handles.
    #[error("Unexpected Document: {0}")]
    UnexpectedDocument(String),
    /// Two elements share an ID value, so a reference could resolve to either.
    #[error("Duplicate ID: the ID \"{0}\" appears on more than one element")]
    DuplicateId(String),
    /// An EncryptedAssertion is present; decryption is not supported and it is never ignored.
    #[error(
        "Encrypted Assertion Unsupported: the response carries an EncryptedAssertion; samlkit does not decrypt assertions"
    )]
    EncryptedAssertionUnsupported,
    /// The response does not hold exactly one Assertion.
    #[error("Assertion Count Invalid: expected exactly one Assertion, found {0}")]
    AssertionCount(usize),
    /// No signature where one is required.
    #[error("Signature Missing: {0}")]
    SignatureMissing(String),
    /// A Signature element sits somewhere the profile does not allow.
    #[error("Signature Misplaced: {0}")]
    SignatureMisplaced(String),
    /// The signature's Reference does not point at the element that contains the signature.
    #[error("Signature Reference Invalid: {0}")]
    ReferenceInvalid(String),
    /// The Signature element does not follow the XML-DSig schema or the accepted profile.
    #[error("Signature Malformed: {0}")]
    SignatureMalformed(String),
    /// An algorithm or transform outside the allowlist.
    #[error("Algorithm Refused: {0}")]
    AlgorithmRefused(String),
    /// The digest of the referenced content does not match DigestValue.
    #[error("Digest Mismatch: {0}")]
    DigestMismatch(String),
    /// The signature value does not verify with any trusted certificate.
    #[error("Signature Invalid: {0}")]
    SignatureInvalid(String),
    /// KeyInfo names a certificate that is not among the trusted ones.
    #[error("Certificate Not Trusted: {0}")]
    UntrustedCertificate(String),
    /// Status is not `urn:oasis:names:tc:SAML:2.0:status:Success`.
    #[error("Status Not Success: {0}")]
    StatusNotSuccess(String),
    /// NotOnOrAfter (Conditions or SubjectConfirmationData) is in the past.
    #[error("Assertion Expired: {0}")]
    AssertionExpired(String),
    /// Conditions NotBefore is in the future.
    #[error("Assertion Not Yet Valid: {0}")]
    AssertionNotYetValid(String),
    /// The configured audience is not in every AudienceRestriction.
    #[error("Audience Invalid: {0}")]
    AudienceInvalid(String),
    /// SubjectConfirmationData Recipient (or the Response Destination) is not the configured one.
    #[error("Recipient Mismatched: {0}")]
    RecipientMismatched(String),
    /// The Issuer is not the configured one.
    #[error("Issuer Mismatched: {0}")]
    IssuerMismatched(String),
    /// InResponseTo is not the configured request ID.
    #[error("InResponseTo Mismatched: {0}")]
    InResponseToMismatched(String),
    /// No usable bearer SubjectConfirmation.
    #[error("Subject Confirmation Invalid: {0}")]
    SubjectConfirmationInvalid(String),
    /// A required element or attribute is missing or unreadable.
    #[error("Assertion Invalid: {0}")]
    AssertionInvalid(String),
    /// A signing key, certificate or option is unusable.
    #[error("Signing Failed: {0}")]
    SigningFailed(String),
    /// A signed identity value (NameID, Issuer, Audience, AttributeValue) contains an XML
    /// comment. Canonicalization drops comments, so the signature still verifies, but SPs that
    /// read only the first text node see a truncated value (`alice@example.com<!---->.evil.com`):
    /// no honest IdP writes one, so the message is refused.
    #[error("Comment In Value: {0}")]
    CommentInValue(String),
    /// Metadata `validUntil` is not after now.
    #[error("Metadata Expired: {0}")]
    MetadataExpired(String),
}

impl SamlError {
    /// A stable, machine-readable code (snake_case) for scripts and the JSON output.
    pub fn code(&self) -> &'static str {
        match self {
            SamlError::MalformedInput(_) => "malformed_input",
            SamlError::MalformedXml(_) => "malformed_xml",
            SamlError::DoctypeRefused { .. } => "doctype_refused",
            SamlError::UnexpectedDocument(_) => "unexpected_document",
            SamlError::DuplicateId(_) => "duplicate_id",
            SamlError::EncryptedAssertionUnsupported => "encrypted_assertion_unsupported",
            SamlError::AssertionCount(_) => "assertion_count",
            SamlError::SignatureMissing(_) => "signature_missing",
            SamlError::SignatureMisplaced(_) => "signature_misplaced",
            SamlError::ReferenceInvalid(_) => "reference_invalid",
            SamlError::SignatureMalformed(_) => "signature_malformed",
            SamlError::AlgorithmRefused(_) => "algorithm_refused",
            SamlError::DigestMismatch(_) => "digest_mismatch",
            SamlError::SignatureInvalid(_) => "signature_invalid",
            SamlError::UntrustedCertificate(_) => "untrusted_certificate",
            SamlError::StatusNotSuccess(_) => "status_not_success",
            SamlError::AssertionExpired(_) => "assertion_expired",
            SamlError::AssertionNotYetValid(_) => "assertion_not_yet_valid",
            SamlError::AudienceInvalid(_) => "audience_invalid",
            SamlError::RecipientMismatched(_) => "recipient_mismatched",
            SamlError::IssuerMismatched(_) => "issuer_mismatched",
            SamlError::InResponseToMismatched(_) => "in_response_to_mismatched",
            SamlError::SubjectConfirmationInvalid(_) => "subject_confirmation_invalid",
            SamlError::AssertionInvalid(_) => "assertion_invalid",
            SamlError::SigningFailed(_) => "signing_failed",
            SamlError::CommentInValue(_) => "comment_in_value",
            SamlError::MetadataExpired(_) => "metadata_expired",
        }
    }

    /// True when the input could not be read as a SAML message at all (CLI exit 2), false when
    /// it was read and a check failed (CLI exit 1).
    pub fn is_input_error(&self) -> bool {
        matches!(
            self,
            SamlError::MalformedInput(_) | SamlError::MalformedXml(_) | SamlError::SigningFailed(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_snake_case_and_messages_use_admin_vocabulary() {
        let cases = [
            (SamlError::AudienceInvalid("x".into()), "audience_invalid", "Audience Invalid: x"),
            (SamlError::AssertionExpired("x".into()), "assertion_expired", "Assertion Expired: x"),
            (SamlError::SignatureInvalid("x".into()), "signature_invalid", "Signature Invalid: x"),
            (SamlError::IssuerMismatched("x".into()), "issuer_mismatched", "Issuer Mismatched: x"),
        ];
        for (err, code, message) in cases {
            assert_eq!(err.code(), code);
            assert_eq!(err.to_string(), message);
            assert!(!err.is_input_error());
        }
        assert!(SamlError::MalformedXml("1:1".into()).is_input_error());
    }
}
