//! End-to-end tests of `samlkit cert new|csr|show|check`, running the built binary.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Output;

use support::{assert_error, assert_success, fixture, mode, require, run, samlkit, stdout, tools};

const REFERENCE_DAY: &str = "2026-06-01T00:00:00Z";

/// Runs openssl (the caller has checked it is there with `require(&tools::OPENSSL)`).
fn openssl(args: &[&str]) -> Output {
    std::process::Command::new("openssl").args(args).output().expect("openssl runs")
}

/// `cert new --cn idp.example.com` into a directory that does not exist yet (`cert new` creates
/// it); returns the certificate and key paths after checking what it printed.
fn new_certificate(dir: &Path) -> (String, String) {
    let prefix = dir.join("x").join("idp");
    let prefix_s = prefix.to_str().unwrap();
    let out = run(&["cert", "new", "--cn", "idp.example.com", "--out", prefix_s]);
    assert_success(&out);
    let text = stdout(&out);
    assert!(!text.contains("PRIVATE KEY"), "the key is never printed: {text}");
    assert!(text.contains("idp.crt (certificate, PEM)"), "{text}");
    assert!(text.contains("mode 0600"), "{text}");
    (format!("{prefix_s}.crt"), format!("{prefix_s}.key"))
}

#[test]
fn cert_new_writes_a_certificate_and_a_private_matching_key() {
    let dir = tempfile::tempdir().unwrap();
    let (crt, key) = new_certificate(dir.path());
    assert_eq!(mode(Path::new(&key)), 0o600);
    assert!(std::fs::read_to_string(&key).unwrap().starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let show = run(&["cert", "show", &crt, "--key", &key]);
    assert_success(&show);
    assert!(stdout(&show).contains("key matches  yes"), "{}", stdout(&show));
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn openssl_reads_the_certificate_and_key_cert_new_writes() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let (crt, key) = new_certificate(dir.path());
    let x509 = openssl(&["x509", "-in", &crt, "-noout", "-text"]);
    assert_success(&x509);
    let x509 = stdout(&x509);
    assert!(x509.contains("Subject: CN = idp.example.com"), "{x509}");
    assert!(x509.contains("CA:FALSE") && x509.contains("Digital Signature, Key Encipherment"));
    let verify = openssl(&["verify", "-CAfile", &crt, &crt]);
    assert_success(&verify);
    let from_key = openssl(&["pkey", "-in", &key, "-pubout"]);
    let from_cert = openssl(&["x509", "-in", &crt, "-noout", "-pubkey"]);
    assert_eq!(stdout(&from_key), stdout(&from_cert), "key and certificate match (openssl)");
}

#[test]
fn cert_new_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("idp");
    let prefix_s = prefix.to_str().unwrap();
    let key = dir.path().join("idp.key");
    std::fs::write(&key, "precious").unwrap();
    let out = run(&["cert", "new", "--cn", "idp.example.com", "--out", prefix_s]);
    assert_error(&out, 2, "idp.key already exists; use --force to overwrite it");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), "precious");
    assert!(!dir.path().join("idp.crt").exists(), "nothing half-written");

    // An existing certificate alone also blocks, before a key is written.
    std::fs::remove_file(&key).unwrap();
    std::fs::write(dir.path().join("idp.crt"), "old").unwrap();
    let out = run(&["cert", "new", "--cn", "idp.example.com", "--out", prefix_s]);
    assert_error(&out, 2, "idp.crt already exists");
    assert!(!key.exists());

    // --force replaces both, and the key is still 0600.
    std::fs::write(&key, "precious").unwrap();
    std::fs::set_permissions(&key, std::os::unix::fs::PermissionsExt::from_mode(0o644)).unwrap();
    let out = run(&["cert", "new", "--cn", "idp.example.com", "--out", prefix_s, "--force"]);
    assert_success(&out);
    // Without --now the clock is used; a fresh certificate has exactly --days left.
    assert!(stdout(&out).contains("days left    365 (ok)"), "{}", stdout(&out));
    assert!(std::fs::read_to_string(&key).unwrap().contains("BEGIN PRIVATE KEY"));
    assert_eq!(mode(&key), 0o600);
}

#[test]
fn cert_new_defaults_prefix_to_the_name_and_honours_days_now_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let out = samlkit()
        .current_dir(dir.path())
        .args([
            "cert",
            "new",
            "--cn",
            "sso.example.com",
            "--org",
            "Example Corp",
            "--country",
            "US",
            "--email",
            "id@example.com",
            "--days",
            "30",
            "--now",
            REFERENCE_DAY,
            "--json",
        ])
        .output()
        .unwrap();
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).expect("one JSON line");
    assert_eq!(json["not_before"], "2026-06-01T00:00:00Z");
    assert_eq!(json["not_after"], "2026-07-01T00:00:00Z");
    assert_eq!(json["days_left"], 30);
    assert_eq!(json["status"], "renew", "30 days is inside the default 60-day window");
    assert_eq!(json["key_type"], "RSA");
    assert_eq!(json["key_bits"], 2048);
    assert_eq!(json["subject"], "C=US, O=Example Corp, CN=sso.example.com, Email=id@example.com");
    assert_eq!(json["file"], "./sso.example.com.crt");
    assert_eq!(json["key_file"], "./sso.example.com.key");
    assert!(dir.path().join("sso.example.com.crt").exists());
    assert_eq!(mode(&dir.path().join("sso.example.com.key")), 0o600);
}

#[test]
fn cert_new_rejects_bad_arguments_before_writing_anything() {
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("p");
    let prefix = prefix.to_str().unwrap();
    let cases: [(&[&str], &str); 8] = [
        (&["--days", "0"], "--valid-days must be a whole number of days from 1 to 36500"),
        (&["--days", "abc"], "--valid-days must be a whole number of days"),
        (&["--days", "-5"], "--valid-days must be a whole number of days"),
        (&["--days", "1.5"], "--valid-days must be a whole number of days"),
        (&["--key-size", "1024"], "--key-size must be 2048, 3072 or 4096"),
        (&["--country", "USA"], "invalid country: \"USA\" is not a two-letter ISO 3166 code"),
        (&["--now", "yesterday"], "expected RFC 3339 such as"),
        (&["--cn", ""], "invalid common name: it must not be empty"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["cert", "new", "--out", prefix];
        if !extra.contains(&"--cn") {
            args.extend(["--cn", "a.example.com"]);
        }
        args.extend(extra);
        assert_error(&run(&args), 2, needle);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "{extra:?} wrote files");
    }
    assert_error(&run(&["cert", "new"]), 2, "--cn");
}

#[test]
fn cert_show_summarises_pem_der_and_stdin_alike() {
    let pem = run(&["cert", "show", &fixture("certs/idp.crt"), "--now", REFERENCE_DAY]);
    assert_success(&pem);
    let text = stdout(&pem);
    for line in [
        "subject      CN=idp.example.com, O=Example IdP",
        "issuer       CN=idp.example.com, O=Example IdP (self-signed)",
        "not before   2026-01-01T00:00:00Z",
        "not after    2036-01-01T00:00:00Z",
        "days left    3501 (ok)",
        "key          RSA 2048",
        "signature    sha256WithRSAEncryption",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    let json = |args: &[&str]| -> serde_json::Value {
        let out = run(args);
        assert_success(&out);
        serde_json::from_str(stdout(&out).trim()).unwrap()
    };
    let from_pem = json(&["cert", "show", "--json", &fixture("certs/idp.crt")]);
    let from_der = json(&["cert", "show", "--json", &fixture("certs/idp.der")]);
    assert_eq!(from_pem["sha256_fingerprint"], from_der["sha256_fingerprint"]);
    assert_eq!(from_pem["serial"], from_der["serial"]);
    let fp = from_pem["sha256_fingerprint"].as_str().unwrap();
    assert_eq!(fp.len(), 95);
    assert!(fp.chars().all(|c| c == ':' || c.is_ascii_hexdigit() && !c.is_ascii_lowercase()));
    assert_eq!(from_pem["key_matches"], serde_json::Value::Null);

    let stdin = samlkit()
        .args(["cert", "show", "--json", "-"])
        .write_stdin(std::fs::read(fixture("certs/idp.der")).unwrap())
        .output()
        .unwrap();
    assert_success(&stdin);
    let from_stdin: serde_json::Value = serde_json::from_str(stdout(&stdin).trim()).unwrap();
    assert_eq!(from_stdin["sha256_fingerprint"], from_pem["sha256_fingerprint"]);
    assert_eq!(from_stdin["file"], "-");
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn cert_show_fingerprint_agrees_with_openssl() {
    require(&tools::OPENSSL);
    let out = run(&["cert", "show", "--json", &fixture("certs/idp.crt")]);
    assert_success(&out);
    let json: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let fp = json["sha256_fingerprint"].as_str().unwrap();
    let out =
        openssl(&["x509", "-in", &fixture("certs/idp.crt"), "-noout", "-fingerprint", "-sha256"]);
    assert_success(&out);
    assert_eq!(stdout(&out).trim(), format!("sha256 Fingerprint={fp}"));
}

#[test]
fn cert_show_lists_every_certificate_in_a_bundle() {
    let out = run(&["cert", "show", "--json", &fixture("certs/bundle.pem")]);
    assert_success(&out);
    let cns: Vec<String> = stdout(&out)
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["common_name"].to_string())
        .collect();
    assert_eq!(cns, ["\"idp.example.com\"", "\"attacker.example.com\""]);
}

#[test]
fn cert_show_with_keys() {
    let crt = fixture("certs/idp.crt");
    for key in ["keys/idp.key", "keys/idp-pkcs1.key", "keys/idp.key.der"] {
        let out = run(&["cert", "show", &crt, "--key", &fixture(key), "--json"]);
        assert_success(&out);
        assert!(stdout(&out).contains("\"key_matches\":true"), "{key}");
    }
    let out = run(&["cert", "show", &crt, "--key", &fixture("keys/attacker.key")]);
    assert_error(&out, 1, "does not match the certificate");
    assert!(stdout(&out).contains("key matches  NO"), "{}", stdout(&out));
    let ec = run(&[
        "cert",
        "show",
        &fixture("certs/ec-p256.crt"),
        "--key",
        &fixture("keys/ec-p256-sec1.key"),
    ]);
    assert_success(&ec);
    assert!(stdout(&ec).contains("key          EC P-256"));
}

#[test]
fn cert_show_error_paths() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\nnot base64 at all!\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello").unwrap();
    let truncated = dir.path().join("truncated.der");
    let der = std::fs::read(fixture("certs/idp.der")).unwrap();
    std::fs::write(&truncated, &der[..der.len() / 2]).unwrap();
    let missing = dir.path().join("missing.crt");
    let crt = fixture("certs/idp.crt");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec![missing.display().to_string()], "missing.crt: no such file or directory"),
        (
            vec![garbage.display().to_string()],
            "malformed PEM at line 1: the base64 body of the CERTIFICATE block is invalid",
        ),
        (vec![text.display().to_string()], "no certificate found: the input is neither PEM"),
        (vec![truncated.display().to_string()], "invalid certificate: not a DER X.509 certificate"),
        (
            vec![fixture("keys/idp.key")],
            "no certificate found: the PEM blocks found are PRIVATE KEY (line 1)",
        ),
        (
            vec![crt.clone(), "--key".into(), fixture("keys/idp-encrypted.key")],
            "no terminal to prompt for the password of",
        ),
        (
            vec![crt.clone(), "--key".into(), fixture("keys/idp-encrypted-legacy.key")],
            "Proc-Type: 4,ENCRYPTED",
        ),
        (vec![crt.clone(), "--key".into(), crt.clone()], "no private key found"),
        (vec![crt.clone(), "--now".into(), "2026-13-01T00:00:00Z".into()], "RFC 3339"),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["cert".to_string(), "show".to_string()];
        args.extend(extra);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        assert_error(&run(&args), 2, needle);
    }
}

#[test]
fn cert_check_states_exit_codes_and_thresholds() {
    // (file, warn-days, exit, status, reminder)
    let cases = [
        ("certs/idp.crt", "60", 0, "ok", "-"),
        ("certs/expires-2026-08-15.crt", "60", 0, "ok", "-"),
        ("certs/expires-2026-08-15.crt", "90", 1, "renew", "-"),
        ("certs/expires-2026-06-21.crt", "60", 1, "renew", "30-day"),
        ("certs/expires-2026-06-21.crt", "10", 0, "ok", "30-day"),
        ("certs/expired.crt", "60", 1, "expired", "-"),
        ("certs/not-yet-valid.crt", "60", 1, "not-yet-valid", "-"),
    ];
    for (file, warn, code, status, reminder) in cases {
        let out =
            run(&["cert", "check", &fixture(file), "--warn-days", warn, "--now", REFERENCE_DAY]);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{file} {warn}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let row = stdout(&out).lines().nth(1).unwrap_or_default().to_string();
        let cells: Vec<&str> = row.split_whitespace().collect();
        assert_eq!((cells[0], cells[3]), (status, reminder), "{file} {warn}: {row}");
    }
}

#[test]
fn cert_check_twenty_days_before_expiry_names_the_30_day_threshold() {
    let out =
        run(&["cert", "check", &fixture("certs/expires-2026-06-21.crt"), "--now", REFERENCE_DAY]);
    assert_error(
        &out,
        1,
        "expires in 20 days on 2026-06-21 (inside the 60-day renewal window; Salesforce's 30-day reminder threshold crossed)",
    );
}

#[test]
fn cert_check_several_files_and_json() {
    let out = run(&[
        "cert",
        "check",
        "--json",
        "--now",
        REFERENCE_DAY,
        &fixture("certs/idp.crt"),
        &fixture("certs/expired.crt"),
        &fixture("certs/bundle.pem"),
    ]);
    assert_error(&out, 1, "expired on 2026-01-01 (151 days ago)");
    let lines: Vec<serde_json::Value> =
        stdout(&out).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[1]["status"], "expired");
    assert_eq!(lines[1]["days_left"], -151);
    assert_eq!(lines[0]["salesforce_threshold_crossed"], serde_json::Value::Null);
    assert!(lines[3]["file"].as_str().unwrap().ends_with("bundle.pem#2"));

    let soon = run(&[
        "cert",
        "check",
        "--json",
        "--now",
        REFERENCE_DAY,
        &fixture("certs/expires-2026-06-21.crt"),
    ]);
    let line: serde_json::Value = serde_json::from_str(stdout(&soon).trim()).unwrap();
    assert_eq!(line["salesforce_threshold_crossed"], 30);
    assert_eq!(line["days_left"], 20);

    let two = run(&[
        "cert",
        "check",
        "--now",
        REFERENCE_DAY,
        &fixture("certs/expired.crt"),
        &fixture("certs/not-yet-valid.crt"),
    ]);
    assert_error(&two, 1, "2 of 2 certificates need action");
}

#[test]
fn cert_check_error_paths() {
    assert_error(&run(&["cert", "check"]), 2, "CERT");
    assert_error(
        &run(&["cert", "check", "/nonexistent/x.crt"]),
        2,
        "cannot read /nonexistent/x.crt: no such file or directory",
    );
    assert_error(
        &run(&["cert", "check", &fixture("certs/idp.crt"), "--warn-days", "soon"]),
        2,
        "--warn-days",
    );
}

/// `cert csr` for the full subject, to stdout; returns the PEM.
fn full_subject_csr() -> String {
    let out = run(&[
        "cert",
        "csr",
        "--key",
        &fixture("keys/idp-pkcs1.key"),
        "--cn",
        "idp.example.com",
        "--org",
        "Example Corp",
        "--ou",
        "Identity",
        "--locality",
        "Paris",
        "--state",
        "IDF",
        "--country",
        "FR",
        "--email",
        "id@example.com",
    ]);
    assert_success(&out);
    let pem = stdout(&out);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"), "{pem}");
    pem
}

/// `cert csr --out FILE` for the IdP key; a second run refuses to overwrite the file.
fn csr_to_file(file: &Path) {
    let file_s = file.to_str().unwrap();
    let written = run(&[
        "cert",
        "csr",
        "--key",
        &fixture("keys/idp.key"),
        "--cn",
        "idp.example.com",
        "--out",
        file_s,
    ]);
    assert_success(&written);
    assert!(stdout(&written).contains("wrote"));
    assert_error(
        &run(&["cert", "csr", "--key", &fixture("keys/idp.key"), "--cn", "x", "--out", file_s]),
        2,
        "already exists; use --force",
    );
    assert!(
        std::fs::read_to_string(file).unwrap().starts_with("-----BEGIN CERTIFICATE REQUEST-----\n")
    );
}

#[test]
fn cert_csr_writes_to_stdout_or_a_file_and_never_overwrites() {
    let dir = tempfile::tempdir().unwrap();
    full_subject_csr();
    csr_to_file(&dir.path().join("idp.csr"));
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn cert_csr_verifies_with_openssl() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("idp.csr");
    csr_to_file(&file);
    std::fs::write(dir.path().join("stdout.csr"), full_subject_csr()).unwrap();
    for path in [dir.path().join("stdout.csr"), file] {
        let req = openssl(&["req", "-in", path.to_str().unwrap(), "-verify", "-noout", "-subject"]);
        assert_success(&req);
        let all = format!("{}{}", stdout(&req), String::from_utf8_lossy(&req.stderr));
        assert!(all.contains("verify OK"), "{all}");
        assert!(all.contains("CN = idp.example.com"), "{all}");
    }
}

#[test]
fn cert_csr_error_paths() {
    let cases: [(&str, &str); 4] = [
        ("/nonexistent/k.key", "cannot read /nonexistent/k.key: no such file or directory"),
        ("keys/idp-encrypted.key", "no terminal to prompt for the password of"),
        ("certs/idp.crt", "no private key found: the PEM blocks found are CERTIFICATE"),
        ("certs/idp.der", "no private key found: the DER input is a certificate"),
    ];
    for (key, needle) in cases {
        let key = if key.starts_with('/') { key.to_string() } else { fixture(key) };
        assert_error(&run(&["cert", "csr", "--key", &key, "--cn", "x"]), 2, needle);
    }
}

#[test]
fn cert_new_reports_an_unusable_output_directory() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("plain-file");
    std::fs::write(&file, "x").unwrap();
    let prefix = file.join("idp");
    let out = run(&["cert", "new", "--cn", "a.example.com", "--out", prefix.to_str().unwrap()]);
    assert_error(&out, 2, "cannot create directory");
    assert!(String::from_utf8_lossy(&out.stderr).contains("plain-file"));
}
