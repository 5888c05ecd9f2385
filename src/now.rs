//! Time on the command line, in one place: `--now` and every other instant flag are parsed here,
//! every instant is printed here (RFC 3339 with a `Z`), every span is worded by
//! [`samlkit_cert::expiry::human_duration`], and the checks that keep a computed instant inside
//! what SAML and X.509 can write (years 0000–9999) live here. The CLI is the only place that
//! reads the clock; libraries get `now` as a parameter.

use chrono::{DateTime, Duration, NaiveDate, SubsecRound, TimeZone, Utc};
use clap::Args;

use crate::error::CliError;

/// The `--now RFC3339` flag, shared by every time-dependent command.
#[derive(Args, Debug, Clone, Copy)]
pub(crate) struct NowArg {
    /// Judge validity at this instant instead of the system clock (RFC 3339, e.g.
    /// 2026-06-01T00:00:00Z, or a date, 2026-06-01, meaning midnight UTC): to test a renewal
    /// schedule or reproduce a report.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub(crate) now: Option<DateTime<Utc>>,
}

impl NowArg {
    /// The given instant, or the system clock (to the whole second, like certificate times).
    pub(crate) fn resolve(self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now).trunc_subsecs(0)
    }
}

/// Parses an RFC 3339 timestamp with any offset into UTC; a date alone (`2026-06-01`) is
/// midnight UTC of that day.
pub(crate) fn parse_rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    let value = value.trim();
    if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        return date
            .and_hms_opt(0, 0, 0)
            .map(|t| Utc.from_utc_datetime(&t))
            .ok_or_else(|| format!("{value} is not a valid date"));
    }
    DateTime::parse_from_rfc3339(value).map(|t| t.with_timezone(&Utc)).map_err(|e| {
        format!(
            "{value:?} is not a date or time ({}); expected RFC 3339 such as \
             2026-06-01T00:00:00Z, or a date such as 2026-06-01",
            lowercase_first(&e.to_string())
        )
    })
}

/// RFC 3339 in UTC with a `Z`, to the second: how every timestamp is printed.
pub(crate) fn format_rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The last instant SAML's xs:dateTime and X.509's GeneralizedTime can both write with a
/// four-digit year.
fn last_writable_instant() -> DateTime<Utc> {
    // 9999-12-31T23:59:59Z; `from_timestamp` only fails outside chrono's range, and this is
    // inside it.
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `start + seconds`, refused (exit 2, naming `what` and the flags involved) when it would lie
/// after 9999-12-31T23:59:59Z: such an instant cannot be written with a four-digit year, and a
/// verifier would refuse what we wrote.
pub(crate) fn checked_end(
    start: DateTime<Utc>,
    seconds: i64,
    what: &str,
) -> Result<DateTime<Utc>, CliError> {
    let end = Duration::try_seconds(seconds).and_then(|d| start.checked_add_signed(d));
    match end {
        Some(end) if end <= last_writable_instant() => Ok(end),
        _ => Err(CliError::input(format!(
            "{what} would fall after 9999-12-31T23:59:59Z ({} + {}), which cannot be written \
             as a four-digit year: use an earlier --now or a shorter validity",
            format_rfc3339(start),
            samlkit_cert::expiry::human_duration(seconds)
        ))),
    }
}

/// The message with its first letter in lower case (messages follow `error: `).
pub(crate) fn lowercase_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc_and_a_date_is_midnight() {
        let cases = [
            ("2026-06-01T02:00:00+02:00", "2026-06-01T00:00:00Z"),
            ("2026-06-01T00:00:00Z", "2026-06-01T00:00:00Z"),
            ("2026-06-01", "2026-06-01T00:00:00Z"),
            (" 2026-06-01 ", "2026-06-01T00:00:00Z"),
        ];
        for (input, expected) in cases {
            assert_eq!(format_rfc3339(parse_rfc3339(input).unwrap()), expected, "{input}");
        }
        for bad in ["2026-13-01", "yesterday", "2026-06-01T25:00:00Z"] {
            let e = parse_rfc3339(bad).unwrap_err();
            assert!(e.contains("expected RFC 3339"), "{bad}: {e}");
        }
    }

    #[test]
    fn an_end_after_year_9999_is_refused() {
        let late = parse_rfc3339("9999-12-31T23:59:59Z").unwrap();
        let e = checked_end(late, 300, "NotOnOrAfter").unwrap_err();
        assert!(e.message.starts_with("NotOnOrAfter would fall after 9999-12-31T23:59:59Z"));
        assert!(e.message.contains("(9999-12-31T23:59:59Z + 5m 0s)"), "{}", e.message);
        let early = parse_rfc3339("9999-12-31T23:54:59Z").unwrap();
        assert_eq!(format_rfc3339(checked_end(early, 300, "x").unwrap()), "9999-12-31T23:59:59Z");
    }
}
