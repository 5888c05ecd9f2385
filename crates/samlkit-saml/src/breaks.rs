//! Deliberately broken responses for service-provider test harnesses: each [`BreakKind`] is one
//! known way a SAML Response must be rejected, built on top of a validly signed response with
//! the caller's legitimate parameters (so that the one defect is the only reason to reject it).
//!
//! The signature-wrapping kinds follow SAML Raider's XSW1–XSW8: each keeps a genuinely signed
//! element somewhere a careless SP still finds the signature valid, and adds an attacker-controlled
//! copy whose NameID is [`EVIL_NAME_ID`]. [`BreakKind::expected_code`] names the
//! [`SamlError::code`] with which `samlkit verify` rejects each kind.

use std::ops::Range;

use chrono::Duration;
use samlkit_cert::{Certificate, PrivateKey, Signer};
use samlkit_dsig::{DigestMethod, NS_DSIG, SignatureMethod};

use crate::builder::{NS_ASSERTION, STATUS_SUCCESS};
use crate::escape::escape_text;
use crate::verify::parse_document;
use crate::{ErrorKind, Hint};
use crate::{
    ResponseIds, ResponseParams, SamlError, SignTarget, SigningProfile, build_response_with_ids,
    sign_document,
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

/// The public, never-trusted "attacker" key pair of the test fixtures (`fixtures/keys/attacker.key`,
/// `fixtures/certs/attacker.crt`), used by `wrong-key` and `keyinfo-swap`.
const ATTACKER_KEY_PEM: &str = include_str!("../../../fixtures/keys/attacker.key");
const ATTACKER_CERT_PEM: &str = include_str!("../../../fixtures/certs/attacker.crt");

macro_rules! break_kinds {
    ($($variant:ident = $name:literal, $code:literal, $desc:literal;)*) => {
        /// One way to break a response. See [`BreakKind::ALL`] and [`BreakKind::description`].
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum BreakKind { $($variant,)* }

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
        }
    };
}

break_kinds! {
    Xsw1 = "xsw1", "duplicate_id",
        "signed Response copied (unsigned) into the Signature of an evil Response with a new ID and NameID";
    Xsw2 = "xsw2", "duplicate_id",
        "signed Response copied (unsigned) just before the Signature of an evil Response (detached)";
    Xsw3 = "xsw3", "assertion_count",
        "evil unsigned Assertion inserted before the signed Assertion";
    Xsw4 = "xsw4", "assertion_count",
        "signed Assertion wrapped inside an evil unsigned Assertion";
    Xsw5 = "xsw5", "assertion_count",
        "signed Assertion's values changed in place (new ID), unsigned original copy appended";
    Xsw6 = "xsw6", "assertion_count",
        "evil Assertion keeps the Signature; the original Assertion is moved into that Signature";
    Xsw7 = "xsw7", "assertion_count",
        "signed Assertion hidden in samlp:Extensions, evil unsigned Assertion after it";
    Xsw8 = "xsw8", "assertion_count",
        "evil Assertion keeps the Signature; the original Assertion hidden in a ds:Object inside it";
    CommentInNameId = "comment-in-nameid", "comment_in_value",
        "NameID signed as NAME.evil.example, then a comment inserted: NAME<!---->.evil.example";
    DupId = "dup-id", "duplicate_id",
        "the Response carries the same ID as the signed Assertion";
    BadDigest = "bad-digest", "digest_mismatch",
        "NameID changed after signing, so the digest no longer matches";
    BadSignature = "bad-signature", "signature_invalid",
        "one character of SignatureValue changed";
    Unsigned = "unsigned", "signature_missing",
        "no signature at all: neither the Response nor the Assertion is signed";
    WrongKey = "wrong-key", "untrusted_certificate",
        "signed by the fixtures' attacker key, with the attacker's certificate in KeyInfo";
    Sha1 = "sha1", "algorithm_refused",
        "signed with rsa-sha1 and a sha1 digest";
    Expired = "expired", "assertion_expired",
        "NotOnOrAfter an hour (plus the validity) before --now";
    NotYetValid = "not-yet-valid", "assertion_not_yet_valid",
        "NotBefore an hour after --now";
    WrongAudience = "wrong-audience", "audience_invalid",
        "signed for another audience than --audience";
    WrongRecipient = "wrong-recipient", "recipient_mismatched",
        "Recipient and Destination are another URL than --recipient";
    WrongIssuer = "wrong-issuer", "issuer_mismatched",
        "Issuer is another entity than --issuer (still signed by the real key)";
    StatusResponder = "status-responder", "status_not_success",
        "top-level StatusCode is Responder, not Success";
    TwoAssertions = "two-assertions", "assertion_count",
        "two separately signed Assertions, the second for an evil NameID";
    KeyinfoSwap = "keyinfo-swap", "signature_invalid",
        "signed by the attacker key, but KeyInfo carries the trusted certificate";
}

impl BreakKind {
    /// Parses a CLI name.
    pub fn from_name(name: &str) -> Option<BreakKind> {
        BreakKind::ALL.iter().copied().find(|k| k.name() == name)
    }
}

/// A key and the certificate that goes into KeyInfo.
#[derive(Clone, Copy)]
pub struct SigningCredential<'c> {
    pub signer: &'c Signer,
    pub cert_der: &'c [u8],
}

/// The fixtures' attacker key pair (public, never trusted by anything real).
pub fn attacker_key_pair() -> Result<(Signer, Certificate), SamlError> {
    let key = PrivateKey::from_pem(ATTACKER_KEY_PEM)
        .map_err(|e| SamlError::new(ErrorKind::SigningFailed, format!("attacker key: {e}")))?;
    let signer = key
        .signer()
        .map_err(|e| SamlError::new(ErrorKind::SigningFailed, format!("attacker key: {e}")))?;
    let cert = Certificate::load(ATTACKER_CERT_PEM.as_bytes()).map_err(|e| {
        SamlError::new(ErrorKind::SigningFailed, format!("attacker certificate: {e}"))
    })?;
    Ok((signer, cert))
}

/// Everything a broken response is built from: the legitimate request.
#[derive(Clone)]
pub struct BreakInput<'c> {
    /// The legitimate parameters; `issue_instant` is the `now` the SP will check against.
    pub params: ResponseParams,
    /// IDs of the legitimate response.
    pub ids: ResponseIds,
    /// The genuine IdP credential.
    pub idp: SigningCredential<'c>,
    /// The attacker's credential (see [`attacker_key_pair`]).
    pub attacker: SigningCredential<'c>,
    /// How the legitimate response is signed; a kind that needs a particular target (XSW1/2 the
    /// Response, XSW3–8 the Assertion) uses that instead.
    pub profile: SigningProfile,
}

/// Builds the response for `kind`.
///
/// Errors: `SigningFailed` when the request lacks what the kind needs (`wrong-audience` without
/// an audience, `wrong-recipient` without a recipient, `sha1` with a non-RSA key) or signing fails.
pub fn build_broken_response(kind: BreakKind, input: &BreakInput<'_>) -> Result<String, SamlError> {
    let idp = input.idp;
    let mut params = input.params.clone();
    let mut profile = input.profile;
    let ids = input.ids.clone();
    let sign = |params: &ResponseParams, profile: &SigningProfile, cred: SigningCredential<'_>| {
        let xml = build_response_with_ids(params, ids.clone()).xml;
        sign_document(&xml, cred.signer, cred.cert_der, profile)
    };
    let with_target = |target| SigningProfile { target, ..profile };
    match kind {
        BreakKind::Xsw1 | BreakKind::Xsw2 => {
            let signed = sign(&params, &with_target(SignTarget::Response), idp)?;
            let (decl, response) = split_decl(&signed);
            let original = without_signatures(response)?;
            let evil = evil_name_id(&set_root_id(response, &format!("{}_evil", ids.response_id))?)?;
            let sig = child_range(&evil, NS_DSIG, "Signature")?;
            let at = if kind == BreakKind::Xsw1 { end_tag_start(&evil, &sig) } else { sig.start };
            Ok(format!("{decl}{}", insert(&evil, at, &original)))
        }
        BreakKind::Xsw3
        | BreakKind::Xsw4
        | BreakKind::Xsw5
        | BreakKind::Xsw6
        | BreakKind::Xsw7
        | BreakKind::Xsw8 => {
            let signed = sign(&params, &with_target(SignTarget::Assertion), idp)?;
            let a = child_range(&signed, NS_ASSERTION, "Assertion")?;
            let original = &signed[a.clone()];
            let evil_id = format!("{}_evil", ids.assertion_id);
            let unsigned_original = without_signatures(original)?;
            // The signed Assertion, values and ID changed, still carrying the original Signature.
            let modified = evil_name_id(&set_root_id(original, &evil_id)?)?;
            let replacement = match kind {
                BreakKind::Xsw3 => {
                    let evil = evil_name_id(&set_root_id(&unsigned_original, &evil_id)?)?;
                    format!("{evil}{original}")
                }
                BreakKind::Xsw4 => {
                    let evil = evil_name_id(&set_root_id(&unsigned_original, &evil_id)?)?;
                    let end = end_tag_start(&evil, &(0..evil.len()));
                    insert(&evil, end, original)
                }
                BreakKind::Xsw5 => modified,
                BreakKind::Xsw6 | BreakKind::Xsw8 => {
                    let sig = child_range(&modified, NS_DSIG, "Signature")?;
                    let hidden = if kind == BreakKind::Xsw6 {
                        unsigned_original.clone()
                    } else {
                        format!("<ds:Object>{unsigned_original}</ds:Object>")
                    };
                    insert(&modified, end_tag_start(&modified, &sig), &hidden)
                }
                _ => {
                    let evil = evil_name_id(&set_root_id(&unsigned_original, &evil_id)?)?;
                    format!("<samlp:Extensions>{original}</samlp:Extensions>{evil}")
                }
            };
            let mut out = replace_range(&signed, a, &replacement);
            if kind == BreakKind::Xsw5 {
                // SAML Raider appends the unsigned original as the Response's last child.
                let response_end = out.rfind("</samlp:Response>").unwrap_or(out.len());
                out.insert_str(response_end, &unsigned_original);
            }
            Ok(out)
        }
        BreakKind::CommentInNameId => {
            let honest = escape_text(&params.name_id);
            params.name_id.push_str(".evil.example");
            let signed = sign(&params, &profile, idp)?;
            let needle = format!(">{honest}.evil.example</saml:NameID>");
            let fixed = format!(">{honest}<!---->.evil.example</saml:NameID>");
            replace_once(&signed, &needle, &fixed)
        }
        BreakKind::DupId => {
            let signed = sign(&params, &profile, idp)?;
            let (decl, response) = split_decl(&signed);
            Ok(format!("{decl}{}", set_root_id(response, &ids.assertion_id)?))
        }
        BreakKind::BadDigest => evil_name_id(&sign(&params, &profile, idp)?),
        BreakKind::BadSignature => {
            let signed = sign(&params, &profile, idp)?;
            let sv = child_range_anywhere(&signed, NS_DSIG, "SignatureValue")?;
            let at = signed[sv.clone()].find('>').map_or(sv.start, |i| sv.start + i + 1) + 8;
            let flipped = match signed.get(at..at + 1) {
                Some("A") => "B",
                _ => "A",
            };
            Ok(replace_range(&signed, at..at + 1, flipped))
        }
        BreakKind::Unsigned => Ok(build_response_with_ids(&params, ids).xml),
        BreakKind::WrongKey => sign(&params, &for_attacker(profile, input), input.attacker),
        BreakKind::Sha1 => {
            profile.method = SignatureMethod::RsaSha1;
            profile.digest = DigestMethod::Sha1;
            if profile.method.for_key(idp.signer.algorithm()).is_none() {
                return Err(SamlError::new(
                    ErrorKind::SigningFailed,
                    "the sha1 break needs an RSA key",
                ));
            }
            sign(&params, &profile, idp)
        }
        BreakKind::Expired => {
            params.issue_instant = params.issue_instant - params.valid_for - Duration::hours(1);
            sign(&params, &profile, idp)
        }
        BreakKind::NotYetValid => {
            params.issue_instant += Duration::hours(1);
            sign(&params, &profile, idp)
        }
        BreakKind::WrongAudience => {
            if params.audiences.is_empty() {
                return Err(SamlError::new(
                    ErrorKind::SigningFailed,
                    "the wrong-audience break needs the audience the SP expects",
                )
                .with_hint(Hint::NeedsAudience));
            }
            params.audiences = vec![WRONG_AUDIENCE.to_string()];
            sign(&params, &profile, idp)
        }
        BreakKind::WrongRecipient => {
            if params.recipient.is_none() {
                return Err(SamlError::new(
                    ErrorKind::SigningFailed,
                    "the wrong-recipient break needs the SP's ACS URL",
                )
                .with_hint(Hint::NeedsRecipient));
            }
            params.recipient = Some(WRONG_RECIPIENT.to_string());
            params.destination = Some(WRONG_RECIPIENT.to_string());
            sign(&params, &profile, idp)
        }
        BreakKind::WrongIssuer => {
            params.issuer = WRONG_ISSUER.to_string();
            sign(&params, &profile, idp)
        }
        BreakKind::StatusResponder => {
            let xml = build_response_with_ids(&params, ids).xml;
            let xml = replace_once(
                &xml,
                &format!("<samlp:StatusCode Value=\"{STATUS_SUCCESS}\"/>"),
                &format!("<samlp:StatusCode Value=\"{STATUS_RESPONDER}\"/>"),
            )?;
            sign_document(&xml, idp.signer, idp.cert_der, &profile)
        }
        BreakKind::TwoAssertions => {
            let xml = build_response_with_ids(&params, ids.clone()).xml;
            let a = child_range(&xml, NS_ASSERTION, "Assertion")?;
            let second =
                evil_name_id(&set_root_id(&xml[a.clone()], &format!("{}_2", ids.assertion_id))?)?;
            let xml = insert(&xml, a.end, &second);
            let target = if profile.target == SignTarget::Response {
                SignTarget::Both
            } else {
                profile.target
            };
            sign_document(&xml, idp.signer, idp.cert_der, &with_target(target))
        }
        BreakKind::KeyinfoSwap => {
            let xml = build_response_with_ids(&params, ids).xml;
            sign_document(&xml, input.attacker.signer, idp.cert_der, &for_attacker(profile, input))
        }
    }
}

/// `profile` with a signature method the attacker's key can make (an EC IdP key's method does
/// not fit the RSA attacker key).
fn for_attacker(profile: SigningProfile, input: &BreakInput<'_>) -> SigningProfile {
    let key = input.attacker.signer.algorithm();
    let method = if profile.method.for_key(key).is_some() {
        profile.method
    } else {
        SignatureMethod::default_for_key(key)
    };
    SigningProfile { method, ..profile }
}

/// (`<?xml …?>\n`, the rest).
fn split_decl(xml: &str) -> (&str, &str) {
    if !xml.starts_with("<?xml") {
        return ("", xml);
    }
    let Some(end) = xml.find("?>") else { return ("", xml) };
    let rest = xml[end + 2..].trim_start();
    xml.split_at(xml.len() - rest.len())
}

/// The byte range of the first element named `ns:local` that is a child of the root element
/// (or the root itself when it has that name and `ns:local` is looked up from a fragment).
fn child_range(xml: &str, ns: &str, local: &str) -> Result<Range<usize>, SamlError> {
    let doc = parse_document(xml)?;
    let root = doc.node(doc.root_element());
    root.element_children().find(|n| n.has_name(ns, local)).map(|n| n.byte_range()).ok_or_else(
        || SamlError::new(ErrorKind::SigningFailed, format!("no {local} child to break")),
    )
}

/// The byte range of the first element named `ns:local` anywhere.
fn child_range_anywhere(xml: &str, ns: &str, local: &str) -> Result<Range<usize>, SamlError> {
    let doc = parse_document(xml)?;
    doc.node(doc.root())
        .descendants()
        .find(|n| n.has_name(ns, local))
        .map(|n| n.byte_range())
        .ok_or_else(|| SamlError::new(ErrorKind::SigningFailed, format!("no {local} to break")))
}

/// Where the end tag of the element spanning `range` starts.
fn end_tag_start(xml: &str, range: &Range<usize>) -> usize {
    xml.get(range.clone()).and_then(|s| s.rfind("</")).map_or(range.end, |i| range.start + i)
}

/// Replaces the first `needle`; never silently returns an unbroken document.
fn replace_once(xml: &str, needle: &str, with: &str) -> Result<String, SamlError> {
    match xml.find(needle) {
        Some(at) => Ok(replace_range(xml, at..at + needle.len(), with)),
        None => Err(SamlError::new(
            ErrorKind::SigningFailed,
            format!("cannot break: {needle:?} not found"),
        )),
    }
}

fn insert(xml: &str, at: usize, text: &str) -> String {
    let mut out = xml.to_string();
    out.insert_str(at, text);
    out
}

fn replace_range(xml: &str, range: Range<usize>, text: &str) -> String {
    let mut out = xml.to_string();
    out.replace_range(range, text);
    out
}

/// `fragment` (a standalone element) with every ds:Signature removed.
fn without_signatures(fragment: &str) -> Result<String, SamlError> {
    let doc = parse_document(fragment)?;
    let ranges: Vec<Range<usize>> = doc
        .node(doc.root())
        .descendants()
        .filter(|n| n.has_name(NS_DSIG, "Signature"))
        .map(|n| n.byte_range())
        .collect();
    let mut out = fragment.to_string();
    for r in ranges.into_iter().rev() {
        out.replace_range(r, "");
    }
    Ok(out)
}

/// `fragment` with its root element's `ID` attribute value replaced.
fn set_root_id(fragment: &str, new_id: &str) -> Result<String, SamlError> {
    let doc = parse_document(fragment)?;
    let root = doc.node(doc.root_element());
    let old = root.attribute("", "ID").ok_or_else(|| {
        SamlError::new(ErrorKind::SigningFailed, format!("<{}> has no ID", root.name()))
    })?;
    let tag = root.start_tag_range();
    let start_tag = &fragment[tag.clone()];
    let replaced = start_tag.replacen(&format!("ID=\"{old}\""), &format!("ID=\"{new_id}\""), 1);
    Ok(replace_range(fragment, tag, &replaced))
}

/// `fragment` with the text of its first NameID replaced by [`EVIL_NAME_ID`].
fn evil_name_id(fragment: &str) -> Result<String, SamlError> {
    let doc = parse_document(fragment)?;
    let name_id =
        doc.node(doc.root())
            .descendants()
            .find(|n| n.has_name(NS_ASSERTION, "NameID"))
            .ok_or_else(|| SamlError::new(ErrorKind::SigningFailed, "no NameID to replace"))?;
    let content = name_id.start_tag_range().end..end_tag_start(fragment, &name_id.byte_range());
    Ok(replace_range(fragment, content, EVIL_NAME_ID))
}
