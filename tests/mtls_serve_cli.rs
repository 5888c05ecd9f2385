//! `samlkit mtls serve` through the built binary, with curl and `openssl s_client` as the
//! mutual-TLS clients: a good client certificate is accepted and answered with its chain and
//! verdict; no certificate, or one from an untrusted CA, is refused.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use support::mtls::{Serve, pki};
use support::{assert_error, assert_success, fixture, require, run_in, stdout, tools};

fn curl(dir: &Path, port: &str, client: Option<(&str, &str)>) -> std::process::Output {
    curl_with(dir, port, client, &[])
}

fn curl_with(
    dir: &Path,
    port: &str,
    client: Option<(&str, &str)>,
    extra: &[&str],
) -> std::process::Output {
    let mut cmd = Command::new("curl");
    cmd.current_dir(dir).args(["-sS", "--max-time", "20", "--cacert", "server.crt"]).args(extra);
    if let Some((cert, key)) = client {
        cmd.args(["--cert", cert, "--key", key]);
    }
    cmd.arg(format!("https://127.0.0.1:{port}/callout?x=1")).output().unwrap()
}

#[test]
#[cfg_attr(missing_curl, ignore = "curl not installed: run scripts/install-test-deps.sh")]
fn curl_with_a_good_client_certificate_is_answered_others_are_refused() {
    require(&tools::CURL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let mut server = Serve::start(d, "server.crt", "server.key", "ca.crt");
    let key = fixture("keys/idp.key");

    let good = curl(d, &server.port, Some(("good.crt", &key)));
    assert!(good.status.success(), "{}", String::from_utf8_lossy(&good.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&good.stdout).unwrap();
    assert_eq!(answer["path"], "/callout");
    assert_eq!(answer["method"], "GET");
    assert_eq!(answer["client_chain"][0]["subject"], "CN=client.example.com");
    assert_eq!(answer["client_chain"][0]["issuer"], "CN=Good CA");
    assert_eq!(answer["verdict"]["passed"], true, "{answer}");
    assert!(answer["tls_version"].as_str().unwrap().starts_with("TLSv1_"), "{answer}");
    assert!(answer["cipher_suite"].is_string());
    let line = server.next_line();
    assert!(
        line.starts_with("accepted 127.0.0.1:") && line.ends_with(": CN=client.example.com"),
        "{line}"
    );
    let line = server.next_line();
    assert!(
        line.starts_with("request 127.0.0.1:")
            && line.ends_with(": GET /callout (authorization: none)"),
        "{line}"
    );
    assert_eq!(answer["authorization"], serde_json::Value::Null);

    // A bearer token is reported by its scheme only, in the answer and in the log.
    let token = "c2VjcmV0LXRva2VuLXZhbHVl.not-for-logs";
    let header = format!("Authorization: Bearer {token}");
    let bearer = curl_with(d, &server.port, Some(("good.crt", &key)), &["-H", &header]);
    assert!(bearer.status.success(), "{}", String::from_utf8_lossy(&bearer.stderr));
    let answer: serde_json::Value = serde_json::from_slice(&bearer.stdout).unwrap();
    assert_eq!(answer["authorization"], "Bearer (not shown)");
    assert!(!stdout(&bearer).contains(token), "{answer}");
    assert!(server.next_line().starts_with("accepted 127.0.0.1:"));
    let line = server.next_line();
    assert!(line.ends_with(": GET /callout (authorization: Bearer, not shown)"), "{line}");
    assert!(!line.contains(token), "{line}");

    // No client certificate: the handshake fails (TLS 1.3: certificate_required).
    let none = curl(d, &server.port, None);
    assert!(!none.status.success());
    let line = server.next_line();
    assert!(line.starts_with("refused 127.0.0.1:") && line.contains("no certificate"), "{line}");

    // A certificate from a CA the server does not trust.
    let foreign = curl(d, &server.port, Some(("foreign.crt", &key)));
    assert!(!foreign.status.success());
    let said = String::from_utf8_lossy(&foreign.stderr).to_lowercase();
    assert!(said.contains("unknown ca") || said.contains("alert"), "{said}");
    let line = server.next_line();
    assert!(line.starts_with("refused 127.0.0.1:") && line.contains("UnknownIssuer"), "{line}");
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn openssl_s_client_is_accepted_with_a_client_certificate_and_refused_without() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let mut server = Serve::start(d, "server.crt", "server.key", "ca.crt");
    let connect = format!("127.0.0.1:{}", server.port);
    let key = fixture("keys/idp.key");
    let s_client = |extra: &[&str]| {
        let mut child = Command::new("openssl")
            .current_dir(d)
            .args([
                "s_client",
                "-connect",
                &connect,
                "-CAfile",
                "server.crt",
                "-verify_return_error",
                "-ign_eof",
            ])
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(b"GET /s_client HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let good = s_client(&["-cert", "good.crt", "-key", &key]);
    let text = String::from_utf8_lossy(&good.stdout).into_owned();
    assert!(text.contains("Verify return code: 0 (ok)"), "{text}");
    assert!(text.contains("\"path\":\"/s_client\"") && text.contains("\"passed\":true"), "{text}");
    assert!(server.next_line().starts_with("accepted 127.0.0.1:"));
    assert!(server.next_line().ends_with(": GET /s_client (authorization: none)"));

    let without = s_client(&[]);
    let text = String::from_utf8_lossy(&without.stdout).into_owned();
    assert!(!text.contains("\"client_chain\""), "{text}");
    let said = String::from_utf8_lossy(&without.stderr).into_owned();
    assert!(said.contains("certificate required"), "{said}");
    let line = server.next_line();
    assert!(line.starts_with("refused 127.0.0.1:"), "{line}");
}

#[test]
fn exit_after_start_and_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    let out = run_in(
        d,
        &[
            "mtls",
            "serve",
            "--cert",
            "server.crt",
            "--key",
            "server.key",
            "--client-ca",
            "ca.crt",
            "--listen",
            "127.0.0.1:0",
            "--exit-after-start",
        ],
    );
    assert_success(&out);
    assert!(stdout(&out).starts_with("listening on https://127.0.0.1:"), "{}", stdout(&out));
    let cases: [(&[&str], &str); 3] = [
        (
            &["--key", &fixture("keys/idp.key"), "--listen", "127.0.0.1:0"],
            "the --key does not match the first certificate of --cert",
        ),
        (&["--key", "server.key", "--listen", "not-an-address"], "cannot listen on not-an-address"),
        (&["--key", "server.key", "--client-ca", "missing.pem"], "missing.pem"),
    ];
    for (extra, needle) in cases {
        let mut args = vec![
            "mtls",
            "serve",
            "--cert",
            "server.crt",
            "--client-ca",
            "ca.crt",
            "--exit-after-start",
        ];
        args.extend_from_slice(extra);
        assert_error(&run_in(d, &args), 2, needle);
    }
}
