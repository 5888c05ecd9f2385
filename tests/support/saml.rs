//! Helpers shared by the SAML end-to-end tests: issue responses with the bundled fixture
//! credentials at a fixed instant, verify them, and cut signed documents apart the way an
//! attacker would.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use super::{fixture, samlkit};

/// The instant every test response is issued at.
pub(crate) const ISSUED: &str = "2026-11-29T10:00:00Z";
/// One minute after issuing: inside every validity window.
pub(crate) const VERIFY_AT: &str = "2026-11-29T10:01:00Z";
pub(crate) const IDP: &str = "https://idp.example.com";
pub(crate) const SP: &str = "https://sp.example.com";
pub(crate) const ACS: &str = "https://sp.example.com/acs";

/// `samlkit issue` with the IdP fixture key, fixed time and the standard SP, plus `extra` flags.
pub(crate) fn issue(extra: &[&str]) -> String {
    issue_with("keys/idp.key", "certs/idp.crt", extra)
}

pub(crate) fn issue_with(key: &str, cert: &str, extra: &[&str]) -> String {
    let defaults = [
        ("--issuer", IDP),
        ("--name-id", "alice@example.com"),
        ("--audience", SP),
        ("--recipient", ACS),
        ("--in-response-to", "_req1"),
        ("--session-index", "_s1"),
        ("--now", ISSUED),
    ];
    let mut cmd = samlkit();
    cmd.args(["issue", "--key", &fixture(key), "--cert", &fixture(cert)]);
    for (flag, value) in defaults {
        if !extra.contains(&flag) {
            cmd.args([flag, value]);
        }
    }
    cmd.args(["--attr", "email=alice@example.com", "--attr", "groups=a", "--attr", "groups=b"]);
    let out = cmd.args(extra).output().expect("samlkit runs");
    assert!(out.status.success(), "issue failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// `samlkit sign` of `doc`, given on standard input, with the IdP fixture key and certificate.
pub(crate) fn sign_stdin(doc: &str) -> std::process::Output {
    samlkit()
        .args(["sign", "--key", &fixture("keys/idp.key"), "--cert", &fixture("certs/idp.crt"), "-"])
        .write_stdin(doc)
        .output()
        .expect("samlkit runs")
}

/// The result of one `samlkit verify --json` run on one document.
pub(crate) struct Verdict {
    pub(crate) code: i32,
    pub(crate) json: serde_json::Value,
    pub(crate) stderr: String,
    /// The JSON line as printed.
    pub(crate) raw: String,
}

impl Verdict {
    pub(crate) fn error_code(&self) -> &str {
        self.json["error_code"].as_str().unwrap_or("")
    }
    pub(crate) fn error(&self) -> &str {
        self.json["error"].as_str().unwrap_or("")
    }
    pub(crate) fn valid(&self) -> bool {
        self.json["valid"] == serde_json::Value::Bool(true)
    }
}

/// Verifies `doc` with the IdP certificate trusted, at [`VERIFY_AT`], plus `extra` flags.
pub(crate) fn verify(doc: &str, extra: &[&str]) -> Verdict {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("r.xml");
    std::fs::write(&path, doc).expect("write");
    verify_path(&path, extra)
}

pub(crate) fn verify_path(path: &Path, extra: &[&str]) -> Verdict {
    let mut cmd = samlkit();
    cmd.args(["verify", "--json", "--cert", &fixture("certs/idp.crt")]);
    if !extra.contains(&"--now") {
        cmd.args(["--now", VERIFY_AT]);
    }
    let out = cmd.args(extra).arg(path).output().expect("samlkit runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("one JSON line expected ({e}): {stdout}"));
    Verdict {
        code: out.status.code().unwrap_or(-1),
        json,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        raw: stdout.trim().to_string(),
    }
}

/// Byte range of the first `start` .. matching `end` (inclusive) at or after `from`.
pub(crate) fn span(s: &str, start: &str, end: &str, from: usize) -> (usize, usize) {
    let a = from + s[from..].find(start).unwrap_or_else(|| panic!("{start} not found"));
    let b = a + s[a..].find(end).unwrap_or_else(|| panic!("{end} not found")) + end.len();
    (a, b)
}

pub(crate) fn assertion(doc: &str) -> &str {
    let (a, b) = span(doc, "<saml:Assertion ", "</saml:Assertion>", 0);
    &doc[a..b]
}

/// The first `ds:Signature` element at or after `from`.
pub(crate) fn signature_at(doc: &str, from: usize) -> &str {
    let (a, b) = span(doc, "<ds:Signature", "</ds:Signature>", from);
    &doc[a..b]
}

pub(crate) fn without_signatures(doc: &str) -> String {
    let mut out = doc.to_string();
    while let Some(a) = out.find("<ds:Signature") {
        let (a, b) = span(&out, "<ds:Signature", "</ds:Signature>", a);
        out.replace_range(a..b, "");
    }
    out
}

pub(crate) fn attr_value<'d>(element: &'d str, name: &str) -> &'d str {
    let pat = format!(" {name}=\"");
    let a = element.find(&pat).unwrap_or_else(|| panic!("{name} not found")) + pat.len();
    let b = a + element[a..].find('"').unwrap_or(0);
    &element[a..b]
}

/// Replaces the first ID="…" in `element` (its own ID).
pub(crate) fn with_id(element: &str, id: &str) -> String {
    let old = attr_value(element, "ID");
    element.replacen(&format!("ID=\"{old}\""), &format!("ID=\"{id}\""), 1)
}

pub(crate) fn without_xml_decl(doc: &str) -> &str {
    match doc.strip_prefix("<?xml") {
        Some(rest) => rest.split_once("?>").map_or(doc, |(_, r)| r.trim_start()),
        None => doc,
    }
}

/// Every `issue --break` kind, in `--break list` order, and the error code `verify` must reject
/// it with: the contract for SP test harnesses, written out here rather than read from the
/// program under test.
pub(crate) const BREAK_KINDS: &[(&str, &str)] = &[
    ("xsw1", "duplicate_id"),
    ("xsw2", "duplicate_id"),
    ("xsw3", "assertion_count"),
    ("xsw4", "assertion_count"),
    ("xsw5", "assertion_count"),
    ("xsw6", "assertion_count"),
    ("xsw7", "assertion_count"),
    ("xsw8", "assertion_count"),
    ("comment-in-nameid", "comment_in_value"),
    ("dup-id", "duplicate_id"),
    ("bad-digest", "digest_mismatch"),
    ("bad-signature", "signature_invalid"),
    ("unsigned", "signature_missing"),
    ("wrong-key", "untrusted_certificate"),
    ("sha1", "algorithm_refused"),
    ("expired", "assertion_expired"),
    ("not-yet-valid", "assertion_not_yet_valid"),
    ("wrong-audience", "audience_invalid"),
    ("wrong-recipient", "recipient_mismatched"),
    ("wrong-issuer", "issuer_mismatched"),
    ("status-responder", "status_not_success"),
    ("two-assertions", "assertion_count"),
    ("keyinfo-swap", "signature_invalid"),
    ("no-authn-statement", "authn_statement_missing"),
    ("session-expired", "session_expired"),
    ("unknown-condition", "condition_not_understood"),
    ("wrong-version", "version_invalid"),
    ("issuer-format", "issuer_format_invalid"),
    ("bare-assertion", "bare_assertion"),
    ("duplicate-field", "duplicate_parameter"),
    ("lookalike-assertion", "unexpected_element"),
];

/// The `--break` kinds that encrypt to the SP (`issue --encrypt-for`; verified with
/// `--decrypt-key`), listed by `--break list` after [`BREAK_KINDS`].
pub(crate) const ENCRYPTED_BREAK_KINDS: &[(&str, &str)] = &[
    ("unsigned-encrypted", "assertion_not_signed"),
    ("rsa15-key-transport", "algorithm_refused"),
    ("cbc-unsigned", "cbc_unsigned"),
];
