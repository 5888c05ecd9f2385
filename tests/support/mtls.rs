//! The private PKI the mutual-TLS tests share, made with the built binary.

use std::path::Path;

use super::{assert_success, fixture, run_in};

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
