//! Folding a metadata scan into the TOML inventory (`inventory scan … --write samlkit.toml`).
//!
//! An entry is found again by its `sha256`, else by its name (so a hand-written entry for
//! `SSO_Signing` is adopted rather than duplicated). What people wrote (`name`, `cert`, `owner`,
//! `warn_days`, `integrations`) is kept as is; the scan owns `sha256`, `metadata_integrations`
//! and `removed`. A certificate the scan added earlier and no longer finds gets `removed` set;
//! entries are never deleted. New certificates get an entry whose `cert` is a PEM file this
//! plan asks the caller to write under `certs/` next to the inventory. Comments in an existing
//! file are not kept: the file is written out again from its entries.

use std::collections::BTreeSet;

use crate::CertError;
use crate::inventory::scan::ScanReport;
use crate::inventory::{Inventory, InventoryEntry};

/// What writing the inventory involves; the caller does the I/O.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MergePlan {
    /// The new inventory text.
    pub toml: String,
    /// Certificate files to create, relative to the inventory's directory, with their PEM.
    pub certificate_files: Vec<(String, String)>,
    /// Names of the entries added.
    pub added: Vec<String>,
    /// Names of the entries updated from the metadata.
    pub updated: Vec<String>,
    /// Names of the entries newly marked removed.
    pub removed: Vec<String>,
    /// Certificates not added, and why (a pending CSR or an unreadable `.crt` has no
    /// certificate to track yet).
    pub skipped: Vec<(String, String)>,
}

/// Merges `report` into the inventory text `existing` (or a new inventory). `file` names the
/// inventory in errors; `source` and the report's `now` go into `removed` notes.
pub fn merge(
    existing: Option<&str>,
    file: &str,
    report: &ScanReport,
    source: &str,
) -> Result<MergePlan, CertError> {
    let mut entries = match existing {
        Some(text) => Inventory::parse(text, file)?.entries,
        None => Vec::new(),
    };
    let mut plan = MergePlan {
        toml: String::new(),
        certificate_files: Vec::new(),
        added: Vec::new(),
        updated: Vec::new(),
        removed: Vec::new(),
        skipped: Vec::new(),
    };
    let mut seen = BTreeSet::new();
    for cert in &report.certificates {
        let (Some(sha), Some(leaf)) = (&cert.sha256, &cert.certificate) else {
            plan.skipped.push((
                cert.display_name(),
                format!("status {}: no certificate to track yet", cert.status.as_str()),
            ));
            continue;
        };
        let integrations: Vec<String> = cert.used_by.iter().map(|u| u.describe()).collect();
        let found =
            entries.iter().position(|e| e.sha256.as_deref() == Some(sha.as_str())).or_else(|| {
                let name = cert.name.as_deref()?;
                entries.iter().position(|e| e.name == name && e.sha256.is_none())
            });
        match found {
            Some(index) => {
                let entry = &mut entries[index];
                entry.sha256 = Some(sha.clone());
                entry.metadata_integrations = integrations;
                entry.removed = None;
                seen.insert(index);
                plan.updated.push(entry.name.clone());
            }
            None => {
                let name = unique_name(&entries, &cert.display_name());
                let short = sha.replace(':', "").get(..8).unwrap_or("").to_string();
                let path = format!("certs/{}-{short}.crt", file_stem(&name));
                plan.certificate_files.push((path.clone(), leaf.to_pem()));
                seen.insert(entries.len());
                entries.push(InventoryEntry {
                    name: name.clone(),
                    cert: path,
                    owner: None,
                    warn_days: None,
                    integrations: Vec::new(),
                    sha256: Some(sha.clone()),
                    metadata_integrations: integrations,
                    removed: None,
                    alias: None,
                    password_env: None,
                    usage: None,
                    line: 0,
                });
                plan.added.push(name);
            }
        }
    }
    let note = format!("not in {source} at {}", report.now.format("%Y-%m-%d"));
    for (index, entry) in entries.iter_mut().enumerate() {
        // Only entries the scan manages (it wrote their fingerprint) can be "removed"; a
        // hand-written entry for a certificate outside Salesforce is none of its business.
        if !seen.contains(&index) && entry.sha256.is_some() && entry.removed.is_none() {
            entry.removed = Some(note.clone());
            plan.removed.push(entry.name.clone());
        }
    }
    plan.toml = render(&entries);
    Ok(plan)
}

fn unique_name(entries: &[InventoryEntry], wanted: &str) -> String {
    let taken = |n: &str| entries.iter().any(|e| e.name == n);
    if !taken(wanted) {
        return wanted.to_string();
    }
    (2..).map(|i| format!("{wanted} ({i})")).find(|n| !taken(n)).unwrap_or_default()
}

/// A file-name-safe form: letters, digits, `-`, `_`, `.`.
fn file_stem(name: &str) -> String {
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '_' })
        .collect()
}

fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

fn list(items: &[String]) -> String {
    if items.len() <= 1 {
        return format!("[{}]", items.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", "));
    }
    let mut out = "[\n".to_string();
    for item in items {
        out.push_str("  ");
        out.push_str(&quote(item));
        out.push_str(",\n");
    }
    out.push(']');
    out
}

/// Writes the entries in the documented layout.
fn render(entries: &[InventoryEntry]) -> String {
    let mut out = String::from(
        "# samlkit certificate inventory (see `samlkit inventory --help`).\n\
         # `samlkit inventory scan … --write` keeps name, cert, owner, warn_days and integrations\n\
         # as written, and rewrites sha256, metadata_integrations and removed.\n",
    );
    for entry in entries {
        out.push_str("\n[[certificate]]\n");
        out.push_str(&format!("name = {}\n", quote(&entry.name)));
        out.push_str(&format!("cert = {}\n", quote(&entry.cert)));
        if let Some(owner) = &entry.owner {
            out.push_str(&format!("owner = {}\n", quote(owner)));
        }
        if let Some(alias) = &entry.alias {
            out.push_str(&format!("alias = {}\n", quote(alias)));
        }
        if let Some(usage) = entry.usage {
            out.push_str(&format!("usage = {}\n", quote(usage.name())));
        }
        if let Some(var) = &entry.password_env {
            out.push_str(&format!("password_env = {}\n", quote(var)));
        }
        if let Some(days) = entry.warn_days {
            out.push_str(&format!("warn_days = {days}\n"));
        }
        if !entry.integrations.is_empty() {
            out.push_str(&format!("integrations = {}\n", list(&entry.integrations)));
        }
        if let Some(sha) = &entry.sha256 {
            out.push_str(&format!("sha256 = {}\n", quote(sha)));
        }
        if !entry.metadata_integrations.is_empty() {
            out.push_str(&format!(
                "metadata_integrations = {}\n",
                list(&entry.metadata_integrations)
            ));
        }
        if let Some(removed) = &entry.removed {
            out.push_str(&format!("removed = {}\n", quote(removed)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_lists() {
        assert_eq!(file_stem("inline 5F3A/x"), "inline_5F3A_x");
        assert_eq!(list(&[]), "[]");
        assert_eq!(list(&["a\"b".to_string()]), "['a\"b']");
        let entry = |name: &str| InventoryEntry {
            name: name.to_string(),
            cert: "c".into(),
            owner: None,
            warn_days: None,
            integrations: vec![],
            sha256: None,
            metadata_integrations: vec![],
            removed: None,
            alias: None,
            password_env: None,
            usage: None,
            line: 0,
        };
        assert_eq!(unique_name(&[entry("a"), entry("a (2)")], "a"), "a (3)");
    }

    #[test]
    fn rendered_toml_parses_back() {
        let entry = InventoryEntry {
            name: "n".into(),
            cert: "certs/n.crt".into(),
            owner: Some("o".into()),
            warn_days: Some(45),
            integrations: vec!["hand".into()],
            sha256: Some("AB:CD".into()),
            metadata_integrations: vec!["x".into(), "y, \"z\"".into()],
            removed: Some("gone".into()),
            alias: None,
            password_env: None,
            usage: None,
            line: 0,
        };
        let text = render(std::slice::from_ref(&entry));
        let parsed = Inventory::parse(&text, "f").unwrap();
        assert_eq!(parsed.entries[0], InventoryEntry { line: parsed.entries[0].line, ..entry });
    }
}
