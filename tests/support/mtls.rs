//! What the mutual-TLS tests share: the private PKI, made with the built binary, and the
//! servers they run on 127.0.0.1 (`samlkit mtls serve`, or any child such as `openssl
//! s_server`), killed when dropped.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::Duration;

use super::{assert_success, fixture, run_in};

/// A child process killed when dropped.
pub(crate) struct Running(pub(crate) Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port nothing listens on (just now).
pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// Waits until something accepts connections on 127.0.0.1:`port` (at most 10 s).
pub(crate) fn wait_for(port: u16) {
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("nothing listens on 127.0.0.1:{port}");
}

/// A running `samlkit mtls serve` on a port the system picked; killed when dropped.
pub(crate) struct Serve {
    child: Running,
    lines: BufReader<ChildStdout>,
    /// The port it listens on.
    pub(crate) port: String,
}

impl Serve {
    /// `mtls serve --cert CERT --key KEY --client-ca CLIENT_CA` in `dir`.
    pub(crate) fn start(dir: &Path, cert: &str, key: &str, client_ca: &str) -> Serve {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("samlkit"))
            .current_dir(dir)
            .args(["mtls", "serve", "--cert", cert, "--key", key, "--client-ca", client_ca])
            .args(["--listen", "127.0.0.1:0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap());
        let child = Running(child);
        let mut first = String::new();
        lines.read_line(&mut first).unwrap();
        let port = first
            .trim()
            .strip_prefix("listening on https://127.0.0.1:")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .to_string();
        Serve { child, lines, port }
    }

    /// `127.0.0.1:PORT`.
    pub(crate) fn target(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// The server's next log line.
    pub(crate) fn next_line(&mut self) -> String {
        let _alive = &self.child;
        let mut line = String::new();
        self.lines.read_line(&mut line).unwrap();
        line.trim().to_string()
    }
}

pub(crate) fn ok(dir: &Path, args: &[&str]) {
    assert_success(&run_in(dir, args));
}

/// In `dir`: two CAs (`ca`, `other-ca`), client certificates for the idp key (`good.crt`,
/// `foreign.crt` from the other CA, `server-only.crt`, `expired.crt`), and a server certificate
/// (`server.crt`/`server.key`) for 127.0.0.1 and localhost.
pub(crate) fn pki(dir: &Path) {
    let key = fixture("keys/idp.key");
    ok(dir, &["cert", "ca", "new", "--cn", "Good CA", "--key-type", "ec-p256", "--out", "ca"]);
    ok(
        dir,
        &["cert", "ca", "new", "--cn", "Other CA", "--key-type", "ec-p256", "--out", "other-ca"],
    );
    ok(dir, &["cert", "csr", "--key", &key, "--cn", "client.example.com", "--out", "client.csr"]);
    let sign = |ca: &str, usage: &str, extra: &[&str], out: &str| {
        let (crt, key) = (format!("{ca}.crt"), format!("{ca}.key"));
        let mut args = vec![
            "cert",
            "sign",
            "client.csr",
            "--ca",
            &crt,
            "--ca-key",
            &key,
            "--usage",
            usage,
            "--out",
            out,
        ];
        args.extend_from_slice(extra);
        ok(dir, &args);
    };
    sign("ca", "client", &[], "good.crt");
    sign("other-ca", "client", &[], "foreign.crt");
    sign("ca", "server", &[], "server-only.crt");
    // Expired years ago, whatever the clock says now.
    sign("ca", "client", &["--now", "2020-01-01", "--valid-days", "30"], "expired.crt");
    ok(
        dir,
        &[
            "cert",
            "new",
            "--cn",
            "localhost",
            "--usage",
            "server",
            "--san",
            "IP:127.0.0.1",
            "--san",
            "DNS:localhost",
            "--key-type",
            "ec-p256",
            "--out",
            "server",
        ],
    );
}
