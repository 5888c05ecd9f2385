//! `samlkit mtls serve`: a test server that requires a client certificate and answers each
//! request with the chain the client presented and its verdict, as JSON — the partner side of
//! a Salesforce callout, for testing clients.

use std::convert::Infallible;
use std::io::Write as _;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;

use chrono::Utc;
use clap::Args;
use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use samlkit_cert::Certificate;
use samlkit_cert::tls::lint::{LintOptions, lint};
use serde_json::json;
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use crate::error::CliError;
use crate::io::{describe_io, load_certificates, load_key, load_trusted};
use crate::now::format_rfc3339;

#[derive(Args)]
#[command(after_help = "Requires a client certificate issued by a --client-ca certificate \
    (TLS 1.2 or 1.3, aws-lc-rs). Each HTTP request gets a JSON answer: the TLS version, the \
    cipher suite, the chain the client presented and `samlkit mtls lint`'s verdict on it. \
    The first line on standard output is `listening on https://ADDR` (with --listen \
    127.0.0.1:0 the system picks the port); then one line per connection, `accepted` or \
    `refused` with the reason, and one per request. An Authorization header is reported by \
    its scheme only (`Bearer (not shown)`): the token is never echoed or logged. It runs until interrupted.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca\n  \
    samlkit cert new --cn localhost --usage server --san DNS:localhost --san IP:127.0.0.1 \\\n      \
    --out server\n  \
    samlkit mtls serve --cert server.crt --key server.key --client-ca ca.crt \\\n      \
    --listen 127.0.0.1:0 --exit-after-start")]
pub(crate) struct ServeArgs {
    /// The server's certificate chain (PEM, leaf first).
    #[arg(long, value_name = "CHAIN.pem")]
    cert: String,
    /// The server's private key.
    #[arg(long, value_name = "KEY")]
    key: String,
    /// CA certificates whose client certificates are accepted (repeatable).
    #[arg(long = "client-ca", value_name = "CA.pem", required = true)]
    client_ca: Vec<String>,
    /// Address and port to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8443")]
    listen: String,
    /// Check the configuration, bind, print the `listening on` line and exit (for scripts
    /// and the examples above).
    #[arg(long)]
    exit_after_start: bool,
}

pub(crate) fn run(args: ServeArgs) -> Result<ExitCode, CliError> {
    let chain = load_certificates(&args.cert)?;
    let key = load_key(&args.key)?;
    let trusted = load_trusted(&args.client_ca)?;
    let config = server_config(&chain, &key, &trusted)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start the server: {}", describe_io(&e))))?;
    runtime.block_on(serve(args, config, Arc::new(trusted)))
}

fn server_config(
    chain: &[Certificate],
    key: &samlkit_cert::PrivateKey,
    trusted: &[Certificate],
) -> Result<rustls::ServerConfig, CliError> {
    if !chain.first().is_some_and(|leaf| leaf.matches_key(key)) {
        return Err(CliError::input("the --key does not match the first certificate of --cert"));
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for ca in trusted {
        roots
            .add(CertificateDer::from(ca.der().to_vec()))
            .map_err(|e| CliError::input(format!("--client-ca {}: {e}", ca.info().subject)))?;
    }
    let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
        Arc::new(roots),
        provider.clone(),
    )
    .build()
    .map_err(|e| CliError::input(format!("--client-ca: {e}")))?;
    let certs = chain.iter().map(|c| CertificateDer::from(c.der().to_vec())).collect();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.pkcs8_der().to_vec()));
    rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| CliError::input(format!("TLS configuration: {e}")))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certs, key)
        .map_err(|e| CliError::input(format!("--cert/--key: {e}")))
}

async fn serve(
    args: ServeArgs,
    config: rustls::ServerConfig,
    trusted: Arc<Vec<Certificate>>,
) -> Result<ExitCode, CliError> {
    let listener = TcpListener::bind(&args.listen).await.map_err(|e| {
        CliError::input(format!("cannot listen on {}: {}", args.listen, describe_io(&e)))
    })?;
    let addr = listener.local_addr().map_err(|e| {
        CliError::input(format!("cannot listen on {}: {}", args.listen, describe_io(&e)))
    })?;
    say(&format!("listening on https://{addr}"));
    if args.exit_after_start {
        return Ok(ExitCode::SUCCESS);
    }
    let acceptor = TlsAcceptor::from(Arc::new(config));
    loop {
        let Ok((tcp, peer)) = listener.accept().await else { continue };
        let acceptor = acceptor.clone();
        let trusted = Arc::clone(&trusted);
        tokio::spawn(async move { connection(acceptor, tcp, peer, trusted).await });
    }
}

/// One line on standard output, at once (a test or a script reads it while we run).
fn say(line: &str) {
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{line}");
    let _ = out.flush();
}

async fn connection(
    acceptor: TlsAcceptor,
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    trusted: Arc<Vec<Certificate>>,
) {
    let stream = match acceptor.accept(tcp).await {
        Ok(stream) => stream,
        Err(e) => {
            say(&format!("refused {peer}: {e}"));
            return;
        }
    };
    let report = {
        let conn = stream.get_ref().1;
        let chain: Vec<Certificate> = conn
            .peer_certificates()
            .unwrap_or_default()
            .iter()
            .filter_map(|der| Certificate::from_der(der).ok())
            .collect();
        let options = LintOptions { trusted: &trusted, ..LintOptions::new(Utc::now()) };
        let verdict = lint(&chain, &options);
        let subject = chain.first().map(|c| c.info().subject.clone()).unwrap_or_default();
        say(&format!("accepted {peer}: {subject}"));
        json!({
            "peer": peer.to_string(),
            "tls_version": conn.protocol_version().map(|v| format!("{v:?}")),
            "cipher_suite": conn.negotiated_cipher_suite().map(|s| format!("{:?}", s.suite())),
            "client_chain": chain.iter().map(|c| json!({
                "subject": c.info().subject,
                "issuer": c.info().issuer,
                "not_after": format_rfc3339(c.info().not_after),
                "sha256_fingerprint": c.sha256_fingerprint(),
            })).collect::<Vec<_>>(),
            "verdict": {
                "passed": verdict.passed(),
                "findings": verdict.findings.iter().map(|f| json!({
                    "check": f.check, "severity": f.severity.name(), "message": f.message,
                })).collect::<Vec<_>>(),
            },
        })
    };
    let service =
        hyper::service::service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
            let mut body = report.clone();
            body["method"] = json!(request.method().as_str());
            body["path"] = json!(request.uri().path());
            let authorization = authorization_scheme(request.headers());
            say(&format!(
                "request {peer}: {} {} (authorization: {})",
                request.method(),
                request.uri().path(),
                authorization.as_deref().map_or("none".to_string(), |s| format!("{s}, not shown"))
            ));
            body["authorization"] = json!(authorization.map(|s| format!("{s} (not shown)")));
            async move {
                let response = hyper::Response::builder()
                    .header("content-type", "application/json")
                    .body(Full::new(Bytes::from(format!("{body}\n"))));
                Ok::<_, Infallible>(response.unwrap_or_default())
            }
        });
    let _ = hyper::server::conn::http1::Builder::new()
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// The scheme of the request's Authorization header (`Bearer`), never its credentials: a test
/// server's answer and log must not echo a token back.
fn authorization_scheme(headers: &hyper::HeaderMap) -> Option<String> {
    let value = headers.get(hyper::header::AUTHORIZATION)?;
    let scheme = value.to_str().ok().and_then(|v| v.split_whitespace().next()).unwrap_or("");
    let readable = !scheme.is_empty()
        && scheme.len() <= 32
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || c == '-');
    Some(if readable { scheme.to_string() } else { "(unreadable scheme)".to_string() })
}
