//! Self-signed certificates and CSRs (OpenSSL's view of them is checked by the root package's
//! `tests/cert_openssl_interop.rs`); expiry and inventory on the fixtures.
// Unwrapping is how a test, bench or example reports a failure; the workspace denies these
// lints in library code only.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use chrono::{DateTime, Duration, TimeZone, Utc};
use common::{fixture, read_fixture};
use samlkit_cert::expiry::ExpiryStatus;
use samlkit_cert::inventory::Health;
use samlkit_cert::{CertError, Certificate, Expiry, Inventory, PrivateKey, Subject, generate};

fn reference_day() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap()
}

fn idp_key() -> PrivateKey {
    PrivateKey::load(&read_fixture("keys/idp.key")).unwrap()
}

fn full_subject() -> Subject {
    Subject {
        common_name: "idp.example.com".into(),
        organization: Some("Example Corp".into()),
        organizational_unit: Some("Identity".into()),
        locality: Some("San Francisco".into()),
        state: Some("California".into()),
        country: Some("US".into()),
        email: Some("identity@example.com".into()),
    }
}

#[test]
fn self_signed_certificate_has_the_promised_shape() {
    let key = idp_key();
    let now = reference_day();
    let cert = generate::self_signed(&key, &full_subject(), now, 365).unwrap();
    let info = cert.info();
    assert!(cert.matches_key(&key));
    assert_eq!(info.not_before, now);
    assert_eq!(info.not_after, now + Duration::days(365));
    assert_eq!(info.signature_algorithm, "sha256WithRSAEncryption");
    assert_eq!(info.serial.len(), 32);
    assert!(info.self_issued);
    assert_eq!(info.common_name.as_deref(), Some("idp.example.com"));
    let other = generate::self_signed(&key, &full_subject(), now, 365).unwrap();
    assert_ne!(other.info().serial, info.serial, "serials are random");

    // Round trip through PEM.
    let back = Certificate::load(cert.to_pem().as_bytes()).unwrap();
    assert_eq!(back.der(), cert.der());
}

#[test]
fn ec_keys_make_certificates_too() {
    let key = PrivateKey::load(&read_fixture("keys/ec-p256.key")).unwrap();
    let cert = generate::self_signed(&key, &Subject::new("ec"), reference_day(), 30).unwrap();
    assert_eq!(cert.info().signature_algorithm, "ecdsa-with-SHA256");
    assert!(cert.matches_key(&key));
}

#[test]
fn days_must_be_in_range() {
    for days in [0, generate::MAX_DAYS + 1] {
        let err = generate::self_signed(&idp_key(), &Subject::new("a"), reference_day(), days);
        assert!(matches!(err, Err(CertError::InvalidParameter { field: "days", .. })), "{days}");
    }
}

#[test]
fn csr_is_a_pem_certificate_request() {
    let csr = generate::certificate_request(&idp_key(), &full_subject()).unwrap();
    let pem = csr.to_pem();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE REQUEST-----\n"));
    assert!(pem.trim_end().ends_with("-----END CERTIFICATE REQUEST-----"));
}

#[test]
fn fixture_expiry_states_at_the_reference_day() {
    let cases = [
        ("certs/idp.crt", ExpiryStatus::Ok, None),
        ("certs/expires-2026-08-15.crt", ExpiryStatus::Ok, None),
        ("certs/expires-2026-06-21.crt", ExpiryStatus::Renew, Some(30)),
        ("certs/expired.crt", ExpiryStatus::Expired, None),
        ("certs/not-yet-valid.crt", ExpiryStatus::NotYetValid, None),
    ];
    for (path, status, threshold) in cases {
        let cert = Certificate::load(&read_fixture(path)).unwrap();
        let info = cert.info();
        let e = Expiry::evaluate(info.not_before, info.not_after, reference_day(), 60);
        assert_eq!((e.status, e.threshold), (status, threshold), "{path}");
    }
}

#[test]
fn sample_inventory_report_is_sorted_and_keeps_going_past_a_missing_file() {
    let path = fixture("inventory/samlkit.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let inventory = Inventory::parse(&text, "samlkit.toml").unwrap();
    let rows = inventory.report(path.parent().unwrap(), reference_day(), 60, |p| {
        std::fs::read(p).map_err(|e| format!("cannot read {}: {e}", p.display()))
    });
    let summary: Vec<(&str, &str)> =
        rows.iter().map(|r| (r.entry.name.as_str(), r.status())).collect();
    assert_eq!(
        summary,
        [
            ("old-hr-sso", "error"),
            ("legacy-partner-portal", "expired"),
            ("jwt-bearer-integration", "renew"),
            ("sso-signing-2026", "renew"),
            ("idp-signing", "ok"),
        ]
    );
    assert!(matches!(&rows[0].health, Health::Error(reason) if reason.contains("hr-sso-2025.crt")));
    assert_eq!(rows[3].warn_days, 90, "per-entry window");
    assert_eq!(rows[3].entry.integrations, ["Salesforce SSO (production)", "Workday SAML"]);
    assert!(rows[4].entry.integrations.contains(&"Salesforce SSO (sandbox)".to_string()));
    assert!(!rows[4].needs_action());
    assert!(rows.iter().take(4).all(|r| r.needs_action()));
}

#[test]
fn an_unparsable_certificate_is_an_entry_error() {
    let inventory =
        Inventory::parse("[[certificate]]\nname = \"x\"\ncert = \"x.crt\"\n", "f").unwrap();
    let rows = inventory.report(std::path::Path::new("."), reference_day(), 60, |_| {
        Ok(b"-----BEGIN CERTIFICATE-----\n!!\n-----END CERTIFICATE-----\n".to_vec())
    });
    assert_eq!(rows[0].status(), "error");
    assert!(
        matches!(&rows[0].health, Health::Error(r) if r.starts_with("malformed PEM at line 1"))
    );
}
