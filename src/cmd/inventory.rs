//! `samlkit inventory`: every tracked certificate, the integrations that use it, by expiry.

use std::path::Path;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use samlkit_cert::Inventory;
use samlkit_cert::expiry::DEFAULT_WARN_DAYS;
use samlkit_cert::inventory::{Health, InventoryRow};
use serde_json::json;

use crate::cmd::inventory_scan;
use crate::error::CliError;
use crate::io::{CREDENTIAL, INVENTORY, read_file, read_input};
use crate::now::{NowArg, format_rfc3339};
use crate::table::Table;

#[derive(Args)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "The inventory is a TOML file with one [[certificate]] table per \
    credential:\n\n  \
    [[certificate]]\n  \
    name = \"sso-signing-2026\"\n  \
    cert = \"certs/sso-2026.crt\"          # relative to the inventory file\n  \
    owner = \"identity-team@example.com\"\n  \
    warn_days = 45                        # optional, overrides --warn-days\n  \
    integrations = [\"Salesforce SSO (production)\", \"Workday SAML\"]\n\n\
    Rows are sorted by expiry, soonest first; an entry whose certificate cannot be read has \
    status `error` (listed first) and the others are still checked. Exit 0 when every entry is \
    ok, 1 when any needs action (renew, expired, not-yet-valid, error), 2 when the inventory \
    itself cannot be read or parsed.\n\n`samlkit inventory scan DIR|ZIP` builds the same \
    knowledge from a Salesforce org's metadata (and `--write` folds it into this file).\n\n\
    Examples:\n  \
    samlkit inventory --file fixtures/inventory/samlkit.toml --now 2026-06-01   # exit 1\n  \
    samlkit inventory --file fixtures/inventory/samlkit.toml --json > inventory.json   # exit 1"
)]
pub(crate) struct InventoryArgs {
    #[command(subcommand)]
    command: Option<InventoryCommand>,
    /// The inventory file (`-` reads standard input; paths are then relative to the current
    /// directory).
    #[arg(long, value_name = "FILE", default_value = "samlkit.toml")]
    file: String,
    /// Default renewal window in days, for entries without their own `warn_days`.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_WARN_DAYS, value_parser = crate::numbers::whole_number, allow_negative_numbers = true)]
    warn_days: u32,
    /// Print the report as one JSON document instead of the table.
    #[arg(long)]
    json: bool,
    /// Show only entries with these statuses (comma-separated: ok, renew, expired,
    /// not-yet-valid, error); the exit code then reflects only those.
    #[arg(long, value_name = "STATUS,…", value_delimiter = ',')]
    status: Vec<String>,
    /// Show only entries owned by OWNER (case-insensitive).
    #[arg(long, value_name = "OWNER")]
    owner: Option<String>,
    #[command(flatten)]
    now: NowArg,
}

/// The certificate of one inventory entry: a PEM or DER certificate, a JKS or PKCS#12
/// keystore (its `alias` entry, opened with the password in `$password_env`), or a metadata
/// file (its signing certificate that expires first).
fn load_entry(
    entry: &samlkit_cert::inventory::InventoryEntry,
    path: &Path,
) -> Result<samlkit_cert::Certificate, String> {
    use samlkit_cert::{Certificate, keystore};
    let bytes = read_file(path, CREDENTIAL)?;
    let shown = path.display();
    if keystore::detect(&bytes).is_ok() {
        let var = entry.password_env.as_deref().ok_or_else(|| {
            format!(
                "{shown} is a keystore: give `password_env` (and `alias` if it holds several keys)"
            )
        })?;
        let password = zeroize::Zeroizing::new(
            std::env::var(var).map_err(|_| format!("{shown}: the variable {var} is not set"))?,
        );
        let contents = keystore::read(&bytes, &password).map_err(|e| format!("{shown}: {e}"))?;
        let key_entry =
            contents.select(entry.alias.as_deref()).map_err(|e| format!("{shown}: {e}"))?;
        let leaf = key_entry
            .chain
            .first()
            .ok_or_else(|| format!("{shown}: the entry has no certificate"))?;
        return Certificate::from_der(leaf).map_err(|e| format!("{shown}: {e}"));
    }
    if bytes.windows(16).any(|w| w == b"EntityDescriptor") {
        return metadata_certificate(&bytes).map_err(|e| format!("{shown}: {e}"));
    }
    Certificate::load(&bytes).map_err(|e| e.to_string())
}

/// The signing certificate of a metadata file that expires first (the one to renew next).
fn metadata_certificate(bytes: &[u8]) -> Result<samlkit_cert::Certificate, String> {
    use base64::Engine;
    let text = std::str::from_utf8(bytes).map_err(|_| "metadata is not UTF-8".to_string())?;
    let doc = samlkit_xml::parse_with_limits(text, &samlkit_saml::message_limits())
        .map_err(|e| format!("metadata: {e}"))?;
    let dsig = "http://www.w3.org/2000/09/xmldsig#";
    let md = samlkit_saml::NS_METADATA;
    let mut certs = Vec::new();
    for kd in doc.descendants().filter(|n| n.has_name(md, "KeyDescriptor")) {
        if !matches!(kd.attribute("", "use"), None | Some("signing")) {
            continue;
        }
        for c in kd.descendants().filter(|n| n.has_name(dsig, "X509Certificate")) {
            let b64: String =
                c.text_content().chars().filter(|ch| !ch.is_ascii_whitespace()).collect();
            let der = base64::engine::general_purpose::STANDARD
                .decode(b64.as_bytes())
                .map_err(|_| "an X509Certificate is not base64".to_string())?;
            certs.push(samlkit_cert::Certificate::from_der(&der).map_err(|e| e.to_string())?);
        }
    }
    certs
        .into_iter()
        .min_by_key(|c| c.info().not_after)
        .ok_or_else(|| "the metadata has no signing certificate".to_string())
}

/// The statuses `--status` accepts.
const STATUSES: [&str; 6] = ["ok", "renew", "expired", "not-yet-valid", "error", "needs-action"];

/// Whether a row passes `--status` and `--owner`.
fn selected(args: &InventoryArgs, row: &InventoryRow) -> bool {
    let status_ok = args.status.is_empty() || args.status.iter().any(|s| s == row.status());
    let owner_ok = args.owner.as_deref().is_none_or(|wanted| {
        row.entry.owner.as_deref().is_some_and(|owner| owner.eq_ignore_ascii_case(wanted.trim()))
    });
    status_ok && owner_ok
}

#[derive(Subcommand)]
enum InventoryCommand {
    /// Which integrations use which certificate, read from a Salesforce DX project or a
    /// Metadata API retrieve (directory or .zip).
    Scan(inventory_scan::ScanArgs),
}

pub(crate) fn run(args: InventoryArgs) -> Result<ExitCode, CliError> {
    if let Some(InventoryCommand::Scan(scan)) = args.command {
        return inventory_scan::run(scan);
    }
    if let Some(bad) = args.status.iter().find(|s| !STATUSES.contains(&s.as_str())) {
        return Err(CliError::input(format!(
            "--status {bad:?} is not one of {}",
            STATUSES.join(", ")
        )));
    }
    let now = args.now.resolve();
    let bytes = read_input(&args.file, INVENTORY)?;
    let label = args.file.as_str();
    let text = String::from_utf8(bytes)
        .map_err(|e| CliError::input(format!("{label}: not UTF-8 text ({e})")))?;
    let inventory = Inventory::parse(&text, label).map_err(CliError::input)?;
    let base_dir = match Path::new(&args.file).parent() {
        Some(dir) if args.file != "-" && !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => Path::new(".").to_path_buf(),
    };
    let rows: Vec<InventoryRow> = inventory
        .report_with(&base_dir, now, args.warn_days, load_entry)
        .into_iter()
        .filter(|row| selected(&args, row))
        .collect();
    if args.json {
        let entries: Vec<_> = rows.iter().map(row_json).collect();
        let doc = json!({ "file": label, "now": format_rfc3339(now), "entries": entries });
        println!("{}", crate::shown::json_line(doc.to_string()));
    } else {
        print!("{}", render(&rows));
    }
    let needing: Vec<String> = rows
        .iter()
        .filter(|r| r.needs_action())
        .map(|r| format!("{} ({})", r.entry.name, r.status()))
        .collect();
    if needing.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(CliError::check(format!(
            "{} of {} certificates need action: {}",
            needing.len(),
            rows.len(),
            needing.join(", ")
        )))
    }
}

fn render(rows: &[InventoryRow]) -> String {
    let mut table =
        Table::new(&["STATUS", "DAYS LEFT", "EXPIRES", "NAME", "OWNER", "INTEGRATIONS"])
            .align_right(1);
    let mut notes = Vec::new();
    for row in rows {
        let (days, expires) = match &row.health {
            Health::Checked(c) => {
                (c.expiry.days_left.to_string(), c.info.not_after.format("%Y-%m-%d").to_string())
            }
            Health::Error(_) => ("-".to_string(), "-".to_string()),
        };
        table.push(vec![
            row.status().to_string(),
            days,
            expires,
            row.entry.name.clone(),
            row.entry.owner.clone().unwrap_or_else(|| "-".to_string()),
            if row.entry.all_integrations().is_empty() {
                "-".to_string()
            } else {
                row.entry.all_integrations().join(", ")
            },
        ]);
        if let Some(removed) = &row.entry.removed {
            notes.push(format!(
                "{}: removed from the Salesforce metadata ({removed})",
                row.entry.name
            ));
        }
        match &row.health {
            Health::Error(reason) => notes.push(format!("{}: {reason}", row.entry.name)),
            Health::Checked(c) => {
                if c.expiry.status != samlkit_cert::ExpiryStatus::Ok {
                    notes.push(format!(
                        "{}: {}",
                        row.entry.name,
                        c.expiry.describe(c.info.not_before, c.info.not_after)
                    ));
                }
                for problem in &c.usage_problems {
                    notes.push(format!("{}: needs action: {problem}", row.entry.name));
                }
            }
        }
    }
    let mut out = table.render();
    if !notes.is_empty() {
        out.push('\n');
        for note in notes {
            out.push_str(&note);
            out.push('\n');
        }
    }
    out
}

fn row_json(row: &InventoryRow) -> serde_json::Value {
    let mut value = json!({
        "name": row.entry.name,
        "cert": row.entry.cert,
        "path": row.path.display().to_string(),
        "owner": row.entry.owner,
        "integrations": row.entry.integrations,
        "metadata_integrations": row.entry.metadata_integrations,
        "removed": row.entry.removed,
        "warn_days": row.warn_days,
        "status": row.status(),
        "usage": row.entry.usage.map(|u| u.name()),
    });
    match &row.health {
        Health::Checked(c) => {
            value["subject"] = json!(c.info.subject);
            value["not_before"] = json!(format_rfc3339(c.info.not_before));
            value["not_after"] = json!(format_rfc3339(c.info.not_after));
            value["days_left"] = json!(c.expiry.days_left);
            value["salesforce_threshold_crossed"] = json!(c.expiry.threshold);
            value["sha256_fingerprint"] = json!(c.sha256_fingerprint);
            value["usage_problems"] = json!(c.usage_problems);
            value["error"] = serde_json::Value::Null;
        }
        Health::Error(reason) => {
            value["error"] = json!(reason);
        }
    }
    value
}
