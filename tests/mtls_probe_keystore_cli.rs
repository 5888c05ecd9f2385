//! `samlkit mtls probe --keystore` through the built binary against `openssl s_server -Verify 1
//! -verify_return_error`, on 127.0.0.1, with keystores made by other tools: a JKS made the Java
//! way by `keytool` (key pair, CSR signed by `samlkit cert sign`, CA and reply imported), the
//! PKCS#12 `keytool -importkeystore` makes of it, and a PKCS#12 from `openssl pkcs12 -export`.
//! The keystore's chain is what the server sees; its problems (password, alias) are exit 2.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::mtls::{Running, free_port, ok, pki, wait_for};
use support::{assert_error, fixture, require, run_ok, samlkit, stdout, tools};

const PASSWORD: &str = "keystore-pass-1";

fn keytool(dir: &Path, args: &[&str]) {
    run_ok(Command::new("keytool").current_dir(dir).args(args));
}

/// `client.jks` made with keytool the way a Java team does it: two key pairs (`jks-client`,
/// whose CSR `samlkit cert sign` issues from the Good CA, and `spare`), the CA as a trusted
/// entry, the signed reply imported; then `client-keytool.p12`, its PKCS#12 copy.
fn keytool_keystores(dir: &Path) {
    let store = ["-keystore", "client.jks", "-storepass", PASSWORD];
    for (alias, cn) in [("jks-client", "jks-client.example.com"), ("spare", "spare.example.com")] {
        let dname = format!("CN={cn}");
        let mut args = vec!["-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048"];
        args.extend_from_slice(&["-dname", &dname, "-validity", "30", "-storetype", "JKS"]);
        args.extend_from_slice(&["-keypass", PASSWORD]);
        args.extend_from_slice(&store);
        keytool(dir, &args);
    }
    let mut certreq = vec!["-certreq", "-alias", "jks-client", "-file", "jks.csr"];
    certreq.extend_from_slice(&store);
    keytool(dir, &certreq);
    ok(
        dir,
        &[
            "cert", "sign", "jks.csr", "--ca", "ca.crt", "--ca-key", "ca.key", "--usage", "client",
            "--out", "jks.crt",
        ],
    );
    let mut trust_ca = vec!["-importcert", "-alias", "good-ca", "-file", "ca.crt", "-noprompt"];
    trust_ca.extend_from_slice(&store);
    keytool(dir, &trust_ca);
    let mut reply = vec!["-importcert", "-alias", "jks-client", "-file", "jks.crt", "-noprompt"];
    reply.extend_from_slice(&store);
    keytool(dir, &reply);
    keytool(
        dir,
        &[
            "-importkeystore",
            "-srckeystore",
            "client.jks",
            "-srcstorepass",
            PASSWORD,
            "-destkeystore",
            "client-keytool.p12",
            "-deststoretype",
            "PKCS12",
            "-deststorepass",
            PASSWORD,
            "-noprompt",
        ],
    );
}

/// `client-openssl.p12`: the idp key, its Good CA certificate and the CA, by OpenSSL.
fn openssl_pkcs12(dir: &Path) {
    run_ok(
        Command::new("openssl")
            .current_dir(dir)
            .env("KS_PASS", PASSWORD)
            .args(["pkcs12", "-export", "-inkey", &fixture("keys/idp.key"), "-in", "good.crt"])
            .args(["-certfile", "ca.crt", "-name", "openssl-client", "-out", "client-openssl.p12"])
            .args(["-passout", "env:KS_PASS"]),
    );
}

fn s_server(dir: &Path) -> (Running, String) {
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let server = Running(
        Command::new("openssl")
            .current_dir(dir)
            .args(["s_server", "-accept", &accept, "-cert", "server.crt", "-key", "server.key"])
            .args(["-Verify", "1", "-verify_return_error", "-CAfile", "ca.crt", "-www", "-quiet"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(port);
    (server, accept)
}

fn probe(dir: &Path, target: &str, password: &str, args: &[&str]) -> std::process::Output {
    samlkit()
        .current_dir(dir)
        .env("KS_PASS", password)
        .args(["mtls", "probe", target, "--ca-file", "server.crt", "--password-env", "KS_PASS"])
        .args(args)
        .output()
        .unwrap()
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
#[cfg_attr(missing_keytool, ignore = "keytool not installed: run scripts/install-test-deps.sh")]
fn keystores_from_keytool_and_openssl_are_presented_and_accepted() {
    require(&tools::OPENSSL);
    require(&tools::KEYTOOL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    keytool_keystores(d);
    openssl_pkcs12(d);
    let (_server, target) = s_server(d);

    // (keystore, alias, the chain the server is sent, as reported)
    let accepted = [
        (
            "client.jks",
            "jks-client",
            "CN=jks-client.example.com <- CN=Good CA (from --keystore client.jks, alias 'jks-client' (JKS))",
        ),
        (
            "client-keytool.p12",
            "jks-client",
            "CN=jks-client.example.com <- CN=Good CA (from --keystore client-keytool.p12, alias 'jks-client' (PKCS#12))",
        ),
        (
            "client-openssl.p12",
            "openssl-client",
            "CN=client.example.com <- CN=Good CA (from --keystore client-openssl.p12, alias 'openssl-client' (PKCS#12))",
        ),
    ];
    for (keystore, alias, sent) in accepted {
        let out = probe(d, &target, PASSWORD, &["--keystore", keystore, "--alias", alias]);
        let text = stdout(&out);
        assert_eq!(out.status.code(), Some(0), "{keystore}: {text}");
        assert!(text.contains("result        accepted\n"), "{keystore}: {text}");
        assert!(text.contains(&format!("sent chain    {sent}\n")), "{keystore}: {text}");
        assert!(!text.contains(PASSWORD), "{text}");
    }
    // The only key of a keystore needs no --alias; JSON names the credential.
    let out = probe(d, &target, PASSWORD, &["--keystore", "client-openssl.p12", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["accepted"], true);
    assert_eq!(report["sent_chain"], serde_json::json!(["CN=client.example.com", "CN=Good CA"]));
    assert_eq!(
        report["client_credential"],
        "--keystore client-openssl.p12, alias 'openssl-client' (PKCS#12)"
    );

    // The keystore's own problems are usage errors (exit 2), each naming the file.
    let refusals: [(&str, &[&str], &str); 5] = [
        (
            PASSWORD,
            &["--keystore", "client.jks"],
            "client.jks: the keystore holds several private keys (jks-client, spare); choose one with --alias",
        ),
        (
            PASSWORD,
            &["--keystore", "client.jks", "--alias", "nobody"],
            "client.jks: no private-key entry with alias 'nobody' (entries: jks-client, spare)",
        ),
        (
            "wrong-password",
            &["--keystore", "client-openssl.p12"],
            "client-openssl.p12: keystore integrity check failed: the password is wrong or the file was modified",
        ),
        (PASSWORD, &["--keystore", "missing.p12"], "missing.p12"),
        (PASSWORD, &["--keystore", "good.crt"], "good.crt: "),
    ];
    for (password, args, needle) in refusals {
        assert_error(&probe(d, &target, password, args), 2, needle);
    }
}

#[test]
fn keystore_flags_are_checked_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let key = fixture("keys/idp.key");
    let cert = fixture("certs/idp.crt");
    let export = samlkit()
        .current_dir(d)
        .env("KS_PASS", PASSWORD)
        .args(["cert", "export", "--format", "p12", "--key", &key, "--cert", &cert])
        .args(["--out", "idp.p12", "--password-env", "KS_PASS"])
        .output()
        .unwrap();
    support::assert_success(&export);
    // Nothing listens on port 9 here: each refusal comes before a connection is tried.
    let cases: [(&[&str], &str); 4] = [
        (&["--keystore", "idp.p12", "--cert", &cert, "--key", &key], "cannot be used with"),
        (&["--alias", "client"], "--keystore"),
        (&["--keystore", "a.jks", "--password-env", "KS_PASS"], "a.jks"),
        (
            &["--keystore", "idp.p12", "--password-env", "NO_SUCH_VAR_FOR_SAMLKIT"],
            "--password-env NO_SUCH_VAR_FOR_SAMLKIT: the variable is not set",
        ),
    ];
    for (extra, needle) in cases {
        let out = samlkit()
            .current_dir(d)
            .env_remove("NO_SUCH_VAR_FOR_SAMLKIT")
            .args(["mtls", "probe", "127.0.0.1:9", "--ca-file", &cert])
            .args(extra)
            .output()
            .unwrap();
        assert_error(&out, 2, needle);
    }
}
