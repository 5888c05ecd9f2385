//! `samlkit inventory scan DIR|ZIP`: which integrations use which certificate, read from a
//! Salesforce DX project or a Metadata API retrieve; optionally folded into the inventory.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use samlkit_cert::expiry::DEFAULT_WARN_DAYS;
use samlkit_cert::inventory::merge::{MergePlan, merge};
use samlkit_cert::inventory::render;
use samlkit_cert::inventory::scan::{CertificateIds, ScanOptions, ScanReport, scan};
use samlkit_cert::sfmeta::{ProjectFiles, extract};
use serde_json::json;

use crate::error::CliError;
use crate::io::{describe_io, read_input};
use crate::now::{NowArg, format_rfc3339};
use crate::table::Table;

#[derive(Args)]
#[command(after_help = "Reads certificates (certs/NAME.crt + NAME.crt-meta.xml) and the \
    settings that use them: SamlSsoConfig, IdentityProvider settings, ConnectedApp, \
    NamedCredential, ExternalCredential, ExternalDataSource and external client app policies \
    (by name, inline, or by record Id through --ids). Certificates are grouped by SHA-256 \
    fingerprint. Apex string literals naming a certificate are listed apart.\n\n\
    Exit 0 when every certificate is ok and every reference resolves; 1 when a certificate \
    needs action (renew, expired, not-yet-valid, pending, error), a reference dangles, or a \
    file could not be used (each such file is reported and the scan goes on); 2 when the \
    input as a whole cannot be read.\n\n\
    --ids takes the CSV written by:\n  \
    sf data query --use-tooling-api -q \"SELECT Id, DeveloperName, MasterLabel, \
    ExpirationDate FROM Certificate\" --result-format csv > certificate-ids.csv\n\n\
    --write FILE creates or updates the TOML inventory: new certificates are added (their PEM \
    written under certs/ next to FILE), owner, warn_days and integrations are kept, \
    certificates no longer in the metadata are marked `removed`, never deleted. Comments in \
    FILE are not kept.\n\nExamples:\n  \
    samlkit inventory scan fixtures/sfdx/mdapi --ids fixtures/sfdx/certificate-ids.csv \\\n      \
    --now 2026-06-01   # exit 1: certificates need action\n  \
    samlkit inventory scan fixtures/sfdx/source --format md > CERTIFICATES.md   # exit 1")]
pub(crate) struct ScanArgs {
    /// A Salesforce DX project directory (with sfdx-project.json), or a Metadata API retrieve
    /// (a directory or .zip with package.xml).
    #[arg(value_name = "DIR|ZIP")]
    path: PathBuf,
    /// Certificate Ids from the Tooling API (CSV with Id and DeveloperName columns), to
    /// resolve references by record Id.
    #[arg(long, value_name = "FILE")]
    ids: Option<String>,
    /// Renewal window in days.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_WARN_DAYS, value_parser = crate::numbers::whole_number, allow_negative_numbers = true)]
    warn_days: u32,
    /// Print one JSON document (same as --format json).
    #[arg(long, conflicts_with = "format")]
    json: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ScanFormat::Table)]
    format: ScanFormat,
    /// Create or update this TOML inventory from the scan.
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    #[command(flatten)]
    now: NowArg,
}

/// What `inventory scan` prints.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ScanFormat {
    /// An aligned table, soonest expiry first, then integrations and problems.
    Table,
    /// One JSON document.
    Json,
    /// A Markdown page to commit next to the project.
    Md,
    /// An iCalendar file: an event at each expiry, reminders at 60/30/10 days.
    Ics,
    /// A Prometheus textfile-collector metrics file.
    Prometheus,
}

pub(crate) fn run(args: ScanArgs) -> Result<ExitCode, CliError> {
    let now = args.now.resolve();
    let shown = args.path.display().to_string();
    let ids = match &args.ids {
        None => None,
        Some(file) => {
            let bytes = read_input(file, crate::io::INVENTORY)?;
            let text = String::from_utf8(bytes)
                .map_err(|e| CliError::input(format!("{file}: not UTF-8 text ({e})")))?;
            Some(CertificateIds::parse_csv(&text, file).map_err(CliError::input)?)
        }
    };
    let project = ProjectFiles::read(&args.path).map_err(CliError::input)?;
    let facts = extract(&project);
    let report = scan(&facts, &ScanOptions { now, warn_days: args.warn_days, ids });
    let format = if args.json { ScanFormat::Json } else { args.format };
    let mut out = match format {
        ScanFormat::Table => table(&report),
        ScanFormat::Json => format!("{}\n", to_json(&report)),
        ScanFormat::Md => render::markdown(&report, &shown),
        ScanFormat::Ics => render::icalendar(&report, &shown),
        ScanFormat::Prometheus => render::prometheus(&report),
    };
    if let Some(inventory) = &args.write {
        let plan = write_inventory(inventory, &report, &shown)?;
        if format == ScanFormat::Table {
            out.push_str(&format!(
                "\nWrote {}: {} added, {} updated, {} marked removed{}\n",
                inventory.display(),
                plan.added.len(),
                plan.updated.len(),
                plan.removed.len(),
                plan.skipped
                    .iter()
                    .map(|(name, why)| format!("; {name} not added ({why})"))
                    .collect::<String>()
            ));
        }
    }
    print!("{out}");
    if report.needs_action() {
        Err(CliError::check(summary(&report)))
    } else {
        Ok(ExitCode::SUCCESS)
    }
}

/// The one-line reason for exit 1.
fn summary(report: &ScanReport) -> String {
    let needing: Vec<String> = report
        .certificates
        .iter()
        .filter(|c| c.status.needs_action())
        .map(|c| format!("{} ({})", c.display_name(), c.status.as_str()))
        .collect();
    let count = |kind: &str| report.problems.iter().filter(|p| p.kind.as_str() == kind).count();
    let files = report.problems.iter().filter(|p| p.kind.fails_scan()).count()
        - count("dangling-reference");
    let mut parts = Vec::new();
    if !needing.is_empty() {
        parts.push(format!(
            "{} of {} certificates need action: {}",
            needing.len(),
            report.certificates.len(),
            needing.join(", ")
        ));
    }
    if count("dangling-reference") > 0 {
        parts.push(format!("{} dangling references", count("dangling-reference")));
    }
    if files > 0 {
        parts.push(format!("{files} files or inline certificates could not be used"));
    }
    parts.join("; ")
}

fn to_json(report: &ScanReport) -> serde_json::Value {
    let certificates: Vec<_> = report
        .certificates
        .iter()
        .map(|c| {
            let used_by: Vec<_> = c
                .used_by
                .iter()
                .map(|u| {
                    json!({
                        "type": u.metadata_type.as_str(),
                        "component": u.component,
                        "field": u.field,
                        "ref": u.ref_str(),
                    })
                })
                .collect();
            json!({
                "name": c.name,
                "sha256": c.sha256,
                "subject": c.subject,
                "not_after": c.not_after.map(format_rfc3339),
                "days_left": c.days_left,
                "status": c.status.as_str(),
                "threshold": c.threshold,
                "used_by": used_by,
            })
        })
        .collect();
    let problems: Vec<_> = report
        .problems
        .iter()
        .map(|p| {
            json!({
                "kind": p.kind.as_str(),
                "type": p.metadata_type.as_str(),
                "component": p.component,
                "field": p.field,
                "value": p.value,
            })
        })
        .collect();
    json!({ "certificates": certificates, "problems": problems })
}

fn table(report: &ScanReport) -> String {
    let mut table =
        Table::new(&["STATUS", "DAYS LEFT", "EXPIRES", "CERTIFICATE", "SHA-256", "USED BY"])
            .align_right(1)
            .align_right(5);
    for c in &report.certificates {
        table.push(vec![
            c.status.as_str().to_string(),
            c.days_left.map_or("-".to_string(), |d| d.to_string()),
            c.not_after.map_or("-".to_string(), |t| t.format("%Y-%m-%d").to_string()),
            c.display_name(),
            c.sha256
                .as_deref()
                .and_then(|s| s.get(..11))
                .map_or("-".to_string(), |s| format!("{s}…")),
            c.used_by.len().to_string(),
        ]);
    }
    let mut out = table.render();
    for c in &report.certificates {
        out.push_str(&format!("\n{}", c.display_name()));
        if let Some(subject) = &c.subject {
            out.push_str(&format!(" ({subject})"));
        }
        out.push('\n');
        if let Some(detail) = &c.detail {
            out.push_str(&format!("  {}: {detail}\n", c.status.as_str()));
        }
        if c.used_by.is_empty() {
            out.push_str("  used by nothing\n");
        }
        for u in &c.used_by {
            let how = match u.ref_str() {
                "inline" => "written inline",
                "label" => "by master label",
                "id" => "by record Id",
                _ => "by name",
            };
            out.push_str(&format!("  {} ({how})\n", u.describe()));
        }
    }
    if !report.problems.is_empty() {
        out.push_str("\nProblems:\n");
        for p in &report.problems {
            let field = p.field.as_deref().map(|f| format!(" ({f})")).unwrap_or_default();
            let path = p.path.as_deref().map(|f| format!(" [{f}]")).unwrap_or_default();
            out.push_str(&format!(
                "  {}: {} {}{field}{path}: {}\n",
                p.kind.as_str(),
                p.metadata_type.as_str(),
                p.component,
                p.value
            ));
        }
    }
    if !report.code_references.is_empty() {
        out.push_str("\nApex code naming certificates (not checked against metadata):\n");
        for r in &report.code_references {
            out.push_str(&format!(
                "  {}.cls:{}: {}('{}')\n",
                r.class, r.line, r.call, r.certificate
            ));
        }
    }
    out
}

/// Creates or updates the inventory: certificate files first (never replacing a different
/// file), then the TOML through a temporary file and a rename.
fn write_inventory(path: &Path, report: &ScanReport, source: &str) -> Result<MergePlan, CliError> {
    let shown = path.display().to_string();
    let existing = match std::fs::read(path) {
        Ok(bytes) => Some(
            String::from_utf8(bytes)
                .map_err(|e| CliError::input(format!("{shown}: not UTF-8 text ({e})")))?,
        ),
        Err(e) if e.kind() == ErrorKind::NotFound => None,
        Err(e) => return Err(CliError::input(format!("cannot read {shown}: {}", describe_io(&e)))),
    };
    let plan = merge(existing.as_deref(), &shown, report, source).map_err(CliError::input)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    for (relative, pem) in &plan.certificate_files {
        let target = dir.join(relative);
        let target_shown = target.display().to_string();
        match std::fs::read(&target) {
            Ok(bytes) if bytes == pem.as_bytes() => continue,
            Ok(_) => {
                return Err(CliError::input(format!(
                    "{target_shown} already exists with other contents; move it away and scan again"
                )));
            }
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => {
                return Err(CliError::input(format!(
                    "cannot read {target_shown}: {}",
                    describe_io(&e)
                )));
            }
        }
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| {
                CliError::input(format!("cannot create {}: {}", parent.display(), describe_io(&e)))
            })?;
        }
        std::fs::write(&target, pem).map_err(|e| {
            CliError::input(format!("cannot write {target_shown}: {}", describe_io(&e)))
        })?;
    }
    let temporary = dir.join(format!(
        ".{}.tmp",
        path.file_name().map_or("samlkit.toml".into(), |n| n.to_string_lossy())
    ));
    std::fs::write(&temporary, &plan.toml)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| CliError::input(format!("cannot write {shown}: {}", describe_io(&e))))?;
    Ok(plan)
}
