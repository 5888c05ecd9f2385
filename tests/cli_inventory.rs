//! End-to-end tests of `samlkit inventory`, running the built binary.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{assert_error, fixture, root, run_in, stdout};

const REFERENCE_DAY: &str = "2026-06-01T00:00:00Z";

/// A temp dir with `certs/` holding copies of fixture certificates and `samlkit.toml`.
fn workspace(toml: &str, certs: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("certs")).unwrap();
    for cert in certs {
        std::fs::copy(fixture(&format!("certs/{cert}")), dir.path().join("certs").join(cert))
            .unwrap();
    }
    std::fs::write(dir.path().join("samlkit.toml"), toml).unwrap();
    dir
}

#[test]
fn sample_inventory_json_lists_entries_with_integrations_in_expiry_order() {
    let file = fixture("inventory/samlkit.toml");
    let out = run_in(&root(), &["inventory", "--file", &file, "--now", REFERENCE_DAY, "--json"]);
    assert_error(
        &out,
        1,
        "4 of 5 certificates need action: old-hr-sso (error), legacy-partner-portal (expired), jwt-bearer-integration (renew), sso-signing-2026 (renew)",
    );
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(doc["now"], REFERENCE_DAY);
    let entries = doc["entries"].as_array().unwrap();
    let names: Vec<&str> = entries.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "old-hr-sso",
            "legacy-partner-portal",
            "jwt-bearer-integration",
            "sso-signing-2026",
            "idp-signing"
        ]
    );
    let statuses: Vec<&str> = entries.iter().map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["error", "expired", "renew", "renew", "ok"]);
    let not_after: Vec<&str> =
        entries[1..].iter().map(|e| e["not_after"].as_str().unwrap()).collect();
    let mut sorted = not_after.clone();
    sorted.sort();
    assert_eq!(not_after, sorted, "expiry order");
    assert_eq!(
        entries[3]["integrations"],
        serde_json::json!(["Salesforce SSO (production)", "Workday SAML"])
    );
    assert_eq!(entries[3]["warn_days"], 90);
    assert_eq!(entries[3]["owner"], "identity-team@example.com");
    assert_eq!(entries[2]["salesforce_threshold_crossed"], 30);
    assert_eq!(entries[2]["days_left"], 20);
    let reason = entries[0]["error"].as_str().unwrap();
    assert!(reason.contains("hr-sso-2025.crt: no such file or directory"), "{reason}");
    assert_eq!(entries[4]["error"], serde_json::Value::Null);
    assert_eq!(entries[4]["integrations"], serde_json::json!(["Salesforce SSO (sandbox)"]));
}

#[test]
fn human_report_is_an_aligned_table_with_notes() {
    let file = fixture("inventory/samlkit.toml");
    let out = run_in(&root(), &["inventory", "--file", &file, "--now", REFERENCE_DAY]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("STATUS"), "{text}");
    let name_column = lines[0].find("NAME").unwrap();
    for row in &lines[1..6] {
        assert_eq!(row.get(name_column - 2..name_column), Some("  "), "aligned: {row}");
    }
    assert!(lines[1].starts_with("error") && lines[1].contains("old-hr-sso"), "{text}");
    assert!(lines[5].starts_with("ok") && lines[5].contains("Salesforce SSO (sandbox)"), "{text}");
    assert!(text.contains("jwt-bearer-integration: expires in 20 days on 2026-06-21 (inside the 60-day renewal window; Salesforce's 30-day reminder threshold crossed)"), "{text}");
}

#[test]
fn all_ok_exits_zero_and_paths_are_relative_to_the_inventory_file() {
    let toml = "[[certificate]]\nname = \"idp\"\ncert = \"certs/idp.crt\"\nintegrations = [\"Salesforce\"]\n";
    let dir = workspace(toml, &["idp.crt"]);
    // Run from somewhere else entirely: the path resolves against the file, not the cwd.
    let elsewhere = tempfile::tempdir().unwrap();
    let file = dir.path().join("samlkit.toml");
    let out = run_in(
        elsewhere.path(),
        &["inventory", "--file", file.to_str().unwrap(), "--now", REFERENCE_DAY],
    );
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("ok"));
    // The default file is ./samlkit.toml.
    let out = run_in(dir.path(), &["inventory", "--now", REFERENCE_DAY, "--json"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout(&out).contains("\"status\":\"ok\""));
    // --warn-days applies to entries without their own window.
    let out =
        run_in(dir.path(), &["inventory", "--now", "2035-12-01T00:00:00Z", "--warn-days", "10"]);
    assert!(out.status.success());
    let out = run_in(dir.path(), &["inventory", "--now", "2035-12-01T00:00:00Z"]);
    assert_error(&out, 1, "1 of 1 certificates need action: idp (renew)");
}

#[test]
fn an_unreadable_certificate_does_not_hide_the_others() {
    let toml = "[[certificate]]\nname = \"good\"\ncert = \"certs/idp.crt\"\n\n[[certificate]]\nname = \"garbled\"\ncert = \"certs/garbled.crt\"\n";
    let dir = workspace(toml, &["idp.crt"]);
    std::fs::write(
        dir.path().join("certs/garbled.crt"),
        "-----BEGIN CERTIFICATE-----\n%%%\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let out = run_in(dir.path(), &["inventory", "--now", REFERENCE_DAY, "--json"]);
    assert_error(&out, 1, "1 of 2 certificates need action: garbled (error)");
    let doc: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(doc["entries"][0]["status"], "error");
    assert!(doc["entries"][0]["error"].as_str().unwrap().starts_with("malformed PEM at line 1"));
    assert_eq!(doc["entries"][1]["status"], "ok");
}

#[test]
fn inventory_errors_name_the_file_line_and_entry() {
    let cases: [(&str, &str); 5] = [
        ("[[certificate]]\nname = \"a\"\ncert = \n", "samlkit.toml:3:"),
        (
            "[[certificate]]\nname = \"a\"\ncert = \"x\"\nwarn_days = \"soon\"\n",
            "samlkit.toml:4:13:",
        ),
        (
            "[[certificate]]\nname = \"a\"\ncert = \"x\"\n\n[[certificate]]\nname = \"b\"\nowner = \"me\"\n",
            "samlkit.toml:5:1: certificate entry \"b\" has no `cert` path",
        ),
        (
            "[[certificate]]\nname = \"a\"\ncert = \"x\"\nintegration = [\"typo\"]\n",
            "samlkit.toml:4:1: unknown field `integration`",
        ),
        (
            "[[certificate]]\nname = \"a\"\ncert = \"x\"\n[[certificate]]\nname = \"a\"\ncert = \"y\"\n",
            "certificate entry \"a\": the name is used twice (again at line 4)",
        ),
    ];
    for (toml, needle) in cases {
        let dir = workspace(toml, &[]);
        assert_error(&run_in(dir.path(), &["inventory"]), 2, needle);
    }
    let empty = tempfile::tempdir().unwrap();
    assert_error(
        &run_in(empty.path(), &["inventory"]),
        2,
        "cannot read samlkit.toml: no such file or directory",
    );
    assert_error(&run_in(empty.path(), &["inventory", "--now", "soon"]), 2, "RFC 3339");
}
