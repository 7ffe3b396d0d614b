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

pub fn parse_rfc3339(s: &str) -> Option<DateTime> {
    DateTime::from_str(s, Format::DateTime).ok()
}

/// A calendar date `YYYY-MM-DD`, validated (month and day in range, leap years),
/// as the epoch seconds of its midnight UTC.
pub fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        t.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| t.parse().ok())?
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days_in = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1970..=9999).contains(&y)
        || !(1..=12).contains(&m)
        || d < 1
        || d > days_in[(m - 1) as usize]
    {
        return None;
    }
    // Days from the civil date (Howard Hinnant's algorithm).
    let y2 = if m <= 2 { y - 1 } else { y };
    let era = y2.div_euclid(400);
    let yoe = y2 - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400)
}

/// The date (`YYYY-MM-DD`) of epoch seconds, in UTC.
pub fn date(secs: i64) -> String {
    rfc3339(&DateTime::from_secs(secs))
        .chars()
        .take(10)
        .collect()
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
