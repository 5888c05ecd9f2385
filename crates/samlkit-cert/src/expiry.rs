//! Expiry: where a certificate stands against `now` and a renewal window.
//!
//! Salesforce e-mails administrators 60, 30 and 10 days before a certificate expires; the
//! default warning window is the first of those, and [`Expiry::threshold`] says which reminder
//! has already gone out.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use samlkit_cert::expiry::{Expiry, ExpiryStatus};
//! let not_before = Utc.with_ymd_and_hms(2025, 6, 21, 0, 0, 0).unwrap();
//! let not_after = Utc.with_ymd_and_hms(2026, 6, 21, 0, 0, 0).unwrap();
//! let now = Utc.with_ymd_and_hms(2026, 6, 1, 0, 0, 0).unwrap();
//! let expiry = Expiry::evaluate(not_before, not_after, now, 60);
//! assert_eq!(expiry.status, ExpiryStatus::Renew);
//! assert_eq!(expiry.days_left, 20);
//! assert_eq!(expiry.threshold, Some(30));
//! ```

use std::fmt;

use chrono::{DateTime, Utc};

/// The default warning window, in days: Salesforce's first reminder.
pub const DEFAULT_WARN_DAYS: u32 = 60;

/// The days before expiry at which Salesforce sends its reminder e-mails, largest first.
pub const SALESFORCE_REMINDER_DAYS: [u32; 3] = [60, 30, 10];

const SECONDS_PER_DAY: i64 = 86_400;

/// Where a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExpiryStatus {
    /// Valid, and not inside the warning window.
    Ok,
    /// Valid, but expires within the warning window: renew it.
    Renew,
    /// Past its notAfter.
    Expired,
    /// Before its notBefore (a certificate staged for a future rotation, or a wrong clock).
    NotYetValid,
}

impl ExpiryStatus {
    /// `ok`, `renew`, `expired` or `not-yet-valid`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExpiryStatus::Ok => "ok",
            ExpiryStatus::Renew => "renew",
            ExpiryStatus::Expired => "expired",
            ExpiryStatus::NotYetValid => "not-yet-valid",
        }
    }

    /// Whether someone has to act: everything but `ok`.
    pub fn needs_action(self) -> bool {
        self != ExpiryStatus::Ok
    }
}

impl fmt::Display for ExpiryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A certificate's validity judged at one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Expiry {
    /// The verdict.
    pub status: ExpiryStatus,
    /// Whole days from `now` to notAfter, rounded down: 0 on the last day, negative once
    /// expired (-1 means "expired within the last 24 hours").
    pub days_left: i64,
    /// Seconds from `now` to notAfter, negative once expired: the exact figure behind
    /// `days_left` (and behind "expired N days ago", which counts whole days since expiry).
    pub seconds_left: i64,
    /// The warning window the verdict used.
    pub warn_days: u32,
    /// The smallest Salesforce reminder threshold (60, 30, 10) already crossed, while the
    /// certificate is still valid; `None` when no reminder is due yet, or once it has expired.
    pub threshold: Option<u32>,
}

impl Expiry {
    /// Judges a validity period `not_before ..= not_after` at `now` with a warning window of
    /// `warn_days` days. A certificate is expired from the instant `now >= not_after`, and
    /// must be renewed once `not_after - now <= warn_days` days.
    pub fn evaluate(
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
        now: DateTime<Utc>,
        warn_days: u32,
    ) -> Expiry {
        let seconds_left = (not_after - now).num_seconds();
        let days_left = seconds_left.div_euclid(SECONDS_PER_DAY);
        let within = |days: u32| seconds_left <= i64::from(days) * SECONDS_PER_DAY;
        let status = if now < not_before {
            ExpiryStatus::NotYetValid
        } else if seconds_left <= 0 {
            ExpiryStatus::Expired
        } else if within(warn_days) {
            ExpiryStatus::Renew
        } else {
            ExpiryStatus::Ok
        };
        let threshold = if seconds_left > 0 {
            SALESFORCE_REMINDER_DAYS.into_iter().rev().find(|&days| within(days))
        } else {
            None
        };
        Expiry { status, days_left, seconds_left, warn_days, threshold }
    }

    /// One human sentence, e.g. `expires in 20 days (renewal window 60 days; Salesforce's
    /// 30-day reminder threshold crossed)`.
    pub fn describe(&self, not_before: DateTime<Utc>, not_after: DateTime<Utc>) -> String {
        let day = |d: DateTime<Utc>| d.format("%Y-%m-%d").to_string();
        let plural = |n: i64| if n == 1 { "" } else { "s" };
        let threshold = match self.threshold {
            Some(days) => format!("; Salesforce's {days}-day reminder threshold crossed"),
            None => String::new(),
        };
        match self.status {
            ExpiryStatus::NotYetValid => format!("not valid until {}", day(not_before)),
            ExpiryStatus::Expired => {
                // Whole days since expiry, rounded down like `days_left` is for the days to
                // come: 514 days and a minute ago is "514 days ago".
                let ago = (-self.seconds_left) / SECONDS_PER_DAY;
                if ago == 0 {
                    format!("expired on {} (less than a day ago)", day(not_after))
                } else {
                    format!("expired on {} ({ago} day{} ago)", day(not_after), plural(ago))
                }
            }
            ExpiryStatus::Renew => format!(
                "expires in {} day{} on {} (inside the {}-day renewal window{threshold})",
                self.days_left,
                plural(self.days_left),
                day(not_after),
                self.warn_days
            ),
            ExpiryStatus::Ok => format!(
                "expires in {} day{} on {}{threshold}",
                self.days_left,
                plural(self.days_left),
                day(not_after)
            ),
        }
    }
}

/// A time span for people, the one format every message uses: `59s`, `4m 59s`, `2h 3m`,
/// `3d 4h` (the sign is dropped: the sentence around it says "ago" or "in").
///
/// ```
/// use samlkit_cert::expiry::human_duration;
/// assert_eq!(human_duration(299), "4m 59s");
/// assert_eq!(human_duration(-90_000), "1d 1h");
/// ```
pub fn human_duration(seconds: i64) -> String {
    let s = seconds.unsigned_abs();
    match s {
        0..=59 => format!("{s}s"),
        60..=3599 => format!("{}m {}s", s / 60, s % 60),
        3600..=86_399 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86_400, (s % 86_400) / 3600),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn table_of_states() {
        let not_before = at(2025, 1, 1, 0);
        let not_after = at(2026, 1, 1, 0);
        // (now, warn_days, status, days_left, threshold)
        let cases = [
            (at(2024, 12, 31, 23), 60, ExpiryStatus::NotYetValid, 365, None),
            (at(2025, 1, 1, 0), 60, ExpiryStatus::Ok, 365, None),
            (at(2025, 11, 1, 0), 60, ExpiryStatus::Ok, 61, None),
            (at(2025, 11, 2, 0), 60, ExpiryStatus::Renew, 60, Some(60)),
            (at(2025, 11, 2, 0), 45, ExpiryStatus::Ok, 60, Some(60)),
            (at(2025, 12, 2, 0), 60, ExpiryStatus::Renew, 30, Some(30)),
            (at(2025, 12, 12, 0), 60, ExpiryStatus::Renew, 20, Some(30)),
            (at(2025, 12, 22, 0), 60, ExpiryStatus::Renew, 10, Some(10)),
            (at(2025, 12, 31, 23), 60, ExpiryStatus::Renew, 0, Some(10)),
            (at(2026, 1, 1, 0), 60, ExpiryStatus::Expired, 0, None),
            (at(2026, 1, 1, 5), 60, ExpiryStatus::Expired, -1, None),
            (at(2026, 3, 1, 0), 0, ExpiryStatus::Expired, -59, None),
        ];
        for (now, warn, status, days_left, threshold) in cases {
            let e = Expiry::evaluate(not_before, not_after, now, warn);
            assert_eq!(
                (e.status, e.days_left, e.threshold),
                (status, days_left, threshold),
                "{now}"
            );
        }
    }

    #[test]
    fn sentences() {
        let nb = at(2025, 1, 1, 0);
        let na = at(2026, 1, 1, 0);
        let say = |now| Expiry::evaluate(nb, na, now, 60).describe(nb, na);
        assert_eq!(
            say(at(2025, 12, 12, 0)),
            "expires in 20 days on 2026-01-01 (inside the 60-day renewal window; Salesforce's 30-day reminder threshold crossed)"
        );
        assert_eq!(say(at(2025, 6, 1, 0)), "expires in 214 days on 2026-01-01");
        assert_eq!(say(at(2026, 1, 3, 0)), "expired on 2026-01-01 (2 days ago)");
        // 514 days and a minute after expiry is 514 whole days, not 515.
        let late = at(2027, 5, 30, 0) + chrono::Duration::minutes(1);
        assert_eq!((late - at(2026, 1, 1, 0)).num_days(), 514);
        assert_eq!(say(late), "expired on 2026-01-01 (514 days ago)");
        assert_eq!(say(at(2026, 1, 1, 5)), "expired on 2026-01-01 (less than a day ago)");
        assert_eq!(say(at(2024, 1, 1, 0)), "not valid until 2025-01-01");
    }
}
