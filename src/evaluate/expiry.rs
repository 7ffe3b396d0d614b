//! When the AWS evidence behind each `met` disappears from AWS. CloudWatch keeps
//! datapoints by resolution — under 60 s for 3 hours, 1-minute for 15 days, 5-minute for
//! 63 days, 1-hour for 455 days (Amazon CloudWatch User Guide, "Metrics retention") — and
//! CloudWatch Logs keeps events for the log group's retention. A renewal collected after
//! that date cannot show the same evidence again: collect it before, or keep this bundle.
//! Facts AWS keeps while the resource exists (settings, statistics, keys) do not expire.

use serde::{Deserialize, Serialize};

use crate::evidence::Evidence;
use crate::facts::MetricSeries;

use super::{Finding, Verdict};

const DAY: i64 = 86_400;

/// One fact a `met` rests on, and the day AWS starts forgetting it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expiry {
    pub item: String,
    /// The fact pointer (`metrics/AWS/DMS/CDCIncomingChanges/…`, `log_groups/…`).
    pub evidence: String,
    /// RFC 3339: from this moment AWS no longer returns all of it.
    pub expires: String,
    /// Why: the retention that applies.
    pub basis: String,
}

/// CloudWatch's retention for datapoints of this period, in days.
fn metric_retention_days(period: i32) -> (i64, &'static str) {
    match period {
        p if p < 60 => (0, "CloudWatch keeps sub-minute datapoints 3 hours"),
        p if p < 300 => (15, "CloudWatch keeps 1-minute datapoints 15 days"),
        p if p < 3600 => (63, "CloudWatch keeps 5-minute datapoints 63 days"),
        _ => (455, "CloudWatch keeps 1-hour datapoints 455 days"),
    }
}

/// Series a metric pointer names: `metrics/<namespace>/<metric>/<id>` or
/// `metrics/<namespace>/<id>` (namespaces hold one `/`, as `AWS/DMS`).
fn named_series<'a>(ev: &'a Evidence, pointer: &str) -> Vec<&'a MetricSeries> {
    let Some(rest) = pointer.strip_prefix("metrics/") else {
        return Vec::new();
    };
    let parts: Vec<&str> = rest.splitn(4, '/').collect();
    let (namespace, name, id) = match parts.as_slice() {
        [a, b, name, id] => (format!("{a}/{b}"), Some(*name), *id),
        [a, b, id] => (format!("{a}/{b}"), None, *id),
        _ => return Vec::new(),
    };
    ev.facts
        .metrics
        .iter()
        .filter(|s| s.namespace == namespace && name.is_none_or(|n| s.name == n))
        .filter(|s| s.dimensions.values().any(|v| v == id))
        .collect()
}

fn metric_expiry(ev: &Evidence, pointer: &str) -> Option<(i64, String)> {
    named_series(ev, pointer)
        .into_iter()
        .filter_map(|s| {
            let first = *s.timestamps.iter().min()?;
            let (days, basis) = metric_retention_days(s.period);
            Some((first + days * DAY, basis.to_string()))
        })
        .min_by_key(|(t, _)| *t)
}

fn log_expiry(ev: &Evidence, pointer: &str) -> Option<(i64, String)> {
    let rest = pointer.strip_prefix("log_groups/")?;
    let (region, name) = rest.split_once('/')?;
    let group = ev
        .facts
        .log_groups
        .iter()
        .find(|g| g.region == region && g.name == name)?;
    let days = i64::from(group.retention_days?);
    let latest = group
        .latest_streams
        .iter()
        .filter_map(|(_, t)| t.as_deref().and_then(crate::time::parse_rfc3339))
        .map(|t| t.secs())
        .max()?;
    Some((
        latest + days * DAY,
        format!("the log group keeps events {days} days"),
    ))
}

/// For every `met` finding, each time-limited fact it cites and when it expires, earliest first.
pub fn expiries(ev: &Evidence, findings: &[Finding]) -> Vec<Expiry> {
    let mut out: Vec<(i64, Expiry)> = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Met)
        .flat_map(|f| f.evidence.iter().map(move |p| (f, p)))
        .filter_map(|(f, p)| {
            let (t, basis) = metric_expiry(ev, p).or_else(|| log_expiry(ev, p))?;
            Some((
                t,
                Expiry {
                    item: f.item.clone(),
                    evidence: p.clone(),
                    expires: crate::time::rfc3339(&aws_smithy_types::DateTime::from_secs(t)),
                    basis,
                },
            ))
        })
        .collect();
    out.sort_by(|a, b| (a.0, &a.1.item).cmp(&(b.0, &b.1.item)));
    out.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluate::rules::testkit::*;

    #[test]
    fn met_items_expire_with_their_shortest_lived_data() {
        let mut ev = migration();
        let mut hourly = series(
            "AWS/DMS",
            "CDCIncomingChanges",
            "ReplicationTaskIdentifier",
            "t1",
            &[1.0, 2.0],
        );
        let first = hourly.timestamps[0];
        let mut minute = hourly.clone();
        minute.period = 60;
        hourly.region = "eu-west-1".into();
        ev.facts.metrics = vec![hourly, minute];
        ev.facts.log_groups = vec![LogGroup {
            region: "us-east-1".into(),
            name: "dms-tasks-x".into(),
            retention_days: Some(30),
            latest_streams: vec![("s".into(), Some("2026-11-01T00:00:00Z".into()))],
            ..LogGroup::default()
        }];
        let finding = |verdict, evidence: &[&str]| Finding {
            item: "i".into(),
            evidence: evidence.iter().map(|s| s.to_string()).collect(),
            ..Finding::new(verdict, "")
        };
        let got = expiries(
            &ev,
            &[
                finding(
                    Verdict::Met,
                    &[
                        "metrics/AWS/DMS/CDCIncomingChanges/t1",
                        "log_groups/us-east-1/dms-tasks-x",
                        "tasks/arn",
                    ],
                ),
                finding(Verdict::NotMet, &["metrics/AWS/DMS/CDCIncomingChanges/t1"]),
            ],
        );
        let first_minute =
            crate::time::rfc3339(&aws_smithy_types::DateTime::from_secs(first + 15 * DAY));
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].expires, "2026-12-01T00:00:00Z");
        assert_eq!(got[1].expires, first_minute, "the 1-minute copy goes first");
        assert!(got[1].basis.contains("15 days"));
        assert!(
            expiries(
                &ev,
                &[finding(
                    Verdict::Met,
                    &["metrics/AWS/DMS/CDCIncomingChanges/other"]
                )]
            )
            .is_empty()
        );
    }
}
