//! When the AWS evidence behind each `met` disappears from AWS. CloudWatch keeps
//! datapoints by resolution — under 60 s for 3 hours, 1-minute for 15 days, 5-minute for
//! 63 days, 1-hour for 455 days (Amazon CloudWatch User Guide, "Metrics retention") — and
//! CloudWatch Logs keeps events for the log group's retention, and CloudTrail event
//! history keeps management events 90 days (CloudTrail User Guide, "Working with
//! CloudTrail event history"): a resource deleted after cut-over is known only from them.
//! A renewal collected after that date cannot show the same evidence again: collect it
//! before, or keep this bundle. A task's, endpoint's or serverless configuration's settings
//! today, and an instance's engine version, stand for those it ran with only while event
//! history reaches back to its first run, so they expire 90 days after it; statistics,
//! placement and keys AWS keeps while the resource exists do not expire.

use serde::{Deserialize, Serialize};

use crate::facts::{HistoryEvent, LogGroup, MetricSeries};

use super::checklist::Checklist;
use super::view::Input;
use super::{Finding, Verdict};
use crate::time::Timestamp;
use time::Duration;

/// One fact a `met` rests on, and the day AWS starts forgetting it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expiry {
    pub item: String,
    /// The fact pointer (`metrics/AWS/DMS/CDCThroughputRowsTarget/…`, `log_groups/…`).
    pub evidence: String,
    /// From this moment AWS no longer returns all of it (RFC 3339 on the wire).
    pub expires: Timestamp,
    /// Why: the retention that applies.
    pub basis: String,
}

/// An [`Expiry`] with the facts it concerns: what a renewal carries forward once AWS
/// has forgotten them.
#[derive(Debug, Clone)]
pub struct Expiring<'a> {
    pub expiry: Expiry,
    pub series: Vec<&'a MetricSeries>,
    pub log_groups: Vec<&'a LogGroup>,
    /// A DMS resource judged from its CloudTrail history, as recorded (JSON), with the
    /// captures it rests on.
    pub records: Vec<Record>,
}

/// A fact record as JSON, and the ids of the captures it rests on.
pub type Record = (serde_json::Value, Vec<String>);

impl Expiring<'_> {
    /// The facts as JSON, and the ids of the captures they were read from.
    pub fn facts(&self) -> (Vec<serde_json::Value>, Vec<String>) {
        let mut values = Vec::new();
        let mut sources = Vec::new();
        for s in &self.series {
            values.extend(serde_json::to_value(s).ok());
            sources.extend(s.sources.iter().cloned());
        }
        for g in &self.log_groups {
            values.extend(serde_json::to_value(g).ok());
            sources.extend(g.sources.iter().cloned());
        }
        for (value, from) in &self.records {
            values.push(value.clone());
            sources.extend(from.iter().cloned());
        }
        sources.sort();
        sources.dedup();
        (values, sources)
    }
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

/// The region of an ARN (`arn:aws:dms:<region>:…`).
fn arn_region(arn: &str) -> Option<&str> {
    arn.split(':').nth(3).filter(|r| !r.is_empty())
}

/// Series a metric pointer names: `metrics/<namespace>/<metric>/<id>` or
/// `metrics/<namespace>/<id>` (namespaces hold one `/`, as `AWS/DMS`), in `regions`
/// when the finding names any (a same-named task in another region is not its evidence).
fn named_series<'a>(input: &Input<'a>, pointer: &str, regions: &[&str]) -> Vec<&'a MetricSeries> {
    let Some(rest) = pointer.strip_prefix("metrics/") else {
        return Vec::new();
    };
    let parts: Vec<&str> = rest.splitn(4, '/').collect();
    let (namespace, name, id) = match parts.as_slice() {
        [a, b, name, id] => (format!("{a}/{b}"), Some(*name), *id),
        [a, b, id] => (format!("{a}/{b}"), None, *id),
        _ => return Vec::new(),
    };
    input
        .evidence
        .facts
        .metrics
        .iter()
        .filter(|s| s.namespace == namespace && name.is_none_or(|n| s.name == n))
        .filter(|s| s.dimensions.values().any(|v| v == id))
        .filter(|s| regions.is_empty() || regions.contains(&s.region.as_str()))
        .collect()
}

/// The first moment any of `series` loses datapoints, and why.
fn metric_expiry(series: &[&MetricSeries]) -> Option<(Timestamp, String)> {
    series
        .iter()
        .filter_map(|s| {
            let first = *s.timestamps.iter().min()?;
            let (days, basis) = metric_retention_days(s.period);
            Some((first + Duration::days(days), basis.to_string()))
        })
        .min_by_key(|(t, _)| *t)
}

/// CloudTrail event history keeps management events this long (90 days).
const HISTORY: Duration = Duration::days(90);

/// What a `met` finding's rule rests on, beyond the facts it cites
/// ([`crate::evaluate::rules::Check`]).
#[derive(Debug, Clone, Copy, Default)]
struct Rests {
    /// The CDC activity of the migrations it cites.
    cdc_activity: bool,
    /// The engine version of the instances it cites, as it was while they ran.
    instance_version: bool,
}

/// The DMS resource a pointer names (`tasks/…`, `endpoints/…`,
/// `replication_instances/…`, `serverless/…`).
enum Resource<'a> {
    Task(&'a crate::facts::Task),
    Endpoint(&'a crate::facts::Endpoint),
    Instance(&'a crate::facts::ReplicationInstance),
    Serverless(&'a crate::facts::ServerlessReplication),
}

impl<'a> Resource<'a> {
    fn named(input: &Input<'a>, pointer: &str) -> Option<Resource<'a>> {
        let f = &input.evidence.facts;
        if let Some(arn) = pointer.strip_prefix("tasks/") {
            f.tasks.iter().find(|t| t.arn == arn).map(Resource::Task)
        } else if let Some(arn) = pointer.strip_prefix("endpoints/") {
            f.endpoints
                .iter()
                .find(|e| e.arn == arn)
                .map(Resource::Endpoint)
        } else if let Some(arn) = pointer.strip_prefix("replication_instances/") {
            f.replication_instances
                .iter()
                .find(|i| i.arn == arn)
                .map(Resource::Instance)
        } else if let Some(arn) = pointer.strip_prefix("serverless/") {
            f.serverless
                .iter()
                .find(|s| s.config_arn == arn)
                .map(Resource::Serverless)
        } else {
            None
        }
    }

    /// Its CloudTrail history, whether it was deleted, and its captures.
    fn record(&self) -> (&'a [HistoryEvent], bool, &'a [String]) {
        match self {
            Resource::Task(t) => (&t.history, t.deleted_at.is_some(), &t.sources),
            Resource::Endpoint(e) => (&e.history, e.deleted_at.is_some(), &e.sources),
            Resource::Instance(i) => (&i.history, i.deleted_at.is_some(), &i.sources),
            Resource::Serverless(s) => (&s.history, s.deleted_at.is_some(), &s.sources),
        }
    }

    fn json(&self) -> serde_json::Value {
        match self {
            Resource::Task(t) => serde_json::to_value(t),
            Resource::Endpoint(e) => serde_json::to_value(e),
            Resource::Instance(i) => serde_json::to_value(i),
            Resource::Serverless(s) => serde_json::to_value(s),
        }
        .unwrap_or_default()
    }
}

/// Every migration using `e` judged it as AWS Config recorded it (none judged it from
/// today's or CloudTrail's view).
fn settled_by_config(input: &Input<'_>, e: &crate::facts::Endpoint) -> bool {
    let uses: Vec<&crate::facts::Endpoint> = input
        .migrations
        .iter()
        .flat_map(|m| [m.source.as_deref(), m.target.as_deref()])
        .flatten()
        .filter(|s| s.arn == e.arn)
        .collect();
    !uses.is_empty() && uses.iter().all(|s| s.then_basis.is_some())
}

/// When the AWS Config items an endpoint was judged from (for every run that used it) stop
/// being returned. AWS Config keeps the current state of a resource while it records, and
/// an earlier item until the state it records is older than the region's retention period:
/// until that long after the next item's capture ("Deleting AWS Config Data", AWS Config
/// Developer Guide; 2557 days unless a retention configuration sets as few as 30). The item
/// in force as the earliest of those runs began goes first. Retention not read: the fewest
/// days AWS Config allows. No date while that item is the current state and a recorder of
/// endpoints records. (A recorder restarted later voids the judgement too, which no date
/// can foretell.)
fn config_expiry(input: &Input<'_>, e: &crate::facts::Endpoint) -> Option<(Timestamp, String)> {
    use crate::facts::config_history::{DEFAULT_RETENTION_DAYS, MIN_RETENTION_DAYS};
    let start = endpoint_first_start(input, e)?;
    let recorders: Vec<_> = input
        .facts
        .config_recorders
        .iter()
        .filter(|r| r.region == e.region && r.records_endpoints)
        .collect();
    let read = recorders
        .iter()
        .map(|r| r.retention_days)
        .collect::<Option<Vec<i64>>>();
    // AWS Config keeps 30 to 2557 days (API Reference, RetentionConfiguration
    // RetentionPeriodInDays); a bundle saying otherwise is held to those bounds.
    let (days, kept) = match read.and_then(|d| d.into_iter().min()) {
        Some(days) => {
            let days = days.clamp(MIN_RETENTION_DAYS, DEFAULT_RETENTION_DAYS);
            (days, format!("the region's retention, {days} days"))
        }
        None => (
            MIN_RETENTION_DAYS,
            format!("the region's retention was not read: at least {MIN_RETENTION_DAYS} days"),
        ),
    };
    let mut items: Vec<_> = e.config_history.iter().map(|i| i.captured_at).collect();
    items.sort();
    let in_force = items.iter().rev().find(|t| **t <= start)?;
    let (from, ends) = match items.iter().find(|t| **t > start) {
        Some(next) => (next, format!("until the next item ({next})")),
        None if recorders.iter().any(|r| r.recording) => return None,
        None => (
            in_force,
            format!("from its capture ({in_force}; no recorder records now)"),
        ),
    };
    Some((
        *from + Duration::days(days),
        format!(
            "judged as AWS Config recorded it: the item in force when its run began ({in_force}) \
             is kept {ends} plus {kept}"
        ),
    ))
}

/// When the first run that used `e` began.
fn endpoint_first_start(input: &Input<'_>, e: &crate::facts::Endpoint) -> Option<Timestamp> {
    input
        .migrations
        .iter()
        .filter(|m| {
            [&m.source, &m.target]
                .into_iter()
                .flatten()
                .any(|s| s.arn == e.arn)
        })
        .filter_map(|m| input.first_start(m))
        .min()
}

/// A task, endpoint or serverless configuration that exists unmodified is judged on
/// today's settings only while CloudTrail history reaches back to the start of the runs
/// that used it ([`Input::before_history`]): with event history alone, until 90 days after
/// the earliest such start (one cited by an item resting on CDC activity is not: see
/// below). So is an instance's engine version, for an item resting on it. A trail read
/// reaching that start is kept as long as the bucket keeps it, which no read here shows:
/// no date. Evidence collected before history was read (no read) is judged as then, with
/// no date either.
fn unchanged_expiry(
    input: &Input<'_>,
    resource: &Resource<'_>,
    rests: Rests,
) -> Option<(Timestamp, String, Record)> {
    let reads = &input.facts.history_reads;
    if reads.is_empty() {
        return None;
    }
    let first_start = |used: &dyn Fn(&crate::evaluate::view::Migration<'_>) -> bool| {
        input
            .migrations
            .iter()
            .filter(|m| used(m))
            .filter_map(|m| input.first_start(m))
            .min()
    };
    let (region, what, start) = match resource {
        // An item resting on CDC activity cites the migration for its changes applied,
        // which its series date (they expire as CloudWatch forgets them), not its settings.
        Resource::Task(_) | Resource::Serverless(_) if rests.cdc_activity => return None,
        Resource::Task(t) => (&t.region, "settings", first_start(&|m| m.arn == t.arn)?),
        Resource::Serverless(s) => (
            &s.region,
            "settings",
            first_start(&|m| m.arn == s.config_arn)?,
        ),
        Resource::Endpoint(e) => (&e.region, "settings", endpoint_first_start(input, e)?),
        // ModifyReplicationInstance can change its EngineVersion (botocore `dms`
        // 2016-01-01), applied up to a week later without ApplyImmediately: history must
        // reach a week before the run...
        Resource::Instance(i) if rests.instance_version => (
            &i.region,
            "engine version",
            first_start(&|m| m.instance.is_some_and(|x| x.arn == i.arn))?
                - crate::facts::history::MAINTENANCE_CYCLE,
        ),
        // ...but not its placement or key (ModifyReplicationInstanceMessage has neither
        // PubliclyAccessible nor KmsKeyId).
        Resource::Instance(_) => return None,
    };
    let trail = reads
        .iter()
        .any(|r| &r.region == region && r.source.is_some() && r.since <= start);
    if trail {
        return None;
    }
    let since = match resource {
        Resource::Instance(_) => format!(
            "a week before its run began {} (a change pending for the maintenance window)",
            start + crate::facts::history::MAINTENANCE_CYCLE
        ),
        _ => format!("its run began {start}"),
    };
    Some((
        start + HISTORY,
        format!(
            "judged on today's {what}, unchanged since {since} as far as CloudTrail event history \
             shows, which keeps events 90 days"
        ),
        (resource.json(), resource.record().2.to_vec()),
    ))
}

/// A resource judged from CloudTrail: deleted after cut-over (known only from its
/// events), or modified since it was created (judged as it was while it ran, from its
/// Create event). It can no longer be judged so once its first event (the creation, with
/// the configuration it ran with) passes the event history's 90 days. With the record,
/// to carry forward. One whose first event was read from a trail's log files has no date.
fn history_expiry(
    input: &Input<'_>,
    pointer: &str,
    rests: Rests,
) -> Option<(Timestamp, String, Record)> {
    let resource = Resource::named(input, pointer)?;
    let (history, deleted, sources) = resource.record();
    // An existing instance cited for its placement or key, which no Modify changes, is
    // judged on today's.
    if matches!(resource, Resource::Instance(_)) && !deleted && !rests.instance_version {
        return None;
    }
    // An endpoint AWS Config settled for every run that used it is judged from its items
    // (config_expiry). One deleted is known at all only from its CloudTrail history, dated
    // as below.
    if let Resource::Endpoint(e) = &resource
        && !deleted
        && settled_by_config(input, e)
    {
        return config_expiry(input, e)
            .map(|(at, basis)| (at, basis, (resource.json(), sources.to_vec())));
    }
    // The changes that can alter what the item rests on: an instance is cited for its
    // engine version here (a class or storage change leaves it).
    let alters = |h: &&HistoryEvent| {
        h.name.starts_with("Modify")
            && (!matches!(resource, Resource::Instance(_))
                || h.request.get("EngineVersion").is_some())
    };
    let modified = history.iter().find(alters);
    // A live resource is judged on today's only while history reaches its run, whatever
    // else dates it: the earlier date stands.
    let unchanged = if deleted {
        None
    } else {
        unchanged_expiry(input, &resource, rests)
    };
    if !deleted && modified.is_none() {
        return unchanged;
    }
    let Some(first_event) = history.iter().min_by(|a, b| a.at.cmp(&b.at)) else {
        return unchanged;
    };
    // Read from a trail's log files in S3: kept as long as the bucket keeps them, which no
    // read here shows, so no date is claimed.
    let from_trail = !first_event.sources.is_empty()
        && first_event.sources.iter().all(|id| {
            input
                .evidence
                .captures
                .iter()
                .any(|c| &c.id == id && c.service == "s3")
        });
    if from_trail {
        return unchanged;
    }
    let first = first_event.at;
    let basis = match modified {
        Some(h) if !deleted => format!(
            "modified since ({} {}): judged as it was while it ran from CloudTrail event history, which keeps events 90 days",
            h.name, h.at
        ),
        _ => "deleted after cut-over: known from CloudTrail event history, which keeps events 90 days"
            .to_string(),
    };
    let mut sources = sources.to_vec();
    sources.extend(history.iter().flat_map(|h| h.sources.iter().cloned()));
    let judged = (first + HISTORY, basis, (resource.json(), sources));
    Some(match unchanged {
        Some(u) if u.0 < judged.0 => u,
        _ => judged,
    })
}

fn log_group<'a>(input: &Input<'a>, pointer: &str) -> Option<&'a LogGroup> {
    let (region, name) = pointer.strip_prefix("log_groups/")?.split_once('/')?;
    input
        .evidence
        .facts
        .log_groups
        .iter()
        .find(|g| g.region == region && g.name == name)
}

fn log_expiry(group: &LogGroup) -> Option<(Timestamp, String)> {
    let days = i64::from(group.retention_days?);
    let latest = group.latest_streams.iter().filter_map(|(_, t)| *t).max()?;
    Some((
        latest + Duration::days(days),
        format!("the log group keeps events {days} days"),
    ))
}

/// The time-limited facts behind one `met` finding: each cited metric series and log
/// group, and — when its rule rests on CDC activity — each cited migration's CDC series.
fn behind<'a>(
    input: &Input<'a>,
    f: &Finding,
    cdc_activity: bool,
) -> Vec<(String, Vec<&'a MetricSeries>, Option<&'a LogGroup>)> {
    let regions: Vec<&str> = f
        .evidence
        .iter()
        .filter_map(|p| {
            p.strip_prefix("tasks/")
                .or_else(|| p.strip_prefix("serverless/"))
        })
        .filter_map(arn_region)
        .collect();
    let mut out: Vec<(String, Vec<&'a MetricSeries>, Option<&'a LogGroup>)> = Vec::new();
    for p in &f.evidence {
        let series = named_series(input, p, &regions);
        if !series.is_empty() {
            out.push((p.clone(), series, None));
        } else if let Some(g) = log_group(input, p) {
            out.push((p.clone(), Vec::new(), Some(g)));
        }
    }
    if cdc_activity {
        for m in input
            .migrations
            .iter()
            .filter(|m| f.evidence.contains(&m.pointer()))
        {
            for name in super::view::CDC_ACTIVITY_METRICS {
                let pointer = format!("metrics/AWS/DMS/{name}/{}", m.id);
                if let Some(s) = input.task_series(m, name)
                    && !out.iter().any(|(p, ..)| *p == pointer)
                {
                    out.push((pointer, vec![s], None));
                }
            }
        }
    }
    out
}

/// For every `met` finding, each time-limited fact it rests on, when it expires and
/// the facts themselves, earliest first.
pub fn expiring<'a>(
    input: &Input<'a>,
    findings: &[Finding],
    checklist: &Checklist,
) -> Vec<Expiring<'a>> {
    let rests = |item: &str| {
        checklist
            .items
            .iter()
            .find(|i| i.id == item)
            .map(|i| Rests {
                cdc_activity: i.rule.cdc_activity,
                instance_version: i.rule.instance_version,
            })
            .unwrap_or_default()
    };
    let mut out: Vec<Expiring<'a>> = Vec::new();
    for f in findings.iter().filter(|f| f.verdict == Verdict::Met) {
        for pointer in &f.evidence {
            if let Some((at, basis, record)) = history_expiry(input, pointer, rests(&f.item)) {
                out.push(Expiring {
                    expiry: Expiry {
                        item: f.item.clone(),
                        evidence: pointer.clone(),
                        expires: at,
                        basis,
                    },
                    series: Vec::new(),
                    log_groups: Vec::new(),
                    records: vec![record],
                });
            }
        }
        for (pointer, series, group) in behind(input, f, rests(&f.item).cdc_activity) {
            let dated = match group {
                Some(g) => log_expiry(g),
                None => metric_expiry(&series),
            };
            let Some((at, basis)) = dated else {
                continue;
            };
            out.push(Expiring {
                expiry: Expiry {
                    item: f.item.clone(),
                    evidence: pointer,
                    expires: at,
                    basis,
                },
                series,
                log_groups: group.into_iter().collect(),
                records: Vec::new(),
            });
        }
    }
    out.sort_by(|a, b| (a.expiry.expires, &a.expiry.item).cmp(&(b.expiry.expires, &b.expiry.item)));
    out
}

/// [`expiring`] without the facts: what an evaluation reports.
pub fn expiries(input: &Input<'_>, findings: &[Finding], checklist: &Checklist) -> Vec<Expiry> {
    expiring(input, findings, checklist)
        .into_iter()
        .map(|e| e.expiry)
        .collect()
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
            "CDCThroughputRowsTarget",
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
        let checklist = crate::evaluate::checklist::load_default();
        let got = expiries(
            &Input::new(&ev),
            &[
                finding(
                    Verdict::Met,
                    &[
                        "metrics/AWS/DMS/CDCThroughputRowsTarget/t1",
                        "log_groups/us-east-1/dms-tasks-x",
                        "tasks/arn",
                    ],
                ),
                finding(
                    Verdict::NotMet,
                    &["metrics/AWS/DMS/CDCThroughputRowsTarget/t1"],
                ),
            ],
            &checklist,
        );
        let first_minute = (first + crate::time::DAY * 15).to_string();
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0].expires.to_string(), "2026-12-01T00:00:00Z");
        assert_eq!(
            got[1].expires.to_string(),
            first_minute,
            "the 1-minute copy goes first"
        );
        assert!(got[1].basis.contains("15 days"));
        assert!(
            expiries(
                &Input::new(&ev),
                &[finding(
                    Verdict::Met,
                    &["metrics/AWS/DMS/CDCThroughputRowsTarget/other"]
                )],
                &checklist
            )
            .is_empty()
        );
    }

    #[test]
    fn cdc_items_expire_with_their_migrations_series_in_their_region_only() {
        let mut ev = migration();
        let here = series(
            "AWS/DMS",
            "CDCThroughputRowsTarget",
            "ReplicationTaskIdentifier",
            "t1",
            &[3.0],
        );
        let mut elsewhere = here.clone();
        elsewhere.region = "eu-west-1".into();
        elsewhere.period = 60;
        ev.facts.metrics = vec![here.clone(), elsewhere];
        let checklist = crate::evaluate::checklist::load_default();
        let input = Input::new(&ev);
        let task = "tasks/arn:aws:dms:us-east-1:111111111111:task:t1";
        let met = |item: &str| Finding {
            item: item.into(),
            evidence: vec![task.into()],
            ..Finding::new(Verdict::Met, "")
        };
        // A pattern resting on CDC activity: dated by its task's series in us-east-1,
        // not by the 1-minute series of a same-named task in eu-west-1.
        let got = expiry_pairs(&input, &[met("dms.2.1.wl.cdc-hetero")], &checklist);
        let hourly = (here.timestamps[0] + crate::time::DAY * 455).to_string();
        assert_eq!(
            got,
            vec![(
                "metrics/AWS/DMS/CDCThroughputRowsTarget/t1".to_string(),
                hourly
            )]
        );
        // A rule that does not rest on CDC activity citing the same task: nothing expires.
        assert!(expiry_pairs(&input, &[met("dms.1.0.arch.ri")], &checklist).is_empty());
    }

    fn expiry_pairs(
        input: &Input<'_>,
        findings: &[Finding],
        checklist: &Checklist,
    ) -> Vec<(String, String)> {
        expiries(input, findings, checklist)
            .into_iter()
            .map(|x| (x.evidence, x.expires.to_string()))
            .collect()
    }

    #[test]
    fn a_resource_judged_from_cloudtrail_expires_with_its_event_history() {
        let mut ev = migration();
        let task = &mut ev.facts.tasks[0];
        task.deleted_at = Some("2026-10-20T00:00:00Z".into());
        let event = |name: &str, at: &str| crate::facts::HistoryEvent {
            at: at.into(),
            name: name.into(),
            sources: vec![format!("trail-{at}")],
            ..Default::default()
        };
        task.history = vec![event("CreateReplicationTask", "2026-10-01T00:00:00Z")];
        let pointer = format!("tasks/{}", task.arn);
        let checklist = crate::evaluate::checklist::load_default();
        let met = Finding {
            item: "dms.2.1.dep.hetero".into(),
            evidence: vec![pointer.clone()],
            ..Finding::new(Verdict::Met, "")
        };
        let got = expiring(&Input::new(&ev), std::slice::from_ref(&met), &checklist);
        assert_eq!(got.len(), 1);
        assert_eq!(
            (
                got[0].expiry.evidence.as_str(),
                got[0].expiry.expires.to_string().as_str()
            ),
            (pointer.as_str(), "2026-12-30T00:00:00Z")
        );
        assert!(got[0].expiry.basis.starts_with("deleted after cut-over"));
        // What a renewal carries: the deleted task as recorded, and its captures (the
        // listing's and the CloudTrail events').
        let (facts, sources) = got[0].facts();
        assert_eq!(facts.len(), 1);
        assert_eq!(facts[0]["arn"], ev.facts.tasks[0].arn.as_str());
        assert!(
            sources.contains(&"trail-2026-10-01T00:00:00Z".to_string()),
            "{sources:?}"
        );
        // While the task exists unmodified, its facts do not expire in evidence collected
        // before history was read (see the next test)...
        ev.facts.tasks[0].deleted_at = None;
        assert!(expiries(&Input::new(&ev), std::slice::from_ref(&met), &checklist).is_empty());
        // ...but once modified it is judged as it ran from the same 90 days of history.
        ev.facts.tasks[0]
            .history
            .push(event("ModifyReplicationTask", "2026-11-01T00:00:00Z"));
        let got = expiries(&Input::new(&ev), &[met], &checklist);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].expires.to_string(), "2026-12-30T00:00:00Z");
        assert!(
            got[0]
                .basis
                .starts_with("modified since (ModifyReplicationTask 2026-11-01T00:00:00Z)"),
            "{}",
            got[0].basis
        );
    }

    /// History read in us-east-1 since 2026-09-01, from event history or a trail.
    fn history_read(source: Option<&str>) -> crate::facts::HistoryRead {
        crate::facts::HistoryRead {
            region: "us-east-1".into(),
            since: "2026-09-01T00:00:00Z".into(),
            until: NOW.into(),
            source: source.map(str::to_string),
            ..Default::default()
        }
    }

    /// An unmodified task is judged on today's settings only while event history reaches
    /// back to its run's start (2026-10-01); a trail's log files reaching it have no date.
    #[test]
    fn an_unchanged_resource_is_todays_only_while_history_reaches_its_run() {
        let mut ev = migration();
        let pointer = format!("tasks/{}", ev.facts.tasks[0].arn);
        let checklist = crate::evaluate::checklist::load_default();
        let met = Finding {
            item: "dms.2.1.dep.hetero".into(),
            evidence: vec![pointer],
            ..Finding::new(Verdict::Met, "")
        };
        ev.facts.history_reads = vec![history_read(None)];
        let got = expiries(&Input::new(&ev), std::slice::from_ref(&met), &checklist);
        assert_eq!(
            got.iter()
                .map(|x| x.expires.to_string())
                .collect::<Vec<_>>(),
            ["2026-12-30T00:00:00Z"]
        );
        assert!(
            got[0].basis.starts_with("judged on today's settings"),
            "{}",
            got[0].basis
        );
        ev.facts
            .history_reads
            .push(history_read(Some("s3://trail-bucket/")));
        assert!(expiries(&Input::new(&ev), std::slice::from_ref(&met), &checklist).is_empty());
        // Modified after its run, its creation not on record: judged as it ran from the
        // history, which stops reaching the run 90 days after it began, not after the Modify.
        ev.facts.history_reads.pop();
        ev.facts.tasks[0].history = vec![crate::facts::HistoryEvent {
            at: "2026-11-15T00:00:00Z".into(),
            name: "ModifyReplicationTask".into(),
            ..Default::default()
        }];
        let got = expiries(&Input::new(&ev), std::slice::from_ref(&met), &checklist);
        assert_eq!(
            got.iter()
                .map(|x| x.expires.to_string())
                .collect::<Vec<_>>(),
            ["2026-12-30T00:00:00Z"]
        );
    }

    /// An instance's engine version today stands for the one its migration ran on only
    /// while event history reaches that run (ModifyReplicationInstance can change it); its
    /// placement and key, which no Modify changes, do not expire while it exists.
    #[test]
    fn an_instance_expires_only_for_what_a_modify_can_change() {
        let mut ev = migration();
        ev.facts.history_reads = vec![history_read(None)];
        let pointer = format!(
            "replication_instances/{}",
            ev.facts.replication_instances[0].arn
        );
        let checklist = crate::evaluate::checklist::load_default();
        let met = |item: &str| Finding {
            item: item.into(),
            evidence: vec![pointer.clone()],
            ..Finding::new(Verdict::Met, "")
        };
        let expiring_for = |ev: &Evidence, item: &str| {
            expiries(&Input::new(ev), &[met(item)], &checklist)
                .into_iter()
                .map(|x| {
                    (
                        x.expires.to_string(),
                        x.basis.split(',').next().unwrap_or("").to_string(),
                    )
                })
                .collect::<Vec<_>>()
        };
        // History must reach a week before the run (2026-10-01): a change pending for the
        // maintenance window would show there.
        let version = || {
            [(
                "2026-12-23T00:00:00Z".to_string(),
                "judged on today's engine version".to_string(),
            )]
        };
        assert_eq!(expiring_for(&ev, "dms.1.0.arch.engine-ver"), version());
        assert!(expiring_for(&ev, "dms.1.0.arch.public-private").is_empty());
        // A class change after the run is no reason for a placement to expire, nor for the
        // engine version's to move later; deleted, the instance is known only from its
        // history.
        ev.facts.replication_instances[0].history = vec![crate::facts::HistoryEvent {
            at: "2026-11-10T00:00:00Z".into(),
            name: "ModifyReplicationInstance".into(),
            request: serde_json::json!({"ReplicationInstanceClass": "dms.r5.large"}),
            ..Default::default()
        }];
        assert!(expiring_for(&ev, "dms.1.0.arch.public-private").is_empty());
        assert_eq!(expiring_for(&ev, "dms.1.0.arch.engine-ver"), version());
        ev.facts.replication_instances[0].history[0].at = "2026-09-15T00:00:00Z".into();
        ev.facts.replication_instances[0].deleted_at = Some("2026-10-20T00:00:00Z".into());
        assert_eq!(
            expiring_for(&ev, "dms.1.0.arch.public-private"),
            [(
                "2026-12-14T00:00:00Z".to_string(),
                "deleted after cut-over: known from CloudTrail event history".to_string()
            )]
        );
    }

    /// A serverless configuration is judged on today's settings only while event history
    /// reaches its run, and from its history once deleted, as a task is.
    #[test]
    fn a_serverless_configuration_expires_as_a_task_does() {
        let mut ev = migration();
        ev.facts.history_reads = vec![history_read(None)];
        let t = ev.facts.tasks.remove(0);
        let arn = "arn:aws:dms:us-east-1:111111111111:replication-config:c1".to_string();
        let mut stats = t.stats.clone();
        if let Some(s) = stats.as_mut() {
            s.start_date = t.started;
        }
        ev.facts
            .serverless
            .push(crate::facts::ServerlessReplication {
                region: t.region.clone(),
                identifier: "c1".into(),
                config_arn: arn.clone(),
                source_arn: t.source_arn.clone(),
                target_arn: t.target_arn.clone(),
                replication_type: t.migration_type.clone(),
                status: t.status.clone(),
                stats,
                settings: t.settings.clone(),
                sources: t.sources.clone(),
                ..Default::default()
            });
        let checklist = crate::evaluate::checklist::load_default();
        let met = Finding {
            item: "dms.2.1.dep.hetero".into(),
            evidence: vec![format!("serverless/{arn}")],
            ..Finding::new(Verdict::Met, "")
        };
        let got = expiries(&Input::new(&ev), std::slice::from_ref(&met), &checklist);
        assert_eq!(
            got.iter()
                .map(|x| (
                    x.expires.to_string(),
                    x.basis.starts_with("judged on today's settings")
                ))
                .collect::<Vec<_>>(),
            [("2026-12-30T00:00:00Z".to_string(), true)]
        );
        ev.facts.serverless[0].deleted_at = Some("2026-10-20T00:00:00Z".into());
        ev.facts.serverless[0].history = vec![crate::facts::HistoryEvent {
            at: "2026-09-30T00:00:00Z".into(),
            name: "CreateReplicationConfig".into(),
            ..Default::default()
        }];
        let got = expiries(&Input::new(&ev), &[met], &checklist);
        assert_eq!(
            got.iter()
                .map(|x| (
                    x.expires.to_string(),
                    x.basis.starts_with("deleted after cut-over")
                ))
                .collect::<Vec<_>>(),
            [("2026-12-29T00:00:00Z".to_string(), true)]
        );
    }
}
