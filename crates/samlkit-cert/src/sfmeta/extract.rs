//! Turning the project's files into facts: the Certificate components (with their `.crt`
//! contents judged) and every field that names, holds or points by Id at a certificate.
//!
//! XML is read only with `samlkit_xml::parse` (no DTDs, bounded). A file that cannot be used is
//! recorded as a [`FileProblem`] and the other files are still read.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use samlkit_xml::{Document, Node};
use x509_parser::prelude::FromDer as _;

use crate::certificate::Certificate;
use crate::pem;
use crate::sfmeta::apex::{self, CodeReference};
use crate::sfmeta::files::ProjectFiles;
use crate::sfmeta::types::{FieldRule, MetadataType, RULES, RefKind, classify};

/// What a Certificate component's `.crt` file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CrtContent {
    /// A certificate, or a chain whose first (leaf) certificate this is.
    Certificate(Box<Certificate>),
    /// Still a certificate signing request: a CA-signed certificate whose signed chain was
    /// never uploaded.
    Pending {
        /// Subject of the request.
        subject: Option<String>,
    },
    /// No `.crt` beside the `.crt-meta.xml`.
    Missing,
    /// The `.crt` is neither a certificate nor a request; why.
    Invalid(String),
}

/// One Certificate component (`certs/NAME.crt-meta.xml` and `NAME.crt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateComponent {
    /// The component name (`DeveloperName`), what other metadata names it by.
    pub name: String,
    /// Project-relative path of the `.crt-meta.xml` (or of the `.crt` when that is all there is).
    pub path: String,
    /// `masterLabel`.
    pub label: Option<String>,
    /// `keySize`.
    pub key_size: Option<u32>,
    /// `caSigned`.
    pub ca_signed: Option<bool>,
    /// `privateKeyExportable`.
    pub private_key_exportable: Option<bool>,
    /// `expirationDate`, a date (taken as midnight UTC) or a dateTime.
    pub expiration: Option<DateTime<Utc>>,
    /// The `.crt` judged.
    pub content: CrtContent,
}

/// The value of a certificate-bearing field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefValue {
    /// A certificate name (or master label, for [`RefKind::NameOrLabel`]).
    Name(String),
    /// An inline certificate, parsed; or the reason it could not be.
    Inline(Result<Box<Certificate>, String>),
    /// A certificate record Id as written (15 or 18 characters).
    Id(String),
}

/// One field of one component that uses a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The component's type.
    pub kind: MetadataType,
    /// The component's name.
    pub component: String,
    /// The field, as an element path below the root (`samlConfig/encryptionCertificate`).
    pub field: String,
    /// How the field refers to the certificate.
    pub how: RefKind,
    /// What the certificate does there, in plain words.
    pub role: &'static str,
    /// The value.
    pub value: RefValue,
}

/// A file the scan could not use, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// `malformed-xml`, `missing-certificate-file`, `invalid-certificate` or `unreadable-file`.
    pub kind: &'static str,
    /// The component's type.
    pub metadata_type: MetadataType,
    /// The component's name.
    pub component: String,
    /// Project-relative path.
    pub path: String,
    /// What is wrong, one line.
    pub detail: String,
}

/// Everything read from a project.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MetadataFacts {
    /// Certificate components by name.
    pub certificates: BTreeMap<String, CertificateComponent>,
    /// Certificate-bearing fields, in file order.
    pub references: Vec<Reference>,
    /// Certificate names in Apex string literals.
    pub code_references: Vec<CodeReference>,
    /// Files that could not be used.
    pub problems: Vec<FileProblem>,
}

/// Reads every recognised file of `project`.
pub fn extract(project: &ProjectFiles) -> MetadataFacts {
    let mut facts = MetadataFacts::default();
    // Certificate content files, by component name, so each `.crt-meta.xml` finds its `.crt`
    // (they sit in the same folder in both formats).
    let mut crt_files: BTreeMap<String, (&str, &Result<Vec<u8>, String>)> = BTreeMap::new();
    let mut crt_metas = Vec::new();
    for file in &project.files {
        let Some(role) = classify(&file.path) else { continue };
        match (role.kind, role.is_xml) {
            (MetadataType::Certificate, false) => {
                crt_files.insert(sibling_key(&file.path, ".crt"), (&file.path, &file.contents));
            }
            (MetadataType::Certificate, true) => crt_metas.push((file, role.name)),
            (MetadataType::ApexClass, false) => match &file.contents {
                Ok(bytes) => facts
                    .code_references
                    .extend(apex::find(&role.name, &String::from_utf8_lossy(bytes))),
                Err(reason) => facts.problems.push(FileProblem {
                    kind: "unreadable-file",
                    metadata_type: role.kind,
                    component: role.name,
                    path: file.path.clone(),
                    detail: reason.clone(),
                }),
            },
            (MetadataType::ApexClass, true) => {}
            (kind, _) => {
                let problem = |kind_name: &'static str, detail: String| FileProblem {
                    kind: kind_name,
                    metadata_type: kind,
                    component: role.name.clone(),
                    path: file.path.clone(),
                    detail,
                };
                match &file.contents {
                    Err(reason) => facts.problems.push(problem("unreadable-file", reason.clone())),
                    Ok(bytes) => {
                        match with_document(bytes, kind, |root| references(kind, &role.name, root))
                        {
                            Ok(found) => facts.references.extend(found),
                            Err(detail) => facts.problems.push(problem("malformed-xml", detail)),
                        }
                    }
                }
            }
        }
    }
    for (file, name) in crt_metas {
        let key = sibling_key(&file.path, ".crt-meta.xml");
        let content_file = crt_files.remove(&key);
        let mut problem = |kind: &'static str, detail: String| {
            facts.problems.push(FileProblem {
                kind,
                metadata_type: MetadataType::Certificate,
                component: name.clone(),
                path: file.path.clone(),
                detail,
            });
        };
        let meta = match &file.contents {
            Err(reason) => {
                problem("unreadable-file", reason.clone());
                CertificateMeta::default()
            }
            Ok(bytes) => match with_document(bytes, MetadataType::Certificate, certificate_meta) {
                Ok(meta) => meta,
                Err(detail) => {
                    problem("malformed-xml", detail);
                    CertificateMeta::default()
                }
            },
        };
        let content = match content_file {
            None => {
                problem(
                    "missing-certificate-file",
                    format!("no {name}.crt beside {name}.crt-meta.xml"),
                );
                CrtContent::Missing
            }
            Some((_, Err(reason))) => {
                problem("unreadable-file", reason.clone());
                CrtContent::Invalid(reason.clone())
            }
            Some((_, Ok(bytes))) => {
                let content = judge_crt(bytes);
                if let CrtContent::Invalid(reason) = &content {
                    problem("invalid-certificate", format!("{name}.crt: {reason}"));
                }
                content
            }
        };
        facts.certificates.insert(
            name.clone(),
            CertificateComponent {
                name,
                path: file.path.clone(),
                label: meta.label,
                key_size: meta.key_size,
                ca_signed: meta.ca_signed,
                private_key_exportable: meta.private_key_exportable,
                expiration: meta.expiration,
                content,
            },
        );
    }
    // A `.crt` without its `-meta.xml` is still a certificate the org may have.
    for (key, (path, contents)) in crt_files {
        let name = key.rsplit('/').next().unwrap_or(&key).to_string();
        let content = match contents {
            Ok(bytes) => judge_crt(bytes),
            Err(reason) => CrtContent::Invalid(reason.clone()),
        };
        if let CrtContent::Invalid(reason) = &content {
            facts.problems.push(FileProblem {
                kind: "invalid-certificate",
                metadata_type: MetadataType::Certificate,
                component: name.clone(),
                path: path.to_string(),
                detail: format!("{name}.crt: {reason}"),
            });
        }
        facts.certificates.entry(name.clone()).or_insert(CertificateComponent {
            name,
            path: path.to_string(),
            label: None,
            key_size: None,
            ca_signed: None,
            private_key_exportable: None,
            expiration: None,
            content,
        });
    }
    facts
}

/// `dir/NAME.crt-meta.xml` and `dir/NAME.crt` both map to `dir/NAME`.
fn sibling_key(path: &str, suffix: &str) -> String {
    path.strip_suffix(suffix).unwrap_or(path).to_string()
}

/// Parses `bytes` with the secure parser, checks the root element is `kind`, and runs `read`
/// on it; the error is one line naming the position.
fn with_document<R>(
    bytes: &[u8],
    kind: MetadataType,
    read: impl FnOnce(Node<'_, '_>) -> R,
) -> Result<R, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8 ({e})"))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let doc: Document<'_> = samlkit_xml::parse(text).map_err(|e| e.to_string())?;
    let root = doc.node(doc.root_element());
    if root.local_name() != kind.as_str() {
        return Err(format!(
            "the root element is <{}>, expected <{}>",
            root.local_name(),
            kind.as_str()
        ));
    }
    Ok(read(root))
}

fn child<'d, 'a>(node: Node<'d, 'a>, name: &str) -> Option<Node<'d, 'a>> {
    node.element_children().find(|c| c.local_name() == name)
}

fn child_text(node: Node<'_, '_>, name: &str) -> Option<String> {
    child(node, name).map(|c| c.text_content().trim().to_string()).filter(|t| !t.is_empty())
}

/// Every element at `path` below `node` (repeated elements all count).
fn select<'d, 'a>(node: Node<'d, 'a>, path: &[&str]) -> Vec<Node<'d, 'a>> {
    let Some((first, rest)) = path.split_first() else { return vec![node] };
    node.element_children()
        .filter(|c| c.local_name() == *first)
        .flat_map(|c| select(c, rest))
        .collect()
}

fn references(kind: MetadataType, component: &str, root: Node<'_, '_>) -> Vec<Reference> {
    let mut found = Vec::new();
    for rule in RULES.iter().filter(|r| r.kind == kind) {
        for element in select(root, rule.path) {
            let Some(value) =
                Some(element.text_content().trim().to_string()).filter(|t| !t.is_empty())
            else {
                continue;
            };
            if !parameter_matches(rule, element) {
                continue;
            }
            found.push(Reference {
                kind,
                component: component.to_string(),
                field: rule.path.join("/"),
                how: rule.how,
                role: rule.role,
                value: match rule.how {
                    RefKind::Name | RefKind::NameOrLabel => RefValue::Name(value),
                    RefKind::Id => RefValue::Id(value),
                    RefKind::Inline => RefValue::Inline(inline_certificate(&value)),
                },
            });
        }
    }
    found
}

/// For parameter lists (`namedCredentialParameters`, `externalCredentialParameters`): the
/// parameter must have the rule's `parameterType`; a `parameterValue` only counts when the
/// parameter has no `certificate` (the newer field wins, and is not counted twice).
fn parameter_matches(rule: &FieldRule, element: Node<'_, '_>) -> bool {
    let Some(wanted) = rule.parameter_type else { return true };
    let Some(parameter) = element.parent_element() else { return false };
    if child_text(parameter, "parameterType").as_deref() != Some(wanted) {
        return false;
    }
    element.local_name() != "parameterValue" || child_text(parameter, "certificate").is_none()
}

/// An inline certificate: PEM, or base64 DER on one line or wrapped.
fn inline_certificate(value: &str) -> Result<Box<Certificate>, String> {
    if value.contains("-----BEGIN") {
        return Certificate::load(value.as_bytes()).map(Box::new).map_err(|e| e.to_string());
    }
    use base64::Engine as _;
    let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    let der = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| format!("neither PEM nor base64 ({e})"))?;
    Certificate::from_der(&der).map(Box::new).map_err(|e| e.to_string())
}

#[derive(Default)]
struct CertificateMeta {
    label: Option<String>,
    key_size: Option<u32>,
    ca_signed: Option<bool>,
    private_key_exportable: Option<bool>,
    expiration: Option<DateTime<Utc>>,
}

fn certificate_meta(root: Node<'_, '_>) -> CertificateMeta {
    let boolean = |name: &str| child_text(root, name).map(|t| t == "true");
    CertificateMeta {
        label: child_text(root, "masterLabel"),
        key_size: child_text(root, "keySize").and_then(|t| t.parse().ok()),
        ca_signed: boolean("caSigned"),
        private_key_exportable: boolean("privateKeyExportable"),
        expiration: child_text(root, "expirationDate").and_then(|t| parse_date_or_datetime(&t)),
    }
}

/// `2027-01-15`, `2027-01-15T12:00:00.000Z` or `2027-01-15T12:00:00+01:00`.
pub(crate) fn parse_date_or_datetime(text: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}

/// Judges a `.crt`: a certificate or chain (the leaf is the first), a CSR, or neither.
pub(crate) fn judge_crt(bytes: &[u8]) -> CrtContent {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return CrtContent::Invalid("the file is empty".to_string());
    }
    if let Ok(mut chain) = Certificate::load_all(bytes)
        && !chain.is_empty()
    {
        return CrtContent::Certificate(Box::new(chain.swap_remove(0)));
    }
    let request_der = if pem::looks_like_pem(bytes) {
        let text = String::from_utf8_lossy(bytes);
        match pem::parse_all(&text) {
            Ok(blocks) => blocks
                .into_iter()
                .find(|b| b.label == "CERTIFICATE REQUEST" || b.label == "NEW CERTIFICATE REQUEST")
                .map(|b| b.der),
            Err(e) => return CrtContent::Invalid(e.to_string()),
        }
    } else {
        Some(bytes.to_vec())
    };
    let not_a_certificate =
        || Certificate::load(bytes).err().map(|e| e.to_string()).unwrap_or_default();
    let Some(der) = request_der else { return CrtContent::Invalid(not_a_certificate()) };
    match x509_parser::certification_request::X509CertificationRequest::from_der(&der) {
        Ok((_, csr)) => CrtContent::Pending {
            subject: Some(csr.certification_request_info.subject.to_string()),
        },
        Err(e) if pem::looks_like_pem(bytes) => {
            CrtContent::Invalid(format!("the certificate request cannot be decoded ({e})"))
        }
        Err(_) => CrtContent::Invalid(not_a_certificate()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_datetimes() {
        let cases = [
            ("2027-01-15", "2027-01-15T00:00:00+00:00"),
            ("2027-01-15T12:30:00.000Z", "2027-01-15T12:30:00+00:00"),
            ("2027-01-15T12:30:00", "2027-01-15T12:30:00+00:00"),
            ("2027-01-15T13:30:00+01:00", "2027-01-15T12:30:00+00:00"),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_date_or_datetime(text).unwrap().to_rfc3339(), expected, "{text}");
        }
        assert_eq!(parse_date_or_datetime("next tuesday"), None);
    }

    #[test]
    fn garbage_crt_is_invalid_not_a_panic() {
        for bytes in [&b""[..], b"  \n", b"hello", b"\x30\x03\x02\x01\x01", b"-----BEGIN X-----\n"]
        {
            assert!(matches!(judge_crt(bytes), CrtContent::Invalid(_)), "{bytes:?}");
        }
    }
}
