//! `--now`: the instant time-dependent commands judge against. The CLI is the only place that
//! reads the clock; libraries get `now` as a parameter.

use chrono::{DateTime, SubsecRound, Utc};
use clap::Args;

/// The `--now RFC3339` flag, shared by every time-dependent command.
#[derive(Args, Debug, Clone, Copy)]
pub(crate) struct NowArg {
    /// Judge validity at this instant instead of the system clock (RFC 3339, e.g.
    /// 2026-06-01T00:00:00Z): to test a renewal schedule or reproduce a report.
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub(crate) now: Option<DateTime<Utc>>,
}

impl NowArg {
    /// The given instant, or the system clock (to the whole second, like certificate times).
    pub(crate) fn resolve(self) -> DateTime<Utc> {
        self.now.unwrap_or_else(Utc::now).trunc_subsecs(0)
    }
}

/// Parses an RFC 3339 timestamp with any offset into UTC.
pub(crate) fn parse_rfc3339(value: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(value.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e}; expected an RFC 3339 timestamp such as 2026-06-01T00:00:00Z"))
}

/// RFC 3339 in UTC with a `Z`, to the second: how every timestamp is printed.
pub(crate) fn format_rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_are_converted_to_utc() {
        let t = parse_rfc3339("2026-06-01T02:00:00+02:00").unwrap();
        assert_eq!(format_rfc3339(t), "2026-06-01T00:00:00Z");
        assert!(parse_rfc3339("2026-06-01").unwrap_err().contains("RFC 3339"));
    }
}
