//! Time as a type: [`Timestamp`], the instants AWS reports, parsed once where they enter
//! and written back as the RFC 3339 text bundles carry; RFC 3339 formatting and epoch
//! conversions through the SDK's DateTime.

use std::fmt;
use std::time::SystemTime;

use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;

fn now() -> DateTime {
    DateTime::from(SystemTime::now())
}

/// RFC 3339 in UTC, whole seconds (`2026-11-27T23:18:17Z`).
fn rfc3339(t: &DateTime) -> String {
    DateTime::from_secs(t.secs())
        .fmt(Format::DateTime)
        .unwrap_or_else(|_| t.secs().to_string())
}

/// [`rfc3339`] of epoch seconds.
fn rfc3339_secs(secs: i64) -> String {
    rfc3339(&DateTime::from_secs(secs))
}

fn parse_rfc3339(s: &str) -> Option<DateTime> {
    DateTime::from_str(s, Format::DateTime).ok()
}

/// An instant as AWS reports it, to the second, in UTC. Parsed once where it enters (an
/// SDK `DateTime`, a CloudTrail record's text), compared and counted as a date-time
/// (`time::OffsetDateTime`, with `time::Duration` spans), and written as RFC 3339 text in
/// whole seconds (`2026-11-27T23:18:17Z`): the text bundles have always carried, so a bundle
/// read back serialises to the bytes that were signed (`tests/compat.rs`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(time::OffsetDateTime);

impl Timestamp {
    /// The first and last instants RFC 3339 writes (years 0001 to 9999).
    const MIN_SECS: i64 = -62_135_596_800;
    const MAX_SECS: i64 = 253_402_300_799;

    /// The instant `secs` seconds after the Unix epoch, held within the years 0001..=9999
    /// RFC 3339 writes (an instant AWS reports always is).
    pub fn from_secs(secs: i64) -> Timestamp {
        let secs = secs.clamp(Timestamp::MIN_SECS, Timestamp::MAX_SECS);
        Timestamp(
            time::OffsetDateTime::from_unix_timestamp(secs)
                .unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
        )
    }

    /// An SDK date-time, to the second.
    pub fn from_sdk(t: &DateTime) -> Timestamp {
        Timestamp::from_secs(t.secs())
    }

    /// RFC 3339 text (`2026-11-27T23:18:17Z`, a fraction of a second dropped), as AWS writes
    /// it in JSON (CloudTrail's eventTime, AWS Config's configurationItemCaptureTime).
    pub fn parse(text: &str) -> Option<Timestamp> {
        parse_rfc3339(text).map(|t| Timestamp::from_sdk(&t))
    }

    /// A time inside a CloudTrail record's responseElements, as CloudTrail writes the
    /// answer's timestamps: `Aug 10, 2022, 10:38:27 PM` in UTC (KMS Developer Guide, the
    /// CloudTrail log entry for CreateKey: `creationDate` of that event at
    /// 2022-08-10T22:38:27Z), also without the comma after the year; or RFC 3339. Anything
    /// else is not on record (`None`).
    pub fn from_cloudtrail(text: &str) -> Option<Timestamp> {
        if let Some(t) = Timestamp::parse(text) {
            return Some(t);
        }
        let words: Vec<&str> = text.split([' ', ',']).filter(|w| !w.is_empty()).collect();
        let [month, day, year, clock, period] = words[..] else {
            return None;
        };
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let month = MONTHS.iter().position(|m| *m == month)?;
        let month = time::Month::try_from(u8::try_from(month + 1).ok()?).ok()?;
        let date = time::Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?);
        let hms: Vec<u8> = clock
            .split(':')
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [hour, minute, second] = hms[..] else {
            return None;
        };
        let hour = match (period, hour) {
            (_, 0) | (_, 13..) => return None,
            ("AM", 12) => 0,
            ("AM", h) => h,
            ("PM", 12) => 12,
            ("PM", h) => h + 12,
            _ => return None,
        };
        let clock = time::Time::from_hms(hour, minute, second).ok()?;
        let at = time::PrimitiveDateTime::new(date.ok()?, clock).assume_utc();
        Some(Timestamp::from_secs(at.unix_timestamp()))
    }

    /// As an SDK date-time, for a request.
    pub fn to_sdk(self) -> DateTime {
        DateTime::from_secs(self.secs())
    }

    /// Now, to the second.
    pub fn now() -> Timestamp {
        Timestamp::from_sdk(&now())
    }

    /// Seconds since the Unix epoch.
    pub fn secs(self) -> i64 {
        self.0.unix_timestamp()
    }

    /// Its date, `YYYY-MM-DD`.
    pub fn date(self) -> String {
        self.to_string().chars().take(10).collect()
    }

    /// The last instant at or before it that is a whole number of `unit`s after the Unix
    /// epoch (CloudWatch aligns its periods so, GetMetricData "StartTime").
    pub fn floor(self, unit: time::Duration) -> Timestamp {
        let unit = unit.whole_seconds().max(1);
        Timestamp::from_secs(self.secs() - self.secs().rem_euclid(unit))
    }

    /// The first day of the month `months` before this one's (UTC), `YYYY-MM-DD`.
    pub fn month_start_before(self, months: u32) -> String {
        let d = self.0.date();
        let index = d.year() * 12 + i32::from(u8::from(d.month())) - 1 - months as i32;
        let month = u8::try_from(index.rem_euclid(12) + 1).unwrap_or(1);
        format!("{:04}-{month:02}-01", index.div_euclid(12))
    }

    /// The earliest and latest instants it holds (years 0001 and 9999), for open bounds.
    pub fn earliest() -> Timestamp {
        Timestamp::from_secs(Timestamp::MIN_SECS)
    }

    pub fn latest() -> Timestamp {
        Timestamp::from_secs(Timestamp::MAX_SECS)
    }
}

impl Default for Timestamp {
    /// The Unix epoch.
    fn default() -> Timestamp {
        Timestamp(time::OffsetDateTime::UNIX_EPOCH)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&rfc3339_secs(self.secs()))
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Whole seconds, saturating at the years 0001 and 9999.
impl std::ops::Add<time::Duration> for Timestamp {
    type Output = Timestamp;
    fn add(self, d: time::Duration) -> Timestamp {
        Timestamp::from_secs(self.secs().saturating_add(d.whole_seconds()))
    }
}

impl std::ops::Sub<time::Duration> for Timestamp {
    type Output = Timestamp;
    fn sub(self, d: time::Duration) -> Timestamp {
        Timestamp::from_secs(self.secs().saturating_sub(d.whole_seconds()))
    }
}

impl std::ops::Sub for Timestamp {
    type Output = time::Duration;
    fn sub(self, other: Timestamp) -> time::Duration {
        self.0 - other.0
    }
}

impl std::str::FromStr for Timestamp {
    type Err = String;
    fn from_str(text: &str) -> Result<Timestamp, String> {
        Timestamp::parse(text)
            .ok_or_else(|| format!("`{text}` is not an RFC 3339 time (like 2026-11-27T23:18:17Z)"))
    }
}

/// Test literals: `at: "2026-10-01T00:00:00Z".into()`.
#[cfg(test)]
impl From<&str> for Timestamp {
    fn from(text: &str) -> Timestamp {
        text.parse().unwrap_or_else(|e: String| panic!("{e}"))
    }
}

impl serde::Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Timestamp, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

/// A span of time: from its start to its end, both included.
pub type Span = (Timestamp, Timestamp);

/// A day and an hour, the spans the rules and the collectors count in.
pub const DAY: time::Duration = time::Duration::DAY;
pub const HOUR: time::Duration = time::Duration::HOUR;

/// `d` in days, with their fraction.
pub fn days(d: time::Duration) -> f64 {
    d / DAY
}

/// A calendar date `YYYY-MM-DD` (four-digit year from 1970, two-digit month and day),
/// validated by the `time` crate (month and day in range, leap years), as its midnight UTC.
pub fn parse_date(s: &str) -> Option<Timestamp> {
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
    (y >= 1970).then(|| Timestamp(date.midnight().assume_utc()))
}

/// Instants written as epoch seconds (JSON numbers), as the CloudWatch series in bundles
/// have always carried them: `#[serde(with = "crate::time::epoch_seconds")]` on a
/// `Vec<Timestamp>`, and [`epoch_seconds::spans`] on a `Vec<(Timestamp, Timestamp)>`.
pub mod epoch_seconds {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Timestamp;

    pub fn serialize<S: Serializer>(times: &[Timestamp], s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(times.iter().map(|t| t.secs()))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Timestamp>, D::Error> {
        let secs = Vec::<i64>::deserialize(d)?;
        Ok(secs.into_iter().map(Timestamp::from_secs).collect())
    }

    /// Spans (start, end) as pairs of epoch seconds.
    pub mod spans {
        use super::*;

        pub fn serialize<S: Serializer>(
            spans: &[(Timestamp, Timestamp)],
            s: S,
        ) -> Result<S::Ok, S::Error> {
            let pairs: Vec<(i64, i64)> = spans.iter().map(|(a, b)| (a.secs(), b.secs())).collect();
            pairs.serialize(s)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<(Timestamp, Timestamp)>, D::Error> {
            let pairs = Vec::<(i64, i64)>::deserialize(d)?;
            Ok(pairs
                .into_iter()
                .map(|(a, b)| (Timestamp::from_secs(a), Timestamp::from_secs(b)))
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloudtrail_writes_answer_times_its_own_way() {
        let at = |t: &str| Timestamp::from_cloudtrail(t).map(|t| t.to_string());
        for (text, want) in [
            ("Aug 10, 2022, 10:38:27 PM", Some("2022-08-10T22:38:27Z")),
            ("Aug 10, 2022 10:38:27 PM", Some("2022-08-10T22:38:27Z")),
            ("Jan 1, 2026, 12:05:00 AM", Some("2026-01-01T00:05:00Z")),
            ("Jan 1, 2026, 12:05:00 PM", Some("2026-01-01T12:05:00Z")),
            ("2026-01-01T12:05:00Z", Some("2026-01-01T12:05:00Z")),
            ("1767269100", None),
            ("Feb 30, 2026, 1:00:00 PM", None),
            ("Aug 10, 2022, 13:38:27 PM", None),
            ("Aug 10, 2022, 10:38:27", None),
            ("Sometime", None),
            ("", None),
        ] {
            assert_eq!(at(text).as_deref(), want, "{text}");
        }
    }

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
        assert_eq!(parse_date("1970-01-01"), Some(Timestamp::default()));
        assert_eq!(
            parse_date("2026-09-21").map(Timestamp::date).as_deref(),
            Some("2026-09-21")
        );
        assert!(parse_date("2025-10-02") > parse_date("2025-09-30"));
    }

    #[test]
    fn timestamps_read_and_write_the_text_bundles_carry() {
        let t: Timestamp = "2026-09-21T14:13:20Z".parse().expect("time");
        assert_eq!(t.secs(), 1_790_000_000);
        assert_eq!(t.date(), "2026-09-21");
        assert_eq!(
            serde_json::to_string(&t).expect("json"),
            "\"2026-09-21T14:13:20Z\""
        );
        let read: Option<Timestamp> =
            serde_json::from_str("\"2026-09-21T14:13:20.250Z\"").expect("json");
        assert_eq!(read, Some(t));
        let err = serde_json::from_str::<Timestamp>("\"yesterday\"").expect_err("not a time");
        assert!(
            err.to_string()
                .contains("`yesterday` is not an RFC 3339 time"),
            "{err}"
        );
        assert_eq!(t + time::Duration::DAY - t, time::Duration::DAY);
        assert!(t - time::Duration::HOUR < t);
        assert_eq!(
            Timestamp::from_secs(i64::MAX).to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(
            Timestamp::from_secs(i64::MIN).to_string(),
            "0001-01-01T00:00:00Z"
        );
        assert_eq!(
            (Timestamp::from_secs(i64::MAX) + time::Duration::DAY).to_string(),
            "9999-12-31T23:59:59Z"
        );
        assert_eq!(Timestamp::default().to_string(), "1970-01-01T00:00:00Z");
        assert_eq!(days(t + DAY * 3 / 2 - t), 1.5);
    }

    #[test]
    fn epoch_seconds_stay_numbers_on_the_wire() {
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Series {
            #[serde(with = "epoch_seconds")]
            times: Vec<Timestamp>,
            #[serde(with = "epoch_seconds::spans")]
            spans: Vec<(Timestamp, Timestamp)>,
        }
        let t = Timestamp::from_secs(1_790_000_000);
        let series = Series {
            times: vec![t, t + HOUR],
            spans: vec![(t, t + DAY)],
        };
        let json = serde_json::to_string(&series).expect("json");
        assert_eq!(
            json,
            r#"{"times":[1790000000,1790003600],"spans":[[1790000000,1790086400]]}"#
        );
        assert_eq!(serde_json::from_str::<Series>(&json).expect("read"), series);
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
