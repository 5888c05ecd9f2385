//! `samlkit mtls probe` through the built binary against `openssl s_server -Verify 1
//! -verify_return_error` and against `samlkit mtls serve`, on 127.0.0.1: accepted with a good
//! client chain; refused, with the alert in plain words, without one, from an untrusted CA,
//! expired, or without the clientAuth extended key usage.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::process::{Command, Stdio};

use support::mtls::{Running, Serve, free_port, pki, wait_for};
use support::{assert_error, assert_success, fixture, require, run_in, stdout, tools};

fn probe(dir: &Path, target: &str, client: Option<&str>, extra: &[&str]) -> std::process::Output {
    let key = fixture("keys/idp.key");
    let mut args = vec!["mtls", "probe", target, "--ca-file", "server.crt"];
    if let Some(cert) = client {
        args.extend_from_slice(&["--cert", cert, "--key", &key]);
    }
    args.extend_from_slice(extra);
    run_in(dir, &args)
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn probe_against_openssl_s_server() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let _server = Running(
        Command::new("openssl")
            .current_dir(d)
            .args([
                "s_server",
                "-accept",
                &accept,
                "-cert",
                "server.crt",
                "-key",
                "server.key",
                "-Verify",
                "1",
                "-verify_return_error",
                "-CAfile",
                "ca.crt",
                "-www",
                "-quiet",
            ])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    wait_for(port);
    let good = probe(d, &accept, Some("good.crt"), &["--http-get", "/"]);
    assert_success(&good);
    let text = stdout(&good);
    for expected in [
        "server valid  yes\n",
        "client cert   yes; CA names: CN=Good CA\n",
        "sent chain    CN=client.example.com (from --cert good.crt)\n",
        "trust         --ca-file (1 certificate(s))\n",
        "result        accepted\n",
        "http          HTTP/1.0 200 ok\n",
        "server chain  CN=localhost\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    let refusals = [
        (None, "certificate_required: the server requires a client certificate and none was sent"),
        (
            Some("foreign.crt"),
            "unknown_ca: the server does not trust the issuer of your certificate",
        ),
        (Some("expired.crt"), "certificate_expired: your certificate has expired"),
        (
            Some("server-only.crt"),
            "unsupported_certificate: the server cannot use your certificate for client authentication",
        ),
    ];
    for (client, words) in refusals {
        let out = probe(d, &accept, client, &["--json"]);
        assert_eq!(out.status.code(), Some(1), "{client:?}: {}", stdout(&out));
        let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(report["accepted"], false);
        assert_eq!(report["client_cert_requested"], true);
        assert!(report["result"].as_str().unwrap().contains(words), "{client:?}: {report}");
    }
}

#[test]
fn probe_against_mtls_serve_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let server = Serve::start(d, "server.crt", "server.key", "ca.crt");
    let target = server.target();

    let good = probe(d, &target, Some("good.crt"), &["--http-get", "/probe"]);
    assert_success(&good);
    assert!(stdout(&good).contains("http          HTTP/1.1 200 OK\n"), "{}", stdout(&good));
    let foreign = probe(d, &target, Some("foreign.crt"), &[]);
    assert_eq!(foreign.status.code(), Some(1));
    assert!(stdout(&foreign).contains("result        refused: "), "{}", stdout(&foreign));
    // The server's certificate is checked: against the wrong CA it is refused, unless --insecure.
    let key = fixture("keys/idp.key");
    let wrong_ca = run_in(
        d,
        &["mtls", "probe", &target, "--cert", "good.crt", "--key", &key, "--ca-file", "ca.crt"],
    );
    assert_eq!(wrong_ca.status.code(), Some(1));
    assert!(stdout(&wrong_ca).contains("result        refused: the server's certificate is not trusted by --ca-file: invalid peer certificate: UnknownIssuer"), "{}", stdout(&wrong_ca));
    let insecure = run_in(
        d,
        &[
            "mtls",
            "probe",
            &target,
            "--cert",
            "good.crt",
            "--key",
            &key,
            "--ca-file",
            "ca.crt",
            "--insecure",
        ],
    );
    assert_success(&insecure);
    assert!(
        stdout(&insecure).contains(
            "server valid  NO (not trusted by --ca-file: invalid peer certificate: UnknownIssuer); continuing: --insecure"
        ),
        "{}",
        stdout(&insecure)
    );

    let closed = format!("127.0.0.1:{}", free_port());
    let cases: [(Vec<&str>, &str); 2] = [
        (vec!["mtls", "probe", &closed, "--ca-file", "server.crt"], "cannot connect to 127.0.0.1:"),
        (
            vec![
                "mtls",
                "probe",
                &target,
                "--insecure",
                "--cert",
                "good.crt",
                "--key",
                "other-ca.key",
            ],
            "the --key does not match the first certificate of --cert",
        ),
    ];
    for (args, needle) in cases {
        assert_error(&run_in(d, &args), 2, needle);
    }
}
