//! A migration's history from CloudTrail event history: the DMS write calls of a region
//! (Create*, Modify*, Start/Stop, Delete*) attached to the resources they concern, and the
//! replication instances, endpoints and tasks deleted after cut-over reconstructed from
//! them, with `deleted_at` — so that rules judge one record of current and deleted
//! resources (CloudTrail User Guide, "Viewing events with CloudTrail Event history":
//! management events of the last 90 days; DMS User Guide, "Logging AWS DMS API calls
//! with AWS CloudTrail").
//!
//! A deleted resource is rebuilt from what CloudTrail recorded of it: the resource in
//! the Delete call's responseElements (its state when deleted), else the latest
//! Create/Modify answer, else the Create request. A resource missing from today's
//! listing without a Delete event is not invented: the listing may have failed.

use std::collections::BTreeMap;

use serde_json::Value;

use super::settings::Document;

use super::{
    Endpoint, Facts, HistoryEvent, HistoryRead, ReplicationInstance, ServerlessReplication,
    TableMappings, Task, TaskSettings, TaskStats, Timestamp, host,
};

// Values arrive redacted: the collector (collect::cloudtrail) redacts every event before
// it becomes a TrailEvent.

/// One CloudTrail event as the collector read it (LookupEvents' CloudTrailEvent JSON).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TrailEvent {
    pub name: String,
    /// eventSource (`dms.amazonaws.com`, `es.amazonaws.com`, …): services share event
    /// names (CreateDomain is OpenSearch's, SageMaker's and CodeArtifact's).
    pub source: Option<String>,
    /// eventTime.
    pub at: Timestamp,
    pub event_id: String,
    pub by: Option<String>,
    /// requestParameters and responseElements, member names as the API spells them.
    pub request: Value,
    pub response: Value,
    pub sources: Vec<String>,
}

/// A change DMS defers to the maintenance window waits at most this long: the window
/// recurs weekly (DMS API Reference, ModifyReplicationInstance ApplyImmediately and
/// PreferredMaintenanceWindow).
pub const MAINTENANCE_CYCLE: time::Duration = time::Duration::WEEK;

/// The kinds of DMS resource a history is kept for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Instance,
    Endpoint,
    Task,
    /// A DMS Serverless replication configuration (its replication's Start/Stop events
    /// name it too: StartReplication's ReplicationConfigArn).
    Config,
}

impl Kind {
    /// The ARN member of requests and the resource member of answers (DMS API Reference).
    fn members(self) -> (&'static str, &'static str) {
        match self {
            Kind::Instance => ("ReplicationInstanceArn", "ReplicationInstance"),
            Kind::Endpoint => ("EndpointArn", "Endpoint"),
            Kind::Task => ("ReplicationTaskArn", "ReplicationTask"),
            Kind::Config => ("ReplicationConfigArn", "ReplicationConfig"),
        }
    }

    /// How DMS operation names name the kind (CreateReplicationTask, ModifyEndpoint, …).
    fn noun(self) -> &'static str {
        match self {
            Kind::Instance => "ReplicationInstance",
            Kind::Endpoint => "Endpoint",
            Kind::Task => "ReplicationTask",
            Kind::Config => "ReplicationConfig",
        }
    }

    const ALL: [Kind; 4] = [Kind::Instance, Kind::Endpoint, Kind::Task, Kind::Config];
}

/// CloudTrail writes member names with a lower-case first letter; the API and our facts
/// spell them with an upper-case one (`sslMode` → `SslMode`).
pub fn pascal(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let mut chars = k.chars();
                    let key = match chars.next() {
                        Some(first) => first.to_uppercase().chain(chars).collect(),
                        None => k,
                    };
                    (key, pascal(v))
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(pascal).collect()),
        other => other,
    }
}

/// The DMS resource (kind, ARN) an event concerns: the ARN its request names, or the one
/// in the resource its answer returns (Create calls). The kind its name says comes first:
/// CreateReplicationTask names the task's instance too, but concerns the task.
fn concerns(e: &TrailEvent) -> Option<(Kind, String)> {
    let mut kinds = Kind::ALL;
    kinds.sort_by_key(|k| !e.name.contains(k.noun()));
    kinds.into_iter().find_map(|kind| {
        let (arn_member, resource) = kind.members();
        e.request
            .get(arn_member)
            .or_else(|| e.response.get(resource).and_then(|r| r.get(arn_member)))
            .and_then(Value::as_str)
            .filter(|arn| arn.starts_with("arn:"))
            .map(|arn| (kind, arn.to_string()))
    })
}

pub fn history_event(e: &TrailEvent) -> HistoryEvent {
    HistoryEvent {
        at: e.at,
        name: e.name.clone(),
        event_id: e.event_id.clone(),
        by: e.by.clone(),
        request: e.request.clone(),
        settings: task_document(e, "ReplicationTaskSettings"),
        mappings: task_document(e, "TableMappings"),
        sources: e.sources.clone(),
    }
}

/// The task document (`member`: ReplicationTaskSettings, TableMappings) a
/// CreateReplicationTask or ModifyReplicationTask event shows: the task in its answer (the
/// whole document), else the request's (DMS API Reference, ModifyReplicationTask
/// ReplicationTaskSettings and TableMappings; the task must be stopped to be modified, so
/// a version is in force from one start to the next).
fn task_document(e: &TrailEvent, member: &str) -> Option<String> {
    if e.name != "CreateReplicationTask" && e.name != "ModifyReplicationTask" {
        return None;
    }
    let document = |v: &Value| v.get(member).and_then(Value::as_str).map(str::to_string);
    e.response
        .get("ReplicationTask")
        .and_then(document)
        .or_else(|| document(&e.request))
}

/// Attaches a region's events to its resources and adds those deleted after cut-over.
pub fn reconstruct(
    facts: &mut Facts,
    region: &str,
    events: &[TrailEvent],
    reads: Vec<HistoryRead>,
) {
    let mut by_resource: BTreeMap<(Kind, String), Vec<&TrailEvent>> = BTreeMap::new();
    // LookupEvents answers newest first; reversed, the stable sort below keeps events of
    // the same second in the order they happened.
    for e in events.iter().rev() {
        if let Some(key) = concerns(e) {
            by_resource.entry(key).or_default().push(e);
        }
    }
    for list in by_resource.values_mut() {
        list.sort_by_key(|a| a.at);
    }
    for ((kind, arn), list) in &by_resource {
        let history: Vec<HistoryEvent> = list.iter().map(|e| history_event(e)).collect();
        let deleted = list
            .iter()
            .rev()
            .find(|e| e.name.starts_with("Delete"))
            .map(|e| e.at);
        match kind {
            Kind::Instance => match facts
                .replication_instances
                .iter_mut()
                .find(|i| i.arn == *arn)
            {
                Some(live) => live.history = history,
                None if deleted.is_some() => {
                    facts.replication_instances.push(ReplicationInstance {
                        history,
                        deleted_at: deleted,
                        ..instance(region, arn, list)
                    })
                }
                None => {}
            },
            Kind::Endpoint => match facts.endpoints.iter_mut().find(|x| x.arn == *arn) {
                Some(live) => live.history = history,
                None if deleted.is_some() => facts.endpoints.push(Endpoint {
                    history,
                    deleted_at: deleted,
                    ..endpoint(region, arn, list)
                }),
                None => {}
            },
            Kind::Task => match facts.tasks.iter_mut().find(|t| t.arn == *arn) {
                Some(live) => live.history = history,
                None if deleted.is_some() => facts.tasks.push(Task {
                    history,
                    deleted_at: deleted,
                    ..task(region, arn, list)
                }),
                None => {}
            },
            Kind::Config => match facts.serverless.iter_mut().find(|c| c.config_arn == *arn) {
                Some(live) => live.history = history,
                None if deleted.is_some() => facts.serverless.push(ServerlessReplication {
                    history,
                    deleted_at: deleted,
                    ..config(region, arn, list)
                }),
                None => {}
            },
        }
    }
    facts.history_reads.extend(reads);
}

/// The resource as CloudTrail last showed it: the Delete answer, else the latest answer
/// that returned it, else the Create request; and the captures behind it.
fn snapshot(kind: Kind, list: &[&TrailEvent]) -> (Value, Vec<String>) {
    let (_, resource) = kind.members();
    let mut sources: Vec<String> = list.iter().flat_map(|e| e.sources.clone()).collect();
    sources.sort();
    sources.dedup();
    let answered = list
        .iter()
        .rev()
        .find_map(|e| e.response.get(resource).filter(|r| r.is_object()).cloned());
    let value = answered
        .or_else(|| {
            list.iter()
                .find(|e| e.name.starts_with("Create"))
                .map(|e| e.request.clone())
        })
        .unwrap_or(Value::Null);
    (value, sources)
}

fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn instance(region: &str, arn: &str, list: &[&TrailEvent]) -> ReplicationInstance {
    let (v, sources) = snapshot(Kind::Instance, list);
    let group = v.get("ReplicationSubnetGroup");
    ReplicationInstance {
        region: region.to_string(),
        identifier: text(&v, "ReplicationInstanceIdentifier").unwrap_or_default(),
        arn: arn.to_string(),
        class: text(&v, "ReplicationInstanceClass"),
        status: Some("deleted".into()),
        allocated_storage_gb: v
            .get("AllocatedStorage")
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok()),
        engine_version: text(&v, "EngineVersion"),
        auto_minor_version_upgrade: v.get("AutoMinorVersionUpgrade").and_then(Value::as_bool),
        multi_az: v.get("MultiAZ").and_then(Value::as_bool),
        availability_zone: text(&v, "AvailabilityZone"),
        publicly_accessible: v.get("PubliclyAccessible").and_then(Value::as_bool),
        subnet_group: group.and_then(|g| text(g, "ReplicationSubnetGroupIdentifier")),
        vpc_id: group.and_then(|g| text(g, "VpcId")),
        kms_key_id: text(&v, "KmsKeyId"),
        created: list
            .iter()
            .find(|e| e.name.starts_with("Create"))
            .map(|e| e.at),
        sources,
        ..ReplicationInstance::default()
    }
}

fn endpoint(region: &str, arn: &str, list: &[&TrailEvent]) -> Endpoint {
    let (v, sources) = snapshot(Kind::Endpoint, list);
    let engine = text(&v, "EngineName").unwrap_or_default();
    let mut settings = BTreeMap::new();
    if let Value::Object(map) = &v {
        for (key, value) in map {
            if key.ends_with("Settings") && value.is_object() {
                settings.insert(key.clone(), value.clone());
            }
        }
    }
    Endpoint {
        region: region.to_string(),
        identifier: text(&v, "EndpointIdentifier").unwrap_or_default(),
        arn: arn.to_string(),
        endpoint_type: text(&v, "EndpointType")
            .map(|t| t.to_ascii_lowercase())
            .unwrap_or_default(),
        family: host::family(&engine),
        server_name: text(&v, "ServerName"),
        port: v
            .get("Port")
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok()),
        database: text(&v, "DatabaseName"),
        status: Some("deleted".into()),
        // DMS's default SslMode is none (DMS API Reference, CreateEndpoint).
        ssl_mode: text(&v, "SslMode").or_else(|| Some("none".into())),
        certificate_arn: text(&v, "CertificateArn"),
        kms_key_id: text(&v, "KmsKeyId"),
        host: host::Host::unplaced(),
        engine,
        settings,
        sources,
        deleted_at: None,
        history: Vec::new(),
        hosts_then: Vec::new(),
        config_history: Vec::new(),
        then_basis: None,
    }
}

fn task(region: &str, arn: &str, list: &[&TrailEvent]) -> Task {
    let (v, sources) = snapshot(Kind::Task, list);
    let (starts, stop) = runs(list, "StartReplicationTask", "StopReplicationTask");
    let answer = DeleteAnswer::of(list);
    let created = list
        .iter()
        .find(|e| e.name.starts_with("Create"))
        .map(|e| e.at)
        .or_else(|| answer.date("ReplicationTaskCreationDate", None));
    Task {
        region: region.to_string(),
        identifier: text(&v, "ReplicationTaskIdentifier").unwrap_or_default(),
        arn: arn.to_string(),
        resource_id: arn.rsplit(':').next().unwrap_or_default().to_string(),
        instance_arn: text(&v, "ReplicationInstanceArn"),
        source_arn: text(&v, "SourceEndpointArn"),
        target_arn: text(&v, "TargetEndpointArn"),
        migration_type: text(&v, "MigrationType"),
        status: Some("deleted".into()),
        // The Delete answer returns the task as it was: its StopReason and last failure.
        stop_reason: text(&v, "StopReason"),
        last_failure_message: text(&v, "LastFailureMessage"),
        created,
        started: starts
            .first()
            .copied()
            .or_else(|| answer.date("ReplicationTaskStartDate", created)),
        stats: answer.stats(&starts, stop, created),
        settings: TaskSettings::parse(v.get("ReplicationTaskSettings").and_then(Value::as_str)),
        table_mappings: TableMappings::parse(v.get("TableMappings").and_then(Value::as_str)),
        sources,
        ..Task::default()
    }
}

/// DMS became generally available on 15 March 2016 (AWS What's New, "AWS Database Migration
/// Service Now Generally Available"): no date of a task is earlier.
const DMS_BEGAN: i64 = 1_458_000_000;

/// The task DeleteReplicationTask answered with, as CloudTrail recorded it (DMS API
/// Reference, DeleteReplicationTask: "The deleted replication task", its
/// ReplicationTaskStats included), and when: its dates are believed only between DMS's
/// launch (or the task's creation) and that deletion.
struct DeleteAnswer<'e> {
    task: Option<&'e Value>,
    at: Option<Timestamp>,
}

impl<'e> DeleteAnswer<'e> {
    fn of(list: &[&'e TrailEvent]) -> DeleteAnswer<'e> {
        let event = list
            .iter()
            .rev()
            .find(|e| e.name == "DeleteReplicationTask");
        DeleteAnswer {
            task: event
                .and_then(|e| e.response.get("ReplicationTask"))
                .filter(|t| t.is_object()),
            at: event.map(|e| e.at),
        }
    }

    /// A date member of `within` (the task, or its statistics), inside the task's life.
    fn date_in(
        &self,
        within: Option<&Value>,
        key: &str,
        created: Option<Timestamp>,
    ) -> Option<Timestamp> {
        let t = when(within?, key)?;
        let floor = created.unwrap_or(Timestamp::from_secs(DMS_BEGAN));
        (t >= floor && self.at.is_none_or(|at| t <= at)).then_some(t)
    }

    fn date(&self, key: &str, created: Option<Timestamp>) -> Option<Timestamp> {
        self.date_in(self.task, key, created)
    }

    /// The task's statistics: its runs dated by the Start and Stop events, and what the
    /// answer adds: the counters, the full load's dates, and the dates of a run whose Start
    /// or Stop event is not on record (before the history, or a run DMS ended by itself).
    /// Dates of another run than the last (before its start) are dropped.
    fn stats(
        &self,
        starts: &[Timestamp],
        stop: Option<Timestamp>,
        created: Option<Timestamp>,
    ) -> Option<TaskStats> {
        let reported = self
            .task
            .and_then(|t| t.get("ReplicationTaskStats"))
            .filter(|s| s.is_object());
        if starts.is_empty() && reported.is_none() {
            return None;
        }
        let date = |key: &str| self.date_in(reported, key, created);
        let count = |key: &str| {
            let n = reported.and_then(|r| r.get(key)).and_then(Value::as_i64);
            n.and_then(|n| i32::try_from(n).ok())
        };
        let start_date = starts.last().copied().or_else(|| date("StartDate"));
        let this_run = |key: &str| date(key).filter(|t| start_date.is_none_or(|s| *t >= s));
        Some(TaskStats {
            fresh_start_date: starts.first().copied().or_else(|| date("FreshStartDate")),
            start_date,
            stop_date: stop.or_else(|| this_run("StopDate")),
            full_load_start_date: this_run("FullLoadStartDate"),
            full_load_finish_date: this_run("FullLoadFinishDate"),
            full_load_progress_percent: count("FullLoadProgressPercent"),
            elapsed_time_millis: reported
                .and_then(|r| r.get("ElapsedTimeMillis"))
                .and_then(Value::as_i64),
            tables_loaded: count("TablesLoaded"),
            tables_loading: count("TablesLoading"),
            tables_queued: count("TablesQueued"),
            tables_errored: count("TablesErrored"),
        })
    }
}

/// A time in a CloudTrail answer: CloudTrail's text ([`Timestamp::from_cloudtrail`]), or
/// epoch seconds as the API's JSON writes them.
fn when(v: &Value, key: &str) -> Option<Timestamp> {
    match v.get(key)? {
        Value::String(text) => Timestamp::from_cloudtrail(text),
        Value::Number(n) => n
            .as_f64()
            .filter(|f| f.is_finite())
            .map(|f| Timestamp::from_secs(f as i64)),
        _ => None,
    }
}

/// A deleted DMS Serverless replication as CloudTrail last showed its configuration
/// (DeleteReplicationConfig answers with it: DMS API Reference), its runs dated by the
/// StartReplication and StopReplication events.
fn config(region: &str, arn: &str, list: &[&TrailEvent]) -> ServerlessReplication {
    let (v, sources) = snapshot(Kind::Config, list);
    let compute = v.get("ComputeConfig");
    let (starts, stop) = runs(list, "StartReplication", "StopReplication");
    ServerlessReplication {
        region: region.to_string(),
        identifier: text(&v, "ReplicationConfigIdentifier").unwrap_or_default(),
        config_arn: arn.to_string(),
        source_arn: text(&v, "SourceEndpointArn"),
        target_arn: text(&v, "TargetEndpointArn"),
        replication_type: text(&v, "ReplicationType"),
        kms_key_id: compute.and_then(|c| text(c, "KmsKeyId")),
        multi_az: compute
            .and_then(|c| c.get("MultiAZ"))
            .and_then(Value::as_bool),
        max_capacity_units: compute
            .and_then(|c| c.get("MaxCapacityUnits"))
            .and_then(Value::as_i64)
            .and_then(|n| i32::try_from(n).ok()),
        created: list
            .iter()
            .find(|e| e.name.starts_with("Create"))
            .map(|e| e.at),
        status: Some("deleted".into()),
        stats: starts.last().map(|last| TaskStats {
            fresh_start_date: starts.first().cloned(),
            start_date: Some(*last),
            stop_date: stop,
            ..TaskStats::default()
        }),
        settings: TaskSettings::parse(v.get("ReplicationSettings").and_then(Value::as_str)),
        table_mappings: TableMappings::parse(v.get("TableMappings").and_then(Value::as_str)),
        sources,
        ..ServerlessReplication::default()
    }
}

/// The times of the `start` events, oldest first, and the first `stop` after the last
/// of them. A run DMS ended by itself (a full load that finished, a failure) leaves no
/// Stop event: its end is not on record (not the deletion, which may be much later).
fn runs(list: &[&TrailEvent], start: &str, stop: &str) -> (Vec<Timestamp>, Option<Timestamp>) {
    let at = |name: &str| -> Vec<Timestamp> {
        list.iter()
            .filter(|e| e.name == name)
            .map(|e| e.at)
            .collect()
    };
    let starts = at(start);
    let last = starts.last().copied();
    let stopped = at(stop)
        .into_iter()
        .filter(|t| last.is_some_and(|s| *t >= s))
        .min();
    (starts, stopped)
}

/// A member of a DMS Serverless configuration that a ModifyReplicationConfig changed
/// after the replication last started: the change, and the value the member had when
/// that run started with the event that set it (`None`: not on record).
#[derive(Debug, Clone)]
pub struct AsRan<'h> {
    pub changed: &'h HistoryEvent,
    pub start: Timestamp,
    pub then: Option<(&'h str, &'h HistoryEvent)>,
}

impl AsRan<'_> {
    /// Why what ran is not on record.
    pub fn unknown(&self) -> String {
        format!(
            "the configuration was modified after its last run ({}, after StartReplication {}) \
             and what ran is not on record",
            basis(self.changed),
            self.start
        )
    }
}

/// How `member` (`TargetEndpointArn`, `ReplicationSettings` …) was when the replication
/// last started, when a ModifyReplicationConfig changed it since: the last
/// CreateReplicationConfig or ModifyReplicationConfig before that start that set it
/// (DMS API Reference, ModifyReplicationConfig: a configuration is modified only before
/// its replication first starts, or after a run that failed). The last start is the last
/// StartReplication on record, else `run_start` (the replication's own StartDate, when
/// the start fell before the history). A change in the same second as the start counts as
/// after it, and a value set in that second is not taken as what ran. `None` when it was
/// not changed after the last start (today's value is what ran) or nothing started.
pub fn config_as_ran<'h>(
    history: &'h [HistoryEvent],
    member: &str,
    run_start: Option<Timestamp>,
) -> Option<AsRan<'h>> {
    let start = history
        .iter()
        .filter(|h| h.name == "StartReplication")
        .map(|h| h.at)
        .max()
        .or(run_start)?;
    let changed = history.iter().find(|h| {
        h.name == "ModifyReplicationConfig" && h.at >= start && h.request.get(member).is_some()
    })?;
    let then = history
        .iter()
        .filter(|h| h.at < start)
        .filter(|h| h.name == "CreateReplicationConfig" || h.name == "ModifyReplicationConfig")
        .rev()
        .find_map(|h| {
            h.request
                .get(member)
                .and_then(Value::as_str)
                .map(|v| (v, h))
        });
    Some(AsRan {
        changed,
        start,
        then,
    })
}

/// What a value set by `h` rests on: "CloudTrail <event> <time> (<id>)".
pub fn basis(h: &HistoryEvent) -> String {
    format!("CloudTrail {} {} ({})", h.name, h.at, h.event_id)
}

/// Of the changes of a value on record (oldest first): the one in force at `from` (the
/// last at or before it), and those made inside `(from, to]`.
pub(super) fn in_force_during<'h>(
    changes: &[&'h HistoryEvent],
    from: Timestamp,
    to: Timestamp,
) -> (Option<&'h HistoryEvent>, Vec<&'h HistoryEvent>) {
    let before = changes.iter().rev().find(|h| h.at <= from).copied();
    let inside = changes
        .iter()
        .filter(|h| h.at > from && h.at <= to)
        .copied()
        .collect();
    (before, inside)
}

/// The SslMode in force at each moment of `[from, to]`, from the endpoint's history
/// (CreateEndpoint, then each ModifyEndpoint that set SslMode, in order), each with what
/// it rests on. `None` as a mode: not on record for that part of the span (the history
/// begins after it, with a change).
pub fn ssl_modes_during(
    e: &Endpoint,
    from: Timestamp,
    to: Timestamp,
) -> Vec<(Option<String>, String)> {
    let sets = |h: &HistoryEvent| {
        h.name == "ModifyEndpoint" && h.request.get("SslMode").is_some()
            || h.name == "CreateEndpoint"
    };
    let changes: Vec<&HistoryEvent> = e.history.iter().filter(|h| sets(h)).collect();
    let mode_of = |h: &HistoryEvent| {
        h.request
            .get("SslMode")
            .and_then(Value::as_str)
            .map(str::to_string)
            // CreateEndpoint without SslMode: DMS's default, none.
            .or_else(|| (h.name == "CreateEndpoint").then(|| "none".to_string()))
    };
    // The mode at `from`: the last change at or before it; else, with no change at all,
    // today's (or the deleted endpoint's last) mode; else not on record.
    let (before, inside) = in_force_during(&changes, from, to);
    let mut out = vec![match before {
        Some(h) => (mode_of(h), basis(h)),
        None if changes.is_empty() => (
            e.ssl_mode.clone(),
            if e.history.is_empty() {
                "the endpoint's SslMode (no CloudTrail history of it)".to_string()
            } else {
                "the endpoint's SslMode (unchanged in its CloudTrail history)".to_string()
            },
        ),
        None => (
            None,
            format!(
                "its SslMode before the first change on record ({}) is not on record",
                basis(changes[0])
            ),
        ),
    }];
    for h in inside {
        out.push((mode_of(h), basis(h)));
    }
    // Today's mode differs from the last change on record: it changed at a time the
    // history does not show, possibly during the span.
    if let Some(last) = changes.last()
        && e.deleted_at.is_none()
        && mode_of(last) != e.ssl_mode
        && last.at <= to
    {
        out.push((
            e.ssl_mode.clone(),
            "today's SslMode, changed at a time CloudTrail does not show".to_string(),
        ));
    }
    out
}

/// The migration type in force during `[from, to]`, from the task's CloudTrail history
/// (CreateReplicationTask, then each ModifyReplicationTask that set MigrationType: DMS API
/// Reference, ModifyReplicationTask "MigrationType"; a task is modified only while stopped).
/// `Ok(None)`: today's (no ModifyReplicationTask set it, or the one in force is today's);
/// `Ok(Some((type, basis)))`: another, set by that event; `Err(why)`: not on record (set
/// only after `from` with nothing before, changed between runs inside the span, or today's
/// differing from the last change on record at or before `to`).
pub fn migration_type_during<'t>(
    t: &'t Task,
    from: Timestamp,
    to: Timestamp,
) -> Result<Option<(&'t str, String)>, String> {
    let value = |h: &'t HistoryEvent| h.request.get("MigrationType").and_then(Value::as_str);
    let changes: Vec<&'t HistoryEvent> = t
        .history
        .iter()
        .filter(|h| {
            matches!(
                h.name.as_str(),
                "CreateReplicationTask" | "ModifyReplicationTask"
            ) && value(h).is_some()
        })
        .collect();
    let today = t.migration_type.as_deref();
    if let Some(last) = changes.last()
        && last.at <= to
        && value(last) != today
    {
        return Err(format!(
            "its migration type today ({}) differs from {}: changed at a time CloudTrail does not show",
            today.unwrap_or("not reported"),
            basis(last)
        ));
    }
    if !changes.iter().any(|h| h.name == "ModifyReplicationTask") {
        return Ok(None);
    }
    let (before, inside) = in_force_during(&changes, from, to);
    let Some(before) = before else {
        return Err(format!(
            "its migration type before the first change on record ({}) is not on record",
            basis(changes[0])
        ));
    };
    if let Some(other) = inside.iter().find(|h| value(h) != value(before)) {
        return Err(format!(
            "its migration type changed between its runs: {} set by {}, {} by {}",
            value(before).unwrap_or_default(),
            basis(before),
            value(other).unwrap_or_default(),
            basis(other)
        ));
    }
    Ok(value(before)
        .filter(|v| Some(*v) != today)
        .map(|v| (v, basis(before))))
}

/// A task document (settings, table mappings) in force during a run ([`during`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Then<T> {
    /// What every version in force shares (a member that differed is unknown).
    pub value: T,
    /// What it rests on.
    pub basis: String,
    /// Each version that may have been in force, for checks that hold any of them against
    /// the run (a limit one of them broke).
    pub versions: Vec<T>,
    /// `false` when what was in force is not on record at all (`value` is empty).
    pub known: bool,
}

/// The task settings in force during a run ([`during`]).
pub fn settings_during(t: &Task, span: Option<(Timestamp, Timestamp)>) -> Then<TaskSettings> {
    during(t, span, &t.settings, |h| h.settings.as_deref())
}

/// The table mappings in force during a run ([`during`]): CloudTrail's record of each
/// Create and Modify call's TableMappings (the answer's, else the request's).
pub fn mappings_during(t: &Task, span: Option<(Timestamp, Timestamp)>) -> Then<TableMappings> {
    during(t, span, &t.table_mappings, |h| {
        h.mappings
            .as_deref()
            .or_else(|| h.request.get("TableMappings").and_then(Value::as_str))
    })
}

/// A task document in force during `[from, to]` (a run: a task is modified only while
/// stopped), and what it rests on. From the CloudTrail history of the document (`doc`
/// of each event that set it), in order: the version in force at `from` and every
/// version set inside the span, reduced to what they all share (a member that differed
/// between them is unknown). Versions set after the span are not what ran. Without any
/// change on record, or with none after `from`, the task's own (`today`'s, or its last),
/// which the last change on record must agree with; where it does not, what they share
/// (a change at a time the history does not show). Before the first change on record
/// it is not on record. An undated run (`None`) may have run with any version since the
/// task's creation.
pub fn during<T: Document>(
    t: &Task,
    span: Option<(Timestamp, Timestamp)>,
    today: &T,
    doc: impl Fn(&HistoryEvent) -> Option<&str>,
) -> Then<T> {
    let changes: Vec<&HistoryEvent> = t.history.iter().filter(|h| doc(h).is_some()).collect();
    let version = |h: &HistoryEvent| T::parse(doc(h));
    let noun = T::NAME;
    let then = |versions: Vec<T>, basis: String| Then {
        value: versions
            .iter()
            .cloned()
            .reduce(|a, b| a.common(&b))
            .unwrap_or_default(),
        basis,
        versions,
        known: true,
    };
    let Some(last) = changes.last() else {
        let basis = format!("the task's {noun} (no CloudTrail history of them)");
        return then(vec![today.clone()], basis);
    };
    let Some((from, to)) = span else {
        let named: Vec<String> = changes.iter().map(|h| basis(h)).collect();
        let mut versions: Vec<T> = changes.iter().map(|h| version(h)).collect();
        versions.push(today.clone());
        let why = format!(
            "its run is not dated: what every version of its {noun} shares (today's and those set by {})",
            named.join(", ")
        );
        return then(versions, why);
    };
    if last.at <= from {
        let recorded = version(last);
        if today.agrees_with(&recorded) {
            let why = format!("the task's {noun}, unchanged since {}", basis(last));
            return then(vec![today.clone()], why);
        }
        let why = format!(
            "the task's {noun} differ from {}: changed at a time CloudTrail does not show",
            basis(last)
        );
        return then(vec![today.clone(), recorded], why);
    }
    let (before, inside) = in_force_during(&changes, from, to);
    let Some(before) = before else {
        return Then {
            value: T::default(),
            basis: format!(
                "its {noun} before the first change on record ({}) are not on record",
                basis(changes[0])
            ),
            versions: Vec::new(),
            known: false,
        };
    };
    let in_force: Vec<&HistoryEvent> = std::iter::once(before).chain(inside).collect();
    let named: Vec<String> = in_force.iter().map(|h| basis(h)).collect();
    let why = format!(
        "the {noun} in force while it ran, set by {}",
        named.join(", ")
    );
    then(in_force.iter().map(|h| version(h)).collect(), why)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ev(name: &str, at: &str, request: Value, response: Value) -> TrailEvent {
        TrailEvent {
            name: name.into(),
            at: at.into(),
            event_id: format!("id-{name}-{at}"),
            request,
            response,
            sources: vec![format!("c-{at}")],
            ..TrailEvent::default()
        }
    }

    const EP: &str = "arn:aws:dms:us-east-1:1:endpoint:E";
    const TASK: &str = "arn:aws:dms:us-east-1:1:task:T";

    fn read() -> HistoryRead {
        HistoryRead {
            region: "us-east-1".into(),
            ..HistoryRead::default()
        }
    }

    #[test]
    fn deleted_resources_are_rebuilt_from_their_delete_answer() {
        let endpoint = json!({"EndpointArn": EP, "EndpointIdentifier": "src", "EndpointType": "SOURCE",
                              "EngineName": "oracle", "ServerName": "203.0.113.9", "SslMode": "verify-ca",
                              "OracleSettings": {"ServerName": "203.0.113.9"}});
        let events = vec![
            ev(
                "CreateEndpoint",
                "2026-09-01T00:00:00Z",
                json!({"EndpointIdentifier": "src"}),
                json!({"Endpoint": endpoint}),
            ),
            ev(
                "CreateReplicationTask",
                "2026-09-01T01:00:00Z",
                // As CloudTrail records it: the request names the instance and endpoints,
                // yet the event concerns the task.
                json!({"ReplicationInstanceArn": "arn:aws:dms:us-east-1:1:rep:RI",
                       "SourceEndpointArn": EP, "ReplicationTaskIdentifier": "t"}),
                json!({"ReplicationTask": {"ReplicationTaskArn": TASK, "ReplicationTaskIdentifier": "t",
                      "MigrationType": "full-load-and-cdc", "SourceEndpointArn": EP}}),
            ),
            ev(
                "StartReplicationTask",
                "2026-09-02T00:00:00Z",
                json!({"ReplicationTaskArn": TASK}),
                json!({}),
            ),
            ev(
                "StopReplicationTask",
                "2026-09-20T00:00:00Z",
                json!({"ReplicationTaskArn": TASK}),
                json!({}),
            ),
            ev(
                "DeleteReplicationTask",
                "2026-09-21T00:00:00Z",
                json!({"ReplicationTaskArn": TASK}),
                json!({}),
            ),
            ev(
                "DeleteEndpoint",
                "2026-09-21T01:00:00Z",
                json!({"EndpointArn": EP}),
                json!({"Endpoint": endpoint}),
            ),
        ];
        let mut facts = Facts::default();
        reconstruct(&mut facts, "us-east-1", &events, vec![read()]);
        let e = &facts.endpoints[0];
        assert_eq!(
            (
                e.identifier.as_str(),
                e.endpoint_type.as_str(),
                e.ssl_mode.as_deref()
            ),
            ("src", "source", Some("verify-ca"))
        );
        assert_eq!(e.deleted_at, Some("2026-09-21T01:00:00Z".into()));
        assert_eq!(e.settings["OracleSettings"]["ServerName"], "203.0.113.9");
        let t = &facts.tasks[0];
        assert_eq!(t.migration_type.as_deref(), Some("full-load-and-cdc"));
        assert_eq!(t.started, Some("2026-09-02T00:00:00Z".into()));
        let stats = t.stats.as_ref().expect("dates");
        assert_eq!(stats.stop_date, Some("2026-09-20T00:00:00Z".into()));
        assert_eq!(t.history.len(), 4);
        assert_eq!(facts.history_reads.len(), 1);
    }

    #[test]
    fn a_deleted_task_keeps_the_statistics_its_delete_answer_recorded() {
        // Only the deletion is in the history: the run began before it, and DMS ended it
        // by itself (no Stop event). CloudTrail writes the answer's times as text.
        let stats = json!({"TablesLoaded": 40, "TablesErrored": 1, "FullLoadProgressPercent": 100,
                           "StartDate": "Jul 1, 2026, 9:00:00 AM", "FreshStartDate": "Jul 1, 2026, 9:00:00 AM",
                           "FullLoadFinishDate": "Jul 2, 2026, 1:30:00 PM",
                           "StopDate": "Aug 10, 2026, 10:38:27 PM"});
        let deleted = |stats: Value| {
            let answer = json!({"ReplicationTask": {"ReplicationTaskArn": TASK,
                "ReplicationTaskIdentifier": "t", "ReplicationTaskStartDate": 1782896400,
                "ReplicationTaskCreationDate": "Jun 30, 2026, 11:00:00 PM",
                "ReplicationTaskStats": stats}});
            let events = [ev(
                "DeleteReplicationTask",
                "2026-09-21T00:00:00Z",
                json!({"ReplicationTaskArn": TASK}),
                answer,
            )];
            let mut facts = Facts::default();
            reconstruct(&mut facts, "us-east-1", &events, vec![read()]);
            facts.tasks.remove(0)
        };
        let t = deleted(stats);
        assert_eq!(t.created, Some("2026-06-30T23:00:00Z".into()));
        assert_eq!(
            t.started,
            Some("2026-07-01T09:00:00Z".into()),
            "epoch seconds"
        );
        let s = t.stats.expect("statistics");
        assert_eq!(
            (
                s.tables_loaded,
                s.tables_errored,
                s.full_load_progress_percent
            ),
            (Some(40), Some(1), Some(100))
        );
        assert_eq!(s.start_date, Some("2026-07-01T09:00:00Z".into()));
        assert_eq!(s.full_load_finish_date, Some("2026-07-02T13:30:00Z".into()));
        assert_eq!(s.stop_date, Some("2026-08-10T22:38:27Z".into()));
        // A StopDate before its own start is another run's; a date CloudTrail wrote in a form
        // not understood is not on record.
        let s = deleted(
            json!({"StartDate": "Aug 1, 2026, 9:00:00 AM", "StopDate": "Jul 9, 2026, 9:00:00 AM",
                               "FullLoadFinishDate": "le 2 juillet"}),
        )
        .stats
        .expect("statistics");
        assert_eq!((s.stop_date, s.full_load_finish_date), (None, None));
        // Nor is a date after the deletion, or before DMS existed.
        let s = deleted(
            json!({"StartDate": "Aug 1, 2026, 9:00:00 AM", "StopDate": "Oct 1, 2026, 9:00:00 AM",
                               "FullLoadStartDate": 0}),
        )
        .stats
        .expect("statistics");
        assert_eq!((s.stop_date, s.full_load_start_date), (None, None));
    }

    #[test]
    fn a_resource_missing_without_a_delete_event_is_not_invented() {
        let events = vec![ev(
            "CreateEndpoint",
            "2026-09-01T00:00:00Z",
            json!({}),
            json!({"Endpoint": {"EndpointArn": EP}}),
        )];
        let mut facts = Facts::default();
        reconstruct(&mut facts, "us-east-1", &events, vec![read()]);
        assert!(facts.endpoints.is_empty());
    }

    #[test]
    fn the_ssl_mode_in_force_follows_the_history() {
        let mut e = endpoint("us-east-1", EP, &[]);
        e.ssl_mode = Some("verify-full".into());
        let h = |name: &str, at: &str, request: Value| HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: "x".into(),
            request,
            ..HistoryEvent::default()
        };
        let modes = |e: &Endpoint| {
            ssl_modes_during(
                e,
                "2026-09-02T00:00:00Z".into(),
                "2026-09-20T00:00:00Z".into(),
            )
            .into_iter()
            .map(|(m, _)| m)
            .collect::<Vec<_>>()
        };
        // No history: today's mode.
        assert_eq!(modes(&e), [Some("verify-full".to_string())]);
        // Created plaintext, made verify-full after the run: plaintext during it.
        e.history = vec![
            h(
                "CreateEndpoint",
                "2026-09-01T00:00:00Z",
                json!({"EngineName": "postgres"}),
            ),
            h(
                "ModifyEndpoint",
                "2026-10-01T00:00:00Z",
                json!({"SslMode": "verify-full"}),
            ),
        ];
        assert_eq!(modes(&e), [Some("none".to_string())]);
        // Changed during the run: both modes were in force.
        e.history[1].at = "2026-09-10T00:00:00Z".into();
        assert_eq!(
            modes(&e),
            [Some("none".to_string()), Some("verify-full".to_string())]
        );
        // Only a change after the start on record: the mode at the start is unknown.
        e.history.remove(0);
        assert_eq!(modes(&e), [None, Some("verify-full".to_string())]);
        // Today's mode is not the last one on record: changed when, the history does not say.
        e.ssl_mode = Some("none".into());
        assert_eq!(
            modes(&e),
            [
                None,
                Some("verify-full".to_string()),
                Some("none".to_string())
            ]
        );
    }

    #[test]
    fn the_task_settings_in_force_follow_the_history() {
        let doc = |logging: bool, lobs: bool| {
            json!({"Logging": {"EnableLogging": logging}, "TargetMetadata": {"SupportLobs": lobs}})
                .to_string()
        };
        let h = |name: &str, at: &str, settings: Option<String>| HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: format!("id-{at}"),
            settings,
            ..HistoryEvent::default()
        };
        let during = |t: &Task| {
            let span = ("2026-09-02T00:00:00Z".into(), "2026-09-20T00:00:00Z".into());
            let then = settings_during(t, Some(span));
            let s = then.value;
            (s.logging_enabled, s.support_lobs, then.basis)
        };
        // Today: logging off, LOBs on.
        let mut t = Task {
            settings: TaskSettings::parse(Some(&doc(false, true))),
            ..Task::default()
        };
        // No history: today's.
        assert_eq!(during(&t).0, Some(false));
        // Created with logging on and LOBs off, changed after the run: as created.
        t.history = vec![
            h(
                "CreateReplicationTask",
                "2026-09-01T00:00:00Z",
                Some(doc(true, false)),
            ),
            h("StartReplicationTask", "2026-09-02T00:00:00Z", None),
            h(
                "ModifyReplicationTask",
                "2026-10-01T00:00:00Z",
                Some(doc(false, true)),
            ),
        ];
        let (logging, lobs, basis) = during(&t);
        assert_eq!((logging, lobs), (Some(true), Some(false)));
        assert!(
            basis.contains("CreateReplicationTask 2026-09-01"),
            "{basis}"
        );
        // Changed between two runs inside the span: only what both versions share.
        t.history[2].at = "2026-09-10T00:00:00Z".into();
        t.history[2].settings = Some(doc(true, true));
        assert_eq!(during(&t).0, Some(true));
        assert_eq!(during(&t).1, None);
        // A change inside the span but none before it on record: nothing is known.
        t.history.remove(0);
        assert_eq!((during(&t).0, during(&t).1), (None, None));
        // No change after the start: today's settings, if the last change agrees with them.
        t.history = vec![h(
            "CreateReplicationTask",
            "2026-09-01T00:00:00Z",
            Some(doc(false, true)),
        )];
        assert_eq!((during(&t).0, during(&t).1), (Some(false), Some(true)));
        // A partial request that today's settings agree with still gives today's.
        t.history[0].settings = Some(json!({"Logging": {"EnableLogging": false}}).to_string());
        assert_eq!((during(&t).0, during(&t).1), (Some(false), Some(true)));
        // Today's disagree with the last change on record: the members that differ are unknown.
        t.history[0].settings = Some(doc(true, true));
        assert_eq!((during(&t).0, during(&t).1), (None, Some(true)));
    }

    fn h(name: &str, at: &str, request: Value) -> HistoryEvent {
        HistoryEvent {
            name: name.into(),
            at: at.into(),
            event_id: format!("{name}@{at}"),
            request,
            ..HistoryEvent::default()
        }
    }

    /// The table mappings a task ran with (2026-09-02 to 09-20), from the TableMappings
    /// of its Create and Modify requests: (case, history, parallel-load rules then, known).
    #[test]
    fn the_table_mappings_in_force_follow_the_history() {
        let doc = |parallel: bool| {
            let mut rules = vec![
                json!({"rule-type": "selection", "rule-id": "1", "rule-action": "include",
                "object-locator": {"schema-name": "hr", "table-name": "%"}}),
            ];
            if parallel {
                rules.push(json!({"rule-type": "table-settings", "rule-id": "2",
                    "object-locator": {"schema-name": "hr", "table-name": "big"},
                    "parallel-load": {"type": "partitions-auto"}}));
            }
            json!({"rules": rules}).to_string()
        };
        let set = |name: &str, at: &str, parallel: bool| {
            h(name, at, json!({"TableMappings": doc(parallel)}))
        };
        let create =
            |parallel: bool| set("CreateReplicationTask", "2026-09-01T00:00:00Z", parallel);
        let modify = |at: &str, parallel: bool| set("ModifyReplicationTask", at, parallel);
        let cases: Vec<(&str, Vec<HistoryEvent>, usize, bool)> = vec![
            ("no history: today's", vec![], 1, true),
            // Added after cut-over: not what ran.
            (
                "added after the run",
                vec![create(false), modify("2026-10-01T00:00:00Z", true)],
                0,
                true,
            ),
            ("there from the start", vec![create(true)], 1, true),
            // Removed between runs inside the span: it may not have applied.
            (
                "removed inside the span",
                vec![create(true), modify("2026-09-10T00:00:00Z", false)],
                0,
                true,
            ),
            (
                "first change inside the span",
                vec![modify("2026-09-10T00:00:00Z", true)],
                0,
                false,
            ),
        ];
        for (case, history, want, known) in cases {
            let t = Task {
                table_mappings: TableMappings::parse(Some(&doc(true))),
                history,
                ..Task::default()
            };
            let span = ("2026-09-02T00:00:00Z".into(), "2026-09-20T00:00:00Z".into());
            let then = mappings_during(&t, Some(span));
            assert_eq!(
                then.value.parallel_load_rules, want,
                "{case}: {}",
                then.basis
            );
            assert_eq!(then.known, known, "{case}: {}", then.basis);
        }
        // An undated run may have run with any version: only what they all had counts.
        let t = Task {
            table_mappings: TableMappings::parse(Some(&doc(true))),
            history: vec![create(false), modify("2026-10-01T00:00:00Z", true)],
            ..Task::default()
        };
        let then = mappings_during(&t, None);
        assert_eq!(then.value.parallel_load_rules, 0, "{}", then.basis);
        assert_eq!(then.value.included_schemas, ["hr"], "{}", then.basis);
    }

    /// The migration type a task ran with, from CreateReplicationTask and each
    /// ModifyReplicationTask that set it: (case, today's type, its history, the type then
    /// (`Ok(None)`: today's) or a phrase of why it is not on record).
    #[test]
    fn the_migration_type_in_force_follows_the_history() {
        let set = |name: &str, at: &str, kind: &str| h(name, at, json!({"MigrationType": kind}));
        let create = |kind: &str| set("CreateReplicationTask", "2026-09-01T00:00:00Z", kind);
        let modify = |at: &str, kind: &str| set("ModifyReplicationTask", at, kind);
        let settings_only = h(
            "ModifyReplicationTask",
            "2026-10-01T00:00:00Z",
            json!({"ReplicationTaskSettings": "{}"}),
        );
        let cdc = "full-load-and-cdc";
        type Case<'a> = (
            &'a str,
            &'a str,
            Vec<HistoryEvent>,
            Result<Option<&'a str>, &'a str>,
        );
        let cases: Vec<Case> = vec![
            ("no history", "full-load", vec![], Ok(None)),
            (
                "created otherwise, no change on record",
                "full-load",
                vec![create(cdc)],
                Err("changed at a time CloudTrail does not show"),
            ),
            (
                "created so, never changed",
                cdc,
                vec![create(cdc), settings_only.clone()],
                Ok(None),
            ),
            (
                "changed after the run",
                "full-load",
                vec![create(cdc), modify("2026-10-01T00:00:00Z", "full-load")],
                Ok(Some(cdc)),
            ),
            (
                "changed before the run",
                cdc,
                vec![create("full-load"), modify("2026-09-01T12:00:00Z", cdc)],
                Ok(None),
            ),
            (
                "first change after the run, nothing before",
                "full-load",
                vec![modify("2026-10-01T00:00:00Z", "full-load")],
                Err("before the first change on record"),
            ),
            (
                "changed between runs inside the span",
                cdc,
                vec![create("full-load"), modify("2026-09-10T00:00:00Z", cdc)],
                Err("changed between its runs"),
            ),
            (
                "today's differs from the last change",
                "cdc",
                vec![create(cdc), modify("2026-09-01T12:00:00Z", "full-load")],
                Err("changed at a time CloudTrail does not show"),
            ),
        ];
        for (case, today, history, want) in cases {
            let t = Task {
                migration_type: Some(today.into()),
                history,
                ..Task::default()
            };
            let got = migration_type_during(
                &t,
                "2026-09-02T00:00:00Z".into(),
                "2026-09-20T00:00:00Z".into(),
            );
            match (got, want) {
                (Ok(got), Ok(want)) => assert_eq!(got.map(|(k, _)| k), want, "{case}"),
                (Err(why), Err(phrase)) => assert!(why.contains(phrase), "{case}: {why}"),
                (got, want) => panic!("{case}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn a_serverless_start_before_the_history_or_in_the_second_of_a_change() {
        let member = "TargetEndpointArn";
        let create = h(
            "CreateReplicationConfig",
            "2026-11-01T00:00:00Z",
            json!({"TargetEndpointArn": "A"}),
        );
        let start = h("StartReplication", "2026-11-03T00:00:00Z", json!({}));
        let late = h(
            "ModifyReplicationConfig",
            "2026-11-05T00:00:00Z",
            json!({"TargetEndpointArn": "C"}),
        );
        // No StartReplication on record (it fell before the history): the replication's
        // own start date stands for it; a change in the second of the start is after it.
        let rows = [create.clone(), late.clone()];
        let before_history = config_as_ran(&rows, member, Some("2026-11-03T00:00:00Z".into()));
        assert_eq!(
            before_history.map(|c| c.then.map(|(v, _)| v.to_string())),
            Some(Some("A".into()))
        );
        let tie = h(
            "ModifyReplicationConfig",
            "2026-11-03T00:00:00Z",
            json!({"TargetEndpointArn": "D"}),
        );
        let rows = [create.clone(), start.clone(), tie];
        assert!(
            config_as_ran(&rows, member, None).is_some(),
            "a change in the start's second is after it"
        );
    }

    #[test]
    fn a_serverless_member_is_taken_as_the_last_run_started_with_it() {
        let create = h(
            "CreateReplicationConfig",
            "2026-11-01T00:00:00Z",
            json!({"TargetEndpointArn": "A"}),
        );
        let early = h(
            "ModifyReplicationConfig",
            "2026-11-02T00:00:00Z",
            json!({"TargetEndpointArn": "B"}),
        );
        let start = h("StartReplication", "2026-11-03T00:00:00Z", json!({}));
        let late = h(
            "ModifyReplicationConfig",
            "2026-11-05T00:00:00Z",
            json!({"TargetEndpointArn": "C"}),
        );
        let other = h(
            "ModifyReplicationConfig",
            "2026-11-05T00:00:00Z",
            json!({"ReplicationType": "cdc"}),
        );
        let member = "TargetEndpointArn";
        let then = |history: &[HistoryEvent]| {
            config_as_ran(history, member, None)
                .map(|c| c.then.map(|(v, set)| (v.to_string(), set.event_id.clone())))
        };
        for (history, expected) in [
            // Never started, or not changed after the start: today's value is what ran.
            (vec![create.clone(), late.clone()], None),
            (vec![create.clone(), early.clone(), start.clone()], None),
            (vec![create.clone(), start.clone(), other.clone()], None),
            // Changed after the start: the value the start ran with, and its event.
            (
                vec![create.clone(), start.clone(), late.clone()],
                Some(Some(("A".into(), create.event_id.clone()))),
            ),
            (
                vec![create.clone(), early.clone(), start.clone(), late.clone()],
                Some(Some(("B".into(), early.event_id.clone()))),
            ),
            // Changed after the start, the earlier value not on record.
            (vec![start.clone(), late.clone()], Some(None)),
        ] {
            assert_eq!(
                then(&history),
                expected,
                "{:?}",
                history.iter().map(|h| &h.event_id).collect::<Vec<_>>()
            );
        }
        let unknown =
            config_as_ran(&[start.clone(), late.clone()], member, None).map(|c| c.unknown());
        assert!(
            unknown.is_some_and(|u| u.contains("ModifyReplicationConfig 2026-11-05T00:00:00Z"))
        );
    }
}
