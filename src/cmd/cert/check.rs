//! `samlkit cert check`: is any certificate expired, or due for renewal?

use std::process::ExitCode;

use clap::Args;
use samlkit_cert::Expiry;
use samlkit_cert::expiry::{DEFAULT_WARN_DAYS, SALESFORCE_REMINDER_DAYS};
use serde_json::json;

use crate::error::CliError;
use crate::io::{load_certificates, shown_path};
use crate::now::{NowArg, format_rfc3339};
use crate::table::Table;

#[derive(Args)]
#[command(after_help = "Statuses: ok; renew (expires within --warn-days); expired; \
    not-yet-valid. Exit 0 when every certificate is ok, 1 when any needs action, 2 when a file \
    cannot be read. Salesforce e-mails reminders 60, 30 and 10 days before expiry; the REMINDER \
    column says which of those has already gone out.\n\nExamples:\n  \
    samlkit cert check fixtures/certs/idp.crt --now 2026-06-01\n  \
    samlkit cert check --warn-days 30 --now 2026-06-01T00:00:00Z \\\n      \
    fixtures/certs/expires-2026-06-21.crt   # exit 1: renew\n  \
    samlkit cert check --json fixtures/certs/*.crt --now 2026-06-01   # exit 1: some expired")]
pub(crate) struct CheckArgs {
    /// Certificate files, PEM or DER (`-` reads standard input); every certificate in a
    /// bundle is checked.
    #[arg(value_name = "CERT", required = true)]
    certs: Vec<String>,
    /// Renewal window in days: a certificate expiring within it has status `renew`.
    #[arg(long, value_name = "DAYS", default_value_t = DEFAULT_WARN_DAYS, value_parser = crate::numbers::whole_number, allow_negative_numbers = true)]
    warn_days: u32,
    /// Print one line of JSON per certificate instead of the table.
    #[arg(long)]
    json: bool,
    #[command(flatten)]
    now: NowArg,
}

pub(crate) fn run(args: CheckArgs) -> Result<ExitCode, CliError> {
    let now = args.now.resolve();
    let mut table =
        Table::new(&["STATUS", "DAYS LEFT", "NOT AFTER", "REMINDER", "CERTIFICATE"]).align_right(1);
    let mut problems = Vec::new();
    let mut total = 0;
    for path in &args.certs {
        let certs = load_certificates(path)?;
        let numbered = certs.len() > 1;
        for (index, cert) in certs.iter().enumerate() {
            total += 1;
            let info = cert.info();
            let expiry = Expiry::evaluate(info.not_before, info.not_after, now, args.warn_days);
            let mut name = shown_path(path).to_string();
            if numbered {
                name.push_str(&format!("#{}", index + 1));
            }
            if expiry.status.needs_action() {
                problems
                    .push(format!("{name} {}", expiry.describe(info.not_before, info.not_after)));
            }
            if args.json {
                let line = json!({
                    "file": name,
                    "subject": info.subject,
                    "status": expiry.status.as_str(),
                    "days_left": expiry.days_left,
                    "not_before": format_rfc3339(info.not_before),
                    "not_after": format_rfc3339(info.not_after),
                    "warn_days": args.warn_days,
                    "salesforce_threshold_crossed": expiry.threshold,
                    "sha256_fingerprint": cert.sha256_fingerprint(),
                });
                println!("{}", crate::shown::json_line(line.to_string()));
            } else {
                let reminder = match expiry.threshold {
                    Some(days) => format!("{days}-day"),
                    None => "-".to_string(),
                };
                let subject = info.common_name.clone().unwrap_or_else(|| info.subject.clone());
                table.push(vec![
                    expiry.status.to_string(),
                    expiry.days_left.to_string(),
                    format_rfc3339(info.not_after),
                    reminder,
                    format!("{name} ({subject})"),
                ]);
            }
        }
    }
    if !args.json {
        print!("{}", table.render());
    }
    match problems.len() {
        0 => Ok(ExitCode::SUCCESS),
        1 => Err(CliError::check(problems.remove(0))),
        n => Err(CliError::check(format!(
            "{n} of {total} certificates need action: {}",
            problems.join("; ")
        ))),
    }
}

// Keep the help text honest if the thresholds ever change.
const _: () = assert!(SALESFORCE_REMINDER_DAYS[0] == 60 && SALESFORCE_REMINDER_DAYS[2] == 10);
