//! [`VerifyPolicy`]: what the verifier checks. The safe constructor checks every binding; leaving
//! one unchecked is a long-named, explicit choice that the result reports.

use chrono::{DateTime, Duration, Utc};
use samlkit_cert::Certificate;
use serde::Serialize;

/// The default allowed clock difference for every time condition (3 minutes).
pub const DEFAULT_SKEW_SECONDS: i64 = 180;

/// Which signature the verifier insists on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Require {
    /// The Response must be signed.
    Response,
    /// The Assertion must be signed.
    Assertion,
    /// Either (or both).
    #[default]
    Any,
    /// The Response and the Assertion must both be signed.
    Both,
}

impl Require {
    /// Parses `response`, `assertion`, `any` or `both`.
    pub fn from_name(name: &str) -> Option<Require> {
        match name {
            "response" => Some(Require::Response),
            "assertion" => Some(Require::Assertion),
            "any" => Some(Require::Any),
            "both" => Some(Require::Both),
            _ => None,
        }
    }
}

/// A value that ties a response to one service provider and one identity provider. A verifier
/// that does not check one of them accepts a response meant for someone else.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Binding {
    /// The SP's entity ID in every AudienceRestriction.
    Audience,
    /// The SP's ACS URL in the bearer Recipient (and the Response Destination, when present).
    Recipient,
    /// The IdP's entity ID in the Issuer.
    Issuer,
}

impl Binding {
    /// `audience`, `recipient` or `issuer`.
    pub fn name(self) -> &'static str {
        match self {
            Binding::Audience => "audience",
            Binding::Recipient => "recipient",
            Binding::Issuer => "issuer",
        }
    }
}

/// How InResponseTo is checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum InResponseTo {
    /// Not checked (a captured response verified offline).
    Unchecked,
    /// The response must answer one of these request IDs; a response that answers none
    /// (unsolicited, IdP-initiated) is accepted only when `allow_unsolicited`.
    Expected { ids: Vec<String>, allow_unsolicited: bool },
}

/// What to check, and against what. `now` comes from the caller: this crate never reads the
/// clock.
///
/// [`VerifyPolicy::new`] checks audience, recipient and issuer. For a tool that inspects a
/// captured response without knowing them, [`VerifyPolicy::without_binding_checks`] checks the
/// signature and the SAML conditions only; the [`crate::VerifiedAssertion`] it yields then lists
/// what went unchecked in [`crate::VerifiedAssertion::unchecked`].
///
/// ```
/// # let trusted: Vec<samlkit_cert::Certificate> = Vec::new();
/// # let now: chrono::DateTime<chrono::Utc> = "2026-01-01T00:00:00Z".parse().unwrap();
/// use samlkit_saml::{Require, VerifyPolicy};
/// let policy = VerifyPolicy::new(
///     &trusted,
///     "https://sp.example.com",
///     "https://sp.example.com/acs",
///     "https://idp.example.com",
///     now,
/// )
/// .require(Require::Assertion)
/// .skew(chrono::Duration::seconds(60));
/// assert!(policy.unchecked().is_empty());
/// ```
#[derive(Clone, Debug)]
pub struct VerifyPolicy<'c> {
    pub(crate) trusted: &'c [Certificate],
    pub(crate) audience: Option<String>,
    pub(crate) recipient: Option<String>,
    pub(crate) issuer: Option<String>,
    pub(crate) in_response_to: InResponseTo,
    pub(crate) now: DateTime<Utc>,
    pub(crate) skew: Duration,
    pub(crate) require: Require,
    pub(crate) allow_sha1: bool,
    pub(crate) allow_rsa1024: bool,
    pub(crate) allow_bare_assertion: bool,
    pub(crate) refuse_expired_certificates: bool,
}

impl<'c> VerifyPolicy<'c> {
    /// A policy that checks everything that binds a response to this SP and this IdP: the
    /// audience (`sp_entity_id`), the recipient and Destination (`acs_url`) and the issuer
    /// (`idp_entity_id`), with the default skew, either signature, no SHA-1 and no bare
    /// Assertion. InResponseTo is not checked until [`VerifyPolicy::in_response_to`] is set
    /// ([`crate::ServiceProvider`] always sets it).
    pub fn new(
        trusted: &'c [Certificate],
        sp_entity_id: impl Into<String>,
        acs_url: impl Into<String>,
        idp_entity_id: impl Into<String>,
        now: DateTime<Utc>,
    ) -> VerifyPolicy<'c> {
        VerifyPolicy {
            audience: Some(sp_entity_id.into()),
            recipient: Some(acs_url.into()),
            issuer: Some(idp_entity_id.into()),
            ..VerifyPolicy::without_binding_checks(trusted, now)
        }
    }

    /// A policy that checks the signatures, the profile and the time conditions, but not the
    /// audience, recipient or issuer: any response signed by a trusted certificate passes,
    /// whoever it was meant for. Add each check with [`VerifyPolicy::audience`],
    /// [`VerifyPolicy::recipient`] and [`VerifyPolicy::issuer`]; what stays unchecked is listed by
    /// [`VerifyPolicy::unchecked`] and in the result.
    pub fn without_binding_checks(
        trusted: &'c [Certificate],
        now: DateTime<Utc>,
    ) -> VerifyPolicy<'c> {
        VerifyPolicy {
            trusted,
            audience: None,
            recipient: None,
            issuer: None,
            in_response_to: InResponseTo::Unchecked,
            now,
            skew: Duration::seconds(DEFAULT_SKEW_SECONDS),
            require: Require::Any,
            allow_sha1: false,
            allow_rsa1024: false,
            allow_bare_assertion: false,
            refuse_expired_certificates: false,
        }
    }

    /// Checks that every AudienceRestriction names `sp_entity_id`.
    pub fn audience(mut self, sp_entity_id: impl Into<String>) -> Self {
        self.audience = Some(sp_entity_id.into());
        self
    }

    /// Checks that the bearer Recipient (and the Response Destination, when present) is
    /// `acs_url`.
    pub fn recipient(mut self, acs_url: impl Into<String>) -> Self {
        self.recipient = Some(acs_url.into());
        self
    }

    /// Checks that the Assertion's (and the Response's) Issuer is `idp_entity_id`.
    pub fn issuer(mut self, idp_entity_id: impl Into<String>) -> Self {
        self.issuer = Some(idp_entity_id.into());
        self
    }

    /// Checks that the response answers one of `request_ids` (the IDs of the AuthnRequests this
    /// SP has outstanding). A response that answers no request (unsolicited, IdP-initiated) is
    /// refused unless [`VerifyPolicy::allow_unsolicited`].
    pub fn in_response_to<I, S>(mut self, request_ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let allow_unsolicited =
            matches!(self.in_response_to, InResponseTo::Expected { allow_unsolicited: true, .. });
        self.in_response_to = InResponseTo::Expected {
            ids: request_ids.into_iter().map(Into::into).collect(),
            allow_unsolicited,
        };
        self
    }

    /// Accepts a response that answers no request (IdP-initiated login), while a response that
    /// does answer one must still answer an outstanding one.
    pub fn allow_unsolicited(mut self) -> Self {
        self.in_response_to = match self.in_response_to {
            InResponseTo::Expected { ids, .. } => {
                InResponseTo::Expected { ids, allow_unsolicited: true }
            }
            InResponseTo::Unchecked => {
                InResponseTo::Expected { ids: Vec::new(), allow_unsolicited: true }
            }
        };
        self
    }

    /// The allowed clock difference for every time condition.
    pub fn skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Which signature must be present.
    pub fn require(mut self, require: Require) -> Self {
        self.require = require;
        self
    }

    /// Accepts rsa-sha1 signatures and SHA-1 digests. SHA-1 collisions are practical: allow it
    /// only to check a legacy IdP that cannot be upgraded.
    pub fn allow_insecure_sha1(mut self) -> Self {
        self.allow_sha1 = true;
        self
    }

    /// Accepts signatures by RSA keys of 1024 bits or more, instead of 2048 (a signature by a
    /// smaller trusted key is refused as [`crate::ErrorKind::KeyTooSmall`]). The rule is the
    /// same for every hash: rsa-sha1 with such a key also needs
    /// [`VerifyPolicy::allow_insecure_sha1`]. 1024-bit RSA is within reach of a well-funded
    /// attacker: allow it only to check a legacy IdP that cannot be upgraded.
    pub fn allow_insecure_rsa1024(mut self) -> Self {
        self.allow_rsa1024 = true;
        self
    }

    /// Accepts a signed `saml:Assertion` that arrives on its own, without a `samlp:Response`
    /// around it. The Web Browser SSO profile always sends a Response.
    pub fn allow_bare_assertion(mut self) -> Self {
        self.allow_bare_assertion = true;
        self
    }

    /// Refuses a response whose trusted certificate is expired or not yet valid at `now`
    /// ([`crate::ErrorKind::CertificateExpired`]). Without it the result reports the
    /// certificate's state in [`crate::VerifiedAssertion::cert_status`]: many IdPs keep signing
    /// with an expired certificate, and SPs differ on whether to accept it.
    pub fn refuse_expired_certificates(mut self) -> Self {
        self.refuse_expired_certificates = true;
        self
    }

    /// The bindings this policy does not check, in the order audience, recipient, issuer.
    pub fn unchecked(&self) -> Vec<Binding> {
        let mut out = Vec::new();
        if self.audience.is_none() {
            out.push(Binding::Audience);
        }
        if self.recipient.is_none() {
            out.push(Binding::Recipient);
        }
        if self.issuer.is_none() {
            out.push(Binding::Issuer);
        }
        out
    }

    /// The trusted certificates (the only source of trust).
    pub fn trusted(&self) -> &'c [Certificate] {
        self.trusted
    }

    /// The time the conditions are checked against.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }
}
