//! `samlkit mtls probe` through the built binary, on 127.0.0.1: what the server's chain is
//! checked against (the system roots without --ca-file, `SSL_CERT_FILE` replacing them,
//! --ca-file, --insecure going on with a warning), and `--http-get PATH --bearer-env VAR`,
//! whose token reaches the server (seen by `openssl s_server`) and is never printed, by the
//! probe or by `mtls serve`.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use support::mtls::{Running, Serve, free_port, ok, pki};
use support::{assert_error, fixture, require, samlkit, stdout, tools};

const TOKEN: &str = "eyJhbGciOiJub25lIn0.c2VjcmV0LWJlYXJlcg.not-for-any-log";

/// `server-ca.crt`: a server certificate for `server.key` issued by the private Good CA from
/// a request that asks for the server usage and the names (`cert csr --usage --san`).
fn ca_issued_server(dir: &Path) {
    ok(
        dir,
        &[
            "cert",
            "csr",
            "--key",
            "server.key",
            "--cn",
            "localhost",
            "--usage",
            "server",
            "--san",
            "IP:127.0.0.1",
            "--san",
            "DNS:localhost",
            "--out",
            "server-ca.csr",
        ],
    );
    ok(
        dir,
        &[
            "cert",
            "sign",
            "server-ca.csr",
            "--ca",
            "ca.crt",
            "--ca-key",
            "ca.key",
            "--usage",
            "server",
            "--out",
            "server-ca.crt",
        ],
    );
}

/// `mtls probe TARGET --cert good.crt --key idp.key EXTRA…` with the system store as the
/// machine has it (no SSL_CERT_FILE / SSL_CERT_DIR) unless `env` sets them.
fn probe(dir: &Path, target: &str, env: &[(&str, &str)], extra: &[&str]) -> Output {
    let key = fixture("keys/idp.key");
    let mut cmd = samlkit();
    cmd.current_dir(dir).env_remove("SSL_CERT_FILE").env_remove("SSL_CERT_DIR");
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd.args(["mtls", "probe", target, "--cert", "good.crt", "--key", &key]);
    cmd.args(extra).output().unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn server_chain_is_checked_against_the_system_roots_without_ca_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);
    ca_issued_server(d);
    let server = Serve::start(d, "server-ca.crt", "server.key", "ca.crt");
    let target = server.target();

    // The private CA is not among the system roots: refused, and the report says why.
    let system = probe(d, &target, &[], &[]);
    let text = stdout(&system);
    assert_eq!(system.status.code(), Some(1), "{text}");
    for expected in [
        "trust         system roots (",
        ", OS store)\n",
        "server valid  NO (not trusted by the system roots: invalid peer certificate: UnknownIssuer)\n",
        "result        refused: the server's certificate is not trusted by the system roots: invalid peer certificate: UnknownIssuer\n",
    ] {
        assert!(text.contains(expected), "{expected:?} in {text}");
    }
    assert!(!text.contains("trust         system roots (0 certificate(s)"), "{text}");

    // --insecure goes on, with a warning on stderr and the verdict in the report.
    let insecure = probe(d, &target, &[], &["--insecure"]);
    let text = stdout(&insecure);
    assert_eq!(insecure.status.code(), Some(0), "{text}");
    assert!(text.contains("server valid  NO (not trusted by the system roots: invalid peer certificate: UnknownIssuer); continuing: --insecure\n"), "{text}");
    assert!(text.contains("result        accepted\n"), "{text}");
    assert_eq!(
        stderr(&insecure).trim(),
        "warning: the server's certificate is not trusted by the system roots: invalid peer certificate: UnknownIssuer; continuing anyway because of --insecure"
    );

    // SSL_CERT_FILE replaces the system store, as for OpenSSL; --ca-file replaces both.
    let replaced = probe(d, &target, &[("SSL_CERT_FILE", "ca.crt")], &["--json"]);
    assert_eq!(replaced.status.code(), Some(0), "{}", stdout(&replaced));
    let report: serde_json::Value = serde_json::from_str(stdout(&replaced).trim()).unwrap();
    assert_eq!(report["trust"], "system roots (1 certificate(s), SSL_CERT_FILE=ca.crt)");
    assert_eq!(report["server_valid"], true);
    assert_eq!(report["server_error"], serde_json::Value::Null);
    let ca_file = probe(d, &target, &[], &["--ca-file", "ca.crt"]);
    let text = stdout(&ca_file);
    assert_eq!(ca_file.status.code(), Some(0), "{text}");
    assert!(text.contains("trust         --ca-file (1 certificate(s))\n"), "{text}");
    assert!(text.contains("server valid  yes\n"), "{text}");
    assert!(text.contains("server chain  CN=localhost\n"), "{text}");
    // The wrong --ca-file is refused in --ca-file's words.
    let wrong = probe(d, &target, &[], &["--ca-file", "other-ca.crt"]);
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        stdout(&wrong).contains("result        refused: the server's certificate is not trusted by --ca-file: invalid peer certificate: UnknownIssuer\n"),
        "{}",
        stdout(&wrong)
    );
}

#[test]
#[cfg_attr(missing_openssl, ignore = "openssl not installed: run scripts/install-test-deps.sh")]
fn bearer_token_reaches_the_server_and_is_never_shown() {
    require(&tools::OPENSSL);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    pki(d);

    // openssl s_server without -www prints what the client sends and sends what it reads on
    // standard input: the test reads the request, then writes the answer. (It says ACCEPT when
    // it listens; a connection only to see whether it listens would use up -naccept 1.)
    let port = free_port();
    let accept = format!("127.0.0.1:{port}");
    let mut child = Command::new("openssl")
        .current_dir(d)
        .args(["s_server", "-accept", &accept, "-cert", "server.crt", "-key", "server.key"])
        .args(["-naccept", "1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut answer = child.stdin.take().unwrap();
    let mut seen = BufReader::new(child.stdout.take().unwrap());
    let _server = Running(child);
    let mut next_line = || {
        let mut line = String::new();
        let read = seen.read_line(&mut line).unwrap();
        (read > 0).then_some(line)
    };
    while let Some(line) = next_line() {
        if line.trim() == "ACCEPT" {
            break;
        }
    }
    let probe_child = samlkit_child(d, &accept, &["--http-get", "/api/v1/limits"]);
    // Session details first, then the request as received, up to its empty line.
    let mut request: Vec<String> = Vec::new();
    while let Some(line) = next_line() {
        if line.starts_with("GET ") || !request.is_empty() {
            if line == "\r\n" {
                break;
            }
            request.push(line.trim_end().to_string());
        }
    }
    answer.write_all(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n").unwrap();
    drop(answer);
    let out = probe_child.wait_with_output().unwrap();
    assert_eq!(
        request,
        [
            "GET /api/v1/limits HTTP/1.1".to_string(),
            "Host: 127.0.0.1".to_string(),
            format!("Authorization: Bearer {TOKEN}"),
            "Connection: close".to_string(),
        ]
    );
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("http          HTTP/1.1 204 No Content\n"), "{text}");
    assert!(!text.contains(TOKEN) && !stderr(&out).contains(TOKEN), "{text}");

    // mtls serve reports that a bearer token came, never the token.
    let mut serve = Serve::start(d, "server.crt", "server.key", "ca.crt");
    let out = samlkit_child(d, &serve.target(), &["--http-get", "/callout", "--json"])
        .wait_with_output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(report["http_status"], "HTTP/1.1 200 OK", "{report}");
    assert!(!stdout(&out).contains(TOKEN));
    assert!(serve.next_line().starts_with("accepted 127.0.0.1:"));
    let logged = serve.next_line();
    assert!(logged.ends_with(": GET /callout (authorization: Bearer, not shown)"), "{logged}");
    assert!(!logged.contains(TOKEN));
}

/// `mtls probe` with the good client certificate and `--bearer-env API_TOKEN`, running.
fn samlkit_child(dir: &Path, target: &str, extra: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("samlkit"))
        .current_dir(dir)
        .env("API_TOKEN", TOKEN)
        .args(["mtls", "probe", target, "--cert", "good.crt", "--key", &fixture("keys/idp.key")])
        .args(["--ca-file", "server.crt", "--bearer-env", "API_TOKEN"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// (environment variables set, probe arguments, the error's words)
type Case = (&'static [(&'static str, &'static str)], &'static [&'static str], &'static str);

#[test]
fn http_get_and_bearer_env_are_checked_before_connecting() {
    let dir = tempfile::tempdir().unwrap();
    let cert = fixture("certs/idp.crt");
    // Nothing listens on port 9: each refusal comes before a connection is tried.
    let cases: [Case; 6] = [
        (&[], &["--bearer-env", "API_TOKEN"], "--http-get"),
        (
            &[],
            &["--http-get", "/x", "--bearer-env", "API_TOKEN"],
            "--bearer-env API_TOKEN: the variable is not set (export API_TOKEN=… first)",
        ),
        (
            &[("API_TOKEN", "")],
            &["--http-get", "/x", "--bearer-env", "API_TOKEN"],
            "--bearer-env API_TOKEN: the variable is empty",
        ),
        (
            &[("API_TOKEN", "abc\r\nX-Injected: 1")],
            &["--http-get", "/x", "--bearer-env", "API_TOKEN"],
            "--bearer-env API_TOKEN: the token has characters a bearer token cannot have (allowed: letters, digits and -._~+/=)",
        ),
        (
            &[],
            &["--http-get", "api"],
            "--http-get \"api\": give a path that starts with / and has no spaces",
        ),
        (
            &[],
            &["--http-get", "/a b"],
            "--http-get \"/a b\": give a path that starts with / and has no spaces",
        ),
    ];
    for (env, extra, needle) in cases {
        let mut cmd = samlkit();
        cmd.current_dir(dir.path()).env_remove("API_TOKEN");
        for (name, value) in env {
            cmd.env(name, value);
        }
        let out = cmd.args(["mtls", "probe", "127.0.0.1:9", "--ca-file", &cert]).args(extra);
        let out = out.output().unwrap();
        assert_error(&out, 2, needle);
        assert!(!stdout(&out).contains("abc"), "{}", stdout(&out));
    }
}
