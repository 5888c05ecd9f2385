//! What `sp-audit` writes: the `--list`, the table or JSON lines, the JUnit file, the saved
//! responses and pages, and the `--dry-run` report.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use samlkit_cert::Certificate;
use samlkit_saml::audit::CaseResult;
use samlkit_saml::audit::{AuditCase, Payload, all_cases, render_table, summary};

use super::Setup;
use super::flow::Endpoints;
use crate::error::CliError;
use crate::io::describe_io;

/// The certificates of the key pairs in `fixtures/`: their private keys are public.
const FIXTURE_CERTIFICATES: &[&[u8]] = &[
    include_bytes!("../../../fixtures/certs/idp.crt"),
    include_bytes!("../../../fixtures/certs/attacker.crt"),
    include_bytes!("../../../fixtures/certs/ec-p256.crt"),
    include_bytes!("../../../fixtures/certs/ec-p384.crt"),
    include_bytes!("../../../fixtures/certs/expired.crt"),
    include_bytes!("../../../fixtures/certs/not-yet-valid.crt"),
    include_bytes!("../../../fixtures/certs/legacy-rsa1024.crt"),
];

/// True when `cert` is one of the fixtures' certificates.
pub(crate) fn is_fixture_certificate(cert: &Certificate) -> bool {
    FIXTURE_CERTIFICATES
        .iter()
        .filter_map(|pem| Certificate::load(pem).ok())
        .any(|fixture| fixture.der() == cert.der())
}

fn write_stdout(text: &str) -> Result<(), CliError> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| CliError::input(format!("cannot write standard output: {e}")))
}

/// `--list`: each case's name and description, and its reference on the next line; with
/// `--json` one object per case.
pub(crate) fn print_list(json: bool) -> Result<ExitCode, CliError> {
    let cases = all_cases();
    let width = cases.iter().map(|c| c.name.len()).max().unwrap_or(0);
    let mut text = String::new();
    for case in &cases {
        if json {
            let line = serde_json::json!({
                "case": case.name,
                "description": case.description,
                "reference": case.reference,
                "needs": needs(case),
            });
            text.push_str(&crate::shown::json_line(line.to_string()));
            text.push('\n');
        } else {
            text.push_str(&format!("{:width$}  {}\n", case.name, case.description));
            text.push_str(&format!("{:width$}  see: {}\n", "", case.reference));
        }
    }
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

fn needs(case: &AuditCase) -> Option<&'static str> {
    if case.needs_sp_initiated() {
        Some("--login-url")
    } else if case.needs_sp_encryption() {
        Some("--encrypt-for")
    } else {
        None
    }
}

/// The table (unless `--json`, which printed each line as it came), the summary on stderr, and
/// the JUnit file.
pub(crate) fn report(
    results: &[CaseResult],
    json: bool,
    junit: Option<&Path>,
) -> Result<(), CliError> {
    if !json {
        // Each line escaped on its own: the evidence quotes what the SP sent (its URLs, its
        // whoami page), which must not drive the terminal.
        let table: String = render_table(results)
            .lines()
            .map(|line| format!("{}\n", crate::shown::terminal(line)))
            .collect();
        write_stdout(&table)?;
    }
    if let Some(path) = junit {
        std::fs::write(path, samlkit_saml::audit::junit(results, "samlkit sp-audit")).map_err(
            |e| CliError::input(format!("--junit {}: {}", path.display(), describe_io(&e))),
        )?;
    }
    eprintln!("{}", summary(results));
    Ok(())
}

/// The file names a case is saved under: `CASE.xml` (or `CASE.form` for a whole form body)
/// and `CASE.html`.
pub(crate) fn save_case(
    dir: &Path,
    name: &str,
    payload: &Payload,
    page: &str,
) -> Result<(), CliError> {
    let extension = match payload {
        Payload::Xml(_) => "xml",
        Payload::FormBody(_) => "form",
    };
    let write = |file: String, bytes: &[u8]| {
        let path = dir.join(file);
        std::fs::write(&path, bytes)
            .map_err(|e| CliError::input(format!("--save {}: {}", path.display(), describe_io(&e))))
    };
    write(format!("{name}.{extension}"), payload.text().as_bytes())?;
    write(format!("{name}.html"), page.as_bytes())
}

/// `--dry-run`: build each case (InResponseTo a placeholder when --login-url would supply
/// one), save it with `--save`, and list what would be sent. Nothing goes over the network.
pub(crate) fn dry_run(
    cases: &[(&AuditCase, Option<&'static str>)],
    setup: &Setup,
    endpoints: &Endpoints,
    save: Option<&Path>,
) -> Result<ExitCode, CliError> {
    if let Some(dir) = save {
        std::fs::create_dir_all(dir).map_err(|e| {
            CliError::input(format!("--save {}: {}", dir.display(), describe_io(&e)))
        })?;
    }
    let in_response_to = endpoints.login.as_ref().map(|_| "_samlkit-dry-run-request".to_string());
    let mut rows = Vec::with_capacity(cases.len());
    for (case, skip) in cases {
        if let Some(why) = skip {
            rows.push((case.name, format!("skipped: {why}")));
            continue;
        }
        let input = setup.input(in_response_to.clone())?;
        let payload =
            samlkit_saml::audit::build_case(case, &input, "_samlkit-dry-run-other-request")
                .map_err(|e| CliError::input(crate::error::saml_message(&e)))?;
        if let Some(dir) = save {
            let extension = if matches!(payload, Payload::Xml(_)) { "xml" } else { "form" };
            let path = dir.join(format!("{}.{extension}", case.name));
            std::fs::write(&path, payload.text()).map_err(|e| {
                CliError::input(format!("--save {}: {}", path.display(), describe_io(&e)))
            })?;
        }
        rows.push((case.name, format!("POST {} ({} bytes)", endpoints.acs, payload.text().len())));
    }
    let width = rows.iter().map(|(n, _)| n.len()).max().unwrap_or(0).max(4);
    let mut text = format!("{:width$}  WOULD SEND\n", "CASE");
    for (name, what) in rows {
        text.push_str(&format!("{name:width$}  {what}\n"));
    }
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}
