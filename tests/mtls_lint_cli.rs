//! `samlkit mtls lint` through the built binary: each check's message and exit code, and a table
//! of good and bad client chains on which it agrees with `openssl verify -purpose sslclient`.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use support::{assert_error, assert_success, fixture, require, run_in, stdout, tools};

/// Every certificate is issued at this instant (or before, for the expired one).
const ISSUED: &str = "2026-06-01T00:00:00Z";
/// Every chain is judged at this instant (`--now` / `openssl verify -attime`).
const JUDGED: &str = "2026-06-02T00:00:00Z";
const JUDGED_EPOCH: &str = "1780358400";

fn ok(dir: &Path, args: &[&str]) {
    assert_success(&run_in(dir, args));
}

/// Two CAs, and client certificates for the idp key issued by them: the files the table uses.
fn pki(dir: &Path) {
    let key = fixture("keys/idp.key");
    ok(
        dir,
        &[
            "cert",
            "ca",
            "new",
            "--cn",
            "Good CA",
            "--key-type",
            "ec-p256",
            "--out",
            "ca",
            "--now",
            ISSUED,
        ],
    );
    ok(
        dir,
        &[
            "cert",
            "ca",
            "new",
            "--cn",
            "Other CA",
            "--key-type",
            "ec-p256",
            "--out",
            "other-ca",
            "--now",
            ISSUED,
        ],
    );
    ok(dir, &["cert", "csr", "--key", &key, "--cn", "client.example.com", "--out", "client.csr"]);
    let issue = |csr: &str, ca: &str, usage: &str, now: &str, days: &str, out: &str| {
        ok(
            dir,
            &[
                "cert",
                "sign",
                csr,
                "--ca",
                &format!("{ca}.crt"),
                "--ca-key",
                &format!("{ca}.key"),
                "--usage",
                usage,
                "--now",
                now,
                "--valid-days",
                days,
                "--out",
                out,
            ],
        );
    };
    issue("client.csr", "ca", "client", ISSUED, "365", "client.crt");
    issue("client.csr", "ca", "client+server", ISSUED, "365", "dual.crt");
    issue("client.csr", "ca", "server", ISSUED, "365", "server-only.crt");
    issue("client.csr", "other-ca", "client", ISSUED, "365", "foreign.crt");
    issue("client.csr", "ca", "client", "2025-01-01T00:00:00Z", "30", "expired.crt");
    issue("client.csr", "ca", "client", "2026-07-01T00:00:00Z", "30", "future.crt");
}

/// A client certificate for a 1024-bit RSA key (`weak.crt`): samlkit refuses to issue one, so
/// OpenSSL does (valid from the current time: see [`judged_at`]).
fn weak_client(dir: &Path) {
    let req = Command::new("openssl")
        .current_dir(dir)
        .args([
            "req",
            "-new",
            "-key",
            &fixture("keys/legacy-rsa1024.key"),
            "-subj",
            "/CN=weak.example.com",
            "-out",
            "weak.csr",
        ])
        .output()
        .unwrap();
    assert!(req.status.success(), "{}", String::from_utf8_lossy(&req.stderr));
    let refused = run_in(
        dir,
        &["cert", "sign", "weak.csr", "--ca", "ca.crt", "--ca-key", "ca.key", "--out", "weak.crt"],
    );
    assert_error(
        &refused,
        2,
        "weak.csr: invalid certificate signing request: its key is a 1024-bit RSA key; TLS servers want at least 2048 bits",
    );
    std::fs::write(
        dir.join("client.ext"),
        "extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n",
    )
    .unwrap();
    let out = Command::new("openssl")
        .current_dir(dir)
        .args([
            "x509",
            "-req",
            "-in",
            "weak.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-days",
            "365",
            "-extfile",
            "client.ext",
            "-out",
            "weak.crt",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// When to judge `leaf`: [`JUDGED`], or a day after its notBefore for the certificate OpenSSL
/// issued now, as RFC 3339 and as seconds since the epoch.
fn judged_at(dir: &Path, leaf: &str) -> (String, String) {
    if leaf != "weak.crt" {
        return (JUDGED.to_string(), JUDGED_EPOCH.to_string());
    }
    let shown = run_in(dir, &["cert", "show", leaf, "--json"]);
    let info: serde_json::Value = serde_json::from_str(stdout(&shown).trim()).unwrap();
    let not_before =
        chrono::DateTime::parse_from_rfc3339(info["not_before"].as_str().unwrap()).unwrap();
    let at = not_before.with_timezone(&chrono::Utc) + chrono::Duration::days(1);
    (at.format("%Y-%m-%dT%H:%M:%SZ").to_string(), at.timestamp().to_string())
}

/// (leaf, expected verdict, the lint check that fails when it does)
const TABLE: [(&str, bool, Option<&str>); 7] = [
    ("client.crt", true, None),
    ("dual.crt", true, None),
    ("server-only.crt", false, Some("client-auth")),
    ("foreign.crt", false, Some("anchor")),
    ("expired.crt", false, Some("validity")),
    ("future.crt", false, Some("validity")),
    ("weak.crt", false, Some("key-size")),
];

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn lint_agrees_with_openssl_verify_sslclient() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    weak_client(d);
    let (weak_at, _) = judged_at(d, "weak.crt");
    let weak = run_in(d, &["mtls", "lint", "weak.crt", "--ca-file", "ca.crt", "--now", &weak_at]);
    assert_error(
        &weak,
        1,
        "key-size: certificate 1 (CN=weak.example.com) has a 1024-bit RSA key; servers want at least 2048 bits",
    );
    for (leaf, good, failing_check) in TABLE {
        // The chain a client would send: the leaf and the CA that (it says) issued it.
        let chain = format!("{leaf}.chain.pem");
        let ca = if leaf == "foreign.crt" { "other-ca.crt" } else { "ca.crt" };
        std::fs::write(
            d.join(&chain),
            format!(
                "{}{}",
                std::fs::read_to_string(d.join(leaf)).unwrap(),
                std::fs::read_to_string(d.join(ca)).unwrap()
            ),
        )
        .unwrap();
        let (at, at_epoch) = judged_at(d, leaf);
        let openssl = Command::new("openssl")
            .current_dir(d)
            .args([
                "verify",
                // Security level 2 (112 bits: RSA 2048 or more), what current TLS stacks apply.
                "-auth_level",
                "2",
                "-attime",
                &at_epoch,
                "-purpose",
                "sslclient",
                "-CAfile",
                "ca.crt",
                "-untrusted",
                &chain,
                leaf,
            ])
            .output()
            .unwrap();
        let lint =
            run_in(d, &["mtls", "lint", &chain, "--ca-file", "ca.crt", "--now", &at, "--json"]);
        let report: serde_json::Value = serde_json::from_str(stdout(&lint).trim()).unwrap();
        assert_eq!(
            openssl.status.success(),
            good,
            "openssl on {leaf}: {}",
            String::from_utf8_lossy(&openssl.stdout)
        );
        assert_eq!(lint.status.code(), Some(if good { 0 } else { 1 }), "lint on {leaf}: {report}");
        assert_eq!(report["passed"], good, "{leaf}");
        let failed: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f["check"].as_str().unwrap())
            .collect();
        assert_eq!(failed, failing_check.into_iter().collect::<Vec<_>>(), "{leaf}: {report}");
    }
}

#[test]
fn each_check_says_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    ok(d, &["cert", "chain", "client.crt", "ca.crt", "-o", "chain.pem"]);
    ok(
        d,
        &[
            "cert",
            "new",
            "--cn",
            "self.example.com",
            "--usage",
            "client",
            "--out",
            "self",
            "--now",
            ISSUED,
        ],
    );
    let good = run_in(
        d,
        &[
            "mtls",
            "lint",
            "chain.pem",
            "--key",
            &fixture("keys/idp.key"),
            "--now",
            JUDGED,
            "--profile",
            "salesforce-inbound",
        ],
    );
    assert_success(&good);
    let text = stdout(&good);
    for expected in [
        "chain.pem: 2 certificate(s), profile salesforce-inbound",
        "ok    order        2 certificate(s), leaf first, each signed by the next",
        "ok    anchor       ends at the self-signed root CN=Good CA",
        "ok    client-auth  the leaf has the clientAuth extended key usage",
        "ok    key          the private key matches the leaf",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    std::fs::write(
        d.join("reversed.pem"),
        format!(
            "{}{}",
            std::fs::read_to_string(d.join("ca.crt")).unwrap(),
            std::fs::read_to_string(d.join("client.crt")).unwrap()
        ),
    )
    .unwrap();
    let cases: [(&[&str], &str); 7] = [
        (
            &["reversed.pem"],
            "reversed.pem: order: certificate 1 (CN=Good CA) is a self-signed root, which belongs at the end; list the leaf first, then each issuer",
        ),
        (
            &["client.crt"],
            "anchor: the chain ends at CN=client.example.com, which is not self-signed, and no --ca-file says who issued it (issuer CN=Good CA)",
        ),
        (
            &["chain.pem", "--ca-file", "other-ca.crt"],
            "anchor: no certificate of the chain is issued by a --ca-file certificate",
        ),
        (
            &["server-only.crt", "--ca-file", "ca.crt"],
            "client-auth: the leaf's extendedKeyUsage (serverAuth) does not include clientAuth",
        ),
        (
            &["chain.pem", "--key", &fixture("keys/attacker.key")],
            "key: the private key does not match the leaf (CN=client.example.com)",
        ),
        (
            &["expired.crt", "--ca-file", "ca.crt"],
            "validity: certificate 1 (CN=client.example.com) expired at 2025-01-31T00:00:00Z",
        ),
        (
            &["self.crt", "--profile", "salesforce-inbound"],
            "self.crt: self-signed: the leaf is self-signed; Salesforce's inbound mutual TLS needs a CA-issued client certificate",
        ),
    ];
    for (extra, needle) in cases {
        let mut args = vec!["mtls", "lint"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--now", JUDGED]);
        assert_error(&run_in(d, &args), 1, needle);
    }
    // Warnings do not fail: dual use, and expiry within --warn-days.
    let dual = run_in(
        d,
        &["mtls", "lint", "dual.crt", "--ca-file", "ca.crt", "--now", JUDGED, "--warn-days", "400"],
    );
    assert_success(&dual);
    let text = stdout(&dual);
    assert!(
        text.contains("warn  client-auth  the leaf is dual-use (serverAuth and clientAuth)"),
        "{text}"
    );
    assert!(text.contains("warn  validity     certificate 1 (CN=client.example.com) expires in 364 day(s), within --warn-days 400"), "{text}");
    // Usage errors: exit 2.
    assert_error(&run_in(d, &["mtls", "lint", "missing.pem"]), 2, "missing.pem");
    assert_error(
        &run_in(d, &["mtls", "lint", "chain.pem", "--profile", "strict"]),
        2,
        "--profile must be generic or salesforce-inbound",
    );
}
