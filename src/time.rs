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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_whole_seconds() {
        let t = DateTime::from_secs(1_790_000_000);
        let text = rfc3339(&t);
        assert_eq!(text, "2026-09-21T14:13:20Z");
        assert_eq!(parse_rfc3339(&text), Some(t));
        assert_eq!(parse_rfc3339("yesterday"), None);
    }
}
