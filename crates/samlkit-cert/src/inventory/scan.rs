//! `inventory scan`: every certificate a Salesforce org has or trusts, and every integration
//! that uses it, from the facts [`sfmeta::extract`](fn@crate::sfmeta::extract) read out of the
//! org's metadata.
//!
//! Certificates are grouped by SHA-256 fingerprint, so one certificate uploaded as a component
//! and pasted inline elsewhere (or pasted twice, once as PEM and once as base64) is one entry.
//! References by record Id are resolved through [`CertificateIds`], the CSV the Tooling API
//! query writes. Nothing here reads the clock: [`ScanOptions::now`] is the instant judged.
//!
//! ```
//! use samlkit_cert::inventory::scan::{ScanOptions, scan};
//! use samlkit_cert::sfmeta::{ProjectFile, ProjectFiles, extract};
//! # fn main() -> Result<(), samlkit_cert::CertError> {
//! let file = |path: &str, text: &str| ProjectFile {
//!     path: path.to_string(),
//!     contents: Ok(text.as_bytes().to_vec()),
//! };
//! let project = ProjectFiles::from_files(vec![
//!     file("package.xml", "<Package/>"),
//!     file("namedCredentials/Bank.namedCredential",
//!          "<NamedCredential><certificate>Bank_mTLS</certificate></NamedCredential>"),
//! ], "retrieve")?;
//! let now = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap();
//! let report = scan(&extract(&project), &ScanOptions { now, warn_days: 60, ids: None });
//! assert_eq!(report.problems[0].kind.as_str(), "dangling-reference");
//! assert_eq!(report.problems[0].value, "Bank_mTLS");
//! assert!(report.needs_action());
//! # Ok(()) }
//! ```

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use crate::certificate::Certificate;
use crate::expiry::{Expiry, ExpiryStatus};
pub use crate::inventory::ids::CertificateIds;
use crate::sfmeta::{CodeReference, CrtContent, MetadataFacts, MetadataType, RefKind, RefValue};

/// How to judge the scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The instant validity is judged at.
    pub now: DateTime<Utc>,
    /// Renewal window in days (Salesforce's first reminder is 60).
    pub warn_days: u32,
    /// Certificate record Ids, to resolve references by Id.
    pub ids: Option<CertificateIds>,
}

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScanStatus {
    /// Judged by its validity period.
    Expiry(ExpiryStatus),
    /// A CA-signed certificate whose signed chain was never uploaded: the `.crt` is a CSR.
    Pending,
    /// The `.crt` is missing or unreadable.
    Error,
}

impl ScanStatus {
    /// `ok`, `renew`, `expired`, `not-yet-valid`, `pending` or `error`.
    pub fn as_str(self) -> &'static str {
        match self {
            ScanStatus::Expiry(status) => status.as_str(),
            ScanStatus::Pending => "pending",
            ScanStatus::Error => "error",
        }
    }

    /// Everything but `ok`.
    pub fn needs_action(self) -> bool {
        self != ScanStatus::Expiry(ExpiryStatus::Ok)
    }
}

/// One integration that uses a certificate.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Usage {
    /// The component's metadata type.
    pub metadata_type: MetadataType,
    /// The component's name.
    pub component: String,
    /// The field (`samlConfig/encryptionCertificate`).
    pub field: String,
    /// How the field refers to the certificate.
    pub how: RefKind,
    /// What the certificate does there, in plain words.
    pub role: &'static str,
}

impl Usage {
    /// `name`, `label`, `inline` or `id`: how the reference was made (and matched).
    pub fn ref_str(&self) -> &'static str {
        match self.how {
            RefKind::Name => "name",
            RefKind::NameOrLabel => "label",
            RefKind::Inline => "inline",
            RefKind::Id => "id",
        }
    }

    /// `SamlSsoConfig Okta_SSO (validationCert): verifies the external IdP's assertions`.
    pub fn describe(&self) -> String {
        format!(
            "{} {} ({}): {}",
            self.metadata_type.as_str(),
            self.component,
            self.field,
            self.role
        )
    }
}

/// One certificate of the org, with everything that uses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedCertificate {
    /// The Certificate component's name, `None` when the certificate is only written inline.
    pub name: Option<String>,
    /// Its master label.
    pub label: Option<String>,
    /// Project-relative path of the component's `.crt-meta.xml`.
    pub path: Option<String>,
    /// The leaf certificate, when there is one.
    pub certificate: Option<Box<Certificate>>,
    /// `AB:CD:…`, when there is a certificate.
    pub sha256: Option<String>,
    /// Subject of the certificate (or of the CSR, when pending).
    pub subject: Option<String>,
    /// End of validity: the certificate's notAfter, else the metadata's expirationDate.
    pub not_after: Option<DateTime<Utc>>,
    /// Whole days left to `not_after`.
    pub days_left: Option<i64>,
    /// The verdict.
    pub status: ScanStatus,
    /// The Salesforce reminder (60/30/10) already crossed.
    pub threshold: Option<u32>,
    /// Why the status is `pending` or `error`, in words.
    pub detail: Option<String>,
    /// The integrations, sorted.
    pub used_by: Vec<Usage>,
}

impl ScannedCertificate {
    /// The name, or `inline <first 8 hex digits of the fingerprint>`.
    pub fn display_name(&self) -> String {
        match (&self.name, &self.sha256) {
            (Some(name), _) => name.clone(),
            (None, Some(sha)) => format!("inline {}", sha.replace(':', "").get(..8).unwrap_or("")),
            (None, None) => "inline".to_string(),
        }
    }
}

/// The kinds of problem a scan reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ProblemKind {
    /// A file could not be used (malformed XML, a DOCTYPE, a missing or garbage `.crt`, …);
    /// the string says which.
    File(&'static str),
    /// An inline certificate that does not decode.
    InvalidInlineCertificate,
    /// A name no Certificate component has.
    DanglingReference,
    /// A record Id not resolved (no `--ids`, or not in it).
    UnresolvedId,
    /// An expired certificate still in use.
    ExpiredInUse,
    /// A pending (CSR-only) certificate already in use.
    PendingInUse,
    /// A Certificate component nothing uses.
    UnusedCertificate,
}

impl ProblemKind {
    /// The kebab-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::File(kind) => kind,
            ProblemKind::InvalidInlineCertificate => "invalid-inline-certificate",
            ProblemKind::DanglingReference => "dangling-reference",
            ProblemKind::UnresolvedId => "unresolved-id",
            ProblemKind::ExpiredInUse => "expired-in-use",
            ProblemKind::PendingInUse => "pending-in-use",
            ProblemKind::UnusedCertificate => "unused-certificate",
        }
    }

    /// Whether the problem alone makes the scan fail (exit 1): a dangling reference, or a file
    /// that could not be used (the report may then miss integrations).
    pub fn fails_scan(self) -> bool {
        matches!(
            self,
            ProblemKind::File(_)
                | ProblemKind::InvalidInlineCertificate
                | ProblemKind::DanglingReference
        )
    }
}

/// One problem, located by metadata type, component and field.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// What kind.
    pub kind: ProblemKind,
    /// The component's type.
    pub metadata_type: MetadataType,
    /// The component's name.
    pub component: String,
    /// The field, when the problem is about one.
    pub field: Option<String>,
    /// The offending value or, for a file problem, what is wrong with the file.
    pub value: String,
    /// Project-relative path of the file, for file problems.
    pub path: Option<String>,
}

/// The result of a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScanReport {
    /// The instant judged.
    pub now: DateTime<Utc>,
    /// The renewal window used.
    pub warn_days: u32,
    /// Certificates, soonest expiry first (those without a date first of all).
    pub certificates: Vec<ScannedCertificate>,
    /// Problems, grouped by kind.
    pub problems: Vec<Problem>,
    /// Certificate names found in Apex code, reported apart from metadata references.
    pub code_references: Vec<CodeReference>,
}

impl ScanReport {
    /// Exit 1: a certificate needs action, a reference dangles, or a file could not be used.
    pub fn needs_action(&self) -> bool {
        self.certificates.iter().any(|c| c.status.needs_action())
            || self.problems.iter().any(|p| p.kind.fails_scan())
    }
}

/// Builds the report from the facts.
pub fn scan(facts: &MetadataFacts, options: &ScanOptions) -> ScanReport {
    let mut builder =
        Builder { entries: Vec::new(), by_sha: BTreeMap::new(), by_name: BTreeMap::new() };
    let mut problems: Vec<Problem> = facts
        .problems
        .iter()
        .map(|p| Problem {
            kind: ProblemKind::File(p.kind),
            metadata_type: p.metadata_type,
            component: p.component.clone(),
            field: None,
            value: p.detail.clone(),
            path: Some(p.path.clone()),
        })
        .collect();
    for component in facts.certificates.values() {
        let index = match &component.content {
            CrtContent::Certificate(cert) => {
                builder.for_certificate(cert, Some(component.name.clone()))
            }
            other => {
                let (status, subject, detail) = match other {
                    CrtContent::Pending { subject } => (
                        ScanStatus::Pending,
                        subject.clone(),
                        "the .crt is still a certificate signing request: the CA-signed chain was never uploaded".to_string(),
                    ),
                    CrtContent::Missing => (ScanStatus::Error, None, "the .crt file is missing".to_string()),
                    CrtContent::Invalid(reason) => (ScanStatus::Error, None, reason.clone()),
                    CrtContent::Certificate(_) => (ScanStatus::Error, None, String::new()),
                };
                builder.entries.push(ScannedCertificate {
                    name: Some(component.name.clone()),
                    label: None,
                    path: None,
                    certificate: None,
                    sha256: None,
                    subject,
                    not_after: component.expiration,
                    days_left: None,
                    status,
                    threshold: None,
                    detail: Some(detail),
                    used_by: Vec::new(),
                });
                builder.entries.len() - 1
            }
        };
        builder.by_name.insert(component.name.clone(), index);
        let entry = &mut builder.entries[index];
        entry.label = entry.label.take().or_else(|| component.label.clone());
        entry.path = entry.path.take().or_else(|| Some(component.path.clone()));
    }
    let by_label: BTreeMap<String, usize> = facts
        .certificates
        .values()
        .filter_map(|c| Some((c.label.clone()?, *builder.by_name.get(&c.name)?)))
        .collect();
    for reference in &facts.references {
        let usage = |how: RefKind| Usage {
            metadata_type: reference.kind,
            component: reference.component.clone(),
            field: reference.field.clone(),
            how,
            role: reference.role,
        };
        let problem = |kind: ProblemKind, value: String| Problem {
            kind,
            metadata_type: reference.kind,
            component: reference.component.clone(),
            field: Some(reference.field.clone()),
            value,
            path: None,
        };
        match &reference.value {
            RefValue::Name(name) => {
                let found = builder.by_name.get(name).map(|&i| (i, RefKind::Name)).or_else(|| {
                    (reference.how == RefKind::NameOrLabel)
                        .then(|| by_label.get(name).map(|&i| (i, RefKind::NameOrLabel)))
                        .flatten()
                });
                match found {
                    Some((index, how)) => builder.entries[index].used_by.push(usage(how)),
                    None => problems.push(problem(ProblemKind::DanglingReference, name.clone())),
                }
            }
            RefValue::Inline(Ok(cert)) => {
                let index = builder.for_certificate(cert, None);
                builder.entries[index].used_by.push(usage(RefKind::Inline));
            }
            RefValue::Inline(Err(reason)) => {
                problems.push(problem(ProblemKind::InvalidInlineCertificate, reason.clone()));
            }
            RefValue::Id(id) => match options.ids.as_ref().and_then(|ids| ids.resolve(id)) {
                None => problems.push(problem(ProblemKind::UnresolvedId, id.clone())),
                Some(name) => match builder.by_name.get(name) {
                    Some(&index) => builder.entries[index].used_by.push(usage(RefKind::Id)),
                    None => problems
                        .push(problem(ProblemKind::DanglingReference, format!("{name} (Id {id})"))),
                },
            },
        }
    }
    let mut certificates = builder.entries;
    for entry in &mut certificates {
        judge(entry, options);
        entry.used_by.sort();
        entry.used_by.dedup();
        let in_use = match entry.status {
            ScanStatus::Expiry(ExpiryStatus::Expired) => Some(ProblemKind::ExpiredInUse),
            ScanStatus::Pending => Some(ProblemKind::PendingInUse),
            _ => None,
        };
        let value = entry.display_name();
        if let Some(kind) = in_use {
            problems.extend(entry.used_by.iter().map(|u| Problem {
                kind,
                metadata_type: u.metadata_type,
                component: u.component.clone(),
                field: Some(u.field.clone()),
                value: value.clone(),
                path: None,
            }));
        }
        if entry.used_by.is_empty()
            && let Some(name) = &entry.name
        {
            problems.push(Problem {
                kind: ProblemKind::UnusedCertificate,
                metadata_type: MetadataType::Certificate,
                component: name.clone(),
                field: None,
                value: name.clone(),
                path: None,
            });
        }
    }
    certificates.sort_by(|a, b| {
        a.not_after
            .cmp(&b.not_after)
            .then_with(|| a.name.cmp(&b.name))
            .then_with(|| a.sha256.cmp(&b.sha256))
    });
    problems.sort();
    problems.dedup();
    ScanReport {
        now: options.now,
        warn_days: options.warn_days,
        certificates,
        problems,
        code_references: facts.code_references.clone(),
    }
}

struct Builder {
    entries: Vec<ScannedCertificate>,
    by_sha: BTreeMap<String, usize>,
    by_name: BTreeMap<String, usize>,
}

impl Builder {
    /// The entry for `cert`'s fingerprint, created if new; a component name fills a missing one.
    fn for_certificate(&mut self, cert: &Certificate, name: Option<String>) -> usize {
        let sha = cert.sha256_fingerprint();
        if let Some(&index) = self.by_sha.get(&sha) {
            let entry = &mut self.entries[index];
            if entry.name.is_none() {
                entry.name = name;
            }
            return index;
        }
        let info = cert.info();
        self.entries.push(ScannedCertificate {
            name,
            label: None,
            path: None,
            certificate: Some(Box::new(cert.clone())),
            sha256: Some(sha.clone()),
            subject: Some(info.subject.clone()),
            not_after: Some(info.not_after),
            days_left: None,
            status: ScanStatus::Error,
            threshold: None,
            detail: None,
            used_by: Vec::new(),
        });
        self.by_sha.insert(sha, self.entries.len() - 1);
        self.entries.len() - 1
    }
}

/// Sets status, days left and threshold at `options.now`.
fn judge(entry: &mut ScannedCertificate, options: &ScanOptions) {
    if let Some(not_after) = entry.not_after {
        entry.days_left = Some((not_after - options.now).num_seconds().div_euclid(86_400));
    }
    if let Some(cert) = &entry.certificate {
        let info = cert.info();
        let expiry =
            Expiry::evaluate(info.not_before, info.not_after, options.now, options.warn_days);
        entry.status = ScanStatus::Expiry(expiry.status);
        entry.days_left = Some(expiry.days_left);
        entry.threshold = expiry.threshold;
        if expiry.status.needs_action() {
            entry.detail = Some(expiry.describe(info.not_before, info.not_after));
        }
    }
}
