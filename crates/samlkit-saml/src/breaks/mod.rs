//! Deliberately broken responses for service-provider test harnesses: each [`BreakKind`] is one
//! known way a SAML Response must be rejected, built on top of a validly signed response with
//! the caller's legitimate parameters (so that the one defect is the only reason to reject it).
//!
//! The signature-wrapping kinds follow SAML Raider's XSW1–XSW8: each keeps a genuinely signed
//! element somewhere a careless SP still finds the signature valid, and adds an attacker-controlled
//! copy whose NameID is [`EVIL_NAME_ID`]. [`BreakKind::expected_code`] names the
//! [`SamlError::code`] with which `samlkit verify` rejects each kind.
//!
//! Every kind is one row of a table: what it changes in the legitimate parameters, what it edits
//! before signing, how and by whom it is signed, and what it splices in afterwards.

mod recipe;
mod text;

use samlkit_cert::{Certificate, PrivateKey};

use crate::idp::ResponseShape;
use crate::idp::write_shaped_response;
use crate::{
    ErrorKind, PrefixStyle, ResponseIds, ResponseParams, SamlError, SignTarget, SigningCredential,
    SigningProfile,
};
use recipe::{
    AssertionWrap, EncryptBreak, ParamEdit, ProfileEdit, Recipe, ResponseWrap, SIGNED, Signing,
    Splice, XmlEdit,
};

/// The NameID an attacker substitutes in wrapping attacks.
pub const EVIL_NAME_ID: &str = "attacker@evil.example";
/// The audience a `wrong-audience` response names instead of the requested one.
pub const WRONG_AUDIENCE: &str = "https://wrong-audience.samlkit.invalid";
/// The recipient (and Destination) a `wrong-recipient` response names.
pub const WRONG_RECIPIENT: &str = "https://wrong-recipient.samlkit.invalid/acs";
/// The Issuer a `wrong-issuer` response names.
pub const WRONG_ISSUER: &str = "https://wrong-issuer.samlkit.invalid";
const STATUS_RESPONDER: &str = "urn:oasis:names:tc:SAML:2.0:status:Responder";
/// What `comment-in-nameid` signs after the honest NameID, and splits off with a comment.
pub(crate) const EVIL_DOMAIN_SUFFIX: &str = ".evil.example";

/// A public, never-trusted key pair (CN=attacker.example.com), used by `wrong-key` and
/// `keyinfo-swap`; the same bytes as the workspace's `fixtures/keys/attacker.key` and
/// `fixtures/certs/attacker.crt`.
const ATTACKER_KEY_PEM: &str = include_str!("../../data/attacker.key");
const ATTACKER_CERT_PEM: &str = include_str!("../../data/attacker.crt");

macro_rules! break_kinds {
    ($($variant:ident = $name:literal, $code:literal, $desc:literal, $recipe:expr;)*) => {
        /// One way to break a response. See [`BreakKind::ALL`] and [`BreakKind::description`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BreakKind {
            $(
                #[doc = $desc]
                $variant,
            )*
        }

        impl BreakKind {
            /// Every kind, in the order `--break list` prints them.
            pub const ALL: &'static [BreakKind] = &[$(BreakKind::$variant,)*];

            /// The CLI name (`xsw1`, `comment-in-nameid`, …).
            pub fn name(self) -> &'static str {
                match self { $(BreakKind::$variant => $name,)* }
            }

            /// One line saying what is broken.
            pub fn description(self) -> &'static str {
                match self { $(BreakKind::$variant => $desc,)* }
            }

            /// The [`SamlError::code`] `samlkit verify` rejects it with (configured with the
            /// legitimate certificate, audience, recipient and issuer, at the same `now`).
            pub fn expected_code(self) -> &'static str {
                match self { $(BreakKind::$variant => $code,)* }
            }

            /// How the kind is made.
            fn recipe(self) -> Recipe {
                match self { $(BreakKind::$variant => $recipe,)* }
            }
        }
    };
}

break_kinds! {
    Xsw1 = "xsw1", "duplicate_id",
        "signed Response copied (unsigned) into the Signature of an evil Response with a new ID and NameID",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Response),
            after_signing: Splice::WrapResponse(ResponseWrap::InSignature),
            ..SIGNED
        };
    Xsw2 = "xsw2", "duplicate_id",
        "signed Response copied (unsigned) just before the Signature of an evil Response (detached)",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Response),
            after_signing: Splice::WrapResponse(ResponseWrap::BeforeSignature),
            ..SIGNED
        };
    Xsw3 = "xsw3", "assertion_count",
        "evil unsigned Assertion inserted before the signed Assertion",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::WrapAssertion(AssertionWrap::EvilBefore),
            ..SIGNED
        };
    Xsw4 = "xsw4", "assertion_count",
        "signed Assertion wrapped inside an evil unsigned Assertion",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::WrapAssertion(AssertionWrap::EvilAround),
            ..SIGNED
        };
    Xsw5 = "xsw5", "assertion_count",
        "signed Assertion's values changed in place (new ID), unsigned original copy appended",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::WrapAssertion(AssertionWrap::ChangedInPlace),
            ..SIGNED
        };
    Xsw6 = "xsw6", "assertion_count",
        "evil Assertion keeps the Signature; the original Assertion is moved into that Signature",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::WrapAssertion(AssertionWrap::OriginalInSignature),
            ..SIGNED
        };
    Xsw7 = "xsw7", "assertion_count",
        "signed Assertion hidden in samlp:Extensions, evil unsigned Assertion after it",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::WrapAssertion(AssertionWrap::OriginalInExtensions),
            ..SIGNED
        };
    Xsw8 = "xsw8", "assertion_count",
        "evil Assertion keeps the Signature; the original Assertion hidden in a ds:Object inside it",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::WrapAssertion(AssertionWrap::OriginalInSignatureObject),
            ..SIGNED
        };
    CommentInNameId = "comment-in-nameid", "comment_in_value",
        "NameID signed as NAME.evil.example, then a comment inserted: NAME<!---->.evil.example",
        Recipe {
            params: ParamEdit::AppendToNameId(EVIL_DOMAIN_SUFFIX),
            after_signing: Splice::CommentBeforeNameIdSuffix(EVIL_DOMAIN_SUFFIX),
            ..SIGNED
        };
    DupId = "dup-id", "duplicate_id",
        "the Response carries the same ID as the signed Assertion",
        Recipe { after_signing: Splice::ResponseTakesAssertionId, ..SIGNED };
    BadDigest = "bad-digest", "digest_mismatch",
        "NameID changed after signing, so the digest no longer matches",
        Recipe { after_signing: Splice::EvilNameId, ..SIGNED };
    BadSignature = "bad-signature", "signature_invalid",
        "one character of SignatureValue changed",
        Recipe { after_signing: Splice::FlipSignatureValue, ..SIGNED };
    Unsigned = "unsigned", "signature_missing",
        "no signature at all: neither the Response nor the Assertion is signed",
        Recipe { signing: Signing::Unsigned, ..SIGNED };
    WrongKey = "wrong-key", "untrusted_certificate",
        "signed by the fixtures' attacker key, with the attacker's certificate in KeyInfo",
        Recipe { signing: Signing::Attacker, ..SIGNED };
    Sha1 = "sha1", "algorithm_refused",
        "signed with rsa-sha1 and a sha1 digest",
        Recipe { profile: ProfileEdit::Sha1, ..SIGNED };
    Expired = "expired", "assertion_expired",
        "NotOnOrAfter an hour (plus the validity) before --now",
        Recipe { params: ParamEdit::ExpiredAnHourAgo, ..SIGNED };
    NotYetValid = "not-yet-valid", "assertion_not_yet_valid",
        "NotBefore an hour after --now",
        Recipe { params: ParamEdit::ValidInAnHour, ..SIGNED };
    WrongAudience = "wrong-audience", "audience_invalid",
        "signed for another audience than --audience",
        Recipe { params: ParamEdit::Audience(WRONG_AUDIENCE), ..SIGNED };
    WrongRecipient = "wrong-recipient", "recipient_mismatched",
        "Recipient and Destination are another URL than --recipient",
        Recipe { params: ParamEdit::Recipient(WRONG_RECIPIENT), ..SIGNED };
    WrongIssuer = "wrong-issuer", "issuer_mismatched",
        "Issuer is another entity than --issuer (still signed by the real key)",
        Recipe { params: ParamEdit::Issuer(WRONG_ISSUER), ..SIGNED };
    StatusResponder = "status-responder", "status_not_success",
        "top-level StatusCode is Responder, not Success",
        Recipe { before_signing: XmlEdit::TopStatusCode(STATUS_RESPONDER), ..SIGNED };
    TwoAssertions = "two-assertions", "assertion_count",
        "two separately signed Assertions, the second for an evil NameID",
        Recipe {
            before_signing: XmlEdit::SecondEvilAssertion,
            profile: ProfileEdit::AssertionsToo,
            ..SIGNED
        };
    KeyinfoSwap = "keyinfo-swap", "signature_invalid",
        "signed by the attacker key, but KeyInfo carries the trusted certificate",
        Recipe { signing: Signing::AttackerKeyIdpCertificate, ..SIGNED };
    NoAuthnStatement = "no-authn-statement", "authn_statement_missing",
        "signed Assertion without an AuthnStatement (the Web Browser SSO profile requires one)",
        Recipe { before_signing: XmlEdit::NoAuthnStatement, ..SIGNED };
    SessionExpired = "session-expired", "session_expired",
        "AuthnStatement SessionNotOnOrAfter an hour before --now",
        Recipe { before_signing: XmlEdit::SessionEndedAnHourAgo, ..SIGNED };
    UnknownCondition = "unknown-condition", "condition_not_understood",
        "Conditions hold a saml:Condition of a type no SP understands (the assertion is Indeterminate)",
        Recipe { before_signing: XmlEdit::UnknownCondition, ..SIGNED };
    WrongVersion = "wrong-version", "version_invalid",
        "the Response says Version=\"1.1\" (signed)",
        Recipe {
            before_signing: XmlEdit::ResponseVersion("1.1"),
            profile: ProfileEdit::Target(SignTarget::Both),
            ..SIGNED
        };
    IssuerFormat = "issuer-format", "issuer_format_invalid",
        "the Assertion's Issuer has an emailAddress Format instead of entity (signed)",
        Recipe {
            before_signing: XmlEdit::IssuerFormat(
                "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
            ),
            ..SIGNED
        };
    BareAssertion = "bare-assertion", "bare_assertion",
        "the signed Assertion alone, without a samlp:Response around it",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::BareAssertion,
            ..SIGNED
        };
    DuplicateField = "duplicate-field", "duplicate_parameter",
        "a form body (whatever the format) with two SAMLResponse fields: the genuine one first, an unsigned evil one last",
        Recipe { after_signing: Splice::FormBodyWithEvilLast, ..SIGNED };
    LookalikeAssertion = "lookalike-assertion", "unexpected_element",
        "an evil saml:Assertion in a look-alike namespace before Status, beside the signed one",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::LookalikeAssertion,
            ..SIGNED
        };
    UnsignedEncrypted = "unsigned-encrypted", "assertion_not_signed",
        "an attacker-made, unsigned Assertion for the evil NameID, encrypted to the SP's certificate (needs it)",
        Recipe {
            signing: Signing::Unsigned,
            after_signing: Splice::Encrypt(EncryptBreak::UnsignedEvil),
            ..SIGNED
        };
    Rsa15KeyTransport = "rsa15-key-transport", "algorithm_refused",
        "the signed Assertion encrypted to the SP, its EncryptedKey labelled RSA PKCS#1 v1.5 (Bleichenbacher)",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::Encrypt(EncryptBreak::Rsa15),
            ..SIGNED
        };
    CbcUnsigned = "cbc-unsigned", "cbc_unsigned",
        "the signed Assertion encrypted with AES-256-CBC, no Response signature over the ciphertext",
        Recipe {
            profile: ProfileEdit::Target(SignTarget::Assertion),
            after_signing: Splice::Encrypt(EncryptBreak::CbcUnsigned),
            ..SIGNED
        };
}

impl BreakKind {
    /// Parses a CLI name.
    pub fn from_name(name: &str) -> Option<BreakKind> {
        BreakKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// The attacker's credential: a public key pair that nothing real trusts, bundled with this
/// crate (CN=attacker.example.com).
pub fn attacker_credential() -> Result<SigningCredential, SamlError> {
    let key = PrivateKey::from_pem(ATTACKER_KEY_PEM)
        .map_err(|e| SamlError::new(ErrorKind::SigningFailed, format!("attacker key: {e}")))?;
    let cert = Certificate::load(ATTACKER_CERT_PEM.as_bytes()).map_err(|e| {
        SamlError::new(ErrorKind::SigningFailed, format!("attacker certificate: {e}"))
    })?;
    SigningCredential::new(&key, cert)
}

/// Everything a broken response is built from: the legitimate request.
#[derive(Clone)]
pub struct BreakInput<'c> {
    /// The legitimate parameters; `issue_instant` is the `now` the SP will check against.
    pub params: ResponseParams,
    /// IDs of the legitimate response.
    pub ids: ResponseIds,
    /// The genuine IdP credential.
    pub idp: &'c SigningCredential,
    /// The attacker's credential (see [`attacker_credential`]).
    pub attacker: &'c SigningCredential,
    /// How the legitimate response is signed; a kind that needs a particular target (XSW1/2 the
    /// Response, XSW3–8 the Assertion) uses that instead.
    pub profile: SigningProfile,
    /// The SP's encryption certificate, for the kinds that encrypt (`unsigned-encrypted`,
    /// `rsa15-key-transport`, `cbc-unsigned`); the others ignore it.
    pub sp_encryption: Option<&'c Certificate>,
}

/// Builds the response for `kind`: the legitimate parameters edited, the unsigned response
/// edited, signed, then spliced, each step as the kind's row of the table says.
///
/// Errors: `SigningFailed` when the request lacks what the kind needs (`wrong-audience` without
/// an audience, `wrong-recipient` without a recipient, `sha1` with a non-RSA key) or signing fails.
///
/// ```
/// use samlkit_dsig::{DigestMethod, SignatureMethod};
/// use samlkit_saml::*;
///
/// // A harness would use the IdP credential its SP trusts; any credential shows the shape.
/// let idp = attacker_credential()?;
/// let params = ResponseParams {
///     issuer: "https://idp.example.com".into(),
///     name_id: "alice@example.com".into(),
///     name_id_format: name_id_format_uri("email").unwrap_or_default(),
///     audiences: vec!["https://sp.example.com".into()],
///     recipient: Some("https://sp.example.com/acs".into()),
///     destination: Some("https://sp.example.com/acs".into()),
///     in_response_to: None,
///     attributes: Vec::new(),
///     session_index: None,
///     issue_instant: chrono::DateTime::from_timestamp(1_795_000_000, 0).unwrap_or_default(),
///     valid_for: chrono::Duration::minutes(5),
/// };
/// let input = BreakInput {
///     ids: ResponseIds::random(None)?,
///     params,
///     idp: &idp,
///     attacker: &idp,
///     profile: SigningProfile {
///         target: SignTarget::Assertion,
///         method: SignatureMethod::RsaSha256,
///         digest: DigestMethod::Sha256,
///     },
///     sp_encryption: None,
/// };
/// let xml = build_broken_response(BreakKind::WrongAudience, &input)?;
/// assert!(xml.contains(&format!("<saml:Audience>{WRONG_AUDIENCE}</saml:Audience>")));
/// assert_eq!(BreakKind::WrongAudience.expected_code(), "audience_invalid");
/// # Ok::<(), SamlError>(())
/// ```
pub fn build_broken_response(kind: BreakKind, input: &BreakInput<'_>) -> Result<String, SamlError> {
    build(kind, input, None)
}

/// [`build_broken_response`] in a response shape: the legitimate response is the one
/// [`build_shaped_response`](crate::idp::build_shaped_response) writes (its attribute names,
/// AuthnContext and namespace prefixes), and each kind's edit is made in that shape's prefixes,
/// so an SP that meets Okta's `saml2:` or Entra ID's unprefixed Assertion meets the same defect.
///
/// Errors: as [`build_broken_response`].
pub fn build_shaped_broken_response(
    kind: BreakKind,
    input: &BreakInput<'_>,
    shape: &ResponseShape,
) -> Result<String, SamlError> {
    build(kind, input, Some(shape))
}

fn build(
    kind: BreakKind,
    input: &BreakInput<'_>,
    shape: Option<&ResponseShape>,
) -> Result<String, SamlError> {
    let recipe = kind.recipe();
    let params = recipe.params.apply(&input.params)?;
    let profile = recipe.profile.apply(input.profile, input.idp)?;
    let (unsigned, prefixes) = match shape {
        None => (crate::build_response_with_ids(&params, input.ids.clone()).xml, PrefixStyle::SAML),
        Some(shape) => {
            (write_shaped_response(&params, input.ids.clone(), shape).xml, shape.prefixes)
        }
    };
    let unsigned = recipe.before_signing.apply(unsigned, input, prefixes)?;
    let signed = recipe.signing.apply(&unsigned, profile, input)?;
    recipe.after_signing.apply(signed, input, prefixes)
}
