//! A CloudTrail trail's log files in S3: the region's DMS history older than event
//! history's 90 days, where the customer keeps a trail and the case study names it
//! (`[trail]`). Read with ListObjectsV2 and GetObject (an optional permission), so that a
//! migration deleted months ago is judged from the same records event history would give.
//!
//! CloudTrail User Guide, "Finding your CloudTrail log files": a trail delivers to
//! `bucket/prefix/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/` (an organization
//! trail to `AWSLogs/<organization id>/<account>/…`); "CloudTrail log file examples": files
//! named `<account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<unique>.json.gz`, gzip JSON
//! `{"Records": [...]}` whose records are the same CloudTrail records LookupEvents returns
//! as CloudTrailEvent, dated by delivery ("A log file delivered at a specific time can
//! contain records written at any point before that time": the day after `until` is read
//! too). Only DMS records, and the trail-logging calls that can leave a hole, are kept.
//!
//! A trail is trusted only where it logged without a break: CloudTrail records
//! StopLogging and DeleteTrail like any management call, so a stop after which the files
//! hold no record until a StartLogging of the same trail is a span nothing proves; the
//! history then begins after it ([`covered_since`]).

use std::collections::BTreeSet;
use std::io::Read as _;

use futures::StreamExt as _;
use serde_json::{Value, json};

use super::{Clients, Context};
use crate::casestudy::TrailSource;
use crate::digest::sha256_hex;
use crate::evidence::{Capture, Gap, GapKind};
use crate::facts::HistoryRead;
use crate::facts::history::TrailEvent;

/// Log files read at once in a region.
const FILES_IN_FLIGHT: usize = 16;
/// Days listed at once in a region.
const DAYS_IN_FLIGHT: usize = 4;
/// A log file larger than this once decompressed is not read (CloudTrail's files hold a
/// few minutes of one account's events in one region).
const MAX_FILE_BYTES: u64 = 256 << 20;
/// The calls that stop a trail logging, and the one that starts it again (CloudTrail API
/// Reference: StopLogging, DeleteTrail, StartLogging; each names the trail in `name`).
const STOPS: &[&str] = &["StopLogging", "DeleteTrail"];
const START: &str = "StartLogging";

/// The key prefix of one day's log files of `account` in `region`.
pub fn day_prefix(t: &TrailSource, account: &str, region: &str, day: &str) -> String {
    let prefix = t
        .prefix
        .as_ref()
        .map(|p| format!("{p}/"))
        .unwrap_or_default();
    let owner = match &t.organization_id {
        Some(org) => format!("{org}/{account}"),
        None => account.to_string(),
    };
    format!(
        "{prefix}AWSLogs/{owner}/CloudTrail/{region}/{}/",
        day.replace('-', "/")
    )
}

/// A call that stops or starts a trail: its name, its time (epoch seconds) and the trail
/// it names.
pub type LoggingCall = (String, i64, String);

/// What one region's log files held: the kept records, the minutes at which any record
/// was written (to tell a trail that kept logging from one that stopped), the files read,
/// and the captures.
#[derive(Debug, Default)]
struct Read {
    events: Vec<TrailEvent>,
    logging: Vec<LoggingCall>,
    minutes: BTreeSet<i64>,
    files: usize,
    sources: Vec<String>,
    failed: bool,
}

/// The region's DMS events in the trail's files from `t.since` to `until` (epoch seconds),
/// and what the read covered; `None` when a listing or a file failed (a gap names the
/// action), or when the window is empty.
pub async fn dms_history(
    c: &Clients,
    ctx: &Context,
    account: &str,
    t: &TrailSource,
    until: i64,
) -> Option<(Vec<TrailEvent>, HistoryRead)> {
    let since = crate::time::parse_date(&t.since)?;
    if since >= until {
        return None;
    }
    let today = crate::time::now().secs();
    let days: Vec<String> = (0..)
        .map(|n| since + n * 86_400)
        .take_while(|d| *d <= (until + 86_400).min(today))
        .map(crate::time::date)
        .collect();
    let reads: Vec<Read> = futures::stream::iter(days)
        .map(|day| read_day(c, ctx, account, t, day))
        .buffer_unordered(DAYS_IN_FLIGHT)
        .collect()
        .await;
    let mut all = Read::default();
    for r in reads {
        all.events.extend(r.events);
        all.logging.extend(r.logging);
        all.minutes.extend(r.minutes);
        all.files += r.files;
        all.sources.extend(r.sources);
        all.failed |= r.failed;
    }
    if all.failed {
        return None;
    }
    let from = covered_since(since, until, &all.logging, &all.minutes);
    let mut events: Vec<TrailEvent> = all
        .events
        .into_iter()
        .filter(|e| secs(&e.at).is_some_and(|at| at >= from && at < until))
        .collect();
    events.sort_by(|a, b| b.at.cmp(&a.at));
    all.sources.sort();
    let location = format!(
        "s3://{}/{}",
        t.bucket,
        day_prefix(t, account, &c.region, "").trim_end_matches('/')
    );
    let read = HistoryRead {
        region: c.region.clone(),
        since: crate::time::rfc3339(&aws_smithy_types::DateTime::from_secs(from)),
        until: crate::time::rfc3339(&aws_smithy_types::DateTime::from_secs(until)),
        events: events.len(),
        sources: all.sources,
        source: Some(format!("trail log files {location} ({} files)", all.files)),
    };
    Some((events, read))
}

fn secs(at: &str) -> Option<i64> {
    crate::time::parse_rfc3339(at).map(|t| t.secs())
}

/// The first moment from which the trail logged without a break up to `until`: after the
/// last stop (StopLogging or DeleteTrail of a trail) that no record follows before the
/// same trail's next StartLogging (or `until`). A stop of another trail is followed by
/// this trail's records and breaks nothing; a stop with no record after it in a quiet
/// account is taken as a break, since nothing shows otherwise.
pub fn covered_since(
    since: i64,
    until: i64,
    logging: &[LoggingCall],
    minutes: &BTreeSet<i64>,
) -> i64 {
    let mut from = since;
    for (name, at, trail) in logging {
        if !STOPS.contains(&name.as_str()) {
            continue;
        }
        let restart = logging
            .iter()
            .filter(|(n, t, x)| n == START && *t > *at && x == trail)
            .map(|(_, t, _)| *t)
            .min();
        let end = restart.unwrap_or(until);
        // Records of the minutes after the stop and before the restart: this trail logged.
        let (first, last) = (at / 60 + 1, end / 60);
        let logged_after = first < last && minutes.range(first..last).next().is_some();
        if !logged_after {
            from = from.max(end);
        }
    }
    from
}

/// One day's log files: listed, then read a few at a time.
async fn read_day(c: &Clients, ctx: &Context, account: &str, t: &TrailSource, day: String) -> Read {
    let prefix = day_prefix(t, account, &c.region, &day);
    let mut keys = Vec::new();
    let mut read = Read::default();
    let mut token: Option<String> = None;
    loop {
        let request =
            c.s3.list_objects_v2()
                .bucket(&t.bucket)
                .prefix(&prefix)
                .set_continuation_token(token.clone())
                .send();
        let Some((page, sources)) = ctx
            .call("s3", "ListObjectsV2", &c.region, Some(&t.bucket), request)
            .await
        else {
            read.failed = true;
            return read;
        };
        read.sources.extend(sources);
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .filter(|k| k.ends_with(".json.gz"))
                .map(str::to_string),
        );
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let files: Vec<Option<Read>> = futures::stream::iter(keys)
        .map(|key| read_file(c, ctx, t, key))
        .buffer_unordered(FILES_IN_FLIGHT)
        .collect()
        .await;
    for f in files {
        let Some(f) = f else {
            read.failed = true;
            continue;
        };
        read.events.extend(f.events);
        read.logging.extend(f.logging);
        read.minutes.extend(f.minutes);
        read.sources.extend(f.sources);
        read.files += 1;
    }
    read
}

/// One log file: its DMS and trail-logging records, captured as kept, with the SHA-256 of
/// the object as S3 returned it.
async fn read_file(c: &Clients, ctx: &Context, t: &TrailSource, key: String) -> Option<Read> {
    let request = c.s3.get_object().bucket(&t.bucket).key(&key).send();
    let (out, _) = ctx
        .call("s3", "GetObject", &c.region, Some(&key), request)
        .await?;
    use aws_sdk_s3::operation::RequestId as _;
    let request_id = out.request_id().map(str::to_string);
    let gzipped = match out.body.collect().await {
        Ok(b) => b.into_bytes(),
        Err(e) => return unreadable(ctx, &c.region, &key, &e.to_string()),
    };
    let records = match records_of(&gzipped) {
        Ok(records) => records,
        Err(why) => return unreadable(ctx, &c.region, &key, &why),
    };
    let total = records.len();
    let (kept, mut read) = keep(records, &c.region);
    if kept.is_empty() {
        return Some(read);
    }
    let mut body = json!({"Bucket": t.bucket, "Key": key, "Records": kept});
    let mut redacted = Vec::new();
    crate::redact::json("dms", &mut body, "$", &mut redacted);
    redacted.push(format!(
        "$.Records: {} of {total} records kept (DMS, and calls that stop or start a trail)",
        kept.len()
    ));
    let body = body.to_string();
    let id = ctx.store.add(Capture {
        id: String::new(),
        service: "s3".into(),
        operation: "GetObject".into(),
        region: c.region.clone(),
        request_id,
        http_status: 200,
        time: crate::time::now_rfc3339(),
        media_type: "application/json".into(),
        body_encoding: "utf8".into(),
        sha256: sha256_hex(body.as_bytes()),
        received_sha256: Some(sha256_hex(&gzipped)),
        body,
        redacted,
    });
    let sources = vec![id];
    for r in kept
        .iter()
        .filter(|r| r["eventSource"] == super::cloudtrail::DMS_SOURCE)
    {
        read.events
            .extend(super::cloudtrail::trail_event_value(r, &sources));
    }
    read.sources = sources;
    Some(read)
}

/// The records of a gzip JSON log file, or why it is not one.
fn records_of(gzipped: &[u8]) -> Result<Vec<Value>, String> {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(gzipped)
        .take(MAX_FILE_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| format!("not gzip: {e}"))?;
    let doc: Value = serde_json::from_slice(&text).map_err(|e| format!("not JSON: {e}"))?;
    match doc {
        Value::Object(mut map) => match map.remove("Records") {
            Some(Value::Array(records)) => Ok(records),
            _ => Err("no Records array".into()),
        },
        _ => Err("no Records array".into()),
    }
}

/// The records of `region` to keep (DMS, and the calls that stop or start a trail), with
/// the trail-logging calls that took effect and the minutes at which any record was written.
fn keep(records: Vec<Value>, region: &str) -> (Vec<Value>, Read) {
    let mut read = Read::default();
    let mut kept = Vec::new();
    for r in records {
        let field = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default();
        let at = secs(field("eventTime"));
        if let Some(at) = at {
            read.minutes.insert(at / 60);
        }
        let source = field("eventSource");
        let name = field("eventName");
        let is_logging =
            source == "cloudtrail.amazonaws.com" && (STOPS.contains(&name) || name == START);
        if field("awsRegion") != region || !(source == super::cloudtrail::DMS_SOURCE || is_logging)
        {
            continue;
        }
        if is_logging
            && r.get("errorCode").is_none_or(Value::is_null)
            && let Some(at) = at
        {
            let trail = r
                .pointer("/requestParameters/name")
                .and_then(Value::as_str)
                .unwrap_or_default();
            read.logging.push((name.to_string(), at, trail_name(trail)));
        }
        kept.push(r);
    }
    (kept, read)
}

/// A trail's name from StopLogging's, DeleteTrail's or StartLogging's `name`, which may be
/// the trail's ARN (`arn:aws:cloudtrail:<region>:<account>:trail/<name>`).
fn trail_name(name: &str) -> String {
    name.rsplit_once(":trail/")
        .map_or(name, |(_, n)| n)
        .to_string()
}

/// A log file that could not be read: a gap naming it, so that its span is not taken as
/// read.
fn unreadable(ctx: &Context, region: &str, key: &str, why: &str) -> Option<Read> {
    ctx.gap(Gap {
        service: "s3".into(),
        operation: "GetObject".into(),
        region: region.to_string(),
        iam_action: crate::operations::iam_action("s3", "GetObject"),
        kind: GapKind::Other,
        code: None,
        message: format!("the trail log file could not be read: {why}"),
        resource: Some(key.to_string()),
    });
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(prefix: Option<&str>, org: Option<&str>) -> TrailSource {
        TrailSource {
            bucket: "logs".into(),
            prefix: prefix.map(str::to_string),
            organization_id: org.map(str::to_string),
            since: "2026-01-01".into(),
        }
    }

    #[test]
    fn day_prefixes_follow_the_trail_layout() {
        for (prefix, org, want) in [
            (
                None,
                None,
                "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/09/",
            ),
            (
                Some("ct/main"),
                None,
                "ct/main/AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/09/",
            ),
            (
                None,
                Some("o-abcdefghij"),
                "AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2026/03/09/",
            ),
        ] {
            assert_eq!(
                day_prefix(
                    &source(prefix, org),
                    "111122223333",
                    "eu-west-1",
                    "2026-03-09"
                ),
                want
            );
        }
    }

    #[test]
    fn the_history_begins_after_a_stop_nothing_was_logged_after() {
        let day = 86_400;
        let (since, until) = (0, 100 * day);
        let minutes = |ats: &[i64]| ats.iter().map(|a| a / 60).collect::<BTreeSet<i64>>();
        let ev = |name: &str, at: i64, trail: &str| (name.to_string(), at, trail.to_string());
        let cases: &[(&str, Vec<LoggingCall>, BTreeSet<i64>, i64)] = &[
            ("no stop", vec![], minutes(&[5 * day]), since),
            (
                "stopped, then started again, nothing between: a hole",
                vec![
                    ev("StopLogging", 10 * day, "main"),
                    ev("StartLogging", 20 * day, "main"),
                ],
                minutes(&[5 * day, 25 * day]),
                20 * day,
            ),
            (
                "another trail stopped: this one kept logging",
                vec![ev("StopLogging", 10 * day, "other")],
                minutes(&[5 * day, 15 * day]),
                since,
            ),
            (
                "stopped and never started: nothing is covered",
                vec![ev("StopLogging", 10 * day, "main")],
                minutes(&[5 * day]),
                until,
            ),
            (
                "deleted, then started again under the same name",
                vec![
                    ev("DeleteTrail", 10 * day, "main"),
                    ev("StartLogging", 30 * day, "main"),
                ],
                minutes(&[5 * day, 31 * day]),
                30 * day,
            ),
            (
                "stopped and started again within the minute: nothing to look at, a hole",
                vec![
                    ev("StopLogging", 10 * day, "main"),
                    ev("StartLogging", 10 * day + 30, "main"),
                ],
                minutes(&[5 * day]),
                10 * day + 30,
            ),
            (
                "a restart of another trail does not end the hole",
                vec![
                    ev("StopLogging", 10 * day, "main"),
                    ev("StartLogging", 12 * day, "other"),
                ],
                minutes(&[5 * day]),
                until,
            ),
        ];
        for (what, logging, minutes, want) in cases {
            assert_eq!(
                covered_since(since, until, logging, minutes),
                *want,
                "{what}"
            );
        }
    }

    #[test]
    fn only_the_regions_dms_records_and_trail_logging_calls_are_kept() {
        let record = |source: &str, name: &str, region: &str, extra: Value| {
            let mut r = json!({"eventSource": source, "eventName": name, "awsRegion": region,
                               "eventTime": "2026-03-09T10:00:00Z", "requestParameters": {"name": "main"}});
            if let (Some(r), Value::Object(more)) = (r.as_object_mut(), extra) {
                r.extend(more);
            }
            r
        };
        let records = vec![
            record(
                "dms.amazonaws.com",
                "CreateEndpoint",
                "eu-west-1",
                json!({}),
            ),
            record(
                "dms.amazonaws.com",
                "CreateEndpoint",
                "us-east-1",
                json!({}),
            ),
            record("ec2.amazonaws.com", "RunInstances", "eu-west-1", json!({})),
            record(
                "cloudtrail.amazonaws.com",
                "StopLogging",
                "eu-west-1",
                json!({}),
            ),
            record(
                "cloudtrail.amazonaws.com",
                "StopLogging",
                "eu-west-1",
                json!({"errorCode": "AccessDenied"}),
            ),
        ];
        let (kept, read) = keep(records, "eu-west-1");
        assert_eq!(kept.len(), 3, "{kept:?}");
        assert_eq!(
            read.logging,
            [("StopLogging".to_string(), 1_773_050_400, "main".to_string())]
        );
        assert_eq!(read.minutes.len(), 1, "every record's minute, kept or not");
        for (bytes, why) in [
            (b"not gzip".to_vec(), "not gzip"),
            (gzip(b"{}"), "no Records array"),
            (gzip(b"{\"Records\": 1}"), "no Records array"),
            (gzip(b"{\"Records\": ["), "not JSON"),
        ] {
            assert!(records_of(&bytes).is_err_and(|e| e.contains(why)), "{why}");
        }
        assert_eq!(
            records_of(&gzip(b"{\"Records\": [{}]}")).map(|r| r.len()),
            Ok(1)
        );
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write as _;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        e.write_all(bytes).expect("gzip");
        e.finish().expect("gzip")
    }

    #[test]
    fn trail_names_come_from_names_or_arns() {
        assert_eq!(trail_name("main"), "main");
        assert_eq!(
            trail_name("arn:aws:cloudtrail:us-east-1:111122223333:trail/main"),
            "main"
        );
    }
}
