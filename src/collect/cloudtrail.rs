//! CloudTrail: the region's DMS management events of the last 90 days (event history,
//! no trail needed), read with LookupEvents on `EventSource = dms.amazonaws.com`, so that
//! a migration whose resources were deleted after cut-over can still be judged
//! ([`crate::facts::history`]).
//!
//! CloudTrail API Reference, LookupEvents: "You can look up events that occurred in a
//! Region within the last 90 days"; at most 50 events a page; "The rate of lookup
//! requests is limited to two per second, per account, per Region. If this limit is
//! exceeded, a throttling error occurs." Every page of every lookup in a region therefore
//! waits its turn ([`Pace`]), no closer than [`MIN_INTERVAL`] to the one before, and a
//! throttled page is retried by the SDK.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};
use serde_json::Value;

use super::{Clients, Context};
use crate::facts::HistoryRead;
use crate::facts::history::{TrailEvent, pascal};

/// Event history keeps management events this long (CloudTrail User Guide, "Working
/// with CloudTrail event history").
pub const RETENTION_DAYS: i64 = 90;
/// LookupEvents' page size maximum.
pub const PAGE: i32 = 50;
/// Two requests per second per account and region: one every half second at most.
pub const MIN_INTERVAL: Duration = Duration::from_millis(500);
/// The DMS event source (DMS User Guide, "Logging AWS DMS API calls with AWS CloudTrail").
pub const DMS_SOURCE: &str = "dms.amazonaws.com";

/// The turns of LookupEvents requests in one region: each at least [`MIN_INTERVAL`] after
/// the one before, whichever lookup makes it (the DMS history and the stores' switches may
/// look up at once).
#[derive(Debug, Default)]
pub struct Pace {
    next: Mutex<Option<Instant>>,
}

impl Pace {
    /// Takes the next turn at `now`: how long to wait for it.
    pub fn turn(&self, now: Instant) -> Duration {
        let mut next = self.next.lock().unwrap_or_else(|e| e.into_inner());
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + MIN_INTERVAL);
        at - now
    }

    /// Waits for the next turn.
    pub async fn wait(&self) {
        let wait = self.turn(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

/// The region's DMS events of the last 90 days, newest page first, and what the read
/// covered; `None` when a page failed (a gap names cloudtrail:LookupEvents).
pub async fn dms_history(c: &Clients, ctx: &Context) -> Option<(Vec<TrailEvent>, HistoryRead)> {
    lookup(c, ctx, LookupAttributeKey::EventSource, DMS_SOURCE).await
}

/// The region's events of the last 90 days whose `key` is `value`, newest page first, and
/// what the read covered; `None` when a page failed. Each page waits its turn in the
/// region ([`Pace`]).
pub async fn lookup(
    c: &Clients,
    ctx: &Context,
    key: LookupAttributeKey,
    value: &str,
) -> Option<(Vec<TrailEvent>, HistoryRead)> {
    let now = crate::time::Timestamp::now();
    let since = now - time::Duration::days(RETENTION_DAYS);
    let attribute = LookupAttribute::builder()
        .attribute_key(key)
        .attribute_value(value)
        .build()
        .ok()?;
    let mut events = Vec::new();
    let mut sources_all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        c.lookup_pace.wait().await;
        let request = c
            .cloudtrail
            .lookup_events()
            .lookup_attributes(attribute.clone())
            .start_time(since.to_sdk())
            .end_time(now.to_sdk())
            .max_results(PAGE)
            .set_next_token(token.clone())
            .send();
        let (page, sources) = ctx
            .call("cloudtrail", "LookupEvents", &c.region, None, request)
            .await?;
        for e in page.events() {
            events.extend(trail_event(e.cloud_trail_event(), &sources));
        }
        sources_all.extend(sources);
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    let read = HistoryRead {
        region: c.region.clone(),
        since,
        until: now,
        events: events.len(),
        sources: sources_all,
        source: None,
        integrity: None,
    };
    Some((events, read))
}

/// One event of the CloudTrailEvent JSON; `None` for a record without a name or time, and
/// for a call that failed: CloudTrail records refused and failed calls too, with an
/// `errorCode` (CloudTrail User Guide, "CloudTrail record contents"), and a call that did
/// not take effect changed nothing (a denied ModifyEndpoint did not re-point anything).
fn trail_event(record: Option<&str>, sources: &[String]) -> Option<TrailEvent> {
    let v: Value = serde_json::from_str(record?).ok()?;
    trail_event_value(&v, sources)
}

/// [`trail_event`] of a record already parsed (a trail log file's, [`super::trail`]).
pub fn trail_event_value(v: &Value, sources: &[String]) -> Option<TrailEvent> {
    if v.get("errorCode").is_some_and(|c| !c.is_null()) {
        return None;
    }
    let text = |key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let at = crate::time::Timestamp::parse(&text("eventTime")?)?;
    let mut request = pascal(v.get("requestParameters").cloned().unwrap_or(Value::Null));
    let mut response = pascal(v.get("responseElements").cloned().unwrap_or(Value::Null));
    crate::redact::json("dms", &mut request, "$", &mut Vec::new());
    crate::redact::json("dms", &mut response, "$", &mut Vec::new());
    Some(TrailEvent {
        name: text("eventName")?,
        source: text("eventSource"),
        at,
        event_id: text("eventID").unwrap_or_default(),
        by: v
            .get("userIdentity")
            .and_then(|u| u.get("arn"))
            .and_then(Value::as_str)
            .map(str::to_string),
        request,
        response,
        sources: sources.to_vec(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lookups in one region take turns half a second apart, whoever asks, and a turn
    /// not taken for a while is not owed: the next one is at once.
    #[test]
    fn lookups_in_a_region_take_turns_two_a_second() {
        let pace = Pace::default();
        let t0 = Instant::now();
        let ms = Duration::from_millis;
        // Three lookups asking at once wait 0, 500 and 1000 ms.
        assert_eq!(
            [pace.turn(t0), pace.turn(t0), pace.turn(t0)],
            [ms(0), ms(500), ms(1000)]
        );
        // One asking 1200 ms in waits for the turn after the third (1500 ms).
        assert_eq!(pace.turn(t0 + ms(1200)), ms(300));
        // Long after, no wait.
        assert_eq!(pace.turn(t0 + ms(10_000)), ms(0));
        assert_eq!(pace.turn(t0 + ms(10_100)), ms(400));
    }

    #[test]
    fn a_cloudtrail_record_becomes_an_event_with_api_member_names_and_no_secret() {
        let record = r#"{"eventName":"CreateEndpoint","eventTime":"2026-09-01T10:00:00Z","eventID":"e1",
            "userIdentity":{"arn":"arn:aws:sts::1:assumed-role/admin/s"},
            "requestParameters":{"endpointIdentifier":"src","sslMode":"none","password":"HIDDEN_DUE_TO_SECURITY_REASONS",
                                 "extraConnectionAttributes":"useLogminerReader=N;password=hunter2"},
            "responseElements":{"endpoint":{"endpointArn":"arn:aws:dms:us-east-1:1:endpoint:E"}}}"#;
        let e = trail_event(Some(record), &["c1".into()]).expect("event");
        assert_eq!(
            (e.name.as_str(), e.at.to_string().as_str()),
            ("CreateEndpoint", "2026-09-01T10:00:00Z")
        );
        assert_eq!(e.request["SslMode"], "none");
        assert_eq!(
            e.response["Endpoint"]["EndpointArn"],
            "arn:aws:dms:us-east-1:1:endpoint:E"
        );
        let text = e.request.to_string();
        assert!(
            !text.contains("hunter2") && !text.contains("HIDDEN_DUE"),
            "{text}"
        );
        assert!(trail_event(Some("{}"), &[]).is_none());
        // A call that failed took no effect.
        let failed = record.replacen(
            "{",
            r#"{"errorCode":"AccessDenied","errorMessage":"denied","#,
            1,
        );
        assert!(trail_event(Some(&failed), &[]).is_none());
        assert!(trail_event(Some("not json"), &[]).is_none());
    }
}
