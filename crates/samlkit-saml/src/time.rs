//! SAML instants: `xs:dateTime` in UTC, written as `YYYY-MM-DDThh:mm:ssZ`.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::ErrorKind;
use crate::SamlError;

/// Formats an instant the way SAML core §1.3.3 asks: UTC with a `Z`, no fractional seconds.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// let t = Utc.with_ymd_and_hms(2026, 1, 2, 3, 4, 5).unwrap();
/// assert_eq!(samlkit_saml::format_instant(t), "2026-01-02T03:04:05Z");
/// ```
pub fn format_instant(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Parses an `xs:dateTime` with a time zone (`Z` or an offset); fractional seconds allowed.
/// `what` names the attribute for the error message.
pub fn parse_instant(value: &str, what: &str) -> Result<DateTime<Utc>, SamlError> {
    DateTime::parse_from_rfc3339(value.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| {
        SamlError::new(
            ErrorKind::AssertionInvalid,
            format!("{what} is not a UTC instant like 2026-01-02T03:04:05Z: {value:?}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn round_trip_and_fractions() {
        let t = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).unwrap();
        assert_eq!(parse_instant(&format_instant(t), "x").unwrap(), t);
        assert_eq!(
            parse_instant("2026-11-29T10:00:00.123Z", "x").unwrap().timestamp(),
            t.timestamp()
        );
        assert_eq!(parse_instant("2026-11-29T11:00:00+01:00", "x").unwrap(), t);
        let err = parse_instant("yesterday", "NotOnOrAfter").unwrap_err();
        assert!(err.to_string().contains("NotOnOrAfter"), "{err}");
    }
}
