//! [`VerifiedAssertion`]: what a verified response says, read only from signed content. It can be
//! made only by this crate's verifier.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use samlkit_xml::Node;
use serde::ser::{SerializeMap, SerializeStruct};
use serde::{Serialize, Serializer};

use super::conditions::Checked;
use super::profile::Shape;
use super::signatures::Signed;
use super::{Binding, VerifyPolicy, child, children};
use crate::builder::NS_ASSERTION;
use crate::time::{format_instant, parse_instant};
use crate::{ErrorKind, SamlError};

/// A signed element: the Response or the Assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SignedPart {
    /// The `samlp:Response` carried a valid signature.
    Response,
    /// The `saml:Assertion` carried a valid signature.
    Assertion,
}

impl SignedPart {
    /// `"response"` or `"assertion"`.
    pub fn name(self) -> &'static str {
        match self {
            SignedPart::Response => "response",
            SignedPart::Assertion => "assertion",
        }
    }
}

impl Serialize for SignedPart {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

/// One AttributeValue, as signed.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum AttributeValue {
    /// Text content (all of it: a comment never cuts it short; XML whitespace trimmed).
    Text(String),
    /// `xsi:nil="true"`: the IdP says the attribute has no value (not the empty string).
    Nil,
    /// Element content (e.g. a `saml:NameID` in eduPersonTargetedID, or a vendor's structure),
    /// as exclusive-C14N XML of the child elements: never run together into text, where
    /// `<x:Role>ad</x:Role><x:Role>min</x:Role>` would read as `admin`.
    Xml(String),
}

impl AttributeValue {
    /// The text, for a text value.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            AttributeValue::Text(t) => Some(t),
            AttributeValue::Nil | AttributeValue::Xml(_) => None,
        }
    }
}

/// The validity of the trusted certificate that verified, at the policy's `now`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CertStatus {
    /// Within its validity period.
    Ok,
    /// Its notAfter has passed.
    Expired,
    /// Its notBefore is still ahead.
    NotYetValid,
}

impl CertStatus {
    /// `ok`, `expired` or `not-yet-valid`.
    pub fn name(self) -> &'static str {
        match self {
            CertStatus::Ok => "ok",
            CertStatus::Expired => "expired",
            CertStatus::NotYetValid => "not-yet-valid",
        }
    }
}

/// A ProxyRestriction condition (core §2.5.1.6): limits on the SP passing the assertion on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProxyRestriction {
    /// The most indirections the IdP allows (`Count`), if given.
    pub count: Option<u32>,
    /// The audiences a new assertion made from this one may name.
    pub audiences: Vec<String>,
}

/// The verified content of a SAML response: who logged in, for whom, until when, and what
/// identifies this assertion for a replay cache. Every value comes from signed content.
///
/// Only the verifier makes one (`verify_response`, [`crate::ServiceProvider::verify_post`]);
/// its fields are private, so code that holds a `VerifiedAssertion` holds a verified one:
///
/// ```compile_fail
/// let forged = samlkit_saml::VerifiedAssertion { name_id: "admin@example.com".into() };
/// ```
///
/// It serializes (serde) to the JSON object `samlkit verify --json` prints, without the
/// `file`, `valid` and `error` fields the command adds.
#[must_use = "a verified assertion is the login: use it, or the verification was pointless"]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifiedAssertion {
    pub(crate) signed: Vec<SignedPart>,
    pub(crate) cert_sha256: String,
    pub(crate) cert_index: usize,
    pub(crate) issuer: String,
    pub(crate) name_id: String,
    pub(crate) name_id_format: Option<String>,
    pub(crate) session_index: Option<String>,
    pub(crate) audiences: Vec<String>,
    pub(crate) recipient: Option<String>,
    pub(crate) not_before: Option<DateTime<Utc>>,
    pub(crate) not_on_or_after: Option<DateTime<Utc>>,
    pub(crate) attributes: Vec<(String, Vec<AttributeValue>)>,
    pub(crate) assertion_id: String,
    pub(crate) response_id: Option<String>,
    pub(crate) issue_instant: DateTime<Utc>,
    pub(crate) in_response_to: Option<String>,
    pub(crate) authn_instant: Option<DateTime<Utc>>,
    pub(crate) session_not_on_or_after: Option<DateTime<Utc>>,
    pub(crate) accepted_until: DateTime<Utc>,
    pub(crate) unchecked: Vec<Binding>,
    pub(crate) one_time_use: bool,
    pub(crate) proxy_restriction: Option<ProxyRestriction>,
    pub(crate) cert_status: CertStatus,
    pub(crate) encrypted: bool,
    pub(crate) encryption: Option<super::decrypt::Encryption>,
}

impl VerifiedAssertion {
    /// True when the assertion arrived as an EncryptedAssertion (and was decrypted).
    pub fn encrypted(&self) -> bool {
        self.encrypted
    }

    /// The algorithms of the decrypted content (the EncryptedAssertion's, or else the first
    /// EncryptedID's or EncryptedAttribute's): `(data URI, key transport URI)`.
    pub fn encryption(&self) -> Option<(&'static str, &'static str)> {
        self.encryption.map(|e| (e.data.uri(), e.key_transport.uri()))
    }

    /// Which elements carried a valid signature (Response first).
    pub fn signed(&self) -> &[SignedPart] {
        &self.signed
    }
    /// SHA-256 fingerprint (`AB:CD:…`) of the trusted certificate that verified (the
    /// Assertion's, if both were signed).
    pub fn cert_sha256(&self) -> &str {
        &self.cert_sha256
    }
    /// Index into the trusted certificates of that certificate (which key signed, during a
    /// rotation).
    pub fn cert_index(&self) -> usize {
        self.cert_index
    }
    /// The Assertion's Issuer (the IdP's entity ID).
    pub fn issuer(&self) -> &str {
        &self.issuer
    }
    /// The Subject's NameID: who logged in.
    pub fn name_id(&self) -> &str {
        &self.name_id
    }
    /// The NameID Format URI, if given.
    pub fn name_id_format(&self) -> Option<&str> {
        self.name_id_format.as_deref()
    }
    /// The AuthnStatement's SessionIndex (needed for single logout), if given.
    pub fn session_index(&self) -> Option<&str> {
        self.session_index.as_deref()
    }
    /// Every Audience of every AudienceRestriction, in document order.
    pub fn audiences(&self) -> &[String] {
        &self.audiences
    }
    /// The Recipient of the bearer SubjectConfirmation that was accepted.
    pub fn recipient(&self) -> Option<&str> {
        self.recipient.as_deref()
    }
    /// Conditions NotBefore.
    pub fn not_before(&self) -> Option<DateTime<Utc>> {
        self.not_before
    }
    /// Conditions NotOnOrAfter.
    pub fn not_on_or_after(&self) -> Option<DateTime<Utc>> {
        self.not_on_or_after
    }
    /// Attribute names and their values, in document order (an attribute repeated in several
    /// statements has its values joined).
    pub fn attributes(&self) -> &[(String, Vec<AttributeValue>)] {
        &self.attributes
    }
    /// The values of the attribute `name`, if present.
    pub fn attribute(&self, name: &str) -> Option<&[AttributeValue]> {
        self.attributes.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_slice())
    }
    /// The text values of the attribute `name` (nil and element values left out).
    pub fn attribute_texts(&self, name: &str) -> Vec<&str> {
        self.attribute(name)
            .unwrap_or_default()
            .iter()
            .filter_map(AttributeValue::as_text)
            .collect()
    }
    /// The Assertion's ID: the key of a replay cache.
    pub fn assertion_id(&self) -> &str {
        &self.assertion_id
    }
    /// The Response's ID (none for a bare Assertion).
    pub fn response_id(&self) -> Option<&str> {
        self.response_id.as_deref()
    }
    /// The Assertion's IssueInstant.
    pub fn issue_instant(&self) -> DateTime<Utc> {
        self.issue_instant
    }
    /// The request this answers (bearer SubjectConfirmationData InResponseTo, else the
    /// Response's); none for an unsolicited response.
    pub fn in_response_to(&self) -> Option<&str> {
        self.in_response_to.as_deref()
    }
    /// The AuthnStatement's AuthnInstant.
    pub fn authn_instant(&self) -> Option<DateTime<Utc>> {
        self.authn_instant
    }
    /// The AuthnStatement's SessionNotOnOrAfter: when the IdP wants the SP session to end.
    pub fn session_not_on_or_after(&self) -> Option<DateTime<Utc>> {
        self.session_not_on_or_after
    }
    /// Until when a replay cache must remember [`VerifiedAssertion::assertion_id`]: the end of
    /// the time this verifier would accept the assertion, i.e. the earlier of the Conditions
    /// NotOnOrAfter and the accepted bearer SubjectConfirmationData NotOnOrAfter (which the
    /// profile requires), plus the policy's skew.
    pub fn replay_window_end(&self) -> DateTime<Utc> {
        self.accepted_until
    }
    /// Whether the trusted certificate that verified was within its validity period at `now`.
    pub fn cert_status(&self) -> CertStatus {
        self.cert_status
    }
    /// Whether the Conditions say OneTimeUse: the SP must not keep the assertion for reuse (a
    /// replay cache covers this).
    pub fn one_time_use(&self) -> bool {
        self.one_time_use
    }
    /// The ProxyRestriction condition, if any.
    pub fn proxy_restriction(&self) -> Option<&ProxyRestriction> {
        self.proxy_restriction.as_ref()
    }
    /// The bindings the policy did not check (empty for [`crate::ServiceProvider`] and
    /// [`crate::VerifyPolicy::new`]).
    pub fn unchecked(&self) -> &[Binding] {
        &self.unchecked
    }
}

/// Attributes as a JSON object that keeps document order: text values as strings, nil as
/// `null`; element content is left out here and reported by [`XmlAttributes`].
struct OrderedAttributes<'a>(&'a [(String, Vec<AttributeValue>)]);

impl Serialize for OrderedAttributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, values) in self.0 {
            let shown: Vec<Option<&str>> = values
                .iter()
                .filter(|v| !matches!(v, AttributeValue::Xml(_)))
                .map(AttributeValue::as_text)
                .collect();
            map.serialize_entry(name, &shown)?;
        }
        map.end()
    }
}

/// `attributes_xml`: for each attribute with element content, that content as XML strings, so
/// it can never be mistaken for a text value.
struct XmlAttributes<'a>(&'a [(String, Vec<AttributeValue>)]);

impl Serialize for XmlAttributes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let entries: Vec<(&String, Vec<&str>)> = self
            .0
            .iter()
            .map(|(name, values)| {
                let xml = values
                    .iter()
                    .filter_map(|v| match v {
                        AttributeValue::Xml(x) => Some(x.as_str()),
                        _ => None,
                    })
                    .collect();
                (name, xml)
            })
            .filter(|(_, xml): &(&String, Vec<&str>)| !xml.is_empty())
            .collect();
        let mut map = serializer.serialize_map(Some(entries.len()))?;
        for (name, xml) in entries {
            map.serialize_entry(name, &xml)?;
        }
        map.end()
    }
}

impl Serialize for VerifiedAssertion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let instant = |t: Option<DateTime<Utc>>| t.map(format_instant);
        let mut s = serializer.serialize_struct("VerifiedAssertion", 24)?;
        s.serialize_field("signed", &self.signed)?;
        s.serialize_field("cert_sha256", &self.cert_sha256)?;
        s.serialize_field("issuer", &self.issuer)?;
        s.serialize_field("name_id", &self.name_id)?;
        s.serialize_field("name_id_format", &self.name_id_format)?;
        s.serialize_field("session_index", &self.session_index)?;
        s.serialize_field("audiences", &self.audiences)?;
        s.serialize_field("recipient", &self.recipient)?;
        s.serialize_field("not_before", &instant(self.not_before))?;
        s.serialize_field("not_on_or_after", &instant(self.not_on_or_after))?;
        s.serialize_field("attributes", &OrderedAttributes(&self.attributes))?;
        s.serialize_field("assertion_id", &self.assertion_id)?;
        s.serialize_field("response_id", &self.response_id)?;
        s.serialize_field("issue_instant", &format_instant(self.issue_instant))?;
        s.serialize_field("in_response_to", &self.in_response_to)?;
        s.serialize_field("authn_instant", &instant(self.authn_instant))?;
        s.serialize_field("session_not_on_or_after", &instant(self.session_not_on_or_after))?;
        s.serialize_field("attributes_xml", &XmlAttributes(&self.attributes))?;
        s.serialize_field("cert_status", &self.cert_status)?;
        s.serialize_field("one_time_use", &self.one_time_use)?;
        s.serialize_field("proxy_restriction", &self.proxy_restriction)?;
        s.serialize_field("encrypted", &self.encrypted)?;
        s.serialize_field("encryption", &self.encryption.map(EncryptionJson::from))?;
        // Last, as the CLI's tests and scripts expect.
        s.serialize_field("unchecked", &self.unchecked)?;
        s.end()
    }
}

/// Stage 4: reads the values of the Assertion that stages 2 and 3 proved signed and valid.
pub(crate) fn extract(
    shape: &Shape<'_, '_>,
    signed: Signed,
    checked: Checked,
    policy: &VerifyPolicy<'_>,
) -> Result<VerifiedAssertion, SamlError> {
    let assertion = shape.assertion;
    let invalid = |what: &str| SamlError::new(ErrorKind::AssertionInvalid, what.to_string());
    let assertion_id = assertion
        .attribute("", "ID")
        .ok_or_else(|| invalid("the Assertion has no ID"))?
        .to_string();
    let issue_instant = parse_instant(
        assertion
            .attribute("", "IssueInstant")
            .ok_or_else(|| invalid("the Assertion has no IssueInstant"))?,
        "Assertion IssueInstant",
    )?;
    let name_id_el = child(assertion, NS_ASSERTION, "Subject")
        .and_then(|s| child(s, NS_ASSERTION, "NameID"))
        .ok_or_else(|| invalid("the Subject has no NameID"))?;
    let authn = children(assertion, NS_ASSERTION, "AuthnStatement").next();
    let authn_time = |name: &str, what: &str| {
        authn.and_then(|a| a.attribute("", name)).map(|v| parse_instant(v, what)).transpose()
    };
    let authn_instant = authn_time("AuthnInstant", "AuthnStatement AuthnInstant")?;
    let session_not_on_or_after =
        authn_time("SessionNotOnOrAfter", "AuthnStatement SessionNotOnOrAfter")?;
    let session_index = children(assertion, NS_ASSERTION, "AuthnStatement")
        .find_map(|s| s.attribute("", "SessionIndex").map(str::to_string));

    // An attribute named in several places has its values joined, in document order.
    let mut attributes: Vec<(String, Vec<AttributeValue>)> = Vec::new();
    let mut index = AttributeIndex::default();
    for statement in children(assertion, NS_ASSERTION, "AttributeStatement") {
        for attr in children(statement, NS_ASSERTION, "Attribute") {
            let name = attr.attribute("", "Name").unwrap_or("");
            let values = children(attr, NS_ASSERTION, "AttributeValue").map(attribute_value);
            match index.get(name).and_then(|i| attributes.get_mut(i)) {
                Some((_, existing)) => existing.extend(values),
                None => {
                    index.insert(name);
                    attributes.push((name.to_string(), values.collect()));
                }
            }
        }
    }
    let cert = policy.trusted.get(signed.cert_index);
    let cert_sha256 = cert.map(|c| c.sha256_fingerprint()).unwrap_or_default();
    let cert_status = match cert.map(|c| c.info()) {
        Some(info) if policy.now > info.not_after => CertStatus::Expired,
        Some(info) if policy.now < info.not_before => CertStatus::NotYetValid,
        _ => CertStatus::Ok,
    };
    if policy.refuse_expired_certificates
        && let (Some(info), false) = (cert.map(|c| c.info()), cert_status == CertStatus::Ok)
    {
        return Err(SamlError::new(
            ErrorKind::CertificateExpired,
            format!(
                "the trusted certificate that verified ({}, SHA-256 {cert_sha256}) is {}: valid from {} to {}",
                info.subject,
                cert_status.name(),
                format_instant(info.not_before),
                format_instant(info.not_after)
            ),
        ));
    }
    let accepted_until = accepted_until(&checked, policy);
    Ok(VerifiedAssertion {
        signed: signed.parts,
        cert_sha256,
        cert_index: signed.cert_index,
        issuer: checked.issuer,
        name_id: value(name_id_el),
        name_id_format: name_id_el.attribute("", "Format").map(str::to_string),
        session_index,
        audiences: checked.audiences,
        recipient: checked.recipient,
        not_before: checked.not_before,
        not_on_or_after: checked.not_on_or_after,
        attributes,
        assertion_id,
        response_id: shape.response.and_then(|r| r.attribute("", "ID")).map(str::to_string),
        issue_instant,
        in_response_to: checked.in_response_to,
        authn_instant,
        session_not_on_or_after,
        accepted_until,
        unchecked: policy.unchecked(),
        one_time_use: checked.one_time_use,
        proxy_restriction: checked.proxy_restriction,
        cert_status,
        encrypted: false,
        encryption: None,
    })
}

/// Where each attribute name is in the list being built (names in first-seen order). A few
/// names are searched in a row; past [`AttributeIndex::LINEAR`] a hash map keeps the merge
/// linear, as a signed response may carry tens of thousands of attributes.
#[derive(Default)]
struct AttributeIndex<'d> {
    names: Vec<&'d str>,
    map: Option<HashMap<&'d str, usize>>,
}

impl<'d> AttributeIndex<'d> {
    /// Up to this many names, a search in a row beats hashing.
    const LINEAR: usize = 32;

    fn get(&self, name: &str) -> Option<usize> {
        match &self.map {
            Some(map) => map.get(name).copied(),
            None => self.names.iter().position(|n| *n == name),
        }
    }

    /// Adds `name` (not yet in the index) as the next position.
    fn insert(&mut self, name: &'d str) {
        let at = self.names.len();
        self.names.push(name);
        match &mut self.map {
            Some(map) => {
                map.insert(name, at);
            }
            None if self.names.len() > Self::LINEAR => {
                self.map = Some(self.names.iter().enumerate().map(|(i, n)| (*n, i)).collect());
            }
            None => {}
        }
    }
}

/// One AttributeValue: nil, element content (as exclusive-C14N XML), or its text.
fn attribute_value(value: Node<'_, '_>) -> AttributeValue {
    if matches!(value.attribute(crate::builder::NS_XSI, "nil"), Some("true" | "1")) {
        return AttributeValue::Nil;
    }
    let elements: Vec<Node<'_, '_>> = value.element_children().collect();
    if elements.is_empty() {
        return AttributeValue::Text(self::value(value));
    }
    let mut xml = Vec::new();
    for element in elements {
        // A signed, parsed element always canonicalizes; were it not to, its name stands in.
        if samlkit_xml::canonicalize(
            value.document(),
            Some(element.id()),
            None,
            samlkit_xml::C14nAlgorithm::Exclusive,
            &[],
            &mut xml,
        )
        .is_err()
        {
            xml.extend_from_slice(format!("<{}/>", element.name()).as_bytes());
        }
    }
    AttributeValue::Xml(String::from_utf8_lossy(&xml).into_owned())
}

/// The last instant the time checks of stage 3 let this assertion through: they refuse it once
/// `now - skew` reaches either NotOnOrAfter.
fn accepted_until(checked: &Checked, policy: &VerifyPolicy<'_>) -> DateTime<Utc> {
    let end = checked
        .not_on_or_after
        .map_or(checked.bearer_not_on_or_after, |c| c.min(checked.bearer_not_on_or_after));
    end + policy.skew
}

/// A simple value: all its text (comments never cut it short), with XML whitespace (space, tab,
/// CR, LF) trimmed from both ends. Other Unicode spaces are part of the value: a signed
/// `admin\u{a0}` is not `admin`.
pub(crate) fn value(node: Node<'_, '_>) -> String {
    let text = node.text_content();
    // No second copy when there is nothing to trim (the usual case).
    let trimmed = trim_xml_whitespace(&text);
    if trimmed.len() == text.len() { text } else { trimmed.to_string() }
}

/// Trims only the four XML whitespace characters.
pub(crate) fn trim_xml_whitespace(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_xml_whitespace_is_trimmed() {
        let cases = [
            (" \t\r\nadmin\n", "admin"),
            ("admin\u{a0}", "admin\u{a0}"),
            ("\u{3000}https://sp.example.com\u{3000}", "\u{3000}https://sp.example.com\u{3000}"),
            ("admin\u{2028}", "admin\u{2028}"),
            ("admin\u{85}", "admin\u{85}"),
        ];
        for (input, expected) in cases {
            assert_eq!(trim_xml_whitespace(input), expected, "{input:?}");
        }
    }

    #[test]
    fn the_attribute_index_finds_each_name_before_and_after_it_switches_to_hashing() {
        let names: Vec<String> = (0..3 * AttributeIndex::LINEAR).map(|i| format!("a{i}")).collect();
        let mut index = AttributeIndex::default();
        for (at, name) in names.iter().enumerate() {
            assert_eq!(index.get(name), None, "{name} is not in yet");
            index.insert(name);
            assert_eq!(index.map.is_some(), at + 1 > AttributeIndex::LINEAR, "after {name}");
            // Every name so far, at its first-seen position.
            for (i, earlier) in names.iter().take(at + 1).enumerate() {
                assert_eq!(index.get(earlier), Some(i), "{earlier} after {name}");
            }
        }
    }
}

/// `{"data": URI, "key_transport": URI}` in the JSON output.
#[derive(Serialize)]
struct EncryptionJson {
    data: &'static str,
    key_transport: &'static str,
}

impl From<super::decrypt::Encryption> for EncryptionJson {
    fn from(e: super::decrypt::Encryption) -> Self {
        EncryptionJson { data: e.data.uri(), key_transport: e.key_transport.uri() }
    }
}
