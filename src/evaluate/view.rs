//! Read-only views over the evidence that several rules share: the migrations (tasks
//! and serverless replications alike) split, once, into those with evidence that they
//! moved data and those without (started and moved nothing, or never started),
//! region-keyed look-ups of databases and metrics, migration windows, percentiles and
//! database sizes.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap};

use crate::evidence::{Evidence, HashedAttachment};
use crate::evidence::{Gap, GapKind};
use crate::facts::*;
use crate::time::{DAY, HOUR, Span};

/// GiB, the unit of RDS AllocatedStorage.
pub const GIB: f64 = 1_073_741_824.0;
/// An RDS FreeStorageSpace point is read against today's AllocatedStorage only when
/// it is this recent: storage may have been modified since older points.
pub const FRESH_FREE_SPACE: time::Duration = DAY.saturating_mul(2);

/// The DMS task metric that shows changes applied on the target by ongoing replication
/// (DMS User Guide, "Replication task metrics": CDCThroughputRowsTarget, "outgoing task
/// changes for the target in rows per second"): a migration's CDC evidence, and the
/// time-limited evidence behind the rules that rest on it ([`crate::evaluate::expiry`]).
/// Not CDCIncomingChanges ("the total number of change events at a point-in-time that are
/// waiting to be applied to the target", a backlog gauge that during a full load holds the
/// cached changes) nor CDCThroughputRowsSource (changes read from the source, not applied).
pub const CDC_ACTIVITY_METRICS: [&str; 1] = ["CDCThroughputRowsTarget"];

/// DMS task metrics whose positive values show rows written to the target (DMS User
/// Guide, "Replication task metrics"): data moved.
pub const MOVED_METRICS: &[&str] = &["FullLoadThroughputRowsTarget", "CDCThroughputRowsTarget"];

/// DMS task metrics whose positive values show that a migration started (read from the
/// source, a backlog, or written): evidence of a run, not of data moved.
pub const ACTIVITY_METRICS: &[&str] = &[
    "CDCIncomingChanges",
    "CDCThroughputRowsSource",
    "CDCThroughputRowsTarget",
    "CDCThroughputBandwidthSource",
    "CDCThroughputBandwidthTarget",
    "FullLoadThroughputRowsSource",
    "FullLoadThroughputRowsTarget",
    "FullLoadThroughputBandwidthTarget",
];

/// Stop reasons that end a run before ongoing replication (DMS API Reference,
/// ReplicationTask `StopReason`: "FULL_LOAD_ONLY_FINISHED – The task completed the full
/// load phase", "STOPPED_AFTER_FULL_LOAD – Full load completed, with cached changes not
/// applied", "STOPPED_AFTER_CACHED_EVENTS – Full load completed, with cached changes
/// applied"). AWS writes them as "Stop Reason <VALUE>".
pub const STOPPED_BEFORE_CDC: &[&str] = &[
    "FULL_LOAD_ONLY_FINISHED",
    "STOPPED_AFTER_FULL_LOAD",
    "STOPPED_AFTER_CACHED_EVENTS",
];

pub struct Input<'a> {
    pub evidence: &'a Evidence,
    pub facts: &'a Facts,
    pub now: Timestamp,
    /// Migrations with evidence that they moved data ([`Run::MovedData`]): the only ones
    /// that items about what was migrated may rest on.
    pub migrations: Vec<Migration<'a>>,
    /// Migrations without that evidence: started and moved nothing, or never started.
    /// They count only against (a bad setting is bad whether or not data moved).
    pub unproven: Vec<Migration<'a>>,
    /// The metric series (indices into `facts.metrics`) that name each dimension value:
    /// lookups by resource in time proportional to its own series, not to all of them.
    by_dimension: HashMap<&'a str, Vec<usize>>,
}

/// What a migration's evidence shows of its run, computed once in [`Input::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Run {
    /// Rows loaded or changes applied on the target: the evidence is in `moved`.
    MovedData,
    /// Started (a start date, log events, provisioned capacity, a gauge above zero), and
    /// its table statistics show no row loaded and no change applied: a failed, empty or
    /// stopped run.
    MovedNothing,
    /// Started, and what it moved is not on record either way: no table statistics (the
    /// task was deleted with them, or they were reset) and no throughput metric above zero.
    /// It may have moved data: it never proves an item, and an item that needs what it
    /// would show is insufficient evidence, not `not_met`.
    NotOnRecord,
    /// No record that it ever started.
    NeverStarted,
}

/// A migration's table statistics, each table counted once.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableCounts {
    pub tables: usize,
    /// Tables in an error state ("Table error") or with rows that failed to load.
    pub errored: usize,
    /// Tables with validation failures (ValidationFailedRecords above zero).
    pub mismatched: usize,
    /// Tables errored or mismatched.
    pub with_problems: usize,
    /// Tables whose ValidationState is "Validated".
    pub validated: usize,
    pub failed_records: i64,
    /// Rows loaded into tables not in an error state, and how many tables hold them.
    pub rows_loaded: i64,
    pub tables_with_rows: usize,
    /// Inserts, updates and deletes applied (the CDC counters), in tables not in error.
    pub changes: i64,
    pub tables_with_changes: usize,
}

impl TableCounts {
    /// Counts of table statistics rows, each (schema, table) once (the last row wins).
    pub fn of(rows: &[TableStat]) -> TableCounts {
        let mut by_table: std::collections::BTreeMap<(&str, &str), &TableStat> = Default::default();
        for r in rows {
            by_table.insert((r.schema.as_str(), r.table.as_str()), r);
        }
        let mut c = TableCounts {
            tables: by_table.len(),
            ..TableCounts::default()
        };
        for r in by_table.values() {
            let errored = table_in_error(r) || r.full_load_error_rows > 0;
            let mismatched = r.validation_failed_records > 0;
            c.errored += usize::from(errored);
            c.mismatched += usize::from(mismatched);
            c.with_problems += usize::from(errored || mismatched);
            c.validated += usize::from(r.validation_state.as_deref() == Some("Validated"));
            c.failed_records += r.validation_failed_records.max(0);
            if table_in_error(r) {
                continue;
            }
            let changes = r.inserts.max(0) + r.updates.max(0) + r.deletes.max(0);
            c.rows_loaded += r.full_load_rows.max(0);
            c.tables_with_rows += usize::from(r.full_load_rows > 0);
            c.changes += changes;
            c.tables_with_changes += usize::from(changes > 0);
        }
        c
    }
}

/// A table whose TableState is an error state (DMS API Reference, TableStatistics
/// `TableState`: "Table error"; "Table does not exist" never loaded either).
fn table_in_error(r: &TableStat) -> bool {
    r.state.as_deref().is_some_and(|s| {
        let s = s.to_ascii_lowercase();
        s.contains("error") || s.contains("does not exist")
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MigrationKind {
    Task,
    Serverless,
}

/// One piece of evidence that a migration ran.
#[derive(Debug, Clone)]
pub struct Activity {
    pub what: String,
    pub pointer: String,
    pub sources: Vec<String>,
}

/// A task or a serverless replication: both move data from a source to a target.
#[derive(Debug, Clone)]
pub struct Migration<'a> {
    pub kind: MigrationKind,
    pub id: &'a str,
    pub arn: &'a str,
    pub region: &'a str,
    /// Its endpoints as they were while it ran ([`crate::facts::endpoint_then`]).
    pub source: Option<Cow<'a, Endpoint>>,
    pub target: Option<Cow<'a, Endpoint>>,
    pub migration_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub stats: Option<&'a TaskStats>,
    /// How its endpoints then differ from today's ("its target aurora had ServerName …").
    pub endpoints_then: Vec<String>,
    /// Endpoints left out because what they connected to while it ran is not on record:
    /// the side (`source`, `target`) and why.
    pub endpoints_unknown: Vec<(&'static str, String)>,
    /// Those endpoints as they are today (or were when deleted): what they may have been
    /// while it ran, for checks that must not miss a need (a role a Redshift target needs).
    pub unknown_today: Vec<(&'static str, &'a Endpoint)>,
    /// Its settings as they were while it ran ([`crate::facts::history::settings_during`]).
    pub settings: Cow<'a, TaskSettings>,
    /// Where the settings come from, when not simply today's: CloudTrail events.
    pub settings_basis: Option<String>,
    /// The settings in force while it ran are not on record (`settings_basis` says why):
    /// every member of `settings` is unknown, not a default.
    pub settings_unknown: bool,
    /// Every version of its settings that may have been in force while it ran, when more
    /// than one (`settings` holds the members they share): checks that hold any of them
    /// against the run (a limit) read each.
    pub settings_versions: Vec<TaskSettings>,
    /// Its settings today (or when deleted): for checks that must not miss a need (a role
    /// that logging needs), whatever was in force while it ran.
    pub settings_today: &'a TaskSettings,
    /// The task it is (none for a serverless replication).
    task: Option<&'a Task>,
    pub mappings: Cow<'a, TableMappings>,
    /// Where the table mappings come from, when not simply today's: CloudTrail events.
    pub mappings_basis: Option<String>,
    pub tables: Option<&'a [TableStat]>,
    pub instance: Option<&'a ReplicationInstance>,
    /// The instance ARN the task names, found in the evidence or not.
    pub instance_arn: Option<&'a str>,
    pub created: Option<Timestamp>,
    started: Option<Timestamp>,
    provision: Option<&'a Provision>,
    /// CloudWatch ReplicationTaskIdentifier values that name it (the resource id).
    pub metric_ids: Vec<&'a str>,
    /// Log group and stream names DMS writes it to.
    pub log_groups: Vec<String>,
    pub log_streams: Vec<String>,
    pub sources: Vec<String>,
    /// When CloudTrail shows the task deleted, and the event that shows it.
    pub deleted: Option<(Timestamp, &'a str)>,
    /// Its CloudTrail events, oldest first (empty without history).
    pub history: &'a [HistoryEvent],
    /// The StopReason AWS reports ("Stop Reason FATAL_ERROR"), and the last failure.
    pub stop_reason: Option<&'a str>,
    pub failure: Option<&'a str>,
    /// Evidence that it started; empty when it never did.
    pub activity: Vec<Activity>,
    /// Evidence that it moved data: rows loaded or changes applied on the target.
    pub moved: Vec<Activity>,
    /// Evidence that ongoing replication applied changes (CDC-type migrations only).
    pub cdc: Vec<Activity>,
    /// What the evidence shows of the run, from the three lists above.
    pub run: Run,
    /// Its run (start, end), when known.
    pub window: Option<Span>,
    /// Why what was in force when it started is not on record, when CloudTrail history in
    /// its region begins after that or was not read there ([`Input::before_history`]).
    pub before_history: Option<String>,
}

/// The endpoint an ARN names, as today's (until judged as it ran).
fn endpoint<'a>(facts: &'a Facts, arn: Option<&str>) -> Option<Cow<'a, Endpoint>> {
    arn.and_then(|a| facts.endpoint(a)).map(Cow::Borrowed)
}

/// When a resource was deleted, and the id of the `delete` event that shows it.
pub(crate) fn deleted<'a>(
    at: Option<Timestamp>,
    history: &'a [HistoryEvent],
    delete: &str,
) -> Option<(Timestamp, &'a str)> {
    at.map(|at| {
        let event = history
            .iter()
            .rev()
            .find(|h| h.name == delete)
            .map_or("", |h| h.event_id.as_str());
        (at, event)
    })
}

/// A task as a migration (its log group and stream as DMS names them).
fn task_migration<'a>(facts: &'a Facts, t: &'a Task) -> Migration<'a> {
    let mut sources = t.sources.clone();
    sources.extend(t.table_sources.iter().cloned());
    let instance = t.instance_arn.as_deref().and_then(|a| facts.instance(a));
    let mut log_groups: Vec<String> = t.settings.log_group.iter().cloned().collect();
    log_groups.extend(instance.map(|i| format!("dms-tasks-{}", i.identifier)));
    let mut log_streams: Vec<String> = t.settings.log_stream.iter().cloned().collect();
    log_streams.push(format!("dms-task-{}", t.resource_id));
    Migration {
        kind: MigrationKind::Task,
        id: &t.identifier,
        arn: &t.arn,
        region: &t.region,
        source: endpoint(facts, t.source_arn.as_deref()),
        target: endpoint(facts, t.target_arn.as_deref()),
        migration_type: t.migration_type.as_deref(),
        status: t.status.as_deref(),
        stats: t.stats.as_ref(),
        endpoints_then: Vec::new(),
        endpoints_unknown: Vec::new(),
        unknown_today: Vec::new(),
        settings: Cow::Borrowed(&t.settings),
        settings_unknown: false,
        settings_versions: Vec::new(),
        settings_today: &t.settings,
        settings_basis: None,
        task: Some(t),
        mappings: Cow::Borrowed(&t.table_mappings),
        mappings_basis: None,
        tables: t.tables.as_deref(),
        instance,
        instance_arn: t.instance_arn.as_deref(),
        created: t.created,
        started: t.started,
        provision: None,
        metric_ids: vec![t.resource_id.as_str()],
        log_groups,
        log_streams,
        sources,
        history: &t.history,
        deleted: deleted(t.deleted_at, &t.history, "DeleteReplicationTask"),
        stop_reason: t.stop_reason.as_deref(),
        failure: t.last_failure_message.as_deref(),
        activity: Vec::new(),
        moved: Vec::new(),
        cdc: Vec::new(),
        run: Run::NeverStarted,
        window: None,
        before_history: None,
    }
}

/// A DMS Serverless replication as a migration (its own log group: any stream counts).
fn serverless_migration<'a>(facts: &'a Facts, s: &'a ServerlessReplication) -> Migration<'a> {
    let resource_id = s.config_arn.rsplit(':').next().unwrap_or_default();
    let mut log_groups: Vec<String> = s.settings.log_group.iter().cloned().collect();
    log_groups.push(format!("dms-serverless-replication-{resource_id}"));
    log_groups.push(format!("dms-serverless-replication-{}", s.identifier));
    Migration {
        kind: MigrationKind::Serverless,
        id: &s.identifier,
        arn: &s.config_arn,
        region: &s.region,
        source: endpoint(facts, s.source_arn.as_deref()),
        target: endpoint(facts, s.target_arn.as_deref()),
        migration_type: s.replication_type.as_deref(),
        status: s.status.as_deref(),
        stats: s.stats.as_ref(),
        endpoints_then: Vec::new(),
        endpoints_unknown: Vec::new(),
        unknown_today: Vec::new(),
        settings: Cow::Borrowed(&s.settings),
        settings_unknown: false,
        settings_versions: Vec::new(),
        settings_today: &s.settings,
        settings_basis: None,
        task: None,
        mappings: Cow::Borrowed(&s.table_mappings),
        mappings_basis: None,
        tables: s.tables.as_deref(),
        instance: None,
        instance_arn: None,
        created: s.created,
        started: None,
        provision: s.provision.as_ref(),
        metric_ids: vec![resource_id, s.identifier.as_str()],
        log_groups,
        log_streams: Vec::new(),
        sources: s.sources.clone(),
        deleted: deleted(s.deleted_at, &s.history, "DeleteReplicationConfig"),
        history: &s.history,
        stop_reason: s.stop_reason.as_deref(),
        failure: None,
        activity: Vec::new(),
        moved: Vec::new(),
        cdc: Vec::new(),
        run: Run::NeverStarted,
        window: None,
        before_history: None,
    }
}

/// Table statistics showing work of any kind (rows, changes, DDLs, a completed table):
/// evidence that the migration started, not that it moved data.
fn table_activity(rows: &[TableStat]) -> Option<String> {
    let active = rows
        .iter()
        .filter(|r| {
            r.full_load_rows + r.inserts + r.updates + r.deletes + r.ddls > 0
                || r.state.as_deref() == Some("Table completed")
        })
        .count();
    (active > 0).then(|| format!("table statistics for {active} table(s)"))
}

/// DMS Serverless capacity provisioned (a date, or capacity units above zero).
fn provision_activity(p: &Provision) -> Option<String> {
    let when = p.date_provisioned;
    if when.is_none() && p.capacity_units.is_none_or(|c| c <= 0) {
        return None;
    }
    Some(format!(
        "DMS Serverless provisioned {} DCU{}",
        p.capacity_units.map_or("?".into(), |c| c.to_string()),
        when.map(|w| format!(" on {}", w.date()))
            .unwrap_or_default()
    ))
}

impl<'a> Migration<'a> {
    /// A task known only from its CloudWatch series ([`crate::facts::trace`]): its
    /// endpoints, settings and table mappings are not on record (not defaults), and its log
    /// group is the one its instance identifier names.
    fn known_only_from(&mut self, trace: &Trace, denied: Option<String>) {
        let why = format!(
            "not on record: the task is known only from {} and its CloudWatch series{}",
            trace.named_by(),
            denied
                .map(|d| format!(" ({d}: CloudTrail event history would show more of it)"))
                .unwrap_or_default()
        );
        self.log_groups
            .push(format!("dms-tasks-{}", trace.instance));
        self.endpoints_unknown = vec![("source", why.clone()), ("target", why.clone())];
        self.settings_unknown = true;
        self.settings_basis = Some(format!("its settings are {why}"));
        self.mappings_basis = Some(format!("its table mappings are {why}"));
    }

    /// Deleted since it ran, or known only from its traces: what went with it (table
    /// statistics, assessment runs) is not on record either way.
    pub fn gone(&self) -> bool {
        self.deleted.is_some() || self.trace().is_some()
    }

    /// How the task is known when only its traces name it ([`crate::facts::trace`]).
    pub fn trace(&self) -> Option<&'a Trace> {
        self.task.and_then(|t| t.traced.as_ref())
    }

    /// Replaces today's task settings by those in force during the run, when the task's
    /// CloudTrail history shows them changed (a later change does not rewrite what ran),
    /// and cites the events they rest on; leaves them and the table mappings unknown when
    /// the run began before the history ([`Migration::before_history`]).
    fn judge_settings_as_they_ran(&mut self, ran: Option<Span>) {
        // A task or serverless configuration modified before the history began may have
        // run with other settings; one whose creation is on record has its whole life there.
        let create = match self.kind {
            MigrationKind::Task => "CreateReplicationTask",
            MigrationKind::Serverless => "CreateReplicationConfig",
        };
        if let Some(why) = &self.before_history
            && !self.history.iter().any(|h| h.name == create)
        {
            self.settings = Cow::Owned(TaskSettings::default());
            self.mappings = Cow::Owned(TableMappings::default());
            self.settings_unknown = true;
            self.settings_basis = Some(format!(
                "its settings while it ran are not on record: {why}"
            ));
            return;
        }
        let Some(t) = self.task else {
            return;
        };
        let span = ran;
        let mut cited = false;
        if t.history.iter().any(|h| h.settings.is_some()) {
            let then = crate::facts::history::settings_during(t, span);
            self.settings_unknown |= !then.known;
            if then.versions.len() > 1 {
                self.settings_versions = then.versions;
            }
            if !then.known || then.value != t.settings {
                self.settings = Cow::Owned(then.value);
                self.settings_basis = Some(then.basis);
                cited = true;
            }
        }
        let then = crate::facts::history::mappings_during(t, span);
        if !then.known || then.value != t.table_mappings {
            // Not on record: left unread (`parsed` false), as before the history.
            self.mappings = Cow::Owned(then.value);
            self.mappings_basis = Some(then.basis);
            cited = true;
        }
        if cited {
            let set =
                |h: &&crate::facts::HistoryEvent| h.settings.is_some() || h.mappings.is_some();
            for h in t.history.iter().filter(set) {
                self.sources.extend(h.sources.iter().cloned());
            }
            self.sources.sort();
            self.sources.dedup();
        }
    }

    /// The task's migration type as it ran: a ModifyReplicationTask since does not rewrite
    /// it ([`crate::facts::history::migration_type_during`]), citing the event that set
    /// it; not on record (`None`) when its history does not show it, or when the run began
    /// before the history ([`Migration::before_history`]) and the task's creation is not on
    /// record (then no change it applied counts as CDC: [`Input::cdc_applied`]). Serverless
    /// replications are judged in [`Migration::judge_config_as_it_ran`].
    fn judge_type_as_it_ran(&mut self, span: Option<Span>) {
        // Only a run that moved data is judged so; the others count only against, as today.
        if self.run != Run::MovedData {
            return;
        }
        let create = match self.kind {
            MigrationKind::Task => "CreateReplicationTask",
            MigrationKind::Serverless => "CreateReplicationConfig",
        };
        let created = self.history.iter().any(|h| h.name == create);
        let then = match (&self.before_history, self.task, span.or(self.window)) {
            (Some(why), _, _) if !created => Err(why.clone()),
            // A serverless configuration's type as it ran: judge_config_as_it_ran.
            (_, None, _) => Ok(None),
            (_, Some(t), Some((from, to))) => {
                crate::facts::history::migration_type_during(t, from, to)
            }
            // Undated: it ran some time in its life, with any type its history set.
            (_, Some(t), None) => match t.history.iter().find(|h| {
                h.name == "ModifyReplicationTask" && h.request.get("MigrationType").is_some()
            }) {
                Some(h) => Err(format!(
                    "its run is not dated and {} changed it",
                    crate::facts::history::basis(h)
                )),
                None => Ok(None),
            },
        };
        match then {
            Ok(None) => {}
            Ok(Some((kind, basis))) => {
                self.endpoints_then.push(format!(
                    "its migration type was {kind} while it ran (set by {basis}; {} today)",
                    self.migration_type.unwrap_or("not reported")
                ));
                self.migration_type = Some(kind);
                let events = self.history.iter();
                for h in events.filter(|h| h.request.get("MigrationType").is_some()) {
                    self.sources.extend(h.sources.iter().cloned());
                }
                self.sources.sort();
                self.sources.dedup();
            }
            Err(why) => {
                self.endpoints_then.push(format!(
                    "its migration type while it ran is not on record: {why}"
                ));
                self.migration_type = None;
            }
        }
    }

    /// A serverless configuration can be modified only before its replication first
    /// starts, or after a run that failed (DMS API Reference, ModifyReplicationConfig).
    /// Each member a ModifyReplicationConfig changed after the last StartReplication
    /// (endpoints, replication type, settings) is taken as it was when that run started
    /// ([`crate::facts::history::config_as_ran`]), citing the events, and left out with
    /// why when they do not show it: today's configuration is not what ran.
    fn judge_config_as_it_ran(&mut self, facts: &'a Facts) {
        use crate::facts::history::basis;
        let history: &'a [HistoryEvent] = self.history;
        if self.kind != MigrationKind::Serverless {
            return;
        }
        // The replication's own start date stands in when its StartReplication fell
        // before the history (DescribeReplications' ReplicationStats).
        let run_start = self.stats.and_then(|s| s.start_date.or(s.fresh_start_date));
        let config_as_ran =
            |member: &str| crate::facts::history::config_as_ran(history, member, run_start);
        for (side, member) in [
            ("source", "SourceEndpointArn"),
            ("target", "TargetEndpointArn"),
        ] {
            let Some(c) = config_as_ran(member) else {
                continue;
            };
            let then = c
                .then
                .and_then(|(arn, set)| Some((facts.endpoint(arn)?, set)));
            let slot = if side == "source" {
                &mut self.source
            } else {
                &mut self.target
            };
            match then {
                Some((was, set)) => {
                    self.endpoints_then.push(format!(
                        "its {side} was {} while it ran (set by {}; re-pointed since by {})",
                        was.identifier,
                        basis(set),
                        basis(c.changed)
                    ));
                    *slot = Some(Cow::Borrowed(was));
                }
                None => {
                    if let Some(Cow::Borrowed(today)) = slot.as_ref() {
                        self.unknown_today.push((side, *today));
                    }
                    *slot = None;
                    self.endpoints_unknown.push((side, c.unknown()));
                }
            }
            self.cite_history(&c);
        }
        if let Some(c) = config_as_ran("TableMappings") {
            self.mappings = Cow::Owned(TableMappings::parse(c.then.map(|(text, _)| text)));
            self.cite_history(&c);
        }
        if let Some(c) = config_as_ran("ReplicationType") {
            self.migration_type = c.then.map(|(v, _)| v);
            self.cite_history(&c);
        }
        if let Some(c) = config_as_ran("ReplicationSettings") {
            let (settings, why) = match c.then {
                Some((text, set)) => (
                    TaskSettings::parse(Some(text)),
                    format!("as set by {} (modified after its last run)", basis(set)),
                ),
                None => {
                    self.settings_unknown = true;
                    (TaskSettings::default(), c.unknown())
                }
            };
            self.settings = Cow::Owned(settings);
            self.settings_basis = Some(why);
            self.cite_history(&c);
        }
    }

    fn cite_history(&mut self, c: &crate::facts::history::AsRan<'_>) {
        let events = std::iter::once(c.changed).chain(c.then.map(|(_, set)| set));
        for h in events {
            self.sources.extend(h.sources.iter().cloned());
        }
        self.sources.sort();
        self.sources.dedup();
    }

    /// Replaces today's endpoints by what they connected to during the run when their
    /// CloudTrail history shows them re-pointed since (ModifyEndpoint), citing the events;
    /// an endpoint whose engine or address then is not on record is left out, with why:
    /// today's would judge another migration than this one.
    fn judge_endpoints_as_they_ran(
        &mut self,
        now: Timestamp,
        config: &ConfigView<'_, '_>,
        span: Option<Span>,
        ran: Option<Span>,
    ) {
        use crate::facts::endpoint_then::{Then, during};
        // Undated runs: the task ran between its creation and its deletion (or now).
        let (from, to) = match ran {
            Some((from, to)) => (Some(from), to),
            None => (self.created, self.deleted.map_or(now, |(at, _)| at)),
        };
        for (side, slot) in [("source", &mut self.source), ("target", &mut self.target)] {
            // An endpoint modified before the history began may have connected elsewhere
            // while it ran; one whose creation is on record has its whole life there.
            let before = self.before_history.as_ref().filter(|_| {
                slot.as_deref()
                    .is_some_and(|e| !e.history.iter().any(|h| h.name == "CreateEndpoint"))
            });
            let Some(e) = slot
                .as_deref()
                .filter(|e| before.is_some() || !e.history.is_empty())
            else {
                continue;
            };
            let id = e.identifier.clone();
            // Its CloudTrail history first; what that cannot settle (the run began before it,
            // a value before its first change, its SslMode then), AWS Config may, where it
            // recorded the endpoint throughout. One whose creation CloudTrail holds has its
            // whole life there.
            let trail = match before {
                Some(why) => Then::Unknown(why.clone()),
                None => during(e, from, to),
            };
            let created = e.history.iter().any(|h| h.name == "CreateEndpoint");
            let ssl_unknown = || {
                from.is_some_and(|from| {
                    crate::facts::history::ssl_modes_during(e, from, to)
                        .iter()
                        .any(|(mode, _)| mode.is_none())
                })
            };
            let needed = !created && (matches!(trail, Then::Unknown(_)) || ssl_unknown());
            let recorded = needed.then(|| config.during(e, span));
            let then = match (recorded, trail) {
                (Some(Ok(was)), _) => Then::Was(Box::new(was), String::new()),
                (recorded, Then::Unknown(why)) => Then::Unknown(config.explain(why, e, recorded)),
                (_, known) => known,
            };
            match then {
                Then::Unchanged => {}
                Then::Was(was, changes) => {
                    let line = match &was.then_basis {
                        Some(basis) => format!("its {side} {id} {basis}"),
                        None => format!("its {side} {id} had {changes}"),
                    };
                    self.endpoints_then.push(line);
                    *slot = Some(Cow::Owned(*was));
                }
                Then::Unknown(why) => {
                    if let Some(Cow::Borrowed(today)) = slot.as_ref() {
                        self.unknown_today.push((side, *today));
                    }
                    self.endpoints_unknown.push((
                        side,
                        format!(
                            "what its {side} {id} connected to while it ran is not on record: {why}"
                        ),
                    ));
                    *slot = None;
                }
            }
        }
    }

    /// "<id>: what its <side> … connected to while it ran is not on record: …", when
    /// that is why the migration has no `side` endpoint.
    pub fn unknown_endpoint(&self, side: &str) -> Option<String> {
        self.endpoints_unknown
            .iter()
            .find(|(s, _)| *s == side)
            .map(|(_, why)| format!("{}: {why}", self.id))
    }

    /// " (settings: …)" naming what its settings rest on when they are not today's.
    pub fn settings_note(&self) -> String {
        let bases = [
            ("settings", &self.settings_basis),
            ("table mappings", &self.mappings_basis),
        ];
        let parts: Vec<String> = bases
            .into_iter()
            .filter_map(|(what, b)| b.as_ref().map(|b| format!("{what}: {b}")))
            .collect();
        if parts.is_empty() {
            String::new()
        } else {
            format!(" ({})", parts.join("; "))
        }
    }
}

/// AWS Config's view of endpoints, for runs CloudTrail's history cannot settle.
struct ConfigView<'i, 'a> {
    input: &'i Input<'a>,
}

impl ConfigView<'_, '_> {
    /// `e` as AWS Config recorded it while the run went (from its first start, or its
    /// window's, to its window's end), citing the items; else why Config cannot say.
    fn during(&self, e: &Endpoint, span: Option<Span>) -> Result<Endpoint, String> {
        let Some((from, to)) = span else {
            return Err("its run's start or end is not dated".into());
        };
        // A change CloudTrail shows inside the run that AWS Config did not record means
        // Config missed one: it cannot vouch for the rest either.
        let until = to + crate::facts::config_history::CAPTURE_MARGIN;
        if let Some(h) = e
            .history
            .iter()
            .find(|h| h.name == "ModifyEndpoint" && (from..=until).contains(&h.at))
        {
            return Err(format!(
                "CloudTrail shows {} around its run",
                crate::facts::history::basis(h)
            ));
        }
        crate::facts::config_history::during(e, &self.input.facts.config_recorders, from, to)
    }

    /// `why` what `e` connected to is unknown, with why AWS Config cannot say either when
    /// it was read in `e`'s region (or was refused there).
    fn explain(
        &self,
        why: String,
        e: &Endpoint,
        recorded: Option<Result<Endpoint, String>>,
    ) -> String {
        let read = self
            .input
            .facts
            .config_recorders
            .iter()
            .any(|r| r.region == e.region);
        let gap = self.input.gap_paren(CONFIG_READS);
        match (recorded, read) {
            (Some(Err(not)), true) => format!("{why}; AWS Config cannot say either: {not}{gap}"),
            (_, false) if !gap.is_empty() => format!("{why}; AWS Config was not read{gap}"),
            _ => why,
        }
    }
}

/// The reads AWS Config's history of an endpoint rests on.
pub const CONFIG_READS: &[&str] = &[
    "config:DescribeConfigurationRecorders",
    "config:DescribeConfigurationRecorderStatus",
    "config:ListDiscoveredResources",
    "config:GetResourceConfigHistory",
];

impl<'a> Input<'a> {
    pub fn new(evidence: &'a Evidence) -> Input<'a> {
        let facts = &evidence.facts;
        let now = evidence.collection.finished_at;
        let mut by_dimension: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, s) in facts.metrics.iter().enumerate() {
            for v in s.dimensions.values() {
                let series = by_dimension.entry(v.as_str()).or_default();
                if series.last() != Some(&i) {
                    series.push(i);
                }
            }
        }
        let mut input = Input {
            evidence,
            facts,
            now,
            migrations: Vec::new(),
            unproven: Vec::new(),
            by_dimension,
        };
        let tasks = facts.tasks.iter().map(|t| task_migration(facts, t));
        let serverless = facts
            .serverless
            .iter()
            .map(|s| serverless_migration(facts, s));
        for mut m in tasks.chain(serverless).collect::<Vec<_>>() {
            if let Some(trace) = m.trace() {
                m.known_only_from(trace, input.gap_note(&["cloudtrail:LookupEvents"]));
            }
            // What a serverless configuration was when it ran comes first: whether its
            // changes count as CDC depends on its replication type then.
            m.judge_config_as_it_ran(facts);
            m.activity = input.activity(&m);
            m.moved = input.moved(&m);
            m.window = input.window(&m);
            m.run = if !m.moved.is_empty() {
                Run::MovedData
            } else if !m.activity.is_empty() && m.table_counts().is_some() {
                Run::MovedNothing
            } else if !m.activity.is_empty() {
                Run::NotOnRecord
            } else {
                Run::NeverStarted
            };
            // Only a run that moved data is judged on what was in force while it ran; the
            // others count only against, as they are today.
            if m.run == Run::MovedData {
                m.before_history = input.before_history(&m);
            }
            let span = input.span(&m);
            // Whether its changes count as CDC depends on its migration type as it ran.
            m.judge_type_as_it_ran(span);
            m.cdc = input.cdc_applied(&m);
            // What was in force from its first start on record (a reload resets the run's
            // own dates) to its end.
            let first = input.earliest_start(&m);
            let ran = m
                .window
                .map(|(from, to)| (first.map_or(from, |f| f.min(from)), to));
            m.judge_settings_as_they_ran(ran);
            let config = ConfigView { input: &input };
            m.judge_endpoints_as_they_ran(input.now, &config, span, ran);
            // A task known only from its series that moved nothing is left out: nothing
            // else of it is on record, so it could only count against by being unknown.
            if m.run == Run::MovedData {
                input.migrations.push(m);
            } else if m.trace().is_none() {
                input.unproven.push(m);
            }
        }
        input
    }

    /// The evidence that a migration moved data (DMS API Reference, TableStatistics and
    /// ReplicationTaskStats; DMS User Guide, "Replication task metrics"): rows loaded or
    /// changes applied in tables not in error, or — only when no table statistics are on
    /// record — TablesLoaded above zero, or rows written to the target per CloudWatch.
    fn moved(&self, m: &Migration<'a>) -> Vec<Activity> {
        let here = |what: String| Activity {
            what,
            pointer: m.pointer(),
            sources: m.sources.clone(),
        };
        let mut out = Vec::new();
        match m.table_counts() {
            Some(c) if c.tables > 0 => {
                if c.rows_loaded > 0 {
                    out.push(here(format!(
                        "{} rows loaded into {} table(s) (table statistics)",
                        c.rows_loaded, c.tables_with_rows
                    )));
                }
                if c.changes > 0 {
                    out.push(here(format!(
                        "{} changes applied to {} table(s) (table statistics)",
                        c.changes, c.tables_with_changes
                    )));
                }
            }
            // TablesLoaded counts a table with no row: for a task gone with its table
            // statistics (only its Delete answer's counters left), it shows a run, not data
            // moved ([`Input::activity`]).
            _ if m.gone() => {}
            _ => {
                if let Some(n) = m.stats.and_then(|s| s.tables_loaded).filter(|n| *n > 0) {
                    out.push(here(format!("{n} table(s) loaded (task statistics)")));
                }
            }
        }
        for name in MOVED_METRICS {
            out.extend(self.metric_activity(m, name, |_| true));
        }
        out
    }

    /// The evidence that ongoing replication applied changes: CDC counters in table
    /// statistics or CDCThroughputRowsTarget above zero. A run that AWS says ended before
    /// CDC ([`STOPPED_BEFORE_CDC`]) disproves them for that run: its counters are not
    /// ongoing replication, and only datapoints from before that run started count.
    fn cdc_applied(&self, m: &Migration<'a>) -> Vec<Activity> {
        // A type not on record may have been CDC or not: its counters prove neither (cached
        // changes a full load applied count in them too).
        if !m.has_cdc_type() {
            return Vec::new();
        }
        let ended = m.ended_before_cdc();
        let mut out = Vec::new();
        if ended.is_none()
            && let Some(c) = m.table_counts().filter(|c| c.changes > 0)
        {
            out.push(Activity {
                what: format!(
                    "{} changes applied to {} table(s) (table statistics)",
                    c.changes, c.tables_with_changes
                ),
                pointer: m.pointer(),
                sources: m.sources.clone(),
            });
        }
        let before = match ended {
            None => None,
            Some(_) => match m.run_start() {
                Some(t) => Some(t),
                None => return out,
            },
        };
        for name in CDC_ACTIVITY_METRICS {
            out.extend(self.metric_activity(m, name, |t| before.is_none_or(|b| t < b)));
        }
        out
    }

    /// The evidence that a migration started: any one of its start dates, loaded tables,
    /// table statistics, CDC or load metrics above zero, task log events, serverless
    /// capacity.
    fn activity(&self, m: &Migration<'a>) -> Vec<Activity> {
        let here = |what: String| Activity {
            what,
            pointer: m.pointer(),
            sources: m.sources.clone(),
        };
        let mut out = Vec::new();
        let started = m.start_dates().min();
        out.extend(started.map(|t| here(format!("started {}", t.date()))));
        if let Some(n) = m.stats.and_then(|s| s.tables_loaded).filter(|n| *n > 0) {
            out.push(here(format!("{n} table(s) loaded")));
        }
        out.extend(m.tables.and_then(table_activity).map(here));
        for name in ACTIVITY_METRICS {
            out.extend(self.metric_activity(m, name, |_| true));
        }
        if let Some((g, stream, at)) = self.log_events(m) {
            out.push(Activity {
                what: format!("log stream {}/{stream} has events (latest {at})", g.name),
                pointer: format!("log_groups/{}/{}", g.region, g.name),
                sources: g.sources.clone(),
            });
        }
        out.extend(m.provision.and_then(provision_activity).map(here));
        out
    }

    /// A task metric above zero at times `when` accepts: in how many hours, from when to when.
    fn metric_activity(
        &self,
        m: &Migration<'a>,
        name: &str,
        when: impl Fn(Timestamp) -> bool,
    ) -> Option<Activity> {
        let s = self.task_series(m, name)?;
        let positive: Vec<Timestamp> = s
            .timestamps
            .iter()
            .zip(&s.values)
            .filter(|(t, v)| **v > 0.0 && when(**t))
            .map(|(t, _)| *t)
            .collect();
        let (first, last) = (positive.first()?, positive.last()?);
        Some(Activity {
            what: format!(
                "CloudWatch {name} above 0 in {} hour(s) from {} to {}",
                positive.len(),
                first.date(),
                last.date()
            ),
            pointer: format!("metrics/AWS/DMS/{name}/{}", m.id),
            sources: s.sources.clone(),
        })
    }

    /// The run window its dates show (start date to stop date, or now while it
    /// runs). Other evidence times are not dates of the run: no window from them.
    fn window(&self, m: &Migration<'_>) -> Option<Span> {
        let started = m
            .started
            .or_else(|| m.provision.and_then(|p| p.date_provisioned));
        run_window(started, m.stats, m.status == Some("running"), self.now)
    }

    /// When the CloudTrail history read in `region` begins: the earliest read, or with
    /// `event_history_only` the earliest from event history (a trail's log files keep only
    /// DMS events).
    pub fn history_begins(&self, region: &str, event_history_only: bool) -> Option<Timestamp> {
        self.facts
            .history_reads
            .iter()
            .filter(|r| r.region == region && (!event_history_only || r.source.is_none()))
            .map(|r| r.since)
            .min()
    }

    /// Why what was in force when `m` started (its endpoints, its settings) is not on
    /// record: the CloudTrail history read in its region (event history, 90 days, or a
    /// trail's log files) begins after the run started, so a change made between the run
    /// and that beginning would not show and today's settings may not be those it ran
    /// with; or no history was read there. `None` when the history reaches back to the
    /// start (or to the creation, for an undated run), and for evidence collected before
    /// CloudTrail history was read at all (no read and no gap for it: bundles of 0.1.0),
    /// which is judged, as then, on what it shows.
    pub fn before_history(&self, m: &Migration<'_>) -> Option<String> {
        let reads = &self.facts.history_reads;
        let gap = self.gap_paren(&["cloudtrail:LookupEvents"]);
        if reads.is_empty() && gap.is_empty() {
            return None;
        }
        let Some(since) = self.history_begins(m.region, false) else {
            return Some(format!(
                "no CloudTrail history was read in {}{gap}",
                m.region
            ));
        };
        let started = self.first_start(m);
        // Which source would reach further back, when none read here does.
        let trail_read = reads
            .iter()
            .any(|r| r.region == m.region && r.source.is_some());
        let hint = if trail_read {
            ""
        } else {
            " (a CloudTrail trail that logged the account then would: name it as [trail] in the \
             case study)"
        };
        let why = match (started, m.created) {
            (Some(t), _) if t >= since => None,
            (Some(t), _) => Some(format!(
                "CloudTrail history in {} begins {since}, after it started {}: a change made before then \
                 would not show",
                m.region, t
            )),
            (None, Some(c)) if c >= since => None,
            (None, Some(c)) => Some(format!(
                "its run is not dated, and CloudTrail history in {} begins {since}, after it was created {}",
                m.region, c
            )),
            (None, None) => Some(format!(
                "its run and its creation are not dated, and CloudTrail history in {} begins {since}",
                m.region
            )),
        };
        why.map(|why| format!("{why}{hint}"))
    }

    /// Everything a migration's runs can have spanned, when its end is dated (it runs, or
    /// AWS gives its stop date): from its first start ([`Input::first_start`]) to the
    /// later of that end and the last hour its own series show it moving data or applying
    /// changes. `None` when either end is not dated: a full load's finish or the start
    /// standing in for the end would leave the rest of the run out.
    pub fn span(&self, m: &Migration<'_>) -> Option<Span> {
        let (start, end) = m.window?;
        let dated = m.status == Some("running") || m.stats.is_some_and(|s| s.stop_date.is_some());
        if !dated {
            return None;
        }
        let from = self.first_start(m).map_or(start, |f| f.min(start));
        let active = self
            .active_hours(m, MOVED_METRICS)
            .chain(self.active_hours(m, &CDC_ACTIVITY_METRICS))
            .max()
            .map(|t| t + HOUR);
        Some((from, active.map_or(end, |a| a.max(end))))
    }

    /// When a migration's first run on record started: the earliest of its first start
    /// ([`Input::first_start`]) and its first Start event in CloudTrail.
    pub fn earliest_start(&self, m: &Migration<'_>) -> Option<Timestamp> {
        let events = m
            .history
            .iter()
            .filter(|h| h.name.starts_with("Start"))
            .map(|h| h.at);
        self.first_start(m).into_iter().chain(events).min()
    }

    /// When a migration first ran, as far as the evidence dates it: the earliest of its
    /// run's dates (those of its latest run: a restart resets them) and of the first
    /// datapoint above zero of its own AWS/DMS series showing it moved data (a run before
    /// its latest restart leaves them).
    pub fn first_start(&self, m: &Migration<'_>) -> Option<Timestamp> {
        let series = self.active_hours(m, MOVED_METRICS).min();
        [m.window.map(|(a, _)| a), series]
            .into_iter()
            .flatten()
            .min()
    }

    /// The times of the datapoints above zero of a migration's own AWS/DMS series of
    /// these metrics (those whose dimensions name it, in its region).
    pub fn active_hours<'s>(
        &'s self,
        m: &'s Migration<'_>,
        names: &'s [&str],
    ) -> impl Iterator<Item = Timestamp> + 's {
        self.facts
            .metrics
            .iter()
            .filter(move |s| {
                s.region == m.region
                    && s.namespace == "AWS/DMS"
                    && names.contains(&s.name.as_str())
                    && s.dimensions
                        .values()
                        .any(|v| m.metric_ids.contains(&v.as_str()))
            })
            .flat_map(|s| s.timestamps.iter().zip(&s.values))
            .filter(|(_, v)| **v > 0.0)
            .map(|(t, _)| *t)
    }

    /// The newest event of a migration's own log stream: (group, stream, time).
    pub fn log_events(&self, m: &Migration<'_>) -> Option<(&'a LogGroup, String, Timestamp)> {
        self.facts
            .log_groups
            .iter()
            .filter(|g| g.region == m.region && m.log_groups.contains(&g.name))
            .flat_map(|g| {
                g.latest_streams.iter().filter_map(move |(name, at)| {
                    let mine = m.kind == MigrationKind::Serverless || m.log_streams.contains(name);
                    Some((g, name.clone(), at.filter(|_| mine)?))
                })
            })
            .max_by_key(|(_, _, at)| *at)
    }

    pub fn statement(&self, key: &str) -> Option<&'a str> {
        self.evidence
            .case_study
            .case_study
            .statements
            .get(key)
            .map(String::as_str)
            .filter(|s| !s.trim().is_empty())
    }

    pub fn attachments(&self, item: &str) -> Vec<&'a HashedAttachment> {
        self.evidence
            .attachments
            .iter()
            .filter(|a| a.attachment.item == item)
            .collect()
    }

    /// Gaps of an operation (any region), e.g. "dms:DescribeTableStatistics".
    pub fn gaps(&self, iam_action: &str) -> Vec<&'a Gap> {
        self.evidence
            .gaps
            .iter()
            .filter(|g| g.iam_action == iam_action)
            .collect()
    }

    pub fn gap_note(&self, actions: &[&str]) -> Option<String> {
        let gaps: Vec<&Gap> = actions.iter().flat_map(|a| self.gaps(a)).collect();
        if gaps.is_empty() {
            return None;
        }
        let mut names: Vec<String> = gaps
            .iter()
            .map(|g| match g.kind {
                GapKind::AccessDenied => format!("{} was denied", g.iam_action),
                _ => format!(
                    "{} failed ({}{})",
                    g.iam_action,
                    g.kind.as_str(),
                    g.code
                        .as_deref()
                        .map(|c| format!(": {c}"))
                        .unwrap_or_default()
                ),
            })
            .collect();
        names.sort();
        names.dedup();
        Some(names.join("; "))
    }

    /// [`Input::gap_note`] as ` (…)` to append to a reason, or "" without gaps.
    pub fn gap_paren(&self, actions: &[&str]) -> String {
        self.gap_note(actions)
            .map(|g| format!(" ({g})"))
            .unwrap_or_default()
    }

    /// The migrations that moved data whose endpoints are not in the evidence, with the
    /// DescribeEndpoints gap if there is one: `None` when every endpoint is there.
    pub fn unresolved_endpoints(&self) -> Option<String> {
        let ids: Vec<&str> = self
            .migrations
            .iter()
            .filter(|m| m.source.is_none() || m.target.is_none())
            .map(|m| m.id)
            .collect();
        let mut why: Vec<String> = self
            .migrations
            .iter()
            .flat_map(|m| ["source", "target"].map(|side| m.unknown_endpoint(side)))
            .flatten()
            .collect();
        // Both sides unknown for the same reason are said once.
        why.dedup();
        (!ids.is_empty()).then(|| {
            format!(
                "the endpoints of {} are not in the evidence{}{}",
                ids.join(", "),
                self.gap_paren(&["dms:DescribeEndpoints"]),
                if why.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", why.join("; "))
                }
            )
        })
    }

    /// A CloudWatch series of `region` with data whose dimension `dim` is one of `ids`.
    pub fn series(
        &self,
        region: &str,
        namespace: &str,
        name: &str,
        dim: &str,
        ids: &[&str],
    ) -> Option<&'a MetricSeries> {
        self.named_by(ids.iter().copied()).into_iter().find(|m| {
            m.region == region
                && m.namespace == namespace
                && m.name == name
                && !m.values.is_empty()
                && m.dimensions
                    .get(dim)
                    .is_some_and(|v| ids.contains(&v.as_str()))
        })
    }

    /// The series that name any of `values` as a dimension, in the order of the facts
    /// (so a lookup finds the series a scan of all of them would).
    fn named_by<'v>(&self, values: impl Iterator<Item = &'v str>) -> Vec<&'a MetricSeries> {
        let mut at: Vec<usize> = values
            .filter_map(|v| self.by_dimension.get(v))
            .flatten()
            .copied()
            .collect();
        at.sort_unstable();
        at.dedup();
        let metrics: &'a [MetricSeries] = &self.facts.metrics;
        at.into_iter().map(|i| &metrics[i]).collect()
    }

    /// A DMS task or serverless metric of this migration (its region, its resource id,
    /// and its instance when the series names one).
    pub fn task_series(&self, m: &Migration<'_>, name: &str) -> Option<&'a MetricSeries> {
        let ids = m.metric_ids.iter().copied().chain([m.arn]);
        self.named_by(ids).into_iter().find(|s| {
            s.region == m.region
                && s.namespace == "AWS/DMS"
                && s.name == name
                && !s.values.is_empty()
                && [
                    "ReplicationTaskIdentifier",
                    "ReplicationConfigIdentifier",
                    "ReplicationConfigArn",
                ]
                .iter()
                .filter_map(|d| s.dimensions.get(*d))
                .any(|v| m.metric_ids.contains(&v.as_str()) || v == m.arn)
                && match (
                    s.dimensions.get("ReplicationInstanceIdentifier"),
                    m.instance,
                ) {
                    (Some(v), Some(i)) => *v == i.identifier,
                    _ => true,
                }
        })
    }

    /// DMS instance-level series (dimension ReplicationInstanceIdentifier only).
    pub fn instance_series(
        &self,
        name: &str,
        instance: &ReplicationInstance,
    ) -> Option<&'a MetricSeries> {
        self.facts.metrics.iter().find(|m| {
            m.region == instance.region
                && m.namespace == "AWS/DMS"
                && m.name == name
                && !m.values.is_empty()
                && !m.dimensions.contains_key("ReplicationTaskIdentifier")
                && m.dimensions
                    .get("ReplicationInstanceIdentifier")
                    .map(String::as_str)
                    == Some(instance.identifier.as_str())
        })
    }

    /// The DB instance an endpoint resolved to, in the endpoint's own region.
    pub fn rds_instance(&self, e: &Endpoint) -> Option<&'a DbInstance> {
        self.facts
            .rds_instance(&e.region, e.host.resource.as_deref()?)
    }

    /// The DB cluster an endpoint resolved to (directly, or through the cluster an
    /// Aurora instance belongs to), in the endpoint's own region.
    pub fn rds_cluster(&self, e: &Endpoint) -> Option<&'a DbCluster> {
        let resource = e.host.resource.as_deref()?;
        self.facts.rds_cluster(&e.region, resource).or_else(|| {
            let cluster = self
                .facts
                .rds_instance(&e.region, resource)?
                .cluster
                .as_deref()?;
            self.facts.rds_cluster(&e.region, cluster)
        })
    }

    /// The DB instances behind an endpoint: the instance itself, or a cluster's members.
    pub fn db_instances(&self, e: &Endpoint) -> Vec<&'a DbInstance> {
        if let Some(d) = self.rds_instance(e) {
            return vec![d];
        }
        match self.rds_cluster(e) {
            Some(c) => c
                .members
                .iter()
                .filter_map(|m| self.facts.rds_instance(&c.region, m))
                .collect(),
            None => Vec::new(),
        }
    }

    /// The size of an endpoint's database, measured by the metric its kind publishes.
    /// `Err` says why it is not measured.
    pub fn measured_size(&self, endpoint: &Endpoint) -> Result<SizeSeries, String> {
        let Some(resource) = endpoint.host.resource.as_deref() else {
            return Err(format!(
                "{} ({}) is not a database of this account: {}",
                endpoint.identifier,
                endpoint.host.kind.as_str(),
                endpoint.host.basis
            ));
        };
        if let Some(cluster) = self.rds_cluster(endpoint) {
            let (namespace, metric) = match cluster.kind() {
                ClusterKind::Aurora => ("AWS/RDS", "VolumeBytesUsed"),
                ClusterKind::DocumentDb => ("AWS/DocDB", "VolumeBytesUsed"),
                ClusterKind::Neptune => ("AWS/Neptune", "VolumeBytesUsed"),
                ClusterKind::MultiAz | ClusterKind::Other => {
                    return self.free_space_size(
                        endpoint,
                        cluster.allocated_storage_gb,
                        &cluster.region,
                        "DBClusterIdentifier",
                        &cluster.identifier,
                        &cluster.sources,
                    );
                }
            };
            let s = self
                .series(&cluster.region, namespace, metric, "DBClusterIdentifier", &[&cluster.identifier])
                .ok_or_else(|| {
                    format!(
                        "no {namespace} {metric} on record for cluster {} (expired or not collected)",
                        cluster.identifier
                    )
                })?;
            return Ok(SizeSeries {
                basis: format!("{metric} of cluster {} ({namespace})", cluster.identifier),
                points: s
                    .timestamps
                    .iter()
                    .copied()
                    .zip(s.values.iter().copied())
                    .collect(),
                pointer: format!("metrics/{namespace}/{metric}/{}", cluster.identifier),
                sources: s.sources.clone(),
            });
        }
        let Some(db) = self.rds_instance(endpoint) else {
            return Err(format!(
                "{resource} is not an RDS database of {} in the evidence",
                endpoint.region
            ));
        };
        self.free_space_size(
            endpoint,
            db.allocated_storage_gb,
            &db.region,
            "DBInstanceIdentifier",
            &db.identifier,
            &db.sources,
        )
    }

    /// Used space of an RDS instance or Multi-AZ cluster: today's AllocatedStorage
    /// minus a FreeStorageSpace reading of today, never of a time when the allocated
    /// storage may have differed.
    fn free_space_size(
        &self,
        endpoint: &Endpoint,
        allocated_gb: Option<i32>,
        region: &str,
        dim: &str,
        id: &str,
        db_sources: &[String],
    ) -> Result<SizeSeries, String> {
        let Some(allocated_gb) = allocated_gb else {
            return Err(format!("{id}: AllocatedStorage not reported"));
        };
        let allocated = f64::from(allocated_gb) * GIB;
        let s = self
            .series(region, "AWS/RDS", "FreeStorageSpace", dim, &[id])
            .ok_or_else(|| {
                format!("no FreeStorageSpace on record for {id} (expired or not collected)")
            })?;
        let (t, free) = s
            .timestamps
            .iter()
            .copied()
            .zip(s.values.iter().copied())
            .next_back()
            .ok_or_else(|| format!("no FreeStorageSpace datapoint for {id}"))?;
        if self.now - t > FRESH_FREE_SPACE {
            return Err(format!(
                "{id}'s latest FreeStorageSpace is from {}: against today's AllocatedStorage ({allocated_gb} GiB) it \
                 would not measure the data (storage may have changed since)",
                t.date()
            ));
        }
        let _ = endpoint;
        Ok(SizeSeries {
            basis: format!(
                "RDS {id}: AllocatedStorage {allocated_gb} GiB minus FreeStorageSpace at {}",
                t
            ),
            points: vec![(t, (allocated - free).max(0.0))],
            pointer: format!("metrics/AWS/RDS/FreeStorageSpace/{id}"),
            sources: s.sources.iter().chain(db_sources).cloned().collect(),
        })
    }

    /// The largest measured database size over the targets of migrations that moved data,
    /// or why none is measured.
    pub fn largest_size(&self) -> Result<(f64, SizeSeries), Vec<String>> {
        let sizes = self.sizes(|_| true);
        sizes.largest.ok_or(sizes.unmeasured)
    }

    /// The measured sizes of the targets of the migrations that moved data and `pick`
    /// accepts: the largest, and why each of the others is not measured (one of them may
    /// be larger).
    pub fn sizes(&self, pick: impl Fn(&Migration<'a>) -> bool) -> Sizes {
        let mut sizes = Sizes::default();
        let mut seen = BTreeSet::new();
        for m in self.migrations.iter().filter(|m| pick(m)) {
            let Some(t) = m.target.as_deref() else {
                // Left out (what it connected to then is not on record): it may be larger.
                let why = m.unknown_endpoint("target");
                sizes
                    .unmeasured
                    .push(why.unwrap_or_else(|| format!("{}: target not found", m.id)));
                continue;
            };
            if !seen.insert(t.arn.as_str()) {
                continue;
            }
            match self.measured_size(t) {
                Ok(s) => {
                    let max = s.points.iter().map(|p| p.1).fold(0.0, f64::max);
                    if sizes.largest.as_ref().is_none_or(|b| max > b.0) {
                        sizes.largest = Some((max, s));
                    }
                }
                Err(e) => sizes.unmeasured.push(e),
            }
        }
        sizes
    }

    /// The run windows of every migration through `pred` (one instance, one
    /// database), for judging load during the migration. `Err` names the migrations
    /// whose window is unknown: one with no record that it moved data (its history may
    /// have expired), one whose dates are not on record, or a task with CDC that stopped
    /// with no StopDate on record (its window would end with its full load, and the load
    /// its CDC put on them would go unseen).
    pub fn windows(&self, pred: impl Fn(&Migration<'_>) -> bool) -> Result<Vec<Span>, Vec<String>> {
        let mut windows = Vec::new();
        let mut unknown = Vec::new();
        for m in self.migrations.iter().filter(|m| pred(m)) {
            match m.window {
                Some(_) if m.end_not_on_record() => unknown.push(format!(
                    "{} (a task with CDC, stopped, whose StopDate is not on record: when its run \
                     ended is not known)",
                    m.id
                )),
                Some(w) => windows.push(w),
                None => unknown.push(format!("{} (ran, dates not on record)", m.id)),
            }
        }
        for m in self.unproven.iter().filter(|m| pred(m)) {
            unknown.push(format!("{} (no record that it moved data)", m.id));
        }
        if unknown.is_empty() {
            Ok(windows)
        } else {
            Err(unknown)
        }
    }

    /// The migrations whose data movement is not on record ([`Run::NotOnRecord`]) that
    /// `test` accepts: they could answer an item, so its absence is not shown.
    pub fn could_answer(&self, test: impl Fn(&Migration<'a>) -> bool) -> Vec<String> {
        self.unproven
            .iter()
            .filter(|m| m.run == Run::NotOnRecord && test(m))
            .map(|m| format!("{}{}", m.id, m.deleted_note()))
            .collect()
    }

    /// Every migration, whether it moved data or not: negatives count from all of them (a
    /// bad setting is bad whether or not data moved), positives only from those that did.
    pub fn every_migration(&self) -> impl Iterator<Item = &Migration<'a>> {
        self.migrations.iter().chain(self.unproven.iter())
    }

    /// A sentence naming the migrations without evidence that they moved data, each
    /// with why, for reasons ("" when none).
    pub fn unproven_note(&self) -> String {
        let (mut idle, mut never, mut unrecorded) = (Vec::new(), Vec::new(), Vec::new());
        for m in &self.unproven {
            match m.run {
                Run::NeverStarted => never.push(format!(
                    "{}{} (status {})",
                    m.id,
                    m.deleted_note(),
                    m.status.unwrap_or("unknown")
                )),
                Run::NotOnRecord => unrecorded.push(format!(
                    "{}{} ({})",
                    m.id,
                    m.deleted_note(),
                    m.moved_nothing_details()
                )),
                _ => idle.push(format!("{} ({})", m.id, m.moved_nothing_details())),
            }
        }
        let mut out = String::new();
        if !idle.is_empty() {
            out += &format!("; started, moved nothing: {}", idle.join(", "));
        }
        if !unrecorded.is_empty() {
            out += &format!(
                "; started, what it moved is not on record: {}",
                unrecorded.join(", ")
            );
        }
        if !never.is_empty() {
            out += &format!(
                "; never started (no start date, table statistics, change metrics, log events or provisioning): {}",
                never.join(", ")
            );
        }
        out
    }
}

/// The values of a series inside any of the windows (an hour of slack on each side).
pub fn in_windows(s: &MetricSeries, windows: &[Span]) -> Vec<f64> {
    s.timestamps
        .iter()
        .zip(&s.values)
        .filter(|(t, _)| {
            windows
                .iter()
                .any(|(a, b)| **t >= *a - HOUR && **t <= *b + HOUR)
        })
        .map(|(_, v)| *v)
        .collect()
}

/// The measured sizes of some migrations' targets ([`Input::sizes`]).
#[derive(Default)]
pub struct Sizes {
    /// The largest measured (bytes at its highest, the series).
    pub largest: Option<(f64, SizeSeries)>,
    /// Why each target not measured is not.
    pub unmeasured: Vec<String>,
}

pub struct SizeSeries {
    pub basis: String,
    /// (when, bytes), ascending.
    pub points: Vec<(Timestamp, f64)>,
    pub pointer: String,
    pub sources: Vec<String>,
}

impl Migration<'_> {
    pub fn has_cdc_type(&self) -> bool {
        matches!(self.migration_type, Some("cdc" | "full-load-and-cdc"))
    }

    /// A task with CDC, not running, whose StopDate is not on record: its run may have
    /// gone on after its full load, to an end nothing dates (AWS gives a stopped task its
    /// StopDate; one rebuilt from CloudTrail that DMS stopped by itself has none).
    pub fn end_not_on_record(&self) -> bool {
        self.kind == MigrationKind::Task
            && self.has_cdc_type()
            && !matches!(self.status, Some("running" | "starting" | "resuming"))
            && self.stats.is_none_or(|s| s.stop_date.is_none())
    }

    pub fn is_task(&self) -> bool {
        self.kind == MigrationKind::Task
    }

    /// The migration's table statistics counted once per table; `None` when they
    /// could not be read or the list is empty.
    pub fn table_counts(&self) -> Option<TableCounts> {
        self.tables
            .filter(|rows| !rows.is_empty())
            .map(TableCounts::of)
    }

    /// Errored tables: from the table statistics (each table once), else the task
    /// statistics' TablesErrored; `None` when neither is on record.
    pub fn errored_tables(&self) -> Option<usize> {
        match self.table_counts() {
            Some(c) => Some(c.errored),
            None => self
                .stats
                .and_then(|s| s.tables_errored)
                .map(|n| usize::try_from(n).unwrap_or(0)),
        }
    }

    /// The stop reason, when AWS says the run ended before ongoing replication and it is
    /// not running again.
    pub fn ended_before_cdc(&self) -> Option<&str> {
        if matches!(self.status, Some("running" | "starting" | "resuming")) {
            return None;
        }
        let reason = self.stop_reason?;
        STOPPED_BEFORE_CDC
            .iter()
            .find(|r| reason.split_whitespace().any(|w| w == **r))
            .copied()
    }

    /// Its run's start dates on record: the task's start, the statistics' fresh start,
    /// start and full-load start.
    fn start_dates(&self) -> impl Iterator<Item = Timestamp> {
        let stats = self.stats;
        [
            self.started,
            stats.and_then(|s| s.fresh_start_date),
            stats.and_then(|s| s.start_date),
            stats.and_then(|s| s.full_load_start_date),
        ]
        .into_iter()
        .flatten()
    }

    /// When the last run started (fresh start, start or full-load start).
    pub fn run_start(&self) -> Option<Timestamp> {
        self.start_dates().max()
    }

    /// What the evidence shows of the applied changes, one phrase ("" when none).
    pub fn cdc_applied(&self) -> Option<String> {
        (!self.cdc.is_empty()).then(|| {
            self.cdc
                .iter()
                .map(|a| a.what.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        })
    }

    /// Why a migration that started shows no data moved: its status, stop reason, last
    /// failure, errored tables and the zero counts, as far as they are on record.
    pub fn moved_nothing_details(&self) -> String {
        let mut parts = vec![format!("status {}", self.status.unwrap_or("unknown"))];
        if let Some(r) = self.stop_reason {
            parts.push(format!(
                "stop reason {}",
                r.trim_start_matches("Stop Reason ").trim()
            ));
        }
        if let Some(f) = self.failure.filter(|f| !f.trim().is_empty()) {
            parts.push(format!("last failure {}", crate::text::quote(f)));
        }
        match self.table_counts() {
            Some(c) => {
                if c.errored > 0 {
                    parts.push(format!("{} of {} tables errored", c.errored, c.tables));
                }
                parts.push(format!(
                    "{} rows loaded and {} changes applied in tables not in error",
                    c.rows_loaded, c.changes
                ));
            }
            None => {
                if let Some(n) = self.stats.and_then(|s| s.tables_errored).filter(|n| *n > 0) {
                    parts.push(format!("{n} table(s) errored"));
                }
                parts.push(
                    "no table statistics, TablesLoaded or rows written to the target on record"
                        .into(),
                );
            }
        }
        parts.join(", ")
    }

    /// Days CDC has run: from the end of full load (a CDC-only task: its start) to stop or
    /// now; none when the run ended before CDC, or when a full load's end is not on record
    /// (its CDC began then: counting from the start would count the load as CDC).
    pub fn cdc_days(&self, now: Timestamp) -> Option<f64> {
        if self.ended_before_cdc().is_some() {
            return None;
        }
        let stats = self.stats?;
        let started = || stats.start_date.or(stats.fresh_start_date);
        let start = match stats.full_load_finish_date {
            Some(finish) => finish,
            None if self.migration_type == Some("cdc") => started()?,
            None => return None,
        };
        Some(crate::time::days(self.run_end(now)? - start))
    }

    /// The most days CDC can have run: from the run's first start to its stop (or now
    /// while running); `None` when either end is not on record.
    pub fn cdc_days_at_most(&self, now: Timestamp) -> Option<f64> {
        let start = self.start_dates().min()?;
        Some(crate::time::days(self.run_end(now)? - start))
    }

    /// When its run ended: its StopDate, or now while it runs.
    fn run_end(&self, now: Timestamp) -> Option<Timestamp> {
        if self.status == Some("running") {
            Some(now)
        } else {
            self.stats?.stop_date
        }
    }

    pub fn pointer(&self) -> String {
        match self.kind {
            MigrationKind::Task => format!("tasks/{}", self.arn),
            MigrationKind::Serverless => format!("serverless/{}", self.arn),
        }
    }

    /// " (deleted on …, from CloudTrail event …)" for a task known from its history, else "".
    pub fn deleted_note(&self) -> String {
        let mut notes: Vec<String> = self
            .deleted
            .iter()
            .map(|(at, event)| format!("deleted on {}, from CloudTrail event {event}", at.date()))
            .collect();
        notes.extend(self.endpoints_then.iter().cloned());
        if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join("; "))
        }
    }

    /// One phrase of what shows it moved data.
    pub fn moved_note(&self) -> String {
        self.moved
            .iter()
            .map(|a| a.what.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The p-th percentile (0..=100) by nearest rank.
pub fn percentile(values: &[f64], p: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil().max(1.0) as usize;
    Some(sorted[rank.min(sorted.len()) - 1])
}

pub fn gb(bytes: f64) -> String {
    format!("{:.1} GB", bytes / 1e9)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        for (p, want) in [(95.0, 95.0), (50.0, 50.0), (100.0, 100.0), (0.0, 1.0)] {
            assert_eq!(percentile(&v, p), Some(want), "p{p}");
        }
        assert_eq!(percentile(&[], 95.0), None);
        assert_eq!(percentile(&[3.0], 95.0), Some(3.0));
    }

    #[test]
    fn windows_filter_points() {
        let hour = |h: i64| Timestamp::default() + time::Duration::hours(h);
        let s = MetricSeries {
            timestamps: [0, 1, 2, 10].map(hour).to_vec(),
            values: vec![1.0, 2.0, 3.0, 4.0],
            ..MetricSeries::default()
        };
        assert_eq!(in_windows(&s, &[(hour(2), hour(2))]), vec![2.0, 3.0]);
        assert!(in_windows(&s, &[]).is_empty());
    }
}
