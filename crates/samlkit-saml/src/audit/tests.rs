//! The oracle on the SP behaviours that fool status-only judges, as a table.

use super::*;

const ALICE: &str = "alice@example.com";
const BASE: &str = "http://127.0.0.1:8000";

fn obs(statuses: &[u16], path: &str, cookies: &[&str], page: &str) -> Observation {
    Observation {
        statuses: statuses.to_vec(),
        final_url: format!("{BASE}{path}"),
        new_cookies: cookies.iter().map(|c| c.to_string()).collect(),
        page: page.to_string(),
        whoami: None,
        page_identity: None,
    }
}

fn with_whoami(mut o: Observation, who: Option<&str>) -> Observation {
    o.whoami = who.map(str::to_string);
    o
}

struct Row {
    sp: &'static str,
    accepted: Observation,
    refused: Observation,
    case: Observation,
    whoami: bool,
    want: Verdict,
}

fn polite_sorry(detail: &str) -> String {
    format!(
        "<html><body><h1>Sign-in problem</h1><p>Sorry, we could not sign you in: {detail}.</p><p>Reference _a{}</p></body></html>",
        detail.len() * 7919
    )
}

fn welcome(who: &str) -> String {
    format!(
        "<html><body><h1>Welcome</h1><p>You are signed in as {who}.</p><a href=/logout>Log out</a></body></html>"
    )
}

#[test]
fn verdicts_for_sp_behaviours_status_alone_gets_wrong() {
    let rows = [
        // Every refusal is 200 with a polite page at the ACS; a login is 200 with a welcome.
        Row {
            sp: "polite 200, refused",
            accepted: obs(&[200], "/acs", &["session"], &welcome(ALICE)),
            refused: obs(&[200], "/acs", &[], &polite_sorry("signature invalid")),
            case: obs(&[200], "/acs", &[], &polite_sorry("audience invalid for this site")),
            whoami: false,
            want: Verdict::Refused,
        },
        Row {
            sp: "polite 200, accepted",
            accepted: obs(&[200], "/acs", &["session"], &welcome(ALICE)),
            refused: obs(&[200], "/acs", &[], &polite_sorry("signature invalid")),
            case: obs(&[200], "/acs", &["session"], &welcome("attacker@evil.example")),
            whoami: false,
            want: Verdict::Accepted,
        },
        // A good login is 302 → 200 on the application; a refusal is 403 at the ACS.
        Row {
            sp: "302 after login, accepted",
            accepted: obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)),
            refused: obs(&[403], "/acs", &[], "<h1>Forbidden</h1>"),
            case: obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)),
            whoami: false,
            want: Verdict::Accepted,
        },
        Row {
            sp: "302 after login, refused",
            accepted: obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)),
            refused: obs(&[403], "/acs", &[], "<h1>Forbidden</h1>"),
            case: obs(&[403], "/acs", &[], "<h1>Forbidden</h1>"),
            whoami: false,
            want: Verdict::Refused,
        },
        // A refusal that redirects to an error page (302 too) is still a refusal.
        Row {
            sp: "302 to an error page",
            accepted: obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)),
            refused: obs(&[302, 200], "/error", &[], "<p>Login failed. Try again.</p>"),
            case: obs(&[302, 200], "/error", &[], "<p>Login failed. Try again.</p>"),
            whoami: false,
            want: Verdict::Refused,
        },
        // A crash is like neither baseline.
        Row {
            sp: "500 on one case",
            accepted: obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)),
            refused: obs(&[302, 200], "/error", &[], "<p>Login failed. Try again.</p>"),
            case: obs(&[500], "/acs", &[], "<pre>Traceback KeyError</pre>"),
            whoami: false,
            want: Verdict::Inconclusive,
        },
        // With whoami, the identity decides, whatever the page looks like.
        Row {
            sp: "whoami shows the attacker",
            accepted: with_whoami(obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)), Some(ALICE)),
            refused: obs(&[403], "/acs", &[], "<h1>Forbidden</h1>"),
            case: with_whoami(
                obs(&[403], "/acs", &[], "<h1>Forbidden</h1>"),
                Some("attacker@evil.example"),
            ),
            whoami: true,
            want: Verdict::Accepted,
        },
        Row {
            sp: "whoami shows nobody",
            accepted: with_whoami(obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)), Some(ALICE)),
            refused: obs(&[403], "/acs", &[], "<h1>Forbidden</h1>"),
            case: obs(&[302, 200], "/app", &["sid"], &welcome(ALICE)),
            whoami: true,
            want: Verdict::Refused,
        },
    ];
    for row in rows {
        let baselines = Baselines::learn(&row.accepted, &row.refused, ALICE, row.whoami)
            .unwrap_or_else(|e| panic!("{}: baselines: {e}", row.sp));
        let judged = baselines.judge(&row.case, Overrides::default(), None);
        assert_eq!(judged.verdict, row.want, "{}: {judged:?}", row.sp);
    }
}

#[test]
fn overrides_win_over_distances_and_conflict_is_inconclusive() {
    let accepted = obs(&[302, 200], "/app", &["sid"], &welcome(ALICE));
    let refused = obs(&[403], "/acs", &[], "<h1>Forbidden</h1>");
    let baselines = Baselines::learn(&accepted, &refused, ALICE, false).unwrap();
    let cases = [
        (Overrides { accepted: true, refused: false }, &refused, Verdict::Accepted),
        (Overrides { accepted: false, refused: true }, &accepted, Verdict::Refused),
        (Overrides { accepted: true, refused: true }, &accepted, Verdict::Inconclusive),
        (Overrides::default(), &accepted, Verdict::Accepted),
    ];
    for (overrides, observed, want) in cases {
        assert_eq!(baselines.judge(observed, overrides, None).verdict, want, "{overrides:?}");
    }
}

#[test]
fn baselines_that_look_alike_are_refused_with_the_reason() {
    let same = obs(&[200], "/acs", &[], "<p>Thank you.</p>");
    let err = Baselines::learn(&same, &same.clone(), ALICE, false).unwrap_err();
    assert_eq!(err.code(), "audit_baselines_unusable");
    assert!(err.detail().contains("cannot") || err.detail().contains("alike"), "{err}");
    assert!(err.detail().contains("--whoami"), "{err}");

    let no_login = obs(&[200], "/app", &["sid"], &welcome(ALICE));
    let err = Baselines::learn(&no_login, &same, ALICE, true).unwrap_err();
    assert!(err.detail().contains("does not show alice@example.com"), "{err}");

    let logged = with_whoami(no_login.clone(), Some(ALICE));
    let err = Baselines::learn(&logged, &logged.clone(), ALICE, true).unwrap_err();
    assert!(
        err.detail().contains("broken signature the --whoami page shows alice@example.com"),
        "{err}"
    );
}

#[test]
fn identity_is_found_as_a_whole_word_longest_first() {
    let candidates = [ALICE, "alice@example.com.evil.example", "attacker@evil.example"];
    let table = [
        ("<p>alice@example.com</p>", Some(ALICE)),
        ("<p>alice@example.com.</p>", Some(ALICE)),
        ("<p>alice@example.com.evil.example</p>", Some("alice@example.com.evil.example")),
        ("<p>malice@example.com</p>", None),
        ("<p>attacker@evil.example</p>", Some("attacker@evil.example")),
        ("<p>not signed in</p>", None),
    ];
    for (page, want) in table {
        assert_eq!(find_identity(page, &candidates).as_deref(), want, "{page}");
    }
}

#[test]
fn page_fingerprint_ignores_markup_scripts_numbers_and_tokens() {
    let a = page_words("<script>var t='x1';</script><p>Error 4711 at 10:01 for _abc123</p>");
    let b = page_words("<p>Error 9 at 11:59 for _zzz999</p><style>p{}</style>");
    assert_eq!(a, b);
    assert!(a.contains("error") && !a.contains("var"), "{a:?}");
}

#[test]
fn every_case_has_a_unique_name_and_a_reference() {
    let cases = all_cases();
    assert_eq!(cases.len(), crate::BreakKind::ALL.len() + 4);
    let mut names: Vec<&str> = cases.iter().map(|c| c.name).collect();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), cases.len());
    assert!(cases.iter().all(|c| !c.reference.is_empty() && !c.sends_dtd()));
    assert_eq!(case_by_name("xsw3").map(|c| c.kind), Some(CaseKind::Break(crate::BreakKind::Xsw3)));
    assert!(case_by_name("nope").is_none());
}

#[test]
fn exit_status_and_junit_count_accepted_and_inconclusive_as_failures() {
    let case = case_by_name("xsw1").unwrap();
    let refused_obs = obs(&[403], "/acs", &[], "x");
    let j = |verdict| Judgement { verdict, to_accepted: 0.1, to_refused: 0.9, note: None };
    let refused = CaseResult::judged(&case, &refused_obs, j(Verdict::Refused), ALICE);
    let skipped = CaseResult::skipped(&case, "needs --login-url");
    assert_eq!(exit_status(&[refused.clone(), skipped.clone()]), 0);
    let accepted = CaseResult::judged(
        &case,
        &with_whoami(refused_obs.clone(), Some("attacker@evil.example")),
        j(Verdict::Accepted),
        ALICE,
    );
    assert!(accepted.evidence().contains("whoami attacker@evil.example (NOT the signed identity)"));
    assert_eq!(exit_status(&[refused.clone(), accepted.clone()]), 1);
    let inconclusive = CaseResult::judged(&case, &refused_obs, j(Verdict::Inconclusive), ALICE);
    assert_eq!(exit_status(std::slice::from_ref(&inconclusive)), 1);

    let xml = junit(&[refused, accepted, inconclusive, skipped], "sp <audit>");
    assert!(
        xml.contains("name=\"sp &lt;audit&gt;\" tests=\"4\" failures=\"2\" skipped=\"1\""),
        "{xml}"
    );
    samlkit_xml::parse(&xml).unwrap();
    let json = CaseResult::skipped(&case, "why").json();
    assert_eq!(json["verdict"], "SKIPPED");
    assert_eq!(json["case"], "xsw1");
}

#[test]
fn payload_with_a_dtd_is_recognised_in_any_case() {
    assert!(payload_has_dtd("<!doctype x>"));
    assert!(payload_has_dtd("<!ENTITY % p SYSTEM 'http://x'>"));
    assert!(!payload_has_dtd("<samlp:Response ID=\"_1\"/>"));
}

#[test]
fn identity_attacks_are_judged_by_who_logged_in() {
    let accepted = obs(&[302, 200], "/app", &["sid"], &welcome(ALICE));
    let refused = obs(&[403], "/acs", &[], "<h1>Forbidden</h1>");
    let comment = case_by_name("comment-in-nameid").unwrap();
    let signed = comment.signed_identity(ALICE);
    assert_eq!(signed, "alice@example.com.evil.example");
    assert!(comment.identity_attack() && !case_by_name("expired").unwrap().identity_attack());
    let login_as = |who: Option<&str>, page_only: bool| {
        let mut o = obs(&[302, 200], "/app", &["sid"], &welcome(who.unwrap_or("someone")));
        if page_only {
            o.page_identity = who.map(str::to_string)
        } else {
            o.whoami = who.map(str::to_string)
        }
        o
    };
    let rows = [
        // (whoami baselines, what the SP showed, from the page only, verdict)
        (true, Some(signed.as_str()), false, Verdict::Refused),
        (true, Some(ALICE), false, Verdict::Accepted),
        (false, Some(signed.as_str()), true, Verdict::Refused),
        (false, Some(ALICE), true, Verdict::Accepted),
        (false, None, true, Verdict::Inconclusive),
    ];
    for (whoami, who, page_only, want) in rows {
        let accepted =
            if whoami { with_whoami(accepted.clone(), Some(ALICE)) } else { accepted.clone() };
        let baselines = Baselines::learn(&accepted, &refused, ALICE, whoami).unwrap();
        let judged =
            baselines.judge(&login_as(who, page_only), Overrides::default(), Some(&signed));
        assert_eq!(judged.verdict, want, "{whoami} {who:?} {page_only}: {judged:?}");
        if want != Verdict::Accepted {
            assert!(judged.note.is_some(), "{judged:?}");
        }
    }
}

#[test]
fn overrides_rescue_look_alike_baselines_only_when_they_judge_them_right() {
    let same = obs(&[200], "/acs", &[], "<p>Thank you.</p>");
    let yes = Overrides { accepted: true, refused: false };
    let no = Overrides { accepted: false, refused: true };
    let none = Overrides::default();
    let rows = [
        (Some((yes, none)), true),
        (Some((none, no)), true),
        (Some((yes, no)), true),
        (Some((none, none)), false),
        (Some((no, none)), false),
        (Some((yes, yes)), false),
        (None, false),
    ];
    for (overrides, usable) in rows {
        let learned =
            Baselines::learn_with_overrides(&same, &same.clone(), ALICE, false, overrides);
        assert_eq!(learned.is_ok(), usable, "{overrides:?}: {learned:?}");
    }
}
