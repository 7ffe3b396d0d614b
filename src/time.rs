//! Time helpers: RFC 3339 formatting and epoch conversions through the SDK's DateTime.

use std::time::SystemTime;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

pub fn now() -> DateTime {
    DateTime::from(SystemTime::now())
}

pub fn now_rfc3339() -> String {
    rfc3339(&now())
}

/// RFC 3339 in UTC, whole seconds (`2026-11-27T23:18:17Z`).
pub fn rfc3339(t: &DateTime) -> String {
    DateTime::from_secs(t.secs())
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| t.secs().to_string())
}

/// [`rfc3339`] of epoch seconds.
pub fn rfc3339_secs(secs: i64) -> String {
    rfc3339(&DateTime::from_secs(secs))
}

pub fn parse_rfc3339(s: &str) -> Option<DateTime> {
    DateTime::from_str(s, Format::DateTime).ok()
}

/// Seconds in a day and an hour, for spans counted in epoch seconds.
pub const DAY: i64 = 86_400;
pub const HOUR: i64 = 3_600;

/// A calendar date `YYYY-MM-DD` (four-digit year from 1970, two-digit month and day),
/// validated by the `time` crate (month and day in range, leap years), as the epoch
/// seconds of its midnight UTC.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u16> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let month = time::Month::try_from(u8::try_from(m).ok()?).ok()?;
    let date = time::Date::from_calendar_date(i32::from(y), month, u8::try_from(d).ok()?).ok()?;
    (y >= 1970).then(|| date.midnight().assume_utc().unix_timestamp())
}

/// The date (`YYYY-MM-DD`) of epoch seconds, in UTC.
pub fn date(secs: i64) -> String {
    rfc3339_secs(secs).chars().take(10).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_validated_and_compared_as_dates() {
        for (text, ok) in [
            ("2025-06-01", true),
            ("2024-02-29", true),
            ("2025-02-29", false),
            ("2025-13-01", false),
            ("2025-6-1", false),
            ("2025-06-31", false),
            ("June 2025", false),
            ("2025-06-01T00:00:00Z", false),
        ] {
            assert_eq!(parse_date(text).is_some(), ok, "{text}");
        }
        assert_eq!(parse_date("1970-01-01"), Some(0));
        assert_eq!(
            parse_date("2026-09-21").map(date).as_deref(),
            Some("2026-09-21")
        );
        assert!(parse_date("2025-10-02") > parse_date("2025-09-30"));
    }

    #[test]
    fn round_trips_whole_seconds() {
        let t = DateTime::from_secs(1_790_000_000);
        let text = rfc3339(&t);
        assert_eq!(text, "2026-09-21T14:13:20Z");
        assert_eq!(parse_rfc3339(&text), Some(t));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
