//! The response every samlkit-saml bench works on: alice, 12 attributes, a fixed instant, so
//! runs compare.

use chrono::{Duration, TimeZone, Utc};
use samlkit_saml::{ResponseParams, build_response, group_attributes, name_id_format_uri};

/// The unsigned Response XML.
pub(crate) fn response() -> String {
    let attrs: Vec<(String, String)> = (0..12)
        .map(|i| (format!("attribute{i}"), format!("value number {i} for alice@example.com")))
        .collect();
    let params = ResponseParams {
        issuer: "https://idp.example.com".into(),
        name_id: "alice@example.com".into(),
        name_id_format: name_id_format_uri("email").unwrap_or_default(),
        audiences: vec!["https://sp.example.com".into()],
        recipient: Some("https://sp.example.com/acs".into()),
        destination: Some("https://sp.example.com/acs".into()),
        in_response_to: Some("_req1".into()),
        attributes: group_attributes(attrs.iter().map(|(n, v)| (n.as_str(), v.as_str()))),
        session_index: Some("_s1".into()),
        issue_instant: Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap(),
        valid_for: Duration::seconds(300),
    };
    build_response(&params).expect("builds").xml
}
