//! Driving web servers the tests start (`samlkit idp serve`, the service providers under
//! `tests/interop/`) over HTTP: a child process that reports its address on its first line, and
//! a small browser (one cookie per origin, redirects followed by hand so each hop can be checked).
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long one start or one HTTP exchange may take before the test fails.
pub(crate) const TIMEOUT: Duration = Duration::from_secs(60);

/// A child process that prints `listening on http://ADDR` first; killed on drop.
pub(crate) struct Process {
    pub(crate) child: Child,
    /// `http://ADDR`, from the first line.
    pub(crate) base: String,
}

/// `tests/interop/SCRIPT`, one of the test SPs (see their headers), trusting the fixture IdP
/// certificate as entity `idp`, with audience `sp`, plus `extra` flags, on a free loopback port;
/// it exits when the test drops it, or when the test dies (its stdin closes).
pub(crate) fn start_test_sp(script: &str, idp: &str, sp: &str, extra: &[&str]) -> Process {
    let mut command = super::python_script(script);
    command
        .args(["--idp-cert", &super::fixture("certs/idp.crt")])
        .args(["--idp-entity-id", idp, "--sp-entity-id", sp, "--exit-on-stdin-eof"])
        .args(extra)
        .stdin(Stdio::piped());
    let sp = Process::start(command);
    assert!(sp.base.starts_with("http://127.0.0.1:"), "binds loopback only: {}", sp.base);
    sp
}

impl Process {
    /// Spawns `command` (stdout piped, stderr dropped) and waits for its readiness line.
    pub(crate) fn start(command: Command) -> Process {
        Process::start_with_stderr(command, Stdio::null())
    }

    /// [`Process::start`] with the child's stderr going to `stderr`.
    pub(crate) fn start_with_stderr(mut command: Command, stderr: Stdio) -> Process {
        let mut child = command.stdout(Stdio::piped()).stderr(stderr).spawn().expect("starts");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            let _ = tx.send(line);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let mut process = Process { child, base: String::new() };
        let line = rx.recv_timeout(TIMEOUT).expect("prints its address");
        process.base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("{line:?}"))
            .to_string();
        process
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP answer, read whole.
pub(crate) struct Reply {
    pub(crate) status: u16,
    /// The `Location` header, made absolute.
    pub(crate) location: Option<String>,
    /// The `Set-Cookie` header's `name=value`, if the answer set one.
    pub(crate) set_cookie: Option<String>,
    pub(crate) body: String,
}

/// An HTTP client that keeps one cookie per origin, like a browser.
pub(crate) struct Browser {
    agent: ureq::Agent,
    /// (origin, `name=value`)
    pub(crate) cookies: Vec<(String, String)>,
}

/// `host:port` of `url`.
pub(crate) fn origin(url: &str) -> String {
    let rest = url.split_once("://").unwrap().1;
    rest.split('/').next().unwrap().to_string()
}

impl Browser {
    pub(crate) fn new() -> Browser {
        let agent = ureq::Agent::config_builder()
            .max_redirects(0)
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .build()
            .into();
        Browser { agent, cookies: Vec::new() }
    }

    pub(crate) fn cookie(&self, url: &str) -> Option<String> {
        let o = origin(url);
        self.cookies.iter().find(|(k, _)| *k == o).map(|(_, v)| v.clone())
    }

    fn reply(&mut self, url: &str, response: ureq::http::Response<ureq::Body>) -> Reply {
        let mut response = response;
        let set_cookie = response
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .map(|c| c.split(';').next().unwrap().to_string());
        if let Some(pair) = &set_cookie {
            let o = origin(url);
            self.cookies.retain(|(k, _)| *k != o);
            if !pair.ends_with('=') {
                self.cookies.push((o, pair.clone()));
            }
        }
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).map(|l| {
            if l.starts_with('/') { format!("http://{}{l}", origin(url)) } else { l.to_string() }
        });
        let body = response.body_mut().read_to_string().unwrap();
        Reply { status: response.status().as_u16(), location, set_cookie, body }
    }

    pub(crate) fn get(&mut self, url: &str) -> Reply {
        let mut request = self.agent.get(url);
        if let Some(c) = self.cookie(url) {
            request = request.header("Cookie", &c);
        }
        let response = request.call().unwrap();
        self.reply(url, response)
    }

    pub(crate) fn post(&mut self, url: &str, fields: &[(String, String)]) -> Reply {
        let mut request = self.agent.post(url);
        if let Some(c) = self.cookie(url) {
            request = request.header("Cookie", &c);
        }
        let response =
            request.send_form(fields.iter().map(|(k, v)| (k.as_str(), v.as_str()))).unwrap();
        self.reply(url, response)
    }

    /// GETs `url` and follows redirects (at most 10), returning the last URL and reply.
    pub(crate) fn follow(&mut self, url: &str) -> (String, Reply) {
        let mut url = url.to_string();
        for _ in 0..10 {
            let reply = self.get(&url);
            match reply.location.clone() {
                Some(next) if (300..400).contains(&reply.status) => url = next,
                _ => return (url, reply),
            }
        }
        panic!("too many redirects from {url}");
    }
}
