//! What an identity provider remembers between requests stays bounded, through the public API
//! with `now` passed in: answered AuthnRequest IDs ([`RequestIdCache`]) are refused while fresh
//! and forgotten once stale, a full cache refuses instead of forgetting a live ID, and sessions
//! or pending logins ([`ExpiringMap`]) go by lifetime and by count.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{DateTime, Duration, TimeZone, Utc};
use samlkit_saml::idp::{
    ExpiringMap, IncomingRequest, RequestCheck, RequestIdCache, SpRegistration, StatusCode,
    check_authn_request,
};
use samlkit_saml::redirect::{deflate_and_encode, url_encode};
use samlkit_saml::{ErrorKind, ReplayCache, format_instant};

const SSO: &str = "https://idp.example.com/sso";
const SP: &str = "https://sp.example.com";
const ACS: &str = "https://sp.example.com/acs";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap()
}

/// The server's window: requests up to five minutes old, a minute of skew either way.
fn check_at(destinations: &[String], now: DateTime<Utc>) -> RequestCheck<'_> {
    RequestCheck { destinations, now, max_age: Duration::minutes(5), skew: Duration::seconds(60) }
}

fn redirect_query(id: &str, issued: DateTime<Utc>) -> String {
    let xml = format!(
        r#"<samlp:AuthnRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="{id}" Version="2.0" IssueInstant="{}" Destination="{SSO}"><saml:Issuer>{SP}</saml:Issuer></samlp:AuthnRequest>"#,
        format_instant(issued)
    );
    format!("SAMLRequest={}", url_encode(&deflate_and_encode(xml.as_bytes())))
}

/// Checks the request `id` issued at `issued`, at `now`, against `seen`: `Ok(())` or the
/// refusal's error code and SAML status.
fn check(
    seen: &RequestIdCache,
    id: &str,
    issued: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(), (String, Option<StatusCode>)> {
    let destinations = vec![SSO.to_string()];
    let sps = [SpRegistration::new(SP, ACS, None)];
    let query = redirect_query(id, issued);
    check_authn_request(
        IncomingRequest::Redirect { query: &query },
        &sps,
        &check_at(&destinations, now),
        seen,
    )
    .map(|_| ())
    .map_err(|r| (r.error.code().to_string(), r.answer.map(|a| a.status)))
}

#[test]
fn a_request_id_is_refused_for_as_long_as_the_request_is_fresh_then_forgotten() {
    let seen = RequestIdCache::new();
    check(&seen, "_r1", t0(), t0()).unwrap();
    // Table: when the same request comes again, and what it gets.
    let replayed = Err(("request_replayed".to_string(), Some(StatusCode::RequestDenied)));
    let stale = Err(("request_stale".to_string(), Some(StatusCode::RequestDenied)));
    let cases = [
        (Duration::seconds(1), &replayed),
        (Duration::minutes(5), &replayed),
        // The last second of the window (5 min + 60 s skew).
        (Duration::seconds(359), &replayed),
        (Duration::seconds(361), &stale),
    ];
    for (after, expected) in cases {
        assert_eq!(&check(&seen, "_r1", t0(), t0() + after), expected, "{after}");
    }
    // Once the window has passed the ID is gone from memory, not just refused as stale.
    check(&seen, "_r2", t0() + Duration::minutes(7), t0() + Duration::minutes(7)).unwrap();
    assert_eq!(seen.len(), 1, "only _r2 is remembered");
}

#[test]
fn under_steady_traffic_the_cache_holds_one_window_of_ids() {
    // 10 requests a second for 20 minutes: the cache never holds more than the 360 s window
    // (plus the slot of ten seconds not yet dropped), and after the first window it stays there.
    let seen = RequestIdCache::new();
    let mut most = 0;
    for second in 0..1200 {
        let now = t0() + Duration::seconds(second);
        for n in 0..10 {
            check(&seen, &format!("_s{second}_{n}"), now, now).unwrap();
        }
        most = most.max(seen.len());
        if second >= 400 {
            assert!((3600..=3700).contains(&seen.len()), "{} at {second} s", seen.len());
        }
    }
    assert!(most <= 3700, "at most {most}");
}

#[test]
fn a_full_cache_refuses_new_requests_but_never_forgets_a_fresh_id() {
    let seen = RequestIdCache::with_capacity(3);
    for id in ["_a", "_b", "_c"] {
        check(&seen, id, t0(), t0()).unwrap();
    }
    // Full of live IDs: a new request is refused (fail closed), with a SAML error to the SP...
    assert_eq!(
        check(&seen, "_d", t0(), t0() + Duration::seconds(1)),
        Err(("replay_cache_full".to_string(), Some(StatusCode::RequestDenied)))
    );
    // ...and each remembered ID is still refused as a replay.
    for id in ["_a", "_b", "_c"] {
        assert_eq!(
            check(&seen, id, t0(), t0() + Duration::seconds(2)).unwrap_err().0,
            "request_replayed"
        );
    }
    // When they are stale there is room again.
    let later = t0() + Duration::minutes(7);
    check(&seen, "_d", later, later).unwrap();
    assert_eq!(seen.len(), 1);
}

#[test]
fn the_cache_keeps_its_contract_with_any_expiry() {
    let cache = RequestIdCache::new();
    let now = t0();
    // Already expired: accepted and not remembered.
    cache.check_and_insert("_old", now - Duration::seconds(1), now).unwrap();
    assert!(cache.is_empty());
    // Expiring in under a second (rounded up to the second): refused until then.
    let soon = now + Duration::milliseconds(300);
    cache.check_and_insert("_soon", soon, now).unwrap();
    let err = cache.check_and_insert("_soon", soon, now + Duration::milliseconds(200)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Replayed);
    assert!(err.detail().contains("\"_soon\""), "{err}");
    cache.check_and_insert("_soon", soon, now + Duration::seconds(1)).unwrap();
    // IDs that differ only after a thousand characters are different IDs.
    let long = "_".to_string() + &"x".repeat(1000);
    cache.check_and_insert(&format!("{long}1"), soon, now).unwrap();
    cache.check_and_insert(&format!("{long}2"), soon, now).unwrap();
    assert_eq!(
        cache.check_and_insert(&format!("{long}1"), soon, now).unwrap_err().kind(),
        ErrorKind::Replayed
    );
}

#[test]
fn concurrent_submissions_of_one_request_succeed_once() {
    let seen = std::sync::Arc::new(RequestIdCache::new());
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let seen = seen.clone();
            std::thread::spawn(move || check(&seen, "_same", t0(), t0()).is_ok())
        })
        .collect();
    let accepted = handles.into_iter().map(|h| h.join().unwrap()).filter(|ok| *ok).count();
    assert_eq!(accepted, 1);
}

#[test]
fn sessions_expire_after_their_lifetime_from_the_login() {
    let mut sessions = ExpiringMap::new(Duration::hours(8), 100);
    sessions.insert("s1".to_string(), vec!["sp1"], t0());
    // Changing a session in place does not extend it.
    sessions.get_mut("s1", t0() + Duration::hours(7)).unwrap().push("sp2");
    let cases = [
        (Duration::hours(1), Some(vec!["sp1", "sp2"])),
        (Duration::hours(8) - Duration::seconds(1), Some(vec!["sp1", "sp2"])),
        (Duration::hours(8), None),
        (Duration::hours(9), None),
    ];
    for (after, expected) in cases {
        assert_eq!(sessions.get("s1", t0() + after).cloned(), expected, "{after}");
    }
    assert!(sessions.get_mut("s1", t0() + Duration::hours(8)).is_none());
    // An expired entry cannot be taken out either (a late login form after its page expired).
    assert_eq!(sessions.remove("s1", t0() + Duration::hours(8)), None);
    assert!(sessions.is_empty());
}

#[test]
fn a_full_map_drops_expired_entries_first_then_the_oldest() {
    let mut pending = ExpiringMap::new(Duration::minutes(30), 3);
    assert_eq!(pending.capacity(), 3);
    let at = |minutes: i64| t0() + Duration::minutes(minutes);
    pending.insert("a".to_string(), 1, at(0));
    pending.insert("b".to_string(), 2, at(10));
    pending.insert("c".to_string(), 3, at(20));
    // Full; at 35 min "a" has expired: it alone goes.
    pending.insert("d".to_string(), 4, at(35));
    assert_eq!(pending.len(), 3);
    assert_eq!(pending.get("b", at(35)), Some(&2));
    // Full, nothing expired: the oldest ("b") goes.
    pending.insert("e".to_string(), 5, at(36));
    let left: Vec<Option<&i32>> =
        ["a", "b", "c", "d", "e"].iter().map(|k| pending.get(k, at(36))).collect();
    assert_eq!(left, [None, None, Some(&3), Some(&4), Some(&5)]);
    // A removed entry frees its place: nothing else is dropped for the next one.
    assert_eq!(pending.remove("c", at(37)), Some(3));
    pending.insert("f".to_string(), 6, at(37));
    assert_eq!(pending.len(), 3);
    assert_eq!(pending.get("d", at(37)), Some(&4));
}

#[test]
fn a_flood_of_logins_keeps_the_map_at_its_capacity() {
    // 100,000 cookie-less logins in 100 s: the newest 1,000 sessions are kept.
    let mut sessions = ExpiringMap::new(Duration::hours(8), 1000);
    for i in 0..100_000 {
        sessions.insert(format!("s{i}"), i, t0() + Duration::milliseconds(i));
        assert!(sessions.len() <= 1000);
    }
    let now = t0() + Duration::seconds(100);
    assert_eq!(sessions.get("s98999", now), None);
    assert_eq!(sessions.get("s99000", now), Some(&99_000));
}
