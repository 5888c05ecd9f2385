//! `samlkit mtls probe`: connect to a mutual-TLS server with a client chain and say what
//! happened, in plain words.

use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::Args;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ResolvesClientCert, WebPkiServerVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{AlertDescription, DigitallySignedStruct, SignatureScheme};
use samlkit_cert::Certificate;
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_rustls::TlsConnector;

use crate::error::CliError;
use crate::io::{load_certificates, load_key, load_trusted};
use crate::table::key_values;

#[derive(Args)]
#[command(after_help = "Connects with rustls (aws-lc-rs), presents --cert and --key, and \
    reports the TLS version, the cipher suite, the server's chain and whether it validates \
    against --ca-file, whether the server asked for a client certificate and which CA names it \
    listed, the chain samlkit sent, and on refusal the alert in plain words (unknown_ca: the \
    server does not trust the issuer of your certificate, …). With TLS 1.3 a server refuses a \
    client certificate after the handshake, so samlkit waits briefly for its verdict (or \
    sends --http-get PATH and prints the status line). Exit 0 accepted, 1 refused, 2 usage or \
    connection error.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca\n  \
    samlkit cert new --cn localhost --usage server --san IP:127.0.0.1 --out server\n  \
    samlkit mtls probe 127.0.0.1:9 --cert fixtures/certs/idp.crt \\\n      \
    --key fixtures/keys/idp.key --ca-file server.crt   # exit 2: nothing listens there")]
pub(crate) struct ProbeArgs {
    /// The server: HOST:PORT.
    #[arg(value_name = "HOST:PORT")]
    target: String,
    /// The client chain to present (PEM, leaf first); without it no client certificate is
    /// sent (to see what the server says then).
    #[arg(long, value_name = "CHAIN.pem", requires = "key")]
    cert: Option<String>,
    /// The client's private key.
    #[arg(long, value_name = "KEY", requires = "cert")]
    key: Option<String>,
    /// CA certificates that the server's certificate must chain to (repeatable).
    #[arg(long = "ca-file", value_name = "CA.pem")]
    ca_files: Vec<String>,
    /// Go on when the server's certificate does not validate (still reported).
    #[arg(long)]
    insecure: bool,
    /// After the handshake, send `GET PATH` and print the status line.
    #[arg(long, value_name = "PATH")]
    http_get: Option<String>,
    /// One line of JSON instead of the summary.
    #[arg(long)]
    json: bool,
}

/// What the handshake showed, filled in by the callbacks below.
#[derive(Debug, Default)]
struct Observed {
    requested: bool,
    ca_names: Vec<String>,
    server_error: Option<String>,
}

#[derive(Debug)]
struct Verifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    provider: Arc<CryptoProvider>,
    insecure: bool,
    observed: Arc<Mutex<Observed>>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let result = match &self.inner {
            Some(inner) => inner
                .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
                .map_err(|e| e.to_string()),
            None => Err("no --ca-file to check it against".to_string()),
        };
        match result {
            Ok(verified) => Ok(verified),
            Err(why) => {
                if let Ok(mut o) = self.observed.lock() {
                    o.server_error = Some(why.clone());
                }
                if self.insecure {
                    Ok(ServerCertVerified::assertion())
                } else {
                    Err(rustls::Error::General(format!(
                        "the server's certificate does not validate: {why}"
                    )))
                }
            }
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

#[derive(Debug)]
struct ClientCert {
    key: Option<Arc<CertifiedKey>>,
    observed: Arc<Mutex<Observed>>,
}

impl ResolvesClientCert for ClientCert {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        _schemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        if let Ok(mut o) = self.observed.lock() {
            o.requested = true;
            o.ca_names = root_hint_subjects
                .iter()
                .map(|der| {
                    samlkit_cert::tls::describe_name(der)
                        .unwrap_or_else(|| "(unreadable name)".into())
                })
                .collect();
        }
        self.key.clone()
    }

    fn has_certs(&self) -> bool {
        self.key.is_some()
    }
}

/// An alert from the server, in plain words.
fn alert_words(alert: AlertDescription) -> String {
    let (name, words) = match alert {
        AlertDescription::UnknownCA => {
            ("unknown_ca", "the server does not trust the issuer of your certificate")
        }
        AlertDescription::CertificateRequired => {
            ("certificate_required", "the server requires a client certificate and none was sent")
        }
        AlertDescription::BadCertificate => (
            "bad_certificate",
            "the server rejected your certificate (malformed, or its signature or chain does not check)",
        ),
        AlertDescription::CertificateExpired => (
            "certificate_expired",
            "your certificate has expired (or is not yet valid) by the server's clock",
        ),
        AlertDescription::UnsupportedCertificate => (
            "unsupported_certificate",
            "the server cannot use your certificate for client authentication (does it have the clientAuth extended key usage?)",
        ),
        AlertDescription::CertificateRevoked => {
            ("certificate_revoked", "the server says your certificate is revoked")
        }
        AlertDescription::HandshakeFailure => (
            "handshake_failure",
            "no protocol version, cipher suite or signature scheme in common, or (TLS 1.2) no acceptable client certificate",
        ),
        AlertDescription::AccessDenied => {
            ("access_denied", "the server accepted your certificate but denies access to it")
        }
        AlertDescription::DecryptError => {
            ("decrypt_error", "a handshake signature did not verify: is --key the key of --cert?")
        }
        other => return format!("{other:?}: the server ended the handshake"),
    };
    format!("{name}: {words}")
}

enum Outcome {
    Accepted,
    Refused(String),
}

fn classify(e: &std::io::Error) -> Outcome {
    let inner = e.get_ref().and_then(|i| i.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::AlertReceived(alert)) => Outcome::Refused(alert_words(*alert)),
        // Our own verifier's words (the server's certificate), without rustls's prefix.
        Some(rustls::Error::General(message)) => Outcome::Refused(message.clone()),
        Some(other) => Outcome::Refused(other.to_string()),
        None => Outcome::Refused(format!("the connection failed: {e}")),
    }
}

pub(crate) fn run(args: ProbeArgs) -> Result<ExitCode, CliError> {
    let (chain, key) = match (&args.cert, &args.key) {
        (Some(cert), Some(key)) => {
            let chain = load_certificates(cert)?;
            let key = load_key(key)?;
            if !chain.first().is_some_and(|leaf| leaf.matches_key(&key)) {
                return Err(CliError::input(
                    "the --key does not match the first certificate of --cert",
                ));
            }
            (chain, Some(key))
        }
        _ => (Vec::new(), None),
    };
    let trusted = load_trusted(&args.ca_files)?;
    if trusted.is_empty() && !args.insecure {
        return Err(CliError::input(
            "give --ca-file with the CA of the server's certificate, or --insecure",
        ));
    }
    let (host, _) = args
        .target
        .rsplit_once(':')
        .ok_or_else(|| CliError::input(format!("{}: give HOST:PORT", args.target)))?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
    let server_name = ServerName::try_from(host.clone())
        .map_err(|e| CliError::input(format!("{}: {e}", args.target)))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let observed = Arc::new(Mutex::new(Observed::default()));
    let inner = if trusted.is_empty() {
        None
    } else {
        let mut roots = rustls::RootCertStore::empty();
        for ca in &trusted {
            roots
                .add(CertificateDer::from(ca.der().to_vec()))
                .map_err(|e| CliError::input(format!("--ca-file {}: {e}", ca.info().subject)))?;
        }
        Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), Arc::clone(&provider))
                .build()
                .map_err(|e| CliError::input(format!("--ca-file: {e}")))?,
        )
    };
    let certified = match &key {
        Some(key) => {
            let signing_key = provider
                .key_provider
                .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    key.pkcs8_der().to_vec(),
                )))
                .map_err(|e| CliError::input(format!("--key: {e}")))?;
            Some(Arc::new(CertifiedKey::new(
                chain.iter().map(|c| CertificateDer::from(c.der().to_vec())).collect(),
                signing_key,
            )))
        }
        None => None,
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| CliError::input(format!("TLS configuration: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Verifier {
            inner,
            provider,
            insecure: args.insecure,
            observed: Arc::clone(&observed),
        }))
        .with_client_cert_resolver(Arc::new(ClientCert {
            key: certified,
            observed: Arc::clone(&observed),
        }));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::input(format!("cannot start: {e}")))?;
    runtime.block_on(probe(args, config, server_name, host, chain, observed))
}

async fn probe(
    args: ProbeArgs,
    config: rustls::ClientConfig,
    server_name: ServerName<'static>,
    host: String,
    chain: Vec<Certificate>,
    observed: Arc<Mutex<Observed>>,
) -> Result<ExitCode, CliError> {
    let connect =
        tokio::time::timeout(Duration::from_secs(10), tokio::net::TcpStream::connect(&args.target));
    let tcp = match connect.await {
        Ok(Ok(tcp)) => tcp,
        Ok(Err(e)) => {
            return Err(CliError::input(format!(
                "cannot connect to {}: {}",
                args.target,
                crate::io::describe_io(&e)
            )));
        }
        Err(_) => {
            return Err(CliError::input(format!("cannot connect to {}: timed out", args.target)));
        }
    };
    let connector = TlsConnector::from(Arc::new(config));
    let mut facts: Vec<(&str, String)> = vec![("server", args.target.clone())];
    let mut json_out = json!({"server": args.target});
    let (outcome, status_line) = match connector.connect(server_name, tcp).await {
        Err(e) => (classify(&e), None),
        Ok(mut stream) => {
            {
                let conn = stream.get_ref().1;
                let version = conn.protocol_version().map(|v| format!("{v:?}")).unwrap_or_default();
                let suite = conn
                    .negotiated_cipher_suite()
                    .map(|s| format!("{:?}", s.suite()))
                    .unwrap_or_default();
                let server_chain: Vec<String> = conn
                    .peer_certificates()
                    .unwrap_or_default()
                    .iter()
                    .map(|der| {
                        Certificate::from_der(der)
                            .map(|c| c.info().subject.clone())
                            .unwrap_or_else(|e| e.to_string())
                    })
                    .collect();
                facts.push(("tls version", version.clone()));
                facts.push(("cipher suite", suite.clone()));
                facts.push(("server chain", server_chain.join(" <- ")));
                json_out["tls_version"] = json!(version);
                json_out["cipher_suite"] = json!(suite);
                json_out["server_chain"] = json!(server_chain);
            }
            let mut status = None;
            let result = match &args.http_get {
                Some(path) => {
                    let request =
                        format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
                    match stream.write_all(request.as_bytes()).await {
                        Err(e) => Err(e),
                        Ok(()) => {
                            let mut body = Vec::new();
                            let read = tokio::time::timeout(
                                Duration::from_secs(10),
                                (&mut stream).take(64 * 1024).read_to_end(&mut body),
                            )
                            .await;
                            status =
                                String::from_utf8_lossy(&body).lines().next().map(str::to_string);
                            match read {
                                Ok(Err(e)) if status.is_none() => Err(e),
                                _ => Ok(()),
                            }
                        }
                    }
                }
                None => {
                    // TLS 1.3: a refusal of the client certificate arrives after the handshake.
                    let mut byte = [0u8; 1];
                    match tokio::time::timeout(Duration::from_secs(2), stream.read(&mut byte)).await
                    {
                        Ok(Err(e)) => Err(e),
                        _ => Ok(()),
                    }
                }
            };
            match result {
                Ok(()) => (Outcome::Accepted, status),
                Err(e) => (classify(&e), status),
            }
        }
    };
    let observed = observed
        .lock()
        .map(|o| (o.requested, o.ca_names.clone(), o.server_error.clone()))
        .unwrap_or_default();
    let (requested, ca_names, server_error) = observed;
    let verified = match &server_error {
        None => "yes".to_string(),
        Some(why) if args.insecure => format!("NO ({why}); continuing: --insecure"),
        Some(why) => format!("NO ({why})"),
    };
    facts.push(("server valid", verified));
    let asked = if requested {
        if ca_names.is_empty() {
            "yes (no CA names listed)".to_string()
        } else {
            format!("yes; CA names: {}", ca_names.join("; "))
        }
    } else {
        "no".to_string()
    };
    facts.push(("client cert", asked));
    let sent: Vec<String> = chain.iter().map(|c| c.info().subject.clone()).collect();
    let sent_text = match (requested, sent.is_empty()) {
        (false, _) => "(not asked)".to_string(),
        (true, true) => "none (no --cert)".to_string(),
        (true, false) => sent.join(" <- "),
    };
    facts.push(("sent chain", sent_text));
    let (verdict, code) = match &outcome {
        Outcome::Accepted => ("accepted".to_string(), ExitCode::SUCCESS),
        Outcome::Refused(why) => {
            (format!("refused: {why}"), ExitCode::from(crate::error::EXIT_CHECK_FAILED))
        }
    };
    facts.push(("result", verdict.clone()));
    if let Some(status) = &status_line {
        facts.push(("http", status.clone()));
    }
    json_out["server_valid"] = json!(server_error.is_none());
    json_out["server_error"] = json!(server_error);
    json_out["client_cert_requested"] = json!(requested);
    json_out["ca_names"] = json!(ca_names);
    json_out["sent_chain"] = json!(if requested { sent } else { Vec::new() });
    json_out["accepted"] = json!(matches!(outcome, Outcome::Accepted));
    json_out["result"] = json!(verdict);
    json_out["http_status"] = json!(status_line);
    if args.json {
        println!("{json_out}");
    } else {
        print!("{}", key_values(&facts));
    }
    Ok(code)
}
