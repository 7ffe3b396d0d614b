//! Architecture and sizing: database size, TB+ databases, DMS limits, replication
//! instance health and engine versions, endpoint tuning, public vs private
//! instances, performance tuning, target sizing and load on the source. Only
//! migrations that moved data count, and load is judged inside their windows.

pub mod database_size;
pub mod dms_limits;
pub mod endpoint_tuning;
pub mod engine_versions;
pub mod large_database;
pub mod performance_tuning;
pub mod public_private;
pub mod replication_instance_health;
pub mod source_load;
pub mod target_sizing;

use super::{Finding, Input, Verdict};
use crate::evaluate::view::{GIB, in_windows, percentile};
use crate::facts::{Endpoint, HostKind};
use std::collections::BTreeSet;

use serde::Deserialize;

use super::params::{Percent, Positive};

/// The load limits of an instance (replication instance or target database), shared by
/// `replication_instance_health` and `target_sizing`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HealthParams {
    pub max_p95_cpu_percent: Percent,
    pub min_free_storage_percent: Percent,
    /// Fewer datapoints than this inside the run windows is not enough to judge.
    pub min_datapoints: Positive,
}

/// Tasks that moved data whose replication instance is not in the evidence (deleted, or
/// not read): they cannot be judged, and must not pass as "serverless only".
fn orphan_tasks(input: &Input<'_>) -> Option<Finding> {
    let orphans: Vec<&str> = input
        .migrations
        .iter()
        .filter(|m| m.is_task() && m.instance.is_none())
        .map(|m| m.id)
        .collect();
    if orphans.is_empty() {
        return None;
    }
    let gap = input.gap_paren(&["dms:DescribeReplicationInstances"]);
    Some(Finding::new(
        Verdict::InsufficientEvidence,
        format!(
            "the replication instance of task(s) {} is not in the evidence{gap}: deleted, or not read",
            orphans.join(", ")
        ),
    ))
}

/// Not applicable because only DMS Serverless ran — which needs positive evidence:
/// the task and instance listings answered (an empty listing, not a failed one).
fn only_serverless(input: &Input<'_>, why: &str) -> Finding {
    let failed = input.gap_note(&[
        "dms:DescribeReplicationTasks",
        "dms:DescribeReplicationInstances",
    ]);
    match failed {
        Some(gap) => Finding::new(
            Verdict::InsufficientEvidence,
            format!("whether replication instances were used is unknown: {gap}"),
        ),
        None => Finding::new(
            Verdict::NotApplicable,
            format!("only DMS Serverless replications ran: {why}"),
        ),
    }
}

/// The replication instances of the migrations that moved data, each once.
fn used_instances<'a>(input: &Input<'a>) -> Vec<&'a crate::facts::ReplicationInstance> {
    let mut seen = BTreeSet::new();
    input
        .migrations
        .iter()
        .filter_map(|m| m.instance)
        .filter(|i| seen.insert(i.arn.as_str()))
        .collect()
}

/// The replication instances of every migration, ran or not (for negatives).
fn every_instance<'a>(input: &Input<'a>) -> Vec<&'a crate::facts::ReplicationInstance> {
    let mut seen = BTreeSet::new();
    input
        .every_migration()
        .filter_map(|m| m.instance)
        .filter(|i| seen.insert(i.arn.as_str()))
        .collect()
}

fn worst(a: Verdict, b: Verdict) -> Verdict {
    let rank = |v: Verdict| match v {
        Verdict::NotMet => 3,
        Verdict::InsufficientEvidence => 2,
        _ => 1,
    };
    if rank(b) > rank(a) { b } else { a }
}

/// The endpoints of the migrations that moved data as they were then, each once.
fn used_endpoints<'i>(input: &'i Input<'_>) -> Vec<&'i Endpoint> {
    let mut seen = BTreeSet::new();
    input
        .migrations
        .iter()
        .flat_map(|m| [m.source.as_deref(), m.target.as_deref()])
        .flatten()
        .filter(|e| seen.insert((e.arn.as_str(), e.engine.as_str(), e.server_name.as_deref())))
        .collect()
}

/// Whether an endpoint outside AWS justifies a public replication instance.
enum Reach {
    /// Reached over the internet: a public address outside the account, another cloud.
    Internet(String),
    /// Cannot tell (a name that matches nothing, no address).
    Doubt(String),
    /// Inside AWS, or a private address (VPN / Direct Connect need no public instance).
    Private,
}

fn reach(e: &Endpoint) -> Reach {
    match e.host.kind {
        HostKind::OtherCloud => Reach::Internet(format!("{} (another cloud)", e.identifier)),
        HostKind::External if e.host.public_ip() == Some(true) => Reach::Internet(format!(
            "{} ({} outside AWS)",
            e.identifier,
            e.host.address.as_deref().unwrap_or("?")
        )),
        HostKind::Unverified | HostKind::Unknown => {
            Reach::Doubt(format!("{} ({})", e.identifier, e.host.basis))
        }
        _ => Reach::Private,
    }
}

/// One DB instance's load inside the migration windows.
struct DbHealth {
    id: String,
    cpu_p95: Option<f64>,
    cpu_points: usize,
    free_pct: Option<f64>,
    /// Why the free storage of an RDS instance outside a cluster (whose storage does not
    /// grow by itself) is not known, where it is not.
    free_unknown: Option<String>,
    sources: Vec<String>,
}

/// CPU p95 and lowest free storage of the DB instances behind an endpoint, inside
/// `windows`, with at least `min_points` datapoints each.
fn db_health(
    input: &Input<'_>,
    e: &Endpoint,
    windows: &[crate::time::Span],
    min_points: usize,
) -> Vec<DbHealth> {
    let clustered = input.rds_cluster(e).is_some();
    input
        .db_instances(e)
        .into_iter()
        .map(|db| {
            let ids = [db.identifier.as_str()];
            let cpu = input.series(
                &db.region,
                "AWS/RDS",
                "CPUUtilization",
                "DBInstanceIdentifier",
                &ids,
            );
            let free = input.series(
                &db.region,
                "AWS/RDS",
                "FreeStorageSpace",
                "DBInstanceIdentifier",
                &ids,
            );
            let cpu_values = cpu.map(|s| in_windows(s, windows)).unwrap_or_default();
            let free_values = free.map(|s| in_windows(s, windows)).unwrap_or_default();
            // Aurora storage grows with the data: free space says nothing of sizing.
            let free_pct = match db.allocated_storage_gb {
                Some(a) if a > 1 && !clustered && free_values.len() >= min_points => Some(
                    100.0 * free_values.iter().copied().fold(f64::INFINITY, f64::min)
                        / (f64::from(a) * GIB),
                ),
                _ => None,
            };
            let free_unknown = (free_pct.is_none() && !clustered).then(|| match db.allocated_storage_gb {
                Some(a) if a > 1 => format!(
                    "{} FreeStorageSpace datapoint(s) in the migration window, {min_points} needed",
                    free_values.len()
                ),
                _ => "AllocatedStorage not reported".to_string(),
            });
            DbHealth {
                id: db.identifier.clone(),
                free_unknown,
                cpu_p95: (cpu_values.len() >= min_points)
                    .then(|| percentile(&cpu_values, 95.0))
                    .flatten(),
                cpu_points: cpu_values.len(),
                free_pct,
                sources: cpu
                    .iter()
                    .chain(free.iter())
                    .flat_map(|s| s.sources.clone())
                    .collect(),
            }
        })
        .collect()
}

/// Endpoint settings that read the source with less load (DMS User Guide, "Using an
/// Oracle database as a source": Binary Reader, standby reads; "Using a Microsoft SQL
/// Server database as a source": ReadBackupOnly).
fn reader_settings(e: &Endpoint) -> Vec<String> {
    let mut out = Vec::new();
    let get =
        |settings: &str, key: &str| e.settings.get(settings).and_then(|s| s.get(key)).cloned();
    if get("OracleSettings", "UseLogminerReader") == Some(serde_json::Value::Bool(false))
        || get("OracleSettings", "UseBFile") == Some(serde_json::Value::Bool(true))
    {
        out.push("Oracle Binary Reader".to_string());
    }
    if get("OracleSettings", "UseAlternateFolderForOnline") == Some(serde_json::Value::Bool(true))
        || get("OracleSettings", "StandbyDelayTime")
            .and_then(|v| v.as_i64())
            .is_some_and(|n| n > 0)
    {
        out.push("Oracle standby/alternate reads".to_string());
    }
    if get("MicrosoftSQLServerSettings", "ReadBackupOnly") == Some(serde_json::Value::Bool(true)) {
        out.push("SQL Server ReadBackupOnly".to_string());
    }
    out
}
