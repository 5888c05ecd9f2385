//! `samlkit sp-audit` end to end against the real service providers under `tests/interop/` on
//! 127.0.0.1: the strict python3-saml and pysaml2 SPs refuse every case (exit 0), IdP- and
//! SP-initiated; the deliberately vulnerable SP is caught (wrapping, comment injection and the
//! condition cases ACCEPTED, `--whoami` naming who got in, exit 1); the polite-200 and
//! redirect-after-login SPs, which fool a status-code judge, are judged right.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::HashMap;
use std::process::Output;

use support::browser::Process;
use support::{fixture, tools};

const IDP: &str = "https://idp.example.com";
const SP: &str = "https://sp.example.com";
const ALICE: &str = "alice@example.com";

/// `tests/interop/SCRIPT` trusting the fixture IdP as audience `SP`, on a free port.
fn start_sp(script: &str, extra: &[&str]) -> Process {
    support::browser::start_test_sp(script, IDP, SP, extra)
}

/// `samlkit sp-audit --json` against the SP at `base`, plus `extra`.
fn audit(base: &str, extra: &[&str]) -> (Output, HashMap<String, serde_json::Value>) {
    let acs = format!("{base}/acs");
    let (key, cert) = (fixture("keys/idp.key"), fixture("certs/idp.crt"));
    let mut args = vec!["sp-audit", "--acs", &acs, "--audience", SP, "--issuer", IDP];
    args.extend(["--name-id", ALICE, "--key", &key, "--cert", &cert, "--rate", "200", "--json"]);
    args.extend(extra);
    let out = support::run(&args);
    let results = support::audit_verdicts(&out);
    (out, results)
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Every case REFUSED (the ones that need what was not given SKIPPED), exit 0.
fn assert_all_refused(
    out: &Output,
    results: &HashMap<String, serde_json::Value>,
    skipped: &[&str],
) {
    assert_eq!(out.status.code(), Some(0), "{}\n{results:#?}", stderr(out));
    assert!(results.len() >= 38, "{}", results.len());
    for (case, r) in results {
        let want = if skipped.contains(&case.as_str()) { "SKIPPED" } else { "REFUSED" };
        assert_eq!(r["verdict"], want, "{case}: {r}");
    }
}

const ENCRYPTION_CASES: [&str; 3] = ["unsigned-encrypted", "rsa15-key-transport", "cbc-unsigned"];

fn check_strict(script: &str) {
    // IdP-initiated, judged by distance from the baselines alone (no whoami).
    let sp = start_sp(script, &[]);
    let (out, results) = audit(&sp.base, &[]);
    let mut skipped = ENCRYPTION_CASES.to_vec();
    skipped.push("unsolicited");
    assert_all_refused(&out, &results, &skipped);
    assert_eq!(results["replay"]["note"], "first posting ACCEPTED", "{}", results["replay"]);
    // The strict SP may log in the whole signed NameID of comment-in-nameid, never a cut one.
    let comment = &results["comment-in-nameid"];
    if let Some(note) = comment["note"].as_str() {
        assert!(
            note.starts_with("logged in as the signed identity alice@example.com.evil.example"),
            "{comment}"
        );
    }
    drop(sp);

    // SP-initiated: each case answers the SP's own AuthnRequest; the SP requires InResponseTo,
    // so the unsolicited response is a case too; whoami decides.
    let sp = start_sp(script, &["--require-in-response-to"]);
    let (login, whoami) = (format!("{}/login", sp.base), format!("{}/whoami", sp.base));
    let (out, results) = audit(&sp.base, &["--login-url", &login, "--whoami", &whoami]);
    assert_all_refused(&out, &results, &ENCRYPTION_CASES);
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn strict_python3_saml_sp_refuses_every_case_idp_and_sp_initiated() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    check_strict("onelogin_flask_sp.py");
}

#[test]
#[cfg_attr(
    missing_python3_pysaml2,
    ignore = "needs python3-pysaml2, python3-flask and xmlsec1 (scripts/install-test-deps.sh)"
)]
fn strict_pysaml2_sp_refuses_every_case_idp_and_sp_initiated() {
    support::require(&tools::PYTHON3_PYSAML2);
    check_strict("pysaml2_sp.py");
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
#[cfg_attr(missing_xmlsec1, ignore = "needs xmlsec1 (scripts/install-test-deps.sh)")]
fn vulnerable_sp_is_caught_with_whoami_naming_who_got_in() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    support::require(&tools::XMLSEC1);
    let sp = start_sp("vulnerable_sp.py", &[]);
    let whoami = format!("{}/whoami", sp.base);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("junit.xml");
    let (out, results) =
        audit(&sp.base, &["--whoami", &whoami, "--junit", junit.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1), "{}\n{results:#?}", stderr(&out));
    // Signature wrapping: the evil Assertion comes first, and the SP logs the attacker in.
    for case in ["xsw3", "xsw4", "xsw5"] {
        assert_eq!(results[case]["verdict"], "ACCEPTED", "{case}: {}", results[case]);
        assert_eq!(results[case]["whoami"], "attacker@evil.example", "{case}");
        assert_eq!(results[case]["attacker_identity"], true, "{case}");
    }
    // Comment injection: signed as alice@example.com.evil.example, read as alice@example.com.
    assert_eq!(results["comment-in-nameid"]["verdict"], "ACCEPTED");
    assert_eq!(results["comment-in-nameid"]["whoami"], ALICE);
    assert_eq!(results["comment-in-nameid"]["attacker_identity"], true);
    // The conditions it never checks.
    for case in [
        "expired",
        "not-yet-valid",
        "wrong-audience",
        "wrong-recipient",
        "destination-mismatch",
        "other-in-response-to",
        "replay",
        "status-responder",
        "unknown-condition",
    ] {
        assert_eq!(results[case]["verdict"], "ACCEPTED", "{case}: {}", results[case]);
    }
    // The signature itself it does check.
    for case in ["bad-signature", "bad-digest", "unsigned", "wrong-key", "keyinfo-swap"] {
        assert_eq!(results[case]["verdict"], "REFUSED", "{case}: {}", results[case]);
    }
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("<failure message=\"ACCEPTED: 200"), "{report}");
    assert!(stderr(&out).lines().any(|l| l.contains(" ACCEPTED, ")), "{}", stderr(&out));
}

#[test]
#[cfg_attr(
    missing_python3_flask_saml,
    ignore = "needs python3-flask and python3-onelogin-saml2 (scripts/install-test-deps.sh)"
)]
fn polite_200_and_redirect_after_login_sps_are_judged_right_without_whoami() {
    support::require(&tools::PYTHON3_FLASK_SAML);
    let cases =
        "xsw3,comment-in-nameid,expired,wrong-audience,unsigned,replay,other-in-response-to";
    for mode in ["polite-200", "redirect-after-login"] {
        let sp = start_sp("polite_sp.py", &["--mode", mode]);
        let (out, results) = audit(&sp.base, &["--cases", cases]);
        assert_eq!(out.status.code(), Some(0), "{mode}: {}\n{results:#?}", stderr(&out));
        for case in cases.split(',') {
            assert_eq!(results[case]["verdict"], "REFUSED", "{mode} {case}: {}", results[case]);
        }
        let refused_status = if mode == "polite-200" { 200 } else { 403 };
        assert_eq!(results["xsw3"]["statuses"], serde_json::json!([refused_status]), "{mode}");
        assert_eq!(results["replay"]["note"], "first posting ACCEPTED", "{mode}");
    }
}
