//! One message style in every command, as a table: each row is a command line (and what it
//! reads on standard input), the exit code it must end with, and a regular expression the whole
//! of its stderr must match. The style (issue #10):
//! - one `error: ` line; a plain sentence continues in lower case (`is a directory`); the
//!   administrators' titles (`Malformed XML`, `Signature Invalid`) keep their case;
//! - standard input is `-`, in messages as on the command line;
//! - a position is always `FILE:LINE:COL: message`, and a file is named once;
//! - no Rust type names (`EcdsaP256`): what a person calls it (`EC P-256`);
//! - numeric flags refuse a negative number by saying so (not clap's "unexpected argument");
//! - a typo in a subcommand or a flag gets clap's suggestion;
//! - times in RFC 3339 with `Z`, spans as `1d 0h`, days since expiry counted whole.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::path::Path;

use predicates::Predicate;
use support::{root, stdout};

/// A row: the arguments (`{dir}` is the scratch directory, `{token}` a JWT that expired at
/// 2026-01-01T00:03:00Z), standard input, the exit code and
/// the regular expression the whole of stderr must match.
struct Row {
    args: &'static str,
    stdin: &'static str,
    code: i32,
    stderr: &'static str,
}

const fn row(args: &'static str, stdin: &'static str, code: i32, stderr: &'static str) -> Row {
    Row { args, stdin, code, stderr }
}

const IDP: &str = "--key fixtures/keys/idp.key --cert fixtures/certs/idp.crt";
const CERT: &str = "--cert fixtures/certs/idp.crt";

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // Typos get clap's suggestion, at every level of the command tree.
    row("verfy", "", 2, r"^error: unrecognized subcommand 'verfy'; a similar subcommand exists: 'verify' \(see --help\)\n$"),
    row("cert shw", "", 2, r"^error: unrecognized subcommand 'shw'; a similar subcommand exists: 'show' \(see --help\)\n$"),
    row("redirect sing", "", 2, r"^error: unrecognized subcommand 'sing'; a similar subcommand exists: 'sign' \(see --help\)\n$"),
    row("verify --cert fixtures/certs/idp.crt --audiense x -", "", 2, r"^error: unexpected argument '--audiense' found; a similar argument exists: '--audience' \(see --help\)\n$"),
    row("issue --name-idd x", "", 2, r"^error: unexpected argument '--name-idd' found; a similar argument exists: '--name-id' \(see --help\)\n$"),
    // Negative numbers: said plainly, by every numeric flag.
    row("issue --valid-for -1", "", 2, r"^error: invalid value '-1' for '--valid-for <SECONDS>': must not be negative: give a whole number, 0 or more \(see --help\)\n$"),
    row("verify --cert fixtures/certs/idp.crt --skew -1 -", "", 2, r"^error: invalid value '-1' for '--skew <SECONDS>': must not be negative"),
    row("cert check fixtures/certs/idp.crt --warn-days -30", "", 2, r"^error: invalid value '-30' for '--warn-days <DAYS>': must not be negative"),
    row("inventory --warn-days -1", "", 2, r"^error: invalid value '-1' for '--warn-days <DAYS>': must not be negative"),
    row("inventory scan fixtures/sfdx/mdapi --warn-days -1", "", 2, r"^error: invalid value '-1' for '--warn-days <DAYS>': must not be negative"),
    row("metadata --entity-id a --sso-url https://a --cert fixtures/certs/idp.crt --valid-days -1", "", 2, r"^error: invalid value '-1' for '--valid-days <N>': must not be negative"),
    row("c14n --max-size -1 fixtures/c14n/inputs/saml-response-pretty.xml", "", 2, r"^error: invalid value '-1' for '--max-size <SIZE>': must not be negative"),
    row("cert new --cn x --valid-days -5", "", 2, r"^error: invalid value '-5' for '--valid-days <N>': --valid-days must be a whole number of days from 1 to"),
    row("jwt --key fixtures/keys/idp.key --issuer a --subject b --valid-for -5 --force", "", 2, r"^error: --valid-for -5 must be between 1 and 31536000 seconds\n$"),
    // Standard input is `-` everywhere, and a position is FILE:LINE:COL: first.
    row("c14n -", "<a>", 2, r"^error: -:1:1: element <a> is never closed\n$"),
    row("verify --cert fixtures/certs/idp.crt --audience a --recipient b --issuer c -", "<a>", 2, r"^error: -:1:1: Malformed XML: element <a> is never closed\n$"),
    row("cert show -", "", 2, r"^error: -: no certificate found"),
    row("cert check -", "not a certificate", 2, r"^error: -: no certificate found"),
    row("inventory --file -", "x=", 2, r"^error: -:1:3: "),
    row("c14n {dir}/bad.xml", "", 2, r"^error: [^ ]*/bad\.xml:2:5: mismatched end tag: expected </b>, found </a>\n$"),
    row("verify --cert fixtures/certs/idp.crt --audience a --recipient b --issuer c {dir}/bad.xml", "", 2, r"^error: [^ ]*/bad\.xml:2:5: Malformed XML: mismatched end tag: expected </b>, found </a>\n$"),
    // A file is named once, and the reason continues in lower case.
    row("verify --cert fixtures/certs/idp.crt --audience a --recipient b --issuer c nope.xml", "", 2, r"^error: cannot read nope\.xml: no such file or directory\n$"),
    row("sign --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt nope.xml", "", 2, r"^error: cannot read nope\.xml: no such file or directory\n$"),
    row("c14n nope.xml", "", 2, r"^error: cannot read nope\.xml: no such file or directory\n$"),
    row("cert show nope.crt", "", 2, r"^error: cannot read nope\.crt: no such file or directory\n$"),
    row("issue --key nope.key --cert fixtures/certs/idp.crt --issuer a --name-id b", "", 2, r"^error: cannot read nope\.key: no such file or directory\n$"),
    row("c14n {dir}", "", 2, r"^error: cannot read [^ ]+: is a directory\n$"),
    row("verify --cert fixtures/certs/idp.crt --audience a --recipient b --issuer c {dir}", "", 2, r"^error: cannot read [^ ]+: is a directory\n$"),
    row("cert show {dir}", "", 2, r"^error: cannot read [^ ]+: is a directory\n$"),
    // No Rust type names.
    row("issue --key fixtures/keys/ec-p256.key --cert fixtures/certs/ec-p256.crt --issuer a --name-id b --alg rsa-sha256", "", 2, r"^error: --alg rsa-sha256 does not fit the key \(EC P-256\)\n$"),
    row("sign --key fixtures/keys/ec-p384.key --cert fixtures/certs/ec-p384.crt --alg rsa-sha512 -", "<a/>", 2, r"^error: --alg rsa-sha512 does not fit the key \(EC P-384\)\n$"),
    // Dates: a date alone is midnight UTC; whole days since expiry; one span format; no year
    // 10000; metadata that is already out of date is refused.
    row("cert check fixtures/certs/idp.crt --now 2026-06-01", "", 0, r"^$"),
    row("cert check fixtures/certs/expired.crt --now 2027-05-30T00:01:00Z", "", 1, r"^error: fixtures/certs/expired\.crt expired on 2026-01-01 \(514 days ago\)\n$"),
    row("cert check fixtures/certs/idp.crt --now yesterday", "", 2, r#"^error: invalid value 'yesterday' for '--now <RFC3339>': "yesterday" is not a date or time \(premature end of input\); expected RFC 3339 such as 2026-06-01T00:00:00Z, or a date such as 2026-06-01 \(see --help\)\n$"#),
    row("jwt verify --cert fixtures/certs/idp.crt --now 2026-01-02T00:03:00Z {token}", "", 1, r"^error: token expired at 2026-01-01T00:03:00Z \(1d 0h before now, beyond the 30s skew\)\n$"),
    row("issue --key fixtures/keys/idp.key --cert fixtures/certs/idp.crt --issuer a --name-id b --now 9999-12-31T23:59:59Z", "", 2, r"^error: NotOnOrAfter \(--now \+ --valid-for\) would fall after 9999-12-31T23:59:59Z \(9999-12-31T23:59:59Z \+ 5m 0s\), which cannot be written as a four-digit year: use an earlier --now or a shorter validity\n$"),
    row("metadata --entity-id a --sso-url https://a --cert fixtures/certs/idp.crt --now 2026-06-01 --valid-until 2026-05-31", "", 2, r"^error: --valid-until 2026-05-31T00:00:00Z is not after now \(2026-06-01T00:00:00Z\): service providers refuse metadata past its validUntil\n$"),
    row("metadata --entity-id a --sso-url https://a --cert fixtures/certs/idp.crt --now 9999-12-01 --valid-days 31", "", 2, r"^warning: [^\n]* expired on 2036-01-01 \(2908760 days ago\)\nerror: validUntil \(--now \+ --valid-days\) would fall after 9999-12-31T23:59:59Z \(9999-12-01T00:00:00Z \+ 31d 0h\)"),
    // verify --require both: the Response must be signed too.
    row("verify --cert fixtures/certs/idp.crt --audience https://sp.example.com --recipient https://sp.example.com/acs --issuer https://idp.example.com --now 2026-06-01T00:01:00Z --require both {dir}/assertion-signed.xml", "", 1, r"^error: [^ ]*/assertion-signed\.xml: Signature Missing: the Response is not signed \(required: both\)\n$"),
];

/// The scratch directory every row may use: a malformed document, an expired token and a
/// response whose Assertion (only) is signed.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("bad.xml"), "<a>\n <b></a>").unwrap();
    let token = support::samlkit()
        .args(["jwt", "--key", "fixtures/keys/idp.key", "--issuer", "a", "--subject", "b"])
        .args(["--now", "2026-01-01"])
        .current_dir(root())
        .output()
        .unwrap();
    std::fs::write(dir.path().join("token"), &token.stdout).unwrap();
    let response = issue(&["--target", "assertion"]);
    std::fs::write(dir.path().join("assertion-signed.xml"), response).unwrap();
    dir
}

/// A response issued at 2026-06-01T00:00:00Z with `extra` flags.
fn issue(extra: &[&str]) -> Vec<u8> {
    let out = support::samlkit()
        .current_dir(root())
        .args(["issue"])
        .args(IDP.split(' '))
        .args(["--issuer", "https://idp.example.com", "--name-id", "alice@example.com"])
        .args(["--audience", "https://sp.example.com", "--recipient", "https://sp.example.com/acs"])
        .args(["--now", "2026-06-01"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

fn run_row(row: &Row, dir: &Path) -> Option<String> {
    let args: Vec<String> = row
        .args
        .split(' ')
        .map(|a| a.replace("{dir}", &dir.display().to_string()))
        .map(|a| match a.as_str() {
            "{token}" => std::fs::read_to_string(dir.join("token")).unwrap().trim().to_string(),
            _ => a,
        })
        .collect();
    let out =
        support::samlkit().current_dir(root()).args(&args).write_stdin(row.stdin).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let pattern = predicates::str::is_match(row.stderr).unwrap();
    let ok = out.status.code() == Some(row.code) && pattern.eval(&stderr);
    (!ok).then(|| {
        format!(
            "samlkit {}\n  exit {:?} (want {})\n  stderr {stderr:?}\n  want   {:?}",
            row.args,
            out.status.code(),
            row.code,
            row.stderr
        )
    })
}

#[test]
fn every_command_words_its_errors_in_one_style() {
    let dir = scratch();
    let failures: Vec<String> = ROWS.iter().filter_map(|r| run_row(r, dir.path())).collect();
    assert!(
        failures.is_empty(),
        "{} of {} rows:\n{}",
        failures.len(),
        ROWS.len(),
        failures.join("\n")
    );
    // Every error row is one line, and the style holds on all of them.
    for r in ROWS.iter().filter(|r| r.code != 0) {
        assert!(
            r.stderr.starts_with("^error: ") || r.stderr.starts_with("^warning: "),
            "{}",
            r.args
        );
    }
}

/// Renamed flags keep working under their old names (hidden from `--help`), and mean the same.
#[test]
fn old_flag_names_still_work() {
    // issue --sign (now --target) signs the same parts.
    let old = issue(&["--sign", "both"]);
    let text = String::from_utf8(old).unwrap();
    assert_eq!(text.matches("<ds:SignatureValue>").count(), 2, "{text}");
    let dir = tempfile::tempdir().unwrap();
    // jwt --iss/--sub/--aud/--ttl (now --issuer/--subject/--audience/--valid-for).
    let token = support::samlkit()
        .args(["jwt", "--key", &support::fixture("keys/idp.key"), "--iss", "client", "--sub"])
        .args(["bob@example.com", "--aud", "https://test.salesforce.com", "--ttl", "60"])
        .args(["--now", "2026-06-01"])
        .output()
        .unwrap();
    support::assert_success(&token);
    let token = stdout(&token);
    let verified = support::samlkit()
        .current_dir(root())
        .args(["jwt", "verify"])
        .args(CERT.split(' '))
        .args(["--aud", "https://test.salesforce.com", "--now", "2026-06-01T00:00:30Z"])
        .arg(token.trim())
        .output()
        .unwrap();
    support::assert_success(&verified);
    let text = stdout(&verified);
    assert!(text.contains("iss: client\n") && text.contains("sub: bob@example.com\n"), "{text}");
    assert!(text.contains("exp: 1780272060 (2026-06-01T00:01:00Z, in 30s)\n"), "{text}");
    // cert new --days (now --valid-days).
    let prefix = dir.path().join("old");
    let out = support::samlkit()
        .args(["cert", "new", "--cn", "old.example.com", "--days", "10", "--now", "2026-06-01"])
        .arg("--out")
        .arg(&prefix)
        .output()
        .unwrap();
    support::assert_success(&out);
    assert!(stdout(&out).contains("not after    2026-06-11T00:00:00Z\n"), "{}", stdout(&out));
    // The old names are not advertised.
    let old_names = [
        (&["issue"][..], "--sign"),
        (&["jwt"][..], "--ttl"),
        (&["jwt"][..], "--iss "),
        (&["jwt"][..], "--sub "),
        (&["jwt", "verify"][..], "--aud "),
        (&["cert", "new"][..], "--days"),
    ];
    for (command, old) in old_names {
        let help = stdout(&support::samlkit().args(command).arg("--help").output().unwrap());
        assert!(!help.contains(old), "{command:?} --help shows {old}");
    }
}

/// `issue`'s usage line names its required flags; `verify --require` offers `both`.
#[test]
fn usage_lines_show_what_is_required() {
    let help = stdout(&support::samlkit().args(["issue", "--help"]).output().unwrap());
    assert!(
        help.contains("Usage: samlkit issue --key <KEY> --cert <CERT> --issuer <ENTITY> --name-id <VALUE> [OPTIONS]\n"),
        "{help}"
    );
    let out = support::samlkit().args(["issue", "--issuer", "a"]).output().unwrap();
    support::assert_error(
        &out,
        2,
        "the following required arguments were not provided: --key <KEY> --cert <CERT> --name-id <VALUE>",
    );
    let help = stdout(&support::samlkit().args(["verify", "--help"]).output().unwrap());
    assert!(help.contains("[possible values: response, assertion, any, both]"), "{help}");
    // Both signed: --require both accepts it.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("both.xml"), issue(&["--target", "both"])).unwrap();
    let out = support::samlkit()
        .current_dir(root())
        .args([
            "verify",
            "--cert",
            "fixtures/certs/idp.crt",
            "--audience",
            "https://sp.example.com",
        ])
        .args(["--recipient", "https://sp.example.com/acs", "--issuer", "https://idp.example.com"])
        .args(["--now", "2026-06-01T00:01:00Z", "--require", "both"])
        .arg(dir.path().join("both.xml"))
        .output()
        .unwrap();
    support::assert_success(&out);
    assert!(stdout(&out).contains("  signed:          response, assertion\n"), "{}", stdout(&out));
}
