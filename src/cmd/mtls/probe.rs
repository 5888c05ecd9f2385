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
use zeroize::Zeroizing;

use super::credential::{self, ClientCredential};
use super::trust;
use crate::error::CliError;
use crate::table::key_values;

#[derive(Args)]
#[command(after_help = "Connects with rustls (aws-lc-rs), presents --cert and --key (or the \
    key entry of a JKS or PKCS#12 --keystore), and reports the TLS version, the cipher suite, \
    the server's chain and whether it validates, and against what: the --ca-file certificates, \
    or else the system roots (the operating system's trust store, read with \
    rustls-native-certs; SSL_CERT_FILE or SSL_CERT_DIR replace it). A server that does not \
    validate is refused, unless --insecure, which continues with a warning. It also reports \
    whether the server asked for a client certificate and which CA names it listed, the chain \
    samlkit sent, and on refusal the alert in plain words (unknown_ca: the server does not \
    trust the issuer of your certificate, …). With TLS 1.3 a server refuses a client \
    certificate after the handshake, so samlkit waits briefly for its verdict (or sends \
    --http-get PATH and prints the status line; --bearer-env VAR adds `Authorization: Bearer` \
    with the token in VAR, which is never printed). The keystore's password comes from \
    --password-env, --password-file, --password-stdin or the terminal. Exit 0 accepted, \
    1 refused, 2 usage or connection error.\n\n\
    Examples:\n  \
    samlkit cert ca new --cn \"Example mTLS CA\" --out ca\n  \
    samlkit cert new --cn localhost --usage server --san IP:127.0.0.1 --out server\n  \
    samlkit mtls probe 127.0.0.1:9 --cert fixtures/certs/idp.crt \\\n      \
    --key fixtures/keys/idp.key --ca-file server.crt   # exit 2: nothing listens there\n  \
    export KS_PASS='choose-a-long-one'\n  \
    samlkit cert export --format jks --key fixtures/keys/idp.key \\\n      \
    --cert fixtures/certs/idp.crt --out idp.jks --password-env KS_PASS\n  \
    samlkit mtls probe 127.0.0.1:9 --keystore idp.jks --password-env KS_PASS \\\n      \
    --ca-file server.crt   # exit 2: nothing listens there")]
pub(crate) struct ProbeArgs {
    /// The server: HOST:PORT.
    #[arg(value_name = "HOST:PORT")]
    target: String,
    /// The client chain to present (PEM, leaf first); without it (or --keystore) no client
    /// certificate is sent (to see what the server says then).
    #[arg(long, value_name = "CHAIN.pem", requires = "key", conflicts_with = "keystore")]
    cert: Option<String>,
    /// The client's private key.
    #[arg(long, value_name = "KEY", requires = "cert")]
    key: Option<String>,
    /// Present the key and chain of a JKS or PKCS#12 keystore instead of --cert/--key (its
    /// password: --password-env, --password-file, --password-stdin or the terminal).
    #[arg(long, value_name = "FILE")]
    keystore: Option<String>,
    /// The keystore entry to present (needed when it holds several keys).
    #[arg(long, value_name = "NAME", requires = "keystore")]
    alias: Option<String>,
    /// CA certificates that the server's certificate must chain to (repeatable); without it,
    /// the system roots.
    #[arg(long = "ca-file", value_name = "CA.pem")]
    ca_files: Vec<String>,
    /// Go on when the server's certificate does not validate (still reported, with a
    /// warning).
    #[arg(long)]
    insecure: bool,
    /// After the handshake, send `GET PATH` and print the status line.
    #[arg(long, value_name = "PATH")]
    http_get: Option<String>,
    /// With --http-get: send `Authorization: Bearer TOKEN`, TOKEN read from this environment
    /// variable (never printed).
    #[arg(long, value_name = "VAR", requires = "http_get")]
    bearer_env: Option<String>,
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
    /// None when there is no root to check against (an empty system store).
    inner: Option<Arc<WebPkiServerVerifier>>,
    /// `--ca-file` or `the system roots`, for the messages.
    against: &'static str,
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
                .map_err(|e| format!("not trusted by {}: {e}", self.against)),
            None => Err(format!("{} hold no certificate to check it against", self.against)),
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
                    Err(rustls::Error::General(format!("the server's certificate is {why}")))
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
    let client = match (&args.cert, &args.key, &args.keystore) {
        (Some(cert), Some(key), _) => Some(credential::from_pem(cert, key)?),
        (_, _, Some(keystore)) => Some(credential::from_keystore(keystore, args.alias.as_deref())?),
        _ => None,
    };
    let request = match &args.http_get {
        Some(path) => Some(HttpGet::new(path, args.bearer_env.as_deref())?),
        None => None,
    };
    let trust = trust::load(&args.ca_files)?;
    let (host, _) = args
        .target
        .rsplit_once(':')
        .ok_or_else(|| CliError::input(format!("{}: give HOST:PORT", args.target)))?;
    let host = host.trim_start_matches('[').trim_end_matches(']').to_string();
    let server_name = ServerName::try_from(host.clone())
        .map_err(|e| CliError::input(format!("{}: {e}", args.target)))?;
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let observed = Arc::new(Mutex::new(Observed::default()));
    let inner = if trust.roots.is_empty() {
        None
    } else {
        Some(
            WebPkiServerVerifier::builder_with_provider(
                Arc::new(trust.roots.clone()),
                Arc::clone(&provider),
            )
            .build()
            .map_err(|e| CliError::input(format!("trusted roots: {e}")))?,
        )
    };
    let certified = match &client {
        Some(client) => {
            let signing_key = provider
                .key_provider
                .load_private_key(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
                    client.key.pkcs8_der().to_vec(),
                )))
                .map_err(|e| CliError::input(format!("{}: the key: {e}", client.source)))?;
            Some(Arc::new(CertifiedKey::new(
                client.chain.iter().map(|c| CertificateDer::from(c.der().to_vec())).collect(),
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
            against: if trust.system { "the system roots" } else { "--ca-file" },
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
    let context = Context { server_name, host, client, trust_source: trust.source, request };
    runtime.block_on(probe(args, config, context, observed))
}

/// What `probe` needs besides the arguments and the TLS configuration.
struct Context {
    server_name: ServerName<'static>,
    host: String,
    client: Option<ClientCredential>,
    trust_source: String,
    request: Option<HttpGet>,
}

/// The one request of `--http-get`, checked before anything is sent.
struct HttpGet {
    path: String,
    /// The bearer token of `--bearer-env` (wiped from memory when dropped; never printed).
    bearer: Option<Zeroizing<String>>,
}

impl HttpGet {
    fn new(path: &str, bearer_env: Option<&str>) -> Result<HttpGet, CliError> {
        // The path goes into the request line: no spaces or control characters.
        if !path.starts_with('/') || path.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(CliError::input(format!(
                "--http-get {path:?}: give a path that starts with / and has no spaces"
            )));
        }
        let bearer = match bearer_env {
            None => None,
            Some(var) => {
                let token = match std::env::var(var) {
                    Ok(token) => Zeroizing::new(token),
                    Err(std::env::VarError::NotPresent) => {
                        return Err(CliError::input(format!(
                            "--bearer-env {var}: the variable is not set (export {var}=… first)"
                        )));
                    }
                    Err(std::env::VarError::NotUnicode(_)) => {
                        return Err(CliError::input(format!(
                            "--bearer-env {var}: the value is not valid UTF-8"
                        )));
                    }
                };
                if token.is_empty() {
                    return Err(CliError::input(format!(
                        "--bearer-env {var}: the variable is empty"
                    )));
                }
                // RFC 6750's b64token characters; anything else (a line break above all)
                // could not go into the header as it is.
                let allowed = |c: char| c.is_ascii_alphanumeric() || "-._~+/=".contains(c);
                if !token.chars().all(allowed) {
                    return Err(CliError::input(format!(
                        "--bearer-env {var}: the token has characters a bearer token cannot \
                         have (allowed: letters, digits and -._~+/=)"
                    )));
                }
                Some(token)
            }
        };
        Ok(HttpGet { path: path.to_string(), bearer })
    }

    /// The request bytes (wiped when dropped: they hold the token).
    fn bytes(&self, host: &str) -> Zeroizing<String> {
        let mut request = Zeroizing::new(format!("GET {} HTTP/1.1\r\nHost: {host}\r\n", self.path));
        if let Some(token) = &self.bearer {
            request.push_str("Authorization: Bearer ");
            request.push_str(token);
            request.push_str("\r\n");
        }
        request.push_str("Connection: close\r\n\r\n");
        request
    }
}

async fn probe(
    args: ProbeArgs,
    config: rustls::ClientConfig,
    context: Context,
    observed: Arc<Mutex<Observed>>,
) -> Result<ExitCode, CliError> {
    let Context { server_name, host, client, trust_source, request } = context;
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
            let result = match &request {
                Some(request) => match stream.write_all(request.bytes(&host).as_bytes()).await {
                    Err(e) => Err(e),
                    Ok(()) => {
                        let mut body = Vec::new();
                        let read = tokio::time::timeout(
                            Duration::from_secs(10),
                            (&mut stream).take(64 * 1024).read_to_end(&mut body),
                        )
                        .await;
                        status = String::from_utf8_lossy(&body).lines().next().map(str::to_string);
                        match read {
                            Ok(Err(e)) if status.is_none() => Err(e),
                            _ => Ok(()),
                        }
                    }
                },
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
        Some(why) if args.insecure => {
            eprintln!(
                "warning: the server's certificate is {why}; continuing anyway because of --insecure"
            );
            format!("NO ({why}); continuing: --insecure")
        }
        Some(why) => format!("NO ({why})"),
    };
    facts.push(("trust", trust_source.clone()));
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
    let sent: Vec<String> = client
        .iter()
        .flat_map(|c| c.chain.iter().map(|cert| cert.info().subject.clone()))
        .collect();
    let sent_text = match (requested, &client) {
        (false, _) => "(not asked)".to_string(),
        (true, None) => "none (no --cert or --keystore)".to_string(),
        (true, Some(client)) => format!("{} (from {})", sent.join(" <- "), client.source),
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
    json_out["trust"] = json!(trust_source);
    json_out["server_valid"] = json!(server_error.is_none());
    json_out["server_error"] = json!(server_error);
    json_out["client_cert_requested"] = json!(requested);
    json_out["ca_names"] = json!(ca_names);
    json_out["sent_chain"] = json!(if requested { sent } else { Vec::new() });
    json_out["client_credential"] = json!(client.as_ref().map(|c| c.source.clone()));
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
