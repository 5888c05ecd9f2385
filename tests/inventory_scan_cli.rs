//! End-to-end tests of `samlkit inventory scan`, running the built binary on fixtures/sfdx (one
//! org written as a DX project and as a Metadata API retrieve; the zip is made here at run time).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write as _;
use std::path::Path;
use std::process::Command;

use support::{assert_error, assert_success, fixture, require, run, run_in, run_ok, stdout, tools};

const NOW: &str = "2026-06-01T00:00:00Z";
const NEEDS_ACTION: &str = "4 of 7 certificates need action: New_CA_Cert (pending), Old_Unused (expired), Bank_mTLS (expired), SSO_Signing (renew); 1 dangling references";

fn scan(input: &str, extra: &[&str]) -> std::process::Output {
    let ids = fixture("sfdx/certificate-ids.csv");
    let mut args = vec!["inventory", "scan", input, "--ids", &ids, "--now", NOW];
    args.extend_from_slice(extra);
    run(&args)
}

/// Zips `dir` into `out` (paths relative to `dir`).
fn zip_dir(dir: &Path, out: &Path) {
    let mut writer = zip::ZipWriter::new(std::fs::File::create(out).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
                writer.start_file(name, options).unwrap();
                writer.write_all(&std::fs::read(&path).unwrap()).unwrap();
            }
        }
    }
    writer.finish().unwrap();
}

/// Copies a fixture tree into `to`.
fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_tree(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

#[test]
fn json_has_the_documented_shape_and_the_same_answer_for_every_format() {
    let source = scan(&fixture("sfdx/source"), &["--json"]);
    assert_error(&source, 1, NEEDS_ACTION);
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("retrieve.zip");
    zip_dir(Path::new(&fixture("sfdx/mdapi")), &zip_path);
    for other in [fixture("sfdx/mdapi"), zip_path.display().to_string()] {
        let out = scan(&other, &["--format", "json"]);
        assert_error(&out, 1, NEEDS_ACTION);
        assert_eq!(stdout(&out), stdout(&source), "{other}");
    }

    let doc: serde_json::Value = serde_json::from_str(&stdout(&source)).unwrap();
    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&doc), ["certificates", "problems"]);
    let certificates = doc["certificates"].as_array().unwrap();
    for cert in certificates {
        assert_eq!(
            keys(cert),
            [
                "days_left",
                "name",
                "not_after",
                "sha256",
                "status",
                "subject",
                "threshold",
                "used_by"
            ]
        );
        for usage in cert["used_by"].as_array().unwrap() {
            assert_eq!(keys(usage), ["component", "field", "ref", "type"]);
        }
        if let Some(sha) = cert["sha256"].as_str() {
            assert_eq!(sha.len(), 95, "{sha}");
            assert!(
                sha.split(':').all(|b| b.len() == 2
                    && b.chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())),
                "{sha}"
            );
        }
    }
    for problem in doc["problems"].as_array().unwrap() {
        assert_eq!(keys(problem), ["component", "field", "kind", "type", "value"]);
    }
    let sso = &certificates[3];
    assert_eq!(sso["name"], "SSO_Signing");
    assert_eq!(sso["not_after"], "2026-06-21T00:00:00Z");
    assert_eq!(sso["days_left"], 20);
    assert_eq!(sso["status"], "renew");
    assert_eq!(sso["threshold"], 30);
    assert_eq!(
        sso["used_by"][0],
        serde_json::json!({"type": "SamlSsoConfig", "component": "Okta_SSO", "field": "requestSigningCertId", "ref": "id"})
    );
    let inline = &certificates[4];
    assert_eq!(inline["name"], serde_json::Value::Null);
    assert_eq!(inline["subject"], "CN=example-org.okta.com, O=Okta");
    assert_eq!(certificates[0]["status"], "pending");
    assert_eq!(certificates[0]["sha256"], serde_json::Value::Null);
    assert_eq!(
        doc["problems"][0],
        serde_json::json!({"kind": "dangling-reference", "type": "ExtlClntAppSamlConfigurablePolicies", "component": "Partner_Portal", "field": "encryptionCertificate", "value": "Retired_Cert"})
    );
}

#[test]
fn the_table_lists_soonest_expiry_first_with_integrations_and_problems() {
    let out = scan(&fixture("sfdx/mdapi"), &[]);
    assert_error(&out, 1, NEEDS_ACTION);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("STATUS") && lines[0].contains("CERTIFICATE"), "{text}");
    let order: Vec<&str> =
        lines[1..8].iter().map(|l| l.split_whitespace().next().unwrap()).collect();
    assert_eq!(order, ["pending", "expired", "expired", "renew", "ok", "ok", "ok"]);
    assert!(text.contains("  IdentityProviderSettings IdentityProvider (certificateName): Salesforce signs SAML responses as IdP (by master label)\n"), "{text}");
    assert!(text.contains("  dangling-reference: ExtlClntAppSamlConfigurablePolicies Partner_Portal (encryptionCertificate): Retired_Cert\n"), "{text}");
    assert!(
        text.contains("  BankCallout.cls:5: setClientCertificateName('Bank_mTLS')\n"),
        "{text}"
    );
}

#[test]
fn a_clean_org_exits_zero() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("unpackaged");
    std::fs::create_dir_all(root.join("certs")).unwrap();
    std::fs::create_dir_all(root.join("dataSources")).unwrap();
    std::fs::write(root.join("package.xml"), "<Package/>").unwrap();
    std::fs::copy(fixture("sfdx/certs/jwt-signer.crt"), root.join("certs/Jwt_Signer.crt")).unwrap();
    std::fs::write(
        root.join("certs/Jwt_Signer.crt-meta.xml"),
        "<Certificate><masterLabel>JWT</masterLabel></Certificate>",
    )
    .unwrap();
    std::fs::write(
        root.join("dataSources/Ledger.dataSource"),
        "<ExternalDataSource><certificate>Jwt_Signer</certificate></ExternalDataSource>",
    )
    .unwrap();
    let out = run(&["inventory", "scan", &dir.path().display().to_string(), "--now", NOW]);
    assert_success(&out);
    assert!(out.stderr.is_empty());
    assert!(stdout(&out).contains(
        "ExternalDataSource Ledger (certificate): mTLS client certificate for callouts (by name)"
    ));
}

#[test]
fn broken_files_are_reported_and_the_rest_is_still_scanned() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(Path::new(&fixture("sfdx/mdapi")), dir.path());
    let root = dir.path().join("unpackaged");
    std::fs::write(root.join("dataSources/Broken.dataSource"), "<ExternalDataSource><certificate>")
        .unwrap();
    std::fs::write(root.join("dataSources/Dtd.dataSource"), "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><ExternalDataSource><certificate>&x;</certificate></ExternalDataSource>").unwrap();
    std::fs::remove_file(root.join("certs/Jwt_Signer.crt")).unwrap();
    std::fs::write(root.join("certs/Old_Unused.crt"), "garbage").unwrap();
    let out = scan(&dir.path().display().to_string(), &["--json"]);
    // Jwt_Signer lost its .crt: an error entry (dated by its metadata), while the inline copies
    // of the same certificate now stand on their own.
    assert_error(
        &out,
        1,
        "5 of 8 certificates need action: New_CA_Cert (pending), Old_Unused (error), Bank_mTLS (expired), SSO_Signing (renew), Jwt_Signer (error); 1 dangling references; 4 files or inline certificates could not be used",
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let problems: Vec<(String, String)> = doc["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (p["kind"].as_str().unwrap().to_string(), p["component"].as_str().unwrap().to_string())
        })
        .collect();
    for expected in [
        ("malformed-xml", "Broken"),
        ("malformed-xml", "Dtd"),
        ("missing-certificate-file", "Jwt_Signer"),
        ("invalid-certificate", "Old_Unused"),
    ] {
        assert!(
            problems.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {problems:?}"
        );
    }
    // Ledger (a good file in the same folder) was still read.
    assert!(stdout(&out).contains("\"component\":\"Ledger\""));
}

#[test]
fn unreadable_inputs_exit_two_with_one_error_line() {
    let dir = tempfile::tempdir().unwrap();
    let not_zip = dir.path().join("retrieve.zip");
    std::fs::write(&not_zip, "PK? no").unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let bad_ids = dir.path().join("ids.csv");
    std::fs::write(&bad_ids, "Name,Label\nx,y\n").unwrap();
    let missing = dir.path().join("nope");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![missing.display().to_string()], "nope: no such file or directory"),
        (
            vec![empty.display().to_string()],
            "neither sfdx-project.json (a Salesforce DX project) nor package.xml (a Metadata API retrieve) found",
        ),
        (vec![not_zip.display().to_string()], "retrieve.zip: not a directory or a readable zip"),
        (
            vec![fixture("sfdx/mdapi"), "--ids".into(), bad_ids.display().to_string()],
            "ids.csv:1: the header has no Id and DeveloperName columns (found: Name,Label)",
        ),
        (
            vec![fixture("sfdx/mdapi"), "--format".into(), "xml".into()],
            "invalid value 'xml' for '--format <FORMAT>'",
        ),
        (
            vec![fixture("sfdx/mdapi"), "--json".into(), "--format".into(), "md".into()],
            "the argument '--json' cannot be used with '--format <FORMAT>'",
        ),
    ];
    for (args, needle) in cases {
        let mut full = vec!["inventory".to_string(), "scan".to_string()];
        full.extend(args);
        let refs: Vec<&str> = full.iter().map(String::as_str).collect();
        assert_error(&run(&refs), 2, needle);
    }
}

#[test]
fn the_calendar_has_one_event_per_dated_certificate_with_three_reminders() {
    let out = scan(&fixture("sfdx/source"), &["--format", "ics"]);
    assert_error(&out, 1, NEEDS_ACTION);
    let ics = stdout(&out);
    assert!(ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(ics.matches("BEGIN:VEVENT").count(), 6, "{ics}");
    assert_eq!(ics.matches("BEGIN:VALARM").count(), 18, "{ics}");
    assert!(ics.lines().all(|l| l.len() <= 75), "folded at 75 octets");
}

#[test]
#[cfg_attr(
    missing_python3_icalendar,
    ignore = "python3-icalendar for /usr/bin/python3 not installed: run scripts/install-test-deps.sh"
)]
fn the_calendar_parses_with_python_icalendar() {
    require(&tools::PYTHON3_ICALENDAR);
    let out = scan(&fixture("sfdx/source"), &["--format", "ics"]);
    assert_eq!(out.status.code(), Some(1));
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("certificates.ics");
    std::fs::write(&file, stdout(&out)).unwrap();
    let script = r#"
import sys, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
for event in cal.walk('VEVENT'):
    alarms = sorted(str(a.get('TRIGGER').dt.days) for a in event.walk('VALARM'))
    print(event.get('DTSTART').dt.isoformat(), str(event.get('SUMMARY')), ','.join(alarms))
    if 'SSO_Signing' in str(event.get('SUMMARY')):
        print(str(event.get('DESCRIPTION')))
"#;
    let parsed = run_ok(Command::new("/usr/bin/python3").args(["-c", script]).arg(&file));
    let text = String::from_utf8_lossy(&parsed.stdout);
    assert!(text.contains("2026-06-21 Certificate SSO_Signing expires -10,-30,-60\n"), "{text}");
    assert!(text.contains("2026-05-01 Certificate Bank_mTLS expires -10,-30,-60\n"), "{text}");
    assert_eq!(text.matches(" Certificate ").count(), 6, "{text}");
    assert!(text.contains("- ConnectedApp Workday_SAML (samlConfig/encryptionCertificate): encrypts assertions to the service provider"), "{text}");
}

#[test]
fn the_metrics_name_every_certificate() {
    let out = scan(&fixture("sfdx/mdapi"), &["--format", "prometheus"]);
    assert_error(&out, 1, NEEDS_ACTION);
    let metrics = stdout(&out);
    assert!(
        metrics.contains("samlkit_certificate_references{name=\"Bank_mTLS\",sha256=\""),
        "{metrics}"
    );
    assert!(metrics.contains("samlkit_certificate_references{name=\"Old_Unused\","), "{metrics}");
    assert!(
        metrics.contains("samlkit_inventory_scan_problems{kind=\"expired-in-use\"} 3\n"),
        "{metrics}"
    );
    assert_eq!(metrics.matches("samlkit_certificate_not_after_seconds{").count(), 6, "{metrics}");
}

#[test]
#[cfg_attr(
    missing_promtool,
    ignore = "promtool (Debian prometheus) not installed: run scripts/install-test-deps.sh"
)]
fn the_metrics_pass_promtool() {
    require(&tools::PROMTOOL);
    let out = scan(&fixture("sfdx/mdapi"), &["--format", "prometheus"]);
    assert_eq!(out.status.code(), Some(1));
    let mut child = Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(&out.stdout).unwrap();
    let checked = child.wait_with_output().unwrap();
    assert!(
        checked.status.success(),
        "promtool: {}{}",
        String::from_utf8_lossy(&checked.stdout),
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn markdown_is_a_page_to_commit() {
    let out = scan(&fixture("sfdx/source"), &["--format", "md"]);
    assert_eq!(out.status.code(), Some(1));
    let md = stdout(&out);
    assert!(md.starts_with("# Which integrations use which certificate\n"), "{md}");
    assert!(md.contains("\n## Bank_mTLS\n"), "{md}");
    assert!(
        md.contains("| expired-in-use | ExternalDataSource | Ledger | `certificate` | Bank_mTLS |"),
        "{md}"
    );
}

#[test]
fn write_creates_then_updates_the_inventory_that_inventory_reads() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    copy_tree(Path::new(&fixture("sfdx/source")), &project);
    let out = run_in(
        dir.path(),
        &["inventory", "scan", "project", "--now", NOW, "--write", "samlkit.toml"],
    );
    assert_error(&out, 1, "certificates need action");
    assert!(stdout(&out).contains("Wrote samlkit.toml: 6 added, 0 updated, 0 marked removed; New_CA_Cert not added (status pending: no certificate to track yet)"), "{}", stdout(&out));
    let toml = std::fs::read_to_string(dir.path().join("samlkit.toml")).unwrap();
    assert!(toml.contains("name = \"SSO_Signing\"\ncert = \"certs/SSO_Signing-"), "{toml}");

    // `samlkit inventory` reads what was written.
    let report = run_in(dir.path(), &["inventory", "--now", NOW, "--json"]);
    assert_error(
        &report,
        1,
        "3 of 6 certificates need action: Old_Unused (expired), Bank_mTLS (expired), SSO_Signing (renew)",
    );
    let doc: serde_json::Value = serde_json::from_str(&stdout(&report)).unwrap();
    let sso =
        doc["entries"].as_array().unwrap().iter().find(|e| e["name"] == "SSO_Signing").unwrap();
    // Two by name and label; the reference by Id stays unresolved without --ids.
    assert_eq!(sso["metadata_integrations"].as_array().unwrap().len(), 2);
    assert_eq!(sso["sha256_fingerprint"], sso_sha(&toml));

    // People add an owner, a window and an integration; the org drops Old_Unused.
    let edited = toml.replacen(
        "name = \"SSO_Signing\"\n",
        "name = \"SSO_Signing\"\nowner = \"idm@example.org\"\nwarn_days = 90\nintegrations = [\"Workday (prod)\"]\n",
        1,
    );
    std::fs::write(dir.path().join("samlkit.toml"), edited).unwrap();
    let certs = project.join("force-app/main/default/certs");
    std::fs::remove_file(certs.join("Old_Unused.crt")).unwrap();
    std::fs::remove_file(certs.join("Old_Unused.crt-meta.xml")).unwrap();
    let again = run_in(
        dir.path(),
        &["inventory", "scan", "project", "--now", NOW, "--write", "samlkit.toml"],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        stdout(&again).contains("Wrote samlkit.toml: 0 added, 5 updated, 1 marked removed"),
        "{}",
        stdout(&again)
    );
    let toml = std::fs::read_to_string(dir.path().join("samlkit.toml")).unwrap();
    assert!(
        toml.contains(
            "owner = \"idm@example.org\"\nwarn_days = 90\nintegrations = [\"Workday (prod)\"]\n"
        ),
        "{toml}"
    );
    assert!(toml.contains("name = \"Old_Unused\""), "never deleted: {toml}");
    assert!(toml.contains("removed = \"not in project at 2026-06-01\""), "{toml}");
    let table = run_in(dir.path(), &["inventory", "--now", NOW]);
    assert!(
        stdout(&table).contains(
            "Old_Unused: removed from the Salesforce metadata (not in project at 2026-06-01)"
        ),
        "{}",
        stdout(&table)
    );
    assert!(stdout(&table).contains("idm@example.org"), "{}", stdout(&table));
}

fn sso_sha(toml: &str) -> String {
    let start = toml.find("name = \"SSO_Signing\"").unwrap();
    let sha = toml[start..].find("sha256 = ").unwrap() + start + "sha256 = ".len();
    toml[sha..].lines().next().unwrap().trim_matches(|c| c == '"' || c == '\'').to_string()
}

#[test]
fn the_old_inventory_command_is_unchanged() {
    let file = fixture("inventory/samlkit.toml");
    let out = run(&["inventory", "--file", &file, "--now", NOW, "--json"]);
    assert_eq!(out.status.code(), Some(1));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(doc["entries"].as_array().unwrap().len(), 5);
}
