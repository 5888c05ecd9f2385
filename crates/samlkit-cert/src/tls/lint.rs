//! Checks a mutual-TLS client chain the way servers judge it, before a partner's server
//! refuses it with one bare alert: order, trust anchor, extended key usage, key, sizes, dates.
//!
//! Each check has its own name and message; [`LintReport::passed`] is false when any check
//! reports an error (warnings do not fail it).
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use samlkit_cert::tls::lint::{LintOptions, Profile, lint};
//! use samlkit_cert::tls::{self, LeafProfile, Usage};
//! use samlkit_cert::{PrivateKey, Subject, generate};
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let ca_key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/ec-p256.key"))?;
//! let ca = tls::new_ca(&ca_key, &Subject::new("Example CA"), now, 3650, Some(0))?;
//! let key = PrivateKey::load(include_bytes!("../../../../fixtures/keys/idp.key"))?;
//! let csr = generate::certificate_request(&key, &Subject::new("client.example.com"))?;
//! let profile = LeafProfile { usage: Usage::Client, ..LeafProfile::default() };
//! let leaf = tls::sign_request(csr.der(), &ca, &ca_key, now, 365, &profile)?;
//!
//! let options = LintOptions { key: Some(&key), ..LintOptions::new(now) };
//! assert!(lint(&[leaf.clone(), ca.clone()], &options).passed());
//! // The wrong order fails the `order` check.
//! let report = lint(&[ca, leaf], &options);
//! assert!(report.findings.iter().any(|f| f.check == "order" && f.is_error()));
//! # Ok(()) }
//! ```

use chrono::{DateTime, Utc};

use super::{extensions, is_signed_by};
use crate::certificate::Certificate;
use crate::expiry::{Expiry, ExpiryStatus};
use crate::key::{KeyAlgorithm, PrivateKey};

/// Which server's rules to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profile {
    /// Any mutual-TLS server: what OpenSSL's `verify -purpose sslclient` checks, plus key
    /// and dates.
    #[default]
    Generic,
    /// Salesforce's inbound mutual TLS (port 8443): also not self-signed, clientAuth EKU
    /// required explicitly.
    SalesforceInbound,
}

impl Profile {
    /// `generic` or `salesforce-inbound`.
    pub fn name(self) -> &'static str {
        match self {
            Profile::Generic => "generic",
            Profile::SalesforceInbound => "salesforce-inbound",
        }
    }

    /// The profile named `name`.
    pub fn from_name(name: &str) -> Option<Profile> {
        [Profile::Generic, Profile::SalesforceInbound].into_iter().find(|p| p.name() == name)
    }
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The check passed.
    Ok,
    /// Worth fixing; servers accept it.
    Warning,
    /// Servers refuse it.
    Error,
}

impl Severity {
    /// `ok`, `warning` or `error`.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Ok => "ok",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The check: `order`, `anchor`, `issuer-ca`, `path-len`, `client-auth`, `key-usage`, `self-signed`,
    /// `key`, `key-size`, `validity`.
    pub check: &'static str,
    /// Its verdict.
    pub severity: Severity,
    /// What was found, in plain words.
    pub message: String,
}

impl Finding {
    /// Whether this finding fails the lint.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Everything [`lint`] found, in check order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintReport {
    /// One or more findings per check.
    pub findings: Vec<Finding>,
}

impl LintReport {
    /// True when no check reported an error.
    pub fn passed(&self) -> bool {
        !self.findings.iter().any(Finding::is_error)
    }
}

/// What [`lint`] needs besides the chain.
#[derive(Debug, Clone)]
pub struct LintOptions<'a> {
    /// The rules to apply.
    pub profile: Profile,
    /// Certificates trusted as anchors (`--ca-file`); empty: a self-signed root ends the chain.
    pub trusted: &'a [Certificate],
    /// The private key that goes with the leaf, to check they match.
    pub key: Option<&'a PrivateKey>,
    /// Warn when a certificate expires within this many days.
    pub warn_days: u32,
    /// The instant to judge validity at.
    pub now: DateTime<Utc>,
}

impl LintOptions<'_> {
    /// Generic profile, no trust store, no key, a 30-day warning window.
    pub fn new(now: DateTime<Utc>) -> LintOptions<'static> {
        LintOptions { profile: Profile::Generic, trusted: &[], key: None, warn_days: 30, now }
    }
}

/// Checks `chain` (leaf first) as a mutual-TLS client chain.
pub fn lint(chain: &[Certificate], options: &LintOptions<'_>) -> LintReport {
    let mut findings = Vec::new();
    let mut add = |check: &'static str, severity: Severity, message: String| {
        findings.push(Finding { check, severity, message });
    };
    let Some(leaf) = chain.first() else {
        add("order", Severity::Error, "the chain holds no certificate".into());
        return LintReport { findings };
    };
    let subject = |c: &Certificate| c.info().subject.clone();

    // Order: each certificate signed by the next.
    let mut in_order = true;
    for (i, pair) in chain.windows(2).enumerate() {
        if let [cert, next] = pair
            && !is_signed_by(cert, next)
        {
            in_order = false;
            if is_signed_by(cert, cert) {
                add(
                    "order",
                    Severity::Error,
                    format!(
                        "certificate {} ({}) is a self-signed root, which belongs at the end; list the leaf first, then each issuer",
                        i + 1,
                        subject(cert)
                    ),
                );
                continue;
            }
            let elsewhere = chain
                .iter()
                .position(|c| c.der() != cert.der() && is_signed_by(cert, c))
                .map(|at| format!("; its issuer is certificate {}", at + 1))
                .unwrap_or_default();
            add(
                "order",
                Severity::Error,
                format!(
                    "certificate {} ({}) is not signed by the certificate after it ({}){elsewhere}; list the leaf first, then each issuer",
                    i + 1,
                    subject(cert),
                    subject(next)
                ),
            );
        }
    }
    if in_order {
        add(
            "order",
            Severity::Ok,
            format!("{} certificate(s), leaf first, each signed by the next", chain.len()),
        );
    }

    // Anchor: the chain reaches a trusted certificate, or (without a trust store) a root.
    let last = chain.last().unwrap_or(leaf);
    if options.trusted.is_empty() {
        if is_signed_by(last, last) {
            add("anchor", Severity::Ok, format!("ends at the self-signed root {}", subject(last)));
        } else {
            add(
                "anchor",
                Severity::Error,
                format!(
                    "the chain ends at {}, which is not self-signed, and no --ca-file says who issued it (issuer {})",
                    subject(last),
                    last.info().issuer
                ),
            );
        }
    } else {
        let trusted_at = chain
            .iter()
            .position(|c| options.trusted.iter().any(|t| t.der() == c.der() || is_signed_by(c, t)));
        match trusted_at {
            Some(at) => {
                let how = if options.trusted.iter().any(|t| t.der() == chain[at].der()) {
                    "is in --ca-file"
                } else {
                    "is issued by a --ca-file certificate"
                };
                add(
                    "anchor",
                    Severity::Ok,
                    format!("certificate {} ({}) {how}", at + 1, subject(&chain[at])),
                );
            }
            None => add(
                "anchor",
                Severity::Error,
                format!(
                    "no certificate of the chain is issued by a --ca-file certificate (the chain ends at {}, issued by {})",
                    subject(last),
                    last.info().issuer
                ),
            ),
        }
    }

    // Issuers must be CAs.
    for (i, issuer) in chain.iter().enumerate().skip(1) {
        let is_ca =
            extensions(issuer).ok().and_then(|e| e.basic_constraints).is_some_and(|bc| bc.ca);
        if !is_ca {
            add(
                "issuer-ca",
                Severity::Error,
                format!(
                    "certificate {} ({}) issues another but is not a CA (no basicConstraints CA:TRUE)",
                    i + 1,
                    subject(issuer)
                ),
            );
        }
    }

    // pathlen: a CA with pathlen N may have at most N intermediate CAs below it (RFC 5280
    // 4.2.1.9). The issuers are the chain's certificates after the leaf, and the --ca-file
    // certificate that issued the chain's last one when it is not in the chain itself. Only
    // a chain in order is a path to count along (the order check reports the others).
    let outside_anchor = options.trusted.iter().find(|t| {
        !chain.iter().any(|c| c.der() == t.der())
            && is_signed_by(last, t)
            && !is_signed_by(last, last)
    });
    let issuers = chain
        .iter()
        .enumerate()
        .skip(1)
        .chain(outside_anchor.map(|t| (chain.len(), t)))
        .filter(|_| in_order);
    for (position, issuer) in issuers {
        let below = position - 1;
        let limit = extensions(issuer).ok().and_then(|e| e.basic_constraints).filter(|bc| bc.ca);
        if let Some(limit) = limit.and_then(|bc| bc.path_len)
            && usize::try_from(limit).is_ok_and(|limit| below > limit)
        {
            let at = if position < chain.len() {
                format!("certificate {}", position + 1)
            } else {
                "the --ca-file certificate".to_string()
            };
            add(
                "path-len",
                Severity::Error,
                format!(
                    "{at} ({}) has pathlen:{limit}, but {below} intermediate CA(s) follow below it",
                    subject(issuer)
                ),
            );
        }
    }

    // What the leaf may be used for.
    match extensions(leaf) {
        Ok(ext) => {
            let eku = &ext.extended_key_usage;
            let client = eku.iter().any(|p| p == "clientAuth");
            let server = eku.iter().any(|p| p == "serverAuth");
            if eku.is_empty() {
                let severity = match options.profile {
                    Profile::SalesforceInbound => Severity::Error,
                    Profile::Generic => Severity::Warning,
                };
                add("client-auth", severity, "the leaf has no extendedKeyUsage; servers that want clientAuth named (Salesforce does) refuse it".into());
            } else if !ext.allows_client_auth() {
                add(
                    "client-auth",
                    Severity::Error,
                    format!(
                        "the leaf's extendedKeyUsage ({}) does not include clientAuth: servers refuse it as a client certificate",
                        eku.join(", ")
                    ),
                );
            } else if client && server {
                add("client-auth", Severity::Warning, "the leaf is dual-use (serverAuth and clientAuth); public CAs no longer issue these since 2026-06-15: use a clientAuth-only certificate".into());
            } else {
                add(
                    "client-auth",
                    Severity::Ok,
                    "the leaf has the clientAuth extended key usage".into(),
                );
            }
            if !ext.key_usage.is_empty() && !ext.key_usage.contains(&"Digital Signature") {
                add(
                    "key-usage",
                    Severity::Error,
                    format!(
                        "the leaf's keyUsage ({}) lacks Digital Signature, which a TLS client needs",
                        ext.key_usage.join(", ")
                    ),
                );
            }
        }
        Err(e) => add(
            "client-auth",
            Severity::Error,
            format!("the leaf's extensions cannot be read: {e}"),
        ),
    }

    if options.profile == Profile::SalesforceInbound && is_signed_by(leaf, leaf) {
        add("self-signed", Severity::Error, "the leaf is self-signed; Salesforce's inbound mutual TLS needs a CA-issued client certificate".into());
    }

    if let Some(key) = options.key {
        if leaf.matches_key(key) {
            add("key", Severity::Ok, "the private key matches the leaf".into());
        } else {
            add(
                "key",
                Severity::Error,
                format!("the private key does not match the leaf ({})", subject(leaf)),
            );
        }
    }

    for (i, cert) in chain.iter().enumerate() {
        if let KeyAlgorithm::Rsa { bits } = cert.info().key
            && bits < 2048
        {
            add(
                "key-size",
                Severity::Error,
                format!(
                    "certificate {} ({}) has a {bits}-bit RSA key; servers want at least 2048 bits",
                    i + 1,
                    subject(cert)
                ),
            );
        }
    }

    for (i, cert) in chain.iter().enumerate() {
        let info = cert.info();
        let expiry =
            Expiry::evaluate(info.not_before, info.not_after, options.now, options.warn_days);
        let at = format!("certificate {} ({})", i + 1, subject(cert));
        match expiry.status {
            ExpiryStatus::Ok => {}
            ExpiryStatus::Renew => add(
                "validity",
                Severity::Warning,
                format!(
                    "{at} expires in {} day(s), within --warn-days {}",
                    expiry.days_left, options.warn_days
                ),
            ),
            ExpiryStatus::Expired => add(
                "validity",
                Severity::Error,
                format!("{at} expired at {}", info.not_after.format("%Y-%m-%dT%H:%M:%SZ")),
            ),
            ExpiryStatus::NotYetValid => add(
                "validity",
                Severity::Error,
                format!(
                    "{at} is not valid before {}",
                    info.not_before.format("%Y-%m-%dT%H:%M:%SZ")
                ),
            ),
        }
    }
    LintReport { findings }
}
