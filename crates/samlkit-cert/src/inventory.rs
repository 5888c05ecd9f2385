//! The certificate inventory: which integrations depend on which certificate, and when each
//! one must be renewed.
//!
//! The inventory is a TOML file with one `[[certificate]]` table per credential:
//!
//! ```toml
//! [[certificate]]
//! name = "sso-signing-2026"
//! cert = "certs/sso-2026.crt"          # relative to the inventory file
//! owner = "identity-team@example.com"
//! warn_days = 45                        # optional, overrides the default window
//! integrations = ["Salesforce SSO (production)", "Workday SAML"]
//! ```
//!
//! `samlkit inventory scan … --write` adds three keys it owns: `sha256` (to find the entry
//! again), `metadata_integrations` (what the org's metadata says uses it) and `removed` (set
//! when a certificate it added is no longer in the metadata; entries are never deleted).
//!
//! This module does no I/O: [`Inventory::report`] takes a function that reads a certificate
//! file, so the CLI decides how files are read and tests can feed bytes directly.
//!
//! [`scan`] builds the same knowledge from a Salesforce org's metadata, [`render`] writes a scan
//! as Markdown, iCalendar or Prometheus metrics, and [`merge`] folds a scan into this file.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::Deserialize;
use toml::Spanned;

use crate::CertError;
use crate::certificate::{Certificate, CertificateInfo};
use crate::expiry::{Expiry, ExpiryStatus};

pub mod ids;
pub mod merge;
pub mod render;
pub mod scan;

/// One `[[certificate]]` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryEntry {
    /// A name people use for the credential.
    pub name: String,
    /// The certificate file as written in the inventory (relative to the inventory file).
    pub cert: String,
    /// Who renews it.
    pub owner: Option<String>,
    /// A warning window for this entry, overriding the report's default.
    pub warn_days: Option<u32>,
    /// The integrations (service providers, apps) that trust this certificate.
    pub integrations: Vec<String>,
    /// The certificate's SHA-256 fingerprint, written by `inventory scan --write`.
    pub sha256: Option<String>,
    /// The integrations the Salesforce metadata scan found (rewritten by each scan).
    pub metadata_integrations: Vec<String>,
    /// Set when the certificate is no longer in the scanned metadata: when and where.
    pub removed: Option<String>,
    /// For a `cert` that is a JKS or PKCS#12 keystore: the entry to check (the only key entry
    /// when not given).
    pub alias: Option<String>,
    /// For a keystore: the environment variable holding its password (the CLI reads it).
    pub password_env: Option<String>,
    /// What the certificate is used for (`usage = "saml" | "jwt" | "mtls-client" |
    /// "mtls-server"`): the report then also runs the checks that use needs.
    pub usage: Option<Usage>,
    /// 1-based line of the entry's `[[certificate]]` header.
    pub line: usize,
}

/// What an inventory entry's certificate is used for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    /// Signing SAML assertions.
    Saml,
    /// Signing JWT bearer tokens (Salesforce wants RS256: an RSA key).
    Jwt,
    /// A mutual-TLS client certificate (needs the clientAuth extended key usage).
    MtlsClient,
    /// A TLS server certificate (needs serverAuth and a subjectAltName).
    MtlsServer,
}

impl Usage {
    /// Every usage.
    pub const ALL: [Usage; 4] = [Usage::Saml, Usage::Jwt, Usage::MtlsClient, Usage::MtlsServer];

    /// The name in the inventory file.
    pub fn name(self) -> &'static str {
        match self {
            Usage::Saml => "saml",
            Usage::Jwt => "jwt",
            Usage::MtlsClient => "mtls-client",
            Usage::MtlsServer => "mtls-server",
        }
    }

    /// What `cert` lacks for this use, in plain words (empty when nothing).
    pub fn problems(self, cert: &Certificate) -> Vec<String> {
        let mut problems = Vec::new();
        let ext = crate::tls::extensions(cert).unwrap_or_default();
        if let crate::KeyAlgorithm::Rsa { bits } = cert.info().key
            && bits < 2048
        {
            problems.push(format!("a {bits}-bit RSA key; use 2048 bits or more"));
        }
        match self {
            Usage::Saml => {}
            Usage::Jwt => {
                if !matches!(cert.info().key, crate::KeyAlgorithm::Rsa { .. }) {
                    problems.push(format!(
                        "an {} key; Salesforce's JWT bearer flow needs RS256 (an RSA key)",
                        cert.info().key
                    ));
                }
            }
            Usage::MtlsClient => {
                if !ext.extended_key_usage.iter().any(|p| p == "clientAuth") {
                    problems.push(
                        "an mtls-client certificate without the clientAuth extended key usage"
                            .into(),
                    );
                }
            }
            Usage::MtlsServer => {
                if !ext.extended_key_usage.iter().any(|p| p == "serverAuth") {
                    problems.push(
                        "an mtls-server certificate without the serverAuth extended key usage"
                            .into(),
                    );
                }
                if ext.alt_names.is_empty() {
                    problems.push(
                        "an mtls-server certificate without subjectAltName names; clients match the host name against them"
                            .into(),
                    );
                }
            }
        }
        problems
    }
}

/// A parsed inventory file.
///
/// ```
/// use std::path::Path;
///
/// use chrono::{TimeZone, Utc};
/// use samlkit_cert::Inventory;
/// # fn main() -> Result<(), samlkit_cert::CertError> {
/// let toml = r#"
/// [[certificate]]
/// name = "sso-signing"
/// cert = "idp.crt"
/// integrations = ["Salesforce SSO"]
///
/// [[certificate]]
/// name = "old-portal"
/// cert = "gone.crt"
/// "#;
/// let inventory = Inventory::parse(toml, "samlkit.toml")?;
/// // The caller does the I/O; here the one existing file comes from memory.
/// let read = |path: &Path| match path.file_name().and_then(|name| name.to_str()) {
///     Some("idp.crt") => Ok(include_bytes!("../../../fixtures/certs/idp.crt").to_vec()),
///     _ => Err(format!("{}: no such file", path.display())),
/// };
/// let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
/// let rows = inventory.report(Path::new("/etc/samlkit"), now, 30, read);
/// // Unreadable entries come first: nobody knows when they expire.
/// assert_eq!((rows[0].entry.name.as_str(), rows[0].status()), ("old-portal", "error"));
/// assert_eq!((rows[1].entry.name.as_str(), rows[1].status()), ("sso-signing", "ok"));
/// assert_eq!(rows[1].path, Path::new("/etc/samlkit/idp.crt"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inventory {
    /// The entries, in file order.
    pub entries: Vec<InventoryEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSchema {
    #[serde(default)]
    certificate: Vec<Spanned<EntrySchema>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntrySchema {
    name: Option<String>,
    cert: Option<String>,
    owner: Option<String>,
    warn_days: Option<u32>,
    #[serde(default)]
    integrations: Vec<String>,
    sha256: Option<String>,
    #[serde(default)]
    metadata_integrations: Vec<String>,
    removed: Option<String>,
    alias: Option<String>,
    password_env: Option<String>,
    usage: Option<String>,
}

impl Inventory {
    /// Parses inventory TOML. `file` names the file in error messages, which carry the line
    /// and column of the problem (and the entry, for a missing `name` or `cert` or a
    /// duplicate name).
    pub fn parse(text: &str, file: &str) -> Result<Inventory, CertError> {
        let parsed: FileSchema = toml::from_str(text).map_err(|e| {
            let (line, column) = line_column(text, e.span().map_or(0, |span| span.start));
            CertError::InventorySyntax {
                file: file.to_string(),
                line,
                column,
                message: e.message().trim().to_string(),
            }
        })?;
        let mut names = HashSet::new();
        let mut entries = Vec::with_capacity(parsed.certificate.len());
        for (index, spanned) in parsed.certificate.into_iter().enumerate() {
            let (line, column) = line_column(text, spanned.span().start);
            let entry = spanned.into_inner();
            let at = |message: String| CertError::InventorySyntax {
                file: file.to_string(),
                line,
                column,
                message,
            };
            let name = match entry.name.as_deref().map(str::trim) {
                Some(name) if !name.is_empty() => name.to_string(),
                _ => {
                    return Err(at(format!(
                        "certificate entry #{} has no `name`; every entry needs one",
                        index + 1
                    )));
                }
            };
            let cert = match entry.cert.as_deref().map(str::trim) {
                Some(cert) if !cert.is_empty() => cert.to_string(),
                _ => {
                    return Err(at(format!(
                        "certificate entry {name:?} has no `cert` path to its certificate file"
                    )));
                }
            };
            if !names.insert(name.clone()) {
                return Err(CertError::InventoryEntry {
                    file: file.to_string(),
                    entry: name,
                    message: format!("the name is used twice (again at line {line})"),
                });
            }
            let usage = match entry.usage.as_deref().map(str::trim) {
                None => None,
                Some(text) => match Usage::ALL.into_iter().find(|u| u.name() == text) {
                    Some(usage) => Some(usage),
                    None => {
                        return Err(at(format!(
                            "certificate entry {name:?}: usage {text:?} is not one of saml, jwt, mtls-client, mtls-server"
                        )));
                    }
                },
            };
            entries.push(InventoryEntry {
                usage,
                name,
                cert,
                owner: entry.owner,
                warn_days: entry.warn_days,
                integrations: entry.integrations,
                sha256: entry.sha256,
                metadata_integrations: entry.metadata_integrations,
                removed: entry.removed,
                alias: entry.alias,
                password_env: entry.password_env,
                line,
            });
        }
        Ok(Inventory { entries })
    }

    /// Checks every entry at `now`. Certificate paths are resolved against `base_dir` (the
    /// inventory file's directory) and read with `read`; an entry whose certificate cannot be
    /// read or parsed gets [`Health::Error`] and the others are still checked.
    ///
    /// Rows come sorted by expiry, soonest first; unreadable entries first of all, since
    /// nobody knows when they expire; ties by name.
    pub fn report<F>(
        &self,
        base_dir: &Path,
        now: DateTime<Utc>,
        default_warn_days: u32,
        mut read: F,
    ) -> Vec<InventoryRow>
    where
        F: FnMut(&Path) -> Result<Vec<u8>, String>,
    {
        self.report_with(base_dir, now, default_warn_days, |_, path| {
            Certificate::load(&read(path)?).map_err(|e| e.to_string())
        })
    }

    /// [`Inventory::report`] with the caller turning each entry's file into its certificate:
    /// for entries whose `cert` is a keystore (with `alias` and `password_env`) or a metadata
    /// file rather than a PEM or DER certificate.
    pub fn report_with<F>(
        &self,
        base_dir: &Path,
        now: DateTime<Utc>,
        default_warn_days: u32,
        mut load: F,
    ) -> Vec<InventoryRow>
    where
        F: FnMut(&InventoryEntry, &Path) -> Result<Certificate, String>,
    {
        let mut rows: Vec<InventoryRow> = self
            .entries
            .iter()
            .map(|entry| {
                let path = base_dir.join(&entry.cert);
                let warn_days = entry.warn_days.unwrap_or(default_warn_days);
                let health = match load(entry, &path) {
                    Err(reason) => Health::Error(reason),
                    Ok(cert) => {
                        let info = cert.info();
                        let expiry =
                            Expiry::evaluate(info.not_before, info.not_after, now, warn_days);
                        Health::Checked(Box::new(CheckedCertificate {
                            usage_problems: entry
                                .usage
                                .map(|usage| usage.problems(&cert))
                                .unwrap_or_default(),
                            info: info.clone(),
                            sha256_fingerprint: cert.sha256_fingerprint(),
                            expiry,
                        }))
                    }
                };
                InventoryRow { entry: entry.clone(), path, warn_days, health }
            })
            .collect();
        rows.sort_by(|a, b| {
            let key = |row: &InventoryRow| match &row.health {
                Health::Error(_) => None,
                Health::Checked(c) => Some(c.info.not_after),
            };
            key(a).cmp(&key(b)).then_with(|| a.entry.name.cmp(&b.entry.name))
        });
        rows
    }
}

impl InventoryEntry {
    /// The hand-written integrations, then those the metadata scan found.
    pub fn all_integrations(&self) -> Vec<String> {
        self.integrations.iter().chain(&self.metadata_integrations).cloned().collect()
    }
}

/// One line of the inventory report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InventoryRow {
    /// The inventory entry.
    pub entry: InventoryEntry,
    /// The certificate path, resolved against the inventory's directory.
    pub path: PathBuf,
    /// The warning window used (the entry's own, or the report default).
    pub warn_days: u32,
    /// What was found.
    pub health: Health,
}

impl InventoryRow {
    /// `ok`, `renew`, `expired`, `not-yet-valid`, `error` when the certificate is unusable, or
    /// `needs-action` when it is in date but lacks what its `usage` needs.
    pub fn status(&self) -> &'static str {
        match &self.health {
            Health::Error(_) => "error",
            Health::Checked(c)
                if c.expiry.status == ExpiryStatus::Ok && !c.usage_problems.is_empty() =>
            {
                "needs-action"
            }
            Health::Checked(c) => c.expiry.status.as_str(),
        }
    }

    /// Whether someone has to act on this entry (anything but `ok`).
    pub fn needs_action(&self) -> bool {
        match &self.health {
            Health::Error(_) => true,
            Health::Checked(c) => {
                c.expiry.status != ExpiryStatus::Ok || !c.usage_problems.is_empty()
            }
        }
    }
}

/// The state of one inventory entry's certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// The certificate was read and judged.
    Checked(Box<CheckedCertificate>),
    /// The certificate could not be read or parsed; the reason.
    Error(String),
}

/// A certificate found in the inventory and its expiry verdict.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedCertificate {
    /// What the certificate says about itself.
    pub info: CertificateInfo,
    /// Its SHA-256 fingerprint (`AB:CD:…`), to match it with what an SP has configured.
    pub sha256_fingerprint: String,
    /// The verdict at the report's `now`.
    pub expiry: Expiry,
    /// What the certificate lacks for the entry's `usage` (needs action when not empty).
    pub usage_problems: Vec<String>,
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column("ab\ncd", 0), (1, 1));
        assert_eq!(line_column("ab\ncd", 4), (2, 2));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn entries_parse_with_defaults() {
        let text = "[[certificate]]\nname = \"a\"\ncert = \"a.crt\"\n\n[[certificate]]\nname = \"b\"\ncert = \"/abs/b.crt\"\nwarn_days = 10\nowner = \"me\"\nintegrations = [\"x\", \"y\"]\n";
        let inv = Inventory::parse(text, "inv.toml").unwrap();
        assert_eq!(inv.entries.len(), 2);
        assert_eq!(inv.entries[0].warn_days, None);
        assert!(inv.entries[0].integrations.is_empty());
        assert_eq!(inv.entries[1].line, 5);
        assert_eq!(inv.entries[1].integrations, ["x", "y"]);
        assert_eq!(Inventory::parse("", "f").unwrap().entries.len(), 0);
    }

    #[test]
    fn errors_name_the_line_and_entry() {
        let cases = [
            ("[[certificate]]\nname = \"a\"\ncert = \n", "inv.toml:3:"),
            (
                "[[certificate]]\nname = \"a\"\n",
                "inv.toml:1:1: certificate entry \"a\" has no `cert`",
            ),
            ("[[certificate]]\ncert = \"a\"\n", "inv.toml:1:1: certificate entry #1 has no `name`"),
            ("[[certificate]]\nname = \"a\"\ncert = \"a\"\nwarn_days = -3\n", "inv.toml:4:13:"),
            (
                "[[certificate]]\nname = \"a\"\ncert = \"a\"\ncolour = 1\n",
                "inv.toml:4:1: unknown field `colour`",
            ),
            (
                "[[certificate]]\nname = \"a\"\ncert = \"a\"\n[[certificate]]\nname = \"a\"\ncert = \"b\"\n",
                "inv.toml: certificate entry \"a\": the name is used twice (again at line 4)",
            ),
        ];
        for (text, expected) in cases {
            let err = Inventory::parse(text, "inv.toml").unwrap_err().to_string();
            assert!(err.starts_with(expected), "{text:?}\n got: {err}\nwant: {expected}");
        }
    }
}
