//! The browser `sp-audit` plays: one ureq agent and one cookie jar (cookie_store) per case, redirects
//! followed by hand so that each hop's status is recorded and no request ever leaves the hosts
//! the audit may talk to, and one pace for every request of the run (`--rate`). https runs on
//! rustls with the aws-lc-rs provider (the workspace's one crypto provider), trusting the
//! system roots plus any `--ca-file`.

use std::net::IpAddr;
use std::sync::Arc;
use std::thread::sleep;
use std::time::{Duration, Instant};

use ureq::tls::{RootCerts, TlsConfig, TlsProvider};
use url::{Host, Url};

use crate::error::CliError;

/// The most redirects followed from one request.
const MAX_HOPS: usize = 10;
/// The most of a page that is read (and fingerprinted, and saved).
const MAX_PAGE_BYTES: u64 = 2 * 1024 * 1024;

/// Which hosts may be sent to: loopback always, others only when named with `--target`.
#[derive(Clone, Debug)]
pub(crate) struct Scope {
    targets: Vec<String>,
}

impl Scope {
    pub(crate) fn new(targets: &[String]) -> Scope {
        Scope { targets: targets.iter().map(|t| t.to_ascii_lowercase()).collect() }
    }

    /// True for 127.0.0.0/8, ::1 and `localhost`.
    pub(crate) fn is_loopback(url: &Url) -> bool {
        match url.host() {
            Some(Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
            Some(Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
            Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            None => false,
        }
    }

    pub(crate) fn allows(&self, url: &Url) -> bool {
        Scope::is_loopback(url)
            || url.host_str().is_some_and(|h| {
                let h = h.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
                self.targets.contains(&h)
            })
    }

    /// Parses a URL flag and checks it is http(s) and in scope (exit 2 otherwise).
    pub(crate) fn url(&self, flag: &str, value: &str) -> Result<Url, CliError> {
        let url = Url::parse(value)
            .map_err(|e| CliError::input(format!("{flag} {value:?} is not a URL: {e}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(CliError::input(format!(
                "{flag} {value:?}: sp-audit speaks http and https only"
            )));
        }
        if !self.allows(&url) {
            let host = url.host_str().unwrap_or("");
            return Err(CliError::input(format!(
                "{flag} {value:?} is not a loopback address; sp-audit sends attacks only to 127.0.0.1, ::1 and localhost unless you name the host with --target {host}"
            )));
        }
        Ok(url)
    }
}

/// How https servers are checked: the system roots (rustls-native-certs, as `mtls probe`
/// reads them) plus the `--ca-file` certificates, or no check at all with
/// `--insecure-skip-tls-verify` (which the caller warns about).
pub(crate) fn tls_config(ca_files: &[String], skip_verify: bool) -> Result<TlsConfig, CliError> {
    let mut roots: Vec<ureq::tls::Certificate<'static>> = crate::io::load_trusted(ca_files)?
        .iter()
        .map(|ca| ureq::tls::Certificate::from_der(ca.der()).to_owned())
        .collect();
    if !skip_verify {
        // An unreadable or empty system store is not an error: a server it would have vouched
        // for then fails to verify, and that message names the certificate problem.
        let system = rustls_native_certs::load_native_certs();
        roots.extend(
            system.certs.iter().map(|c| ureq::tls::Certificate::from_der(c.as_ref()).to_owned()),
        );
    }
    Ok(TlsConfig::builder()
        .provider(TlsProvider::Rustls)
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .root_certs(RootCerts::new_with_certs(&roots))
        .disable_verification(skip_verify)
        .build())
}

/// Why a request failed, with the way out when the cause is the server's certificate.
fn describe(url: &Url, error: &ureq::Error) -> String {
    // rustls's verdict arrives as is, or (from inside the handshake) wrapped in an io::Error.
    let tls = match error {
        ureq::Error::Rustls(e) => Some(e),
        ureq::Error::Io(e) => e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        _ => None,
    };
    let hint = match tls {
        Some(rustls::Error::InvalidCertificate(_)) => {
            " (the SP's certificate is not trusted: name its CA with --ca-file, or for a test instance only, --insecure-skip-tls-verify)"
        }
        _ => "",
    };
    format!("cannot reach {url}: {error}{hint}")
}

/// One request every `1/rate` seconds, for the whole run.
pub(crate) struct Pace {
    interval: Duration,
    last: Option<Instant>,
}

impl Pace {
    pub(crate) fn new(rate: f64) -> Pace {
        Pace { interval: Duration::from_secs_f64(1.0 / rate), last: None }
    }

    fn wait(&mut self) {
        if let Some(last) = self.last {
            let due = last + self.interval;
            let now = Instant::now();
            if due > now {
                sleep(due - now);
            }
        }
        self.last = Some(Instant::now());
    }
}

/// One response on the way.
#[derive(Debug)]
pub(crate) struct Hop {
    pub(crate) status: u16,
    pub(crate) url: Url,
    pub(crate) location: Option<String>,
    pub(crate) body: String,
}

/// A browser session: a cookie jar, the scope and the shared pace.
pub(crate) struct Browser<'r> {
    agent: ureq::Agent,
    jar: cookie_store::CookieStore,
    scope: &'r Scope,
    pace: &'r mut Pace,
    /// Names of the cookies set since [`Browser::take_new_cookies`] was last called.
    new_cookies: Vec<String>,
}

/// How a request is sent.
pub(crate) enum Send<'b> {
    Get,
    /// A URL-encoded form body, sent as is.
    Form(&'b str),
}

impl<'r> Browser<'r> {
    pub(crate) fn new(
        scope: &'r Scope,
        pace: &'r mut Pace,
        timeout: Duration,
        tls: &TlsConfig,
    ) -> Browser<'r> {
        let agent = ureq::Agent::config_builder()
            .tls_config(tls.clone())
            .max_redirects(0)
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(timeout))
            .user_agent("samlkit-sp-audit")
            .build()
            .into();
        Browser {
            agent,
            jar: cookie_store::CookieStore::default(),
            scope,
            pace,
            new_cookies: Vec::new(),
        }
    }

    /// One request, no redirect followed.
    pub(crate) fn request(&mut self, url: &Url, send: Send<'_>) -> Result<Hop, CliError> {
        if !self.scope.allows(url) {
            return Err(CliError::input(format!("refusing to send to {url}: not in scope")));
        }
        self.pace.wait();
        let failed = |e: ureq::Error| CliError::input(describe(url, &e));
        let cookies: Vec<String> = self
            .jar
            .get_request_values(url)
            .map(|(name, value)| format!("{name}={value}"))
            .collect();
        let response = match send {
            Send::Get => {
                let request = self.agent.get(url.as_str());
                if cookies.is_empty() {
                    request
                } else {
                    request.header("Cookie", cookies.join("; "))
                }
                .call()
            }
            Send::Form(body) => {
                let request = self
                    .agent
                    .post(url.as_str())
                    .header("Content-Type", "application/x-www-form-urlencoded");
                if cookies.is_empty() {
                    request
                } else {
                    request.header("Cookie", cookies.join("; "))
                }
                .send(body)
            }
        }
        .map_err(failed)?;
        let status = response.status().as_u16();
        for value in response.headers().get_all("set-cookie") {
            let Ok(text) = value.to_str() else { continue };
            // The jar applies Domain, Path, expiry and deletion; the names set are evidence.
            let _ = self.jar.parse(text, url);
            if let Some(name) = text.split('=').next() {
                let name = name.trim().to_string();
                if !name.is_empty() && !self.new_cookies.contains(&name) {
                    self.new_cookies.push(name);
                }
            }
        }
        let location =
            response.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_string);
        let bytes = response
            .into_body()
            .with_config()
            .limit(MAX_PAGE_BYTES)
            .read_to_vec()
            .map_err(failed)?;
        Ok(Hop { status, url: url.clone(), location, body: String::from_utf8_lossy(&bytes).into() })
    }

    /// A request and the redirects after it, each in scope followed with GET; a redirect out of
    /// scope (to the IdP, say) is not followed and ends the chain. `stop` ends it early at a
    /// hop the caller wants (an AuthnRequest on its way to the IdP).
    pub(crate) fn follow(
        &mut self,
        url: &Url,
        send: Send<'_>,
        stop: impl Fn(&Hop) -> bool,
    ) -> Result<Vec<Hop>, CliError> {
        let mut hops = vec![self.request(url, send)?];
        while hops.len() <= MAX_HOPS {
            let Some(last) = hops.last() else { break };
            if stop(last) || !(300..400).contains(&last.status) {
                break;
            }
            let Some(next) = last.location.as_deref().and_then(|l| last.url.join(l).ok()) else {
                break;
            };
            if !self.scope.allows(&next) {
                break;
            }
            hops.push(self.request(&next, Send::Get)?);
        }
        Ok(hops)
    }

    /// The cookie names set since the last call, sorted.
    pub(crate) fn take_new_cookies(&mut self) -> Vec<String> {
        let mut names = std::mem::take(&mut self.new_cookies);
        names.sort();
        names
    }
}

/// `application/x-www-form-urlencoded` for one value.
pub(crate) fn form_encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}
