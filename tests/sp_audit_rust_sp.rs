//! `samlkit sp-audit` end to end against small service providers on axum (tests/support/audit_sp.rs), one per
//! behaviour the oracle must judge right: a strict SP (samlkit's own `ServiceProvider`) that
//! redirects a good login 302 → 200 and refuses with 403; a polite one that answers everything
//! with 200 at the ACS; a lax one that checks the signature but then reads the first NameID and
//! ignores every other failure; and one whose login and refusal pages are the same.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

#[path = "support/audit_sp.rs"]
mod audit_sp;

use audit_sp::{ISSUER, Mode, stderr};
use support::audit_verdicts as verdicts;
use support::{fixture, run};

const AUDIENCE: &str = "http://127.0.0.1/sp";

/// A strict/polite/lax/alike SP for `AUDIENCE` on a free port; returns its base URL.
fn start_sp(mode: Mode) -> String {
    audit_sp::start(mode, AUDIENCE)
}

fn audit(base: &str, extra: &[&str]) -> std::process::Output {
    let acs = format!("{base}/acs");
    let mut args = vec![
        "sp-audit",
        "--acs",
        &acs,
        "--audience",
        AUDIENCE,
        "--issuer",
        ISSUER,
        "--name-id",
        "alice@example.com",
        "--rate",
        "1000",
    ];
    let (key, cert) = (fixture("keys/idp.key"), fixture("certs/idp.crt"));
    args.extend(["--key", &key, "--cert", &cert]);
    args.extend(extra);
    run(&args)
}

#[test]
fn strict_sp_with_302_after_login_refuses_every_case_exit_0() {
    let base = start_sp(Mode::Strict302);
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("audit.xml");
    let out = audit(
        &base,
        &["--json", "--junit", junit.to_str().unwrap(), "--save", dir.path().to_str().unwrap()],
    );
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}\n{results:#?}", stderr(&out));
    for (case, r) in &results {
        let v = r["verdict"].as_str().unwrap();
        assert!(v == "REFUSED" || v == "SKIPPED", "{case}: {r}");
    }
    assert_eq!(results["replay"]["note"], "first posting ACCEPTED");
    assert_eq!(results["xsw3"]["statuses"], serde_json::json!([403]));
    assert_eq!(results["unsolicited"]["verdict"], "SKIPPED");
    assert!(stderr(&out).contains("0 ACCEPTED"), "{}", stderr(&out));
    let report = std::fs::read_to_string(&junit).unwrap();
    assert!(report.contains("failures=\"0\""), "{report}");
    assert!(
        dir.path().join("xsw3.xml").exists() && dir.path().join("baseline-genuine.html").exists()
    );
}

#[test]
fn polite_200_sp_is_judged_by_its_page_not_its_status() {
    let base = start_sp(Mode::Polite200);
    let out = audit(&base, &["--json", "--cases", "xsw1,expired,wrong-audience,replay"]);
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}\n{results:#?}", stderr(&out));
    for case in ["xsw1", "expired", "wrong-audience", "replay"] {
        assert_eq!(results[case]["verdict"], "REFUSED", "{case}: {}", results[case]);
        assert_eq!(results[case]["statuses"], serde_json::json!([200]));
    }
    // --accepted-if decides where it matches, the distances elsewhere.
    let out = audit(&base, &["--json", "--cases", "xsw1,replay", "--accepted-if", "Welcome"]);
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(results["xsw1"]["verdict"], "REFUSED");
    assert_eq!(results["replay"]["note"], "first posting ACCEPTED");
}

#[test]
fn lax_sp_is_caught_and_whoami_names_the_attacker() {
    let base = start_sp(Mode::Lax);
    let whoami = format!("{base}/whoami");
    let out = audit(
        &base,
        &[
            "--json",
            "--whoami",
            &whoami,
            "--cases",
            "xsw3,xsw4,xsw7,comment-in-nameid,expired,wrong-audience,wrong-key,bad-digest",
        ],
    );
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(1), "{}\n{results:#?}", stderr(&out));
    for case in ["xsw3", "xsw4"] {
        assert_eq!(results[case]["verdict"], "ACCEPTED", "{case}");
        assert_eq!(results[case]["whoami"], "attacker@evil.example", "{case}");
        assert_eq!(results[case]["attacker_identity"], true, "{case}");
    }
    // XSW7 hides the signed Assertion first, so this SP's first NameID is the genuine one: it
    // took the response, but the attack did not choose who logged in.
    assert_eq!(results["xsw7"]["verdict"], "REFUSED");
    assert_eq!(results["xsw7"]["whoami"], "alice@example.com");
    assert_eq!(results["xsw7"]["attacker_identity"], false);
    let note = results["xsw7"]["note"].as_str().unwrap();
    assert!(note.starts_with("logged in as the signed identity alice@example.com"), "{note}");
    // Comment injection: the IdP signed alice@example.com.evil.example; alice@example.com got in.
    assert_eq!(results["comment-in-nameid"]["verdict"], "ACCEPTED");
    assert_eq!(results["comment-in-nameid"]["whoami"], "alice@example.com");
    assert_eq!(results["comment-in-nameid"]["attacker_identity"], true);
    for case in ["expired", "wrong-audience"] {
        assert_eq!(results[case]["verdict"], "ACCEPTED", "{case}");
    }
    for case in ["wrong-key", "bad-digest"] {
        assert_eq!(results[case]["verdict"], "REFUSED", "{case}");
    }

    // The table says the same, for people.
    let table = audit(&base, &["--whoami", &whoami, "--cases", "xsw3,wrong-key"]);
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(text.starts_with("CASE"), "{text}");
    let xsw3 = text.lines().find(|l| l.starts_with("xsw3")).unwrap_or_else(|| panic!("{text}"));
    assert!(
        xsw3.contains("ACCEPTED")
            && xsw3.contains("whoami attacker@evil.example (NOT the signed identity)"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.starts_with("wrong-key") && l.contains("REFUSED")), "{text}");
}

#[test]
fn sp_whose_login_and_refusal_look_alike_stops_with_exit_2() {
    let base = start_sp(Mode::Alike);
    let out = audit(&base, &["--cases", "xsw1"]);
    support::assert_error(
        &out,
        2,
        "baselines: the SP answers a genuine response and a broken signature alike",
    );
    assert!(out.stdout.is_empty());
    // An expression that judges the baselines wrongly is refused (this SP's pages are the same
    // whatever happened, so no expression can tell them apart).
    let out = audit(&base, &["--cases", "xsw1", "--json", "--refused-if", "Thank you"]);
    support::assert_error(
        &out,
        2,
        "--accepted-if / --refused-if judge the genuine login or the broken signature wrongly",
    );
    // --whoami tells them apart.
    let whoami = format!("{base}/whoami");
    let out = audit(&base, &["--cases", "xsw1,expired", "--whoami", &whoami, "--json"]);
    let results = verdicts(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(results["xsw1"]["verdict"], "REFUSED");
}

#[test]
fn whoami_that_never_shows_the_login_stops_with_exit_2() {
    let base = start_sp(Mode::Strict302);
    let whoami = format!("{base}/app");
    let out =
        audit(&base, &["--cases", "xsw1", "--whoami", &whoami, "--whoami-regex", "user: (\\S+)"]);
    support::assert_error(
        &out,
        2,
        "after the genuine login the --whoami page does not show alice@example.com",
    );
}
