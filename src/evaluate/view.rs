//! Read-only views over the evidence that several rules share: the migrations (tasks
//! and serverless replications alike) split into those with evidence that they ran
//! and those that never did, region-keyed look-ups of databases and metrics,
//! migration windows, percentiles and database sizes.

use std::collections::BTreeSet;

use crate::evidence::{Evidence, HashedAttachment};
use crate::evidence::{Gap, GapKind};
use crate::facts::*;

/// GiB, the unit of RDS AllocatedStorage.
pub const GIB: f64 = 1_073_741_824.0;
/// An RDS FreeStorageSpace point is read against today's AllocatedStorage only when
/// it is this recent: storage may have been modified since older points.
pub const FRESH_FREE_SPACE_SECS: i64 = 2 * 86_400;

/// The DMS task metrics that show change data capture flowing (DMS User Guide,
/// "Replication task metrics"): a migration's CDC activity, and the time-limited evidence
/// behind the rules that rest on it ([`crate::evaluate::expiry`]).
pub const CDC_ACTIVITY_METRICS: [&str; 3] = [
    "CDCIncomingChanges",
    "CDCThroughputRowsSource",
    "CDCThroughputRowsTarget",
];

/// DMS task metrics whose positive values show that data moved (DMS User Guide,
/// "Replication task metrics").
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

pub struct Input<'a> {
    pub evidence: &'a Evidence,
    pub facts: &'a Facts,
    pub now: i64,
    /// Migrations with evidence that they ran: the only ones that items about what
    /// was migrated may rest on.
    pub migrations: Vec<Migration<'a>>,
    /// Migrations with no evidence that they ever ran (created, never started).
    pub never_ran: Vec<Migration<'a>>,
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
    pub source: Option<&'a Endpoint>,
    pub target: Option<&'a Endpoint>,
    pub migration_type: Option<&'a str>,
    pub status: Option<&'a str>,
    pub stats: Option<&'a TaskStats>,
    pub settings: &'a TaskSettings,
    pub mappings: &'a TableMappings,
    pub tables: Option<&'a [TableStat]>,
    pub instance: Option<&'a ReplicationInstance>,
    /// The instance ARN the task names, found in the evidence or not.
    pub instance_arn: Option<&'a str>,
    pub created: Option<&'a str>,
    started: Option<&'a str>,
    provision: Option<&'a Provision>,
    /// CloudWatch ReplicationTaskIdentifier values that name it (the resource id).
    pub metric_ids: Vec<&'a str>,
    /// Log group and stream names DMS writes it to.
    pub log_groups: Vec<String>,
    pub log_streams: Vec<String>,
    pub sources: Vec<String>,
    /// Evidence that it ran; empty when it never did.
    pub activity: Vec<Activity>,
    /// Epoch seconds of its run (start, end), when known.
    pub window: Option<(i64, i64)>,
}

fn secs(t: Option<&str>) -> Option<i64> {
    t.and_then(crate::time::parse_rfc3339).map(|d| d.secs())
}

fn day(t: i64) -> String {
    crate::time::date(t)
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
        source: t.source_arn.as_deref().and_then(|a| facts.endpoint(a)),
        target: t.target_arn.as_deref().and_then(|a| facts.endpoint(a)),
        migration_type: t.migration_type.as_deref(),
        status: t.status.as_deref(),
        stats: t.stats.as_ref(),
        settings: &t.settings,
        mappings: &t.table_mappings,
        tables: t.tables.as_deref(),
        instance,
        instance_arn: t.instance_arn.as_deref(),
        created: t.created.as_deref(),
        started: t.started.as_deref(),
        provision: None,
        metric_ids: vec![t.resource_id.as_str()],
        log_groups,
        log_streams,
        sources,
        activity: Vec::new(),
        window: None,
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
        source: s.source_arn.as_deref().and_then(|a| facts.endpoint(a)),
        target: s.target_arn.as_deref().and_then(|a| facts.endpoint(a)),
        migration_type: s.replication_type.as_deref(),
        status: s.status.as_deref(),
        stats: s.stats.as_ref(),
        settings: &s.settings,
        mappings: &s.table_mappings,
        tables: s.tables.as_deref(),
        instance: None,
        instance_arn: None,
        created: s.created.as_deref(),
        started: None,
        provision: s.provision.as_ref(),
        metric_ids: vec![resource_id, s.identifier.as_str()],
        log_groups,
        log_streams: Vec::new(),
        sources: s.sources.clone(),
        activity: Vec::new(),
        window: None,
    }
}

/// Table statistics showing work: rows loaded or changed, or a completed table.
fn table_activity(rows: &[TableStat]) -> Option<String> {
    let active: Vec<&TableStat> = rows
        .iter()
        .filter(|r| {
            r.full_load_rows + r.inserts + r.updates + r.deletes + r.ddls > 0
                || r.state.as_deref() == Some("Table completed")
        })
        .collect();
    if active.is_empty() {
        return None;
    }
    let loaded: i64 = active.iter().map(|r| r.full_load_rows).sum();
    let changes: i64 = active
        .iter()
        .map(|r| r.inserts + r.updates + r.deletes)
        .sum();
    Some(format!(
        "table statistics for {} table(s): {loaded} rows loaded, {changes} changes applied",
        active.len()
    ))
}

/// DMS Serverless capacity provisioned (a date, or capacity units above zero).
fn provision_activity(p: &Provision) -> Option<String> {
    let when = p.date_provisioned.as_deref();
    if when.is_none() && p.capacity_units.is_none_or(|c| c <= 0) {
        return None;
    }
    Some(format!(
        "DMS Serverless provisioned {} DCU{}",
        p.capacity_units.map_or("?".into(), |c| c.to_string()),
        when.map(|w| format!(" on {}", crate::text::prefix(w, 10)))
            .unwrap_or_default()
    ))
}

impl<'a> Input<'a> {
    pub fn new(evidence: &'a Evidence) -> Input<'a> {
        let facts = &evidence.facts;
        let now =
            crate::time::parse_rfc3339(&evidence.collection.finished_at).map_or(0, |t| t.secs());
        let mut input = Input {
            evidence,
            facts,
            now,
            migrations: Vec::new(),
            never_ran: Vec::new(),
        };
        let tasks = facts.tasks.iter().map(|t| task_migration(facts, t));
        let serverless = facts
            .serverless
            .iter()
            .map(|s| serverless_migration(facts, s));
        for mut m in tasks.chain(serverless).collect::<Vec<_>>() {
            let activity = input.activity(&m);
            m.window = input.window(&m);
            m.activity = activity;
            if m.activity.is_empty() {
                input.never_ran.push(m);
            } else {
                input.migrations.push(m);
            }
        }
        input
    }

    /// The evidence that a migration ran: any one of its start, loaded tables, table
    /// statistics, CDC or load metrics above zero, task log events, serverless capacity.
    fn activity(&self, m: &Migration<'a>) -> Vec<Activity> {
        let here = |what: String| Activity {
            what,
            pointer: m.pointer(),
            sources: m.sources.clone(),
        };
        let mut out = Vec::new();
        let started = [
            m.started,
            m.stats.and_then(|s| s.fresh_start_date.as_deref()),
            m.stats.and_then(|s| s.start_date.as_deref()),
            m.stats.and_then(|s| s.full_load_start_date.as_deref()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|t| secs(Some(t)))
        .min();
        out.extend(started.map(|t| here(format!("started {}", day(t)))));
        if let Some(n) = m.stats.and_then(|s| s.tables_loaded).filter(|n| *n > 0) {
            out.push(here(format!("{n} table(s) loaded")));
        }
        out.extend(m.tables.and_then(table_activity).map(here));
        for name in ACTIVITY_METRICS {
            out.extend(self.metric_activity(m, name));
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

    /// A task metric above zero: in how many hours, from when to when.
    fn metric_activity(&self, m: &Migration<'a>, name: &str) -> Option<Activity> {
        let s = self.task_series(m, name)?;
        let positive: Vec<i64> = s
            .timestamps
            .iter()
            .zip(&s.values)
            .filter(|(_, v)| **v > 0.0)
            .map(|(t, _)| *t)
            .collect();
        let (first, last) = (positive.first()?, positive.last()?);
        Some(Activity {
            what: format!(
                "CloudWatch {name} above 0 in {} hour(s) from {} to {}",
                positive.len(),
                day(*first),
                day(*last)
            ),
            pointer: format!("metrics/AWS/DMS/{name}/{}", m.id),
            sources: s.sources.clone(),
        })
    }

    /// The run window its dates show (start date to stop date, or now while it
    /// runs). Other evidence times are not dates of the run: no window from them.
    fn window(&self, m: &Migration<'_>) -> Option<(i64, i64)> {
        let started = m
            .started
            .or_else(|| m.provision.and_then(|p| p.date_provisioned.as_deref()));
        run_window(started, m.stats, m.status == Some("running"), self.now)
    }

    /// The newest event of a migration's own log stream: (group, stream, time).
    pub fn log_events(&self, m: &Migration<'_>) -> Option<(&'a LogGroup, String, &'a str)> {
        self.facts
            .log_groups
            .iter()
            .filter(|g| g.region == m.region && m.log_groups.contains(&g.name))
            .flat_map(|g| {
                g.latest_streams.iter().filter_map(move |(name, at)| {
                    let mine = m.kind == MigrationKind::Serverless || m.log_streams.contains(name);
                    Some((g, name.clone(), at.as_deref().filter(|_| mine)?))
                })
            })
            .max_by(|a, b| a.2.cmp(b.2))
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

    /// The migrations that ran whose endpoints are not in the evidence, with the
    /// DescribeEndpoints gap if there is one: `None` when every endpoint is there.
    pub fn unresolved_endpoints(&self) -> Option<String> {
        let ids: Vec<&str> = self
            .migrations
            .iter()
            .filter(|m| m.source.is_none() || m.target.is_none())
            .map(|m| m.id)
            .collect();
        (!ids.is_empty()).then(|| {
            format!(
                "the endpoints of {} are not in the evidence{}",
                ids.join(", "),
                self.gap_paren(&["dms:DescribeEndpoints"])
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
        self.facts.metrics.iter().find(|m| {
            m.region == region
                && m.namespace == namespace
                && m.name == name
                && !m.values.is_empty()
                && m.dimensions
                    .get(dim)
                    .is_some_and(|v| ids.contains(&v.as_str()))
        })
    }

    /// A DMS task or serverless metric of this migration (its region, its resource id,
    /// and its instance when the series names one).
    pub fn task_series(&self, m: &Migration<'_>, name: &str) -> Option<&'a MetricSeries> {
        self.facts.metrics.iter().find(|s| {
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

    /// Seconds of a fact's RFC 3339 time.
    pub fn secs(t: Option<&str>) -> Option<i64> {
        secs(t)
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
        if self.now - t > FRESH_FREE_SPACE_SECS {
            return Err(format!(
                "{id}'s latest FreeStorageSpace is from {}: against today's AllocatedStorage ({allocated_gb} GiB) it \
                 would not measure the data (storage may have changed since)",
                day(t)
            ));
        }
        let _ = endpoint;
        Ok(SizeSeries {
            basis: format!(
                "RDS {id}: AllocatedStorage {allocated_gb} GiB minus FreeStorageSpace at {}",
                crate::time::rfc3339(&aws_smithy_types::DateTime::from_secs(t))
            ),
            points: vec![(t, (allocated - free).max(0.0))],
            pointer: format!("metrics/AWS/RDS/FreeStorageSpace/{id}"),
            sources: s.sources.iter().chain(db_sources).cloned().collect(),
        })
    }

    /// The largest measured database size over the targets of migrations that ran,
    /// or why none is measured.
    pub fn largest_size(&self) -> Result<(f64, SizeSeries), Vec<String>> {
        let mut why = Vec::new();
        let mut best: Option<(f64, SizeSeries)> = None;
        let mut seen = BTreeSet::new();
        for t in self.migrations.iter().filter_map(|m| m.target) {
            if !seen.insert(t.arn.as_str()) {
                continue;
            }
            match self.measured_size(t) {
                Ok(s) => {
                    let max = s.points.iter().map(|p| p.1).fold(0.0, f64::max);
                    if best.as_ref().is_none_or(|b| max > b.0) {
                        best = Some((max, s));
                    }
                }
                Err(e) => why.push(e),
            }
        }
        best.ok_or(why)
    }

    /// The run windows of every migration through `pred` (one instance, one
    /// database), for judging load during the migration. `Err` names the migrations
    /// whose window is unknown: one that never ran per the evidence (its history may
    /// have expired) or one whose dates are not on record.
    pub fn windows(
        &self,
        pred: impl Fn(&Migration<'_>) -> bool,
    ) -> Result<Vec<(i64, i64)>, Vec<String>> {
        let mut windows = Vec::new();
        let mut unknown = Vec::new();
        for m in self.migrations.iter().filter(|m| pred(m)) {
            match m.window {
                Some(w) => windows.push(w),
                None => unknown.push(format!("{} (ran, dates not on record)", m.id)),
            }
        }
        for m in self.never_ran.iter().filter(|m| pred(m)) {
            unknown.push(format!("{} (no record that or when it ran)", m.id));
        }
        if unknown.is_empty() {
            Ok(windows)
        } else {
            Err(unknown)
        }
    }

    /// Every migration, with whether it ran: negatives count from all of them (a bad
    /// setting is bad whether or not the task ran), positives only from those that ran.
    pub fn every_migration(&self) -> impl Iterator<Item = &Migration<'a>> {
        self.migrations.iter().chain(self.never_ran.iter())
    }

    /// A sentence naming the migrations that never ran, for reasons ("" when none).
    pub fn never_ran_note(&self) -> String {
        if self.never_ran.is_empty() {
            return String::new();
        }
        let names: Vec<String> = self
            .never_ran
            .iter()
            .map(|m| format!("{} (status {})", m.id, m.status.unwrap_or("unknown")))
            .collect();
        format!(
            "; never ran (no start date, table statistics, change metrics, log events or provisioning): {}",
            names.join(", ")
        )
    }
}

/// The values of a series inside any of the windows (an hour of slack on each side).
pub fn in_windows(s: &MetricSeries, windows: &[(i64, i64)]) -> Vec<f64> {
    s.timestamps
        .iter()
        .zip(&s.values)
        .filter(|(t, _)| {
            windows
                .iter()
                .any(|(a, b)| **t >= a - 3600 && **t <= b + 3600)
        })
        .map(|(_, v)| *v)
        .collect()
}

pub struct SizeSeries {
    pub basis: String,
    /// (epoch seconds, bytes), ascending.
    pub points: Vec<(i64, f64)>,
    pub pointer: String,
    pub sources: Vec<String>,
}

impl Migration<'_> {
    pub fn has_cdc_type(&self) -> bool {
        matches!(self.migration_type, Some("cdc" | "full-load-and-cdc"))
    }

    pub fn is_task(&self) -> bool {
        self.kind == MigrationKind::Task
    }

    /// Changes applied, counted from table statistics (inserts, updates, deletes).
    pub fn changes_applied(&self) -> Option<i64> {
        self.tables
            .map(|rows| rows.iter().map(|r| r.inserts + r.updates + r.deletes).sum())
    }

    /// CDC activity on record: changes counted in table statistics, or CDC metrics
    /// above zero (CDCIncomingChanges is a backlog gauge: evidence of flow, not a count).
    pub fn cdc_activity(&self, input: &Input<'_>) -> Option<String> {
        if !self.has_cdc_type() {
            return None;
        }
        if let Some(n) = self.changes_applied().filter(|n| *n > 0) {
            return Some(format!("{n} changes applied (table statistics)"));
        }
        CDC_ACTIVITY_METRICS.iter().find_map(|name| {
            let s = input.task_series(self, name)?;
            let hours = s.values.iter().filter(|v| **v > 0.0).count();
            (hours > 0).then(|| format!("{name} above 0 in {hours} hour(s)"))
        })
    }

    /// Days CDC has run: from the end of full load (or start) to stop or now.
    pub fn cdc_days(&self, now: i64) -> Option<f64> {
        let stats = self.stats?;
        let start = Input::secs(stats.full_load_finish_date.as_deref())
            .or_else(|| Input::secs(stats.start_date.as_deref()))
            .or_else(|| Input::secs(stats.fresh_start_date.as_deref()))?;
        let end = if self.status == Some("running") {
            now
        } else {
            Input::secs(stats.stop_date.as_deref())?
        };
        Some((end - start) as f64 / 86_400.0)
    }

    pub fn pointer(&self) -> String {
        match self.kind {
            MigrationKind::Task => format!("tasks/{}", self.arn),
            MigrationKind::Serverless => format!("serverless/{}", self.arn),
        }
    }

    /// One phrase of what shows it ran.
    pub fn ran_note(&self) -> String {
        self.activity
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
        let s = MetricSeries {
            timestamps: vec![0, 3600, 7200, 36_000],
            values: vec![1.0, 2.0, 3.0, 4.0],
            ..MetricSeries::default()
        };
        assert_eq!(in_windows(&s, &[(7200, 7200)]), vec![2.0, 3.0]);
        assert!(in_windows(&s, &[]).is_empty());
    }
}
