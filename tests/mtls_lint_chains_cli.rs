//! `samlkit mtls lint` on 3-level client chains (leaf, intermediate CA, root), side by side
//! with `openssl verify -purpose sslclient -untrusted CHAIN -CAfile ROOT LEAF`: a good chain,
//! one in the wrong order, one missing its intermediate, an intermediate without CA:TRUE, a
//! root whose pathlen:0 the intermediate exceeds, and an expired intermediate. samlkit refuses
//! to make the broken ones (see tests/mtls_pki_cli.rs), so OpenSSL does.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, Duration, Utc};
use support::mtls::ok;
use support::{assert_error, fixture, require, run_in, run_ok, stdout, tools};

const ISSUED: &str = "2026-06-01T00:00:00Z";
/// Chains are judged a day after their newest certificate was issued, and not before this.
const JUDGED: &str = "2026-06-02T00:00:00Z";

fn ca(dir: &Path, cn: &str, out: &str, extra: &[&str]) {
    let mut args = vec!["cert", "ca", "new", "--cn", cn, "--key-type", "ec-p256", "--out", out];
    args.extend_from_slice(extra);
    ok(dir, &args);
}

fn sign(dir: &Path, issuer: &str, out: &str, extra: &[&str]) {
    let (crt, key) = (format!("{issuer}.crt"), format!("{issuer}.key"));
    let mut args = vec!["cert", "sign", "client.csr", "--ca", &crt, "--ca-key", &key];
    args.extend_from_slice(&["--usage", "client", "--out", out]);
    args.extend_from_slice(extra);
    ok(dir, &args);
}

/// OpenSSL issues `out` from `csr` with `issuer`.crt/`issuer_key` and the extensions `ext`.
fn openssl_issue(dir: &Path, csr: &str, issuer: &str, issuer_key: &str, ext: &str, out: &str) {
    let ext_file = format!("{out}.ext");
    std::fs::write(dir.join(&ext_file), ext).unwrap();
    let issuer_crt = format!("{issuer}.crt");
    run_ok(
        Command::new("openssl")
            .current_dir(dir)
            .args(["x509", "-req", "-in", csr, "-CA", &issuer_crt, "-CAkey", issuer_key])
            .args(["-CAcreateserial", "-days", "365", "-extfile", &ext_file, "-out", out]),
    );
}

/// Every certificate the table's chains are made of.
fn pki(dir: &Path) {
    let now = ["--now", ISSUED];
    ca(dir, "Root CA", "root", &["--path-len", "1", "--now", ISSUED]);
    ca(
        dir,
        "Issuing CA",
        "issuing",
        &["--ca", "root.crt", "--ca-key", "root.key", "--now", ISSUED],
    );
    // Expired on 2026-05-31, before the chains are judged.
    let expired =
        ["--ca", "root.crt", "--ca-key", "root.key", "--now", "2026-05-01", "--valid-days", "30"];
    ca(dir, "Expired Issuing CA", "expired-issuing", &expired);
    // A root that allows no intermediate, and one OpenSSL puts under it anyway.
    ca(dir, "Strict Root CA", "strict-root", &["--path-len", "0", "--now", ISSUED]);
    let ca_key = fixture("keys/ec-p256.key");
    ok(dir, &["cert", "csr", "--key", &ca_key, "--cn", "Deep Issuing CA", "--out", "deep.csr"]);
    openssl_issue(
        dir,
        "deep.csr",
        "strict-root",
        "strict-root.key",
        "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\n",
        "deep-issuing.crt",
    );
    // A certificate issued by the root without CA:TRUE, which OpenSSL uses as an issuer anyway.
    ok(dir, &["cert", "csr", "--key", &ca_key, "--cn", "Not A CA", "--out", "not-ca.csr"]);
    ok(
        dir,
        &[
            "cert",
            "sign",
            "not-ca.csr",
            "--ca",
            "root.crt",
            "--ca-key",
            "root.key",
            "--usage",
            "signing",
            "--now",
            ISSUED,
            "--out",
            "not-ca.crt",
        ],
    );

    ok(
        dir,
        &[
            "cert",
            "csr",
            "--key",
            &fixture("keys/idp.key"),
            "--cn",
            "client.example.com",
            "--out",
            "client.csr",
        ],
    );
    sign(dir, "issuing", "leaf.crt", &now);
    sign(dir, "expired-issuing", "leaf-of-expired.crt", &["--now", "2026-05-15"]);
    // samlkit issues below the over-deep intermediate (it is a CA); lint and OpenSSL judge the
    // whole chain.
    std::fs::copy(fixture("keys/ec-p256.key"), dir.join("deep-issuing.key")).unwrap();
    sign(dir, "deep-issuing", "leaf-of-deep.crt", &[]);
    let leaf_ext = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n";
    openssl_issue(dir, "client.csr", "not-ca", &ca_key, leaf_ext, "leaf-of-not-ca.crt");
}

/// (name, chain files leaf first, the root given as --ca-file / -CAfile, OpenSSL's verdict,
/// the lint checks that fail)
type Row = (&'static str, &'static [&'static str], &'static str, bool, &'static [&'static str]);

const TABLE: [Row; 7] = [
    ("good", &["leaf.crt", "issuing.crt", "root.crt"], "root.crt", true, &[]),
    ("good, root left out", &["leaf.crt", "issuing.crt"], "root.crt", true, &[]),
    // OpenSSL builds its path from the -untrusted pool whatever the order, so it accepts; a
    // server that reads the chain as sent (Salesforce wants it leaf first, in order) does not,
    // and lint says so. The pairwise check below has OpenSSL confirm the break.
    ("wrong order", &["leaf.crt", "root.crt", "issuing.crt"], "root.crt", true, &["order"]),
    ("missing intermediate", &["leaf.crt", "root.crt"], "root.crt", false, &["order"]),
    (
        "intermediate without CA:TRUE",
        &["leaf-of-not-ca.crt", "not-ca.crt", "root.crt"],
        "root.crt",
        false,
        &["issuer-ca"],
    ),
    (
        "pathlen exceeded",
        &["leaf-of-deep.crt", "deep-issuing.crt", "strict-root.crt"],
        "strict-root.crt",
        false,
        &["path-len"],
    ),
    (
        "expired intermediate",
        &["leaf-of-expired.crt", "expired-issuing.crt", "root.crt"],
        "root.crt",
        false,
        &["validity"],
    ),
];

/// A day after the newest notBefore among `files`, and not before [`JUDGED`].
fn judged_at(dir: &Path, files: &[&str]) -> DateTime<Utc> {
    let mut at = DateTime::parse_from_rfc3339(JUDGED).unwrap().with_timezone(&Utc);
    for file in files {
        let shown = run_in(dir, &["cert", "show", file, "--json"]);
        let info: serde_json::Value = serde_json::from_str(stdout(&shown).trim()).unwrap();
        let not_before =
            DateTime::parse_from_rfc3339(info["not_before"].as_str().unwrap()).unwrap();
        at = at.max(not_before.with_timezone(&Utc) + Duration::days(1));
    }
    at
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn lint_agrees_with_openssl_verify_on_three_level_chains() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    for (name, files, root, openssl_good, failing) in TABLE {
        let chain = format!("{}.pem", name.replace([' ', ',', ':'], "-"));
        let text: String =
            files.iter().map(|f| std::fs::read_to_string(d.join(f)).unwrap()).collect();
        std::fs::write(d.join(&chain), text).unwrap();
        let at = judged_at(d, files);
        let openssl = Command::new("openssl")
            .current_dir(d)
            .args(["verify", "-attime", &at.timestamp().to_string(), "-purpose", "sslclient"])
            .args(["-CAfile", root, "-untrusted", &chain, files[0]])
            .output()
            .unwrap();
        let said = format!("{}{}", stdout(&openssl), String::from_utf8_lossy(&openssl.stderr));
        assert_eq!(openssl.status.success(), openssl_good, "openssl on {name}: {said}");

        let at_text = at.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let lint =
            run_in(d, &["mtls", "lint", &chain, "--ca-file", root, "--now", &at_text, "--json"]);
        let report: serde_json::Value = serde_json::from_str(stdout(&lint).trim()).unwrap();
        let good = failing.is_empty();
        assert_eq!(lint.status.code(), Some(if good { 0 } else { 1 }), "lint on {name}: {report}");
        let mut failed: Vec<&str> = report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["severity"] == "error")
            .map(|f| f["check"].as_str().unwrap())
            .collect();
        // The order check may fail on several certificates: one entry per check.
        failed.dedup();
        assert_eq!(failed, failing, "{name}: {report}");
        // Where both refuse, they refuse for the same reason.
        let openssl_reason = match name {
            "missing intermediate" => Some("unable to get local issuer certificate"),
            "intermediate without CA:TRUE" => Some("invalid CA certificate"),
            "pathlen exceeded" => Some("path length constraint exceeded"),
            "expired intermediate" => Some("certificate has expired"),
            _ => None,
        };
        if let Some(reason) = openssl_reason {
            assert!(said.contains(reason), "openssl on {name}: {said}");
        }
    }

    // The pathlen message, with the root in the chain and as the --ca-file anchor.
    let at = judged_at(d, &["leaf-of-deep.crt", "deep-issuing.crt"])
        .format("%Y-%m-%dT%H:%M:%SZ")
        .to_string();
    let chain = "pathlen-exceeded.pem";
    assert_error(
        &run_in(d, &["mtls", "lint", chain, "--now", &at]),
        1,
        "pathlen-exceeded.pem: path-len: certificate 3 (CN=Strict Root CA) has pathlen:0, but 1 intermediate CA(s) follow below it",
    );
    ok(d, &["cert", "chain", "leaf-of-deep.crt", "deep-issuing.crt", "-o", "deep-two.pem"]);
    assert_error(
        &run_in(d, &["mtls", "lint", "deep-two.pem", "--ca-file", "strict-root.crt", "--now", &at]),
        1,
        "path-len: the --ca-file certificate (CN=Strict Root CA) has pathlen:0, but 1 intermediate CA(s) follow below it",
    );

    // The wrong order, pair by pair as a server reading the chain as sent would: OpenSSL
    // (trusting only the next certificate) finds the leaf is not issued by the root after it.
    let pair = Command::new("openssl")
        .current_dir(d)
        .args([
            "verify",
            "-partial_chain",
            "-attime",
            "1780358400",
            "-CAfile",
            "root.crt",
            "leaf.crt",
        ])
        .output()
        .unwrap();
    assert!(!pair.status.success(), "{}", stdout(&pair));
}

#[test]
fn lint_names_the_three_level_failures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ca(d, "Root CA", "root", &["--path-len", "1", "--now", ISSUED]);
    ca(d, "Issuing CA", "issuing", &["--ca", "root.crt", "--ca-key", "root.key", "--now", ISSUED]);
    ok(
        d,
        &[
            "cert",
            "csr",
            "--key",
            &fixture("keys/idp.key"),
            "--cn",
            "client.example.com",
            "--out",
            "client.csr",
        ],
    );
    sign(d, "issuing", "leaf.crt", &["--now", ISSUED]);
    ok(d, &["cert", "chain", "leaf.crt", "issuing.crt", "root.crt", "-o", "chain.pem"]);
    let good = run_in(d, &["mtls", "lint", "chain.pem", "--now", JUDGED]);
    assert_eq!(good.status.code(), Some(0), "{}", stdout(&good));
    assert!(
        stdout(&good)
            .contains("ok    order        3 certificate(s), leaf first, each signed by the next")
    );
    // The root left out, trusted through --ca-file: its pathlen counts the intermediate.
    ok(d, &["cert", "chain", "leaf.crt", "issuing.crt", "-o", "two.pem"]);
    let trusted = run_in(d, &["mtls", "lint", "two.pem", "--ca-file", "root.crt", "--now", JUDGED]);
    assert_eq!(trusted.status.code(), Some(0), "{}", stdout(&trusted));
    assert!(
        stdout(&trusted).contains(
            "ok    anchor       certificate 2 (CN=Issuing CA) is issued by a --ca-file certificate"
        ),
        "{}",
        stdout(&trusted)
    );
}
