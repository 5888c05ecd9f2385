//! The battery: every `--break` kind, plus the cases only a live service provider can show
//! (replay, InResponseTo of another request, Destination mismatch, unsolicited response), each
//! with the reference a tester looks the attack up by.

use crate::breaks::{BreakInput, BreakKind, build_broken_response};
use crate::{SamlError, build_response_with_ids, sign_document};

/// The Destination a `destination-mismatch` response names (its Recipient stays right).
pub const OTHER_DESTINATION: &str = "https://other-destination.samlkit.invalid/acs";

/// What a case sends, beyond a response built from the legitimate parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CaseKind {
    /// One of the `samlkit issue --break` kinds.
    Break(BreakKind),
    /// A genuine response, accepted once, then posted again in a new session.
    Replay,
    /// A genuine response whose InResponseTo names a request the SP never sent.
    OtherInResponseTo,
    /// A genuine response whose Destination is another URL (the Recipient is right).
    DestinationMismatch,
    /// A genuine response without InResponseTo, posted after the SP sent an AuthnRequest
    /// (only meaningful with `--login-url`).
    Unsolicited,
}

/// One case of the battery: its name, what it does, and where the attack is described.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuditCase {
    /// What is sent.
    pub kind: CaseKind,
    /// The CLI name (`xsw3`, `replay`, …).
    pub name: &'static str,
    /// One line saying what is broken.
    pub description: &'static str,
    /// Where the attack is described: CVE, paper, or SAML Raider's name for it.
    pub reference: &'static str,
}

impl AuditCase {
    /// True for cases that only mean something when the SP sent an AuthnRequest first
    /// (`--login-url`): without one, an unsolicited response is the genuine one.
    pub fn needs_sp_initiated(&self) -> bool {
        self.kind == CaseKind::Unsolicited
    }

    /// True for cases built by encrypting to the SP's certificate (skipped without one).
    pub fn needs_sp_encryption(&self) -> bool {
        matches!(
            self.kind,
            CaseKind::Break(
                BreakKind::UnsignedEncrypted
                    | BreakKind::Rsa15KeyTransport
                    | BreakKind::CbcUnsigned
            )
        )
    }

    /// True for the attacks on *who* logs in (signature wrapping, comment injection, a second
    /// assertion or form field): their signed part is a genuine login, so an SP that logs in
    /// exactly [`AuditCase::signed_identity`] did nothing wrong, and only the identity it shows
    /// (on `--whoami` or the final page) tells a safe SP from a vulnerable one.
    pub fn identity_attack(&self) -> bool {
        use BreakKind::*;
        matches!(
            self.kind,
            CaseKind::Break(
                Xsw1 | Xsw2
                    | Xsw3
                    | Xsw4
                    | Xsw5
                    | Xsw6
                    | Xsw7
                    | Xsw8
                    | CommentInNameId
                    | TwoAssertions
                    | DuplicateField
                    | LookalikeAssertion
            )
        )
    }

    /// The NameID the IdP's signature covers in this case's response: `name_id`, or for
    /// `comment-in-nameid` the whole signed value `NAME.evil.example` (which a careless SP cuts
    /// at the comment to `name_id`).
    pub fn signed_identity(&self, name_id: &str) -> String {
        match self.kind {
            CaseKind::Break(BreakKind::CommentInNameId) => {
                format!("{name_id}{}", crate::breaks::EVIL_DOMAIN_SUFFIX)
            }
            _ => name_id.to_string(),
        }
    }

    /// True when the payload carries a DTD or external entity. No case does today; the flag
    /// exists so that a future XXE case is never sent outside loopback (see
    /// [`payload_has_dtd`], which the CLI also checks on every payload).
    pub fn sends_dtd(&self) -> bool {
        false
    }
}

/// Every case, in the order the audit runs and `--list` prints them.
pub fn all_cases() -> Vec<AuditCase> {
    let mut cases: Vec<AuditCase> = BreakKind::ALL
        .iter()
        .map(|&kind| AuditCase {
            kind: CaseKind::Break(kind),
            name: kind.name(),
            description: kind.description(),
            reference: break_reference(kind),
        })
        .collect();
    cases.extend([
        AuditCase {
            kind: CaseKind::Replay,
            name: "replay",
            description: "a genuine response accepted once, then posted again in a new session",
            reference: "SAML profiles §4.1.4.5 (one-time use); SAML Raider: replay",
        },
        AuditCase {
            kind: CaseKind::OtherInResponseTo,
            name: "other-in-response-to",
            description: "a genuine response answering another AuthnRequest (InResponseTo of a request the SP never sent)",
            reference: "SAML profiles §4.1.4.3; CVE-2022-41912 (crewjam/saml)",
        },
        AuditCase {
            kind: CaseKind::DestinationMismatch,
            name: "destination-mismatch",
            description: "a genuine response whose Destination is another URL (the Recipient is right)",
            reference: "SAML bindings §3.5.5.2; CWE-346",
        },
        AuditCase {
            kind: CaseKind::Unsolicited,
            name: "unsolicited",
            description: "a genuine response without InResponseTo while the SP waits for the answer to its AuthnRequest (needs --login-url)",
            reference: "SAML profiles §4.1.5 (unsolicited responses); login CSRF",
        },
    ]);
    cases
}

/// Finds a case by its CLI name.
pub fn case_by_name(name: &str) -> Option<AuditCase> {
    all_cases().into_iter().find(|c| c.name == name)
}

fn break_reference(kind: BreakKind) -> &'static str {
    match kind {
        BreakKind::Xsw1 => "SAML Raider: XSW1; Somorovsky et al., USENIX Security 2012",
        BreakKind::Xsw2 => "SAML Raider: XSW2; Somorovsky et al., USENIX Security 2012",
        BreakKind::Xsw3 => "SAML Raider: XSW3; Somorovsky et al., USENIX Security 2012",
        BreakKind::Xsw4 => "SAML Raider: XSW4; Somorovsky et al., USENIX Security 2012",
        BreakKind::Xsw5 => "SAML Raider: XSW5; Somorovsky et al., USENIX Security 2012",
        BreakKind::Xsw6 => "SAML Raider: XSW6; Somorovsky et al., USENIX Security 2012",
        BreakKind::Xsw7 => "SAML Raider: XSW7; Somorovsky et al., USENIX Security 2012",
        BreakKind::Xsw8 => "SAML Raider: XSW8; Somorovsky et al., USENIX Security 2012",
        BreakKind::CommentInNameId => {
            "CVE-2017-11427 (python-saml), CVE-2017-11428, CVE-2018-0489; Duo Labs 2018"
        }
        BreakKind::DupId => "CVE-2021-21239 (pysaml2); Somorovsky et al. 2012",
        BreakKind::BadDigest => "SAML Raider: tampered value; XML-DSig core §3.2.1",
        BreakKind::BadSignature => "SAML Raider: invalid signature; XML-DSig core §3.2.2",
        BreakKind::Unsigned => "SAML Raider: Remove Signatures; CVE-2020-5390 (pysaml2)",
        BreakKind::WrongKey => "SAML Raider: Resign with a self-signed certificate",
        BreakKind::Sha1 => "SHAttered (2017); NIST SP 800-131A",
        BreakKind::Expired => "SAML core §2.5.1.2 (NotOnOrAfter)",
        BreakKind::NotYetValid => "SAML core §2.5.1.2 (NotBefore)",
        BreakKind::WrongAudience => "SAML core §2.5.1.4; a response for another SP",
        BreakKind::WrongRecipient => "SAML profiles §4.1.4.3 (Recipient)",
        BreakKind::WrongIssuer => "SAML profiles §4.1.4.2 (Issuer)",
        BreakKind::StatusResponder => "SAML core §3.2.2.2 (StatusCode)",
        BreakKind::TwoAssertions => "Somorovsky et al. 2012; SAML Raider: XSW3 variant",
        BreakKind::KeyinfoSwap => "CVE-2022-41912; SAML Raider: Send Certificate to Certificates",
        BreakKind::NoAuthnStatement => "SAML profiles §4.1.4.2 (AuthnStatement)",
        BreakKind::SessionExpired => "SAML core §2.7.2 (SessionNotOnOrAfter)",
        BreakKind::UnknownCondition => "SAML core §2.5.1 (Indeterminate conditions)",
        BreakKind::WrongVersion => "SAML core §3.2.2 (Version)",
        BreakKind::IssuerFormat => "SAML profiles §4.1.4.2 (Issuer Format)",
        BreakKind::BareAssertion => "SAML bindings §3.5.3 (SAMLResponse must be a Response)",
        BreakKind::DuplicateField => "HTTP parameter pollution; CWE-235",
        BreakKind::LookalikeAssertion => "Namespace confusion; Mainka et al. 2012",
        BreakKind::UnsignedEncrypted => "CVE-2024-45409 (ruby-saml); Jager & Somorovsky, CCS 2011",
        BreakKind::Rsa15KeyTransport => "Bleichenbacher (1998); Jager et al., ESORICS 2012",
        BreakKind::CbcUnsigned => "Jager & Somorovsky, How to Break XML Encryption, CCS 2011",
    }
}

/// What one case posts to the ACS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Payload {
    /// A response document, posted as the base64 `SAMLResponse` field.
    Xml(String),
    /// A whole form body, posted as is (`duplicate-field`).
    FormBody(String),
}

impl Payload {
    /// The bytes that are sent or saved.
    pub fn text(&self) -> &str {
        match self {
            Payload::Xml(s) | Payload::FormBody(s) => s,
        }
    }
}

/// True when `text` declares a DTD (and so could carry entities): such a payload is never sent
/// outside loopback.
///
/// ```
/// use samlkit_saml::audit::payload_has_dtd;
/// assert!(payload_has_dtd("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r/>"));
/// assert!(!payload_has_dtd("<samlp:Response/>"));
/// ```
pub fn payload_has_dtd(text: &str) -> bool {
    let upper = text.to_ascii_uppercase();
    upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY")
}

/// Builds what `case` posts: the genuine response (signed as `input.profile` says, with the
/// parameters in `input.params`) edited as the case says. For [`CaseKind::Replay`] it is the
/// genuine response itself (the second posting is the attack); for
/// [`CaseKind::OtherInResponseTo`] `other_request_id` becomes the InResponseTo.
pub fn build_case(
    case: &AuditCase,
    input: &BreakInput<'_>,
    other_request_id: &str,
) -> Result<Payload, SamlError> {
    let mut params = input.params.clone();
    match case.kind {
        CaseKind::Break(BreakKind::DuplicateField) => {
            return build_broken_response(BreakKind::DuplicateField, input).map(Payload::FormBody);
        }
        CaseKind::Break(kind) => return build_broken_response(kind, input).map(Payload::Xml),
        CaseKind::Replay => {}
        CaseKind::OtherInResponseTo => params.in_response_to = Some(other_request_id.to_string()),
        CaseKind::DestinationMismatch => params.destination = Some(OTHER_DESTINATION.to_string()),
        CaseKind::Unsolicited => params.in_response_to = None,
    }
    let edited = BreakInput { params, ..input.clone() };
    genuine_response(&edited).map(Payload::Xml)
}

/// The genuine response: the legitimate parameters, signed with the IdP's key as the profile
/// says (the baseline a correct SP accepts).
pub fn genuine_response(input: &BreakInput<'_>) -> Result<String, SamlError> {
    let built = build_response_with_ids(&input.params, input.ids.clone());
    sign_document(&built.xml, input.idp, &input.profile)
}
