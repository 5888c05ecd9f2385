//! Stage 3: the SAML conditions, read from the signed Assertion (and the Response around it):
//! Status, Issuer, Destination, InResponseTo, the bearer SubjectConfirmationData and the
//! Conditions, with `now` ± skew.

use chrono::{DateTime, Duration, Utc};
use samlkit_xml::Node;

use super::assertion::ProxyRestriction;
use super::profile::Shape;
use super::{InResponseTo, Steps, VerifyPolicy, child, children, value};
use crate::builder::{CM_BEARER, NS_ASSERTION, NS_PROTOCOL, STATUS_SUCCESS};
use crate::time::{format_instant, parse_instant};
use crate::{ErrorKind, SamlError};

/// What stage 3 checked and the later stages report.
pub(crate) struct Checked {
    pub(crate) issuer: String,
    pub(crate) recipient: Option<String>,
    pub(crate) in_response_to: Option<String>,
    pub(crate) not_before: Option<DateTime<Utc>>,
    pub(crate) not_on_or_after: Option<DateTime<Utc>>,
    /// NotOnOrAfter of the bearer SubjectConfirmationData that was accepted (always present).
    pub(crate) bearer_not_on_or_after: DateTime<Utc>,
    pub(crate) audiences: Vec<String>,
    pub(crate) one_time_use: bool,
    pub(crate) proxy_restriction: Option<ProxyRestriction>,
}

/// The OneTimeUse and ProxyRestriction conditions, reported to the caller (core §2.5.1.5–6).
#[derive(Default)]
struct Restrictions {
    one_time_use: bool,
    proxy: Option<ProxyRestriction>,
}

/// The bearer SubjectConfirmation that was accepted.
struct Bearer {
    recipient: Option<String>,
    in_response_to: Option<String>,
    not_on_or_after: DateTime<Utc>,
}

pub(crate) fn check(
    shape: &Shape<'_, '_>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<Checked, SamlError> {
    let (response, assertion) = (shape.response, shape.assertion);
    if let Some(resp) = response {
        check_status(resp)?;
        steps.add(|| "status: Success".to_string());
    }
    let issuer_el = child(assertion, NS_ASSERTION, "Issuer").ok_or_else(|| {
        SamlError::new(ErrorKind::AssertionInvalid, "the Assertion has no Issuer")
    })?;
    check_issuer_format(issuer_el)?;
    if let Some(resp_issuer) = response.and_then(|r| child(r, NS_ASSERTION, "Issuer")) {
        check_issuer_format(resp_issuer)?;
    }
    let issuer = value(issuer_el);
    if let Some(expected) = policy.issuer.as_deref() {
        if issuer != expected {
            return Err(SamlError::new(
                ErrorKind::IssuerMismatched,
                format!("Assertion Issuer is {issuer:?}, expected {expected:?}"),
            ));
        }
        if let Some(resp_issuer) = response.and_then(|r| child(r, NS_ASSERTION, "Issuer")) {
            let v = value(resp_issuer);
            if v != expected {
                return Err(SamlError::new(
                    ErrorKind::IssuerMismatched,
                    format!("Response Issuer is {v:?}, expected {expected:?}"),
                ));
            }
        }
        steps.add(|| format!("issuer: {issuer:?} as expected"));
    }
    if let (Some(expected), Some(resp)) = (policy.recipient.as_deref(), response)
        && let Some(dest) = resp.attribute("", "Destination")
        && dest != expected
    {
        return Err(SamlError::new(
            ErrorKind::RecipientMismatched,
            format!("Response Destination is {dest:?}, expected {expected:?}"),
        ));
    }
    let response_irt = response.and_then(|r| r.attribute("", "InResponseTo"));
    if let (InResponseTo::Expected { ids, .. }, Some(irt)) = (&policy.in_response_to, response_irt)
        && !ids.iter().any(|id| id == irt)
    {
        return Err(SamlError::new(
            ErrorKind::InResponseToMismatched,
            format!("Response InResponseTo is {irt:?}, {}", expected_ids(ids)),
        ));
    }

    let subject = child(assertion, NS_ASSERTION, "Subject").ok_or_else(|| {
        SamlError::new(ErrorKind::AssertionInvalid, "the Assertion has no Subject")
    })?;
    if child(subject, NS_ASSERTION, "EncryptedID").is_some() {
        return Err(SamlError::new(
            ErrorKind::AssertionInvalid,
            "the Subject's EncryptedID is not supported",
        ));
    }
    if child(subject, NS_ASSERTION, "NameID").is_none() {
        return Err(SamlError::new(ErrorKind::AssertionInvalid, "the Subject has no NameID"));
    }
    let bearer = check_subject_confirmation(subject, response_irt, policy, steps)?;

    check_authn_statement(assertion, policy, steps)?;
    refuse_encrypted_attributes(assertion)?;

    let conditions = child(assertion, NS_ASSERTION, "Conditions");
    let restrictions = match conditions {
        Some(c) => check_condition_elements(c)?,
        None => Restrictions::default(),
    };
    let (not_before, not_on_or_after, audiences) = match conditions {
        Some(c) => check_conditions(c, policy, steps)?,
        None if policy.audience.is_some() => {
            return Err(SamlError::new(
                ErrorKind::AudienceInvalid,
                "the Assertion has no Conditions/AudienceRestriction",
            ));
        }
        None => (None, None, Vec::new()),
    };
    Ok(Checked {
        one_time_use: restrictions.one_time_use,
        proxy_restriction: restrictions.proxy,
        issuer,
        recipient: bearer.recipient,
        in_response_to: bearer.in_response_to.or(response_irt.map(str::to_string)),
        not_before,
        not_on_or_after,
        bearer_not_on_or_after: bearer.not_on_or_after,
        audiences,
    })
}

/// `expected "_a"` or `expected one of ["_a", "_b"]` or `no request is outstanding`.
fn expected_ids(ids: &[String]) -> String {
    match ids {
        [] => "but no request is outstanding".to_string(),
        [one] => format!("expected {one:?}"),
        many => format!("expected one of {many:?}"),
    }
}

/// The bearer SubjectConfirmationData's InResponseTo, against the policy. A response to a
/// request carries it there (profiles §4.1.4.2); a response that carries it nowhere is
/// unsolicited.
fn check_bearer_in_response_to(
    irt: Option<&str>,
    response_irt: Option<&str>,
    policy: &VerifyPolicy<'_>,
) -> Result<(), SamlError> {
    let InResponseTo::Expected { ids, allow_unsolicited } = &policy.in_response_to else {
        return Ok(());
    };
    match (irt, response_irt) {
        (Some(irt), _) if ids.iter().any(|id| id == irt) => Ok(()),
        (Some(irt), _) => Err(SamlError::new(
            ErrorKind::InResponseToMismatched,
            format!("SubjectConfirmationData InResponseTo is {irt:?}, {}", expected_ids(ids)),
        )),
        (None, None) if *allow_unsolicited => Ok(()),
        (None, None) => Err(SamlError::new(
            ErrorKind::InResponseToMismatched,
            format!(
                "SubjectConfirmationData InResponseTo is absent (an unsolicited response), {}",
                expected_ids(ids)
            ),
        )),
        (None, Some(_)) => Err(SamlError::new(
            ErrorKind::InResponseToMismatched,
            format!(
                "SubjectConfirmationData InResponseTo is absent while the Response answers a request, {}",
                expected_ids(ids)
            ),
        )),
    }
}

pub(crate) fn check_status(resp: Node<'_, '_>) -> Result<(), SamlError> {
    let status = child(resp, NS_PROTOCOL, "Status")
        .ok_or_else(|| SamlError::new(ErrorKind::StatusNotSuccess, "the Response has no Status"))?;
    let code = child(status, NS_PROTOCOL, "StatusCode");
    let value = code.and_then(|c| c.attribute("", "Value")).unwrap_or("");
    if value == STATUS_SUCCESS {
        return Ok(());
    }
    let sub = code
        .and_then(|c| child(c, NS_PROTOCOL, "StatusCode"))
        .and_then(|c| c.attribute("", "Value"));
    let message = child(status, NS_PROTOCOL, "StatusMessage").map(|m| m.text_content());
    let mut text = format!("status is {value:?}");
    if let Some(s) = sub {
        text.push_str(&format!(" / {s:?}"));
    }
    if let Some(m) = message {
        text.push_str(&format!(": {}", m.trim()));
    }
    Err(SamlError::new(ErrorKind::StatusNotSuccess, text))
}

/// Checks the bearer SubjectConfirmation(s); returns the Recipient of the one that passed.
fn check_subject_confirmation(
    subject: Node<'_, '_>,
    response_irt: Option<&str>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<Bearer, SamlError> {
    let bearers: Vec<Node<'_, '_>> = children(subject, NS_ASSERTION, "SubjectConfirmation")
        .filter(|c| c.attribute("", "Method") == Some(CM_BEARER))
        .collect();
    if bearers.is_empty() {
        return Err(SamlError::new(
            ErrorKind::SubjectConfirmationInvalid,
            "no SubjectConfirmation with the bearer method",
        ));
    }
    let mut first_error = None;
    for bearer in bearers {
        match check_bearer(bearer, response_irt, policy) {
            Ok((accepted, line)) => {
                steps.add(|| line);
                return Ok(accepted);
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        SamlError::new(
            ErrorKind::SubjectConfirmationInvalid,
            "no usable bearer SubjectConfirmation",
        )
    }))
}

fn check_bearer(
    bearer: Node<'_, '_>,
    response_irt: Option<&str>,
    policy: &VerifyPolicy<'_>,
) -> Result<(Bearer, String), SamlError> {
    let data = child(bearer, NS_ASSERTION, "SubjectConfirmationData").ok_or_else(|| {
        SamlError::new(
            ErrorKind::SubjectConfirmationInvalid,
            "bearer SubjectConfirmation has no SubjectConfirmationData",
        )
    })?;
    let noa = data.attribute("", "NotOnOrAfter").ok_or_else(|| {
        SamlError::new(
            ErrorKind::SubjectConfirmationInvalid,
            "SubjectConfirmationData has no NotOnOrAfter",
        )
    })?;
    let noa = parse_instant(noa, "SubjectConfirmationData NotOnOrAfter")?;
    if policy.now - policy.skew >= noa {
        return Err(SamlError::new(
            ErrorKind::AssertionExpired,
            format!(
                "SubjectConfirmationData NotOnOrAfter {} was {} before now ({}; skew {}s)",
                format_instant(noa),
                human(policy.now - noa),
                format_instant(policy.now),
                policy.skew.num_seconds()
            ),
        ));
    }
    if let Some(nb) = data.attribute("", "NotBefore") {
        let nb = parse_instant(nb, "SubjectConfirmationData NotBefore")?;
        if nb > policy.now + policy.skew {
            return Err(SamlError::new(
                ErrorKind::AssertionNotYetValid,
                format!(
                    "SubjectConfirmationData NotBefore {} is {} after now",
                    format_instant(nb),
                    human(nb - policy.now)
                ),
            ));
        }
    }
    let recipient = data.attribute("", "Recipient").map(str::to_string);
    if let Some(expected) = policy.recipient.as_deref() {
        match recipient.as_deref() {
            Some(r) if r == expected => {}
            Some(r) => {
                return Err(SamlError::new(
                    ErrorKind::RecipientMismatched,
                    format!("SubjectConfirmationData Recipient is {r:?}, expected {expected:?}"),
                ));
            }
            None => {
                return Err(SamlError::new(
                    ErrorKind::RecipientMismatched,
                    format!("SubjectConfirmationData has no Recipient, expected {expected:?}"),
                ));
            }
        }
    }
    let irt = data.attribute("", "InResponseTo");
    check_bearer_in_response_to(irt, response_irt, policy)?;
    let line = format!(
        "subject confirmation: bearer, NotOnOrAfter {} (in {}){}",
        format_instant(noa),
        human(noa - policy.now),
        recipient.as_deref().map_or(String::new(), |r| format!(", Recipient {r:?}"))
    );
    let in_response_to = irt.map(str::to_string);
    Ok((Bearer { recipient, in_response_to, not_on_or_after: noa }, line))
}

type ConditionValues = (Option<DateTime<Utc>>, Option<DateTime<Utc>>, Vec<String>);

fn check_conditions(
    conditions: Node<'_, '_>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<ConditionValues, SamlError> {
    let not_before = conditions
        .attribute("", "NotBefore")
        .map(|v| parse_instant(v, "Conditions NotBefore"))
        .transpose()?;
    let not_on_or_after = conditions
        .attribute("", "NotOnOrAfter")
        .map(|v| parse_instant(v, "Conditions NotOnOrAfter"))
        .transpose()?;
    if let Some(nb) = not_before {
        if nb > policy.now + policy.skew {
            return Err(SamlError::new(
                ErrorKind::AssertionNotYetValid,
                format!(
                    "Conditions NotBefore {} is {} after now ({}; skew {}s)",
                    format_instant(nb),
                    human(nb - policy.now),
                    format_instant(policy.now),
                    policy.skew.num_seconds()
                ),
            ));
        }
        steps.add(|| {
            format!("conditions: NotBefore {} ({} ago)", format_instant(nb), human(policy.now - nb))
        });
    }
    if let Some(noa) = not_on_or_after {
        if policy.now - policy.skew >= noa {
            return Err(SamlError::new(
                ErrorKind::AssertionExpired,
                format!(
                    "Conditions NotOnOrAfter {} was {} before now ({}; skew {}s)",
                    format_instant(noa),
                    human(policy.now - noa),
                    format_instant(policy.now),
                    policy.skew.num_seconds()
                ),
            ));
        }
        steps.add(|| {
            format!(
                "conditions: NotOnOrAfter {} (in {})",
                format_instant(noa),
                human(noa - policy.now)
            )
        });
    }
    let restrictions: Vec<Vec<String>> = children(conditions, NS_ASSERTION, "AudienceRestriction")
        .map(|r| children(r, NS_ASSERTION, "Audience").map(value).collect())
        .collect();
    let audiences: Vec<String> = restrictions.iter().flatten().cloned().collect();
    if let Some(expected) = policy.audience.as_deref() {
        if restrictions.is_empty() {
            return Err(SamlError::new(
                ErrorKind::AudienceInvalid,
                format!("the Conditions have no AudienceRestriction, expected {expected:?}"),
            ));
        }
        // Every AudienceRestriction must be satisfied (SAML core §2.5.1.4).
        if let Some(r) = restrictions.iter().find(|r| !r.iter().any(|a| a == expected)) {
            return Err(SamlError::new(
                ErrorKind::AudienceInvalid,
                format!("{expected:?} is not among the audiences {r:?}"),
            ));
        }
        steps.add(|| format!("conditions: audience {expected:?} allowed"));
    }
    Ok((not_before, not_on_or_after, audiences))
}

/// A time span for people, in the format every samlkit message uses.
fn human(d: Duration) -> String {
    samlkit_cert::expiry::human_duration(d.num_seconds())
}

const ENTITY_FORMAT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

/// An Issuer names an entity: its Format is omitted or `…:nameid-format:entity` (profiles
/// §4.1.4.2).
fn check_issuer_format(issuer: Node<'_, '_>) -> Result<(), SamlError> {
    match issuer.attribute("", "Format") {
        None | Some(ENTITY_FORMAT) => Ok(()),
        Some(other) => Err(SamlError::new(
            ErrorKind::IssuerFormatInvalid,
            format!(
                "the Issuer at {} has Format {other:?}; an IdP's Issuer is an entity ({ENTITY_FORMAT})",
                issuer.position()
            ),
        )),
    }
}

/// The Web Browser SSO profile requires an AuthnStatement (profiles §4.1.4.2), and its
/// SessionNotOnOrAfter, when given, must not have passed.
fn check_authn_statement(
    assertion: Node<'_, '_>,
    policy: &VerifyPolicy<'_>,
    steps: &mut Steps,
) -> Result<(), SamlError> {
    let statement = child(assertion, NS_ASSERTION, "AuthnStatement").ok_or_else(|| {
        SamlError::new(
            ErrorKind::AuthnStatementMissing,
            "the Assertion has no AuthnStatement (the Web Browser SSO profile requires one)",
        )
    })?;
    if let Some(end) = statement.attribute("", "SessionNotOnOrAfter") {
        let end = parse_instant(end, "AuthnStatement SessionNotOnOrAfter")?;
        if policy.now - policy.skew >= end {
            return Err(SamlError::new(
                ErrorKind::SessionExpired,
                format!(
                    "AuthnStatement SessionNotOnOrAfter {} was {} before now ({}; skew {}s)",
                    format_instant(end),
                    human(policy.now - end),
                    format_instant(policy.now),
                    policy.skew.num_seconds()
                ),
            ));
        }
        steps.add(|| {
            format!("authn: session ends {} (in {})", format_instant(end), human(end - policy.now))
        });
    }
    Ok(())
}

/// An EncryptedAttribute cannot be read without the SP's key; dropping it silently would hide
/// what the IdP said, so it is refused until decryption is supported.
fn refuse_encrypted_attributes(assertion: Node<'_, '_>) -> Result<(), SamlError> {
    for statement in children(assertion, NS_ASSERTION, "AttributeStatement") {
        if let Some(encrypted) = child(statement, NS_ASSERTION, "EncryptedAttribute") {
            return Err(SamlError::new(
                ErrorKind::EncryptedAttributeUnsupported,
                format!(
                    "the AttributeStatement holds an EncryptedAttribute at {}; samlkit does not decrypt attributes",
                    encrypted.position()
                ),
            ));
        }
    }
    Ok(())
}

/// The Conditions' children: AudienceRestriction (checked elsewhere), OneTimeUse and
/// ProxyRestriction (reported). Any other condition — a `saml:Condition` with an `xsi:type`, or
/// an element the schema does not list — is not understood, which makes the assertion
/// Indeterminate (core §2.5.1.1), so it is refused.
fn check_condition_elements(conditions: Node<'_, '_>) -> Result<Restrictions, SamlError> {
    let mut out = Restrictions::default();
    for condition in conditions.element_children() {
        if condition.has_name(NS_ASSERTION, "AudienceRestriction") {
            continue;
        }
        if condition.has_name(NS_ASSERTION, "OneTimeUse") {
            out.one_time_use = true;
            continue;
        }
        if condition.has_name(NS_ASSERTION, "ProxyRestriction") {
            let count = match condition.attribute("", "Count") {
                Some(c) => Some(c.trim().parse::<u32>().map_err(|_| {
                    SamlError::new(
                        ErrorKind::AssertionInvalid,
                        format!("ProxyRestriction Count {c:?} is not a non-negative integer"),
                    )
                })?),
                None => None,
            };
            let audiences = children(condition, NS_ASSERTION, "Audience").map(value).collect();
            out.proxy = Some(ProxyRestriction { count, audiences });
            continue;
        }
        let ns = condition.namespace_uri();
        let ty = condition.attribute(crate::builder::NS_XSI, "type");
        return Err(SamlError::new(
            ErrorKind::ConditionNotUnderstood,
            format!(
                "<{}> ({}{}) at {} is a condition samlkit does not understand; the assertion is Indeterminate",
                condition.name(),
                if ns.is_empty() { "no namespace" } else { ns },
                ty.map_or(String::new(), |t| format!(", xsi:type {t:?}")),
                condition.position()
            ),
        ));
    }
    Ok(out)
}
