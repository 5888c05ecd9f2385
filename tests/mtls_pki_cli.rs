//! A 3-level private PKI through the built binary: `cert ca new --ca --ca-key` (an intermediate
//! CA, pathlen honoured), `cert csr --usage --san` (what the request asks for, checked by
//! `openssl req -verify -text`) and `cert sign` carrying the names, and `cert show` reading a
//! chain file (each certificate signed by the next, the root; `--ca-file` completing it).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use support::mtls::ok;
use support::{assert_error, assert_success, fixture, require, run_in, stdout, tools};

const NOW: &str = "2026-06-01T00:00:00Z";

/// `root` (pathlen:1), `issuing` (pathlen:0, issued by root), and `client.crt` for the idp key
/// issued by `issuing` from `client.csr`, which asks for the client usage and two names.
fn three_levels(dir: &Path) {
    let ca = |cn: &str, out: &str, extra: &[&str]| {
        let mut args = vec!["cert", "ca", "new", "--cn", cn, "--key-type", "ec-p256"];
        args.extend_from_slice(&["--out", out, "--now", NOW]);
        args.extend_from_slice(extra);
        ok(dir, &args);
    };
    ca("Root CA", "root", &["--path-len", "1"]);
    ca("Issuing CA", "issuing", &["--ca", "root.crt", "--ca-key", "root.key"]);
    let key = fixture("keys/idp.key");
    ok(
        dir,
        &[
            "cert",
            "csr",
            "--key",
            &key,
            "--cn",
            "client.example.com",
            "--usage",
            "client",
            "--san",
            "DNS:client.example.com",
            "--san",
            "IP:10.1.2.3",
            "--out",
            "client.csr",
        ],
    );
    ok(
        dir,
        &[
            "cert",
            "sign",
            "client.csr",
            "--ca",
            "issuing.crt",
            "--ca-key",
            "issuing.key",
            "--now",
            NOW,
            "--out",
            "client.crt",
        ],
    );
}

fn openssl_in(dir: &Path, args: &[&str]) -> Output {
    Command::new("openssl").current_dir(dir).args(args).output().expect("openssl runs")
}

fn concat(dir: &Path, parts: &[&str], out: &str) {
    let text: String =
        parts.iter().map(|p| std::fs::read_to_string(dir.join(p)).unwrap()).collect();
    std::fs::write(dir.join(out), text).unwrap();
}

#[test]
fn intermediate_ca_is_issued_by_its_parent_and_pathlen_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    three_levels(d);
    let shown = run_in(d, &["cert", "show", "issuing.crt", "--json"]);
    let info: serde_json::Value = serde_json::from_str(stdout(&shown).trim()).unwrap();
    assert_eq!(info["issuer"], "CN=Root CA");
    assert_eq!(info["self_signed"], false);
    assert_eq!(info["basic_constraints"], serde_json::json!({"ca": true, "path_len": 0}));
    assert_eq!(
        info["key_usage"],
        serde_json::json!(["Digital Signature", "Certificate Sign", "CRL Sign"])
    );
    assert_eq!(support::mode(&d.join("issuing.key")), 0o600);

    let refusals: [(&[&str], &str); 5] = [
        (
            &["--cn", "Deep", "--ca", "issuing.crt", "--ca-key", "issuing.key", "--out", "deep"],
            "CN=Issuing CA cannot issue this intermediate CA: its pathlen:0 lets it issue leaf certificates only; create it with --path-len 1 or more to have intermediates below it",
        ),
        (
            &[
                "--cn",
                "Wide",
                "--ca",
                "root.crt",
                "--ca-key",
                "root.key",
                "--path-len",
                "1",
                "--out",
                "wide",
            ],
            "CN=Root CA cannot issue this intermediate CA: its pathlen:1 allows an intermediate of at most pathlen:0, and 1 was asked for",
        ),
        (
            &["--cn", "Stolen", "--ca", "root.crt", "--ca-key", "issuing.key", "--out", "stolen"],
            "the CA key does not match the CA certificate (CN=Root CA)",
        ),
        (
            &[
                "--cn",
                "Leafy",
                "--ca",
                "client.crt",
                "--ca-key",
                &fixture("keys/idp.key"),
                "--out",
                "leafy",
            ],
            "CN=client.example.com is not a certificate authority (no basicConstraints CA:TRUE)",
        ),
        (&["--cn", "Half", "--ca", "root.crt", "--out", "half"], "--ca-key"),
    ];
    for (extra, needle) in refusals {
        let mut args = vec!["cert", "ca", "new"];
        args.extend_from_slice(extra);
        assert_error(&run_in(d, &args), 2, needle);
    }
    // Nothing was written by a refusal.
    for prefix in ["deep", "wide", "stolen", "leafy", "half"] {
        assert!(!d.join(format!("{prefix}.key")).exists(), "{prefix}.key");
        assert!(!d.join(format!("{prefix}.crt")).exists(), "{prefix}.crt");
    }
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn openssl_verifies_the_three_level_chain_and_reads_the_request() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    three_levels(d);
    let verified = openssl_in(
        d,
        &[
            "verify",
            "-attime",
            "1780358400",
            "-purpose",
            "sslclient",
            "-CAfile",
            "root.crt",
            "-untrusted",
            "issuing.crt",
            "client.crt",
        ],
    );
    assert!(
        verified.status.success(),
        "{}{}",
        stdout(&verified),
        String::from_utf8_lossy(&verified.stderr)
    );
    assert_eq!(stdout(&verified).trim(), "client.crt: OK");
    // Without the intermediate, OpenSSL cannot build the path.
    let missing = openssl_in(
        d,
        &[
            "verify",
            "-attime",
            "1780358400",
            "-purpose",
            "sslclient",
            "-CAfile",
            "root.crt",
            "client.crt",
        ],
    );
    assert!(!missing.status.success());

    // The request: its signature holds, and it asks for the usage and the names.
    let req = openssl_in(d, &["req", "-in", "client.csr", "-noout", "-verify", "-text"]);
    assert!(req.status.success(), "{}", String::from_utf8_lossy(&req.stderr));
    let said = format!("{}{}", stdout(&req), String::from_utf8_lossy(&req.stderr));
    for expected in [
        "verify OK",
        "Requested Extensions:",
        "X509v3 Key Usage: critical",
        "Digital Signature",
        "X509v3 Extended Key Usage",
        "TLS Web Client Authentication",
        "DNS:client.example.com, IP Address:10.1.2.3",
    ] {
        assert!(said.contains(expected), "{expected:?} in {said}");
    }
    assert!(!said.contains("CA:"), "a request leaves basicConstraints to the CA: {said}");
    // cert sign carried the requested names into the certificate.
    let ext = openssl_in(
        d,
        &["x509", "-in", "client.crt", "-noout", "-ext", "subjectAltName,extendedKeyUsage"],
    );
    let text = stdout(&ext);
    assert!(text.contains("DNS:client.example.com, IP Address:10.1.2.3"), "{text}");
    assert!(text.contains("TLS Web Client Authentication"), "{text}");
}

#[test]
fn csr_shows_what_it_asks_for_and_refuses_bad_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    three_levels(d);
    let shown = run_in(d, &["cert", "show", "client.csr"]);
    assert_success(&shown);
    let text = stdout(&shown);
    for expected in [
        "alt names  DNS:client.example.com, IP Address:10.1.2.3\n",
        "key usage  Digital Signature\n",
        "eku        clientAuth\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let json = run_in(d, &["cert", "show", "client.csr", "--json"]);
    let info: serde_json::Value = serde_json::from_str(stdout(&json).trim()).unwrap();
    assert_eq!(info["extended_key_usage"], serde_json::json!(["clientAuth"]));
    assert_eq!(info["signature_valid"], true);
    // Without --usage and --san, the request asks for nothing (as before).
    let key = fixture("keys/idp.key");
    let plain = run_in(d, &["cert", "csr", "--key", &key, "--cn", "plain.example.com"]);
    assert_success(&plain);
    std::fs::write(d.join("plain.csr"), stdout(&plain)).unwrap();
    let text = stdout(&run_in(d, &["cert", "show", "plain.csr"]));
    assert!(!text.contains("eku") && !text.contains("alt names"), "{text}");

    let base = ["cert", "csr", "--key", key.as_str(), "--cn", "x.example.com"];
    let cases: [(&[&str], &str); 3] = [
        (
            &["--san", "IP:300.1.1.1"],
            "--san \"300.1.1.1\" is not an IPv4 or IPv6 address (use DNS:NAME, IP:ADDR, email:ADDRESS or URI:URI)",
        ),
        (&["--usage", "tls"], "--usage must be one of signing, client, server, client+server"),
        (&["--san", "email:nobody"], "--san \"nobody\" is not an e-mail address"),
    ];
    for (extra, needle) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        assert_error(&run_in(d, &args), 2, needle);
    }
}

#[test]
fn show_reads_a_chain_file_and_completes_it_from_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    three_levels(d);
    concat(d, &["client.crt", "issuing.crt", "root.crt"], "full.pem");
    concat(d, &["client.crt", "root.crt", "issuing.crt"], "swapped.pem");

    let full = run_in(d, &["cert", "show", "full.pem", "--now", NOW]);
    assert_success(&full);
    let text = stdout(&full);
    for expected in [
        "certificate  full.pem (#1 of 3)\n",
        "chain        signed by the next, #2 (CN=Issuing CA)\n",
        "chain        signed by the next, #3 (CN=Root CA)\n",
        "chain        root (self-signed)\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }

    let swapped = stdout(&run_in(d, &["cert", "show", "swapped.pem", "--now", NOW]));
    for expected in [
        "chain        NOT signed by the next, #2 (CN=Root CA); its issuer is #3\n",
        "chain        NOT signed by the next, #3 (CN=Issuing CA)\n",
        "chain        its issuer is not in this file (--ca-file can add it)\n",
    ] {
        assert!(swapped.contains(expected), "{expected:?} in {swapped}");
    }

    // A leaf alone shows no chain line; --ca-file adds its issuers up to the root.
    let alone = stdout(&run_in(d, &["cert", "show", "client.crt", "--now", NOW]));
    assert!(!alone.contains("chain "), "{alone}");
    let completed = run_in(
        d,
        &[
            "cert",
            "show",
            "client.crt",
            "--ca-file",
            "root.crt",
            "--ca-file",
            "issuing.crt",
            "--now",
            NOW,
        ],
    );
    assert_success(&completed);
    let text = stdout(&completed);
    for expected in [
        "certificate  client.crt (#1 of 3)\n",
        "chain        signed by the next, #2 (CN=Issuing CA)\n",
        "certificate  client.crt (#2 of 3, from --ca-file)\n",
        "certificate  client.crt (#3 of 3, from --ca-file)\n",
        "chain        root (self-signed)\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let partial = stdout(&run_in(d, &["cert", "show", "client.crt", "--ca-file", "issuing.crt"]));
    assert!(
        partial.contains("chain        its issuer is not in this file or --ca-file\n"),
        "{partial}"
    );

    // JSON: the same, in added fields, one line per certificate.
    let json = run_in(d, &["cert", "show", "swapped.pem", "--json"]);
    let lines: Vec<serde_json::Value> =
        stdout(&json).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let links: Vec<(&str, serde_json::Value)> = lines
        .iter()
        .map(|l| (l["chain_link"].as_str().unwrap(), l["signed_by_next"].clone()))
        .collect();
    let expected = [
        ("not_signed_by_next", serde_json::json!(false)),
        ("not_signed_by_next", serde_json::json!(false)),
        ("issuer_not_given", serde_json::Value::Null),
    ];
    assert_eq!(links, expected);
    assert_eq!(lines[2]["chain_index"], 3);
    assert_eq!(lines[2]["chain_length"], 3);
    assert_eq!(lines[2]["from_ca_file"], false);
    assert_eq!(lines[0]["subject"], "CN=client.example.com");
}
