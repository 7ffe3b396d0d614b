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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read as _;

use futures::StreamExt as _;
use serde_json::{Value, json};

use super::{Clients, Context, trail_digest};
use crate::casestudy::TrailSource;
use crate::digest::sha256_hex;
use crate::evidence::{Capture, Gap, GapKind};
use crate::facts::HistoryRead;
use crate::facts::history::TrailEvent;
use crate::time::{DAY, HOUR, Timestamp};

/// The unit in which [`covered_since`] tells records apart.
const MINUTE: time::Duration = time::Duration::MINUTE;

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

/// The folders a trail delivers to: log files, and digest files.
pub const LOGS: &str = "CloudTrail";
pub const DIGESTS: &str = "CloudTrail-Digest";

/// The key prefix of `account`'s `kind` files ([`LOGS`], [`DIGESTS`]) in `region`, ending
/// in `/`.
pub fn folder(t: &TrailSource, account: &str, region: &str, kind: &str) -> String {
    let prefix = t
        .prefix
        .as_ref()
        .map(|p| format!("{p}/"))
        .unwrap_or_default();
    let owner = match &t.organization_id {
        Some(org) => format!("{org}/{account}"),
        None => account.to_string(),
    };
    format!("{prefix}AWSLogs/{owner}/{kind}/{region}/")
}

/// The key prefix of one day's log files of `account` in `region`.
pub fn day_prefix(t: &TrailSource, account: &str, region: &str, day: &str) -> String {
    format!(
        "{}{}/",
        folder(t, account, region, LOGS),
        day.replace('-', "/")
    )
}

/// A call that stops or starts a trail: its name, its time and the trail it names.
pub type LoggingCall = (String, Timestamp, String);

/// What one log file held: the kept records, the minutes at which any record was written
/// (to tell a trail that kept logging from one that stopped), and the capture.
#[derive(Debug, Default)]
struct Read {
    events: Vec<TrailEvent>,
    logging: Vec<LoggingCall>,
    minutes: BTreeSet<Timestamp>,
    sources: Vec<String>,
}

/// One log file read: its key, the SHA-256 of its uncompressed content (what a digest
/// file lists), and what it held.
#[derive(Debug)]
struct FileRead {
    key: String,
    sha256: String,
    read: Read,
}

/// The days `from` to `to`, as `YYYY-MM-DD`.
fn days(from: Timestamp, to: Timestamp) -> Vec<String> {
    (0..)
        .map(|n| from + DAY * n)
        .take_while(|d| *d <= to)
        .map(Timestamp::date)
        .collect()
}

/// The region's DMS events in the trail's files from `t.since` to `until`,
/// and what the read covered; `None` when a listing or a file failed (a gap names the
/// action), when the files do not check against the trail's digest files (a gap says
/// which and why), when the region has no log file in those days, or when the window is
/// empty.
pub async fn dms_history(
    c: &Clients,
    ctx: &Context,
    account: &str,
    t: &TrailSource,
    until: Timestamp,
) -> Option<(Vec<TrailEvent>, HistoryRead)> {
    let since = crate::time::parse_date(&t.since)?;
    if since >= until {
        return None;
    }
    let today = Timestamp::now();
    let log_days = days(since, (until + DAY).min(today));
    let prefix = folder(t, account, &c.region, LOGS);
    let (files, mut sources) = read_folders(c, ctx, t, &prefix, &log_days, |key| {
        read_file(c, ctx, t, key)
    })
    .await?;
    let mut logging = Vec::new();
    let mut minutes = BTreeSet::new();
    for f in &files {
        logging.extend(f.read.logging.iter().cloned());
        minutes.extend(f.read.minutes.iter().copied());
    }
    let mut from = covered_since(since, until, &logging, &minutes);
    let mut to = until;
    let (integrity, proven) = if t.unvalidated {
        (
            "not validated: the case study reads this trail with validation = \"off\", so \
             nothing shows these log files are the ones CloudTrail delivered"
                .to_string(),
            None,
        )
    } else if files.is_empty() {
        // No log file delivered for this region in those days: the trail says nothing of
        // it, and no span is claimed as read (deleting every file must not read as a
        // quiet account).
        return None;
    } else {
        let v = validate(c, ctx, account, t, since, until, &files).await?;
        from = from.max(v.from);
        to = to.min(v.until);
        (v.integrity, Some(v.proven))
    };
    let file_count = files.len();
    let events = vouched(files, proven.as_ref(), &mut sources);
    let mut events: Vec<TrailEvent> = events
        .into_iter()
        .filter(|e| (from..to).contains(&e.at))
        .collect();
    events.sort_by_key(|e| std::cmp::Reverse(e.at));
    sources.sort();
    sources.dedup();
    let location = format!("s3://{}/{}", t.bucket, prefix.trim_end_matches('/'));
    let read = HistoryRead {
        region: c.region.clone(),
        since: from,
        until: to.max(from),
        events: events.len(),
        sources,
        source: Some(format!("trail log files {location} ({file_count} files)")),
        integrity: Some(integrity),
    };
    Some((events, read))
}

/// The events of the files the digest files vouch for (all, when not validated), each
/// citing the capture of the digest listing its file; the files' captures join `sources`.
/// A file the digests do not vouch for (delivered outside the span they prove) gives
/// nothing.
fn vouched(
    files: Vec<FileRead>,
    proven: Option<&HashMap<String, Option<String>>>,
    sources: &mut Vec<String>,
) -> Vec<TrailEvent> {
    let mut events = Vec::new();
    for f in files {
        let digest = match proven.map(|p| p.get(&f.key)) {
            None => None,
            Some(Some(d)) => d.clone(),
            Some(None) => continue,
        };
        sources.extend(f.read.sources.iter().cloned());
        for mut e in f.read.events {
            e.sources.extend(digest.iter().cloned());
            events.push(e);
        }
    }
    events
}

/// What the digest files prove: from when to when the log files are CloudTrail's, each
/// log file in that span with the capture of the digest listing it (`None` when it held no
/// kept record), and the sentence the history read carries.
struct Validated {
    from: Timestamp,
    until: Timestamp,
    proven: HashMap<String, Option<String>>,
    integrity: String,
}

/// Checks the log files read against the trail's digest files of the same days (and the
/// day after), as `aws cloudtrail validate-logs` does: each digest signed by the region's
/// CloudTrail key, the chain unbroken, and every log file delivered in the span the chain
/// covers listed with the SHA-256 of its content, none missing. Any failure is a gap and
/// the trail read is dropped: a changed or deleted file could hide the event that decides
/// an item.
async fn validate(
    c: &Clients,
    ctx: &Context,
    account: &str,
    t: &TrailSource,
    since: Timestamp,
    until: Timestamp,
    files: &[FileRead],
) -> Option<Validated> {
    let now = Timestamp::now();
    // CloudTrail delivers a file within minutes of its events and its digest in the hour
    // after: what was delivered up to two hours ago is digested by now.
    let file_end = (until + DAY).min(now - HOUR * 2);
    let keys = public_keys(c, ctx, since, (file_end + HOUR * 2).min(now)).await?;
    let digests = folder(t, account, &c.region, DIGESTS);
    let digest_days = days(since, (file_end + HOUR).min(now));
    let (fetched, _) = read_folders(c, ctx, t, &digests, &digest_days, |key| {
        read_digest(c, ctx, t, key)
    })
    .await?;
    let mut problems = Vec::new();
    let mut valid = Vec::new();
    for f in &fetched {
        match trail_digest::check(f, &t.bucket, &keys) {
            Ok(v) => valid.push(v),
            Err(e) => problems.push(e),
        }
    }
    problems.extend(trail_digest::chain_breaks(&valid, since));
    let at = file_end;
    let Some(covered) = trail_digest::covered_from(&valid, file_end) else {
        problems.push(format!(
            "no valid digest file of this region covers {at} ({} read): the log files cannot be \
             checked against CloudTrail's signature. If the trail had log file validation off, \
             set validation = \"off\" in [trail] to read them unvalidated (the bundle then says so)",
            fetched.len()
        ));
        return integrity_gaps(ctx, &c.region, &problems);
    };
    let from = covered.max(since);
    let log_folder = folder(t, account, &c.region, LOGS);
    let listed = trail_digest::listed(&valid, &t.bucket);
    let in_span =
        |key: &str| trail_digest::time_in_name(key).is_some_and(|d| d >= from && d < file_end);
    problems.extend(unlisted(files, &listed, &log_folder, &in_span));
    if !problems.is_empty() {
        return integrity_gaps(ctx, &c.region, &problems);
    }
    let by_key: HashMap<&str, &trail_digest::Fetched> =
        fetched.iter().map(|f| (f.key.as_str(), f)).collect();
    let mut captured: HashMap<&str, String> = HashMap::new();
    let mut proven = HashMap::new();
    for f in files.iter().filter(|f| in_span(&f.key)) {
        let digest = listed
            .get(f.key.as_str())
            .filter(|_| !f.read.sources.is_empty())
            .and_then(|(_, d)| by_key.get(d).map(|fetched| (*d, *fetched)));
        let capture = digest.map(|(d, fetched)| {
            captured
                .entry(d)
                .or_insert_with(|| capture_digest(ctx, &c.region, &t.bucket, fetched))
                .clone()
        });
        proven.insert(f.key.clone(), capture);
    }
    let chained = valid.iter().filter(|v| !v.backfill).count();
    let integrity = format!(
        "validated: {} log files delivered from {} to {at} are each listed with their SHA-256 in \
         {chained} CloudTrail digest files, every digest signed SHA256withRSA with this region's \
         CloudTrail key (ListPublicKeys) and chained to the one before, none missing",
        proven.len(),
        from,
    );
    Some(Validated {
        from,
        until: until.min(file_end),
        proven,
        integrity,
    })
}

/// The log files in the span (`in_span`) that the digests do not list as they are: a file
/// whose content is not the one listed, one no digest lists, and one listed that is gone.
fn unlisted(
    files: &[FileRead],
    listed: &BTreeMap<&str, (&str, &str)>,
    log_folder: &str,
    in_span: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut problems = Vec::new();
    for f in files.iter().filter(|f| in_span(&f.key)) {
        match listed.get(f.key.as_str()) {
            Some((hash, _)) if *hash == f.sha256 => {}
            Some((hash, digest)) => problems.push(format!(
                "log file {} changed after CloudTrail delivered it: digest file {digest} lists \
                 SHA-256 {hash}, the file's content has {}",
                f.key, f.sha256
            )),
            None => problems.push(format!(
                "log file {} is listed in no digest file: CloudTrail did not deliver it",
                f.key
            )),
        }
    }
    let on_bucket: HashSet<&str> = files.iter().map(|f| f.key.as_str()).collect();
    for (key, (_, digest)) in listed {
        if key.starts_with(log_folder) && in_span(key) && !on_bucket.contains(key) {
            problems.push(format!(
                "log file {key}, listed in digest file {digest}, is not in the bucket"
            ));
        }
    }
    problems
}

/// The first problems the digest files show, each a gap (the rest counted in the last),
/// and no trail read.
fn integrity_gaps<T>(ctx: &Context, region: &str, problems: &[String]) -> Option<T> {
    const SHOWN: usize = 5;
    let shown = SHOWN.min(problems.len());
    for (n, p) in problems.iter().take(shown).enumerate() {
        let more = match problems.len() - shown {
            extra if extra > 0 && n + 1 == shown => format!(" (and {extra} more problems like it)"),
            _ => String::new(),
        };
        let message = format!(
            "the trail's log files do not check against CloudTrail's digest files, so none is \
             used: {p}{more}"
        );
        object_gap::<()>(ctx, region, Some("LogFileValidation"), message, None);
    }
    None
}

/// The region's CloudTrail public keys valid between `from` and `to`, by fingerprint.
async fn public_keys(
    c: &Clients,
    ctx: &Context,
    from: Timestamp,
    to: Timestamp,
) -> Option<HashMap<String, Vec<u8>>> {
    let mut keys = HashMap::new();
    let mut token: Option<String> = None;
    loop {
        let request = c
            .cloudtrail
            .list_public_keys()
            .start_time(from.to_sdk())
            .end_time(to.max(from).to_sdk())
            .set_next_token(token.clone())
            .send();
        let (page, _) = ctx
            .call("cloudtrail", "ListPublicKeys", &c.region, None, request)
            .await?;
        for k in page.public_key_list() {
            if let (Some(fingerprint), Some(value)) = (k.fingerprint(), k.value()) {
                keys.insert(fingerprint.to_string(), value.as_ref().to_vec());
            }
        }
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            return Some(keys);
        }
    }
}

/// The first moment from which the trail logged without a break up to `until`: after the
/// last stop (StopLogging or DeleteTrail of a trail) that no record follows before the
/// same trail's next StartLogging (or `until`). A stop of another trail is followed by
/// this trail's records and breaks nothing; a stop with no record after it in a quiet
/// account is taken as a break, since nothing shows otherwise.
pub fn covered_since(
    since: Timestamp,
    until: Timestamp,
    logging: &[LoggingCall],
    minutes: &BTreeSet<Timestamp>,
) -> Timestamp {
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
        let (first, last) = (at.floor(MINUTE) + MINUTE, end.floor(MINUTE));
        let logged_after = first < last && minutes.range(first..last).next().is_some();
        if !logged_after {
            from = from.max(end);
        }
    }
    from
}

/// Every `.json.gz` object of the day folders `folder/YYYY/MM/DD/` of `days`, listed
/// (a few days at a time) and each read with `read` (a few at a time); with the listings'
/// captures. `None` when a listing or a read failed (a gap names it).
async fn read_folders<R, F, Fut>(
    c: &Clients,
    ctx: &Context,
    t: &TrailSource,
    folder: &str,
    days: &[String],
    read: F,
) -> Option<(Vec<R>, Vec<String>)>
where
    F: Fn(String) -> Fut,
    Fut: std::future::Future<Output = Option<R>>,
{
    let listings: Vec<Option<(Vec<String>, Vec<String>)>> = futures::stream::iter(days)
        .map(|day| list_day(c, ctx, t, format!("{folder}{}/", day.replace('-', "/"))))
        .buffer_unordered(DAYS_IN_FLIGHT)
        .collect()
        .await;
    let mut keys = Vec::new();
    let mut sources = Vec::new();
    for listing in listings {
        let (k, s) = listing?;
        keys.extend(k);
        sources.extend(s);
    }
    keys.sort();
    let reads: Vec<Option<R>> = futures::stream::iter(keys)
        .map(read)
        .buffered(FILES_IN_FLIGHT)
        .collect()
        .await;
    let reads: Option<Vec<R>> = reads.into_iter().collect();
    Some((reads?, sources))
}

/// The `.json.gz` keys under one day's `prefix`, with the listing's captures.
async fn list_day(
    c: &Clients,
    ctx: &Context,
    t: &TrailSource,
    prefix: String,
) -> Option<(Vec<String>, Vec<String>)> {
    let mut keys = Vec::new();
    let mut sources = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let request =
            c.s3.list_objects_v2()
                .bucket(&t.bucket)
                .prefix(&prefix)
                .set_continuation_token(token.clone())
                .send();
        let (page, captured) = ctx
            .call("s3", "ListObjectsV2", &c.region, Some(&t.bucket), request)
            .await?;
        sources.extend(captured);
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .filter(|k| k.ends_with(".json.gz"))
                .map(str::to_string),
        );
        token = page.next_continuation_token().map(str::to_string);
        if token.is_none() {
            return Some((keys, sources));
        }
    }
}

/// An object of the trail's bucket: its bytes, its user metadata and the request id.
async fn get(
    c: &Clients,
    ctx: &Context,
    t: &TrailSource,
    key: &str,
) -> Option<(Vec<u8>, HashMap<String, String>, Option<String>)> {
    use aws_sdk_s3::operation::RequestId as _;
    let request = c.s3.get_object().bucket(&t.bucket).key(key).send();
    let (out, _) = ctx
        .call("s3", "GetObject", &c.region, Some(key), request)
        .await?;
    let request_id = out.request_id().map(str::to_string);
    let metadata = out.metadata().cloned().unwrap_or_default();
    match out.body.collect().await {
        Ok(b) => Some((b.into_bytes().to_vec(), metadata, request_id)),
        Err(e) => unreadable(ctx, &c.region, key, &e.to_string()),
    }
}

/// One log file: its DMS and trail-logging records, captured as kept, with the SHA-256 of
/// the object as S3 returned it.
async fn read_file(c: &Clients, ctx: &Context, t: &TrailSource, key: String) -> Option<FileRead> {
    let (gzipped, _, request_id) = get(c, ctx, t, &key).await?;
    let (records, sha256) = match records_of(&gzipped) {
        Ok(read) => read,
        Err(why) => return unreadable(ctx, &c.region, &key, &why),
    };
    let total = records.len();
    let (kept, mut read) = keep(records, &c.region);
    if kept.is_empty() {
        return Some(FileRead { key, sha256, read });
    }
    let mut body = json!({"Bucket": t.bucket, "Key": key, "Records": kept});
    let mut redacted = Vec::new();
    crate::redact::json("dms", &mut body, "$", &mut redacted);
    redacted.push(format!(
        "$.Records: {} of {total} records kept (DMS, and calls that stop or start a trail)",
        kept.len()
    ));
    let received = sha256_hex(&gzipped);
    let id = add_capture(
        ctx,
        &c.region,
        request_id,
        body.to_string(),
        received,
        redacted,
    );
    let sources = vec![id];
    for r in kept
        .iter()
        .filter(|r| r["eventSource"] == super::cloudtrail::DMS_SOURCE)
    {
        read.events
            .extend(super::cloudtrail::trail_event_value(r, &sources));
    }
    read.sources = sources;
    Some(FileRead { key, sha256, read })
}

/// A capture of an S3 object read here: what was kept of it, with the SHA-256 of the
/// object as S3 returned it (the interceptor does not see streamed S3 bodies).
fn add_capture(
    ctx: &Context,
    region: &str,
    request_id: Option<String>,
    body: String,
    received_sha256: String,
    redacted: Vec<String>,
) -> String {
    ctx.store.add(Capture {
        id: String::new(),
        service: "s3".into(),
        operation: "GetObject".into(),
        region: region.to_string(),
        request_id,
        http_status: 200,
        time: Timestamp::now(),
        media_type: "application/json".into(),
        body_encoding: "utf8".into(),
        sha256: sha256_hex(body.as_bytes()),
        received_sha256: Some(received_sha256),
        body: body.into(),
        redacted,
    })
}

/// One digest file, gunzipped, with its signature metadata; `None` (a gap) when it
/// cannot be read or is not gzip.
async fn read_digest(
    c: &Clients,
    ctx: &Context,
    t: &TrailSource,
    key: String,
) -> Option<trail_digest::Fetched> {
    let (gzipped, metadata, request_id) = get(c, ctx, t, &key).await?;
    let mut inflated = Vec::new();
    if let Err(e) = flate2::read::GzDecoder::new(gzipped.as_slice())
        .take(MAX_FILE_BYTES)
        .read_to_end(&mut inflated)
    {
        return unreadable(ctx, &c.region, &key, &format!("not gzip: {e}"));
    }
    Some(trail_digest::Fetched {
        key,
        inflated,
        signature: metadata.get("signature").cloned(),
        algorithm: metadata.get("signature-algorithm").cloned(),
        request_id,
        received_sha256: sha256_hex(&gzipped),
    })
}

/// The capture of a digest file that vouches for a log file an event came from: its
/// location, signature metadata and content, so that an auditor can check it again.
fn capture_digest(ctx: &Context, region: &str, bucket: &str, f: &trail_digest::Fetched) -> String {
    let digest: Value = serde_json::from_slice(&f.inflated).unwrap_or(Value::Null);
    let body = json!({
        "Bucket": bucket,
        "Key": f.key,
        "Metadata": {"signature": f.signature, "signature-algorithm": f.algorithm},
        "Digest": digest,
    });
    let redacted = vec![
        "$.Digest: the digest file, gunzipped (received_sha256 is the object's as S3 returned it)"
            .into(),
    ];
    add_capture(
        ctx,
        region,
        f.request_id.clone(),
        body.to_string(),
        f.received_sha256.clone(),
        redacted,
    )
}

/// The records of a gzip JSON log file and the SHA-256 of its uncompressed content, or why
/// it is not one.
fn records_of(gzipped: &[u8]) -> Result<(Vec<Value>, String), String> {
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(gzipped)
        .take(MAX_FILE_BYTES)
        .read_to_end(&mut text)
        .map_err(|e| format!("not gzip: {e}"))?;
    let doc: Value = serde_json::from_slice(&text).map_err(|e| format!("not JSON: {e}"))?;
    match doc {
        Value::Object(mut map) => match map.remove("Records") {
            Some(Value::Array(records)) => Ok((records, sha256_hex(&text))),
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
        let at = Timestamp::parse(field("eventTime"));
        if let Some(at) = at {
            read.minutes.insert(at.floor(MINUTE));
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
fn unreadable<T>(ctx: &Context, region: &str, key: &str, why: &str) -> Option<T> {
    let message = format!("the trail log file could not be read: {why}");
    object_gap(ctx, region, None, message, Some(key))
}

/// A gap in reading the trail's bucket (its objects are read with GetObject).
fn object_gap<T>(
    ctx: &Context,
    region: &str,
    code: Option<&str>,
    message: String,
    key: Option<&str>,
) -> Option<T> {
    ctx.gap(Gap {
        service: "s3".into(),
        operation: "GetObject".into(),
        region: region.to_string(),
        iam_action: crate::operations::iam_action("s3", "GetObject"),
        kind: GapKind::Other,
        code: code.map(str::to_string),
        message,
        resource: key.map(str::to_string),
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
            unvalidated: false,
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
        let day = DAY.whole_seconds();
        let at = Timestamp::from_secs;
        let (since, until) = (0, 100 * day);
        let minutes = |ats: &[i64]| ats.iter().map(|a| at(*a).floor(MINUTE)).collect();
        let ev = |name: &str, t: i64, trail: &str| (name.to_string(), at(t), trail.to_string());
        let cases: &[(&str, Vec<LoggingCall>, BTreeSet<Timestamp>, i64)] = &[
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
                covered_since(at(since), at(until), logging, minutes),
                at(*want),
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
            [(
                "StopLogging".to_string(),
                Timestamp::from_secs(1_773_050_400),
                "main".to_string()
            )]
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
        // The hash a digest file lists is that of the uncompressed content.
        let content = b"{\"Records\": [{}]}";
        assert_eq!(
            records_of(&gzip(content)).map(|(r, sha)| (r.len(), sha)),
            Ok((1, sha256_hex(content)))
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
