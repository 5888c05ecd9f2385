//! `samlkit sp-audit` against an https service provider on 127.0.0.1: the strict SP of
//! tests/support/audit_sp.rs (samlkit's own `ServiceProvider`, login 302 → /app, refusal 403) behind a TLS front written here on
//! tokio-rustls, with a server certificate from a private CA made by the built binary. The
//! audit must trust that CA only when told (`--ca-file`), name the certificate problem when
//! not, and skip the check only with `--insecure-skip-tls-verify`, saying so.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;
use std::sync::Arc;

#[path = "support/audit_sp.rs"]
mod audit_sp;

use audit_sp::{ISSUER, Mode, stderr};
use base64::Engine;
use support::audit_verdicts as verdicts;
use support::{assert_error, assert_success, fixture, run_in};

const AUDIENCE: &str = "https://127.0.0.1/sp";

/// In `dir`: a private CA (`ca.crt`) and, signed by it, a server certificate for 127.0.0.1
/// (`server.crt`) on the fixture key.
fn pki(dir: &Path) {
    let ok = |args: &[&str]| assert_success(&run_in(dir, args));
    ok(&["cert", "ca", "new", "--cn", "Audit Test CA", "--key-type", "ec-p256", "--out", "ca"]);
    let key = fixture("keys/idp.key");
    ok(&["cert", "csr", "--key", &key, "--cn", "127.0.0.1", "--out", "server.csr"]);
    ok(&[
        "cert",
        "sign",
        "server.csr",
        "--ca",
        "ca.crt",
        "--ca-key",
        "ca.key",
        "--usage",
        "server",
        "--san",
        "IP:127.0.0.1",
        "--out",
        "server.crt",
    ]);
}

/// The fixture key (PKCS#8 PEM) as rustls takes it.
fn server_key() -> rustls::pki_types::PrivateKeyDer<'static> {
    let pem = std::fs::read_to_string(fixture("keys/idp.key")).unwrap();
    let body: String = pem.lines().filter(|l| !l.starts_with("-----")).collect();
    let der = base64::engine::general_purpose::STANDARD.decode(body).unwrap();
    rustls::pki_types::PrivateKeyDer::Pkcs8(der.into())
}

/// Starts the SP in a background thread: plain http on one loopback port, and a TLS front on
/// another that forwards each decrypted connection to it. Returns the https base URL.
fn start_https_sp(cert_pem: &Path) -> String {
    let tls_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    tls_listener.set_nonblocking(true).unwrap();
    let plain_listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    plain_listener.set_nonblocking(true).unwrap();
    let plain = plain_listener.local_addr().unwrap();
    let base = format!("https://{}", tls_listener.local_addr().unwrap());

    let router = audit_sp::router(Mode::Strict302, AUDIENCE, &base);

    let chain = samlkit_cert::Certificate::load(&std::fs::read(cert_pem).unwrap()).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![chain.der().to_vec().into()], server_key())
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));

    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async move {
            let plain_listener = tokio::net::TcpListener::from_std(plain_listener).unwrap();
            tokio::spawn(async move { axum::serve(plain_listener, router).await.unwrap() });
            let tls_listener = tokio::net::TcpListener::from_std(tls_listener).unwrap();
            loop {
                let (tcp, _) = tls_listener.accept().await.unwrap();
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to serve.
                    let Ok(mut tls) = acceptor.accept(tcp).await else { return };
                    let mut inner = tokio::net::TcpStream::connect(plain).await.unwrap();
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut inner).await;
                });
            }
        });
    });
    base
}

fn audit(dir: &Path, base: &str, extra: &[&str]) -> std::process::Output {
    let (acs, whoami) = (format!("{base}/acs"), format!("{base}/whoami"));
    let (key, cert) = (fixture("keys/idp.key"), fixture("certs/idp.crt"));
    let mut args = vec![
        "sp-audit",
        "--acs",
        &acs,
        "--whoami",
        &whoami,
        "--audience",
        AUDIENCE,
        "--issuer",
        ISSUER,
        "--name-id",
        "alice@example.com",
        "--key",
        &key,
        "--cert",
        &cert,
        "--rate",
        "1000",
        "--json",
        "--cases",
        "xsw1,comment-in-nameid,wrong-audience,replay",
    ];
    args.extend(extra);
    run_in(dir, &args)
}

/// Each case REFUSED with the SP's 403, the run exit 0.
fn assert_all_refused(out: &std::process::Output) {
    let results = verdicts(out);
    assert_eq!(out.status.code(), Some(0), "{}\n{results:#?}", stderr(out));
    for case in ["xsw1", "comment-in-nameid", "wrong-audience", "replay"] {
        assert_eq!(results[case]["verdict"], "REFUSED", "{case}: {}", results[case]);
    }
    assert_eq!(results["xsw1"]["statuses"], serde_json::json!([403]));
    // The genuine first posting logged in over https: the cookie jar and redirects work there.
    assert_eq!(results["replay"]["note"], "first posting ACCEPTED");
}

#[test]
fn https_sp_is_audited_when_its_ca_is_named() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let base = start_https_sp(&dir.path().join("server.crt"));
    let out = audit(dir.path(), &base, &["--ca-file", "ca.crt"]);
    assert_all_refused(&out);
    assert!(!stderr(&out).contains("warning:"), "{}", stderr(&out));
}

#[test]
fn https_sp_with_an_unknown_ca_stops_with_exit_2_naming_the_certificate_problem() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let base = start_https_sp(&dir.path().join("server.crt"));
    let out = audit(dir.path(), &base, &[]);
    assert_error(&out, 2, &format!("cannot reach {base}/acs: "));
    assert_error(&out, 2, "invalid peer certificate: UnknownIssuer");
    assert_error(&out, 2, "name its CA with --ca-file");
    // A CA file that is not the server's issuer does not help.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    assert_success(&run_in(
        &other,
        &["cert", "ca", "new", "--cn", "Other CA", "--key-type", "ec-p256", "--out", "ca"],
    ));
    let out = audit(dir.path(), &base, &["--ca-file", "other/ca.crt"]);
    assert_error(&out, 2, "invalid peer certificate: UnknownIssuer");
    // An unreadable --ca-file is named before anything is sent.
    let out = audit(dir.path(), &base, &["--ca-file", "missing.pem"]);
    assert_error(&out, 2, "missing.pem");
}

#[test]
fn insecure_skip_tls_verify_runs_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    pki(dir.path());
    let base = start_https_sp(&dir.path().join("server.crt"));
    let out = audit(dir.path(), &base, &["--insecure-skip-tls-verify"]);
    assert_all_refused(&out);
    let warning = stderr(&out);
    assert!(
        warning.contains(
            "warning: --insecure-skip-tls-verify: the SP's https certificate is not checked"
        ),
        "{warning}"
    );
}
